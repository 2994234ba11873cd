/* coaltab.h - the coalition tables of a result file: Shapley values, the
 * payout, the core, convexity and Assumption-3 checks (Krishnamurthy et al. 2026).
 *
 * Input (written by a run of a coalition suite, see suite.h 'agents'):
 *   root attribute 'agents'            comma list of the M agent names
 *   root attribute 'coalition_perms'   int64 [n*M], only for a sampled design
 *                                      ({sample: permutations, n: N})
 *   /points column 'coalition'         the coalition of each point (a mask)
 *   /results/<mech>/regret_a<k>        double [P,R], agent k = 1..M (bit k-1 of
 *                                      the mask), NaN if k is not in it
 *   /tasks/done                        uint8 [P,R]
 * Points that differ only in 'coalition' form one game; a file holds
 * G >= 1 games.  Output: the group /coalition (see coaltab.c), replaced
 * whole on every call, and only once every new table is in the file: a
 * call that fails or is killed leaves the old /coalition (or none). */
#ifndef SMAB_COALTAB_H
#define SMAB_COALTAB_H

#include <stdio.h>

#include "smab/common.h"

typedef struct smab_coaltab_opts {
	FILE *out;      /* tables printed here; NULL: print nothing */
	int all;        /* also print the per-coalition per-agent regrets */
	int csv;        /* CSV instead of aligned text */
	int write;      /* (re)write /coalition in the file */
	int if_any;     /* a file with no game to table (another suite, or one
	                 * coalition) is not an error: SMAB_OK, nothing done */
	int locked;     /* the caller already holds the writer's lock on the file
	                 * (smab_out_lock): do not take it */
} smab_coaltab_opts;

/* Serial (one process).  In order: with 'write', the writer's lock taken
 * (unless 'locked'); the file read, opened read-only, and every table
 * computed; with 'write', the free space checked, the tables written and
 * the file closed and unlocked, SIGHUP, SIGINT and SIGTERM held back until
 * then; last, the tables printed on 'out'.  Returns SMAB_OK, or with a
 * one-line message in err: SMAB_EINVAL bad input (no such file, not a
 * coalition result file, one coalition only, a damaged file: nothing
 * written), SMAB_EBUSY another process holds the writer's lock (nothing
 * written), SMAB_EIO a runtime failure (cannot write, disk full, cannot
 * print: the file keeps its old tables when the write failed).  A closed
 * output (EPIPE, SIGPIPE ignored) ends the printing and is not an error. */
int smab_coaltab(const char *path, const smab_coaltab_opts *o, char *err,
                 size_t errlen);

#endif
