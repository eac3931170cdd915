/* The LINEAR window function at its edges (values worked out by hand from
 * PS3.3 C.11.2.1.2.1), presets, "C,W" parsing, the min-max window, and how
 * a frame is windowed: given, stored, min-max, MONOCHROME1, RGB, YBR_FULL
 * and YBR_FULL_422 (by hand, then every Y/Cb/Cr against dcm2pnm),
 * PALETTE COLOR (8- and 16-bit tables, first mapped value, clamping, tables
 * that lie; by hand and against dcm2pnm), refusals. dcmtk missing is a
 * failure, never a skip. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "img/window.h"
#include "util/xmalloc.h"

#include "support.h"

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

	strcpy(img.photometric, "RGB");
	img.bits_allocated = img.bits_stored = 16;
	img.high_bit = 15;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "RGB with 16 bits allocated: no preview yet");
	assert_null(out.pixels);
}

/* YBR_FULL by dcmtk's table rounding, worked out by hand: (1,2,3): R
 * 1 + trunc(1.402*3 - 178.755) < 0, G 1 - trunc(0.6882) - trunc(2.1423 -
 * 134.9205) = 133, B < 0; (250,251,252): R > 255, G 250 - 86 - 45 = 119,
 * B > 255. YBR_FULL_422 rounds the whole sum once: G 118.598 -> 118. */
static void test_render_ybr(void **state)
{
	static const unsigned char ybr[] = { 1, 2, 3, 250, 251, 252 };
	static const unsigned char want[] = { 0, 133, 0, 255, 119, 255 };
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
	strcpy(img.photometric, "YBR_FULL");
	img.has_pixels = 1;
	img.pixels = (unsigned char *)(uintptr_t)ybr;
	img.pixel_len = sizeof ybr;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_int_equal(out.channels, 3);
	assert_int_equal(out.source, WINDOW_SOURCE_NONE);
	assert_memory_equal(out.pixels, want, 6);
	window_image_clear(&out);

	strcpy(img.pixel_colour, "YBR_FULL_422");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_int_equal(out.pixels[4], 118);
	assert_int_equal(out.pixels[1], 133);
	window_image_clear(&out);

	/* What libjpeg already converted is passed through. */
	strcpy(img.pixel_colour, "RGB");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_memory_equal(out.pixels, ybr, 6);
	window_image_clear(&out);
}

/* A 1x5 8-bit palette image: stored 0, 19, 20, 22, 255 with tables of 3
 * entries from 20: below the first and past the last clamp to the ends. */
static void test_render_palette(void **state)
{
	static const unsigned char px[] = { 0, 19, 20, 22, 255 };
	uint16_t red[3] = { 0x0100, 0x8000, 0xFF00 }, green[3] = { 1, 2, 3 },
	         blue[3] = { 0xFFFF, 0x00FF, 0x1234 };
	static const unsigned char want[] = { 1,    1,    0xFF, 1,    1,    0xFF, 1,   1,
		                              0xFF, 0xFF, 3,    0x12, 0xFF, 3,    0x12 };
	struct dicom_image img;
	struct window_image out;
	char err[256];

	(void)state;
	memset(&img, 0, sizeof img);
	img.rows = 1;
	img.columns = 5;
	img.samples_per_pixel = 1;
	img.bits_allocated = img.bits_stored = 8;
	img.high_bit = 7;
	img.frames = 1;
	img.rescale_slope = 1;
	strcpy(img.photometric, "PALETTE COLOR");
	img.has_pixels = 1;
	img.pixels = (unsigned char *)(uintptr_t)px;
	img.pixel_len = sizeof px;
	img.palette[0] = (struct dicom_lut){ 3, 20, 16, red };
	img.palette[1] = (struct dicom_lut){ 3, 20, 8, green };
	img.palette[2] = (struct dicom_lut){ 3, 20, 16, blue };
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), 0);
	assert_int_equal(out.channels, 3);
	assert_int_equal(out.source, WINDOW_SOURCE_NONE);
	assert_memory_equal(out.pixels, want, sizeof want);
	window_image_clear(&out);

	/* The reader's verdict on lying tables is passed on. */
	strcpy(img.lut_error, "palette red table has 2 words of data for 3 entries of 16 bits");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, img.lut_error);
	assert_null(out.pixels);
	img.lut_error[0] = '\0';
	img.palette[2].data = NULL;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "PALETTE COLOR without its lookup tables");
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
	assert_string_equal(err, "PALETTE COLOR without its lookup tables");
	strcpy(img.photometric, "HSV");
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "photometric HSV: no preview yet");

	ct_image(&img);
	img.compression = "JPEG baseline";
	img.has_pixels = 0;
	assert_int_equal(window_render(&img, 0, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "compressed as JPEG baseline: no preview");
}

