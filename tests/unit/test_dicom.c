/* The DICOM preview reader (img/dicom and its decoders img/dicom_*.c):
 * degenerate input first (NULL, empty, "DICM" alone, a small valid file cut
 * at every byte, absurd dimensions, lengths that lie, bad and unknown VRs,
 * deep nesting, compressed pixel data; RLE frames built by hand with every
 * packet kind and the lies: segment counts and offsets out of range, runs
 * past the plane, data cut short, fragment counts; native YBR_FULL_422 and
 * palette tables whose data does not match the descriptor), JPEG streams
 * dcmtk wrote wrapped in every fragment layout (offset table, one fragment
 * per frame, frames over several fragments split at SOI) and the lies
 * (tables pointing inside a fragment, fragment counts, truncation, a size
 * that disagrees, corrupt entropy data, 12-bit samples), hand-built
 * datasets for what dcmtk cannot write from a dump (1-bit and 32-bit
 * pixels, planar colour, nested sequences of undefined length), then files
 * made at test time with dcmtk as an independent oracle: dump2dcm from a
 * text dump, dcmconv into implicit LE, explicit LE, explicit BE and
 * deflated, dcmodify for MONOCHROME1, dcmcrle for RLE; every pixel ecii
 * reads is compared with dcmdump's values and with dcm2pnm's unwindowed
 * PGM, which for full-range 8- and 16-bit images is exact. dcmtk missing
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

#include "img/dicom.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

/* A growing byte buffer for hand-built datasets (explicit VR LE). */
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

static void put16(struct bytes *b, unsigned v)
{
	unsigned char x[2] = { (unsigned char)(v & 0xff), (unsigned char)(v >> 8) };
	put(b, x, 2);
}

