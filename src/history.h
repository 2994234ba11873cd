/* history.h - internal to the result-file code, not installed: the rows of
 * /history, one per session that wrote a result file (the build, each
 * resume or repair, a merge), and how they are made, read and printed.
 *
 * The row type grew after format 2 first shipped: the fields after
 * 'tasks_after' are absent from files written before.  HDF5 converts
 * compound rows member by member, by name, so such a file reads with the
 * new type (the missing members keep the defaults h5u_session_blank sets)
 * and a new row written into its narrower table loses only the members
 * the table lacks. */
#ifndef SMAB_HISTORY_H
#define SMAB_HISTORY_H

#include <stdio.h>

#include "h5util.h"

/* How a session ended (the 'outcome' member). */
#define H5U_RUNNING "running"     /* begun; replaced when it ends */
#define H5U_FINISHED "finished"   /* every task it had to run is done */
#define H5U_STOPPED "stopped"     /* a signal (time limit, scancel): exit 3 */
#define H5U_FAILED "failed"       /* a runtime error: exit 1 */
#define H5U_INTERRUPTED "interrupted"   /* found 'running' by a later session:
                                            the process was killed */

/* One row of /history, the same in memory and in the file. */
typedef struct h5u_session {
	int64_t session;          /* 1, 2, ...; 0 marks an unused row */
	char started[24];         /* UTC, ISO 8601 */
	char ended[24];           /* UTC; empty while running or if killed */
	char action[16];          /* create, resume, repair, merge */
	char version[16];         /* smab version */
	char commit[48];          /* git commit of the build */
	char host[64];            /* host name of rank 0 */
	char job[32];             /* SLURM job id (array element: ARRAYJOB_TASK), or empty */
	int64_t ranks;
	int64_t tasks_before;     /* tasks done when the session began */
	int64_t tasks_after;      /* when it ended; -1 until then */
	/* added later: see the top of this file */
	char flags[256];          /* compiler and flags of the build (cut to fit) */
	char hosts[1024];         /* sorted distinct host names of all ranks, comma list */
	int64_t array_task;       /* SLURM_ARRAY_TASK_ID, -1 if not an array element */
	int64_t resubmission;     /* SMAB_RESUBMISSION: resubmissions of the job before it */
	char outcome[16];         /* H5U_RUNNING .. H5U_FAILED; empty in older files */
} h5u_session;

/* The /history row type.  -1 on failure; close with H5Tclose. */
hid_t h5u_session_type(void);
/* An unused row: zero, with array_task -1 (what a missing member reads as). */
void h5u_session_blank(h5u_session *s);
/* A row for a session of this process beginning now ('running'): action,
 * build, host, 'hosts' (the ranks' names, a sorted comma list as
 * smab_par_hosts makes it, cut to fit with "+N more"; NULL: this host),
 * SLURM job and array element, resubmission, ranks and the tasks done so
 * far. */
void h5u_session_now(h5u_session *s, const char *action, int64_t session, int ranks,
                     const char *hosts, int64_t tasks_before);
/* The commit this build records: smab_git_commit, unless the test hook
 * SMAB_TEST_GIT_COMMIT names another (so tests can play a second build). */
const char *h5u_this_commit(void);

/* A row still 'running' that no live process writes any more (a later
 * session, a merge): its outcome becomes 'interrupted'.  1 if it changed. */
int h5u_session_close_dead(h5u_session *s);

/* Read /history of rf (format 2 or later) into rows[H5U_HISTORY_ROWS],
 * whichever members its row type has.  Returns cx->status. */
int h5u_read_history(h5u_rfile *rf, h5u_session *rows, h5ctx *cx);

/* How row r ended, for people: its outcome, or for a row never ended
 * "interrupted" (the process was killed) -- "running" instead when 'live'
 * (a live writer holds the file) and r is the last session; "ended" for a
 * row of an older file that did not record how. */
const char *h5u_session_outcome(const h5u_session *r, int64_t last, int live);

/* The table of the used rows of rows[n]: one line per session with its
 * number, action, start, end, duration, outcome, commit, version, ranks,
 * hosts (rank 0's first), SLURM job, resubmission and tasks done in it. */
void h5u_history_print(FILE *out, const h5u_session *rows, int n, int live);

#endif
