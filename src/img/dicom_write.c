/* The DICOM writer (see dicom_write.h): checks every value against its VR,
 * then emits elements through one function that refuses a tag not above the
 * previous one, so the dataset is in ascending order by construction. The
 * file meta group is built first in its own buffer so that (0002,0000) can
 * carry its exact length. It must not write a value it has not checked, nor
 * depend on anything but its input. */
#include "config.h"

#include "img/dicom_write.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/dicom.h"
#include "util/hash.h"
#include "util/xmalloc.h"

#define TAG(g, e) (((uint32_t)(g) << 16) | (uint32_t)(e))

struct writer {
	struct buf *b;
	uint32_t last; /* the previous tag; 0 before the first */
	int failed;
	char *err;
	size_t errlen;
};

static void set_err(struct writer *w, uint32_t tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(struct writer *w, uint32_t tag, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	if (w->failed)
		return;
	w->failed = 1;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (w->err != NULL && w->errlen > 0)
		snprintf(w->err, w->errlen, "(%04X,%04X): %s", tag >> 16, tag & 0xFFFF, why);
}

static void put16(struct buf *b, unsigned v)
{
	char x[2] = { (char)(v & 0xff), (char)((v >> 8) & 0xff) };

	buf_append(b, x, 2);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v & 0xffff);
	put16(b, v >> 16);
}

/* One element: tag, VR, length, value, and the pad byte when len is odd. */
static void put_element(struct writer *w, uint32_t tag, const char *vr, const void *v, size_t len)
{
	int long_vr = strcmp(vr, "OB") == 0 || strcmp(vr, "OW") == 0;
	size_t padded = len + (len & 1);

	if (w->failed)
		return;
	if (w->last != 0 && tag <= w->last) {
		set_err(w, tag, "written after (%04X,%04X): elements must ascend", w->last >> 16,
		        w->last & 0xFFFF);
		return;
	}
	if ((!long_vr && padded > 0xFFFF) || (long_vr && padded > 0xFFFFFFFEu)) {
		set_err(w, tag, "value of %zu bytes is too long for VR %s", len, vr);
		return;
	}
	w->last = tag;
	put16(w->b, tag >> 16);
	put16(w->b, tag & 0xFFFF);
	buf_append(w->b, vr, 2);
	if (long_vr) {
		put16(w->b, 0);
		put32(w->b, (uint32_t)padded);
	} else {
		put16(w->b, (unsigned)padded);
	}
	if (len > 0)
		buf_append(w->b, v, len);
	if (len & 1)
		buf_putc(w->b, strcmp(vr, "UI") == 0 || strcmp(vr, "OB") == 0 ? '\0' : ' ');
}

