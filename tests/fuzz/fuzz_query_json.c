/* Property fuzzer for the query AST JSON: whatever reads must write and read
 * back to the same model and the same text; resolving, canonicalising and
 * hashing must not crash, and canonicalising twice changes nothing. Runs
 * under libFuzzer (make fuzz) and over the seed corpus under make check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/query_json.h"
#include "core/query_text.h"
#include "core/vocab.h"
#include "util/xmalloc.h"

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

/* Reads written JSON back: from text when within the input limit, else
 * (integers can grow when written out in full) from the JSON tree. */
static struct query *read_back(const struct query *q, const char *text, struct query_error *err)
{
	struct query *back;
	json_t *j;

	if (strlen(text) <= QUERY_MAX_TEXT)
		return query_from_json_text(text, strlen(text), err);
	j = query_to_json(q);
	back = query_from_json(j, err);
	json_decref(j);
	return back;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	const struct vocab *v = fuzz_vocab("fuzz_query_json");
	struct query_error err = { 0 };
	struct query *q, *again = NULL, *canon = NULL, *twice = NULL;
	char *text = NULL, *text2 = NULL, *printed = NULL, hash[65], hash2[65];

	q = query_from_json_text((const char *)data, size, &err);
	if (q == NULL) {
		if (err.message[0] == '\0')
			abort();
		goto out;
	}
	text = query_to_json_text(q, false);
	again = read_back(q, text, &err);
	if (again == NULL || !query_equal(q, again)) {
		fprintf(stderr, "written %s does not read back: %s\n", text,
		        again == NULL ? err.message : "different model");
		abort();
	}
	text2 = query_to_json_text(again, false);
	if (strcmp(text, text2) != 0) {
		fprintf(stderr, "JSON changed on a second pass:\n%s\n%s\n", text, text2);
		abort();
	}
	(void)query_resolve(v, q, false, &err);
	(void)query_resolve(v, q, true, &err);
	(void)query_shape_is_strict(q);
	canon = query_copy(q);
	query_canonicalize(v, canon);
	twice = query_copy(canon);
	query_canonicalize(v, twice);
	if (!query_equal(canon, twice)) {
		fprintf(stderr, "canonicalising %s twice changed it\n", text);
		abort();
	}
	query_hash(v, q, hash);
	query_hash(v, canon, hash2);
	if (strcmp(hash, hash2) != 0)
		abort();
	printed = query_print_text(v, canon);
out:
	free(printed);
	free(text2);
	free(text);
	query_free(&twice);
	query_free(&canon);
	query_free(&again);
	query_free(&q);
	return 0;
}
