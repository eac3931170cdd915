/* Phantom images (see phantom.h). Cross-sections are painted from ordered
 * lists of ellipsoids, each a tissue (later ones over earlier ones, like a
 * modified Shepp-Logan phantom but with replacement instead of sums, so
 * every tissue keeps its value); a tissue has a value per modality (HU, a
 * T2-like signal, an FDG-like SUV). Slices cut the ellipsoids at z, so the
 * frames of a multi-frame file change smoothly. The mammogram is drawn
 * separately from a breast outline, a thickness profile and random blobs.
 * All randomness comes from util/rng seeded by the request. It must not
 * read the clock or anything outside the request. */
#include "config.h"

#include "demo/phantom.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "img/dicom_write.h"
#include "util/rng.h"
#include "util/xmalloc.h"

#define PI 3.14159265358979323846

enum tissue {
	T_AIR,
	T_FAT,
	T_MUSCLE,
	T_BONE,
	T_MARROW,
	T_LUNG,
	T_BLOOD,
	T_CSF,
	T_URINE,
	T_PROSTATE,
	T_GLAND,
	T_LIVER,
	T_KIDNEY,
	T_TUMOR,
	T_COUNT
};

/* Per tissue: CT HU, MR T2-like signal (12-bit scale), PET SUV. */
static const double tissue_value[T_COUNT][3] = {
	[T_AIR] = { -1000, 0, 0 },       [T_FAT] = { -100, 1500, 0.4 },
	[T_MUSCLE] = { 45, 450, 0.9 },   [T_BONE] = { 700, 120, 0.8 },
	[T_MARROW] = { 220, 1000, 1.2 }, [T_LUNG] = { -850, 60, 0.3 },
	[T_BLOOD] = { 40, 250, 2.0 },    [T_CSF] = { 8, 3000, 0.2 },
	[T_URINE] = { 5, 3300, 14.0 },   [T_PROSTATE] = { 35, 1900, 1.5 },
	[T_GLAND] = { 38, 900, 1.0 },    [T_LIVER] = { 60, 420, 2.5 },
	[T_KIDNEY] = { 33, 1250, 3.0 },  [T_TUMOR] = { 52, 620, 9.0 },
};

/* Centre, semi-axes and in-plane rotation (degrees), in units of half the
 * field of view; x to the image's right, y down (posterior). */
struct ellipsoid {
	double x, y, z, a, b, c, angle;
	enum tissue t;
};

#define LONG 5.0 /* semi-axis of structures that run through every slice */

static const struct ellipsoid thorax[] = {
	{ 0, 0.05, 0, 0.86, 0.62, LONG, 0, T_FAT },
	{ 0, 0.05, 0, 0.80, 0.56, LONG, 0, T_MUSCLE },
	{ 0, 0.04, 0, 0.74, 0.50, LONG, 0, T_FAT },
	{ -0.36, 0.0, 0, 0.30, 0.42, 0.6, 8, T_LUNG },
	{ 0.38, 0.0, 0, 0.31, 0.43, 0.6, -8, T_LUNG },
	{ 0.07, -0.12, 0.05, 0.24, 0.20, 0.25, 25, T_BLOOD },
	{ -0.02, -0.22, 0.2, 0.07, 0.07, 0.12, 0, T_BLOOD },
	{ 0.12, 0.26, 0, 0.065, 0.065, LONG, 0, T_BLOOD },
	{ -0.06, 0.14, 0.15, 0.045, 0.04, 0.15, 0, T_AIR },
	{ 0.04, 0.2, 0, 0.03, 0.025, LONG, 0, T_MUSCLE },
	{ 0, 0.40, 0, 0.11, 0.09, LONG, 0, T_BONE },
	{ 0, 0.40, 0, 0.085, 0.07, LONG, 0, T_MARROW },
	{ -0.06, 0.55, 0, 0.05, 0.02, LONG, -30, T_BONE },
	{ 0.06, 0.55, 0, 0.05, 0.02, LONG, 30, T_BONE },
	{ 0, 0.60, 0, 0.03, 0.055, LONG, 0, T_BONE },
	{ 0, 0.52, 0, 0.045, 0.035, LONG, 0, T_CSF },
	{ 0, -0.52, 0, 0.08, 0.035, LONG, 0, T_BONE },
	{ -0.70, -0.2, 0, 0.035, 0.022, LONG, 60, T_BONE },
	{ 0.70, -0.2, 0, 0.035, 0.022, LONG, -60, T_BONE },
	{ -0.74, 0.12, 0, 0.035, 0.022, LONG, 90, T_BONE },
	{ 0.74, 0.12, 0, 0.035, 0.022, LONG, 90, T_BONE },
	{ -0.32, -0.47, 0, 0.035, 0.022, LONG, 20, T_BONE },
	{ 0.32, -0.47, 0, 0.035, 0.022, LONG, -20, T_BONE },
	{ -0.52, 0.45, 0, 0.2, 0.025, LONG, 25, T_BONE },
	{ 0.52, 0.45, 0, 0.2, 0.025, LONG, -25, T_BONE },
	{ 0.46, -0.08, 0.02, 0.06, 0.055, 0.05, 0, T_TUMOR },
};

