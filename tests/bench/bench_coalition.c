/* bench_coalition.c - single-core speed of the coalition suite on
 * MovieLens-100k, and the agreement of its width kernels, in one process.
 *
 *   bench_coalition [rounds]        speed, rounds per measurement (default 256)
 *   bench_coalition --agree [T [double|single|mixed]]   agreement of the
 *                                   kernels' choices (T 4096; all precisions)
 *
 * Speed:
 * 1. The DGEMM peak: C = A B with n = 1000 (2 n^3 flops), single-threaded
 *    OpenBLAS like everything in smab; and the bare products of the two
 *    width kernels, in the suite's blocks of 128 of the 1682 movies (d =
 *    100): the DTRMM (and STRMM) of the trmm kernel, n d^2 multiply-adds
 *    per member, and the DGEMM of the gemm kernel, 2 n d (m d + m) flops
 *    for m members.
 * 2. The suite's run() on the occupation instance, LinUCB-M for coalitions
 *    of 1, 2, 4 and 8 agents, with kernel gemm (the reference), trmm, and
 *    trmm in single and in mixed precision, one after the other for each size:
 *    agent-rounds per second, the speedup over gemm, and the kernel's
 *    flops per second as a share of its bare product's.  GREEDY too (no
 *    widths; the same code under both kernels), as agent-rounds/s.
 * 3. Reuse (the default 'reuse: user'): the same coalitions at T = 4096,
 *    where users come back, under mixed precision without and with reuse
 *    and under double and single with it: agent-rounds per second against
 *    mixed without reuse in the same pass and against gemm's of step 2
 *    (the per-agent-round cost of a kernel does not depend on T).
 * Agreement (--agree): LinUCB-M, one replication of T rounds, on gender
 * (its three coalitions) and occupation (agents {1}, {1,2}, {1..4},
 * {1..8}); the chosen movie of every agent-round under trmm (double,
 * single and mixed, with the default reuse) against gemm, via
 * SMAB_TEST_COALITION_CHOICES, and the mean number of movies whose widths
 * were recomputed per member-round where the reuse (a block or more) or
 * the mixed screen (its candidates) left out the rest.  The first
 * agent-round where the runs part ends the comparison of that coalition:
 * after it the histories differ, so later choices are not comparable.
 * Agreement = identical choices before the first difference / all.
 * Times are CPU seconds of the process (one OpenBLAS thread), the best of
 * two runs.  The data directory: $SMAB_DATA, else ../shared/data/ml-100k, else
 * /work/shared/data/ml-100k.  Prints "bench <key> <value>" lines for
 * scripts/bench/run.sh.  BENCH_QUICK=1 shrinks everything to a smoke test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "smab/linalg.h"
#include "smab/param.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_coalition;

/* The process's CPU time: on a machine shared with other jobs, wall time
 * would measure the others' load as much as the kernels. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The best GFLOP/s of repeated calls of op(arg), flops each, over 'budget'
 * CPU seconds. */
static double best_gflops(void (*op)(const void *), const void *arg, double flops,
                          double budget)
{
	double best = 0.0, t0 = now();
	do {
		double t1 = now();
		op(arg);
		double g = flops / (now() - t1) / 1e9;
		if (g > best)
			best = g;
	} while (now() - t0 < budget);
	return best;
}

struct square { int n; const double *A, *B; double *C; };

static void square_dgemm(const void *arg)
{
	const struct square *q = arg;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, q->n, q->n, q->n, 1.0, q->A, q->n,
	            q->B, q->n, 0.0, q->C, q->n);
}

static double dgemm_gflops(int quick)
{
	int n = quick ? 300 : 1000;
	size_t nn = (size_t)n * (size_t)n;
	double *A = malloc(sizeof(double) * nn), *B = malloc(sizeof(double) * nn);
	double *C = malloc(sizeof(double) * nn);
	for (size_t i = 0; i < nn; i++) {
		A[i] = (double)(i % 97) / 97.0;
		B[i] = (double)(i % 89) / 89.0;
	}
	struct square q = {n, A, B, C};
	double best = best_gflops(square_dgemm, &q, 2.0 * n * (double)n * n, quick ? 0.1 : 1.0);
	free(A);
	free(B);
	free(C);
	return best;
}

static const char *data_dir(void)
{
	const char *d = getenv("SMAB_DATA");
	if (d && *d)
		return d;
	if (access("data/ml-100k/u.data", R_OK) == 0)
		return "data/ml-100k";
	if (access("../shared/data/ml-100k/u.data", R_OK) == 0)
		return "../shared/data/ml-100k";
	return "/work/shared/data/ml-100k";
}

