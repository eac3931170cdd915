/* The count engine against the plain SQL route on the demo federation's
 * site stores: seeded random queries, every collection count and every
 * stratifier cell must agree exactly. */
#include "config.h"

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/count.h"
#include "core/query_json.h"
#include "store/site_store.h"
#include "store/sql_count.h"
#include "util/rng.h"
#include "util/xmalloc.h"

#include "support.h"

#define N_QUERIES 240

static struct vocab *vocab;

struct site {
	struct site_store *store;
	struct site_data *data;
};
static struct site sites[16];
static size_t n_sites;

static void add_string_leaf(struct query_criterion *c, enum query_op op, const char *s)
{
	struct query_leaf *l = query_add_leaf(c, op);

	l->vtype = QUERY_VALUE_STRING;
	l->str = xstrdup(s);
}

static void random_categorical(struct rng *r, const struct vocab_field *f,
                               struct query_criterion *c)
{
	size_t n = 1 + rng_below(r, 3);
	uint64_t kind = rng_below(r, 20);

	if (kind == 0) { /* a code the site does not know */
		add_string_leaf(c, QUERY_EQUALS, "ECII.no.such.code");
	} else if (kind < 4) {
		add_string_leaf(c, QUERY_NOT_EQUALS, f->values[rng_below(r, f->n_values)].code);
	} else if (kind < 6) {
		struct query_leaf *l = query_add_leaf(c, QUERY_IN);

		l->vtype = QUERY_VALUE_STRINGS;
		l->n_strs = n;
		l->strs = xcalloc(n, sizeof *l->strs);
		for (size_t i = 0; i < n; i++)
			l->strs[i] = xstrdup(f->values[rng_below(r, f->n_values)].code);
	} else {
		for (size_t i = 0; i < n; i++)
			add_string_leaf(c, QUERY_EQUALS, f->values[rng_below(r, f->n_values)].code);
	}
}

/* A number near the field's data: a bin edge, or between two. */
static double random_number(struct rng *r, const struct vocab_field *f)
{
	const struct vocab_bin *b = &f->bins[rng_below(r, f->n_bins)];
	double hi = b->max > b->min + 200 ? b->min + 200 : b->max;

	if (rng_below(r, 3) == 0)
		return b->min;
	return floor((b->min + rng_uniform(r) * (hi - b->min)) * 2) / 2;
}

static void random_numeric(struct rng *r, const struct vocab_field *f, struct query_criterion *c)
{
	size_t n = rng_below(r, 4) == 0 ? 2 : 1;

	for (size_t i = 0; i < n; i++) {
		uint64_t kind = rng_below(r, 6);
		struct query_leaf *l;

		if (kind < 3) {
			double a = random_number(r, f), b = random_number(r, f);

			l = query_add_leaf(c, QUERY_BETWEEN);
			l->vtype = QUERY_VALUE_RANGE;
			l->min = kind == 2 ? NAN : fmin(a, b);
			l->max = fmax(a, b);
		} else {
			static const enum query_op ops[] = { QUERY_GREATER_THAN, QUERY_LOWER_THAN,
				                             QUERY_NOT_EQUALS };

			l = query_add_leaf(c, ops[kind - 3]);
			l->vtype = QUERY_VALUE_NUMBER;
			l->num = random_number(r, f);
		}
	}
}

static struct query *random_query(struct rng *r)
{
	struct query *q = query_new();
	size_t groups = rng_below(r, 20) == 0 ? 0 : rng_below(r, 5) == 0 ? 2 : 1;

	for (size_t g = 0; g < groups; g++) {
		struct query_group *grp = query_add_group(q);
		size_t n = 1 + rng_below(r, 5);

		for (size_t i = 0; i < n; i++) {
			const struct vocab_field *f = &vocab->fields[rng_below(r, vocab->n_fields)];
			struct query_criterion *c;

			if (rng_below(r, 60) == 0) {
				add_string_leaf(query_add_criterion(grp, "ECII.no.such.key"),
				                QUERY_EQUALS, "x");
				continue;
			}
			c = query_add_criterion(grp, f->key);
			if (f->type == VOCAB_CATEGORICAL)
				random_categorical(r, f, c);
			else
				random_numeric(r, f, c);
		}
	}
	return q;
}

static void compare(const struct count_result *a, const struct count_result *b,
                    const struct query *q)
{
	char *json = query_to_json_text(q, false);
	bool same = a->n_collections == b->n_collections;

	for (size_t c = 0; same && c < a->n_collections; c++)
		same = a->collections[c].subjects == b->collections[c].subjects &&
		       a->collections[c].studies == b->collections[c].studies;
	if (!same)
		fail_msg("collections differ for %s", json);
	for (size_t f = 0; f < vocab->n_fields; f++) {
		const struct vocab_field *fd = &vocab->fields[f];
		size_t cells = fd->type == VOCAB_CATEGORICAL ? fd->n_values : fd->n_bins;

		for (size_t k = 0; k < cells; k++)
			if (a->strata[f][k] != b->strata[f][k])
				fail_msg("stratum %s cell %zu: engine %llu, SQL %llu, for %s",
				         fd->alias, k, (unsigned long long)a->strata[f][k],
				         (unsigned long long)b->strata[f][k], json);
	}
	free(json);
}

static void test_random_queries_agree(void **state)
{
	struct rng r;
	uint64_t matched = 0, nonempty = 0;

	assert_true(n_sites >= 4);
	rng_seed(&r, 20261126);
	for (size_t i = 0; i < N_QUERIES; i++) {
		struct site *s = &sites[i % n_sites];
		struct query *q = random_query(&r);
		struct count_result *engine = count_run(s->data, q);
		char err[512];
		struct count_result *sql = sql_count_run(s->store, vocab, q, err, sizeof err);

		if (sql == NULL)
			fail_msg("SQL route failed: %s", err);
		compare(engine, sql, q);
		matched += engine->subjects;
		nonempty += engine->subjects > 0;
		count_result_free(&engine);
		count_result_free(&sql);
		query_free(&q);
	}
	/* The generator must not only make queries that match nothing. */
	assert_true(nonempty > N_QUERIES / 4);
	assert_true(matched > 0);
}

static void test_loaded_columns_match_store(void **state)
{
	for (size_t i = 0; i < n_sites; i++) {
		struct query *q = query_new();
		char err[512];
		struct count_result *sql = sql_count_run(sites[i].store, vocab, q, err, sizeof err);

		assert_non_null(sql);
		assert_int_equal(sql->subjects, sites[i].data->n_subjects);
		assert_int_equal(sql->studies, sites[i].data->n_studies);
		count_result_free(&sql);
		query_free(&q);
	}
}

static int setup(void **state)
{
	const char *build = getenv("ECII_BUILDDIR");
	char path[4096], err[512];
	struct dirent **names;
	int n;

	vocab = test_vocab_load();
	snprintf(path, sizeof path, "%s/data/demo/out", build != NULL ? build : ECII_BUILD_DIR);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char file[8192];

		if (strncmp(names[i]->d_name, "site-", 5) == 0 && n_sites < 16) {
			snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
			sites[n_sites].store = site_store_open(file, false, err, sizeof err);
			if (sites[n_sites].store == NULL)
				return -1;
			sites[n_sites].data =
			    site_store_load(sites[n_sites].store, vocab, err, sizeof err);
			if (sites[n_sites].data == NULL)
				return -1;
			n_sites++;
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < n_sites; i++) {
		site_data_free(&sites[i].data);
		site_store_close(&sites[i].store);
	}
	vocab_free(&vocab);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded_columns_match_store),
		cmocka_unit_test(test_random_queries_agree),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
