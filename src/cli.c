/* cli.c - the smab command: subcommands, their options and their help.
 *
 * Only 'run' starts MPI; validate, plan, list, summary and shapley are plain
 * serial programs, so they work on a login node without mpirun. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smab/cliopt.h"
#include "smab/coaltab.h"
#include "smab/config.h"
#include "smab/engine.h"
#include "smab/guard.h"
#include "smab/h5info.h"
#include "smab/h5out.h"
#include "smab/outfile.h"
#include "smab/par.h"
#include "smab/plan.h"
#include "smab/submit.h"
#include "smab/suggest.h"
#include <sys/stat.h>

/* Seconds that 'plan --calibrate' spends running sample tasks. */
#define CALIBRATE_SECONDS 1.0

/* 'plan' lists every point of a sweep of up to PLAN_ALL points; of a larger
 * one the first PLAN_HEAD and the last PLAN_TAIL. */
enum { PLAN_ALL = 30, PLAN_HEAD = 20, PLAN_TAIL = 3 };

static const char *usage_main =
	"usage: smab <command> [options]\n"
	"\n"
	"commands:\n"
	"  run FILE.yaml       run an experiment (under mpirun for several ranks)\n"
	"  validate FILE.yaml  check an experiment file; report every error\n"
	"  plan FILE.yaml      show points, tasks and estimated cost; run nothing\n"
	"  summary OUT.h5      print the means and 95% confidence intervals of a result file\n"
	"  shapley OUT.h5      Shapley values, payouts, core and Assumption 3 of a coalition run\n"
	"  merge A.h5 B.h5...  join the files of 'run --shard' into one (-o ALL.h5)\n"
	"  verify OUT.h5       check a result file's structure and task checksums\n"
	"  info OUT.h5         what a result file holds and every session that wrote it\n"
	"  submit FILE.yaml    submit a run (or an array of shards) to SLURM\n"
	"  list [SUITE]        list suites, or a suite's parameters, mechanisms and metrics\n"
	"\n"
	"'smab <command> --help' describes a command.  smab " SMAB_VERSION "\n";

static const char *usage_run =
	"usage: [mpirun -np N] smab run FILE.yaml [-o OUT.h5] [--force] [--quiet]\n"
	"                              [--resume [--repair] [--strict-provenance]]\n"
	"                              [--set KEY=VALUE]... [--shard I/N] [--progress S]\n"
	"\n"
	"Run every task of the experiment on all MPI ranks and write one HDF5 file.\n"
	"  -o, --output OUT.h5  result file (default: the file's 'output', else results/<name>.h5)\n"
	"  --resume             finish an interrupted run of the same configuration;\n"
	"                       with --set replications=N above the file's, extend a\n"
	"                       finished or partial run to N replications\n"
	"  --repair             with --resume: compute again the tasks whose results fail\n"
	"                       their checksum (see 'smab verify'); without it a damaged\n"
	"                       file is refused\n"
	"  --strict-provenance  with --resume: refuse (exit 2) a file whose last session\n"
	"                       was run by another build (version, git commit or build\n"
	"                       flags); without it, a warning naming both.  Also spelt\n"
	"                       --same-build\n"
	"  --force              replace an existing result file\n"
	"  -s, --set KEY=VALUE  override a key of the file (params.horizon=1000,\n"
	"                       replications=10, sweep.drift=[0,0.5]); checked as if\n"
	"                       written in the file; repeatable\n"
	"  --shard I/N          run only shard I (0-based) of N: a fixed subset of the\n"
	"                       tasks, by default into <output stem>.shard-I-of-N.h5;\n"
	"                       'smab merge' joins the N shard files\n"
	"  --progress S         seconds between progress lines when not on a terminal\n"
	"                       (default 10); on a terminal a bar is redrawn instead\n"
	"  -q, --quiet          no progress and no summary table (the one-line\n"
	"                       timing report at the end stays)\n"
	"  -h, --help           this text\n"
	"An existing result file is never overwritten without --force, nor one that\n"
	"another smab process is writing, even with --force.  A new file is built\n"
	"complete under a temporary name and then renamed into place.\n"
	"SIGTERM or SIGINT (SLURM's time limit, scancel, Ctrl-C) on any rank stops\n"
	"every rank after its current task; the file is closed and resumable.\n"
	"Exit status: 0 done, 1 runtime failure, 2 bad input or refused output,\n"
	"3 stopped by a signal (finish with --resume).\n";

