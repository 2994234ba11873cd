/* h5extend.h - more replications for an existing result file.
 *
 * Random streams are keyed by (point, replication), so a run with more
 * replications computes the same first ones bit for bit: the file of a run
 * extended from R0 to R replications is a new file of R built by
 * smab_h5_build, into which the old file's every dataset is copied, the
 * per-task ones into their first R0 replications. */
#ifndef SMAB_H5EXTEND_H
#define SMAB_H5EXTEND_H

#include <stddef.h>

/* Serial, one process, read-only: the replications of result file 'path'
 * into *r.  SMAB_OK, or SMAB_EINVAL with the reason in err. */
int smab_h5_replications(const char *path, int *r, char *err, size_t errlen);

/* Serial, one process: copy every dataset of result file 'from' (P points
 * x r0 replications) into 'to', just built for P x r (r > r0) from the same
 * configuration: a dataset of the same shape in both whole (/history
 * included: the sessions that wrote 'from' stay on record), one shaped
 * [P, r0, ...] into the first r0 replications of its [P, r, ...] copy; the
 * root attributes stay those of 'to'.  A dataset that 'to' lacks, or of
 * another shape, is SMAB_EINVAL.  The reason of a failure is in err. */
int smab_h5_extend_copy(const char *from, const char *to, int r0, int r, char *err,
                        size_t errlen);

#endif
