/* config.h - an experiment file, parsed with libyaml and validated against
 * the suite's declarations.
 *
 * The YAML form (every key but 'suite' optional):
 *
 *   name: quick                 # defaults to the file's base name
 *   suite: drift
 *   seed: 42                    # unsigned 64-bit, default 1
 *   replications: 20            # >= 1, default 10
 *   mechanisms: [ucb, ts]       # subset of the suite's, default all defined for the instance
 *   params:                     # fixed values; nested maps or dotted keys
 *     horizon: 20000
 *     egreedy: {c: 1.0}
 *   sweep:                      # axes, the first one varies slowest
 *     drift: [0, 0.1, 0.4]                     # a list
 *     horizon: {from: 100, to: 10000, num: 3, scale: log}   # a range
 *     zip:                                     # one axis whose params vary together
 *       arms: [5, 10]
 *       gap:  [0.1, 0.05]
 *     means: [[0.9, 0.5], [0.9, 0.8, 0.5]]     # a list parameter: a list of lists
 *   record: 100                 # curve checkpoints, default 100
 *   output: results/quick.h5    # default results/<name>.h5
 *
 * The output path is checked as a result file's (smab_out_check_path): a
 * path too long for MPI-IO, or an existing directory, is an error at the
 * 'output' key, or at 'name' when the path is made from it.
 */
#ifndef SMAB_CONFIG_H
#define SMAB_CONFIG_H

#include "smab/common.h"
#include "smab/param.h"
#include "smab/suite.h"

/* What an experiment may ask for, checked when it is loaded from the axis
 * lengths, before anything is expanded. */
#define SMAB_MAX_POINTS 1000000        /* points of the sweep */
#define SMAB_MAX_TASKS 100000000       /* points x replications */
#define SMAB_MAX_FILE_BYTES 1e12       /* smab_experiment_file_bytes: 1 TB */

/* A sweep axis: one parameter (a plain axis) or several that vary together
 * (a zip group).  value j of parameter k is values[j * nparam + k]; a list
 * parameter's values own their lists (freed with the experiment). */
typedef struct smab_axis {
	int nparam;
	int *param;          /* indices into suite->params */
	int len;
	smab_value *values;
	int line, col;       /* where the axis was written */
} smab_axis;

typedef struct smab_experiment {
	char *name;
	const smab_suite *suite;
	uint64_t seed;
	int replications;
	int nmech;
	int *mech;           /* indices into suite->mechs, ascending */
	smab_value *base;    /* [suite->nparams]: defaults overridden by 'params' */
	unsigned char *set;  /* [suite->nparams]: 1 if written in params or sweep */
	int *where;          /* [2*suite->nparams]: line, col of each param's value, 0 if default */
	int naxes;
	smab_axis *axes;
	int record;
	char *output;
	char *path;          /* file the experiment was read from */
	char *text;          /* the file's full text, for provenance */
	char *overrides;     /* the --set KEY=VALUE applied on top, one a line; NULL if none */
	int coal_nperm;      /* coalition axis {sample: permutations, n}: n; else 0 */
} smab_experiment;

/* Parse and validate the YAML file at 'path'.  On success returns SMAB_OK and
 * a new experiment in *out.  On bad input returns SMAB_EINVAL with every
 * problem found appended to 'err' (file:line:col, key, what was expected);
 * *out is then NULL.  A file that cannot be read is SMAB_EIO with one
 * error; one that is not a regular file (a directory, FIFO, device) or is
 * larger than 4 MiB is SMAB_EINVAL with one error.  Text (a file or a --set
 * value) nested more than 64 deep or of more than 200000 YAML nodes is
 * refused before it is parsed into a document. */
int smab_config_load(const char *path, smab_experiment **out, smab_errors *err);

/* Same, from text in memory; 'name' is used in messages and as the default
 * experiment name. */
int smab_config_parse(const char *text, size_t len, const char *name,
                      smab_experiment **out, smab_errors *err);

/* The same, with command-line overrides applied on top of the file: each
 * set[i] is "KEY=VALUE", KEY a dotted path (seed, replications,
 * params.horizon, params.egreedy.c, sweep.drift, ...) and VALUE a YAML flow
 * value (1000, [0, 0.5], {from: 1, to: 9, num: 3}).  Overrides are checked
 * exactly as if written in the file; an error caused by one names it
 * ("in --set 'params.horizon=x': ...") instead of a line.  They are kept,
 * one a line, in e->overrides. */
int smab_config_parse_set(const char *text, size_t len, const char *name,
                          const char *const *set, int nset,
                          smab_experiment **out, smab_errors *err);
int smab_config_load_set(const char *path, const char *const *set, int nset,
                         smab_experiment **out, smab_errors *err);

void smab_experiment_free(smab_experiment **e);

/* A canonical, comment-free rendering of everything that determines the
 * results (suite, seed, replications, mechanisms, every parameter's value,
 * the axes, record) -- not the name or the output path.  Two files with the
 * same canonical text produce the same datasets.  Caller frees. */
char *smab_config_canonical(const smab_experiment *e);

/* Number of points of the sweep (product of the axis lengths; 1 if none). */
int64_t smab_sweep_npoints(const smab_experiment *e);

/* Estimated size in bytes of the result file: every dataset in full, plus 1 MB. */
double smab_experiment_file_bytes(const smab_experiment *e);

/* Fill vals[0..suite->nparams-1] with the values of point 'id'
 * (0 <= id < npoints): the base values overridden by each axis's entry.
 * Axis order is the file's; the last axis varies fastest. */
void smab_sweep_point(const smab_experiment *e, int64_t id, smab_value *vals);

/* Index of axis entry used by point 'id' on axis 'a'. */
int smab_sweep_index(const smab_experiment *e, int64_t id, int a);

#endif
