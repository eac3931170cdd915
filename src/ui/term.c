/* The curses backend and the event loop: poll() on the tty, keys decoded
 * by curses, the canvas copied cell by cell (curses sends only what
 * changed). Signal handlers only set flags; the loop acts on them. */
#include "config.h"

#include "ui/term.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ui/graphics.h"
#include "ui/image.h"
#include "ui/keys.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t resized;
static bool curses_on;

static void on_stop(int signo)
{
	stop_signal = signo;
}

static void on_winch(int signo)
{
	(void)signo;
	resized = 1;
}

static void restore(void)
{
	if (curses_on) {
		curs_set(1);
		endwin();
		curses_on = false;
	}
}

static void set_handlers(bool install)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = install ? on_stop : SIG_DFL;
	for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
		sigaction(stops[i], &sa, NULL);
	sa.sa_handler = install ? on_winch : SIG_DFL;
	sigaction(SIGWINCH, &sa, NULL);
}

/* Colour pairs by style; without colour (or with NO_COLOR) attributes
 * alone tell the styles apart. */
static chtype style_attr[UI_STYLE_COUNT];

static void setup_styles(void)
{
	static const struct {
		short fg, bg;
		chtype mono, extra;
	} styles[UI_STYLE_COUNT] = {
		[UI_STYLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
		[UI_STYLE_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_REVERSE, A_BOLD },
		[UI_STYLE_HEADER] = { COLOR_CYAN, -1, A_UNDERLINE, A_BOLD },
		[UI_STYLE_CURSOR] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE, A_NORMAL },
		[UI_STYLE_MARKED] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
		[UI_STYLE_STATUS] = { -1, -1, A_NORMAL, A_DIM },
		[UI_STYLE_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
		[UI_STYLE_WARNING] = { COLOR_YELLOW, -1, A_BOLD, A_NORMAL },
		[UI_STYLE_MUTED] = { -1, -1, A_DIM, A_DIM },
		[UI_STYLE_ACCENT] = { COLOR_GREEN, -1, A_BOLD, A_NORMAL },
		[UI_STYLE_IMAGE] = { -1, -1, A_NORMAL, A_NORMAL }, /* per cell: image_attr */
	};
	const char *no_color = getenv("NO_COLOR");
	bool colour = has_colors() && (no_color == NULL || *no_color == '\0');

	if (colour) {
		start_color();
		use_default_colors();
	}
	for (int s = 0; s < UI_STYLE_COUNT; s++) {
		if (colour && (styles[s].fg != -1 || styles[s].bg != -1)) {
			init_pair((short)s, styles[s].fg, styles[s].bg);
			style_attr[s] = COLOR_PAIR(s) | styles[s].extra;
		} else {
			style_attr[s] = colour ? styles[s].extra : styles[s].mono;
		}
	}
}

/* A pixel cell's colours: a pair made on first use (ncurses >= 6.1). */
static chtype image_attr(const struct ui_cell *cell)
{
	int pair = COLORS >= 256 ? alloc_pair(cell->fg, cell->bg) : -1;

	return pair > 0 ? COLOR_PAIR(pair) : A_NORMAL;
}

static void blit(const struct ui_canvas *c)
{
	for (int y = 0; y < c->rows && y < LINES; y++) {
		move(y, 0);
		for (int x = 0; x < c->cols && x < COLS; x++) {
			const struct ui_cell *cell = ui_canvas_cell(c, y, x);

			if (cell->ch[0] == '\0')
				continue; /* the right half of a wide character */
			attrset(cell->style == UI_STYLE_IMAGE ? image_attr(cell)
			                                      : style_attr[cell->style]);
			/* The last cell of the screen: addstr would scroll. */
			if (y == LINES - 1 && x == COLS - 1)
				insstr(cell->ch);
			else
				addstr(cell->ch);
		}
	}
	attrset(A_NORMAL);
	if (c->cursor_shown) {
		curs_set(1);
		move(c->cursor_y, c->cursor_x);
	} else {
		curs_set(0);
	}
	refresh();
}

/* The sixel images on the terminal now, to draw only what changed:
 * pixels cannot be told apart from text by curses, so an image stays until
 * its lines are repainted, and one redrawn in place would flicker. */
static struct ui_placement shown[UI_CANVAS_MAX_IMAGES];
static int n_shown;

static bool same_placement(const struct ui_placement *a, const struct ui_placement *b)
{
	return a->image == b->image && a->version == b->version && a->y == b->y && a->x == b->x &&
	       a->px_w == b->px_w && a->px_h == b->px_h;
}

static bool placed(const struct ui_placement *p, const struct ui_placement *list, int n)
{
	for (int i = 0; i < n; i++)
		if (same_placement(p, &list[i]))
			return true;
	return false;
}

/* Whether a new image goes exactly where p is (another frame, another
 * window): its pixels cover p's, so p needs no erasing, and the screen
 * does not flash blank between the two. */
static bool same_box(const struct ui_placement *p, const struct ui_placement *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i].y == p->y && list[i].x == p->x && list[i].px_w == p->px_w &&
		    list[i].px_h == p->px_h)
			return true;
	return false;
}

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			struct pollfd out = { STDOUT_FILENO, POLLOUT, 0 };

			if (errno != EAGAIN || poll(&out, 1, 1000) <= 0)
				return;
			continue;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Erases the images that went away (their lines repainted from curses'
 * blank cells), then draws the new ones and any the erasing touched. An
 * image replaced by one of the same size in the same place is not erased
 * first: the new one covers it. */
