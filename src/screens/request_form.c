/* The access-request form screen: the hub's access form (PROTOCOL.md §6)
 * over a local draft (store/drafts.h). Each element is edited in the
 * terminal: text, long text, numbers and dates on the bottom line (long
 * text wraps at its field), yes/no toggled, choices as lists with Space,
 * information shown as text. Every edit, down to each key typed, is saved
 * in the draft at once, so a kill -9 loses nothing. The validator's
 * message shows at its field: the draft check as the user types, the
 * submit check when sending, and the hub's own field errors after a
 * refusal. A submit is sent once with the draft's Idempotency-Key, saved
 * as SUBMITTING before it leaves; a reply that never came leaves it so,
 * and y (or the next start) sends it again with the same key. The screen
 * never waits for the hub: the request hand-over, the form and the submit
 * are calls on app->net (screens/access.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/access_form.h"
#include "screens/access.h"
#include "screens/app.h"
#include "screens/cells.h"
#include "screens/screen.h"
#include "store/drafts.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

enum { PROMPT_FIELD = 1 };

enum phase {
	PHASE_REQUEST, /* POST /api/v3/requests on its way */
	PHASE_FORM,    /* GET .../access-form on its way */
	PHASE_READY,
	PHASE_FAILED, /* the draft or the form could not be had */
	PHASE_SENT,   /* submitted: the negotiation exists */
};

enum row_kind { ROW_SECTION, ROW_ELEMENT, ROW_CHOICE };

struct row {
	enum row_kind kind;
	size_t s, e, v; /* section, element, value */
};

/* One line of the scrolling body, made at each draw. */
struct dline {
	size_t row; /* the row it belongs to */
	enum ui_style style;
	int indent;
	char *text; /* sanitised, owned */
};

struct form_state {
	struct draft *d;
	struct access_form *form;
	enum phase phase;
	char problem[512];
	struct row *rows;
	size_t n_rows;
	size_t cur; /* a row that is not a section */
	size_t top; /* the first body line shown */
	int page;
	bool checked; /* a submit was tried: show the submit check's messages */
	struct access_form_errors errs;
	/* the field on the bottom line */
	bool editing;
	size_t edit_row;
	json_t *edit_old; /* its answer before (NULL: none), restored by Esc */
	char edit_msg[128];
	bool sending;
	char message[256];
};

/* ---- the model ---- */

static const struct access_form_section *sec_of(const struct form_state *s, const struct row *r)
{
	return &s->form->sections[r->s];
}

static const struct access_form_element *el_of(const struct form_state *s, const struct row *r)
{
	return &s->form->sections[r->s].elements[r->e];
}

static json_t *answer_of(const struct form_state *s, const struct row *r)
{
	json_t *v = draft_answer(s->d, sec_of(s, r)->name, el_of(s, r)->name);

	return v != NULL && !json_is_null(v) ? v : NULL;
}

static void build_rows(struct form_state *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->form->n_sections; i++) {
		n++;
		for (size_t k = 0; k < s->form->sections[i].n_elements; k++)
			n += 1 + s->form->sections[i].elements[k].n_values;
	}
	s->rows = xcalloc(n + 1, sizeof *s->rows);
	for (size_t i = 0; i < s->form->n_sections; i++) {
		const struct access_form_section *sec = &s->form->sections[i];

		s->rows[s->n_rows++] = (struct row){ ROW_SECTION, i, 0, 0 };
		for (size_t k = 0; k < sec->n_elements; k++) {
			s->rows[s->n_rows++] = (struct row){ ROW_ELEMENT, i, k, 0 };
			for (size_t v = 0; v < sec->elements[k].n_values; v++)
				s->rows[s->n_rows++] = (struct row){ ROW_CHOICE, i, k, v };
		}
	}
	s->cur = s->n_rows > 1 ? 1 : 0;
}

/* The message to show at element (s, e), or NULL. */
static const char *field_message(const struct form_state *s, size_t si, size_t ei)
{
	const struct access_form_section *sec = &s->form->sections[si];
	const struct access_form_element *el = &sec->elements[ei];

	if (s->editing && s->rows[s->edit_row].s == si && s->rows[s->edit_row].e == ei &&
	    s->edit_msg[0] != '\0')
		return s->edit_msg;
	for (size_t i = 0; i < s->errs.n; i++)
		if (strcmp(s->errs.items[i].section, sec->name) == 0 &&
		    strcmp(s->errs.items[i].element, el->name) == 0)
			return s->errs.items[i].message;
	return NULL;
}

