/* replication.c - replication-proof bandit mechanisms with Bayesian agents
 * (Shin, Esmaeili and Hajiaghayi, AAAI 2025).
 *
 * Model.  n agents; agent i owns l_i original arms whose means are drawn
 * from its prior F_i (discrete support, uniform or Beta), or are given
 * explicitly ('means').  Rewards are Bernoulli(mu) or mu + sigma z.  Every
 * agent registers its originals once (truthful), except the deviating agent
 * 'strategy.deviator', which may replicate one arm or every arm 'copies' times
 * or omit one arm.  A share alpha of each pulled arm's reward goes to its
 * owner; we credit alpha * mu of the pulled arm (the expected payment given
 * the means), which has the same expectation as the realized payment and
 * less noise.  Regret is sum_t (mu* - mu_{I_t}) with mu* the best *original*
 * mean over all agents (Definition 4), so omitting the best arm costs.
 *
 * Mechanisms (ties between equal indices are broken uniformly at random,
 * from the mechanism's own stream, in every rule, as the paper assumes for
 * ETC; unpulled arms or agents come first, in random order):
 *   ucb     UCB1 over all registered arms: mu_hat + sqrt(c ln t / n_a), c =
 *           'ucb.c' (2: Auer et al.'s UCB1; 1: the paper's analysis); with
 *           'ucb.log' = t-1 the clock is the pulls so far, ln(t - 1) (the
 *           index is used only once every arm was pulled, so t - 1 >= 1)
 *   hucb    H-UCB (Shin, Lee and Ok 2022): UCB1 over agents with agent-level
 *           statistics (mean of all the agent's rewards, N_i pulls), then
 *           UCB1 within the chosen agent with arm-level statistics and the
 *           agent's own clock: mu_hat_a + sqrt(c ln (N_i + 1) / n_a)
 *           ('ucb.log' = t-1: ln(t - 1) and ln N_i)
 *   etc     ETC over all registered arms: rounds 1..m K pull arm (t-1) mod K
 *           (K registered arms), then commit to the best empirical mean.
 *           m defaults to ceil(2/Delta^2 * l * ln 2T), l the number of
 *           original arms (Theorem 3), so the principal's m does not move
 *           when an agent replicates.
 *   hetcr   H-ETC-R (Algorithm 5): rounds 1..tau, tau = M n, visit agents
 *           round-robin (agent-level ETC with M per agent); each visit runs
 *           the agent's arm-level ETC with m (its own counter, round-robin
 *           over its registered arms, then commit).  At round tau + 1 every
 *           arm-level statistic and ETC counter restarts, the agent with the
 *           best agent-level empirical mean is committed to, and arm-level
 *           ETC runs afresh inside it.  Defaults of Theorems 4-5:
 *           m = ceil(2/Delta^2 * L ln 2T), L = max_i l_i, and
 *           M = max(m L, ceil(sqrt(T ln T))).
 *   uetc    Section 5's replication-proof but linear-regret variant: a
 *           uniformly random agent each round, then its arm-level ETC (m as
 *           in hetcr).
 *   egreedy eps_t = min(1, c K / t) uniform exploration, else the best
 *           empirical mean (extra baseline)
 *   ts      Thompson sampling: Beta(1 + S_a, 1 + F_a) for Bernoulli rewards,
 *           N(S_a / (n_a + 1), s^2 / (n_a + 1)) for Gaussian ones with
 *           s = sigma ('ts.posterior: noise', the default: the posterior
 *           of a N(0, sigma^2) prior under the true noise) or s = 1
 *           ('unit', the form the drift suite used before), so the two
 *           suites' Gaussian TS read the parameter the same way
 *           (extra baseline)
 * Delta defaults to the smallest gap between two support points of any
 * agent's discrete prior; it must be given for continuous priors.  Every
 * schedule length (m, M, given or derived) is capped at the horizon T and
 * computed in floating point: m >= T already means exploring in every
 * round, and a tiny Delta (m ~ 2e19 l at Delta = 1e-9) would otherwise
 * overflow the products m l and tau = M n.
 *
 * Metrics per mechanism.  Within one task the strategy profile S (the
 * deviation) and the all-truthful profile O are both run on the same mean
 * draws, the same reward tapes and the same mechanism stream, so
 *   gain = u_dev(S) - u_dev(O)
 * is paired, and exactly 0 for a strategy that registers what the truthful
 * one does (copies = 0).  Agents are reported in fixed slots utility_1 ..
 * utility_8 (the maximum number of agents); slots beyond n are NaN, which
 * the summaries skip.  rp_regret / rp_regret_truthful are Definition 5's
 * random-permutation regret: the average, over all l! assignments of the
 * realized means to the original arm slots (each slot keeping its tapes),
 * of the regret under S / under O; computed when 'rp' is true for a single
 * agent with l <= 5, NaN otherwise.  TRP (Definition 6) says
 * rp_regret >= rp_regret_truthful.
 *
 * Random streams.  Means: (key {seed, ALL_POINTS, rep}; ENV, agent * 64 +
 * arm, 0).  Rewards: reptape.h, tapes keyed by (agent, arm, replica) with
 * ALL_POINTS, so every point of a sweep over T, c or a mechanism parameter
 * sees the same instances and rewards.  Mechanism: (key {seed, point, rep};
 * MECH, mechanism, block), one block per 2^20 rounds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "smab/reptape.h"
#include "smab/rng.h"
#include "smab/suite.h"

#define MAXAG 8       /* agents, and utility slots */
#define MAXL 16       /* original arms per agent */
#define MAXNA 256     /* registered arms in all */
#define MAXRP 5       /* largest l for the random-permutation regret */
#define MECH_PERIOD ((int64_t)1 << 20)

