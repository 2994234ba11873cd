/* cfgcheck.c - checks of an assembled experiment: its size (tasks and the
 * result file's bytes), the suite's cross-parameter check run on every
 * point, its failures placed where the blamed parameter got its value (a
 * sweep entry, a 'params' entry, or the file's start for a default), and
 * whether each mechanism is defined at every point. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "smab/outfile.h"

/* ---- size ------------------------------------------------------------- */

void cfg_check_size(cfg *c)
{
	const smab_experiment *e = c->e;
	if (!e->suite || c->npoints > SMAB_MAX_POINTS)
		return;
	double P = (double)smab_sweep_npoints(e), R = e->replications;
	double bytes = smab_experiment_file_bytes(e);
	if (P * R > SMAB_MAX_TASKS) {
		smab_errors_add(c->err, c->size_line, c->size_col, c->size_key,
		                "the sweep has %.0f points x %.0f replications = %.0f tasks, more "
		                "than the %d allowed: use fewer points or replications, or split "
		                "the sweep into several files", P, R, P * R, SMAB_MAX_TASKS);
	} else if (bytes > SMAB_MAX_FILE_BYTES) {
		const smab_suite *s = e->suite;
		int Kc = 0;
		for (int m = 0; m < s->nmetrics; m++)
			Kc += s->metrics[m].has_curve != 0;
		char have[32], most[32];
		smab_errors_add(c->err, c->size_line, c->size_col, c->size_key,
		                "the result file would take about %s (%.0f point%s x %.0f "
		                "replications x %d mechanisms x (%d metrics + %d curves x %d "
		                "checkpoints) doubles, and their summaries), more than the %s "
		                "allowed: record fewer checkpoints ('record'), or run fewer "
		                "replications or points",
		                smab_out_bytes_str(bytes, have, sizeof have), P, P == 1 ? "" : "s", R,
		                e->nmech, s->nmetrics, Kc, e->record,
		                smab_out_bytes_str(SMAB_MAX_FILE_BYTES, most, sizeof most));
	}
}

/* ---- the suite's check at every point ----------------------------------- */

/* Where the value of parameter 'p' at point 'id' was written: its sweep
 * entry, its 'params' entry, or the start of the file for a default. */
static void value_mark(const cfg *c, int64_t id, int p, int *line, int *col)
{
	const smab_experiment *e = c->e;
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++)
			if (e->axes[a].param[k] == p) {
				int j = smab_sweep_index(e, id, a);
				const int *mk = &c->marks[a][2 * (j * e->axes[a].nparam + k)];
				*line = mk[0];
				*col = mk[1];
				return;
			}
	*line = e->where[2 * p] ? e->where[2 * p] : 1;
	*col = e->where[2 * p] ? e->where[2 * p + 1] : 1;
}

/* One distinct failure of the suite's check: the first point that shows it
 * and how many more do. */
typedef struct check_fail {
	int line, col, bad;
	int64_t more;
	char msg[256];
	char at[256];
} check_fail;

/* " (sweep point 5: arms=3, gap=0.2", the swept values of a point. */
static void describe_point(const smab_experiment *e, int64_t id,
                           const smab_value *vals, char *at, size_t len)
{
	size_t used = (size_t)snprintf(at, len, " (sweep point %" PRId64, id);
	for (int a = 0; a < e->naxes && used < len; a++)
		for (int k = 0; k < e->axes[a].nparam && used < len; k++) {
			const smab_param_decl *d = &e->suite->params[e->axes[a].param[k]];
			char *v = smab_value_str(d, &vals[e->axes[a].param[k]], 6);
			used += (size_t)snprintf(at + used, len - used, "%s%s=%s",
			                         a || k ? ", " : ": ", d->name, v);
			free(v);
		}
}

/* Run the suite's check on every point.  Failures with the same message at
 * the same place (one bad value failing at many points) are reported once,
 * with a count; at most MAX_CHECK_FAILS distinct ones, each at the place
 * the blamed parameter got its value. */
