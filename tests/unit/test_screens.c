/* The catalogue, collection and help screens driven through a real app
 * over the demo federation: keys in through app_key, the canvas out
 * through app_draw and ui_canvas_text, as a user at an 80x24 terminal
 * would see it (and at 40x10, 200x50 and without UTF-8). Degenerate
 * catalogues (empty, items with missing or mistyped members) come first. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalogue.h"
#include "node/local.h"
#include "screens/app.h"
#include "ui/actions.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

#include "screen_support.h"
#include "support.h"

static struct federation *demo;

/* The name a catalogue item shows, sanitised; new. */
static char *item_name(const char *id)
{
	json_t *item = catalogue_find(demo->catalogue, id);

	assert_non_null(item);
	return sanitize_text(catalogue_item_str(item, "name"));
}

static size_t count_matching(const char *text)
{
	size_t i, n = 0;
	json_t *item;

	json_array_foreach (demo->catalogue, i, item)
		n += catalogue_item_matches(item, text);
	return n;
}

/* The header row of the catalogue table. */
static int header_row(const struct screen_test *u)
{
	int y = screen_test_find_row(u, "NAME");

	assert_true(y > 0);
	return y;
}

/* The first number ("1,200") in a table row: the subjects column. */
static long first_number(const char *line)
{
	for (const char *p = line; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9' && (p == line || p[-1] == ' ')) {
			long n = 0;
			const char *q = p;

			while ((*q >= '0' && *q <= '9') || *q == ',') {
				if (*q != ',')
					n = n * 10 + (*q - '0');
				q++;
			}
			if (*q == ' ' || *q == '\0')
				return n;
		}
	}
	return -1;
}

/* Degenerate catalogues. */

static struct federation *fed_from_json(const char *json)
{
	struct federation *fed = xcalloc(1, sizeof *fed);
	json_error_t error;

	fed->catalogue = json_loads(json, 0, &error);
	assert_non_null(fed->catalogue);
	return fed;
}

static void test_empty_catalogue(void **state)
{
	struct federation *fed = fed_from_json("[]");
	struct screen_test *u = screen_test_open(fed, 24, 80, true);

	screen_test_assert_shows(u, "The catalogue is empty");
	screen_test_assert_shows(u, "0 of 0 collections");
	screen_test_assert_not_shows(u, "synthetic");
	screen_test_press(u, "j k Space Enter s S G g PgDn PgUp");
	screen_test_type(u, "/x");
	screen_test_assert_shows(u, "0 of 0 collections");
	screen_test_click(u, UI_KEY_MOUSE_CLICK, 3, 5);
	screen_test_click(u, UI_KEY_WHEEL_DOWN, 3, 5);
	screen_test_assert_sane(u);
	screen_test_close(&u);
	federation_close(&fed);
}

static void test_odd_items(void **state)
{
	/* Missing members, wrong types, a huge count and a non-object item. */
	struct federation *fed = fed_from_json(
	    "[{}, {\"id\": 5, \"name\": null, \"number_of_subjects\": \"12\"},"
	    " {\"id\": \"x\", \"name\": \"Wide \xe6\xbc\xa2\xe5\xad\x97 name\", "
	    "\"number_of_subjects\": 123456789012, \"imaging_modality\": [\"MR\", 7, null],"
	    " \"previews\": [{\"title\": \"Axial \\u001b[2J slice\", \"media_type\": "
	    "\"image/png\"}, 3]},"
	    " 42]");
	struct screen_test *u = screen_test_open(fed, 24, 80, true);

	screen_test_assert_shows(u, "4 of 4 collections");
	screen_test_assert_shows(u, "123,456,789,012");
	screen_test_assert_shows(u, "\xe6\xbc\xa2\xe5\xad\x97");
	screen_test_press(u, "s s s s s s s S");
	screen_test_assert_sane(u);
	/* Open the one with previews: its title is listed, sanitised. */
	screen_test_type(u, "/wide");
	screen_test_press(u, "Enter Enter G");
	screen_test_assert_shows(u, "Axial ^[[2J slice (image/png)");
	screen_test_assert_sane(u);
	screen_test_press(u, "q");
	/* Items without an id cannot be found again by it, and say so. */
	screen_test_press(u, "Esc S g Enter"); /* name order again: the nameless first */
	screen_test_assert_shows(u, "No collection with this id in the catalogue.");
	screen_test_assert_not_shows(u, "Provider");
	screen_test_assert_sane(u);
	screen_test_press(u, "Space q");
	screen_test_close(&u);
	federation_close(&fed);
}

