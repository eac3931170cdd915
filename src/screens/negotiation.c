/* One access request at the hub, for its author (from "My requests") or
 * for a reviewer (the committee, a representative): its state in words and
 * who has to act next, the cohort as text with its hash, the collections
 * with their states, the form answers, the timeline and the posts; for a
 * reviewer also the counts the author saw beside the counts now (a fresh
 * federated count) and the author's recent queries. Tab picks the request
 * or one of its collections; t sends one of the events the hub allows the
 * user now on it (approve, decline, accept access conditions, abandon, a
 * representative's moves), with a message; p and P write public and
 * private posts. Everything comes from the hub in calls that never block
 * the screen; the document is rebuilt from what has arrived at each draw. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/counts.h"
#include "core/access_form.h"
#include "core/negotiation.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "screens/access.h"
#include "screens/app.h"
#include "screens/pager.h"
#include "screens/screen.h"
#include "util/buf.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

enum { PROMPT_EVENT = 1, PROMPT_MESSAGE, PROMPT_POST, PROMPT_PRIVATE };

/* What is fetched, in the order it is asked for. */
enum part {
	PART_NEGOTIATION,
	PART_RESOURCES,
	PART_LIFECYCLE,
	PART_TIMELINE,
	PART_POSTS,
	PART_QUERIES,
	PART_FORM,
	PART_COUNT
};

struct nego_state {
	char *id;
	bool review;
	json_t *docs[PART_COUNT];
	char *errors[PART_COUNT];
	struct negotiation ng;
	bool have_ng;
	struct negotiation_resource *res;
	size_t n_res;
	struct negotiation_event_list events;
	struct access_form *form;
	struct counts *now; /* review: the cohort counted now */
	struct query *query;
	long pick;      /* -1: the request; else a collection of res */
	char *event;    /* the event being sent, once chosen */
	char *resource; /* its collection, or NULL */
	struct pager pager;
	char message[256];
};

struct reply_to {
	struct app *app;
	struct nego_state *s;
	enum part part;
};

static const char *const part_paths[PART_COUNT] = {
	"", "/resources", "/lifecycle", "/timeline", "/posts", "/author-queries", NULL,
};

static void fetch(struct app *app, struct nego_state *s, enum part part);

/* ---- taking what arrives ---- */

static void take_resources(struct nego_state *s)
{
	json_t *items = NULL, *x;
	struct negotiation_page page;
	char err[256];
	size_t i;

	for (size_t k = 0; k < s->n_res; k++)
		negotiation_resource_clear(&s->res[k]);
	free(s->res);
	s->res = NULL;
	s->n_res = 0;
	if (negotiation_hal_read(s->docs[PART_RESOURCES], "resources", &items, &page, err,
	                         sizeof err) != 0)
		items = json_object_get(s->docs[PART_RESOURCES], "resources");
	if (json_is_array(s->docs[PART_RESOURCES]))
		items = s->docs[PART_RESOURCES];
	s->res = xcalloc(json_array_size(items) + 1, sizeof *s->res);
	json_array_foreach (items, i, x)
		if (negotiation_resource_read(x, NEGOTIATION_READ_REPLY, true, &s->res[s->n_res],
		                              err, sizeof err) == 0)
			s->n_res++;
	if (s->pick >= (long)s->n_res)
		s->pick = -1;
}

