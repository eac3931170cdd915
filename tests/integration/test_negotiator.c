/* The access-request API (PROTOCOL.md §6) end to end against a real hub on
 * a loopback port: the whole loop of issue 5 (a researcher hands over a
 * cohort for two collections, drafts, changes and submits; the committee
 * approves; the table's events move each collection on; the researcher
 * sees RESOURCE_MADE_AVAILABLE) with every step in the timeline, in order,
 * with its actor and time, and the hub stopped and started again on the
 * same store half way; then illegal events, an admin's own negotiation,
 * Idempotency-Key, who sees which post, HAL paging, bad bodies and the
 * author's queries. Replies are read with core/negotiation.h's readers, so
 * the hub's JSON is checked against the model the client uses. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/access_form.h"
#include "core/negotiation.h"
#include "core/vocab.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "store/hub_store_nego.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include "../unit/support.h"
#include "hub_support.h"

#define TIMEOUT_S 20
#define MAX_BODY  (256 * 1024)

/* sex:male modality:MR, as Lens would send it */
#define AST                                                                                     \
	"{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["                 \
	"{\"operand\":\"OR\",\"children\":[{\"key\":\"SNOMEDCT263495000\",\"type\":\"EQUALS\"," \
	"\"value\":\"SNOMEDCT248153007\"}]},"                                                   \
	"{\"operand\":\"OR\",\"children\":[{\"key\":\"RID10311\",\"type\":\"EQUALS\","          \
	"\"value\":\"RID10312\"}]}]}]}"

#define COLLECTIONS_A                                                                       \
	"[{\"id\":\"c-1\",\"name\":\"Prostate MRI Lisbon\",\"provider\":{\"id\":\"pt-lx\"," \
	"\"name\":\"Hospital de Lisboa\",\"country\":\"PT\"}}]"
#define COLLECTIONS_B "[{\"id\":\"c-2\",\"name\":\"Prostate MRI Porto\"}]"

enum who {
	RITA,  /* the researcher */
	OLGA,  /* another researcher */
	ADAM,  /* the committee */
	ADA,   /* the committee, a second member */
	REP,   /* represents c-1 */
	REP2,  /* represents c-2 */
	SITEA, /* site-a's token */
	SITEB,
	N_WHO,
};

static const char *const who_names[N_WHO] = { "rita", "olga", "adam",   "ada",
	                                      "rep",  "rep2", "site-a", "site-b" };

static char *tmpdir, *store_path;
static struct hub_store *store;
static struct vocab *vocab;
static struct access_form *form;
static struct hub *hub;
static char *tokens[N_WHO];

static void start_hub(void)
{
	hub = hub_new(store, vocab);
	hub->form = form;
	hub->max_body = MAX_BODY;
	hub_test_start(hub);
}

/* Sends method path as who with body (NULL: none) and extra header (NULL:
 * none), expects status and returns the reply as JSON (new; NULL for an
 * empty body). */
static json_t *call_h(enum who w, const char *method, const char *path, const char *extra,
                      const char *body, long status)
{
	struct hub_test_reply r;
	json_error_t jerr;
	json_t *doc = NULL;

	hub_test_request(hub_port(hub), method, path, tokens[w], extra, body, TIMEOUT_S, &r);
	if (r.status != status)
		fail_msg("%s %s as %s: status %ld, want %ld: %s", method, path, who_names[w],
		         r.status, status, buf_str(&r.body));
	if (r.body.len > 0) {
		doc = json_loads(buf_str(&r.body), JSON_DECODE_ANY, &jerr);
		if (doc == NULL)
			fail_msg("%s %s: not JSON: %s", method, path, buf_str(&r.body));
		assert_non_null(r.content_type);
		assert_string_equal(r.content_type, "application/json");
	}
	hub_test_reply_clear(&r);
	return doc;
}

static json_t *call(enum who w, const char *method, const char *path, const char *body, long status)
{
	return call_h(w, method, path, NULL, body, status);
}

/* call() for a refusal: returns the error message, new. */
static char *refused(enum who w, const char *method, const char *path, const char *body,
                     long status)
{
	json_t *doc = call(w, method, path, body, status);
	const char *msg = json_string_value(json_object_get(doc, "error"));
	char *copy;

	if (msg == NULL)
		fail_msg("%s %s: no error message", method, path);
	copy = xstrdup(msg);
	json_decref(doc);
	return copy;
}

/* Asserts that text holds every one of the NULL-terminated words. */
static void expect_words(const char *text, ...)
{
	const char *word;
	va_list ap;

	va_start(ap, text);
	while ((word = va_arg(ap, const char *)) != NULL)
		if (strstr(text, word) == NULL)
			fail_msg("\"%s\" does not say \"%s\"", text, word);
	va_end(ap);
}

static char *path_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *path_of(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		fail_msg("out of memory");
	va_end(ap);
	return p;
}

/* A new request by w for c-1 and c-2 with the AST: its id, new. */
static char *new_request(enum who w)
{
	json_t *doc =
	    call(w, "POST", "/api/v3/requests",
	         "{\"url\":\"https://explorer.example/?q=1\",\"humanReadable\":"
	         "\"sex:male modality:MR\",\"resources\":[{\"id\":\"c-1\"},{\"id\":\"c-2\"}],"
	         "\"query\":" AST "}",
	         201);
	char *id = xstrdup(json_string_value(json_object_get(doc, "id")));

	json_decref(doc);
	return id;
}

