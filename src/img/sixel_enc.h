/* Sixel output for image previews: a windowed 8-bit image encoded by
 * libsixel into one DCS string that fits a byte budget, the tmux
 * passthrough wrapper, the bytes that place it at a cell of a curses
 * screen, and how many cells it covers. The only place outside src/img
 * that sees sixel bytes is the caller that writes them; nothing here
 * touches a terminal. */
#ifndef ECII_IMG_SIXEL_ENC_H
#define ECII_IMG_SIXEL_ENC_H

#include <stddef.h>

#include "util/buf.h"

#define SIXEL_DEFAULT_GRAY_LEVELS 64
#define SIXEL_DEFAULT_MAX_BYTES   ((size_t)1024 * 1024 - 1)

struct sixel_options {
	unsigned gray_levels; /* 2..256 gray registers; 0: 64 (256 is exact) */
	size_t max_bytes;     /* 0: 1 MiB - 1 (tmux's DCS limit); the payload stays under it */
};

/* Encodes pixels (w x h x channels bytes, channels 1 gray or 3 RGB, rows
 * top down, borrowed) as one 7-bit sixel DCS (ESC P ... q ... ESC \) with
 * its palette always sent. Gray: PAL8 indices into an n-level gray palette
 * (v -> the nearest of n levels i*255/(n-1), no dithering; 256 = exact
 * indices, though sixel sends colours in percent: 101 distinct grays);
 * RGB: libsixel's median cut to 256 colours with its default diffusion.
 * If the DCS is max_bytes or longer, the image is scaled down by 0.85 per
 * step (further when far over: sqrt(max/bytes)) with image_scale from the
 * original and encoded again. Appends the DCS to out and stores the size
 * sent in *out_w, *out_h (either may be NULL). o may be NULL (defaults).
 * Returns 0, or -1 with a one-line reason in err (err may be NULL): bad
 * arguments, a libsixel failure, no size small enough; out is then
 * unchanged. */
int sixel_encode_image(const unsigned char *pixels, unsigned w, unsigned h, unsigned channels,
                       const struct sixel_options *o, struct buf *out, unsigned *out_w,
                       unsigned *out_h, char *err, size_t errlen);

/* Appends payload (n bytes, borrowed) wrapped for tmux passthrough to out:
 * ESC P tmux ; then payload with every ESC doubled, then ESC \ . tmux needs
 * `set -g allow-passthrough on` for it to reach the outer terminal. */
void sixel_wrap_tmux(const char *payload, size_t n, struct buf *out);

/* Appends the bytes that draw payload (n bytes, borrowed; a DCS, wrapped
 * or not) at 0-based cell (row, col) of a curses screen to out: DECSC
 * (ESC 7), CUP to (row + 1, col + 1), the payload, DECRC (ESC 8), so the
 * cursor and curses' idea of it are unchanged. Negative row/col count as 0. */
void sixel_place(int row, int col, const char *payload, size_t n, struct buf *out);

/* The cells an image of w x h pixels covers with cells of cell_w x cell_h
 * pixels: *cols = ceil(w / cell_w), *rows = ceil(ceil(h / 6) * 6 / cell_h)
 * since sixel draws 6-pixel bands. 0 x 0 for a zero size or cell size. */
void sixel_cells(unsigned w, unsigned h, unsigned cell_w, unsigned cell_h, int *rows, int *cols);

#endif
