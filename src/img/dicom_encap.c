/* Encapsulated pixel data to native frames (see dicom_codec.h): finds each
 * frame's bytes among the fragments (Basic Offset Table, one fragment per
 * frame, JPEG start-of-image at a fragment's start, or everything for a
 * single frame), joins a frame that spans fragments, and hands it to the
 * JPEG or RLE decoder. All frames are decoded at read time, within
 * DICOM_MAX_PIXEL_BYTES (checked by the caller), so dicom_frame_raw works
 * on a const image as for native data; the buffer grows frame by frame, so
 * a file whose header promises more than its fragments hold fails before
 * the memory is taken. Must not read outside the fragments. */
#include "config.h"

#include "img/dicom_codec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define TS_JPEG_BASELINE "1.2.840.10008.1.2.4.50"
#define TS_JPEG_EXTENDED "1.2.840.10008.1.2.4.51"
#define TS_RLE           "1.2.840.10008.1.2.5"

int dicom_codec_decodes(const char *ts)
{
	return strcmp(ts, TS_JPEG_BASELINE) == 0 || strcmp(ts, TS_JPEG_EXTENDED) == 0 ||
	       strcmp(ts, TS_RLE) == 0;
}

/* The fragments [first, last) of each frame, new (2 x frames entries). */
static size_t *frame_ranges(const struct dicom_image *img, int jpeg,
                            const struct dicom_fragment *frags, size_t n, char *err, size_t errlen)
{
	size_t nf, frames = img->frames, *r;
	const struct dicom_fragment *bot;

	/* Item 0 is the offset table, then at least one fragment. */
	if (frags == NULL || n < 2) {
		snprintf(err, errlen, "encapsulated pixel data without fragments");
		return NULL;
	}
	nf = n - 1;
	bot = &frags[0];
	r = xreallocarray(NULL, frames, 2 * sizeof *r);
	if (bot->len > 0) {
		/* Offsets count from the first fragment's item tag. */
		size_t k = 1;

		if (bot->len % 4 != 0 || bot->len / 4 != frames) {
			snprintf(err, errlen, "basic offset table of %zu bytes for %zu frames",
			         bot->len, frames);
			goto fail;
		}
		for (size_t f = 0; f < frames; f++) {
			const unsigned char *p = bot->data + 4 * f;
			uint32_t off = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			               (uint32_t)p[3] << 24;

			while (k < n && frags[k].at - frags[1].at < off)
				k++;
			if (k == n || frags[k].at - frags[1].at != off ||
			    (f > 0 && k <= r[2 * f - 2])) {
				snprintf(
				    err, errlen,
				    "basic offset table entry %zu (%u) is not the start of a new "
				    "fragment",
				    f + 1, off);
				goto fail;
			}
			r[2 * f] = k;
			if (f > 0)
				r[2 * f - 1] = k;
		}
		r[2 * frames - 1] = n;
		return r;
	}
	if (nf == frames) {
		for (size_t f = 0; f < frames; f++) {
			r[2 * f] = f + 1;
			r[2 * f + 1] = f + 2;
		}
		return r;
	}
	if (frames == 1) {
		r[0] = 1;
		r[1] = n;
		return r;
	}
	if (jpeg) {
		size_t f = 0;

		for (size_t k = 1; k < n; k++) {
			if (frags[k].len >= 2 && frags[k].data[0] == 0xFF &&
			    frags[k].data[1] == 0xD8) {
				if (f == frames) {
					f++;
					break;
				}
				r[2 * f] = k;
				if (f > 0)
					r[2 * f - 1] = k;
				f++;
			} else if (k == 1) {
				break;
			}
		}
		if (f == frames) {
			r[2 * frames - 1] = n;
			return r;
		}
	}
	snprintf(err, errlen, "%zu fragments for %zu frames, and no offset table", nf, frames);
fail:
	free(r);
	return NULL;
}

