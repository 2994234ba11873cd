/* test_linalg.c - the least-squares layer against references that share
 * none of its code: GSL's own Cholesky (gsl_linalg) for the batch closed
 * form, inverses and norms, and sample moments with bands computed from
 * the target distribution. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "check_util.h"
#include "smab/linalg.h"
#include "smab/rng.h"

/* The relative error of smab_widths_tri32 stated in linalg.h. */
#define SINGLE_WIDTH_BOUND 1e-6

static gsl_rng *test_rng(uint64_t id)
{
	gsl_rng *r = smab_rng_alloc();
	smab_rng_key k = {12345, 0, 0};
	smab_rng_seek(r, &k, SMAB_RNG_TEST, id, 0);
	return r;
}

/* Batch ridge regression by GSL: Vinv (d x d, full) and theta from n rows
 * of X (n x d) and y. */
static void batch_fit(int d, double lambda, const double *X, const double *y,
                      int n, const int *skip_owner, const int *owner,
                      double *Vinv, double *theta)
{
	gsl_matrix *V = gsl_matrix_calloc((size_t)d, (size_t)d);
	gsl_vector *b = gsl_vector_calloc((size_t)d);
	for (int i = 0; i < d; i++)
		gsl_matrix_set(V, (size_t)i, (size_t)i, lambda);
	for (int s = 0; s < n; s++) {
		if (skip_owner && owner[s] == *skip_owner)
			continue;
		const double *x = X + (size_t)s * (size_t)d;
		for (int i = 0; i < d; i++) {
			for (int j = 0; j < d; j++)
				*gsl_matrix_ptr(V, (size_t)i, (size_t)j) += x[i] * x[j];
			*gsl_vector_ptr(b, (size_t)i) += y[s] * x[i];
		}
	}
	gsl_linalg_cholesky_decomp1(V);
	gsl_vector_view th = gsl_vector_view_array(theta, (size_t)d);
	gsl_linalg_cholesky_solve(V, b, &th.vector);
	gsl_linalg_cholesky_invert(V);
	for (int i = 0; i < d; i++)
		for (int j = 0; j < d; j++)
			Vinv[i * d + j] = gsl_matrix_get(V, (size_t)i, (size_t)j);
	gsl_matrix_free(V);
	gsl_vector_free(b);
}

/* Random data: X uniform in [0,1]^d, y = theta*^T x + 0.1 z. */
static void make_data(gsl_rng *r, int d, int n, double *X, double *y)
{
	double th[64];
	for (int i = 0; i < d; i++)
		th[i] = gsl_rng_uniform(r);
	for (int s = 0; s < n; s++) {
		double m = 0.0;
		for (int i = 0; i < d; i++) {
			X[s * d + i] = gsl_rng_uniform(r);
			m += th[i] * X[s * d + i];
		}
		y[s] = m + 0.1 * gsl_ran_gaussian(r, 1.0);
	}
}

static double maxdiff_upper(const double *A, const double *B, int d)
{
	double m = 0.0;
	for (int i = 0; i < d; i++)
		for (int j = i; j < d; j++)
			m = fmax(m, fabs(A[i * d + j] - B[i * d + j]));
	return m;
}

static double maxdiff(const double *a, const double *b, int n)
{
	double m = 0.0;
	for (int i = 0; i < n; i++)
		m = fmax(m, fabs(a[i] - b[i]));
	return m;
}

/* ---- incremental = batch ------------------------------------------------------ */

