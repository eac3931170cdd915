/* The explorer's frame: the screen stack, key dispatch (search line, then
 * the top screen, then global actions) and the lines around the screens:
 * a title at the top, a status or search line at the bottom. */
#include "config.h"

#include "screens/app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/keys.h"
#include "util/xmalloc.h"

static void push(struct app *app, const struct screen_ops *ops, const void *arg)
{
	struct app_frame *f;

	if (app->depth == APP_MAX_DEPTH) {
		app_status(app, true, "too many screens open");
		return;
	}
	f = &app->stack[app->depth++];
	f->ops = ops;
	f->state = xcalloc(1, ops->state_size > 0 ? ops->state_size : 1);
	if (ops->enter != NULL)
		ops->enter(app, f->state, arg);
}

static void pop(struct app *app)
{
	struct app_frame *f = &app->stack[--app->depth];

	if (f->ops->leave != NULL)
		f->ops->leave(app, f->state);
	free(f->state);
	f->state = NULL;
}

struct app *app_new(struct local_fed *fed)
{
	struct app *app = xcalloc(1, sizeof *app);

	app->fed = fed;
	app->catalogue = fed->catalogue;
	app->selected = json_object();
	push(app, &catalogue_screen, NULL);
	return app;
}

void app_free(struct app **ap)
{
	struct app *app = *ap;

	if (app == NULL)
		return;
	while (app->depth > 0)
		pop(app);
	json_decref(app->selected);
	ui_line_free(&app->search);
	free(app);
	*ap = NULL;
}

void *app_top_state(struct app *app)
{
	return app->depth > 0 ? app->stack[app->depth - 1].state : NULL;
}

void app_status(struct app *app, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->status, sizeof app->status, fmt, ap);
	va_end(ap);
	app->status_error = error;
}

bool app_is_selected(const struct app *app, const char *id)
{
	return json_object_get(app->selected, id) != NULL;
}

void app_toggle_selected(struct app *app, const char *id)
{
	if (app_is_selected(app, id))
		json_object_del(app->selected, id);
	else
		json_object_set_new(app->selected, id, json_true());
}

static void apply(struct app *app, struct screen_result r)
{
	if (r.flags & SCREEN_QUIT) {
		app->quit = true;
		return;
	}
	if (r.flags & SCREEN_POP) {
		pop(app);
		if (app->depth == 0)
			app->quit = true;
	}
	if ((r.flags & SCREEN_PUSH) && r.push != NULL)
		push(app, r.push, r.arg);
}

/* The search line has the keyboard: edits go to the line and, live, to
 * the screen; Enter keeps the filter, Esc clears it. */
static void search_key(struct app *app, struct app_frame *top, int key)
{
	if (key == UI_KEY_ENTER || key == UI_KEY_ESC) {
		app->searching = false;
		if (key == UI_KEY_ESC) {
			ui_line_clear(&app->search);
			top->ops->search(app, top->state, "");
		}
		return;
	}
	if (ui_line_key(&app->search, key))
		top->ops->search(app, top->state, ui_line_text(&app->search));
}

static struct screen_result global_action(struct app *app, enum ui_action a)
{
	const struct app_frame *top = &app->stack[app->depth - 1];

	switch (a) {
	case UI_ACTION_QUIT:
		return (struct screen_result){ SCREEN_QUIT, NULL, NULL };
	case UI_ACTION_BACK:
		return screen_pop();
	case UI_ACTION_HELP:
		if (top->ops != &help_screen)
			return screen_push(&help_screen, NULL);
		return screen_handled();
	case UI_ACTION_SEARCH:
		if (top->ops->search == NULL)
			break;
		app->searching = true;
		ui_line_clear(&app->search);
		top->ops->search(app, top->state, "");
		return screen_handled();
	case UI_ACTION_REDRAW:
		return screen_handled();
	default:
		break;
	}
	return screen_unhandled();
}

bool app_key(struct app *app, int key)
{
	struct app_frame *top;
	struct screen_result r = screen_unhandled();
	enum ui_action a;

	if (app->quit || app->depth == 0)
		return false;
	top = &app->stack[app->depth - 1];
	app->status[0] = '\0';
	if (key == UI_KEY_RESIZE)
		return true;
	if (app->searching) {
		search_key(app, top, key);
		return true;
	}
	if (key == UI_KEY_WHEEL_UP || key == UI_KEY_WHEEL_DOWN || key == UI_KEY_MOUSE_CLICK) {
		if (top->ops->key != NULL)
			apply(app, top->ops->key(app, top->state, key));
		return !app->quit;
	}
	a = ui_action_for_key(key);
	if (a != UI_ACTION_NONE && top->ops->action != NULL)
		r = top->ops->action(app, top->state, a);
	if (r.flags == SCREEN_UNHANDLED && a != UI_ACTION_NONE)
		r = global_action(app, a);
	if (r.flags == SCREEN_UNHANDLED && top->ops->key != NULL)
		r = top->ops->key(app, top->state, key);
	if (r.flags == SCREEN_UNHANDLED) {
		char name[16];

		app_status(app, false, "%s: no action here (? shows the keys)",
		           ui_key_name(key, name, sizeof name));
	}
	apply(app, r);
	return !app->quit;
}

static void draw_title(struct app *app, struct ui_canvas *c, const struct app_frame *top)
{
	char left[256];
	const char *right = app->fed->synthetic ? "synthetic demo data " : "";
	size_t n_selected = json_object_size(app->selected);
	int rw = (int)strlen(right);

	snprintf(left, sizeof left, " ecii %s %s", c->utf8 ? "\xe2\x80\x94" : "-", top->ops->title);
	if (n_selected > 0)
		snprintf(left + strlen(left), sizeof left - strlen(left), "  [%zu selected]",
		         n_selected);
	ui_put_fill(c, 0, 0, c->cols, UI_STYLE_TITLE, left);
	if (c->cols - rw > (int)strlen(left) + 1)
		ui_put(c, 0, c->cols - rw, rw, UI_STYLE_TITLE, right);
}

static void draw_bottom(struct app *app, struct ui_canvas *c, struct app_frame *top)
{
	int y = c->rows - 1;

	if (app->searching) {
		int used = ui_put(c, y, 0, c->cols, UI_STYLE_NORMAL, "/");

		ui_put_fill(c, y, used, c->cols - used, UI_STYLE_NORMAL,
		            ui_line_text(&app->search));
		ui_canvas_cursor(c, y, used + (int)ui_line_cursor_col(&app->search));
	} else if (app->status[0] != '\0') {
		ui_put_fill(c, y, 0, c->cols, app->status_error ? UI_STYLE_ERROR : UI_STYLE_STATUS,
		            app->status);
	} else {
		const char *hint = top->ops->hint != NULL ? top->ops->hint(app, top->state) : "";
		char line[512];

		snprintf(line, sizeof line, "%s%s? help  q back  Q quit", hint, *hint ? "  " : "");
		ui_put_fill(c, y, 0, c->cols, UI_STYLE_STATUS, line);
	}
}

void app_draw(struct app *app, struct ui_canvas *c)
{
	struct screen_area area = { 1, c->rows - 2, c->cols };
	struct app_frame *top;

	ui_canvas_clear(c);
	if (app->depth == 0)
		return;
	top = &app->stack[app->depth - 1];
	draw_title(app, c, top);
	if (area.rows > 0)
		top->ops->draw(app, top->state, c, area);
	if (c->rows > 1)
		draw_bottom(app, c, top);
}
