/* test_stats.c - Welford moments, Student-t quantiles and intervals. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check_util.h"
#include "smab/stats.h"

/* Two-sided 95% quantiles t_{0.975, dof} from the usual printed tables. */
START_TEST(test_t_quantile_975)
{
	static const struct { double dof, t; } tab[] = {
		{1, 12.706}, {2, 4.303}, {5, 2.571},
		{10, 2.228}, {30, 2.042}, {100, 1.984},
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		ck_assert_double_eq_tol(smab_t_quantile(0.975, tab[i].dof),
		                        tab[i].t, 1e-3);
}
END_TEST

START_TEST(test_t_quantile_995)
{
	static const struct { double dof, t; } tab[] = {
		{1, 63.657}, {4, 4.604}, {10, 3.169}, {30, 2.750},
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		ck_assert_double_eq_tol(smab_t_quantile(0.995, tab[i].dof),
		                        tab[i].t, 1e-3);
	/* Symmetry and the median. */
	ck_assert_double_eq_tol(smab_t_quantile(0.025, 7.0),
	                        -smab_t_quantile(0.975, 7.0), 1e-12);
	ck_assert_double_eq_tol(smab_t_quantile(0.5, 3.0), 0.0, 1e-12);
}
END_TEST

START_TEST(test_t_quantile_bad_args)
{
	ck_assert(isnan(smab_t_quantile(0.0, 5.0)));
	ck_assert(isnan(smab_t_quantile(1.0, 5.0)));
	ck_assert(isnan(smab_t_quantile(0.975, 0.0)));
	ck_assert(isnan(smab_t_quantile(NAN, 5.0)));
}
END_TEST

/* On a large offset, naive sum-of-squares loses every digit.  The plain
 * accumulator keeps the mean exact to rounding; its variance is limited by
 * the rounding of a running mean near 1e9 (ulp 1.2e-7 per update, about
 * 1e-8 relative over 1e5 values).  smab_summarize shifts by its first value
 * and must match the two-pass formula to 1e-9. */
START_TEST(test_welford_vs_two_pass)
{
	enum { N = 100000 };
	double *x = smab_xmalloc(N * sizeof *x);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 4357);
	for (int i = 0; i < N; i++)
		x[i] = 1e9 + gsl_ran_gaussian(r, 1.0);
	gsl_rng_free(r);

	double sum = 0.0;
	for (int i = 0; i < N; i++)
		sum += x[i];
	double mean = sum / N;
	double ss = 0.0;
	for (int i = 0; i < N; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	double sd = sqrt(ss / (N - 1));
	ck_assert(sd > 0.9 && sd < 1.1);

	smab_welford w;
	smab_welford_init(&w);
	for (int i = 0; i < N; i++)
		smab_welford_add(&w, x[i]);
	ck_assert_int_eq(w.n, N);
	ck_assert_double_eq_tol(w.mean, mean, 1e-12 * fabs(mean));
	ck_assert_double_eq_tol(smab_welford_sd(&w), sd, 1e-7 * sd);

	smab_summary s;
	smab_summarize(x, N, 1, 0.95, &s);
	ck_assert_int_eq(s.n, N);
	ck_assert_double_eq_tol(s.mean, mean, 1e-12 * fabs(mean));
	ck_assert_double_eq_tol(s.sd, sd, 1e-9 * sd);
	double half = smab_t_quantile(0.975, N - 1) * sd / sqrt((double)N);
	/* The bounds sit near 1e9, so compare to a few ulps of 1e9. */
	double width = s.ci_hi - s.ci_lo;
	ck_assert_double_eq_tol(width, 2.0 * half, 4.0 * 0x1p-23);

	/* Same inputs, same bits. */
	smab_summary s2;
	smab_summarize(x, N, 1, 0.95, &s2);
	ck_assert(s.mean == s2.mean && s.sd == s2.sd);
	ck_assert(s.ci_lo == s2.ci_lo && s.ci_hi == s2.ci_hi);
	free(x);
}
END_TEST

START_TEST(test_welford_small)
{
	smab_welford w;
	smab_welford_init(&w);
	ck_assert_int_eq(w.n, 0);
	ck_assert(isnan(smab_welford_sd(&w)));
	smab_welford_add(&w, 4.0);
	ck_assert_double_eq(w.mean, 4.0);
	ck_assert(isnan(smab_welford_sd(&w)));
	smab_welford_add(&w, 4.0);
	ck_assert_double_eq(smab_welford_sd(&w), 0.0);
}
END_TEST

START_TEST(test_summary_known_answer)
{
	const double x[] = {1, 2, 3, 4, 5};
	smab_summary s;
	smab_summarize(x, 5, 1, 0.95, &s);
	double half = 2.776445 * sqrt(2.5) / sqrt(5.0);
	ck_assert_int_eq(s.n, 5);
	ck_assert_double_eq_tol(s.mean, 3.0, 1e-15);
	ck_assert_double_eq_tol(s.sd, sqrt(2.5), 1e-14);
	ck_assert_double_eq_tol(s.ci_lo, 3.0 - half, 1e-6);
	ck_assert_double_eq_tol(s.ci_hi, 3.0 + half, 1e-6);
}
END_TEST

/* Values {1..5} spread over every other slot, the gaps holding NaN and
 * junk that a wrong stride would pick up. */
START_TEST(test_summary_stride_and_nan)
{
	const double x[] = {1, 99, NAN, 99, 2, 99, 3, 99, NAN, 99, 4, 99, 5, 99};
	smab_summary s;
	smab_summarize(x, 7, 2, 0.95, &s);
	ck_assert_int_eq(s.n, 5);
	ck_assert_double_eq_tol(s.mean, 3.0, 1e-15);
	ck_assert_double_eq_tol(s.sd, sqrt(2.5), 1e-14);

	smab_summary t;
	const double y[] = {1, 2, 3, 4, 5};
	smab_summarize(y, 5, 1, 0.95, &t);
	ck_assert(s.mean == t.mean && s.sd == t.sd);
	ck_assert(s.ci_lo == t.ci_lo && s.ci_hi == t.ci_hi);
}
END_TEST

START_TEST(test_summary_edge_cases)
{
	smab_summary s;
	smab_summarize(NULL, 0, 1, 0.95, &s);
	ck_assert_int_eq(s.n, 0);
	ck_assert(isnan(s.mean) && isnan(s.sd));
	ck_assert(isnan(s.ci_lo) && isnan(s.ci_hi));

	const double allnan[] = {NAN, NAN, NAN};
	smab_summarize(allnan, 3, 1, 0.95, &s);
	ck_assert_int_eq(s.n, 0);
	ck_assert(isnan(s.mean) && isnan(s.sd));
	ck_assert(isnan(s.ci_lo) && isnan(s.ci_hi));

	const double one[] = {NAN, 7.5, NAN};
	smab_summarize(one, 3, 1, 0.95, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_double_eq(s.mean, 7.5);
	ck_assert(isnan(s.sd));
	ck_assert(isnan(s.ci_lo) && isnan(s.ci_hi));

	const double same[] = {2.0, 2.0, 2.0};
	smab_summarize(same, 3, 1, 0.95, &s);
	ck_assert_double_eq(s.sd, 0.0);
	ck_assert_double_eq(s.ci_lo, 2.0);
	ck_assert_double_eq(s.ci_hi, 2.0);
}
END_TEST

/* The 95% interval of N(0,1) samples of size 10 must cover 0 about 95% of
 * the time (binomial sd over 2000 trials is about 0.005). */
START_TEST(test_ci_coverage)
{
	enum { TRIALS = 2000, N = 10 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 20240601);
	int cover = 0;
	double x[N];
	for (int k = 0; k < TRIALS; k++) {
		for (int i = 0; i < N; i++)
			x[i] = gsl_ran_gaussian(r, 1.0);
		smab_summary s;
		smab_summarize(x, N, 1, 0.95, &s);
		if (s.ci_lo <= 0.0 && 0.0 <= s.ci_hi)
			cover++;
	}
	gsl_rng_free(r);
	double frac = (double)cover / TRIALS;
	ck_assert_msg(frac >= 0.93 && frac <= 0.97, "coverage %.4f", frac);
}
END_TEST

/* Rounding of "mean ± half" to the precision of the interval. */
START_TEST(test_ci_format)
{
	static const struct {
		double mean, half;
		const char *want;
	} c[] = {
		{742.005, 2.83, "742.0 \u00b1 2.8"},
		{0.00130468, 0.000384, "0.00130 \u00b1 0.00038"},
		{1899.84, 192.0, "1900 \u00b1 192"},
		{-4.52, 0.499, "-4.52 \u00b1 0.50"},
		{3.0, 1.0, "3.0 \u00b1 1.0"},
		{0.0, 0.0, "0 \u00b1 0"},
		{5.5, NAN, "5.5"},
		{2.5e12, 1e10, "2.5e+12 \u00b1 1e+10"},
	};
	char buf[96];
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		smab_ci_format(c[i].mean, c[i].half, buf, sizeof buf);
		ck_assert_str_eq(buf, c[i].want);
	}
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_t_quantile_975);
	tcase_add_test(tc, test_t_quantile_995);
	tcase_add_test(tc, test_t_quantile_bad_args);
	tcase_add_test(tc, test_welford_vs_two_pass);
	tcase_add_test(tc, test_welford_small);
	tcase_add_test(tc, test_summary_known_answer);
	tcase_add_test(tc, test_summary_stride_and_nan);
	tcase_add_test(tc, test_summary_edge_cases);
	tcase_add_test(tc, test_ci_coverage);
	tcase_add_test(tc, test_ci_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(stats_suite()); }
