/* core/json_read: the shared checks of outside JSON. Degenerate input
 * first (NULL objects and places, no room for the error, places too long
 * for their buffer), then each message a reader's tests rely on, byte for
 * byte. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/json_read.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (doc == NULL)
		fail_msg("test JSON: %s: %s", jerr.text, text);
	return doc;
}

/* ---- degenerate ---- */

static void test_fail_degenerate(void **state)
{
	char err[16], big[600];

	(void)state;
	assert_int_equal(json_read_fail(NULL, 0, "a", "b"), -1);
	assert_int_equal(json_read_fail(err, sizeof err, NULL, "alone"), -1);
	assert_string_equal(err, "alone");
	assert_int_equal(json_read_fail(err, sizeof err, "", "alone %d", 2), -1);
	assert_string_equal(err, "alone 2");
	/* cut to err's size, still terminated */
	json_read_fail(err, sizeof err, "a.long.place", "and a long message");
	assert_string_equal(err, "a.long.place: a");
	/* the message alone is cut at 255 bytes */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	{
		char out[1024];

		json_read_fail(out, sizeof out, "p", "%s", big);
		assert_int_equal(strlen(out), strlen("p: ") + 255);
	}
}

static void test_place_degenerate(void **state)
{
	char out[8];

	(void)state;
	json_read_join(out, sizeof out, NULL, "m");
	assert_string_equal(out, "m");
	json_read_join(out, sizeof out, "", "m");
	assert_string_equal(out, "m");
	json_read_join(out, sizeof out, "a", "b");
	assert_string_equal(out, "a.b");
	json_read_join(out, sizeof out, "places", "member");
	assert_string_equal(out, "places.");
	json_read_place(out, sizeof out, "[%zu]", (size_t)3);
	assert_string_equal(out, "[3]");
	json_read_place(out, sizeof out, "sections[%zu]", (size_t)12);
	assert_string_equal(out, "section");
}

static void test_string_degenerate(void **state)
{
	json_t *arr = parse("[\"x\"]");
	char err[256], sentinel[] = "x", *s = sentinel;

	(void)state;
	/* NULL and non-objects have no members */
	assert_int_equal(
	    json_read_string(NULL, "", "id", JSON_READ_REQUIRED, 8, &s, err, sizeof err), -1);
	assert_null(s);
	assert_string_equal(err, "id: missing");
	assert_int_equal(
	    json_read_string(arr, "top", "id", JSON_READ_NON_EMPTY, 8, &s, err, sizeof err), -1);
	assert_string_equal(err, "top.id: missing");
	s = sentinel;
	assert_int_equal(
	    json_read_string(NULL, "", "id", JSON_READ_OPTIONAL, 8, &s, err, sizeof err), 0);
	assert_null(s);
	json_decref(arr);
}

static void test_string_long_place(void **state)
{
	json_t *doc = parse("{}");
	char place[400], err[512], *s;

	(void)state;
	/* a place longer than its buffer is cut to 191 bytes, not refused */
	memset(place, 'p', sizeof place - 1);
	place[sizeof place - 1] = '\0';
	assert_int_equal(
	    json_read_string(doc, place, "id", JSON_READ_REQUIRED, 8, &s, err, sizeof err), -1);
	assert_int_equal(strlen(err), 191 + strlen(": missing"));
	assert_string_equal(err + 191, ": missing");
	json_decref(doc);
}

/* ---- strings ---- */

