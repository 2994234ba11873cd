/* strategic.h - the pieces of the 'strategic' suite (Braverman, Mao,
 * Schneider, Weinberg, COLT 2019) that tests check on
 * their own: the phase plan of Mechanisms 1 and 2 and the defection
 * trigger of the collusive strategy S*. */
#ifndef SMAB_STRATEGIC_H
#define SMAB_STRATEGIC_H

#include <gsl/gsl_rng.h>

#include "smab/common.h"
#include "smab/rng.h"

/* The constants and phase lengths of Mechanism 1 or 2 for one point. */
typedef struct smab_sp_plan {
	int mech2;          /* 0: Mechanism 1 (Section 4.1), 1: Mechanism 2 (4.2) */
	int K;
	int64_t T;
	int64_t B;          /* rounds per arm in exploration (1 in Mechanism 1) */
	double M;           /* buffer (0 in Mechanism 1 and with restricted payments) */
	double u;           /* scoring-rule offset */
	int64_t R;          /* exploitation rounds asked of i* (>= 0) */
	int64_t bonus;      /* bonus rounds of a compliant i* (= B) */
} smab_sp_plan;

/* Mechanism 1: B = 1, M = 0, u = -ln mu_min + 1, R = floor(T - (u+2)K - 1).
 * Mechanism 2: B = floor(2 eps^(1/4) T^(3/4) / mu_min) unless B_set > 0,
 * M = 8 B^(-1/2) ln(KT) unless M_set >= 0, M = 0 when 'restricted',
 * u = -ln mu_min + 2 + M, R = floor(T - (u+3) B K).  R is floored at 0,
 * and B is capped at 1e15 (so B K stays far inside int64; it is not capped
 * at T since M depends on it).  Natural logarithms throughout.  mu_min in
 * (0, 1]. */
int smab_sp_plan_init(smab_sp_plan *pl, int mech2, int K, int64_t T,
                      double mu_min, double eps, double B_set, double M_set,
                      int restricted);

/* Scoring-rule rounds (step 5) of an arm whose reported exploration
 * average is wbar, given a uniform 'coin' in [0,1):
 * s = u + ln(wbar - M); 0 if wbar <= M or s < 0, else
 * B * (floor(s) + [coin < s - floor(s)]), capped at T (computed in doubles:
 * nothing overflows). */
int64_t smab_sp_score_rounds(const smab_sp_plan *pl, double wbar, double coin);

/* The mean of smab_sp_score_rounds over a uniform coin, for the same plan
 * and wbar: with s = u + ln(wbar - M) (0 if wbar <= M or s < 0),
 * (1 - q) min(B floor(s), T) + q min(B (floor(s) + 1), T), q = s - floor(s).
 * (The coins are multiples of 2^-32, so the mean differs from this by less
 * than B 2^-32.) */
double smab_sp_score_expected(const smab_sp_plan *pl, double wbar);

/* The K step-5 coins coin[0..K-1] of the Mechanism 1/2 run whose stream is
 * (key; SMAB_RNG_MECH, id): the first K uniforms of its block 0, drawn with r
 * (which is left after them), wherever r stood, so a profile run and its
 * deviated twin get the same coins whenever step 5 starts. */
void smab_sp_coins(gsl_rng *r, const smab_rng_key *key, uint64_t id, int K, double *coin);

/* Theorem 21's trigger: 1 if some arm's pull count exceeds arm i's by at
 * least B (count[0..K-1]), else 0. */
int smab_sstar_trigger(const int64_t *count, int K, int i, double B);

#endif
