/* ecii-node's agent (PROTOCOL.md §3, §4, §8) against a real hub on a
 * loopback port: two agents in threads over two demo site stores publish
 * their collections and answer a researcher's search with exactly the
 * payloads node_site_answer gives for the same query; a task whose query
 * cannot be read gets permfailed (from a small scripted hub, since the
 * real one refuses such a search) while the agent goes on; the hub goes
 * away and comes back on the same port and the agents answer again; and
 * an agent stops within a second of its stop flag. */
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
#include <jansson.h>

#include "core/beam.h"
#include "core/query.h"
#include "core/query_text.h"
#include "core/vocab.h"
#include "hub/hub.h"
#include "net/http_client.h"
#include "net/server.h"
#include "net/sse.h"
#include "node/agent.h"
#include "node/site.h"
#include "store/hub_store.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/log.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include "../unit/support.h"
#include "hub_support.h"

#define N_SITES 2

static const char *const site_files[N_SITES] = { "site-es-turia.db", "site-it-laguna.db" };

/* One agent serving on its own thread. */
struct agent_thread {
	pthread_t thread;
	struct node_site *site; /* the agent's own */
	char url[64];
	char *token;
	atomic_bool stop;
	atomic_bool done;
	int rc;
	char err[512];
};

static char *tmpdir, *log_path;
static struct hub_store *store;
static struct vocab *vocab;
static struct hub *hub;
static uint16_t port;
static char *token_alice;
static struct node_site *expected[N_SITES]; /* the test's own copies */
static struct agent_thread agents[N_SITES];

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The agents' claim_ms (node/agent.h); set before agent_start. */
static long agent_claim_ms;

static void *agent_main(void *arg)
{
	struct agent_thread *a = arg;
	struct node_agent_config cfg = {
		.hub_url = a->url,
		.token = a->token,
		.backoff_ms = 100,
		.backoff_max_ms = 800,
		.claim_ms = agent_claim_ms,
		.stop = &a->stop,
	};

	a->rc = node_agent_run(a->site, &cfg, a->err, sizeof a->err);
	atomic_store(&a->done, true);
	return NULL;
}

static void agent_start(struct agent_thread *a, const char *store_path, uint16_t hub_port,
                        const char *token)
{
	char err[512] = "";

	memset(a, 0, sizeof *a);
	a->site = node_site_open(store_path, vocab, err, sizeof err);
	if (a->site == NULL)
		fail_msg("%s: %s", store_path, err);
	snprintf(a->url, sizeof a->url, "http://127.0.0.1:%u/", (unsigned int)hub_port);
	a->token = xstrdup(token);
	assert_int_equal(pthread_create(&a->thread, NULL, agent_main, a), 0);
}

/* Sets a's stop flag and returns how long it took to end, in ms. */
static int64_t agent_stop(struct agent_thread *a)
{
	int64_t start = now_ms(), took;

	if (a->site == NULL)
		return 0;
	atomic_store(&a->stop, true);
	for (int i = 0; i < 1000 && !atomic_load(&a->done); i++)
		pause_ms(5);
	took = now_ms() - start;
	pthread_join(a->thread, NULL);
	if (a->rc != 0)
		fail_msg("agent: %s", a->err);
	node_site_close(&a->site);
	free(a->token);
	a->token = NULL;
	return took;
}

/* Sends method path to the real hub as token (NULL: none) with body. */
static void request(const char *method, const char *path, const char *token, const char *body,
                    struct http_reply *r)
{
	char base[64], err[512] = "";
	struct http_client *c;

	snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned int)port);
	c = http_client_new(base, token, 0, NULL, err, sizeof err);
	assert_non_null(c);
	if (http_client_request(c, method, path, body, 30000, 0, r, err, sizeof err) != 0)
		fail_msg("%s %s: %s", method, path, err);
	http_client_free(&c);
}

static char *store_path(const char *file)
{
	const char *build = getenv("ECII_BUILDDIR");

	return xasprintf("%s/data/demo/out/%s",
	                 build != NULL && build[0] != '\0' ? build : ECII_BUILD_DIR, file);
}