/* Replaces the message at r's field with msg (NULL: none). */
static void set_field_error(struct form_state *s, const struct row *r, const char *msg)
{
	const char *sname = sec_of(s, r)->name, *ename = el_of(s, r)->name;
	size_t k = 0;

	for (size_t i = 0; i < s->errs.n; i++) {
		struct access_form_error *e = &s->errs.items[i];

		if (strcmp(e->section, sname) == 0 && strcmp(e->element, ename) == 0) {
			free(e->section);
			free(e->element);
			free(e->message);
		} else {
			s->errs.items[k++] = *e;
		}
	}
	s->errs.n = k;
	if (msg == NULL)
		return;
	s->errs.items = xreallocarray(s->errs.items, s->errs.n + 1, sizeof *s->errs.items);
	s->errs.items[s->errs.n++] =
	    (struct access_form_error){ xstrdup(sname), xstrdup(ename), xstrdup(msg) };
}

static size_t missing(const struct form_state *s)
{
	struct access_form_errors errs = { 0 };
	size_t n = access_form_validate(s->form, s->d->payload, ACCESS_FORM_CHECK_SUBMIT, &errs);

	access_form_errors_clear(&errs);
	return n;
}

static void recheck(struct form_state *s)
{
	if (!s->checked)
		return;
	access_form_errors_clear(&s->errs);
	access_form_validate(s->form, s->d->payload, ACCESS_FORM_CHECK_SUBMIT, &s->errs);
}

/* Saves the draft after an edit; says so when it cannot. */
static void save(struct app *app, struct form_state *s)
{
	char err[256];

	if (draft_save(s->d, err, sizeof err) != 0)
		app_status(app, true, "the draft cannot be saved: %s", err);
}

static bool read_only(struct app *app, struct form_state *s)
{
	if (s->phase != PHASE_READY)
		return true;
	if (s->d->state != DRAFT_EDITING || s->sending) {
		app_status(app, true,
		           "sent and waiting for the hub's reply: it cannot change now (y sends "
		           "it again)");
		return true;
	}
	return false;
}

static void set_answer(struct app *app, struct form_state *s, const struct row *r, json_t *v)
{
	draft_set_answer(s->d, sec_of(s, r)->name, el_of(s, r)->name, v);
	save(app, s);
	if (s->checked)
		recheck(s);
	else
		set_field_error(s, r, NULL);
}

/* text typed for element el: its JSON answer (new; NULL: no answer), or
 * sets *msg when it cannot be one. */
static json_t *typed(const struct access_form_element *el, const char *text, const char **msg)
{
	char *end;
	double x;

	*msg = NULL;
	if (text[strspn(text, " ")] == '\0')
		return NULL;
	if (el->type != ACCESS_FORM_NUMBER)
		return json_string(text);
	x = strtod(text, &end);
	end += strspn(end, " ");
	if (*end != '\0' || end == text) {
		*msg = "not a number";
		return NULL;
	}
	return x == (double)(json_int_t)x ? json_integer((json_int_t)x) : json_real(x);
}

/* ---- the hub ---- */

static void start_form(struct app *app, struct form_state *s);
static void send(struct app *app, struct form_state *s);

static void got_request(const struct hub_reply *r, void *arg)
{
	struct app *app = ((void **)arg)[0];
	struct form_state *s = ((void **)arg)[1];
	const char *id = json_string_value(json_object_get(r->doc, "id"));
	char err[256];

	free(arg);
	if (r->error != NULL || id == NULL) {
		char *why = sanitize_text(r->error != NULL ? r->error : "its reply has no id");

		s->phase = PHASE_FAILED;
		snprintf(s->problem, sizeof s->problem, "The hub did not take the request: %s",
		         why);
		free(why);
		return;
	}
	draft_set_request(s->d, id);
	if (draft_save(s->d, err, sizeof err) != 0)
		app_status(app, true, "the draft cannot be saved: %s", err);
	start_form(app, s);
}

static void **pair(struct app *app, struct form_state *s)
{
	void **p = xcalloc(2, sizeof *p);

	p[0] = app;
	p[1] = s;
	return p;
}

