/* ui/ without a terminal: the canvas (clipping, wide characters, inert
 * control characters, ASCII fallback), key names, the action table and the
 * line editor. */
#include "config.h"

#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/actions.h"
#include "ui/canvas.h"
#include "ui/keys.h"
#include "ui/line.h"

static char *row_text(const struct ui_canvas *c, int y)
{
	char *all = ui_canvas_text(c), *line = all;

	for (int i = 0; i < y; i++)
		line = strchr(line, '\n') + 1;
	memmove(all, line, strcspn(line, "\n"));
	all[strcspn(line, "\n")] = '\0';
	return all;
}

static void test_canvas_degenerate(void **state)
{
	struct ui_canvas *c = ui_canvas_new(0, -5, true);
	char *text;

	assert_int_equal(c->rows, 1);
	assert_int_equal(c->cols, 1);
	assert_int_equal(ui_put(c, 0, 0, 0, UI_STYLE_NORMAL, NULL), 0);
	assert_int_equal(ui_put(c, -1, 0, 0, UI_STYLE_NORMAL, "x"), 0);
	assert_int_equal(ui_put(c, 0, 5, 0, UI_STYLE_NORMAL, "x"), 0);
	assert_int_equal(ui_put(c, 0, 0, 0, UI_STYLE_NORMAL, "abc"), 1);
	text = ui_canvas_text(c);
	assert_string_equal(text, "a\n");
	free(text);
	assert_null(ui_canvas_cell(c, 1, 0));
	ui_canvas_free(&c);
	assert_null(c);
	ui_canvas_free(&c);
}

static void test_canvas_clipping_and_styles(void **state)
{
	struct ui_canvas *c = ui_canvas_new(3, 10, true);
	char *row;

	assert_int_equal(ui_put(c, 0, 7, 0, UI_STYLE_TITLE, "abcdef"), 3);
	assert_int_equal(ui_canvas_cell(c, 0, 7)->style, UI_STYLE_TITLE);
	assert_int_equal(ui_put(c, 1, -2, 0, UI_STYLE_NORMAL, "xyz"), 3); /* x, y are left of 0 */
	ui_put_fill(c, 2, 0, 5, UI_STYLE_CURSOR, "ab");
	assert_int_equal(ui_canvas_cell(c, 2, 4)->style, UI_STYLE_CURSOR);
	assert_int_equal(ui_canvas_cell(c, 2, 5)->style, UI_STYLE_NORMAL);
	row = row_text(c, 0);
	assert_string_equal(row, "       abc");
	free(row);
	row = row_text(c, 1);
	assert_string_equal(row, "z");
	free(row);
	ui_put_right(c, 1, 0, 10, UI_STYLE_NORMAL, "1,234");
	row = row_text(c, 1);
	assert_string_equal(row, "     1,234");
	free(row);
	/* Right-aligned text is measured as shown: ESC becomes two cells. */
	ui_put_right(c, 1, 0, 10, UI_STYLE_NORMAL,
	             "\x1b"
	             "1");
	row = row_text(c, 1);
	assert_string_equal(row, "       ^[1");
	free(row);
	ui_hline(c, 2, 0, 3, UI_STYLE_NORMAL);
	row = row_text(c, 2);
	assert_string_equal(row, "\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80");
	free(row);
	ui_canvas_free(&c);
}

static void test_canvas_wide_and_inert(void **state)
{
	struct ui_canvas *c = ui_canvas_new(2, 6, true);
	char *text;

	/* Two wide characters take four cells; a third does not fit in two. */
	assert_int_equal(
	    ui_put(c, 0, 0, 5, UI_STYLE_NORMAL, "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd"), 4);
	assert_string_equal(ui_canvas_cell(c, 0, 1)->ch, "");
	/* A wide character at the last column shows as a blank. */
	ui_put(c, 1, 5, 0, UI_STYLE_NORMAL, "\xe6\x9d\xb1");
	assert_string_equal(ui_canvas_cell(c, 1, 5)->ch, " ");
	ui_put(c, 1, 0, 5, UI_STYLE_NORMAL, "\x1b[31m");
	text = ui_canvas_text(c);
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "^[[31"));
	free(text);
	ui_canvas_free(&c);
}

static void test_canvas_ascii(void **state)
{
	struct ui_canvas *c = ui_canvas_new(2, 8, false);
	char *text;

	ui_put(c, 0, 0, 0, UI_STYLE_NORMAL, "M\xc3\xbcller");
	ui_hline(c, 1, 0, 4, UI_STYLE_NORMAL);
	text = ui_canvas_text(c);
	assert_string_equal(text, "M?ller\n----\n");
	free(text);
	ui_canvas_free(&c);
}

