/* The demo generator: reads a federation description, then writes each site's
 * subjects, studies and collection items and the federation's catalogue.
 * Distributions are plausible for each cancer (age, sex, markers, grade, TNM,
 * imaging mix) but the data is synthetic and labelled so. Every random draw
 * comes from one rng per collection, seeded from the description's seed and
 * the collection id, so editing one collection leaves the others unchanged.
 * It must not read the clock or use codes not looked up in the vocabulary. */
#include "config.h"

#include "demo/demo_gen.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/site_data.h"
#include "demo/phantom.h"
#include "store/catalogue_store.h"
#include "store/site_store.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/rng.h"
#include "util/xmalloc.h"

/* Subject-level categorical columns the generator fills, and the value
 * aliases it uses for each, in the order it indexes them (ordinal). */
enum demo_cat {
	CAT_SEX,
	CAT_DIAGNOSIS,
	CAT_ER,
	CAT_PR,
	CAT_HER2,
	CAT_GLEASON,
	CAT_ISUP,
	CAT_CT,
	CAT_PT,
	CAT_CN,
	CAT_PN,
	CAT_CM,
	CAT_PM,
	CAT_BIRADS,
	CAT_PIRADS,
	CAT_COUNT
};

#define DEMO_MAX_LEVELS 8

static const struct {
	const char *field;
	const char *values[DEMO_MAX_LEVELS];
} demo_cats[CAT_COUNT] = {
	[CAT_SEX] = { "sex", { "male", "female" } },
	[CAT_DIAGNOSIS] = { "diagnosis", { "prostate", "breast", "lung", "colon", "rectum" } },
	[CAT_ER] = { "er", { "positive", "negative" } },
	[CAT_PR] = { "pr", { "positive", "negative" } },
	[CAT_HER2] = { "her2", { "0", "1+", "2+", "3+" } },
	[CAT_GLEASON] = { "gleason", { "6", "7", "8", "9", "10" } },
	[CAT_ISUP] = { "isup", { "1", "2", "3", "4", "5" } },
	[CAT_CT] = { "ct", { "t0", "t1", "t2", "t3", "t4" } },
	[CAT_PT] = { "pt", { "t0", "t1", "t2", "t3", "t4" } },
	[CAT_CN] = { "cn", { "n0", "n1", "n2", "n3" } },
	[CAT_PN] = { "pn", { "n0", "n1", "n2", "n3" } },
	[CAT_CM] = { "cm", { "m0", "m1" } },
	[CAT_PM] = { "pm", { "m0", "m1" } },
	[CAT_BIRADS] = { "birads", { "0", "1", "2", "3", "4", "5", "6" } },
	[CAT_PIRADS] = { "pirads", { "1", "2", "3", "4", "5" } },
};

/* Ordinals into demo_cats[].values. */
enum { SEX_MALE, SEX_FEMALE };
enum { DX_PROSTATE, DX_BREAST, DX_LUNG, DX_COLON, DX_RECTUM };
enum { MARKER_POSITIVE, MARKER_NEGATIVE };

/* Numeric columns: they must exist in the vocabulary, as numbers. */
static const char *const demo_numeric[] = { "age", "year", "psa", "ki67" };

enum demo_cancer {
	CANCER_PROSTATE,
	CANCER_BREAST,
	CANCER_LUNG,
	CANCER_COLORECTAL,
	CANCER_COLON,
	CANCER_RECTUM,
};

static const char *const demo_cancer_names[] = {
	[CANCER_PROSTATE] = "prostate",     [CANCER_BREAST] = "breast", [CANCER_LUNG] = "lung",
	[CANCER_COLORECTAL] = "colorectal", [CANCER_COLON] = "colon",   [CANCER_RECTUM] = "rectum",
};

/* Series per study and images per series by modality alias. */
static const struct demo_shape {
	const char *modality;
	int series_lo, series_hi;
	int images_lo, images_hi;
} demo_shapes[] = {
	{ "mr", 4, 12, 20, 200 },   { "ct", 1, 6, 60, 400 }, { "pet", 2, 5, 100, 400 },
	{ "spect", 1, 4, 20, 120 }, { "mg", 2, 6, 20, 40 },  { "us", 1, 4, 20, 80 },
};
static const struct demo_shape demo_shape_default = { NULL, 1, 12, 20, 400 };

static const char *const demo_access_types[] = { "PUBLIC", "RESTRICTED", "NON_PUBLIC" };

#define DEMO_DESCRIPTION_PREFIX "Synthetic demo data."
#define DEMO_PROGRESS_EVERY     8192

/* Values of one study-level field, with cumulative weights. */
struct demo_mix {
	size_t n;
	int value[VOCAB_MAX_VALUES]; /* index into the field's values */
	double cum[VOCAB_MAX_VALUES];
};

struct demo_site {
	const char *id, *name, *country; /* borrowed from spec->doc */
};

struct demo_collection {
	const char *id, *name, *acronym, *description, *access; /* borrowed from spec->doc */
	const char *purpose, *terms, *contact_name, *contact_email;
	size_t site;
	enum demo_cancer cancer;
	uint64_t subjects;
	double studies_per_subject;
	int year_from, year_to;
	struct demo_mix modalities, body_parts, manufacturers;
};

struct demo_spec {
	const struct vocab *vocab;
	json_t *doc; /* owned copy: strings above point into it */
	uint64_t seed;
	const char *updated, *version;
	struct demo_site *sites;
	size_t n_sites;
	struct demo_collection *collections;
	size_t n_collections;
	/* Vocabulary lookups, done once. */
	const struct vocab_field *cat_field[CAT_COUNT];
	int cat_value[CAT_COUNT][DEMO_MAX_LEVELS]; /* value index per ordinal */
	const struct vocab_field *modality, *body_part, *manufacturer;
	struct demo_shape shape[VOCAB_MAX_VALUES]; /* per modality value index */
	bool previews;                             /* phantom previews (not for benchmarks) */
};

/* What a collection turned out to hold: the catalogue item's numbers. */
struct demo_stats {
	uint64_t subjects, studies, series;
	uint64_t sex, diagnosis, modality, body_part, manufacturer; /* value index bits */
	int age_lo, age_hi;
	int year_lo, year_hi;
};

struct demo_progress {
	demo_progress_fn fn;
	void *arg;
	uint64_t done, total;
};

/* One subject as drawn: categorical ordinals (-1: not recorded), numbers
 * (NAN: not recorded). */
struct demo_subject {
	int cat[CAT_COUNT];
	double age, year, psa, ki67;
};

/* ---- description ------------------------------------------------------ */

static const char *get_string(json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

static bool id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '-' || c == '_' || c == '.'))))
			return false;
	}
	return true;
}

static const struct vocab_field *need_field(const struct vocab *v, const char *alias,
                                            enum vocab_type type, char *err, size_t errlen)
{
	const struct vocab_field *f = vocab_field_find(v, alias);

	if (f == NULL || strcmp(f->alias, alias) != 0 || f->type != type) {
		snprintf(err, errlen, "the vocabulary has no %s field '%s'",
		         type == VOCAB_CATEGORICAL ? "categorical" : "numeric", alias);
		return NULL;
	}
	return f;
}

