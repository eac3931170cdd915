/* The cohort builder driven through a real app over the demo federation,
 * as a user at a terminal would: keys in through app_key, the canvas out
 * through app_draw and ui_canvas_text. Counts shown on the screen are
 * checked against the sites' own payloads, computed here independently
 * with node_site_answer. Tiny canvases come first, then building a cohort
 * with keys only, then each edit, the mouse and the sizes. */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cohort.h"
#include "core/query.h"
#include "core/query_text.h"
#include "node/local.h"
#include "node/site.h"
#include "screens/app.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/format.h"
#include "util/xmalloc.h"

#include "screen_support.h"
#include "support.h"

static struct federation *demo;

/* The layout the builder promises: side by side from 60 columns, the left
 * pane 30% of the width within 28..40 cells, a divider, a blank, then the
 * right pane; below 60 columns one pane at a time, from column 0. */
static int right_x(const struct screen_test *u)
{
	int w = u->c->cols * 3 / 10;

	if (u->c->cols < 60)
		return 0;
	return (w < 28 ? 28 : w > 40 ? 40 : w) + 2;
}

static int left_w(const struct screen_test *u)
{
	return right_x(u) > 0 ? right_x(u) - 2 : u->c->cols;
}

static bool cell_is(const struct screen_test *u, int y, int x, const char *ch)
{
	const struct ui_cell *cell = ui_canvas_cell(u->c, y, x);

	return cell != NULL && strcmp(cell->ch, ch) == 0;
}

static bool cell_is_cursor(const struct screen_test *u, int y, int x)
{
	const struct ui_cell *cell = ui_canvas_cell(u->c, y, x);

	return cell != NULL && cell->style == UI_STYLE_CURSOR;
}

/* A field's row starts with a mark, a blank and its label; a value's with
 * "[x] " and a bin's with four cells before its label, the third blank.
 * Below 60 columns both panes start at column 0: this tells them apart. */
static bool is_field_row(const struct screen_test *u, int y)
{
	return !cell_is(u, y, 0, "[") && !cell_is(u, y, 2, " ");
}

/* The row of the left pane's cursor when the left pane has the keys, or -1. */
static int left_cursor(const struct screen_test *u)
{
	for (int y = 1; y < u->c->rows - 1; y++)
		if (cell_is_cursor(u, y, 2) && is_field_row(u, y))
			return y;
	return -1;
}

static int right_cursor(const struct screen_test *u)
{
	for (int y = 1; y < u->c->rows - 1; y++)
		if (cell_is_cursor(u, y, right_x(u)) && (right_x(u) > 0 || !is_field_row(u, y)))
			return y;
	return -1;
}

static bool starts_with_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	return strncmp(text, word, n) == 0 && (text[n] == ' ' || text[n] == '\0');
}

/* Moves the left cursor to the field labelled label, with keys. */
static void goto_field(struct screen_test *u, const char *label)
{
	if (left_cursor(u) < 0)
		screen_test_press(u, "Tab");
	screen_test_press(u, "g");
	for (int i = 0; i < 40; i++) {
		int y = left_cursor(u);
		char *text;
		bool hit;

		assert_true(y > 0);
		text = screen_test_cells_text(u, y, 2, left_w(u) - 2);
		hit = starts_with_word(text, label);
		free(text);
		if (hit)
			return;
		screen_test_press(u, "j");
	}
	fail_msg("no field '%s' in the left pane:\n%s", label, u->text);
}

/* Moves the right cursor to the value labelled label (the left cursor on
 * its field), with keys. Returns the row. */
static int goto_value(struct screen_test *u, const char *label)
{
	if (right_cursor(u) < 0)
		screen_test_press(u, "Tab");
	screen_test_press(u, "g");
	for (int i = 0; i < 70; i++) {
		int y = right_cursor(u);
		char *text;
		bool hit;

		assert_true(y > 0);
		text = screen_test_cells_text(u, y, right_x(u) + 4, 0);
		hit = starts_with_word(text, label);
		free(text);
		if (hit)
			return y;
		screen_test_press(u, "j");
	}
	fail_msg("no value '%s' in the right pane:\n%s", label, u->text);
	return -1;
}

