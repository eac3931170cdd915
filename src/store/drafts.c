/* Access-request drafts as one JSON file each. A save builds the file's
 * text, reads it back with the same reader a load uses (so nothing is ever
 * written that would not load), writes it to a temporary file beside its
 * place (util/xdg.h: mode 0600, synced), renames it over the old file and
 * syncs the directory, so a crash leaves the old draft or the new one.
 * Temporary files start with '.' and are never taken for drafts. The
 * reader builds every error as "<member path>: <what is wrong>" on one
 * line; names that came from the file are sanitised into it. */
#include "config.h"

#include "store/drafts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/json_read.h"
#include "util/sanitize.h"
#include "util/xdg.h"
#include "util/xmalloc.h"

#define DRAFT_SUFFIX ".json"
#define NAME_SHOWN   48 /* bytes of an outside name shown in an error */

static char *dir_override;
static unsigned long generation;

static const char *const state_names[DRAFT_N_STATES] = {
#define DRAFT_NAME_(c, name) [c] = name,
	DRAFT_STATES(DRAFT_NAME_)
#undef DRAFT_NAME_
};

const char *draft_state_name(enum draft_state s)
{
	return (unsigned)s < DRAFT_N_STATES ? state_names[s] : NULL;
}

int draft_state_parse(const char *name, enum draft_state *out)
{
	if (name == NULL)
		return -1;
	for (unsigned i = 0; i < DRAFT_N_STATES; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum draft_state)i;
			return 0;
		}
	}
	return -1;
}

void draft_set_dir(const char *dir)
{
	free(dir_override);
	dir_override = dir != NULL ? xstrdup(dir) : NULL;
}

char *draft_dir(char *err, size_t errlen)
{
	char *base, *dir;

	if (dir_override != NULL)
		return xstrdup(dir_override);
	base = xdg_dir(XDG_DATA, err, errlen);
	if (base == NULL)
		return NULL;
	dir = xasprintf("%s/drafts", base);
	free(base);
	return dir;
}

unsigned long draft_generation(void)
{
	return generation;
}

/* ---- small checks ---- */

static bool is_hash(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == DRAFT_HASH_LEN && s[n] == '\0';
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC) into
 * milliseconds since 1970; false if s (NULL too) is not one, or names a
 * day that does not exist. */
