/* Unit tests of util/base64.c: the RFC 4648 §10 vectors both ways, the
 * URL-safe encoder, and strict decoding with the offset of every kind of
 * bad input. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/base64.h"

static const struct {
	const char *plain, *std, *url;
} rfc_vectors[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void expect_bad(const char *text, size_t len, size_t offset)
{
	static unsigned char untouched[] = "untouched";
	unsigned char *out = untouched;
	size_t out_len = 99, off = 12345;

	if (base64_decode(text, len, &out, &out_len, &off) == 0) {
		free(out);
		fail_msg("\"%.*s\" decoded", (int)len, text);
	}
	assert_null(out);
	if (off != offset)
		fail_msg("\"%.*s\": bad at %zu, expected %zu", (int)len, text, off, offset);
	/* The offset is optional. */
	assert_int_equal(base64_decode(text, len, &out, &out_len, NULL), -1);
}

static void test_degenerate(void **state)
{
	unsigned char *out;
	size_t len = 99;
	char *text;

	assert_int_equal(base64_decode(NULL, 0, &out, &len, NULL), 0);
	assert_int_equal(len, 0);
	assert_int_equal(out[0], '\0');
	free(out);
	text = base64_encode(NULL, 0);
	assert_string_equal(text, "");
	free(text);
	text = base64url_encode(NULL, 0);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(base64_encoded_len(0), 0);
	assert_int_equal(base64_encoded_len(1), 4);
	assert_int_equal(base64_encoded_len(3), 4);
	assert_int_equal(base64_encoded_len(4), 8);
}

static void test_rfc_vectors(void **state)
{
	for (size_t i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
		const char *plain = rfc_vectors[i].plain;
		char *std = base64_encode(plain, strlen(plain));
		char *url = base64url_encode(plain, strlen(plain));
		unsigned char *back;
		size_t len;

		assert_string_equal(std, rfc_vectors[i].std);
		assert_string_equal(url, rfc_vectors[i].url);
		assert_int_equal(strlen(std), base64_encoded_len(strlen(plain)));
		assert_int_equal(base64_decode(std, strlen(std), &back, &len, NULL), 0);
		assert_int_equal(len, strlen(plain));
		assert_memory_equal(back, plain, len);
		assert_int_equal(back[len], '\0');
		free(back);
		free(url);
		free(std);
	}
}

static void test_alphabets(void **state)
{
	static const unsigned char high[] = { 0xfb, 0xff, 0xbf };
	char *std = base64_encode(high, 2), *url = base64url_encode(high, 2);

	assert_string_equal(std, "+/8=");
	assert_string_equal(url, "-_8");
	free(url);
	free(std);
	std = base64_encode(high, 3);
	url = base64url_encode(high, 3);
	assert_string_equal(std, "+/+/");
	assert_string_equal(url, "-_-_");
	free(url);
	free(std);
}

static void test_every_byte_round_trips(void **state)
{
	unsigned char bytes[256], *back;
	size_t len;

	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)(255 - i);
	for (size_t n = 0; n <= sizeof bytes; n += 37) {
		char *text = base64_encode(bytes, n);

		assert_int_equal(base64_decode(text, strlen(text), &back, &len, NULL), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, bytes, n);
		free(back);
		free(text);
	}
}

static void test_rejects_characters(void **state)
{
	expect_bad(" Zm9v", 5, 0);
	expect_bad("Zm9v\n", 5, 4);
	expect_bad("Zm9v\r\nYmFy", 10, 4);
	expect_bad("Zm 9v", 5, 2);
	expect_bad("Zm-v", 4, 2); /* base64url is not standard base64 */
	expect_bad("Zm_v", 4, 2);
	expect_bad("Zm\0v", 4, 2);
	expect_bad("Zm9\xff", 4, 3);
	expect_bad("Zm9vYmFy.", 9, 8);
}

static void test_rejects_padding(void **state)
{
	expect_bad("Zm9", 3, 3);   /* missing padding */
	expect_bad("Zg", 2, 2);    /* base64url text */
	expect_bad("Zm9vY", 5, 5); /* truncated quad */
	expect_bad("Zg=", 3, 3);   /* half the padding */
	expect_bad("Z===", 4, 1);  /* three pads */
	expect_bad("====", 4, 0);
	expect_bad("=", 1, 0);
	expect_bad("Zm9v=", 5, 4); /* padding after a full quad */
	expect_bad("Zm9v====", 8, 4);
	expect_bad("Zg==Zg==", 8, 2); /* padding in the middle */
	expect_bad("Zg=a", 4, 3);     /* data after padding */
	expect_bad("Zg==\n", 5, 2);
}

static void test_rejects_trailing_bits(void **state)
{
	expect_bad("Zh==", 4, 1); /* 'h' leaves a 1 in the discarded bits */
	expect_bad("Zm9=", 4, 2); /* '9' likewise with one pad */
	expect_bad("Zm9vYh==", 8, 5);
	expect_bad("Zm9vYmF=", 8, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_rfc_vectors),
		cmocka_unit_test(test_alphabets),
		cmocka_unit_test(test_every_byte_round_trips),
		cmocka_unit_test(test_rejects_characters),
		cmocka_unit_test(test_rejects_padding),
		cmocka_unit_test(test_rejects_trailing_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
