/* Whole-file reading. */
#include "config.h"

#include "util/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/xmalloc.h"

char *file_read_all(const char *path, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	FILE *f;
	size_t n;
	int saved;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(f)) {
		saved = errno;
		if (f != stdin)
			fclose(f);
		buf_free(&b);
		errno = saved != 0 ? saved : EIO;
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	if (len != NULL)
		*len = b.len;
	return buf_steal(&b);
}

unsigned char *file_read_regular(const char *path, size_t max, size_t *len, char *err,
                                 size_t errlen)
{
	unsigned char *data = NULL;
	struct stat st;
	FILE *f = fopen(path, "rb");
	char why[128] = "";

	if (f == NULL) {
		snprintf(why, sizeof why, "%s", strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, sizeof why, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(why, sizeof why, "file of %llu bytes is over the limit of %zu",
		         (unsigned long long)st.st_size, max);
		goto out;
	}
	*len = (size_t)st.st_size;
	data = xmalloc(*len > 0 ? *len : 1);
	if (fread(data, 1, *len, f) != *len) {
		snprintf(why, sizeof why, "read error");
		free(data);
		data = NULL;
	}
out:
	if (f != NULL)
		fclose(f);
	if (data == NULL && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, why);
	return data;
}
