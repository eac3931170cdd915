/* core/access_form: reading a form (degenerate and malformed forms first),
 * writing it back, and checking payloads field by field in draft and
 * submit mode; last, the shipped EUCAIM form in data/access-form.json. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/access_form.h"

#include "support.h"

/* A small form with one element of every type. */
static const char small_form[] =
    "{\"id\":\"f\",\"name\":\"Form\",\"sections\":["
    "{\"id\":\"s1\",\"name\":\"a\",\"label\":\"A\",\"elements\":["
    "{\"id\":\"1\",\"name\":\"title\",\"label\":\"Title\",\"type\":\"TEXT\",\"required\":true},"
    "{\"id\":\"2\",\"name\":\"long\",\"label\":\"Long\",\"type\":\"TEXT_LARGE\","
    "\"required\":false},"
    "{\"id\":\"3\",\"name\":\"n\",\"label\":\"N\",\"type\":\"NUMBER\",\"required\":true},"
    "{\"id\":\"4\",\"name\":\"when\",\"label\":\"When\",\"type\":\"DATE\",\"required\":true},"
    "{\"id\":\"5\",\"name\":\"ok\",\"label\":\"OK\",\"type\":\"BOOLEAN\",\"required\":true}]},"
    "{\"id\":\"s2\",\"name\":\"b\",\"label\":\"B\",\"description\":\"d\",\"elements\":["
    "{\"id\":\"6\",\"name\":\"one\",\"label\":\"One\",\"type\":\"SINGLE_CHOICE\","
    "\"required\":true,\"values\":[{\"value\":\"x\",\"label\":\"X\"},"
    "{\"value\":\"y\",\"label\":\"Y\"}]},"
    "{\"id\":\"7\",\"name\":\"many\",\"label\":\"Many\",\"type\":\"MULTIPLE_CHOICE\","
    "\"required\":true,\"values\":[{\"value\":\"p\",\"label\":\"P\"},"
    "{\"value\":\"q\",\"label\":\"Q\"}]},"
    "{\"id\":\"8\",\"name\":\"info\",\"label\":\"Read me\",\"type\":\"INFORMATION\","
    "\"required\":false}]}]}";

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (doc == NULL)
		fail_msg("test JSON: %s: %s", jerr.text, text);
	return doc;
}

static struct access_form *small(void)
{
	char err[256] = "";
	struct access_form *f =
	    access_form_read_text(small_form, strlen(small_form), err, sizeof err);

	if (f == NULL)
		fail_msg("small form: %s", err);
	return f;
}

/* small_form with the JSON at path (a list of member names and indices
 * ending in NULL) replaced by value (NULL: removed) must fail naming want. */
static void expect_form_error(const char *want, const char *value, ...)
{
	json_t *doc = parse(small_form), *at = doc, *parent = NULL;
	struct access_form *f;
	const char *last = NULL, *key;
	char err[256] = "";
	va_list ap;

	va_start(ap, value);
	while ((key = va_arg(ap, const char *)) != NULL) {
		parent = at;
		last = key;
		if (json_is_array(at))
			at = json_array_get(at, (size_t)atoi(key));
		else
			at = json_object_get(at, key);
	}
	va_end(ap);
	assert_non_null(parent);
	if (json_is_array(parent)) {
		if (value == NULL)
			json_array_remove(parent, (size_t)atoi(last));
		else
			json_array_set_new(parent, (size_t)atoi(last), parse(value));
	} else if (value == NULL) {
		json_object_del(parent, last);
	} else {
		json_object_set_new(parent, last, parse(value));
	}
	f = access_form_read(doc, err, sizeof err);
	if (f != NULL)
		fail_msg("accepted a form where %s", want);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	json_decref(doc);
}

