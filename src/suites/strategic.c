/* strategic.c - strategic arms that keep part of their reward (Braverman,
 * Mao, Schneider, Weinberg, "Multi-armed bandit problems with strategic
 * arms", COLT 2019; Sections 2-4 and Appendix A).
 *
 * Model.  K arms.  When arm i is pulled it privately draws v ~ D_i and
 * passes w to the principal, keeping v - w.  Payments are unrestricted
 * (w in [0,1]) or restricted (w in [0,v]); whatever a strategy asks for is
 * clipped to that range.  Observation is tacit (after each round every arm
 * sees only which arm was pulled) or explicit (it also sees the w passed).
 * D_i is a point mass, Bernoulli,
 * Beta with concentration kappa, uniform on [mu - h, mu + h] with
 * h = min(spread, mu, 1 - mu), or a Gaussian N(loc, spread^2) truncated to
 * [0,1]; mu_i is the distribution's true mean (for the truncated Gaussian
 * the mean of the truncated law, not 'loc').
 *
 * Principals (the engine's mechanisms):
 *   exp3   EXP3 (src/mechs/exp3.c), gamma = min(1, sqrt(K ln K/((e-1)T))),
 *          eta = gamma/K unless set.  The arms that need p_{i,t} (collude,
 *          split, splitw) read it "conditioned on the history": explicit
 *          arms see every w, so they read EXP3's own p.  Tacit arms see only
 *          the pulls, so they compute the belief q: a second EXP3, same
 *          gamma and eta, fed for each pull of arm j what j's profile
 *          strategy would have passed on q (its mean where that is its
 *          value, which they cannot see; clipped to [0,1], since the cap at
 *          v of restricted payments is unseen too).  When every arm plays
 *          the profile with unrestricted payments and nobody has defected,
 *          q = p to the bit; a deviator's extra or missing payments make
 *          them differ.  The deviating arm itself knows its own payments
 *          and reads p (it can rebuild it: the others' payments are a
 *          function of q, which it can compute too).  Under the other
 *          principals arms read the same p in both models (our
 *          simplification: the paper's collusion results are for EXP3-like
 *          learners).
 *   ucb    UCB1 on the reported w (index mean + sqrt(2 ln t / n)), each arm
 *          once first; p_{i,t} is the indicator of the arm it will pull.
 *   ts     Gaussian Thompson sampling on the reported w, theta_i ~
 *          N(mean_i, 1/(n_i+1)); its p has no closed form, so strategies
 *          that need p read 1/K under ts (our choice).
 *   mech1  Mechanism 1 (Section 4.1) and
 *   mech2  Mechanism 2 (Section 4.2), with the constants of smab_sp_plan
 *          (strategic.h): explore B rounds per arm in index order; i* =
 *          argmax of the reported averages (ties to the lowest index), w' the
 *          largest other average; ask i* for w' - M for R rounds and stop
 *          playing it at the first shortfall (Mechanism 1: a round's report
 *          below w'; Mechanism 2: the step's running average below w' - M
 *          once it has B rounds), B bonus rounds if it complied; B rounds of
 *          each other arm in index order; then per arm in index order the
 *          scoring-rule rounds B floor(u + ln(wbar - M)) plus B more with
 *          probability of the fractional part.  p_{i,t} is the indicator of
 *          the scheduled arm.
 *          Our choices: a shortfall is a report below the ask by more than
 *          1e-9 relative (the paper's "different from w'" would also stop an
 *          arm that overpays); the rounds a defection frees, and any left
 *          after step 5, are idle: nobody is pulled and the principal gets
 *          nothing (they count in the regret).  With restricted payments
 *          M = 0 (the paper's adaptation).
 *
 * Arm strategies (parameter 'profile'; arms flagged in 'nonstrategic' are
 * always truthful, Theorem 18's mix):
 *   truthful   w = v.
 *   collude    S* of Theorem 21: delta = collude.delta (default
 *              sqrt(T ln T), the theorem's smallest), theta = sqrt(K delta/T),
 *              B = 7 sqrt(K T delta); offer theta (1 - p_{i,t}); once some
 *              arm's pull count exceeds yours by B, offer the full value v
 *              forever after (checked at the end of each round).  Theorem
 *              21 says w = mu_i after the defection; v has the same mean
 *              under unrestricted payments and is the only choice that is
 *              feasible under restricted ones (Theorems 19 and 23 use v).
 *   split      Theorem 19 (K = 2): B = 6 sqrt(T delta), theta = sqrt(delta/T);
 *              defect (w = v) once c_i < c_o - B; else theta if c_i < c_o and
 *              p_i < p_o, else 0.
 *   splitw     Theorem 23 (K = 2): the same with c/mu and p/mu in place of c
 *              and p, and B_i = 6 sqrt(T delta)/mu_o (the symmetric form).
 *   grim       Theorem 25 (explicit model): w = 0 until another arm is seen
 *              passing a positive amount, then w = v.  Under tacit
 *              observation nothing is seen, so it never triggers.
 *   dominant   Lemma 12 (mech1) / Lemma 15 (mech2): report mu_i + M in
 *              exploration; as i*, report w' - M in the R rounds if
 *              w' - M <= mu_i, else 0 at once (defect); 0 in every other
 *              round.  Restricted payments: report v in exploration, and as a
 *              compliant i* report v until a total of R w' is reached, then 0.
 *              The paper adapts only Mechanism 2 to restricted payments
 *              (Section 4.2, M = 0): under mech1 this strategy falls short of
 *              w' in the first round v < w' and is stopped, so mech1 with
 *              restricted payments and dominant/priorfree arms earns about 0.
 *              That combination is outside the paper; don't read it as a
 *              finding about Mechanism 1.
 *   priorfree  Lemma 17: as dominant but report v + M in exploration.
 *   Under exp3/ucb/ts, dominant and priorfree have no phases to follow and
 *   play truthful.
 *
 * Deviation axis: 'deviate.arm' = d > 0 runs every mechanism twice per task,
 * the profile and the profile with arm d playing 'deviate.kind', on the same
 * value tapes and the same mechanism stream (common random numbers); the
 * deviation gain is u_d(deviated) - u_d(profile).  Kinds:
 *   truthful   w = v throughout;
 *   defect     from round tau on, w = v (leave the cartel / the profile);
 *   shirk      mech1/mech2: report 0 in the exploitation step; others: 0
 *              from round tau on;
 *   over/under mech1/mech2: exploration reports +x / -x; others: +x / -x
 *              from round tau on.
 *
 * Metrics (of the profile run): revenue sum w (curve), revenue/T,
 * revenue/(mu' T) (mu' the second-largest mean; NaN if mu' = 0), the
 * pseudo-regret sum_t (mu* - mu_{I_t}) (idle rounds count mu*; curve),
 * whether and when the first defection happened (a collusive or grim arm
 * switching to full value, or i* being stopped for a shortfall; the round
 * from which it acts, NaN when none - summaries skip NaN; a trigger in the
 * last round acts in no round and does not count), the deviation
 * gain and the deviating arm's utility and the revenue in the deviated run
 * (all 0 without a deviation), belief_gap (exp3, tacit: how far the deviated
 * run's belief q of the deviator lags its p, averaged over rounds), and for arm slots 1..8 each arm's utility
 * sum (v - w) and pull share n_i / T (0 for slots beyond K).
 *
 * Randomness: the j-th pull of arm i gets value F_i^{-1}(u_{i,j}) (for Beta
 * values from the quantile table of betaq.h, within 1e-12) where u is
 * a tape from (key {seed, ALL_POINTS, rep}; REWARD, arm, j / 1024): every
 * mechanism, both runs of a deviation pair and every point of a sweep see
 * the same uniforms.  Principals draw from (key {seed, point, rep}; MECH,
 * mechanism, (t-1) / 2^24): exp3 one uniform a round, ts K normals a round;
 * mech1/mech2 draw only the K step-5 coins, always the first K uniforms of
 * block 0 (smab_sp_coins), so both runs of a deviation pair flip the same
 * coins even when their step 5 starts in different blocks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "smab/betaq.h"
#include "smab/exp3.h"
#include "smab/rng.h"
#include "smab/strategic.h"
#include "smab/suite.h"

enum {
	P_HORIZON, P_MEANS, P_ARMS, P_MEAN_BEST, P_GAP, P_DIST, P_SPREAD, P_CONC, P_PAYMENTS, P_OBSERVE,
	P_PROFILE, P_NONSTRAT, P_EXP3_GAMMA, P_EXP3_ETA, P_DELTA, P_EPS,
	P_MECH_B, P_MECH_M, P_MU_MIN, P_DEV_ARM, P_DEV_KIND, P_DEV_TAU, P_DEV_X,
	NPARAMS
};

enum { D_POINT, D_BERNOULLI, D_BETA, D_UNIFORM, D_GAUSS };
enum { S_TRUTHFUL, S_COLLUDE, S_SPLIT, S_SPLITW, S_GRIM, S_DOMINANT, S_PRIORFREE };
enum { V_TRUTHFUL, V_DEFECT, V_SHIRK, V_OVER, V_UNDER };

static const smab_param_decl params[NPARAMS] = {
	[P_HORIZON] = {"horizon", SMAB_P_INT, "10000", 1, 1e9, NULL,
	               "rounds T of each replication"},
	[P_MEANS] = {"means", SMAB_P_VEC, "[]", 0, 1, NULL,
	             "location of each arm's value distribution; empty: mean_best - gap (i-1)"},
	[P_ARMS] = {"arms", SMAB_P_INT, "2", 2, 64, NULL,
	            "number of arms K (must equal the length of 'means' when that is given)"},
	[P_MEAN_BEST] = {"mean_best", SMAB_P_REAL, "0.5", 0, 1, NULL,
	                 "location of arm 1 when 'means' is empty"},
	[P_GAP] = {"gap", SMAB_P_REAL, "0.05", -1, 1, NULL,
	           "mean_best - gap (i-1) is arm i's location when 'means' is empty (clipped to [0,1]; negative: rising)"},
	[P_DIST] = {"dist", SMAB_P_ENUM, "bernoulli", 0, 0, "point|bernoulli|beta|uniform|gauss",
	            "value distribution D_i around means[i]"},
	[P_SPREAD] = {"spread", SMAB_P_REAL, "0.1", 0, 10, NULL,
	              "uniform: half-width (capped to stay in [0,1]); gauss: sd before truncation to [0,1]"},
	[P_CONC] = {"concentration", SMAB_P_REAL, "10", 1e-6, 1e6, NULL,
	            "beta: a + b, so D_i = Beta(mu kappa, (1 - mu) kappa)"},
	[P_PAYMENTS] = {"payments", SMAB_P_ENUM, "unrestricted", 0, 0, "unrestricted|restricted",
	                "unrestricted: w in [0,1]; restricted: w in [0,v]"},
	[P_OBSERVE] = {"observe", SMAB_P_ENUM, "tacit", 0, 0, "tacit|explicit",
	               "tacit: arms see only which arm was pulled (under exp3, S* arms track p by replaying EXP3 as if all played S*); explicit: also the amount passed (they read p)"},
	[P_PROFILE] = {"profile", SMAB_P_ENUM, "truthful", 0, 0,
	               "truthful|collude|split|splitw|grim|dominant|priorfree",
	               "strategy of every strategic arm (see the suite's docs)"},
	[P_NONSTRAT] = {"nonstrategic", SMAB_P_VEC, "[]", 0, 1, NULL,
	                "per arm 1 = non-strategic (always w = v), 0 = plays the profile; empty: all 0"},
	[P_EXP3_GAMMA] = {"exp3.gamma", SMAB_P_REAL, "0", 0, 1, NULL,
	                  "EXP3 exploration gamma; 0: min(1, sqrt(K ln K / ((e-1) T)))"},
	[P_EXP3_ETA] = {"exp3.eta", SMAB_P_REAL, "0", 0, 100, NULL,
	                "EXP3 learning rate eta; 0: gamma / K"},
	[P_DELTA] = {"collude.delta", SMAB_P_REAL, "0", 0, 1e12, NULL,
	             "regret bound delta of the collusive strategies; 0: sqrt(T ln T)"},
	[P_EPS] = {"mech.eps", SMAB_P_REAL, "0.0001", 1e-30, 1e12, NULL,
	           "Mechanism 2: epsilon of B = 2 eps^(1/4) T^(3/4) / mu_min"},
	[P_MECH_B] = {"mech.B", SMAB_P_INT, "0", 0, 1e9, NULL,
	              "Mechanism 2: exploration rounds per arm B; 0: from mech.eps"},
	[P_MECH_M] = {"mech.M", SMAB_P_REAL, "-1", -1, 10, NULL,
	              "Mechanism 2: buffer M; -1: 8 B^(-1/2) ln(KT) (always 0 with restricted payments)"},
	[P_MU_MIN] = {"mech.mu_min", SMAB_P_REAL, "0", 0, 1, NULL,
	              "the mechanisms' mu_min; 0: the smallest nonzero true mean"},
	[P_DEV_ARM] = {"deviate.arm", SMAB_P_INT, "0", 0, 64, NULL,
	               "arm (1-based) that deviates in a paired second run; 0: no deviation"},
	[P_DEV_KIND] = {"deviate.kind", SMAB_P_ENUM, "truthful", 0, 0,
	                "truthful|defect|shirk|over|under",
	                "the deviating arm's alternative strategy"},
	[P_DEV_TAU] = {"deviate.tau", SMAB_P_INT, "1", 1, 1e9, NULL,
	               "first round of 'defect' (any principal) and of shirk/over/under under exp3/ucb/ts"},
	[P_DEV_X] = {"deviate.x", SMAB_P_REAL, "0.05", 0, 1, NULL,
	             "amount x of over/under-reporting"},
};

enum { M_EXP3, M_UCB, M_TS, M_MECH1, M_MECH2, NMECHS };

static const smab_mech_decl mechs[NMECHS] = {
	[M_EXP3] = {"exp3", "EXP3 (Auer et al. 2002), a low-regret adversarial learner"},
	[M_UCB] = {"ucb", "UCB1 on the reported amounts (learning only)"},
	[M_TS] = {"ts", "Gaussian Thompson sampling on the reported amounts (learning only)"},
	[M_MECH1] = {"mech1", "Mechanism 1: one report per arm, second-price ask, scoring-rule rounds"},
	[M_MECH2] = {"mech2", "Mechanism 2: B reports per arm, ask w' - M, bonus and scoring-rule rounds"},
};

/* Per-arm metrics exist for arm slots 1..KSLOTS. */
#define KSLOTS 8
#define KMAX 64

