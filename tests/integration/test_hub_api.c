/* The hub's catalogue API (PROTOCOL.md §5, §7) over a real loopback socket:
 * the hub runs in-process on a free port over a scratch hub store, and
 * libcurl's easy API asks it. Odd paths, missing and wrong tokens, bad and
 * oversized bodies first; then reads, ETag and 304, publishing and what
 * the listing shows after it; last, the server driven in select mode. */
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

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/vocab.h"
#include "hub/hub.h"
#include "net/server.h"
#include "store/hub_store.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include "../unit/support.h"
#include "hub_support.h"

#define MAX_BODY 4096

static char *tmpdir;
static struct hub_store *store;
static struct vocab *vocab;
static struct hub *hub;
static char *token_a, *token_b, *token_user;

/* Sends method path to the hub (see hub_test_request), waiting up to 20 s. */
static void request(const char *method, const char *path, const char *token, const char *extra,
                    const char *body, struct hub_test_reply *r)
{
	hub_test_request(hub_port(hub), method, path, token, extra, body, 20, r);
}

/* The reply's body as JSON (new); fails the test if it is not JSON or not
 * sent as application/json. */
static json_t *reply_json(const struct hub_test_reply *r)
{
	json_error_t jerr;
	json_t *doc;

	assert_non_null(r->content_type);
	assert_string_equal(r->content_type, "application/json");
	doc = json_loads(buf_str(&r->body), 0, &jerr);
	if (doc == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, buf_str(&r->body));
	return doc;
}

/* Asserts r is status with a JSON {"error": "<non-empty>"}; returns the
 * message (new). */
static char *assert_error(const struct hub_test_reply *r, long status)
{
	json_t *doc;
	const char *msg;
	char *copy;

	if (r->status != status)
		fail_msg("status %ld, want %ld: %s", r->status, status, buf_str(&r->body));
	doc = reply_json(r);
	msg = json_string_value(json_object_get(doc, "error"));
	assert_non_null(msg);
	assert_true(msg[0] != '\0');
	copy = xstrdup(msg);
	json_decref(doc);
	return copy;
}

static void expect_error(const char *method, const char *path, const char *token, const char *body,
                         long status)
{
	struct hub_test_reply r;

	request(method, path, token, NULL, body, &r);
	free(assert_error(&r, status));
	hub_test_reply_clear(&r);
}

/* The current listing's ETag, new. */
static char *current_etag(void)
{
	struct hub_test_reply r;
	char *etag;

	request("GET", "/api/catalogue/collections", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.etag);
	etag = r.etag;
	r.etag = NULL;
	hub_test_reply_clear(&r);
	return etag;
}

static int group_setup(void **state)
{
	tmpdir = test_tmpdir("hub-api");
	store = hub_test_store_open(tmpdir);
	token_a = hub_test_add_site(store, "site-a", "ES");
	token_b = hub_test_add_site(store, "site-b", NULL);
	token_user = hub_test_add_user(store, "alice", HUB_ROLE_ADMIN);
	vocab = test_vocab_load();
	assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
	hub = hub_new(store, vocab);
	hub->max_body = MAX_BODY;
	hub_test_start(hub);
	assert_true(hub_port(hub) != 0);
	return 0;
}