START_TEST(incremental_equals_batch)
{
	/* 5000 rank-one updates, with and without periodic refactorization. */
	const int d = 12, n = 5000;
	const int refactor[] = {256, 0, 1};
	gsl_rng *r = test_rng(1);
	double *X = malloc(sizeof(double) * (size_t)(d * n)), *y = malloc(sizeof(double) * (size_t)n);
	make_data(r, d, n, X, y);
	double Vinv[144], theta[12];
	batch_fit(d, 1.0, X, y, n, NULL, NULL, Vinv, theta);
	for (int k = 0; k < 3; k++) {
		smab_ls ls;
		ck_assert_int_eq(smab_ls_init(&ls, d, 1.0, refactor[k]), SMAB_OK);
		for (int s = 0; s < n; s++)
			ck_assert_int_eq(smab_ls_update(&ls, X + s * d, y[s], 1.0), SMAB_OK);
		ck_assert_msg(maxdiff(ls.theta, theta, d) < 1e-9, "refactor %d: theta off by %g",
		              refactor[k], maxdiff(ls.theta, theta, d));
		ck_assert_msg(maxdiff_upper(ls.Vinv, Vinv, d) < 1e-9, "refactor %d: Vinv off by %g",
		              refactor[k], maxdiff_upper(ls.Vinv, Vinv, d));
		ck_assert_int_eq(ls.n, n);
		smab_ls_free(&ls);
	}
	free(X);
	free(y);
	gsl_rng_free(r);
}
END_TEST

START_TEST(downdate_restores)
{
	/* Adding 300 observations and removing the last 100 equals fitting the
	 * first 200; a downdate that would make V singular is refused. */
	const int d = 5, n = 300;
	gsl_rng *r = test_rng(2);
	double X[1500], y[300], Vinv[25], theta[5];
	make_data(r, d, n, X, y);
	batch_fit(d, 0.5, X, y, 200, NULL, NULL, Vinv, theta);
	smab_ls ls;
	smab_ls_init(&ls, d, 0.5, 64);
	for (int s = 0; s < n; s++)
		smab_ls_update(&ls, X + s * d, y[s], 1.0);
	for (int s = n - 1; s >= 200; s--)
		ck_assert_int_eq(smab_ls_update(&ls, X + s * d, y[s], -1.0), SMAB_OK);
	ck_assert(maxdiff(ls.theta, theta, d) < 1e-9);
	ck_assert(maxdiff_upper(ls.Vinv, Vinv, d) < 1e-9);
	/* lambda = 1, x = e_1: V = I + e1 e1^T; removing 2 x (weight -1 of
	 * 2 e1 means c = 1 - 4 / 2 = -1) is refused. */
	smab_ls s2;
	smab_ls_init(&s2, 2, 1.0, 0);
	double e1[2] = {1, 0}, two[2] = {2, 0};
	smab_ls_update(&s2, e1, 1.0, 1.0);
	ck_assert_int_eq(smab_ls_update(&s2, two, 0.0, -1.0), SMAB_EINVAL);
	smab_ls_free(&s2);
	smab_ls_free(&ls);
	gsl_rng_free(r);
}
END_TEST

START_TEST(leave_one_out_equals_refit)
{
	/* 4 agents, 2000 observations with random owners: every LOO state
	 * equals the batch fit of all data except its agent's, and the
	 * sufficient-statistics route (V - S_a) agrees too. */
	const int d = 6, n = 2000, N = 4;
	gsl_rng *r = test_rng(3);
	double *X = malloc(sizeof(double) * (size_t)(d * n)), *y = malloc(sizeof(double) * (size_t)n);
	int *own = malloc(sizeof(int) * (size_t)n);
	make_data(r, d, n, X, y);
	for (int s = 0; s < n; s++)
		own[s] = (int)gsl_rng_uniform_int(r, N);
	smab_ls st[4], all;
	for (int a = 0; a < N; a++)
		smab_ls_init(&st[a], d, 1.0, 100);
	smab_ls_init(&all, d, 1.0, 100);
	double S[4][36], rr[4][6];
	memset(S, 0, sizeof S);
	memset(rr, 0, sizeof rr);
	for (int s = 0; s < n; s++) {
		const double *x = X + s * d;
		ck_assert_int_eq(smab_ls_loo_update(st, N, own[s], x, y[s]), SMAB_OK);
		smab_ls_update(&all, x, y[s], 1.0);
		for (int i = 0; i < d; i++) {
			for (int j = 0; j < d; j++)
				S[own[s]][i * d + j] += x[i] * x[j];
			rr[own[s]][i] += y[s] * x[i];
		}
	}
	for (int a = 0; a < N; a++) {
		double Vinv[36], theta[6];
		batch_fit(d, 1.0, X, y, n, &a, own, Vinv, theta);
		ck_assert_msg(maxdiff(st[a].theta, theta, d) < 1e-9, "agent %d: %g", a,
		              maxdiff(st[a].theta, theta, d));
		ck_assert(maxdiff_upper(st[a].Vinv, Vinv, d) < 1e-9);
		smab_ls t;
		smab_ls_init(&t, d, 1.0, 100);
		smab_ls_copy(&t, &all);
		ck_assert_int_eq(smab_ls_add_stats(&t, S[a], rr[a], -1.0), SMAB_OK);
		ck_assert(maxdiff(t.theta, theta, d) < 1e-9);
		smab_ls_free(&t);
		smab_ls_free(&st[a]);
	}
	smab_ls_free(&all);
	free(X);
	free(y);
	free(own);
	gsl_rng_free(r);
}
END_TEST

