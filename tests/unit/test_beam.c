/* Unit tests of core/beam.c: the start-search body with its query encoded
 * twice, the outer query a site reads, and result events; round trips, and
 * every error a reader gives, with its exact message. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/beam.h"
#include "core/payload.h"
#include "core/query.h"
#include "core/query_json.h"
#include "util/base64.h"
#include "util/xmalloc.h"

#define TASK "123e4567-e89b-42d3-a456-426614174000"
#define AST                                                                             \
	"{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["         \
	"{\"operand\":\"OR\",\"children\":[{\"key\":\"RID10311\",\"type\":\"EQUALS\","  \
	"\"value\":\"RID10312\"}]},{\"operand\":\"OR\",\"children\":[{\"key\":\"age\"," \
	"\"type\":\"BETWEEN\",\"value\":{\"min\":50,\"max\":70.5}}]}]}]}"
#define EMPTY_AST "{\"operand\":\"OR\",\"children\":[]}"

static struct query *parse_ast(const char *text)
{
	struct query_error err = { 0 };
	struct query *q = query_from_json_text(text, strlen(text), &err);

	if (q == NULL)
		fail_msg("%s: %s", text, err.message);
	return q;
}

static char *b64(const char *s)
{
	return base64_encode(s, strlen(s));
}

/* B64({"lang":"ast","query":B64(inner)}) around inner JSON text. */
static char *outer_of(const char *inner)
{
	char *ib = b64(inner), *outer = xasprintf("{\"lang\":\"ast\",\"query\":\"%s\"}", ib);
	char *ob = b64(outer);

	free(outer);
	free(ib);
	return ob;
}

