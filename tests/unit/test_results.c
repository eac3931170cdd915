/* The results screen driven through a headless app over the demo
 * federation: keys in through app_key, the canvas out as text. What it
 * shows is checked against the sites' own payloads, asked here directly
 * with node_site_answer, so the screen cannot agree with itself by
 * accident. Degenerate cases first (nothing counted yet, tiny canvases, a
 * site whose data is broken), then the table, the hidden counts, the
 * attrition grid and the export. */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cohort.h"
#include "core/payload.h"
#include "node/local.h"
#include "node/site.h"
#include "screens/app.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/datadir.h"
#include "util/file.h"
#include "util/format.h"
#include "util/xmalloc.h"

#include "screen_support.h"
#include "support.h"

static struct federation *demo;
static char *demo_dir; /* the demo federation's files */

#define HIDDEN_QUERY "diagnosis:prostate age:85..120 gleason:9,10"

/* A wheel turn at mid-screen, column 1. */
static void wheel(struct screen_test *u, int key)
{
	screen_test_click(u, key, u->c->rows / 2, 1);
}

/* Sets the cohort as the builder or the query line would. */
static void set_cohort(struct screen_test *u, const char *text)
{
	struct query_error err;

	if (cohort_set_text(u->app->cohort, text, &err) != 0)
		fail_msg("'%s': %s", text, err.message);
	app_cohort_changed(u->app);
	screen_test_redraw(u);
}

/* The first row at or after from that starts with prefix, or -1. */
static int row_starting(const struct screen_test *u, int from, const char *prefix)
{
	for (int y = from; y < u->c->rows; y++) {
		char *line = screen_test_row_text(u, y);
		bool hit = strncmp(line, prefix, strlen(prefix)) == 0;

		free(line);
		if (hit)
			return y;
	}
	return -1;
}

/* The last two blank-separated words of row y (the subjects and studies
 * columns), new. */
static void last_two(const struct screen_test *u, int y, char **a, char **b)
{
	char *line = screen_test_row_text(u, y), *end = line + strlen(line), *p;

	p = strrchr(line, ' ');
	assert_non_null(p);
	*b = xstrdup(p + 1);
	while (p > line && *p == ' ')
		p--;
	p[1] = '\0';
	end = strrchr(line, ' ');
	assert_non_null(end);
	*a = xstrdup(end + 1);
	free(line);
}

static void assert_numbers(const struct screen_test *u, int y, const char *subjects,
                           const char *studies)
{
	char *a, *b;

	assert_true(y >= 0);
	last_two(u, y, &a, &b);
	if (strcmp(a, subjects) != 0 || strcmp(b, studies) != 0) {
		char *line = screen_test_row_text(u, y);

		fail_msg("row %d: want %s %s, got '%s'\n%s", y, subjects, studies, line, u->text);
	}
	free(a);
	free(b);
}

/* A count as the CLI marks it, made here from the rule's words: plain
 * when exact or zero, else with ≈. New. */
static char *want_mark(uint64_t n, bool exact)
{
	char num[32];

	format_count((long long)n, num, sizeof num);
	return xasprintf("%s%s", exact || n == 0 ? "" : "\xe2\x89\x88", num);
}

/* What each site says for text, asked directly. */
struct truth {
	struct site_answer *answers;
	json_t **payloads;
	size_t n;
	uint64_t subjects, studies;
};

static void truth_get(struct federation *view, const char *text, struct truth *t)
{
	struct local_fed *fed = view->local;
	struct query_error err;
	struct cohort *c = cohort_new(fed->vocab);
	char msg[256];

	assert_int_equal(cohort_set_text(c, text, &err), 0);
	memset(t, 0, sizeof *t);
	t->n = fed->n_sites;
	t->answers = xcalloc(t->n, sizeof *t->answers);
	t->payloads = xcalloc(t->n, sizeof *t->payloads);
	for (size_t i = 0; i < t->n; i++) {
		assert_int_equal(local_site_load(fed, &fed->sites[i], msg, sizeof msg), 0);
		t->payloads[i] = node_site_answer(fed->sites[i].node, c->query, false);
		assert_int_equal(payload_read(t->payloads[i], &t->answers[i], msg, sizeof msg), 0);
		t->subjects += t->answers[i].subjects;
		t->studies += t->answers[i].studies;
	}
	cohort_free(&c);
}