enum {
	P_HORIZON, P_AGENTS, P_ARMS, P_MEANS, P_PRIOR, P_PVALUES, P_PPROBS,
	P_PSIZES, P_PA, P_PB, P_NOISE, P_SIGMA, P_SHARE, P_STRAT, P_SAGENT,
	P_SARM, P_SCOPIES, P_DELTA, P_ETC_M, P_HETCR_M1, P_HETCR_M2, P_UETC_M,
	P_EG_C, P_UCB_C, P_UCB_LOG, P_RP, P_ORDER, P_TS_POST, NPARAMS
};

enum { PRIOR_DISCRETE, PRIOR_UNIFORM, PRIOR_BETA };
enum { POST_UNIT, POST_NOISE };   /* 'ts.posterior' choices */
enum { S_TRUTHFUL, S_REPL_ARM, S_REPL_ALL, S_OMIT };

static const smab_param_decl params[NPARAMS] = {
	[P_HORIZON] = {"horizon", SMAB_P_INT, "10000", 1, 1e10, NULL,
	               "rounds T of each replication"},
	[P_AGENTS] = {"agents", SMAB_P_INT, "1", 1, MAXAG, NULL,
	              "number of agents n"},
	[P_ARMS] = {"arms", SMAB_P_VEC, "[2]", 1, MAXL, NULL,
	            "original arms l_i per agent; one entry: the same l for every agent"},
	[P_MEANS] = {"means", SMAB_P_VEC, "[]", 0, 1, NULL,
	             "explicit original means, agent by agent (sum l_i entries); empty: draw from the prior"},
	[P_PRIOR] = {"prior", SMAB_P_ENUM, "discrete", 0, 0, "discrete|uniform|beta",
	             "prior F_i of the original means"},
	[P_PVALUES] = {"prior.values", SMAB_P_VEC, "[0, 1]", 0, 1, NULL,
	               "discrete prior: support points (all agents', concatenated when prior.sizes is set)"},
	[P_PPROBS] = {"prior.probs", SMAB_P_VEC, "[0.5, 0.5]", 0, 1, NULL,
	              "discrete prior: probabilities of the support points (normalized per agent)"},
	[P_PSIZES] = {"prior.sizes", SMAB_P_VEC, "[]", 1, 64, NULL,
	              "discrete prior: support size of each agent; empty: one prior shared by all"},
	[P_PA] = {"prior.a", SMAB_P_REAL, "0", 0, 1e6, NULL,
	          "uniform prior: lower end; beta prior: first shape"},
	[P_PB] = {"prior.b", SMAB_P_REAL, "1", 0, 1e6, NULL,
	          "uniform prior: upper end (<= 1); beta prior: second shape"},
	[P_NOISE] = {"noise", SMAB_P_ENUM, "bernoulli", 0, 0, "bernoulli|gaussian",
	             "reward distribution around each mean"},
	[P_SIGMA] = {"sigma", SMAB_P_REAL, "1", 0, 100, NULL,
	             "standard deviation of Gaussian rewards"},
	[P_SHARE] = {"share", SMAB_P_REAL, "0.4", 0, 1, NULL,
	             "share alpha of a pulled arm's reward paid to its owner"},
	[P_STRAT] = {"strategy", SMAB_P_ENUM, "truthful", 0, 0,
	             "truthful|replicate_arm|replicate_all|omit_arm",
	             "the deviating agent's strategy; every other agent is truthful"},
	[P_SAGENT] = {"strategy.deviator", SMAB_P_INT, "1", 1, MAXAG, NULL,
	              "the deviating agent, 1 to n"},
	[P_SARM] = {"strategy.target", SMAB_P_INT, "1", 1, MAXL, NULL,
	            "the deviator's original arm k (1 to l) replicated or omitted"},
	[P_SCOPIES] = {"strategy.copies", SMAB_P_INT, "1", 0, 64, NULL,
	               "extra copies c of each replicated arm (0 changes nothing)"},
	[P_DELTA] = {"delta", SMAB_P_REAL, "0", 0, 1, NULL,
	             "gap Delta known to ETC; 0: smallest gap of the discrete priors (also when means are given)"},
	[P_ETC_M] = {"etc.m", SMAB_P_INT, "0", 0, 1e9, NULL,
	             "ETC pulls per arm (at most T); 0: ceil(2/Delta^2 l ln 2T), l = original arms"},
	[P_HETCR_M1] = {"hetcr.M", SMAB_P_INT, "0", 0, 1e9, NULL,
	                "H-ETC-R pulls per agent before tau = M n (at most T); 0: max(m L, ceil(sqrt(T ln T)))"},
	[P_HETCR_M2] = {"hetcr.m", SMAB_P_INT, "0", 0, 1e9, NULL,
	                "H-ETC-R arm-level pulls per arm (at most T); 0: ceil(2/Delta^2 L ln 2T)"},
	[P_UETC_M] = {"uetc.m", SMAB_P_INT, "0", 0, 1e9, NULL,
	              "uniform-agent ETC arm-level pulls per arm (at most T); 0: as hetcr.m"},
	[P_EG_C] = {"egreedy.c", SMAB_P_REAL, "1", 1e-9, 1e6, NULL,
	            "epsilon-greedy: eps_t = min(1, c K / t)"},
	[P_UCB_C] = {"ucb.c", SMAB_P_REAL, "2", 1e-9, 100, NULL,
	              "ucb and hucb index mu_hat + sqrt(c ln t / n) (c = 2 is UCB1; the paper's analysis uses 1)"},
	[P_UCB_LOG] = {"ucb.log", SMAB_P_ENUM, "t", 0, 0, "t|t-1",
	               "ucb and hucb: the clock in the log, the round t or the pulls so far t - 1 (hucb's arm level: N_i + 1 or N_i)"},
	[P_RP] = {"rp", SMAB_P_BOOL, "false", 0, 1, NULL,
	          "also compute the random-permutation regret (one agent, l <= 5; costs 2 l! runs)"},
	[P_ORDER] = {"register_order", SMAB_P_VEC, "[]", 1, MAXL, NULL,
	             "one agent only: the order (arms 1 to l) in which its original arms (with their tapes) are registered"},
	[P_TS_POST] = {"ts.posterior", SMAB_P_ENUM, "noise", 0, 0, "unit|noise",
	               "Gaussian rewards: Thompson posterior N(S/(n+1), s^2/(n+1)), noise: s = sigma; unit: s = 1"},
};

