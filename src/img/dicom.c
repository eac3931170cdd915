/* The DICOM preview reader (see dicom.h): walks the element stream of a
 * Part 10 file or bare dataset with bounds checked on every read, recursing
 * into sequences (defined or undefined length, nested up to a limit), keeps
 * the top-level fields a preview needs, copies native pixel data and lists
 * the fragments of encapsulated pixel data for the decoders
 * (dicom_codec.h). It must never read outside the buffer, whatever the
 * lengths say; decoding itself lives in dicom_encap/jpeg/rle.c. */
#include "config.h"

#include "img/dicom.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "img/dicom_codec.h"
#include "util/file.h"
#include "util/xmalloc.h"

#define TAG(g, e)      (((uint32_t)(g) << 16) | (uint32_t)(e))
#define TAG_ITEM       TAG(0xFFFE, 0xE000)
#define TAG_ITEM_END   TAG(0xFFFE, 0xE00D)
#define TAG_SEQ_END    TAG(0xFFFE, 0xE0DD)
#define TAG_PIXEL_DATA TAG(0x7FE0, 0x0010)
#define UNDEFINED      0xFFFFFFFFu
#define NO_TAG         0xFFFFFFFFu

struct reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	int explicit_vr;
	int big_endian;
	const char *unit; /* "byte" or "inflated byte" */
	unsigned long elements;
	struct dicom_image *img;
	char pixel_vr[3];
	size_t pixel_at; /* where (7FE0,0010) starts */
	/* Top-level encapsulated pixel data: offset table and fragments. */
	struct dicom_fragment *frags;
	size_t nfrags;
	/* PALETTE COLOR descriptors and data (red, green, blue), borrowed. */
	const unsigned char *lut_desc[3], *lut_data[3];
	size_t lut_desc_len[3], lut_data_len[3];
	char *err;
	size_t errlen;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}

/* One line: "(GGGG,EEEE) at byte N: reason", or "at byte N: reason". */
static int fail(struct reader *r, uint32_t tag, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct reader *r, uint32_t tag, size_t at, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (tag == NO_TAG)
		set_err(r->err, r->errlen, "at %s %zu: %s", r->unit, at, why);
	else
		set_err(r->err, r->errlen, "(%04X,%04X) at %s %zu: %s", tag >> 16, tag & 0xFFFF,
		        r->unit, at, why);
	return -1;
}

