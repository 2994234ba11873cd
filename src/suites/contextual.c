/* contextual.c - COBRA against strategic feature misreports (Verma, Saha,
 * Yokoo, Low 2025), with LinUCB, LinTS and OptGTM
 * (Kleine Buening et al., NeurIPS 2024) as baselines.
 *
 * Environment (one replication):
 *   a pool of P contexts c_j in [0,1]^dc and N agents with features
 *   g_a in [0,1]^da, all entries uniform; x(j,a) = concat(c_j, g_a), d = dc+da;
 *   theta* uniform in [0,1]^D then unit norm, D = d ('reward: linear') or
 *   D = d(d+3)/2 ('reward: poly2', the degree-2 map phi below); the mean
 *   reward of agent a under context j is mu(j,a) = theta*^T psi(x(j,a)) with
 *   psi the identity or phi, and a pull returns mu + sigma z, z ~ N(0,1).
 *   Each round one context is drawn uniformly from the pool.  A set of
 *   round(fraction N) misreporting agents (uniform without replacement)
 *   report (1 + zeta) x with zeta ~ U[a, b] drawn afresh every round
 *   ('misreport.zeta: round') or once per agent and replication ('agent':
 *   a constant inflation, the deviation COBRA's equilibrium argument
 *   compares truthfulness with), from round misreport.start on, truthfully
 *   before (a late onset is what lets an estimator built from the agent's
 *   own reports, OptGTM's, see the change); the others report x.  Rewards
 *   always come from the true x.
 *
 * Degree-2 map (the paper's Appendix D: the polynomial kernel (1 + x^T y)^2
 * with its constant removed): phi(x) = [sqrt2 x_i (i < d); x_i^2 and
 * sqrt2 x_i x_j (i < j), row by row], so phi(x)^T phi(y) = (1 + x^T y)^2 - 1.
 * Mechanisms prefixed "n-" learn on phi of the reports; the others on the
 * reports themselves.
 *
 * Learners (the extracted paper lost every formula; these are the standard
 * forms it cites).  All keep ridge regression V = lambda I + sum x x^T,
 * theta_hat = V^-1 sum y x (src/linalg.c), with n observations:
 *   beta(n) = sigma sqrt(D log((1 + n L^2 / lambda) / delta)) + sqrt(lambda) S,
 *     the radius of Abbasi-Yadkori et al. (2011, Thm 2) with log det V /
 *     det(lambda I) <= D log(1 + n L^2 / (D lambda)) relaxed to
 *     D log(1 + n L^2 / lambda) (no determinant needed) and its
 *     2 log(1/delta) to D log(1/delta), a looser but valid radius for
 *     D >= 2 (the suite requires d >= 2), S = 1 (||theta*||
 *     = 1) and L the largest norm of a true feature vector: sqrt(d) for the
 *     identity, sqrt((1 + d)^2 - 1) for phi.  UCB selections use
 *     ucb.scale * beta, LOOM loom.scale * beta (both 1 by default).
 *   linucb     argmax theta_hat^T x~ + beta(n) ||x~||_{V^-1}
 *   lints      argmax theta~^T x~, theta~ ~ N(theta_hat, v^2 V^-1) with
 *              v = ts.scale * sigma: the exact Gaussian posterior of Bayesian
 *              ridge regression (Agrawal & Goyal 2013's inflation
 *              sqrt(24 d ln(1/delta) / eps) is a worst-case constant; set
 *              ts.scale to use it).
 *   optgtm     as its authors' code runs it: one estimate per agent from its
 *              own reports, beta = sqrt(lambda) D + sqrt(2 log T + D log((D +
 *              T D^2) / (D lambda))); argmax over active agents of
 *              theta_i^T x~ + beta ||x~||_{V_i^-1}; after the update
 *              L_a += theta_a^T x~ - beta ||x~||_{V_a^-1}, R_a += y, and a
 *              is dropped once L_a > R_a + 2 sqrt(n_a log T).
 *   cobra-ucb, cobra-ts   linucb / lints over the active agents plus LOOM:
 *              for agent a, theta_{-a} and V_{-a} from every observation but
 *              a's (one smab_ls per agent, updated by Sherman-Morrison with
 *              every other agent's observations: O(N D^2) a round, never a
 *              refit), n_{-a} = n - n_a observations, and
 *                LCB_a = sum_{s: a_s = a} theta_{-a}^T x~_s - beta(n_{-a}) ||x~_s||_{V_{-a}^-1}
 *                UCB_a = sum_{s: a_s = a} y_s + sigma sqrt(2 n_a log(1/delta))
 *              (Hoeffding for a sum of n_a sigma-sub-Gaussian terms); a is
 *              eliminated for good when LCB_a > UCB_a.  The test runs for
 *              the agent selected in a round, after that round's update.
 *              (theta_{-a} and V_{-a} also move when others are pulled, so
 *              an agent that is no longer selected is not re-tested: the
 *              elimination counts can miss misreporters that simply stopped
 *              being chosen; the regret is unaffected.)  loom: exact re-evaluates every
 *              past report of a under the current theta_{-a}, V_{-a} (one
 *              DSYMM over the n_a x D report matrix: O(n_a D^2)); loom:
 *              cached keeps each report's width ||x~_s||_{V_{-a}^-1} from the
 *              round it was made (O(D^2) a round).  Widths only shrink as
 *              V_{-a} grows, so the cached LCB is never above the exact one:
 *              cached eliminates no earlier than exact.
 *   The last active agent is never eliminated (every mechanism must pick
 *   someone); an elimination that would empty the set is skipped.
 *
 * Metrics: strategic regret sum_t max_a mu(j_t, a) - mu(j_t, a_t) (against
 * the best true agent of each context, eliminated or not), eliminations and
 * how many hit misreporters (true) or truthful agents (false), the share of
 * rounds given to misreporters, and each agent's selection count (its
 * utility in the paper, which counts pulls) for the first 16 agents.
 * LOOM's diagnostics (COBRA only, NaN for the others): the terms of each
 * agent's last LOOM check, summed over the misreporters (_mis, NaN if there
 * are none) and over the truthful agents (_tru, NaN if there are none):
 * the observed reward sum R_a, the leave-one-out prediction
 * theta_{-a}^T sum_s x~_s, the width penalty beta(n_{-a}) sum_s
 * ||x~_s||_{V_{-a}^-1} (the sum LOOM used, exact or cached), and the
 * claim sum_s mu(x~_s) = theta*^T psi(x~_s), what the reports would earn
 * if they were true (what an unbiased theta_{-a} would predict).  An agent
 * is eliminated when loo - penalty > obs + sigma sqrt(2 n_a log(1/delta));
 * loo / claim shows how far the others' data bias theta_{-a}, and claim -
 * obs is the overshoot LOOM looks for.  An agent never selected is never
 * checked and adds zeros.
 *
 * Common random numbers (docs/extending.md): every mechanism of a task sees the same
 * contexts, the same zeta and the same reward noise in round t (one tape per
 * round, not per pull); none of the environment streams depends on the point,
 * so a sweep over [a, b] or sigma is paired.  Mechanism streams keep the
 * point (the usual rule), so in a sweep over a mechanism's constant (loom,
 * loom.scale, ts.scale) the Thompson samples differ between points: those
 * comparisons are unbiased but not paired.
 * Streams, key {seed, ALL_POINTS, rep}: ENV id 0 block 0 the context pool,
 * block 1 the agents' features; ENV id 1 block 'instance' theta*; ENV id 2
 * the misreporting set; ENV id 3 the round tape (context index, N uniforms
 * for zeta, drawn in both zeta modes so that the mode shifts no stream);
 * ENV id 4 the N uniforms of the per-agent zeta; REWARD id 0 the noise
 * z_t.  Thompson samples come from {seed, point, rep}; MECH, id 0 (id 1
 * for the "n-" learners), shared by LinTS and COBRA(TS) so that the two
 * coincide until an elimination. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "smab/linalg.h"
#include "smab/linstrat.h"
#include "smab/rng.h"
#include "smab/suite.h"

enum {
	P_HORIZON, P_AGENTS, P_CONTEXTS, P_DC, P_DA, P_INSTANCE, P_SIGMA,
	P_LAMBDA, P_DELTA, P_FRACTION, P_ZA, P_ZB, P_ZSTART, P_REWARD, P_UCB_SCALE,
	P_TS_SCALE, P_LOOM, P_LOOM_SCALE, P_REFACTOR, P_ZMODE, NPARAMS
};

/* Defaults (the paper's numbers were lost; these are ours, see
 * experiments/README.md): P = 20 contexts, dc = da = 5 (d = 10), N = 10
 * agents, T = 5000, lambda = 1, sigma = 0.1, delta = 0.05, 3 of the 10
 * agents misreporting with zeta ~ U[0.5, 1]. */