static void got_part(const struct hub_reply *r, void *arg)
{
	struct reply_to *to = arg;
	struct nego_state *s = to->s;
	struct app *app = to->app;
	enum part part = to->part;
	char err[256];

	free(to);
	free(s->errors[part]);
	s->errors[part] = r->error != NULL ? sanitize_text(r->error) : NULL;
	if (r->error != NULL)
		return;
	json_decref(s->docs[part]);
	s->docs[part] = json_incref(r->doc);
	switch (part) {
	case PART_NEGOTIATION:
		negotiation_clear(&s->ng);
		s->have_ng = negotiation_read(r->doc, &s->ng, err, sizeof err) == 0;
		if (!s->have_ng) {
			s->errors[part] = sanitize_text(err);
			break;
		}
		if (s->form == NULL && s->ng.request_id != NULL)
			fetch(app, s, PART_FORM);
		/* A reviewer sees the cohort counted now, beside what the author saw. */
		if (s->review && s->now == NULL && s->ng.query != NULL) {
			struct query_error qe;

			s->query = query_from_json(s->ng.query, &qe);
			if (s->query != NULL) {
				s->now =
				    counts_new(app->fed, app->net,
				               app->counts->flags & COUNTS_BACKGROUND, NULL, 0);
				counts_request(s->now, s->query, 1);
			}
		}
		break;
	case PART_RESOURCES:
		take_resources(s);
		break;
	case PART_LIFECYCLE:
		negotiation_event_list_clear(&s->events);
		negotiation_event_list_read(r->doc, &s->events, err, sizeof err);
		break;
	case PART_FORM:
		access_form_free(&s->form);
		s->form = access_form_read(r->doc, err, sizeof err);
		break;
	default:
		break;
	}
}

static void fetch(struct app *app, struct nego_state *s, enum part part)
{
	struct reply_to *to = xcalloc(1, sizeof *to);
	char *id, *path;

	to->app = app;
	to->s = s;
	to->part = part;
	if (part == PART_FORM) {
		id = hub_api_escape(s->ng.request_id);
		path = xasprintf("/api/v3/requests/%s/access-form", id);
	} else {
		id = hub_api_escape(s->id);
		path = xasprintf("/api/v3/negotiations/%s%s", id, part_paths[part]);
	}
	if (access_call(app, s, "GET", path, NULL, NULL, got_part, to, free) != 0)
		free(to);
	free(path);
	free(id);
}

static void load(struct app *app, struct nego_state *s)
{
	for (enum part p = PART_NEGOTIATION; p < PART_FORM; p++)
		if (p != PART_QUERIES || s->review)
			fetch(app, s, p);
}

/* ---- the document ---- */

static void add_answers(struct nego_state *s)
{
	json_t *payload = s->ng.payload;

	if (s->form == NULL) {
		char *dump = json_dumps(payload, JSON_COMPACT);

		pager_add_paragraph(&s->pager, dump != NULL ? dump : "", 2, UI_STYLE_NORMAL);
		free(dump);
		return;
	}
	for (size_t i = 0; i < s->form->n_sections; i++) {
		const struct access_form_section *sec = &s->form->sections[i];

		pager_add_heading(&s->pager, sec->label, UI_STYLE_ACCENT);
		for (size_t k = 0; k < sec->n_elements; k++) {
			const struct access_form_element *el = &sec->elements[k];
			json_t *v = json_object_get(json_object_get(payload, sec->name), el->name);
			struct buf b = BUF_INIT;
			size_t n;
			json_t *x;

			if (el->type == ACCESS_FORM_INFORMATION)
				continue;
			if (v == NULL || json_is_null(v)) {
				buf_puts(&b, "-");
			} else if (json_is_string(v)) {
				const char *label = json_string_value(v);

				for (size_t j = 0; j < el->n_values; j++)
					if (strcmp(el->values[j].value, label) == 0)
						label = el->values[j].label;
				buf_puts(&b, label);
			} else if (json_is_boolean(v)) {
				buf_puts(&b, json_is_true(v) ? "yes" : "no");
			} else if (json_is_array(v)) {
				json_array_foreach (v, n, x) {
					const char *label = json_string_value(x);

					for (size_t j = 0; label != NULL && j < el->n_values; j++)
						if (strcmp(el->values[j].value, label) == 0)
							label = el->values[j].label;
					buf_printf(&b, "%s%s", n > 0 ? ", " : "",
					           label != NULL ? label : "?");
				}
			} else {
				char *dump = json_dumps(v, JSON_ENCODE_ANY);

				buf_puts(&b, dump != NULL ? dump : "?");
				free(dump);
			}
			pager_add_paragraph(&s->pager, el->label, 2, UI_STYLE_MUTED);
			pager_add_paragraph(&s->pager, buf_str(&b), 4, UI_STYLE_NORMAL);
			buf_free(&b);
		}
	}
}

