/* Fuzzer for the preview cache file reader (client/preview_file.c): any
 * input must either be refused with nothing handed out, or give one of
 * the two media types, a printable ETag line and exactly the bytes after
 * the third line, without touching memory outside the buffer.
 * Runs under libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/previews.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	struct preview_bytes b;
	char *etag;
	size_t head;

	if (preview_cache_parse(data, size, &b, &etag) != 0) {
		if (etag != NULL || b.data != NULL || b.len != 0)
			abort();
		return 0;
	}
	if (etag == NULL || strlen(etag) > PREVIEW_ETAG_MAX || strpbrk(etag, "\r\n") != NULL ||
	    (strcmp(b.media_type, "image/png") != 0 &&
	     strcmp(b.media_type, "application/dicom") != 0))
		abort();
	head = strlen(PREVIEW_CACHE_MAGIC) + strlen(b.media_type) + 1 + strlen(etag) + 1;
	if (head + b.len != size || (b.len > 0 && memcmp(b.data, data + head, b.len) != 0))
		abort();
	free(etag);
	preview_bytes_clear(&b);
	return 0;
}
