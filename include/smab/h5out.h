/* h5out.h - the shared result file (parallel HDF5 over MPI-IO).
 *
 * Layout (P points, R replications, C checkpoints):
 *   /                              attributes: provenance (see smab_prov)
 *   /points                        compound [P]: id + one column per swept parameter
 *   /tasks/done                    uint8  [P,R]  1 once a task's results are in
 *   /tasks/seconds                 double [P,R]  wall time of each task
 *   /results/checkpoints           int64  [P,C]  rounds where curves are sampled
 *   /results/<mech>/<metric>       double [P,R]
 *   /results/<mech>/<metric>_curve double [P,R,C]
 *   /summary/<mech>/<metric>       compound [P]   {n, mean, sd, ci_lo, ci_hi}
 *   /summary/<mech>/<metric>_curve compound [P,C]
 *
 * Crash safety: every object is created, and the metadata flushed, before any
 * task runs; afterwards tasks only write raw data into contiguous datasets,
 * so a process killed at any moment leaves a file that opens and whose
 * /tasks/done marks exactly the tasks whose results are complete. */
#ifndef SMAB_H5OUT_H
#define SMAB_H5OUT_H

#include <mpi.h>
#include "smab/plan.h"
#include "smab/stats.h"

/* The HDF5 library's life in the smab command.  HDF5 1.10 leaves a file
 * whose close failed (a full disk) half-destroyed, and its own clean-up at
 * exit or inside MPI_Finalize then crashes on it.  So the command opens the
 * library itself, first thing and before MPI_Init, without exit hooks, and
 * closes it at the end only if every close succeeded (SMAB_OK; else
 * SMAB_EIO, and the process just exits: the OS releases what is left). */
void smab_h5_lib_open(void);
int smab_h5_lib_close(void);

/* Provenance written as root attributes. */
typedef struct smab_prov {
	const char *canonical;   /* smab_config_canonical() text */
	const char *sha256;      /* hex digest of 'canonical' (64 chars) */
	int ranks;
	const char *shard;       /* "i/n" for 'run --shard i/n', else NULL */
} smab_prov;

typedef struct smab_h5 smab_h5;

/* Create 'path' collectively (every rank of comm calls it) with the whole
 * layout above, /tasks/done all zero.  Truncates an existing file: the caller
 * decides whether that is allowed. */
int smab_h5_create(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, char *err, size_t errlen);

/* Open an existing file collectively to finish it.  Fails with a clear
 * message in err if its config digest differs from prov->sha256 or its shape
 * differs from the plan.  Fills done[P*R] (every rank). */
int smab_h5_resume(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, unsigned char *done,
                   char *err, size_t errlen);

/* Independent (any rank, any time between open and close): store the results
 * of replications rep0 .. rep0+n-1 of point p, then mark them done.
 *   scalar  [n][nmech*nmetrics]          (smab_task_out.scalar per task)
 *   curve   [n][nmech*nmetrics*ncheck]   (smab_task_out.curve per task)
 *   seconds [n] */
int smab_h5_write(smab_h5 *h, int64_t p, int rep0, int n, const double *scalar,
                  const double *curve, const double *seconds);

/* Collective close. */
int smab_h5_close(smab_h5 **h);

/* Serial (one process, file not open elsewhere): recompute every /summary
 * dataset from /results over the tasks marked done. */
int smab_h5_summarize(const char *path, char *err, size_t errlen);

/* Serial: join the files of 'run --shard i/n' (in[0..nin-1]) into 'out'.
 * Refuses, with a message in err, files of different configurations or
 * seeds, tasks done in two files (overlap) or in none (gap), and an
 * existing 'out' unless 'force'.  The result is an ordinary result file
 * with /summary recomputed over all tasks. */
int smab_h5_merge(const char *const *in, int nin, const char *out, int force,
                  char *err, size_t errlen);

/* Serial: print the summary of a result file as a table (or CSV) on 'out'.
 * metric: only this metric (NULL: all scalar metrics); vs: also print the
 * paired difference (this mechanism minus 'vs', per replication) with its
 * 95% CI.  Returns SMAB_OK, or an error with a message in err. */
int smab_h5_report(const char *path, const char *metric, const char *vs,
                   int csv, FILE *out, char *err, size_t errlen);

#endif
