/* Unit tests of the query AST JSON (core/query_json.c): exact reading with
 * the place of every error, writing in wire order, the number rules, the
 * limits, and the round trips JSON -> model -> JSON and text -> JSON ->
 * model -> text. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/query.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "core/vocab.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include "support.h"

/* Wrappers building an AST around criteria / leaves. */
#define TOP(groups)       "{\"operand\":\"OR\",\"children\":[" groups "]}"
#define GROUP(criteria)   "{\"operand\":\"AND\",\"children\":[" criteria "]}"
#define CRIT(leaves)      "{\"operand\":\"OR\",\"children\":[" leaves "]}"
#define LEAF(k, t, v)     "{\"key\":\"" k "\",\"type\":\"" t "\",\"value\":" v "}"
#define ONE_LEAF(k, t, v) TOP(GROUP(CRIT(LEAF(k, t, v))))
#define PLACE_LEAF        "children[0].children[0].children[0]: "

static struct query *read_ok(const char *text)
{
	struct query_error err = { 0 };
	struct query *q = query_from_json_text(text, strlen(text), &err);

	if (q == NULL)
		fail_msg("read %s: %d:%d: %s", text, err.line, err.column, err.message);
	return q;
}

static void expect_error(const char *text, int line, int column, const char *message)
{
	struct query_error err = { 0 };
	struct query *q = query_from_json_text(text, strlen(text), &err);

	if (q != NULL) {
		query_free(&q);
		fail_msg("%s read; expected %s", text, message);
	}
	if (err.line != line || err.column != column || strcmp(err.message, message) != 0)
		fail_msg("%s: got %d:%d: %s; expected %d:%d: %s", text, err.line, err.column,
		         err.message, line, column, message);
}

/* Reading then writing gives exactly `out` (compact). */
static void expect_written(const char *in, const char *out)
{
	struct query *q = read_ok(in);
	char *text = query_to_json_text(q, false);

	if (strcmp(text, out) != 0)
		fail_msg("%s wrote %s; expected %s", in, text, out);
	free(text);
	query_free(&q);
}

/* Degenerate input first. */

static void test_null_empty_truncated(void **state)
{
	struct query_error err = { 0 };

	(void)state;
	assert_null(query_from_json_text(NULL, 0, &err));
	assert_string_equal(err.message, "no query");
	assert_null(query_from_json_text(NULL, 0, NULL));
	expect_error("", 1, 0, "'[' or '{' expected near end of file");
	expect_error("   ", 1, 3, "'[' or '{' expected near end of file");
	expect_error("{\"operand\":\"OR\",\"children\":[", 1, 28, "']' expected near end of file");
	expect_error("{\"operand\":\"OR\",\n \"children\":[}", 2, 14, "unexpected token near '}'");
	expect_error(TOP("") " x", 1, 32, "end of file expected near 'x'");
	/* len is honoured: the text is cut before its end. */
	assert_null(query_from_json_text(TOP(""), 10, &err));
	assert_int_equal(err.line, 1);
	assert_null(query_from_json(NULL, &err));
	assert_string_equal(err.message, "top level: expected an OR node with \"children\"");
}

static void test_huge(void **state)
{
	struct buf b = BUF_INIT;
	struct query_error err = { 0 };
	struct query *q;

	(void)state;
	buf_puts(&b, TOP(""));
	while (b.len < QUERY_MAX_TEXT)
		buf_putc(&b, ' ');
	q = query_from_json_text(b.data, b.len, &err);
	assert_non_null(q);
	query_free(&q);
	buf_putc(&b, ' ');
	assert_null(query_from_json_text(b.data, b.len, &err));
	assert_string_equal(err.message, "query is too long (65537 bytes; at most 65536)");
	buf_free(&b);
}

