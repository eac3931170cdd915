/* The reply parser of the graphics probe (see graphics_reply.h): a small
 * VT input state machine. Recognised replies fill the struct; CSI and ESC
 * sequences it does not recognise are keys (arrows, Alt-x) and go to the
 * type-ahead byte for byte; DCS strings are never keys and are dropped
 * unless they are XTVERSION. It must not do I/O. */
#include "config.h"

#include "ui/graphics_reply.h"

#include <string.h>

enum {
	ST_GROUND,
	ST_ESC,
	ST_CSI,
	ST_DCS,
	ST_DCS_ESC,
};

#define PARAM_CAP 1000000u

void graphics_reply_init(struct graphics_reply *r)
{
	memset(r, 0, sizeof *r);
	r->state = ST_GROUND;
}

static void typeahead_add(struct graphics_reply *r, const unsigned char *p, size_t n)
{
	size_t room = GRAPHICS_TYPEAHEAD_MAX - r->typeahead_len;
	size_t k = n < room ? n : room;

	memcpy(r->typeahead + r->typeahead_len, p, k);
	r->typeahead_len += k;
	r->typeahead_lost += n - k;
}

static void seq_to_typeahead(struct graphics_reply *r)
{
	typeahead_add(r, r->seq, r->seq_len);
	r->seq_len = 0;
	r->state = ST_GROUND;
}

/* Parameters of the CSI body p[0..n) (after any private marker). Returns
 * how many, or -1 if it holds anything but digits and ';'. */
static int csi_params(const unsigned char *p, size_t n, unsigned *v)
{
	int count = 1;

	v[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ';') {
			if (count == GRAPHICS_REPLY_PARAM_MAX)
				return -1;
			v[count++] = 0;
		} else if (p[i] >= '0' && p[i] <= '9') {
			unsigned *d = &v[count - 1];

			if (*d < PARAM_CAP)
				*d = *d * 10 + (unsigned)(p[i] - '0');
		} else {
			return -1;
		}
	}
	return count;
}

/* A complete CSI sequence in seq: a reply, or keys. */
static void csi_dispatch(struct graphics_reply *r)
{
	unsigned v[GRAPHICS_REPLY_PARAM_MAX];
	const unsigned char *body = r->seq + 2;
	size_t n = r->seq_len - 3;
	unsigned char final = r->seq[r->seq_len - 1], marker = 0;
	int count;

	if (n > 0 && body[0] >= '<' && body[0] <= '?') {
		marker = body[0];
		body++;
		n--;
	}
	count = csi_params(body, n, v);
	if (count < 0) {
		seq_to_typeahead(r);
		return;
	}
	if (marker == '?' && final == 'c') {
		r->da1 = true;
		for (int i = 1; i < count; i++)
			if (v[i] == 4)
				r->da1_sixel = true;
	} else if (marker == '>' && final == 'c') {
		/* DA2: a reply, not a key; not needed. */
	} else if (marker == '?' && final == 'S' && count >= 2) {
		if (v[0] == 1 && v[1] == 0 && count >= 3) {
			r->registers = true;
			r->colour_registers = v[2];
		} else if (v[0] == 2 && v[1] == 0 && count >= 4) {
			r->geometry = true;
			r->sixel_w = v[2];
			r->sixel_h = v[3];
		}
	} else if (marker == 0 && final == 't' && count == 3 &&
	           (v[0] == 4 || v[0] == 6 || v[0] == 8)) {
		if (v[0] == 4 && v[1] > 0 && v[2] > 0) {
			r->text_px = true;
			r->text_h = v[1];
			r->text_w = v[2];
		} else if (v[0] == 6 && v[1] > 0 && v[2] > 0) {
			r->cell_px = true;
			r->cell_h = v[1];
			r->cell_w = v[2];
		} else if (v[0] == 8) {
			r->text_cells = true;
			r->text_rows = v[1];
			r->text_cols = v[2];
		}
	} else {
		seq_to_typeahead(r);
		return;
	}
	r->seq_len = 0;
	r->state = ST_GROUND;
}

/* A complete DCS (ESC P ... ESC \) in seq, possibly cut short. */
static void dcs_dispatch(struct graphics_reply *r)
{
	const unsigned char *body = r->seq + 2;
	size_t n = r->seq_len - 2; /* the ESC \ is not stored */

	if (n >= 2 && body[0] == '>' && body[1] == '|') {
		size_t k = 0;

		for (size_t i = 2; i < n && k + 1 < sizeof r->terminal; i++)
			r->terminal[k++] = body[i] >= 0x20 && body[i] < 0x7f ? (char)body[i] : '?';
		while (k > 0 && r->terminal[k - 1] == ' ')
			k--;
		r->terminal[k] = '\0';
		r->version = true;
	}
	r->seq_len = 0;
	r->seq_long = false;
	r->state = ST_GROUND;
}

static void seq_add(struct graphics_reply *r, unsigned char c)
{
	if (r->seq_len < sizeof r->seq)
		r->seq[r->seq_len++] = c;
	else
		r->seq_long = true;
}

static void feed_byte(struct graphics_reply *r, unsigned char c)
{
	switch (r->state) {
	case ST_GROUND:
		if (c == 0x1b) {
			r->seq[0] = c;
			r->seq_len = 1;
			r->state = ST_ESC;
		} else {
			typeahead_add(r, &c, 1);
		}
		return;
	case ST_ESC:
		if (c == '[') {
			seq_add(r, c);
			r->state = ST_CSI;
		} else if (c == 'P') {
			seq_add(r, c);
			r->seq_long = false;
			r->state = ST_DCS;
		} else if (c == 0x1b) {
			/* The first ESC was the Escape key. */
			typeahead_add(r, r->seq, r->seq_len);
			r->seq_len = 1;
		} else {
			seq_add(r, c);
			seq_to_typeahead(r);
		}
		return;
	case ST_CSI:
		if (c >= 0x40 && c <= 0x7e) {
			seq_add(r, c);
			csi_dispatch(r);
		} else if (c >= 0x20 && c <= 0x3f && r->seq_len < sizeof r->seq - 1) {
			seq_add(r, c);
		} else {
			/* Not a CSI after all (or too long): keys, then this byte anew. */
			seq_to_typeahead(r);
			feed_byte(r, c);
		}
		return;
	case ST_DCS:
		if (c == 0x1b)
			r->state = ST_DCS_ESC;
		else
			seq_add(r, c);
		return;
	case ST_DCS_ESC:
		if (c == '\\') {
			dcs_dispatch(r);
		} else {
			/* A cut DCS: dropped; the ESC starts something new. */
			r->seq_len = 0;
			r->seq_long = false;
			r->state = ST_GROUND;
			feed_byte(r, 0x1b);
			feed_byte(r, c);
		}
		return;
	default:
		r->state = ST_GROUND;
		return;
	}
}

void graphics_reply_feed(struct graphics_reply *r, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++)
		feed_byte(r, p[i]);
}

void graphics_reply_finish(struct graphics_reply *r)
{
	if (r->state == ST_ESC || r->state == ST_CSI)
		typeahead_add(r, r->seq, r->seq_len);
	r->seq_len = 0;
	r->seq_long = false;
	r->state = ST_GROUND;
}
