/* The catalogue model (core/catalogue.c) and the CLI's text tables
 * (cli/table.c): items from outside with missing or mistyped members,
 * search, display widths and cutting. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/table.h"
#include "util/format.h"
#include "core/catalogue.h"

static json_t *item(void)
{
	json_t *it =
	    json_loads("{\"id\":\"c-pros-01\",\"name\":\"Prostate MRI\",\"acronym\":\"PMRI\","
	               "\"description\":\"Biparametric MRI before biopsy\","
	               "\"provider\":{\"id\":\"nl\",\"name\":\"Noordzee Institute\"},"
	               "\"number_of_subjects\":1200,\"number_of_studies\":3.0e3,"
	               "\"condition\":[\"prostate cancer\",7],"
	               "\"imaging_modality\":[\"MR\",\"CT\"],\"body_part_examined\":"
	               "\"not a list\"}",
	               0, NULL);

	assert_non_null(it);
	return it;
}

static void test_mistyped_members(void **state)
{
	json_t *it = json_pack("{s:i, s:s, s:i, s:[]}", "name", 5, "provider", "flat",
	                       "number_of_subjects", -4, "condition");
	char *joined = catalogue_item_join(it, "condition", ", ");

	assert_string_equal(catalogue_item_str(it, "name"), "");
	assert_string_equal(catalogue_item_str(it, "missing"), "");
	assert_string_equal(catalogue_item_str2(it, "provider", "name"), "");
	assert_int_equal(catalogue_item_count(it, "number_of_subjects"), -1);
	assert_int_equal(catalogue_item_count(it, "missing"), -1);
	assert_string_equal(joined, "");
	free(joined);
	assert_string_equal(catalogue_item_str(NULL, "name"), "");
	assert_true(catalogue_item_matches(it, NULL));
	assert_true(catalogue_item_matches(it, ""));
	assert_false(catalogue_item_matches(it, "x"));
	json_decref(it);
}

static void test_reading(void **state)
{
	json_t *it = item(), *items = json_array();
	char *joined = catalogue_item_join(it, "condition", "; ");

	assert_string_equal(catalogue_item_str2(it, "provider", "name"), "Noordzee Institute");
	assert_int_equal(catalogue_item_count(it, "number_of_subjects"), 1200);
	assert_int_equal(catalogue_item_count(it, "number_of_studies"), 3000);
	assert_string_equal(joined, "prostate cancer"); /* the number is skipped */
	free(joined);
	json_array_append(items, it);
	assert_ptr_equal(catalogue_find(items, "c-pros-01"), it);
	assert_null(catalogue_find(items, "c-pros"));
	json_decref(items);
	json_decref(it);
}

static void test_search(void **state)
{
	json_t *it = item();

	assert_true(catalogue_item_matches(it, "prostate"));
	assert_true(catalogue_item_matches(it, "PROSTATE mr"));
	assert_true(catalogue_item_matches(it, "  biopsy   noordzee "));
	assert_true(catalogue_item_matches(it, "pmri"));
	assert_true(catalogue_item_matches(it, "ct"));
	assert_false(catalogue_item_matches(it, "prostate lung"));
	assert_false(catalogue_item_matches(it, "pelvis"));
	json_decref(it);
}

static void test_counts_and_widths(void **state)
{
	char buf[32];

	assert_string_equal(format_count(0, buf, sizeof buf), "0");
	assert_string_equal(format_count(999, buf, sizeof buf), "999");
	assert_string_equal(format_count(1000, buf, sizeof buf), "1,000");
	assert_string_equal(format_count(1234567, buf, sizeof buf), "1,234,567");
	assert_string_equal(format_count(9223372036854775807ll, buf, sizeof buf),
	                    "9,223,372,036,854,775,807");
	assert_string_equal(format_count(-1, buf, sizeof buf), "?");
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("Universitätsklinikum"), 20);
	assert_int_equal(text_width("\xe2\x89\x88"
	                            "10"),
	                 3);
	assert_int_equal(text_width("\xe6\x9d\xb1\xe4\xba\xac"), 4); /* two wide characters */
}

static char *print_table(size_t width)
{
	static const char *headers[] = { "ID", "NAME", "N" };
	const char *rows[][3] = { { "c-1", "A rather long collection name", "1,200" },
		                  { "c-22", "Short", "7" } };
	struct table *t = table_new(3, headers);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	table_align_right(t, 2);
	table_add_row(t, rows[0]);
	table_add_rule(t);
	table_add_row(t, rows[1]);
	table_print(t, f, width, 1, true);
	fclose(f);
	table_free(&t);
	assert_null(t);
	return out;
}

static void test_table(void **state)
{
	char *out = print_table(0);

	char rule[42 * 3 + 2] = "";

	for (int i = 0; i < 42; i++)
		strcat(rule, "\xe2\x94\x80"); /* the rule spans the 42 columns */
	strcat(rule, "\n");
	assert_true(strncmp(out,
	                    "ID    NAME                               N\n"
	                    "c-1   A rather long collection name  1,200\n",
	                    86) == 0);
	assert_true(strncmp(out + 86, rule, strlen(rule)) == 0);
	assert_string_equal(out + 86 + strlen(rule),
	                    "c-22  Short                              7\n");
	free(out);
	/* 25 columns: NAME is cut to fit, with an ellipsis. */
	out = print_table(25);
	assert_non_null(strstr(out, "c-1   A rather lo\xe2\x80\xa6  1,200\n"));
	assert_non_null(strstr(out, "c-22  Short             7\n"));
	free(out);
	/* Never cut below 8 cells, however narrow. */
	out = print_table(5);
	assert_non_null(strstr(out, "A rathe\xe2\x80\xa6"));
	free(out);
}

static int setup(void **state)
{
	return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mistyped_members),
		cmocka_unit_test(test_reading),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_counts_and_widths),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
