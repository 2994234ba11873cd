/* linalg.c - ridge-regression state over CBLAS and LAPACKE (see linalg.h).
 *
 * Row-major throughout; symmetric matrices live in their upper triangle.
 * LAPACK does every factorization (dpotrf, dpotri, dpotrs, dposv) and
 * triangular inverse (dtrtri): nothing here factors a matrix by hand.  The
 * one hand-written loop on a factor is Carlson's rank-one update of the
 * tracked inverse factor W, which LAPACK does not have. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define SMAB_LINALG_X86 1
#include <immintrin.h>
#else
#define SMAB_LINALG_X86 0
#endif

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

void smab_gemm(int n, int ld, int k, const double *A, const double *B, double *Y)
{
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, ld, k, 1.0, A, k,
	            B, ld, 0.0, Y, ld);
}

void smab_gemv(int n, int k, const double *A, const double *x, double *y)
{
	cblas_dgemv(CblasRowMajor, CblasNoTrans, n, k, 1.0, A, k, x, 1, 0.0, y, 1);
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
	if (s->track) {
		memset(s->W, 0, sq(d) * sizeof(double));
		for (int i = 0; i < d; i++)
			s->W[(size_t)i * (size_t)d + (size_t)i] = 1.0 / sqrt(s->lambda);
	}
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
	s->W = NULL;
	s->track = 0;
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
	free(s->W);
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
	if (src->track) {
		if (!dst->W)
			dst->W = smab_xmalloc(d * d * sizeof(double));
		memcpy(dst->W, src->W, d * d * sizeof(double));
	}
	dst->track = src->track;
}

static void theta_from_b(smab_ls *s)
{
	cblas_dsymv(CblasRowMajor, CblasUpper, s->d, 1.0, s->Vinv, s->d, s->b, 1,
	            0.0, s->theta, 1);
}

/* W = U^-1, the upper factor of V^-1 = U^-1 U^-T, from a current U. */
static int invert_factor(smab_ls *s)
{
	memcpy(s->W, s->U, sq(s->d) * sizeof(double));
	return LAPACKE_dtrtri(LAPACK_ROW_MAJOR, 'U', 'N', s->d, s->W, s->d) == 0
	       ? SMAB_OK : SMAB_EINVAL;
}

/* Carlson's update of W (V^-1 = W W^T, W upper) for an observation x of
 * noise variance R, i.e. V' = V + x x^T / R: with v = W^T x, column j of W
 * is rotated against the gain g accumulated over the columns before it.
 * W' stays upper triangular and W' W'^T = V^-1 - V^-1 x x^T V^-1 / (R +
 * x^T V^-1 x), Sherman-Morrison's result.  O(d^2); v and g are d scratch. */
static void carlson(int d, double *W, const double *x, double R, double *v, double *g)
{
	memcpy(v, x, (size_t)d * sizeof *v);
	cblas_dtrmv(CblasRowMajor, CblasUpper, CblasTrans, CblasNonUnit, d, W, d, v, 1);
	double alpha = R;
	memset(g, 0, (size_t)d * sizeof *g);
	for (int j = 0; j < d; j++) {
		double sigma = v[j], beta = alpha;
		/* sigma = 0 leaves column j and g as they are (eta = 1, zeta =
		 * 0); skipping it keeps that exact, so a diagonal W (unit-vector
		 * actions) stays diagonal and equal entries stay equal. */
		if (sigma == 0.0)
			continue;
		alpha += sigma * sigma;
		double gamma = sqrt(alpha * beta);
		double eta = beta / gamma, zeta = sigma / gamma;
		for (int i = 0; i <= j; i++) {
			double *wij = W + (size_t)i * (size_t)d + (size_t)j, tau = *wij;
			*wij = eta * tau - zeta * g[i];
			g[i] += tau * sigma;
		}
	}
}

