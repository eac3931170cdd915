/* Deterministic Laplace noise with threshold and rounding. */
#include "config.h"

#include "core/privacy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/hash.h"

/* A uniform number in (0, 1) drawn from the HMAC of stratum and count. */
static double keyed_uniform(const uint8_t secret[32], const char *stratum, uint64_t n)
{
	struct buf msg = BUF_INIT;
	uint8_t mac[HASH_SHA256_LEN];
	uint64_t bits = 0;

	buf_puts(&msg, stratum);
	buf_putc(&msg, '\0');
	buf_printf(&msg, "%llu", (unsigned long long)n);
	hash_hmac_sha256(secret, 32, msg.data, msg.len, mac);
	buf_free(&msg);
	for (int i = 0; i < 8; i++)
		bits = (bits << 8) | mac[i];
	/* 53 random bits, shifted off zero so the logarithm stays finite. */
	return ((double)(bits >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t privacy_count(const struct privacy_rule *rule, const uint8_t secret[32],
                       const char *stratum, uint64_t n, bool *suppressed)
{
	double u, noise, noisy, rounding = rule->rounding > 0 ? rule->rounding : 1;
	uint64_t threshold = rule->threshold > 0 ? (uint64_t)rule->threshold : 0;

	if (suppressed != NULL)
		*suppressed = n > 0 && n < threshold;
	if (n == 0)
		return 0;
	if (n < threshold)
		return threshold;
	u = keyed_uniform(secret, stratum, n) - 0.5;
	noise = rule->epsilon > 0
	            ? -(1.0 / rule->epsilon) * copysign(1.0, u) * log(1.0 - 2.0 * fabs(u))
	            : 0;
	noisy = rounding * round(((double)n + noise) / rounding);
	if (noisy < (double)threshold)
		return threshold;
	return (uint64_t)noisy;
}

json_t *privacy_rule_to_json(const struct privacy_rule *rule)
{
	return json_pack("{s:i, s:i, s:s, s:f}", "threshold", rule->threshold, "rounding",
	                 rule->rounding, "noise", "laplace", "epsilon", rule->epsilon);
}

int privacy_rule_from_json(json_t *obj, struct privacy_rule *rule)
{
	json_t *t = json_object_get(obj, "threshold"), *r = json_object_get(obj, "rounding");
	json_t *e = json_object_get(obj, "epsilon");

	if (!json_is_integer(t) || !json_is_integer(r))
		return -1;
	rule->threshold = (int)json_integer_value(t);
	rule->rounding = (int)json_integer_value(r);
	rule->epsilon = json_is_number(e) ? json_number_value(e) : 0;
	return 0;
}
