/* A preview cache file read back (client/previews.h): three printable
 * lines and the bytes. Pure C with no store, network or file access, so the
 * one parser of what lies in the cache directory can be fuzzed alone. */
#include "config.h"

#include "client/previews.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

void preview_bytes_clear(struct preview_bytes *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof *b);
}

/* The line at *p (up to '\n', which must come within max bytes of it) if
 * it is printable ASCII: its length, *p moved past it; -1 if not. */
static long take_line(const unsigned char **p, const unsigned char *end, size_t max)
{
	const unsigned char *s = *p;
	size_t n = 0;

	while (s + n < end && s[n] != '\n') {
		if (n >= max || s[n] < 0x20 || s[n] > 0x7e)
			return -1;
		n++;
	}
	if (s + n >= end)
		return -1;
	*p = s + n + 1;
	return (long)n;
}

int preview_cache_parse(const void *data, size_t len, struct preview_bytes *out, char **etag)
{
	const unsigned char *p = data, *end, *type, *tag;
	long type_len, tag_len;

	memset(out, 0, sizeof *out);
	*etag = NULL;
	if (data == NULL || len < sizeof PREVIEW_CACHE_MAGIC - 1 ||
	    memcmp(p, PREVIEW_CACHE_MAGIC, sizeof PREVIEW_CACHE_MAGIC - 1) != 0)
		return -1;
	end = p + len;
	p += sizeof PREVIEW_CACHE_MAGIC - 1;
	type = p;
	type_len = take_line(&p, end, sizeof out->media_type - 1);
	if (type_len <= 0)
		return -1;
	tag = p;
	tag_len = take_line(&p, end, PREVIEW_ETAG_MAX);
	if (tag_len < 0)
		return -1;
	/* the two types a preview may have (hub_preview_type_valid's) */
	if (!((size_t)type_len == strlen("image/png") && memcmp(type, "image/png", 9) == 0) &&
	    !((size_t)type_len == strlen("application/dicom") &&
	      memcmp(type, "application/dicom", 17) == 0))
		return -1;
	memcpy(out->media_type, type, (size_t)type_len);
	out->media_type[type_len] = '\0';
	out->len = (size_t)(end - p);
	if (out->len > 0) {
		out->data = xmalloc(out->len);
		memcpy(out->data, p, out->len);
	}
	*etag = xstrndup((const char *)tag, (size_t)tag_len);
	return 0;
}
