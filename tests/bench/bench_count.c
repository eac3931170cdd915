/* Benchmark: the count engine against the plain SQL route on one large
 * site. For a fixed set of queries of 1 to 6 criteria it prints the median
 * milliseconds per query with all stratifiers for both routes, side by side,
 * checks that both give identical exact counts, and prints memory per
 * subject. Usage: bench_count SITE.db [ENGINE_RUNS [SQL_RUNS]]; SQL_RUNS 0 times
 * the engine alone (for profiling). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/count.h"
#include "core/query_text.h"
#include "store/site_store.h"
#include "store/sql_count.h"

static const char *const queries[] = {
	"sex:male",
	"diagnosis:prostate modality:MR",
	"diagnosis:breast er:positive her2:3+",
	"diagnosis:lung modality:CT,PET age:>=65",
	"sex:male diagnosis:prostate modality:MR age:50..70",
	"diagnosis:colon,rectum ct:T3,T4 cn:N1,N2 modality:CT",
	"age:<40 sex:female",
	"(diagnosis:breast modality:MR) OR (diagnosis:breast age:<40)",
	"-manufacturer:toshiba year:2015..2022 modality:MR",
	"diagnosis:prostate psa:>10 gleason:8,9,10 modality:MR bodypart:prostate "
	"manufacturer:siemens",
	"diagnosis:breast ki67:>=20 birads:4,5 er:negative pr:negative her2:0,1+",
};
#define N_QUERIES (sizeof queries / sizeof queries[0])

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool same(const struct vocab *v, const struct count_result *a, const struct count_result *b)
{
	if (a->n_collections != b->n_collections)
		return false;
	for (size_t c = 0; c < a->n_collections; c++)
		if (a->collections[c].subjects != b->collections[c].subjects ||
		    a->collections[c].studies != b->collections[c].studies)
			return false;
	for (size_t f = 0; f < v->n_fields; f++) {
		size_t cells = v->fields[f].type == VOCAB_CATEGORICAL ? v->fields[f].n_values
		                                                      : v->fields[f].n_bins;

		for (size_t k = 0; k < cells; k++)
			if (a->strata[f][k] != b->strata[f][k])
				return false;
	}
	return true;
}

static size_t criteria_of(const struct query *q)
{
	size_t n = 0;

	for (size_t g = 0; g < q->n_groups; g++)
		n += q->groups[g].n_criteria;
	return n;
}

int main(int argc, char **argv)
{
	const char *src = getenv("ECII_SRCDIR");
	int engine_runs = argc > 2 ? atoi(argv[2]) : 21, sql_runs = argc > 3 ? atoi(argv[3]) : 3;
	size_t times_len = (size_t)(engine_runs > sql_runs ? engine_runs : sql_runs);
	double engine_med[N_QUERIES], sql_med[N_QUERIES], speedup[N_QUERIES], t0, load_ms;
	char path[4096], err[512];
	struct vocab *v;
	struct site_store *store;
	struct site_data *d;
	struct rusage ru;
	int failures = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || engine_runs < 1 || sql_runs < 0) {
		fprintf(stderr, "usage: bench_count SITE.db [ENGINE_RUNS [SQL_RUNS]]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/data/criteria.json", src != NULL ? src : ECII_SOURCE_DIR);
	if ((v = vocab_load(path, err, sizeof err)) == NULL ||
	    (store = site_store_open(argv[1], false, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_count: %s\n", err);
		return 1;
	}
	t0 = now_ms();
	if ((d = site_store_load(store, v, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench_count: %s\n", err);
		return 1;
	}
	load_ms = now_ms() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("site %s: %zu subjects, %zu studies, %zu collections\n", argv[1], d->n_subjects,
	       d->n_studies, d->n_collections);
	printf("load %.0f ms; engine columns %.1f bytes/subject; peak RSS %.1f bytes/subject\n",
	       load_ms, (double)site_data_bytes(d) / (double)d->n_subjects,
	       (double)ru.ru_maxrss * 1024.0 / (double)d->n_subjects);
	printf("medians of %d engine runs and %d SQL runs, every stratifier included\n\n",
	       engine_runs, sql_runs);
	printf("%-3s %-4s %12s %12s %9s %9s  %s\n", "#", "crit", "engine ms", "sql ms", "speedup",
	       "counts", "query");
	for (size_t i = 0; i < N_QUERIES; i++) {
		const char *only = getenv("BENCH_ONLY"); /* one query, for profiling */
		struct query_error qerr;
		struct query *q = query_parse_text(v, queries[i], &qerr);
		double *times = calloc(times_len, sizeof *times);
		struct count_result *engine = NULL, *sql = NULL;
		bool ok;

		if (only != NULL && (size_t)atoi(only) != i + 1) {
			engine_med[i] = sql_med[i] = speedup[i] = 0;
			query_free(&q);
			free(times);
			continue;
		}
		if (q == NULL || times == NULL) {
			fprintf(stderr, "bench_count: query %zu: %s\n", i + 1,
			        q == NULL ? qerr.message : "out of memory");
			return 1;
		}
		for (int r = 0; r < engine_runs; r++) {
			count_result_free(&engine);
			t0 = now_ms();
			engine = count_run(d, q);
			times[r] = now_ms() - t0;
		}
		engine_med[i] = median(times, (size_t)engine_runs);
		if (sql_runs == 0) {
			printf("%-3zu %-4zu %12.2f %12s %9s %9s  %s\n", i + 1, criteria_of(q),
			       engine_med[i], "-", "-", "-", queries[i]);
			count_result_free(&engine);
			query_free(&q);
			free(times);
			speedup[i] = sql_med[i] = 0;
			continue;
		}
		for (int r = 0; r < sql_runs; r++) {
			count_result_free(&sql);
			t0 = now_ms();
			sql = sql_count_run(store, v, q, err, sizeof err);
			times[r] = now_ms() - t0;
			if (sql == NULL) {
				fprintf(stderr, "bench_count: SQL: %s\n", err);
				return 1;
			}
		}
		sql_med[i] = median(times, (size_t)sql_runs);
		speedup[i] = sql_med[i] / engine_med[i];
		ok = same(v, engine, sql);
		failures += !ok;
		printf("%-3zu %-4zu %12.2f %12.1f %8.0fx %9s  %s\n", i + 1, criteria_of(q),
		       engine_med[i], sql_med[i], sql_med[i] / engine_med[i],
		       ok ? "same" : "DIFFER", queries[i]);
		count_result_free(&engine);
		count_result_free(&sql);
		query_free(&q);
		free(times);
	}
	{
		double e = median(engine_med, N_QUERIES), s = median(sql_med, N_QUERIES);
		double worst = engine_med[N_QUERIES - 1]; /* sorted by median() */
		double x = median(speedup, N_QUERIES), least = speedup[0];

		printf("\nmedian over queries: engine %.2f ms, SQL %.1f ms; speedup median %.0fx, "
		       "least %.0fx; slowest engine query %.2f ms\n",
		       e, s, x, least, worst);
	}
	site_data_free(&d);
	site_store_close(&store);
	vocab_free(&v);
	if (failures > 0) {
		printf("%d queries gave different counts\n", failures);
		return 1;
	}
	return 0;
}
