/* The cohorts screen: the user's saved cohorts and the history of queries
 * run, in two panes switched with Tab, filtered by the search line. Enter
 * loads the one under the cursor into the explorer's cohort (undoable),
 * d deletes a saved cohort after asking. What the files hold came from
 * outside: it is sanitised by the canvas when drawn and parsed again
 * before it becomes the cohort, and a text that no longer parses loads
 * nothing. The lists are read again when this process changed the files,
 * so a cohort saved with w while the screen is open shows at once. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cohort.h"
#include "core/query.h"
#include "screens/app.h"
#include "screens/cells.h"
#include "screens/screen.h"
#include "store/user_files.h"
#include "ui/actions.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

enum pane { PANE_SAVED, PANE_HISTORY, PANE_COUNT };

enum { PROMPT_DELETE = 1 };

#define HISTORY_SHOWN 1000 /* all the history keeps */
#define NAME_MAX_W    24
#define HASH_W        8
#define WHEN_W        16 /* "2026-01-31 12:00" */
#define DATE_W        10 /* "2026-01-31" */
#define SHORT_WHEN_W  11 /* "01-31 12:00" */
#define MIN_QUERY_W   12
#define GAP           2
#define LEFT          1

struct pane_state {
	size_t *shown; /* indexes of the items matching the filter */
	size_t n_shown;
	size_t cursor, top; /* positions in shown */
};

struct cohorts_state {
	struct user_cohort *saved;
	size_t n_saved;
	struct user_history *history;
	size_t n_history;
	struct pane_state panes[PANE_COUNT];
	enum pane pane;
	char *filter;    /* as typed; "" shows everything */
	char *deleting;  /* the name d asked about */
	char error[256]; /* why the lists could not be read; "" if they could */
	int page_rows;
	int body_y;               /* the row of the first item at the last draw */
	unsigned long generation; /* of the files when read */
};

