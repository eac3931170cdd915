/* The catalogue, collection and help screens driven through a real app
 * over the demo federation: keys in through app_key, the canvas out
 * through app_draw and ui_canvas_text, as a user at an 80x24 terminal
 * would see it (and at 40x10, 200x50 and without UTF-8). Degenerate
 * catalogues (empty, items with missing or mistyped members) come first. */
#include "config.h"

#include <locale.h>
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
#include "util/datadir.h"
#include "util/sanitize.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include "support.h"

static struct local_fed *demo;

/* One explorer on one canvas, redrawn after every key as the terminal
 * loop does. */
struct ui {
	struct app *app;
	struct ui_canvas *c;
	char *text; /* the canvas after the last draw */
};

static void ui_redraw(struct ui *u)
{
	app_draw(u->app, u->c);
	free(u->text);
	u->text = ui_canvas_text(u->c);
}

static struct ui *ui_open(struct local_fed *fed, int rows, int cols, bool utf8)
{
	struct ui *u = xcalloc(1, sizeof *u);

	u->app = app_new(fed, false);
	u->c = ui_canvas_new(rows, cols, utf8);
	ui_redraw(u);
	return u;
}

static void ui_close(struct ui **up)
{
	struct ui *u = *up;

	app_free(&u->app);
	ui_canvas_free(&u->c);
	free(u->text);
	free(u);
	*up = NULL;
}

/* Presses the keys named in names (space-separated); returns what the last
 * app_key returned. */
static bool press(struct ui *u, const char *names)
{
	char *copy = xstrdup(names), *save = NULL;
	bool alive = true;

	for (char *n = strtok_r(copy, " ", &save); n != NULL; n = strtok_r(NULL, " ", &save)) {
		int key = ui_key_parse(n);

		assert_int_not_equal(key, UI_KEY_NONE);
		alive = app_key(u->app, key);
		ui_redraw(u);
	}
	free(copy);
	return alive;
}

static void type(struct ui *u, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		app_key(u->app, (unsigned char)*p);
		ui_redraw(u);
	}
}

static void click(struct ui *u, int key, int y, int x)
{
	u->app->mouse_y = y;
	u->app->mouse_x = x;
	app_key(u->app, key);
	ui_redraw(u);
}

