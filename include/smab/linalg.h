/* linalg.h - regularized least squares for linear bandits, over CBLAS
 * (OpenBLAS) and LAPACKE.
 *
 * One smab_ls holds the ridge-regression state of one learner:
 *   V = lambda I + sum_s w_s x_s x_s^T,   b = sum_s w_s y_s x_s,
 *   theta = V^-1 b,
 * with V^-1 kept by Sherman-Morrison rank-one updates and recomputed from V
 * by a Cholesky factorization (dpotrf + dpotri) every 'refactor' updates, so
 * rounding errors of long runs do not accumulate.  V itself is accumulated
 * exactly (a sum of rank-one terms), so a refactorization restores V^-1 to
 * the batch closed form.  A weight w = -1 removes an observation (a
 * downdate), which is how leave-one-out states can be kept.
 *
 * Matrices are dense, row-major, d x d; symmetric ones are kept in their
 * upper triangle only (the lower one is not maintained), and every symmetric
 * product goes through dsymv/dsymm on that triangle.
 *
 * Threads: OpenBLAS would start one thread per core in every MPI rank and
 * oversubscribe the machine.  smab_linalg_setup() (called by smab_ls_init)
 * sets OpenBLAS to one thread unless OPENBLAS_NUM_THREADS is set in the
 * environment, in which case that value is respected. */
#ifndef SMAB_LINALG_H
#define SMAB_LINALG_H

#include "smab/common.h"

typedef struct smab_ls {
	int d;
	double lambda;
	int refactor;        /* rank-one updates between refactorizations; 0 = never */
	int since;           /* updates since the last refactorization */
	int64_t n;           /* updates since init/reset (additions and removals) */
	double *V;           /* d x d, upper triangle: lambda I + sum w x x^T */
	double *Vinv;        /* d x d, upper triangle: V^-1 */
	double *b;           /* d: sum w y x */
	double *theta;       /* d: V^-1 b, current after every update */
	double *U;           /* d x d: Cholesky factor V = U^T U (when 'chol' is set) */
	double *work;        /* 2d scratch */
	int chol;            /* 1 if U is the factor of the current V */
	double *W;           /* d x d upper triangle: V^-1 = W W^T (when 'track' is set) */
	int track;           /* 1: W is kept current (smab_ls_track_factor) */
} smab_ls;

/* Set OpenBLAS to one thread unless OPENBLAS_NUM_THREADS is set.  Idempotent. */
void smab_linalg_setup(void);

/* Y = A B for row-major A (n x k), B (k x ld), Y (n x ld): one DGEMM. */
void smab_gemm(int n, int ld, int k, const double *A, const double *B, double *Y);
/* y = A x for row-major A (n x k): one DGEMV. */
void smab_gemv(int n, int k, const double *A, const double *x, double *y);

/* A fresh state of dimension d >= 1 with V = lambda I (lambda > 0), b = 0;
 * refactor >= 0 as above.  Returns SMAB_OK or SMAB_EINVAL. */
int smab_ls_init(smab_ls *s, int d, double lambda, int refactor);
/* Back to V = lambda I, b = 0 without reallocating. */
void smab_ls_reset(smab_ls *s);
void smab_ls_free(smab_ls *s);
/* Copy src's state into dst (same d, already initialized). */
void smab_ls_copy(smab_ls *dst, const smab_ls *src);

/* Add observation (x, y) with weight w (+1 add, -1 remove): rank-one update
 * of V, b, V^-1 and theta, refactorizing when due.  Returns SMAB_OK, or
 * SMAB_EINVAL if the downdate would make V singular (1 + w x^T V^-1 x <= 0). */
int smab_ls_update(smab_ls *s, const double *x, double y, double w);

/* Add the sufficient statistics (S, r) = (sum w x x^T, sum w y x) of many
 * observations at once (S upper triangle, d x d; r length d) with sign
 * w = +-1, then refactorize.  Used to build leave-one-out states. */