static int resolve_vocab(struct demo_spec *spec, char *err, size_t errlen)
{
	const struct vocab *v = spec->vocab;

	for (size_t i = 0; i < sizeof demo_numeric / sizeof demo_numeric[0]; i++)
		if (need_field(v, demo_numeric[i], VOCAB_NUMERIC, err, errlen) == NULL)
			return -1;
	for (int c = 0; c < CAT_COUNT; c++) {
		const struct vocab_field *f;

		f = need_field(v, demo_cats[c].field, VOCAB_CATEGORICAL, err, errlen);
		if (f == NULL)
			return -1;
		spec->cat_field[c] = f;
		for (int k = 0; k < DEMO_MAX_LEVELS; k++) {
			const char *alias = demo_cats[c].values[k];

			spec->cat_value[c][k] = -1;
			if (alias == NULL)
				continue;
			for (size_t j = 0; j < f->n_values; j++)
				if (strcmp(f->values[j].alias, alias) == 0)
					spec->cat_value[c][k] = (int)j;
			if (spec->cat_value[c][k] < 0) {
				snprintf(err, errlen,
				         "the vocabulary's field '%s' has no value '%s'", f->alias,
				         alias);
				return -1;
			}
		}
	}
	spec->modality = need_field(v, "modality", VOCAB_CATEGORICAL, err, errlen);
	spec->body_part = need_field(v, "bodypart", VOCAB_CATEGORICAL, err, errlen);
	spec->manufacturer = need_field(v, "manufacturer", VOCAB_CATEGORICAL, err, errlen);
	if (spec->modality == NULL || spec->body_part == NULL || spec->manufacturer == NULL)
		return -1;
	for (size_t j = 0; j < spec->modality->n_values && j < VOCAB_MAX_VALUES; j++) {
		spec->shape[j] = demo_shape_default;
		for (size_t k = 0; k < sizeof demo_shapes / sizeof demo_shapes[0]; k++)
			if (strcmp(spec->modality->values[j].alias, demo_shapes[k].modality) == 0)
				spec->shape[j] = demo_shapes[k];
	}
	return 0;
}

/* Reads {alias: weight, ...} or [alias, ...] (equal weights) into m, in
 * vocabulary order so JSON member order cannot change the draws. */
static int parse_mix(const struct vocab_field *f, json_t *in, struct demo_mix *m, const char *cid,
                     const char *what, char *err, size_t errlen)
{
	double weight[VOCAB_MAX_VALUES] = { 0 }, total = 0;
	const char *alias;
	json_t *val;
	size_t i;
	int idx;

	m->n = 0;
	if (!(json_is_object(in) && json_object_size(in) > 0) &&
	    !(json_is_array(in) && json_array_size(in) > 0)) {
		snprintf(err, errlen, "collection %s: studies.%s must list at least one %s", cid,
		         what, f->alias);
		return -1;
	}
	if (json_is_array(in)) {
		json_array_foreach (in, i, val) {
			alias = json_string_value(val);
			idx = alias != NULL ? vocab_value_find(f, alias) : -1;
			if (idx < 0 || idx >= VOCAB_MAX_VALUES || weight[idx] > 0) {
				snprintf(err, errlen,
				         "collection %s: studies.%s: bad or repeated %s", cid, what,
				         f->alias);
				return -1;
			}
			weight[idx] = 1;
		}
	} else {
		json_object_foreach (in, alias, val) {
			idx = vocab_value_find(f, alias);
			if (idx < 0 || idx >= VOCAB_MAX_VALUES) {
				snprintf(err, errlen, "collection %s: studies.%s: unknown %s '%s'",
				         cid, what, f->alias, alias);
				return -1;
			}
			if (!json_is_number(val) || !(json_number_value(val) > 0) ||
			    weight[idx] > 0) {
				snprintf(
				    err, errlen,
				    "collection %s: studies.%s: '%s' needs one positive weight",
				    cid, what, alias);
				return -1;
			}
			weight[idx] = json_number_value(val);
		}
	}
	for (idx = 0; idx < VOCAB_MAX_VALUES; idx++)
		total += weight[idx];
	for (idx = 0; idx < VOCAB_MAX_VALUES; idx++) {
		if (weight[idx] <= 0)
			continue;
		m->value[m->n] = idx;
		m->cum[m->n] = (m->n > 0 ? m->cum[m->n - 1] : 0) + weight[idx] / total;
		m->n++;
	}
	m->cum[m->n - 1] = 1.0;
	return 0;
}

static int parse_site(struct demo_spec *spec, size_t i, json_t *in, char *err, size_t errlen)
{
	struct demo_site *site = &spec->sites[i];

	site->id = get_string(in, "id");
	site->name = get_string(in, "name");
	site->country = get_string(in, "country");
	if (site->id == NULL || site->name == NULL || site->country == NULL) {
		snprintf(err, errlen, "site %zu needs string id, name and country", i + 1);
		return -1;
	}
	if (!id_ok(site->id)) {
		snprintf(err, errlen,
		         "site %zu: id must be 1 to 64 of a-z, 0-9, '-', '_', '.' "
		         "starting with a letter or digit",
		         i + 1);
		return -1;
	}
	for (size_t j = 0; j < i; j++)
		if (strcmp(spec->sites[j].id, site->id) == 0) {
			snprintf(err, errlen, "site %s is described twice", site->id);
			return -1;
		}
	return 0;
}

static int parse_years(const struct vocab *v, struct demo_collection *c, json_t *years, char *err,
                       size_t errlen)
{
	const struct vocab_field *f = vocab_field_find(v, "year");
	json_t *from = json_array_get(years, 0), *to = json_array_get(years, 1);

	if (!json_is_array(years) || json_array_size(years) != 2 || !json_is_integer(from) ||
	    !json_is_integer(to)) {
		snprintf(err, errlen, "collection %s: years must be [from, to]", c->id);
		return -1;
	}
	if (json_integer_value(from) < (json_int_t)f->min ||
	    json_integer_value(to) > (json_int_t)f->max ||
	    json_integer_value(from) > json_integer_value(to)) {
		snprintf(err, errlen, "collection %s: years must lie within %g..%g, from <= to",
		         c->id, f->min, f->max);
		return -1;
	}
	c->year_from = (int)json_integer_value(from);
	c->year_to = (int)json_integer_value(to);
	return 0;
}

