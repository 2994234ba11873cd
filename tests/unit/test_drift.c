/* test_drift.c - the drift suite (Liu et al. 2020): hand-traced runs with
 * deterministic rewards, the eps schedule, stream reproducibility, common
 * random numbers, and a statistical comparison with a naive reference
 * implementation that shares none of the suite's code or random streams. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>

#include "check_util.h"
#include "suite_util.h"
#include "smab/param.h"
#include "smab/rng.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_drift;
static const smab_suite *S = &smab_suite_drift;

#define TOL 1e-12
#define MAXP 32
#define MAXM 8
#define MAXC 64

/* ---- helpers ---------------------------------------------------------------- */

static void set_means(smab_value *p, double *mu, int K)
{
	int i = su_param(S, "means");
	p[i].n = K;
	p[i].v = mu;
	su_set(S, p, "arms", K);
}

typedef struct result {
	int nmech, ncheck;
	double scalar[MAXM * 4];
	double curve[MAXM * 4 * MAXC];
} result;

/* Run one task with the mechanisms named in 'names' (suite order) and the
 * given checkpoints (NULL: just the horizon). */
static int run(const smab_value *p, uint64_t seed, uint32_t point, uint32_t rep,
               const char *const *names, int nmech, const int64_t *check,
               int ncheck, result *r)
{
	ck_assert_int_le(nmech, MAXM);
	ck_assert_int_le(ncheck, MAXC);
	ck_assert_int_eq(S->nmetrics, 4);
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

/* Everything mechanism k reported (scalars and both curves) is
 * bit-identical in a (mechanism ka) and b (mechanism kb). */
static void same_mech(const result *a, int ka, const result *b, int kb)
{
	ck_assert_int_eq(a->ncheck, b->ncheck);
	ck_assert(memcmp(a->scalar + ka * 4, b->scalar + kb * 4, 4 * sizeof(double)) == 0);
	ck_assert(memcmp(a->curve + ka * 4 * a->ncheck, b->curve + kb * 4 * b->ncheck,
	                 2 * (size_t)a->ncheck * sizeof(double)) == 0);
}

/* Mechanism 'mech' run with enum parameter 'name' at choice 'a' and at
 * choice 'b' (task seed, point 0, replication 'rep') reports the same bits. */
static void same_choices(smab_value *p, const char *name, const char *a, const char *b,
                         const char *mech, uint64_t seed, uint32_t rep)
{
	const char *const m[] = {mech};
	result ra, rb;
	su_set_enum(S, p, name, a);
	ck_assert_int_eq(run(p, seed, 0, rep, m, 1, NULL, 0, &ra), SMAB_OK);
	su_set_enum(S, p, name, b);
	ck_assert_int_eq(run(p, seed, 0, rep, m, 1, NULL, 0, &rb), SMAB_OK);
	same_mech(&ra, 0, &rb, 0);
}

/* ---- 1. deterministic rewards (sigma = 0), traced by hand ------------------ */

/* K = 2, mu = {0.9, 0.1}, sigma = 0, delta = 0.  Rounds 1, 2 pull each arm
 * once (regret 0.8 from arm 2).  Afterwards mu_hat = mu exactly, g_t = arm 1
 * and UCB1 compares 0.9 + sqrt(2 ln t / n_1) with 0.1 + sqrt(2 ln t / n_2):
 *   t=3  n=(1,1)  2.3823 vs 1.5823 -> arm 1
 *   t=4  n=(2,1)  2.0774 vs 1.7651 -> arm 1
 *   t=5  n=(3,1)  1.9358 vs 1.8941 -> arm 1
 *   t=6  n=(4,1)  1.8465 vs 1.9930 -> arm 2, compensated 0.9 - 0.1 = 0.8
 *   t=7..11       arm 1 (t=11: 1.6743 vs 1.6485)
 *   t=12 n=(9,2)  1.6431 vs 1.6764 -> arm 2, compensated 0.8
 * So at T = 12: regret 3 * 0.8, compensation 2 * 0.8, 2 compensated rounds;
 * curves at rounds 5, 6, 12: regret 0.8, 1.6, 2.4; compensation 0, 0.8, 1.6. */
START_TEST(test_ucb_hand_trace)
{
	smab_value p[MAXP];
	double mu[2] = {0.9, 0.1};
	su_defaults(S, p, MAXP);
	set_means(p, mu, 2);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "drift", 0.0);
	su_set(S, p, "horizon", 12);
	static const char *const m[] = {"ucb"};
	int64_t check[3] = {5, 6, 12};
	result r;
	ck_assert_int_eq(run(p, 1, 0, 0, m, 1, check, 3, &r), SMAB_OK);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 2.4, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "compensation"), 1.6, TOL);
	ck_assert_double_eq(sc(&r, 0, "compensated"), 2.0);
	ck_assert_double_eq_tol(sc(&r, 0, "est_error"), 0.0, TOL);
	const double rc[3] = {0.8, 1.6, 2.4}, cc[3] = {0.0, 0.8, 1.6};
	for (int c = 0; c < 3; c++) {
		ck_assert_double_eq_tol(cv(&r, 0, "regret", c), rc[c], TOL);
		ck_assert_double_eq_tol(cv(&r, 0, "compensation", c), cc[c], TOL);
	}

	/* One round earlier the second deviation has not happened. */
	su_set(S, p, "horizon", 11);
	ck_assert_int_eq(run(p, 1, 0, 0, m, 1, NULL, 0, &r), SMAB_OK);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 1.6, TOL);
	ck_assert_double_eq(sc(&r, 0, "compensated"), 1.0);
}
END_TEST

/* Greedy and never-exploring eps-greedy with deterministic rewards: after
 * the two initialization rounds both stay on the best arm.  With the best
 * arm second (explicit, unsorted means) regret comes from round 1 only. */