static const char *usage_validate =
	"usage: smab validate FILE.yaml\n"
	"\n"
	"Parse and check an experiment file against its suite; print every error as\n"
	"file:line:column.  Exit status 0 if valid, 2 if not.\n";

static const char *usage_plan =
	"usage: smab plan FILE.yaml [--ranks N] [--calibrate] [--set KEY=VALUE]...\n"
	"\n"
	"Show the sweep's points (the first 20 and the last 3 of more than 30), the\n"
	"number of tasks, the estimated cost and time of the run and the result\n"
	"file's size at most, without writing anything.\n"
	"  -n, --ranks N  estimate the wall time on N ranks (default 1)\n"
	"  --calibrate    measure this machine's speed on the experiment's own tasks\n"
	"                 (about a second of sample tasks, costliest points first,\n"
	"                 horizons cut short) instead of assuming a nominal one\n"
	"  -s, --set KEY=VALUE  override a key of the file, as 'smab run --set' does\n";

static const char *usage_summary =
	"usage: smab summary OUT.h5 [--metric M] [--vs MECH] [--csv]\n"
	"       smab summary OUT.h5 --history\n"
	"\n"
	"Print mean, 95% Student-t confidence interval and count per mechanism and point,\n"
	"recomputed from /results after checking every task's checksum (a damaged file\n"
	"is refused with exit status 2: see 'smab verify').\n"
	"  -m, --metric M  only metric M\n"
	"  --vs MECH       also the paired difference of every mechanism minus MECH\n"
	"  --csv           comma-separated values instead of a table\n"
	"  --history       instead: the sessions that wrote the file (as 'smab info')\n";

static const char *usage_info =
	"usage: smab info OUT.h5\n"
	"\n"
	"Describe a result file: its format, experiment, suite and seed, the build that\n"
	"created it, its shape (points, replications, checkpoints, mechanisms,\n"
	"metrics), shard, tasks done, whether every done task passes its checksum (a\n"
	"damaged file is described, not refused) and whether a smab process is\n"
	"writing it; then /history, one line per session that wrote it: number,\n"
	"action (create, resume, repair, merge), start and end (UTC), duration,\n"
	"outcome (finished; stopped by a signal; failed; interrupted: killed before\n"
	"it could record its end; running), git commit, smab version, ranks, tasks\n"
	"done before -> after (+ done in the session), SLURM job (array element:\n"
	"JOB_TASK), resubmission (SMAB_RESUBMISSION) and hosts, rank 0's first.\n"
	"Exit status: 0, or 2 when the file cannot be read as a result file.\n";

static const char *usage_shapley =
	"usage: smab shapley OUT.h5 [--all] [--csv] [--no-write]\n"
	"\n"
	"The coalition tables of a coalition run (Krishnamurthy et al. 2026): per\n"
	"mechanism and game, each agent's payout -R_a^M (its regret in the grand\n"
	"coalition) against its Shapley value, both with 95% CIs over\n"
	"replications; whether the Shapley value\n"
	"is in the core and the game convex (on the mean game, when every coalition\n"
	"ran); and every pair where Assumption 3 fails (an agent's regret grows when\n"
	"others join), with the paired CI of the difference: Q against Q minus one\n"
	"other agent when every coalition ran (the paper's count), else against\n"
	"every sub-coalition that ran.  The Shapley value is\n"
	"exact when all 2^M - 1 coalitions ran, a permutation estimate for a sampled\n"
	"design.  The tables are also stored in the file under /coalition, replaced\n"
	"only once the new ones are complete: an interrupted or failed 'shapley'\n"
	"leaves the old tables.  The file is written before anything is printed, so\n"
	"'smab shapley OUT.h5 | head' stores everything too.\n"
	"  --all       also print every agent's regret in every coalition\n"
	"  --csv       comma-separated values (one row per quantity) instead of tables\n"
	"  --no-write  leave the file unchanged (it may then be read-only, or in use)\n"
	"Exit status: 0 done (also when the output's reader stops reading), 1 runtime\n"
	"failure (cannot write, disk full), 2 bad input (not a coalition result file,\n"
	"a damaged one: left unchanged) or a file another smab process is writing.\n";