/* A new negotiation by w: a draft or a submission with every answer. */
static char *new_negotiation(enum who w, bool draft)
{
	char *req = new_request(w), *body, *id;
	json_t *doc;

	body = xasprintf("{\"request\":\"%s\",\"draft\":%s,\"payload\":%s}", req,
	                 draft ? "true" : "false", hub_test_valid_payload);
	doc = call(w, "POST", "/api/v3/negotiations", body, 201);
	id = xstrdup(json_string_value(json_object_get(doc, "id")));
	json_decref(doc);
	free(body);
	free(req);
	return id;
}

/* Reads doc as a NegotiationDTO into n (the test fails if it is not one). */
static void read_negotiation(json_t *doc, struct negotiation *n)
{
	char err[512] = "";

	if (negotiation_read(doc, n, err, sizeof err) != 0)
		fail_msg("not a NegotiationDTO: %s", err);
}

/* w sends event to negotiation id (coll NULL) or to its collection coll
 * with message (NULL: none); expects status. Returns the reply, new. */
static json_t *event(enum who w, const char *id, const char *coll, const char *ev,
                     const char *message, long status)
{
	char *path = coll == NULL ? path_of("/api/v3/negotiations/%s/lifecycle/%s", id, ev)
	                          : path_of("/api/v3/negotiations/%s/resources/%s/lifecycle/%s", id,
	                                    coll, ev);
	char *body = message != NULL ? xasprintf("{\"message\":\"%s\"}", message) : NULL;
	json_t *doc = call(w, "PUT", path, body, status);

	free(body);
	free(path);
	return doc;
}

/* event() expecting 200 with the state after it: the negotiation's status
 * or the collection's currentState must be want. */
static void step(enum who w, const char *id, const char *coll, const char *ev, const char *message,
                 const char *want)
{
	json_t *doc = event(w, id, coll, ev, message, 200);
	const char *got =
	    json_string_value(json_object_get(doc, coll == NULL ? "status" : "currentState"));

	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s %s by %s: state %s, want %s", ev, coll ? coll : "", who_names[w],
		         got ? got : "(none)", want);
	json_decref(doc);
}

/* negotiation id's timeline as w sees it. */
static void read_timeline(enum who w, const char *id, struct negotiation_entry **e, size_t *n)
{
	char *path = path_of("/api/v3/negotiations/%s/timeline", id), err[512] = "";
	json_t *doc = call(w, "GET", path, NULL, 200);

	if (negotiation_timeline_read(doc, e, n, err, sizeof err) != 0)
		fail_msg("timeline: %s", err);
	json_decref(doc);
	free(path);
}

static int group_setup(void **state)
{
	char err[512] = "";
	json_t *doc;

	(void)state;
	tmpdir = test_tmpdir("negotiator");
	store_path = test_temp_path(tmpdir, "hub.db");
	store = hub_store_open(store_path, HUB_STORE_CREATE, err, sizeof err);
	if (store == NULL)
		fail_msg("open: %s", err);
	tokens[RITA] = hub_test_add_user(store, "rita", HUB_ROLE_RESEARCHER);
	tokens[OLGA] = hub_test_add_user(store, "olga", HUB_ROLE_RESEARCHER);
	tokens[ADAM] = hub_test_add_user(store, "adam", HUB_ROLE_ADMIN);
	tokens[ADA] = hub_test_add_user(store, "ada", HUB_ROLE_ADMIN);
	tokens[REP] = hub_test_add_user(store, "rep", HUB_ROLE_RESEARCHER);
	tokens[REP2] = hub_test_add_user(store, "rep2", HUB_ROLE_RESEARCHER);
	tokens[SITEA] = hub_test_add_site(store, "site-a", "PT");
	tokens[SITEB] = hub_test_add_site(store, "site-b", "PT");
	if (hub_store_represent(store, "rep", "c-1", err, sizeof err) != 0 ||
	    hub_store_represent(store, "rep2", "c-2", err, sizeof err) != 0)
		fail_msg("represent: %s", err);
	vocab = test_vocab_load();
	form = hub_test_form_load();
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	start_hub();
	doc = call(SITEA, "PUT", "/api/catalogue/sites/site-a/collections", COLLECTIONS_A, 200);
	json_decref(doc);
	doc = call(SITEB, "PUT", "/api/catalogue/sites/site-b/collections", COLLECTIONS_B, 200);
	json_decref(doc);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	hub_free(&hub);
	curl_global_cleanup();
	vocab_free(&vocab);
	access_form_free(&form);
	hub_store_close(&store);
	for (size_t i = 0; i < N_WHO; i++)
		free(tokens[i]);
	test_rmtree(tmpdir);
	free(tmpdir);
	free(store_path);
	return 0;
}

/* One expected transition of the timeline. */
struct want_step {
	const char *actor, *event, *resource, *to;
	bool with_post; /* a public post with the message follows it */
};

