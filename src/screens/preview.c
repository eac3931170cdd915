/* The preview screen: a collection's published previews one at a time,
 * the image as large as the screen allows, a side panel saying what it is
 * (modality, size, frame, window, transfer syntax), keys to step frames,
 * change the window (narrower/wider, level, CT presets, reset) and go to
 * the next preview. Every string from the file or the catalogue reaches
 * the canvas through ui_put, which sanitises it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "img/picture.h"
#include "screens/app.h"
#include "screens/preview_view.h"
#include "screens/screen.h"
#include "util/xmalloc.h"

/* The side panel's width, and the narrowest screen that gets one. */
#define PREVIEW_PANEL_COLS     30
#define PREVIEW_PANEL_MIN_COLS 70

struct preview_state {
	char *collection_id;
	json_t *previews; /* the item's "previews", borrowed from app->catalogue */
	size_t index, count;
	struct preview_view view;
};

static void open_current(struct app *app, struct preview_state *s)
{
	json_t *p = json_array_get(s->previews, s->index);

	preview_view_close(&s->view);
	preview_view_open(&s->view, app, catalogue_item_str(p, "id"));
}

static void preview_enter(struct app *app, void *state, const void *arg)
{
	struct preview_state *s = state;
	json_t *item;

	s->collection_id = xstrdup(arg != NULL ? arg : "");
	item = catalogue_find(app->catalogue, s->collection_id);
	s->previews = json_object_get(item, "previews");
	s->count = json_array_size(s->previews);
	if (s->count > 0)
		open_current(app, s);
}

static void preview_leave(struct app *app, void *state)
{
	struct preview_state *s = state;

	preview_view_close(&s->view);
	free(s->collection_id);
}

static const char *source_name(const struct preview_view *v)
{
	if (*v->window_name != '\0')
		return v->window_name;
	switch (v->source) {
	case WINDOW_SOURCE_GIVEN:
		return "yours";
	case WINDOW_SOURCE_STORED:
		return "stored in the file";
	case WINDOW_SOURCE_MINMAX:
		return "the frame's min-max";
	case WINDOW_SOURCE_NONE:
	default:
		return "none (colour)";
	}
}

/* One "label: value" line of the panel; returns the next row. */
static int panel_field(struct ui_canvas *c, int y, int x, int w, const char *label,
                       const char *value)
{
	ui_put(c, y, x, w, UI_STYLE_HEADER, label);
	ui_put(c, y + 1, x + 2, w - 2, UI_STYLE_NORMAL, value != NULL && *value ? value : "-");
	return y + 2;
}

static void draw_panel(struct preview_state *s, struct ui_canvas *c, int top, int rows, int x,
                       int w)
{
	const struct preview_view *v = &s->view;
	const struct dicom_image *d = v->picture != NULL ? picture_dicom(v->picture) : NULL;
	int y = top, bottom = top + rows;
	char text[128];

	if (v->picture == NULL)
		return;
	if (d != NULL) {
		y = panel_field(c, y, x, w, "Modality", d->modality);
		if (*d->body_part != '\0')
			y = panel_field(c, y, x, w, "Body part", d->body_part);
	} else {
		y = panel_field(c, y, x, w, "Format", picture_format(v->picture));
	}
	snprintf(text, sizeof text, "%u x %u", picture_width(v->picture),
	         picture_height(v->picture));
	y = panel_field(c, y, x, w, "Size", text);
	snprintf(text, sizeof text, "%u of %u", v->frame + 1, preview_view_frames(v));
	y = panel_field(c, y, x, w, "Frame", text);
	if (v->source != WINDOW_SOURCE_NONE)
		snprintf(text, sizeof text, "C %g  W %g", v->window.center, v->window.width);
	else
		snprintf(text, sizeof text, "none");
	y = panel_field(c, y, x, w, "Window", text);
	ui_put(c, y++, x + 2, w - 2, UI_STYLE_MUTED, source_name(v));
	if (d != NULL && y + 2 <= bottom) {
		snprintf(text, sizeof text, "%s", dicom_transfer_syntax_name(d->transfer_syntax));
		y = panel_field(c, y, x, w, "Transfer syntax", text);
	}
	if (y + 4 <= bottom) {
		y++;
		ui_put(c, y++, x, w, UI_STYLE_MUTED, "n N  frames");
		ui_put(c, y++, x, w, UI_STYLE_MUTED, "< >  width   - +  level");
		ui_put(c, y++, x, w, UI_STYLE_MUTED, "1-4  CT presets   0  reset");
		if (s->count > 1 && y < bottom)
			ui_put(c, y++, x, w, UI_STYLE_MUTED, "Tab  next preview");
	}
}

