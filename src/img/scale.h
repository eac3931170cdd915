/* Resizing 8-bit images (gray or RGB, channels interleaved) for previews:
 * the size that fits a box, and a separable fixed-point resampler, area
 * average when shrinking and bilinear when enlarging. Pure C: no terminal,
 * no files, no libraries. */
#ifndef ECII_IMG_SCALE_H
#define ECII_IMG_SCALE_H

/* The largest w x h with src_w:src_h's aspect (square pixels) that fits
 * max_w x max_h, rounded to the nearest pixel and never below 1x1 (also for
 * zero sizes). Enlarges as well as shrinks. w and h must not be NULL. */
void image_fit(unsigned src_w, unsigned src_h, unsigned max_w, unsigned max_h, unsigned *w,
               unsigned *h);

/* src (src_w x src_h x channels bytes, rows top down, borrowed) resized to
 * dst_w x dst_h, each axis on its own: area average (box filter with exact
 * coverage weights) when that axis shrinks, bilinear (pixel centres
 * aligned, edges clamped) when it grows, a copy when it keeps its size.
 * Returns dst_w x dst_h x channels bytes, new (free), or NULL when src is
 * NULL or a size or channels is 0. */
unsigned char *image_scale(const unsigned char *src, unsigned src_w, unsigned src_h,
                           unsigned channels, unsigned dst_w, unsigned dst_h);

#endif
