/* test_shapley.c - coalitions, Shapley values, the core, convexity and the
 * Assumption-3 scan, on games whose answers are known in closed form. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "check_util.h"
#include "smab/shapley.h"

/* A fresh 2^M table with v[0] = 0. */
static double *game_alloc(int M)
{
	return smab_xcalloc((size_t)1 << M, sizeof(double));
}

/* A random game, values uniform in [-1, 1). */
static double *game_random(gsl_rng *r, int M)
{
	double *v = game_alloc(M);
	for (uint32_t s = 1; s < (1u << M); s++)
		v[s] = 2.0 * gsl_rng_uniform(r) - 1.0;
	return v;
}

/* Glove game: agent 0 holds a left glove, agents 1 and 2 a right one; a
 * coalition is worth the pairs it can make.  Agent 0 is pivotal in every
 * order unless it comes first (prob. 1/3), so phi_0 = 2/3; the two right
 * holders share the rest, 1/6 each. */
START_TEST(test_glove)
{
	double v[8] = {0}, phi[3];
	for (uint32_t s = 1; s < 8; s++)
		v[s] = ((s & 1u) && (s & 6u)) ? 1.0 : 0.0;
	ck_assert_int_eq(smab_shapley_exact(3, v, phi), SMAB_OK);
	ck_assert_double_eq_tol(phi[0], 2.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(phi[1], 1.0 / 6.0, 1e-12);
	ck_assert_double_eq_tol(phi[2], 1.0 / 6.0, 1e-12);
}
END_TEST

/* Weighted majority [4; 3, 2, 1, 1] (agents A, B, C, D).  An agent is
 * pivotal in an order when the weight w before it is short of the quota
 * and w + its weight reaches it; the S before it, of size k, stands for
 * k! (3-k)! of the 24 orders.
 *   A (3): w in {1,2,3}: S = {C}, {D}, {B} (2 orders each) and {C,D},
 *          {B,C}, {B,D} (2 each) -> 12/24 = 1/2.
 *   B (2): w in {2,3}: S = {A} (2), {C,D} (2) -> 4/24 = 1/6.
 *   C (1): w = 3: S = {A} (2), {B,D} (2) -> 1/6; D likewise 1/6.
 * The sum is 1 = v(N). */
START_TEST(test_weighted_majority)
{
	static const int wt[4] = {3, 2, 1, 1};
	double v[16] = {0}, phi[4];
	for (uint32_t s = 1; s < 16; s++) {
		int w = 0;
		for (int a = 0; a < 4; a++)
			if (s & (1u << a))
				w += wt[a];
		v[s] = w >= 4 ? 1.0 : 0.0;
	}
	ck_assert_int_eq(smab_shapley_exact(4, v, phi), SMAB_OK);
	ck_assert_double_eq_tol(phi[0], 0.5, 1e-12);
	for (int a = 1; a < 4; a++)
		ck_assert_double_eq_tol(phi[a], 1.0 / 6.0, 1e-12);
}
END_TEST

/* Airport game (Littlechild-Owen 1973): v(S) = -max_{i in S} c_i with
 * c_1 <= ... <= c_M; phi_i = -sum_{j <= i} (c_j - c_{j-1}) / (M - j + 1). */
START_TEST(test_airport)
{
	static const double c[] = {1.0, 2.0, 4.0, 7.0, 11.0, 11.5, 20.0};
	for (int M = 1; M <= 7; M++) {
		double *v = game_alloc(M), phi[7];
		for (uint32_t s = 1; s < (1u << M); s++) {
			double mx = 0.0;
			for (int a = 0; a < M; a++)
				if ((s & (1u << a)) && c[a] > mx)
					mx = c[a];
			v[s] = -mx;
		}
		ck_assert_int_eq(smab_shapley_exact(M, v, phi), SMAB_OK);
		double want = 0.0;
		for (int i = 0; i < M; i++) {
			want -= (c[i] - (i ? c[i - 1] : 0.0)) / (double)(M - i);
			ck_assert_double_eq_tol(phi[i], want, 1e-12);
		}
		free(v);
	}
	/* M = 3 by hand: c = (1, 2, 4) -> (-1/3, -5/6, -17/6). */
	double v3[8] = {0, -1, -2, -2, -4, -4, -4, -4}, phi[3];
	ck_assert_int_eq(smab_shapley_exact(3, v3, phi), SMAB_OK);
	ck_assert_double_eq_tol(phi[0], -1.0 / 3.0, 1e-12);
	ck_assert_double_eq_tol(phi[1], -5.0 / 6.0, 1e-12);
	ck_assert_double_eq_tol(phi[2], -17.0 / 6.0, 1e-12);
}
END_TEST

START_TEST(test_axioms_random)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 4357);
	for (int M = 2; M <= 10; M++) {
		uint32_t N = 1u << M;
		double phi[10], phi2[10], phis[10];

		/* Efficiency. */
		double *v = game_random(r, M);
		ck_assert_int_eq(smab_shapley_exact(M, v, phi), SMAB_OK);
		double sum = 0.0;
		for (int a = 0; a < M; a++)
			sum += phi[a];
		ck_assert_double_eq_tol(sum, v[N - 1], 1e-9);

		/* Linearity: phi(v + w) = phi(v) + phi(w). */
		double *w = game_random(r, M), *vw = game_alloc(M);
		for (uint32_t s = 1; s < N; s++)
			vw[s] = v[s] + w[s];
		ck_assert_int_eq(smab_shapley_exact(M, w, phi2), SMAB_OK);
		ck_assert_int_eq(smab_shapley_exact(M, vw, phis), SMAB_OK);
		for (int a = 0; a < M; a++)
			ck_assert_double_eq_tol(phis[a], phi[a] + phi2[a], 1e-12);

		/* Symmetry: make i and j interchangeable, v(S+j) = v(S+i) for
		 * every S holding neither. */
		int i = (int)gsl_rng_uniform_int(r, (unsigned long)M), j;
		do
			j = (int)gsl_rng_uniform_int(r, (unsigned long)M);
		while (j == i);
		uint32_t bi = 1u << i, bj = 1u << j;
		for (uint32_t s = 0; s < N; s++)
			if (!(s & (bi | bj)))
				v[s | bj] = v[s | bi];
		ck_assert_int_eq(smab_shapley_exact(M, v, phi), SMAB_OK);
		ck_assert_double_eq_tol(phi[i], phi[j], 1e-12);

		/* Dummy: v(S + d) = v(S) + v({d}) makes phi_d = v({d}). */
		int d = (int)gsl_rng_uniform_int(r, (unsigned long)M);
		uint32_t bd = 1u << d;
		double vd = 0.25 + 0.5 * gsl_rng_uniform(r);
		for (uint32_t s = 0; s < N; s++)
			if (!(s & bd))
				v[s | bd] = v[s] + vd;
		ck_assert_int_eq(smab_shapley_exact(M, v, phi), SMAB_OK);
		ck_assert_double_eq_tol(phi[d], vd, 1e-12);

		/* Bit-reproducible: the same table gives the same bits. */
		ck_assert_int_eq(smab_shapley_exact(M, v, phi2), SMAB_OK);
		for (int a = 0; a < M; a++)
			ck_assert(phi2[a] == phi[a]);
		free(v);
		free(w);
		free(vw);
	}
	gsl_rng_free(r);
}
END_TEST

