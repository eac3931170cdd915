/* One preview as the screens show it: fetched (from the hub, or the demo's
 * stores), read (DICOM, PNG or JPEG), one frame windowed to 8 bits, and
 * drawn into a box with a caption. The collection screen shows the first
 * one this way; the preview screen adds the keys and the side panel. */
#ifndef ECII_SCREENS_PREVIEW_VIEW_H
#define ECII_SCREENS_PREVIEW_VIEW_H

#include <stdbool.h>

#include "img/window.h"
#include "ui/canvas.h"

struct app;
struct picture;
struct preview_fetch;
struct ui_image;

struct preview_view {
	char *id;                    /* the preview's id, copied */
	struct preview_fetch *fetch; /* while it is on its way */
	struct picture *picture;     /* once read */
	char message[256];           /* why there is no image (fetching, an error) */
	bool failed;                 /* message is an error */
	unsigned frame;              /* 0-based */
	bool has_window;             /* window is the user's, else the image's own */
	struct window window;        /* the user's, or the one used last */
	enum window_source source;   /* of the frame shown */
	char window_name[24];        /* a preset's name, "" when none */
	struct ui_image *image;      /* the frame shown */
};

/* Starts showing preview id (copied) of the app's federation: fetched at
 * once in local mode, over the app's network connection otherwise. */
void preview_view_open(struct preview_view *v, struct app *app, const char *id);
/* Cancels a fetch and frees everything; v can be opened again. */
void preview_view_close(struct preview_view *v);

/* Frames in the picture (0 while it has none). */
unsigned preview_view_frames(const struct preview_view *v);
/* Moves to frame (wrapping), and changes the window: scale the width,
 * shift the level by a tenth of the width, a preset by name, or back to the
 * image's own (name NULL). Return false when there is nothing to change
 * (no picture, a colour image), with why in v->message. */
bool preview_view_step_frame(struct preview_view *v, int delta);
bool preview_view_scale_width(struct preview_view *v, double factor);
bool preview_view_shift_level(struct preview_view *v, int direction);
bool preview_view_preset(struct preview_view *v, const char *name);

/* Draws the image in the box at (y, x), rows x cols, or the message when
 * there is none. Returns the rows used. */
int preview_view_draw(struct preview_view *v, struct ui_canvas *c, int y, int x, int rows,
                      int cols);

#endif
