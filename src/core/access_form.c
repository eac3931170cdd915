/* The access form: reading it exactly, writing it back, and checking a
 * payload against it field by field. A form is outside data too (an
 * administrator edits data/access-form.json), so the reader checks it as
 * strictly as any wire input; the validator never stops at the first
 * wrong field, since the person filling the form wants every message at
 * once. */
#include "config.h"

#include "core/access_form.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"
#include "util/xmalloc.h"

#define NAME_(c, name) [c] = name,
static const char *const type_names[ACCESS_FORM_N_TYPES] = { ACCESS_FORM_TYPES(NAME_) };
#undef NAME_

#define MAX_ID    256
#define MAX_LABEL 4096

const char *access_form_type_name(enum access_form_type t)
{
	return (int)t >= 0 && t < ACCESS_FORM_N_TYPES ? type_names[t] : NULL;
}

int access_form_type_parse(const char *name, enum access_form_type *out)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < ACCESS_FORM_N_TYPES; i++) {
		if (strcmp(type_names[i], name) == 0) {
			*out = (enum access_form_type)i;
			return 0;
		}
	}
	return -1;
}

static bool is_choice(enum access_form_type t)
{
	return t == ACCESS_FORM_SINGLE_CHOICE || t == ACCESS_FORM_MULTIPLE_CHOICE;
}

/* ---- reading ---- */

/* An optional text member of the form: absent or null is "", since the
 * form's text members are never NULL. */
static int read_text(json_t *obj, const char *place, const char *member, char **out, char *err,
                     size_t errlen)
{
	if (json_read_string(obj, place, member, JSON_READ_OPTIONAL, MAX_LABEL, out, err, errlen) !=
	    0)
		return -1;
	if (*out == NULL)
		*out = xstrdup("");
	return 0;
}

/* The array member of obj, of at most max entries; NULL with err set. */
static json_t *get_array(json_t *obj, const char *place, const char *member, size_t max, char *err,
                         size_t errlen)
{
	json_t *v = json_object_get(obj, member);
	char where[192];

	json_read_join(where, sizeof where, place, member);
	if (v == NULL)
		json_read_fail(err, errlen, where, "missing");
	else if (!json_is_array(v))
		json_read_fail(err, errlen, where, "not an array");
	else if (json_array_size(v) > max)
		json_read_fail(err, errlen, where, "more than %zu entries", max);
	else
		return v;
	return NULL;
}

static void value_clear(struct access_form_value *v)
{
	free(v->value);
	free(v->label);
}

static void element_clear(struct access_form_element *e)
{
	free(e->id);
	free(e->name);
	free(e->label);
	free(e->description);
	free(e->placeholder);
	for (size_t i = 0; i < e->n_values; i++)
		value_clear(&e->values[i]);
	free(e->values);
	memset(e, 0, sizeof *e);
}

static void section_clear(struct access_form_section *s)
{
	free(s->id);
	free(s->name);
	free(s->label);
	free(s->description);
	for (size_t i = 0; i < s->n_elements; i++)
		element_clear(&s->elements[i]);
	free(s->elements);
	memset(s, 0, sizeof *s);
}

void access_form_free(struct access_form **fp)
{
	struct access_form *f;

	if (fp == NULL || *fp == NULL)
		return;
	f = *fp;
	free(f->id);
	free(f->name);
	for (size_t i = 0; i < f->n_sections; i++)
		section_clear(&f->sections[i]);
	free(f->sections);
	free(f);
	*fp = NULL;
}