static uint16_t get16(const unsigned char *p, int be)
{
	return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t get32(const unsigned char *p, int be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static const char *const long_vrs[] = { "OB", "OD", "OF", "OL", "OV", "OW", "SQ",
	                                "SV", "UC", "UN", "UR", "UT", "UV" };
static const char *const short_vrs[] = { "AE", "AS", "AT", "CS", "DA", "DS", "DT",
	                                 "FL", "FD", "IS", "LO", "LT", "PN", "SH",
	                                 "SL", "SS", "ST", "TM", "UI", "UL", "US" };

static int vr_in(const char *vr, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (vr[0] == list[i][0] && vr[1] == list[i][1])
			return 1;
	}
	return 0;
}

static int vr_is_long(const char *vr)
{
	return vr_in(vr, long_vrs, sizeof long_vrs / sizeof long_vrs[0]);
}

static int vr_known(const char *vr)
{
	return vr_is_long(vr) || vr_in(vr, short_vrs, sizeof short_vrs / sizeof short_vrs[0]);
}

/* The VR of the tags we keep, for implicit VR datasets. */
static const char *implicit_vr(uint32_t tag)
{
	switch (tag) {
	case TAG(0x0028, 0x0002):
	case TAG(0x0028, 0x0006):
	case TAG(0x0028, 0x0010):
	case TAG(0x0028, 0x0011):
	case TAG(0x0028, 0x0100):
	case TAG(0x0028, 0x0101):
	case TAG(0x0028, 0x0102):
	case TAG(0x0028, 0x0103):
	case TAG(0x0028, 0x1101):
	case TAG(0x0028, 0x1102):
	case TAG(0x0028, 0x1103):
		return "US";
	case TAG(0x0028, 0x1201):
	case TAG(0x0028, 0x1202):
	case TAG(0x0028, 0x1203):
		return "OW";
	case TAG(0x0028, 0x0008):
		return "IS";
	case TAG(0x0028, 0x1050):
	case TAG(0x0028, 0x1051):
	case TAG(0x0028, 0x1052):
	case TAG(0x0028, 0x1053):
		return "DS";
	case TAG_PIXEL_DATA:
		return "OW";
	default:
		return "UN";
	}
}

static const struct {
	const char *uid;
	const char *name;
} compressed_names[] = {
	{ "1.2.840.10008.1.2.4.50", "JPEG baseline" },
	{ "1.2.840.10008.1.2.4.51", "JPEG extended" },
	{ "1.2.840.10008.1.2.4.57", "JPEG lossless" },
	{ "1.2.840.10008.1.2.4.70", "JPEG lossless SV1" },
	{ "1.2.840.10008.1.2.4.80", "JPEG-LS lossless" },
	{ "1.2.840.10008.1.2.4.81", "JPEG-LS near-lossless" },
	{ "1.2.840.10008.1.2.4.90", "JPEG 2000 lossless" },
	{ "1.2.840.10008.1.2.4.91", "JPEG 2000" },
	{ "1.2.840.10008.1.2.4.100", "MPEG2" },
	{ "1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264" },
	{ "1.2.840.10008.1.2.4.201", "HTJ2K lossless" },
	{ "1.2.840.10008.1.2.4.203", "HTJ2K" },
	{ "1.2.840.10008.1.2.5", "RLE" },
};

const char *dicom_transfer_syntax_name(const char *uid)
{
	static const struct {
		const char *uid;
		const char *name;
	} native[] = {
		{ "1.2.840.10008.1.2", "Implicit VR Little Endian" },
		{ "1.2.840.10008.1.2.1", "Explicit VR Little Endian" },
		{ "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian" },
		{ "1.2.840.10008.1.2.2", "Explicit VR Big Endian" },
	};

	if (*uid == '\0')
		return "none (a bare dataset)";
	for (size_t i = 0; i < sizeof native / sizeof native[0]; i++)
		if (strcmp(uid, native[i].uid) == 0)
			return native[i].name;
	for (size_t i = 0; i < sizeof compressed_names / sizeof compressed_names[0]; i++)
		if (strcmp(uid, compressed_names[i].uid) == 0)
			return compressed_names[i].name;
	return uid;
}

static const char *compression_name(const char *uid)
{
	for (size_t i = 0; i < sizeof compressed_names / sizeof compressed_names[0]; i++) {
		if (strcmp(uid, compressed_names[i].uid) == 0)
			return compressed_names[i].name;
	}
	return "an unknown transfer syntax";
}

/* Copies a string value into dst (size n), dropping trailing spaces and
 * NULs, keeping the first value of a multi-valued one when first is set. */
static void copy_str(char *dst, size_t n, const unsigned char *v, size_t len, int first)
{
	size_t k = 0;

	for (size_t i = 0; i < len && k + 1 < n; i++) {
		if (first && v[i] == '\\')
			break;
		dst[k++] = (v[i] < 0x20 || v[i] >= 0x7f) ? (v[i] == 0 ? ' ' : '?') : (char)v[i];
	}
	while (k > 0 && dst[k - 1] == ' ')
		k--;
	dst[k] = '\0';
	/* Leading spaces are padding too for DS and IS. */
	if (first) {
		size_t s = 0;
		while (dst[s] == ' ')
			s++;
		memmove(dst, dst + s, k - s + 1);
	}
}

/* First value of a DS or IS as a finite double; -1 if it is not one. */
static int first_number(const unsigned char *v, size_t len, double *out)
{
	char text[64];
	char *end;

	copy_str(text, sizeof text, v, len, 1);
	if (text[0] == '\0')
		return -1;
	errno = 0;
	*out = strtod(text, &end);
	if (*end != '\0' || errno != 0 || !isfinite(*out))
		return -1;
	return 0;
}

static int read_us(struct reader *r, uint32_t tag, size_t at, const unsigned char *v, size_t len,
                   unsigned *out)
{
	if (len < 2)
		return fail(r, tag, at, "US value of %zu bytes", len);
	*out = get16(v, r->big_endian);
	return 0;
}

/* Keeps the value of one top-level element. */
static int keep(struct reader *r, uint32_t tag, const char *vr, size_t at, const unsigned char *v,
                size_t len)
{
	struct dicom_image *img = r->img;
	double d;

	switch (tag) {
	case TAG(0x0002, 0x0010):
		copy_str(img->transfer_syntax, sizeof img->transfer_syntax, v, len, 0);
		return 0;
	case TAG(0x0008, 0x0016):
		copy_str(img->sop_class, sizeof img->sop_class, v, len, 0);
		return 0;
	case TAG(0x0008, 0x0060):
		copy_str(img->modality, sizeof img->modality, v, len, 0);
		return 0;
	case TAG(0x0008, 0x1030):
		copy_str(img->study_description, sizeof img->study_description, v, len, 0);
		return 0;
	case TAG(0x0008, 0x103E):
		copy_str(img->series_description, sizeof img->series_description, v, len, 0);
		return 0;
	case TAG(0x0018, 0x0015):
		copy_str(img->body_part, sizeof img->body_part, v, len, 0);
		return 0;
	case TAG(0x0028, 0x0004):
		copy_str(img->photometric, sizeof img->photometric, v, len, 0);
		return 0;
	case TAG(0x0028, 0x0002):
		return read_us(r, tag, at, v, len, &img->samples_per_pixel);
	case TAG(0x0028, 0x0006):
		return read_us(r, tag, at, v, len, &img->planar_configuration);
	case TAG(0x0028, 0x0010):
		return read_us(r, tag, at, v, len, &img->rows);
	case TAG(0x0028, 0x0011):
		return read_us(r, tag, at, v, len, &img->columns);
	case TAG(0x0028, 0x0100):
		return read_us(r, tag, at, v, len, &img->bits_allocated);
	case TAG(0x0028, 0x0101):
		return read_us(r, tag, at, v, len, &img->bits_stored);
	case TAG(0x0028, 0x0102):
		return read_us(r, tag, at, v, len, &img->high_bit);
	case TAG(0x0028, 0x0103):
		return read_us(r, tag, at, v, len, &img->pixel_representation);
	case TAG(0x0028, 0x0008):
		if (len == 0)
			return 0;
		if (first_number(v, len, &d) != 0 || d < 1 || d > DICOM_MAX_FRAMES || d != floor(d))
			return fail(r, tag, at, "number of frames is not an integer in 1..%d",
			            DICOM_MAX_FRAMES);
		img->frames = (unsigned)d;
		return 0;
	case TAG(0x0028, 0x1050):
		if (first_number(v, len, &d) == 0) {
			img->window_center = d;
			img->has_window |= 1;
		}
		return 0;
	case TAG(0x0028, 0x1051):
		if (first_number(v, len, &d) == 0 && d >= 1) {
			img->window_width = d;
			img->has_window |= 2;
		}
		return 0;
	case TAG(0x0028, 0x1052):
		if (first_number(v, len, &d) == 0)
			img->rescale_intercept = d;
		return 0;
	case TAG(0x0028, 0x1053):
		if (first_number(v, len, &d) == 0 && d != 0)
			img->rescale_slope = d;
		return 0;
	case TAG(0x0028, 0x1101):
	case TAG(0x0028, 0x1102):
	case TAG(0x0028, 0x1103):
		r->lut_desc[(tag & 0xF) - 1] = v;
		r->lut_desc_len[(tag & 0xF) - 1] = len;
		return 0;
	case TAG(0x0028, 0x1201):
	case TAG(0x0028, 0x1202):
	case TAG(0x0028, 0x1203):
		r->lut_data[(tag & 0xF) - 1] = v;
		r->lut_data_len[(tag & 0xF) - 1] = len;
		return 0;
	case TAG_PIXEL_DATA:
		if (len > DICOM_MAX_PIXEL_BYTES)
			return fail(r, tag, at, "pixel data of %zu bytes is over the limit of %zu",
			            len, DICOM_MAX_PIXEL_BYTES);
		free(img->pixels);
		img->pixels = xmalloc(len > 0 ? len : 1);
		memcpy(img->pixels, v, len);
		img->pixel_len = len;
		r->pixel_vr[0] = vr[0];
		r->pixel_vr[1] = vr[1];
		r->pixel_at = at;
		return 0;
	default:
		(void)vr;
		return 0;
	}
}

static int read_dataset(struct reader *r, size_t end, int depth, int until_item_end, int top);

/* Reads an element header at r->pos: tag, VR (explicit, or from the table)
 * and length; item and delimiter tags have no VR. */
static int read_header(struct reader *r, size_t end, uint32_t *tag, char vr[3], uint32_t *len)
{
	size_t at = r->pos;
	const unsigned char *p = r->buf + at;

	if (end - at < 8)
		return fail(r, NO_TAG, at, "element header cut short (%zu of 8 bytes left)",
		            end - at);
	*tag = TAG(get16(p, r->big_endian), get16(p + 2, r->big_endian));
	if ((*tag >> 16) == 0xFFFE || !r->explicit_vr) {
		*len = get32(p + 4, r->big_endian);
		if ((*tag >> 16) == 0xFFFE)
			strcpy(vr, "--");
		else
			strcpy(vr, implicit_vr(*tag));
		r->pos += 8;
		return 0;
	}
	vr[0] = (char)p[4];
	vr[1] = (char)p[5];
	vr[2] = '\0';
	if (!vr_known(vr)) {
		if (p[4] >= 'A' && p[4] <= 'Z' && p[5] >= 'A' && p[5] <= 'Z')
			return fail(r, *tag, at, "unknown VR \"%s\"", vr);
		return fail(r, *tag, at, "bad VR bytes 0x%02X 0x%02X", p[4], p[5]);
	}
	if (vr_is_long(vr)) {
		if (end - at < 12)
			return fail(r, *tag, at, "element header cut short (%zu of 12 bytes left)",
			            end - at);
		*len = get32(p + 8, r->big_endian);
		r->pos += 12;
	} else {
		*len = get16(p + 6, r->big_endian);
		r->pos += 8;
	}
	return 0;
}

/* Reads the items of a sequence whose header ended at r->pos: up to end for
 * a defined length, else up to the sequence delimiter. */
static int read_sequence(struct reader *r, uint32_t seq_tag, size_t end, int defined, int depth)
{
	if (depth > DICOM_MAX_DEPTH)
		return fail(r, seq_tag, r->pos, "sequences nested deeper than %d", DICOM_MAX_DEPTH);
	for (;;) {
		uint32_t tag, len;
		char vr[3];
		size_t at = r->pos;

		if (defined && r->pos == end)
			return 0;
		if (++r->elements > DICOM_MAX_ELEMENTS)
			return fail(r, NO_TAG, at, "more than %d elements", DICOM_MAX_ELEMENTS);
		if (end - r->pos < 8)
			return fail(r, seq_tag, at, "sequence cut short");
		tag = TAG(get16(r->buf + at, r->big_endian), get16(r->buf + at + 2, r->big_endian));
		len = get32(r->buf + at + 4, r->big_endian);
		r->pos += 8;
		(void)vr;
		if (tag == TAG_SEQ_END) {
			if (defined)
				return fail(r, tag, at,
				            "sequence delimiter in a sequence of defined length");
			return 0;
		}
		if (tag != TAG_ITEM)
			return fail(r, tag, at, "expected an item in sequence (%04X,%04X)",
			            seq_tag >> 16, seq_tag & 0xFFFF);
		if (len == UNDEFINED) {
			if (read_dataset(r, end, depth, 1, 0) != 0)
				return -1;
		} else {
			if (len > end - r->pos)
				return fail(r, tag, at, "item length %u exceeds the %zu bytes left",
				            len, end - r->pos);
			if (read_dataset(r, r->pos + len, depth, 0, 0) != 0)
				return -1;
		}
	}
}

/* Encapsulated pixel data: items (offset table, fragments) of defined length
 * up to the sequence delimiter; listed in r->frags when keep is set, else
 * skipped. */
static int skip_fragments(struct reader *r, size_t end, int keep_them)
{
	size_t cap = 0;

	if (keep_them) {
		free(r->frags);
		r->frags = NULL;
		r->nfrags = 0;
	}
	for (;;) {
		size_t at = r->pos;
		uint32_t tag, len;

		if (++r->elements > DICOM_MAX_ELEMENTS)
			return fail(r, NO_TAG, at, "more than %d elements", DICOM_MAX_ELEMENTS);
		if (end - at < 8)
			return fail(r, TAG_PIXEL_DATA, at, "encapsulated pixel data cut short");
		tag = TAG(get16(r->buf + at, r->big_endian), get16(r->buf + at + 2, r->big_endian));
		len = get32(r->buf + at + 4, r->big_endian);
		r->pos += 8;
		if (tag == TAG_SEQ_END)
			return 0;
		if (tag != TAG_ITEM)
			return fail(r, tag, at,
			            "expected a fragment item in encapsulated pixel data");
		if (len == UNDEFINED || len > end - r->pos)
			return fail(r, tag, at, "fragment length %u exceeds the %zu bytes left",
			            len, end - r->pos);
		if (keep_them) {
			if (r->nfrags == cap) {
				cap = cap * 2 + 8;
				r->frags = xreallocarray(r->frags, cap, sizeof *r->frags);
			}
			r->frags[r->nfrags].data = r->buf + r->pos;
			r->frags[r->nfrags].len = len;
			r->frags[r->nfrags].at = at;
			r->nfrags++;
		}
		r->pos += len;
	}
}

/* Elements up to end, or up to an item delimiter when until_item_end. Only
 * top-level elements are kept. */
static int read_dataset(struct reader *r, size_t end, int depth, int until_item_end, int top)
{
	while (r->pos < end || until_item_end) {
		uint32_t tag, len;
		char vr[3];
		size_t at = r->pos;

		if (++r->elements > DICOM_MAX_ELEMENTS)
			return fail(r, NO_TAG, at, "more than %d elements", DICOM_MAX_ELEMENTS);
		if (read_header(r, end, &tag, vr, &len) != 0)
			return -1;
		if (tag == TAG_ITEM_END) {
			if (!until_item_end)
				return fail(r, tag, at, "item delimiter outside an item");
			return 0;
		}
		if ((tag >> 16) == 0xFFFE)
			return fail(r, tag, at, "item tag outside a sequence");
		if (len == UNDEFINED) {
			/* Encapsulated, at the top or in an icon image sequence. */
			if (tag == TAG_PIXEL_DATA) {
				if (skip_fragments(r, end, top) != 0)
					return -1;
				if (top) {
					r->img->compression = "";
					r->pixel_at = at;
				}
				continue;
			}
			if (strcmp(vr, "SQ") != 0 && strcmp(vr, "UN") != 0)
				return fail(r, tag, at, "undefined length for VR %s", vr);
			if (strcmp(vr, "UN") == 0 && r->explicit_vr) {
				/* UN of undefined length holds implicit VR LE. */
				int ok, be = r->big_endian;

				r->explicit_vr = 0;
				r->big_endian = 0;
				ok = read_sequence(r, tag, end, 0, depth + 1);
				r->explicit_vr = 1;
				r->big_endian = be;
				if (ok != 0)
					return -1;
			} else if (read_sequence(r, tag, end, 0, depth + 1) != 0) {
				return -1;
			}
			continue;
		}
		if (len > end - r->pos)
			return fail(r, tag, at, "length %u exceeds the %zu bytes left", len,
			            end - r->pos);
		if (strcmp(vr, "SQ") == 0) {
			size_t seq_end = r->pos + len;

			if (read_sequence(r, tag, seq_end, 1, depth + 1) != 0)
				return -1;
			continue;
		}
		if (top && keep(r, tag, vr, at, r->buf + r->pos, len) != 0)
			return -1;
		r->pos += len;
	}
	return 0;
}

/* Inflates a raw deflate stream into new memory, at most DICOM_MAX_FILE. */
static unsigned char *inflate_all(const unsigned char *in, size_t len, size_t *out_len, char *err,
                                  size_t errlen, size_t at)
{
	z_stream z;
	size_t cap = len * 4 + 4096, used = 0;
	unsigned char *out;
	int rc;

	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, -15) != Z_OK) {
		set_err(err, errlen, "at byte %zu: cannot start inflating", at);
		return NULL;
	}
	if (cap > DICOM_MAX_FILE)
		cap = DICOM_MAX_FILE;
	out = xmalloc(cap);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = len > UINT32_MAX ? UINT32_MAX : (uInt)len;
	for (;;) {
		if (used == cap) {
			if (cap >= DICOM_MAX_FILE) {
				set_err(err, errlen,
				        "at byte %zu: deflated dataset inflates to over %zu bytes",
				        at, DICOM_MAX_FILE);
				goto fail;
			}
			cap = cap * 2 > DICOM_MAX_FILE ? DICOM_MAX_FILE : cap * 2;
			out = xreallocarray(out, cap, 1);
		}
		z.next_out = out + used;
		z.avail_out = (uInt)(cap - used > UINT32_MAX ? UINT32_MAX : cap - used);
		{
			size_t before = z.avail_out;
			rc = inflate(&z, Z_NO_FLUSH);
			used += before - z.avail_out;
		}
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_BUF_ERROR && z.avail_in == 0) {
			set_err(err, errlen, "at byte %zu: deflated dataset cut short",
			        at + z.total_in);
			goto fail;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			set_err(err, errlen, "at byte %zu: bad deflate data (%s)", at + z.total_in,
			        z.msg != NULL ? z.msg : "error");
			goto fail;
		}
	}
	inflateEnd(&z);
	*out_len = used;
	return out;