static int parse_collection(struct demo_spec *spec, size_t i, json_t *in, char *err, size_t errlen)
{
	struct demo_collection *c = &spec->collections[i];
	json_t *studies = json_object_get(in, "studies");
	json_t *contact = json_object_get(in, "contact");
	json_t *subjects = json_object_get(in, "subjects");
	json_t *per = json_object_get(studies, "per_subject");
	const char *site, *cancer;
	size_t k;

	c->id = get_string(in, "id");
	if (c->id == NULL || !id_ok(c->id)) {
		snprintf(err, errlen,
		         "collection %zu needs an id of 1 to 64 of a-z, 0-9, '-', '_', '.'", i + 1);
		return -1;
	}
	for (k = 0; k < i; k++)
		if (strcmp(spec->collections[k].id, c->id) == 0) {
			snprintf(err, errlen, "collection %s is described twice", c->id);
			return -1;
		}
	c->name = get_string(in, "name");
	c->acronym = get_string(in, "acronym");
	c->description = get_string(in, "description");
	c->access = get_string(in, "access");
	c->purpose = get_string(in, "intended_purpose");
	c->terms = get_string(in, "terms_of_use");
	c->contact_name = get_string(contact, "name");
	c->contact_email = get_string(contact, "email");
	site = get_string(in, "site");
	cancer = get_string(in, "cancer");
	if (c->name == NULL || c->acronym == NULL || c->description == NULL || c->access == NULL ||
	    c->purpose == NULL || c->terms == NULL || c->contact_name == NULL ||
	    c->contact_email == NULL || site == NULL || cancer == NULL) {
		snprintf(err, errlen,
		         "collection %s needs strings name, acronym, site, cancer, access, "
		         "intended_purpose, terms_of_use, description and contact {name, email}",
		         c->id);
		return -1;
	}
	for (k = 0; k < spec->n_sites; k++)
		if (strcmp(spec->sites[k].id, site) == 0)
			break;
	if (k == spec->n_sites) {
		snprintf(err, errlen, "collection %s: no site '%s' is described", c->id, site);
		return -1;
	}
	c->site = k;
	for (k = 0; k < sizeof demo_cancer_names / sizeof demo_cancer_names[0]; k++)
		if (strcmp(demo_cancer_names[k], cancer) == 0)
			break;
	if (k == sizeof demo_cancer_names / sizeof demo_cancer_names[0]) {
		snprintf(err, errlen,
		         "collection %s: cancer must be prostate, breast, lung, colorectal, colon "
		         "or rectum",
		         c->id);
		return -1;
	}
	c->cancer = (enum demo_cancer)k;
	for (k = 0; k < sizeof demo_access_types / sizeof demo_access_types[0]; k++)
		if (strcmp(demo_access_types[k], c->access) == 0)
			break;
	if (k == sizeof demo_access_types / sizeof demo_access_types[0]) {
		snprintf(err, errlen,
		         "collection %s: access must be PUBLIC, RESTRICTED or NON_PUBLIC", c->id);
		return -1;
	}
	if (!json_is_integer(subjects) || json_integer_value(subjects) < 1 ||
	    (uint64_t)json_integer_value(subjects) > DEMO_GEN_MAX_SUBJECTS) {
		snprintf(err, errlen, "collection %s: subjects must be an integer from 1 to %llu",
		         c->id, (unsigned long long)DEMO_GEN_MAX_SUBJECTS);
		return -1;
	}
	c->subjects = (uint64_t)json_integer_value(subjects);
	if (parse_years(spec->vocab, c, json_object_get(in, "years"), err, errlen) < 0)
		return -1;
	if (!json_is_object(studies)) {
		snprintf(err, errlen, "collection %s needs a studies object", c->id);
		return -1;
	}
	c->studies_per_subject = per == NULL ? 2.5 : json_number_value(per);
	if ((per != NULL && !json_is_number(per)) || !(c->studies_per_subject >= 1) ||
	    c->studies_per_subject > 20) {
		snprintf(err, errlen, "collection %s: studies.per_subject must be from 1 to 20",
		         c->id);
		return -1;
	}
	if (parse_mix(spec->modality, json_object_get(studies, "modalities"), &c->modalities, c->id,
	              "modalities", err, errlen) < 0 ||
	    parse_mix(spec->body_part, json_object_get(studies, "body_parts"), &c->body_parts,
	              c->id, "body_parts", err, errlen) < 0 ||
	    parse_mix(spec->manufacturer, json_object_get(studies, "manufacturers"),
	              &c->manufacturers, c->id, "manufacturers", err, errlen) < 0)
		return -1;
	return 0;
}

/* Per-site limits the stores and the count engine rely on. */
static int check_sites(struct demo_spec *spec, char *err, size_t errlen)
{
	for (size_t s = 0; s < spec->n_sites; s++) {
		uint64_t subjects = 0;
		size_t n = 0;

		for (size_t i = 0; i < spec->n_collections; i++) {
			if (spec->collections[i].site != s)
				continue;
			n++;
			subjects += spec->collections[i].subjects;
		}
		if (n > SITE_MAX_COLLECTIONS || subjects > DEMO_GEN_MAX_SUBJECTS) {
			snprintf(err, errlen,
			         "site %s: at most %d collections and %llu subjects per site",
			         spec->sites[s].id, SITE_MAX_COLLECTIONS,
			         (unsigned long long)DEMO_GEN_MAX_SUBJECTS);
			return -1;
		}
	}
	return 0;
}

struct demo_spec *demo_gen_parse(const struct vocab *v, json_t *doc, char *err, size_t errlen)
{
	struct demo_spec *spec = NULL;
	json_t *sites, *collections, *seed, *val;
	size_t i;

	if (v == NULL || !json_is_object(doc)) {
		snprintf(err, errlen, "the description must be a JSON object");
		return NULL;
	}
	spec = xcalloc(1, sizeof *spec);
	spec->vocab = v;
	spec->doc = json_deep_copy(doc);
	if (spec->doc == NULL) {
		snprintf(err, errlen, "cannot copy the description");
		goto fail;
	}
	if (resolve_vocab(spec, err, errlen) < 0)
		goto fail;
	seed = json_object_get(spec->doc, "seed");
	if (!json_is_integer(seed) || json_integer_value(seed) < 0) {
		snprintf(err, errlen, "the description needs an integer seed >= 0");
		goto fail;
	}
	spec->seed = (uint64_t)json_integer_value(seed);
	spec->updated = get_string(spec->doc, "updated");
	if (spec->updated == NULL)
		spec->updated = "2024-01-01";
	spec->version = get_string(spec->doc, "version");
	if (spec->version == NULL)
		spec->version = "1.0";
	sites = json_object_get(spec->doc, "sites");
	collections = json_object_get(spec->doc, "collections");
	if (!json_is_array(sites) || json_array_size(sites) == 0 || !json_is_array(collections) ||
	    json_array_size(collections) == 0) {
		snprintf(err, errlen,
		         "the description needs non-empty sites and collections lists");
		goto fail;
	}
	spec->n_sites = json_array_size(sites);
	spec->sites = xcalloc(spec->n_sites, sizeof *spec->sites);
	json_array_foreach (sites, i, val)
		if (parse_site(spec, i, val, err, errlen) < 0)
			goto fail;
	spec->n_collections = json_array_size(collections);
	spec->collections = xcalloc(spec->n_collections, sizeof *spec->collections);
	json_array_foreach (collections, i, val)
		if (parse_collection(spec, i, val, err, errlen) < 0)
			goto fail;
	if (check_sites(spec, err, errlen) < 0)
		goto fail;
	spec->previews = true;
	return spec;
fail:
	demo_gen_free(&spec);
	return NULL;
}

void demo_gen_free(struct demo_spec **specp)
{
	struct demo_spec *spec;

	if (specp == NULL || *specp == NULL)
		return;
	spec = *specp;
	free(spec->sites);
	free(spec->collections);
	json_decref(spec->doc);
	free(spec);
	*specp = NULL;
}

size_t demo_gen_n_sites(const struct demo_spec *spec)
{
	return spec->n_sites;
}

const char *demo_gen_site_id(const struct demo_spec *spec, size_t i)
{
	return i < spec->n_sites ? spec->sites[i].id : NULL;
}

