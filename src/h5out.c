/* h5out.c - the shared result file: parallel HDF5 over MPI-IO.
 *
 * Why the file looks the way it does:
 *  - Every dataset is fixed-size, CONTIGUOUS and allocated EARLY with its
 *    fill value written at creation (done = 0, results and seconds = NaN).
 *    After smab_h5_create has flushed, a task write is a pure raw-data write
 *    at a fixed offset: no metadata changes, so ranks write independently
 *    (no collective per task) and a process killed mid-run leaves a file
 *    whose metadata is the flushed, consistent one.
 *  - Results go to disk before the task's done flags, so a done flag of 1
 *    always means the results are in.
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
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hdf5.h>

#include "smab/h5out.h"


/* Attributes longer than this become datasets (earliest format: 64 KiB). */
#define ATTR_MAX 60000
/* Level of every confidence interval in the file. */
#define LEVEL 0.95

/* ---- errors ------------------------------------------------------------ */

typedef struct h5ctx {
	char *err;        /* message buffer, or NULL: print on stderr */
	size_t errlen;
	int status;       /* status of the first failure, SMAB_OK until then */
} h5ctx;

static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
	/* Walking upward, entry 0 is where HDF5 first saw the problem: the most
	 * specific reason (errno text, "file signature not found", ...). */
	if (n == 0 && e->desc)
		snprintf(data, 256, "%s", e->desc);
	return 0;
}

static void vfail(h5ctx *cx, int status, const char *file, int line, int h5,
                  const char *fmt, va_list ap)
{
	char why[256] = "";
	if (h5) {
		H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, why);
		H5Eclear2(H5E_DEFAULT);
	}
	if (cx->status != SMAB_OK)
		return;      /* keep the first, root cause */
	cx->status = status;
	char msg[768];
	vsnprintf(msg, sizeof msg, fmt, ap);
	char where[96] = "";
	if (file) {
		const char *base = strrchr(file, '/');
		snprintf(where, sizeof where, " [%s:%d]", base ? base + 1 : file, line);
	}
	if (cx->err && cx->errlen)
		snprintf(cx->err, cx->errlen, "%s%s%s%s", msg, why[0] ? ": " : "", why,
		         where);
	else
		fprintf(stderr, "smab: %s%s%s%s\n", msg, why[0] ? ": " : "", why, where);
}

/* An HDF5 call failed: record where and why. */
static void fail_h5(h5ctx *cx, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail_h5(h5ctx *cx, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cx, SMAB_EIO, file, line, 1, fmt, ap);
	va_end(ap);
}

/* The user's input is wrong (a mismatching file, an unknown name). */
static void fail_user(h5ctx *cx, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_user(h5ctx *cx, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cx, status, NULL, 0, 0, fmt, ap);
	va_end(ap);
}

/* Check an HDF5 call (negative = failure) in a function that has an h5ctx
 * 'cx' and an 'out' label where it releases what it holds. */
#define H5OK(expr, ...) \
	do { \
		if ((expr) < 0) { \
			fail_h5(cx, __FILE__, __LINE__, __VA_ARGS__); \
			goto out; \
		} \
	} while (0)

/* Non-HDF5 failure with file:line (bad shape, internal inconsistency). */
#define FAIL(status, ...) \
	do { \
		vfail_at(cx, (status), __FILE__, __LINE__, __VA_ARGS__); \
		goto out; \
	} while (0)

static void vfail_at(h5ctx *cx, int status, const char *file, int line,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void vfail_at(h5ctx *cx, int status, const char *file, int line,
                     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cx, status, file, line, 0, fmt, ap);
	va_end(ap);
}

/* HDF5 prints its error stack by default; inside our calls we report
 * through 'err' instead, and put the caller's handler back on the way out. */
typedef struct quiet {
	H5E_auto2_t fn;
	void *data;
} quiet;

static void quiet_on(quiet *q)
{
	q->fn = NULL;
	q->data = NULL;
	H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_off(const quiet *q)
{
	H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

#define CLOSE(fn, id) \
	do { \
		if ((id) >= 0) \
			fn(id); \
		(id) = -1; \
	} while (0)

/* ---- small helpers ----------------------------------------------------- */

/* Shortest of %.15g / %.17g that reads back as x. */
static void fmt_num(char *buf, size_t len, double x)
{
	snprintf(buf, len, "%.15g", x);
	if (strtod(buf, NULL) != x)
		snprintf(buf, len, "%.17g", x);
}

/* Split a comma list into a NULL-terminated array of fresh strings. */
static char **split_list(const char *s, int *n)
{
	int cnt = 1;
	for (const char *p = s; *p; p++)
		cnt += *p == ',';
	if (!*s)
		cnt = 0;
	char **v = smab_xcalloc((size_t)cnt + 1, sizeof *v);
	const char *p = s;
	for (int i = 0; i < cnt; i++) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		v[i] = smab_xmalloc(len + 1);
		memcpy(v[i], p, len);
		v[i][len] = '\0';
		p = q ? q + 1 : p + len;
	}
	*n = cnt;
	return v;
}

static void free_list(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static char *join_list(char *const *v, int n, const char *sep)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(v[i]) + strlen(sep);
	char *s = smab_xmalloc(len);
	s[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(s, sep);
		strcat(s, v[i]);
	}
	return s;
}

static int list_find(char *const *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return i;
	return -1;
}

/* Dataset creation properties shared by every dataset: contiguous, all
 * space allocated (and filled) at creation, so later writes touch no
 * metadata. */
static hid_t make_dcpl(hid_t filltype, const void *fill, const char *what,
                       h5ctx *cx)
{
	hid_t dcpl = -1;
	H5OK(dcpl = H5Pcreate(H5P_DATASET_CREATE), "cannot make properties for %s", what);
	H5OK(H5Pset_layout(dcpl, H5D_CONTIGUOUS), "cannot set the layout of %s", what);
	H5OK(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY),
	     "cannot set the allocation time of %s", what);
	if (fill) {
		H5OK(H5Pset_fill_value(dcpl, filltype, fill), "cannot set the fill value of %s", what);
		H5OK(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), "cannot set the fill time of %s", what);
	}
	return dcpl;
out:
	CLOSE(H5Pclose, dcpl);
	return -1;
}

/* Create dataset 'path' of type 'ftype' and shape dims[rank]. */
static hid_t make_dset(hid_t file, const char *path, hid_t ftype, int rank,
                       const hsize_t *dims, hid_t filltype, const void *fill,
                       h5ctx *cx)
{
	hid_t sp = -1, dcpl = -1, d = -1;
	H5OK(sp = H5Screate_simple(rank, dims, NULL), "cannot make the dataspace of %s", path);
	H5OK(dcpl = make_dcpl(filltype, fill, path, cx), "cannot make properties for %s", path);
	H5OK(d = H5Dcreate2(file, path, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
	     "cannot create dataset %s", path);
out:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Pclose, dcpl);
	return d;
}

/* Open dataset 'path' and check that its shape is dims[rank]; 'what' names
 * the dimensions for the message ("points x replications"). */
