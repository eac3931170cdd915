/* The LINEAR window function at its edges (values worked out by hand from
 * PS3.3 C.11.2.1.2.1), presets, "C,W" parsing, the min-max window, and how
 * a frame is windowed: given, stored, min-max, MONOCHROME1, RGB, refusals. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "img/window.h"

static unsigned char lin(double x, double c, double w)
{
	struct window win = { c, w };

	return window_linear(x, &win, 0);
}

/* The same, inverted for MONOCHROME1. */
static unsigned char inv(double x, double c, double w)
{
	struct window win = { c, w };

	return window_linear(x, &win, 1);
}

static void test_linear_edges(void **state)
{
	(void)state;
	/* c 40, w 400: bottom edge at 40 - 0.5 - 199.5 = -160, top at 239. */
	assert_int_equal(lin(-1024, 40, 400), 0);
	assert_int_equal(lin(-160, 40, 400), 0);
	assert_int_equal(lin(-159.9, 40, 400), 0);   /* 0.064 */
	assert_int_equal(lin(-158, 40, 400), 1);     /* (-197.5/399 + .5) * 255 = 1.278 */
	assert_int_equal(lin(0, 40, 400), 102);      /* 102.256 */
	assert_int_equal(lin(40, 40, 400), 127);     /* 127.820 truncated */
	assert_int_equal(lin(238, 40, 400), 254);    /* 254.361 */
	assert_int_equal(lin(239, 40, 400), 255);    /* exactly 255 */
	assert_int_equal(lin(239.01, 40, 400), 255); /* above the top edge */
	assert_int_equal(lin(5000, 40, 400), 255);
	/* c 40, w 80: edges 0 and 79. */
	assert_int_equal(lin(0, 40, 80), 0);
	assert_int_equal(lin(1, 40, 80), 3);    /* (-38.5/79 + .5) * 255 = 3.228 */
	assert_int_equal(lin(40, 40, 80), 129); /* 129.114 */
	assert_int_equal(lin(79, 40, 80), 255);
	/* Width 2: edges 9 and 10, the middle 127.5 truncated. */
	assert_int_equal(lin(9, 10, 2), 0);
	assert_int_equal(lin(9.5, 10, 2), 127);
	assert_int_equal(lin(10, 10, 2), 255);
	/* Width 1 is a threshold at c - 0.5. */
	assert_int_equal(lin(9.5, 10, 1), 0);
	assert_int_equal(lin(9.51, 10, 1), 255);
	/* Lung: c -600, w 1500, edges -1350 and 149. */
	assert_int_equal(lin(-1350, -600, 1500), 0);
	assert_int_equal(lin(-600, -600, 1500), 127); /* 127.585 */
	assert_int_equal(lin(149, -600, 1500), 255);
	/* Inverted: 255 minus the real value, then truncated (DCMTK's order). */
	assert_int_equal(inv(-160, 40, 400), 255);
	assert_int_equal(inv(-159.9, 40, 400), 254); /* 254.936 */
	assert_int_equal(inv(-158, 40, 400), 253);   /* 253.722 */
	assert_int_equal(inv(0, 40, 400), 152);      /* 152.744 */
	assert_int_equal(inv(40, 40, 400), 127);     /* 127.180 */
	assert_int_equal(inv(238, 40, 400), 0);      /* 0.639 */
	assert_int_equal(inv(239.01, 40, 400), 0);
	assert_int_equal(inv(9.5, 10, 1), 255);
	assert_int_equal(inv(9.51, 10, 1), 0);
}

static void test_presets(void **state)
{
	struct window w = { 0, 0 };

	(void)state;
	assert_int_equal(window_preset(NULL, &w), -1);
	assert_int_equal(window_preset("", &w), -1);
	assert_int_equal(window_preset("liver", &w), -1);
	assert_int_equal(window_preset("brainx", &w), -1);
	assert_int_equal(window_preset("brain", &w), 0);
	assert_true(w.center == 40 && w.width == 80);
	assert_int_equal(window_preset("Soft-Tissue", &w), 0);
	assert_true(w.center == 40 && w.width == 400);
	assert_int_equal(window_preset("soft_tissue", &w), 0);
	assert_int_equal(window_preset("LUNG", &w), 0);
	assert_true(w.center == -600 && w.width == 1500);
	assert_int_equal(window_preset("bone", &w), 0);
	assert_true(w.center == 400 && w.width == 1800);
}

static void test_parse(void **state)
{
	struct window w = { 0, 0 };

	(void)state;
	assert_int_equal(window_parse(NULL, &w), -1);
	assert_int_equal(window_parse("", &w), -1);
	assert_int_equal(window_parse("40", &w), -1);
	assert_int_equal(window_parse("40,", &w), -1);
	assert_int_equal(window_parse(",400", &w), -1);
	assert_int_equal(window_parse("40,400x", &w), -1);
	assert_int_equal(window_parse("40,0.5", &w), -1);
	assert_int_equal(window_parse("nan,400", &w), -1);
	assert_int_equal(window_parse("40,inf", &w), -1);
	assert_int_equal(window_parse("a,b", &w), -1);
	assert_int_equal(window_parse("-600,1500", &w), 0);
	assert_true(w.center == -600 && w.width == 1500);
	assert_int_equal(window_parse("40.5,1", &w), 0);
	assert_true(w.center == 40.5 && w.width == 1);
}

