/* demo/demo_gen.c: broken descriptions and unusable output places first;
 * then the shipped description (data/demo/federation.json) made twice must
 * give identical files, and its rows must hold the promised distributions,
 * totals and catalogue numbers. */
#include "config.h"

#include <errno.h>
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
#include "demo/demo_gen.h"
#include "img/dicom.h"
#include "store/catalogue_store.h"
#include "store/site_store.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/xmalloc.h"

#include "support.h"

static struct vocab *vocab;
static json_t *description; /* data/demo/federation.json */
static char *tmpdir;
static char *dir_a; /* the federation, made once by the group setup */

/* ---- helpers ----------------------------------------------------------- */

static char *temp_dir(const char *name)
{
	char *path = test_temp_path(tmpdir, name);

	assert_int_equal(mkdir(path, 0755), 0);
	return path;
}

/* The code of a value, looked up by field and value alias. */
static const char *code(const char *field, const char *value)
{
	const struct vocab_field *f = vocab_field_find(vocab, field);
	int i;

	assert_non_null(f);
	i = vocab_value_find(f, value);
	assert_true(i >= 0);
	return f->values[i].code;
}

static sqlite3 *open_ro(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return db;
}

/* Prepares sql and binds the text arguments in ap (NULL ends them). */
static sqlite3_stmt *prepv(sqlite3 *db, const char *sql, va_list ap)
{
	sqlite3_stmt *st = NULL;
	const char *arg;
	int i = 1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while ((arg = va_arg(ap, const char *)) != NULL)
		sqlite3_bind_text(st, i++, arg, -1, SQLITE_TRANSIENT);
	return st;
}

/* Prepares sql and binds the text arguments that follow (NULL ends them). */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, sql);
	st = prepv(db, sql, ap);
	va_end(ap);
	return st;
}

/* The first column of the first row as a double; NAN for NULL or no row. */
static double scalar(sqlite3 *db, const char *sql, ...)
{
	sqlite3_stmt *st;
	double x = NAN;
	va_list ap;

	va_start(ap, sql);
	st = prepv(db, sql, ap);
	va_end(ap);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		x = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return x;
}

static char *site_path(const char *dir, const char *site_id)
{
	return xasprintf("%s/site-%s.db", dir, site_id);
}

static size_t n_desc_sites(void)
{
	return json_array_size(json_object_get(description, "sites"));
}

static const char *desc_site_id(size_t i)
{
	return json_string_value(
	    json_object_get(json_array_get(json_object_get(description, "sites"), i), "id"));
}

/* A digest of every table's every row (type and bytes of each value), in
 * rowid order, and of the schema; *rows counts the rows seen. */
static void digest_db(const char *path, char out[2 * HASH_SHA256_LEN + 1], long *rows)
{
	struct buf b = BUF_INIT;
	sqlite3 *db = open_ro(path);
	sqlite3_stmt *tables = prep(db,
	                            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
	                            " ORDER BY name",
	                            NULL);

	*rows = 0;
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		char *sql = xasprintf("SELECT * FROM \"%s\" ORDER BY rowid", name);
		sqlite3_stmt *st = prep(db, sql, NULL);

		buf_printf(&b, "table %s %s\n", name, sqlite3_column_text(tables, 1));
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				int type = sqlite3_column_type(st, c);
				const void *p = sqlite3_column_blob(st, c);
				int n = sqlite3_column_bytes(st, c);

				buf_printf(&b, "%d:%d:", type, n);
				if (n > 0)
					buf_append(&b, p, (size_t)n);
			}
			buf_putc(&b, '\n');
			(*rows)++;
		}
		sqlite3_finalize(st);
		free(sql);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	hash_sha256_hex(b.data != NULL ? b.data : "", b.len, out);
	buf_free(&b);
}

static void make_federation(const char *dir, json_t *doc)
{
	struct demo_spec *spec;
	char err[512] = "";

	spec = demo_gen_parse(vocab, doc, err, sizeof err);
	if (spec == NULL)
		fail_msg("parse: %s", err);
	if (demo_gen_federation(spec, dir, NULL, NULL, err, sizeof err) != 0)
		fail_msg("generate: %s", err);
	demo_gen_free(&spec);
	assert_null(spec);
}

/* A small valid description the degenerate tests break one way each. */
static json_t *small_description(void)
{
	json_t *doc = json_loads(
	    "{\"seed\": 3, \"sites\": [{\"id\": \"xx-one\", \"name\": \"One\","
	    " \"country\": \"NL\"}],"
	    " \"collections\": [{\"id\": \"c-1\", \"name\": \"C one\", \"acronym\": \"C1\","
	    " \"site\": \"xx-one\", \"cancer\": \"prostate\", \"subjects\": 40,"
	    " \"years\": [2010, 2012], \"access\": \"PUBLIC\", \"intended_purpose\": \"p\","
	    " \"terms_of_use\": \"t\", \"contact\": {\"name\": \"n\", \"email\": \"e@x\"},"
	    " \"description\": \"d\", \"studies\": {\"modalities\": {\"mr\": 3, \"ct\": 1},"
	    " \"body_parts\": [\"prostate\"], \"manufacturers\": {\"ge\": 1}}}]}",
	    0, NULL);

	assert_non_null(doc);
	return doc;
}

static json_t *first_collection(json_t *doc)
{
	return json_array_get(json_object_get(doc, "collections"), 0);
}

static void expect_parse_error(json_t *doc, const char *what)
{
	struct demo_spec *spec;
	char err[512] = "";

	spec = demo_gen_parse(vocab, doc, err, sizeof err);
	if (spec != NULL)
		fail_msg("a description with a bad %s was accepted", what);
	if (strstr(err, what) == NULL)
		fail_msg("error '%s' does not mention '%s'", err, what);
	json_decref(doc);
}