/* Names from before arms and agents were numbered from 1: their values
 * count from 0. */
static const smab_param_alias aliases[] = {
	{"strategy.agent", "strategy.deviator", 1},
	{"strategy.arm", "strategy.target", 1},
	{"arm_order", "register_order", 1},
};

enum { M_UCB, M_HUCB, M_ETC, M_HETCR, M_UETC, M_EGREEDY, M_TS, NMECHS };

static const smab_mech_decl mechs[NMECHS] = {
	[M_UCB] = {"ucb", "UCB1 over all registered arms"},
	[M_HUCB] = {"hucb", "H-UCB: UCB1 over agents, then UCB1 over the agent's arms"},
	[M_ETC] = {"etc", "explore-then-commit over all registered arms, m pulls each"},
	[M_HETCR] = {"hetcr", "H-ETC-R: agent-level ETC (M), arm-level ETC (m), restart at tau = M n"},
	[M_UETC] = {"uetc", "uniformly random agent, then arm-level ETC (Section 5)"},
	[M_EGREEDY] = {"egreedy", "epsilon-greedy, eps_t = min(1, c K / t)"},
	[M_TS] = {"ts", "Thompson sampling (Beta for Bernoulli, Gaussian otherwise)"},
};

enum {
	X_REGRET, X_REGRET_T, X_GAIN, X_UDEV, X_UDEV_T, X_RP, X_RP_T, X_U0,
	NMETRICS = X_U0 + MAXAG
};

static const smab_metric_decl metrics[NMETRICS] = {
	[X_REGRET] = {"regret", 1, "principal's regret against the best original arm, profile S", "reward"},
	[X_REGRET_T] = {"regret_truthful", 1, "the same when every agent is truthful (profile O)", "reward"},
	[X_GAIN] = {"gain", 1, "replication gain u_dev(S) - u_dev(O), paired", "reward"},
	[X_UDEV] = {"utility_dev", 0, "deviating agent's utility under S", "reward"},
	[X_UDEV_T] = {"utility_dev_truthful", 0, "deviating agent's utility under O", "reward"},
	[X_RP] = {"rp_regret", 0, "random-permutation regret under S (one agent, 'rp'), else NaN", "reward"},
	[X_RP_T] = {"rp_regret_truthful", 0, "random-permutation regret under O, else NaN", "reward"},
	[X_U0 + 0] = {"utility_1", 0, "agent 1's utility under S", "reward"},
	[X_U0 + 1] = {"utility_2", 0, "agent 2's utility under S (NaN if n < 2)", "reward"},
	[X_U0 + 2] = {"utility_3", 0, "agent 3's utility under S (NaN if n < 3)", "reward"},
	[X_U0 + 3] = {"utility_4", 0, "agent 4's utility under S (NaN if n < 4)", "reward"},
	[X_U0 + 4] = {"utility_5", 0, "agent 5's utility under S (NaN if n < 5)", "reward"},
	[X_U0 + 5] = {"utility_6", 0, "agent 6's utility under S (NaN if n < 6)", "reward"},
	[X_U0 + 6] = {"utility_7", 0, "agent 7's utility under S (NaN if n < 7)", "reward"},
	[X_U0 + 7] = {"utility_8", 0, "agent 8's utility under S (NaN if n < 8)", "reward"},
};

/* ---- parameters ------------------------------------------------------------ */

static int arms_of(const smab_value *p, int i)
{
	return (int)(p[P_ARMS].n == 1 ? p[P_ARMS].v[0] : p[P_ARMS].v[i]);
}

/* Registered arms of the deviating agent under its strategy. */
static int dev_arms(const smab_value *p)
{
	int l = arms_of(p, (int)p[P_SAGENT].x - 1), c = (int)p[P_SCOPIES].x;
	switch ((int)p[P_STRAT].x) {
	case S_REPL_ARM: return l + c;
	case S_REPL_ALL: return l * (1 + c);
	case S_OMIT: return l - 1;
	default: return l;
	}
}

/* Smallest gap between distinct support points of any agent's discrete
 * prior (probability > 0); 0 if none. */
