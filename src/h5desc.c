/* h5desc.c - what makes a result file describe itself (file format 3):
 *
 *  - HDF5 dimension scales /point, /replication and /checkpoint, attached
 *    to every dataset indexed by them, so a netCDF-aware reader (h5netcdf,
 *    xarray) names the dimensions of any group without knowing smab;
 *  - a 'description' on every dataset (the suite's one-line doc of the
 *    metric or parameter) and 'units' where they mean something;
 *  - the sweep's structure: the root attributes sweep_axes (one name per
 *    axis, a zip group named by its first parameter), sweep_shape (their
 *    lengths, the first varying slowest), sweep_params (the swept
 *    parameters in /points column order) and sweep_axis (the axis of each),
 *    and /sweep/<param>, the values of each along its axis, from which a
 *    reader rebuilds the grid without the YAML;
 *  - the types of the swept parameters as /points and /sweep store them.
 *
 * Written once, by the serial build (h5out.c), before any rank opens the
 * file: attaching a scale rewrites attributes, which is metadata.  A
 * scale's REFERENCE_LIST attribute grows by one entry per dataset attached
 * to it and is capped at 64 KiB by the earliest file format the file keeps
 * (see h5out.c): SCALE_MAX_REFS bounds it, with a clear message. */
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "smab/h5out.h"
#include "h5util.h"

/* Datasets one scale may be attached to: 16 bytes per entry in 64 KiB. */
#define SCALE_MAX_REFS 4000

/* ---- the types of parameters ---------------------------------------------- */

hid_t h5u_param_type(const smab_param_decl *d, size_t strsize, h5ctx *cx)
{
	hid_t t = -1;
	if (d->type == SMAB_P_BOOL) {
		H5OK(t = H5Tenum_create(H5T_NATIVE_INT8), "cannot make the type of %s", d->name);
		for (signed char c = 0; c < 2; c++)
			H5OK(H5Tenum_insert(t, c ? "TRUE" : "FALSE", &c), "cannot make the type "
			     "of %s", d->name);
	} else if (d->type == SMAB_P_ENUM || d->type == SMAB_P_VEC) {
		H5OK(t = H5Tcopy(H5T_C_S1), "cannot make the string type of %s", d->name);
		H5OK(H5Tset_size(t, strsize), "cannot size the string type of %s", d->name);
	} else {
		H5OK(t = H5Tcopy(d->type == SMAB_P_INT ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE),
		     "cannot copy a type");
	}
	return t;
out:
	CLOSE(H5Tclose, t);
	return -1;
}

size_t h5u_param_size(const smab_param_decl *d, size_t strsize)
{
	if (d->type == SMAB_P_ENUM || d->type == SMAB_P_VEC)
		return strsize;
	return d->type == SMAB_P_BOOL ? 1 : 8;
}

void h5u_param_encode(const smab_param_decl *d, const smab_value *v, unsigned char *dst)
{
	if (d->type == SMAB_P_ENUM || d->type == SMAB_P_VEC) {
		char *str = smab_value_str(d, v, 0);
		memcpy(dst, str, strlen(str));
		free(str);
	} else if (d->type == SMAB_P_BOOL) {
		dst[0] = v->x != 0;
	} else if (d->type == SMAB_P_INT) {
		int64_t x = (int64_t)v->x;
		memcpy(dst, &x, sizeof x);
	} else {
		memcpy(dst, &v->x, sizeof v->x);
	}
}

size_t h5u_param_strlen(const smab_param_decl *d, const smab_value *v, size_t n,
                        size_t stride)
{
	size_t m = 1;
	if (d->type == SMAB_P_ENUM) {
		for (int c = 0;; c++) {
			char name[128];
			smab_param_choice_name(d, c, name, sizeof name);
			if (!name[0])
				break;
			if (strlen(name) + 1 > m)
				m = strlen(name) + 1;
		}
	} else if (d->type == SMAB_P_VEC) {
		for (size_t i = 0; i < n; i++) {
			char *s = smab_value_str(d, &v[i * stride], 0);
			if (strlen(s) + 1 > m)
				m = strlen(s) + 1;
			free(s);
		}
	}
	return m;
}

