/* RLE lossless frames (PS3.5 Annex G): a 64-byte header of little-endian
 * 32-bit words (segment count, then up to 15 segment offsets), each
 * segment a PackBits stream giving one byte plane: for each sample, most
 * significant byte first. Decoded into the native layout dicom_frame_raw
 * reads. Every offset and run is checked against the fragment and the
 * plane; it must never write past out or read past src. */
#include "config.h"

#include "img/dicom_codec.h"

#include <stdint.h>
#include <stdio.h>

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int dicom_rle_decode(const unsigned char *src, size_t len, const struct dicom_image *img,
                     unsigned char *out, char *err, size_t errlen)
{
	size_t npix = (size_t)img->rows * img->columns;
	unsigned spp = img->samples_per_pixel, bytes = img->bits_allocated / 8;
	unsigned segments, want;
	uint32_t offsets[16];

	if (img->bits_allocated % 8 != 0 || bytes == 0 || bytes > 4) {
		snprintf(err, errlen, "RLE with %u bits allocated: not 8, 16 or 32",
		         img->bits_allocated);
		return -1;
	}
	if (len < 64) {
		snprintf(err, errlen, "RLE header cut short (%zu of 64 bytes)", len);
		return -1;
	}
	segments = le32(src);
	want = spp * bytes;
	if (segments != want) {
		snprintf(err, errlen, "RLE frame has %u segments, %u samples of %u bits need %u",
		         segments, spp, img->bits_allocated, want);
		return -1;
	}
	for (unsigned s = 0; s < segments; s++) {
		offsets[s] = le32(src + 4 + 4 * s);
		if (offsets[s] < 64 || offsets[s] > len || (s > 0 && offsets[s] < offsets[s - 1])) {
			snprintf(err, errlen,
			         "RLE segment %u offset %u outside 64..%zu or out of order", s + 1,
			         offsets[s], len);
			return -1;
		}
	}
	offsets[segments] = (uint32_t)len;
	for (unsigned s = 0; s < segments; s++) {
		const unsigned char *p = src + offsets[s], *end = src + offsets[s + 1];
		unsigned sample = s / bytes, byte = bytes - 1 - s % bytes;
		size_t step, base, got = 0;

		/* Where plane byte i goes in the native layout. */
		if (img->planar_configuration == 1) {
			step = bytes;
			base = (size_t)sample * npix * bytes + byte;
		} else {
			step = (size_t)spp * bytes;
			base = (size_t)sample * bytes + byte;
		}
		while (got < npix && p < end) {
			int n = (signed char)*p++;

			if (n >= 0) {
				size_t run = (size_t)n + 1;

				if (run > (size_t)(end - p) || run > npix - got)
					break;
				for (size_t k = 0; k < run; k++)
					out[base + (got++) * step] = *p++;
			} else if (n != -128) {
				size_t run = (size_t)(1 - n);

				if (p == end || run > npix - got)
					break;
				for (size_t k = 0; k < run; k++)
					out[base + (got++) * step] = *p;
				p++;
			}
		}
		if (got != npix) {
			snprintf(
			    err, errlen,
			    "RLE segment %u gives %zu of %zu bytes (a run overflows or the data "
			    "is cut short)",
			    s + 1, got, npix);
			return -1;
		}
	}
	return 0;
}
