/* The text fallback (img/cells): degenerate sizes first, then the cells an
 * image fits into, the xterm-256 gray and colour mapping (every gray within
 * half the gap between its neighbouring palette grays), exact cells for
 * small known images in half blocks and ASCII, and the ANSI text parsed
 * back into cells in 256-colour and truecolor modes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "img/cells.h"
#include "util/buf.h"
#include "util/rng.h"
#include "util/xmalloc.h"

static void test_degenerate(void **state)
{
	struct image_cell cell = { "x", 1, 2, { 0 }, { 0 } };
	unsigned char px[2] = { 0, 255 };
	struct buf b = BUF_INIT;
	int rows = -1, cols = -1;

	(void)state;
	cells_fit(0, 10, 10, 20, 10, 10, &rows, &cols);
	assert_int_equal(rows, 0);
	assert_int_equal(cols, 0);
	cells_fit(10, 10, 10, 20, 0, 10, &rows, &cols);
	assert_int_equal(rows, 0);
	cells_fit(10, 10, 10, 20, 10, -1, &rows, &cols);
	assert_int_equal(cols, 0);
	/* Nothing written for NULL or empty. */
	cells_render_blocks(NULL, 1, 2, 1, 1, 1, &cell);
	cells_render_blocks(px, 1, 2, 1, 0, 1, &cell);
	cells_render_blocks(px, 0, 2, 1, 1, 1, &cell);
	cells_render_blocks(px, 1, 2, 2, 1, 1, &cell);
	cells_render_ascii(NULL, 1, 2, 1, 1, 1, &cell);
	cells_render_ascii(px, 1, 2, 1, 1, 0, &cell);
	assert_string_equal(cell.ch, "x");
	assert_int_equal(cell.fg, 1);
	cells_to_ansi(NULL, 1, 1, false, &b);
	cells_to_ansi(&cell, 0, 1, false, &b);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void test_fit(void **state)
{
	int rows, cols;

	(void)state;
	/* 60x30 cells of 10x20 px are 600x600 px: a square is 60 x 30 cells. */
	cells_fit(512, 512, 10, 20, 30, 60, &rows, &cols);
	assert_int_equal(cols, 60);
	assert_int_equal(rows, 30);
	cells_fit(1000, 500, 10, 20, 30, 60, &rows, &cols);
	assert_int_equal(cols, 60);
	assert_int_equal(rows, 15);
	cells_fit(500, 1000, 10, 20, 30, 60, &rows, &cols);
	assert_int_equal(cols, 30);
	assert_int_equal(rows, 30);
	/* Cell size 0 means 10x20. */
	cells_fit(512, 512, 0, 0, 30, 60, &rows, &cols);
	assert_int_equal(cols, 60);
	assert_int_equal(rows, 30);
	/* Square cells (8x8): a square image is square in cells. */
	cells_fit(100, 100, 8, 8, 24, 80, &rows, &cols);
	assert_int_equal(cols, 24);
	assert_int_equal(rows, 24);
	/* Never below 1x1. */
	cells_fit(10000, 1, 10, 20, 30, 60, &rows, &cols);
	assert_int_equal(cols, 60);
	assert_int_equal(rows, 1);
}

static bool is_gray_index(uint8_t i)
{
	return i == 16 || i == 59 || i == 102 || i == 145 || i == 188 || i == 231 || i >= 232;
}

/* Every v maps to one of its two neighbouring palette grays, the nearer:
 * the error is at most half the gap between them. */
static void test_gray_mapping(void **state)
{
	int levels[64], n = 0;

	(void)state;
	for (int i = 0; i < 256; i++) {
		unsigned char rgb[3];

		if (!is_gray_index((uint8_t)i))
			continue;
		cells_index_rgb((uint8_t)i, rgb);
		assert_int_equal(rgb[0], rgb[1]);
		assert_int_equal(rgb[1], rgb[2]);
		levels[n++] = rgb[0];
	}
	assert_int_equal(n, 30);
	for (int v = 0; v < 256; v++) {
		unsigned char g = 0, rgb[3];
		uint8_t i = cells_gray_index((unsigned char)v, &g);
		int lo = -1, hi = 1000;

		assert_true(is_gray_index(i));
		cells_index_rgb(i, rgb);
		assert_int_equal(rgb[0], g);
		for (int k = 0; k < n; k++) {
			if (levels[k] <= v && levels[k] > lo)
				lo = levels[k];
			if (levels[k] >= v && levels[k] < hi)
				hi = levels[k];
		}
		assert_true(g == lo || g == hi);
		assert_true(2 * abs(g - v) <= hi - lo);
		assert_true(abs(g - v) <= 8); /* the widest gap is 238..255 */
	}
	assert_int_equal(cells_gray_index(0, NULL), 16);
	assert_int_equal(cells_gray_index(255, NULL), 231);
	assert_int_equal(cells_gray_index(128, NULL), 244);
	assert_int_equal(cells_gray_index(95, NULL), 59);
}

