/* store/catalogue_store.c: missing, foreign, newer and truncated files
 * first; then items and meta rows in and out, ordering, replacement,
 * transactions and read-only use. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/catalogue_store.h"
#include "store/site_store.h"
#include "util/xmalloc.h"

#include "support.h"

static char *tmpdir;

static int group_setup(void **state)
{
	tmpdir = test_tmpdir("catalogue");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
	return 0;
}

static json_t *make_item(const char *id, const char *name, int subjects)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:i, s:[s, s], s:o, s:b}", "id", id,
	                 "name", name, "description", "Synthetic demo data. \x1b]0;title\x07 ok",
	                 "provider", "id", "es-x", "name", "Hospital Ñ", "country", "ES",
	                 "number_of_subjects", subjects, "imaging_modality", "MR", "CT", "previews",
	                 json_array(), "synthetic", 1);
}

/* A catalogue holding n items named "Item <n - i>" so that name order is
 * the reverse of insertion order. */
static char *make_catalogue(int n)
{
	char *path = test_temp_path(tmpdir, "catalogue.db");
	struct catalogue_store *s;
	char err[256], id[32], name[32];

	s = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(catalogue_store_begin(s, err, sizeof err), 0);
	for (int i = 0; i < n; i++) {
		json_t *item;

		snprintf(id, sizeof id, "c-%02d", i);
		snprintf(name, sizeof name, "Item %02d", n - i);
		item = make_item(id, name, 100 + i);
		assert_int_equal(catalogue_store_put(s, "es-x", item, err, sizeof err), 0);
		json_decref(item);
	}
	assert_int_equal(catalogue_store_set_meta(s, "source", "demo", err, sizeof err), 0);
	assert_int_equal(catalogue_store_commit(s, err, sizeof err), 0);
	catalogue_store_close(&s);
	return path;
}

/* ---- degenerate input -------------------------------------------------- */

static void test_open_missing(void **state)
{
	char *path = test_temp_path(tmpdir, "missing.db");
	char err[512] = "";

	assert_null(catalogue_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(access(path, F_OK), -1);
	assert_null(catalogue_store_open(NULL, true, err, sizeof err));
	free(path);
}

static void test_open_not_a_database(void **state)
{
	char *path = test_temp_path(tmpdir, "junk.db");
	char junk[4096], err[512] = "";

	memset(junk, 0xa5, sizeof junk);
	test_write_file(path, junk, sizeof junk);
	assert_null(catalogue_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "not a database"));
	/* Opening for writing must not take it over either. */
	assert_null(catalogue_store_open(path, true, err, sizeof err));
	assert_non_null(strstr(err, "not a database"));
	free(path);
}

static void test_open_newer_schema(void **state)
{
	char *path = make_catalogue(2);
	char err[512] = "";

	test_exec_sql(path, "UPDATE schema_version SET version = 7");
	assert_null(catalogue_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "7"));
	/* Nor may a writer downgrade it. */
	assert_null(catalogue_store_open(path, true, err, sizeof err));
	assert_non_null(strstr(err, "newer"));
	free(path);
}

static void test_open_truncated(void **state)
{
	char *path = make_catalogue(300);
	char err[512] = "";
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 8192);
	assert_int_equal(truncate(path, sb.st_size / 3), 0);
	assert_null(catalogue_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "malformed"));
	free(path);
}

static void test_open_site_store_as_catalogue(void **state)
{
	char *path = test_temp_path(tmpdir, "site.db");
	struct site_store *site;
	char err[512] = "";

	site = site_store_open(path, true, err, sizeof err);
	assert_non_null(site);
	site_store_close(&site);
	assert_null(catalogue_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "not an ecii catalogue"));
	assert_null(catalogue_store_open(path, true, err, sizeof err));
	free(path);
}

static void test_bad_items(void **state)
{
	char *path = test_temp_path(tmpdir, "bad.db");
	struct catalogue_store *s;
	json_t *no_id = json_pack("{s:s}", "name", "x");
	json_t *no_name = json_pack("{s:s}", "id", "x");
	json_t *num_id = json_pack("{s:i, s:s}", "id", 3, "name", "x");
	json_t *ok = make_item("c-1", "One", 1);
	char err[512] = "";

	s = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(catalogue_store_put(s, "site", no_id, err, sizeof err), -1);
	assert_int_equal(catalogue_store_put(s, "site", no_name, err, sizeof err), -1);
	assert_int_equal(catalogue_store_put(s, "site", num_id, err, sizeof err), -1);
	assert_int_equal(catalogue_store_put(s, "site", NULL, err, sizeof err), -1);
	assert_int_equal(catalogue_store_put(s, NULL, ok, err, sizeof err), -1);
	assert_int_equal(catalogue_store_set_meta(s, "k", NULL, err, sizeof err), -1);
	assert_int_equal(catalogue_store_commit(s, err, sizeof err), -1);
	assert_int_equal(catalogue_store_begin(s, err, sizeof err), 0);
	assert_int_equal(catalogue_store_begin(s, err, sizeof err), -1);
	assert_int_equal(catalogue_store_commit(s, err, sizeof err), 0);
	catalogue_store_close(&s);
	catalogue_store_close(&s);
	catalogue_store_close(NULL);
	json_decref(no_id);
	json_decref(no_name);
	json_decref(num_id);
	json_decref(ok);
	free(path);
}

