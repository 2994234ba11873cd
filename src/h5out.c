/* h5out.c - the shared result file: parallel HDF5 over MPI-IO.
 *
 * Why the file looks the way it does:
 *  - The whole layout is built by ONE process with the serial driver
 *    (smab_h5_build), under a temporary name that the caller renames into
 *    place once it is complete and on disk.  Every metadata operation thus
 *    happens in one process, where a failure (a full disk) is an ordinary
 *    error: in parallel HDF5 a collective call that fails on one rank only
 *    leaves the others waiting forever.  A visible result file is always a
 *    complete, resumable layout.
 *  - Every dataset is fixed-size, CONTIGUOUS and allocated EARLY with its
 *    fill value written at creation (done = 0, results and seconds = NaN).
 *    The ranks then open the finished file together (smab_h5_open) and a
 *    task write is a pure raw-data write at a fixed offset: no metadata
 *    changes, so ranks write independently (no collective per task) and a
 *    process killed mid-run leaves the consistent metadata of the build.
 *  - A task's results go to disk first, then its CRC-32 in /tasks/checksum,
 *    then its done flag: a done flag of 1 always means the results are in,
 *    and a checksum lets every reader tell whether they are still intact.
 *  - /history has a fixed number of rows, written in place: one per session
 *    (the build, each resume, repair or merge), with the build, host and
 *    SLURM job that ran it.
 *  - The library's default (earliest) format bounds are kept on purpose:
 *    newer superblocks carry a "file open for writing" flag that refuses to
 *    reopen a file whose writer was killed (tests/unit/test_h5out.c checks a
 *    fork/_exit writer).  The earliest format caps an attribute at 64 KiB,
 *    so a longer provenance string is stored as a scalar dataset of the same
 *    name instead.
 *  - The file is self-describing: the root attributes 'mechanisms' and
 *    'metrics' (comma lists) name the /results groups, so summarize and
 *    report need neither the plan nor the suite registry.
 *
 * This and par.c are the only files that call MPI.  Every HDF5 call is
 * checked; a failure becomes one message naming the object and the source
 * line, with HDF5's innermost reason appended, and HDF5's own error printing
 * is silenced for the duration of each public call. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smab/h5out.h"
#include "smab/outfile.h"
#include "smab/shapley.h"
#include "h5util.h"
#include "history.h"

/* Attributes longer than this become datasets (earliest format: 64 KiB). */
#define ATTR_MAX 60000

/* ---- attributes -------------------------------------------------------- */

/* A string attribute (h5u_put_str); too long for an attribute: a scalar
 * dataset of a fixed-length string. */
static int put_str(hid_t loc, const char *name, const char *s, h5ctx *cx)
{
	hid_t t = -1, sp = -1, d = -1;
	size_t len = strlen(s) + 1;
	if (len <= ATTR_MAX)
		return h5u_put_str(loc, name, s, cx);
	H5OK(t = H5Tcopy(H5T_C_S1), "cannot make a string type for '%s'", name);
	H5OK(H5Tset_size(t, len), "cannot size the string '%s'", name);
	H5OK(H5Tset_strpad(t, H5T_STR_NULLTERM), "cannot pad the string '%s'", name);
	H5OK(sp = H5Screate(H5S_SCALAR), "cannot make a dataspace for '%s'", name);
	hid_t dcpl = h5u_make_dcpl(t, NULL, name, cx);
	if (dcpl < 0)
		goto out;
	d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
	H5Pclose(dcpl);
	H5OK(d, "cannot create dataset /%s", name);
	H5OK(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, s), "cannot write /%s", name);
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	return cx->status;
}

static int put_num(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                   const void *v, h5ctx *cx)
{
	hid_t sp = -1, a = -1;
	H5OK(sp = H5Screate(H5S_SCALAR), "cannot make a dataspace for '%s'", name);
	H5OK(a = H5Acreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT),
	     "cannot create attribute '%s'", name);
	H5OK(H5Awrite(a, mtype, v), "cannot write attribute '%s'", name);
out:
	CLOSE(H5Aclose, a);
	CLOSE(H5Sclose, sp);
	return cx->status;
}

/* A coalition suite's agents and, for a sampled coalition axis, the agent
 * orders it was drawn from: what 'smab shapley' needs besides /results. */
static int put_agents(hid_t f, const smab_experiment *e, h5ctx *cx)
{
	char *names = NULL;
	int M = e->suite->agents(e->base, &names);
	if (M < 1 || !names) {
		h5u_fail_user(cx, SMAB_EINVAL, "cannot name the agents: %s",
		              names ? names : "unknown instance");
		free(names);
		return cx->status;
	}
	if (put_str(f, "agents", names, cx) == SMAB_OK && e->coal_nperm) {
		size_t n = (size_t)e->coal_nperm * (size_t)M;
		int *perm = smab_xmalloc(n * sizeof *perm);
		int64_t *p64 = smab_xmalloc(n * sizeof *p64);
		smab_coal_perms(e->seed, M, e->coal_nperm, perm);
		for (size_t i = 0; i < n; i++)
			p64[i] = perm[i];
		h5u_put_i64s(f, "coalition_perms", p64, (hsize_t)n, cx);
		free(perm);
		free(p64);
	}
	free(names);
	return cx->status;
}

/* ---- /points ----------------------------------------------------------- */

