/* Benchmark: the explorer's catalogue screen over a large in-memory
 * catalogue (10,000 generated §5 items by default). It prints (a) the
 * median time from app_new to the first complete draw of an 80x24 canvas
 * and (b) the median and 95th percentile of one search keystroke (app_key
 * of a typed or deleted character, then app_draw), side by side with a
 * naive baseline measured in the same run: catalogue_item_matches over
 * every item per keystroke, then the same draw. Each keystroke's count on
 * the screen is checked against the baseline's. Not part of make check.
 * Usage: bench_explorer [ITEMS [KEYSTROKES]]. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/catalogue.h"
#include "core/vocab.h"
#include "client/federation.h"
#include "screens/app.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/rng.h"
#include "util/xmalloc.h"

#define FIRST_DRAW_RUNS      21
#define TARGET_FIRST_DRAW_MS 100.0
#define TARGET_KEYSTROKE_MS  16.0

static const char *const adjectives[] = {
	"Early",        "Advanced",          "Recurrent",    "Localised",
	"Metastatic",   "Paediatric",        "Familial",     "Screening",
	"Low-Dose",     "Multicentre",       "Prospective",  "Retrospective",
	"Biparametric", "Contrast-Enhanced", "Longitudinal", "Post-Treatment",
};
static const char *const organs[] = {
	"Prostate",      "Breast", "Lung",   "Colorectal", "Rectal",   "Liver",   "Pancreatic",
	"Head and Neck", "Brain",  "Kidney", "Ovarian",    "Cervical", "Gastric", "Oesophageal",
};
static const char *const nouns[] = {
	"Imaging Registry", "Cohort", "Staging",       "Response Assessment",
	"Follow-up",        "Trial",  "Radiogenomics", "Screening Programme",
	"Biobank",          "Atlas",
};
static const char *const cities[] = {
	"Turia", "Garonne", "Elbtal",  "Laguna", "Ribeira", "Noordzee", "Vistula", "Danubio",
	"Tejo",  "Rhone",   "Moldava", "Aare",   "Liffey",  "Neckar",   "Arno",    "Douro",
};
static const char *const institutions[] = {
	"Hospital Universitario del", "Centre Hospitalier Universitaire de la",
	"Universitätsklinikum",       "Istituto Oncologico della",
	"Cancer Institute",           "University Medical Centre",
};
static const char *const countries[] = { "ES", "FR", "DE", "IT", "PT", "NL", "PL", "AT" };
static const char *const modalities[] = { "MR",         "CT",    "PET",  "mammography",
	                                  "ultrasound", "X-ray", "SPECT" };
static const char *const body_parts[] = { "prostate", "pelvis", "breast", "lung",
	                                  "abdomen",  "colon",  "liver",  "head",
	                                  "neck",     "brain",  "kidney" };
static const char *const access[] = { "PUBLIC", "RESTRICTED", "NON_PUBLIC" };
static const char *const filler[] = {
	"patients",    "treated",      "with",      "imaging",   "before",
	"and",         "after",        "therapy",   "annotated", "segmentations",
	"radiologist", "reports",      "outcome",   "survival",  "histopathology",
	"biopsy",      "grade",        "follow-up", "protocol",  "contrast",
	"dose",        "quantitative", "features",  "cohort",    "baseline",
};

/* What a user types, deleted again letter by letter. */
static const char *const words[] = {
	"prostate",  "lung ct",     "breast mri", "garonne",  "pet staging", "colorectal",
	"screening", "mammography", "liver",      "turia mr", "follow-up",   "brain",
	"registry",  "recurrent",   "kidney",     "x-ray",    "biobank",     "neckar",
};

#define PICK(r, a) (a[rng_below(r, sizeof a / sizeof a[0])])

static json_t *string_set(struct rng *r, const char *const *pool, size_t n_pool, size_t max)
{
	json_t *arr = json_array();
	size_t n = 1 + rng_below(r, max);
	size_t start = rng_below(r, n_pool);

	for (size_t i = 0; i < n && i < n_pool; i++)
		json_array_append_new(arr, json_string(pool[(start + i) % n_pool]));
	return arr;
}