static void test_tiny_canvases(void **state)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 10 }, { 3, 20 }, { 4, 4 }, { 5, 30 } };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct screen_test *u = screen_test_open(demo, sizes[i][0], sizes[i][1], true);

		screen_test_press(u, "j PgDn G s Enter j G ? G q q");
		screen_test_assert_sane(u);
		screen_test_type(u, "/lung");
		screen_test_press(u, "Enter Space");
		screen_test_assert_sane(u);
		screen_test_close(&u);
	}
}

/* The catalogue at 80x24. */

static void test_first_screen(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	int h = header_row(u);
	char *first = screen_test_row_text(u, h + 1), *name = item_name("c-pros-02");

	screen_test_assert_shows(u, "24 of 24 collections");
	screen_test_assert_shows(u, "(synthetic demo data)");
	screen_test_assert_shows(u, "sorted by name");
	assert_non_null(strstr(first, name)); /* name order: "Biparametric ..." first */
	assert_int_equal(screen_test_cursor_row(u), h + 1); /* the cursor starts there */
	/* 24 rows: title, header, 20 collections, footer, status. */
	assert_int_equal(screen_test_find_row(u, "24 of 24 collections"), h + 21);
	screen_test_assert_sane(u);
	free(first);
	free(name);
	screen_test_close(&u);
}

static void test_columns_fit_the_width(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	char *header = screen_test_row_text(u, header_row(u));

	/* At 80 columns the less important ones give way. */
	assert_non_null(strstr(header, "NAME"));
	assert_non_null(strstr(header, "SUBJECTS"));
	assert_non_null(strstr(header, "STUDIES"));
	assert_non_null(strstr(header, "MODALITIES"));
	assert_non_null(strstr(header, "ACCESS"));
	assert_null(strstr(header, "BODY PARTS"));
	assert_null(strstr(header, "PROVIDER"));
	assert_non_null(strstr(header, "NAME\xe2\x96\xb2"));
	screen_test_assert_sane(u);
	free(header);
	screen_test_close(&u);

	/* A wide terminal shows everything, every collection, no cut names. */
	u = screen_test_open(demo, 50, 200, true);
	header = screen_test_row_text(u, header_row(u));
	assert_non_null(strstr(header, "BODY PARTS"));
	assert_non_null(strstr(header, "PROVIDER"));
	screen_test_assert_shows(u, "Centre Hospitalier Universitaire de la Garonne");
	screen_test_assert_shows(u, "MR, mammography, ultrasound");
	screen_test_assert_not_shows(u, "\xe2\x80\xa6");
	for (size_t i = 0; i < json_array_size(demo->catalogue); i++) {
		char *name =
		    sanitize_text(catalogue_item_str(json_array_get(demo->catalogue, i), "name"));

		screen_test_assert_shows(u, name);
		free(name);
	}
	screen_test_assert_sane(u);
	free(header);
	screen_test_close(&u);
}

