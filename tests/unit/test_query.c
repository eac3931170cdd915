/* Unit tests of the query model (core/query.c) and its canonical form and
 * hash (core/query_canon.c): building, copying, equality, checking against
 * the vocabulary, canonicalisation and the cohort hash. */
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
#include "util/xmalloc.h"

#include "support.h"

#define SEX       "SNOMEDCT263495000"
#define MALE      "SNOMEDCT248153007"
#define FEMALE    "SNOMEDCT248152002"
#define AGE       "SNOMEDCT423493009"
#define DIAGNOSIS "SNOMEDCT439401001"
#define PROSTATE  "SNOMEDCT399068003"
#define BREAST    "SNOMEDCT254837009"
#define MODALITY  "RID10311"
#define MR        "RID10312"
#define CT        "RID10321"
#define PSA       "EUCAIM_Hyper-Ontology_V1.0.CLIN1033410"

static void add_equals(struct query_criterion *c, enum query_op op, const char *code)
{
	query_add_leaf(c, op)->str = xstrdup(code);
}

static void add_range(struct query_criterion *c, double min, double max)
{
	struct query_leaf *l = query_add_leaf(c, QUERY_BETWEEN);

	l->min = min;
	l->max = max;
}

static struct query *parse(const struct vocab *v, const char *text)
{
	struct query_error err = { 0 };
	struct query *q = query_parse_text(v, text, &err);

	if (q == NULL)
		fail_msg("parse '%s': %d:%d: %s", text, err.line, err.column, err.message);
	return q;
}

static char *canonical_json(const struct vocab *v, const struct query *q)
{
	struct query *c = query_copy(q);
	char *json;

	query_canonicalize(v, c);
	json = query_to_json_text(c, false);
	query_free(&c);
	return json;
}

/* Degenerate input first. */

static void test_free_null(void **state)
{
	struct query *q = NULL;

	(void)state;
	query_free(&q);
	assert_null(q);
	q = query_new();
	assert_non_null(q);
	assert_int_equal(q->n_groups, 0);
	query_free(&q);
	assert_null(q);
}

static void test_copy_and_equal_null(void **state)
{
	struct query *empty = query_new(), *copy = query_copy(NULL);

	(void)state;
	assert_non_null(copy);
	assert_int_equal(copy->n_groups, 0);
	assert_true(query_equal(NULL, NULL));
	assert_false(query_equal(NULL, empty));
	assert_false(query_equal(empty, NULL));
	assert_true(query_equal(empty, copy));
	query_free(&empty);
	query_free(&copy);
}

static void test_op_names(void **state)
{
	static const char *const names[] = { "EQUALS",     "NOT_EQUALS",   "IN",      "BETWEEN",
		                             "LOWER_THAN", "GREATER_THAN", "CONTAINS" };
	enum query_op op = QUERY_EQUALS;

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_string_equal(query_op_name((enum query_op)i), names[i]);
		assert_int_equal(query_op_from_name(names[i], &op), 0);
		assert_int_equal(op, (enum query_op)i);
	}
	assert_int_equal(query_op_from_name("equals", &op), -1);
	assert_int_equal(query_op_from_name("", &op), -1);
	assert_int_equal(query_op_from_name(NULL, &op), -1);
	assert_int_equal(query_op_from_name("EQUALS ", &op), -1);
	assert_string_equal(query_op_name((enum query_op)99), "UNKNOWN");
}

static void test_empty_query_canonical_and_hash(void **state)
{
	const struct vocab *v = *state;
	struct query *q = query_new();
	char hash[65], *json;

	query_canonicalize(v, q);
	assert_int_equal(q->n_groups, 0);
	json = query_to_json_text(q, false);
	assert_string_equal(json, "{\"operand\":\"OR\",\"children\":[]}");
	free(json);
	/* printf '%s' '{"operand":"OR","children":[]}' | sha256sum */
	query_hash(v, q, hash);
	assert_string_equal(hash,
	                    "41ddbdaeac767dd4015a091ecd1f18b001877d023efb08784ab924fe1ffca3d0");
	assert_true(query_shape_is_strict(q));
	assert_int_equal(query_resolve(v, q, false, NULL), 0);
	query_free(&q);
}