static json_t *make_item(struct rng *r, size_t i)
{
	char id[32], name[160], provider[160];
	const char *organ = PICK(r, organs), *city = PICK(r, cities);
	const char *inst = PICK(r, institutions);
	struct buf desc = BUF_INIT;
	json_int_t subjects = 20 + (json_int_t)rng_below(r, 50000);
	json_t *item;

	snprintf(id, sizeof id, "c-%05zu", i);
	snprintf(name, sizeof name, "%s %s %s %zu", PICK(r, adjectives), organ, PICK(r, nouns),
	         i % 97);
	if (strcmp(inst, "Cancer Institute") == 0 || strcmp(inst, "University Medical Centre") == 0)
		snprintf(provider, sizeof provider, "%s %s", city, inst);
	else
		snprintf(provider, sizeof provider, "%s %s", inst, city);
	buf_printf(&desc, "Synthetic benchmark data. %s cancer", organ);
	for (size_t w = 0, n = 12 + rng_below(r, 20); w < n; w++)
		buf_printf(&desc, " %s", PICK(r, filler));
	buf_putc(&desc, '.');
	item = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:I, s:I, s:I, s:[s], s:o, s:o,"
	                 " s:[s], s:[s,s], s:i, s:i, s:s, s:s, s:[], s:s, s:b}",
	                 "id", id, "name", name, "acronym", "BENCH", "description", buf_str(&desc),
	                 "provider", "id", city, "name", provider, "country", PICK(r, countries),
	                 "number_of_subjects", subjects, "number_of_studies",
	                 subjects * (json_int_t)(1 + rng_below(r, 4)), "number_of_series",
	                 subjects * 7, "condition", "cancer", "body_part_examined",
	                 string_set(r, body_parts, sizeof body_parts / sizeof body_parts[0], 3),
	                 "imaging_modality",
	                 string_set(r, modalities, sizeof modalities / sizeof modalities[0], 3),
	                 "vendor", "Siemens Healthineers", "sex", "male", "female", "age_low", 18,
	                 "age_high", 90, "image_access_type", PICK(r, access), "updated",
	                 "2024-06-11", "previews", "version", "1.0", "synthetic", 1);
	buf_free(&desc);
	if (item == NULL) {
		fprintf(stderr, "bench_explorer: json_pack failed\n");
		exit(1);
	}
	return item;
}

static struct federation *make_fed(size_t n_items)
{
	const char *src = getenv("ECII_SRCDIR");
	char *path =
	    xasprintf("%s/data/criteria.json", src != NULL && *src ? src : ECII_SOURCE_DIR);
	struct federation *fed = xcalloc(1, sizeof *fed);
	struct rng r;
	char err[512];

	fed->vocab = vocab_load(path, err, sizeof err);
	if (fed->vocab == NULL) {
		fprintf(stderr, "bench_explorer: %s\n", err);
		exit(1);
	}
	free(path);
	rng_seed(&r, 20240611);
	fed->catalogue = json_array();
	for (size_t i = 0; i < n_items; i++)
		json_array_append_new(fed->catalogue, make_item(&r, i));
	fed->synthetic = true;
	return fed;
}

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

/* The q-quantile of v (sorted in place), nearest rank. */
static double quantile(double *v, size_t n, double q)
{
	size_t k;

	qsort(v, n, sizeof *v, cmp_double);
	k = (size_t)(q * (double)n + 0.999999);
	return v[k == 0 ? 0 : k > n ? n - 1 : k - 1];
}

/* The "N of M" count the catalogue footer shows, or -1. */
static long shown_count(const struct ui_canvas *c, size_t total)
{
	char *text = ui_canvas_text(c), needle[64], *p;
	long n = -1;

	snprintf(needle, sizeof needle, " of %zu", total);
	p = strstr(text, needle);
	if (p != NULL) {
		while (p > text && p[-1] >= '0' && p[-1] <= '9')
			p--;
		n = strtol(p, NULL, 10);
	}
	free(text);
	return n;
}

/* The next keystroke of the script: typing words[w] a letter at a time,
 * then deleting it; text is what the search line then holds. */
struct script {
	size_t word, pos;
	bool deleting;
	char text[64];
};

