/* The hub's search broker (PROTOCOL.md §3, §4, §7) over a real loopback
 * socket: the hub runs in-process on a free port, the test plays both the
 * researcher and the sites with their tokens, and libcurl asks it, from
 * threads where a request must wait (a site's long poll, a result stream).
 * Tokens and bad bodies first; then a whole search, results that came
 * before the stream, a site sending garbage, and a task that expires. */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/beam.h"
#include "core/vocab.h"
#include "hub/hub.h"
#include "net/server.h"
#include "net/sse.h"
#include "store/hub_store.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include "../unit/support.h"
#include "hub_support.h"

static char *tmpdir;
static struct hub_store *store;
static struct vocab *vocab;
static struct hub *hub;
static char *token_a, *token_b, *token_alice, *token_bob;

/* Sends method path to the hub with token (NULL: none) and body (NULL:
 * none), accepting an event stream and waiting up to 30 s; fills *r, which
 * the caller set up. Fails the test if curl fails. */
static void send_request(const char *method, const char *path, const char *token, const char *body,
                         struct hub_test_reply *r)
{
	hub_test_send(hub_port(hub), method, path, token, "Accept: text/event-stream", body, 30, r);
}

/* send_request on a zeroed *r. */
static void request(const char *method, const char *path, const char *token, const char *body,
                    struct hub_test_reply *r)
{
	hub_test_request(hub_port(hub), method, path, token, "Accept: text/event-stream", body, 30,
	                 r);
}

/* Asserts method path answers status (and, for errors, a JSON message
 * holding want when want is not NULL). */
static void expect(const char *method, const char *path, const char *token, const char *body,
                   long status, const char *want)
{
	struct hub_test_reply r;

	request(method, path, token, body, &r);
	if (r.status != status)
		fail_msg("%s %s: status %ld, want %ld: %s", method, path, r.status, status,
		         buf_str(&r.body));
	if (status >= 400) {
		json_t *doc = json_loads(buf_str(&r.body), 0, NULL);
		const char *msg = json_string_value(json_object_get(doc, "error"));

		assert_non_null(msg);
		if (want != NULL && strstr(msg, want) == NULL)
			fail_msg("%s %s: message \"%s\" lacks \"%s\"", method, path, msg, want);
		json_decref(doc);
	} else if (status == 201 || status == 204) {
		assert_int_equal(r.body.len, 0);
	}
	hub_test_reply_clear(&r);
}

/* A request running on its own thread. */
struct async {
	pthread_t thread;
	const char *method, *token;
	char path[512];
	char *body;
	struct hub_test_reply r;
};

static void *async_main(void *arg)
{
	struct async *a = arg;

	send_request(a->method, a->path, a->token, a->body, &a->r);
	return NULL;
}

static void async_start(struct async *a, const char *method, const char *path, const char *token)
{
	memset(a, 0, sizeof *a);
	a->method = method;
	a->token = token;
	snprintf(a->path, sizeof a->path, "%s", path);
	assert_int_equal(pthread_create(&a->thread, NULL, async_main, a), 0);
}

