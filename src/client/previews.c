/* Previews from the site stores or the hub, and the hub's ones cached as
 * whole files. A cache file is the media type and ETag on a line each
 * behind a magic line, then the bytes: one file per preview, so a write is
 * one rename and a reader never sees half of one. */
#include "config.h"

#include "client/previews.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/hub_store.h"
#include "store/site_store.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/xdg.h"
#include "util/xmalloc.h"

#define CACHE_SUFFIX   ".preview"
#define FETCH_CONNECT  3000
#define FETCH_TIMEOUT  60000
#define ACCEPT_PREVIEW "application/dicom, image/png"

/* ---- the cache ---- */

static int check_id(const char *id, char *err, size_t errlen)
{
	if (hub_preview_id_valid(id))
		return 0;
	snprintf(err, errlen, "not a preview id (1 to %d of A-Z a-z 0-9 . _ -)",
	         HUB_PREVIEW_ID_MAX);
	return -1;
}

int preview_cache_load(const char *dir, const char *id, struct preview_bytes *out, char **etag,
                       char *err, size_t errlen)
{
	char *path, *data, *tag = NULL;
	size_t len;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (etag != NULL)
		*etag = NULL;
	if (check_id(id, err, errlen) < 0)
		return -1;
	if (dir == NULL)
		return 0;
	path = xasprintf("%s/%s" CACHE_SUFFIX, dir, id);
	data = file_read_all(path, &len);
	if (data != NULL && preview_cache_parse(data, len, out, &tag) == 0) {
		rc = 1;
		utimensat(AT_FDCWD, path, NULL, 0); /* used now: evicted last */
		if (etag != NULL)
			*etag = tag;
		else
			free(tag);
	}
	free(data);
	free(path);
	return rc;
}

void preview_cache_drop(const char *dir, const char *id)
{
	char *path;

	if (dir == NULL || !hub_preview_id_valid(id))
		return;
	path = xasprintf("%s/%s" CACHE_SUFFIX, dir, id);
	unlink(path);
	free(path);
}

struct cached_file {
	char *name;
	off_t size;
	struct timespec used;
};

static int older_first(const void *a, const void *b)
{
	const struct cached_file *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Removes the least recently used cache files of dir, never keep (a file
 * name), until the rest hold at most max bytes. */
static void cache_trim(const char *dir, const char *keep, size_t max)
{
	struct cached_file *files = NULL;
	size_t n = 0, total = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name), sl = strlen(CACHE_SUFFIX);
		struct stat st;
		char *path;

		if (e->d_name[0] == '.' || nl <= sl ||
		    strcmp(e->d_name + nl - sl, CACHE_SUFFIX) != 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			files = xreallocarray(files, n + 1, sizeof *files);
			files[n++] =
			    (struct cached_file){ xstrdup(e->d_name), st.st_size, st.st_mtim };
			total += (size_t)st.st_size;
		}
		free(path);
	}
	closedir(d);
	qsort(files, n, sizeof *files, older_first);
	for (size_t i = 0; i < n && total > max; i++) {
		char *path;

		if (strcmp(files[i].name, keep) == 0)
			continue;
		path = xasprintf("%s/%s", dir, files[i].name);
		if (unlink(path) == 0)
			total -= (size_t)files[i].size;
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
}

int preview_cache_store(const char *dir, const char *id, const char *etag,
                        const struct preview_bytes *b, size_t max_total, char *err, size_t errlen)
{
	struct buf file = { 0 };
	char *tmp, *path, *name;
	int rc = -1;

	if (check_id(id, err, errlen) < 0)
		return -1;
	if (etag == NULL)
		etag = "";
	if (!hub_preview_type_valid(b->media_type) || strlen(etag) > PREVIEW_ETAG_MAX ||
	    strpbrk(etag, "\r\n") != NULL) {
		snprintf(err, errlen, "preview %s: not a media type and ETag to cache", id);
		return -1;
	}
	if (xdg_make_dirs(dir, err, errlen) < 0)
		return -1;
	buf_printf(&file, PREVIEW_CACHE_MAGIC "%s\n%s\n", b->media_type, etag);
	if (b->len > 0)
		buf_append(&file, (const char *)b->data, b->len);
	tmp = xdg_write_temp(dir, id, file.data, file.len, err, errlen);
	buf_free(&file);
	if (tmp == NULL)
		return -1;
	name = xasprintf("%s" CACHE_SUFFIX, id);
	path = xasprintf("%s/%s", dir, name);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	} else {
		cache_trim(dir, name, max_total > 0 ? max_total : PREVIEW_CACHE_MAX);
		rc = 0;
	}
	free(name);
	free(path);
	free(tmp);
	return rc;
}