/* ---- norms, solves, fixed-action widths ----------------------------------- */

START_TEST(weighted_norms)
{
	const int d = 7, n = 400, m = 33;
	gsl_rng *r = test_rng(4);
	double X[2800], y[400], Vinv[49], theta[7];
	make_data(r, d, n, X, y);
	batch_fit(d, 2.0, X, y, n, NULL, NULL, Vinv, theta);
	smab_ls ls;
	smab_ls_init(&ls, d, 2.0, 50);
	for (int s = 0; s < n; s++)
		smab_ls_update(&ls, X + s * d, y[s], 1.0);
	double A[33 * 7], work[33 * 7], out[33], means[33];
	for (int i = 0; i < m * d; i++)
		A[i] = gsl_rng_uniform(r) * 2.0 - 0.5;
	smab_ls_norms2(&ls, A, m, work, out);
	smab_ls_means(&ls, A, m, means);
	for (int k = 0; k < m; k++) {
		const double *x = A + k * d;
		double q = 0.0, mu = 0.0;
		for (int i = 0; i < d; i++) {
			mu += theta[i] * x[i];
			for (int j = 0; j < d; j++)
				q += x[i] * Vinv[i * d + j] * x[j];
		}
		ck_assert_msg(fabs(out[k] - q) < 1e-12 * fmax(1.0, q), "row %d: %g vs %g", k, out[k], q);
		ck_assert(fabs(smab_ls_norm2(&ls, x) - q) < 1e-12 * fmax(1.0, q));
		ck_assert(fabs(means[k] - mu) < 1e-9);
	}
	/* Solve V z = rhs: z = Vinv rhs. */
	double rhs[7], z[7], want[7] = {0};
	for (int i = 0; i < d; i++)
		rhs[i] = i - 3.0;
	ck_assert_int_eq(smab_ls_solve(&ls, rhs, z), SMAB_OK);
	for (int i = 0; i < d; i++)
		for (int j = 0; j < d; j++)
			want[i] += Vinv[i * d + j] * rhs[j];
	ck_assert(maxdiff(z, want, d) < 1e-10);
	smab_ls_free(&ls);
	gsl_rng_free(r);
}
END_TEST

