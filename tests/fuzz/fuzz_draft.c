/* Fuzz target: the reader of the researcher's draft files (store/drafts),
 * which the user may edit and a disk may corrupt. A refusal is one
 * non-empty line. Whatever it accepts keeps the rules the header states
 * (UUIDs, hash, counts, SUBMITTED with its negotiation) and reads back
 * unchanged from what draft_to_json makes of it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/drafts.h"
#include "util/uuid.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size);

static void check_rules(const struct draft *d)
{
	if (!uuid_is_valid(d->id) || !uuid_is_valid(d->idempotency_key) || d->hub == NULL ||
	    d->hub[0] == '\0' || d->cohort_text == NULL || strlen(d->cohort_hash) != 64 ||
	    !json_is_object(d->cohort_ast) || !json_is_object(d->payload) ||
	    draft_state_name(d->state) == NULL ||
	    (d->state == DRAFT_SUBMITTED && d->negotiation_id == NULL))
		abort();
	if (d->counts.present && (d->counts.subjects < 0 || d->counts.studies < 0))
		abort();
	for (size_t i = 0; i < d->counts.n_sites; i++)
		if (d->counts.sites[i].site == NULL || d->counts.sites[i].status == NULL ||
		    d->counts.sites[i].subjects < -1 || d->counts.sites[i].studies < -1)
			abort();
	for (size_t i = 0; i < d->n_collections; i++)
		if (d->collections[i].id == NULL || d->collections[i].id[0] == '\0' ||
		    d->collections[i].name == NULL || d->collections[i].provider_id == NULL ||
		    d->collections[i].provider_name == NULL)
			abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, unsigned long size)
{
	char err[512] = "", *text;
	struct draft *d, *again;
	json_t *first, *second;

	d = draft_read_text((const char *)data, size, err, sizeof err);
	if (d == NULL) {
		if (err[0] == '\0' || strchr(err, '\n') != NULL || strchr(err, '\r') != NULL)
			abort();
		return 0;
	}
	check_rules(d);
	first = draft_to_json(d, err, sizeof err);
	if (first == NULL)
		abort(); /* what was read must be writable */
	text = json_dumps(first, JSON_INDENT(2));
	if (text == NULL)
		abort();
	/* Indenting can take a file near the limit over it. */
	if (strlen(text) <= DRAFT_FILE_MAX) {
		again = draft_read_text(text, strlen(text), err, sizeof err);
		if (again == NULL)
			abort();
		second = draft_to_json(again, err, sizeof err);
		if (second == NULL || !json_equal(first, second))
			abort();
		json_decref(second);
		draft_free(&again);
	}
	json_decref(first);
	free(text);
	draft_free(&d);
	return 0;
}
