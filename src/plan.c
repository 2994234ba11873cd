/* plan.c - expand an experiment into points, checkpoints and costs. */
#include <math.h>
#include <stdlib.h>

#include "smab/plan.h"

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