START_TEST(test_greedy_and_lazy_egreedy)
{
	smab_value p[MAXP];
	double mu[2] = {0.1, 0.9};
	su_defaults(S, p, MAXP);
	set_means(p, mu, 2);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "drift", 1.0);
	su_set(S, p, "horizon", 1000);
	/* eps_t = 1e-9 * 2 / t: no exploration coin comes up in 1000 rounds. */
	su_set(S, p, "egreedy.c", 1e-9);
	su_set(S, p, "egreedy.d", 1.0);
	static const char *const m[] = {"egreedy", "greedy"};
	result r;
	ck_assert_int_eq(run(p, 3, 0, 0, m, 2, NULL, 0, &r), SMAB_OK);
	for (int k = 0; k < 2; k++) {
		ck_assert_double_eq_tol(sc(&r, k, "regret"), 0.8, TOL);
		ck_assert_double_eq(sc(&r, k, "compensation"), 0.0);
		ck_assert_double_eq(sc(&r, k, "compensated"), 0.0);
		ck_assert_double_eq_tol(sc(&r, k, "est_error"), 0.0, TOL);
	}
}
END_TEST

/* ---- 2. compensation and drift arithmetic ------------------------------------ */

/* UCB, K = 2, mu = {0.9, 0.1}, sigma = 0, delta = 0.5, T = 10.  As in the
 * first trace up to t = 6, where arm 2 is compensated c = 0.8 and reports
 * 0.1 + 0.5 * 0.8 = 0.5, so mu_hat_2 = (0.1 + 0.5) / 2 = 0.3.  Then
 *   t=7  n=(4,2)  1.8864 vs 0.3 + 1.3950 = 1.6950 -> arm 1
 *   t=8  n=(5,2)  1.8120 vs 1.7420 -> arm 1
 *   t=9  n=(6,2)  1.7558 vs 1.7823 -> arm 2, c = 0.9 - 0.3 = 0.6, f = 0.4,
 *                 mu_hat_2 = (0.1 + 0.5 + 0.4) / 3 = 1/3
 *   t=10 n=(6,3)  1.7761 vs 1.5723 -> arm 1
 * regret 3 * 0.8 = 2.4, compensation 0.8 + 0.6 = 1.4, 2 rounds. */
START_TEST(test_ucb_drift_trace)
{
	smab_value p[MAXP];
	double mu[2] = {0.9, 0.1};
	su_defaults(S, p, MAXP);
	set_means(p, mu, 2);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "drift", 0.5);
	su_set(S, p, "horizon", 10);
	static const char *const m[] = {"ucb"};
	result r;
	ck_assert_int_eq(run(p, 1, 0, 0, m, 1, NULL, 0, &r), SMAB_OK);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 2.4, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "compensation"), 1.4, TOL);
	ck_assert_double_eq(sc(&r, 0, "compensated"), 2.0);
	ck_assert_double_eq_tol(sc(&r, 0, "est_error"), 0.0, TOL);
}
END_TEST

/* Drift fools the player and then drifts the best arm.  UCB, K = 2,
 * mu = {0.9, 0.5}, sigma = 0, delta = 4, T = 6:
 *   t=3  n=(1,1)  2.3823 vs 1.9823 -> arm 1
 *   t=4  n=(2,1)  2.0774 vs 2.1651 -> arm 2, c = 0.4, f = 0.5 + 1.6 = 2.1,
 *                 mu_hat_2 = 1.3 > 0.9: arm 2 becomes the greedy arm
 *   t=5  n=(2,2)  2.1686 vs 2.5686 -> arm 2 = g, no compensation, f = 0.5,
 *                 mu_hat_2 = 3.1 / 3 = 1.0333
 *   t=6  n=(2,3)  2.2386 vs 2.1263 -> arm 1 != g, c = 1.0333 - 0.9 = 2/15,
 *                 f = 0.9 + 4 * 2/15 = 1.4333, mu_hat_1 = 3.2333 / 3 = 1.07778
 * regret 0.4 * 3 (t = 2, 4, 5), compensation 0.4 + 2/15 = 8/15, 2 rounds,
 * est_error |1.07778 - 0.9| / 0.9 = 16/81. */
START_TEST(test_drift_fools_greedy)
{
	smab_value p[MAXP];
	double mu[2] = {0.9, 0.5};
	su_defaults(S, p, MAXP);
	set_means(p, mu, 2);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "drift", 4.0);
	su_set(S, p, "horizon", 6);
	static const char *const m[] = {"ucb"};
	result r;
	ck_assert_int_eq(run(p, 1, 0, 0, m, 1, NULL, 0, &r), SMAB_OK);
	ck_assert_double_eq_tol(sc(&r, 0, "regret"), 1.2, TOL);
	ck_assert_double_eq_tol(sc(&r, 0, "compensation"), 8.0 / 15.0, TOL);
	ck_assert_double_eq(sc(&r, 0, "compensated"), 2.0);
	ck_assert_double_eq_tol(sc(&r, 0, "est_error"), 16.0 / 81.0, TOL);
}
END_TEST

/* eps-greedy with eps_t = 1 throughout (c K / d^2 >= T), mu = {0.9, 0.1},
 * sigma = 0, delta = 3.  Arm 1 is only ever pulled as g (mu_hat_1 stays 0.9,
 * never compensated); arm 2 only by exploration, always compensated.  Its
 * k-th compensated pull pays c_k = 0.9 - m_k and reports
 * f_k = clamp(0.1 + 3 c_k) (the first, 2.5, is projected to 1), with
 * m_{k+1} = m_k + (f_k - m_k) / (k + 1), m_1 = 0.1; m_k stays below 0.9
 * (fixed point 0.7), so g never changes.  Given the random number N of
 * explorations of arm 2 the totals are therefore exact, under the default
 * projection of the drift and under the clamp of the feedback alike. */
