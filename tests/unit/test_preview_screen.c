/* Previews in the explorer, driven through a real app on the demo's
 * synthetic phantoms: the collection screen's first preview, the preview
 * screen's keys and panel, and where images go on the canvas in each
 * graphics mode: sixel cells left blank under a placement that never runs
 * past the box nor into the last row, at any size. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/previews.h"
#include "node/local.h"
#include "screens/app.h"
#include "screens/screen.h"
#include "ui/canvas.h"
#include "ui/image.h"
#include "ui/keys.h"
#include "store/site_store.h"
#include "util/xmalloc.h"

#include "screen_support.h"
#include "support.h"

static struct federation *demo;

static void use_graphics(struct screen_test *u, enum graphics_mode mode)
{
	u->c->graphics = (struct ui_canvas_graphics){ mode, 10, 20, 64 };
	screen_test_redraw(u);
}

/* Every placement inside the canvas, above its last row, its cells blank;
 * its pixels fit the cells it claims. */
static void assert_placements_sane(const struct screen_test *u)
{
	const struct ui_canvas *c = u->c;

	for (int i = 0; i < c->n_images; i++) {
		const struct ui_placement *p = &c->images[i];

		assert_true(p->y >= 0 && p->x >= 0 && p->rows >= 1 && p->cols >= 1);
		assert_true(p->y + p->rows <= c->rows - 1);
		assert_true(p->x + p->cols <= c->cols);
		/* Sixel height goes in bands of 6 pixels. */
		assert_true((p->px_h + 5) / 6 * 6 <= (unsigned)p->rows * c->graphics.cell_h);
		assert_true(p->px_w <= (unsigned)p->cols * c->graphics.cell_w);
		for (int y = p->y; y < p->y + p->rows; y++) {
			for (int x = p->x; x < p->x + p->cols; x++) {
				const struct ui_cell *cell = ui_canvas_cell(c, y, x);

				assert_string_equal(cell->ch, " ");
				assert_int_equal(cell->style, UI_STYLE_NORMAL);
			}
		}
	}
}

static void test_collection_shows_first_preview(void **state)
{
	struct screen_test *u = screen_test_open(demo, 30, 110, true);

	use_graphics(u, GRAPHICS_SIXEL);
	screen_test_press(u, "Enter");
	screen_test_assert_shows(u, "Preview (v shows it)");
	screen_test_assert_shows(u, "MR phantom, pelvis, axial T2, 4 slices");
	screen_test_assert_shows(u, "(synthetic)");
	assert_int_equal(u->c->n_images, 1);
	/* In the panel at the right, below its title. */
	assert_true(u->c->images[0].x >= 110 - 48);
	assert_int_equal(u->c->images[0].y, 2);
	assert_placements_sane(u);
	screen_test_assert_sane(u);
	/* Too narrow for a panel: the page alone, no image. */
	ui_canvas_resize(u->c, 30, 79);
	screen_test_redraw(u);
	assert_int_equal(u->c->n_images, 0);
	screen_test_assert_shows(u, "Biparametric Prostate MRI");
	/* Back on the catalogue: nothing to draw. */
	ui_canvas_resize(u->c, 30, 110);
	screen_test_press(u, "q");
	assert_int_equal(u->c->n_images, 0);
	/* Images off: no panel either. */
	use_graphics(u, GRAPHICS_NONE);
	screen_test_press(u, "Enter");
	assert_int_equal(u->c->n_images, 0);
	screen_test_assert_not_shows(u, "Preview (v shows it)");
	screen_test_close(&u);
}

/* The panel's value under a label, e.g. "Frame" -> "1 of 4". */
static void assert_panel(const struct screen_test *u, const char *label, const char *value)
{
	int y = screen_test_find_row(u, label);
	char *line;

	assert_true(y >= 0);
	line = screen_test_row_text(u, y + 1);
	if (strstr(line, value) == NULL)
		fail_msg("under %s: '%s', wanted '%s'", label, line, value);
	free(line);
}

