/* Saving cohorts (w), the cohorts screen (L) and the history of queries
 * run, driven through a real app over the demo federation with keys in and
 * the screen out as text. Each test has its own XDG_DATA_HOME. Refusals
 * and files that cannot be used come first: an everything-cohort, bad
 * names, a data directory that is a file, a saved text that no longer
 * parses; then save, list, load, replace, delete, search and the history. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/cohort.h"
#include "core/query.h"
#include "node/local.h"
#include "screens/app.h"
#include "ui/keys.h"
#include "store/user_files.h"
#include "ui/canvas.h"
#include "ui/line.h"
#include "util/xmalloc.h"

#include "screen_support.h"
#include "support.h"

static struct federation *demo;
static char *scratch;

static const char male[] = "sex:male diagnosis:prostate age:50..70";
static const char female[] = "sex:female";
static const char ct[] = "modality:CT";

/* A new explorer at rows x cols with a data directory of its own. */
static struct screen_test *open_ui(const char *name, int rows, int cols)
{
	char *home = test_temp_path(scratch, name);

	assert_int_equal(setenv("XDG_DATA_HOME", home, 1), 0);
	free(home);
	return screen_test_open(demo, rows, cols, true);
}

/* Makes text the cohort as a screen does; text must parse. */
static void set_cohort(struct screen_test *t, const char *text)
{
	struct query_error err;

	if (cohort_set_text(t->app->cohort, text, &err) != 0)
		fail_msg("'%s' does not parse: %s", text, err.message);
	app_cohort_changed(t->app);
	screen_test_redraw(t);
}

/* The canonical text of text, new. */
static char *canonical(const char *text)
{
	struct cohort *c = cohort_new(demo->vocab);
	struct query_error err;
	char *out;

	assert_int_equal(cohort_set_text(c, text, &err), 0);
	out = xstrdup(c->text);
	cohort_free(&c);
	return out;
}

static void assert_cohort(const struct screen_test *t, const char *text)
{
	char *want = canonical(text);

	assert_string_equal(t->app->cohort->text, want);
	free(want);
}

static void save_as(struct screen_test *t, const char *name)
{
	screen_test_press(t, "w C-u");
	screen_test_type(t, name);
	screen_test_press(t, "Enter");
}

static size_t n_saved(void)
{
	struct user_cohort *list;
	size_t n;
	char err[256];

	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	user_cohorts_free(&list, n);
	return n;
}

static void test_nothing_to_save(void **state)
{
	struct screen_test *t = open_ui("nothing", 24, 80);

	screen_test_press(t, "w");
	screen_test_assert_shows(t, "nothing to save: build a cohort first");
	assert_int_equal(t->app->line_mode, APP_LINE_NONE);
	/* Back to everything after a cohort: still nothing. */
	set_cohort(t, male);
	set_cohort(t, "*");
	screen_test_press(t, "w");
	screen_test_assert_shows(t, "nothing to save");
	assert_int_equal(n_saved(), 0);
	/* And everything is never a query run. */
	screen_test_press(t, "L Tab");
	screen_test_assert_shows(t, "[History 1]");
	screen_test_close(&t);
}

static void test_bad_names(void **state)
{
	struct screen_test *t = open_ui("badnames", 24, 80);

	set_cohort(t, male);
	screen_test_press(t, "w");
	assert_int_equal(t->app->line_mode, APP_LINE_PROMPT);
	screen_test_assert_shows(t, "Save the cohort as:");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "a name is needed");
	assert_int_equal(t->app->line_mode, APP_LINE_PROMPT); /* asked again */
	screen_test_type(t, "../etc/passwd");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "cannot start with '.'");
	screen_test_press(t, "C-u");
	screen_test_type(t, "etc/passwd");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "'/' cannot be in a name");
	assert_int_equal(t->app->line_mode, APP_LINE_PROMPT);
	screen_test_press(t, "C-u");
	screen_test_type(t, "caf\xc3\xa9");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "ASCII letters");
	screen_test_press(t, "Esc");
	assert_int_equal(t->app->line_mode, APP_LINE_NONE);
	assert_int_equal(n_saved(), 0);
	assert_cohort(t, male);
	screen_test_close(&t);
}

