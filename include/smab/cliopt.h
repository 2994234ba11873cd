/* cliopt.h - what was wrong with a command-line option, in one line. */
#ifndef SMAB_CLIOPT_H
#define SMAB_CLIOPT_H

#include <getopt.h>
#include <stddef.h>

/* After getopt_long(argc, argv, shortopts, opts, NULL) returned c = '?' or
 * ':' (shortopts beginning with ':' and opterr 0, so that getopt itself
 * prints nothing): the problem, naming the option as it was typed, into
 * msg[0..len-1]: "unknown option '--bogus'" (and "; did you mean
 * '--resume'?" when a long option is close), "ambiguous option '--s'
 * (--set, --shard)", "option '--ranks' needs a value", "option '--force'
 * takes no value". */
void smab_cliopt_problem(int c, int argc, char *const *argv, const struct option *opts,
                         char *msg, size_t len);

#endif