static const smab_param_decl params[NPARAMS] = {
	[P_HORIZON] = {"horizon", SMAB_P_INT, "5000", 1, 1e7, NULL, "rounds T"},
	[P_AGENTS] = {"agents", SMAB_P_INT, "10", 2, 1000, NULL, "number of agents N"},
	[P_CONTEXTS] = {"contexts", SMAB_P_INT, "20", 1, 1e6, NULL,
	                "size of the context pool (one drawn uniformly per round)"},
	[P_DC] = {"dc", SMAB_P_INT, "5", 0, 200, NULL, "context feature dimension"},
	[P_DA] = {"da", SMAB_P_INT, "5", 0, 200, NULL, "agent feature dimension (d = dc + da)"},
	[P_INSTANCE] = {"instance", SMAB_P_INT, "0", 0, 1e6, NULL,
	                "which theta* draw (problem instance) of a replication"},
	[P_SIGMA] = {"sigma", SMAB_P_REAL, "0.1", 0, 100, NULL, "reward noise standard deviation"},
	[P_LAMBDA] = {"lambda", SMAB_P_REAL, "1", 1e-9, 1e9, NULL, "ridge regularization"},
	[P_DELTA] = {"delta", SMAB_P_REAL, "0.05", 1e-12, 0.999, NULL,
	             "confidence level of the ellipsoid and of LOOM's Hoeffding bound"},
	[P_FRACTION] = {"misreport.fraction", SMAB_P_REAL, "0.3", 0, 1, NULL,
	                "share of agents that misreport (round(fraction N), chosen at random)"},
	[P_ZA] = {"misreport.a", SMAB_P_REAL, "0.5", 0, 100, NULL, "misreport: zeta ~ U[a, b]"},
	[P_ZB] = {"misreport.b", SMAB_P_REAL, "1", 0, 100, NULL,
	          "misreport: zeta ~ U[a, b], report (1 + zeta) x"},
	[P_ZSTART] = {"misreport.start", SMAB_P_INT, "1", 1, 1e7, NULL,
	              "first round in which misreporters misreport (truthful before)"},
	[P_REWARD] = {"reward", SMAB_P_ENUM, "linear", 0, 0, "linear|poly2",
	              "true reward theta*^T x or theta*^T phi(x), phi the degree-2 map"},
	[P_UCB_SCALE] = {"ucb.scale", SMAB_P_REAL, "1", 0, 1e6, NULL,
	                 "multiplier of the confidence radius beta in UCB selections"},
	[P_TS_SCALE] = {"ts.scale", SMAB_P_REAL, "1", 0, 1e6, NULL,
	                "Thompson sampling: theta~ ~ N(theta_hat, (scale sigma)^2 V^-1)"},
	[P_LOOM] = {"loom", SMAB_P_ENUM, "exact", 0, 0, "exact|cached",
	            "LOOM sum: re-evaluate past reports (exact) or keep their widths (cached)"},
	[P_LOOM_SCALE] = {"loom.scale", SMAB_P_REAL, "1", 0, 1e6, NULL,
	                  "multiplier of the radius beta(n_{-a}) in LOOM's pessimistic sum"},
	[P_REFACTOR] = {"ls.refactor", SMAB_P_INT, "256", 0, 1e9, NULL,
	                "rank-one updates between Cholesky refactorizations (0 = never)"},
	[P_ZMODE] = {"misreport.zeta", SMAB_P_ENUM, "round", 0, 0, "round|agent",
	             "misreport: zeta drawn afresh every round, or once per agent and replication"},
};

