/* Plain-text tables for the CLI: columns sized to their content (display
 * width, not bytes), numbers right-aligned; one column may be shortened
 * with an ellipsis to fit a terminal. Cells are copied; callers sanitise
 * outside text before adding it. */
#ifndef ECII_CLI_TABLE_H
#define ECII_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table;

/* A table with the given column headers (copied). Returns new. */
struct table *table_new(size_t n_cols, const char *const *headers);
void table_free(struct table **t);
/* Right-aligns column col. */
void table_align_right(struct table *t, size_t col);
/* Adds a row of n_cols cells (copied; NULL prints empty). */
void table_add_row(struct table *t, const char *const *cells);
/* Adds a line spanning the table (e.g. a legend) after the rows so far. */
void table_add_rule(struct table *t);
/* Prints the table. If width > 0 and the table is wider, column shrink is
 * cut down (not below 8 cells) with "..." or "…" (utf8). */
void table_print(const struct table *t, FILE *out, size_t width, size_t shrink, bool utf8);

/* Display width of a UTF-8 string in the current locale. */
size_t text_width(const char *s);

#endif
