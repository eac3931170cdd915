/* ecii-demo: makes the synthetic demo federation at build time, and large
 * single sites for benchmarks. A thin shell over demo/demo_gen.c: it reads
 * the files, parses arguments and reports; it generates nothing itself. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/vocab.h"
#include "demo/demo_gen.h"

#define PROGRESS_SECONDS      2.0
#define PROGRESS_MIN_SUBJECTS 200000

static const char usage_text[] =
    "usage: ecii-demo --criteria FILE --description FILE --out DIR [--progress]\n"
    "       ecii-demo --criteria FILE --subjects N [--seed S] [--studies-per-subject X]\n"
    "                 --out FILE.db [--progress]\n"
    "\n"
    "Makes synthetic demo data for ecii. The first form writes DIR/catalogue.db and\n"
    "DIR/site-<id>.db for every site in the description; the second writes one\n"
    "benchmark site of N subjects (1 to 1000000000) spread over collections of\n"
    "prostate, breast, lung and colorectal cancer. The same inputs give the same\n"
    "data on every machine. Existing files are never overwritten.\n"
    "\n"
    "  --criteria FILE              the criteria vocabulary (data/criteria.json)\n"
    "  --description FILE           the federation description (data/demo/federation.json)\n"
    "  --subjects N                 benchmark site size\n"
    "  --seed S                     benchmark seed (default 1)\n"
    "  --studies-per-subject X      mean studies per subject, 1 to 20 (default 2.5)\n"
    "  --out DIR|FILE.db            where to write\n"
    "  --progress                   report progress on stderr (default: when stderr\n"
    "                               is a terminal and N is large)\n"
    "  -h, --help                   show this help\n";

struct progress_state {
	bool enabled;
	struct timespec start, last;
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void on_progress(uint64_t done, uint64_t total, void *arg)
{
	struct progress_state *ps = arg;
	double elapsed;

	if (!ps->enabled || (done < total && seconds_since(&ps->last) < PROGRESS_SECONDS))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ps->last);
	elapsed = seconds_since(&ps->start);
	fprintf(stderr, "ecii-demo: %" PRIu64 " of %" PRIu64 " subjects (%.0f%%), %.0f/s\n", done,
	        total, total > 0 ? 100.0 * (double)done / (double)total : 100.0,
	        elapsed > 0 ? (double)done / elapsed : 0.0);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ecii-demo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'ecii-demo --help'.\n", stderr);
	return 2;
}

/* Strict unsigned decimal; -1 if s is not one. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static json_t *load_description(const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);

	if (doc == NULL)
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
	return doc;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "criteria", required_argument, NULL, 'c' },
		{ "description", required_argument, NULL, 'd' },
		{ "subjects", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "studies-per-subject", required_argument, NULL, 'x' },
		{ "out", required_argument, NULL, 'o' },
		{ "progress", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *criteria = NULL, *description = NULL, *out = NULL;
	const char *subjects_arg = NULL, *seed_arg = NULL, *per_arg = NULL;
	struct progress_state ps = { 0 };
	struct vocab *vocab = NULL;
	struct demo_spec *spec = NULL;
	json_t *doc = NULL;
	uint64_t subjects = 0, seed = 1;
	double per = 2.5;
	bool want_progress = false;
	char err[1024], *end;
	struct stat st;
	int opt, rc = 1;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			criteria = optarg;
			break;
		case 'd':
			description = optarg;
			break;
		case 'n':
			subjects_arg = optarg;
			break;
		case 's':
			seed_arg = optarg;
			break;
		case 'x':
			per_arg = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			want_progress = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs("Try 'ecii-demo --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (criteria == NULL)
		return usage_error("--criteria FILE is required");
	if (out == NULL)
		return usage_error("--out is required");
	if ((description == NULL) == (subjects_arg == NULL))
		return usage_error("give either --description or --subjects");
	if (description != NULL && (seed_arg != NULL || per_arg != NULL))
		return usage_error("--seed and --studies-per-subject go with --subjects");
	if (subjects_arg != NULL && (parse_u64(subjects_arg, &subjects) < 0 || subjects < 1 ||
	                             subjects > DEMO_GEN_MAX_SUBJECTS))
		return usage_error("--subjects: '%s' is not a number from 1 to 1000000000",
		                   subjects_arg);
	if (seed_arg != NULL && (parse_u64(seed_arg, &seed) < 0 || seed > INT64_MAX))
		return usage_error("--seed: '%s' is not a number from 0 to 2^63-1", seed_arg);
	if (per_arg != NULL) {
		per = strtod(per_arg, &end);
		if (*per_arg == '\0' || *end != '\0' || !(per >= 1 && per <= 20))
			return usage_error(
			    "--studies-per-subject: '%s' is not a number from 1 to 20", per_arg);
	}

	vocab = vocab_load(criteria, err, sizeof err);
	if (vocab == NULL)
		goto fail;
	if (description != NULL) {
		doc = load_description(description, err, sizeof err);
		if (doc == NULL)
			goto fail;
		spec = demo_gen_parse(vocab, doc, err, sizeof err);
	} else {
		spec = demo_gen_bench(vocab, subjects, seed, per, err, sizeof err);
	}
	if (spec == NULL)
		goto fail;
	ps.enabled = want_progress || (isatty(STDERR_FILENO) &&
	                               demo_gen_total_subjects(spec) >= PROGRESS_MIN_SUBJECTS);
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	ps.last = ps.start;
	if (description != NULL) {
		if (mkdir(out, 0755) != 0 && errno != EEXIST) {
			snprintf(err, sizeof err, "%s: %s", out, strerror(errno));
			goto fail;
		}
		if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, sizeof err, "%s: not a directory", out);
			goto fail;
		}
		if (demo_gen_federation(spec, out, on_progress, &ps, err, sizeof err) < 0)
			goto fail;
	} else if (demo_gen_site(spec, 0, out, NULL, on_progress, &ps, err, sizeof err) < 0) {
		goto fail;
	}
	if (ps.enabled) {
		double elapsed = seconds_since(&ps.start);
		uint64_t total = demo_gen_total_subjects(spec);

		fprintf(stderr,
		        "ecii-demo: wrote %" PRIu64 " subjects in %.1f s (%.0f subjects/s)\n",
		        total, elapsed, elapsed > 0 ? (double)total / elapsed : 0.0);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "ecii-demo: %s\n", err);
out:
	demo_gen_free(&spec);
	json_decref(doc);
	vocab_free(&vocab);
	return rc;
}
