/* Images on the canvas: cells for the text modes, placements for sixel. */
#include "config.h"

#include "ui/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/cells.h"
#include "img/scale.h"
#include "img/sixel_enc.h"
#include "util/xmalloc.h"

static unsigned long next_version = 1;

struct ui_image *ui_image_new(void)
{
	struct ui_image *im = xcalloc(1, sizeof *im);

	im->version = next_version++;
	return im;
}

void ui_image_free(struct ui_image **im)
{
	if (*im == NULL)
		return;
	free((*im)->pixels);
	buf_free(&(*im)->sixel);
	free(*im);
	*im = NULL;
}

void ui_image_set(struct ui_image *im, const unsigned char *pixels, unsigned w, unsigned h,
                  unsigned channels)
{
	size_t n = (size_t)w * h * channels;

	free(im->pixels);
	im->pixels = xmalloc(n > 0 ? n : 1);
	memcpy(im->pixels, pixels, n);
	im->width = w;
	im->height = h;
	im->channels = channels;
	im->version = next_version++;
}

/* The text modes: one glyph per cell, in the image's colours. */
static int draw_cells(struct ui_canvas *c, int y, int x, int rows, int cols,
                      const struct ui_image *im)
{
	const struct ui_canvas_graphics *g = &c->graphics;
	bool blocks = g->mode == GRAPHICS_BLOCKS && c->utf8;
	struct image_cell *cells;
	int r, n;

	cells_fit(im->width, im->height, g->cell_w, g->cell_h, rows, cols, &r, &n);
	cells = xcalloc((size_t)r * (size_t)n, sizeof *cells);
	if (blocks)
		cells_render_blocks(im->pixels, im->width, im->height, im->channels, r, n, cells);
	else
		cells_render_ascii(im->pixels, im->width, im->height, im->channels, r, n, cells);
	for (int i = 0; i < r; i++) {
		for (int j = 0; j < n; j++) {
			const struct image_cell *src = &cells[i * n + j];
			struct ui_cell *dst = &c->cells[(y + i) * c->cols + x + j];

			snprintf(dst->ch, sizeof dst->ch, "%s", src->ch);
			dst->style = blocks ? UI_STYLE_IMAGE : UI_STYLE_NORMAL;
			dst->fg = src->fg;
			dst->bg = src->bg;
		}
	}
	free(cells);
	return r;
}

/* Sixel: blank cells and a placement at the largest size that fits in
 * whole 6-pixel bands, so the rows it covers never exceed the box. */
static int draw_placement(struct ui_canvas *c, int y, int x, int rows, int cols,
                          struct ui_image *im)
{
	const struct ui_canvas_graphics *g = &c->graphics;
	unsigned max_w = (unsigned)cols * g->cell_w;
	unsigned max_h = (unsigned)rows * g->cell_h / 6 * 6;
	struct ui_placement *p;
	unsigned w, h;
	int covered_rows, covered_cols;

	if (c->n_images >= UI_CANVAS_MAX_IMAGES || max_h < 6)
		return 0;
	image_fit(im->width, im->height, max_w, max_h, &w, &h);
	sixel_cells(w, h, g->cell_w, g->cell_h, &covered_rows, &covered_cols);
	if (covered_rows > rows)
		covered_rows = rows;
	if (covered_cols > cols)
		covered_cols = cols;
	for (int i = 0; i < covered_rows; i++)
		ui_put_fill(c, y + i, x, covered_cols, UI_STYLE_NORMAL, "");
	p = &c->images[c->n_images++];
	*p = (struct ui_placement){ y, x, covered_rows, covered_cols, w, h, im, im->version };
	return covered_rows;
}

int ui_image_draw(struct ui_canvas *c, int y, int x, int rows, int cols, struct ui_image *im)
{
	if (y < 0 || x < 0 || y >= c->rows - 1 || x >= c->cols)
		return 0;
	if (y + rows > c->rows - 1)
		rows = c->rows - 1 - y;
	if (x + cols > c->cols)
		cols = c->cols - x;
	if (rows < 1 || cols < 1 || im == NULL || im->pixels == NULL || im->width == 0 ||
	    im->height == 0)
		return 0;
	switch (c->graphics.mode) {
	case GRAPHICS_SIXEL:
		return draw_placement(c, y, x, rows, cols, im);
	case GRAPHICS_BLOCKS:
	case GRAPHICS_ASCII:
		return draw_cells(c, y, x, rows, cols, im);
	case GRAPHICS_NONE:
	default:
		ui_put(c, y, x, cols, UI_STYLE_MUTED, "(images off: --graphics none)");
		return 1;
	}
}

int ui_image_sixel_bytes(const struct ui_placement *p, unsigned gray_levels, bool tmux_passthrough,
                         struct buf *out, char *err, size_t errlen)
{
	struct ui_image *im = p->image;
	struct buf wrapped = BUF_INIT;

	if (im->sixel_version != im->version || im->sixel_w != p->px_w || im->sixel_h != p->px_h ||
	    im->sixel_levels != gray_levels || im->sixel.len == 0) {
		struct sixel_options o = { gray_levels, 0 };
		unsigned char *scaled = NULL;
		const unsigned char *px = im->pixels;
		int rc;

		if (p->px_w != im->width || p->px_h != im->height)
			px = scaled = image_scale(im->pixels, im->width, im->height, im->channels,
			                          p->px_w, p->px_h);
		buf_reset(&im->sixel);
		rc = sixel_encode_image(px, p->px_w, p->px_h, im->channels, &o, &im->sixel, NULL,
		                        NULL, err, errlen);
		free(scaled);
		if (rc < 0) {
			buf_reset(&im->sixel);
			return -1;
		}
		im->sixel_version = im->version;
		im->sixel_w = p->px_w;
		im->sixel_h = p->px_h;
		im->sixel_levels = gray_levels;
	}
	if (tmux_passthrough) {
		sixel_wrap_tmux(im->sixel.data, im->sixel.len, &wrapped);
		sixel_place(p->y, p->x, wrapped.data, wrapped.len, out);
		buf_free(&wrapped);
	} else {
		sixel_place(p->y, p->x, im->sixel.data, im->sixel.len, out);
	}
	return 0;
}
