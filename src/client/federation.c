/* Opening the federation: the demo in-process, or a hub with its catalogue
 * synced into the cache. */
#include "config.h"

#include "client/federation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/http_multi.h"
#include "store/catalogue_store.h"
#include "util/datadir.h"
#include "util/xdg.h"
#include "util/format.h"
#include "util/xmalloc.h"

#define SITE_TIMEOUT_MS 10000
#define CONNECT_MS      3000
#define SYNC_TIMEOUT_MS 15000
#define CATALOGUE_MAX   (64 * 1024 * 1024)

static int site_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fed_site *)a)->id, ((const struct fed_site *)b)->id);
}

static void add_site(struct federation *f, const char *id, const char *country, bool online)
{
	f->sites = xreallocarray(f->sites, f->n_sites + 1, sizeof *f->sites);
	f->sites[f->n_sites++] = (struct fed_site){ xstrdup(id), xstrdup(country), online };
}

/* Takes local (stolen) into f. */
static void take_local(struct federation *f, struct local_fed *local)
{
	/* The local federation owns these; the view borrows them. */
	f->local = local;
	f->vocab = local->vocab;
	f->catalogue = json_incref(local->catalogue);
	f->synthetic = local->synthetic;
	for (size_t i = 0; i < local->n_sites; i++)
		add_site(f, local->sites[i].id, "", true);
}

struct federation *federation_wrap_local(struct local_fed *local)
{
	struct federation *f = xcalloc(1, sizeof *f);

	f->site_timeout_ms = SITE_TIMEOUT_MS;
	take_local(f, local);
	return f;
}

static int open_local(struct federation *f, const struct federation_options *o, char *err,
                      size_t errlen)
{
	struct datadir dd;
	struct local_fed *local;

	if (datadir_find(o->data, &dd, err, errlen) != 0)
		return -1;
	local = local_open(&dd, err, errlen);
	datadir_clear(&dd);
	if (local == NULL)
		return -1;
	take_local(f, local);
	return 0;
}

char *federation_cache_path(char *err, size_t errlen)
{
	char *dir = xdg_dir(XDG_CACHE, err, errlen), *path;

	if (dir == NULL)
		return NULL;
	path = xasprintf("%s/catalogue.db", dir);
	free(dir);
	return path;
}

/* Makes the directory path lives in, mode 0700. */
static void make_parent_dirs(const char *path, char *err, size_t errlen)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		xdg_make_dirs(dir, err, errlen);
	}
	free(dir);
}

/* One of the three requests of a sync. */
struct fetch {
	const char *path;
	bool done;
	long status;
	json_t *doc; /* a 200's body */
	char *etag;
	char *error; /* why there is no usable reply */
};

static void fetched(const struct http_result *res, void *arg)
{
	struct fetch *fe = arg;
	json_error_t je;

	fe->done = true;
	fe->status = res->status;
	if (res->error != NULL) {
		fe->error = xstrdup(res->error);
		return;
	}
	if (res->etag != NULL)
		fe->etag = xstrdup(res->etag);
	if (res->status == 304)
		return;
	if (res->status != 200) {
		fe->error = xasprintf("GET %s: HTTP %ld", fe->path, res->status);
		return;
	}
	fe->doc = json_loadb(res->body, res->len, 0, &je);
	if (fe->doc == NULL)
		fe->error = xasprintf("GET %s: not JSON: %s", fe->path, je.text);
}

/* Fetches the collections (conditionally on etag), the vocabulary and the
 * sites at once. Returns 0 when all three came, else -1 with err set. */
