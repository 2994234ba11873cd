/* test_replication.c - the replication suite (Shin, Esmaeili and Hajiaghayi,
 * AAAI 2025): ETC's exploration length and commit rule on fixed data,
 * H-ETC-R's restart round, H-UCB against an independent two-level reference,
 * replica tapes, exact zero gain of a strategy that changes nothing,
 * permutation invariance, random-permutation regret, prior draws and input
 * checks.  Rewards are made deterministic with Gaussian sigma = 0 or with
 * Bernoulli means in {0, 1}; where noise is needed the expected answer is
 * computed from the reward tapes read through the reptape module. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "suite_util.h"
#include "smab/param.h"
#include "smab/reptape.h"
#include "smab/rng.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_replication;
static const smab_suite *S = &smab_suite_replication;

#define MAXP 40
#define MAXM 8
#define MAXC 64
#define MAXX 16
#define TOL 1e-9

/* ---- helpers ---------------------------------------------------------------- */

/* Storage for vector values: defaults and values set by the tests. */
static double vpool[MAXP][32];

/* The declared defaults, vectors parsed from "[a, b]". */
static void defaults(smab_value *p)
{
	ck_assert_int_le(S->nparams, MAXP);
	for (int i = 0; i < S->nparams; i++) {
		const smab_param_decl *d = &S->params[i];
		p[i].n = 0;
		p[i].v = vpool[i];
		p[i].x = 0;
		if (d->type == SMAB_P_ENUM) {
			p[i].x = smab_param_choice(d, d->def);
		} else if (d->type == SMAB_P_BOOL) {
			p[i].x = strcmp(d->def, "true") == 0;
		} else if (d->type == SMAB_P_VEC) {
			const char *c = d->def + 1;
			char *end;
			for (;;) {
				double x = strtod(c, &end);
				if (end == c)
					break;
				vpool[i][p[i].n++] = x;
				c = end + strspn(end, ", ");
			}
		} else {
			p[i].x = strtod(d->def, NULL);
		}
	}
}

static void setv(smab_value *p, const char *name, const double *v, int n)
{
	int i = su_param(S, name);
	ck_assert_int_le(n, 32);
	for (int k = 0; k < n; k++)
		vpool[i][k] = v[k];
	p[i].v = vpool[i];
	p[i].n = n;
}

/* Deterministic rewards: Gaussian with sigma 0. */
static void exact(smab_value *p)
{
	su_set_enum(S, p, "noise", "gaussian");
	su_set(S, p, "sigma", 0);
}

typedef struct result {
	int nmech, ncheck;
	double scalar[MAXM * MAXX];
	double curve[MAXM * MAXX * MAXC];
} result;

static int run(const smab_value *p, uint64_t seed, uint32_t point, uint32_t rep,
               const char *const *names, int nmech, const int64_t *check,
               int ncheck, result *r)
{
	ck_assert_int_le(nmech, MAXM);
	ck_assert_int_le(ncheck, MAXC);
	ck_assert_int_le(S->nmetrics, MAXX);
	memset(r, 0, sizeof *r);
	r->nmech = nmech;
	r->ncheck = check ? ncheck : 1;
	return su_run(S, p, seed, point, rep, names, nmech, check, ncheck, r->scalar, r->curve);
}

static double sc(const result *r, int k, const char *metric)
{
	return r->scalar[k * S->nmetrics + su_metric(S, metric)];
}

static double cv(const result *r, int k, const char *metric, int c)
{
	return r->curve[(k * S->nmetrics + su_metric(S, metric)) * r->ncheck + c];
}

static double run1(const smab_value *p, const char *mech, uint32_t rep,
                   const char *metric)
{
	result r;
	const char *names[] = {mech};
	ck_assert_int_eq(run(p, 1, 0, rep, names, 1, NULL, 0, &r), SMAB_OK);
	return sc(&r, 0, metric);
}

static const char *const all_mechs[] = {"ucb", "hucb", "etc", "hetcr", "uetc",
                                        "egreedy", "ts"};
enum { NALL = 7 };

/* Sum of the first m rewards of tape (agent, arm, replica) of task
 * (seed, rep), read straight from the reptape module. */
static double tape_sum(uint64_t seed, uint32_t rep, int noise, double sigma,
                       int agent, int arm, int replica, double mu, int m)
{
	smab_reptape *tp = smab_reptape_alloc(1);
	smab_rng_key key = {seed, SMAB_RNG_ALL_POINTS, rep};
	smab_reptape_init(tp, &key, noise, sigma);
	smab_reptape_set(tp, 0, smab_reptape_id(agent, arm, replica), mu);
	double s = 0.0;
	for (int j = 0; j < m; j++)
		s += smab_reptape_next(tp, 0);
	smab_reptape_free(&tp);
	return s;
}

/* ---- Thompson sampling's Gaussian posterior ---------------------------- */

/* With the default noise-scaled posterior N(S/(n+1), sigma^2/(n+1)) TS is
 * scale-free: halving the means and sigma halves every reward, posterior
 * mean and draw exactly (a power of two), so the same arms are pulled and
 * regret halves bit for bit.  The unit posterior N(S/(n+1), 1/(n+1)) does
 * not scale; at sigma = 1 the two are the same posterior. */
/* TS's regret on three Gaussian arms of means 0.8a, 0.6a, 0.5a and noise
 * sigma, posterior 'post' (NULL: the default). */
static double ts_scaled(double a, double sigma, const char *post, uint32_t rep)
{
	smab_value p[MAXP];
	defaults(p);
	double mu[3] = {0.8 * a, 0.6 * a, 0.5 * a}, three = 3;
	setv(p, "arms", &three, 1);
	setv(p, "means", mu, 3);
	su_set_enum(S, p, "noise", "gaussian");
	su_set(S, p, "sigma", sigma);
	su_set(S, p, "horizon", 2000);
	if (post)
		su_set_enum(S, p, "ts.posterior", post);
	return run1(p, "ts", rep, "regret");
}