static hid_t open_dset(hid_t file, const char *fname, const char *path, int rank,
                       const hsize_t *dims, const char *what, h5ctx *cx)
{
	hid_t d = -1, sp = -1;
	hsize_t got[3] = {0, 0, 0};
	htri_t ex = H5Lexists(file, path, H5P_DEFAULT);
	if (ex <= 0) {
		H5Eclear2(H5E_DEFAULT);
		fail_user(cx, SMAB_EINVAL, "%s has no dataset %s: not a smab result file of "
		          "this experiment", fname, path);
		return -1;
	}
	H5OK(d = H5Dopen2(file, path, H5P_DEFAULT), "cannot open %s in %s", path, fname);
	H5OK(sp = H5Dget_space(d), "cannot get the shape of %s in %s", path, fname);
	int r = H5Sget_simple_extent_ndims(sp);
	if (r == rank && r <= 3)
		H5OK(H5Sget_simple_extent_dims(sp, got, NULL), "cannot get the shape of %s", path);
	int same = r == rank;
	for (int i = 0; same && i < rank; i++)
		same = got[i] == dims[i];
	if (!same) {
		char a[96] = "", b[96] = "";
		for (int i = 0; i < rank; i++) {
			size_t la = strlen(a), lb = strlen(b);
			snprintf(a + la, sizeof a - la, "%s%llu", i ? " x " : "",
			         (unsigned long long)dims[i]);
			if (r == rank)
				snprintf(b + lb, sizeof b - lb, "%s%llu", i ? " x " : "",
				         (unsigned long long)got[i]);
		}
		if (r != rank)
			snprintf(b, sizeof b, "of rank %d", r);
		fail_user(cx, SMAB_EINVAL, "%s does not match this experiment: %s is %s, "
		          "expected %s (%s)", fname, path, b, a, what);
		goto out;
	}
	CLOSE(H5Sclose, sp);
	return d;
out:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Dclose, d);
	return -1;
}

static int ensure_group(hid_t file, const char *path, h5ctx *cx)
{
	hid_t g = -1;
	htri_t ex = H5Lexists(file, path, H5P_DEFAULT);
	if (ex > 0)
		return SMAB_OK;
	H5Eclear2(H5E_DEFAULT);
	H5OK(g = H5Gcreate2(file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
	     "cannot create group %s", path);
out:
	CLOSE(H5Gclose, g);
	return cx->status;
}

/* ---- attributes -------------------------------------------------------- */

/* A fixed-length, NUL-terminated string attribute (h5py reads it as bytes,
 * h5dump prints it); too long for an attribute: a scalar dataset, written
 * by rank 0 alone -- a failure of that write goes to 'late', so rank 0 does
 * not skip the collective calls that follow. */
static int put_str(hid_t loc, const char *name, const char *s, int rank,
                   hid_t dxpl, h5ctx *late, h5ctx *cx)
{
	hid_t t = -1, sp = -1, a = -1, d = -1;
	size_t len = strlen(s) + 1;
	H5OK(t = H5Tcopy(H5T_C_S1), "cannot make a string type for '%s'", name);
	H5OK(H5Tset_size(t, len), "cannot size the string '%s'", name);
	H5OK(H5Tset_strpad(t, H5T_STR_NULLTERM), "cannot pad the string '%s'", name);
	H5OK(sp = H5Screate(H5S_SCALAR), "cannot make a dataspace for '%s'", name);
	if (len <= ATTR_MAX) {
		H5OK(a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT),
		     "cannot create attribute '%s'", name);
		H5OK(H5Awrite(a, t, s), "cannot write attribute '%s'", name);
	} else {
		hid_t dcpl = make_dcpl(t, NULL, name, cx);
		if (dcpl < 0)
			goto out;
		d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
		H5Pclose(dcpl);
		H5OK(d, "cannot create dataset /%s", name);
		if (rank == 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, dxpl, s) < 0)
			fail_h5(late, __FILE__, __LINE__, "cannot write /%s", name);
	}
out:
	CLOSE(H5Aclose, a);
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

/* Read string attribute 'name' of the root into a fresh string; *s = NULL
 * if it does not exist (not an error: the caller decides). */
static int get_str(hid_t file, const char *fname, const char *name, char **s,
                   h5ctx *cx)
{
	hid_t a = -1, t = -1, mt = -1;
	*s = NULL;
	htri_t ex = H5Aexists(file, name);
	if (ex <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return SMAB_OK;
	}
	H5OK(a = H5Aopen(file, name, H5P_DEFAULT), "cannot open attribute '%s' of %s", name, fname);
	H5OK(t = H5Aget_type(a), "cannot get the type of attribute '%s' of %s", name, fname);
	if (H5Tget_class(t) != H5T_STRING) {
		fail_user(cx, SMAB_EINVAL, "attribute '%s' of %s is not a string: not a "
		          "smab result file", name, fname);
		goto out;
	}
	if (H5Tis_variable_str(t) > 0) {
		char *v = NULL;
		H5OK(mt = H5Tcopy(H5T_C_S1), "cannot make a string type");
		H5OK(H5Tset_size(mt, H5T_VARIABLE), "cannot make a string type");
		H5OK(H5Aread(a, mt, &v), "cannot read attribute '%s' of %s", name, fname);
		*s = smab_xstrdup(v ? v : "");
		H5free_memory(v);
	} else {
		size_t len = H5Tget_size(t);
		H5OK(mt = H5Tcopy(H5T_C_S1), "cannot make a string type");
		H5OK(H5Tset_size(mt, len + 1), "cannot make a string type");
		H5OK(H5Tset_strpad(mt, H5T_STR_NULLTERM), "cannot make a string type");
		char *v = smab_xcalloc(len + 1, 1);
		if (H5Aread(a, mt, v) < 0) {
			free(v);
			H5OK(-1, "cannot read attribute '%s' of %s", name, fname);
		}
		*s = v;
	}
out:
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, t);
	CLOSE(H5Aclose, a);
	return cx->status;
}

/* ---- compound types ---------------------------------------------------- */

/* The summary row in memory (smab_summary) and in the file (packed,
 * little-endian, the same field names). */
static hid_t summary_type(int file)
{
	hid_t t = H5Tcreate(H5T_COMPOUND, file ? 40 : sizeof(smab_summary));
	if (t < 0)
		return -1;
	hid_t i64 = file ? H5T_STD_I64LE : H5T_NATIVE_INT64;
	hid_t f64 = file ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE;
	herr_t rc = 0;
	rc |= H5Tinsert(t, "n", file ? 0 : HOFFSET(smab_summary, n), i64);
	rc |= H5Tinsert(t, "mean", file ? 8 : HOFFSET(smab_summary, mean), f64);
	rc |= H5Tinsert(t, "sd", file ? 16 : HOFFSET(smab_summary, sd), f64);
	rc |= H5Tinsert(t, "ci_lo", file ? 24 : HOFFSET(smab_summary, ci_lo), f64);
	rc |= H5Tinsert(t, "ci_hi", file ? 32 : HOFFSET(smab_summary, ci_hi), f64);
	if (rc < 0) {
		H5Tclose(t);
		return -1;
	}
	return t;
}

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

/* A vector value as "[0.9, 0.8]". */
static char *vec_str(const smab_value *v)
{
	size_t cap = 3 + (size_t)(v->n > 0 ? v->n : 0) * 26;
	char *s = smab_xmalloc(cap);
	size_t len = 0;
	s[len++] = '[';
	for (int i = 0; i < v->n; i++) {
		char b[32];
		fmt_num(b, sizeof b, v->v[i]);
		len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? ", " : "", b);
	}
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

/* The /points row type (the same in memory and in the file, packed): "id"
 * int64, then each swept parameter: INT/REAL/BOOL as double, ENUM as an
 * HDF5 enum over int named by its choices, VEC as a fixed string. */
