/* jobscript.h - the pieces of a SLURM batch script that 'smab submit'
 * writes: shell words, strictly checked #SBATCH values, the #SBATCH block
 * and the launchers.  Plain string work; no I/O, no MPI.
 *
 * Two rules keep a value from becoming a command: a value that reaches the
 * script body is a single-quoted shell word, and a value that reaches an
 * #SBATCH line (which sbatch parses, not the shell) must match a strict
 * character set or is refused. */
#ifndef SMAB_JOBSCRIPT_H
#define SMAB_JOBSCRIPT_H

#include "smab/common.h"

/* The word s quoted for a POSIX shell: 'it'\''s', so that no character of
 * s (spaces, $, `, ;, quotes, newlines) is interpreted.  Caller frees. */
char *smab_shell_quote(const char *s);

/* 1 if s is non-empty, at most 'max' bytes and every byte is alphanumeric
 * or in 'extra'. */
int smab_safe_word(const char *s, const char *extra, size_t max);

/* Template 'tmpl' with every "@NAME@" replaced by the value of the pair
 * (names[i], values[i]) for i < n.  An unknown @NAME@ is left as is.
 * Caller frees. */
char *smab_fill_template(const char *tmpl, const char *const *names,
                         const char *const *values, int n);

/* NULL if 'value' may follow "#SBATCH --<opt>=", else what the option
 * expects (a phrase for a message).  'opt' is one of time, partition,
 * account, qos, mem, mem-per-cpu, constraint, mail-user, mail-type, or
 * "sbatch" for a whole extra argument ("--name=value", see smab submit
 * --help); an unknown 'opt' expects nothing. */
const char *smab_sbatch_check(const char *opt, const char *value);

/* The command line that starts the ranks for launcher 'name' ("srun
 * --mpi=pmix", "srun --mpi=pmi2" or "mpirun"), or NULL for another name.
 * smab_launchers lists the names, NULL-terminated. */
const char *smab_launcher_command(const char *name);
extern const char *const smab_launchers[];

/* What a job asks SLURM for: every string already checked with
 * smab_sbatch_check (or NULL: not asked).  'name' is the experiment's,
 * written with its unsafe characters replaced. */
typedef struct smab_job {
	const char *name, *suffix;   /* job name "smab-<name><suffix>" */
	long nodes, ntasks;
	long cpus_per_task;          /* 0: not asked */
	long array;                  /* > 1: an array of that many elements */
	const char *time, *partition, *account, *qos, *mem, *mem_per_cpu;
	const char *constraint, *mail_user, *mail_type;
	const char *const *extra;    /* whole extra arguments, "--x=y" */
	int nextra;
} smab_job;

/* The job name: "smab-<name><suffix>" with every byte outside [A-Za-z0-9_.-]
 * replaced by '_', at most 63 bytes, into buf. */
void smab_job_name(const smab_job *j, char *buf, size_t len);

/* The #SBATCH lines of job j, one per line, the extra arguments last (so
 * sbatch lets them win).  Caller frees. */
char *smab_job_sbatch_lines(const smab_job *j);

#endif