enum { A_LINUCB, A_LINTS, A_OPTGTM, A_COBRA_UCB, A_COBRA_TS, NALGS };

static const smab_mech_decl mechs[2 * NALGS] = {
	{"linucb", "LinUCB, Abbasi-Yadkori radius, on the reports"},
	{"lints", "linear Thompson sampling, N(theta_hat, sigma^2 V^-1)"},
	{"optgtm", "OptGTM (Kleine Buening et al. 2024): per-agent estimates and elimination"},
	{"cobra-ucb", "COBRA(UCB): LinUCB plus LOOM elimination"},
	{"cobra-ts", "COBRA(TS): LinTS plus LOOM elimination"},
	{"n-linucb", "LinUCB on the degree-2 feature map"},
	{"n-lints", "LinTS on the degree-2 feature map"},
	{"n-optgtm", "OptGTM on the degree-2 feature map"},
	{"n-cobra-ucb", "COBRA(UCB) on the degree-2 feature map"},
	{"n-cobra-ts", "COBRA(TS) on the degree-2 feature map"},
};
#define NMECHS ((int)(sizeof mechs / sizeof mechs[0]))

#define NSEL 16
/* LOOM's diagnostics follow the selections: four terms (D_*), summed over
 * the misreporters (group 0), then over the truthful agents (group 1). */
enum { D_OBS, D_LOO, D_PEN, D_CLAIM, ND };
enum { X_REGRET, X_ELIM, X_TRUE_ELIM, X_FALSE_ELIM, X_MIS_SHARE, X_NMIS, X_SEL0,
       X_DIAG = X_SEL0 + NSEL, NMETRICS = X_DIAG + 2 * ND };

/* Agents are numbered from 1 in names, as everywhere: slot X_SEL0 + i - 1. */
#define SEL(i) [X_SEL0 + (i) - 1] = {"sel_" #i, 0, "selections (utility) of agent " #i ", NaN if absent", "rounds"}
static const smab_metric_decl metrics[NMETRICS] = {
	[X_REGRET] = {"regret", 1, "strategic regret against the best true agent of each context", "reward"},
	[X_ELIM] = {"eliminated", 0, "agents eliminated", "count"},
	[X_TRUE_ELIM] = {"true_elim", 0, "misreporting agents eliminated", "count"},
	[X_FALSE_ELIM] = {"false_elim", 0, "truthful agents eliminated", "count"},
	[X_MIS_SHARE] = {"mis_share", 0, "share of rounds that selected a misreporting agent", "fraction"},
	[X_NMIS] = {"misreporters", 0, "number of misreporting agents", "count"},
	SEL(1), SEL(2), SEL(3), SEL(4), SEL(5), SEL(6), SEL(7), SEL(8),
	SEL(9), SEL(10), SEL(11), SEL(12), SEL(13), SEL(14), SEL(15), SEL(16),
#define DIAG(g, k, sfx, who, what) [X_DIAG + (g) * ND + (k)] = {"loom_" sfx, 0, \
	"COBRA: " what " at each " who "'s last LOOM check, summed (NaN if none, or not COBRA)", \
	"reward"}
	DIAG(0, D_OBS, "obs_mis", "misreporter", "observed reward sum"),
	DIAG(0, D_LOO, "loo_mis", "misreporter", "leave-one-out prediction theta_{-a}^T sum x~"),
	DIAG(0, D_PEN, "pen_mis", "misreporter", "width penalty beta sum ||x~||_{V_{-a}^-1}"),
	DIAG(0, D_CLAIM, "claim_mis", "misreporter", "claim sum theta*^T psi(x~) (the true mean reward of the reports)"),
	DIAG(1, D_OBS, "obs_tru", "truthful agent", "observed reward sum"),
	DIAG(1, D_LOO, "loo_tru", "truthful agent", "leave-one-out prediction theta_{-a}^T sum x~"),
	DIAG(1, D_PEN, "pen_tru", "truthful agent", "width penalty beta sum ||x~||_{V_{-a}^-1}"),
	DIAG(1, D_CLAIM, "claim_tru", "truthful agent", "claim sum theta*^T psi(x~) (the true mean reward of the reports)"),
};

