/* rng.c - Random123 Philox streams as GSL generators.
 *
 * Random123's gsl_microrng.h turns a counter-based generator into a gsl_rng
 * type; the upper 32 bits of the last counter word count the calls, which is
 * why our own counter layout leaves them zero. */
#include <Random123/philox.h>
#include <Random123/gsl_microrng.h>

#include "smab/rng.h"

/* The adapter's own arithmetic trips -Wconversion; it is library code. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
GSL_MICRORNG(smab_philox, philox4x64);
#pragma GCC diagnostic pop

gsl_rng *smab_rng_alloc(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_smab_philox);
	if (!r) {
		fprintf(stderr, "smab: cannot allocate a random stream\n");
		abort();
	}
	return r;
}

void smab_rng_free(gsl_rng **r)
{
	if (r && *r) {
		gsl_rng_free(*r);
		*r = NULL;
	}
}

static philox4x64_key_t make_key(const smab_rng_key *key)
{
	philox4x64_key_t k = {{key->seed,
	                       ((uint64_t)key->point << 32) | key->rep}};
	return k;
}

void smab_rng_seek(gsl_rng *r, const smab_rng_key *key, uint32_t purpose,
                   uint64_t id, uint64_t block)
{
	/* ctr = (block, id, purpose, 0); microrng counts in ctr[3]'s top half. */
	philox4x64_ctr_t c = {{block, id, purpose, 0}};
	smab_philox_reset(r, c, make_key(key));
}

void smab_rng_block(const smab_rng_key *key, const uint64_t ctr[4],
                    uint64_t out[4])
{
	philox4x64_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
	philox4x64_ctr_t x = philox4x64(c, make_key(key));
	for (int i = 0; i < 4; i++)
		out[i] = x.v[i];
}
