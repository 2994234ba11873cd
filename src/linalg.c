/* linalg.c - ridge-regression state over CBLAS and LAPACKE (see linalg.h).
 *
 * Row-major throughout; symmetric matrices live in their upper triangle.
 * LAPACK does every factorization (dpotrf, dpotri, dpotrs, dposv): nothing
 * here factors a matrix by hand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "smab/linalg.h"

void smab_linalg_setup(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	const char *env = getenv("OPENBLAS_NUM_THREADS");
	if (!env || !*env)
		openblas_set_num_threads(1);
}

static size_t sq(int d)
{
	return (size_t)d * (size_t)d;
}

void smab_ls_reset(smab_ls *s)
{
	int d = s->d;
	memset(s->V, 0, sq(d) * sizeof(double));
	memset(s->Vinv, 0, sq(d) * sizeof(double));
	for (int i = 0; i < d; i++) {
		s->V[(size_t)i * (size_t)d + (size_t)i] = s->lambda;
		s->Vinv[(size_t)i * (size_t)d + (size_t)i] = 1.0 / s->lambda;
	}
	memset(s->b, 0, (size_t)d * sizeof(double));
	memset(s->theta, 0, (size_t)d * sizeof(double));
	s->since = 0;
	s->n = 0;
	s->chol = 0;
}

int smab_ls_init(smab_ls *s, int d, double lambda, int refactor)
{
	if (!s || d < 1 || !(lambda > 0.0) || refactor < 0)
		return SMAB_EINVAL;
	smab_linalg_setup();
	s->d = d;
	s->lambda = lambda;
	s->refactor = refactor;
	s->V = smab_xmalloc(sq(d) * sizeof(double));
	s->Vinv = smab_xmalloc(sq(d) * sizeof(double));
	s->U = smab_xcalloc(sq(d), sizeof(double));
	s->b = smab_xmalloc((size_t)d * sizeof(double));
	s->theta = smab_xmalloc((size_t)d * sizeof(double));
	s->work = smab_xmalloc(2 * (size_t)d * sizeof(double));
	smab_ls_reset(s);
	return SMAB_OK;
}

void smab_ls_free(smab_ls *s)
{
	if (!s)
		return;
	free(s->V);
	free(s->Vinv);
	free(s->U);
	free(s->b);
	free(s->theta);
	free(s->work);
	memset(s, 0, sizeof *s);
}

void smab_ls_copy(smab_ls *dst, const smab_ls *src)
{
	size_t d = (size_t)src->d;
	memcpy(dst->V, src->V, d * d * sizeof(double));
	memcpy(dst->Vinv, src->Vinv, d * d * sizeof(double));
	memcpy(dst->U, src->U, d * d * sizeof(double));
	memcpy(dst->b, src->b, d * sizeof(double));
	memcpy(dst->theta, src->theta, d * sizeof(double));
	dst->lambda = src->lambda;
	dst->refactor = src->refactor;
	dst->since = src->since;
	dst->n = src->n;
	dst->chol = src->chol;
}

static void theta_from_b(smab_ls *s)
{
	cblas_dsymv(CblasRowMajor, CblasUpper, s->d, 1.0, s->Vinv, s->d, s->b, 1,
	            0.0, s->theta, 1);
}

int smab_ls_refactorize(smab_ls *s)
{
	int d = s->d;
	memcpy(s->Vinv, s->V, sq(d) * sizeof(double));
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', d, s->Vinv, d) != 0)
		return SMAB_EINVAL;
	/* The factor is V's: keep it for solves and samples. */
	memcpy(s->U, s->Vinv, sq(d) * sizeof(double));
	s->chol = 1;
	if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', d, s->Vinv, d) != 0)
		return SMAB_EINVAL;
	s->since = 0;
	theta_from_b(s);
	return SMAB_OK;
}

/* The rank-one update given u = V^-1 x (before the update). */
static int update_u(smab_ls *s, const double *x, const double *u, double y, double w)
{
	int d = s->d;
	double c = 1.0 + w * cblas_ddot(d, x, 1, u, 1);
	if (!(c > 0.0))
		return SMAB_EINVAL;
	double resid = y - cblas_ddot(d, s->theta, 1, x, 1);
	cblas_dsyr(CblasRowMajor, CblasUpper, d, w, x, 1, s->V, d);
	cblas_daxpy(d, w * y, x, 1, s->b, 1);
	s->chol = 0;
	s->n++;
	if (s->refactor > 0 && ++s->since >= s->refactor)
		return smab_ls_refactorize(s);
	/* theta' = V'^-1 (b + w y x) = theta + w (y - theta^T x) u / c, and
	 * V'^-1 = V^-1 - w u u^T / c (Sherman-Morrison). */
	cblas_daxpy(d, w * resid / c, u, 1, s->theta, 1);
	cblas_dsyr(CblasRowMajor, CblasUpper, d, -w / c, u, 1, s->Vinv, d);
	return SMAB_OK;
}