/* The last number in text ("≈1,230" -> 1230), or -1. */
static long last_number(const char *text)
{
	long n = -1;

	for (const char *p = text; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9' &&
		    (p == text || !(p[-1] >= '0' && p[-1] <= '9') || p[-1] == ',')) {
			long v = 0;

			while ((*p >= '0' && *p <= '9') ||
			       (*p == ',' && p[1] >= '0' && p[1] <= '9')) {
				if (*p != ',')
					v = v * 10 + (*p - '0');
				p++;
			}
			n = v;
			if (*p == '\0')
				break;
		}
	}
	return n;
}

/* The text a query prints as in canonical form; new. */
static char *canonical(const char *text)
{
	struct query_error err;
	struct query *q = query_parse_text(demo->vocab, text, &err);
	char *out;

	if (q == NULL)
		fail_msg("'%s': %s", text, err.message);
	query_canonicalize(demo->vocab, q);
	out = query_print_text(demo->vocab, q);
	query_free(&q);
	return out;
}

/* What the sites say of text, read from their own payloads. */
struct expect {
	uint64_t subjects, studies;
	bool exact;
	size_t n_sites;
};

static json_t *site_payload(struct local_site *site, const struct query *q)
{
	char err[512];

	if (local_site_load(demo->local, site, err, sizeof err) != 0)
		fail_msg("site %s: %s", site->id, err);
	return node_site_answer(site->node, q, false);
}

static struct query *parse_or_fail(const char *text)
{
	struct query_error err;
	struct query *q = query_parse_text(demo->vocab, text, &err);

	if (q == NULL)
		fail_msg("'%s': %s", text, err.message);
	return q;
}

static void expect_totals(const char *text, struct expect *e)
{
	struct query *q = parse_or_fail(text);

	memset(e, 0, sizeof *e);
	e->exact = true;
	for (size_t i = 0; i < demo->n_sites; i++) {
		json_t *payload = site_payload(&demo->local->sites[i], q), *coll;
		size_t k;

		json_array_foreach (json_object_get(payload, "collections"), k, coll) {
			e->subjects +=
			    (uint64_t)json_integer_value(json_object_get(coll, "subjects_count"));
			e->studies +=
			    (uint64_t)json_integer_value(json_object_get(coll, "studies_count"));
		}
		e->exact =
		    e->exact &&
		    json_is_true(json_object_get(json_object_get(payload, "privacy"), "exact"));
		json_decref(payload);
		e->n_sites++;
	}
	query_free(&q);
}

/* The sum over the sites' payloads of a stratifier cell. */
static uint64_t expect_stratum(const char *text, const char *field, const char *code)
{
	struct query *q = parse_or_fail(text);
	const struct vocab_field *f = vocab_field_find(demo->vocab, field);
	uint64_t n = 0;

	assert_non_null(f);
	for (size_t i = 0; i < demo->n_sites; i++) {
		json_t *payload = site_payload(&demo->local->sites[i], q);
		json_t *cells =
		    json_object_get(json_object_get(payload, "stratifiers"), f->stratifier_key);

		n += (uint64_t)json_integer_value(json_object_get(cells, code));
		json_decref(payload);
	}
	query_free(&q);
	return n;
}

/* The total line the builder should show for text. */
static char *total_line(const char *text, bool utf8)
{
	struct expect e;
	char a[32], b[32];
	const char *approx;

	expect_totals(text, &e);
	approx = e.exact ? "" : utf8 ? "\xe2\x89\x88" : "~";
	format_count((long long)e.subjects, a, sizeof a);
	format_count((long long)e.studies, b, sizeof b);
	return xasprintf("%s%s subjects, %s%s studies at %zu of %zu sites", approx, a, approx, b,
	                 e.n_sites, e.n_sites);
}

static void assert_cohort(const struct screen_test *u, const char *text)
{
	char *want = canonical(text), *top = screen_test_row_text(u, 1);

	assert_string_equal(u->app->cohort->text, want);
	if (strncmp(top, want, strlen(want)) != 0)
		fail_msg("the top line is '%s', not '%s'", top, want);
	free(top);
	free(want);
}

static void assert_total(const struct screen_test *u, const char *text)
{
	char *want = total_line(text, u->c->utf8), *line = screen_test_row_text(u, 2);

	if (strcmp(line, want) != 0)
		fail_msg("the total line is '%s', the sites say '%s'", line, want);
	free(line);
	free(want);
}

