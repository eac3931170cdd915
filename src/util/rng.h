/* A small deterministic random generator (xoshiro256**, seeded by
 * splitmix64): the same seed gives the same stream on every machine. */
#ifndef ECII_UTIL_RNG_H
#define ECII_UTIL_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1). */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Normal with the given mean and standard deviation. */
double rng_normal(struct rng *r, double mean, double sd);

#endif
