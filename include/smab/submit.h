/* submit.h - 'smab submit': fill a SLURM batch template from jobs/ and
 * hand it to sbatch.  Serial; no MPI. */
#ifndef SMAB_SUBMIT_H
#define SMAB_SUBMIT_H

#include "smab/common.h"

/* The word s quoted for a POSIX shell: 'it'\''s', so that no character of
 * s (spaces, $, `, ;, quotes, newlines) is interpreted.  Caller frees. */
char *smab_shell_quote(const char *s);

/* 1 if s is non-empty, at most 'max' bytes and every byte is alphanumeric
 * or in 'extra': the check for values that go into #SBATCH lines, which
 * sbatch parses itself (no shell quoting applies there). */
int smab_safe_word(const char *s, const char *extra, size_t max);

/* Template 'tmpl' with every "@NAME@" replaced by the value of the pair
 * (names[i], values[i]) for i < n.  An unknown @NAME@ is left as is.
 * Caller frees. */
char *smab_fill_template(const char *tmpl, const char *const *names,
                         const char *const *values, int n);

/* The 'smab submit' command (argv[0] = "submit"); returns an exit status. */
int smab_submit_main(int argc, char **argv);

#endif
