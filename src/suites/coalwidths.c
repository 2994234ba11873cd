/* coalwidths.c - the coalition suite's LinUCB-M scores: each member's
 * means and squared widths ||D_u item_i||^2_{V^-1} over the items, by the
 * reference product (kernel gemm) or the triangular one (kernel trmm) in
 * double, single or mixed precision (smab_cw_scores, smab_cw_refine), and
 * the per-user bounds that let a later round recompute only the items
 * that could still win (smab_cw_store, smab_cw_reuse).  The choices and
 * why each path makes double's are explained at the top of coalition.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smab/linalg.h"

#include "coalition.h"

/* w[i] = max(0, y_i . x_i) for rows y_i of Y (stride ldy) and x_i of X
 * (stride d).  Four partial sums in a fixed order: the compiler may
 * vectorize them, and the result is the same on every target. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void row_dots(const double *Y, int ldy, const double *X, int d, int rows,
                     double *w)
{
	for (int i = 0; i < rows; i++) {
		const double *y = Y + (size_t)i * (size_t)ldy, *x = X + (size_t)i * (size_t)d;
		double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		int c = 0;
		for (; c + 4 <= d; c += 4) {
			s0 += y[c] * x[c];
			s1 += y[c + 1] * x[c + 1];
			s2 += y[c + 2] * x[c + 2];
			s3 += y[c + 3] * x[c + 3];
		}
		for (; c < d; c++)
			s0 += y[c] * x[c];
		double s = (s0 + s1) + (s2 + s3);
		w[i] = s > 0 ? s : 0;
	}
}

/* S = the rows of an item block scaled by u (row-major, rows x d), in
 * double or, when S is NULL, in float into S32: the triangular product's
 * input; with nrm (float only), also the rows' norms (in double, before
 * rounding) for the error bound of the mixed precision. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void scale_rows(const double *restrict items, int rows, int d,
                       const double *restrict u, double *restrict S, float *restrict S32,
                       double *restrict nrm)
{
	for (int i = 0; i < rows; i++) {
		const double *restrict x = items + (size_t)i * (size_t)d;
		int c = 0;
		/* by fours, written out: straight-line code the compiler packs
		 * into vector instructions at -O2 */
		if (S) {
			double *restrict y = S + (size_t)i * (size_t)d;
			for (; c + 4 <= d; c += 4) {
				y[c] = x[c] * u[c];
				y[c + 1] = x[c + 1] * u[c + 1];
				y[c + 2] = x[c + 2] * u[c + 2];
				y[c + 3] = x[c + 3] * u[c + 3];
			}
			for (; c < d; c++)
				y[c] = x[c] * u[c];
		} else if (!nrm) {
			float *restrict y = S32 + (size_t)i * (size_t)d;
			for (; c + 4 <= d; c += 4) {
				y[c] = (float)(x[c] * u[c]);
				y[c + 1] = (float)(x[c + 1] * u[c + 1]);
				y[c + 2] = (float)(x[c + 2] * u[c + 2]);
				y[c + 3] = (float)(x[c + 3] * u[c + 3]);
			}
			for (; c < d; c++)
				y[c] = (float)(x[c] * u[c]);
		} else {
			float *restrict y = S32 + (size_t)i * (size_t)d;
			double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
			for (; c + 4 <= d; c += 4) {
				double a0 = x[c] * u[c], a1 = x[c + 1] * u[c + 1];
				double a2 = x[c + 2] * u[c + 2], a3 = x[c + 3] * u[c + 3];
				y[c] = (float)a0;
				y[c + 1] = (float)a1;
				y[c + 2] = (float)a2;
				y[c + 3] = (float)a3;
				s0 += a0 * a0;
				s1 += a1 * a1;
				s2 += a2 * a2;
				s3 += a3 * a3;
			}
			for (; c < d; c++) {
				double a0 = x[c] * u[c];
				y[c] = (float)a0;
				s0 += a0 * a0;
			}
			nrm[i] = sqrt((s0 + s1) + (s2 + s3));
		}
	}
}

/* The round's scores: for member j with need[j] = NEED_UCB its squared
 * widths under the factor fac[j] land in w[j*n ..], and for every member
 * with a need, the means under th land in mu[j*n ..]; u[j] is member j's
 * user this round.  fac[j] is V^-1 in full (kernel gemm) or its upper
 * factor W, V^-1 = W W^T (kernel trmm; fac32[j] its float copy when the
 * precision is single). */
