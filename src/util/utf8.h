/* UTF-8 text measured in terminal cells, in the current locale. */
#ifndef ECII_UTIL_UTF8_H
#define ECII_UTIL_UTF8_H

#include <stddef.h>

/* Decodes the character at s (n bytes available): returns its length in
 * bytes (1 for a byte that is not valid here) and sets *width to the cells
 * it takes (0 for combining, 1 for an undecodable byte). */
size_t utf8_next(const char *s, size_t n, int *width);
/* Encodes code point cp (below 0x110000) into out; returns its length. */
size_t utf8_encode(unsigned cp, char out[4]);
/* Display width of a NUL-terminated string. */
size_t utf8_width(const char *s);

#endif
