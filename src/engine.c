/* engine.c - run an experiment on every rank: prolog (agree on the output,
 * plan, open the file), main loop (take batches of tasks from a shared
 * counter, simulate, write), epilog (close, summarize, report). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "smab/engine.h"
#include "smab/coaltab.h"
#include "smab/guard.h"
#include "smab/h5extend.h"
#include "smab/h5out.h"
#include "smab/outfile.h"
#include "smab/par.h"
#include "smab/plan.h"
#include "smab/sched.h"

/* Seconds between progress lines on rank 0 (log files), and between
 * redraws of the bar on a terminal. */
#define PROGRESS_EVERY 10.0
#define BAR_EVERY 0.5
#define BAR_WIDTH 30
/* Counters shared by the ranks: batches taken, tasks written. */
enum { C_BATCH, C_DONE, NCOUNTERS };
/* Added to the batch counter by a rank that was told to stop: every rank's
 * next take is then past the end, so all leave the loop and meet at the
 * collective close (nobody hangs), without any message of their own. */
#define STOP_MARK ((int64_t)1 << 50)
/* Seconds between checks, within a batch, of whether another rank stopped. */
#define STOP_POLL 0.5
/* Batches aimed at per rank: enough for dynamic balancing to even out the
 * tail, few enough that handing them out costs nothing. */
#define BATCHES_PER_RANK 16

