/* The scrollable text document shared by the collection and help screens:
 * entries are kept as added (sanitised) and wrapped again only when the
 * width changes, so scrolling and redraws cost the visible rows alone. */
#include "config.h"

#include "screens/pager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/keys.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

enum entry_kind { ENTRY_FIELD, ENTRY_HEADING, ENTRY_PARAGRAPH, ENTRY_BLANK };

struct pager_entry {
	enum entry_kind kind;
	char *label; /* fields: sanitised, owned */
	char *text;  /* sanitised, owned; NULL for blanks */
	int indent;
	enum ui_style style;
};

struct pager_line {
	const char *label; /* borrowed from the entry; NULL on continuation lines */
	char *text;        /* owned */
	int label_x, text_x;
	enum ui_style style;
};

/* Below this many cells for the value, a field puts its label on a line
 * of its own and the value under it. */
#define PAGER_MIN_VALUE 12

static void free_lines(struct pager *p)
{
	for (size_t i = 0; i < p->n_lines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->n_lines = 0;
	p->width = 0;
}

void pager_reset(struct pager *p, int label_width)
{
	free_lines(p);
	for (size_t i = 0; i < p->n_entries; i++) {
		free(p->entries[i].label);
		free(p->entries[i].text);
	}
	free(p->entries);
	p->entries = NULL;
	p->n_entries = 0;
	p->label_width = label_width;
}

void pager_free(struct pager *p)
{
	pager_reset(p, 0);
	memset(p, 0, sizeof *p);
}

static struct pager_entry *add_entry(struct pager *p, enum entry_kind kind)
{
	struct pager_entry *e;

	p->entries = xreallocarray(p->entries, p->n_entries + 1, sizeof *p->entries);
	e = &p->entries[p->n_entries++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->style = UI_STYLE_NORMAL;
	free_lines(p); /* made again at the next draw */
	return e;
}

void pager_add_field(struct pager *p, const char *label, const char *value)
{
	struct pager_entry *e;

	if (value == NULL || *value == '\0')
		return;
	e = add_entry(p, ENTRY_FIELD);
	e->label = sanitize_text(label);
	e->text = sanitize_text(value);
}

void pager_add_heading(struct pager *p, const char *text, enum ui_style style)
{
	struct pager_entry *e = add_entry(p, ENTRY_HEADING);

	e->text = sanitize_text(text);
	e->style = style;
}

void pager_add_paragraph(struct pager *p, const char *text, int indent, enum ui_style style)
{
	struct pager_entry *e = add_entry(p, ENTRY_PARAGRAPH);

	e->text = sanitize_text(text);
	e->indent = indent < 0 ? 0 : indent;
	e->style = style;
}

void pager_add_blank(struct pager *p)
{
	add_entry(p, ENTRY_BLANK);
}

static struct pager_line *add_line(struct pager *p, const char *label, const char *s, size_t n,
                                   int text_x, enum ui_style style)
{
	struct pager_line *l;

	p->lines = xreallocarray(p->lines, p->n_lines + 1, sizeof *p->lines);
	l = &p->lines[p->n_lines++];
	l->label = label;
	l->text = xstrndup(s, n);
	l->label_x = 0;
	l->text_x = text_x;
	l->style = style;
	return l;
}

/* Bytes of s (n available) that fit in width cells, at least one
 * character so that a too-narrow area still makes progress. */
static size_t fit_bytes(const char *s, size_t n, int width)
{
	size_t used = 0;
	int cells = 0;

	while (used < n) {
		int w;
		size_t len = utf8_next(s + used, n - used, &w);

		if (cells + w > width && used > 0)
			break;
		cells += w;
		used += len;
	}
	return used;
}

static int span_width(const char *s, size_t n)
{
	int width = 0;

	while (n > 0) {
		int w;
		size_t len = utf8_next(s, n, &w);

		width += w;
		s += len;
		n -= len;
	}
	return width;
}

/* Appends text wrapped at word boundaries to width cells from column x;
 * a word wider than the width is cut. The first line carries label. */
static void wrap(struct pager *p, const char *label, const char *text, int x, int width,
                 enum ui_style style)
{
	const char *start = NULL, *end = NULL, *s = text;
	int line_w = 0;

	if (width < 1)
		width = 1;
	for (;;) {
		size_t n;
		int ww;

		s += strspn(s, " ");
		if (*s == '\0')
			break;
		n = strcspn(s, " ");
		ww = span_width(s, n);
		if (start != NULL && line_w + 1 + ww <= width) {
			end = s + n;
			line_w += 1 + ww;
			s += n;
			continue;
		}
		if (start != NULL) {
			add_line(p, label, start, (size_t)(end - start), x, style);
			label = NULL;
			start = NULL;
		}
		while (ww > width) {
			size_t cut = fit_bytes(s, n, width);

			add_line(p, label, s, cut, x, style);
			label = NULL;
			s += cut;
			n -= cut;
			ww = span_width(s, n);
		}
		if (n > 0) {
			start = s;
			end = s + n;
			line_w = ww;
		}
		s += n;
	}
	if (start != NULL || label != NULL)
		add_line(p, label, start != NULL ? start : "",
		         start != NULL ? (size_t)(end - start) : 0, x, style);
}

static void make_lines(struct pager *p, int width)
{
	free_lines(p);
	for (size_t i = 0; i < p->n_entries; i++) {
		const struct pager_entry *e = &p->entries[i];
		int lw = p->label_width;

		switch (e->kind) {
		case ENTRY_FIELD:
			if (width - lw - 1 >= PAGER_MIN_VALUE) {
				wrap(p, e->label, e->text, lw + 1, width - lw - 1, e->style);
			} else {
				wrap(p, e->label, "", 0, width, e->style);
				wrap(p, NULL, e->text, 2, width - 2, e->style);
			}
			break;
		case ENTRY_HEADING:
			wrap(p, NULL, e->text, 0, width, e->style);
			break;
		case ENTRY_PARAGRAPH:
			wrap(p, NULL, e->text, e->indent, width - e->indent, e->style);
			break;
		case ENTRY_BLANK:
			add_line(p, NULL, "", 0, 0, UI_STYLE_NORMAL);
			break;
		}
	}
	p->width = width;
}

static size_t max_top(const struct pager *p)
{
	size_t rows = p->rows > 0 ? (size_t)p->rows : 1;

	return p->n_lines > rows ? p->n_lines - rows : 0;
}

void pager_draw(struct pager *p, struct ui_canvas *c, struct screen_area area)
{
	if (area.rows < 1 || area.cols < 1)
		return;
	if (p->width != area.cols || p->lines == NULL)
		make_lines(p, area.cols);
	p->rows = area.rows;
	if (p->top > max_top(p))
		p->top = max_top(p);
	for (int r = 0; r < area.rows && p->top + (size_t)r < p->n_lines; r++) {
		const struct pager_line *l = &p->lines[p->top + (size_t)r];
		int y = area.top + r;

		if (l->label != NULL)
			ui_put(c, y, l->label_x, p->label_width, UI_STYLE_ACCENT, l->label);
		if (l->text_x < area.cols)
			ui_put(c, y, l->text_x, area.cols - l->text_x, l->style, l->text);
	}
}

void pager_scroll(struct pager *p, long n)
{
	if (n < 0)
		p->top = (size_t)-n > p->top ? 0 : p->top - (size_t)-n;
	else
		p->top += (size_t)n;
	if (p->top > max_top(p))
		p->top = max_top(p);
}

bool pager_key(struct pager *p, int key)
{
	if (key == UI_KEY_WHEEL_UP || key == UI_KEY_WHEEL_DOWN) {
		pager_scroll(p, key == UI_KEY_WHEEL_UP ? -3 : 3);
		return true;
	}
	return key == UI_KEY_MOUSE_CLICK;
}

bool pager_action(struct pager *p, enum ui_action a)
{
	long page = p->rows > 1 ? p->rows - 1 : 1;

	switch (a) {
	case UI_ACTION_MOVE_UP:
		pager_scroll(p, -1);
		return true;
	case UI_ACTION_MOVE_DOWN:
		pager_scroll(p, 1);
		return true;
	case UI_ACTION_PAGE_UP:
		pager_scroll(p, -page);
		return true;
	case UI_ACTION_PAGE_DOWN:
		pager_scroll(p, page);
		return true;
	case UI_ACTION_FIRST:
		p->top = 0;
		return true;
	case UI_ACTION_LAST:
		p->top = max_top(p);
		return true;
	default:
		return false;
	}
}