static int group_setup(void **state)
{
	char err[512] = "", *tokens[N_SITES];

	(void)state;
	tmpdir = test_tmpdir("node");
	log_path = test_temp_path(tmpdir, "node.log");
	assert_int_equal(log_open(log_path), 0);
	store = hub_test_store_open(tmpdir);
	vocab = test_vocab_load();
	token_alice = hub_test_add_user(store, "alice", HUB_ROLE_RESEARCHER);
	assert_non_null(token_alice);
	assert_int_equal(http_client_global_init(), 0);
	hub = hub_new(store, vocab);
	hub_test_start(hub);
	port = hub_port(hub);
	/* every site first: the store's one connection is the hub thread's once
	 * an agent publishes (its previews take a while) */
	for (size_t i = 0; i < N_SITES; i++) {
		char *sp = store_path(site_files[i]);

		expected[i] = node_site_open(sp, vocab, err, sizeof err);
		if (expected[i] == NULL)
			fail_msg("%s: %s (run make first)", sp, err);
		tokens[i] = hub_test_add_site(store, expected[i]->info.id, NULL);
		free(sp);
	}
	for (size_t i = 0; i < N_SITES; i++) {
		char *sp = store_path(site_files[i]);

		agent_start(&agents[i], sp, port, tokens[i]);
		free(tokens[i]);
		tokens[i] = NULL;
		free(sp);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_SITES; i++) {
		agent_stop(&agents[i]);
		node_site_close(&expected[i]);
	}
	hub_free(&hub);
	http_client_global_cleanup();
	vocab_free(&vocab);
	hub_store_close(&store);
	free(token_alice);
	log_close();
	test_rmtree(tmpdir);
	free(tmpdir);
	free(log_path);
	return 0;
}

/* Whether the catalogue holds every collection of both sites. */
static bool catalogue_complete(void)
{
	struct http_reply r;
	json_t *doc, *items, *item, *want;
	size_t i, j, found = 0, total = 0;

	request("GET", "/api/catalogue/collections", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = json_loads(buf_str(&r.body), 0, NULL);
	items = json_object_get(doc, "items");
	for (size_t s = 0; s < N_SITES; s++) {
		total += json_array_size(expected[s]->items);
		json_array_foreach (expected[s]->items, i, want) {
			json_array_foreach (items, j, item) {
				if (json_equal(json_object_get(item, "id"),
				               json_object_get(want, "id")))
					found++;
			}
		}
	}
	json_decref(doc);
	http_reply_clear(&r);
	return total > 0 && found == total;
}

static void test_publish(void **state)
{
	(void)state;
	for (int i = 0; i < 1000 && !catalogue_complete(); i++)
		pause_ms(10);
	assert_true(catalogue_complete());
}

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

static void events_clear(struct events *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->type[i]);
		free(e->data[i]);
	}
	memset(e, 0, sizeof *e);
}

/* The payload without what varies from run to run; steals p. */
static json_t *stable(json_t *p)
{
	assert_non_null(p);
	json_object_del(p, "elapsed_ms");
	return p;
}

/* Asserts got (payload text) equals what site s answers for q. */
static void assert_payload(size_t s, const struct query *q, const char *got)
{
	json_t *want = stable(node_site_answer(expected[s], q, false));
	json_t *doc = stable(json_loads(got, 0, NULL));
	json_t *wc = json_object_get(want, "collections"),
	       *gc = json_object_get(doc, "collections");
	size_t i;

	assert_int_equal(json_array_size(gc), json_array_size(wc));
	for (i = 0; i < json_array_size(wc); i++)
		assert_int_equal(
		    json_integer_value(json_object_get(json_array_get(gc, i), "subjects_count")),
		    json_integer_value(json_object_get(json_array_get(wc, i), "subjects_count")));
	if (!json_equal(want, doc)) {
		char *w = json_dumps(want, JSON_COMPACT);

		fail_msg("site %s: payload %s, want %s", expected[s]->info.id, got, w);
	}
	json_decref(want);
	json_decref(doc);
}

