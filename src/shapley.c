/* shapley.c - coalitions, Shapley values, the core, convexity (shapley.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "smab/rng.h"
#include "smab/shapley.h"
#include "smab/stats.h"

int smab_coal_size(uint32_t mask)
{
	return __builtin_popcount(mask);
}

static int by_size_then_value(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int sa = smab_coal_size(a), sb = smab_coal_size(b);
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return a < b ? -1 : a > b;
}

int smab_coal_sort(uint32_t *masks, int n)
{
	if (n <= 0)
		return 0;
	qsort(masks, (size_t)n, sizeof *masks, by_size_then_value);
	int k = 1;
	for (int i = 1; i < n; i++)
		if (masks[i] != masks[k - 1])
			masks[k++] = masks[i];
	return k;
}

int smab_coal_sizes(int M, const int *sizes, int nsizes, uint32_t *masks)
{
	int n = 0;
	for (uint32_t s = 1; s < (1u << M); s++)
		for (int i = 0; i < nsizes; i++)
			if (smab_coal_size(s) == sizes[i]) {
				masks[n++] = s;
				break;
			}
	return smab_coal_sort(masks, n);
}

int smab_coal_all(int M, uint32_t *masks)
{
	int n = 0;
	for (uint32_t s = 1; s < (1u << M); s++)
		masks[n++] = s;
	return smab_coal_sort(masks, n);
}

void smab_coal_perms(uint64_t seed, int M, int n, int *perm)
{
	smab_rng_key key = {seed, SMAB_RNG_ALL_POINTS, UINT32_MAX};
	gsl_rng *r = smab_rng_alloc();
	smab_rng_seek(r, &key, SMAB_RNG_PLAN, 0, 0);
	for (int k = 0; k < n; k++) {
		int *p = perm + (size_t)k * (size_t)M;
		for (int i = 0; i < M; i++)
			p[i] = i;
		for (int i = M - 1; i > 0; i--) {     /* Fisher-Yates */
			int j = (int)gsl_rng_uniform_int(r, (unsigned long)i + 1);
			int t = p[i];
			p[i] = p[j];
			p[j] = t;
		}
	}
	smab_rng_free(&r);
}

int smab_coal_perm_masks(int M, int n, const int *perm, uint32_t *masks)
{
	int c = 0;
	for (int k = 0; k < n; k++) {
		uint32_t s = 0;
		for (int i = 0; i < M; i++) {
			s |= 1u << perm[(size_t)k * (size_t)M + (size_t)i];
			masks[c++] = s;
		}
	}
	return smab_coal_sort(masks, c);
}

/* The checks below share one entry test: a game of 1..SMAB_MAX_AGENTS
 * players given as a table. */
static int bad_m(int M)
{
	return M < 1 || M > SMAB_MAX_AGENTS;
}

int smab_shapley_exact(int M, const double *v, double *phi)
{
	if (bad_m(M) || !v || !phi)
		return SMAB_EINVAL;
	uint32_t N = 1u << M;
	if (v[0] != 0.0)
		return SMAB_EINVAL;
	for (uint32_t s = 1; s < N; s++)
		if (isnan(v[s]))
			return SMAB_EINVAL;

	/* w[k] = k! (M-k-1)! / M!.  Factorials up to 16! < 2^53 are exact in
	 * a double, so each weight is one correctly rounded division. */
	double fact[SMAB_MAX_AGENTS + 1];
	fact[0] = 1.0;
	for (int k = 1; k <= M; k++)
		fact[k] = fact[k - 1] * (double)k;
	double w[SMAB_MAX_AGENTS];
	for (int k = 0; k < M; k++)
		w[k] = fact[k] * fact[M - k - 1] / fact[M];

	/* Marginal contributions are summed per size first, in increasing mask
	 * order, then weighted once per size: a fixed order (bit-reproducible)
	 * and M multiplications instead of 2^(M-1). */
	for (int a = 0; a < M; a++) {
		uint32_t bit = 1u << a;
		double d[SMAB_MAX_AGENTS] = {0};
		for (uint32_t s = 0; s < N; s++)
			if (!(s & bit))
				d[smab_coal_size(s)] += v[s | bit] - v[s];
		double sum = 0.0;
		for (int k = 0; k < M; k++)
			sum += w[k] * d[k];
		phi[a] = sum;
	}
	return SMAB_OK;
}

int smab_shapley_perm(int M, const double *v, int n, const int *perm,
                      double *phi, double *sd)
{
	if (bad_m(M) || n < 1 || !v || !perm || !phi)
		return SMAB_EINVAL;
	smab_welford w[SMAB_MAX_AGENTS];
	for (int a = 0; a < M; a++)
		smab_welford_init(&w[a]);
	for (int k = 0; k < n; k++) {
		const int *p = perm + (size_t)k * (size_t)M;
		uint32_t s = 0;
		for (int i = 0; i < M; i++) {
			/* A bad order (an agent out of range or twice) would
			 * silently bias the estimate: refuse it. */
			if (p[i] < 0 || p[i] >= M || (s & (1u << p[i])))
				return SMAB_EINVAL;
			uint32_t t = s | 1u << p[i];
			double before = s ? v[s] : 0.0;
			if (isnan(v[t]) || isnan(before))
				return SMAB_EINVAL;
			smab_welford_add(&w[p[i]], v[t] - before);
			s = t;
		}
	}
	for (int a = 0; a < M; a++) {
		phi[a] = w[a].mean;
		if (sd)
			sd[a] = smab_welford_sd(&w[a]);
	}
	return SMAB_OK;
}