static void test_small_terminal(void **state)
{
	struct screen_test *u = screen_test_open(demo, 10, 40, true);

	screen_test_assert_shows(u, "NAME");
	/* The footer gives way, but keeps the count and the notice. */
	screen_test_assert_shows(u, "24 of 24 (synthetic demo data)");
	assert_true(screen_test_cursor_row(u) > 0);
	screen_test_press(u, "G");
	assert_true(screen_test_cursor_row(u) > 0);
	screen_test_assert_sane(u);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Id");
	screen_test_assert_sane(u);
	screen_test_press(u, "G");
	screen_test_assert_shows(u, "v shows them");
	screen_test_assert_sane(u);
	screen_test_press(u, "q ?");
	screen_test_assert_shows(u, "Keys");
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

/* Search. */

static void test_search_filters(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	size_t i;
	json_t *item;

	screen_test_press(u, "/");
	screen_test_type(u, "prostate");
	assert_int_equal(count_matching("prostate"), 7);
	screen_test_assert_shows(u, "7 of 24 collections matching 'prostate'");
	screen_test_assert_shows(u, "/prostate");
	json_array_foreach (demo->catalogue, i, item) {
		char *name = sanitize_text(catalogue_item_str(item, "name"));

		name[strlen(name) > 20 ? 20 : strlen(name)] = '\0'; /* long ones are cut */
		if (catalogue_item_matches(item, "prostate"))
			screen_test_assert_shows(u, name);
		else
			screen_test_assert_not_shows(u, name);
		free(name);
	}
	screen_test_assert_sane(u);
	screen_test_press(u, "Esc");
	screen_test_assert_shows(u, "24 of 24 collections");
	screen_test_assert_not_shows(u, "matching");
	screen_test_close(&u);
}

static void test_search_agrees_with_catalogue(void **state)
{
	/* Typed and deleted letter by letter, case and spaces varied: the
	 * precomputed filter must say what catalogue_item_matches says. */
	static const char *queries[] = { "mr",         "LUNG ct",  "pet  hospital",  "c-crc",
		                         "ribeira mr", "Garonne ", " breast  mammo", "xyzzy",
		                         "legacy",     "siemens" };
	struct screen_test *u = screen_test_open(demo, 24, 80, true);

	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		const char *text = queries[q];
		char expect[64];

		screen_test_press(u, "/");
		for (size_t n = 1; n <= strlen(text); n++) {
			char *prefix = xstrndup(text, n);

			app_key(u->app, (unsigned char)text[n - 1]);
			screen_test_redraw(u);
			snprintf(expect, sizeof expect, "%zu of 24 collections",
			         count_matching(prefix));
			screen_test_assert_shows(u, expect);
			free(prefix);
		}
		for (size_t n = strlen(text); n > 0; n--) {
			char *prefix = xstrndup(text, n - 1);

			screen_test_press(u, "Backspace");
			snprintf(expect, sizeof expect, "%zu of 24 collections",
			         count_matching(prefix));
			screen_test_assert_shows(u, expect);
			free(prefix);
		}
		screen_test_press(u, "Esc");
	}
	screen_test_close(&u);
}

static void test_search_no_match(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);

	screen_test_press(u, "/");
	screen_test_type(u, "xyz");
	screen_test_assert_shows(u, "No collection matches 'xyz'");
	screen_test_assert_shows(u, "0 of 24 collections");
	assert_int_equal(screen_test_cursor_row(u), -1);
	screen_test_press(u, "Enter j Space Enter"); /* nothing to move, select or open */
	screen_test_assert_shows(u, "No collection matches 'xyz'");
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

static void test_search_keeps_cursor(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	char *name = item_name("c-pros-01"), *line;

	/* Down to "Prostate MRI Active Surveillance" (cut at 80 columns),
	 * then narrow. */
	name[20] = '\0';
	for (int i = 0; i < 30 && screen_test_cursor_row(u) != screen_test_find_row(u, name); i++)
		screen_test_press(u, "j");
	assert_int_equal(screen_test_cursor_row(u), screen_test_find_row(u, name));
	screen_test_press(u, "/");
	screen_test_type(u, "prostate");
	line = screen_test_row_text(u, screen_test_cursor_row(u));
	assert_non_null(strstr(line, name));
	free(line);
	/* Gone from the results: the cursor goes to the first one shown. */
	screen_test_type(u, " psma");
	screen_test_assert_shows(u, "1 of 24 collections");
	assert_int_equal(screen_test_cursor_row(u), header_row(u) + 1);
	/* Enter keeps the filter, and back clears it before it leaves. */
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "matching 'prostate psma'");
	assert_true(screen_test_press(u, "q"));
	screen_test_assert_shows(u, "24 of 24 collections");
	assert_false(screen_test_press(u, "q"));
	free(name);
	screen_test_close(&u);
}

/* Sorting, selection, movement, mouse. */

