/* A loaded image for previews: a DICOM file (img/dicom.h, any frame count,
 * windowed by img/window.h) or a PNG or JPEG file (one frame, converted to
 * 8-bit gray or RGB: palette, 16-bit and alpha composited on black all
 * handled). The format is sniffed from the bytes, never from the name.
 * Pure: no terminal; inputs are outside data, read within DICOM_MAX_DIM
 * and DICOM_MAX_FILE, every error one line. */
#ifndef ECII_IMG_PICTURE_H
#define ECII_IMG_PICTURE_H

#include <stddef.h>

#include "img/dicom.h"
#include "img/window.h"

struct picture;

/* Sniffs data ("DICM" at 128, the PNG signature, a JPEG SOI, else a bare
 * DICOM dataset) and reads it. Returns new (picture_free), or NULL with a
 * one-line reason in err (err may be NULL). data borrowed. */
struct picture *picture_read(const void *data, size_t len, char *err, size_t errlen);
/* picture_read on the file at path, refused over DICOM_MAX_FILE bytes; the
 * reason names path. */
struct picture *picture_read_file(const char *path, char *err, size_t errlen);
/* Frees *p (NULL and *p == NULL accepted) and sets *p to NULL. */
void picture_free(struct picture **p);

/* Frames: the DICOM number of frames, 1 for PNG and JPEG. */
unsigned picture_frames(const struct picture *p);
/* "DICOM", "PNG" or "JPEG", static. */
const char *picture_format(const struct picture *p);
/* The DICOM image, borrowed; NULL unless the format is DICOM. */
const struct dicom_image *picture_dicom(const struct picture *p);
/* Width (columns) and height (rows) in pixels. */
unsigned picture_width(const struct picture *p);
unsigned picture_height(const struct picture *p);
/* Why it cannot be shown (dicom_no_preview), static or borrowed; NULL when
 * it can (always for PNG and JPEG). */
const char *picture_no_preview(const struct picture *p);

/* Frame (0-based) as 8-bit pixels in *out: window_render for DICOM (given
 * borrowed, NULL for the stored or min-max window); for PNG and JPEG given
 * is ignored, out->source is WINDOW_SOURCE_NONE and out->channels 1 (gray)
 * or 3 (RGB). Returns 0 with out->pixels new (window_image_clear), or -1
 * with a one-line reason in err and nothing in *out to free. */
int picture_render(const struct picture *p, unsigned frame, const struct window *given,
                   struct window_image *out, char *err, size_t errlen);

#endif