typedef struct points_type {
	hid_t t;
	size_t size;
	int ncol;
	int *param;        /* [ncol] */
	size_t *off;       /* [ncol] */
	size_t *strlen;    /* [ncol] string size of VEC columns, else 0 */
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
	size_t size = 8;
	for (int i = 0; i < pt->ncol; i++) {
		const smab_param_decl *d = &s->params[pt->param[i]];
		pt->off[i] = size;
		if (d->type == SMAB_P_ENUM) {
			size += sizeof(int);
		} else if (d->type == SMAB_P_VEC) {
			size_t m = 1;
			for (int64_t p = 0; p < pl->npoints; p++) {
				char *v = vec_str(&pl->vals[p * s->nparams + pt->param[i]]);
				size_t l = strlen(v) + 1;
				free(v);
				if (l > m)
					m = l;
			}
			pt->strlen[i] = m;
			size += m;
		} else {
			size += sizeof(double);
		}
	}
	pt->size = size;
	H5OK(pt->t = H5Tcreate(H5T_COMPOUND, size), "cannot make the /points type");
	H5OK(H5Tinsert(pt->t, "id", 0, H5T_NATIVE_INT64), "cannot make the /points type");
	for (int i = 0; i < pt->ncol; i++) {
		const smab_param_decl *d = &s->params[pt->param[i]];
		if (d->type == SMAB_P_ENUM) {
			H5OK(sub = H5Tenum_create(H5T_NATIVE_INT), "cannot make the enum type of %s", d->name);
			for (int c = 0;; c++) {
				char name[128];
				smab_param_choice_name(d, c, name, sizeof name);
				if (!name[0])
					break;
				H5OK(H5Tenum_insert(sub, name, &c), "cannot add '%s' to the enum type of %s",
				     name, d->name);
			}
		} else if (d->type == SMAB_P_VEC) {
			H5OK(sub = H5Tcopy(H5T_C_S1), "cannot make the string type of %s", d->name);
			H5OK(H5Tset_size(sub, pt->strlen[i]), "cannot size the string type of %s", d->name);
		} else {
			H5OK(sub = H5Tcopy(H5T_NATIVE_DOUBLE), "cannot copy a type");
		}
		H5OK(H5Tinsert(pt->t, d->name, pt->off[i], sub),
		     "cannot add column '%s' to the /points type", d->name);
		CLOSE(H5Tclose, sub);
	}
	return SMAB_OK;
out:
	CLOSE(H5Tclose, sub);
	return cx->status;
}

static unsigned char *points_rows(const smab_plan *pl, const points_type *pt)
{
	const smab_suite *s = pl->e->suite;
	unsigned char *buf = smab_xcalloc((size_t)pl->npoints, pt->size);
	for (int64_t p = 0; p < pl->npoints; p++) {
		unsigned char *row = buf + (size_t)p * pt->size;
		memcpy(row, &p, sizeof p);
		for (int i = 0; i < pt->ncol; i++) {
			const smab_value *v = &pl->vals[p * s->nparams + pt->param[i]];
			smab_ptype ty = s->params[pt->param[i]].type;
			if (ty == SMAB_P_ENUM) {
				int x = (int)v->x;
				memcpy(row + pt->off[i], &x, sizeof x);
			} else if (ty == SMAB_P_VEC) {
				char *str = vec_str(v);
				memcpy(row + pt->off[i], str, strlen(str));
				free(str);
			} else {
				memcpy(row + pt->off[i], &v->x, sizeof v->x);
			}
		}
	}
	return buf;
}

/* ---- the open file ----------------------------------------------------- */

struct smab_h5 {
	char *path;
	hid_t file, dxpl;
	hid_t done, seconds;
	hid_t *scal, *curv;     /* [nmech*nmetrics]; curv is -1 without a curve */
	hid_t fs2, fs3;         /* file dataspaces [P,R] and [P,R,C] */
	int64_t npoints;
	int reps, ncheck, nmech, nmetrics;
	double *buf;
	size_t bufcap;
	unsigned char *ones;
	size_t onescap;
};

static smab_h5 *h5_alloc(const char *path, const smab_plan *pl)
{
	smab_h5 *h = smab_xcalloc(1, sizeof *h);
	h->path = smab_xstrdup(path);
	h->file = h->dxpl = h->done = h->seconds = h->fs2 = h->fs3 = -1;
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
	return h;
}

/* Close every id and the file (collective when the file is open); the
 * first failure, or objects left open, is reported through cx. */
/* Close a file, reporting any object a code path forgot to close first. */
static void close_file(hid_t *file, const char *path, h5ctx *cx)
{
	if (*file < 0)
		return;
	ssize_t n = H5Fget_obj_count(*file, H5F_OBJ_ALL | H5F_OBJ_LOCAL);
	if (n > 1)
		vfail_at(cx, SMAB_EINTERNAL, __FILE__, __LINE__,
		         "%zd HDF5 object(s) of %s left open at close", n - 1, path);
	if (H5Fclose(*file) < 0)
		fail_h5(cx, __FILE__, __LINE__, "cannot close %s", path);
	*file = -1;
}

static void h5_release(smab_h5 *h, h5ctx *cx)
{
	size_t nm = (size_t)h->nmech * (size_t)h->nmetrics;
	for (size_t i = 0; i < nm; i++) {
		CLOSE(H5Dclose, h->scal[i]);
		CLOSE(H5Dclose, h->curv[i]);
	}
	CLOSE(H5Dclose, h->done);
	CLOSE(H5Dclose, h->seconds);
	CLOSE(H5Sclose, h->fs2);
	CLOSE(H5Sclose, h->fs3);
	CLOSE(H5Pclose, h->dxpl);
	close_file(&h->file, h->path, cx);
	free(h->scal);
	free(h->curv);
	free(h->buf);
	free(h->ones);
	free(h->path);
	free(h);
}

static const char *mech_name(const smab_plan *pl, int k)
{
	return pl->e->suite->mechs[pl->e->mech[k]].name;
}

/* Create (make = 1) or open and check (make = 0) every dataset of the
 * layout, keeping the ones tasks write. */
static int layout(smab_h5 *h, const smab_plan *pl, int make, h5ctx *cx)
{
	const smab_suite *s = pl->e->suite;
	const char *f = h->path;
	hsize_t d2[2] = {(hsize_t)pl->npoints, (hsize_t)pl->reps};
	hsize_t d3[3] = {(hsize_t)pl->npoints, (hsize_t)pl->reps, (hsize_t)pl->ncheck};
	hsize_t dc[2] = {(hsize_t)pl->npoints, (hsize_t)pl->ncheck};
	hsize_t dp[1] = {(hsize_t)pl->npoints};
	const unsigned char zero = 0;
	const double nanv = NAN;
	const smab_summary sfill = {0, NAN, NAN, NAN, NAN};
	hid_t st = -1, sm = -1, d = -1;
	char path[512];

	H5OK(h->fs2 = H5Screate_simple(2, d2, NULL), "cannot make a dataspace");
	H5OK(h->fs3 = H5Screate_simple(3, d3, NULL), "cannot make a dataspace");
	if (make) {
		H5OK(st = summary_type(1), "cannot make the summary type");
		H5OK(sm = summary_type(0), "cannot make the summary type");
		if (ensure_group(h->file, "/tasks", cx) || ensure_group(h->file, "/results", cx) ||
		    ensure_group(h->file, "/summary", cx))
			goto out;
		H5OK(h->done = make_dset(h->file, "/tasks/done", H5T_STD_U8LE, 2, d2,
		                         H5T_NATIVE_UCHAR, &zero, cx), "cannot create /tasks/done");
		H5OK(h->seconds = make_dset(h->file, "/tasks/seconds", H5T_IEEE_F64LE, 2, d2,
		                            H5T_NATIVE_DOUBLE, &nanv, cx), "cannot create /tasks/seconds");
		H5OK(d = make_dset(h->file, "/results/checkpoints", H5T_STD_I64LE, 2, dc,
		                   H5T_NATIVE_INT64, NULL, cx), "cannot create /results/checkpoints");
		CLOSE(H5Dclose, d);
	} else {
		H5OK(h->done = open_dset(h->file, f, "/tasks/done", 2, d2,
		                         "points x replications", cx), "cannot open /tasks/done");
		H5OK(h->seconds = open_dset(h->file, f, "/tasks/seconds", 2, d2,
		                            "points x replications", cx), "cannot open /tasks/seconds");
		H5OK(d = open_dset(h->file, f, "/results/checkpoints", 2, dc,
		                   "points x checkpoints", cx), "cannot open /results/checkpoints");
		CLOSE(H5Dclose, d);
	}
	for (int k = 0; k < pl->nmech; k++) {
		const char *mn = mech_name(pl, k);
		if (make) {
			snprintf(path, sizeof path, "/results/%s", mn);
			if (ensure_group(h->file, path, cx))
				goto out;
			snprintf(path, sizeof path, "/summary/%s", mn);
			if (ensure_group(h->file, path, cx))
				goto out;
		}
		for (int m = 0; m < pl->nmetrics; m++) {
			const smab_metric_decl *md = &s->metrics[m];
			size_t km = (size_t)k * (size_t)pl->nmetrics + (size_t)m;
			int curve = md->has_curve && pl->ncheck > 0;
			snprintf(path, sizeof path, "/results/%s/%s", mn, md->name);
			if (make)
				h->scal[km] = make_dset(h->file, path, H5T_IEEE_F64LE, 2, d2,
				                        H5T_NATIVE_DOUBLE, &nanv, cx);
			else
				h->scal[km] = open_dset(h->file, f, path, 2, d2,
				                        "points x replications", cx);
			H5OK(h->scal[km], "cannot make %s", path);
			if (curve) {
				snprintf(path, sizeof path, "/results/%s/%s_curve", mn, md->name);
				if (make)
					h->curv[km] = make_dset(h->file, path, H5T_IEEE_F64LE, 3, d3,
					                        H5T_NATIVE_DOUBLE, &nanv, cx);
				else
					h->curv[km] = open_dset(h->file, f, path, 3, d3,
					                        "points x replications x checkpoints", cx);
				H5OK(h->curv[km], "cannot make %s", path);
			}
			if (!make)
				continue;
			snprintf(path, sizeof path, "/summary/%s/%s", mn, md->name);
			H5OK(d = make_dset(h->file, path, st, 1, dp, sm, &sfill, cx),
			     "cannot create %s", path);
			CLOSE(H5Dclose, d);
			if (curve) {
				snprintf(path, sizeof path, "/summary/%s/%s_curve", mn, md->name);
				H5OK(d = make_dset(h->file, path, st, 2, dc, sm, &sfill, cx),
				     "cannot create %s", path);
				CLOSE(H5Dclose, d);
			}
		}
	}
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Tclose, st);
	CLOSE(H5Tclose, sm);
	return cx->status;
}

