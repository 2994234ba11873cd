/* sched.c - batches of tasks, costliest first (see sched.h). */
#include <math.h>
#include <stdlib.h>

#include "smab/sched.h"

static int cmp_batch(const void *a, const void *b)
{
	const smab_batch *x = a, *y = b;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	return x->rep0 - y->rep0;
}

static int is_done(const unsigned char *done, const smab_plan *pl, int64_t p, int r)
{
	return done && done[p * pl->reps + r];
}

smab_batch *smab_sched_batches(const smab_plan *pl, const unsigned char *done,
                               int nranks, int per_rank, int64_t *nbatch,
                               int64_t *ntasks)
{
	/* The batch size aims at an equal share of the remaining cost, so a
	 * point of cheap tasks is cut into few batches and a point of costly
	 * ones into single tasks. */
	double remaining = 0;
	for (int64_t p = 0; p < pl->npoints; p++)
		for (int r = 0; r < pl->reps; r++)
			if (!is_done(done, pl, p, r))
				remaining += pl->cost[p];
	double target = remaining / ((double)(nranks > 0 ? nranks : 1) *
	                             (per_rank > 0 ? per_rank : 1));

	int64_t cap = 64, nb = 0, nt = 0;
	smab_batch *b = smab_xmalloc((size_t)cap * sizeof *b);
	for (int64_t p = 0; p < pl->npoints; p++) {
		double per = floor(target / pl->cost[p]);
		int most = per < 1 ? 1 : per > pl->reps ? pl->reps : (int)per;
		for (int r = 0; r < pl->reps;) {
			if (is_done(done, pl, p, r)) {
				r++;
				continue;
			}
			int n = 0;
			while (r + n < pl->reps && n < most && !is_done(done, pl, p, r + n))
				n++;
			if (nb == cap)
				b = smab_xrealloc(b, (size_t)(cap *= 2) * sizeof *b);
			b[nb++] = (smab_batch){p, r, n, n * pl->cost[p]};
			nt += n;
			r += n;
		}
	}
	qsort(b, (size_t)nb, sizeof *b, cmp_batch);
	*nbatch = nb;
	*ntasks = nt;
	return b;
}

int smab_sched_shard(int64_t p, int r, int reps, int nshards)
{
	if (nshards <= 1 || reps < 1)
		return 0;
	int64_t block = (int64_t)r * nshards / reps;
	return (int)((block + p % nshards) % nshards);
}
