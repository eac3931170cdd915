/* Building and reading site payloads. */
#include "config.h"

#include "core/payload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

static json_t *find_item(json_t *items, const char *id)
{
	size_t i;
	json_t *item;

	json_array_foreach (items, i, item) {
		const char *item_id = json_string_value(json_object_get(item, "id"));

		if (item_id != NULL && strcmp(item_id, id) == 0)
			return item;
	}
	return NULL;
}

static uint64_t protect(const struct payload_site *site, const char *stratum, uint64_t n,
                        bool *suppressed)
{
	if (site->exact) {
		if (suppressed != NULL)
			*suppressed = false;
		return n;
	}
	return privacy_count(site->rule, site->secret, stratum, n, suppressed);
}

static void copy_member(json_t *to, const char *to_name, json_t *from, const char *from_name)
{
	json_t *val = json_object_get(from, from_name);

	if (val != NULL)
		json_object_set(to, to_name, val);
}

static json_t *build_collection(const struct payload_site *site, json_t *item, const char *id,
                                const struct count_collection *cc)
{
	json_t *out = json_object();
	char stratum[512];
	bool suppressed, studies_suppressed;
	uint64_t subjects, studies;
	json_t *low, *high;

	snprintf(stratum, sizeof stratum, "collection:%s:subjects", id);
	subjects = protect(site, stratum, cc->subjects, &suppressed);
	snprintf(stratum, sizeof stratum, "collection:%s:studies", id);
	studies = protect(site, stratum, cc->studies, &studies_suppressed);
	json_object_set_new(out, "id", json_string(id));
	copy_member(out, "name", item, "name");
	json_object_set_new(out, "studies_count", json_integer((json_int_t)studies));
	json_object_set_new(out, "subjects_count", json_integer((json_int_t)subjects));
	low = json_object_get(item, "age_low");
	high = json_object_get(item, "age_high");
	if (json_is_number(low) && json_is_number(high))
		json_object_set_new(out, "age_range",
		                    json_pack("{s:O, s:O}", "min", low, "max", high));
	copy_member(out, "gender", item, "sex");
	copy_member(out, "modality", item, "imaging_modality");
	copy_member(out, "body_parts", item, "body_part_examined");
	copy_member(out, "description", item, "description");
	if (suppressed)
		json_object_set_new(out, "suppressed", json_true());
	return out;
}

static json_t *build_strata(const struct vocab *v, const struct payload_site *site,
                            const struct count_result *r)
{
	json_t *all = json_object();

	for (size_t f = 0; f < v->n_fields; f++) {
		const struct vocab_field *field = &v->fields[f];
		size_t cells = field->type == VOCAB_CATEGORICAL ? field->n_values : field->n_bins;
		json_t *cellmap = json_object();

		for (size_t k = 0; k < cells; k++) {
			const char *code = field->type == VOCAB_CATEGORICAL ? field->values[k].code
			                                                    : field->bins[k].label;
			char stratum[512];
			uint64_t n;

			if (r->strata[f][k] == 0)
				continue;
			snprintf(stratum, sizeof stratum, "stratum:%s:%s", field->stratifier_key,
			         code);
			n = protect(site, stratum, r->strata[f][k], NULL);
			json_object_set_new(cellmap, code, json_integer((json_int_t)n));
		}
		json_object_set_new(all, field->stratifier_key, cellmap);
	}
	return all;
}

json_t *payload_build(const struct vocab *v, const struct payload_site *site, json_t *items,
                      char *const *ids, const struct count_result *r, double elapsed_ms)
{
	json_t *payload = json_object(), *collections = json_array();
	json_t *privacy;

	json_object_set_new(payload, "provider", json_string(site->name));
	json_object_set_new(payload, "provider_icon", json_string(""));
	for (size_t c = 0; c < r->n_collections; c++) {
		json_t *item = find_item(items, ids[c]);

		if (r->collections[c].subjects == 0)
			continue;
		json_array_append_new(collections,
		                      build_collection(site, item, ids[c], &r->collections[c]));
	}
	json_object_set_new(payload, "collections", collections);
	json_object_set_new(payload, "stratifiers", build_strata(v, site, r));
	if (site->exact) {
		privacy = json_pack("{s:i, s:i, s:s, s:b}", "threshold", 0, "rounding", 1, "noise",
		                    "none", "exact", 1);
	} else {
		privacy = privacy_rule_to_json(site->rule);
	}
	json_object_set_new(payload, "privacy", privacy);
	if (r->n_unsupported > 0) {
		json_t *keys = json_array();

		for (size_t i = 0; i < r->n_unsupported; i++)
			json_array_append_new(keys, json_string(r->unsupported[i]));
		json_object_set_new(payload, "unsupported", keys);
	}
	json_object_set_new(payload, "elapsed_ms", json_real(round(elapsed_ms * 1000) / 1000));
	return payload;
}

/* A count from outside: a non-negative integer, or a real with no fraction. */
static int read_count(json_t *val, uint64_t *out)
{
	double d;

	if (json_is_integer(val) && json_integer_value(val) >= 0) {
		*out = (uint64_t)json_integer_value(val);
		return 0;
	}
	if (!json_is_real(val))
		return -1;
	d = json_real_value(val);
	if (!(d >= 0 && d < 9.0e15) || d != floor(d))
		return -1;
	*out = (uint64_t)d;
	return 0;
}

