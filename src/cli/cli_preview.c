/* ecii preview FILE: a DICOM file's parsed header (--info) or one frame,
 * windowed to 8 bits, written as PGM/PPM or PNG. Drawing in the terminal is
 * not here yet. Every string that came from the file is sanitised before it
 * is printed. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "img/dicom.h"
#include "img/image_out.h"
#include "img/window.h"
#include "util/sanitize.h"

/* Prints "label: value" with value sanitised; "" shows as "(none)". */
static void print_field(const char *label, const char *value)
{
	char *s = sanitize_text(value != NULL && *value != '\0' ? value : "(none)");

	printf("%s: %s\n", label, s);
	free(s);
}

static void print_info(const char *path, const struct dicom_image *img)
{
	char line[256];

	print_field("file", path);
	printf("size: %ux%u\n", img->columns, img->rows);
	printf("frames: %u\n", img->frames);
	print_field("photometric", img->photometric);
	printf("samples per pixel: %u\n", img->samples_per_pixel);
	printf("bits: allocated %u, stored %u, high bit %u\n", img->bits_allocated,
	       img->bits_stored, img->high_bit);
	printf("signed: %s\n", img->pixel_representation == 1 ? "yes" : "no");
	printf("rescale: slope %g, intercept %g\n", img->rescale_slope, img->rescale_intercept);
	if (img->has_window)
		printf("window: %g,%g (stored)\n", img->window_center, img->window_width);
	else
		printf("window: none stored (frame min-max)\n");
	print_field("modality", img->modality);
	snprintf(line, sizeof line, "%s (%s)",
	         *img->transfer_syntax != '\0' ? img->transfer_syntax : "none, bare dataset",
	         img->compression != NULL ? img->compression : "native");
	print_field("transfer syntax", line);
	print_field("body part", img->body_part);
}

static int parse_frame(const char *text, unsigned *frame)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (*text < '1' || *text > '9' || *end != '\0' || errno != 0 || v > UINT_MAX)
		return -1;
	*frame = (unsigned)v;
	return 0;
}

int cli_preview(struct cli *cli, int argc, char **argv)
{
	struct dicom_image *img = NULL;
	struct window_image out = { 0 };
	struct window given, *win = NULL;
	const char *file = NULL, *pgm = NULL, *png = NULL;
	unsigned frame = 1;
	int info = 0, status = CLI_USAGE;
	char err[512];

	(void)cli;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_usage("preview", stdout);
			return CLI_OK;
		} else if (strcmp(a, "--info") == 0) {
			info = 1;
			continue;
		} else if (val == NULL &&
		           (strcmp(a, "--frame") == 0 || strcmp(a, "--window") == 0 ||
		            strcmp(a, "--preset") == 0 || strcmp(a, "--pgm") == 0 ||
		            strcmp(a, "--png") == 0)) {
			return cli_error(CLI_USAGE, "preview: %s needs a value", a);
		} else if (strcmp(a, "--frame") == 0) {
			if (parse_frame(val, &frame) != 0)
				return cli_error(CLI_USAGE,
				                 "preview: --frame wants a number from 1");
		} else if (strcmp(a, "--window") == 0 || strcmp(a, "--preset") == 0) {
			if (win != NULL)
				return cli_error(
				    CLI_USAGE, "preview: give one of --window and --preset, once");
			if (a[2] == 'w' && window_parse(val, &given) != 0)
				return cli_error(
				    CLI_USAGE,
				    "preview: --window wants C,W (numbers, W at least 1)");
			if (a[2] == 'p' && window_preset(val, &given) != 0)
				return cli_error(CLI_USAGE, "preview: unknown preset; known: %s",
				                 window_preset_names());
			win = &given;
		} else if (strcmp(a, "--pgm") == 0) {
			pgm = val;
		} else if (strcmp(a, "--png") == 0) {
			png = val;
		} else if (a[0] == '-' && a[1] != '\0') {
			cli_error(CLI_USAGE, "preview: unknown option %s", a);
			cli_usage("preview", stderr);
			return CLI_USAGE;
		} else if (file == NULL) {
			file = a;
			continue;
		} else {
			return cli_error(CLI_USAGE, "preview: one FILE only");
		}
		i++;
	}
	if (file == NULL) {
		cli_error(CLI_USAGE, "preview: no FILE");
		cli_usage("preview", stderr);
		return CLI_USAGE;
	}
	if (!info && pgm == NULL && png == NULL)
		return cli_error(CLI_USAGE, "preview: drawing in the terminal comes later; use "
		                            "--info, --pgm OUT or --png OUT");
	if ((img = dicom_read_file(file, err, sizeof err)) == NULL) {
		status = CLI_FAIL;
		goto fail;
	}
	if (info)
		print_info(file, img);
	if (pgm != NULL || png != NULL) {
		status = CLI_FAIL;
		if (window_render(img, frame - 1, win, &out, err, sizeof err) != 0)
			goto fail_file;
		if (pgm != NULL && image_write_pnm(pgm, out.pixels, out.width, out.height,
		                                   out.channels, err, sizeof err) != 0)
			goto fail;
		if (png != NULL && image_write_png(png, out.pixels, out.width, out.height,
		                                   out.channels, err, sizeof err) != 0)
			goto fail;
	}
	status = CLI_OK;
	goto out;
fail_file : {
	char *s = sanitize_text(file), *e = sanitize_text(err);

	cli_error(status, "%s: %s", s, e);
	free(e);
	free(s);
	goto out;
}
fail : {
	char *s = sanitize_text(err);

	cli_error(status, "%s", s);
	free(s);
}
out:
	window_image_clear(&out);
	dicom_free(&img);
	return status;
}