static void put32(struct bytes *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

static int is_long_vr(const char *vr)
{
	return strstr("OB OD OF OL OV OW SQ SV UC UN UR UT UV", vr) != NULL;
}

/* One explicit VR LE element; len UINT32_MAX writes an undefined length
 * and no value. */
static void el(struct bytes *b, unsigned g, unsigned e, const char *vr, const void *v, uint32_t len)
{
	put16(b, g);
	put16(b, e);
	put(b, vr, 2);
	if (is_long_vr(vr)) {
		put16(b, 0);
		put32(b, len);
	} else {
		put16(b, len);
	}
	if (len != UINT32_MAX && v != NULL)
		put(b, v, len);
}

static void el_us(struct bytes *b, unsigned g, unsigned e, unsigned v)
{
	unsigned char x[2] = { (unsigned char)(v & 0xff), (unsigned char)(v >> 8) };
	el(b, g, e, "US", x, 2);
}

static void el_str(struct bytes *b, unsigned g, unsigned e, const char *vr, const char *s)
{
	el(b, g, e, vr, s, (uint32_t)strlen(s));
}

static void item_tag(struct bytes *b, unsigned e, uint32_t len)
{
	put16(b, 0xFFFE);
	put16(b, e);
	put32(b, len);
}

/* The image pixel module for a monochrome image. */
static void pixel_module(struct bytes *b, unsigned rows, unsigned cols, unsigned bits,
                         unsigned stored, unsigned pr)
{
	el_us(b, 0x0028, 0x0002, 1);
	el_str(b, 0x0028, 0x0004, "CS", "MONOCHROME2 ");
	el_us(b, 0x0028, 0x0010, rows);
	el_us(b, 0x0028, 0x0011, cols);
	el_us(b, 0x0028, 0x0100, bits);
	el_us(b, 0x0028, 0x0101, stored);
	el_us(b, 0x0028, 0x0102, stored - 1);
	el_us(b, 0x0028, 0x0103, pr);
}

/* The image pixel module with samples and photometric (even length) given. */
static void colour_module(struct bytes *b, unsigned rows, unsigned cols, unsigned bits, unsigned pr,
                          unsigned spp, const char *photometric)
{
	el_us(b, 0x0028, 0x0002, spp);
	el_str(b, 0x0028, 0x0004, "CS", photometric);
	el_us(b, 0x0028, 0x0010, rows);
	el_us(b, 0x0028, 0x0011, cols);
	el_us(b, 0x0028, 0x0100, bits);
	el_us(b, 0x0028, 0x0101, bits);
	el_us(b, 0x0028, 0x0102, bits - 1);
	el_us(b, 0x0028, 0x0103, pr);
}

/* Preamble, "DICM" and a file meta group naming ts. */
static void part10(struct bytes *b, const char *ts)
{
	unsigned char pre[128] = { 0 };
	char uid[66];
	size_t n = strlen(ts);

	memcpy(uid, ts, n);
	if (n % 2 == 1)
		uid[n++] = '\0';
	put(b, pre, sizeof pre);
	put(b, "DICM", 4);
	el(b, 0x0002, 0x0010, "UI", uid, (uint32_t)n);
}

/* A 2x3 16-bit unsigned explicit LE Part 10 file with a sequence. */
static struct bytes small_file(void)
{
	struct bytes b = { 0 };
	const unsigned char px[12] = { 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0xff, 0xff };

	part10(&b, "1.2.840.10008.1.2.1");
	el_str(&b, 0x0008, 0x0060, "CS", "CT");
	el(&b, 0x0008, 0x1140, "SQ", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, UINT32_MAX);
	el_str(&b, 0x0008, 0x1150, "UI", "1.2.3.4 ");
	item_tag(&b, 0xE00D, 0);
	item_tag(&b, 0xE0DD, 0);
	pixel_module(&b, 2, 3, 16, 16, 0);
	el(&b, 0x7FE0, 0x0010, "OW", px, sizeof px);
	return b;
}

static struct dicom_image *read_ok(const struct bytes *b)
{
	char err[256];
	struct dicom_image *img = dicom_read(b->p, b->len, err, sizeof err);

	if (img == NULL)
		fail_msg("dicom_read: %s", err);
	return img;
}

/* Reads b, which must fail with a one-line message containing want. */
static void read_fails(const void *data, size_t len, const char *want)
{
	char err[256] = "";
	struct dicom_image *img = dicom_read(data, len, err, sizeof err);

	if (img != NULL) {
		dicom_free(&img);
		fail_msg("read %zu bytes, expected an error with \"%s\"", len, want);
	}
	if (strstr(err, want) == NULL || strchr(err, '\n') != NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void test_empty(void **state)
{
	char err[128];

	(void)state;
	assert_null(dicom_read(NULL, 0, err, sizeof err));
	assert_string_equal(err, "at byte 0: empty file");
	read_fails("", 0, "empty file");
	read_fails("DICM", 4, "at byte 0: element header cut short");
	assert_null(dicom_read("DICM", 4, NULL, 0));
	dicom_free(NULL);
}

static void test_truncated_everywhere(void **state)
{
	struct bytes b = small_file();
	struct dicom_image *img = read_ok(&b);
	int64_t raw[6];

	(void)state;
	assert_true(img->has_pixels);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 6, NULL, 0), 0);
	assert_int_equal(raw[0], 1);
	assert_int_equal(raw[5], 65535);
	assert_string_equal(img->modality, "CT");
	dicom_free(&img);
	assert_null(img);
	/* Every prefix either fails with one line, or (cut between elements
	 * before the pixel data) reads without pixels. */
	for (size_t n = 0; n < b.len; n++) {
		char err[256] = "";
		unsigned char *copy = xmalloc(n + 1);

		memcpy(copy, b.p, n);
		img = dicom_read(copy, n, err, sizeof err);
		if (img != NULL) {
			if (img->has_pixels)
				fail_msg("prefix of %zu bytes has pixels", n);
			dicom_free(&img);
		} else if (err[0] == '\0' || strchr(err, '\n') != NULL ||
		           strstr(err, "at byte ") == NULL) {
			fail_msg("prefix of %zu bytes: bad error \"%s\"", n, err);
		}
		free(copy);
	}
	free(b.p);
}

static void test_pixel_data_short(void **state)
{
	struct bytes b = { 0 };
	unsigned char px[10] = { 0 };
	char want[128];
	size_t at;

	(void)state;
	part10(&b, "1.2.840.10008.1.2.1");
	pixel_module(&b, 2, 3, 16, 16, 0);
	at = b.len;
	el(&b, 0x7FE0, 0x0010, "OW", px, sizeof px);
	snprintf(
	    want, sizeof want,
	    "(7FE0,0010) at byte %zu: pixel data shorter than rows x columns x frames (10 < 12)",
	    at);
	read_fails(b.p, b.len, want);
	free(b.p);
}

static void test_absurd_dimensions(void **state)
{
	struct bytes b = { 0 };
	unsigned char px[8] = { 0 };

	(void)state;
	pixel_module(&b, 65535, 2, 8, 8, 0);
	el(&b, 0x7FE0, 0x0010, "OB", px, sizeof px);
	read_fails(b.p, b.len, "rows x columns 65535x2 outside 1..16384");
	free(b.p);

	memset(&b, 0, sizeof b);
	pixel_module(&b, 16384, 16384, 16, 16, 0);
	el_str(&b, 0x0028, 0x0008, "IS", "4096");
	el(&b, 0x7FE0, 0x0010, "OW", px, sizeof px);
	read_fails(b.p, b.len, "over the limit of 536870912");
	free(b.p);

	memset(&b, 0, sizeof b);
	el_str(&b, 0x0028, 0x0008, "IS", "5000");
	read_fails(b.p, b.len, "(0028,0008) at byte 0: number of frames");
	free(b.p);

	memset(&b, 0, sizeof b);
	pixel_module(&b, 2, 2, 12, 12, 0);
	el(&b, 0x7FE0, 0x0010, "OW", px, sizeof px);
	read_fails(b.p, b.len, "bits allocated 12 is not 1, 8, 16 or 32");
	free(b.p);

	memset(&b, 0, sizeof b);
	pixel_module(&b, 2, 2, 8, 8, 0);
	el_us(&b, 0x0028, 0x0101, 9);
	el(&b, 0x7FE0, 0x0010, "OB", px, sizeof px);
	read_fails(b.p, b.len, "bits stored 9 over bits allocated 8");
	free(b.p);
}

static void test_lengths_that_lie(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	el_str(&b, 0x0008, 0x0060, "CS", "CT");
	el_us(&b, 0x0028, 0x0010, 2);
	b.p[6] = 0x40; /* CS length 2 -> 64 */
	read_fails(b.p, b.len, "(0008,0060) at byte 0: length 64 exceeds the 12 bytes left");
	free(b.p);

	memset(&b, 0, sizeof b);
	el(&b, 0x7FE0, 0x0010, "OW", NULL, 0x7FFFFFF0);
	read_fails(b.p, b.len, "(7FE0,0010) at byte 0: length 2147483632 exceeds the 0 bytes left");
	free(b.p);

	/* A sequence item longer than its sequence. */
	memset(&b, 0, sizeof b);
	el(&b, 0x0008, 0x1140, "SQ", NULL, 8);
	item_tag(&b, 0xE000, 100);
	read_fails(b.p, b.len, "(FFFE,E000) at byte 12: item length 100 exceeds the 0 bytes left");
	free(b.p);

	/* A US value of one byte (an odd length). */
	memset(&b, 0, sizeof b);
	el(&b, 0x0028, 0x0010, "US", "\x01", 1);
	read_fails(b.p, b.len, "(0028,0010) at byte 0: US value of 1 bytes");
	free(b.p);

	/* Odd lengths elsewhere are tolerated. */
	memset(&b, 0, sizeof b);
	el(&b, 0x0008, 0x0060, "CS", "MR ", 3);
	el_str(&b, 0x0018, 0x0015, "CS", "HEAD");
	{
		struct dicom_image *img = read_ok(&b);
		assert_string_equal(img->modality, "MR");
		assert_string_equal(img->body_part, "HEAD");
		assert_string_equal(dicom_no_preview(img), "no pixel data");
		dicom_free(&img);
	}
	free(b.p);
}

static void test_bad_vr(void **state)
{
	struct bytes b = { 0 };

	(void)state;
	el_str(&b, 0x0008, 0x0060, "CS", "CT");
	el_str(&b, 0x0008, 0x0070, "LO", "ACME");
	b.p[14] = 0x01;
	b.p[15] = 0x02;
	read_fails(b.p, b.len, "(0008,0070) at byte 10: bad VR bytes 0x01 0x02");
	b.p[14] = 'Q';
	b.p[15] = 'Q';
	read_fails(b.p, b.len, "(0008,0070) at byte 10: unknown VR \"QQ\"");
	free(b.p);
}

static void test_nesting(void **state)
{
	struct bytes b = { 0 };
	struct dicom_image *img;

	(void)state;
	/* 16 levels read, 17 are refused. */
	for (int d = 0; d < 16; d++) {
		el(&b, 0x0040, 0xA730, "SQ", NULL, UINT32_MAX);
		item_tag(&b, 0xE000, UINT32_MAX);
	}
	el_str(&b, 0x0040, 0xA160, "UT", "deep");
	for (int d = 0; d < 16; d++) {
		item_tag(&b, 0xE00D, 0);
		item_tag(&b, 0xE0DD, 0);
	}
	el_str(&b, 0x0008, 0x0060, "CS", "SR");
	img = read_ok(&b);
	assert_string_equal(img->modality, "SR");
	dicom_free(&img);
	free(b.p);

	memset(&b, 0, sizeof b);
	for (int d = 0; d < 17; d++) {
		el(&b, 0x0040, 0xA730, "SQ", NULL, UINT32_MAX);
		item_tag(&b, 0xE000, UINT32_MAX);
	}
	read_fails(b.p, b.len, "sequences nested deeper than 16");
	free(b.p);

	/* A sequence that never ends. */
	memset(&b, 0, sizeof b);
	el(&b, 0x0040, 0xA730, "SQ", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, UINT32_MAX);
	read_fails(b.p, b.len, "at byte 20: element header cut short");
	free(b.p);

	/* Something else than an item in a sequence. */
	memset(&b, 0, sizeof b);
	el(&b, 0x0040, 0xA730, "SQ", NULL, UINT32_MAX);
	el_str(&b, 0x0008, 0x0060, "CS", "SR");
	read_fails(b.p, b.len, "expected an item in sequence (0040,A730)");
	free(b.p);
}

static void test_compressed(void **state)
{
	struct bytes b = { 0 };
	struct dicom_image *img;
	char err[128];
	int64_t raw[4];

	(void)state;
	part10(&b, "1.2.840.10008.1.2.4.80");
	pixel_module(&b, 2, 2, 8, 8, 0);
	el(&b, 0x7FE0, 0x0010, "OB", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, 0);
	item_tag(&b, 0xE000, 4);
	put(&b, "\xff\xd8\xff\xd9", 4);
	item_tag(&b, 0xE0DD, 0);
	img = read_ok(&b);
	assert_string_equal(img->compression, "JPEG-LS lossless");
	assert_false(img->has_pixels);
	assert_string_equal(dicom_no_preview(img), "compressed as JPEG-LS lossless: no preview");
	assert_int_equal(dicom_frame_raw(img, 0, raw, 4, err, sizeof err), -1);
	assert_string_equal(err, "compressed as JPEG-LS lossless: no preview");
	assert_int_equal(img->rows, 2);
	dicom_free(&img);
	/* The same bytes as JPEG baseline are decoded, and fail in one line;
	 * the header still reads. */
	memcpy(b.p + 128 + 4 + 8 + 20, "50", 2);
	img = read_ok(&b);
	assert_string_equal(img->compression, "JPEG baseline");
	assert_false(img->has_pixels);
	assert_non_null(strstr(dicom_no_preview(img), "(7FE0,0010) at byte "));
	assert_non_null(strstr(dicom_no_preview(img), ": JPEG: "));
	assert_null(strchr(dicom_no_preview(img), '\n'));
	assert_int_equal(dicom_frame_raw(img, 0, raw, 4, err, sizeof err), -1);
	dicom_free(&img);
	/* A fragment that runs past the end. */
	b.p[b.len - 8 - 4 - 4] = 0x40;
	read_fails(b.p, b.len, "fragment length 64 exceeds");
	free(b.p);

	memset(&b, 0, sizeof b);
	part10(&b, "1.2.840.10008.1.2.5");
	pixel_module(&b, 2, 2, 8, 8, 0);
	el(&b, 0x7FE0, 0x0010, "OB", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, 0);
	item_tag(&b, 0xE0DD, 0);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "encapsulated pixel data without fragments"));
	dicom_free(&img);
	free(b.p);

	/* Encapsulated pixel data in an icon image sequence of a native
	 * image is skipped; the top-level pixels read. */
	memset(&b, 0, sizeof b);
	part10(&b, "1.2.840.10008.1.2.1");
	el(&b, 0x0088, 0x0200, "SQ", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, UINT32_MAX);
	el(&b, 0x7FE0, 0x0010, "OB", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, 0);
	item_tag(&b, 0xE000, 2);
	put(&b, "\x01\x02", 2);
	item_tag(&b, 0xE0DD, 0);
	item_tag(&b, 0xE00D, 0);
	item_tag(&b, 0xE0DD, 0);
	pixel_module(&b, 1, 2, 8, 8, 0);
	el(&b, 0x7FE0, 0x0010, "OB", "\x07\x09", 2);
	img = read_ok(&b);
	assert_null(dicom_no_preview(img));
	assert_int_equal(dicom_frame_raw(img, 0, raw, 2, NULL, 0), 0);
	assert_int_equal(raw[0], 7);
	assert_int_equal(raw[1], 9);
	dicom_free(&img);
	free(b.p);
}