START_TEST(test_ts_posterior_scale)
{
	int unit_differs = 0;
	for (uint32_t rep = 0; rep < 6; rep++) {
		ck_assert_double_eq(ts_scaled(0.5, 0.2, NULL, rep), 0.5 * ts_scaled(1.0, 0.4, NULL, rep));
		unit_differs += ts_scaled(0.5, 0.2, "unit", rep) != 0.5 * ts_scaled(1.0, 0.4, "unit", rep);
	}
	ck_assert_int_ge(unit_differs, 5);
	/* sigma = 1: one posterior */
	ck_assert_double_eq(ts_scaled(1.0, 1.0, "unit", 2), ts_scaled(1.0, 1.0, "noise", 2));
}
END_TEST

/* ---- ETC ---------------------------------------------------------------- */

/* mu = {0.2, 0.8}, m = 5: rounds 1..10 alternate arm 0, arm 1 (regret 0.6
 * on odd rounds), then commit to arm 1: regret 3 at every later round. */
START_TEST(test_etc_exploration_fixed)
{
	smab_value p[MAXP];
	defaults(p);
	exact(p);
	double mu[] = {0.2, 0.8};
	setv(p, "means", mu, 2);
	su_set(S, p, "etc.m", 5);
	su_set(S, p, "horizon", 100);
	int64_t check[12];
	for (int c = 0; c < 11; c++)
		check[c] = c + 1;
	check[11] = 100;
	result r;
	const char *names[] = {"etc"};
	ck_assert_int_eq(run(p, 3, 0, 0, names, 1, check, 12, &r), SMAB_OK);
	double want = 0.0;
	for (int c = 0; c < 11; c++) {
		if (c < 10 && c % 2 == 0)
			want += 0.6;
		ck_assert_double_eq_tol(cv(&r, 0, "regret", c), want, TOL);
	}
	ck_assert_double_eq_tol(cv(&r, 0, "regret", 11), 3.0, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 3.0, TOL);
	/* utility = alpha * sum of pulled means = 0.4 * (100 * 0.8 - 3) */
	ck_assert_double_eq_tol(sc(&r, 0, "utility_1"), 0.4 * (80.0 - 3.0), TOL);

	/* three arms, best in the middle: m = 3 -> regret 3 * (0.4 + 0.8) */
	double mu3[] = {0.5, 0.9, 0.1}, a3[] = {3};
	setv(p, "arms", a3, 1);
	setv(p, "means", mu3, 3);
	su_set(S, p, "etc.m", 3);
	ck_assert_double_eq_tol(run1(p, "etc", 0, "regret"), 3.6, TOL);
}
END_TEST

/* The default exploration length m = ceil(2/Delta^2 * l * ln 2T): with
 * Bernoulli means {0, 1} (prior support {0, 1}, so Delta = 1) the zero arm
 * is pulled exactly m times and never after the commit. */
START_TEST(test_etc_default_length)
{
	smab_value p[MAXP];
	defaults(p);
	double mu[] = {0.0, 1.0};
	setv(p, "means", mu, 2);
	int64_t Ts[] = {100, 1000, 54321};
	for (int k = 0; k < 3; k++) {
		su_set(S, p, "horizon", (double)Ts[k]);
		double m = ceil(2.0 * 2.0 * log(2.0 * (double)Ts[k]));
		ck_assert_double_eq_tol(run1(p, "etc", 0, "regret"), m, TOL);
		/* an explicit Delta = 0.5 quadruples it */
		su_set(S, p, "delta", 0.5);
		double m2 = ceil(8.0 * 2.0 * log(2.0 * (double)Ts[k]));
		double half = ceil((double)Ts[k] / 2.0);
		double want = m2 < half ? m2 : half;
		ck_assert_double_eq_tol(run1(p, "etc", 0, "regret"), want, TOL);
		su_set(S, p, "delta", 0);
	}
}
END_TEST

/* The commit rule on noisy data: the arm with the larger sum of its first m
 * tape values (read here through the reptape module) is the one committed
 * to, so regret = m * gap + (T - 2m) * [wrong commit] * gap. */
START_TEST(test_etc_commit_noisy)
{
	smab_value p[MAXP];
	defaults(p);
	su_set_enum(S, p, "noise", "gaussian");
	su_set(S, p, "sigma", 1.0);
	double mu[] = {0.45, 0.55};
	setv(p, "means", mu, 2);
	const int m = 10, T = 500;
	su_set(S, p, "etc.m", m);
	su_set(S, p, "horizon", T);
	int wrong = 0;
	for (uint32_t rep = 0; rep < 60; rep++) {
		double s0 = tape_sum(1, rep, SMAB_REPTAPE_GAUSSIAN, 1.0, 0, 0, 0, mu[0], m);
		double s1 = tape_sum(1, rep, SMAB_REPTAPE_GAUSSIAN, 1.0, 0, 1, 0, mu[1], m);
		double want = m * 0.1 + (s0 > s1 ? (T - 2 * m) * 0.1 : 0.0);
		wrong += s0 > s1;
		ck_assert_double_eq_tol(run1(p, "etc", rep, "regret"), want, 1e-7);
	}
	/* both outcomes occur (P[wrong] ~ 0.41 at m = 10) */
	ck_assert_int_gt(wrong, 5);
	ck_assert_int_lt(wrong, 55);
}
END_TEST

/* ---- H-ETC-R ---------------------------------------------------------- */

/* n = 2, arms {2, 2}, means {0.1, 0.2 | 0.6, 0.9}, M = 10, m = 3, tau = 20.
 * Rounds 1..20 alternate agents; each agent explores its arms round-robin
 * 3 times and commits to its better arm.  At round 21 the arm statistics
 * restart: agent 1 (better agent mean) is committed to and explores 0.6,
 * 0.9 again three times before committing to 0.9. */
