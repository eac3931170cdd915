/* Terminal graphics detection (ui/graphics, ui/graphics_reply): mode names;
 * the reply parser on the replies measured in TERMINAL.md (xterm, xterm -ti
 * vt340, tmux 3.3a with its swapped 18t, WezTerm, mlterm, mintty, kitty,
 * ghostty), fed whole, byte by byte and mixed with typed keys and garbage;
 * then graphics_probe on a real pty (openpty) with a thread playing the
 * terminal: the queries it sends, sixel with the 16t cell size, window
 * sizes, no reply at all (it returns, with the defaults), DA1 without 4,
 * forced modes, tmux, type-ahead handed back, termios restored. */
#include "config.h"

#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "ui/graphics.h"
#include "ui/graphics_reply.h"

/* The replies xterm -ti vt340 gave here (allowWindowOps on). */
#define VT340_VERSION "\033P>|XTerm(379)\033\\"
#define VT340_REGS    "\033[?1;0;1024S"
#define VT340_CELL    "\033[6;13;6t"
#define VT340_TEXT    "\033[4;390;600t"
#define VT340_DA1     "\033[?63;1;2;4;6;9;15;16;22;28c"
#define VT340_ALL     VT340_VERSION VT340_REGS VT340_CELL VT340_TEXT VT340_DA1
#define XTERM_DA1     "\033[?64;1;2;6;9;15;16;17;18;21;22;28c"
#define QUERIES       "\033[>0q\033[?1;1;0S\033[16t\033[14t\033[c"

static void parse(struct graphics_reply *r, const char *s, bool bytewise)
{
	graphics_reply_init(r);
	if (bytewise) {
		for (size_t i = 0; s[i] != '\0'; i++)
			graphics_reply_feed(r, s + i, 1);
	} else {
		graphics_reply_feed(r, s, strlen(s));
	}
	graphics_reply_finish(r);
}

static void test_mode_names(void **state)
{
	enum graphics_mode m = GRAPHICS_BLOCKS;

	(void)state;
	assert_int_equal(graphics_mode_parse(NULL, &m), -1);
	assert_int_equal(graphics_mode_parse("", &m), -1);
	assert_int_equal(graphics_mode_parse("sixels", &m), -1);
	assert_int_equal(m, GRAPHICS_BLOCKS);
	assert_int_equal(graphics_mode_parse("sixel", &m), 0);
	assert_int_equal(m, GRAPHICS_SIXEL);
	assert_int_equal(graphics_mode_parse("ASCII", &m), 0);
	assert_int_equal(m, GRAPHICS_ASCII);
	assert_int_equal(graphics_mode_parse("none", &m), 0);
	assert_int_equal(m, GRAPHICS_NONE);
	assert_int_equal(graphics_mode_parse("blocks", &m), 0);
	assert_int_equal(m, GRAPHICS_BLOCKS);
	for (int i = GRAPHICS_NONE; i <= GRAPHICS_SIXEL; i++) {
		assert_int_equal(graphics_mode_parse(graphics_mode_name((enum graphics_mode)i), &m),
		                 0);
		assert_int_equal(m, i);
	}
	assert_string_equal(graphics_mode_name((enum graphics_mode)99), "none");
}

static void test_reply_degenerate(void **state)
{
	struct graphics_reply r;

	(void)state;
	parse(&r, "", false);
	assert_false(r.da1);
	assert_int_equal(r.typeahead_len, 0);
	graphics_reply_feed(&r, NULL, 0);
	/* A lone ESC is the Escape key; a cut CSI is keys; a cut DCS is dropped. */
	parse(&r, "\033", false);
	assert_int_equal(r.typeahead_len, 1);
	assert_int_equal(r.typeahead[0], 0x1b);
	parse(&r, "\033[?63;4", false);
	assert_false(r.da1);
	assert_int_equal(r.typeahead_len, 7);
	parse(&r, "\033P>|XTerm(379)", false);
	assert_false(r.version);
	assert_int_equal(r.typeahead_len, 0);
	/* Replies with missing fields. */
	parse(&r, "\033[?c\033[6;0;0t\033[?1;0S\033[4t", false);
	assert_true(r.da1);
	assert_false(r.da1_sixel);
	assert_false(r.cell_px);
	assert_false(r.registers);
	assert_false(r.text_px);
}

