/* drift.c - incentivized exploration under reward drift (Liu et al., AAAI
 * 2020; Algorithm 1 with Algorithms 2-4 as step 2).
 *
 * One replication of one point, for every selected mechanism:
 *
 *   rounds 1..K    initialization: arm t is pulled once, uncompensated, with
 *                  undrifted feedback, so every empirical mean exists before
 *                  the first greedy choice.  These K rounds count in the
 *                  regret (they are the same for every mechanism).  The paper
 *                  lost this step in extraction; one pull per arm is the
 *                  usual start of UCB1 (Auer et al. 2002).
 *   round t > K    g_t = argmax_i mu_hat_i (drifted empirical means, ties to
 *                  the lowest index) is the myopic player's choice; the
 *                  principal picks i_t with
 *                    ucb      argmax mu_hat_i + sqrt(alpha ln t / n_i)
 *                    egreedy  a uniform arm with prob. eps_t = min(1, cK/(d^2 t)),
 *                             else g_t (Auer et al.'s eps_n-greedy)
 *                    ts       argmax theta_i, theta_i ~ N(mu_hat_i, s^2/(n_i+1))
 *                             (Agrawal & Goyal 2013, Gaussian prior), with
 *                             s = sigma ('ts.posterior: noise', the default;
 *                             s = 1/2, the largest Bernoulli standard
 *                             deviation, for Bernoulli rewards) or s = 1
 *                             ('unit': Agrawal & Goyal's form for rewards in
 *                             [0,1], the suite's only form before)
 *                    greedy   g_t (no incentive, the baseline)
 *                  If i_t != g_t the principal pays c_t = mu_hat_g - mu_hat_i
 *                  (>= 0) and the player reports f = r + delta * c_t (linear
 *                  drift b(c) = delta c); otherwise f = r.  eps-greedy
 *                  projects onto [0,1] ('egreedy.project'): 'drift' (the
 *                  default) cuts only the drift, f = max(r, min(r + delta
 *                  c_t, 1)), which is the paper's Proj(r + delta c_t)
 *                  whenever r is in [0,1] as it assumes, and leaves a
 *                  Gaussian reward outside [0,1] alone; 'feedback' clamps
 *                  f itself (the suite's only form before: with sigma 0.6
 *                  it moves the arm means eps-greedy sees, 0.5 0.3 0.1 0 ->
 *                  0.5 0.383 0.275 0.227); 'none' leaves f as it is.
 *                  mu_hat and n are updated with f.
 *
 * Metrics: regret sum_t (mu* - mu_{i_t}) with mu* = max_i mu_i, compensation
 * sum_t c_t, the number of compensated rounds (i_t != g_t, even when a tie
 * makes c_t = 0), and |mu_hat_b - mu_b| / mu_b at the horizon for the best
 * arm b (the lowest index attaining mu*), NaN when mu_b = 0, when b was
 * never pulled, or when the ratio is beyond the doubles (a mu_b near the
 * smallest double: mu_best = 5e-324 gave +inf, which no summary can use).
 *
 * Common random numbers (docs/extending.md): the j-th pull of arm i gets the same
 * noise in every mechanism of a task and at every point of a sweep.  The
 * noise lives on a tape, one per arm, holding standard normals z (Gaussian
 * rewards mu_i + sigma z) or uniforms u (Bernoulli rewards [u < mu_i]).  Pull
 * j of arm i is value j mod B of the stream (key {seed, ALL_POINTS, rep};
 * REWARD, arm, j / B), so a value does not depend on which mechanism asked
 * for it first or how far the tape had been filled: the tape is filled
 * lazily, and a partly filled block is regenerated from its start.
 * Mechanism coins and Thompson samples come from (key {seed, point, rep};
 * MECH, mechanism, block) with the block advanced every 'mech_period'
 * rounds so no stream runs past its 2^34 draws.
 *
 * The round loops are written once per mechanism (the selection rule is a
 * compile-time constant of an always-inlined loop) and allocate nothing.
 * UCB keeps 1/sqrt(n_i) per arm, so its bonus costs one log and one sqrt a
 * round (the scale sqrt(alpha ln t)) plus one sqrt for the pulled arm; the
 * greedy arm of eps-greedy and greedy is maintained incrementally, since
 * only the pulled arm's mean moves.  Measured on K = 10, T = 20000 (bench_drift,
 * one core): ucb ~3.0e7, egreedy ~3.7e7, ts ~1.0e7, greedy ~3.6e7 rounds/s. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "smab/rng.h"
#include "smab/suite.h"

enum {
	P_HORIZON, P_ARMS, P_MEANS, P_MEAN_BEST, P_GAP, P_NOISE, P_SIGMA,
	P_DRIFT, P_UCB_ALPHA, P_EG_C, P_EG_D, P_EG_PROJ, P_TS_POST, NPARAMS
};

/* Defaults: the arm set and eps-greedy constants first calibrated against
 * the paper's Table 1 at delta = 0: K = 10, mu = [0.5, 0.3, 0.1, 0 x 7],
 * Gaussian sigma 0.6, c = 0.4, d = 0.2 (the smallest gap), giving regret
 * ucb ~363, egreedy ~275, ts ~103, greedy ~1900 (paper 348.5, 160.0, 25.3,
 * ~6000).  experiments/drift-calibration.md scores instances against the
 * whole of Tables 1-2; the best one is experiments/drift-table1-fit.yaml. */
