/* A scrollable document for the screens that show text rather than a
 * table (a collection's metadata, the help): label/value fields, headings
 * and paragraphs, word-wrapped to the area's width when drawn and scrolled
 * with the movement actions. Text is sanitised when added, so widths are
 * measured on what the canvas will show. No curses, no catalogue here. */
#ifndef ECII_SCREENS_PAGER_H
#define ECII_SCREENS_PAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "screens/screen.h"
#include "ui/actions.h"
#include "ui/canvas.h"

struct pager_entry;
struct pager_line;

struct pager {
	struct pager_entry *entries; /* owned; what was added */
	size_t n_entries;
	struct pager_line *lines; /* owned; the entries wrapped for `width` */
	size_t n_lines;
	int width;       /* the width lines were made for; 0: not made yet */
	int label_width; /* the label column of fields (cells, without the gap) */
	size_t top;      /* the first line shown */
	int rows;        /* rows shown at the last draw (page size) */
};

/* Empties the document (keeps top, so a rebuilt document stays in place)
 * and sets the label column width. A zeroed struct pager is a valid empty
 * one. */
void pager_reset(struct pager *p, int label_width);
/* Frees everything; p is an empty pager afterwards. */
void pager_free(struct pager *p);

/* A label and its value, the value wrapped beside the label (copied). An
 * empty value adds nothing. */
void pager_add_field(struct pager *p, const char *label, const char *value);
/* A line of its own in style (copied), wrapped if it is too long. */
void pager_add_heading(struct pager *p, const char *text, enum ui_style style);
/* Text wrapped to the width, each line indented by indent cells (copied). */
void pager_add_paragraph(struct pager *p, const char *text, int indent, enum ui_style style);
/* An empty line. */
void pager_add_blank(struct pager *p);

/* Draws the visible part into area, wrapping first if the width changed. */
void pager_draw(struct pager *p, struct ui_canvas *c, struct screen_area area);
/* Scrolls for the movement actions (up, down, page up/down, first, last).
 * Returns true if a was one of them. */
bool pager_action(struct pager *p, enum ui_action a);
/* Scrolls by n lines (negative: up), clamped. */
void pager_scroll(struct pager *p, long n);
/* The mouse on a document: a wheel key scrolls three lines, a click does
 * nothing. Returns true if key was one of them (handled), else false. */
bool pager_key(struct pager *p, int key);

#endif
