/* Fuzzer for the DICOM preview reader (img/dicom.c and the JPEG/RLE
 * decoders behind it, img/dicom_*.c): any input must either be refused
 * with one line naming where, or give an image whose first and last frames
 * read, raw and rescaled, and render through img/window.c (windowed gray,
 * RGB, YBR, palette), without touching memory outside the buffers.
 * Runs under libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/dicom.h"
#include "img/window.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	char err[512] = "";
	struct dicom_image *img = dicom_read(data, size, err, sizeof err);
	size_t n;
	int64_t *raw;
	double *val;
	struct window_image out;

	if (img == NULL) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	if (dicom_no_preview(img) != NULL) {
		if (dicom_frame_raw(img, 0, NULL, 0, err, sizeof err) != -1 ||
		    strchr(dicom_no_preview(img), '\n') != NULL)
			abort();
		dicom_free(&img);
		return 0;
	}
	n = dicom_frame_samples(img);
	raw = malloc(n * sizeof *raw);
	val = malloc(n * sizeof *val);
	if (raw == NULL || val == NULL)
		abort();
	/* Bounded work per input: the first and the last frame. */
	if (dicom_frame_raw(img, 0, raw, n, err, sizeof err) != 0 ||
	    dicom_frame_values(img, img->frames - 1, val, n, err, sizeof err) != 0 ||
	    dicom_frame_raw(img, img->frames, raw, n, err, sizeof err) != -1)
		abort();
	if (window_render(img, 0, NULL, &out, err, sizeof err) == 0) {
		if (out.width != img->columns || out.height != img->rows)
			abort();
		window_image_clear(&out);
	} else if (err[0] == '\0' || strchr(err, '\n') != NULL) {
		abort();
	}
	free(raw);
	free(val);
	dicom_free(&img);
	return 0;
}