void smab_cw_scores(task *k, const int *need, const double *const *u,
                         const double *const *fac, const float *const *fac32,
                         const double *th, double *w, double *mu)
{
	const inst *in = k->in;
	int d = in->d, n = in->n, nw = 0, nm = 0, tri = k->kernel == K_TRMM;
	int col[SMAB_MAX_AGENTS], mcol[SMAB_MAX_AGENTS], own[SMAB_MAX_AGENTS];
	int from[SMAB_MAX_AGENTS];      /* the member whose columns j shares */
	/* Members with the same user (every member of the synthetic instances;
	 * MovieLens members who drew the same user) share their columns. */
	for (int j = 0; j < k->m; j++) {
		col[j] = mcol[j] = -1;
		own[j] = 1;
		from[j] = j;
		if (need[j] == NEED_NONE)
			continue;
		for (int q = 0; q < j && own[j]; q++)
			if (need[q] != NEED_NONE && u[q] == u[j] && mcol[q] >= 0 &&
			    (need[j] == NEED_MEAN || (need[q] == NEED_UCB && fac[q] == fac[j]))) {
				col[j] = need[j] == NEED_UCB ? col[q] : -1;
				mcol[j] = mcol[q];
				own[j] = 0;
				from[j] = q;
			}
		if (own[j]) {
			col[j] = need[j] == NEED_UCB ? nw++ : -1;
			mcol[j] = nm++;
		}
	}
	/* gemm: B = [D_u1 A D_u1 | ... | D_u1 th | ...]; trmm: B = [D_u1 th |
	 * ...] by rows, each member's means one DGEMV (every member's, so
	 * LinUCB-M with alpha = 0 and GREEDY see the same bits), its widths
	 * one triangular product on the scaled items. */
	int wd = nw * d, ld = wd + nm;
	if (ld == 0)
		return;
	for (int j = 0; j < k->m && tri; j++)
		if (need[j] != NEED_NONE && own[j])
			for (int c = 0; c < d; c++)
				k->B[(size_t)mcol[j] * (size_t)d + (size_t)c] = u[j][c] * th[c];
	for (int j = 0; j < k->m && !tri; j++) {
		if (need[j] == NEED_NONE || !own[j])
			continue;
		const double *uj = u[j];
		if (col[j] >= 0) {
			const double *A = fac[j];
			for (int r = 0; r < d; r++) {
				double *b = k->B + (size_t)r * (size_t)ld + (size_t)(col[j] * d);
				const double *ar = A + (size_t)r * (size_t)d;
				for (int c = 0; c < d; c++)
					b[c] = uj[r] * ar[c] * uj[c];
			}
		}
		for (int r = 0; r < d; r++)
			k->B[(size_t)r * (size_t)ld + (size_t)(wd + mcol[j])] = uj[r] * th[r];
	}
	/* Items in blocks of CHUNK rows, so each block's products are still in
	 * cache when the sums read them. */
	for (int r0 = 0; r0 < n; r0 += CHUNK) {
		int rows = n - r0 < CHUNK ? n - r0 : CHUNK;
		const double *items = in->item + (size_t)r0 * (size_t)d;
		if (!tri)
			smab_gemm(rows, ld, d, items, k->B, k->Y);
		for (int j = 0; j < k->m; j++) {
			if (need[j] == NEED_NONE || !own[j])
				continue;
			double *mj = mu + (size_t)j * (size_t)n + (size_t)r0;
			double *wj = w + (size_t)j * (size_t)n + (size_t)r0;
			if (tri) {
				smab_gemv(rows, d, items, k->B + (size_t)mcol[j] * (size_t)d, mj);
				if (col[j] < 0)
					continue;
				scale_rows(items, rows, d, u[j], k->single ? NULL : k->S, k->S32,
				           k->mixed ? k->xn + (size_t)j * (size_t)n + (size_t)r0 : NULL);
				if (k->single)
					smab_widths_tri32(d, fac32[j], k->S32, rows, wj);
				else
					smab_widths_tri(d, fac[j], k->S, rows, wj);
				continue;
			}
			for (int i = 0; i < rows; i++)
				mj[i] = k->Y[(size_t)i * (size_t)ld + (size_t)(wd + mcol[j])];
			if (col[j] >= 0)
				row_dots(k->Y + (size_t)(col[j] * d), ld, items, d, rows, wj);
		}
	}
	/* members sharing another's columns share its results */
	for (int j = 0; j < k->m; j++) {
		if (need[j] == NEED_NONE || own[j])
			continue;
		int q = from[j];
		memcpy(mu + (size_t)j * (size_t)n, mu + (size_t)q * (size_t)n, (size_t)n * sizeof *mu);
		if (col[j] >= 0)
			memcpy(w + (size_t)j * (size_t)n, w + (size_t)q * (size_t)n, (size_t)n * sizeof *w);
		if (col[j] >= 0 && k->mixed)
			memcpy(k->xn + (size_t)j * (size_t)n, k->xn + (size_t)q * (size_t)n,
			       (size_t)n * sizeof *k->xn);
	}
}