int smab_ls_add_stats(smab_ls *s, const double *S, const double *r, double w);

/* Recompute V^-1 and theta from V and b (Cholesky).  SMAB_EINVAL if V is
 * not positive definite. */
int smab_ls_refactorize(smab_ls *s);

/* x^T V^-1 x (the squared weighted norm ||x||^2_{V^-1}). */
double smab_ls_norm2(const smab_ls *s, const double *x);
/* Squared weighted norms of the n rows of X (n x d, row-major), batched
 * through one DSYMM: work (n x d) receives X V^-1, out[i] = x_i^T V^-1 x_i. */
void smab_ls_norms2(const smab_ls *s, const double *X, int n, double *work,
                    double *out);
/* theta^T x for the n rows of X (one DGEMV). */
void smab_ls_means(const smab_ls *s, const double *X, int n, double *out);

/* Keep an upper-triangular factor W of the inverse, V^-1 = W W^T, current
 * from now on: computed here from a Cholesky factorization of V (W = U^-1
 * for V = U^T U), then moved by every update in O(d^2) (Carlson's
 * square-root covariance update, the Kalman-filter form of
 * Sherman-Morrison: V^-1 - u u^T / c = W' W'^T with W' again upper
 * triangular), and recomputed from V at every refactorization, so its
 * rounding errors live at most 'refactor' updates, like those of V^-1.
 * A removal (w < 0) recomputes W from V at O(d^3).  With W,
 * ||x||^2_{V^-1} = ||W^T x||^2 needs a triangular product, half the
 * flops of x^T V^-1 x through the full matrix (smab_widths_tri).
 * Returns SMAB_OK, or SMAB_EINVAL if V is not positive definite. */
int smab_ls_track_factor(smab_ls *s);

/* out[i] = ||z_i||^2_{V^-1} = sum_k (z_i^T W)_k^2 for the n rows z_i of Z
 * (n x d, row-major; overwritten by Z W), W the tracked factor (d x d
 * upper, row-major; lower triangle ignored): one DTRMM of n d^2 flops
 * (half the full product's 2 n d^2), then sums of squares in a fixed
 * order.  For an action x = D item (D diagonal) the caller fills Z with
 * the scaled items, one pass it can share with the means. */
void smab_widths_tri(int d, const double *W, double *Z, int n, double *out);
/* The same in single precision: Z and W in float (STRMM, about twice the
 * DTRMM's speed), the sums of squares accumulated in double.
 * Error: every entry z_k of z = (D x)^T W is a float dot product of at most
 * d terms whose factors were rounded to float, so |z^_k - z_k| <= gamma a_k
 * with gamma = (d + 2) 2^-24 and a = |z|^T |W| (z rounded to float
 * once, W once, then d products and sums); then the width
 * w = ||z||^2 has relative error <= 2 gamma rho + (gamma rho)^2, rho =
 * ||a|| / ||z|| >= 1 (the cancellation in the product; 1 for a diagonal
 * W).  At d = 100: 1.2e-5 rho.  Measured far below that, as rounding
 * errors of random sign add like a random walk: 1.3e-7 at most
 * (tests/unit/test_linalg.c, tracked_factor_widths, 3000 updates, which
 * asserts < 1e-6) and 5.8e-7 at most on MovieLens-100k (d = 100, gender
 * and occupation coalitions, T = 4096, against the double widths in
 * lockstep: bench_coalition --agree). */