int smab_ls_refactorize(smab_ls *s)
{
	int d = s->d;
	/* Factor into U first: if V is not positive definite, V^-1 and theta
	 * are left as they were. */
	memcpy(s->U, s->V, sq(d) * sizeof(double));
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', d, s->U, d) != 0) {
		s->chol = 0;
		return SMAB_EINVAL;
	}
	/* The factor is V's: keep it for solves and samples. */
	memcpy(s->Vinv, s->U, sq(d) * sizeof(double));
	s->chol = 1;
	if (s->track && invert_factor(s) != SMAB_OK)
		return SMAB_EINVAL;
	if (LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', d, s->Vinv, d) != 0)
		return SMAB_EINVAL;
	s->since = 0;
	theta_from_b(s);
	return SMAB_OK;
}

static int factor(smab_ls *s);

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
	if (!s->track)
		return SMAB_OK;
	if (w > 0.0) {
		/* u (V^-1 x, in work when called from this file) is spent:
		 * work's two halves hold Carlson's vectors. */
		carlson(d, s->W, x, 1.0 / w, s->work, s->work + d);
		return SMAB_OK;
	}
	/* a removal: Carlson's downdate would not be stable, refactor W */
	if (factor(s) != SMAB_OK)
		return SMAB_EINVAL;
	return invert_factor(s);
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

/* Zeroed memory on a 64-byte boundary (a cache line), for the d x ld
 * matrices whose rows the step streams. */
static void *xalloc_lines(size_t n)
{
	n = (n + 63) / 64 * 64;
	void *p = aligned_alloc(64, n ? n : 64);
	if (!p) {
		fprintf(stderr, "smab: out of memory (%zu bytes)\n", n);
		abort();
	}
	return memset(p, 0, n);
}

int smab_ls_fixed_init(smab_ls_fixed *f, const smab_ls *s, const double *X, int K)
{
	if (!f || !s || !X || K < 1)
		return SMAB_EINVAL;
	int d = s->d;
	size_t n = (size_t)K * (size_t)d;
	f->K = K;
	f->d = d;
	/* Rows of K padded to a multiple of 16 entries: each row of Xt, work
	 * and Xt32 then starts on a cache line (DGEMV ~3% faster at K = 1682
	 * than with rows straddling lines). */
	f->ld = (K + 15) / 16 * 16;
	size_t nt = (size_t)f->ld * (size_t)d;
	f->Xt = xalloc_lines(nt * sizeof(double));
	f->work = xalloc_lines(nt * sizeof(double));
	f->mean = smab_xmalloc((size_t)K * sizeof(double));
	f->w2 = smab_xmalloc((size_t)K * sizeof(double));
	f->g = smab_xmalloc((size_t)K * sizeof(double));
	f->v = smab_xmalloc((size_t)K * sizeof(double));
	f->X = smab_xmalloc(n * sizeof(double));
	f->Xt32 = NULL;
	f->u32 = NULL;
	f->g32 = NULL;
	f->center = NULL;
	f->single = 0;
	memcpy(f->X, X, n * sizeof(double));
	for (int i = 0; i < K; i++)
		for (int j = 0; j < d; j++)
			f->Xt[(size_t)j * (size_t)f->ld + (size_t)i] = X[(size_t)i * (size_t)d + (size_t)j];
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
	free(f->Xt32);
	free(f->u32);
	free(f->g32);
	free(f->center);
	memset(f, 0, sizeof *f);
}

int smab_ls_fixed_single(smab_ls_fixed *f, int on)
{
	if (!f || !f->Xt)
		return SMAB_EINVAL;
	if (on && !f->Xt32) {
		f->Xt32 = xalloc_lines((size_t)f->ld * (size_t)f->d * sizeof(float));
		f->u32 = smab_xmalloc((size_t)f->d * sizeof(float));
		f->g32 = smab_xmalloc((size_t)f->K * sizeof(float));
		f->center = smab_xmalloc((size_t)f->d * sizeof(double));
		for (int j = 0; j < f->d; j++) {
			const double *row = f->Xt + (size_t)j * (size_t)f->ld;
			double m = 0.0;
			for (int i = 0; i < f->K; i++)
				m += row[i];
			m /= f->K;
			f->center[j] = m;
			for (int i = 0; i < f->K; i++)
				f->Xt32[(size_t)j * (size_t)f->ld + (size_t)i] = (float)(row[i] - m);
		}
	}
	f->single = on != 0;
	return SMAB_OK;
}