static void test_sort(void **state)
{
	struct screen_test *u = screen_test_open(demo, 50, 120, true);
	int h = header_row(u);
	char *line, *biggest = item_name("c-brst-01");
	long prev = -1;

	screen_test_press(u, "s");
	screen_test_assert_shows(u, "sorted by provider");
	screen_test_press(u, "s");
	screen_test_assert_shows(u, "sorted by subjects \xe2\x96\xbc");
	line = screen_test_row_text(u, h);
	assert_non_null(strstr(line, "SUBJECTS\xe2\x96\xbc"));
	free(line);
	line = screen_test_row_text(u, h + 1);
	assert_non_null(strstr(line, biggest));
	assert_int_equal(first_number(line), 2200);
	free(line);
	for (int y = h + 1; y < h + 25; y++) {
		long n;

		line = screen_test_row_text(u, y);
		n = first_number(line);
		assert_true(n > 0);
		assert_true(prev < 0 || n <= prev);
		prev = n;
		free(line);
	}
	/* Reversed: the smallest first, ties by name. */
	screen_test_press(u, "S");
	screen_test_assert_shows(u, "SUBJECTS\xe2\x96\xb2");
	line = screen_test_row_text(u, h + 1);
	assert_int_equal(first_number(line), 500);
	assert_non_null(strstr(line, "Post-Prostatectomy"));
	free(line);
	/* The cycle comes back round to the name. */
	screen_test_press(u, "s s s s s");
	screen_test_assert_shows(u, "sorted by name");
	screen_test_assert_sane(u);
	free(biggest);
	screen_test_close(&u);
}

static void test_select(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	int h = header_row(u);
	char *line;

	screen_test_press(u, "Space");
	assert_true(app_is_selected(u->app, "c-pros-02"));
	line = screen_test_row_text(u, h + 1);
	assert_true(strncmp(line, "\xe2\x80\xa2", 3) == 0);
	free(line);
	line = screen_test_row_text(u, h + 2);
	assert_false(strncmp(line, "\xe2\x80\xa2", 3) == 0);
	free(line);
	assert_int_equal(screen_test_cursor_row(u), h + 2); /* and moved down */
	screen_test_assert_shows(u, "1 selected");
	/* Back up and unselect. */
	screen_test_press(u, "k Space");
	assert_false(app_is_selected(u->app, "c-pros-02"));
	screen_test_assert_not_shows(u, "\xe2\x80\xa2");
	screen_test_assert_not_shows(u, "selected");
	screen_test_close(&u);
}

static void test_matching_cohort(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	struct query_error err;

	/* Everyone is no cohort to match. */
	screen_test_press(u, "m");
	screen_test_assert_shows(u, "build one first");
	screen_test_assert_shows(u, "24 of 24 collections");
	assert_int_equal(cohort_set_text(u->app->cohort, "diagnosis:lung modality:PET", &err), 0);
	app_cohort_changed(u->app);
	screen_test_press(u, "m");
	/* The lung collections with PET studies: the sites' answers decide. */
	screen_test_assert_shows(u, "in the cohort");
	screen_test_assert_shows(u, "Lung Cancer Screening");
	screen_test_assert_not_shows(u, "Prostate");
	screen_test_assert_not_shows(u, "24 of 24");
	/* The search still narrows within the matching ones. */
	screen_test_press(u, "/");
	screen_test_type(u, "nsclc");
	screen_test_assert_shows(u, "2 of 24 collections matching 'nsclc' in the cohort");
	screen_test_press(u, "Esc m");
	screen_test_assert_shows(u, "24 of 24 collections");
	screen_test_close(&u);
}

static void test_movement(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	int h = header_row(u);
	char *last = item_name("c-crc-05"), *first = item_name("c-pros-02"), *line;

	screen_test_press(u, "k"); /* already at the top */
	assert_int_equal(screen_test_cursor_row(u), h + 1);
	screen_test_press(u, "PgDn");
	assert_true(screen_test_cursor_row(u) > h + 1);
	screen_test_press(u, "G");
	line = screen_test_row_text(u, screen_test_cursor_row(u));
	assert_non_null(strstr(line, last));
	free(line);
	assert_int_equal(screen_test_cursor_row(u), h + 20); /* the last row of the page */
	screen_test_assert_not_shows(u, first);              /* scrolled */
	screen_test_press(u, "j");
	assert_int_equal(screen_test_cursor_row(u), h + 20);
	screen_test_press(u, "PgUp PgUp");
	screen_test_assert_shows(u, first);
	screen_test_press(u, "G g");
	assert_int_equal(screen_test_cursor_row(u), h + 1);
	screen_test_assert_shows(u, first);
	free(first);
	free(last);
	screen_test_close(&u);
}

