/* Small drawing helpers the table screens share, on top of ui/canvas: a
 * text in a fixed-width cell, cut with an ellipsis when it does not fit.
 * No curses and no screen state here; callers own the layout. */
#ifndef ECII_SCREENS_CELLS_H
#define ECII_SCREENS_CELLS_H

#include <stdbool.h>

#include "ui/canvas.h"

/* Draws text (borrowed; w cells wide as the caller measured it) at (y, x)
 * in width cells, right-aligned if right, else left-aligned and unpadded;
 * when it does not fit, what fits in width - 1 cells and an ellipsis ("~"
 * without UTF-8). Draws nothing when width < 1 or x is past the edge. */
void cells_put_cut(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                   const char *text, int w, bool right);

#endif
