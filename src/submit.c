/* submit.c - 'smab submit FILE.yaml': validate the experiment, take the
 * job's settings from the command line, the site file and the defaults (in
 * that order), fill a batch template from jobs/ and give it to sbatch (or
 * print it); with --shards S --merge, also a merge job that waits for the
 * array.  The script's pieces are made in jobscript.c, the site file is
 * read in site.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smab/cliopt.h"
#include "smab/config.h"
#include "smab/jobscript.h"
#include "smab/plan.h"
#include "smab/site.h"
#include "smab/submit.h"

static const char *usage_submit =
	"usage: smab submit FILE.yaml [--nodes N] [--ntasks N] [--time T] [--partition P]\n"
	"                   [--account A] [--qos Q] [--mem M | --mem-per-cpu M]\n"
	"                   [--constraint C] [--cpus-per-task N] [--mail-user U]\n"
	"                   [--mail-type T] [--sbatch ARG]... [--setup LINE]...\n"
	"                   [--launcher L] [--site FILE] [--shards S [--merge]]\n"
	"                   [--resubmit N] [-o OUT.h5] [--set KEY=VALUE]...\n"
	"                   [--resume | --force] [--jobs DIR] [--dry-run]\n"
	"\n"
	"Validate the experiment, fill a SLURM batch script from jobs/run.sbatch (one\n"
	"MPI job for the whole experiment) or, with --shards S, from jobs/shards.sbatch\n"
	"(an array of S jobs, element I running 'smab run --shard I/S' into\n"
	"OUT.shard-I-of-S.h5), and submit it with sbatch.\n"
	"  -N, --nodes N        nodes (default 1)\n"
	"  -n, --ntasks N       MPI ranks in all (default 1)\n"
	"  -t, --time T         time limit, as sbatch takes it (MM, HH:MM:SS, D-HH:MM:SS)\n"
	"  -p, --partition P    partition\n"
	"  --account A, --qos Q account and quality of service to charge\n"
	"  --mem M              memory per node, --mem-per-cpu M per CPU (digits, then\n"
	"                       optionally K, M, G or T); not both\n"
	"  --constraint C       node features (SLURM's expression: a&b, a|b, [a*2])\n"
	"  --cpus-per-task N    CPUs per rank\n"
	"  --mail-user U        mail address; --mail-type T which events (BEGIN, END,\n"
	"                       FAIL, ALL, TIME_LIMIT, ..., comma-separated)\n"
	"  --sbatch ARG         any other sbatch option as one word '--name=value'\n"
	"                       (repeatable; not --array, --job-name, --output,\n"
	"                       --error, --chdir or --wrap, which smab sets)\n"
	"  --setup LINE         a shell line run before the launch, after the site\n"
	"                       file's (repeatable), e.g. 'module load openmpi'\n"
	"  --launcher L         how ranks start: 'srun --mpi=pmix' (default),\n"
	"                       'srun --mpi=pmi2' or 'mpirun'\n"
	"  --site FILE          the site file (default: $SMAB_SITE, else\n"
	"                       ~/.config/smab/site.yaml, or under $XDG_CONFIG_HOME)\n"
	"  --shards S           an array job of S shards (2 <= S <= 100000)\n"
	"  --merge              with --shards: also a merge job that waits for the\n"
	"                       array and runs 'smab merge' into OUT.h5, or names the\n"
	"                       shards that did not finish\n"
	"  --resubmit N         a job stopped by its time limit submits itself again\n"
	"                       with --resume, at most N <= 100 times (not --shards)\n"
	"  -o, --output OUT.h5  result file (default: the experiment's)\n"
	"  -s, --set KEY=VALUE  an override passed on to 'smab run' (repeatable)\n"
	"  --resume, --force    passed on to 'smab run' (finish / replace the file)\n"
	"  --jobs DIR           where the templates are (default: $SMAB_JOBS, else\n"
	"                       jobs/ next to the build, share/smab/jobs/ of an\n"
	"                       installation, else ./jobs)\n"
	"  --dry-run            print the script(s) instead of submitting\n"
	"A setting on the command line beats the site file's, which beats the\n"
	"default.  The site file is YAML with the keys account, partition, qos, time,\n"
	"launcher, setup (a list of shell lines) and sbatch (a list of extra sbatch\n"
	"arguments); a missing default site file is no error, a missing --site or\n"
	"$SMAB_SITE file is.  $SMAB_LAUNCH replaces the launcher when the job runs;\n"
	"$SMAB_SBATCH replaces the sbatch command.  A job stopped by its time limit\n"
	"exits 3 and leaves a resumable file: submit again with --resume, or let\n"
	"--resubmit do it.\n";

/* ---- the command line --------------------------------------------------- */