static void test_full_loop(void **state)
{
	static const struct want_step want[] = {
		{ "rita", "SUBMIT", NULL, "SUBMITTED", false },
		{ "adam", "APPROVE", NULL, "IN_PROGRESS", true },
		{ "adam", "CONTACT", "c-1", "REPRESENTATIVE_CONTACTED", false },
		{ "adam", "CONTACT", "c-2", "REPRESENTATIVE_CONTACTED", false },
		{ "rep", "MARK_AS_CHECKING_AVAILABILITY", "c-1", "CHECKING_AVAILABILITY", false },
		{ "rep2", "STEP_AWAY", "c-2", "RESOURCE_UNAVAILABLE", false },
		{ "rep", "MARK_AS_AVAILABLE", "c-1", "RESOURCE_AVAILABLE", false },
		{ "rep", "INDICATE_ACCESS_CONDITIONS", "c-1", "ACCESS_CONDITIONS_INDICATED", true },
		{ "rita", "ACCEPT_ACCESS_CONDITIONS", "c-1", "ACCESS_CONDITIONS_MET", false },
		{ "rep", "GRANT_ACCESS_TO_RESOURCE", "c-1", "RESOURCE_MADE_AVAILABLE", false },
	};
	struct negotiation_request r;
	struct negotiation n;
	struct negotiation_entry *tl = NULL;
	struct negotiation_event_list events;
	struct negotiation_page page;
	char err[512] = "", *req, *body, *path, *id, *before_restart, *after_restart;
	json_t *doc, *items, *mine;
	size_t n_tl = 0, k = 0;
	uint16_t old_port;

	(void)state;
	/* the hand-over: the cohort AST and two collections */
	doc = call(
	    RITA, "POST", "/api/v3/requests",
	    "{\"url\":\"https://explorer.example/\",\"humanReadable\":\"sex:male modality:MR\","
	    "\"resources\":[{\"id\":\"c-1\",\"name\":\"ignored\"},{\"id\":\"c-2\"}],"
	    "\"query\":" AST "}",
	    201);
	if (negotiation_request_read(doc, NEGOTIATION_READ_REPLY, &r, err, sizeof err) != 0)
		fail_msg("request reply: %s", err);
	assert_int_equal(r.n_resources, 2);
	assert_string_equal(r.resources[0].name, "Prostate MRI Lisbon"); /* the catalogue's */
	assert_string_equal(r.resources[0].org.id, "site-a");
	assert_string_equal(r.resources[0].org.external_id, "pt-lx");
	assert_string_equal(r.resources[0].org.name, "Hospital de Lisboa");
	assert_string_equal(r.resources[1].org.name, "site-b"); /* no provider: the site */
	assert_non_null(r.cohort_hash);
	assert_int_equal(strlen(r.cohort_hash), 64);
	assert_null(r.negotiation);
	{
		json_t *sent = json_loads(AST, 0, NULL);

		assert_true(json_equal(r.query, sent)); /* the exact AST */
		json_decref(sent);
	}
	req = xstrdup(r.id);
	negotiation_request_clear(&r);
	json_decref(doc);

	path = path_of("/api/v3/requests/%s/access-form", req);
	doc = call(RITA, "GET", path, NULL, 200);
	{
		struct access_form *f = access_form_read(doc, err, sizeof err);

		assert_non_null(f);
		assert_int_equal(f->n_sections, 6);
		access_form_free(&f);
	}
	json_decref(doc);
	free(path);

	/* a draft with one answer, changed, then submitted */
	body = xasprintf("{\"request\":\"%s\",\"draft\":true,\"payload\":"
	                 "{\"summary\":{\"title\":\"draft title\"}}}",
	                 req);
	doc = call(RITA, "POST", "/api/v3/negotiations", body, 201);
	free(body);
	read_negotiation(doc, &n);
	assert_int_equal(n.status, NEGOTIATION_DRAFT);
	assert_string_equal(n.author.name, "rita");
	assert_string_equal(n.request_id, req);
	assert_int_equal(n.n_resources, 2);
	assert_int_equal(n.resources[0].state, NEGOTIATION_RESOURCE_SUBMITTED);
	assert_string_equal(n.human_readable, "sex:male modality:MR");
	assert_non_null(n.query);
	id = xstrdup(n.id);
	negotiation_clear(&n);
	json_decref(doc);

	path = path_of("/api/v3/negotiations/%s", id);
	body = xasprintf("{\"payload\":%s}", hub_test_valid_payload);
	doc = call(RITA, "PATCH", path, body, 200);
	free(body);
	read_negotiation(doc, &n);
	{
		json_t *want_payload = json_loads(hub_test_valid_payload, 0, NULL);

		assert_true(json_equal(n.payload, want_payload));
		json_decref(want_payload);
	}
	negotiation_clear(&n);
	json_decref(doc);

	free(path);
	path = path_of("/api/v3/negotiations/%s/lifecycle", id);
	doc = call(RITA, "GET", path, NULL, 200);
	assert_int_equal(negotiation_event_list_read(doc, &events, err, sizeof err), 0);
	assert_int_equal(events.n, 1);
	assert_string_equal(events.items[0].value, "SUBMIT");
	negotiation_event_list_clear(&events);
	json_decref(doc);
	doc = call(ADAM, "GET", path, NULL, 200); /* the committee may not submit for her */
	assert_int_equal(json_array_size(doc), 0);
	json_decref(doc);
	free(path);

	step(RITA, id, NULL, "SUBMIT", NULL, "SUBMITTED");

	/* the committee's queue has it */
	doc = call(ADAM, "GET", "/api/v3/negotiations?status=SUBMITTED&size=100", NULL, 200);
	assert_int_equal(negotiation_hal_read(doc, "negotiations", &items, &page, err, sizeof err),
	                 0);
	mine = NULL;
	for (size_t i = 0; i < json_array_size(items); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "id")),
		           id) == 0)
			mine = json_array_get(items, i);
	assert_non_null(mine);
	json_decref(doc);

	step(ADAM, id, NULL, "APPROVE", "Approved by the DAC", "IN_PROGRESS");

	/* the hub stopped and started again on the same store loses nothing */
	path = path_of("/api/v3/negotiations/%s", id);
	doc = call(RITA, "GET", path, NULL, 200);
	before_restart = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(doc);
	old_port = hub_port(hub);
	hub_free(&hub);
	hub_store_close(&store);
	store = hub_store_open(store_path, HUB_STORE_WRITE, err, sizeof err);
	if (store == NULL)
		fail_msg("reopen: %s", err);
	start_hub();
	assert_true(hub_port(hub) != 0);
	(void)old_port;
	doc = call(RITA, "GET", path, NULL, 200);
	after_restart = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(doc);
	assert_string_equal(before_restart, after_restart);
	free(before_restart);
	free(after_restart);
	free(path);

	/* each collection along its table */
	step(ADAM, id, "c-1", "CONTACT", NULL, "REPRESENTATIVE_CONTACTED");
	step(ADAM, id, "c-2", "CONTACT", NULL, "REPRESENTATIVE_CONTACTED");
	step(REP, id, "c-1", "MARK_AS_CHECKING_AVAILABILITY", NULL, "CHECKING_AVAILABILITY");
	step(REP2, id, "c-2", "STEP_AWAY", NULL, "RESOURCE_UNAVAILABLE");
	step(REP, id, "c-1", "MARK_AS_AVAILABLE", NULL, "RESOURCE_AVAILABLE");
	step(REP, id, "c-1", "INDICATE_ACCESS_CONDITIONS", "Sign the data transfer agreement",
	     "ACCESS_CONDITIONS_INDICATED");
	step(RITA, id, "c-1", "ACCEPT_ACCESS_CONDITIONS", NULL, "ACCESS_CONDITIONS_MET");
	step(REP, id, "c-1", "GRANT_ACCESS_TO_RESOURCE", NULL, "RESOURCE_MADE_AVAILABLE");

	/* the researcher sees it */
	path = path_of("/api/v3/negotiations/%s/resources", id);
	doc = call(RITA, "GET", path, NULL, 200);
	assert_int_equal(negotiation_hal_read(doc, "resources", &items, &page, err, sizeof err), 0);
	assert_int_equal(json_array_size(items), 2);
	{
		struct negotiation_resource res;

		assert_int_equal(negotiation_resource_read(json_array_get(items, 0),
		                                           NEGOTIATION_READ_REPLY, true, &res, err,
		                                           sizeof err),
		                 0);
		assert_string_equal(res.id, "c-1");
		assert_int_equal(res.state, NEGOTIATION_RESOURCE_MADE_AVAILABLE);
		assert_int_equal(res.n_events, 0);
		negotiation_resource_clear(&res);
		assert_int_equal(negotiation_resource_read(json_array_get(items, 1),
		                                           NEGOTIATION_READ_REPLY, true, &res, err,
		                                           sizeof err),
		                 0);
		assert_int_equal(res.state, NEGOTIATION_RESOURCE_UNAVAILABLE);
		negotiation_resource_clear(&res);
	}
	json_decref(doc);
	free(path);
	path = path_of("/api/v3/negotiations/%s", id);
	doc = call(RITA, "GET", path, NULL, 200);
	read_negotiation(doc, &n);
	assert_int_equal(n.resources[0].state, NEGOTIATION_RESOURCE_MADE_AVAILABLE);
	{
		enum negotiation_resource_state rs[2] = { n.resources[0].state,
			                                  n.resources[1].state };

		/* both collections final: the author or the committee concludes */
		assert_int_equal(negotiation_who_next(n.status, rs, 2),
		                 NEGOTIATION_WHO_AUTHOR_OR_ADMIN);
	}
	negotiation_clear(&n);
	json_decref(doc);
	free(path);

	/* every step in the timeline, in order, with actor and time */
	read_timeline(RITA, id, &tl, &n_tl);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct negotiation_entry *e;

		if (k >= n_tl)
			fail_msg("the timeline ends before %s", want[i].event);
		e = &tl[k++];
		assert_int_equal(e->kind, NEGOTIATION_ENTRY_TRANSITION);
		assert_string_equal(e->actor, want[i].actor);
		assert_string_equal(e->event, want[i].event);
		assert_string_equal(e->to, want[i].to);
		if (want[i].resource == NULL)
			assert_null(e->resource);
		else
			assert_string_equal(e->resource, want[i].resource);
		assert_true(strlen(e->time) == 20 && e->time[19] == 'Z');
		if (k > 1) {
			assert_true(e->id > tl[k - 2].id);
			assert_true(strcmp(e->time, tl[k - 2].time) >= 0);
		}
		if (want[i].with_post) {
			assert_non_null(e->message);
			assert_true(k < n_tl);
			assert_int_equal(tl[k].kind, NEGOTIATION_ENTRY_POST);
			assert_int_equal(tl[k].post_type, NEGOTIATION_POST_PUBLIC);
			assert_string_equal(tl[k].message, e->message);
			assert_string_equal(tl[k].actor, e->actor);
			k++;
		}
	}
	assert_int_equal(k, n_tl);
	negotiation_timeline_free(&tl, n_tl);

	/* ...and the committee's copy is the same */
	read_timeline(ADAM, id, &tl, &n_tl);
	assert_int_equal(n_tl, k);
	negotiation_timeline_free(&tl, n_tl);

	step(RITA, id, NULL, "CONCLUDE", NULL, "CONCLUDED");
	free(id);
	free(req);
}