static int read_values(json_t *doc, const char *place, struct access_form_element *e, char *err,
                       size_t errlen)
{
	char where[192];
	json_t *arr, *v;
	size_t i;

	arr = get_array(doc, place, "values", ACCESS_FORM_MAX_VALUES, err, errlen);
	if (arr == NULL)
		return -1;
	if (json_array_size(arr) == 0)
		return json_read_fail(err, errlen, place,
		                      "a choice element needs at least one value");
	e->values = xcalloc(json_array_size(arr), sizeof *e->values);
	json_array_foreach (arr, i, v) {
		struct access_form_value *fv = &e->values[i];

		json_read_place(where, sizeof where, "%s.values[%zu]", place, i);
		if (!json_is_object(v))
			return json_read_fail(err, errlen, where, "not an object");
		e->n_values = i + 1;
		if (json_read_string(v, where, "value", JSON_READ_NON_EMPTY, MAX_ID, &fv->value,
		                     err, errlen) != 0 ||
		    json_read_string(v, where, "label", JSON_READ_REQUIRED, MAX_LABEL, &fv->label,
		                     err, errlen) != 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(e->values[j].value, fv->value) == 0)
				return json_read_fail(err, errlen, where,
				                      "value \"%s\" given twice", fv->value);
		}
	}
	return 0;
}

static int read_element(json_t *doc, const char *place, struct access_form_element *e, char *err,
                        size_t errlen)
{
	char *type = NULL, where[192];
	int rc = -1;

	if (!json_is_object(doc))
		return json_read_fail(err, errlen, place, "not an object");
	if (json_read_string(doc, place, "id", JSON_READ_NON_EMPTY, MAX_ID, &e->id, err, errlen) !=
	        0 ||
	    json_read_string(doc, place, "name", JSON_READ_NON_EMPTY, MAX_ID, &e->name, err,
	                     errlen) != 0 ||
	    json_read_string(doc, place, "label", JSON_READ_REQUIRED, MAX_LABEL, &e->label, err,
	                     errlen) != 0 ||
	    read_text(doc, place, "description", &e->description, err, errlen) != 0 ||
	    read_text(doc, place, "placeholder", &e->placeholder, err, errlen) != 0 ||
	    json_read_string(doc, place, "type", JSON_READ_NON_EMPTY, 64, &type, err, errlen) != 0)
		goto out;
	json_read_place(where, sizeof where, "%s.type", place);
	if (access_form_type_parse(type, &e->type) != 0) {
		json_read_fail(err, errlen, where, "unknown type \"%.64s\"", type);
		goto out;
	}
	if (json_read_bool(doc, place, "required", JSON_READ_REQUIRED, &e->required, err, errlen) !=
	    0)
		goto out;
	if (e->type == ACCESS_FORM_INFORMATION && e->required) {
		json_read_place(where, sizeof where, "%s.required", place);
		json_read_fail(err, errlen, where, "an INFORMATION element takes no answer");
		goto out;
	}
	if (is_choice(e->type)) {
		if (read_values(doc, place, e, err, errlen) != 0)
			goto out;
	} else if (json_object_get(doc, "values") != NULL &&
	           !json_is_null(json_object_get(doc, "values"))) {
		json_read_place(where, sizeof where, "%s.values", place);
		json_read_fail(err, errlen, where, "only choice elements have values");
		goto out;
	}
	rc = 0;
out:
	free(type);
	return rc;
}

static int read_section(json_t *doc, const char *place, struct access_form_section *s, char *err,
                        size_t errlen)
{
	char where[192];
	json_t *arr, *v;
	size_t i;

	if (!json_is_object(doc))
		return json_read_fail(err, errlen, place, "not an object");
	if (json_read_string(doc, place, "id", JSON_READ_NON_EMPTY, MAX_ID, &s->id, err, errlen) !=
	        0 ||
	    json_read_string(doc, place, "name", JSON_READ_NON_EMPTY, MAX_ID, &s->name, err,
	                     errlen) != 0 ||
	    json_read_string(doc, place, "label", JSON_READ_REQUIRED, MAX_LABEL, &s->label, err,
	                     errlen) != 0 ||
	    read_text(doc, place, "description", &s->description, err, errlen) != 0)
		return -1;
	arr = get_array(doc, place, "elements", ACCESS_FORM_MAX_ELEMENTS, err, errlen);
	if (arr == NULL)
		return -1;
	s->elements = xcalloc(json_array_size(arr) + 1, sizeof *s->elements);
	json_array_foreach (arr, i, v) {
		json_read_place(where, sizeof where, "%s.elements[%zu]", place, i);
		s->n_elements = i + 1;
		if (read_element(v, where, &s->elements[i], err, errlen) != 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(s->elements[j].name, s->elements[i].name) == 0)
				return json_read_fail(err, errlen, where,
				                      "element name \"%s\" used twice",
				                      s->elements[i].name);
		}
	}
	return 0;
}