/* ---- attributes -------------------------------------------------------- */

/* 'description' and, unless NULL, 'units' on the object at path. */
static int describe(hid_t file, const char *path, const char *desc, const char *units,
                    h5ctx *cx)
{
	hid_t o = -1;
	H5OK(o = H5Oopen(file, path, H5P_DEFAULT), "cannot open %s", path);
	if (h5u_put_str(o, "description", desc, cx) == SMAB_OK && units)
		h5u_put_str(o, "units", units, cx);
out:
	CLOSE(H5Oclose, o);
	return cx->status;
}

/* ---- dimension scales -------------------------------------------------- */

enum { D_POINT, D_REP, D_CHECK, NDIM };

typedef struct scales {
	hid_t id[NDIM];
	int refs[NDIM];
} scales;

/* Dimension scale /name of n int64 values v (NULL: 0, 1, ...). */
static hid_t make_scale(hid_t file, const char *name, hsize_t n, const int64_t *v,
                        const char *desc, const char *units, h5ctx *cx)
{
	char path[64];
	int64_t *idx = NULL;
	hid_t d = -1;
	snprintf(path, sizeof path, "/%s", name);
	H5OK(d = h5u_make_dset(file, path, H5T_STD_I64LE, 1, &n, H5T_NATIVE_INT64, NULL, cx),
	     "cannot create the dimension scale %s", path);
	if (!v) {
		idx = smab_xmalloc((size_t)n * sizeof *idx + 1);
		for (hsize_t i = 0; i < n; i++)
			idx[i] = (int64_t)i;
		v = idx;
	}
	if (n > 0)
		H5OK(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v),
		     "cannot write %s", path);
	H5OK(H5DSset_scale(d, name), "cannot make %s a dimension scale", path);
	if (describe(file, path, desc, units, cx))
		goto out;
	free(idx);
	return d;
out:
	free(idx);
	CLOSE(H5Dclose, d);
	return -1;
}

/* Attach scales dim[0..rank-1] (D_*) to dataset 'path' and describe it. */
static int attach(hid_t file, scales *sc, const char *path, int rank, const int *dim,
                  const char *desc, const char *units, h5ctx *cx)
{
	hid_t d = -1;
	H5OK(d = H5Dopen2(file, path, H5P_DEFAULT), "cannot open %s", path);
	for (int i = 0; i < rank; i++) {
		if (++sc->refs[dim[i]] > SCALE_MAX_REFS)
			FAIL(SMAB_EINVAL, "the experiment has more than %d datasets along one "
			     "dimension (mechanisms x metrics): more than a result file describes",
			     SCALE_MAX_REFS);
		H5OK(H5DSattach_scale(d, sc->id[dim[i]], (unsigned)i),
		     "cannot attach a dimension scale to %s", path);
	}
	describe(file, path, desc, units, cx);
out:
	CLOSE(H5Dclose, d);
	return cx->status;
}

/* The checkpoints' rounds if every point shares them, else NULL. */
static const int64_t *shared_checkpoints(const smab_plan *pl)
{
	size_t C = (size_t)pl->ncheck;
	for (int64_t p = 1; p < pl->npoints; p++)
		if (memcmp(pl->check, pl->check + (size_t)p * C, C * sizeof *pl->check) != 0)
			return NULL;
	return pl->check;
}