static const struct ellipsoid abdomen[] = {
	{ 0, 0.04, 0, 0.86, 0.64, LONG, 0, T_FAT },
	{ 0, 0.04, 0, 0.80, 0.58, LONG, 0, T_MUSCLE },
	{ 0, 0.03, 0, 0.75, 0.53, LONG, 0, T_FAT },
	{ -0.32, -0.05, 0.05, 0.42, 0.38, 0.4, -10, T_LIVER },
	{ 0.5, 0.15, 0.05, 0.14, 0.22, 0.25, 30, T_LIVER },
	{ -0.3, 0.3, -0.02, 0.1, 0.15, 0.15, 25, T_KIDNEY },
	{ 0.3, 0.3, -0.02, 0.1, 0.15, 0.15, -25, T_KIDNEY },
	{ 0.25, -0.2, 0.1, 0.2, 0.15, 0.2, 20, T_MUSCLE },
	{ 0.25, -0.28, 0.1, 0.12, 0.05, 0.15, 20, T_AIR },
	{ 0.05, 0.22, 0, 0.05, 0.05, LONG, 0, T_BLOOD },
	{ -0.1, 0.2, 0, 0.06, 0.045, LONG, 0, T_BLOOD },
	{ -0.45, 0.22, 0, 0.05, 0.04, 0.1, 0, T_AIR },
	{ 0.4, -0.35, 0, 0.06, 0.04, 0.1, 0, T_AIR },
	{ -0.14, 0.38, 0, 0.07, 0.06, LONG, 0, T_MUSCLE },
	{ 0.14, 0.38, 0, 0.07, 0.06, LONG, 0, T_MUSCLE },
	{ -0.17, 0.56, 0, 0.1, 0.07, LONG, 0, T_MUSCLE },
	{ 0.17, 0.56, 0, 0.1, 0.07, LONG, 0, T_MUSCLE },
	{ 0, 0.42, 0, 0.11, 0.09, LONG, 0, T_BONE },
	{ 0, 0.42, 0, 0.085, 0.07, LONG, 0, T_MARROW },
	{ 0, 0.60, 0, 0.03, 0.055, LONG, 0, T_BONE },
	{ 0, 0.54, 0, 0.045, 0.035, LONG, 0, T_CSF },
	{ -0.3, -0.1, 0.02, 0.06, 0.06, 0.05, 0, T_TUMOR },
};