static void show_images(const struct ui_canvas *c, const struct graphics_caps *caps)
{
	bool erased_rows[1024] = { false };
	bool erased = false;
	struct buf out = BUF_INIT;

	for (int i = 0; i < n_shown; i++) {
		if (placed(&shown[i], c->images, c->n_images) ||
		    same_box(&shown[i], c->images, c->n_images))
			continue;
		wredrawln(stdscr, shown[i].y, shown[i].rows);
		log_debug("image erased at row %d col %d", shown[i].y, shown[i].x);
		for (int r = shown[i].y; r < shown[i].y + shown[i].rows && r < 1024; r++)
			erased_rows[r] = true;
		erased = true;
	}
	if (erased)
		refresh();
	for (int i = 0; i < c->n_images; i++) {
		const struct ui_placement *p = &c->images[i];
		bool touched = false;
		char err[256];

		for (int r = p->y; r < p->y + p->rows && r < 1024; r++)
			touched = touched || erased_rows[r];
		if (placed(p, shown, n_shown) && !touched)
			continue;
		if (ui_image_sixel_bytes(p, c->graphics.gray_levels, caps->tmux_passthrough, &out,
		                         err, sizeof err) < 0)
			log_warn("cannot draw an image: %s", err);
		else
			log_debug("image at row %d col %d: %ux%u px over %dx%d cells", p->y, p->x,
			          p->px_w, p->px_h, p->rows, p->cols);
	}
	if (out.len > 0)
		write_all(out.data, out.len);
	buf_free(&out);
	memcpy(shown, c->images, sizeof shown[0] * (size_t)c->n_images);
	n_shown = c->n_images;
}

/* Forgets what is on the terminal: the next draw sends every image. */
static void forget_images(void)
{
	n_shown = 0;
}

static int map_key(int rc, wint_t wch)
{
	if (rc == OK) {
		switch (wch) {
		case '\r':
		case '\n':
			return UI_KEY_ENTER;
		case 27:
			return UI_KEY_ESC;
		case '\t':
			return UI_KEY_TAB;
		case 127:
		case 8:
			return UI_KEY_BACKSPACE;
		default:
			return (int)wch;
		}
	}
	switch (wch) {
	case KEY_UP:
		return UI_KEY_UP;
	case KEY_DOWN:
		return UI_KEY_DOWN;
	case KEY_LEFT:
		return UI_KEY_LEFT;
	case KEY_RIGHT:
		return UI_KEY_RIGHT;
	case KEY_PPAGE:
		return UI_KEY_PGUP;
	case KEY_NPAGE:
		return UI_KEY_PGDN;
	case KEY_HOME:
		return UI_KEY_HOME;
	case KEY_END:
		return UI_KEY_END;
	case KEY_ENTER:
		return UI_KEY_ENTER;
	case KEY_BTAB:
		return UI_KEY_BTAB;
	case KEY_BACKSPACE:
		return UI_KEY_BACKSPACE;
	case KEY_DC:
		return UI_KEY_DELETE;
	case KEY_F(1):
		return UI_KEY_F1;
	case KEY_RESIZE:
		return UI_KEY_RESIZE;
	default:
		return UI_KEY_NONE;
	}
}