/* Row y of the last draw, new. */
static char *row_text(const struct ui *u, int y)
{
	const char *p = u->text;

	for (int i = 0; i < y && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	assert_non_null(p);
	return xstrndup(p, strcspn(p, "\n"));
}

/* The first row whose text contains needle, or -1. */
static int find_row(const struct ui *u, const char *needle)
{
	for (int y = 0; y < u->c->rows; y++) {
		char *line = row_text(u, y);
		bool hit = strstr(line, needle) != NULL;

		free(line);
		if (hit)
			return y;
	}
	return -1;
}

/* The row drawn in the cursor style, or -1. */
static int cursor_row(const struct ui *u)
{
	for (int y = 0; y < u->c->rows; y++) {
		const struct ui_cell *cell = ui_canvas_cell(u->c, y, 2);

		if (cell != NULL && cell->style == UI_STYLE_CURSOR)
			return y;
	}
	return -1;
}

static void assert_shows(const struct ui *u, const char *needle)
{
	if (strstr(u->text, needle) == NULL)
		fail_msg("'%s' not on the screen:\n%s", needle, u->text);
}

static void assert_not_shows(const struct ui *u, const char *needle)
{
	if (strstr(u->text, needle) != NULL)
		fail_msg("'%s' is on the screen:\n%s", needle, u->text);
}

/* Every row fits the width, no control byte reached a cell, and with
 * UTF-8 off every byte is ASCII. */
static void assert_sane(const struct ui *u)
{
	for (int y = 0; y < u->c->rows; y++) {
		char *line = row_text(u, y);

		if ((int)utf8_width(line) > u->c->cols)
			fail_msg("row %d is %zu cells wide on a %d-column canvas: '%s'", y,
			         utf8_width(line), u->c->cols, line);
		free(line);
	}
	for (const unsigned char *p = (const unsigned char *)u->text; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("control byte 0x%02x on the screen", *p);
		if (!u->c->utf8 && *p >= 0x80)
			fail_msg("byte 0x%02x on an ASCII screen", *p);
	}
}

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
static int header_row(const struct ui *u)
{
	int y = find_row(u, "NAME");

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

static struct local_fed *fed_from_json(const char *json)
{
	struct local_fed *fed = xcalloc(1, sizeof *fed);
	json_error_t error;

	fed->catalogue = json_loads(json, 0, &error);
	assert_non_null(fed->catalogue);
	return fed;
}

static void test_empty_catalogue(void **state)
{
	struct local_fed *fed = fed_from_json("[]");
	struct ui *u = ui_open(fed, 24, 80, true);

	assert_shows(u, "The catalogue is empty");
	assert_shows(u, "0 of 0 collections");
	assert_not_shows(u, "synthetic");
	press(u, "j k Space Enter s S G g PgDn PgUp");
	type(u, "/x");
	assert_shows(u, "0 of 0 collections");
	click(u, UI_KEY_MOUSE_CLICK, 3, 5);
	click(u, UI_KEY_WHEEL_DOWN, 3, 5);
	assert_sane(u);
	ui_close(&u);
	local_close(&fed);
}

static void test_odd_items(void **state)
{
	/* Missing members, wrong types, a huge count and a non-object item. */
	struct local_fed *fed = fed_from_json(
	    "[{}, {\"id\": 5, \"name\": null, \"number_of_subjects\": \"12\"},"
	    " {\"id\": \"x\", \"name\": \"Wide \xe6\xbc\xa2\xe5\xad\x97 name\", "
	    "\"number_of_subjects\": 123456789012, \"imaging_modality\": [\"MR\", 7, null],"
	    " \"previews\": [{\"title\": \"Axial \\u001b[2J slice\", \"media_type\": "
	    "\"image/png\"}, 3]},"
	    " 42]");
	struct ui *u = ui_open(fed, 24, 80, true);

	assert_shows(u, "4 of 4 collections");
	assert_shows(u, "123,456,789,012");
	assert_shows(u, "\xe6\xbc\xa2\xe5\xad\x97");
	press(u, "s s s s s s s S");
	assert_sane(u);
	/* Open the one with previews: its title is listed, sanitised. */
	type(u, "/wide");
	press(u, "Enter Enter G");
	assert_shows(u, "Axial ^[[2J slice (image/png)");
	assert_sane(u);
	press(u, "q");
	/* Items without an id cannot be found again by it, and say so. */
	press(u, "Esc S g Enter"); /* name order again: the nameless first */
	assert_shows(u, "No collection with this id in the catalogue.");
	assert_not_shows(u, "Provider");
	assert_sane(u);
	press(u, "Space q");
	ui_close(&u);
	local_close(&fed);
}

static void test_tiny_canvases(void **state)
{
	static const int sizes[][2] = { { 1, 1 }, { 2, 10 }, { 3, 20 }, { 4, 4 }, { 5, 30 } };

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct ui *u = ui_open(demo, sizes[i][0], sizes[i][1], true);

		press(u, "j PgDn G s Enter j G ? G q q");
		assert_sane(u);
		type(u, "/lung");
		press(u, "Enter Space");
		assert_sane(u);
		ui_close(&u);
	}
}

/* The catalogue at 80x24. */

static void test_first_screen(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	int h = header_row(u);
	char *first = row_text(u, h + 1), *name = item_name("c-pros-02");

	assert_shows(u, "24 of 24 collections");
	assert_shows(u, "(synthetic demo data)");
	assert_shows(u, "sorted by name");
	assert_non_null(strstr(first, name));   /* name order: "Biparametric ..." first */
	assert_int_equal(cursor_row(u), h + 1); /* the cursor starts there */
	/* 24 rows: title, header, 20 collections, footer, status. */
	assert_int_equal(find_row(u, "24 of 24 collections"), h + 21);
	assert_sane(u);
	free(first);
	free(name);
	ui_close(&u);
}

static void test_columns_fit_the_width(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	char *header = row_text(u, header_row(u));

	/* At 80 columns the less important ones give way. */
	assert_non_null(strstr(header, "NAME"));
	assert_non_null(strstr(header, "SUBJECTS"));
	assert_non_null(strstr(header, "STUDIES"));
	assert_non_null(strstr(header, "MODALITIES"));
	assert_non_null(strstr(header, "ACCESS"));
	assert_null(strstr(header, "BODY PARTS"));
	assert_null(strstr(header, "PROVIDER"));
	assert_non_null(strstr(header, "NAME\xe2\x96\xb2"));
	assert_sane(u);
	free(header);
	ui_close(&u);

	/* A wide terminal shows everything, every collection, no cut names. */
	u = ui_open(demo, 50, 200, true);
	header = row_text(u, header_row(u));
	assert_non_null(strstr(header, "BODY PARTS"));
	assert_non_null(strstr(header, "PROVIDER"));
	assert_shows(u, "Centre Hospitalier Universitaire de la Garonne");
	assert_shows(u, "MR, mammography, ultrasound");
	assert_not_shows(u, "\xe2\x80\xa6");
	for (size_t i = 0; i < json_array_size(demo->catalogue); i++) {
		char *name =
		    sanitize_text(catalogue_item_str(json_array_get(demo->catalogue, i), "name"));

		assert_shows(u, name);
		free(name);
	}
	assert_sane(u);
	free(header);
	ui_close(&u);
}

static void test_small_terminal(void **state)
{
	struct ui *u = ui_open(demo, 10, 40, true);

	assert_shows(u, "NAME");
	/* The footer gives way, but keeps the count and the notice. */
	assert_shows(u, "24 of 24 (synthetic demo data)");
	assert_true(cursor_row(u) > 0);
	press(u, "G");
	assert_true(cursor_row(u) > 0);
	assert_sane(u);
	press(u, "Enter");
	assert_shows(u, "Id");
	assert_sane(u);
	press(u, "G");
	assert_shows(u, "No previews published");
	assert_sane(u);
	press(u, "q ?");
	assert_shows(u, "Keys");
	assert_sane(u);
	ui_close(&u);
}

/* Search. */

static void test_search_filters(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	size_t i;
	json_t *item;

	press(u, "/");
	type(u, "prostate");
	assert_int_equal(count_matching("prostate"), 7);
	assert_shows(u, "7 of 24 collections matching 'prostate'");
	assert_shows(u, "/prostate");
	json_array_foreach (demo->catalogue, i, item) {
		char *name = sanitize_text(catalogue_item_str(item, "name"));

		name[strlen(name) > 20 ? 20 : strlen(name)] = '\0'; /* long ones are cut */
		if (catalogue_item_matches(item, "prostate"))
			assert_shows(u, name);
		else
			assert_not_shows(u, name);
		free(name);
	}
	assert_sane(u);
	press(u, "Esc");
	assert_shows(u, "24 of 24 collections");
	assert_not_shows(u, "matching");
	ui_close(&u);
}

static void test_search_agrees_with_catalogue(void **state)
{
	/* Typed and deleted letter by letter, case and spaces varied: the
	 * precomputed filter must say what catalogue_item_matches says. */
	static const char *queries[] = { "mr",         "LUNG ct",  "pet  hospital",  "c-crc",
		                         "ribeira mr", "Garonne ", " breast  mammo", "xyzzy",
		                         "legacy",     "siemens" };
	struct ui *u = ui_open(demo, 24, 80, true);

	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		const char *text = queries[q];
		char expect[64];

		press(u, "/");
		for (size_t n = 1; n <= strlen(text); n++) {
			char *prefix = xstrndup(text, n);

			app_key(u->app, (unsigned char)text[n - 1]);
			ui_redraw(u);
			snprintf(expect, sizeof expect, "%zu of 24 collections",
			         count_matching(prefix));
			assert_shows(u, expect);
			free(prefix);
		}
		for (size_t n = strlen(text); n > 0; n--) {
			char *prefix = xstrndup(text, n - 1);

			press(u, "Backspace");
			snprintf(expect, sizeof expect, "%zu of 24 collections",
			         count_matching(prefix));
			assert_shows(u, expect);
			free(prefix);
		}
		press(u, "Esc");
	}
	ui_close(&u);
}

