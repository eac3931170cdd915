/* Resizing (img/scale): degenerate sizes first, then the fitted size for
 * boxes of every shape, exact results where they can be worked out by hand
 * (copies, 2:1 and 3:2 box averages, bilinear edges, RGB channels apart),
 * flat images staying flat at any ratio, and a random image against a
 * floating-point box filter written here from the definition. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "img/scale.h"
#include "util/rng.h"
#include "util/xmalloc.h"

static void fit(unsigned sw, unsigned sh, unsigned mw, unsigned mh, unsigned ew, unsigned eh)
{
	unsigned w = 12345, h = 12345;

	image_fit(sw, sh, mw, mh, &w, &h);
	assert_int_equal(w, ew);
	assert_int_equal(h, eh);
}

static void test_degenerate(void **state)
{
	unsigned char px[4] = { 1, 2, 3, 4 };

	(void)state;
	fit(0, 0, 100, 100, 1, 1);
	fit(10, 0, 100, 100, 1, 1);
	fit(10, 10, 0, 100, 1, 1);
	fit(10, 10, 100, 0, 1, 1);
	assert_null(image_scale(NULL, 2, 2, 1, 1, 1));
	assert_null(image_scale(px, 0, 2, 1, 1, 1));
	assert_null(image_scale(px, 2, 0, 1, 1, 1));
	assert_null(image_scale(px, 2, 2, 0, 1, 1));
	assert_null(image_scale(px, 2, 2, 1, 0, 1));
	assert_null(image_scale(px, 2, 2, 1, 1, 0));
	/* 1x1 to anything is flat, anything to 1x1 the mean. */
	{
		unsigned char *p = image_scale(px, 1, 1, 1, 5, 3);

		assert_non_null(p);
		for (int i = 0; i < 15; i++)
			assert_int_equal(p[i], 1);
		free(p);
		p = image_scale(px, 2, 2, 1, 1, 1);
		assert_int_equal(p[0], 3); /* 2.5 rounds up */
		free(p);
	}
}

static void test_fit(void **state)
{
	(void)state;
	fit(512, 512, 600, 600, 600, 600);
	fit(512, 512, 360, 600, 360, 360);
	fit(512, 256, 600, 600, 600, 300);
	fit(256, 512, 600, 600, 300, 600);
	fit(100, 1000, 60, 30, 3, 30);
	fit(1, 10000, 10, 10, 1, 10); /* 0.001 wide rounds up to 1 */
	fit(10000, 1, 10, 10, 10, 1);
	fit(640, 480, 100, 100, 100, 75);
	fit(3, 2, 1000, 1000, 1000, 667); /* 666.67 rounds */
	fit(1, 1, 7, 9, 7, 7);
	/* Always inside the box, and full along one side. */
	for (unsigned sw = 1; sw < 300; sw += 37) {
		for (unsigned sh = 1; sh < 300; sh += 41) {
			for (unsigned m = 1; m < 200; m += 29) {
				unsigned w, h;

				image_fit(sw, sh, m, m + 7, &w, &h);
				assert_true(w >= 1 && h >= 1 && w <= m && h <= m + 7);
				assert_true(w == m || h == m + 7);
			}
		}
	}
}

static void test_exact(void **state)
{
	const unsigned char g4x2[] = { 0, 2, 4, 6, 8, 10, 12, 14 };
	const unsigned char three[] = { 0, 90, 180 };
	const unsigned char two[] = { 0, 100 };
	const unsigned char rgb[] = { 255, 0, 0, 0, 0, 255 };
	unsigned char *p;

	(void)state;
	/* A copy. */
	p = image_scale(g4x2, 4, 2, 1, 4, 2);
	assert_memory_equal(p, g4x2, 8);
	free(p);
	/* 2:1 both ways: means of 2x2 blocks, (0+2+8+10)/4 and (4+6+12+14)/4. */
	p = image_scale(g4x2, 4, 2, 1, 2, 1);
	assert_int_equal(p[0], 5);
	assert_int_equal(p[1], 9);
	free(p);
	/* 3:2: [0, 1.5) is 2/3 of 0 and 1/3 of 90; [1.5, 3) 1/3 of 90, 2/3 of 180. */
	p = image_scale(three, 3, 1, 1, 2, 1);
	assert_int_equal(p[0], 30);
	assert_int_equal(p[1], 150);
	free(p);
	/* Bilinear 2 -> 4, centres aligned: x = -0.25 (clamped), 0.25, 0.75, 1.25 (clamped). */
	p = image_scale(two, 2, 1, 1, 4, 1);
	assert_int_equal(p[0], 0);
	assert_int_equal(p[1], 25);
	assert_int_equal(p[2], 75);
	assert_int_equal(p[3], 100);
	free(p);
	/* The same vertically. */
	p = image_scale(two, 1, 2, 1, 1, 4);
	assert_int_equal(p[1], 25);
	assert_int_equal(p[2], 75);
	free(p);
	/* RGB channels stay apart: red and blue average to (128, 0, 128). */
	p = image_scale(rgb, 2, 1, 3, 1, 1);
	assert_int_equal(p[0], 128);
	assert_int_equal(p[1], 0);
	assert_int_equal(p[2], 128);
	free(p);
	/* One axis shrinks while the other grows. */
	p = image_scale(g4x2, 4, 2, 1, 2, 4);
	assert_int_equal(p[0], 1);  /* row 0: (0+2)/2 */
	assert_int_equal(p[6], 9);  /* row 3: (8+10)/2 */
	assert_int_equal(p[7], 13); /* (12+14)/2 */
	free(p);
}

/* Flat stays flat: the weights of every output pixel sum to exactly one. */
static void test_flat(void **state)
{
	unsigned char *src = xmalloc(97 * 89 * 3);

	(void)state;
	for (unsigned v = 0; v < 256; v += 85) {
		memset(src, (int)v, 97 * 89 * 3);
		for (unsigned d = 1; d < 300; d += 23) {
			unsigned char *p = image_scale(src, 97, 89, 3, d, 300 - d);

			for (size_t i = 0; i < (size_t)d * (300 - d) * 3; i++)
				assert_int_equal(p[i], v);
			free(p);
		}
	}
	free(src);
}

/* A random 512x512 shrunk to 360x360 against a box filter in doubles. */
static void test_against_reference(void **state)
{
	const unsigned sw = 512, sh = 512, dw = 360, dh = 360;
	unsigned char *src = xmalloc(sw * sh), *p;
	double s = (double)sw / dw;
	struct rng r;
	int worst = 0;
	struct timespec t0, t1;

	(void)state;
	rng_seed(&r, 7);
	for (size_t i = 0; i < sw * sh; i++)
		src[i] = (unsigned char)rng_next(&r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = image_scale(src, sw, sh, 1, dw, dh);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# 512x512 -> 360x360 gray: %.3f ms (this build)\n",
	              (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	for (unsigned y = 0; y < dh; y++) {
		for (unsigned x = 0; x < dw; x++) {
			double acc = 0;

			for (unsigned j = (unsigned)floor(y * s); j < sh && j < (y + 1) * s; j++) {
				double wy = fmin(j + 1, (y + 1) * s) - fmax(j, y * s);

				for (unsigned i = (unsigned)floor(x * s); i < sw && i < (x + 1) * s;
				     i++) {
					double wx = fmin(i + 1, (x + 1) * s) - fmax(i, x * s);

					acc += wx * wy * src[j * sw + i];
				}
			}
			acc /= s * s;
			int d = abs((int)lround(acc) - p[y * dw + x]);
			if (d > worst)
				worst = d;
		}
	}
	assert_true(worst <= 1);
	free(p);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