/* The swept parameters, in axis order (zip groups: each member). */
static int swept(const smab_experiment *e, int *idx)
{
	int n = 0;
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++) {
			if (idx)
				idx[n] = e->axes[a].param[k];
			n++;
		}
	return n;
}

/* The /points row type (the same in memory and in the file, packed): "id"
 * int64, then each swept parameter with its own type: INT as int64, REAL as
 * double, BOOL as HDF5's FALSE/TRUE enum (h5py reads it as bool), ENUM and
 * VEC as fixed strings (the choice's name, the list as in YAML); last
 * "label", "name=value,..." as a fixed string. */
typedef struct points_type {
	hid_t t;
	size_t size;
	int ncol;
	int *param;        /* [ncol] */
	size_t *off;       /* [ncol + 1]: the label's last */
	size_t *strlen;    /* [ncol + 1] string size of ENUM/VEC columns and the label, else 0 */
} points_type;

static void points_type_free(points_type *pt)
{
	CLOSE(H5Tclose, pt->t);
	free(pt->param);
	free(pt->off);
	free(pt->strlen);
	memset(pt, 0, sizeof *pt);
	pt->t = -1;
}

/* Point p's label: "name=value" of each swept parameter, joined by ','. */
static char *point_label(const smab_plan *pl, const points_type *pt, int64_t p)
{
	const smab_suite *s = pl->e->suite;
	size_t len = 1, at = 0;
	char **v = smab_xcalloc((size_t)pt->ncol + 1, sizeof *v);
	for (int i = 0; i < pt->ncol; i++) {
		v[i] = smab_value_str(&s->params[pt->param[i]],
		                      &pl->vals[p * s->nparams + pt->param[i]], 0);
		len += strlen(s->params[pt->param[i]].name) + strlen(v[i]) + 2;
	}
	char *l = smab_xmalloc(len);
	l[0] = '\0';
	for (int i = 0; i < pt->ncol; i++) {
		at += (size_t)snprintf(l + at, len - at, "%s%s=%s", i ? "," : "",
		                       s->params[pt->param[i]].name, v[i]);
		free(v[i]);
	}
	free(v);
	return l;
}

static int points_type_make(const smab_plan *pl, points_type *pt, h5ctx *cx)
{
	const smab_experiment *e = pl->e;
	const smab_suite *s = e->suite;
	memset(pt, 0, sizeof *pt);
	pt->t = -1;
	hid_t sub = -1;
	pt->ncol = swept(e, NULL);
	pt->param = smab_xcalloc((size_t)pt->ncol + 1, sizeof *pt->param);
	pt->off = smab_xcalloc((size_t)pt->ncol + 1, sizeof *pt->off);
	pt->strlen = smab_xcalloc((size_t)pt->ncol + 1, sizeof *pt->strlen);
	swept(e, pt->param);
	size_t size = 8, label = 1;
	for (int i = 0; i < pt->ncol; i++) {
		const smab_param_decl *d = &s->params[pt->param[i]];
		pt->off[i] = size;
		if (d->type == SMAB_P_ENUM || d->type == SMAB_P_VEC)
			pt->strlen[i] = h5u_param_strlen(d, pl->vals + pt->param[i],
			                                 (size_t)pl->npoints, (size_t)s->nparams);
		size += h5u_param_size(d, pt->strlen[i]);
	}
	for (int64_t p = 0; p < pl->npoints; p++) {
		char *l = point_label(pl, pt, p);
		if (strlen(l) + 1 > label)
			label = strlen(l) + 1;
		free(l);
	}
	pt->off[pt->ncol] = size;
	pt->strlen[pt->ncol] = label;
	pt->size = size + label;
	H5OK(pt->t = H5Tcreate(H5T_COMPOUND, pt->size), "cannot make the /points type");
	H5OK(H5Tinsert(pt->t, "id", 0, H5T_NATIVE_INT64), "cannot make the /points type");
	for (int i = 0; i < pt->ncol; i++) {
		const smab_param_decl *d = &s->params[pt->param[i]];
		H5OK(sub = h5u_param_type(d, pt->strlen[i], cx), "cannot make the /points type");
		H5OK(H5Tinsert(pt->t, d->name, pt->off[i], sub),
		     "cannot add column '%s' to the /points type", d->name);
		CLOSE(H5Tclose, sub);
	}
	H5OK(sub = H5Tcopy(H5T_C_S1), "cannot make the label type");
	H5OK(H5Tset_size(sub, label), "cannot size the label type");
	H5OK(H5Tinsert(pt->t, "label", size, sub), "cannot add the label to the /points type");
	CLOSE(H5Tclose, sub);
	return SMAB_OK;
out:
	CLOSE(H5Tclose, sub);
	return cx->status;
}

static unsigned char *points_rows(const smab_plan *pl, const points_type *pt)
{
	const smab_suite *s = pl->e->suite;
	unsigned char *buf = smab_xcalloc((size_t)pl->npoints + 1, pt->size);
	for (int64_t p = 0; p < pl->npoints; p++) {
		unsigned char *row = buf + (size_t)p * pt->size;
		memcpy(row, &p, sizeof p);
		for (int i = 0; i < pt->ncol; i++) {
			h5u_param_encode(&s->params[pt->param[i]],
			                 &pl->vals[p * s->nparams + pt->param[i]], row + pt->off[i]);
		}
		char *l = point_label(pl, pt, p);
		memcpy(row + pt->off[pt->ncol], l, strlen(l));
		free(l);
	}
	return buf;
}