START_TEST(test_hetcr_restart_at_tau)
{
	smab_value p[MAXP];
	defaults(p);
	exact(p);
	su_set(S, p, "agents", 2);
	double mu[] = {0.1, 0.2, 0.6, 0.9};
	setv(p, "means", mu, 4);
	su_set(S, p, "hetcr.M", 10);
	su_set(S, p, "hetcr.m", 3);
	su_set(S, p, "horizon", 40);
	int64_t check[40];
	for (int c = 0; c < 40; c++)
		check[c] = c + 1;
	result r;
	const char *names[] = {"hetcr"};
	ck_assert_int_eq(run(p, 5, 0, 0, names, 1, check, 40, &r), SMAB_OK);

	/* per-round gaps written out from the description above */
	double g0[10] = {0.8, 0.7, 0.8, 0.7, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7};
	double g1[10] = {0.3, 0, 0.3, 0, 0.3, 0, 0, 0, 0, 0};
	double want = 0.0;
	for (int t = 1; t <= 40; t++) {
		if (t <= 20)
			want += (t % 2 == 1) ? g0[(t - 1) / 2] : g1[(t - 1) / 2];
		else if (t <= 26)
			want += (t % 2 == 1) ? 0.3 : 0.0;
		ck_assert_double_eq_tol(cv(&r, 0, "regret", t - 1), want, TOL);
	}
	/* the restart is visible exactly at tau + 1: before it agent 1 played
	 * its committed 0.9 arm; at round 21 it explores the 0.6 arm again */
	ck_assert_double_eq_tol(cv(&r, 0, "regret", 19) - cv(&r, 0, "regret", 18), 0.0, TOL);
	ck_assert_double_eq_tol(cv(&r, 0, "regret", 20) - cv(&r, 0, "regret", 19), 0.3, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 7.3 + 0.9 + 0.9, TOL);
	/* agents' utilities: agent 0 was pulled only in its 10 phase-1 rounds */
	ck_assert_double_eq_tol(sc(&r, 0, "utility_1"), 0.4 * (3 * 0.1 + 7 * 0.2), TOL);
	ck_assert(isnan(sc(&r, 0, "utility_3")));
}
END_TEST

/* Defaults of Theorems 4-5: n = 2 agents with one arm each, means {0.2,
 * 0.7}, Delta = 0.5, T = 10^4: m = ceil(8 ln 2T), M = max(m L,
 * ceil(sqrt(T ln T))); the worse agent is pulled M times, then never. */
START_TEST(test_hetcr_defaults)
{
	smab_value p[MAXP];
	defaults(p);
	exact(p);
	su_set(S, p, "agents", 2);
	double one[] = {1};
	setv(p, "arms", one, 1);
	double mu[] = {0.2, 0.7};
	setv(p, "means", mu, 2);
	su_set(S, p, "delta", 0.5);
	double T = 10000;
	su_set(S, p, "horizon", T);
	double m = ceil(8.0 * log(2.0 * T));
	double M = fmax(m, ceil(sqrt(T * log(T))));
	ck_assert_double_eq_tol(run1(p, "hetcr", 0, "regret"), 0.5 * M, TOL);
	/* a horizon inside the agent-level exploration: agents alternate */
	su_set(S, p, "hetcr.M", 1000);
	su_set(S, p, "horizon", 301);
	ck_assert_double_eq_tol(run1(p, "hetcr", 0, "regret"), 0.5 * 151, TOL);
}
END_TEST

/* A gap near 0 makes the default lengths m = ceil(2/Delta^2 l ln 2T) and M
 * larger than any int64 (Delta = 1e-9: m ~ 2e19 l; the smallest positive
 * double: infinite).  They saturate at the horizon T: every round explores,
 * as it does for any m >= T.  (They used to overflow, and ETC committed at
 * round 1 without exploring.)  Exact rewards, means {0, 1}: exploring pulls
 * the 0 arm (or agent) on every odd round, so the regret after rounds 1, 2
 * and T = 1001 is 1, 1 and 501; a commit at round 1 would give 0 or 1 after
 * round 2 and 0 or 1001 at T.  The same through the prior's gap (delta = 0
 * takes the smallest gap of prior.values, here 1e-12). */
START_TEST(test_tiny_gap_saturates)
{
	smab_value p[MAXP];
	const double T = 1001, mu[] = {0.0, 1.0}, one[] = {1}, tiny_prior[] = {0.0, 1e-12};
	const double deltas[] = {1e-9, 4.9406564584124654e-324, 0.0};
	const int64_t check[] = {1, 2, 1001};
	const char *const names[] = {"etc", "hetcr", "uetc"};
	for (int shape = 0; shape < 2; shape++)
		for (int k = 0; k < 3; k++) {
			defaults(p);
			exact(p);
			su_set(S, p, "horizon", T);
			setv(p, "means", mu, 2);
			if (shape == 1) {   /* two agents of one arm: M saturates too */
				su_set(S, p, "agents", 2);
				setv(p, "arms", one, 1);
			}
			su_set(S, p, "delta", deltas[k]);
			if (deltas[k] == 0.0)
				setv(p, "prior.values", tiny_prior, 2);
			char msg[256];
			int bad;
			ck_assert_msg(S->check(p, msg, sizeof msg, &bad) == 0, "%s", msg);
			result r;
			ck_assert_int_eq(run(p, 7, 0, 0, names, 3, check, 3, &r), SMAB_OK);
			for (int q = 0; q < 3; q++) {
				if (shape == 1 && q != 1)
					continue;   /* one arm per agent: only H-ETC-R's M is at stake */
				ck_assert_msg(cv(&r, q, "regret", 1) == 1.0 && sc(&r, q, "regret") == 501.0,
				              "%s, delta %g, %s: regret %g after 2 rounds, %g at T: "
				              "exploration was skipped", names[q], deltas[k],
				              shape ? "2 agents" : "1 agent",
				              cv(&r, q, "regret", 1), sc(&r, q, "regret"));
				ck_assert_double_eq(cv(&r, q, "regret", 0), 1.0);
			}
		}
}
END_TEST