static const char *usage_merge =
	"usage: smab merge SHARD.h5... -o ALL.h5 [--force]\n"
	"\n"
	"Join the result files of 'smab run --shard I/N' into one result file whose\n"
	"/results and /summary equal those of a single run.  The files must come from\n"
	"the same configuration and seed, and every task must be done in exactly one\n"
	"of them (no overlap, no gap).\n"
	"  -o, --output ALL.h5  the merged file (required)\n"
	"  --force              replace an existing ALL.h5\n";

static const char *usage_verify =
	"usage: smab verify OUT.h5 [--most N]\n"
	"\n"
	"Check a result file: its structure against its own attributes, and every\n"
	"finished task's results against the CRC-32 checksum written with them.\n"
	"Lists the damaged tasks (at most N, default 20) with their points;\n"
	"'smab run FILE.yaml -o OUT.h5 --resume --repair' computes them again.\n"
	"Exit status: 0 intact, 2 damaged, unreadable or not a result file.\n";

static const char *usage_list =
	"usage: smab list [SUITE]\n"
	"\n"
	"Without SUITE: the suites.  With SUITE: its parameters (type, default,\n"
	"range, description), mechanisms and metrics.\n";

/* 1 if any argument asks for help. */
static int want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

/* Print "smab: <message> (see 'smab CMD --help')" -- one line, the usage
 * stays out of the way -- and return the usage status. */
static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "smab: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see 'smab %s --help')\n", cmd);
	va_end(ap);
	return SMAB_EXIT_USAGE;
}

/* getopt_long returned c = '?' or ':': name the option, one line. */
static int bad_option(const char *cmd, int c, int argc, char **argv,
                      const struct option *opts)
{
	char msg[512];
	smab_cliopt_problem(c, argc, argv, opts, msg, sizeof msg);
	return usage_error(cmd, "%s", msg);
}

/* A command whose only option is --help: -1 to go on with the operands
 * argv[optind..], else the exit status (help printed, or a bad option). */
static int only_help(const char *cmd, const char *usage, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return bad_option(cmd, c, argc, argv, opts);
		fputs(usage, stdout);
		return SMAB_EXIT_OK;
	}
	return -1;
}

/* A result file to read must exist: said in one line, before HDF5 (whose
 * own message would be an errno text and a source location) sees it.
 * 0 if it exists, else the usage status. */
static int need_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		fprintf(stderr, "smab: %s: no such file\n", path);
	else
		fprintf(stderr, "smab: %s: cannot read it (%s)\n", path, strerror(errno));
	return SMAB_EXIT_USAGE;
}

/* Load and validate with overrides; print errors.  Returns the experiment
 * or NULL. */
static smab_experiment *load_set(const char *path, const char **set, int nset)
{
	smab_errors err;
	smab_errors_init(&err, path);
	smab_experiment *e = NULL;
	int rc = smab_config_load_set(path, set, nset, &e, &err);
	smab_errors_print(&err, stderr);     /* warnings, even when it loads */
	if (rc != SMAB_OK)
		fprintf(stderr, "smab: %s: %d error%s\n", path, err.n, err.n == 1 ? "" : "s");
	smab_errors_clear(&err);
	return e;
}

static smab_experiment *load(const char *path)
{
	return load_set(path, NULL, 0);
}

static int cmd_validate(int argc, char **argv)
{
	int st = only_help("validate", usage_validate, argc, argv);
	if (st >= 0)
		return st;
	if (argc - optind != 1)
		return usage_error("validate", "validate takes one file");
	const char *path = argv[optind];
	smab_experiment *e = load(path);
	if (!e)
		return SMAB_EXIT_USAGE;
	int64_t np = smab_sweep_npoints(e);
	printf("%s: ok: experiment '%s', suite %s, %lld point%s x %d replications = "
	       "%lld tasks -> %s\n", path, e->name, e->suite->name, (long long)np,
	       np == 1 ? "" : "s", e->replications, (long long)np * e->replications,
	       e->output);
	smab_experiment_free(&e);
	return SMAB_EXIT_OK;
}

/* One row of the plan's table: point p's swept values (v) and its cost. */
static void plan_row(const smab_experiment *e, int64_t p, const smab_value *v, double cost)
{
	printf("%8lld", (long long)p);
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++) {
			int i = e->axes[a].param[k];
			char *t = smab_value_str(&e->suite->params[i], &v[i], 6);
			printf("  %14s", t);
			free(t);
		}
	printf("  %14.3g\n", cost);
}

