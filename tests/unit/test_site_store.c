/* store/site_store.c and store/db.c: files that are not stores, stores from
 * a newer ecii, truncated files and double creation first; then writing a
 * store and reading every part of it back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
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

#include "core/vocab.h"
#include "store/catalogue_store.h"
#include "store/site_store.h"
#include "util/xmalloc.h"

#include "support.h"

static char *tmpdir;

static int group_setup(void **state)
{
	tmpdir = test_tmpdir("site-store");
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
	return 0;
}

static void fill_info(struct site_info *info, const char *id)
{
	memset(info, 0, sizeof *info);
	info->id = xstrdup(id);
	info->name = xstrdup("Test site");
	info->country = xstrdup("NL");
	for (size_t i = 0; i < sizeof info->secret; i++)
		info->secret[i] = (uint8_t)(i * 7 + 1);
	info->threshold = 10;
	info->rounding = 10;
	info->epsilon = 0.28;
	info->synthetic = true;
}

static json_t *make_item(const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:i, s:[s], s:b}", "id", id, "name",
	                 name, "description", "Synthetic demo data. \x1b[31mred\x1b[0m\x07",
	                 "provider", "id", "t", "name", "Test site", "country", "NL",
	                 "number_of_subjects", 2, "condition", "prostate cancer", "synthetic", 1);
}

/* Writes a small store of n subjects, each with two studies. */
static void write_store(const char *path, int n)
{
	struct site_store *s;
	struct site_info info;
	char err[256];
	json_t *item = make_item("c-1", "Collection one");

	s = site_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_begin(s, err, sizeof err), 0);
	fill_info(&info, "t");
	assert_int_equal(site_store_write_info(s, &info, err, sizeof err), 0);
	site_info_clear(&info);
	assert_int_equal(site_store_write_collection(s, item, err, sizeof err), 0);
	for (int i = 1; i <= n; i++) {
		struct site_subject_row row = {
			.id = i,
			.collection_id = "c-1",
			.sex = "SNOMEDCT248153007",
			.diagnosis = "SNOMEDCT399068003",
			.age_at_diagnosis = 40 + i % 40,
			.year_of_diagnosis = 2010 + i % 10,
			.psa = i % 3 == 0 ? NAN : 0.5 + i % 50,
			.ki67 = NAN,
		};
		assert_int_equal(site_store_write_subject(s, &row, err, sizeof err), 0);
		for (int k = 0; k < 2; k++) {
			struct site_study_row st = {
				.id = 2 * (i - 1) + k + 1,
				.subject_id = i,
				.modality = "RID10312",
				.body_part = "SNOMEDCT41216001",
				.manufacturer = "C200140",
				.study_year = 2015,
				.series_count = 4,
				.image_count = 400,
			};
			assert_int_equal(site_store_write_study(s, &st, err, sizeof err), 0);
		}
	}
	assert_int_equal(site_store_commit(s, err, sizeof err), 0);
	site_store_close(&s);
	assert_null(s);
	json_decref(item);
}

/* ---- degenerate input -------------------------------------------------- */

static void test_open_missing_file(void **state)
{
	char *path = test_temp_path(tmpdir, "missing.db");
	char err[512] = "";

	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));
	/* Reading must never create the file. */
	assert_int_equal(access(path, F_OK), -1);
	assert_null(site_store_open(NULL, false, err, sizeof err));
	assert_null(site_store_open("", false, err, sizeof err));
	free(path);
}

static void test_open_not_a_database(void **state)
{
	char *path = test_temp_path(tmpdir, "text.db");
	char text[8192], err[512] = "";

	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + i % 26);
	test_write_file(path, text, sizeof text);
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "not a database"));
	free(path);
}

static void test_open_empty_file(void **state)
{
	char *path = test_temp_path(tmpdir, "empty.db");
	char err[512] = "";

	test_write_file(path, "", 0);
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "not an ecii site store"));
	free(path);
}

static void test_open_directory(void **state)
{
	char err[512] = "";

	assert_null(site_store_open(tmpdir, false, err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
}

static void test_open_newer_schema(void **state)
{
	char *path = test_temp_path(tmpdir, "newer.db");
	char err[512] = "";

	write_store(path, 3);
	test_exec_sql(path, "UPDATE schema_version SET version = 99");
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "99"));
	free(path);
}