static void test_illegal_events(void **state)
{
	char *id = new_negotiation(RITA, false), *msg, *path;
	json_t *doc;

	(void)state;
	path = path_of("/api/v3/negotiations/%s/lifecycle/APPROVE", id);
	msg = refused(RITA, "PUT", path, NULL, 403);
	expect_words(msg, "APPROVE is not allowed", "SUBMITTED", "allowed for you: none",
	             "APPROVE (the committee)", "DECLINE (the committee)", NULL);
	free(msg);
	free(path);
	path = path_of("/api/v3/negotiations/%s/lifecycle/SUBMIT", id);
	msg = refused(RITA, "PUT", path, NULL, 403);
	expect_words(msg, "SUBMITTED", NULL);
	free(msg);
	free(path);
	/* a collection waits until the negotiation is IN_PROGRESS */
	path = path_of("/api/v3/negotiations/%s/resources/c-1/lifecycle/CONTACT", id);
	msg = refused(ADAM, "PUT", path, NULL, 403);
	expect_words(msg, "IN_PROGRESS", "SUBMITTED", NULL);
	free(msg);
	/* in progress: the table decides, naming state and events */
	doc = event(ADA, id, NULL, "APPROVE", NULL, 200);
	json_decref(doc);
	msg = refused(REP, "PUT", path, NULL, 403);
	expect_words(msg, "CONTACT is not allowed", "collection c-1 is SUBMITTED",
	             "allowed for you: none", "CONTACT (the committee)",
	             "MARK_AS_UNREACHABLE (the committee)", NULL);
	free(msg);
	free(path);
	path = path_of("/api/v3/negotiations/%s/resources/c-1/lifecycle/MARK_AS_AVAILABLE", id);
	msg = refused(ADAM, "PUT", path, NULL, 403);
	expect_words(msg, "SUBMITTED", "allowed for you: CONTACT, MARK_AS_UNREACHABLE", NULL);
	free(msg);
	free(path);
	/* the representative of c-2 may not move c-1 */
	doc = event(ADAM, id, "c-1", "CONTACT", NULL, 200);
	json_decref(doc);
	path = path_of("/api/v3/negotiations/%s/resources/c-1/lifecycle/STEP_AWAY", id);
	msg = refused(REP2, "PUT", path, NULL, 403);
	expect_words(msg, "REPRESENTATIVE_CONTACTED", "allowed for you: none", NULL);
	free(msg);
	free(path);
	/* unknown names */
	path = path_of("/api/v3/negotiations/%s/lifecycle/FINISH", id);
	msg = refused(RITA, "PUT", path, NULL, 400);
	expect_words(msg, "unknown event FINISH", NULL);
	free(msg);
	free(path);
	path = path_of("/api/v3/negotiations/%s/resources/c-9/lifecycle/CONTACT", id);
	free(refused(ADAM, "PUT", path, NULL, 404));
	free(path);
	/* a final state allows nothing */
	doc = event(RITA, id, NULL, "ABANDON", "no longer needed", 200);
	json_decref(doc);
	path = path_of("/api/v3/negotiations/%s/lifecycle/UNPAUSE", id);
	msg = refused(ADAM, "PUT", path, NULL, 403);
	expect_words(msg, "ABANDONED", "nothing: it is final", NULL);
	free(msg);
	free(path);
	free(id);
}

