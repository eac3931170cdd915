/* Site payloads: what a site builds, and what a client accepts. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/payload.h"
#include "core/vocab.h"
#include "util/xmalloc.h"

#include "support.h"

static struct vocab *vocab;
static const uint8_t secret[32] = { 42 };
static const struct privacy_rule rule = PRIVACY_RULE_DEFAULT;

static struct count_result *make_result(void)
{
	struct count_result *r = xcalloc(1, sizeof *r);
	const struct vocab_field *sex = vocab_field_find(vocab, "sex");

	r->n_collections = 3;
	r->collections = xcalloc(3, sizeof *r->collections);
	r->collections[0] = (struct count_collection){ 1234, 3000 };
	r->collections[1] = (struct count_collection){ 0, 0 };
	r->collections[2] = (struct count_collection){ 4, 9 };
	r->subjects = 1238;
	r->studies = 3009;
	for (size_t f = 0; f < vocab->n_fields; f++) {
		const struct vocab_field *fd = &vocab->fields[f];

		r->strata[f] = xcalloc(fd->type == VOCAB_CATEGORICAL ? fd->n_values : fd->n_bins,
		                       sizeof *r->strata[f]);
	}
	r->strata[sex->index][0] = 1238;
	r->strata[vocab_field_find(vocab, "age")->index][6] = 500;
	r->n_unsupported = 1;
	r->unsupported = xcalloc(1, sizeof *r->unsupported);
	r->unsupported[0] = xstrdup("X.KEY");
	return r;
}

static json_t *items(void)
{
	return json_pack("[{s:s, s:s, s:i, s:i, s:[s], s:[s]}, {s:s, s:s}, {s:s, s:s}]", "id",
	                 "c-a", "name", "Alpha", "age_low", 40, "age_high", 90, "sex", "male",
	                 "imaging_modality", "MR", "id", "c-b", "name", "Beta", "id", "c-c", "name",
	                 "Gamma");
}

static char id_a[] = "c-a", id_b[] = "c-b", id_c[] = "c-c";
static char *ids[] = { id_a, id_b, id_c };

static void test_read_rejects_garbage(void **state)
{
	static const char *bad[] = {
		"",
		"[]",
		"{}",
		"{\"collections\":{}}",
		"{\"collections\":[1]}",
		"{\"collections\":[{\"name\":\"no id\",\"subjects_count\":1}]}",
		"{\"collections\":[{\"id\":\"a\",\"subjects_count\":\"12\"}]}",
		"{\"collections\":[{\"id\":\"a\",\"subjects_count\":-3}]}",
		"{\"collections\":[{\"id\":\"a\",\"subjects_count\":1.5}]}",
		"{\"collections\":[{\"id\":\"a\",\"subjects_count\":1e300}]}",
		"{\"collections\":[],\"stratifiers\":[]}",
		"{\"collections\":[],\"stratifiers\":{\"k\":{\"v\":null}}}",
		"{\"collections\":[],\"collections\":[]}",
		"{\"collections\":[{\"id\":\"a\",\"subjects_count\":1}",
	};
	struct site_answer a;
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(payload_read_text(bad[i], strlen(bad[i]), &a, err, sizeof err),
		                 -1);
		assert_true(strlen(err) > 0);
		assert_int_equal(a.n_collections, 0);
	}
}

static void test_read_tolerates_variants(void **state)
{
	const char *text =
	    "{\"provider\":\"Site\",\"collections\":["
	    "{\"id\":\"a\",\"subjects_count\":20,\"studies_count\":30.0,"
	    "\"age_range\":0,\"gender\":[\"Unkown\"],\"modalities\":[\"MR\"]},"
	    "{\"id\":\"b\",\"name\":\"B\",\"subjects_count\":10,\"suppressed\":true}],"
	    "\"extra\":{\"ignored\":1}}";
	struct site_answer a;
	char err[256];

	assert_int_equal(payload_read_text(text, strlen(text), &a, err, sizeof err), 0);
	assert_string_equal(a.provider, "Site");
	assert_int_equal(a.n_collections, 2);
	assert_string_equal(a.collections[0].name, "a"); /* no name: the id */
	assert_int_equal(a.collections[0].studies, 30);
	assert_true(a.collections[1].suppressed);
	assert_int_equal(a.subjects, 30);
	assert_false(a.has_privacy);
	assert_true(a.elapsed_ms < 0);
	site_answer_clear(&a);
}

static void test_build_applies_privacy(void **state)
{
	struct count_result *r = make_result();
	struct payload_site site = { "site-a", "Site A", &rule, secret, false };
	json_t *its = items(), *p = payload_build(vocab, &site, its, ids, r, 1.5);
	json_t *colls = json_object_get(p, "collections"), *strata;
	struct site_answer a;
	char err[256];

	assert_string_equal(json_string_value(json_object_get(p, "provider")), "Site A");
	assert_int_equal(json_array_size(colls), 2); /* the empty one is left out */
	assert_string_equal(json_string_value(json_object_get(json_array_get(colls, 0), "name")),
	                    "Alpha");
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(json_array_get(colls, 0), "age_range"), "min")),
	                 40);
	assert_true(json_is_true(json_object_get(json_array_get(colls, 1), "suppressed")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_array_get(colls, 1), "subjects_count")), 10);
	strata = json_object_get(p, "stratifiers");
	assert_non_null(json_object_get(json_object_get(strata, "age"), "60-69"));
	assert_non_null(
	    json_object_get(json_object_get(strata, "SNOMEDCT263495000"), "SNOMEDCT248153007"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "unsupported"), 0)),
	                    "X.KEY");

	assert_int_equal(payload_read(p, &a, err, sizeof err), 0);
	assert_true(a.has_privacy);
	assert_false(a.exact);
	assert_int_equal(a.privacy.threshold, 10);
	assert_int_equal(a.n_collections, 2);
	assert_int_equal(a.collections[0].subjects % 10, 0);
	assert_true(a.collections[0].subjects > 1150 && a.collections[0].subjects < 1320);
	assert_int_equal(a.n_unsupported, 1);
	assert_non_null(site_answer_stratum(&a, "age"));
	assert_null(site_answer_stratum(&a, "nope"));
	assert_true(a.elapsed_ms > 1.4 && a.elapsed_ms < 1.6);
	site_answer_clear(&a);
	json_decref(p);
	json_decref(its);
	count_result_free(&r);
}

static void test_build_exact(void **state)
{
	struct count_result *r = make_result();
	struct payload_site site = { "site-a", "Site A", &rule, secret, true };
	json_t *its = items(), *p = payload_build(vocab, &site, its, ids, r, 0);
	struct site_answer a;
	char err[256];

	assert_int_equal(payload_read(p, &a, err, sizeof err), 0);
	assert_true(a.exact);
	assert_int_equal(a.collections[0].subjects, 1234);
	assert_int_equal(a.collections[1].subjects, 4);
	assert_false(a.collections[1].suppressed);
	assert_int_equal(a.subjects, 1238);
	assert_int_equal(a.studies, 3009);
	site_answer_clear(&a);
	json_decref(p);
	json_decref(its);
	count_result_free(&r);
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
		cmocka_unit_test(test_read_rejects_garbage),
		cmocka_unit_test(test_read_tolerates_variants),
		cmocka_unit_test(test_build_applies_privacy),
		cmocka_unit_test(test_build_exact),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