uint64_t demo_gen_total_subjects(const struct demo_spec *spec)
{
	uint64_t n = 0;

	for (size_t i = 0; i < spec->n_collections; i++)
		n += spec->collections[i].subjects;
	return n;
}

/* ---- the benchmark site ------------------------------------------------ */

/* Built-in collections of the benchmark site, with their share of it (%). */
static const struct {
	const char *id, *name, *cancer;
	int share, year_from, year_to;
	const char *modalities, *body_parts, *manufacturers; /* JSON */
	const char *access;
} demo_bench[] = {
	{ "b-pros-01", "Benchmark prostate MR", "prostate", 15, 2008, 2023,
	  "{\"mr\": 82, \"ct\": 10, \"pet\": 8}", "{\"prostate\": 55, \"pelvis\": 45}",
	  "{\"siemens\": 45, \"ge\": 30, \"philips\": 25}", "RESTRICTED" },
	{ "b-pros-02", "Benchmark prostate staging", "prostate", 10, 2012, 2024,
	  "{\"mr\": 60, \"ct\": 25, \"pet\": 15}",
	  "{\"pelvis\": 60, \"prostate\": 30, \"abdomen\": 10}",
	  "{\"philips\": 50, \"siemens-ms\": 30, \"toshiba\": 20}", "NON_PUBLIC" },
	{ "b-brst-01", "Benchmark breast screening", "breast", 15, 2006, 2023,
	  "{\"mg\": 55, \"mr\": 30, \"us\": 15}", "{\"breast\": 1}",
	  "{\"ge\": 40, \"siemens\": 35, \"philips\": 25}", "RESTRICTED" },
	{ "b-brst-02", "Benchmark breast MR", "breast", 10, 2014, 2024,
	  "{\"mr\": 75, \"mg\": 20, \"us\": 5}", "{\"breast\": 1}",
	  "{\"siemens\": 60, \"philips\": 40}", "PUBLIC" },
	{ "b-lung-01", "Benchmark lung CT", "lung", 15, 2010, 2023, "{\"ct\": 80, \"pet\": 20}",
	  "{\"lung\": 1}", "{\"siemens\": 35, \"ge\": 35, \"toshiba\": 30}", "RESTRICTED" },
	{ "b-lung-02", "Benchmark lung PET-CT", "lung", 10, 2015, 2024, "{\"pet\": 55, \"ct\": 45}",
	  "{\"lung\": 85, \"abdomen\": 15}", "{\"ge\": 55, \"siemens\": 45}", "NON_PUBLIC" },
	{ "b-crc-01", "Benchmark colorectal CT", "colorectal", 15, 2009, 2023,
	  "{\"ct\": 70, \"mr\": 30}", "{\"abdomen\": 50, \"colon\": 30, \"pelvis\": 20}",
	  "{\"siemens\": 40, \"philips\": 35, \"ge\": 25}", "RESTRICTED" },
	{ "b-crc-02", "Benchmark rectal MR", "rectum", 10, 2013, 2024, "{\"mr\": 80, \"ct\": 20}",
	  "{\"pelvis\": 70, \"abdomen\": 30}", "{\"philips\": 50, \"siemens\": 50}", "PUBLIC" },
};

struct demo_spec *demo_gen_bench(const struct vocab *v, uint64_t n_subjects, uint64_t seed,
                                 double studies_per_subject, char *err, size_t errlen)
{
	const size_t n = sizeof demo_bench / sizeof demo_bench[0];
	json_t *doc, *collections = json_array();
	struct demo_spec *spec = NULL;
	uint64_t left = n_subjects;

	if (n_subjects < 1 || n_subjects > DEMO_GEN_MAX_SUBJECTS) {
		snprintf(err, errlen, "subjects must be from 1 to %llu",
		         (unsigned long long)DEMO_GEN_MAX_SUBJECTS);
		json_decref(collections);
		return NULL;
	}
	if (seed > (uint64_t)INT64_MAX) {
		snprintf(err, errlen, "the seed must be below 2^63");
		json_decref(collections);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t subjects =
		    i + 1 < n ? n_subjects * (uint64_t)demo_bench[i].share / 100 : left;
		json_t *c;

		left -= subjects;
		if (subjects == 0)
			continue;
		c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:[i,i], s:s, s:s, s:s, s:s,"
		              " s:{s:s, s:s}, s:{s:f, s:o, s:o, s:o}}",
		              "id", demo_bench[i].id, "name", demo_bench[i].name, "acronym",
		              demo_bench[i].id, "site", "bench", "cancer", demo_bench[i].cancer,
		              "subjects", (json_int_t)subjects, "years", demo_bench[i].year_from,
		              demo_bench[i].year_to, "access", demo_bench[i].access,
		              "intended_purpose", "Benchmarking ecii's count engine.",
		              "terms_of_use", "Synthetic data; no terms apply.", "description",
		              "Generated for benchmarks; it describes no real patient.", "contact",
		              "name", "ecii benchmark", "email", "bench@example.org", "studies",
		              "per_subject", studies_per_subject, "modalities",
		              json_loads(demo_bench[i].modalities, 0, NULL), "body_parts",
		              json_loads(demo_bench[i].body_parts, 0, NULL), "manufacturers",
		              json_loads(demo_bench[i].manufacturers, 0, NULL));
		if (c == NULL) {
			snprintf(err, errlen, "cannot build benchmark collection %s",
			         demo_bench[i].id);
			json_decref(collections);
			return NULL;
		}
		json_array_append_new(collections, c);
	}
	doc = json_pack("{s:I, s:s, s:[{s:s, s:s, s:s}], s:o}", "seed", (json_int_t)seed, "updated",
	                "2024-01-01", "sites", "id", "bench", "name", "Benchmark site (synthetic)",
	                "country", "EU", "collections", collections);
	if (doc == NULL) {
		snprintf(err, errlen, "cannot build the benchmark description");
		return NULL;
	}
	spec = demo_gen_parse(v, doc, err, errlen);
	json_decref(doc);
	/* Benchmarks measure counting: phantoms would only slow them. */
	if (spec != NULL)
		spec->previews = false;
	return spec;
}

/* ---- drawing ----------------------------------------------------------- */

static bool chance(struct rng *r, double p)
{
	return rng_uniform(r) < p;
}

/* An index into w[0..n) drawn by weight; never one of weight 0. */
static int pick(struct rng *r, const double *w, int n)
{
	double total = 0, u;
	int i, last = 0;

	for (i = 0; i < n; i++) {
		total += w[i];
		if (w[i] > 0)
			last = i;
	}
	u = rng_uniform(r) * total;
	for (i = 0; i < last; i++) {
		if (w[i] > 0 && u < w[i])
			return i;
		u -= w[i];
	}
	return last;
}

static int mix_pick(struct rng *r, const struct demo_mix *m)
{
	double u = rng_uniform(r);

	for (size_t i = 0; i + 1 < m->n; i++)
		if (u < m->cum[i])
			return m->value[i];
	return m->value[m->n - 1];
}

static int range_pick(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint64_t)(hi - lo + 1));
}

/* A whole number of years from N(mean, sd) kept within [lo, hi]. */
static double draw_age(struct rng *r, double mean, double sd, double lo, double hi)
{
	double x = floor(rng_normal(r, mean, sd) + 0.5);

	return x < lo ? lo : x > hi ? hi : x;
}