static void test_search_no_match(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);

	press(u, "/");
	type(u, "xyz");
	assert_shows(u, "No collection matches 'xyz'");
	assert_shows(u, "0 of 24 collections");
	assert_int_equal(cursor_row(u), -1);
	press(u, "Enter j Space Enter"); /* nothing to move, select or open */
	assert_shows(u, "No collection matches 'xyz'");
	assert_sane(u);
	ui_close(&u);
}

static void test_search_keeps_cursor(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	char *name = item_name("c-pros-01"), *line;

	/* Down to "Prostate MRI Active Surveillance" (cut at 80 columns),
	 * then narrow. */
	name[20] = '\0';
	for (int i = 0; i < 30 && cursor_row(u) != find_row(u, name); i++)
		press(u, "j");
	assert_int_equal(cursor_row(u), find_row(u, name));
	press(u, "/");
	type(u, "prostate");
	line = row_text(u, cursor_row(u));
	assert_non_null(strstr(line, name));
	free(line);
	/* Gone from the results: the cursor goes to the first one shown. */
	type(u, " psma");
	assert_shows(u, "1 of 24 collections");
	assert_int_equal(cursor_row(u), header_row(u) + 1);
	/* Enter keeps the filter, and back clears it before it leaves. */
	press(u, "Enter");
	assert_shows(u, "matching 'prostate psma'");
	assert_true(press(u, "q"));
	assert_shows(u, "24 of 24 collections");
	assert_false(press(u, "q"));
	free(name);
	ui_close(&u);
}

