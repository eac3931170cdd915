/* Headless mode, for tests and benchmarks: a script of keys in, the screen
 * as text out, at a fixed size and with no terminal (like tig's
 * save-display). Script lines:
 *   key NAME...      press keys by name (ui/keys.h: j, Enter, Esc, C-r, Space)
 *   type TEXT        type the rest of the line, character by character
 *   click Y X        a mouse click at row Y, column X
 *   resize ROWSxCOLS the terminal changes size
 *   dump             print the screen, then a line per sixel image placed
 *                    ("--- image at row Y col X: WxH px over RxC cells")
 * Blank lines and lines starting with '#' are skipped. */
#ifndef ECII_SCREENS_HEADLESS_H
#define ECII_SCREENS_HEADLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "screens/app.h"

/* Runs script against app on a rows x cols canvas showing images as
 * graphics says (NULL: not at all), printing each dump to out as
 * "--- screen ROWSxCOLS" and the canvas text. Stops early when the app
 * quits. Returns 0, or -1 with err naming the script line. */
int headless_run(struct app *app, FILE *script, int rows, int cols, bool utf8,
                 const struct ui_canvas_graphics *graphics, FILE *out, char *err, size_t errlen);

#endif