static int group_teardown(void **state)
{
	hub_free(&hub);
	assert_null(hub);
	hub_free(&hub); /* a no-op */
	curl_global_cleanup();
	vocab_free(&vocab);
	hub_store_close(&store);
	free(token_a);
	free(token_b);
	free(token_user);
	test_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

static void test_etag_matches(void **state)
{
	assert_false(server_etag_matches(NULL, "\"x\""));
	assert_false(server_etag_matches("\"x\"", NULL));
	assert_false(server_etag_matches("", "\"x\""));
	assert_false(server_etag_matches("\"y\"", "\"x\""));
	assert_false(server_etag_matches("\"x", "\"x\""));
	assert_true(server_etag_matches("\"x\"", "\"x\""));
	assert_true(server_etag_matches("*", "\"x\""));
	assert_true(server_etag_matches("W/\"x\"", "\"x\""));
	assert_true(server_etag_matches("\"a\", \"x\" ,\"b\"", "\"x\""));
}

static void test_odd_paths(void **state)
{
	static const char *paths[] = {
		"/",
		"/etc/passwd",
		"/api/catalogue",
		"/api/catalogue/",
		"/api/catalogue/collections/",
		"/api/catalogue//collections",
		"/api/catalogue/collections/..",
		"/api/catalogue/collections/.",
		"/api/catalogue/collections/%2e%2e",
		"/api/catalogue/collections/../sites",
		"/api/catalogue/collections/../../../etc/passwd",
		"/api/catalogue/collections/a%2Fb",
		"/api/catalogue/collections/a/b",
		"/api/catalogue/collections/a%20b",
		"/api/catalogue/sites/site-a/collections/x",
		"/API/catalogue/collections",
	};
	char *msg;
	struct hub_test_reply r;

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		request("GET", paths[i], NULL, NULL, NULL, &r);
		if (r.status != 404)
			fail_msg("%s: status %ld, want 404", paths[i], r.status);
		free(assert_error(&r, 404));
		hub_test_reply_clear(&r);
	}
	/* a known path with another method */
	request("DELETE", "/api/catalogue/collections", NULL, NULL, NULL, &r);
	msg = assert_error(&r, 405);
	assert_non_null(strstr(msg, "DELETE"));
	free(msg);
	hub_test_reply_clear(&r);
	expect_error("GET", "/api/catalogue/sites/site-a/collections", token_a, NULL, 405);
	/* traversal to another site's publishing path is no path at all */
	expect_error("PUT", "/api/catalogue/sites/site-b/../site-a/collections", token_a, "[]",
	             404);
}

static void test_put_auth(void **state)
{
	const char *path = "/api/catalogue/sites/site-a/collections";
	const char *body = "[{\"id\":\"c-auth\",\"name\":\"Auth\"}]";
	char *before = current_etag(), *after, *msg;
	struct hub_test_reply r;

	expect_error("PUT", path, NULL, body, 401);
	expect_error("PUT", path, "", body, 401);
	expect_error("PUT", path, "nonsense", body, 401);
	expect_error("PUT", path, "ecii_s_notarealtoken", body, 401);
	/* not a bearer token at all */
	request("PUT", path, NULL, "Authorization: Basic dXNlcjpwYXNz", body, &r);
	free(assert_error(&r, 401));
	hub_test_reply_clear(&r);
	/* a user's token: known, but not a site */
	expect_error("PUT", path, token_user, body, 403);
	/* another site's token, and a site's token on an unknown site */
	request("PUT", path, token_b, NULL, body, &r);
	msg = assert_error(&r, 403);
	assert_null(strstr(msg, token_b)); /* the token is never echoed */
	free(msg);
	hub_test_reply_clear(&r);
	expect_error("PUT", "/api/catalogue/sites/site-z/collections", token_a, body, 403);

	after = current_etag();
	assert_string_equal(before, after); /* nothing was published */
	free(before);
	free(after);
}

