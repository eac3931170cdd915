/* The privacy rule of PROTOCOL.md §8. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/privacy.h"

static const uint8_t secret_a[32] = { 1, 2, 3 };
static const uint8_t secret_b[32] = { 9, 8, 7 };
static const struct privacy_rule rule = PRIVACY_RULE_DEFAULT;

static void test_zero_stays_zero(void **state)
{
	bool suppressed = true;

	assert_int_equal(privacy_count(&rule, secret_a, "s", 0, &suppressed), 0);
	assert_false(suppressed);
	assert_int_equal(privacy_count(&rule, secret_a, "", 0, NULL), 0);
}

static void test_small_counts_report_threshold(void **state)
{
	for (uint64_t n = 1; n < 10; n++) {
		bool suppressed = false;

		assert_int_equal(privacy_count(&rule, secret_a, "s", n, &suppressed), 10);
		assert_true(suppressed);
	}
}

static void test_rounded_never_below_threshold(void **state)
{
	for (uint64_t n = 10; n < 3000; n++) {
		bool suppressed = true;
		uint64_t r = privacy_count(&rule, secret_a, "stratum", n, &suppressed);

		assert_false(suppressed);
		assert_int_equal(r % 10, 0);
		assert_true(r >= 10);
	}
}

static void test_deterministic_per_secret_and_stratum(void **state)
{
	int differs_secret = 0, differs_stratum = 0;

	for (uint64_t n = 100; n < 400; n++) {
		uint64_t a = privacy_count(&rule, secret_a, "x", n, NULL);

		assert_int_equal(a, privacy_count(&rule, secret_a, "x", n, NULL));
		differs_secret += a != privacy_count(&rule, secret_b, "x", n, NULL);
		differs_stratum += a != privacy_count(&rule, secret_a, "y", n, NULL);
	}
	assert_true(differs_secret > 30);
	assert_true(differs_stratum > 30);
}

static void test_noise_is_centred_and_small(void **state)
{
	double sum = 0, abs_sum = 0;
	int n_max_dev = 0;
	const int n = 20000;

	for (int i = 0; i < n; i++) {
		uint64_t t = 1000 + (uint64_t)i;
		double e = (double)privacy_count(&rule, secret_a, "centre", t, NULL) - (double)t;

		sum += e;
		abs_sum += fabs(e);
		n_max_dev += fabs(e) > 40;
	}
	/* Laplace(0, 1/0.28) plus rounding to 10: mean near 0, mean |e| ~ 4-6. */
	assert_true(fabs(sum / n) < 0.5);
	assert_true(abs_sum / n > 2 && abs_sum / n < 8);
	assert_true(n_max_dev < n / 1000);
}

static void test_no_noise_no_rounding(void **state)
{
	const struct privacy_rule plain = { 5, 1, 0 };

	assert_int_equal(privacy_count(&plain, secret_a, "s", 4, NULL), 5);
	assert_int_equal(privacy_count(&plain, secret_a, "s", 5, NULL), 5);
	assert_int_equal(privacy_count(&plain, secret_a, "s", 1234, NULL), 1234);
}

static void test_rule_json(void **state)
{
	json_t *j = privacy_rule_to_json(&rule);
	struct privacy_rule back;

	assert_string_equal(json_string_value(json_object_get(j, "noise")), "laplace");
	assert_int_equal(privacy_rule_from_json(j, &back), 0);
	assert_int_equal(back.threshold, 10);
	assert_int_equal(back.rounding, 10);
	assert_true(fabs(back.epsilon - 0.28) < 1e-12);
	json_decref(j);
	j = json_pack("{s:s}", "threshold", "ten");
	assert_int_equal(privacy_rule_from_json(j, &back), -1);
	json_decref(j);
	assert_int_equal(privacy_rule_from_json(NULL, &back), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_stays_zero),
		cmocka_unit_test(test_small_counts_report_threshold),
		cmocka_unit_test(test_rounded_never_below_threshold),
		cmocka_unit_test(test_deterministic_per_secret_and_stratum),
		cmocka_unit_test(test_noise_is_centred_and_small),
		cmocka_unit_test(test_no_noise_no_rounding),
		cmocka_unit_test(test_rule_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
