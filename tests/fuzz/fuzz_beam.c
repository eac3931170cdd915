/* Property fuzzer for the start-search body (core/beam.c): whatever reads
 * must build again and read back to the same task id, the same sites and
 * an equal query; a refusal must say why. Runs under libFuzzer (make fuzz)
 * and over the seed corpus under make check. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/beam.h"
#include "core/query.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

static int same_sites(const struct beam_search *a, const struct beam_search *b)
{
	if ((a->sites == NULL) != (b->sites == NULL) || a->n_sites != b->n_sites)
		return 0;
	for (size_t i = 0; i < a->n_sites; i++) {
		if (strcmp(a->sites[i], b->sites[i]) != 0)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	struct beam_search s, back;
	char err[512] = "", err2[512] = "";
	char *body = NULL;

	if (beam_search_read((const char *)data, size, &s, err, sizeof err) != 0) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL)
			abort();
		return 0;
	}
	body = beam_search_build(s.task_id, s.sites, s.n_sites, s.query);
	/* Numbers can grow when written out in full; such a body may
	 * rightly be refused, so only one within the limit must read back. */
	if (strlen(body) <= BEAM_MAX_BODY) {
		if (beam_search_read(body, strlen(body), &back, err2, sizeof err2) != 0) {
			fprintf(stderr, "built body does not read back: %s\n%s\n", err2, body);
			abort();
		}
		if (strcmp(s.task_id, back.task_id) != 0 || !same_sites(&s, &back) ||
		    !query_equal(s.query, back.query)) {
			fprintf(stderr, "built body reads back different: %s\n", body);
			abort();
		}
		beam_search_clear(&back);
	}
	free(body);
	beam_search_clear(&s);
	return 0;
}