static void add_counts(struct app *app, struct nego_state *s)
{
	json_t *seen =
	    json_object_get(json_object_get(s->docs[PART_NEGOTIATION], "counts"), "subjects");
	char line[256];

	pager_add_heading(&s->pager, "Counts", UI_STYLE_HEADER);
	if (json_is_integer(seen))
		snprintf(line, sizeof line, "about %lld subjects",
		         (long long)json_integer_value(seen));
	else
		snprintf(line, sizeof line, "not kept by this hub");
	pager_add_field(&s->pager, "Author saw", line);
	if (s->now == NULL) {
		pager_add_field(&s->pager, "Now",
		                s->query == NULL && s->have_ng ? "the cohort does not read here"
		                                               : "counting...");
		return;
	}
	counts_collect(s->now);
	snprintf(line, sizeof line, "about %llu subjects, %llu studies (%zu of %zu sites%s)",
	         (unsigned long long)counts_subjects(s->now, NULL),
	         (unsigned long long)counts_studies(s->now), counts_answered(s->now),
	         s->now->n_sites, counts_done(s->now) ? "" : " so far");
	pager_add_field(&s->pager, "Now", line);
	for (size_t i = 0; i < s->now->n_sites; i++) {
		const struct counts_site *cs = &s->now->sites[i];

		if (cs->state == COUNTS_ANSWERED)
			snprintf(line, sizeof line, "%llu subjects",
			         (unsigned long long)cs->answer.subjects);
		else
			snprintf(line, sizeof line, "%s",
			         cs->state == COUNTS_FAILED      ? "failed"
			         : cs->state == COUNTS_TIMED_OUT ? "timed out"
			                                         : "waiting");
		pager_add_field(&s->pager, cs->id, line);
	}
	(void)app;
}

static void add_queries(struct nego_state *s)
{
	json_t *list = json_object_get(s->docs[PART_QUERIES], "queries"), *e, *site;
	size_t i, k;

	pager_add_heading(&s->pager, "The author's recent queries", UI_STYLE_HEADER);
	if (!json_is_array(list) && json_is_array(s->docs[PART_QUERIES]))
		list = s->docs[PART_QUERIES];
	json_array_foreach (list, i, e) {
		struct buf b = BUF_INIT;
		const char *hash = json_string_value(json_object_get(e, "cohortHash"));
		const char *time = json_string_value(json_object_get(e, "time"));

		if (hash == NULL)
			hash = json_string_value(json_object_get(e, "hash"));
		buf_printf(&b, "%.16s", hash != NULL ? hash : "?");
		if (hash != NULL && s->ng.cohort_hash != NULL &&
		    strcmp(hash, s->ng.cohort_hash) == 0)
			buf_puts(&b, " (this cohort)");
		buf_puts(&b, "  ");
		json_array_foreach (json_object_get(e, "sites"), k, site)
			buf_printf(&b, "%s%s", k > 0 ? "," : "",
			           json_is_string(site) ? json_string_value(site) : "?");
		{
			char *entry = xasprintf("%s  %s", time != NULL ? time : "?", buf_str(&b));

			pager_add_paragraph(&s->pager, entry, 2, UI_STYLE_NORMAL);
			free(entry);
		}
		buf_free(&b);
	}
	if (json_array_size(list) == 0)
		pager_add_paragraph(&s->pager,
		                    s->errors[PART_QUERIES] != NULL ? s->errors[PART_QUERIES]
		                                                    : "(none kept)",
		                    2, UI_STYLE_MUTED);
}

