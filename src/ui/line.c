/* One-line editing. */
#include "config.h"

#include "ui/line.h"

#include <stdlib.h>
#include <string.h>

#include "ui/keys.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

void ui_line_set(struct ui_line *l, const char *text)
{
	buf_reset(&l->text);
	buf_puts(&l->text, text);
	l->cursor = l->text.len;
}

void ui_line_clear(struct ui_line *l)
{
	buf_reset(&l->text);
	l->cursor = 0;
}

void ui_line_free(struct ui_line *l)
{
	buf_free(&l->text);
	l->cursor = 0;
}

const char *ui_line_text(const struct ui_line *l)
{
	return buf_str(&l->text);
}

static bool is_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

static size_t prev_char(const struct ui_line *l, size_t at)
{
	while (at > 0 && is_continuation(l->text.data[--at]))
		;
	return at;
}

static size_t next_char(const struct ui_line *l, size_t at)
{
	if (at < l->text.len)
		at++;
	while (at < l->text.len && is_continuation(l->text.data[at]))
		at++;
	return at;
}

/* Removes bytes [from, to) and leaves the cursor at from. */
static void cut(struct ui_line *l, size_t from, size_t to)
{
	memmove(l->text.data + from, l->text.data + to, l->text.len - to + 1);
	l->text.len -= to - from;
	l->cursor = from;
}

static void insert(struct ui_line *l, int key)
{
	char enc[4];
	size_t n = utf8_encode((unsigned)key, enc), tail = l->text.len - l->cursor;
	char *rest = xstrndup(l->text.data + l->cursor, tail);

	l->text.len = l->cursor;
	buf_append(&l->text, enc, n);
	buf_append(&l->text, rest, tail);
	l->cursor += n;
	free(rest);
}

bool ui_line_key(struct ui_line *l, int key)
{
	if (l->text.data == NULL)
		buf_puts(&l->text, "");
	switch (key) {
	case UI_KEY_BACKSPACE:
	case 0x7f:
	case UI_KEY_CTRL('h'):
		if (l->cursor > 0)
			cut(l, prev_char(l, l->cursor), l->cursor);
		return true;
	case UI_KEY_DELETE:
	case UI_KEY_CTRL('d'):
		if (l->cursor < l->text.len)
			cut(l, l->cursor, next_char(l, l->cursor));
		return true;
	case UI_KEY_LEFT:
		l->cursor = prev_char(l, l->cursor);
		return true;
	case UI_KEY_RIGHT:
		l->cursor = next_char(l, l->cursor);
		return true;
	case UI_KEY_HOME:
	case UI_KEY_CTRL('a'):
		l->cursor = 0;
		return true;
	case UI_KEY_END:
	case UI_KEY_CTRL('e'):
		l->cursor = l->text.len;
		return true;
	case UI_KEY_CTRL('u'):
		cut(l, 0, l->cursor);
		return true;
	case UI_KEY_CTRL('k'):
		cut(l, l->cursor, l->text.len);
		return true;
	case UI_KEY_CTRL('w'): {
		size_t at = l->cursor;

		while (at > 0 && l->text.data[at - 1] == ' ')
			at--;
		while (at > 0 && l->text.data[at - 1] != ' ')
			at--;
		cut(l, at, l->cursor);
		return true;
	}
	default:
		if (key >= 0x20 && key != 0x7f && key < UI_KEY_BASE) {
			insert(l, key);
			return true;
		}
		return false;
	}
}

void ui_line_set_cursor_char(struct ui_line *l, size_t col)
{
	l->cursor = 0;
	for (size_t i = 1; i < col && l->cursor < l->text.len; i++)
		l->cursor = next_char(l, l->cursor);
}

size_t ui_line_cursor_col(const struct ui_line *l)
{
	char *head = xstrndup(ui_line_text(l), l->cursor);
	size_t w = utf8_width(head);

	free(head);
	return w;
}