/* POST /api/v3/requests: the hand-over of the cohort and collections,
 * with the counts seen as an extension a hub may keep. */
static void start_request(struct app *app, struct form_state *s)
{
	const struct draft *d = s->d;
	json_t *resources = json_array(), *body, *counts = json_null();
	void **p = pair(app, s);

	for (size_t i = 0; i < d->n_collections; i++) {
		const struct draft_collection *c = &d->collections[i];

		json_array_append_new(
		    resources, json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "id", c->id, "name",
		                         c->name, "organization", "id", c->provider_id,
		                         "externalId", c->provider_id, "name", c->provider_name));
	}
	if (d->counts.present)
		counts =
		    json_pack("{s:I, s:I, s:s}", "subjects", (json_int_t)d->counts.subjects,
		              "studies", (json_int_t)d->counts.studies, "when", d->counts.when);
	body = json_pack("{s:s, s:s, s:o, s:O, s:s, s:o}", "url", d->hub, "humanReadable",
	                 d->cohort_text, "resources", resources, "query", d->cohort_ast,
	                 "cohortHash", d->cohort_hash, "counts", counts);
	s->phase = PHASE_REQUEST;
	if (access_call(app, s, "POST", "/api/v3/requests", body, NULL, got_request, p, free) !=
	    0) {
		free(p);
		s->phase = PHASE_FAILED;
		snprintf(s->problem, sizeof s->problem, "%s", app->status);
	}
	json_decref(body);
}

static void got_form(const struct hub_reply *r, void *arg)
{
	struct app *app = ((void **)arg)[0];
	struct form_state *s = ((void **)arg)[1];
	char err[512];

	free(arg);
	if (r->error == NULL)
		s->form = access_form_read(r->doc, err, sizeof err);
	if (s->form == NULL) {
		char *why = sanitize_text(r->error != NULL ? r->error : err);

		s->phase = PHASE_FAILED;
		snprintf(s->problem, sizeof s->problem, "The hub's access form: %s", why);
		free(why);
		return;
	}
	build_rows(s);
	s->phase = PHASE_READY;
	/* A submit whose reply never came goes again, with the same key. */
	if (s->d->state == DRAFT_SUBMITTING)
		send(app, s);
}

static void start_form(struct app *app, struct form_state *s)
{
	char *id = hub_api_escape(s->d->request_id),
	     *path = xasprintf("/api/v3/requests/%s/access-form", id);
	void **p = pair(app, s);

	s->phase = PHASE_FORM;
	if (access_call(app, s, "GET", path, NULL, NULL, got_form, p, free) != 0) {
		free(p);
		s->phase = PHASE_FAILED;
		snprintf(s->problem, sizeof s->problem, "%s", app->status);
	}
	free(path);
	free(id);
}

static void got_submit(const struct hub_reply *r, void *arg)
{
	struct app *app = ((void **)arg)[0];
	struct form_state *s = ((void **)arg)[1];
	char msg[512];
	enum access_sent how;

	free(arg);
	s->sending = false;
	access_form_errors_clear(&s->errs);
	how = access_submit_reply(s->d, r, &s->errs, msg, sizeof msg);
	if (how == ACCESS_SENT_DONE)
		s->phase = PHASE_SENT;
	if (how == ACCESS_SENT_REFUSED && s->errs.n == 0) {
		s->checked = true;
		recheck(s);
	}
	snprintf(s->problem, sizeof s->problem, "%s", msg);
	app_status(app, how != ACCESS_SENT_DONE, "%s", msg);
}

static void send(struct app *app, struct form_state *s)
{
	void **p = pair(app, s);

	s->sending = true;
	app_status(app, false, "Sending the request to the hub...");
	if (access_submit_send(app, s, s->d, got_submit, p, free) != 0) {
		free(p);
		s->sending = false;
	}
}

/* ---- drawing ---- */

static void add(struct dline **lines, size_t *n, size_t row, enum ui_style style, int indent,
                const char *text)
{
	*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
	(*lines)[(*n)++] = (struct dline){ row, style, indent, sanitize_text(text) };
}

