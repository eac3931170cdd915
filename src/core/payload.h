/* The site payload of PROTOCOL.md §3 (with ecii's extensions: stratifiers,
 * privacy, suppressed, unsupported, elapsed_ms). A site builds it from its
 * exact counts, applying the privacy rule on the way; a client reads it
 * back, from its own sites in local mode or from the network. The reader
 * takes outside data: it never trusts a field's presence or type. */
#ifndef ECII_CORE_PAYLOAD_H
#define ECII_CORE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/count.h"
#include "core/privacy.h"
#include "core/vocab.h"

/* What the builder needs to know of the site. All borrowed. */
struct payload_site {
	const char *id;
	const char *name; /* "provider" */
	const struct privacy_rule *rule;
	const uint8_t *secret; /* 32 bytes */
	bool exact;            /* the site operator's own exact counts: no rule applied */
};

/* Builds the payload for result r. ids[c] names result collection c;
 * items is the site's §5 catalogue items (borrowed), for names and
 * descriptive fields. Collections with no matching subject are left out.
 * Returns new. */
json_t *payload_build(const struct vocab *v, const struct payload_site *site, json_t *items,
                      char *const *ids, const struct count_result *r, double elapsed_ms);

struct answer_collection {
	char *id;
	char *name;
	uint64_t subjects;
	uint64_t studies;
	bool suppressed;
};

/* One stratifier: counts per value code (or bin label). */
struct answer_stratum {
	char *key;
	char **codes;
	uint64_t *counts;
	size_t n;
};

/* A site's answer as a client holds it. Strings owned. */
struct site_answer {
	char *provider;
	struct answer_collection *collections;
	size_t n_collections;
	uint64_t subjects; /* sums over collections */
	uint64_t studies;
	struct answer_stratum *strata;
	size_t n_strata;
	bool has_privacy;
	bool exact;
	struct privacy_rule privacy;
	char **unsupported;
	size_t n_unsupported;
	double elapsed_ms; /* -1 if not given */
};

/* Reads a payload (borrowed). Tolerates missing optional members, both
 * "modality" and "modalities", odd labels. Returns 0, or -1 with a reason
 * in err and out cleared. */
int payload_read(json_t *payload, struct site_answer *out, char *err, size_t errlen);
int payload_read_text(const char *text, size_t len, struct site_answer *out, char *err,
                      size_t errlen);
void site_answer_clear(struct site_answer *a);
/* The stratifier with the given key, or NULL. Borrowed. */
const struct answer_stratum *site_answer_stratum(const struct site_answer *a, const char *key);

#endif