struct access_form *access_form_read(json_t *doc, char *err, size_t errlen)
{
	struct access_form *f;
	char where[64];
	json_t *arr, *v;
	size_t i;

	if (!json_is_object(doc)) {
		json_read_fail(err, errlen, "form", "not an object");
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	if (json_read_string(doc, "", "id", JSON_READ_NON_EMPTY, MAX_ID, &f->id, err, errlen) !=
	        0 ||
	    json_read_string(doc, "", "name", JSON_READ_REQUIRED, MAX_LABEL, &f->name, err,
	                     errlen) != 0)
		goto fail;
	arr = get_array(doc, "", "sections", ACCESS_FORM_MAX_SECTIONS, err, errlen);
	if (arr == NULL)
		goto fail;
	if (json_array_size(arr) == 0) {
		json_read_fail(err, errlen, "sections", "empty");
		goto fail;
	}
	f->sections = xcalloc(json_array_size(arr), sizeof *f->sections);
	json_array_foreach (arr, i, v) {
		json_read_place(where, sizeof where, "sections[%zu]", i);
		f->n_sections = i + 1;
		if (read_section(v, where, &f->sections[i], err, errlen) != 0)
			goto fail;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(f->sections[j].name, f->sections[i].name) == 0) {
				json_read_fail(err, errlen, where, "section name \"%s\" used twice",
				               f->sections[i].name);
				goto fail;
			}
		}
	}
	return f;
fail:
	access_form_free(&f);
	return NULL;
}

struct access_form *access_form_read_text(const char *text, size_t len, char *err, size_t errlen)
{
	struct access_form *f;
	json_error_t jerr;
	json_t *doc;