static void async_join(struct async *a)
{
	pthread_join(a->thread, NULL);
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits (bounded) until the stream's headers are in: the hub has taken it. */
static void async_wait_headers(struct async *a)
{
	for (int i = 0; i < 2000 && !atomic_load(&a->r.headers); i++)
		pause_ms(5);
	assert_true(atomic_load(&a->r.headers));
}

/* The outer query for the empty AST in language lang: new. */
static char *outer_query(const char *lang, const char *id)
{
	char *inner_text =
	    xasprintf("{\"ast\":{\"operand\":\"OR\",\"children\":[]},\"id\":\"%s\"}", id);
	char *inner = base64_encode(inner_text, strlen(inner_text));
	char *outer_text = xasprintf("{\"lang\":\"%s\",\"query\":\"%s\"}", lang, inner);
	char *outer = base64_encode(outer_text, strlen(outer_text));

	free(inner_text);
	free(inner);
	free(outer_text);
	return outer;
}

/* A start-search body for a new task to sites (a JSON array text, or NULL:
 * all); *id (new) is the task id and *outer (new; NULL: not wanted) its
 * outer query. */
static char *search_body(const char *sites, char **id, char **outer)
{
	char *q, *body;

	*id = xmalloc(UUID_TEXT_LEN + 1);
	assert_int_equal(uuid_v4(*id), 0);
	q = outer_query("ast", *id);
	if (sites != NULL)
		body = xasprintf("{\"id\":\"%s\",\"sites\":%s,\"query\":\"%s\"}", *id, sites, q);
	else
		body = xasprintf("{\"id\":\"%s\",\"query\":\"%s\"}", *id, q);
	if (outer != NULL)
		*outer = q;
	else
		free(q);
	return body;
}

/* Starts a search as alice; returns its id, new. */
static char *start_search(const char *sites, char **outer)
{
	char *id, *body = search_body(sites, &id, outer);

	expect("POST", "/backend/beam", token_alice, body, 201, NULL);
	free(body);
	return id;
}

static void put_result(const char *id, const char *site, const char *token, const char *body,
                       long status)
{
	char path[256];

	snprintf(path, sizeof path, "/beam/v1/tasks/%s/results/%s", id, site);
	expect("PUT", path, token, body, status, NULL);
}

static char *succeeded_body(const char *payload)
{
	char *b64 = base64_encode(payload, strlen(payload));
	char *body = xasprintf("{\"status\":\"succeeded\",\"body\":\"%s\"}", b64);

	free(b64);
	return body;
}

/* The parsed events of a whole stream. */
struct events {
	size_t n;
	char *type[16];
	char *data[16];
};

static void on_event(const struct sse_event *ev, void *arg)
{
	struct events *e = arg;

	assert_true(e->n < 16);
	e->type[e->n] = xstrdup(ev->type);
	e->data[e->n] = xstrndup(ev->data, ev->len);
	e->n++;
}

static void events_parse(const struct hub_test_reply *r, struct events *e)
{
	struct sse_parser *p = sse_parser_new(0, 0, on_event, e);

	memset(e, 0, sizeof *e);
	assert_int_equal(r->status, 200);
	assert_int_equal(sse_parser_feed(p, r->body.data, r->body.len), SSE_OK);
	assert_false(sse_parser_pending(p));
	sse_parser_free(&p);
}

static void events_clear(struct events *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->type[i]);
		free(e->data[i]);
	}
	memset(e, 0, sizeof *e);
}

/* Asserts event i is a new_result from site with status (and payload for
 * succeeded, when not NULL). */
static void assert_result(const struct events *e, size_t i, const char *id, const char *site,
                          enum beam_status status, const char *payload)
{
	struct beam_result res;
	char err[256] = "";
	json_t *doc;

	assert_true(i < e->n);
	assert_string_equal(e->type[i], "new_result");
	if (beam_result_read(e->data[i], strlen(e->data[i]), &res, err, sizeof err) != 0)
		fail_msg("event %zu: %s: %s", i, err, e->data[i]);
	assert_string_equal(res.site, site);
	assert_string_equal(res.task_id, id);
	assert_int_equal(res.status, status);
	if (payload != NULL)
		assert_string_equal(res.body, payload);
	beam_result_clear(&res);
	doc = json_loads(e->data[i], 0, NULL);
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "to"), 0)),
	                    "spot");
	json_decref(doc);
}

/* A stream of id's results as alice, read to its end. */
static void read_stream(const char *id, const char *query, struct events *e)
{
	char path[256];
	struct hub_test_reply r;

	snprintf(path, sizeof path, "/backend/beam/%s%s", id, query);
	request("GET", path, token_alice, NULL, &r);
	events_parse(&r, e);
	hub_test_reply_clear(&r);
}

static bool site_online(const char *name)
{
	struct hub_test_reply r;
	json_t *doc, *site;
	size_t i;
	bool online = false;

	request("GET", "/api/catalogue/sites", NULL, NULL, &r);
	doc = json_loads(buf_str(&r.body), 0, NULL);
	json_array_foreach (doc, i, site) {
		if (strcmp(json_string_value(json_object_get(site, "name")), name) == 0)
			online = json_is_true(json_object_get(site, "online"));
	}
	json_decref(doc);
	hub_test_reply_clear(&r);
	return online;
}

static int group_setup(void **state)
{
	tmpdir = test_tmpdir("hub-beam");
	store = hub_test_store_open(tmpdir);
	token_a = hub_test_add_site(store, "site-a", NULL);
	token_b = hub_test_add_site(store, "site-b", NULL);
	token_alice = hub_test_add_user(store, "alice", HUB_ROLE_RESEARCHER);
	token_bob = hub_test_add_user(store, "bob", HUB_ROLE_RESEARCHER);
	vocab = test_vocab_load();
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	hub = hub_new(store, vocab);
	hub_test_start(hub);
	return 0;
}

