/* Windowing for previews: a frame's modality values mapped to 8-bit gray
 * with the DICOM LINEAR VOI function (PS3.3 C.11.2.1.2.1), the window chosen
 * as given, else the file's first stored window, else the frame's min-max;
 * MONOCHROME1 inverted after windowing; 8-bit colour to RGB: RGB passed
 * through, YBR_FULL (and YBR_FULL_422, expanded on read) converted as
 * dcmtk does, PALETTE COLOR looked up in its tables. Pure C:
 * no terminal, no files. */
#ifndef ECII_IMG_WINDOW_H
#define ECII_IMG_WINDOW_H

#include <stddef.h>

#include "img/dicom.h"

struct window {
	double center, width; /* width >= 1 */
};

enum window_source {
	WINDOW_SOURCE_GIVEN,  /* the caller's window (--window, a preset) */
	WINDOW_SOURCE_STORED, /* the file's first (0028,1050/1051) */
	WINDOW_SOURCE_MINMAX, /* the frame's minimum and maximum */
	WINDOW_SOURCE_NONE,   /* colour passed through, no window */
};

/* The CT preset called name ("brain", "soft-tissue", "lung", "bone"; case
 * and '-'/'_'/' ' ignored) in *out. Returns 0, or -1 for an unknown name. */
int window_preset(const char *name, struct window *out);
/* Names of the presets, comma-separated, static: for usage messages. */
const char *window_preset_names(void);
/* Parses "C,W" (two finite numbers, W >= 1) into *out. Returns 0 or -1. */
int window_parse(const char *text, struct window *out);
/* DCMTK's min-max window of n values (n > 0): center (min + max + 1) / 2,
 * width max - min + 1. */
void window_minmax(const double *values, size_t n, struct window *out);
/* LINEAR: x <= c - 0.5 - (w-1)/2 -> 0, x > c - 0.5 + (w-1)/2 -> 255, else
 * ((x - (c - 0.5)) / (w - 1) + 0.5) * 255 truncated; width 1 is a threshold
 * at c - 0.5. With invert (MONOCHROME1) 255 minus that real value,
 * truncated. Truncation, and the arithmetic's order, are DCMTK's, so
 * previews equal dcm2pnm's byte for byte. w borrowed. */
unsigned char window_linear(double x, const struct window *w, int invert);

/* One frame, windowed: width x height x channels bytes, rows top down. */
struct window_image {
	unsigned width, height;
	unsigned channels;     /* 1 gray, 3 RGB */
	unsigned char *pixels; /* owned; window_image_clear frees */
	struct window window;  /* the window used, unless source is NONE */
	enum window_source source;
};

/* Windows frame (0-based) of img into *out: given if not NULL, else the
 * stored window, else min-max; inverted for MONOCHROME1; colour images give
 * 3 channels and source WINDOW_SOURCE_NONE (given ignored). Returns 0 with
 * *out filled (pixels new), or -1 with a one-line reason in err (out then
 * holds nothing to free). img and given borrowed. */
int window_render(const struct dicom_image *img, unsigned frame, const struct window *given,
                  struct window_image *out, char *err, size_t errlen);
/* Frees out->pixels (out NULL accepted) and zeroes *out. */
void window_image_clear(struct window_image *out);

#endif