START_TEST(test_bad_args)
{
	double v[4] = {0, 1, 1, 3}, phi[2];
	int perm[2] = {0, 1}, dup[2] = {1, 1};
	ck_assert_int_eq(smab_shapley_exact(0, v, phi), SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_exact(SMAB_MAX_AGENTS + 1, v, phi),
	                 SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_exact(2, NULL, phi), SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_exact(2, v, NULL), SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_perm(2, v, 1, perm, phi, NULL), SMAB_OK);
	ck_assert_int_eq(smab_shapley_perm(2, v, 0, perm, phi, NULL), SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_perm(2, v, 1, dup, phi, NULL), SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_perm(2, v, 1, NULL, phi, NULL), SMAB_EINVAL);
	ck_assert_int_eq(smab_shapley_perm(-1, v, 1, perm, phi, NULL), SMAB_EINVAL);
	ck_assert_int_lt(smab_core_check(0, v, phi, 0.0, NULL, NULL), 0);
	ck_assert_int_lt(smab_core_check(2, v, NULL, 0.0, NULL, NULL), 0);
	ck_assert_int_lt(smab_convex_check(17, v, 0.0, NULL, NULL), 0);
	ck_assert_int_lt(smab_convex_check(2, NULL, 0.0, NULL, NULL), 0);
	ck_assert_int_lt(smab_a3_scan(2, NULL, SMAB_A3_ADJACENT, 0.0, NULL, 0, NULL), 0);
	ck_assert_int_lt(smab_a3_scan(0, v, SMAB_A3_ADJACENT, 0.0, NULL, 0, NULL), 0);
	v[2] = NAN;
	ck_assert_int_eq(smab_shapley_exact(2, v, phi), SMAB_EINVAL);
	ck_assert_int_lt(smab_convex_check(2, v, 0.0, NULL, NULL), 0);
	/* The order (0, 1) never reads v[{1}]. */
	ck_assert_int_eq(smab_shapley_perm(2, v, 1, perm, phi, NULL), SMAB_OK);
	ck_assert_double_eq(phi[0], 1.0);
	ck_assert_double_eq(phi[1], 2.0);
	v[2] = 1.0;
	v[0] = 1.0;   /* the empty coalition is worth nothing */
	ck_assert_int_eq(smab_shapley_exact(2, v, phi), SMAB_EINVAL);
}
END_TEST