static int group_setup(void **state)
{
	char err[512], *path;
	json_error_t jerr;

	vocab = test_vocab_load();
	path = test_source_path("data/demo/federation.json");
	description = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	free(path);
	if (description == NULL) {
		fprintf(stderr, "# federation.json: %s\n", jerr.text);
		return -1;
	}
	tmpdir = test_tmpdir("demo");
	dir_a = xasprintf("%s/a", tmpdir);
	if (mkdir(dir_a, 0755) != 0)
		return -1;
	{
		struct demo_spec *spec = demo_gen_parse(vocab, description, err, sizeof err);

		if (spec == NULL ||
		    demo_gen_federation(spec, dir_a, NULL, NULL, err, sizeof err) != 0) {
			fprintf(stderr, "# %s\n", err);
			demo_gen_free(&spec);
			return -1;
		}
		demo_gen_free(&spec);
	}
	return 0;
}

static int group_teardown(void **state)
{
	test_rmtree(tmpdir);
	free(tmpdir);
	free(dir_a);
	json_decref(description);
	vocab_free(&vocab);
	return 0;
}

/* ---- degenerate input -------------------------------------------------- */

static void test_parse_rejects(void **state)
{
	struct demo_spec *spec;
	char err[512] = "";
	json_t *doc, *c;

	/* The base is good: each case below breaks exactly one thing. */
	doc = small_description();
	spec = demo_gen_parse(vocab, doc, err, sizeof err);
	assert_non_null(spec);
	assert_int_equal(demo_gen_total_subjects(spec), 40);
	assert_int_equal(demo_gen_n_sites(spec), 1);
	assert_string_equal(demo_gen_site_id(spec, 0), "xx-one");
	assert_null(demo_gen_site_id(spec, 1));
	demo_gen_free(&spec);
	demo_gen_free(&spec);
	demo_gen_free(NULL);
	json_decref(doc);

	assert_null(demo_gen_parse(vocab, NULL, err, sizeof err));
	expect_parse_error(json_array(), "JSON object");
	doc = small_description();
	json_object_del(doc, "seed");
	expect_parse_error(doc, "seed");
	doc = small_description();
	json_object_set_new(doc, "seed", json_integer(-1));
	expect_parse_error(doc, "seed");
	doc = small_description();
	json_object_set_new(doc, "sites", json_array());
	expect_parse_error(doc, "sites");
	doc = small_description();
	json_object_set_new(json_array_get(json_object_get(doc, "sites"), 0), "id",
	                    json_string("../evil"));
	expect_parse_error(doc, "id must be");
	doc = small_description();
	json_array_append(json_object_get(doc, "sites"),
	                  json_array_get(json_object_get(doc, "sites"), 0));
	expect_parse_error(doc, "described twice");
	doc = small_description();
	json_array_append_new(json_object_get(doc, "collections"),
	                      json_deep_copy(first_collection(doc)));
	expect_parse_error(doc, "described twice");

	doc = small_description();
	json_object_set_new(first_collection(doc), "site", json_string("yy-two"));
	expect_parse_error(doc, "no site 'yy-two'");
	doc = small_description();
	json_object_set_new(first_collection(doc), "cancer", json_string("melanoma"));
	expect_parse_error(doc, "cancer");
	doc = small_description();
	json_object_set_new(first_collection(doc), "subjects", json_integer(0));
	expect_parse_error(doc, "subjects");
	doc = small_description();
	json_object_set_new(first_collection(doc), "subjects", json_string("40"));
	expect_parse_error(doc, "subjects");
	doc = small_description();
	json_object_set_new(first_collection(doc), "years", json_pack("[i, i]", 2020, 2010));
	expect_parse_error(doc, "years");
	doc = small_description();
	json_object_set_new(first_collection(doc), "years", json_pack("[i, i]", 1980, 1995));
	expect_parse_error(doc, "years");
	doc = small_description();
	json_object_set_new(first_collection(doc), "access", json_string("OPEN"));
	expect_parse_error(doc, "access");
	doc = small_description();
	json_object_del(first_collection(doc), "contact");
	expect_parse_error(doc, "contact");
	doc = small_description();
	c = json_object_get(first_collection(doc), "studies");
	json_object_set_new(json_object_get(c, "modalities"), "xray", json_integer(1));
	expect_parse_error(doc, "unknown modality 'xray'");
	doc = small_description();
	c = json_object_get(first_collection(doc), "studies");
	json_object_set_new(json_object_get(c, "modalities"), "mr", json_integer(0));
	expect_parse_error(doc, "positive weight");
	doc = small_description();
	c = json_object_get(first_collection(doc), "studies");
	json_object_set_new(c, "manufacturers", json_object());
	expect_parse_error(doc, "at least one");
	doc = small_description();
	c = json_object_get(first_collection(doc), "studies");
	json_object_set_new(c, "body_parts", json_pack("[s, s]", "prostate", "prostate"));
	expect_parse_error(doc, "repeated");
	doc = small_description();
	c = json_object_get(first_collection(doc), "studies");
	json_object_set_new(c, "per_subject", json_real(0.5));
	expect_parse_error(doc, "per_subject");
}

static void test_bench_rejects(void **state)
{
	char err[512] = "";

	assert_null(demo_gen_bench(vocab, 0, 1, 2.5, err, sizeof err));
	assert_non_null(strstr(err, "subjects"));
	assert_null(demo_gen_bench(vocab, DEMO_GEN_MAX_SUBJECTS + 1, 1, 2.5, err, sizeof err));
	assert_null(demo_gen_bench(vocab, 100, 1, 0.5, err, sizeof err));
	assert_non_null(strstr(err, "per_subject"));
	assert_null(demo_gen_bench(vocab, 100, 1, 25, err, sizeof err));
}