static void test_files_unusable(void **state)
{
	struct screen_test *t = open_ui("unusable", 24, 80);
	char *home = xstrdup(getenv("XDG_DATA_HOME")), *file = xasprintf("%s/ecii", home);

	/* The data directory is a file: nothing can be kept, nothing is lost. */
	test_rmtree(home);
	assert_int_equal(mkdir(home, 0700), 0);
	test_write_file(file, "x", 1);
	set_cohort(t, male);
	screen_test_assert_shows(t, "history not kept");
	screen_test_press(t, "C-l");
	set_cohort(t, female);
	screen_test_assert_not_shows(t, "history not kept"); /* once is enough */
	save_as(t, "mine");
	screen_test_assert_shows(t, "not saved:");
	assert_cohort(t, female);
	screen_test_press(t, "L");
	screen_test_assert_shows(t, "cannot read");
	screen_test_assert_sane(t);
	screen_test_press(t, "q");
	assert_cohort(t, female);
	free(file);
	free(home);
	screen_test_close(&t);
}

static void test_no_longer_parses(void **state)
{
	struct screen_test *t = open_ui("unparsable", 24, 80);
	char err[256];

	set_cohort(t, male);
	assert_int_equal(
	    user_cohort_save("old", "colour:blue", t->app->cohort->hash, false, err, sizeof err),
	    0);
	screen_test_press(t, "L");
	screen_test_assert_shows(t, "old");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "'old' no longer parses");
	screen_test_assert_shows(t, "Saved"); /* still on the cohorts screen */
	assert_cohort(t, male);
	screen_test_close(&t);
}

static void test_save_list_load(void **state)
{
	struct screen_test *t = open_ui("round", 24, 100);
	char *want = canonical(male), *row, hash[65];
	int y;

	set_cohort(t, male);
	snprintf(hash, sizeof hash, "%s", t->app->cohort->hash);
	save_as(t, "prostate men");
	screen_test_assert_shows(t, "Saved 'prostate men'");
	assert_int_equal(t->app->line_mode, APP_LINE_NONE);
	assert_int_equal(n_saved(), 1);
	set_cohort(t, female);

	screen_test_press(t, "L");
	screen_test_assert_shows(t, "Cohorts");
	screen_test_assert_shows(t, "[Saved 1]");
	screen_test_assert_shows(t, "NAME");
	y = screen_test_find_row(t, "prostate men");
	assert_true(y > 0);
	row = screen_test_row_text(t, y);
	hash[8] = '\0'; /* the short hash, then the text */
	assert_non_null(strstr(row, hash));
	assert_non_null(strstr(row, want));
	assert_true(strstr(row, hash) < strstr(row, want));
	free(row);
	screen_test_assert_shows(t, "1 of 1 saved cohorts");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Loaded 'prostate men'");
	screen_test_assert_not_shows(t, "[Saved");
	assert_cohort(t, male);
	/* Loading is one undoable change. */
	screen_test_press(t, "u");
	assert_cohort(t, female);
	free(want);
	screen_test_close(&t);
}

static void test_mouse(void **state)
{
	struct screen_test *t = open_ui("mouse", 24, 100);
	int y;

	set_cohort(t, male);
	save_as(t, "a first");
	set_cohort(t, female);
	save_as(t, "b second");
	screen_test_press(t, "L");
	y = screen_test_find_row(t, "b second");
	assert_true(y > 0);
	assert_int_not_equal(screen_test_cursor_row(t), y);
	/* A click puts the cursor on the item; Enter loads it. */
	screen_test_click(t, UI_KEY_MOUSE_CLICK, y, 5);
	assert_int_equal(screen_test_cursor_row(t), y);
	screen_test_click(t, UI_KEY_WHEEL_UP, y, 5);
	assert_int_equal(screen_test_cursor_row(t), screen_test_find_row(t, "a first"));
	screen_test_click(t, UI_KEY_WHEEL_DOWN, y, 5);
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Loaded 'b second'");
	assert_cohort(t, female);
	screen_test_close(&t);
}