static void test_admin_cannot_approve_own(void **state)
{
	char *id = new_negotiation(ADAM, false), *msg, *path;
	json_t *doc;

	(void)state;
	path = path_of("/api/v3/negotiations/%s/lifecycle", id);
	doc = call(ADAM, "GET", path, NULL, 200);
	assert_int_equal(json_array_size(doc), 0);
	json_decref(doc);
	doc = call(ADA, "GET", path, NULL, 200);
	assert_int_equal(json_array_size(doc), 2);
	json_decref(doc);
	free(path);
	path = path_of("/api/v3/negotiations/%s/lifecycle/APPROVE", id);
	msg = refused(ADAM, "PUT", path, NULL, 403);
	expect_words(msg, "you authored", "SUBMITTED", NULL);
	free(msg);
	free(path);
	path = path_of("/api/v3/negotiations/%s/lifecycle/DECLINE", id);
	free(refused(ADAM, "PUT", path, NULL, 403));
	free(path);
	step(ADA, id, NULL, "APPROVE", NULL, "IN_PROGRESS");
	/* as an author, the admin may still pause it */
	step(ADAM, id, NULL, "PAUSE", NULL, "PAUSED");
	free(id);
}

/* How many negotiations the store holds for request req, read through a
 * second connection as an administrator would. */
static size_t count_in_store(const char *author, const char *req)
{
	struct hub_negotiation_filter f = { .author = author };
	char err[512] = "";
	struct hub_store *s = hub_store_open(store_path, HUB_STORE_READ, err, sizeof err);
	json_t *list, *row;
	int64_t total = 0;
	size_t i, n = 0;

	if (s == NULL)
		fail_msg("open: %s", err);
	list = hub_store_negotiation_list(s, &f, 0, 1000, &total, err, sizeof err);
	if (list == NULL)
		fail_msg("list: %s", err);
	json_array_foreach (list, i, row)
		n += strcmp(json_string_value(json_object_get(row, "request")), req) == 0;
	json_decref(list);
	hub_store_close(&s);
	return n;
}