/* ---- the open file ----------------------------------------------------- */

struct smab_h5 {
	char *path;
	hid_t file, dxpl;
	hid_t done, seconds, checksum, history, points, checkpoints;
	const smab_plan *pl;
	hid_t *scal, *curv;     /* [nmech*nmetrics]; curv is -1 without a curve */
	hid_t fs2, fs3;         /* file dataspaces [P,R] and [P,R,C] */
	int64_t npoints;
	int reps, ncheck, nmech, nmetrics;
	double *buf;
	size_t bufcap;
	unsigned char *ones;
	uint32_t *crc;
	size_t onescap;
	double *nans;           /* [ncheck]: the curve a task did not pass */
	int slot;               /* this session's /history row, -1 if none */
	h5u_session row;
	char *hosts;            /* the ranks' host names (smab_prov), or NULL */
	MPI_Comm comm;          /* the ranks that opened it, or MPI_COMM_NULL */
};

static smab_h5 *h5_alloc(const char *path, const smab_plan *pl)
{
	smab_h5 *h = smab_xcalloc(1, sizeof *h);
	h->path = smab_xstrdup(path);
	h->file = h->dxpl = h->done = h->seconds = h->checksum = h->history = -1;
	h->points = h->checkpoints = -1;
	h->pl = pl;
	h->fs2 = h->fs3 = -1;
	h->slot = -1;
	h->comm = MPI_COMM_NULL;
	h->npoints = pl->npoints;
	h->reps = pl->reps;
	h->ncheck = pl->ncheck;
	h->nmech = pl->nmech;
	h->nmetrics = pl->nmetrics;
	size_t nm = (size_t)pl->nmech * (size_t)pl->nmetrics;
	h->scal = smab_xmalloc((nm + 1) * sizeof *h->scal);
	h->curv = smab_xmalloc((nm + 1) * sizeof *h->curv);
	for (size_t i = 0; i < nm; i++)
		h->scal[i] = h->curv[i] = -1;
	h->nans = smab_xmalloc(((size_t)pl->ncheck + 1) * sizeof *h->nans);
	for (int c = 0; c <= pl->ncheck; c++)
		h->nans[c] = NAN;
	return h;
}

/* Close every id and the file (collective when the file is open in
 * parallel); the first failure, or objects left open, is reported through
 * cx. */
static void h5_release(smab_h5 *h, h5ctx *cx)
{
	size_t nm = (size_t)h->nmech * (size_t)h->nmetrics;
	for (size_t i = 0; i < nm; i++) {
		CLOSE(H5Dclose, h->scal[i]);
		CLOSE(H5Dclose, h->curv[i]);
	}
	CLOSE(H5Dclose, h->done);
	CLOSE(H5Dclose, h->seconds);
	CLOSE(H5Dclose, h->checksum);
	CLOSE(H5Dclose, h->history);
	CLOSE(H5Dclose, h->points);
	CLOSE(H5Dclose, h->checkpoints);
	CLOSE(H5Sclose, h->fs2);
	CLOSE(H5Sclose, h->fs3);
	CLOSE(H5Pclose, h->dxpl);
	h5u_close_file(&h->file, h->path, cx);
	free(h->scal);
	free(h->curv);
	free(h->buf);
	free(h->ones);
	free(h->crc);
	free(h->nans);
	free(h->hosts);
	free(h->path);
	free(h);
}

static const char *mech_name(const smab_plan *pl, int k)
{
	return pl->e->suite->mechs[pl->e->mech[k]].name;
}

/* Create (make = 1, serial) or open and check (make = 0) every dataset of
 * the layout, keeping the ones tasks and sessions write. */