static double prior_gap(const smab_value *p)
{
	const smab_value *v = &p[P_PVALUES], *pr = &p[P_PPROBS], *sz = &p[P_PSIZES];
	int nsup = sz->n > 0 ? sz->n : 1, off = 0;
	double gap = 0.0;
	/* With explicit 'means' the prior is not validated: read it only if
	 * its pieces fit together. */
	int tot = 0;
	for (int s = 0; s < sz->n; s++)
		tot += (int)sz->v[s];
	if (pr->n != v->n || (sz->n > 0 && tot != v->n))
		return 0.0;
	for (int s = 0; s < nsup; s++) {
		int len = sz->n > 0 ? (int)sz->v[s] : v->n;
		for (int a = off; a < off + len; a++)
			for (int b = off; b < off + len; b++) {
				double d = v->v[a] - v->v[b];
				if (d > 0 && pr->v[a] > 0 && pr->v[b] > 0 && (gap == 0.0 || d < gap))
					gap = d;
			}
		off += len;
	}
	return gap;
}

static int fail(char *msg, size_t len, int *bad, int which, const char *text)
{
	snprintf(msg, len, "%s", text);
	*bad = which;
	return 1;
}

static int repl_check(const smab_value *p, char *msg, size_t len, int *bad)
{
	int n = (int)p[P_AGENTS].x, ltot = 0;
	if (p[P_ARMS].n != 1 && p[P_ARMS].n != n)
		return fail(msg, len, bad, P_ARMS, "'arms' needs one entry or one per agent");
	for (int i = 0; i < n; i++) {
		double x = p[P_ARMS].n == 1 ? p[P_ARMS].v[0] : p[P_ARMS].v[i];
		if (x != floor(x))
			return fail(msg, len, bad, P_ARMS, "'arms' entries must be whole numbers");
		ltot += arms_of(p, i);
	}
	if (p[P_MEANS].n > 0 && p[P_MEANS].n != ltot)
		return fail(msg, len, bad, P_MEANS, "'means' needs one entry per original arm (the sum of 'arms')");
	int dev = (int)p[P_SAGENT].x - 1, strat = (int)p[P_STRAT].x;
	if (dev >= n)
		return fail(msg, len, bad, P_SAGENT, "'strategy.deviator' must be at most 'agents'");
	if ((strat == S_REPL_ARM || strat == S_OMIT) && (int)p[P_SARM].x > arms_of(p, dev))
		return fail(msg, len, bad, P_SARM, "'strategy.target' must be at most the deviating agent's arm count");
	if (strat == S_OMIT && arms_of(p, dev) < 2)
		return fail(msg, len, bad, P_STRAT, "omit_arm needs an agent with at least 2 arms");
	if (ltot - arms_of(p, dev) + dev_arms(p) > MAXNA)
		return fail(msg, len, bad, P_SCOPIES, "too many registered arms (at most 256)");
	if (p[P_ORDER].n > 0) {
		int seen[MAXL] = {0};
		if (n != 1 || p[P_ORDER].n != ltot)
			return fail(msg, len, bad, P_ORDER, "'register_order' is for one agent and lists each of its arms once");
		for (int k = 0; k < ltot; k++) {
			int a = (int)p[P_ORDER].v[k] - 1;
			if (a + 1 != p[P_ORDER].v[k] || a < 0 || a >= ltot || seen[a]++)
				return fail(msg, len, bad, P_ORDER, "'register_order' must be a permutation of 1..l");
		}
	}
	int prior = (int)p[P_PRIOR].x;
	if (p[P_MEANS].n == 0 && prior == PRIOR_DISCRETE) {
		const smab_value *v = &p[P_PVALUES], *sz = &p[P_PSIZES];
		if (v->n < 1 || p[P_PPROBS].n != v->n)
			return fail(msg, len, bad, P_PPROBS, "'prior.probs' needs one entry per support point");
		if (sz->n > 0) {
			int tot = 0;
			if (sz->n != n)
				return fail(msg, len, bad, P_PSIZES, "'prior.sizes' needs one entry per agent");
			for (int i = 0; i < sz->n; i++) {
				if (sz->v[i] != floor(sz->v[i]))
					return fail(msg, len, bad, P_PSIZES, "'prior.sizes' entries must be whole numbers");
				tot += (int)sz->v[i];
			}
			if (tot != v->n)
				return fail(msg, len, bad, P_PSIZES, "'prior.sizes' must add up to the number of support points");
		}
		for (int i = 0, off = 0; i < (sz->n > 0 ? n : 1); i++) {
			int sl = sz->n > 0 ? (int)sz->v[i] : v->n;
			double ps = 0.0;
			for (int a = off; a < off + sl; a++)
				ps += p[P_PPROBS].v[a];
			if (!(ps > 0))
				return fail(msg, len, bad, P_PPROBS, "each agent's prior probabilities must add up to more than 0");
			off += sl;
		}
	}
	if (p[P_MEANS].n == 0 && prior == PRIOR_UNIFORM && !(p[P_PA].x <= p[P_PB].x && p[P_PB].x <= 1))
		return fail(msg, len, bad, P_PB, "uniform prior needs 0 <= prior.a <= prior.b <= 1");
	if (p[P_MEANS].n == 0 && prior == PRIOR_BETA && !(p[P_PA].x > 0 && p[P_PB].x > 0))
		return fail(msg, len, bad, P_PA, "beta prior needs positive shapes prior.a and prior.b");
	if (p[P_DELTA].x == 0 && (prior != PRIOR_DISCRETE || prior_gap(p) == 0) &&
	    (p[P_ETC_M].x == 0 || p[P_HETCR_M2].x == 0 || p[P_UETC_M].x == 0))
		return fail(msg, len, bad, P_DELTA,
		            "'delta' must be > 0: the default m = ceil(2/Delta^2 l ln 2T) divides by "
		            "the gap, and this prior has none to default to (continuous, or fewer "
		            "than two support points of positive probability); or set etc.m, "
		            "hetcr.m and uetc.m");
	return 0;
}