static void set(smab_value *p, const char *name, double x)
{
	int i = smab_suite_param(&smab_suite_coalition, name);
	if (i < 0) {
		fprintf(stderr, "bench_coalition: no parameter %s\n", name);
		exit(1);
	}
	p[i].x = x;
}

/* Seconds of one task: mechanism 'mech', coalition 'mask', T rounds. */
static double task_seconds(smab_value *p, int mech, unsigned mask, int T)
{
	const smab_suite *S = &smab_suite_coalition;
	double scalar[64], curve[64];
	int64_t check = T;
	set(p, "coalition", mask);
	set(p, "horizon", T);
	smab_task t = {.p = p, .seed = 1, .point = 0, .rep = 0, .nmech = 1,
	               .mech = &mech, .ncheck = 1, .check = &check};
	smab_task_out out = {scalar, curve};
	double t0 = now();
	if (S->run(&t, &out) != SMAB_OK) {
		fprintf(stderr, "bench_coalition: the task failed\n");
		exit(1);
	}
	return now() - t0;
}

enum { BN = 1682, BD = 100, BCH = 128 };

/* The operands of a bare width product (bare_gflops). */
struct bare {
	int kind, m, ld;
	const double *X, *B, *W;
	const float *X32, *W32;
	double *Y;
	float *Y32;
};

static void bare_product(const void *arg)
{
	const struct bare *b = arg;
	for (int r0 = 0; r0 < BN; r0 += BCH) {
		int rows = BN - r0 < BCH ? BN - r0 : BCH;
		if (b->kind == 0) {
			smab_gemm(rows, b->ld, BD, b->X + (size_t)r0 * BD, b->B, b->Y);
			continue;
		}
		for (int j = 0; j < b->m; j++) {
			if (b->kind == 1) {
				memcpy(b->Y, b->X + (size_t)r0 * BD, sizeof(double) * (size_t)rows * BD);
				cblas_dtrmm(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans,
				            CblasNonUnit, rows, BD, 1.0, b->W, BD, b->Y, BD);
			} else {
				memcpy(b->Y32, b->X32 + (size_t)r0 * BD, sizeof(float) * (size_t)rows * BD);
				cblas_strmm(CblasRowMajor, CblasRight, CblasUpper, CblasNoTrans,
				            CblasNonUnit, rows, BD, 1.0f, b->W32, BD, b->Y32, BD);
			}
		}
	}
}

/* GFLOP/s of the bare product of a width kernel over the 1682 movies in
 * blocks of 128, d = 100: kind 0 the gemm kernel's DGEMM for m members
 * (2 n d (m d + m) flops), 1 the trmm kernel's DTRMM and 2 its STRMM (n d^2
 * flops per member, the copy of each block included, as in the kernel). */
static double bare_gflops(int kind, int m, int quick)
{
	int ld = m * BD + m;
	double *X = malloc(sizeof(double) * BN * BD), *B = malloc(sizeof(double) * BD * (size_t)ld);
	double *Y = malloc(sizeof(double) * BCH * (size_t)ld), *W = calloc(BD * BD, sizeof(double));
	float *X32 = malloc(sizeof(float) * BN * BD), *Y32 = malloc(sizeof(float) * BCH * BD);
	float *W32 = calloc(BD * BD, sizeof(float));
	for (int i = 0; i < BN * BD; i++) {
		X[i] = (double)(i % 97) / 97.0 - 0.5;
		X32[i] = (float)X[i];
	}
	for (int i = 0; i < BD * ld; i++)
		B[i] = (double)(i % 89) / 89.0;
	for (int i = 0; i < BD; i++)
		for (int j = i; j < BD; j++)
			W32[i * BD + j] = (float)(W[i * BD + j] = i == j ? 1.0 : 0.01 * ((i + j) % 7));
	struct bare b = {kind, m, ld, X, B, W, X32, W32, Y, Y32};
	double fl = kind == 0 ? 2.0 * BN * BD * ld : (double)m * BN * BD * BD;
	double best = best_gflops(bare_product, &b, fl, quick ? 0.05 : 0.3);
	free(X);
	free(B);
	free(Y);
	free(W);
	free(X32);
	free(Y32);
	free(W32);
	return best;
}

/* --agree: LinUCB-M under kernel trmm (double, single, mixed) in lockstep
 * with gemm, on gender's three coalitions and on occupation's agents {1},
 * {1,2}, {1..4}, {1..8}; prints the share of agent-rounds where the two
 * choose the same movie, the largest relative width error, and the largest
 * relative index gap where they differ. */
