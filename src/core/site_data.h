/* One site's subjects and studies held in columns, the form the count
 * engine scans. Built by store/site_load.c; owned by whoever built it. */
#ifndef ECII_CORE_SITE_DATA_H
#define ECII_CORE_SITE_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/vocab.h"

#define SITE_MAX_COLLECTIONS 65535

#define SITE_KEY_CELLS 1024 /* cells of one packed key at most */

/* Stratifier codes of several fields packed into one number: the code of
 * fields[0] is the lowest digit, in base radix[0], and so on. */
struct site_key {
	size_t n_fields;
	size_t fields[VOCAB_MAX_FIELDS];
	uint32_t radix[VOCAB_MAX_FIELDS]; /* codes of the field, 0 included */
	uint32_t cells;                   /* product of the radices */
	uint16_t *codes;                  /* per subject */
};

struct site_data {
	const struct vocab *vocab; /* borrowed; field i describes column i */
	size_t n_subjects;
	size_t n_studies;
	size_t n_collections;
	char **collection_ids;        /* n_collections, owned */
	uint16_t *subject_collection; /* n_subjects: index into collection_ids */
	uint32_t *study_first;        /* n_subjects + 1: studies of subject i are
	                                 [study_first[i], study_first[i + 1]) */
	/* Per vocabulary field, one column over subjects or over studies
	 * (the field's level). Categorical: 0 = not recorded, k = value k - 1.
	 * Numeric: NAN = not recorded. Exactly one of the two is set. */
	uint8_t *cat[VOCAB_MAX_FIELDS];
	double *num[VOCAB_MAX_FIELDS];
	/* Numeric fields also keep their stratifier bin: 0 = not recorded or
	 * in no bin, k = bin k - 1 (site_data_prepare). */
	uint8_t *bin[VOCAB_MAX_FIELDS];
	/* Study-level fields also keep, per subject, the set of codes among all
	 * the subject's studies: bit k for code k (site_data_prepare). */
	uint16_t *study_set[VOCAB_MAX_FIELDS];
	/* The subject-level stratifier columns packed a few at a time into
	 * combined codes, so one histogram of a key counts several fields at
	 * once (site_data_prepare). */
	struct site_key keys[VOCAB_MAX_FIELDS];
	size_t n_keys;
};

/* Allocates columns for n_subjects subjects and n_studies studies (zeroed,
 * numeric columns NAN) and n_collections empty ids. Returns new. */
struct site_data *site_data_new(const struct vocab *v, size_t n_subjects, size_t n_studies,
                                size_t n_collections);
void site_data_free(struct site_data **d);
/* Derives the bin columns of numeric fields and the per-subject study code
 * sets from the loaded values; call once the columns are filled. */
void site_data_prepare(struct site_data *d);
/* The column that stratifies field f (cat or bin), borrowed. */
const uint8_t *site_data_strata_column(const struct site_data *d, size_t f);
/* Bytes held by the columns, for the benchmark's memory-per-subject line. */
size_t site_data_bytes(const struct site_data *d);

#endif
