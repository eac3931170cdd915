/* net/http_multi against a real libmicrohttpd server (net/server.h) on a
 * loopback port, with routes made for the test: one that echoes what it
 * was sent, with an ETag; one that streams its second chunk only once the
 * client has seen the first; one that parks until its deadline; one that
 * answers only when two requests are in at once. Bad URLs and a closed
 * port first; then kept bodies, 304, streams, the body cap, timeouts,
 * cancelling from inside callbacks, concurrency and the caller's own
 * descriptors. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
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

#include "net/http_client.h"
#include "net/http_multi.h"
#include "net/server.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define TOKEN     "ecii_u_secret-token-do-not-show"
#define BIG_BYTES 10000
#define PARK_MS   5000

static struct server *server;
static char base[64];
static atomic_bool got_one; /* the client has seen the stream's first chunk */
static atomic_bool met[2];  /* /meet/{n} has arrived */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- the server's routes (run on its thread) ---- */

static json_t *string_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void route_echo(void *ctx, const struct server_request *req, struct server_response *resp)
{
	const char *etag = "\"v1\"";

	(void)ctx;
	server_response_etag(resp, etag);
	if (server_etag_matches(server_request_header(req, "If-None-Match"), etag)) {
		resp->status = 304;
		return;
	}
	server_response_json(resp, 200,
	                     json_pack("{s:s, s:o, s:o, s:o, s:s}", "method", req->method, "accept",
	                               string_or_null(server_request_header(req, "Accept")),
	                               "token", string_or_null(req->token), "content_type",
	                               string_or_null(server_request_header(req, "Content-Type")),
	                               "body", req->body));
}

static void route_big(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	(void)req;
	resp->status = 200;
	resp->body = xmalloc(BIG_BYTES);
	memset(resp->body, 'x', BIG_BYTES);
	resp->body_len = BIG_BYTES;
	resp->content_type = "text/plain";
}

static void route_missing(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	(void)req;
	server_response_error(resp, 404, "nothing here");
}

static enum server_stream_status stream_next(void *cls, struct buf *out, int64_t now,
                                             int64_t *deadline)
{
	int *step = cls;

	if (*step == 0) {
		buf_puts(out, "one\n");
		*step = 1;
	} else if (atomic_load(&got_one)) {
		buf_puts(out, "two\n");
		return SERVER_STREAM_END;
	}
	*deadline = now + 5;
	return SERVER_STREAM_WAIT;
}

static void route_stream(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	(void)req;
	server_response_stream(resp, 200, "text/plain", "stream", stream_next, free,
	                       xcalloc(1, sizeof(int)));
}

/* Answers only when PARK_MS have passed: for timeouts and waits. */
static void route_park(void *ctx, const struct server_request *req, struct server_response *resp)
{
	(void)ctx;
	if (server_now_ms() >= req->since_ms + PARK_MS) {
		server_response_json(resp, 200, json_string("late"));
		return;
	}
	server_response_wait(resp, "never", req->since_ms + PARK_MS);
}

/* /meet/0 and /meet/1 answer 200 only when both are in the server at once. */
static void route_meet(void *ctx, const struct server_request *req, struct server_response *resp)
{
	int n = req->param[0] == '1';

	atomic_store(&met[n], true);
	if (atomic_load(&met[!n])) {
		server_wake(server, "meet");
		server_response_json(resp, 200, json_string("met"));
	} else if (server_now_ms() >= req->since_ms + 3000) {
		server_response_error(resp, 504, "alone");
	} else {
		server_response_wait(resp, "meet", req->since_ms + 3000);
	}
}

static const struct server_route routes[] = {
	{ "GET", "/echo", route_echo },       { "POST", "/echo", route_echo },
	{ "PUT", "/echo", route_echo },       { "GET", "/big", route_big },
	{ "GET", "/missing", route_missing }, { "GET", "/stream", route_stream },
	{ "GET", "/park", route_park },       { "GET", "/meet/{n}", route_meet },
};

/* ---- what the client got ---- */