static void test_rgb_mapping(void **state)
{
	(void)state;
	assert_int_equal(cells_rgb_index(255, 0, 0), 196);
	assert_int_equal(cells_rgb_index(0, 255, 0), 46);
	assert_int_equal(cells_rgb_index(0, 0, 255), 21);
	assert_int_equal(cells_rgb_index(255, 255, 255), 231);
	assert_int_equal(cells_rgb_index(0, 0, 0), 16);
	assert_int_equal(cells_rgb_index(128, 128, 128), 244); /* a ramp gray beats cube 102/145 */
	assert_int_equal(cells_rgb_index(95, 135, 175), 67);
	/* Never worse than the nearest cube colour. */
	for (int r = 0; r < 256; r += 17) {
		for (int g = 0; g < 256; g += 51) {
			for (int b = 0; b < 256; b += 85) {
				unsigned char rgb[3];
				uint8_t i = cells_rgb_index((unsigned char)r, (unsigned char)g,
				                            (unsigned char)b);

				assert_true(i >= 16);
				cells_index_rgb(i, rgb);
				assert_true(abs(rgb[0] - r) <= 48 && abs(rgb[1] - g) <= 48 &&
				            abs(rgb[2] - b) <= 48);
			}
		}
	}
}

static void test_blocks(void **state)
{
	/* 2 wide, 4 tall: two rows of cells. */
	const unsigned char g[] = { 0, 255, 128, 8, 238, 255, 95, 18 };
	const unsigned char rgb[] = { 255, 0, 0, 0, 0, 255 };
	struct image_cell c[4];

	(void)state;
	memset(c, 0, sizeof c);
	cells_render_blocks(g, 2, 4, 1, 2, 2, c);
	for (int i = 0; i < 4; i++)
		assert_string_equal(c[i].ch, "\xe2\x96\x80");
	assert_int_equal(c[0].fg, 16);  /* 0 */
	assert_int_equal(c[0].bg, 244); /* 128 */
	assert_int_equal(c[1].fg, 231); /* 255 */
	assert_int_equal(c[1].bg, 232); /* 8 */
	assert_int_equal(c[2].fg, 255); /* 238 */
	assert_int_equal(c[2].bg, 59);  /* 95 */
	assert_int_equal(c[3].fg, 231);
	assert_int_equal(c[3].bg, 233); /* 18 */
	assert_int_equal(c[0].bg_rgb[0], 128);
	assert_int_equal(c[0].bg_rgb[2], 128);
	assert_int_equal(c[3].bg_rgb[1], 18);
	/* The same image in one cell: each half the mean of its 2x2. */
	cells_render_blocks(g, 2, 4, 1, 1, 1, c);
	assert_int_equal(c[0].fg_rgb[0], 98);  /* (0+255+128+8)/4 = 97.75 */
	assert_int_equal(c[0].bg_rgb[0], 152); /* (238+255+95+18)/4 = 151.5 */
	/* RGB: red over blue. */
	cells_render_blocks(rgb, 1, 2, 3, 1, 1, c);
	assert_int_equal(c[0].fg, 196);
	assert_int_equal(c[0].bg, 21);
	assert_memory_equal(c[0].fg_rgb, rgb, 3);
	assert_memory_equal(c[0].bg_rgb, rgb + 3, 3);
}

static void test_ascii(void **state)
{
	unsigned char ramp[10], rgb[3] = { 255, 255, 255 };
	struct image_cell c[10];

	(void)state;
	for (int i = 0; i < 10; i++)
		ramp[i] = (unsigned char)(i * 256 / 10 + 12);
	cells_render_ascii(ramp, 10, 1, 1, 1, 10, c);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(c[i].ch[0], CELLS_ASCII_RAMP[i]);
		assert_int_equal(c[i].ch[1], '\0');
		assert_int_equal(c[i].fg, 231);
		assert_int_equal(c[i].bg, 16);
	}
	/* 0 and 255 are the ends; an average is taken over each cell. */
	{
		const unsigned char two[] = { 0, 0, 255, 255 };

		cells_render_ascii(two, 4, 1, 1, 1, 2, c);
		assert_int_equal(c[0].ch[0], ' ');
		assert_int_equal(c[1].ch[0], '@');
		cells_render_ascii(two, 4, 1, 1, 1, 1, c);
		assert_int_equal(c[0].ch[0], '+'); /* 127.5 -> 128 -> 5 */
	}
	cells_render_ascii(rgb, 1, 1, 3, 1, 1, c);
	assert_int_equal(c[0].ch[0], '@');
}

/* Parses cells_to_ansi's text back: SGR 38/48 in ;5; or ;2; form, glyphs,
 * SGR 0 + "\n" at each row end. Returns the number of SGR sequences. */