static void test_empty_group_means_everything(void **state)
{
	const struct vocab *v = *state;
	struct query *q = query_new();

	add_equals(query_add_criterion(query_add_group(q), SEX), QUERY_EQUALS, MALE);
	query_add_group(q);
	query_canonicalize(v, q);
	assert_int_equal(q->n_groups, 0);
	query_free(&q);
}

static void test_add_defaults(void **state)
{
	struct query *q = query_new();
	struct query_criterion *c = query_add_criterion(query_add_group(q), NULL);
	struct query_leaf *l;

	(void)state;
	assert_string_equal(c->key, "");
	l = query_add_leaf(c, QUERY_BETWEEN);
	assert_int_equal(l->vtype, QUERY_VALUE_RANGE);
	assert_true(isnan(l->min) && isnan(l->max));
	assert_int_equal(query_add_leaf(c, QUERY_IN)->vtype, QUERY_VALUE_STRINGS);
	assert_int_equal(query_add_leaf(c, QUERY_LOWER_THAN)->vtype, QUERY_VALUE_NUMBER);
	assert_int_equal(query_add_leaf(c, QUERY_CONTAINS)->vtype, QUERY_VALUE_STRING);
	assert_int_equal(c->n_leaves, 4);
	query_free(&q);
}

/* The largest query the readers accept, in reverse order with every group
 * twice: canonicalising sorts and halves it. */
static void test_huge_query(void **state)
{
	const struct vocab *v = *state;
	struct query *q = query_new();
	char hash[65], again[65];

	for (int copy = 0; copy < 2; copy++) {
		for (int i = QUERY_MAX_GROUPS / 2 - 1; i >= 0; i--) {
			struct query_group *g = query_add_group(q);

			for (int k = QUERY_MAX_CRITERIA - 1; k >= 0; k--)
				add_range(query_add_criterion(g, AGE), k % 121, 120);
			add_equals(query_add_criterion(g, SEX), QUERY_EQUALS,
			           i % 2 == 0 ? MALE : FEMALE);
			add_range(query_add_criterion(g, PSA), i, i);
		}
	}
	query_hash(v, q, hash);
	query_canonicalize(v, q);
	assert_int_equal(q->n_groups, QUERY_MAX_GROUPS / 2);
	for (size_t i = 0; i < q->n_groups; i++) {
		const struct query_group *g = &q->groups[i];

		/* 121 distinct ages, then psa: sex sorts first. */
		assert_int_equal(g->n_criteria, 1 + 121 + 1);
		assert_string_equal(g->criteria[0].key, SEX);
		assert_true(g->criteria[1].leaves[0].min == 0);
		assert_true(g->criteria[121].leaves[0].min == 120);
		assert_string_equal(g->criteria[122].key, PSA);
	}
	query_hash(v, q, again);
	assert_string_equal(hash, again);
	query_free(&q);
}

/* Real cases. */

static struct query *build_all_types(void)
{
	struct query *q = query_new();
	struct query_group *g = query_add_group(q);
	struct query_criterion *c = query_add_criterion(g, SEX);
	struct query_leaf *l;

	add_equals(c, QUERY_EQUALS, MALE);
	add_equals(c, QUERY_NOT_EQUALS, FEMALE);
	c = query_add_criterion(g, AGE);
	add_range(c, 50, NAN);
	l = query_add_leaf(c, QUERY_LOWER_THAN);
	l->num = 30;
	l = query_add_leaf(c, QUERY_EQUALS);
	l->vtype = QUERY_VALUE_BOOL;
	l->boolean = true;
	c = query_add_criterion(query_add_group(q), MODALITY);
	l = query_add_leaf(c, QUERY_IN);
	l->strs = xcalloc(2, sizeof *l->strs);
	l->strs[0] = xstrdup(CT);
	l->strs[1] = xstrdup(MR);
	l->n_strs = 2;
	add_equals(c, QUERY_CONTAINS, "R");
	return q;
}

