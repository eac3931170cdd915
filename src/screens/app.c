/* The explorer's frame: the screen stack, key dispatch (the bottom line
 * when it has the keyboard, then the top screen, then global actions), the
 * cohort with its counts, and the lines around the screens: a title at
 * the top, a status, search, query or prompt line at the bottom. */
#include "config.h"

#include "screens/app.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/access.h"
#include "store/user_files.h"
#include "ui/keys.h"
#include "util/log.h"
#include "util/utf8.h"
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

struct app *app_new(struct federation *fed, struct http_multi *net, bool background)
{
	struct app *app = xcalloc(1, sizeof *app);

	app->fed = fed;
	app->net = net;
	app->catalogue = fed->catalogue;
	app->selected = json_object();
	app->cohort = cohort_new(fed->vocab);
	app->counts =
	    counts_new(fed, net, (background ? COUNTS_BACKGROUND : 0) | COUNTS_ATTRITION, NULL, 0);
	push(app, &catalogue_screen, NULL);
	access_new(app);
	return app;
}

void app_free(struct app **ap)
{
	struct app *app = *ap;

	if (app == NULL)
		return;
	while (app->depth > 0)
		pop(app);
	access_free(&app->access);
	json_decref(app->selected);
	counts_free(&app->counts);
	cohort_free(&app->cohort);
	ui_line_free(&app->line);
	free(app);
	*ap = NULL;
}