static void test_preview_keys(void **state)
{
	struct screen_test *u = screen_test_open(demo, 34, 120, true);
	unsigned long version;

	use_graphics(u, GRAPHICS_SIXEL);
	app_push(u->app, &preview_screen, "c-pros-04");
	screen_test_redraw(u);
	screen_test_assert_shows(u, "1 of 2: CT phantom, pelvis, axial, 4 slices (synthetic)");
	assert_panel(u, "Modality", "CT");
	assert_panel(u, "Size", "256 x 256");
	assert_panel(u, "Frame", "1 of 4");
	assert_panel(u, "Window", "C 40  W 400");
	screen_test_assert_shows(u, "stored in the file");
	assert_panel(u, "Transfer syntax", "Explicit VR Little Endian");
	assert_int_equal(u->c->n_images, 1);
	assert_placements_sane(u);
	version = u->c->images[0].version;

	/* Frames step and wrap; each is a new image. */
	screen_test_press(u, "n");
	assert_panel(u, "Frame", "2 of 4");
	assert_true(u->c->images[0].version != version);
	screen_test_press(u, "N N");
	assert_panel(u, "Frame", "4 of 4");
	screen_test_press(u, ".");
	assert_panel(u, "Frame", "1 of 4");

	/* The window: presets, width, level, reset. */
	screen_test_press(u, "3");
	assert_panel(u, "Window", "C -600  W 1500");
	screen_test_assert_shows(u, "lung");
	screen_test_press(u, "4");
	assert_panel(u, "Window", "C 400  W 1800");
	screen_test_press(u, "0");
	assert_panel(u, "Window", "C 40  W 400");
	screen_test_press(u, "<");
	assert_panel(u, "Window", "C 40  W 320");
	screen_test_assert_shows(u, "yours");
	screen_test_press(u, ">");
	assert_panel(u, "Window", "C 40  W 400");
	screen_test_press(u, "+");
	assert_panel(u, "Window", "C 80  W 400");
	screen_test_press(u, "- -");
	assert_panel(u, "Window", "C 0  W 400");
	screen_test_press(u, "0");
	assert_panel(u, "Window", "C 40  W 400");

	/* The collection's second preview: one frame, no stored window. */
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "2 of 2: MR phantom");
	assert_panel(u, "Modality", "MR");
	assert_panel(u, "Frame", "1 of 1");
	screen_test_assert_shows(u, "the frame's min-max");
	screen_test_press(u, "n");
	screen_test_assert_shows(u, "this image has one frame");
	screen_test_press(u, "S-Tab");
	screen_test_assert_shows(u, "1 of 2: CT phantom");
	assert_placements_sane(u);
	screen_test_assert_sane(u);

	/* q goes back to where v came from. */
	screen_test_press(u, "q");
	assert_int_equal(u->c->n_images, 0);
	screen_test_close(&u);
}

/* v opens the previews from the catalogue and from the collection. */
static void test_v_opens_previews(void **state)
{
	struct screen_test *u = screen_test_open(demo, 30, 100, true);

	use_graphics(u, GRAPHICS_SIXEL);
	screen_test_press(u, "v");
	screen_test_assert_shows(u, "1 of 1: MR phantom, pelvis, axial T2, 4 slices (synthetic)");
	screen_test_press(u, "q Enter v");
	screen_test_assert_shows(u, "1 of 1: MR phantom");
	assert_int_equal(u->c->n_images, 1);
	screen_test_close(&u);
}

/* At every size, in every mode, images stay in their box and above the
 * last row; the screens stay sane. */
static void test_images_stay_inside(void **state)
{
	static const enum graphics_mode modes[] = { GRAPHICS_SIXEL, GRAPHICS_BLOCKS,
		                                    GRAPHICS_ASCII };

	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		struct screen_test *u = screen_test_open(demo, 30, 110, true);

		use_graphics(u, modes[m]);
		app_push(u->app, &collection_screen, "c-pros-04");
		app_push(u->app, &preview_screen, "c-pros-04");
		for (int rows = 1; rows <= 60; rows += 3) {
			for (int cols = 1; cols <= 160; cols += 9) {
				ui_canvas_resize(u->c, rows, cols);
				screen_test_redraw(u);
				assert_placements_sane(u);
				screen_test_assert_sane(u);
				if (modes[m] != GRAPHICS_SIXEL)
					assert_int_equal(u->c->n_images, 0);
				/* Pixel cells never reach the last row (the status line). */
				for (int x = 0; x < u->c->cols; x++)
					assert_int_not_equal(
					    ui_canvas_cell(u->c, u->c->rows - 1, x)->style,
					    UI_STYLE_IMAGE);
			}
		}
		screen_test_close(&u);
	}
}