enum {
	X_REV, X_REV_RATE, X_REV_RATIO, X_REGRET, X_DEFECTED, X_FIRST_DEFECT,
	X_DEV_GAIN, X_DEV_GAIN_CV, X_DEV_UTIL, X_DEV_REV, X_BELIEF_GAP, X_UTIL1,
	X_SHARE1 = X_UTIL1 + KSLOTS,
	NMETRICS = X_SHARE1 + KSLOTS
};

static const smab_metric_decl metrics[NMETRICS] = {
	[X_REV] = {"revenue", 1, "principal's revenue sum_t w_t", "reward"},
	[X_REV_RATE] = {"revenue_rate", 0, "revenue / T", "reward per round"},
	[X_REV_RATIO] = {"revenue_ratio", 0, "revenue / (mu' T), mu' the second-largest mean", "fraction"},
	[X_REGRET] = {"regret", 1, "pseudo-regret sum_t (mu* - mu_{I_t}), idle rounds count mu*", "reward"},
	[X_DEFECTED] = {"defected", 0, "1 if any arm defected (or i* was stopped), else 0", "count"},
	[X_FIRST_DEFECT] = {"first_defect", 0, "round of the first defection; NaN when none", "rounds"},
	[X_DEV_GAIN] = {"dev_gain", 0, "deviating arm's utility, deviated minus profile run (paired)", "reward"},
	[X_DEV_GAIN_CV] = {"dev_gain_cv", 0,
	                   "dev_gain minus mu_d (n5 - E n5) of the deviated and the profile run, n5 the deviator's step-5 rounds (mech1/mech2; = dev_gain elsewhere): same mean, no coin noise",
	                   "reward"},
	[X_DEV_UTIL] = {"dev_util", 0, "deviating arm's utility in the deviated run", "reward"},
	[X_DEV_REV] = {"dev_revenue", 0, "principal's revenue in the deviated run", "reward"},
	[X_BELIEF_GAP] = {"belief_gap", 0,
	                  "deviated exp3 run, tacit: mean over rounds of p_d - q_d, the deviator's pull probability minus the S* arms' belief of it; else 0",
	                  "probability"},
	[X_UTIL1 + 0] = {"util_1", 0, "utility sum (v - w) of arm 1", "reward"},
	[X_UTIL1 + 1] = {"util_2", 0, "utility of arm 2", "reward"},
	[X_UTIL1 + 2] = {"util_3", 0, "utility of arm 3 (0 if K < 3)", "reward"},
	[X_UTIL1 + 3] = {"util_4", 0, "utility of arm 4 (0 if K < 4)", "reward"},
	[X_UTIL1 + 4] = {"util_5", 0, "utility of arm 5 (0 if K < 5)", "reward"},
	[X_UTIL1 + 5] = {"util_6", 0, "utility of arm 6 (0 if K < 6)", "reward"},
	[X_UTIL1 + 6] = {"util_7", 0, "utility of arm 7 (0 if K < 7)", "reward"},
	[X_UTIL1 + 7] = {"util_8", 0, "utility of arm 8 (0 if K < 8)", "reward"},
	[X_SHARE1 + 0] = {"share_1", 0, "pull share n_1 / T of arm 1", "fraction"},
	[X_SHARE1 + 1] = {"share_2", 0, "pull share of arm 2", "fraction"},
	[X_SHARE1 + 2] = {"share_3", 0, "pull share of arm 3 (0 if K < 3)", "fraction"},
	[X_SHARE1 + 3] = {"share_4", 0, "pull share of arm 4 (0 if K < 4)", "fraction"},
	[X_SHARE1 + 4] = {"share_5", 0, "pull share of arm 5 (0 if K < 5)", "fraction"},
	[X_SHARE1 + 5] = {"share_6", 0, "pull share of arm 6 (0 if K < 6)", "fraction"},
	[X_SHARE1 + 6] = {"share_7", 0, "pull share of arm 7 (0 if K < 7)", "fraction"},
	[X_SHARE1 + 7] = {"share_8", 0, "pull share of arm 8 (0 if K < 8)", "fraction"},
};

