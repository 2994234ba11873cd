/* linstrat.c - radii and elimination rules of LOOM and OptGTM (linstrat.h). */
#include <math.h>

#include "smab/linstrat.h"

double smab_ay_beta(double sigma, int D, double n, double L2, double lambda,
                    double delta, double S)
{
	return sigma * sqrt(D * log((1.0 + n * L2 / lambda) / delta)) + sqrt(lambda) * S;
}

double smab_optgtm_beta(int D, double lambda, double T)
{
	double dd = (double)D;
	return sqrt(lambda) * dd
	       + sqrt(2.0 * log(T) + dd * log((dd + T * dd * dd) / (dd * lambda)));
}

static double dot(const double *a, const double *b, int n)
{
	double s = 0.0;
	for (int i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

double smab_lin_index(const smab_ls *s, const double *x, double beta)
{
	return dot(s->theta, x, s->d) + beta * sqrt(fmax(smab_ls_norm2(s, x), 0.0));
}

double smab_optgtm_term(const smab_ls *own, const double *x, double beta)
{
	return smab_lin_index(own, x, -beta);
}

int smab_optgtm_drops(double lsum, double rsum, double n, double T)
{
	return lsum > rsum + 2.0 * sqrt(n * log(T));
}

double smab_loom_lcb_exact(const smab_ls *loo, const double *hist, int n,
                           const double *xsum, double beta, double *work,
                           double *w2)
{
	smab_ls_norms2(loo, hist, n, work, w2);
	double w = 0.0;
	for (int k = 0; k < n; k++)
		w += sqrt(fmax(w2[k], 0.0));
	return dot(loo->theta, xsum, loo->d) - beta * w;
}

double smab_loom_lcb_cached(const smab_ls *loo, const double *xsum, double wsum,
                            double beta)
{
	return dot(loo->theta, xsum, loo->d) - beta * wsum;
}

double smab_loom_ucb(double rsum, double n, double sigma, double delta)
{
	return rsum + sigma * sqrt(2.0 * n * log(1.0 / delta));
}