/* ---- real cases ------------------------------------------------------ */

static void test_put_list_get(void **state)
{
	char *path = make_catalogue(12);
	struct catalogue_store *s;
	json_t *list, *item, *want;
	char err[512] = "x";

	s = catalogue_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	list = catalogue_store_list(s, err, sizeof err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 12);
	/* Name order: "Item 01" (c-11) first, "Item 12" (c-00) last. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")),
	                    "c-11");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 11), "id")),
	                    "c-00");
	want = make_item("c-03", "Item 09", 103);
	item = catalogue_store_get(s, "c-03", err, sizeof err);
	assert_non_null(item);
	assert_true(json_equal(item, want));
	json_decref(item);
	json_decref(want);
	/* Not there: NULL and an empty err. */
	strcpy(err, "stale");
	assert_null(catalogue_store_get(s, "c-99", err, sizeof err));
	assert_string_equal(err, "");
	assert_null(catalogue_store_get(s, "c-03' OR '1'='1", err, sizeof err));
	assert_string_equal(err, "");
	json_decref(list);
	catalogue_store_close(&s);
	free(path);
}

static void test_replace_and_clear(void **state)
{
	char *path = make_catalogue(3);
	struct catalogue_store *s;
	json_t *item = make_item("c-01", "Renamed", 999), *got, *list;
	char err[512] = "";

	s = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(catalogue_store_put(s, "es-x", item, err, sizeof err), 0);
	list = catalogue_store_list(s, err, sizeof err);
	assert_int_equal(json_array_size(list), 3);
	json_decref(list);
	got = catalogue_store_get(s, "c-01", err, sizeof err);
	assert_non_null(got);
	assert_int_equal(json_integer_value(json_object_get(got, "number_of_subjects")), 999);
	assert_string_equal(json_string_value(json_object_get(got, "name")), "Renamed");
	json_decref(got);
	assert_int_equal(catalogue_store_clear(s, err, sizeof err), 0);
	list = catalogue_store_list(s, err, sizeof err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	catalogue_store_close(&s);
	json_decref(item);
	free(path);
}

static void test_meta(void **state)
{
	char *path = test_temp_path(tmpdir, "meta.db");
	struct catalogue_store *s;
	char err[512] = "", *v;

	s = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_null(catalogue_store_get_meta(s, "etag"));
	assert_null(catalogue_store_get_meta(s, NULL));
	assert_int_equal(catalogue_store_set_meta(s, "etag", "\"abc\"", err, sizeof err), 0);
	assert_int_equal(catalogue_store_set_meta(s, "etag", "\"def\"", err, sizeof err), 0);
	assert_int_equal(catalogue_store_set_meta(s, "synthetic", "1", err, sizeof err), 0);
	catalogue_store_close(&s);
	s = catalogue_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	v = catalogue_store_get_meta(s, "etag");
	assert_non_null(v);
	assert_string_equal(v, "\"def\"");
	free(v);
	v = catalogue_store_get_meta(s, "synthetic");
	assert_string_equal(v, "1");
	free(v);
	catalogue_store_close(&s);
	free(path);
}

static void test_read_only_refuses_writes(void **state)
{
	char *path = make_catalogue(1);
	struct catalogue_store *s;
	json_t *item = make_item("c-9", "Nine", 9);
	char err[512] = "";

	s = catalogue_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(catalogue_store_put(s, "es-x", item, err, sizeof err), -1);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(catalogue_store_set_meta(s, "k", "v", err, sizeof err), -1);
	assert_int_equal(catalogue_store_clear(s, err, sizeof err), -1);
	assert_int_equal(catalogue_store_begin(s, err, sizeof err), -1);
	catalogue_store_close(&s);
	json_decref(item);
	free(path);
}

static void test_uncommitted_writes_vanish(void **state)
{
	char *path = make_catalogue(2);
	struct catalogue_store *s;
	json_t *item = make_item("c-new", "New", 5), *list;
	char err[512] = "";

	s = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(catalogue_store_begin(s, err, sizeof err), 0);
	assert_int_equal(catalogue_store_clear(s, err, sizeof err), 0);
	assert_int_equal(catalogue_store_put(s, "es-x", item, err, sizeof err), 0);
	catalogue_store_close(&s);
	/* Reopening for writing keeps what was committed, and only that. */
	s = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	list = catalogue_store_list(s, err, sizeof err);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	assert_null(catalogue_store_get(s, "c-new", err, sizeof err));
	catalogue_store_close(&s);
	json_decref(item);
	free(path);
}

static void test_site_column(void **state)
{
	char *path = make_catalogue(2);
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT DISTINCT site FROM collections", -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "es-x");
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_open_not_a_database),
		cmocka_unit_test(test_open_newer_schema),
		cmocka_unit_test(test_open_truncated),
		cmocka_unit_test(test_open_site_store_as_catalogue),
		cmocka_unit_test(test_bad_items),
		cmocka_unit_test(test_put_list_get),
		cmocka_unit_test(test_replace_and_clear),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_read_only_refuses_writes),
		cmocka_unit_test(test_uncommitted_writes_vanish),
		cmocka_unit_test(test_site_column),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