/* Adds text wrapped at width cells (at spaces when it can). */
static void add_wrapped(struct dline **lines, size_t *n, size_t row, enum ui_style style,
                        int indent, const char *text, int width)
{
	char *clean = sanitize_text(text);
	const char *p = clean;

	if (width < 10)
		width = 10;
	do {
		const char *q = p, *cut = NULL;
		int w = 0;
		char *piece;

		while (*q != '\0') {
			int cw = 0;
			size_t len = utf8_next(q, strlen(q), &cw);

			if (w + cw > width)
				break;
			if (*q == ' ')
				cut = q;
			w += cw;
			q += len;
		}
		if (*q != '\0' && cut != NULL && cut > p)
			q = cut;
		piece = xstrndup(p, (size_t)(q - p));
		*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
		(*lines)[(*n)++] = (struct dline){ row, style, indent, piece };
		p = q;
		while (*p == ' ')
			p++;
	} while (*p != '\0');
	free(clean);
}

/* The answer as text for its field ("" when none). New. */
static char *answer_text(const struct access_form_element *el, json_t *v)
{
	if (v == NULL)
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "yes" : "no");
	if (el->type == ACCESS_FORM_NUMBER && json_is_number(v)) {
		char *dump = json_dumps(v, JSON_ENCODE_ANY);

		return dump != NULL ? dump : xstrdup("");
	}
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static bool choice_on(json_t *answer, const char *value)
{
	size_t i;
	json_t *x;

	if (json_is_string(answer))
		return strcmp(json_string_value(answer), value) == 0;
	json_array_foreach (answer, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), value) == 0)
			return true;
	return false;
}

static void make_lines(struct app *app, struct form_state *s, int cols, struct dline **lines,
                       size_t *n)
{
	int width = cols - 6;

	for (size_t i = 0; i < s->n_rows; i++) {
		const struct row *r = &s->rows[i];
		const struct access_form_section *sec = sec_of(s, r);
		const struct access_form_element *el;
		json_t *v;
		const char *msg;
		char *text;

		if (r->kind == ROW_SECTION) {
			if (i > 0)
				add(lines, n, i, UI_STYLE_NORMAL, 0, "");
			add(lines, n, i, UI_STYLE_HEADER, 0, sec->label);
			continue;
		}
		el = el_of(s, r);
		v = answer_of(s, r);
		if (r->kind == ROW_CHOICE) {
			const struct access_form_value *val = &el->values[r->v];
			bool on = choice_on(v, val->value);
			char *line = el->type == ACCESS_FORM_SINGLE_CHOICE
			                 ? xasprintf("(%s) %s", on ? "*" : " ", val->label)
			                 : xasprintf("[%s] %s", on ? "x" : " ", val->label);

			add(lines, n, i, UI_STYLE_NORMAL, 4, line);
			free(line);
			if (r->v + 1 == el->n_values &&
			    (msg = field_message(s, r->s, r->e)) != NULL)
				add(lines, n, i, UI_STYLE_ERROR, 4, msg);
			continue;
		}
		if (el->type == ACCESS_FORM_INFORMATION) {
			add(lines, n, i, UI_STYLE_ACCENT, 2, el->label);
			if (el->description[0] != '\0')
				add_wrapped(lines, n, i, UI_STYLE_MUTED, 4, el->description, width);
			continue;
		}
		text = xasprintf("%s%s", el->label, el->required ? " *" : "");
		add(lines, n, i, UI_STYLE_NORMAL, 2, text);
		free(text);
		if (i == s->cur && el->description[0] != '\0')
			add_wrapped(lines, n, i, UI_STYLE_MUTED, 4, el->description, width);
		if (el->type == ACCESS_FORM_BOOLEAN) {
			add(lines, n, i, UI_STYLE_NORMAL, 4,
			    v == NULL          ? "[ ] not answered (Space: yes)"
			    : json_is_true(v)  ? "[x] yes"
			    : json_is_false(v) ? "[ ] no"
			                       : "?");
		} else if (el->type == ACCESS_FORM_SINGLE_CHOICE ||
		           el->type == ACCESS_FORM_MULTIPLE_CHOICE) {
			/* the choices are rows of their own */
		} else if (v == NULL) {
			text = el->placeholder[0] != '\0'
			           ? xasprintf("(not answered: %s)", el->placeholder)
			           : xstrdup("(not answered)");
			add(lines, n, i, UI_STYLE_MUTED, 4, text);
			free(text);
		} else {
			text = answer_text(el, v);
			if (el->type == ACCESS_FORM_TEXT_LARGE || (int)utf8_width(text) > width)
				add_wrapped(lines, n, i, UI_STYLE_ACCENT, 4, text, width);
			else
				add(lines, n, i, UI_STYLE_ACCENT, 4, text);
			free(text);
		}
		if (el->n_values == 0 && (msg = field_message(s, r->s, r->e)) != NULL)
			add(lines, n, i, UI_STYLE_ERROR, 4, msg);
	}
	(void)app;
}