static void truth_clear(struct truth *t)
{
	for (size_t i = 0; i < t->n; i++) {
		site_answer_clear(&t->answers[i]);
		json_decref(t->payloads[i]);
	}
	free(t->answers);
	free(t->payloads);
}

/* Degenerate. */

static void test_nothing_counted_yet(void **state)
{
	struct screen_test *u = screen_test_open(demo, 40, 100, true);

	/* Opened straight away: the screen asks for everything. */
	assert_false(u->app->counts->asked);
	screen_test_press(u, "r");
	screen_test_assert_shows(u, "Results");
	screen_test_assert_shows(u, "Cohort: * (everything)");
	assert_true(u->app->counts->asked);
	assert_true(counts_done(u->app->counts));
	assert_true(row_starting(u, 0, "TOTAL") > 0);
	/* The grid of a cohort without criteria says there is nothing. */
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "no criteria");
	screen_test_assert_sane(u);
	screen_test_press(u, "j k G g PgDn PgUp S-Tab");
	assert_true(row_starting(u, 0, "TOTAL") > 0);
	/* Back to the catalogue, and r again: the same counts stand. */
	screen_test_press(u, "q");
	screen_test_assert_shows(u, "Catalogue");
	screen_test_press(u, "r");
	screen_test_assert_shows(u, "Results");
	screen_test_close(&u);
}

static void test_tiny_canvases(void **state)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 10 }, { 3, 20 }, { 5, 30 }, { 8, 12 } };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct screen_test *u = screen_test_open(demo, sizes[i][0], sizes[i][1], true);

		set_cohort(u, "sex:male age:50..70 modality:MR");
		screen_test_press(u, "r");
		screen_test_assert_sane(u);
		screen_test_press(u, "j G PgUp Tab j G Tab g");
		wheel(u, UI_KEY_WHEEL_DOWN);
		screen_test_assert_sane(u);
		screen_test_close(&u);
	}
}

/* A copy of the demo whose site store for one site is garbage. */
static struct federation *broken_fed(char **dir)
{
	static const char *files[] = { "catalogue.db",      "site-de-elbtal.db",
		                       "site-es-turia.db",  "site-fr-garonne.db",
		                       "site-it-laguna.db", "site-nl-noordzee.db",
		                       "site-pt-ribeira.db" };
	struct datadir dd = { 0 };
	struct local_fed *fed;
	char err[512];

	*dir = test_tmpdir("results-broken");
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *from = xasprintf("%s/%s", demo_dir, files[i]);
		char *to = xasprintf("%s/%s", *dir, files[i]);
		size_t len;
		char *data = file_read_all(from, &len);

		assert_non_null(data);
		if (strcmp(files[i], "site-fr-garonne.db") == 0)
			test_write_file(to, "this is not, a database\x1b[2J", 27);
		else
			test_write_file(to, data, len);
		free(data);
		free(from);
		free(to);
	}
	dd.criteria = test_source_path("data/criteria.json");
	dd.demo = xstrdup(*dir);
	fed = local_open(&dd, err, sizeof err);
	if (fed == NULL)
		fail_msg("%s", err);
	datadir_clear(&dd);
	return federation_wrap_local(fed);
}

static void test_failed_site(void **state)
{
	char *dir, *path, *csv;
	struct federation *fed = broken_fed(&dir);
	struct screen_test *u = screen_test_open(fed, 50, 140, true);
	int y;

	set_cohort(u, "sex:male");
	screen_test_press(u, "r");
	y = row_starting(u, 0, "fr-garonne");
	assert_true(y > 0);
	screen_test_assert_shows(u, "failed: ");
	screen_test_assert_shows(u, "TOTAL (5 of 6 sites)");
	screen_test_assert_sane(u);
	/* Narrow: the reason goes on a line of its own, cut. */
	ui_canvas_resize(u->c, 24, 40);
	screen_test_redraw(u);
	screen_test_assert_sane(u);
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "failed");
	screen_test_assert_sane(u);
	/* The export says so too. */
	path = xasprintf("%s/out.csv", dir);
	screen_test_press(u, "E C-u");
	screen_test_type_then_draw(u, path);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Wrote ");
	csv = file_read_all(path, NULL);
	assert_non_null(csv);
	assert_non_null(strstr(csv, "\r\nfr-garonne,,"));
	assert_non_null(strstr(csv, ",failed\r\n"));
	assert_null(strchr(csv, 0x1b));
	free(csv);
	free(path);
	screen_test_close(&u);
	federation_close(&fed);
	test_rmtree(dir);
	free(dir);
}

