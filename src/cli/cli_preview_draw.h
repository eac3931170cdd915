/* Drawing a windowed frame on the terminal for `ecii preview`, outside
 * curses, in the mode the terminal (or --graphics) gives. */
#ifndef ECII_CLI_CLI_PREVIEW_DRAW_H
#define ECII_CLI_CLI_PREVIEW_DRAW_H

#include <stddef.h>

#include "img/window.h"
#include "ui/graphics.h"

/* The box of cells an image may fill: text "ROWSxCOLS" (--box), or NULL
 * for the terminal's size less room for a caption and the prompt (24x80
 * when stdout is not a terminal). Returns 0, or -1 for malformed text. */
int cli_preview_box(const char *text, int *rows, int *cols);

/* Writes img to stdout fitted into rows x cols cells, as caps says (sixel
 * with gray_levels, wrapped for tmux when needed; half blocks in 256
 * colours or truecolor; ASCII). Returns 0, or -1 with err (also for
 * GRAPHICS_NONE). img and caps borrowed. */
int cli_preview_draw(const struct window_image *img, int rows, int cols,
                     const struct graphics_caps *caps, unsigned gray_levels, char *err,
                     size_t errlen);

#endif
