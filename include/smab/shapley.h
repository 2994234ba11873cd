/* shapley.h - cooperative games on M <= SMAB_MAX_AGENTS players.
 *
 * A coalition is a bit mask: agent a is in coalition S when bit a of S is
 * set.  A game is its characteristic function as a table v[0 .. 2^M - 1]
 * with v[0] = 0 (the empty coalition).  Nothing here knows of bandits,
 * HDF5 or MPI: these are the textbook definitions, exact to the last bit
 * where the arithmetic allows it, so tests can check them on games whose
 * values are known in closed form. */
#ifndef SMAB_SHAPLEY_H
#define SMAB_SHAPLEY_H

#include "smab/common.h"

/* Largest number of agents of a coalition game (masks fit in 16 bits, and
 * an exact table of 2^16 values is still small). */
#define SMAB_MAX_AGENTS 16

/* Number of set bits of a mask. */
int smab_coal_size(uint32_t mask);

/* Every non-empty coalition of M agents, ordered by size and then by mask
 * value (the order of the paper's tables): masks[0 .. 2^M - 2].  Returns
 * the count 2^M - 1. */
int smab_coal_all(int M, uint32_t *masks);

/* The coalitions whose size is one of sizes[0..nsizes-1], in the same
 * order.  Returns the count (masks must hold 2^M - 1). */
int smab_coal_sizes(int M, const int *sizes, int nsizes, uint32_t *masks);

/* Sort masks[0..n-1] by size, then value, and drop duplicates.  Returns
 * the new count. */
int smab_coal_sort(uint32_t *masks, int n);

/* n random orders of the M agents, drawn from the experiment seed alone
 * (Philox stream SMAB_RNG_PLAN), so the run and a later 'smab shapley'
 * draw the same ones: perm[k * M + i] is the i-th agent of order k. */
void smab_coal_perms(uint64_t seed, int M, int n, int *perm);

/* The coalitions along the orders perm[0 .. n*M-1]: every non-empty prefix
 * of every order, sorted and without duplicates.  masks must hold n * M.
 * Returns the count. */
int smab_coal_perm_masks(int M, int n, const int *perm, uint32_t *masks);

/* Exact Shapley value of every agent:
 *   phi_a = sum over S not containing a of
 *           |S|! (M - |S| - 1)! / M! * (v[S | a] - v[S]).
 * v has 2^M entries, v[0] = 0.  O(M 2^M), summed in a fixed order (the
 * same table gives the same bits).  Returns SMAB_EINVAL for a bad M, a NULL
 * pointer, v[0] != 0 or a NaN in v. */
int smab_shapley_exact(int M, const double *v, double *phi);

/* Permutation estimate: the mean over the n orders of each agent's
 * marginal contribution v[prefix with a] - v[prefix without a].  Only the
 * coalitions along the orders are read (the others may be NaN).  sd[a] is
 * the sample standard deviation of the n contributions (NaN when n < 2),
 * so phi[a] -/+ t sd[a] / sqrt(n) is its confidence interval.  sd may be
 * NULL.  SMAB_EINVAL for a bad M, n < 1, an order that is not a
 * permutation of 0..M-1 or a NaN on the way. */
int smab_shapley_perm(int M, const double *v, int n, const int *perm,
                      double *phi, double *sd);

/* Core membership of the payout p[0..M-1]: p is in the core when every
 * coalition S gets at least its value, sum_{a in S} p_a >= v[S] - tol, and
 * the grand coalition's payout is efficient up to tol.  Returns 1 if in
 * the core, 0 if not; *worst gets the coalition with the largest excess
 * v[S] - sum_{a in S} p_a and *excess that excess (either may be NULL).
 * -SMAB_EINVAL (negative, since 1 means "in the core") for a bad M, a NULL
 * or a NaN in v or p. */
int smab_core_check(int M, const double *v, const double *p, double tol,
                    uint32_t *worst, double *excess);

/* Convexity (supermodularity): v[S | a] - v[S] <= v[Q | a] - v[Q] + tol for
 * every S subset of Q and a not in Q; equivalently, for every S and two
 * agents a != b outside S, v[S|a|b] - v[S|b] >= v[S|a] - v[S] - tol.
 * Returns the number of violated (S, a, b) triples with a < b (0: convex)
 * and sets *checked to the number of triples examined and *worst to the
 * largest violation (0 if none); either may be NULL.  -SMAB_EINVAL for a
 * bad M, v NULL or a NaN in v (a partial design is not checked). */
int64_t smab_convex_check(int M, const double *v, double tol, int64_t *checked,
                          double *worst);

/* Which pairs (Q, S) the Assumption-3 scan compares, agent a in S, S a
 * proper subset of Q (Assumption 3 asks R_a^Q <= R_a^S for all of them):
 *   SMAB_A3_ADJACENT  S = Q minus one other agent.  With every coalition
 *                     run this implies the rest by chaining, and it is the
 *                     count the paper reports;
 *   SMAB_A3_SUBSETS   every S that ran: a partial design (say singletons
 *                     and the grand coalition) may hold no adjacent pair. */
enum { SMAB_A3_ADJACENT = 0, SMAB_A3_SUBSETS = 1 };

/* One agent-coalition pair where "the more the merrier" (Assumption 3 of
 * the paper) fails: agent a's regret in Q exceeds its regret in the
 * sub-coalition S. */
typedef struct smab_a3_pair {
	uint32_t q, s;
	int agent;
	double rq, rs;       /* the two regrets compared */
} smab_a3_pair;

/* Scan the pairs of 'rule' (SMAB_A3_ADJACENT: every (Q, b in Q, a in Q,
 * a != b) with S = Q \ {b}; SMAB_A3_SUBSETS: every (Q, a in Q, S a proper
 * subset of Q holding a)): a violation is R[Q*M + a] > R[S*M + a] + tol.
 * R holds 2^M * M regrets, NaN where a coalition was not run (such pairs
 * are skipped).  Writes up to maxout violations to out (may be NULL),
 * ordered by Q's size and value, then a, then S (increasing); returns the
 * number of violations and sets *checked to the pairs compared (may be
 * NULL).  -SMAB_EINVAL for a bad M or rule, R NULL or maxout < 0. */
int64_t smab_a3_scan(int M, const double *R, int rule, double tol, smab_a3_pair *out,
                     int64_t maxout, int64_t *checked);

#endif
