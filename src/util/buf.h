/* A growable byte string, always NUL-terminated. Used to build output text
 * and SQL-free strings; it owns its memory. */
#ifndef ECII_UTIL_BUF_H
#define ECII_UTIL_BUF_H

#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT           \
	{                  \
		NULL, 0, 0 \
	}

void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the contents ("" if empty) as new memory and empties b. */
char *buf_steal(struct buf *b);
/* Returns the contents, borrowed; "" if empty. */
const char *buf_str(const struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
