/* The one sanitiser for text that came from outside (catalogue entries,
 * server messages, DICOM strings) before it reaches a terminal: control
 * characters and escape sequences come out inert and visible. */
#ifndef ECII_UTIL_SANITIZE_H
#define ECII_UTIL_SANITIZE_H

#include <stddef.h>

#include "util/buf.h"

/* Appends s (n bytes) to out: C0 controls, DEL and C1 controls become
 * caret or \u escapes (ESC shows as "^["), invalid UTF-8 becomes U+FFFD.
 * A newline or tab is kept only if keep_layout is set. */
void sanitize_append(struct buf *out, const char *s, size_t n, int keep_layout);
/* Returns a sanitised copy of s (new); NULL gives "". */
char *sanitize_text(const char *s);

#endif