static void test_keys(void **state)
{
	char buf[16];

	assert_int_equal(ui_key_parse(""), UI_KEY_NONE);
	assert_int_equal(ui_key_parse("nope"), UI_KEY_NONE);
	assert_int_equal(ui_key_parse("j"), 'j');
	assert_int_equal(ui_key_parse("Down"), UI_KEY_DOWN);
	assert_int_equal(ui_key_parse("enter"), UI_KEY_ENTER);
	assert_int_equal(ui_key_parse("Space"), ' ');
	assert_int_equal(ui_key_parse("C-r"), 18);
	assert_int_equal(ui_key_parse("\xc3\xbc"), 0xfc);
	assert_string_equal(ui_key_name(UI_KEY_PGDN, buf, sizeof buf), "PgDn");
	assert_string_equal(ui_key_name(18, buf, sizeof buf), "C-r");
	assert_string_equal(ui_key_name(0xfc, buf, sizeof buf), "\xc3\xbc");
	for (int k = UI_KEY_UP; k <= UI_KEY_WHEEL_DOWN; k++)
		assert_int_equal(ui_key_parse(ui_key_name(k, buf, sizeof buf)), k);
}

static void test_action_table(void **state)
{
	int owner[0x80] = { 0 };

	assert_int_equal(ui_action_count, UI_ACTION_COUNT);
	for (size_t i = 0; i < ui_action_count; i++) {
		const char *p = ui_action_table[i].keys;

		assert_int_equal(ui_action_table[i].id, (int)i);
		assert_true(strlen(ui_action_table[i].help) > 0);
		/* Every key name parses, and no key is bound twice. */
		while (*p != '\0') {
			char name[32];
			size_t n = strcspn(p, " ");
			int key;

			memcpy(name, p, n);
			name[n] = '\0';
			key = ui_key_parse(name);
			assert_int_not_equal(key, UI_KEY_NONE);
			assert_int_equal(ui_action_for_key(key), ui_action_table[i].id);
			if (key < 0x80) {
				assert_int_equal(owner[key], 0);
				owner[key] = (int)i + 1;
			}
			p += n + strspn(p + n, " ");
		}
	}
	assert_int_equal(ui_action_for_key('j'), UI_ACTION_MOVE_DOWN);
	assert_int_equal(ui_action_for_key('Q'), UI_ACTION_QUIT);
	assert_int_equal(ui_action_for_key('~'), UI_ACTION_NONE);
}

static void test_line_editing(void **state)
{
	struct ui_line l = { BUF_INIT, 0 };

	assert_string_equal(ui_line_text(&l), "");
	assert_true(ui_line_key(&l, UI_KEY_BACKSPACE)); /* empty: nothing happens */
	assert_true(ui_line_key(&l, UI_KEY_LEFT));
	for (const char *p = "prostate mr"; *p; p++)
		assert_true(ui_line_key(&l, *p));
	assert_string_equal(ui_line_text(&l), "prostate mr");
	assert_true(ui_line_key(&l, UI_KEY_CTRL('w')));
	assert_string_equal(ui_line_text(&l), "prostate ");
	assert_true(ui_line_key(&l, UI_KEY_HOME));
	assert_true(ui_line_key(&l, 0xfc)); /* ü, two bytes */
	assert_int_equal(ui_line_cursor_col(&l), 1);
	assert_true(ui_line_key(&l, UI_KEY_RIGHT));
	assert_true(ui_line_key(&l, UI_KEY_BACKSPACE));
	assert_string_equal(ui_line_text(&l), "\xc3\xbcrostate ");
	assert_true(ui_line_key(&l, UI_KEY_LEFT));
	assert_true(ui_line_key(&l, UI_KEY_DELETE));
	assert_string_equal(ui_line_text(&l), "rostate ");
	assert_true(ui_line_key(&l, UI_KEY_CTRL('k')));
	assert_string_equal(ui_line_text(&l), "");
	assert_false(ui_line_key(&l, UI_KEY_ENTER));
	assert_false(ui_line_key(&l, UI_KEY_UP));
	ui_line_set(&l, "\xc3\xbc"
	                "bc");
	ui_line_set_cursor_char(&l, 2);
	assert_int_equal(ui_line_cursor_col(&l), 1);
	assert_int_equal(l.cursor, 2);
	ui_line_set_cursor_char(&l, 99);
	assert_int_equal(ui_line_cursor_col(&l), 3);
	assert_true(ui_line_key(&l, UI_KEY_CTRL('u')));
	assert_string_equal(ui_line_text(&l), "");
	ui_line_free(&l);
}

static int setup(void **state)
{
	return setlocale(LC_ALL, "C.UTF-8") == NULL ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canvas_degenerate),
		cmocka_unit_test(test_canvas_clipping_and_styles),
		cmocka_unit_test(test_canvas_wide_and_inert),
		cmocka_unit_test(test_canvas_ascii),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_action_table),
		cmocka_unit_test(test_line_editing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
