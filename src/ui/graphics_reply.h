/* The terminal's replies to ecii's graphics queries (XTVERSION, DA1,
 * XTSMGRAPHICS, XTWINOPS 14t/16t/18t), picked out of whatever bytes the
 * tty delivers while the probe waits: replies may arrive split across
 * reads and mixed with keys the user typed, which are kept, in order, for
 * the caller to hand to curses. Pure C: no I/O, no curses; input is
 * outside data, so every length is bounded. */
#ifndef ECII_UI_GRAPHICS_REPLY_H
#define ECII_UI_GRAPHICS_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define GRAPHICS_REPLY_SEQ_MAX   256 /* longest escape sequence kept whole */
#define GRAPHICS_TYPEAHEAD_MAX   256 /* type-ahead kept; more is dropped */
#define GRAPHICS_TERMINAL_MAX    64  /* XTVERSION text, NUL included */
#define GRAPHICS_REPLY_PARAM_MAX 16

struct graphics_reply {
	bool da1;       /* CSI ? Pp ; ... c seen: every earlier reply is in */
	bool da1_sixel; /* ... with 4 among the parameters after the first */
	bool registers; /* CSI ? 1 ; 0 ; N S */
	unsigned colour_registers;
	bool geometry; /* CSI ? 2 ; 0 ; W ; H S */
	unsigned sixel_w, sixel_h;
	bool cell_px; /* CSI 6 ; h ; w t (reply to CSI 16 t), both > 0 */
	unsigned cell_w, cell_h;
	bool text_px; /* CSI 4 ; h ; w t (reply to CSI 14 t), both > 0 */
	unsigned text_w, text_h;
	bool text_cells;    /* CSI 8 ; a ; b t (CSI 18 t) as sent: rows, cols, */
	unsigned text_rows; /* though tmux 3.3a sends cols first */
	unsigned text_cols;
	bool version;                         /* DCS > | text ST (XTVERSION) */
	char terminal[GRAPHICS_TERMINAL_MAX]; /* printable ASCII, others as '?' */
	/* Bytes that were not replies (keys typed meanwhile), in arrival order,
	 * at most GRAPHICS_TYPEAHEAD_MAX; typeahead_lost counts the rest. */
	unsigned char typeahead[GRAPHICS_TYPEAHEAD_MAX];
	size_t typeahead_len, typeahead_lost;

	/* Parser state: private. */
	int state;
	unsigned char seq[GRAPHICS_REPLY_SEQ_MAX];
	size_t seq_len;
	bool seq_long; /* a DCS longer than seq: its end is still awaited */
};

/* Empties *r for a new probe. */
void graphics_reply_init(struct graphics_reply *r);
/* Parses n more bytes of tty input (data borrowed; NULL accepted when n is
 * 0), in any split. */
void graphics_reply_feed(struct graphics_reply *r, const void *data, size_t n);
/* The input ended: an escape sequence still open (a lone ESC is the Escape
 * key; a cut CSI is keys) is moved to the type-ahead; an open DCS dropped. */
void graphics_reply_finish(struct graphics_reply *r);

#endif