static int64_t repl_horizon(const smab_value *p)
{
	return (int64_t)p[P_HORIZON].x;
}

static int rp_enabled(const smab_value *p)
{
	return p[P_RP].x != 0 && (int)p[P_AGENTS].x == 1 && arms_of(p, 0) <= MAXRP;
}

static double repl_cost(const smab_value *p, int nmech)
{
	double runs = (int)p[P_STRAT].x == S_TRUTHFUL ? 1.0 : 2.0;
	if (rp_enabled(p)) {
		double f = 1.0;
		for (int k = 2; k <= arms_of(p, 0); k++)
			f *= k;
		runs += 2.0 * f;
	}
	return p[P_HORIZON].x * nmech * runs;
}

/* ---- one task's state ------------------------------------------------------ */

typedef struct sim {
	/* instance */
	int n, ltot, L, l[MAXAG], off[MAXAG];
	double mu0[MAXAG * MAXL];       /* drawn original means, agent-major */
	double mustar;
	int strat, dev, sarm, copies, norder;
	int order[MAXL];
	int64_t T;
	int bern;
	double sigma, share, eg_c, ucb_c;
	double ts_sd;                   /* s of the Gaussian TS posterior */
	int ucb_lag;                    /* 1: ln(t - 1) in UCB's index, 0: ln t */
	int64_t etc_m, hetcr_M, hetcr_m, uetc_m;
	const int64_t *check;
	int ncheck;
	smab_rng_key mkey;
	gsl_rng *r;
	smab_reptape *tp;
	/* the registered arms of the profile being run */
	int na, owner[MAXNA], first[MAXAG], cnt[MAXAG];
	double amu[MAXNA];
	/* mechanism state */
	int64_t pulls[MAXNA], N[MAXAG], ec[MAXAG], eall;
	double sum[MAXNA], mean[MAXNA], w[MAXNA], v[MAXNA];
	double asum[MAXAG], amean[MAXAG], aw[MAXAG], va[MAXAG];
	int unpulled[MAXAG], unpulled_all, ncommit[MAXAG], commit, istar;
} sim;

/* Output of one run of one profile. */
typedef struct runout {
	double regret;
	double util[MAXAG];       /* alpha * sum of means of the agent's pulled arms */
	double *rcurve, *ucurve;  /* [ncheck] regret, deviating agent's utility */
} runout;

/* Index of the largest v[lo..hi-1], ties uniformly at random (reservoir
 * sampling: the k-th tie replaces the choice with probability 1/k). */
static int pick_max(const double *v, int lo, int hi, gsl_rng *r)
{
	int best = lo, ties = 1;
	double m = v[lo];
	for (int a = lo + 1; a < hi; a++) {
		if (v[a] > m) {
			m = v[a];
			best = a;
			ties = 1;
		} else if (v[a] == m) {
			ties++;
			if (gsl_rng_uniform_int(r, (unsigned long)ties) == 0)
				best = a;
		}
	}
	return best;
}

/* A uniformly random arm among lo..hi-1 that was never pulled. */
static int pick_unpulled(sim *s, int lo, int hi)
{
	for (int a = lo; a < hi; a++)
		s->v[a] = s->pulls[a] == 0 ? 1.0 : 0.0;
	return pick_max(s->v, lo, hi, s->r);
}

/* Register the arms of a profile.  'mu' holds the means of the original
 * slots; 'deviate' applies the deviating agent's strategy. */
static void build_profile(sim *s, const double *mu, int deviate)
{
	int na = 0;
	for (int i = 0; i < s->n; i++) {
		s->first[i] = na;
		for (int kk = 0; kk < s->l[i]; kk++) {
			int k = s->norder > 0 ? s->order[kk] : kk;
			int copies = 1;
			if (deviate && i == s->dev) {
				if (s->strat == S_REPL_ALL || (s->strat == S_REPL_ARM && k == s->sarm))
					copies = 1 + s->copies;
				else if (s->strat == S_OMIT && k == s->sarm)
					copies = 0;
			}
			for (int c = 0; c < copies; c++) {
				s->owner[na] = i;
				s->amu[na] = mu[s->off[i] + k];
				smab_reptape_set(s->tp, na, smab_reptape_id(i, k, c), s->amu[na]);
				na++;
			}
		}
		s->cnt[i] = na - s->first[i];
	}
	s->na = na;
}

/* Forget every arm-level statistic (start of a run, and H-ETC-R's restart). */
static void reset_arms(sim *s)
{
	for (int a = 0; a < s->na; a++) {
		s->pulls[a] = 0;
		s->sum[a] = s->mean[a] = s->w[a] = 0.0;
	}
	for (int i = 0; i < s->n; i++) {
		s->unpulled[i] = s->cnt[i];
		s->ec[i] = 0;
		s->ncommit[i] = -1;
	}
	s->unpulled_all = s->na;
	s->eall = 0;
	s->commit = -1;
}

/* Arm-level ETC inside agent i with m pulls per arm. */
static inline int etc_arm(sim *s, int i, int64_t m)
{
	int64_t c = s->ec[i]++;
	int l = s->cnt[i];
	if (c < m * l)
		return s->first[i] + (int)(c % l);
	if (s->ncommit[i] < 0)
		s->ncommit[i] = pick_max(s->mean, s->first[i], s->first[i] + l, s->r);
	return s->ncommit[i];
}