static const smab_param_decl params[NPARAMS] = {
	[P_HORIZON] = {"horizon", SMAB_P_INT, "20000", 1, 1e9, NULL,
	               "rounds T of each replication"},
	[P_ARMS] = {"arms", SMAB_P_INT, "10", 2, 1e6, NULL,
	            "number of arms K (must equal the length of 'means' when that is given)"},
	[P_MEANS] = {"means", SMAB_P_VEC, "[]", 0, 1, NULL,
	             "arm means mu_1..mu_K in [0,1]; empty: mean_best - gap*(i-1), floored at 0"},
	[P_MEAN_BEST] = {"mean_best", SMAB_P_REAL, "0.5", 0, 1, NULL,
	                 "mean of arm 1 when 'means' is empty"},
	[P_GAP] = {"gap", SMAB_P_REAL, "0.2", 0, 1, NULL,
	           "gap between consecutive arm means when 'means' is empty"},
	[P_NOISE] = {"noise", SMAB_P_ENUM, "gaussian", 0, 0, "gaussian|bernoulli",
	             "reward distribution around each mean"},
	[P_SIGMA] = {"sigma", SMAB_P_REAL, "0.6", 0, 100, NULL,
	             "standard deviation of Gaussian reward noise"},
	[P_DRIFT] = {"drift", SMAB_P_REAL, "0", 0, 100, NULL,
	             "drift coefficient delta: feedback = reward + delta * compensation"},
	[P_UCB_ALPHA] = {"ucb.alpha", SMAB_P_REAL, "2", 1e-9, 100, NULL,
	                 "UCB index mu_hat + sqrt(alpha ln t / n) (alpha = 2 is UCB1)"},
	[P_EG_C] = {"egreedy.c", SMAB_P_REAL, "0.4", 1e-9, 1e6, NULL,
	            "epsilon-greedy: eps_t = min(1, c K / (d^2 t))"},
	[P_EG_D] = {"egreedy.d", SMAB_P_REAL, "0.2", 1e-9, 1, NULL,
	            "epsilon-greedy: d in (0, 1], at most the smallest gap"},
	[P_EG_PROJ] = {"egreedy.project", SMAB_P_ENUM, "drift", 0, 0, "drift|feedback|none",
	               "epsilon-greedy's projection onto [0,1]: drift: f = max(r, min(r + delta c, 1)) "
	               "(the paper's for r in [0,1]); feedback: clamp f (older runs); none"},
	[P_TS_POST] = {"ts.posterior", SMAB_P_ENUM, "noise", 0, 0, "unit|noise",
	               "Thompson posterior N(mu_hat, s^2/(n+1)): noise: s = sigma (1/2 for Bernoulli); "
	               "unit: s = 1 (older runs)"},
};

enum { M_UCB, M_EGREEDY, M_TS, M_GREEDY, NMECHS };

static const smab_mech_decl mechs[NMECHS] = {
	[M_UCB] = {"ucb", "incentivized UCB1 on drifted empirical means"},
	[M_EGREEDY] = {"egreedy", "incentivized epsilon_t-greedy, feedback projected onto [0,1] ('egreedy.project')"},
	[M_TS] = {"ts", "incentivized Gaussian Thompson sampling, theta_i ~ N(mu_hat_i, s^2/(n_i+1)) ('ts.posterior')"},
	[M_GREEDY] = {"greedy", "no incentive: the myopic player's greedy choice"},
};

