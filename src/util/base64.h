/* Base64 of RFC 4648: the standard alphabet with padding (§4), read
 * strictly, and the URL-safe alphabet without padding (§5) for tokens.
 * Strict means one text per byte string: no whitespace, no missing or extra
 * padding, no non-zero bits after the last byte. Knows nothing of JSON. */
#ifndef ECII_UTIL_BASE64_H
#define ECII_UTIL_BASE64_H

#include <stddef.h>

/* Length of base64_encode()'s text for n bytes, without the NUL. */
size_t base64_encoded_len(size_t n);
/* Returns the standard base64 (with padding) of the n bytes at data as new,
 * NUL-terminated text; data may be NULL when n is 0. Never NULL. */
char *base64_encode(const void *data, size_t n);
/* As base64_encode() with the URL-safe alphabet ('-', '_') and no padding,
 * for tokens and other text that goes into URLs. Returns new; never NULL. */
char *base64url_encode(const void *data, size_t n);
/* Decodes the len bytes of standard base64 at text (NULL only when len is
 * 0). Returns 0 with *out new (a NUL follows the *out_len bytes, not
 * counted), or -1 with *out NULL and, if err_offset is not NULL, the byte
 * offset of the first bad character, of a bad padding character or of the
 * character carrying non-zero trailing bits; len itself when the text stops
 * short of a multiple of four. */
int base64_decode(const char *text, size_t len, unsigned char **out, size_t *out_len,
                  size_t *err_offset);

#endif