fail:
	inflateEnd(&z);
	free(out);
	return NULL;
}

static void swap_units(unsigned char *p, size_t len, unsigned unit)
{
	for (size_t i = 0; i + unit <= len; i += unit) {
		for (unsigned a = 0, b = unit - 1; a < b; a++, b--) {
			unsigned char t = p[i + a];
			p[i + a] = p[i + b];
			p[i + b] = t;
		}
	}
}

size_t dicom_frame_samples(const struct dicom_image *img)
{
	return (size_t)img->rows * img->columns * img->samples_per_pixel;
}

/* Bytes the native pixel data must hold for all frames (1-bit frames are
 * packed without padding between them). */
static uint64_t pixel_bytes_needed(const struct dicom_image *img)
{
	uint64_t bits = (uint64_t)img->rows * img->columns * img->samples_per_pixel * img->frames *
	                img->bits_allocated;
	return (bits + 7) / 8;
}

/* Checks the image pixel module against the limits. */
static int check_module(struct reader *r)
{
	struct dicom_image *img = r->img;
	const uint32_t t = TAG_PIXEL_DATA;
	uint64_t need;

	if (img->bits_allocated == 0)
		return fail(r, TAG(0x0028, 0x0100), r->pixel_at,
		            "pixel data without bits allocated");
	if (img->rows < 1 || img->rows > DICOM_MAX_DIM || img->columns < 1 ||
	    img->columns > DICOM_MAX_DIM)
		return fail(r, t, r->pixel_at, "rows x columns %ux%u outside 1..%d", img->rows,
		            img->columns, DICOM_MAX_DIM);
	if (img->samples_per_pixel != 1 && img->samples_per_pixel != 3)
		return fail(r, t, r->pixel_at, "samples per pixel %u is not 1 or 3",
		            img->samples_per_pixel);
	if (img->bits_allocated != 1 && img->bits_allocated != 8 && img->bits_allocated != 16 &&
	    img->bits_allocated != 32)
		return fail(r, t, r->pixel_at, "bits allocated %u is not 1, 8, 16 or 32",
		            img->bits_allocated);
	if (img->bits_stored == 0)
		img->bits_stored = img->bits_allocated;
	if (img->bits_stored > img->bits_allocated)
		return fail(r, t, r->pixel_at, "bits stored %u over bits allocated %u",
		            img->bits_stored, img->bits_allocated);
	if (img->high_bit == UINT32_MAX)
		img->high_bit = img->bits_stored - 1;
	if (img->high_bit >= img->bits_allocated || img->high_bit + 1 < img->bits_stored)
		return fail(r, t, r->pixel_at, "high bit %u does not fit bits stored %u in %u",
		            img->high_bit, img->bits_stored, img->bits_allocated);
	if (img->pixel_representation > 1)
		return fail(r, t, r->pixel_at, "pixel representation %u is not 0 or 1",
		            img->pixel_representation);
	if (img->planar_configuration > 1)
		return fail(r, t, r->pixel_at, "planar configuration %u is not 0 or 1",
		            img->planar_configuration);
	need = pixel_bytes_needed(img);
	if (need > DICOM_MAX_PIXEL_BYTES)
		return fail(r, t, r->pixel_at,
		            "%ux%u x %u frames needs %llu bytes, over the limit of %zu", img->rows,
		            img->columns, img->frames, (unsigned long long)need,
		            DICOM_MAX_PIXEL_BYTES);
	return 0;
}

