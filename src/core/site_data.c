/* Column storage for one site. */
#include "config.h"

#include "core/site_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static size_t field_rows(const struct site_data *d, const struct vocab_field *f)
{
	return f->level == VOCAB_STUDY ? d->n_studies : d->n_subjects;
}

struct site_data *site_data_new(const struct vocab *v, size_t n_subjects, size_t n_studies,
                                size_t n_collections)
{
	struct site_data *d = xcalloc(1, sizeof *d);

	d->vocab = v;
	d->n_subjects = n_subjects;
	d->n_studies = n_studies;
	d->n_collections = n_collections;
	d->collection_ids = xcalloc(n_collections, sizeof *d->collection_ids);
	d->subject_collection = xcalloc(n_subjects, sizeof *d->subject_collection);
	d->study_first = xcalloc(n_subjects + 1, sizeof *d->study_first);
	for (size_t i = 0; i < v->n_fields; i++) {
		const struct vocab_field *f = &v->fields[i];
		size_t rows = field_rows(d, f);

		if (f->type == VOCAB_CATEGORICAL) {
			d->cat[i] = xcalloc(rows, 1);
			continue;
		}
		d->num[i] = xreallocarray(NULL, rows, sizeof *d->num[i]);
		for (size_t r = 0; r < rows; r++)
			d->num[i][r] = NAN;
		d->bin[i] = xcalloc(rows, 1);
	}
	return d;
}

void site_data_free(struct site_data **dp)
{
	struct site_data *d = *dp;

	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n_collections; i++)
		free(d->collection_ids[i]);
	free(d->collection_ids);
	free(d->subject_collection);
	free(d->study_first);
	for (size_t i = 0; i < VOCAB_MAX_FIELDS; i++) {
		free(d->cat[i]);
		free(d->num[i]);
		free(d->bin[i]);
		free(d->study_set[i]);
	}
	for (size_t k = 0; k < d->n_keys; k++)
		free(d->keys[k].codes);
	free(d);
	*dp = NULL;
}

static void fill_study_set(struct site_data *d, size_t f)
{
	free(d->study_set[f]);
	d->study_set[f] = xreallocarray(NULL, d->n_subjects, sizeof *d->study_set[f]);
	for (size_t i = 0; i < d->n_subjects; i++) {
		uint16_t set = 0;

		for (uint32_t j = d->study_first[i]; j < d->study_first[i + 1]; j++)
			set |= (uint16_t)(1u << d->cat[f][j]);
		d->study_set[f][i] = set;
	}
}

static uint32_t strata_cells(const struct vocab_field *f)
{
	return (uint32_t)(f->type == VOCAB_CATEGORICAL ? f->n_values : f->n_bins) + 1;
}

/* Packs the subject-level stratifier columns, in vocabulary order, into keys
 * of at most SITE_KEY_CELLS cells. */
static void fill_keys(struct site_data *d)
{
	const struct vocab *v = d->vocab;
	struct site_key *key = NULL;

	for (size_t k = 0; k < d->n_keys; k++)
		free(d->keys[k].codes);
	d->n_keys = 0;
	for (size_t f = 0; f < v->n_fields; f++) {
		uint32_t radix = strata_cells(&v->fields[f]);

		if (v->fields[f].level != VOCAB_SUBJECT)
			continue;
		if (key == NULL || key->cells * radix > SITE_KEY_CELLS) {
			key = &d->keys[d->n_keys++];
			memset(key, 0, sizeof *key);
			key->cells = 1;
		}
		key->fields[key->n_fields] = f;
		key->radix[key->n_fields++] = radix;
		key->cells *= radix;
	}
	for (size_t k = 0; k < d->n_keys; k++) {
		key = &d->keys[k];
		key->codes = xcalloc(d->n_subjects, sizeof *key->codes);
		for (size_t j = key->n_fields; j-- > 0;) {
			const uint8_t *col = site_data_strata_column(d, key->fields[j]);

			for (size_t i = 0; i < d->n_subjects; i++)
				key->codes[i] = (uint16_t)(key->codes[i] * key->radix[j] + col[i]);
		}
	}
}

void site_data_prepare(struct site_data *d)
{
	for (size_t i = 0; i < d->vocab->n_fields; i++) {
		const struct vocab_field *f = &d->vocab->fields[i];
		size_t rows = field_rows(d, f);

		if (f->level == VOCAB_STUDY)
			fill_study_set(d, i);
		if (f->type != VOCAB_NUMERIC)
			continue;
		for (size_t r = 0; r < rows; r++) {
			int b = isnan(d->num[i][r]) ? -1 : vocab_bin_find(f, d->num[i][r]);

			d->bin[i][r] = (uint8_t)(b + 1);
		}
	}
	fill_keys(d);
}

const uint8_t *site_data_strata_column(const struct site_data *d, size_t f)
{
	return d->cat[f] != NULL ? d->cat[f] : d->bin[f];
}

size_t site_data_bytes(const struct site_data *d)
{
	size_t bytes = d->n_subjects * sizeof *d->subject_collection +
	               (d->n_subjects + 1) * sizeof *d->study_first;

	for (size_t i = 0; i < d->vocab->n_fields; i++) {
		size_t rows = field_rows(d, &d->vocab->fields[i]);

		if (d->cat[i] != NULL)
			bytes += rows;
		if (d->num[i] != NULL)
			bytes += rows * (sizeof *d->num[i] + 1);
		if (d->study_set[i] != NULL)
			bytes += d->n_subjects * sizeof *d->study_set[i];
	}
	return bytes + d->n_keys * d->n_subjects * sizeof *d->keys[0].codes;
}