/* Log-normal with the given median, rounded to one decimal. */
static double draw_lognormal(struct rng *r, double median, double sigma, double lo, double hi)
{
	double x = exp(rng_normal(r, log(median), sigma));

	x = floor(x * 10 + 0.5) / 10;
	return x < lo ? lo : x > hi ? hi : x;
}

/* A stage one step away from the clinical one now and then (pathology
 * up- or down-stages), within [lo, hi]. */
static int restage(struct rng *r, int stage, int lo, int hi)
{
	double u = rng_uniform(r);

	if (u < 0.15 && stage > lo)
		return stage - 1;
	if (u > 0.80 && stage < hi)
		return stage + 1;
	return stage < lo ? lo : stage > hi ? hi : stage;
}

static void draw_common(struct rng *r, const struct demo_collection *c, struct demo_subject *s)
{
	for (int i = 0; i < CAT_COUNT; i++)
		s->cat[i] = -1;
	s->psa = s->ki67 = NAN;
	s->age = NAN;
	s->year = chance(r, 0.02) ? NAN : range_pick(r, c->year_from, c->year_to);
}

static void draw_prostate(struct rng *r, struct demo_subject *s)
{
	/* Gleason 6, 3+4, 4+3, 8, 9, 10 and their ISUP grade groups. */
	static const double gleason_w[] = { 30, 25, 15, 13, 14, 3 };
	static const int gleason_score[] = { 0, 1, 1, 2, 3, 4 }; /* ordinal: 6..10 */
	static const int isup_grade[] = { 0, 1, 2, 3, 4, 4 };    /* ordinal: 1..5 */
	static const double psa_factor[] = { 0.75, 0.95, 1.15, 1.45, 1.9 };
	static const double pirads_w[] = { 4, 8, 18, 38, 32 };
	static const double ct_w[] = { 0, 35, 40, 20, 5 };
	int g = -1, ct;
	double p_m1;

	s->cat[CAT_SEX] = SEX_MALE;
	s->cat[CAT_DIAGNOSIS] = DX_PROSTATE;
	s->age = chance(r, 0.01) ? NAN : draw_age(r, 66, 8, 40, 95);
	if (!chance(r, 0.06)) {
		g = pick(r, gleason_w, 6);
		s->cat[CAT_GLEASON] = gleason_score[g];
		s->cat[CAT_ISUP] = isup_grade[g];
	}
	if (!chance(r, 0.04))
		s->psa = draw_lognormal(r, 6.5 * (g >= 0 ? psa_factor[isup_grade[g]] : 1), 0.75,
		                        0.1, 5000);
	if (!chance(r, 0.15))
		s->cat[CAT_PIRADS] = pick(r, pirads_w, 5);
	ct = pick(r, ct_w, 5);
	if (!chance(r, 0.05))
		s->cat[CAT_CT] = ct;
	if (!chance(r, 0.10))
		s->cat[CAT_CN] = chance(r, 0.12) ? 1 : 0;
	p_m1 = 0.02 + (g >= 0 && isup_grade[g] >= 3 ? 0.08 : 0) + (s->psa > 20 ? 0.10 : 0);
	if (!chance(r, 0.08))
		s->cat[CAT_CM] = chance(r, p_m1) ? 1 : 0;
	/* Prostatectomy: pathological stage for the localised ones. */
	if (s->cat[CAT_CM] != 1 && chance(r, 0.45)) {
		s->cat[CAT_PT] = restage(r, ct < 2 ? 2 : ct, 2, 4);
		if (!chance(r, 0.30))
			s->cat[CAT_PN] = chance(r, 0.15) ? 1 : 0;
	}
	if (chance(r, 0.05))
		s->cat[CAT_PM] = s->cat[CAT_CM] == 1 ? 1 : 0;
}

static void draw_breast(struct rng *r, struct demo_subject *s)
{
	static const double her2_w[] = { 30, 35, 20, 15 };
	static const double birads_w[] = { 2, 1, 2, 4, 32, 34, 25 };
	static const double ct_w[] = { 0.5, 42, 40, 10, 8 };
	static const double cn_w[] = { 58, 28, 9, 5 };
	static const double pn_w[] = { 60, 27, 8, 5 };
	int ct;

	s->cat[CAT_SEX] = chance(r, 0.01) ? SEX_MALE : SEX_FEMALE;
	s->cat[CAT_DIAGNOSIS] = DX_BREAST;
	s->age = chance(r, 0.01) ? NAN : draw_age(r, 58, 12, 22, 95);
	/* ER+ ~75%; PR follows ER (82% of ER+, 14% of ER-: ~65% overall). */
	if (!chance(r, 0.04)) {
		s->cat[CAT_ER] = chance(r, 0.75) ? MARKER_POSITIVE : MARKER_NEGATIVE;
		if (!chance(r, 0.02))
			s->cat[CAT_PR] = chance(r, s->cat[CAT_ER] == MARKER_POSITIVE ? 0.82 : 0.14)
			                     ? MARKER_POSITIVE
			                     : MARKER_NEGATIVE;
	}
	if (!chance(r, 0.06))
		s->cat[CAT_HER2] = pick(r, her2_w, 4);
	if (!chance(r, 0.10)) {
		double median = s->cat[CAT_ER] == MARKER_NEGATIVE ? 35 : 16;
		double x = floor(exp(rng_normal(r, log(median), 0.6)) + 0.5);

		s->ki67 = x < 1 ? 1 : x > 90 ? 90 : x;
	}
	if (!chance(r, 0.12))
		s->cat[CAT_BIRADS] = pick(r, birads_w, 7);
	ct = pick(r, ct_w, 5);
	if (!chance(r, 0.04))
		s->cat[CAT_CT] = ct;
	if (!chance(r, 0.06))
		s->cat[CAT_CN] = pick(r, cn_w, 4);
	if (!chance(r, 0.08))
		s->cat[CAT_CM] = chance(r, 0.06) ? 1 : 0;
	if (s->cat[CAT_CM] != 1 && chance(r, 0.70)) {
		s->cat[CAT_PT] = restage(r, ct, 0, 4);
		if (!chance(r, 0.05))
			s->cat[CAT_PN] = pick(r, pn_w, 4);
	}
	if (chance(r, 0.05))
		s->cat[CAT_PM] = s->cat[CAT_CM] == 1 ? 1 : 0;
}

/* Lung and colorectal share the shape: sex, age, TNM, surgery for some. */
struct demo_tnm {
	double male, age_mean, age_sd;
	double ct_w[5], cn_w[4], pn_w[4];
	double m1, operated;
};

static const struct demo_tnm demo_lung = {
	0.55, 68, 9, { 0, 25, 30, 20, 25 }, { 40, 12, 33, 15 }, { 65, 25, 10, 0 }, 0.40, 0.25,
};
static const struct demo_tnm demo_colorectal = {
	0.55, 67, 11, { 0, 10, 18, 52, 20 }, { 45, 35, 20, 0 }, { 55, 28, 17, 0 }, 0.22, 0.70,
};

