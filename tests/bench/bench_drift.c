/* bench_drift.c - rounds per second of the drift suite, one mechanism at a
 * time, in a single process (no MPI: it calls the suite's run() directly,
 * as the engine would for one task).
 *
 *   bench_drift [seconds]     target time per mechanism, default 1
 *
 * BENCH_QUICK=1 in the environment shrinks the horizon and the time budget
 * to a smoke test.  Besides the table it prints one machine-readable line
 * per mechanism:  bench drift.<mech>.rounds_per_s <value>  */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smab/param.h"
#include "smab/suite.h"

extern const smab_suite smab_suite_drift;

enum { ARMS = 10, HORIZON = 20000, QUICK_HORIZON = 2000, RECORD = 100,
       MIN_REPS = 3 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Parse a default written as in YAML into 'v'.  Vectors are "[a, b, ...]";
 * their storage is malloc'ed and freed by free_values. */
static int parse_default(const smab_param_decl *d, smab_value *v)
{
	char *end;
	v->x = 0.0;
	v->n = 0;
	v->v = NULL;
	switch (d->type) {
	case SMAB_P_INT:
	case SMAB_P_REAL:
		v->x = strtod(d->def, &end);
		return end == d->def || *end != '\0';
	case SMAB_P_BOOL:
		v->x = strcmp(d->def, "true") == 0 || strcmp(d->def, "1") == 0;
		return 0;
	case SMAB_P_ENUM: {
		int i = smab_param_choice(d, d->def);
		v->x = i;
		return i < 0;
	}
	case SMAB_P_VEC: {
		const char *s = strchr(d->def, '[');
		if (!s)
			return 1;
		s++;
		size_t cap = strlen(s) / 2 + 1;
		v->v = malloc(cap * sizeof *v->v);
		if (!v->v)
			return 1;
		for (;;) {
			while (*s == ' ' || *s == ',')
				s++;
			if (*s == ']' || *s == '\0')
				break;
			double x = strtod(s, &end);
			if (end == s || (size_t)v->n >= cap)
				return 1;
			v->v[v->n++] = x;
			s = end;
		}
		return *s != ']';
	}
	}
	return 1;
}

static void free_values(smab_value *p, int n)
{
	for (int i = 0; i < n; i++)
		free(p[i].v);
	free(p);
}

static int set_param(const smab_suite *s, smab_value *p, const char *name,
                     double x)
{
	int i = smab_suite_param(s, name);
	if (i < 0) {
		fprintf(stderr, "bench_drift: suite has no parameter '%s'\n", name);
		return 1;
	}
	p[i].x = x;
	return 0;
}

/* One line "params name=value ..." so a reference implementation run
 * beside this program (scripts/bench/run.sh) can use the same values. */
static void print_params(const smab_suite *s, const smab_value *p)
{
	printf("params");
	for (int i = 0; i < s->nparams; i++) {
		const smab_param_decl *d = &s->params[i];
		printf(" %s=", d->name);
		if (d->type == SMAB_P_ENUM) {
			char buf[64];
			smab_param_choice_name(d, (int)p[i].x, buf, sizeof buf);
			printf("%s", buf);
		} else if (d->type == SMAB_P_VEC) {
			printf("[");
			for (int j = 0; j < p[i].n; j++)
				printf("%s%.15g", j ? "," : "", p[i].v[j]);
			printf("]");
		} else {
			printf("%.15g", p[i].x);
		}
	}
	printf("\n");
}

/* The engine's checkpoints: round ceil((c+1) T / C), the last one T. */
static void checkpoints(int64_t horizon, int ncheck, int64_t *out)
{
	for (int c = 0; c < ncheck; c++)
		out[c] = ((int64_t)(c + 1) * horizon + ncheck - 1) / ncheck;
}

int main(int argc, char **argv)
{
	const smab_suite *s = &smab_suite_drift;
	/* Line-buffered so progress shows, in order with errors, through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *q = getenv("BENCH_QUICK");
	int quick = q && *q && strcmp(q, "0") != 0;
	double budget = quick ? 0.05 : 1.0;
	if (argc > 1) {
		char *end;
		budget = strtod(argv[1], &end);
		if (end == argv[1] || *end != '\0' || !(budget > 0.0)) {
			fprintf(stderr, "usage: bench_drift [seconds per mechanism]\n");
			return 2;
		}
	}
	int64_t horizon = quick ? QUICK_HORIZON : HORIZON;

	smab_value *p = calloc((size_t)s->nparams, sizeof *p);
	if (!p)
		return 1;
	for (int i = 0; i < s->nparams; i++) {
		if (parse_default(&s->params[i], &p[i])) {
			fprintf(stderr, "bench_drift: cannot parse default '%s' of '%s'\n",
			        s->params[i].def, s->params[i].name);
			free_values(p, s->nparams);
			return 1;
		}
	}
	if (set_param(s, p, "horizon", (double)horizon) ||
	    set_param(s, p, "arms", ARMS)) {
		free_values(p, s->nparams);
		return 1;
	}
	char msg[256];
	int bad = -1;
	if (s->check && s->check(p, msg, sizeof msg, &bad)) {
		fprintf(stderr, "bench_drift: parameters rejected: %s\n", msg);
		free_values(p, s->nparams);
		return 1;
	}
	int64_t T = s->horizon(p);

	int64_t check[RECORD];
	checkpoints(T, RECORD, check);
	size_t nm = (size_t)s->nmetrics;
	double *scalar = calloc(nm, sizeof *scalar);
	double *curve = calloc(nm * RECORD, sizeof *curve);
	if (!scalar || !curve)
		return 1;
	int iregret = smab_suite_metric(s, "regret");

	printf("drift suite, K=%d, T=%lld, %d checkpoints, >= %.2f s per mechanism\n",
	       ARMS, (long long)T, RECORD, budget);
	print_params(s, p);
	printf("%-10s %8s %10s %14s %12s\n", "mechanism", "reps", "seconds",
	       "rounds/s", "mean regret");

	static const char *const order[] = {"ucb", "egreedy", "ts", "greedy"};
	int status = 0;
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		int m = smab_suite_mech(s, order[k]);
		if (m < 0) {
			fprintf(stderr, "bench_drift: no mechanism '%s'\n", order[k]);
			status = 1;
			continue;
		}
		smab_task t = {
			.p = p, .seed = 12345, .point = 0, .rep = 0,
			.nmech = 1, .mech = &m, .ncheck = RECORD, .check = check,
		};
		smab_task_out out = {scalar, curve};

		/* One untimed replication warms caches and checks run() works. */
		int rc = s->run(&t, &out);
		if (rc != 0) {
			fprintf(stderr, "bench_drift: %s: run() returned status %d\n",
			        order[k], rc);
			status = 1;
			continue;
		}
		uint32_t reps = 0;
		double regret = 0.0;
		double t0 = now(), el = 0.0;
		do {
			t.rep = ++reps;
			rc = s->run(&t, &out);
			if (rc != 0)
				break;
			if (iregret >= 0)
				regret += scalar[iregret];
			el = now() - t0;
		} while (el < budget || reps < MIN_REPS);
		if (rc != 0) {
			fprintf(stderr, "bench_drift: %s: run() returned status %d\n",
			        order[k], rc);
			status = 1;
			continue;
		}
		double rps = (double)T * reps / el;
		printf("%-10s %8u %10.3f %14.4g %12.2f\n", order[k], reps, el, rps,
		       iregret >= 0 ? regret / reps : NAN);
		printf("bench drift.%s.rounds_per_s %.6g\n", order[k], rps);
		fflush(stdout);
	}

	free(scalar);
	free(curve);
	free_values(p, s->nparams);
	return status;
}
