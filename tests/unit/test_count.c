/* The count engine on a six-subject site whose answers are worked out by
 * hand (see the table below), degenerate sites first. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/count.h"
#include "core/site_data.h"
#include "core/vocab.h"
#include "util/xmalloc.h"

#include "support.h"

static struct vocab *vocab;

/*  subject  coll  sex     age  diagnosis  psa   studies (modality bodypart manufacturer)
 *  s0       c0    male    60   prostate   12    MR prostate siemens; CT pelvis ge
 *  s1       c0    male    72   prostate   5     CT pelvis ge
 *  s2       c0    female  55   breast     -     MG breast ge; MR breast philips
 *  s3       c1    male    45   lung       -     CT lung toshiba; PET lung siemens
 *  s4       c1    -       -    lung       -     (none)
 *  s5       c1    female  66   breast     -     MR breast siemens                   */
struct study_row {
	const char *modality, *bodypart, *manufacturer;
};
struct subject_row {
	int collection;
	const char *sex;
	double age;
	const char *diagnosis;
	double psa;
	struct study_row studies[3];
};
static const struct subject_row rows[] = {
	{ 0,
	  "male",
	  60,
	  "prostate",
	  12,
	  { { "mr", "prostate", "siemens" }, { "ct", "pelvis", "ge" } } },
	{ 0, "male", 72, "prostate", 5, { { "ct", "pelvis", "ge" } } },
	{ 0,
	  "female",
	  55,
	  "breast",
	  NAN,
	  { { "mg", "breast", "ge" }, { "mr", "breast", "philips" } } },
	{ 1,
	  "male",
	  45,
	  "lung",
	  NAN,
	  { { "ct", "lung", "toshiba" }, { "pet", "lung", "siemens" } } },
	{ 1, NULL, NAN, "lung", NAN, { { NULL, NULL, NULL } } },
	{ 1, "female", 66, "breast", NAN, { { "mr", "breast", "siemens" } } },
};

static const struct vocab_field *field(const char *alias)
{
	const struct vocab_field *f = vocab_field_find(vocab, alias);

	assert_non_null(f);
	return f;
}

static uint8_t code(const char *alias, const char *value)
{
	int k;

	if (value == NULL)
		return 0;
	k = vocab_value_find(field(alias), value);
	assert_true(k >= 0);
	return (uint8_t)(k + 1);
}

static size_t n_studies_of(const struct subject_row *r)
{
	size_t n = 0;

	while (n < 3 && r->studies[n].modality != NULL)
		n++;
	return n;
}

static struct site_data *make_site(void)
{
	size_t n = sizeof rows / sizeof rows[0], n_studies = 0, j = 0;
	struct site_data *d;

	for (size_t i = 0; i < n; i++)
		n_studies += n_studies_of(&rows[i]);
	d = site_data_new(vocab, n, n_studies, 2);
	d->collection_ids[0] = xstrdup("c0");
	d->collection_ids[1] = xstrdup("c1");
	for (size_t i = 0; i < n; i++) {
		const struct subject_row *r = &rows[i];

		d->subject_collection[i] = (uint16_t)r->collection;
		d->cat[field("sex")->index][i] = code("sex", r->sex);
		d->cat[field("diagnosis")->index][i] = code("diagnosis", r->diagnosis);
		d->num[field("age")->index][i] = r->age;
		d->num[field("psa")->index][i] = r->psa;
		d->study_first[i] = (uint32_t)j;
		for (size_t k = 0; k < n_studies_of(r); k++, j++) {
			d->cat[field("modality")->index][j] =
			    code("modality", r->studies[k].modality);
			d->cat[field("bodypart")->index][j] =
			    code("bodypart", r->studies[k].bodypart);
			d->cat[field("manufacturer")->index][j] =
			    code("manufacturer", r->studies[k].manufacturer);
		}
	}
	d->study_first[n] = (uint32_t)j;
	site_data_prepare(d);
	return d;
}

static void add_eq(struct query_group *g, const char *alias, const char *value, bool negate)
{
	const struct vocab_field *f = field(alias);
	struct query_criterion *c = query_add_criterion(g, f->key);
	struct query_leaf *l = query_add_leaf(c, negate ? QUERY_NOT_EQUALS : QUERY_EQUALS);

	l->vtype = QUERY_VALUE_STRING;
	l->str = xstrdup(f->values[vocab_value_find(f, value)].code);
}