static void draw_tnm(struct rng *r, const struct demo_tnm *t, int diagnosis, struct demo_subject *s)
{
	int ct, cn;

	s->cat[CAT_SEX] = chance(r, t->male) ? SEX_MALE : SEX_FEMALE;
	s->cat[CAT_DIAGNOSIS] = diagnosis;
	s->age = chance(r, 0.01) ? NAN : draw_age(r, t->age_mean, t->age_sd, 25, 98);
	ct = pick(r, t->ct_w, 5);
	cn = pick(r, t->cn_w, 4);
	if (!chance(r, 0.05))
		s->cat[CAT_CT] = ct;
	if (!chance(r, 0.05))
		s->cat[CAT_CN] = cn;
	if (!chance(r, 0.05))
		s->cat[CAT_CM] = chance(r, t->m1) ? 1 : 0;
	if (s->cat[CAT_CM] != 1 && chance(r, t->operated)) {
		s->cat[CAT_PT] = restage(r, ct, 1, 4);
		if (!chance(r, 0.05))
			s->cat[CAT_PN] = pick(r, t->pn_w, 4);
	}
	if (chance(r, 0.05))
		s->cat[CAT_PM] = s->cat[CAT_CM] == 1 ? 1 : 0;
}

static void draw_subject(struct rng *r, const struct demo_collection *c, struct demo_subject *s)
{
	draw_common(r, c, s);
	switch (c->cancer) {
	case CANCER_PROSTATE:
		draw_prostate(r, s);
		break;
	case CANCER_BREAST:
		draw_breast(r, s);
		break;
	case CANCER_LUNG:
		draw_tnm(r, &demo_lung, DX_LUNG, s);
		break;
	case CANCER_COLORECTAL:
		draw_tnm(r, &demo_colorectal, chance(r, 0.65) ? DX_COLON : DX_RECTUM, s);
		break;
	case CANCER_COLON:
		draw_tnm(r, &demo_colorectal, DX_COLON, s);
		break;
	case CANCER_RECTUM:
		draw_tnm(r, &demo_colorectal, DX_RECTUM, s);
		break;
	}
}

/* 1 + Binomial(trials, p) with mean m: 1..5 around 2.5 for m = 2.5. */
static int draw_study_count(struct rng *r, double m)
{
	int trials = (int)ceil(2 * (m - 1));
	int n = 1;
	double p;

	if (trials < 4)
		trials = 4;
	p = (m - 1) / trials;
	for (int i = 0; i < trials; i++)
		n += chance(r, p);
	return n;
}

/* ---- writing ----------------------------------------------------------- */

static const char *cat_code(const struct demo_spec *spec, const struct demo_subject *s, int col)
{
	if (s->cat[col] < 0)
		return NULL;
	return spec->cat_field[col]->values[spec->cat_value[col][s->cat[col]]].code;
}

static uint64_t collection_seed(const struct demo_spec *spec, const struct demo_collection *c)
{
	uint8_t d[HASH_SHA256_LEN];
	uint64_t seed = 0;
	char *text;

	text = xasprintf("ecii demo collection:%llu:%s", (unsigned long long)spec->seed, c->id);
	hash_sha256(text, strlen(text), d);
	free(text);
	for (int i = 0; i < 8; i++)
		seed = seed << 8 | d[i];
	return seed;
}

static void progress_tick(struct demo_progress *pg, uint64_t n)
{
	pg->done += n;
	if (pg->fn != NULL)
		pg->fn(pg->done, pg->total, pg->arg);
}

struct demo_ids {
	int64_t subject, study;
};

static int write_collection_rows(const struct demo_spec *spec, const struct demo_collection *c,
                                 struct site_store *store, struct demo_ids *ids,
                                 struct demo_stats *st, struct demo_progress *pg, char *err,
                                 size_t errlen)
{
	struct site_subject_row row;
	struct site_study_row study;
	struct demo_subject s;
	struct rng rng;
	uint64_t pending = 0;

	memset(st, 0, sizeof *st);
	st->age_lo = INT32_MAX;
	st->age_hi = INT32_MIN;
	st->year_lo = INT32_MAX;
	st->year_hi = INT32_MIN;
	rng_seed(&rng, collection_seed(spec, c));
	for (uint64_t i = 0; i < c->subjects; i++) {
		int n_studies, dx_year;

		draw_subject(&rng, c, &s);
		row = (struct site_subject_row){
			.id = ++ids->subject,
			.collection_id = c->id,
			.sex = cat_code(spec, &s, CAT_SEX),
			.diagnosis = cat_code(spec, &s, CAT_DIAGNOSIS),
			.er = cat_code(spec, &s, CAT_ER),
			.pr = cat_code(spec, &s, CAT_PR),
			.her2 = cat_code(spec, &s, CAT_HER2),
			.gleason = cat_code(spec, &s, CAT_GLEASON),
			.isup = cat_code(spec, &s, CAT_ISUP),
			.ct = cat_code(spec, &s, CAT_CT),
			.pt = cat_code(spec, &s, CAT_PT),
			.cn = cat_code(spec, &s, CAT_CN),
			.pn = cat_code(spec, &s, CAT_PN),
			.cm = cat_code(spec, &s, CAT_CM),
			.pm = cat_code(spec, &s, CAT_PM),
			.birads = cat_code(spec, &s, CAT_BIRADS),
			.pirads = cat_code(spec, &s, CAT_PIRADS),
			.age_at_diagnosis = s.age,
			.year_of_diagnosis = s.year,
			.ki67 = s.ki67,
			.psa = s.psa,
		};
		if (site_store_write_subject(store, &row, err, errlen) < 0)
			return -1;
		st->subjects++;
		if (s.cat[CAT_SEX] >= 0)
			st->sex |= 1ULL << spec->cat_value[CAT_SEX][s.cat[CAT_SEX]];
		st->diagnosis |= 1ULL << spec->cat_value[CAT_DIAGNOSIS][s.cat[CAT_DIAGNOSIS]];
		if (!isnan(s.age)) {
			if (s.age < st->age_lo)
				st->age_lo = (int)s.age;
			if (s.age > st->age_hi)
				st->age_hi = (int)s.age;
		}
		dx_year = isnan(s.year) ? -1 : (int)s.year;
		n_studies = draw_study_count(&rng, c->studies_per_subject);
		for (int k = 0; k < n_studies; k++) {
			int modality = mix_pick(&rng, &c->modalities);
			int body_part = mix_pick(&rng, &c->body_parts);
			int maker = mix_pick(&rng, &c->manufacturers);
			const struct demo_shape *shape = &spec->shape[modality];
			int images = 0, year;
			int series = range_pick(&rng, shape->series_lo, shape->series_hi);

			for (int j = 0; j < series; j++)
				images += range_pick(&rng, shape->images_lo, shape->images_hi);
			/* Imaging follows diagnosis by up to two years. */
			if (dx_year < 0)
				year = range_pick(&rng, c->year_from, c->year_to);
			else
				year = dx_year + (int)rng_below(&rng, 3);
			if (year > c->year_to)
				year = c->year_to;
			study = (struct site_study_row){
				.id = ++ids->study,
				.subject_id = row.id,
				.modality = spec->modality->values[modality].code,
				.body_part = spec->body_part->values[body_part].code,
				.manufacturer = spec->manufacturer->values[maker].code,
				.study_year = year,
				.series_count = series,
				.image_count = images,
			};
			if (site_store_write_study(store, &study, err, errlen) < 0)
				return -1;
			st->studies++;
			st->series += (uint64_t)series;
			st->modality |= 1ULL << modality;
			st->body_part |= 1ULL << body_part;
			st->manufacturer |= 1ULL << maker;
			if (year < st->year_lo)
				st->year_lo = year;
			if (year > st->year_hi)
				st->year_hi = year;
		}
		if (++pending == DEMO_PROGRESS_EVERY) {
			progress_tick(pg, pending);
			pending = 0;
		}
	}
	if (pending > 0)
		progress_tick(pg, pending);
	return 0;
}