/* Sorting, selection, movement, mouse. */

static void test_sort(void **state)
{
	struct ui *u = ui_open(demo, 50, 120, true);
	int h = header_row(u);
	char *line, *biggest = item_name("c-brst-01");
	long prev = -1;

	press(u, "s");
	assert_shows(u, "sorted by provider");
	press(u, "s");
	assert_shows(u, "sorted by subjects \xe2\x96\xbc");
	line = row_text(u, h);
	assert_non_null(strstr(line, "SUBJECTS\xe2\x96\xbc"));
	free(line);
	line = row_text(u, h + 1);
	assert_non_null(strstr(line, biggest));
	assert_int_equal(first_number(line), 2200);
	free(line);
	for (int y = h + 1; y < h + 25; y++) {
		long n;

		line = row_text(u, y);
		n = first_number(line);
		assert_true(n > 0);
		assert_true(prev < 0 || n <= prev);
		prev = n;
		free(line);
	}
	/* Reversed: the smallest first, ties by name. */
	press(u, "S");
	assert_shows(u, "SUBJECTS\xe2\x96\xb2");
	line = row_text(u, h + 1);
	assert_int_equal(first_number(line), 500);
	assert_non_null(strstr(line, "Post-Prostatectomy"));
	free(line);
	/* The cycle comes back round to the name. */
	press(u, "s s s s s");
	assert_shows(u, "sorted by name");
	assert_sane(u);
	free(biggest);
	ui_close(&u);
}

static void test_select(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	int h = header_row(u);
	char *line;

	press(u, "Space");
	assert_true(app_is_selected(u->app, "c-pros-02"));
	line = row_text(u, h + 1);
	assert_true(strncmp(line, "\xe2\x80\xa2", 3) == 0);
	free(line);
	line = row_text(u, h + 2);
	assert_false(strncmp(line, "\xe2\x80\xa2", 3) == 0);
	free(line);
	assert_int_equal(cursor_row(u), h + 2); /* and moved down */
	assert_shows(u, "1 selected");
	/* Back up and unselect. */
	press(u, "k Space");
	assert_false(app_is_selected(u->app, "c-pros-02"));
	assert_not_shows(u, "\xe2\x80\xa2");
	assert_not_shows(u, "selected");
	ui_close(&u);
}

