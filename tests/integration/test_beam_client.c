/* net/beam_client against a real hub on a loopback port with real site
 * agents (node_agent_run on threads over three demo site stores), a site
 * registered at the hub that never answers, and sites played by threads
 * that answer what a broken site would: a payload nobody can read, a
 * failure with a message, a failure without one. Calls that cannot start
 * and a hub that cannot be reached or refuses first; then a whole search,
 * a site timing out, a task expiring at the hub, the hub going away
 * mid-stream, and a call freed while it runs. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/beam.h"
#include "core/payload.h"
#include "core/query.h"
#include "core/query_text.h"
#include "core/vocab.h"
#include "hub/hub.h"
#include "net/beam_client.h"
#include "net/http_client.h"
#include "net/http_multi.h"
#include "net/server.h"
#include "net/sse.h"
#include "node/agent.h"
#include "node/site.h"
#include "store/hub_store.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/uuid.h"
#include "util/xmalloc.h"

#include "../unit/support.h"
#include "hub_support.h"

#define N_AGENTS  3
#define MAX_SITES 8

static const char *const site_files[N_AGENTS] = { "site-es-turia.db", "site-it-laguna.db",
	                                          "site-nl-noordzee.db" };

/* One agent serving on its own thread. */
struct agent_thread {
	pthread_t thread;
	struct node_site *site;
	char url[64];
	char *token;
	atomic_bool stop;
	int rc;
	char err[512];
};

static char *tmpdir;
static struct hub_store *store;
static struct vocab *vocab;
static struct hub *hub;
static char hub_url[64];
static char *token_alice, *token_silent, *token_garbage, *token_broken, *token_flaky;
static struct node_site *expected[N_AGENTS]; /* the test's own copies */
static struct agent_thread agents[N_AGENTS];
static struct http_multi *multi;
/* site names as the spec takes them (char *const *) */
static char silent[] = "silent", garbage_site[] = "garbage", broken[] = "broken", flaky[] = "flaky",
            nowhere[] = "nowhere", far_a[] = "far-a", far_b[] = "far-b";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- sites ---- */

static void *agent_main(void *arg)
{
	struct agent_thread *a = arg;
	struct node_agent_config cfg = {
		.hub_url = a->url,
		.token = a->token,
		.backoff_ms = 100,
		.backoff_max_ms = 800,
		.claim_ms = -1, /* always claim: the tests follow every state */
		.stop = &a->stop,
	};

	a->rc = node_agent_run(a->site, &cfg, a->err, sizeof a->err);
	return NULL;
}

static char *store_path(const char *file)
{
	const char *build = getenv("ECII_BUILDDIR");

	return xasprintf("%s/data/demo/out/%s",
	                 build != NULL && build[0] != '\0' ? build : ECII_BUILD_DIR, file);
}

/* Sends method path to the hub at base as token with body; fails the test
 * if no reply comes. */
static void request(const char *base, const char *method, const char *path, const char *token,
                    const char *body, long timeout_ms, struct http_reply *r)
{
	char err[512] = "";
	struct http_client *c = http_client_new(base, token, 0, NULL, err, sizeof err);

	assert_non_null(c);
	if (http_client_request(c, method, path, body, timeout_ms, 0, r, err, sizeof err) != 0)
		fail_msg("%s %s: %s", method, path, err);
	http_client_free(&c);
}

static bool site_online(const char *name)
{
	struct http_reply r;
	json_t *doc, *site;
	size_t i;
	bool online = false;

	request(hub_url, "GET", "/api/catalogue/sites", NULL, NULL, 10000, &r);
	doc = json_loads(buf_str(&r.body), 0, NULL);
	json_array_foreach (doc, i, site) {
		if (strcmp(json_string_value(json_object_get(site, "name")), name) == 0)
			online = json_is_true(json_object_get(site, "online"));
	}
	json_decref(doc);
	http_reply_clear(&r);
	return online;
}

/* A site played by a thread: it takes the tasks of one long poll and
 * answers each, claimed first, then with result (a §4 result body). */
struct scripted {
	pthread_t thread;
	const char *site;
	const char *token;
	char *result;
	int answered;
	char err[512];
};