static const struct ellipsoid pelvis[] = {
	{ 0, 0.05, 0, 0.88, 0.58, LONG, 0, T_FAT },
	{ -0.42, 0.32, 0, 0.33, 0.22, LONG, 15, T_MUSCLE },
	{ 0.42, 0.32, 0, 0.33, 0.22, LONG, -15, T_MUSCLE },
	{ -0.42, -0.12, 0, 0.12, 0.1, LONG, 0, T_MUSCLE },
	{ 0.42, -0.12, 0, 0.12, 0.1, LONG, 0, T_MUSCLE },
	{ -0.14, -0.44, 0, 0.12, 0.05, LONG, 0, T_MUSCLE },
	{ 0.14, -0.44, 0, 0.12, 0.05, LONG, 0, T_MUSCLE },
	{ -0.27, 0.05, 0, 0.06, 0.14, LONG, 0, T_MUSCLE },
	{ 0.27, 0.05, 0, 0.06, 0.14, LONG, 0, T_MUSCLE },
	{ -0.56, 0.02, 0, 0.13, 0.13, 0.3, 0, T_BONE },
	{ 0.56, 0.02, 0, 0.13, 0.13, 0.3, 0, T_BONE },
	{ -0.56, 0.02, 0, 0.1, 0.1, 0.28, 0, T_MARROW },
	{ 0.56, 0.02, 0, 0.1, 0.1, 0.28, 0, T_MARROW },
	{ -0.40, 0.2, 0, 0.06, 0.12, LONG, 20, T_BONE },
	{ 0.40, 0.2, 0, 0.06, 0.12, LONG, -20, T_BONE },
	{ 0, 0.48, 0, 0.1, 0.06, LONG, 0, T_BONE },
	{ -0.36, -0.3, 0, 0.035, 0.03, LONG, 0, T_BLOOD },
	{ 0.36, -0.3, 0, 0.035, 0.03, LONG, 0, T_BLOOD },
	{ -0.28, -0.31, 0, 0.04, 0.032, LONG, 0, T_BLOOD },
	{ 0.28, -0.31, 0, 0.04, 0.032, LONG, 0, T_BLOOD },
	{ 0, -0.22, 0.08, 0.2, 0.15, 0.2, 0, T_URINE },
	{ 0, 0.04, 0, 0.13, 0.1, 0.15, 0, T_PROSTATE },
	{ 0, 0.01, 0, 0.08, 0.055, 0.12, 0, T_GLAND },
	{ 0.07, 0.09, 0.02, 0.035, 0.03, 0.04, 0, T_TUMOR },
	{ 0, 0.24, 0, 0.08, 0.065, LONG, 0, T_MUSCLE },
	{ 0, 0.24, 0, 0.035, 0.03, 0.2, 0, T_AIR },
};

static const struct ellipsoid breast[] = {
	{ 0, 0.5, 0, 0.92, 0.38, LONG, 0, T_FAT },
	{ 0, 0.55, 0, 0.84, 0.30, LONG, 0, T_MUSCLE },
	{ -0.4, 0.62, 0, 0.27, 0.16, 1, 0, T_LUNG },
	{ 0.4, 0.62, 0, 0.27, 0.16, 1, 0, T_LUNG },
	{ 0.06, 0.62, 0, 0.22, 0.14, 0.3, 0, T_BLOOD },
	{ 0, 0.28, 0, 0.07, 0.03, LONG, 0, T_BONE },
	{ 0, 0.84, 0, 0.1, 0.06, LONG, 0, T_BONE },
	{ -0.42, -0.05, 0, 0.3, 0.4, 0.4, 0, T_FAT },
	{ 0.42, -0.05, 0, 0.3, 0.4, 0.4, 0, T_FAT },
	{ -0.42, 0.0, 0, 0.17, 0.24, 0.3, 0, T_GLAND },
	{ 0.42, 0.0, 0, 0.17, 0.24, 0.3, 0, T_GLAND },
	{ -0.36, -0.15, 0, 0.1, 0.12, 0.2, 20, T_GLAND },
	{ 0.36, -0.15, 0, 0.1, 0.12, 0.2, -20, T_GLAND },
	{ 0.48, -0.08, 0.02, 0.045, 0.04, 0.04, 0, T_TUMOR },
};

static const struct {
	const struct ellipsoid *e;
	size_t n;
	double fov_mm;
	const char *body_part, *name;
} regions[] = {
	[PHANTOM_THORAX] = { thorax, sizeof thorax / sizeof thorax[0], 400, "CHEST", "thorax" },
	[PHANTOM_ABDOMEN] = { abdomen, sizeof abdomen / sizeof abdomen[0], 400, "ABDOMEN",
	                      "abdomen" },
	[PHANTOM_PELVIS] = { pelvis, sizeof pelvis / sizeof pelvis[0], 400, "PELVIS", "pelvis" },
	[PHANTOM_BREAST] = { breast, sizeof breast / sizeof breast[0], 340, "BREAST", "breast" },
};

/* Per kind: size, slice thickness and encoding. */
static const struct {
	const char *modality, *name, *sop_class, *image_type;
	unsigned rows, columns, bits_stored;
	bool is_signed;
	double thickness_mm;
} kinds[] = {
	[PHANTOM_CT] = { "CT", "CT", DICOM_SOP_CT, "DERIVED\\PRIMARY\\AXIAL", 256, 256, 16, true,
	                 5 },
	[PHANTOM_MR] = { "MR", "MR", DICOM_SOP_MR, "DERIVED\\PRIMARY", 256, 256, 12, false, 4 },
	[PHANTOM_MG] = { "MG", "Mammogram", DICOM_SOP_MG_PRESENT, "DERIVED\\PRIMARY", 320, 256, 12,
	                 false, 0 },
	[PHANTOM_PET] = { "PT", "PET", DICOM_SOP_PET, "DERIVED\\PRIMARY", 128, 128, 16, false, 4 },
};

