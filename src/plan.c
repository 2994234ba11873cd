/* plan.c - expand an experiment into points, checkpoints and costs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smab/plan.h"
#include "smab/sched.h"

/* Checkpoint c of C for horizon T is round ceil((c+1) T / C), so the last one
 * is T and the spacing is even; with T < C some rounds repeat, which keeps
 * every curve the same length across points. */
static void checkpoints(int64_t horizon, int ncheck, int64_t *out)
{
	for (int c = 0; c < ncheck; c++) {
		int64_t r = ((int64_t)(c + 1) * horizon + ncheck - 1) / ncheck;
		out[c] = r < 1 ? 1 : r;
	}
}

double smab_plan_cost(const smab_experiment *e, const smab_value *v)
{
	double c = e->suite->cost(v, e->nmech);
	return isfinite(c) && c > 0 ? c : 1.0;
}

int smab_plan_make(const smab_experiment *e, smab_plan **out)
{
	*out = NULL;
	if (!e || !e->suite)
		return SMAB_EINVAL;
	const smab_suite *s = e->suite;
	smab_plan *pl = smab_xcalloc(1, sizeof *pl);
	pl->e = e;
	pl->npoints = smab_sweep_npoints(e);
	pl->reps = e->replications;
	pl->nmech = e->nmech;
	pl->nmetrics = s->nmetrics;
	pl->ncheck = e->record;
	size_t np = (size_t)pl->npoints;
	pl->vals = smab_xcalloc(np * (size_t)s->nparams, sizeof *pl->vals);
	pl->check = smab_xcalloc(np * (size_t)pl->ncheck, sizeof *pl->check);
	pl->cost = smab_xcalloc(np, sizeof *pl->cost);
	for (int64_t p = 0; p < pl->npoints; p++) {
		smab_value *v = pl->vals + (size_t)p * (size_t)s->nparams;
		smab_sweep_point(e, p, v);
		checkpoints(s->horizon(v), pl->ncheck,
		            pl->check + (size_t)p * (size_t)pl->ncheck);
		pl->cost[p] = smab_plan_cost(e, v);
	}
	*out = pl;
	return SMAB_OK;
}

void smab_plan_free(smab_plan **p)
{
	if (!p || !*p)
		return;
	free((*p)->vals);
	free((*p)->check);
	free((*p)->cost);
	free(*p);
	*p = NULL;
}

const smab_value *smab_plan_point(const smab_plan *pl, int64_t p)
{
	return pl->vals + (size_t)p * (size_t)pl->e->suite->nparams;
}

double smab_plan_total_cost(const smab_plan *pl)
{
	double t = 0;
	for (int64_t p = 0; p < pl->npoints; p++)
		t += pl->cost[p] * pl->reps;
	return t;
}

/* Past this many tasks the schedule is not simulated: with that many more
 * tasks than ranks the rule below ends within one task of the even share. */
#define LPT_MAX_TASKS 4000000