/* A mouse event as a key, with its place. */
static int mouse_key(int *y, int *x)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return UI_KEY_NONE;
	*y = ev.y;
	*x = ev.x;
	if (ev.bstate & BUTTON4_PRESSED)
		return UI_KEY_WHEEL_UP;
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED)
		return UI_KEY_WHEEL_DOWN;
#endif
	if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))
		return UI_KEY_MOUSE_CLICK;
	return UI_KEY_NONE;
}

/* The canvas's graphics from what the terminal said; half blocks need 256
 * colours, else the luminance ramp. */
static void set_graphics(struct ui_canvas *c, const struct graphics_caps *caps)
{
	enum graphics_mode mode = caps->mode;

	if (mode == GRAPHICS_BLOCKS && (COLORS < 256 || !c->utf8))
		mode = GRAPHICS_ASCII;
	c->graphics.mode = mode;
	c->graphics.cell_w = caps->cell_w > 0 ? caps->cell_w : 10;
	c->graphics.cell_h = caps->cell_h > 0 ? caps->cell_h : 20;
}

static void apply_resize(struct ui_canvas *c, struct graphics_caps *caps)
{
	struct winsize ws;

	resized = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	ui_canvas_resize(c, LINES, COLS);
	graphics_update_cell_size(STDOUT_FILENO, caps); /* a font zoom changes it */
	set_graphics(c, caps);
	clear(); /* the terminal erases images with the screen */
	forget_images();
}

/* Reads every key waiting; returns false when the client is done. */
static bool read_keys(const struct ui_term_client *client, struct ui_canvas *c,
                      struct graphics_caps *caps)
{
	wint_t wch;
	int rc;

	while ((rc = wget_wch(stdscr, &wch)) != ERR) {
		int y = -1, x = -1;
		int key =
		    rc == KEY_CODE_YES && wch == KEY_MOUSE ? mouse_key(&y, &x) : map_key(rc, wch);

		if (key == UI_KEY_RESIZE)
			apply_resize(c, caps);
		if (key == UI_KEY_CTRL('l')) {
			clearok(curscr, TRUE);
			forget_images();
		}
		if (key != UI_KEY_NONE && !client->key(client->ctx, key, y, x))
			return false;
	}
	return true;
}

int ui_term_run(const struct ui_term_client *client, char *err, size_t errlen)
{
	SCREEN *screen;
	struct ui_canvas *c;
	const char *codeset = nl_langinfo(CODESET);
	bool running = true;
	struct graphics_caps caps = { .mode = GRAPHICS_NONE, .cell_w = 10, .cell_h = 20 };

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen,
		         "the explorer needs a terminal; see 'ecii --help' for commands");
		return -1;
	}
	stop_signal = 0;
	set_handlers(true);
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		set_handlers(false);
		snprintf(err, errlen, "cannot use terminal type '%s'",
		         getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	curses_on = true;
	atexit(restore);
	fatal_set_hook(restore);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	setup_styles();
	c = ui_canvas_new(LINES, COLS, codeset != NULL && strcmp(codeset, "UTF-8") == 0);
	if (client->graphics != NULL)
		caps = *client->graphics;
	set_graphics(c, &caps);
	c->graphics.gray_levels = client->gray_levels > 0 ? client->gray_levels : 64;
	/* Keys typed while the terminal was asked what it can do. */
	for (size_t i = caps.typeahead_len; i-- > 0;)
		ungetch(caps.typeahead[i]);
	forget_images();
	while (running && stop_signal == 0) {
		struct pollfd tty = { STDIN_FILENO, POLLIN, 0 };

		if (resized)
			apply_resize(c, &caps);
		client->draw(client->ctx, c);
		blit(c);
		if (c->graphics.mode == GRAPHICS_SIXEL)
			show_images(c, &caps);
		if (client->wait != NULL ? client->wait(client->ctx, &tty) < 0
		                         : poll(&tty, 1, -1) < 0 && errno != EINTR)
			break;
		if (tty.revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal went away */
		if (tty.revents & POLLIN)
			running = read_keys(client, c, &caps);
	}
	ui_canvas_free(&c);
	restore();
	delscreen(screen);
	fatal_set_hook(NULL);
	set_handlers(false);
	return stop_signal != 0 ? 128 + stop_signal : 0;
}
