/* A loaded image (see picture.h): sniffs the bytes and reads a DICOM file
 * with dicom_read, a PNG with libpng (setjmp error handling, size limits
 * before any pixel memory) or a JPEG with dicom_jpeg_decode; PNG/JPEG end
 * up as 8-bit gray or RGB, alpha composited on black. Must not exit on bad
 * input and must not read outside the buffer. */
#include "config.h"

#include "img/picture.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "img/dicom_codec.h"
#include "util/file.h"
#include "util/xmalloc.h"

enum picture_kind { PICTURE_DICOM, PICTURE_PNG, PICTURE_JPEG };

struct picture {
	enum picture_kind kind;
	struct dicom_image *dicom; /* owned, DICOM only */
	/* PNG and JPEG: width x height x channels bytes, owned. */
	unsigned width, height, channels;
	unsigned char *pixels;
};

static const unsigned char png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

struct png_source {
	const unsigned char *data;
	size_t len, pos;
	char message[160];
};

static void png_source_read(png_structp png, png_bytep out, size_t n)
{
	struct png_source *src = png_get_io_ptr(png);

	if (n > src->len - src->pos)
		png_error(png, "PNG data cut short");
	memcpy(out, src->data + src->pos, n);
	src->pos += n;
}

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_source *src = png_get_error_ptr(png);

	snprintf(src->message, sizeof src->message, "%s", msg);
	png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Drops alpha by compositing on black: c x a / 255, rounded. */
static void composite_on_black(unsigned char *px, size_t npix, unsigned colours)
{
	unsigned char *o = px;
	const unsigned char *q = px;

	for (size_t i = 0; i < npix; i++, q += colours + 1) {
		unsigned a = q[colours];

		for (unsigned c = 0; c < colours; c++)
			*o++ = (unsigned char)((q[c] * a + 127) / 255);
	}
}

/* Every chunk up to IEND must fit in the file: libpng allocates what a
 * chunk's length says before reading it. */
