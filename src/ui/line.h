/* A one-line text editor (search and command lines): UTF-8 aware cursor
 * movement, insert, delete. Pure: no curses. */
#ifndef ECII_UI_LINE_H
#define ECII_UI_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct ui_line {
	struct buf text;
	size_t cursor; /* byte offset, on a character boundary */
};

void ui_line_set(struct ui_line *l, const char *text);
void ui_line_clear(struct ui_line *l);
void ui_line_free(struct ui_line *l);
/* Edits by key (a code point inserts; Backspace, Delete, Left, Right,
 * Home, End, C-a, C-e, C-u, C-w, C-k edit). Returns true if the key was an
 * edit (the text or cursor may have changed), false for other keys. */
bool ui_line_key(struct ui_line *l, int key);
/* The text, borrowed; "" when empty. */
const char *ui_line_text(const struct ui_line *l);
/* Puts the cursor before character col (1-based; past the end: at the end). */
void ui_line_set_cursor_char(struct ui_line *l, size_t col);
/* Display width of the text before the cursor. */
size_t ui_line_cursor_col(const struct ui_line *l);

#endif