static int is_ybr422(const struct dicom_image *img)
{
	return img->samples_per_pixel == 3 && strcmp(img->photometric, "YBR_FULL_422") == 0;
}

/* Native YBR_FULL_422 holds Y1 Y2 Cb Cr for each two pixels of a row:
 * expanded in place of the pixel data to Y Cb Cr per pixel, as dcmtk does
 * before converting to RGB. */
static int expand_ybr422(struct reader *r)
{
	struct dicom_image *img = r->img;
	size_t pairs = (size_t)img->rows * (img->columns / 2) * img->frames;
	unsigned char *full;

	if (img->bits_allocated != 8 || img->columns % 2 != 0 || img->planar_configuration != 0)
		return fail(r, TAG_PIXEL_DATA, r->pixel_at,
		            "YBR_FULL_422 with %u bits, %u columns, planar %u: only 8 bits, even "
		            "columns, planar 0",
		            img->bits_allocated, img->columns, img->planar_configuration);
	if (img->pixel_len < pairs * 4)
		return fail(r, TAG_PIXEL_DATA, r->pixel_at,
		            "pixel data shorter than rows x columns x frames (%zu < %zu)",
		            img->pixel_len, pairs * 4);
	full = xreallocarray(NULL, pairs, 6);
	for (size_t i = 0; i < pairs; i++) {
		const unsigned char *q = img->pixels + 4 * i;
		unsigned char *o = full + 6 * i;

		o[0] = q[0];
		o[1] = q[2];
		o[2] = q[3];
		o[3] = q[1];
		o[4] = q[2];
		o[5] = q[3];
	}
	free(img->pixels);
	img->pixels = full;
	img->pixel_len = pairs * 6;
	snprintf(img->pixel_colour, sizeof img->pixel_colour, "YBR_FULL_422");
	img->has_pixels = 1;
	return 0;
}

