/* The cohort model: field edits as the builder makes them, the text line,
 * undo and redo, OR groups. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cohort.h"
#include "support.h"

static const struct vocab_field *field(void **state, const char *alias)
{
	const struct vocab_field *f = vocab_field_find(*state, alias);

	assert_non_null(f);
	return f;
}

static size_t value(const struct vocab_field *f, const char *alias)
{
	int k = vocab_value_find(f, alias);

	assert_true(k >= 0);
	return (size_t)k;
}

static void test_degenerate(void **state)
{
	struct cohort *c = cohort_new(*state);
	const struct vocab_field *age = field(state, "age"), *sex = field(state, "sex");
	struct query_error err;

	assert_string_equal(c->text, "*");
	assert_int_equal(c->query->n_groups, 0);
	assert_false(cohort_undo(c));
	assert_false(cohort_redo(c));
	assert_int_equal(cohort_toggle_value(c, 0, age, 0), -1); /* numeric */
	assert_int_equal(cohort_toggle_value(c, 0, sex, 99), -1);
	assert_int_equal(cohort_toggle_value(c, 5, sex, 0), -1); /* no such group */
	assert_int_equal(cohort_negate(c, 0, sex), -1);          /* nothing to negate */
	assert_int_equal(cohort_clear_field(c, 0, sex), -1);
	assert_int_equal(cohort_remove_group(c, 0), -1);
	assert_int_equal(cohort_set_field_text(c, 3, sex, "male", &err), -1);
	assert_string_equal(c->text, "*");
	cohort_free(&c);
	assert_null(c);
	cohort_free(&c);
}

static void test_toggle_and_negate(void **state)
{
	struct cohort *c = cohort_new(*state);
	const struct vocab_field *sex = field(state, "sex");
	struct cohort_field_view view;
	unsigned long v0 = c->version;
	char *text;

	assert_int_equal(cohort_toggle_value(c, 0, sex, value(sex, "male")), 0);
	assert_string_equal(c->text, "sex:male");
	assert_true(c->version > v0);
	assert_int_equal(cohort_toggle_value(c, 0, sex, value(sex, "female")), 0);
	assert_string_equal(c->text, "sex:male,female");
	cohort_field_view(c, 0, sex, &view);
	assert_true(view.present);
	assert_false(view.negated);
	assert_true(view.selected[value(sex, "male")] && view.selected[value(sex, "female")]);
	assert_int_equal(cohort_negate(c, 0, sex), 0);
	assert_string_equal(c->text, "-sex:male,female");
	text = cohort_field_text(c, 0, sex);
	assert_string_equal(text, "-male,female");
	free(text);
	/* Toggling a value of a negated field keeps it negated. */
	assert_int_equal(cohort_toggle_value(c, 0, sex, value(sex, "male")), 0);
	assert_string_equal(c->text, "-sex:female");
	assert_int_equal(cohort_negate(c, 0, sex), 0);
	assert_string_equal(c->text, "sex:female");
	assert_int_equal(cohort_toggle_value(c, 0, sex, value(sex, "female")), 0);
	assert_string_equal(c->text, "*");
	cohort_free(&c);
}

static void test_field_text(void **state)
{
	struct cohort *c = cohort_new(*state);
	const struct vocab_field *age = field(state, "age"), *mod = field(state, "modality");
	struct query_error err;
	char *text;

	assert_int_equal(cohort_set_field_text(c, 0, age, "50..70", &err), 0);
	assert_int_equal(cohort_set_field_text(c, 0, mod, "MR, CT", &err), -1); /* a space */
	assert_int_equal(cohort_set_field_text(c, 0, mod, "MR,CT", &err), 0);
	assert_string_equal(c->text, "age:50..70 modality:mr,ct");
	text = cohort_field_text(c, 0, age);
	assert_string_equal(text, "50..70");
	free(text);
	/* A bad range: the error points into the caller's text; no change. */
	assert_int_equal(cohort_set_field_text(c, 0, age, "70..50", &err), -1);
	assert_int_equal(err.column, 1);
	assert_non_null(strstr(err.message, "inverted"));
	assert_int_equal(cohort_set_field_text(c, 0, age, "50..7O", &err), -1);
	assert_int_equal(err.column, 1);
	assert_string_equal(c->text, "age:50..70 modality:mr,ct");
	assert_int_equal(cohort_set_field_text(c, 0, age, " >=65", &err), 0);
	assert_string_equal(c->text, "age:>=65 modality:mr,ct");
	assert_int_equal(cohort_set_field_text(c, 0, age, "-50..70", &err), 0);
	assert_string_equal(c->text, "age:<50,>70 modality:mr,ct");
	assert_int_equal(cohort_set_field_text(c, 0, age, "", &err), 0);
	assert_string_equal(c->text, "modality:mr,ct");
	assert_int_equal(cohort_clear_field(c, 0, mod), 0);
	assert_string_equal(c->text, "*");
	text = cohort_field_text(c, 0, mod);
	assert_string_equal(text, "");
	free(text);
	cohort_free(&c);
}

