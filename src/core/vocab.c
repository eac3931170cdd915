/* Reading the criteria vocabulary and looking names up in it. */
#include "config.h"

#include "core/vocab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"

static char *dup_member(json_t *obj, const char *name)
{
	const char *s = json_string_value(json_object_get(obj, name));

	return s != NULL ? xstrdup(s) : NULL;
}

static int read_values(struct vocab_field *f, json_t *values, char *err, size_t errlen)
{
	size_t i;
	json_t *val;

	if (!json_is_array(values) || json_array_size(values) == 0 ||
	    json_array_size(values) > VOCAB_MAX_VALUES) {
		snprintf(err, errlen, "criterion %s: values must be a list of 1 to %d entries",
		         f->key, VOCAB_MAX_VALUES);
		return -1;
	}
	f->n_values = json_array_size(values);
	f->values = xcalloc(f->n_values, sizeof *f->values);
	json_array_foreach (values, i, val) {
		struct vocab_value *vv = &f->values[i];

		vv->code = dup_member(val, "code");
		vv->label = dup_member(val, "label");
		vv->alias = dup_member(val, "alias");
		if (vv->code == NULL || vv->label == NULL || vv->alias == NULL) {
			snprintf(err, errlen, "criterion %s: value %zu needs code, label and alias",
			         f->key, i + 1);
			return -1;
		}
	}
	return 0;
}

static int read_bins(struct vocab_field *f, json_t *c, char *err, size_t errlen)
{
	json_t *bins = json_object_get(c, "bins"), *bin;
	json_t *width = json_object_get(c, "bin_width");
	size_t i;

	if (json_is_array(bins)) {
		if (json_array_size(bins) > 254) {
			snprintf(err, errlen, "criterion %s: at most 254 bins", f->key);
			return -1;
		}
		f->n_bins = json_array_size(bins);
		f->bins = xcalloc(f->n_bins, sizeof *f->bins);
		json_array_foreach (bins, i, bin) {
			f->bins[i].label = dup_member(bin, "label");
			f->bins[i].min = json_number_value(json_object_get(bin, "min"));
			f->bins[i].max = json_number_value(json_object_get(bin, "max"));
			if (f->bins[i].label == NULL || !(f->bins[i].min < f->bins[i].max)) {
				snprintf(err, errlen, "criterion %s: bad bin %zu", f->key, i + 1);
				return -1;
			}
		}
	} else if (json_is_number(width)) {
		double w = json_number_value(width);

		if (!(w >= 1) || (f->max - f->min + 1) / w > 254) {
			snprintf(err, errlen, "criterion %s: bad bin_width", f->key);
			return -1;
		}
		f->n_bins = (size_t)ceil((f->max - f->min + 1) / w);
		f->bins = xcalloc(f->n_bins, sizeof *f->bins);
		for (i = 0; i < f->n_bins; i++) {
			double lo = f->min + (double)i * w;

			f->bins[i].min = lo;
			f->bins[i].max = lo + w;
			f->bins[i].label =
			    w == 1 ? xasprintf("%g", lo) : xasprintf("%g-%g", lo, lo + w - 1);
		}
	}
	return 0;
}

static int read_field(struct vocab_field *f, json_t *c, char *err, size_t errlen)
{
	const char *type = json_string_value(json_object_get(c, "type"));
	const char *level = json_string_value(json_object_get(c, "level"));

	f->key = dup_member(c, "key");
	f->label = dup_member(c, "label");
	f->alias = dup_member(c, "alias");
	f->group = dup_member(c, "group");
	f->unit = dup_member(c, "unit");
	f->stratifier_key = dup_member(c, "stratifier");
	if (f->key == NULL || f->label == NULL || f->alias == NULL || f->group == NULL ||
	    type == NULL) {
		snprintf(err, errlen, "criterion %zu needs key, label, alias, group and type",
		         f->index + 1);
		return -1;
	}
	if (f->stratifier_key == NULL)
		f->stratifier_key = xstrdup(f->key);
	f->level = level != NULL && strcmp(level, "study") == 0 ? VOCAB_STUDY : VOCAB_SUBJECT;
	if (strcmp(type, "EQUALS") == 0) {
		f->type = VOCAB_CATEGORICAL;
		if (read_values(f, json_object_get(c, "values"), err, errlen) != 0)
			return -1;
		if (f->level == VOCAB_STUDY && f->n_values > VOCAB_MAX_STUDY_VALUES) {
			snprintf(err, errlen,
			         "criterion %s: a study-level criterion has at most %d values",
			         f->key, VOCAB_MAX_STUDY_VALUES);
			return -1;
		}
		return 0;
	}
	if (strcmp(type, "BETWEEN") == 0 && f->level == VOCAB_SUBJECT) {
		f->type = VOCAB_NUMERIC;
		f->min = json_number_value(json_object_get(c, "min"));
		f->max = json_number_value(json_object_get(c, "max"));
		if (!(f->min < f->max)) {
			snprintf(err, errlen, "criterion %s: min must be below max", f->key);
			return -1;
		}
		return read_bins(f, c, err, errlen);
	}
	snprintf(err, errlen, "criterion %s: type '%s' is not EQUALS or a subject-level BETWEEN",
	         f->key, type);
	return -1;
}

