/* bench_contextual.c - single-core speed of the contextual suite and of the
 * least-squares layer, in one process (no MPI).
 *
 *   bench_contextual [seconds]     time budget per measurement, default 1
 *
 * 1. The suite's run() at its defaults (N = 10, d = 10, T = 5000), one
 *    mechanism at a time: linucb, cobra-ucb (exact and cached LOOM).
 * 2. LinUCB over 1682 fixed actions in d = 100 (the coalition suite's
 *    MovieLens shape): (a) incremental means and widths through
 *    smab_ls_fixed_step (one DGEMV a round plus one fused K-long pass),
 *    (b) the same with the single-precision option (smab_ls_fixed_single:
 *    SGEMV over a float copy of the actions), (c) every width recomputed
 *    each round as rowsum((X V^-1) .* X) through one DSYMM.
 * 3. The machine's DGEMM peak: C = A B with n = 1000 (2 n^3 flops),
 *    single-threaded OpenBLAS like everything else here.
 * Prints "bench <key> <value>" lines for scripts/bench/run.sh.
 * BENCH_QUICK=1 shrinks everything to a smoke test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include <gsl/gsl_rng.h>

#include "smab/linalg.h"
#include "smab/param.h"
#include "smab/rng.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_contextual;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Benchmark data from the rng module's test purpose, like every other
 * random number in smab. */
static gsl_rng *bench_rng;
static double unif(void)
{
	if (!bench_rng) {
		bench_rng = smab_rng_alloc();
		smab_rng_key k = {1, 0, 0};
		smab_rng_seek(bench_rng, &k, SMAB_RNG_TEST, 7, 0);
	}
	return gsl_rng_uniform(bench_rng);
}

static double suite_rate(const char *mech, int loom_cached, double budget, int quick)
{
	const smab_suite *S = &smab_suite_contextual;
	smab_value p[64];
	for (int i = 0; i < S->nparams; i++) {
		const smab_param_decl *d = &S->params[i];
		p[i].n = 0;
		p[i].v = NULL;
		p[i].x = d->type == SMAB_P_ENUM ? smab_param_choice(d, d->def) : strtod(d->def, NULL);
	}
	if (quick)
		p[smab_suite_param(S, "horizon")].x = 500;
	p[smab_suite_param(S, "loom")].x = loom_cached;
	int64_t T = (int64_t)p[smab_suite_param(S, "horizon")].x;
	int m = smab_suite_mech(S, mech);
	double sc[64 * 4], cv[64 * 4];
	smab_task t = {.p = p, .seed = 1, .point = 0, .rep = 0, .nmech = 1, .mech = &m,
	               .ncheck = 1, .check = &T};
	smab_task_out out = {sc, cv};
	double t0 = now(), el = 0.0;
	int reps = 0;
	while (reps < 2 || el < budget) {
		t.rep = (uint32_t)reps;
		if (S->run(&t, &out) != SMAB_OK)
			exit(1);
		reps++;
		el = now() - t0;
	}
	return (double)T * reps / el;
}

/* LinUCB over K fixed actions in dimension d for up to 'budget' seconds;
 * incremental: 1 = smab_ls_fixed_step, 2 = the same in single precision,
 * 0 = all widths by DSYMM. */
static double fixed_rate(int d, int K, int incremental, double budget, int quick)
{
	double *X = malloc(sizeof(double) * (size_t)K * (size_t)d);
	double *work = malloc(sizeof(double) * (size_t)K * (size_t)d);
	double *mean = malloc(sizeof(double) * (size_t)K), *w2 = malloc(sizeof(double) * (size_t)K);
	double *th = malloc(sizeof(double) * (size_t)d), *mu = malloc(sizeof(double) * (size_t)K);
	for (int i = 0; i < K * d; i++)
		X[i] = unif() / sqrt((double)d);
	for (int i = 0; i < d; i++)
		th[i] = unif();
	cblas_dgemv(CblasRowMajor, CblasNoTrans, K, d, 1.0, X, d, th, 1, 0.0, mu, 1);
	smab_ls ls;
	smab_ls_fixed f;
	smab_ls_init(&ls, d, 1.0, 1024);
	smab_ls_fixed_init(&f, &ls, X, K);
	smab_ls_fixed_single(&f, incremental == 2);
	const double beta = 1.0;
	int k = smab_ls_fixed_argmax(&f, beta);
	long rounds = 0, check = quick ? 50 : 500;
	double t0 = now(), el = 0.0;
	while (el < budget) {
		for (long j = 0; j < check; j++) {
			double y = mu[k] + 0.1 * (unif() - 0.5);
			if (incremental) {
				k = smab_ls_fixed_step(&ls, &f, k, y, beta);
				continue;
			}
			smab_ls_update(&ls, X + (size_t)k * (size_t)d, y, 1.0);
			smab_ls_means(&ls, X, K, mean);
			smab_ls_norms2(&ls, X, K, work, w2);
			double bv = -INFINITY;
			for (int i = 0; i < K; i++) {
				double v = mean[i] + beta * sqrt(w2[i] > 0.0 ? w2[i] : 0.0);
				if (v > bv) {
					bv = v;
					k = i;
				}
			}
		}
		rounds += check;
		el = now() - t0;
	}
	smab_ls_fixed_free(&f);
	smab_ls_free(&ls);
	free(X);
	free(work);
	free(mean);
	free(w2);
	free(th);
	free(mu);
	return (double)rounds / el;
}

