/* ecii preview FILE|COLLECTION[/N]: a DICOM (native, JPEG or RLE), PNG or
 * JPEG file, or a collection's published preview: one frame windowed to 8
 * bits and drawn in the terminal (cli_preview_draw.c), or written as
 * PGM/PPM or PNG; or the parsed header (--info). Every string that came
 * from the file or the catalogue is sanitised before it is printed. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_preview_draw.h"
#include "client/previews.h"
#include "core/catalogue.h"
#include "img/dicom.h"
#include "img/image_out.h"
#include "img/picture.h"
#include "img/window.h"
#include "util/sanitize.h"
#include "util/xmalloc.h"

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

/* PNG and JPEG files: what there is to say. */
static void print_picture_info(const char *path, const struct picture *pic)
{
	print_field("file", path);
	printf("format: %s\n", picture_format(pic));
	printf("size: %ux%u\n", picture_width(pic), picture_height(pic));
	printf("frames: 1\n");
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

/* Whether arg names a collection's preview ("c-pros-04" or "c-pros-04/2")
 * rather than a file: it is not a file, and it has an id's characters. */
static bool is_collection_arg(const char *arg)
{
	const char *slash = strchr(arg, '/');
	size_t n = slash != NULL ? (size_t)(slash - arg) : strlen(arg);

	if (access(arg, F_OK) == 0 || n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
		           arg[i]) == NULL)
			return false;
	return slash == NULL || (slash[1] >= '1' && slash[1] <= '9' &&
	                         strspn(slash + 1, "0123456789") == strlen(slash + 1));
}

/* The collection's N-th published preview (from 1), fetched from the
 * federation (the hub, its cache, or the demo) and read. Returns new, or
 * NULL with *status set after saying why. *title: the preview's title
 * (new). */
static struct picture *read_collection_preview(struct cli *cli, const char *arg, char **title,
                                               int *status)
{
	struct http_multi *net = NULL;
	struct federation *fed = NULL;
	struct preview_bytes bytes = { 0 };
	struct picture *pic = NULL;
	const char *slash = strchr(arg, '/');
	char *id = slash != NULL ? xstrndup(arg, (size_t)(slash - arg)) : xstrdup(arg);
	unsigned long n = slash != NULL ? strtoul(slash + 1, NULL, 10) : 1;
	json_t *item, *previews, *p;
	char err[512] = "";

	if ((fed = cli_open_federation(cli, &net, status)) == NULL)
		goto out;
	*status = CLI_FAIL;
	if ((item = catalogue_find(fed->catalogue, id)) == NULL) {
		cli_error(CLI_FAIL,
		          "preview: no collection '%s' in the catalogue (and no such file)", id);
		goto out;
	}
	previews = json_object_get(item, "previews");
	if (n > json_array_size(previews)) {
		cli_error(CLI_FAIL, "preview: collection %s has %zu published preview%s", id,
		          json_array_size(previews), json_array_size(previews) == 1 ? "" : "s");
		goto out;
	}
	p = json_array_get(previews, n - 1);
	if (federation_preview(fed, catalogue_item_str(p, "id"), &bytes, err, sizeof err) != 0) {
		char *e = sanitize_text(err);

		cli_error(CLI_FAIL, "preview: %s", e);
		free(e);
		goto out;
	}
	if (*err != '\0') { /* the cached copy, the hub being away */
		char *e = sanitize_text(err);

		fprintf(stderr, "ecii: %s\n", e);
		free(e);
	}
	if ((pic = picture_read(bytes.data, bytes.len, err, sizeof err)) == NULL) {
		char *e = sanitize_text(err);

		cli_error(CLI_FAIL, "preview %s: %s", catalogue_item_str(p, "id"), e);
		free(e);
		goto out;
	}
	*title = xstrdup(catalogue_item_str(p, "title"));
	*status = CLI_OK;
out:
	preview_bytes_clear(&bytes);
	federation_close(&fed);
	http_multi_free(&net);
	free(id);
	return pic;
}