static void test_federation_refuses_bad_places(void **state)
{
	json_t *doc = small_description();
	struct demo_spec *spec;
	char err[512] = "", *missing = xasprintf("%s/no/such/dir", tmpdir);
	char *dir, *cat, *site, buf[8] = "";
	FILE *f;

	spec = demo_gen_parse(vocab, doc, err, sizeof err);
	assert_non_null(spec);
	assert_int_equal(demo_gen_federation(spec, missing, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, missing));

	/* A catalogue already there: nothing is written. */
	dir = temp_dir("has-catalogue");
	cat = xasprintf("%s/catalogue.db", dir);
	site = site_path(dir, "xx-one");
	test_write_file(cat, "", 0);
	assert_int_equal(demo_gen_federation(spec, dir, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(access(site, F_OK), -1);
	free(cat);
	free(site);
	free(dir);

	/* A site file already there: it is left alone, no catalogue made. */
	dir = temp_dir("has-site");
	cat = xasprintf("%s/catalogue.db", dir);
	site = site_path(dir, "xx-one");
	test_write_file(site, "mine", 4);
	assert_int_equal(demo_gen_federation(spec, dir, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(access(cat, F_OK), -1);
	f = fopen(site, "r");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 4);
	fclose(f);
	assert_string_equal(buf, "mine");
	free(cat);
	free(site);
	free(dir);

	/* One site's file must not exist either. */
	site = test_temp_path(tmpdir, "exists.db");
	test_write_file(site, "", 0);
	assert_int_equal(demo_gen_site(spec, 0, site, NULL, NULL, NULL, err, sizeof err), -1);
	assert_int_equal(access(site, F_OK), 0);
	assert_int_equal(demo_gen_site(spec, 5, site, NULL, NULL, NULL, err, sizeof err), -1);
	free(site);

	demo_gen_free(&spec);
	json_decref(doc);
	free(missing);
}

/* ---- real cases ------------------------------------------------------ */

static void test_deterministic(void **state)
{
	char *dir_b = temp_dir("b");
	char da[2 * HASH_SHA256_LEN + 1], db[2 * HASH_SHA256_LEN + 1];
	long rows_a, rows_b, total = 0;

	make_federation(dir_b, description);
	for (size_t i = 0; i <= n_desc_sites(); i++) {
		char *a, *b;

		if (i < n_desc_sites()) {
			a = site_path(dir_a, desc_site_id(i));
			b = site_path(dir_b, desc_site_id(i));
		} else {
			a = xasprintf("%s/catalogue.db", dir_a);
			b = xasprintf("%s/catalogue.db", dir_b);
		}
		digest_db(a, da, &rows_a);
		digest_db(b, db, &rows_b);
		if (i < n_desc_sites()) {
			/* The digests cover the previews' bytes: there are some. */
			sqlite3 *site = open_ro(a);

			assert_true(scalar(site, "SELECT count(*) FROM previews", NULL) >= 1);
			sqlite3_close(site);
		}
		assert_true(rows_a > 0);
		assert_int_equal(rows_a, rows_b);
		assert_string_equal(da, db);
		total += rows_a;
		free(a);
		free(b);
	}
	assert_true(total > 70000);
	free(dir_b);
}

static void test_seed_changes_data(void **state)
{
	char *p1 = test_temp_path(tmpdir, "s5.db"), *p2 = test_temp_path(tmpdir, "s5-again.db"),
	     *p3 = test_temp_path(tmpdir, "s6.db");
	char d1[2 * HASH_SHA256_LEN + 1], d2[2 * HASH_SHA256_LEN + 1], d3[2 * HASH_SHA256_LEN + 1];
	struct demo_spec *s5, *s6;
	char err[512] = "";
	long r1, r2, r3;

	s5 = demo_gen_bench(vocab, 2000, 5, 2.5, err, sizeof err);
	s6 = demo_gen_bench(vocab, 2000, 6, 2.5, err, sizeof err);
	assert_non_null(s5);
	assert_non_null(s6);
	assert_int_equal(demo_gen_site(s5, 0, p1, NULL, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(demo_gen_site(s5, 0, p2, NULL, NULL, NULL, err, sizeof err), 0);
	assert_int_equal(demo_gen_site(s6, 0, p3, NULL, NULL, NULL, err, sizeof err), 0);
	digest_db(p1, d1, &r1);
	digest_db(p2, d2, &r2);
	digest_db(p3, d3, &r3);
	assert_string_equal(d1, d2);
	assert_string_not_equal(d1, d3);
	demo_gen_free(&s5);
	demo_gen_free(&s6);
	free(p1);
	free(p2);
	free(p3);
}

static void test_totals(void **state)
{
	const char *dx[] = { "prostate", "breast", "lung", "colon", "rectum" };
	double subjects = 0, studies = 0, by_dx[5] = { 0 };
	json_t *countries = json_object();

	assert_true(n_desc_sites() >= 4);
	assert_true(json_array_size(json_object_get(description, "collections")) >= 20);
	for (size_t i = 0; i < n_desc_sites(); i++) {
		char *path = site_path(dir_a, desc_site_id(i));
		sqlite3 *db = open_ro(path);

		subjects += scalar(db, "SELECT count(*) FROM subjects", NULL);
		studies += scalar(db, "SELECT count(*) FROM studies", NULL);
		for (int k = 0; k < 5; k++)
			by_dx[k] += scalar(db, "SELECT count(*) FROM subjects WHERE diagnosis = ?",
			                   code("diagnosis", dx[k]), NULL);
		json_object_set_new(
		    countries,
		    json_string_value(json_object_get(
		        json_array_get(json_object_get(description, "sites"), i), "country")),
		    json_true());
		sqlite3_close(db);
		free(path);
	}
	assert_true(json_object_size(countries) >= 4);
	assert_true(subjects >= 20000);
	assert_true(studies >= 50000);
	for (int k = 0; k < 5; k++)
		assert_true(by_dx[k] > 100);
	assert_true(by_dx[0] + by_dx[1] + by_dx[2] + by_dx[3] + by_dx[4] == subjects);
	json_decref(countries);
}

static void test_site_rows(void **state)
{
	long long seed = json_integer_value(json_object_get(description, "seed"));

	for (size_t i = 0; i < n_desc_sites(); i++) {
		json_t *want = json_array_get(json_object_get(description, "sites"), i);
		char *path = site_path(dir_a, desc_site_id(i)), *text, err[256];
		struct site_store *s = site_store_open(path, false, err, sizeof err);
		struct site_info info;
		uint8_t secret[HASH_SHA256_LEN];

		assert_non_null(s);
		assert_int_equal(site_store_read_info(s, &info, err, sizeof err), 0);
		assert_string_equal(info.id, desc_site_id(i));
		assert_string_equal(info.name, json_string_value(json_object_get(want, "name")));
		assert_string_equal(info.country,
		                    json_string_value(json_object_get(want, "country")));
		assert_int_equal(info.threshold, 10);
		assert_int_equal(info.rounding, 10);
		assert_true(fabs(info.epsilon - 0.28) < 1e-12);
		assert_true(info.synthetic);
		text = xasprintf("ecii demo secret:%s:%lld", info.id, seed);
		hash_sha256(text, strlen(text), secret);
		assert_memory_equal(info.secret, secret, sizeof secret);
		free(text);
		site_info_clear(&info);
		site_store_close(&s);
		free(path);
	}
}

static void test_ids_dense_and_ordered(void **state)
{
	for (size_t i = 0; i < n_desc_sites(); i++) {
		char *path = site_path(dir_a, desc_site_id(i));
		sqlite3 *db = open_ro(path);
		double n = scalar(db, "SELECT count(*) FROM subjects", NULL);
		double m = scalar(db, "SELECT count(*) FROM studies", NULL);

		assert_true(n > 0 && m > n);
		assert_true(scalar(db, "SELECT min(id) FROM subjects", NULL) == 1);
		assert_true(scalar(db, "SELECT max(id) FROM subjects", NULL) == n);
		assert_true(scalar(db, "SELECT min(id) FROM studies", NULL) == 1);
		assert_true(scalar(db, "SELECT max(id) FROM studies", NULL) == m);
		/* Studies in subject order, every subject with one at least. */
		assert_true(
		    scalar(db,
		           "SELECT count(*) FROM studies a JOIN studies b ON b.id = a.id + 1"
		           " WHERE b.subject_id < a.subject_id",
		           NULL) == 0);
		assert_true(scalar(db, "SELECT count(DISTINCT subject_id) FROM studies", NULL) ==
		            n);
		assert_true(scalar(db,
		                   "SELECT count(*) FROM studies WHERE subject_id NOT IN"
		                   " (SELECT id FROM subjects)",
		                   NULL) == 0);
		/* Subjects of one collection are one run of ids. */
		assert_true(
		    scalar(db,
		           "SELECT count(*) FROM subjects a JOIN subjects b ON b.id = a.id + 1"
		           " WHERE b.collection_id <> a.collection_id",
		           NULL) ==
		    scalar(db, "SELECT count(DISTINCT collection_id) - 1 FROM subjects", NULL));
		sqlite3_close(db);
		free(path);
	}
}

static void test_codes_in_vocabulary(void **state)
{
	for (size_t i = 0; i < n_desc_sites(); i++) {
		char *path = site_path(dir_a, desc_site_id(i));
		sqlite3 *db = open_ro(path);

		for (size_t k = 0; k < vocab->n_fields; k++) {
			const struct vocab_field *f = &vocab->fields[k];
			const char *table = f->level == VOCAB_STUDY ? "studies" : "subjects";
			char *sql;
			sqlite3_stmt *st;

			/* The column comes from the store's fixed table. */
			assert_non_null(site_store_column(f->alias));
			sql = xasprintf("SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL",
			                site_store_column(f->alias), table,
			                site_store_column(f->alias));
			st = prep(db, sql, NULL);
			while (sqlite3_step(st) == SQLITE_ROW) {
				if (f->type == VOCAB_CATEGORICAL) {
					const char *c = (const char *)sqlite3_column_text(st, 0);

					if (sqlite3_column_type(st, 0) != SQLITE_TEXT ||
					    vocab_value_by_code(f, c) < 0)
						fail_msg("%s: '%s' is not a %s code", path, c,
						         f->alias);
				} else {
					double x = sqlite3_column_double(st, 0);

					if (!(x >= f->min && x <= f->max))
						fail_msg("%s: %s %g out of range", path, f->alias,
						         x);
				}
			}
			sqlite3_finalize(st);
			free(sql);
		}
		sqlite3_close(db);
		free(path);
	}
}

/* Sums over every site of the federation. */
static double sum_sites(const char *sql, ...)
{
	const char *args[4] = { NULL, NULL, NULL, NULL };
	double total = 0;
	va_list ap;

	va_start(ap, sql);
	for (int i = 0; i < 3 && (args[i] = va_arg(ap, const char *)) != NULL; i++)
		;
	va_end(ap);
	for (size_t i = 0; i < n_desc_sites(); i++) {
		char *path = site_path(dir_a, desc_site_id(i));
		sqlite3 *db = open_ro(path);
		double x = scalar(db, sql, args[0], args[1], args[2], NULL);

		total += isnan(x) ? 0 : x;
		sqlite3_close(db);
		free(path);
	}
	return total;
}

static void test_prostate(void **state)
{
	const char *pros = code("diagnosis", "prostate");
	double n = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ?", pros, NULL);
	double male = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ? AND sex = ?",
	                        pros, code("sex", "male"), NULL);
	double psa_n, low, age;
	struct {
		const char *gleason;
		const char *isup;
	} pairs[] = { { "6", "1" }, { "7", "2" }, { "7", "3" },
		      { "8", "4" }, { "9", "5" }, { "10", "5" } };
	double consistent = 0, graded;

	assert_true(n > 5000);
	assert_true(male == n);
	/* PSA only for prostate cancer, log-normal around 7 ng/mL. */
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE psa IS NOT NULL AND"
	                      " diagnosis <> ?",
	                      pros, NULL) == 0);
	psa_n = sum_sites("SELECT count(*) FROM subjects WHERE psa IS NOT NULL", NULL);
	assert_true(psa_n > 0.9 * n && psa_n < n);
	low = sum_sites("SELECT count(*) FROM subjects WHERE psa < 7", NULL);
	assert_true(low / psa_n > 0.40 && low / psa_n < 0.60);
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE psa > 50", NULL) > 0);
	/* Age ~ N(66, 8). */
	age = sum_sites("SELECT sum(age_at_diagnosis) FROM subjects WHERE diagnosis = ?", pros,
	                NULL) /
	      sum_sites("SELECT count(age_at_diagnosis) FROM subjects WHERE diagnosis = ?", pros,
	                NULL);
	assert_true(age > 65 && age < 67);
	/* ISUP follows Gleason: 6->1, 7->2 or 3, 8->4, 9 and 10->5. */
	graded = sum_sites("SELECT count(*) FROM subjects WHERE gleason IS NOT NULL", NULL);
	assert_true(graded > 0.85 * n);
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE (gleason IS NULL) <>"
	                      " (isup IS NULL)",
	                      NULL) == 0);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		double k =
		    sum_sites("SELECT count(*) FROM subjects WHERE gleason = ? AND isup = ?",
		              code("gleason", pairs[i].gleason), code("isup", pairs[i].isup), NULL);

		assert_true(k > 0);
		consistent += k;
	}
	assert_true(consistent == graded);
	/* PI-RADS and markers by cancer. */
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE pirads IS NOT NULL AND"
	                      " diagnosis <> ?",
	                      pros, NULL) == 0);
	assert_true(sum_sites("SELECT count(DISTINCT pirads) FROM subjects", NULL) >= 5);
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ? AND"
	                      " (er IS NOT NULL OR her2 IS NOT NULL OR birads IS NOT NULL)",
	                      pros, NULL) == 0);
}

