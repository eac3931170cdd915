/* A DICOM reader for previews (PS3.10 files and bare datasets): the header
 * fields a preview needs and the pixel data, read from a memory buffer:
 * native, or encapsulated as JPEG baseline/extended (8-bit, libjpeg) or RLE
 * lossless, decoded at read time (dicom_codec.h); other compressed syntaxes
 * are reported by name. Pure: no terminal, no windowing. Input is outside data, so every length is
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
	 * the UID when unknown), static; NULL for native pixel data. Still set
	 * when the frames were decoded (has_pixels 1). */
	const char *compression;
	int has_pixels; /* pixel data present, consistent (and decoded) */
	/* Pixel data in native form and little-endian order, at least frames x
	 * rows x columns x samples x bits allocated / 8 bytes; decoded from
	 * JPEG/RLE when compressed; owned by the image. */
	unsigned char *pixels;
	size_t pixel_len;
	/* The colour model of pixels: photometric, except "RGB" for a YBR JPEG
	 * that libjpeg converted to RGB (as dcmtk does). Native YBR_FULL_422
	 * keeps its name but is expanded on read to Y, Cb, Cr for every pixel
	 * (planar_configuration 0). "" when has_pixels is 0. */
	char pixel_colour[17];
	/* PALETTE COLOR lookup tables red, green, blue from (0028,1101..1103)
	 * and (0028,1201..1203); data NULL when a table is absent or its data
	 * does not match its descriptor (lut_error then says why). */
	struct dicom_lut {
		unsigned entries; /* 1..65536 (descriptor 0 means 65536) */
		int first;        /* first stored value mapped */
		unsigned bits;    /* bits per entry, 8 or 16 */
		uint16_t *data;   /* entries values; owned by the image */
	} palette[3];
	char lut_error[96]; /* why the palette is unusable, "" when it is fine */
	/* Why the pixel data, though read, cannot be shown: a frame that did
	 * not decode ("(7FE0,0010) at byte 998: frame 2: JPEG: ..."), a 12-bit
	 * JPEG; "" when nothing went wrong. has_pixels is 0 when it is set. */
	char problem[256];
};

/* Reads len bytes of a Part 10 file or a bare implicit/explicit LE dataset.
 * Returns the image, new (dicom_free), or NULL with a one-line reason in err
 * (err may be NULL). JPEG baseline/extended and RLE frames are decoded here;
 * a frame that does not decode, or another compressed syntax, is not an
 * error: the image comes back with compression set, has_pixels 0 and
 * dicom_no_preview saying why. data borrowed. */
struct dicom_image *dicom_read(const void *data, size_t len, char *err, size_t errlen);
/* dicom_read on the file at path, refused over DICOM_MAX_FILE bytes; the
 * reason names path. */
struct dicom_image *dicom_read_file(const char *path, char *err, size_t errlen);
/* Frees *img (NULL and *img == NULL accepted) and sets *img to NULL. */
void dicom_free(struct dicom_image **img);

/* Samples in one frame: rows x columns x samples per pixel. */
size_t dicom_frame_samples(const struct dicom_image *img);
/* Why frames cannot be read ("compressed as JPEG-LS lossless: no preview",
 * a decoding problem, "no pixel data"), static or borrowed from img; NULL
 * when they can. */
const char *dicom_no_preview(const struct dicom_image *img);
/* The transfer syntax's name ("Explicit VR Little Endian", "JPEG baseline"),
 * static; an unknown uid comes back as it is (borrowed). */
const char *dicom_transfer_syntax_name(const char *uid);

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
