/* cliopt.c - one line about a bad option, for every subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smab/cliopt.h"
#include "smab/common.h"
#include "smab/suggest.h"

/* "--name" of a long option typed as "--name=value" or "--name". */
static void long_name(const char *arg, char *out, size_t len)
{
	size_t n = strcspn(arg, "=");
	snprintf(out, len, "%.*s", (int)(n < 200 ? n : 200), arg);
}

/* Problem with a long option: ambiguous prefix, or unknown (with the
 * closest known one). */
static void long_problem(const char *typed, const struct option *opts, char *msg, size_t len)
{
	size_t tl = strlen(typed + 2), nopt = 0, used;
	int nmatch = 0;
	for (const struct option *o = opts; o->name; o++)
		nopt++;
	used = (size_t)snprintf(msg, len, "ambiguous option '%s' (", typed);
	for (const struct option *o = opts; o->name && used < len; o++)
		if (tl > 0 && strncmp(o->name, typed + 2, tl) == 0)
			used += (size_t)snprintf(msg + used, len - used, "%s--%s",
			                         nmatch++ ? ", " : "", o->name);
	if (nmatch >= 2) {
		if (used < len)
			snprintf(msg + used, len - used, ")");
		return;
	}
	const char **names = smab_xcalloc(nopt + 1, sizeof *names);
	for (size_t i = 0; i < nopt; i++)
		names[i] = opts[i].name;
	const char *s = smab_suggest(typed + 2, names, (int)nopt);
	if (s)
		snprintf(msg, len, "unknown option '%s'; did you mean '--%s'?", typed, s);
	else
		snprintf(msg, len, "unknown option '%s'", typed);
	free(names);
}

void smab_cliopt_problem(int c, int argc, char *const *argv, const struct option *opts,
                         char *msg, size_t len)
{
	/* getopt has stepped past a long option it complains about, and past
	 * a short one when it was the last letter of its word. */
	const char *prev = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "";
	int is_long = strncmp(prev, "--", 2) == 0 && prev[2] != '\0';
	char typed[256];
	if (is_long)
		long_name(prev, typed, sizeof typed);
	else
		snprintf(typed, sizeof typed, "-%c", optopt);
	if (c == ':')
		snprintf(msg, len, "option '%s' needs a value", typed);
	else if (is_long && optopt != 0 && strchr(prev, '='))
		snprintf(msg, len, "option '%s' takes no value", typed);
	else if (is_long && optopt == 0)
		long_problem(typed, opts, msg, len);
	else
		snprintf(msg, len, "unknown option '-%c'", optopt ? optopt : '?');
}