static void test_breast(void **state)
{
	const char *brst = code("diagnosis", "breast");
	const char *pos = code("er", "positive");
	double n = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ?", brst, NULL);
	double female = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ? AND sex = ?",
	                          brst, code("sex", "female"), NULL);
	double er = sum_sites("SELECT count(er) FROM subjects", NULL);
	double er_pos = sum_sites("SELECT count(*) FROM subjects WHERE er = ?", pos, NULL);
	double pr = sum_sites("SELECT count(pr) FROM subjects", NULL);
	double pr_pos =
	    sum_sites("SELECT count(*) FROM subjects WHERE pr = ?", code("pr", "positive"), NULL);
	double age;

	assert_true(n > 5000);
	assert_true(female / n > 0.97 && female < n);
	assert_true(er > 0.9 * n && er < n);
	assert_true(er_pos / er > 0.72 && er_pos / er < 0.78);
	assert_true(pr_pos / pr > 0.60 && pr_pos / pr < 0.70);
	assert_true(sum_sites("SELECT count(DISTINCT her2) FROM subjects", NULL) >= 4);
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE ki67 < 0 OR ki67 > 90", NULL) ==
	            0);
	assert_true(sum_sites("SELECT count(ki67) FROM subjects", NULL) > 0.8 * n);
	assert_true(sum_sites("SELECT count(birads) FROM subjects", NULL) > 0.8 * n);
	/* Breast markers only for breast cancer. */
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE diagnosis <> ? AND"
	                      " (er IS NOT NULL OR pr IS NOT NULL OR her2 IS NOT NULL OR"
	                      " ki67 IS NOT NULL OR birads IS NOT NULL)",
	                      brst, NULL) == 0);
	age = sum_sites("SELECT sum(age_at_diagnosis) FROM subjects WHERE diagnosis = ?", brst,
	                NULL) /
	      sum_sites("SELECT count(age_at_diagnosis) FROM subjects WHERE diagnosis = ?", brst,
	                NULL);
	assert_true(age > 55 && age < 61);
}

