/* The DICOM writer (img/dicom_write) and the demo's phantoms (demo/phantom):
 * refused input first (missing, out of range, values that do not fit their
 * VR), each leaving the output as it was; then the bytes themselves (the
 * preamble, the meta group and its length, ascending tags, even lengths and
 * the right pad byte), ecii's own reader getting every field and pixel back,
 * and dcmtk as the independent oracle: dcmdump parses every file with no
 * warning, and dcm2pnm's rendering with the stored (or min-max) window
 * equals ecii's window_render pixel for pixel, every frame. The phantoms
 * must hold the tissue values they promise and be deterministic. dcmtk
 * missing is a failure, never a skip. */
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

#include "demo/phantom.h"
#include "img/dicom.h"
#include "img/dicom_write.h"
#include "img/window.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include "support.h"

static char *scratch;

/* ---- a small valid image the degenerate tests break one way each ---- */

static uint16_t small_pixels[3 * 5 * 2];

static struct dicom_write_spec small_spec(void)
{
	struct dicom_write_spec s;

	for (size_t i = 0; i < sizeof small_pixels / sizeof small_pixels[0]; i++)
		small_pixels[i] = (uint16_t)(i * 97 % 4096);
	memset(&s, 0, sizeof s);
	s.rows = 3;
	s.columns = 5;
	s.frames = 2;
	s.bits_stored = 12;
	s.photometric = "MONOCHROME2";
	s.pixels = small_pixels;
	s.sop_class = DICOM_SOP_MR;
	s.sop_instance = "1.2.3.4";
	s.study_uid = "1.2.3";
	s.series_uid = "1.2.3.5";
	s.modality = "MR";
	s.patient_name = "Phantom^Synthetic";
	s.patient_id = "P1";
	s.study_date = "20240611";
	s.study_time = "120000";
	return s;
}

/* Writing s fails, names tag (and what) in the message, and leaves out as
 * it was. */
static void expect_refused(const struct dicom_write_spec *s, const char *tag, const char *what)
{
	struct buf out = BUF_INIT;
	char err[256] = "";

	buf_puts(&out, "kept");
	assert_int_equal(dicom_write_image(s, &out, err, sizeof err), -1);
	assert_int_equal(out.len, 4);
	assert_string_equal(out.data, "kept");
	if (strstr(err, tag) == NULL || strstr(err, what) == NULL)
		fail_msg("error '%s' does not name %s and '%s'", err, tag, what);
	buf_free(&out);
}

