/* The criteria vocabulary: reading data/criteria.json, rejecting broken
 * documents, and looking names up. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vocab.h"

#include "support.h"

static struct vocab *load_text(const char *text, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	struct vocab *v;

	assert_non_null(doc);
	v = vocab_from_json(doc, err, errlen);
	json_decref(doc);
	return v;
}

static void test_rejects_broken_documents(void **state)
{
	static const char *bad[] = {
		"{}",
		"{\"criteria\":[]}",
		"{\"criteria\":{}}",
		"{\"criteria\":[{\"key\":\"k\"}]}",
		"{\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\",\"group\":\"g\","
		"\"type\":\"EQUALS\"}]}",
		"{\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\",\"group\":\"g\","
		"\"type\":\"EQUALS\",\"values\":[{\"code\":\"c\"}]}]}",
		"{\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\",\"group\":\"g\","
		"\"type\":\"BETWEEN\",\"min\":5,\"max\":1}]}",
		"{\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\",\"group\":\"g\","
		"\"type\":\"BETWEEN\",\"min\":0,\"max\":100000,\"bin_width\":1}]}",
		"{\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\",\"group\":\"g\","
		"\"type\":\"BETWEEN\",\"level\":\"study\",\"min\":0,\"max\":10}]}",
		"{\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\",\"group\":\"g\","
		"\"type\":\"CONTAINS\"}]}",
		"{\"groups\":[{}],\"criteria\":[{\"key\":\"k\",\"label\":\"K\",\"alias\":\"k\","
		"\"group\":\"g\",\"type\":\"BETWEEN\",\"min\":0,\"max\":1}]}",
	};
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_null(load_text(bad[i], err, sizeof err));
		assert_true(strlen(err) > 0);
	}
	assert_null(vocab_load("/nonexistent/criteria.json", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/criteria.json"));
	{
		struct vocab *none = NULL;

		vocab_free(&none); /* NULL is accepted */
	}
}

static void test_reads_the_vocabulary(void **state)
{
	char err[256], *path = test_source_path("data/criteria.json");
	struct vocab *v = vocab_load(path, err, sizeof err);
	const struct vocab_field *f;

	free(path);
	assert_non_null(v);
	assert_int_equal(v->n_fields, 22);
	assert_int_equal(v->n_groups, 6);
	for (size_t i = 0; i < v->n_fields; i++)
		assert_int_equal(v->fields[i].index, i);
	f = vocab_field_find(v, "sex");
	assert_non_null(f);
	assert_string_equal(f->key, "SNOMEDCT263495000");
	assert_ptr_equal(vocab_field_find(v, "SEX"), f);
	assert_ptr_equal(vocab_field_find(v, "SNOMEDCT263495000"), f);
	assert_ptr_equal(vocab_field_by_key(v, "SNOMEDCT263495000"), f);
	assert_null(vocab_field_by_key(v, "sex"));
	assert_ptr_equal(vocab_field_find(v, "Age at diagnosis"), vocab_field_find(v, "age"));
	assert_null(vocab_field_find(v, "nope"));
	assert_int_equal(vocab_value_find(f, "male"), 0);
	assert_int_equal(vocab_value_find(f, "FEMALE"), 1);
	assert_int_equal(vocab_value_find(f, "SNOMEDCT74964007"), 2);
	assert_int_equal(vocab_value_find(f, "boy"), -1);
	assert_int_equal(vocab_value_by_code(f, "SNOMEDCT261665006"), 3);
	/* The age stratifier is keyed "age", in 10-year bins. */
	f = vocab_field_find(v, "age");
	assert_string_equal(f->stratifier_key, "age");
	assert_int_equal(f->type, VOCAB_NUMERIC);
	assert_string_equal(f->bins[vocab_bin_find(f, 64.5)].label, "60-69");
	assert_int_equal(vocab_bin_find(f, -1), -1);
	f = vocab_field_find(v, "psa");
	assert_string_equal(f->bins[vocab_bin_find(f, 4)].label, "4-10");
	assert_int_equal(vocab_field_find(v, "modality")->level, VOCAB_STUDY);
	assert_int_equal(vocab_field_find(v, "er")->level, VOCAB_SUBJECT);
	vocab_free(&v);
	assert_null(v);
}

static void test_suggestions(void **state)
{
	struct vocab *v = test_vocab_load();
	const struct vocab_field *dx = vocab_field_find(v, "diagnosis");

	assert_string_equal(vocab_suggest(v, dx, "prostrate"), "prostate");
	assert_string_equal(vocab_suggest(v, dx, "BREAST"), "breast");
	assert_string_equal(vocab_suggest(v, NULL, "modalty"), "modality");
	assert_string_equal(vocab_suggest(v, NULL, "diagnosys"), "diagnosis");
	assert_null(vocab_suggest(v, dx, "xylophone"));
	assert_null(vocab_suggest(v, NULL, ""));
	vocab_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejects_broken_documents),
		cmocka_unit_test(test_reads_the_vocabulary),
		cmocka_unit_test(test_suggestions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