/* Searches both sites for text as alice and checks both answers. */
static void search_and_check(const char *text)
{
	struct query_error qerr = { 0 };
	struct query *q = query_parse_text(vocab, text, &qerr);
	char id[UUID_TEXT_LEN + 1], path[128], err[256];
	char *sites[N_SITES], *body;
	bool answered[N_SITES] = { false };
	struct http_reply r;
	struct events e = { 0 };
	struct sse_parser *p;

	if (q == NULL)
		fail_msg("%s: %s", text, qerr.message);
	assert_int_equal(uuid_v4(id), 0);
	for (size_t s = 0; s < N_SITES; s++)
		sites[s] = expected[s]->info.id;
	body = beam_search_build(id, sites, N_SITES, q);
	request("POST", "/backend/beam", token_alice, body, &r);
	if (r.status != 201)
		fail_msg("search: %ld %s", r.status, buf_str(&r.body));
	http_reply_clear(&r);
	snprintf(path, sizeof path, "/backend/beam/%s?wait_count=%d", id, N_SITES);
	request("GET", path, token_alice, NULL, &r);
	assert_int_equal(r.status, 200);
	p = sse_parser_new(0, 0, on_event, &e);
	assert_int_equal(sse_parser_feed(p, r.body.data, r.body.len), SSE_OK);
	sse_parser_free(&p);
	for (size_t i = 0; i < e.n; i++) {
		struct beam_result res;

		assert_string_equal(e.type[i], "new_result");
		if (beam_result_read(e.data[i], strlen(e.data[i]), &res, err, sizeof err) != 0)
			fail_msg("%s: %s", err, e.data[i]);
		assert_string_equal(res.task_id, id);
		if (res.status != BEAM_CLAIMED) {
			if (res.status != BEAM_SUCCEEDED)
				fail_msg("%s: %s %s", res.site, beam_status_name(res.status),
				         res.body != NULL ? res.body : "");
			for (size_t s = 0; s < N_SITES; s++) {
				if (strcmp(res.site, sites[s]) == 0) {
					assert_false(answered[s]);
					answered[s] = true;
					assert_payload(s, q, res.body);
				}
			}
		}
		beam_result_clear(&res);
	}
	for (size_t s = 0; s < N_SITES; s++)
		assert_true(answered[s]);
	events_clear(&e);
	http_reply_clear(&r);
	free(body);
	query_free(&q);
}

static void test_search(void **state)
{
	(void)state;
	search_and_check("modality:mr");
	search_and_check("sex:female age:40..70");
	search_and_check("*"); /* everything */
}

/* A scripted hub: hands out a bad task, then a good one, and records the
 * results the agent puts. */
struct script {
	pthread_mutex_t lock;
	int polls;
	char bad[UUID_TEXT_LEN + 1], good[UUID_TEXT_LEN + 1], again[UUID_TEXT_LEN + 1];
	char *good_query;
	size_t n;
	char *task[8], *result[8];
};

static struct script script = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void script_collections(void *ctx, const struct server_request *req,
                               struct server_response *resp)
{
	(void)ctx;
	(void)req;
	server_response_json(resp, 200, json_object());
}

static void script_tasks(void *ctx, const struct server_request *req, struct server_response *resp)
{
	json_t *list = json_array();
	int poll;

	(void)ctx;
	pthread_mutex_lock(&script.lock);
	poll = script.polls++;
	pthread_mutex_unlock(&script.lock);
	if (poll == 0) {
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", script.bad, "from",
		                                      "spot", "body", "bm90IGEgcXVlcnk="));
	} else if (poll == 1 || poll == 2) {
		const char *id = poll == 1 ? script.good : script.again;

		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", id, "from", "spot",
		                                      "body", script.good_query));
	} else if (server_now_ms() < req->since_ms + 200) {
		json_decref(list);
		server_response_wait(resp, "never", req->since_ms + 200);
		return;
	}
	server_response_json(resp, 200, list);
}

static void script_result(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	pthread_mutex_lock(&script.lock);
	if (script.n < 8) {
		script.task[script.n] = xstrdup(req->param);
		script.result[script.n] = xstrndup(req->body, req->body_len);
		script.n++;
	}
	pthread_mutex_unlock(&script.lock);
	server_response_json(resp, 201, NULL);
}

static const struct server_route script_routes[] = {
	{ "PUT", "/api/catalogue/sites/{site}/collections", script_collections },
	{ "GET", "/beam/v1/tasks", script_tasks },
	{ "PUT", "/beam/v1/tasks/{task}/results/{site}", script_result },
};

static size_t script_count(void)
{
	size_t n;

	pthread_mutex_lock(&script.lock);
	n = script.n;
	pthread_mutex_unlock(&script.lock);
	return n;
}