static void expect_search_error(const char *body, const char *message)
{
	struct beam_search s;
	char err[512] = "";

	if (beam_search_read(body, strlen(body), &s, err, sizeof err) == 0) {
		beam_search_clear(&s);
		fail_msg("%s read; expected %s", body, message);
	}
	assert_null(s.task_id);
	assert_null(s.sites);
	assert_null(s.query);
	if (strcmp(err, message) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", body, err, message);
}

/* A body with the given outer query string. */
static void expect_query_error(const char *outer_b64, const char *message)
{
	char *body = xasprintf("{\"id\":\"" TASK "\",\"query\":\"%s\"}", outer_b64);
	char err[512] = "";
	struct query *q;

	expect_search_error(body, message);
	/* A site reading the same outer query gets the same reason. */
	q = beam_query_read(outer_b64, strlen(outer_b64), err, sizeof err);
	assert_null(q);
	assert_string_equal(err, message);
	free(body);
}

/* The outer query text made of outer JSON text. */
static void expect_outer_error(const char *outer, const char *message)
{
	char *ob = b64(outer);

	expect_query_error(ob, message);
	free(ob);
}

static void expect_inner_error(const char *inner, const char *message)
{
	char *ob = outer_of(inner);

	expect_query_error(ob, message);
	free(ob);
}

static void expect_result_error(const char *event, const char *message)
{
	struct beam_result r;
	char err[512] = "";

	if (beam_result_read(event, strlen(event), &r, err, sizeof err) == 0) {
		beam_result_clear(&r);
		fail_msg("%s read; expected %s", event, message);
	}
	assert_null(r.site);
	assert_null(r.task_id);
	assert_null(r.body);
	if (strcmp(err, message) != 0)
		fail_msg("%s: got \"%s\", expected \"%s\"", event, err, message);
}

static void test_search_degenerate(void **state)
{
	struct beam_search s;
	char err[256];
	char *huge = xmalloc(BEAM_MAX_BODY + 2);

	assert_int_equal(beam_search_read(NULL, 0, &s, err, sizeof err), -1);
	assert_string_equal(err, "empty body");
	assert_int_equal(beam_search_read("", 0, &s, err, sizeof err), -1);
	assert_string_equal(err, "empty body");
	memset(huge, ' ', BEAM_MAX_BODY + 1);
	huge[BEAM_MAX_BODY + 1] = '\0';
	assert_int_equal(beam_search_read(huge, BEAM_MAX_BODY + 1, &s, err, sizeof err), -1);
	assert_string_equal(err, "body too long (1048577 bytes; at most 1048576)");
	assert_null(beam_query_read(huge, BEAM_MAX_BODY + 1, err, sizeof err));
	assert_string_equal(err, "query: too long (1048577 bytes; at most 1048576)");
	assert_null(beam_query_read(NULL, 0, err, sizeof err));
	assert_string_equal(err, "query: missing");
	/* A small err buffer is cut, never overrun; a NULL one is allowed. */
	assert_int_equal(beam_search_read("", 0, &s, err, 4), -1);
	assert_string_equal(err, "emp");
	assert_int_equal(beam_search_read("", 0, &s, NULL, 0), -1);
	expect_search_error("{", "not JSON: 1:1: string or '}' expected near end of file");
	expect_search_error("{\"id\":\"" TASK "\"",
	                    "not JSON: 1:44: '}' expected near end of file");
	free(huge);
}

static void test_search_round_trip(void **state)
{
	char site_a[] = "site-a", site_b[] = "site-b";
	char *sites[] = { site_a, site_b };
	struct query *q = parse_ast(AST);
	char *body = beam_search_build(TASK, sites, 2, q);
	struct beam_search s;
	char err[256];

	assert_int_equal(beam_search_read(body, strlen(body), &s, err, sizeof err), 0);
	assert_string_equal(s.task_id, TASK);
	assert_int_equal(s.n_sites, 2);
	assert_string_equal(s.sites[0], "site-a");
	assert_string_equal(s.sites[1], "site-b");
	assert_true(query_equal(q, s.query));
	beam_search_clear(&s);
	assert_null(s.task_id);
	beam_search_clear(&s); /* twice is harmless */
	beam_search_clear(NULL);
	free(body);

	/* No sites: left out of the body and read back as NULL. */
	body = beam_search_build(TASK, NULL, 0, q);
	assert_null(strstr(body, "sites"));
	assert_int_equal(beam_search_read(body, strlen(body), &s, err, sizeof err), 0);
	assert_null(s.sites);
	assert_int_equal(s.n_sites, 0);
	assert_true(query_equal(q, s.query));
	beam_search_clear(&s);
	free(body);
	query_free(&q);
}

/* The built text is exactly the §3 form, base64 twice. */
static void test_search_wire_form(void **state)
{
	char site_a[] = "site-a";
	char *sites[] = { site_a };
	struct query *q = parse_ast(EMPTY_AST);
	char *body = beam_search_build(TASK, sites, 1, q);
	char *outer = outer_of("{\"ast\":" EMPTY_AST ",\"id\":\"" TASK "\"}");
	char *expected =
	    xasprintf("{\"id\":\"" TASK "\",\"sites\":[\"site-a\"],\"query\":\"%s\"}", outer);
	char *built_outer = beam_query_build(q, TASK);

	assert_string_equal(body, expected);
	assert_string_equal(built_outer, outer);
	free(built_outer);
	free(expected);
	free(outer);
	free(body);
	query_free(&q);
}

static void test_search_tolerates(void **state)
{
	/* Unknown members anywhere, "sites": null, an inner id that is not
	 * a UUID (Lens sends its own forms). */
	char *ib = b64("{\"ast\":" EMPTY_AST ",\"id\":\"q-1__search__x\",\"extra\":1}");
	char *outer = xasprintf("{\"lang\":\"ast\",\"query\":\"%s\",\"v\":2}", ib);
	char *ob = b64(outer);
	char *body = xasprintf(
	    "{\"id\":\"F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6\",\"sites\":null,\"query\":\"%s\","
	    "\"x\":[]}",
	    ob);
	struct beam_search s;
	char err[256];

	assert_int_equal(beam_search_read(body, strlen(body), &s, err, sizeof err), 0);
	assert_null(s.sites);
	assert_int_equal(s.query->n_groups, 0);
	beam_search_clear(&s);
	free(body);
	free(ob);
	free(outer);
	free(ib);
}

static void test_search_errors(void **state)
{
	char *ob = outer_of("{\"ast\":" EMPTY_AST ",\"id\":\"x\"}");
	char *body;

	expect_search_error("[]", "not a JSON object");
	expect_search_error("{}", "missing \"id\"");
	expect_search_error("{\"id\":5}", "\"id\" is not a string");
	expect_search_error("{\"id\":\"abc\"}", "\"id\" is not a UUID");
	expect_search_error("{\"id\":\"" TASK "\",\"id\":\"" TASK "\"}",
	                    "not JSON: 1:49: duplicate object key near '\"id\"'");
	expect_search_error("{\"id\":\"" TASK "\",\"sites\":\"site-a\"}",
	                    "\"sites\" is not an array");
	expect_search_error("{\"id\":\"" TASK "\",\"sites\":[]}", "No sites specified");
	expect_search_error("{\"id\":\"" TASK "\",\"sites\":[\"a\",1]}",
	                    "sites[1] is not a string");
	expect_search_error("{\"id\":\"" TASK "\",\"sites\":[\"a\",\"\"]}", "sites[1] is empty");
	expect_search_error("{\"id\":\"" TASK "\",\"sites\":[\"a\"]}", "missing \"query\"");
	expect_search_error("{\"id\":\"" TASK "\",\"query\":{}}", "\"query\" is not a string");
	/* The sites are checked before the query. */
	body = xasprintf("{\"id\":\"" TASK "\",\"sites\":[],\"query\":\"%s\"}", ob);
	expect_search_error(body, "No sites specified");
	free(body);
	free(ob);
}

static void test_outer_errors(void **state)
{
	char *ib = b64("{}"), *outer;

	expect_query_error("", "query: not JSON: 1:0: '[' or '{' expected near end of file");
	expect_query_error("*", "query: bad base64 at byte 0");
	expect_query_error("eyJsYW5nIjoiYXN0In0", "query: bad base64 at byte 19");
	expect_query_error("eyJsYW5nIjoiYXN0In0=\\n", "query: bad base64 at byte 19");
	expect_outer_error("nope", "query: not JSON: 1:4: '[' or '{' expected near 'nope'");
	expect_outer_error("[1]", "query: not a JSON object");
	expect_outer_error("{}", "query: missing \"lang\"");
	expect_outer_error("{\"lang\":1}", "query: \"lang\" is not a string");
	expect_outer_error("{\"lang\":\"cql\",\"query\":\"\"}", "query: unknown lang \"cql\"");
	expect_outer_error("{\"lang\":\"ast\"}", "query: missing \"query\"");
	expect_outer_error("{\"lang\":\"ast\",\"query\":[]}", "query: \"query\" is not a string");
	expect_outer_error("{\"lang\":\"ast\",\"query\":\"Zg=\"}",
	                   "query.query: bad base64 at byte 3");
	outer = xasprintf("{\"lang\":\"ast\",\"query\":\"%s \"}", ib);
	expect_outer_error(outer, "query.query: bad base64 at byte 3");
	free(outer);
	free(ib);
}

static void test_inner_errors(void **state)
{
	const char *bad_ast = "{\"operand\":\"AND\",\"children\":[]}";
	char *inner = xasprintf("{\"ast\":%s,\"id\":\"x\"}", bad_ast);
	struct query_error qerr = { 0 };
	char *expected;

	expect_inner_error("{\"ast\":", "query.query: not JSON: 1:7: unexpected token near end of "
	                                "file");
	expect_inner_error("\"ast\"", "query.query: not JSON: 1:5: '[' or '{' expected near "
	                              "'\"ast\"'");
	expect_inner_error("[]", "query.query: not a JSON object");
	expect_inner_error("{\"ast\":" EMPTY_AST "}", "query.query: missing \"id\"");
	expect_inner_error("{\"ast\":" EMPTY_AST ",\"id\":7}",
	                   "query.query: \"id\" is not a string");
	expect_inner_error("{\"id\":\"x\"}", "query.query: missing \"ast\"");
	/* AST errors carry query_from_json's own message and place. */
	assert_null(query_from_json_text(bad_ast, strlen(bad_ast), &qerr));
	expected = xasprintf("query.query.ast: %s", qerr.message);
	expect_inner_error(inner, expected);
	free(expected);
	free(inner);
	expect_inner_error("{\"ast\":{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\","
	                   "\"children\":[{\"operand\":\"OR\",\"children\":[{\"key\":\"k\","
	                   "\"type\":\"NEAR\",\"value\":1}]}]}]},\"id\":\"x\"}",
	                   "query.query.ast: children[0].children[0].children[0]: unknown type "
	                   "'NEAR' (EQUALS, NOT_EQUALS, IN, BETWEEN, LOWER_THAN, GREATER_THAN or "
	                   "CONTAINS)");
}

/* §4: a site receives only the outer query. */
static void test_query_round_trip(void **state)
{
	struct query *q = parse_ast(AST), *back;
	char *outer = beam_query_build(q, "any id");
	char err[256];

	back = beam_query_read(outer, strlen(outer), err, sizeof err);
	assert_non_null(back);
	assert_true(query_equal(q, back));
	query_free(&back);
	free(outer);
	query_free(&q);
}

static void test_status_names(void **state)
{
	enum beam_status s;

	for (int i = BEAM_CLAIMED; i <= BEAM_PERMFAILED; i++) {
		assert_int_equal(beam_status_from_name(beam_status_name((enum beam_status)i), &s),
		                 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(beam_status_from_name(NULL, &s), -1);
	assert_int_equal(beam_status_from_name("", &s), -1);
	assert_int_equal(beam_status_from_name("Succeeded", &s), -1);
	assert_string_equal(beam_status_name(BEAM_TEMPFAILED), "tempfailed");
}

static void test_result_degenerate(void **state)
{
	struct beam_result r;
	char err[256];
	char *huge = xmalloc(BEAM_MAX_BODY + 2);

	assert_int_equal(beam_result_read(NULL, 0, &r, err, sizeof err), -1);
	assert_string_equal(err, "empty event");
	memset(huge, ' ', BEAM_MAX_BODY + 1);
	huge[BEAM_MAX_BODY + 1] = '\0';
	assert_int_equal(beam_result_read(huge, BEAM_MAX_BODY + 1, &r, err, sizeof err), -1);
	assert_string_equal(err, "event too long (1048577 bytes; at most 1048576)");
	free(huge);
	assert_null(beam_result_build(NULL, NULL, TASK, BEAM_CLAIMED, NULL));
	assert_null(beam_result_build("", NULL, TASK, BEAM_CLAIMED, NULL));
	assert_null(beam_result_build("site.a", NULL, TASK, BEAM_CLAIMED, NULL));
	expect_result_error("{\"from\":", "not JSON: 1:8: unexpected token near end of file");
}

static void test_result_wire_form(void **state)
{
	char *ev = beam_result_build("site-a", NULL, TASK, BEAM_CLAIMED, "ignored");

	assert_string_equal(ev, "{\"from\":\"focus.site-a.broker.example\",\"to\":[\"spot\"],"
	                        "\"task\":\"" TASK "\",\"status\":\"claimed\",\"metadata\":null}");
	free(ev);
	ev = beam_result_build("site-b", "hub.local", TASK, BEAM_SUCCEEDED, "foob");
	assert_string_equal(ev, "{\"from\":\"focus.site-b.hub.local\",\"to\":[\"spot\"],"
	                        "\"task\":\"" TASK "\",\"status\":\"succeeded\",\"metadata\":null,"
	                        "\"body\":\"Zm9vYg==\"}");
	free(ev);
	ev = beam_result_build("site-c", NULL, TASK, BEAM_PERMFAILED, "no such criterion");
	assert_string_equal(ev, "{\"from\":\"focus.site-c.broker.example\",\"to\":[\"spot\"],"
	                        "\"task\":\"" TASK "\",\"status\":\"permfailed\",\"metadata\":null,"
	                        "\"body\":\"no such criterion\"}");
	free(ev);
}

static void test_result_round_trip(void **state)
{
	const char *payload = "{\"provider\":\"Site A\",\"collections\":[{\"id\":\"c-17\","
	                      "\"subjects_count\":1102,\"studies_count\":1149}]}";
	char *ev = beam_result_build("site-a", NULL, TASK, BEAM_SUCCEEDED, payload);
	struct beam_result r;
	struct site_answer a;
	char err[256];

	assert_int_equal(beam_result_read(ev, strlen(ev), &r, err, sizeof err), 0);
	assert_string_equal(r.site, "site-a");
	assert_string_equal(r.task_id, TASK);
	assert_int_equal(r.status, BEAM_SUCCEEDED);
	assert_int_equal(r.body_len, strlen(payload));
	assert_string_equal(r.body, payload);
	/* What comes out is a payload the client reads as it is. */
	assert_int_equal(payload_read_text(r.body, r.body_len, &a, err, sizeof err), 0);
	assert_int_equal(a.subjects, 1102);
	site_answer_clear(&a);
	beam_result_clear(&r);
	beam_result_clear(&r);
	beam_result_clear(NULL);
	free(ev);

	ev = beam_result_build("site-a", NULL, TASK, BEAM_TEMPFAILED, "timeout");
	assert_int_equal(beam_result_read(ev, strlen(ev), &r, err, sizeof err), 0);
	assert_int_equal(r.status, BEAM_TEMPFAILED);
	assert_string_equal(r.body, "timeout");
	beam_result_clear(&r);
	free(ev);

	ev = beam_result_build("site-a", NULL, TASK, BEAM_CLAIMED, NULL);
	assert_int_equal(beam_result_read(ev, strlen(ev), &r, err, sizeof err), 0);
	assert_int_equal(r.status, BEAM_CLAIMED);
	assert_null(r.body);
	beam_result_clear(&r);
	free(ev);
}

static void test_result_tolerates(void **state)
{
	struct beam_result r;
	char err[256];
	/* A short "from", a failure without a body, a claim with one. */
	const char *events[] = {
		"{\"from\":\"focus.s1\",\"task\":\"t\",\"status\":\"permfailed\"}",
		"{\"from\":\"a.s1.b\",\"task\":\"t\",\"status\":\"tempfailed\",\"body\":null}",
		"{\"from\":\"a.s1.b\",\"task\":\"t\",\"status\":\"claimed\",\"body\":5,\"x\":1}",
	};

	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		if (beam_result_read(events[i], strlen(events[i]), &r, err, sizeof err) != 0)
			fail_msg("%s: %s", events[i], err);
		assert_string_equal(r.site, "s1");
		assert_null(r.body);
		beam_result_clear(&r);
	}
}

static void test_result_errors(void **state)
{
	expect_result_error("[]", "not a JSON object");
	expect_result_error("{}", "missing \"from\"");
	expect_result_error("{\"from\":1}", "\"from\" is not a string");
	expect_result_error("{\"from\":\"focus\"}", "\"from\" names no site: \"focus\"");
	expect_result_error("{\"from\":\"focus..b\"}", "\"from\" names no site: \"focus..b\"");
	expect_result_error("{\"from\":\"focus.\"}", "\"from\" names no site: \"focus.\"");
	expect_result_error("{\"from\":\"f.s.b\"}", "missing \"task\"");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":null}", "\"task\" is not a string");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\"}", "missing \"status\"");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\",\"status\":\"done\"}",
	                    "unknown status \"done\"");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\",\"status\":\"succeeded\"}",
	                    "missing \"body\"");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\",\"status\":\"succeeded\","
	                    "\"body\":{}}",
	                    "\"body\" is not a string");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\",\"status\":\"succeeded\","
	                    "\"body\":\"Zg=\"}",
	                    "body: bad base64 at byte 3");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\",\"status\":\"succeeded\","
	                    "\"body\":\"not a payload\"}",
	                    "body: bad base64 at byte 3");
	expect_result_error("{\"from\":\"f.s.b\",\"task\":\"t\",\"status\":\"permfailed\","
	                    "\"body\":[\"x\"]}",
	                    "\"body\" is not a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_search_degenerate), cmocka_unit_test(test_search_round_trip),
		cmocka_unit_test(test_search_wire_form),  cmocka_unit_test(test_search_tolerates),
		cmocka_unit_test(test_search_errors),     cmocka_unit_test(test_outer_errors),
		cmocka_unit_test(test_inner_errors),      cmocka_unit_test(test_query_round_trip),
		cmocka_unit_test(test_status_names),      cmocka_unit_test(test_result_degenerate),
		cmocka_unit_test(test_result_wire_form),  cmocka_unit_test(test_result_round_trip),
		cmocka_unit_test(test_result_tolerates),  cmocka_unit_test(test_result_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