static int poly_dim(int d)
{
	return d + d * (d + 1) / 2;
}

static int ctx_check(const smab_value *p, char *msg, size_t len, int *bad)
{
	int d = (int)(p[P_DC].x + p[P_DA].x);
	/* beta below is a valid confidence radius only for d >= 2: its
	 * D log(1/delta) stands in for Abbasi-Yadkori's 2 log(1/delta). */
	if (d < 2) {
		snprintf(msg, len, "dc + da must be at least 2");
		*bad = P_DA;
		return 1;
	}
	/* The round tape holds T x N zeta values: keep it under 2 GiB. */
	if (p[P_HORIZON].x * p[P_AGENTS].x > 268435456.0) {
		snprintf(msg, len, "horizon x agents = %.0f is above 2^28: the misreport tape "
		         "(8 bytes each) would not fit a rank's memory", p[P_HORIZON].x * p[P_AGENTS].x);
		*bad = P_HORIZON;
		return 1;
	}
	if (p[P_ZB].x < p[P_ZA].x) {
		snprintf(msg, len, "misreport.b (%g) must be at least misreport.a (%g)",
		         p[P_ZB].x, p[P_ZA].x);
		*bad = P_ZB;
		return 1;
	}
	if (poly_dim(d) > 2000) {
		snprintf(msg, len, "dc + da = %d is above 61: the degree-2 map of the n- mechanisms would have %d features",
		         d, poly_dim(d));
		*bad = P_DA;
		return 1;
	}
	return 0;
}

static int64_t ctx_horizon(const smab_value *p)
{
	return (int64_t)p[P_HORIZON].x;
}

/* The rounds, plus the environment built once per task: P N mean rewards
 * of D features each (P = 10^6 contexts took a second that the rounds'
 * term put at a millisecond). */
static double ctx_cost(const smab_value *p, int nmech)
{
	double d = p[P_DC].x + p[P_DA].x;
	double D = (int)p[P_REWARD].x == 1 ? poly_dim((int)d) : d;
	return p[P_HORIZON].x * nmech * (1.0 + p[P_AGENTS].x * d * d / 50.0) +
	       p[P_CONTEXTS].x * p[P_AGENTS].x * D / 10.0;
}

/* phi(x): see the header comment.  out has poly_dim(d) entries. */
static void poly2(const double *x, int d, double *out)
{
	int k = 0;
	for (int i = 0; i < d; i++)
		out[k++] = M_SQRT2 * x[i];
	for (int i = 0; i < d; i++)
		for (int j = i; j < d; j++)
			out[k++] = (i == j ? 1.0 : M_SQRT2) * x[i] * x[j];
}

/* ---- the environment ------------------------------------------------------- */

typedef struct env {
	int N, P, dc, da, d, T;
	double sigma, lambda, delta;
	double *ctx;          /* P x dc */
	double *agent;        /* N x da */
	double *mu;           /* P x N true mean rewards */
	double *theta;        /* Dt: theta* */
	int poly, Dt;         /* reward through phi; length of theta* */
	double *best;         /* P: max_a mu */
	int *mis;             /* N: 1 if agent misreports */
	int nmis;
	int *tctx;            /* T: context index of round t (0-based) */
	double *zeta;         /* T x N: zeta of each agent (0 for truthful ones) */
	double *z;            /* T: reward noise */
} env;

static void fill_uniform(gsl_rng *r, double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		v[i] = gsl_rng_uniform(r);
}

static void true_x(const env *e, int j, int a, double *x)
{
	memcpy(x, e->ctx + (size_t)j * (size_t)e->dc, (size_t)e->dc * sizeof(double));
	memcpy(x + e->dc, e->agent + (size_t)a * (size_t)e->da, (size_t)e->da * sizeof(double));
}