static void test_reply_terminals(void **state)
{
	static const struct {
		const char *da1;
		bool sixel;
	} da1[] = {
		{ XTERM_DA1, false },                           /* xterm, vt420 */
		{ VT340_DA1, true },                            /* xterm -ti vt340 */
		{ "\033[?1;2c", false },                        /* tmux 3.3a */
		{ "\033[?1;2;4c", true },                       /* tmux 3.4 with sixel */
		{ "\033[?65;4;6;18;22c", true },                /* WezTerm */
		{ "\033[?63;1;2;3;4;7;29c", true },             /* mlterm */
		{ "\033[?64;1;2;4;6;9;15;21;22;28;29c", true }, /* mintty */
		{ "\033[?62;c", false },                        /* kitty */
		{ "\033[?62;22c", false },                      /* ghostty */
		{ "\033[?4;6c", false },                        /* 4 first is not sixel */
		{ "\033[?62;14c", false },
	};
	struct graphics_reply r;

	(void)state;
	for (size_t i = 0; i < sizeof da1 / sizeof da1[0]; i++) {
		for (int bytewise = 0; bytewise < 2; bytewise++) {
			parse(&r, da1[i].da1, bytewise);
			assert_true(r.da1);
			assert_int_equal(r.da1_sixel, da1[i].sixel);
			assert_int_equal(r.typeahead_len, 0);
		}
	}
	/* xterm: sixel off, XTSMGRAPHICS fails. */
	parse(&r, "\033P>|XTerm(379)\033\\\033[?1;3S\033[?2;3S" XTERM_DA1, false);
	assert_false(r.registers);
	assert_false(r.geometry);
	assert_string_equal(r.terminal, "XTerm(379)");
	/* vt340: everything. */
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		parse(&r, VT340_ALL "\033[?2;0;600;390S\033[8;30;100t", bytewise);
		assert_true(r.da1 && r.da1_sixel);
		assert_true(r.registers);
		assert_int_equal(r.colour_registers, 1024);
		assert_true(r.geometry);
		assert_int_equal(r.sixel_w, 600);
		assert_int_equal(r.sixel_h, 390);
		assert_true(r.cell_px);
		assert_int_equal(r.cell_w, 6);
		assert_int_equal(r.cell_h, 13);
		assert_true(r.text_px);
		assert_int_equal(r.text_w, 600);
		assert_int_equal(r.text_h, 390);
		assert_true(r.text_cells);
		assert_int_equal(r.text_rows, 30);
		assert_int_equal(r.text_cols, 100);
		assert_true(r.version);
		assert_string_equal(r.terminal, "XTerm(379)");
		assert_int_equal(r.typeahead_len, 0);
	}
	/* tmux 3.3a: its own DA1, 18t with cols and rows swapped, XTVERSION. */
	parse(&r, "\033P>|tmux 3.3a\033\\\033[8;100;29t\033[?1;2c", true);
	assert_true(r.da1);
	assert_false(r.da1_sixel);
	assert_true(r.text_cells);
	assert_int_equal(r.text_rows, 100); /* as sent */
	assert_int_equal(r.text_cols, 29);
	assert_string_equal(r.terminal, "tmux 3.3a");
	/* kitty and WezTerm XTVERSION. */
	parse(&r, "\033P>|kitty(0.26.5)\033\\\033[?62;c", false);
	assert_string_equal(r.terminal, "kitty(0.26.5)");
	assert_false(r.da1_sixel);
	parse(&r, "\033P>|WezTerm 20230712-072601-f4abf8fd\033\\\033[?65;4;6;18;22c", false);
	assert_string_equal(r.terminal, "WezTerm 20230712-072601-f4abf8fd");
	assert_true(r.da1_sixel);
}

