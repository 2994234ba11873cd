/* bench_coalition.c - single-core speed of the coalition suite on
 * MovieLens-100k, against the machine's DGEMM peak, in one process.
 *
 *   bench_coalition [rounds]      rounds per measurement, default 256
 *
 * 1. The DGEMM peak: C = A B with n = 1000 (2 n^3 flops), single-threaded
 *    OpenBLAS like everything in smab.
 * 2. The suite's run() on the occupation instance (d = 100, 1682 movies),
 *    LinUCB-M for coalitions of 1, 2, 4 and 8 agents: agent-rounds per
 *    second, and GFLOP/s counting the round's one DGEMM, 2 n d (m d + m)
 *    flops for m members, as a fraction of the peak.  GREEDY likewise (its
 *    product has m columns only, so it is memory-bound: reported as
 *    agent-rounds/s).
 * The data directory: $SMAB_DATA, else ../shared/data/ml-100k, else
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

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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
	double best = 0.0, t0 = now();
	do {
		double t1 = now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
		double g = 2.0 * n * (double)n * n / (now() - t1) / 1e9;
		if (g > best)
			best = g;
	} while (now() - t0 < (quick ? 0.1 : 1.0));
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

int main(int argc, char **argv)
{
	const char *q = getenv("BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0") != 0;
	int T = argc > 1 ? atoi(argv[1]) : 256;
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
	double peak = dgemm_gflops(quick);
	printf("DGEMM peak (n = %d, 1 thread): %.2f GFLOP/s\n", quick ? 300 : 1000, peak);
	printf("bench dgemm.gflops %.4g\n", peak);
	double t0 = now();
	task_seconds(p, smab_suite_mech(S, "greedy"), 1, 1);   /* load and embed once */
	printf("MovieLens-100k load + d = 100 embedding: %.2f s (once per process)\n", now() - t0);

	const int n = 1682, d = 100;
	static const int sizes[] = {1, 2, 4, 8};
	for (int g = 0; g < 2; g++) {
		const char *mech = g ? "greedy" : "linucb";
		int k = smab_suite_mech(S, mech);
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			int m = sizes[s];
			unsigned mask = (1u << m) - 1;
			int rounds = g ? 4 * T : T;
			double best = INFINITY;
			for (int rep = 0; rep < (quick ? 1 : 2); rep++) {
				double sec = task_seconds(p, k, mask, rounds);
				if (sec < best)
					best = sec;
			}
			double ar = (double)m * rounds / best;
			double fl = 2.0 * n * d * (g ? 1.0 : d + 1.0);   /* per agent-round */
			double gf = ar * fl / 1e9;
			printf("%-7s m = %d: %8.0f agent-rounds/s, %6.2f GFLOP/s in the round's DGEMM (%.1f%% of peak)\n",
			       mech, m, ar, gf, 100.0 * gf / peak);
			printf("bench coalition.%s.m%d.agent_rounds %.4g\n", mech, m, ar);
			printf("bench coalition.%s.m%d.peak_fraction %.4g\n", mech, m, gf / peak);
		}
	}
	return 0;
}