/* Seconds as '12.3 s', or with hours and minutes ('2 h 05 min') when long. */
static const char *plan_time(double s, char *buf, size_t len)
{
	if (s < 600)
		snprintf(buf, len, "%.3g s", s);
	else if (s < 36000)
		snprintf(buf, len, "%.0f min", ceil(s / 60));
	else {
		double h = floor(s / 3600), m = ceil((s - 3600 * h) / 60);
		if (m >= 60) {
			h += 1;
			m = 0;
		}
		snprintf(buf, len, "%.0f h %02.0f min", h, m);
	}
	return buf;
}

/* The wall time on 2, 64 and 1024 ranks and on the ranks asked for, at
 * 'rate' cost units per second, and the costliest task's time, which no
 * number of ranks shortens: what to give sbatch's --ntasks and --time. */
static void plan_projection(const smab_experiment *e, double rate, double total, long ranks)
{
	long row[4] = {2, 64, 1024, ranks};
	int nrow = ranks == 1 || ranks == 2 || ranks == 64 || ranks == 1024 ? 3 : 4;
	for (int i = nrow - 1; i > 0 && row[i] < row[i - 1]; i--) {
		long t = row[i];
		row[i] = row[i - 1];
		row[i - 1] = t;
	}
	char t[32];
	printf("projected wall time, tasks costliest first, each to the rank that frees first:\n");
	printf("%10s  %12s  %5s\n", "ranks", "wall time", "busy");
	double wall[4];
	smab_plan_walls(e, rate, row, nrow, 1, wall);
	for (int i = 0; i < nrow; i++) {
		double w = wall[i];
		double busy = w > 0 ? total / rate / ((double)row[i] * w) : 1;
		printf("%10ld  %12s  %4.0f%%\n", row[i], plan_time(w, t, sizeof t), 100 * fmin(busy, 1));
	}
	int64_t p;
	double c = smab_plan_critical(e, &p);
	printf("critical path: one task of point %lld (", (long long)p);
	smab_value *v = smab_xcalloc((size_t)e->suite->nparams, sizeof *v);
	smab_sweep_point(e, p, v);
	const char *sep = "";
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++) {
			int i = e->axes[a].param[k];
			char *str = smab_value_str(&e->suite->params[i], &v[i], 6);
			printf("%s%s %s", sep, e->suite->params[i].name, str);
			free(str);
			sep = ", ";
		}
	free(v);
	printf("%s) takes %s; no number of ranks finishes sooner\n", *sep ? "" : "no sweep",
	       plan_time(c / rate, t, sizeof t));
}