START_TEST(fixed_action_widths)
{
	/* 3000 pulls over 200 fixed actions (LinUCB with beta = 0.5): the
	 * incrementally kept means and widths equal a direct evaluation
	 * x^T theta, x^T V^-1 x (plain loops over the state's matrices), with
	 * and without refactorizations, and each step's argmax is the argmax
	 * of the direct indices. */
	const int d = 10, K = 200, T = 3000;
	const int refactor[2] = {0, 500};
	gsl_rng *r = test_rng(5);
	double *A = malloc(sizeof(double) * (size_t)(K * d));
	for (int i = 0; i < K * d; i++)
		A[i] = gsl_rng_uniform(r);
	for (int v = 0; v < 2; v++) {
		smab_ls ls;
		smab_ls_fixed f;
		smab_ls_init(&ls, d, 1.0, refactor[v]);
		ck_assert_int_eq(smab_ls_fixed_init(&f, &ls, A, K), SMAB_OK);
		int k = smab_ls_fixed_argmax(&f, 0.5);
		double worst_m = 0.0, worst_w = 0.0;
		for (int t = 0; t < T; t++) {
			double y = gsl_ran_gaussian(r, 1.0);
			if (t % 3 == 0)   /* not always the argmax, to spread the pulls */
				k = (int)gsl_rng_uniform_int(r, K);
			int next = smab_ls_fixed_step(&ls, &f, k, y, 0.5);
			ck_assert_int_ge(next, 0);
			if (t % 500 == 499) {
				double bv = -INFINITY;
				int bi = -1;
				for (int i = 0; i < K; i++) {
					const double *x = A + i * d;
					double m = 0.0, q = 0.0;
					for (int a = 0; a < d; a++) {
						m += ls.theta[a] * x[a];
						for (int b = 0; b < d; b++)
							q += x[a] * x[b] * (a <= b ? ls.Vinv[a * d + b] : ls.Vinv[b * d + a]);
					}
					worst_m = fmax(worst_m, fabs(m - f.mean[i]));
					worst_w = fmax(worst_w, fabs(q - f.w2[i]));
					double idx = m + 0.5 * sqrt(q);
					if (idx > bv) {
						bv = idx;
						bi = i;
					}
				}
				ck_assert_int_eq(next, bi);
			}
			k = next;
		}
		ck_assert_msg(worst_m < 1e-9, "refactor %d: means off by %g", refactor[v], worst_m);
		ck_assert_msg(worst_w < 1e-9, "refactor %d: widths off by %g", refactor[v], worst_w);
		smab_ls_fixed_free(&f);
		smab_ls_free(&ls);
	}
	free(A);
	gsl_rng_free(r);
}
END_TEST

/* T LinUCB steps over the K actions A (K x d) with refactorization every
 * 'refactor' updates, radius beta: the returned arm is pulled, except every
 * third round (a uniform arm, to spread the pulls); rewards are Gaussian
 * around theta* = (1, ..., 1) / sqrt(d).  The returned arms go to arms[T]
 * and, if mean/w2 are given, the final K means and squared widths there.
 * Every step's return is also checked against smab_ls_fixed_argmax of the
 * arrays it left, the plain scan with ties to the lowest index. */
static void run_fixed(int d, int K, const double *A, int refactor, double beta,
                      int T, uint64_t stream, int *arms, double *mean, double *w2)
{
	gsl_rng *r = test_rng(stream);
	smab_ls ls;
	smab_ls_fixed f;
	smab_ls_init(&ls, d, 1.0, refactor);
	ck_assert_int_eq(smab_ls_fixed_init(&f, &ls, A, K), SMAB_OK);
	int k = smab_ls_fixed_argmax(&f, beta);
	for (int t = 0; t < T; t++) {
		if (t % 3 == 0)
			k = (int)gsl_rng_uniform_int(r, (unsigned long)K);
		double y = gsl_ran_gaussian(r, 0.3);
		for (int a = 0; a < d; a++)
			y += A[k * d + a] / sqrt((double)d);
		k = smab_ls_fixed_step(&ls, &f, k, y, beta);
		ck_assert_int_ge(k, 0);
		ck_assert_int_eq(k, smab_ls_fixed_argmax(&f, beta));
		arms[t] = k;
	}
	if (mean)
		memcpy(mean, f.mean, sizeof(double) * (size_t)K);
	if (w2)
		memcpy(w2, f.w2, sizeof(double) * (size_t)K);
	smab_ls_fixed_free(&f);
	smab_ls_free(&ls);
	gsl_rng_free(r);
}