/* An RLE header: n segments at the given offsets. */
static void rle_header(struct bytes *b, unsigned n, const uint32_t *offsets)
{
	put32(b, n);
	for (unsigned i = 0; i < 15; i++)
		put32(b, i < n ? offsets[i] : 0);
}

/* A Part 10 RLE file around one fragment per frame (frag, len each). */
static struct bytes rle_file(unsigned rows, unsigned cols, unsigned spp, unsigned bits, unsigned pr,
                             unsigned frames, const struct bytes *frags, unsigned nfrags)
{
	struct bytes b = { 0 };
	char nf[8];

	part10(&b, "1.2.840.10008.1.2.5");
	snprintf(nf, sizeof nf, "%u ", frames);
	el_str(&b, 0x0028, 0x0008, "IS", nf);
	colour_module(&b, rows, cols, bits, pr, spp, spp == 3 ? "RGB " : "MONOCHROME2 ");
	el(&b, 0x7FE0, 0x0010, "OB", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, 0);
	for (unsigned i = 0; i < nfrags; i++) {
		item_tag(&b, 0xE000, (uint32_t)frags[i].len);
		put(&b, frags[i].p, frags[i].len);
	}
	item_tag(&b, 0xE0DD, 0);
	return b;
}

static void test_rle(void **state)
{
	const uint32_t off1[] = { 64 }, off2[] = { 64, 68 }, off3[] = { 64, 66, 68 };
	struct bytes f = { 0 }, b;
	struct dicom_image *img;
	int64_t raw[6];

	(void)state;
	/* 2x3 8-bit: a literal run of 2, a repeat of 3 (-2), a no-op (-128),
	 * a literal of 1. */
	rle_header(&f, 1, off1);
	put(&f, "\x01\x0a\x0b\xfe\x07\x80\x00\x63", 8);
	b = rle_file(2, 3, 1, 8, 0, 1, &f, 1);
	img = read_ok(&b);
	assert_null(dicom_no_preview(img));
	assert_int_equal(dicom_frame_raw(img, 0, raw, 6, NULL, 0), 0);
	assert_int_equal(raw[0], 10);
	assert_int_equal(raw[1], 11);
	assert_int_equal(raw[2], 7);
	assert_int_equal(raw[4], 7);
	assert_int_equal(raw[5], 0x63);
	assert_string_equal(img->compression, "RLE");
	dicom_free(&img);
	free(b.p);

	/* Data cut short: the segment gives 5 of 6 bytes. */
	f.len -= 2;
	b = rle_file(2, 3, 1, 8, 0, 1, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "RLE segment 1 gives 5 of 6 bytes"));
	dicom_free(&img);
	free(b.p);
	/* A run past the plane. */
	f.len -= 2;
	put(&f, "\xf0\x01", 2);
	b = rle_file(2, 3, 1, 8, 0, 1, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "RLE segment 1 gives 5 of 6"));
	dicom_free(&img);
	free(b.p);
	free(f.p);

	/* 1x2 signed 16-bit: high bytes, then low bytes: -2, 0x0102. */
	memset(&f, 0, sizeof f);
	rle_header(&f, 2, off2);
	put(&f, "\x01\xff\x01", 3);
	put(&f, "\x00", 1);
	put(&f, "\x01\xfe\x02", 3);
	b = rle_file(1, 2, 1, 16, 1, 1, &f, 1);
	img = read_ok(&b);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 2, NULL, 0), 0);
	assert_int_equal(raw[0], -2);
	assert_int_equal(raw[1], 0x0102);
	dicom_free(&img);
	free(b.p);
	/* Segment offsets out of range or out of order. */
	f.p[8] = 0x40;
	f.p[9] = 0x1F;
	b = rle_file(1, 2, 1, 16, 1, 1, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "RLE segment 2 offset 8000 outside 64..71"));
	dicom_free(&img);
	free(b.p);
	f.p[8] = 60;
	f.p[9] = 0;
	b = rle_file(1, 2, 1, 16, 1, 1, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "RLE segment 2 offset 60"));
	dicom_free(&img);
	free(b.p);
	/* The segment count must match samples x bytes. */
	f.p[0] = 1;
	b = rle_file(1, 2, 1, 16, 1, 1, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "RLE frame has 1 segments"));
	dicom_free(&img);
	free(b.p);
	/* A header cut short. */
	f.len = 40;
	b = rle_file(1, 2, 1, 16, 1, 1, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "RLE header cut short (40 of 64 bytes)"));
	dicom_free(&img);
	free(b.p);
	free(f.p);

	/* 1x2 RGB: one plane per sample, interleaved on output. */
	memset(&f, 0, sizeof f);
	rle_header(&f, 3, off3);
	put(&f, "\xff\x01\xff\x02\x01\x03\x04", 7);
	b = rle_file(1, 2, 3, 8, 0, 1, &f, 1);
	img = read_ok(&b);
	assert_string_equal(img->photometric, "RGB");
	assert_int_equal(dicom_frame_raw(img, 0, raw, 6, NULL, 0), 0);
	assert_int_equal(raw[0], 1);
	assert_int_equal(raw[1], 2);
	assert_int_equal(raw[2], 3);
	assert_int_equal(raw[3], 1);
	assert_int_equal(raw[4], 2);
	assert_int_equal(raw[5], 4);
	dicom_free(&img);
	free(b.p);

	/* Fragment count lies: 2 frames, 1 fragment, no offset table. */
	b = rle_file(1, 2, 3, 8, 0, 2, &f, 1);
	img = read_ok(&b);
	assert_non_null(strstr(dicom_no_preview(img), "1 fragments for 2 frames"));
	dicom_free(&img);
	free(b.p);
	/* Two frames, one fragment each. */
	{
		struct bytes two[2] = { f, f };

		b = rle_file(1, 2, 3, 8, 0, 2, two, 2);
		img = read_ok(&b);
		assert_int_equal(dicom_frame_raw(img, 1, raw, 6, NULL, 0), 0);
		assert_int_equal(raw[5], 4);
		dicom_free(&img);
		free(b.p);
	}
	free(f.p);
}

