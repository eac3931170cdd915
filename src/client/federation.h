/* The federation as ecii sees it, wherever it comes from: the bundled demo
 * (or any directory laid out like it) answered in-process, or a hub. What
 * the explorer and the commands need of it: the vocabulary, the catalogue
 * and the sites; with a hub also its URL, the user's token and whether the
 * catalogue is live or the cached copy. With a hub the catalogue, the
 * vocabulary and the site list are fetched together (three requests at
 * once) and kept in the catalogue cache, fetched again only when the
 * collections' ETag changed; when the hub cannot be reached the cached copy
 * is used and the federation says since when. Counting is client/counts.h's
 * business. Nothing here prints. */
#ifndef ECII_CLIENT_FEDERATION_H
#define ECII_CLIENT_FEDERATION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/vocab.h"
#include "node/local.h"

struct fed_site {
	char *id;      /* the site's name at the hub, or the demo store's id */
	char *country; /* "" when not known */
	bool online;   /* local sites always are; with a hub, as it last said */
};

struct federation {
	struct vocab *vocab;
	json_t *catalogue;      /* §5 items in name order */
	bool synthetic;         /* the demo's data: say so wherever counts are shown */
	struct fed_site *sites; /* in id order */
	size_t n_sites;
	struct local_fed *local; /* local mode; NULL with a hub */
	char *hub;               /* hub mode: its URL, no trailing '/' */
	char *token;             /* hub mode: the user's token, or NULL (anonymous) */
	long site_timeout_ms;    /* how long a count waits for a site */
	/* Hub mode, when the hub could not be reached and the cached copy is
	 * shown: when that copy was fetched (ISO 8601 UTC) and why the hub
	 * could not be reached; both NULL while live. */
	char *offline_as_of;
	char *offline_reason;
	/* Hub mode: the preview cache (client/previews.h), the directory
	 * "previews" beside the catalogue cache, or NULL when there is none;
	 * and its size limit (0: PREVIEW_CACHE_MAX). */
	char *preview_dir;
	size_t preview_cache_max;
};

struct federation_options {
	const char *data;  /* --data DIR for local mode (NULL: the usual search) */
	const char *hub;   /* the hub's URL; NULL: local mode */
	const char *token; /* the user's token (NULL: none) */
	const char *cache; /* the catalogue cache file; NULL: $XDG_CACHE_HOME/ecii/catalogue.db */
	long site_timeout_ms; /* 0: 10000 */
	long connect_ms;      /* how long to try reaching the hub; 0: 3000 */
};

/* Opens the federation o describes. Returns new, or NULL with err set: no
 * demo data in local mode; with a hub, a hub that cannot be reached when no
 * cached copy of its catalogue exists ("cannot reach http://h:p (...) and
 * there is no cached copy of its catalogue"), or a reply that makes no
 * sense. */
struct federation *federation_open(const struct federation_options *o, char *err, size_t errlen);
/* The local federation local (stolen) as a federation. Returns new. */
struct federation *federation_wrap_local(struct local_fed *local);
/* Frees *f (NULL accepted; the token is wiped) and clears it. */
void federation_close(struct federation **f);
/* The index of the site with this id, or -1. */
long federation_site_index(const struct federation *f, const char *id);

/* The default catalogue cache file: $XDG_CACHE_HOME/ecii/catalogue.db,
 * else ~/.cache/ecii/catalogue.db. New, or NULL with err set. */
char *federation_cache_path(char *err, size_t errlen);

#endif