START_TEST(fixed_simd_identical)
{
	/* The portable and the AVX2 pass give bit-identical means, widths and
	 * arms.  K = 203 exercises the partial vector and partial block; every
	 * action is present twice, so exact ties happen and must go to the
	 * lower index in both. */
	const int d = 8, K = 203, T = 2000;
	gsl_rng *r = test_rng(9);
	double *A = malloc(sizeof(double) * (size_t)(K * d));
	for (int i = 0; i < K * d; i++)
		A[i] = i >= 102 * d ? A[i - 102 * d] : gsl_rng_uniform(r);
	int *arms[2];
	double *mean[2], *w2[2];
	int saved = smab_linalg_simd(-1), modes = saved == 1 ? 2 : 1;
	for (int m = 0; m < modes; m++) {
		arms[m] = malloc(sizeof(int) * (size_t)T);
		mean[m] = malloc(sizeof(double) * (size_t)K);
		w2[m] = malloc(sizeof(double) * (size_t)K);
		ck_assert_int_eq(smab_linalg_simd(m), m);
		run_fixed(d, K, A, 700, 0.5, T, 10, arms[m], mean[m], w2[m]);
	}
	smab_linalg_simd(saved);
	for (int m = 0; m < modes; m++)
		for (int t = 0; t < T; t++)   /* rows 102.. repeat rows 0..100 */
			ck_assert_int_lt(arms[m][t], 102);
	if (modes == 2) {
		ck_assert(memcmp(arms[0], arms[1], sizeof(int) * (size_t)T) == 0);
		ck_assert(memcmp(mean[0], mean[1], sizeof(double) * (size_t)K) == 0);
		ck_assert(memcmp(w2[0], w2[1], sizeof(double) * (size_t)K) == 0);
	}
	for (int m = 0; m < modes; m++) {
		free(arms[m]);
		free(mean[m]);
		free(w2[m]);
	}
	free(A);
	gsl_rng_free(r);
}
END_TEST

/* Single precision for g = X u against the all-double path, in lockstep:
 * both states get the double path's arm and reward every round, so they
 * stay comparable; after every step all K widths and indices are compared.
 * The actions are (offset + U[0,1)^d) / sqrt(d): a large offset gives them
 * a strong common direction, so g cancels and V is ill-conditioned.
 * Returns the worst relative width error, the worst index error relative
 * to the largest |index|, the number of rounds whose arms differ and the
 * largest double-precision index gap between the two arms of such a round. */
typedef struct {
	double width, index, gap;
	int differ;
} single_err;

static single_err single_vs_double(int d, int K, int T, int refactor, double offset,
                                   uint64_t stream)
{
	gsl_rng *r = test_rng(stream);
	double *A = malloc(sizeof(double) * (size_t)K * (size_t)d), *mu = malloc(sizeof(double) * (size_t)K);
	for (int i = 0; i < K * d; i++)
		A[i] = (offset + gsl_rng_uniform(r)) / sqrt((double)d);
	for (int i = 0; i < K; i++) {
		mu[i] = 0.0;
		for (int a = 0; a < d; a++)
			mu[i] += A[i * d + a] * (a % 3) / (double)d;
	}
	smab_ls ls[2];
	smab_ls_fixed f[2];
	for (int p = 0; p < 2; p++) {
		smab_ls_init(&ls[p], d, 1.0, refactor);
		ck_assert_int_eq(smab_ls_fixed_init(&f[p], &ls[p], A, K), SMAB_OK);
	}
	ck_assert_int_eq(smab_ls_fixed_single(&f[1], 1), SMAB_OK);
	single_err e = {0.0, 0.0, 0.0, 0};
	int k = smab_ls_fixed_argmax(&f[0], 1.0);
	for (int t = 0; t < T; t++) {
		double y = mu[k] + gsl_ran_gaussian(r, 0.1);
		int kd = smab_ls_fixed_step(&ls[0], &f[0], k, y, 1.0);
		int ks = smab_ls_fixed_step(&ls[1], &f[1], k, y, 1.0);
		ck_assert(kd >= 0 && ks >= 0);
		double scale = 0.0, di = 0.0;
		for (int i = 0; i < K; i++) {
			double wd = sqrt(f[0].w2[i]), ws = sqrt(f[1].w2[i]);
			e.width = fmax(e.width, fabs(ws - wd) / wd);
			scale = fmax(scale, fabs(f[0].v[i]));
			di = fmax(di, fabs(f[1].v[i] - f[0].v[i]));
		}
		e.index = fmax(e.index, di / scale);
		if (kd != ks) {
			e.differ++;
			e.gap = fmax(e.gap, (f[0].v[kd] - f[0].v[ks]) / scale);
		}
		k = kd;
	}
	for (int p = 0; p < 2; p++) {
		smab_ls_fixed_free(&f[p]);
		smab_ls_free(&ls[p]);
	}
	free(A);
	free(mu);
	gsl_rng_free(r);
	return e;
}