/* Keys typed while the replies arrive are kept, in order, byte for byte;
 * garbage in between does not hide the replies. */
static void test_reply_typeahead(void **state)
{
	const char in[] = "ab\033[A" VT340_VERSION "c\033\033OP" VT340_REGS "\033[200~x\033[201~"
	                  "\033P1$r0m\033\\" /* a DECRQSS reply: not a key, dropped */
	                  "\033x" VT340_CELL "\x7f\033[1;5C" VT340_DA1 "\033";
	const char keys[] = "ab\033[Ac\033\033OP\033[200~x\033[201~\033x\x7f\033[1;5C\033";
	struct graphics_reply r;

	(void)state;
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		parse(&r, in, bytewise);
		assert_true(r.da1 && r.da1_sixel);
		assert_int_equal(r.colour_registers, 1024);
		assert_int_equal(r.cell_w, 6);
		assert_string_equal(r.terminal, "XTerm(379)");
		assert_int_equal(r.typeahead_len, sizeof keys - 1);
		assert_memory_equal(r.typeahead, keys, sizeof keys - 1);
	}
	/* Split at every point into two reads. */
	for (size_t cut = 0; cut <= sizeof in - 1; cut++) {
		graphics_reply_init(&r);
		graphics_reply_feed(&r, in, cut);
		graphics_reply_feed(&r, in + cut, sizeof in - 1 - cut);
		graphics_reply_finish(&r);
		assert_true(r.da1_sixel);
		assert_int_equal(r.cell_h, 13);
		assert_int_equal(r.typeahead_len, sizeof keys - 1);
		assert_memory_equal(r.typeahead, keys, sizeof keys - 1);
	}
}

static void test_reply_hostile(void **state)
{
	char big[4096];
	struct graphics_reply r;

	(void)state;
	/* XTVERSION with controls and 8-bit bytes, and too long. */
	parse(&r, "\033P>|ev\x01l\xc3\xa9 \033\\", false);
	assert_string_equal(r.terminal, "ev?l??"); /* trailing blanks trimmed */
	memset(big, 'x', sizeof big);
	memcpy(big, "\033P>|", 4);
	memcpy(big + sizeof big - 3, "\033\\", 3);
	parse(&r, big, false);
	assert_int_equal(strlen(r.terminal), GRAPHICS_TERMINAL_MAX - 1);
	/* A CSI that never ends is keys, not a reply; the DA1 after it counts. */
	memset(big, '1', sizeof big);
	memcpy(big, "\033[", 2);
	strcpy(big + 1000, VT340_DA1);
	parse(&r, big, false);
	assert_true(r.da1_sixel);
	assert_int_equal(r.typeahead_len, GRAPHICS_TYPEAHEAD_MAX);
	assert_true(r.typeahead_lost > 0);
	/* Huge numbers saturate. */
	parse(&r, "\033[?1;0;99999999999999999999S\033[6;4294967296;5t", false);
	assert_true(r.registers);
	assert_true(r.colour_registers >= 1000000);
	assert_true(r.cell_px);
	/* Too many parameters: keys. */
	parse(&r, "\033[?1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;4c", false);
	assert_false(r.da1);
	assert_true(r.typeahead_len > 0);
}

/* A pty and a thread playing the terminal: it reads what the probe writes
 * until the DA1 query, stores it, and answers with reply (NULL: silence),
 * one byte per write when split. */
struct fake {
	int master, slave;
	const char *reply;
	bool split;
	char got[256];
	size_t got_len;
	pthread_t thread;
};

