/* The local federation: the bundled demo (or any directory laid out like
 * it) answered in-process: catalogue.db for the catalogue and one site
 * store per site-<id>.db, each answered as its ecii-node would. */
#ifndef ECII_NODE_LOCAL_H
#define ECII_NODE_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/datadir.h"
#include "core/vocab.h"
#include "node/site.h"

struct local_site {
	char *id; /* from the file name site-<id>.db */
	char *path;
	struct node_site *node; /* loaded by local_site_load */
};

struct local_fed {
	struct vocab *vocab;
	json_t *catalogue;        /* §5 items in name order */
	bool synthetic;           /* the demo: say so wherever counts are shown */
	struct local_site *sites; /* in id order */
	size_t n_sites;
};

/* Reads the vocabulary, the catalogue and the list of sites (their data is
 * loaded on demand). Returns new or NULL with err set. */
struct local_fed *local_open(const struct datadir *dd, char *err, size_t errlen);
void local_close(struct local_fed **fed);
/* Loads a site's data. Returns 0, or -1 with err set. */
int local_site_load(struct local_fed *fed, struct local_site *site, char *err, size_t errlen);
/* The site with the given id, or NULL. Borrowed. */
struct local_site *local_site_find(struct local_fed *fed, const char *id);

#endif