static int count_cells(const struct ui_canvas *c, const char *ch, int style)
{
	int n = 0;

	for (int y = 0; y < c->rows; y++)
		for (int x = 0; x < c->cols; x++)
			n += strcmp(ui_canvas_cell(c, y, x)->ch, ch) == 0 &&
			     (style < 0 || ui_canvas_cell(c, y, x)->style == style);
	return n;
}

static void test_text_modes(void **state)
{
	struct screen_test *u = screen_test_open(demo, 34, 120, true);
	int grays[256] = { 0 }, distinct = 0;

	use_graphics(u, GRAPHICS_BLOCKS);
	app_push(u->app, &preview_screen, "c-pros-04");
	screen_test_redraw(u);
	/* Half blocks over 32 rows: a square CT slice at 10x20 cells is 64
	 * columns of 2 pixels a cell; the phantom shows many grays. */
	assert_true(count_cells(u->c, "\xe2\x96\x80", UI_STYLE_IMAGE) >= 32 * 60);
	for (int y = 0; y < u->c->rows; y++)
		for (int x = 0; x < u->c->cols; x++)
			if (ui_canvas_cell(u->c, y, x)->style == UI_STYLE_IMAGE)
				grays[ui_canvas_cell(u->c, y, x)->fg]++;
	for (int i = 0; i < 256; i++)
		distinct += grays[i] > 0;
	assert_true(distinct >= 10);
	/* ASCII: the ramp, no colours. */
	use_graphics(u, GRAPHICS_ASCII);
	assert_int_equal(count_cells(u->c, "\xe2\x96\x80", -1), 0);
	assert_true(count_cells(u->c, "@", UI_STYLE_NORMAL) + count_cells(u->c, "%", -1) +
	                count_cells(u->c, "#", -1) >
	            50);
	/* Without UTF-8, blocks fall back to ASCII. */
	screen_test_close(&u);
	u = screen_test_open(demo, 34, 120, false);
	use_graphics(u, GRAPHICS_BLOCKS);
	app_push(u->app, &preview_screen, "c-pros-04");
	screen_test_redraw(u);
	assert_int_equal(count_cells(u->c, "\xe2\x96\x80", -1), 0);
	assert_true(count_cells(u->c, "@", -1) + count_cells(u->c, "#", -1) > 50);
	/* Images off: said in the box. */
	use_graphics(u, GRAPHICS_NONE);
	screen_test_assert_shows(u, "(images off: --graphics none)");
	screen_test_close(&u);
}

/* The sixel bytes for a placement: cursor saved, moved to the cell,
 * the image, the cursor restored; wrapped whole for tmux. */
static void test_sixel_bytes(void **state)
{
	struct screen_test *u = screen_test_open(demo, 30, 110, true);
	struct buf out = BUF_INIT, wrapped = BUF_INIT;
	const struct ui_placement *p;
	char err[256];

	use_graphics(u, GRAPHICS_SIXEL);
	screen_test_press(u, "Enter");
	assert_int_equal(u->c->n_images, 1);
	p = &u->c->images[0];
	assert_int_equal(ui_image_sixel_bytes(p, 64, false, &out, err, sizeof err), 0);
	assert_memory_equal(out.data, "\0337\033[3;", 6); /* row 2 is the third */
	assert_non_null(strstr(out.data, "\033P"));
	assert_memory_equal(out.data + out.len - 4, "\033\\\0338", 4);
	/* Encoded once: the second time comes from the image's cache. */
	assert_int_equal(p->image->sixel_version, p->image->version);
	assert_int_equal(ui_image_sixel_bytes(p, 64, true, &wrapped, err, sizeof err), 0);
	assert_non_null(strstr(wrapped.data, "\033Ptmux;\033\033P"));
	assert_memory_equal(wrapped.data + wrapped.len - 2, "\0338", 2);
	assert_true(wrapped.len > out.len);
	buf_free(&out);
	buf_free(&wrapped);
	screen_test_close(&u);
}