typedef struct sub_opts {
	long nodes, ntasks, shards, cpus, resubmit;
	const char *time, *partition, *account, *qos, *mem, *mem_per_cpu, *constraint;
	const char *mail_user, *mail_type, *launcher, *site, *output, *jobs;
	const char **set, **extra, **setup;
	int nset, nextra, nsetup, resume, force, dry, merge;
} sub_opts;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "smab: submit: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return SMAB_EXIT_USAGE;
}

static int get_count(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

enum {
	O_SHARDS = 256, O_RESUME, O_FORCE, O_JOBS, O_DRY, O_ACCOUNT, O_QOS, O_MEM,
	O_MEMCPU, O_CONSTRAINT, O_CPUS, O_MAILUSER, O_MAILTYPE, O_SBATCH, O_SETUP,
	O_LAUNCHER, O_SITE, O_MERGE, O_RESUBMIT
};

/* The integer in [lo, hi] of option 'name' into *dst, or the message why not. */
static int count_opt(const char *name, const char *v, long lo, long hi, long *dst)
{
	if (get_count(v, lo, hi, dst))
		return fail("--%s expects an integer in [%ld, %ld], got '%s'", name, lo, hi, v);
	return SMAB_EXIT_OK;
}

/* The #SBATCH value of option 'name' into *dst, or the message why not. */
static int sbatch_opt(const char *name, const char *v, const char **dst)
{
	const char *expects = smab_sbatch_check(name, v);
	if (expects && strpbrk(v, "\n\r\t\v\f"))
		return fail("--%s expects %s, got a value holding a control character", name, expects);
	if (expects)
		return fail("--%s expects %s, got '%s'", name, expects, v);
	*dst = v;
	return SMAB_EXIT_OK;
}

static int parse_one(int c, const char *arg, sub_opts *o)
{
	switch (c) {
	case 'N': return count_opt("nodes", arg, 1, 100000, &o->nodes);
	case 'n': return count_opt("ntasks", arg, 1, 10000000, &o->ntasks);
	case O_SHARDS: return count_opt("shards", arg, 2, 100000, &o->shards);
	case O_CPUS: return count_opt("cpus-per-task", arg, 1, 100000, &o->cpus);
	case O_RESUBMIT: return count_opt("resubmit", arg, 0, 100, &o->resubmit);
	case 't': return sbatch_opt("time", arg, &o->time);
	case 'p': return sbatch_opt("partition", arg, &o->partition);
	case O_ACCOUNT: return sbatch_opt("account", arg, &o->account);
	case O_QOS: return sbatch_opt("qos", arg, &o->qos);
	case O_MEM: return sbatch_opt("mem", arg, &o->mem);
	case O_MEMCPU: return sbatch_opt("mem-per-cpu", arg, &o->mem_per_cpu);
	case O_CONSTRAINT: return sbatch_opt("constraint", arg, &o->constraint);
	case O_MAILUSER: return sbatch_opt("mail-user", arg, &o->mail_user);
	case O_MAILTYPE: return sbatch_opt("mail-type", arg, &o->mail_type);
	case O_SBATCH: return sbatch_opt("sbatch", arg, &o->extra[o->nextra++]);
	case O_SETUP:
		if (strpbrk(arg, "\r\n"))
			return fail("--setup expects one shell line, got one holding a line break");
		o->setup[o->nsetup++] = arg;
		return SMAB_EXIT_OK;
	case O_LAUNCHER:
		if (!smab_launcher_command(arg))
			return fail("--launcher expects 'srun --mpi=pmix', 'srun --mpi=pmi2' or "
			            "'mpirun', got '%s'", arg);
		o->launcher = arg;
		return SMAB_EXIT_OK;
	case O_SITE: o->site = arg; return SMAB_EXIT_OK;
	case 'o': o->output = arg; return SMAB_EXIT_OK;
	case 's': o->set[o->nset++] = arg; return SMAB_EXIT_OK;
	case O_RESUME: o->resume = 1; return SMAB_EXIT_OK;
	case O_FORCE: o->force = 1; return SMAB_EXIT_OK;
	case O_MERGE: o->merge = 1; return SMAB_EXIT_OK;
	case O_JOBS: o->jobs = arg; return SMAB_EXIT_OK;
	case O_DRY: o->dry = 1; return SMAB_EXIT_OK;
	default:
		fprintf(stderr, "%s", usage_submit);
		return SMAB_EXIT_USAGE;
	}
}

static int parse_opts(int argc, char **argv, sub_opts *o)
{
	static const struct option opts[] = {
		{"nodes", required_argument, 0, 'N'}, {"ntasks", required_argument, 0, 'n'},
		{"time", required_argument, 0, 't'}, {"partition", required_argument, 0, 'p'},
		{"shards", required_argument, 0, O_SHARDS}, {"output", required_argument, 0, 'o'},
		{"set", required_argument, 0, 's'}, {"resume", no_argument, 0, O_RESUME},
		{"force", no_argument, 0, O_FORCE}, {"jobs", required_argument, 0, O_JOBS},
		{"dry-run", no_argument, 0, O_DRY}, {"account", required_argument, 0, O_ACCOUNT},
		{"qos", required_argument, 0, O_QOS}, {"mem", required_argument, 0, O_MEM},
		{"mem-per-cpu", required_argument, 0, O_MEMCPU},
		{"constraint", required_argument, 0, O_CONSTRAINT},
		{"cpus-per-task", required_argument, 0, O_CPUS},
		{"mail-user", required_argument, 0, O_MAILUSER},
		{"mail-type", required_argument, 0, O_MAILTYPE},
		{"sbatch", required_argument, 0, O_SBATCH}, {"setup", required_argument, 0, O_SETUP},
		{"launcher", required_argument, 0, O_LAUNCHER}, {"site", required_argument, 0, O_SITE},
		{"merge", no_argument, 0, O_MERGE}, {"resubmit", required_argument, 0, O_RESUBMIT},
		{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	char msg[512];
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":N:n:t:p:o:s:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_submit, stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			smab_cliopt_problem(c, argc, argv, opts, msg, sizeof msg);
			return fail("%s (see 'smab submit --help')", msg);
		}
		int rc = parse_one(c, optarg, o);
		if (rc != SMAB_EXIT_OK)
			return rc;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "smab: submit takes one experiment file\n%s", usage_submit);
		return SMAB_EXIT_USAGE;
	}
	if (o->resume && o->force)
		return fail("--resume and --force exclude each other");
	if (o->mem && o->mem_per_cpu)
		return fail("--mem and --mem-per-cpu exclude each other (SLURM takes one)");
	if (o->merge && o->shards <= 1)
		return fail("--merge joins the shards of an array: it needs --shards S");
	if (o->resubmit > 0 && o->shards > 1)
		return fail("--resubmit is for a single job; an array of shards resumes with "
		            "'smab submit ... --shards S --merge --resume'");
	if (o->nodes > o->ntasks)
		return fail("--nodes %ld exceeds --ntasks %ld: every node needs a rank",
		            o->nodes, o->ntasks);
	return SMAB_EXIT_OK;
}