static int layout(smab_h5 *h, const smab_plan *pl, int make, h5ctx *cx)
{
	const smab_suite *s = pl->e->suite;
	const char *f = h->path;
	hsize_t d2[2] = {(hsize_t)pl->npoints, (hsize_t)pl->reps};
	hsize_t d3[3] = {(hsize_t)pl->npoints, (hsize_t)pl->reps, (hsize_t)pl->ncheck};
	hsize_t dc[2] = {(hsize_t)pl->npoints, (hsize_t)pl->ncheck};
	hsize_t dp[1] = {(hsize_t)pl->npoints}, dh[1] = {H5U_HISTORY_ROWS};
	const unsigned char zero = 0;
	const uint32_t zero32 = 0;
	const double nanv = NAN;
	const smab_summary sfill = {0, NAN, NAN, NAN, NAN};
	h5u_session hfill;
	h5u_session_blank(&hfill);
	hid_t st = -1, sm = -1, ht = -1, d = -1;
	char path[512];

	H5OK(h->fs2 = H5Screate_simple(2, d2, NULL), "cannot make a dataspace");
	H5OK(h->fs3 = H5Screate_simple(3, d3, NULL), "cannot make a dataspace");
	H5OK(ht = h5u_session_type(), "cannot make the /history type");
	if (make) {
		H5OK(st = h5u_summary_type(1), "cannot make the summary type");
		H5OK(sm = h5u_summary_type(0), "cannot make the summary type");
		if (h5u_ensure_group(h->file, "/tasks", cx) || h5u_ensure_group(h->file, "/results", cx) ||
		    h5u_ensure_group(h->file, "/summary", cx))
			goto out;
		H5OK(h->done = h5u_make_dset(h->file, "/tasks/done", H5T_STD_U8LE, 2, d2,
		                             H5T_NATIVE_UCHAR, &zero, cx), "cannot create /tasks/done");
		H5OK(h->seconds = h5u_make_dset(h->file, "/tasks/seconds", H5T_IEEE_F64LE, 2, d2,
		                                H5T_NATIVE_DOUBLE, &nanv, cx), "cannot create /tasks/seconds");
		H5OK(h->checksum = h5u_make_dset(h->file, "/tasks/checksum", H5T_STD_U32LE, 2, d2,
		                                 H5T_NATIVE_UINT32, &zero32, cx),
		     "cannot create /tasks/checksum");
		H5OK(h->history = h5u_make_dset(h->file, "/history", ht, 1, dh, ht, &hfill, cx),
		     "cannot create /history");
		H5OK(d = h5u_make_dset(h->file, "/results/checkpoints", H5T_STD_I64LE, 2, dc,
		                       H5T_NATIVE_INT64, NULL, cx), "cannot create /results/checkpoints");
		CLOSE(H5Dclose, d);
	} else {
		H5OK(h->done = h5u_open_dset(h->file, f, "/tasks/done", 2, d2,
		                             "points x replications", cx), "cannot open /tasks/done");
		H5OK(h->seconds = h5u_open_dset(h->file, f, "/tasks/seconds", 2, d2,
		                                "points x replications", cx), "cannot open /tasks/seconds");
		H5OK(h->checksum = h5u_open_dset(h->file, f, "/tasks/checksum", 2, d2,
		                                 "points x replications", cx),
		     "cannot open /tasks/checksum");
		H5OK(h->history = h5u_open_dset(h->file, f, "/history", 1, dh, "sessions", cx),
		     "cannot open /history");
		H5OK(h->checkpoints = h5u_open_dset(h->file, f, "/results/checkpoints", 2, dc,
		                                    "points x checkpoints", cx),
		     "cannot open /results/checkpoints");
		H5OK(h->points = h5u_open_dset(h->file, f, "/points", 1, dp, "points", cx),
		     "cannot open /points");
	}
	for (int k = 0; k < pl->nmech; k++) {
		const char *mn = mech_name(pl, k);
		if (make) {
			snprintf(path, sizeof path, "/results/%s", mn);
			if (h5u_ensure_group(h->file, path, cx))
				goto out;
			snprintf(path, sizeof path, "/summary/%s", mn);
			if (h5u_ensure_group(h->file, path, cx))
				goto out;
		}
		for (int m = 0; m < pl->nmetrics; m++) {
			const smab_metric_decl *md = &s->metrics[m];
			size_t km = (size_t)k * (size_t)pl->nmetrics + (size_t)m;
			int curve = md->has_curve && pl->ncheck > 0;
			snprintf(path, sizeof path, "/results/%s/%s", mn, md->name);
			if (make)
				h->scal[km] = h5u_make_dset(h->file, path, H5T_IEEE_F64LE, 2, d2,
				                            H5T_NATIVE_DOUBLE, &nanv, cx);
			else
				h->scal[km] = h5u_open_dset(h->file, f, path, 2, d2,
				                            "points x replications", cx);
			H5OK(h->scal[km], "cannot make %s", path);
			if (curve) {
				snprintf(path, sizeof path, "/results/%s/%s_curve", mn, md->name);
				if (make)
					h->curv[km] = h5u_make_dset(h->file, path, H5T_IEEE_F64LE, 3, d3,
					                            H5T_NATIVE_DOUBLE, &nanv, cx);
				else
					h->curv[km] = h5u_open_dset(h->file, f, path, 3, d3,
					                            "points x replications x checkpoints", cx);
				H5OK(h->curv[km], "cannot make %s", path);
			}
			if (!make)
				continue;
			snprintf(path, sizeof path, "/summary/%s/%s", mn, md->name);
			H5OK(d = h5u_make_dset(h->file, path, st, 1, dp, sm, &sfill, cx),
			     "cannot create %s", path);
			CLOSE(H5Dclose, d);
			if (curve) {
				snprintf(path, sizeof path, "/summary/%s/%s_curve", mn, md->name);
				H5OK(d = h5u_make_dset(h->file, path, st, 2, dc, sm, &sfill, cx),
				     "cannot create %s", path);
				CLOSE(H5Dclose, d);
			}
		}
	}
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Tclose, st);
	CLOSE(H5Tclose, sm);
	CLOSE(H5Tclose, ht);
	return cx->status;
}