/* v(S) = |S|^2 is supermodular; its Shapley value (M each, by symmetry)
 * is in the core (Shapley 1971). */
START_TEST(test_convex_game)
{
	enum { M = 4 };
	double v[16] = {0}, phi[M];
	for (uint32_t s = 1; s < 16; s++)
		v[s] = (double)(smab_coal_size(s) * smab_coal_size(s));
	int64_t checked = -1;
	double worst = -1.0;
	ck_assert_int_eq(smab_convex_check(M, v, 0.0, &checked, &worst), 0);
	/* 2^(M-2) C(M,2) triples (S, a < b): 4 * 6. */
	ck_assert_int_eq(checked, 24);
	ck_assert_double_eq(worst, 0.0);
	ck_assert_int_eq(smab_shapley_exact(M, v, phi), SMAB_OK);
	for (int a = 0; a < M; a++)
		ck_assert_double_eq_tol(phi[a], 4.0, 1e-12);
	uint32_t wm = 99;
	double ex = 99.0;
	ck_assert_int_eq(smab_core_check(M, v, phi, 1e-12, &wm, &ex), 1);
	/* The grand coalition's excess is 0, every other one negative. */
	ck_assert_uint_eq(wm, 15);
	ck_assert_double_eq_tol(ex, 0.0, 1e-12);
	/* Giving out more than v(N) is not feasible. */
	phi[0] += 1.0;
	ck_assert_int_eq(smab_core_check(M, v, phi, 1e-12, NULL, NULL), 0);
}
END_TEST

/* 3-player majority: any two win.  Every pair must get 1 out of 1, so the
 * core is empty; the marginal contribution of a to {c} is 1, to {b, c} 0,
 * so it is not convex: the three triples (S = {c}, a, b) are violated. */