static void test_lung_and_colorectal(void **state)
{
	const char *lung = code("diagnosis", "lung");
	const char *male = code("sex", "male");
	double n = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ?", lung, NULL);
	double m = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ? AND sex = ?", lung,
	                     male, NULL);
	double colon = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ?",
	                         code("diagnosis", "colon"), NULL);
	double rectum = sum_sites("SELECT count(*) FROM subjects WHERE diagnosis = ?",
	                          code("diagnosis", "rectum"), NULL);
	double age = sum_sites("SELECT sum(age_at_diagnosis) FROM subjects WHERE diagnosis = ?",
	                       lung, NULL) /
	             sum_sites("SELECT count(age_at_diagnosis) FROM subjects WHERE diagnosis = ?",
	                       lung, NULL);

	assert_true(m / n > 0.50 && m / n < 0.60);
	assert_true(age > 66.5 && age < 69.5);
	assert_true(colon > 1000 && rectum > 1000);
	/* TNM recorded for most, not for all. */
	assert_true(sum_sites("SELECT count(ct) FROM subjects", NULL) >
	            0.9 * sum_sites("SELECT count(*) FROM subjects", NULL));
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE ct IS NULL", NULL) > 0);
	assert_true(sum_sites("SELECT count(*) FROM subjects WHERE cm = ? AND diagnosis = ?",
	                      code("cm", "m1"), lung, NULL) /
	                n >
	            0.3);
}