static void test_shape_errors(void **state)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
		{ "[]", "top level: expected an OR node with \"children\"" },
		{ "{\"operand\":\"AND\",\"children\":[]}",
		  "top level: expected an OR node with \"children\"" },
		{ "{\"operand\":\"OR\"}", "top level: expected an OR node with \"children\"" },
		{ "{\"operand\":\"or\",\"children\":[]}",
		  "top level: expected an OR node with \"children\"" },
		{ "{\"operand\":\"OR\",\"children\":{}}",
		  "top level: expected an OR node with \"children\"" },
		{ TOP(CRIT("")), "children[0]: expected an AND node with \"children\"" },
		{ TOP(GROUP("") ","
		                "7"),
		  "children[1]: expected an AND node with \"children\"" },
		{ TOP(GROUP(CRIT(LEAF("k", "EQUALS", "1")) "," GROUP(""))),
		  "children[0].children[1]: expected an OR node with \"children\"" },
		{ TOP(GROUP(CRIT(""))),
		  "children[0].children[0]: a criterion needs at least one leaf" },
		{ TOP(GROUP(CRIT(CRIT(LEAF("k", "EQUALS", "1"))))),
		  PLACE_LEAF "expected a leaf with \"key\", \"type\" and \"value\"" },
		{ TOP(GROUP(CRIT("{\"key\":\"k\",\"type\":\"EQUALS\"}"))),
		  PLACE_LEAF "expected a leaf with \"key\", \"type\" and \"value\"" },
		{ TOP(GROUP(CRIT("{\"key\":1,\"type\":\"EQUALS\",\"value\":1}"))),
		  PLACE_LEAF "expected a leaf with \"key\", \"type\" and \"value\"" },
		{ ONE_LEAF("k", "LIKE", "\"x\""),
		  PLACE_LEAF "unknown type 'LIKE' (EQUALS, NOT_EQUALS, IN, BETWEEN, LOWER_THAN, "
		             "GREATER_THAN or CONTAINS)" },
		{ TOP(GROUP(CRIT(LEAF("k", "EQUALS", "1") "," LEAF("j", "EQUALS", "2")))),
		  "children[0].children[0].children[1]: key 'j' differs from the criterion's key "
		  "'k'" },
		{ ONE_LEAF("k", "EQUALS", "[\"a\"]"),
		  PLACE_LEAF "EQUALS needs a string, number or boolean \"value\"" },
		{ ONE_LEAF("k", "NOT_EQUALS", "null"),
		  PLACE_LEAF "NOT_EQUALS needs a string, number or boolean \"value\"" },
		{ ONE_LEAF("k", "IN", "\"a\""),
		  PLACE_LEAF "IN needs a non-empty array of strings as \"value\"" },
		{ ONE_LEAF("k", "IN", "[]"),
		  PLACE_LEAF "IN needs a non-empty array of strings as \"value\"" },
		{ ONE_LEAF("k", "IN", "[\"a\",2]"), PLACE_LEAF "IN value[1] is not a string" },
		{ ONE_LEAF("k", "BETWEEN", "5"),
		  PLACE_LEAF "BETWEEN needs an object {\"min\", \"max\"} as \"value\"" },
		{ ONE_LEAF("k", "BETWEEN", "{\"min\":\"5\"}"),
		  PLACE_LEAF "BETWEEN \"min\" must be a number or null" },
		{ ONE_LEAF("k", "BETWEEN", "{\"min\":5,\"max\":true}"),
		  PLACE_LEAF "BETWEEN \"max\" must be a number or null" },
		{ ONE_LEAF("k", "LOWER_THAN", "\"5\""),
		  PLACE_LEAF "LOWER_THAN needs a number as \"value\"" },
		{ ONE_LEAF("k", "GREATER_THAN", "null"),
		  PLACE_LEAF "GREATER_THAN needs a number as \"value\"" },
		{ ONE_LEAF("k", "CONTAINS", "5"),
		  PLACE_LEAF "CONTAINS needs a string as \"value\"" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_error(cases[i].text, 0, 0, cases[i].message);
	expect_error("{\"operand\":\"OR\",\"operand\":\"OR\",\"children\":[]}", 1, 25,
	             "duplicate object key near '\"operand\"'");
	expect_error(ONE_LEAF("k", "EQUALS", "\"a\\u0000b\""), 1, 130,
	             "\\u0000 is not allowed without JSON_ALLOW_NUL near '\"a\\u0000b\"'");
}