static void test_movement(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	int h = header_row(u);
	char *last = item_name("c-crc-05"), *first = item_name("c-pros-02"), *line;

	press(u, "k"); /* already at the top */
	assert_int_equal(cursor_row(u), h + 1);
	press(u, "PgDn");
	assert_true(cursor_row(u) > h + 1);
	press(u, "G");
	line = row_text(u, cursor_row(u));
	assert_non_null(strstr(line, last));
	free(line);
	assert_int_equal(cursor_row(u), h + 20); /* the last row of the page */
	assert_not_shows(u, first);              /* scrolled */
	press(u, "j");
	assert_int_equal(cursor_row(u), h + 20);
	press(u, "PgUp PgUp");
	assert_shows(u, first);
	press(u, "G g");
	assert_int_equal(cursor_row(u), h + 1);
	assert_shows(u, first);
	free(first);
	free(last);
	ui_close(&u);
}

static void test_mouse(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, true);
	int h = header_row(u), x;
	char *header = row_text(u, h), *first = item_name("c-pros-02"), *fourth, *line;

	/* A click on a row moves the cursor there. */
	click(u, UI_KEY_MOUSE_CLICK, h + 5, 10);
	assert_int_equal(cursor_row(u), h + 5);
	/* The wheel scrolls by three. */
	line = row_text(u, h + 4);
	fourth = xstrdup(line + 2);
	free(line);
	click(u, UI_KEY_WHEEL_DOWN, h + 5, 10);
	assert_not_shows(u, first);
	line = row_text(u, h + 1);
	assert_string_equal(line + 2, fourth);
	free(line);
	click(u, UI_KEY_WHEEL_UP, h + 5, 10);
	assert_shows(u, first);
	/* A click on a header sorts by that column, a second reverses. */
	x = (int)(strstr(header, "SUBJECTS") - header);
	click(u, UI_KEY_MOUSE_CLICK, h, x + 2);
	assert_shows(u, "sorted by subjects \xe2\x96\xbc");
	click(u, UI_KEY_MOUSE_CLICK, h, x + 2);
	assert_shows(u, "sorted by subjects \xe2\x96\xb2");
	free(header);
	free(first);
	free(fourth);
	ui_close(&u);
}

/* The collection screen. */

/* True if the words of text appear on the screen in order (across lines). */
static bool shows_words_in_order(const struct ui *u, const char *text)
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
	struct ui *u = ui_open(demo, 24, 80, true);
	json_t *item;
	char *name, *line, *before, *desc;
	int row, desc_rows = 0;

	press(u, "j j j");
	row = cursor_row(u);
	before = row_text(u, row);
	press(u, "Enter");
	item = catalogue_find(demo->catalogue, "c-brst-01");
	name = item_name("c-brst-01");
	assert_shows(u, "Collection");
	assert_shows(u, name);
	line = row_text(u, find_row(u, "Id  "));
	assert_non_null(strstr(line, "c-brst-01"));
	free(line);
	assert_shows(u, "Istituto Oncologico della Laguna (it-laguna), IT");
	assert_shows(u, "2,200 subjects, 4,405 studies");
	assert_shows(u, "MR, mammography, ultrasound");
	assert_shows(u, "Access             PUBLIC");
	assert_shows(u, "not selected");
	assert_sane(u);
	/* The rest is below: the description wrapped, then the previews. */
	press(u, "G");
	desc = sanitize_text(catalogue_item_str(item, "description"));
	assert_true(shows_words_in_order(u, desc));
	assert_true(strlen(desc) > 78);
	for (int y = find_row(u, "Description") + 1; y < u->c->rows; y++) {
		line = row_text(u, y);
		if (strncmp(line, "  ", 2) == 0 && line[2] != ' ' && strstr(desc, line + 2) != NULL)
			desc_rows++;
		free(line);
	}
	assert_true(desc_rows >= 2);
	assert_shows(u, "Previews");
	assert_shows(u, "No previews published");
	assert_shows(u, "synthetic demo data");
	assert_sane(u);
	/* Space selects it; the page says so. */
	press(u, "g Space");
	assert_true(app_is_selected(u->app, "c-brst-01"));
	assert_shows(u, "[selected]");
	assert_shows(u, "selected for an access request");
	/* Back: the cursor is where it was, and the mark shows. */
	assert_true(press(u, "q"));
	assert_int_equal(cursor_row(u), row);
	line = row_text(u, row);
	assert_string_equal(line + 3, before + 1);
	free(line);
	free(before);
	free(desc);
	free(name);
	ui_close(&u);
}

