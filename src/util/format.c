/* Numbers and times formatted for people and for ISO 8601. */
#include "config.h"

#include "util/format.h"

#include <stdio.h>

const char *format_count(long long n, char *buf, size_t size)
{
	char digits[32];
	int len;
	size_t out = 0;

	if (size == 0)
		return buf;
	if (n < 0) {
		snprintf(buf, size, "?");
		return buf;
	}
	len = snprintf(digits, sizeof digits, "%lld", n);
	for (int i = 0; i < len && out + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
	return buf;
}

int format_utc(time_t t, char out[FORMAT_UTC_LEN + 1])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, FORMAT_UTC_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(out, FORMAT_UTC_LEN + 1, "?");
		return -1;
	}
	return 0;
}