/* ---- dcmtk as the oracle for colour ---- */

static char *scratch;

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

/* dump2dcm of header (a dump without pixel data) and the pixel bytes, as
 * OB; returns the DICOM file's path, new. */
static char *make_dcm(const char *name, const char *header, const unsigned char *px, size_t n)
{
	char *raw = test_temp_path(scratch, "pixels.raw"), *txt = test_temp_path(scratch, "x.dump");
	char *dcm = test_temp_path(scratch, name);
	char *dump = xasprintf("%s(7fe0,0010) OB =%s\n", header, raw);

	test_write_file(raw, px, n);
	test_write_file(txt, dump, strlen(dump));
	run("dump2dcm -q +E '%s' '%s'", txt, dcm);
	free(dump);
	free(txt);
	free(raw);
	return dcm;
}

/* window_render of frame 0 of path equals dcm2pnm's PPM byte for byte. */
static void same_as_dcm2pnm(const char *path)
{
	char *ppm = test_temp_path(scratch, "want.ppm"), err[256];
	struct dicom_image *img = dicom_read_file(path, err, sizeof err);
	struct window_image out;
	unsigned char *want;
	size_t n, len;
	FILE *f;

	if (img == NULL)
		fail_msg("%s", err);
	run("dcm2pnm -q '%s' '%s'", path, ppm);
	if (window_render(img, 0, NULL, &out, err, sizeof err) != 0)
		fail_msg("window_render %s: %s", path, err);
	n = (size_t)out.width * out.height * out.channels;
	f = fopen(ppm, "rb");
	assert_non_null(f);
	want = xmalloc(n + 64);
	len = fread(want, 1, n + 64, f);
	fclose(f);
	assert_true(len > n);
	assert_int_equal(out.channels, 3);
	for (size_t i = 0; i < n; i++) {
		if (out.pixels[i] != want[len - n + i])
			fail_msg("%s: byte %zu: ecii %u, dcm2pnm %u", path, i, out.pixels[i],
			         want[len - n + i]);
	}
	free(want);
	window_image_clear(&out);
	dicom_free(&img);
	free(ppm);
}

static const char colour_dump[] = "(0002,0010) UI =LittleEndianExplicit\n"
                                  "(0008,0016) UI =SecondaryCaptureImageStorage\n"
                                  "(0008,0018) UI [1.2.826.0.1.3680043.2.1143.91]\n"
                                  "(0028,0002) US 3\n"
                                  "(0028,0004) CS [%s]\n"
                                  "(0028,0006) US 0\n"
                                  "(0028,0010) US 256\n"
                                  "(0028,0011) US 256\n"
                                  "(0028,0100) US 8\n"
                                  "(0028,0101) US 8\n"
                                  "(0028,0102) US 7\n"
                                  "(0028,0103) US 0\n";

