/* Numbers and times as people (and ISO 8601) read them. */
#ifndef ECII_UTIL_FORMAT_H
#define ECII_UTIL_FORMAT_H

#include <stddef.h>
#include <time.h>

#define FORMAT_UTC_LEN 20 /* "2026-01-31T12:00:00Z" */

/* Writes n with thousands separators ("12,345") into buf (32 bytes are
 * always enough), or "?" when n is negative (a count that is missing).
 * Returns buf. */
const char *format_count(long long n, char *buf, size_t size);
/* Writes t as ISO 8601 UTC to the second ("2026-01-31T12:00:00Z") into
 * out. Returns 0, or -1 with out "?" when t cannot be shown. */
int format_utc(time_t t, char out[FORMAT_UTC_LEN + 1]);

#endif
