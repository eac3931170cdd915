/* A loaded image (img/picture): degenerate input first (NULL, empty,
 * signatures alone, lying chunk lengths, bad CRCs, sizes over the limit or
 * beyond what the file can hold), then PNGs built here with zlib for every
 * colour type the previews convert (gray 1/8/16-bit, gray+alpha, RGBA,
 * palette with tRNS; alpha composited on black), then files dcmtk wrote
 * (an interlaced PNG, baseline JPEGs) compared with dcmtk's own decoding,
 * and DICOM passed through to dicom_read and window_render. dcmtk missing
 * is a failure, never a skip. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "img/picture.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put32be(struct bytes *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		               (unsigned char)(v >> 8), (unsigned char)v };
	put(b, x, 4);
}

static void chunk(struct bytes *b, const char *type, const void *data, uint32_t n)
{
	uLong crc = crc32(0, (const Bytef *)type, 4);

	if (n > 0)
		crc = crc32(crc, data, n);
	put32be(b, n);
	put(b, type, 4);
	if (n > 0)
		put(b, data, n);
	put32be(b, (uint32_t)crc);
}

/* A PNG: IHDR, the extra chunks (already framed), one IDAT of the rows
 * (each given without its filter byte, filter 0 added), IEND. */
static struct bytes png_make(uint32_t w, uint32_t h, unsigned depth, unsigned type,
                             const unsigned char *rows, size_t rowbytes, const struct bytes *extra)
{
	struct bytes b = { 0 };
	unsigned char ihdr[13];
	size_t rawlen = h * (rowbytes + 1);
	unsigned char *raw = xmalloc(rawlen + 1);
	uLongf zlen = compressBound(rawlen);
	unsigned char *z = xmalloc(zlen);

	for (uint32_t y = 0; y < h; y++) {
		raw[y * (rowbytes + 1)] = 0;
		memcpy(raw + y * (rowbytes + 1) + 1, rows + y * rowbytes, rowbytes);
	}
	assert_int_equal(compress(z, &zlen, raw, rawlen), Z_OK);
	put(&b, "\x89PNG\r\n\x1a\n", 8);
	for (int i = 0; i < 4; i++) {
		ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
		ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	ihdr[8] = (unsigned char)depth;
	ihdr[9] = (unsigned char)type;
	ihdr[10] = ihdr[11] = ihdr[12] = 0;
	chunk(&b, "IHDR", ihdr, 13);
	if (extra != NULL)
		put(&b, extra->p, extra->len);
	chunk(&b, "IDAT", z, (uint32_t)zlen);
	chunk(&b, "IEND", NULL, 0);
	free(z);
	free(raw);
	return b;
}

/* Reads b, renders frame 0; returns the pixels (new) and checks the shape. */
static unsigned char *render(const struct bytes *b, unsigned w, unsigned h, unsigned channels)
{
	char err[256];
	struct picture *p = picture_read(b->p, b->len, err, sizeof err);
	struct window_image out;
	unsigned char *px;

	if (p == NULL)
		fail_msg("picture_read: %s", err);
	assert_string_equal(picture_format(p), "PNG");
	assert_null(picture_dicom(p));
	assert_null(picture_no_preview(p));
	assert_int_equal(picture_frames(p), 1);
	assert_int_equal(picture_width(p), w);
	assert_int_equal(picture_height(p), h);
	if (picture_render(p, 0, NULL, &out, err, sizeof err) != 0)
		fail_msg("picture_render: %s", err);
	assert_int_equal(out.width, w);
	assert_int_equal(out.height, h);
	assert_int_equal(out.channels, channels);
	assert_int_equal(out.source, WINDOW_SOURCE_NONE);
	px = out.pixels;
	out.pixels = NULL;
	picture_free(&p);
	assert_null(p);
	return px;
}

static void read_fails(const void *data, size_t len, const char *want)
{
	char err[256] = "";
	struct picture *p = picture_read(data, len, err, sizeof err);

	if (p != NULL) {
		picture_free(&p);
		fail_msg("read %zu bytes, expected an error with \"%s\"", len, want);
	}
	if (strstr(err, want) == NULL || strchr(err, '\n') != NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void test_degenerate(void **state)
{
	const unsigned char gray[4] = { 1, 2, 3, 4 };
	struct bytes b;

	(void)state;
	picture_free(NULL);
	read_fails(NULL, 0, "empty file");
	read_fails("", 0, "empty file");
	read_fails("hello", 5, "at byte 0");
	read_fails("\x89PNG\r\n\x1a\n", 8, "PNG: cut short at byte 8, before IEND");
	read_fails("\xff\xd8\xff", 3, "JPEG: no start of image marker");
	read_fails("\xff\xd8\xff\xe0\x00\x10JFIF", 10, "JPEG: ");

	b = png_make(2, 2, 8, 0, gray, 2, NULL);
	/* Cut anywhere: one line, never a crash. */
	for (size_t n = 8; n < b.len; n++)
		read_fails(b.p, n, "PNG: ");
	/* A chunk length that lies. */
	b.p[33 + 0] = 0x7f;
	read_fails(b.p, b.len, "PNG: chunk IDAT of 21");
	b.p[33 + 0] = 0;
	/* A bad CRC (IHDR's last byte). */
	b.p[32] ^= 1;
	read_fails(b.p, b.len, "PNG: IHDR: CRC error");
	free(b.p);

	/* Over DICOM_MAX_DIM, and more than the file could hold. */
	b = png_make(DICOM_MAX_DIM + 1, 1, 8, 0, gray, 0, NULL);
	read_fails(b.p, b.len, "PNG: ");
	free(b.p);
	{
		unsigned char *rows = xcalloc(4000, 4000);

		b = png_make(4000, 4000, 8, 0, rows, 4000, NULL);
		free(rows);
		/* Declare 16000 rows: the zeros would inflate to 64 MB. */
		b.p[16 + 4 + 2] = 0x3E;
		b.p[16 + 4 + 3] = 0x80;
		{
			uLong crc = crc32(0, b.p + 12, 17);
			b.p[29] = (unsigned char)(crc >> 24);
			b.p[30] = (unsigned char)(crc >> 16);
			b.p[31] = (unsigned char)(crc >> 8);
			b.p[32] = (unsigned char)crc;
		}
		read_fails(b.p, b.len, "image size cannot come from a file this short");
		free(b.p);
	}
}

static void test_png_colour_types(void **state)
{
	const unsigned char g8[6] = { 0, 1, 127, 128, 254, 255 };
	const unsigned char g16[6] = { 0, 0, 0x80, 0x80, 0xFF, 0xFF };
	const unsigned char g1[2] = { 0xA0, 0x40 }; /* 1 0 1 / 0 1 0 */
	const unsigned char rgba[12] = { 200, 100, 50, 255, 200, 100, 50, 128, 200, 100, 50, 0 };
	const unsigned char ga16[8] = { 0xFF, 0xFF, 0x80, 0x00, 0x40, 0x00, 0xFF, 0xFF };
	const unsigned char pal[9] = { 10, 20, 30, 200, 100, 0, 1, 2, 3 };
	const unsigned char idx[1] = { 0x18 }; /* 2-bit: 0, 1, 2 (and padding) */
	struct bytes extra = { 0 }, b;
	unsigned char *px;

	(void)state;
	b = png_make(3, 2, 8, 0, g8, 3, NULL);
	px = render(&b, 3, 2, 1);
	assert_memory_equal(px, g8, 6);
	free(px);
	free(b.p);

	b = png_make(3, 1, 16, 0, g16, 6, NULL);
	px = render(&b, 3, 1, 1);
	assert_int_equal(px[0], 0);
	assert_int_equal(px[1], 128); /* 0x8080 = 128 x 257 */
	assert_int_equal(px[2], 255);
	free(px);
	free(b.p);

	b = png_make(3, 2, 1, 0, g1, 1, NULL);
	px = render(&b, 3, 2, 1);
	assert_int_equal(px[0], 255);
	assert_int_equal(px[1], 0);
	assert_int_equal(px[2], 255);
	assert_int_equal(px[3], 0);
	assert_int_equal(px[4], 255);
	free(px);
	free(b.p);

	/* Alpha on black: opaque kept, half (128) rounds c x 128 / 255, clear
	 * is black. */
	b = png_make(3, 1, 8, 6, rgba, 12, NULL);
	px = render(&b, 3, 1, 3);
	assert_int_equal(px[0], 200);
	assert_int_equal(px[2], 50);
	assert_int_equal(px[3], 100); /* 200 x 128 / 255 = 100.4 */
	assert_int_equal(px[4], 50);  /* 50.2 */
	assert_int_equal(px[5], 25);  /* 25.1 */
	assert_int_equal(px[6], 0);
	assert_int_equal(px[8], 0);
	free(px);
	free(b.p);

	/* 16-bit gray + alpha: (65535, 0x8000) and (0x4000, 65535). */
	b = png_make(2, 1, 16, 4, ga16, 8, NULL);
	px = render(&b, 2, 1, 1);
	assert_int_equal(px[0], 128);
	assert_int_equal(px[1], 64);
	free(px);
	free(b.p);

	/* Palette, 2-bit, entry 1 half transparent by tRNS. */
	chunk(&extra, "PLTE", pal, 9);
	chunk(&extra, "tRNS", "\xff\x80", 2);
	b = png_make(3, 1, 2, 3, idx, 1, &extra);
	px = render(&b, 3, 1, 3);
	assert_int_equal(px[0], 10);
	assert_int_equal(px[2], 30);
	assert_int_equal(px[3], 100); /* 200 x 128 / 255 */
	assert_int_equal(px[4], 50);
	assert_int_equal(px[5], 0);
	assert_int_equal(px[6], 1);
	assert_int_equal(px[8], 3);
	free(px);
	free(b.p);
	free(extra.p);
}

/* ---- dcmtk as the oracle ---- */

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

/* The last n bytes of the file at path (a binary PGM/PPM's pixels). */
static unsigned char *tail_bytes(const char *path, size_t n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = xmalloc(n);

	if (f == NULL || fseek(f, -(long)n, SEEK_END) != 0 || fread(p, 1, n, f) != n)
		fail_msg("cannot read %zu bytes from %s", n, path);
	fclose(f);
	return p;
}

/* picture_read_file(path) renders to the pixels of the PNM want. */
static void file_equals(const char *path, const char *format, const char *want, unsigned w,
                        unsigned h, unsigned channels)
{
	char err[256];
	struct picture *p = picture_read_file(path, err, sizeof err);
	struct window_image out;
	unsigned char *px;
	size_t n = (size_t)w * h * channels;

	if (p == NULL)
		fail_msg("%s", err);
	assert_string_equal(picture_format(p), format);
	if (picture_render(p, 0, NULL, &out, err, sizeof err) != 0)
		fail_msg("%s: %s", path, err);
	assert_int_equal(out.width, w);
	assert_int_equal(out.height, h);
	assert_int_equal(out.channels, channels);
	px = tail_bytes(want, n);
	assert_memory_equal(out.pixels, px, n);
	free(px);
	window_image_clear(&out);
	assert_int_equal(picture_render(p, 1, NULL, &out, err, sizeof err), -1);
	assert_string_equal(err, "frame 2 out of range: the file has 1");
	assert_null(out.pixels);
	picture_free(&p);
}

static const char rgb_dump[] = "(0002,0010) UI =LittleEndianExplicit\n"
                               "(0008,0016) UI =SecondaryCaptureImageStorage\n"
                               "(0008,0018) UI [1.2.826.0.1.3680043.2.1143.93]\n"
                               "(0028,0002) US 3\n"
                               "(0028,0004) CS [RGB]\n"
                               "(0028,0006) US 0\n"
                               "(0028,0010) US 24\n"
                               "(0028,0011) US 40\n"
                               "(0028,0100) US 8\n"
                               "(0028,0101) US 8\n"
                               "(0028,0102) US 7\n"
                               "(0028,0103) US 0\n"
                               "(7fe0,0010) OB =";

static void test_dcmtk_files(void **state)
{
	char *raw = test_temp_path(scratch, "rgb.raw"), *txt = test_temp_path(scratch, "rgb.dump");
	char *dcm = test_temp_path(scratch, "rgb.dcm"), *png = test_temp_path(scratch, "rgb.png");
	char *ppm = test_temp_path(scratch, "rgb.ppm"), *jpg = test_temp_path(scratch, "rgb.jpg");
	char *jdcm = test_temp_path(scratch, "rgbj.dcm"), *jppm = test_temp_path(scratch, "j.ppm");
	char *gjpg = test_temp_path(scratch, "g.jpg"), *gdcm = test_temp_path(scratch, "gj.dcm");
	char *gpgm = test_temp_path(scratch, "g.pgm"), *dump, err[256];
	unsigned char px[24 * 40 * 3];
	struct picture *p;

	(void)state;
	if (system("{ command -v dump2dcm && command -v dcm2pnm && command -v dcmj2pnm && "
	           "command -v img2dcm; } >/dev/null 2>&1") != 0)
		fail_msg("dcmtk is not installed (dump2dcm, dcm2pnm, dcmj2pnm, img2dcm are the "
		         "oracle): apt-get install dcmtk");
	for (size_t i = 0; i < sizeof px; i++)
		px[i] = (unsigned char)((i * 7 + i / 120 * 13) & 0xFF);
	test_write_file(raw, px, sizeof px);
	dump = xasprintf("%s%s\n", rgb_dump, raw);
	test_write_file(txt, dump, strlen(dump));
	run("dump2dcm -q +E '%s' '%s' && dcm2pnm -q '%s' '%s' && dcmj2pnm -q +on '%s' '%s'", txt,
	    dcm, dcm, ppm, dcm, png);
	/* dcmtk's PNG (interlaced) gives dcm2pnm's pixels. */
	file_equals(png, "PNG", ppm, 40, 24, 3);
	/* Its JPEGs (RGB, and gray from the same file) decode as dcmj2pnm
	 * decodes img2dcm's DICOM of them. */
	run("dcmj2pnm -q +oj '%s' '%s' && img2dcm -q '%s' '%s' && dcmj2pnm -q '%s' '%s'", dcm, jpg,
	    jpg, jdcm, jdcm, jppm);
	file_equals(jpg, "JPEG", jppm, 40, 24, 3);
	run("dcmj2pnm -q +oj +G '%s' '%s' && img2dcm -q '%s' '%s' && dcmj2pnm -q '%s' '%s'", dcm,
	    gjpg, gjpg, gdcm, gdcm, gpgm);
	file_equals(gjpg, "JPEG", gpgm, 40, 24, 1);
	/* DICOM through picture: the image is there, and renders. */
	file_equals(jdcm, "DICOM", jppm, 40, 24, 3);
	p = picture_read_file(jdcm, err, sizeof err);
	assert_non_null(p);
	assert_non_null(picture_dicom(p));
	assert_string_equal(picture_dicom(p)->compression, "JPEG baseline");
	assert_int_equal(picture_frames(p), 1);
	assert_int_equal(picture_width(p), 40);
	assert_int_equal(picture_height(p), 24);
	picture_free(&p);

	free(dump);
	free(gpgm);
	free(gdcm);
	free(gjpg);
	free(jppm);
	free(jdcm);
	free(jpg);
	free(ppm);
	free(png);
	free(dcm);
	free(txt);
	free(raw);
}

static void test_read_file_errors(void **state)
{
	char err[256];
	char *path = test_temp_path(scratch, "missing.png");

	(void)state;
	assert_null(picture_read_file(scratch, err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
	assert_null(picture_read_file(path, err, sizeof err));
	assert_non_null(strstr(err, "missing.png: No such file"));
	test_write_file(path, "\x89PNG\r\n\x1a\n", 8);
	assert_null(picture_read_file(path, err, sizeof err));
	assert_non_null(strstr(err, "missing.png: PNG: cut short"));
	free(path);
}

static int setup(void **state)
{
	(void)state;
	scratch = test_tmpdir("picture");
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
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_png_colour_types),
		cmocka_unit_test(test_read_file_errors),
		cmocka_unit_test(test_dcmtk_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
