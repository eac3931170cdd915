/* "My requests": the user's access requests, the local drafts of this hub
 * first (being written, or sent with no reply yet), then the negotiations
 * the hub has for them as author, each with its state in words and who
 * has to act next (core/negotiation.h's tables). Enter reopens a draft in
 * the form exactly as it was, or opens a negotiation's detail. The list
 * comes from the hub without blocking; drafts are read again whenever
 * this process changed one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/negotiation.h"
#include "screens/access.h"
#include "screens/app.h"
#include "screens/cells.h"
#include "screens/screen.h"
#include "store/drafts.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

struct item {
	bool draft;
	char *id;    /* the draft's or the negotiation's */
	char *shown; /* what the id column says */
	char *state; /* in words */
	char *next;  /* who acts next, in words */
	char *title; /* the cohort or the request's title */
};

struct requests_state {
	bool review;  /* the review queue rather than the user's own */
	size_t asked; /* review: lists asked for, and answered */
	size_t answered;
	struct item *items;
	size_t n;
	size_t n_drafts;
	size_t cur, top;
	int page;
	bool loading;
	bool loaded;
	char problem[512];
	char draft_problem[512];
	unsigned long generation; /* draft_generation() when the drafts were read */
	struct negotiation *list;
	size_t n_list;
};

static void clear_items(struct requests_state *s, size_t from)
{
	for (size_t i = from; i < s->n; i++) {
		free(s->items[i].id);
		free(s->items[i].shown);
		free(s->items[i].state);
		free(s->items[i].next);
		free(s->items[i].title);
	}
	s->n = from;
}

static void push_item(struct requests_state *s, struct item it)
{
	s->items = xreallocarray(s->items, s->n + 1, sizeof *s->items);
	s->items[s->n++] = it;
}

static const char *requests_draft_words(enum draft_state st)
{
	return st == DRAFT_EDITING      ? "draft: being written"
	       : st == DRAFT_SUBMITTING ? "draft: sent, no reply yet"
	                                : "draft: submitted";
}

/* Rebuilds the items: the drafts read now, then the hub's list. */
static void rebuild(struct app *app, struct requests_state *s)
{
	struct draft_list l;
	char err[256];

	clear_items(s, 0);
	s->draft_problem[0] = '\0';
	s->generation = draft_generation();
	if (s->review) {
		/* no drafts in the queue */
	} else if (draft_list(&l, err, sizeof err) != 0) {
		snprintf(s->draft_problem, sizeof s->draft_problem, "drafts: %s", err);
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const struct draft *d = l.items[i];

			if (d->state == DRAFT_SUBMITTED ||
			    (app->fed->hub != NULL && strcmp(d->hub, app->fed->hub) != 0))
				continue;
			push_item(s, (struct item){
			                 true,
			                 xstrdup(d->id),
			                 xasprintf("%.8s", d->id),
			                 xstrdup(requests_draft_words(d->state)),
			                 xstrdup("you"),
			                 xstrdup(strcmp(d->cohort_text, "*") == 0
			                             ? "(all subjects: no criteria)"
			                             : d->cohort_text),
			             });
		}
		if (l.n_problems > 0)
			snprintf(s->draft_problem, sizeof s->draft_problem, "skipped %s",
			         l.problems[0]);
		draft_list_clear(&l);
	}
	s->n_drafts = s->n;
	for (size_t i = 0; i < s->n_list; i++) {
		const struct negotiation *ng = &s->list[i];
		enum negotiation_resource_state *rs = xcalloc(ng->n_resources + 1, sizeof *rs);
		unsigned who;

		for (size_t k = 0; k < ng->n_resources; k++)
			rs[k] = ng->resources[k].state;
		who = negotiation_who_next(ng->status, rs, ng->n_resources);
		push_item(s,
		          (struct item){
		              false,
		              xstrdup(ng->id),
		              xasprintf("#%s", ng->display_id),
		              xstrdup(negotiation_state_words(ng->status)),
		              access_who_words(who, !s->review),
		              s->review ? xasprintf("%s: %s", ng->author.name, ng->human_readable)
		                        : xstrdup(ng->human_readable),
		          });
		free(rs);
	}
	if (s->cur >= s->n)
		s->cur = s->n > 0 ? s->n - 1 : 0;
}

/* Oldest first: the queue's order. */
static int by_creation(const void *a, const void *b)
{
	const struct negotiation *x = a, *y = b;
	int c = strcmp(x->creation_date, y->creation_date);

	return c != 0 ? c : strcmp(x->id, y->id);
}

