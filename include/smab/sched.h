/* sched.h - which tasks run together, and in what order.
 *
 * The tasks not yet done are grouped into batches of consecutive
 * replications of one point (one batch = one write to the result file), each
 * costing about 'target', and ordered costliest first so that long tasks
 * start early and short ones fill the tail.  Ranks then take batches from a
 * shared counter.  Every rank computes the same list from the same plan and
 * done flags, so no list is ever sent. */
#ifndef SMAB_SCHED_H
#define SMAB_SCHED_H

#include "smab/plan.h"

typedef struct smab_batch {
	int64_t point;
	int rep0, n;      /* replications rep0 .. rep0+n-1 */
	double cost;      /* n times the point's task cost */
} smab_batch;

/* Batches for the tasks with done[p * reps + r] == 0 ('done' may be NULL:
 * nothing done), aiming at 'per_rank' batches for each of 'nranks' ranks.
 * Returns a new array of *nbatch batches (caller frees) and the number of
 * tasks they hold in *ntasks. */
smab_batch *smab_sched_batches(const smab_plan *pl, const unsigned char *done,
                               int nranks, int per_rank, int64_t *nbatch,
                               int64_t *ntasks);

/* The shard (0 .. nshards-1) that task (point p, replication r) belongs to,
 * for 'smab run --shard i/n'.  Each point's replications are cut into
 * nshards contiguous blocks (so a shard's tasks still batch together), and
 * block b of point p goes to shard (b + p) mod nshards, so shards get equal
 * shares of every point's cost and, with fewer replications than shards,
 * different points fill different shards.  A pure function of its
 * arguments: every rank and every job agrees on it. */
int smab_sched_shard(int64_t p, int r, int reps, int nshards);

#endif