	if (text == NULL) {
		json_read_fail(err, errlen, "form", "no text");
		return NULL;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		snprintf(err, errlen, "not JSON: %d:%d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	f = access_form_read(doc, err, errlen);
	json_decref(doc);
	return f;
}

struct access_form *access_form_load(const char *path, char *err, size_t errlen)
{
	struct access_form *f;
	json_error_t jerr;
	char why[512];
	json_t *doc;

	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: %d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	f = access_form_read(doc, why, sizeof why);
	json_decref(doc);
	if (f == NULL)
		snprintf(err, errlen, "%s: %s", path, why);
	return f;
}

json_t *access_form_to_json(const struct access_form *f)
{
	json_t *sections = json_array();

	for (size_t i = 0; i < f->n_sections; i++) {
		const struct access_form_section *s = &f->sections[i];
		json_t *elements = json_array();

		for (size_t j = 0; j < s->n_elements; j++) {
			const struct access_form_element *e = &s->elements[j];
			json_t *el = json_pack(
			    "{s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", e->id, "name", e->name,
			    "label", e->label, "description", e->description, "placeholder",
			    e->placeholder, "type", type_names[e->type], "required", e->required);

			if (is_choice(e->type)) {
				json_t *values = json_array();

				for (size_t k = 0; k < e->n_values; k++)
					json_array_append_new(values,
					                      json_pack("{s:s, s:s}", "value",
					                                e->values[k].value, "label",
					                                e->values[k].label));
				json_object_set_new(el, "values", values);
			}
			json_array_append_new(elements, el);
		}
		json_array_append_new(sections,
		                      json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", s->id, "name",
		                                s->name, "label", s->label, "description",
		                                s->description, "elements", elements));
	}
	return json_pack("{s:s, s:s, s:o}", "id", f->id, "name", f->name, "sections", sections);
}

const struct access_form_section *access_form_section(const struct access_form *f, const char *name)
{
	for (size_t i = 0; f != NULL && name != NULL && i < f->n_sections; i++) {
		if (strcmp(f->sections[i].name, name) == 0)
			return &f->sections[i];
	}
	return NULL;
}

const struct access_form_element *access_form_element(const struct access_form_section *s,
                                                      const char *name)
{
	for (size_t i = 0; s != NULL && name != NULL && i < s->n_elements; i++) {
		if (strcmp(s->elements[i].name, name) == 0)
			return &s->elements[i];
	}
	return NULL;
}

/* ---- checking ---- */

bool access_form_date_valid(const char *text)
{
	static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;

	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			return false;
	}
	y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
	m = (text[5] - '0') * 10 + (text[6] - '0');
	d = (text[8] - '0') * 10 + (text[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return false;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	return true;
}

/* true if s has a character other than blanks. */
static bool has_text(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	}
	return false;
}

/* Characters (code points) of UTF-8 text: jansson has checked it. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool has_value(const struct access_form_element *e, const char *v)
{
	for (size_t i = 0; i < e->n_values; i++) {
		if (strcmp(e->values[i].value, v) == 0)
			return true;
	}
	return false;
}

const char *access_form_check_value(const struct access_form_element *e, json_t *value,
                                    enum access_form_check mode)
{
	bool submit = mode == ACCESS_FORM_CHECK_SUBMIT;
	json_t *v;
	size_t i;

	if (value == NULL || json_is_null(value))
		return submit && e->required ? "required" : NULL;
	switch (e->type) {
	case ACCESS_FORM_INFORMATION:
		return "takes no answer";
	case ACCESS_FORM_TEXT:
	case ACCESS_FORM_TEXT_LARGE:
		if (!json_is_string(value))
			return "not text";
		if (!submit)
			return NULL;
		if (e->required && !has_text(json_string_value(value)))
			return "required";
		if (utf8_chars(json_string_value(value)) >
		    (e->type == ACCESS_FORM_TEXT ? ACCESS_FORM_MAX_TEXT : ACCESS_FORM_MAX_LARGE))
			return e->type == ACCESS_FORM_TEXT ? "too long (at most 1000 characters)"
			                                   : "too long (at most 20000 characters)";
		return NULL;
	case ACCESS_FORM_NUMBER:
		if (!json_is_number(value) || !isfinite(json_number_value(value)))
			return "not a number";
		return NULL;
	case ACCESS_FORM_DATE:
		if (!json_is_string(value))
			return "not a date (YYYY-MM-DD)";
		if (!submit)
			return NULL;
		if (json_string_length(value) == 0 && !e->required)
			return NULL;
		if (json_string_length(value) == 0)
			return "required";
		return access_form_date_valid(json_string_value(value)) ? NULL
		                                                        : "not a date (YYYY-MM-DD)";
	case ACCESS_FORM_BOOLEAN:
		return json_is_boolean(value) ? NULL : "not yes or no (true or false)";
	case ACCESS_FORM_SINGLE_CHOICE:
		if (!json_is_string(value))
			return "not one of the choices";
		if (!submit)
			return NULL;
		if (json_string_length(value) == 0)
			return e->required ? "required" : NULL;
		return has_value(e, json_string_value(value)) ? NULL : "not one of the choices";
	case ACCESS_FORM_MULTIPLE_CHOICE:
		if (!json_is_array(value))
			return "not a list of choices";
		json_array_foreach (value, i, v) {
			if (!json_is_string(v))
				return "not a list of choices";
		}
		if (!submit)
			return NULL;
		if (json_array_size(value) == 0)
			return e->required ? "required" : NULL;
		json_array_foreach (value, i, v) {
			if (!has_value(e, json_string_value(v)))
				return "not one of the choices";
			for (size_t j = 0; j < i; j++) {
				if (strcmp(json_string_value(json_array_get(value, j)),
				           json_string_value(v)) == 0)
					return "a choice given twice";
			}
		}
		return NULL;
	case ACCESS_FORM_N_TYPES:
		break;
	}
	return "not in the form";
}

static void add_error(struct access_form_errors *out, const char *section, const char *element,
                      const char *message)
{
	struct access_form_error *e;

	out->items = xreallocarray(out->items, out->n + 1, sizeof *out->items);
	e = &out->items[out->n++];
	e->section = xstrdup(section);
	e->element = xstrdup(element);
	e->message = xstrdup(message);
}

size_t access_form_validate(const struct access_form *f, json_t *payload,
                            enum access_form_check mode, struct access_form_errors *out)
{
	size_t before = out->n;
	const char *key, *ekey, *msg;
	json_t *sv, *ev;

	if (payload != NULL && !json_is_object(payload)) {
		add_error(out, "", "", "the answers must be an object of sections");
		return out->n - before;
	}
	for (size_t i = 0; i < f->n_sections; i++) {
		const struct access_form_section *s = &f->sections[i];

		sv = json_object_get(payload, s->name);
		if (sv != NULL && !json_is_object(sv) && !json_is_null(sv)) {
			add_error(out, s->name, "", "not an object of answers");
			continue;
		}
		for (size_t j = 0; j < s->n_elements; j++) {
			const struct access_form_element *e = &s->elements[j];

			msg = access_form_check_value(e, json_object_get(sv, e->name), mode);
			if (msg != NULL)
				add_error(out, s->name, e->name, msg);
		}
	}
	/* then what the form does not know, in the payload's order */
	json_object_foreach (payload, key, sv) {
		const struct access_form_section *s = access_form_section(f, key);

		/* a name too long to be read back is not repeated */
		if (s == NULL) {
			if (strlen(key) > MAX_ID)
				add_error(out, "", "", "a section not in the form (a long name)");
			else
				add_error(out, key, "", "not in the form");
			continue;
		}
		if (!json_is_object(sv))
			continue;
		json_object_foreach (sv, ekey, ev) {
			if (access_form_element(s, ekey) != NULL)
				continue;
			if (strlen(ekey) > MAX_ID)
				add_error(out, key, "", "an element not in the form (a long name)");
			else
				add_error(out, key, ekey, "not in the form");
		}
	}
	return out->n - before;
}