/* Native YBR_FULL_422 is expanded on read; PALETTE COLOR tables are read
 * from their descriptors, and tables that lie are named. */
static void test_ybr422_and_palette(void **state)
{
	struct bytes b = { 0 };
	struct dicom_image *img;
	int64_t raw[6];
	const unsigned char desc[6] = { 4, 0, 10, 0, 16, 0 }, desc8[6] = { 3, 0, 0, 0, 8, 0 };
	const unsigned char lut16[8] = { 0, 0, 0, 0x40, 0, 0x80, 0xff, 0xff };

	(void)state;
	part10(&b, "1.2.840.10008.1.2.1");
	colour_module(&b, 1, 2, 8, 0, 3, "YBR_FULL_422");
	el(&b, 0x7FE0, 0x0010, "OB", "\x10\x20\x80\x90", 4);
	img = read_ok(&b);
	assert_string_equal(img->pixel_colour, "YBR_FULL_422");
	assert_int_equal(dicom_frame_raw(img, 0, raw, 6, NULL, 0), 0);
	assert_int_equal(raw[0], 0x10);
	assert_int_equal(raw[1], 0x80);
	assert_int_equal(raw[2], 0x90);
	assert_int_equal(raw[3], 0x20);
	assert_int_equal(raw[4], 0x80);
	assert_int_equal(raw[5], 0x90);
	dicom_free(&img);
	/* Cut short. */
	b.p[b.len - 8] = 2;
	read_fails(b.p, b.len - 2, "pixel data shorter");
	free(b.p);

	memset(&b, 0, sizeof b);
	part10(&b, "1.2.840.10008.1.2.1");
	colour_module(&b, 1, 2, 8, 0, 1, "PALETTE COLOR ");
	el(&b, 0x0028, 0x1101, "US", desc, 6);
	el(&b, 0x0028, 0x1102, "US", desc, 6);
	el(&b, 0x0028, 0x1103, "US", desc8, 6);
	el(&b, 0x0028, 0x1201, "OW", lut16, 8);
	el(&b, 0x0028, 0x1202, "OW", lut16, 8);
	el(&b, 0x0028, 0x1203, "OW", "\x05\x06\x07\x00", 4);
	el(&b, 0x7FE0, 0x0010, "OB", "\x0b\x0d", 2);
	img = read_ok(&b);
	assert_string_equal(img->lut_error, "");
	assert_int_equal(img->palette[0].entries, 4);
	assert_int_equal(img->palette[0].first, 10);
	assert_int_equal(img->palette[0].bits, 16);
	assert_int_equal(img->palette[0].data[3], 0xFFFF);
	assert_int_equal(img->palette[2].entries, 3);
	assert_int_equal(img->palette[2].bits, 8);
	assert_int_equal(img->palette[2].data[0], 5);
	assert_int_equal(img->palette[2].data[2], 7);
	dicom_free(&img);
	/* Green's data says 4 entries of 16 bits but holds 3 words. */
	{
		size_t at = b.len - 14 - 16 - 20;

		assert_int_equal(b.p[at], 0x28);
		assert_int_equal(b.p[at + 2], 0x02);
		assert_int_equal(b.p[at + 3], 0x12);
		b.p[at + 8] = 6;
		memmove(b.p + at + 12 + 6, b.p + at + 12 + 8, b.len - (at + 12 + 8));
		b.len -= 2;
	}
	img = read_ok(&b);
	assert_string_equal(img->lut_error,
	                    "palette green table has 3 words of data for 4 entries of 16 bits");
	assert_null(img->palette[1].data);
	assert_null(dicom_no_preview(img)); /* the indices still read */
	dicom_free(&img);
	free(b.p);
}

