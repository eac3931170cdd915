/* UUIDs as text (RFC 9562): random version 4 ones for task ids, and a
 * check of the canonical 8-4-4-4-12 form before an id from outside is used
 * in a URL or a file name. */
#ifndef ECII_UTIL_UUID_H
#define ECII_UTIL_UUID_H

#include <stdbool.h>

#define UUID_TEXT_LEN 36 /* without the NUL */

/* Writes a random version 4 UUID in lower case and a NUL into out, from
 * getrandom(2), or /dev/urandom where that is missing. Returns 0, or -1
 * with errno set (out then holds ""). */
int uuid_v4(char out[UUID_TEXT_LEN + 1]);
/* True if s (NULL is false) is exactly 36 characters: hex digits of either
 * case in groups of 8-4-4-4-12 joined by '-'. Any version or variant. */
bool uuid_is_valid(const char *s);

#endif