static void test_open_older_schema(void **state)
{
	char *path = test_temp_path(tmpdir, "older.db");
	char err[512] = "";

	write_store(path, 3);
	test_exec_sql(path, "UPDATE schema_version SET version = 0");
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "not an ecii site store"));
	free(path);
}

static void test_open_foreign_sqlite(void **state)
{
	char *path = test_temp_path(tmpdir, "foreign.db");
	char err[512] = "";
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "not an ecii site store"));
	free(path);
}

static void test_open_catalogue_as_site(void **state)
{
	char *path = test_temp_path(tmpdir, "catalogue.db");
	struct catalogue_store *cat;
	char err[512] = "";

	/* Both have schema version 1: the header tells them apart. */
	cat = catalogue_store_open(path, true, err, sizeof err);
	assert_non_null(cat);
	catalogue_store_close(&cat);
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "another kind of database"));
	free(path);
}

static void test_open_truncated(void **state)
{
	char *path = test_temp_path(tmpdir, "truncated.db");
	char err[512] = "";
	struct stat sb;

	write_store(path, 3000);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 100000);
	assert_int_equal(truncate(path, sb.st_size / 2), 0);
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, "malformed"));
	/* Cut inside the first page: not even a header is left. */
	assert_int_equal(truncate(path, 60), 0);
	assert_null(site_store_open(path, false, err, sizeof err));
	assert_non_null(strstr(err, path));
	free(path);
}

static void test_create_twice(void **state)
{
	char *path = test_temp_path(tmpdir, "twice.db");
	struct site_store *a, *b;
	struct site_info info, back;
	char err[512] = "";

	a = site_store_open(path, true, err, sizeof err);
	assert_non_null(a);
	b = site_store_open(path, true, err, sizeof err);
	assert_null(b);
	assert_non_null(strstr(err, "already exists"));
	/* The loser must not have removed or damaged the winner's file. */
	fill_info(&info, "first");
	assert_int_equal(site_store_write_info(a, &info, err, sizeof err), 0);
	site_store_close(&a);
	a = site_store_open(path, false, err, sizeof err);
	assert_non_null(a);
	assert_int_equal(site_store_read_info(a, &back, err, sizeof err), 0);
	assert_string_equal(back.id, "first");
	site_info_clear(&back);
	site_info_clear(&info);
	site_store_close(&a);
	free(path);
}

static void test_create_over_other_file(void **state)
{
	char *path = test_temp_path(tmpdir, "precious.txt");
	char err[512] = "", buf[16] = "";
	FILE *f;

	test_write_file(path, "precious", 8);
	assert_null(site_store_open(path, true, err, sizeof err));
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 8);
	fclose(f);
	assert_string_equal(buf, "precious");
	free(path);
}

static void test_create_in_missing_dir(void **state)
{
	char *path = xasprintf("%s/no/such/dir/site.db", tmpdir);
	char err[512] = "";

	assert_null(site_store_open(path, true, err, sizeof err));
	assert_non_null(strstr(err, path));
	free(path);
}

static void test_no_site_row(void **state)
{
	char *path = test_temp_path(tmpdir, "norow.db");
	struct site_store *s;
	sqlite3_stmt *q;
	struct site_info info;
	char err[512] = "";

	s = site_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	site_store_close(&s);
	s = site_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_read_info(s, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "no site row"));
	assert_null(info.id);
	/* Even an empty new store is left with its index. */
	assert_int_equal(sqlite3_prepare_v2(site_store_db(s),
	                                    "SELECT count(*) FROM sqlite_master WHERE"
	                                    " name = 'studies_subject'",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	sqlite3_finalize(q);
	site_store_close(&s);
	free(path);
}

static void test_bad_secret(void **state)
{
	char *path = test_temp_path(tmpdir, "secret.db");
	struct site_store *s;
	struct site_info info;
	char err[512] = "";

	write_store(path, 1);
	test_exec_sql(path, "UPDATE site SET secret = x'0102'");
	s = site_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_read_info(s, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "secret"));
	site_store_close(&s);
	free(path);
}

