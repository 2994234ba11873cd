/* bench_strategic.c - rounds per second of the strategic suite, K = 5:
 * EXP3 against the collusive profile S* and Mechanism 2 against
 * dominant-strategy arms, with Bernoulli values, and Mechanism 2 again with
 * Beta values, whose tapes invert the Beta CDF once per pull (the value
 * table of betaq.h); the Beta/Bernoulli ratio of its time is measured in
 * the same run.  Single process: it calls the suite's run() as the engine
 * would for one task.
 *
 *   bench_strategic [seconds]     time per workload, default 1
 *
 * BENCH_QUICK=1 shrinks the horizon and the budget.  Prints one line per
 * workload:  bench strategic.<name>.rounds_per_s <value>, and
 *   bench strategic.beta_over_bernoulli <time ratio>  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smab/param.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_strategic;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int param(const char *name)
{
	int i = smab_suite_param(&smab_suite_strategic, name);
	if (i < 0) {
		fprintf(stderr, "bench_strategic: no parameter '%s'\n", name);
		exit(1);
	}
	return i;
}

static int choice(const char *name, const char *c)
{
	int i = param(name);
	return smab_param_choice(&smab_suite_strategic.params[i], c);
}

int main(int argc, char **argv)
{
	const smab_suite *s = &smab_suite_strategic;
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *q = getenv("BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0") != 0;
	double budget = argc > 1 ? atof(argv[1]) : (quick ? 0.05 : 1.0);
	if (!(budget > 0.0)) {
		fprintf(stderr, "usage: bench_strategic [seconds per workload]\n");
		return 2;
	}
	int64_t T = quick ? 100000 : 1000000;
	double means[5] = {0.5, 0.45, 0.44, 0.43, 0.42};
	/* Scalars from the declared defaults; the two vectors set here. */
	smab_value *p = calloc((size_t)s->nparams, sizeof *p);
	if (!p)
		return 1;
	for (int i = 0; i < s->nparams; i++) {
		const smab_param_decl *d = &s->params[i];
		if (d->type == SMAB_P_ENUM)
			p[i].x = smab_param_choice(d, d->def);
		else if (d->type != SMAB_P_VEC)
			p[i].x = strtod(d->def, NULL);
	}
	p[param("means")].n = 5;
	p[param("means")].v = means;
	p[param("arms")].x = 5;
	p[param("horizon")].x = (double)T;
	p[param("mech.M")].x = 0.05;

	struct { const char *name, *mech, *profile, *dist; } w[] = {
		{"exp3_collude", "exp3", "collude", "bernoulli"},
		{"mech2_dominant", "mech2", "dominant", "bernoulli"},
		{"mech2_dominant_beta", "mech2", "dominant", "beta"},
	};
	double rate[3] = {0};
	printf("%-20s %8s %6s %10s %14s\n", "workload", "T", "reps", "seconds", "rounds/s");
	int rc = 0;
	for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
		int mech = smab_suite_mech(s, w[k].mech);
		p[param("profile")].x = choice("profile", w[k].profile);
		p[param("dist")].x = choice("dist", w[k].dist);
		double *sc = calloc((size_t)s->nmetrics, sizeof *sc);
		double *cv = calloc((size_t)s->nmetrics, sizeof *cv);
		if (!sc || !cv)
			return 1;
		smab_task t = {.p = p, .seed = 1, .point = 0, .nmech = 1, .mech = &mech,
		               .ncheck = 1, .check = &T};
		smab_task_out out = {sc, cv};
		/* An untimed task first: it builds the Beta quantile tables, a cost
		 * paid once per process, not per pull. */
		t.rep = 1000000;
		if (s->run(&t, &out) != SMAB_OK) {
			fprintf(stderr, "bench_strategic: run failed\n");
			return 1;
		}
		uint32_t reps = 0;
		double t0 = now(), el = 0.0;
		while (reps < 3 || el < budget) {
			t.rep = reps++;
			if (s->run(&t, &out) != SMAB_OK) {
				fprintf(stderr, "bench_strategic: run failed\n");
				rc = 1;
				break;
			}
			el = now() - t0;
		}
		double rps = (double)T * reps / el;
		rate[k] = rps;
		printf("%-20s %8lld %6u %10.3f %14.0f\n", w[k].name, (long long)T, reps, el, rps);
		printf("bench strategic.%s.rounds_per_s %.0f\n", w[k].name, rps);
		free(sc);
		free(cv);
	}
	if (rate[1] > 0.0 && rate[2] > 0.0)
		printf("bench strategic.beta_over_bernoulli %.2f\n", rate[1] / rate[2]);
	free(p);
	return rc;
}