/* ---- the site file ------------------------------------------------------ */

/* Load the site file that applies (see smab_site_path) into *site. */
static int load_site(const sub_opts *o, smab_site *site)
{
	int must;
	char *path = smab_site_path(o->site, &must);
	memset(site, 0, sizeof *site);
	if (!path || (!must && access(path, F_OK) != 0)) {
		free(path);
		return SMAB_EXIT_OK;
	}
	smab_errors err;
	smab_errors_init(&err, path);
	int rc = smab_site_load(path, site, &err);
	if (rc != SMAB_OK) {
		smab_errors_print(&err, stderr);
		fprintf(stderr, "smab: %s: the site file has %d error%s; nothing submitted\n",
		        path, err.n, err.n == 1 ? "" : "s");
	}
	smab_errors_clear(&err);
	free(path);
	return rc == SMAB_OK ? SMAB_EXIT_OK : SMAB_EXIT_USAGE;
}

#define FIRST(a, b) ((a) ? (a) : (b))

/* The job: the command line's settings, else the site file's. */
static smab_job job_of(const sub_opts *o, const smab_site *s, const char *name,
                       const char **extra, int *nextra)
{
	*nextra = 0;
	for (int i = 0; i < s->nsbatch; i++)
		extra[(*nextra)++] = s->sbatch[i];
	for (int i = 0; i < o->nextra; i++)
		extra[(*nextra)++] = o->extra[i];
	return (smab_job){
		.name = name, .nodes = o->nodes, .ntasks = o->ntasks, .cpus_per_task = o->cpus,
		.array = o->shards, .time = FIRST(o->time, s->time),
		.partition = FIRST(o->partition, s->partition),
		.account = FIRST(o->account, s->account), .qos = FIRST(o->qos, s->qos),
		.mem = o->mem, .mem_per_cpu = o->mem_per_cpu, .constraint = o->constraint,
		.mail_user = o->mail_user, .mail_type = o->mail_type,
		.extra = extra, .nextra = *nextra};
}