static void test_read_only_refuses_writes(void **state)
{
	char *path = test_temp_path(tmpdir, "ro.db");
	struct site_store *s;
	struct site_subject_row row = { .id = 99, .collection_id = "c-1" };
	struct site_info info;
	json_t *item = make_item("c-2", "Two");
	char err[512] = "";

	write_store(path, 2);
	s = site_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_begin(s, err, sizeof err), -1);
	assert_non_null(strstr(err, "read-only"));
	assert_int_equal(site_store_write_subject(s, &row, err, sizeof err), -1);
	assert_int_equal(site_store_write_collection(s, item, err, sizeof err), -1);
	fill_info(&info, "x");
	assert_int_equal(site_store_write_info(s, &info, err, sizeof err), -1);
	site_info_clear(&info);
	assert_int_equal(
	    site_store_write_preview(s, "p", "c-1", "t", "image/png", "x", 1, err, sizeof err), -1);
	/* Even through the raw handle nothing can be written. */
	assert_int_not_equal(
	    sqlite3_exec(site_store_db(s), "DELETE FROM subjects", NULL, NULL, NULL), SQLITE_OK);
	site_store_close(&s);
	json_decref(item);
	free(path);
}

static void test_transaction_misuse(void **state)
{
	char *path = test_temp_path(tmpdir, "tx.db");
	struct site_store *s;
	char err[512] = "";
	json_t *item = json_pack("{s:s}", "id", "no-name");

	s = site_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_commit(s, err, sizeof err), -1);
	assert_non_null(strstr(err, "no transaction"));
	assert_int_equal(site_store_begin(s, err, sizeof err), 0);
	assert_int_equal(site_store_begin(s, err, sizeof err), -1);
	assert_int_equal(site_store_write_collection(s, item, err, sizeof err), -1);
	assert_non_null(strstr(err, "name"));
	assert_int_equal(site_store_write_preview(s, NULL, "c", "t", "m", "x", 1, err, sizeof err),
	                 -1);
	assert_int_equal(site_store_commit(s, err, sizeof err), 0);
	site_store_close(&s);
	site_store_close(&s); /* NULL: no-op */
	site_store_close(NULL);
	json_decref(item);
	free(path);
}

/* ---- real cases ------------------------------------------------------ */

static void test_column_table(void **state)
{
	static const char *const pairs[][2] = {
		{ "sex", "sex" },
		{ "age", "age_at_diagnosis" },
		{ "diagnosis", "diagnosis" },
		{ "year", "year_of_diagnosis" },
		{ "modality", "modality" },
		{ "bodypart", "body_part" },
		{ "manufacturer", "manufacturer" },
		{ "er", "er" },
		{ "pr", "pr" },
		{ "her2", "her2" },
		{ "psa", "psa" },
		{ "ki67", "ki67" },
		{ "gleason", "gleason" },
		{ "isup", "isup" },
		{ "ct", "ct" },
		{ "pt", "pt" },
		{ "cn", "cn" },
		{ "pn", "pn" },
		{ "cm", "cm" },
		{ "pm", "pm" },
		{ "birads", "birads" },
		{ "pirads", "pirads" },
	};
	struct vocab *v;

	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		assert_non_null(site_store_column(pairs[i][0]));
		assert_string_equal(site_store_column(pairs[i][0]), pairs[i][1]);
	}
	assert_null(site_store_column("collection_id"));
	assert_null(site_store_column("sex; DROP TABLE subjects"));
	assert_null(site_store_column("SEX"));
	assert_null(site_store_column(""));
	assert_null(site_store_column(NULL));
	/* Every criterion of the shipped vocabulary has a column. */
	v = test_vocab_load();
	for (size_t i = 0; i < v->n_fields; i++)
		assert_non_null(site_store_column(v->fields[i].alias));
	vocab_free(&v);
}

