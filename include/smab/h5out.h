/* h5out.h - the shared result file (parallel HDF5 over MPI-IO).
 *
 * Layout (P points, R replications, C checkpoints):
 *   /                              attributes: provenance (see smab_prov)
 *   /points                        compound [P]: id + one column per swept parameter
 *   /tasks/done                    uint8  [P,R]  1 once a task's results are in
 *   /tasks/seconds                 double [P,R]  wall time of each task
 *   /tasks/checksum                uint32 [P,R]  CRC-32 of the task's results
 *   /history                       compound [256] one row per session
 *   /results/checkpoints           int64  [P,C]  rounds where curves are sampled
 *   /results/<mech>/<metric>       double [P,R]
 *   /results/<mech>/<metric>_curve double [P,R,C]
 *   /summary/<mech>/<metric>       compound [P]   {n, mean, sd, ci_lo, ci_hi}
 *   /summary/<mech>/<metric>_curve compound [P,C]
 *
 * The checksum of a task is the CRC-32 (zlib) of its values as little-endian
 * doubles, mechanism by mechanism in the order of the root attribute
 * 'mechanisms', within a mechanism metric by metric in the order of
 * 'metrics': the value of /results/<mech>/<metric>, then, where the file has
 * it, the row of /results/<mech>/<metric>_curve.
 *
 * Crash safety: one process builds the whole layout under a temporary name
 * (smab_h5_build) and the caller publishes it (outfile.h) before any task
 * runs; afterwards tasks only write raw data into contiguous datasets, so a
 * process killed at any moment leaves a file that opens and whose
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
	const char *hosts;       /* the ranks' host names, sorted, distinct, comma
	                            list, for /history; NULL: this host */
} smab_prov;

typedef struct smab_h5 smab_h5;

/* Serial, one process: create the new file 'path' (it must not exist) with
 * the whole layout above, /tasks/done all zero, /history row 1 saying who
 * built it, and close it.  On failure nothing is left at 'path'. */
int smab_h5_build(const char *path, const smab_plan *pl, const smab_prov *prov,
                  char *err, size_t errlen);

/* What a file about to be resumed holds (smab_h5_inspect). */
typedef struct smab_h5_info {
	int64_t ndone;      /* tasks marked done */
	int64_t nbad;       /* of those, tasks whose results fail their checksum */
	int tables_bad;     /* 1: /points, 2: /results/checkpoints, 3: both fail
	                       their checksums (both are rewritten by a repair) */
	char damage[640];   /* what is damaged and what to do, or "" */
	int64_t session;    /* the number the next session gets */
	int slot;           /* its /history row */
	char changed[1024]; /* how the build of the file's last session differs
	                       from this one (version, commit, build flags),
	                       naming both, or "" */
} smab_h5_info;

/* Serial, one process, read-only: check that 'path' is a complete result
 * file of this configuration (digest, shard, shape, format) whose every
 * dataset lies where its attributes say, read its done flags into
 * done[P*R], recompute every done task's checksum (bad[P*R] = 1 for those
 * that fail, if bad is not NULL; their count in info->nbad) and read its
 * history.  Nothing is written. */
int smab_h5_inspect(const char *path, const smab_plan *pl, const smab_prov *prov,
                    smab_h5_info *info, unsigned char *done, unsigned char *bad,
                    char *err, size_t errlen);

/* Collective: open a built (or inspected) file on every rank of comm for
 * task writes, checking every dataset's shape against the plan. */
int smab_h5_open(const char *path, const smab_plan *pl, const smab_prov *prov,
                 MPI_Comm comm, smab_h5 **out, char *err, size_t errlen);

/* One rank (0), after smab_h5_open and before tasks run: rewrite /points
 * and /results/checkpoints from the plan if info->tables_bad, clear the
 * done flags of the tasks with undo[t] != 0 (NULL: none), then record this
 * session ('action': create, resume, repair) in /history row info->slot,
 * as session info->session with info->ndone tasks done before it. */
int smab_h5_begin(smab_h5 *h, const char *action, const smab_h5_info *info, int ranks,
                  const unsigned char *undo);
/* One rank (0), before the close: the session ended with 'tasks_after'
 * tasks done; 'outcome' "finished" or "stopped" (a signal). */
int smab_h5_end(smab_h5 *h, int64_t tasks_after, const char *outcome);
/* Collective, after smab_h5_begin: every rank gets rank 0's session row,
 * so that any rank can record a failure (smab_h5_fail). */
int smab_h5_share_session(smab_h5 *h);
/* Any rank about to abort the job: the session ends now, 'failed'
 * (best effort; nothing is reported). */
void smab_h5_fail(smab_h5 *h);
/* Serial, after the close: session 'session' in /history row 'slot' of
 * 'path' ended with 'outcome' after all ("failed" when the close or the
 * summaries failed).  The row must be that session's. */
int smab_h5_set_outcome(const char *path, int slot, int64_t session, const char *outcome,
                        char *err, size_t errlen);

/* Collective conveniences for tests and tools: rank 0 builds 'path'
 * (replacing a file there) and every rank opens it; or rank 0 inspects an
 * existing file (refusing a damaged one), every rank gets done[P*R] and
 * opens it, and rank 0 records the session. */
int smab_h5_create(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, char *err, size_t errlen);
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
 * dataset from /results over the tasks marked done, after checking their
 * checksums (a damaged task is an error). */
int smab_h5_summarize(const char *path, char *err, size_t errlen);

/* Serial, read-only: check a result file's structure and every done task's
 * checksum; print a verdict on 'out' (and the damaged tasks, at most
 * 'most' of them, with their points).  SMAB_OK if intact, SMAB_EINVAL if
 * damaged or not a result file (message in err), SMAB_EIO on I/O
 * failure. */
int smab_h5_verify(const char *path, FILE *out, int most, char *err, size_t errlen);

/* Serial: join the files of 'run --shard i/n' (in[0..nin-1]) into 'out'.
 * Refuses, with a message in err, files of different configurations or
 * seeds, tasks done in two files (overlap) or in none (gap), and an
 * existing 'out' unless 'force'.  The result is an ordinary result file
 * with /summary recomputed over all tasks. */
int smab_h5_merge(const char *const *in, int nin, const char *out, int force,
                  char *err, size_t errlen);

/* Serial: print the summary of a result file as a table (or CSV) on 'out',
 * after checking its checksums (a damaged task is an error).
 * metric: only this metric (NULL: all scalar metrics); vs: also print the
 * paired difference (this mechanism minus 'vs', per replication) with its
 * 95% CI.  Returns SMAB_OK, or an error with a message in err. */
int smab_h5_report(const char *path, const char *metric, const char *vs,
                   int csv, FILE *out, char *err, size_t errlen);

#endif
