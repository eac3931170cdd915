/* Fuzzer for the DICOM preview reader (img/dicom.c): any input must either
 * be refused with one line naming where, or give an image whose every frame
 * reads, raw and rescaled, without touching memory outside the buffers.
 * Runs under libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/dicom.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	char err[512] = "";
	struct dicom_image *img = dicom_read(data, size, err, sizeof err);
	size_t n;
	int64_t *raw;
	double *val;

	if (img == NULL) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	if (dicom_no_preview(img) != NULL) {
		if (dicom_frame_raw(img, 0, NULL, 0, err, sizeof err) != -1)
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
	free(raw);
	free(val);
	dicom_free(&img);
	return 0;
}