static void sha256_hex(const char *s, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < len && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* ---- test hooks ------------------------------------------------------ */

/* Seconds to sleep after each task, from SMAB_TEST_TASK_DELAY: a test hook
 * that makes a small experiment last long enough to be stopped by a real
 * time limit without burning CPU.  0 when unset. */
static double test_delay(void)
{
	const char *s = getenv("SMAB_TEST_TASK_DELAY");
	char *end;
	double d = s ? strtod(s, &end) : 0;
	return s && *end == '\0' && d > 0 && d < 3600 ? d : 0;
}

/* 1 if SMAB_TEST_SKIP_SPACE_CHECK=1: a test hook that skips the free-space
 * check before a new file is built, so a test can fill a small file system
 * and see a failure inside HDF5 itself handled (exit 1, no file left). */
static int test_skip_space_check(void)
{
	const char *s = getenv("SMAB_TEST_SKIP_SPACE_CHECK");
	return s && strcmp(s, "1") == 0;
}

/* Tasks after which the last rank fails as a failing suite or write would
 * (SMAB_PAR_DIE), from SMAB_TEST_FAIL_AFTER: a test hook for the 'failed'
 * session in /history.  -1 when unset. */
static int64_t test_fail_after(void)
{
	const char *s = getenv("SMAB_TEST_FAIL_AFTER");
	char *end;
	long long n = s ? strtoll(s, &end, 10) : -1;
	return s && *end == '\0' && n >= 0 && smab_par_rank() == smab_par_size() - 1 ? n : -1;
}

/* ---- the output file: decided and prepared by rank 0 ------------------- */

/* What rank 0 found out about the output before any rank opens it. */
typedef struct output {
	int status;            /* SMAB_EXIT_OK, or the exit status to stop with */
	int resume;            /* 1: finish an existing file; 0: a new one */
	int lock;              /* the writer's lock (outfile.h), -1 if none */
	smab_h5_info info;     /* resume: what the file holds */
	unsigned char *bad;    /* resume: [P*R] tasks failing their checksum */
	int64_t nbad;          /* ... and how many, cleared to run again */
} output;

/* An exit status for a failed step: bad or refused input 2, else 1. */
static int exit_for(int st)
{
	return st == SMAB_EIO || st == SMAB_ENOMEM || st == SMAB_EINTERNAL ? SMAB_EXIT_FAIL
	                                                                    : SMAB_EXIT_USAGE;
}

static int refuse(output *out, int status, const char *msg)
{
	fprintf(stderr, "smab: %s\n", msg);
	out->status = status;
	return status;
}

/* The file system of 'path' has no locks (smab_out_lock took none, and
 * said so in err): warn, naming the file the user knows. */
static void warn_no_lock(const output *out, const char *path, const char *err)
{
	if (out->lock < 0)
		fprintf(stderr, "smab: warning: %s: %s\n", path, err);
}

/* A new file: built complete under a temporary name, locked, and renamed
 * into place -- never over a file that appeared meanwhile unless --force. */
static int prepare_new(const smab_experiment *e, const char *path, const smab_run_opts *o,
                       const smab_plan *pl, const smab_prov *prov, output *out)
{
	char err[1024];
	int st = smab_out_make_parents(path, err, sizeof err);
	if (st == SMAB_OK && !test_skip_space_check())
		st = smab_out_check_space(path, smab_experiment_file_bytes(e), err, sizeof err);
	if (st != SMAB_OK)
		return refuse(out, SMAB_EXIT_FAIL, err);
	smab_out_clean_stale(path);
	char *tmp = smab_out_tmpname(path);
	smab_par_stop_unlink(tmp);   /* a stop signal now removes it */
	st = smab_h5_build(tmp, pl, prov, err, sizeof err);
	if (st == SMAB_OK && (st = smab_out_lock(tmp, &out->lock, err, sizeof err)) == SMAB_OK)
		warn_no_lock(out, path, err);
	if (st == SMAB_OK)
		st = smab_out_publish(tmp, path, o->force, err, sizeof err);
	if (st != SMAB_OK) {
		smab_out_unlock(&out->lock);
		remove(tmp);
		refuse(out, exit_for(st), err);
	}
	smab_par_stop_unlink(NULL);
	free(tmp);
	return out->status;
}

/* smab_h5_inspect in a child process (guard.h): a file crafted to crash
 * HDF5 itself cannot take the run down.  What the child finds comes back
 * through memory shared with it. */
typedef struct inspect_call {
	const char *path;
	const smab_plan *pl;
	const smab_prov *prov;
	struct {
		int status;
		smab_h5_info info;
		char err[1024];
		unsigned char tasks[];   /* done[T], then bad[T] */
	} *back;
} inspect_call;

static int call_inspect(void *arg)
{
	inspect_call *c = arg;
	size_t T = (size_t)c->pl->npoints * (size_t)c->pl->reps;
	c->back->status = smab_h5_inspect(c->path, c->pl, c->prov, &c->back->info,
	                                  c->back->tasks, c->back->tasks + T, c->back->err,
	                                  sizeof c->back->err);
	return 0;
}

static int inspect_guarded(const char *path, const smab_plan *pl, const smab_prov *prov,
                           unsigned char *done, output *out, char *err, size_t errlen)
{
	size_t T = (size_t)pl->npoints * (size_t)pl->reps;
	inspect_call c = {path, pl, prov, NULL};
	size_t len = sizeof *c.back + 2 * T;
	c.back = smab_guard_alloc(len);
	int sig = 0, rc = smab_guard_run(call_inspect, &c, &sig), st = c.back->status;
	if (rc == 0) {
		out->info = c.back->info;
		memcpy(done, c.back->tasks, T);
		memcpy(out->bad, c.back->tasks + T, T);
		snprintf(err, errlen, "%s", c.back->err);
	} else if (rc < 0 && smab_guard_crashed(sig)) {
		snprintf(err, errlen, "%s is damaged or crafted: reading it crashed the HDF5 "
		         "library (%s); 'smab verify' tells the same", path, strsignal(sig));
		st = SMAB_EINVAL;
	} else {
		/* a stop signal reached the child: this run stops too */
		out->status = SMAB_EXIT_STOPPED;
		st = SMAB_EIO;
	}
	smab_guard_free(c.back, len);
	return st;
}

/* An existing file: locked, then checked read-only (configuration,
 * structure, checksums, the builds that wrote it) before anyone writes. */
static int prepare_resume(const char *path, const smab_run_opts *o, const smab_plan *pl,
                          const smab_prov *prov, unsigned char *done, output *out, FILE *log)
{
	char err[1024];
	size_t T = (size_t)pl->npoints * (size_t)pl->reps;
	/* locked already when its replications were just extended */
	if (out->lock < 0) {
		int st = smab_out_lock(path, &out->lock, err, sizeof err);
		if (st != SMAB_OK)
			return refuse(out, exit_for(st == SMAB_EBUSY ? SMAB_EINVAL : st), err);
		warn_no_lock(out, path, err);
	}
	out->bad = smab_xcalloc(T + 1, 1);
	/* A file that cannot be read as a result file of this experiment --
	 * damaged, crafted, another configuration -- is bad input. */
	int st = inspect_guarded(path, pl, prov, done, out, err, sizeof err);
	if (st != SMAB_OK && out->status == SMAB_EXIT_STOPPED)
		return out->status;
	if (st != SMAB_OK)
		return refuse(out, SMAB_EXIT_USAGE, err);
	if (out->info.changed[0]) {
		char msg[1536];
		snprintf(msg, sizeof msg, "%s was written by another build: %s", path,
		         out->info.changed);
		if (o->strict_provenance) {
			fprintf(stderr, "smab: %s; refused (--strict-provenance): resume it with the "
			        "build of its last session, or drop --strict-provenance\n", msg);
			out->status = SMAB_EXIT_USAGE;
			return out->status;
		}
		fprintf(stderr, "smab: warning: %s; resuming (/history records every session's "
		        "build; --strict-provenance refuses instead)\n", msg);
	}
	out->nbad = out->info.nbad;
	if (out->info.damage[0] && !o->repair)
		return refuse(out, SMAB_EXIT_USAGE, out->info.damage);
	for (size_t t = 0; t < T; t++)
		if (out->bad[t])
			done[t] = 0;
	out->info.ndone -= out->nbad;
	if (out->nbad > 0 && !o->quiet)
		fprintf(log, "smab: %s: %lld damaged task%s will be computed again\n", path,
		        (long long)out->nbad, out->nbad == 1 ? "" : "s");
	return out->status;
}

/* smab_h5_replications in a child process, as smab_h5_inspect (a crafted
 * file cannot crash the run): the file's replications, or 0. */
typedef struct reps_call {
	const char *path;
	int *r;   /* shared with the child */
} reps_call;

static int call_reps(void *arg)
{
	reps_call *c = arg;
	char err[256];
	return smab_h5_replications(c->path, c->r, err, sizeof err) == SMAB_OK ? 0 : 1;
}

static int file_reps(const char *path)
{
	int *r = smab_guard_alloc(sizeof *r), sig = 0;
	*r = 0;
	reps_call c = {path, r};
	int n = smab_guard_run(call_reps, &c, &sig) == 0 ? *r : 0;
	smab_guard_free(r, sizeof *r);
	return n;
}

/* --resume with more replications than the file holds (--set
 * replications=R): the streams are keyed by replication, so the file's R0
 * stay valid.  A new file of R replications is built under a temporary
 * name, the old one's datasets and /history are copied into it (the
 * per-task ones into the first R0 replications), and it replaces the old
 * one; the resume that follows runs the rest.  Only a file that is, but for
 * its replications, of this configuration and intact is extended.  Does
 * nothing when the file's replications are e's (or cannot be read: the
 * inspection that follows says why). */
static int extend_reps(const smab_experiment *e, const char *path, const smab_plan *pl,
                       const smab_prov *prov, output *out, FILE *log, int quiet)
{
	char err[1024];
	int r0 = file_reps(path), r = e->replications;
	if (r0 <= 0 || r0 == r)
		return out->status;
	if (r0 > r) {
		snprintf(err, sizeof err, "%s holds %d replications, more than the %d asked for: "
		         "a run never drops replications (ask for %d or more, or choose another "
		         "output)", path, r0, r, r0);
		return refuse(out, SMAB_EXIT_USAGE, err);
	}
	/* Which shard runs a task depends on the replications: the shards of
	 * an extended run would overlap. */
	if (prov->shard) {
		snprintf(err, sizeof err, "%s holds %d replications, not %d, and is a shard: "
		         "shards are extended after they are merged ('smab merge', then "
		         "--resume on the merged file)", path, r0, r);
		return refuse(out, SMAB_EXIT_USAGE, err);
	}
	/* the old file as a file of this experiment with r0 replications */
	smab_experiment e0 = *e;
	e0.replications = r0;
	smab_plan *pl0 = NULL;
	if (smab_plan_make(&e0, &pl0) != SMAB_OK)
		return refuse(out, SMAB_EXIT_FAIL, "cannot plan the file's replications");
	char *canon0 = smab_config_canonical(&e0), sha0[65];
	sha256_hex(canon0, sha0);
	smab_prov prov0 = *prov;
	prov0.canonical = canon0;
	prov0.sha256 = sha0;
	size_t T0 = (size_t)pl0->npoints * (size_t)pl0->reps;
	output old = {.status = SMAB_EXIT_OK, .lock = -1, .bad = smab_xcalloc(T0 + 1, 1)};
	unsigned char *done0 = smab_xcalloc(T0 + 1, 1);
	char *tmp = smab_out_tmpname(path);
	int lock = -1, st = smab_out_lock(path, &out->lock, err, sizeof err);
	if (st != SMAB_OK) {
		refuse(out, exit_for(st == SMAB_EBUSY ? SMAB_EINVAL : st), err);
		goto done;
	}
	warn_no_lock(out, path, err);
	st = inspect_guarded(path, pl0, &prov0, done0, &old, err, sizeof err);
	if (st != SMAB_OK) {
		if (old.status == SMAB_EXIT_STOPPED)
			out->status = SMAB_EXIT_STOPPED;
		else
			refuse(out, SMAB_EXIT_USAGE, err);
		goto done;
	}
	if (old.info.damage[0]) {
		snprintf(err, sizeof err, "%s; it is extended to %d replications only once intact",
		         old.info.damage, r);
		refuse(out, SMAB_EXIT_USAGE, err);
		goto done;
	}
	smab_par_stop_unlink(tmp);
	st = smab_out_check_space(path, smab_experiment_file_bytes(e), err, sizeof err);
	if (st == SMAB_OK)
		st = smab_h5_build(tmp, pl, prov, err, sizeof err);
	if (st == SMAB_OK)
		st = smab_h5_extend_copy(path, tmp, r0, r, err, sizeof err);
	if (st == SMAB_OK)
		st = smab_out_lock(tmp, &lock, err, sizeof err);
	/* the old file's lock goes just before the new file takes its place */
	if (st == SMAB_OK) {
		smab_out_unlock(&out->lock);
		st = smab_out_publish(tmp, path, 1, err, sizeof err);
	}
	if (st != SMAB_OK) {
		smab_out_unlock(&lock);
		remove(tmp);
		refuse(out, exit_for(st), err);
	} else {
		out->lock = lock;
		if (!quiet)
			fprintf(log, "smab: %s: extended from %d to %d replications; its %lld done "
			        "tasks are kept\n", path, r0, r, (long long)old.info.ndone);
	}
	smab_par_stop_unlink(NULL);
done:
	if (out->status != SMAB_EXIT_OK)
		smab_out_unlock(&out->lock);
	free(tmp);
	free(done0);
	free(old.bad);
	free(canon0);
	smab_plan_free(&pl0);
	return out->status;
}

/* Rank 0: may the output be written, and how?  Every refusal happens here,
 * before any rank opens the file; its message is printed here. */
static void prepare(const smab_experiment *e, const char *path, const smab_run_opts *o,
                    const smab_plan *pl, const smab_prov *prov, unsigned char *done,
                    output *out, FILE *log)
{
	char err[1024];
	if (smab_out_check_path(path, err, sizeof err) != SMAB_OK) {
		refuse(out, SMAB_EXIT_USAGE, err);
		return;
	}
	if (smab_out_same_file(path, e->path)) {
		snprintf(err, sizeof err, "the output %s is the experiment file itself: choose "
		         "another output (-o)", path);
		refuse(out, SMAB_EXIT_USAGE, err);
		return;
	}
	int exists = access(path, F_OK) == 0;
	if (exists && o->resume) {
		out->resume = 1;
		if (extend_reps(e, path, pl, prov, out, log, o->quiet) == SMAB_EXIT_OK)
			prepare_resume(path, o, pl, prov, done, out, log);
		return;
	}
	if (exists && !o->force) {
		snprintf(err, sizeof err, "%s already exists: pass --resume to finish it or "
		         "--force to replace it", path);
		refuse(out, SMAB_EXIT_USAGE, err);
		return;
	}
	/* Refused now rather than after the build (publishing checks again). */
	if (exists && smab_out_check_free(path, err, sizeof err) != SMAB_OK) {
		refuse(out, SMAB_EXIT_USAGE, err);
		return;
	}
	if (!exists && o->resume && !o->quiet)
		fprintf(log, "smab: %s does not exist yet: starting a new run\n", path);
	prepare_new(e, path, o, pl, prov, out);
}

/* Progress on rank 0: a bar redrawn in place on a terminal, otherwise one
 * line every 'every' seconds (SLURM output files, logs). */
typedef struct progress {
	FILE *log;
	int tty, on;
	double t0, last, every;
	int64_t total;
} progress;

static void progress_init(progress *pg, FILE *log, int on, double every, int64_t total)
{
	pg->log = log;
	pg->on = on && smab_par_rank() == 0;
	pg->tty = isatty(fileno(log));
	pg->t0 = pg->last = smab_par_time();
	pg->every = pg->tty ? BAR_EVERY : every > 0 ? every : PROGRESS_EVERY;
	pg->total = total;
}

/* 1 if it is time for rank 0 to show progress again. */
static int progress_due(const progress *pg)
{
	return pg->on && smab_par_time() - pg->last >= pg->every;
}

static void progress_show(progress *pg, int64_t done, int final)
{
	if (!pg->on || (final && !pg->tty))
		return;
	double now = smab_par_time(), dt = now - pg->t0;
	double rate = dt > 0 ? (double)done / dt : 0;
	double eta = rate > 0 ? (double)(pg->total - done) / rate : 0;
	double frac = pg->total ? (double)done / (double)pg->total : 1.0;
	pg->last = now;
	if (!pg->tty) {
		fprintf(pg->log, "smab: progress %lld/%lld tasks (%.1f%%), %.2f tasks/s, "
		        "elapsed %.0f s, ETA %.0f s\n", (long long)done, (long long)pg->total,
		        100.0 * frac, rate, dt, eta);
	} else {
		char bar[BAR_WIDTH + 1];
		int fill = (int)(frac * BAR_WIDTH);
		for (int i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[BAR_WIDTH] = '\0';
		fprintf(pg->log, "\r[%s] %lld/%lld tasks %5.1f%%  %.2f tasks/s  ETA %.0f s   %s",
		        bar, (long long)done, (long long)pg->total, 100.0 * frac, rate, eta,
		        final ? "\n" : "");
	}
	fflush(pg->log);
}

static void pause_for(double secs)
{
	struct timespec ts = {(time_t)secs, (long)((secs - floor(secs)) * 1e9)};
	nanosleep(&ts, NULL);   /* a stop signal cuts it short, as it should */
}

/* 1 if this rank must stop: its own signal, or (polled every STOP_POLL s,
 * since it costs a message) another rank's stop mark on the batch counter. */
static int must_stop(smab_par_counter *ctr, double *t_poll)
{
	if (smab_par_stop_requested())
		return 1;
	if (smab_par_time() - *t_poll < STOP_POLL)
		return 0;
	*t_poll = smab_par_time();
	return smab_par_counter_take(ctr, C_BATCH, 0) >= STOP_MARK;
}

/* smab_par_die's last act on a dying rank: its session failed. */
static void record_failure(void *h)
{
	smab_h5_fail(h);
}

/* Drop the tasks outside shard 'o->shard' from the to-do list. */
static void keep_shard(const smab_plan *pl, const smab_run_opts *o, unsigned char *done)
{
	if (o->nshards <= 1)
		return;
	for (int64_t p = 0; p < pl->npoints; p++)
		for (int r = 0; r < pl->reps; r++)
			if (smab_sched_shard(p, r, pl->reps, o->nshards) != o->shard)
				done[p * pl->reps + r] = 1;
}

/* 1 if parameter i of the suite is a sweep axis of e. */
static int swept(const smab_experiment *e, int i)
{
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++)
			if (e->axes[a].param[k] == i)
				return 1;
	return 0;
}

/* A coalition suite run whose sweep has a 'coalition' axis: the runs that
 * have coalition tables to compute. */
static int coalition_swept(const smab_experiment *e)
{
	int p = e->suite->agents ? smab_suite_param(e->suite, "coalition") : -1;
	return p >= 0 && swept(e, p);
}

/* Above the closing table: what was run -- suite, replications,
 * mechanisms, the fixed parameters the file sets, the swept ones -- so the
 * table can be read (or pasted) on its own. */
static void report_head(const smab_experiment *e, int64_t npoints, FILE *log)
{
	const smab_suite *s = e->suite;
	fprintf(log, "\n%s: suite %s, %lld point%s x %d replication%s, mechanisms", e->name,
	        s->name, (long long)npoints, npoints == 1 ? "" : "s", e->replications,
	        e->replications == 1 ? "" : "s");
	for (int k = 0; k < e->nmech; k++)
		fprintf(log, "%s %s", k ? "," : "", s->mechs[e->mech[k]].name);
	fprintf(log, "\n  fixed:");
	int nfixed = 0;
	for (int i = 0; i < s->nparams; i++) {
		if (!e->set[i] || swept(e, i))
			continue;
		char *t = smab_value_str(&s->params[i], &e->base[i], 6);
		fprintf(log, " %s=%s", s->params[i].name, t);
		free(t);
		nfixed++;
	}
	fprintf(log, "%sthe rest at their defaults ('smab list %s')\n", nfixed ? "; " : " ",
	        s->name);
	if (e->naxes > 0) {
		fprintf(log, "  swept:");
		for (int i = 0; i < s->nparams; i++)
			if (swept(e, i))
				fprintf(log, " %s", s->params[i].name);
		fputc('\n', log);
	}
	fputc('\n', log);
}

/* Below it: one line on each metric shown ('only', or all of them). */
static void report_legend(const smab_suite *s, const char *only, FILE *log)
{
	fprintf(log, "\nmetrics shown:\n");
	for (int m = 0; m < s->nmetrics; m++)
		if (!only || strcmp(only, s->metrics[m].name) == 0)
			fprintf(log, "  %-14s %s\n", s->metrics[m].name, s->metrics[m].doc);
}

int smab_run(const smab_experiment *e, const smab_run_opts *o)
{
	FILE *log = o->log ? o->log : stderr;
	/* Shards must not share a file: by default shard I of N writes
	 * <output stem>.shard-I-of-N.h5, the name 'smab submit --shards' uses. */
	char *shard_path = NULL;
	if (!o->output && o->nshards > 1) {
		size_t n = strlen(e->output);
		size_t stem = n > 3 && strcmp(e->output + n - 3, ".h5") == 0 ? n - 3 : n;
		size_t len = stem + 64;
		shard_path = smab_xmalloc(len);
		snprintf(shard_path, len, "%.*s.shard-%d-of-%d.h5", (int)stem, e->output,
		         o->shard, o->nshards);
	}
	const char *path = o->output ? o->output : shard_path ? shard_path : e->output;
	int rank = smab_par_rank(), nranks = smab_par_size();
	double t_start = smab_par_time();

	smab_par_catch_stop();
	smab_plan *pl = NULL;
	if (smab_plan_make(e, &pl) != SMAB_OK)
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "cannot plan the experiment");
	char *canon = smab_config_canonical(e);
	char sha[65];
	sha256_hex(canon, sha);
	char shard[48] = "";
	if (o->nshards > 1)
		snprintf(shard, sizeof shard, "%d/%d", o->shard, o->nshards);
	/* every rank's host, for /history (collective; the list on rank 0) */
	char *hosts = smab_par_hosts();
	smab_prov prov = {.canonical = canon, .sha256 = sha, .ranks = nranks,
	                  .shard = shard[0] ? shard : NULL, .hosts = hosts};
	double delay = test_delay();
	int64_t fail_after = test_fail_after();

	int64_t ntask_all = pl->npoints * pl->reps;
	unsigned char *done = smab_xcalloc((size_t)ntask_all, 1);
	output of = {.status = SMAB_EXIT_OK, .lock = -1};
	if (rank == 0)
		prepare(e, path, o, pl, &prov, done, &of, log);
	int head[2] = {of.status, of.resume};
	smab_par_bcast(head, sizeof head);
	if (head[0] == SMAB_EXIT_OK && head[1])
		smab_par_bcast(done, (size_t)ntask_all);
	smab_h5 *h = NULL;
	char err[1024] = "";
	int rc = head[0] == SMAB_EXIT_OK
	         ? smab_h5_open(path, pl, &prov, smab_par_comm(), &h, err, sizeof err)
	         : SMAB_EINVAL;
	/* This session's /history row (a new file's is its first); a repair
	 * forgets the damaged tasks' done flags first, so a crash now cannot
	 * resurrect them. */
	if (!of.resume)
		of.info = (smab_h5_info){.session = 1, .slot = 0};
	if (rc == SMAB_OK && rank == 0 &&
	    smab_h5_begin(h, !of.resume ? "create"
	                     : of.nbad > 0 || of.info.tables_bad ? "repair" : "resume",
	                  &of.info, nranks, of.nbad > 0 ? of.bad : NULL) != SMAB_OK) {
		snprintf(err, sizeof err, "cannot record this session in %s", path);
		rc = SMAB_EIO;
	}
	if (!smab_par_all(rc == SMAB_OK)) {
		if (rank == 0 && head[0] == SMAB_EXIT_OK)
			fprintf(stderr, "smab: %s\n", err[0] ? err : "cannot open the output file");
		if (h)
			smab_h5_close(&h);
		smab_out_unlock(&of.lock);
		free(of.bad);
		free(done);
		free(hosts);
		free(canon);
		smab_plan_free(&pl);
		free(shard_path);
		return head[0] != SMAB_EXIT_OK ? head[0] : SMAB_EXIT_FAIL;
	}
	/* Any rank that dies from here on (a suite or a write failing) ends
	 * the session as 'failed' in /history before the job is aborted. */
	if (smab_h5_share_session(h) != SMAB_OK)
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "cannot share this session's /history row");
	smab_par_on_die(record_failure, h);
	/* From here a stop signal ends the run between tasks, cleanly. */
	smab_par_stop_at_once(0);

	keep_shard(pl, o, done);
	int64_t nbatch = 0, ntask = 0;
	smab_batch *b = smab_sched_batches(pl, done, nranks, BATCHES_PER_RANK,
	                                   &nbatch, &ntask);
	if (rank == 0 && !o->quiet)
		fprintf(log, "smab: %s: %lld points x %d replications%s%s, %lld tasks to run "
		        "in %lld batches on %d rank%s -> %s\n", e->name,
		        (long long)pl->npoints, pl->reps, shard[0] ? ", shard " : "", shard,
		        (long long)ntask, (long long)nbatch, nranks, nranks > 1 ? "s" : "", path);

	const smab_suite *s = e->suite;
	size_t per_scalar = (size_t)pl->nmech * (size_t)pl->nmetrics;
	size_t per_curve = per_scalar * (size_t)pl->ncheck;
	int maxn = 1;
	for (int64_t i = 0; i < nbatch; i++)
		if (b[i].n > maxn)
			maxn = b[i].n;
	double *scalar = smab_xmalloc((size_t)maxn * per_scalar * sizeof(double));
	double *curve = smab_xmalloc((size_t)maxn * per_curve * sizeof(double));
	double *secs = smab_xmalloc((size_t)maxn * sizeof(double));

	smab_par_counter *ctr = smab_par_counter_create(NCOUNTERS);
	progress pg;
	progress_init(&pg, log, !o->quiet, o->progress_every, ntask);
	double t_poll = smab_par_time(), t_h5 = 0;
	int64_t written = 0;
	int stopping = 0;   /* this rank was told to stop, by a signal or a rank */
	for (;;) {
		if (smab_par_stop_requested()) {
			stopping = 1;
			break;
		}
		int64_t i = smab_par_counter_take(ctr, C_BATCH, 1);
		if (i >= STOP_MARK)
			stopping = 1;
		if (i >= nbatch)
			break;
		const smab_batch *bt = &b[i];
		const smab_value *v = smab_plan_point(pl, bt->point);
		int k = 0;
		for (; k < bt->n; k++) {
			/* Abandon the rest of the batch: what is done is written. */
			if (k > 0 && must_stop(ctr, &t_poll)) {
				stopping = 1;
				break;
			}
			smab_task t = {
				.p = v, .seed = e->seed, .point = (uint32_t)bt->point,
				.rep = (uint32_t)(bt->rep0 + k), .nmech = e->nmech,
				.mech = e->mech, .ncheck = pl->ncheck,
				.check = pl->check + bt->point * pl->ncheck,
			};
			smab_task_out out = {scalar + (size_t)k * per_scalar,
			                     curve + (size_t)k * per_curve};
			/* A curve the suite leaves unfilled is NaN in the file, not
			 * the previous task's values. */
			for (size_t j = 0; j < per_curve; j++)
				out.curve[j] = NAN;
			double t0 = smab_par_time();
			smab_par_computing(1);
			int src = s->run(&t, &out);
			if (delay > 0)
				pause_for(delay);
			smab_par_computing(0);
			secs[k] = smab_par_time() - t0;
			if (src != SMAB_OK)
				SMAB_PAR_DIE(SMAB_EXIT_FAIL, "suite %s failed on point %lld "
				             "replication %u (status %d)", s->name,
				             (long long)bt->point, t.rep, src);
			if (progress_due(&pg))
				progress_show(&pg, smab_par_counter_take(ctr, C_DONE, 0), 0);
		}
		if (k > 0) {
			double t0 = smab_par_time();
			if (smab_h5_write(h, bt->point, bt->rep0, k, scalar, curve, secs) != SMAB_OK)
				SMAB_PAR_DIE(SMAB_EXIT_FAIL, "cannot write results to %s", path);
			t_h5 += smab_par_time() - t0;
			written += k;
			smab_par_counter_take(ctr, C_DONE, k);
		}
		if (fail_after >= 0 && written >= fail_after)
			SMAB_PAR_DIE(SMAB_EXIT_FAIL, "failing after %lld tasks (SMAB_TEST_FAIL_AFTER)",
			             (long long)written);
		if (stopping)
			break;
	}
	if (stopping && smab_par_stop_requested())
		smab_par_counter_take(ctr, C_BATCH, STOP_MARK);
	if (!stopping)
		progress_show(&pg, ntask, 1);
	else if (pg.on && pg.tty)
		fputc('\n', log);
	smab_par_counter_free(&ctr);
	int64_t all_written = (int64_t)smab_par_sum((double)written);
	int stopped = all_written < ntask && !smab_par_all(!stopping);
	double t0 = smab_par_time();
	if (rank == 0)
		smab_h5_end(h, of.info.ndone + all_written, stopped ? "stopped" : "finished");
	smab_par_on_die(NULL, NULL);
	rc = smab_par_all(smab_h5_close(&h) == SMAB_OK) ? SMAB_OK : SMAB_EIO;
	t_h5 += smab_par_time() - t0;
	double h5_all = smab_par_sum(t_h5);

	if (rank == 0 && rc == SMAB_OK && stopped)
		fprintf(stderr, "smab: stopped by a signal after %lld of %lld tasks; %s is "
		        "closed and resumable: run again with --resume to finish it "
		        "(exit status %d)\n", (long long)all_written, (long long)ntask, path,
		        SMAB_EXIT_STOPPED);
	if (rank == 0 && rc != SMAB_OK)
		fprintf(stderr, "smab: cannot close %s cleanly; run again with --resume "
		        "to redo any task whose results did not reach it\n", path);
	if (rank == 0 && rc == SMAB_OK && !stopped) {
		t0 = smab_par_time();
		rc = smab_h5_summarize(path, err, sizeof err);
		double t_sum = smab_par_time() - t0;
		if (rc != SMAB_OK)
			fprintf(stderr, "smab: %s\n", err);
		else if (!o->quiet) {
			const char *only = e->suite->agents ? "regret" : NULL;
			report_head(e, pl->npoints, log);
			if (smab_h5_report(path, only, NULL, 0, log, err, sizeof err) == SMAB_OK)
				report_legend(e->suite, only, log);
		}
		if (rc == SMAB_OK && coalition_swept(e) && !o->nshards) {
			/* the coalition tables: Shapley values, payout, core, ... */
			/* this run holds the file's writer's lock */
			smab_coaltab_opts co = {.out = o->quiet ? NULL : log, .write = 1,
			                        .locked = 1};
			rc = smab_coaltab(path, &co, err, sizeof err);
			if (rc != SMAB_OK)
				fprintf(stderr, "smab: %s\n", err);
		}
		double total = smab_par_time() - t_start;
		/* HDF5 share: every rank's write time averaged, plus the summary. */
		double h5 = h5_all / nranks + t_sum;
		fprintf(log, "smab: hdf5_seconds %.4f total_seconds %.4f summary_seconds %.4f tasks "
		        "%lld ranks %d (HDF5 %.1f%% of the run)\n", h5, total, t_sum,
		        (long long)ntask, nranks, total > 0 ? 100.0 * h5 / total : 0.0);
	}
	/* the close, the summaries or the coalition tables failed: the
	 * session did not end as its row says (best effort: the file may be
	 * what failed) */
	if (rank == 0 && rc != SMAB_OK)
		smab_h5_set_outcome(path, of.info.slot, of.info.session, "failed", err, sizeof err);
	int ok = smab_par_all(rc == SMAB_OK);
	smab_out_unlock(&of.lock);
	free(of.bad);
	free(scalar);
	free(curve);
	free(secs);
	free(b);
	free(done);
	free(hosts);
	free(canon);
	smab_plan_free(&pl);
	free(shard_path);
	if (!ok)
		return SMAB_EXIT_FAIL;
	return stopped ? SMAB_EXIT_STOPPED : SMAB_EXIT_OK;
}