/* Asserts result i is for task with status, and returns its body (borrowed
 * from doc, new). */
static const char *script_check(size_t i, const char *task, const char *status, json_t **doc)
{
	*doc = json_loads(script.result[i], 0, NULL);
	assert_non_null(*doc);
	assert_string_equal(script.task[i], task);
	assert_string_equal(json_string_value(json_object_get(*doc, "status")), status);
	return json_string_value(json_object_get(*doc, "body"));
}

static void test_bad_task(void **state)
{
	struct server_config cfg = {
		.routes = script_routes,
		.n_routes = sizeof script_routes / sizeof script_routes[0],
	};
	struct query *q = query_new();
	struct server *fake;
	struct agent_thread a;
	char err[512] = "", *sp = store_path(site_files[0]), *payload;
	unsigned char *decoded;
	size_t len;
	json_t *doc;
	const char *body;

	(void)state;
	assert_int_equal(uuid_v4(script.bad), 0);
	assert_int_equal(uuid_v4(script.good), 0);
	assert_int_equal(uuid_v4(script.again), 0);
	script.good_query = beam_query_build(q, script.good);
	agent_claim_ms = 60000; /* every answer here is faster */
	fake = server_start(&cfg, err, sizeof err);
	if (fake == NULL)
		fail_msg("fake hub: %s", err);
	agent_start(&a, sp, server_port(fake), "ecii_s_scripted");
	for (int i = 0; i < 1000 && script_count() < 5; i++)
		pause_ms(10);
	assert_true(agent_stop(&a) < 1000);
	agent_claim_ms = 0;
	server_stop(&fake);
	assert_int_equal(script.n, 5);
	script_check(0, script.bad, "claimed", &doc);
	json_decref(doc);
	body = script_check(1, script.bad, "permfailed", &doc);
	assert_non_null(body);
	assert_non_null(strstr(body, "query"));
	json_decref(doc);
	script_check(2, script.good, "claimed", &doc);
	json_decref(doc);
	body = script_check(3, script.good, "succeeded", &doc);
	assert_int_equal(base64_decode(body, strlen(body), &decoded, &len, NULL), 0);
	payload = (char *)decoded;
	assert_payload(0, q, payload);
	free(payload);
	json_decref(doc);
	/* The first answer was timed, and fast: the next task is answered
	 * without a claim first. */
	script_check(4, script.again, "succeeded", &doc);
	json_decref(doc);
	for (size_t i = 0; i < script.n; i++) {
		free(script.task[i]);
		free(script.result[i]);
	}
	free(script.good_query);
	free(sp);
	query_free(&q);
}

/* How many times the log says text. */
static int log_count(const char *text)
{
	char *log = file_read_all(log_path, NULL);
	int n = 0;

	for (const char *p = log; p != NULL && (p = strstr(p, text)) != NULL; p++)
		n++;
	free(log);
	return n;
}

static void test_hub_restart(void **state)
{
	char err[512] = "";
	int retried = log_count("retrying"), back = log_count("reachable again");

	(void)state;
	hub_stop(hub);
	/* both agents find it gone and back off */
	for (int i = 0; i < 1000 && log_count("retrying") < retried + N_SITES; i++)
		pause_ms(10);
	assert_true(log_count("retrying") >= retried + N_SITES);
	if (hub_start(hub, "127.0.0.1", port, SERVER_THREAD, err, sizeof err) != 0)
		fail_msg("hub_start again on %u: %s", (unsigned int)port, err);
	assert_int_equal(hub_port(hub), port);
	search_and_check("diagnosis:breast");
	for (int i = 0; i < 1000 && log_count("reachable again") < back + N_SITES; i++)
		pause_ms(10);
	assert_true(log_count("reachable again") >= back + N_SITES);
}

static void test_stop(void **state)
{
	(void)state;
	/* both are in a long poll (20 s) now */
	for (size_t i = 0; i < N_SITES; i++) {
		int64_t took = agent_stop(&agents[i]);

		if (took >= 1000)
			fail_msg("agent %zu took %lld ms to stop", i, (long long)took);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish),  cmocka_unit_test(test_search),
		cmocka_unit_test(test_bad_task), cmocka_unit_test(test_hub_restart),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests_name("node", tests, group_setup, group_teardown);
}