static void test_refused(void **state)
{
	struct dicom_write_spec s;
	struct buf out = BUF_INIT;
	char err[256];

	(void)state;
	s = small_spec();
	s.pixels = NULL;
	expect_refused(&s, "(7FE0,0010)", "no pixels");
	s = small_spec();
	s.rows = 0;
	expect_refused(&s, "(0028,0010)", "rows and columns");
	s = small_spec();
	s.columns = DICOM_MAX_DIM + 1;
	expect_refused(&s, "(0028,0010)", "rows and columns");
	s = small_spec();
	s.frames = 0;
	expect_refused(&s, "(0028,0008)", "frames");
	s = small_spec();
	s.frames = DICOM_MAX_FRAMES + 1;
	expect_refused(&s, "(0028,0008)", "frames");
	s = small_spec();
	s.bits_stored = 0;
	expect_refused(&s, "(0028,0101)", "bits stored");
	s = small_spec();
	s.bits_stored = 17;
	expect_refused(&s, "(0028,0101)", "bits stored");
	s = small_spec();
	s.photometric = "RGB";
	expect_refused(&s, "(0028,0004)", "MONOCHROME");
	s = small_spec();
	s.photometric = NULL;
	expect_refused(&s, "(0028,0004)", "MONOCHROME");
	/* Pixels must fit bits_stored, unsigned and signed. */
	s = small_spec();
	small_pixels[7] = 4096;
	expect_refused(&s, "(7FE0,0010)", "pixel 7 value 4096 does not fit 12 bits");
	s = small_spec();
	s.is_signed = true;
	small_pixels[3] = 2048;
	expect_refused(&s, "(7FE0,0010)", "pixel 3 value 2048");
	s = small_spec();
	s.is_signed = true;
	small_pixels[0] = (uint16_t)(int16_t)-2049;
	expect_refused(&s, "(7FE0,0010)", "value -2049");
	/* Numbers that are not numbers. */
	s = small_spec();
	s.has_window = true;
	s.center = 40;
	s.width = 0.5;
	expect_refused(&s, "(0028,1051)", "width");
	s = small_spec();
	s.has_window = true;
	s.center = NAN;
	s.width = 400;
	expect_refused(&s, "(0028,1051)", "finite");
	s = small_spec();
	s.has_rescale = true;
	s.slope = 0;
	expect_refused(&s, "(0028,1053)", "slope");
	s = small_spec();
	s.slice_thickness = INFINITY;
	expect_refused(&s, "(0018,0050)", "DS value");
	/* Required values missing. */
	s = small_spec();
	s.patient_name = NULL;
	expect_refused(&s, "(0010,0010)", "required");
	s = small_spec();
	s.sop_instance = NULL;
	expect_refused(&s, "(0002,0003)", "required");
	s = small_spec();
	s.modality = NULL;
	expect_refused(&s, "(0008,0060)", "required");
	s = small_spec();
	s.study_date = NULL;
	expect_refused(&s, "(0008,0020)", "required");
	/* Values that do not fit their VR. */
	s = small_spec();
	s.modality = "mr";
	expect_refused(&s, "(0008,0060)", "CS value");
	s = small_spec();
	s.laterality = "l";
	expect_refused(&s, "(0020,0062)", "CS value");
	s = small_spec();
	s.body_part = "A_VERY_LONG_BODY_PART";
	expect_refused(&s, "(0018,0015)", "longer than 16");
	s = small_spec();
	s.image_type = "DERIVED\\PRIMARY\\AXIAL_AND_SOME_MORE";
	expect_refused(&s, "(0008,0008)", "longer than 16");
	s = small_spec();
	s.study_uid = "1.2.abc";
	expect_refused(&s, "(0020,000D)", "digits and dots");
	s = small_spec();
	s.series_uid = "1.02.3";
	expect_refused(&s, "(0020,000E)", "leading zero");
	s = small_spec();
	s.series_uid = "1..3";
	expect_refused(&s, "(0020,000E)", "component empty");
	s = small_spec();
	s.sop_class = "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26";
	expect_refused(&s, "(0002,0002)", "longer than 64");
	s = small_spec();
	s.patient_id = "P\\1";
	expect_refused(&s, "(0010,0020)", "backslash");
	s = small_spec();
	s.series_description = "line\nbreak";
	expect_refused(&s, "(0008,103E)", "control character");
	s = small_spec();
	s.study_date = "2024-06-11";
	expect_refused(&s, "(0008,0020)", "digits");
	s = small_spec();
	s.study_date = "202406";
	expect_refused(&s, "(0008,0020)", "YYYYMMDD");
	s = small_spec();
	s.study_time = "12000";
	expect_refused(&s, "(0008,0030)", "HHMMSS");
	s = small_spec();
	s.study_id = "12345678901234567";
	expect_refused(&s, "(0020,0010)", "longer than 16");
	s = small_spec();
	s.series_number = 4000000000u;
	expect_refused(&s, "(0020,0011)", "IS value");

	/* The small spec itself is fine, and appends after what out held. */
	s = small_spec();
	buf_puts(&out, "x");
	assert_int_equal(dicom_write_image(&s, &out, err, sizeof err), 0);
	assert_true(out.len > 1 + 132);
	assert_int_equal(out.data[0], 'x');
	assert_memory_equal(out.data + 1 + 128, "DICM", 4);
	buf_free(&out);
}

/* ---- UIDs ---- */