/* The line under a drawn image: what it is and how it was windowed. */
static void print_caption(const char *name, const char *title, const struct picture *pic,
                          unsigned frame, const struct window_image *img)
{
	const struct dicom_image *d = picture_dicom(pic);
	char *line =
	    xasprintf("%s%s%s: %s %ux%u, frame %u of %u", name, title != NULL ? ", " : "",
	              title != NULL ? title : "", d != NULL ? d->modality : picture_format(pic),
	              picture_width(pic), picture_height(pic), frame, picture_frames(pic));
	char *clean = sanitize_text(line);

	printf("%s", clean);
	if (img->source != WINDOW_SOURCE_NONE)
		printf(", window %g,%g (%s)", img->window.center, img->window.width,
		       img->source == WINDOW_SOURCE_GIVEN    ? "given"
		       : img->source == WINDOW_SOURCE_STORED ? "stored"
		                                             : "min-max");
	printf("\n");
	free(clean);
	free(line);
}

/* Draws the frame on the terminal, asking it what it can show unless
 * --graphics said. */
static int draw(struct cli *cli, const struct window_image *img, const char *box, char *err,
                size_t errlen)
{
	struct graphics_caps caps;
	int rows, cols, tty = -1;

	if (cli_preview_box(box, &rows, &cols) != 0) {
		snprintf(err, errlen, "--box takes ROWSxCOLS, e.g. 30x80");
		return CLI_USAGE;
	}
	if (!isatty(STDOUT_FILENO) && !cli->graphics_forced) {
		snprintf(err, errlen,
		         "standard output is not a terminal: use --png OUT or --pgm OUT, or say "
		         "how to draw with --graphics");
		return CLI_USAGE;
	}
	if (isatty(STDOUT_FILENO))
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	cli_graphics(cli, tty, &caps);
	if (tty >= 0)
		close(tty);
	return cli_preview_draw(img, rows, cols, &caps, cli->gray_levels, err, errlen) == 0
	           ? CLI_OK
	           : CLI_FAIL;
}

int cli_preview(struct cli *cli, int argc, char **argv)
{
	struct picture *pic = NULL;
	struct window_image out = { 0 };
	struct window given, *win = NULL;
	const char *file = NULL, *pgm = NULL, *png = NULL, *box = NULL;
	char *title = NULL;
	unsigned frame = 1;
	int info = 0, status = CLI_USAGE;
	char err[512];

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
		            strcmp(a, "--png") == 0 || strcmp(a, "--box") == 0)) {
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
		} else if (strcmp(a, "--box") == 0) {
			box = val;
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
	if (is_collection_arg(file)) {
		if ((pic = read_collection_preview(cli, file, &title, &status)) == NULL)
			goto out;
	} else if ((pic = picture_read_file(file, err, sizeof err)) == NULL) {
		status = CLI_FAIL;
		goto fail;
	}
	if (info && picture_dicom(pic) != NULL)
		print_info(file, picture_dicom(pic));
	else if (info)
		print_picture_info(file, pic);
	if (info && pgm == NULL && png == NULL)
		goto done;
	status = CLI_FAIL;
	if (picture_render(pic, frame - 1, win, &out, err, sizeof err) != 0)
		goto fail_file;
	if (pgm != NULL && image_write_pnm(pgm, out.pixels, out.width, out.height, out.channels,
	                                   err, sizeof err) != 0)
		goto fail;
	if (png != NULL && image_write_png(png, out.pixels, out.width, out.height, out.channels,
	                                   err, sizeof err) != 0)
		goto fail;
	if (pgm == NULL && png == NULL) {
		if ((status = draw(cli, &out, box, err, sizeof err)) != CLI_OK)
			goto fail;
		print_caption(file, title, pic, frame, &out);
	}
done:
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
	picture_free(&pic);
	free(title);
	return status;
}