/* ---- value distributions --------------------------------------------------- */

typedef struct dist {
	int kind;
	double loc, spread, conc;
	double lo, span;        /* uniform: [lo, lo + span]; gauss: Phi(a), Phi(b) - Phi(a) */
	const smab_betaq *bq;   /* beta: the quantile table, NULL: the direct quantile */
} dist;

static void dist_init(dist *d, int kind, double loc, double spread, double conc)
{
	d->kind = kind;
	d->loc = loc;
	d->spread = spread;
	d->conc = conc;
	d->lo = d->span = 0.0;
	d->bq = NULL;
	if (kind == D_BETA && loc > 0.0 && loc < 1.0) {
		d->bq = smab_betaq_get(loc * conc, (1.0 - loc) * conc);
	} else if (kind == D_UNIFORM) {
		double h = fmin(spread, fmin(loc, 1.0 - loc));
		d->lo = loc - h;
		d->span = 2.0 * h;
	} else if (kind == D_GAUSS && spread > 0.0) {
		d->lo = gsl_cdf_ugaussian_P(-loc / spread);
		d->span = gsl_cdf_ugaussian_P((1.0 - loc) / spread) - d->lo;
	}
}

/* The value with uniform u in [0,1): the quantile F^{-1}(u). */
static double dist_value(const dist *d, double u)
{
	switch (d->kind) {
	case D_BERNOULLI:
		return u < d->loc ? 1.0 : 0.0;
	case D_BETA:
		if (d->loc <= 0.0 || d->loc >= 1.0)
			return d->loc;
		if (d->bq)
			return smab_betaq_eval(d->bq, u);
		return smab_betaq_direct(u, d->loc * d->conc, (1.0 - d->loc) * d->conc);
	case D_UNIFORM:
		return d->lo + d->span * u;
	case D_GAUSS: {
		if (d->spread <= 0.0 || d->span <= 0.0)
			return fmin(1.0, fmax(0.0, d->loc));
		double x = d->loc + d->spread * gsl_cdf_ugaussian_Pinv(d->lo + d->span * u);
		return fmin(1.0, fmax(0.0, x));
	}
	default:
		return d->loc;
	}
}

