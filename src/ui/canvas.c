/* The cell grid. */
#include "config.h"

#include "ui/canvas.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

struct ui_canvas *ui_canvas_new(int rows, int cols, bool utf8)
{
	struct ui_canvas *c = xcalloc(1, sizeof *c);

	c->utf8 = utf8;
	c->graphics = (struct ui_canvas_graphics){ GRAPHICS_NONE, 10, 20, 64 };
	ui_canvas_resize(c, rows, cols);
	return c;
}

void ui_canvas_free(struct ui_canvas **cp)
{
	if (*cp == NULL)
		return;
	free((*cp)->cells);
	free(*cp);
	*cp = NULL;
}

void ui_canvas_resize(struct ui_canvas *c, int rows, int cols)
{
	c->rows = rows < 1 ? 1 : rows;
	c->cols = cols < 1 ? 1 : cols;
	c->cells = xreallocarray(c->cells, (size_t)c->rows * (size_t)c->cols, sizeof *c->cells);
	ui_canvas_clear(c);
}

void ui_canvas_clear(struct ui_canvas *c)
{
	for (int i = 0; i < c->rows * c->cols; i++) {
		c->cells[i].ch[0] = ' ';
		c->cells[i].ch[1] = '\0';
		c->cells[i].style = UI_STYLE_NORMAL;
		c->cells[i].fg = c->cells[i].bg = 0;
	}
	c->n_images = 0;
	c->cursor_shown = false;
}

static struct ui_cell *cell(struct ui_canvas *c, int y, int x)
{
	return &c->cells[y * c->cols + x];
}

const struct ui_cell *ui_canvas_cell(const struct ui_canvas *c, int y, int x)
{
	if (y < 0 || y >= c->rows || x < 0 || x >= c->cols)
		return NULL;
	return &c->cells[y * c->cols + x];
}

/* Puts one character of w cells at (y, x); a wide one that does not fit
 * shows as a blank. */
static void put_char(struct ui_canvas *c, int y, int x, const char *s, size_t len, int w,
                     enum ui_style style)
{
	struct ui_cell *p = cell(c, y, x);

	if (w == 2 && x + 1 >= c->cols) {
		strcpy(p->ch, " ");
	} else if (!c->utf8 && (unsigned char)s[0] >= 0x80) {
		strcpy(p->ch, "?");
		w = 1;
	} else {
		memcpy(p->ch, s, len);
		p->ch[len] = '\0';
	}
	p->style = (uint8_t)style;
	if (w == 2 && x + 1 < c->cols) {
		cell(c, y, x + 1)->ch[0] = '\0';
		cell(c, y, x + 1)->style = (uint8_t)style;
	}
}

int ui_put(struct ui_canvas *c, int y, int x, int width, enum ui_style style, const char *text)
{
	struct buf clean = BUF_INIT;
	const char *s;
	size_t n;
	int used = 0;

	if (y < 0 || y >= c->rows || x >= c->cols || text == NULL)
		return 0;
	if (width <= 0 || x + width > c->cols)
		width = c->cols - x;
	sanitize_append(&clean, text, strlen(text), 0);
	s = buf_str(&clean);
	n = clean.len;
	while (n > 0 && used < width) {
		int w;
		size_t len = utf8_next(s, n, &w);

		if (w == 0 || len >= sizeof c->cells[0].ch) { /* combining marks are dropped */
			s += len;
			n -= len;
			continue;
		}
		if (!c->utf8 && (unsigned char)s[0] >= 0x80)
			w = 1;
		if (used + w > width)
			break;
		if (x + used >= 0)
			put_char(c, y, x + used, s, len, w, style);
		used += w;
		s += len;
		n -= len;
	}
	buf_free(&clean);
	return used;
}

/* Blanks n cells from (y, x), clipped. */
static void blank(struct ui_canvas *c, int y, int x, int n, enum ui_style style)
{
	if (y < 0 || y >= c->rows)
		return;
	for (int i = x < 0 ? -x : 0; i < n && x + i < c->cols; i++)
		put_char(c, y, x + i, " ", 1, 1, style);
}

void ui_put_fill(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                 const char *text)
{
	int used = ui_put(c, y, x, width, style, text);

	if (width <= 0 || x + width > c->cols)
		width = c->cols - x;
	blank(c, y, x + used, width - used, style);
}

void ui_put_right(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                  const char *text)
{
	/* Measure what will be shown: sanitising can widen text ("^["). */
	char *clean = sanitize_text(text);
	int w = (int)utf8_width(clean);

	if (w > width)
		w = width;
	blank(c, y, x, width - w, style);
	ui_put(c, y, x + width - w, w, style, clean);
	free(clean);
}

void ui_hline(struct ui_canvas *c, int y, int x, int width, enum ui_style style)
{
	for (int i = 0; i < width; i++)
		ui_put(c, y, x + i, 1, style, c->utf8 ? "\xe2\x94\x80" : "-");
}

void ui_canvas_cursor(struct ui_canvas *c, int y, int x)
{
	c->cursor_y = y;
	c->cursor_x = x;
	c->cursor_shown = true;
}

char *ui_canvas_text(const struct ui_canvas *c)
{
	struct buf out = BUF_INIT;

	for (int y = 0; y < c->rows; y++) {
		size_t start = out.len;

		for (int x = 0; x < c->cols; x++)
			buf_puts(&out, c->cells[y * c->cols + x].ch);
		while (out.len > start && out.data[out.len - 1] == ' ')
			out.data[--out.len] = '\0';
		buf_putc(&out, '\n');
	}
	return buf_steal(&out);
}