int phantom_kind_from_alias(const char *alias, enum phantom_kind *out)
{
	static const struct {
		const char *alias;
		enum phantom_kind kind;
	} map[] = { { "ct", PHANTOM_CT },
		    { "mr", PHANTOM_MR },
		    { "mg", PHANTOM_MG },
		    { "pet", PHANTOM_PET } };

	for (size_t i = 0; alias != NULL && i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].alias, alias) == 0) {
			*out = map[i].kind;
			return 0;
		}
	}
	return -1;
}

enum phantom_region phantom_region_from_alias(const char *alias)
{
	if (alias == NULL)
		return PHANTOM_ABDOMEN;
	if (strcmp(alias, "lung") == 0)
		return PHANTOM_THORAX;
	if (strcmp(alias, "breast") == 0)
		return PHANTOM_BREAST;
	if (strcmp(alias, "pelvis") == 0 || strcmp(alias, "prostate") == 0 ||
	    strcmp(alias, "rectum") == 0)
		return PHANTOM_PELVIS;
	return PHANTOM_ABDOMEN;
}

const char *phantom_kind_modality(enum phantom_kind kind)
{
	return kinds[kind].modality;
}

const char *phantom_kind_name(enum phantom_kind kind)
{
	return kinds[kind].name;
}

/* ---- cross-sections ------------------------------------------------------ */

/* An ellipsoid cut at one z: the ellipse, and a square around it to skip
 * most pixels cheaply. */
struct section {
	double x, y, a, b, cos_a, sin_a, r;
	enum tissue t;
};

/* The tissue at (x, y), or -1 outside every section. */
static int tissue_at(const struct section *p, size_t n, double x, double y)
{
	int t = -1;

	for (size_t i = 0; i < n; i++) {
		double dx = x - p[i].x, dy = y - p[i].y, u, v;

		if (fabs(dx) > p[i].r || fabs(dy) > p[i].r)
			continue;
		u = (dx * p[i].cos_a + dy * p[i].sin_a) / p[i].a;
		v = (-dx * p[i].sin_a + dy * p[i].cos_a) / p[i].b;
		if (u * u + v * v <= 1)
			t = (int)p[i].t;
	}
	return t;
}

/* Tissue map of one slice, rows x columns, T_AIR outside the body. */
static void slice_tissues(enum phantom_region region, unsigned rows, unsigned columns, double z,
                          unsigned char *out)
{
	struct section *p = xcalloc(regions[region].n, sizeof *p);
	size_t n = 0;

	for (size_t i = 0; i < regions[region].n; i++) {
		const struct ellipsoid *e = &regions[region].e[i];
		double dz = (z - e->z) / e->c, k;

		if (dz * dz >= 1)
			continue;
		k = sqrt(1 - dz * dz);
		p[n] = (struct section){ e->x,
			                 e->y,
			                 e->a * k,
			                 e->b * k,
			                 cos(e->angle * PI / 180),
			                 sin(e->angle * PI / 180),
			                 fmax(e->a, e->b) * k,
			                 e->t };
		n++;
	}
	for (unsigned r = 0; r < rows; r++) {
		double y = 2 * (r + 0.5) / rows - 1;

		for (unsigned c = 0; c < columns; c++) {
			double x = 2 * (c + 0.5) / columns - 1;
			int t = tissue_at(p, n, x, y);

			out[(size_t)r * columns + c] = (unsigned char)(t < 0 ? T_AIR : t);
		}
	}
	free(p);
}

/* Approximately standard normal noise, cheaply: the sum of four 16-bit
 * uniforms from one draw (Irwin-Hall), scaled to unit variance. Pixels
 * need millions of these; exact tails do not matter. */
