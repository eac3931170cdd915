/* Unit tests of util/uuid.c: random v4 ids have the version and variant
 * bits, differ, and pass the validator; the validator takes only the
 * canonical 36-character form. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/uuid.h"

static void test_validate_degenerate(void **state)
{
	assert_false(uuid_is_valid(NULL));
	assert_false(uuid_is_valid(""));
	assert_false(uuid_is_valid("-"));
	assert_false(uuid_is_valid("------------------------------------"));
}

static void test_validate(void **state)
{
	assert_true(uuid_is_valid("123e4567-e89b-12d3-a456-426614174000"));
	assert_true(uuid_is_valid("00000000-0000-0000-0000-000000000000"));
	assert_true(uuid_is_valid("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"));
	assert_true(uuid_is_valid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
	/* Wrong length, place of a dash, digit. */
	assert_false(uuid_is_valid("123e4567-e89b-12d3-a456-42661417400"));
	assert_false(uuid_is_valid("123e4567-e89b-12d3-a456-4266141740000"));
	assert_false(uuid_is_valid("123e4567e-89b-12d3-a456-426614174000"));
	assert_false(uuid_is_valid("123e4567-e89b-12d3-a456-42661417400g"));
	assert_false(uuid_is_valid("{23e4567-e89b-12d3-a456-426614174000"));
	assert_false(uuid_is_valid("123e4567-e89b-12d3-a456_426614174000"));
	assert_false(uuid_is_valid("123e4567e89b12d3a456426614174000"));
	assert_false(uuid_is_valid(" 123e4567-e89b-12d3-a456-42661417400"));
}

static void test_v4(void **state)
{
	char a[UUID_TEXT_LEN + 1], b[UUID_TEXT_LEN + 1];

	assert_int_equal(uuid_v4(a), 0);
	assert_int_equal(uuid_v4(b), 0);
	assert_int_equal(strlen(a), UUID_TEXT_LEN);
	assert_true(uuid_is_valid(a));
	assert_true(uuid_is_valid(b));
	assert_string_not_equal(a, b);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(uuid_v4(a), 0);
		assert_int_equal(a[14], '4');
		assert_non_null(strchr("89ab", a[19]));
		for (const char *p = a; *p != '\0'; p++)
			assert_true(*p == '-' || (*p >= '0' && *p <= '9') ||
			            (*p >= 'a' && *p <= 'f'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_degenerate),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_v4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