static int fetch_all(const struct federation *f, const struct federation_options *o,
                     const char *etag, struct fetch fe[3], char *err, size_t errlen)
{
	struct http_multi *m = http_multi_new();
	int rc = 0;

	for (size_t i = 0; i < 3; i++) {
		char *url = xasprintf("%s%s", f->hub, fe[i].path);
		struct http_request req = {
			.method = "GET",
			.url = url,
			.if_none_match = i == 0 ? etag : NULL,
			.connect_ms = o->connect_ms > 0 ? o->connect_ms : CONNECT_MS,
			.timeout_ms = SYNC_TIMEOUT_MS,
			.max_body = CATALOGUE_MAX,
		};

		if (http_multi_start(m, &req, NULL, fetched, &fe[i], err, errlen) == NULL)
			rc = -1;
		free(url);
	}
	while (rc == 0 && http_multi_active(m) > 0)
		if (http_multi_wait(m, NULL, 0, -1) < 0) {
			snprintf(err, errlen, "cannot wait for the hub");
			rc = -1;
		}
	for (size_t i = 0; rc == 0 && i < 3; i++)
		if (fe[i].error != NULL) {
			snprintf(err, errlen, "%s", fe[i].error);
			rc = -1;
		}
	http_multi_free(&m);
	return rc;
}

static void fetch_clear(struct fetch *fe)
{
	json_decref(fe->doc);
	free(fe->etag);
	free(fe->error);
}

static int take_vocab(struct federation *f, json_t *criteria, char *err, size_t errlen)
{
	char why[256];

	f->vocab = vocab_from_json(criteria, why, sizeof why);
	if (f->vocab == NULL) {
		snprintf(err, errlen, "the hub's vocabulary is not usable: %s", why);
		return -1;
	}
	return 0;
}

/* The sites as /api/catalogue/sites lists them. */
static int take_sites(struct federation *f, json_t *sites, char *err, size_t errlen)
{
	size_t i;
	json_t *s;

	if (!json_is_array(sites)) {
		snprintf(err, errlen, "the hub's site list is not a JSON array");
		return -1;
	}
	json_array_foreach (sites, i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		const char *country = json_string_value(json_object_get(s, "country"));

		if (name == NULL || name[0] == '\0') {
			snprintf(err, errlen, "the hub's site list: item %zu has no name", i);
			return -1;
		}
		add_site(f, name, country != NULL ? country : "",
		         json_is_true(json_object_get(s, "online")));
	}
	if (f->n_sites > 1)
		qsort(f->sites, f->n_sites, sizeof *f->sites, site_cmp);
	return 0;
}

static void take_catalogue(struct federation *f, json_t *items)
{
	size_t i;
	json_t *item;

	f->catalogue = json_incref(items);
	json_array_foreach (items, i, item)
		f->synthetic = f->synthetic || json_is_true(json_object_get(item, "synthetic"));
}

static char *now_iso(void)
{
	char buf[FORMAT_UTC_LEN + 1];

	format_utc(time(NULL), buf);
	return xstrdup(buf);
}

/* Writes a fresh sync into the cache, all in one transaction. items NULL:
 * the collections did not change (304). */
static int cache_save(struct catalogue_store *cat, const char *hub, const char *etag, json_t *items,
                      json_t *criteria, json_t *sites, char *err, size_t errlen)
{
	char *now = now_iso(), *criteria_text = json_dumps(criteria, JSON_COMPACT),
	     *sites_text = json_dumps(sites, JSON_COMPACT);
	size_t i;
	json_t *item;
	int rc = -1;

	if (catalogue_store_begin(cat, err, errlen) != 0)
		goto out;
	if (items != NULL) {
		if (catalogue_store_clear(cat, err, errlen) != 0)
			goto out;
		json_array_foreach (items, i, item) {
			const char *site = json_string_value(
			    json_object_get(json_object_get(item, "provider"), "id"));

			if (catalogue_store_put(cat, site != NULL ? site : "", item, err, errlen) !=
			    0)
				goto out;
		}
	}
	if (catalogue_store_set_meta(cat, "source", hub, err, errlen) != 0 ||
	    catalogue_store_set_meta(cat, "etag", etag != NULL ? etag : "", err, errlen) != 0 ||
	    catalogue_store_set_meta(cat, "fetched_at", now, err, errlen) != 0 ||
	    catalogue_store_set_meta(cat, "criteria", criteria_text, err, errlen) != 0 ||
	    catalogue_store_set_meta(cat, "sites", sites_text, err, errlen) != 0)
		goto out;
	rc = catalogue_store_commit(cat, err, errlen);
out:
	free(now);
	free(criteria_text);
	free(sites_text);
	return rc;
}