/* The site file's setup lines, then the command line's, one per line. */
static char *setup_block(const sub_opts *o, const smab_site *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fputs("# setup (site file, then --setup)", f);
	for (int i = 0; i < s->nsetup; i++)
		fprintf(f, "\n%s", s->setup[i]);
	for (int i = 0; i < o->nsetup; i++)
		fprintf(f, "\n%s", o->setup[i]);
	fclose(f);
	return buf;
}

/* ---- templates and scripts ----------------------------------------------- */

/* A whole text file as a fresh string, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while (m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	if (!m || fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* This executable's absolute path, or "smab" (then found on PATH). */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return smab_xstrdup("smab");
	buf[n] = '\0';
	return smab_xstrdup(buf);
}

/* The template 'name' from --jobs, $SMAB_JOBS, <exe dir>/../jobs,
 * <exe dir>/../share/smab/jobs (an installation), ./jobs. */
static char *find_template(const sub_opts *o, const char *name, char *where, size_t len)
{
	char *exe = self_path(), *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char beside[PATH_MAX], share[PATH_MAX];
	snprintf(beside, sizeof beside, "%s/../jobs", slash ? exe : ".");
	snprintf(share, sizeof share, "%s/../share/smab/jobs", slash ? exe : ".");
	free(exe);
	const char *dirs[] = {o->jobs, getenv("SMAB_JOBS"), beside, share, "jobs"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		snprintf(where, len, "%s/%s", dirs[i], name);
		char *t = slurp(where);
		if (t || o->jobs)   /* an explicit --jobs is the only place looked at */
			return t;
	}
	return NULL;
}

/* Append " word" (quoted) to the growing argument string *a. */
static void add_arg(char **a, const char *word)
{
	char *q = smab_shell_quote(word);
	size_t n = strlen(*a) + strlen(q) + 2;
	*a = smab_xrealloc(*a, n);
	if (**a)
		strcat(*a, " ");
	strcat(*a, q);
	free(q);
}

/* "results/x.h5" -> "results/x" (the stem shard files are named after). */
static char *stem_of(const char *out)
{
	char *s = smab_xstrdup(out);
	size_t n = strlen(s);
	if (n > 3 && strcmp(s + n - 3, ".h5") == 0)
		s[n - 3] = '\0';
	return s;
}

/* The values of a template's fields, each a shell word or checked text. */
enum { F_SBATCH, F_WORKDIR, F_SMAB, F_RUN_ARGS, F_MODE, F_OUT_STEM, F_SHARDS, F_FILE,
       F_SETUP, F_LAUNCHER, F_RESUBMIT, F_OUT, F_LOG_STEM, F_MERGE_ARGS, NFIELDS };