/* The table. */

static void check_table(const char *text)
{
	struct screen_test *u = screen_test_open(demo, 150, 160, true);
	struct truth t;
	char *total_sub, *total_stu;
	bool all_exact = true;

	truth_get(demo, text, &t);
	set_cohort(u, text);
	screen_test_press(u, "r");
	screen_test_assert_sane(u);
	for (size_t i = 0; i < t.n; i++) {
		const struct site_answer *a = &t.answers[i];
		int y = row_starting(u, 0, demo->sites[i].id), sub;
		char *s, *st;

		assert_true(y > 0);
		s = screen_test_row_text(u, y);
		assert_non_null(strstr(s, "answered in"));
		free(s);
		/* Each collection: its row under the site, numbers as marked. */
		for (size_t k = 0; k < a->n_collections; k++) {
			const struct answer_collection *ac = &a->collections[k];
			char *prefix = xasprintf("  %s  ", ac->id);
			int cy = row_starting(u, y, prefix);

			if (ac->suppressed)
				s = xasprintf("<%d", a->privacy.threshold);
			else
				s = want_mark(ac->subjects, a->exact);
			st = want_mark(ac->studies, a->exact);
			assert_numbers(u, cy, s, st);
			free(s);
			free(st);
			free(prefix);
		}
		/* The subtotal: the sums of the site's collections. */
		sub = row_starting(u, y, a->n_collections > 0 ? "  subtotal" : "  no matching");
		assert_true(sub > y);
		s = want_mark(a->subjects, a->exact);
		st = want_mark(a->studies, a->exact);
		assert_numbers(u, sub, s, st);
		free(s);
		free(st);
		all_exact = all_exact && a->exact;
	}
	total_sub = want_mark(t.subjects, all_exact);
	total_stu = want_mark(t.studies, all_exact);
	assert_numbers(u, row_starting(u, 0, "TOTAL"), total_sub, total_stu);
	screen_test_assert_shows(u, "subjects may be counted in more than one collection");
	screen_test_assert_shows(u, "rounded to 10");
	free(total_sub);
	free(total_stu);
	truth_clear(&t);
	screen_test_close(&u);
}

static void test_table_matches_sites(void **state)
{
	check_table("diagnosis:prostate modality:MR");
	check_table("sex:female age:40..60");
	check_table("*");
}

static void test_opens_on_r(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	char hash8[9];

	set_cohort(u, "diagnosis:prostate modality:MR");
	screen_test_assert_shows(u, "Catalogue");
	screen_test_press(u, "r");
	screen_test_assert_shows(u, " Results");
	screen_test_assert_shows(u, "Cohort: ");
	screen_test_assert_shows(u, u->app->cohort->text);
	snprintf(hash8, sizeof hash8, "%.8s", u->app->cohort->hash);
	screen_test_assert_shows(u, hash8);
	screen_test_assert_shows(u, "6 of 6 sites answered");
	screen_test_assert_shows(u, "SUBJECTS");
	screen_test_assert_shows(u, "Tab attrition");
	screen_test_assert_sane(u);
	/* r on the results screen stays there. */
	screen_test_press(u, "r");
	screen_test_assert_shows(u, " Results");
	screen_test_press(u, "q");
	screen_test_assert_shows(u, "Catalogue");
	screen_test_close(&u);
}

static void test_hidden_count(void **state)
{
	struct screen_test *u = screen_test_open(demo, 60, 120, true);
	struct truth t;
	size_t hidden = 0;

	truth_get(demo, HIDDEN_QUERY, &t);
	for (size_t i = 0; i < t.n; i++)
		for (size_t k = 0; k < t.answers[i].n_collections; k++)
			hidden += t.answers[i].collections[k].suppressed;
	assert_true(hidden > 0);
	set_cohort(u, HIDDEN_QUERY);
	screen_test_press(u, "r");
	screen_test_assert_shows(u, "<10");
	screen_test_assert_shows(u, "<10 fewer than 10, hidden");
	/* As many "<10" as hidden collections (the legend has one more). */
	{
		size_t n = 0;

		for (const char *p = u->text; (p = strstr(p, "<10")) != NULL; p++)
			n++;
		assert_int_equal(n, hidden + 1);
	}
	screen_test_assert_sane(u);
	/* At 80x24 and ASCII too. */
	ui_canvas_free(&u->c);
	u->c = ui_canvas_new(24, 80, false);
	screen_test_redraw(u);
	screen_test_assert_shows(u, "<10");
	screen_test_assert_shows(u, "~");
	screen_test_assert_sane(u);
	truth_clear(&t);
	screen_test_close(&u);
}

