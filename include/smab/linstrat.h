/* linstrat.h - the confidence radii and elimination rules of the strategic
 * linear bandits in the contextual suite (COBRA's LOOM, OptGTM), as plain
 * functions of a least-squares state and a history so that tests can drive
 * them on constructed histories.  src/suites/contextual.c says which paper
 * form each one is. */
#ifndef SMAB_LINSTRAT_H
#define SMAB_LINSTRAT_H

#include "smab/linalg.h"

/* Radius of the confidence ellipsoid after n observations (Abbasi-Yadkori
 * et al. 2011, Thm 2, determinant-free form):
 *   sigma sqrt(D log((1 + n L2 / lambda) / delta)) + sqrt(lambda) S,
 * L2 a bound on squared feature norms, S on ||theta*||. */
double smab_ay_beta(double sigma, int D, double n, double L2, double lambda,
                    double delta, double S);

/* theta^T x + beta ||x||_{V^-1} of state s: a UCB index for beta > 0, a
 * lower confidence bound for beta < 0. */
double smab_lin_index(const smab_ls *s, const double *x, double beta);

/* OptGTM's radius, as its authors' code computes it:
 *   sqrt(lambda) D + sqrt(2 log T + D log((D + T D^2) / (D lambda))). */
double smab_optgtm_beta(int D, double lambda, double T);
/* theta_a^T x - beta ||x||_{V_a^-1}: the term OptGTM adds to L_a after
 * agent a's own state has taken its report x. */
double smab_optgtm_term(const smab_ls *own, const double *x, double beta);
/* 1 if OptGTM drops the agent: L_a > R_a + 2 sqrt(n_a log T). */
int smab_optgtm_drops(double lsum, double rsum, double n, double T);

/* LOOM's pessimistic sum for agent a, exact form: sum over a's n past
 * reports hist (n x D) of theta_{-a}^T x_s - beta ||x_s||_{V_{-a}^-1} under
 * the current leave-one-out state loo, with xsum = sum_s x_s.  work: n x D
 * scratch, w2: n scratch.  One DSYMM: O(n D^2). */
double smab_loom_lcb_exact(const smab_ls *loo, const double *hist, int n,
                           const double *xsum, double beta, double *work,
                           double *w2);
/* Cached form: theta_{-a}^T xsum - beta wsum, wsum the sum of each report's
 * width ||x_s||_{V_{-a}^-1} taken when it was made.  O(D). */
double smab_loom_lcb_cached(const smab_ls *loo, const double *xsum, double wsum,
                            double beta);
/* LOOM's optimistic bound on a's total expected reward: its observed reward
 * sum plus sigma sqrt(2 n log(1/delta)) (Hoeffding, sigma-sub-Gaussian). */
double smab_loom_ucb(double rsum, double n, double sigma, double delta);

#endif
