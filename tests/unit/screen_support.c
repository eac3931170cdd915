/* The screen tests' headless explorer (see screen_support.h): an app, a
 * canvas and the text of the last draw. Failures end the running test
 * through cmocka; nothing here decides what a screen should show. */
#include "config.h"

#include "screen_support.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/federation.h"
#include "node/local.h"
#include "screens/app.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/datadir.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include "support.h"

char *screen_test_demo_dir(void)
{
	const char *build = getenv("ECII_BUILDDIR");

	return xasprintf("%s/data/demo/out",
	                 build != NULL && *build != '\0' ? build : ECII_BUILD_DIR);
}

struct federation *screen_test_demo_open(void)
{
	struct local_fed *fed;
	struct datadir dd = { 0 };
	char err[512];

	if (setlocale(LC_ALL, "C.UTF-8") == NULL) {
		fprintf(stderr, "# the C.UTF-8 locale is missing\n");
		return NULL;
	}
	dd.criteria = test_source_path("data/criteria.json");
	dd.demo = screen_test_demo_dir();
	fed = local_open(&dd, err, sizeof err);
	datadir_clear(&dd);
	if (fed == NULL) {
		fprintf(stderr, "# %s\n", err);
		return NULL;
	}
	return federation_wrap_local(fed);
}

void screen_test_redraw(struct screen_test *t)
{
	app_draw(t->app, t->c);
	free(t->text);
	t->text = ui_canvas_text(t->c);
}

struct screen_test *screen_test_open_app(struct app *app, int rows, int cols, bool utf8)
{
	struct screen_test *t = xcalloc(1, sizeof *t);

	t->app = app;
	t->c = ui_canvas_new(rows, cols, utf8);
	screen_test_redraw(t);
	return t;
}

struct screen_test *screen_test_open(struct federation *fed, int rows, int cols, bool utf8)
{
	return screen_test_open_app(app_new(fed, NULL, false), rows, cols, utf8);
}

void screen_test_close(struct screen_test **tp)
{
	struct screen_test *t = *tp;

	app_free(&t->app);
	ui_canvas_free(&t->c);
	free(t->text);
	free(t);
	*tp = NULL;
}

bool screen_test_press(struct screen_test *t, const char *names)
{
	char *copy = xstrdup(names), *save = NULL;
	bool alive = true;

	for (char *n = strtok_r(copy, " ", &save); n != NULL; n = strtok_r(NULL, " ", &save)) {
		int key = ui_key_parse(n);

		assert_int_not_equal(key, UI_KEY_NONE);
		alive = app_key(t->app, key);
		screen_test_redraw(t);
	}
	free(copy);
	return alive;
}

void screen_test_type(struct screen_test *t, const char *text)
{
	for (const char *p = text; *p != '\0'; p++) {
		app_key(t->app, (unsigned char)*p);
		screen_test_redraw(t);
	}
}

void screen_test_type_then_draw(struct screen_test *t, const char *text)
{
	for (const char *p = text; *p != '\0'; p++)
		app_key(t->app, (unsigned char)*p);
	screen_test_redraw(t);
}

void screen_test_click(struct screen_test *t, int key, int y, int x)
{
	t->app->mouse_y = y;
	t->app->mouse_x = x;
	app_key(t->app, key);
	screen_test_redraw(t);
}

char *screen_test_row_text(const struct screen_test *t, int y)
{
	const char *p = t->text;

	for (int i = 0; i < y && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	assert_non_null(p);
	return xstrndup(p, strcspn(p, "\n"));
}

char *screen_test_cells_text(const struct screen_test *t, int y, int x, int w)
{
	struct buf b = BUF_INIT;
	int end = w <= 0 || x + w > t->c->cols ? t->c->cols : x + w;

	for (int i = x; i < end; i++) {
		const struct ui_cell *cell = ui_canvas_cell(t->c, y, i);

		if (cell != NULL)
			buf_puts(&b, cell->ch);
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

int screen_test_find_row(const struct screen_test *t, const char *needle)
{
	for (int y = 0; y < t->c->rows; y++) {
		char *line = screen_test_row_text(t, y);
		bool hit = strstr(line, needle) != NULL;

		free(line);
		if (hit)
			return y;
	}
	return -1;
}

int screen_test_cursor_row(const struct screen_test *t)
{
	for (int y = 0; y < t->c->rows; y++) {
		const struct ui_cell *cell = ui_canvas_cell(t->c, y, 2);

		if (cell != NULL && cell->style == UI_STYLE_CURSOR)
			return y;
	}
	return -1;
}

void screen_test_assert_shows(const struct screen_test *t, const char *needle)
{
	if (strstr(t->text, needle) == NULL)
		fail_msg("'%s' not on the screen:\n%s", needle, t->text);
}

void screen_test_assert_not_shows(const struct screen_test *t, const char *needle)
{
	if (strstr(t->text, needle) != NULL)
		fail_msg("'%s' is on the screen:\n%s", needle, t->text);
}

void screen_test_assert_sane(const struct screen_test *t)
{
	for (int y = 0; y < t->c->rows; y++) {
		char *line = screen_test_row_text(t, y);

		if ((int)utf8_width(line) > t->c->cols)
			fail_msg("row %d is %zu cells wide on a %d-column canvas: '%s'", y,
			         utf8_width(line), t->c->cols, line);
		free(line);
	}
	for (const unsigned char *p = (const unsigned char *)t->text; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
			fail_msg("control byte 0x%02x on the screen", *p);
		if (!t->c->utf8 && *p >= 0x80)
			fail_msg("byte 0x%02x on an ASCII screen", *p);
	}
}
