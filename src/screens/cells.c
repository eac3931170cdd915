/* Drawing helpers shared by the table screens (see cells.h). */
#include "config.h"

#include "screens/cells.h"

void cells_put_cut(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                   const char *text, int w, bool right)
{
	int used;

	/* ui_put takes width 0 as "to the edge": never pass it one. */
	if (width < 1 || x >= c->cols)
		return;
	if (w <= width) {
		if (right)
			ui_put_right(c, y, x, width, style, text);
		else
			ui_put(c, y, x, width, style, text);
		return;
	}
	used = ui_put(c, y, x, width - 1, style, text);
	ui_put(c, y, x + used, 1, style, c->utf8 ? "\xe2\x80\xa6" : "~");
}