/* The arm pulled at round t (1-based) by mechanism 'mech'. */
static inline int choose(sim *s, int mech, int64_t t)
{
	const int na = s->na;
	switch (mech) {
	case M_UCB: {
		if (s->unpulled_all > 0)
			return pick_unpulled(s, 0, na);
		double st = sqrt(s->ucb_c * log((double)(t - s->ucb_lag)));
		for (int a = 0; a < na; a++)
			s->v[a] = s->mean[a] + st * s->w[a];
		return pick_max(s->v, 0, na, s->r);
	}
	case M_HUCB: {
		int i;
		if (t <= s->n) {
			for (int j = 0; j < s->n; j++)
				s->va[j] = s->N[j] == 0 ? 1.0 : 0.0;
		} else {
			double st = sqrt(s->ucb_c * log((double)(t - s->ucb_lag)));
			for (int j = 0; j < s->n; j++)
				s->va[j] = s->amean[j] + st * s->aw[j];
		}
		i = pick_max(s->va, 0, s->n, s->r);
		int lo = s->first[i], hi = lo + s->cnt[i];
		if (s->unpulled[i] > 0)
			return pick_unpulled(s, lo, hi);
		double st = sqrt(s->ucb_c * log((double)(s->N[i] + 1 - s->ucb_lag)));
		for (int a = lo; a < hi; a++)
			s->v[a] = s->mean[a] + st * s->w[a];
		return pick_max(s->v, lo, hi, s->r);
	}
	case M_ETC: {
		int64_t c = s->eall++;
		if (c < s->etc_m * na)
			return (int)(c % na);
		if (s->commit < 0)
			s->commit = pick_max(s->mean, 0, na, s->r);
		return s->commit;
	}
	case M_HETCR: {
		int64_t tau = s->hetcr_M * s->n;
		if (t <= tau)
			return etc_arm(s, (int)((t - 1) % s->n), s->hetcr_m);
		if (t == tau + 1) {
			reset_arms(s);
			s->istar = pick_max(s->amean, 0, s->n, s->r);
		}
		return etc_arm(s, s->istar, s->hetcr_m);
	}
	case M_UETC: {
		int i = s->n > 1 ? (int)gsl_rng_uniform_int(s->r, (unsigned long)s->n) : 0;
		return etc_arm(s, i, s->uetc_m);
	}
	case M_EGREEDY: {
		if (s->unpulled_all > 0)
			return pick_unpulled(s, 0, na);
		double eps = s->eg_c * na / (double)t;
		if (gsl_rng_uniform(s->r) < eps)
			return (int)gsl_rng_uniform_int(s->r, (unsigned long)na);
		return pick_max(s->mean, 0, na, s->r);
	}
	default: /* M_TS */
		for (int a = 0; a < na; a++) {
			double n1 = (double)s->pulls[a] + 1.0;
			if (s->bern)
				s->v[a] = gsl_ran_beta(s->r, 1.0 + s->sum[a], n1 - s->sum[a]);
			else
				s->v[a] = s->sum[a] / n1 + s->ts_sd / sqrt(n1) *
				          gsl_ran_gaussian_ziggurat(s->r, 1.0);
		}
		return pick_max(s->v, 0, na, s->r);
	}
}

/* Whether 'mech' has committed for good after round t: ETC past its
 * exploration, H-ETC-R past tau with its arm-level ETC past m.  From then
 * on it pulls the same arm in every round. */
static int committed(const sim *s, int mech, int64_t t)
{
	if (mech == M_ETC)
		return s->commit >= 0;
	if (mech == M_HETCR)
		return t > s->hetcr_M * s->n && s->ncommit[s->istar] >= 0;
	return 0;
}

/* Record the curves at every checkpoint that falls on round t, from
 * checkpoint ci on; returns the next checkpoint's index. */
static inline int checkpoint(const sim *s, runout *o, int ci, int64_t t, double regret)
{
	while (ci < s->ncheck && s->check[ci] == t) {
		o->rcurve[ci] = regret;
		o->ucurve[ci] = s->share * o->util[s->dev];
		ci++;
	}
	return ci;
}

/* Run mechanism 'mech' on the registered profile (build_profile first). */
static void run_profile(sim *s, int mech, runout *o)
{
	reset_arms(s);
	for (int i = 0; i < s->n; i++) {
		s->N[i] = 0;
		s->asum[i] = s->amean[i] = s->aw[i] = 0.0;
		o->util[i] = 0.0;
	}
	double regret = 0.0;
	int ci = 0;
	for (int64_t t = 1; t <= s->T; t++) {
		if ((t - 1) % MECH_PERIOD == 0)
			smab_rng_seek(s->r, &s->mkey, SMAB_RNG_MECH, (uint64_t)mech,
			              (uint64_t)((t - 1) / MECH_PERIOD));
		int a = choose(s, mech, t);
		int i = s->owner[a];
		double x = smab_reptape_next(s->tp, a);
		if (s->pulls[a]++ == 0) {
			s->unpulled[i]--;
			s->unpulled_all--;
		}
		double dn = (double)s->pulls[a];
		s->sum[a] += x;
		s->mean[a] = s->sum[a] / dn;
		s->w[a] = 1.0 / sqrt(dn);
		double dN = (double)++s->N[i];
		s->asum[i] += x;
		s->amean[i] = s->asum[i] / dN;
		s->aw[i] = 1.0 / sqrt(dN);
		regret += s->mustar - s->amu[a];
		o->util[i] += s->amu[a];
		ci = checkpoint(s, o, ci, t, regret);
		if (committed(s, mech, t)) {
			/* Every later round pulls arm a, whatever it observes: add
			 * them up without drawing rewards, one round at a time in the
			 * loop's order, so the sums are bit for bit the loop's (the
			 * tapes restart at pull 0 in the next run anyway).  This is
			 * what makes T = 1e9 affordable for ETC and H-ETC-R. */
			double d = s->mustar - s->amu[a], mu = s->amu[a], u = o->util[i];
			for (int64_t t2 = t; t2 < s->T;) {
				int64_t stop = ci < s->ncheck && s->check[ci] < s->T ? s->check[ci] : s->T;
				for (; t2 < stop; t2++) {
					regret += d;
					u += mu;
				}
				o->util[i] = u;
				ci = checkpoint(s, o, ci, stop, regret);
			}
			break;
		}
	}
	o->regret = regret;
	for (int i = 0; i < s->n; i++)
		o->util[i] *= s->share;
}

