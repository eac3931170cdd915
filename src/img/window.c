/* Windowing: modality values to 8-bit gray by the DICOM LINEAR function;
 * colour (RGB, YBR_FULL, PALETTE COLOR) to 8-bit RGB. Truncates like
 * DCMTK's dcm2pnm, which the shell tests compare against pixel for pixel.
 * Must stay free of I/O and of the terminal. */
#include "config.h"

#include "img/window.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static const struct {
	const char *name;
	struct window w;
} presets[] = {
	{ "brain", { 40, 80 } },
	{ "softtissue", { 40, 400 } },
	{ "lung", { -600, 1500 } },
	{ "bone", { 400, 1800 } },
};

int window_preset(const char *name, struct window *out)
{
	char key[32];
	size_t n = 0;

	if (name == NULL)
		return -1;
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '-' || *p == '_' || *p == ' ')
			continue;
		if (n + 1 >= sizeof key)
			return -1;
		key[n++] = (char)tolower((unsigned char)*p);
	}
	key[n] = '\0';
	for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		if (strcmp(presets[i].name, key) == 0) {
			*out = presets[i].w;
			return 0;
		}
	}
	return -1;
}

const char *window_preset_names(void)
{
	return "brain (40,80), soft-tissue (40,400), lung (-600,1500), bone (400,1800)";
}

int window_parse(const char *text, struct window *out)
{
	char *end;
	double c, w;

	if (text == NULL)
		return -1;
	c = strtod(text, &end);
	if (end == text || *end != ',')
		return -1;
	text = end + 1;
	w = strtod(text, &end);
	if (end == text || *end != '\0' || !isfinite(c) || !isfinite(w) || w < 1)
		return -1;
	out->center = c;
	out->width = w;
	return 0;
}

void window_minmax(const double *values, size_t n, struct window *out)
{
	double lo = values[0], hi = values[0];

	for (size_t i = 1; i < n; i++) {
		if (values[i] < lo)
			lo = values[i];
		if (values[i] > hi)
			hi = values[i];
	}
	out->center = (lo + hi + 1) / 2;
	out->width = hi - lo + 1;
}

unsigned char window_linear(double x, const struct window *w, int invert)
{
	double low = invert ? 255 : 0, high = invert ? 0 : 255, range = high - low;
	double w1 = w->width - 1, y;

	if (w1 <= 0)
		return (unsigned char)(x <= w->center - 0.5 ? low : high);
	if (x <= w->center - 0.5 - w1 / 2)
		return (unsigned char)low;
	if (x > w->center - 0.5 + w1 / 2)
		return (unsigned char)high;
	/* DCMTK (dimoopxt.h, VOI LINEAR) computes offset + x * gradient and
	 * casts; the same expression gives the same bytes at exact halves. */
	y = (high - ((w->center - 0.5) / w1 + 0.5) * range) + x * (range / w1);
	if (y < 0)
		return 0;
	if (y > 255)
		return 255;
	return (unsigned char)y;
}