static void test_bits_1_and_32(void **state)
{
	struct bytes b = { 0 };
	struct dicom_image *img;
	/* 3x3, 2 frames: 18 bits packed LSB first with no padding. */
	const unsigned char bits[3] = { 0xA5, 0x3C, 0x02 };
	const unsigned char px32[8] = { 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x00, 0x80 };
	int64_t raw[9];
	double val[2];

	(void)state;
	pixel_module(&b, 3, 3, 1, 1, 0);
	el_str(&b, 0x0028, 0x0008, "IS", "2 ");
	el(&b, 0x7FE0, 0x0010, "OB", bits, sizeof bits);
	img = read_ok(&b);
	assert_int_equal(img->frames, 2);
	for (unsigned f = 0; f < 2; f++) {
		assert_int_equal(dicom_frame_raw(img, f, raw, 9, NULL, 0), 0);
		for (unsigned i = 0; i < 9; i++) {
			unsigned k = f * 9 + i;
			assert_int_equal(raw[i], (bits[k / 8] >> (k % 8)) & 1);
		}
	}
	assert_int_equal(dicom_frame_raw(img, 2, raw, 9, NULL, 0), -1);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 8, NULL, 0), -1);
	dicom_free(&img);
	free(b.p);

	memset(&b, 0, sizeof b);
	pixel_module(&b, 1, 2, 32, 32, 0);
	el(&b, 0x7FE0, 0x0010, "OL", px32, sizeof px32);
	img = read_ok(&b);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 2, NULL, 0), 0);
	assert_true(raw[0] == 4294967295LL);
	assert_true(raw[1] == 2147483649LL);
	dicom_free(&img);
	free(b.p);

	memset(&b, 0, sizeof b);
	pixel_module(&b, 1, 2, 32, 32, 1);
	el_str(&b, 0x0028, 0x1053, "DS", "0.5 ");
	el_str(&b, 0x0028, 0x1052, "DS", " -10");
	el(&b, 0x7FE0, 0x0010, "OL", px32, sizeof px32);
	img = read_ok(&b);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 2, NULL, 0), 0);
	assert_true(raw[0] == -1);
	assert_true(raw[1] == -2147483647LL);
	assert_int_equal(dicom_frame_values(img, 0, val, 2, NULL, 0), 0);
	assert_true(val[0] == -10.5);
	assert_true(val[1] == -2147483647.0 * 0.5 - 10);
	dicom_free(&img);
	free(b.p);

	/* 12 bits stored in 16 with high bit 13: shifted by 2, sign-extended. */
	memset(&b, 0, sizeof b);
	pixel_module(&b, 1, 1, 16, 12, 1);
	el_us(&b, 0x0028, 0x0102, 13);
	el(&b, 0x7FE0, 0x0010, "OW", "\xfc\x3f", 2);
	img = read_ok(&b);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 1, NULL, 0), 0);
	assert_int_equal(raw[0], -1);
	dicom_free(&img);
	free(b.p);
}

