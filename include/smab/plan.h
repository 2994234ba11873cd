/* plan.h - an experiment expanded into points and tasks.
 *
 * Task (point p, replication r) has id p * replications + r.  The plan is
 * what rank 0 and every other rank agree on before anything runs; it is a
 * pure function of the experiment. */
#ifndef SMAB_PLAN_H
#define SMAB_PLAN_H

#include "smab/config.h"

typedef struct smab_plan {
	const smab_experiment *e;
	int64_t npoints;
	int reps;
	int nmech, nmetrics, ncheck;
	smab_value *vals;    /* [npoints * nparams]: every point's parameter values */
	int64_t *check;      /* [npoints * ncheck]: checkpoint rounds of each point */
	double *cost;        /* [npoints]: estimated cost of one task */
} smab_plan;

/* Single-core speed, in cost units (about mechanism-rounds) per second,
 * assumed when none was measured: a round figure for the drift suite. */
#define SMAB_PLAN_NOMINAL_RATE 2.0e7

/* What smab_plan_calibrate measured. */
typedef struct smab_calib {
	double rate;      /* cost units per second of one core */
	double seconds;   /* time spent running the sample */
	int ntasks;       /* sample tasks run */
	double units;     /* their cost, in the same units */
} smab_calib;

int smab_plan_make(const smab_experiment *e, smab_plan **out);
/* Estimated cost of one task at a point with values v[0..nparams-1]: the
 * suite's cost, or 1 where that is not a positive number. */
double smab_plan_cost(const smab_experiment *e, const smab_value *v);
void smab_plan_free(smab_plan **p);
/* The parameter values of point p. */
const smab_value *smab_plan_point(const smab_plan *pl, int64_t p);
/* Total estimated cost of every task. */
double smab_plan_total_cost(const smab_plan *pl);
/* This machine's speed on e's tasks, measured by running sample tasks in
 * this process (no MPI, no file): the costliest points first, each with its
 * horizon cut so that a task takes about a tenth of 'budget' seconds (where
 * the suite accepts the shorter horizon), until 'budget' seconds have
 * passed -- at least one task, at most one per point and replication.
 * Returns SMAB_OK, or a suite's failure status (then *out is zero). */
int smab_plan_calibrate(const smab_experiment *e, double budget, smab_calib *out);
/* Wall seconds of e's tasks on 'ranks' ranks at 'rate' cost units per
 * second (with shards > 1, of the slowest shard, each on its own 'ranks'):
 * the tasks are handed out costliest first, each to the rank that frees
 * first, as the scheduler does.  Past 4 million tasks the schedule is not
 * simulated: the work divided evenly, but no less than the costliest task. */
double smab_plan_wall(const smab_experiment *e, double rate, long ranks, long shards);
/* The same for each of n rank counts ranks[0..n-1] into out[0..n-1], the
 * tasks sorted once. */
void smab_plan_walls(const smab_experiment *e, double rate, const long *ranks, int n,
                     long shards, double *out);
/* The cost of e's costliest task, which no number of ranks can shorten
 * (the critical path), and its point into *point (if not NULL). */
double smab_plan_critical(const smab_experiment *e, int64_t *point);
/* A time limit to propose for a job that needs 'secs' seconds: twice that,
 * at least 10 minutes, rounded up to 10 minutes, in sbatch's form
 * (HH:MM:SS, or D-HH:MM:SS past a day) into buf. */
const char *smab_plan_time_limit(double secs, char *buf, size_t len);

#endif