static void *scripted_main(void *arg)
{
	struct scripted *s = arg;
	char path[256];
	struct http_reply r;
	json_t *tasks, *task;
	size_t i;
	struct http_client *c = http_client_new(hub_url, s->token, 0, NULL, s->err, sizeof s->err);

	if (c == NULL)
		return NULL;
	snprintf(path, sizeof path, "/beam/v1/tasks?to=%s&wait_count=1&wait_time=15", s->site);
	if (http_client_request(c, "GET", path, NULL, 20000, 0, &r, s->err, sizeof s->err) != 0)
		goto out;
	tasks = json_loads(buf_str(&r.body), 0, NULL);
	http_reply_clear(&r);
	json_array_foreach (tasks, i, task) {
		snprintf(path, sizeof path, "/beam/v1/tasks/%s/results/%s",
		         json_string_value(json_object_get(task, "id")), s->site);
		if (http_client_request(c, "PUT", path, "{\"status\":\"claimed\"}", 10000, 0, &r,
		                        s->err, sizeof s->err) != 0)
			break;
		http_reply_clear(&r);
		if (http_client_request(c, "PUT", path, s->result, 10000, 0, &r, s->err,
		                        sizeof s->err) != 0)
			break;
		if (r.status == 201 || r.status == 204)
			s->answered++;
		else
			snprintf(s->err, sizeof s->err, "PUT %s: %ld", path, r.status);
		http_reply_clear(&r);
	}
	json_decref(tasks);
out:
	http_client_free(&c);
	return NULL;
}

static void scripted_start(struct scripted *s, const char *site, const char *token,
                           const char *result)
{
	memset(s, 0, sizeof *s);
	s->site = site;
	s->token = token;
	s->result = xstrdup(result);
	assert_int_equal(pthread_create(&s->thread, NULL, scripted_main, s), 0);
}

static void scripted_join(struct scripted *s)
{
	pthread_join(s->thread, NULL);
	if (s->answered != 1)
		fail_msg("site %s answered %d tasks: %s", s->site, s->answered, s->err);
	free(s->result);
}

/* ---- what a call reported ---- */

struct site_log {
	enum beam_site_state states[8];
	double ms[8];
	size_t n;
	char *error;
	char *payload;
};

struct call_log {
	struct site_log site[MAX_SITES];
	size_t n_sites;
	bool final;
	char *final_error;
	double final_ms;
	int bad; /* callbacks that should not have come */
};

static void on_update(const struct beam_site_update *u, void *arg)
{
	struct call_log *log = arg;
	struct site_log *s;

	if (log->final) {
		log->bad++;
		return;
	}
	if (u->site == (size_t)-1) {
		log->final = true;
		log->final_error = u->error != NULL ? xstrdup(u->error) : NULL;
		log->final_ms = u->ms;
		return;
	}
	if (u->site >= log->n_sites || log->site[u->site].n == 8) {
		log->bad++;
		return;
	}
	s = &log->site[u->site];
	s->states[s->n] = u->state;
	s->ms[s->n] = u->ms;
	s->n++;
	if (u->error != NULL) {
		free(s->error);
		s->error = xstrdup(u->error);
	}
	if (u->state == BEAM_SITE_ANSWERED) {
		if (u->payload == NULL || strlen(u->payload) != u->len)
			log->bad++;
		else
			s->payload = xstrdup(u->payload);
	}
}

static void log_clear(struct call_log *log)
{
	for (size_t i = 0; i < MAX_SITES; i++) {
		free(log->site[i].error);
		free(log->site[i].payload);
	}
	free(log->final_error);
	memset(log, 0, sizeof *log);
}