/* ---- H-UCB ---------------------------------------------------------------- */

/* An independent H-UCB on deterministic rewards: agent-level UCB1 on the
 * mean of all the agent's rewards, arm-level UCB1 with the agent's own
 * clock.  Unpulled agents/arms first; 'first0' is the arm agent 0 pulls on
 * its first visit (the suite draws it at random); other ties go to the
 * lowest index.  'lag' 1 takes the logs of the pulls so far, t - 1 and N,
 * instead of t and N + 1 (ucb.log = t-1). */
static double ref_hucb(const int *l, int n, const double *mu, int first0,
                       double c, int lag, int64_t T)
{
	double asum[4] = {0}, sum[8] = {0}, best = 0.0, regret = 0.0;
	int64_t N[4] = {0}, cnt[8] = {0};
	int off[4], o = 0;
	for (int i = 0; i < n; i++) {
		off[i] = o;
		o += l[i];
	}
	for (int k = 0; k < o; k++)
		best = fmax(best, mu[k]);
	for (int64_t t = 1; t <= T; t++) {
		int ag = -1;
		double bi = -1.0;
		for (int i = 0; i < n; i++) {
			double idx = N[i] == 0 ? 1e300
			             : asum[i] / (double)N[i] + sqrt(c * log((double)(t - lag)) / (double)N[i]);
			if (idx > bi) {
				bi = idx;
				ag = i;
			}
		}
		int arm = -1;
		double ba = -1.0;
		for (int k = off[ag]; k < off[ag] + l[ag]; k++) {
			double idx;
			if (cnt[k] == 0)
				idx = (ag == 0 && N[0] == 0) ? (k == first0 ? 2e300 : 0) : 1e300;
			else
				idx = sum[k] / (double)cnt[k] +
				      sqrt(c * log((double)(N[ag] + 1 - lag)) / (double)cnt[k]);
			if (idx > ba) {
				ba = idx;
				arm = k;
			}
		}
		cnt[arm]++;
		sum[arm] += mu[arm];
		N[ag]++;
		asum[ag] += mu[arm];
		regret += best - mu[arm];
	}
	return regret;
}

START_TEST(test_hucb_two_level)
{
	smab_value p[MAXP];
	defaults(p);
	exact(p);
	su_set(S, p, "agents", 2);
	double arms[] = {2, 1};
	int l[] = {2, 1};
	setv(p, "arms", arms, 2);
	double mu[] = {0.9, 0.1, 0.6};
	setv(p, "means", mu, 3);
	const int64_t T = 3000;
	su_set(S, p, "horizon", (double)T);
	for (int lag = 0; lag <= 1; lag++) {
		su_set_enum(S, p, "ucb.log", lag ? "t-1" : "t");
		double ra = ref_hucb(l, 2, mu, 0, 2.0, lag, T);
		double rb = ref_hucb(l, 2, mu, 1, 2.0, lag, T);
		int seen_a = 0, seen_b = 0;
		for (uint32_t rep = 0; rep < 16; rep++) {
			double x = run1(p, "hucb", rep, "regret");
			int a = fabs(x - ra) < 1e-7, b = fabs(x - rb) < 1e-7;
			ck_assert_msg(a || b, "hucb (lag %d) regret %.10g is neither reference "
			              "%.10g nor %.10g", lag, x, ra, rb);
			seen_a += a;
			seen_b += b;
		}
		if (fabs(ra - rb) > 1e-7)
			ck_assert(seen_a > 0 && seen_b > 0);
	}
	su_set_enum(S, p, "ucb.log", "t");
	double ra = ref_hucb(l, 2, mu, 0, 2.0, 0, T), rb = ref_hucb(l, 2, mu, 1, 2.0, 0, T);
	/* two-level statistics matter: flat UCB1 on the same arms differs */
	double flat = run1(p, "ucb", 0, "regret");
	ck_assert(fabs(flat - ra) > 1e-6 && fabs(flat - rb) > 1e-6);

	/* with one agent H-UCB is UCB1 (its arm clock N + 1 is t) */
	su_set(S, p, "agents", 1);
	double a3[] = {3};
	setv(p, "arms", a3, 1);
	double mu3[] = {0.9, 0.5, 0.2};
	setv(p, "means", mu3, 3);
	ck_assert_double_eq_tol(run1(p, "hucb", 0, "regret"), run1(p, "ucb", 4, "regret"), TOL);
	su_set_enum(S, p, "ucb.log", "t-1");    /* N_i = t - 1 there too */
	ck_assert_double_eq_tol(run1(p, "hucb", 0, "regret"), run1(p, "ucb", 4, "regret"), TOL);

	/* The clock decides Theorem 1's instance (1, 0, 0) at T = 11 with
	 * c = 1: ln t pulls a zero arm in round 11 (regret 3), ln(t - 1) does
	 * not (regret 2); the order of the first pulls does not matter. */
	double m100[] = {1, 0, 0};
	setv(p, "means", m100, 3);
	su_set(S, p, "ucb.c", 1);
	su_set(S, p, "horizon", 11);
	int l3[] = {3};
	for (int lag = 0; lag <= 1; lag++) {
		su_set_enum(S, p, "ucb.log", lag ? "t-1" : "t");
		double want = ref_hucb(l3, 1, m100, 0, 1.0, lag, 11);
		ck_assert_double_eq_tol(want, lag ? 2.0 : 3.0, TOL);
		for (uint32_t rep = 0; rep < 4; rep++) {
			ck_assert_double_eq_tol(run1(p, "ucb", rep, "regret"), want, TOL);
			ck_assert_double_eq_tol(run1(p, "hucb", rep, "regret"), want, TOL);
		}
	}
}
END_TEST