struct got {
	bool done;
	int n_done;
	long status;
	char *body;
	size_t len;
	char *etag;
	char *error;
	double ms;
	struct buf streamed;
	int n_data;
	bool stop_after_first; /* the data callback returns false */
	struct http_multi *m;  /* for callbacks that start or cancel */
	struct http_transfer *self, *other;
	struct got *other_got;
	const char *next_url; /* where a done callback starts a transfer */
	struct http_transfer *started;
};

static void got_clear(struct got *g)
{
	free(g->body);
	free(g->etag);
	free(g->error);
	buf_free(&g->streamed);
	memset(g, 0, sizeof *g);
}

static void on_done(const struct http_result *res, void *arg)
{
	struct got *g = arg;

	g->done = true;
	g->n_done++;
	g->status = res->status;
	free(g->body);
	g->body = xstrndup(res->body, res->len);
	g->len = res->len;
	assert_int_equal(strlen(res->body), res->len);
	free(g->etag);
	g->etag = res->etag != NULL ? xstrdup(res->etag) : NULL;
	free(g->error);
	g->error = res->error != NULL ? xstrdup(res->error) : NULL;
	g->ms = res->ms;
}

static bool on_data(const char *bytes, size_t len, void *arg)
{
	struct got *g = arg;

	buf_append(&g->streamed, bytes, len);
	g->n_data++;
	if (strstr(buf_str(&g->streamed), "one\n") != NULL)
		atomic_store(&got_one, true);
	return !g->stop_after_first;
}

static struct http_transfer *start(struct http_multi *m, const struct http_request *req,
                                   http_data_fn data, struct got *g)
{
	char err[256] = "";
	struct http_transfer *t = http_multi_start(m, req, data, on_done, g, err, sizeof err);

	if (t == NULL)
		fail_msg("%s %s: %s", req->method, req->url, err);
	return t;
}

/* Moves m on until *flag or until limit_ms have passed. */
static void run_until(struct http_multi *m, const bool *flag, double limit_ms)
{
	double end = now_ms() + limit_ms;

	while (!*flag && now_ms() < end)
		assert_true(http_multi_wait(m, NULL, 0, 100) >= 0);
}

/* Moves m on until no transfer is active, or limit_ms have passed. */
static void run_idle(struct http_multi *m, double limit_ms)
{
	double end = now_ms() + limit_ms;

	while (http_multi_active(m) > 0 && now_ms() < end)
		assert_true(http_multi_wait(m, NULL, 0, 100) >= 0);
	assert_int_equal(http_multi_active(m), 0);
}

static char *url(const char *path)
{
	return xasprintf("%s%s", base, path);
}