enum { X_REGRET, X_COMP, X_NCOMP, X_ESTERR, NMETRICS };

static const smab_metric_decl metrics[NMETRICS] = {
	[X_REGRET] = {"regret", 1, "cumulative pseudo-regret sum_t (mu_1 - mu_{i_t})", "reward"},
	[X_COMP] = {"compensation", 1, "cumulative compensation paid to players", "reward"},
	[X_NCOMP] = {"compensated", 0, "number of compensated rounds", "rounds"},
	[X_ESTERR] = {"est_error", 0, "relative error |mu_hat_1 - mu_1| / mu_1 of the best arm's drifted mean "
	              "(NaN if mu_1 = 0, arm 1 unpulled or the ratio overflows)", "fraction"},
};

static int drift_check(const smab_value *p, char *msg, size_t len, int *bad)
{
	if (p[P_MEANS].n > 0 && p[P_MEANS].n != (int)p[P_ARMS].x) {
		snprintf(msg, len, "'means' has %d entries but 'arms' is %.0f: they must agree",
		         p[P_MEANS].n, p[P_ARMS].x);
		*bad = P_MEANS;
		return 1;
	}
	return 0;
}

static int64_t drift_horizon(const smab_value *p)
{
	return (int64_t)p[P_HORIZON].x;
}

/* One unit per round of a mechanism with the default K = 10 arms; a round
 * scans every arm (the greedy choice, UCB's and TS's indices), so beyond 10
 * arms it costs in proportion (K = 10^6 was estimated 10^5 times too
 * cheap). */
static double drift_cost(const smab_value *p, int nmech)
{
	return p[P_HORIZON].x * nmech * fmax(1.0, p[P_ARMS].x / 10.0);
}

/* ---- the reward tape ------------------------------------------------------ */

/* Pulls per tape block: the stream of block b holds pulls b*B .. b*B+B-1.
 * Part of the streams' names: changing it changes every result. */
#define TAPE_BLOCK 1024
/* First fill of an arm's tape, grown 4x up to a whole block, so K = 10^6
 * arms pulled once cost 16 values each rather than a block each. */
#define TAPE_FIRST 16

enum { NOISE_GAUSSIAN, NOISE_BERNOULLI };
enum { PROJ_DRIFT, PROJ_FEEDBACK, PROJ_NONE };   /* 'egreedy.project' choices */
enum { POST_UNIT, POST_NOISE };                  /* 'ts.posterior' choices */

typedef struct tape {
	int K, noise;
	double **val;      /* [K][cap[i]]: z or u of each pull of arm i */
	int64_t *len;      /* values valid */
	int64_t *cap;      /* values allocated */
	gsl_rng *r;
	smab_rng_key key;
} tape;

static void tape_init(tape *tp, const smab_task *t, int K, int noise)
{
	tp->K = K;
	tp->noise = noise;
	tp->val = smab_xcalloc((size_t)K, sizeof *tp->val);
	tp->len = smab_xcalloc((size_t)K, sizeof *tp->len);
	tp->cap = smab_xcalloc((size_t)K, sizeof *tp->cap);
	tp->r = smab_rng_alloc();
	tp->key = (smab_rng_key){t->seed, SMAB_RNG_ALL_POINTS, t->rep};
}

static void tape_free(tape *tp)
{
	for (int i = 0; i < tp->K; i++)
		free(tp->val[i]);
	free(tp->val);
	free(tp->len);
	free(tp->cap);
	smab_rng_free(&tp->r);
}

/* Make value 'j' of arm 'arm' available.  Out of line: it runs once per
 * block (or per 4x growth of the first block) of an arm. */
