/* Finding the vocabulary, the access form and the demo federation. */
#include "config.h"

#include "util/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xmalloc.h"

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* True if this executable lives in the build tree it was built in. */
static int running_from_build_tree(void)
{
	char exe[PATH_MAX], build[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0 || realpath(ECII_BUILD_DIR, build) == NULL)
		return 0;
	exe[n] = '\0';
	return strncmp(exe, build, strlen(build)) == 0 && exe[strlen(build)] == '/';
}

int datadir_find(const char *override, struct datadir *dd, char *err, size_t errlen)
{
	const char *env = getenv("ECII_DATA");
	const char *dir = override != NULL ? override : env != NULL && *env != '\0' ? env : NULL;

	memset(dd, 0, sizeof *dd);
	if (dir != NULL) {
		dd->criteria = xasprintf("%s/criteria.json", dir);
		dd->access_form = xasprintf("%s/access-form.json", dir);
		dd->demo = xasprintf("%s/demo", dir);
	} else if (running_from_build_tree()) {
		dd->criteria = xstrdup(ECII_SOURCE_DIR "/data/criteria.json");
		dd->access_form = xstrdup(ECII_SOURCE_DIR "/data/access-form.json");
		dd->demo = xstrdup(ECII_BUILD_DIR "/data/demo/out");
	} else {
		dd->criteria = xstrdup(PKGDATADIR "/criteria.json");
		dd->access_form = xstrdup(PKGDATADIR "/access-form.json");
		dd->demo = xstrdup(PKGDATADIR "/demo");
	}
	if (!exists(dd->criteria)) {
		snprintf(err, errlen, "no criteria vocabulary at %s (set ECII_DATA or --data)",
		         dd->criteria);
		datadir_clear(dd);
		return -1;
	}
	return 0;
}

void datadir_clear(struct datadir *dd)
{
	free(dd->criteria);
	free(dd->access_form);
	free(dd->demo);
	memset(dd, 0, sizeof *dd);
}