static void test_planar_colour(void **state)
{
	struct bytes b = { 0 };
	struct dicom_image *img;
	const unsigned char px[6] = { 10, 11, 20, 21, 30, 31 }; /* RR GG BB */
	int64_t raw[6];

	(void)state;
	el_us(&b, 0x0028, 0x0002, 3);
	el_str(&b, 0x0028, 0x0004, "CS", "RGB ");
	el_us(&b, 0x0028, 0x0006, 1);
	el_us(&b, 0x0028, 0x0010, 1);
	el_us(&b, 0x0028, 0x0011, 2);
	el_us(&b, 0x0028, 0x0100, 8);
	el(&b, 0x7FE0, 0x0010, "OB", px, sizeof px);
	img = read_ok(&b);
	assert_string_equal(img->photometric, "RGB");
	assert_int_equal(dicom_frame_samples(img), 6);
	assert_int_equal(dicom_frame_raw(img, 0, raw, 6, NULL, 0), 0);
	assert_int_equal(raw[0], 10);
	assert_int_equal(raw[1], 20);
	assert_int_equal(raw[2], 30);
	assert_int_equal(raw[3], 11);
	assert_int_equal(raw[4], 21);
	assert_int_equal(raw[5], 31);
	dicom_free(&img);
	free(b.p);
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

static void need_dcmtk(void)
{
	if (system("{ command -v dump2dcm && command -v dcmconv && command -v dcmodify && "
	           "command -v dcmdump && command -v dcm2pnm; } >/dev/null 2>&1") != 0)
		fail_msg("dcmtk is not installed (dump2dcm, dcmconv, dcmodify, dcmdump, dcm2pnm "
		         "are the oracle for these tests): apt-get install dcmtk");
}

/* The pixel data values dcmtk decodes, as dcmdump prints them: 16-bit words
 * for OW, bytes for OB or for 8-bit pixels (bytes set). Returns the count, values in out (new). */
static size_t dcmdump_pixels(const char *path, int bytes, unsigned long **out)
{
	int words = 0;
	static char line[65536 * 8];
	char cmd[1024];
	FILE *p;
	size_t n = 0;
	unsigned long *v = NULL;

	snprintf(cmd, sizeof cmd, "dcmdump +L +P 7fe0,0010 '%s'", path);
	p = popen(cmd, "r");
	if (p == NULL || fgets(line, sizeof line, p) == NULL)
		fail_msg("no output from %s", cmd);
	pclose(p);
	if (strncmp(line, "(7fe0,0010) OB ", 15) == 0)
		words = 0;
	else if (strncmp(line, "(7fe0,0010) OW ", 15) == 0)
		words = 1;
	else
		fail_msg("unexpected dcmdump line: %.80s", line);
	for (char *s = line + 15;;) {
		char *end;
		unsigned long x = strtoul(s, &end, 16);

		if (end == s)
			break;
		v = xreallocarray(v, n + 2, sizeof *v);
		if (words && bytes) {
			/* 8-bit pixels in an OW element (implicit VR): low byte first. */
			v[n++] = x & 0xff;
			v[n++] = x >> 8;
		} else {
			v[n++] = x;
		}
		if (*end != '\\')
			break;
		s = end + 1;
	}
	*out = v;
	return n;
}

/* dcm2pnm's unwindowed output of frame (1-based) as ASCII PGM values. */
static size_t dcm2pnm_pixels(const char *path, unsigned frame, int bits16, int identity,
                             unsigned long **out)
{
	char *pgm = test_temp_path(scratch, "frame.pgm");
	unsigned long w, h, max, *v;
	FILE *f;

	run("dcm2pnm -q -W %s %s +F %u '%s' '%s'", identity ? "+Pid" : "", bits16 ? "+opw" : "+opb",
	    frame, path, pgm);
	f = fopen(pgm, "r");
	if (f == NULL || fscanf(f, "P2 %lu %lu %lu", &w, &h, &max) != 3)
		fail_msg("cannot read %s", pgm);
	v = xreallocarray(NULL, w * h, sizeof *v);
	for (size_t i = 0; i < w * h; i++) {
		if (fscanf(f, "%lu", &v[i]) != 1)
			fail_msg("%s: short", pgm);
	}
	fclose(f);
	free(pgm);
	*out = v;
	return w * h;
}

/* Writes dump text and makes it a file with dump2dcm; returns its path. */
static char *make_dcm(const char *name, const char *dump)
{
	char *txt = test_temp_path(scratch, "image.dump");
	char *dcm = test_temp_path(scratch, name);

	test_write_file(txt, dump, strlen(dump));
	run("dump2dcm '%s' '%s'", txt, dcm);
	free(txt);
	return dcm;
}

static char *convert(const char *src, const char *opt, const char *name)
{
	char *dst = test_temp_path(scratch, name);

	run("dcmconv %s '%s' '%s'", opt, src, dst);
	return dst;
}

static struct dicom_image *read_path(const char *path)
{
	char err[256];
	struct dicom_image *img = dicom_read_file(path, err, sizeof err);

	if (img == NULL)
		fail_msg("dicom_read_file: %s", err);
	return img;
}

static const struct {
	const char *opt, *uid;
} encodings[] = {
	{ "+ti", "1.2.840.10008.1.2" },
	{ "+te", "1.2.840.10008.1.2.1" },
	{ "+tb", "1.2.840.10008.1.2.2" },
	{ "+td", "1.2.840.10008.1.2.1.99" },
};

static char *pixel_list(unsigned n, unsigned long (*f)(unsigned), int bytes)
{
	char *s = xmalloc((size_t)n * 6 + 1), *p = s;

	for (unsigned i = 0; i < n; i++)
		p += sprintf(p, bytes ? "%s%02lx" : "%s%04lx", i ? "\\" : "", f(i));
	*p = '\0';
	return s;
}

static unsigned long u16_value(unsigned i)
{
	return (i * 4813u + 7u * (i / 3)) & 0xffff;
}

static unsigned long s16_value(unsigned i)
{
	return (0x10000u - 2000u + i * 97u) & 0xffff; /* from -2000 up, across 0 */
}

static unsigned long u8_value(unsigned i)
{
	return (i * 37u + 5u) & 0xff;
}

static const char dump_head[] = "(0008,0016) UI =SecondaryCaptureImageStorage\n"
                                "(0008,0018) UI [1.2.826.0.1.3680043.2.1143.77]\n"
                                "(0008,0060) CS [%s]\n"
                                "(0018,0015) CS [CHEST]\n"
                                "(0028,0002) US 1\n"
                                "(0028,0004) CS [MONOCHROME2]\n"
                                "(0028,0008) IS [%u]\n"
                                "(0028,0010) US %u\n"
                                "(0028,0011) US %u\n"
                                "(0028,0100) US %u\n"
                                "(0028,0101) US %u\n"
                                "(0028,0102) US %u\n"
                                "(0028,0103) US %u\n"
                                "%s"
                                "(7fe0,0010) %s %s\n";

/* Every frame of path as ecii reads it equals dcmdump's pixel values. */
static void compare_with_dcmdump(const char *path, const struct dicom_image *img)
{
	unsigned long *want;
	size_t n = dcmdump_pixels(path, img->bits_allocated == 8, &want),
	       per = dicom_frame_samples(img);
	int64_t *raw = xreallocarray(NULL, per, sizeof *raw);

	assert_int_equal(n, per * img->frames);
	for (unsigned f = 0; f < img->frames; f++) {
		assert_int_equal(dicom_frame_raw(img, f, raw, per, NULL, 0), 0);
		for (size_t i = 0; i < per; i++) {
			int64_t w = (int64_t)want[f * per + i];
			if (img->pixel_representation == 1 && w >= 32768)
				w -= 65536;
			if (raw[i] != w)
				fail_msg("%s frame %u pixel %zu: ecii %lld, dcmdump %lld", path, f,
				         i, (long long)raw[i], (long long)w);
		}
	}
	free(raw);
	free(want);
}

/* ... and equals dcm2pnm's unwindowed PGM (full-range, so the identity).
 * For MONOCHROME1 dcm2pnm inverts with its own rounding (256 - v above
 * the middle), so the presentation LUT is forced to IDENTITY there: the
 * comparison is of the stored values, which is what the reader gives. */
static void compare_with_dcm2pnm(const char *path, const struct dicom_image *img)
{
	size_t per = dicom_frame_samples(img);
	int64_t *raw = xreallocarray(NULL, per, sizeof *raw);
	int mono1 = strcmp(img->photometric, "MONOCHROME1") == 0;

	for (unsigned f = 0; f < img->frames; f++) {
		unsigned long *pgm;
		size_t n = dcm2pnm_pixels(path, f + 1, img->bits_allocated == 16, mono1, &pgm);

		assert_int_equal(n, per);
		assert_int_equal(dicom_frame_raw(img, f, raw, per, NULL, 0), 0);
		for (size_t i = 0; i < per; i++) {
			if (raw[i] != (int64_t)pgm[i])
				fail_msg("%s frame %u pixel %zu: ecii %lld, dcm2pnm %lu", path, f,
				         i, (long long)raw[i], pgm[i]);
		}
		free(pgm);
	}
	free(raw);
}

static void test_dcmtk_unsigned16_four_encodings(void **state)
{
	char dump[65536];
	char *px = pixel_list(7 * 9, u16_value, 0), *src;

	(void)state;
	need_dcmtk();
	snprintf(dump, sizeof dump, dump_head, "CT", 1u, 7u, 9u, 16u, 16u, 15u, 0u, "", "OW", px);
	src = make_dcm("u16.dcm", dump);
	for (size_t e = 0; e < sizeof encodings / sizeof encodings[0]; e++) {
		char *path = convert(src, encodings[e].opt, "u16-conv.dcm");
		struct dicom_image *img = read_path(path);

		assert_string_equal(img->transfer_syntax, encodings[e].uid);
		assert_int_equal(img->rows, 7);
		assert_int_equal(img->columns, 9);
		assert_int_equal(img->bits_allocated, 16);
		assert_string_equal(img->modality, "CT");
		assert_string_equal(img->body_part, "CHEST");
		assert_string_equal(img->sop_class, "1.2.840.10008.5.1.4.1.1.7");
		assert_null(dicom_no_preview(img));
		compare_with_dcmdump(path, img);
		compare_with_dcm2pnm(path, img);
		dicom_free(&img);
		free(path);
	}
	free(src);
	free(px);
}

static void test_dcmtk_signed16_rescale(void **state)
{
	char dump[65536];
	char *px = pixel_list(6 * 7, s16_value, 0), *src;
	const char extra[] = "(0028,1050) DS [40\\-600]\n(0028,1051) DS [400\\1500]\n"
	                     "(0028,1052) DS [-1024]\n(0028,1053) DS [2]\n";

	(void)state;
	need_dcmtk();
	snprintf(dump, sizeof dump, dump_head, "CT", 1u, 6u, 7u, 16u, 16u, 15u, 1u, extra, "OW",
	         px);
	src = make_dcm("s16.dcm", dump);
	for (size_t e = 0; e < sizeof encodings / sizeof encodings[0]; e++) {
		char *path = convert(src, encodings[e].opt, "s16-conv.dcm");
		struct dicom_image *img = read_path(path);
		size_t per = dicom_frame_samples(img);
		int64_t *raw = xreallocarray(NULL, per, sizeof *raw);
		double *val = xreallocarray(NULL, per, sizeof *val);

		assert_int_equal(img->pixel_representation, 1);
		assert_int_equal(img->has_window, 1);
		assert_true(img->window_center == 40 && img->window_width == 400);
		assert_true(img->rescale_slope == 2 && img->rescale_intercept == -1024);
		compare_with_dcmdump(path, img);
		assert_int_equal(dicom_frame_raw(img, 0, raw, per, NULL, 0), 0);
		assert_int_equal(dicom_frame_values(img, 0, val, per, NULL, 0), 0);
		assert_int_equal(raw[0], -2000);
		for (size_t i = 0; i < per; i++)
			assert_true(val[i] == (double)raw[i] * 2 - 1024);
		free(raw);
		free(val);
		dicom_free(&img);
		free(path);
	}
	free(src);
	free(px);
}

static void test_dcmtk_multiframe_monochrome1(void **state)
{
	char dump[65536];
	char *px = pixel_list(3 * 5 * 4, u8_value, 1), *src;

	(void)state;
	need_dcmtk();
	snprintf(dump, sizeof dump, dump_head, "OT", 3u, 5u, 4u, 8u, 8u, 7u, 0u, "", "OB", px);
	src = make_dcm("mf.dcm", dump);
	for (int mono1 = 0; mono1 < 2; mono1++) {
		if (mono1)
			run("dcmodify -nb -m '(0028,0004)=MONOCHROME1' '%s'", src);
		for (size_t e = 0; e < sizeof encodings / sizeof encodings[0]; e++) {
			char *path = convert(src, encodings[e].opt, "mf-conv.dcm");
			struct dicom_image *img = read_path(path);

			assert_int_equal(img->frames, 3);
			assert_string_equal(img->photometric,
			                    mono1 ? "MONOCHROME1" : "MONOCHROME2");
			compare_with_dcmdump(path, img);
			compare_with_dcm2pnm(path, img);
			dicom_free(&img);
			free(path);
		}
	}
	free(src);
	free(px);
}

/* The bytes of a file, new; *len set. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	do {
		if (n == cap) {
			cap = cap * 2 + 4096;
			p = xreallocarray(p, cap, 1);
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return p;
}

/* A Part 10 JPEG baseline file of frames 16x12 8-bit gray frames: the
 * offset table (nbot offsets, none when 0) and fragments given. */
static struct bytes jpeg_file(const char *ts, unsigned rows, unsigned frames, const uint32_t *bot,
                              unsigned nbot, const struct bytes *frags, unsigned nfrags)
{
	struct bytes b = { 0 };
	char nf[8];

	part10(&b, ts);
	snprintf(nf, sizeof nf, "%u ", frames);
	el_str(&b, 0x0028, 0x0008, "IS", nf);
	pixel_module(&b, rows, 16, 8, 8, 0);
	el(&b, 0x7FE0, 0x0010, "OB", NULL, UINT32_MAX);
	item_tag(&b, 0xE000, nbot * 4);
	for (unsigned i = 0; i < nbot; i++)
		put32(&b, bot[i]);
	for (unsigned i = 0; i < nfrags; i++) {
		item_tag(&b, 0xE000, (uint32_t)frags[i].len);
		put(&b, frags[i].p, frags[i].len);
	}
	item_tag(&b, 0xE0DD, 0);
	return b;
}

/* frame of img equals the 192 bytes want. */
static void frame_is(const struct dicom_image *img, unsigned frame, const unsigned char *want)
{
	int64_t raw[192];
	char err[256];

	if (dicom_frame_raw(img, frame, raw, 192, err, sizeof err) != 0)
		fail_msg("frame %u: %s", frame, err);
	for (size_t i = 0; i < 192; i++) {
		if (raw[i] != want[i])
			fail_msg("frame %u pixel %zu: %lld, want %u", frame, i, (long long)raw[i],
			         want[i]);
	}
}

static void problem_has(const struct bytes *b, const char *want)
{
	struct dicom_image *img = read_ok(b);
	const char *why = dicom_no_preview(img);

	if (why == NULL || strstr(why, want) == NULL || strchr(why, '\n') != NULL)
		fail_msg("no preview \"%s\", expected \"%s\"", why ? why : "(null)", want);
	assert_false(img->has_pixels);
	dicom_free(&img);
}

/* JPEG frames: a stream made by dcmtk (dcmj2pnm +oj) wrapped by hand in
 * every fragment layout; the pixels equal dcmj2pnm's decoding of img2dcm's
 * file; then the lies: offset table, fragment count, truncation, size. */
static void test_dcmtk_jpeg_frames(void **state)
{
	char dump[65536];
	char *px = pixel_list(12 * 16, u8_value, 1), *src, *jpg = test_temp_path(scratch, "g.jpg");
	char *dcm = test_temp_path(scratch, "img2dcm.dcm"), *pgm = test_temp_path(scratch, "g.pgm");
	unsigned char *want, *j;
	size_t jlen, plen;
	struct bytes b, one, half[2], four[4], cut;
	struct dicom_image *img;
	uint32_t bot[2];

	(void)state;
	need_dcmtk();
	snprintf(dump, sizeof dump, dump_head, "OT", 1u, 12u, 16u, 8u, 8u, 7u, 0u, "", "OB", px);
	src = make_dcm("g8.dcm", dump);
	run("dcmj2pnm -q +oj '%s' '%s' && img2dcm -q '%s' '%s' && dcmj2pnm -q '%s' '%s'", src, jpg,
	    jpg, dcm, dcm, pgm);
	want = slurp(pgm, &plen);
	assert_true(plen > 192);
	memmove(want, want + plen - 192, 192);
	j = slurp(jpg, &jlen);
	assert_true(jlen > 100);

	/* img2dcm's own file (empty offset table, one fragment). */
	img = read_path(dcm);
	assert_string_equal(img->compression, "JPEG baseline");
	assert_null(dicom_no_preview(img));
	frame_is(img, 0, want);
	dicom_free(&img);

	one = (struct bytes){ j, jlen, jlen };
	half[0] = (struct bytes){ j, jlen / 2, 0 };
	half[1] = (struct bytes){ j + jlen / 2, jlen - jlen / 2, 0 };
	/* One frame, one fragment; one frame over two fragments. */
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 1, NULL, 0, &one, 1);
	img = read_ok(&b);
	frame_is(img, 0, want);
	dicom_free(&img);
	free(b.p);
	b = jpeg_file("1.2.840.10008.1.2.4.51", 12, 1, NULL, 0, half, 2);
	img = read_ok(&b);
	assert_string_equal(img->compression, "JPEG extended");
	frame_is(img, 0, want);
	dicom_free(&img);
	free(b.p);
	/* Two frames of two fragments each: split at each SOI, no table. */
	four[0] = half[0];
	four[1] = half[1];
	four[2] = half[0];
	four[3] = half[1];
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 2, NULL, 0, four, 4);
	img = read_ok(&b);
	frame_is(img, 0, want);
	frame_is(img, 1, want);
	dicom_free(&img);
	free(b.p);
	/* The same with an offset table; then a table that points inside a
	 * fragment, and one with too few entries. */
	bot[0] = 0;
	bot[1] = (uint32_t)(8 + half[0].len + 8 + half[1].len);
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 2, bot, 2, four, 4);
	img = read_ok(&b);
	frame_is(img, 0, want);
	frame_is(img, 1, want);
	dicom_free(&img);
	free(b.p);
	bot[1] += 2;
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 2, bot, 2, four, 4);
	problem_has(&b, "basic offset table entry 2 (");
	free(b.p);
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 2, bot, 1, four, 4);
	problem_has(&b, "basic offset table of 4 bytes for 2 frames");
	free(b.p);
	/* Fragment count lies: 3 frames, 2 streams, no table. */
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 3, NULL, 0, four, 4);
	problem_has(&b, "4 fragments for 3 frames, and no offset table");
	free(b.p);
	/* Truncated: the first half alone. */
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 1, NULL, 0, half, 1);
	problem_has(&b, ": JPEG: ");
	free(b.p);
	cut = (struct bytes){ j, 2, 0 };
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 1, NULL, 0, &cut, 1);
	problem_has(&b, "JPEG: no start of image marker");
	free(b.p);
	/* A JPEG whose size disagrees with the header. */
	b = jpeg_file("1.2.840.10008.1.2.4.50", 10, 1, NULL, 0, &one, 1);
	problem_has(&b, "JPEG of 16x12 x 1 samples where the header says 16x10 x 1");
	free(b.p);
	/* Corrupt entropy data (a marker in the middle) is an error, not a
	 * half-grey image. */
	j[jlen - 40] = 0xFF;
	j[jlen - 39] = 0xD9;
	b = jpeg_file("1.2.840.10008.1.2.4.50", 12, 1, NULL, 0, &one, 1);
	problem_has(&b, "JPEG: ");
	free(b.p);

	free(j);
	free(want);
	free(pgm);
	free(dcm);
	free(jpg);
	free(src);
	free(px);
}