void cfg_check_points(cfg *c)
{
	const smab_experiment *e = c->e;
	const smab_suite *s = c->s;
	if (!s->check)
		return;
	int64_t np = smab_sweep_npoints(e);
	smab_value *vals = smab_xmalloc((size_t)s->nparams * sizeof *vals);
	check_fail *f = smab_xcalloc(MAX_CHECK_FAILS, sizeof *f);
	int nf = 0;
	/* A coalition axis was expanded for the agents of the base values:
	 * every point must have that many. */
	int pc = s->agents ? smab_suite_param(s, "coalition") : -1;
	if (pc >= 0 && c->swept[2 * pc]) {
		int M0 = s->agents(e->base, NULL);
		for (int64_t id = 0; id < np; id++) {
			smab_sweep_point(e, id, vals);
			int M = s->agents(vals, NULL);
			if (M == M0)
				continue;
			char at[256] = "";
			describe_point(e, id, vals, at, sizeof at);
			smab_errors_add(c->err, c->swept[2 * pc], c->swept[2 * pc + 1], "coalition",
			                "the coalition axis was expanded for %d agents, but this point's instance has %d%s): "
			                "put instances with different numbers of agents in separate files",
			                M0, M, at);
			break;
		}
	}
	for (int64_t id = 0; id < np; id++) {
		check_fail cur = {.line = 1, .col = 1, .bad = -1};
		smab_sweep_point(e, id, vals);
		if (!s->check(vals, cur.msg, sizeof cur.msg, &cur.bad))
			continue;
		if (cur.bad >= 0 && cur.bad < s->nparams)
			value_mark(c, id, cur.bad, &cur.line, &cur.col);
		else
			cur.bad = -1;
		int i = 0;
		while (i < nf && (f[i].line != cur.line || f[i].col != cur.col ||
		                  f[i].bad != cur.bad || strcmp(f[i].msg, cur.msg) != 0))
			i++;
		if (i < nf) {
			f[i].more++;
		} else if (nf < MAX_CHECK_FAILS) {
			if (e->naxes)
				describe_point(e, id, vals, cur.at, sizeof cur.at);
			f[nf++] = cur;
		}
	}
	for (int i = 0; i < nf; i++) {
		char more[64] = "";
		if (f[i].more)
			snprintf(more, sizeof more, "; and %" PRId64 " more point%s", f[i].more,
			         f[i].more > 1 ? "s" : "");
		smab_errors_add(c->err, f[i].line, f[i].col,
		                f[i].bad >= 0 ? s->params[f[i].bad].name : NULL,
		                "%s%s%s%s", f[i].msg, f[i].at, more,
		                e->naxes ? ")" : "");
	}
	free(f);
	free(vals);
}

/* ---- mechanisms defined at every point ---------------------------------- */

void cfg_check_mechs(cfg *c)
{
	smab_experiment *e = c->e;
	const smab_suite *s = c->s;
	if (!s->mech_check)
		return;
	int64_t np = smab_sweep_npoints(e);
	smab_value *vals = smab_xmalloc((size_t)s->nparams * sizeof *vals);
	int listed = 0, kept = 0;
	for (int q = 0; q < e->nmech; q++)
		listed |= c->mech_at[2 * e->mech[q]] != 0;
	for (int q = 0; q < e->nmech; q++) {
		int k = e->mech[q], bad = -1;
		int64_t id = 0, more = 0, first = -1;
		char msg[256] = "", at[256] = "";
		for (; id < np; id++) {
			smab_sweep_point(e, id, vals);
			char m[256];
			if (!s->mech_check(vals, k, m, sizeof m, &bad))
				continue;
			if (first < 0) {
				first = id;
				snprintf(msg, sizeof msg, "%s", m);
				if (e->naxes)
					describe_point(e, id, vals, at, sizeof at);
			} else {
				more++;
			}
		}
		if (first < 0) {
			e->mech[kept++] = k;
			continue;
		}
		if (!listed)
			continue;       /* the default list: leave it out */
		char tail[64] = "";
		if (more)
			snprintf(tail, sizeof tail, "; and %" PRId64 " more point%s", more,
			         more > 1 ? "s" : "");
		smab_errors_add(c->err, c->mech_at[2 * k], c->mech_at[2 * k + 1], "mechanisms",
		                "%s%s%s%s; leave it out of 'mechanisms'", msg, at, tail,
		                e->naxes ? ")" : "");
		e->mech[kept++] = k;
	}
	if (kept == 0) {
		/* every one of the suite's mechanisms is undefined here */
		smab_sweep_point(e, 0, vals);
		int bad = -1;
		char m[256] = "";
		s->mech_check(vals, e->mech[0], m, sizeof m, &bad);
		smab_errors_add(c->err, 1, 1, "mechanisms", "no mechanism of the suite is defined "
		                "for every point: %s", m);
		kept = e->nmech;
	}
	e->nmech = kept;
	free(vals);
}