START_TEST(fixed_single_precision)
{
	/* The coalition shape (d = 100, 1682 actions, refactor 1024), 3000
	 * rounds: well-conditioned actions, then ones with a common offset 10
	 * (ill-conditioned V; what centering is for).  The bounds are those
	 * stated in linalg.h, about 10x above the errors measured here. */
	single_err e = single_vs_double(100, 1682, 3000, 1024, 0.0, 11);
	ck_assert_msg(e.width < 1e-5, "width error %g", e.width);
	ck_assert_msg(e.index < 1e-6, "index error %g", e.index);
	ck_assert_msg(e.differ == 0, "%d arms differ", e.differ);
	single_err h = single_vs_double(100, 1682, 3000, 1024, 10.0, 12);
	ck_assert_msg(h.width < 1e-4, "width error %g (offset)", h.width);
	ck_assert_msg(h.index < 1e-5, "index error %g (offset)", h.index);
	/* Arms differ only on near-ties, and seldom. */
	ck_assert_msg(h.gap <= 2.0 * h.index, "gap %g > 2 x index error %g", h.gap, h.index);
	ck_assert_msg(h.differ < 3000 / 100, "%d arms differ (offset)", h.differ);
}
END_TEST

/* ---- the tracked inverse factor and triangular widths -------------------- */

/* Largest relative error of widths w against ref over n items. */
static double rel_err(const double *w, const double *ref, int n)
{
	double m = 0.0;
	for (int i = 0; i < n; i++)
		m = fmax(m, fabs(w[i] - ref[i]) / ref[i]);
	return m;
}

/* ref[i] = z_i^T Vinv z_i, z_i = items_i * u, by plain loops (Vinv full). */
static void direct_widths(int d, const double *Vinv, const double *items, const double *u,
                          int n, double *ref)
{
	for (int i = 0; i < n; i++) {
		double a = 0.0;
		for (int c = 0; c < d; c++) {
			double zc = items[i * d + c] * u[c], r = 0.0;
			for (int e = 0; e < d; e++)
				r += Vinv[c * d + e] * items[i * d + e] * u[e];
			a += zc * r;
		}
		ref[i] = a;
	}
}

/* The coalition suite's shape: 1682 items in d = 100, each observation
 * x = u * item for a random positive user u.  A state tracking W is fed
 * 3000 observations (refactor 512, as in the suite, and never); at three
 * points the widths ||u * item_i||^2_{V^-1} by smab_widths_tri must match
 * u*item_i^T V^-1 u*item_i from GSL's batch inverse to 1e-10 relative,
 * for a user of the stream.  Then 40 removals (the path that refactors W).
 * The single-precision widths are held to the bound stated in linalg.h,
 * and, item by item, to the rigorous one of smab_widths_tri32_bound
 * around the double widths (the screen of precision mixed); the largest
 * ratio of error to bound is printed. */