static const char *state_name(enum beam_site_state s)
{
	static const char *const names[] = { "PENDING", "WORKING", "ANSWERED", "FAILED",
		                             "TIMED_OUT" };

	return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* Asserts site i went through exactly the n states given. */
static void assert_states(const struct call_log *log, size_t i, size_t n, ...)
{
	const struct site_log *s = &log->site[i];
	struct buf got = BUF_INIT, want = BUF_INIT;
	va_list ap;

	va_start(ap, n);
	for (size_t k = 0; k < n; k++)
		buf_printf(&want, " %s", state_name((enum beam_site_state)va_arg(ap, int)));
	va_end(ap);
	for (size_t k = 0; k < s->n; k++)
		buf_printf(&got, " %s", state_name(s->states[k]));
	if (strcmp(buf_str(&got), buf_str(&want)) != 0)
		fail_msg("site %zu:%s, want%s (error: %s)", i, buf_str(&got), buf_str(&want),
		         s->error != NULL ? s->error : "none");
	for (size_t k = 1; k < s->n; k++)
		assert_true(s->ms[k] >= s->ms[k - 1]);
	if (s->n > 0)
		assert_true(log->final_ms >= s->ms[s->n - 1]);
	buf_free(&got);
	buf_free(&want);
}

static void assert_prefix(const char *text, const char *prefix)
{
	assert_non_null(text);
	if (strncmp(text, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", text, prefix);
}

typedef bool (*pred_fn)(const struct call_log *log, size_t i);

static bool is_done(const struct call_log *log, size_t i)
{
	(void)i;
	return log->final;
}

static bool has_states(const struct call_log *log, size_t i)
{
	return log->site[i].n > 0 && log->site[i].states[log->site[i].n - 1] != BEAM_SITE_PENDING;
}

static bool has_pending(const struct call_log *log, size_t i)
{
	return log->site[i].n > 0;
}

/* Moves the multi on until pred(log, i) or limit_ms have passed. */
static void run_until(const struct call_log *log, pred_fn pred, size_t i, double limit_ms)
{
	double end = now_ms() + limit_ms;

	while (!pred(log, i) && now_ms() < end)
		assert_true(http_multi_wait(multi, NULL, 0, 100) >= 0);
	assert_true(pred(log, i));
}

static struct query *parse(const char *text)
{
	struct query_error qerr = { 0 };
	struct query *q = query_parse_text(vocab, text, &qerr);

	if (q == NULL)
		fail_msg("%s: %s", text, qerr.message);
	return q;
}

/* Starts a call as token to base over sites; fails the test if it cannot. */
static struct beam_call *call_start(const char *base, const char *token, char **sites,
                                    size_t n_sites, const struct query *q, long timeout_ms,
                                    struct call_log *log)
{
	struct beam_call_spec spec = {
		.hub = base,
		.token = token,
		.sites = sites,
		.n_sites = n_sites,
		.query = q,
		.site_timeout_ms = timeout_ms,
	};
	char err[256] = "";
	struct beam_call *c;

	memset(log, 0, sizeof *log);
	log->n_sites = n_sites;
	c = beam_call_start(multi, &spec, on_update, log, err, sizeof err);
	if (c == NULL)
		fail_msg("beam_call_start: %s", err);
	assert_true(uuid_is_valid(beam_call_id(c)));
	assert_false(beam_call_done(c));
	return c;
}

/* Runs c to its end; then checks that nothing more comes and frees it. */
static void call_finish(struct beam_call **c, struct call_log *log, double limit_ms)
{
	run_until(log, is_done, 0, limit_ms);
	assert_true(beam_call_done(*c));
	assert_int_equal(http_multi_active(multi), 0);
	assert_int_equal(http_multi_wait(multi, NULL, 0, 20), 0);
	beam_call_free(c);
	assert_null(*c);
	assert_int_equal(log->bad, 0);
}

/* Asserts payload is what agent site s answers for q, but for its time. */
static void assert_payload(size_t s, const struct query *q, const char *payload)
{
	json_t *want = node_site_answer(expected[s], q, false);
	json_t *got = json_loads(payload, 0, NULL);
	struct site_answer answer;
	char err[256] = "";

	assert_non_null(got);
	if (payload_read(got, &answer, err, sizeof err) != 0)
		fail_msg("site %zu: %s", s, err);
	assert_string_equal(answer.provider, expected[s]->info.name);
	site_answer_clear(&answer);
	json_object_del(want, "elapsed_ms");
	json_object_del(got, "elapsed_ms");
	if (!json_equal(want, got))
		fail_msg("site %zu: payload %s differs from the site's own answer", s, payload);
	json_decref(want);
	json_decref(got);
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
	char err[512] = "";

	(void)state;
	tmpdir = test_tmpdir("beam-client");
	store = hub_test_store_open(tmpdir);
	vocab = test_vocab_load();
	token_alice = hub_test_add_user(store, "alice", HUB_ROLE_RESEARCHER);
	token_silent = hub_test_add_site(store, "silent", NULL);
	token_garbage = hub_test_add_site(store, "garbage", NULL);
	token_broken = hub_test_add_site(store, "broken", NULL);
	token_flaky = hub_test_add_site(store, "flaky", NULL);
	assert_int_equal(http_client_global_init(), 0);
	hub = hub_new(store, vocab);
	hub_test_start(hub);
	snprintf(hub_url, sizeof hub_url, "http://127.0.0.1:%u/", (unsigned int)hub_port(hub));
	for (size_t i = 0; i < N_AGENTS; i++) {
		char *sp = store_path(site_files[i]);
		struct agent_thread *a = &agents[i];

		expected[i] = node_site_open(sp, vocab, err, sizeof err);
		if (expected[i] == NULL)
			fail_msg("%s: %s (run make first)", sp, err);
		a->site = node_site_open(sp, vocab, err, sizeof err);
		assert_non_null(a->site);
		a->token = hub_test_add_site(store, expected[i]->info.id, NULL);
		memcpy(a->url, hub_url, sizeof a->url);
		free(sp);
	}
	/* Agents only once every site is in: the store's one connection is
	 * the hub thread's as soon as an agent publishes (previews take a
	 * while), and this thread must not write to it meanwhile. */
	for (size_t i = 0; i < N_AGENTS; i++)
		assert_int_equal(pthread_create(&agents[i].thread, NULL, agent_main, &agents[i]),
		                 0);
	/* every agent is polling before the first search */
	for (size_t i = 0; i < N_AGENTS; i++) {
		for (int k = 0; k < 1000 && !site_online(expected[i]->info.id); k++)
			usleep(10000);
		assert_true(site_online(expected[i]->info.id));
	}
	multi = http_multi_new();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	http_multi_free(&multi);
	for (size_t i = 0; i < N_AGENTS; i++) {
		atomic_store(&agents[i].stop, true);
		pthread_join(agents[i].thread, NULL);
		if (agents[i].rc != 0)
			fail_msg("agent %zu: %s", i, agents[i].err);
		node_site_close(&agents[i].site);
		free(agents[i].token);
		node_site_close(&expected[i]);
	}
	hub_free(&hub);
	http_client_global_cleanup();
	vocab_free(&vocab);
	hub_store_close(&store);
	free(token_alice);
	free(token_silent);
	free(token_garbage);
	free(token_broken);
	free(token_flaky);
	test_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* A loopback port nothing listens on. */
static uint16_t closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* ---- tests ---- */

static void test_cannot_start(void **state)
{
	struct query *q = parse("modality:mr");
	char *sites[] = { silent, silent };
	struct beam_call_spec spec = { .hub = hub_url, .sites = sites, .query = q };
	struct call_log log = { 0 };
	char err[256];

	(void)state;
	err[0] = '\0';
	spec.n_sites = 0;
	assert_null(beam_call_start(multi, &spec, on_update, &log, err, sizeof err));
	assert_true(err[0] != '\0');
	err[0] = '\0';
	spec.n_sites = 2; /* the same site twice */
	assert_null(beam_call_start(multi, &spec, on_update, &log, err, sizeof err));
	assert_non_null(strstr(err, "silent"));
	err[0] = '\0';
	spec.n_sites = 1;
	spec.hub = "gopher://127.0.0.1";
	assert_null(beam_call_start(multi, &spec, on_update, &log, err, sizeof err));
	assert_true(err[0] != '\0');
	assert_int_equal(http_multi_active(multi), 0);
	assert_int_equal(http_multi_wait(multi, NULL, 0, 10), 0);
	assert_false(log.final);
	beam_call_free(NULL);
	query_free(&q);
}

static void test_unreachable(void **state)
{
	struct query *q = parse("modality:mr");
	char *sites[] = { silent, expected[0]->info.id };
	char base[64], want[80];
	struct call_log log;
	struct beam_call *c;

	(void)state;
	snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned int)closed_port());
	c = call_start(base, token_alice, sites, 2, q, 5000, &log);
	call_finish(&c, &log, 10000);
	snprintf(want, sizeof want, "cannot reach %s", base);
	assert_prefix(log.final_error, want);
	assert_null(strstr(log.final_error, token_alice));
	for (size_t i = 0; i < 2; i++) {
		assert_states(&log, i, 1, BEAM_SITE_FAILED);
		assert_string_equal(log.site[i].error, log.final_error);
	}
	log_clear(&log);
	query_free(&q);
}

static void test_refused(void **state)
{
	struct query *q = parse("modality:mr");
	char *sites[] = { expected[0]->info.id, expected[1]->info.id };
	char *unknown[] = { expected[0]->info.id, nowhere };
	struct call_log log;
	struct beam_call *c;

	(void)state;
	c = call_start(hub_url, "ecii_u_nobody", sites, 2, q, 5000, &log);
	call_finish(&c, &log, 10000);
	assert_string_equal(log.final_error, "the hub refused the search: 401 unknown token");
	for (size_t i = 0; i < 2; i++) {
		assert_states(&log, i, 1, BEAM_SITE_FAILED);
		assert_non_null(strstr(log.site[i].error, "401"));
	}
	log_clear(&log);

	c = call_start(hub_url, NULL, sites, 2, q, 5000, &log);
	call_finish(&c, &log, 10000);
	assert_prefix(log.final_error, "the hub refused the search: 401 ");
	log_clear(&log);

	c = call_start(hub_url, token_alice, unknown, 2, q, 5000, &log);
	call_finish(&c, &log, 10000);
	assert_string_equal(log.final_error,
	                    "the hub refused the search: 400 unknown sites: nowhere");
	assert_states(&log, 1, 1, BEAM_SITE_FAILED);
	log_clear(&log);
	query_free(&q);
}

static void test_search(void **state)
{
	const char *texts[] = { "modality:mr", "sex:female age:40..70", "*" };
	char *sites[N_AGENTS];
	struct call_log log;
	struct beam_call *c;

	(void)state;
	for (size_t i = 0; i < N_AGENTS; i++)
		sites[i] = expected[i]->info.id;
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		struct query *q = parse(texts[t]);

		c = call_start(hub_url, token_alice, sites, N_AGENTS, q, 30000, &log);
		call_finish(&c, &log, 40000);
		assert_null(log.final_error);
		for (size_t i = 0; i < N_AGENTS; i++) {
			assert_states(&log, i, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING,
			              BEAM_SITE_ANSWERED);
			assert_null(log.site[i].error);
			assert_payload(i, q, log.site[i].payload);
		}
		log_clear(&log);
		query_free(&q);
	}
}

static void test_site_timeout(void **state)
{
	struct query *q = parse("modality:mr");
	char *sites[N_AGENTS + 1];
	struct call_log log;
	struct beam_call *c;

	(void)state;
	for (size_t i = 0; i < N_AGENTS; i++)
		sites[i] = expected[i]->info.id;
	sites[N_AGENTS] = silent; /* registered, but nothing answers for it */
	c = call_start(hub_url, token_alice, sites, N_AGENTS + 1, q, 700, &log);
	call_finish(&c, &log, 10000);
	assert_null(log.final_error);
	for (size_t i = 0; i < N_AGENTS; i++) {
		assert_states(&log, i, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_ANSWERED);
		assert_true(log.site[i].ms[2] < 700);
	}
	assert_states(&log, N_AGENTS, 2, BEAM_SITE_PENDING, BEAM_SITE_TIMED_OUT);
	assert_string_equal(log.site[N_AGENTS].error, "no answer within 0.7 s");
	/* curl times out by CLOCK_MONOTONIC_RAW, the call counts by
	 * CLOCK_MONOTONIC: NTP's slewing may part them by a few ms */
	if (log.site[N_AGENTS].ms[1] < 690)
		fail_msg("timed out after %.3f ms", log.site[N_AGENTS].ms[1]);
	assert_true(log.site[N_AGENTS].ms[1] < 3000);
	log_clear(&log);
	query_free(&q);
}

static void test_expired_at_hub(void **state)
{
	struct query *q = parse("modality:mr");
	char *sites[] = { silent };
	struct call_log log;
	struct beam_call *c;

	(void)state;
	hub->task_ttl_ms = 500;
	c = call_start(hub_url, token_alice, sites, 1, q, 20000, &log);
	call_finish(&c, &log, 10000);
	hub->task_ttl_ms = HUB_DEFAULT_TASK_TTL_MS;
	assert_null(log.final_error);
	assert_states(&log, 0, 2, BEAM_SITE_PENDING, BEAM_SITE_TIMED_OUT);
	assert_string_equal(log.site[0].error, "the search expired at the hub");
	assert_true(log.final_ms < 10000);
	log_clear(&log);
	query_free(&q);
}

static void test_site_errors(void **state)
{
	struct query *q = parse("diagnosis:breast");
	char *sites[] = { expected[0]->info.id, garbage_site, broken, flaky, expected[1]->info.id };
	char *b64 = base64_encode("this is not a payload", 21);
	char *garbage = xasprintf("{\"status\":\"succeeded\",\"body\":\"%s\"}", b64);
	struct scripted sg, sb, sf;
	struct call_log log;
	struct beam_call *c;

	(void)state;
	scripted_start(&sg, garbage_site, token_garbage, garbage);
	scripted_start(&sb, broken, token_broken,
	               "{\"status\":\"permfailed\",\"body\":\"database offline\\nsecond line\"}");
	scripted_start(&sf, flaky, token_flaky, "{\"status\":\"tempfailed\"}");
	c = call_start(hub_url, token_alice, sites, 5, q, 30000, &log);
	call_finish(&c, &log, 40000);
	scripted_join(&sg);
	scripted_join(&sb);
	scripted_join(&sf);
	assert_null(log.final_error);
	assert_states(&log, 0, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_ANSWERED);
	assert_payload(0, q, log.site[0].payload);
	assert_states(&log, 4, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_ANSWERED);
	assert_payload(1, q, log.site[4].payload);
	assert_states(&log, 1, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_FAILED);
	assert_prefix(log.site[1].error, "the site's answer cannot be read: ");
	assert_null(log.site[1].payload);
	assert_states(&log, 2, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_FAILED);
	assert_string_equal(log.site[2].error, "database offline");
	assert_states(&log, 3, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_FAILED);
	assert_string_equal(log.site[3].error, "tempfailed");
	log_clear(&log);
	free(garbage);
	free(b64);
	query_free(&q);
}

static void test_hub_lost(void **state)
{
	struct hub_store *store2 = hub_test_store_open(tmpdir);
	char *token_a = hub_test_add_site(store2, far_a, NULL);
	char *token_b = hub_test_add_site(store2, "far-b", NULL);
	char *token_bob = hub_test_add_user(store2, "bob", HUB_ROLE_RESEARCHER);
	struct hub *hub2 = hub_new(store2, vocab);
	struct query *q = parse("modality:ct");
	char *sites[] = { far_a, far_b };
	char base[64], path[256];
	struct http_reply r;
	struct call_log log;
	struct beam_call *c;

	(void)state;
	hub_test_start(hub2);
	snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned int)hub_port(hub2));
	c = call_start(base, token_bob, sites, 2, q, 30000, &log);
	run_until(&log, has_pending, 0, 10000);
	/* far-a claims the task: once the call has seen that, its stream is live */
	snprintf(path, sizeof path, "/beam/v1/tasks/%s/results/far-a", beam_call_id(c));
	request(base, "PUT", path, token_a, "{\"status\":\"claimed\"}", 10000, &r);
	assert_int_equal(r.status, 201);
	http_reply_clear(&r);
	run_until(&log, has_states, 0, 10000);
	hub_free(&hub2);
	call_finish(&c, &log, 10000);
	assert_prefix(log.final_error, "lost the hub: ");
	assert_states(&log, 0, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_FAILED);
	assert_states(&log, 1, 2, BEAM_SITE_PENDING, BEAM_SITE_FAILED);
	assert_string_equal(log.site[0].error, log.final_error);
	assert_string_equal(log.site[1].error, log.final_error);
	assert_true(log.final_ms < 10000);
	log_clear(&log);
	query_free(&q);
	hub_store_close(&store2);
	free(token_a);
	free(token_b);
	free(token_bob);
}