START_TEST(test_majority_empty_core)
{
	double v[8] = {0}, p[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
	for (uint32_t s = 1; s < 8; s++)
		v[s] = smab_coal_size(s) >= 2 ? 1.0 : 0.0;
	int64_t checked;
	double worst;
	ck_assert_int_eq(smab_convex_check(3, v, 0.0, &checked, &worst), 3);
	ck_assert_int_eq(checked, 6);
	ck_assert_double_eq_tol(worst, 1.0, 1e-15);
	uint32_t wm;
	double ex;
	ck_assert_int_eq(smab_core_check(3, v, p, 1e-9, &wm, &ex), 0);
	ck_assert_uint_eq(wm, 3);     /* (0, 1): the first pair in mask order */
	ck_assert_double_eq_tol(ex, 1.0 / 3.0, 1e-15);
	/* No payout helps: (1/2, 1/2, 0) leaves (0, 2) and (1, 2) short. */
	p[0] = p[1] = 0.5;
	p[2] = 0.0;
	ck_assert_int_eq(smab_core_check(3, v, p, 1e-9, &wm, &ex), 0);
	ck_assert_uint_eq(wm, 5);
	ck_assert_double_eq_tol(ex, 0.5, 1e-15);
}
END_TEST

/* Pairs worth 0.6, N worth 1: the equal split gives every pair 2/3 >= 0.6,
 * so the core is not empty, but a's contribution falls from 0.6 (to {c})
 * to 0.4 (to {b, c}): not convex, three triples violated by 0.2. */
START_TEST(test_core_not_convex)
{
	double v[8] = {0, 0, 0, 0.6, 0, 0.6, 0.6, 1.0}, phi[3];
	int64_t checked;
	double worst;
	ck_assert_int_eq(smab_convex_check(3, v, 0.0, &checked, &worst), 3);
	ck_assert_int_eq(checked, 6);
	ck_assert_double_eq_tol(worst, 0.2, 1e-12);
	/* A tolerance above the violation forgives it. */
	ck_assert_int_eq(smab_convex_check(3, v, 0.25, NULL, NULL), 0);
	ck_assert_int_eq(smab_shapley_exact(3, v, phi), SMAB_OK);
	for (int a = 0; a < 3; a++)
		ck_assert_double_eq_tol(phi[a], 1.0 / 3.0, 1e-12);
	uint32_t wm;
	double ex;
	ck_assert_int_eq(smab_core_check(3, v, phi, 1e-12, &wm, &ex), 1);
	ck_assert_uint_eq(wm, 7);
	ck_assert_double_eq_tol(ex, 0.0, 1e-12);
}
END_TEST

/* Next lexicographic permutation of p[0..n-1]; 0 after the last. */
static int next_perm(int *p, int n)
{
	int i = n - 2;
	while (i >= 0 && p[i] >= p[i + 1])
		i--;
	if (i < 0)
		return 0;
	int j = n - 1;
	while (p[j] <= p[i])
		j--;
	int t = p[i];
	p[i] = p[j];
	p[j] = t;
	for (int a = i + 1, b = n - 1; a < b; a++, b--) {
		t = p[a];
		p[a] = p[b];
		p[b] = t;
	}
	return 1;
}

START_TEST(test_perm_all_orders)
{
	enum { M = 4, NP = 24 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 1);
	double *v = game_random(r, M), exact[M], phi[M], sd[M];
	int perm[NP * M], p[M] = {0, 1, 2, 3}, n = 0;
	do
		for (int i = 0; i < M; i++)
			perm[n * M + i] = p[i];
	while (++n < NP && next_perm(p, M));
	ck_assert_int_eq(n, NP);
	ck_assert_int_eq(smab_shapley_exact(M, v, exact), SMAB_OK);
	ck_assert_int_eq(smab_shapley_perm(M, v, NP, perm, phi, sd), SMAB_OK);
	for (int a = 0; a < M; a++) {
		ck_assert_double_eq_tol(phi[a], exact[a], 1e-12);
		ck_assert(sd[a] > 0.0);
	}
	/* One order: sd is undefined. */
	ck_assert_int_eq(smab_shapley_perm(M, v, 1, perm, phi, sd), SMAB_OK);
	ck_assert(isnan(sd[0]));
	free(v);
	gsl_rng_free(r);
}
END_TEST

START_TEST(test_perm_converges)
{
	enum { M = 8, NP = 2000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 2);
	double *v = game_random(r, M), exact[M], phi[M], sd[M];
	int *perm = smab_xmalloc(NP * M * sizeof *perm);
	smab_coal_perms(12345, M, NP, perm);
	ck_assert_int_eq(smab_shapley_exact(M, v, exact), SMAB_OK);
	ck_assert_int_eq(smab_shapley_perm(M, v, NP, perm, phi, sd), SMAB_OK);
	for (int a = 0; a < M; a++)
		ck_assert(fabs(phi[a] - exact[a]) < 4.0 * sd[a] / sqrt(NP));
	/* Same seed, same orders (a later 'smab shapley' redraws them). */
	int *again = smab_xmalloc(NP * M * sizeof *again);
	smab_coal_perms(12345, M, NP, again);
	for (int i = 0; i < NP * M; i++)
		ck_assert_int_eq(again[i], perm[i]);
	free(again);
	free(perm);
	free(v);
	gsl_rng_free(r);
}
END_TEST

START_TEST(test_perm_masks)
{
	enum { M = 6, NP = 7 };
	int perm[NP * M];
	uint32_t masks[NP * M];
	smab_coal_perms(99, M, NP, perm);
	for (int k = 0; k < NP; k++) {      /* each order is a permutation */
		uint32_t seen = 0;
		for (int i = 0; i < M; i++)
			seen |= 1u << perm[k * M + i];
		ck_assert_uint_eq(seen, (1u << M) - 1);
	}
	int n = smab_coal_perm_masks(M, NP, perm, masks);
	ck_assert_int_gt(n, M);
	ck_assert_int_le(n, NP * (M - 1) + 1);
	ck_assert_uint_eq(masks[n - 1], (1u << M) - 1);   /* the grand coalition */
	for (int i = 1; i < n; i++) {      /* strictly sorted: size, then value */
		int si = smab_coal_size(masks[i]), sp = smab_coal_size(masks[i - 1]);
		ck_assert(sp < si || (sp == si && masks[i - 1] < masks[i]));
	}
	/* Every mask is a prefix of some order, and every prefix is there. */
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (int k = 0; k < NP && !found; k++) {
			uint32_t s = 0;
			for (int j = 0; j < M && !found; j++) {
				s |= 1u << perm[k * M + j];
				found = s == masks[i];
			}
		}
		ck_assert(found);
	}
	for (int k = 0; k < NP; k++) {
		uint32_t s = 0;
		for (int j = 0; j < M; j++) {
			s |= 1u << perm[k * M + j];
			int found = 0;
			for (int i = 0; i < n; i++)
				found |= masks[i] == s;
			ck_assert(found);
		}
	}
}
END_TEST

