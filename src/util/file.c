/* Whole-file reading. */
#include "config.h"

#include "util/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

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
