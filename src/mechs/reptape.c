/* reptape.c - block-wise reward tapes of registered arms (see reptape.h). */
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "smab/reptape.h"

smab_reptape *smab_reptape_alloc(int cap)
{
	smab_reptape *tp = smab_xcalloc(1, sizeof *tp);
	size_t n = cap > 0 ? (size_t)cap : 1;
	tp->cap = cap;
	tp->r = smab_rng_alloc();
	tp->id = smab_xcalloc(n, sizeof *tp->id);
	tp->mu = smab_xcalloc(n, sizeof *tp->mu);
	tp->pos = smab_xcalloc(n, sizeof *tp->pos);
	tp->buf = smab_xcalloc(n * SMAB_REPTAPE_BLOCK, sizeof *tp->buf);
	return tp;
}

void smab_reptape_free(smab_reptape **tp)
{
	if (!tp || !*tp)
		return;
	smab_rng_free(&(*tp)->r);
	free((*tp)->id);
	free((*tp)->mu);
	free((*tp)->pos);
	free((*tp)->buf);
	free(*tp);
	*tp = NULL;
}

void smab_reptape_init(smab_reptape *tp, const smab_rng_key *key, int noise,
                       double sigma)
{
	tp->key = *key;
	tp->noise = noise;
	tp->sigma = sigma;
}

void smab_reptape_set(smab_reptape *tp, int a, uint64_t id, double mu)
{
	tp->id[a] = id;
	tp->mu[a] = mu;
	tp->pos[a] = 0;
}

void smab_reptape_fill(smab_reptape *tp, int a)
{
	int64_t block = tp->pos[a] / SMAB_REPTAPE_BLOCK;
	double *v = tp->buf + (size_t)a * SMAB_REPTAPE_BLOCK;
	double mu = tp->mu[a];
	smab_rng_seek(tp->r, &tp->key, SMAB_RNG_REWARD, tp->id[a], (uint64_t)block);
	if (tp->noise == SMAB_REPTAPE_BERNOULLI) {
		for (int k = 0; k < SMAB_REPTAPE_BLOCK; k++)
			v[k] = gsl_rng_uniform(tp->r) < mu ? 1.0 : 0.0;
	} else {
		double s = tp->sigma;
		for (int k = 0; k < SMAB_REPTAPE_BLOCK; k++)
			v[k] = mu + s * gsl_ran_gaussian_ziggurat(tp->r, 1.0);
	}
}