START_TEST(test_egreedy_drift_clamp)
{
	smab_value p[MAXP];
	double mu[2] = {0.9, 0.1};
	su_defaults(S, p, MAXP);
	set_means(p, mu, 2);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "drift", 3.0);
	su_set(S, p, "horizon", 2002);
	su_set(S, p, "egreedy.c", 1e6);
	su_set(S, p, "egreedy.d", 1.0);
	static const char *const m[] = {"egreedy"};
	for (uint32_t rep = 0; rep < 3; rep++) {
		result r;
		ck_assert_int_eq(run(p, 11, 0, rep, m, 1, NULL, 0, &r), SMAB_OK);
		double N = sc(&r, 0, "compensated");
		/* N ~ Binomial(2000, 1/2): within 6 standard deviations. */
		ck_assert(fabs(N - 1000.0) < 6 * sqrt(500.0));
		double mk = 0.1, comp = 0.0;
		for (int k = 1; k <= (int)N; k++) {
			double c = 0.9 - mk;
			double f = 0.1 + 3.0 * c;
			if (f > 1.0)
				f = 1.0;
			comp += c;
			mk += (f - mk) / (k + 1);
		}
		ck_assert_double_eq_tol(sc(&r, 0, "compensation"), comp, 1e-9);
		ck_assert_double_eq_tol(sc(&r, 0, "regret"), 0.8 * (1.0 + N), 1e-9);
		ck_assert_double_eq_tol(sc(&r, 0, "est_error"), 0.0, TOL);
		ck_assert(mk < 0.9);
	}
	/* rewards in [0,1]: projecting the drift is projecting the feedback */
	same_choices(p, "egreedy.project", "drift", "feedback", "egreedy", 11, 0);
}
END_TEST

/* The schedule eps_t = min(1, C / t), C = c K / d^2 = 0.25 * 2 / 0.01 = 50,
 * with sigma = 0, mu = {0.9, 0.1}: a round t > 2 explores with probability
 * eps_t and then picks arm 2 (compensated) with probability 1/2, so
 * E[compensated] = (1/2) sum_{t=3}^{T} min(1, 50 / t). */
START_TEST(test_egreedy_schedule)
{
	smab_value p[MAXP];
	double mu[2] = {0.9, 0.1};
	su_defaults(S, p, MAXP);
	set_means(p, mu, 2);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "drift", 0.0);
	const int T = 2000, R = 400;
	su_set(S, p, "horizon", T);
	su_set(S, p, "egreedy.c", 0.25);
	su_set(S, p, "egreedy.d", 0.1);
	double expect = 0.0, var = 0.0;
	for (int t = 3; t <= T; t++) {
		double q = 0.5 * fmin(1.0, 50.0 / t);
		expect += q;
		var += q * (1.0 - q);
	}
	static const char *const m[] = {"egreedy"};
	double sum = 0.0;
	for (int rep = 0; rep < R; rep++) {
		result r;
		ck_assert_int_eq(run(p, 5, 0, (uint32_t)rep, m, 1, NULL, 0, &r), SMAB_OK);
		double N = sc(&r, 0, "compensated");
		/* the first 48 rounds always explore: at least some compensation */
		ck_assert(N >= 1.0);
		ck_assert_double_eq_tol(sc(&r, 0, "compensation"), 0.8 * N, 1e-9);
		sum += N;
	}
	double mean = sum / R;
	ck_assert_msg(fabs(mean - expect) <= 3.3 * sqrt(var / R),
	              "mean compensated rounds %g, expected %g", mean, expect);
}
END_TEST

/* ---- 3. mechanism streams ------------------------------------------------------ */

START_TEST(test_ts_reproducible)
{
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 3000);
	su_set(S, p, "drift", 0.4);
	static const char *const m[] = {"ts"};
	int64_t check[4] = {10, 100, 1000, 3000};
	result a, b, c, d;
	ck_assert_int_eq(run(p, 99, 2, 7, m, 1, check, 4, &a), SMAB_OK);
	ck_assert_int_eq(run(p, 99, 2, 7, m, 1, check, 4, &b), SMAB_OK);
	same_mech(&a, 0, &b, 0);
	ck_assert_int_eq(run(p, 99, 2, 8, m, 1, check, 4, &c), SMAB_OK);
	ck_assert(sc(&a, 0, "regret") != sc(&c, 0, "regret"));
	ck_assert(sc(&a, 0, "compensation") != sc(&c, 0, "compensation"));
	/* a different point keeps the reward tape but not the TS samples */
	ck_assert_int_eq(run(p, 99, 3, 7, m, 1, check, 4, &d), SMAB_OK);
	ck_assert(sc(&a, 0, "compensation") != sc(&d, 0, "compensation"));
}
END_TEST

/* ---- 3b. the Thompson posterior and eps-greedy's projection -------------------- */

/* K = 2, T = 3: one Thompson round after the two initial pulls, rebuilt
 * from the suite's documented streams.  Arm i's first reward is
 * mu_i + sigma z_i (z_i: value 0 of stream (key {seed, ALL_POINTS, rep};
 * REWARD, i, 0)), and round 3 draws theta_i = m_i + s y_i / sqrt(2), y_0, y_1
 * the first normals of (key {seed, point, rep}; MECH, ts, 0).  The pick,
 * and so the compensation m_g - m_i, is exact for s = sigma ('noise') and
 * s = 1 ('unit'); the two must disagree on some replications, or the test
 * could not tell the variances apart. */
