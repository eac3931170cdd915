/* The graphics probe (see graphics.h): raw mode on the tty, one burst of
 * queries ending with DA1 (every terminal answers it, so its reply means
 * the earlier ones are in), poll until that reply or the timeout, termios
 * restored. The queries go before curses owns the terminal; this file must
 * not use curses, and never fails: the defaults are always usable. */
#include "config.h"

#include "ui/graphics.h"

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* XTVERSION, XTSMGRAPHICS read colour registers, cell px, text area px,
 * then DA1 last. */
#define PROBE_QUERIES "\033[>0q\033[?1;1;0S\033[16t\033[14t\033[c"

static const char *const mode_names[] = {
	[GRAPHICS_NONE] = "none",
	[GRAPHICS_ASCII] = "ascii",
	[GRAPHICS_BLOCKS] = "blocks",
	[GRAPHICS_SIXEL] = "sixel",
};

int graphics_mode_parse(const char *text, enum graphics_mode *out)
{
	if (text == NULL)
		return -1;
	for (size_t i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
		if (strcasecmp(text, mode_names[i]) == 0) {
			*out = (enum graphics_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *graphics_mode_name(enum graphics_mode m)
{
	if ((unsigned)m < sizeof mode_names / sizeof mode_names[0])
		return mode_names[m];
	return "none";
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool env_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "UTF8") == 0);
}

/* A window size whose pixels are plausible per cell (timg's check). */
static bool winsize_cell(int fd, unsigned *cw, unsigned *ch, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0)
		return false;
	if (rows != NULL) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
	if (ws.ws_xpixel < 2u * ws.ws_col || ws.ws_ypixel < 4u * ws.ws_row)
		return false;
	*cw = ws.ws_xpixel / ws.ws_col;
	*ch = ws.ws_ypixel / ws.ws_row;
	return true;
}

void graphics_decide(const struct graphics_reply *r, const enum graphics_mode *forced,
                     struct graphics_caps *caps)
{
	bool sixel = r->da1 && r->da1_sixel;

	caps->replied = r->da1;
	if (forced != NULL)
		caps->mode = *forced;
	else if (sixel)
		caps->mode = GRAPHICS_SIXEL;
	else
		caps->mode = caps->utf8 ? GRAPHICS_BLOCKS : GRAPHICS_ASCII;
	/* Without DA1 4 inside tmux, sixel was forced: the user enabled
	 * allow-passthrough, so it goes to the outer terminal wrapped. */
	caps->tmux_passthrough = caps->tmux && caps->mode == GRAPHICS_SIXEL && !sixel;
	/* Like notcurses: XTSMGRAPHICS means nothing without DA1 4. */
	caps->colour_registers =
	    sixel && r->registers && r->colour_registers > 0 ? r->colour_registers : 256;
	if (r->version)
		memcpy(caps->terminal, r->terminal, sizeof caps->terminal);
	else
		caps->terminal[0] = '\0';
	memcpy(caps->typeahead, r->typeahead, r->typeahead_len);
	caps->typeahead_len = r->typeahead_len;
}

/* Writes all of p, retrying on EINTR. */
static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Queries and reads replies into r until DA1 or the timeout. */
static void probe_tty(int fd, int timeout_ms, struct graphics_reply *r)
{
	struct termios saved, raw;
	long long end = now_ms() + (timeout_ms < 0 ? 0 : timeout_ms);

	if (tcgetattr(fd, &saved) != 0)
		return;
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) != 0)
		return;
	if (write_all(fd, PROBE_QUERIES, sizeof PROBE_QUERIES - 1)) {
		while (!r->da1) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			long long left = end - now_ms();
			char buf[512];
			ssize_t n;
			int rc;

			if (left <= 0)
				break;
			rc = poll(&pfd, 1, (int)left);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc <= 0 || (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
				break;
			n = read(fd, buf, sizeof buf);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				break;
			graphics_reply_feed(r, buf, (size_t)n);
		}
	}
	graphics_reply_finish(r);
	/* TCSANOW, not TCSAFLUSH: keys typed after the replies stay queued. */
	tcsetattr(fd, TCSANOW, &saved);
}

void graphics_probe(int fd, int timeout_ms, const enum graphics_mode *forced,
                    struct graphics_caps *out)
{
	struct graphics_reply r;
	const char *ct = getenv("COLORTERM"), *tmux = getenv("TMUX");
	unsigned rows = 0, cols = 0;

	memset(out, 0, sizeof *out);
	out->truecolor = ct != NULL && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0);
	out->tmux = tmux != NULL && tmux[0] != '\0';
	out->utf8 = env_utf8();
	graphics_reply_init(&r);
	if (fd >= 0 && isatty(fd))
		probe_tty(fd, timeout_ms, &r);
	graphics_decide(&r, forced, out);

	if (winsize_cell(fd, &out->cell_w, &out->cell_h, &rows, &cols)) {
		out->cell_source = "window size";
	} else if (r.cell_px) {
		out->cell_w = r.cell_w;
		out->cell_h = r.cell_h;
		out->cell_source = "CSI 16t";
	} else if (r.text_px && rows > 0 && cols > 0 && r.text_w >= cols && r.text_h >= rows) {
		out->cell_w = r.text_w / cols;
		out->cell_h = r.text_h / rows;
		out->cell_source = "CSI 14t";
	} else {
		out->cell_w = GRAPHICS_DEFAULT_CELL_W;
		out->cell_h = GRAPHICS_DEFAULT_CELL_H;
		out->cell_source = "default 10x20";
	}
}

void graphics_update_cell_size(int fd, struct graphics_caps *caps)
{
	unsigned cw, ch;

	if (winsize_cell(fd, &cw, &ch, NULL, NULL)) {
		caps->cell_w = cw;
		caps->cell_h = ch;
		caps->cell_source = "window size";
	}
}