static void test_scrolling(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	char *first, *again;
	int y;

	set_cohort(u, "*");
	screen_test_press(u, "r");
	/* Everything: more lines than the screen has. */
	screen_test_assert_shows(u, "more \xe2\x86\x93");
	y = row_starting(u, 0, "SITE");
	assert_true(y > 0);
	first = screen_test_row_text(u, y + 1);
	screen_test_press(u, "j");
	again = screen_test_row_text(u, y + 1);
	assert_string_not_equal(first, again);
	free(again);
	screen_test_press(u, "k");
	again = screen_test_row_text(u, y + 1);
	assert_string_equal(first, again);
	free(again);
	wheel(u, UI_KEY_WHEEL_DOWN);
	again = screen_test_row_text(u, y + 1);
	assert_string_not_equal(first, again);
	free(again);
	wheel(u, UI_KEY_WHEEL_UP);
	again = screen_test_row_text(u, y + 1);
	assert_string_equal(first, again);
	free(again);
	/* The last site's subtotal comes into view at the end; TOTAL stays. */
	screen_test_press(u, "G");
	screen_test_assert_not_shows(u, "more \xe2\x86\x93");
	assert_true(row_starting(u, 0, "TOTAL") > 0);
	screen_test_assert_shows(u, demo->sites[demo->n_sites - 1].id);
	screen_test_assert_sane(u);
	screen_test_press(u, "PgUp PgUp PgUp PgUp g");
	again = screen_test_row_text(u, y + 1);
	assert_string_equal(first, again);
	free(again);
	free(first);
	screen_test_close(&u);
}

/* On the terminal, counting runs on a worker thread: the screen shows
 * every site counting, then fills in as the answers are collected. */
static void test_fills_in(void **state)
{
	struct screen_test *u = xcalloc(1, sizeof *u);
	struct screen_test *h = screen_test_open(demo, 40, 100, true);
	int total;
	char *want_line, *got_line;

	u->app = app_new(demo, NULL, true);
	u->c = ui_canvas_new(40, 100, true);
	assert_true(counts_fd(u->app->counts) >= 0);
	set_cohort(u, "diagnosis:prostate modality:MR");
	screen_test_press(u, "r");
	/* Nothing collected yet. */
	screen_test_assert_shows(u, "counting");
	screen_test_assert_shows(u, "0 of 6 sites so far");
	screen_test_assert_shows(u, "TOTAL (0 of 6 sites)");
	screen_test_assert_sane(u);
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "\xe2\x80\xa6");
	screen_test_press(u, "Tab");
	for (int i = 0; i < 600 && !counts_done(u->app->counts); i++) {
		struct pollfd no_tty = { -1, POLLIN, 0 };

		if (app_wait(u->app, &no_tty, 100) > 0) {
			screen_test_redraw(u);
			screen_test_assert_sane(u);
		}
	}
	assert_true(counts_done(u->app->counts));
	/* The attrition cells come after the answers: wait for them too. */
	for (int i = 0; i < 600; i++) {
		bool all = true;
		struct pollfd no_tty = { -1, POLLIN, 0 };

		for (size_t k = 0; k < u->app->counts->n_sites; k++)
			all = all && u->app->counts->sites[k].attrition != NULL;
		if (all)
			break;
		app_wait(u->app, &no_tty, 100);
	}
	screen_test_redraw(u);
	screen_test_assert_not_shows(u, "counting");
	screen_test_assert_shows(u, "6 of 6 sites answered");
	/* The same totals as counting at once. */
	set_cohort(h, "diagnosis:prostate modality:MR");
	screen_test_press(h, "r");
	total = row_starting(h, 0, "TOTAL");
	want_line = screen_test_row_text(h, total);
	got_line = screen_test_row_text(u, row_starting(u, 0, "TOTAL"));
	assert_string_equal(got_line, want_line);
	free(want_line);
	free(got_line);
	screen_test_press(u, "Tab");
	screen_test_assert_not_shows(u, "\xe2\x80\xa6");
	screen_test_close(&h);
	screen_test_close(&u);
}

/* The attrition grid. */