/* Precision mixed: member j's widths w, from the single-precision screen,
 * become the double kernel's for every item that could still win.  With
 * B_i the bound of |sqrt(w_i) - sqrt(w64_i)| (smab_widths_tri32_bound),
 * item i's index under the double widths is within
 *   e_i = beta B_i + 2^-48 (|mu_i| + beta sqrt(w_i))
 * of its screened index s_i (the last term covers the rounding of both
 * indices).  The double kernel's choice b has s_b + e_b >= s_i - e_i for
 * every item i, so the candidates, the items with s_i + e_i >= max (s - e)
 * over member j's items, include it; they get the double widths, while
 * every other item keeps an index below that of the candidate attaining
 * the maximum, so the choice (coalition.c's pick) is precision double's.  The double
 * widths are recomputed for each block of CHUNK items holding a candidate,
 * the same DTRMM on the same rows as precision double's, because OpenBLAS
 * does not give a row the same bits in a product of other rows (a row
 * alone differs in the last place).  mu NULL: no means (M-ETC's
 * exploration).  k->ncand[j] receives the number of candidates. */
void smab_cw_refine(task *k, int j, const double *mu, double *w, double beta,
                   const double *W, const double *u)
{
	const inst *in = k->in;
	int n = in->n, d = in->d, nc = 0;
	const double *xn = k->xn + (size_t)j * (size_t)n;
	double wf = k->wfro[j], lo = -INFINITY, *hi = k->hi;
	for (int i = 0; i < n; i++) {
		hi[i] = -INFINITY;
		if (!may_play(k, j, i))
			continue;
		double m = mu ? mu[i] : 0, r = sqrt(w[i]), t = beta * r, v = m + t;
		double e = beta * (k->babs * xn[i] * wf + k->brel * r) + 0x1p-48 * (fabs(m) + t);
		hi[i] = v + e;
		if (v - e > lo)
			lo = v - e;
	}
	for (int i = 0; i < n; i++)
		if (hi[i] >= lo)
			k->cand[nc++] = i;
	k->ncand[j] = nc;
	for (int c = 0, done = -1; c < nc; c++) {
		int r0 = k->cand[c] / CHUNK * CHUNK, rows = n - r0 < CHUNK ? n - r0 : CHUNK;
		if (r0 == done)
			continue;       /* the candidates come in order */
		scale_rows(in->item + (size_t)r0 * (size_t)d, rows, d, u, k->S, NULL, NULL);
		smab_widths_tri(d, W, k->S, rows, w + r0);
		done = r0;
	}
}

/* ---- reuse: each user's widths bound the later rounds' ------------------ */

/* Reuse ('reuse: user').  V only grows (V_t = V_s + the rank-one terms of
 * rounds s..t-1), so V_t^-1 <= V_s^-1 and a user's width of an item in a
 * later round is at most its width now: the widths computed for user u in
 * round s bound u's widths for the rest of the run.  The bound stored for
 * item i is
 *   c_i = r_i + 2 E_i,  r_i = sqrt(w_i) as computed,
 *   E_i = 2^-24 (r_i + ||x_i|| ||W||_F)   [+ B_i when r_i is a float width]
 * with x_i = u * item_i and B_i the float product's rigorous error bound
 * (smab_widths_tri32_bound, as in smab_cw_refine): E_i bounds the error
 * of the width computed now and of every later one (||W||_F =
 * sqrt(tr V^-1) only falls), the 2^-24 term covering the double product's
 * rounding (~2^-46 at d = 100) and the drift of the factor kept by rank-one
 * updates between refactorizations (< 1e-10 relative in the unit tests)
 * with a margin of about 2^9.
 *
 * In a later round, member j's index of item i is at most mu_i + beta c_i
 * (rounding is monotone).  smab_cw_reuse recomputes first the block of 128
 * items holding the largest such bound, exactly as the full kernel would
 * (the same product on the same rows, so the same bits), then, in one pass
 * over the items, every block holding an item whose bound reaches the
 * best index computed so far.  Every item left out has an index below that
 * best one, so the choice, ties included, is the full kernel's; its width
 * is set to 0, which leaves its index at mu_i, also below.  The recomputed
 * widths replace their bounds.  On MovieLens about one block per
 * member-round is recomputed: the cost of a member-round falls from the
 * full product to one block's, except in a user's first round. */