static void __attribute__((noinline)) tape_fill(tape *tp, int arm, int64_t j)
{
	int64_t want;
	if (j < TAPE_BLOCK) {
		want = TAPE_FIRST;
		while (want <= j)
			want *= 4;
		if (want > TAPE_BLOCK)
			want = TAPE_BLOCK;
	} else {
		want = (j / TAPE_BLOCK + 1) * TAPE_BLOCK;
	}
	if (want > tp->cap[arm]) {
		int64_t cap = tp->cap[arm] * 2;
		if (cap < want)
			cap = want;
		tp->val[arm] = smab_xrealloc(tp->val[arm], (size_t)cap * sizeof(double));
		tp->cap[arm] = cap;
	}
	/* A partly filled block is drawn again from its start: the values it
	 * already holds come out the same. */
	int64_t from = tp->len[arm] - tp->len[arm] % TAPE_BLOCK;
	double *v = tp->val[arm];
	for (int64_t b0 = from; b0 < want; b0 += TAPE_BLOCK) {
		smab_rng_seek(tp->r, &tp->key, SMAB_RNG_REWARD, (uint64_t)arm,
		              (uint64_t)(b0 / TAPE_BLOCK));
		int64_t end = b0 + TAPE_BLOCK < want ? b0 + TAPE_BLOCK : want;
		if (tp->noise == NOISE_GAUSSIAN)
			for (int64_t k = b0; k < end; k++)
				v[k] = gsl_ran_gaussian_ziggurat(tp->r, 1.0);
		else
			for (int64_t k = b0; k < end; k++)
				v[k] = gsl_rng_uniform(tp->r);
	}
	tp->len[arm] = want;
}

static inline double tape_get(tape *tp, int arm, int64_t j)
{
	if (j >= tp->len[arm])
		tape_fill(tp, arm, j);
	return tp->val[arm][j];
}

/* ---- one mechanism's run --------------------------------------------------- */

/* Everything fixed within a task, plus per-mechanism scratch reused by each
 * mechanism in turn. */
typedef struct sim {
	int K, noise, best, eg_proj;
	int64_t T;
	double sigma, delta, alpha, eg_c;   /* eg_c = c K / d^2 */
	double ts_sd;                       /* s of the TS posterior N(mu_hat, s^2/(n+1)) */
	const double *mu;
	double *gap;                        /* mu* - mu_i */
	tape tp;
	gsl_rng *r;                         /* the mechanism's own stream */
	smab_rng_key mkey;
	int64_t mech_period;                /* rounds per mechanism-stream block */
	/* state of the mechanism being run */
	int64_t *n;
	double *mean;                       /* drifted empirical means */
	double *w;                          /* ucb: 1/sqrt(n_i); ts: s/sqrt(n_i+1) */
	double regret, comp, ncomp;
} sim;

static inline double reward(sim *s, int i)
{
	double x = tape_get(&s->tp, i, s->n[i]);
	if (s->noise == NOISE_GAUSSIAN)
		return s->mu[i] + s->sigma * x;
	return x < s->mu[i] ? 1.0 : 0.0;
}

static inline double clamp01(double x)
{
	return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
}

/* eps-greedy's feedback for reward r and drifted feedback f >= r under
 * projection 'how' (PROJ_*). */
static inline double project(int how, double r, double f)
{
	if (how == PROJ_FEEDBACK)
		return clamp01(f);
	if (how == PROJ_DRIFT)
		return f > 1.0 ? fmax(r, 1.0) : f;
	return f;
}

/* Record feedback f for a pull of arm i. */
static inline void update(sim *s, int mech, int i, double f)
{
	int64_t n = ++s->n[i];
	double dn = (double)n;
	s->mean[i] += (f - s->mean[i]) / dn;
	if (mech == M_UCB)
		s->w[i] = 1.0 / sqrt(dn);
	else if (mech == M_TS)
		s->w[i] = s->ts_sd / sqrt(dn + 1.0);
}

static int argmax(const double *x, int K)
{
	int g = 0;
	double m = x[0];
	for (int i = 1; i < K; i++)
		if (x[i] > m) {
			m = x[i];
			g = i;
		}
	return g;
}

/* Rounds t0..t1 (1-based, t0 > K) of mechanism 'mech'; *g carries the
 * greedy arm between calls for the mechanisms that keep it incrementally.
 * Always inlined into a switch on a constant 'mech', so each mechanism gets
 * its own loop without per-round dispatch. */