static int write_attrs(smab_h5 *h, const smab_plan *pl, const smab_prov *prov,
                       const char *stamp, h5ctx *cx)
{
	const smab_experiment *e = pl->e;
	const smab_suite *s = e->suite;
	hid_t f = h->file;
	char **mech = smab_xcalloc((size_t)pl->nmech + 1, sizeof *mech);
	for (int k = 0; k < pl->nmech; k++)
		mech[k] = (char *)mech_name(pl, k);
	char *mechs = h5u_join_list(mech, pl->nmech, ",");
	free(mech);
	char **met = smab_xcalloc((size_t)s->nmetrics + 1, sizeof *met);
	for (int m = 0; m < s->nmetrics; m++)
		met[m] = (char *)s->metrics[m].name;
	char *mets = h5u_join_list(met, s->nmetrics, ",");
	free(met);
	unsigned maj = 0, min = 0, rel = 0;
	H5get_libversion(&maj, &min, &rel);
	char h5v[48];
	snprintf(h5v, sizeof h5v, "%u.%u.%u", maj, min, rel);
	int64_t reps = pl->reps, np = pl->npoints, ranks = prov->ranks;
	int64_t nck = pl->ncheck, format = H5U_FORMAT;
	uint64_t seed = e->seed;

	struct {
		const char *name, *val;
	} strs[] = {
		{"smab_version", SMAB_VERSION},
		{"git_commit", smab_git_commit},
		{"build_flags", smab_build_flags},
		{"hdf5_version", h5v},
		{"created_utc", stamp},
		{"suite", s->name},
		{"name", e->name ? e->name : ""},
		{"mechanisms", mechs},
		{"metrics", mets},
		{"config_sha256", prov->sha256},
		{"config", prov->canonical},
		{"config_text", e->text},
		{"overrides", e->overrides},
		{"shard", prov->shard},
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (strs[i].val && put_str(f, strs[i].name, strs[i].val, cx))
			goto out;
	if (put_num(f, "format", H5T_STD_I64LE, H5T_NATIVE_INT64, &format, cx) ||
	    put_num(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed, cx) ||
	    put_num(f, "replications", H5T_STD_I64LE, H5T_NATIVE_INT64, &reps, cx) ||
	    put_num(f, "npoints", H5T_STD_I64LE, H5T_NATIVE_INT64, &np, cx) ||
	    put_num(f, "checkpoints", H5T_STD_I64LE, H5T_NATIVE_INT64, &nck, cx) ||
	    put_num(f, "ranks", H5T_STD_I64LE, H5T_NATIVE_INT64, &ranks, cx))
		goto out;
	if (s->agents && put_agents(f, e, cx))
		goto out;
out:
	free(mechs);
	free(mets);
	return cx->status;
}

static int make_points(smab_h5 *h, const smab_plan *pl, h5ctx *cx)
{
	points_type pt;
	hid_t sp = -1, dcpl = -1, d = -1;
	unsigned char *rows = NULL;
	hsize_t dp[1] = {(hsize_t)pl->npoints};
	if (points_type_make(pl, &pt, cx))
		goto out;
	H5OK(sp = H5Screate_simple(1, dp, NULL), "cannot make the dataspace of /points");
	H5OK(dcpl = h5u_make_dcpl(pt.t, NULL, "/points", cx), "cannot make properties for /points");
	H5OK(d = H5Dcreate2(h->file, "/points", pt.t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
	     "cannot create /points in %s", h->path);
	rows = points_rows(pl, &pt);
	H5OK(H5Dwrite(d, pt.t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows),
	     "cannot write /points in %s", h->path);
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Pclose, dcpl);
	CLOSE(H5Sclose, sp);
	points_type_free(&pt);
	free(rows);
	return cx->status;
}

static int write_checkpoints(smab_h5 *h, const smab_plan *pl, h5ctx *cx)
{
	hid_t d = -1;
	if (pl->ncheck == 0 || pl->npoints == 0)
		return SMAB_OK;
	H5OK(d = H5Dopen2(h->file, "/results/checkpoints", H5P_DEFAULT),
	     "cannot open /results/checkpoints");
	H5OK(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, pl->check),
	     "cannot write /results/checkpoints");
out:
	CLOSE(H5Dclose, d);
	return cx->status;
}

/* The checksums of the two tables made from the plan, /points and
 * /results/checkpoints, as root attributes (h5check.c compares them). */
static int put_table_crcs(hid_t f, h5ctx *cx)
{
	static const char *const name[2][2] = {{"/points", "points_crc32"},
	                                       {"/results/checkpoints", "checkpoints_crc32"}};
	for (int i = 0; i < 2; i++) {
		uint32_t crc = 0;
		if (h5u_crc_dset(f, name[i][0], &crc, cx) ||
		    put_num(f, name[i][1], H5T_STD_U32LE, H5T_NATIVE_UINT32, &crc, cx))
			break;
	}
	return cx->status;
}

/* Write h->row at /history row h->slot (dxpl: the transfer properties of
 * the open file). */
static int put_row(smab_h5 *h, hid_t dxpl, h5ctx *cx)
{
	hid_t t = -1, ms = -1, fs = -1;
	hsize_t start = (hsize_t)h->slot, one = 1;
	if (h->slot < 0)
		return cx->status;
	H5OK(t = h5u_session_type(), "cannot make the /history type");
	H5OK(ms = H5Screate_simple(1, &one, NULL), "cannot make a dataspace");
	H5OK(fs = H5Dget_space(h->history), "cannot get the shape of /history");
	H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &one, NULL),
	     "cannot select row %d of /history", h->slot);
	H5OK(H5Dwrite(h->history, t, ms, fs, dxpl, &h->row), "cannot write /history of %s",
	     h->path);
out:
	CLOSE(H5Sclose, fs);
	CLOSE(H5Sclose, ms);
	CLOSE(H5Tclose, t);
	return cx->status;
}

/* Sessions an earlier process left 'running' (killed: no end written)
 * become 'interrupted' before this one begins in row 'slot' (a new file's
 * row 1, written by its build, is this session's own). */
