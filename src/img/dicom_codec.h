/* Internal to src/img: the decoders behind dicom_read for encapsulated
 * pixel data (PS3.5 A.4): fragments grouped into frames (dicom_encap.c),
 * JPEG through libjpeg (dicom_jpeg.c, also used for JPEG files by
 * picture.c) and RLE lossless (dicom_rle.c, PS3.5 Annex G). Inputs are
 * outside data: every length is checked, libjpeg never exits (its errors
 * longjmp back), and every error is one line. Not for use outside img/. */
#ifndef ECII_IMG_DICOM_CODEC_H
#define ECII_IMG_DICOM_CODEC_H

#include <stddef.h>

#include "img/dicom.h"

/* One item of encapsulated pixel data: its value, borrowed from the
 * dataset, and where its item tag starts (for offsets and messages). */
struct dicom_fragment {
	const unsigned char *data;
	size_t len;
	size_t at;
};

/* Decodes every frame of img (rows, columns, samples, bits, frames,
 * photometric already read and checked) from frags[0] (the Basic Offset
 * Table, possibly empty) and frags[1..n-1] (fragments), for transfer syntax
 * uid ts, into img->pixels (new, native little-endian layout); sets
 * pixel_len, pixel_colour and has_pixels. Frames: by the offset table when
 * it is not empty, else one per fragment when the counts agree, else (JPEG)
 * a new frame at each fragment starting with SOI, else (one frame) all
 * fragments. Returns 0, or -1 with a one-line reason in err (img->pixels
 * then NULL). Only for syntaxes dicom_codec_decodes accepts. */
int dicom_encap_decode(struct dicom_image *img, const char *ts, const struct dicom_fragment *frags,
                       size_t n, char *err, size_t errlen);
/* 1 if ts names a syntax dicom_encap_decode handles, else 0. */
int dicom_codec_decodes(const char *ts);

/* Decodes one RLE frame (src, len: header and segments) into out, which
 * holds rows x columns x samples x bits allocated / 8 bytes laid out as
 * img's planar configuration says, little endian. 8, 16 or 32 bits
 * allocated, 1 or 3 samples. Returns 0 or -1 + err. */
int dicom_rle_decode(const unsigned char *src, size_t len, const struct dicom_image *img,
                     unsigned char *out, char *err, size_t errlen);

enum dicom_jpeg_colour {
	DICOM_JPEG_RAW,    /* components as stored, no colour conversion */
	DICOM_JPEG_TO_RGB, /* 3 components taken as YCbCr, converted to RGB */
	DICOM_JPEG_AUTO,   /* libjpeg's guess from JFIF/Adobe markers: gray or RGB */
};

/* A decoded JPEG: width x height x components bytes, rows top down. */
struct dicom_jpeg {
	unsigned width, height, components; /* components 1 or 3 */
	unsigned char *pixels;              /* new */
};

/* Decodes the JPEG in src (len bytes, borrowed) with libjpeg. want_width,
 * want_height, want_components, when not 0, must equal the image's (checked
 * before any pixel memory is allocated), and neither side may exceed
 * DICOM_MAX_DIM. Corrupt-data warnings are errors; a precision other than 8
 * gives "12-bit JPEG: no preview (...)". Returns 0 with *out filled, or -1
 * with a one-line reason in err and *out zeroed. */
int dicom_jpeg_decode(const unsigned char *src, size_t len, enum dicom_jpeg_colour colour,
                      unsigned want_width, unsigned want_height, unsigned want_components,
                      struct dicom_jpeg *out, char *err, size_t errlen);

#endif
