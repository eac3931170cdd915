/* Benchmark: an image preview's cost and quality. A 512x512 CT-like slice
 * is made here (Shepp-Logan-like ellipses in HU plus Gaussian noise,
 * stored as signed 16-bit with rescale intercept -1024, as an explicit-LE
 * DICOM file built in memory), read with dicom_read and windowed at 40/400
 * with window_render, then shown in a 60x30-cell box of 10x20 px cells:
 * image_fit gives 600x600. For sixel at 64 and 256 gray levels and for
 * half blocks it prints the median over RUNS runs of scale + encode time
 * and the payload bytes, and the PSNR of the output decoded back (sixel:
 * libsixel's decoder; half blocks: the xterm-256 colours of each half)
 * against the windowed source scaled to the output's own size. Side by
 * side, in the same run, img2sixel and chafa on the same windowed pixels
 * (a PNG) at the same size: median process time (spawn to exit, including
 * their PNG decode), bytes, and PSNR (chafa's sixels decoded the same
 * way). Not part of make check. Usage: bench_preview [RUNS]. */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
/* sixel.h defines its own PACKAGE_VERSION. */
#undef PACKAGE_VERSION
#include <sixel.h>

#include "img/cells.h"
#include "img/dicom.h"
#include "img/image_out.h"
#include "img/scale.h"
#include "img/sixel_enc.h"
#include "img/window.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/rng.h"
#include "util/xmalloc.h"

#define SIZE         512
#define BOX_COLS     60
#define BOX_ROWS     30
#define CELL_W       10
#define CELL_H       20
#define DEFAULT_RUNS 21
#define TARGET_MS    10.0
#define NOISE_HU     10.0

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Modified Shepp-Logan in HU: centre, semi-axes (in [-1, 1] units), angle
 * (degrees) and the HU added inside, over air at -1000. */
static const struct {
	double x, y, a, b, deg, hu;
} ellipses[] = {
	{ 0, 0, 0.69, 0.92, 0, 1800 },          /* skull: 800 HU */
	{ 0, -0.0184, 0.6624, 0.874, 0, -760 }, /* brain: 40 HU */
	{ 0.22, 0, 0.11, 0.31, -18, -30 },      { -0.22, 0, 0.16, 0.41, 18, -30 },
	{ 0, 0.35, 0.21, 0.25, 0, 20 },         { 0, 0.1, 0.046, 0.046, 0, 30 },
	{ 0, -0.1, 0.046, 0.046, 0, 30 },       { -0.08, -0.605, 0.046, 0.023, 0, 40 },
	{ 0, -0.605, 0.023, 0.023, 0, 40 },     { 0.06, -0.605, 0.023, 0.046, 0, 40 },
};

static void phantom(int16_t *stored)
{
	struct rng r;

	rng_seed(&r, 2026);
	for (int j = 0; j < SIZE; j++) {
		for (int i = 0; i < SIZE; i++) {
			double x = (2.0 * i + 1) / SIZE - 1, y = 1 - (2.0 * j + 1) / SIZE;
			double hu = -1000;

			for (size_t k = 0; k < sizeof ellipses / sizeof ellipses[0]; k++) {
				double t = ellipses[k].deg * M_PI / 180, dx = x - ellipses[k].x,
				       dy = y - ellipses[k].y;
				double u = dx * cos(t) + dy * sin(t),
				       v = -dx * sin(t) + dy * cos(t);

				if (u * u / (ellipses[k].a * ellipses[k].a) +
				        v * v / (ellipses[k].b * ellipses[k].b) <=
				    1)
					hu += ellipses[k].hu;
			}
			hu += rng_normal(&r, 0, NOISE_HU);
			stored[j * SIZE + i] = (int16_t)lround(hu + 1024);
		}
	}
}

/* Explicit VR little endian elements. */
static void put_u16(struct buf *b, unsigned v)
{
	char c[2] = { (char)(v & 0xff), (char)(v >> 8) };

	buf_append(b, c, 2);
}

static void put_u32(struct buf *b, uint32_t v)
{
	put_u16(b, v & 0xffff);
	put_u16(b, v >> 16);
}

