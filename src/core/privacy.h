/* The privacy rule of PROTOCOL.md §8, applied at the site to every count
 * before it leaves: zero stays zero; below the threshold reports the
 * threshold, marked suppressed; otherwise true + Laplace(0, 1/epsilon),
 * rounded, never below the threshold. The noise is drawn from
 * HMAC-SHA256(site secret, stratum || true count), so asking again gives
 * the same answer and cannot average the noise away. */
#ifndef ECII_CORE_PRIVACY_H
#define ECII_CORE_PRIVACY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct privacy_rule {
	int threshold;  /* true counts below it are suppressed (default 10) */
	int rounding;   /* reported counts are multiples of it (default 10) */
	double epsilon; /* Laplace noise scale is 1 / epsilon (default 0.28) */
};

#define PRIVACY_RULE_DEFAULT \
	{                    \
		10, 10, 0.28 \
	}

/* The count to report for true count n in the stratum named by stratum
 * (borrowed, e.g. "collection:c-01:subjects"); *suppressed (may be NULL)
 * tells whether 0 < n < threshold. secret is 32 bytes. */
uint64_t privacy_count(const struct privacy_rule *rule, const uint8_t secret[32],
                       const char *stratum, uint64_t n, bool *suppressed);

/* The payload's "privacy" member: {"threshold","rounding","noise":"laplace",
 * "epsilon"}. Returns new. */
json_t *privacy_rule_to_json(const struct privacy_rule *rule);
/* Reads it back; 0, or -1 if it is not such an object. */
int privacy_rule_from_json(json_t *obj, struct privacy_rule *rule);

#endif