static int write_attrs(smab_h5 *h, const smab_plan *pl, const smab_prov *prov,
                       const char *stamp, int rank, h5ctx *late, h5ctx *cx)
{
	const smab_experiment *e = pl->e;
	const smab_suite *s = e->suite;
	hid_t f = h->file;
	char **mech = smab_xcalloc((size_t)pl->nmech + 1, sizeof *mech);
	for (int k = 0; k < pl->nmech; k++)
		mech[k] = (char *)mech_name(pl, k);
	char *mechs = join_list(mech, pl->nmech, ",");
	free(mech);
	char **met = smab_xcalloc((size_t)s->nmetrics + 1, sizeof *met);
	for (int m = 0; m < s->nmetrics; m++)
		met[m] = (char *)s->metrics[m].name;
	char *mets = join_list(met, s->nmetrics, ",");
	free(met);
	unsigned maj = 0, min = 0, rel = 0;
	H5get_libversion(&maj, &min, &rel);
	char h5v[48];
	snprintf(h5v, sizeof h5v, "%u.%u.%u", maj, min, rel);
	int64_t reps = pl->reps, np = pl->npoints, ranks = prov->ranks;
	int64_t nck = pl->ncheck;
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
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (strs[i].val && put_str(f, strs[i].name, strs[i].val, rank, h->dxpl, late, cx))
			goto out;
	if (put_num(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed, cx) ||
	    put_num(f, "replications", H5T_STD_I64LE, H5T_NATIVE_INT64, &reps, cx) ||
	    put_num(f, "npoints", H5T_STD_I64LE, H5T_NATIVE_INT64, &np, cx) ||
	    put_num(f, "checkpoints", H5T_STD_I64LE, H5T_NATIVE_INT64, &nck, cx) ||
	    put_num(f, "ranks", H5T_STD_I64LE, H5T_NATIVE_INT64, &ranks, cx))
		goto out;
out:
	free(mechs);
	free(mets);
	return cx->status;
}

/* /points: created collectively, written by rank 0 alone as the last step,
 * so a failure there cannot make rank 0 skip a collective call. */
static int make_points(smab_h5 *h, const smab_plan *pl, int rank, h5ctx *cx)
{
	points_type pt;
	hid_t sp = -1, dcpl = -1, d = -1;
	unsigned char *rows = NULL;
	hsize_t dp[1] = {(hsize_t)pl->npoints};
	if (points_type_make(pl, &pt, cx))
		goto out;
	H5OK(sp = H5Screate_simple(1, dp, NULL), "cannot make the dataspace of /points");
	H5OK(dcpl = make_dcpl(pt.t, NULL, "/points", cx), "cannot make properties for /points");
	H5OK(d = H5Dcreate2(h->file, "/points", pt.t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
	     "cannot create /points in %s", h->path);
	if (rank == 0) {
		rows = points_rows(pl, &pt);
		H5OK(H5Dwrite(d, pt.t, H5S_ALL, H5S_ALL, h->dxpl, rows),
		     "cannot write /points in %s", h->path);
	}
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Pclose, dcpl);
	CLOSE(H5Sclose, sp);
	points_type_free(&pt);
	free(rows);
	return cx->status;
}

/* Rank 0 only, right after creation. */
static int write_checkpoints(smab_h5 *h, const smab_plan *pl, h5ctx *cx)
{
	hid_t d = -1;
	if (pl->ncheck == 0 || pl->npoints == 0)
		return SMAB_OK;
	H5OK(d = H5Dopen2(h->file, "/results/checkpoints", H5P_DEFAULT),
	     "cannot open /results/checkpoints");
	H5OK(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, h->dxpl, pl->check),
	     "cannot write /results/checkpoints");
out:
	CLOSE(H5Dclose, d);
	return cx->status;
}

static int check_args(const char *path, const smab_plan *pl, const smab_prov *prov,
                      smab_h5 **out, h5ctx *cx)
{
	if (!out) {
		fail_user(cx, SMAB_EINVAL, "smab_h5: no place for the result");
		return cx->status;
	}
	*out = NULL;
	if (!path || !pl || !pl->e || !pl->e->suite || !prov || !prov->sha256 ||
	    !prov->canonical)
		fail_user(cx, SMAB_EINVAL, "smab_h5: missing path, plan or provenance");
	else if (pl->npoints < 1 || pl->reps < 1 || pl->nmech < 1 || pl->ncheck < 0 ||
	         pl->nmetrics != pl->e->suite->nmetrics || pl->nmech != pl->e->nmech ||
	         (pl->ncheck > 0 && !pl->check) || !pl->vals)
		fail_user(cx, SMAB_EINVAL, "smab_h5: inconsistent plan for %s "
		          "(%lld points, %d replications, %d mechanisms, %d checkpoints)", path,
		          (long long)pl->npoints, pl->reps, pl->nmech, pl->ncheck);
	return cx->status;
}

static hid_t mpio_fapl(MPI_Comm comm, h5ctx *cx)
{
	hid_t fapl = -1;
	H5OK(fapl = H5Pcreate(H5P_FILE_ACCESS), "cannot make file access properties");
	/* No H5Pset_libver_bounds: see the top of this file. */
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
		fail_user(cx, all, "another rank failed to open the result file");
	return all;
}

