/* Where ecii finds its data: the criteria vocabulary, the access form and
 * the bundled demo federation. In order: --data DIR, $ECII_DATA, the build tree when this
 * binary runs uninstalled from it, then the installed package data dir. */
#ifndef ECII_UTIL_DATADIR_H
#define ECII_UTIL_DATADIR_H

#include <stddef.h>

struct datadir {
	char *criteria;    /* path of criteria.json */
	char *access_form; /* path of access-form.json (beside criteria.json; not
	                      checked: only the hub needs it) */
	char *demo;        /* directory with catalogue.db and site-*.db */
};

/* Fills dd (paths new) from override (the --data option; may be NULL).
 * With an override or $ECII_DATA, DIR holds criteria.json,
 * access-form.json and demo/.
 * Returns 0, or -1 with a message in err naming where it looked. */
int datadir_find(const char *override, struct datadir *dd, char *err, size_t errlen);
void datadir_clear(struct datadir *dd);

#endif