static void test_read_degenerate(void **state)
{
	char err[256] = "";

	(void)state;
	assert_null(access_form_read(NULL, err, sizeof err));
	assert_string_equal(err, "form: not an object");
	assert_null(access_form_read_text(NULL, 0, err, sizeof err));
	assert_null(access_form_read_text("", 0, err, sizeof err));
	assert_non_null(strstr(err, "not JSON"));
	assert_null(access_form_read_text("{\"id\":", 6, err, sizeof err));
	assert_null(access_form_read_text(small_form, strlen(small_form) / 2, err, sizeof err));
	assert_null(access_form_read_text("{\"id\":\"f\",\"id\":\"g\"}", 19, err, sizeof err));
	assert_null(access_form_load("/nonexistent/form.json", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/form.json"));
	access_form_free(NULL);

	expect_form_error("id: missing", NULL, "id", NULL);
	expect_form_error("sections: missing", NULL, "sections", NULL);
	expect_form_error("sections: empty", "[]", "sections", NULL);
	expect_form_error("sections[0]: not an object", "7", "sections", "0", NULL);
	expect_form_error("sections[1].name: empty", "\"\"", "sections", "1", "name", NULL);
	expect_form_error("sections[1]: section name \"a\" used twice", "\"a\"", "sections", "1",
	                  "name", NULL);
	expect_form_error("sections[0].elements: not an array", "{}", "sections", "0", "elements",
	                  NULL);
	expect_form_error("sections[0].elements[2].type: unknown type \"COLOUR\"", "\"COLOUR\"",
	                  "sections", "0", "elements", "2", "type", NULL);
	expect_form_error("sections[0].elements[0].required: missing", NULL, "sections", "0",
	                  "elements", "0", "required", NULL);
	expect_form_error("sections[0].elements[0].required: not true or false", "1", "sections",
	                  "0", "elements", "0", "required", NULL);
	expect_form_error("sections[0].elements[1]: element name \"title\" used twice", "\"title\"",
	                  "sections", "0", "elements", "1", "name", NULL);
	expect_form_error("sections[1].elements[0].values: missing", NULL, "sections", "1",
	                  "elements", "0", "values", NULL);
	expect_form_error("a choice element needs at least one value", "[]", "sections", "1",
	                  "elements", "0", "values", NULL);
	expect_form_error("sections[1].elements[1].values[1]: value \"p\" given twice",
	                  "{\"value\":\"p\",\"label\":\"again\"}", "sections", "1", "elements", "1",
	                  "values", "1", NULL);
	expect_form_error("sections[0].elements[0].values: only choice elements have values", "[]",
	                  "sections", "0", "elements", "0", "values", NULL);
	expect_form_error("an INFORMATION element takes no answer", "true", "sections", "1",
	                  "elements", "2", "required", NULL);
}

static void test_read_and_write(void **state)
{
	struct access_form *f = small(), *again;
	const struct access_form_section *s;
	const struct access_form_element *e;
	char err[256] = "";
	json_t *doc;

	(void)state;
	assert_string_equal(f->id, "f");
	assert_int_equal(f->n_sections, 2);
	s = access_form_section(f, "b");
	assert_non_null(s);
	assert_string_equal(s->description, "d");
	assert_string_equal(f->sections[0].description, ""); /* absent */
	e = access_form_element(s, "one");
	assert_non_null(e);
	assert_int_equal(e->type, ACCESS_FORM_SINGLE_CHOICE);
	assert_int_equal(e->n_values, 2);
	assert_string_equal(e->values[1].label, "Y");
	assert_null(access_form_section(f, "c"));
	assert_null(access_form_section(f, NULL));
	assert_null(access_form_element(s, "title"));
	assert_null(access_form_element(NULL, "title"));

	doc = access_form_to_json(f);
	assert_null(json_object_get(
	    json_array_get(
	        json_object_get(json_array_get(json_object_get(doc, "sections"), 0), "elements"),
	        0),
	    "values"));
	again = access_form_read(doc, err, sizeof err);
	assert_non_null(again);
	assert_int_equal(again->sections[1].elements[1].n_values, 2);
	assert_string_equal(again->sections[0].elements[3].placeholder, "");
	access_form_free(&again);
	assert_null(again);
	json_decref(doc);
	access_form_free(&f);

	for (int t = 0; t < ACCESS_FORM_N_TYPES; t++) {
		enum access_form_type got;

		assert_int_equal(access_form_type_parse(access_form_type_name(t), &got), 0);
		assert_int_equal(got, t);
	}
	assert_null(access_form_type_name(ACCESS_FORM_N_TYPES));
	assert_int_equal(access_form_type_parse("text", &(enum access_form_type){ 0 }), -1);
	assert_int_equal(access_form_type_parse(NULL, &(enum access_form_type){ 0 }), -1);
}

static void test_dates(void **state)
{
	(void)state;
	assert_false(access_form_date_valid(NULL));
	assert_false(access_form_date_valid(""));
	assert_false(access_form_date_valid("2026-1-01"));
	assert_false(access_form_date_valid("2026-13-01"));
	assert_false(access_form_date_valid("2026-00-10"));
	assert_false(access_form_date_valid("2026-04-31"));
	assert_false(access_form_date_valid("2026-02-29"));
	assert_false(access_form_date_valid("1900-02-29"));
	assert_false(access_form_date_valid("0000-01-01"));
	assert_false(access_form_date_valid("2026-01-01T00:00"));
	assert_false(access_form_date_valid("2026/01/01"));
	assert_false(access_form_date_valid("２026-01-01"));
	assert_true(access_form_date_valid("2024-02-29"));
	assert_true(access_form_date_valid("2000-02-29"));
	assert_true(access_form_date_valid("2026-12-31"));
}

/* The messages of validating text against the small form in mode, one
 * "section/element: message" per line. Returns new. */
static char *errors_of(const char *text, enum access_form_check mode)
{
	struct access_form *f = small();
	struct access_form_errors errs = { 0 };
	json_t *doc = text != NULL ? parse(text) : NULL;
	size_t n = access_form_validate(f, doc, mode, &errs), len = 1;
	char *out;

	assert_int_equal(n, errs.n);
	for (size_t i = 0; i < errs.n; i++)
		len += strlen(errs.items[i].section) + strlen(errs.items[i].element) +
		       strlen(errs.items[i].message) + 4;
	out = calloc(1, len);
	for (size_t i = 0; i < errs.n; i++)
		sprintf(out + strlen(out), "%s/%s: %s\n", errs.items[i].section,
		        errs.items[i].element, errs.items[i].message);
	access_form_errors_clear(&errs);
	access_form_errors_clear(&errs);
	json_decref(doc);
	access_form_free(&f);
	return out;
}

static void expect_errors(const char *text, enum access_form_check mode, const char *want)
{
	char *got = errors_of(text, mode);

	if (strcmp(got, want) != 0)
		fail_msg("payload %s:\n got:\n%s want:\n%s", text ? text : "NULL", got, want);
	free(got);
}

#define ALL_REQUIRED                                                                            \
	"a/title: required\na/n: required\na/when: required\na/ok: required\nb/one: required\n" \
	"b/many: required\n"

static void test_validate_degenerate(void **state)
{
	(void)state;
	expect_errors(NULL, ACCESS_FORM_CHECK_DRAFT, "");
	expect_errors("{}", ACCESS_FORM_CHECK_DRAFT, "");
	expect_errors(NULL, ACCESS_FORM_CHECK_SUBMIT, ALL_REQUIRED);
	expect_errors("{}", ACCESS_FORM_CHECK_SUBMIT, ALL_REQUIRED);
	expect_errors("[]", ACCESS_FORM_CHECK_DRAFT,
	              "/: the answers must be an object of sections\n");
	expect_errors("\"x\"", ACCESS_FORM_CHECK_SUBMIT,
	              "/: the answers must be an object of sections\n");
	expect_errors("{\"a\":[],\"b\":null}", ACCESS_FORM_CHECK_DRAFT,
	              "a/: not an object of answers\n");
	expect_errors("{\"zz\":{},\"a\":{\"nope\":1}}", ACCESS_FORM_CHECK_DRAFT,
	              "zz/: not in the form\na/nope: not in the form\n");
}

static void test_validate_draft(void **state)
{
	(void)state;
	/* formats and choices wait for the submission; JSON types do not */
	expect_errors("{\"a\":{\"title\":\"\",\"when\":\"soon\",\"n\":null},"
	              "\"b\":{\"one\":\"z\",\"many\":[\"z\"]}}",
	              ACCESS_FORM_CHECK_DRAFT, "");
	expect_errors(
	    "{\"a\":{\"title\":1,\"long\":[],\"n\":\"5\",\"when\":20260101,\"ok\":\"yes\"},"
	    "\"b\":{\"one\":[\"x\"],\"many\":\"p\",\"info\":\"read\"}}",
	    ACCESS_FORM_CHECK_DRAFT,
	    "a/title: not text\na/long: not text\na/n: not a number\n"
	    "a/when: not a date (YYYY-MM-DD)\na/ok: not yes or no (true or false)\n"
	    "b/one: not one of the choices\nb/many: not a list of choices\n"
	    "b/info: takes no answer\n");
	expect_errors("{\"b\":{\"many\":[\"p\",3]}}", ACCESS_FORM_CHECK_DRAFT,
	              "b/many: not a list of choices\n");
}

static void test_validate_submit(void **state)
{
	static const char good[] = "{\"a\":{\"title\":\"T\",\"n\":0,\"when\":\"2026-02-28\","
	                           "\"ok\":false},\"b\":{\"one\":\"y\",\"many\":[\"q\",\"p\"]}}";
	struct access_form *f = small();
	const struct access_form_element *title = &f->sections[0].elements[0];
	char *big;

	(void)state;
	expect_errors(good, ACCESS_FORM_CHECK_SUBMIT, "");
	expect_errors(good, ACCESS_FORM_CHECK_DRAFT, "");
	expect_errors("{\"a\":{\"title\":\"  \\n\",\"n\":1.5,\"when\":\"2026-02-30\",\"ok\":true,"
	              "\"long\":\"\"},\"b\":{\"one\":\"z\",\"many\":[]}}",
	              ACCESS_FORM_CHECK_SUBMIT,
	              "a/title: required\na/when: not a date (YYYY-MM-DD)\n"
	              "b/one: not one of the choices\nb/many: required\n");
	expect_errors("{\"a\":{\"title\":\"T\",\"n\":1,\"when\":\"\",\"ok\":true},"
	              "\"b\":{\"one\":\"\",\"many\":[\"p\",\"p\"]}}",
	              ACCESS_FORM_CHECK_SUBMIT,
	              "a/when: required\nb/one: required\nb/many: a choice given twice\n");
	expect_errors("{\"a\":{\"title\":\"T\",\"n\":1,\"when\":\"2026-01-01\",\"ok\":true},"
	              "\"b\":{\"one\":\"x\",\"many\":[\"p\",\"r\"]}}",
	              ACCESS_FORM_CHECK_SUBMIT, "b/many: not one of the choices\n");

	/* lengths count characters, not bytes */
	big = malloc(ACCESS_FORM_MAX_TEXT * 2 + 1);
	for (int i = 0; i < ACCESS_FORM_MAX_TEXT; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2); /* é */
	big[2 * ACCESS_FORM_MAX_TEXT] = '\0';
	{
		json_t *v = json_string(big);

		assert_null(access_form_check_value(title, v, ACCESS_FORM_CHECK_SUBMIT));
		json_decref(v);
		strcpy(big + 2 * ACCESS_FORM_MAX_TEXT - 2, "ab");
		v = json_string(big);
		assert_string_equal(access_form_check_value(title, v, ACCESS_FORM_CHECK_SUBMIT),
		                    "too long (at most 1000 characters)");
		assert_null(access_form_check_value(title, v, ACCESS_FORM_CHECK_DRAFT));
		json_decref(v);
	}
	free(big);
	assert_string_equal(access_form_check_value(title, NULL, ACCESS_FORM_CHECK_SUBMIT),
	                    "required");
	assert_null(access_form_check_value(title, NULL, ACCESS_FORM_CHECK_DRAFT));
	access_form_free(&f);
}

static void test_errors_json(void **state)
{
	struct access_form *f = small();
	struct access_form_errors errs = { 0 }, back;
	char err[256] = "";
	json_t *doc;

	(void)state;
	assert_int_equal(access_form_validate(f, NULL, ACCESS_FORM_CHECK_SUBMIT, &errs), 6);
	doc = access_form_errors_json(&errs);
	assert_int_equal(json_array_size(doc), 6);
	assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "element")),
	                    "title");
	assert_int_equal(access_form_errors_read(doc, &back, err, sizeof err), 0);
	assert_int_equal(back.n, 6);
	assert_string_equal(back.items[5].element, "many");
	access_form_errors_clear(&back);
	json_object_del(json_array_get(doc, 2), "message");
	assert_int_equal(access_form_errors_read(doc, &back, err, sizeof err), -1);
	assert_string_equal(err, "fields[2].message: missing");
	assert_int_equal(back.n, 0);
	assert_int_equal(access_form_errors_read(NULL, &back, err, sizeof err), -1);
	json_decref(doc);
	access_form_errors_clear(&errs);
	access_form_errors_clear(NULL);
	access_form_free(&f);
}