static const char *const field_names[NFIELDS] = {
	"SBATCH", "WORKDIR", "SMAB", "RUN_ARGS", "MODE", "OUT_STEM", "SHARDS", "FILE",
	"SETUP", "LAUNCHER", "RESUBMIT", "OUT", "LOG_STEM", "MERGE_ARGS"};

/* Template 'name' filled with 'vals', or NULL after a message.  A run
 * template must end its smab line with '-- @FILE@'; one without @MODE@
 * (written before there was one) gets --resume/--force in @RUN_ARGS@; one
 * without a field that a setting needs (setup lines, --resubmit) is
 * refused rather than have the setting silently dropped. */
static char *fill(const sub_opts *o, const char *name, const char *const *vals,
                  const char *run_args_mode, int has_setup)
{
	char where[PATH_MAX + 32];
	char *tmpl = find_template(o, name, where, sizeof where), *script = NULL;
	if (!tmpl) {
		fail("cannot read the template %s (pass --jobs DIR or set SMAB_JOBS)", name);
		return NULL;
	}
	const char *v[NFIELDS];
	memcpy(v, vals, sizeof v);
	if (!strstr(tmpl, "@MODE@"))
		v[F_RUN_ARGS] = run_args_mode;
	const char *missing = has_setup && !strstr(tmpl, "@SETUP@") ? "@SETUP@ (setup lines)"
	                      : o->resubmit > 0 && !strstr(tmpl, "@RESUBMIT@")
	                      ? "@RESUBMIT@ (--resubmit)" : NULL;
	if (missing)
		fail("the template %s has no field %s for what was asked", where, missing);
	else if (strcmp(name, "merge.sbatch") != 0 && !strstr(tmpl, "-- @FILE@"))
		fail("the template %s does not end its smab run line with '-- @FILE@' "
		     "(the experiment file, after the options)", where);
	else if (!(script = smab_fill_template(tmpl, field_names, v, NFIELDS)))
		fail("cannot fill the template %s: out of memory", where);
	free(tmpl);
	return script;
}

/* ---- sbatch -------------------------------------------------------------- */

/* Run "$SMAB_SBATCH --parsable [dep] SCRIPT [arg]" (no shell); its job id
 * into id[len].  The script goes through a temporary file, which sbatch
 * copies. */
