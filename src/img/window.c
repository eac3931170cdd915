/* Windowing: modality values to 8-bit gray by the DICOM LINEAR function.
 * Truncates like DCMTK's dcm2pnm, which the shell tests compare
 * against pixel for pixel. Must stay free of I/O and of the terminal. */
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

void window_image_clear(struct window_image *out)
{
	if (out == NULL)
		return;
	free(out->pixels);
	memset(out, 0, sizeof *out);
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
		if (img->bits_allocated != 8 || strcmp(img->photometric, "RGB") != 0) {
			snprintf(err, errlen, "%s with %u bits allocated: no preview yet",
			         img->photometric, img->bits_allocated);
			goto out;
		}
		raw = xreallocarray(NULL, n, sizeof *raw);
		if (dicom_frame_raw(img, frame, raw, n, err, errlen) != 0)
			goto out;
		out->pixels = xmalloc(n);
		for (size_t i = 0; i < n; i++)
			out->pixels[i] = (unsigned char)(raw[i] < 0     ? 0
			                                 : raw[i] > 255 ? 255
			                                                : raw[i]);
		out->channels = 3;
		out->source = WINDOW_SOURCE_NONE;
		status = 0;
		goto out;
	}
	if (img->samples_per_pixel != 1 || (strcmp(img->photometric, "MONOCHROME1") != 0 &&
	                                    strcmp(img->photometric, "MONOCHROME2") != 0)) {
		snprintf(err, errlen, "photometric %s: no preview yet", img->photometric);
		goto out;
	}
	values = xreallocarray(NULL, n, sizeof *values);
	if (dicom_frame_values(img, frame, values, n, err, errlen) != 0)
		goto out;
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
	out->pixels = xmalloc(n);
	out->channels = 1;
	invert = strcmp(img->photometric, "MONOCHROME1") == 0;
	for (size_t i = 0; i < n; i++) {
		out->pixels[i] = window_linear(values[i], &out->window, invert);
	}
	status = 0;
out:
	free(values);
	free(raw);
	if (status != 0)
		window_image_clear(out);
	return status;
}