static void test_prefill_and_replace(void **state)
{
	struct screen_test *t = open_ui("replace", 24, 80);
	struct user_cohort *list;
	size_t n;
	char err[256], *want = canonical(ct);

	set_cohort(t, male);
	save_as(t, "mine");
	set_cohort(t, ct);
	/* w offers the last name; the same name asks before replacing. */
	screen_test_press(t, "w");
	assert_string_equal(ui_line_text(&t->app->line), "mine");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "replace 'mine'? type the name again");
	assert_int_equal(t->app->line_mode, APP_LINE_PROMPT);
	assert_string_equal(ui_line_text(&t->app->line), "");
	screen_test_type(t, "mine");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Saved 'mine' (replaced)");
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].text, want);
	assert_string_equal(list[0].hash, t->app->cohort->hash);
	user_cohorts_free(&list, n);
	/* Another name at "replace?" saves under that name instead; Esc at
	 * "replace?" keeps the file as it was. */
	set_cohort(t, female);
	screen_test_press(t, "w Enter");
	screen_test_type(t, "other");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Saved 'other'");
	screen_test_press(t, "w C-u");
	screen_test_type(t, "mine");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "replace 'mine'?");
	screen_test_press(t, "Esc");
	assert_int_equal(user_cohort_list(&list, &n, err, sizeof err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "mine");
	assert_string_equal(list[0].text, want);
	assert_string_equal(list[1].name, "other");
	user_cohorts_free(&list, n);
	free(want);
	screen_test_close(&t);
}

static void test_delete(void **state)
{
	struct screen_test *t = open_ui("delete", 24, 80);

	set_cohort(t, male);
	save_as(t, "alpha");
	set_cohort(t, female);
	save_as(t, "beta");
	screen_test_press(t, "L");
	screen_test_assert_shows(t, "[Saved 2]");
	screen_test_press(t, "j d");
	screen_test_assert_shows(t, "Delete 'beta'? (y/n)");
	screen_test_type(t, "maybe");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "answer y or n");
	assert_int_equal(t->app->line_mode, APP_LINE_PROMPT);
	screen_test_press(t, "C-u");
	screen_test_type(t, "n");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Kept 'beta'");
	assert_int_equal(n_saved(), 2);
	screen_test_press(t, "d");
	screen_test_type(t, "y");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Deleted 'beta'");
	screen_test_assert_shows(t, "[Saved 1]");
	screen_test_assert_not_shows(t, " beta ");
	assert_int_equal(n_saved(), 1);
	/* The cursor stays on a row that is there. */
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Loaded 'alpha'");
	assert_cohort(t, male);
	screen_test_close(&t);
}

static void test_search(void **state)
{
	struct screen_test *t = open_ui("search", 24, 80);

	set_cohort(t, male);
	save_as(t, "alpha");
	set_cohort(t, female);
	save_as(t, "beta");
	screen_test_press(t, "L /");
	screen_test_type(t, "BET");
	screen_test_assert_shows(t, "1 of 2 saved cohorts matching 'BET'");
	screen_test_assert_not_shows(t, "alpha");
	screen_test_press(t, "Enter"); /* keeps the filter */
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "Loaded 'beta'");
	/* The text is searched too, and q clears the filter before leaving. */
	screen_test_press(t, "L /");
	screen_test_type(t, "prostate");
	screen_test_press(t, "Enter");
	screen_test_assert_shows(t, "alpha");
	screen_test_assert_not_shows(t, "beta");
	screen_test_press(t, "q");
	screen_test_assert_shows(t, "2 of 2 saved cohorts");
	screen_test_press(t, "/");
	screen_test_type(t, "nothing like it");
	screen_test_assert_shows(t, "Nothing matches the search");
	screen_test_press(t, "Esc q");
	screen_test_assert_not_shows(t, "[Saved");
	screen_test_close(&t);
}