static int png_chunks_fit(const unsigned char *data, size_t len, char *err, size_t errlen)
{
	size_t pos = 8;

	while (len - pos >= 12) {
		uint32_t n = (uint32_t)data[pos] << 24 | (uint32_t)data[pos + 1] << 16 |
		             (uint32_t)data[pos + 2] << 8 | data[pos + 3];
		char type[5];

		for (int i = 0; i < 4; i++) {
			unsigned char c = data[pos + 4 + i];
			type[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? (char)c : '?';
		}
		type[4] = '\0';
		if (n > len - pos - 12) {
			snprintf(err, errlen,
			         "PNG: chunk %s of %u bytes at byte %zu runs past the end", type, n,
			         pos);
			return -1;
		}
		if (memcmp(data + pos + 4, "IEND", 4) == 0)
			return 0;
		pos += 12 + (size_t)n;
	}
	snprintf(err, errlen, "PNG: cut short at byte %zu, before IEND", pos);
	return -1;
}

static int read_png(struct picture *p, const unsigned char *data, size_t len, char *err,
                    size_t errlen)
{
	struct png_source src = { data, len, 0, "" };
	png_structp png;
	png_infop info = NULL;
	unsigned char *volatile pixels = NULL;
	png_bytep *volatile rows = NULL;
	png_uint_32 w, h;
	int depth, type, channels;

	if (png_chunks_fit(data, len, err, errlen) != 0)
		return -1;
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_fail, png_ignore_warning);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		snprintf(err, errlen, "PNG: cannot start libpng");
		png_destroy_read_struct(&png, NULL, NULL);
		return -1;
	}
	if (setjmp(png_jmpbuf(png)) != 0) {
		snprintf(err, errlen, "PNG: %s", src.message[0] != '\0' ? src.message : "error");
		png_destroy_read_struct(&png, &info, NULL);
		free(rows);
		free(pixels);
		return -1;
	}
	png_set_read_fn(png, &src, png_source_read);
	png_set_user_limits(png, DICOM_MAX_DIM, DICOM_MAX_DIM);
	/* No chunk can be longer than the file: libpng would otherwise take
	 * the memory a lying chunk length asks for. */
	png_set_chunk_malloc_max(png, len + 16);
	png_read_info(png, info);
	png_get_IHDR(png, info, &w, &h, &depth, &type, NULL, NULL, NULL);
	/* deflate expands at most about 1032 times: refuse a header promising
	 * more than the file can hold before taking the memory. */
	if ((uint64_t)h * (png_get_rowbytes(png, info) + 1) > (uint64_t)len * 1100 + 4096)
		png_error(png, "image size cannot come from a file this short");
	if (type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (type == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (depth == 16)
		png_set_scale_16(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	channels = png_get_channels(png, info);
	if (channels < 1 || channels > 4 || png_get_bit_depth(png, info) != 8 ||
	    png_get_rowbytes(png, info) != (size_t)w * (size_t)channels)
		png_error(png, "unexpected layout after conversion");
	pixels = xreallocarray(NULL, (size_t)w * h, (size_t)channels);
	rows = xreallocarray(NULL, h, sizeof *rows);
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = pixels + (size_t)y * w * (size_t)channels;
	png_read_image(png, rows);
	png_read_end(png, NULL);
	png_destroy_read_struct(&png, &info, NULL);
	free(rows);
	if (channels == 2 || channels == 4) {
		composite_on_black(pixels, (size_t)w * h, (unsigned)channels - 1);
		channels--;
	}
	p->width = w;
	p->height = h;
	p->channels = (unsigned)channels;
	p->pixels = pixels;
	return 0;
}

struct picture *picture_read(const void *data, size_t len, char *err, size_t errlen)
{
	const unsigned char *b = data;
	struct picture *p;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	p = xcalloc(1, sizeof *p);
	if (b != NULL && len >= 132 && memcmp(b + 128, "DICM", 4) == 0) {
		p->kind = PICTURE_DICOM;
	} else if (b != NULL && len >= 8 && memcmp(b, png_signature, 8) == 0) {
		p->kind = PICTURE_PNG;
		if (read_png(p, b, len, err, errlen) != 0)
			goto fail;
		return p;
	} else if (b != NULL && len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
		struct dicom_jpeg j;

		p->kind = PICTURE_JPEG;
		if (dicom_jpeg_decode(b, len, DICOM_JPEG_AUTO, 0, 0, 0, &j, err, errlen) != 0)
			goto fail;
		p->width = j.width;
		p->height = j.height;
		p->channels = j.components;
		p->pixels = j.pixels;
		return p;
	}
	p->kind = PICTURE_DICOM;
	if ((p->dicom = dicom_read(data, len, err, errlen)) == NULL)
		goto fail;
	return p;
fail:
	picture_free(&p);
	return NULL;
}

struct picture *picture_read_file(const char *path, char *err, size_t errlen)
{
	size_t len;
	unsigned char *data = file_read_regular(path, DICOM_MAX_FILE, &len, err, errlen);
	struct picture *p;

	if (data == NULL)
		return NULL;
	p = picture_read(data, len, err, errlen);
	if (p == NULL && err != NULL && errlen > 0) {
		char *why = xstrdup(err);

		snprintf(err, errlen, "%s: %s", path, why);
		free(why);
	}
	free(data);
	return p;
}

void picture_free(struct picture **p)
{
	if (p == NULL || *p == NULL)
		return;
	dicom_free(&(*p)->dicom);
	free((*p)->pixels);
	free(*p);
	*p = NULL;
}

unsigned picture_frames(const struct picture *p)
{
	return p->kind == PICTURE_DICOM ? p->dicom->frames : 1;
}

const char *picture_format(const struct picture *p)
{
	switch (p->kind) {
	case PICTURE_PNG:
		return "PNG";
	case PICTURE_JPEG:
		return "JPEG";
	default:
		return "DICOM";
	}
}

const struct dicom_image *picture_dicom(const struct picture *p)
{
	return p->kind == PICTURE_DICOM ? p->dicom : NULL;
}

unsigned picture_width(const struct picture *p)
{
	return p->kind == PICTURE_DICOM ? p->dicom->columns : p->width;
}

unsigned picture_height(const struct picture *p)
{
	return p->kind == PICTURE_DICOM ? p->dicom->rows : p->height;
}

const char *picture_no_preview(const struct picture *p)
{
	return p->kind == PICTURE_DICOM ? dicom_no_preview(p->dicom) : NULL;
}

int picture_render(const struct picture *p, unsigned frame, const struct window *given,
                   struct window_image *out, char *err, size_t errlen)
{
	size_t n;

	if (p->kind == PICTURE_DICOM)
		return window_render(p->dicom, frame, given, out, err, errlen);
	memset(out, 0, sizeof *out);
	if (frame >= 1) {
		snprintf(err, errlen, "frame %u out of range: the file has 1", frame + 1);
		return -1;
	}
	n = (size_t)p->width * p->height * p->channels;
	out->width = p->width;
	out->height = p->height;
	out->channels = p->channels;
	out->pixels = xmalloc(n);
	memcpy(out->pixels, p->pixels, n);
	out->source = WINDOW_SOURCE_NONE;
	return 0;
}