static void test_uids(void **state)
{
	char a[DICOM_UID_MAX + 1], b[DICOM_UID_MAX + 1], c[DICOM_UID_MAX + 1];

	(void)state;
	dicom_uid_from_text("ecii DICOM implementation class", a);
	assert_string_equal(a, DICOM_IMPLEMENTATION_CLASS_UID);
	dicom_uid_from_text("", a);
	dicom_uid_from_text("", b);
	dicom_uid_from_text("c-pros-01", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	for (const char *u = a;; u = c) {
		size_t n = strlen(u);

		/* 2.25. and at most 39 digits (a 128-bit value), no leading 0. */
		assert_true(n > 5 && n <= 5 + 39);
		assert_memory_equal(u, "2.25.", 5);
		assert_true(u[5] >= '1' && u[5] <= '9');
		assert_int_equal(strspn(u + 5, "0123456789"), n - 5);
		if (u == c)
			break;
	}
}

/* ---- the bytes ---- */

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Walks the file element by element: ascending tags, even lengths, the
 * pad byte of odd values, the meta group's length. */
static void test_layout(void **state)
{
	struct dicom_write_spec s = small_spec();
	struct buf out = BUF_INIT;
	const unsigned char *p;
	size_t pos = 132, meta_end = 0;
	uint32_t last = 0;
	char err[256];
	int seen_pixels = 0, seen_ts = 0, seen_name = 0, seen_uid = 0;

	(void)state;
	s.body_part = "PELVIS";       /* even */
	s.series_description = "odd"; /* LO, pads with a space */
	s.sop_instance = "1.2.3.4.5"; /* UI, pads with NUL */
	s.slice_thickness = 2.5;      /* DS "2.5", pads with a space */
	s.image_type = "DERIVED\\PRIMARY";
	s.view_position = "MLO";
	s.patient_orientation = "A\\FR";
	s.laterality = "L";
	s.units = "BQML";
	assert_int_equal(dicom_write_image(&s, &out, err, sizeof err), 0);
	p = (const unsigned char *)out.data;
	for (int i = 0; i < 128; i++)
		assert_int_equal(p[i], 0);
	assert_memory_equal(p + 128, "DICM", 4);
	while (pos < out.len) {
		uint32_t tag = (uint32_t)get16(p + pos) << 16 | get16(p + pos + 2);
		char vr[3] = { (char)p[pos + 4], (char)p[pos + 5], 0 };
		uint32_t len;
		const unsigned char *v;

		if (pos != 132)
			assert_true(tag > last);
		last = tag;
		if (strcmp(vr, "OB") == 0 || strcmp(vr, "OW") == 0) {
			assert_int_equal(get16(p + pos + 6), 0);
			len = get32(p + pos + 8);
			v = p + pos + 12;
			pos += 12 + len;
		} else {
			len = get16(p + pos + 6);
			v = p + pos + 8;
			pos += 8 + len;
		}
		assert_int_equal(len % 2, 0);
		assert_true(pos <= out.len);
		if (tag == 0x00020000) {
			assert_string_equal(vr, "UL");
			assert_int_equal(len, 4);
			meta_end = pos + get32(v);
		}
		if (tag == 0x00020001) {
			assert_string_equal(vr, "OB");
			assert_int_equal(len, 2);
			assert_int_equal(v[0], 0);
			assert_int_equal(v[1], 1);
		}
		if (tag == 0x00020010) {
			assert_int_equal(len, 20);
			assert_memory_equal(v, "1.2.840.10008.1.2.1\0", 20);
			seen_ts = 1;
		}
		if (tag == 0x00020012) {
			assert_memory_equal(v, DICOM_IMPLEMENTATION_CLASS_UID,
			                    strlen(DICOM_IMPLEMENTATION_CLASS_UID));
		}
		if (tag == 0x00080018) {
			assert_string_equal(vr, "UI");
			assert_int_equal(len, 10);
			assert_memory_equal(v, "1.2.3.4.5\0", 10);
			seen_uid = 1;
		}
		if (tag == 0x0008103E) {
			assert_string_equal(vr, "LO");
			assert_int_equal(len, 4);
			assert_memory_equal(v, "odd ", 4);
			seen_name = 1;
		}
		if (tag == 0x00180050)
			assert_memory_equal(v, "2.5 ", 4);
		if (tag == 0x00200020)
			assert_memory_equal(v, "A\\FR ", 6);
		if (tag == 0x00200062)
			assert_memory_equal(v, "L ", 2);
		if (tag == 0x00541001)
			assert_memory_equal(v, "BQML", 4);
		if (tag == 0x00280008)
			assert_memory_equal(v, "2 ", 2);
		if (tag == 0x00280106 || tag == 0x00280107)
			assert_string_equal(vr, "US");
		if (tag == 0x7FE00010) {
			assert_string_equal(vr, "OW");
			assert_int_equal(len, 3 * 5 * 2 * 2);
			for (size_t i = 0; i < 30; i++)
				assert_int_equal(get16(v + 2 * i), small_pixels[i]);
			seen_pixels = 1;
		}
		/* The meta group ends exactly where (0002,0000) says. */
		if (tag >> 16 == 0x0002 && pos < out.len && get16(p + pos) != 0x0002)
			assert_int_equal(pos, meta_end);
	}
	assert_int_equal(pos, out.len);
	assert_true(seen_pixels && seen_ts && seen_name && seen_uid);
	buf_free(&out);
}

/* ---- read back with ecii's reader ---- */

static struct dicom_image *read_back(const struct dicom_write_spec *s, struct buf *out)
{
	char err[256];
	struct dicom_image *img;

	buf_reset(out);
	if (dicom_write_image(s, out, err, sizeof err) != 0)
		fail_msg("dicom_write_image: %s", err);
	img = dicom_read(out->data, out->len, err, sizeof err);
	if (img == NULL)
		fail_msg("dicom_read: %s", err);
	return img;
}

static void check_fields(const struct dicom_write_spec *s, const struct dicom_image *img)
{
	int64_t *raw = xcalloc((size_t)s->rows * s->columns, sizeof *raw);
	char err[256];

	assert_int_equal(img->rows, s->rows);
	assert_int_equal(img->columns, s->columns);
	assert_int_equal(img->frames, s->frames);
	assert_int_equal(img->samples_per_pixel, 1);
	assert_int_equal(img->bits_allocated, 16);
	assert_int_equal(img->bits_stored, s->bits_stored);
	assert_int_equal(img->high_bit, s->bits_stored - 1);
	assert_int_equal(img->pixel_representation, s->is_signed ? 1 : 0);
	assert_true(img->rescale_slope == (s->has_rescale ? s->slope : 1));
	assert_true(img->rescale_intercept == (s->has_rescale ? s->intercept : 0));
	assert_int_equal(img->has_window != 0, s->has_window);
	if (s->has_window) {
		assert_true(img->window_center == s->center);
		assert_true(img->window_width == s->width);
	}
	assert_string_equal(img->photometric, s->photometric);
	assert_string_equal(img->modality, s->modality);
	assert_string_equal(img->sop_class, s->sop_class);
	assert_string_equal(img->transfer_syntax, DICOM_TS_EXPLICIT_LE);
	assert_string_equal(img->body_part, s->body_part != NULL ? s->body_part : "");
	assert_string_equal(img->study_description,
	                    s->study_description != NULL ? s->study_description : "");
	assert_string_equal(img->series_description,
	                    s->series_description != NULL ? s->series_description : "");
	assert_null(img->compression);
	assert_true(img->has_pixels);
	for (unsigned f = 0; f < s->frames; f++) {
		size_t n = (size_t)s->rows * s->columns;

		assert_int_equal(dicom_frame_raw(img, f, raw, n, err, sizeof err), 0);
		for (size_t i = 0; i < n; i++) {
			uint16_t want = s->pixels[f * n + i];
			int64_t v = s->is_signed ? (int64_t)(int16_t)want : (int64_t)want;

			if (raw[i] != v)
				fail_msg("frame %u pixel %zu: read %lld, wrote %lld", f, i,
				         (long long)raw[i], (long long)v);
		}
	}
	free(raw);
}

static void test_read_back(void **state)
{
	struct dicom_write_spec s = small_spec();
	struct buf out = BUF_INIT;
	struct dicom_image *img;
	uint16_t *px;

	(void)state;
	/* Unsigned 12-bit, two frames, odd sizes, optional strings absent. */
	img = read_back(&s, &out);
	check_fields(&s, img);
	dicom_free(&img);

	/* Signed 16-bit with rescale and window, every extreme value, strings
	 * of odd length. */
	px = xcalloc(7 * 9 * 3, sizeof *px);
	for (size_t i = 0; i < 7 * 9 * 3; i++)
		px[i] = (uint16_t)(int16_t)(i * 1237 % 65536 - 32768);
	px[0] = 0x8000;
	px[1] = 0x7FFF;
	s.rows = 7;
	s.columns = 9;
	s.frames = 3;
	s.bits_stored = 16;
	s.is_signed = true;
	s.pixels = px;
	s.has_rescale = true;
	s.slope = 1;
	s.intercept = -1024;
	s.rescale_type = "HU";
	s.has_window = true;
	s.center = 40;
	s.width = 400;
	s.sop_class = DICOM_SOP_CT;
	s.modality = "CT";
	s.body_part = "CHEST";
	s.study_description = "Synthetic";
	s.series_description = "CT odd";
	img = read_back(&s, &out);
	check_fields(&s, img);
	dicom_free(&img);

	/* MONOCHROME1, 1 bit stored, one frame, fractional numbers. */
	for (size_t i = 0; i < 7 * 9; i++)
		px[i] = (uint16_t)(i % 2);
	s.frames = 1;
	s.bits_stored = 1;
	s.is_signed = false;
	s.photometric = "MONOCHROME1";
	s.slope = 0.001;
	s.intercept = 0.5;
	s.center = 0.25;
	s.width = 1.5;
	s.pixel_spacing[0] = 0.1;
	s.pixel_spacing[1] = 1.0 / 3;
	img = read_back(&s, &out);
	check_fields(&s, img);
	dicom_free(&img);
	free(px);
	buf_free(&out);
}

/* ---- dcmtk as the oracle ---- */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* dcmdump parses path with no warning and no error; dcm2pnm renders every
 * frame with the stored window (min-max when there is none) exactly as
 * window_render does. allowed: one dcm2pnm warning line that is dcmtk's
 * own caution, not a defect, or NULL. Returns dcmdump's text, new. */
static char *check_with_dcmtk(const char *path, const struct dicom_image *img, const char *allowed)
{
	char *log = test_temp_path(scratch, "dcmtk.log"), *pgm = test_temp_path(scratch, "f.pgm");
	char err[256], *text, *dump;
	size_t len;

	if (run("dcmdump -E -dc '%s' >'%s.dump' 2>'%s'", path, log, log) != 0)
		fail_msg("dcmdump failed on %s", path);
	text = slurp(log, &len);
	if (len != 0)
		fail_msg("dcmdump on %s said: %s", path, text);
	free(text);
	text = xasprintf("%s.dump", log);
	dump = slurp(text, &len);
	free(text);
	/* With -dc dcmtk prints values as stored, UI padding (NUL) too. */
	for (size_t i = 0; i < len; i++)
		if (dump[i] == '\0')
			dump[i] = '@';
	for (unsigned f = 0; f < img->frames; f++) {
		struct window_image w;
		unsigned long width, height, max;
		FILE *in;

		if (run("dcm2pnm %s +F %u +opb '%s' '%s' 2>'%s'", img->has_window ? "+Wi 1" : "+Wm",
		        f + 1, path, pgm, log) != 0)
			fail_msg("dcm2pnm failed on %s frame %u", path, f + 1);
		text = slurp(log, &len);
		if (len != 0 && (allowed == NULL || strstr(text, allowed) == NULL ||
		                 strchr(text, '\n') != text + len - 1))
			fail_msg("dcm2pnm on %s said: %s", path, text);
		free(text);
		assert_int_equal(window_render(img, f, NULL, &w, err, sizeof err), 0);
		assert_int_equal(w.source,
		                 img->has_window ? WINDOW_SOURCE_STORED : WINDOW_SOURCE_MINMAX);
		in = fopen(pgm, "r");
		if (in == NULL || fscanf(in, "P2 %lu %lu %lu", &width, &height, &max) != 3)
			fail_msg("cannot read %s", pgm);
		assert_int_equal(width, img->columns);
		assert_int_equal(height, img->rows);
		for (size_t i = 0; i < (size_t)width * height; i++) {
			unsigned long v;

			if (fscanf(in, "%lu", &v) != 1)
				fail_msg("%s: short", pgm);
			if (v != w.pixels[i])
				fail_msg("%s (%s) frame %u pixel %zu: ecii %u, dcm2pnm %lu", path,
				         img->modality, f, i, w.pixels[i], v);
		}
		fclose(in);
		window_image_clear(&w);
	}
	free(pgm);
	free(log);
	return dump;
}

static void need_dcmtk(void)
{
	if (system("{ command -v dcmdump && command -v dcm2pnm; } >/dev/null 2>&1") != 0)
		fail_msg("dcmtk is not installed (dcmdump and dcm2pnm are the oracle for these "
		         "tests): apt-get install dcmtk");
}

static struct dicom_image *write_file(const struct buf *b, const char *name, char **path)
{
	char err[256];
	struct dicom_image *img;

	*path = test_temp_path(scratch, name);
	test_write_file(*path, b->data, b->len);
	img = dicom_read_file(*path, err, sizeof err);
	if (img == NULL)
		fail_msg("%s: %s", *path, err);
	return img;
}

static void test_dcmtk_writer(void **state)
{
	struct dicom_write_spec s = small_spec();
	struct buf out = BUF_INIT;
	struct dicom_image *img;
	uint16_t *px = xcalloc(40 * 30 * 2, sizeof *px);
	char err[256], *path;

	(void)state;
	need_dcmtk();
	/* Signed, rescaled, windowed, two frames: a gradient over the window. */
	for (size_t i = 0; i < 40 * 30 * 2; i++)
		px[i] = (uint16_t)(int16_t)((int)(i % 1200) - 200);
	s.rows = 30;
	s.columns = 40;
	s.frames = 2;
	s.bits_stored = 16;
	s.is_signed = true;
	s.pixels = px;
	s.has_rescale = true;
	s.slope = 1;
	s.intercept = -1024;
	s.has_window = true;
	s.center = -700;
	s.width = 600;
	s.sop_class = DICOM_SOP_CT;
	s.modality = "CT";
	s.pixel_spacing[0] = s.pixel_spacing[1] = 0.5;
	assert_int_equal(dicom_write_image(&s, &out, err, sizeof err), 0);
	img = write_file(&out, "signed.dcm", &path);
	check_fields(&s, img);
	free(check_with_dcmtk(path, img, NULL));
	dicom_free(&img);
	free(path);

	/* Unsigned 12-bit MONOCHROME1 without a window: min-max. */
	for (size_t i = 0; i < 40 * 30; i++)
		px[i] = (uint16_t)((i * 7) % 4096);
	s.frames = 1;
	s.bits_stored = 12;
	s.is_signed = false;
	s.has_rescale = false;
	s.has_window = false;
	s.photometric = "MONOCHROME1";
	s.sop_class = DICOM_SOP_MG_PRESENT;
	s.modality = "MG";
	buf_reset(&out);
	assert_int_equal(dicom_write_image(&s, &out, err, sizeof err), 0);
	img = write_file(&out, "mono1.dcm", &path);
	check_fields(&s, img);
	free(check_with_dcmtk(path, img, NULL));
	dicom_free(&img);
	free(path);
	free(px);
	buf_free(&out);
}

/* ---- phantoms ---- */

static struct phantom_request request(enum phantom_kind kind, enum phantom_region region,
                                      unsigned frames)
{
	struct phantom_request r;

	memset(&r, 0, sizeof r);
	r.kind = kind;
	r.region = region;
	r.frames = frames;
	r.seed = 42;
	r.study_key = "c-test";
	r.image_key = "c-test-1";
	r.patient_id = "PHANTOM-c-test";
	r.study_date = "20240611";
	return r;
}

static void test_phantom_refused(void **state)
{
	struct phantom_request r = request(PHANTOM_CT, PHANTOM_THORAX, 1);
	struct buf out = BUF_INIT;
	enum phantom_kind kind;
	char err[256] = "";

	(void)state;
	assert_int_equal(phantom_dicom(NULL, &out, err, sizeof err), -1);
	r.frames = 0;
	assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), -1);
	assert_non_null(strstr(err, "frames"));
	r.frames = PHANTOM_MAX_FRAMES + 1;
	assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), -1);
	r = request(PHANTOM_CT, PHANTOM_THORAX, 1);
	r.image_key = NULL;
	assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), -1);
	r = request(PHANTOM_CT, PHANTOM_THORAX, 1);
	r.patient_id = "bad\\id";
	assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), -1);
	assert_non_null(strstr(err, "(0010,0020)"));
	r = request(PHANTOM_CT, PHANTOM_THORAX, 1);
	r.study_date = NULL;
	assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(phantom_kind_from_alias("us", &kind), -1);
	assert_int_equal(phantom_kind_from_alias(NULL, &kind), -1);
	assert_int_equal(phantom_kind_from_alias("pet", &kind), 0);
	assert_int_equal(kind, PHANTOM_PET);
	assert_int_equal(phantom_region_from_alias(NULL), PHANTOM_ABDOMEN);
	assert_int_equal(phantom_region_from_alias("lung"), PHANTOM_THORAX);
	assert_int_equal(phantom_region_from_alias("prostate"), PHANTOM_PELVIS);
	assert_int_equal(phantom_region_from_alias("breast"), PHANTOM_BREAST);
	buf_free(&out);
}