static void got_list(const struct hub_reply *r, void *arg)
{
	struct app *app = ((void **)arg)[0];
	struct requests_state *s = ((void **)arg)[1];
	struct negotiation *list = NULL;
	size_t n = 0;
	struct negotiation_page page;
	char err[256];

	free(arg);
	s->loading = false;
	if (r->error != NULL) {
		s->answered++;
		char *why = sanitize_text(r->error);

		snprintf(s->problem, sizeof s->problem, "The hub's list: %s", why);
		free(why);
		return;
	}
	if (!s->review || s->answered == 0) {
		negotiation_list_free(&s->list, s->n_list);
		s->n_list = 0;
	}
	s->answered++;
	if (negotiation_list_read(r->doc, &list, &n, &page, err, sizeof err) != 0) {
		char *why = sanitize_text(err);

		snprintf(s->problem, sizeof s->problem, "The hub's list: %s", why);
		free(why);
		return;
	}
	/* The committee's queue and a representative's collections may
	 * overlap: each negotiation once. */
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < s->n_list; j++)
			dup = dup || strcmp(s->list[j].id, list[i].id) == 0;
		if (dup) {
			negotiation_clear(&list[i]);
			continue;
		}
		s->list = xreallocarray(s->list, s->n_list + 1, sizeof *s->list);
		s->list[s->n_list++] = list[i];
	}
	free(list);
	if (s->review && s->n_list > 1)
		qsort(s->list, s->n_list, sizeof *s->list, by_creation);
	s->problem[0] = '\0';
	s->loaded = true;
	if (!s->review)
		access_seen_list(app, s->list, s->n_list);
	rebuild(app, s);
}

static void ask(struct app *app, struct requests_state *s, const char *path)
{
	void **p = xcalloc(2, sizeof *p);

	p[0] = app;
	p[1] = s;
	s->loading = true;
	s->asked++;
	if (access_call(app, s, "GET", path, NULL, NULL, got_list, p, free) != 0) {
		free(p);
		s->asked--;
	}
}

static void load(struct app *app, void *arg)
{
	struct requests_state *s = arg;
	char *user = hub_api_escape(access_user(app)), *path;

	s->asked = s->answered = 0;
	if (!s->review) {
		path = xasprintf("/api/v3/users/%s/negotiations?role=AUTHOR&size=100", user);
		ask(app, s, path);
		free(path);
	} else if (!access_is_admin(app) && !access_is_representative(app)) {
		snprintf(s->problem, sizeof s->problem,
		         "You are not on the data access committee nor a representative of a "
		         "collection: M shows your own requests.");
	} else {
		/* The committee: the queue to decide, and those under way, where
		 * it contacts the collections' representatives. */
		if (access_is_admin(app)) {
			ask(app, s, "/api/v3/negotiations?status=SUBMITTED&size=100");
			ask(app, s, "/api/v3/negotiations?status=IN_PROGRESS&size=100");
		}
		if (access_is_representative(app)) {
			path = xasprintf(
			    "/api/v3/users/%s/negotiations?role=REPRESENTATIVE&size=100", user);
			ask(app, s, path);
			free(path);
		}
	}
	free(user);
}

static void reload(struct app *app, struct requests_state *s)
{
	rebuild(app, s);
	if (access_unavailable(app) != NULL) {
		snprintf(s->problem, sizeof s->problem, "%s", access_unavailable(app));
		return;
	}
	if (!s->loading)
		access_when_user(app, s, load, s);
}

static void requests_enter(struct app *app, void *state, const void *arg)
{
	(void)arg;
	reload(app, state);
}

static void review_enter(struct app *app, void *state, const void *arg)
{
	struct requests_state *s = state;

	(void)arg;
	s->review = true;
	reload(app, s);
}

static void requests_leave(struct app *app, void *state)
{
	struct requests_state *s = state;

	access_cancel(app, s);
	clear_items(s, 0);
	free(s->items);
	negotiation_list_free(&s->list, s->n_list);
}

static void requests_draw(struct app *app, void *state, struct ui_canvas *c,
                          struct screen_area area)
{
	struct requests_state *s = state;
	int y = area.top, w_id = 10, w_state = 26, w_next = 34, x, rows;