/* The text beside field label in the left pane; new. */
static char *left_field_text(const struct screen_test *u, const char *label)
{
	for (int y = 1; y < u->c->rows - 1; y++) {
		char *text = screen_test_cells_text(u, y, 2, left_w(u) - 2);

		if (starts_with_word(text, label)) {
			char *rest =
			    xstrdup(text + strlen(label) + strspn(text + strlen(label), " "));

			free(text);
			return rest;
		}
		free(text);
	}
	fail_msg("field '%s' not in the left pane:\n%s", label, u->text);
	return NULL;
}

static struct screen_test *open_builder(int rows, int cols, bool utf8)
{
	struct screen_test *u = screen_test_open(demo, rows, cols, utf8);

	screen_test_press(u, "b");
	screen_test_assert_shows(u, "Cohort builder");
	return u;
}

/* The keys that build sex:male diagnosis:prostate modality:MR age:50..70. */
static void build_example(struct screen_test *u)
{
	screen_test_press(u, "Tab");
	goto_value(u, "male");
	screen_test_press(u, "Space h");
	goto_field(u, "Diagnosis");
	goto_value(u, "prostate");
	screen_test_press(u, "Space h");
	goto_field(u, "Modality");
	goto_value(u, "MR");
	screen_test_press(u, "Space h");
	goto_field(u, "Age");
	screen_test_press(u, "Enter");
	screen_test_type(u, "50..70");
	screen_test_press(u, "Enter");
}

static const char example[] = "sex:male diagnosis:prostate modality:MR age:50..70";

/* Degenerate: tiny canvases, every key. */

static void test_tiny_canvases(void **state)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 10 }, { 3, 20 }, { 4, 4 }, { 6, 30 } };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct screen_test *u = screen_test_open(demo, sizes[i][0], sizes[i][1], true);

		screen_test_press(u, "b j j Tab Space j Space ! PgDn G Tab G Enter");
		screen_test_type(u, "1..2");
		screen_test_press(u, "Enter o g Tab Space ] [ d u C-r PgUp g");
		screen_test_click(u, UI_KEY_MOUSE_CLICK, 0, 0);
		screen_test_click(u, UI_KEY_WHEEL_DOWN, sizes[i][0] - 1, sizes[i][1] - 1);
		screen_test_assert_sane(u);
		screen_test_close(&u);
	}
}

/* The first screen. */

static void test_open(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);
	char *line = screen_test_row_text(u, 1);

	/* Everything, counted at every site. */
	assert_non_null(strstr(line, "*"));
	screen_test_assert_shows(u, "everyone");
	assert_total(u, "*");
	free(line);
	/* The vocabulary's groups and fields, the first field's values. */
	screen_test_assert_shows(u, "Patient");
	screen_test_assert_shows(u, "Clinical");
	screen_test_assert_shows(u, "Sex");
	screen_test_assert_shows(u, "Age at diagnosis");
	screen_test_assert_shows(u, "[ ] male");
	screen_test_assert_shows(u, "[ ] female");
	assert_true(left_cursor(u) > 0);
	assert_int_equal(right_cursor(u), -1);
	screen_test_assert_not_shows(u, "Some sites accept only");
	screen_test_assert_not_shows(u, "Group");
	screen_test_assert_shows(u, "Space choose  ! exclude  d remove  Tab pane  o OR-group");
	screen_test_assert_sane(u);
	/* Back leaves it. */
	screen_test_press(u, "q");
	screen_test_assert_not_shows(u, "Cohort builder");
	screen_test_close(&u);
}

static void test_build_with_keys(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);
	char *text;

	build_example(u);
	assert_cohort(u, example);
	assert_total(u, example);
	/* The left pane says what each field asks for. */
	text = left_field_text(u, "Sex");
	assert_string_equal(text, "male");
	free(text);
	text = left_field_text(u, "Age at diagnosis");
	assert_string_equal(text, "50..70");
	free(text);
	text = left_field_text(u, "Modality");
	assert_string_equal(text, "mr");
	free(text);
	text = left_field_text(u, "Year of diagnosis");
	assert_string_equal(text, "");
	free(text);
	/* The numeric field shows its range, its bins and its unit. */
	screen_test_assert_shows(u, "Age at diagnosis (years)");
	screen_test_assert_shows(u, "Range 50..70 years");
	screen_test_assert_shows(u, "50-59 years");
	screen_test_assert_not_shows(u, "Some sites accept only");
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

/* Each value shows what choosing it would give: the stratifier the sites
 * computed with the field's own criterion left out. */