/* Share of values within tol of x. */
static double share_near(const double *v, size_t n, double x, double tol)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += fabs(v[i] - x) <= tol;
	return (double)k / n;
}

static void test_phantom_ct_values(void **state)
{
	struct phantom_request r = request(PHANTOM_CT, PHANTOM_THORAX, 1);
	struct buf out = BUF_INIT;
	struct dicom_image *img;
	double *v;
	char err[256];
	size_t n;

	(void)state;
	assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), 0);
	img = dicom_read(out.data, out.len, err, sizeof err);
	assert_non_null(img);
	assert_int_equal(img->rows, 256);
	assert_int_equal(img->columns, 256);
	assert_int_equal(img->pixel_representation, 1);
	assert_true(img->rescale_intercept == -1024);
	assert_true(img->window_center == 40 && img->window_width == 400);
	assert_string_equal(img->modality, "CT");
	assert_string_equal(img->body_part, "CHEST");
	n = dicom_frame_samples(img);
	v = xcalloc(n, sizeof *v);
	assert_int_equal(dicom_frame_values(img, 0, v, n, err, sizeof err), 0);
	/* Corners: outside the reconstruction circle, exactly -1024 HU. */
	assert_true(v[0] == -1024 && v[n - 1] == -1024);
	/* Air, lung, fat, soft tissue and bone are all there (noise sd 12). */
	assert_true(share_near(v, n, -1000, 40) > 0.05);
	assert_true(share_near(v, n, -850, 40) > 0.05);
	assert_true(share_near(v, n, -100, 40) > 0.02);
	assert_true(share_near(v, n, 45, 40) > 0.02);
	assert_true(share_near(v, n, 700, 40) > 0.002);
	free(v);
	dicom_free(&img);
	buf_free(&out);
}