static void test_idempotency(void **state)
{
	char key[UUID_TEXT_LEN + 1], header[128], *req = new_request(RITA), *body, *first;
	char *other_req = new_request(RITA), *other_body, *olga_req = new_request(OLGA), *msg;
	json_t *a, *b, *c;

	(void)state;
	assert_int_equal(uuid_v4(key), 0);
	snprintf(header, sizeof header, "Idempotency-Key: %s", key);
	body = xasprintf("{\"request\":\"%s\",\"draft\":false,\"payload\":%s}", req,
	                 hub_test_valid_payload);
	a = call_h(RITA, "POST", "/api/v3/negotiations", header, body, 201);
	/* the reply was lost: the client sends the same again */
	b = call_h(RITA, "POST", "/api/v3/negotiations", header, body, 201);
	first = xstrdup(json_string_value(json_object_get(a, "id")));
	assert_string_equal(json_string_value(json_object_get(b, "id")), first);
	assert_true(json_equal(a, b));
	assert_int_equal(count_in_store("rita", req), 1);
	json_decref(b);
	/* without the key a second try is refused: the request is taken */
	msg = refused(RITA, "POST", "/api/v3/negotiations", body, 409);
	expect_words(msg, "already in a negotiation", NULL);
	free(msg);
	assert_int_equal(count_in_store("rita", req), 1);
	/* the same key for another request is a client's mistake */
	other_body = xasprintf("{\"request\":\"%s\",\"draft\":true}", other_req);
	b = call_h(RITA, "POST", "/api/v3/negotiations", header, other_body, 422);
	json_decref(b);
	assert_int_equal(count_in_store("rita", other_req), 0);
	free(other_body);
	/* keys are per author: olga's same key makes her own */
	other_body = xasprintf("{\"request\":\"%s\",\"draft\":true}", olga_req);
	c = call_h(OLGA, "POST", "/api/v3/negotiations", header, other_body, 201);
	assert_string_not_equal(json_string_value(json_object_get(c, "id")), first);
	assert_int_equal(count_in_store("olga", olga_req), 1);
	json_decref(c);
	free(other_body);
	/* a bad key */
	b = call_h(RITA, "POST", "/api/v3/negotiations", "Idempotency-Key: a b", body, 400);
	json_decref(b);
	json_decref(a);
	free(first);
	free(body);
	free(req);
	free(other_req);
	free(olga_req);
}

/* The texts of the posts w sees on negotiation id, joined by '|': new. */
static char *posts_seen(enum who w, const char *id)
{
	char *path = path_of("/api/v3/negotiations/%s/posts", id), err[512] = "";
	struct negotiation_post *posts = NULL;
	struct buf b = { 0 };
	json_t *doc = call(w, "GET", path, NULL, 200);
	size_t n = 0;
	char *out;

	if (negotiation_posts_read(doc, &posts, &n, err, sizeof err) != 0)
		fail_msg("posts: %s", err);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "|" : "", posts[i].text);
	negotiation_posts_free(&posts, n);
	json_decref(doc);
	free(path);
	out = xstrdup(buf_str(&b));
	buf_free(&b);
	return out;
}

/* How many post entries w's timeline of id has. */
static size_t timeline_posts(enum who w, const char *id)
{
	struct negotiation_entry *e = NULL;
	size_t n = 0, posts = 0;

	read_timeline(w, id, &e, &n);
	for (size_t i = 0; i < n; i++)
		posts += e[i].kind == NEGOTIATION_ENTRY_POST;
	negotiation_timeline_free(&e, n);
	return posts;
}

static void test_posts_visibility(void **state)
{
	char *id = new_negotiation(RITA, false), *path, *seen;
	struct negotiation_post p;
	char err[512] = "";
	json_t *doc;

	(void)state;
	path = path_of("/api/v3/negotiations/%s/posts", id);
	doc = call(RITA, "POST", path, "{\"text\":\"p1\",\"type\":\"PUBLIC\"}", 201);
	assert_int_equal(negotiation_post_read(doc, &p, err, sizeof err), 0);
	assert_string_equal(p.author.name, "rita");
	assert_int_equal(p.type, NEGOTIATION_POST_PUBLIC);
	negotiation_post_clear(&p);
	json_decref(doc);
	json_decref(call(RITA, "POST", path,
	                 "{\"text\":\"rita to the committee\",\"type\":\"PRIVATE\"}", 201));
	json_decref(
	    call(REP, "POST", path, "{\"text\":\"rep to rita\",\"type\":\"PRIVATE\"}", 201));
	json_decref(call(REP2, "POST", path, "{\"text\":\"rep2 public\"}", 201));
	free(refused(OLGA, "POST", path, "{\"text\":\"let me in\"}", 404));
	free(refused(RITA, "POST", path, "{\"text\":\"x\",\"type\":\"SECRET\"}", 400));
	free(refused(RITA, "POST", path, "{\"text\":", 400));

	/* PRIVATE: the author, the committee and the writer */
	seen = posts_seen(RITA, id);
	assert_string_equal(seen, "p1|rita to the committee|rep to rita|rep2 public");
	free(seen);
	seen = posts_seen(ADAM, id);
	assert_string_equal(seen, "p1|rita to the committee|rep to rita|rep2 public");
	free(seen);
	seen = posts_seen(REP, id);
	assert_string_equal(seen, "p1|rep to rita|rep2 public");
	free(seen);
	seen = posts_seen(REP2, id);
	assert_string_equal(seen, "p1|rep2 public");
	free(seen);
	free(refused(OLGA, "GET", path, NULL, 404));
	/* and the timeline shows each the same posts */
	assert_int_equal(timeline_posts(RITA, id), 4);
	assert_int_equal(timeline_posts(REP, id), 3);
	assert_int_equal(timeline_posts(REP2, id), 2);
	free(path);
	free(id);
}