static void test_mouse(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	int h = header_row(u), x;
	char *header = screen_test_row_text(u, h), *first = item_name("c-pros-02"), *fourth, *line;

	/* A click on a row moves the cursor there. */
	screen_test_click(u, UI_KEY_MOUSE_CLICK, h + 5, 10);
	assert_int_equal(screen_test_cursor_row(u), h + 5);
	/* The wheel scrolls by three. */
	line = screen_test_row_text(u, h + 4);
	fourth = xstrdup(line + 2);
	free(line);
	screen_test_click(u, UI_KEY_WHEEL_DOWN, h + 5, 10);
	screen_test_assert_not_shows(u, first);
	line = screen_test_row_text(u, h + 1);
	assert_string_equal(line + 2, fourth);
	free(line);
	screen_test_click(u, UI_KEY_WHEEL_UP, h + 5, 10);
	screen_test_assert_shows(u, first);
	/* A click on a header sorts by that column, a second reverses. */
	x = (int)(strstr(header, "SUBJECTS") - header);
	screen_test_click(u, UI_KEY_MOUSE_CLICK, h, x + 2);
	screen_test_assert_shows(u, "sorted by subjects \xe2\x96\xbc");
	screen_test_click(u, UI_KEY_MOUSE_CLICK, h, x + 2);
	screen_test_assert_shows(u, "sorted by subjects \xe2\x96\xb2");
	free(header);
	free(first);
	free(fourth);
	screen_test_close(&u);
}

/* The collection screen. */

/* True if the words of text appear on the screen in order (across lines). */
static bool shows_words_in_order(const struct screen_test *u, const char *text)
{
	char *copy = xstrdup(text), *save = NULL;
	const char *at = u->text;
	bool ok = true;

	for (char *w = strtok_r(copy, " ", &save); ok && w != NULL;
	     w = strtok_r(NULL, " ", &save)) {
		at = strstr(at, w);
		ok = at != NULL;
		if (ok)
			at += strlen(w);
	}
	free(copy);
	return ok;
}

static void test_collection(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, true);
	json_t *item;
	char *name, *line, *before, *desc;
	int row, desc_rows = 0;

	screen_test_press(u, "j j j");
	row = screen_test_cursor_row(u);
	before = screen_test_row_text(u, row);
	screen_test_press(u, "Enter");
	item = catalogue_find(demo->catalogue, "c-brst-01");
	name = item_name("c-brst-01");
	screen_test_assert_shows(u, "Collection");
	screen_test_assert_shows(u, name);
	line = screen_test_row_text(u, screen_test_find_row(u, "Id  "));
	assert_non_null(strstr(line, "c-brst-01"));
	free(line);
	screen_test_assert_shows(u, "Istituto Oncologico della Laguna (it-laguna), IT");
	screen_test_assert_shows(u, "2,200 subjects, 4,405 studies");
	screen_test_assert_shows(u, "MR, mammography, ultrasound");
	screen_test_assert_shows(u, "Access             PUBLIC");
	screen_test_assert_shows(u, "not selected");
	screen_test_assert_sane(u);
	/* The rest is below: the description wrapped, then the previews. */
	screen_test_press(u, "G");
	desc = sanitize_text(catalogue_item_str(item, "description"));
	assert_true(shows_words_in_order(u, desc));
	assert_true(strlen(desc) > 78);
	for (int y = screen_test_find_row(u, "Description") + 1; y < u->c->rows; y++) {
		line = screen_test_row_text(u, y);
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ' && strstr(desc, line + 2) != NULL)
			desc_rows++;
		free(line);
	}
	assert_true(desc_rows >= 2);
	screen_test_assert_shows(u, "Previews");
	screen_test_assert_shows(u, "Mammogram phantom, left MLO view (synthetic)");
	screen_test_assert_shows(u, "v shows them");
	screen_test_assert_shows(u, "synthetic demo data");
	screen_test_assert_sane(u);
	/* Space selects it; the page says so. */
	screen_test_press(u, "g Space");
	assert_true(app_is_selected(u->app, "c-brst-01"));
	screen_test_assert_shows(u, "[selected]");
	screen_test_assert_shows(u, "selected for an access request");
	/* Back: the cursor is where it was, and the mark shows. */
	assert_true(screen_test_press(u, "q"));
	assert_int_equal(screen_test_cursor_row(u), row);
	line = screen_test_row_text(u, row);
	assert_string_equal(line + 3, before + 1);
	free(line);
	free(before);
	free(desc);
	free(name);
	screen_test_close(&u);
}

/* Help. */