static int read_collection(json_t *c, size_t i, struct answer_collection *ac, char *err,
                           size_t errlen)
{
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *name = json_string_value(json_object_get(c, "name"));
	json_t *studies = json_object_get(c, "studies_count");

	if (!json_is_object(c) || id == NULL) {
		snprintf(err, errlen, "collections[%zu]: not an object with an \"id\"", i);
		return -1;
	}
	ac->id = xstrdup(id);
	ac->name = xstrdup(name != NULL ? name : id);
	if (read_count(json_object_get(c, "subjects_count"), &ac->subjects) != 0) {
		snprintf(err, errlen, "collections[%zu]: subjects_count is not a count", i);
		return -1;
	}
	if (studies != NULL && read_count(studies, &ac->studies) != 0) {
		snprintf(err, errlen, "collections[%zu]: studies_count is not a count", i);
		return -1;
	}
	ac->suppressed = json_is_true(json_object_get(c, "suppressed"));
	return 0;
}

static int read_strata(json_t *strata, struct site_answer *a, char *err, size_t errlen)
{
	const char *key, *code;
	json_t *cells, *val;

	if (strata == NULL)
		return 0;
	if (!json_is_object(strata)) {
		snprintf(err, errlen, "stratifiers: not an object");
		return -1;
	}
	a->strata = xcalloc(json_object_size(strata), sizeof *a->strata);
	json_object_foreach (strata, key, cells) {
		struct answer_stratum *st = &a->strata[a->n_strata++];

		st->key = xstrdup(key);
		if (!json_is_object(cells)) {
			snprintf(err, errlen, "stratifiers.%s: not an object", key);
			return -1;
		}
		st->codes = xcalloc(json_object_size(cells), sizeof *st->codes);
		st->counts = xcalloc(json_object_size(cells), sizeof *st->counts);
		json_object_foreach (cells, code, val) {
			if (read_count(val, &st->counts[st->n]) != 0) {
				snprintf(err, errlen, "stratifiers.%s.%s: not a count", key, code);
				return -1;
			}
			st->codes[st->n++] = xstrdup(code);
		}
	}
	return 0;
}

int payload_read(json_t *payload, struct site_answer *a, char *err, size_t errlen)
{
	json_t *collections = json_object_get(payload, "collections"), *c;
	json_t *privacy = json_object_get(payload, "privacy");
	json_t *unsupported = json_object_get(payload, "unsupported");
	json_t *elapsed = json_object_get(payload, "elapsed_ms");
	const char *provider = json_string_value(json_object_get(payload, "provider"));
	size_t i;

	memset(a, 0, sizeof *a);
	a->elapsed_ms = -1;
	if (!json_is_object(payload) || !json_is_array(collections)) {
		snprintf(err, errlen, "not a site payload: no \"collections\" list");
		return -1;
	}
	a->provider = xstrdup(provider != NULL ? provider : "");
	a->collections = xcalloc(json_array_size(collections), sizeof *a->collections);
	json_array_foreach (collections, i, c) {
		struct answer_collection *ac = &a->collections[a->n_collections++];

		if (read_collection(c, i, ac, err, errlen) != 0)
			goto fail;
		a->subjects += ac->subjects;
		a->studies += ac->studies;
	}
	if (read_strata(json_object_get(payload, "stratifiers"), a, err, errlen) != 0)
		goto fail;
	if (privacy != NULL) {
		a->has_privacy = privacy_rule_from_json(privacy, &a->privacy) == 0;
		a->exact = json_is_true(json_object_get(privacy, "exact"));
	}
	if (json_is_array(unsupported)) {
		json_t *key;

		a->unsupported = xcalloc(json_array_size(unsupported), sizeof *a->unsupported);
		json_array_foreach (unsupported, i, key)
			if (json_is_string(key))
				a->unsupported[a->n_unsupported++] =
				    xstrdup(json_string_value(key));
	}
	if (json_is_number(elapsed) && json_number_value(elapsed) >= 0)
		a->elapsed_ms = json_number_value(elapsed);
	return 0;
fail:
	site_answer_clear(a);
	return -1;
}

int payload_read_text(const char *text, size_t len, struct site_answer *a, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	memset(a, 0, sizeof *a);
	if (doc == NULL) {
		snprintf(err, errlen, "payload:%d:%d: %s", jerr.line, jerr.column, jerr.text);
		return -1;
	}
	rc = payload_read(doc, a, err, errlen);
	json_decref(doc);
	return rc;
}

void site_answer_clear(struct site_answer *a)
{
	for (size_t i = 0; i < a->n_collections; i++) {
		free(a->collections[i].id);
		free(a->collections[i].name);
	}
	for (size_t i = 0; i < a->n_strata; i++) {
		for (size_t k = 0; k < a->strata[i].n; k++)
			free(a->strata[i].codes[k]);
		free(a->strata[i].key);
		free(a->strata[i].codes);
		free(a->strata[i].counts);
	}
	for (size_t i = 0; i < a->n_unsupported; i++)
		free(a->unsupported[i]);
	free(a->provider);
	free(a->collections);
	free(a->strata);
	free(a->unsupported);
	memset(a, 0, sizeof *a);
	a->elapsed_ms = -1;
}

const struct answer_stratum *site_answer_stratum(const struct site_answer *a, const char *key)
{
	for (size_t i = 0; i < a->n_strata; i++)
		if (strcmp(a->strata[i].key, key) == 0)
			return &a->strata[i];
	return NULL;
}