/* Sift the root of a min-heap of n rank loads down to its place. */
static void sift_down(double *h, long n)
{
	long i = 0;
	for (;;) {
		long l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && h[l] < h[m])
			m = l;
		if (r < n && h[r] < h[m])
			m = r;
		if (m == i)
			return;
		double t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* The time at which the last of n tasks (costs c, costliest first) ends on
 * 'ranks' ranks when each task goes to the rank that frees first -- the
 * order in which smab's scheduler hands out work, without its batching. */
static double lpt_makespan(const double *c, int64_t n, long ranks)
{
	if (n == 0)
		return 0;
	long m = (int64_t)ranks < n ? ranks : (long)n;
	double *h = smab_xcalloc((size_t)m, sizeof *h), end = 0;
	for (int64_t i = 0; i < n; i++) {
		h[0] += c[i];
		sift_down(h, m);
	}
	for (long k = 0; k < m; k++)
		end = fmax(end, h[k]);
	free(h);
	return end;
}

typedef struct costly {
	double cost;
	int64_t point;
} costly;

/* Costliest first; among equals, the lower point. */
static int by_cost_desc(const void *a, const void *b)
{
	const costly *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return x->point < y->point ? -1 : x->point > y->point;
}

/* Every point's cost, costliest first (np of them, freed by the caller). */
static costly *points_by_cost(const smab_experiment *e, int64_t np)
{
	smab_value *v = smab_xmalloc((size_t)e->suite->nparams * sizeof *v);
	costly *order = smab_xmalloc((size_t)(np > 0 ? np : 1) * sizeof *order);
	for (int64_t p = 0; p < np; p++) {
		smab_sweep_point(e, p, v);
		order[p] = (costly){smab_plan_cost(e, v), p};
	}
	free(v);
	qsort(order, (size_t)np, sizeof *order, by_cost_desc);
	return order;
}

void smab_plan_walls(const smab_experiment *e, double rate, const long *ranks, int n,
                     long shards, double *out)
{
	int64_t np = smab_sweep_npoints(e), reps = e->replications, nt = np * reps;
	shards = shards > 1 ? shards : 1;
	costly *order = points_by_cost(e, np);
	double total = 0;
	for (int64_t p = 0; p < np; p++)
		total += order[p].cost * (double)reps;
	if (nt > LPT_MAX_TASKS) {
		/* The even share of a shard, but never less than one task. */
		for (int i = 0; i < n; i++)
			out[i] = fmax(total / (double)shards / (double)(ranks[i] > 1 ? ranks[i] : 1),
			              np ? order[0].cost : 0) / rate;
		free(order);
		return;
	}
	/* Each shard's tasks, costliest first, scheduled on its own ranks. */
	int64_t *first = smab_xcalloc((size_t)shards + 1, sizeof *first);
	for (int64_t p = 0; p < np; p++)
		for (int r = 0; r < reps; r++)
			first[smab_sched_shard(order[p].point, r, (int)reps, (int)shards) + 1]++;
	for (long s = 0; s < shards; s++)
		first[s + 1] += first[s];
	double *c = smab_xmalloc((size_t)(nt > 0 ? nt : 1) * sizeof *c);
	int64_t *fill = smab_xmalloc((size_t)shards * sizeof *fill);
	memcpy(fill, first, (size_t)shards * sizeof *fill);
	for (int64_t p = 0; p < np; p++)
		for (int r = 0; r < reps; r++)
			c[fill[smab_sched_shard(order[p].point, r, (int)reps, (int)shards)]++] =
				order[p].cost;
	for (int i = 0; i < n; i++) {
		double end = 0;
		for (long s = 0; s < shards; s++)
			end = fmax(end, lpt_makespan(c + first[s], first[s + 1] - first[s],
			                             ranks[i] > 1 ? ranks[i] : 1));
		out[i] = end / rate;
	}
	free(fill);
	free(c);
	free(first);
	free(order);
}

double smab_plan_wall(const smab_experiment *e, double rate, long ranks, long shards)
{
	double w;
	smab_plan_walls(e, rate, &ranks, 1, shards, &w);
	return w;
}

double smab_plan_critical(const smab_experiment *e, int64_t *point)
{
	int64_t np = smab_sweep_npoints(e);
	costly *order = points_by_cost(e, np);
	double c = np ? order[0].cost : 0;
	if (point)
		*point = np ? order[0].point : -1;
	free(order);
	return c;
}

const char *smab_plan_time_limit(double secs, char *buf, size_t len)
{
	double min = 10 * ceil(fmax(2 * secs, 600) / 600);
	long m = min < 1e8 ? (long)min : 100000000L;
	long d = m / 1440, h = m % 1440 / 60;
	if (d > 0)
		snprintf(buf, len, "%ld-%02ld:%02ld:00", d, h, m % 60);
	else
		snprintf(buf, len, "%02ld:%02ld:00", h, m % 60);
	return buf;
}

/* ---- calibration ------------------------------------------------------- */

/* A sample task is cut to about a tenth of the budget, but never below
 * this many rounds, so that a round's cost is still what is measured. */
#define CAL_MIN_ROUNDS 200

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Cut v's horizon (parameter h) so that a task costs about 'target'
 * units, but no fewer than CAL_MIN_ROUNDS rounds, if the suite accepts the
 * shorter horizon; else leave it. */
static void cut_horizon(const smab_experiment *e, int h, double target, smab_value *v)
{
	const smab_suite *s = e->suite;
	double c = smab_plan_cost(e, v), H = v[h].x;
	if (c <= target || H <= CAL_MIN_ROUNDS)
		return;
	v[h].x = fmax(CAL_MIN_ROUNDS, floor(H * target / c));
	char msg[256];
	int bad = -1;
	if (s->check && s->check(v, msg, sizeof msg, &bad) != 0)
		v[h].x = H;
}

int smab_plan_calibrate(const smab_experiment *e, double budget, smab_calib *out)
{
	memset(out, 0, sizeof *out);
	if (!e || !e->suite)
		return SMAB_EINVAL;
	/* Points one at a time, as 'plan' lists them: a million points take
	 * 16 MB here, not a whole plan's values. */
	const smab_suite *s = e->suite;
	int64_t np = smab_sweep_npoints(e);
	int ncheck = e->record, st = SMAB_OK;
	smab_value *v = smab_xmalloc((size_t)s->nparams * sizeof *v);
	costly *order = points_by_cost(e, np);
	int h = smab_suite_param(s, "horizon");
	double target = 0.1 * budget * SMAB_PLAN_NOMINAL_RATE;
	size_t nscalar = (size_t)e->nmech * (size_t)s->nmetrics;
	double *scalar = smab_xmalloc(nscalar * sizeof *scalar);
	double *curve = smab_xmalloc(nscalar * (size_t)ncheck * sizeof *curve + 1);
	int64_t *check = smab_xmalloc((size_t)ncheck * sizeof *check + 1);
	smab_task_out o = {scalar, curve};
	smab_task t = {.p = v, .seed = e->seed, .nmech = e->nmech, .mech = e->mech,
	               .ncheck = ncheck, .check = check};
	/* A first task of a few rounds, not timed: what a suite does once per
	 * process (MovieLens is read and embedded, tables are built) is no
	 * part of a task's cost, and would swamp a sample of a few tasks. */
	if (np > 0 && h >= 0) {
		smab_sweep_point(e, order[0].point, v);
		cut_horizon(e, h, 0, v);
		checkpoints(s->horizon(v), ncheck, check);
		t.point = (uint32_t)order[0].point;
		st = s->run(&t, &o);
	}
	double t_start = now_s(), units = 0, secs = 0;
	int n = 0;
	/* Point i of the order, replication r: every point once, then again
	 * with the next replication, so the sample spans the sweep. */
	for (int64_t k = 0; k < np * e->replications && st == SMAB_OK; k++) {
		if (n > 0 && now_s() - t_start >= budget)
			break;
		int64_t p = order[k % np].point;
		smab_sweep_point(e, p, v);
		if (h >= 0)
			cut_horizon(e, h, target, v);
		checkpoints(s->horizon(v), ncheck, check);
		t.point = (uint32_t)p;
		t.rep = (uint32_t)(k / np);
		double t0 = now_s();
		st = s->run(&t, &o);
		secs += now_s() - t0;
		units += smab_plan_cost(e, v);
		n++;
	}
	if (st == SMAB_OK) {
		out->ntasks = n;
		out->seconds = secs;
		out->units = units;
		out->rate = secs > 0 ? units / secs : SMAB_PLAN_NOMINAL_RATE;
	}
	free(v);
	free(check);
	free(curve);
	free(scalar);
	free(order);
	return st;
}