/* The shipped form: EUCAIM's six sections, every element type used. */
static void test_eucaim_form(void **state)
{
	static const char *const sections[] = { "summary",       "contact", "scientific",
		                                "ethical_legal", "consent", "overview" };
	char *path = test_source_path("data/access-form.json"), err[512] = "";
	struct access_form *f = access_form_load(path, err, sizeof err);
	bool used[ACCESS_FORM_N_TYPES] = { false };
	struct access_form_errors errs = { 0 };

	(void)state;
	if (f == NULL)
		fail_msg("%s", err);
	assert_int_equal(f->n_sections, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(f->sections[i].name, sections[i]);
		assert_true(f->sections[i].n_elements > 0);
		for (size_t j = 0; j < f->sections[i].n_elements; j++)
			used[f->sections[i].elements[j].type] = true;
	}
	for (int t = 0; t < ACCESS_FORM_N_TYPES; t++)
		if (!used[t])
			fail_msg("the form uses no %s element", access_form_type_name(t));
	/* an empty submission names every required element */
	assert_true(access_form_validate(f, NULL, ACCESS_FORM_CHECK_SUBMIT, &errs) >= 6);
	access_form_errors_clear(&errs);
	access_form_free(&f);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_degenerate), cmocka_unit_test(test_read_and_write),
		cmocka_unit_test(test_dates),           cmocka_unit_test(test_validate_degenerate),
		cmocka_unit_test(test_validate_draft),  cmocka_unit_test(test_validate_submit),
		cmocka_unit_test(test_errors_json),     cmocka_unit_test(test_eucaim_form),
	};

	return cmocka_run_group_tests_name("access_form", tests, NULL, NULL);
}