START_TEST(tracked_factor_widths)
{
	enum { D = 100, N = 1682, T = 3000 };
	static const int refactors[] = {512, 0};
	static const int checks[] = {777, 2000, T};
	gsl_rng *r = test_rng(21);
	double *items = malloc(sizeof(double) * N * D), *X = malloc(sizeof(double) * T * D);
	double *y = calloc(T, sizeof(double)), *Vinv = malloc(sizeof(double) * D * D);
	double th[D], u[D], *work = malloc(sizeof(double) * N * D);
	double *w = malloc(sizeof(double) * N), *ref = malloc(sizeof(double) * N);
	float *work32 = malloc(sizeof(float) * N * D), W32[D * D];
	double *w64 = malloc(sizeof(double) * N);
	double xn[N], babs, brel, ratio_max = 0.0;
	smab_widths_tri32_bound(D, &babs, &brel);
	for (int i = 0; i < N * D; i++)
		items[i] = gsl_rng_uniform(r) - 0.3;
	for (int t = 0; t < T; t++) {
		const double *it = items + (size_t)gsl_rng_uniform_int(r, N) * D;
		for (int c = 0; c < D; c++)
			X[t * D + c] = it[c] * (0.2 + gsl_rng_uniform(r));
	}
	for (int c = 0; c < D; c++)
		u[c] = 0.2 + gsl_rng_uniform(r);
	double single_max = 0.0;
	for (size_t q = 0; q < sizeof refactors / sizeof refactors[0]; q++) {
		smab_ls s;
		ck_assert_int_eq(smab_ls_init(&s, D, 1.0, refactors[q]), SMAB_OK);
		ck_assert_int_eq(smab_ls_track_factor(&s), SMAB_OK);
		int t = 0;
		for (size_t k = 0; k < sizeof checks / sizeof checks[0]; k++) {
			for (; t < checks[k]; t++)
				ck_assert_int_eq(smab_ls_update(&s, X + t * D, 0.0, 1.0), SMAB_OK);
			batch_fit(D, 1.0, X, y, t, NULL, NULL, Vinv, th);
			direct_widths(D, Vinv, items, u, N, ref);
			for (int i = 0; i < N * D; i++) {
				work[i] = items[i] * u[i % D];
				work32[i] = (float)work[i];
			}
			smab_widths_tri(D, s.W, work, N, w);
			double e = rel_err(w, ref, N);
			ck_assert_msg(e < 1e-10, "refactor %d, %d updates: width error %g",
			              refactors[q], t, e);
			double wf = smab_ls_factor32(&s, W32);
			smab_widths_tri32(D, W32, work32, N, w);
			single_max = fmax(single_max, rel_err(w, ref, N));
			/* the bound, item by item, against the suite's double blocks */
			for (int i = 0; i < N; i++) {
				double ss = 0.0;
				for (int c = 0; c < D; c++) {
					double v = items[i * D + c] * u[c];
					work[i * D + c] = v;
					ss += v * v;
				}
				xn[i] = sqrt(ss);
			}
			for (int r0 = 0; r0 < N; r0 += 128)
				smab_widths_tri(D, s.W, work + r0 * D, N - r0 < 128 ? N - r0 : 128, w64 + r0);
			for (int i = 0; i < N; i++) {
				double b = babs * xn[i] * wf + brel * sqrt(w[i]);
				double dev = fabs(sqrt(w[i]) - sqrt(w64[i]));
				ck_assert_msg(dev <= b, "item %d: |sqrt w32 - sqrt w64| %g > bound %g", i, dev, b);
				ratio_max = fmax(ratio_max, dev / b);
			}
		}
		/* removals: the last 40 observations out again */
		for (; t > T - 40; t--)
			ck_assert_int_eq(smab_ls_update(&s, X + (t - 1) * D, 0.0, -1.0), SMAB_OK);
		batch_fit(D, 1.0, X, y, t, NULL, NULL, Vinv, th);
		direct_widths(D, Vinv, items, u, 50, ref);
		for (int i = 0; i < 50 * D; i++)
			work[i] = items[i] * u[i % D];
		smab_widths_tri(D, s.W, work, 50, w);
		ck_assert_msg(rel_err(w, ref, 50) < 1e-10, "after removals: %g", rel_err(w, ref, 50));
		smab_ls_free(&s);
	}
	ck_assert_msg(single_max < SINGLE_WIDTH_BOUND, "single-precision width error %g", single_max);
	printf("tracked_factor_widths: single-precision error at most %.3g of the mixed screen's "
	       "bound\n", ratio_max);
	free(w64);
	free(items);
	free(X);
	free(y);
	free(Vinv);
	free(work);
	free(w);
	free(ref);
	free(work32);
	gsl_rng_free(r);
}
END_TEST

/* ---- Thompson samples ----------------------------------------------------- */