/* The true mean of the distribution. */
static double dist_mean(const dist *d)
{
	if (d->kind == D_GAUSS) {
		if (d->spread <= 0.0 || d->span <= 0.0)
			return fmin(1.0, fmax(0.0, d->loc));
		double s = d->spread, a = -d->loc / s, b = (1.0 - d->loc) / s;
		return d->loc + s * (gsl_ran_ugaussian_pdf(a) - gsl_ran_ugaussian_pdf(b)) / d->span;
	}
	return d->loc;
}

/* ---- the value tape -------------------------------------------------------- */

/* Pulls per tape block; part of the streams' names. */
#define TAPE_BLOCK 1024

typedef struct tape {
	int K;
	double **val;        /* [K][len[i]] values of each pull */
	int64_t *len;
	dist *d;
	gsl_rng *r;
	smab_rng_key key;
} tape;

/* Make values up to index j of arm i exist: pulls are consecutive, so the
 * next block is the one needed. */
static void __attribute__((noinline)) tape_fill(tape *tp, int i, int64_t j)
{
	while (tp->len[i] <= j) {
		int64_t b0 = tp->len[i];
		tp->val[i] = smab_xrealloc(tp->val[i], (size_t)(b0 + TAPE_BLOCK) * sizeof(double));
		smab_rng_seek(tp->r, &tp->key, SMAB_RNG_REWARD, (uint64_t)i,
		              (uint64_t)(b0 / TAPE_BLOCK));
		for (int64_t k = b0; k < b0 + TAPE_BLOCK; k++)
			tp->val[i][k] = dist_value(&tp->d[i], gsl_rng_uniform(tp->r));
		tp->len[i] = b0 + TAPE_BLOCK;
	}
}

static inline double tape_get(tape *tp, int i, int64_t j)
{
	if (j >= tp->len[i])
		tape_fill(tp, i, j);
	return tp->val[i][j];
}

/* ---- Mechanisms 1 and 2: constants and phases ------------------------------- */

int smab_sp_plan_init(smab_sp_plan *pl, int mech2, int K, int64_t T,
                      double mu_min, double eps, double B_set, double M_set,
                      int restricted)
{
	if (!pl || K < 1 || T < 1 || !(mu_min > 0.0 && mu_min <= 1.0) || !(eps > 0.0))
		return SMAB_EINVAL;
	pl->mech2 = mech2;
	pl->K = K;
	pl->T = T;
	double r;
	if (!mech2) {
		pl->B = 1;
		pl->M = 0.0;
		pl->u = -log(mu_min) + 1.0;
		r = floor((double)T - (pl->u + 2.0) * K - 1.0);
	} else {
		double b = B_set > 0 ? B_set
		           : floor(2.0 * pow(eps, 0.25) * pow((double)T, 0.75) / mu_min);
		pl->B = b < 1.0 ? 1 : (b > 1e15 ? (int64_t)1e15 : (int64_t)b);
		pl->M = M_set >= 0.0 ? M_set
		        : 8.0 / sqrt((double)pl->B) * log((double)K * (double)T);
		if (restricted)
			pl->M = 0.0;
		pl->u = -log(mu_min) + 2.0 + pl->M;
		r = floor((double)T - (pl->u + 3.0) * (double)pl->B * K);
	}
	pl->R = r > 0.0 ? (int64_t)r : 0;
	pl->bonus = pl->B;
	return SMAB_OK;
}

int64_t smab_sp_score_rounds(const smab_sp_plan *pl, double wbar, double coin)
{
	if (!(wbar - pl->M > 0.0))
		return 0;
	double s = pl->u + log(wbar - pl->M);
	if (!(s >= 0.0))
		return 0;
	/* In doubles, capped at T: no segment outlasts the run, and a large u
	 * (a tiny mu_min) or B cannot overflow the product. */
	double f = floor(s), n = (double)pl->B * (f + (coin < s - f ? 1.0 : 0.0));
	return n < (double)pl->T ? (int64_t)n : pl->T;
}

double smab_sp_score_expected(const smab_sp_plan *pl, double wbar)
{
	if (!(wbar - pl->M > 0.0))
		return 0.0;
	double s = pl->u + log(wbar - pl->M);
	if (!(s >= 0.0))
		return 0.0;
	double f = floor(s), q = s - f, T = (double)pl->T;
	return (1.0 - q) * fmin((double)pl->B * f, T) + q * fmin((double)pl->B * (f + 1.0), T);
}

void smab_sp_coins(gsl_rng *r, const smab_rng_key *key, uint64_t id, int K, double *coin)
{
	/* Mechanisms 1 and 2 draw nothing else from their stream, so moving it
	 * costs no other draw; block 0 is where every run with T <= 2^24 drew
	 * its coins before, so those results keep their bits. */
	smab_rng_seek(r, key, SMAB_RNG_MECH, id, 0);
	for (int i = 0; i < K; i++)
		coin[i] = gsl_rng_uniform(r);
}

int smab_sstar_trigger(const int64_t *count, int K, int i, double B)
{
	int64_t m = count[0];
	for (int j = 1; j < K; j++)
		if (count[j] > m)
			m = count[j];
	return (double)(m - count[i]) >= B;
}

enum { PH_LEARN, PH_EXPLORE, PH_EXPLOIT, PH_BONUS, PH_OTHERS, PH_SCORE, PH_IDLE };

/* Where a run of Mechanism 1 or 2 is. */
typedef struct sp_state {
	int ph, arm;          /* phase and the arm of the current segment */
	int64_t left;         /* rounds left in the segment */
	int istar;
	double target;        /* w' - M asked of i* */
	double ex_sum;        /* i*'s reports in the exploitation step */
	int64_t ex_n;
	int stopped;
	double *wsum;         /* [K] exploration report sums, then averages */
	double *coin;         /* [K] step-5 coins */
	double cv;            /* the deviating arm's step-5 rounds minus their mean */
} sp_state;

/* ---- the simulation --------------------------------------------------------- */