static void env_init(env *e, const smab_task *t)
{
	const smab_value *p = t->p;
	e->N = (int)p[P_AGENTS].x;
	e->P = (int)p[P_CONTEXTS].x;
	e->dc = (int)p[P_DC].x;
	e->da = (int)p[P_DA].x;
	e->d = e->dc + e->da;
	e->T = (int)p[P_HORIZON].x;
	e->sigma = p[P_SIGMA].x;
	e->lambda = p[P_LAMBDA].x;
	e->delta = p[P_DELTA].x;
	int poly = (int)p[P_REWARD].x == 1;
	int D = poly ? poly_dim(e->d) : e->d;
	smab_rng_key key = {t->seed, SMAB_RNG_ALL_POINTS, t->rep};
	gsl_rng *r = smab_rng_alloc();

	e->ctx = smab_xmalloc((size_t)e->P * (size_t)(e->dc + 1) * sizeof(double));
	e->agent = smab_xmalloc((size_t)e->N * (size_t)(e->da + 1) * sizeof(double));
	smab_rng_seek(r, &key, SMAB_RNG_ENV, 0, 0);
	fill_uniform(r, e->ctx, (size_t)e->P * (size_t)e->dc);
	smab_rng_seek(r, &key, SMAB_RNG_ENV, 0, 1);
	fill_uniform(r, e->agent, (size_t)e->N * (size_t)e->da);

	double *theta = e->theta = smab_xmalloc((size_t)D * sizeof(double));
	e->poly = poly;
	e->Dt = D;
	smab_rng_seek(r, &key, SMAB_RNG_ENV, 1, (uint64_t)p[P_INSTANCE].x);
	fill_uniform(r, theta, (size_t)D);
	double nrm = 0.0;
	for (int i = 0; i < D; i++)
		nrm += theta[i] * theta[i];
	nrm = sqrt(nrm);
	for (int i = 0; i < D; i++)
		theta[i] /= nrm > 0.0 ? nrm : 1.0;

	double *x = smab_xmalloc((size_t)e->d * sizeof(double));
	double *f = smab_xmalloc((size_t)poly_dim(e->d) * sizeof(double));
	e->mu = smab_xmalloc((size_t)e->P * (size_t)e->N * sizeof(double));
	e->best = smab_xmalloc((size_t)e->P * sizeof(double));
	for (int j = 0; j < e->P; j++) {
		double b = -INFINITY;
		for (int a = 0; a < e->N; a++) {
			true_x(e, j, a, x);
			if (poly)
				poly2(x, e->d, f);
			else
				memcpy(f, x, (size_t)e->d * sizeof(double));
			double m = 0.0;
			for (int i = 0; i < D; i++)
				m += theta[i] * f[i];
			e->mu[(size_t)j * (size_t)e->N + (size_t)a] = m;
			if (m > b)
				b = m;
		}
		e->best[j] = b;
	}
	free(x);
	free(f);

	/* The misreporters: the first m of a uniform permutation. */
	e->nmis = (int)lround(p[P_FRACTION].x * e->N);
	e->mis = smab_xcalloc((size_t)e->N, sizeof(int));
	int *perm = smab_xmalloc((size_t)e->N * sizeof(int));
	for (int a = 0; a < e->N; a++)
		perm[a] = a;
	smab_rng_seek(r, &key, SMAB_RNG_ENV, 2, 0);
	gsl_ran_shuffle(r, perm, (size_t)e->N, sizeof(int));
	for (int k = 0; k < e->nmis; k++)
		e->mis[perm[k]] = 1;
	free(perm);

	/* The round tape: zeta = a + (b - a) u for misreporters.  Truthful
	 * agents' uniforms are drawn too, so the set of misreporters does not
	 * shift anyone's stream; with 'misreport.zeta: agent' each agent's u is
	 * drawn once instead (its own stream) and the tape's are skipped. */
	double za = p[P_ZA].x, zb = p[P_ZB].x;
	int start = (int)p[P_ZSTART].x - 1;
	double *ua = NULL;
	if ((int)p[P_ZMODE].x == 1) {
		ua = smab_xmalloc((size_t)e->N * sizeof(double));
		smab_rng_seek(r, &key, SMAB_RNG_ENV, 4, 0);
		fill_uniform(r, ua, (size_t)e->N);
	}
	e->tctx = smab_xmalloc((size_t)e->T * sizeof(int));
	e->zeta = smab_xmalloc((size_t)e->T * (size_t)e->N * sizeof(double));
	smab_rng_seek(r, &key, SMAB_RNG_ENV, 3, 0);
	for (int s = 0; s < e->T; s++) {
		e->tctx[s] = (int)gsl_rng_uniform_int(r, (unsigned long)e->P);
		double *zr = e->zeta + (size_t)s * (size_t)e->N;
		for (int a = 0; a < e->N; a++) {
			double u = gsl_rng_uniform(r);
			if (ua)
				u = ua[a];
			zr[a] = e->mis[a] && s >= start ? za + (zb - za) * u : 0.0;
		}
	}
	free(ua);
	e->z = smab_xmalloc((size_t)e->T * sizeof(double));
	smab_rng_seek(r, &key, SMAB_RNG_REWARD, 0, 0);
	for (int s = 0; s < e->T; s++)
		e->z[s] = gsl_ran_gaussian_ziggurat(r, 1.0);
	smab_rng_free(&r);
}

static void env_free(env *e)
{
	free(e->ctx);
	free(e->agent);
	free(e->mu);
	free(e->theta);
	free(e->best);
	free(e->mis);
	free(e->tctx);
	free(e->zeta);
	free(e->z);
}

/* ---- one mechanism's run --------------------------------------------------- */