/* The site list as the cache keeps it: names and countries, not the
 * last-seen times that change with every poll (offline, no site is
 * online anyway). New. */
static json_t *cached_sites(json_t *sites)
{
	json_t *out = json_array(), *s;
	size_t i;

	json_array_foreach (sites, i, s)
		json_array_append_new(out,
		                      json_pack("{s:O?, s:O?}", "name", json_object_get(s, "name"),
		                                "country", json_object_get(s, "country")));
	return out;
}

/* Whether a sync whose collections did not change (304) must still be
 * written: the vocabulary or the sites changed, or the copy's time is over
 * a minute old. Otherwise nothing is written, so a command run often does
 * not pay for a write transaction each time. */
static bool cache_stale(struct catalogue_store *cat, json_t *criteria, json_t *sites)
{
	char *old_criteria = catalogue_store_get_meta(cat, "criteria");
	char *old_sites = catalogue_store_get_meta(cat, "sites");
	char *when = catalogue_store_get_meta(cat, "fetched_at");
	char *now_criteria = json_dumps(criteria, JSON_COMPACT);
	char *now_sites = json_dumps(sites, JSON_COMPACT);
	char *now = now_iso();
	struct tm then_tm = { 0 }, now_tm = { 0 };
	bool stale = old_criteria == NULL || old_sites == NULL || when == NULL ||
	             now_criteria == NULL || now_sites == NULL ||
	             strcmp(old_criteria, now_criteria) != 0 || strcmp(old_sites, now_sites) != 0 ||
	             strptime(when, "%Y-%m-%dT%H:%M:%SZ", &then_tm) == NULL ||
	             strptime(now, "%Y-%m-%dT%H:%M:%SZ", &now_tm) == NULL ||
	             timegm(&now_tm) - timegm(&then_tm) > 60;

	free(old_criteria);
	free(old_sites);
	free(when);
	free(now_criteria);
	free(now_sites);
	free(now);
	return stale;
}

/* A meta value holding JSON, parsed: new, or NULL. */
static json_t *meta_json(struct catalogue_store *cat, const char *key)
{
	char *text = catalogue_store_get_meta(cat, key);
	json_t *doc = text != NULL ? json_loads(text, 0, NULL) : NULL;

	free(text);
	return doc;
}

/* Whether the cache holds a copy of this hub's catalogue. */
static bool cache_is_of(struct catalogue_store *cat, const char *hub)
{
	char *source = cat != NULL ? catalogue_store_get_meta(cat, "source") : NULL;
	bool same = source != NULL && strcmp(source, hub) == 0;

	free(source);
	return same;
}

/* The cached copy, after the hub could not be reached (why). */
static int open_offline(struct federation *f, struct catalogue_store *cat, const char *why,
                        char *err, size_t errlen)
{
	json_t *items = NULL, *criteria = NULL, *sites = NULL;
	int rc = -1;

	if (!cache_is_of(cat, f->hub)) {
		snprintf(err, errlen, "%s; and there is no cached copy of its catalogue", why);
		return -1;
	}
	criteria = meta_json(cat, "criteria");
	sites = meta_json(cat, "sites");
	items = catalogue_store_list(cat, err, errlen);
	if (items == NULL || criteria == NULL || sites == NULL) {
		snprintf(err, errlen, "%s; and its cached catalogue cannot be read", why);
		goto out;
	}
	if (take_vocab(f, criteria, err, errlen) != 0 || take_sites(f, sites, err, errlen) != 0)
		goto out;
	take_catalogue(f, items);
	f->offline_as_of = catalogue_store_get_meta(cat, "fetched_at");
	if (f->offline_as_of == NULL)
		f->offline_as_of = xstrdup("an unknown time");
	f->offline_reason = xstrdup(why);
	for (size_t i = 0; i < f->n_sites; i++)
		f->sites[i].online = false;
	rc = 0;
out:
	json_decref(items);
	json_decref(criteria);
	json_decref(sites);
	return rc;
}

