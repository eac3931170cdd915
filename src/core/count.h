/* The count engine: evaluates a query over one site's columns and gives,
 * per collection, matching subjects and their matching studies, and per
 * vocabulary field the stratifier counts with that field's own criteria
 * left out (DESIGN.md, count semantics). Exact counts: the privacy rule is
 * applied afterwards (privacy.h), before anything leaves the site. */
#ifndef ECII_CORE_COUNT_H
#define ECII_CORE_COUNT_H

#include <stdint.h>

#include "core/query.h"
#include "core/site_data.h"

struct count_collection {
	uint64_t subjects;
	uint64_t studies;
};

struct count_result {
	size_t n_collections; /* as in the site_data */
	struct count_collection *collections;
	uint64_t subjects; /* totals over collections */
	uint64_t studies;
	/* Per vocabulary field: counts of subjects per value (categorical,
	 * n_values cells) or per bin (numeric, n_bins cells). */
	uint64_t *strata[VOCAB_MAX_FIELDS];
	/* Criterion keys of the query this site cannot evaluate (not in the
	 * vocabulary); such a criterion matches nothing. Owned strings. */
	char **unsupported;
	size_t n_unsupported;
};

/* Counts q over d. Values that do not resolve to the vocabulary match
 * nothing. Returns new; never NULL. */
struct count_result *count_run(const struct site_data *d, const struct query *q);
void count_result_free(struct count_result **r);

#endif