static void add_range(struct query_group *g, const char *alias, double lo, double hi)
{
	struct query_criterion *c = query_add_criterion(g, field(alias)->key);
	struct query_leaf *l = query_add_leaf(c, QUERY_BETWEEN);

	l->vtype = QUERY_VALUE_RANGE;
	l->min = lo;
	l->max = hi;
}

static uint64_t stratum(const struct count_result *r, const char *alias, const char *value)
{
	const struct vocab_field *f = field(alias);

	if (f->type == VOCAB_CATEGORICAL)
		return r->strata[f->index][vocab_value_find(f, value)];
	for (size_t b = 0; b < f->n_bins; b++)
		if (strcmp(f->bins[b].label, value) == 0)
			return r->strata[f->index][b];
	fail_msg("no bin %s", value);
	return 0;
}

static void test_empty_site(void **state)
{
	struct site_data *d = site_data_new(vocab, 0, 0, 0);
	struct query *q = query_new();
	struct count_result *r = count_run(d, q);

	assert_int_equal(r->subjects, 0);
	assert_int_equal(r->studies, 0);
	assert_int_equal(r->n_collections, 0);
	assert_int_equal(r->strata[field("sex")->index][0], 0);
	count_result_free(&r);
	assert_null(r);
	count_result_free(&r); /* NULL is accepted */
	query_free(&q);
	site_data_free(&d);
	site_data_free(&d);
}