int smab_ls_update(smab_ls *s, const double *x, double y, double w)
{
	double *u = s->work;
	cblas_dsymv(CblasRowMajor, CblasUpper, s->d, 1.0, s->Vinv, s->d, x, 1, 0.0, u, 1);
	return update_u(s, x, u, y, w);
}

int smab_ls_add_stats(smab_ls *s, const double *S, const double *r, double w)
{
	int d = s->d;
	for (int i = 0; i < d; i++)
		for (int j = i; j < d; j++)
			s->V[(size_t)i * (size_t)d + (size_t)j] += w * S[(size_t)i * (size_t)d + (size_t)j];
	cblas_daxpy(d, w, r, 1, s->b, 1);
	s->chol = 0;
	return smab_ls_refactorize(s);
}

double smab_ls_norm2(const smab_ls *s, const double *x)
{
	double *u = s->work + s->d;
	cblas_dsymv(CblasRowMajor, CblasUpper, s->d, 1.0, s->Vinv, s->d, x, 1, 0.0, u, 1);
	return cblas_ddot(s->d, x, 1, u, 1);
}

void smab_ls_norms2(const smab_ls *s, const double *X, int n, double *work,
                    double *out)
{
	int d = s->d;
	if (n <= 0)
		return;
	cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, n, d, 1.0, s->Vinv, d,
	            X, d, 0.0, work, d);
	for (int i = 0; i < n; i++)
		out[i] = cblas_ddot(d, X + (size_t)i * (size_t)d, 1,
		                    work + (size_t)i * (size_t)d, 1);
}

void smab_ls_means(const smab_ls *s, const double *X, int n, double *out)
{
	if (n <= 0)
		return;
	cblas_dgemv(CblasRowMajor, CblasNoTrans, n, s->d, 1.0, X, s->d, s->theta, 1,
	            0.0, out, 1);
}

static int factor(smab_ls *s)
{
	if (s->chol)
		return SMAB_OK;
	memcpy(s->U, s->V, sq(s->d) * sizeof(double));
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', s->d, s->U, s->d) != 0)
		return SMAB_EINVAL;
	s->chol = 1;
	return SMAB_OK;
}

int smab_ls_solve(smab_ls *s, const double *rhs, double *z)
{
	if (factor(s) != SMAB_OK)
		return SMAB_EINVAL;
	memcpy(z, rhs, (size_t)s->d * sizeof(double));
	if (LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', s->d, 1, s->U, s->d, z, 1) != 0)
		return SMAB_EINVAL;
	return SMAB_OK;
}

int smab_ls_sample(smab_ls *s, double v, const double *z, double *out)
{
	int d = s->d;
	if (factor(s) != SMAB_OK)
		return SMAB_EINVAL;
	if (out != z)
		memcpy(out, z, (size_t)d * sizeof(double));
	/* U y = z  =>  Cov(y) = U^-1 U^-T = (U^T U)^-1 = V^-1. */
	cblas_dtrsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, d, s->U,
	            d, out, 1);
	for (int i = 0; i < d; i++)
		out[i] = s->theta[i] + v * out[i];
	return SMAB_OK;
}

int smab_ls_fixed_init(smab_ls_fixed *f, const smab_ls *s, const double *X, int K)
{
	if (!f || !s || !X || K < 1)
		return SMAB_EINVAL;
	int d = s->d;
	size_t n = (size_t)K * (size_t)d;
	f->K = K;
	f->d = d;
	f->Xt = smab_xmalloc(n * sizeof(double));
	f->work = smab_xmalloc(n * sizeof(double));
	f->mean = smab_xmalloc((size_t)K * sizeof(double));
	f->w2 = smab_xmalloc((size_t)K * sizeof(double));
	f->g = smab_xmalloc((size_t)K * sizeof(double));
	f->v = smab_xmalloc((size_t)K * sizeof(double));
	f->X = smab_xmalloc(n * sizeof(double));
	memcpy(f->X, X, n * sizeof(double));
	for (int i = 0; i < K; i++)
		for (int j = 0; j < d; j++)
			f->Xt[(size_t)j * (size_t)K + (size_t)i] = X[(size_t)i * (size_t)d + (size_t)j];
	smab_ls_fixed_eval(f, s);
	return SMAB_OK;
}

