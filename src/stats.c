/* stats.c - running moments and Student-t confidence intervals.
 *
 * Welford's update is used instead of sums of squares because replication
 * results often sit on a large offset (cumulative compensation, regret near
 * T), where sum(x^2) - n*mean^2 cancels catastrophically. */
#include <math.h>

#include <gsl/gsl_cdf.h>

#include "smab/stats.h"

void smab_welford_init(smab_welford *w)
{
	w->n = 0;
	w->mean = 0.0;
	w->m2 = 0.0;
}

void smab_welford_add(smab_welford *w, double x)
{
	w->n++;
	double delta = x - w->mean;
	w->mean += delta / (double)w->n;
	/* The second factor uses the updated mean: this is what keeps m2 exact
	 * to rounding (Welford 1962, Knuth TAOCP 4.2.2). */
	w->m2 += delta * (x - w->mean);
}

double smab_welford_sd(const smab_welford *w)
{
	if (w->n < 2)
		return NAN;
	double var = w->m2 / (double)(w->n - 1);
	/* Guard against a hair below zero from rounding; NaN (an infinite
	 * input) passes through. */
	return var < 0.0 ? 0.0 : sqrt(var);
}

double smab_t_quantile(double p, double dof)
{
	if (!(p > 0.0 && p < 1.0) || !(dof > 0.0))
		return NAN;
	return gsl_cdf_tdist_Pinv(p, dof);
}

void smab_summarize(const double *x, int64_t n, int64_t stride, double level,
                    smab_summary *out)
{
	/* Shift by the first value: on data like 1e9 + N(0,1) a running mean
	 * near 1e9 is rounded to 1.2e-7 at every update, which costs plain
	 * Welford about 1e-8 of the variance; the shifted values are exact
	 * (Sterbenz) and small, so the result matches two-pass to ~1e-15. */
	double shift = 0.0;
	for (int64_t i = 0; i < n; i++) {
		double v = x[i * stride];
		if (!isnan(v)) {
			shift = isfinite(v) ? v : 0.0;
			break;
		}
	}
	smab_welford w;
	smab_welford_init(&w);
	for (int64_t i = 0; i < n; i++) {
		double v = x[i * stride];
		if (!isnan(v))
			smab_welford_add(&w, v - shift);
	}

	out->n = w.n;
	out->mean = w.n > 0 ? shift + w.mean : NAN;
	out->sd = smab_welford_sd(&w);
	out->ci_lo = NAN;
	out->ci_hi = NAN;
	if (w.n < 2 || !(level > 0.0 && level < 1.0))
		return;
	double t = smab_t_quantile(0.5 * (1.0 + level), (double)(w.n - 1));
	double half = t * out->sd / sqrt((double)w.n);
	out->ci_lo = out->mean - half;
	out->ci_hi = out->mean + half;
}

void smab_ci_format(double mean, double half, char *buf, size_t len)
{
	if (!isfinite(half)) {
		snprintf(buf, len, "%.6g", mean);
		return;
	}
	if (half > 0 && isfinite(mean)) {
		/* Decimals that leave two significant digits in 'half'. */
		int dec = 1 - (int)floor(log10(half));
		if (dec < 0)
			dec = 0;
		if (dec <= 12 && fabs(mean) < 1e9 && half < 1e9) {
			snprintf(buf, len, "%.*f \u00b1 %.*f", dec, mean, dec, half);
			return;
		}
	}
	snprintf(buf, len, "%.6g \u00b1 %.2g", mean, half);
}