/* Every collection's studies follow its described mix, years and counts. */
static void test_study_mix(void **state)
{
	json_t *collections = json_object_get(description, "collections"), *c;
	size_t i;

	json_array_foreach (collections, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		const char *site = json_string_value(json_object_get(c, "site"));
		json_t *studies = json_object_get(c, "studies"),
		       *years = json_object_get(c, "years");
		json_t *mods = json_object_get(studies, "modalities");
		json_t *per = json_object_get(studies, "per_subject");
		char *path = site_path(dir_a, site), from[8], to[8];
		sqlite3 *db = open_ro(path);
		double n_sub, n_st, total = 0, described = 0;
		const char *alias;
		json_t *w;

		n_sub =
		    scalar(db, "SELECT count(*) FROM subjects WHERE collection_id = ?", id, NULL);
		n_st = scalar(db,
		              "SELECT count(*) FROM studies JOIN subjects s ON s.id = subject_id"
		              " WHERE s.collection_id = ?",
		              id, NULL);
		assert_true(n_sub == json_integer_value(json_object_get(c, "subjects")));
		assert_true(fabs(n_st / n_sub - (per != NULL ? json_number_value(per) : 2.5)) <
		            0.2);
		json_object_foreach (mods, alias, w)
			total += json_number_value(w);
		json_object_foreach (mods, alias, w) {
			double k = scalar(db,
			                  "SELECT count(*) FROM studies JOIN subjects s ON"
			                  " s.id = subject_id WHERE s.collection_id = ? AND"
			                  " modality = ?",
			                  id, code("modality", alias), NULL);

			described += k;
			assert_true(fabs(k / n_st - json_number_value(w) / total) < 0.05);
		}
		/* Nothing outside the described modalities, body parts, vendors. */
		assert_true(described == n_st);
		{
			static const char *const keys[][2] = {
				{ "body_parts", "body_part" }, { "manufacturers", "manufacturer" }
			};

			for (int k = 0; k < 2; k++) {
				json_t *mix = json_object_get(studies, keys[k][0]);
				const char *field = k == 0 ? "bodypart" : "manufacturer";
				char *sql = xasprintf("SELECT count(*) FROM studies JOIN subjects s"
				                      " ON s.id = subject_id WHERE"
				                      " s.collection_id = ? AND %s = ?",
				                      keys[k][1]);
				double seen = 0;
				size_t j;
				json_t *v;

				if (json_is_array(mix)) {
					json_array_foreach (mix, j, v)
						seen +=
						    scalar(db, sql, id,
						           code(field, json_string_value(v)), NULL);
				} else {
					json_object_foreach (mix, alias, v)
						seen +=
						    scalar(db, sql, id, code(field, alias), NULL);
				}
				assert_true(seen == n_st);
				free(sql);
			}
		}
		snprintf(from, sizeof from, "%lld",
		         (long long)json_integer_value(json_array_get(years, 0)));
		snprintf(to, sizeof to, "%lld",
		         (long long)json_integer_value(json_array_get(years, 1)));
		assert_true(scalar(db,
		                   "SELECT count(*) FROM subjects WHERE collection_id = ? AND"
		                   " (year_of_diagnosis < CAST(? AS INTEGER) OR"
		                   " year_of_diagnosis > CAST(? AS INTEGER))",
		                   id, from, to, NULL) == 0);
		assert_true(
		    scalar(db,
		           "SELECT count(*) FROM studies JOIN subjects s ON s.id = subject_id"
		           " WHERE s.collection_id = ? AND (study_year < CAST(? AS INTEGER)"
		           " OR study_year > CAST(? AS INTEGER))",
		           id, from, to, NULL) == 0);
		sqlite3_close(db);
		free(path);
	}
	/* Shapes: 1..12 series of 20..400 images. */
	assert_true(sum_sites("SELECT count(*) FROM studies WHERE series_count < 1 OR"
	                      " series_count > 12 OR image_count < 20 * series_count OR"
	                      " image_count > 400 * series_count",
	                      NULL) == 0);
	assert_true(sum_sites("SELECT count(*) FROM (SELECT subject_id FROM studies GROUP BY"
	                      " subject_id HAVING count(*) > 12)",
	                      NULL) == 0);
}

/* The labels of the distinct values of column in a collection, in
 * vocabulary order, as a JSON array. */
static json_t *distinct_labels(sqlite3 *db, const char *field, const char *sql, const char *id)
{
	const struct vocab_field *f = vocab_field_find(vocab, field);
	json_t *out = json_array();

	for (size_t i = 0; i < f->n_values; i++)
		if (scalar(db, sql, id, f->values[i].code, NULL) > 0)
			json_array_append_new(out, json_string(f->values[i].label));
	return out;
}

#define STUDY_SQL                                                           \
	"SELECT count(*) FROM studies JOIN subjects s ON s.id = subject_id" \
	" WHERE s.collection_id = ? AND %s = ?"