START_TEST(test_coal_all_sizes)
{
	uint32_t m[1u << 10];
	ck_assert_int_eq(smab_coal_all(4, m), 15);
	static const uint32_t want4[15] = {1, 2, 4, 8, 3, 5, 6, 9, 10, 12,
	                                   7, 11, 13, 14, 15};
	for (int i = 0; i < 15; i++)
		ck_assert_uint_eq(m[i], want4[i]);
	for (int M = 1; M <= 10; M++)
		ck_assert_int_eq(smab_coal_all(M, m), (1 << M) - 1);

	/* Sizes 2 and 4 of 6 agents: C(6,2) + C(6,4) = 15 + 15. */
	int sizes[2] = {4, 2};
	int n = smab_coal_sizes(6, sizes, 2, m);
	ck_assert_int_eq(n, 30);
	for (int i = 0; i < 15; i++)
		ck_assert_int_eq(smab_coal_size(m[i]), 2);
	for (int i = 15; i < 30; i++)
		ck_assert_int_eq(smab_coal_size(m[i]), 4);
	for (int i = 1; i < n; i++)
		ck_assert(smab_coal_size(m[i - 1]) < smab_coal_size(m[i])
		          || m[i - 1] < m[i]);
	int one = 1;
	ck_assert_int_eq(smab_coal_sizes(10, &one, 1, m), 10);
	int all = 10;
	ck_assert_int_eq(smab_coal_sizes(10, &all, 1, m), 1);
	ck_assert_uint_eq(m[0], 1023);

	uint32_t d[6] = {7, 1, 7, 3, 1, 2};
	ck_assert_int_eq(smab_coal_sort(d, 6), 4);
	ck_assert_uint_eq(d[0], 1);
	ck_assert_uint_eq(d[1], 2);
	ck_assert_uint_eq(d[2], 3);
	ck_assert_uint_eq(d[3], 7);
	ck_assert_int_eq(smab_coal_size(0xffffu), 16);
}
END_TEST

/* A 3-agent regret table R[mask * 3 + agent] (NaN: not a member):
 *   {0}: 10      {1}: 10      {2}: 10
 *   {0,1}: 8, 12 (agent 1 worse than alone: violation 1)
 *   {0,2}: 7, 9  {1,2}: 9, 9
 *   {0,1,2}: 6, 9.5, 8 (agent 1 worse than in {1,2}: violation 2)
 * Pairs compared: 3 pairs x 2 agents x 1 sub-coalition + 3 agents x 2
 * sub-coalitions of the grand coalition = 12. */