static void test_everything(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct count_result *r = count_run(d, q);

	assert_int_equal(r->collections[0].subjects, 3);
	assert_int_equal(r->collections[0].studies, 5);
	assert_int_equal(r->collections[1].subjects, 3);
	assert_int_equal(r->collections[1].studies, 3);
	assert_int_equal(r->subjects, 6);
	assert_int_equal(stratum(r, "sex", "male"), 3);
	assert_int_equal(stratum(r, "sex", "female"), 2);
	assert_int_equal(stratum(r, "modality", "mr"), 3);
	assert_int_equal(stratum(r, "modality", "ct"), 3);
	assert_int_equal(stratum(r, "modality", "pet"), 1);
	assert_int_equal(stratum(r, "manufacturer", "ge"), 3);
	assert_int_equal(stratum(r, "age", "40-49"), 1);
	assert_int_equal(stratum(r, "age", "60-69"), 2);
	assert_int_equal(stratum(r, "psa", "10-20"), 1);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static void test_subject_and_study_criteria(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct query_group *g = query_add_group(q);
	struct count_result *r;

	add_eq(g, "sex", "male", false);
	add_eq(g, "modality", "mr", false);
	r = count_run(d, q);
	assert_int_equal(r->collections[0].subjects, 1);
	assert_int_equal(r->collections[0].studies, 1); /* only the MR study */
	assert_int_equal(r->collections[1].subjects, 0);
	/* sex left out: who has an MR study */
	assert_int_equal(stratum(r, "sex", "male"), 1);
	assert_int_equal(stratum(r, "sex", "female"), 2);
	/* modality left out: the men, and the modalities of their studies */
	assert_int_equal(stratum(r, "modality", "mr"), 1);
	assert_int_equal(stratum(r, "modality", "ct"), 3);
	assert_int_equal(stratum(r, "modality", "pet"), 1);
	assert_int_equal(stratum(r, "modality", "mg"), 0);
	/* other study fields: only studies that pass the modality test */
	assert_int_equal(stratum(r, "bodypart", "prostate"), 1);
	assert_int_equal(stratum(r, "bodypart", "pelvis"), 0);
	assert_int_equal(stratum(r, "manufacturer", "siemens"), 1);
	assert_int_equal(stratum(r, "age", "60-69"), 1);
	assert_int_equal(stratum(r, "diagnosis", "prostate"), 1);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static void test_study_criteria_on_one_study(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct query_group *g = query_add_group(q);
	struct count_result *r;

	/* s0 has an MR study and a pelvis study, but no MR of the pelvis. */
	add_eq(g, "modality", "mr", false);
	add_eq(g, "bodypart", "pelvis", false);
	r = count_run(d, q);
	assert_int_equal(r->subjects, 0);
	assert_int_equal(stratum(r, "modality", "ct"), 2);
	assert_int_equal(stratum(r, "modality", "mr"), 0);
	assert_int_equal(stratum(r, "bodypart", "prostate"), 1);
	assert_int_equal(stratum(r, "bodypart", "breast"), 2);
	assert_int_equal(stratum(r, "sex", "male"), 0);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static void test_negation_skips_not_recorded(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct count_result *r;

	add_eq(query_add_group(q), "sex", "male", true);
	r = count_run(d, q);
	assert_int_equal(r->collections[0].subjects, 1);
	assert_int_equal(r->collections[0].studies, 2);
	assert_int_equal(r->collections[1].subjects, 1); /* s4 has no sex recorded */
	assert_int_equal(r->collections[1].studies, 1);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static void test_or_groups(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct query_criterion *c;
	struct query_leaf *l;
	struct count_result *r;

	add_eq(query_add_group(q), "diagnosis", "lung", false);
	c = query_add_criterion(query_add_group(q), field("psa")->key);
	l = query_add_leaf(c, QUERY_GREATER_THAN);
	l->vtype = QUERY_VALUE_NUMBER;
	l->num = 10;
	r = count_run(d, q);
	assert_int_equal(r->collections[0].subjects, 1);
	assert_int_equal(r->collections[0].studies, 2);
	assert_int_equal(r->collections[1].subjects, 2); /* s4 matches with no study */
	assert_int_equal(r->collections[1].studies, 2);
	/* diagnosis left out empties the first group: everyone counts */
	assert_int_equal(stratum(r, "diagnosis", "breast"), 2);
	assert_int_equal(stratum(r, "diagnosis", "lung"), 2);
	assert_int_equal(stratum(r, "psa", "4-10"), 1);
	assert_int_equal(stratum(r, "sex", "male"), 2);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static void test_ranges(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct count_result *r;

	add_range(query_add_group(q), "age", 50, 70);
	r = count_run(d, q);
	assert_int_equal(r->collections[0].subjects, 2);
	assert_int_equal(r->collections[1].subjects, 1);
	assert_int_equal(stratum(r, "age", "70-79"), 1);
	assert_int_equal(stratum(r, "age", "50-59"), 1);
	count_result_free(&r);
	query_free(&q);
	/* An open upper end, and a bound exactly on a value. */
	q = query_new();
	add_range(query_add_group(q), "age", 66, NAN);
	r = count_run(d, q);
	assert_int_equal(r->subjects, 2);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static void test_unknown_key_and_code(void **state)
{
	struct site_data *d = make_site();
	struct query *q = query_new();
	struct query_group *g = query_add_group(q);
	struct query_leaf *l = query_add_leaf(query_add_criterion(g, "NO.SUCH.KEY"), QUERY_EQUALS);
	struct count_result *r;

	l->vtype = QUERY_VALUE_STRING;
	l->str = xstrdup("x");
	r = count_run(d, q);
	assert_int_equal(r->subjects, 0);
	assert_int_equal(r->n_unsupported, 1);
	assert_string_equal(r->unsupported[0], "NO.SUCH.KEY");
	count_result_free(&r);
	query_free(&q);

	q = query_new();
	l = query_add_leaf(query_add_criterion(query_add_group(q), field("sex")->key),
	                   QUERY_EQUALS);
	l->vtype = QUERY_VALUE_STRING;
	l->str = xstrdup("SNOMEDCT0");
	r = count_run(d, q);
	assert_int_equal(r->subjects, 0);
	assert_int_equal(r->n_unsupported, 0);
	count_result_free(&r);
	query_free(&q);
	site_data_free(&d);
}

static int setup(void **state)
{
	vocab = test_vocab_load();
	return 0;
}

static int teardown(void **state)
{
	vocab_free(&vocab);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_site),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_subject_and_study_criteria),
		cmocka_unit_test(test_study_criteria_on_one_study),
		cmocka_unit_test(test_negation_skips_not_recorded),
		cmocka_unit_test(test_or_groups),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_unknown_key_and_code),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