static int group_teardown(void **state)
{
	hub_free(&hub);
	curl_global_cleanup();
	vocab_free(&vocab);
	hub_store_close(&store);
	free(token_a);
	free(token_b);
	free(token_alice);
	free(token_bob);
	test_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

static void test_tokens(void **state)
{
	char *id = start_search("[\"site-a\"]", NULL), *body, *other, path[256];
	const char *ok = "{\"status\":\"claimed\"}";

	/* starting a search: a user's token */
	body = search_body("[\"site-a\"]", &other, NULL);
	expect("POST", "/backend/beam", NULL, body, 401, NULL);
	expect("POST", "/backend/beam", "ecii_u_nobody", body, 401, NULL);
	expect("POST", "/backend/beam", token_a, body, 403, NULL);
	free(body);
	free(other);
	/* the stream: its creator's token */
	snprintf(path, sizeof path, "/backend/beam/%s?wait_count=1", id);
	expect("GET", path, NULL, NULL, 401, NULL);
	expect("GET", path, "nonsense", NULL, 401, NULL);
	expect("GET", path, token_a, NULL, 403, NULL);
	expect("GET", path, token_bob, NULL, 403, "another user");
	/* polling: the site's own token */
	expect("GET", "/beam/v1/tasks?to=site-a", NULL, NULL, 401, NULL);
	expect("GET", "/beam/v1/tasks?to=site-a", "ecii_s_nobody", NULL, 401, NULL);
	expect("GET", "/beam/v1/tasks?to=site-a", token_b, NULL, 403, NULL);
	expect("GET", "/beam/v1/tasks?to=site-a", token_alice, NULL, 403, NULL);
	expect("GET", "/beam/v1/tasks", token_a, NULL, 403, NULL);
	expect("GET", "/beam/v1/tasks?to=site-a&wait_time=soon", token_a, NULL, 400, NULL);
	/* results: the site's own token, a site the task asked, a task there is */
	snprintf(path, sizeof path, "/beam/v1/tasks/%s/results/site-a", id);
	expect("PUT", path, NULL, ok, 401, NULL);
	expect("PUT", path, "x", ok, 401, NULL);
	expect("PUT", path, token_b, ok, 403, NULL);
	expect("PUT", path, token_alice, ok, 403, NULL);
	put_result(id, "site-b", token_b, ok, 403);
	put_result("00000000-0000-4000-8000-000000000000", "site-a", token_a, ok, 404);
	expect("GET", "/backend/beam/00000000-0000-4000-8000-000000000000", token_alice, NULL, 404,
	       NULL);
	free(id);
}

static void test_bad_searches(void **state)
{
	char id[UUID_TEXT_LEN + 1], *q, *body, *dup;

	assert_int_equal(uuid_v4(id), 0);
	expect("POST", "/backend/beam", token_alice, "", 400, NULL);
	expect("POST", "/backend/beam", token_alice, "{\"id\":", 400, NULL);
	body = xasprintf("{\"id\":\"%s\",\"query\":\"%%%%%%%%\"}", id);
	expect("POST", "/backend/beam", token_alice, body, 400, "base64");
	free(body);
	q = outer_query("cql", id);
	body = xasprintf("{\"id\":\"%s\",\"query\":\"%s\"}", id, q);
	expect("POST", "/backend/beam", token_alice, body, 400, "lang");
	free(body);
	free(q);
	body = search_body("[]", &dup, NULL);
	expect("POST", "/backend/beam", token_alice, body, 400, "No sites specified");
	free(body);
	free(dup);
	body = search_body("[\"site-a\",\"site-x\",\"site-y\"]", &dup, NULL);
	expect("POST", "/backend/beam", token_alice, body, 400, "site-x, site-y");
	free(body);
	free(dup);
	/* the same id twice, even from another user */
	body = search_body(NULL, &dup, NULL);
	expect("POST", "/backend/beam", token_alice, body, 201, NULL);
	expect("POST", "/backend/beam", token_bob, body, 409, NULL);
	free(body);
	free(dup);
}

/* Every task a site is asked now, as JSON (new), without waiting. */
static json_t *poll_now(const char *site, const char *token)
{
	char path[128];
	struct hub_test_reply r;
	json_t *doc;

	snprintf(path, sizeof path, "/beam/v1/tasks?to=%s&wait_count=1&wait_time=0", site);
	request("GET", path, token, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = json_loads(buf_str(&r.body), 0, NULL);
	assert_true(json_is_array(doc));
	hub_test_reply_clear(&r);
	return doc;
}

static bool has_task(json_t *tasks, const char *id)
{
	json_t *t;
	size_t i;

	json_array_foreach (tasks, i, t) {
		if (strcmp(json_string_value(json_object_get(t, "id")), id) == 0)
			return true;
	}
	return false;
}

/* site answers every task it was asked (permfailed), so a later poll
 * finds none. */
static void drain(const char *site, const char *token)
{
	json_t *tasks = poll_now(site, token), *t;
	size_t i;

	json_array_foreach (tasks, i, t)
		put_result(json_string_value(json_object_get(t, "id")), site, token,
		           "{\"status\":\"permfailed\",\"body\":\"not today\"}", 201);
	json_decref(tasks);
	tasks = poll_now(site, token);
	assert_int_equal(json_array_size(tasks), 0);
	json_decref(tasks);
}

static void test_search(void **state)
{
	const char *pa = "{\"provider\":\"Site A\",\"collections\":[]}";
	const char *pb = "{\"provider\":\"Site B\",\"collections\":[]}";
	struct async poll_a, stream;
	char *id, *outer, *body, path[256];
	struct events e;
	json_t *tasks, *task;

	drain("site-a", token_a);
	drain("site-b", token_b);
	/* site-a long-polls before there is a task; the hub shows it online */
	async_start(&poll_a, "GET", "/beam/v1/tasks?to=site-a&wait_count=1&wait_time=20", token_a);
	for (int i = 0; i < 2000 && !site_online("site-a"); i++)
		pause_ms(5);
	assert_true(site_online("site-a"));
	id = start_search("[\"site-a\",\"site-b\"]", &outer);
	async_join(&poll_a);
	assert_int_equal(poll_a.r.status, 200);
	tasks = json_loads(buf_str(&poll_a.r.body), 0, NULL);
	assert_int_equal(json_array_size(tasks), 1);
	task = json_array_get(tasks, 0);
	assert_string_equal(json_string_value(json_object_get(task, "id")), id);
	assert_string_equal(json_string_value(json_object_get(task, "body")), outer);
	assert_string_equal(json_string_value(json_object_get(task, "ttl")), "360s");
	assert_int_equal(json_array_size(json_object_get(task, "to")), 2);
	json_decref(tasks);
	hub_test_reply_clear(&poll_a.r);
	tasks = poll_now("site-b", token_b);
	assert_true(has_task(tasks, id));
	json_decref(tasks);

	/* the researcher's stream is open before any result */
	snprintf(path, sizeof path, "/backend/beam/%s?wait_count=2", id);
	async_start(&stream, "GET", path, token_alice);
	async_wait_headers(&stream);
	put_result(id, "site-a", token_a, "{\"status\":\"claimed\"}", 201);
	put_result(id, "site-a", token_a, "{\"status\":\"claimed\"}", 204); /* again: no event */
	put_result(id, "site-b", token_b, "{\"status\":\"claimed\"}", 201);
	tasks = poll_now("site-a", token_a);
	assert_false(has_task(tasks, id)); /* claimed: not handed out again */
	json_decref(tasks);
	body = succeeded_body(pa);
	put_result(id, "site-a", token_a, body, 204);
	put_result(id, "site-a", token_a, body, 409); /* answered already */
	free(body);
	body = succeeded_body(pb);
	put_result(id, "site-b", token_b, body, 204);
	free(body);
	async_join(&stream);
	events_parse(&stream.r, &e);
	assert_int_equal(e.n, 4);
	assert_result(&e, 0, id, "site-a", BEAM_CLAIMED, NULL);
	assert_result(&e, 1, id, "site-b", BEAM_CLAIMED, NULL);
	assert_result(&e, 2, id, "site-a", BEAM_SUCCEEDED, pa);
	assert_result(&e, 3, id, "site-b", BEAM_SUCCEEDED, pb);
	events_clear(&e);
	hub_test_reply_clear(&stream.r);
	free(outer);
	free(id);
}

static void test_results_before_stream(void **state)
{
	char *id = start_search("[\"site-a\",\"site-b\"]", NULL), *body;
	struct events e;

	put_result(id, "site-b", token_b, "{\"status\":\"claimed\"}", 201);
	put_result(id, "site-b", token_b, "{\"status\":\"permfailed\",\"body\":\"no database\"}",
	           204);
	body = succeeded_body("{}");
	put_result(id, "site-a", token_a, body, 201);
	free(body);
	read_stream(id, "", &e); /* wait_count: every site */
	assert_int_equal(e.n, 3);
	assert_result(&e, 0, id, "site-b", BEAM_CLAIMED, NULL);
	assert_result(&e, 1, id, "site-b", BEAM_PERMFAILED, "no database");
	assert_result(&e, 2, id, "site-a", BEAM_SUCCEEDED, "{}");
	events_clear(&e);
	/* a stream asking fewer closes after those */
	read_stream(id, "?wait_count=1", &e);
	assert_int_equal(e.n, 2);
	events_clear(&e);
	free(id);
}

static void test_garbage_result(void **state)
{
	char *id = start_search(NULL, NULL), *body;
	struct events e;

	put_result(id, "site-a", token_a, "not json", 400);
	put_result(id, "site-a", token_a, "[]", 400);
	put_result(id, "site-a", token_a, "{\"status\":\"done\"}", 400);
	put_result(id, "site-a", token_a, "{\"status\":\"succeeded\",\"body\":\"@@@=\"}", 400);
	put_result(id, "site-a", token_a, "{\"status\":\"succeeded\",\"body\":7}", 400);
	put_result(id, "site-a", token_a, "{\"status\":\"succeeded\",\"body\":\"/w==\"}", 400);
	put_result(id, "site-a", token_a, "{\"status\":\"permfailed\",\"body\":[]}", 400);
	body = succeeded_body("{\"provider\":\"B\"}");
	put_result(id, "site-b", token_b, body, 201);
	free(body);
	read_stream(id, "?wait_count=1", &e);
	assert_int_equal(e.n, 1);
	assert_result(&e, 0, id, "site-b", BEAM_SUCCEEDED, "{\"provider\":\"B\"}");
	events_clear(&e);
	expect("GET", "/backend/beam/x?wait_count=0", token_alice, NULL, 404, NULL);
	{
		char path[256];

		snprintf(path, sizeof path, "/backend/beam/%s?wait_count=0", id);
		expect("GET", path, token_alice, NULL, 400, NULL);
	}
	free(id);
}

static void test_expiry(void **state)
{
	struct async stream;
	char *id, path[256];
	struct events e;
	json_t *tasks;

	drain("site-a", token_a);
	drain("site-b", token_b);
	hub->task_ttl_ms = 1000;
	id = start_search("[\"site-a\",\"site-b\"]", NULL);
	put_result(id, "site-b", token_b, "{\"status\":\"claimed\"}", 201);
	snprintf(path, sizeof path, "/backend/beam/%s?wait_count=2", id);
	async_start(&stream, "GET", path, token_alice);
	async_join(&stream);
	events_parse(&stream.r, &e);
	assert_int_equal(e.n, 2);
	assert_result(&e, 0, id, "site-b", BEAM_CLAIMED, NULL);
	assert_string_equal(e.type[1], "wait_expired");
	events_clear(&e);
	hub_test_reply_clear(&stream.r);
	/* the task is gone */
	expect("GET", path, token_alice, NULL, 404, NULL);
	put_result(id, "site-a", token_a, "{\"status\":\"claimed\"}", 404);
	tasks = poll_now("site-a", token_a);
	assert_false(has_task(tasks, id));
	json_decref(tasks);
	/* a long poll with nothing for it answers [] when its wait ends */
	{
		struct hub_test_reply r;

		request("GET", "/beam/v1/tasks?to=site-b&wait_time=1", token_b, NULL, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(buf_str(&r.body), "[]");
		hub_test_reply_clear(&r);
	}
	hub->task_ttl_ms = HUB_DEFAULT_TASK_TTL_MS;
	free(id);
}

/* A full table of searches makes room by dropping the oldest one every
 * site has answered; only searches still open make a new one wait (503). */
static void test_full_table(void **state)
{
	char *ids[6], *body, *extra;

	drain("site-a", token_a); /* the earlier tests' tasks: all finished */
	drain("site-b", token_b);
	hub->max_tasks = 3;
	for (int i = 0; i < 3; i++)
		ids[i] = start_search("[\"site-a\"]", NULL);
	drain("site-a", token_a); /* all three answered */
	for (int i = 3; i < 6; i++)
		ids[i] = start_search("[\"site-a\"]", NULL); /* each drops a finished one */
	assert_int_equal(hub_beam_n_tasks(hub->beam), 3);
	body = search_body("[\"site-a\"]", &extra, NULL);
	expect("POST", "/backend/beam", token_alice, body, 503, NULL); /* three open ones */
	free(body);
	free(extra);
	hub->max_tasks = 0;
	for (int i = 0; i < 6; i++)
		free(ids[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),         cmocka_unit_test(test_bad_searches),
		cmocka_unit_test(test_search),         cmocka_unit_test(test_results_before_stream),
		cmocka_unit_test(test_garbage_result), cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests_name("hub_beam", tests, group_setup, group_teardown);
}