static void test_hal_paging(void **state)
{
	struct negotiation *list = NULL;
	struct negotiation_page page;
	char *ids[5], err[512] = "", *path;
	json_t *doc;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 5; i++)
		ids[i] = new_negotiation(OLGA, i == 4);
	doc = call(OLGA, "GET", "/api/v3/users/olga/negotiations?size=2", NULL, 200);
	assert_int_equal(negotiation_list_read(doc, &list, &n, &page, err, sizeof err), 0);
	json_decref(doc);
	/* olga made one in test_idempotency too */
	assert_int_equal(page.total_elements, 6);
	assert_int_equal(page.total_pages, 3);
	assert_int_equal(page.size, 2);
	assert_int_equal(page.number, 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].id, ids[0]); /* oldest first */
	negotiation_list_free(&list, n);
	doc = call(OLGA, "GET", "/api/v3/users/olga/negotiations?size=2&page=2", NULL, 200);
	assert_int_equal(negotiation_list_read(doc, &list, &n, &page, err, sizeof err), 0);
	json_decref(doc);
	assert_int_equal(n, 2);
	assert_int_equal(page.number, 2);
	assert_string_equal(list[0].id, ids[3]);
	assert_string_equal(list[1].id, ids[4]);
	negotiation_list_free(&list, n);
	doc = call(OLGA, "GET", "/api/v3/users/olga/negotiations?size=2&page=3", NULL, 200);
	assert_int_equal(negotiation_list_read(doc, &list, &n, &page, err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(page.total_elements, 6);
	json_decref(doc);
	doc = call(OLGA, "GET", "/api/v3/users/olga/negotiations?status=DRAFT", NULL, 200);
	assert_int_equal(negotiation_list_read(doc, &list, &n, &page, err, sizeof err), 0);
	assert_int_equal(page.total_elements, 2);
	negotiation_list_free(&list, n);
	json_decref(doc);
	free(refused(OLGA, "GET", "/api/v3/users/olga/negotiations?size=0", NULL, 400));
	free(refused(OLGA, "GET", "/api/v3/users/olga/negotiations?size=101", NULL, 400));
	free(refused(OLGA, "GET", "/api/v3/users/olga/negotiations?page=-1", NULL, 400));
	free(refused(OLGA, "GET", "/api/v3/users/olga/negotiations?status=done", NULL, 400));
	free(refused(OLGA, "GET", "/api/v3/users/rita/negotiations", NULL, 403));
	/* the representative of c-1 sees olga's submitted ones, not her draft */
	doc = call(REP, "GET", "/api/v3/users/rep/negotiations?role=REPRESENTATIVE&size=100", NULL,
	           200);
	assert_int_equal(negotiation_list_read(doc, &list, &n, &page, err, sizeof err), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(list[i].status, NEGOTIATION_DRAFT);
		assert_string_not_equal(list[i].id, ids[4]);
	}
	assert_true(n >= 4);
	negotiation_list_free(&list, n);
	json_decref(doc);
	path = path_of("/api/v3/negotiations/%s", ids[4]);
	free(refused(REP, "GET", path, NULL, 404));
	free(path);
	for (int i = 0; i < 5; i++)
		free(ids[i]);
}

static void test_bad_bodies(void **state)
{
	char *req = new_request(RITA), *body, *msg, *big;
	struct access_form_errors errs;
	char err[512] = "";
	json_t *doc;
	bool title_required = false;

	(void)state;
	msg = refused(RITA, "POST", "/api/v3/requests", "{\"url\":", 400);
	expect_words(msg, "not JSON", NULL);
	free(msg);
	msg = refused(RITA, "POST", "/api/v3/requests", NULL, 400);
	free(msg);
	msg = refused(RITA, "POST", "/api/v3/requests",
	              "{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[{\"id\":\"c-1\"},"
	              "{\"id\":\"c-nowhere\"},{\"id\":\"c-gone\"}]}",
	              400);
	expect_words(msg, "unknown collections: c-nowhere, c-gone", NULL);
	free(msg);
	msg =
	    refused(RITA, "POST", "/api/v3/requests",
	            "{\"url\":\"u\",\"humanReadable\":\"h\",\"resources\":[{\"id\":\"c-1\"}],"
	            "\"query\":{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":"
	            "[{\"operand\":\"OR\",\"children\":[{\"key\":\"NOPE\",\"type\":\"EQUALS\","
	            "\"value\":\"x\"}]}]}]}}",
	            400);
	expect_words(msg, "query:", "NOPE", NULL);
	free(msg);
	msg = refused(RITA, "POST", "/api/v3/requests", "{\"url\":\"u\",\"humanReadable\":\"h\"}",
	              400);
	expect_words(msg, "resources: missing", NULL);
	free(msg);
	/* bodies over the hub's limit */
	big = xmalloc(MAX_BODY + 64);
	memset(big, ' ', MAX_BODY + 63);
	big[0] = '{';
	big[MAX_BODY + 62] = '}';
	big[MAX_BODY + 63] = '\0';
	free(refused(RITA, "POST", "/api/v3/requests", big, 413));
	free(big);

	/* a submission is checked against the form, field by field */
	body = xasprintf("{\"request\":\"%s\",\"draft\":false,\"payload\":{\"summary\":"
	                 "{\"start_date\":\"2027-02-30\"},\"extra\":{}}}",
	                 req);
	doc = call(RITA, "POST", "/api/v3/negotiations", body, 400);
	free(body);
	expect_words(json_string_value(json_object_get(doc, "error")), "cannot submit", NULL);
	assert_int_equal(
	    access_form_errors_read(json_object_get(doc, "fields"), &errs, err, sizeof err), 0);
	assert_true(errs.n > 6);
	for (size_t i = 0; i < errs.n; i++) {
		if (strcmp(errs.items[i].section, "summary") == 0 &&
		    strcmp(errs.items[i].element, "title") == 0)
			title_required = strcmp(errs.items[i].message, "required") == 0;
		if (strcmp(errs.items[i].element, "start_date") == 0)
			assert_string_equal(errs.items[i].message, "not a date (YYYY-MM-DD)");
	}
	assert_true(title_required);
	assert_string_equal(errs.items[errs.n - 1].section, "extra");
	assert_string_equal(errs.items[errs.n - 1].message, "not in the form");
	access_form_errors_clear(&errs);
	json_decref(doc);
	/* nothing was made: a draft of the same request still can be */
	body = xasprintf(
	    "{\"request\":\"%s\",\"draft\":true,\"payload\":{\"summary\":{\"title\":7}}}", req);
	msg = refused(RITA, "POST", "/api/v3/negotiations", body, 400);
	expect_words(msg, "the draft's answers", NULL);
	free(msg);
	free(body);
	body = xasprintf("{\"request\":\"%s\",\"draft\":true}", req);
	doc = call(RITA, "POST", "/api/v3/negotiations", body, 201);
	free(body);
	{
		char *path = path_of("/api/v3/negotiations/%s/lifecycle/SUBMIT",
		                     json_string_value(json_object_get(doc, "id")));

		/* submitting an empty draft names the fields too */
		json_t *no = call(RITA, "PUT", path, NULL, 400);

		assert_true(json_array_size(json_object_get(no, "fields")) > 6);
		json_decref(no);
		free(refused(RITA, "PUT", path, "{\"message\":", 400));
		free(path);
		path = path_of("/api/v3/negotiations/%s",
		               json_string_value(json_object_get(doc, "id")));
		free(refused(RITA, "PATCH", path, "{\"payload\":[]}", 400));
		free(refused(RITA, "PATCH", path, "{}", 400));
		free(refused(OLGA, "PATCH", path, "{\"payload\":{}}", 404));
		free(path);
	}
	json_decref(doc);
	msg = refused(RITA, "POST", "/api/v3/negotiations", "{\"request\":\"nope\"}", 400);
	expect_words(msg, "no request nope", NULL);
	free(msg);
	free(req);
}

/* A start-search body to site-a for AST: new. */
static char *search_body(void)
{
	char id[UUID_TEXT_LEN + 1], *inner, *inner64, *outer, *outer64, *body;

	assert_int_equal(uuid_v4(id), 0);
	inner = xasprintf("{\"ast\":%s,\"id\":\"%s\"}", AST, id);
	inner64 = base64_encode(inner, strlen(inner));
	outer = xasprintf("{\"lang\":\"ast\",\"query\":\"%s\"}", inner64);
	outer64 = base64_encode(outer, strlen(outer));
	body = xasprintf("{\"id\":\"%s\",\"sites\":[\"site-a\"],\"query\":\"%s\"}", id, outer64);
	free(inner);
	free(inner64);
	free(outer);
	free(outer64);
	return body;
}

static void test_author_queries(void **state)
{
	char *search = search_body(), *id, *path;
	json_t *doc, *q, *req_doc;
	const char *hash;

	(void)state;
	/* rita searches through the hub (audited), then asks for the cohort */
	json_decref(call(RITA, "POST", "/backend/beam", search, 201));
	free(search);
	id = new_negotiation(RITA, false);
	path = path_of("/api/v3/negotiations/%s", id);
	req_doc = call(RITA, "GET", path, NULL, 200);
	hash = json_string_value(json_object_get(req_doc, "cohortHash"));
	assert_non_null(hash);
	free(path);
	path = path_of("/api/v3/negotiations/%s/author-queries?limit=5", id);
	doc = call(ADAM, "GET", path, NULL, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "author")), "rita");
	assert_string_equal(json_string_value(json_object_get(doc, "cohortHash")), hash);
	q = json_array_get(json_object_get(doc, "queries"), 0);
	assert_non_null(q);
	assert_string_equal(json_string_value(json_object_get(q, "user")), "rita");
	assert_string_equal(json_string_value(json_object_get(q, "cohortHash")), hash);
	assert_true(json_is_true(json_object_get(q, "matchesRequest")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(q, "sites"), 0)),
	                    "site-a");
	assert_int_equal(strlen(json_string_value(json_object_get(q, "time"))), 20);
	assert_true(json_array_size(json_object_get(doc, "queries")) <= 5);
	json_decref(doc);
	json_decref(call(REP, "GET", path, NULL, 200));
	free(refused(RITA, "GET", path, NULL, 403));
	free(refused(OLGA, "GET", path, NULL, 404));
	free(path);
	path = path_of("/api/v3/negotiations/%s/author-queries?limit=0", id);
	free(refused(ADAM, "GET", path, NULL, 400));
	free(path);
	json_decref(req_doc);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_loop),
		cmocka_unit_test(test_illegal_events),
		cmocka_unit_test(test_admin_cannot_approve_own),
		cmocka_unit_test(test_idempotency),
		cmocka_unit_test(test_posts_visibility),
		cmocka_unit_test(test_hal_paging),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_author_queries),
	};

	return cmocka_run_group_tests_name("negotiator", tests, group_setup, group_teardown);
}