static void test_copy_is_deep_and_equal(void **state)
{
	struct query *q = build_all_types(), *copy = query_copy(q);

	(void)state;
	assert_true(query_equal(q, copy));
	assert_ptr_not_equal(q->groups[1].criteria[0].leaves[0].strs[0],
	                     copy->groups[1].criteria[0].leaves[0].strs[0]);
	/* Each kind of difference is seen. */
	copy->groups[1].criteria[0].leaves[0].strs[1][0] = 'X';
	assert_false(query_equal(q, copy));
	query_free(&copy);
	copy = query_copy(q);
	copy->groups[0].criteria[1].leaves[0].max = 70;
	assert_false(query_equal(q, copy));
	query_free(&copy);
	copy = query_copy(q);
	copy->groups[0].criteria[1].leaves[2].boolean = false;
	assert_false(query_equal(q, copy));
	query_free(&copy);
	copy = query_copy(q);
	copy->groups[0].criteria[0].leaves[1].op = QUERY_EQUALS;
	assert_false(query_equal(q, copy));
	query_free(&copy);
	copy = query_copy(q);
	query_add_group(copy);
	assert_false(query_equal(q, copy));
	query_free(&copy);
	query_free(&q);
}

static void test_equal_is_order_sensitive(void **state)
{
	struct query *a = query_new(), *b = query_new();
	struct query_criterion *ca = query_add_criterion(query_add_group(a), MODALITY);
	struct query_criterion *cb = query_add_criterion(query_add_group(b), MODALITY);

	(void)state;
	add_equals(ca, QUERY_EQUALS, MR);
	add_equals(ca, QUERY_EQUALS, CT);
	add_equals(cb, QUERY_EQUALS, CT);
	add_equals(cb, QUERY_EQUALS, MR);
	assert_false(query_equal(a, b));
	query_free(&a);
	query_free(&b);
}

static void expect_resolve_error(const struct vocab *v, struct query *q, const char *message)
{
	struct query_error err = { 0 };

	assert_int_equal(query_resolve(v, q, false, &err), -1);
	assert_string_equal(err.message, message);
	query_free(&q);
}

static struct query *one_criterion(const char *key, struct query_criterion **c)
{
	struct query *q = query_new();

	*c = query_add_criterion(query_add_group(q), key);
	return q;
}

static void test_resolve(void **state)
{
	const struct vocab *v = *state;
	struct query_criterion *c;
	struct query_error err = { 0 };
	struct query *q = parse(v, "sex:male age:50..70 modality:mr,ct -manufacturer:ge psa:>4");
	struct query_leaf *l;

	assert_int_equal(query_resolve(v, q, false, &err), 0);
	query_free(&q);

	q = one_criterion("NOPE", &c);
	add_equals(c, QUERY_EQUALS, "x");
	assert_int_equal(query_resolve(v, q, true, &err), 0);
	expect_resolve_error(v, q, "unknown criterion key 'NOPE'");

	q = one_criterion(SEX, &c);
	add_equals(c, QUERY_EQUALS, "SNOMEDCT0");
	expect_resolve_error(v, q, "unknown value 'SNOMEDCT0' for criterion '" SEX "' (sex)");

	q = one_criterion(SEX, &c);
	l = query_add_leaf(c, QUERY_IN);
	l->strs = xcalloc(2, sizeof *l->strs);
	l->strs[0] = xstrdup(MALE);
	l->strs[1] = xstrdup("bogus");
	l->n_strs = 2;
	expect_resolve_error(v, q, "unknown value 'bogus' for criterion '" SEX "' (sex)");

	q = one_criterion(SEX, &c);
	add_range(c, 1, 2);
	expect_resolve_error(v, q,
	                     "criterion '" SEX "' (sex) is categorical: BETWEEN is not allowed");

	q = one_criterion(AGE, &c);
	add_equals(c, QUERY_NOT_EQUALS, "50");
	expect_resolve_error(v, q,
	                     "criterion '" AGE "' (age) is numeric: NOT_EQUALS is not allowed");

	q = one_criterion(AGE, &c);
	add_range(c, 70, 50);
	expect_resolve_error(v, q, "criterion '" AGE "' (age): inverted range 70..50");

	q = one_criterion(AGE, &c);
	add_equals(c, QUERY_EQUALS, "fifty");
	expect_resolve_error(v, q, "criterion '" AGE "' (age): EQUALS needs a number");

	q = one_criterion(AGE, &c);
	l = query_add_leaf(c, QUERY_EQUALS);
	l->vtype = QUERY_VALUE_NUMBER;
	l->num = 50;
	add_range(c, NAN, 40);
	assert_int_equal(query_resolve(v, q, false, &err), 0);
	query_free(&q);
}