	/* A submit or an edit elsewhere: read again (and ask the hub). */
	if (s->generation != draft_generation() ||
	    (!s->review && !s->loading && s->problem[0] == '\0' && access_badge(app) != NULL))
		reload(app, s);
	if (area.cols < 100) {
		w_state = 21;
		w_next = 24;
	}
	x = 0;
	ui_put_fill(c, y, 0, area.cols, UI_STYLE_HEADER, "");
	ui_put(c, y, 1, w_id, UI_STYLE_HEADER, "REQUEST");
	ui_put(c, y, 1 + w_id, w_state, UI_STYLE_HEADER, "STATE");
	ui_put(c, y, 1 + w_id + w_state, w_next, UI_STYLE_HEADER, "NEXT TO ACT");
	ui_put(c, y, 1 + w_id + w_state + w_next, area.cols, UI_STYLE_HEADER, "COHORT / TITLE");
	y++;
	rows = area.rows - 3;
	s->page = rows;
	if (s->cur < s->top)
		s->top = s->cur;
	if (rows > 0 && s->cur >= s->top + (size_t)rows)
		s->top = s->cur + 1 - (size_t)rows;
	for (int k = 0; k < rows && s->top + (size_t)k < s->n; k++) {
		const struct item *it = &s->items[s->top + (size_t)k];
		bool here = s->top + (size_t)k == s->cur;
		enum ui_style st = here ? UI_STYLE_CURSOR : UI_STYLE_NORMAL;
		char *clean = sanitize_text(it->title);

		ui_put_fill(c, y + k, 0, area.cols, st, "");
		x = 1;
		ui_put(c, y + k, x, w_id - 1, st, it->shown);
		x += w_id;
		cells_put_cut(c, y + k, x, w_state - 1, it->draft && !here ? UI_STYLE_WARNING : st,
		              it->state, (int)utf8_width(it->state), false);
		x += w_state;
		cells_put_cut(c, y + k, x, w_next - 1,
		              !here && strncmp(it->next, "you", 3) == 0 ? UI_STYLE_ACCENT : st,
		              it->next, (int)utf8_width(it->next), false);
		x += w_next;
		cells_put_cut(c, y + k, x, area.cols - x, st, clean, (int)utf8_width(clean), false);
		free(clean);
	}
	y = area.top + area.rows - 1;
	if (s->problem[0] != '\0')
		ui_put(c, y, 0, area.cols, UI_STYLE_ERROR, s->problem);
	else if (s->draft_problem[0] != '\0')
		ui_put(c, y, 0, area.cols, UI_STYLE_WARNING, s->draft_problem);
	else if (s->loading && !s->loaded)
		ui_put(c, y, 0, area.cols, UI_STYLE_MUTED, "Asking the hub for your requests...");
	else if (s->n == 0 && s->review)
		ui_put(c, y, 0, area.cols, UI_STYLE_MUTED, "Nothing to review.");
	else if (s->n == 0)
		ui_put(
		    c, y, 0, area.cols, UI_STYLE_MUTED,
		    "No requests yet: build a cohort, then A requests access to its collections.");
	else
		ui_put(c, y, 0, area.cols, UI_STYLE_MUTED,
		       s->n_drafts > 0 ? "Drafts are kept on this machine until they are sent."
		                       : "");
}

static struct screen_result requests_action(struct app *app, void *state, enum ui_action a)
{
	struct requests_state *s = state;
	static char id[UUID_TEXT_LEN + 1];
	static struct request_form_open form = { id, NULL };
	static char nid[NEGOTIATION_MAX_ID + 1];
	static struct access_open open = { nid, false };
	long page = s->page > 1 ? s->page - 1 : 1;

	switch (a) {
	case UI_ACTION_MOVE_UP:
	case UI_ACTION_MOVE_DOWN:
	case UI_ACTION_PAGE_UP:
	case UI_ACTION_PAGE_DOWN:
	case UI_ACTION_FIRST:
	case UI_ACTION_LAST: {
		long cur = (long)s->cur + (a == UI_ACTION_MOVE_UP     ? -1
		                           : a == UI_ACTION_MOVE_DOWN ? 1
		                           : a == UI_ACTION_PAGE_UP   ? -page
		                           : a == UI_ACTION_PAGE_DOWN ? page
		                           : a == UI_ACTION_FIRST     ? -(long)s->n
		                                                      : (long)s->n);

		s->cur = cur < 0 ? 0 : s->n == 0 ? 0 : cur >= (long)s->n ? s->n - 1 : (size_t)cur;
		return screen_handled();
	}
	case UI_ACTION_OPEN:
		if (s->n == 0)
			return screen_handled();
		if (s->items[s->cur].draft) {
			snprintf(id, sizeof id, "%s", s->items[s->cur].id);
			return screen_push(&request_form_screen, &form);
		}
		snprintf(nid, sizeof nid, "%s", s->items[s->cur].id);
		open.review = s->review;
		return screen_push(&negotiation_screen, &open);
	case UI_ACTION_REDRAW:
		reload(app, s);
		return screen_handled();
	case UI_ACTION_MY_REQUESTS:
		if (s->review)
			return screen_push(&requests_screen, NULL);
		reload(app, s);
		return screen_handled();
	case UI_ACTION_REVIEW:
		if (!s->review)
			return screen_push(&review_screen, NULL);
		return screen_handled();
	default:
		return screen_unhandled();
	}
}

static const char *requests_hint(struct app *app, void *state)
{
	struct requests_state *s = state;

	(void)app;
	return s->review ? "Enter review  C-l refresh  M my requests"
	                 : "Enter open  C-l refresh  A new request";
}

const struct screen_ops requests_screen = {
	.name = "requests",
	.title = "My requests",
	.state_size = sizeof(struct requests_state),
	.enter = requests_enter,
	.leave = requests_leave,
	.draw = requests_draw,
	.action = requests_action,
	.hint = requests_hint,
};

const struct screen_ops review_screen = {
	.name = "review",
	.title = "Review: access requests, oldest first",
	.state_size = sizeof(struct requests_state),
	.enter = review_enter,
	.leave = requests_leave,
	.draw = requests_draw,
	.action = requests_action,
	.hint = requests_hint,
};