/* Every Cb/Cr pair once (Y sweeping), as YBR_FULL; and as YBR_FULL_422. */
static void test_dcmtk_ybr(void **state)
{
	size_t npix = 256 * 256;
	unsigned char *px = xmalloc(npix * 3);
	char head[1024], *path;

	(void)state;
	for (size_t i = 0; i < npix; i++) {
		px[3 * i] = (unsigned char)((i * 7 + i / 256) & 0xFF);
		px[3 * i + 1] = (unsigned char)(i >> 8);
		px[3 * i + 2] = (unsigned char)(i & 0xFF);
	}
	snprintf(head, sizeof head, colour_dump, "YBR_FULL");
	path = make_dcm("ybr.dcm", head, px, npix * 3);
	same_as_dcm2pnm(path);
	free(path);
	snprintf(head, sizeof head, colour_dump, "YBR_FULL_422");
	path = make_dcm("ybr422.dcm", head, px, npix * 2);
	same_as_dcm2pnm(path);
	free(path);
	free(px);
}

static const char palette_dump[] = "(0002,0010) UI =LittleEndianExplicit\n"
                                   "(0008,0016) UI =SecondaryCaptureImageStorage\n"
                                   "(0008,0018) UI [1.2.826.0.1.3680043.2.1143.92]\n"
                                   "(0028,0002) US 1\n"
                                   "(0028,0004) CS [PALETTE COLOR]\n"
                                   "(0028,0010) US 16\n"
                                   "(0028,0011) US 16\n"
                                   "(0028,0100) US 8\n"
                                   "(0028,0101) US 8\n"
                                   "(0028,0102) US 7\n"
                                   "(0028,0103) US 0\n"
                                   "(0028,1101) US 200\\20\\%u\n"
                                   "(0028,1102) US 200\\20\\%u\n"
                                   "(0028,1103) US 200\\20\\%u\n"
                                   "(0028,1201) OW %s\n"
                                   "(0028,1202) OW %s\n"
                                   "(0028,1203) OW %s\n";

/* Hex words of a 200-entry table: 16-bit values, or 8-bit values packed
 * two to a word (first in the low byte); new. */
static char *lut_words(unsigned bits, unsigned seed)
{
	char *s = xmalloc(200 * 5 + 1), *p = s;
	unsigned words = bits == 16 ? 200 : 100;

	for (unsigned i = 0; i < words; i++) {
		unsigned v;

		if (bits == 16)
			v = (i * seed * 331u + 7u) & 0xFFFF;
		else
			v = ((2 * i * seed + 1) & 0xFF) | (((2 * i + 1) * seed + 1) & 0xFF) << 8;
		p += sprintf(p, "%s%04x", i ? "\\" : "", v);
	}
	*p = '\0';
	return s;
}

/* Pixels 0..255 (below 20 and past 219 clamp), 16- and 8-bit tables. */
static void test_dcmtk_palette(void **state)
{
	unsigned char px[256];
	char head[8192], *path;

	(void)state;
	for (unsigned i = 0; i < 256; i++)
		px[i] = (unsigned char)i;
	for (unsigned bits = 8; bits <= 16; bits += 8) {
		char *r = lut_words(bits, 3), *g = lut_words(bits, 5), *b = lut_words(bits, 11);

		snprintf(head, sizeof head, palette_dump, bits, bits, bits, r, g, b);
		path = make_dcm(bits == 8 ? "pal8.dcm" : "pal16.dcm", head, px, sizeof px);
		same_as_dcm2pnm(path);
		free(path);
		free(r);
		free(g);
		free(b);
	}
}

static int setup(void **state)
{
	(void)state;
	if (system("{ command -v dump2dcm && command -v dcm2pnm; } >/dev/null 2>&1") != 0) {
		fprintf(stderr, "dcmtk is not installed (dump2dcm and dcm2pnm are the oracle for "
		                "colour): apt-get install dcmtk\n");
		return -1;
	}
	scratch = test_tmpdir("window");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear_edges),   cmocka_unit_test(test_presets),
		cmocka_unit_test(test_parse),          cmocka_unit_test(test_minmax),
		cmocka_unit_test(test_render_gray),    cmocka_unit_test(test_render_rgb),
		cmocka_unit_test(test_render_ybr),     cmocka_unit_test(test_render_palette),
		cmocka_unit_test(test_render_refused), cmocka_unit_test(test_dcmtk_ybr),
		cmocka_unit_test(test_dcmtk_palette),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