static void test_shape_is_strict(void **state)
{
	const struct vocab *v = *state;
	struct query *q = parse(v, "sex:male age:50..70 -modality:mr,ct");
	struct query_criterion *c;
	struct query_leaf *l;

	assert_true(query_shape_is_strict(q));
	query_free(&q);
	q = parse(v, "modality:mr,ct");
	assert_false(query_shape_is_strict(q));
	query_free(&q);
	q = parse(v, "-age:50..70");
	assert_false(query_shape_is_strict(q));
	query_free(&q);
	q = parse(v, "sex:male OR sex:female");
	assert_false(query_shape_is_strict(q));
	query_free(&q);
	q = one_criterion(MODALITY, &c);
	l = query_add_leaf(c, QUERY_IN);
	l->strs = xcalloc(2, sizeof *l->strs);
	l->strs[0] = xstrdup(MR);
	l->strs[1] = xstrdup(CT);
	l->n_strs = 2;
	assert_false(query_shape_is_strict(q));
	query_free(&q);
}

static void test_canonical_order(void **state)
{
	const struct vocab *v = *state;
	struct query *q = query_new();
	struct query_group *g = query_add_group(q);
	struct query_criterion *c;
	char *json;

	/* Unknown key first, then fields against vocabulary order, values
	 * against value order, with duplicates. */
	add_equals(query_add_criterion(g, "ZZZ.unknown"), QUERY_EQUALS, "b");
	add_equals(query_add_criterion(g, "AAA.unknown"), QUERY_EQUALS, "a");
	c = query_add_criterion(g, MODALITY);
	add_equals(c, QUERY_EQUALS, CT);
	add_equals(c, QUERY_EQUALS, "ZZ.unknown.code");
	add_equals(c, QUERY_EQUALS, MR);
	add_equals(c, QUERY_EQUALS, CT);
	c = query_add_criterion(g, SEX);
	add_equals(c, QUERY_NOT_EQUALS, FEMALE);
	c = query_add_criterion(g, SEX);
	add_equals(c, QUERY_EQUALS, FEMALE);
	c = query_add_criterion(g, SEX);
	add_equals(c, QUERY_NOT_EQUALS, MALE);
	c = query_add_criterion(g, SEX);
	add_equals(c, QUERY_NOT_EQUALS, FEMALE);
	query_canonicalize(v, q);
	json = query_to_json_text(q, false);
	assert_string_equal(
	    json, "{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["
	          "{\"operand\":\"OR\",\"children\":[{\"key\":\"" SEX
	          "\",\"type\":\"EQUALS\",\"value\":\"" FEMALE "\"}]},"
	          "{\"operand\":\"OR\",\"children\":[{\"key\":\"" SEX
	          "\",\"type\":\"NOT_EQUALS\",\"value\":\"" MALE "\"}]},"
	          "{\"operand\":\"OR\",\"children\":[{\"key\":\"" SEX
	          "\",\"type\":\"NOT_EQUALS\",\"value\":\"" FEMALE "\"}]},"
	          "{\"operand\":\"OR\",\"children\":[{\"key\":\"" MODALITY
	          "\",\"type\":\"EQUALS\",\"value\":\"" MR "\"},{\"key\":\"" MODALITY
	          "\",\"type\":\"EQUALS\",\"value\":\"" CT "\"},{\"key\":\"" MODALITY
	          "\",\"type\":\"EQUALS\",\"value\":\"ZZ.unknown.code\"}]},"
	          "{\"operand\":\"OR\",\"children\":[{\"key\":\"AAA.unknown\",\"type\":\"EQUALS\","
	          "\"value\":\"a\"}]},"
	          "{\"operand\":\"OR\",\"children\":[{\"key\":\"ZZZ.unknown\",\"type\":\"EQUALS\","
	          "\"value\":\"b\"}]}]}]}");
	free(json);
	query_free(&q);
}