static int group_setup(void **state)
{
	struct server_config cfg = { .routes = routes,
		                     .n_routes = sizeof routes / sizeof routes[0] };
	char err[512] = "";

	(void)state;
	assert_int_equal(http_client_global_init(), 0);
	server = server_start(&cfg, err, sizeof err);
	if (server == NULL)
		fail_msg("server: %s", err);
	snprintf(base, sizeof base, "http://127.0.0.1:%u", (unsigned int)server_port(server));
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	server_stop(&server);
	http_client_global_cleanup();
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

static void assert_prefix(const char *text, const char *prefix)
{
	assert_non_null(text);
	if (strncmp(text, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", text, prefix);
}

/* ---- tests ---- */

static void test_bad_requests(void **state)
{
	struct http_multi *m = http_multi_new();
	struct http_request req = { .method = "GET" };
	char err[256];
	struct got g = { 0 };

	(void)state;
	req.url = "not a url at all";
	err[0] = '\0';
	assert_null(http_multi_start(m, &req, NULL, on_done, &g, err, sizeof err));
	assert_non_null(strstr(err, "URL"));
	req.url = "ftp://127.0.0.1/file";
	err[0] = '\0';
	assert_null(http_multi_start(m, &req, NULL, on_done, &g, err, sizeof err));
	assert_true(err[0] != '\0');
	req.url = base;
	req.token = "a\r\nX-Injected: 1";
	err[0] = '\0';
	assert_null(http_multi_start(m, &req, NULL, on_done, &g, err, sizeof err));
	assert_true(err[0] != '\0');
	assert_null(strstr(err, "Injected"));
	assert_int_equal(http_multi_active(m), 0);
	/* nothing to do: the wait just times out */
	assert_int_equal(http_multi_wait(m, NULL, 0, 10), 0);
	assert_false(g.done);
	http_multi_cancel(m, NULL);
	http_multi_free(&m);
	assert_null(m);
	http_multi_free(&m);
	http_multi_free(NULL);
}

static void test_refused(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = xasprintf("http://127.0.0.1:%u/echo", (unsigned int)closed_port());
	struct http_request req = { .method = "GET", .url = u, .token = TOKEN };
	char want[64];
	struct got g = { 0 };

	(void)state;
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_true(g.done);
	assert_int_equal(g.status, 0);
	assert_non_null(g.error);
	snprintf(want, sizeof want, "cannot reach %.*s", (int)(strrchr(u, '/') - u), u);
	if (strncmp(g.error, want, strlen(want)) != 0)
		fail_msg("error \"%s\", want it to start \"%s\"", g.error, want);
	assert_null(strstr(g.error, "secret"));
	assert_null(strchr(g.error, '\n'));
	got_clear(&g);
	free(u);
	http_multi_free(&m);
}

static void test_kept_body(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = url("/echo");
	struct http_request req = { .method = "GET", .url = u, .token = TOKEN };
	struct got g = { 0 };
	json_t *doc;

	(void)state;
	start(m, &req, NULL, &g);
	assert_int_equal(http_multi_active(m), 1);
	run_until(m, &g.done, 5000);
	assert_true(g.done);
	assert_null(g.error);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.etag, "\"v1\"");
	assert_true(g.ms > 0);
	assert_int_equal(http_multi_active(m), 0);
	doc = json_loads(g.body, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "method")), "GET");
	assert_string_equal(json_string_value(json_object_get(doc, "accept")), "application/json");
	assert_string_equal(json_string_value(json_object_get(doc, "token")), TOKEN);
	assert_string_equal(json_string_value(json_object_get(doc, "body")), "");
	json_decref(doc);
	got_clear(&g);

	/* a body goes as JSON; another method and Accept, no token */
	req.method = "PUT";
	req.token = NULL;
	req.body = "{\"a\":1}";
	req.accept = "text/plain";
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_null(g.error);
	assert_int_equal(g.status, 200);
	doc = json_loads(g.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "method")), "PUT");
	assert_string_equal(json_string_value(json_object_get(doc, "accept")), "text/plain");
	assert_true(json_is_null(json_object_get(doc, "token")));
	assert_string_equal(json_string_value(json_object_get(doc, "content_type")),
	                    "application/json");
	assert_string_equal(json_string_value(json_object_get(doc, "body")), "{\"a\":1}");
	json_decref(doc);
	got_clear(&g);

	req.method = "POST";
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	doc = json_loads(g.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "method")), "POST");
	json_decref(doc);
	got_clear(&g);

	/* an error status keeps its body; the done callback is optional */
	free(u);
	u = url("/missing");
	req = (struct http_request){ .method = "GET", .url = u };
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_null(g.error);
	assert_int_equal(g.status, 404);
	assert_non_null(strstr(g.body, "nothing here"));
	got_clear(&g);
	{
		char err[256] = "";

		assert_non_null(http_multi_start(m, &req, NULL, NULL, NULL, err, sizeof err));
		run_idle(m, 5000);
	}
	free(u);
	http_multi_free(&m);
}

static void test_not_modified(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = url("/echo");
	struct http_request req = { .method = "GET", .url = u, .if_none_match = "\"v1\"" };
	struct got g = { 0 };

	(void)state;
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_null(g.error);
	assert_int_equal(g.status, 304);
	assert_int_equal(g.len, 0);
	assert_string_equal(g.body, "");
	assert_string_equal(g.etag, "\"v1\"");
	got_clear(&g);
	req.if_none_match = "\"v0\"";
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_int_equal(g.status, 200);
	assert_true(g.len > 0);
	got_clear(&g);
	free(u);
	http_multi_free(&m);
}