static void test_put_bad_bodies(void **state)
{
	const char *path = "/api/catalogue/sites/site-a/collections";
	char *before = current_etag(), *after, *msg;
	struct hub_test_reply r;

	expect_error("PUT", path, token_a, "", 400);
	expect_error("PUT", path, token_a, "[{\"id\":", 400);
	expect_error("PUT", path, token_a, "{\"id\":\"x\",\"name\":\"y\"}", 400);
	expect_error("PUT", path, token_a, "\"text\"", 400);
	expect_error("PUT", path, token_a, "[1]", 400);
	expect_error("PUT", path, token_a, "[{\"name\":\"no id\"}]", 400);
	/* the store's message names the id given twice */
	request("PUT", path, token_a, NULL,
	        "[{\"id\":\"c-dup\",\"name\":\"A\"},{\"id\":\"c-dup\",\"name\":\"B\"}]", &r);
	msg = assert_error(&r, 400);
	assert_non_null(strstr(msg, "c-dup"));
	free(msg);
	hub_test_reply_clear(&r);

	after = current_etag();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_body_over_limit(void **state)
{
	const char *path = "/api/catalogue/sites/site-a/collections";
	char *big = xmalloc(MAX_BODY + 2), *before = current_etag(), *after;
	struct hub_test_reply r;

	/* a valid array one byte over the limit */
	memset(big, ' ', MAX_BODY + 1);
	big[0] = '[';
	big[MAX_BODY] = ']';
	big[MAX_BODY + 1] = '\0';
	expect_error("PUT", path, token_a, big, 413);
	/* nothing is handled: not even the missing token is looked at */
	expect_error("PUT", path, NULL, big, 413);
	/* at the limit it is read */
	big[MAX_BODY - 1] = ']';
	big[MAX_BODY] = '\0';
	request("PUT", path, token_a, NULL, big, &r);
	assert_int_equal(r.status, 200);
	hub_test_reply_clear(&r);
	free(big);

	after = current_etag();
	assert_string_equal(before, after); /* it was empty before, and is now */
	free(before);
	free(after);
}

static void test_anonymous_reads(void **state)
{
	struct hub_test_reply r;
	json_t *doc, *site;

	request("GET", "/api/catalogue/collections", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(r.etag);
	doc = reply_json(&r);
	assert_true(json_is_integer(json_object_get(doc, "total")));
	assert_true(json_is_array(json_object_get(doc, "items")));
	assert_int_equal(json_integer_value(json_object_get(doc, "total")),
	                 json_array_size(json_object_get(doc, "items")));
	json_decref(doc);
	hub_test_reply_clear(&r);

	request("GET", "/api/catalogue/criteria", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = reply_json(&r);
	assert_true(json_equal(doc, vocab->json));
	json_decref(doc);
	hub_test_reply_clear(&r);

	/* a HEAD is answered as a GET, without the body */
	request("HEAD", "/api/catalogue/criteria", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body.len, 0);
	assert_string_equal(r.content_type, "application/json");
	hub_test_reply_clear(&r);

	request("GET", "/api/catalogue/sites", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = reply_json(&r);
	assert_int_equal(json_array_size(doc), 2);
	site = json_array_get(doc, 0);
	assert_string_equal(json_string_value(json_object_get(site, "name")), "site-a");
	assert_string_equal(json_string_value(json_object_get(site, "country")), "ES");
	assert_true(json_is_boolean(json_object_get(site, "online")));
	site = json_array_get(doc, 1);
	assert_string_equal(json_string_value(json_object_get(site, "name")), "site-b");
	assert_true(json_is_null(json_object_get(site, "country")));
	assert_true(json_is_null(json_object_get(site, "last_seen")));
	assert_true(json_is_false(json_object_get(site, "online")));
	json_decref(doc);
	hub_test_reply_clear(&r);
}

static void test_unknown_id(void **state)
{
	struct hub_test_reply r;
	char *msg;

	request("GET", "/api/catalogue/collections/c-nowhere", NULL, NULL, NULL, &r);
	msg = assert_error(&r, 404);
	assert_non_null(strstr(msg, "c-nowhere"));
	free(msg);
	hub_test_reply_clear(&r);
}

static void test_etag_304(void **state)
{
	char *etag = current_etag(), header[256];
	struct hub_test_reply r;

	snprintf(header, sizeof header, "If-None-Match: %s", etag);
	request("GET", "/api/catalogue/collections", NULL, header, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.body.len, 0);
	assert_non_null(r.etag);
	assert_string_equal(r.etag, etag);
	hub_test_reply_clear(&r);

	request("GET", "/api/catalogue/collections", NULL, "If-None-Match: \"stale\"", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(r.body.len > 0);
	hub_test_reply_clear(&r);
	free(etag);
}

static void test_publish(void **state)
{
	const char *path = "/api/catalogue/sites/site-a/collections";
	char *before = current_etag(), *after, header[256];
	struct hub_test_reply r;
	json_t *doc, *items;

	request("PUT", path, token_a, NULL,
	        "[{\"id\":\"c-two\",\"name\":\"Zeta\",\"provider\":{\"id\":\"site-a\","
	        "\"name\":\"A\",\"country\":\"ES\"},\"number_of_subjects\":120},"
	        "{\"id\":\"c-one\",\"name\":\"Alpha\",\"imaging_modality\":[\"MR\"]}]",
	        &r);
	assert_int_equal(r.status, 200);
	doc = reply_json(&r);
	assert_int_equal(json_integer_value(json_object_get(doc, "collections")), 2);
	json_decref(doc);
	hub_test_reply_clear(&r);

	request("GET", "/api/catalogue/collections", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = reply_json(&r);
	items = json_object_get(doc, "items");
	assert_int_equal(json_integer_value(json_object_get(doc, "total")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")),
	                    "c-one"); /* by name */
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "id")),
	                    "c-two");
	json_decref(doc);
	after = xstrdup(r.etag);
	assert_string_not_equal(before, after);
	hub_test_reply_clear(&r);

	/* the old ETag no longer gets a 304 */
	snprintf(header, sizeof header, "If-None-Match: %s", before);
	request("GET", "/api/catalogue/collections", NULL, header, NULL, &r);
	assert_int_equal(r.status, 200);
	hub_test_reply_clear(&r);

	request("GET", "/api/catalogue/collections/c-two", NULL, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	doc = reply_json(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "Zeta");
	assert_int_equal(json_integer_value(json_object_get(doc, "number_of_subjects")), 120);
	json_decref(doc);
	hub_test_reply_clear(&r);

	/* publishing counts as being seen */
	request("GET", "/api/catalogue/sites", NULL, NULL, NULL, &r);
	doc = reply_json(&r);
	assert_true(json_is_true(json_object_get(json_array_get(doc, 0), "online")));
	assert_true(json_is_integer(json_object_get(json_array_get(doc, 0), "last_seen")));
	json_decref(doc);
	hub_test_reply_clear(&r);

	/* another site may not take c-one */
	expect_error("PUT", "/api/catalogue/sites/site-b/collections", token_b,
	             "[{\"id\":\"c-one\",\"name\":\"Theirs\"}]", 400);
	/* an empty array withdraws everything */
	request("PUT", path, token_a, NULL, "[]", &r);
	assert_int_equal(r.status, 200);
	hub_test_reply_clear(&r);
	expect_error("GET", "/api/catalogue/collections/c-two", NULL, NULL, 404);
	free(before);
	free(after);
}

static atomic_bool select_done;

static void *drive(void *arg)
{
	struct server *s = arg;

	while (!atomic_load(&select_done))
		server_run(s, 50);
	return NULL;
}

static void test_select_mode(void **state)
{
	struct server_config cfg = {
		.address = "127.0.0.1",
		.mode = SERVER_SELECT,
		.routes = hub_catalogue_routes,
		.n_routes = hub_catalogue_n_routes,
		.ctx = hub,
	};
	char err[512] = "";
	struct server *s = server_start(&cfg, err, sizeof err), *again;
	pthread_t thread;
	struct hub_test_reply r;

	if (s == NULL)
		fail_msg("server_start: %s", err);
	/* the same port twice is refused with a message */
	cfg.port = server_port(s);
	again = server_start(&cfg, err, sizeof err);
	assert_null(again);
	assert_non_null(strstr(err, "cannot listen"));
	/* a bad address */
	cfg.address = "localhost";
	assert_null(server_start(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "localhost"));

	atomic_store(&select_done, false);
	assert_int_equal(pthread_create(&thread, NULL, drive, s), 0);
	hub_test_request(server_port(s), "GET", "/api/catalogue/criteria", NULL, NULL, NULL, 20,
	                 &r);
	assert_int_equal(r.status, 200);
	hub_test_reply_clear(&r);
	atomic_store(&select_done, true);
	pthread_join(thread, NULL);
	server_stop(&s);
	assert_null(s);
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag_matches),    cmocka_unit_test(test_odd_paths),
		cmocka_unit_test(test_put_auth),        cmocka_unit_test(test_put_bad_bodies),
		cmocka_unit_test(test_body_over_limit), cmocka_unit_test(test_anonymous_reads),
		cmocka_unit_test(test_unknown_id),      cmocka_unit_test(test_etag_304),
		cmocka_unit_test(test_publish),         cmocka_unit_test(test_select_mode),
	};

	return cmocka_run_group_tests_name("hub_api", tests, group_setup, group_teardown);
}
