/* The screen as a grid of cells that screens draw into. The terminal
 * backend (term.c) copies it to curses; headless mode prints it as text.
 * Every string drawn is sanitised here, so text from outside can never
 * reach the terminal as a control sequence. No curses in this file. */
#ifndef ECII_UI_CANVAS_H
#define ECII_UI_CANVAS_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/graphics.h"

/* What a cell means; the backend turns it into colours or, without
 * colours, into bold / reverse / underline. */
enum ui_style {
	UI_STYLE_NORMAL,
	UI_STYLE_TITLE,  /* the top line */
	UI_STYLE_HEADER, /* column headers */
	UI_STYLE_CURSOR, /* the line under the cursor */
	UI_STYLE_MARKED, /* selected items */
	UI_STYLE_STATUS, /* the bottom line */
	UI_STYLE_ERROR,
	UI_STYLE_WARNING,
	UI_STYLE_MUTED,
	UI_STYLE_ACCENT,
	UI_STYLE_IMAGE, /* a pixel cell: fg and bg are xterm-256 colours */
	UI_STYLE_COUNT
};

struct ui_cell {
	char ch[8];     /* one UTF-8 character; "" for the right half of a wide one */
	uint8_t style;  /* enum ui_style */
	uint8_t fg, bg; /* UI_STYLE_IMAGE only */
};

struct ui_image;

/* An image shown in sixel: the cells under it stay blank in the canvas
 * and the backend draws the pixels over them (ui/image.h). */
struct ui_placement {
	int y, x, rows, cols;   /* the cells the image covers */
	unsigned px_w, px_h;    /* its size on screen */
	struct ui_image *image; /* borrowed from the screen that drew it */
	unsigned long version;  /* image->version when drawn */
};

#define UI_CANVAS_MAX_IMAGES 4

/* How the canvas shows images (ui_image_draw); set by the backend. */
struct ui_canvas_graphics {
	enum graphics_mode mode;
	unsigned cell_w, cell_h; /* pixels per cell */
	unsigned gray_levels;    /* sixel gray palette size */
};

struct ui_canvas {
	int rows, cols;
	bool utf8; /* false: non-ASCII shows as '?', lines as '-' */
	struct ui_cell *cells;
	int cursor_y, cursor_x; /* the text cursor, when shown */
	bool cursor_shown;
	struct ui_canvas_graphics graphics;
	struct ui_placement images[UI_CANVAS_MAX_IMAGES];
	int n_images;
};

/* A blank canvas; images show as text (GRAPHICS_NONE) until the backend
 * says otherwise. Returns new. */
struct ui_canvas *ui_canvas_new(int rows, int cols, bool utf8);
void ui_canvas_free(struct ui_canvas **c);
/* Resizes (at least 1x1) and clears. */
void ui_canvas_resize(struct ui_canvas *c, int rows, int cols);
/* Blanks every cell, forgets the images and hides the cursor. */
void ui_canvas_clear(struct ui_canvas *c);

/* Draws text at row y from column x in at most width cells (width <= 0:
 * to the right edge), sanitised, cut at the limit. Returns the cells used.
 * Anything outside the canvas is clipped. */
int ui_put(struct ui_canvas *c, int y, int x, int width, enum ui_style style, const char *text);
/* As ui_put, then pads with blanks of the same style to exactly width. */
void ui_put_fill(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                 const char *text);
/* As ui_put_fill, but right-aligned in width. */
void ui_put_right(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                  const char *text);
/* A horizontal line of width cells. */
void ui_hline(struct ui_canvas *c, int y, int x, int width, enum ui_style style);
/* Shows the text cursor at (y, x). */
void ui_canvas_cursor(struct ui_canvas *c, int y, int x);

/* The canvas as text: one line per row, trailing blanks trimmed. New. */
char *ui_canvas_text(const struct ui_canvas *c);
/* The cell at (y, x), borrowed; NULL outside. */
const struct ui_cell *ui_canvas_cell(const struct ui_canvas *c, int y, int x);

#endif