static void test_attrition(void **state)
{
	struct screen_test *u = screen_test_open(demo, 40, 160, true);
	const struct counts *cn;
	uint64_t total = 0;
	char *want, *label;
	int y;

	set_cohort(u, "sex:male diagnosis:prostate age:50..70 modality:MR");
	screen_test_press(u, "r Tab");
	cn = u->app->counts;
	assert_int_equal(cn->n_steps, 4);
	screen_test_assert_shows(u, "STEP");
	y = row_starting(u, 0, "STEP");
	assert_true(y > 0);
	for (size_t i = 0; i < cn->n_sites; i++) {
		const struct counts_site *s = &cn->sites[i];

		assert_int_equal(s->state, COUNTS_ANSWERED);
		assert_non_null(s->attrition);
		/* Adding a criterion never adds subjects ... */
		for (size_t k = 1; k < cn->n_steps; k++)
			if (s->attrition[k] > s->attrition[k - 1])
				fail_msg("%s: step %zu has %llu, more than %llu before", s->id, k,
				         (unsigned long long)s->attrition[k],
				         (unsigned long long)s->attrition[k - 1]);
		/* ... and with them all, it is the site's total. */
		assert_int_equal(s->attrition[cn->n_steps - 1], s->answer.subjects);
		total += s->answer.subjects;
	}
	/* One row per step, in order, the later ones with "+ ". */
	for (size_t k = 0; k < cn->n_steps; k++) {
		label = xasprintf("%s%s", k > 0 ? "+ " : "", cn->steps[k]);
		assert_int_equal(row_starting(u, y + 1 + (int)k, label), y + 1 + (int)k);
		free(label);
	}
	/* The last row's total is the table's total. */
	want = want_mark(total, false);
	{
		char *line = screen_test_row_text(u, y + (int)cn->n_steps);
		char *last = strrchr(line, ' ');

		assert_non_null(last);
		assert_string_equal(last + 1, want);
		free(line);
	}
	screen_test_assert_not_shows(u, "OR groups");
	screen_test_assert_shows(u, "Tab sites");
	screen_test_assert_sane(u);
	free(want);
	/* At 80x24 every site still has a column, ids cut. */
	ui_canvas_resize(u->c, 24, 80);
	screen_test_redraw(u);
	screen_test_assert_shows(u, "TOTAL");
	screen_test_assert_not_shows(u, "do not fit");
	screen_test_assert_sane(u);
	/* Several OR groups: the grid says it follows the first. */
	set_cohort(u, "(sex:male age:50..70) OR (sex:female modality:MR)");
	screen_test_assert_shows(u, "2 OR groups");
	screen_test_assert_shows(u, "follows the first");
	screen_test_assert_sane(u);
	/* Tab again: back to the sites. */
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "SUBJECTS");
	screen_test_close(&u);
}

/* Export. */

static size_t count_char(const char *s, char ch)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == ch;
	return n;
}

