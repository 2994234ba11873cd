/* par.h - the parallel layer: the only module that calls MPI (the HDF5 writer
 * also takes the communicator, for MPI-IO).  Verbs are named for what the
 * engine needs, not for MPI calls. */
#ifndef SMAB_PAR_H
#define SMAB_PAR_H

#include <mpi.h>
#include "smab/common.h"

/* Start MPI (once per process; later calls are no-ops). */
void smab_par_init(int *argc, char ***argv);
/* Finish MPI if smab_par_init started it. */
void smab_par_finalize(void);
int smab_par_rank(void);
int smab_par_size(void);
MPI_Comm smab_par_comm(void);
double smab_par_time(void);

/* Copy 'len' bytes from rank 0's buffer to every rank's. */
void smab_par_bcast(void *buf, size_t len);
/* Broadcast a string allocated on rank 0; other ranks get a fresh copy
 * (NULL stays NULL).  Returns the string on every rank. */
char *smab_par_bcast_str(char *s);
/* 1 on every rank if 'ok' is nonzero on every rank, else 0. */
int smab_par_all(int ok);
double smab_par_sum(double x);
double smab_par_max(double x);
void smab_par_barrier(void);

/* Stop every rank: print "file:line: msg" on stderr and abort the job with
 * 'status'.  Use only after smab_par_init; nothing is left hanging. */
#define SMAB_PAR_DIE(status, ...) \
	smab_par_die(__FILE__, __LINE__, (status), __VA_ARGS__)
void smab_par_die(const char *file, int line, int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
/* Call fn(arg) in smab_par_die, on the dying rank, before the job is
 * aborted (the engine records the failed session); fn NULL: nothing. */
void smab_par_on_die(void (*fn)(void *), void *arg);

/* Collective: the host names of all ranks, sorted, each once, as a fresh
 * comma list on rank 0 (free it); NULL on the other ranks. */
char *smab_par_hosts(void);

/* Shared counters for dynamic scheduling and progress: every rank can add
 * to counter 'slot' (0 .. nslots-1) without rank 0 having to answer.
 * Collective create and free. */
typedef struct smab_par_counter smab_par_counter;
smab_par_counter *smab_par_counter_create(int nslots);
/* Returns counter 'slot's value before adding n (atomic across ranks). */
int64_t smab_par_counter_take(smab_par_counter *c, int slot, int64_t n);
void smab_par_counter_free(smab_par_counter **c);
/* on = 1: this rank now computes (a task) and calls neither MPI nor HDF5
 * until smab_par_computing(0).  Meanwhile, where the counters need it (ranks
 * on several nodes, one-sided operations over TCP), rank 0's helper thread
 * serves the other ranks' takes. */
void smab_par_computing(int on);

/* Catch SIGTERM and SIGINT from now on (the run calls it first thing).
 * While setting up, a stop signal ends the process at once with exit
 * status 3, removing the file named by smab_par_stop_unlink; once the
 * engine calls smab_par_stop_at_once(0) the first one only raises a flag
 * (smab_par_stop_requested), so the engine can stop between tasks and close
 * the file cleanly, and a second SIGINT kills as usual.  Not MPI, but it
 * lives with the other process-wide machinery. */
void smab_par_catch_stop(void);
/* on = 1: a stop signal exits at once (setup); 0: it raises the flag. */
void smab_par_stop_at_once(int on);
/* A file to remove if a stop signal exits at once (a temporary file being
 * built), or NULL for none.  The path is copied. */
void smab_par_stop_unlink(const char *path);
/* The signal that asked this process to stop (SIGTERM, SIGINT), or 0. */
int smab_par_stop_requested(void);

#endif