static void test_stream(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = url("/stream");
	struct http_request req = { .method = "GET", .url = u, .timeout_ms = 5000 };
	struct got g = { 0 };

	(void)state;
	atomic_store(&got_one, false);
	start(m, &req, on_data, &g);
	run_until(m, &g.done, 8000);
	assert_true(g.done);
	/* the server sends "two" only after the client has seen "one" */
	assert_null(g.error);
	assert_int_equal(g.status, 200);
	assert_string_equal(buf_str(&g.streamed), "one\ntwo\n");
	assert_true(g.n_data >= 2);
	assert_string_equal(g.body, "");
	assert_int_equal(g.len, 0);
	got_clear(&g);

	/* a status other than 2xx is kept for done, never streamed */
	free(u);
	u = url("/missing");
	req.url = u;
	start(m, &req, on_data, &g);
	run_until(m, &g.done, 5000);
	assert_int_equal(g.status, 404);
	assert_int_equal(g.n_data, 0);
	assert_non_null(strstr(g.body, "nothing here"));
	got_clear(&g);

	/* the data callback stops it: no done */
	free(u);
	u = url("/big");
	req.url = u;
	g.stop_after_first = true;
	start(m, &req, on_data, &g);
	run_idle(m, 5000);
	assert_int_equal(g.n_data, 1);
	assert_false(g.done);
	got_clear(&g);
	free(u);
	http_multi_free(&m);
}

static void test_too_big(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = url("/big");
	struct http_request req = { .method = "GET", .url = u, .max_body = 1000 };
	struct got g = { 0 };

	(void)state;
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_non_null(g.error);
	assert_string_equal(g.error, "reply larger than 1000 bytes");
	got_clear(&g);
	req.max_body = BIG_BYTES;
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_null(g.error);
	assert_int_equal(g.len, BIG_BYTES);
	got_clear(&g);
	req.max_body = 0; /* the default, 4 MiB */
	start(m, &req, NULL, &g);
	run_until(m, &g.done, 5000);
	assert_null(g.error);
	assert_int_equal(g.len, BIG_BYTES);
	got_clear(&g);
	free(u);
	http_multi_free(&m);
}

static void test_timeout(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = url("/park");
	struct http_request req = { .method = "GET", .url = u, .timeout_ms = 300, .token = TOKEN };
	struct got g = { 0 };

	(void)state;
	start(m, &req, NULL, &g);
	run_until(m, &g.done, PARK_MS + 2000);
	assert_true(g.done);
	assert_non_null(g.error);
	assert_string_equal(g.error, "timed out after 300 ms");
	/* curl keeps time on its own clock and may fire a little before our
	 * clock says 300 ms have passed: allow it 10 ms. */
	assert_true(g.ms >= 290);
	assert_true(g.ms < PARK_MS);
	got_clear(&g);
	free(u);
	http_multi_free(&m);
}

/* Cancels itself from its data callback. */
static bool cancel_self_on_data(const char *bytes, size_t len, void *arg)
{
	struct got *g = arg;

	(void)bytes;
	(void)len;
	g->n_data++;
	assert_int_equal(g->n_data, 1);
	http_multi_cancel(g->m, g->self);
	return true; /* ignored: it is cancelled */
}

/* Cancels another transfer and itself, and starts a new one. */
static void cancel_other_on_done(const struct http_result *res, void *arg)
{
	struct got *g = arg;
	struct http_request req = { .method = "GET", .url = g->next_url };

	on_done(res, g);
	http_multi_cancel(g->m, g->other);
	http_multi_cancel(g->m, g->self); /* in its own done: nothing happens */
	g->started = start(g->m, &req, NULL, g->other_got);
}

/* Each of two cancels the other if it has not ended yet. */
static void cancel_twin_on_done(const struct http_result *res, void *arg)
{
	struct got *g = arg;

	on_done(res, g);
	if (!g->other_got->done)
		http_multi_cancel(g->m, g->other);
}