static int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{"ranks", required_argument, 0, 'n'}, {"calibrate", no_argument, 0, 'c'},
		{"set", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	long ranks = 1;
	int c, calibrate = 0, nset = 0;
	const char **set = smab_xcalloc((size_t)argc + 1, sizeof *set);
	optind = 1;
	opterr = 0;
	int st = -1;
	while (st < 0 && (c = getopt_long(argc, argv, ":n:s:h", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'n':
			ranks = strtol(optarg, &end, 10);
			if (*end || ranks < 1 || ranks > 1000000)
				st = usage_error("plan", "--ranks expects an integer in [1, 1000000], "
				                 "got '%s'", optarg);
			break;
		case 'c': calibrate = 1; break;
		case 's': set[nset++] = optarg; break;
		case 'h':
			fputs(usage_plan, stdout);
			st = SMAB_EXIT_OK;
			break;
		default:
			st = bad_option("plan", c, argc, argv, opts);
		}
	}
	if (st < 0 && argc - optind != 1)
		st = usage_error("plan", "plan takes one file");
	smab_experiment *e = st < 0 ? load_set(argv[optind], set, nset) : NULL;
	free(set);
	if (!e)
		return st >= 0 ? st : SMAB_EXIT_USAGE;
	const smab_suite *s = e->suite;
	printf("experiment %s (suite %s), seed %llu, %d replications, mechanisms:",
	       e->name, s->name, (unsigned long long)e->seed, e->replications);
	for (int k = 0; k < e->nmech; k++)
		printf(" %s", s->mechs[e->mech[k]].name);
	printf("\n\n%8s", "point");
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++)
			printf("  %14s", s->params[e->axes[a].param[k]].name);
	printf("  %14s\n", "cost/task");
	/* One point at a time, so a million points take a moment and no
	 * memory; only the first and the last are shown when there are many. */
	int64_t np = smab_sweep_npoints(e);
	smab_value *v = smab_xcalloc((size_t)s->nparams, sizeof *v);
	double total = 0;
	for (int64_t p = 0; p < np; p++) {
		smab_sweep_point(e, p, v);
		double cost = smab_plan_cost(e, v);
		total += cost * e->replications;
		if (np > PLAN_ALL && p == PLAN_HEAD)
			printf("%8s  ... %lld more points ...\n", "", (long long)(np - PLAN_HEAD - PLAN_TAIL));
		if (np > PLAN_ALL && p >= PLAN_HEAD && p < np - PLAN_TAIL)
			continue;
		plan_row(e, p, v, cost);
	}
	free(v);
	printf("\n%lld points x %d replications = %lld tasks; %.3g mechanism-rounds\n",
	       (long long)np, e->replications, (long long)np * e->replications, total);
	smab_calib cal = {.rate = SMAB_PLAN_NOMINAL_RATE};
	if (calibrate && smab_plan_calibrate(e, CALIBRATE_SECONDS, &cal) != SMAB_OK) {
		fprintf(stderr, "smab: suite %s failed on a sample task of %s\n", s->name,
		        argv[optind]);
		smab_experiment_free(&e);
		return SMAB_EXIT_FAIL;
	}
	double secs = total / cal.rate;
	double wall = smab_plan_wall(e, cal.rate, ranks, 1);
	char size[32], t1[32], tn[32];
	printf("estimated time: %s on one core, %s on %ld rank%s", plan_time(secs, t1, sizeof t1),
	       plan_time(wall, tn, sizeof tn), ranks, ranks == 1 ? "" : "s");
	if (calibrate)
		printf(" (measured here: %.3g mechanism-rounds/s over %d sample task%s in "
		       "%.2f s)\n", cal.rate, cal.ntasks, cal.ntasks == 1 ? "" : "s",
		       cal.seconds);
	else
		printf(" (at a nominal %.0fM mechanism-rounds/s; --calibrate measures this "
		       "machine's speed)\n", SMAB_PLAN_NOMINAL_RATE / 1e6);
	plan_projection(e, cal.rate, total, ranks);
	printf("output: %s (at most %s)\n", e->output,
	       smab_out_bytes_str(smab_experiment_file_bytes(e), size, sizeof size));
	smab_experiment_free(&e);
	return SMAB_EXIT_OK;
}

/* "unknown suite 'drfit'; did you mean 'drift'?", else the known ones. */
static int unknown_suite(const char *name)
{
	const char *names[64];
	int n = smab_nsuites < 64 ? smab_nsuites : 64;
	for (int i = 0; i < n; i++)
		names[i] = smab_suites[i]->name;
	const char *near = smab_suggest(name, names, n);
	fprintf(stderr, "smab: unknown suite '%s'", name);
	if (near)
		fprintf(stderr, "; did you mean '%s'?\n", near);
	else {
		fprintf(stderr, "; known suites:");
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %s", names[i]);
		fputc('\n', stderr);
	}
	return SMAB_EXIT_USAGE;
}

static int cmd_list(int argc, char **argv)
{
	int st = only_help("list", usage_list, argc, argv);
	if (st >= 0)
		return st;
	if (argc - optind == 0) {
		printf("suites:\n");
		for (int i = 0; i < smab_nsuites; i++)
			printf("  %-12s %s\n", smab_suites[i]->name, smab_suites[i]->doc);
		printf("\n'smab list SUITE' shows a suite's parameters.\n");
		return SMAB_EXIT_OK;
	}
	if (argc - optind != 1)
		return usage_error("list", "list takes at most one suite");
	const smab_suite *s = smab_suite_find(argv[optind]);
	if (!s)
		return unknown_suite(argv[optind]);
	printf("suite %s: %s\n\nparameters (under 'params:' or as 'sweep:' axes):\n",
	       s->name, s->doc);
	printf("  %-14s %-14s %-10s %-22s %s\n", "name", "type", "default", "range", "description");
	for (int i = 0; i < s->nparams; i++) {
		const smab_param_decl *d = &s->params[i];
		char range[64] = "";
		if (d->type == SMAB_P_ENUM)
			snprintf(range, sizeof range, "%s", d->choices);
		else if (d->type != SMAB_P_BOOL && d->type != SMAB_P_STR)
			snprintf(range, sizeof range, "[%g, %g]", d->lo, d->hi);
		printf("  %-14s %-14s %-10s %-22s %s\n", d->name, smab_ptype_name(d->type),
		       d->def, range, d->doc);
	}
	printf("\nmechanisms (under 'mechanisms:', default all):\n");
	for (int i = 0; i < s->nmechs; i++)
		printf("  %-14s %s\n", s->mechs[i].name, s->mechs[i].doc);
	printf("\nmetrics (/results/<mechanism>/<metric>; '+ curve': also <metric>_curve; "
	       "[units]):\n");
	for (int i = 0; i < s->nmetrics; i++) {
		const smab_metric_decl *m = &s->metrics[i];
		printf("  %-14s %-8s %s", m->name, m->has_curve ? "+ curve" : "", m->doc);
		if (m->units)
			printf(" [%s]", m->units);
		putchar('\n');
	}
	return SMAB_EXIT_OK;
}