static void test_catalogue_matches_tables(void **state)
{
	char *cat_path = xasprintf("%s/catalogue.db", dir_a), err[512] = "", *meta;
	struct catalogue_store *cat = catalogue_store_open(cat_path, false, err, sizeof err);
	json_t *items, *item;
	size_t i;

	assert_non_null(cat);
	meta = catalogue_store_get_meta(cat, "source");
	assert_string_equal(meta, "demo");
	free(meta);
	meta = catalogue_store_get_meta(cat, "synthetic");
	assert_string_equal(meta, "1");
	free(meta);
	items = catalogue_store_list(cat, err, sizeof err);
	assert_non_null(items);
	assert_int_equal(json_array_size(items),
	                 json_array_size(json_object_get(description, "collections")));
	json_array_foreach (items, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		const char *site =
		    json_string_value(json_object_get(json_object_get(item, "provider"), "id"));
		char *path = site_path(dir_a, site), range[32];
		sqlite3 *db = open_ro(path);
		struct site_store *store = site_store_open(path, false, err, sizeof err);
		json_t *own, *want, *o;
		size_t j;
		int found = 0;
		char *sql;

		assert_non_null(store);
		assert_true(
		    json_integer_value(json_object_get(item, "number_of_subjects")) ==
		    scalar(db, "SELECT count(*) FROM subjects WHERE collection_id = ?", id, NULL));
		assert_true(
		    json_integer_value(json_object_get(item, "number_of_studies")) ==
		    scalar(db,
		           "SELECT count(*) FROM studies JOIN subjects s ON s.id = subject_id"
		           " WHERE s.collection_id = ?",
		           id, NULL));
		assert_true(json_integer_value(json_object_get(item, "number_of_series")) ==
		            scalar(db,
		                   "SELECT sum(series_count) FROM studies JOIN subjects s ON"
		                   " s.id = subject_id WHERE s.collection_id = ?",
		                   id, NULL));
		assert_true(json_integer_value(json_object_get(item, "age_low")) ==
		            scalar(db,
		                   "SELECT min(age_at_diagnosis) FROM subjects WHERE"
		                   " collection_id = ?",
		                   id, NULL));
		assert_true(json_integer_value(json_object_get(item, "age_high")) ==
		            scalar(db,
		                   "SELECT max(age_at_diagnosis) FROM subjects WHERE"
		                   " collection_id = ?",
		                   id, NULL));
		snprintf(range, sizeof range, "%.0f-%.0f",
		         scalar(db,
		                "SELECT min(study_year) FROM studies JOIN subjects s ON"
		                " s.id = subject_id WHERE s.collection_id = ?",
		                id, NULL),
		         scalar(db,
		                "SELECT max(study_year) FROM studies JOIN subjects s ON"
		                " s.id = subject_id WHERE s.collection_id = ?",
		                id, NULL));
		assert_string_equal(json_string_value(json_object_get(item, "image_year_range")),
		                    range);

		want = distinct_labels(db, "diagnosis",
		                       "SELECT count(*) FROM subjects WHERE collection_id = ? AND"
		                       " diagnosis = ?",
		                       id);
		assert_true(json_equal(json_object_get(item, "condition"), want));
		json_decref(want);
		want = distinct_labels(db, "sex",
		                       "SELECT count(*) FROM subjects WHERE collection_id = ? AND"
		                       " sex = ?",
		                       id);
		assert_true(json_equal(json_object_get(item, "sex"), want));
		json_decref(want);
		sql = xasprintf(STUDY_SQL, "modality");
		want = distinct_labels(db, "modality", sql, id);
		assert_true(json_equal(json_object_get(item, "imaging_modality"), want));
		json_decref(want);
		free(sql);
		sql = xasprintf(STUDY_SQL, "body_part");
		want = distinct_labels(db, "bodypart", sql, id);
		assert_true(json_equal(json_object_get(item, "body_part_examined"), want));
		json_decref(want);
		free(sql);
		sql = xasprintf(STUDY_SQL, "manufacturer");
		want = distinct_labels(db, "manufacturer", sql, id);
		assert_true(json_equal(json_object_get(item, "vendor"), want));
		json_decref(want);
		free(sql);

		assert_true(strncmp(json_string_value(json_object_get(item, "description")),
		                    "Synthetic demo data.", 20) == 0);
		assert_true(json_is_true(json_object_get(item, "synthetic")));
		assert_true(json_is_array(json_object_get(item, "previews")));
		assert_true(json_array_size(json_object_get(item, "previews")) >= 1);
		assert_non_null(json_string_value(json_object_get(item, "updated")));
		assert_non_null(json_string_value(json_object_get(item, "version")));
		assert_non_null(
		    json_string_value(json_object_get(json_object_get(item, "contact"), "email")));

		/* The site keeps the very same item. */
		own = site_store_read_collections(store, err, sizeof err);
		assert_non_null(own);
		json_array_foreach (own, j, o)
			if (json_equal(o, item))
				found++;
		assert_int_equal(found, 1);
		json_decref(own);
		site_store_close(&store);
		sqlite3_close(db);
		free(path);
	}
	json_decref(items);
	catalogue_store_close(&cat);
	free(cat_path);
}

static void test_escape_collection(void **state)
{
	char *cat_path = xasprintf("%s/catalogue.db", dir_a), err[512] = "";
	struct catalogue_store *cat = catalogue_store_open(cat_path, false, err, sizeof err);
	json_t *item;
	const char *name, *desc;

	assert_non_null(cat);
	item = catalogue_store_get(cat, "c-lung-03", err, sizeof err);
	assert_non_null(item);
	name = json_string_value(json_object_get(item, "name"));
	desc = json_string_value(json_object_get(item, "description"));
	assert_non_null(strstr(name, "\x1b[31m"));
	assert_non_null(strchr(name, '\a'));
	assert_non_null(strstr(desc, "\x1b]0;"));
	assert_non_null(strchr(desc, '\b'));
	json_decref(item);
	catalogue_store_close(&cat);
	free(cat_path);
}

/* The DICOM modality of a preview as the vocabulary's modality alias. */
static const char *modality_alias(const char *dicom_modality)
{
	static const char *const map[][2] = {
		{ "CT", "ct" }, { "MR", "mr" }, { "MG", "mg" }, { "PT", "pet" }
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i][0], dicom_modality) == 0)
			return map[i][1];
	fail_msg("a preview of modality '%s'", dicom_modality);
	return NULL;
}