typedef struct learner {
	int alg, poly, D, N;
	int loom_exact;
	double ucb_scale, ts_v, loom_scale, L2;    /* L2: squared bound on true feature norms */
	smab_ls ls;                     /* all data (linucb, lints, cobra) */
	smab_ls *per;                   /* N: optgtm own-data or cobra leave-one-out */
	double *X;                      /* N x D: this round's reported features */
	double *w2, *m, *work, *tmp;    /* N, N, max(N, cap) x D, D */
	int *active, nactive;
	int64_t *nsel;
	double *lsum, *rsum;            /* optgtm: L_a, R_a; cobra: reward sums in rsum */
	double *xsum;                   /* cobra: N x D sum of a's reports */
	double *wsum;                   /* cobra cached: sum of widths at report time */
	double *csum;                   /* cobra: N, sum of theta*^T psi(x~) of a's reports */
	double *diag;                   /* cobra: N x ND, the terms of a's last LOOM check */
	double *cx;                     /* cobra: d + poly_dim(d) scratch for the claim */
	double **hist;                  /* cobra exact: a's reports, n_a x D */
	int64_t *hcap;
	double *hw2;                    /* scratch for exact widths */
	size_t hw2cap, workcap;
	gsl_rng *r;
} learner;

static double beta_ay(const learner *l, const env *e, double n)
{
	return smab_ay_beta(e->sigma, l->D, n, l->L2, e->lambda, e->delta, 1.0);
}

static void grow_work(learner *l, size_t rows)
{
	if (rows > l->workcap) {
		l->workcap = rows * 2;
		l->work = smab_xrealloc(l->work, l->workcap * (size_t)l->D * sizeof(double));
	}
}

/* Record x~ of agent a for the exact LOOM sum. */
static void hist_push(learner *l, int a, const double *x)
{
	int64_t n = l->nsel[a];   /* already counts this report */
	if (n > l->hcap[a]) {
		l->hcap[a] = l->hcap[a] ? 2 * l->hcap[a] : 64;
		l->hist[a] = smab_xrealloc(l->hist[a], (size_t)l->hcap[a] * (size_t)l->D * sizeof(double));
	}
	memcpy(l->hist[a] + (size_t)(n - 1) * (size_t)l->D, x, (size_t)l->D * sizeof(double));
}

static void deactivate(learner *l, int a)
{
	for (int k = 0; k < l->nactive; k++)
		if (l->active[k] == a) {
			l->active[k] = l->active[--l->nactive];
			return;
		}
}

/* LOOM's test for agent a (COBRA), after the round's update. */
static int loom_eliminates(learner *l, const env *e, int a)
{
	smab_ls *s = &l->per[a];
	int na = (int)l->nsel[a];
	double beta = l->loom_scale * beta_ay(l, e, (double)s->n);
	const double *xs = l->xsum + (size_t)a * (size_t)l->D;
	double lcb, loo;
	smab_ls_means(s, xs, 1, &loo);
	if (l->loom_exact) {
		if ((size_t)na > l->hw2cap) {
			l->hw2cap = 2 * (size_t)na;
			l->hw2 = smab_xrealloc(l->hw2, l->hw2cap * sizeof(double));
		}
		grow_work(l, (size_t)na);
		lcb = smab_loom_lcb_exact(s, l->hist[a], na, xs, beta, l->work, l->hw2);
	} else {
		lcb = smab_loom_lcb_cached(s, xs, l->wsum[a], beta);
	}
	double *dg = l->diag + (size_t)a * ND;
	dg[D_OBS] = l->rsum[a];
	dg[D_LOO] = loo;
	dg[D_PEN] = loo - lcb;
	dg[D_CLAIM] = l->csum[a];
	return lcb > smab_loom_ucb(l->rsum[a], na, e->sigma, e->delta);
}

static int is_cobra(int alg)
{
	return alg == A_COBRA_UCB || alg == A_COBRA_TS;
}

static int uses_ts(int alg)
{
	return alg == A_LINTS || alg == A_COBRA_TS;
}

static int learner_init(learner *l, const env *e, const smab_task *t, int mech)
{
	const smab_value *p = t->p;
	memset(l, 0, sizeof *l);
	l->alg = mech % NALGS;
	l->poly = mech >= NALGS;
	l->N = e->N;
	l->D = l->poly ? poly_dim(e->d) : e->d;
	l->L2 = l->poly ? (1.0 + e->d) * (1.0 + e->d) - 1.0 : (double)e->d;
	l->ucb_scale = p[P_UCB_SCALE].x;
	l->loom_scale = p[P_LOOM_SCALE].x;
	l->ts_v = p[P_TS_SCALE].x * e->sigma;
	l->loom_exact = (int)p[P_LOOM].x == 0;
	int refactor = (int)p[P_REFACTOR].x;
	int N = l->N, D = l->D;
	if (smab_ls_init(&l->ls, D, e->lambda, refactor) != SMAB_OK)
		return SMAB_EINVAL;
	if (l->alg == A_OPTGTM || is_cobra(l->alg)) {
		l->per = smab_xcalloc((size_t)N, sizeof *l->per);
		for (int a = 0; a < N; a++)
			smab_ls_init(&l->per[a], D, e->lambda, refactor);
	}
	l->X = smab_xmalloc((size_t)N * (size_t)D * sizeof(double));
	l->w2 = smab_xmalloc((size_t)N * sizeof(double));
	l->m = smab_xmalloc((size_t)N * sizeof(double));
	l->tmp = smab_xmalloc((size_t)(D + e->d) * sizeof(double));
	l->workcap = 0;
	grow_work(l, (size_t)N);
	l->active = smab_xmalloc((size_t)N * sizeof(int));
	for (int a = 0; a < N; a++)
		l->active[a] = a;
	l->nactive = N;
	l->nsel = smab_xcalloc((size_t)N, sizeof(int64_t));
	l->lsum = smab_xcalloc((size_t)N, sizeof(double));
	l->rsum = smab_xcalloc((size_t)N, sizeof(double));
	l->xsum = smab_xcalloc((size_t)N * (size_t)D, sizeof(double));
	l->wsum = smab_xcalloc((size_t)N, sizeof(double));
	l->csum = smab_xcalloc((size_t)N, sizeof(double));
	l->diag = smab_xcalloc((size_t)N * ND, sizeof(double));
	l->cx = smab_xmalloc((size_t)(e->d + poly_dim(e->d)) * sizeof(double));
	l->hist = smab_xcalloc((size_t)N, sizeof(double *));
	l->hcap = smab_xcalloc((size_t)N, sizeof(int64_t));
	if (uses_ts(l->alg)) {
		l->r = smab_rng_alloc();
		smab_rng_key k = {t->seed, t->point, t->rep};
		/* One stream for every Thompson learner: LinTS and COBRA(TS)
		 * draw the same samples until COBRA first eliminates. */
		smab_rng_seek(l->r, &k, SMAB_RNG_MECH, (uint64_t)l->poly, 0);
	}
	return SMAB_OK;
}