/* ---- replicas --------------------------------------------------------- */

/* Replicas have their own tapes: distinct values, uncorrelated (|r| below
 * 4/sqrt(N)), each with mean ~ mu. */
START_TEST(test_replica_tapes_independent)
{
	enum { N = 20000 };
	smab_reptape *tp = smab_reptape_alloc(3);
	smab_rng_key key = {9, SMAB_RNG_ALL_POINTS, 2};
	smab_reptape_init(tp, &key, SMAB_REPTAPE_GAUSSIAN, 1.0);
	smab_reptape_set(tp, 0, smab_reptape_id(1, 2, 0), 0.3);
	smab_reptape_set(tp, 1, smab_reptape_id(1, 2, 1), 0.3);
	smab_reptape_set(tp, 2, smab_reptape_id(1, 2, 0), 0.3);
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
	int equal = 0;
	for (int j = 0; j < N; j++) {
		double x = smab_reptape_next(tp, 0), y = smab_reptape_next(tp, 1);
		double z = smab_reptape_next(tp, 2);
		ck_assert(x == z);   /* the same id is the same tape */
		equal += x == y;
		sx += x;
		sy += y;
		sxx += x * x;
		syy += y * y;
		sxy += x * y;
	}
	smab_reptape_free(&tp);
	ck_assert_int_eq(equal, 0);
	double mx = sx / N, my = sy / N;
	double r = (sxy / N - mx * my) / sqrt((sxx / N - mx * mx) * (syy / N - my * my));
	ck_assert_double_lt(fabs(r), 4.0 / sqrt(N));
	ck_assert_double_lt(fabs(mx - 0.3), 4.0 / sqrt(N));
	ck_assert_double_lt(fabs(my - 0.3), 4.0 / sqrt(N));
}
END_TEST

/* The suite gives a replica the original's mean and its own tape: with arm
 * 0 replicated once, ETC commits to the registered arm with the largest sum
 * of its first m tape values among tapes (0,0,0), (0,0,1), (0,1,0). */
START_TEST(test_replica_in_suite)
{
	smab_value p[MAXP];
	defaults(p);
	su_set_enum(S, p, "noise", "gaussian");
	su_set(S, p, "sigma", 1.0);
	double mu[] = {0.5, 0.4};
	setv(p, "means", mu, 2);
	su_set_enum(S, p, "strategy", "replicate_arm");
	su_set(S, p, "strategy.target", 1);
	su_set(S, p, "strategy.copies", 1);
	const int m = 5, T = 300;
	su_set(S, p, "etc.m", m);
	su_set(S, p, "horizon", T);
	int commits_replica = 0;
	for (uint32_t rep = 0; rep < 40; rep++) {
		double s[3] = {
			tape_sum(1, rep, SMAB_REPTAPE_GAUSSIAN, 1.0, 0, 0, 0, 0.5, m),
			tape_sum(1, rep, SMAB_REPTAPE_GAUSSIAN, 1.0, 0, 0, 1, 0.5, m),
			tape_sum(1, rep, SMAB_REPTAPE_GAUSSIAN, 1.0, 0, 1, 0, 0.4, m)};
		int b = s[0] >= s[1] ? 0 : 1;
		if (s[2] > s[b])
			b = 2;
		commits_replica += b == 1;
		double want = m * 0.1 + (b == 2 ? (T - 3 * m) * 0.1 : 0.0);
		ck_assert_double_eq_tol(run1(p, "etc", rep, "regret"), want, 1e-7);
	}
	ck_assert_int_gt(commits_replica, 0);

	/* identical means: a single arm copied 3 times, every mechanism pulls
	 * mean 0.7 every round */
	exact(p);
	double one[] = {1};
	setv(p, "arms", one, 1);
	double m7[] = {0.7};
	setv(p, "means", m7, 1);
	su_set(S, p, "strategy.copies", 3);
	su_set(S, p, "horizon", 200);
	result r;
	ck_assert_int_eq(run(p, 2, 0, 0, all_mechs, NALL, NULL, 0, &r), SMAB_OK);
	for (int k = 0; k < NALL; k++) {
		ck_assert_double_eq_tol(sc(&r, k, "regret"), 0.0, TOL);
		ck_assert_double_eq_tol(sc(&r, k, "utility_dev"), 0.4 * 0.7 * 200, TOL);
		ck_assert_double_eq_tol(sc(&r, k, "gain"), 0.0, TOL);
	}
}
END_TEST

/* The strategies' registered sets on fixed data (mu = {0.2, 0.8}, ETC with
 * m = 5, T = 100; truthful regret 5 * 0.6 = 3):
 *   replicate_all, c = 1: (0.2, 0.2', 0.8, 0.8') explores 0.2 ten times -> 6
 *   replicate_arm 1, c = 2: (0.2, 0.8, 0.8', 0.8'') -> 3 again
 *   omit_arm 1: only 0.2 is left -> regret 0.6 T = 60 against the best
 *   original arm, utility 0.4 * 0.2 T = 8. */
