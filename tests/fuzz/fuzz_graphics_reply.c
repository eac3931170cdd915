/* Fuzzer for the graphics probe's reply parser (ui/graphics_reply.c): any
 * bytes a tty may deliver, split at the points the input's first byte
 * chooses, must parse exactly as the same bytes fed whole (the parser
 * holds no state beyond its struct), keep the type-ahead and XTVERSION text
 * within their bounds, the text printable, and give a valid decision.
 * Runs under libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/graphics.h"
#include "ui/graphics_reply.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

/* Everything but the private parser state. */
static int same(const struct graphics_reply *a, const struct graphics_reply *b)
{
	return a->da1 == b->da1 && a->da1_sixel == b->da1_sixel && a->registers == b->registers &&
	       a->colour_registers == b->colour_registers && a->geometry == b->geometry &&
	       a->sixel_w == b->sixel_w && a->sixel_h == b->sixel_h && a->cell_px == b->cell_px &&
	       a->cell_w == b->cell_w && a->cell_h == b->cell_h && a->text_px == b->text_px &&
	       a->text_w == b->text_w && a->text_h == b->text_h && a->text_cells == b->text_cells &&
	       a->text_rows == b->text_rows && a->text_cols == b->text_cols &&
	       a->version == b->version && strcmp(a->terminal, b->terminal) == 0 &&
	       a->typeahead_len == b->typeahead_len && a->typeahead_lost == b->typeahead_lost &&
	       memcmp(a->typeahead, b->typeahead, a->typeahead_len) == 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	struct graphics_reply whole, split;
	struct graphics_caps caps;
	unsigned step;
	size_t len;

	if (size == 0)
		return 0;
	step = data[0] % 7 + 1;
	data++;
	size--;
	graphics_reply_init(&whole);
	graphics_reply_feed(&whole, data, size);
	graphics_reply_finish(&whole);
	graphics_reply_init(&split);
	for (size_t i = 0; i < size; i += step)
		graphics_reply_feed(&split, data + i, size - i < step ? size - i : step);
	graphics_reply_finish(&split);
	if (!same(&whole, &split))
		abort();
	len = strnlen(whole.terminal, sizeof whole.terminal);
	if (len == sizeof whole.terminal || whole.typeahead_len > GRAPHICS_TYPEAHEAD_MAX ||
	    whole.typeahead_len + whole.typeahead_lost > size)
		abort();
	for (size_t i = 0; i < len; i++)
		if (whole.terminal[i] < 0x20 || whole.terminal[i] > 0x7e)
			abort();
	if (whole.da1_sixel && !whole.da1)
		abort();
	memset(&caps, 0, sizeof caps);
	caps.tmux = step & 1;
	caps.utf8 = step & 2;
	graphics_decide(&whole, NULL, &caps);
	if (caps.mode != GRAPHICS_SIXEL && caps.mode != GRAPHICS_BLOCKS &&
	    caps.mode != GRAPHICS_ASCII)
		abort();
	if ((caps.mode == GRAPHICS_SIXEL) != whole.da1_sixel || caps.tmux_passthrough ||
	    caps.colour_registers == 0)
		abort();
	return 0;
}