static double noise(struct rng *r)
{
	uint64_t x = rng_next(r);
	double sum = 0;

	for (int i = 0; i < 4; i++, x >>= 16)
		sum += (double)(x & 0xFFFF) / 65536.0;
	return (sum - 2) * 1.7320508075688772;
}

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Separable Gaussian blur of a rows x columns image, in place. */
static void blur(double *img, unsigned rows, unsigned columns, double sigma)
{
	int radius = (int)ceil(3 * sigma);
	double *k = xcalloc((size_t)(2 * radius + 1), sizeof *k), sum = 0;
	double *tmp = xcalloc((size_t)rows * columns, sizeof *tmp);

	for (int i = -radius; i <= radius; i++)
		sum += k[i + radius] = exp(-(double)(i * i) / (2 * sigma * sigma));
	for (int i = 0; i <= 2 * radius; i++)
		k[i] /= sum;
	for (unsigned r = 0; r < rows; r++)
		for (unsigned c = 0; c < columns; c++) {
			double acc = 0;

			for (int i = -radius; i <= radius; i++) {
				int cc = (int)c + i;

				cc = cc < 0 ? 0 : cc >= (int)columns ? (int)columns - 1 : cc;
				acc += k[i + radius] * img[(size_t)r * columns + (size_t)cc];
			}
			tmp[(size_t)r * columns + c] = acc;
		}
	for (unsigned r = 0; r < rows; r++)
		for (unsigned c = 0; c < columns; c++) {
			double acc = 0;

			for (int i = -radius; i <= radius; i++) {
				int rr = (int)r + i;

				rr = rr < 0 ? 0 : rr >= (int)rows ? (int)rows - 1 : rr;
				acc += k[i + radius] * tmp[(size_t)rr * columns + c];
			}
			img[(size_t)r * columns + c] = acc;
		}
	free(tmp);
	free(k);
}

/* One slice of a CT, MR or PET phantom as stored values. */
static void render_slice(enum phantom_kind kind, enum phantom_region region, double z,
                         struct rng *rng, uint16_t *out)
{
	unsigned rows = kinds[kind].rows, columns = kinds[kind].columns;
	size_t n = (size_t)rows * columns;
	unsigned char *tissue = xmalloc(n);
	double *v = NULL;

