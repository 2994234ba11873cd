/* exp3.h - EXP3 (Auer, Cesa-Bianchi, Freund, Schapire 2002), a low-regret
 * learner for adversarial bandits, with its pull probabilities exposed.
 *
 *   p_i = (1 - gamma) w_i / sum_j w_j + gamma / K
 *   after pulling arm i with reward x in [0,1]:  w_i *= exp(eta x / p_i)
 *
 * eta = gamma / K is the original algorithm.  The strategic suite needs p
 * itself, because the collusive strategies of Braverman et al. offer
 * theta (1 - p_i). */
#ifndef SMAB_EXP3_H
#define SMAB_EXP3_H

#include "smab/common.h"

typedef struct smab_exp3 {
	int K;
	double gamma, eta;
	double *w;       /* weights, rescaled by powers of two (p is unchanged) */
	double wsum;
} smab_exp3;

/* Auer et al.'s Corollary 3.2 tuning for horizon T:
 * gamma = min(1, sqrt(K ln K / ((e - 1) T))). */
double smab_exp3_default_gamma(int K, int64_t T);

/* Allocate the weights of a K-arm learner (K >= 1) and reset it. */
int smab_exp3_alloc(smab_exp3 *e, int K, double gamma, double eta);
void smab_exp3_free(smab_exp3 *e);
/* All weights 1: the state before the first round. */
void smab_exp3_reset(smab_exp3 *e);
/* Pull probabilities p[0..K-1] of the next round (they sum to 1). */
void smab_exp3_probs(const smab_exp3 *e, double *p);
/* The arm drawn by inverse CDF from p with a uniform u in [0,1); never an
 * arm of probability 0, even when the partial sums fall short of u. */
int smab_exp3_draw(const double *p, int K, double u);
/* Record reward x of arm i, which was pulled with probability p_i. */
void smab_exp3_update(smab_exp3 *e, int i, double x, double p_i);

#endif