/* ---- fetching ---- */

struct preview_fetch {
	struct http_multi *net;
	struct http_transfer *t;
	char *dir; /* the cache, or NULL */
	size_t cache_max;
	char *id;
	preview_done_fn done;
	void *ctx;
};

static void fetch_free(struct preview_fetch *p)
{
	free(p->dir);
	free(p->id);
	free(p);
}

/* Local mode: the first site store that holds id. 0 with *out filled, or
 * -1 with err set. */
static int local_preview(struct local_fed *local, const char *id, struct preview_bytes *out,
                         char *err, size_t errlen)
{
	for (size_t i = 0; i < local->n_sites; i++) {
		struct site_store *s = site_store_open(local->sites[i].path, false, err, errlen);
		struct site_preview p;
		int found;

		if (s == NULL)
			return -1;
		found = site_store_read_preview(s, id, &p, err, errlen);
		site_store_close(&s);
		if (found < 0)
			return -1;
		if (found == 0)
			continue;
		snprintf(out->media_type, sizeof out->media_type, "%s", p.media_type);
		out->data = p.bytes;
		out->len = p.len;
		p.bytes = NULL;
		site_preview_clear(&p);
		return 0;
	}
	snprintf(err, errlen, "no site store holds preview %s", id);
	return -1;
}