void smab_ls_fixed_free(smab_ls_fixed *f)
{
	if (!f)
		return;
	free(f->Xt);
	free(f->work);
	free(f->mean);
	free(f->w2);
	free(f->g);
	free(f->v);
	free(f->X);
	memset(f, 0, sizeof *f);
}

void smab_ls_fixed_eval(smab_ls_fixed *f, const smab_ls *s)
{
	int K = f->K, d = f->d;
	/* mean = X theta = Xt^T theta; W = V^-1 Xt; w2_i = sum_j Xt_ji W_ji. */
	cblas_dgemv(CblasRowMajor, CblasTrans, d, K, 1.0, f->Xt, K, s->theta, 1, 0.0,
	            f->mean, 1);
	cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, d, K, 1.0, s->Vinv, d,
	            f->Xt, K, 0.0, f->work, K);
	memset(f->w2, 0, (size_t)K * sizeof(double));
	for (int j = 0; j < d; j++) {
		const double *xr = f->Xt + (size_t)j * (size_t)K;
		const double *wr = f->work + (size_t)j * (size_t)K;
		for (int i = 0; i < K; i++)
			f->w2[i] += xr[i] * wr[i];
	}
}

int smab_ls_fixed_argmax(const smab_ls_fixed *f, double beta)
{
	int best = 0;
	double bv = -INFINITY;
	for (int i = 0; i < f->K; i++) {
		double w = f->w2[i];
		double v = f->mean[i] + beta * sqrt(w > 0.0 ? w : 0.0);
		if (v > bv) {
			bv = v;
			best = i;
		}
	}
	return best;
}

int smab_ls_fixed_step(smab_ls *s, smab_ls_fixed *f, int k, double y, double beta_next)
{
	int K = f->K, d = s->d;
	if (k < 0 || k >= K || f->d != d)
		return -1;
	const double *x = f->X + (size_t)k * (size_t)d;
	double *u = s->work;
	int due = s->refactor > 0 && s->since + 1 >= s->refactor;
	cblas_dsymv(CblasRowMajor, CblasUpper, d, 1.0, s->Vinv, d, x, 1, 0.0, u, 1);
	double c = 1.0 + cblas_ddot(d, x, 1, u, 1);
	double resid = y - cblas_ddot(d, s->theta, 1, x, 1);
	/* g = X u: row-major Xt transposed, so each of the d rows streams. */
	if (!due)
		cblas_dgemv(CblasRowMajor, CblasTrans, d, K, 1.0, f->Xt, K, u, 1, 0.0, f->g, 1);
	if (update_u(s, x, u, y, 1.0) != SMAB_OK)
		return -1;
	if (due) {
		smab_ls_fixed_eval(f, s);
		return smab_ls_fixed_argmax(f, beta_next);
	}
	double a = resid / c, ic = 1.0 / c;
	double *restrict mean = f->mean, *restrict w2 = f->w2, *restrict v = f->v;
	const double *restrict g = f->g;
	/* Two simple loops rather than one: the first vectorizes (sqrt
	 * included), the second is a plain scan. */
	for (int i = 0; i < K; i++) {
		double gi = g[i];
		double m = mean[i] + gi * a, w = w2[i] - gi * gi * ic;
		mean[i] = m;
		w2[i] = w;
		v[i] = m + beta_next * sqrt(w > 0.0 ? w : 0.0);
	}
	int best = 0;
	double bv = v[0];
	for (int i = 1; i < K; i++)
		if (v[i] > bv) {
			bv = v[i];
			best = i;
		}
	return best;
}

int smab_ls_loo_update(smab_ls *st, int N, int a, const double *x, double y)
{
	int rc = SMAB_OK;
	for (int b = 0; b < N; b++)
		if (b != a) {
			int r = smab_ls_update(&st[b], x, y, 1.0);
			if (rc == SMAB_OK)
				rc = r;
		}
	return rc;
}

int smab_linalg_spd_solve(int d, double *A, double *rhs)
{
	smab_linalg_setup();
	return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, rhs, 1) == 0
	       ? SMAB_OK : SMAB_EINVAL;
}
