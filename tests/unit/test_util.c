/* util/: buffers, the sanitiser, hashing, the random generator, files. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/file.h"
#include "util/hash.h"
#include "util/rng.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

static void test_buf_empty_and_growth(void **state)
{
	struct buf b = BUF_INIT;
	char *s;

	assert_string_equal(buf_str(&b), "");
	buf_append(&b, "", 0);
	assert_int_equal(b.len, 0);
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	buf_printf(&b, "%d", 42);
	assert_int_equal(b.len, 10002);
	assert_string_equal(b.data + 10000, "42");
	buf_reset(&b);
	assert_string_equal(buf_str(&b), "");
	buf_puts(&b, "x");
	s = buf_steal(&b);
	assert_string_equal(s, "x");
	assert_null(b.data);
	free(s);
	s = buf_steal(&b); /* empty gives "" */
	assert_string_equal(s, "");
	free(s);
	buf_free(&b);
}

static void check_sanitized(const char *in, size_t n, const char *want)
{
	struct buf b = BUF_INIT;

	sanitize_append(&b, in, n, 0);
	assert_string_equal(buf_str(&b), want);
	assert_null(strchr(buf_str(&b), '\x1b'));
	buf_free(&b);
}

static void test_sanitize(void **state)
{
	char *s = sanitize_text(NULL);

	assert_string_equal(s, "");
	free(s);
	check_sanitized("", 0, "");
	check_sanitized("plain Müller", 13, "plain Müller");
	check_sanitized("\x1b[31mred\x1b[0m", 12, "^[[31mred^[[0m");
	check_sanitized("\x1b]0;title\x07", 10, "^[]0;title^G");
	check_sanitized("bs\b del\x7f", 8, "bs^H del^?");
	check_sanitized("tab\tnl\n", 7, "tab nl ");
	check_sanitized("nul\0x", 5, "nul^@x");
	/* C1 controls (CSI as U+009B) and broken UTF-8 */
	check_sanitized("\xc2\x9b"
	                "31m",
	                5, "\\u009b31m");
	check_sanitized("\xff\xfe", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	check_sanitized("\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	check_sanitized("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_sanitized("\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd");
	{
		struct buf b = BUF_INIT;

		sanitize_append(&b, "a\tb\nc", 5, 1);
		assert_string_equal(buf_str(&b), "a\tb\nc");
		buf_free(&b);
	}
}

static void test_sha256(void **state)
{
	char hex[65];
	uint8_t mac[32];

	hash_sha256_hex("", 0, hex);
	assert_string_equal(hex,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* RFC 4231 test case 2 */
	hash_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
	assert_int_equal(mac[0], 0x5b);
	assert_int_equal(mac[1], 0xdc);
	assert_int_equal(mac[31], 0x43);
}

static void test_rng(void **state)
{
	struct rng a, b;
	double sum = 0, sq = 0;

	rng_seed(&a, 7);
	rng_seed(&b, 7);
	for (int i = 0; i < 100; i++)
		assert_true(rng_next(&a) == rng_next(&b));
	rng_seed(&b, 8);
	assert_false(rng_next(&a) == rng_next(&b));
	for (int i = 0; i < 100000; i++) {
		double u = rng_uniform(&a), x = rng_normal(&a, 5, 2);

		assert_true(u >= 0 && u < 1);
		assert_true(rng_below(&a, 3) < 3);
		sum += x;
		sq += (x - 5) * (x - 5);
	}
	assert_true(fabs(sum / 100000 - 5) < 0.05);
	assert_true(fabs(sqrt(sq / 100000) - 2) < 0.05);
}

static void test_file_read(void **state)
{
	char path[] = "/tmp/ecii-test-XXXXXX";
	int fd = mkstemp(path);
	size_t len = 99;
	char *data;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "a\0b", 3), 3);
	close(fd);
	data = file_read_all(path, &len);
	assert_non_null(data);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "a\0b", 4);
	free(data);
	unlink(path);
	assert_null(file_read_all(path, NULL));
	assert_null(file_read_all("/", NULL));
}

static void test_xasprintf(void **state)
{
	char *s = xasprintf("%s-%03d", "x", 7);

	assert_string_equal(s, "x-007");
	free(s);
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_empty_and_growth),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_file_read),
		cmocka_unit_test(test_xasprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