/* The labels of the values whose bits are set, in vocabulary order. */
static json_t *labels(const struct vocab_field *f, uint64_t mask)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->n_values && i < 64; i++)
		if (mask & (1ULL << i))
			json_array_append_new(a, json_string(f->values[i].label));
	return a;
}

/* The collection's §5 catalogue item, from what was written. */
static json_t *make_item(const struct demo_spec *spec, const struct demo_collection *c,
                         const struct demo_stats *st)
{
	const struct demo_site *site = &spec->sites[c->site];
	json_t *item = json_object(), *provider, *contact;
	char *description, *years;

	if (strncmp(c->description, DEMO_DESCRIPTION_PREFIX, strlen(DEMO_DESCRIPTION_PREFIX)) == 0)
		description = xstrdup(c->description);
	else
		description = xasprintf("%s %s", DEMO_DESCRIPTION_PREFIX, c->description);
	years = xasprintf("%d-%d", st->year_lo, st->year_hi);
	provider = json_pack("{s:s, s:s, s:s}", "id", site->id, "name", site->name, "country",
	                     site->country);
	contact = json_pack("{s:s, s:s}", "name", c->contact_name, "email", c->contact_email);
	json_object_set_new(item, "id", json_string(c->id));
	json_object_set_new(item, "name", json_string(c->name));
	json_object_set_new(item, "acronym", json_string(c->acronym));
	json_object_set_new(item, "description", json_string(description));
	json_object_set_new(item, "provider", provider);
	json_object_set_new(item, "number_of_subjects", json_integer((json_int_t)st->subjects));
	json_object_set_new(item, "number_of_studies", json_integer((json_int_t)st->studies));
	json_object_set_new(item, "number_of_series", json_integer((json_int_t)st->series));
	json_object_set_new(item, "condition",
	                    labels(spec->cat_field[CAT_DIAGNOSIS], st->diagnosis));
	json_object_set_new(item, "body_part_examined", labels(spec->body_part, st->body_part));
	json_object_set_new(item, "imaging_modality", labels(spec->modality, st->modality));
	json_object_set_new(item, "vendor", labels(spec->manufacturer, st->manufacturer));
	json_object_set_new(item, "sex", labels(spec->cat_field[CAT_SEX], st->sex));
	json_object_set_new(item, "age_low",
	                    st->age_lo <= st->age_hi ? json_integer(st->age_lo) : json_null());
	json_object_set_new(item, "age_high",
	                    st->age_lo <= st->age_hi ? json_integer(st->age_hi) : json_null());
	json_object_set_new(item, "image_year_range", json_string(years));
	json_object_set_new(item, "image_access_type", json_string(c->access));
	json_object_set_new(item, "intended_purpose", json_string(c->purpose));
	json_object_set_new(item, "terms_of_use", json_string(c->terms));
	json_object_set_new(item, "contact", contact);
	json_object_set_new(item, "version", json_string(spec->version));
	json_object_set_new(item, "previews", json_array());
	json_object_set_new(item, "updated", json_string(spec->updated));
	json_object_set_new(item, "synthetic", json_true());
	free(description);
	free(years);
	return item;
}

/* ---- previews ------------------------------------------------------------ */

#define DEMO_PREVIEW_SLICES  4    /* frames of a multi-frame preview */
#define DEMO_PREVIEW_MIN_MIX 0.12 /* a second modality needs this share of studies */
#define DEMO_PREVIEW_MAX     2

/* The mix entry with the largest weight (the first of equals), as an index
 * into m->value. */
static size_t mix_top(const struct demo_mix *m)
{
	size_t best = 0;

	for (size_t i = 1; i < m->n; i++)
		if (m->cum[i] - m->cum[i - 1] > m->cum[best] - (best > 0 ? m->cum[best - 1] : 0))
			best = i;
	return best;
}

/* "YYYYMMDD" from the items' "YYYY-MM-DD" date, or a fixed date when that
 * is not one. */
static void study_date(const char *updated, char out[9])
{
	size_t n = 0;

	for (const char *p = updated; *p != '\0' && n < 9; p++)
		if (*p >= '0' && *p <= '9')
			out[n++] = *p;
		else if (*p != '-')
			n = 9;
	if (n != 8)
		memcpy(out, "20240101", 8);
	out[8] = '\0';
}

/* One title for a preview: what it shows, and that it is synthetic. */
static char *preview_title(enum phantom_kind kind, enum phantom_region region, unsigned frames)
{
	static const char *const region_names[] = {
		[PHANTOM_THORAX] = "thorax",
		[PHANTOM_ABDOMEN] = "abdomen",
		[PHANTOM_PELVIS] = "pelvis",
		[PHANTOM_BREAST] = "breast",
	};

	if (kind == PHANTOM_MG)
		return xstrdup("Mammogram phantom, left MLO view (synthetic)");
	return xasprintf("%s phantom, %s, axial%s, %u slice%s (synthetic)", phantom_kind_name(kind),
	                 region_names[region], kind == PHANTOM_MR ? " T2" : "", frames,
	                 frames == 1 ? "" : "s");
}

/* Writes the collection's previews (1 or 2: its main imaging modalities
 * that have a phantom, by share of studies, among those it holds) and lists
 * them in item's "previews". The first is DEMO_PREVIEW_SLICES slices when
 * slices is set and it is CT or MR; *used_slices says so. */
static int write_previews(const struct demo_spec *spec, const struct demo_collection *c,
                          const struct demo_stats *st, bool slices, bool *used_slices,
                          struct site_store *store, json_t *item, char *err, size_t errlen)
{
	const struct demo_mix *m = &c->modalities;
	json_t *list = json_object_get(item, "previews");
	enum phantom_region region;
	bool done[VOCAB_MAX_VALUES] = { false };
	char date[9];
	int n = 0;