static void test_history(void **state)
{
	struct screen_test *t = open_ui("history", 24, 80);
	char *m = canonical(male), *f = canonical(female), *c = canonical(ct);
	int ym, yf;

	screen_test_press(t, "L");
	screen_test_assert_shows(t, "No saved cohort yet");
	screen_test_press(t, "Tab");
	screen_test_assert_shows(t, "No query run yet");
	screen_test_press(t, "q");
	set_cohort(t, male);
	set_cohort(t, female);
	set_cohort(t, female); /* the same again is not a new query */
	set_cohort(t, "*");    /* nor is everything */
	set_cohort(t, male);
	set_cohort(t, ct);
	screen_test_press(t, "L Tab");
	screen_test_assert_shows(t, "[History 4]");
	screen_test_assert_shows(t, "RUN (UTC)");
	ym = screen_test_find_row(t, m);
	yf = screen_test_find_row(t, f);
	/* Newest first: ct, male, female, male. */
	assert_int_equal(screen_test_find_row(t, c), 3);
	assert_int_equal(ym, 4);
	assert_int_equal(yf, 5);
	screen_test_press(t, "j j Enter");
	screen_test_assert_shows(t, "Loaded the query run");
	assert_cohort(t, female);
	/* A new app continues the same history without repeating its end. */
	screen_test_close(&t);
	t = screen_test_open(demo, 24, 80, true);
	set_cohort(t, female);
	screen_test_press(t, "L Tab");
	screen_test_assert_shows(t, "[History 5]"); /* the load above was run */
	set_cohort(t, female);
	screen_test_press(t, "q L Tab");
	screen_test_assert_shows(t, "[History 5]");
	/* d in the history deletes nothing. */
	screen_test_press(t, "d");
	screen_test_assert_shows(t, "only saved cohorts are deleted");
	free(m);
	free(f);
	free(c);
	screen_test_close(&t);
}

/* Long names and texts at every size: nothing overflows. */
static void test_sizes(void **state)
{
	static const int sizes[][2] = { { 24, 80 }, { 12, 40 }, { 5, 20 },  { 3, 12 },
		                        { 2, 8 },   { 1, 1 },   { 50, 200 } };
	struct screen_test *t = open_ui("sizes", 24, 80);
	char name[USER_NAME_MAX + 1];
	const char *long_text =
	    "sex:male diagnosis:prostate age:50..70 modality:MR,CT OR sex:female age:<40";
	struct query_error err;

	memset(name, 'n', USER_NAME_MAX);
	name[USER_NAME_MAX] = '\0';
	if (cohort_set_text(t->app->cohort, long_text, &err) != 0)
		long_text = male;
	set_cohort(t, long_text);
	save_as(t, name);
	save_as(t, "short");
	screen_test_assert_shows(t, "Saved 'short'");
	screen_test_close(&t);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		t = screen_test_open(demo, sizes[i][0], sizes[i][1], i % 2 == 0);
		screen_test_press(t, "L");
		screen_test_assert_sane(t);
		screen_test_press(t, "j");
		screen_test_assert_sane(t);
		screen_test_press(t, "Tab");
		screen_test_assert_sane(t);
		screen_test_press(t, "Tab d");
		screen_test_assert_sane(t);
		if (sizes[i][0] == 12) {
			screen_test_press(t, "Esc");
			screen_test_assert_shows(t, "Saved 2");
			screen_test_assert_shows(t, "short");
		}
		screen_test_close(&t);
	}
}

static int setup(void **state)
{
	scratch = test_tmpdir("cohorts");
	demo = screen_test_demo_open();
	return demo != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	federation_close(&demo);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_to_save), cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_files_unusable),  cmocka_unit_test(test_no_longer_parses),
		cmocka_unit_test(test_save_list_load),  cmocka_unit_test(test_prefill_and_replace),
		cmocka_unit_test(test_delete),          cmocka_unit_test(test_search),
		cmocka_unit_test(test_history),         cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_mouse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