/* 12-bit JPEG extended (dcmcjpeg +ee of a 12-bit image): named in one
 * line; the header still reads. */
static void test_dcmtk_jpeg_12bit(void **state)
{
	char dump[65536];
	char *px = pixel_list(6 * 7, s16_value, 0), *src, *dst = test_temp_path(scratch, "je.dcm");
	struct dicom_image *img;

	(void)state;
	need_dcmtk();
	snprintf(dump, sizeof dump, dump_head, "CT", 1u, 6u, 7u, 16u, 12u, 11u, 0u, "", "OW", px);
	src = make_dcm("u12.dcm", dump);
	run("dcmcjpeg -q +ee '%s' '%s'", src, dst);
	img = read_path(dst);
	assert_string_equal(img->compression, "JPEG extended");
	assert_int_equal(img->rows, 6);
	assert_non_null(strstr(dicom_no_preview(img), "12-bit JPEG: no preview"));
	dicom_free(&img);
	free(dst);
	free(src);
	free(px);
}

/* RLE made by dcmtk (dcmcrle) reads back to the native file's values:
 * signed 16-bit, and 8-bit multi-frame. */
static void test_dcmtk_rle(void **state)
{
	char dump[65536];
	char *px16 = pixel_list(6 * 7, s16_value, 0), *px8 = pixel_list(3 * 5 * 4, u8_value, 1);
	char *src, *dst = test_temp_path(scratch, "rle.dcm");
	struct dicom_image *img;

	(void)state;
	need_dcmtk();
	snprintf(dump, sizeof dump, dump_head, "CT", 1u, 6u, 7u, 16u, 16u, 15u, 1u, "", "OW", px16);
	src = make_dcm("s16.dcm", dump);
	run("dcmcrle -q '%s' '%s'", src, dst);
	img = read_path(dst);
	assert_string_equal(img->compression, "RLE");
	assert_null(dicom_no_preview(img));
	compare_with_dcmdump(src, img);
	dicom_free(&img);
	free(src);
	snprintf(dump, sizeof dump, dump_head, "OT", 3u, 5u, 4u, 8u, 8u, 7u, 0u, "", "OB", px8);
	src = make_dcm("mf8.dcm", dump);
	run("dcmcrle -q '%s' '%s'", src, dst);
	img = read_path(dst);
	assert_int_equal(img->frames, 3);
	compare_with_dcmdump(src, img);
	compare_with_dcm2pnm(dst, img);
	dicom_free(&img);
	free(src);
	free(dst);
	free(px8);
	free(px16);
}