static int close_dead_rows(smab_h5 *h, int slot, h5ctx *cx)
{
	hid_t t = -1;
	h5u_session *rows = smab_xmalloc(H5U_HISTORY_ROWS * sizeof *rows);
	int changed = 0;
	for (int i = 0; i < H5U_HISTORY_ROWS; i++)
		h5u_session_blank(&rows[i]);
	H5OK(t = h5u_session_type(), "cannot make the /history type");
	/* the members an older table lacks keep the blank row's values */
	H5OK(H5Dread(h->history, t, H5S_ALL, H5S_ALL, h->dxpl, rows), "cannot read /history of %s",
	     h->path);
	for (int i = 0; i < H5U_HISTORY_ROWS; i++)
		if (i != slot)
			changed |= h5u_session_close_dead(&rows[i]);
	if (changed)
		H5OK(H5Dwrite(h->history, t, H5S_ALL, H5S_ALL, h->dxpl, rows),
		     "cannot write /history of %s", h->path);
out:
	CLOSE(H5Tclose, t);
	free(rows);
	return cx->status;
}

int smab_h5_build(const char *path, const smab_plan *pl, const smab_prov *prov,
                  char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (h5u_check_plan(path, pl, prov, cx))
		return cx->status;
	h5u_quiet q;
	h5u_quiet_on(&q);
	smab_h5 *h = h5_alloc(path, pl);
	h5u_session row;
	h5u_session_now(&row, "create", 1, prov->ranks, prov->hosts, 0);
	const char *stamp = row.started;
	int made = 0;
	/* No H5Pset_libver_bounds: see the top of this file. */
	hid_t fapl = h5u_fapl_serial();
	h->file = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
	/* the reason first: any HDF5 call (H5Pclose) clears the error stack */
	if (h->file < 0)
		h5u_fail_h5(cx, __FILE__, __LINE__, "cannot create %s", path);
	else
		made = 1;
	if (fapl >= 0)
		H5Pclose(fapl);
	if (cx->status == SMAB_OK && write_attrs(h, pl, prov, stamp, cx) == SMAB_OK &&
	    layout(h, pl, 1, cx) == SMAB_OK && make_points(h, pl, cx) == SMAB_OK &&
	    write_checkpoints(h, pl, cx) == SMAB_OK && put_table_crcs(h->file, cx) == SMAB_OK &&
	    h5u_describe(h->file, pl, cx) == SMAB_OK) {
		h->slot = 0;
		h->row = row;
		put_row(h, H5P_DEFAULT, cx);
	}
	h5_release(h, cx);
	if (cx->status != SMAB_OK && made)
		remove(path);
	h5u_quiet_off(&q);
	return cx->status;
}

static hid_t mpio_fapl(MPI_Comm comm, h5ctx *cx)
{
	hid_t fapl = -1;
	H5OK(fapl = H5Pcreate(H5P_FILE_ACCESS), "cannot make file access properties");
	H5OK(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "cannot select the MPI-IO driver");
	return fapl;
out:
	CLOSE(H5Pclose, fapl);
	return -1;
}

static hid_t indep_dxpl(h5ctx *cx)
{
	hid_t x = -1;
	H5OK(x = H5Pcreate(H5P_DATASET_XFER), "cannot make transfer properties");
	H5OK(H5Pset_dxpl_mpio(x, H5FD_MPIO_INDEPENDENT), "cannot select independent transfers");
	return x;
out:
	CLOSE(H5Pclose, x);
	return -1;
}

/* Every rank learns whether any rank failed; a rank that succeeded while
 * another failed says so. */
static int agree(MPI_Comm comm, h5ctx *cx)
{
	int mine = cx->status, all = mine;
	if (MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS)
		all = SMAB_EIO;
	if (all != SMAB_OK && mine == SMAB_OK)
		h5u_fail_user(cx, all, "another rank failed to open the result file");
	return all;
}

int smab_h5_open(const char *path, const smab_plan *pl, const smab_prov *prov,
                 MPI_Comm comm, smab_h5 **out, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!out) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_open: no place for the result");
		return cx->status;
	}
	*out = NULL;
	if (h5u_check_plan(path, pl, prov, cx))
		return cx->status;
	h5u_quiet q;
	h5u_quiet_on(&q);
	smab_h5 *h = h5_alloc(path, pl);
	hid_t fapl = mpio_fapl(comm, cx);
	if (fapl >= 0) {
		h->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
		if (h->file < 0)
			h5u_fail_h5(cx, __FILE__, __LINE__, "cannot open %s", path);
		H5Pclose(fapl);
	}
	if (cx->status == SMAB_OK && (h->dxpl = indep_dxpl(cx)) >= 0)
		layout(h, pl, 0, cx);
	h->comm = comm;
	h->hosts = prov->hosts ? smab_xstrdup(prov->hosts) : NULL;
	if (agree(comm, cx) != SMAB_OK) {
		h5_release(h, cx);
		h5u_quiet_off(&q);
		return cx->status;
	}
	*out = h;
	h5u_quiet_off(&q);
	return SMAB_OK;
}

/* /points and /results/checkpoints written again from the plan: the same
 * bytes as the build's, so their checksums hold again. */