START_TEST(test_ts_posterior_draw)
{
	const double mu[2] = {0.6, 0.4}, sigma = 0.3;
	static const char *const post[2] = {"unit", "noise"};
	static const char *const m[] = {"ts"};
	const uint64_t seed = 17;
	gsl_rng *g = smab_rng_alloc();
	int differ = 0;
	for (uint32_t rep = 0; rep < 200; rep++) {
		double x[2], y[2];
		smab_rng_key tk = {seed, SMAB_RNG_ALL_POINTS, rep}, mk = {seed, 0, rep};
		for (int i = 0; i < 2; i++) {
			smab_rng_seek(g, &tk, SMAB_RNG_REWARD, (uint32_t)i, 0);
			x[i] = mu[i] + sigma * gsl_ran_gaussian_ziggurat(g, 1.0);
		}
		smab_rng_seek(g, &mk, SMAB_RNG_MECH, (uint32_t)su_mech(S, "ts"), 0);
		for (int i = 0; i < 2; i++)
			y[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
		int gr = x[1] > x[0], pick[2];
		for (int k = 0; k < 2; k++) {
			double sd = k == 0 ? 1.0 : sigma;
			double th0 = x[0] + sd / sqrt(2.0) * y[0], th1 = x[1] + sd / sqrt(2.0) * y[1];
			pick[k] = th1 > th0;
			smab_value p[MAXP];
			su_defaults(S, p, MAXP);
			double mc[2] = {mu[0], mu[1]};
			set_means(p, mc, 2);
			su_set(S, p, "sigma", sigma);
			su_set(S, p, "horizon", 3);
			su_set_enum(S, p, "ts.posterior", post[k]);
			result r;
			ck_assert_int_eq(run(p, seed, 0, rep, m, 1, NULL, 0, &r), SMAB_OK);
			ck_assert_double_eq(sc(&r, 0, "compensated"), pick[k] != gr);
			ck_assert_double_eq(sc(&r, 0, "compensation"),
			                    pick[k] != gr ? x[gr] - x[pick[k]] : 0.0);
			ck_assert_double_eq_tol(sc(&r, 0, "regret"), 0.2 * (1 + pick[k]), TOL);
		}
		differ += pick[0] != pick[1];
	}
	ck_assert_int_ge(differ, 20);
	smab_rng_free(&g);
}
END_TEST

/* With the noise-scaled posterior TS is scale-free: halving every mean and
 * sigma halves every reward, empirical mean, compensation and posterior
 * draw exactly (a power of two), so regret and compensation halve bit for
 * bit and the same rounds are compensated.  The unit posterior does not
 * scale, and at sigma = 1 the two posteriors are the same. */
START_TEST(test_ts_posterior_scale)
{
	static const char *const m[] = {"ts"};
	int unit_differs = 0;
	for (uint32_t rep = 0; rep < 6; rep++) {
		result r[2][2];   /* [unit, noise][full, half scale] */
		for (int k = 0; k < 2; k++)
			for (int h = 0; h < 2; h++) {
				smab_value p[MAXP];
				su_defaults(S, p, MAXP);
				double a = h ? 0.5 : 1.0, mu[3] = {0.8 * a, 0.6 * a, 0.5 * a};
				set_means(p, mu, 3);
				su_set(S, p, "sigma", 0.4 * a);
				su_set(S, p, "drift", 0.7);
				su_set(S, p, "horizon", 2000);
				su_set_enum(S, p, "ts.posterior", k ? "noise" : "unit");
				ck_assert_int_eq(run(p, 5, 0, rep, m, 1, NULL, 0, &r[k][h]), SMAB_OK);
			}
		ck_assert_double_eq(sc(&r[1][1], 0, "regret"), 0.5 * sc(&r[1][0], 0, "regret"));
		ck_assert_double_eq(sc(&r[1][1], 0, "compensation"),
		                    0.5 * sc(&r[1][0], 0, "compensation"));
		ck_assert_double_eq(sc(&r[1][1], 0, "compensated"), sc(&r[1][0], 0, "compensated"));
		unit_differs += sc(&r[0][1], 0, "compensated") != sc(&r[0][0], 0, "compensated");
	}
	ck_assert_int_ge(unit_differs, 5);
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	su_set(S, p, "sigma", 1.0);
	su_set(S, p, "horizon", 3000);
	su_set(S, p, "drift", 0.4);
	same_choices(p, "ts.posterior", "unit", "noise", "ts", 5, 1);
}
END_TEST

/* eps-greedy's projections.  Without drift, 'drift' never touches a
 * reward, so it is 'none' bit for bit, while 'feedback' clamps the
 * Gaussian rewards (sigma 0.6) and so moves the best arm's estimate.  (With
 * rewards in [0,1] the two agree: test_egreedy_drift_clamp.) */
START_TEST(test_egreedy_project)
{
	static const char *const m[] = {"egreedy"};
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 3000);
	same_choices(p, "egreedy.project", "drift", "none", "egreedy", 3, 2);
	result r[2];
	for (int k = 0; k < 2; k++) {
		su_set_enum(S, p, "egreedy.project", k ? "none" : "feedback");
		ck_assert_int_eq(run(p, 3, 0, 2, m, 1, NULL, 0, &r[k]), SMAB_OK);
	}
	ck_assert(sc(&r[0], 0, "est_error") != sc(&r[1], 0, "est_error"));
}
END_TEST

/* ---- 4. common random numbers --------------------------------------------------- */

