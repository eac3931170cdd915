/* The terminal: curses set up and torn down, the one event loop, and the
 * canvas copied to the screen. The terminal is restored on every way out:
 * normal return, fatal(), SIGINT, SIGTERM and SIGHUP (a dropped SSH link). */
#ifndef ECII_UI_TERM_H
#define ECII_UI_TERM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "ui/canvas.h"
#include "ui/graphics.h"

/* What the loop drives. */
struct ui_term_client {
	void *ctx;
	/* Draws the whole screen into c (sized to the terminal). */
	void (*draw)(void *ctx, struct ui_canvas *c);
	/* Handles a key (ui/keys.h); mouse events come with y and x. Returns
	 * false to leave the loop. */
	bool (*key)(void *ctx, int key, int y, int x);
	/* Optional: waits for the tty (*tty; it sets its revents) and for
	 * whatever else the client watches (a pipe, the network), taking in
	 * what arrived; the screen is drawn again after it returns. Returns 0,
	 * or -1 when waiting failed. Without it the loop polls the tty alone. */
	int (*wait)(void *ctx, struct pollfd *tty);
	/* Optional: what the terminal can show (probed before the loop, as
	 * ui/graphics.h does); NULL shows images as text off. Borrowed. */
	const struct graphics_caps *graphics;
	unsigned gray_levels; /* of sixel images; 0: 64 */
};

/* Runs the loop on the controlling terminal until the client quits or a
 * signal asks to stop. Returns 0 when the client quit, 128 + the signal's
 * number when a signal stopped it (the terminal is restored either way),
 * or -1 with err set when the terminal cannot be used (not a tty, unknown
 * TERM). */
int ui_term_run(const struct ui_term_client *client, char *err, size_t errlen);

#endif