static int rewrite_tables(smab_h5 *h, h5ctx *cx)
{
	points_type pt;
	unsigned char *rows = NULL;
	if (points_type_make(h->pl, &pt, cx))
		goto out;
	rows = points_rows(h->pl, &pt);
	H5OK(H5Dwrite(h->points, pt.t, H5S_ALL, H5S_ALL, h->dxpl, rows), "cannot write /points "
	     "of %s", h->path);
	if (h->pl->ncheck > 0)
		H5OK(H5Dwrite(h->checkpoints, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, h->dxpl,
		              h->pl->check), "cannot write /results/checkpoints of %s", h->path);
out:
	points_type_free(&pt);
	free(rows);
	return cx->status;
}

int smab_h5_begin(smab_h5 *h, const char *action, const smab_h5_info *info, int ranks,
                  const unsigned char *undo)
{
	h5ctx ctx = {NULL, 0, SMAB_OK}, *cx = &ctx;
	h5u_quiet q;
	h5u_quiet_on(&q);
	/* Tasks to compute again: not done any more, before anything else. */
	size_t T = (size_t)h->npoints * (size_t)h->reps;
	const unsigned char zero = 0;
	hsize_t one[2] = {1, 1}, n1 = 1;
	hid_t ms = -1;
	H5OK(ms = H5Screate_simple(1, &n1, NULL), "cannot make a dataspace");
	if (info->tables_bad && rewrite_tables(h, cx))
		goto out;
	for (size_t t = 0; undo && t < T; t++) {
		if (!undo[t])
			continue;
		hsize_t at[2] = {t / (size_t)h->reps, t % (size_t)h->reps};
		H5OK(H5Sselect_hyperslab(h->fs2, H5S_SELECT_SET, at, NULL, one, NULL),
		     "cannot select a task");
		H5OK(H5Dwrite(h->done, H5T_NATIVE_UCHAR, ms, h->fs2, h->dxpl, &zero),
		     "cannot clear the done flag of point %llu replication %llu in %s",
		     (unsigned long long)at[0], (unsigned long long)at[1], h->path);
	}
	if (close_dead_rows(h, info->slot, cx))
		goto out;
	h->slot = info->slot;
	h5u_session_now(&h->row, action, info->session, ranks, h->hosts, info->ndone);
	put_row(h, h->dxpl, cx);
out:
	CLOSE(H5Sclose, ms);
	h5u_quiet_off(&q);
	return cx->status;
}

int smab_h5_end(smab_h5 *h, int64_t tasks_after, const char *outcome)
{
	h5ctx ctx = {NULL, 0, SMAB_OK}, *cx = &ctx;
	if (h->slot < 0)
		return SMAB_OK;
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_utc_now(h->row.ended, sizeof h->row.ended);
	h->row.tasks_after = tasks_after;
	snprintf(h->row.outcome, sizeof h->row.outcome, "%s", outcome);
	put_row(h, h->dxpl, cx);
	h5u_quiet_off(&q);
	return cx->status;
}

int smab_h5_share_session(smab_h5 *h)
{
	int slot = h->slot;
	if (h->comm == MPI_COMM_NULL ||
	    MPI_Bcast(&slot, 1, MPI_INT, 0, h->comm) != MPI_SUCCESS ||
	    MPI_Bcast(&h->row, (int)sizeof h->row, MPI_BYTE, 0, h->comm) != MPI_SUCCESS)
		return SMAB_EIO;
	h->slot = slot;
	return SMAB_OK;
}

void smab_h5_fail(smab_h5 *h)
{
	h5ctx ctx = {NULL, 0, SMAB_OK};
	if (!h || h->slot < 0)
		return;
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_utc_now(h->row.ended, sizeof h->row.ended);
	snprintf(h->row.outcome, sizeof h->row.outcome, "%s", H5U_FAILED);
	put_row(h, h->dxpl, &ctx);
	h5u_quiet_off(&q);
}

/* ---- the collective conveniences --------------------------------------- */

int smab_h5_create(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, char *err, size_t errlen)
{
	int rank = 0, st = SMAB_OK;
	MPI_Comm_rank(comm, &rank);
	if (out)
		*out = NULL;
	if (rank == 0) {
		char *tmp = smab_out_tmpname(path);
		st = smab_h5_build(tmp, pl, prov, err, errlen);
		if (st == SMAB_OK)
			st = smab_out_publish(tmp, path, 1, err, errlen);
		if (st != SMAB_OK)
			remove(tmp);
		free(tmp);
	}
	MPI_Bcast(&st, 1, MPI_INT, 0, comm);
	if (st != SMAB_OK) {
		if (rank != 0 && err && errlen)
			snprintf(err, errlen, "rank 0 could not create %s", path);
		return st;
	}
	return smab_h5_open(path, pl, prov, comm, out, err, errlen);
}

int smab_h5_resume(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, unsigned char *done,
                   char *err, size_t errlen)
{
	int rank = 0, nranks = 1, st = SMAB_OK;
	MPI_Comm_rank(comm, &rank);
	MPI_Comm_size(comm, &nranks);
	if (out)
		*out = NULL;
	if (!done || !out) {
		if (err && errlen)
			snprintf(err, errlen, "smab_h5_resume: no done[] array or no place for the result");
		return SMAB_EINVAL;
	}
	smab_h5_info info;
	memset(&info, 0, sizeof info);
	if (rank == 0) {
		st = smab_h5_inspect(path, pl, prov, &info, done, NULL, err, errlen);
		if (st == SMAB_OK && info.damage[0]) {
			snprintf(err, errlen, "%s", info.damage);
			st = SMAB_EINVAL;
		}
	}
	MPI_Bcast(&st, 1, MPI_INT, 0, comm);
	if (st != SMAB_OK)
		return st;
	size_t T = (size_t)pl->npoints * (size_t)pl->reps;
	for (size_t at = 0; at < T;) {
		size_t n = T - at > (1u << 30) ? (1u << 30) : T - at;
		MPI_Bcast(done + at, (int)n, MPI_UNSIGNED_CHAR, 0, comm);
		at += n;
	}
	st = smab_h5_open(path, pl, prov, comm, out, err, errlen);
	if (st == SMAB_OK && rank == 0 && smab_h5_begin(*out, "resume", &info, nranks, NULL))
		st = SMAB_EIO;
	return st;
}

