/* submit.c - 'smab submit FILE.yaml': validate the experiment, fill a batch
 * template from jobs/ and give it to sbatch (or print it).
 *
 * Two rules keep a name or path from becoming a command: every value that
 * reaches the script body is a single-quoted shell word, and every value
 * that reaches a #SBATCH line (which sbatch parses, not the shell) must
 * match a strict character set or is rejected; the job name, which comes
 * from the YAML, is sanitized instead. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smab/config.h"
#include "smab/submit.h"

static const char *usage_submit =
	"usage: smab submit FILE.yaml [--nodes N] [--ntasks N] [--time HH:MM:SS]\n"
	"                   [--partition P] [--shards S] [-o OUT.h5] [--set KEY=VALUE]...\n"
	"                   [--resume | --force] [--jobs DIR] [--dry-run]\n"
	"\n"
	"Validate the experiment, fill a SLURM batch script from jobs/run.sbatch (one\n"
	"MPI job for the whole experiment) or, with --shards S, from jobs/shards.sbatch\n"
	"(an array of S jobs, element I running 'smab run --shard I/S' into\n"
	"OUT.shard-I-of-S.h5; join them with 'smab merge'), and submit it with sbatch.\n"
	"  -N, --nodes N        nodes (default 1)\n"
	"  -n, --ntasks N       MPI ranks in all (default 1)\n"
	"  -t, --time T         time limit, as sbatch takes it (MM, HH:MM:SS, D-HH:MM:SS)\n"
	"  -p, --partition P    partition\n"
	"  --shards S           an array job of S shards (2 <= S <= 100000)\n"
	"  -o, --output OUT.h5  result file (default: the experiment's)\n"
	"  -s, --set KEY=VALUE  an override passed on to 'smab run' (repeatable)\n"
	"  --resume, --force    passed on to 'smab run' (finish / replace the file)\n"
	"  --jobs DIR           where the templates are (default: $SMAB_JOBS, else the\n"
	"                       jobs/ directory next to the build, else ./jobs)\n"
	"  --dry-run            print the script instead of submitting it\n"
	"The job starts the ranks with $SMAB_LAUNCH (default 'srun --mpi=pmix', which\n"
	"passes SLURM's SIGTERM to the ranks and waits for them to close the file);\n"
	"$SMAB_SBATCH replaces the sbatch command.  A job stopped by its time limit\n"
	"exits 3 and leaves a resumable file: submit again with --resume.\n";

char *smab_shell_quote(const char *s)
{
	size_t n = 3;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *q = smab_xmalloc(n), *w = q;
	*w++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(w, "'\\''", 4);   /* close, escaped quote, reopen */
			w += 4;
		} else {
			*w++ = *p;
		}
	}
	*w++ = '\'';
	*w = '\0';
	return q;
}

int smab_safe_word(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (const char *p = s; *p; p++) {
		int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		            (*p >= '0' && *p <= '9');
		if (!alnum && !strchr(extra, *p))
			return 0;
	}
	return 1;
}

