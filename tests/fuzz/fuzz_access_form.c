/* Property fuzzer for the access form (core/access_form.c). The input is
 * read as a form: one that reads must write back to JSON that reads again
 * to the same JSON, and checking no answers at all must name exactly its
 * required elements. The input is also checked as answers to the shipped
 * EUCAIM form: every field wrong in a draft is wrong in a submission too,
 * and every error names its place and says something. Runs under
 * libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/access_form.h"
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void fuzz_form(const unsigned char *data, unsigned long size)
{
	struct access_form_errors errs = { 0 };
	struct access_form *f, *back;
	char err[512] = "";
	json_t *doc, *again;
	size_t required = 0;

	f = access_form_read_text((const char *)data, size, err, sizeof err);
	if (f == NULL) {
		check(err[0] != '\0');
		return;
	}
	doc = access_form_to_json(f);
	back = access_form_read(doc, err, sizeof err);
	check(back != NULL);
	again = access_form_to_json(back);
	check(json_equal(doc, again));
	for (size_t i = 0; i < f->n_sections; i++)
		for (size_t j = 0; j < f->sections[i].n_elements; j++)
			required += f->sections[i].elements[j].required;
	check(access_form_validate(f, NULL, ACCESS_FORM_CHECK_SUBMIT, &errs) == required);
	for (size_t i = 0; i < errs.n; i++)
		check(strcmp(errs.items[i].message, "required") == 0);
	access_form_errors_clear(&errs);
	check(access_form_validate(f, NULL, ACCESS_FORM_CHECK_DRAFT, &errs) == 0);
	json_decref(again);
	json_decref(doc);
	access_form_free(&back);
	access_form_free(&f);
}

static bool has_field(const struct access_form_errors *errs, const char *section,
                      const char *element)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strcmp(errs->items[i].section, section) == 0 &&
		    strcmp(errs->items[i].element, element) == 0)
			return true;
	return false;
}

static void fuzz_payload(const unsigned char *data, unsigned long size)
{
	const struct access_form *f = fuzz_access_form("fuzz_access_form");
	struct access_form_errors draft = { 0 }, submit = { 0 }, back;
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *arr;
	char err[512] = "";

	if (doc == NULL)
		return;
	check(access_form_validate(f, doc, ACCESS_FORM_CHECK_DRAFT, &draft) == draft.n);
	check(access_form_validate(f, doc, ACCESS_FORM_CHECK_SUBMIT, &submit) == submit.n);
	check(submit.n >= draft.n);
	for (size_t i = 0; i < draft.n; i++) {
		check(draft.items[i].message[0] != '\0');
		check(has_field(&submit, draft.items[i].section, draft.items[i].element));
	}
	arr = access_form_errors_json(&submit);
	check(access_form_errors_read(arr, &back, err, sizeof err) == 0 && back.n == submit.n);
	access_form_errors_clear(&back);
	json_decref(arr);
	access_form_errors_clear(&draft);
	access_form_errors_clear(&submit);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	fuzz_form(data, size);
	fuzz_payload(data, size);
	return 0;
}