static void test_write_read_back(void **state)
{
	char *path = test_temp_path(tmpdir, "roundtrip.db");
	struct site_store *s;
	struct site_info info, back;
	struct site_subject_row row = {
		.id = 1,
		.collection_id = "c-1",
		.sex = "SNOMEDCT248152002",
		.diagnosis = "SNOMEDCT254837009",
		.er = "EUCAIM_Hyper-Ontology_V1.0.COM1001310",
		.age_at_diagnosis = 58,
		.year_of_diagnosis = 2019,
		.ki67 = 22.5,
		.psa = NAN,
	};
	struct site_subject_row blank = {
		.id = 2,
		.collection_id = "c-1",
		.age_at_diagnosis = NAN,
		.year_of_diagnosis = NAN,
		.ki67 = NAN,
		.psa = NAN,
	};
	struct site_study_row st = { 1, 1, "ECII.modality.MG", "SNOMEDCT76752008", "C200140", 2020,
		                     4, 96 };
	const unsigned char png[] = { 0x89, 'P', 'N', 'G', 0, 1, 2 };
	json_t *item = make_item("c-1", "Collection one"), *item2 = make_item("a-0", "Zero");
	json_t *list;
	sqlite3_stmt *q;
	char err[512] = "";

	s = site_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_begin(s, err, sizeof err), 0);
	fill_info(&info, "nl-test");
	assert_int_equal(site_store_write_info(s, &info, err, sizeof err), 0);
	/* Writing the site again replaces it: exactly one row. */
	assert_int_equal(site_store_write_info(s, &info, err, sizeof err), 0);
	assert_int_equal(site_store_write_collection(s, item, err, sizeof err), 0);
	assert_int_equal(site_store_write_collection(s, item2, err, sizeof err), 0);
	assert_int_equal(site_store_write_subject(s, &row, err, sizeof err), 0);
	assert_int_equal(site_store_write_subject(s, &blank, err, sizeof err), 0);
	/* Ids are primary keys. */
	assert_int_equal(site_store_write_subject(s, &blank, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(site_store_write_study(s, &st, err, sizeof err), 0);
	assert_int_equal(site_store_write_preview(s, "p-1", "c-1", "Axial T2", "image/png", png,
	                                          sizeof png, err, sizeof err),
	                 0);
	assert_int_equal(site_store_commit(s, err, sizeof err), 0);
	site_store_close(&s);

	s = site_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_read_info(s, &back, err, sizeof err), 0);
	assert_string_equal(back.id, "nl-test");
	assert_string_equal(back.name, "Test site");
	assert_string_equal(back.country, "NL");
	assert_memory_equal(back.secret, info.secret, sizeof info.secret);
	assert_int_equal(back.threshold, 10);
	assert_int_equal(back.rounding, 10);
	assert_true(fabs(back.epsilon - 0.28) < 1e-12);
	assert_true(back.synthetic);
	site_info_clear(&back);
	assert_null(back.id);

	list = site_store_read_collections(s, err, sizeof err);
	assert_non_null(list);
	assert_int_equal(json_array_size(list), 2);
	/* id order, items whole (escape sequences included). */
	assert_true(json_equal(json_array_get(list, 0), item2));
	assert_true(json_equal(json_array_get(list, 1), item));
	json_decref(list);

	assert_int_equal(
	    sqlite3_prepare_v2(site_store_db(s),
	                       "SELECT sex, age_at_diagnosis, year_of_diagnosis, er, pr,"
	                       " ki67, psa, typeof(psa), typeof(sex) FROM subjects"
	                       " ORDER BY id",
	                       -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "SNOMEDCT248152002");
	assert_true(sqlite3_column_double(q, 1) == 58);
	assert_int_equal(sqlite3_column_int(q, 2), 2019);
	assert_string_equal((const char *)sqlite3_column_text(q, 3),
	                    "EUCAIM_Hyper-Ontology_V1.0.COM1001310");
	assert_int_equal(sqlite3_column_type(q, 4), SQLITE_NULL);
	assert_true(sqlite3_column_double(q, 5) == 22.5);
	assert_string_equal((const char *)sqlite3_column_text(q, 7), "null");
	assert_string_equal((const char *)sqlite3_column_text(q, 8), "text");
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	for (int i = 0; i < 7; i++)
		assert_int_equal(sqlite3_column_type(q, i), SQLITE_NULL);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);

	assert_int_equal(sqlite3_prepare_v2(site_store_db(s),
	                                    "SELECT subject_id, modality, body_part, manufacturer,"
	                                    " study_year, series_count, image_count FROM studies",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	assert_string_equal((const char *)sqlite3_column_text(q, 1), "ECII.modality.MG");
	assert_string_equal((const char *)sqlite3_column_text(q, 2), "SNOMEDCT76752008");
	assert_string_equal((const char *)sqlite3_column_text(q, 3), "C200140");
	assert_int_equal(sqlite3_column_int(q, 4), 2020);
	assert_int_equal(sqlite3_column_int(q, 5), 4);
	assert_int_equal(sqlite3_column_int(q, 6), 96);
	sqlite3_finalize(q);

	assert_int_equal(sqlite3_prepare_v2(site_store_db(s),
	                                    "SELECT collection_id, title, media_type, bytes"
	                                    " FROM previews WHERE id = 'p-1'",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 1), "Axial T2");
	assert_int_equal(sqlite3_column_bytes(q, 3), sizeof png);
	assert_memory_equal(sqlite3_column_blob(q, 3), png, sizeof png);
	sqlite3_finalize(q);

	/* The commit built the studies index and the planner's statistics. */
	assert_int_equal(sqlite3_prepare_v2(site_store_db(s),
	                                    "SELECT (SELECT count(*) FROM sqlite_master WHERE"
	                                    " type = 'index' AND name = 'studies_subject'),"
	                                    " (SELECT count(*) FROM sqlite_master WHERE"
	                                    " name = 'sqlite_stat1')",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	assert_int_equal(sqlite3_column_int(q, 1), 1);
	sqlite3_finalize(q);
	site_store_close(&s);

	site_info_clear(&info);
	json_decref(item);
	json_decref(item2);
	free(path);
}

static void test_writes_without_transaction(void **state)
{
	char *path = test_temp_path(tmpdir, "autocommit.db");
	struct site_store *s;
	struct site_subject_row row = { .id = 1,
		                        .collection_id = "c",
		                        .age_at_diagnosis = NAN,
		                        .year_of_diagnosis = NAN,
		                        .ki67 = NAN,
		                        .psa = 4.25 };
	sqlite3_stmt *q;
	char err[512] = "";

	s = site_store_open(path, true, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_write_subject(s, &row, err, sizeof err), 0);
	site_store_close(&s);
	/* Closing still leaves it indexed. */
	s = site_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(sqlite3_prepare_v2(site_store_db(s),
	                                    "SELECT (SELECT psa FROM subjects WHERE id = 1),"
	                                    " (SELECT count(*) FROM sqlite_master WHERE"
	                                    " name = 'studies_subject')",
	                                    -1, &q, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_true(sqlite3_column_double(q, 0) == 4.25);
	assert_int_equal(sqlite3_column_int(q, 1), 1);
	sqlite3_finalize(q);
	site_store_close(&s);
	free(path);
}

static void test_read_leaves_no_trace(void **state)
{
	char *path = test_temp_path(tmpdir, "trace.db");
	char *journal = xasprintf("%s-journal", path), *wal = xasprintf("%s-wal", path);
	struct site_store *s;
	struct site_info info;
	struct stat before, after;
	char err[512] = "";
	json_t *list;

	write_store(path, 10);
	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(stat(path, &before), 0);
	s = site_store_open(path, false, err, sizeof err);
	assert_non_null(s);
	assert_int_equal(site_store_read_info(s, &info, err, sizeof err), 0);
	site_info_clear(&info);
	list = site_store_read_collections(s, err, sizeof err);
	assert_non_null(list);
	json_decref(list);
	site_store_close(&s);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_mtime, after.st_mtime);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(access(journal, F_OK), -1);
	assert_int_equal(access(wal, F_OK), -1);
	free(journal);
	free(wal);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_missing_file),
		cmocka_unit_test(test_open_not_a_database),
		cmocka_unit_test(test_open_empty_file),
		cmocka_unit_test(test_open_directory),
		cmocka_unit_test(test_open_newer_schema),
		cmocka_unit_test(test_open_older_schema),
		cmocka_unit_test(test_open_foreign_sqlite),
		cmocka_unit_test(test_open_catalogue_as_site),
		cmocka_unit_test(test_open_truncated),
		cmocka_unit_test(test_create_twice),
		cmocka_unit_test(test_create_over_other_file),
		cmocka_unit_test(test_create_in_missing_dir),
		cmocka_unit_test(test_no_site_row),
		cmocka_unit_test(test_bad_secret),
		cmocka_unit_test(test_read_only_refuses_writes),
		cmocka_unit_test(test_transaction_misuse),
		cmocka_unit_test(test_column_table),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_writes_without_transaction),
		cmocka_unit_test(test_read_leaves_no_trace),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