static void test_live_counts(void **state)
{
	static const struct {
		const char *field, *label, *alias;
	} cells[] = {
		{ "Sex", "female", "female" },
		{ "Sex", "male", "male" },
		{ "Diagnosis", "breast cancer", "breast" },
		{ "Diagnosis", "prostate cancer", "prostate" },
		{ "Modality", "CT", "ct" },
	};
	struct screen_test *u = open_builder(24, 80, true);

	build_example(u);
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		const struct vocab_field *f = vocab_field_find(demo->vocab, cells[i].field);
		int v, y;
		char *line;
		uint64_t want;

		assert_non_null(f);
		v = vocab_value_find(f, cells[i].alias);
		assert_true(v >= 0);
		want = expect_stratum(example, cells[i].field, f->values[v].code);
		goto_field(u, cells[i].field);
		y = goto_value(u, cells[i].label);
		line = screen_test_cells_text(u, y, right_x(u), 0);
		if (last_number(line) != (long)want)
			fail_msg("%s %s shows '%s'; the sites say %llu", cells[i].field,
			         cells[i].label, line, (unsigned long long)want);
		free(line);
		screen_test_press(u, "h");
	}
	/* A bin's count too. */
	goto_field(u, "Age");
	screen_test_press(u, "Tab");
	{
		int y = screen_test_find_row(u, "60-69 years");
		char *line;

		assert_true(y > 0);
		line = screen_test_cells_text(u, y, right_x(u), 0);
		assert_int_equal(last_number(line), (long)expect_stratum(example, "age", "60-69"));
		free(line);
	}
	/* Nothing was chosen by looking. */
	assert_cohort(u, example);
	screen_test_close(&u);
}

static void test_negate_remove_undo(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);
	char *text;
	int y;

	build_example(u);
	goto_field(u, "Modality");
	screen_test_press(u, "!");
	assert_cohort(u, "sex:male diagnosis:prostate -modality:MR age:50..70");
	assert_total(u, "sex:male diagnosis:prostate -modality:MR age:50..70");
	text = left_field_text(u, "Modality");
	assert_string_equal(text, "-mr");
	free(text);
	screen_test_assert_shows(u, "[-] MR");
	screen_test_assert_shows(u, "None of these: -mr");
	/* A second value joins the exclusion. */
	goto_value(u, "CT");
	screen_test_press(u, "Space");
	assert_cohort(u, "sex:male diagnosis:prostate -modality:MR,CT age:50..70");
	screen_test_assert_shows(u, "[-] CT");
	/* ! again includes them. */
	screen_test_press(u, "!");
	assert_cohort(u, "sex:male diagnosis:prostate modality:MR,CT age:50..70");
	screen_test_assert_shows(u, "[x] CT");
	/* d removes the field, from either pane. */
	screen_test_press(u, "d");
	assert_cohort(u, "sex:male diagnosis:prostate age:50..70");
	screen_test_assert_shows(u, "[ ] MR");
	text = left_field_text(u, "Modality");
	assert_string_equal(text, "");
	free(text);
	screen_test_press(u, "d");
	screen_test_assert_shows(u, "nothing to remove");
	/* The app undoes and redoes; the builder follows. */
	screen_test_press(u, "u");
	assert_cohort(u, "sex:male diagnosis:prostate modality:MR,CT age:50..70");
	screen_test_assert_shows(u, "[x] MR");
	screen_test_press(u, "u");
	assert_cohort(u, "sex:male diagnosis:prostate -modality:MR,CT age:50..70");
	screen_test_press(u, "C-r C-r");
	assert_cohort(u, "sex:male diagnosis:prostate age:50..70");
	assert_total(u, "sex:male diagnosis:prostate age:50..70");
	/* The range goes with an empty answer. */
	goto_field(u, "Age");
	screen_test_press(u, "Enter C-u Enter");
	assert_cohort(u, "sex:male diagnosis:prostate");
	/* Unchoosing the last value of a field removes it. */
	goto_field(u, "Sex");
	y = goto_value(u, "male");
	assert_true(y > 0);
	screen_test_press(u, "Space");
	assert_cohort(u, "diagnosis:prostate");
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