static void test_canonical_in_and_ranges(void **state)
{
	const struct vocab *v = *state;
	struct query *q = query_new();
	struct query_group *g = query_add_group(q);
	struct query_criterion *c = query_add_criterion(g, AGE);
	struct query_leaf *l;
	char *json;

	add_range(c, 50, NAN);
	add_range(c, NAN, 40);
	l = query_add_leaf(c, QUERY_GREATER_THAN);
	l->num = 90;
	l = query_add_leaf(c, QUERY_EQUALS);
	l->vtype = QUERY_VALUE_NUMBER;
	l->num = 45;
	c = query_add_criterion(g, MODALITY);
	l = query_add_leaf(c, QUERY_IN);
	l->strs = xcalloc(3, sizeof *l->strs);
	l->strs[0] = xstrdup(CT);
	l->strs[1] = xstrdup(MR);
	l->strs[2] = xstrdup(CT);
	l->n_strs = 3;
	query_canonicalize(v, q);
	json = query_to_json_text(q, false);
	assert_string_equal(
	    json, "{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["
	          "{\"operand\":\"OR\",\"children\":["
	          "{\"key\":\"" AGE "\",\"type\":\"BETWEEN\",\"value\":{\"min\":0,\"max\":40}},"
	          "{\"key\":\"" AGE "\",\"type\":\"BETWEEN\",\"value\":{\"min\":45,\"max\":45}},"
	          "{\"key\":\"" AGE "\",\"type\":\"BETWEEN\",\"value\":{\"min\":50,\"max\":120}},"
	          "{\"key\":\"" AGE "\",\"type\":\"GREATER_THAN\",\"value\":90}]},"
	          "{\"operand\":\"OR\",\"children\":["
	          "{\"key\":\"" MODALITY "\",\"type\":\"EQUALS\",\"value\":\"" MR "\"},"
	          "{\"key\":\"" MODALITY "\",\"type\":\"EQUALS\",\"value\":\"" CT "\"}]}]}]}");
	free(json);
	query_free(&q);
}

static void test_canonical_groups_sorted_and_unique(void **state)
{
	const struct vocab *v = *state;
	struct query *q =
	    parse(v, "(modality:mr diagnosis:breast) OR (diagnosis:breast age:<40) OR "
	             "(diagnosis:breast modality:MR,mr)");
	struct query *expected = parse(v, "(age:<40 diagnosis:breast) OR "
	                                  "(diagnosis:breast modality:mr)");

	query_canonicalize(v, q);
	assert_int_equal(q->n_groups, 2);
	assert_true(query_equal(q, expected));
	query_free(&q);
	query_free(&expected);
}

static void test_canonicalize_is_idempotent(void **state)
{
	const struct vocab *v = *state;
	struct query *q = parse(v, "(psa:4,>10,0.5 -sex:other,female modality:ct,mr) OR "
	                           "(year:2001..2010 -age:30..40,50) OR (her2:3+,1+ -ki67:>20)");
	struct query *again;

	query_canonicalize(v, q);
	again = query_copy(q);
	query_canonicalize(v, again);
	assert_true(query_equal(q, again));
	query_free(&q);
	query_free(&again);
}