static void test_cancel_in_callback(void **state)
{
	struct http_multi *m = http_multi_new();
	char *big = url("/big"), *park = url("/park"), *echo = url("/echo");
	struct http_request req = { .method = "GET", .url = big };
	struct got a = { 0 }, b = { 0 }, c = { 0 };
	char err[256] = "";

	(void)state;
	/* from its own data callback */
	a.m = m;
	a.self = http_multi_start(m, &req, cancel_self_on_data, on_done, &a, err, sizeof err);
	assert_non_null(a.self);
	run_idle(m, 5000);
	assert_int_equal(a.n_data, 1);
	assert_false(a.done);
	got_clear(&a);

	/* a's done cancels b (parked, in flight) and itself and starts c */
	req.url = park;
	b.m = m;
	b.self = start(m, &req, NULL, &b);
	req.url = echo;
	a.m = m;
	a.next_url = echo;
	a.other = b.self;
	a.other_got = &c;
	a.self = http_multi_start(m, &req, NULL, cancel_other_on_done, &a, err, sizeof err);
	assert_non_null(a.self);
	assert_int_equal(http_multi_active(m), 2);
	run_until(m, &a.done, 5000);
	assert_true(a.done);
	assert_int_equal(a.status, 200);
	assert_non_null(a.started);
	assert_int_equal(http_multi_active(m), 1); /* c */
	run_until(m, &c.done, 5000);
	assert_int_equal(c.status, 200);
	assert_int_equal(http_multi_active(m), 0);
	/* b never calls back, even after its park would have ended */
	assert_int_equal(http_multi_wait(m, NULL, 0, 50), 0);
	assert_false(b.done);
	got_clear(&a);
	got_clear(&b);
	got_clear(&c);

	/* two that may end in the same wait: each cancels the other */
	a.m = b.m = m;
	a.other_got = &b;
	b.other_got = &a;
	a.self = http_multi_start(m, &req, NULL, cancel_twin_on_done, &a, err, sizeof err);
	b.self = http_multi_start(m, &req, NULL, cancel_twin_on_done, &b, err, sizeof err);
	assert_non_null(a.self);
	assert_non_null(b.self);
	a.other = b.self;
	b.other = a.self;
	run_idle(m, 5000);
	assert_int_equal(a.n_done + b.n_done, 1);
	got_clear(&a);
	got_clear(&b);

	/* cancelled from outside any callback */
	req.url = park;
	a.self = start(m, &req, NULL, &a);
	assert_int_equal(http_multi_wait(m, NULL, 0, 20), 0);
	http_multi_cancel(m, a.self);
	assert_int_equal(http_multi_active(m), 0);
	assert_int_equal(http_multi_wait(m, NULL, 0, 20), 0);
	assert_false(a.done);
	got_clear(&a);
	free(big);
	free(park);
	free(echo);
	http_multi_free(&m);
}

static void test_concurrent(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u0 = url("/meet/0"), *u1 = url("/meet/1");
	struct http_request r0 = { .method = "GET", .url = u0, .timeout_ms = 10000 };
	struct http_request r1 = { .method = "GET", .url = u1, .timeout_ms = 10000 };
	struct got a = { 0 }, b = { 0 };

	(void)state;
	atomic_store(&met[0], false);
	atomic_store(&met[1], false);
	start(m, &r0, NULL, &a);
	start(m, &r1, NULL, &b);
	assert_int_equal(http_multi_active(m), 2);
	run_idle(m, 8000);
	/* each answers 200 only if the other was in the server at the same time */
	assert_int_equal(a.status, 200);
	assert_int_equal(b.status, 200);
	assert_string_equal(a.body, "\"met\"");
	assert_string_equal(b.body, "\"met\"");
	got_clear(&a);
	got_clear(&b);
	free(u0);
	free(u1);
	http_multi_free(&m);
}

