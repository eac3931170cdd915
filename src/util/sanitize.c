/* Terminal-safe text. */
#include "config.h"

#include "util/sanitize.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return len;
}

void sanitize_append(struct buf *out, const char *s, size_t n, int keep_layout)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = utf8_valid_len(p + i, n - i, &cp);
		if (len == 0) {
			buf_puts(out, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (cp == '\n' || cp == '\t') {
			buf_putc(out, keep_layout ? (char)cp : ' ');
		} else if (cp < 0x20 || cp == 0x7f) {
			buf_putc(out, '^');
			buf_putc(out, (char)(cp ^ 0x40));
		} else if (cp >= 0x80 && cp < 0xa0) {
			buf_printf(out, "\\u%04x", (unsigned)cp);
		} else {
			buf_append(out, (const char *)p + i, len);
		}
		i += len;
	}
}

char *sanitize_text(const char *s)
{
	struct buf b = BUF_INIT;

	if (s != NULL)
		sanitize_append(&b, s, strlen(s), 0);
	return buf_steal(&b);
}