/* Checks the image pixel module against the limits and the pixel data. */
static int check_pixels(struct reader *r)
{
	struct dicom_image *img = r->img;
	const uint32_t t = TAG_PIXEL_DATA;
	uint64_t need;

	if (check_module(r) != 0)
		return -1;
	if (is_ybr422(img))
		return expand_ybr422(r);
	need = pixel_bytes_needed(img);
	if (img->pixel_len < need)
		return fail(r, t, r->pixel_at,
		            "pixel data shorter than rows x columns x frames (%zu < %llu)",
		            img->pixel_len, (unsigned long long)need);
	if (r->big_endian) {
		unsigned unit = 1;

		if (r->pixel_vr[0] == 'O' && r->pixel_vr[1] == 'W')
			unit = img->bits_allocated == 32 ? 4 : 2;
		else if (img->bits_allocated >= 16)
			unit = img->bits_allocated / 8;
		swap_units(img->pixels, img->pixel_len, unit);
	}
	snprintf(img->pixel_colour, sizeof img->pixel_colour, "%s", img->photometric);
	img->has_pixels = 1;
	return 0;
}

/* The PALETTE COLOR tables from their descriptors and data (dcmtk's
 * reading: 8-bit entries packed two to a word when the data is half the
 * entries, else one entry per word); a table that does not fit its
 * descriptor is left out with lut_error saying why. */
