/* What the terminal can show for image previews, found before curses
 * starts: sixel (DA1 attribute 4), else half blocks (UTF-8), else ASCII;
 * the size of a cell in pixels; tmux and its passthrough; the user's
 * override. See TERMINAL.md section 1 for the replies this relies on.
 * Uses termios and the tty fd it is given; no curses. */
#ifndef ECII_UI_GRAPHICS_H
#define ECII_UI_GRAPHICS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/graphics_reply.h"

enum graphics_mode {
	GRAPHICS_NONE,   /* no image at all */
	GRAPHICS_ASCII,  /* luminance ramp characters */
	GRAPHICS_BLOCKS, /* half blocks "▀" in colour (needs UTF-8) */
	GRAPHICS_SIXEL,  /* sixel images */
};

#define GRAPHICS_DEFAULT_CELL_W 10
#define GRAPHICS_DEFAULT_CELL_H 20
#define GRAPHICS_PROBE_MS       800 /* a good timeout over SSH */

struct graphics_caps {
	enum graphics_mode mode;
	unsigned cell_w, cell_h; /* pixels per cell */
	const char *cell_source; /* "window size", "CSI 16t", "CSI 14t", "default 10x20" (static) */
	unsigned colour_registers; /* sixel registers (XTSMGRAPHICS), 256 when unknown */
	bool truecolor;            /* COLORTERM is truecolor or 24bit */
	bool tmux;                 /* $TMUX set */
	bool tmux_passthrough;     /* sixel must be wrapped (sixel_wrap_tmux) */
	bool utf8;                 /* the locale's codeset is UTF-8 */
	bool replied;              /* the terminal answered DA1 within the timeout */
	char terminal[64];         /* XTVERSION reply, sanitised, "" if none */
	/* Bytes read during the probe that were not replies (keys typed
	 * meanwhile), oldest first: push them back to curses (ungetch from the
	 * last to the first) once it runs. */
	unsigned char typeahead[GRAPHICS_TYPEAHEAD_MAX];
	size_t typeahead_len;
};

/* Parses a mode name ("sixel", "blocks", "ascii", "none"; case ignored;
 * text may be NULL) into *out. Returns 0, or -1 leaving *out alone. */
int graphics_mode_parse(const char *text, enum graphics_mode *out);
/* The mode's name as graphics_mode_parse takes it, static. */
const char *graphics_mode_name(enum graphics_mode m);

/* Probes the terminal on fd (a tty in cooked mode; its termios are
 * restored) before curses starts: writes XTVERSION, XTSMGRAPHICS colour
 * registers, CSI 16t, CSI 14t and DA1 last, and reads until the DA1 reply
 * or timeout_ms. forced (borrowed, may be NULL): the user's --graphics /
 * ECII_GRAPHICS mode, which wins. Default mode: sixel when DA1 has 4, else
 * blocks when utf8, else ascii; inside tmux without DA1 4, sixel only when
 * forced, and then tmux_passthrough. Cell size: TIOCGWINSZ if plausible
 * (xpixel >= 2*cols && ypixel >= 4*rows), else CSI 16t, else CSI 14t /
 * cells, else 10x20. utf8 comes from nl_langinfo(CODESET): call
 * setlocale(LC_ALL, "") first. Never fails: a dead terminal (or fd not a
 * tty) gives the defaults after the timeout (at once for a non-tty). */
void graphics_probe(int fd, int timeout_ms, const enum graphics_mode *forced,
                    struct graphics_caps *out);
/* The decision graphics_probe takes from replies r (borrowed) and the
 * environment already in *caps (tmux, utf8); fills mode, colour_registers,
 * tmux_passthrough, terminal and replied. For tests and replays. */
void graphics_decide(const struct graphics_reply *r, const enum graphics_mode *forced,
                     struct graphics_caps *caps);
/* Cell size again after a resize (KEY_RESIZE): TIOCGWINSZ on fd if
 * plausible, else *caps' values stay. */
void graphics_update_cell_size(int fd, struct graphics_caps *caps);

#endif