static void *fake_run(void *arg)
{
	struct fake *f = arg;

	while (f->got_len < sizeof f->got - 1) {
		struct pollfd p = { .fd = f->master, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			break;
		n = read(f->master, f->got + f->got_len, sizeof f->got - 1 - f->got_len);
		if (n <= 0)
			break;
		f->got_len += (size_t)n;
		f->got[f->got_len] = '\0';
		if (strstr(f->got, "\033[c") != NULL)
			break;
	}
	if (f->reply == NULL)
		return NULL;
	if (f->split) {
		for (size_t i = 0; f->reply[i] != '\0'; i++)
			if (write(f->master, f->reply + i, 1) != 1)
				break;
	} else if (write(f->master, f->reply, strlen(f->reply)) < 0) {
		return NULL;
	}
	return NULL;
}

static void fake_start(struct fake *f, const char *reply, unsigned short rows, unsigned short cols,
                       unsigned short xpx, unsigned short ypx)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols, .ws_xpixel = xpx, .ws_ypixel = ypx };

	memset(f, 0, sizeof *f);
	assert_int_equal(openpty(&f->master, &f->slave, NULL, NULL, &ws), 0);
	f->reply = reply;
	assert_int_equal(pthread_create(&f->thread, NULL, fake_run, f), 0);
}

static void fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->slave);
	close(f->master);
}

/* Probes a fake terminal and checks what went out and that termios is back. */
static void probe(struct fake *f, int timeout_ms, const enum graphics_mode *forced,
                  struct graphics_caps *caps)
{
	struct termios before, after;

	assert_int_equal(tcgetattr(f->slave, &before), 0);
	graphics_probe(f->slave, timeout_ms, forced, caps);
	assert_int_equal(tcgetattr(f->slave, &after), 0);
	assert_int_equal(before.c_lflag, after.c_lflag);
	assert_int_equal(before.c_cc[VMIN], after.c_cc[VMIN]);
	fake_stop(f);
	assert_string_equal(f->got, QUERIES);
}

static int env_setup(void **state)
{
	(void)state;
	unsetenv("TMUX");
	unsetenv("COLORTERM");
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return -1;
	return 0;
}