/* Random-permutation regret (Definition 5) of profile S (deviate = 1) or O:
 * the mean regret over every assignment of the drawn means to the slots. */
static double rp_regret(sim *s, int mech, int deviate, runout *o)
{
	int l = s->l[0], perm[MAXRP];
	for (int k = 0; k < l; k++)
		perm[k] = k;
	double total = 0.0, count = 0.0, mu[MAXRP];
	for (;;) {
		for (int k = 0; k < l; k++)
			mu[k] = s->mu0[perm[k]];
		build_profile(s, mu, deviate);
		run_profile(s, mech, o);
		total += o->regret;
		count += 1.0;
		/* next permutation in lexicographic order */
		int k = l - 2;
		while (k >= 0 && perm[k] >= perm[k + 1])
			k--;
		if (k < 0)
			break;
		int j = l - 1;
		while (perm[j] <= perm[k])
			j--;
		int tmp = perm[k];
		perm[k] = perm[j];
		perm[j] = tmp;
		for (int a = k + 1, b = l - 1; a < b; a++, b--) {
			tmp = perm[a];
			perm[a] = perm[b];
			perm[b] = tmp;
		}
	}
	return total / count;
}

/* ---- the task -------------------------------------------------------------- */

/* ceil(x), at least 1, as a schedule length saturated at the horizon T.
 * Compared as a double before any cast: a gap near 0 makes x larger than
 * any int64 or infinite.  m >= T pulls per arm (or M >= T per agent) means
 * exploring in every round of the run, as m = T does, so saturating
 * changes no result and keeps m l, m K and tau = M n in range. */
static int64_t sched_len(double x, int64_t T)
{
	if (!(x < (double)T))          /* also +inf and NaN */
		return T;
	return x < 1.0 ? 1 : (int64_t)ceil(x);
}

/* Draw (or copy) the original means of every agent. */
static void draw_means(sim *s, const smab_value *p, const smab_task *t)
{
	if (p[P_MEANS].n > 0) {
		for (int k = 0; k < s->ltot; k++)
			s->mu0[k] = p[P_MEANS].v[k];
		return;
	}
	smab_rng_key ekey = {t->seed, SMAB_RNG_ALL_POINTS, t->rep};
	int prior = (int)p[P_PRIOR].x;
	const smab_value *sz = &p[P_PSIZES];
	int off = 0;
	for (int i = 0; i < s->n; i++) {
		int len = sz->n > 0 ? (int)sz->v[i] : p[P_PVALUES].n;
		int base = sz->n > 0 ? off : 0;
		gsl_ran_discrete_t *tab = NULL;
		if (prior == PRIOR_DISCRETE)
			tab = gsl_ran_discrete_preproc((size_t)len, p[P_PPROBS].v + base);
		for (int k = 0; k < s->l[i]; k++) {
			smab_rng_seek(s->r, &ekey, SMAB_RNG_ENV, (uint64_t)(i * 64 + k), 0);
			double m;
			if (prior == PRIOR_DISCRETE)
				m = p[P_PVALUES].v[base + (int)gsl_ran_discrete(s->r, tab)];
			else if (prior == PRIOR_UNIFORM)
				m = gsl_ran_flat(s->r, p[P_PA].x, p[P_PB].x);
			else
				m = gsl_ran_beta(s->r, p[P_PA].x, p[P_PB].x);
			s->mu0[s->off[i] + k] = m;
		}
		if (tab)
			gsl_ran_discrete_free(tab);
		off += len;
	}
}

