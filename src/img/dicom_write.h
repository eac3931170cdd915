/* A minimal DICOM Part 10 writer for ecii's own synthetic images: one
 * grayscale image (single- or multi-frame, 16 bits allocated) in explicit VR
 * little endian, with the file meta group (correct group length), the
 * identifying elements a viewer expects and native pixel data. It writes only
 * what it is given and checks every value against its VR (length, character
 * set, even padding: NUL for UI, space for text), so what it returns is a
 * well-formed file or an error; it never reads files, the clock or the
 * environment (same input, same bytes). It is not a general DICOM encoder:
 * no sequences, no colour, no compression.
 *
 * UIDs are ecii's own under the root 2.25 (PS3.5 B.2: a UUID as one
 * decimal integer): dicom_uid_from_text() turns text into a UUID version 8
 * (RFC 9562) made of the first 128 bits of its SHA-256, so a UID is a pure
 * function of the text it names. */
#ifndef ECII_IMG_DICOM_WRITE_H
#define ECII_IMG_DICOM_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Longest UID (PS3.5 9.1), without the NUL. */
#define DICOM_UID_MAX 64

/* ecii's Implementation Class UID (0002,0012):
 * dicom_uid_from_text("ecii DICOM implementation class"), fixed here so it
 * never changes with the code that derives it (a unit test checks both). */
#define DICOM_IMPLEMENTATION_CLASS_UID "2.25.333486031133810659028313368953921359892"

#define DICOM_TS_EXPLICIT_LE "1.2.840.10008.1.2.1"
#define DICOM_SOP_CT         "1.2.840.10008.5.1.4.1.1.2"
#define DICOM_SOP_MR         "1.2.840.10008.5.1.4.1.1.4"
#define DICOM_SOP_MG_PRESENT "1.2.840.10008.5.1.4.1.1.1.2"
#define DICOM_SOP_PET        "1.2.840.10008.5.1.4.1.1.128"

/* One image to write. Strings are borrowed; NULL omits an optional element
 * and is an error for a required one. Values must fit their VR (PS3.5 6.2):
 * CS upper case, digits, space and '_' (max 16, '\' between values); UI
 * digits and dots (max 64); DA "YYYYMMDD"; TM "HHMMSS"; SH max 16, LO and PN
 * max 64, no control characters or '\'. Numbers written as DS or IS must
 * be finite and fit 16 (DS) or 12 (IS) characters. */
struct dicom_write_spec {
	/* Image pixel module. */
	unsigned rows, columns;  /* 1..DICOM_MAX_DIM */
	unsigned frames;         /* 1..DICOM_MAX_FRAMES; (0028,0008) written when > 1 */
	unsigned bits_stored;    /* 1..16; BitsAllocated 16, HighBit bits_stored - 1 */
	bool is_signed;          /* PixelRepresentation 1: two's complement */
	const char *photometric; /* "MONOCHROME1" or "MONOCHROME2" (required) */
	/* Stored values, rows x columns x frames, frame after frame, rows top
	 * down. Signed values are 16-bit two's complement (sign-extended above
	 * the high bit); each must fit bits_stored. Required. */
	const uint16_t *pixels;
	bool has_rescale; /* (0028,1052/1053), and (0028,1054) if rescale_type */
	double slope, intercept;
	const char *rescale_type; /* LO, e.g. "HU"; NULL omits */
	bool has_window;          /* (0028,1050/1051) */
	double center, width;     /* width >= 1 */
	double pixel_spacing[2];  /* mm, between rows then columns; both 0 omit */
	double slice_thickness;   /* mm; 0 omits */
	/* Identification (required unless said). */
	const char *sop_class, *sop_instance, *study_uid, *series_uid;
	const char *frame_of_reference_uid;  /* NULL omits */
	const char *modality;                /* CS */
	const char *image_type;              /* CS, e.g. "DERIVED\\PRIMARY\\AXIAL"; NULL omits */
	const char *patient_name;            /* PN */
	const char *patient_id;              /* LO */
	const char *patient_sex;             /* CS "M", "F", "O"; NULL writes it empty */
	const char *study_date, *study_time; /* DA, TM; also content date and time */
	const char *study_id;                /* SH; NULL writes it empty */
	const char *manufacturer;            /* LO; NULL writes it empty */
	const char *body_part;               /* CS; NULL omits */
	const char *study_description;       /* LO; NULL omits */
	const char *series_description;      /* LO; NULL omits */
	/* Optional CS values (NULL omits): mammography's (0018,5101) view
	 * position ("MLO"), (0020,0020) patient orientation ("A\\FR") and
	 * (0020,0062) laterality ("L"); PET's (0054,1001) units ("BQML"). */
	const char *view_position, *patient_orientation, *laterality, *units;
	unsigned series_number, instance_number;
	/* Image plane: written when has_plane (orientation rows then columns,
	 * position of the first frame's top left pixel, mm). */
	bool has_plane;
	double orientation[6], position[3];
};

/* Appends the Part 10 file for s to out (128-byte zero preamble, "DICM",
 * group 0002, then the dataset in ascending tag order). Returns 0, or -1
 * with a one-line reason naming the element in err, out then holding what
 * it held before. s and its strings and pixels borrowed. */
int dicom_write_image(const struct dicom_write_spec *s, struct buf *out, char *err, size_t errlen);

/* "2.25." and the decimal value of the UUID version 8 made of SHA-256(text)'s
 * first 16 bytes (version and variant bits set): at most 44 characters, in
 * out (DICOM_UID_MAX + 1 bytes). text borrowed. */
void dicom_uid_from_text(const char *text, char out[DICOM_UID_MAX + 1]);

#endif
