/* Sixel encoding through libsixel (see sixel_enc.h). libsixel's median cut
 * and palette lookup work on 5 bits per channel, so gray images never go
 * through them: they are mapped here to n gray levels and handed over as
 * PAL8 indices, which libsixel emits as they are. Every libsixel call is
 * checked with SIXEL_FAILED and everything it allocates is released in
 * encode_once's single exit. This file must not write to a terminal. */
#include "config.h"

#include "img/sixel_enc.h"

#include <limits.h>
#include <math.h>
/* sixel.h defines its own PACKAGE_VERSION; ours is not used here. */
#undef PACKAGE_VERSION
#include <sixel.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/scale.h"
#include "util/xmalloc.h"

#define SHRINK 0.85

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* err may be NULL: the caller does not want the reason. */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int sink(char *data, int size, void *priv)
{
	if (size > 0)
		buf_append(priv, data, (size_t)size);
	return 0;
}

/* libsixel 1.10.3 starts an image of fewer than 6 rows with a graphics
 * new line ('-'), so the terminal draws it one band (6 px) too low. Such
 * an image is a single band and needs no '-' at all (nor does the palette
 * or the raster attributes hold one): all are removed. */
static void drop_band_breaks(struct buf *b)
{
	size_t k = 0;

	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] != '-')
			b->data[k++] = b->data[i];
	b->len = k;
	if (b->data != NULL)
		b->data[k] = '\0';
}

/* One encode of w x h pixels into out (empty on entry). Returns 0, or -1
 * with err. */
static int encode_once(const unsigned char *pixels, unsigned w, unsigned h, unsigned channels,
                       unsigned levels, struct buf *out, char *err, size_t errlen)
{
	sixel_output_t *output = NULL;
	sixel_dither_t *dither = NULL;
	unsigned char *data = NULL, palette[256 * 3];
	size_t n = (size_t)w * h;
	const char *what = "sixel_output_new";
	SIXELSTATUS st;
	int rc = -1;

	st = sixel_output_new(&output, sink, out, NULL);
	if (SIXEL_FAILED(st))
		goto out;
	sixel_output_set_8bit_availability(output, 0);
	/* About 8% fewer bytes than the default at the same speed (measured). */
	sixel_output_set_encode_policy(output, SIXEL_ENCODEPOLICY_SIZE);
	if (channels == 1) {
		unsigned char map[256];

		for (unsigned i = 0; i < levels; i++) {
			unsigned v = (i * 255 + (levels - 1) / 2) / (levels - 1);

			palette[i * 3] = palette[i * 3 + 1] = palette[i * 3 + 2] = (unsigned char)v;
		}
		for (unsigned v = 0; v < 256; v++)
			map[v] = (unsigned char)((v * (levels - 1) + 127) / 255);
		data = xmalloc(n);
		for (size_t i = 0; i < n; i++)
			data[i] = map[pixels[i]];
		what = "sixel_dither_new";
		st = sixel_dither_new(&dither, (int)levels, NULL);
		if (SIXEL_FAILED(st))
			goto out;
		sixel_dither_set_palette(dither, palette);
		sixel_dither_set_pixelformat(dither, SIXEL_PIXELFORMAT_PAL8);
	} else {
		/* libsixel takes non-const pixels: it gets a copy. */
		data = xmalloc(n * 3);
		memcpy(data, pixels, n * 3);
		what = "sixel_dither_new";
		st = sixel_dither_new(&dither, 256, NULL);
		if (SIXEL_FAILED(st))
			goto out;
		what = "sixel_dither_initialize";
		st = sixel_dither_initialize(dither, data, (int)w, (int)h, SIXEL_PIXELFORMAT_RGB888,
		                             SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO);
		if (SIXEL_FAILED(st))
			goto out;
	}
	what = "sixel_encode";
	st = sixel_encode(data, (int)w, (int)h, 8, dither, output);
	if (SIXEL_FAILED(st))
		goto out;
	if (h < 6)
		drop_band_breaks(out);
	rc = 0;
out:
	if (rc != 0)
		set_err(err, errlen, "sixel: %s failed: %s", what, sixel_helper_format_error(st));
	if (dither != NULL)
		sixel_dither_unref(dither);
	if (output != NULL)
		sixel_output_unref(output);
	free(data);
	return rc;
}