int dicom_encap_decode(struct dicom_image *img, const char *ts, const struct dicom_fragment *frags,
                       size_t n, char *err, size_t errlen)
{
	int jpeg = strcmp(ts, TS_RLE) != 0, ybr = strncmp(img->photometric, "YBR", 3) == 0;
	size_t frame_bytes = dicom_frame_samples(img) * (img->bits_allocated / 8);
	size_t *ranges = NULL;
	unsigned char *joined = NULL, *pixels = NULL;
	char why[160];
	int status = -1;
	unsigned f;

	if (jpeg && img->bits_allocated != 8 &&
	    !(img->bits_allocated == 16 && img->bits_stored <= 8)) {
		snprintf(err, errlen,
		         "%u-bit JPEG: no preview (libjpeg here decodes 8-bit samples only)",
		         img->bits_stored > 8 ? img->bits_stored : img->bits_allocated);
		return -1;
	}
	if (img->bits_allocated % 8 != 0) {
		snprintf(err, errlen, "%u bits allocated in encapsulated pixel data",
		         img->bits_allocated);
		return -1;
	}
	if ((ranges = frame_ranges(img, jpeg, frags, n, err, errlen)) == NULL)
		return -1;
	for (f = 0; f < img->frames; f++) {
		size_t first = ranges[2 * f], last = ranges[2 * f + 1], len = 0;
		const unsigned char *src;
		unsigned char *dst;

		if (last - first == 1) {
			src = frags[first].data;
			len = frags[first].len;
		} else {
			for (size_t k = first; k < last; k++)
				len += frags[k].len;
			joined = xreallocarray(joined, len > 0 ? len : 1, 1);
			len = 0;
			for (size_t k = first; k < last; k++) {
				memcpy(joined + len, frags[k].data, frags[k].len);
				len += frags[k].len;
			}
			src = joined;
		}
		if (jpeg) {
			struct dicom_jpeg j;
			size_t npx = (size_t)img->rows * img->columns * img->samples_per_pixel;

			/* Decoded first: the JPEG header is checked before the
			 * frame's memory is taken. */
			if (dicom_jpeg_decode(src, len, ybr ? DICOM_JPEG_TO_RGB : DICOM_JPEG_RAW,
			                      img->columns, img->rows, img->samples_per_pixel, &j,
			                      why, sizeof why) != 0)
				goto frame_fail;
			pixels = xreallocarray(pixels, (size_t)f + 1, frame_bytes);
			dst = pixels + (size_t)f * frame_bytes;
			if (img->bits_allocated == 8) {
				memcpy(dst, j.pixels, npx);
			} else {
				for (size_t i = 0; i < npx; i++) {
					dst[2 * i] = j.pixels[i];
					dst[2 * i + 1] = 0;
				}
			}
			free(j.pixels);
		} else {
			/* A PackBits packet of 2 bytes gives at most 128. */
			if ((uint64_t)frame_bytes > (uint64_t)len * 64) {
				snprintf(why, sizeof why, "RLE frame of %zu bytes cannot hold %zu",
				         len, frame_bytes);
				goto frame_fail;
			}
			pixels = xreallocarray(pixels, (size_t)f + 1, frame_bytes);
			dst = pixels + (size_t)f * frame_bytes;
			if (dicom_rle_decode(src, len, img, dst, why, sizeof why) != 0)
				goto frame_fail;
		}
	}
	img->pixels = pixels;
	img->pixel_len = (size_t)img->frames * frame_bytes;
	pixels = NULL;
	if (jpeg && ybr && img->samples_per_pixel == 3)
		snprintf(img->pixel_colour, sizeof img->pixel_colour, "RGB");
	else
		snprintf(img->pixel_colour, sizeof img->pixel_colour, "%s", img->photometric);
	if (jpeg)
		img->planar_configuration = 0; /* libjpeg interleaves */
	img->has_pixels = 1;
	status = 0;
	goto out;
frame_fail:
	if (img->frames > 1)
		snprintf(err, errlen, "frame %u: %s", f + 1, why);
	else
		snprintf(err, errlen, "%s", why);
out:
	free(pixels);
	free(joined);
	free(ranges);
	return status;
}