/* The media type of a Content-Type value, if a preview may have it. */
static bool reply_type(const char *value, char out[64])
{
	size_t n;

	if (value == NULL)
		return false;
	n = strcspn(value, "; \t");
	if (n == 0 || n >= 64)
		return false;
	memcpy(out, value, n);
	out[n] = '\0';
	for (char *c = out; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return hub_preview_type_valid(out);
}

/* true unless etag is a quoted SHA-256 hex that the bytes do not have. */
static bool etag_fits(const char *etag, const void *data, size_t len)
{
	char sha[2 * HASH_SHA256_LEN + 1];

	if (etag == NULL || strlen(etag) != 2 * HASH_SHA256_LEN + 2 || etag[0] != '"' ||
	    strspn(etag + 1, "0123456789abcdef") != 2 * HASH_SHA256_LEN)
		return true;
	hash_sha256_hex(len > 0 ? data : "", len, sha);
	return strncmp(etag + 1, sha, 2 * HASH_SHA256_LEN) == 0;
}

/* Calls done with the cached copy and the note "offline copy: why", or
 * with the error why when nothing is cached. */
static void done_offline(struct preview_fetch *p, const char *why)
{
	struct preview_bytes b;
	char err[256], *note;

	if (preview_cache_load(p->dir, p->id, &b, NULL, err, sizeof err) == 1) {
		note = xasprintf("offline copy: %s", why);
		p->done(p->ctx, &b, note);
		free(note);
		preview_bytes_clear(&b);
	} else {
		p->done(p->ctx, NULL, why);
	}
}

static void fetched(const struct http_result *res, void *arg)
{
	struct preview_fetch *p = arg;
	struct preview_bytes b = { 0 };
	char err[512], *why = NULL;

	p->t = NULL;
	if (res->error != NULL) {
		done_offline(p, res->error);
	} else if (res->status == 304) {
		if (preview_cache_load(p->dir, p->id, &b, NULL, err, sizeof err) == 1)
			p->done(p->ctx, &b, NULL);
		else
			p->done(p->ctx, NULL,
			        "the hub says the cached copy is current, but it is gone");
	} else if (res->status == 404) {
		/* withdrawn: the cached copy must not outlive it */
		preview_cache_drop(p->dir, p->id);
		why = xasprintf("the hub has no preview %s", p->id);
		p->done(p->ctx, NULL, why);
	} else if (res->status != 200) {
		why = xasprintf("GET preview %s: HTTP %ld", p->id, res->status);
		done_offline(p, why);
	} else if (!reply_type(res->content_type, b.media_type)) {
		why = xasprintf("preview %s: the hub sent it as %s", p->id,
		                res->content_type != NULL ? "another media type" : "no media type");
		p->done(p->ctx, NULL, why);
	} else if (!etag_fits(res->etag, res->body, res->len)) {
		why = xasprintf("preview %s: the bytes do not match their ETag", p->id);
		p->done(p->ctx, NULL, why);
	} else {
		b.data = (unsigned char *)(uintptr_t)res->body; /* borrowed for the call */
		b.len = res->len;
		/* a cache that cannot be written only costs the offline copy */
		if (p->dir != NULL)
			preview_cache_store(p->dir, p->id, res->etag, &b, p->cache_max, err,
			                    sizeof err);
		p->done(p->ctx, &b, NULL);
		b.data = NULL;
	}
	preview_bytes_clear(&b);
	free(why);
	fetch_free(p);
}

struct preview_fetch *federation_preview_fetch(struct federation *f, struct http_multi *net,
                                               const char *id, preview_done_fn done, void *ctx)
{
	struct preview_fetch *p;
	struct preview_bytes b = { 0 };
	char err[512], *etag = NULL, *url;
	struct http_request req = { 0 };

	if (check_id(id, err, sizeof err) < 0) {
		done(ctx, NULL, err);
		return NULL;
	}
	if (f->local != NULL) {
		if (local_preview(f->local, id, &b, err, sizeof err) == 0)
			done(ctx, &b, NULL);
		else
			done(ctx, NULL, err);
		preview_bytes_clear(&b);
		return NULL;
	}
	if (f->hub == NULL || net == NULL) {
		done(ctx, NULL, "no hub to fetch the preview from");
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->net = net;
	p->dir = f->preview_dir != NULL ? xstrdup(f->preview_dir) : NULL;
	p->cache_max = f->preview_cache_max;
	p->id = xstrdup(id);
	p->done = done;
	p->ctx = ctx;
	if (preview_cache_load(p->dir, id, &b, &etag, err, sizeof err) == 1 && etag[0] == '\0') {
		free(etag);
		etag = NULL;
	}
	preview_bytes_clear(&b);
	url = xasprintf("%s/api/catalogue/previews/%s", f->hub, id);
	req.method = "GET";
	req.url = url;
	req.accept = ACCEPT_PREVIEW;
	req.if_none_match = etag;
	req.connect_ms = FETCH_CONNECT;
	req.timeout_ms = FETCH_TIMEOUT;
	req.max_body = HUB_PREVIEW_MAX;
	p->t = http_multi_start(net, &req, NULL, fetched, p, err, sizeof err);
	free(url);
	free(etag);
	if (p->t == NULL) {
		done(ctx, NULL, err);
		fetch_free(p);
		return NULL;
	}
	return p;
}

void preview_fetch_cancel(struct preview_fetch **pp)
{
	struct preview_fetch *p = pp != NULL ? *pp : NULL;

	if (p == NULL)
		return;
	http_multi_cancel(p->net, p->t);
	fetch_free(p);
	*pp = NULL;
}

/* What the blocking call waits for. */
struct waiter {
	bool done;
	struct preview_bytes *out;
	char *err;
	size_t errlen;
	int rc;
};

static void waited(void *ctx, const struct preview_bytes *b, const char *error)
{
	struct waiter *w = ctx;

	w->done = true;
	snprintf(w->err, w->errlen, "%s", error != NULL ? error : "");
	if (b == NULL) {
		w->rc = -1;
		return;
	}
	memcpy(w->out->media_type, b->media_type, sizeof w->out->media_type);
	w->out->len = b->len;
	if (b->len > 0) {
		w->out->data = xmalloc(b->len);
		memcpy(w->out->data, b->data, b->len);
	}
	w->rc = 0;
}

int federation_preview(struct federation *f, const char *id, struct preview_bytes *out, char *err,
                       size_t errlen)
{
	struct waiter w = { false, out, err, errlen, -1 };
	struct http_multi *net = f->local == NULL ? http_multi_new() : NULL;
	struct preview_fetch *p;

	memset(out, 0, sizeof *out);
	p = federation_preview_fetch(f, net, id, waited, &w);
	while (p != NULL && !w.done) {
		if (http_multi_wait(net, NULL, 0, -1) < 0) {
			preview_fetch_cancel(&p);
			snprintf(err, errlen, "cannot wait for the hub");
			w.rc = -1;
			break;
		}
	}
	http_multi_free(&net);
	return w.rc;
}