void smab_ls_fixed_eval(smab_ls_fixed *f, const smab_ls *s)
{
	int K = f->K, d = f->d, ld = f->ld;
	/* mean = X theta = Xt^T theta. */
	cblas_dgemv(CblasRowMajor, CblasTrans, d, K, 1.0, f->Xt, ld, s->theta, 1, 0.0,
	            f->mean, 1);
	memset(f->w2, 0, (size_t)K * sizeof(double));
	if (s->chol) {
		/* Right after a refactorization the factor V = U^T U is at hand:
		 * Z = U^-T Xt by one DTRSM (K d^2 flops, half the DSYMM's) and
		 * w2_i = sum_j Z_ji^2, a sum of squares. */
		memcpy(f->work, f->Xt, (size_t)ld * (size_t)d * sizeof(double));
		cblas_dtrsm(CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, d, K,
		            1.0, s->U, d, f->work, ld);
		for (int j = 0; j < d; j++) {
			const double *zr = f->work + (size_t)j * (size_t)ld;
			for (int i = 0; i < K; i++)
				f->w2[i] += zr[i] * zr[i];
		}
		return;
	}
	/* W = V^-1 Xt; w2_i = sum_j Xt_ji W_ji. */
	cblas_dsymm(CblasRowMajor, CblasLeft, CblasUpper, d, K, 1.0, s->Vinv, d,
	            f->Xt, ld, 0.0, f->work, ld);
	for (int j = 0; j < d; j++) {
		const double *xr = f->Xt + (size_t)j * (size_t)ld;
		const double *wr = f->work + (size_t)j * (size_t)ld;
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

/* The K-long pass of a step, fused: mean[i] += g_i a, w2[i] -= g_i^2 ic,
 * v[i] = mean[i] + beta sqrt(max(w2[i], 0)), and the first index of the
 * largest v.  The maximum is taken block by block (BLK entries), so only
 * the winning block is scanned again for the index.  Both versions do the
 * same IEEE operations in the same order (no FMA; sqrt is correctly
 * rounded), so they return identical arrays and the same index: the
 * choice of version never changes a result. */
enum { BLK = 64 };

static int first_of_max(const double *v, int s, int e, double bv)
{
	for (int i = s; i < e; i++)
		if (v[i] == bv)
			return i;
	return s;
}

/* Entries [s, e) of the pass, scalar; returns the larger of mx and their
 * largest index. */
static double pass_range(int s, int e, double a, double ic, double beta,
                         double *restrict mean, double *restrict w2,
                         const double *restrict g, double *restrict v, double mx)
{
	for (int i = s; i < e; i++) {
		double gi = g[i];
		double m = mean[i] + gi * a, w = w2[i] - gi * gi * ic;
		mean[i] = m;
		w2[i] = w;
		double x = m + beta * sqrt(w > 0.0 ? w : 0.0);
		v[i] = x;
		mx = x > mx ? x : mx;
	}
	return mx;
}

static int pass_generic(int K, double a, double ic, double beta,
                        double *restrict mean, double *restrict w2,
                        const double *restrict g, double *restrict v)
{
	int best = 0;
	double bv = -INFINITY;
	for (int s = 0; s < K; s += BLK) {
		int e = s + BLK < K ? s + BLK : K;
		double mx = pass_range(s, e, a, ic, beta, mean, w2, g, v, -INFINITY);
		if (mx > bv) {
			bv = mx;
			best = s;
		}
	}
	return first_of_max(v, best, best + BLK < K ? best + BLK : K, bv);
}

#if SMAB_LINALG_X86
/* AVX2, four lanes: the portable build (x86-64-v2) uses it when the CPU
 * has it.  _mm256_max_pd(w, 0) is (w > 0 ? w : 0) and
 * _mm256_max_pd(x, mx) is (x > mx ? x : mx), NaN and signed zeros
 * included, since max returns its second operand unless the first is
 * larger. */
__attribute__((target("avx2")))
static int pass_avx2(int K, double a, double ic, double beta,
                     double *restrict mean, double *restrict w2,
                     const double *restrict g, double *restrict v)
{
	const __m256d va = _mm256_set1_pd(a), vic = _mm256_set1_pd(ic);
	const __m256d vbeta = _mm256_set1_pd(beta), zero = _mm256_setzero_pd();
	int best = 0;
	double bv = -INFINITY;
	for (int s = 0; s < K; s += BLK) {
		int e = s + BLK < K ? s + BLK : K, i = s;
		__m256d vmx = _mm256_set1_pd(-INFINITY);
		for (; i + 4 <= e; i += 4) {
			__m256d gi = _mm256_loadu_pd(g + i);
			__m256d m = _mm256_add_pd(_mm256_loadu_pd(mean + i), _mm256_mul_pd(gi, va));
			__m256d w = _mm256_sub_pd(_mm256_loadu_pd(w2 + i),
			                          _mm256_mul_pd(_mm256_mul_pd(gi, gi), vic));
			_mm256_storeu_pd(mean + i, m);
			_mm256_storeu_pd(w2 + i, w);
			__m256d x = _mm256_add_pd(m, _mm256_mul_pd(vbeta,
			                          _mm256_sqrt_pd(_mm256_max_pd(w, zero))));
			_mm256_storeu_pd(v + i, x);
			vmx = _mm256_max_pd(x, vmx);
		}
		double lane[4];
		_mm256_storeu_pd(lane, vmx);
		double mx = -INFINITY;
		for (int l = 0; l < 4; l++)
			mx = lane[l] > mx ? lane[l] : mx;
		mx = pass_range(i, e, a, ic, beta, mean, w2, g, v, mx);
		if (mx > bv) {
			bv = mx;
			best = s;
		}
	}
	return first_of_max(v, best, best + BLK < K ? best + BLK : K, bv);
}
#endif

typedef int (*pass_fn)(int, double, double, double, double *restrict,
                       double *restrict, const double *restrict, double *restrict);

static int simd_mode = -1;   /* -1 detect, 0 generic, 1 AVX2 */

int smab_linalg_simd(int mode)
{
	if (mode >= 0)
		simd_mode = mode;
#if SMAB_LINALG_X86
	/* Asking for AVX2 on a CPU without it falls back instead of faulting. */
	if (simd_mode == 1) {
		__builtin_cpu_init();
		if (!__builtin_cpu_supports("avx2"))
			simd_mode = 0;
	}
#endif
	if (simd_mode < 0) {
		simd_mode = 0;
#if SMAB_LINALG_X86
		__builtin_cpu_init();
		if (__builtin_cpu_supports("avx2"))
			simd_mode = 1;
#endif
	}
#if !SMAB_LINALG_X86
	simd_mode = 0;
#endif
	return simd_mode;
}

static pass_fn pass_impl(void)
{
#if SMAB_LINALG_X86
	if (smab_linalg_simd(-1) == 1)
		return pass_avx2;
#endif
	return pass_generic;
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
	if (!due && f->single) {
		for (int j = 0; j < d; j++)
			f->u32[j] = (float)u[j];
		cblas_sgemv(CblasRowMajor, CblasTrans, d, K, 1.0f, f->Xt32, f->ld, f->u32, 1, 0.0f,
		            f->g32, 1);
		double cu = cblas_ddot(d, f->center, 1, u, 1);
		for (int i = 0; i < K; i++)
			f->g[i] = cu + (double)f->g32[i];
	} else if (!due) {
		cblas_dgemv(CblasRowMajor, CblasTrans, d, K, 1.0, f->Xt, f->ld, u, 1, 0.0, f->g, 1);
	}
	if (update_u(s, x, u, y, 1.0) != SMAB_OK)
		return -1;
	if (due) {
		smab_ls_fixed_eval(f, s);
		return smab_ls_fixed_argmax(f, beta_next);
	}
	return pass_impl()(K, resid / c, 1.0 / c, beta_next, f->mean, f->w2, f->g, f->v);
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

int smab_ls_track_factor(smab_ls *s)
{
	if (!s || !s->V)
		return SMAB_EINVAL;
	if (!s->W)
		s->W = smab_xmalloc(sq(s->d) * sizeof(double));
	s->track = 1;
	if (factor(s) != SMAB_OK || invert_factor(s) != SMAB_OK) {
		s->track = 0;
		return SMAB_EINVAL;
	}
	return SMAB_OK;
}

double smab_ls_factor32(const smab_ls *s, float *W32)
{
	size_t d = (size_t)s->d;
	double ss = 0.0;
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++) {
			double v = j < i ? 0.0 : s->W[i * d + j];
			W32[i * d + j] = (float)v;
			ss += v * v;
		}
	return sqrt(ss);
}

double smab_ls_factor_norm(const smab_ls *s)
{
	size_t d = (size_t)s->d;
	double ss = 0.0;
	for (size_t i = 0; i < d; i++)
		for (size_t j = i; j < d; j++)
			ss += s->W[i * d + j] * s->W[i * d + j];
	return sqrt(ss);
}

void smab_widths_tri32_bound(int d, double *abs, double *rel)
{
	/* gamma_n = n u / (1 - n u): the float product's with u = 2^-24
	 * (two input roundings and a dot product of d terms), the double
	 * product's and the double sums' with u = 2^-53 */
	double n = (double)d + 2.0, g32 = n * 0x1p-24 / (1.0 - n * 0x1p-24);
	double g64 = n * 0x1p-53 / (1.0 - n * 0x1p-53);
	*abs = 2.0 * (g32 + g64);
	*rel = 3.0 * g64;
}

/* out[i] = the sum of squares of row i of Z (n x d): four partial sums
 * in a fixed order (the same on every target), vectorized where AVX2 is. */
#define ROW_SUMSQ(NAME, T) \
	static void NAME(const T *restrict Z, int n, int d, double *restrict out) \
	{ \
		for (int i = 0; i < n; i++) { \
			const T *restrict z = Z + (size_t)i * (size_t)d; \
			double s0 = 0, s1 = 0, s2 = 0, s3 = 0; \
			int c = 0; \
			for (; c + 4 <= d; c += 4) { \
				s0 += (double)z[c] * (double)z[c]; \
				s1 += (double)z[c + 1] * (double)z[c + 1]; \
				s2 += (double)z[c + 2] * (double)z[c + 2]; \
				s3 += (double)z[c + 3] * (double)z[c + 3]; \
			} \
			for (; c < d; c++) \
				s0 += (double)z[c] * (double)z[c]; \
			out[i] = (s0 + s1) + (s2 + s3); \
		} \
	}
#if SMAB_LINALG_X86 && !defined(__clang__)
#define SUMSQ_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SUMSQ_CLONES
#endif
SUMSQ_CLONES ROW_SUMSQ(sumsq_rows, double)
SUMSQ_CLONES ROW_SUMSQ(sumsq_rows32, float)

/* The triangular product Z W in place, then the rows' sums of squares. */
#define WIDTHS_TRI(NAME, T, TRMM, SUMSQ) \
	void NAME(int d, const T *W, T *Z, int n, double *out) \
	{ \
		if (n <= 0) \
			return; \
		TRMM(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, d, \
		     (T)1, W, d, Z, d); \
		SUMSQ(Z, n, d, out); \
	}
WIDTHS_TRI(smab_widths_tri, double, cblas_dtrmm, sumsq_rows)
WIDTHS_TRI(smab_widths_tri32, float, cblas_strmm, sumsq_rows32)

int smab_linalg_spd_solve(int d, double *A, double *rhs)
{
	smab_linalg_setup();
	return LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, rhs, 1) == 0
	       ? SMAB_OK : SMAB_EINVAL;
}