void app_push(struct app *app, const struct screen_ops *ops, const void *arg)
{
	push(app, ops, arg);
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

/* The app's own questions (the screens' tags are not negative). */
enum { APP_PROMPT_SAVE = -1, APP_PROMPT_REPLACE = -2 };

/* Adds the cohort to the history unless it is everything or the last
 * entry already. A failure is shown once, then only logged: the cohort
 * and the counts do not depend on it. */
static void add_history(struct app *app)
{
	struct user_history *last = NULL;
	size_t n = 0;
	char err[256];

	if (strcmp(app->cohort->text, "*") == 0)
		return;
	if (!app->history_read) {
		app->history_read = true;
		if (user_history_list(1, &last, &n, err, sizeof err) == 0 && n == 1)
			snprintf(app->history_hash, sizeof app->history_hash, "%s", last->hash);
		user_history_free(&last, n);
	}
	if (strcmp(app->history_hash, app->cohort->hash) == 0)
		return;
	if (user_history_add(app->cohort->hash, app->cohort->text, err, sizeof err) != 0) {
		log_warn("history: %s", err);
		if (!app->history_failed)
			app_status(app, true, "history not kept: %s", err);
		app->history_failed = true;
		return;
	}
	snprintf(app->history_hash, sizeof app->history_hash, "%s", app->cohort->hash);
}

void app_cohort_changed(struct app *app)
{
	counts_request(app->counts, app->cohort->query, app->cohort->version);
	add_history(app);
}

/* Enter on the save prompt (or on "replace?", where the same name again
 * replaces and another name starts over). The cohort is never touched. */
static void save_answer(struct app *app, int tag, const char *answer)
{
	char name[256], err[256], label[128];
	size_t n;
	bool replace;

	answer += strspn(answer, " ");
	snprintf(name, sizeof name, "%s", answer);
	for (n = strlen(name); n > 0 && name[n - 1] == ' '; n--)
		name[n - 1] = '\0';
	if (user_name_check(name, err, sizeof err) != 0) {
		app->line_mode = APP_LINE_PROMPT; /* ask again */
		app_status(app, true, "%s (Esc cancels)", err);
		return;
	}
	replace = tag == APP_PROMPT_REPLACE && strcmp(name, app->save_name) == 0;
	if (!replace && user_cohort_exists(name)) {
		snprintf(app->save_name, sizeof app->save_name, "%s", name);
		snprintf(label, sizeof label, "replace '%s'? type the name again:", name);
		app_prompt(app, APP_PROMPT_REPLACE, label, "");
		return;
	}
	if (user_cohort_save(name, app->cohort->text, app->cohort->hash, replace, err,
	                     sizeof err) != 0) {
		app_status(app, true, "not saved: %s", err);
		return;
	}
	snprintf(app->save_name, sizeof app->save_name, "%s", name);
	app_status(app, false, "Saved '%s'%s", name, replace ? " (replaced)" : "");
}

void app_prompt(struct app *app, int tag, const char *label, const char *initial)
{
	app->line_mode = APP_LINE_PROMPT;
	app->prompt_tag = tag;
	app->line_error_col = 0;
	snprintf(app->prompt, sizeof app->prompt, "%s", label);
	ui_line_set(&app->line, initial != NULL ? initial : "");
}

int app_wait(struct app *app, struct pollfd *tty, int timeout_ms)
{
	struct pollfd fds[2] = { *tty, { counts_fd(app->counts), POLLIN, 0 } };
	int rc;

	timeout_ms = access_timeout(app, timeout_ms); /* a poll of the requests is due */
	rc = app->net != NULL ? http_multi_wait(app->net, fds, 2, timeout_ms)
	                      : poll(fds, 2, timeout_ms);
	access_tick(app);

	if (rc < 0 && app->net == NULL && errno == EINTR)
		rc = 0; /* a signal: the loop looks at it */
	tty->revents = rc < 0 ? 0 : fds[0].revents;
	if (rc < 0)
		return -1;
	if (!counts_collect(app->counts))
		return 0;
	/* A request that could not reach every site: say why, once. */
	if (app->counts->problem != NULL && app->problem_version != app->counts->version) {
		app->problem_version = app->counts->version;
		app_status(app, true, "%s", app->counts->problem);
	}
	return 1;
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

/* Opens the query line on the cohort's text. */
static void edit_query(struct app *app)
{
	app->line_mode = APP_LINE_QUERY;
	app->line_error_col = 0;
	ui_line_set(&app->line, strcmp(app->cohort->text, "*") == 0 ? "" : app->cohort->text);
}

/* Enter on the query line: the text becomes the cohort, or the error is
 * shown at its place and the line stays open. */
static void apply_query(struct app *app)
{
	struct query_error err;
	const char *text = ui_line_text(&app->line);

	if (*text == '\0') {
		cohort_clear(app->cohort);
	} else if (cohort_set_text(app->cohort, text, &err) != 0) {
		app_status(app, true, "column %d: %s", err.column, err.message);
		app->line_error_col = err.column;
		ui_line_set_cursor_char(&app->line, (size_t)err.column);
		return;
	}
	app->line_mode = APP_LINE_NONE;
	app_cohort_changed(app);
}

/* The bottom line has the keyboard: edits go to the line (and, for a
 * search, live to the screen); Enter takes the line, Esc drops it. */
static void line_key(struct app *app, struct app_frame *top, int key)
{
	if (key == UI_KEY_ESC) {
		if (app->line_mode == APP_LINE_SEARCH)
			top->ops->search(app, top->state, "");
		if (app->line_mode == APP_LINE_PROMPT && app->prompt_tag >= 0 &&
		    top->ops->prompt_edit != NULL)
			top->ops->prompt_edit(app, top->state, app->prompt_tag, NULL);
		app->line_mode = APP_LINE_NONE;
		ui_line_clear(&app->line);
		return;
	}
	if (key == UI_KEY_ENTER) {
		if (app->line_mode == APP_LINE_QUERY) {
			apply_query(app);
		} else if (app->line_mode == APP_LINE_PROMPT && app->prompt_tag < 0) {
			char *answer = xstrdup(ui_line_text(&app->line));

			app->line_mode = APP_LINE_NONE;
			save_answer(app, app->prompt_tag, answer);
			free(answer);
		} else if (app->line_mode == APP_LINE_PROMPT) {
			/* The answer may ask a next question (app_prompt): that one stays. */
			char *answer = xstrdup(ui_line_text(&app->line));
			const char *msg;

			app->line_mode = APP_LINE_NONE;
			msg = top->ops->prompt != NULL
			          ? top->ops->prompt(app, top->state, app->prompt_tag, answer)
			          : NULL;
			if (msg != NULL) {
				app->line_mode = APP_LINE_PROMPT;
				app_status(app, true, "%s", msg);
			}
			free(answer);
		} else {
			app->line_mode = APP_LINE_NONE;
		}
		return;
	}
	if (ui_line_key(&app->line, key)) {
		app->line_error_col = 0;
		if (app->line_mode == APP_LINE_SEARCH)
			top->ops->search(app, top->state, ui_line_text(&app->line));
		if (app->line_mode == APP_LINE_PROMPT && app->prompt_tag >= 0 &&
		    top->ops->prompt_edit != NULL)
			top->ops->prompt_edit(app, top->state, app->prompt_tag,
			                      ui_line_text(&app->line));
	}
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
		app->line_mode = APP_LINE_SEARCH;
		ui_line_clear(&app->line);
		top->ops->search(app, top->state, "");
		return screen_handled();
	case UI_ACTION_EDIT_QUERY:
		edit_query(app);
		return screen_handled();
	case UI_ACTION_UNDO:
	case UI_ACTION_REDO:
		if (a == UI_ACTION_UNDO ? cohort_undo(app->cohort) : cohort_redo(app->cohort))
			app_cohort_changed(app);
		else
			app_status(app, false, "nothing to %s",
			           a == UI_ACTION_UNDO ? "undo" : "redo");
		return screen_handled();
	case UI_ACTION_BUILDER:
		if (top->ops != &builder_screen)
			return screen_push(&builder_screen, NULL);
		return screen_handled();
	case UI_ACTION_RESULTS:
		if (top->ops != &results_screen)
			return screen_push(&results_screen, NULL);
		return screen_handled();
	case UI_ACTION_SAVE:
		if (strcmp(app->cohort->text, "*") == 0)
			app_status(app, true, "nothing to save: build a cohort first");
		else
			app_prompt(app, APP_PROMPT_SAVE, "Save the cohort as:", app->save_name);
		return screen_handled();
	case UI_ACTION_COHORTS:
		if (top->ops != &cohorts_screen)
			return screen_push(&cohorts_screen, NULL);
		return screen_handled();
	case UI_ACTION_REQUEST_ACCESS:
		return access_request(app);
	case UI_ACTION_MY_REQUESTS:
		if (top->ops != &requests_screen)
			return screen_push(&requests_screen, NULL);
		return screen_handled();
	case UI_ACTION_REVIEW:
		if (top->ops != &review_screen)
			return screen_push(&review_screen, NULL);
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
	if (app->line_mode != APP_LINE_NONE) {
		line_key(app, top, key);
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

/* The hub's URL without its scheme: "hub.example.org:8443". */
static const char *hub_host(const char *url)
{
	const char *p = strstr(url, "://");

	return p != NULL ? p + 3 : url;
}

static void draw_title(struct app *app, struct ui_canvas *c, const struct app_frame *top)
{
	char left[256], right[128];
	size_t n_selected = json_object_size(app->selected);
	int rw;

	/* Where the data comes from: the hub (live or its offline copy), and
	 * whether it is real. */
	right[0] = '\0';
	if (app->fed->offline_as_of != NULL)
		snprintf(right, sizeof right, "offline, as of %s ", app->fed->offline_as_of);
	else if (app->fed->hub != NULL)
		snprintf(right, sizeof right, "%s ", hub_host(app->fed->hub));
	if (app->fed->synthetic)
		snprintf(right + strlen(right), sizeof right - strlen(right),
		         "%ssynthetic demo data ", right[0] != '\0' ? "- " : "");
	rw = (int)utf8_width(right);

	snprintf(left, sizeof left, " ecii %s %s", c->utf8 ? "\xe2\x80\x94" : "-", top->ops->title);
	if (n_selected > 0)
		snprintf(left + strlen(left), sizeof left - strlen(left), "  [%zu selected]",
		         n_selected);
	if (access_badge(app) != NULL)
		snprintf(left + strlen(left), sizeof left - strlen(left), "  [%s]",
		         access_badge(app));
	ui_put_fill(c, 0, 0, c->cols, UI_STYLE_TITLE, left);
	if (c->cols - rw > (int)strlen(left) + 1)
		ui_put(c, 0, c->cols - rw, rw, UI_STYLE_TITLE, right);
}

/* The bottom line: the search, query or prompt line with its cursor, or
 * the status message, or the screen's key hints. */
static void draw_bottom(struct app *app, struct ui_canvas *c, struct app_frame *top)
{
	int y = c->rows - 1;

	if (app->line_mode != APP_LINE_NONE) {
		const char *label = app->line_mode == APP_LINE_SEARCH  ? "/"
		                    : app->line_mode == APP_LINE_QUERY ? "cohort:"
		                                                       : app->prompt;
		int used = ui_put(c, y, 0, c->cols, UI_STYLE_ACCENT, label);

		if (app->line_mode != APP_LINE_SEARCH && used < c->cols)
			used += ui_put(c, y, used, 1, UI_STYLE_NORMAL, " ");
		{
			/* A line longer than the screen scrolls to keep the cursor in view. */
			const char *text = ui_line_text(&app->line);
			int cursor = (int)ui_line_cursor_col(&app->line), room = c->cols - used - 1;
			int skip = room > 0 && cursor > room ? cursor - room : 0;

			while (skip > 0 && *text != '\0') {
				int w = 0;

				text += utf8_next(text, strlen(text), &w);
				skip -= w;
				cursor -= w;
			}
			ui_put_fill(c, y, used, c->cols - used, UI_STYLE_NORMAL, text);
			ui_canvas_cursor(c, y, used + cursor);
		}
		/* An error shows above the line it is about. */
		if (app->status[0] != '\0' && y > 0)
			ui_put_fill(c, y - 1, 0, c->cols, UI_STYLE_ERROR, app->status);
	} else if (app->status[0] != '\0') {
		ui_put_fill(c, y, 0, c->cols, app->status_error ? UI_STYLE_ERROR : UI_STYLE_STATUS,
		            app->status);
	} else {
		const char *hint = top->ops->hint != NULL ? top->ops->hint(app, top->state) : "";
		const char *sep = *hint ? "  " : "";
		char line[512];

		/* The global keys as long as they fit beside the screen's. */
		snprintf(line, sizeof line, "%s%sb build  r results  ? help  q back", hint, sep);
		if ((int)utf8_width(line) > c->cols)
			snprintf(line, sizeof line, "%s%s? help", hint, sep);
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