static bool parse_time(const char *s, int64_t *ms)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:dd";
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int v[6] = { 0 }, f = 0, milli = 0;
	size_t len = s != NULL ? strlen(s) : 0;

	if (len != 20 && len != 24)
		return false;
	for (size_t i = 0; i < sizeof pattern - 1; i++) {
		if (pattern[i] != 'd') {
			if (s[i] != pattern[i])
				return false;
			f++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return false;
		v[f] = v[f] * 10 + (s[i] - '0');
	}
	if (len == 24) {
		if (s[19] != '.')
			return false;
		for (size_t i = 20; i < 23; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			milli = milli * 10 + (s[i] - '0');
		}
	}
	if (s[len - 1] != 'Z' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[3] > 23 || v[4] > 59 ||
	    v[5] > 60)
		return false;
	{
		bool leap = (v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0;
		int max = mdays[v[1] - 1] + (v[1] == 2 && leap);

		if (v[2] > max)
			return false;
	}
	if (ms != NULL)
		*ms =
		    ((days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 + v[4] * 60 + v[5]) *
		     1000) +
		    milli;
	return true;
}

static void now_iso(char out[DRAFT_TIME_LEN + 1])
{
	struct timespec ts;
	struct tm tm;
	char secs[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(secs, sizeof secs, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, DRAFT_TIME_LEN + 1, "%.19s.%03dZ", secs, (int)(ts.tv_nsec / 1000000));
}

/* Turns every control character of err into a space: an error is one line
 * whatever jansson or a name put in it. */
static void one_line(char *err, size_t errlen)
{
	if (errlen == 0)
		return;
	for (char *p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* A name from outside, fit for an error: sanitised, cut at a character
 * boundary. New. */
static char *shown_name(const char *name)
{
	char *s = sanitize_text(name);
	size_t n = strlen(s);

	if (n > NAME_SHOWN) {
		n = NAME_SHOWN;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		s[n] = '\0';
		s = xreallocarray(s, n + 4, 1);
		memcpy(s + n, "...", 4);
	}
	return s;
}

/* ---- the reader ---- */

/* A path in the draft: "<at>.<key>" or "<key>" at the top. New. */
static char *member_path(const char *at, const char *key)
{
	return at[0] != '\0' ? xasprintf("%s.%s", at, key) : xstrdup(key);
}

enum presence {
	REQUIRED, /* present and of the type */
	NULLABLE, /* absent or null is NULL; otherwise of the type */
};

/* The member key of obj (borrowed) into *out, checked with check (NULL:
 * any JSON). Absent or null is *out = NULL when nullable. */
static int get_member(json_t *obj, const char *at, const char *key, enum presence p,
                      bool (*check)(const json_t *), const char *what, json_t **out, char *err,
                      size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	char *path;
	int rc = 0;

	*out = NULL;
	if (p == NULLABLE && (v == NULL || json_is_null(v)))
		return 0;
	path = member_path(at, key);
	if (v == NULL)
		rc = json_read_fail(err, errlen, path, "missing");
	else if (check != NULL && !check(v))
		rc = json_read_fail(err, errlen, path, "not %s", what);
	else
		*out = v;
	free(path);
	return rc;
}

static bool check_string(const json_t *v)
{
	return json_is_string(v);
}

static bool check_object(const json_t *v)
{
	return json_is_object(v);
}

static bool check_array(const json_t *v)
{
	return json_is_array(v);
}

static bool check_integer(const json_t *v)
{
	return json_is_integer(v);
}

/* A string member copied into *out (new, or NULL when nullable and
 * absent); nonempty refuses "". */
static int get_string(json_t *obj, const char *at, const char *key, enum presence p, bool nonempty,
                      char **out, char *err, size_t errlen)
{
	json_t *v;

	*out = NULL;
	if (get_member(obj, at, key, p, check_string, "a string", &v, err, errlen) != 0)
		return -1;
	if (v == NULL)
		return 0;
	if (nonempty && json_string_length(v) == 0) {
		char *path = member_path(at, key);

		json_read_fail(err, errlen, path, "empty");
		free(path);
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 0;
}

/* A string member that must pass ok, into the fixed buffer out. */
static int get_fixed(json_t *obj, const char *at, const char *key, bool (*ok)(const char *),
                     const char *what, char *out, size_t outlen, char *err, size_t errlen)
{
	json_t *v;
	const char *s;

	if (get_member(obj, at, key, REQUIRED, check_string, "a string", &v, err, errlen) != 0)
		return -1;
	s = json_string_value(v);
	if (!ok(s) || strlen(s) >= outlen) {
		char *path = member_path(at, key);

		json_read_fail(err, errlen, path, "not %s", what);
		free(path);
		return -1;
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static bool ok_uuid(const char *s)
{
	return uuid_is_valid(s);
}

static bool ok_time(const char *s)
{
	return parse_time(s, NULL);
}

static bool ok_hash(const char *s)
{
	return is_hash(s);
}

/* An integer member >= min (nullable: null is -1). */
static int get_count(json_t *obj, const char *at, const char *key, enum presence p, int64_t *out,
                     char *err, size_t errlen)
{
	json_t *v;

	*out = -1;
	if (get_member(obj, at, key, p, check_integer, "an integer", &v, err, errlen) != 0)
		return -1;
	if (v == NULL)
		return 0;
	if (json_integer_value(v) < 0) {
		char *path = member_path(at, key);

		json_read_fail(err, errlen, path, "negative");
		free(path);
		return -1;
	}
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static void site_count_clear(struct draft_site_count *s)
{
	free(s->site);
	free(s->status);
	memset(s, 0, sizeof *s);
}

static void counts_clear(struct draft_counts *c)
{
	for (size_t i = 0; i < c->n_sites; i++)
		site_count_clear(&c->sites[i]);
	free(c->sites);
	memset(c, 0, sizeof *c);
}

static void collection_clear(struct draft_collection *c)
{
	free(c->id);
	free(c->name);
	free(c->provider_id);
	free(c->provider_name);
	memset(c, 0, sizeof *c);
}

static int read_counts(json_t *v, struct draft_counts *c, char *err, size_t errlen)
{
	json_t *sites, *item;
	size_t i;

	c->present = true;
	if (get_count(v, "counts", "subjects", REQUIRED, &c->subjects, err, errlen) != 0 ||
	    get_count(v, "counts", "studies", REQUIRED, &c->studies, err, errlen) != 0 ||
	    get_fixed(v, "counts", "when", ok_time, "an ISO 8601 UTC time", c->when, sizeof c->when,
	              err, errlen) != 0 ||
	    get_member(v, "counts", "sites", REQUIRED, check_array, "an array", &sites, err,
	               errlen) != 0)
		return -1;
	if (json_array_size(sites) > 0)
		c->sites = xcalloc(json_array_size(sites), sizeof *c->sites);
	json_array_foreach (sites, i, item) {
		struct draft_site_count *s = &c->sites[i];
		char at[64];

		snprintf(at, sizeof at, "counts.sites[%zu]", i);
		c->n_sites = i + 1;
		if (!json_is_object(item))
			return json_read_fail(err, errlen, at, "not an object");
		if (get_string(item, at, "site", REQUIRED, true, &s->site, err, errlen) != 0 ||
		    get_count(item, at, "subjects", NULLABLE, &s->subjects, err, errlen) != 0 ||
		    get_count(item, at, "studies", NULLABLE, &s->studies, err, errlen) != 0 ||
		    get_string(item, at, "status", REQUIRED, false, &s->status, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int read_collections(json_t *list, struct draft *d, char *err, size_t errlen)
{
	json_t *item;
	size_t i;

	if (json_array_size(list) > 0)
		d->collections = xcalloc(json_array_size(list), sizeof *d->collections);
	json_array_foreach (list, i, item) {
		struct draft_collection *c = &d->collections[i];
		char at[64], pat[80];
		json_t *provider;

		snprintf(at, sizeof at, "collections[%zu]", i);
		snprintf(pat, sizeof pat, "%s.provider", at);
		d->n_collections = i + 1;
		if (!json_is_object(item))
			return json_read_fail(err, errlen, at, "not an object");
		if (get_string(item, at, "id", REQUIRED, true, &c->id, err, errlen) != 0 ||
		    get_string(item, at, "name", REQUIRED, false, &c->name, err, errlen) != 0 ||
		    get_member(item, at, "provider", REQUIRED, check_object, "an object", &provider,
		               err, errlen) != 0 ||
		    get_string(provider, pat, "id", REQUIRED, false, &c->provider_id, err,
		               errlen) != 0 ||
		    get_string(provider, pat, "name", REQUIRED, false, &c->provider_name, err,
		               errlen) != 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(d->collections[j].id, c->id) == 0) {
				char *name = shown_name(c->id);

				json_read_fail(err, errlen, at,
				               "\"%s\" is already collections[%zu]", name, j);
				free(name);
				return -1;
			}
		}
	}
	return 0;
}

/* The payload: an object of objects with non-empty names. */
static int check_payload(json_t *payload, char *err, size_t errlen)
{
	const char *section, *element;
	json_t *answers, *value;

	json_object_foreach (payload, section, answers) {
		char *name = shown_name(section), *at = xasprintf("payload.%s", name);
		int rc = 0;

		if (section[0] == '\0')
			rc = json_read_fail(err, errlen, "payload", "a section has an empty name");
		else if (!json_is_object(answers))
			rc = json_read_fail(err, errlen, at, "not an object");
		else {
			json_object_foreach (answers, element, value) {
				if (element[0] == '\0') {
					rc = json_read_fail(err, errlen, at,
					                    "an element has an empty name");
					break;
				}
			}
		}
		free(at);
		free(name);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static struct draft *draft_alloc(void)
{
	struct draft *d = xcalloc(1, sizeof *d);

	d->state = DRAFT_EDITING;
	return d;
}

/* Reads doc (borrowed) into a new draft; NULL with err set. */
static struct draft *read_doc(json_t *doc, char *err, size_t errlen)
{
	struct draft *d = draft_alloc();
	json_t *v, *cohort, *counts, *collections;
	char *state = NULL;

	if (!json_is_object(doc)) {
		json_read_fail(err, errlen, "", "not a draft: not a JSON object");
		goto fail;
	}
	if (get_member(doc, "", "version", REQUIRED, check_integer, "an integer", &v, err,
	               errlen) != 0)
		goto fail;
	if (json_integer_value(v) > DRAFT_VERSION) {
		json_read_fail(err, errlen, "version",
		               "%" JSON_INTEGER_FORMAT
		               " is newer than this ecii reads (%d): update ecii",
		               json_integer_value(v), DRAFT_VERSION);
		goto fail;
	}
	if (json_integer_value(v) != DRAFT_VERSION) {
		json_read_fail(err, errlen, "version",
		               "%" JSON_INTEGER_FORMAT " is not a draft version",
		               json_integer_value(v));
		goto fail;
	}
	if (get_fixed(doc, "", "id", ok_uuid, "a UUID", d->id, sizeof d->id, err, errlen) != 0 ||
	    get_string(doc, "", "hub", REQUIRED, true, &d->hub, err, errlen) != 0 ||
	    get_fixed(doc, "", "created", ok_time, "an ISO 8601 UTC time", d->created,
	              sizeof d->created, err, errlen) != 0 ||
	    get_fixed(doc, "", "updated", ok_time, "an ISO 8601 UTC time", d->updated,
	              sizeof d->updated, err, errlen) != 0 ||
	    get_string(doc, "", "state", REQUIRED, false, &state, err, errlen) != 0)
		goto fail;
	if (draft_state_parse(state, &d->state) != 0) {
		char *name = shown_name(state);

		json_read_fail(err, errlen, "state",
		               "\"%s\" is not EDITING, SUBMITTING or SUBMITTED", name);
		free(name);
		goto fail;
	}
	if (get_fixed(doc, "", "idempotencyKey", ok_uuid, "a UUID", d->idempotency_key,
	              sizeof d->idempotency_key, err, errlen) != 0 ||
	    get_string(doc, "", "requestId", NULLABLE, true, &d->request_id, err, errlen) != 0 ||
	    get_string(doc, "", "negotiationId", NULLABLE, true, &d->negotiation_id, err, errlen) !=
	        0 ||
	    get_string(doc, "", "error", NULLABLE, false, &d->error, err, errlen) != 0)
		goto fail;
	if (d->state == DRAFT_SUBMITTED && d->negotiation_id == NULL) {
		json_read_fail(err, errlen, "negotiationId", "missing, and the state is SUBMITTED");
		goto fail;
	}
	if (get_member(doc, "", "cohort", REQUIRED, check_object, "an object", &cohort, err,
	               errlen) != 0 ||
	    get_string(cohort, "cohort", "text", REQUIRED, false, &d->cohort_text, err, errlen) !=
	        0 ||
	    get_fixed(cohort, "cohort", "hash", ok_hash, "64 lower-case hex digits", d->cohort_hash,
	              sizeof d->cohort_hash, err, errlen) != 0 ||
	    get_member(cohort, "cohort", "ast", REQUIRED, check_object, "an object", &v, err,
	               errlen) != 0)
		goto fail;
	d->cohort_ast = json_incref(v);
	if (get_member(doc, "", "counts", NULLABLE, check_object, "an object", &counts, err,
	               errlen) != 0 ||
	    (counts != NULL && read_counts(counts, &d->counts, err, errlen) != 0))
		goto fail;
	if (get_member(doc, "", "collections", REQUIRED, check_array, "an array", &collections, err,
	               errlen) != 0 ||
	    read_collections(collections, d, err, errlen) != 0)
		goto fail;
	if (get_member(doc, "", "payload", REQUIRED, check_object, "an object", &v, err, errlen) !=
	        0 ||
	    check_payload(v, err, errlen) != 0)
		goto fail;
	d->payload = json_incref(v);
	free(state);
	return d;
fail:
	free(state);
	draft_free(&d);
	return NULL;
}

struct draft *draft_read_text(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	struct draft *d;
	json_t *doc;

	if (text == NULL) {
		snprintf(err, errlen, "no draft text");
		return NULL;
	}
	if (len > DRAFT_FILE_MAX) {
		snprintf(err, errlen, "larger than %d MiB: not a draft", DRAFT_FILE_MAX >> 20);
		return NULL;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		snprintf(err, errlen, "not JSON: line %d, column %d: %s", jerr.line, jerr.column,
		         jerr.text);
		one_line(err, errlen);
		return NULL;
	}
	d = read_doc(doc, err, errlen);
	json_decref(doc);
	if (d == NULL)
		one_line(err, errlen);
	return d;
}

/* ---- the writer ---- */

/* Sets key of obj to the string s (NULL: JSON null); false, with err
 * naming path, when s is not UTF-8. */
static bool put_string(json_t *obj, const char *at, const char *key, const char *s, char *err,
                       size_t errlen)
{
	json_t *v = s != NULL ? json_string(s) : json_null();

	if (v == NULL) {
		char *path = member_path(at, key);

		json_read_fail(err, errlen, path, "not valid UTF-8");
		free(path);
		return false;
	}
	json_object_set_new(obj, key, v);
	return true;
}

/* A count, -1 (no count) as null; any other negative is written as it is
 * for the reader to refuse. */
static json_t *count_json(int64_t n)
{
	return n != -1 ? json_integer((json_int_t)n) : json_null();
}

/* The draft as JSON without any check but UTF-8. New, or NULL. */
static json_t *build_doc(const struct draft *d, char *err, size_t errlen)
{
	json_t *doc = json_object(), *cohort = json_object(), *list = json_array();
	const char *state = draft_state_name(d->state);

	json_object_set_new(doc, "version", json_integer(DRAFT_VERSION));
	if (!put_string(doc, "", "id", d->id, err, errlen) ||
	    !put_string(doc, "", "hub", d->hub, err, errlen) ||
	    !put_string(doc, "", "created", d->created, err, errlen) ||
	    !put_string(doc, "", "updated", d->updated, err, errlen) ||
	    !put_string(doc, "", "state", state != NULL ? state : "?", err, errlen) ||
	    !put_string(doc, "", "idempotencyKey", d->idempotency_key, err, errlen) ||
	    !put_string(doc, "", "requestId", d->request_id, err, errlen) ||
	    !put_string(doc, "", "negotiationId", d->negotiation_id, err, errlen) ||
	    !put_string(doc, "", "error", d->error, err, errlen))
		goto fail;
	json_object_set(doc, "cohort", cohort);
	if (!put_string(cohort, "cohort", "text", d->cohort_text, err, errlen) ||
	    !put_string(cohort, "cohort", "hash", d->cohort_hash, err, errlen))
		goto fail;
	json_object_set_new(cohort, "ast",
	                    d->cohort_ast != NULL ? json_deep_copy(d->cohort_ast) : json_null());
	if (d->counts.present) {
		json_t *counts = json_object(), *sites = json_array();

		json_object_set_new(doc, "counts", counts);
		json_object_set_new(counts, "subjects", count_json(d->counts.subjects));
		json_object_set_new(counts, "studies", count_json(d->counts.studies));
		json_object_set_new(counts, "sites", sites);
		if (!put_string(counts, "counts", "when", d->counts.when, err, errlen))
			goto fail;
		for (size_t i = 0; i < d->counts.n_sites; i++) {
			const struct draft_site_count *s = &d->counts.sites[i];
			json_t *site = json_object();
			char at[64];

			snprintf(at, sizeof at, "counts.sites[%zu]", i);
			json_array_append_new(sites, site);
			if (!put_string(site, at, "site", s->site, err, errlen))
				goto fail;
			json_object_set_new(site, "subjects", count_json(s->subjects));
			json_object_set_new(site, "studies", count_json(s->studies));
			if (!put_string(site, at, "status", s->status, err, errlen))
				goto fail;
		}
	} else {
		json_object_set_new(doc, "counts", json_null());
	}
	json_object_set(doc, "collections", list);
	for (size_t i = 0; i < d->n_collections; i++) {
		const struct draft_collection *c = &d->collections[i];
		json_t *item = json_object(), *provider = json_object();
		char at[64], pat[80];

		snprintf(at, sizeof at, "collections[%zu]", i);
		snprintf(pat, sizeof pat, "%s.provider", at);
		json_array_append_new(list, item);
		if (!put_string(item, at, "id", c->id, err, errlen) ||
		    !put_string(item, at, "name", c->name, err, errlen)) {
			json_decref(provider);
			goto fail;
		}
		json_object_set_new(item, "provider", provider);
		if (!put_string(provider, pat, "id", c->provider_id, err, errlen) ||
		    !put_string(provider, pat, "name", c->provider_name, err, errlen))
			goto fail;
	}
	json_object_set_new(doc, "payload",
	                    d->payload != NULL ? json_deep_copy(d->payload) : json_null());
	json_decref(cohort);
	json_decref(list);
	return doc;
fail:
	json_decref(cohort);
	json_decref(list);
	json_decref(doc);
	return NULL;
}

json_t *draft_to_json(const struct draft *d, char *err, size_t errlen)
{
	json_t *doc = build_doc(d, err, errlen);
	struct draft *check;

	if (doc == NULL)
		return NULL;
	/* What is handed out is what the reader takes, member for member. */
	check = read_doc(doc, err, errlen);
	if (check == NULL) {
		one_line(err, errlen);
		json_decref(doc);
		return NULL;
	}
	draft_free(&check);
	return doc;
}

/* ---- making and changing drafts ---- */

struct draft *draft_new(const char *hub, const char *cohort_text, json_t *cohort_ast,
                        const char *cohort_hash, char *err, size_t errlen)
{
	struct draft *d;

	if (hub == NULL || hub[0] == '\0') {
		snprintf(err, errlen, "a draft needs the hub's URL");
		return NULL;
	}
	if (cohort_text == NULL) {
		snprintf(err, errlen, "a draft needs the cohort's text");
		return NULL;
	}
	if (!json_is_object(cohort_ast)) {
		snprintf(err, errlen, "a draft needs the cohort's AST as a JSON object");
		return NULL;
	}
	if (cohort_hash == NULL || !is_hash(cohort_hash)) {
		snprintf(err, errlen, "the cohort's hash is not 64 lower-case hex digits");
		return NULL;
	}
	d = draft_alloc();
	if (uuid_v4(d->id) != 0 || uuid_v4(d->idempotency_key) != 0) {
		snprintf(err, errlen, "cannot make a draft id: %s", strerror(errno));
		draft_free(&d);
		return NULL;
	}
	d->hub = xstrdup(hub);
	now_iso(d->created);
	memcpy(d->updated, d->created, sizeof d->updated);
	d->cohort_text = xstrdup(cohort_text);
	d->cohort_ast = json_deep_copy(cohort_ast);
	memcpy(d->cohort_hash, cohort_hash, sizeof d->cohort_hash);
	d->payload = json_object();
	return d;
}

void draft_free(struct draft **dp)
{
	struct draft *d;

	if (dp == NULL || *dp == NULL)
		return;
	d = *dp;
	free(d->hub);
	free(d->cohort_text);
	json_decref(d->cohort_ast);
	counts_clear(&d->counts);
	for (size_t i = 0; i < d->n_collections; i++)
		collection_clear(&d->collections[i]);
	free(d->collections);
	json_decref(d->payload);
	free(d->request_id);
	free(d->negotiation_id);
	free(d->error);
	free(d);
	*dp = NULL;
}

int draft_set_counts(struct draft *d, int64_t subjects, int64_t studies, const char *when,
                     char *err, size_t errlen)
{
	char now[DRAFT_TIME_LEN + 1];

	if (subjects < 0 || studies < 0) {
		snprintf(err, errlen, "a count cannot be negative");
		return -1;
	}
	if (when == NULL) {
		now_iso(now);
		when = now;
	} else if (!parse_time(when, NULL)) {
		snprintf(err, errlen, "the time of the counts is not ISO 8601 UTC");
		return -1;
	}
	counts_clear(&d->counts);
	d->counts.present = true;
	d->counts.subjects = subjects;
	d->counts.studies = studies;
	memcpy(d->counts.when, when, strlen(when) + 1);
	return 0;
}

int draft_add_site_count(struct draft *d, const char *site, int64_t subjects, int64_t studies,
                         const char *status, char *err, size_t errlen)
{
	struct draft_site_count *s;

	if (!d->counts.present) {
		snprintf(err, errlen, "set the counts before a site's");
		return -1;
	}
	if (site == NULL || site[0] == '\0' || status == NULL) {
		snprintf(err, errlen, "a site's count needs the site and a status");
		return -1;
	}
	if (subjects < -1 || studies < -1) {
		snprintf(err, errlen, "a count cannot be negative");
		return -1;
	}
	d->counts.sites = xreallocarray(d->counts.sites, d->counts.n_sites + 1, sizeof *s);
	s = &d->counts.sites[d->counts.n_sites++];
	s->site = xstrdup(site);
	s->subjects = subjects;
	s->studies = studies;
	s->status = xstrdup(status);
	return 0;
}

int draft_add_collection(struct draft *d, const char *id, const char *name, const char *provider_id,
                         const char *provider_name, char *err, size_t errlen)
{
	struct draft_collection *c;

	if (id == NULL || id[0] == '\0' || name == NULL || provider_id == NULL ||
	    provider_name == NULL) {
		snprintf(err, errlen, "a collection needs an id, a name and its provider");
		return -1;
	}
	for (size_t i = 0; i < d->n_collections; i++) {
		if (strcmp(d->collections[i].id, id) == 0) {
			snprintf(err, errlen, "that collection is already chosen");
			return -1;
		}
	}
	d->collections = xreallocarray(d->collections, d->n_collections + 1, sizeof *c);
	c = &d->collections[d->n_collections++];
	c->id = xstrdup(id);
	c->name = xstrdup(name);
	c->provider_id = xstrdup(provider_id);
	c->provider_name = xstrdup(provider_name);
	return 0;
}

int draft_remove_collection(struct draft *d, const char *id)
{
	for (size_t i = 0; id != NULL && i < d->n_collections; i++) {
		if (strcmp(d->collections[i].id, id) != 0)
			continue;
		collection_clear(&d->collections[i]);
		memmove(&d->collections[i], &d->collections[i + 1],
		        (d->n_collections - i - 1) * sizeof *d->collections);
		d->n_collections--;
		return 0;
	}
	return -1;
}

int draft_set_answer(struct draft *d, const char *section, const char *element, json_t *value)
{
	json_t *answers;

	if (section == NULL || section[0] == '\0' || element == NULL || element[0] == '\0')
		return -1;
	if (d->payload == NULL)
		d->payload = json_object();
	answers = json_object_get(d->payload, section);
	if (value == NULL) {
		if (answers != NULL) {
			json_object_del(answers, element);
			if (json_object_size(answers) == 0)
				json_object_del(d->payload, section);
		}
		return 0;
	}
	if (!json_is_object(answers)) {
		answers = json_object();
		json_object_set_new(d->payload, section, answers);
	}
	json_object_set_new(answers, element, json_deep_copy(value));
	return 0;
}

json_t *draft_answer(const struct draft *d, const char *section, const char *element)
{
	json_t *answers;

	if (section == NULL || element == NULL || d->payload == NULL)
		return NULL;
	answers = json_object_get(d->payload, section);
	return json_is_object(answers) ? json_object_get(answers, element) : NULL;
}

static void set_text(char **field, const char *value)
{
	char *copy = value != NULL ? xstrdup(value) : NULL;

	free(*field);
	*field = copy;
}

void draft_set_request(struct draft *d, const char *request_id)
{
	set_text(&d->request_id, request_id);
}

void draft_set_error(struct draft *d, const char *error)
{
	set_text(&d->error, error);
}

int draft_submit_begin(struct draft *d)
{
	if (d->state == DRAFT_SUBMITTED)
		return -1;
	if (d->state == DRAFT_EDITING)
		set_text(&d->error, NULL);
	d->state = DRAFT_SUBMITTING;
	return 0;
}

int draft_submit_done(struct draft *d, const char *negotiation_id)
{
	if (d->state != DRAFT_SUBMITTING || negotiation_id == NULL || negotiation_id[0] == '\0')
		return -1;
	set_text(&d->negotiation_id, negotiation_id);
	set_text(&d->error, NULL);
	d->state = DRAFT_SUBMITTED;
	return 0;
}

int draft_submit_refused(struct draft *d, const char *error)
{
	char key[UUID_TEXT_LEN + 1];

	if (d->state != DRAFT_SUBMITTING || uuid_v4(key) != 0)
		return -1;
	memcpy(d->idempotency_key, key, sizeof key);
	set_text(&d->error, error);
	d->state = DRAFT_EDITING;
	return 0;
}

/* ---- files ---- */

static char *draft_path(const char *dir, const char *id)
{
	return xasprintf("%s/%s" DRAFT_SUFFIX, dir, id);
}

/* Syncs the directory so a rename or unlink in it survives a power cut;
 * file systems that cannot sync a directory (EINVAL) are taken as done. */
static int sync_dir(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL)) {
		snprintf(err, errlen, "cannot sync %s: %s", dir, strerror(errno));
		rc = -1;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int draft_save(struct draft *d, char *err, size_t errlen)
{
	char before[DRAFT_TIME_LEN + 1], *text = NULL, *dir = NULL, *tmp = NULL, *path = NULL;
	struct draft *check;
	json_t *doc;
	size_t len;
	int rc = -1;

	memcpy(before, d->updated, sizeof before);
	now_iso(d->updated);
	doc = draft_to_json(d, err, errlen);
	if (doc == NULL)
		goto out;
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (text == NULL) {
		snprintf(err, errlen, "cannot write the draft as JSON");
		goto out;
	}
	len = strlen(text);
	if (len + 1 > DRAFT_FILE_MAX) {
		snprintf(err, errlen, "the draft is larger than %d MiB", DRAFT_FILE_MAX >> 20);
		goto out;
	}
	text[len++] = '\n'; /* json_dumps's NUL becomes the last line's end */
	/* The text itself must load: jansson nests no deeper on reading than
	 * it may write. */
	check = draft_read_text(text, len, err, errlen);
	if (check == NULL)
		goto out;
	draft_free(&check);
	dir = draft_dir(err, errlen);
	if (dir == NULL || xdg_make_dirs(dir, err, errlen) != 0)
		goto out;
	tmp = xdg_write_temp(dir, d->id, text, len, err, errlen);
	if (tmp == NULL)
		goto out;
	path = draft_path(dir, d->id);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot save %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	generation++;
	if (sync_dir(dir, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		memcpy(d->updated, before, sizeof before);
	free(path);
	free(tmp);
	free(dir);
	free(text);
	return rc;
}

/* Reads the file at path, at most DRAFT_FILE_MAX bytes, into new memory;
 * NULL with err set (naming path). */
static char *read_limited(const char *path, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	size_t cap = 0, got = 0;
	char *data = NULL;
	struct stat st;

	if (fd < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "%s: no such draft", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size > DRAFT_FILE_MAX)
		goto too_big;
	cap = (size_t)st.st_size + 1;
	data = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (got == cap) {
			if (cap > DRAFT_FILE_MAX)
				goto too_big; /* it grew while being read */
			cap = cap * 2 > DRAFT_FILE_MAX + 1 ? DRAFT_FILE_MAX + 1 : cap * 2;
			data = xreallocarray(data, cap + 1, 1);
		}
		r = read(fd, data + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > DRAFT_FILE_MAX)
		goto too_big;
	close(fd);
	data[got] = '\0';
	*len = got;
	return data;
too_big:
	snprintf(err, errlen, "%s: larger than %d MiB: not a draft", path, DRAFT_FILE_MAX >> 20);
fail:
	free(data);
	close(fd);
	return NULL;
}

struct draft *draft_load(const char *id, char *err, size_t errlen)
{
	char *dir, *path, *text, why[512];
	struct draft *d = NULL;
	size_t len;

	if (!uuid_is_valid(id)) {
		snprintf(err, errlen, "not a draft id (a UUID)");
		return NULL;
	}
	dir = draft_dir(err, errlen);
	if (dir == NULL)
		return NULL;
	path = draft_path(dir, id);
	text = read_limited(path, &len, err, errlen);
	if (text == NULL)
		goto out;
	d = draft_read_text(text, len, why, sizeof why);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
	} else if (strcmp(d->id, id) != 0) {
		snprintf(err, errlen, "%s: id: %s is not the file's name", path, d->id);
		draft_free(&d);
	}
out:
	if (d == NULL)
		one_line(err, errlen);
	free(text);
	free(path);
	free(dir);
	return d;
}

int draft_remove(const char *id, char *err, size_t errlen)
{
	char *dir, *path;
	int rc = -1;

	if (!uuid_is_valid(id)) {
		snprintf(err, errlen, "not a draft id (a UUID)");
		return -1;
	}
	dir = draft_dir(err, errlen);
	if (dir == NULL)
		return -1;
	path = draft_path(dir, id);
	if (unlink(path) != 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "%s: no such draft", path);
		else
			snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		goto out;
	}
	generation++;
	if (sync_dir(dir, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	free(path);
	free(dir);
	return rc;
}

/* Newest first: "updated", then "created", then id. */
static int compare_drafts(const void *a, const void *b)
{
	const struct draft *x = *(const struct draft *const *)a,
	                   *y = *(const struct draft *const *)b;
	int64_t tx = 0, ty = 0;

	parse_time(x->updated, &tx);
	parse_time(y->updated, &ty);
	if (tx != ty)
		return tx > ty ? -1 : 1;
	parse_time(x->created, &tx);
	parse_time(y->created, &ty);
	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Whether a directory entry is named like a draft: "<uuid>.json". The id
 * goes into id. */
static bool draft_name(const char *name, char id[UUID_TEXT_LEN + 1])
{
	size_t len = strlen(name), sl = strlen(DRAFT_SUFFIX);

	if (len != UUID_TEXT_LEN + sl || strcmp(name + UUID_TEXT_LEN, DRAFT_SUFFIX) != 0)
		return false;
	memcpy(id, name, UUID_TEXT_LEN);
	id[UUID_TEXT_LEN] = '\0';
	return uuid_is_valid(id);
}

int draft_list(struct draft_list *out, char *err, size_t errlen)
{
	char *dir = draft_dir(err, errlen);
	struct dirent *e;
	DIR *dh;

	memset(out, 0, sizeof *out);
	if (dir == NULL)
		return -1;
	dh = opendir(dir);
	if (dh == NULL) {
		int saved = errno;

		if (saved != ENOENT)
			snprintf(err, errlen, "cannot read %s: %s", dir, strerror(saved));
		free(dir);
		return saved == ENOENT ? 0 : -1;
	}
	while ((e = readdir(dh)) != NULL) {
		char id[UUID_TEXT_LEN + 1], why[1024];
		struct draft *d;

		if (!draft_name(e->d_name, id))
			continue;
		d = draft_load(id, why, sizeof why);
		if (d == NULL) {
			out->problems = xreallocarray(out->problems, out->n_problems + 1,
			                              sizeof *out->problems);
			out->problems[out->n_problems++] = xstrdup(why);
			continue;
		}
		out->items = xreallocarray(out->items, out->n + 1, sizeof *out->items);
		out->items[out->n++] = d;
	}
	closedir(dh);
	free(dir);
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, compare_drafts);
	return 0;
}

void draft_list_clear(struct draft_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		draft_free(&l->items[i]);
	free(l->items);
	for (size_t i = 0; i < l->n_problems; i++)
		free(l->problems[i]);
	free(l->problems);
	memset(l, 0, sizeof *l);
}
