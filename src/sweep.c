/* sweep.c - the points of an experiment: the cartesian product of its axes,
 * in the file's axis order, the last axis varying fastest (an odometer). */
#include "smab/config.h"

int64_t smab_sweep_npoints(const smab_experiment *e)
{
	int64_t n = 1;
	for (int a = 0; a < e->naxes; a++)
		n *= e->axes[a].len;
	return n;
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