static void test_bad_range(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);
	unsigned long version;
	char *before;

	build_example(u);
	version = u->app->cohort->version;
	before = xstrdup(u->app->cohort->text);
	goto_field(u, "Age");
	screen_test_press(u, "Enter");
	/* The prompt says what it wants and starts from the current range. */
	screen_test_assert_shows(u, "age (e.g. 50..70, >40, <=30; empty removes):");
	screen_test_assert_shows(u, "50..70");
	screen_test_press(u, "C-u");
	screen_test_type(u, "70..50");
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "inverted range");
	screen_test_assert_shows(u, "column 1");
	assert_int_equal(u->app->cohort->version, version);
	assert_string_equal(u->app->cohort->text, before);
	/* Still asking: a good answer is taken. */
	screen_test_press(u, "C-u");
	screen_test_type(u, ">40");
	screen_test_press(u, "Enter");
	assert_cohort(u, "sex:male diagnosis:prostate modality:MR age:>40");
	/* Esc asks nothing. */
	screen_test_press(u, "Enter C-u");
	screen_test_type(u, "oops");
	screen_test_press(u, "Esc");
	assert_cohort(u, "sex:male diagnosis:prostate modality:MR age:>40");
	screen_test_assert_sane(u);
	free(before);
	screen_test_close(&u);
}

static void test_or_groups(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);
	char *text, *want;

	screen_test_press(u, "o");
	screen_test_assert_shows(u, "Choose criteria first");
	screen_test_press(u, "Tab");
	goto_value(u, "male");
	screen_test_press(u, "Space");
	screen_test_press(u, "]");
	screen_test_assert_shows(u, "One group only");
	/* A new group: the next choice starts it. */
	screen_test_press(u, "o");
	screen_test_assert_shows(u, "Group 2 of 2 (OR), new");
	text = left_field_text(u, "Sex");
	assert_string_equal(text, ""); /* the new group asks nothing yet */
	free(text);
	goto_field(u, "Diagnosis");
	goto_value(u, "lung");
	screen_test_press(u, "Space");
	assert_cohort(u, "(sex:male) OR (diagnosis:lung)");
	assert_total(u, "(sex:male) OR (diagnosis:lung)");
	/* Several groups: the shape warning, which group, and the fields of
	 * the group being edited. */
	screen_test_assert_shows(u, "Some sites accept only one AND-group");
	want = xasprintf("Group %zu of 2 (OR)", u->app->cohort->focus + 1);
	screen_test_assert_shows(u, want);
	free(want);
	text = left_field_text(u, "Diagnosis");
	assert_string_equal(text, "lung");
	free(text);
	screen_test_press(u, "]");
	text = left_field_text(u, "Diagnosis");
	assert_string_equal(text, "");
	free(text);
	text = left_field_text(u, "Sex");
	assert_string_equal(text, "male");
	free(text);
	/* An edit goes to the group shown. */
	goto_field(u, "Modality");
	goto_value(u, "CT");
	screen_test_press(u, "Space");
	assert_cohort(u, "(sex:male modality:CT) OR (diagnosis:lung)");
	text = left_field_text(u, "Sex");
	assert_string_equal(text, "male"); /* the group followed the edit */
	free(text);
	screen_test_press(u, "[");
	text = left_field_text(u, "Diagnosis");
	assert_string_equal(text, "lung");
	free(text);
	/* Emptying a group drops it. */
	goto_field(u, "Diagnosis");
	screen_test_press(u, "d");
	assert_cohort(u, "sex:male modality:CT");
	screen_test_assert_not_shows(u, "Group");
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

static void test_strict_shape_warning(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);

	screen_test_press(u, "Tab");
	goto_field(u, "Modality");
	goto_value(u, "MR");
	screen_test_press(u, "Space");
	assert_cohort(u, "modality:mr");
	screen_test_assert_not_shows(u, "Some sites accept only");
	goto_value(u, "CT");
	screen_test_press(u, "Space");
	assert_cohort(u, "modality:mr,ct");
	screen_test_assert_shows(u, "Some sites accept only one AND-group");
	/* Wrapped at 80 columns, whole. */
	screen_test_assert_shows(u, "they may drop");
	screen_test_assert_shows(u, "\nthis query.");
	screen_test_assert_sane(u);
	screen_test_press(u, "Space");
	assert_cohort(u, "modality:mr");
	screen_test_assert_not_shows(u, "Some sites accept only");
	screen_test_close(&u);
}

/* The mouse. */