/* ---- checked values ------------------------------------------------------ */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Text VRs: max length (per value for CS), allowed characters. */
static int text_ok(struct writer *w, uint32_t tag, const char *vr, const char *s)
{
	size_t n = strlen(s), max, value_len = 0;

	if (strcmp(vr, "CS") == 0 || strcmp(vr, "SH") == 0)
		max = 16;
	else if (strcmp(vr, "UI") == 0 || strcmp(vr, "LO") == 0 || strcmp(vr, "PN") == 0)
		max = 64;
	else if (strcmp(vr, "DA") == 0)
		max = 8;
	else
		max = 16; /* TM, DS, IS: checked below */
	for (size_t i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '\\' && strcmp(vr, "CS") == 0) {
			value_len = 0;
			continue;
		}
		if (c == '\0')
			break;
		if (++value_len > max) {
			set_err(w, tag, "%s value longer than %zu characters", vr, max);
			return -1;
		}
		if (strcmp(vr, "CS") == 0 &&
		    !((c >= 'A' && c <= 'Z') || is_digit(c) || c == ' ' || c == '_')) {
			set_err(w, tag, "CS value may hold only A-Z, 0-9, space and _");
			return -1;
		}
		if (strcmp(vr, "UI") == 0 && !is_digit(c) && c != '.') {
			set_err(w, tag, "UID may hold only digits and dots");
			return -1;
		}
		if ((strcmp(vr, "DA") == 0 || strcmp(vr, "TM") == 0) && !is_digit(c)) {
			set_err(w, tag, "%s value may hold only digits", vr);
			return -1;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f || c == '\\') {
			set_err(w, tag, "%s value holds a control character or a backslash", vr);
			return -1;
		}
	}
	if (strcmp(vr, "DA") == 0 && n != 8) {
		set_err(w, tag, "DA value must be YYYYMMDD");
		return -1;
	}
	if (strcmp(vr, "TM") == 0 && (n < 2 || n > 6 || n % 2 != 0)) {
		set_err(w, tag, "TM value must be HH, HHMM or HHMMSS");
		return -1;
	}
	if (strcmp(vr, "UI") == 0) {
		/* Components: non-empty, no leading zero unless "0" itself. */
		const char *p = s;

		if (n == 0) {
			set_err(w, tag, "empty UID");
			return -1;
		}
		for (;;) {
			const char *dot = strchr(p, '.');
			size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);

			if (len == 0 || (len > 1 && p[0] == '0')) {
				set_err(w, tag, "UID component empty or with a leading zero");
				return -1;
			}
			if (dot == NULL)
				break;
			p = dot + 1;
		}
	}
	return 0;
}

/* A text element; NULL is an error when required, else omitted (or written
 * empty when empty_if_null, for type 2 elements). */
static void put_text(struct writer *w, uint32_t tag, const char *vr, const char *s, int required,
                     int empty_if_null)
{
	if (w->failed)
		return;
	if (s == NULL) {
		if (required)
			set_err(w, tag, "required value missing");
		else if (empty_if_null)
			put_element(w, tag, vr, "", 0);
		return;
	}
	if (text_ok(w, tag, vr, s) < 0)
		return;
	put_element(w, tag, vr, s, strlen(s));
}

/* x as a DS within 16 characters: the most precise %g that reads back as
 * x, else the most precise that fits. */
static int format_ds(double x, char out[17])
{
	if (!isfinite(x))
		return -1;
	for (int prec = 15; prec >= 1; prec--) {
		int n = snprintf(out, 17, "%.*g", prec, x);

		if (n > 0 && n <= 16 && strtod(out, NULL) == x)
			return 0;
	}
	for (int prec = 15; prec >= 1; prec--) {
		int n = snprintf(out, 17, "%.*g", prec, x);

		if (n > 0 && n <= 16)
			return 0;
	}
	return -1;
}

/* n DS values joined by '\'. */
static void put_ds(struct writer *w, uint32_t tag, const double *x, size_t n)
{
	char text[17 * 8] = "", one[17];

	for (size_t i = 0; i < n && i < 8; i++) {
		if (format_ds(x[i], one) < 0) {
			set_err(w, tag, "DS value is not a finite number");
			return;
		}
		if (i > 0)
			strcat(text, "\\");
		strcat(text, one);
	}
	put_element(w, tag, "DS", text, strlen(text));
}

static void put_is(struct writer *w, uint32_t tag, unsigned v)
{
	char text[16];
	int n = snprintf(text, sizeof text, "%u", v);

	if (v > INT32_MAX) {
		set_err(w, tag, "IS value %u is over 2^31 - 1", v);
		return;
	}
	put_element(w, tag, "IS", text, (size_t)n);
}

static void put_us(struct writer *w, uint32_t tag, unsigned v)
{
	char x[2] = { (char)(v & 0xff), (char)((v >> 8) & 0xff) };

	if (v > 0xFFFF) {
		set_err(w, tag, "US value %u is over 65535", v);
		return;
	}
	put_element(w, tag, "US", x, 2);
}

/* (0028,0106/0107) take the pixels' VR: SS when signed, else US. */
static void put_ss_or_us(struct writer *w, uint32_t tag, int is_signed, int v)
{
	unsigned u = (unsigned)v & 0xFFFF;
	char x[2] = { (char)(u & 0xff), (char)(u >> 8) };

	put_element(w, tag, is_signed ? "SS" : "US", x, 2);
}

