/* betaq.c - Beta quantiles for value tapes: direct, and tabulated (see
 * betaq.h). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "smab/betaq.h"
#include "smab/common.h"

/* The middle grid: MID_N pieces, uniform in u over [U_LO, 1 - U_LO]. */
#define MID_N 2048
#define U_LO (1.0 / 64.0)
/* The tail grids: TAIL_N pieces, uniform in ln u over [TAIL_LO, ln U_LO];
 * e^-28 is below 2^-40, and the tapes' uniforms are multiples of 2^-32. */
#define TAIL_N 512
#define TAIL_LO (-28.0)
/* Polynomial coefficients per piece. */
#define NC 6

enum { G_MID, G_LO, G_HI };

struct smab_betaq {
	double a, b;
	double mid_scale, tail_scale;   /* pieces per unit of u / of ln u */
	double *c[3];                   /* [G_MID] MID_N, [G_LO], [G_HI] TAIL_N pieces */
};

double smab_betaq_direct(double u, double a, double b)
{
	/* GSL's Newton inverse fails to converge for some ordinary shapes (a
	 * mean near 0 or 1, a large concentration); with GSL's error handler
	 * off it then returns NaN, and bisection on the CDF, which always
	 * converges, takes over.  Where GSL succeeds its value is kept. */
	double x = gsl_cdf_beta_Pinv(u, a, b);
	if (isfinite(x) && x >= 0.0 && x <= 1.0)
		return x;
	double lo = 0.0, hi = 1.0;
	for (int k = 0; k < 60; k++) {
		double mid = 0.5 * (lo + hi);
		if (gsl_cdf_beta_P(mid, a, b) < u)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* The quantile of Beta(a, b) at u <= 1/2, polished by Newton steps on the
 * CDF, which is accurate relative to x for small x (so ln x is too). */
static double lower_exact(double u, double a, double b)
{
	double x = smab_betaq_direct(u, a, b);
	for (int k = 0; k < 8 && x > 0.0 && x < 1.0; k++) {
		double f = gsl_ran_beta_pdf(x, a, b);
		if (!(f > 0.0 && isfinite(f)))
			break;
		double dx = (gsl_cdf_beta_P(x, a, b) - u) / f, nx = x - dx;
		if (!(nx > 0.0 && nx < 1.0))
			break;
		x = nx;
		if (fabs(dx) <= 1e-16 * x)
			break;
	}
	return x;
}

/* The quantile at u in (0,1), each half from its own lower tail, so the
 * distance to the nearer end keeps its relative precision. */
static double exact(double u, double a, double b)
{
	return u <= 0.5 ? lower_exact(u, a, b) : 1.0 - lower_exact(1.0 - u, b, a);
}

/* Grid coordinate z (in pieces) of grid g -> u. */
static double grid_u(const smab_betaq *t, int g, double z)
{
	if (g == G_MID)
		return U_LO + z / t->mid_scale;
	double v = exp(TAIL_LO + z / t->tail_scale);
	return g == G_LO ? v : 1.0 - v;
}

/* Node of grid g at coordinate z: the tabulated function y and its first
 * two derivatives in z.  G_MID tabulates x(u); G_LO ln x over ln u; G_HI
 * ln(1 - x) over ln(1 - u), which is G_LO of Beta(b, a).  0 if the node is
 * not finite (a shape the grid cannot hold). */
static int node(const smab_betaq *t, int g, double z, double *y, double *d1, double *d2)
{
	if (g == G_MID) {
		double u = grid_u(t, g, z), x = exact(u, t->a, t->b), h = 1.0 / t->mid_scale;
		double x1 = 1.0 / gsl_ran_beta_pdf(x, t->a, t->b);
		double x2 = -x1 * x1 * ((t->a - 1.0) / x - (t->b - 1.0) / (1.0 - x));
		*y = x;
		*d1 = h * x1;
		*d2 = h * h * x2;
	} else {
		double a = g == G_LO ? t->a : t->b, b = g == G_LO ? t->b : t->a;
		double v = exp(TAIL_LO + z / t->tail_scale), h = 1.0 / t->tail_scale;
		double x = lower_exact(v, a, b);
		/* g = ln x, g' = v / (x f(x)), g'' = g' - g'^2 (a - (b-1) x/(1-x)) */
		double g1 = v / (x * gsl_ran_beta_pdf(x, a, b));
		*y = log(x);
		*d1 = h * g1;
		*d2 = h * h * (g1 - g1 * g1 * (a - (b - 1.0) * x / (1.0 - x)));
	}
	return isfinite(*y) && isfinite(*d1) && isfinite(*d2);
}

static inline double horner(const double *c, double s)
{
	return c[0] + s * (c[1] + s * (c[2] + s * (c[3] + s * (c[4] + s * c[5]))));
}

/* The value of grid g at coordinate z (z within the grid). */
static inline double piece(const smab_betaq *t, int g, int n, double z)
{
	int i = (int)z;
	if (i >= n)
		i = n - 1;
	double y = horner(t->c[g] + (size_t)i * NC, z - i);
	if (g == G_MID)
		return y;
	y = exp(y);
	return g == G_LO ? y : 1.0 - y;
}

/* Fill grid g's n pieces (quintic Hermite in power form) and check each
 * at its midpoint; 0 on failure. */
static int build(smab_betaq *t, int g, int n)
{
	double *c = t->c[g] = smab_xmalloc((size_t)n * NC * sizeof *c);
	double y0, d0, s0, y1, d1, s1;
	if (!node(t, g, 0.0, &y0, &d0, &s0))
		return 0;
	for (int i = 0; i < n; i++, c += NC) {
		if (!node(t, g, i + 1.0, &y1, &d1, &s1))
			return 0;
		double dy = y1 - y0;
		c[0] = y0;
		c[1] = d0;
		c[2] = 0.5 * s0;
		c[3] = 10.0 * dy - 6.0 * d0 - 4.0 * d1 - 1.5 * s0 + 0.5 * s1;
		c[4] = -15.0 * dy + 8.0 * d0 + 7.0 * d1 + 1.5 * s0 - s1;
		c[5] = 6.0 * dy - 3.0 * d0 - 3.0 * d1 - 0.5 * s0 + 0.5 * s1;
		y0 = y1;
		d0 = d1;
		s0 = s1;
		/* x, or in a tail the distance to its end, against the direct
		 * value at the same point of the grid */
		double want, got = horner(c, 0.5);
		if (g == G_MID) {
			want = exact(grid_u(t, g, i + 0.5), t->a, t->b);
		} else {
			double v = exp(TAIL_LO + (i + 0.5) / t->tail_scale);
			want = g == G_LO ? lower_exact(v, t->a, t->b) : lower_exact(v, t->b, t->a);
			got = exp(got);
		}
		if (!(fabs(got - want) <= 1e-13 + 1e-12 * fmin(want, 1.0 - want)))
			return 0;
	}
	return 1;
}

static void betaq_free(smab_betaq *t)
{
	if (t)
		for (int g = 0; g < 3; g++)
			free(t->c[g]);
	free(t);
}

static smab_betaq *betaq_new(double a, double b)
{
	smab_betaq *t = smab_xcalloc(1, sizeof *t);
	t->a = a;
	t->b = b;
	t->mid_scale = MID_N / (1.0 - 2.0 * U_LO);
	t->tail_scale = TAIL_N / (log(U_LO) - TAIL_LO);
	if (!(a > 0.0 && b > 0.0) || !build(t, G_MID, MID_N) || !build(t, G_LO, TAIL_N) ||
	    !build(t, G_HI, TAIL_N)) {
		betaq_free(t);
		return NULL;
	}
	return t;
}

/* The process's tables, failures (NULL) included so they are not retried. */
static struct {
	double (*key)[2];
	smab_betaq **t;
	int n, cap;
} cache;

const smab_betaq *smab_betaq_get(double a, double b)
{
	for (int i = 0; i < cache.n; i++)
		if (cache.key[i][0] == a && cache.key[i][1] == b)
			return cache.t[i];
	if (cache.n == cache.cap) {
		cache.cap = cache.cap ? 2 * cache.cap : 8;
		cache.key = smab_xrealloc(cache.key, (size_t)cache.cap * sizeof *cache.key);
		cache.t = smab_xrealloc(cache.t, (size_t)cache.cap * sizeof *cache.t);
	}
	cache.key[cache.n][0] = a;
	cache.key[cache.n][1] = b;
	cache.t[cache.n] = betaq_new(a, b);
	return cache.t[cache.n++];
}

double smab_betaq_eval(const smab_betaq *t, double u)
{
	if (u >= U_LO && u <= 1.0 - U_LO) {
		double x = piece(t, G_MID, MID_N, (u - U_LO) * t->mid_scale);
		return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
	}
	if (!(u > 0.0))
		return 0.0;
	if (!(u < 1.0))
		return 1.0;
	int g = u < 0.5 ? G_LO : G_HI;
	double l = log(g == G_LO ? u : 1.0 - u);
	if (l < TAIL_LO)
		return smab_betaq_direct(u, t->a, t->b);
	return piece(t, g, TAIL_N, (l - TAIL_LO) * t->tail_scale);
}

void smab_betaq_clear(void)
{
	for (int i = 0; i < cache.n; i++)
		betaq_free(cache.t[i]);
	free(cache.key);
	free(cache.t);
	cache.key = NULL;
	cache.t = NULL;
	cache.n = cache.cap = 0;
}