void smab_widths_tri32(int d, const float *W, float *Z, int n, double *out);
/* A rigorous bound of the float widths around the double ones, for a
 * screen that recomputes in double only the rows it cannot rule out:
 *   | sqrt(w32_i) - sqrt(w64_i) | <= abs ||z_i|| ||W||_F + rel sqrt(w32_i),
 * w32 from smab_widths_tri32 on z_i rounded to float, w64 from
 * smab_widths_tri on the double z_i itself (both rounding z_i^T W, not
 * the unscaled item: the scaling's own rounding is common to both).
 * Why: with z = z_i^T W exact and a = |z_i|^T |W|, the float product has
 * |z^_k - z_k| <= g32 a_k (z_i and W each rounded to float once, then a
 * float dot product of <= d terms in any order, with or without FMA:
 * g32 = gamma_{d+2} at u = 2^-24) and the double one |z'_k - z_k| <=
 * g64 a_k (g64 = gamma_{d+2} at u = 2^-53, generous); ||a|| <= ||z_i||
 * ||W||_F by Cauchy-Schwarz on each column, so ||z^ - z'|| <= (g32 + g64)
 * ||z_i|| ||W||_F.  The squares of floats are exact in double and the sums
 * of squares have relative error <= g64 in both paths, which moves each
 * square root by at most g64 times the norm: hence rel = 3 g64.  abs =
 * 2 (g32 + g64), a factor 2 over the derivation that also covers the
 * rounding of the computed norms ||z_i|| and ||W||_F.  At d = 100: abs =
 * 1.2e-5, rel = 3.4e-14.  (Entries that underflow float's normal range,
 * below 1.2e-38, would add an absolute 1.4e-45 each; not a concern for
 * data of order one.) */
void smab_widths_tri32_bound(int d, double *abs, double *rel);
/* W32 = the tracked factor W rounded to float (d x d, upper triangle; the
 * lower one is zeroed).  Returns ||W||_F (of the double W, for the bound
 * above). */
double smab_ls_factor32(const smab_ls *s, float *W32);
/* ||W||_F = sqrt(tr V^-1) of the tracked factor, the norm smab_ls_factor32
 * returns, without the copy. */
double smab_ls_factor_norm(const smab_ls *s);

/* Solve V z = rhs through the Cholesky factor of V (factored on demand). */
int smab_ls_solve(smab_ls *s, const double *rhs, double *z);

/* Draw theta~ ~ N(theta, v^2 V^-1): out = theta + v U^-1 z with V = U^T U,
 * given d standard normals z from the caller's stream (z may equal out).
 * The module draws nothing itself, so callers keep their streams. */
int smab_ls_sample(smab_ls *s, double v, const double *z, double *out);

/* LinUCB over a fixed action set with incremental widths (the coalition
 * suite's inner loop: 1682 movies in d = 100).  The K actions are stored
 * transposed (Xt: d x K row-major, action i = column i), so that g = X u is
 * one DGEMV streaming contiguous K-long rows; mean[i] = theta^T x_i and
 * w2[i] = x_i^T V^-1 x_i are kept current.  Pulling action k with reward y
 * costs O(K d + d^2): with u = V^-1 x_k and c = 1 + x_k^T u,
 *   w2[i] -= g_i^2 / c,   mean[i] += g_i (y - theta^T x_k) / c,
 * then the next round's argmax, in one fused pass over the K entries
 * (portable or AVX2, see smab_linalg_simd).  When the state refactorizes,
 * both arrays are recomputed from scratch (one DGEMV, and one DTRSM on the
 * fresh Cholesky factor).  At d = 100, K = 1682 the round is bound by the
 * DGEMV streaming the 1.35 MB Xt from L3 (~75% of it); the single-precision
 * option below halves those bytes. */
typedef struct smab_ls_fixed {
	int K, d;
	int ld;              /* row stride of Xt, work, Xt32: K rounded up to 16 */
	double *Xt;          /* d x K (stride ld): the actions, transposed */
	double *X;           /* K x d: the actions as given (contiguous x_k) */
	double *mean, *w2;   /* K each */
	double *g;           /* K scratch */
	double *work;        /* d x K scratch, stride ld (refactorizations) */
	double *v;           /* K scratch: the indices */
	int single;          /* 1: g = X u in single precision (smab_ls_fixed_single) */
	float *Xt32;         /* d x K: Xt rounded to float (when single was set) */
	float *u32, *g32;    /* d, K scratch of the single-precision product */
	double *center;      /* d: the mean action, subtracted before rounding */
} smab_ls_fixed;