typedef struct sim {
	int K, restricted, explicit_obs;
	int64_t T;
	double mu_star, mu_second;
	double *mu;                  /* true means */
	int *strat;                  /* each arm's profile strategy */
	int collusive;               /* some arm plays collude/split/splitw */
	int grim;                    /* some arm plays grim */
	double th_k, B_k;            /* Theorem 21 */
	double th_2, B_2[2], sc_2[2];  /* Theorems 19 / 23: scales 1 or mu */
	smab_exp3 ex;
	int tacit;                   /* exp3 runs keep the tacit arms' belief */
	smab_exp3 shadow;            /* EXP3 fed what S* would have passed */
	smab_sp_plan plan[2];
	int dev_arm, dev_kind;       /* dev_arm 0-based, -1 none */
	int64_t dev_tau;
	double dev_x;
	tape tp;
	gsl_rng *r;
	smab_rng_key mkey;
	/* per-run state */
	int64_t *n;
	double *p, *mean, *util;
	double *q;                   /* [K] the tacit arms' belief about p */
	char *defected;
	sp_state sp;
} sim;

typedef struct outcome {
	double revenue, regret, first_defect;
	double belief_gap;           /* mean of p_d - q_d (deviated exp3 run, tacit) */
	double cv;                   /* mech1/mech2: the deviator's coin term */
	double *util;                /* [K] */
	int64_t *n;                  /* [K] */
} outcome;

/* Rounds per block of a mechanism stream (ts draws about 2K words a round). */
#define MECH_PERIOD ((int64_t)1 << 24)

/* Move the schedule of Mechanism 1/2 to the next nonempty segment. */
static void sp_advance(sim *s, int mech)
{
	sp_state *st = &s->sp;
	const smab_sp_plan *pl = &s->plan[mech == M_MECH2];
	const int K = s->K;
	while (st->left == 0 && st->ph != PH_IDLE) {
		switch (st->ph) {
		case PH_EXPLORE:
			if (st->arm + 1 < K) {
				st->arm++;
				st->left = pl->B;
				break;
			}
			/* Exploration done: averages, i*, w'. */
			for (int i = 0; i < K; i++)
				st->wsum[i] /= (double)pl->B;
			st->istar = 0;
			for (int i = 1; i < K; i++)
				if (st->wsum[i] > st->wsum[st->istar])
					st->istar = i;
			double wp = -INFINITY;
			for (int i = 0; i < K; i++)
				if (i != st->istar && st->wsum[i] > wp)
					wp = st->wsum[i];
			st->target = wp - pl->M;
			st->ph = PH_EXPLOIT;
			st->arm = st->istar;
			st->left = pl->R;
			break;
		case PH_EXPLOIT:
			if (!st->stopped) {
				st->ph = PH_BONUS;
				st->left = pl->bonus;
				break;
			}
			/* a stopped i* gets no bonus */
			__attribute__((fallthrough));
		case PH_BONUS:
			st->ph = PH_OTHERS;
			st->arm = -1;
			__attribute__((fallthrough));
		case PH_OTHERS:
			st->arm++;
			if (st->arm == st->istar)
				st->arm++;
			if (st->arm < K) {
				st->left = pl->B;
				break;
			}
			smab_sp_coins(s->r, &s->mkey, (uint64_t)mech, K, st->coin);
			st->ph = PH_SCORE;
			st->arm = -1;
			__attribute__((fallthrough));
		case PH_SCORE:
			st->arm++;
			if (st->arm < K) {
				st->left = smab_sp_score_rounds(pl, st->wsum[st->arm], st->coin[st->arm]);
				if (st->arm == s->dev_arm)
					st->cv = (double)st->left - smab_sp_score_expected(pl, st->wsum[st->arm]);
				break;
			}
			st->ph = PH_IDLE;
			st->arm = -1;
			break;
		default:
			break;
		}
	}
}

/* The amount arm i asks to pass under its profile strategy, reading the
 * pull probabilities p (the principal's, or the tacit belief q). */
static double offer_profile(const sim *s, int mech, int i, double v, const double *p)
{
	const sp_state *st = &s->sp;
	const int ph = (mech == M_MECH1 || mech == M_MECH2) ? st->ph : PH_LEARN;
	const double M = s->plan[mech == M_MECH2].M;
	switch (s->strat[i]) {
	case S_COLLUDE:
		return s->defected[i] ? v : s->th_k * (1.0 - p[i]);
	case S_SPLIT:
	case S_SPLITW: {
		if (s->defected[i])
			return v;
		int o = 1 - i;
		double ci = (double)s->n[i] / s->sc_2[i], co = (double)s->n[o] / s->sc_2[o];
		return (ci < co && p[i] / s->sc_2[i] < p[o] / s->sc_2[o]) ? s->th_2 : 0.0;
	}
	case S_GRIM:
		return s->defected[i] ? v : 0.0;
	case S_DOMINANT:
	case S_PRIORFREE:
		switch (ph) {
		case PH_LEARN:
			return v;
		case PH_EXPLORE:
			if (s->restricted)
				return v;
			return (s->strat[i] == S_DOMINANT ? s->mu[i] : v) + M;
		case PH_EXPLOIT:
			if (st->target > s->mu[i])
				return 0.0;          /* paying more than the mean: defect */
			if (s->restricted) {
				double owe = (double)s->plan[mech == M_MECH2].R * (st->target + M) - st->ex_sum;
				return owe > 0.0 ? fmin(v, owe) : 0.0;
			}
			return st->target;
		default:
			return 0.0;
		}
	default:
		return v;
	}
}

/* The amount arm i asks to pass in round t of run 'dev' (0 profile, 1
 * deviated), clipped to the payment model's range. */
static double offer(const sim *s, int mech, int dev, int i, double v, int64_t t)
{
	/* Under tacit observation an arm cannot see what the others passed, so
	 * S* arms read the belief q; the deviator knows its own payments and,
	 * the others playing S* on q, can rebuild the principal's p. */
	const int own = dev && i == s->dev_arm;
	const double *p = mech == M_EXP3 && s->tacit && !own ? s->q : s->p;
	double w = offer_profile(s, mech, i, v, p);
	if (own) {
		int phased = mech == M_MECH1 || mech == M_MECH2;
		int on = t >= s->dev_tau;
		switch (s->dev_kind) {
		case V_TRUTHFUL: w = v; break;
		case V_DEFECT: if (on) w = v; break;
		case V_SHIRK:
			if (phased ? s->sp.ph == PH_EXPLOIT : on)
				w = 0.0;
			break;
		case V_OVER:
		case V_UNDER:
			if (phased ? s->sp.ph == PH_EXPLORE : on)
				w += s->dev_kind == V_OVER ? s->dev_x : -s->dev_x;
			break;
		default: break;
		}
	}
	double hi = s->restricted ? v : 1.0;
	/* NaN (which no strategy should produce) clips to 0, not through. */
	return !(w > 0.0) ? 0.0 : (w > hi ? hi : w);
}