START_TEST(test_strategies_fixed)
{
	smab_value p[MAXP];
	defaults(p);
	exact(p);
	double mu[] = {0.2, 0.8};
	setv(p, "means", mu, 2);
	su_set(S, p, "etc.m", 5);
	su_set(S, p, "horizon", 100);
	const double u_truthful = 0.4 * (80.0 - 3.0);
	struct { const char *strat; int arm, copies; double regret; } c[] = {
		{"replicate_all", 1, 1, 6.0},
		{"replicate_arm", 2, 2, 3.0},
		{"omit_arm", 2, 1, 60.0},
	};
	for (int k = 0; k < 3; k++) {
		su_set_enum(S, p, "strategy", c[k].strat);
		su_set(S, p, "strategy.target", c[k].arm);
		su_set(S, p, "strategy.copies", c[k].copies);
		result r;
		const char *names[] = {"etc"};
		ck_assert_int_eq(run(p, 1, 0, 0, names, 1, NULL, 0, &r), SMAB_OK);
		double u = 0.4 * (80.0 - c[k].regret);
		ck_assert_double_eq_tol(sc(&r, 0, "regret"), c[k].regret, TOL);
		ck_assert_double_eq_tol(sc(&r, 0, "regret_truthful"), 3.0, TOL);
		ck_assert_double_eq_tol(sc(&r, 0, "utility_dev"), u, TOL);
		ck_assert_double_eq_tol(sc(&r, 0, "utility_dev_truthful"), u_truthful, TOL);
		ck_assert_double_eq_tol(sc(&r, 0, "gain"), u - u_truthful, TOL);
	}
}
END_TEST

/* ---- common random numbers -------------------------------------------- */

/* A deviation that registers what the truthful profile does (0 copies) has
 * gain exactly 0, for every mechanism, seed and checkpoint. */
START_TEST(test_null_strategy_zero_gain)
{
	smab_value p[MAXP];
	defaults(p);
	su_set(S, p, "agents", 3);
	double arms[] = {2, 3, 2};
	setv(p, "arms", arms, 3);
	double vals[] = {0.1, 0.4, 0.8};
	double probs[] = {0.3, 0.4, 0.3};
	setv(p, "prior.values", vals, 3);
	setv(p, "prior.probs", probs, 3);
	su_set(S, p, "strategy.deviator", 2);
	su_set(S, p, "strategy.copies", 0);
	su_set(S, p, "horizon", 3000);
	int64_t check[] = {10, 100, 1000, 3000};
	const char *strats[] = {"replicate_arm", "replicate_all"};
	for (int s = 0; s < 2; s++) {
		su_set_enum(S, p, "strategy", strats[s]);
		for (uint32_t rep = 0; rep < 4; rep++) {
			result r;
			ck_assert_int_eq(run(p, 11, 3, rep, all_mechs, NALL, check, 4, &r), SMAB_OK);
			for (int k = 0; k < NALL; k++) {
				ck_assert(sc(&r, k, "gain") == 0.0);
				ck_assert(sc(&r, k, "regret") == sc(&r, k, "regret_truthful"));
				ck_assert(sc(&r, k, "utility_dev") == sc(&r, k, "utility_dev_truthful"));
				for (int c = 0; c < 4; c++)
					ck_assert(cv(&r, k, "gain", c) == 0.0);
			}
		}
	}
	/* the truthful strategy reports the same numbers as 0 copies */
	result r0, r1;
	ck_assert_int_eq(run(p, 11, 3, 1, all_mechs, NALL, check, 4, &r0), SMAB_OK);
	su_set_enum(S, p, "strategy", "truthful");
	ck_assert_int_eq(run(p, 11, 3, 1, all_mechs, NALL, check, 4, &r1), SMAB_OK);
	ck_assert(memcmp(r0.scalar, r1.scalar, sizeof r0.scalar) == 0);
	ck_assert(memcmp(r0.curve, r1.curve, sizeof r0.curve) == 0);
	su_set_enum(S, p, "strategy", "replicate_all");
	/* and a real deviation does change something */
	su_set(S, p, "strategy.copies", 2);
	result r;
	ck_assert_int_eq(run(p, 11, 3, 0, all_mechs, NALL, NULL, 0, &r), SMAB_OK);
	int moved = 0;
	for (int k = 0; k < NALL; k++)
		moved += sc(&r, k, "gain") != 0.0;
	ck_assert_int_gt(moved, 0);
}
END_TEST

/* Permutation invariance: the same arms (means with their tapes) registered
 * in another order give ETC (and UCB1, which has no ties on Gaussian
 * rewards once every arm is pulled) the same regret. */
START_TEST(test_permutation_invariance)
{
	smab_value p[MAXP];
	defaults(p);
	su_set_enum(S, p, "noise", "gaussian");
	su_set(S, p, "sigma", 1.0);
	double a4[] = {4};
	setv(p, "arms", a4, 1);
	double mu[] = {0.3, 0.6, 0.5, 0.55};
	setv(p, "means", mu, 4);
	su_set(S, p, "etc.m", 30);
	su_set(S, p, "horizon", 3000);
	double orders[][4] = {{1, 2, 3, 4}, {3, 1, 4, 2}, {4, 3, 2, 1}, {2, 4, 1, 3}};
	const char *names[] = {"etc", "ucb"};
	for (uint32_t rep = 0; rep < 6; rep++) {
		result r0;
		setv(p, "register_order", orders[0], 4);
		ck_assert_int_eq(run(p, 4, 0, rep, names, 2, NULL, 0, &r0), SMAB_OK);
		for (int o = 1; o < 4; o++) {
			result r;
			setv(p, "register_order", orders[o], 4);
			ck_assert_int_eq(run(p, 4, 0, rep, names, 2, NULL, 0, &r), SMAB_OK);
			for (int k = 0; k < 2; k++)
				ck_assert_double_eq_tol(sc(&r, k, "regret"), sc(&r0, k, "regret"), 1e-7);
		}
	}
}
END_TEST

/* ---- random-permutation regret --------------------------------------- */

/* Definition 5 by hand: Bernoulli means {0, 1}, ETC with m = 2, T = 10.
 * Truthful: either order explores 0 twice -> RP regret 2.  Replicating arm 0
 * once: (0, 0', 1) explores a zero arm 4 times, (1, 1', 0) twice -> 3. */
