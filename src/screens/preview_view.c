/* A preview fetched, read, windowed and drawn. The frame is rendered again
 * only when the frame or the window changes; the canvas backend keeps the
 * encoded sixel for redraws. */
#include "config.h"

#include "screens/preview_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/previews.h"
#include "img/picture.h"
#include "screens/app.h"
#include "ui/image.h"
#include "util/xmalloc.h"

/* Renders the current frame with the current window into v->image. */
static void render(struct preview_view *v)
{
	struct window_image out;
	char err[256];

	if (picture_render(v->picture, v->frame, v->has_window ? &v->window : NULL, &out, err,
	                   sizeof err) < 0) {
		snprintf(v->message, sizeof v->message, "%s", err);
		v->failed = true;
		return;
	}
	ui_image_set(v->image, out.pixels, out.width, out.height, out.channels);
	v->source = out.source;
	if (out.source != WINDOW_SOURCE_NONE)
		v->window = out.window;
	v->message[0] = '\0';
	v->failed = false;
	window_image_clear(&out);
}

static void fetched(void *ctx, const struct preview_bytes *b, const char *error)
{
	struct preview_view *v = ctx;
	char err[200];
	const char *why;

	v->fetch = NULL;
	if (b == NULL) {
		snprintf(v->message, sizeof v->message, "cannot fetch the preview: %s",
		         error != NULL ? error : "unknown error");
		v->failed = true;
		return;
	}
	v->picture = picture_read(b->data, b->len, err, sizeof err);
	if (v->picture == NULL) {
		snprintf(v->message, sizeof v->message, "cannot read the preview: %s", err);
		v->failed = true;
		return;
	}
	if ((why = picture_no_preview(v->picture)) != NULL) {
		snprintf(v->message, sizeof v->message, "%s", why);
		v->failed = true;
		return;
	}
	render(v);
}

void preview_view_open(struct preview_view *v, struct app *app, const char *id)
{
	memset(v, 0, sizeof *v);
	v->id = xstrdup(id);
	v->image = ui_image_new();
	snprintf(v->message, sizeof v->message, "fetching the preview...");
	v->fetch = federation_preview_fetch(app->fed, app->net, id, fetched, v);
}

void preview_view_close(struct preview_view *v)
{
	preview_fetch_cancel(&v->fetch);
	picture_free(&v->picture);
	ui_image_free(&v->image);
	free(v->id);
	memset(v, 0, sizeof *v);
}

unsigned preview_view_frames(const struct preview_view *v)
{
	return v->picture != NULL && picture_no_preview(v->picture) == NULL
	           ? picture_frames(v->picture)
	           : 0;
}

bool preview_view_step_frame(struct preview_view *v, int delta)
{
	unsigned n = preview_view_frames(v);

	if (n == 0)
		return false;
	if (n == 1) {
		snprintf(v->message, sizeof v->message, "this image has one frame");
		return false;
	}
	v->frame = (unsigned)(((long)v->frame + delta % (long)n + (long)n) % (long)n);
	render(v);
	return true;
}

/* Whether the window can change: a gray picture is shown. */
static bool windowable(struct preview_view *v)
{
	if (preview_view_frames(v) == 0)
		return false;
	if (v->source == WINDOW_SOURCE_NONE) {
		snprintf(v->message, sizeof v->message, "a colour image has no window");
		return false;
	}
	return true;
}

bool preview_view_scale_width(struct preview_view *v, double factor)
{
	if (!windowable(v))
		return false;
	v->window.width *= factor;
	if (v->window.width < 1)
		v->window.width = 1;
	v->has_window = true;
	v->window_name[0] = '\0';
	render(v);
	return true;
}

bool preview_view_shift_level(struct preview_view *v, int direction)
{
	double step;

	if (!windowable(v))
		return false;
	step = v->window.width / 10 < 1 ? 1 : v->window.width / 10;
	v->window.center += direction * step;
	v->has_window = true;
	v->window_name[0] = '\0';
	render(v);
	return true;
}

bool preview_view_preset(struct preview_view *v, const char *name)
{
	if (!windowable(v))
		return false;
	if (name == NULL) {
		v->has_window = false;
		v->window_name[0] = '\0';
	} else if (window_preset(name, &v->window) == 0) {
		v->has_window = true;
		snprintf(v->window_name, sizeof v->window_name, "%s", name);
	} else {
		return false;
	}
	render(v);
	return true;
}

int preview_view_draw(struct preview_view *v, struct ui_canvas *c, int y, int x, int rows, int cols)
{
	if (v->image != NULL && v->image->pixels != NULL && !v->failed)
		return ui_image_draw(c, y, x, rows, cols, v->image);
	if (v->id == NULL)
		return 0;
	ui_put(c, y, x, cols, v->failed ? UI_STYLE_ERROR : UI_STYLE_MUTED, v->message);
	return 1;
}