static void learner_free(learner *l)
{
	smab_ls_free(&l->ls);
	if (l->per)
		for (int a = 0; a < l->N; a++)
			smab_ls_free(&l->per[a]);
	free(l->per);
	for (int a = 0; a < l->N; a++)
		free(l->hist[a]);
	free(l->hist);
	free(l->hcap);
	free(l->hw2);
	free(l->X);
	free(l->w2);
	free(l->m);
	free(l->work);
	free(l->tmp);
	free(l->active);
	free(l->nsel);
	free(l->lsum);
	free(l->rsum);
	free(l->xsum);
	free(l->wsum);
	free(l->csum);
	free(l->diag);
	free(l->cx);
	smab_rng_free(&l->r);
}

/* Fill l->X with the round's reported features (after the feature map). */
static void reports(learner *l, const env *e, int s)
{
	int j = e->tctx[s];
	double *x = l->tmp;   /* d entries (D >= d) */
	const double *zr = e->zeta + (size_t)s * (size_t)e->N;
	for (int a = 0; a < e->N; a++) {
		true_x(e, j, a, x);
		double f = 1.0 + zr[a];
		for (int i = 0; i < e->d; i++)
			x[i] *= f;
		double *row = l->X + (size_t)a * (size_t)l->D;
		if (l->poly)
			poly2(x, e->d, row);
		else
			memcpy(row, x, (size_t)e->d * sizeof(double));
	}
}

/* The agent chosen in round s (0-based). */
static int choose(learner *l, const env *e, int s)
{
	int N = l->N, D = l->D;
	int best = l->active[0];
	double bv = -INFINITY;
	if (l->alg == A_OPTGTM) {
		double beta = smab_optgtm_beta(D, e->lambda, (double)e->T);
		for (int k = 0; k < l->nactive; k++) {
			int a = l->active[k];
			const double *x = l->X + (size_t)a * (size_t)D;
			double v = smab_lin_index(&l->per[a], x, beta);
			if (v > bv || (v == bv && a < best)) {
				bv = v;
				best = a;
			}
		}
		return best;
	}
	if (uses_ts(l->alg)) {
		double *th = l->work;   /* D entries: workcap >= N >= 2, D columns */
		for (int i = 0; i < D; i++)
			th[i] = gsl_ran_gaussian_ziggurat(l->r, 1.0);
		smab_ls_sample(&l->ls, l->ts_v, th, th);
		for (int k = 0; k < l->nactive; k++) {
			int a = l->active[k];
			const double *x = l->X + (size_t)a * (size_t)D;
			double v = 0.0;
			for (int i = 0; i < D; i++)
				v += th[i] * x[i];
			if (v > bv || (v == bv && a < best)) {
				bv = v;
				best = a;
			}
		}
		return best;
	}
	/* UCB: means and widths of all N reports in one DGEMV and one DSYMM. */
	double beta = l->ucb_scale * beta_ay(l, e, (double)s);
	smab_ls_means(&l->ls, l->X, N, l->m);
	smab_ls_norms2(&l->ls, l->X, N, l->work, l->w2);
	for (int k = 0; k < l->nactive; k++) {
		int a = l->active[k];
		double v = l->m[a] + beta * sqrt(fmax(l->w2[a], 0.0));
		if (v > bv || (v == bv && a < best)) {
			bv = v;
			best = a;
		}
	}
	return best;
}

/* theta*^T psi(x~): the true mean reward agent a's report in round s
 * claims.  scratch: d + poly_dim(d) entries. */
static double claim(const env *e, int s, int a, double *scratch)
{
	double *x = scratch, *f = scratch + e->d;
	true_x(e, e->tctx[s], a, x);
	double z = 1.0 + e->zeta[(size_t)s * (size_t)e->N + (size_t)a];
	for (int i = 0; i < e->d; i++)
		x[i] *= z;
	if (e->poly)
		poly2(x, e->d, f);
	else
		f = x;
	double m = 0.0;
	for (int i = 0; i < e->Dt; i++)
		m += e->theta[i] * f[i];
	return m;
}

