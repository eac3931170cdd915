/* JPEG decoding with libjpeg(-turbo) for DICOM frames and JPEG files (see
 * dicom_codec.h). libjpeg's default error handler calls exit(): here
 * error_exit longjmps back to dicom_jpeg_decode, and warnings about corrupt
 * data are treated as errors, so a broken stream never shows half an image
 * and never ends the program. Only 8-bit samples: Debian's libjpeg62-turbo
 * is built for 8 bits. Must not touch anything but its arguments. */
#include "config.h"

#include "img/dicom_codec.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "util/xmalloc.h"

struct jpeg_fail {
	struct jpeg_error_mgr mgr; /* first: libjpeg passes &mgr */
	jmp_buf back;
	char message[JMSG_LENGTH_MAX];
	int precision; /* > 0: the stream's precision, which is not 8 */
};

static void fail_exit(j_common_ptr cinfo)
{
	struct jpeg_fail *f = (struct jpeg_fail *)(void *)cinfo->err;

	if (cinfo->err->msg_code == JERR_BAD_PRECISION)
		f->precision = cinfo->err->msg_parm.i[0];
	(*cinfo->err->format_message)(cinfo, f->message);
	longjmp(f->back, 1);
}

/* Warnings (level -1) are corrupt data: stop there. Trace messages are
 * dropped. */
static void fail_message(j_common_ptr cinfo, int level)
{
	if (level < 0)
		fail_exit(cinfo);
}

int dicom_jpeg_decode(const unsigned char *src, size_t len, enum dicom_jpeg_colour colour,
                      unsigned want_width, unsigned want_height, unsigned want_components,
                      struct dicom_jpeg *out, char *err, size_t errlen)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_fail fail;
	unsigned char *volatile pixels = NULL;
	size_t row;

	memset(out, 0, sizeof *out);
	memset(&fail, 0, sizeof fail);
	if (len < 4 || src[0] != 0xFF || src[1] != 0xD8) {
		snprintf(err, errlen, "JPEG: no start of image marker");
		return -1;
	}
	if (len > 0xFFFFFFFFu) {
		snprintf(err, errlen, "JPEG: stream of %zu bytes is too long", len);
		return -1;
	}
	cinfo.err = jpeg_std_error(&fail.mgr);
	fail.mgr.error_exit = fail_exit;
	fail.mgr.emit_message = fail_message;
	if (setjmp(fail.back) != 0) {
		if (fail.precision > 0)
			snprintf(
			    err, errlen,
			    "%d-bit JPEG: no preview (libjpeg here decodes 8-bit samples only)",
			    fail.precision);
		else
			snprintf(err, errlen, "JPEG: %s", fail.message);
		jpeg_destroy_decompress(&cinfo);
		free(pixels);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, src, (unsigned long)len);
	jpeg_read_header(&cinfo, TRUE);
	if (cinfo.data_precision != 8) {
		snprintf(err, errlen,
		         "%d-bit JPEG: no preview (libjpeg here decodes 8-bit samples only)",
		         cinfo.data_precision);
		goto fail;
	}
	if (cinfo.num_components != 1 && cinfo.num_components != 3) {
		snprintf(err, errlen, "JPEG: %d components, not 1 or 3", cinfo.num_components);
		goto fail;
	}
	if (cinfo.image_width > DICOM_MAX_DIM || cinfo.image_height > DICOM_MAX_DIM) {
		snprintf(err, errlen, "JPEG: %ux%u is over the limit of %d", cinfo.image_width,
		         cinfo.image_height, DICOM_MAX_DIM);
		goto fail;
	}
	/* Every 8x8 block of a scan costs at least a bit, so a stream this
	 * short cannot fill a larger image: refuse before libjpeg and the
	 * caller allocate for it (a decompression bomb otherwise). */
	if ((uint64_t)cinfo.image_width * cinfo.image_height > (uint64_t)len * 1024) {
		snprintf(err, errlen, "JPEG of %ux%u cannot come from %zu bytes", cinfo.image_width,
		         cinfo.image_height, len);
		goto fail;
	}
	if ((want_width != 0 && cinfo.image_width != want_width) ||
	    (want_height != 0 && cinfo.image_height != want_height) ||
	    (want_components != 0 && (unsigned)cinfo.num_components != want_components)) {
		snprintf(err, errlen, "JPEG of %ux%u x %d samples where the header says %ux%u x %u",
		         cinfo.image_width, cinfo.image_height, cinfo.num_components, want_width,
		         want_height, want_components);
		goto fail;
	}
	if (cinfo.num_components == 3 && colour == DICOM_JPEG_TO_RGB) {
		cinfo.jpeg_color_space = JCS_YCbCr;
		cinfo.out_color_space = JCS_RGB;
	} else if (cinfo.num_components == 3 && colour == DICOM_JPEG_RAW) {
		cinfo.jpeg_color_space = JCS_UNKNOWN;
		cinfo.out_color_space = JCS_UNKNOWN;
	} else if (cinfo.num_components == 1) {
		cinfo.out_color_space = JCS_GRAYSCALE;
	} else if (cinfo.jpeg_color_space != JCS_YCbCr && cinfo.jpeg_color_space != JCS_RGB) {
		snprintf(err, errlen, "JPEG: colour space %d is not YCbCr or RGB",
		         (int)cinfo.jpeg_color_space);
		goto fail;
	} else {
		cinfo.out_color_space = JCS_RGB;
	}
	jpeg_start_decompress(&cinfo);
	if (cinfo.output_components != cinfo.num_components ||
	    cinfo.output_width != cinfo.image_width || cinfo.output_height != cinfo.image_height) {
		snprintf(err, errlen, "JPEG: unexpected output geometry");
		goto fail;
	}
	row = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
	pixels = xmalloc(row * cinfo.output_height);
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW line = pixels + row * cinfo.output_scanline;

		if (jpeg_read_scanlines(&cinfo, &line, 1) != 1) {
			snprintf(err, errlen, "JPEG: data cut short");
			goto fail;
		}
	}
	jpeg_finish_decompress(&cinfo);
	out->width = cinfo.output_width;
	out->height = cinfo.output_height;
	out->components = (unsigned)cinfo.output_components;
	out->pixels = pixels;
	jpeg_destroy_decompress(&cinfo);
	return 0;
fail:
	jpeg_destroy_decompress(&cinfo);
	free(pixels);
	return -1;
}
