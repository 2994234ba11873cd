/* engine.c - run an experiment on every rank: prolog (agree on the output,
 * plan, open the file), main loop (take batches of tasks from a shared
 * counter, simulate, write), epilog (close, summarize, report). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "smab/engine.h"
#include "smab/h5out.h"
#include "smab/par.h"
#include "smab/plan.h"
#include "smab/sched.h"

/* Seconds between progress lines on rank 0. */
#define PROGRESS_EVERY 5.0
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

/* Create the parent directories of 'path' (like mkdir -p of dirname). */
static int make_parents(const char *path)
{
	char *d = smab_xstrdup(path);
	int rc = 0;
	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(d);
	return rc;
}

/* Rank 0 decides whether the output may be written; everyone learns the
 * verdict.  Returns 0 to create, 1 to resume, -1 to stop (message printed). */
static int output_verdict(const char *path, const smab_run_opts *o, FILE *log)
{
	int verdict = 0;
	if (smab_par_rank() == 0) {
		int exists = access(path, F_OK) == 0;
		if (exists && o->resume)
			verdict = 1;
		else if (exists && !o->force) {
			fprintf(stderr, "smab: %s already exists: pass --resume to finish it "
			        "or --force to replace it\n", path);
			verdict = -1;
		} else if (!exists && o->resume && !o->quiet)
			fprintf(log, "smab: %s does not exist yet: starting a new run\n", path);
		if (verdict >= 0 && make_parents(path) != 0) {
			fprintf(stderr, "smab: cannot create the directory of %s: %s\n",
			        path, strerror(errno));
			verdict = -1;
		}
	}
	smab_par_bcast(&verdict, sizeof verdict);
	return verdict;
}

static void progress(FILE *log, double t0, int64_t started, int64_t total)
{
	double dt = smab_par_time() - t0;
	double rate = dt > 0 ? (double)started / dt : 0;
	double eta = rate > 0 ? (double)(total - started) / rate : 0;
	fprintf(log, "smab: %lld/%lld tasks started (%.1f%%), %.1f tasks/s, "
	        "elapsed %.0f s, ETA %.0f s\n", (long long)started, (long long)total,
	        total ? 100.0 * (double)started / (double)total : 100.0, rate, dt, eta);
	fflush(log);
}