static int has_nan(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]))
			return 1;
	return 0;
}

int smab_core_check(int M, const double *v, const double *p, double tol,
                    uint32_t *worst, double *excess)
{
	if (bad_m(M) || !v || !p || isnan(tol))
		return -SMAB_EINVAL;
	uint32_t N = 1u << M;
	if (has_nan(v + 1, N - 1) || has_nan(p, (size_t)M))
		return -SMAB_EINVAL;
	/* The largest excess v[S] - p(S) over every non-empty S, the first in
	 * mask order on ties; the grand coalition is among them, so a payout
	 * that gives out less than v[N] shows there. */
	uint32_t wmask = 0;
	double wex = -INFINITY, grand = 0.0;
	for (uint32_t s = 1; s < N; s++) {
		double ps = 0.0;
		for (int a = 0; a < M; a++)
			if (s & (1u << a))
				ps += p[a];
		double e = v[s] - ps;
		if (e > wex) {
			wex = e;
			wmask = s;
		}
		if (s == N - 1)
			grand = e;
	}
	if (worst)
		*worst = wmask;
	if (excess)
		*excess = wex;
	/* Feasibility: the payout may not give out more than v[N] either. */
	return wex <= tol && grand >= -tol;
}

int64_t smab_convex_check(int M, const double *v, double tol, int64_t *checked,
                          double *worst)
{
	if (bad_m(M) || !v || isnan(tol))
		return -SMAB_EINVAL;
	uint32_t N = 1u << M;
	if (has_nan(v + 1, N - 1))
		return -SMAB_EINVAL;
	int64_t bad = 0, n = 0;
	double wv = 0.0;
	for (uint32_t s = 0; s < N; s++) {
		double vs = s ? v[s] : 0.0;
		for (int a = 0; a < M; a++) {
			uint32_t ba = 1u << a;
			if (s & ba)
				continue;
			for (int b = a + 1; b < M; b++) {
				uint32_t bb = 1u << b;
				if (s & bb)
					continue;
				/* a's marginal contribution must not shrink
				 * when b joins. */
				double gap = (v[s | ba] - vs)
				             - (v[s | ba | bb] - v[s | bb]);
				n++;
				if (gap > tol)
					bad++;
				if (gap > wv)
					wv = gap;
			}
		}
	}
	if (checked)
		*checked = n;
	if (worst)
		*worst = wv;
	return bad;
}

/* One Assumption-3 comparison of agent a in Q against S (skipped when S
 * did not run): counts it in *n and records a violation. */
static void a3_pair(int M, const double *R, uint32_t Q, uint32_t S, int a, double tol,
                    smab_a3_pair *out, int64_t maxout, int64_t *n, int64_t *bad)
{
	double rq = R[(size_t)Q * (size_t)M + (size_t)a];
	double rs = R[(size_t)S * (size_t)M + (size_t)a];
	if (isnan(rs))
		return;
	++*n;
	if (!(rq > rs + tol))
		return;
	if (out && *bad < maxout)
		out[*bad] = (smab_a3_pair){.q = Q, .s = S, .agent = a, .rq = rq, .rs = rs};
	++*bad;
}

int64_t smab_a3_scan(int M, const double *R, int rule, double tol, smab_a3_pair *out,
                     int64_t maxout, int64_t *checked)
{
	if (bad_m(M) || !R || isnan(tol) || maxout < 0 ||
	    (rule != SMAB_A3_ADJACENT && rule != SMAB_A3_SUBSETS))
		return -SMAB_EINVAL;
	uint32_t *q = smab_xmalloc(((size_t)1 << M) * sizeof *q);
	int nq = smab_coal_all(M, q);
	int64_t bad = 0, n = 0;
	for (int i = 0; i < nq; i++) {
		uint32_t Q = q[i];
		for (int a = 0; a < M; a++) {
			uint32_t bit = 1u << a;
			if (!(Q & bit) || isnan(R[(size_t)Q * (size_t)M + (size_t)a]))
				continue;
			if (rule == SMAB_A3_ADJACENT) {
				/* S = Q minus b in increasing value of S, i.e. the
				 * removed agent b from the highest down. */
				for (int b = M - 1; b >= 0; b--)
					if (b != a && (Q & (1u << b)))
						a3_pair(M, R, Q, Q & ~(1u << b), a, tol, out, maxout,
						        &n, &bad);
				continue;
			}
			/* S = T + a for every submask T of Q minus a, increasing
			 * (next T = (T - Qa) & Qa), except Q itself (T = Qa, last). */
			uint32_t Qa = Q & ~bit;
			for (uint32_t T = 0; T != Qa; T = (T - Qa) & Qa)
				a3_pair(M, R, Q, T | bit, a, tol, out, maxout, &n, &bad);
		}
	}
	free(q);
	if (checked)
		*checked = n;
	return bad;
}