START_TEST(test_rp_regret_known)
{
	smab_value p[MAXP];
	defaults(p);
	double mu[] = {0.0, 1.0};
	setv(p, "means", mu, 2);
	su_set(S, p, "etc.m", 2);
	su_set(S, p, "horizon", 10);
	su_set(S, p, "rp", 1);
	su_set_enum(S, p, "strategy", "replicate_arm");
	result r;
	const char *names[] = {"etc"};
	ck_assert_int_eq(run(p, 1, 0, 0, names, 1, NULL, 0, &r), SMAB_OK);
	ck_assert_double_eq_tol(sc(&r, 0, "rp_regret_truthful"), 2.0, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "rp_regret"), 3.0, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 4.0, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "regret_truthful"), 2.0, TOL);
	/* not computed for several agents */
	su_set(S, p, "agents", 2);
	double mu4[] = {0, 1, 0, 1};
	setv(p, "means", mu4, 4);
	ck_assert_int_eq(run(p, 1, 0, 0, names, 1, NULL, 0, &r), SMAB_OK);
	ck_assert(isnan(sc(&r, 0, "rp_regret")));
}
END_TEST

/* UCB1 violates TRP on Theorem 1's instance at T = 7 (a deterministic
 * trace: the truthful RP regret is 2, replication's 1.5 up to tie-breaks),
 * so its mean RP regret under replication is below the truthful one by
 * many standard errors. */
START_TEST(test_rp_ucb_not_trp)
{
	smab_value p[MAXP];
	defaults(p);
	double mu[] = {1.0, 0.0};
	setv(p, "means", mu, 2);
	su_set(S, p, "horizon", 7);
	su_set(S, p, "rp", 1);
	su_set_enum(S, p, "strategy", "replicate_arm");
	double s = 0, ss = 0;
	const int R = 300;
	for (int rep = 0; rep < R; rep++) {
		result r;
		const char *names[] = {"ucb"};
		ck_assert_int_eq(run(p, 1, 0, (uint32_t)rep, names, 1, NULL, 0, &r), SMAB_OK);
		ck_assert_double_eq_tol(sc(&r, 0, "rp_regret_truthful"), 2.0, TOL);
		double d = sc(&r, 0, "rp_regret_truthful") - sc(&r, 0, "rp_regret");
		s += d;
		ss += d * d;
	}
	double mean = s / R, se = sqrt((ss / R - mean * mean) / (R - 1));
	ck_assert_msg(mean > 4 * se && mean > 0.2, "TRP gap %g (se %g)", mean, se);
}
END_TEST

/* ---- priors -------------------------------------------------------------- */

/* A one-round run reveals the drawn mean: utility_1 = alpha * mu.  Discrete
 * frequencies within 4.5 binomial sd; per-agent supports via prior.sizes;
 * the draws do not depend on the point (common random numbers). */
START_TEST(test_prior_draws)
{
	smab_value p[MAXP];
	defaults(p);
	double one[] = {1};
	setv(p, "arms", one, 1);
	double vals[] = {0.2, 0.5, 0.9};
	double probs[] = {0.2, 0.3, 0.5};
	setv(p, "prior.values", vals, 3);
	setv(p, "prior.probs", probs, 3);
	su_set(S, p, "horizon", 1);
	enum { R = 3000 };
	int count[3] = {0};
	for (uint32_t rep = 0; rep < R; rep++) {
		result r, r2;
		const char *names[] = {"etc"};
		ck_assert_int_eq(run(p, 8, 0, rep, names, 1, NULL, 0, &r), SMAB_OK);
		ck_assert_int_eq(run(p, 8, 7, rep, names, 1, NULL, 0, &r2), SMAB_OK);
		double m = sc(&r, 0, "utility_1") / 0.4;
		ck_assert(sc(&r2, 0, "utility_1") == sc(&r, 0, "utility_1"));
		int hit = 0;
		for (int k = 0; k < 3; k++)
			if (fabs(m - vals[k]) < 1e-12) {
				count[k]++;
				hit = 1;
			}
		ck_assert(hit);
	}
	for (int k = 0; k < 3; k++)
		ck_assert_double_lt(fabs(count[k] - R * probs[k]),
		                    4.5 * sqrt(R * probs[k] * (1 - probs[k])));

	/* two agents with their own supports */
	su_set(S, p, "agents", 2);
	double v2[] = {0.1, 0.3, 0.8};
	double p2[] = {1, 1, 1};
	double sizes[] = {1, 2};
	setv(p, "prior.values", v2, 3);
	setv(p, "prior.probs", p2, 3);
	setv(p, "prior.sizes", sizes, 2);
	int high = 0;
	for (uint32_t rep = 0; rep < 400; rep++) {
		result r;
		const char *names[] = {"etc"};
		su_set(S, p, "horizon", 2);   /* ETC pulls each agent's arm once */
		ck_assert_int_eq(run(p, 8, 0, rep, names, 1, NULL, 0, &r), SMAB_OK);
		ck_assert_double_eq_tol(sc(&r, 0, "utility_1"), 0.4 * 0.1, TOL);
		double u1 = sc(&r, 0, "utility_2") / 0.4;
		ck_assert(fabs(u1 - 0.3) < 1e-12 || fabs(u1 - 0.8) < 1e-12);
		high += u1 > 0.5;
	}
	ck_assert_int_lt(abs(high - 200), 45);

	/* Beta(2, 5): mean 2/7, within 4.5 sd of the sample mean */
	su_set(S, p, "agents", 1);
	su_set_enum(S, p, "prior", "beta");
	su_set(S, p, "prior.a", 2);
	su_set(S, p, "prior.b", 5);
	setv(p, "prior.sizes", NULL, 0);
	su_set(S, p, "delta", 0.1);
	su_set(S, p, "horizon", 1);
	double s = 0;
	for (uint32_t rep = 0; rep < 2000; rep++)
		s += run1(p, "etc", rep, "utility_1") / 0.4;
	double var = 2.0 * 5.0 / (49.0 * 8.0);
	ck_assert_double_lt(fabs(s / 2000 - 2.0 / 7.0), 4.5 * sqrt(var / 2000));
}
END_TEST