static double bound(const task *k, double r, double xn, double wf, int floatw)
{
	double e = 0x1p-24 * (r + xn * wf);
	if (floatw)
		e += k->babs * xn * wf + k->brel * r;
	return r + 2.0 * e;
}

static double norm_of(const double *x, const double *u, int d)
{
	double s = 0;
	for (int c = 0; c < d; c++)
		s += (x[c] * u[c]) * (x[c] * u[c]);
	return sqrt(s);
}

void smab_cw_store(task *k, int j, int uid, const double *w, const double *u, int screened)
{
	const inst *in = k->in;
	int n = in->n, d = in->d, floatw = screened || k->single;
	double *c = k->ub + (size_t)uid * (size_t)n, wf = k->wfro[j];
	const double *xn = k->mixed ? k->xn + (size_t)j * (size_t)n : NULL;
	for (int i = 0; i < n; i++) {
		double x = xn ? xn[i] : norm_of(in->item + (size_t)i * (size_t)d, u, d);
		c[i] = bound(k, sqrt(w[i]), x, wf, floatw);
	}
	k->seen[uid] = 1;
}

/* Block b of member j's widths by the full kernel's product; its bounds
 * renewed.  Returns the block's best index. */
static double exact_block(task *k, int j, int b, const double *mu, double *w, double beta,
                          const double *W, const float *W32, const double *u, double *c)
{
	const inst *in = k->in;
	int n = in->n, d = in->d, r0 = b * CHUNK, rows = n - r0 < CHUNK ? n - r0 : CHUNK;
	const double *items = in->item + (size_t)r0 * (size_t)d;
	int floatw = k->single && !k->mixed;
	if (floatw) {
		scale_rows(items, rows, d, u, NULL, k->S32, k->bn);
		smab_widths_tri32(d, W32, k->S32, rows, w + r0);
	} else {
		scale_rows(items, rows, d, u, k->S, NULL, NULL);
		for (int q = 0; q < rows; q++)
			k->bn[q] = norm_of(items + (size_t)q * (size_t)d, u, d);
		smab_widths_tri(d, W, k->S, rows, w + r0);
	}
	double best = -INFINITY;
	for (int q = 0; q < rows; q++) {
		int i = r0 + q;
		double r = sqrt(w[i]);
		c[i] = bound(k, r, k->bn[q], k->wfro[j], floatw);
		if (may_play(k, j, i) && mu[i] + beta * r > best)
			best = mu[i] + beta * r;
	}
	k->bdone[b] = 1;
	return best;
}

int smab_cw_reuse(task *k, int j, int uid, const double *mu, double *w, double beta,
                  const double *W, const float *W32, const double *u)
{
	const inst *in = k->in;
	int n = in->n, nb = (n + CHUNK - 1) / CHUNK, top = -1, rows = 0;
	double *c = k->ub + (size_t)uid * (size_t)n, tv = -INFINITY;
	memset(k->bdone, 0, (size_t)nb);
	for (int i = 0; i < n; i++)
		if (may_play(k, j, i) && (top < 0 || mu[i] + beta * c[i] > tv)) {
			top = i;
			tv = mu[i] + beta * c[i];
		}
	if (top < 0)
		return 0;
	double lo = exact_block(k, j, top / CHUNK, mu, w, beta, W, W32, u, c);
	for (int i = 0; i < n; i++) {
		if (k->bdone[i / CHUNK] || !may_play(k, j, i) || mu[i] + beta * c[i] < lo)
			continue;
		double v = exact_block(k, j, i / CHUNK, mu, w, beta, W, W32, u, c);
		if (v > lo)
			lo = v;
	}
	for (int b = 0; b < nb; b++) {
		int r0 = b * CHUNK, nr = n - r0 < CHUNK ? n - r0 : CHUNK;
		if (k->bdone[b])
			rows += nr;
		else
			memset(w + r0, 0, (size_t)nr * sizeof *w);
	}
	return rows;
}