static void free_lines(struct dline *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
}

static void draw_head(struct app *app, struct form_state *s, struct ui_canvas *c, int y, int cols)
{
	const struct draft *d = s->d;
	struct buf b = BUF_INIT;
	char *clean;

	clean = sanitize_text(strcmp(d->cohort_text, "*") == 0 ? "(all subjects: no criteria)"
	                                                       : d->cohort_text);
	ui_put(c, y, 0, cols, UI_STYLE_HEADER, "Cohort ");
	ui_put(c, y, 7, cols - 7, UI_STYLE_ACCENT, clean);
	free(clean);
	buf_printf(&b, "%zu collection%s: ", d->n_collections, d->n_collections == 1 ? "" : "s");
	for (size_t i = 0; i < d->n_collections; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "",
		           d->collections[i].name[0] != '\0' ? d->collections[i].name
		                                             : d->collections[i].id);
	if (d->counts.present)
		buf_printf(&b, "; about %lld subjects seen", (long long)d->counts.subjects);
	clean = sanitize_text(buf_str(&b));
	cells_put_cut(c, y + 1, 0, cols, UI_STYLE_NORMAL, clean, (int)utf8_width(clean), false);
	free(clean);
	buf_reset(&b);
	buf_printf(&b, "Draft %.8s, saved %.8s", d->id, d->updated + 11);
	if (s->phase == PHASE_READY) {
		size_t left = missing(s);

		if (d->state == DRAFT_SUBMITTING)
			buf_printf(&b, "; sent, no reply yet: y sends it again");
		else if (left > 0)
			buf_printf(&b, "; %zu field%s to answer before sending (* required)", left,
			           left == 1 ? "" : "s");
		else
			buf_printf(&b, "; complete: y sends it");
	}
	ui_put(c, y + 2, 0, cols, UI_STYLE_MUTED, buf_str(&b));
	/* Why the hub refused it last time, until it is sent again. */
	if (d->error != NULL && s->phase == PHASE_READY && !s->sending) {
		buf_reset(&b);
		buf_printf(&b, "%s: %s",
		           d->state == DRAFT_SUBMITTING ? "No reply last time"
		                                        : "The hub refused it",
		           d->error);
		clean = sanitize_text(buf_str(&b));
		cells_put_cut(c, y + 3, 0, cols, UI_STYLE_ERROR, clean, (int)utf8_width(clean),
		              false);
		free(clean);
	}
	buf_free(&b);
	(void)app;
}