static int cmd_summary(int argc, char **argv)
{
	static const struct option opts[] = {
		{"metric", required_argument, 0, 'm'}, {"vs", required_argument, 0, 'v'},
		{"csv", no_argument, 0, 'c'}, {"history", no_argument, 0, 'H'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *metric = NULL, *vs = NULL;
	int csv = 0, history = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': metric = optarg; break;
		case 'v': vs = optarg; break;
		case 'c': csv = 1; break;
		case 'H': history = 1; break;
		case 'h':
			fputs(usage_summary, stdout);
			return SMAB_EXIT_OK;
		default:
			return bad_option("summary", c, argc, argv, opts);
		}
	}
	if (argc - optind != 1)
		return usage_error("summary", "summary takes one result file");
	if (history && (metric || vs || csv))
		return usage_error("summary", "--history prints the sessions only: it takes "
		                   "no --metric, --vs or --csv");
	if (need_file(argv[optind]))
		return SMAB_EXIT_USAGE;
	char err[1024] = "";
	if (history) {
		if (smab_h5_history(argv[optind], stdout, err, sizeof err) == SMAB_OK)
			return SMAB_EXIT_OK;
		fprintf(stderr, "smab: %s\n", err);
		return SMAB_EXIT_USAGE;
	}
	if (smab_h5_report(argv[optind], metric, vs, csv, stdout, err, sizeof err) != SMAB_OK) {
		fprintf(stderr, "smab: %s\n", err);
		return SMAB_EXIT_USAGE;
	}
	return SMAB_EXIT_OK;
}

static int cmd_info(int argc, char **argv)
{
	int st = only_help("info", usage_info, argc, argv);
	if (st >= 0)
		return st;
	if (argc - optind != 1)
		return usage_error("info", "info takes one result file");
	if (need_file(argv[optind]))
		return SMAB_EXIT_USAGE;
	char err[1024] = "";
	if (smab_h5_describe(argv[optind], stdout, err, sizeof err) != SMAB_OK) {
		fprintf(stderr, "smab: %s\n", err);
		return SMAB_EXIT_USAGE;
	}
	return SMAB_EXIT_OK;
}

static int cmd_shapley(int argc, char **argv)
{
	static const struct option opts[] = {
		{"all", no_argument, 0, 'a'}, {"csv", no_argument, 0, 'c'},
		{"no-write", no_argument, 0, 'n'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	smab_coaltab_opts o = {.out = stdout, .write = 1};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': o.all = 1; break;
		case 'c': o.csv = 1; break;
		case 'n': o.write = 0; break;
		case 'h':
			fputs(usage_shapley, stdout);
			return SMAB_EXIT_OK;
		default:
			return bad_option("shapley", c, argc, argv, opts);
		}
	}
	if (argc - optind != 1)
		return usage_error("shapley", "shapley takes one result file");
	/* A reader that goes away ('| head') ends the output, not the command:
	 * by then the file is complete, and the exit status is 0. */
	signal(SIGPIPE, SIG_IGN);
	if (need_file(argv[optind]))
		return SMAB_EXIT_USAGE;
	char err[1024] = "";
	int rc = smab_coaltab(argv[optind], &o, err, sizeof err);
	if (rc != SMAB_OK) {
		fprintf(stderr, "smab: %s\n", err);
		return rc == SMAB_EINVAL || rc == SMAB_EBUSY ? SMAB_EXIT_USAGE : SMAB_EXIT_FAIL;
	}
	return SMAB_EXIT_OK;
}