static void test_export(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	char *dir = test_tmpdir("results-export"), *csv_path, *json_path, *text, *initial;
	size_t rows = 1;
	json_t *doc;
	json_error_t jerr;
	struct truth t;

	set_cohort(u, "diagnosis:prostate modality:MR");
	truth_get(demo, "diagnosis:prostate modality:MR", &t);
	screen_test_press(u, "r E");
	/* Asked on the bottom line, the name made from the hash. */
	initial = xasprintf("ecii-results-%.8s.csv", u->app->cohort->hash);
	screen_test_assert_shows(u, "Export to");
	screen_test_assert_shows(u, initial);
	assert_int_equal(u->app->line_mode, APP_LINE_PROMPT);
	/* Esc: nothing happens. */
	screen_test_press(u, "Esc");
	assert_int_equal(u->app->line_mode, APP_LINE_NONE);

	csv_path = xasprintf("%s/cohort.csv", dir);
	screen_test_press(u, "E C-u");
	screen_test_type_then_draw(u, csv_path);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Wrote ");
	screen_test_assert_sane(u);
	text = file_read_all(csv_path, NULL);
	assert_non_null(text);
	for (size_t i = 0; i < t.n; i++)
		rows += t.answers[i].n_collections;
	assert_int_equal(count_char(text, '\n'), rows);
	assert_int_equal(count_char(text, '\r'), rows);
	assert_true(strncmp(text, "site,collection,name,subjects,studies,mark\r\n", 44) == 0);
	free(text);

	/* The same name again: refused once, with the reason, then replaced. */
	test_write_file(csv_path, "old", 3);
	screen_test_press(u, "E C-u");
	screen_test_type_then_draw(u, csv_path);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "The file exists: Enter again to replace it");
	assert_int_equal(u->app->line_mode, APP_LINE_PROMPT);
	text = file_read_all(csv_path, NULL);
	assert_string_equal(text, "old");
	free(text);
	screen_test_press(u, "Enter");
	assert_int_equal(u->app->line_mode, APP_LINE_NONE);
	screen_test_assert_shows(u, "Wrote ");
	text = file_read_all(csv_path, NULL);
	assert_int_equal(count_char(text, '\n'), rows);
	free(text);

	/* JSON by its name: the report `ecii count --json` prints. */
	json_path = xasprintf("%s/cohort.JSON", dir);
	screen_test_press(u, "E C-u");
	screen_test_type_then_draw(u, json_path);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Wrote the JSON report");
	doc = json_load_file(json_path, 0, &jerr);
	if (doc == NULL)
		fail_msg("%s: %s", json_path, jerr.text);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "query"), "hash")),
	    u->app->cohort->hash);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "query"), "text")),
	    u->app->cohort->text);
	assert_int_equal(json_array_size(json_object_get(doc, "sites")), demo->n_sites);
	for (size_t i = 0; i < t.n; i++) {
		json_t *site = json_array_get(json_object_get(doc, "sites"), i);

		assert_string_equal(json_string_value(json_object_get(site, "status")),
		                    "succeeded");
		assert_true(
		    json_equal(json_object_get(json_object_get(site, "payload"), "collections"),
		               json_object_get(t.payloads[i], "collections")));
	}
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "subjects")),
	    t.subjects);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(doc, "totals"), "studies")),
	    t.studies);
	json_decref(doc);

	/* Where it cannot be written: the line stays open and says why. */
	screen_test_press(u, "E C-u");
	screen_test_type_then_draw(u, dir);
	screen_test_type_then_draw(u, "/no/such/dir.csv");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Not exported");
	screen_test_assert_shows(u, "No such file or directory");
	assert_int_equal(u->app->line_mode, APP_LINE_PROMPT);
	/* A directory is not a file name. */
	screen_test_press(u, "C-u");
	screen_test_type_then_draw(u, dir);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "That is a directory");
	/* An empty answer exports nothing. */
	screen_test_press(u, "C-u Enter");
	assert_int_equal(u->app->line_mode, APP_LINE_NONE);
	screen_test_assert_shows(u, "Nothing exported");
	screen_test_assert_sane(u);

	truth_clear(&t);
	free(initial);
	free(csv_path);
	free(json_path);
	test_rmtree(dir);
	free(dir);
	screen_test_close(&u);
}

/* Sizes. */

static void test_sizes(void **state)
{
	static const int sizes[][2] = { { 24, 80 }, { 12, 40 }, { 50, 200 } };
	static const char *cohorts[] = { "*", HIDDEN_QUERY,
		                         "(sex:male age:50..70) OR (diagnosis:breast)",
		                         "sex:male diagnosis:prostate age:50..70 modality:MR "
		                         "psa:>10 gleason:7,8,9,10 manufacturer:siemens,ge" };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (int utf8 = 0; utf8 <= 1; utf8++) {
			struct screen_test *u =
			    screen_test_open(demo, sizes[i][0], sizes[i][1], utf8);

			screen_test_press(u, "r");
			for (size_t k = 0; k < sizeof cohorts / sizeof cohorts[0]; k++) {
				set_cohort(u, cohorts[k]);
				screen_test_assert_sane(u);
				assert_true(row_starting(u, 0, "TOTAL") > 0);
				screen_test_press(u, "j G");
				screen_test_assert_sane(u);
				screen_test_press(u, "Tab");
				screen_test_assert_sane(u);
				screen_test_press(u, "G k");
				screen_test_assert_sane(u);
				screen_test_press(u, "Tab g");
			}
			screen_test_close(&u);
		}
	}
}

static int setup(void **state)
{
	demo_dir = screen_test_demo_dir();
	demo = screen_test_demo_open();
	return demo != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	federation_close(&demo);
	free(demo_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_counted_yet),
		cmocka_unit_test(test_tiny_canvases),
		cmocka_unit_test(test_failed_site),
		cmocka_unit_test(test_opens_on_r),
		cmocka_unit_test(test_table_matches_sites),
		cmocka_unit_test(test_hidden_count),
		cmocka_unit_test(test_scrolling),
		cmocka_unit_test(test_fills_in),
		cmocka_unit_test(test_attrition),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