static void setup(sim *s, const smab_value *p, const smab_task *t)
{
	s->n = (int)p[P_AGENTS].x;
	s->ltot = s->L = 0;
	for (int i = 0; i < s->n; i++) {
		s->l[i] = arms_of(p, i);
		s->off[i] = s->ltot;
		s->ltot += s->l[i];
		if (s->l[i] > s->L)
			s->L = s->l[i];
	}
	s->strat = (int)p[P_STRAT].x;
	s->dev = (int)p[P_SAGENT].x - 1;     /* parameters count from 1, the code from 0 */
	s->sarm = (int)p[P_SARM].x - 1;
	s->copies = (int)p[P_SCOPIES].x;
	s->norder = p[P_ORDER].n;
	for (int k = 0; k < s->norder; k++)
		s->order[k] = (int)p[P_ORDER].v[k] - 1;
	s->T = (int64_t)p[P_HORIZON].x;
	s->bern = (int)p[P_NOISE].x == 0;
	s->sigma = p[P_SIGMA].x;
	s->ts_sd = (int)p[P_TS_POST].x == POST_UNIT ? 1.0 : s->sigma;
	s->share = p[P_SHARE].x;
	s->eg_c = p[P_EG_C].x;
	s->ucb_c = p[P_UCB_C].x;
	s->ucb_lag = (int)p[P_UCB_LOG].x;
	double delta = p[P_DELTA].x > 0 ? p[P_DELTA].x : prior_gap(p);
	double lg = delta > 0 ? 2.0 / (delta * delta) * log(2.0 * (double)s->T) : 0.0;
	double T = (double)s->T;
	s->etc_m = sched_len(p[P_ETC_M].x > 0 ? p[P_ETC_M].x : lg * s->ltot, s->T);
	s->hetcr_m = sched_len(p[P_HETCR_M2].x > 0 ? p[P_HETCR_M2].x : lg * s->L, s->T);
	s->uetc_m = sched_len(p[P_UETC_M].x > 0 ? p[P_UETC_M].x : (double)s->hetcr_m, s->T);
	s->hetcr_M = sched_len(p[P_HETCR_M1].x > 0 ? p[P_HETCR_M1].x
	                       : fmax((double)s->hetcr_m * s->L, ceil(sqrt(T * log(T)))), s->T);
	s->check = t->check;
	s->ncheck = t->ncheck;
	s->mkey = (smab_rng_key){t->seed, t->point, t->rep};
	s->r = smab_rng_alloc();
	/* the deviated profile registers the most arms (or as many) */
	s->tp = smab_reptape_alloc(s->ltot - s->l[s->dev] + dev_arms(p) > s->ltot
	                           ? s->ltot - s->l[s->dev] + dev_arms(p) : s->ltot);
	smab_rng_key tkey = {t->seed, SMAB_RNG_ALL_POINTS, t->rep};
	smab_reptape_init(s->tp, &tkey,
	                  s->bern ? SMAB_REPTAPE_BERNOULLI : SMAB_REPTAPE_GAUSSIAN, s->sigma);
	draw_means(s, p, t);
	s->mustar = s->mu0[0];
	for (int k = 1; k < s->ltot; k++)
		if (s->mu0[k] > s->mustar)
			s->mustar = s->mu0[k];
}

static int repl_run(const smab_task *t, smab_task_out *out)
{
	if (!t || !out || !t->p || !out->scalar || (t->ncheck > 0 && (!out->curve || !t->check)))
		return SMAB_EINVAL;
	char msg[256];
	int bad;
	if (repl_check(t->p, msg, sizeof msg, &bad) != 0)
		return SMAB_EINVAL;
	for (int k = 0; k < t->nmech; k++)
		if (t->mech[k] < 0 || t->mech[k] >= NMECHS)
			return SMAB_EINVAL;
	for (int c = 0; c < t->ncheck; c++)
		if (t->check[c] < 1 || t->check[c] > (int64_t)t->p[P_HORIZON].x ||
		    (c > 0 && t->check[c] < t->check[c - 1]))
			return SMAB_EINVAL;

	sim *s = smab_xcalloc(1, sizeof *s);
	setup(s, t->p, t);
	size_t nc = t->ncheck > 0 ? (size_t)t->ncheck : 1;
	double *buf = smab_xcalloc(4 * nc, sizeof *buf);
	runout os = {.rcurve = buf, .ucurve = buf + nc};
	runout ot = {.rcurve = buf + 2 * nc, .ucurve = buf + 3 * nc};
	int rp = rp_enabled(t->p);

	for (int k = 0; k < t->nmech; k++) {
		int mech = t->mech[k];
		build_profile(s, s->mu0, 1);
		run_profile(s, mech, &os);
		if (s->strat != S_TRUTHFUL) {
			build_profile(s, s->mu0, 0);
			run_profile(s, mech, &ot);
		} else {   /* the same profile: the same run */
			ot.regret = os.regret;
			memcpy(ot.util, os.util, sizeof ot.util);
			memcpy(ot.rcurve, os.rcurve, nc * sizeof *ot.rcurve);
			memcpy(ot.ucurve, os.ucurve, nc * sizeof *ot.ucurve);
		}
		double *sc = out->scalar + (size_t)k * NMETRICS;
		sc[X_REGRET] = os.regret;
		sc[X_REGRET_T] = ot.regret;
		sc[X_UDEV] = os.util[s->dev];
		sc[X_UDEV_T] = ot.util[s->dev];
		sc[X_GAIN] = os.util[s->dev] - ot.util[s->dev];
		for (int i = 0; i < MAXAG; i++)
			sc[X_U0 + i] = i < s->n ? os.util[i] : NAN;
		for (int c = 0; c < t->ncheck; c++) {
			size_t base = (size_t)k * NMETRICS;
			out->curve[(base + X_REGRET) * nc + (size_t)c] = os.rcurve[c];
			out->curve[(base + X_REGRET_T) * nc + (size_t)c] = ot.rcurve[c];
			out->curve[(base + X_GAIN) * nc + (size_t)c] = os.ucurve[c] - ot.ucurve[c];
		}
		sc[X_RP] = sc[X_RP_T] = NAN;
		if (rp) {
			sc[X_RP] = rp_regret(s, mech, 1, &os);
			sc[X_RP_T] = rp_regret(s, mech, 0, &ot);
		}
	}

	free(buf);
	smab_reptape_free(&s->tp);
	smab_rng_free(&s->r);
	free(s);
	return SMAB_OK;
}

const smab_suite smab_suite_replication = {
	.name = "replication",
	.doc = "replication-proof bandit mechanisms with Bayesian agents (Shin et al., AAAI 2025)",
	.params = params, .nparams = NPARAMS,
	.aliases = aliases, .naliases = (int)(sizeof aliases / sizeof aliases[0]),
	.mechs = mechs, .nmechs = NMECHS,
	.metrics = metrics, .nmetrics = NMETRICS,
	.check = repl_check,
	.horizon = repl_horizon,
	.cost = repl_cost,
	.run = repl_run,
};