static void form_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct form_state *s = state;
	struct dline *lines = NULL;
	size_t n = 0, first = 0, last = 0;
	int y = area.top, body;

	if (s->d == NULL) {
		ui_put(c, y, 0, area.cols, UI_STYLE_ERROR, s->problem);
		return;
	}
	draw_head(app, s, c, y, area.cols);
	y += 4;
	body = area.rows - 4;
	if (s->phase != PHASE_READY) {
		const char *text = s->phase == PHASE_REQUEST ? "Handing the request to the hub..."
		                   : s->phase == PHASE_FORM  ? "Fetching the access form..."
		                                             : s->problem;

		ui_put(c, y, 0, area.cols,
		       s->phase == PHASE_FAILED ? UI_STYLE_ERROR
		       : s->phase == PHASE_SENT ? UI_STYLE_ACCENT
		                                : UI_STYLE_MUTED,
		       text);
		if (s->phase == PHASE_FAILED)
			ui_put(c, y + 2, 0, area.cols, UI_STYLE_NORMAL,
			       "The draft is kept: M lists it. q goes back.");
		if (s->phase == PHASE_SENT)
			ui_put(c, y + 2, 0, area.cols, UI_STYLE_NORMAL,
			       "q goes back; M shows your requests and who acts next.");
		return;
	}
	if (body <= 0)
		return;
	s->page = body;
	make_lines(app, s, area.cols, &lines, &n);
	for (size_t i = n; i-- > 0;)
		if (lines[i].row == s->cur) {
			first = i;
			if (last == 0)
				last = i;
		}
	/* The current field in view, its section title too when it fits. */
	if (first < s->top)
		s->top = first > 0 && lines[first - 1].style == UI_STYLE_HEADER ? first - 1 : first;
	if (last >= s->top + (size_t)body)
		s->top = last + 1 - (size_t)body;
	if (first < s->top)
		s->top = first;
	for (int k = 0; k < body && s->top + (size_t)k < n; k++) {
		const struct dline *l = &lines[s->top + (size_t)k];
		bool here = l->row == s->cur && s->rows[s->cur].kind != ROW_SECTION;
		enum ui_style style = here && (s->rows[l->row].kind == ROW_CHOICE || l->indent == 2)
		                          ? UI_STYLE_CURSOR
		                          : l->style;

		if (here && (l->indent == 2 || s->rows[l->row].kind == ROW_CHOICE))
			ui_put(c, y + k, l->indent - 2, 2, UI_STYLE_ACCENT,
			       c->utf8 ? "\xe2\x96\xb8" : ">");
		ui_put_fill(c, y + k, l->indent, area.cols - l->indent,
		            style == UI_STYLE_CURSOR ? UI_STYLE_CURSOR : style, l->text);
	}
	free_lines(lines, n);
}

/* ---- actions ---- */

static void move(struct form_state *s, long delta)
{
	long i = (long)s->cur;

	while (delta != 0) {
		long step = delta > 0 ? 1 : -1, j = i + step;

		while (j >= 0 && j < (long)s->n_rows && s->rows[j].kind == ROW_SECTION)
			j += step;
		if (j < 0 || j >= (long)s->n_rows)
			break;
		i = j;
		delta -= step;
	}
	s->cur = (size_t)i;
}

static void toggle(struct app *app, struct form_state *s)
{
	const struct row *r = &s->rows[s->cur];
	const struct access_form_element *el = el_of(s, r);
	json_t *v = answer_of(s, r), *nv = NULL;

	if (read_only(app, s))
		return;
	if (el->type == ACCESS_FORM_BOOLEAN) {
		nv = v != NULL && json_is_true(v) ? json_false() : json_true();
	} else if (r->kind == ROW_CHOICE && el->type == ACCESS_FORM_SINGLE_CHOICE) {
		const char *val = el->values[r->v].value;

		nv = choice_on(v, val) ? NULL : json_string(val);
	} else if (r->kind == ROW_CHOICE) {
		const char *val = el->values[r->v].value;
		size_t i;
		json_t *x;

		nv = json_array();
		json_array_foreach (v, i, x)
			if (!json_is_string(x) || strcmp(json_string_value(x), val) != 0)
				json_array_append(nv, x);
		if (!choice_on(v, val))
			json_array_append_new(nv, json_string(val));
		if (json_array_size(nv) == 0) {
			json_decref(nv);
			nv = NULL;
		}
	} else if (el->type == ACCESS_FORM_SINGLE_CHOICE ||
	           el->type == ACCESS_FORM_MULTIPLE_CHOICE) {
		move(s, 1); /* onto its first choice */
		return;
	} else {
		app_status(app, false, "Enter edits this field");
		return;
	}
	set_answer(app, s, r, nv);
	json_decref(nv);
}

static void edit(struct app *app, struct form_state *s)
{
	const struct row *r = &s->rows[s->cur];
	const struct access_form_element *el = el_of(s, r);
	char label[128], *text;

	if (r->kind == ROW_CHOICE && el->type == ACCESS_FORM_SINGLE_CHOICE) {
		/* Enter chooses this one and goes on to the next field. */
		if (!choice_on(answer_of(s, r), el->values[r->v].value))
			toggle(app, s);
		if (choice_on(answer_of(s, r), el->values[r->v].value))
			move(s, (long)(el->n_values - r->v));
		return;
	}
	if (r->kind == ROW_CHOICE || el->type == ACCESS_FORM_BOOLEAN ||
	    el->type == ACCESS_FORM_SINGLE_CHOICE || el->type == ACCESS_FORM_MULTIPLE_CHOICE) {
		toggle(app, s);
		return;
	}
	if (el->type == ACCESS_FORM_INFORMATION) {
		app_status(app, false, "this is information to read: it takes no answer");
		return;
	}
	if (read_only(app, s))
		return;
	s->editing = true;
	s->edit_row = s->cur;
	s->edit_msg[0] = '\0';
	json_decref(s->edit_old);
	s->edit_old = json_incref(answer_of(s, r));
	text = answer_text(el, s->edit_old);
	snprintf(label, sizeof label, "%.60s%s:", el->label,
	         el->type == ACCESS_FORM_DATE ? " (YYYY-MM-DD)" : "");
	app_prompt(app, PROMPT_FIELD, label, text);
	free(text);
}