int smab_h5_create(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (check_args(path, pl, prov, out, cx))
		return cx->status;
	quiet q;
	quiet_on(&q);
	int rank = 0;
	MPI_Comm_rank(comm, &rank);

	/* One timestamp for all: attribute writes must be identical on every
	 * rank in parallel HDF5. */
	char stamp[32] = "";
	if (rank == 0) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	MPI_Bcast(stamp, (int)sizeof stamp, MPI_CHAR, 0, comm);

	smab_h5 *h = h5_alloc(path, pl);
	h5ctx late = {err, errlen, SMAB_OK};
	hid_t fapl = mpio_fapl(comm, cx);
	if (fapl >= 0) {
		h->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
		if (h->file < 0)
			fail_h5(cx, __FILE__, __LINE__, "cannot create %s", path);
		H5Pclose(fapl);
	}
	if (cx->status == SMAB_OK && (h->dxpl = indep_dxpl(cx)) >= 0 &&
	    write_attrs(h, pl, prov, stamp, rank, &late, cx) == SMAB_OK &&
	    layout(h, pl, 1, cx) == SMAB_OK &&
	    make_points(h, pl, rank, cx) == SMAB_OK && rank == 0)
		write_checkpoints(h, pl, cx);
	/* Every object exists: put the metadata on disk before any task runs. */
	if (h->file >= 0 && H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0)
		fail_h5(cx, __FILE__, __LINE__, "cannot flush %s", path);
	if (cx->status == SMAB_OK && late.status != SMAB_OK)
		ctx = late;
	if (agree(comm, cx) != SMAB_OK) {
		h5_release(h, cx);
		quiet_off(&q);
		return cx->status;
	}
	*out = h;
	quiet_off(&q);
	return SMAB_OK;
}

int smab_h5_resume(const char *path, const smab_plan *pl, const smab_prov *prov,
                   MPI_Comm comm, smab_h5 **out, unsigned char *done,
                   char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (check_args(path, pl, prov, out, cx))
		return cx->status;
	if (!done) {
		fail_user(cx, SMAB_EINVAL, "smab_h5_resume: no done[] array");
		return cx->status;
	}
	quiet q;
	quiet_on(&q);
	int rank = 0;
	MPI_Comm_rank(comm, &rank);
	smab_h5 *h = h5_alloc(path, pl);
	char *sha = NULL;
	hid_t fapl = mpio_fapl(comm, cx);
	if (fapl >= 0) {
		h->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
		if (h->file < 0)
			fail_h5(cx, __FILE__, __LINE__, "cannot open %s to resume it", path);
		H5Pclose(fapl);
	}
	if (cx->status == SMAB_OK && get_str(h->file, path, "config_sha256", &sha, cx) == SMAB_OK) {
		if (!sha)
			fail_user(cx, SMAB_EINVAL, "%s is not a smab result file (no config_sha256 "
			          "attribute): use a new output file or --force to replace it", path);
		else if (strcmp(sha, prov->sha256) != 0)
			fail_user(cx, SMAB_EINVAL, "%s was made by a different configuration "
			          "(config digest %.12s... != %.12s...): use a new output file or "
			          "--force to replace it", path, sha, prov->sha256);
	}
	free(sha);
	if (cx->status == SMAB_OK && (h->dxpl = indep_dxpl(cx)) >= 0)
		layout(h, pl, 0, cx);

	/* Rank 0 reads the flags and broadcasts them, so a large job does not
	 * send every rank to the file system for the same bytes. */
	if (agree(comm, cx) == SMAB_OK) {
		int st = SMAB_OK;
		if (rank == 0 && H5Dread(h->done, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL,
		                         h->dxpl, done) < 0) {
			fail_h5(cx, __FILE__, __LINE__, "cannot read /tasks/done of %s", path);
			st = cx->status;
		}
		MPI_Bcast(&st, 1, MPI_INT, 0, comm);
		if (st == SMAB_OK) {
			size_t total = (size_t)pl->npoints * (size_t)pl->reps;
			for (size_t at = 0; at < total;) {
				size_t n = total - at > (1u << 30) ? (1u << 30) : total - at;
				MPI_Bcast(done + at, (int)n, MPI_UNSIGNED_CHAR, 0, comm);
				at += n;
			}
		} else if (cx->status == SMAB_OK) {
			fail_user(cx, st, "rank 0 cannot read /tasks/done of %s", path);
		}
	}
	if (cx->status != SMAB_OK) {
		h5_release(h, cx);
		quiet_off(&q);
		return cx->status;
	}
	*out = h;
	quiet_off(&q);
	return SMAB_OK;
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
		fail_h5(cx, __FILE__, __LINE__, "cannot write %s of %s (point %llu, "
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
		fail_user(cx, SMAB_EINVAL, "smab_h5_write: bad task range (point %lld, "
		          "replications %d..%d)", (long long)p, rep0, rep0 + n - 1);
		return cx->status;
	}
	quiet q;
	quiet_on(&q);
	size_t nm = (size_t)h->nmech * (size_t)h->nmetrics;
	size_t C = (size_t)h->ncheck, un = (size_t)n;
	size_t need = un * (C > 1 ? C : 1);
	if (need > h->bufcap) {
		h->buf = smab_xrealloc(h->buf, need * sizeof *h->buf);
		h->bufcap = need;
	}
	hsize_t s2[2] = {(hsize_t)p, (hsize_t)rep0}, c2[2] = {1, (hsize_t)n};
	hsize_t s3[3] = {(hsize_t)p, (hsize_t)rep0, 0}, c3[3] = {1, (hsize_t)n, (hsize_t)C};
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
	/* Last: the flags that say the results above are complete. */
	if (un > h->onescap) {
		h->ones = smab_xrealloc(h->ones, un);
		memset(h->ones, 1, un);
		h->onescap = un;
	}
	put_slab(h, h->done, h->fs2, 2, s2, c2, H5T_NATIVE_UCHAR, h->ones, cx);
out:
	quiet_off(&q);
	return cx->status;
}

int smab_h5_close(smab_h5 **hp)
{
	if (!hp || !*hp)
		return SMAB_OK;
	h5ctx ctx = {NULL, 0, SMAB_OK};
	quiet q;
	quiet_on(&q);
	h5_release(*hp, &ctx);
	*hp = NULL;
	quiet_off(&q);
	return ctx.status;
}

/* ---- serial readers ---------------------------------------------------- */

/* A result file opened serially, with what summarize and report need. */
typedef struct rfile {
	const char *path;
	hid_t file;
	int nmech, nmetric;
	char **mech, **metric;
	hsize_t P, R, C;
	unsigned char *done;     /* [P*R] */
} rfile;

static void rfile_close(rfile *rf, h5ctx *cx)
{
	close_file(&rf->file, rf->path, cx);
	free_list(rf->mech);
	free_list(rf->metric);
	free(rf->done);
	rf->mech = rf->metric = NULL;
	rf->done = NULL;
}

static int dims_of(hid_t d, int rank, hsize_t *dims, const char *what, h5ctx *cx)
{
	hid_t sp = -1;
	H5OK(sp = H5Dget_space(d), "cannot get the shape of %s", what);
	if (H5Sget_simple_extent_ndims(sp) != rank) {
		fail_user(cx, SMAB_EINVAL, "%s has rank %d, expected %d: not a smab result "
		          "file", what, H5Sget_simple_extent_ndims(sp), rank);
		goto out;
	}
	H5OK(H5Sget_simple_extent_dims(sp, dims, NULL), "cannot get the shape of %s", what);
out:
	CLOSE(H5Sclose, sp);
	return cx->status;
}