START_TEST(test_a3_scan)
{
	double R[24];
	for (int i = 0; i < 24; i++)
		R[i] = NAN;
	R[1 * 3 + 0] = 10; R[2 * 3 + 1] = 10; R[4 * 3 + 2] = 10;
	R[3 * 3 + 0] = 8;  R[3 * 3 + 1] = 12;
	R[5 * 3 + 0] = 7;  R[5 * 3 + 2] = 9;
	R[6 * 3 + 1] = 9;  R[6 * 3 + 2] = 9;
	R[7 * 3 + 0] = 6;  R[7 * 3 + 1] = 9.5; R[7 * 3 + 2] = 8;
	smab_a3_pair out[4];
	int64_t checked = 0;
	ck_assert_int_eq(smab_a3_scan(3, R, SMAB_A3_ADJACENT, 0.0, out, 4, &checked), 2);
	ck_assert_int_eq(checked, 12);
	ck_assert_uint_eq(out[0].q, 3);
	ck_assert_uint_eq(out[0].s, 2);
	ck_assert_int_eq(out[0].agent, 1);
	ck_assert_double_eq(out[0].rq, 12.0);
	ck_assert_double_eq(out[0].rs, 10.0);
	ck_assert_uint_eq(out[1].q, 7);
	ck_assert_uint_eq(out[1].s, 6);
	ck_assert_int_eq(out[1].agent, 1);
	ck_assert_double_eq(out[1].rq, 9.5);
	ck_assert_double_eq(out[1].rs, 9.0);
	/* Fewer slots than violations: the count stays, the first is kept. */
	out[1].q = 0;
	ck_assert_int_eq(smab_a3_scan(3, R, SMAB_A3_ADJACENT, 0.0, out, 1, NULL), 2);
	ck_assert_uint_eq(out[0].q, 3);
	ck_assert_uint_eq(out[1].q, 0);
	ck_assert_int_eq(smab_a3_scan(3, R, SMAB_A3_ADJACENT, 0.0, NULL, 0, NULL), 2);
	/* A tolerance of 1 forgives the 0.5. */
	ck_assert_int_eq(smab_a3_scan(3, R, SMAB_A3_ADJACENT, 1.0, NULL, 0, NULL), 1);
	/* Every sub-coalition: the 12 pairs and agent a against itself alone in
	 * the grand coalition (3 more); (1, 2, 3) agent 2 now also meets (2)
	 * (9.5 against 10, no violation), so the same 2, in the same order. */
	ck_assert_int_eq(smab_a3_scan(3, R, SMAB_A3_SUBSETS, 0.0, out, 4, &checked), 2);
	ck_assert_int_eq(checked, 15);
	ck_assert_uint_eq(out[1].q, 7);
	ck_assert_uint_eq(out[1].s, 6);
	ck_assert_int_lt(smab_a3_scan(3, R, 2, 0.0, NULL, 0, NULL), 0);
	/* A coalition not run is skipped. */
	R[7 * 3 + 1] = NAN;
	ck_assert_int_eq(smab_a3_scan(3, R, SMAB_A3_ADJACENT, 0.0, NULL, 0, &checked), 1);
	ck_assert_int_eq(checked, 10);
}
END_TEST

static Suite *shapley_suite(void)
{
	Suite *s = suite_create("shapley");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_glove);
	tcase_add_test(tc, test_weighted_majority);
	tcase_add_test(tc, test_airport);
	tcase_add_test(tc, test_axioms_random);
	tcase_add_test(tc, test_bad_args);
	tcase_add_test(tc, test_convex_game);
	tcase_add_test(tc, test_majority_empty_core);
	tcase_add_test(tc, test_core_not_convex);
	tcase_add_test(tc, test_perm_all_orders);
	tcase_add_test(tc, test_perm_converges);
	tcase_add_test(tc, test_perm_masks);
	tcase_add_test(tc, test_coal_all_sizes);
	tcase_add_test(tc, test_a3_scan);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(shapley_suite()); }
