/* The text fallback for image previews: an 8-bit image rendered into a
 * grid of terminal cells, as half blocks (two pixels per cell in xterm-256
 * or truecolor) or as an ASCII luminance ramp, and those cells as plain
 * ANSI text. Pure C: no curses, no terminal; the caller draws the cells. */
#ifndef ECII_IMG_CELLS_H
#define ECII_IMG_CELLS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

#define CELLS_HALF_BLOCK "\xe2\x96\x80" /* U+2580 UPPER HALF BLOCK */
#define CELLS_ASCII_RAMP " .:-=+*#%@"   /* dark background, darkest first */

struct image_cell {
	char ch[4];                   /* UTF-8 glyph, NUL-terminated: "▀" or a ramp char */
	uint8_t fg, bg;               /* xterm-256 colour indices */
	uint8_t fg_rgb[3], bg_rgb[3]; /* the exact colours, for truecolor */
};

/* The cells (*rows x *cols, each >= 1, at most max_rows x max_cols) an
 * image of w x h pixels fits into, keeping its aspect on cells of cell_w x
 * cell_h pixels (0: 10 x 20); half blocks then sample 2 pixels per cell
 * vertically. 0 x 0 when a size or max is 0 or negative. */
void cells_fit(unsigned w, unsigned h, unsigned cell_w, unsigned cell_h, int max_rows, int max_cols,
               int *rows, int *cols);

/* The xterm-256 colour nearest to gray v: 16, 232..255, 59/102/145/188 or
 * 231; *rgb (may be NULL) gets its gray value. */
uint8_t cells_gray_index(unsigned char v, unsigned char *rgb);
/* The xterm-256 colour nearest to (r, g, b) among the 6x6x6 cube and the
 * grays (squared RGB distance). */
uint8_t cells_rgb_index(unsigned char r, unsigned char g, unsigned char b);
/* The RGB value of xterm-256 colour i >= 16 (cube or gray ramp) in rgb[3];
 * 0..15 give the xterm defaults. */
void cells_index_rgb(uint8_t i, unsigned char rgb[3]);

/* Half blocks: px (w x h x channels, 1 gray or 3 RGB, borrowed) scaled to
 * cols x 2*rows with image_scale; each cell is "▀" with fg = its top pixel
 * and bg = its bottom pixel, as the nearest xterm-256 colour (grays for
 * gray images) and exactly in fg_rgb/bg_rgb. out: rows*cols cells, row
 * major. Does nothing for NULL px/out or an empty size. */
void cells_render_blocks(const unsigned char *px, unsigned w, unsigned h, unsigned channels,
                         int rows, int cols, struct image_cell *out);
/* ASCII: px scaled (area average) to cols x rows, each cell the char of
 * CELLS_ASCII_RAMP at luminance * 10 / 256, fg 231 (white) on bg 16
 * (black). Same arguments as cells_render_blocks. */
void cells_render_ascii(const unsigned char *px, unsigned w, unsigned h, unsigned channels,
                        int rows, int cols, struct image_cell *out);

/* Appends cells (rows x cols, borrowed) to out as terminal text: SGR
 * 38;5;N / 48;5;N (38;2;R;G;B / 48;2;R;G;B with truecolor) only where fg
 * or bg changes within the row, the glyph (a space for an empty one), and
 * each row ending with SGR 0 and "\n". */
void cells_to_ansi(const struct image_cell *cells, int rows, int cols, bool truecolor,
                   struct buf *out);

#endif