static void element(struct buf *b, unsigned group, unsigned elem, const char *vr, const void *value,
                    size_t len)
{
	bool lng = strcmp(vr, "OB") == 0 || strcmp(vr, "OW") == 0;
	size_t padded = len + (len & 1);

	put_u16(b, group);
	put_u16(b, elem);
	buf_append(b, vr, 2);
	if (lng) {
		put_u16(b, 0);
		put_u32(b, (uint32_t)padded);
	} else {
		put_u16(b, (unsigned)padded);
	}
	buf_append(b, value, len);
	if (len & 1)
		buf_putc(b, strcmp(vr, "UI") == 0 || lng ? '\0' : ' ');
}

static void element_str(struct buf *b, unsigned group, unsigned elem, const char *vr, const char *s)
{
	element(b, group, elem, vr, s, strlen(s));
}

static void element_us(struct buf *b, unsigned group, unsigned elem, unsigned v)
{
	char c[2] = { (char)(v & 0xff), (char)(v >> 8) };

	element(b, group, elem, "US", c, 2);
}

static void make_dicom(const int16_t *stored, struct buf *file)
{
	static const char ct[] = "1.2.840.10008.5.1.4.1.1.2";
	struct buf meta = BUF_INIT;
	char preamble[128] = { 0 };
	unsigned char *px = xmalloc(SIZE * SIZE * 2);

	element(&meta, 0x0002, 0x0001, "OB", "\0\1", 2);
	element_str(&meta, 0x0002, 0x0002, "UI", ct);
	element_str(&meta, 0x0002, 0x0003, "UI", "1.2.826.0.1.3680043.2.1143.1");
	element_str(&meta, 0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1");
	element_str(&meta, 0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.2.1143");
	buf_append(file, preamble, sizeof preamble);
	buf_append(file, "DICM", 4);
	{
		char len[4] = { (char)(meta.len & 0xff), (char)((meta.len >> 8) & 0xff), 0, 0 };

		element(file, 0x0002, 0x0000, "UL", len, 4);
	}
	buf_append(file, meta.data, meta.len);
	buf_free(&meta);
	element_str(file, 0x0008, 0x0016, "UI", ct);
	element_str(file, 0x0008, 0x0060, "CS", "CT");
	element_us(file, 0x0028, 0x0002, 1);
	element_str(file, 0x0028, 0x0004, "CS", "MONOCHROME2");
	element_us(file, 0x0028, 0x0010, SIZE);
	element_us(file, 0x0028, 0x0011, SIZE);
	element_us(file, 0x0028, 0x0100, 16);
	element_us(file, 0x0028, 0x0101, 16);
	element_us(file, 0x0028, 0x0102, 15);
	element_us(file, 0x0028, 0x0103, 1);
	element_str(file, 0x0028, 0x1050, "DS", "40");
	element_str(file, 0x0028, 0x1051, "DS", "400");
	element_str(file, 0x0028, 0x1052, "DS", "-1024");
	element_str(file, 0x0028, 0x1053, "DS", "1");
	for (size_t i = 0; i < SIZE * SIZE; i++) {
		uint16_t v = (uint16_t)stored[i];

		px[2 * i] = (unsigned char)(v & 0xff);
		px[2 * i + 1] = (unsigned char)(v >> 8);
	}
	element(file, 0x7FE0, 0x0010, "OW", px, SIZE * SIZE * 2);
	free(px);
}

static double psnr(const unsigned char *a, const unsigned char *b, size_t n, size_t stride_b)
{
	double se = 0;

	for (size_t i = 0; i < n; i++) {
		double d = (double)a[i] - b[i * stride_b];

		se += d * d;
	}
	return se == 0 ? 99.0 : 10 * log10(255.0 * 255.0 * n / se);
}

/* Decodes the first DCS in p[0..n) with libsixel into gray (the red
 * channel of its palette colours); *w x *h, new. Returns NULL if none. */
static unsigned char *sixel_decode_gray(char *p, size_t n, unsigned *w, unsigned *h)
{
	char *start = NULL, *end = NULL;
	sixel_allocator_t *a = NULL;
	unsigned char *px = NULL, *pal = NULL, *gray = NULL;
	int dw = 0, dh = 0, nc = 0;

	for (size_t i = 0; i + 1 < n; i++) {
		if (start == NULL && p[i] == '\033' && p[i + 1] == 'P')
			start = p + i;
		else if (start != NULL && p[i] == '\033' && p[i + 1] == '\\')
			end = p + i + 2;
	}
	if (start == NULL || end == NULL ||
	    SIXEL_FAILED(sixel_allocator_new(&a, NULL, NULL, NULL, NULL)))
		return NULL;
	if (!SIXEL_FAILED(sixel_decode_raw((unsigned char *)start, (int)(end - start), &px, &dw,
	                                   &dh, &pal, &nc, a)) &&
	    dw > 0 && dh > 0) {
		gray = xmalloc((size_t)dw * dh);
		for (size_t i = 0; i < (size_t)dw * dh; i++)
			gray[i] = px[i] < nc ? pal[px[i] * 3] : 0;
		*w = (unsigned)dw;
		*h = (unsigned)dh;
	}
	sixel_allocator_free(a, px);
	sixel_allocator_free(a, pal);
	sixel_allocator_unref(a);
	return gray;
}

struct row {
	char name[48];
	char size[16];
	double ms, min_ms;
	size_t bytes;
	double psnr; /* < 0: not measured */
	bool process;
};

static void print_row(const struct row *r)
{
	char p[16] = "n/a";

	if (r->psnr >= 99)
		snprintf(p, sizeof p, "exact");
	else if (r->psnr >= 0)
		snprintf(p, sizeof p, "%.1f dB", r->psnr);
	printf("%-30s %-8s %9.2f ms %8.2f ms %9zu B %8s%s\n", r->name, r->size, r->ms, r->min_ms,
	       r->bytes, p, r->process ? "  (process)" : "");
}

/* PSNR of a sixel payload against src (sw x sh gray) scaled to its size. */
static double sixel_psnr(char *p, size_t n, const unsigned char *src, unsigned sw, unsigned sh,
                         char *size, size_t sizelen)
{
	unsigned w = 0, h = 0;
	unsigned char *gray = sixel_decode_gray(p, n, &w, &h), *ref;
	double v;

	if (gray == NULL) {
		snprintf(size, sizelen, "?");
		return -1;
	}
	snprintf(size, sizelen, "%ux%u", w, h);
	ref = image_scale(src, sw, sh, 1, w, h);
	v = psnr(ref, gray, (size_t)w * h, 1);
	free(ref);
	free(gray);
	return v;
}

/* levels 0: the slice as RGB (gray replicated) through libsixel's median
 * cut, what img2sixel does, but in-process. */
static void bench_sixel(const struct window_image *win, unsigned dw, unsigned dh, unsigned levels,
                        int runs, struct row *r)
{
	struct sixel_options o = { levels, 0 };
	double *t = xcalloc((size_t)runs, sizeof *t);
	unsigned ch = levels == 0 ? 3 : 1;
	const unsigned char *px = win->pixels;
	unsigned char *rgb = NULL;
	struct buf b = BUF_INIT;
	char err[256];
	unsigned ow = 0, oh = 0;

	if (ch == 3) {
		size_t n = (size_t)win->width * win->height;

		rgb = xmalloc(n * 3);
		for (size_t i = 0; i < n; i++)
			memset(rgb + 3 * i, win->pixels[i], 3);
		px = rgb;
	}
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		unsigned char *s = image_scale(px, win->width, win->height, ch, dw, dh);

		buf_reset(&b);
		if (sixel_encode_image(s, dw, dh, ch, &o, &b, &ow, &oh, err, sizeof err) != 0) {
			fprintf(stderr, "bench_preview: %s\n", err);
			exit(1);
		}
		t[i] = now_ms() - t0;
		free(s);
	}
	if (ch == 3)
		snprintf(r->name, sizeof r->name, "ecii sixel, RGB median cut");
	else
		snprintf(r->name, sizeof r->name, "ecii sixel, %u gray levels", levels);
	r->ms = median(t, (size_t)runs);
	r->min_ms = t[0];
	r->bytes = b.len;
	r->psnr = sixel_psnr(b.data, b.len, win->pixels, win->width, win->height, r->size,
	                     sizeof r->size);
	buf_free(&b);
	free(rgb);
	free(t);
}

static void bench_blocks(const struct window_image *win, bool truecolor, int runs, struct row *r)
{
	int rows, cols;
	struct image_cell *cells;
	double *t = xcalloc((size_t)runs, sizeof *t);
	struct buf b = BUF_INIT;
	unsigned char *back, *ref;

	cells_fit(win->width, win->height, CELL_W, CELL_H, BOX_ROWS, BOX_COLS, &rows, &cols);
	cells = xcalloc((size_t)rows * cols, sizeof *cells);
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();

		buf_reset(&b);
		cells_render_blocks(win->pixels, win->width, win->height, 1, rows, cols, cells);
		cells_to_ansi(cells, rows, cols, truecolor, &b);
		t[i] = now_ms() - t0;
	}
	/* Decoded back: each half's colour as the terminal shows it. */
	back = xmalloc((size_t)cols * rows * 2);
	for (int y = 0; y < rows; y++) {
		for (int x = 0; x < cols; x++) {
			const struct image_cell *c = &cells[y * cols + x];
			unsigned char fg[3], bg[3];

			cells_index_rgb(c->fg, fg);
			cells_index_rgb(c->bg, bg);
			back[(2 * y) * cols + x] = truecolor ? c->fg_rgb[0] : fg[0];
			back[(2 * y + 1) * cols + x] = truecolor ? c->bg_rgb[0] : bg[0];
		}
	}
	ref = image_scale(win->pixels, win->width, win->height, 1, (unsigned)cols,
	                  (unsigned)rows * 2);
	snprintf(r->name, sizeof r->name, "ecii half blocks, %s",
	         truecolor ? "truecolor" : "256 colours");
	snprintf(r->size, sizeof r->size, "%dx%d", cols, rows * 2);
	r->ms = median(t, (size_t)runs);
	r->min_ms = t[0];
	r->bytes = b.len;
	r->psnr = psnr(ref, back, (size_t)cols * rows * 2, 1);
	free(ref);
	free(back);
	free(cells);
	buf_free(&b);
	free(t);
}

