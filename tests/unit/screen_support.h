/* A headless explorer for the screen tests (test_screens, test_builder,
 * test_results): one app drawn on one in-memory canvas, redrawn after every
 * key as the terminal loop does, with keys in by name and the screen out as
 * text. Helpers fail the running test through cmocka instead of returning an
 * error, so this is for tests only; it must not assert anything about what a
 * screen should show, which each program checks itself. */
#ifndef ECII_TESTS_UNIT_SCREEN_SUPPORT_H
#define ECII_TESTS_UNIT_SCREEN_SUPPORT_H

#include <stdbool.h>

struct app;
struct federation;
struct ui_canvas;

/* One explorer on one canvas. */
struct screen_test {
	struct app *app;     /* owned */
	struct ui_canvas *c; /* owned */
	char *text;          /* the canvas after the last draw, owned */
};

/* Draws the app on the canvas and keeps the canvas's text in t->text. */
/* The demo federation's directory in the build tree ($ECII_BUILDDIR, else
 * the configured build directory). New. */
char *screen_test_demo_dir(void);
/* Sets the C.UTF-8 locale the screen tests expect and opens the demo
 * federation. Returns new, or NULL after printing why (for a group setup). */
struct federation *screen_test_demo_open(void);

void screen_test_redraw(struct screen_test *t);
/* A new explorer over fed (borrowed, must outlive it) on a rows x cols
 * canvas, drawn once. Returns new (screen_test_close). */
struct screen_test *screen_test_open(struct federation *fed, int rows, int cols, bool utf8);
/* The same over app, which it steals; drawn once. Returns new. */
struct screen_test *screen_test_open_app(struct app *app, int rows, int cols, bool utf8);
/* Frees *tp with its app and canvas and clears it; *tp must not be NULL. */
void screen_test_close(struct screen_test **tp);

/* Presses the keys named in names (space-separated, ui_key_parse names),
 * redrawing after each, every key even after the app quits; fails the test
 * on an unknown name. Returns what the last app_key returned (true if none). */
bool screen_test_press(struct screen_test *t, const char *names);
/* Feeds each byte of text to app_key as a key, redrawing after each. */
void screen_test_type(struct screen_test *t, const char *text);
/* Feeds each byte of text to app_key as a key, then redraws once. */
void screen_test_type_then_draw(struct screen_test *t, const char *text);
/* Sends key (a mouse click or wheel) as if at row y, column x; redraws. */
void screen_test_click(struct screen_test *t, int key, int y, int x);

/* Row y of the last draw, untrimmed, without its newline; fails the test if
 * there is no such row. Returns new. */
char *screen_test_row_text(const struct screen_test *t, int y);
/* The characters of row y in cells x .. x + w - 1 (to the edge if w <= 0),
 * trailing blanks trimmed. Cells, not bytes: a bullet before x does not
 * shift what is read. Returns new. */
char *screen_test_cells_text(const struct screen_test *t, int y, int x, int w);
/* The first row whose text contains needle, or -1. */
int screen_test_find_row(const struct screen_test *t, const char *needle);
/* The first row whose cell in column 2 is drawn in the cursor style, or -1. */
int screen_test_cursor_row(const struct screen_test *t);

/* Fails the test, showing the screen, unless needle is on it. */
void screen_test_assert_shows(const struct screen_test *t, const char *needle);
/* Fails the test, showing the screen, if needle is on it. */
void screen_test_assert_not_shows(const struct screen_test *t, const char *needle);
/* Fails the test unless every row fits the width, no control byte reached a
 * cell, and with UTF-8 off every byte is ASCII. */
void screen_test_assert_sane(const struct screen_test *t);

#endif