static int script_next(struct script *s)
{
	const char *w = words[s->word];
	size_t len = strlen(w);
	int key;

	if (!s->deleting && s->pos < len) {
		key = (unsigned char)w[s->pos];
		s->text[s->pos] = w[s->pos];
		s->text[++s->pos] = '\0';
		if (s->pos == len)
			s->deleting = true;
		return key;
	}
	s->text[--s->pos] = '\0';
	if (s->pos == 0) {
		s->deleting = false;
		s->word = (s->word + 1) % (sizeof words / sizeof words[0]);
	}
	return UI_KEY_BACKSPACE;
}

int main(int argc, char **argv)
{
	size_t n_items = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t n_keys = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	double first[FIRST_DRAW_RUNS], *ours, *naive;
	struct ui_canvas *c = ui_canvas_new(24, 80, true);
	struct federation *fed;
	struct app *app;
	struct script sc;
	double first_ms, our_med, our_p95, naive_med, naive_p95, t;
	json_t **hits;
	int status = 0;

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		fprintf(stderr, "bench_explorer: no C.UTF-8 locale; widths are bytes\n");
	if (n_items == 0 || n_keys == 0) {
		fprintf(stderr, "usage: bench_explorer [ITEMS [KEYSTROKES]]\n");
		return 2;
	}
	fed = make_fed(n_items);

	/* (a) Start-up: app_new to the first complete draw. */
	for (int i = 0; i < FIRST_DRAW_RUNS; i++) {
		t = now_ms();
		app = app_new(fed, NULL, false);
		app_draw(app, c);
		first[i] = now_ms() - t;
		app_free(&app);
	}
	first_ms = quantile(first, FIRST_DRAW_RUNS, 0.5);

	/* (b) Search keystrokes, the explorer's way. */
	ours = xcalloc(n_keys, sizeof *ours);
	naive = xcalloc(n_keys, sizeof *naive);
	hits = xcalloc(n_items, sizeof *hits);
	app = app_new(fed, NULL, false);
	app_draw(app, c);
	app_key(app, '/');
	app_draw(app, c);
	memset(&sc, 0, sizeof sc);
	for (size_t k = 0; k < n_keys; k++) {
		int key = script_next(&sc);
		size_t n_hits = 0;
		long shown;

		t = now_ms();
		app_key(app, key);
		app_draw(app, c);
		ours[k] = now_ms() - t;

		/* The baseline: every item through catalogue_item_matches. */
		t = now_ms();
		for (size_t i = 0; i < n_items; i++) {
			json_t *item = json_array_get(fed->catalogue, i);

			if (catalogue_item_matches(item, sc.text))
				hits[n_hits++] = item;
		}
		app_draw(app, c);
		naive[k] = now_ms() - t;

		shown = shown_count(c, n_items);
		if (shown != (long)n_hits) {
			fprintf(stderr,
			        "bench_explorer: '%s' shows %ld collections, the baseline %zu\n",
			        sc.text, shown, n_hits);
			status = 1;
		}
	}
	app_free(&app);
	our_med = quantile(ours, n_keys, 0.5);
	our_p95 = quantile(ours, n_keys, 0.95);
	naive_med = quantile(naive, n_keys, 0.5);
	naive_p95 = quantile(naive, n_keys, 0.95);

	printf("explorer: %zu collections, 80x24 canvas, %zu search keystrokes\n", n_items, n_keys);
	printf("%-34s %12s %12s %10s\n", "", "ecii", "naive", "target");
	printf("%-34s %9.2f ms %12s %7.0f ms%s\n", "app_new to first draw (median/21)", first_ms,
	       "-", TARGET_FIRST_DRAW_MS, first_ms <= TARGET_FIRST_DRAW_MS ? "" : "  OVER");
	printf("%-34s %9.3f ms %9.3f ms %7.0f ms%s\n", "keystroke + draw, median", our_med,
	       naive_med, TARGET_KEYSTROKE_MS, our_med <= TARGET_KEYSTROKE_MS ? "" : "  OVER");
	printf("%-34s %9.3f ms %9.3f ms %7.0f ms%s\n", "keystroke + draw, 95th percentile", our_p95,
	       naive_p95, TARGET_KEYSTROKE_MS, our_p95 <= TARGET_KEYSTROKE_MS ? "" : "  OVER");
	free(ours);
	free(naive);
	free(hits);
	ui_canvas_free(&c);
	federation_close(&fed);
	return status;
}
