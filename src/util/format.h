/* Numbers as people read them. */
#ifndef ECII_UTIL_FORMAT_H
#define ECII_UTIL_FORMAT_H

#include <stddef.h>

/* Writes n with thousands separators ("12,345") into buf (32 bytes are
 * always enough), or "?" when n is negative (a count that is missing).
 * Returns buf. */
const char *format_count(long long n, char *buf, size_t size);

#endif