int smab_run(const smab_experiment *e, const smab_run_opts *o)
{
	FILE *log = o->log ? o->log : stderr;
	const char *path = o->output ? o->output : e->output;
	int rank = smab_par_rank(), nranks = smab_par_size();
	double t_start = smab_par_time();

	int verdict = output_verdict(path, o, log);
	if (verdict < 0)
		return SMAB_EXIT_USAGE;

	smab_plan *pl = NULL;
	if (smab_plan_make(e, &pl) != SMAB_OK)
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "cannot plan the experiment");
	char *canon = smab_config_canonical(e);
	char sha[65];
	sha256_hex(canon, sha);
	smab_prov prov = {.canonical = canon, .sha256 = sha, .ranks = nranks};

	int64_t ntask_all = pl->npoints * pl->reps;
	unsigned char *done = smab_xcalloc((size_t)ntask_all, 1);
	smab_h5 *h = NULL;
	char err[1024] = "";
	int rc = verdict == 1
	         ? smab_h5_resume(path, pl, &prov, smab_par_comm(), &h, done, err, sizeof err)
	         : smab_h5_create(path, pl, &prov, smab_par_comm(), &h, err, sizeof err);
	if (!smab_par_all(rc == SMAB_OK)) {
		if (rank == 0)
			fprintf(stderr, "smab: %s\n", err[0] ? err : "cannot open the output file");
		if (h)
			smab_h5_close(&h);
		free(done);
		free(canon);
		smab_plan_free(&pl);
		return verdict == 1 ? SMAB_EXIT_USAGE : SMAB_EXIT_FAIL;
	}

	int64_t nbatch = 0, ntask = 0;
	smab_batch *b = smab_sched_batches(pl, done, nranks, BATCHES_PER_RANK,
	                                   &nbatch, &ntask);
	if (rank == 0 && !o->quiet)
		fprintf(log, "smab: %s: %lld points x %d replications, %lld tasks to run "
		        "in %lld batches on %d rank%s -> %s\n", e->name,
		        (long long)pl->npoints, pl->reps, (long long)ntask,
		        (long long)nbatch, nranks, nranks > 1 ? "s" : "", path);

	/* Prefix sums of tasks per batch, for progress from the counter alone. */
	int64_t *before = smab_xmalloc((size_t)(nbatch + 1) * sizeof *before);
	before[0] = 0;
	for (int64_t i = 0; i < nbatch; i++)
		before[i + 1] = before[i] + b[i].n;

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

	smab_par_counter *ctr = smab_par_counter_create();
	double t_loop = smab_par_time(), t_last = t_loop, t_h5 = 0;
	for (;;) {
		int64_t i = smab_par_counter_take(ctr, 1);
		if (i >= nbatch)
			break;
		const smab_batch *bt = &b[i];
		const smab_value *v = smab_plan_point(pl, bt->point);
		for (int k = 0; k < bt->n; k++) {
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
			int src = s->run(&t, &out);
			secs[k] = smab_par_time() - t0;
			if (src != SMAB_OK)
				SMAB_PAR_DIE(SMAB_EXIT_FAIL, "suite %s failed on point %lld "
				             "replication %u (status %d)", s->name,
				             (long long)bt->point, t.rep, src);
		}
		double t0 = smab_par_time();
		if (smab_h5_write(h, bt->point, bt->rep0, bt->n, scalar, curve, secs) != SMAB_OK)
			SMAB_PAR_DIE(SMAB_EXIT_FAIL, "cannot write results to %s", path);
		t_h5 += smab_par_time() - t0;
		if (rank == 0 && !o->quiet && smab_par_time() - t_last >= PROGRESS_EVERY) {
			int64_t taken = smab_par_counter_take(ctr, 0);
			progress(log, t_loop, before[taken < nbatch ? taken : nbatch], ntask);
			t_last = smab_par_time();
		}
	}
	smab_par_counter_free(&ctr);
	double t0 = smab_par_time();
	rc = smab_par_all(smab_h5_close(&h) == SMAB_OK) ? SMAB_OK : SMAB_EIO;
	t_h5 += smab_par_time() - t0;
	double h5_all = smab_par_sum(t_h5);

	if (rank == 0 && rc != SMAB_OK)
		fprintf(stderr, "smab: cannot close %s cleanly; run again with --resume "
		        "to redo any task whose results did not reach it\n", path);
	if (rank == 0 && rc == SMAB_OK) {
		t0 = smab_par_time();
		rc = smab_h5_summarize(path, err, sizeof err);
		double t_sum = smab_par_time() - t0;
		if (rc != SMAB_OK)
			fprintf(stderr, "smab: %s\n", err);
		else if (!o->quiet)
			smab_h5_report(path, NULL, NULL, 0, log, err, sizeof err);
		double total = smab_par_time() - t_start;
		/* HDF5 share: every rank's write time averaged, plus the summary. */
		double h5 = h5_all / nranks + t_sum;
		fprintf(log, "smab: hdf5_seconds %.4f total_seconds %.4f tasks %lld ranks %d "
		        "(HDF5 %.1f%% of the run)\n", h5, total, (long long)ntask, nranks,
		        total > 0 ? 100.0 * h5 / total : 0.0);
	}
	int ok = smab_par_all(rc == SMAB_OK);
	free(scalar);
	free(curve);
	free(secs);
	free(before);
	free(b);
	free(done);
	free(canon);
	smab_plan_free(&pl);
	return ok ? SMAB_EXIT_OK : SMAB_EXIT_FAIL;
}