static void test_help(void **state)
{
	/* Tall enough for the whole table on one page. */
	struct screen_test *u = screen_test_open(demo, 60, 80, true);

	screen_test_press(u, "?");
	screen_test_assert_shows(u, "Help");
	screen_test_assert_shows(u, "Keys");
	/* Every action, in table order: its keys and its help on one line. */
	for (size_t i = 0, prev = 0; i < ui_action_count; i++) {
		const struct ui_action_info *a = &ui_action_table[i];
		char first_key[32];
		int y = screen_test_find_row(u, a->help);
		char *line;

		assert_true(y > 0);
		assert_true((size_t)y > prev);
		prev = (size_t)y;
		snprintf(first_key, sizeof first_key, "%.*s", (int)strcspn(a->keys, " "), a->keys);
		line = screen_test_row_text(u, y);
		assert_true(strncmp(line, first_key, strlen(first_key)) == 0);
		free(line);
	}
	/* The keys as the table lists them, comma-separated. */
	screen_test_assert_shows(u, "j, Down ");
	screen_test_assert_shows(u, "q, Esc, h, Left ");
	screen_test_assert_sane(u);
	screen_test_close(&u);
	/* At 80x24 it scrolls to the end. */
	u = screen_test_open(demo, 24, 80, true);
	screen_test_press(u, "?");
	screen_test_press(u, "G");
	screen_test_assert_shows(u, ui_action_table[ui_action_count - 1].help);
	screen_test_assert_shows(u, "Esc clears");
	screen_test_press(u, "q");
	screen_test_assert_shows(u, "24 of 24 collections");
	screen_test_close(&u);
}

/* Text from outside. */

static void test_escape_sequences(void **state)
{
	struct screen_test *u = screen_test_open(demo, 50, 200, true);

	screen_test_assert_shows(u, "Radiotherapy Response in NSCLC ^[[31m(legacy export)^[[0m^G");
	screen_test_assert_sane(u);
	screen_test_close(&u);

	u = screen_test_open(demo, 24, 80, true);
	screen_test_press(u, "/");
	screen_test_type(u, "c-lung-03");
	screen_test_press(u, "Enter Enter");
	screen_test_assert_shows(u,
	                         "Name               Radiotherapy Response in NSCLC ^[[31m(legacy");
	screen_test_assert_shows(u, "c-lung-03");
	assert_null(strchr(u->text, 0x1b));
	assert_null(strchr(u->text, 0x07));
	screen_test_assert_sane(u);
	screen_test_press(u, "G");
	screen_test_assert_shows(u, "^[]0;ecii title^G");
	assert_null(strchr(u->text, 0x1b));
	assert_null(strchr(u->text, 0x07));
	screen_test_assert_sane(u);
	screen_test_close(&u);
}

static void test_ascii_only(void **state)
{
	struct screen_test *u = screen_test_open(demo, 24, 80, false);

	screen_test_press(u, "Space s s");
	screen_test_assert_shows(u, "SUBJECTSv");
	screen_test_assert_sane(u);
	screen_test_press(u, "g");
	screen_test_press(u, "/");
	screen_test_type(u, "elbtal");
	screen_test_press(u, "Enter");
	screen_test_assert_sane(u);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Universit?tsklinikum Elbtal");
	screen_test_assert_sane(u);
	screen_test_press(u, "G q ?");
	screen_test_assert_sane(u);
	screen_test_press(u, "q Esc");
	screen_test_type(u, "/lung-03");
	screen_test_press(u, "Enter");
	screen_test_assert_sane(u);
	screen_test_press(u, "Enter G");
	screen_test_assert_sane(u);
	screen_test_close(&u);
	/* Wide and narrow too. */
	u = screen_test_open(demo, 50, 200, false);
	screen_test_press(u, "Space");
	screen_test_assert_shows(u, "* ");
	screen_test_assert_sane(u);
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
		cmocka_unit_test(test_empty_catalogue),
		cmocka_unit_test(test_odd_items),
		cmocka_unit_test(test_tiny_canvases),
		cmocka_unit_test(test_first_screen),
		cmocka_unit_test(test_columns_fit_the_width),
		cmocka_unit_test(test_small_terminal),
		cmocka_unit_test(test_search_filters),
		cmocka_unit_test(test_search_agrees_with_catalogue),
		cmocka_unit_test(test_search_no_match),
		cmocka_unit_test(test_search_keeps_cursor),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_matching_cohort),
		cmocka_unit_test(test_movement),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_collection),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_ascii_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
