/* Writing 8-bit gray or RGB images: binary PGM/PPM and PNG (libpng). A file
 * is written to a temporary name beside it and renamed into place, so a
 * reader never sees half an image and a failure leaves no file behind. */
#ifndef ECII_IMG_IMAGE_OUT_H
#define ECII_IMG_IMAGE_OUT_H

#include <stddef.h>

/* pixels: width x height x channels bytes (channels 1 gray or 3 RGB), rows
 * top down, borrowed. Return 0, or -1 with a one-line reason naming path in
 * err. _pnm writes P5 for gray, P6 for RGB, maxval 255. */
int image_write_pnm(const char *path, const unsigned char *pixels, unsigned width, unsigned height,
                    unsigned channels, char *err, size_t errlen);
int image_write_png(const char *path, const unsigned char *pixels, unsigned width, unsigned height,
                    unsigned channels, char *err, size_t errlen);

#endif