static void clear_field(struct app *app, struct form_state *s)
{
	const struct row *r = &s->rows[s->cur];

	if (read_only(app, s))
		return;
	if (el_of(s, r)->type == ACCESS_FORM_INFORMATION)
		return;
	set_answer(app, s, r, NULL);
	app_status(app, false, "Cleared");
}

static void submit(struct app *app, struct form_state *s)
{
	size_t n;

	if (s->phase != PHASE_READY) {
		app_status(app, true, "%s",
		           s->phase == PHASE_SENT ? "already submitted"
		                                  : "the form is not here yet");
		return;
	}
	if (s->sending) {
		app_status(app, false, "still sending: wait for the hub's reply");
		return;
	}
	if (s->d->state == DRAFT_EDITING) {
		s->checked = true;
		recheck(s);
		n = s->errs.n;
		if (n > 0) {
			/* To the first field that needs work. */
			for (size_t i = 0; i < s->n_rows; i++)
				if (s->rows[i].kind == ROW_ELEMENT &&
				    field_message(s, s->rows[i].s, s->rows[i].e) != NULL) {
					s->cur = i;
					break;
				}
			app_status(app, true,
			           "%zu field%s to correct before sending (marked below)", n,
			           n == 1 ? "" : "s");
			return;
		}
	}
	send(app, s);
}

static struct screen_result form_action(struct app *app, void *state, enum ui_action a)
{
	struct form_state *s = state;
	bool ready = s->phase == PHASE_READY && s->n_rows > 0;

	switch (a) {
	case UI_ACTION_MOVE_UP:
	case UI_ACTION_MOVE_DOWN:
	case UI_ACTION_PAGE_UP:
	case UI_ACTION_PAGE_DOWN:
	case UI_ACTION_FIRST:
	case UI_ACTION_LAST:
		if (ready) {
			long page = s->page > 2 ? s->page / 2 : 1;

			move(s, a == UI_ACTION_MOVE_UP     ? -1
			        : a == UI_ACTION_MOVE_DOWN ? 1
			        : a == UI_ACTION_PAGE_UP   ? -page
			        : a == UI_ACTION_PAGE_DOWN ? page
			        : a == UI_ACTION_FIRST     ? -(long)s->n_rows
			                                   : (long)s->n_rows);
		}
		return screen_handled();
	case UI_ACTION_OPEN:
		if (ready)
			edit(app, s);
		return screen_handled();
	case UI_ACTION_SELECT:
		if (ready)
			toggle(app, s);
		return screen_handled();
	case UI_ACTION_CLEAR_FIELD:
		if (ready)
			clear_field(app, s);
		return screen_handled();
	case UI_ACTION_SUBMIT:
		submit(app, s);
		return screen_handled();
	case UI_ACTION_NEXT_PANE:
	case UI_ACTION_PREV_PANE:
		/* To the next field with a message. */
		for (size_t k = 1; ready && k <= s->n_rows; k++) {
			size_t i =
			    (s->cur + (a == UI_ACTION_NEXT_PANE ? k : s->n_rows - k)) % s->n_rows;

			if (s->rows[i].kind == ROW_ELEMENT &&
			    field_message(s, s->rows[i].s, s->rows[i].e) != NULL) {
				s->cur = i;
				break;
			}
		}
		return screen_handled();
	case UI_ACTION_BACK:
		if (s->sending)
			/* The call is dropped with the screen; the draft is
			 * SUBMITTING on disk, so it goes again with the same key. */
			app_status(app, false,
			           "Not waiting for the reply: reopening the draft (M) or the next "
			           "start sends it again, never twice");
		else if (s->d != NULL && s->phase != PHASE_SENT)
			app_status(app, false,
			           "Draft %.8s kept: M lists it, and ecii offers it at start",
			           s->d->id);
		return screen_pop();
	case UI_ACTION_REQUEST_ACCESS:
		app_status(app, false, "this is the request being made: q goes back");
		return screen_handled();
	default:
		return screen_unhandled();
	}
}

