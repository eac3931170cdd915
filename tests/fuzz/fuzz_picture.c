/* Fuzzer for picture_read (img/picture.c): PNG and JPEG bytes (and, by the
 * sniffing, DICOM): any input must either be refused with one line or give
 * a picture whose first frame renders, without touching memory outside
 * the buffers and without exiting from inside libpng or libjpeg. Runs under
 * libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/picture.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	char err[512] = "";
	struct picture *p = picture_read(data, size, err, sizeof err);
	struct window_image out;

	if (p == NULL) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	if (picture_width(p) == 0 && picture_no_preview(p) == NULL && picture_dicom(p) == NULL)
		abort();
	if (picture_render(p, 0, NULL, &out, err, sizeof err) == 0) {
		if (out.width != picture_width(p) || out.height != picture_height(p) ||
		    (out.channels != 1 && out.channels != 3))
			abort();
		window_image_clear(&out);
	} else if (err[0] == '\0' || strchr(err, '\n') != NULL) {
		abort();
	}
	if (picture_render(p, picture_frames(p), NULL, &out, err, sizeof err) != -1)
		abort();
	picture_free(&p);
	return 0;
}