static int rfile_open(rfile *rf, const char *path, int write, h5ctx *cx)
{
	hid_t d = -1;
	char *ms = NULL, *ts = NULL;
	memset(rf, 0, sizeof *rf);
	rf->path = path;
	rf->file = -1;
	htri_t is = H5Fis_hdf5(path);
	if (is == 0) {
		H5Eclear2(H5E_DEFAULT);
		fail_user(cx, SMAB_EINVAL, "%s is not an HDF5 file, so not a smab result file", path);
		return cx->status;
	}
	H5OK(rf->file = H5Fopen(path, write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT),
	     "cannot open %s", path);
	if (get_str(rf->file, path, "mechanisms", &ms, cx) ||
	    get_str(rf->file, path, "metrics", &ts, cx))
		goto out;
	if (!ms || !ts || H5Lexists(rf->file, "/tasks", H5P_DEFAULT) <= 0 ||
	    H5Lexists(rf->file, "/tasks/done", H5P_DEFAULT) <= 0 ||
	    H5Lexists(rf->file, "/results", H5P_DEFAULT) <= 0 ||
	    H5Lexists(rf->file, "/results/checkpoints", H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		fail_user(cx, SMAB_EINVAL, "%s is not a smab result file (no %s)", path,
		          !ms ? "'mechanisms' attribute" : !ts ? "'metrics' attribute"
		                                             : "/tasks/done or /results/checkpoints");
		goto out;
	}
	rf->mech = split_list(ms, &rf->nmech);
	rf->metric = split_list(ts, &rf->nmetric);
	hsize_t d2[2], dc[2];
	H5OK(d = H5Dopen2(rf->file, "/tasks/done", H5P_DEFAULT), "cannot open /tasks/done of %s", path);
	if (dims_of(d, 2, d2, "/tasks/done", cx))
		goto out;
	rf->P = d2[0];
	rf->R = d2[1];
	rf->done = smab_xcalloc((size_t)(rf->P * rf->R) + 1, 1);
	if (rf->P * rf->R > 0)
		H5OK(H5Dread(d, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->done),
		     "cannot read /tasks/done of %s", path);
	CLOSE(H5Dclose, d);
	H5OK(d = H5Dopen2(rf->file, "/results/checkpoints", H5P_DEFAULT),
	     "cannot open /results/checkpoints of %s", path);
	if (dims_of(d, 2, dc, "/results/checkpoints", cx))
		goto out;
	if (dc[0] != rf->P) {
		fail_user(cx, SMAB_EINVAL, "%s: /results/checkpoints has %llu rows for %llu "
		          "points", path, (unsigned long long)dc[0], (unsigned long long)rf->P);
		goto out;
	}
	rf->C = dc[1];
out:
	CLOSE(H5Dclose, d);
	free(ms);
	free(ts);
	if (cx->status != SMAB_OK)
		rfile_close(rf, cx);
	return cx->status;
}

/* Read /results/<mech>/<metric> [P,R] into x, NaN where the task is not
 * done (a task killed between its results and its flag must not count). */
static int read_results(rfile *rf, const char *mech, const char *metric, double *x,
                        h5ctx *cx)
{
	hid_t d = -1;
	char path[512];
	hsize_t dims[2];
	snprintf(path, sizeof path, "/results/%s/%s", mech, metric);
	if (H5Lexists(rf->file, path, H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		fail_user(cx, SMAB_EINVAL, "%s has no dataset %s", rf->path, path);
		return cx->status;
	}
	H5OK(d = H5Dopen2(rf->file, path, H5P_DEFAULT), "cannot open %s of %s", path, rf->path);
	if (dims_of(d, 2, dims, path, cx))
		goto out;
	if (dims[0] != rf->P || dims[1] != rf->R) {
		fail_user(cx, SMAB_EINVAL, "%s: %s is not points x replications", rf->path, path);
		goto out;
	}
	H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x),
	     "cannot read %s of %s", path, rf->path);
	for (size_t i = 0; i < (size_t)(rf->P * rf->R); i++)
		if (!rf->done[i])
			x[i] = NAN;
out:
	CLOSE(H5Dclose, d);
	return cx->status;
}

/* Open summary dataset 'path' with shape dims[rank], creating it (and its
 * group) if the file does not have it yet. */
static hid_t summary_dset(hid_t file, const char *fname, const char *mech,
                          const char *path, int rank,
                          const hsize_t *dims, hid_t st, hid_t sm, h5ctx *cx)
{
	char grp[512];
	snprintf(grp, sizeof grp, "/summary/%s", mech);
	if (ensure_group(file, "/summary", cx) || ensure_group(file, grp, cx))
		return -1;
	if (H5Lexists(file, path, H5P_DEFAULT) > 0)
		return open_dset(file, fname, path, rank, dims,
		                 rank == 1 ? "points" : "points x checkpoints", cx);
	H5Eclear2(H5E_DEFAULT);
	const smab_summary fill = {0, NAN, NAN, NAN, NAN};
	return make_dset(file, path, st, rank, dims, sm, &fill, cx);
}

int smab_h5_summarize(const char *path, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path) {
		fail_user(cx, SMAB_EINVAL, "smab_h5_summarize: no path");
		return cx->status;
	}
	quiet q;
	quiet_on(&q);
	rfile rf;
	hid_t st = -1, sm = -1, d = -1, dc = -1, fs = -1, ms = -1;
	double *x = NULL, *xc = NULL;
	smab_summary *sum = NULL, *sumc = NULL;
	if (rfile_open(&rf, path, 1, cx)) {
		quiet_off(&q);
		return cx->status;
	}
	size_t P = (size_t)rf.P, R = (size_t)rf.R, C = (size_t)rf.C;
	x = smab_xmalloc((P * R + 1) * sizeof *x);
	xc = smab_xmalloc((R * C + 1) * sizeof *xc);
	sum = smab_xmalloc((P + 1) * sizeof *sum);
	sumc = smab_xmalloc((P * C + 1) * sizeof *sumc);
	H5OK(st = summary_type(1), "cannot make the summary type");
	H5OK(sm = summary_type(0), "cannot make the summary type");
	hsize_t dp[1] = {rf.P}, dpc[2] = {rf.P, rf.C};
	char spath[512], cpath[512];
	for (int k = 0; k < rf.nmech; k++)
		for (int m = 0; m < rf.nmetric; m++) {
			const char *mn = rf.mech[k], *tn = rf.metric[m];
			if (read_results(&rf, mn, tn, x, cx))
				goto out;
			for (size_t p = 0; p < P; p++)
				smab_summarize(x + p * R, (int64_t)R, 1, LEVEL, &sum[p]);
			snprintf(spath, sizeof spath, "/summary/%s/%s", mn, tn);
			H5OK(d = summary_dset(rf.file, path, mn, spath, 1, dp, st, sm, cx),
			     "cannot make %s in %s", spath, path);
			if (P > 0)
				H5OK(H5Dwrite(d, sm, H5S_ALL, H5S_ALL, H5P_DEFAULT, sum),
				     "cannot write %s of %s", spath, path);
			CLOSE(H5Dclose, d);

			snprintf(cpath, sizeof cpath, "/results/%s/%s_curve", mn, tn);
			if (C == 0 || H5Lexists(rf.file, cpath, H5P_DEFAULT) <= 0) {
				H5Eclear2(H5E_DEFAULT);
				continue;
			}
			hsize_t d3[3], one[3] = {1, rf.R, rf.C}, n3 = R * C;
			H5OK(dc = H5Dopen2(rf.file, cpath, H5P_DEFAULT), "cannot open %s of %s",
			     cpath, path);
			if (dims_of(dc, 3, d3, cpath, cx))
				goto out;
			if (d3[0] != rf.P || d3[1] != rf.R || d3[2] != rf.C)
				FAIL(SMAB_EINVAL, "%s: %s is not points x replications x checkpoints",
				     path, cpath);
			H5OK(fs = H5Dget_space(dc), "cannot get the shape of %s", cpath);
			H5OK(ms = H5Screate_simple(1, &n3, NULL), "cannot make a dataspace");
			/* One point at a time: the whole [P,R,C] may not fit. */
			for (size_t p = 0; p < P; p++) {
				hsize_t start[3] = {p, 0, 0};
				H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL),
				     "cannot select point %zu of %s", p, cpath);
				H5OK(H5Dread(dc, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, xc),
				     "cannot read point %zu of %s in %s", p, cpath, path);
				for (size_t r = 0; r < R; r++)
					if (!rf.done[p * R + r])
						for (size_t c = 0; c < C; c++)
							xc[r * C + c] = NAN;
				for (size_t c = 0; c < C; c++)
					smab_summarize(xc + c, (int64_t)R, (int64_t)C, LEVEL,
					               &sumc[p * C + c]);
			}
			CLOSE(H5Sclose, ms);
			CLOSE(H5Sclose, fs);
			CLOSE(H5Dclose, dc);
			snprintf(spath, sizeof spath, "/summary/%s/%s_curve", mn, tn);
			H5OK(d = summary_dset(rf.file, path, mn, spath, 2, dpc, st, sm, cx),
			     "cannot make %s in %s", spath, path);
			if (P > 0)
				H5OK(H5Dwrite(d, sm, H5S_ALL, H5S_ALL, H5P_DEFAULT, sumc),
				     "cannot write %s of %s", spath, path);
			CLOSE(H5Dclose, d);
		}