static void test_probe_vt340(void **state)
{
	struct graphics_caps caps;
	struct fake f;

	(void)state;
	/* No pixel size in the window size: CSI 16t gives the cell. */
	fake_start(&f, VT340_ALL, 30, 100, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_int_equal(caps.mode, GRAPHICS_SIXEL);
	assert_true(caps.replied);
	assert_int_equal(caps.cell_w, 6);
	assert_int_equal(caps.cell_h, 13);
	assert_string_equal(caps.cell_source, "CSI 16t");
	assert_int_equal(caps.colour_registers, 1024);
	assert_string_equal(caps.terminal, "XTerm(379)");
	assert_false(caps.tmux);
	assert_false(caps.tmux_passthrough);
	assert_true(caps.utf8);
	assert_false(caps.truecolor);
	assert_int_equal(caps.typeahead_len, 0);

	/* The same, split into single bytes, with a plausible window size. */
	fake_start(&f, VT340_ALL, 30, 100, 604, 394);
	f.split = true;
	probe(&f, 2000, NULL, &caps);
	assert_int_equal(caps.mode, GRAPHICS_SIXEL);
	assert_string_equal(caps.cell_source, "window size");
	assert_int_equal(caps.cell_w, 6);
	assert_int_equal(caps.cell_h, 13);

	/* An implausible window size (1 px per column): 16t wins. */
	fake_start(&f, VT340_ALL, 30, 100, 100, 30);
	probe(&f, 2000, NULL, &caps);
	assert_string_equal(caps.cell_source, "CSI 16t");

	/* Only 14t: the text area over the window's cells. */
	fake_start(&f, VT340_TEXT VT340_DA1, 30, 100, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_string_equal(caps.cell_source, "CSI 14t");
	assert_int_equal(caps.cell_w, 6);
	assert_int_equal(caps.cell_h, 13);
	assert_int_equal(caps.colour_registers, 256); /* no XTSMGRAPHICS reply */
}

static void test_probe_silent(void **state)
{
	struct graphics_caps caps;
	struct fake f;

	(void)state;
	fake_start(&f, NULL, 24, 80, 0, 0);
	probe(&f, 300, NULL, &caps);
	/* It returned, with the defaults. */
	assert_false(caps.replied);
	assert_int_equal(caps.mode, GRAPHICS_BLOCKS);
	assert_int_equal(caps.cell_w, 10);
	assert_int_equal(caps.cell_h, 20);
	assert_string_equal(caps.cell_source, "default 10x20");
	assert_int_equal(caps.colour_registers, 256);
	assert_string_equal(caps.terminal, "");

	/* Not a tty: no queries at all, the defaults at once. */
	{
		int p[2];

		assert_int_equal(pipe(p), 0);
		graphics_probe(p[0], 60000, NULL, &caps);
		assert_int_equal(caps.mode, GRAPHICS_BLOCKS);
		assert_false(caps.replied);
		close(p[0]);
		close(p[1]);
		graphics_probe(-1, 60000, NULL, &caps);
		assert_string_equal(caps.cell_source, "default 10x20");
	}
	/* Without UTF-8: ASCII. */
	assert_non_null(setlocale(LC_ALL, "C"));
	fake_start(&f, NULL, 24, 80, 0, 0);
	probe(&f, 100, NULL, &caps);
	assert_false(caps.utf8);
	assert_int_equal(caps.mode, GRAPHICS_ASCII);
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
}

static void test_probe_no_sixel(void **state)
{
	struct graphics_caps caps;
	struct fake f;

	(void)state;
	/* xterm as vt420: DA1 without 4; its XTSMGRAPHICS failure is ignored. */
	setenv("COLORTERM", "truecolor", 1);
	fake_start(&f, "\033P>|XTerm(379)\033\\\033[?1;3S" XTERM_DA1, 24, 80, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_true(caps.replied);
	assert_int_equal(caps.mode, GRAPHICS_BLOCKS);
	assert_int_equal(caps.colour_registers, 256);
	assert_true(caps.truecolor);
	unsetenv("COLORTERM");
	/* Registers reported without DA1 4 mean nothing (notcurses' rule). */
	fake_start(&f, "\033[?1;0;16S\033[?62;c", 24, 80, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_int_equal(caps.mode, GRAPHICS_BLOCKS);
	assert_int_equal(caps.colour_registers, 256);
	assert_false(caps.truecolor);
}

static void test_probe_forced(void **state)
{
	static const enum graphics_mode modes[] = { GRAPHICS_NONE, GRAPHICS_ASCII, GRAPHICS_BLOCKS,
		                                    GRAPHICS_SIXEL };
	struct graphics_caps caps;
	struct fake f;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		fake_start(&f, VT340_ALL, 30, 100, 0, 0);
		probe(&f, 2000, &modes[i], &caps);
		assert_int_equal(caps.mode, modes[i]);
		assert_int_equal(caps.cell_w, 6); /* still probed */
		fake_start(&f, XTERM_DA1, 30, 100, 0, 0);
		probe(&f, 2000, &modes[i], &caps);
		assert_int_equal(caps.mode, modes[i]);
		assert_false(caps.tmux_passthrough);
	}
}

static void test_probe_tmux(void **state)
{
	const enum graphics_mode sixel = GRAPHICS_SIXEL, blocks = GRAPHICS_BLOCKS;
	struct graphics_caps caps;
	struct fake f;

	(void)state;
	setenv("TMUX", "/tmp/tmux-1000/default,1234,0", 1);
	/* tmux 3.3a answers DA1 itself without 4: blocks. */
	fake_start(&f, "\033P>|tmux 3.3a\033\\\033[?1;2c", 40, 120, 1920, 1280);
	probe(&f, 2000, NULL, &caps);
	assert_true(caps.tmux);
	assert_int_equal(caps.mode, GRAPHICS_BLOCKS);
	assert_false(caps.tmux_passthrough);
	assert_string_equal(caps.terminal, "tmux 3.3a");
	assert_string_equal(caps.cell_source, "window size"); /* tmux's fake 16x32 */
	assert_int_equal(caps.cell_w, 16);
	/* Forced sixel there: through passthrough. */
	fake_start(&f, "\033[?1;2c", 40, 120, 0, 0);
	probe(&f, 2000, &sixel, &caps);
	assert_int_equal(caps.mode, GRAPHICS_SIXEL);
	assert_true(caps.tmux_passthrough);
	/* tmux 3.4 with sixel says 4 itself: native, no wrapping. */
	fake_start(&f, "\033[?1;2;4c", 40, 120, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_int_equal(caps.mode, GRAPHICS_SIXEL);
	assert_false(caps.tmux_passthrough);
	/* Forced blocks: no passthrough either. */
	fake_start(&f, "\033[?1;2c", 40, 120, 0, 0);
	probe(&f, 2000, &blocks, &caps);
	assert_false(caps.tmux_passthrough);
	/* An empty TMUX is no tmux. */
	setenv("TMUX", "", 1);
	fake_start(&f, "\033[?1;2c", 40, 120, 0, 0);
	probe(&f, 2000, &sixel, &caps);
	assert_false(caps.tmux);
	assert_false(caps.tmux_passthrough);
	unsetenv("TMUX");
}

static void test_probe_typeahead(void **state)
{
	struct graphics_caps caps;
	struct fake f;

	(void)state;
	fake_start(&f, "j\033[B" VT340_VERSION "k" VT340_DA1, 30, 100, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_int_equal(caps.mode, GRAPHICS_SIXEL);
	assert_int_equal(caps.typeahead_len, 5);
	assert_memory_equal(caps.typeahead, "j\033[Bk", 5);
}

static void test_update_cell_size(void **state)
{
	struct graphics_caps caps;
	struct winsize ws = { .ws_row = 50, .ws_col = 160, .ws_xpixel = 1280, .ws_ypixel = 900 };
	struct fake f;

	(void)state;
	fake_start(&f, VT340_ALL, 30, 100, 0, 0);
	probe(&f, 2000, NULL, &caps);
	assert_string_equal(caps.cell_source, "CSI 16t");
	/* fake_stop closed the pty: a new one after a "resize". */
	assert_int_equal(openpty(&f.master, &f.slave, NULL, NULL, NULL), 0);
	ws.ws_xpixel = 0;
	assert_int_equal(ioctl(f.slave, TIOCSWINSZ, &ws), 0);
	graphics_update_cell_size(f.slave, &caps);
	assert_int_equal(caps.cell_w, 6); /* kept */
	assert_string_equal(caps.cell_source, "CSI 16t");
	ws.ws_xpixel = 1280;
	assert_int_equal(ioctl(f.slave, TIOCSWINSZ, &ws), 0);
	graphics_update_cell_size(f.slave, &caps);
	assert_int_equal(caps.cell_w, 8);
	assert_int_equal(caps.cell_h, 18);
	assert_string_equal(caps.cell_source, "window size");
	graphics_update_cell_size(-1, &caps);
	assert_int_equal(caps.cell_w, 8);
	close(f.slave);
	close(f.master);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names),      cmocka_unit_test(test_reply_degenerate),
		cmocka_unit_test(test_reply_terminals), cmocka_unit_test(test_reply_typeahead),
		cmocka_unit_test(test_reply_hostile),   cmocka_unit_test(test_probe_vt340),
		cmocka_unit_test(test_probe_silent),    cmocka_unit_test(test_probe_no_sixel),
		cmocka_unit_test(test_probe_forced),    cmocka_unit_test(test_probe_tmux),
		cmocka_unit_test(test_probe_typeahead), cmocka_unit_test(test_update_cell_size),
	};

	return cmocka_run_group_tests(tests, env_setup, NULL);
}
