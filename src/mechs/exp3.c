/* exp3.c - EXP3 with exposed probabilities (see exp3.h). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "smab/exp3.h"

/* Weights are kept below 2^RESCALE by multiplying them all by 2^-RESCALE:
 * a power of two is exact, so the probabilities do not change at all. */
#define RESCALE 600

double smab_exp3_default_gamma(int K, int64_t T)
{
	if (K < 2 || T < 1)
		return 1.0;
	double g = sqrt(K * log((double)K) / ((M_E - 1.0) * (double)T));
	return g < 1.0 ? g : 1.0;
}

int smab_exp3_alloc(smab_exp3 *e, int K, double gamma, double eta)
{
	if (!e || K < 1 || !(gamma >= 0.0 && gamma <= 1.0) || !(eta >= 0.0))
		return SMAB_EINVAL;
	e->K = K;
	e->gamma = gamma;
	e->eta = eta;
	e->w = smab_xmalloc((size_t)K * sizeof *e->w);
	smab_exp3_reset(e);
	return SMAB_OK;
}

void smab_exp3_free(smab_exp3 *e)
{
	if (e) {
		free(e->w);
		e->w = NULL;
	}
}

void smab_exp3_reset(smab_exp3 *e)
{
	for (int i = 0; i < e->K; i++)
		e->w[i] = 1.0;
	e->wsum = e->K;
}

void smab_exp3_probs(const smab_exp3 *e, double *p)
{
	double a = (1.0 - e->gamma) / e->wsum, b = e->gamma / e->K;
	for (int i = 0; i < e->K; i++)
		p[i] = a * e->w[i] + b;
}

int smab_exp3_draw(const double *p, int K, double u)
{
	/* When rounding leaves the partial sums short of u, the draw falls to
	 * the last arm: the last one of positive probability, since the
	 * update divides by p_i. */
	int last = K - 1;
	while (last > 0 && !(p[last] > 0.0))
		last--;
	double c = 0.0;
	for (int i = 0; i < last; i++) {
		c += p[i];
		if (u < c)
			return i;
	}
	return last;
}

void smab_exp3_update(smab_exp3 *e, int i, double x, double p_i)
{
	double z = e->eta * x / p_i, nw = e->w[i] * exp(z);
	if (e->w[i] == 0.0 || !(nw <= 0x1p1000)) {
		/* w_i e^z overflowed or came near it (a large eta over a small
		 * p_i), or w_i was flushed to zero by an earlier rescale: compute
		 * w_i in the log domain (a flushed weight counts as the smallest
		 * double) and, if it is large, take every weight down by the power
		 * of two 2^-sh that brings it to about 2^600.  Weights far below it
		 * flush to zero, which is what their probabilities are.  The
		 * shift is a double: z = eta x / p_i has no bound (p_i = 1e-300
		 * gives 1e302, or +inf).  A shift of 4096 or more flushes every
		 * weight (all are below 2^1024); beyond the ints lw - sh ln 2
		 * keeps no digit, and w_i alone holds the mass: 2^600. */
		double lw = (e->w[i] > 0.0 ? log(e->w[i]) : log(0x1p-1074)) + z;
		double sh = ceil(lw * M_LOG2E) - RESCALE;
		if (sh > 0)
			for (int k = 0; k < e->K; k++)
				e->w[k] = sh < 4096 ? ldexp(e->w[k], -(int)sh) : 0.0;
		else
			sh = 0;
		e->w[i] = sh <= INT_MAX ? exp(lw - sh * M_LN2) : 0x1p600;
	} else {
		e->w[i] = nw;
	}
	double s = 0.0;
	for (int k = 0; k < e->K; k++)
		s += e->w[k];
	if (s > 0x1p600) {
		s = 0.0;
		for (int k = 0; k < e->K; k++) {
			e->w[k] = ldexp(e->w[k], -RESCALE);
			s += e->w[k];
		}
	}
	e->wsum = s;
}
