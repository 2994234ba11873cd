/* fuzz_config.h - one input for the experiment loader and --set, shared by
 * the libFuzzer target (tests/fuzz/fuzz_config.c) and the replay of the
 * corpus in the unit tests (tests/unit/test_fuzz_corpus.c), so both run
 * exactly the same code.
 *
 * An input is a line of overrides, then the file.  The first line holds the
 * --set arguments, separated by tabs (none when it is empty), in which the
 * two characters backslash and 'n' stand for a newline; everything after
 * the first newline is the experiment file.  So an experiment file with an
 * empty line in front is an input, and
 *
 *     seed=1\n--- 2<TAB>params..horizon=3
 *     suite: drift
 *
 * is the file "suite: drift\n" with two overrides, the first of which holds
 * a newline.  Whatever the loader accepts is also rendered (canonical text,
 * the result file's size, the first and the last point), so that code runs
 * on every accepted input too. */
#ifndef SMAB_FUZZ_CONFIG_H
#define SMAB_FUZZ_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smab/config.h"

enum { FUZZ_MAX_SETS = 8 };

/* Override text [s, s + n) with "\n" made a newline, NUL-terminated. */
static inline char *smab_fuzz_unescape(const uint8_t *s, size_t n)
{
	char *out = smab_xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'n') {
			out[k++] = '\n';
			i++;
		} else {
			out[k++] = (char)s[i];
		}
	}
	out[k] = '\0';
	return out;
}

/* Everything an accepted experiment offers its users. */
static inline void smab_fuzz_render(const smab_experiment *e)
{
	char *canon = smab_config_canonical(e);
	free(canon);
	if (!(smab_experiment_file_bytes(e) > 0))
		abort();
	int64_t np = smab_sweep_npoints(e);
	if (np < 1 || np > SMAB_MAX_POINTS)
		abort();
	smab_value *v = smab_xcalloc((size_t)e->suite->nparams, sizeof *v);
	for (int64_t p = 0; p < np; p += np > 1 ? np - 1 : 1) {
		smab_sweep_point(e, p, v);
		for (int i = 0; i < e->suite->nparams; i++)
			free(smab_value_str(&e->suite->params[i], &v[i], 6));
	}
	free(v);
}

/* Run one input through smab_config_parse_set; its status. */
static inline int smab_fuzz_config(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	const uint8_t *nl = memchr(data, '\n', size);
	size_t head = nl ? (size_t)(nl - data) : size;
	const char *text = nl ? (const char *)nl + 1 : "";
	size_t len = nl ? size - head - 1 : 0;
	char *set[FUZZ_MAX_SETS];
	int nset = 0;
	for (size_t a = 0; head > 0 && a <= head && nset < FUZZ_MAX_SETS;) {
		const uint8_t *tab = memchr(data + a, '\t', head - a);
		size_t b = tab ? (size_t)(tab - data) : head;
		set[nset++] = smab_fuzz_unescape(data + a, b - a);
		a = b + 1;
	}
	smab_errors err;
	smab_errors_init(&err, "fuzz.yaml");
	smab_experiment *e = NULL;
	int rc = smab_config_parse_set(text, len, "fuzz.yaml", (const char *const *)set, nset,
	                               &e, &err);
	if (sink)
		smab_errors_print(&err, sink);
	if ((rc == SMAB_OK) != (e != NULL) || (rc == SMAB_OK) != (err.n == 0))
		abort();        /* a verdict without its experiment or its errors */
	if (e)
		smab_fuzz_render(e);
	smab_experiment_free(&e);
	smab_errors_clear(&err);
	for (int i = 0; i < nset; i++)
		free(set[i]);
	return rc;
}

#endif
