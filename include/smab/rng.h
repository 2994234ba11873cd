/* rng.h - counter-based random streams (Random123 Philox4x64-10).
 *
 * A stream is named by what is simulated, never by who simulates it:
 *   key     = (experiment seed, point id, replication)
 *   counter = (purpose, id, block)     id = an arm, a mechanism, an agent ...
 * so the same task draws the same numbers on any rank, in any order.
 * A stream is a gsl_rng (through Random123's gsl_microrng adapter), so every
 * GSL sampler can draw from it. */
#ifndef SMAB_RNG_H
#define SMAB_RNG_H

#include <gsl/gsl_rng.h>
#include "smab/common.h"

/* Pass as 'point' for environment streams that must be shared by every point
 * of a sweep (common random numbers across swept values). */
#define SMAB_RNG_ALL_POINTS UINT32_MAX

/* What a stream is for.  New purposes go at the end: the numbers are part of
 * the streams' names, so changing one changes every result. */
enum smab_rng_purpose {
	SMAB_RNG_REWARD = 1,   /* reward noise tapes, id = arm, block = pull block */
	SMAB_RNG_ENV = 2,      /* environment draws (instances, contexts, priors) */
	SMAB_RNG_MECH = 3,     /* a mechanism's own randomness, id = mechanism */
	SMAB_RNG_PLAN = 4,     /* design draws made before any task (sampled coalitions) */
	SMAB_RNG_TEST = 99     /* reserved for tests */
};

typedef struct smab_rng_key {
	uint64_t seed;
	uint32_t point, rep;
} smab_rng_key;

/* A new generator; it must be positioned with smab_rng_seek before use. */
gsl_rng *smab_rng_alloc(void);
void smab_rng_free(gsl_rng **r);

/* Position 'r' at the start of stream (key; purpose, id, block).  A stream
 * yields up to 2^34 32-bit draws. */
void smab_rng_seek(gsl_rng *r, const smab_rng_key *key, uint32_t purpose,
                   uint64_t id, uint64_t block);

/* The raw Philox4x64-10 block for (key; c0, c1, c2, c3), for known-answer
 * tests and for callers that need one draw without a generator. */
void smab_rng_block(const smab_rng_key *key, const uint64_t ctr[4],
                    uint64_t out[4]);

/* A uniform double in [0, 1) with 53 random bits, from a 64-bit word. */
static inline double smab_rng_u01(uint64_t w)
{
	return (double)(w >> 11) * 0x1.0p-53;
}

#endif