static inline __attribute__((always_inline)) void
play(sim *s, const int mech, int64_t t0, int64_t t1, int *gp)
{
	const int K = s->K;
	double *restrict mean = s->mean, *restrict w = s->w;
	const double *restrict gap = s->gap;
	const double delta = s->delta, alpha = s->alpha, eg_c = s->eg_c;
	int g = *gp;
	double regret = s->regret, comp = s->comp, ncomp = s->ncomp;
	for (int64_t t = t0; t <= t1; t++) {
		int i;
		if (mech == M_UCB) {
			/* Greedy and UCB arms in one pass; bonus_i = s_t / sqrt(n_i). */
			double st = sqrt(alpha * log((double)t));
			double gm = mean[0], um = mean[0] + st * w[0];
			g = 0;
			i = 0;
			for (int k = 1; k < K; k++) {
				double m = mean[k], u = m + st * w[k];
				if (m > gm) {
					gm = m;
					g = k;
				}
				if (u > um) {
					um = u;
					i = k;
				}
			}
		} else if (mech == M_TS) {
			double gm = mean[0];
			double tm = mean[0] + w[0] * gsl_ran_gaussian_ziggurat(s->r, 1.0);
			g = 0;
			i = 0;
			for (int k = 1; k < K; k++) {
				double m = mean[k];
				double th = m + w[k] * gsl_ran_gaussian_ziggurat(s->r, 1.0);
				if (m > gm) {
					gm = m;
					g = k;
				}
				if (th > tm) {
					tm = th;
					i = k;
				}
			}
		} else if (mech == M_EGREEDY) {
			/* eps_t = min(1, cK/(d^2 t)); the coin is drawn every round. */
			double u = gsl_rng_uniform(s->r);
			double eps = eg_c / (double)t;
			i = u < eps ? (int)gsl_rng_uniform_int(s->r, (unsigned long)K) : g;
		} else {
			i = g;
		}

		double r = reward(s, i), f = r;
		regret += gap[i];
		if (mech != M_GREEDY && i != g) {
			double c = mean[g] - mean[i];
			comp += c;
			ncomp += 1.0;
			f += delta * c;
		}
		if (mech == M_EGREEDY)
			f = project(s->eg_proj, r, f);
		double old = mean[i];
		update(s, mech, i, f);

		if (mech == M_EGREEDY || mech == M_GREEDY) {
			/* Only mean[i] moved: the argmax (ties to the lowest index)
			 * changes to i, or needs a rescan if the leader fell. */
			if (i == g) {
				if (mean[i] < old)
					g = argmax(mean, K);
			} else if (mean[i] > mean[g] || (mean[i] == mean[g] && i < g)) {
				g = i;
			}
		}
	}
	*gp = g;
	s->regret = regret;
	s->comp = comp;
	s->ncomp = ncomp;
}

static void play_mech(sim *s, int mech, int64_t t0, int64_t t1, int *g)
{
	switch (mech) {
	case M_UCB: play(s, M_UCB, t0, t1, g); break;
	case M_EGREEDY: play(s, M_EGREEDY, t0, t1, g); break;
	case M_TS: play(s, M_TS, t0, t1, g); break;
	default: play(s, M_GREEDY, t0, t1, g); break;
	}
}

/* Run mechanism 'mech' (suite index) as selected mechanism k. */
static void run_mech(sim *s, const smab_task *t, int mech, int k,
                     smab_task_out *out)
{
	const int K = s->K;
	for (int i = 0; i < K; i++) {
		s->n[i] = 0;
		s->mean[i] = 0.0;
		s->w[i] = 0.0;
	}
	s->regret = s->comp = s->ncomp = 0.0;
	s->mkey = (smab_rng_key){t->seed, t->point, t->rep};
	double *rcurve = NULL, *ccurve = NULL;
	if (t->ncheck > 0) {
		rcurve = out->curve + (size_t)(k * NMETRICS + X_REGRET) * (size_t)t->ncheck;
		ccurve = out->curve + (size_t)(k * NMETRICS + X_COMP) * (size_t)t->ncheck;
	}

	int g = 0;
	int64_t t_done = 0, next_block = 0;   /* next mechanism-stream block starts */
	for (int c = 0; c <= t->ncheck; c++) {
		int64_t stop = c < t->ncheck ? t->check[c] : s->T;
		/* Initialization rounds: arm t-1, no compensation, no drift. */
		while (t_done < stop && t_done < K) {
			int i = (int)t_done;
			double f = reward(s, i);
			s->regret += s->gap[i];
			if (mech == M_EGREEDY)
				f = project(s->eg_proj, f, f);
			update(s, mech, i, f);
			if (++t_done == K)
				g = argmax(s->mean, K);
		}
		while (t_done < stop) {
			if (t_done - K == next_block * s->mech_period) {
				smab_rng_seek(s->r, &s->mkey, SMAB_RNG_MECH, (uint64_t)mech,
				              (uint64_t)next_block);
				next_block++;
			}
			int64_t end = K + next_block * s->mech_period;
			if (end > stop)
				end = stop;
			play_mech(s, mech, t_done + 1, end, &g);
			t_done = end;
		}
		if (c < t->ncheck) {
			rcurve[c] = s->regret;
			ccurve[c] = s->comp;
		}
	}

	double *sc = out->scalar + (size_t)k * NMETRICS;
	sc[X_REGRET] = s->regret;
	sc[X_COMP] = s->comp;
	sc[X_NCOMP] = s->ncomp;
	double mb = s->mu[s->best];
	double rel = mb > 0.0 && s->n[s->best] > 0 ? fabs(s->mean[s->best] - mb) / mb : NAN;
	sc[X_ESTERR] = isfinite(rel) ? rel : NAN;
}

