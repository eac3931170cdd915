/* Loads the fuzz targets' vocabulary once (see fuzz_support.h). A failure
 * aborts: a fuzz target has no other way to stop. */
#include "config.h"

#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/vocab.h"
#include "util/xmalloc.h"

const struct vocab *fuzz_vocab(const char *target)
{
	static struct vocab *v;
	const char *srcdir = getenv("ECII_SRCDIR");
	char err[256], *path;

	if (v != NULL)
		return v;
	path = xasprintf("%s/data/criteria.json",
	                 srcdir != NULL && *srcdir != '\0' ? srcdir : ECII_SOURCE_DIR);
	v = vocab_load(path, err, sizeof err);
	free(path);
	if (v == NULL) {
		fprintf(stderr, "%s: %s\n", target, err);
		abort();
	}
	return v;
}