/* What the tacit arms believe arm i passed when pulled: its profile
 * strategy on their belief q, with its mean for the value they cannot see
 * (the full value a defected S* arm passes, a non-strategic arm's report),
 * clipped to [0,1]: the restricted payments' cap at v is invisible too. */
static double believed_pass(const sim *s, int i)
{
	double w = offer_profile(s, M_EXP3, i, s->mu[i], s->q);
	return !(w > 0.0) ? 0.0 : (w > 1.0 ? 1.0 : w);
}

static int argmax_ucb(const sim *s, int64_t t)
{
	const int K = s->K;
	if (t <= K)
		return (int)(t - 1);
	double lt = 2.0 * log((double)t);
	int best = 0;
	double bi = -INFINITY;
	for (int k = 0; k < K; k++) {
		double x = s->mean[k] + sqrt(lt / (double)s->n[k]);
		if (x > bi) {
			bi = x;
			best = k;
		}
	}
	return best;
}

static int argmax_ts(const sim *s)
{
	int best = 0;
	double bi = -INFINITY;
	for (int k = 0; k < s->K; k++) {
		double x = s->mean[k] + gsl_ran_gaussian_ziggurat(s->r, 1.0) / sqrt((double)s->n[k] + 1.0);
		if (x > bi) {
			bi = x;
			best = k;
		}
	}
	return best;
}

/* Mark arm i as defected from round 'from' on.  A defection decided at the
 * end of round T acts in no round: it is not one. */
static void defect(sim *s, int i, int64_t from, double *first)
{
	if (from > s->T)
		return;
	s->defected[i] = 1;
	if (isnan(*first))
		*first = (double)from;
}

/* End-of-round triggers of the collusive and grim strategies. */
static void triggers(sim *s, int i, double w, int64_t t, double *first)
{
	const int K = s->K;
	if (s->grim && s->explicit_obs && w > 0.0)
		for (int j = 0; j < K; j++)
			if (j != i && s->strat[j] == S_GRIM && !s->defected[j])
				defect(s, j, t + 1, first);
	if (!s->collusive)
		return;
	for (int j = 0; j < K; j++) {
		if (s->defected[j])
			continue;
		if (s->strat[j] == S_COLLUDE) {
			if (smab_sstar_trigger(s->n, K, j, s->B_k))
				defect(s, j, t + 1, first);
		} else if (s->strat[j] == S_SPLIT || s->strat[j] == S_SPLITW) {
			int o = 1 - j;
			if ((double)s->n[j] / s->sc_2[j] < (double)s->n[o] / s->sc_2[o] - s->B_2[j])
				defect(s, j, t + 1, first);
		}
	}
}

/* Feed the report w of arm i to Mechanism 1/2 (exploration sums, the
 * shortfall rule) and count the round. */
static void sp_record(sim *s, int mech, double w, int64_t t, double *first)
{
	sp_state *st = &s->sp;
	const smab_sp_plan *pl = &s->plan[mech == M_MECH2];
	const double tol = 1e-9;
	if (st->ph == PH_EXPLORE) {
		st->wsum[st->arm] += w;
	} else if (st->ph == PH_EXPLOIT) {
		st->ex_sum += w;
		st->ex_n++;
		int short_;
		if (mech == M_MECH1)
			short_ = w < st->target - tol * fmax(1.0, fabs(st->target));
		else
			short_ = st->ex_n >= pl->B &&
			         st->ex_sum < (double)st->ex_n * (st->target - tol * fmax(1.0, fabs(st->target)));
		if (short_) {
			st->stopped = 1;
			st->left = 1;          /* decremented below */
			if (isnan(*first))
				*first = (double)t;
		}
	}
	st->left--;
	sp_advance(s, mech);
}

/* One run of mechanism 'mech'; dev = 1 plays the deviation.  Revenue and
 * regret curves go to rc / gc when non-NULL. */
static void run_once(sim *s, const smab_task *t, int mech, int dev,
                     double *rc, double *gc, outcome *o)
{
	const int K = s->K;
	const int64_t T = s->T;
	for (int i = 0; i < K; i++) {
		s->n[i] = 0;
		s->mean[i] = 0.0;
		s->util[i] = 0.0;
		s->defected[i] = 0;
		s->p[i] = mech == M_TS ? 1.0 / K : 0.0;
	}
	smab_rng_seek(s->r, &s->mkey, SMAB_RNG_MECH, (uint64_t)mech, 0);
	smab_exp3_reset(&s->ex);
	const int belief = mech == M_EXP3 && s->tacit;
	if (belief)
		smab_exp3_reset(&s->shadow);
	sp_state *st = &s->sp;
	const int phased = mech == M_MECH1 || mech == M_MECH2;
	if (phased) {
		for (int i = 0; i < K; i++)
			st->wsum[i] = st->coin[i] = 0.0;
		st->ph = PH_EXPLORE;
		st->arm = 0;
		st->left = s->plan[mech == M_MECH2].B;
		st->istar = 0;
		st->target = st->ex_sum = 0.0;
		st->ex_n = 0;
		st->stopped = 0;
		st->cv = 0.0;
	}
	double rev = 0.0, reg = 0.0, first = NAN, gap = 0.0;
	int c = 0, prev = -1;
	for (int64_t tt = 1; tt <= T; tt++) {
		if (tt > 1 && (tt - 1) % MECH_PERIOD == 0)
			smab_rng_seek(s->r, &s->mkey, SMAB_RNG_MECH, (uint64_t)mech,
			              (uint64_t)((tt - 1) / MECH_PERIOD));
		int i;
		switch (mech) {
		case M_EXP3:
			smab_exp3_probs(&s->ex, s->p);
			if (belief) {
				smab_exp3_probs(&s->shadow, s->q);
				if (dev)
					gap += s->p[s->dev_arm] - s->q[s->dev_arm];
			}
			i = smab_exp3_draw(s->p, K, gsl_rng_uniform(s->r));
			break;
		case M_UCB:
			i = argmax_ucb(s, tt);
			break;
		case M_TS:
			i = argmax_ts(s);
			break;
		default:
			i = st->ph == PH_IDLE ? -1 : st->arm;
			break;
		}
		if (mech != M_EXP3 && mech != M_TS) {
			if (prev >= 0)
				s->p[prev] = 0.0;
			if (i >= 0)
				s->p[i] = 1.0;
			prev = i;
		}
		if (i < 0) {
			reg += s->mu_star;
		} else {
			double v = tape_get(&s->tp, i, s->n[i]);
			double w = offer(s, mech, dev, i, v, tt);
			rev += w;
			reg += s->mu_star - s->mu[i];
			s->util[i] += v - w;
			int64_t ni = ++s->n[i];
			switch (mech) {
			case M_EXP3:
				smab_exp3_update(&s->ex, i, w, s->p[i]);
				if (belief)
					smab_exp3_update(&s->shadow, i, believed_pass(s, i), s->q[i]);
				break;
			case M_UCB:
			case M_TS:
				s->mean[i] += (w - s->mean[i]) / (double)ni;
				break;
			default:
				sp_record(s, mech, w, tt, &first);
				break;
			}
			triggers(s, i, w, tt, &first);
		}
		while (c < t->ncheck && t->check[c] == tt) {
			if (rc)
				rc[c] = rev;
			if (gc)
				gc[c] = reg;
			c++;
		}
	}
	o->revenue = rev;
	o->regret = reg;
	o->first_defect = first;
	o->belief_gap = gap / (double)T;
	o->cv = phased && s->dev_arm >= 0 ? s->mu[s->dev_arm] * st->cv : 0.0;
	for (int i = 0; i < K; i++) {
		o->util[i] = s->util[i];
		o->n[i] = s->n[i];
	}
}

