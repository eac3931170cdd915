/* `ecii preview` drawing a frame in the terminal, outside curses: a sixel
 * image at the cursor, or half blocks / an ASCII ramp as text, fitted to a
 * box of cells (the terminal's size by default), then a caption. */
#include "config.h"

#include "cli/cli_preview_draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "img/cells.h"
#include "img/scale.h"
#include "img/sixel_enc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

int cli_preview_box(const char *text, int *rows, int *cols)
{
	struct winsize ws;
	char tail;

	if (text != NULL)
		return sscanf(text, "%dx%d%c", rows, cols, &tail) == 2 && *rows >= 1 &&
		               *cols >= 1 && *rows <= 1000 && *cols <= 1000
		           ? 0
		           : -1;
	*rows = 24;
	*cols = 80;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
	/* Room for the caption and the shell's prompt below the image. */
	*rows = *rows > 4 ? *rows - 3 : 1;
	*cols = *cols > 2 ? *cols - 1 : 1;
	return 0;
}

static int draw_sixel(const struct window_image *img, int rows, int cols,
                      const struct graphics_caps *caps, unsigned gray_levels, struct buf *out,
                      char *err, size_t errlen)
{
	struct sixel_options o = { gray_levels, 0 };
	struct buf six = BUF_INIT;
	unsigned w, h, sent_w, sent_h;
	unsigned char *scaled;
	int rc;

	image_fit(img->width, img->height, (unsigned)cols * caps->cell_w,
	          (unsigned)rows * caps->cell_h / 6 * 6, &w, &h);
	scaled = image_scale(img->pixels, img->width, img->height, img->channels, w, h);
	rc = sixel_encode_image(scaled, w, h, img->channels, &o, &six, &sent_w, &sent_h, err,
	                        errlen);
	free(scaled);
	if (rc == 0) {
		int covered, unused;

		/* Room first (scrolling now, never under the image), then the
		 * image at its top with the cursor saved and restored, then the
		 * cursor below it: the same in every terminal, and inside tmux,
		 * which does not know what the passthrough drew. */
		sixel_cells(sent_w, sent_h, caps->cell_w, caps->cell_h, &covered, &unused);
		for (int i = 0; i < covered; i++)
			buf_putc(out, '\n');
		buf_printf(out, "\033[%dA\0337", covered);
		if (caps->tmux_passthrough)
			sixel_wrap_tmux(six.data, six.len, out);
		else
			buf_append(out, six.data, six.len);
		buf_printf(out, "\0338\033[%dB", covered);
		log_info("preview drawn: %ux%u px sixel over %d rows, %zu bytes", sent_w, sent_h,
		         covered, six.len);
	}
	buf_free(&six);
	return rc;
}

static void draw_cells(const struct window_image *img, int rows, int cols,
                       const struct graphics_caps *caps, struct buf *out)
{
	bool blocks = caps->mode == GRAPHICS_BLOCKS;
	struct image_cell *cells;
	int r, n;

	cells_fit(img->width, img->height, caps->cell_w, caps->cell_h, rows, cols, &r, &n);
	log_info("preview drawn: %dx%d cells of %s", r, n, blocks ? "half blocks" : "ASCII");
	cells = xcalloc((size_t)r * (size_t)n, sizeof *cells);
	if (blocks) {
		cells_render_blocks(img->pixels, img->width, img->height, img->channels, r, n,
		                    cells);
		cells_to_ansi(cells, r, n, caps->truecolor, out);
	} else {
		/* Plain characters: a terminal without colours or UTF-8. */
		cells_render_ascii(img->pixels, img->width, img->height, img->channels, r, n,
		                   cells);
		for (int i = 0; i < r; i++) {
			for (int j = 0; j < n; j++)
				buf_putc(out, cells[(size_t)i * n + j].ch[0]);
			buf_putc(out, '\n');
		}
	}
	free(cells);
}

int cli_preview_draw(const struct window_image *img, int rows, int cols,
                     const struct graphics_caps *caps, unsigned gray_levels, char *err,
                     size_t errlen)
{
	struct buf out = BUF_INIT;
	int rc = 0;

	switch (caps->mode) {
	case GRAPHICS_SIXEL:
		rc = draw_sixel(img, rows, cols, caps, gray_levels, &out, err, errlen);
		break;
	case GRAPHICS_BLOCKS:
	case GRAPHICS_ASCII:
		draw_cells(img, rows, cols, caps, &out);
		break;
	case GRAPHICS_NONE:
	default:
		snprintf(err, errlen, "images are off (--graphics none): use --png or --pgm");
		rc = -1;
		break;
	}
	if (rc == 0 && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0)) {
		snprintf(err, errlen, "cannot write the image to standard output");
		rc = -1;
	}
	buf_free(&out);
	return rc;
}