/* ---- UIDs ------------------------------------------------------------------ */

void dicom_uid_from_text(const char *text, char out[DICOM_UID_MAX + 1])
{
	uint8_t d[HASH_SHA256_LEN], num[16];
	char digits[48];
	size_t nd = 0;
	int nonzero;

	hash_sha256(text, strlen(text), d);
	memcpy(num, d, 16);
	num[6] = (uint8_t)((num[6] & 0x0F) | 0x80); /* version 8 */
	num[8] = (uint8_t)((num[8] & 0x3F) | 0x80); /* variant 10 */
	/* Long division by 10 of the big-endian 128-bit number. */
	do {
		unsigned rem = 0;

		nonzero = 0;
		for (int i = 0; i < 16; i++) {
			unsigned cur = rem << 8 | num[i];

			num[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
			nonzero |= num[i];
		}
		digits[nd++] = (char)('0' + rem);
	} while (nonzero);
	memcpy(out, "2.25.", 5);
	for (size_t i = 0; i < nd; i++)
		out[5 + i] = digits[nd - 1 - i];
	out[5 + nd] = '\0';
}

/* ---- the file -------------------------------------------------------------- */

static int spec_ok(struct writer *w, const struct dicom_write_spec *s)
{
	if (s->rows < 1 || s->rows > DICOM_MAX_DIM || s->columns < 1 ||
	    s->columns > DICOM_MAX_DIM) {
		set_err(w, TAG(0x0028, 0x0010), "rows and columns must be 1..%d", DICOM_MAX_DIM);
		return -1;
	}
	if (s->frames < 1 || s->frames > DICOM_MAX_FRAMES) {
		set_err(w, TAG(0x0028, 0x0008), "frames must be 1..%d", DICOM_MAX_FRAMES);
		return -1;
	}
	if ((size_t)s->rows * s->columns * s->frames * 2 > DICOM_MAX_PIXEL_BYTES) {
		set_err(w, TAG(0x7FE0, 0x0010), "pixel data over %zu bytes", DICOM_MAX_PIXEL_BYTES);
		return -1;
	}
	if (s->bits_stored < 1 || s->bits_stored > 16) {
		set_err(w, TAG(0x0028, 0x0101), "bits stored must be 1..16");
		return -1;
	}
	if (s->photometric == NULL || (strcmp(s->photometric, "MONOCHROME1") != 0 &&
	                               strcmp(s->photometric, "MONOCHROME2") != 0)) {
		set_err(w, TAG(0x0028, 0x0004), "photometric must be MONOCHROME1 or MONOCHROME2");
		return -1;
	}
	if (s->pixels == NULL) {
		set_err(w, TAG(0x7FE0, 0x0010), "no pixels");
		return -1;
	}
	if (s->has_rescale && (!isfinite(s->slope) || s->slope == 0 || !isfinite(s->intercept))) {
		set_err(w, TAG(0x0028, 0x1053), "rescale slope must be finite and non-zero");
		return -1;
	}
	if (s->has_window && (!isfinite(s->center) || !isfinite(s->width) || s->width < 1)) {
		set_err(w, TAG(0x0028, 0x1051), "window width must be finite and >= 1");
		return -1;
	}
	return 0;
}

/* The smallest and largest stored value, or -1 naming the first pixel that
 * does not fit bits_stored. */
static int pixel_range(struct writer *w, const struct dicom_write_spec *s, int *lo, int *hi)
{
	size_t n = (size_t)s->rows * s->columns * s->frames;
	int min_ok = s->is_signed ? -(1 << (s->bits_stored - 1)) : 0;
	int max_ok = s->is_signed ? (1 << (s->bits_stored - 1)) - 1 : (1 << s->bits_stored) - 1;

	*lo = INT32_MAX;
	*hi = INT32_MIN;
	for (size_t i = 0; i < n; i++) {
		int v = s->is_signed ? (int)(int16_t)s->pixels[i] : (int)s->pixels[i];

		if (v < min_ok || v > max_ok) {
			set_err(w, TAG(0x7FE0, 0x0010), "pixel %zu value %d does not fit %u bits%s",
			        i, v, s->bits_stored, s->is_signed ? " signed" : "");
			return -1;
		}
		if (v < *lo)
			*lo = v;
		if (v > *hi)
			*hi = v;
	}
	return 0;
}

static void put_meta(struct writer *w, const struct dicom_write_spec *s)
{
	struct buf group = BUF_INIT;
	struct writer g = { &group, 0, 0, w->err, w->errlen };
	char version[17];

	snprintf(version, sizeof version, "ECII_%s", PACKAGE_VERSION);
	for (char *p = version; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == '\\')
			*p = '_';
	put_element(&g, TAG(0x0002, 0x0001), "OB", "\0\1", 2);
	put_text(&g, TAG(0x0002, 0x0002), "UI", s->sop_class, 1, 0);
	put_text(&g, TAG(0x0002, 0x0003), "UI", s->sop_instance, 1, 0);
	put_text(&g, TAG(0x0002, 0x0010), "UI", DICOM_TS_EXPLICIT_LE, 1, 0);
	put_text(&g, TAG(0x0002, 0x0012), "UI", DICOM_IMPLEMENTATION_CLASS_UID, 1, 0);
	put_text(&g, TAG(0x0002, 0x0013), "SH", version, 1, 0);
	if (g.failed) {
		w->failed = 1;
	} else {
		uint32_t n = (uint32_t)group.len;
		char len[4] = { (char)(n & 0xff), (char)((n >> 8) & 0xff), (char)((n >> 16) & 0xff),
			        (char)(n >> 24) };

		put_element(w, TAG(0x0002, 0x0000), "UL", len, 4);
		buf_append(w->b, group.data, group.len);
		w->last = TAG(0x0002, 0xFFFF);
	}
	buf_free(&group);
}

static void put_dataset(struct writer *w, const struct dicom_write_spec *s, int lo, int hi)
{
	size_t n = (size_t)s->rows * s->columns * s->frames;
	unsigned char *px;

	put_text(w, TAG(0x0008, 0x0008), "CS", s->image_type, 0, 0);
	put_text(w, TAG(0x0008, 0x0016), "UI", s->sop_class, 1, 0);
	put_text(w, TAG(0x0008, 0x0018), "UI", s->sop_instance, 1, 0);
	put_text(w, TAG(0x0008, 0x0020), "DA", s->study_date, 1, 0);
	put_text(w, TAG(0x0008, 0x0023), "DA", s->study_date, 1, 0);
	put_text(w, TAG(0x0008, 0x0030), "TM", s->study_time, 1, 0);
	put_text(w, TAG(0x0008, 0x0033), "TM", s->study_time, 1, 0);
	put_text(w, TAG(0x0008, 0x0050), "SH", NULL, 0, 1);
	put_text(w, TAG(0x0008, 0x0060), "CS", s->modality, 1, 0);
	put_text(w, TAG(0x0008, 0x0070), "LO", s->manufacturer, 0, 1);
	put_text(w, TAG(0x0008, 0x0090), "PN", NULL, 0, 1);
	put_text(w, TAG(0x0008, 0x1030), "LO", s->study_description, 0, 0);
	put_text(w, TAG(0x0008, 0x103E), "LO", s->series_description, 0, 0);
	put_text(w, TAG(0x0010, 0x0010), "PN", s->patient_name, 1, 0);
	put_text(w, TAG(0x0010, 0x0020), "LO", s->patient_id, 1, 0);
	put_text(w, TAG(0x0010, 0x0030), "DA", NULL, 0, 1);
	put_text(w, TAG(0x0010, 0x0040), "CS", s->patient_sex, 0, 1);
	put_text(w, TAG(0x0018, 0x0015), "CS", s->body_part, 0, 0);
	if (s->slice_thickness != 0)
		put_ds(w, TAG(0x0018, 0x0050), &s->slice_thickness, 1);
	put_text(w, TAG(0x0018, 0x5101), "CS", s->view_position, 0, 0);
	put_text(w, TAG(0x0020, 0x000D), "UI", s->study_uid, 1, 0);
	put_text(w, TAG(0x0020, 0x000E), "UI", s->series_uid, 1, 0);
	put_text(w, TAG(0x0020, 0x0010), "SH", s->study_id, 0, 1);
	put_is(w, TAG(0x0020, 0x0011), s->series_number);
	put_is(w, TAG(0x0020, 0x0013), s->instance_number);
	put_text(w, TAG(0x0020, 0x0020), "CS", s->patient_orientation, 0, 0);
	if (s->has_plane) {
		put_ds(w, TAG(0x0020, 0x0032), s->position, 3);
		put_ds(w, TAG(0x0020, 0x0037), s->orientation, 6);
	}
	put_text(w, TAG(0x0020, 0x0052), "UI", s->frame_of_reference_uid, 0, 0);
	put_text(w, TAG(0x0020, 0x0062), "CS", s->laterality, 0, 0);
	put_us(w, TAG(0x0028, 0x0002), 1);
	put_text(w, TAG(0x0028, 0x0004), "CS", s->photometric, 1, 0);
	if (s->frames > 1)
		put_is(w, TAG(0x0028, 0x0008), s->frames);
	put_us(w, TAG(0x0028, 0x0010), s->rows);
	put_us(w, TAG(0x0028, 0x0011), s->columns);
	if (s->pixel_spacing[0] != 0 || s->pixel_spacing[1] != 0)
		put_ds(w, TAG(0x0028, 0x0030), s->pixel_spacing, 2);
	put_us(w, TAG(0x0028, 0x0100), 16);
	put_us(w, TAG(0x0028, 0x0101), s->bits_stored);
	put_us(w, TAG(0x0028, 0x0102), s->bits_stored - 1);
	put_us(w, TAG(0x0028, 0x0103), s->is_signed ? 1 : 0);
	put_ss_or_us(w, TAG(0x0028, 0x0106), s->is_signed, lo);
	put_ss_or_us(w, TAG(0x0028, 0x0107), s->is_signed, hi);
	if (s->has_window) {
		put_ds(w, TAG(0x0028, 0x1050), &s->center, 1);
		put_ds(w, TAG(0x0028, 0x1051), &s->width, 1);
	}
	if (s->has_rescale) {
		put_ds(w, TAG(0x0028, 0x1052), &s->intercept, 1);
		put_ds(w, TAG(0x0028, 0x1053), &s->slope, 1);
		put_text(w, TAG(0x0028, 0x1054), "LO", s->rescale_type, 0, 0);
	}
	put_text(w, TAG(0x0054, 0x1001), "CS", s->units, 0, 0);
	if (w->failed)
		return;
	/* Little-endian words, whatever the host. */
	px = xmalloc(n * 2);
	for (size_t i = 0; i < n; i++) {
		px[2 * i] = (unsigned char)(s->pixels[i] & 0xff);
		px[2 * i + 1] = (unsigned char)(s->pixels[i] >> 8);
	}
	put_element(w, TAG(0x7FE0, 0x0010), "OW", px, n * 2);
	free(px);
}

int dicom_write_image(const struct dicom_write_spec *s, struct buf *out, char *err, size_t errlen)
{
	struct writer w = { out, 0, 0, err, errlen };
	size_t start = out->len;
	int lo, hi;
	char preamble[128];

	if (spec_ok(&w, s) < 0 || pixel_range(&w, s, &lo, &hi) < 0)
		return -1;
	memset(preamble, 0, sizeof preamble);
	buf_append(out, preamble, sizeof preamble);
	buf_append(out, "DICM", 4);
	put_meta(&w, s);
	put_dataset(&w, s, lo, hi);
	if (w.failed) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		return -1;
	}
	return 0;
}