/* ---- the suite's entry points ------------------------------------------------ */

/* Location of arm i (0-based): 'means' if given, else mean_best - gap i,
 * clipped to [0,1]. */
static double arm_loc(const smab_value *p, int i)
{
	if (p[P_MEANS].n > 0)
		return p[P_MEANS].v[i];
	return fmin(1.0, fmax(0.0, p[P_MEAN_BEST].x - p[P_GAP].x * i));
}

static int strategic_check(const smab_value *p, char *msg, size_t len, int *bad)
{
	int K = (int)p[P_ARMS].x;
	if (p[P_MEANS].n > 0 && p[P_MEANS].n != K) {
		snprintf(msg, len, "'means' has %d entries but 'arms' is %d: they must agree",
		         p[P_MEANS].n, K);
		*bad = P_MEANS;
		return 1;
	}
	if (K < 2 || K > KMAX) {
		snprintf(msg, len, "%d arms: 2 to %d are supported", K, KMAX);
		*bad = P_ARMS;
		return 1;
	}
	int prof = (int)p[P_PROFILE].x;
	if ((prof == S_SPLIT || prof == S_SPLITW) && K != 2) {
		snprintf(msg, len, "profiles 'split' and 'splitw' are two-arm strategies, but there are %d arms", K);
		*bad = P_PROFILE;
		return 1;
	}
	if (prof == S_SPLITW)
		for (int i = 0; i < K; i++)
			if (!(arm_loc(p, i) > 0.0)) {
				snprintf(msg, len, "profile 'splitw' divides by the means: they must be > 0");
				*bad = P_MEANS;
				return 1;
			}
	if (p[P_NONSTRAT].n != 0 && p[P_NONSTRAT].n != K) {
		snprintf(msg, len, "'nonstrategic' has %d entries but there are %d arms",
		         p[P_NONSTRAT].n, K);
		*bad = P_NONSTRAT;
		return 1;
	}
	for (int i = 0; i < p[P_NONSTRAT].n; i++)
		if (p[P_NONSTRAT].v[i] != 0.0 && p[P_NONSTRAT].v[i] != 1.0) {
			snprintf(msg, len, "'nonstrategic' entries must be 0 or 1");
			*bad = P_NONSTRAT;
			return 1;
		}
	if ((int)p[P_DEV_ARM].x > K) {
		snprintf(msg, len, "'deviate.arm' is %.0f but there are %d arms", p[P_DEV_ARM].x, K);
		*bad = P_DEV_ARM;
		return 1;
	}
	int any = 0;
	for (int i = 0; i < K; i++)
		any |= arm_loc(p, i) > 0.0;
	if (!any && p[P_MU_MIN].x <= 0.0) {
		snprintf(msg, len, "some mean must be > 0 (the mechanisms' mu_min), or set 'mech.mu_min'");
		*bad = P_MEANS;
		return 1;
	}
	return 0;
}

static int64_t strategic_horizon(const smab_value *p)
{
	return (int64_t)p[P_HORIZON].x;
}

static double strategic_cost(const smab_value *p, int nmech)
{
	return p[P_HORIZON].x * nmech * (p[P_DEV_ARM].x > 0 ? 2.0 : 1.0);
}

static void write_out(const sim *s, const outcome *o, double *sc)
{
	sc[X_REV] = o->revenue;
	sc[X_REV_RATE] = o->revenue / (double)s->T;
	sc[X_REV_RATIO] = s->mu_second > 0.0 ? o->revenue / (s->mu_second * (double)s->T) : NAN;
	sc[X_REGRET] = o->regret;
	sc[X_DEFECTED] = isnan(o->first_defect) ? 0.0 : 1.0;
	sc[X_FIRST_DEFECT] = o->first_defect;
	for (int k = 0; k < KSLOTS; k++) {
		sc[X_UTIL1 + k] = k < s->K ? o->util[k] : 0.0;
		sc[X_SHARE1 + k] = k < s->K ? (double)o->n[k] / (double)s->T : 0.0;
	}
}

