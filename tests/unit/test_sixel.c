/* Sixel encoding (img/sixel_enc): degenerate input first, then every
 * payload decoded back with libsixel's own decoder (sixel_decode_raw) and
 * compared with the image meant: gray at 256 levels gives back each pixel's
 * index exactly (the terminal gets the colour in percent, so values come
 * back within that rounding), 64 levels within half a step, RGB through
 * median cut within a PSNR bound; the byte budget really shrinks a noisy
 * 1024x1024; tmux wrapping, placement and the cells an image covers. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* sixel.h defines its own PACKAGE_VERSION. */
#undef PACKAGE_VERSION
#include <sixel.h>

#include "img/scale.h"
#include "img/sixel_enc.h"
#include "util/buf.h"
#include "util/rng.h"
#include "util/xmalloc.h"

/* A decoded payload: w x h RGB. */
struct decoded {
	int w, h;
	unsigned char *index; /* w x h palette indices */
	unsigned char *rgb;   /* w x h x 3 */
};

static void decode(const struct buf *b, struct decoded *d)
{
	sixel_allocator_t *a = NULL;
	unsigned char *px = NULL, *pal = NULL;
	int ncolors = 0;
	SIXELSTATUS st;

	assert_false(SIXEL_FAILED(sixel_allocator_new(&a, NULL, NULL, NULL, NULL)));
	st = sixel_decode_raw((unsigned char *)b->data, (int)b->len, &px, &d->w, &d->h, &pal,
	                      &ncolors, a);
	assert_false(SIXEL_FAILED(st));
	assert_true(d->w > 0 && d->h > 0);
	d->index = xmalloc((size_t)d->w * d->h);
	d->rgb = xmalloc((size_t)d->w * d->h * 3);
	memcpy(d->index, px, (size_t)d->w * d->h);
	for (size_t i = 0; i < (size_t)d->w * d->h; i++) {
		assert_true(px[i] < ncolors);
		memcpy(d->rgb + i * 3, pal + (size_t)px[i] * 3, 3);
	}
	sixel_allocator_free(a, px);
	sixel_allocator_free(a, pal);
	sixel_allocator_unref(a);
}

static void decoded_free(struct decoded *d)
{
	free(d->index);
	free(d->rgb);
}

/* The DCS frame: ESC P ... q first, ESC \ last, 7-bit only. */
static void assert_dcs(const struct buf *b)
{
	assert_true(b->len > 4);
	assert_int_equal(b->data[0], '\033');
	assert_int_equal(b->data[1], 'P');
	assert_non_null(memchr(b->data, 'q', b->len < 16 ? b->len : 16));
	assert_int_equal(b->data[b->len - 2], '\033');
	assert_int_equal(b->data[b->len - 1], '\\');
	for (size_t i = 0; i < b->len; i++)
		assert_true((unsigned char)b->data[i] < 0x80);
	/* The palette is sent: a colour introducer with RGB (type 2). */
	assert_non_null(strstr(b->data, ";2;"));
}

static unsigned char *gray_pattern(unsigned w, unsigned h, uint64_t seed)
{
	unsigned char *p = xmalloc((size_t)w * h);
	struct rng r;

	rng_seed(&r, seed);
	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++)
			p[(size_t)y * w + x] =
			    (unsigned char)(y < h / 2 ? (x + y) & 255 : rng_next(&r) & 255);
	return p;
}