static int agree(smab_value *p, int T, int only)
{
	const smab_suite *S = &smab_suite_coalition;
	static const struct { const char *name; int groups; unsigned masks[4]; } games[] = {
		{"gender", 0, {1, 2, 3, 0}},
		{"occupation", 2, {1, 3, 15, 255}},
	};
	char path[] = "/tmp/smab-agree.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("bench_coalition: mkstemp");
		return 1;
	}
	close(fd);
	setenv("SMAB_TEST_COALITION_CHOICES", path, 1);
	int linucb = smab_suite_mech(S, "linucb");
	setvbuf(stdout, NULL, _IOLBF, 0);
	static const char *const pname[3] = {"double", "single", "mixed"};
	for (int prec = 0; prec < 3; prec++) {
		if (only >= 0 && prec != only)
			continue;
		set(p, "precision", prec);
		for (size_t g = 0; g < sizeof games / sizeof games[0]; g++) {
			set(p, "groups", games[g].groups);
			for (int c = 0; c < 4 && games[g].masks[c]; c++) {
				unsigned mask = games[g].masks[c];
				if (truncate(path, 0) != 0) {
					perror("bench_coalition: truncate");
					return 1;
				}
				task_seconds(p, linucb, mask, T);
				FILE *f = fopen(path, "r");
				char mech[32];
				unsigned mk, rep;
				long long t;
				int a, i, iref, nc;
				double err, gap, maxerr = 0, maxgap = 0;
				long n = 0, same = 0, cands = 0, nscreen = 0;
				while (f && fscanf(f, "%31s %u %u %lld %d %d %d %lf %lf %d", mech, &mk, &rep,
				                   &t, &a, &i, &iref, &err, &gap, &nc) == 10) {
					n++;
					if (nc >= 0) {
						cands += nc;
						nscreen++;
					}
					same += i == iref;
					maxerr = err > maxerr ? err : maxerr;
					maxgap = gap > maxgap ? gap : maxgap;
				}
				if (f)
					fclose(f);
				const char *pr = pname[prec];
				printf("%-10s coalition %3u, %s: %ld of %ld agent-rounds choose gemm's movie "
				       "(%.4f%%), width error <= %.2e, largest index gap where they differ %.2e",
				       games[g].name, mk, pr, same, n, n ? 100.0 * (double)same / (double)n : 0.0,
				       maxerr, maxgap);
				double per = nscreen ? (double)cands / (double)nscreen : 0.0;
				printf("; %.1f movies recomputed per member-round in the %ld that reuse or "
				       "screen\n", per, nscreen);
				printf("bench coalition.agree.%s.%u.%s.recomputed %.4g\n", games[g].name, mask,
				       pr, per);
				printf("bench coalition.agree.%s.%u.%s.rate %.6g\n", games[g].name, mask, pr,
				       n ? (double)same / (double)n : 0.0);
				printf("bench coalition.agree.%s.%u.%s.width_error %.3g\n", games[g].name, mask,
				       pr, maxerr);
			}
		}
	}
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *q = getenv("BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0") != 0;
	int agreeing = argc > 1 && strcmp(argv[1], "--agree") == 0;
	int T = argc > 1 + agreeing ? atoi(argv[1 + agreeing]) : agreeing ? 4096 : 256;
	if (quick)
		T = 16;
	smab_linalg_setup();
	const smab_suite *S = &smab_suite_coalition;
	smab_value p[64];
	memset(p, 0, sizeof p);
	for (int i = 0; i < S->nparams; i++) {
		const smab_param_decl *d = &S->params[i];
		if (d->type == SMAB_P_ENUM)
			p[i].x = smab_param_choice(d, d->def);
		else if (d->type != SMAB_P_STR)
			p[i].x = atof(d->def);
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", data_dir());
	p[smab_suite_param(S, "data")].s = dir;
	set(p, "instance", 3);                 /* movielens */
	set(p, "groups", 2);                   /* occupation: 8 agents */
	char msg[512];
	int bad;
	if (S->check(p, msg, sizeof msg, &bad)) {
		fprintf(stderr, "bench_coalition: %s\n", msg);
		return 1;
	}
	if (agreeing)
		return agree(p, T, argc <= 3 ? -1 : strcmp(argv[3], "single") == 0 ? 1
		                              : strcmp(argv[3], "mixed") == 0 ? 2 : 0);
	double peak = dgemm_gflops(quick);
	printf("DGEMM peak (n = %d, 1 thread): %.2f GFLOP/s\n", quick ? 300 : 1000, peak);
	printf("bench dgemm.gflops %.4g\n", peak);
	double t0 = now();
	task_seconds(p, smab_suite_mech(S, "greedy"), 1, 1);   /* load and embed once */
	printf("MovieLens-100k load + d = 100 embedding: %.2f s (once per process)\n", now() - t0);

	const int n = 1682, d = 100;
	static const int sizes[] = {1, 2, 4, 8};
	static const char *const kname[4] = {"gemm", "trmm", "single", "mixed"};
	int linucb = smab_suite_mech(S, "linucb");
	double gemm_ar[4];
	set(p, "reuse", 1);                    /* none: the kernels alone */
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int m = sizes[s];
		unsigned mask = (1u << m) - 1;
		double ar[4];
		for (int kk = 0; kk < 4; kk++) {
			set(p, "kernel", kk == 0);          /* trmm|gemm */
			set(p, "precision", kk < 2 ? 0 : kk - 1);   /* double|single|mixed */
			double best = INFINITY;
			for (int rep = 0; rep < (quick ? 1 : 2); rep++) {
				double sec = task_seconds(p, linucb, mask, T);
				if (sec < best)
					best = sec;
			}
			ar[kk] = (double)m * T / best;
			/* flops per agent-round in the kernel's widths product */
			double fl = kk == 0 ? 2.0 * n * d * (d + 1.0) : (double)n * d * d;
			double bare = bare_gflops(kk < 2 ? kk : 2, m, quick), gf = ar[kk] * fl / 1e9;
			printf("linucb m = %d, %-6s: %8.0f agent-rounds/s, %5.2fx gemm's; %6.2f GFLOP/s in "
			       "the widths product, %.1f%% of its bare %s (%.2f GFLOP/s)\n", m, kname[kk],
			       ar[kk], ar[kk] / ar[0], gf, 100.0 * gf / bare,
			       kk == 0 ? "DGEMM" : kk == 1 ? "DTRMM" : "STRMM", bare);
			static const char *const keys[4] = {".gemm", "", ".single", ".mixed"};
			const char *key = keys[kk];
			printf("bench coalition.linucb%s.m%d.agent_rounds %.4g\n", key, m, ar[kk]);
			printf("bench coalition.linucb%s.m%d.peak_fraction %.4g\n", key, m, gf / bare);
			if (kk)
				printf("bench coalition.linucb%s.m%d.speedup %.4g\n", key, m, ar[kk] / ar[0]);
		}
		gemm_ar[s] = ar[0];
	}
	/* reuse: a user's widths bound its later ones, so a later round
	 * recomputes a block or two; it pays only once users come back, so at
	 * the experiments' horizon, against the same precision without it */
	int TR = quick ? 16 : 4096;
	set(p, "kernel", 0);
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int m = sizes[s];
		unsigned mask = (1u << m) - 1;
		double ar[4];
		static const char *const rname[4] = {"mixed, none", "mixed", "double", "single"};
		static const char *const rkey[4] = {".mixed.none", ".mixed", ".double", ".single"};
		for (int kk = 0; kk < 4; kk++) {
			set(p, "reuse", kk == 0);       /* user|none */
			set(p, "precision", kk <= 1 ? 2 : kk == 2 ? 0 : 1);
			ar[kk] = (double)m * TR / task_seconds(p, linucb, mask, TR);
			printf("linucb m = %d, reuse %-11s T = %d: %8.0f agent-rounds/s", m, rname[kk], TR,
			       ar[kk]);
			if (kk)
				printf(", %5.2fx mixed without reuse, %5.2fx gemm's", ar[kk] / ar[0],
				       ar[kk] / gemm_ar[s]);
			printf("\n");
			printf("bench coalition.reuse%s.m%d.agent_rounds %.4g\n", rkey[kk], m, ar[kk]);
			if (kk) {
				printf("bench coalition.reuse%s.m%d.speedup_none %.4g\n", rkey[kk], m,
				       ar[kk] / ar[0]);
				printf("bench coalition.reuse%s.m%d.speedup %.4g\n", rkey[kk], m,
				       ar[kk] / gemm_ar[s]);
			}
		}
	}
	set(p, "reuse", 0);
	set(p, "kernel", 0);
	set(p, "precision", 0);
	int greedy = smab_suite_mech(S, "greedy");
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		int m = sizes[s];
		double best = INFINITY;
		for (int rep = 0; rep < (quick ? 1 : 2); rep++) {
			double sec = task_seconds(p, greedy, (1u << m) - 1, 4 * T);
			if (sec < best)
				best = sec;
		}
		double ar = (double)m * 4 * T / best;
		printf("greedy m = %d: %8.0f agent-rounds/s (means only: memory-bound)\n", m, ar);
		printf("bench coalition.greedy.m%d.agent_rounds %.4g\n", m, ar);
	}
	return 0;
}
