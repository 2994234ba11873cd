/* h5info.h - what a result file is and who wrote it, for people: the
 * 'smab info' report and the /history table ('smab summary --history').
 * Serial and read-only; a damaged file is described, not refused. */
#ifndef SMAB_H5INFO_H
#define SMAB_H5INFO_H

#include <stdio.h>

/* Print on 'out' the table of /history of 'path': one line per session
 * (number, action, start and end UTC, duration, outcome, commit, version,
 * ranks, tasks before -> after and done in it, SLURM job, resubmission,
 * hosts with rank 0's first).  A session that never ended shows as
 * 'interrupted', or 'running' while a live smab process holds the file.
 * SMAB_OK, or an error with a message in err. */
int smab_h5_history(const char *path, FILE *out, char *err, size_t errlen);

/* Print on 'out' what 'path' is: file format, experiment and suite, the
 * build that created it, its shape (points, replications, checkpoints,
 * mechanisms, metrics), shard, tasks done, the state of its checksums,
 * whether a smab process is writing it, then the /history table. */
int smab_h5_describe(const char *path, FILE *out, char *err, size_t errlen);

#endif
