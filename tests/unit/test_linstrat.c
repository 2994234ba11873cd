/* test_linstrat.c - LOOM's and OptGTM's elimination rules on constructed
 * histories (fixed seeds), and their radii against hand-computed values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check_util.h"
#include "smab/linalg.h"
#include "smab/linstrat.h"
#include "smab/rng.h"

static gsl_rng *test_rng(uint64_t id)
{
	gsl_rng *r = smab_rng_alloc();
	smab_rng_key k = {777, 0, 0};
	smab_rng_seek(r, &k, SMAB_RNG_TEST, id, 0);
	return r;
}

START_TEST(radii)
{
	/* sigma = 0.5, D = 3, n = 100, L2 = 3, lambda = 2, delta = 0.1, S = 1:
	 * 0.5 sqrt(3 log(151 / 0.1)) + sqrt 2. */
	double want = 0.5 * sqrt(3.0 * log(1510.0)) + sqrt(2.0);
	ck_assert(fabs(smab_ay_beta(0.5, 3, 100, 3, 2, 0.1, 1) - want) < 1e-14);
	/* D = 2, lambda = 1, T = 1000: 2 + sqrt(2 log 1000 + 2 log(4002 / 2)). */
	want = 2.0 + sqrt(2.0 * log(1000.0) + 2.0 * log(2001.0));
	ck_assert(fabs(smab_optgtm_beta(2, 1, 1000) - want) < 1e-14);
	ck_assert(fabs(smab_loom_ucb(10, 50, 0.2, 0.05) - (10 + 0.2 * sqrt(100 * log(20.0)))) < 1e-14);
	ck_assert_int_eq(smab_optgtm_drops(10.0, 1.0, 4.0, exp(1.0)), 1);   /* 10 > 1 + 4 */
	ck_assert_int_eq(smab_optgtm_drops(4.9, 1.0, 4.0, exp(1.0)), 0);
}
END_TEST

/* The LOOM setting: D = 4, theta* = (1,1,1,1)/2, sigma = 0.1; the other
 * agents' 3000 truthful observations (x uniform in [0,1]^4) build the
 * leave-one-out state; then agent a makes n = 300 reports, interleaved
 * with more of the others' data (10 per report), reporting f x with
 * f = 1 (truthful) or f = 2 (heavy over-report), rewards from x. */
typedef struct loom_case {
	double lcb_exact, lcb_cached, ucb;
} loom_case;

static loom_case loom_history(double f, uint64_t seed)
{
	const int D = 4, n = 300;
	const double sigma = 0.1, delta = 0.05, th[4] = {0.5, 0.5, 0.5, 0.5};
	gsl_rng *r = test_rng(seed);
	smab_ls loo;
	smab_ls_init(&loo, D, 1.0, 128);
	double x[4], hist[300 * 4], xsum[4] = {0}, wsum = 0.0, rsum = 0.0;
	for (int s = 0; s < 3000 + 10 * n; s++) {
		for (int i = 0; i < D; i++)
			x[i] = gsl_rng_uniform(r);
		double y = th[0] * x[0] + th[1] * x[1] + th[2] * x[2] + th[3] * x[3]
		           + sigma * gsl_ran_gaussian(r, 1.0);
		smab_ls_update(&loo, x, y, 1.0);
		if (s >= 3000 && s % 10 == 0) {
			/* a's report of the same kind of true x */
			int k = (s - 3000) / 10;
			double xt[4], mu = 0.0;
			for (int i = 0; i < D; i++) {
				xt[i] = gsl_rng_uniform(r);
				mu += th[i] * xt[i];
				hist[k * D + i] = f * xt[i];
				xsum[i] += f * xt[i];
			}
			rsum += mu + sigma * gsl_ran_gaussian(r, 1.0);
			wsum += sqrt(smab_ls_norm2(&loo, hist + k * D));
		}
	}
	double beta = smab_ay_beta(sigma, D, (double)loo.n, 4.0, 1.0, delta, 1.0);
	double work[300 * 4], w2[300];
	loom_case c;
	c.lcb_exact = smab_loom_lcb_exact(&loo, hist, n, xsum, beta, work, w2);
	c.lcb_cached = smab_loom_lcb_cached(&loo, xsum, wsum, beta);
	c.ucb = smab_loom_ucb(rsum, n, sigma, delta);
	smab_ls_free(&loo);
	gsl_rng_free(r);
	return c;
}

START_TEST(loom_rule)
{
	for (uint64_t seed = 1; seed <= 5; seed++) {
		loom_case t = loom_history(1.0, seed), o = loom_history(2.0, seed);
		/* Truthful: LCB below the optimistic reward sum (not eliminated). */
		ck_assert_msg(t.lcb_exact <= t.ucb, "seed %lu: truthful %g > %g",
		              (unsigned long)seed, t.lcb_exact, t.ucb);
		ck_assert(t.lcb_cached <= t.ucb);
		/* Over-reporter: eliminated by either sum. */
		ck_assert_msg(o.lcb_exact > o.ucb, "seed %lu: over-reporter %g <= %g",
		              (unsigned long)seed, o.lcb_exact, o.ucb);
		ck_assert(o.lcb_cached > o.ucb);
		/* Widths only shrink as the state grows: cached <= exact. */
		ck_assert(t.lcb_cached <= t.lcb_exact && o.lcb_cached <= o.lcb_exact);
	}
}
END_TEST

/* OptGTM on one agent, D = 1, theta* = 1, lambda = 1, T = 40000: x ~ U[0.5,
 * 1], reward x + 0.1 z; the agent reports f1 x for the first 20000 rounds
 * and f2 x afterwards.  Returns the round at which OptGTM drops it (0 if
 * never). */
static int optgtm_history(double f1, double f2, uint64_t seed)
{
	const int T = 40000;
	gsl_rng *r = test_rng(100 + seed);
	smab_ls own;
	smab_ls_init(&own, 1, 1.0, 256);
	double beta = smab_optgtm_beta(1, 1.0, T), lsum = 0.0, rsum = 0.0;
	int dropped = 0;
	for (int t = 1; t <= T && !dropped; t++) {
		double x = 0.5 + 0.5 * gsl_rng_uniform(r);
		double y = x + 0.1 * gsl_ran_gaussian(r, 1.0);
		double xr = (t <= T / 2 ? f1 : f2) * x;
		smab_ls_update(&own, &xr, y, 1.0);
		lsum += smab_optgtm_term(&own, &xr, beta);
		rsum += y;
		if (smab_optgtm_drops(lsum, rsum, t, T))
			dropped = t;
	}
	smab_ls_free(&own);
	gsl_rng_free(r);
	return dropped;
}

START_TEST(optgtm_rule)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		/* Truthful throughout: never dropped. */
		ck_assert_int_eq(optgtm_history(1.0, 1.0, seed), 0);
		/* A constant over-report is absorbed by the agent's own regression:
		 * never dropped either (the rule's known blind spot). */
		ck_assert_int_eq(optgtm_history(3.0, 3.0, seed), 0);
		/* A heavy over-report after 20000 truthful rounds: dropped, and
		 * only after the onset. */
		int d = optgtm_history(1.0, 4.0, seed);
		ck_assert_msg(d > 20000, "seed %lu: dropped at %d", (unsigned long)seed, d);
	}
}
END_TEST

static Suite *linstrat_suite(void)
{
	Suite *s = suite_create("linstrat");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, radii);
	tcase_add_test(tc, loom_rule);
	tcase_add_test(tc, optgtm_rule);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return smab_check_main(linstrat_suite());
}