/* A site store at path with previews (id, bytes, length) of collection c-1. */
static void site_with(const char *path, const char *const *ids, const struct buf *bytes, size_t n)
{
	char err[256] = "", id[] = "s-bad";
	struct site_store *s = site_store_open(path, true, err, sizeof err);
	struct site_info info = {
		.id = id, .name = id, .threshold = 5, .rounding = 10, .epsilon = 1
	};

	if (s == NULL)
		fail_msg("%s", err);
	assert_int_equal(site_store_begin(s, err, sizeof err), 0);
	assert_int_equal(site_store_write_info(s, &info, err, sizeof err), 0);
	for (size_t i = 0; i < n; i++)
		if (site_store_write_preview(s, ids[i], "c-1", ids[i], "application/dicom",
		                             bytes[i].data, bytes[i].len, err, sizeof err) != 0)
			fail_msg("%s", err);
	assert_int_equal(site_store_commit(s, err, sizeof err), 0);
	site_store_close(&s);
}

/* Previews that cannot be shown say why, in place of the image, and the
 * screen goes on: garbage, a file cut short, one the site does not have. */
static void test_bad_previews(void **state)
{
	static const char *const ids[] = { "p-garbage", "p-cut" };
	struct buf bytes[2] = { BUF_INIT, BUF_INIT };
	struct preview_bytes ct;
	char err[256], *dir = test_tmpdir("preview_screen");
	char *path = test_temp_path(dir, "site-s-bad.db");
	char site_id[] = "s-bad";
	struct local_site site = { .id = site_id, .path = path };
	struct local_fed local = { .vocab = demo->vocab, .sites = &site, .n_sites = 1 };
	json_t *catalogue =
	    json_pack("[{s:s, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]}]", "id",
	              "c-1", "name", "Odd previews", "previews", "id", "p-garbage", "title",
	              "garbage", "media_type", "application/dicom", "id", "p-cut", "title",
	              "cut short", "media_type", "application/dicom", "id", "p-none", "title",
	              "missing", "media_type", "application/dicom");
	struct federation fed = { .vocab = demo->vocab, .catalogue = catalogue, .local = &local };
	struct screen_test *u;

	buf_append(&bytes[0], "\x1b[31mnot an image at all", 25);
	assert_int_equal(federation_preview(demo, "c-pros-04-1", &ct, err, sizeof err), 0);
	buf_append(&bytes[1], (const char *)ct.data, ct.len / 2);
	preview_bytes_clear(&ct);
	site_with(path, ids, bytes, 2);
	local.catalogue = catalogue;

	u = screen_test_open(&fed, 30, 110, true);
	use_graphics(u, GRAPHICS_SIXEL);
	app_push(u->app, &preview_screen, "c-1");
	screen_test_redraw(u);
	screen_test_assert_shows(u, "1 of 3: garbage");
	screen_test_assert_shows(u, "cannot read the preview:");
	assert_int_equal(u->c->n_images, 0);
	screen_test_press(u, "n < 1");
	screen_test_assert_shows(u, "cannot read the preview:");
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "2 of 3: cut short");
	screen_test_assert_shows(u, "cannot read the preview:");
	screen_test_assert_shows(u, "(7FE0,0010)");
	screen_test_press(u, "Tab");
	screen_test_assert_shows(u, "3 of 3: missing");
	screen_test_assert_shows(u, "cannot fetch the preview:");
	assert_int_equal(u->c->n_images, 0);
	screen_test_assert_sane(u);
	/* The escape sequence in the garbage never reaches the canvas raw. */
	screen_test_press(u, "Tab");
	screen_test_assert_not_shows(u, "\x1b");
	screen_test_close(&u);
	json_decref(catalogue);
	buf_free(&bytes[0]);
	buf_free(&bytes[1]);
	free(path);
	test_rmtree(dir);
	free(dir);
}

static int setup(void **state)
{
	demo = screen_test_demo_open();
	return demo != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	federation_close(&demo);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collection_shows_first_preview),
		cmocka_unit_test(test_preview_keys),
		cmocka_unit_test(test_v_opens_previews),
		cmocka_unit_test(test_images_stay_inside),
		cmocka_unit_test(test_text_modes),
		cmocka_unit_test(test_sixel_bytes),
		cmocka_unit_test(test_bad_previews),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