static unsigned char clamp8(int64_t v)
{
	return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* 8-bit YCbCr (full range) to RGB with the PS3.3 C.7.6.3.1.2
 * coefficients, rounded as dcmtk does: for YBR_FULL (dcmimage diybrpxt.h,
 * unsigned 8-bit) each chroma term is truncated on its own, then added to Y
 * and clamped; for YBR_FULL_422 (diyf2pxt.h) the whole sum is computed in
 * double and truncated once. */
static void ybr_to_rgb(const int64_t *ybr, unsigned char *rgb, size_t npix, int whole)
{
	for (size_t i = 0; i < npix; i++) {
		int64_t y = clamp8(ybr[3 * i]), cb = clamp8(ybr[3 * i + 1]),
		        cr = clamp8(ybr[3 * i + 2]);
		int64_t rcr, gcb, gcr, bcb;

		if (whole) {
			double r = (double)y + 1.4020 * (double)cr - 0.7010 * 255.0;
			double g =
			    (double)y - 0.3441 * (double)cb - 0.7141 * (double)cr + 0.5291 * 255.0;
			double b = (double)y + 1.7720 * (double)cb - 0.8859 * 255.0;

			rgb[3 * i] = r < 0 ? 0 : r > 255 ? 255 : (unsigned char)r;
			rgb[3 * i + 1] = g < 0 ? 0 : g > 255 ? 255 : (unsigned char)g;
			rgb[3 * i + 2] = b < 0 ? 0 : b > 255 ? 255 : (unsigned char)b;
			continue;
		}
		rcr = (int64_t)(1.4020 * (double)cr - 0.7010 * 255.0);
		gcb = (int64_t)(0.3441 * (double)cb);
		gcr = (int64_t)(0.7141 * (double)cr - 0.5291 * 255.0);
		bcb = (int64_t)(1.7720 * (double)cb - 0.8859 * 255.0);
		rgb[3 * i] = clamp8(y + rcr);
		rgb[3 * i + 1] = clamp8(y - gcb - gcr);
		rgb[3 * i + 2] = clamp8(y + bcb);
	}
}

/* One entry of a palette table for stored value v, clamped to the table's
 * ends, as 8 bits (16-bit entries keep their high byte, as dcmtk does). */
static unsigned char palette_entry(const struct dicom_lut *lut, int64_t v)
{
	int64_t i = v - lut->first;
	unsigned e;

	if (i < 0)
		i = 0;
	if (i >= (int64_t)lut->entries)
		i = (int64_t)lut->entries - 1;
	e = lut->data[i];
	return (unsigned char)(lut->bits == 16 ? e >> 8 : e & 0xFF);
}

/* The colour model of the pixel buffer; photometric for images built
 * without dicom_read. */
static const char *pixel_colour(const struct dicom_image *img)
{
	return img->pixel_colour[0] != '\0' ? img->pixel_colour : img->photometric;
}

/* Colour images: RGB passed through, YBR_FULL converted, PALETTE COLOR
 * looked up; 8-bit output, channels 3, no window. */
static int render_colour(const struct dicom_image *img, unsigned frame, struct window_image *out,
                         char *err, size_t errlen)
{
	size_t n = dicom_frame_samples(img), npix = (size_t)img->rows * img->columns;
	int64_t *raw = xreallocarray(NULL, n, sizeof *raw);
	int status = -1;

	if (dicom_frame_raw(img, frame, raw, n, err, errlen) != 0)
		goto out;
	out->pixels = xreallocarray(NULL, npix, 3);
	out->channels = 3;
	out->source = WINDOW_SOURCE_NONE;
	if (img->samples_per_pixel == 1) {
		for (size_t i = 0; i < npix; i++) {
			for (int c = 0; c < 3; c++)
				out->pixels[3 * i + c] = palette_entry(&img->palette[c], raw[i]);
		}
	} else if (strncmp(pixel_colour(img), "YBR_FULL", 8) == 0) {
		ybr_to_rgb(raw, out->pixels, npix, strcmp(pixel_colour(img), "YBR_FULL_422") == 0);
	} else {
		for (size_t i = 0; i < n; i++)
			out->pixels[i] = clamp8(raw[i]);
	}
	status = 0;
out:
	free(raw);
	return status;
}

void window_image_clear(struct window_image *out)
{
	if (out == NULL)
		return;
	free(out->pixels);
	memset(out, 0, sizeof *out);
}

/* The window for a gray frame: given, else the stored one, else the
 * min-max of the n values. */
static void choose_window(const struct dicom_image *img, const struct window *given,
                          const double *values, size_t n, struct window_image *out)
{
	if (given != NULL) {
		out->window = *given;
		out->source = WINDOW_SOURCE_GIVEN;
	} else if (img->has_window && isfinite(img->window_center) && isfinite(img->window_width) &&
	           img->window_width >= 1) {
		out->window.center = img->window_center;
		out->window.width = img->window_width;
		out->source = WINDOW_SOURCE_STORED;
	} else {
		window_minmax(values, n, &out->window);
		out->source = WINDOW_SOURCE_MINMAX;
	}
}

/* A gray frame of at most 16 stored bits: each stored value present is
 * rescaled and windowed once, into a table over the frame's range, with
 * the very arithmetic of the per-pixel path (so the grays are the same),
 * and pixels look their gray up: a 512x512 frame in a fraction of the
 * time. The min-max window needs only the extremes: rescaling is
 * monotonic. */
static int render_gray_table(const struct dicom_image *img, unsigned frame,
                             const struct window *given, int invert, struct window_image *out,
                             char *err, size_t errlen)
{
	size_t n = dicom_frame_samples(img);
	int64_t *raw = xreallocarray(NULL, n, sizeof *raw), lo, hi;
	unsigned char *table;
	double ends[2];

	if (dicom_frame_raw(img, frame, raw, n, err, errlen) != 0) {
		free(raw);
		return -1;
	}
	lo = hi = raw[0];
	for (size_t i = 1; i < n; i++) {
		if (raw[i] < lo)
			lo = raw[i];
		if (raw[i] > hi)
			hi = raw[i];
	}
	ends[0] = (double)lo * img->rescale_slope + img->rescale_intercept;
	ends[1] = (double)hi * img->rescale_slope + img->rescale_intercept;
	choose_window(img, given, ends, 2, out);
	table = xmalloc((size_t)(hi - lo) + 1);
	for (int64_t v = lo; v <= hi; v++)
		table[v - lo] = window_linear(
		    (double)v * img->rescale_slope + img->rescale_intercept, &out->window, invert);
	out->pixels = xmalloc(n);
	out->channels = 1;
	for (size_t i = 0; i < n; i++)
		out->pixels[i] = table[raw[i] - lo];
	free(table);
	free(raw);
	return 0;
}

int window_render(const struct dicom_image *img, unsigned frame, const struct window *given,
                  struct window_image *out, char *err, size_t errlen)
{
	const char *why = dicom_no_preview(img);
	size_t n = 0;
	int status = -1, invert;
	int64_t *raw = NULL;
	double *values = NULL;

	memset(out, 0, sizeof *out);
	if (why != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (frame >= img->frames) {
		snprintf(err, errlen, "frame %u out of range: the file has %u", frame + 1,
		         img->frames);
		return -1;
	}
	n = dicom_frame_samples(img);
	out->width = img->columns;
	out->height = img->rows;
	if (img->samples_per_pixel == 3) {
		const char *colour = pixel_colour(img);

		if (img->bits_allocated != 8 ||
		    (strcmp(colour, "RGB") != 0 && strcmp(colour, "YBR_FULL") != 0 &&
		     strcmp(colour, "YBR_FULL_422") != 0)) {
			snprintf(err, errlen, "%s with %u bits allocated: no preview yet",
			         img->photometric, img->bits_allocated);
			goto out;
		}
		status = render_colour(img, frame, out, err, errlen);
		goto out;
	}
	if (strcmp(img->photometric, "PALETTE COLOR") == 0) {
		if (img->lut_error[0] != '\0') {
			snprintf(err, errlen, "%s", img->lut_error);
			goto out;
		}
		if (img->palette[0].data == NULL || img->palette[1].data == NULL ||
		    img->palette[2].data == NULL) {
			snprintf(err, errlen, "PALETTE COLOR without its lookup tables");
			goto out;
		}
		status = render_colour(img, frame, out, err, errlen);
		goto out;
	}
	if (img->samples_per_pixel != 1 || (strcmp(img->photometric, "MONOCHROME1") != 0 &&
	                                    strcmp(img->photometric, "MONOCHROME2") != 0)) {
		snprintf(err, errlen, "photometric %s: no preview yet", img->photometric);
		goto out;
	}
	invert = strcmp(img->photometric, "MONOCHROME1") == 0;
	if (img->bits_stored <= 16) {
		status = render_gray_table(img, frame, given, invert, out, err, errlen);
		goto out;
	}
	values = xreallocarray(NULL, n, sizeof *values);
	if (dicom_frame_values(img, frame, values, n, err, errlen) != 0)
		goto out;
	choose_window(img, given, values, n, out);
	out->pixels = xmalloc(n);
	out->channels = 1;
	for (size_t i = 0; i < n; i++)
		out->pixels[i] = window_linear(values[i], &out->window, invert);
	status = 0;
out:
	free(values);
	free(raw);
	if (status != 0)
		window_image_clear(out);
	return status;
}