/* Runs argv with stdout to out_path; returns the wall time in ms, or -1. */
static double run_tool(char *const argv[], const char *out_path)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;
	double t0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now_ms();
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return now_ms() - t0;
}

/* Runs cmd (words split at spaces) runs times; the last output is kept. */
static bool bench_tool(const char *name, char *cmd, const char *out_path, bool sixel,
                       const struct window_image *win, int runs, struct row *r)
{
	double *t = xcalloc((size_t)runs, sizeof *t);
	char *argv[32], *save = NULL;
	size_t len = 0, argc = 0;
	char *out;

	for (char *w = strtok_r(cmd, " ", &save); w != NULL && argc < 31;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;

	for (int i = 0; i < runs; i++) {
		t[i] = run_tool(argv, out_path);
		if (t[i] < 0) {
			fprintf(stderr, "bench_preview: %s failed (is it installed?)\n", argv[0]);
			free(t);
			return false;
		}
	}
	out = file_read_all(out_path, &len);
	snprintf(r->name, sizeof r->name, "%s", name);
	r->ms = median(t, (size_t)runs);
	r->min_ms = t[0];
	r->bytes = len;
	r->process = true;
	r->psnr = -1;
	snprintf(r->size, sizeof r->size, "-");
	if (sixel && out != NULL)
		r->psnr = sixel_psnr(out, len, win->pixels, win->width, win->height, r->size,
		                     sizeof r->size);
	free(out);
	free(t);
	return true;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : DEFAULT_RUNS;
	int16_t *stored = xmalloc(SIZE * SIZE * sizeof *stored);
	struct window given = { 40, 400 };
	struct window_image win;
	struct dicom_image *img;
	struct buf file = BUF_INIT;
	struct row rows[12];
	size_t nrows = 0;
	char err[512], dir[] = "/tmp/ecii-bench-preview.XXXXXX", png[64], out[64];
	unsigned dw, dh;
	double t0;
	bool ok = true;

	if (runs < 1)
		runs = DEFAULT_RUNS;
	memset(rows, 0, sizeof rows);
	phantom(stored);
	make_dicom(stored, &file);
	t0 = now_ms();
	img = dicom_read(file.data, file.len, err, sizeof err);
	if (img == NULL || window_render(img, 0, &given, &win, err, sizeof err) != 0) {
		fprintf(stderr, "bench_preview: %s\n", err);
		return 1;
	}
	printf("preview of a %dx%d CT-like slice (signed 16-bit, %zu-byte DICOM): read + window "
	       "40/400 %.2f ms\n",
	       SIZE, SIZE, file.len, now_ms() - t0);
	image_fit(win.width, win.height, BOX_COLS * CELL_W, BOX_ROWS * CELL_H, &dw, &dh);
	printf("box %dx%d cells of %dx%d px: %ux%u px; %d runs, medians; PSNR against the "
	       "windowed slice scaled to each output's size\n\n",
	       BOX_COLS, BOX_ROWS, CELL_W, CELL_H, dw, dh, runs);

	bench_sixel(&win, dw, dh, 64, runs, &rows[nrows++]);
	bench_sixel(&win, dw, dh, 256, runs, &rows[nrows++]);
	bench_sixel(&win, dw, dh, 0, runs, &rows[nrows++]);
	bench_blocks(&win, false, runs, &rows[nrows++]);
	bench_blocks(&win, true, runs, &rows[nrows++]);

	if (mkdtemp(dir) == NULL) {
		perror("bench_preview: mkdtemp");
		return 1;
	}
	snprintf(png, sizeof png, "%s/slice.png", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	if (image_write_png(png, win.pixels, win.width, win.height, 1, err, sizeof err) != 0) {
		fprintf(stderr, "bench_preview: %s\n", err);
		return 1;
	}
	{
		char cmd[4][256];
		static const char *const names[4] = { "img2sixel (median cut)",
			                              "img2sixel -b gray8", "chafa -f sixels",
			                              "chafa vhalf, 256 colours" };

		snprintf(cmd[0], sizeof cmd[0], "img2sixel -w %u -h %u %s", dw, dh, png);
		snprintf(cmd[1], sizeof cmd[1], "img2sixel -b gray8 -w %u -h %u %s", dw, dh, png);
		/* Without a tty chafa's sixels assume 8x8 px cells: dw/8 x dh/8
		 * square cells give the same pixel size. */
		snprintf(cmd[2], sizeof cmd[2],
		         "chafa -f sixels -s %ux%u --font-ratio 1/1 --scale max %s", dw / 8, dh / 8,
		         png);
		snprintf(cmd[3], sizeof cmd[3],
		         "chafa -f symbols -c 256 --symbols vhalf -s %dx%d --font-ratio 1/2 "
		         "--scale max %s",
		         BOX_COLS, BOX_ROWS, png);
		for (int i = 0; i < 4 && ok; i++) {
			ok = bench_tool(names[i], cmd[i], out, i < 3, &win, runs, &rows[nrows]);
			nrows += ok;
		}
	}
	/* ecii as a whole process too, from the DICOM file: start-up, read,
	 * window, scale and encode, as the tools above pay theirs. */
	{
		char dcm[96], cmd[256];
		FILE *f;

		snprintf(dcm, sizeof dcm, "%s/slice.dcm", dir);
		f = fopen(dcm, "wb");
		if (f != NULL && fwrite(file.data, 1, file.len, f) == file.len && fclose(f) == 0) {
			snprintf(cmd, sizeof cmd,
			         "src/ecii --graphics sixel preview %s --box %dx%d", dcm, BOX_ROWS,
			         BOX_COLS);
			nrows += ok && bench_tool("ecii preview (whole process)", cmd, out, false,
			                          &win, runs, &rows[nrows]);
		}
		unlink(dcm);
	}
	unlink(png);
	unlink(out);
	rmdir(dir);

	printf("%-30s %-8s %12s %11s %11s %8s\n", "encoder", "size", "median", "min", "payload",
	       "PSNR");
	for (size_t i = 0; i < nrows; i++)
		print_row(&rows[i]);
	printf("\necii sixel 64 levels: %.2f ms (target <= %.0f ms) %s\n", rows[0].ms, TARGET_MS,
	       rows[0].ms <= TARGET_MS ? "ok" : "OVER TARGET");
	window_image_clear(&win);
	dicom_free(&img);
	buf_free(&file);
	free(stored);
	return ok ? 0 : 1;
}
