/* bench_replication.c - rounds per second of the replication suite's
 * hierarchical mechanisms (H-UCB, H-ETC-R) and flat UCB1/ETC, single
 * process, calling the suite's run() as the engine does for one task.
 *
 *   bench_replication [seconds]     target time per mechanism, default 1
 *
 * Instance: n = 3 agents with 3, 3 and 4 Bernoulli arms (10 in all), fixed
 * means, every agent truthful (one profile run per task), T = 10^6.
 * BENCH_QUICK=1 shrinks the horizon.  Prints one machine-readable line per
 * mechanism:  bench replication.<mech>.rounds_per_s <value>  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smab/param.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_replication;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void set(const smab_suite *S, smab_value *p, const char *name, double x)
{
	int i = smab_suite_param(S, name);
	if (i < 0) {
		fprintf(stderr, "bench_replication: no parameter %s\n", name);
		exit(1);
	}
	p[i].x = x;
}

static void setvec(const smab_suite *S, smab_value *p, const char *name,
                   double *v, int n)
{
	int i = smab_suite_param(S, name);
	if (i < 0) {
		fprintf(stderr, "bench_replication: no parameter %s\n", name);
		exit(1);
	}
	p[i].v = v;
	p[i].n = n;
}

int main(int argc, char **argv)
{
	const smab_suite *S = &smab_suite_replication;
	double budget = argc > 1 ? atof(argv[1]) : 1.0;
	const char *q = getenv("BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0") != 0;
	int64_t T = quick ? 20000 : 1000000;
	if (quick)
		budget = 0.2;

	smab_value p[64];
	memset(p, 0, sizeof p);
	/* every scalar from its declared default; enum defaults are index 0 */
	for (int i = 0; i < S->nparams; i++)
		if (S->params[i].type == SMAB_P_INT || S->params[i].type == SMAB_P_REAL)
			p[i].x = atof(S->params[i].def);
	static double arms[] = {3, 3, 4};
	static double means[] = {0.3, 0.5, 0.7, 0.2, 0.6, 0.8, 0.4, 0.9, 0.1, 0.5};
	static double vals[] = {0, 1}, probs[] = {0.5, 0.5};
	setvec(S, p, "arms", arms, 3);
	setvec(S, p, "means", means, 10);
	setvec(S, p, "prior.values", vals, 2);
	setvec(S, p, "prior.probs", probs, 2);
	set(S, p, "agents", 3);
	set(S, p, "delta", 0.1);
	set(S, p, "horizon", (double)T);
	char msg[256];
	int bad;
	if (S->check(p, msg, sizeof msg, &bad) != 0) {
		fprintf(stderr, "bench_replication: %s\n", msg);
		return 1;
	}
	printf("replication suite: n = 3 agents, arms 3+3+4, Bernoulli, T = %lld, truthful\n",
	       (long long)T);
	printf("%-8s %8s %10s %14s\n", "mech", "tasks", "seconds", "rounds/s");
	const char *names[] = {"hucb", "hetcr", "ucb", "etc"};
	int64_t last = T;
	double scalar[64];
	for (int k = 0; k < 4; k++) {
		int mech = smab_suite_mech(S, names[k]);
		double t0 = now(), el = 0.0;
		uint32_t rep = 0;
		while (rep < 2 || el < budget) {
			smab_task t = {.p = p, .seed = 1, .point = 0, .rep = rep, .nmech = 1,
			               .mech = &mech, .ncheck = 0, .check = &last};
			smab_task_out out = {scalar, NULL};
			if (S->run(&t, &out) != 0) {
				fprintf(stderr, "bench_replication: run failed\n");
				return 1;
			}
			rep++;
			el = now() - t0;
		}
		double rate = (double)T * rep / el;
		printf("%-8s %8u %10.3f %14.3g\n", names[k], rep, el, rate);
		printf("bench replication.%s.rounds_per_s %.6g\n", names[k], rate);
	}
	return 0;
}