static double dgemm_gflops(double budget, int quick)
{
	int n = quick ? 300 : 1000;
	double *A = malloc(sizeof(double) * (size_t)n * (size_t)n);
	double *B = malloc(sizeof(double) * (size_t)n * (size_t)n);
	double *C = malloc(sizeof(double) * (size_t)n * (size_t)n);
	for (int i = 0; i < n * n; i++) {
		A[i] = unif();
		B[i] = unif();
	}
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
	double best = 0.0, t0 = now();
	do {
		double t1 = now();
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
		double g = 2.0 * n * (double)n * n / (now() - t1) / 1e9;
		if (g > best)
			best = g;
	} while (now() - t0 < budget);
	free(A);
	free(B);
	free(C);
	return best;
}

int main(int argc, char **argv)
{
	const char *q = getenv("BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0") != 0;
	double budget = argc > 1 ? atof(argv[1]) : 1.0;
	if (quick)
		budget = 0.1;
	smab_linalg_setup();
	const int d = 100, K = 1682;

	double peak = dgemm_gflops(budget, quick);
	printf("DGEMM peak (n = %d, 1 thread): %.2f GFLOP/s\n", quick ? 300 : 1000, peak);
	printf("bench dgemm.gflops %.4g\n", peak);

	double r1 = suite_rate("linucb", 0, budget, quick);
	double r2 = suite_rate("cobra-ucb", 0, budget, quick);
	double r3 = suite_rate("cobra-ucb", 1, budget, quick);
	printf("suite defaults (N = 10, d = 10, T = %d): linucb %.0f, cobra-ucb exact %.0f, "
	       "cobra-ucb cached %.0f rounds/s\n", quick ? 500 : 5000, r1, r2, r3);
	printf("bench contextual.linucb.rounds_per_s %.6g\n", r1);
	printf("bench contextual.cobra_ucb.rounds_per_s %.6g\n", r2);
	printf("bench contextual.cobra_ucb_cached.rounds_per_s %.6g\n", r3);

	double f1 = fixed_rate(d, K, 1, budget, quick);
	double f2 = fixed_rate(d, K, 2, budget, quick);
	double f0 = fixed_rate(d, K, 0, budget, quick);
	/* Flops of an incremental round: DGEMV 2Kd, DSYMV 2d^2, DSYR d^2 and
	 * theta 2d^2, the index and array updates ~6K. */
	double fl1 = 2.0 * K * d + 5.0 * d * d + 6.0 * K;
	/* A recomputing round adds the DSYMM 2Kd^2 and the row dots 2Kd. */
	double fl0 = 2.0 * K * d * d + 4.0 * K * d + 5.0 * d * d;
	printf("LinUCB d = %d, %d fixed actions: incremental widths %.0f rounds/s "
	       "(%.2f GFLOP/s, %.1f%% of DGEMM peak); widths by DSYMM each round %.0f rounds/s "
	       "(%.2f GFLOP/s, %.1f%% of peak)\n", d, K, f1, f1 * fl1 / 1e9,
	       100.0 * f1 * fl1 / 1e9 / peak, f0, f0 * fl0 / 1e9, 100.0 * f0 * fl0 / 1e9 / peak);
	printf("  single-precision option: %.0f rounds/s (%.1f%% of DGEMM peak); K-long pass: %s\n",
	       f2, 100.0 * f2 * fl1 / 1e9 / peak, smab_linalg_simd(-1) ? "AVX2" : "portable");
	printf("bench linucb_fixed.incremental.rounds_per_s %.6g\n", f1);
	printf("bench linucb_fixed.incremental.peak_fraction %.4g\n", f1 * fl1 / 1e9 / peak);
	printf("bench linucb_fixed.single.rounds_per_s %.6g\n", f2);
	printf("bench linucb_fixed.single.peak_fraction %.4g\n", f2 * fl1 / 1e9 / peak);
	printf("bench linucb_fixed.dsymm.rounds_per_s %.6g\n", f0);
	printf("bench linucb_fixed.dsymm.peak_fraction %.4g\n", f0 * fl0 / 1e9 / peak);
	smab_rng_free(&bench_rng);
	return 0;
}