int sixel_encode_image(const unsigned char *pixels, unsigned w, unsigned h, unsigned channels,
                       const struct sixel_options *o, struct buf *out, unsigned *out_w,
                       unsigned *out_h, char *err, size_t errlen)
{
	unsigned levels =
	    o != NULL && o->gray_levels != 0 ? o->gray_levels : SIXEL_DEFAULT_GRAY_LEVELS;
	size_t max = o != NULL && o->max_bytes != 0 ? o->max_bytes : SIXEL_DEFAULT_MAX_BYTES;
	struct buf tmp = BUF_INIT;
	unsigned char *scaled = NULL;
	const unsigned char *cur = pixels;
	unsigned cw = w, ch = h;
	int rc = -1;

	if (pixels == NULL || out == NULL) {
		set_err(err, errlen, "sixel: no image");
		return -1;
	}
	if (w == 0 || h == 0 || w > INT_MAX / 4 || h > INT_MAX / 4 ||
	    (size_t)w * h > (size_t)INT_MAX / 4) {
		set_err(err, errlen, "sixel: bad image size %ux%u", w, h);
		return -1;
	}
	if (channels != 1 && channels != 3) {
		set_err(err, errlen, "sixel: %u channels (1 gray or 3 RGB)", channels);
		return -1;
	}
	if (levels < 2 || levels > 256) {
		set_err(err, errlen, "sixel: %u gray levels (2..256)", levels);
		return -1;
	}
	for (;;) {
		unsigned nw, nh;
		double f;

		buf_reset(&tmp);
		if (encode_once(cur, cw, ch, channels, levels, &tmp, err, errlen) != 0)
			goto out;
		if (tmp.len < max)
			break;
		if (cw == 1 && ch == 1) {
			set_err(err, errlen, "sixel: a 1x1 image takes %zu bytes, over %zu",
			        tmp.len, max);
			goto out;
		}
		/* 0.85 per step, or at once about as far as the size says when
		 * the payload is far over (bytes grow with the area). */
		f = sqrt((double)max / (double)tmp.len) * 0.98;
		if (f > SHRINK)
			f = SHRINK;
		nw = (unsigned)(cw * f);
		nh = (unsigned)(ch * f);
		cw = nw < 1 ? 1 : nw;
		ch = nh < 1 ? 1 : nh;
		free(scaled);
		scaled = image_scale(pixels, w, h, channels, cw, ch);
		cur = scaled;
	}
	buf_append(out, tmp.data, tmp.len);
	if (out_w != NULL)
		*out_w = cw;
	if (out_h != NULL)
		*out_h = ch;
	rc = 0;
out:
	free(scaled);
	buf_free(&tmp);
	return rc;
}

void sixel_wrap_tmux(const char *payload, size_t n, struct buf *out)
{
	size_t start = 0;

	buf_append(out, "\033Ptmux;", 7);
	for (size_t i = 0; i < n; i++) {
		if (payload[i] != '\033')
			continue;
		/* Up to and including this ESC, then the ESC again. */
		buf_append(out, payload + start, i + 1 - start);
		buf_putc(out, '\033');
		start = i + 1;
	}
	if (n > start)
		buf_append(out, payload + start, n - start);
	buf_append(out, "\033\\", 2);
}

void sixel_place(int row, int col, const char *payload, size_t n, struct buf *out)
{
	buf_printf(out, "\0337\033[%d;%dH", (row < 0 ? 0 : row) + 1, (col < 0 ? 0 : col) + 1);
	if (n > 0)
		buf_append(out, payload, n);
	buf_append(out, "\0338", 2);
}

void sixel_cells(unsigned w, unsigned h, unsigned cell_w, unsigned cell_h, int *rows, int *cols)
{
	unsigned long long bands;

	if (w == 0 || h == 0 || cell_w == 0 || cell_h == 0) {
		*rows = 0;
		*cols = 0;
		return;
	}
	bands = ((unsigned long long)h + 5) / 6 * 6;
	*cols = (int)(((unsigned long long)w + cell_w - 1) / cell_w);
	*rows = (int)((bands + cell_h - 1) / cell_h);
}
