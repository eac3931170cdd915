/* Images on the canvas. A screen keeps a ui_image (8-bit gray or RGB
 * pixels, any size) and draws it into a box of cells each time it draws;
 * how it shows depends on the canvas's graphics mode:
 *   sixel   the cells stay blank and a placement is recorded; the backend
 *           writes the pixels over them after the text (ui_image_sixel_bytes);
 *   blocks  half-block cells in xterm-256 colours;
 *   ascii   a luminance ramp;
 *   none    one line saying images are off.
 * The image is scaled to the box keeping its aspect, using the real cell
 * size, and never covers the canvas's last row (a sixel there would scroll
 * the whole screen). No curses here. */
#ifndef ECII_UI_IMAGE_H
#define ECII_UI_IMAGE_H

#include <stddef.h>

#include "ui/canvas.h"
#include "util/buf.h"

struct ui_image {
	unsigned width, height, channels; /* channels 1 gray, 3 RGB */
	unsigned char *pixels;            /* owned */
	/* Changes whenever the pixels do; unique across all images, so a
	 * backend can tell two images at one address apart. */
	unsigned long version;
	/* The last sixel encoding, kept for redraws (owned). */
	struct buf sixel;
	unsigned sixel_w, sixel_h, sixel_levels;
	unsigned long sixel_version;
};

/* An empty image (draws nothing). Returns new. */
struct ui_image *ui_image_new(void);
void ui_image_free(struct ui_image **im);
/* Replaces the pixels (w x h x channels, copied) and bumps the version. */
void ui_image_set(struct ui_image *im, const unsigned char *pixels, unsigned w, unsigned h,
                  unsigned channels);

/* Draws im into the box of rows x cols cells at (y, x) of c, at the box's
 * top left, as c->graphics.mode says; a box clipped to the canvas (and to
 * all but its last row). Returns the rows used (0: nothing drawn). im is
 * borrowed by the canvas until it is cleared. */
int ui_image_draw(struct ui_canvas *c, int y, int x, int rows, int cols, struct ui_image *im);

/* The bytes that draw placement p on the terminal: save the cursor, move
 * to the placement, the sixel (encoded at p's size with gray_levels, kept
 * in the image for the next time; wrapped for tmux when tmux_passthrough),
 * restore the cursor. Appends to out. Returns 0, or -1 with err. */
int ui_image_sixel_bytes(const struct ui_placement *p, unsigned gray_levels, bool tmux_passthrough,
                         struct buf *out, char *err, size_t errlen);

#endif