/* ---- input checks ------------------------------------------------------- */

static int check_fails(const smab_value *p, const char *param)
{
	char msg[256];
	int bad = -1;
	int rc = S->check(p, msg, sizeof msg, &bad);
	return rc != 0 && bad == su_param(S, param);
}

/* One agent with 3 arms: an order naming arm 9 is refused (it used to
 * register a phantom arm of mean 0 and read past the means). */
START_TEST(test_arm_order_range)
{
	smab_value p[MAXP];
	defaults(p);
	char msg[256];
	int bad = -1;
	double a3[] = {3}, m3[] = {0.9, 0.5, 0.2}, bad9[] = {1, 2, 9}, ok3[] = {3, 1, 2};
	su_set(S, p, "agents", 1);
	setv(p, "arms", a3, 1);
	setv(p, "means", m3, 3);
	setv(p, "register_order", bad9, 3);
	ck_assert(check_fails(p, "register_order"));
	setv(p, "register_order", ok3, 3);
	ck_assert_msg(S->check(p, msg, sizeof msg, &bad) == 0, "%s", msg);
}
END_TEST

START_TEST(test_checks)
{
	smab_value p[MAXP];
	defaults(p);
	char msg[256];
	int bad;
	ck_assert_int_eq(S->check(p, msg, sizeof msg, &bad), 0);
	su_set(S, p, "agents", 3);
	double a2[] = {2, 3};
	setv(p, "arms", a2, 2);
	ck_assert(check_fails(p, "arms"));
	double a3[] = {2, 3, 1};
	setv(p, "arms", a3, 3);
	ck_assert_int_eq(S->check(p, msg, sizeof msg, &bad), 0);
	su_set(S, p, "strategy.deviator", 4);
	ck_assert(check_fails(p, "strategy.deviator"));
	su_set(S, p, "strategy.deviator", 3);
	su_set_enum(S, p, "strategy", "omit_arm");
	ck_assert(check_fails(p, "strategy"));      /* agent 3 has one arm */
	su_set(S, p, "strategy.deviator", 2);
	su_set(S, p, "strategy.target", 4);
	ck_assert(check_fails(p, "strategy.target"));
	su_set(S, p, "strategy.target", 3);
	ck_assert_int_eq(S->check(p, msg, sizeof msg, &bad), 0);
	double mu[] = {0.1, 0.2};
	setv(p, "means", mu, 2);
	ck_assert(check_fails(p, "means"));
	setv(p, "means", NULL, 0);
	double ord[] = {1, 2};
	setv(p, "register_order", ord, 2);
	ck_assert(check_fails(p, "register_order"));   /* several agents */
	setv(p, "register_order", NULL, 0);
	/* sizes whose whole parts add up to the 3 support points */
	double sizes[] = {1.5, 1.5, 1}, ok[] = {1, 1, 1};
	double vals3[] = {0.1, 0.5, 0.9}, probs3[] = {1, 1, 1};
	setv(p, "prior.values", vals3, 3);
	setv(p, "prior.probs", probs3, 3);
	setv(p, "prior.sizes", sizes, 3);
	ck_assert(check_fails(p, "prior.sizes"));
	setv(p, "prior.sizes", ok, 3);
	su_set(S, p, "delta", 0.2);               /* one point per agent: no gap */
	ck_assert_msg(S->check(p, msg, sizeof msg, &bad) == 0, "%s", msg);
	defaults(p);
	su_set(S, p, "agents", 3);
	setv(p, "arms", a3, 3);
	su_set_enum(S, p, "prior", "uniform");
	ck_assert(check_fails(p, "delta"));       /* no gap to default to */
	S->check(p, msg, sizeof msg, &bad);
	ck_assert_msg(strstr(msg, "divides by the gap") != NULL, "%s", msg);
	su_set(S, p, "delta", 0.2);
	ck_assert_int_eq(S->check(p, msg, sizeof msg, &bad), 0);
	su_set_enum(S, p, "prior", "discrete");
	double pr[] = {0.5};
	setv(p, "prior.probs", pr, 1);
	ck_assert(check_fails(p, "prior.probs"));
	/* a bad point is refused by run() too */
	result r;
	const char *names[] = {"etc"};
	ck_assert_int_eq(run(p, 1, 0, 0, names, 1, NULL, 0, &r), SMAB_EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("replication");
	TCase *tc = tcase_create("etc");
	tcase_add_test(tc, test_etc_exploration_fixed);
	tcase_add_test(tc, test_etc_default_length);
	tcase_add_test(tc, test_etc_commit_noisy);
	tcase_add_test(tc, test_hetcr_restart_at_tau);
	tcase_add_test(tc, test_hetcr_defaults);
	tcase_add_test(tc, test_tiny_gap_saturates);
	tcase_add_test(tc, test_hucb_two_level);
	tcase_add_test(tc, test_ts_posterior_scale);
	suite_add_tcase(s, tc);

	tc = tcase_create("replicas");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_replica_tapes_independent);
	tcase_add_test(tc, test_replica_in_suite);
	tcase_add_test(tc, test_strategies_fixed);
	tcase_add_test(tc, test_null_strategy_zero_gain);
	tcase_add_test(tc, test_permutation_invariance);
	tcase_add_test(tc, test_rp_regret_known);
	tcase_add_test(tc, test_rp_ucb_not_trp);
	suite_add_tcase(s, tc);

	tc = tcase_create("inputs");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_prior_draws);
	tcase_add_test(tc, test_checks);
	tcase_add_test(tc, test_arm_order_range);
	suite_add_tcase(s, tc);
	return smab_check_main(s);
}
