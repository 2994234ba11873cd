/* suite.h - the plugin interface of an experiment family.
 *
 * A suite knows its paper's mechanisms and metrics; it knows nothing of MPI
 * or HDF5.  The engine hands it one task (a point's parameter values and a
 * replication number) and gets back every metric of every selected
 * mechanism. */
#ifndef SMAB_SUITE_H
#define SMAB_SUITE_H

#include "smab/common.h"
#include "smab/param.h"

typedef struct smab_mech_decl {
	const char *name;   /* e.g. "ucb" */
	const char *doc;
} smab_mech_decl;

typedef struct smab_metric_decl {
	const char *name;   /* e.g. "regret"; the curve is stored as "<name>_curve" */
	int has_curve;      /* 1 if sampled at the checkpoints too */
	const char *doc;
	const char *units;  /* "reward", "rounds", "count", "fraction"; NULL if none */
} smab_metric_decl;

/* A parameter's former name, still read, with a deprecation warning: each
 * value written under it (every entry of a list) is 'shift' below the
 * value of the parameter it now sets (an index that counted from 0). */
typedef struct smab_param_alias {
	const char *old;    /* e.g. "deviator" */
	const char *name;   /* the parameter it sets, e.g. "deviate.agent" */
	int shift;
} smab_param_alias;

/* One task: everything a suite needs to simulate one replication of one
 * point.  Randomness must come only from (seed, point, rep) through the rng
 * module, never from the rank or the clock. */
typedef struct smab_task {
	const smab_value *p;     /* the point's values, indexed like suite->params */
	uint64_t seed;
	uint32_t point, rep;
	int nmech;               /* selected mechanisms ... */
	const int *mech;         /* ... as indices into suite->mechs, ascending */
	int ncheck;              /* number of curve checkpoints C */
	const int64_t *check;    /* checkpoint rounds, 1-based, last = horizon; non-decreasing:
	                          * rounds repeat when the horizon is shorter than C */
} smab_task;

/* Results of one task.  For selected mechanism k (0..nmech-1) and metric m:
 *   scalar[k * nmetrics + m]
 *   curve[(k * nmetrics + m) * ncheck + c]   (only for metrics with a curve)
 * The engine allocates both arrays. */
typedef struct smab_task_out {
	double *scalar;
	double *curve;
} smab_task_out;

typedef struct smab_suite {
	const char *name;
	const char *doc;
	const smab_param_decl *params;
	int nparams;
	const smab_param_alias *aliases;   /* former names; may be NULL */
	int naliases;
	const smab_mech_decl *mechs;
	int nmechs;
	const smab_metric_decl *metrics;
	int nmetrics;
	/* Cross-parameter checks on one point's values.  Returns 0 if fine;
	 * otherwise writes a message (what was expected) and the index of the
	 * parameter to blame, and returns nonzero. */
	int (*check)(const smab_value *p, char *msg, size_t msglen, int *bad_param);
	/* Whether mechanism 'mech' (an index into mechs) is defined on one
	 * point's values: 0 if it is; otherwise a message (why, and what would
	 * make it defined), the index of the parameter that rules it out, and
	 * nonzero.  Validation refuses a mechanism listed in 'mechanisms' that
	 * is undefined at some point, and leaves it out of the default list.
	 * NULL: every mechanism is defined everywhere. */
	int (*mech_check)(const smab_value *p, int mech, char *msg, size_t msglen,
	                  int *bad_param);
	/* Number of rounds of a task (the last checkpoint). */
	int64_t (*horizon)(const smab_value *p);
	/* Relative cost of one task, in arbitrary but consistent units
	 * (about one unit per simulated round of one mechanism). */
	double (*cost)(const smab_value *p, int nmech);
	/* Run one task.  Returns SMAB_OK or an error status. */
	int (*run)(const smab_task *t, smab_task_out *out);
	/* Coalition suites only (NULL for the others).  The number of agents M
	 * of a point's instance; with names != NULL also a new comma list of
	 * their names ("M,F") that the caller frees.  Such a suite has an INT
	 * parameter "coalition", a bit mask of the agents playing together
	 * (bit k-1: agent k, of metric regret_a<k>; agents count from 1),
	 * that 'sweep' expands from 'all', {agents: [[1], [2, 4]]}, sizes or
	 * sampled agent orders, and per-agent metrics
	 * "regret_a1" .. "regret_a<M>"
	 * (NaN for agents outside the coalition) from which the Shapley tables
	 * are computed after the run.  Returns -1 with a message in *names
	 * (caller frees) when the instance's data cannot be read. */
	int (*agents)(const smab_value *p, char **names);
} smab_suite;

/* The registry: every suite compiled in, in a fixed order. */
extern const smab_suite *const smab_suites[];
extern const int smab_nsuites;

/* Look a suite up by name; NULL if none. */
const smab_suite *smab_suite_find(const char *name);
/* Index of a parameter / mechanism / metric by name, or -1. */
int smab_suite_param(const smab_suite *s, const char *name);
/* The alias 'name' is a former name of, or NULL. */
const smab_param_alias *smab_suite_alias(const smab_suite *s, const char *name);
int smab_suite_mech(const smab_suite *s, const char *name);
int smab_suite_metric(const smab_suite *s, const char *name);

#endif