static void read_palette(struct reader *r)
{
	static const char *const names[3] = { "red", "green", "blue" };
	struct dicom_image *img = r->img;

	for (int c = 0; c < 3; c++) {
		const unsigned char *d = r->lut_desc[c], *v = r->lut_data[c];
		struct dicom_lut *lut = &img->palette[c];
		size_t words = r->lut_data_len[c] / 2;
		unsigned d0, d1, d2, max = 0;
		int be = r->big_endian;

		if (d == NULL || v == NULL || r->lut_desc_len[c] < 6) {
			snprintf(img->lut_error, sizeof img->lut_error, "palette %s table %s",
			         names[c],
			         d == NULL || r->lut_desc_len[c] < 6 ? "descriptor missing"
			                                             : "data missing");
			return;
		}
		d0 = get16(d, be);
		d1 = get16(d + 2, be);
		d2 = get16(d + 4, be);
		lut->entries = d0 == 0 ? 65536 : d0;
		lut->first = img->pixel_representation == 1 ? (int)(int16_t)d1 : (int)d1;
		lut->bits = d2;
		if (d2 != 8 && d2 != 16) {
			snprintf(img->lut_error, sizeof img->lut_error,
			         "palette %s table of %u bits, not 8 or 16", names[c], d2);
			return;
		}
		lut->data = xreallocarray(NULL, lut->entries, sizeof *lut->data);
		if (words == lut->entries) {
			for (size_t i = 0; i < words; i++) {
				lut->data[i] = get16(v + 2 * i, be);
				if (lut->data[i] > max)
					max = lut->data[i];
			}
			/* dcmtk takes 8-bit tables holding larger values as 16-bit. */
			if (lut->bits == 8 && max > 255)
				lut->bits = 16;
		} else if (d2 == 8 && words == (lut->entries + 1) / 2) {
			for (size_t i = 0; i < lut->entries; i++) {
				uint16_t w = get16(v + 2 * (i / 2), be);
				lut->data[i] = i % 2 == 0 ? (w & 0xFF) : (w >> 8);
			}
		} else {
			snprintf(img->lut_error, sizeof img->lut_error,
			         "palette %s table has %zu words of data for %u entries of %u bits",
			         names[c], words, lut->entries, d2);
			free(lut->data);
			lut->data = NULL;
			return;
		}
	}
}