static void test_mouse(void **state)
{
	struct screen_test *u = open_builder(24, 80, true);
	int y;

	/* A click on a field moves the left cursor there. */
	y = screen_test_find_row(u, "Diagnosis");
	assert_true(y > 0);
	screen_test_click(u, UI_KEY_MOUSE_CLICK, y, 5);
	assert_int_equal(left_cursor(u), y);
	screen_test_assert_shows(u, "prostate cancer");
	/* A click on a value's mark chooses it; on its label, only moves. */
	y = screen_test_find_row(u, "[ ] prostate cancer");
	screen_test_click(u, UI_KEY_MOUSE_CLICK, y, right_x(u) + 10);
	assert_int_equal(right_cursor(u), y);
	assert_cohort(u, "*");
	screen_test_click(u, UI_KEY_MOUSE_CLICK, y, right_x(u) + 1);
	assert_cohort(u, "diagnosis:prostate");
	screen_test_assert_shows(u, "[x] prostate cancer");
	/* The wheel scrolls the pane under it: the first heading goes. */
	screen_test_click(u, UI_KEY_WHEEL_DOWN, 10, 3);
	assert_int_equal(screen_test_find_row(u, "Patient"), -1);
	screen_test_click(u, UI_KEY_WHEEL_UP, 10, 3);
	assert_true(screen_test_find_row(u, "Patient") > 0);
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

/* Sizes. */

static void test_sizes(void **state)
{
	static const int sizes[][2] = { { 24, 80 }, { 40, 120 }, { 12, 40 } };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct screen_test *u = open_builder(sizes[i][0], sizes[i][1], true);
		bool narrow = sizes[i][1] < 60;

		build_example(u);
		if (narrow) { /* cut, with the hash gone to make room */
			char *want = canonical(example), *top = screen_test_row_text(u, 1);

			assert_string_equal(u->app->cohort->text, want);
			assert_int_equal(strncmp(top, want, 39), 0);
			assert_string_equal(top + 39, "\xe2\x80\xa6");
			free(top);
			free(want);
		} else {
			assert_cohort(u, example);
		}
		screen_test_assert_sane(u);
		/* Side by side, or one pane at a time. */
		screen_test_press(u, "h");
		if (narrow) {
			screen_test_assert_not_shows(u, "[ ] ");
			screen_test_assert_shows(u, "Sex");
		} else {
			screen_test_assert_shows(u, "Age at diagnosis (years)");
			screen_test_assert_shows(u, "Sex");
		}
		screen_test_press(u, "g Tab");
		screen_test_assert_shows(u, "[x] male");
		if (narrow)
			screen_test_assert_not_shows(u, "Patient");
		/* Long lists scroll in both panes. */
		screen_test_press(u, "G h G");
		screen_test_assert_sane(u);
		screen_test_assert_shows(u, "pM");
		screen_test_press(u, "Tab G");
		screen_test_assert_shows(u, "[ ] M1");
		screen_test_assert_sane(u);
		screen_test_close(&u);
	}
	/* Without UTF-8 too, with the approximate counts marked '~'. */
	{
		struct screen_test *u = open_builder(24, 80, false);

		build_example(u);
		assert_total(u, example);
		screen_test_assert_sane(u);
		screen_test_close(&u);
	}
}

/* Counting on the worker thread: the builder says so until every site has
 * answered, then shows the same total. */
static void test_counting_live(void **state)
{
	struct screen_test *u = screen_test_open_app(app_new(demo, NULL, true), 24, 80, true);
	char *line;

	screen_test_press(u, "b Tab Space");
	line = screen_test_row_text(u, 2);
	if (strstr(line, "counting\xe2\x80\xa6") == NULL)
		fail_msg("no 'counting' while the sites count: '%s'", line);
	free(line);
	for (int i = 0; i < 1000 && !(counts_done(u->app->counts) &&
	                              u->app->counts->version == u->app->cohort->version);
	     i++) {
		struct pollfd no_tty = { -1, POLLIN, 0 };

		assert_true(counts_fd(u->app->counts) >= 0);
		if (app_wait(u->app, &no_tty, 100) < 0)
			fail_msg("cannot wait for the counting thread");
	}
	screen_test_redraw(u);
	assert_cohort(u, "sex:male");
	assert_total(u, "sex:male");
	screen_test_close(&u);
}

static int setup(void **state)
{
	demo = screen_test_demo_open();
	return demo != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	federation_close(&demo);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiny_canvases),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_build_with_keys),
		cmocka_unit_test(test_live_counts),
		cmocka_unit_test(test_negate_remove_undo),
		cmocka_unit_test(test_bad_range),
		cmocka_unit_test(test_or_groups),
		cmocka_unit_test(test_strict_shape_warning),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_counting_live),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