/* Learn from (x~ of agent a, y) in round s; may eliminate a. */
static void learn(learner *l, const env *e, int s, int a, double y)
{
	int N = l->N, D = l->D;
	const double *x = l->X + (size_t)a * (size_t)D;
	l->nsel[a]++;
	l->rsum[a] += y;
	if (l->alg == A_OPTGTM) {
		smab_ls *own = &l->per[a];
		smab_ls_update(own, x, y, 1.0);
		double T = (double)e->T;
		l->lsum[a] += smab_optgtm_term(own, x, smab_optgtm_beta(D, e->lambda, T));
		if (l->nactive > 1 && smab_optgtm_drops(l->lsum[a], l->rsum[a], (double)l->nsel[a], T))
			deactivate(l, a);
		return;
	}
	smab_ls_update(&l->ls, x, y, 1.0);
	if (!is_cobra(l->alg))
		return;
	/* Width of this report under V_{-a} before the others' data of later
	 * rounds arrive (cached LOOM), then every other agent's LOO state
	 * takes the observation. */
	l->wsum[a] += sqrt(fmax(smab_ls_norm2(&l->per[a], x), 0.0));
	l->csum[a] += claim(e, s, a, l->cx);
	double *xs = l->xsum + (size_t)a * (size_t)D;
	for (int i = 0; i < D; i++)
		xs[i] += x[i];
	if (l->loom_exact)
		hist_push(l, a, x);
	smab_ls_loo_update(l->per, N, a, x, y);
	if (l->nactive > 1 && loom_eliminates(l, e, a))
		deactivate(l, a);
}

static void run_mech(const env *e, const smab_task *t, int mech, int k,
                     smab_task_out *out)
{
	learner l;
	learner_init(&l, e, t, mech);
	double regret = 0.0, nmis_sel = 0.0;
	double *rcurve = t->ncheck > 0
	                 ? out->curve + (size_t)(k * NMETRICS + X_REGRET) * (size_t)t->ncheck : NULL;
	int s = 0;
	for (int c = 0; c <= t->ncheck; c++) {
		int stop = c < t->ncheck ? (int)t->check[c] : e->T;
		for (; s < stop; s++) {
			reports(&l, e, s);
			int a = choose(&l, e, s);
			int j = e->tctx[s];
			double mu = e->mu[(size_t)j * (size_t)e->N + (size_t)a];
			regret += e->best[j] - mu;
			nmis_sel += e->mis[a];
			learn(&l, e, s, a, mu + e->sigma * e->z[s]);
		}
		if (c < t->ncheck)
			rcurve[c] = regret;
	}
	double *sc = out->scalar + (size_t)k * NMETRICS;
	int nel = 0, tel = 0;
	int *in = smab_xcalloc((size_t)e->N, sizeof(int));
	for (int q = 0; q < l.nactive; q++)
		in[l.active[q]] = 1;
	for (int a = 0; a < e->N; a++)
		if (!in[a]) {
			nel++;
			tel += e->mis[a];
		}
	free(in);
	sc[X_REGRET] = regret;
	sc[X_ELIM] = nel;
	sc[X_TRUE_ELIM] = tel;
	sc[X_FALSE_ELIM] = nel - tel;
	sc[X_MIS_SHARE] = nmis_sel / e->T;
	sc[X_NMIS] = e->nmis;
	for (int a = 0; a < NSEL; a++)
		sc[X_SEL0 + a] = a < e->N ? (double)l.nsel[a] : NAN;
	for (int g = 0; g < 2; g++) {
		/* group 0 the misreporters, 1 the truthful agents */
		int n = g ? e->N - e->nmis : e->nmis;
		for (int q = 0; q < ND; q++) {
			double v = is_cobra(l.alg) && n > 0 ? 0.0 : NAN;
			for (int a = 0; a < e->N && !isnan(v); a++)
				if (e->mis[a] != g)
					v += l.diag[(size_t)a * ND + (size_t)q];
			sc[X_DIAG + g * ND + q] = v;
		}
	}
	learner_free(&l);
}

static int ctx_run(const smab_task *t, smab_task_out *out)
{
	if (!t || !out || !t->p || !out->scalar || (t->ncheck > 0 && (!out->curve || !t->check)))
		return SMAB_EINVAL;
	char msg[200];
	int bad;
	if (ctx_check(t->p, msg, sizeof msg, &bad))
		return SMAB_EINVAL;
	int64_t T = ctx_horizon(t->p);
	for (int c = 0; c < t->ncheck; c++)
		if (t->check[c] < 1 || t->check[c] > T || (c > 0 && t->check[c] < t->check[c - 1]))
			return SMAB_EINVAL;
	for (int k = 0; k < t->nmech; k++)
		if (t->mech[k] < 0 || t->mech[k] >= NMECHS)
			return SMAB_EINVAL;
	env e;
	env_init(&e, t);
	for (int k = 0; k < t->nmech; k++)
		run_mech(&e, t, t->mech[k], k, out);
	env_free(&e);
	return SMAB_OK;
}

const smab_suite smab_suite_contextual = {
	.name = "contextual",
	.doc = "COBRA vs strategic feature misreports (Verma et al. 2025)",
	.params = params, .nparams = NPARAMS,
	.mechs = mechs, .nmechs = NMECHS,
	.metrics = metrics, .nmetrics = NMETRICS,
	.check = ctx_check,
	.horizon = ctx_horizon,
	.cost = ctx_cost,
	.run = ctx_run,
};