static void preview_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct preview_state *s = state;
	json_t *p = json_array_get(s->previews, s->index);
	bool panel = area.cols >= PREVIEW_PANEL_MIN_COLS;
	int image_cols = panel ? area.cols - PREVIEW_PANEL_COLS - 2 : area.cols;
	char *head;

	if (s->count == 0) {
		ui_put(c, area.top, 0, area.cols, UI_STYLE_MUTED,
		       "This collection has published no previews.");
		return;
	}
	head = xasprintf("%zu of %zu: %s", s->index + 1, s->count, catalogue_item_str(p, "title"));
	ui_put(c, area.top, 0, area.cols, UI_STYLE_HEADER, head);
	free(head);
	preview_view_draw(&s->view, c, area.top + 1, 0, area.rows - 1, image_cols);
	if (panel)
		draw_panel(s, c, area.top + 1, area.rows - 1, area.cols - PREVIEW_PANEL_COLS,
		           PREVIEW_PANEL_COLS);
}

/* The action's window change, or false when a is not one. */
static bool window_action(struct preview_view *v, enum ui_action a, bool *changed)
{
	static const struct {
		enum ui_action action;
		const char *preset;
	} presets[] = {
		{ UI_ACTION_PRESET_BRAIN, "brain" },
		{ UI_ACTION_PRESET_SOFT_TISSUE, "soft-tissue" },
		{ UI_ACTION_PRESET_LUNG, "lung" },
		{ UI_ACTION_PRESET_BONE, "bone" },
	};

	switch (a) {
	case UI_ACTION_NEXT_FRAME:
		*changed = preview_view_step_frame(v, 1);
		return true;
	case UI_ACTION_PREV_FRAME:
		*changed = preview_view_step_frame(v, -1);
		return true;
	case UI_ACTION_WINDOW_NARROWER:
		*changed = preview_view_scale_width(v, 0.8);
		return true;
	case UI_ACTION_WINDOW_WIDER:
		*changed = preview_view_scale_width(v, 1.25);
		return true;
	case UI_ACTION_LEVEL_DOWN:
		*changed = preview_view_shift_level(v, -1);
		return true;
	case UI_ACTION_LEVEL_UP:
		*changed = preview_view_shift_level(v, 1);
		return true;
	case UI_ACTION_WINDOW_RESET:
		*changed = preview_view_preset(v, NULL);
		return true;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		if (presets[i].action == a) {
			*changed = preview_view_preset(v, presets[i].preset);
			return true;
		}
	}
	return false;
}

static struct screen_result preview_action(struct app *app, void *state, enum ui_action a)
{
	struct preview_state *s = state;
	bool changed = false;

	if (window_action(&s->view, a, &changed)) {
		if (!changed && *s->view.message != '\0')
			app_status(app, false, "%s", s->view.message);
		return screen_handled();
	}
	switch (a) {
	case UI_ACTION_NEXT_PANE:
	case UI_ACTION_PREV_PANE:
		if (s->count < 2) {
			app_status(app, false, "This collection has one preview");
			return screen_handled();
		}
		s->index = (s->index + (a == UI_ACTION_NEXT_PANE ? 1 : s->count - 1)) % s->count;
		open_current(app, s);
		return screen_handled();
	case UI_ACTION_BACK:
		return screen_pop();
	default:
		return screen_unhandled();
	}
}

static const char *preview_hint(struct app *app, void *state)
{
	return "n/N frame  </> width  -/+ level  1-4 presets  0 reset";
}

const struct screen_ops preview_screen = {
	.name = "preview",
	.title = "Preview",
	.state_size = sizeof(struct preview_state),
	.enter = preview_enter,
	.leave = preview_leave,
	.draw = preview_draw,
	.action = preview_action,
	.hint = preview_hint,
};