static void lower_ascii(char *p)
{
	for (; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* True if every space-separated word of filter (lower-cased) occurs in
 * a or b, case-insensitively. */
static bool matches(const char *filter, const char *a, const char *b)
{
	char *hay = xasprintf("%s %s", a, b), *words = xstrdup(filter), *save = NULL;
	bool ok = true;

	lower_ascii(hay);
	for (char *w = strtok_r(words, " ", &save); w != NULL && ok; w = strtok_r(NULL, " ", &save))
		ok = strstr(hay, w) != NULL;
	free(words);
	free(hay);
	return ok;
}

static void clamp(struct cohorts_state *s, struct pane_state *p)
{
	size_t page = s->page_rows > 0 ? (size_t)s->page_rows : 1;

	if (p->n_shown == 0) {
		p->cursor = p->top = 0;
		return;
	}
	if (p->cursor >= p->n_shown)
		p->cursor = p->n_shown - 1;
	if (p->top > p->cursor)
		p->top = p->cursor;
	if (p->cursor >= p->top + page)
		p->top = p->cursor - page + 1;
}

static void apply_filter(struct cohorts_state *s)
{
	char *filter = xstrdup(s->filter);
	struct pane_state *p;

	lower_ascii(filter);
	p = &s->panes[PANE_SAVED];
	p->n_shown = 0;
	for (size_t i = 0; i < s->n_saved; i++)
		if (matches(filter, s->saved[i].name, s->saved[i].text))
			p->shown[p->n_shown++] = i;
	clamp(s, p);
	p = &s->panes[PANE_HISTORY];
	p->n_shown = 0;
	for (size_t i = 0; i < s->n_history; i++)
		if (matches(filter, s->history[i].time, s->history[i].text))
			p->shown[p->n_shown++] = i;
	clamp(s, p);
	free(filter);
}

static void free_lists(struct cohorts_state *s)
{
	user_cohorts_free(&s->saved, s->n_saved);
	user_history_free(&s->history, s->n_history);
	s->n_saved = s->n_history = 0;
	for (int i = 0; i < PANE_COUNT; i++) {
		free(s->panes[i].shown);
		s->panes[i].shown = NULL;
		s->panes[i].n_shown = 0;
	}
}

/* Reads both lists again; a failure is kept to be shown in the body. */
static void read_lists(struct cohorts_state *s)
{
	char err[256];

	free_lists(s);
	s->error[0] = '\0';
	s->generation = user_files_generation();
	if (user_cohort_list(&s->saved, &s->n_saved, err, sizeof err) != 0)
		snprintf(s->error, sizeof s->error, "%s", err);
	if (user_history_list(HISTORY_SHOWN, &s->history, &s->n_history, err, sizeof err) != 0 &&
	    s->error[0] == '\0')
		snprintf(s->error, sizeof s->error, "%s", err);
	s->panes[PANE_SAVED].shown = xcalloc(s->n_saved + 1, sizeof(size_t));
	s->panes[PANE_HISTORY].shown = xcalloc(s->n_history + 1, sizeof(size_t));
	apply_filter(s);
}

static void cohorts_enter(struct app *app, void *state, const void *arg)
{
	struct cohorts_state *s = state;

	s->filter = xstrdup("");
	s->page_rows = 10;
	read_lists(s);
	if (s->error[0] != '\0')
		app_status(app, true, "%s", s->error);
}

static void cohorts_leave(struct app *app, void *state)
{
	struct cohorts_state *s = state;

	free_lists(s);
	free(s->filter);
	free(s->deleting);
}

/* "2026-01-31T12:00:00Z" as "2026-01-31 12:00" cut to width (16, 10 or
 * the short "01-31 12:00"). */
static void format_when(const char *iso, int width, char out[WHEN_W + 1])
{
	if (strlen(iso) < 16) {
		out[0] = '\0';
		return;
	}
	if (width == SHORT_WHEN_W)
		snprintf(out, WHEN_W + 1, "%.5s %.5s", iso + 5, iso + 11);
	else
		snprintf(out, WHEN_W + 1, "%.10s %.5s", iso, iso + 11);
	out[width < WHEN_W ? width : WHEN_W] = '\0';
}

static void put_text(struct ui_canvas *c, int y, int x, int width, enum ui_style style,
                     const char *text)
{
	cells_put_cut(c, y, x, width, style, text, (int)utf8_width(text), false);
}

/* The columns of the saved pane for cols cells: the name's width, and
 * those of the hash and the saved time (0: not shown). */
struct saved_layout {
	int name_w, hash_w, when_w, query_x, query_w;
};

static struct saved_layout saved_layout(const struct cohorts_state *s, int cols)
{
	struct saved_layout l = { 4, 0, 0, 0, 0 };
	int cap = (cols - LEFT) / 3, rest;

	for (size_t i = 0; i < s->n_saved; i++) {
		int w = (int)utf8_width(s->saved[i].name);

		if (w > l.name_w)
			l.name_w = w;
	}
	if (cap < 8)
		cap = 8;
	if (l.name_w > NAME_MAX_W)
		l.name_w = NAME_MAX_W;
	if (l.name_w > cap)
		l.name_w = cap;
	rest = cols - LEFT - l.name_w - GAP;
	if (rest >= WHEN_W + GAP + MIN_QUERY_W)
		l.when_w = WHEN_W;
	else if (rest >= DATE_W + GAP + MIN_QUERY_W)
		l.when_w = DATE_W;
	if (l.when_w > 0)
		rest -= l.when_w + GAP;
	if (rest >= HASH_W + GAP + MIN_QUERY_W) {
		l.hash_w = HASH_W;
		rest -= HASH_W + GAP;
	}
	l.query_x = cols - rest;
	l.query_w = rest;
	return l;
}

static void draw_saved_row(const struct cohorts_state *s, const struct saved_layout *l,
                           struct ui_canvas *c, int y, size_t i, enum ui_style style)
{
	const struct user_cohort *e = &s->saved[i];
	int x = LEFT + l->name_w + GAP;
	char when[WHEN_W + 1];

	put_text(c, y, LEFT, l->name_w, style, e->name);
	if (l->hash_w > 0) {
		ui_put(c, y, x, HASH_W, style, e->hash[0] != '\0' ? e->hash : "-");
		x += HASH_W + GAP;
	}
	if (l->when_w > 0) {
		format_when(e->saved, l->when_w, when);
		ui_put(c, y, x, l->when_w, style, when[0] != '\0' ? when : "-");
	}
	put_text(c, y, l->query_x, l->query_w, style, e->text);
}

static int history_when_w(int cols)
{
	return cols - LEFT - WHEN_W - GAP >= 2 * MIN_QUERY_W ? WHEN_W : SHORT_WHEN_W;
}

static void draw_history_row(const struct cohorts_state *s, struct ui_canvas *c, int y, size_t i,
                             enum ui_style style)
{
	const struct user_history *e = &s->history[i];
	int when_w = history_when_w(c->cols), x = LEFT + when_w + GAP;
	char when[WHEN_W + 1];

	format_when(e->time, when_w, when);
	ui_put(c, y, LEFT, when_w, style, when);
	put_text(c, y, x, c->cols - x, style, e->text);
}

static void draw_tabs(const struct cohorts_state *s, struct ui_canvas *c, int y)
{
	char saved[64], history[64];
	int x = LEFT;

	snprintf(saved, sizeof saved, "%sSaved %zu%s", s->pane == PANE_SAVED ? "[" : " ",
	         s->n_saved, s->pane == PANE_SAVED ? "]" : " ");
	snprintf(history, sizeof history, "%sHistory %zu%s", s->pane == PANE_HISTORY ? "[" : " ",
	         s->n_history, s->pane == PANE_HISTORY ? "]" : " ");
	ui_put_fill(c, y, 0, c->cols, UI_STYLE_NORMAL, "");
	x += ui_put(c, y, x, c->cols - x, s->pane == PANE_SAVED ? UI_STYLE_ACCENT : UI_STYLE_MUTED,
	            saved);
	x += GAP;
	if (x < c->cols)
		ui_put(c, y, x, c->cols - x,
		       s->pane == PANE_HISTORY ? UI_STYLE_ACCENT : UI_STYLE_MUTED, history);
}

static void draw_header(const struct cohorts_state *s, const struct saved_layout *l,
                        struct ui_canvas *c, int y)
{
	ui_put_fill(c, y, 0, c->cols, UI_STYLE_HEADER, "");
	if (s->pane == PANE_SAVED) {
		int x = LEFT + l->name_w + GAP;

		ui_put(c, y, LEFT, l->name_w, UI_STYLE_HEADER, "NAME");
		if (l->hash_w > 0) {
			ui_put(c, y, x, HASH_W, UI_STYLE_HEADER, "HASH");
			x += HASH_W + GAP;
		}
		if (l->when_w > 0)
			ui_put(c, y, x, l->when_w, UI_STYLE_HEADER,
			       l->when_w == WHEN_W ? "SAVED (UTC)" : "SAVED");
		ui_put(c, y, l->query_x, l->query_w, UI_STYLE_HEADER, "QUERY");
	} else {
		int when_w = history_when_w(c->cols);

		ui_put(c, y, LEFT, when_w, UI_STYLE_HEADER, "RUN (UTC)");
		if (LEFT + when_w + GAP < c->cols)
			ui_put(c, y, LEFT + when_w + GAP, c->cols - LEFT - when_w - GAP,
			       UI_STYLE_HEADER, "QUERY");
	}
}

static void draw_footer(const struct cohorts_state *s, struct ui_canvas *c, int y)
{
	const struct pane_state *p = &s->panes[s->pane];
	size_t total = s->pane == PANE_SAVED ? s->n_saved : s->n_history;
	struct buf b = BUF_INIT;

	for (int detail = 1; detail >= 0; detail--) {
		buf_reset(&b);
		buf_printf(&b, "%zu of %zu%s", p->n_shown, total,
		           s->pane == PANE_SAVED ? " saved cohorts" : " queries run");
		if (detail > 0 && *s->filter != '\0')
			buf_printf(&b, " matching '%s'", s->filter);
		if ((int)utf8_width(buf_str(&b)) <= c->cols)
			break;
	}
	ui_put_fill(c, y, 0, c->cols, UI_STYLE_MUTED, buf_str(&b));
	buf_free(&b);
}

static void cohorts_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct cohorts_state *s = state;
	struct pane_state *p;
	struct saved_layout l;
	bool header = area.rows >= 3, footer = area.rows >= 4;
	int y = area.top, body;

	if (s->generation != user_files_generation())
		read_lists(s);
	p = &s->panes[s->pane];
	l = saved_layout(s, area.cols);
	draw_tabs(s, c, y++);
	if (header)
		draw_header(s, &l, c, y++);
	body = area.rows - 1 - header - footer;
	s->page_rows = body > 0 ? body : 1;
	s->body_y = y;
	clamp(s, p);
	if (p->n_shown == 0 && body > 0) {
		const char *msg = s->error[0] != '\0'  ? s->error
		                  : *s->filter != '\0' ? "Nothing matches the search"
		                  : s->pane == PANE_SAVED
		                      ? "No saved cohort yet: w saves the cohort"
		                      : "No query run yet";

		ui_put(c, y, LEFT, area.cols - LEFT,
		       s->error[0] != '\0' ? UI_STYLE_ERROR : UI_STYLE_WARNING, msg);
	}
	for (int r = 0; r < body && p->top + (size_t)r < p->n_shown; r++) {
		size_t pos = p->top + (size_t)r;
		enum ui_style style = pos == p->cursor ? UI_STYLE_CURSOR : UI_STYLE_NORMAL;

		ui_put_fill(c, y + r, 0, area.cols, style, "");
		if (s->pane == PANE_SAVED)
			draw_saved_row(s, &l, c, y + r, p->shown[pos], style);
		else
			draw_history_row(s, c, y + r, p->shown[pos], style);
	}
	if (footer)
		draw_footer(s, c, area.top + area.rows - 1);
}

/* Makes text the cohort, or says why it cannot be. */
static struct screen_result load_text(struct app *app, const char *text, const char *what)
{
	struct query_error err;

	if (cohort_set_text(app->cohort, text, &err) != 0) {
		app_status(app, true, "%s no longer parses: %d: %s", what, err.column, err.message);
		return screen_handled();
	}
	app_cohort_changed(app);
	app_status(app, false, "Loaded %s", what);
	return screen_pop();
}

static struct screen_result open_item(struct app *app, struct cohorts_state *s)
{
	const struct pane_state *p = &s->panes[s->pane];
	struct screen_result r;
	char *what, when[WHEN_W + 1];
	size_t i;

	if (p->n_shown == 0)
		return screen_handled();
	i = p->shown[p->cursor];
	if (s->pane == PANE_SAVED) {
		what = xasprintf("'%s'", s->saved[i].name);
		r = load_text(app, s->saved[i].text, what);
	} else {
		format_when(s->history[i].time, WHEN_W, when);
		what = xasprintf("the query run %s", when);
		r = load_text(app, s->history[i].text, what);
	}
	free(what);
	return r;
}

static void ask_delete(struct app *app, struct cohorts_state *s)
{
	const struct pane_state *p = &s->panes[PANE_SAVED];
	char label[128];

	if (s->pane != PANE_SAVED) {
		app_status(app, false,
		           "The history keeps every query: only saved cohorts are deleted");
		return;
	}
	if (p->n_shown == 0)
		return;
	free(s->deleting);
	s->deleting = xstrdup(s->saved[p->shown[p->cursor]].name);
	snprintf(label, sizeof label, "Delete '%s'? (y/n)", s->deleting);
	app_prompt(app, PROMPT_DELETE, label, "");
}

static void move(struct cohorts_state *s, long delta)
{
	struct pane_state *p = &s->panes[s->pane];

	if (delta < 0)
		p->cursor = (size_t)-delta > p->cursor ? 0 : p->cursor - (size_t)-delta;
	else
		p->cursor += (size_t)delta;
	clamp(s, p);
}

static struct screen_result cohorts_action(struct app *app, void *state, enum ui_action a)
{
	struct cohorts_state *s = state;
	struct pane_state *p = &s->panes[s->pane];

	switch (a) {
	case UI_ACTION_MOVE_UP:
		move(s, -1);
		break;
	case UI_ACTION_MOVE_DOWN:
		move(s, 1);
		break;
	case UI_ACTION_PAGE_UP:
		move(s, -(long)s->page_rows);
		break;
	case UI_ACTION_PAGE_DOWN:
		move(s, s->page_rows);
		break;
	case UI_ACTION_FIRST:
		move(s, -(long)p->cursor);
		break;
	case UI_ACTION_LAST:
		move(s, (long)p->n_shown);
		break;
	case UI_ACTION_NEXT_PANE:
	case UI_ACTION_PREV_PANE:
		s->pane = s->pane == PANE_SAVED ? PANE_HISTORY : PANE_SAVED;
		break;
	case UI_ACTION_OPEN:
		return open_item(app, s);
	case UI_ACTION_CLEAR_FIELD:
		ask_delete(app, s);
		break;
	case UI_ACTION_COHORTS:
		break; /* already here */
	case UI_ACTION_BACK:
		/* A kept filter goes first. */
		if (*s->filter == '\0')
			return screen_unhandled();
		free(s->filter);
		s->filter = xstrdup("");
		apply_filter(s);
		break;
	default:
		return screen_unhandled();
	}
	return screen_handled();
}

static void cohorts_search(struct app *app, void *state, const char *text)
{
	struct cohorts_state *s = state;

	free(s->filter);
	s->filter = xstrdup(text);
	apply_filter(s);
}

static const char *cohorts_prompt(struct app *app, void *state, int tag, const char *answer)
{
	struct cohorts_state *s = state;
	char err[256];

	if (tag != PROMPT_DELETE || s->deleting == NULL)
		return NULL;
	if (strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 || strcmp(answer, "yes") == 0) {
		if (user_cohort_delete(s->deleting, err, sizeof err) != 0)
			app_status(app, true, "%s", err);
		else
			app_status(app, false, "Deleted '%s'", s->deleting);
		read_lists(s);
	} else if (*answer == '\0' || strcmp(answer, "n") == 0 || strcmp(answer, "N") == 0 ||
	           strcmp(answer, "no") == 0) {
		app_status(app, false, "Kept '%s'", s->deleting);
	} else {
		return "answer y or n (Esc keeps it)";
	}
	free(s->deleting);
	s->deleting = NULL;
	return NULL;
}

static const char *cohorts_hint(struct app *app, void *state)
{
	const struct cohorts_state *s = state;

	return s->pane == PANE_SAVED ? "Enter load  d delete  Tab history  / search"
	                             : "Enter load  Tab saved  / search";
}

/* The mouse: the wheel moves the cursor, a click puts it on an item. */
static struct screen_result cohorts_key(struct app *app, void *state, int key)
{
	struct cohorts_state *s = state;
	struct pane_state *p = &s->panes[s->pane];
	long row = (long)app->mouse_y - s->body_y;

	switch (key) {
	case UI_KEY_WHEEL_UP:
		move(s, -3);
		return screen_handled();
	case UI_KEY_WHEEL_DOWN:
		move(s, 3);
		return screen_handled();
	case UI_KEY_MOUSE_CLICK:
		if (row >= 0 && row < s->page_rows && p->top + (size_t)row < p->n_shown)
			p->cursor = p->top + (size_t)row;
		return screen_handled();
	default:
		return screen_unhandled();
	}
}

const struct screen_ops cohorts_screen = {
	.name = "cohorts",
	.title = "Cohorts",
	.state_size = sizeof(struct cohorts_state),
	.enter = cohorts_enter,
	.leave = cohorts_leave,
	.draw = cohorts_draw,
	.action = cohorts_action,
	.key = cohorts_key,
	.search = cohorts_search,
	.hint = cohorts_hint,
	.prompt = cohorts_prompt,
};