/* Help. */

static void test_help(void **state)
{
	/* Tall enough for the whole table on one page. */
	struct ui *u = ui_open(demo, 60, 80, true);

	press(u, "?");
	assert_shows(u, "Help");
	assert_shows(u, "Keys");
	/* Every action, in table order: its keys and its help on one line. */
	for (size_t i = 0, prev = 0; i < ui_action_count; i++) {
		const struct ui_action_info *a = &ui_action_table[i];
		char first_key[32];
		int y = find_row(u, a->help);
		char *line;

		assert_true(y > 0);
		assert_true((size_t)y > prev);
		prev = (size_t)y;
		snprintf(first_key, sizeof first_key, "%.*s", (int)strcspn(a->keys, " "), a->keys);
		line = row_text(u, y);
		assert_true(strncmp(line, first_key, strlen(first_key)) == 0);
		free(line);
	}
	/* The keys as the table lists them, comma-separated. */
	assert_shows(u, "j, Down ");
	assert_shows(u, "q, Esc, h, Left ");
	assert_sane(u);
	ui_close(&u);
	/* At 80x24 it scrolls to the end. */
	u = ui_open(demo, 24, 80, true);
	press(u, "?");
	press(u, "G");
	assert_shows(u, ui_action_table[ui_action_count - 1].help);
	assert_shows(u, "Esc clears");
	press(u, "q");
	assert_shows(u, "24 of 24 collections");
	ui_close(&u);
}

/* Text from outside. */

static void test_escape_sequences(void **state)
{
	struct ui *u = ui_open(demo, 50, 200, true);

	assert_shows(u, "Radiotherapy Response in NSCLC ^[[31m(legacy export)^[[0m^G");
	assert_sane(u);
	ui_close(&u);

	u = ui_open(demo, 24, 80, true);
	press(u, "/");
	type(u, "c-lung-03");
	press(u, "Enter Enter");
	assert_shows(u, "Name               Radiotherapy Response in NSCLC ^[[31m(legacy");
	assert_shows(u, "c-lung-03");
	assert_null(strchr(u->text, 0x1b));
	assert_null(strchr(u->text, 0x07));
	assert_sane(u);
	press(u, "G");
	assert_shows(u, "^[]0;ecii title^G");
	assert_null(strchr(u->text, 0x1b));
	assert_null(strchr(u->text, 0x07));
	assert_sane(u);
	ui_close(&u);
}

static void test_ascii_only(void **state)
{
	struct ui *u = ui_open(demo, 24, 80, false);

	press(u, "Space s s");
	assert_shows(u, "SUBJECTSv");
	assert_sane(u);
	press(u, "g");
	press(u, "/");
	type(u, "elbtal");
	press(u, "Enter");
	assert_sane(u);
	press(u, "Enter");
	assert_shows(u, "Universit?tsklinikum Elbtal");
	assert_sane(u);
	press(u, "G q ?");
	assert_sane(u);
	press(u, "q Esc");
	type(u, "/lung-03");
	press(u, "Enter");
	assert_sane(u);
	press(u, "Enter G");
	assert_sane(u);
	ui_close(&u);
	/* Wide and narrow too. */
	u = ui_open(demo, 50, 200, false);
	press(u, "Space");
	assert_shows(u, "* ");
	assert_sane(u);
	ui_close(&u);
}

static int setup(void **state)
{
	const char *build = getenv("ECII_BUILDDIR");
	struct datadir dd;
	char err[512];

	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return -1;
	dd.criteria = test_source_path("data/criteria.json");
	dd.demo =
	    xasprintf("%s/data/demo/out", build != NULL && *build != '\0' ? build : ECII_BUILD_DIR);
	demo = local_open(&dd, err, sizeof err);
	if (demo == NULL)
		fprintf(stderr, "# %s\n", err);
	datadir_clear(&dd);
	return demo != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	local_close(&demo);
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
		cmocka_unit_test(test_movement),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_collection),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_ascii_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