/* Copy the K actions X (K x d row-major) and evaluate mean and w2 under s. */
int smab_ls_fixed_init(smab_ls_fixed *f, const smab_ls *s, const double *X, int K);
void smab_ls_fixed_free(smab_ls_fixed *f);
/* Recompute mean and w2 from s (after a reset or an outside update). */
void smab_ls_fixed_eval(smab_ls_fixed *f, const smab_ls *s);
/* argmax_i mean[i] + beta sqrt(w2[i]) (ties to the lowest index). */
int smab_ls_fixed_argmax(const smab_ls_fixed *f, double beta);
/* Update s and f with reward y of action k; returns the argmax of the
 * updated indices with radius beta_next, or -1 on error. */
int smab_ls_fixed_step(smab_ls *s, smab_ls_fixed *f, int k, double y, double beta_next);

/* The K-long pass of smab_ls_fixed_step has a portable version and an AVX2
 * one, chosen at run time from the CPU (the build itself targets
 * x86-64-v2).  Both give bit-identical results.  mode -1 returns the
 * version in use (0 portable, 1 AVX2); 0 or 1 forces one (1 only where the
 * CPU has AVX2), for tests and benchmarks. */
int smab_linalg_simd(int mode);

/* Option (off by default): compute g = X u of each step in single
 * precision.  At d = 100, K = 1682 the double Xt (1.35 MB) does not fit a
 * 1 MiB L2 and its DGEMV is ~70% of a round; the float copy (0.67 MB) does,
 * and the round takes about half the time.  What stays in double: V, V^-1,
 * theta, u, c, the mean and w2 accumulators, and every refactorization,
 * which recomputes mean and w2 from the double actions (so errors live at
 * most 'refactor' rounds).  The float copy holds the actions minus their
 * mean action m, and g_i = m^T u (double) + [(x_i - m)^T u] (float), which
 * removes the rounding error of a common component shared by all actions.
 * Each g_i then carries an absolute error of order d 2^-24 sum_j
 * |x_ij - m_j| |u_j|, and each round moves w2_i and mean[i] by g_i^2 / c
 * and g_i r / c, so the error of a width grows with the rounds since the
 * last refactorization.  Measured against the all-double path in lockstep
 * (tests/unit/test_linalg.c, fixed_single_precision: d = 100, 1682 actions,
 * refactor 1024, 3000 rounds; stated bounds ~10x above the measured):
 * relative width error < 1e-5 and index error < 1e-6 of the largest index
 * for actions U[0,1)^d / sqrt(d), arms identical; < 1e-4 and < 1e-5 for
 * actions with a common offset 10 (ill-conditioned V), where arms differ
 * only on near-ties (index gap under twice the index error).  Without
 * refactorization, or for worse-conditioned action sets, the errors are
 * larger (up to 3e-4 relative width error measured for offset 100 at
 * d = 20): keep double there.
 * on = 1 switches it on (the float copy is made on first use), 0 back off.
 * Returns SMAB_OK, or SMAB_EINVAL for an uninitialized f. */
int smab_ls_fixed_single(smab_ls_fixed *f, int on);

/* Leave-one-out states: st[0..N-1], st[b] holding every observation except
 * agent b's.  An observation (x, y) of agent a goes into every st[b], b != a,
 * by one rank-one update each (O(N d^2)), never a refit.  Returns the first
 * failing status or SMAB_OK. */
int smab_ls_loo_update(smab_ls *st, int N, int a, const double *x, double y);

/* Solve the SPD system A z = rhs (A d x d upper, destroyed; rhs overwritten
 * by z) with LAPACK dposv.  For tests and batch fits. */
int smab_linalg_spd_solve(int d, double *A, double *rhs);

#endif
