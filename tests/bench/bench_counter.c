/* bench_counter.c - the shared task counter (smab_par_counter, an MPI-3
 * fetch-and-add on rank 0) under contention: every rank takes "batches"
 * from one counter as fast as it can, as the engine's ranks do at the start
 * and at the end of a run, until 'ops' batches per rank have been served.
 *
 *   mpirun -np N bench_counter [ops per rank] [busy_ms]
 *
 * busy_ms > 0 adds a second measurement: rank 0 computes for busy_ms
 * between its own takes without calling MPI (as it does while it runs a
 * task), and the other ranks take as before.  Where the window's atomics
 * need the target's own progress (Open MPI's osc/pt2pt over TCP), rank 0's
 * progress helper (par.c) serves them meanwhile; without it every take
 * would wait for rank 0's next MPI call.
 *
 * Prints, on rank 0:
 *   bench counter.ranks N
 *   bench counter.batches_per_s X    batches served per second, all ranks
 *   bench counter.us_per_batch Y     wall time per batch served (1/X)
 *   bench counter.take_us Z          mean time inside one take, over all ranks
 *   bench counter.busy_take_us W     the same over ranks 1.. with rank 0 busy
 *                                    (busy_ms > 0) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "smab/par.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Compute for 'secs' without MPI. */
static void spin(double secs)
{
	double t0 = now();
	while (now() - t0 < secs)
		;
}

/* Every rank takes until the counter passes 'total'; rank 0 computes
 * 'busy' seconds between its takes.  Returns this rank's takes; the
 * elapsed time of the slowest rank goes to *secs, this rank's mean time
 * inside one take to *take. */
static long contend(smab_par_counter *c, int64_t total, double busy, double *secs,
                    double *take)
{
	long mine = 0;
	double inside = 0;
	smab_par_barrier();
	double t0 = smab_par_time();
	for (;;) {
		double t = smab_par_time();
		int64_t v = smab_par_counter_take(c, 0, 1);
		inside += smab_par_time() - t;
		if (v >= total)
			break;
		mine++;
		if (busy > 0 && smab_par_rank() == 0) {
			smab_par_computing(1);   /* as the engine does around a task */
			spin(busy);
			smab_par_computing(0);
		}
	}
	*secs = smab_par_max(smab_par_time() - t0);
	*take = inside / (double)(mine + 1);
	return mine;
}

int main(int argc, char **argv)
{
	smab_par_init(&argc, &argv);
	long ops = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
	double busy_ms = argc > 2 ? strtod(argv[2], NULL) : 0;
	if (ops < 1 || ops > 100000000 || busy_ms < 0 || busy_ms > 1000) {
		if (smab_par_rank() == 0)
			fprintf(stderr, "usage: bench_counter [ops per rank, 1..1e8] [busy_ms, 0..1000]\n");
		smab_par_finalize();
		return 2;
	}
	int n = smab_par_size();
	int64_t total = (int64_t)ops * n;

	smab_par_counter *c = smab_par_counter_create(2);
	double secs = 0, take = 0;
	/* A first round opens every connection, so the measurement below
	 * sees steady state. */
	contend(c, n * 10, 0, &secs, &take);
	smab_par_counter_free(&c);
	c = smab_par_counter_create(2);
	contend(c, total, 0, &secs, &take);
	take = smab_par_sum(take) / n;
	smab_par_counter_free(&c);
	if (smab_par_rank() == 0) {
		printf("bench counter.ranks %d\n", n);
		printf("bench counter.batches_per_s %.1f\n", (double)total / secs);
		printf("bench counter.us_per_batch %.3f\n", 1e6 * secs / (double)total);
		printf("bench counter.take_us %.3f\n", 1e6 * take);
	}
	if (busy_ms > 0 && n > 1) {
		/* Fewer takes: each may wait for rank 0's busy spell. */
		c = smab_par_counter_create(2);
		int64_t few = (int64_t)(n - 1) * 20;
		contend(c, few, busy_ms / 1e3, &secs, &take);
		double mean = smab_par_sum(smab_par_rank() > 0 ? take : 0) / (double)(n - 1);
		smab_par_counter_free(&c);
		if (smab_par_rank() == 0)
			printf("bench counter.busy_take_us %.1f (rank 0 busy %.1f ms between its takes)\n",
			       1e6 * mean, busy_ms);
	}
	smab_par_finalize();
	return 0;
}