static int drift_run(const smab_task *t, smab_task_out *out)
{
	if (!t || !out || !t->p || !out->scalar || (t->ncheck > 0 && (!out->curve || !t->check)))
		return SMAB_EINVAL;
	const smab_value *p = t->p;
	int K = (int)p[P_ARMS].x;
	int64_t T = (int64_t)p[P_HORIZON].x;
	if (K < 2 || T < 1 || (p[P_MEANS].n > 0 && p[P_MEANS].n != K))
		return SMAB_EINVAL;
	for (int c = 0; c < t->ncheck; c++)
		if (t->check[c] < 1 || t->check[c] > T || (c > 0 && t->check[c] < t->check[c - 1]))
			return SMAB_EINVAL;
	for (int k = 0; k < t->nmech; k++)
		if (t->mech[k] < 0 || t->mech[k] >= NMECHS)
			return SMAB_EINVAL;

	double *mu = smab_xmalloc((size_t)K * sizeof *mu);
	for (int i = 0; i < K; i++) {
		if (p[P_MEANS].n > 0)
			mu[i] = p[P_MEANS].v[i];
		else
			mu[i] = fmax(0.0, p[P_MEAN_BEST].x - p[P_GAP].x * i);
	}

	sim s = {0};
	s.K = K;
	s.T = T;
	s.noise = (int)p[P_NOISE].x == 1 ? NOISE_BERNOULLI : NOISE_GAUSSIAN;
	s.sigma = p[P_SIGMA].x;
	s.delta = p[P_DRIFT].x;
	s.alpha = p[P_UCB_ALPHA].x;
	s.eg_c = p[P_EG_C].x * K / (p[P_EG_D].x * p[P_EG_D].x);
	s.eg_proj = (int)p[P_EG_PROJ].x;
	s.ts_sd = (int)p[P_TS_POST].x == POST_UNIT ? 1.0
	          : s.noise == NOISE_BERNOULLI ? 0.5 : s.sigma;
	s.mu = mu;
	s.best = argmax(mu, K);
	s.gap = smab_xmalloc((size_t)K * sizeof *s.gap);
	for (int i = 0; i < K; i++)
		s.gap[i] = mu[s.best] - mu[i];
	/* Thompson sampling draws about K 32-bit words a round: keep a block
	 * of the mechanism stream within 2^30 of its 2^34 words. */
	s.mech_period = ((int64_t)1 << 30) / (K + 1);
	s.n = smab_xmalloc((size_t)K * sizeof *s.n);
	s.mean = smab_xmalloc((size_t)K * sizeof *s.mean);
	s.w = smab_xmalloc((size_t)K * sizeof *s.w);
	s.r = smab_rng_alloc();
	tape_init(&s.tp, t, K, s.noise);

	for (int k = 0; k < t->nmech; k++)
		run_mech(&s, t, t->mech[k], k, out);

	tape_free(&s.tp);
	smab_rng_free(&s.r);
	free(s.n);
	free(s.mean);
	free(s.w);
	free(s.gap);
	free(mu);
	return SMAB_OK;
}

const smab_suite smab_suite_drift = {
	.name = "drift",
	.doc = "incentivized exploration under reward drift (Liu et al., AAAI 2020)",
	.params = params, .nparams = NPARAMS,
	.mechs = mechs, .nmechs = NMECHS,
	.metrics = metrics, .nmetrics = NMETRICS,
	.check = drift_check,
	.horizon = drift_horizon,
	.cost = drift_cost,
	.run = drift_run,
};