static void test_limits(void **state)
{
	struct buf b = BUF_INIT;
	struct query *q;

	(void)state;
	/* Groups. */
	buf_puts(&b, "{\"operand\":\"OR\",\"children\":[");
	for (int i = 0; i < QUERY_MAX_GROUPS; i++)
		buf_printf(&b, "%s" GROUP(CRIT(LEAF("k", "EQUALS", "1"))), i > 0 ? "," : "");
	buf_puts(&b, "]}");
	q = read_ok(buf_str(&b));
	assert_int_equal(q->n_groups, QUERY_MAX_GROUPS);
	query_free(&q);
	b.len -= 2;
	buf_puts(&b, "," GROUP("") "]}");
	expect_error(buf_str(&b), 0, 0, "top level: too many groups (at most 64)");
	buf_reset(&b);

	/* Criteria. */
	buf_puts(&b, "{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":[");
	for (int i = 0; i <= QUERY_MAX_CRITERIA; i++)
		buf_printf(&b, "%s" CRIT(LEAF("k", "EQUALS", "1")), i > 0 ? "," : "");
	buf_puts(&b, "]}]}");
	expect_error(buf_str(&b), 0, 0, "children[0]: too many criteria (at most 256)");
	buf_reset(&b);

	/* Leaves. */
	buf_puts(&b, "{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["
	             "{\"operand\":\"OR\",\"children\":[");
	for (int i = 0; i < QUERY_MAX_LEAVES; i++)
		buf_printf(&b, "%s" LEAF("k", "EQUALS", "%d"), i > 0 ? "," : "", i);
	buf_puts(&b, "]}]}]}");
	q = read_ok(buf_str(&b));
	assert_int_equal(q->groups[0].criteria[0].n_leaves, QUERY_MAX_LEAVES);
	query_free(&q);
	b.len -= 6;
	buf_puts(&b, "," LEAF("k", "EQUALS", "1") "]}]}]}");
	expect_error(buf_str(&b), 0, 0, "children[0].children[0]: too many leaves (at most 256)");
	buf_reset(&b);

	/* IN strings. */
	buf_puts(&b,
	         "{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["
	         "{\"operand\":\"OR\",\"children\":[{\"key\":\"k\",\"type\":\"IN\",\"value\":[");
	for (int i = 0; i <= QUERY_MAX_STRINGS; i++)
		buf_printf(&b, "%s\"v%d\"", i > 0 ? "," : "", i);
	buf_puts(&b, "]}]}]}]}");
	expect_error(buf_str(&b), 0, 0, PLACE_LEAF "too many IN values (at most 256)");
	buf_free(&b);
}

/* Real cases. */

static void test_empty_query(void **state)
{
	struct query *q = read_ok(TOP(""));
	char *text = query_to_json_text(q, false);

	(void)state;
	assert_int_equal(q->n_groups, 0);
	assert_string_equal(text, "{\"operand\":\"OR\",\"children\":[]}");
	free(text);
	query_free(&q);
	text = query_to_json_text(NULL, false);
	assert_string_equal(text, "{\"operand\":\"OR\",\"children\":[]}");
	free(text);
}

static void test_protocol_example(void **state)
{
	static const char example[] =
	    "{\"operand\":\"OR\",\"children\":[\n"
	    "  {\"operand\":\"AND\",\"children\":[\n"
	    "    "
	    "{\"operand\":\"OR\",\"children\":[{\"key\":\"SNOMEDCT263495000\",\"type\":\"EQUALS\","
	    "\"value\":\"SNOMEDCT248153007\"}]},\n"
	    "    {\"operand\":\"OR\",\"children\":[{\"key\":\"RID10311\",\"type\":\"EQUALS\","
	    "\"value\":\"RID10312\"},\n"
	    "                                {\"key\":\"RID10311\",\"type\":\"EQUALS\","
	    "\"value\":\"RID10321\"}]},\n"
	    "    {\"operand\":\"OR\",\"children\":[{\"key\":\"SNOMEDCT423493009\",\"type\":"
	    "\"BETWEEN\",\"value\":{\"min\":50,\"max\":70}}]}\n"
	    "  ]}]}\n";
	const struct vocab *v = *state;
	struct query *q = read_ok(example);
	struct query_error err = { 0 };
	char *text;

	assert_int_equal(q->n_groups, 1);
	assert_int_equal(q->groups[0].n_criteria, 3);
	assert_int_equal(q->groups[0].criteria[1].n_leaves, 2);
	assert_int_equal(q->groups[0].criteria[2].leaves[0].vtype, QUERY_VALUE_RANGE);
	assert_true(q->groups[0].criteria[2].leaves[0].min == 50);
	assert_true(q->groups[0].criteria[2].leaves[0].max == 70);
	assert_int_equal(query_resolve(v, q, false, &err), 0);
	text = query_print_text(v, q);
	assert_string_equal(text, "sex:male modality:mr,ct age:50..70");
	free(text);
	query_free(&q);
}

static void test_extra_members_ignored(void **state)
{
	struct query *plain = read_ok(ONE_LEAF("k", "EQUALS", "\"v\""));
	struct query *extra = read_ok(
	    "{\"operand\":\"OR\",\"key\":\"top\",\"children\":[{\"operand\":\"AND\",\"x\":[1],"
	    "\"children\":[{\"key\":\"k\",\"operand\":\"OR\",\"children\":[{\"system\":"
	    "\"http://snomed.info/sct\",\"value\":\"v\",\"type\":\"EQUALS\",\"key\":\"k\"}]}]}]}");

	(void)state;
	assert_true(query_equal(plain, extra));
	query_free(&plain);
	query_free(&extra);
}

/* JSON -> model -> JSON gives the same JSON, for every kind of value. */
static void test_round_trip_json(void **state)
{
	static const char *const asts[] = {
		TOP(""),
		ONE_LEAF("k", "EQUALS", "\"v\""),
		ONE_LEAF("k", "EQUALS", "12"),
		ONE_LEAF("k", "EQUALS", "-3.25"),
		ONE_LEAF("k", "EQUALS", "true"),
		ONE_LEAF("k", "NOT_EQUALS", "false"),
		ONE_LEAF("k", "NOT_EQUALS", "\"\""),
		ONE_LEAF("k", "IN", "[\"a\",\"b\",\"a\"]"),
		ONE_LEAF("k", "BETWEEN", "{\"min\":50,\"max\":70}"),
		ONE_LEAF("k", "BETWEEN", "{\"min\":null,\"max\":0.5}"),
		ONE_LEAF("k", "BETWEEN", "{\"min\":1e300,\"max\":null}"),
		ONE_LEAF("k", "LOWER_THAN", "4"),
		ONE_LEAF("k", "GREATER_THAN", "1.5e-7"),
		ONE_LEAF("k", "CONTAINS", "\"caf\xc3\xa9 \\\"q\\\" \\\\ \\n\""),
		TOP(GROUP(
		    CRIT(LEAF("a", "EQUALS", "\"1\"") "," LEAF("a", "EQUALS", "\"2\"")) "," CRIT(
		        LEAF("b", "BETWEEN",
		             "{\"min\":1,\"max\":2}"))) "," GROUP(CRIT(LEAF("c", "CONTAINS",
		                                                            "\"x\"")))),
	};

	(void)state;
	for (size_t i = 0; i < sizeof asts / sizeof asts[0]; i++)
		expect_written(asts[i], asts[i]);
}

static void test_numbers_and_wire_order(void **state)
{
	/* One leaf of key "k" and this type: its value as read, and as written. */
	static const struct {
		const char *type, *in, *out;
	} cases[] = {
		/* Integral reals become integers; members come out in wire order. */
		{ "BETWEEN", "{\"max\":70.0,\"min\":5e1}", "{\"min\":50,\"max\":70}" },
		/* A missing end is written as null. */
		{ "BETWEEN", "{}", "{\"min\":null,\"max\":null}" },
		/* At most 15 significant digits. */
		{ "EQUALS", "0.12345678901234567", "0.123456789012346" },
		{ "EQUALS", "0.1", "0.1" },
		/* Integers are exact below 2^53, rounded at and above it. */
		{ "EQUALS", "9007199254740991", "9007199254740991" },
		{ "EQUALS", "9007199254740993", "9007199254740990" },
		{ "EQUALS", "1e15", "1000000000000000" },
		{ "EQUALS", "-0.0", "0" },
		{ "EQUALS", "1E+300", "1e300" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *in = xasprintf(ONE_LEAF("k", "%s", "%s"), cases[i].type, cases[i].in);
		char *out = xasprintf(ONE_LEAF("k", "%s", "%s"), cases[i].type, cases[i].out);

		expect_written(in, out);
		free(in);
		free(out);
	}
	assert_true(query_json_round_number(0.1 + 0.2) == 0.3);
	assert_true(query_json_round_number(42) == 42);
	assert_true(isnan(query_json_round_number(NAN)));
	assert_true(signbit(query_json_round_number(-0.0)) == 0);
}

static void test_pretty(void **state)
{
	struct query *q = read_ok(ONE_LEAF("k", "BETWEEN", "{\"min\":1,\"max\":2}")), *again;
	char *text = query_to_json_text(q, true);

	(void)state;
	assert_non_null(strchr(text, '\n'));
	assert_non_null(strstr(text, "  \"operand\": \"OR\""));
	assert_true(strstr(text, "\"min\"") < strstr(text, "\"max\""));
	again = read_ok(text);
	assert_true(query_equal(q, again));
	free(text);
	query_free(&q);
	query_free(&again);
}

static void test_to_json_object(void **state)
{
	struct query *q = read_ok(ONE_LEAF("k", "IN", "[\"a\"]"));
	json_t *j = query_to_json(q);
	json_t *leaf = json_array_get(
	    json_object_get(
	        json_array_get(
	            json_object_get(json_array_get(json_object_get(j, "children"), 0), "children"),
	            0),
	        "children"),
	    0);

	(void)state;
	assert_non_null(leaf);
	assert_string_equal(json_string_value(json_object_get(leaf, "type")), "IN");
	assert_string_equal(json_string_value(json_array_get(json_object_get(leaf, "value"), 0)),
	                    "a");
	json_decref(j);
	query_free(&q);
}

/* Strings built through the API that are not UTF-8 still give valid JSON. */
static void test_invalid_utf8_from_api(void **state)
{
	struct query *q = query_new(), *again;
	struct query_criterion *c = query_add_criterion(query_add_group(q), "k\xff");
	char *text;

	(void)state;
	query_add_leaf(c, QUERY_EQUALS)->str = xstrdup("v\xc3");
	text = query_to_json_text(q, false);
	again = read_ok(text);
	assert_int_equal(again->n_groups, 1);
	assert_string_not_equal(again->groups[0].criteria[0].key, "k\xff");
	free(text);
	query_free(&q);
	query_free(&again);
}

/* text -> JSON -> model -> text gives the canonical text. */
static void test_text_json_text(void **state)
{
	const struct vocab *v = *state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "*", "*" },
		{ "modality:CT,MR sex:male age:50.. -manufacturer:toshiba,ge psa:>10",
		  "sex:male age:>=50 modality:mr,ct -manufacturer:ge,toshiba psa:>10" },
		{ "(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)",
		  "(age:<40 diagnosis:breast) OR (diagnosis:breast modality:mr)" },
		{ "-age:50..70 ki67:0.5 diagnosis:~\"pro state\"",
		  "age:<50,>70 diagnosis:~\"pro state\" ki67:0.5" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct query_error err = { 0 };
		struct query *q = query_parse_text(v, cases[i].in, &err), *back;
		char *json, *text;

		assert_non_null(q);
		query_canonicalize(v, q);
		json = query_to_json_text(q, i % 2 == 0);
		back = query_from_json_text(json, strlen(json), &err);
		assert_non_null(back);
		assert_true(query_equal(q, back));
		text = query_print_text(v, back);
		if (strcmp(text, cases[i].out) != 0)
			fail_msg("'%s' came back as '%s', expected '%s'", cases[i].in, text,
			         cases[i].out);
		free(text);
		free(json);
		query_free(&q);
		query_free(&back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_empty_truncated),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_empty_query),
		cmocka_unit_test(test_protocol_example),
		cmocka_unit_test(test_extra_members_ignored),
		cmocka_unit_test(test_round_trip_json),
		cmocka_unit_test(test_numbers_and_wire_order),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_to_json_object),
		cmocka_unit_test(test_invalid_utf8_from_api),
		cmocka_unit_test(test_text_json_text),
	};

	return cmocka_run_group_tests(tests, test_vocab_setup, test_vocab_teardown);
}
