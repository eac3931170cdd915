/* The explorer's access-request plumbing: calls to the hub owned by the
 * screens that started them, who the user is, the poll and its badge,
 * drafts left by an earlier run, and the "Request access" action. */
#include "config.h"

#include "screens/access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/catalogue.h"
#include "core/negotiation.h"
#include "core/query_json.h"
#include "screens/app.h"
#include "store/drafts.h"
#include "util/log.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

struct call {
	struct app_access *acc;
	void *owner;
	hub_api_fn fn;
	void *arg;
	void (*release)(void *arg); /* for arg when the call is cancelled */
	struct http_transfer *t;
	struct call *next;
};

struct user_wait {
	void *owner;
	void (*fn)(struct app *app, void *arg);
	void *arg;
	struct user_wait *next;
};

struct app_access {
	struct app *app;
	struct hub_api api;
	struct call *calls;
	char *user; /* NULL until userinfo answered */
	bool admin, representative, user_failed;
	struct user_wait *waits;
	long long next_poll; /* monotonic ms; 0: no poll */
	bool polling;
	bool waiting;   /* headless: a wait for the calls is running */
	json_t *seen;   /* id -> "STATUS modified" as the user last looked; NULL: not yet */
	json_t *latest; /* the same as the last poll found */
	size_t changed;
	char badge[64];
	char why[256];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool background(const struct app *app)
{
	return (app->counts->flags & COUNTS_BACKGROUND) != 0;
}

/* ---- calls ---- */

static void unlink_call(struct app_access *acc, struct call *c)
{
	for (struct call **p = &acc->calls; *p != NULL; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

static void call_done(const struct hub_reply *r, void *arg)
{
	struct call *c = arg;

	unlink_call(c->acc, c);
	if (r->error != NULL)
		log_info("hub call: %s", r->error);
	if (c->fn != NULL)
		c->fn(r, c->arg);
	free(c);
}

int access_call(struct app *app, void *owner, const char *method, const char *path, json_t *body,
                const char *idempotency_key, hub_api_fn fn, void *arg, void (*release)(void *arg))
{
	struct app_access *acc = app->access;
	struct call *c;
	char err[256];

	if (acc == NULL || access_unavailable(app) != NULL) {
		app_status(app, true, "%s",
		           acc != NULL ? access_unavailable(app) : "no access requests here");
		return -1;
	}
	c = xcalloc(1, sizeof *c);
	c->acc = acc;
	c->owner = owner;
	c->fn = fn;
	c->arg = arg;
	c->release = release;
	c->next = acc->calls;
	acc->calls = c;
	c->t = hub_api_start(&acc->api, method, path, body, idempotency_key, call_done, c, err,
	                     sizeof err);
	if (c->t == NULL) {
		unlink_call(acc, c);
		free(c);
		app_status(app, true, "cannot ask the hub: %s", err);
		return -1;
	}
	/* Headless: every reply before the next key, so scripts see them; a
	 * call started from a reply is waited for by the wait already running. */
	if (!background(app) && !acc->waiting) {
		acc->waiting = true;
		while (acc->calls != NULL)
			if (http_multi_wait(app->net, NULL, 0, -1) < 0)
				break;
		acc->waiting = false;
	}
	return 0;
}

void access_cancel(struct app *app, void *owner)
{
	struct app_access *acc = app->access;
	struct call **p;

	if (acc == NULL)
		return;
	for (p = &acc->calls; *p != NULL;) {
		struct call *c = *p;

		if (c->owner == owner) {
			*p = c->next;
			http_multi_cancel(app->net, c->t);
			if (c->release != NULL)
				c->release(c->arg);
			free(c);
		} else {
			p = &c->next;
		}
	}
	for (struct user_wait **w = &acc->waits; *w != NULL;) {
		if ((*w)->owner == owner) {
			struct user_wait *x = *w;

			*w = x->next;
			free(x);
		} else {
			w = &(*w)->next;
		}
	}
}

size_t access_pending(struct app *app, const void *owner)
{
	size_t n = 0;

	if (app->access == NULL)
		return 0;
	for (const struct call *c = app->access->calls; c != NULL; c = c->next)
		n += c->owner == owner;
	return n;
}

/* ---- who the user is ---- */

static void poll_start(struct app *app);

static void run_waits(struct app *app)
{
	struct app_access *acc = app->access;

	while (acc->waits != NULL) {
		struct user_wait *w = acc->waits;

		acc->waits = w->next;
		if (acc->user != NULL)
			w->fn(app, w->arg);
		free(w);
	}
}

static void got_user(const struct hub_reply *r, void *arg)
{
	struct app *app = arg;
	struct app_access *acc = app->access;
	const char *id = json_string_value(json_object_get(r->doc, "id"));
	size_t i;
	json_t *role;

	if (r->error != NULL || id == NULL) {
		char *why = sanitize_text(r->error != NULL ? r->error : "no user id");

		acc->user_failed = true;
		app_status(app, true, "the hub does not say who you are: %s", why);
		free(why);
		run_waits(app);
		return;
	}
	acc->user = xstrdup(id);
	json_array_foreach (json_object_get(r->doc, "roles"), i, role) {
		const char *name = json_string_value(role);

		acc->admin = acc->admin || (name != NULL && strcmp(name, "ADMIN") == 0);
		acc->representative =
		    acc->representative || (name != NULL && strcmp(name, "REPRESENTATIVE") == 0);
	}
	run_waits(app);
	if (background(app))
		poll_start(app);
}

void access_when_user(struct app *app, void *owner, void (*fn)(struct app *app, void *arg),
                      void *arg)
{
	struct app_access *acc = app->access;
	struct user_wait *w;

	if (acc == NULL || access_unavailable(app) != NULL)
		return;
	if (acc->user != NULL) {
		fn(app, arg);
		return;
	}
	if (acc->user_failed) {
		app_status(app, true, "the hub did not say who you are: restart ecii to try again");
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->owner = owner;
	w->fn = fn;
	w->arg = arg;
	w->next = acc->waits;
	acc->waits = w;
	if (access_pending(app, acc) == 0)
		access_call(app, acc, "GET", "/api/v3/userinfo", NULL, NULL, got_user, app, NULL);
}

const char *access_user(struct app *app)
{
	return app->access != NULL ? app->access->user : NULL;
}

bool access_is_admin(struct app *app)
{
	return app->access != NULL && app->access->admin;
}

bool access_is_representative(struct app *app)
{
	return app->access != NULL && app->access->representative;
}

const char *access_unavailable(struct app *app)
{
	struct app_access *acc = app->access;

	if (app->fed->hub == NULL || app->net == NULL)
		return "access requests go to a hub: start ecii with --hub URL or ECII_HUB "
		       "(./bootstrap run starts one on this machine)";
	if (app->fed->token == NULL)
		return "access requests need you logged in to the hub: run 'ecii login' or set "
		       "ECII_TOKEN";
	if (app->fed->offline_as_of != NULL && acc != NULL) {
		snprintf(acc->why, sizeof acc->why,
		         "the hub cannot be reached (the catalogue is the copy of %s): access "
		         "requests need it",
		         app->fed->offline_as_of);
		return acc->why;
	}
	return NULL;
}

/* ---- the poll and its badge ---- */

static char *mark_of(const struct negotiation *n)
{
	return xasprintf("%s %s", negotiation_state_name(n->status), n->modified_date);
}

static void count_changed(struct app_access *acc)
{
	const char *id;
	json_t *v;

	acc->changed = 0;
	if (acc->seen == NULL || acc->latest == NULL)
		return;
	json_object_foreach (acc->latest, id, v) {
		json_t *old = json_object_get(acc->seen, id);

		if (old == NULL || !json_equal(old, v))
			acc->changed++;
	}
}

static json_t *marks_of(const struct negotiation *list, size_t n)
{
	json_t *marks = json_object();

	for (size_t i = 0; i < n; i++) {
		char *m = mark_of(&list[i]);

		json_object_set_new(marks, list[i].id, json_string(m));
		free(m);
	}
	return marks;
}

static void got_poll(const struct hub_reply *r, void *arg)
{
	struct app *app = arg;
	struct app_access *acc = app->access;
	struct negotiation *list = NULL;
	struct negotiation_page page;
	size_t n = 0;
	char err[256];

	acc->polling = false;
	acc->next_poll = now_ms() + ACCESS_POLL_MS;
	if (r->error != NULL ||
	    negotiation_list_read(r->doc, &list, &n, &page, err, sizeof err) != 0) {
		log_info("poll: %s", r->error != NULL ? r->error : err);
		return;
	}
	json_decref(acc->latest);
	acc->latest = marks_of(list, n);
	if (acc->seen == NULL)
		acc->seen = json_deep_copy(acc->latest);
	count_changed(acc);
	negotiation_list_free(&list, n);
}

static void poll_start(struct app *app)
{
	struct app_access *acc = app->access;
	char *user, *path;

	if (acc->user == NULL || acc->polling)
		return;
	user = hub_api_escape(acc->user);
	path = xasprintf("/api/v3/users/%s/negotiations?role=AUTHOR&size=100", user);
	acc->polling = true;
	if (access_call(app, acc, "GET", path, NULL, NULL, got_poll, app, NULL) != 0) {
		acc->polling = false;
		acc->next_poll = now_ms() + ACCESS_POLL_MS;
	}
	free(path);
	free(user);
}

int access_timeout(struct app *app, int timeout_ms)
{
	struct app_access *acc = app->access;
	long long left;

	if (acc == NULL || acc->next_poll == 0 || acc->polling)
		return timeout_ms;
	left = acc->next_poll - now_ms();
	if (left < 0)
		left = 0;
	return timeout_ms < 0 || left < timeout_ms ? (int)left : timeout_ms;
}

void access_tick(struct app *app)
{
	struct app_access *acc = app->access;

	if (acc != NULL && acc->next_poll != 0 && !acc->polling && now_ms() >= acc->next_poll)
		poll_start(app);
}

const char *access_badge(struct app *app)
{
	struct app_access *acc = app->access;

	if (acc == NULL || acc->changed == 0)
		return NULL;
	snprintf(acc->badge, sizeof acc->badge, "%zu request%s changed (M)", acc->changed,
	         acc->changed == 1 ? "" : "s");
	return acc->badge;
}

void access_seen_list(struct app *app, const struct negotiation *list, size_t n)
{
	struct app_access *acc = app->access;

	if (acc == NULL)
		return;
	json_decref(acc->seen);
	json_decref(acc->latest);
	acc->latest = marks_of(list, n);
	acc->seen = json_deep_copy(acc->latest);
	acc->changed = 0;
}

void access_seen(struct app *app)
{
	struct app_access *acc = app->access;

	if (acc == NULL || acc->latest == NULL)
		return;
	json_decref(acc->seen);
	acc->seen = json_deep_copy(acc->latest);
	acc->changed = 0;
}

char *access_who_words(unsigned who, bool for_author)
{
	unsigned rest = who & ~(unsigned)NEGOTIATION_WHO_AUTHOR;

	if (!for_author || !(who & NEGOTIATION_WHO_AUTHOR))
		return xstrdup(negotiation_who_words(who));
	if (rest == 0)
		return xstrdup("you");
	return xasprintf("you or %s", negotiation_who_words(rest));
}

/* ---- submitting ---- */

size_t access_reply_errors(json_t *doc, struct access_form_errors *out)
{
	json_t *list = json_object_get(doc, "fields");
	char err[128];

	memset(out, 0, sizeof *out);
	if (!json_is_array(list))
		list = json_object_get(doc, "errors");
	if (!json_is_array(list) || access_form_errors_read(list, out, err, sizeof err) != 0)
		return 0;
	return out->n;
}

enum access_sent access_submit_reply(struct draft *d, const struct hub_reply *r,
                                     struct access_form_errors *errs, char *msg, size_t msglen)
{
	const char *id = json_string_value(json_object_get(r->doc, "id"));
	const char *shown = json_string_value(json_object_get(r->doc, "displayId"));
	char err[256];
	char *why;

	if (errs != NULL)
		memset(errs, 0, sizeof *errs);
	if (r->error == NULL && id != NULL && id[0] != '\0') {
		char *clean = sanitize_text(shown != NULL ? shown : id);

		draft_submit_done(d, id);
		if (draft_save(d, err, sizeof err) != 0)
			log_warn("draft %s: %s", d->id, err);
		if (draft_remove(d->id, err, sizeof err) != 0)
			log_warn("draft %s: %s", d->id, err);
		snprintf(msg, msglen,
		         "Submitted as request %s: the committee reviews it next (M: my requests)",
		         clean);
		free(clean);
		return ACCESS_SENT_DONE;
	}
	why = sanitize_text(r->error != NULL ? r->error : "the hub's reply has no id");
	if (r->status >= 400 && r->status < 500) {
		size_t n = errs != NULL ? access_reply_errors(r->doc, errs) : 0;

		draft_submit_refused(d, r->error);
		if (draft_save(d, err, sizeof err) != 0)
			log_warn("draft %s: %s", d->id, err);
		snprintf(msg, msglen, "The hub refused it: %s%s", why,
		         n > 0 ? " (marked at the fields)" : "");
		free(why);
		return ACCESS_SENT_REFUSED;
	}
	/* It may have landed: stay SUBMITTING, the same key next time. */
	draft_set_error(d, r->error != NULL ? r->error : "no reply");
	if (draft_save(d, err, sizeof err) != 0)
		log_warn("draft %s: %s", d->id, err);
	snprintf(msg, msglen, "No reply: y sends it again, it cannot arrive twice (%s)", why);
	free(why);
	return ACCESS_SENT_UNKNOWN;
}

int access_submit_send(struct app *app, void *owner, struct draft *d, hub_api_fn fn, void *arg,
                       void (*release)(void *arg))
{
	char err[256];
	json_t *body;
	int rc;

	if (access_unavailable(app) != NULL) {
		app_status(app, true, "not sent: %s", access_unavailable(app));
		return -1;
	}
	if (draft_submit_begin(d) != 0) {
		app_status(app, true, "this request was submitted already");
		return -1;
	}
	/* On disk before anything leaves: a kill now finds SUBMITTING. */
	if (draft_save(d, err, sizeof err) != 0) {
		app_status(app, true, "not sent: the draft cannot be saved: %s", err);
		return -1;
	}
	body = json_pack("{s:s, s:b, s:O}", "request", d->request_id, "draft", 0, "payload",
	                 d->payload);
	rc = access_call(app, owner, "POST", "/api/v3/negotiations", body, d->idempotency_key, fn,
	                 arg, release);
	json_decref(body);
	return rc;
}

/* A draft left SUBMITTING by an earlier run, sent again at start. */
struct resend {
	struct app *app;
	struct draft *d;
};

static void resend_free(void *arg)
{
	struct resend *rs = arg;

	draft_free(&rs->d);
	free(rs);
}

static void got_resend(const struct hub_reply *r, void *arg)
{
	struct resend *rs = arg;
	char msg[512];

	access_submit_reply(rs->d, r, NULL, msg, sizeof msg);
	app_status(rs->app, r->error != NULL, "Unfinished submit: %s", msg);
	draft_free(&rs->d);
	free(rs);
}

/* Drafts of this hub: those SUBMITTING are sent again; the status line
 * says how many wait to be finished. */
static void offer_drafts(struct app *app)
{
	struct draft_list l;
	char err[256];
	size_t editing = 0;
	const struct draft *last = NULL;

	if (draft_list(&l, err, sizeof err) != 0) {
		app_status(app, true, "drafts: %s", err);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct draft *d = l.items[i];

		if (strcmp(d->hub, app->fed->hub) != 0)
			continue;
		if (d->state == DRAFT_EDITING) {
			if (editing++ == 0)
				last = d;
		} else if (d->state == DRAFT_SUBMITTING && d->request_id != NULL) {
			struct resend *rs = xcalloc(1, sizeof *rs);

			rs->app = app;
			rs->d = d;
			l.items[i] = NULL;
			if (access_submit_send(app, app->access, d, got_resend, rs, resend_free) !=
			    0) {
				draft_free(&rs->d);
				free(rs);
			}
		}
	}
	if (editing > 0) {
		char *text = sanitize_text(last->cohort_text);

		app_status(app, false,
		           "%zu unfinished access request%s kept: M opens %s (last: %s)", editing,
		           editing == 1 ? "" : "s", editing == 1 ? "it" : "them", text);
		free(text);
	}
	draft_list_clear(&l); /* the items sent again are NULL here: kept by the calls */
}

struct app_access *access_new(struct app *app)
{
	struct app_access *acc = xcalloc(1, sizeof *acc);

	acc->app = app;
	app->access = acc;
	if (access_unavailable(app) != NULL)
		return acc;
	acc->api = (struct hub_api){ app->net, app->fed->hub, app->fed->token };
	if (background(app)) {
		access_call(app, acc, "GET", "/api/v3/userinfo", NULL, NULL, got_user, app, NULL);
		offer_drafts(app);
	}
	return acc;
}

void access_free(struct app_access **ap)
{
	struct app_access *acc = *ap;

	if (acc == NULL)
		return;
	while (acc->calls != NULL) {
		struct call *c = acc->calls;

		acc->calls = c->next;
		http_multi_cancel(acc->app->net, c->t);
		if (c->release != NULL)
			c->release(c->arg);
		free(c);
	}
	while (acc->waits != NULL) {
		struct user_wait *w = acc->waits;

		acc->waits = w->next;
		free(w);
	}
	json_decref(acc->seen);
	json_decref(acc->latest);
	free(acc->user);
	free(acc);
	*ap = NULL;
}

/* ---- "Request access" ---- */

static void add_collection(struct app *app, struct draft *d, const char *id)
{
	json_t *item = catalogue_find(app->catalogue, id);
	const char *name = item != NULL ? catalogue_item_str(item, "name") : NULL;
	const char *pid = item != NULL ? catalogue_item_str2(item, "provider", "id") : NULL;
	const char *pname = item != NULL ? catalogue_item_str2(item, "provider", "name") : NULL;
	char err[128];

	draft_add_collection(d, id, name != NULL ? name : "", pid != NULL ? pid : "",
	                     pname != NULL ? pname : "", err, sizeof err);
}

/* The counts on screen, with each site's state, as the user saw them. */
static void record_counts(struct draft *d, const struct counts *cn)
{
	char err[128];

	draft_set_counts(d, (int64_t)counts_subjects(cn, NULL), (int64_t)counts_studies(cn), NULL,
	                 err, sizeof err);
	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *cs = &cn->sites[i];
		bool ok = cs->state == COUNTS_ANSWERED;

		draft_add_site_count(d, cs->id, ok ? (int64_t)cs->answer.subjects : -1,
		                     ok ? (int64_t)cs->answer.studies : -1,
		                     ok                              ? "succeeded"
		                     : cs->state == COUNTS_TIMED_OUT ? "timed_out"
		                     : cs->state == COUNTS_FAILED    ? "failed"
		                                                     : "pending",
		                     err, sizeof err);
	}
}

struct screen_result access_request(struct app *app)
{
	static char id[UUID_TEXT_LEN + 1];
	static struct request_form_open open = { id, NULL };
	const struct counts *cn = app->counts;
	bool current = cn->asked && cn->version == app->cohort->version;
	const char *why = access_unavailable(app), *key;
	struct draft *d;
	json_t *ast, *v;
	char err[256];
	bool chosen = json_object_size(app->selected) > 0;

	if (why != NULL) {
		app_status(app, true, "%s", why);
		return screen_handled();
	}
	if (!chosen && !current) {
		app_status(app, true,
		           "choose collections first: Space in the catalogue, or count a cohort "
		           "(r) to take those with subjects");
		return screen_handled();
	}
	ast = query_to_json(app->cohort->query);
	d = draft_new(app->fed->hub, app->cohort->text, ast, app->cohort->hash, err, sizeof err);
	json_decref(ast);
	if (d == NULL) {
		app_status(app, true, "cannot start a request: %s", err);
		return screen_handled();
	}
	if (current)
		record_counts(d, cn);
	if (chosen) {
		json_object_foreach (app->selected, key, v)
			add_collection(app, d, key);
	} else {
		for (size_t i = 0; i < cn->n_sites; i++) {
			const struct counts_site *cs = &cn->sites[i];

			for (size_t k = 0;
			     cs->state == COUNTS_ANSWERED && k < cs->answer.n_collections; k++)
				if (cs->answer.collections[k].subjects > 0)
					add_collection(app, d, cs->answer.collections[k].id);
		}
	}
	if (d->n_collections == 0) {
		app_status(app, true,
		           "no collection has subjects for this cohort: select some with Space in "
		           "the catalogue");
		draft_free(&d);
		return screen_handled();
	}
	if (draft_save(d, err, sizeof err) != 0) {
		app_status(app, true, "cannot keep the draft: %s", err);
		draft_free(&d);
		return screen_handled();
	}
	if (!chosen)
		app_status(
		    app, false,
		    "No collection selected: asking for the %zu with subjects in this cohort",
		    d->n_collections);
	else
		app_status(app, false, "Asking for the %zu selected collection%s", d->n_collections,
		           d->n_collections == 1 ? "" : "s");
	snprintf(id, sizeof id, "%s", d->id);
	draft_free(&d);
	return screen_push(&request_form_screen, &open);
}
