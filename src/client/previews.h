/* A collection's previews (PROTOCOL.md §5 "previews": [{id,title,media_type}])
 * as ecii gets them: in local mode from the site store holding them, with a
 * hub through GET /api/catalogue/previews/{id} and a cache of whole files
 * beside the catalogue cache (~/.cache/ecii/previews/<id>.preview), fetched
 * again only when the hub's ETag changed and shown from the cache when the
 * hub cannot be reached. Preview ids come from outside: they are checked
 * (hub_preview_id_valid) before they reach a URL or a file name. It never
 * decodes the bytes (src/img does) and never prints. */
#ifndef ECII_CLIENT_PREVIEWS_H
#define ECII_CLIENT_PREVIEWS_H

#include <stdbool.h>
#include <stddef.h>

#include "client/federation.h"
#include "net/http_multi.h"

#define PREVIEW_CACHE_MAX   (64 * 1024 * 1024) /* the cache is cut below this, oldest first */
#define PREVIEW_CACHE_MAGIC "ecii-preview 1\n" /* a cache file's first line */
#define PREVIEW_ETAG_MAX    200                /* the longest ETag a cache file keeps */

struct preview_bytes {
	unsigned char *data; /* new; NULL when len is 0 */
	size_t len;
	char media_type[64]; /* "application/dicom" or "image/png" */
};

/* Frees b's data and zeroes it; NULL accepted. */
void preview_bytes_clear(struct preview_bytes *b);

/* Blocking: local mode reads the site store holding it; hub mode returns
 * the cached copy after a conditional GET (If-None-Match with the cached
 * ETag; 304: the cached copy), or the fresh bytes, cached whole (temporary
 * file and rename); when the hub cannot be reached the cached copy is
 * returned with a note in err ("offline copy: cannot reach ..."), else err
 * is "". Returns 0 with *out filled (data new), or -1 with a one-line err
 * (a bad id, no such preview, the hub unreachable and nothing cached). */
int federation_preview(struct federation *f, const char *id, struct preview_bytes *out, char *err,
                       size_t errlen);

struct preview_fetch;
/* b (borrowed for the call; copy what you keep) is NULL on failure, when
 * error says why; with b, error is NULL or the offline note above. */
typedef void (*preview_done_fn)(void *ctx, const struct preview_bytes *b, const char *error);

/* Non-blocking, for the explorer's event loop: hub mode starts the GET on
 * net (borrowed; must outlive the fetch) and calls done(ctx, ...) from
 * http_multi_wait(); local mode (and a bad id) calls done before
 * returning. Returns the handle (valid until done is called), or NULL when
 * done was called already. */
struct preview_fetch *federation_preview_fetch(struct federation *f, struct http_multi *net,
                                               const char *id, preview_done_fn done, void *ctx);
/* Cancels *p (done is then never called), frees it and clears *p; NULL or
 * *p NULL is a no-op. */
void preview_fetch_cancel(struct preview_fetch **p);

/* ---- the cache, a directory of "<id>.preview" files ---- */

/* Parses a cache file's len bytes at data (PREVIEW_CACHE_MAGIC, the media
 * type and the ETag, a printable line each, then the bytes). Returns 0 with
 * *out (data new) and *etag (new) set, or -1 with both empty when it is not
 * such a file. Pure C (client/preview_file.c), so it can be fuzzed alone. */
int preview_cache_parse(const void *data, size_t len, struct preview_bytes *out, char **etag);
/* Reads id's cached copy from dir (borrowed) and marks it used. Returns 1
 * with *out and *etag (new; etag may be NULL: not wanted) set, 0 when there
 * is none (or it is unreadable), -1 with err set for a bad id. */
int preview_cache_load(const char *dir, const char *id, struct preview_bytes *out, char **etag,
                       char *err, size_t errlen);
/* Writes b (borrowed) under id with etag (borrowed, NULL: "") into dir,
 * made 0700 when missing, whole (temporary file, rename); then removes the
 * least recently used files until the cache holds at most max_total bytes
 * (0: PREVIEW_CACHE_MAX), never the one just written. Returns 0, or -1
 * with err set. */
int preview_cache_store(const char *dir, const char *id, const char *etag,
                        const struct preview_bytes *b, size_t max_total, char *err, size_t errlen);
/* Removes id's cached copy, if any. */
void preview_cache_drop(const char *dir, const char *id);

#endif
