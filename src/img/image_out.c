/* PGM/PPM and PNG writers for windowed previews. libpng's errors come back
 * through its longjmp and become one line; nothing here reads images. */
#include "config.h"

#include "img/image_out.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xmalloc.h"

/* A temporary file beside path: *tmp new, the stream open for writing. */
static FILE *open_temp(const char *path, char **tmp, char *err, size_t errlen)
{
	size_t n = strlen(path) + sizeof ".tmpXXXXXX";
	int fd;
	FILE *f;

	*tmp = xmalloc(n);
	snprintf(*tmp, n, "%s.tmpXXXXXX", path);
	if ((fd = mkstemp(*tmp)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((f = fdopen(fd, "wb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(*tmp);
		goto fail;
	}
	return f;
fail:
	free(*tmp);
	*tmp = NULL;
	return NULL;
}

/* Closes f and renames tmp to path when ok; else removes tmp. Frees tmp. */
static int finish_temp(FILE *f, char *tmp, const char *path, int ok, char *err, size_t errlen)
{
	int failed = ferror(f);

	if (fclose(f) != 0 || failed) {
		if (ok)
			snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		ok = 0;
	}
	if (ok && rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : -1;
}

static int check_args(const char *path, unsigned width, unsigned height, unsigned channels,
                      char *err, size_t errlen)
{
	if (width == 0 || height == 0 || (channels != 1 && channels != 3)) {
		snprintf(err, errlen, "%s: no image to write (%ux%u, %u channels)", path, width,
		         height, channels);
		return -1;
	}
	return 0;
}

int image_write_pnm(const char *path, const unsigned char *pixels, unsigned width, unsigned height,
                    unsigned channels, char *err, size_t errlen)
{
	char *tmp;
	FILE *f;
	size_t n = (size_t)width * height * channels;
	int ok;

	if (check_args(path, width, height, channels, err, errlen) != 0)
		return -1;
	if ((f = open_temp(path, &tmp, err, errlen)) == NULL)
		return -1;
	errno = 0;
	ok = fprintf(f, "P%c\n%u %u\n255\n", channels == 1 ? '5' : '6', width, height) > 0 &&
	     fwrite(pixels, 1, n, f) == n;
	if (!ok)
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
	return finish_temp(f, tmp, path, ok, err, errlen);
}

struct png_err {
	char *err;
	size_t errlen;
	const char *path;
};

static void png_on_error(png_structp png, png_const_charp msg)
{
	struct png_err *pe = png_get_error_ptr(png);

	snprintf(pe->err, pe->errlen, "%s: libpng: %s", pe->path, msg);
	png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

int image_write_png(const char *path, const unsigned char *pixels, unsigned width, unsigned height,
                    unsigned channels, char *err, size_t errlen)
{
	struct png_err pe = { err, errlen, path };
	png_structp png = NULL;
	png_infop info = NULL;
	char *tmp;
	FILE *f;
	volatile int ok = 0;

	if (check_args(path, width, height, channels, err, errlen) != 0)
		return -1;
	if ((f = open_temp(path, &tmp, err, errlen)) == NULL)
		return -1;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &pe, png_on_error, png_on_warning);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		snprintf(err, errlen, "%s: libpng: out of memory", path);
		goto out;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, width, height, 8,
	             channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (unsigned y = 0; y < height; y++)
		png_write_row(png, pixels + (size_t)y * width * channels);
	png_write_end(png, NULL);
	ok = 1;
out:
	png_destroy_write_struct(png != NULL ? &png : NULL, info != NULL ? &info : NULL);
	errno = 0;
	return finish_temp(f, tmp, path, ok, err, errlen);
}