static void build(struct app *app, struct nego_state *s, bool utf8)
{
	struct negotiation *n = &s->ng;
	enum negotiation_resource_state *rs;
	char line[512], *text = NULL;
	unsigned who;
	const char *mark = utf8 ? "\xe2\x96\xb8 " : "> ";

	pager_reset(&s->pager, 14);
	if (!s->have_ng) {
		pager_add_paragraph(
		    &s->pager,
		    s->errors[PART_NEGOTIATION] != NULL ? s->errors[PART_NEGOTIATION]
		                                        : "Asking the hub...",
		    0, s->errors[PART_NEGOTIATION] != NULL ? UI_STYLE_ERROR : UI_STYLE_MUTED);
		return;
	}
	rs = xcalloc(s->n_res + 1, sizeof *rs);
	for (size_t i = 0; i < s->n_res; i++)
		rs[i] = s->res[i].state;
	who = negotiation_who_next(n->status, s->n_res > 0 ? rs : NULL, s->n_res);
	free(rs);
	snprintf(line, sizeof line, "%sRequest #%s: %s", s->pick < 0 ? mark : "", n->display_id,
	         negotiation_state_words(n->status));
	pager_add_heading(&s->pager, line, s->pick < 0 ? UI_STYLE_CURSOR : UI_STYLE_HEADER);
	text = access_who_words(who, !s->review);
	snprintf(line, sizeof line, "%s",
	         who == NEGOTIATION_WHO_NOBODY ? "nobody: it is closed" : text);
	free(text);
	text = NULL;
	pager_add_field(&s->pager, "Next to act", line);
	pager_add_field(&s->pager, "Title", n->human_readable);
	pager_add_field(&s->pager, "Author", n->author.name);
	snprintf(line, sizeof line, "%s, changed %s", n->creation_date, n->modified_date);
	pager_add_field(&s->pager, "Created", line);
	if (s->query != NULL || n->query != NULL) {
		struct query_error qe;
		struct query *q = s->query != NULL ? NULL : query_from_json(n->query, &qe);

		text = query_print_text(app->fed->vocab, s->query != NULL ? s->query : q);
		query_free(&q);
	}
	pager_add_field(&s->pager, "Cohort", text != NULL ? text : "(not readable here)");
	free(text);
	pager_add_field(&s->pager, "Hash", n->cohort_hash != NULL ? n->cohort_hash : "-");
	if (s->events.n > 0) {
		struct buf b = BUF_INIT;

		for (size_t i = 0; i < s->events.n; i++)
			buf_printf(&b, "%s%s", i > 0 ? ", " : "", s->events.items[i].value);
		pager_add_field(&s->pager, "You may", buf_str(&b));
		buf_free(&b);
	}

	pager_add_blank(&s->pager);
	pager_add_heading(&s->pager, "Collections (Tab picks one, t takes a step)",
	                  UI_STYLE_HEADER);
	for (size_t i = 0; i < s->n_res; i++) {
		const struct negotiation_resource *r = &s->res[i];
		bool here = s->pick == (long)i;

		snprintf(line, sizeof line, "%s%s (%s): %s", here ? mark : "", r->name, r->id,
		         negotiation_resource_state_words(r->state));
		pager_add_paragraph(&s->pager, line, here ? 0 : 2,
		                    here ? UI_STYLE_CURSOR : UI_STYLE_NORMAL);
		if (s->review && r->has_org && r->org.name != NULL) {
			snprintf(line, sizeof line, "at %s (site %s)", r->org.name,
			         r->org.id != NULL ? r->org.id : "?");
			pager_add_paragraph(&s->pager, line, 4, UI_STYLE_MUTED);
		}
		if (r->n_events > 0) {
			struct buf b = BUF_INIT;

			buf_puts(&b, "you may: ");
			for (size_t k = 0; k < r->n_events; k++)
				buf_printf(&b, "%s%s", k > 0 ? ", " : "", r->events[k]);
			pager_add_paragraph(&s->pager, buf_str(&b), 4, UI_STYLE_ACCENT);
			buf_free(&b);
		}
	}
	if (s->n_res == 0)
		pager_add_paragraph(&s->pager, "(asking the hub...)", 2, UI_STYLE_MUTED);

	if (s->review) {
		pager_add_blank(&s->pager);
		add_counts(app, s);
		pager_add_blank(&s->pager);
		add_queries(s);
	}
	pager_add_blank(&s->pager);
	pager_add_heading(&s->pager, "Answers", UI_STYLE_HEADER);
	add_answers(s);

	pager_add_blank(&s->pager);
	pager_add_heading(&s->pager, "Posts (p writes one)", UI_STYLE_HEADER);
	{
		struct negotiation_post *posts = NULL;
		size_t n_posts = 0;
		char err[128];

		if (s->docs[PART_POSTS] != NULL &&
		    negotiation_posts_read(s->docs[PART_POSTS], &posts, &n_posts, err,
		                           sizeof err) == 0) {
			for (size_t i = 0; i < n_posts; i++) {
				snprintf(line, sizeof line, "%s, %s%s:", posts[i].author.name,
				         posts[i].creation_date,
				         posts[i].type == NEGOTIATION_POST_PRIVATE ? " (private)"
				                                                   : "");
				pager_add_paragraph(&s->pager, line, 2, UI_STYLE_MUTED);
				pager_add_paragraph(&s->pager, posts[i].text, 4, UI_STYLE_NORMAL);
			}
			negotiation_posts_free(&posts, n_posts);
		}
		if (n_posts == 0)
			pager_add_paragraph(&s->pager, "(none)", 2, UI_STYLE_MUTED);
	}

	pager_add_blank(&s->pager);
	pager_add_heading(&s->pager, "Timeline", UI_STYLE_HEADER);
	{
		struct negotiation_entry *e = NULL;
		size_t n_e = 0;
		char err[128];

		if (s->docs[PART_TIMELINE] != NULL &&
		    negotiation_timeline_read(s->docs[PART_TIMELINE], &e, &n_e, err, sizeof err) ==
		        0) {
			for (size_t i = 0; i < n_e; i++) {
				if (e[i].kind == NEGOTIATION_ENTRY_TRANSITION)
					snprintf(line, sizeof line, "%s %s: %s%s%s %s -> %s%s%s",
					         e[i].time, e[i].actor, e[i].event,
					         e[i].resource != NULL ? " on " : "",
					         e[i].resource != NULL ? e[i].resource : "",
					         e[i].from, e[i].to,
					         e[i].message != NULL ? ": " : "",
					         e[i].message != NULL ? e[i].message : "");
				else
					snprintf(line, sizeof line, "%s %s: %s post%s%s", e[i].time,
					         e[i].actor,
					         e[i].post_type == NEGOTIATION_POST_PRIVATE
					             ? "private"
					             : "public",
					         e[i].message != NULL ? ": " : "",
					         e[i].message != NULL ? e[i].message : "");
				pager_add_paragraph(&s->pager, line, 2, UI_STYLE_NORMAL);
			}
			negotiation_timeline_free(&e, n_e);
		}
	}
}