/* Decodes the listed fragments; a failure is kept in img->problem, not
 * returned: the header stays readable. */
static void decode_frames(struct reader *r, const char *ts)
{
	struct dicom_image *img = r->img;
	char why[160];
	char *err = r->err;
	size_t errlen = r->errlen;

	r->err = why;
	r->errlen = sizeof why;
	if (check_module(r) == 0) {
		if (dicom_encap_decode(img, ts, r->frags, r->nfrags, why, sizeof why) == 0) {
			r->err = err;
			r->errlen = errlen;
			return;
		}
		snprintf(img->problem, sizeof img->problem, "(7FE0,0010) at %s %zu: %s", r->unit,
		         r->pixel_at, why);
	} else {
		snprintf(img->problem, sizeof img->problem, "%s", why);
	}
	r->err = err;
	r->errlen = errlen;
}

struct dicom_image *dicom_read(const void *data, size_t len, char *err, size_t errlen)
{
	struct reader r;
	struct dicom_image *img = xcalloc(1, sizeof *img);
	unsigned char *inflated = NULL;
	const char *ts;

	memset(&r, 0, sizeof r);
	r.buf = data;
	r.len = len;
	r.unit = "byte";
	r.img = img;
	r.err = err;
	r.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	img->samples_per_pixel = 1;
	img->bits_allocated = 0;
	img->high_bit = UINT32_MAX;
	img->frames = 1;
	img->rescale_slope = 1;
	strcpy(img->photometric, "MONOCHROME2");

	if (len == 0 || data == NULL) {
		set_err(err, errlen, "at byte 0: empty file");
		goto fail;
	}
	if (len >= 132 && memcmp(r.buf + 128, "DICM", 4) == 0) {
		/* Group 0002 is always explicit VR LE. */
		r.pos = 132;
		r.explicit_vr = 1;
		while (r.len - r.pos >= 2 && get16(r.buf + r.pos, 0) == 0x0002) {
			size_t at = r.pos;
			uint32_t tag, elen;
			char vr[3];

			if (read_header(&r, r.len, &tag, vr, &elen) != 0)
				goto fail;
			if (elen == UNDEFINED || elen > r.len - r.pos) {
				fail(&r, tag, at, "length %u exceeds the %zu bytes left", elen,
				     r.len - r.pos);
				goto fail;
			}
			if (keep(&r, tag, vr, at, r.buf + r.pos, elen) != 0)
				goto fail;
			r.pos += elen;
		}
		if (img->transfer_syntax[0] == '\0') {
			fail(&r, TAG(0x0002, 0x0010), r.pos, "file meta without a transfer syntax");
			goto fail;
		}
	} else {
		/* A bare dataset: explicit if bytes 4-5 look like a VR. */
		char vr[3] = { 0 };

		if (len >= 6) {
			vr[0] = (char)r.buf[4];
			vr[1] = (char)r.buf[5];
		}
		r.explicit_vr = len >= 6 && vr_known(vr);
	}
	ts = img->transfer_syntax;
	if (ts[0] == '\0' || strcmp(ts, "1.2.840.10008.1.2") == 0) {
		/* as sniffed */
	} else if (strcmp(ts, "1.2.840.10008.1.2.1") == 0) {
		r.explicit_vr = 1;
	} else if (strcmp(ts, "1.2.840.10008.1.2.2") == 0) {
		r.explicit_vr = 1;
		r.big_endian = 1;
	} else if (strcmp(ts, "1.2.840.10008.1.2.1.99") == 0) {
		size_t ilen;

		inflated = inflate_all(r.buf + r.pos, r.len - r.pos, &ilen, err, errlen, r.pos);
		if (inflated == NULL)
			goto fail;
		r.buf = inflated;
		r.len = ilen;
		r.pos = 0;
		r.unit = "inflated byte";
		r.explicit_vr = 1;
	} else {
		/* Encapsulated (or unknown): the dataset itself is explicit LE. */
		r.explicit_vr = 1;
		img->compression = compression_name(ts);
	}
	if (strcmp(ts, "1.2.840.10008.1.2") == 0)
		r.explicit_vr = 0;
	if (read_dataset(&r, r.len, 0, 0, 1) != 0)
		goto fail;
	if (img->compression != NULL) {
		int encapsulated = img->compression[0] == '\0';

		if (encapsulated)
			img->compression =
			    ts[0] != '\0' ? compression_name(ts) : "an unknown syntax";
		free(img->pixels);
		img->pixels = NULL;
		img->pixel_len = 0;
		if (encapsulated && dicom_codec_decodes(ts))
			decode_frames(&r, ts);
	} else if (img->pixels != NULL) {
		if (check_pixels(&r) != 0)
			goto fail;
	}
	if (strcmp(img->photometric, "PALETTE COLOR") == 0)
		read_palette(&r);
	if (img->high_bit == UINT32_MAX)
		img->high_bit = img->bits_stored > 0 ? img->bits_stored - 1 : 0;
	img->has_window = img->has_window == 3; /* centre and width both read */
	free(r.frags);
	free(inflated);
	return img;
fail:
	free(r.frags);
	free(inflated);
	dicom_free(&img);
	return NULL;
}