static void test_free_midway(void **state)
{
	struct query *q = parse("modality:mr");
	char *sites[] = { silent };
	struct call_log log;
	struct beam_call *c;

	(void)state;
	c = call_start(hub_url, token_alice, sites, 1, q, 20000, &log);
	run_until(&log, has_pending, 0, 10000);
	assert_int_equal(http_multi_active(multi), 1); /* the stream */
	beam_call_free(&c);
	assert_null(c);
	assert_int_equal(http_multi_active(multi), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(http_multi_wait(multi, NULL, 0, 20), 0);
	assert_int_equal(log.site[0].n, 1);
	assert_false(log.final);
	assert_int_equal(log.bad, 0);

	/* and before the hub has even answered the POST */
	c = call_start(hub_url, token_alice, sites, 1, q, 20000, &log);
	beam_call_free(&c);
	for (int i = 0; i < 3; i++)
		assert_int_equal(http_multi_wait(multi, NULL, 0, 20), 0);
	assert_int_equal(log.site[0].n, 0);
	assert_false(log.final);
	log_clear(&log);
	query_free(&q);
}

/* ---- a scripted hub: takes any search and streams odd events ---- */

static struct {
	pthread_mutex_t lock;
	char *search; /* the POST body */
	char *token;
	char *accept;
	char *wait_count;
	char *stream_id;
} scripted_hub = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void keep(char **slot, const char *value)
{
	free(*slot);
	*slot = value != NULL ? xstrdup(value) : NULL;
}

static void scripted_post(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	pthread_mutex_lock(&scripted_hub.lock);
	keep(&scripted_hub.search, req->body);
	keep(&scripted_hub.token, req->token);
	pthread_mutex_unlock(&scripted_hub.lock);
	server_response_json(resp, 201, NULL);
}

static void add_result(struct buf *out, const char *site, const char *id, enum beam_status status,
                       const char *body)
{
	char *ev = beam_result_build(site, NULL, id, status, body);

	assert_non_null(ev);
	sse_write_event(out, "new_result", ev, strlen(ev));
	free(ev);
}

static enum server_stream_status scripted_events(void *cls, struct buf *out, int64_t now,
                                                 int64_t *deadline)
{
	const char *id = cls;
	const char *good = "{\"provider\":\"One\",\"collections\":[]}";

	(void)now;
	(void)deadline;
	sse_write_comment(out, NULL);
	sse_write_event(out, "new_result", "{not json", 9);
	add_result(out, "elsewhere", id, BEAM_SUCCEEDED, good);
	add_result(out, "one", "00000000-0000-4000-8000-000000000000", BEAM_PERMFAILED,
	           "other task");
	sse_write_event(out, "message", "hello", 5);
	add_result(out, "one", id, BEAM_CLAIMED, NULL);
	add_result(out, "one", id, BEAM_CLAIMED, NULL);
	add_result(out, "one", id, BEAM_SUCCEEDED, good);
	add_result(out, "one", id, BEAM_PERMFAILED, "too late");
	add_result(out, "two", id, BEAM_TEMPFAILED, "try later");
	return SERVER_STREAM_END;
}

static void scripted_get(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	pthread_mutex_lock(&scripted_hub.lock);
	keep(&scripted_hub.accept, server_request_header(req, "Accept"));
	keep(&scripted_hub.wait_count, server_request_arg(req, "wait_count"));
	keep(&scripted_hub.stream_id, req->param);
	pthread_mutex_unlock(&scripted_hub.lock);
	server_response_stream(resp, 200, "text/event-stream", "scripted", scripted_events, free,
	                       xstrdup(req->param));
}

/* A hub that takes 5 s to answer a search. */
static void scripted_slow_post(void *ctx, const struct server_request *req,
                               struct server_response *resp)
{
	(void)ctx;
	if (server_now_ms() >= req->since_ms + 5000)
		server_response_json(resp, 201, NULL);
	else
		server_response_wait(resp, "never", req->since_ms + 5000);
}

static const struct server_route scripted_routes[] = {
	{ "POST", "/backend/beam", scripted_post },
	{ "GET", "/backend/beam/{id}", scripted_get },
	{ "POST", "/slow/backend/beam", scripted_slow_post },
};

static void test_odd_events(void **state)
{
	struct server_config cfg = {
		.routes = scripted_routes,
		.n_routes = sizeof scripted_routes / sizeof scripted_routes[0],
	};
	static char one[] = "one", two[] = "two";
	char *sites[] = { one, two };
	struct query *q = parse("sex:female modality:mr");
	struct beam_search search;
	struct server *fake;
	struct call_log log, log2;
	struct beam_call *c;
	char err[512] = "", base[64];

	(void)state;
	fake = server_start(&cfg, err, sizeof err);
	if (fake == NULL)
		fail_msg("scripted hub: %s", err);
	snprintf(base, sizeof base, "http://127.0.0.1:%u//", (unsigned int)server_port(fake));
	c = call_start(base, "ecii_u_scripted", sites, 2, q, 20000, &log);
	run_until(&log, is_done, 0, 10000);
	/* what it sent, by the wire format of PROTOCOL.md section 3 */
	pthread_mutex_lock(&scripted_hub.lock);
	assert_string_equal(scripted_hub.token, "ecii_u_scripted");
	if (beam_search_read(scripted_hub.search, strlen(scripted_hub.search), &search, err,
	                     sizeof err) != 0)
		fail_msg("search body: %s", err);
	assert_string_equal(search.task_id, beam_call_id(c));
	assert_int_equal(search.n_sites, 2);
	assert_string_equal(search.sites[0], "one");
	assert_string_equal(search.sites[1], "two");
	assert_true(query_equal(search.query, q));
	beam_search_clear(&search);
	assert_string_equal(scripted_hub.stream_id, beam_call_id(c));
	assert_string_equal(scripted_hub.wait_count, "2");
	assert_string_equal(scripted_hub.accept, "text/event-stream");
	pthread_mutex_unlock(&scripted_hub.lock);
	call_finish(&c, &log, 1000);
	/* broken events, other sites, other tasks, repeats and news after the
	 * end were ignored */
	assert_null(log.final_error);
	assert_states(&log, 0, 3, BEAM_SITE_PENDING, BEAM_SITE_WORKING, BEAM_SITE_ANSWERED);
	assert_string_equal(log.site[0].payload, "{\"provider\":\"One\",\"collections\":[]}");
	assert_states(&log, 1, 2, BEAM_SITE_PENDING, BEAM_SITE_FAILED);
	assert_string_equal(log.site[1].error, "try later");

	/* the hub does not even take the search in time */
	snprintf(base, sizeof base, "http://127.0.0.1:%u/slow", (unsigned int)server_port(fake));
	c = call_start(base, "ecii_u_scripted", sites, 2, q, 300, &log2);
	call_finish(&c, &log2, 3000);
	assert_string_equal(log2.final_error, "the hub did not take the search within 0.3 s");
	for (size_t i = 0; i < 2; i++) {
		assert_states(&log2, i, 1, BEAM_SITE_TIMED_OUT);
		assert_string_equal(log2.site[i].error, "no answer within 0.3 s");
	}
	log_clear(&log2);
	server_stop(&fake);
	pthread_mutex_lock(&scripted_hub.lock);
	keep(&scripted_hub.search, NULL);
	keep(&scripted_hub.token, NULL);
	keep(&scripted_hub.accept, NULL);
	keep(&scripted_hub.wait_count, NULL);
	keep(&scripted_hub.stream_id, NULL);
	pthread_mutex_unlock(&scripted_hub.lock);
	log_clear(&log);
	query_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cannot_start), cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_refused),      cmocka_unit_test(test_search),
		cmocka_unit_test(test_site_timeout), cmocka_unit_test(test_expired_at_hub),
		cmocka_unit_test(test_site_errors),  cmocka_unit_test(test_hub_lost),
		cmocka_unit_test(test_free_midway),  cmocka_unit_test(test_odd_events),
	};

	return cmocka_run_group_tests_name("beam_client", tests, group_setup, group_teardown);
}
