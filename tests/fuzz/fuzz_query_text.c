/* Property fuzzer for the query text syntax: whatever parses must survive
 * canonicalise -> print -> parse unchanged, and a refused input must carry
 * a place and a message. Runs under libFuzzer (make fuzz) and over the seed
 * corpus under make check (replay.c). */
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

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	const struct vocab *v = fuzz_vocab("fuzz_query_text");
	struct query_error err = { 0 };
	struct query *q, *again = NULL, *back = NULL;
	char *text = xmalloc(size + 1), *printed = NULL, *json = NULL, hash[65];

	memcpy(text, data, size);
	text[size] = '\0';
	q = query_parse_text(v, text, &err);
	if (q == NULL) {
		if (err.line < 1 || err.column < 1 || err.message[0] == '\0')
			abort();
		goto out;
	}
	query_canonicalize(v, q);
	printed = query_print_text(v, q);
	/* Canonical text may be longer than what was typed (aliases, %.15g):
	 * past the input limit it cannot be read back, by design. */
	if (strlen(printed) <= QUERY_MAX_TEXT) {
		again = query_parse_text(v, printed, &err);
		if (again == NULL || !query_equal(q, again)) {
			fprintf(stderr, "canonical text '%s' does not parse back: %s\n", printed,
			        again == NULL ? err.message : "different AST");
			abort();
		}
	}
	json = query_to_json_text(q, false);
	back = query_from_json_text(json, strlen(json), &err);
	if (back == NULL || !query_equal(q, back)) {
		fprintf(stderr, "canonical JSON %s does not read back\n", json);
		abort();
	}
	(void)query_resolve(v, q, false, &err);
	query_hash(v, q, hash);
out:
	free(json);
	free(printed);
	free(text);
	query_free(&back);
	query_free(&again);
	query_free(&q);
	return 0;
}