static int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{"most", required_argument, 0, 'm'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	long most = 20;
	int c;
	char *end;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			most = strtol(optarg, &end, 10);
			if (*end || most < 0 || most > 1000000000)
				return usage_error("verify", "--most expects a count, got '%s'", optarg);
			break;
		case 'h':
			fputs(usage_verify, stdout);
			return SMAB_EXIT_OK;
		default:
			return bad_option("verify", c, argc, argv, opts);
		}
	}
	if (argc - optind != 1)
		return usage_error("verify", "verify takes one result file");
	if (need_file(argv[optind]))
		return SMAB_EXIT_USAGE;
	char err[1024] = "";
	int st = smab_h5_verify(argv[optind], stdout, (int)most, err, sizeof err);
	if (st != SMAB_OK) {
		fprintf(stderr, "smab: %s\n", err);
		return SMAB_EXIT_USAGE;
	}
	return SMAB_EXIT_OK;
}

static int cmd_merge(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	const char *out = NULL;
	int force = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': force = 1; break;
		case 'h':
			fputs(usage_merge, stdout);
			return SMAB_EXIT_OK;
		default:
			return bad_option("merge", c, argc, argv, opts);
		}
	}
	if (!out)
		return usage_error("merge", "merge needs -o ALL.h5");
	if (argc - optind < 1)
		return usage_error("merge", "merge needs at least one shard file");
	for (int i = optind; i < argc; i++)
		if (need_file(argv[i]))
			return SMAB_EXIT_USAGE;
	char err[2048] = "";
	/* A signal ends the merge at once, removing its temporary file. */
	smab_par_catch_stop();
	int st = smab_h5_merge((const char *const *)argv + optind, argc - optind, out, force,
	                       err, sizeof err);
	if (st != SMAB_OK) {
		fprintf(stderr, "smab: merge: %s\n", err);
		return st == SMAB_EINVAL || st == SMAB_EEXIST || st == SMAB_EBUSY ? SMAB_EXIT_USAGE
		                                                                 : SMAB_EXIT_FAIL;
	}
	printf("smab: merged %d file%s into %s\n", argc - optind, argc - optind == 1 ? "" : "s", out);
	return SMAB_EXIT_OK;
}

/* 'run': rank 0 reads and validates the file, then broadcasts its text; the
 * other ranks rebuild the identical experiment from the same bytes, so no
 * rank but 0 touches the input file and all agree on the verdict. */
/* "I/N" with 0 <= I < N <= 1000000; 0 if fine. */
static int parse_shard(const char *s, int *i, int *n)
{
	char *end, *end2;
	long a = strtol(s, &end, 10);
	if (end == s || *end != '/')
		return -1;
	long b = strtol(end + 1, &end2, 10);
	if (end2 == end + 1 || *end2 || b < 1 || b > 1000000 || a < 0 || a >= b)
		return -1;
	*i = (int)a;
	*n = (int)b;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, 0, 'o'}, {"resume", no_argument, 0, 'r'},
		{"force", no_argument, 0, 'f'}, {"quiet", no_argument, 0, 'q'},
		{"set", required_argument, 0, 's'}, {"shard", required_argument, 0, 'S'},
		{"progress", required_argument, 0, 'P'}, {"repair", no_argument, 0, 'R'},
		{"strict-provenance", no_argument, 0, 'B'}, {"same-build", no_argument, 0, 'B'},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	/* First: a stop signal during setup exits with status 3 (par.h). */
	smab_par_catch_stop();
	smab_run_opts o = {0};
	int c, help = 0, nset = 0;
	const char **set = smab_xcalloc((size_t)argc + 1, sizeof *set);
	const char *problem = NULL;
	char *end, optmsg[512];
	optind = 1;
	opterr = 0;   /* every rank parses argv: only rank 0 may complain */
	while ((c = getopt_long(argc, argv, ":o:qs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; break;
		case 'r': o.resume = 1; break;
		case 'R': o.repair = o.resume = 1; break;
		case 'B': o.strict_provenance = 1; break;
		case 'f': o.force = 1; break;
		case 'q': o.quiet = 1; break;
		case 's': set[nset++] = optarg; break;
		case 'S':
			if (parse_shard(optarg, &o.shard, &o.nshards))
				problem = "--shard expects I/N with 0 <= I < N, e.g. --shard 0/4";
			break;
		case 'P':
			o.progress_every = strtod(optarg, &end);
			if (*end || !(o.progress_every > 0 && o.progress_every <= 86400))
				problem = "--progress expects seconds in (0, 86400]";
			break;
		case 'h': help = 1; break;
		default:
			smab_cliopt_problem(c, argc, argv, opts, optmsg, sizeof optmsg);
			problem = optmsg;
		}
	}
	if (!problem && argc - optind != 1)
		problem = "run takes one experiment file";
	if (!problem && o.resume && o.force)
		problem = "--resume and --force exclude each other";
	smab_par_init(&argc, &argv);
	int rank = smab_par_rank();
	if (help || problem) {
		if (rank == 0 && help)
			fputs(usage_run, stdout);
		else if (rank == 0)
			fprintf(stderr, "smab: %s (see 'smab run --help')\n", problem);
		smab_par_finalize();
		free(set);
		return help ? SMAB_EXIT_OK : SMAB_EXIT_USAGE;
	}
	const char *path = argv[optind];
	smab_experiment *e = NULL;
	char *text = NULL;
	if (rank == 0) {
		e = load_set(path, set, nset);
		if (e)
			text = smab_xstrdup(e->text);
	}
	text = smab_par_bcast_str(text);
	if (!text) {
		smab_par_finalize();
		free(set);
		return SMAB_EXIT_USAGE;
	}
	if (rank != 0) {
		smab_errors err;
		smab_errors_init(&err, path);
		if (smab_config_parse_set(text, strlen(text), path, set, nset, &e, &err) != SMAB_OK)
			SMAB_PAR_DIE(SMAB_EXIT_FAIL, "rank %d disagrees with rank 0 on %s", rank, path);
		smab_errors_clear(&err);
	}
	free(text);
	free(set);
	int status = smab_run(e, &o);
	smab_experiment_free(&e);
	/* Before MPI_Finalize, and only if every close succeeded (h5out.h). */
	if (smab_h5_lib_close() != SMAB_OK && status == SMAB_EXIT_OK)
		status = SMAB_EXIT_FAIL;
	smab_par_finalize();
	return status;
}