static int strategic_run(const smab_task *t, smab_task_out *out)
{
	if (!t || !out || !t->p || !out->scalar || (t->ncheck > 0 && (!out->curve || !t->check)))
		return SMAB_EINVAL;
	const smab_value *p = t->p;
	char msg[160];
	int bad;
	if (strategic_check(p, msg, sizeof msg, &bad))
		return SMAB_EINVAL;
	/* GSL's default handler aborts the process on a failed quantile; we
	 * check results instead (smab_betaq_direct). */
	gsl_set_error_handler_off();
	const int K = (int)p[P_ARMS].x;
	const int64_t T = (int64_t)p[P_HORIZON].x;
	if (T < 1)
		return SMAB_EINVAL;
	for (int c = 0; c < t->ncheck; c++)
		if (t->check[c] < 1 || t->check[c] > T || (c > 0 && t->check[c] < t->check[c - 1]))
			return SMAB_EINVAL;
	for (int k = 0; k < t->nmech; k++)
		if (t->mech[k] < 0 || t->mech[k] >= NMECHS)
			return SMAB_EINVAL;

	sim s = {0};
	s.K = K;
	s.T = T;
	s.restricted = (int)p[P_PAYMENTS].x == 1;
	s.explicit_obs = (int)p[P_OBSERVE].x == 1;
	dist *d = smab_xmalloc((size_t)K * sizeof *d);
	s.mu = smab_xmalloc((size_t)K * sizeof *s.mu);
	s.strat = smab_xmalloc((size_t)K * sizeof *s.strat);
	double mu_min = p[P_MU_MIN].x;
	int prof = (int)p[P_PROFILE].x;
	for (int i = 0; i < K; i++) {
		dist_init(&d[i], (int)p[P_DIST].x, arm_loc(p, i), p[P_SPREAD].x, p[P_CONC].x);
		s.mu[i] = dist_mean(&d[i]);
		s.strat[i] = (p[P_NONSTRAT].n > 0 && p[P_NONSTRAT].v[i] == 1.0) ? S_TRUTHFUL : prof;
		s.collusive |= s.strat[i] == S_COLLUDE || s.strat[i] == S_SPLIT || s.strat[i] == S_SPLITW;
		s.grim |= s.strat[i] == S_GRIM;
	}
	/* mu* and mu' (the second entry of the means sorted descending). */
	s.mu_star = s.mu_second = -INFINITY;
	for (int i = 0; i < K; i++) {
		if (s.mu[i] > s.mu_star) {
			s.mu_second = s.mu_star;
			s.mu_star = s.mu[i];
		} else if (s.mu[i] > s.mu_second) {
			s.mu_second = s.mu[i];
		}
	}
	if (!(mu_min > 0.0)) {
		mu_min = 1.0;
		for (int i = 0; i < K; i++)
			if (s.mu[i] > 0.0 && s.mu[i] < mu_min)
				mu_min = s.mu[i];
	}
	double delta = p[P_DELTA].x > 0 ? p[P_DELTA].x : sqrt((double)T * log((double)T));
	s.th_k = sqrt(K * delta / (double)T);
	s.B_k = 7.0 * sqrt(K * (double)T * delta);
	s.th_2 = sqrt(delta / (double)T);
	for (int i = 0; i < 2; i++) {
		int o = 1 - i;
		s.sc_2[i] = prof == S_SPLITW ? s.mu[i] : 1.0;
		s.B_2[i] = 6.0 * sqrt((double)T * delta) / (prof == S_SPLITW ? s.mu[o] : 1.0);
	}
	double gamma = p[P_EXP3_GAMMA].x > 0 ? p[P_EXP3_GAMMA].x : smab_exp3_default_gamma(K, T);
	double eta = p[P_EXP3_ETA].x > 0 ? p[P_EXP3_ETA].x : gamma / K;
	int rc = smab_exp3_alloc(&s.ex, K, gamma, eta);
	/* Only arms that read p need the belief. */
	s.tacit = !s.explicit_obs && s.collusive;
	if (rc == SMAB_OK && s.tacit)
		rc = smab_exp3_alloc(&s.shadow, K, gamma, eta);
	for (int m = 0; m < 2 && rc == SMAB_OK; m++)
		rc = smab_sp_plan_init(&s.plan[m], m, K, T, mu_min, p[P_EPS].x, p[P_MECH_B].x,
		                       p[P_MECH_M].x, s.restricted);
	if (rc != SMAB_OK) {
		smab_exp3_free(&s.ex);
		smab_exp3_free(&s.shadow);
		free(d);
		free(s.mu);
		free(s.strat);
		return rc;
	}
	s.dev_arm = (int)p[P_DEV_ARM].x - 1;
	s.dev_kind = (int)p[P_DEV_KIND].x;
	s.dev_tau = (int64_t)p[P_DEV_TAU].x;
	s.dev_x = p[P_DEV_X].x;

	s.tp.K = K;
	s.tp.val = smab_xcalloc((size_t)K, sizeof *s.tp.val);
	s.tp.len = smab_xcalloc((size_t)K, sizeof *s.tp.len);
	s.tp.d = d;
	s.tp.r = smab_rng_alloc();
	s.tp.key = (smab_rng_key){t->seed, SMAB_RNG_ALL_POINTS, t->rep};
	s.r = smab_rng_alloc();
	s.mkey = (smab_rng_key){t->seed, t->point, t->rep};
	s.n = smab_xmalloc((size_t)K * sizeof *s.n);
	s.p = smab_xmalloc((size_t)K * sizeof *s.p);
	s.q = smab_xmalloc((size_t)K * sizeof *s.q);
	s.mean = smab_xmalloc((size_t)K * sizeof *s.mean);
	s.util = smab_xmalloc((size_t)K * sizeof *s.util);
	s.defected = smab_xmalloc((size_t)K);
	s.sp.wsum = smab_xmalloc((size_t)K * sizeof(double));
	s.sp.coin = smab_xmalloc((size_t)K * sizeof(double));
	outcome o = {0}, od = {0};
	o.util = smab_xmalloc((size_t)K * sizeof(double));
	o.n = smab_xmalloc((size_t)K * sizeof(int64_t));
	od.util = smab_xmalloc((size_t)K * sizeof(double));
	od.n = smab_xmalloc((size_t)K * sizeof(int64_t));

	for (int k = 0; k < t->nmech; k++) {
		int mech = t->mech[k];
		double *rcv = NULL, *gcv = NULL;
		if (t->ncheck > 0) {
			rcv = out->curve + (size_t)(k * NMETRICS + X_REV) * (size_t)t->ncheck;
			gcv = out->curve + (size_t)(k * NMETRICS + X_REGRET) * (size_t)t->ncheck;
		}
		run_once(&s, t, mech, 0, rcv, gcv, &o);
		double *sc = out->scalar + (size_t)k * NMETRICS;
		write_out(&s, &o, sc);
		sc[X_DEV_GAIN] = sc[X_DEV_GAIN_CV] = sc[X_DEV_UTIL] = sc[X_DEV_REV] = sc[X_BELIEF_GAP] = 0.0;
		if (s.dev_arm >= 0) {
			run_once(&s, t, mech, 1, NULL, NULL, &od);
			sc[X_DEV_UTIL] = od.util[s.dev_arm];
			sc[X_DEV_GAIN] = od.util[s.dev_arm] - o.util[s.dev_arm];
			sc[X_DEV_GAIN_CV] = sc[X_DEV_GAIN] - (od.cv - o.cv);
			sc[X_DEV_REV] = od.revenue;
			sc[X_BELIEF_GAP] = od.belief_gap;
		}
	}

	for (int i = 0; i < K; i++)
		free(s.tp.val[i]);
	free(s.tp.val);
	free(s.tp.len);
	smab_rng_free(&s.tp.r);
	smab_rng_free(&s.r);
	smab_exp3_free(&s.ex);
	smab_exp3_free(&s.shadow);
	free(s.n);
	free(s.p);
	free(s.q);
	free(s.mean);
	free(s.util);
	free(s.defected);
	free(s.sp.wsum);
	free(s.sp.coin);
	free(o.util);
	free(o.n);
	free(od.util);
	free(od.n);
	free(d);
	free(s.mu);
	free(s.strat);
	return SMAB_OK;
}

const smab_suite smab_suite_strategic = {
	.name = "strategic",
	.doc = "strategic arms that keep part of their reward (Braverman et al., COLT 2019)",
	.params = params, .nparams = NPARAMS,
	.mechs = mechs, .nmechs = NMECHS,
	.metrics = metrics, .nmetrics = NMETRICS,
	.check = strategic_check,
	.horizon = strategic_horizon,
	.cost = strategic_cost,
	.run = strategic_run,
};