static int open_hub(struct federation *f, const struct federation_options *o, char *err,
                    size_t errlen)
{
	struct fetch fe[3] = { { .path = "/api/catalogue/collections" },
		               { .path = "/api/catalogue/criteria" },
		               { .path = "/api/catalogue/sites" } };
	char *path = o->cache != NULL ? xstrdup(o->cache) : federation_cache_path(err, errlen);
	char *etag = NULL, why[512], cache_err[256];
	struct catalogue_store *cat = NULL;
	json_t *items = NULL, *sites = NULL;
	int rc = -1;

	if (path != NULL) {
		const char *slash = strrchr(path, '/');

		f->preview_dir = slash != NULL
		                     ? xasprintf("%.*s/previews", (int)(slash - path), path)
		                     : xstrdup("previews");
		make_parent_dirs(path, cache_err, sizeof cache_err);
		/* A cache that cannot be opened only costs the offline copy. */
		cat = catalogue_store_open(path, true, cache_err, sizeof cache_err);
	}
	if (cache_is_of(cat, f->hub))
		etag = catalogue_store_get_meta(cat, "etag");
	if (fetch_all(f, o, etag, fe, why, sizeof why) != 0) {
		rc = open_offline(f, cat, why, err, errlen);
		goto out;
	}
	if (fe[0].status == 304)
		items = etag != NULL ? catalogue_store_list(cat, err, errlen) : NULL;
	else
		items = json_incref(json_object_get(fe[0].doc, "items"));
	if (!json_is_array(items)) {
		snprintf(err, errlen, "the hub's collection list has no \"items\" array");
		goto out;
	}
	if (take_vocab(f, fe[1].doc, err, errlen) != 0 ||
	    take_sites(f, fe[2].doc, err, errlen) != 0)
		goto out;
	take_catalogue(f, items);
	/* A cache that cannot be written only costs the offline copy. */
	sites = cached_sites(fe[2].doc);
	if (cat != NULL && (fe[0].status != 304 || cache_stale(cat, fe[1].doc, sites)))
		cache_save(cat, f->hub, fe[0].etag, fe[0].status == 304 ? NULL : items, fe[1].doc,
		           sites, cache_err, sizeof cache_err);
	rc = 0;
out:
	json_decref(items);
	json_decref(sites);
	for (size_t i = 0; i < 3; i++)
		fetch_clear(&fe[i]);
	catalogue_store_close(&cat);
	free(etag);
	free(path);
	return rc;
}

struct federation *federation_open(const struct federation_options *o, char *err, size_t errlen)
{
	struct federation *f = xcalloc(1, sizeof *f);
	int rc;

	f->site_timeout_ms = o->site_timeout_ms > 0 ? o->site_timeout_ms : SITE_TIMEOUT_MS;
	if (o->hub == NULL) {
		rc = open_local(f, o, err, errlen);
	} else {
		size_t len = strlen(o->hub);

		while (len > 0 && o->hub[len - 1] == '/')
			len--;
		f->hub = xstrndup(o->hub, len);
		f->token = o->token != NULL ? xstrdup(o->token) : NULL;
		rc = open_hub(f, o, err, errlen);
	}
	if (rc != 0)
		federation_close(&f);
	return f;
}

void federation_close(struct federation **fp)
{
	struct federation *f = *fp;

	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n_sites; i++) {
		free(f->sites[i].id);
		free(f->sites[i].country);
	}
	free(f->sites);
	json_decref(f->catalogue);
	if (f->local != NULL)
		local_close(&f->local); /* owns the vocabulary */
	else
		vocab_free(&f->vocab);
	free(f->hub);
	if (f->token != NULL) {
		explicit_bzero(f->token, strlen(f->token));
		free(f->token);
	}
	free(f->offline_as_of);
	free(f->offline_reason);
	free(f->preview_dir);
	free(f);
	*fp = NULL;
}

long federation_site_index(const struct federation *f, const char *id)
{
	for (size_t i = 0; i < f->n_sites; i++)
		if (strcmp(f->sites[i].id, id) == 0)
			return (long)i;
	return -1;
}