	slice_tissues(region, rows, columns, z, tissue);
	switch (kind) {
	case PHANTOM_CT:
		for (size_t i = 0; i < n; i++) {
			double x = 2 * ((double)(i % columns) + 0.5) / columns - 1;
			double y = 2 * ((double)(i / columns) + 0.5) / rows - 1;
			double hu = tissue_value[tissue[i]][0] + 12 * noise(rng);

			/* Outside the reconstruction circle: -1024 HU, no noise. */
			if (x * x + y * y > 1)
				hu = -1024;
			out[i] = (uint16_t)(int16_t)lround(clampd(hu + 1024, -32768, 32767));
		}
		break;
	case PHANTOM_MR:
		for (size_t i = 0; i < n; i++) {
			double x = 2 * ((double)(i % columns) + 0.5) / columns - 1;
			double y = 2 * ((double)(i / columns) + 0.5) / rows - 1;
			/* Coil sensitivity: brighter towards the edge, then Rician noise. */
			double s = tissue_value[tissue[i]][1] * (0.85 + 0.25 * (x * x + y * y));
			double re = s + 22 * noise(rng), im = 22 * noise(rng);

			out[i] = (uint16_t)lround(clampd(sqrt(re * re + im * im), 0, 4095));
		}
		break;
	case PHANTOM_PET:
		v = xcalloc(n, sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = tissue_value[tissue[i]][2];
		blur(v, rows, columns, 1.6);
		for (size_t i = 0; i < n; i++) {
			double suv = v[i] * (1 + 0.08 * noise(rng));

			out[i] = (uint16_t)lround(clampd(suv * 1000, 0, 65535));
		}
		break;
	case PHANTOM_MG:
		break;
	}
	free(v);
	free(tissue);
}

/* A 2-D Gaussian blob added to img (display units) within 3 sigma. */
static void add_blob(double *img, unsigned rows, unsigned columns, double cx, double cy,
                     double sigma, double amp)
{
	int r0 = (int)floor(cy - 3 * sigma), r1 = (int)ceil(cy + 3 * sigma);
	int c0 = (int)floor(cx - 3 * sigma), c1 = (int)ceil(cx + 3 * sigma);

	for (int r = r0 < 0 ? 0 : r0; r <= r1 && r < (int)rows; r++)
		for (int c = c0 < 0 ? 0 : c0; c <= c1 && c < (int)columns; c++) {
			double dx = c - cx, dy = r - cy;

			img[(size_t)r * columns + (size_t)c] +=
			    amp * exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
		}
}

/* An MLO mammogram: chest wall on the left, pectoral muscle top left.
 * Brightness 0 (air) .. 1 (dense), stored inverted (MONOCHROME1). */
static void render_mammogram(struct rng *rng, uint16_t *out)
{
	unsigned rows = kinds[PHANTOM_MG].rows, columns = kinds[PHANTOM_MG].columns;
	size_t n = (size_t)rows * columns;
	double *d = xcalloc(n, sizeof *d), *dense = xcalloc(n, sizeof *dense);
	double ccx, ccy;

	/* Fibroglandular tissue: many soft blobs, denser towards the centre. */
	for (int i = 0; i < 50; i++) {
		double fx = 0.05 + 0.55 * rng_uniform(rng), fy = -0.55 + 1.1 * rng_uniform(rng);

		add_blob(dense, rows, columns, fx * columns, (fy + 1) / 2 * rows,
		         (0.02 + 0.05 * rng_uniform(rng)) * columns,
		         0.03 + 0.05 * rng_uniform(rng));
	}
	/* Two masses and a cluster of calcifications. */
	for (int i = 0; i < 2; i++)
		add_blob(dense, rows, columns, (0.25 + 0.35 * rng_uniform(rng)) * columns,
		         (0.3 + 0.4 * rng_uniform(rng)) * rows, 0.025 * columns, 0.18);
	ccx = (0.3 + 0.3 * rng_uniform(rng)) * columns;
	ccy = (0.35 + 0.3 * rng_uniform(rng)) * rows;
	for (int i = 0; i < 8; i++)
		add_blob(dense, rows, columns, ccx + rng_normal(rng, 0, 4),
		         ccy + rng_normal(rng, 0, 4), 0.7, 0.35);
	for (unsigned r = 0; r < rows; r++) {
		double y = 2 * (r + 0.5) / rows - 1;

		for (unsigned c = 0; c < columns; c++) {
			double x = (c + 0.5) / columns;
			double q = pow(x / 0.78, 2.2) + pow(fabs(y - 0.05) / 0.82, 2);
			size_t i = (size_t)r * columns + c;
			double b = 0;

			if (q < 1) {
				/* Compressed: flat thickness except near the skin. */
				double thick = fmin(1, 1.8 * sqrt(1 - q));

				b = (0.22 + 0.25 * thick) + dense[i] * thick;
				if (x / 0.32 + (y + 1) / 0.95 <= 1)
					b = 0.62 + 0.3 * dense[i];
			}
			d[i] = b + 0.006 * noise(rng);
			out[i] = (uint16_t)lround((1 - clampd(d[i], 0, 1)) * 4095);
		}
	}
	free(dense);
	free(d);
}

/* ---- the file ------------------------------------------------------------ */

int phantom_dicom(const struct phantom_request *req, struct buf *out, char *err, size_t errlen)
{
	char study_uid[DICOM_UID_MAX + 1], series_uid[DICOM_UID_MAX + 1];
	char instance_uid[DICOM_UID_MAX + 1], for_uid[DICOM_UID_MAX + 1];
	struct dicom_write_spec s;
	struct rng rng;
	enum phantom_kind kind;
	unsigned frames;
	size_t frame_n;
	uint16_t *pixels;
	char *text, *description = NULL;
	double fov, spacing, thickness;
	int rc;

	if (req == NULL || (unsigned)req->kind > PHANTOM_PET ||
	    (unsigned)req->region > PHANTOM_BREAST || req->frames < 1 ||
	    req->frames > PHANTOM_MAX_FRAMES || req->study_key == NULL || req->image_key == NULL) {
		snprintf(err, errlen, "a phantom needs a kind, a region, 1 to %d frames and keys",
		         PHANTOM_MAX_FRAMES);
		return -1;
	}
	kind = req->kind;
	frames = kind == PHANTOM_MG ? 1 : req->frames;
	frame_n = (size_t)kinds[kind].rows * kinds[kind].columns;
	pixels = xcalloc(frame_n * frames, sizeof *pixels);
	rng_seed(&rng, req->seed);
	fov = kind == PHANTOM_MG ? 256 : regions[req->region].fov_mm;
	spacing = fov / kinds[kind].columns;
	thickness = kinds[kind].thickness_mm;
	for (unsigned f = 0; f < frames; f++) {
		/* Slices centred on z = 0, one thickness apart (z in half-FOVs). */
		double z_mm = ((double)f - (frames - 1) / 2.0) * thickness;

		if (kind == PHANTOM_MG)
			render_mammogram(&rng, pixels);
		else
			render_slice(kind, req->region, z_mm / (fov / 2), &rng,
			             pixels + frame_n * f);
	}

	text = xasprintf("ecii phantom study:%s", req->study_key);
	dicom_uid_from_text(text, study_uid);
	free(text);
	text = xasprintf("ecii phantom frame of reference:%s", req->study_key);
	dicom_uid_from_text(text, for_uid);
	free(text);
	text = xasprintf("ecii phantom series:%s", req->image_key);
	dicom_uid_from_text(text, series_uid);
	free(text);
	text = xasprintf("ecii phantom instance:%s", req->image_key);
	dicom_uid_from_text(text, instance_uid);
	free(text);
	if (req->series_description == NULL)
		description = xasprintf("%s phantom (synthetic)", kinds[kind].name);

	memset(&s, 0, sizeof s);
	s.rows = kinds[kind].rows;
	s.columns = kinds[kind].columns;
	s.frames = frames;
	s.bits_stored = kinds[kind].bits_stored;
	s.is_signed = kinds[kind].is_signed;
	s.photometric = kind == PHANTOM_MG ? "MONOCHROME1" : "MONOCHROME2";
	s.pixels = pixels;
	s.pixel_spacing[0] = s.pixel_spacing[1] = spacing;
	s.slice_thickness = thickness;
	switch (kind) {
	case PHANTOM_CT:
		s.has_rescale = true;
		s.slope = 1;
		s.intercept = -1024;
		s.rescale_type = "HU";
		s.has_window = true;
		s.center = 40;
		s.width = 400;
		break;
	case PHANTOM_MR:
		break;
	case PHANTOM_MG:
		s.has_window = true;
		s.center = 2000;
		s.width = 3000;
		/* A left breast: chest wall on the image's left. */
		s.view_position = "MLO";
		s.patient_orientation = "A\\FR";
		s.laterality = "L";
		break;
	case PHANTOM_PET:
		/* Activity in Bq/ml as most PET is stored: 1000 per SUV in the
		 * stored values, 5 Bq/ml each (SUV 1 = 5000 Bq/ml, about 350 MBq
		 * in 70 kg). An integer slope keeps modality values integers,
		 * which is all dcmtk's pipeline holds. The window shows SUV 0..4:
		 * the body is visible, the hot spots saturate. */
		s.has_rescale = true;
		s.slope = 5;
		s.intercept = 0;
		s.has_window = true;
		s.center = 10000;
		s.width = 20000;
		s.units = "BQML";
		break;
	}
	s.sop_class = kinds[kind].sop_class;
	s.sop_instance = instance_uid;
	s.study_uid = study_uid;
	s.series_uid = series_uid;
	s.frame_of_reference_uid = kind == PHANTOM_MG ? NULL : for_uid;
	s.modality = kinds[kind].modality;
	s.image_type = kinds[kind].image_type;
	s.patient_name = "Phantom^Synthetic";
	s.patient_id = req->patient_id;
	s.patient_sex = "O";
	s.study_date = req->study_date;
	s.study_time = "120000";
	s.study_id = "1";
	s.manufacturer = "ecii synthetic phantom";
	s.body_part = req->body_part != NULL ? req->body_part
	              : kind == PHANTOM_MG   ? "BREAST"
	                                     : regions[req->region].body_part;
	s.study_description = "Synthetic phantom, not a patient";
	s.series_description = description != NULL ? description : req->series_description;
	s.series_number = 1 + (unsigned)kind;
	s.instance_number = 1;
	if (kind != PHANTOM_MG) {
		double first_z = -((frames - 1) / 2.0) * thickness;

		s.has_plane = true;
		s.orientation[0] = 1;
		s.orientation[4] = 1;
		s.position[0] = -fov / 2 + spacing / 2;
		s.position[1] = -fov / 2 + spacing / 2;
		s.position[2] = first_z;
	}
	rc = dicom_write_image(&s, out, err, errlen);
	free(description);
	free(pixels);
	return rc;
}