static void test_extra_fd(void **state)
{
	struct http_multi *m = http_multi_new();
	char *u = url("/park"), byte = 'k';
	struct http_request req = { .method = "GET", .url = u };
	struct pollfd fds[2];
	struct got g = { 0 };
	int pipefd[2];
	double t0;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	fds[0] = (struct pollfd){ .fd = -1, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	start(m, &req, NULL, &g);
	/* nothing on the pipe: the wait ends at its timeout */
	fds[1].revents = POLLOUT;
	assert_int_equal(http_multi_wait(m, fds, 2, 50), 0);
	assert_int_equal(fds[1].revents, 0);
	assert_int_equal(http_multi_active(m), 1);

	/* a byte on the pipe wakes the wait long before the transfer ends */
	assert_int_equal(write(pipefd[1], &byte, 1), 1);
	t0 = now_ms();
	assert_int_equal(http_multi_wait(m, fds, 2, PARK_MS * 2), 1);
	assert_true(now_ms() - t0 < PARK_MS / 2);
	assert_int_equal(fds[0].revents, 0);
	assert_true(fds[1].revents & POLLIN);
	assert_int_equal(read(pipefd[0], &byte, 1), 1);
	assert_int_equal(http_multi_active(m), 1);
	assert_false(g.done);

	/* the other end closed: a hang-up, as poll() says it */
	close(pipefd[1]);
	t0 = now_ms();
	assert_int_equal(http_multi_wait(m, fds, 2, PARK_MS * 2), 1);
	assert_true(now_ms() - t0 < PARK_MS / 2);
	assert_true(fds[1].revents & POLLHUP);
	close(pipefd[0]);
	/* freed with the transfer in flight: no callback */
	http_multi_free(&m);
	assert_false(g.done);
	got_clear(&g);
	free(u);
}

/* A bare socket server for one connection: reads the request head, sends
 * reply as it is and closes, as a server that goes away mid-reply does. */
struct raw_server {
	int fd;
	uint16_t port;
	pthread_t thread;
	const char *reply;
};

static void *raw_main(void *arg)
{
	struct raw_server *r = arg;
	char head[4096];
	size_t n = 0;
	int conn = accept(r->fd, NULL, NULL);

	if (conn < 0)
		return NULL;
	while (n < sizeof head - 1) {
		ssize_t got = read(conn, head + n, sizeof head - 1 - n);

		if (got <= 0)
			break;
		n += (size_t)got;
		head[n] = '\0';
		if (strstr(head, "\r\n\r\n") != NULL)
			break;
	}
	if (write(conn, r->reply, strlen(r->reply)) < 0)
		n = 0;
	close(conn);
	return NULL;
}

static void raw_start(struct raw_server *r, const char *reply)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;

	r->reply = reply;
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(r->fd, 4), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &len), 0);
	r->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&r->thread, NULL, raw_main, r), 0);
}

static void raw_join(struct raw_server *r)
{
	pthread_join(r->thread, NULL);
	close(r->fd);
}

static void test_connection_lost(void **state)
{
	struct http_multi *m = http_multi_new();
	struct raw_server raw;
	struct http_request req = { .method = "GET", .token = TOKEN, .timeout_ms = 5000 };
	struct got g = { 0 };
	char *u;

	(void)state;
	raw_start(&raw, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
	u = xasprintf("http://127.0.0.1:%u/", (unsigned int)raw.port);
	req.url = u;
	start(m, &req, on_data, &g);
	run_until(m, &g.done, 8000);
	raw_join(&raw);
	assert_true(g.done);
	assert_int_equal(g.status, 200);
	assert_string_equal(buf_str(&g.streamed), "abc");
	assert_prefix(g.error, "connection lost: ");
	assert_null(strstr(g.error, "secret"));
	got_clear(&g);
	free(u);
	http_multi_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_requests),    cmocka_unit_test(test_refused),
		cmocka_unit_test(test_kept_body),       cmocka_unit_test(test_not_modified),
		cmocka_unit_test(test_stream),          cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_timeout),         cmocka_unit_test(test_cancel_in_callback),
		cmocka_unit_test(test_concurrent),      cmocka_unit_test(test_extra_fd),
		cmocka_unit_test(test_connection_lost),
	};

	return cmocka_run_group_tests_name("http_multi", tests, group_setup, group_teardown);
}