/* The per-task datasets of /tasks, /points, /history, /results/checkpoints. */
static int describe_tables(hid_t file, scales *sc, h5ctx *cx)
{
	static const int pr[2] = {D_POINT, D_REP}, pc[2] = {D_POINT, D_CHECK};
	if (attach(file, sc, "/points", 1, pr, "the points of the sweep: id, the value of "
	           "each swept parameter, and a label 'name=value,...'", NULL, cx) ||
	    attach(file, sc, "/tasks/done", 2, pr, "1 once the task's results are in the file",
	           NULL, cx) ||
	    attach(file, sc, "/tasks/seconds", 2, pr, "wall time of the task", "seconds", cx) ||
	    attach(file, sc, "/tasks/checksum", 2, pr, "CRC-32 of the task's results (0 until "
	           "it is done)", NULL, cx) ||
	    attach(file, sc, "/results/checkpoints", 2, pc, "round of each checkpoint of each "
	           "point", "rounds", cx) ||
	    describe(file, "/history", "one row per session that wrote the file", NULL, cx))
		return cx->status;
	/* Provenance too long for an attribute is a scalar dataset (h5out.c). */
	static const char *const prov[] = {"config", "config_text", "overrides"};
	for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++) {
		htri_t is = H5Lexists(file, prov[i], H5P_DEFAULT);
		if (is > 0 && describe(file, prov[i], "provenance too long for an attribute",
		                       NULL, cx))
			break;
		H5Eclear2(H5E_DEFAULT);
	}
	return cx->status;
}

/* /results and /summary of every mechanism and metric. */
static int describe_results(hid_t file, scales *sc, const smab_plan *pl, h5ctx *cx)
{
	static const int prc[3] = {D_POINT, D_REP, D_CHECK}, pc[2] = {D_POINT, D_CHECK};
	const smab_suite *s = pl->e->suite;
	char path[512], desc[1024];
	for (int k = 0; k < pl->nmech && cx->status == SMAB_OK; k++) {
		const smab_mech_decl *md = &s->mechs[pl->e->mech[k]];
		snprintf(path, sizeof path, "/results/%s", md->name);
		if (describe(file, path, md->doc, NULL, cx))
			break;
		for (int m = 0; m < pl->nmetrics; m++) {
			const smab_metric_decl *t = &s->metrics[m];
			int curve = t->has_curve && pl->ncheck > 0;
			snprintf(path, sizeof path, "/results/%s/%s", md->name, t->name);
			if (attach(file, sc, path, 2, prc, t->doc, t->units, cx))
				break;
			snprintf(path, sizeof path, "/summary/%s/%s", md->name, t->name);
			snprintf(desc, sizeof desc, "over the replications done: n, mean, sd and 95%% "
			         "Student-t interval (ci_lo, ci_hi) of: %s", t->doc);
			if (attach(file, sc, path, 1, prc, desc, t->units, cx) || !curve)
				continue;
			snprintf(path, sizeof path, "/results/%s/%s_curve", md->name, t->name);
			snprintf(desc, sizeof desc, "%s, at each checkpoint", t->doc);
			if (attach(file, sc, path, 3, prc, desc, t->units, cx))
				break;
			snprintf(path, sizeof path, "/summary/%s/%s_curve", md->name, t->name);
			snprintf(desc, sizeof desc, "over the replications done: n, mean, sd and 95%% "
			         "Student-t interval (ci_lo, ci_hi) of: %s, at each checkpoint", t->doc);
			if (attach(file, sc, path, 2, pc, desc, t->units, cx))
				break;
		}
	}
	return cx->status;
}

/* ---- the sweep --------------------------------------------------------- */

/* /sweep/<param> for each swept parameter: its values along its axis, a
 * dimension scale named by the axis (a zip group's other members are
 * attached to its first); and the root attributes sweep_*. */
