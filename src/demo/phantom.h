/* Synthetic phantom images for the demo's previews, as DICOM files: CT in
 * Hounsfield units, T2-like MR, a mammogram and blurred PET, drawn from
 * tables of ellipsoids (a Shepp-Logan-like construction over simple
 * anatomy) plus seeded noise. Everything comes from the request: no clock,
 * no files, no real patient; the same request gives the same bytes. */
#ifndef ECII_DEMO_PHANTOM_H
#define ECII_DEMO_PHANTOM_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define PHANTOM_MAX_FRAMES 16

enum phantom_kind {
	PHANTOM_CT,  /* 256x256, signed 16-bit, intercept -1024, window 40/400 */
	PHANTOM_MR,  /* 256x256, unsigned 12-bit, no stored window */
	PHANTOM_MG,  /* 320x256 left MLO, 12-bit MONOCHROME1, stored window; 1 frame */
	PHANTOM_PET, /* 128x128, unsigned 16-bit, slope 5 (Bq/ml), window SUV 0..4 */
};

enum phantom_region {
	PHANTOM_THORAX,
	PHANTOM_ABDOMEN,
	PHANTOM_PELVIS,
	PHANTOM_BREAST, /* axial, prone, both breasts */
};

struct phantom_request {
	enum phantom_kind kind;
	enum phantom_region region; /* not used for PHANTOM_MG */
	unsigned frames;            /* 1..PHANTOM_MAX_FRAMES adjacent slices; MG: 1 */
	uint64_t seed;              /* noise and texture */
	/* Text the UIDs derive from: the study's (e.g. a collection id) and the
	 * image's (e.g. a preview id); both required, borrowed. */
	const char *study_key, *image_key;
	const char *patient_id;         /* LO, required */
	const char *study_date;         /* DA "YYYYMMDD", required */
	const char *body_part;          /* CS; NULL: the region's */
	const char *series_description; /* LO; NULL: a default naming the kind */
};

/* The modality alias of the vocabulary ("ct", "mr", "mg", "pet") as a kind
 * in *out. Returns 0, or -1 when there is no phantom for it. */
int phantom_kind_from_alias(const char *alias, enum phantom_kind *out);
/* The region for a body part alias ("lung", "breast", "pelvis", ...); an
 * unknown or NULL alias gives PHANTOM_ABDOMEN. */
enum phantom_region phantom_region_from_alias(const char *alias);
/* DICOM modality of a kind ("CT", "MR", "MG", "PT"), static. */
const char *phantom_kind_modality(enum phantom_kind kind);
/* Short human name ("CT", "MR", "Mammogram", "PET"), static. */
const char *phantom_kind_name(enum phantom_kind kind);

/* Appends the DICOM file for req to out. Returns 0, or -1 with a one-line
 * reason in err (out unchanged). req borrowed. */
int phantom_dicom(const struct phantom_request *req, struct buf *out, char *err, size_t errlen);

#endif