static int run_sbatch(const char *script, const char *dep, const char *arg, char *id, size_t len)
{
	const char *sb = getenv("SMAB_SBATCH");
	if (!sb || !*sb)
		sb = "sbatch";
	char path[] = "/tmp/smab-submit-XXXXXX";
	int tfd = mkstemp(path);
	FILE *tf = tfd >= 0 ? fdopen(tfd, "w") : NULL;
	if (!tf || fputs(script, tf) < 0 || fclose(tf) != 0) {
		int rc = fail("cannot write the batch script %s: %s", path, strerror(errno));
		if (tfd >= 0)
			unlink(path);
		return rc;
	}
	const char *argv[6] = {sb, "--parsable"};
	int n = 2;
	if (dep)
		argv[n++] = dep;
	argv[n++] = path;
	if (arg)
		argv[n++] = arg;
	argv[n] = NULL;
	int fd[2];
	if (pipe(fd) != 0) {
		unlink(path);
		return fail("cannot make a pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		unlink(path);
		return fail("cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execvp(sb, (char *const *)argv);
		fprintf(stderr, "smab: submit: cannot run %s: %s\n", sb, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	size_t got = 0;
	ssize_t r;
	while (got < len - 1 && (r = read(fd[0], id + got, len - 1 - got)) > 0)
		got += (size_t)r;
	id[got] = '\0';
	close(fd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	unlink(path);
	id[strcspn(id, ";\r\n")] = '\0';   /* --parsable: "id" or "id;cluster" */
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !id[0] ||
	    strspn(id, "0123456789_") != strlen(id))
		return fail("%s did not accept the job (exit status %d%s%s)", sb,
		            WIFEXITED(st) ? WEXITSTATUS(st) : -1, id[0] ? ", output " : "", id);
	return SMAB_EXIT_OK;
}

/* Submit the script (and with --merge the merge script after it), or print
 * them for --dry-run. */
static int submit(const sub_opts *o, const char *script, const char *merge,
                  const char *out, const char *qstem)
{
	if (o->dry) {
		fputs(script, stdout);
		if (merge)
			printf("\n# ---- and the merge job, submitted with "
			       "--dependency=afterany:ARRAY_JOB_ID and ARRAY_JOB_ID as its argument ----\n%s",
			       merge);
		return SMAB_EXIT_OK;
	}
	char id[256], mid[256], dep[300];
	int rc = run_sbatch(script, NULL, NULL, id, sizeof id);
	if (rc != SMAB_EXIT_OK)
		return rc;
	printf("Submitted batch job %s\n", id);
	if (!merge) {
		if (o->shards > 1)
			printf("when the array has ended: smab merge %s.shard-*-of-%ld.h5 -o %s\n",
			       qstem, o->shards, out);
		return SMAB_EXIT_OK;
	}
	snprintf(dep, sizeof dep, "--dependency=afterany:%s", id);
	if (run_sbatch(merge, dep, id, mid, sizeof mid) != SMAB_EXIT_OK) {
		fprintf(stderr, "smab: submit: the array (job %s) is submitted but its merge job "
		        "is not: when it has ended, run smab merge %s.shard-*-of-%ld.h5 -o %s\n",
		        id, qstem, o->shards, out);
		return SMAB_EXIT_FAIL;
	}
	printf("Submitted batch job %s (merge into %s when job %s has ended)\n", mid, out, id);
	return SMAB_EXIT_OK;
}

/* ---- the command -------------------------------------------------------- */

/* No --time, here or in the site file, and SLURM's default limit may be
 * short: propose one from this machine's measured speed (plan.h). */
static void propose_time(const sub_opts *o, const smab_experiment *e)
{
	smab_calib cal;
	if (smab_plan_calibrate(e, 0.5, &cal) != SMAB_OK)
		return;
	double secs = smab_plan_wall(e, cal.rate, o->ntasks, o->shards);
	char limit[32], about[32];
	if (secs < 60)
		snprintf(about, sizeof about, "under a minute");
	else
		snprintf(about, sizeof about, "about %.0f min", ceil(secs / 60));
	fflush(stdout);
	fprintf(stderr, "smab: submit: no --time given, so SLURM's default limit applies; "
	        "measured here, %s takes %s on %ld rank%s: --time %s would leave room\n",
	        o->shards > 1 ? "each shard" : "the run", about, o->ntasks,
	        o->ntasks == 1 ? "" : "s", smab_plan_time_limit(secs, limit, sizeof limit));
}

/* Fill the templates for experiment e and submit or print them. */
static int make_and_submit(const sub_opts *o, const smab_site *site, const char *file,
                           const smab_experiment *e)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return fail("cannot get the working directory: %s", strerror(errno));
	const char *out = o->output ? o->output : e->output;
	const char *launcher = FIRST(o->launcher, FIRST(site->launcher, smab_launchers[0]));
	/* Options only: the templates put the file after '--', so a file named
	 * like an option ("-ohijack.yaml") stays a file name. */
	const char *mode = o->resume ? "--resume" : o->force ? "--force" : "";
	char *args = smab_xstrdup(""), *merge_args = smab_xstrdup("");
	for (int i = 0; i < o->nset; i++) {
		add_arg(&args, "--set");
		add_arg(&args, o->set[i]);
	}
	if (o->shards <= 1) {
		add_arg(&args, "-o");
		add_arg(&args, out);
	}
	if (o->force)
		add_arg(&merge_args, "--force");
	char *args_mode = smab_xmalloc(strlen(args) + strlen(mode) + 2);
	sprintf(args_mode, "%s%s%s", args, *args && *mode ? " " : "", mode);
	const char **extra = smab_xcalloc((size_t)(o->nextra + site->nsbatch) + 1, sizeof *extra);
	int nextra;
	smab_job job = job_of(o, site, e->name, extra, &nextra);
	char *lines = smab_job_sbatch_lines(&job), *setup = setup_block(o, site);
	char *stem = stem_of(out), *qstem = smab_shell_quote(stem), *qout = smab_shell_quote(out);
	char *exe = self_path(), *qexe = smab_shell_quote(exe), *qcwd = smab_shell_quote(cwd);
	char *qfile = smab_shell_quote(file), *qmode = smab_shell_quote(mode);
	char nsh[32], nre[32], logname[64];
	snprintf(nsh, sizeof nsh, "%ld", o->shards);
	snprintf(nre, sizeof nre, "%ld", o->resubmit);
	smab_job_name(&job, logname, sizeof logname);
	char *qlog = smab_shell_quote(logname);
	const char *vals[NFIELDS] = {
		[F_SBATCH] = lines, [F_WORKDIR] = qcwd, [F_SMAB] = qexe, [F_RUN_ARGS] = args,
		[F_MODE] = qmode, [F_OUT_STEM] = qstem, [F_SHARDS] = nsh,
		[F_FILE] = qfile, [F_SETUP] = setup, [F_LAUNCHER] = smab_launcher_command(launcher),
		[F_RESUBMIT] = nre, [F_OUT] = qout, [F_LOG_STEM] = qlog, [F_MERGE_ARGS] = merge_args};
	int has_setup = o->nsetup + site->nsetup > 0;
	char *script = fill(o, o->shards > 1 ? "shards.sbatch" : "run.sbatch", vals, args_mode,
	                    has_setup);
	char *merge = NULL, *mlines = NULL;
	int rc = script ? SMAB_EXIT_OK : SMAB_EXIT_USAGE;
	if (script && o->merge) {
		/* The merge job: the array's settings, one serial task. */
		smab_job mj = job;
		mj.suffix = "-merge";
		mj.nodes = mj.ntasks = 1;
		mj.array = 0;
		mlines = smab_job_sbatch_lines(&mj);
		vals[F_SBATCH] = mlines;
		merge = fill(o, "merge.sbatch", vals, args_mode, has_setup);
		rc = merge ? SMAB_EXIT_OK : SMAB_EXIT_USAGE;
	}
	if (rc == SMAB_EXIT_OK)
		rc = submit(o, script, merge, out, qstem);
	free(script);
	free(merge);
	free(mlines);
	free(args);
	free(merge_args);
	free(args_mode);
	free((void *)extra);
	free(lines);
	free(setup);
	free(stem);
	free(qstem);
	free(qout);
	free(exe);
	free(qexe);
	free(qcwd);
	free(qfile);
	free(qmode);
	free(qlog);
	return rc;
}

int smab_submit_main(int argc, char **argv)
{
	sub_opts o = {.nodes = 1, .ntasks = 1, .shards = 1};
	o.set = smab_xcalloc((size_t)argc + 1, sizeof *o.set);
	o.extra = smab_xcalloc((size_t)argc + 1, sizeof *o.extra);
	o.setup = smab_xcalloc((size_t)argc + 1, sizeof *o.setup);
	smab_site site = {0};
	smab_experiment *e = NULL;
	int rc = parse_opts(argc, argv, &o);
	if (rc == SMAB_EXIT_OK)
		rc = load_site(&o, &site);
	if (rc == SMAB_EXIT_OK) {
		const char *file = argv[optind];
		smab_errors err;
		smab_errors_init(&err, file);
		int lrc = smab_config_load_set(file, o.set, o.nset, &e, &err);
		smab_errors_print(&err, stderr);     /* warnings, even when it loads */
		if (lrc != SMAB_OK) {
			fprintf(stderr, "smab: %s: %d error%s; nothing submitted\n", file, err.n,
			        err.n == 1 ? "" : "s");
			rc = SMAB_EXIT_USAGE;
		} else {
			rc = make_and_submit(&o, &site, file, e);
			if (rc == SMAB_EXIT_OK && !o.time && !site.time)
				propose_time(&o, e);
		}
		smab_errors_clear(&err);
	}
	smab_experiment_free(&e);
	smab_site_free(&site);
	free(o.set);
	free(o.extra);
	free(o.setup);
	return rc < 0 ? SMAB_EXIT_OK : rc;
}