struct dicom_image *dicom_read_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	unsigned char *data = file_read_regular(path, DICOM_MAX_FILE, &len, err, errlen);
	struct dicom_image *img;

	if (data == NULL)
		return NULL;
	img = dicom_read(data, len, err, errlen);
	if (img == NULL && err != NULL && errlen > 0) {
		char *why = xstrdup(err);

		set_err(err, errlen, "%s: %s", path, why);
		free(why);
	}
	free(data);
	return img;
}

void dicom_free(struct dicom_image **img)
{
	if (img == NULL || *img == NULL)
		return;
	free((*img)->pixels);
	for (int c = 0; c < 3; c++)
		free((*img)->palette[c].data);
	free(*img);
	*img = NULL;
}

const char *dicom_no_preview(const struct dicom_image *img)
{
	static char text[96];

	if (img->problem[0] != '\0')
		return img->problem;
	if (img->compression != NULL && !img->has_pixels) {
		snprintf(text, sizeof text, "compressed as %s: no preview", img->compression);
		return text;
	}
	if (!img->has_pixels)
		return "no pixel data";
	return NULL;
}

static int frame_check(const struct dicom_image *img, unsigned frame, size_t n, char *err,
                       size_t errlen)
{
	const char *why = dicom_no_preview(img);

	if (why != NULL) {
		set_err(err, errlen, "%s", why);
		return -1;
	}
	if (frame >= img->frames) {
		set_err(err, errlen, "frame %u of %u does not exist", frame + 1, img->frames);
		return -1;
	}
	if (n < dicom_frame_samples(img)) {
		set_err(err, errlen, "room for %zu samples, the frame has %zu", n,
		        dicom_frame_samples(img));
		return -1;
	}
	return 0;
}

/* Stored sample number i (in file order) of the whole pixel data. */
static int64_t sample_at(const struct dicom_image *img, uint64_t i)
{
	const unsigned char *p = img->pixels;
	unsigned shift = img->high_bit + 1 - img->bits_stored;
	uint64_t raw,
	    mask = img->bits_stored >= 64 ? UINT64_MAX : ((uint64_t)1 << img->bits_stored) - 1;

	switch (img->bits_allocated) {
	case 1:
		raw = (p[i / 8] >> (i % 8)) & 1;
		break;
	case 8:
		raw = p[i];
		break;
	case 16:
		raw = (uint64_t)p[2 * i] | (uint64_t)p[2 * i + 1] << 8;
		break;
	default:
		raw = (uint64_t)p[4 * i] | (uint64_t)p[4 * i + 1] << 8 |
		      (uint64_t)p[4 * i + 2] << 16 | (uint64_t)p[4 * i + 3] << 24;
		break;
	}
	raw = (raw >> shift) & mask;
	if (img->pixel_representation == 1 && (raw >> (img->bits_stored - 1)) & 1)
		return (int64_t)raw - ((int64_t)1 << img->bits_stored);
	return (int64_t)raw;
}

int dicom_frame_raw(const struct dicom_image *img, unsigned frame, int64_t *out, size_t n,
                    char *err, size_t errlen)
{
	size_t spp, npix;
	uint64_t base;

	if (frame_check(img, frame, n, err, errlen) != 0)
		return -1;
	spp = img->samples_per_pixel;
	npix = (size_t)img->rows * img->columns;
	base = (uint64_t)frame * npix * spp;
	for (size_t px = 0; px < npix; px++) {
		for (size_t s = 0; s < spp; s++) {
			uint64_t i = img->planar_configuration == 1 ? s * npix + px : px * spp + s;
			out[px * spp + s] = sample_at(img, base + i);
		}
	}
	return 0;
}

int dicom_frame_values(const struct dicom_image *img, unsigned frame, double *out, size_t n,
                       char *err, size_t errlen)
{
	size_t count;
	int64_t *raw;

	if (frame_check(img, frame, n, err, errlen) != 0)
		return -1;
	count = dicom_frame_samples(img);
	raw = xreallocarray(NULL, count, sizeof *raw);
	dicom_frame_raw(img, frame, raw, count, err, errlen);
	for (size_t i = 0; i < count; i++) {
		if (img->samples_per_pixel == 1)
			out[i] = (double)raw[i] * img->rescale_slope + img->rescale_intercept;
		else
			out[i] = (double)raw[i];
	}
	free(raw);
	return 0;
}
