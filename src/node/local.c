/* The in-process federation over a directory of site stores. */
#include "config.h"

#include "node/local.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/catalogue_store.h"
#include "util/xmalloc.h"

static int site_cmp(const void *a, const void *b)
{
	return strcmp(((const struct local_site *)a)->id, ((const struct local_site *)b)->id);
}

static int list_sites(struct local_fed *fed, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		snprintf(err, errlen, "cannot open the demo federation at %s: %s", dir,
		         strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len <= 8 || strncmp(e->d_name, "site-", 5) != 0 ||
		    strcmp(e->d_name + len - 3, ".db") != 0)
			continue;
		fed->sites = xreallocarray(fed->sites, fed->n_sites + 1, sizeof *fed->sites);
		fed->sites[fed->n_sites].id = xstrndup(e->d_name + 5, len - 8);
		fed->sites[fed->n_sites].path = xasprintf("%s/%s", dir, e->d_name);
		fed->sites[fed->n_sites].node = NULL;
		fed->n_sites++;
	}
	closedir(d);
	if (fed->n_sites == 0) {
		snprintf(err, errlen, "no site stores (site-*.db) in %s", dir);
		return -1;
	}
	qsort(fed->sites, fed->n_sites, sizeof *fed->sites, site_cmp);
	return 0;
}

struct local_fed *local_open(const struct datadir *dd, char *err, size_t errlen)
{
	struct local_fed *fed = xcalloc(1, sizeof *fed);
	struct catalogue_store *cat = NULL;
	char *path = xasprintf("%s/catalogue.db", dd->demo), *synthetic = NULL;

	fed->vocab = vocab_load(dd->criteria, err, errlen);
	if (fed->vocab == NULL)
		goto fail;
	cat = catalogue_store_open(path, false, err, errlen);
	if (cat == NULL || (fed->catalogue = catalogue_store_list(cat, err, errlen)) == NULL)
		goto fail;
	synthetic = catalogue_store_get_meta(cat, "synthetic");
	fed->synthetic = synthetic != NULL && strcmp(synthetic, "1") == 0;
	if (list_sites(fed, dd->demo, err, errlen) != 0)
		goto fail;
	free(synthetic);
	catalogue_store_close(&cat);
	free(path);
	return fed;
fail:
	free(synthetic);
	catalogue_store_close(&cat);
	free(path);
	local_close(&fed);
	return NULL;
}

void local_close(struct local_fed **fp)
{
	struct local_fed *fed = *fp;

	if (fed == NULL)
		return;
	for (size_t i = 0; i < fed->n_sites; i++) {
		free(fed->sites[i].id);
		free(fed->sites[i].path);
		node_site_close(&fed->sites[i].node);
	}
	free(fed->sites);
	json_decref(fed->catalogue);
	vocab_free(&fed->vocab);
	free(fed);
	*fp = NULL;
}

int local_site_load(struct local_fed *fed, struct local_site *site, char *err, size_t errlen)
{
	if (site->node != NULL)
		return 0;
	site->node = node_site_open(site->path, fed->vocab, err, errlen);
	return site->node != NULL ? 0 : -1;
}

struct local_site *local_site_find(struct local_fed *fed, const char *id)
{
	for (size_t i = 0; i < fed->n_sites; i++)
		if (strcmp(fed->sites[i].id, id) == 0)
			return &fed->sites[i];
	return NULL;
}