/* One hyperslab write of 'buf' (all elements of the selection) into d. */
static int put_slab(smab_h5 *h, hid_t d, hid_t fs, int rank, const hsize_t *start,
                    const hsize_t *count, hid_t mtype, const void *buf, h5ctx *cx)
{
	hid_t ms = -1;
	hsize_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= count[i];
	if ((ms = H5Screate_simple(1, &n, NULL)) < 0 ||
	    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
	    H5Dwrite(d, mtype, ms, fs, h->dxpl, buf) < 0) {
		char name[256] = "?";
		if (H5Iget_name(d, name, sizeof name) < 0)
			snprintf(name, sizeof name, "a dataset");
		h5u_fail_h5(cx, __FILE__, __LINE__, "cannot write %s of %s (point %llu, "
		            "replications %llu..%llu)", name, h->path, (unsigned long long)start[0],
		            (unsigned long long)start[1],
		            (unsigned long long)(start[1] + count[1] - 1));
	}
	CLOSE(H5Sclose, ms);
	return cx->status;
}

int smab_h5_write(smab_h5 *h, int64_t p, int rep0, int n, const double *scalar,
                  const double *curve, const double *seconds)
{
	h5ctx ctx = {NULL, 0, SMAB_OK}, *cx = &ctx;
	if (!h || !scalar || p < 0 || p >= h->npoints || rep0 < 0 || n < 1 ||
	    n > h->reps - rep0) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_write: bad task range (point %lld, "
		              "replications %d..%d)", (long long)p, rep0, rep0 + n - 1);
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	size_t nm = (size_t)h->nmech * (size_t)h->nmetrics;
	size_t C = (size_t)h->ncheck, un = (size_t)n;
	size_t need = un * (C > 1 ? C : 1);
	if (need > h->bufcap) {
		h->buf = smab_xrealloc(h->buf, need * sizeof *h->buf);
		h->bufcap = need;
	}
	if (un > h->onescap) {
		h->ones = smab_xrealloc(h->ones, un);
		memset(h->ones, 1, un);
		h->crc = smab_xrealloc(h->crc, un * sizeof *h->crc);
		h->onescap = un;
	}
	hsize_t s2[2] = {(hsize_t)p, (hsize_t)rep0}, c2[2] = {1, (hsize_t)n};
	hsize_t s3[3] = {(hsize_t)p, (hsize_t)rep0, 0}, c3[3] = {1, (hsize_t)n, (hsize_t)C};
	/* Each task's checksum covers what its rows of /results will hold, in
	 * the order mechanism, metric, value, then curve (h5check.c reads them
	 * back in the same order). */
	for (size_t i = 0; i < un; i++) {
		uint32_t c = 0;
		for (size_t km = 0; km < nm; km++) {
			c = h5u_crc_doubles(c, &scalar[i * nm + km], 1);
			if (h->curv[km] >= 0)
				c = h5u_crc_doubles(c, curve ? curve + (i * nm + km) * C : h->nans, C);
		}
		h->crc[i] = c;
	}
	/* The caller's arrays are task-major; each dataset wants its own
	 * contiguous run, so gather one and write it with a single call. */
	for (size_t km = 0; km < nm; km++) {
		for (size_t i = 0; i < un; i++)
			h->buf[i] = scalar[i * nm + km];
		if (put_slab(h, h->scal[km], h->fs2, 2, s2, c2, H5T_NATIVE_DOUBLE, h->buf, cx))
			goto out;
		if (h->curv[km] < 0 || !curve)
			continue;
		for (size_t i = 0; i < un; i++)
			memcpy(h->buf + i * C, curve + (i * nm + km) * C, C * sizeof *h->buf);
		if (put_slab(h, h->curv[km], h->fs3, 3, s3, c3, H5T_NATIVE_DOUBLE, h->buf, cx))
			goto out;
	}
	if (seconds && put_slab(h, h->seconds, h->fs2, 2, s2, c2, H5T_NATIVE_DOUBLE,
	                        seconds, cx))
		goto out;
	if (put_slab(h, h->checksum, h->fs2, 2, s2, c2, H5T_NATIVE_UINT32, h->crc, cx))
		goto out;
	/* Last: the flags that say the results above are complete. */
	put_slab(h, h->done, h->fs2, 2, s2, c2, H5T_NATIVE_UCHAR, h->ones, cx);
out:
	h5u_quiet_off(&q);
	return cx->status;
}

int smab_h5_close(smab_h5 **hp)
{
	if (!hp || !*hp)
		return SMAB_OK;
	h5ctx ctx = {NULL, 0, SMAB_OK};
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5_release(*hp, &ctx);
	*hp = NULL;
	h5u_quiet_off(&q);
	return ctx.status;
}