static void test_undo_redo(void **state)
{
	struct cohort *c = cohort_new(*state);
	struct query_error err;

	assert_int_equal(cohort_set_text(c, "sex:male", &err), 0);
	assert_int_equal(cohort_set_text(c, "sex:male modality:MR", &err), 0);
	assert_int_equal(cohort_set_text(c, "sex:mael", &err), -1);
	assert_int_equal(err.column, 5);
	assert_string_equal(c->text, "sex:male modality:mr");
	/* The same cohort spelled another way is no change. */
	assert_int_equal(cohort_set_text(c, "modality:mr SEX:male", &err), 0);
	assert_int_equal(c->n_undo, 2);
	assert_true(cohort_undo(c));
	assert_string_equal(c->text, "sex:male");
	assert_true(cohort_undo(c));
	assert_string_equal(c->text, "*");
	assert_false(cohort_undo(c));
	assert_true(cohort_redo(c));
	assert_string_equal(c->text, "sex:male");
	/* A new change drops what could be redone. */
	cohort_clear(c);
	assert_false(cohort_redo(c));
	assert_true(cohort_undo(c));
	assert_string_equal(c->text, "sex:male");
	/* History is bounded. */
	for (int i = 0; i < COHORT_MAX_UNDO + 20; i++) {
		char text[32];

		snprintf(text, sizeof text, "age:%d", i % 100);
		cohort_set_text(c, text, &err);
	}
	assert_true(c->n_undo <= COHORT_MAX_UNDO);
	cohort_free(&c);
}

static void test_groups(void **state)
{
	struct cohort *c = cohort_new(*state);
	const struct vocab_field *dx = field(state, "diagnosis"), *age = field(state, "age");
	const struct vocab_field *mod = field(state, "modality");
	struct query_error err;

	assert_int_equal(cohort_toggle_value(c, 0, dx, value(dx, "breast")), 0);
	assert_int_equal(cohort_toggle_value(c, 0, mod, value(mod, "mr")), 0);
	/* Index one past the last group starts a new OR group. */
	assert_int_equal(cohort_toggle_value(c, 1, dx, value(dx, "breast")), 0);
	assert_int_equal(cohort_set_field_text(c, c->focus, age, "<40", &err), 0);
	assert_string_equal(c->text,
	                    "(age:<40 diagnosis:breast) OR (diagnosis:breast modality:mr)");
	/* The group edited last is followed through canonical order. */
	assert_int_equal(c->focus, 0);
	assert_int_equal(cohort_toggle_value(c, 1, mod, value(mod, "ct")), 0);
	assert_string_equal(c->text,
	                    "(age:<40 diagnosis:breast) OR (diagnosis:breast modality:mr,ct)");
	assert_int_equal(c->focus, 1);
	assert_int_equal(cohort_remove_group(c, 0), 0);
	assert_string_equal(c->text, "diagnosis:breast modality:mr,ct");
	/* Emptying the only group means everything. */
	assert_int_equal(cohort_clear_field(c, 0, dx), 0);
	assert_int_equal(cohort_clear_field(c, 0, mod), 0);
	assert_string_equal(c->text, "*");
	cohort_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate), cmocka_unit_test(test_toggle_and_negate),
		cmocka_unit_test(test_field_text), cmocka_unit_test(test_undo_redo),
		cmocka_unit_test(test_groups),
	};

	return cmocka_run_group_tests(tests, test_vocab_setup, test_vocab_teardown);
}