static void test_phantom_deterministic(void **state)
{
	struct phantom_request r = request(PHANTOM_MR, PHANTOM_PELVIS, 3);
	struct buf a = BUF_INIT, b = BUF_INIT;
	char err[256];

	(void)state;
	assert_int_equal(phantom_dicom(&r, &a, err, sizeof err), 0);
	assert_int_equal(phantom_dicom(&r, &b, err, sizeof err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	/* Another seed changes the noise, not the size. */
	r.seed = 43;
	buf_reset(&b);
	assert_int_equal(phantom_dicom(&r, &b, err, sizeof err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.data, b.data, a.len);
	buf_free(&a);
	buf_free(&b);
}

/* Every kind and region through dcmtk; multi-frame slices differ. */
static void test_phantom_dcmtk(void **state)
{
	static const struct {
		enum phantom_kind kind;
		enum phantom_region region;
		unsigned frames;
		const char *allowed, *in_dump;
	} cases[] = {
		{ PHANTOM_CT, PHANTOM_THORAX, 4, NULL, "(0028,1054) LO [HU]" },
		{ PHANTOM_CT, PHANTOM_ABDOMEN, 1, NULL, "(0018,0015) CS [ABDOMEN ]" },
		{ PHANTOM_MR, PHANTOM_PELVIS, 3, NULL, "(0028,0008) IS [3 ]" },
		{ PHANTOM_MR, PHANTOM_BREAST, 1, NULL, "(0020,0052) UI [2.25." },
		{ PHANTOM_MG, PHANTOM_BREAST, 1, NULL, "(0020,0062) CS [L ]" },
		/* dcmtk cautions about any PET with a rescale, which PET must have. */
		{ PHANTOM_PET, PHANTOM_PELVIS, 2, "processing PET image ... applying modality",
		  "(0054,1001) CS [BQML]" },
	};
	char err[256];

	(void)state;
	need_dcmtk();
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct phantom_request r = request(cases[c].kind, cases[c].region, cases[c].frames);
		struct buf out = BUF_INIT;
		struct dicom_image *img;
		char *path, *dump;

		assert_int_equal(phantom_dicom(&r, &out, err, sizeof err), 0);
		img = write_file(&out, "phantom.dcm", &path);
		assert_int_equal(img->frames, cases[c].frames);
		assert_string_equal(img->modality, phantom_kind_modality(cases[c].kind));
		assert_string_equal(img->photometric,
		                    cases[c].kind == PHANTOM_MG ? "MONOCHROME1" : "MONOCHROME2");
		assert_int_equal(img->has_window != 0, cases[c].kind != PHANTOM_MR);
		if (img->frames > 1) {
			size_t bytes = img->pixel_len / img->frames;

			assert_memory_not_equal(img->pixels, img->pixels + bytes, bytes);
		}
		dump = check_with_dcmtk(path, img, cases[c].allowed);
		/* Values as stored: odd-length text padded with a space. */
		assert_non_null(strstr(dump, "(0010,0010) PN [Phantom^Synthetic ]"));
		assert_non_null(
		    strstr(dump, "(0002,0012) UI [" DICOM_IMPLEMENTATION_CLASS_UID "]"));
		if (strstr(dump, cases[c].in_dump) == NULL)
			fail_msg("no '%s' in the dump of phantom %zu", cases[c].in_dump, c);
		free(dump);
		dicom_free(&img);
		free(path);
		buf_free(&out);
	}
}

static int setup(void **state)
{
	(void)state;
	scratch = test_tmpdir("dicom-write");
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
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_uids),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_dcmtk_writer),
		cmocka_unit_test(test_phantom_refused),
		cmocka_unit_test(test_phantom_ct_values),
		cmocka_unit_test(test_phantom_deterministic),
		cmocka_unit_test(test_phantom_dcmtk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
