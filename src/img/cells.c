/* The text fallback (see cells.h). Colours are chosen against the xterm
 * 256-colour palette as xterm defines it (cube levels 0, 95, 135, 175,
 * 215, 255; grays 8 + 10 i); the grays of a gray image use only the 30
 * gray entries so they stay neutral. Must not use curses: the explorer
 * turns cells into curses calls, `ecii preview` into text. */
#include "config.h"

#include "img/cells.h"

#include <stdlib.h>
#include <string.h>

#include "img/scale.h"

static const unsigned char cube_level[6] = { 0, 95, 135, 175, 215, 255 };

/* xterm's colours 0..15. */
static const unsigned char base16[16][3] = {
	{ 0, 0, 0 },       { 205, 0, 0 },   { 0, 205, 0 },   { 205, 205, 0 },
	{ 0, 0, 238 },     { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
	{ 127, 127, 127 }, { 255, 0, 0 },   { 0, 255, 0 },   { 255, 255, 0 },
	{ 92, 92, 255 },   { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
};

void cells_index_rgb(uint8_t i, unsigned char rgb[3])
{
	if (i < 16) {
		memcpy(rgb, base16[i], 3);
	} else if (i >= 232) {
		rgb[0] = rgb[1] = rgb[2] = (unsigned char)(8 + 10 * (i - 232));
	} else {
		unsigned k = i - 16u;

		rgb[0] = cube_level[k / 36];
		rgb[1] = cube_level[k / 6 % 6];
		rgb[2] = cube_level[k % 6];
	}
}

static unsigned char gray_value(uint8_t i)
{
	unsigned char rgb[3];

	cells_index_rgb(i, rgb);
	return rgb[0];
}

uint8_t cells_gray_index(unsigned char v, unsigned char *rgb)
{
	static const uint8_t cube_grays[] = { 16, 59, 102, 145, 188, 231 };
	uint8_t best = 16;
	int best_d = 256;

	for (unsigned k = 0; k < sizeof cube_grays; k++) {
		int d = abs((int)gray_value(cube_grays[k]) - v);

		if (d < best_d) {
			best_d = d;
			best = cube_grays[k];
		}
	}
	for (unsigned i = 232; i <= 255; i++) {
		int d = abs((int)gray_value((uint8_t)i) - v);

		if (d < best_d) {
			best_d = d;
			best = (uint8_t)i;
		}
	}
	if (rgb != NULL)
		*rgb = gray_value(best);
	return best;
}

static unsigned cube_nearest(unsigned char v)
{
	unsigned best = 0;

	for (unsigned k = 1; k < 6; k++)
		if (abs((int)cube_level[k] - v) < abs((int)cube_level[best] - v))
			best = k;
	return best;
}

static int dist2(const unsigned char a[3], unsigned char r, unsigned char g, unsigned char b)
{
	int dr = a[0] - r, dg = a[1] - g, db = a[2] - b;

	return dr * dr + dg * dg + db * db;
}

uint8_t cells_rgb_index(unsigned char r, unsigned char g, unsigned char b)
{
	uint8_t cube = (uint8_t)(16 + 36 * cube_nearest(r) + 6 * cube_nearest(g) + cube_nearest(b));
	uint8_t gray = cells_gray_index((unsigned char)((r + g + b + 1) / 3), NULL);
	unsigned char cc[3], gc[3];

	cells_index_rgb(cube, cc);
	cells_index_rgb(gray, gc);
	return dist2(gc, r, g, b) < dist2(cc, r, g, b) ? gray : cube;
}

void cells_fit(unsigned w, unsigned h, unsigned cell_w, unsigned cell_h, int max_rows, int max_cols,
               int *rows, int *cols)
{
	unsigned pw, ph;
	long long r, c;

	if (w == 0 || h == 0 || max_rows <= 0 || max_cols <= 0) {
		*rows = 0;
		*cols = 0;
		return;
	}
	if (cell_w == 0 || cell_h == 0) {
		cell_w = 10;
		cell_h = 20;
	}
	/* Fit in screen pixels, then back to whole cells. */
	image_fit(w, h, (unsigned)max_cols * cell_w, (unsigned)max_rows * cell_h, &pw, &ph);
	c = ((long long)pw + cell_w / 2) / cell_w;
	r = ((long long)ph + cell_h / 2) / cell_h;
	*cols = (int)(c < 1 ? 1 : c > max_cols ? max_cols : c);
	*rows = (int)(r < 1 ? 1 : r > max_rows ? max_rows : r);
}

static void cell_colour(const unsigned char *p, unsigned channels, uint8_t *index, uint8_t rgb[3])
{
	if (channels == 1) {
		*index = cells_gray_index(p[0], NULL);
		rgb[0] = rgb[1] = rgb[2] = p[0];
	} else {
		*index = cells_rgb_index(p[0], p[1], p[2]);
		memcpy(rgb, p, 3);
	}
}

void cells_render_blocks(const unsigned char *px, unsigned w, unsigned h, unsigned channels,
                         int rows, int cols, struct image_cell *out)
{
	unsigned char *s;

	if (px == NULL || out == NULL || rows <= 0 || cols <= 0 || (channels != 1 && channels != 3))
		return;
	s = image_scale(px, w, h, channels, (unsigned)cols, 2 * (unsigned)rows);
	if (s == NULL)
		return;
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++) {
			struct image_cell *cell = &out[(size_t)r * cols + c];
			const unsigned char *top = s + ((size_t)2 * r * cols + c) * channels;
			const unsigned char *bottom = top + (size_t)cols * channels;

			memcpy(cell->ch, CELLS_HALF_BLOCK, sizeof CELLS_HALF_BLOCK);
			cell_colour(top, channels, &cell->fg, cell->fg_rgb);
			cell_colour(bottom, channels, &cell->bg, cell->bg_rgb);
		}
	}
	free(s);
}