START_TEST(test_crn_subsets)
{
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 5000);   /* the best arm crosses several tape blocks */
	su_set(S, p, "drift", 0.3);
	static const char *const all[] = {"ucb", "egreedy", "ts", "greedy"};
	static const char *const three[] = {"ucb", "ts", "greedy"};
	int64_t check[5] = {3, 10, 1024, 2049, 5000};
	result A, B, U, T1, G;
	ck_assert_int_eq(run(p, 4, 1, 2, all, 4, check, 5, &A), SMAB_OK);
	ck_assert_int_eq(run(p, 4, 1, 2, three, 3, check, 5, &B), SMAB_OK);
	static const char *const u[] = {"ucb"}, *const ts[] = {"ts"}, *const g[] = {"greedy"};
	ck_assert_int_eq(run(p, 4, 1, 2, u, 1, check, 5, &U), SMAB_OK);
	ck_assert_int_eq(run(p, 4, 1, 2, ts, 1, check, 5, &T1), SMAB_OK);
	ck_assert_int_eq(run(p, 4, 1, 2, g, 1, check, 5, &G), SMAB_OK);
	same_mech(&U, 0, &B, 0);
	same_mech(&U, 0, &A, 0);
	same_mech(&T1, 0, &B, 1);
	same_mech(&T1, 0, &A, 2);
	/* greedy alone reads a tape nobody filled before; here after ucb/ts */
	same_mech(&G, 0, &B, 2);
	same_mech(&G, 0, &A, 3);
}
END_TEST

/* Bernoulli rewards (so eps-greedy's projection is the identity) and an
 * eps-greedy that never explores: it is the greedy player, pull for pull. */
START_TEST(test_crn_greedy_twin)
{
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	su_set(S, p, "noise", smab_param_choice(&S->params[su_param(S, "noise")], "bernoulli"));
	su_set(S, p, "horizon", 4000);
	su_set(S, p, "drift", 0.8);
	su_set(S, p, "egreedy.c", 1e-9);
	su_set(S, p, "egreedy.d", 1.0);
	static const char *const m[] = {"egreedy", "greedy"};
	int64_t check[3] = {50, 500, 4000};
	int differ = 0;
	for (uint32_t rep = 0; rep < 20; rep++) {
		result r;
		ck_assert_int_eq(run(p, 8, 0, rep, m, 2, check, 3, &r), SMAB_OK);
		same_mech(&r, 0, &r, 1);
		if (rep > 0) {
			result q;
			ck_assert_int_eq(run(p, 8, 0, rep - 1, m, 2, check, 3, &q), SMAB_OK);
			differ += sc(&q, 1, "regret") != sc(&r, 1, "regret");
		}
	}
	ck_assert_int_gt(differ, 0);   /* and the tape does depend on rep */
}
END_TEST

/* Greedy never compensates, so the drift coefficient cannot reach it: two
 * points of a drift sweep (different point ids) give it the same results,
 * which they can only do if the reward tape ignores the point. */
START_TEST(test_crn_across_points)
{
	static const char *const m[] = {"ucb", "greedy"};
	int64_t check[3] = {100, 1000, 6000};
	for (int noise = 0; noise < 2; noise++) {
		smab_value p[MAXP];
		su_defaults(S, p, MAXP);
		su_set(S, p, "noise", noise);
		su_set(S, p, "horizon", 6000);
		result a, b;
		su_set(S, p, "drift", 0.0);
		ck_assert_int_eq(run(p, 21, 0, 3, m, 2, check, 3, &a), SMAB_OK);
		su_set(S, p, "drift", 1.1);
		ck_assert_int_eq(run(p, 21, 6, 3, m, 2, check, 3, &b), SMAB_OK);
		same_mech(&a, 1, &b, 1);
		ck_assert(sc(&a, 0, "regret") != sc(&b, 0, "regret"));
	}
}
END_TEST

/* The tape holds independent standard normals (uniforms) across the lazy
 * fills (16, 64, 256, 1024 values) and blocks: greedy on mu = {0.5, 0}
 * with little noise pulls arm 1 in every round, so its final mean is
 * 0.5 + sigma * (mean of the first n tape values), n = T - 1 = 2099, and
 * n (mu_hat - 0.5)^2 / sigma^2 has mean 1 (Bernoulli: n (mu_hat - 0.5)^2
 * has mean 1/4).  A tape that repeated or overlapped values across fills
 * or blocks would inflate it. */
START_TEST(test_tape_independent)
{
	const int T = 2100, R = 2000;
	for (int noise = 0; noise < 2; noise++) {
		smab_value p[MAXP];
		su_defaults(S, p, MAXP);
		double mu[2] = {0.5, 0.0};
		set_means(p, mu, 2);
		su_set(S, p, "noise", noise);
		su_set(S, p, "sigma", 0.01);
		su_set(S, p, "horizon", T);
		static const char *const m[] = {"greedy"};
		double sum = 0, sumsq = 0, sumdev = 0;
		for (int rep = 0; rep < R; rep++) {
			result r;
			ck_assert_int_eq(run(p, 31, 0, (uint32_t)rep, m, 1, NULL, 0, &r), SMAB_OK);
			/* one pull of arm 2 in round 2, all others arm 1 */
			ck_assert_double_eq_tol(sc(&r, 0, "regret"), 0.5, TOL);
			double e = sc(&r, 0, "est_error") * 0.5;   /* |mu_hat - 0.5| */
			double x = (T - 1) * e * e / (noise ? 0.25 : 0.01 * 0.01);
			sum += x;
			sumsq += x * x;
			sumdev += e;
		}
		double mean = sum / R, sd = sqrt((sumsq / R - mean * mean) / R);
		ck_assert_msg(fabs(mean - 1.0) <= 3.3 * sd, "noise %d: scaled variance %g (se %g)",
		              noise, mean, sd);
		/* E|mean| = sqrt(2 / (pi n)) * scale */
		double scale = noise ? 0.5 : 0.01;
		double ea = sumdev / R, want = scale * sqrt(2.0 / (M_PI * (T - 1)));
		ck_assert_msg(fabs(ea - want) <= 0.05 * want, "noise %d: E|err| %g vs %g", noise, ea, want);
	}
}
END_TEST

