/* XDG directories and private, all-or-nothing file writes for the user's
 * ecii files (store/user_files, store/client_config). */
#include "config.h"

#include "util/xdg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xmalloc.h"

static const struct {
	const char *name; /* in messages */
	const char *env;
	const char *under_home;
} kinds[] = {
	[XDG_DATA] = { "data", "XDG_DATA_HOME", ".local/share" },
	[XDG_CONFIG] = { "config", "XDG_CONFIG_HOME", ".config" },
	[XDG_CACHE] = { "cache", "XDG_CACHE_HOME", ".cache" },
};

char *xdg_dir(enum xdg_kind kind, char *err, size_t errlen)
{
	const char *xdg = getenv(kinds[kind].env), *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/ecii", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/%s/ecii", home, kinds[kind].under_home);
	snprintf(err, errlen, "cannot find the %s directory: HOME is not set", kinds[kind].name);
	return NULL;
}

int xdg_make_dirs(const char *dir, char *err, size_t errlen)
{
	char *path = xstrdup(dir);
	int rc = -1;

	for (char *p = path + 1;; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot make %s: %s", path, strerror(errno));
			goto out;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

char *xdg_write_temp(const char *dir, const char *stem, const void *data, size_t len, char *err,
                     size_t errlen)
{
	char *path = xasprintf("%s/.%s.XXXXXX", dir, stem);
	int fd = mkstemp(path); /* mode 0600 */
	size_t done = 0;

	if (fd < 0) {
		snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
		free(path);
		return NULL;
	}
	errno = 0;
	while (done < len) {
		ssize_t w = write(fd, (const char *)data + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		done += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	return path;
fail:
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno != 0 ? errno : EIO));
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
	return NULL;
}
