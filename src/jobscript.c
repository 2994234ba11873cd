/* jobscript.c - shell words, #SBATCH values checked against strict
 * character sets, the #SBATCH block of a job, and the launchers. */
#include <stdlib.h>
#include <string.h>

#include "smab/jobscript.h"

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

/* ---- #SBATCH values ------------------------------------------------------ */

static int ok_time(const char *v)
{
	return smab_safe_word(v, ":-", 32) && strspn(v, "0123456789:-") == strlen(v);
}

static int ok_name(const char *v) { return smab_safe_word(v, "_.-", 128); }
static int ok_names(const char *v) { return smab_safe_word(v, "_.,-", 128); }

/* A size in MB, or with one of SLURM's unit letters. */
static int ok_mem(const char *v)
{
	size_t d = strspn(v, "0123456789");
	return d > 0 && d <= 15 && (!v[d] || (strchr("KMGT", v[d]) && !v[d + 1]));
}

/* SLURM's feature expressions: names joined by & | , with counts [a*2]. */
static int ok_constraint(const char *v) { return smab_safe_word(v, "_.-&|,:*[]()", 256); }
static int ok_mail_user(const char *v) { return smab_safe_word(v, "_.+-@,", 256); }

static const char *const mail_types[] = {
	"NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL", "INVALID_DEPEND", "STAGE_OUT",
	"TIME_LIMIT", "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS"};

/* A comma list of mail types. */
static int ok_mail_type(const char *v)
{
	if (!smab_safe_word(v, "_,", 256))
		return 0;
	for (const char *p = v;;) {
		size_t k = strcspn(p, ","), i = 0, n = sizeof mail_types / sizeof *mail_types;
		while (i < n && !(strlen(mail_types[i]) == k && strncmp(p, mail_types[i], k) == 0))
			i++;
		if (i == n)
			return 0;
		if (!p[k])
			return 1;
		p += k + 1;
	}
}

/* Options smab writes itself: the job's name, output, directory and array
 * decide the names of the files that the merge job looks for. */
static const char *const owned[] = {"array", "job-name", "output", "error", "chdir", "wrap"};

/* "--name" or "--name=value", with no byte the shell or sbatch's own
 * line parser would treat specially (no space, quote, $, ;, #). */
static int ok_extra(const char *v)
{
	if (strncmp(v, "--", 2) != 0 || !smab_safe_word(v + 2, "_.,:=@/+%-", 256))
		return 0;
	size_t k = strcspn(v + 2, "=");
	if (k == 0 || strspn(v + 2, "abcdefghijklmnopqrstuvwxyz0123456789-") < k ||
	    (v[2 + k] == '=' && !v[3 + k]))
		return 0;
	for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
		if (strlen(owned[i]) == k && strncmp(v + 2, owned[i], k) == 0)
			return 0;
	return 1;
}

static const struct {
	const char *opt;
	int (*ok)(const char *);
	const char *expects;
} checks[] = {
	{"time", ok_time, "digits, ':' and '-' (MM, HH:MM:SS, D-HH:MM:SS)"},
	{"partition", ok_names, "letters, digits and _ . , -"},
	{"account", ok_name, "letters, digits and _ . -"},
	{"qos", ok_name, "letters, digits and _ . -"},
	{"mem", ok_mem, "a size: digits, then optionally one of K M G T"},
	{"mem-per-cpu", ok_mem, "a size: digits, then optionally one of K M G T"},
	{"constraint", ok_constraint, "feature names (letters, digits, _ . -) joined by & | , "
	                              "with [ ] ( ) * :"},
	{"mail-user", ok_mail_user, "addresses of letters, digits and _ . + - @, comma-separated"},
	{"mail-type", ok_mail_type, "a comma list of NONE, BEGIN, END, FAIL, REQUEUE, ALL, "
	                            "INVALID_DEPEND, STAGE_OUT, TIME_LIMIT, TIME_LIMIT_90, "
	                            "TIME_LIMIT_80, TIME_LIMIT_50, ARRAY_TASKS"},
	{"sbatch", ok_extra, "one argument '--name' or '--name=value': a lower-case name, a "
	                     "value of letters, digits and _ . , : = @ / + % -, and not "
	                     "--array, --job-name, --output, --error, --chdir or --wrap (smab sets those)"},
};

const char *smab_sbatch_check(const char *opt, const char *value)
{
	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++)
		if (strcmp(opt, checks[i].opt) == 0)
			return checks[i].ok(value) ? NULL : checks[i].expects;
	return "nothing (an unknown option)";
}

/* ---- launchers ----------------------------------------------------------- */

const char *const smab_launchers[] = {"srun --mpi=pmix", "srun --mpi=pmi2", "mpirun", NULL};

/* Open MPI's mpirun passes only the variables it is told to its ranks. */
static const char *const launch_commands[] = {"srun --mpi=pmix", "srun --mpi=pmi2",
                                              "mpirun -x SMAB_RESUBMISSION"};

const char *smab_launcher_command(const char *name)
{
	for (int i = 0; smab_launchers[i]; i++)
		if (strcmp(name, smab_launchers[i]) == 0)
			return launch_commands[i];
	return NULL;
}

/* ---- the #SBATCH block ---------------------------------------------------- */

void smab_job_name(const smab_job *j, char *buf, size_t len)
{
	char name[64];
	snprintf(name, sizeof name, "smab-%s%s", j->name, j->suffix ? j->suffix : "");
	for (char *p = name; *p; p++)
		if (!smab_safe_word((char[]){*p, '\0'}, "_.-", 1))
			*p = '_';
	snprintf(buf, len, "%s", name);
}

static void line(FILE *f, const char *opt, const char *value)
{
	if (value)
		fprintf(f, "#SBATCH --%s=%s\n", opt, value);
}

char *smab_job_sbatch_lines(const smab_job *j)
{
	char *buf = NULL, name[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	smab_job_name(j, name, sizeof name);
	line(f, "job-name", name);
	fprintf(f, "#SBATCH --nodes=%ld\n#SBATCH --ntasks=%ld\n", j->nodes, j->ntasks);
	if (j->cpus_per_task > 0)
		fprintf(f, "#SBATCH --cpus-per-task=%ld\n", j->cpus_per_task);
	line(f, "time", j->time);
	line(f, "partition", j->partition);
	line(f, "account", j->account);
	line(f, "qos", j->qos);
	line(f, "mem", j->mem);
	line(f, "mem-per-cpu", j->mem_per_cpu);
	line(f, "constraint", j->constraint);
	line(f, "mail-user", j->mail_user);
	line(f, "mail-type", j->mail_type);
	if (j->array > 1)
		fprintf(f, "#SBATCH --array=0-%ld\n#SBATCH --output=%%x-%%A_%%a.out\n", j->array - 1);
	else
		fprintf(f, "#SBATCH --output=%%x-%%j.out\n");
	for (int i = 0; i < j->nextra; i++)
		fprintf(f, "#SBATCH %s\n", j->extra[i]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