/* ---- 5. a naive reference implementation ----------------------------------------- */

/* Written from the model's description alone: plain arrays, sums and
 * counts, an xorshift64* generator and Box-Muller normals. */
typedef struct ref_rng {
	uint64_t s;
	int has;
	double spare;
} ref_rng;

static double ref_u01(ref_rng *g)
{
	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return (double)((g->s * UINT64_C(0x2545F4914F6CDD1D)) >> 11) * 0x1.0p-53;
}

static double ref_normal(ref_rng *g)
{
	if (g->has) {
		g->has = 0;
		return g->spare;
	}
	double u1, u2;
	do
		u1 = ref_u01(g);
	while (u1 <= 0.0);
	u2 = ref_u01(g);
	double rad = sqrt(-2.0 * log(u1));
	g->spare = rad * sin(2.0 * M_PI * u2);
	g->has = 1;
	return rad * cos(2.0 * M_PI * u2);
}

typedef struct ref_cfg {
	int K, T, bernoulli;
	const double *mu;
	double sigma, delta, alpha, c, d;
	double ts_sd;        /* TS posterior N(mean, ts_sd^2 / (n + 1)) */
	int clamp_feedback;  /* eps-greedy: clamp f, or cut only the drift */
} ref_cfg;

enum { R_UCB, R_EG, R_TS, R_GREEDY };

/* One replication of mechanism 'mech'; out = regret, compensation,
 * compensated rounds. */
static void ref_run(const ref_cfg *cf, int mech, ref_rng *g, double out[3])
{
	int K = cf->K;
	double sum[16] = {0}, cnt[16] = {0}, best = cf->mu[0];
	for (int i = 1; i < K; i++)
		if (cf->mu[i] > best)
			best = cf->mu[i];
	double regret = 0, comp = 0, ncomp = 0;
	for (int t = 1; t <= cf->T; t++) {
		double mean[16];
		for (int k = 0; k < K; k++)
			mean[k] = cnt[k] > 0 ? sum[k] / cnt[k] : 0.0;
		int grd = 0;
		for (int k = 1; k < K; k++)
			if (mean[k] > mean[grd])
				grd = k;
		int arm;
		if (t <= K) {
			arm = t - 1;
		} else if (mech == R_UCB) {
			arm = 0;
			double bi = -INFINITY;
			for (int k = 0; k < K; k++) {
				double v = mean[k] + sqrt(cf->alpha * log((double)t) / cnt[k]);
				if (v > bi) {
					bi = v;
					arm = k;
				}
			}
		} else if (mech == R_EG) {
			double eps = fmin(1.0, cf->c * K / (cf->d * cf->d * t));
			if (ref_u01(g) < eps)
				arm = (int)(ref_u01(g) * K);
			else
				arm = grd;
		} else if (mech == R_TS) {
			arm = 0;
			double bi = -INFINITY;
			for (int k = 0; k < K; k++) {
				double v = mean[k] + cf->ts_sd * ref_normal(g) / sqrt(cnt[k] + 1.0);
				if (v > bi) {
					bi = v;
					arm = k;
				}
			}
		} else {
			arm = grd;
		}
		double r = cf->bernoulli ? (ref_u01(g) < cf->mu[arm] ? 1.0 : 0.0)
		                         : cf->mu[arm] + cf->sigma * ref_normal(g);
		double f = r;
		if (t > K && arm != grd) {
			double cc = mean[grd] - mean[arm];
			comp += cc;
			ncomp += 1;
			f = r + cf->delta * cc;
		}
		/* The paper projects r + drift onto [0,1] for r in [0,1]; cutting
		 * only the drift keeps that and never moves r itself. */
		if (mech == R_EG && cf->clamp_feedback)
			f = fmin(1.0, fmax(0.0, f));
		else if (mech == R_EG && f > 1.0)
			f = fmax(r, 1.0);
		sum[arm] += f;
		cnt[arm] += 1;
		regret += best - cf->mu[arm];
	}
	out[0] = regret;
	out[1] = comp;
	out[2] = ncomp;
}

typedef struct welford {
	double n, mean, m2;
} welford;

static void wf_add(welford *w, double x)
{
	w->n += 1;
	double d = x - w->mean;
	w->mean += d / w->n;
	w->m2 += d * (x - w->mean);
}

static double wf_se(const welford *w)
{
	return sqrt(w->m2 / (w->n - 1) / w->n);
}