START_TEST(sample_moments)
{
	/* 40000 draws of N(theta, v^2 V^-1), d = 3.  Each mean component is
	 * within 4.5 standard errors sqrt(S_ii / n); each covariance entry within
	 * 4.5 sqrt((S_ii S_jj + S_ij^2) / n), the Gaussian standard error of a
	 * sample covariance. */
	const int d = 3, n = 40000;
	const double v = 0.7;
	smab_ls ls;
	smab_ls_init(&ls, d, 1.0, 0);
	double xs[4][3] = {{1, 0.5, 0}, {0, 1, 2}, {1, 1, 1}, {0.3, -1, 0.2}};
	double ys[4] = {1, -2, 0.5, 3};
	for (int k = 0; k < 4; k++)
		smab_ls_update(&ls, xs[k], ys[k], 1.0);
	double Sig[9];
	for (int i = 0; i < d; i++)
		for (int j = 0; j < d; j++)
			Sig[i * d + j] = v * v * (i <= j ? ls.Vinv[i * d + j] : ls.Vinv[j * d + i]);
	gsl_rng *r = test_rng(6);
	double sum[3] = {0}, cross[9] = {0}, th[3];
	for (int s = 0; s < n; s++) {
		for (int i = 0; i < d; i++)
			th[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
		ck_assert_int_eq(smab_ls_sample(&ls, v, th, th), SMAB_OK);
		for (int i = 0; i < d; i++) {
			sum[i] += th[i] - ls.theta[i];
			for (int j = 0; j < d; j++)
				cross[i * d + j] += (th[i] - ls.theta[i]) * (th[j] - ls.theta[j]);
		}
	}
	for (int i = 0; i < d; i++) {
		double se = sqrt(Sig[i * d + i] / n);
		ck_assert_msg(fabs(sum[i] / n) < 4.5 * se, "mean %d: %g (se %g)", i, sum[i] / n, se);
		for (int j = 0; j < d; j++) {
			double c = cross[i * d + j] / n;
			double sec = sqrt((Sig[i * d + i] * Sig[j * d + j] + Sig[i * d + j] * Sig[i * d + j]) / n);
			ck_assert_msg(fabs(c - Sig[i * d + j]) < 4.5 * sec, "cov %d%d: %g vs %g (se %g)",
			              i, j, c, Sig[i * d + j], sec);
		}
	}
	smab_ls_free(&ls);
	gsl_rng_free(r);
}
END_TEST

START_TEST(bad_arguments)
{
	smab_ls ls;
	ck_assert_int_eq(smab_ls_init(&ls, 0, 1.0, 0), SMAB_EINVAL);
	ck_assert_int_eq(smab_ls_init(&ls, 3, 0.0, 0), SMAB_EINVAL);
	ck_assert_int_eq(smab_ls_init(&ls, 3, 1.0, -1), SMAB_EINVAL);
	double A[4] = {2, 1, 1, 3}, rhs[2] = {1, 2};
	ck_assert_int_eq(smab_linalg_spd_solve(2, A, rhs), SMAB_OK);
	ck_assert(fabs(rhs[0] - 0.2) < 1e-14 && fabs(rhs[1] - 0.6) < 1e-14);
	double B[4] = {1, 2, 2, 1}, r2[2] = {1, 1};
	ck_assert_int_eq(smab_linalg_spd_solve(2, B, r2), SMAB_EINVAL);
	smab_ls_fixed none;
	memset(&none, 0, sizeof none);
	ck_assert_int_eq(smab_ls_fixed_single(&none, 1), SMAB_EINVAL);
	ck_assert_int_eq(smab_ls_fixed_single(NULL, 1), SMAB_EINVAL);
}
END_TEST

static Suite *linalg_suite(void)
{
	Suite *s = suite_create("linalg");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, incremental_equals_batch);
	tcase_add_test(tc, downdate_restores);
	tcase_add_test(tc, leave_one_out_equals_refit);
	tcase_add_test(tc, weighted_norms);
	tcase_add_test(tc, fixed_action_widths);
	tcase_add_test(tc, fixed_simd_identical);
	tcase_add_test(tc, fixed_single_precision);
	tcase_add_test(tc, tracked_factor_widths);
	tcase_add_test(tc, sample_moments);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return smab_check_main(linalg_suite());
}
