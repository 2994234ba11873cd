/* engine.h - run an experiment on every rank of the job.
 *
 * The whole run is a library call, so tests drive complete runs in-process
 * and 'main' stays one line. */
#ifndef SMAB_ENGINE_H
#define SMAB_ENGINE_H

#include <stdio.h>
#include "smab/config.h"

typedef struct smab_run_opts {
	const char *output;  /* result file; NULL: the experiment's 'output' */
	int resume;          /* finish an existing file made by the same config */
	int repair;          /* with resume: compute again the tasks whose checksum fails */
	int strict_provenance; /* with resume: refuse a file whose last session
	                          was another build (commit, version, flags) */
	int force;           /* replace an existing file */
	int quiet;           /* no progress lines */
	FILE *log;           /* progress and summary (rank 0); NULL: stderr */
	int shard, nshards;  /* run only shard 'shard' of 'nshards' (0: all tasks) */
	double progress_every; /* seconds between progress log lines; 0: default */
} smab_run_opts;

/* Collective: every rank passes the same experiment.  Returns an exit status
 * (SMAB_EXIT_*), the same on every rank: SMAB_EXIT_STOPPED when SIGTERM or
 * SIGINT reached any rank before every task was in (the tasks then in
 * flight are abandoned, the file is closed and can be finished with
 * 'resume'). */
int smab_run(const smab_experiment *e, const smab_run_opts *o);

/* Entry point of the smab command (all subcommands). */
int smab_main(int argc, char **argv);

#endif