/* Each key typed on the field's line: the answer is saved at once, and
 * checked as a draft is. NULL: Esc, the answer goes back as it was. */
static void form_prompt_edit(struct app *app, void *state, int tag, const char *text)
{
	struct form_state *s = state;
	const struct row *r;
	const struct access_form_element *el;
	const char *msg;
	json_t *v;

	if (tag != PROMPT_FIELD || !s->editing)
		return;
	r = &s->rows[s->edit_row];
	el = el_of(s, r);
	if (text == NULL) {
		set_answer(app, s, r, s->edit_old);
		s->editing = false;
		return;
	}
	v = typed(el, text, &msg);
	if (msg == NULL) {
		set_answer(app, s, r, v);
		msg = access_form_check_value(el, v, ACCESS_FORM_CHECK_DRAFT);
	}
	snprintf(s->edit_msg, sizeof s->edit_msg, "%s", msg != NULL ? msg : "");
	json_decref(v);
}

static const char *form_prompt(struct app *app, void *state, int tag, const char *answer)
{
	struct form_state *s = state;
	const struct row *r;
	const struct access_form_element *el;
	const char *msg;
	json_t *v;

	if (tag != PROMPT_FIELD || !s->editing)
		return NULL;
	r = &s->rows[s->edit_row];
	el = el_of(s, r);
	v = typed(el, answer, &msg);
	if (msg != NULL) {
		snprintf(s->message, sizeof s->message, "%s: %s (Esc puts back the old answer)",
		         el->label, msg);
		json_decref(v);
		return s->message;
	}
	set_answer(app, s, r, v);
	/* The format now (a date must be a real one); "required" waits for the
	 * submit. The answer is kept either way; the message stays at the
	 * field until it is right. */
	msg = v != NULL ? access_form_check_value(el, v, ACCESS_FORM_CHECK_SUBMIT) : NULL;
	json_decref(v);
	s->editing = false;
	set_field_error(s, r, msg);
	if (msg != NULL) {
		app_status(app, true, "%s: %s", el->label, msg);
		return NULL;
	}
	move(s, 1);
	return NULL;
}

static void form_enter(struct app *app, void *state, const void *arg)
{
	struct form_state *s = state;
	const struct request_form_open *o = arg;
	char err[512];

	s->d = draft_load(o->draft_id, err, sizeof err);
	if (s->d == NULL) {
		char *why = sanitize_text(err);

		s->phase = PHASE_FAILED;
		snprintf(s->problem, sizeof s->problem, "Cannot read the draft: %s", why);
		free(why);
		return;
	}
	if (o->form != NULL) {
		json_t *doc = access_form_to_json(o->form);

		s->form = access_form_read(doc, err, sizeof err);
		json_decref(doc);
		build_rows(s);
		s->phase = PHASE_READY;
		return;
	}
	if (access_unavailable(app) != NULL) {
		s->phase = PHASE_FAILED;
		snprintf(s->problem, sizeof s->problem, "%s", access_unavailable(app));
		return;
	}
	if (s->d->request_id == NULL)
		start_request(app, s);
	else
		start_form(app, s);
}

static void form_leave(struct app *app, void *state)
{
	struct form_state *s = state;

	access_cancel(app, s);
	access_form_errors_clear(&s->errs);
	json_decref(s->edit_old);
	free(s->rows);
	access_form_free(&s->form);
	draft_free(&s->d);
}

static const char *form_hint(struct app *app, void *state)
{
	struct form_state *s = state;

	(void)app;
	if (s->phase != PHASE_READY)
		return "q back";
	return "Enter edit  Space choose  d clear  Tab next problem  y send  q keep";
}

const struct screen_ops request_form_screen = {
	.name = "request-form",
	.title = "Access request",
	.state_size = sizeof(struct form_state),
	.enter = form_enter,
	.leave = form_leave,
	.draw = form_draw,
	.action = form_action,
	.hint = form_hint,
	.prompt = form_prompt,
	.prompt_edit = form_prompt_edit,
};
