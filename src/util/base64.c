/* RFC 4648 base64, written from the RFC. Decoding is strict so that one
 * byte string has exactly one text: what is accepted can be compared and
 * written back unchanged. */
#include "config.h"

#include "util/base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "util/xmalloc.h"

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t base64_encoded_len(size_t n)
{
	if (n / 3 >= SIZE_MAX / 4 - 1)
		fatal("base64: %zu bytes are too many to encode", n);
	return (n + 2) / 3 * 4;
}

static char *encode(const unsigned char *in, size_t n, const char *alphabet, int pad)
{
	char *text = xmalloc(base64_encoded_len(n) + 1), *p = text;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*p++ = alphabet[v >> 18];
		*p++ = alphabet[(v >> 12) & 63];
		*p++ = alphabet[(v >> 6) & 63];
		*p++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*p++ = alphabet[v >> 18];
		*p++ = alphabet[(v >> 12) & 63];
		if (pad) {
			*p++ = '=';
			*p++ = '=';
		}
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*p++ = alphabet[v >> 18];
		*p++ = alphabet[(v >> 12) & 63];
		*p++ = alphabet[(v >> 6) & 63];
		if (pad)
			*p++ = '=';
	}
	*p = '\0';
	return text;
}

char *base64_encode(const void *data, size_t n)
{
	return encode(data, n, std_alphabet, 1);
}

char *base64url_encode(const void *data, size_t n)
{
	return encode(data, n, url_alphabet, 0);
}

/* The 6-bit value of c in the standard alphabet, or -1. */
static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
                  size_t *err_offset)
{
	const unsigned char *in = (const unsigned char *)text;
	unsigned char *bytes = xmalloc(len / 4 * 3 + 1), *p = bytes;
	size_t i, bad = 0;

	*out = NULL;
	*out_len = 0;
	for (i = 0; i < len; i += 4) {
		int s[4] = { 0 }, k, n_data;

		/* A quad's data characters come first; '=' may only end the
		 * last quad, once or twice. */
		for (k = 0; k < 4 && i + k < len; k++) {
			s[k] = sextet(in[i + k]);
			if (s[k] >= 0)
				continue;
			if (in[i + k] != '=' || k < 2 || i + 4 < len) {
				bad = i + k;
				goto fail;
			}
			break;
		}
		n_data = k;
		if (i + 4 > len && n_data == (int)(len - i)) {
			bad = len;
			goto fail;
		}
		for (; k < 4; k++) {
			if (i + k >= len) {
				bad = len;
				goto fail;
			}
			if (in[i + k] != '=') {
				bad = i + k;
				goto fail;
			}
		}
		*p++ = (unsigned char)(s[0] << 2 | s[1] >> 4);
		if (n_data == 2) {
			if ((s[1] & 15) != 0) {
				bad = i + 1;
				goto fail;
			}
			break;
		}
		*p++ = (unsigned char)((s[1] & 15) << 4 | s[2] >> 2);
		if (n_data == 3) {
			if ((s[2] & 3) != 0) {
				bad = i + 2;
				goto fail;
			}
			break;
		}
		*p++ = (unsigned char)((s[2] & 3) << 6 | s[3]);
	}
	*p = '\0';
	*out = bytes;
	*out_len = (size_t)(p - bytes);
	return 0;
fail:
	free(bytes);
	if (err_offset != NULL)
		*err_offset = bad;
	return -1;
}