out:
	CLOSE(H5Sclose, ms);
	CLOSE(H5Sclose, fs);
	CLOSE(H5Dclose, dc);
	CLOSE(H5Dclose, d);
	CLOSE(H5Tclose, st);
	CLOSE(H5Tclose, sm);
	rfile_close(&rf, cx);
	free(x);
	free(xc);
	free(sum);
	free(sumc);
	quiet_off(&q);
	return cx->status;
}

/* ---- report ------------------------------------------------------------ */

/* /points rendered as text: ncol swept columns per point. */
typedef struct ptab {
	int ncol;
	char **name;      /* [ncol] */
	char **cell;      /* [P*ncol] */
	char **label;     /* [P] "drift=0.4, noise=bernoulli" */
} ptab;

static void ptab_free(ptab *t, size_t P)
{
	for (int i = 0; t->name && i < t->ncol; i++)
		free(t->name[i]);
	for (size_t i = 0; t->cell && i < P * (size_t)t->ncol; i++)
		free(t->cell[i]);
	for (size_t i = 0; t->label && i < P; i++)
		free(t->label[i]);
	free(t->name);
	free(t->cell);
	free(t->label);
	memset(t, 0, sizeof *t);
}

static void render_member(hid_t mt, H5T_class_t cls, const unsigned char *v,
                          char *buf, size_t len)
{
	size_t sz = H5Tget_size(mt);
	buf[0] = '\0';
	if (cls == H5T_FLOAT && sz == sizeof(double)) {
		double x;
		memcpy(&x, v, sizeof x);
		fmt_num(buf, len, x);
	} else if (cls == H5T_FLOAT && sz == sizeof(float)) {
		float x;
		memcpy(&x, v, sizeof x);
		fmt_num(buf, len, (double)x);
	} else if (cls == H5T_INTEGER && sz == 8) {
		int64_t x;
		memcpy(&x, v, sizeof x);
		snprintf(buf, len, "%lld", (long long)x);
	} else if (cls == H5T_INTEGER && sz == 4) {
		int32_t x;
		memcpy(&x, v, sizeof x);
		snprintf(buf, len, "%d", (int)x);
	} else if (cls == H5T_ENUM) {
		if (H5Tenum_nameof(mt, v, buf, len) < 0) {
			H5Eclear2(H5E_DEFAULT);
			snprintf(buf, len, "?");
		}
	} else if (cls == H5T_STRING && H5Tis_variable_str(mt) <= 0) {
		size_t n = sz < len - 1 ? sz : len - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
	} else {
		snprintf(buf, len, "?");
	}
}

static int read_points(rfile *rf, ptab *t, h5ctx *cx)
{
	hid_t d = -1, ft = -1, mt = -1, sub = -1;
	unsigned char *rows = NULL;
	int *member = NULL;
	size_t P = (size_t)rf->P;
	hsize_t dims[1];
	memset(t, 0, sizeof *t);
	t->label = smab_xcalloc(P + 1, sizeof *t->label);
	if (H5Lexists(rf->file, "/points", H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		FAIL(SMAB_EINVAL, "%s is not a smab result file (no /points)", rf->path);
	}
	H5OK(d = H5Dopen2(rf->file, "/points", H5P_DEFAULT), "cannot open /points of %s", rf->path);
	if (dims_of(d, 1, dims, "/points", cx))
		goto out;
	if (dims[0] != rf->P)
		FAIL(SMAB_EINVAL, "%s: /points has %llu rows for %llu points", rf->path,
		     (unsigned long long)dims[0], (unsigned long long)rf->P);
	H5OK(ft = H5Dget_type(d), "cannot get the type of /points");
	if (H5Tget_class(ft) != H5T_COMPOUND)
		FAIL(SMAB_EINVAL, "%s: /points is not a table", rf->path);
	H5OK(mt = H5Tget_native_type(ft, H5T_DIR_ASCEND), "cannot get the type of /points");
	size_t size = H5Tget_size(mt);
	int nm = H5Tget_nmembers(mt);
	H5OK(nm, "cannot list the columns of /points");
	rows = smab_xcalloc(P + 1, size);
	if (P > 0)
		H5OK(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows),
		     "cannot read /points of %s", rf->path);
	t->name = smab_xcalloc((size_t)nm + 1, sizeof *t->name);
	t->cell = smab_xcalloc(P * (size_t)nm + 1, sizeof *t->cell);
	int col = 0;
	/* Columns first, so cells can be indexed [p * ncol + col] once ncol is known. */
	member = smab_xcalloc((size_t)nm + 1, sizeof *member);
	for (int i = 0; i < nm; i++) {
		char *n = H5Tget_member_name(mt, (unsigned)i);
		if (!n)
			FAIL(SMAB_EIO, "cannot read the column names of /points");
		if (strcmp(n, "id") != 0) {
			t->name[col] = smab_xstrdup(n);
			member[col++] = i;
		}
		H5free_memory(n);
	}
	t->ncol = col;
	for (int j = 0; j < col; j++) {
		unsigned i = (unsigned)member[j];
		size_t off = H5Tget_member_offset(mt, i);
		H5T_class_t cls = H5Tget_member_class(mt, i);
		H5OK(sub = H5Tget_member_type(mt, i), "cannot read the type of column %s of "
		     "/points", t->name[j]);
		for (size_t p = 0; p < P; p++) {
			char buf[4096];
			render_member(sub, cls, rows + p * size + off, buf, sizeof buf);
			t->cell[p * (size_t)col + (size_t)j] = smab_xstrdup(buf);
		}
		CLOSE(H5Tclose, sub);
	}
	for (size_t p = 0; p < P; p++) {
		size_t len = 1;
		for (int j = 0; j < col; j++)
			len += strlen(t->name[j]) + strlen(t->cell[p * (size_t)col + (size_t)j]) + 3;
		char *s = smab_xmalloc(len);
		s[0] = '\0';
		for (int j = 0; j < col; j++) {
			if (j)
				strcat(s, ", ");
			strcat(s, t->name[j]);
			strcat(s, "=");
			strcat(s, t->cell[p * (size_t)col + (size_t)j]);
		}
		t->label[p] = s;
	}
out:
	CLOSE(H5Tclose, sub);
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Dclose, d);
	free(rows);
	free(member);
	return cx->status;
}