static void test_minmax(void **state)
{
	const double v[] = { 3, -5, 10 }, flat[] = { 7, 7 };
	struct window w;

	(void)state;
	window_minmax(v, 3, &w);
	assert_true(w.center == 3 && w.width == 16);
	assert_int_equal(window_linear(-5, &w, 0), 0);
	assert_int_equal(window_linear(10, &w, 0), 255);
	window_minmax(flat, 2, &w);
	assert_true(w.center == 7.5 && w.width == 1);
	assert_int_equal(window_linear(7, &w, 0), 0);
}

/* A 1x4 signed 16-bit CT frame: raw 0, 1024, 1064, 2047 with intercept
 * -1024, so values -1024, 0, 40, 1023; stored window 40/400. */
static const unsigned char ct_bytes[] = { 0, 0, 0x00, 0x04, 0x28, 0x04, 0xff, 0x07 };

static void ct_image(struct dicom_image *img)
{
	memset(img, 0, sizeof *img);
	img->rows = 1;
	img->columns = 4;
	img->samples_per_pixel = 1;
	img->bits_allocated = img->bits_stored = 16;
	img->high_bit = 15;
	img->pixel_representation = 1;
	img->frames = 1;
	img->rescale_slope = 1;
	img->rescale_intercept = -1024;
	img->has_window = 1;
	img->window_center = 40;
	img->window_width = 400;
	strcpy(img->photometric, "MONOCHROME2");
	img->has_pixels = 1;
	img->pixels = (unsigned char *)(uintptr_t)ct_bytes;
	img->pixel_len = sizeof ct_bytes;
}

static void expect(const struct window_image *out, unsigned char a, unsigned char b,
                   unsigned char c, unsigned char d)
{
	assert_int_equal(out->width, 4);
	assert_int_equal(out->height, 1);
	assert_int_equal(out->channels, 1);
	assert_int_equal(out->pixels[0], a);
	assert_int_equal(out->pixels[1], b);
	assert_int_equal(out->pixels[2], c);
	assert_int_equal(out->pixels[3], d);
}

static void test_render_gray(void **state)
{
	struct dicom_image img;
	struct window_image out;
	struct window brain = { 40, 80 };
	char err[256];

	(void)state;
	ct_image(&img);
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_int_equal(out.source, WINDOW_SOURCE_STORED);
	expect(&out, 0, 102, 127, 255);
	window_image_clear(&out);
	assert_null(out.pixels);

	assert_int_equal(window_render(&img, 0, &brain, &out, err, sizeof err), 0);
	assert_int_equal(out.source, WINDOW_SOURCE_GIVEN);
	expect(&out, 0, 0, 129, 255);
	window_image_clear(&out);

	/* No stored window: min-max is center 0, width 2048. */
	img.has_window = 0;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_int_equal(out.source, WINDOW_SOURCE_MINMAX);
	assert_true(out.window.center == 0 && out.window.width == 2048);
	expect(&out, 0, 127, 132, 255); /* 127.562, 132.545 */
	window_image_clear(&out);

	/* MONOCHROME1 inverts after windowing. */
	img.has_window = 1;
	strcpy(img.photometric, "MONOCHROME1");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	expect(&out, 255, 152, 127, 0);
	window_image_clear(&out);
	window_image_clear(NULL);
}

static void test_render_rgb(void **state)
{
	static const unsigned char rgb[] = { 1, 2, 3, 250, 251, 252 };
	static const unsigned char planar[] = { 1, 250, 2, 251, 3, 252 };
	struct dicom_image img;
	struct window_image out;
	char err[256];

	(void)state;
	memset(&img, 0, sizeof img);
	img.rows = 1;
	img.columns = 2;
	img.samples_per_pixel = 3;
	img.bits_allocated = img.bits_stored = 8;
	img.high_bit = 7;
	img.frames = 1;
	img.rescale_slope = 1;
	strcpy(img.photometric, "RGB");
	img.has_pixels = 1;
	img.pixels = (unsigned char *)(uintptr_t)rgb;
	img.pixel_len = sizeof rgb;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_int_equal(out.channels, 3);
	assert_int_equal(out.source, WINDOW_SOURCE_NONE);
	assert_memory_equal(out.pixels, rgb, 6);
	window_image_clear(&out);

	img.planar_configuration = 1;
	img.pixels = (unsigned char *)(uintptr_t)planar;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_memory_equal(out.pixels, rgb, 6);
	window_image_clear(&out);

	strcpy(img.photometric, "YBR_FULL");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_non_null(strstr(err, "YBR_FULL"));
	assert_null(out.pixels);
}

static void test_render_refused(void **state)
{
	struct dicom_image img;
	struct window_image out;
	char err[256];

	(void)state;
	ct_image(&img);
	assert_int_equal(window_render(&img, 1, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "frame 2 out of range: the file has 1");
	assert_null(out.pixels);

	strcpy(img.photometric, "PALETTE COLOR");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "photometric PALETTE COLOR: no preview yet");

	ct_image(&img);
	img.compression = "JPEG baseline";
	img.has_pixels = 0;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "compressed as JPEG baseline: no preview");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_edges),   cmocka_unit_test(test_presets),
		cmocka_unit_test(test_parse),          cmocka_unit_test(test_minmax),
		cmocka_unit_test(test_render_gray),    cmocka_unit_test(test_render_rgb),
		cmocka_unit_test(test_render_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