void access_form_errors_clear(struct access_form_errors *errs)
{
	if (errs == NULL)
		return;
	for (size_t i = 0; i < errs->n; i++) {
		free(errs->items[i].section);
		free(errs->items[i].element);
		free(errs->items[i].message);
	}
	free(errs->items);
	memset(errs, 0, sizeof *errs);
}

json_t *access_form_errors_json(const struct access_form_errors *errs)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < errs->n; i++)
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s}", "section", errs->items[i].section, "element",
		                   errs->items[i].element, "message", errs->items[i].message));
	return arr;
}

int access_form_errors_read(json_t *doc, struct access_form_errors *out, char *err, size_t errlen)
{
	char where[64], *s = NULL, *e = NULL, *m = NULL;
	json_t *v;
	size_t i;

	memset(out, 0, sizeof *out);
	if (!json_is_array(doc))
		return json_read_fail(err, errlen, "fields", "not an array");
	if (json_array_size(doc) > 4096)
		return json_read_fail(err, errlen, "fields", "more than 4096 entries");
	json_array_foreach (doc, i, v) {
		json_read_place(where, sizeof where, "fields[%zu]", i);
		if (!json_is_object(v)) {
			json_read_fail(err, errlen, where, "not an object");
			goto fail;
		}
		if (json_read_string(v, where, "section", JSON_READ_REQUIRED, MAX_ID, &s, err,
		                     errlen) != 0 ||
		    json_read_string(v, where, "element", JSON_READ_REQUIRED, MAX_ID, &e, err,
		                     errlen) != 0 ||
		    json_read_string(v, where, "message", JSON_READ_NON_EMPTY, MAX_LABEL, &m, err,
		                     errlen) != 0)
			goto fail;
		add_error(out, s, e, m);
		free(s);
		free(e);
		free(m);
		s = e = m = NULL;
	}
	return 0;
fail:
	free(s);
	free(e);
	free(m);
	access_form_errors_clear(out);
	return -1;
}
