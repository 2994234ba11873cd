/* sweep.c - the points of an experiment: the cartesian product of its axes,
 * in the file's axis order, the last axis varying fastest (an odometer);
 * and the size of the result file they make. */
#include "smab/config.h"

int64_t smab_sweep_npoints(const smab_experiment *e)
{
	int64_t n = 1;
	for (int a = 0; a < e->naxes; a++)
		n *= e->axes[a].len;
	return n;
}

double smab_experiment_file_bytes(const smab_experiment *e)
{
	const smab_suite *s = e->suite;
	double P = (double)smab_sweep_npoints(e), R = e->replications, M = e->nmech;
	double C = e->record, K = s->nmetrics, Kc = 0, swept = 0;
	for (int m = 0; m < s->nmetrics; m++)
		Kc += s->metrics[m].has_curve != 0;
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++) {
			int n = 0;      /* a list column: text as long as its longest list */
			if (s->params[e->axes[a].param[k]].type == SMAB_P_VEC)
				for (int j = 0; j < e->axes[a].len; j++)
					if (e->axes[a].values[j * e->axes[a].nparam + k].n > n)
						n = e->axes[a].values[j * e->axes[a].nparam + k].n;
			swept += n ? (26.0 * n + 3) / 8 : 1;
		}
	double values = K + Kc * C;             /* per task and mechanism */
	return 8 * P * R * M * values           /* /results: doubles */
	       + P * R * (1 + 8 + 4)            /* /tasks: done u8, seconds f64, checksum u32 */
	       + 40 * P * M * values            /* /summary: {n, mean, sd, ci_lo, ci_hi} */
	       + 8 * P * C                      /* /results/checkpoints: int64 */
	       + P * (8 + 8 * swept + 64)       /* /points: id, one column per swept param
	                                         * (a list: its text, 26 bytes a number),
	                                         * label */
	       + 8 * (2 * P + R + C)            /* dimension scales, /sweep (at most P values) */
	       + 1e6;                           /* attributes, config text, /history, metadata */
}

int smab_sweep_index(const smab_experiment *e, int64_t id, int a)
{
	/* Divide out the axes that vary faster than 'a'. */
	for (int b = e->naxes - 1; b > a; b--)
		id /= e->axes[b].len;
	return (int)(id % e->axes[a].len);
}

void smab_sweep_point(const smab_experiment *e, int64_t id, smab_value *vals)
{
	for (int i = 0; i < e->suite->nparams; i++)
		vals[i] = e->base[i];
	for (int a = e->naxes - 1; a >= 0; a--) {
		const smab_axis *ax = &e->axes[a];
		int j = (int)(id % ax->len);
		id /= ax->len;
		for (int k = 0; k < ax->nparam; k++)
			vals[ax->param[k]] = ax->values[j * ax->nparam + k];
	}
}