char *smab_fill_template(const char *tmpl, const char *const *names,
                         const char *const *values, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (const char *p = tmpl; *p;) {
		int hit = -1;
		if (*p == '@')
			for (int i = 0; i < n && hit < 0; i++) {
				size_t k = strlen(names[i]);
				if (strncmp(p + 1, names[i], k) == 0 && p[1 + k] == '@')
					hit = i;
			}
		if (hit < 0) {
			fputc(*p++, f);
			continue;
		}
		fputs(values[hit], f);
		p += strlen(names[hit]) + 2;
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- the command -------------------------------------------------------- */

typedef struct sub_opts {
	long nodes, ntasks, shards;
	const char *time, *partition, *output, *jobs;
	const char **set;
	int nset, resume, force, dry;
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

/* The template 'name' from --jobs, $SMAB_JOBS, <exe dir>/../jobs, ./jobs. */
static char *find_template(const sub_opts *o, const char *name, char *where, size_t len)
{
	char *exe = self_path(), *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	char beside[PATH_MAX];
	snprintf(beside, sizeof beside, "%s/../jobs", slash ? exe : ".");
	free(exe);
	const char *dirs[] = {o->jobs, getenv("SMAB_JOBS"), beside, "jobs"};
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

/* The #SBATCH lines. */
static char *sbatch_lines(const sub_opts *o, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char job[64];
	/* The experiment's name may hold anything: keep the safe characters. */
	snprintf(job, sizeof job, "smab-%s", name);
	for (char *p = job; *p; p++)
		if (!smab_safe_word((char[]){*p, '\0'}, "_.-", 1))
			*p = '_';
	fprintf(f, "#SBATCH --job-name=%s\n", job);
	fprintf(f, "#SBATCH --nodes=%ld\n#SBATCH --ntasks=%ld\n", o->nodes, o->ntasks);
	if (o->time)
		fprintf(f, "#SBATCH --time=%s\n", o->time);
	if (o->partition)
		fprintf(f, "#SBATCH --partition=%s\n", o->partition);
	if (o->shards > 1)
		fprintf(f, "#SBATCH --array=0-%ld\n#SBATCH --output=%%x-%%A_%%a.out\n", o->shards - 1);
	else
		fprintf(f, "#SBATCH --output=%%x-%%j.out\n");
	fclose(f);
	return buf;
}

/* Run "$SMAB_SBATCH --parsable SCRIPT" (no shell) and print the job id. */
static int run_sbatch(const char *script)
{
	const char *sb = getenv("SMAB_SBATCH");
	if (!sb || !*sb)
		sb = "sbatch";
	int fd[2];
	if (pipe(fd) != 0)
		return fail("cannot make a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return fail("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execlp(sb, sb, "--parsable", script, (char *)NULL);
		fprintf(stderr, "smab: submit: cannot run %s: %s\n", sb, strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	char id[256] = "";
	size_t n = 0;
	ssize_t r;
	while (n < sizeof id - 1 && (r = read(fd[0], id + n, sizeof id - 1 - n)) > 0)
		n += (size_t)r;
	id[n] = '\0';
	close(fd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	id[strcspn(id, ";\r\n")] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || !id[0])
		return fail("%s did not accept the job (exit status %d)", sb,
		            WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	printf("Submitted batch job %s\n", id);
	return SMAB_EXIT_OK;
}

static int parse_opts(int argc, char **argv, sub_opts *o)
{
	static const struct option opts[] = {
		{"nodes", required_argument, 0, 'N'}, {"ntasks", required_argument, 0, 'n'},
		{"time", required_argument, 0, 't'}, {"partition", required_argument, 0, 'p'},
		{"shards", required_argument, 0, 'S'}, {"output", required_argument, 0, 'o'},
		{"set", required_argument, 0, 's'}, {"resume", no_argument, 0, 'r'},
		{"force", no_argument, 0, 'f'}, {"jobs", required_argument, 0, 'J'},
		{"dry-run", no_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "N:n:t:p:o:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			if (get_count(optarg, 1, 100000, &o->nodes))
				return fail("--nodes expects an integer in [1, 100000], got '%s'", optarg);
			break;
		case 'n':
			if (get_count(optarg, 1, 10000000, &o->ntasks))
				return fail("--ntasks expects an integer in [1, 10000000], got '%s'", optarg);
			break;
		case 'S':
			if (get_count(optarg, 2, 100000, &o->shards))
				return fail("--shards expects an integer in [2, 100000], got '%s'", optarg);
			break;
		case 't':
			if (!smab_safe_word(optarg, ":-", 32) || strspn(optarg, "0123456789:-") != strlen(optarg))
				return fail("--time expects digits, ':' and '-' (MM, HH:MM:SS, D-HH:MM:SS), "
				            "got '%s'", optarg);
			o->time = optarg;
			break;
		case 'p':
			if (!smab_safe_word(optarg, "_.,-", 128))
				return fail("--partition expects letters, digits and _ . , -, got '%s'", optarg);
			o->partition = optarg;
			break;
		case 'o': o->output = optarg; break;
		case 's': o->set[o->nset++] = optarg; break;
		case 'r': o->resume = 1; break;
		case 'f': o->force = 1; break;
		case 'J': o->jobs = optarg; break;
		case 'd': o->dry = 1; break;
		case 'h':
			fputs(usage_submit, stdout);
			return -1;
		default:
			fprintf(stderr, "%s", usage_submit);
			return SMAB_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "smab: submit takes one experiment file\n%s", usage_submit);
		return SMAB_EXIT_USAGE;
	}
	if (o->resume && o->force)
		return fail("--resume and --force exclude each other");
	if (o->nodes > o->ntasks)
		return fail("--nodes %ld exceeds --ntasks %ld: every node needs a rank",
		            o->nodes, o->ntasks);
	return SMAB_EXIT_OK;
}

int smab_submit_main(int argc, char **argv)
{
	sub_opts o = {.nodes = 1, .ntasks = 1, .shards = 1};
	o.set = smab_xcalloc((size_t)argc + 1, sizeof *o.set);
	int rc = parse_opts(argc, argv, &o);
	if (rc != SMAB_EXIT_OK) {
		free(o.set);
		return rc < 0 ? SMAB_EXIT_OK : rc;
	}
	const char *file = argv[optind];
	smab_errors err;
	smab_errors_init(&err, file);
	smab_experiment *e = NULL;
	if (smab_config_load_set(file, o.set, o.nset, &e, &err) != SMAB_OK) {
		smab_errors_print(&err, stderr);
		fprintf(stderr, "smab: %s: %d error%s; nothing submitted\n", file, err.n,
		        err.n == 1 ? "" : "s");
		smab_errors_clear(&err);
		free(o.set);
		return SMAB_EXIT_USAGE;
	}
	smab_errors_clear(&err);

	char where[PATH_MAX + 32];
	const char *tname = o.shards > 1 ? "shards.sbatch" : "run.sbatch";
	char *tmpl = find_template(&o, tname, where, sizeof where);
	char cwd[PATH_MAX];
	char *script = NULL;
	rc = SMAB_EXIT_OK;
	if (!tmpl) {
		rc = fail("cannot read the template %s (pass --jobs DIR or set SMAB_JOBS)", tname);
	} else if (!getcwd(cwd, sizeof cwd)) {
		rc = fail("cannot get the working directory: %s", strerror(errno));
	} else {
		const char *out = o.output ? o.output : e->output;
		/* Options only: the template puts the file after '--', so a file
		 * named like an option ("-ohijack.yaml") stays a file name. */
		char *args = smab_xstrdup(""), *qfile = smab_shell_quote(file);
		for (int i = 0; i < o.nset; i++) {
			add_arg(&args, "--set");
			add_arg(&args, o.set[i]);
		}
		if (o.resume)
			add_arg(&args, "--resume");
		if (o.force)
			add_arg(&args, "--force");
		if (o.shards <= 1) {
			add_arg(&args, "-o");
			add_arg(&args, out);
		}
		char *stem = stem_of(out), *qstem = smab_shell_quote(stem);
		char *exe = self_path(), *qexe = smab_shell_quote(exe), *qcwd = smab_shell_quote(cwd);
		char *lines = sbatch_lines(&o, e->name);
		char nsh[32];
		snprintf(nsh, sizeof nsh, "%ld", o.shards);
		const char *names[] = {"SBATCH", "WORKDIR", "SMAB", "RUN_ARGS", "OUT_STEM", "SHARDS",
		                       "FILE"};
		const char *vals[] = {lines, qcwd, qexe, args, qstem, nsh, qfile};
		script = strstr(tmpl, "-- @FILE@") ? smab_fill_template(tmpl, names, vals, 7) : NULL;
		if (!script) {
			rc = fail("the template %s does not end its smab run line with '-- @FILE@' "
			          "(the experiment file, after the options)", where);
		} else if (o.dry) {
			fputs(script, stdout);
		} else {
			char path[] = "/tmp/smab-submit-XXXXXX";
			int fd = mkstemp(path);
			FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
			if (!f || fputs(script, f) < 0 || fclose(f) != 0) {
				rc = fail("cannot write the batch script %s: %s", path, strerror(errno));
			} else {
				rc = run_sbatch(path);
				if (rc == SMAB_EXIT_OK && o.shards > 1)
					printf("when the array has ended: smab merge %s.shard-*-of-%ld.h5 -o %s\n",
					       qstem, o.shards, out);
			}
			if (fd >= 0)
				unlink(path);
		}
		free(args);
		free(qfile);
		free(stem);
		free(qstem);
		free(exe);
		free(qexe);
		free(qcwd);
		free(lines);
	}
	free(script);
	free(tmpl);
	free(o.set);
	smab_experiment_free(&e);
	return rc;
}