static void compare_with_reference(const double *mu, int K, int bernoulli,
                                   double sigma, double delta, int reps)
{
	const int T = 2000;
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	double mcopy[16];
	memcpy(mcopy, mu, (size_t)K * sizeof *mu);
	set_means(p, mcopy, K);
	su_set(S, p, "noise", bernoulli);
	su_set(S, p, "sigma", sigma);
	su_set(S, p, "drift", delta);
	su_set(S, p, "horizon", T);
	/* the defaults: TS posterior scaled by the noise (1/2 for Bernoulli),
	 * eps-greedy projecting only the drift */
	ref_cfg cf = {K, T, bernoulli, mu, sigma, delta, p[su_param(S, "ucb.alpha")].x,
	              p[su_param(S, "egreedy.c")].x, p[su_param(S, "egreedy.d")].x,
	              bernoulli ? 0.5 : sigma, 0};

	static const char *const names[] = {"ucb", "egreedy", "ts", "greedy"};
	static const char *const xs[] = {"regret", "compensation", "compensated"};
	welford a[4][3], b[4][3];
	memset(a, 0, sizeof a);
	memset(b, 0, sizeof b);
	uint64_t s0 = UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)(delta * 1000) ^ (uint64_t)bernoulli;
	ref_rng g = {s0, 0, 0};
	for (int rep = 0; rep < reps; rep++) {
		result r;
		ck_assert_int_eq(run(p, 2024, 0, (uint32_t)rep, names, 4, NULL, 0, &r), SMAB_OK);
		for (int k = 0; k < 4; k++) {
			double o[3];
			ref_run(&cf, k, &g, o);
			for (int x = 0; x < 3; x++) {
				wf_add(&a[k][x], sc(&r, k, xs[x]));
				wf_add(&b[k][x], o[x]);
			}
		}
	}
	for (int k = 0; k < 4; k++)
		for (int x = 0; x < 3; x++) {
			if (k == 3 && x > 0) {   /* greedy pays nothing, in both */
				ck_assert_double_eq(a[k][x].mean, 0.0);
				ck_assert_double_eq(b[k][x].mean, 0.0);
				continue;
			}
			double se = sqrt(wf_se(&a[k][x]) * wf_se(&a[k][x]) +
			                 wf_se(&b[k][x]) * wf_se(&b[k][x]));
			ck_assert_msg(fabs(a[k][x].mean - b[k][x].mean) <= 3.3 * se,
			              "%s %s: suite %.3f (se %.3f) vs reference %.3f (se %.3f)",
			              names[k], xs[x], a[k][x].mean, wf_se(&a[k][x]),
			              b[k][x].mean, wf_se(&b[k][x]));
		}
}

/* With sigma = 0 UCB and greedy are deterministic: the suite and the
 * reference must agree round for round, here over 3000 rounds of a K = 3
 * instance with and without drift (no index ties occur on these
 * instances, so floating-point order cannot flip a choice). */
START_TEST(test_reference_deterministic)
{
	const double mu[3] = {0.9, 0.6, 0.5};
	const double deltas[3] = {0.0, 0.7, 3.0};
	static const char *const names[] = {"ucb", "greedy"};
	for (int j = 0; j < 3; j++) {
		smab_value p[MAXP];
		su_defaults(S, p, MAXP);
		double mcopy[3] = {mu[0], mu[1], mu[2]};
		set_means(p, mcopy, 3);
		su_set(S, p, "sigma", 0.0);
		su_set(S, p, "drift", deltas[j]);
		su_set(S, p, "horizon", 3000);
		ref_cfg cf = {3, 3000, 0, mu, 0.0, deltas[j], p[su_param(S, "ucb.alpha")].x,
		              1.0, 1.0, 0.0, 0};
		result r;
		ck_assert_int_eq(run(p, 1, 0, 0, names, 2, NULL, 0, &r), SMAB_OK);
		ref_rng g = {1, 0, 0};
		double o[3];
		ref_run(&cf, R_UCB, &g, o);
		ck_assert_double_eq_tol(sc(&r, 0, "regret"), o[0], 1e-9);
		ck_assert_double_eq_tol(sc(&r, 0, "compensation"), o[1], 1e-9);
		ck_assert_double_eq(sc(&r, 0, "compensated"), o[2]);
		ref_run(&cf, R_GREEDY, &g, o);
		ck_assert_double_eq_tol(sc(&r, 1, "regret"), o[0], 1e-9);
	}
}
END_TEST

START_TEST(test_reference_gaussian)
{
	const double mu[3] = {0.5, 0.3, 0.1};
	compare_with_reference(mu, 3, 0, 0.5, 0.5, 600);
}
END_TEST

START_TEST(test_reference_bernoulli)
{
	const double mu[3] = {0.7, 0.5, 0.3};
	compare_with_reference(mu, 3, 1, 0.0, 1.0, 600);
}
END_TEST

/* ---- 6. consistency of the metrics, and bad input ----------------------------------- */

START_TEST(test_consistency)
{
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	const int T = 5000;
	su_set(S, p, "horizon", T);
	su_set(S, p, "drift", 0.9);
	static const char *const m[] = {"ucb", "egreedy", "ts", "greedy"};
	int64_t check[MAXC];
	for (int c = 0; c < MAXC; c++)
		check[c] = ((int64_t)(c + 1) * T + MAXC - 1) / MAXC;
	int K = (int)p[su_param(S, "arms")].x;
	for (uint32_t rep = 0; rep < 5; rep++) {
		result r;
		ck_assert_int_eq(run(p, 77, 0, rep, m, 4, check, MAXC, &r), SMAB_OK);
		for (int k = 0; k < 4; k++) {
			double n = sc(&r, k, "compensated");
			ck_assert(n >= 0 && n <= T - K && n == floor(n));
			ck_assert(sc(&r, k, "compensation") >= 0.0);
			ck_assert(sc(&r, k, "regret") > 0.0);
			ck_assert(sc(&r, k, "est_error") >= 0.0);
			for (int c = 0; c < MAXC; c++) {
				if (c > 0) {
					ck_assert(cv(&r, k, "regret", c) >= cv(&r, k, "regret", c - 1));
					ck_assert(cv(&r, k, "compensation", c) >= cv(&r, k, "compensation", c - 1));
				}
				/* at most gap_max per round */
				ck_assert(cv(&r, k, "regret", c) <= (double)check[c] + 1e-9);
			}
			ck_assert_double_eq(cv(&r, k, "regret", MAXC - 1), sc(&r, k, "regret"));
			ck_assert_double_eq(cv(&r, k, "compensation", MAXC - 1), sc(&r, k, "compensation"));
		}
		ck_assert_double_eq(sc(&r, 3, "compensated"), 0.0);
		ck_assert_double_eq(sc(&r, 3, "compensation"), 0.0);
		for (int c = 0; c < MAXC; c++)
			ck_assert_double_eq(cv(&r, 3, "compensation", c), 0.0);
	}
}
END_TEST

