/* canonical.c - the canonical text of an experiment: what determines its
 * results, comment-free and in a fixed order, so equivalent files hash
 * alike (config.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "smab/config.h"

static int axis_of(const smab_experiment *e, int p)
{
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++)
			if (e->axes[a].param[k] == p)
				return a;
	return -1;
}

static void put_value(FILE *f, const smab_param_decl *d, const smab_value *v)
{
	char *t = smab_value_str(d, v, 0);
	fputs(t, f);
	free(t);
}

static void put_axis_param(FILE *f, const smab_experiment *e, const smab_axis *ax, int k)
{
	const smab_param_decl *d = &e->suite->params[ax->param[k]];
	fprintf(f, "%s: [", d->name);
	for (int j = 0; j < ax->len; j++) {
		if (j)
			fputs(", ", f);
		put_value(f, d, &ax->values[j * ax->nparam + k]);
	}
	fputc(']', f);
}

/* YAML text, so the provenance stored with results reads like the input.
 * Swept parameters appear only under 'sweep': their base value is unused.
 * Ranges appear expanded, so a range and the equal list agree. */
char *smab_config_canonical(const smab_experiment *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	const smab_suite *s = e->suite;
	fprintf(f, "suite: %s\nseed: %" PRIu64 "\nreplications: %d\nrecord: %d\nmechanisms: [",
	        s->name, e->seed, e->replications, e->record);
	for (int k = 0; k < e->nmech; k++)
		fprintf(f, "%s%s", k ? ", " : "", s->mechs[e->mech[k]].name);
	fputs("]\nparams:\n", f);
	for (int i = 0; i < s->nparams; i++) {
		if (axis_of(e, i) >= 0)
			continue;
		fprintf(f, "  %s: ", s->params[i].name);
		put_value(f, &s->params[i], &e->base[i]);
		fputc('\n', f);
	}
	if (e->coal_nperm)
		fprintf(f, "coalition_perms: %d\n", e->coal_nperm);
	if (e->naxes)
		fputs("sweep:\n", f);
	for (int a = 0; a < e->naxes; a++) {
		const smab_axis *ax = &e->axes[a];
		if (ax->nparam == 1) {
			fputs("  - ", f);
			put_axis_param(f, e, ax, 0);
			fputc('\n', f);
			continue;
		}
		fputs("  - zip:\n", f);
		for (int k = 0; k < ax->nparam; k++) {
			fputs("      ", f);
			put_axis_param(f, e, ax, k);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