static int json_has_string(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach (a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* Every collection lists 1 or 2 previews; each is in its site's store
 * under the same id, title and media type, parses as DICOM of one of the
 * collection's modalities with the promised frames, and ids are unique
 * across the federation. The store holds no preview the items do not
 * list. */
static void test_previews(void **state)
{
	char *cat_path = xasprintf("%s/catalogue.db", dir_a), err[512] = "";
	struct catalogue_store *cat = catalogue_store_open(cat_path, false, err, sizeof err);
	const struct vocab_field *modality = vocab_field_find(vocab, "modality");
	json_t *items, *item, *seen = json_object();
	size_t i, listed = 0, stored = 0, multi = 0;

	assert_non_null(cat);
	assert_non_null(modality);
	items = catalogue_store_list(cat, err, sizeof err);
	assert_non_null(items);
	json_array_foreach (items, i, item) {
		const char *cid = json_string_value(json_object_get(item, "id"));
		const char *site =
		    json_string_value(json_object_get(json_object_get(item, "provider"), "id"));
		json_t *previews = json_object_get(item, "previews"), *p;
		char *path = site_path(dir_a, site);
		sqlite3 *db = open_ro(path);
		size_t j;

		assert_true(json_array_size(previews) >= 1 && json_array_size(previews) <= 2);
		json_array_foreach (previews, j, p) {
			const char *id = json_string_value(json_object_get(p, "id"));
			const char *title = json_string_value(json_object_get(p, "title"));
			char *want_id = xasprintf("%s-%zu", cid, j + 1);
			sqlite3_stmt *st;
			struct dicom_image *img;
			int v;

			assert_int_equal(json_object_size(p), 3);
			assert_non_null(id);
			assert_string_equal(id, want_id);
			assert_null(json_object_get(seen, id));
			json_object_set_new(seen, id, json_true());
			assert_non_null(title);
			assert_non_null(strstr(title, "phantom"));
			assert_non_null(strstr(title, "(synthetic)"));
			assert_string_equal(json_string_value(json_object_get(p, "media_type")),
			                    "application/dicom");
			st = prep(db,
			          "SELECT collection_id, title, media_type, bytes FROM previews"
			          " WHERE id = ?",
			          id, NULL);
			assert_int_equal(sqlite3_step(st), SQLITE_ROW);
			assert_string_equal((const char *)sqlite3_column_text(st, 0), cid);
			assert_string_equal((const char *)sqlite3_column_text(st, 1), title);
			assert_string_equal((const char *)sqlite3_column_text(st, 2),
			                    "application/dicom");
			img = dicom_read(sqlite3_column_blob(st, 3),
			                 (size_t)sqlite3_column_bytes(st, 3), err, sizeof err);
			if (img == NULL)
				fail_msg("preview %s: %s", id, err);
			assert_null(dicom_no_preview(img));
			/* Its modality is one the item lists. */
			v = vocab_value_find(modality, modality_alias(img->modality));
			assert_true(v >= 0);
			assert_true(json_has_string(json_object_get(item, "imaging_modality"),
			                            modality->values[v].label));
			/* The title tells the frames. */
			if (img->frames > 1) {
				char *n = xasprintf("%u slices", img->frames);

				assert_non_null(strstr(title, n));
				free(n);
				multi++;
			}
			dicom_free(&img);
			sqlite3_finalize(st);
			free(want_id);
			listed++;
		}
		stored += (size_t)scalar(
		    db, "SELECT count(*) FROM previews WHERE collection_id = ?", cid, NULL);
		sqlite3_close(db);
		free(path);
	}
	assert_int_equal(stored, listed);
	/* Some previews have slices to step through. */
	assert_true(multi >= 1);
	json_decref(seen);
	json_decref(items);
	catalogue_store_close(&cat);
	free(cat_path);
}

struct progress_log {
	uint64_t calls, last_done, last_total;
	int backwards;
};

static void on_progress(uint64_t done, uint64_t total, void *arg)
{
	struct progress_log *log = arg;

	if (done < log->last_done)
		log->backwards = 1;
	log->calls++;
	log->last_done = done;
	log->last_total = total;
}

static void test_bench_site(void **state)
{
	char *path = test_temp_path(tmpdir, "bench.db"), err[512] = "";
	struct progress_log log = { 0 };
	struct demo_spec *spec;
	json_t *items = json_array(), *item;
	sqlite3 *db;
	size_t i;
	uint64_t subjects = 0;

	spec = demo_gen_bench(vocab, 20000, 11, 4.0, err, sizeof err);
	assert_non_null(spec);
	assert_int_equal(demo_gen_n_sites(spec), 1);
	assert_int_equal(demo_gen_total_subjects(spec), 20000);
	assert_int_equal(demo_gen_site(spec, 0, path, items, on_progress, &log, err, sizeof err),
	                 0);
	assert_true(log.calls >= 2);
	assert_false(log.backwards);
	assert_int_equal(log.last_done, 20000);
	assert_int_equal(log.last_total, 20000);
	db = open_ro(path);
	assert_true(scalar(db, "SELECT count(*) FROM subjects", NULL) == 20000);
	/* The four cancers are mixed in one site. */
	assert_true(scalar(db, "SELECT count(*) FROM subjects WHERE diagnosis = ?",
	                   code("diagnosis", "prostate"), NULL) > 3000);
	assert_true(scalar(db, "SELECT count(*) FROM subjects WHERE diagnosis = ?",
	                   code("diagnosis", "breast"), NULL) > 3000);
	assert_true(scalar(db, "SELECT count(*) FROM subjects WHERE diagnosis = ?",
	                   code("diagnosis", "lung"), NULL) > 3000);
	assert_true(scalar(db, "SELECT count(*) FROM subjects WHERE diagnosis IN (?, ?)",
	                   code("diagnosis", "colon"), code("diagnosis", "rectum"), NULL) > 3000);
	/* --studies-per-subject 4: the mean follows. */
	assert_true(fabs(scalar(db, "SELECT count(*) FROM studies", NULL) / 20000 - 4.0) < 0.1);
	/* Benchmarks have no previews. */
	assert_true(scalar(db, "SELECT count(*) FROM previews", NULL) == 0);
	sqlite3_close(db);
	assert_true(json_array_size(items) >= 8);
	json_array_foreach (items, i, item)
		subjects +=
		    (uint64_t)json_integer_value(json_object_get(item, "number_of_subjects"));
	assert_int_equal(subjects, 20000);
	json_decref(items);
	demo_gen_free(&spec);

	/* Tiny benchmarks still work: the remainder lands somewhere. */
	spec = demo_gen_bench(vocab, 1, 11, 2.5, err, sizeof err);
	assert_non_null(spec);
	assert_int_equal(demo_gen_total_subjects(spec), 1);
	demo_gen_free(&spec);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_bench_rejects),
		cmocka_unit_test(test_federation_refuses_bad_places),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_seed_changes_data),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_site_rows),
		cmocka_unit_test(test_ids_dense_and_ordered),
		cmocka_unit_test(test_codes_in_vocabulary),
		cmocka_unit_test(test_prostate),
		cmocka_unit_test(test_breast),
		cmocka_unit_test(test_lung_and_colorectal),
		cmocka_unit_test(test_study_mix),
		cmocka_unit_test(test_catalogue_matches_tables),
		cmocka_unit_test(test_escape_collection),
		cmocka_unit_test(test_previews),
		cmocka_unit_test(test_bench_site),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