struct vocab *vocab_from_json(json_t *doc, char *err, size_t errlen)
{
	json_t *criteria = json_object_get(doc, "criteria");
	json_t *groups = json_object_get(doc, "groups");
	struct vocab *v;
	json_t *item;
	size_t i;

	if (!json_is_array(criteria) || json_array_size(criteria) == 0 ||
	    json_array_size(criteria) > VOCAB_MAX_FIELDS) {
		snprintf(err, errlen, "criteria must be a list of 1 to %d criteria",
		         VOCAB_MAX_FIELDS);
		return NULL;
	}
	v = xcalloc(1, sizeof *v);
	v->json = json_incref(doc);
	v->n_groups = json_array_size(groups);
	v->groups = xcalloc(v->n_groups, sizeof *v->groups);
	json_array_foreach (groups, i, item) {
		v->groups[i].id = dup_member(item, "id");
		v->groups[i].label = dup_member(item, "label");
		if (v->groups[i].id == NULL || v->groups[i].label == NULL) {
			snprintf(err, errlen, "group %zu needs id and label", i + 1);
			goto fail;
		}
	}
	v->n_fields = json_array_size(criteria);
	v->fields = xcalloc(v->n_fields, sizeof *v->fields);
	json_array_foreach (criteria, i, item) {
		v->fields[i].index = i;
		if (read_field(&v->fields[i], item, err, errlen) != 0)
			goto fail;
	}
	return v;
fail:
	vocab_free(&v);
	return NULL;
}

struct vocab *vocab_load(const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	struct vocab *v;

	if (doc == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	v = vocab_from_json(doc, err, errlen);
	json_decref(doc);
	return v;
}

void vocab_free(struct vocab **vp)
{
	struct vocab *v = *vp;

	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n_fields; i++) {
		struct vocab_field *f = &v->fields[i];

		for (size_t j = 0; j < f->n_values; j++) {
			free(f->values[j].code);
			free(f->values[j].label);
			free(f->values[j].alias);
		}
		for (size_t j = 0; j < f->n_bins; j++)
			free(f->bins[j].label);
		free(f->values);
		free(f->bins);
		free(f->key);
		free(f->label);
		free(f->alias);
		free(f->group);
		free(f->unit);
		free(f->stratifier_key);
	}
	for (size_t i = 0; i < v->n_groups; i++) {
		free(v->groups[i].id);
		free(v->groups[i].label);
	}
	free(v->groups);
	free(v->fields);
	json_decref(v->json);
	free(v);
	*vp = NULL;
}

const struct vocab_field *vocab_field_find(const struct vocab *v, const char *name)
{
	for (size_t i = 0; i < v->n_fields; i++) {
		const struct vocab_field *f = &v->fields[i];

		if (strcasecmp(name, f->alias) == 0 || strcasecmp(name, f->label) == 0 ||
		    strcmp(name, f->key) == 0)
			return f;
	}
	return NULL;
}

const struct vocab_field *vocab_field_by_key(const struct vocab *v, const char *key)
{
	for (size_t i = 0; i < v->n_fields; i++)
		if (strcmp(key, v->fields[i].key) == 0)
			return &v->fields[i];
	return NULL;
}

int vocab_value_find(const struct vocab_field *f, const char *name)
{
	for (size_t i = 0; i < f->n_values; i++) {
		const struct vocab_value *vv = &f->values[i];

		if (strcasecmp(name, vv->alias) == 0 || strcasecmp(name, vv->label) == 0 ||
		    strcmp(name, vv->code) == 0)
			return (int)i;
	}
	return -1;
}

int vocab_value_by_code(const struct vocab_field *f, const char *code)
{
	for (size_t i = 0; i < f->n_values; i++)
		if (strcmp(code, f->values[i].code) == 0)
			return (int)i;
	return -1;
}

int vocab_bin_find(const struct vocab_field *f, double x)
{
	for (size_t i = 0; i < f->n_bins; i++)
		if (x >= f->bins[i].min && x < f->bins[i].max)
			return (int)i;
	return -1;
}

/* Case-insensitive Levenshtein distance, capped at cap + 1. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64], i, j;

	if (la >= 64 || lb >= 64)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;

		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
			size_t m = diag + cost;

			if (up + 1 < m)
				m = up + 1;
			if (row[j - 1] + 1 < m)
				m = row[j - 1] + 1;
			row[j] = m;
			diag = up;
			if (m < best)
				best = m;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
}

const char *vocab_suggest(const struct vocab *v, const struct vocab_field *f, const char *name)
{
	size_t cap = strlen(name) <= 3 ? 1 : strlen(name) <= 6 ? 2 : 3;
	const char *best = NULL;
	size_t best_d = cap + 1, n = f != NULL ? f->n_values : v->n_fields;

	for (size_t i = 0; i < n; i++) {
		const char *cand = f != NULL ? f->values[i].alias : v->fields[i].alias;
		size_t d = edit_distance(name, cand, cap);

		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	return best;
}
