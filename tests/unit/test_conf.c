/* The key = value reader (util/conf): a missing file, empty and
 * comment-only files, CRLF, NUL and control bytes, a file over 64 KiB, a
 * directory, then every malformed line (no '=', empty key, bad key
 * characters, an unterminated or trailed quote), then values (trimming,
 * quotes, escapes, comments), the last of a repeated key, and conf_check. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/conf.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

/* Writes len bytes of data to a new file; returns its path (new). */
static char *file_with(const void *data, size_t len)
{
	char *path = test_temp_path(scratch, "conf");

	test_write_file(path, data, len);
	return path;
}

/* Reads text as a config file; returns conf_read's result, err filled. */
static int read_text(const char *text, struct conf *c, char *err, size_t errlen)
{
	char *path = file_with(text, strlen(text));
	int rc;

	err[0] = '\0';
	rc = conf_read(path, c, err, errlen);
	free(path);
	return rc;
}

/* The text fails with an error on line, saying want; out left cleared. */
static void assert_bad(const char *text, unsigned line, const char *want)
{
	char err[512], at[32];
	struct conf c;

	if (read_text(text, &c, err, sizeof err) != -1)
		fail_msg("accepted: %s", text);
	assert_null(c.path);
	assert_null(c.entries);
	assert_int_equal(c.n, 0);
	snprintf(at, sizeof at, ":%u: ", line);
	if (strstr(err, at) == NULL || strstr(err, want) == NULL)
		fail_msg("for %s: got '%s', wanted line %u and '%s'", text, err, line, want);
	assert_non_null(strstr(err, scratch));
	assert_null(strchr(err, '\n'));
}

static void test_missing(void **state)
{
	char err[256] = "", *path = test_temp_path(scratch, "none");
	struct conf c;

	assert_int_equal(conf_read(path, &c, err, sizeof err), 1);
	assert_string_equal(c.path, path);
	assert_int_equal(c.n, 0);
	assert_null(conf_get(&c, "hub"));
	assert_int_equal(conf_check(&c, NULL, err, sizeof err), 0);
	conf_clear(&c);
	assert_null(c.path);
	conf_clear(&c);
	conf_clear(NULL);
	assert_null(conf_get(NULL, "hub"));
	free(path);
}

static void test_empty_and_comments(void **state)
{
	static const char *texts[] = {
		"",
		"\n\n\n",
		"# only a comment",
		"# one\n   # two, indented\n\t# three\n\n",
		"\r\n# crlf\r\n\r\n",
		"\xef\xbb\xbf# after a byte order mark\n",
	};
	char err[256];
	struct conf c;

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if (read_text(texts[i], &c, err, sizeof err) != 0)
			fail_msg("text %zu: %s", i, err);
		assert_non_null(c.path);
		assert_int_equal(c.n, 0);
		conf_clear(&c);
	}
}

static void test_not_text(void **state)
{
	static const char nul[] = "hub = a\nx = b\0c\n";
	char err[256], *path, *big;
	struct conf c;

	path = file_with(nul, sizeof nul - 1);
	assert_int_equal(conf_read(path, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, ":2: a NUL byte"));
	assert_null(c.path);
	free(path);
	assert_bad("a = b\nc = \x1b[31mred\n", 2, "control character");
	assert_bad("a = b\rc = d\n", 1, "control character");
	assert_bad("a = \x7f\n", 1, "control character");

	/* One byte over 64 KiB, every line valid: refused for its size alone. */
	big = xmalloc(64 * 1024 + 2);
	memset(big, '#', 64 * 1024 + 1);
	big[64 * 1024 + 1] = '\0';
	path = file_with(big, 64 * 1024 + 1);
	assert_int_equal(conf_read(path, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, "64 KiB"));
	assert_null(c.path);
	free(path);
	path = file_with(big, 64 * 1024); /* exactly 64 KiB is fine */
	assert_int_equal(conf_read(path, &c, err, sizeof err), 0);
	conf_clear(&c);
	free(path);
	free(big);

	/* A directory, and a device that never ends. */
	assert_int_equal(conf_read(scratch, &c, err, sizeof err), -1);
	assert_non_null(strstr(err, scratch));
	assert_int_equal(conf_read("/dev/zero", &c, err, sizeof err), -1);
	assert_int_equal(conf_read("", &c, err, sizeof err), -1);
	assert_int_equal(conf_read("/dev/null", &c, err, sizeof err), 0);
	assert_int_equal(c.n, 0);
	conf_clear(&c);
}

