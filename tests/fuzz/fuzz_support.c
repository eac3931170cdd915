/* Loads the fuzz targets' vocabulary once (see fuzz_support.h). A failure
 * aborts: a fuzz target has no other way to stop. */
#include "config.h"

#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/access_form.h"
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

const struct access_form *fuzz_access_form(const char *target)
{
	static struct access_form *f;
	const char *srcdir = getenv("ECII_SRCDIR");
	char err[512], *path;

	if (f != NULL)
		return f;
	path = xasprintf("%s/data/access-form.json",
	                 srcdir != NULL && *srcdir != '\0' ? srcdir : ECII_SOURCE_DIR);
	f = access_form_load(path, err, sizeof err);
	free(path);
	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", target, err);
		abort();
	}
	return f;
}