static void test_string_messages(void **state)
{
	json_t *doc = parse("{\"n\":null,\"i\":1,\"e\":\"\",\"long\":\"abcdefghi\","
	                    "\"nul\":\"a\\u0000b\",\"ok\":\"fine\",\"max\":\"abcdefgh\"}");
	char err[256], *s;

	(void)state;
	assert_int_equal(
	    json_read_string(doc, "at", "absent", JSON_READ_REQUIRED, 8, &s, err, sizeof err), -1);
	assert_string_equal(err, "at.absent: missing");
	/* null is missing only to an optional reader */
	assert_int_equal(
	    json_read_string(doc, "at", "n", JSON_READ_REQUIRED, 8, &s, err, sizeof err), -1);
	assert_string_equal(err, "at.n: not a string");
	assert_int_equal(
	    json_read_string(doc, "at", "n", JSON_READ_OPTIONAL, 8, &s, err, sizeof err), 0);
	assert_null(s);
	assert_int_equal(json_read_string(doc, "", "i", JSON_READ_OPTIONAL, 8, &s, err, sizeof err),
	                 -1);
	assert_string_equal(err, "i: not a string");
	assert_int_equal(
	    json_read_string(doc, "", "long", JSON_READ_REQUIRED, 8, &s, err, sizeof err), -1);
	assert_string_equal(err, "long: longer than 8 bytes");
	assert_int_equal(
	    json_read_string(doc, "", "nul", JSON_READ_REQUIRED, 8, &s, err, sizeof err), -1);
	assert_string_equal(err, "nul: holds a NUL character");
	assert_int_equal(
	    json_read_string(doc, "", "e", JSON_READ_NON_EMPTY, 8, &s, err, sizeof err), -1);
	assert_string_equal(err, "e: empty");
	assert_null(s);

	/* "" is a string to a reader that does not ask for more */
	assert_int_equal(json_read_string(doc, "", "e", JSON_READ_REQUIRED, 8, &s, err, sizeof err),
	                 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(
	    json_read_string(doc, "", "max", JSON_READ_NON_EMPTY, 8, &s, err, sizeof err), 0);
	assert_string_equal(s, "abcdefgh");
	free(s);
	assert_int_equal(
	    json_read_string(doc, "x", "ok", JSON_READ_OPTIONAL, 64, &s, err, sizeof err), 0);
	assert_string_equal(s, "fine");
	free(s);
	json_decref(doc);
}

/* ---- booleans ---- */

static void test_bool(void **state)
{
	json_t *doc = parse("{\"t\":true,\"f\":false,\"n\":null,\"s\":\"true\",\"i\":1}");
	char err[256];
	bool b = true;

	(void)state;
	assert_int_equal(json_read_bool(NULL, "", "t", JSON_READ_REQUIRED, &b, err, sizeof err),
	                 -1);
	assert_false(b);
	assert_string_equal(err, "t: missing");
	b = true;
	assert_int_equal(json_read_bool(NULL, "", "t", JSON_READ_OPTIONAL, &b, err, sizeof err), 0);
	assert_false(b);
	assert_int_equal(
	    json_read_bool(doc, "e", "absent", JSON_READ_REQUIRED, &b, err, sizeof err), -1);
	assert_string_equal(err, "e.absent: missing");
	assert_int_equal(json_read_bool(doc, "e", "n", JSON_READ_REQUIRED, &b, err, sizeof err),
	                 -1);
	assert_string_equal(err, "e.n: not true or false");
	assert_int_equal(json_read_bool(doc, "e", "n", JSON_READ_OPTIONAL, &b, err, sizeof err), 0);
	assert_false(b);
	assert_int_equal(json_read_bool(doc, "", "s", JSON_READ_OPTIONAL, &b, err, sizeof err), -1);
	assert_string_equal(err, "s: not true or false");
	assert_int_equal(json_read_bool(doc, "", "i", JSON_READ_REQUIRED, &b, err, sizeof err), -1);
	assert_string_equal(err, "i: not true or false");

	assert_int_equal(json_read_bool(doc, "", "t", JSON_READ_REQUIRED, &b, err, sizeof err), 0);
	assert_true(b);
	assert_int_equal(json_read_bool(doc, "", "f", JSON_READ_NON_EMPTY, &b, err, sizeof err), 0);
	assert_false(b);
	assert_int_equal(json_read_bool(doc, "", "t", JSON_READ_OPTIONAL, &b, err, sizeof err), 0);
	assert_true(b);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_degenerate),   cmocka_unit_test(test_place_degenerate),
		cmocka_unit_test(test_string_degenerate), cmocka_unit_test(test_string_long_place),
		cmocka_unit_test(test_string_messages),   cmocka_unit_test(test_bool),
	};

	return cmocka_run_group_tests_name("json_read", tests, NULL, NULL);
}