static int parse_ansi(const char *s, int rows, int cols, bool truecolor, struct image_cell *out)
{
	int sgrs = 0, r = 0, c = 0;
	int fg = -1, bg = -1, fgrgb[3] = { -1, -1, -1 }, bgrgb[3] = { -1, -1, -1 };

	while (*s != '\0') {
		if (s[0] == '\033') {
			char *end;
			long v[16];
			int n = 0;

			assert_int_equal(s[1], '[');
			s += 2;
			while (*s != 'm') {
				v[n++] = strtol(s, &end, 10);
				assert_true(end != s);
				s = *end == ';' ? end + 1 : end;
				assert_true(n < 16);
			}
			s++;
			sgrs++;
			if (n == 1 && v[0] == 0) {
				assert_int_equal(c, cols);
				assert_int_equal(*s, '\n');
				s++;
				r++;
				c = 0;
				fg = bg = -1;
				continue;
			}
			for (int k = 0; k < n;) {
				int *rgb = v[k] == 38 ? fgrgb : bgrgb;

				assert_true(v[k] == 38 || v[k] == 48);
				if (truecolor) {
					assert_int_equal(v[k + 1], 2);
					for (int j = 0; j < 3; j++)
						rgb[j] = (int)v[k + 2 + j];
					*(v[k] == 38 ? &fg : &bg) = 0;
					k += 5;
				} else {
					assert_int_equal(v[k + 1], 5);
					*(v[k] == 38 ? &fg : &bg) = (int)v[k + 2];
					k += 3;
				}
			}
			continue;
		}
		assert_true(r < rows && c < cols);
		assert_true(fg >= 0 && bg >= 0);
		struct image_cell *cell = &out[r * cols + c];
		size_t len = (unsigned char)s[0] >= 0x80 ? 3 : 1;

		memset(cell, 0, sizeof *cell);
		memcpy(cell->ch, s, len);
		s += len;
		if (truecolor) {
			for (int j = 0; j < 3; j++) {
				cell->fg_rgb[j] = (uint8_t)fgrgb[j];
				cell->bg_rgb[j] = (uint8_t)bgrgb[j];
			}
		} else {
			cell->fg = (uint8_t)fg;
			cell->bg = (uint8_t)bg;
		}
		c++;
	}
	assert_int_equal(r, rows);
	return sgrs;
}

static void test_ansi(void **state)
{
	const int rows = 7, cols = 13;
	unsigned char *px = xmalloc(26 * 28 * 3);
	struct image_cell *c = xcalloc(rows * cols, sizeof *c);
	struct image_cell *back = xcalloc(rows * cols, sizeof *back);
	struct rng r;

	(void)state;
	rng_seed(&r, 3);
	for (int i = 0; i < 26 * 28 * 3; i++)
		px[i] = (unsigned char)(rng_below(&r, 4) * 85);
	for (int ch = 1; ch <= 3; ch += 2) {
		cells_render_blocks(px, 26, 28, (unsigned)ch, rows, cols, c);
		for (int tc = 0; tc < 2; tc++) {
			struct buf b = BUF_INIT;

			cells_to_ansi(c, rows, cols, tc, &b);
			parse_ansi(b.data, rows, cols, tc, back);
			for (int i = 0; i < rows * cols; i++) {
				assert_string_equal(back[i].ch, c[i].ch);
				if (tc) {
					assert_memory_equal(back[i].fg_rgb, c[i].fg_rgb, 3);
					assert_memory_equal(back[i].bg_rgb, c[i].bg_rgb, 3);
				} else {
					assert_int_equal(back[i].fg, c[i].fg);
					assert_int_equal(back[i].bg, c[i].bg);
				}
			}
			buf_free(&b);
		}
	}
	/* Minimal: a flat row is one SGR, then the reset. */
	{
		struct image_cell flat[4];
		struct buf b = BUF_INIT;

		for (int i = 0; i < 4; i++)
			flat[i] = (struct image_cell){
				"\xe2\x96\x80", 244, 16, { 128, 128, 128 }, { 0, 0, 0 }
			};
		flat[3].bg = 231;
		flat[3].bg_rgb[0] = 255;
		cells_to_ansi(flat, 1, 4, false, &b);
		assert_string_equal(b.data,
		                    "\033[38;5;244;48;5;16m\xe2\x96\x80\xe2\x96\x80\xe2\x96\x80"
		                    "\033[48;5;231m\xe2\x96\x80\033[0m\n");
		buf_reset(&b);
		flat[3].ch[0] = '\0';
		cells_to_ansi(flat, 2, 2, true, &b);
		assert_string_equal(b.data,
		                    "\033[38;2;128;128;128;48;2;0;0;0m\xe2\x96\x80\xe2\x96\x80"
		                    "\033[0m\n"
		                    "\033[38;2;128;128;128;48;2;0;0;0m\xe2\x96\x80"
		                    "\033[48;2;255;0;0m \033[0m\n");
		buf_free(&b);
	}
	free(px);
	free(c);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),   cmocka_unit_test(test_fit),
		cmocka_unit_test(test_gray_mapping), cmocka_unit_test(test_rgb_mapping),
		cmocka_unit_test(test_blocks),       cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_ansi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