/* A command that reads result files, run in a child process (guard.h): a
 * file crafted to crash HDF5 itself gets a message and exit status 2. */
typedef struct cmd_call {
	const char *name;
	int (*fn)(int, char **);
	int argc;
	char **argv;
} cmd_call;

static int call_cmd(void *arg)
{
	const cmd_call *c = arg;
	int st = c->fn(c->argc, c->argv);
	if (smab_h5_lib_close() != SMAB_OK && st == SMAB_EXIT_OK)
		st = SMAB_EXIT_FAIL;
	return st;
}

static int guarded(const cmd_call *c)
{
	int sig = 0, st = smab_guard_run(call_cmd, (void *)c, &sig);
	if (st >= 0)
		return st;
	if (smab_guard_crashed(sig)) {
		fprintf(stderr, "smab %s: reading the input crashed the HDF5 library (%s): a "
		        "damaged or crafted result file\n", c->name, strsignal(sig));
		return SMAB_EXIT_USAGE;
	}
	/* stopped by a signal: end the same way */
	signal(sig, SIG_DFL);
	raise(sig);
	return 128 + sig;
}

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return SMAB_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_main, stdout);
		return SMAB_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("smab %s\n", SMAB_VERSION);
		return SMAB_EXIT_OK;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
		int guard;   /* reads result files: run it in a child (guarded) */
	} cmds[] = {
		{"run", cmd_run, 0}, {"validate", cmd_validate, 0}, {"plan", cmd_plan, 0},
		{"summary", cmd_summary, 1}, {"shapley", cmd_shapley, 1}, {"list", cmd_list, 0},
		{"merge", cmd_merge, 1}, {"verify", cmd_verify, 1}, {"info", cmd_info, 1},
		{"submit", smab_submit_main, 0},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(cmd, cmds[i].name) != 0)
			continue;
		cmd_call c = {cmds[i].name, cmds[i].fn, argc - 1, argv + 1};
		return cmds[i].guard && !want_help(argc - 1, argv + 1) ? guarded(&c)
		                                                      : c.fn(c.argc, c.argv);
	}
	fprintf(stderr, "smab: unknown command '%s'\n\n%s", cmd, usage_main);
	return SMAB_EXIT_USAGE;
}

int smab_main(int argc, char **argv)
{
	smab_h5_lib_open();
	int status = dispatch(argc, argv);
	if (smab_h5_lib_close() != SMAB_OK && status == SMAB_EXIT_OK)
		status = SMAB_EXIT_FAIL;
	return status;
}