	*used_slices = false;
	region = phantom_region_from_alias(
	    spec->body_part->values[c->body_parts.value[mix_top(&c->body_parts)]].alias);
	study_date(spec->updated, date);
	for (size_t tries = 0; tries < m->n && n < DEMO_PREVIEW_MAX; tries++) {
		struct phantom_request req;
		struct buf dcm = BUF_INIT;
		enum phantom_kind kind;
		size_t best = SIZE_MAX;
		double w = 0;
		const char *alias;
		char *id, *title, *patient;
		int rc;

		/* The heaviest modality not yet tried. */
		for (size_t i = 0; i < m->n; i++) {
			double wi = m->cum[i] - (i > 0 ? m->cum[i - 1] : 0);

			if (!done[i] && (best == SIZE_MAX || wi > w)) {
				best = i;
				w = wi;
			}
		}
		done[best] = true;
		alias = spec->modality->values[m->value[best]].alias;
		if (!(st->modality & (1ULL << m->value[best])) ||
		    phantom_kind_from_alias(alias, &kind) < 0 ||
		    (n > 0 && w < DEMO_PREVIEW_MIN_MIX))
			continue;
		n++;
		memset(&req, 0, sizeof req);
		req.kind = kind;
		req.region = region;
		req.frames = 1;
		if (n == 1 && slices && (kind == PHANTOM_CT || kind == PHANTOM_MR)) {
			req.frames = DEMO_PREVIEW_SLICES;
			*used_slices = true;
		}
		req.seed = collection_seed(spec, c) + (uint64_t)n;
		id = xasprintf("%s-%d", c->id, n);
		title = preview_title(kind, region, req.frames);
		patient = xasprintf("PHANTOM-%.48s", c->id);
		req.study_key = c->id;
		req.image_key = id;
		req.patient_id = patient;
		req.study_date = date;
		req.series_description = title;
		rc = phantom_dicom(&req, &dcm, err, errlen);
		if (rc == 0)
			rc = site_store_write_preview(store, id, c->id, title, "application/dicom",
			                              dcm.data, dcm.len, err, errlen);
		if (rc == 0)
			json_array_append_new(list,
			                      json_pack("{s:s, s:s, s:s}", "id", id, "title", title,
			                                "media_type", "application/dicom"));
		buf_free(&dcm);
		free(patient);
		free(title);
		free(id);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void site_secret(const struct demo_spec *spec, const struct demo_site *site,
                        uint8_t out[HASH_SHA256_LEN])
{
	char *text =
	    xasprintf("ecii demo secret:%s:%llu", site->id, (unsigned long long)spec->seed);

	hash_sha256(text, strlen(text), out);
	free(text);
}

static int write_site(const struct demo_spec *spec, size_t si, const char *path, json_t *items,
                      struct demo_progress *pg, char *err, size_t errlen)
{
	const struct demo_site *site = &spec->sites[si];
	struct site_store *store;
	struct site_info info = { 0 };
	struct demo_ids ids = { 0, 0 };
	struct demo_stats st;
	bool slices = true, used;
	json_t *item;
	int rc = -1;

	/* Fails if path exists: then it is not ours to remove. */
	store = site_store_open(path, true, err, errlen);
	if (store == NULL)
		return -1;
	if (site_store_begin(store, err, errlen) < 0)
		goto out;
	info.id = xstrdup(site->id);
	info.name = xstrdup(site->name);
	info.country = xstrdup(site->country);
	site_secret(spec, site, info.secret);
	info.threshold = 10;
	info.rounding = 10;
	info.epsilon = 0.28;
	info.synthetic = true;
	if (site_store_write_info(store, &info, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < spec->n_collections; i++) {
		const struct demo_collection *c = &spec->collections[i];

		if (c->site != si)
			continue;
		if (write_collection_rows(spec, c, store, &ids, &st, pg, err, errlen) < 0)
			goto out;
		item = make_item(spec, c, &st);
		/* One multi-frame preview per site keeps the demo small. */
		if (spec->previews) {
			if (write_previews(spec, c, &st, slices, &used, store, item, err, errlen) <
			    0) {
				json_decref(item);
				goto out;
			}
			slices = slices && !used;
		}
		if (site_store_write_collection(store, item, err, errlen) < 0) {
			json_decref(item);
			goto out;
		}
		if (items != NULL)
			json_array_append(items, item);
		json_decref(item);
	}
	if (site_store_commit(store, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	site_info_clear(&info);
	site_store_close(&store);
	if (rc < 0)
		unlink(path);
	return rc;
}

int demo_gen_site(const struct demo_spec *spec, size_t i, const char *path, json_t *items,
                  demo_progress_fn progress, void *arg, char *err, size_t errlen)
{
	struct demo_progress pg = { progress, arg, 0, 0 };

	if (i >= spec->n_sites) {
		snprintf(err, errlen, "no site %zu in the description", i);
		return -1;
	}
	for (size_t k = 0; k < spec->n_collections; k++)
		if (spec->collections[k].site == i)
			pg.total += spec->collections[k].subjects;
	return write_site(spec, i, path, items, &pg, err, errlen);
}

static int write_catalogue(const char *path, json_t *items, char *err, size_t errlen)
{
	struct catalogue_store *cat = NULL;
	char etag[2 * HASH_SHA256_LEN + 3];
	char *text = NULL;
	json_t *item;
	size_t i;
	int rc = -1;

	cat = catalogue_store_open(path, true, err, errlen);
	if (cat == NULL)
		return -1;
	if (catalogue_store_begin(cat, err, errlen) < 0)
		goto out;
	json_array_foreach (items, i, item) {
		const char *site =
		    json_string_value(json_object_get(json_object_get(item, "provider"), "id"));

		if (catalogue_store_put(cat, site, item, err, errlen) < 0)
			goto out;
	}
	/* The ETag a hub would serve this list under: its digest. */
	text = json_dumps(items, JSON_COMPACT);
	if (text == NULL) {
		snprintf(err, errlen, "cannot encode the catalogue");
		goto out;
	}
	etag[0] = '"';
	hash_sha256_hex(text, strlen(text), etag + 1);
	etag[2 * HASH_SHA256_LEN + 1] = '"';
	etag[2 * HASH_SHA256_LEN + 2] = '\0';
	if (catalogue_store_set_meta(cat, "source", "demo", err, errlen) < 0 ||
	    catalogue_store_set_meta(cat, "synthetic", "1", err, errlen) < 0 ||
	    catalogue_store_set_meta(cat, "etag", etag, err, errlen) < 0)
		goto out;
	if (catalogue_store_commit(cat, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	catalogue_store_close(&cat);
	return rc;
}

int demo_gen_federation(const struct demo_spec *spec, const char *dir, demo_progress_fn progress,
                        void *arg, char *err, size_t errlen)
{
	struct demo_progress pg = { progress, arg, 0, demo_gen_total_subjects(spec) };
	json_t *items = json_array();
	char **paths = xcalloc(spec->n_sites + 1, sizeof *paths);
	size_t written = 0;
	struct stat sb;
	int rc = -1;

	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: %s", dir,
		         stat(dir, &sb) != 0 ? strerror(errno) : "not a directory");
		goto out;
	}
	for (size_t i = 0; i < spec->n_sites; i++)
		paths[i] = xasprintf("%s/site-%s.db", dir, spec->sites[i].id);
	paths[spec->n_sites] = xasprintf("%s/catalogue.db", dir);
	/* catalogue.db is opened to update; a stale one must not be merged. */
	if (access(paths[spec->n_sites], F_OK) == 0) {
		snprintf(err, errlen, "%s: already exists", paths[spec->n_sites]);
		goto out;
	}
	for (; written < spec->n_sites; written++)
		if (write_site(spec, written, paths[written], items, &pg, err, errlen) < 0)
			goto out;
	if (write_catalogue(paths[spec->n_sites], items, err, errlen) < 0) {
		unlink(paths[spec->n_sites]);
		goto out;
	}
	rc = 0;
out:
	/* Leave all or nothing: a half federation would look whole. */
	if (rc < 0)
		for (size_t i = 0; i < written; i++)
			unlink(paths[i]);
	for (size_t i = 0; i <= spec->n_sites; i++)
		free(paths[i]);
	free(paths);
	json_decref(items);
	return rc;
}