/* ---- steps and posts ---- */

static void got_done(const struct hub_reply *r, void *arg)
{
	struct reply_to *to = arg;
	struct app *app = to->app;
	struct nego_state *s = to->s;

	free(to);
	if (r->error != NULL) {
		char *why = sanitize_text(r->error);

		app_status(app, true, "The hub refused it: %s", why);
		free(why);
	} else {
		const char *state = json_string_value(json_object_get(r->doc, "status"));

		if (state == NULL)
			state = json_string_value(json_object_get(r->doc, "currentState"));
		app_status(app, false, "Done%s%s", state != NULL ? "; now " : "",
		           state != NULL ? state : "");
	}
	load(app, s);
}

/* The events the user may send on the picked item, as wire names. */
static size_t allowed(struct nego_state *s, const char ***out)
{
	static const char *names[64];
	size_t n = 0;

	if (s->pick >= 0) {
		const struct negotiation_resource *r = &s->res[s->pick];

		for (size_t i = 0; i < r->n_events && n < 64; i++)
			names[n++] = r->events[i];
	} else {
		for (size_t i = 0; i < s->events.n && n < 64; i++)
			names[n++] = s->events.items[i].value;
	}
	*out = names;
	return n;
}

static void ask_event(struct app *app, struct nego_state *s)
{
	const char **names;
	size_t n = allowed(s, &names);
	struct buf b = BUF_INIT;

	if (!s->have_ng)
		return;
	if (n == 0) {
		app_status(app, false, "Nothing for you to do on %s now%s",
		           s->pick >= 0 ? "this collection" : "the request",
		           s->pick < 0 && s->n_res > 0 ? " (Tab picks a collection)" : "");
		return;
	}
	buf_puts(&b, "Step");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%zu %s", i == 0 ? " (" : ", ", i + 1, names[i]);
	buf_puts(&b, "):");
	app_prompt(app, PROMPT_EVENT, buf_str(&b), n == 1 ? "1" : "");
	buf_free(&b);
}

static void send_event(struct app *app, struct nego_state *s, const char *message)
{
	char *id = hub_api_escape(s->id), *ev = hub_api_escape(s->event), *path;
	json_t *body =
	    message != NULL && *message != '\0' ? json_pack("{s:s}", "message", message) : NULL;
	struct reply_to *to = xcalloc(1, sizeof *to);

	if (s->resource != NULL) {
		char *rid = hub_api_escape(s->resource);

		path = xasprintf("/api/v3/negotiations/%s/resources/%s/lifecycle/%s", id, rid, ev);
		free(rid);
	} else {
		path = xasprintf("/api/v3/negotiations/%s/lifecycle/%s", id, ev);
	}
	to->app = app;
	to->s = s;
	app_status(app, false, "Sending %s...", s->event);
	if (access_call(app, s, "PUT", path, body, NULL, got_done, to, free) != 0)
		free(to);
	json_decref(body);
	free(path);
	free(ev);
	free(id);
}

static void send_post(struct app *app, struct nego_state *s, const char *text, bool private)
{
	char *id = hub_api_escape(s->id), *path = xasprintf("/api/v3/negotiations/%s/posts", id);
	json_t *body =
	    json_pack("{s:s, s:s}", "text", text, "type", private ? "PRIVATE" : "PUBLIC");
	struct reply_to *to = xcalloc(1, sizeof *to);

	to->app = app;
	to->s = s;
	if (access_call(app, s, "POST", path, body, NULL, got_done, to, free) != 0)
		free(to);
	json_decref(body);
	free(path);
	free(id);
}

static const char *nego_prompt(struct app *app, void *state, int tag, const char *answer)
{
	struct nego_state *s = state;
	const char **names;
	size_t n = allowed(s, &names);
	char *end;
	long k;

	answer += strspn(answer, " ");
	switch (tag) {
	case PROMPT_EVENT:
		k = strtol(answer, &end, 10);
		free(s->event);
		s->event = NULL;
		if (end != answer && *end == '\0' && k >= 1 && (size_t)k <= n)
			s->event = xstrdup(names[k - 1]);
		for (size_t i = 0; s->event == NULL && i < n; i++)
			if (strcasecmp(answer, names[i]) == 0)
				s->event = xstrdup(names[i]);
		if (s->event == NULL) {
			snprintf(s->message, sizeof s->message,
			         "give the number or the name of one of the steps (Esc cancels)");
			return s->message;
		}
		free(s->resource);
		s->resource = s->pick >= 0 ? xstrdup(s->res[s->pick].id) : NULL;
		snprintf(s->message, sizeof s->message,
		         "%s: a message (optional, shown to all):", s->event);
		app_prompt(app, PROMPT_MESSAGE, s->message, "");
		return NULL;
	case PROMPT_MESSAGE:
		send_event(app, s, answer);
		return NULL;
	case PROMPT_POST:
	case PROMPT_PRIVATE:
		if (*answer == '\0')
			return "an empty post is not sent (Esc cancels)";
		send_post(app, s, answer, tag == PROMPT_PRIVATE);
		return NULL;
	default:
		return NULL;
	}
}

static struct screen_result nego_action(struct app *app, void *state, enum ui_action a)
{
	struct nego_state *s = state;

	if (pager_action(&s->pager, a))
		return screen_handled();
	switch (a) {
	case UI_ACTION_NEXT_PANE:
	case UI_ACTION_PREV_PANE:
		if (s->n_res > 0) {
			long n = (long)s->n_res + 1, i = s->pick + 1;

			i = (i + (a == UI_ACTION_NEXT_PANE ? 1 : n - 1)) % n;
			s->pick = i - 1;
		}
		return screen_handled();
	case UI_ACTION_STEP:
		ask_event(app, s);
		return screen_handled();
	case UI_ACTION_POST:
		app_prompt(app, PROMPT_POST, "Post (public):", "");
		return screen_handled();
	case UI_ACTION_POST_PRIVATE:
		if (!s->review) {
			app_status(app, false,
			           "private posts are for the committee and representatives");
			return screen_handled();
		}
		app_prompt(app, PROMPT_PRIVATE, "Private post (not shown to the author):", "");
		return screen_handled();
	case UI_ACTION_REDRAW:
		load(app, s);
		return screen_handled();
	default:
		return screen_unhandled();
	}
}

static struct screen_result nego_key(struct app *app, void *state, int key)
{
	struct nego_state *s = state;

	(void)app;
	return pager_key(&s->pager, key) ? screen_handled() : screen_unhandled();
}

static void nego_draw(struct app *app, void *state, struct ui_canvas *c, struct screen_area area)
{
	struct nego_state *s = state;

	build(app, s, c->utf8);
	pager_draw(&s->pager, c, area);
}

static void nego_enter(struct app *app, void *state, const void *arg)
{
	struct nego_state *s = state;
	const struct access_open *o = arg;

	s->id = xstrdup(o->id);
	s->review = o->review;
	s->pick = -1;
	load(app, s);
}

static void nego_leave(struct app *app, void *state)
{
	struct nego_state *s = state;

	access_cancel(app, s);
	for (enum part p = 0; p < PART_COUNT; p++) {
		json_decref(s->docs[p]);
		free(s->errors[p]);
	}
	negotiation_clear(&s->ng);
	for (size_t k = 0; k < s->n_res; k++)
		negotiation_resource_clear(&s->res[k]);
	free(s->res);
	negotiation_event_list_clear(&s->events);
	access_form_free(&s->form);
	counts_free(&s->now);
	query_free(&s->query);
	pager_free(&s->pager);
	free(s->event);
	free(s->resource);
	free(s->id);
}

static const char *nego_hint(struct app *app, void *state)
{
	struct nego_state *s = state;

	(void)app;
	return s->review ? "Tab pick  t step  p post  P private post  C-l refresh"
	                 : "Tab pick  t step  p post  C-l refresh";
}

const struct screen_ops negotiation_screen = {
	.name = "negotiation",
	.title = "Access request",
	.state_size = sizeof(struct nego_state),
	.enter = nego_enter,
	.leave = nego_leave,
	.draw = nego_draw,
	.action = nego_action,
	.key = nego_key,
	.hint = nego_hint,
	.prompt = nego_prompt,
};