static void test_read_file_errors(void **state)
{
	char err[256];
	char *path = test_temp_path(scratch, "short.dcm");

	(void)state;
	assert_null(dicom_read_file(scratch, err, sizeof err));
	assert_non_null(strstr(err, "not a regular file"));
	test_write_file(path, "DICM", 4);
	assert_null(dicom_read_file(path, err, sizeof err));
	assert_non_null(strstr(err, "short.dcm: at byte 0: element header cut short"));
	free(path);
	path = test_temp_path(scratch, "missing.dcm");
	assert_null(dicom_read_file(path, err, sizeof err));
	assert_non_null(strstr(err, "No such file"));
	free(path);
}

static int setup(void **state)
{
	(void)state;
	scratch = test_tmpdir("dicom");
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
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_pixel_data_short),
		cmocka_unit_test(test_absurd_dimensions),
		cmocka_unit_test(test_lengths_that_lie),
		cmocka_unit_test(test_bad_vr),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_bits_1_and_32),
		cmocka_unit_test(test_planar_colour),
		cmocka_unit_test(test_rle),
		cmocka_unit_test(test_ybr422_and_palette),
		cmocka_unit_test(test_read_file_errors),
		cmocka_unit_test(test_dcmtk_unsigned16_four_encodings),
		cmocka_unit_test(test_dcmtk_signed16_rescale),
		cmocka_unit_test(test_dcmtk_multiframe_monochrome1),
		cmocka_unit_test(test_dcmtk_jpeg_frames),
		cmocka_unit_test(test_dcmtk_jpeg_12bit),
		cmocka_unit_test(test_dcmtk_rle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