/* Display width of UTF-8 text (continuation bytes take no column). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void pad(FILE *out, const char *s, size_t w, int last)
{
	fputs(s, out);
	if (last)
		return;
	for (size_t i = width(s); i < w + 2; i++)
		fputc(' ', out);
}

static char *cell_text(const smab_summary *s)
{
	char buf[128];
	if (s->n == 0)
		snprintf(buf, sizeof buf, "- (0)");
	else if (isfinite(s->ci_hi) && isfinite(s->ci_lo))
		snprintf(buf, sizeof buf, "%.6g \u00b1 %.3g (%lld)", s->mean,
		         0.5 * (s->ci_hi - s->ci_lo), (long long)s->n);
	else
		snprintf(buf, sizeof buf, "%.6g (%lld)", s->mean, (long long)s->n);
	return smab_xstrdup(buf);
}

static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_row(FILE *out, size_t p, const ptab *t, const char *mech,
                    const char *metric, const smab_summary *s)
{
	fprintf(out, "%zu", p);
	for (int j = 0; j < t->ncol; j++) {
		fputc(',', out);
		csv_field(out, t->cell[p * (size_t)t->ncol + (size_t)j]);
	}
	fputc(',', out);
	csv_field(out, mech);
	fputc(',', out);
	csv_field(out, metric);
	/* Shortest text that reads back as the same double: exact, yet 0.4
	 * stays "0.4". */
	char v[4][32];
	fmt_num(v[0], sizeof v[0], s->mean);
	fmt_num(v[1], sizeof v[1], s->sd);
	fmt_num(v[2], sizeof v[2], s->ci_lo);
	fmt_num(v[3], sizeof v[3], s->ci_hi);
	fprintf(out, ",%lld,%s,%s,%s,%s\n", (long long)s->n, v[0], v[1], v[2], v[3]);
}

int smab_h5_report(const char *path, const char *metric, const char *vs,
                   int csv, FILE *out, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !out) {
		fail_user(cx, SMAB_EINVAL, "smab_h5_report: no path or output stream");
		return cx->status;
	}
	quiet q;
	quiet_on(&q);
	rfile rf;
	ptab t;
	memset(&t, 0, sizeof t);
	double *x = NULL;
	smab_summary *sum = NULL;
	char **cells = NULL, **head = NULL;
	double *dx = NULL;
	size_t ncells = 0;
	int ncolv = 0;
	if (rfile_open(&rf, path, 0, cx)) {
		quiet_off(&q);
		return cx->status;
	}
	size_t P = (size_t)rf.P, R = (size_t)rf.R;
	int K = rf.nmech, vk = -1;
	if (metric && list_find(rf.metric, rf.nmetric, metric) < 0) {
		char *l = join_list(rf.metric, rf.nmetric, ", ");
		fail_user(cx, SMAB_EINVAL, "unknown metric '%s' in %s (available: %s)", metric,
		          path, l);
		free(l);
		goto out;
	}
	if (vs && (vk = list_find(rf.mech, K, vs)) < 0) {
		char *l = join_list(rf.mech, K, ", ");
		fail_user(cx, SMAB_EINVAL, "unknown mechanism '%s' in %s (available: %s)", vs,
		          path, l);
		free(l);
		goto out;
	}
	if (read_points(&rf, &t, cx))
		goto out;

	/* Columns: every mechanism, then 'mech - vs' for the others. */
	int ndiff = vk >= 0 ? K - 1 : 0;
	ncolv = K + ndiff;
	x = smab_xmalloc(((size_t)K * P * R + 1) * sizeof *x);
	sum = smab_xmalloc(((size_t)ncolv * P + 1) * sizeof *sum);
	dx = smab_xmalloc((R + 1) * sizeof *dx);
	head = smab_xcalloc((size_t)ncolv + 1, sizeof *head);
	for (int k = 0; k < K; k++)
		head[k] = smab_xstrdup(rf.mech[k]);
	for (int k = 0, j = K; k < K && vk >= 0; k++)
		if (k != vk) {
			size_t l = strlen(rf.mech[k]) + strlen(vs) + 2;
			head[j] = smab_xmalloc(l);
			snprintf(head[j++], l, "%s-%s", rf.mech[k], vs);
		}
	if (csv) {
		fputs("point", out);
		for (int j = 0; j < t.ncol; j++) {
			fputc(',', out);
			csv_field(out, t.name[j]);
		}
		fputs(",mechanism,metric,n,mean,sd,ci_lo,ci_hi\n", out);
	}
	int blocks = 0;
	for (int m = 0; m < rf.nmetric; m++) {
		const char *mn = rf.metric[m];
		if (metric && strcmp(mn, metric) != 0)
			continue;
		for (int k = 0; k < K; k++)
			if (read_results(&rf, rf.mech[k], mn, x + (size_t)k * P * R, cx))
				break;
		if (cx->status)
			break;
		for (int k = 0; k < K; k++)
			for (size_t p = 0; p < P; p++)
				smab_summarize(x + ((size_t)k * P + p) * R, (int64_t)R, 1, LEVEL,
				               &sum[(size_t)k * P + p]);
		/* Paired by replication: NaN (not done) on either side drops the pair. */
		for (int k = 0, j = K; k < K && vk >= 0; k++) {
			if (k == vk)
				continue;
			for (size_t p = 0; p < P; p++) {
				const double *a = x + ((size_t)k * P + p) * R;
				const double *b = x + ((size_t)vk * P + p) * R;
				for (size_t r = 0; r < R; r++)
					dx[r] = a[r] - b[r];
				smab_summarize(dx, (int64_t)R, 1, LEVEL, &sum[(size_t)j * P + p]);
			}
			j++;
		}
		if (csv) {
			for (size_t p = 0; p < P; p++)
				for (int j = 0; j < ncolv; j++)
					csv_row(out, p, &t, head[j], mn, &sum[(size_t)j * P + p]);
			continue;
		}
		/* Table: point, values, one column per mechanism (and difference). */
		int ncols = 2 + ncolv;
		ncells = (P + 1) * (size_t)ncols;
		cells = smab_xcalloc(ncells, sizeof *cells);
		cells[0] = smab_xstrdup("point");
		cells[1] = smab_xstrdup("values");
		for (int j = 0; j < ncolv; j++)
			cells[2 + j] = smab_xstrdup(head[j]);
		for (size_t p = 0; p < P; p++) {
			char id[32];
			snprintf(id, sizeof id, "%zu", p);
			char **row = cells + (p + 1) * (size_t)ncols;
			row[0] = smab_xstrdup(id);
			row[1] = smab_xstrdup(t.ncol ? t.label[p] : "-");
			for (int j = 0; j < ncolv; j++)
				row[2 + j] = cell_text(&sum[(size_t)j * P + p]);
		}
		size_t *w = smab_xcalloc((size_t)ncols, sizeof *w);
		for (size_t i = 0; i < ncells; i++) {
			size_t c = i % (size_t)ncols, l = width(cells[i]);
			if (l > w[c])
				w[c] = l;
		}
		fprintf(out, "%s%s: mean \u00b1 95%% CI half-width (n replications done)\n",
		        blocks ? "\n" : "", mn);
		if (vk >= 0)
			fprintf(out, "  X-%s: paired difference X minus %s over the replications "
			        "done by both\n", vs, vs);
		for (size_t r = 0; r <= P; r++) {
			fputs("  ", out);
			for (int c = 0; c < ncols; c++)
				pad(out, cells[r * (size_t)ncols + (size_t)c], w[c], c == ncols - 1);
			fputc('\n', out);
		}
		free(w);
		for (size_t i = 0; i < ncells; i++)
			free(cells[i]);
		free(cells);
		cells = NULL;
		blocks++;
	}
out:
	for (int j = 0; head && j < ncolv; j++)
		free(head[j]);
	free(head);
	free(dx);
	if (cells) {
		for (size_t i = 0; i < ncells; i++)
			free(cells[i]);
		free(cells);
	}
	ptab_free(&t, P);
	rfile_close(&rf, cx);
	free(x);
	free(sum);
	quiet_off(&q);
	return cx->status;
}
