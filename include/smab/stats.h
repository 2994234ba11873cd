/* stats.h - running moments and Student-t confidence intervals. */
#ifndef SMAB_STATS_H
#define SMAB_STATS_H

#include "smab/common.h"

/* Welford's running mean and sum of squared deviations. */
typedef struct smab_welford {
	int64_t n;
	double mean, m2;
} smab_welford;

void smab_welford_init(smab_welford *w);
void smab_welford_add(smab_welford *w, double x);
/* Sample standard deviation (n-1 denominator); NaN when n < 2. */
double smab_welford_sd(const smab_welford *w);

/* One row of every /summary dataset (the HDF5 compound has these fields). */
typedef struct smab_summary {
	int64_t n;
	double mean, sd, ci_lo, ci_hi;
} smab_summary;

/* Quantile of Student's t with 'dof' degrees of freedom at probability p. */
double smab_t_quantile(double p, double dof);

/* Summary of the values x[0], x[stride], ... x[(n-1)*stride], skipping NaN:
 * mean, sample sd and the two-sided 'level' (e.g. 0.95) Student-t interval
 * mean -/+ t_{(1+level)/2, n-1} sd / sqrt(n).  With fewer than two values the
 * sd and the interval are NaN; with none the mean is NaN too.  Values are
 * visited in index order, so the result is bit-reproducible. */
void smab_summarize(const double *x, int64_t n, int64_t stride, double level,
                    smab_summary *out);

/* "mean ± half" rounded as a researcher would write it: the half-width to
 * two significant digits and the mean to the same decimal place (742.0 ±
 * 2.8, 0.00130 ± 0.00038).  A zero, NaN or very wide half-width falls back to
 * "%.6g ± %.2g", a NaN half-width to the mean alone. */
void smab_ci_format(double mean, double half, char *buf, size_t len);

#endif