static void test_hash_known_value(void **state)
{
	const struct vocab *v = *state;
	/* printf '%s' '<this JSON>' | sha256sum
	 * gives b4d876619f2bfa88951a173bc39b7c9016028e7d49f8927b8ad9afa8546ac928 */
	static const char canonical[] =
	    "{\"operand\":\"OR\",\"children\":[{\"operand\":\"AND\",\"children\":["
	    "{\"operand\":\"OR\",\"children\":[{\"key\":\"SNOMEDCT263495000\",\"type\":"
	    "\"EQUALS\",\"value\":\"SNOMEDCT248153007\"}]},"
	    "{\"operand\":\"OR\",\"children\":[{\"key\":\"SNOMEDCT423493009\",\"type\":"
	    "\"BETWEEN\",\"value\":{\"min\":50,\"max\":70}}]},"
	    "{\"operand\":\"OR\",\"children\":[{\"key\":\"SNOMEDCT439401001\",\"type\":"
	    "\"EQUALS\",\"value\":\"SNOMEDCT399068003\"}]},"
	    "{\"operand\":\"OR\",\"children\":[{\"key\":\"RID10311\",\"type\":\"EQUALS\","
	    "\"value\":\"RID10312\"},{\"key\":\"RID10311\",\"type\":\"EQUALS\","
	    "\"value\":\"RID10321\"}]}]}]}";
	struct query *q = parse(v, "modality:CT,MR diagnosis:prostate age:50..70 sex:male");
	char hash[65], *json = canonical_json(v, q);

	assert_string_equal(json, canonical);
	query_hash(v, q, hash);
	assert_string_equal(hash,
	                    "b4d876619f2bfa88951a173bc39b7c9016028e7d49f8927b8ad9afa8546ac928");
	free(json);
	query_free(&q);
}

static void test_hash_same_cohort_different_spellings(void **state)
{
	const struct vocab *v = *state;
	static const char *const spellings[] = {
		"sex:male diagnosis:prostate modality:mr,ct age:50..70",
		"Sex:Male Diagnosis:\"prostate cancer\" Modality:MR,CT \"Age at diagnosis\":50..70",
		SEX ":" MALE " " DIAGNOSIS ":" PROSTATE " " MODALITY ":" CT "," MR " " AGE
		    ":50..70",
		"age:50..70 modality:ct,mr,ct sex:male diagnosis:prostate sex:male",
		"(age:50..70 modality:CT,MR sex:male diagnosis:prostate) OR "
		"(modality:mr,ct diagnosis:prostate sex:male age:50..70)",
	};
	char first[65], hash[65];
	struct query *q;

	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
		q = parse(v, spellings[i]);
		query_hash(v, q, i == 0 ? first : hash);
		if (i > 0)
			assert_string_equal(hash, first);
		query_free(&q);
	}
	/* A different cohort hashes differently. */
	q = parse(v, "sex:male diagnosis:prostate modality:mr age:50..70");
	query_hash(v, q, hash);
	assert_string_not_equal(hash, first);
	query_free(&q);
	/* The hash does not change the query it is given. */
	q = parse(v, "modality:ct,mr sex:male");
	{
		struct query *before = query_copy(q);

		query_hash(v, q, hash);
		assert_true(query_equal(q, before));
		query_free(&before);
	}
	query_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_copy_and_equal_null),
		cmocka_unit_test(test_op_names),
		cmocka_unit_test(test_empty_query_canonical_and_hash),
		cmocka_unit_test(test_empty_group_means_everything),
		cmocka_unit_test(test_add_defaults),
		cmocka_unit_test(test_huge_query),
		cmocka_unit_test(test_copy_is_deep_and_equal),
		cmocka_unit_test(test_equal_is_order_sensitive),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_shape_is_strict),
		cmocka_unit_test(test_canonical_order),
		cmocka_unit_test(test_canonical_in_and_ranges),
		cmocka_unit_test(test_canonical_groups_sorted_and_unique),
		cmocka_unit_test(test_canonicalize_is_idempotent),
		cmocka_unit_test(test_hash_known_value),
		cmocka_unit_test(test_hash_same_cohort_different_spellings),
	};

	return cmocka_run_group_tests(tests, test_vocab_setup, test_vocab_teardown);
}