static int describe_sweep(hid_t file, const smab_experiment *e, h5ctx *cx)
{
	const smab_suite *s = e->suite;
	int ncol = 0;
	for (int a = 0; a < e->naxes; a++)
		ncol += e->axes[a].nparam;
	char **axname = smab_xcalloc((size_t)e->naxes + 1, sizeof *axname);
	char **pname = smab_xcalloc((size_t)ncol + 1, sizeof *pname);
	int64_t *shape = smab_xcalloc((size_t)e->naxes + 1, sizeof *shape);
	int64_t *axis = smab_xcalloc((size_t)ncol + 1, sizeof *axis);
	char *axes = NULL, *params = NULL, path[512];
	unsigned char *buf = NULL;
	hid_t t = -1, d = -1, first = -1;
	if (h5u_ensure_group(file, "/sweep", cx))
		goto out;
	for (int a = 0, c = 0; a < e->naxes; a++) {
		const smab_axis *ax = &e->axes[a];
		axname[a] = (char *)s->params[ax->param[0]].name;
		shape[a] = ax->len;
		hsize_t n = (hsize_t)ax->len;
		for (int k = 0; k < ax->nparam; k++, c++) {
			const smab_param_decl *pd = &s->params[ax->param[k]];
			pname[c] = (char *)pd->name;
			axis[c] = a;
			const smab_value *v = ax->values + k;
			size_t strsize = h5u_param_strlen(pd, v, (size_t)n, (size_t)ax->nparam);
			size_t size = h5u_param_size(pd, strsize);
			buf = smab_xcalloc((size_t)n + 1, size);
			for (size_t j = 0; j < (size_t)n; j++)
				h5u_param_encode(pd, &v[j * (size_t)ax->nparam], buf + j * size);
			snprintf(path, sizeof path, "/sweep/%s", pd->name);
			H5OK(t = h5u_param_type(pd, strsize, cx), "cannot make the type of %s", path);
			H5OK(d = h5u_make_dset(file, path, t, 1, &n, t, NULL, cx), "cannot create %s",
			     path);
			H5OK(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "cannot write %s", path);
			free(buf);
			buf = NULL;
			CLOSE(H5Tclose, t);
			if (k == 0) {
				H5OK(H5DSset_scale(d, pd->name), "cannot make %s a dimension scale", path);
				first = d;
				d = -1;
			} else {
				H5OK(H5DSattach_scale(d, first, 0), "cannot attach %s to its zip group",
				     path);
				CLOSE(H5Dclose, d);
			}
			if (describe(file, path, pd->doc, NULL, cx))
				goto out;
		}
		CLOSE(H5Dclose, first);
	}
	axes = h5u_join_list(axname, e->naxes, ",");
	params = h5u_join_list(pname, ncol, ",");
	if (h5u_put_str(file, "sweep_axes", axes, cx) == SMAB_OK &&
	    h5u_put_str(file, "sweep_params", params, cx) == SMAB_OK &&
	    h5u_put_i64s(file, "sweep_shape", shape, (hsize_t)e->naxes, cx) == SMAB_OK)
		h5u_put_i64s(file, "sweep_axis", axis, (hsize_t)ncol, cx);
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Dclose, first);
	CLOSE(H5Tclose, t);
	free(buf);
	free(axes);
	free(params);
	free(axname);
	free(pname);
	free(shape);
	free(axis);
	return cx->status;
}

int h5u_describe(hid_t file, const smab_plan *pl, h5ctx *cx)
{
	scales sc;
	memset(&sc, 0, sizeof sc);
	for (int i = 0; i < NDIM; i++)
		sc.id[i] = -1;
	const int64_t *rounds = shared_checkpoints(pl);
	sc.id[D_POINT] = make_scale(file, "point", (hsize_t)pl->npoints, NULL, "index of a "
	                            "point of the sweep: a row of /points", NULL, cx);
	if (sc.id[D_POINT] >= 0)
		sc.id[D_REP] = make_scale(file, "replication", (hsize_t)pl->reps, NULL,
		                          "index of a replication", NULL, cx);
	if (sc.id[D_REP] >= 0)
		sc.id[D_CHECK] = make_scale(file, "checkpoint", (hsize_t)pl->ncheck, rounds,
		                            rounds ? "round of each checkpoint, the same at "
		                            "every point" : "index of a checkpoint: the points "
		                            "differ in their rounds, see /results/checkpoints",
		                            rounds ? "rounds" : NULL, cx);
	if (sc.id[D_CHECK] >= 0 && describe_tables(file, &sc, cx) == SMAB_OK &&
	    describe_results(file, &sc, pl, cx) == SMAB_OK)
		describe_sweep(file, pl->e, cx);
	for (int i = 0; i < NDIM; i++)
		CLOSE(H5Dclose, sc.id[i]);
	return cx->status;
}