START_TEST(test_edge_cases)
{
	smab_value p[MAXP];
	result r;
	static const char *const m[] = {"ucb", "egreedy", "ts", "greedy"};
	char msg[200];
	int bad = -1;

	/* 'means' and 'arms' must agree, in check() and in run() */
	su_defaults(S, p, MAXP);
	double mu3[3] = {0.2, 0.4, 0.3};
	p[su_param(S, "means")].n = 3;
	p[su_param(S, "means")].v = mu3;
	ck_assert_int_ne(S->check(p, msg, sizeof msg, &bad), 0);
	ck_assert_int_eq(bad, su_param(S, "means"));
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, NULL, 0, &r), SMAB_EINVAL);

	/* checkpoints must not descend and stay within 1..T */
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 100);
	int64_t badc[2] = {50, 40};
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, badc, 2, &r), SMAB_EINVAL);
	int64_t over[1] = {101};
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, over, 1, &r), SMAB_EINVAL);

	/* A horizon shorter than the number of checkpoints repeats rounds (the
	 * plan does this): repeated checkpoints hold equal values. */
	su_set(S, p, "horizon", 12);
	int64_t rep[4] = {11, 11, 12, 12};
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, rep, 4, &r), SMAB_OK);
	for (int k = 0; k < 4; k++) {
		ck_assert_double_eq(cv(&r, k, "regret", 0), cv(&r, k, "regret", 1));
		ck_assert_double_eq(cv(&r, k, "regret", 2), cv(&r, k, "regret", 3));
		ck_assert_double_eq(cv(&r, k, "regret", 3), sc(&r, k, "regret"));
		ck_assert_double_eq(cv(&r, k, "compensation", 3), sc(&r, k, "compensation"));
	}

	/* T < K: only initialization rounds; best arm in the middle */
	set_means(p, mu3, 3);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "horizon", 2);
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, NULL, 0, &r), SMAB_OK);
	for (int k = 0; k < 4; k++) {
		ck_assert_double_eq_tol(sc(&r, k, "regret"), 0.2, TOL);
		ck_assert_double_eq_tol(sc(&r, k, "est_error"), 0.0, TOL);
	}
	su_set(S, p, "horizon", 1);   /* the best arm was never pulled */
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, NULL, 0, &r), SMAB_OK);
	ck_assert(isnan(sc(&r, 0, "est_error")));

	/* mu_best = 0: relative error undefined */
	double zero[2] = {0.0, 0.0};
	set_means(p, zero, 2);
	su_set(S, p, "horizon", 50);
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, NULL, 0, &r), SMAB_OK);
	for (int k = 0; k < 4; k++) {
		ck_assert(isnan(sc(&r, k, "est_error")));
		ck_assert_double_eq(sc(&r, k, "regret"), 0.0);
	}

	/* generated means floor at 0 */
	su_defaults(S, p, MAXP);
	su_set(S, p, "arms", 4);
	su_set(S, p, "mean_best", 0.5);
	su_set(S, p, "gap", 0.3);
	su_set(S, p, "sigma", 0.0);
	su_set(S, p, "horizon", 4);
	ck_assert_int_eq(run(p, 1, 0, 0, m, 4, NULL, 0, &r), SMAB_OK);
	/* gaps 0, 0.3, 0.5, 0.5 */
	ck_assert_double_eq_tol(sc(&r, 3, "regret"), 1.3, TOL);
}
END_TEST

/* A large arm count: every arm's first tape fill is small. */
START_TEST(test_many_arms)
{
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	const int K = 50000, T = 60000;
	su_set(S, p, "arms", K);
	su_set(S, p, "gap", 1e-6);
	su_set(S, p, "horizon", T);
	static const char *const m[] = {"ucb", "greedy"};
	result r;
	ck_assert_int_eq(run(p, 1, 0, 0, m, 2, NULL, 0, &r), SMAB_OK);
	ck_assert(sc(&r, 0, "compensated") <= T - K);
	ck_assert(sc(&r, 0, "regret") > 0.0);
	ck_assert_double_eq(sc(&r, 1, "compensated"), 0.0);
}
END_TEST

static Suite *drift_suite(void)
{
	Suite *s = suite_create("drift");
	TCase *tc = tcase_create("hand");
	tcase_add_test(tc, test_ucb_hand_trace);
	tcase_add_test(tc, test_greedy_and_lazy_egreedy);
	tcase_add_test(tc, test_ucb_drift_trace);
	tcase_add_test(tc, test_drift_fools_greedy);
	tcase_add_test(tc, test_egreedy_drift_clamp);
	tcase_add_test(tc, test_egreedy_schedule);
	suite_add_tcase(s, tc);

	tc = tcase_create("streams");
	tcase_set_timeout(tc, 30);      /* 4000 short runs: seconds under ASan on a loaded machine */
	tcase_add_test(tc, test_ts_reproducible);
	tcase_add_test(tc, test_crn_subsets);
	tcase_add_test(tc, test_crn_greedy_twin);
	tcase_add_test(tc, test_crn_across_points);
	tcase_add_test(tc, test_tape_independent);
	tcase_add_test(tc, test_ts_posterior_draw);
	tcase_add_test(tc, test_ts_posterior_scale);
	tcase_add_test(tc, test_egreedy_project);
	suite_add_tcase(s, tc);

	tc = tcase_create("reference");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reference_deterministic);
	tcase_add_test(tc, test_reference_gaussian);
	tcase_add_test(tc, test_reference_bernoulli);
	suite_add_tcase(s, tc);

	tc = tcase_create("metrics");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_consistency);
	tcase_add_test(tc, test_edge_cases);
	tcase_add_test(tc, test_many_arms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(drift_suite()); }