static void test_degenerate(void **state)
{
	struct buf b = BUF_INIT;
	char err[256] = "";
	unsigned char px[3] = { 1, 2, 3 };
	struct sixel_options bad = { 1, 0 }, bad2 = { 257, 0 };
	unsigned w = 7, h = 7;
	int rows = -1, cols = -1;

	(void)state;
	assert_int_equal(sixel_encode_image(NULL, 1, 1, 1, NULL, &b, &w, &h, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	assert_int_equal(sixel_encode_image(px, 0, 0, 1, NULL, &b, NULL, NULL, err, sizeof err),
	                 -1);
	assert_int_equal(sixel_encode_image(px, 0, 1, 1, NULL, &b, NULL, NULL, err, sizeof err),
	                 -1);
	assert_int_equal(sixel_encode_image(px, 1, 1, 2, NULL, &b, NULL, NULL, err, sizeof err),
	                 -1);
	assert_int_equal(sixel_encode_image(px, 1, 1, 1, &bad, &b, NULL, NULL, err, sizeof err),
	                 -1);
	assert_int_equal(sixel_encode_image(px, 1, 1, 1, &bad2, &b, NULL, NULL, err, sizeof err),
	                 -1);
	assert_int_equal(sixel_encode_image(px, 1, 1, 1, NULL, NULL, NULL, NULL, err, sizeof err),
	                 -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(w, 7);
	/* A budget no image fits. */
	{
		struct sixel_options tiny = { 64, 10 };

		assert_int_equal(
		    sixel_encode_image(px, 1, 1, 1, &tiny, &b, NULL, NULL, err, sizeof err), -1);
		assert_non_null(strstr(err, "1x1"));
		assert_int_equal(b.len, 0);
	}
	/* 1x1 gray and RGB encode and decode. */
	for (unsigned ch = 1; ch <= 3; ch += 2) {
		struct decoded d;

		buf_reset(&b);
		assert_int_equal(
		    sixel_encode_image(px, 1, 1, ch, NULL, &b, &w, &h, err, sizeof err), 0);
		assert_int_equal(w, 1);
		assert_int_equal(h, 1);
		assert_dcs(&b);
		decode(&b, &d);
		assert_int_equal(d.w, 1);
		decoded_free(&d);
	}
	buf_free(&b);
	sixel_cells(0, 10, 10, 20, &rows, &cols);
	assert_int_equal(rows, 0);
	assert_int_equal(cols, 0);
	sixel_cells(10, 10, 0, 20, &rows, &cols);
	assert_int_equal(rows, 0);
	assert_int_equal(cols, 0);
}

/* 256 levels: the indices come back exactly; the colours within the
 * percent rounding of the sixel colour introducer (255 / 100 / 2). */
static void test_gray_256(void **state)
{
	const unsigned w = 256, h = 48;
	unsigned char *px = gray_pattern(w, h, 1);
	struct sixel_options o = { 256, 0 };
	struct buf b = BUF_INIT;
	struct decoded d;
	char err[256];
	unsigned ow, oh;

	(void)state;
	assert_int_equal(sixel_encode_image(px, w, h, 1, &o, &b, &ow, &oh, err, sizeof err), 0);
	assert_int_equal(ow, w);
	assert_int_equal(oh, h);
	assert_dcs(&b);
	decode(&b, &d);
	assert_int_equal(d.w, (int)w);
	assert_int_equal(d.h, (int)h);
	for (size_t i = 0; i < (size_t)w * h; i++) {
		assert_int_equal(d.index[i], px[i]);
		assert_true(abs((int)d.rgb[i * 3] - px[i]) <= 2);
		assert_int_equal(d.rgb[i * 3], d.rgb[i * 3 + 1]);
		assert_int_equal(d.rgb[i * 3], d.rgb[i * 3 + 2]);
	}
	decoded_free(&d);
	buf_free(&b);
	free(px);
}

/* n levels: every pixel within half a quantisation step (plus the percent
 * rounding) of its value, and monotonic: a brighter pixel never decodes
 * darker. */
static void check_levels(unsigned levels)
{
	const unsigned w = 200, h = 30;
	unsigned char *px = gray_pattern(w, h, levels);
	struct sixel_options o = { levels, 0 };
	struct buf b = BUF_INIT;
	struct decoded d;
	char err[256];
	double bound = 255.0 / (levels - 1) / 2 + 1.3;
	int back[256];

	assert_int_equal(sixel_encode_image(px, w, h, 1, &o, &b, NULL, NULL, err, sizeof err), 0);
	assert_dcs(&b);
	decode(&b, &d);
	assert_int_equal(d.w, (int)w);
	assert_int_equal(d.h, (int)h);
	for (int v = 0; v < 256; v++)
		back[v] = -1;
	for (size_t i = 0; i < (size_t)w * h; i++) {
		assert_true(fabs((double)d.rgb[i * 3] - px[i]) <= bound);
		assert_true(d.index[i] < levels);
		back[px[i]] = d.rgb[i * 3];
	}
	for (int v = 1, last = -1; v < 256; v++) {
		if (back[v] < 0)
			continue;
		assert_true(back[v] >= last);
		last = back[v];
	}
	decoded_free(&d);
	buf_free(&b);
	free(px);
}

static void test_gray_levels(void **state)
{
	(void)state;
	check_levels(64);
	check_levels(16);
	check_levels(2);
	check_levels(255);
}

static double psnr_rgb(const unsigned char *a, const unsigned char *b, size_t n)
{
	double se = 0;

	for (size_t i = 0; i < n; i++)
		se += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
	if (se == 0)
		return 99.0;
	return 10 * log10(255.0 * 255.0 / (se / n));
}

/* RGB through median cut: a smooth two-axis colour ramp with a disc. */
static void test_rgb(void **state)
{
	const unsigned w = 160, h = 120;
	unsigned char *px = xmalloc((size_t)w * h * 3);
	struct buf b = BUF_INIT;
	struct decoded d;
	char err[256];
	double p;

	(void)state;
	for (unsigned y = 0; y < h; y++) {
		for (unsigned x = 0; x < w; x++) {
			unsigned char *q = px + ((size_t)y * w + x) * 3;
			int dx = (int)x - 80, dy = (int)y - 60;

			q[0] = (unsigned char)(x * 255 / (w - 1));
			q[1] = (unsigned char)(y * 255 / (h - 1));
			q[2] = dx * dx + dy * dy < 900 ? 220 : 40;
		}
	}
	assert_int_equal(sixel_encode_image(px, w, h, 3, NULL, &b, NULL, NULL, err, sizeof err), 0);
	assert_dcs(&b);
	decode(&b, &d);
	assert_int_equal(d.w, (int)w);
	assert_int_equal(d.h, (int)h);
	p = psnr_rgb(px, d.rgb, (size_t)w * h * 3);
	print_message("# RGB median cut PSNR %.1f dB, %zu bytes\n", p, b.len);
	assert_true(p >= 30.0);
	decoded_free(&d);
	buf_free(&b);
	free(px);
}

/* Noise does not compress: a 1024x1024 would be megabytes. Under a 100 kB
 * budget it is shrunk until it fits, and the size sent says so. */
static void test_budget(void **state)
{
	const unsigned n = 1024;
	unsigned char *px = xmalloc((size_t)n * n);
	struct sixel_options o = { 64, 100 * 1000 };
	struct buf b = BUF_INIT;
	struct decoded d;
	struct rng r;
	char err[256];
	unsigned ow = 0, oh = 0;

	(void)state;
	rng_seed(&r, 42);
	for (size_t i = 0; i < (size_t)n * n; i++)
		px[i] = (unsigned char)rng_next(&r);
	buf_puts(&b, "kept");
	assert_int_equal(sixel_encode_image(px, n, n, 1, &o, &b, &ow, &oh, err, sizeof err), 0);
	assert_memory_equal(b.data, "kept", 4);
	print_message("# 1024x1024 noise under 100 kB: %ux%u, %zu bytes\n", ow, oh, b.len - 4);
	assert_true(b.len - 4 < o.max_bytes);
	assert_true(ow < n);
	assert_true(ow >= 16);
	assert_int_equal(ow, oh);
	/* What was sent is that size. */
	{
		struct buf only = BUF_INIT;

		buf_append(&only, b.data + 4, b.len - 4);
		decode(&only, &d);
		assert_int_equal(d.w, (int)ow);
		assert_int_equal(d.h, (int)oh);
		decoded_free(&d);
		buf_free(&only);
	}
	/* Without the budget the same image is over it. */
	buf_reset(&b);
	o.max_bytes = 0;
	assert_int_equal(sixel_encode_image(px, n, n, 1, &o, &b, &ow, &oh, err, sizeof err), 0);
	assert_true(b.len >= 100 * 1000);
	assert_true(b.len < SIXEL_DEFAULT_MAX_BYTES);
	buf_free(&b);
	free(px);
}

/* Images shorter than one 6-pixel band: libsixel 1.10.3 starts them with
 * a graphics new line, which would draw them 6 px too low; they must decode
 * at their own size with every pixel set, like taller ones. */
static void test_short_images(void **state)
{
	unsigned char px[3 * 14];
	struct sixel_options o = { 256, 0 };

	(void)state;
	for (unsigned i = 0; i < sizeof px; i++)
		px[i] = (unsigned char)(i * 6);
	for (unsigned h = 1; h <= 14; h++) {
		struct buf b = BUF_INIT;
		struct decoded d;
		char err[256];

		assert_int_equal(
		    sixel_encode_image(px, 3, h, 1, &o, &b, NULL, NULL, err, sizeof err), 0);
		decode(&b, &d);
		assert_int_equal(d.w, 3);
		assert_int_equal(d.h, (int)h);
		assert_memory_equal(d.index, px, 3 * h);
		decoded_free(&d);
		buf_free(&b);
	}
}

static void test_tmux_wrap(void **state)
{
	const char payload[] = "\033Pq#0;2;0;0;0~\033\\";
	const char want[] = "\033Ptmux;\033\033Pq#0;2;0;0;0~\033\033\\\033\\";
	struct buf b = BUF_INIT;
	size_t esc_in = 0, esc_out = 0;

	(void)state;
	sixel_wrap_tmux(payload, sizeof payload - 1, &b);
	assert_int_equal(b.len, sizeof want - 1);
	assert_memory_equal(b.data, want, b.len);
	for (size_t i = 0; i < sizeof payload - 1; i++)
		esc_in += payload[i] == '\033';
	for (size_t i = 0; i < b.len; i++)
		esc_out += b.data[i] == '\033';
	assert_int_equal(esc_out, 2 * esc_in + 2);
	/* Empty payload, and one with no ESC at all, and ESC ESC. */
	buf_reset(&b);
	sixel_wrap_tmux("", 0, &b);
	assert_string_equal(b.data, "\033Ptmux;\033\\");
	buf_reset(&b);
	sixel_wrap_tmux("abc", 3, &b);
	assert_string_equal(b.data, "\033Ptmux;abc\033\\");
	buf_reset(&b);
	sixel_wrap_tmux("\033\033", 2, &b);
	assert_string_equal(b.data, "\033Ptmux;\033\033\033\033\033\\");
	buf_free(&b);
}

static void test_place(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	sixel_place(0, 0, "XY", 2, &b);
	assert_string_equal(b.data, "\0337\033[1;1HXY\0338");
	buf_reset(&b);
	sixel_place(4, 31, "\033Pq\033\\", 5, &b);
	assert_string_equal(b.data, "\0337\033[5;32H\033Pq\033\\\0338");
	assert_memory_equal(b.data, "\0337", 2);
	assert_memory_equal(b.data + b.len - 2, "\0338", 2);
	buf_reset(&b);
	sixel_place(-3, -1, "", 0, &b);
	assert_string_equal(b.data, "\0337\033[1;1H\0338");
	buf_free(&b);
}

static void test_cells(void **state)
{
	static const struct {
		unsigned w, h, cw, ch;
		int rows, cols;
	} cases[] = {
		{ 1, 1, 10, 20, 1, 1 },       { 10, 20, 10, 20, 2, 1 }, /* 20 px -> 24 */
		{ 10, 18, 10, 20, 1, 1 },     { 11, 24, 10, 20, 2, 2 },
		{ 600, 600, 10, 20, 30, 60 }, { 600, 601, 10, 20, 31, 60 },
		{ 512, 512, 10, 20, 26, 52 },                               /* 516 px */
		{ 600, 390, 6, 13, 30, 100 }, { 604, 394, 6, 13, 31, 101 }, /* 396 px */
		{ 7, 6, 7, 6, 1, 1 },         { 7, 7, 7, 6, 2, 1 },
		{ 100, 100, 16, 32, 4, 7 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rows = -1, cols = -1;

		sixel_cells(cases[i].w, cases[i].h, cases[i].cw, cases[i].ch, &rows, &cols);
		assert_int_equal(rows, cases[i].rows);
		assert_int_equal(cols, cases[i].cols);
	}
	/* Against the definition for many sizes. */
	for (unsigned h = 1; h < 200; h += 7) {
		for (unsigned ch = 6; ch < 40; ch += 5) {
			int rows, cols;
			unsigned bands = (h + 5) / 6 * 6;

			sixel_cells(h, h, 9, ch, &rows, &cols);
			assert_true((unsigned)rows * ch >= bands);
			assert_true((unsigned)(rows - 1) * ch < bands);
			assert_true((unsigned)cols * 9 >= h && (unsigned)(cols - 1) * 9 < h);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),  cmocka_unit_test(test_gray_256),
		cmocka_unit_test(test_gray_levels), cmocka_unit_test(test_rgb),
		cmocka_unit_test(test_budget),      cmocka_unit_test(test_short_images),
		cmocka_unit_test(test_tmux_wrap),   cmocka_unit_test(test_place),
		cmocka_unit_test(test_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