void cells_render_ascii(const unsigned char *px, unsigned w, unsigned h, unsigned channels,
                        int rows, int cols, struct image_cell *out)
{
	unsigned char *s;

	if (px == NULL || out == NULL || rows <= 0 || cols <= 0 || (channels != 1 && channels != 3))
		return;
	s = image_scale(px, w, h, channels, (unsigned)cols, (unsigned)rows);
	if (s == NULL)
		return;
	for (size_t i = 0; i < (size_t)rows * cols; i++) {
		const unsigned char *p = s + i * channels;
		unsigned y =
		    channels == 1 ? p[0] : (77u * p[0] + 150u * p[1] + 29u * p[2] + 128) >> 8;
		struct image_cell *cell = &out[i];

		memset(cell, 0, sizeof *cell);
		cell->ch[0] = CELLS_ASCII_RAMP[y * 10 / 256];
		cell->fg = 231;
		cell->bg = 16;
		memset(cell->fg_rgb, 255, 3);
	}
	free(s);
}

static void sgr_colour(struct buf *out, int layer, const struct image_cell *c, bool fg,
                       bool truecolor)
{
	const uint8_t *rgb = fg ? c->fg_rgb : c->bg_rgb;

	if (truecolor)
		buf_printf(out, "%d;2;%u;%u;%u", layer, rgb[0], rgb[1], rgb[2]);
	else
		buf_printf(out, "%d;5;%u", layer, fg ? c->fg : c->bg);
}

/* Whether a and b look the same in this colour mode. */
static bool same_fg(const struct image_cell *a, const struct image_cell *b, bool truecolor)
{
	return truecolor ? memcmp(a->fg_rgb, b->fg_rgb, 3) == 0 : a->fg == b->fg;
}

static bool same_bg(const struct image_cell *a, const struct image_cell *b, bool truecolor)
{
	return truecolor ? memcmp(a->bg_rgb, b->bg_rgb, 3) == 0 : a->bg == b->bg;
}

void cells_to_ansi(const struct image_cell *cells, int rows, int cols, bool truecolor,
                   struct buf *out)
{
	if (cells == NULL || rows <= 0 || cols <= 0)
		return;
	for (int r = 0; r < rows; r++) {
		const struct image_cell *prev = NULL;

		for (int c = 0; c < cols; c++) {
			const struct image_cell *cell = &cells[(size_t)r * cols + c];
			bool fg = prev == NULL || !same_fg(prev, cell, truecolor);
			bool bg = prev == NULL || !same_bg(prev, cell, truecolor);

			if (fg || bg) {
				buf_puts(out, "\033[");
				if (fg)
					sgr_colour(out, 38, cell, true, truecolor);
				if (fg && bg)
					buf_putc(out, ';');
				if (bg)
					sgr_colour(out, 48, cell, false, truecolor);
				buf_putc(out, 'm');
			}
			if (cell->ch[0] == '\0')
				buf_putc(out, ' ');
			else
				buf_append(out, cell->ch, strnlen(cell->ch, sizeof cell->ch));
			prev = cell;
		}
		buf_puts(out, "\033[0m\n");
	}
}
