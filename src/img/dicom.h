/* A DICOM reader for previews (PS3.10 files and bare datasets): the header
 * fields a preview needs and native pixel data, read from a memory buffer.
 * Pure: no terminal, no windowing, no decoding of compressed pixel data
 * (those are reported by name). Input is outside data, so every length is
 * checked against what is left and every error is one line naming the byte
 * offset and the tag ("(7FE0,0010) at byte 1234: pixel data shorter than
 * rows x columns x frames (1000 < 524288)"). */
#ifndef ECII_IMG_DICOM_H
#define ECII_IMG_DICOM_H

#include <stddef.h>
#include <stdint.h>

#define DICOM_MAX_DIM         16384
#define DICOM_MAX_FRAMES      4096
#define DICOM_MAX_PIXEL_BYTES ((size_t)512 * 1024 * 1024)
#define DICOM_MAX_DEPTH       16
#define DICOM_MAX_ELEMENTS    (1024 * 1024)
/* Files (and inflated datasets) larger than this are refused. */
#define DICOM_MAX_FILE (DICOM_MAX_PIXEL_BYTES + (size_t)64 * 1024 * 1024)

struct dicom_image {
	/* (0028,xxxx) image pixel module; defaults per PS3.3 where absent. */
	unsigned rows, columns;
	unsigned samples_per_pixel;    /* 1 or 3 */
	unsigned planar_configuration; /* 0 = RGBRGB, 1 = RRR..GGG..BBB */
	unsigned bits_allocated;       /* 1, 8, 16 or 32 */
	unsigned bits_stored, high_bit;
	unsigned pixel_representation;           /* 1 = two's complement */
	unsigned frames;                         /* (0028,0008), 1 when absent */
	double rescale_slope, rescale_intercept; /* 1 and 0 when absent */
	int has_window;                          /* 1: both first (0028,1050/1051) values read */
	double window_center, window_width;
	/* Strings, trailing padding removed, unprintable bytes as '?'. */
	char photometric[17];        /* (0028,0004), "MONOCHROME2" when absent */
	char modality[17];           /* (0008,0060) */
	char transfer_syntax[65];    /* (0002,0010), "" for a bare dataset */
	char sop_class[65];          /* (0008,0016) */
	char body_part[17];          /* (0018,0015) */
	char study_description[65];  /* (0008,1030) */
	char series_description[65]; /* (0008,103E) */
	/* Compressed (encapsulated) pixel data: its name ("JPEG baseline", or
	 * the UID when unknown), static; NULL for native pixel data. */
	const char *compression;
	int has_pixels; /* native pixel data present and consistent */
	/* Native pixel data in little-endian order, at least frames x
	 * dicom_frame_bytes(); owned by the image. */
	unsigned char *pixels;
	size_t pixel_len;
};

/* Reads len bytes of a Part 10 file or a bare implicit/explicit LE dataset.
 * Returns the image, new (dicom_free), or NULL with a one-line reason in err
 * (err may be NULL). Compressed pixel data is not an error: the image comes
 * back with compression set and has_pixels 0. data borrowed. */
struct dicom_image *dicom_read(const void *data, size_t len, char *err, size_t errlen);
/* dicom_read on the file at path, refused over DICOM_MAX_FILE bytes; the
 * reason names path. */
struct dicom_image *dicom_read_file(const char *path, char *err, size_t errlen);
/* Frees *img (NULL and *img == NULL accepted) and sets *img to NULL. */
void dicom_free(struct dicom_image **img);

/* Samples in one frame: rows x columns x samples per pixel. */
size_t dicom_frame_samples(const struct dicom_image *img);
/* Why frames cannot be read ("compressed as JPEG baseline: no preview",
 * "no pixel data"), static; NULL when they can. */
const char *dicom_no_preview(const struct dicom_image *img);

/* Fill out (n >= dicom_frame_samples()) with frame (0-based) in row order,
 * samples of one pixel adjacent (RGBRGB whatever the planar configuration).
 * _raw gives stored values (high bit applied, sign-extended if signed);
 * _values gives raw x slope + intercept for one sample per pixel and raw
 * values for colour. Return 0, or -1 with a one-line reason in err. */
int dicom_frame_raw(const struct dicom_image *img, unsigned frame, int64_t *out, size_t n,
                    char *err, size_t errlen);
int dicom_frame_values(const struct dicom_image *img, unsigned frame, double *out, size_t n,
                       char *err, size_t errlen);

#endif