static void test_bad_lines(void **state)
{
	assert_bad("hub = x\njust words\n", 2, "expected key = value");
	assert_bad("\n\n\nhub\n", 4, "expected key = value");
	assert_bad("= value\n", 1, "a key is needed");
	assert_bad("   =\n", 1, "a key is needed");
	assert_bad("Hub = x\n", 1, "a key is lowercase letters");
	assert_bad("site timeout = 3\n", 1, "a key is lowercase letters");
	assert_bad("caf\xc3\xa9 = 3\n", 1, "a key is lowercase letters");
	assert_bad("a.b = 3\n", 1, "a key is lowercase letters");
	assert_bad("a = \"open\n", 1, "a: no closing '\"'");
	assert_bad("a = \"open\\\"\n", 1, "no closing");
	assert_bad("a = \"x\" y\n", 1, "a: text after the closing '\"'");
	/* The bad key itself is never echoed. */
	{
		char err[256];
		struct conf c;

		assert_int_equal(read_text("EVIL = 1\n", &c, err, sizeof err), -1);
		assert_null(strstr(err, "EVIL"));
	}
}

static void test_values(void **state)
{
	static const char text[] = "# ecii settings\n"
	                           "hub = https://hub.example.org  \n"
	                           "  site-timeout=2.5\r\n"
	                           "\tgraphics\t=\tsixel\t\n"
	                           "empty =\n"
	                           "spaced = \"  two  \"\n"
	                           "hash = \"a # b\" # a comment\n"
	                           "comment = value # a comment\n"
	                           "fragment = http://h/#top\n"
	                           "escapes = \"say \\\"hi\\\" \\\\ \\n\"\n"
	                           "inner = a\"b\n"
	                           "eq = a=b\n"
	                           "under_score-1 = ok\n"
	                           "hub = http://second:8080";
	char err[256];
	struct conf c;

	assert_int_equal(read_text(text, &c, err, sizeof err), 0);
	assert_string_equal(conf_get(&c, "hub"), "http://second:8080");
	assert_string_equal(conf_get(&c, "site-timeout"), "2.5");
	assert_string_equal(conf_get(&c, "graphics"), "sixel");
	assert_string_equal(conf_get(&c, "empty"), "");
	assert_string_equal(conf_get(&c, "spaced"), "  two  ");
	assert_string_equal(conf_get(&c, "hash"), "a # b");
	assert_string_equal(conf_get(&c, "comment"), "value");
	assert_string_equal(conf_get(&c, "fragment"), "http://h/#top");
	assert_string_equal(conf_get(&c, "escapes"), "say \"hi\" \\ \\n");
	assert_string_equal(conf_get(&c, "inner"), "a\"b");
	assert_string_equal(conf_get(&c, "eq"), "a=b");
	assert_string_equal(conf_get(&c, "under_score-1"), "ok");
	assert_null(conf_get(&c, "colour"));
	assert_null(conf_get(&c, NULL));
	/* Both hub lines are kept in order, with their lines. */
	assert_int_equal(c.n, 13);
	assert_string_equal(c.entries[0].key, "hub");
	assert_int_equal(c.entries[0].line, 2);
	assert_string_equal(c.entries[0].value, "https://hub.example.org");
	assert_int_equal(c.entries[1].line, 3);
	assert_string_equal(c.entries[12].key, "hub");
	assert_int_equal(c.entries[12].line, 14);
	conf_clear(&c);
}

static void test_check(void **state)
{
	static const char *const known[] = { "hub", "site-timeout", "graphics", "colour", NULL };
	static const char *const none[] = { NULL };
	char err[256];
	struct conf c;

	assert_int_equal(read_text("hub = a\n\ncolour = no\n", &c, err, sizeof err), 0);
	assert_int_equal(conf_check(&c, known, err, sizeof err), 0);
	conf_clear(&c);

	assert_int_equal(read_text("hub = a\n# x\ncolor = no\nzzz = 1\n", &c, err, sizeof err), 0);
	assert_int_equal(conf_check(&c, known, err, sizeof err), -1);
	assert_non_null(strstr(err, c.path));
	assert_non_null(
	    strstr(err, ":3: unknown key 'color' (known: hub, site-timeout, graphics, colour)"));
	assert_int_equal(conf_check(&c, none, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: unknown key 'hub' (known: none)"));
	/* A short buffer truncates, never overflows. */
	assert_int_equal(conf_check(&c, known, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	conf_clear(&c);
}

static int setup(void **state)
{
	scratch = test_tmpdir("conf");
	return 0;
}

static int teardown(void **state)
{
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),  cmocka_unit_test(test_empty_and_comments),
		cmocka_unit_test(test_not_text), cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_values),   cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
