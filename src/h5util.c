/* h5util.c - what the result-file writer (h5out.c) and the serial readers
 * (h5read.c) share: the error context, quiet HDF5 error stacks, and the
 * dataset, group, attribute and summary-type helpers.  Plain HDF5, no MPI. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "smab/h5out.h"
#include "h5util.h"

/* ---- errors ------------------------------------------------------------ */

/* What an HDF5 error stack says: its innermost reason, and whether HDF5
 * failed to lock the file. */
typedef struct h5_why {
	char desc[256];
	int lock;
} h5_why;

static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
	h5_why *w = data;
	/* Walking upward, entry 0 is where HDF5 first saw the problem: the most
	 * specific reason (errno text, "file signature not found", ...). */
	if (n == 0 && e->desc)
		snprintf(w->desc, sizeof w->desc, "%s", e->desc);
	if (e->min_num == H5E_CANTLOCKFILE)
		w->lock = 1;
	return 0;
}

/* What a failure to lock means, and what to do about it. */
static const char *lock_advice(char *buf, size_t len)
{
	const char *env = getenv("HDF5_USE_FILE_LOCKING");
	char now[96] = "";
	if (env)
		snprintf(now, sizeof now, " (it is '%.40s' here)", env);
	snprintf(buf, len, "this file system does not support the file locks HDF5 takes "
	         "(flock), as NFS without a lock daemon or Lustre mounted without 'flock' "
	         "behave; HDF5_USE_FILE_LOCKING=FALSE in the environment turns HDF5's own "
	         "locking off%s, which is safe for smab: one process builds each file "
	         "alone, then the ranks write disjoint rows; smab's own lock keeps a second "
	         "smab process out where the file system has byte-range locks, and smab "
	         "warns where it has none", now);
	return buf;
}

static void vfail(h5ctx *cx, int status, const char *file, int line, int h5,
                  const char *fmt, va_list ap)
{
	h5_why w = {"", 0};
	char why[768] = "";
	if (h5) {
		H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, &w);
		H5Eclear2(H5E_DEFAULT);
		char advice[512] = "";
		snprintf(why, sizeof why, "%s%s%s", w.desc, w.lock && w.desc[0] ? ": " : "",
		         w.lock ? lock_advice(advice, sizeof advice) : "");
	}
	if (cx->status != SMAB_OK)
		return;      /* keep the first, root cause */
	cx->status = status;
	char msg[768];
	vsnprintf(msg, sizeof msg, fmt, ap);
	char where[96] = "";   /* [file:line] */
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

void h5u_fail_h5(h5ctx *cx, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cx, SMAB_EIO, file, line, 1, fmt, ap);
	va_end(ap);
}

void h5u_fail_user(h5ctx *cx, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cx, status, NULL, 0, 0, fmt, ap);
	va_end(ap);
}

void h5u_fail_at(h5ctx *cx, int status, const char *file, int line,
                 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cx, status, file, line, 0, fmt, ap);
	va_end(ap);
}

void h5u_quiet_on(h5u_quiet *q)
{
	q->fn = NULL;
	q->data = NULL;
	H5Eget_auto2(H5E_DEFAULT, &q->fn, &q->data);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void h5u_quiet_off(const h5u_quiet *q)
{
	H5Eset_auto2(H5E_DEFAULT, q->fn, q->data);
}

/* ---- small helpers ----------------------------------------------------- */

char *h5u_join_list(char *const *v, int n, const char *sep)
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

/* Dataset creation properties shared by every dataset: contiguous, all
 * space allocated (and filled) at creation, so later writes touch no
 * metadata. */
hid_t h5u_make_dcpl(hid_t filltype, const void *fill, const char *what,
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
hid_t h5u_make_dset(hid_t file, const char *path, hid_t ftype, int rank,
                    const hsize_t *dims, hid_t filltype, const void *fill,
                    h5ctx *cx)
{
	hid_t sp = -1, dcpl = -1, d = -1;
	H5OK(sp = H5Screate_simple(rank, dims, NULL), "cannot make the dataspace of %s", path);
	H5OK(dcpl = h5u_make_dcpl(filltype, fill, path, cx), "cannot make properties for %s", path);
	H5OK(d = H5Dcreate2(file, path, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
	     "cannot create dataset %s", path);
out:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Pclose, dcpl);
	return d;
}

/* Open dataset 'path' and check that its shape is dims[rank]; 'what' names
 * the dimensions for the message ("points x replications"). */
hid_t h5u_open_dset(hid_t file, const char *fname, const char *path, int rank,
                    const hsize_t *dims, const char *what, h5ctx *cx)
{
	hid_t d = -1, sp = -1;
	hsize_t got[3] = {0, 0, 0};
	htri_t ex = H5Lexists(file, path, H5P_DEFAULT);
	if (ex <= 0) {
		H5Eclear2(H5E_DEFAULT);
		h5u_fail_user(cx, SMAB_EINVAL, "%s has no dataset %s: not a smab result file of "
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
		h5u_fail_user(cx, SMAB_EINVAL, "%s does not match this experiment: %s is %s, "
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

int h5u_ensure_group(hid_t file, const char *path, h5ctx *cx)
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

/* Read string attribute 'name' of the root into a fresh string; *s = NULL
 * if it does not exist (not an error: the caller decides). */
int h5u_get_str(hid_t file, const char *fname, const char *name, char **s,
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
		h5u_fail_user(cx, SMAB_EINVAL, "attribute '%s' of %s is not a string: not a "
		              "smab result file", name, fname);
		goto out;
	}
	if (H5Tis_variable_str(t) > 0) {
		char *v = NULL;
		H5OK(mt = H5Tcopy(H5T_C_S1), "cannot make a string type");
		H5OK(H5Tset_size(mt, H5T_VARIABLE), "cannot make a string type");
		H5OK(H5Tset_cset(mt, H5Tget_cset(t)), "cannot make a string type");
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
hid_t h5u_summary_type(int file)
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

/* ---- arguments --------------------------------------------------------- */

int h5u_check_plan(const char *path, const struct smab_plan *pl,
                   const struct smab_prov *prov, h5ctx *cx)
{
	if (!path || !pl || !pl->e || !pl->e->suite || !prov || !prov->sha256 ||
	    !prov->canonical)
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5: missing path, plan or provenance");
	else if (pl->npoints < 1 || pl->reps < 1 || pl->nmech < 1 || pl->ncheck < 0 ||
	         pl->nmetrics != pl->e->suite->nmetrics || pl->nmech != pl->e->nmech ||
	         (pl->ncheck > 0 && !pl->check) || !pl->vals)
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5: inconsistent plan for %s "
		              "(%lld points, %d replications, %d mechanisms, %d checkpoints)", path,
		              (long long)pl->npoints, pl->reps, pl->nmech, pl->ncheck);
	return cx->status;
}

/* ---- /history and checksums -------------------------------------------- */

void h5u_utc_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint32_t h5u_crc_doubles(uint32_t crc, const double *v, size_t n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint32_t)crc32_z(crc, (const unsigned char *)v, n * sizeof *v);
#else
	for (size_t i = 0; i < n; i++) {
		unsigned char b[8], *p = (unsigned char *)&v[i];
		for (int j = 0; j < 8; j++)
			b[j] = p[7 - j];
		crc = (uint32_t)crc32_z(crc, b, 8);
	}
	return crc;
#endif
}

/* ---- files ------------------------------------------------------------- */

/* Set once an H5Fclose has failed: HDF5 1.10 then keeps the file's id
 * pointing at a half-destroyed file, and terminating the library (at exit,
 * or from MPI_Finalize) would crash on it. */
static int lib_poisoned;

void smab_h5_lib_open(void)
{
	/* Before MPI_Init: HDF5 then hooks neither atexit nor MPI_Finalize,
	 * and smab_h5_lib_close decides whether the library is shut down. */
	H5dont_atexit();
	H5open();
}

int h5u_lib_poisoned(void)
{
	return lib_poisoned;
}

int smab_h5_lib_close(void)
{
	if (lib_poisoned)
		return SMAB_EIO;
	return H5close() < 0 ? SMAB_EIO : SMAB_OK;
}

int h5u_crc_dset(hid_t file, const char *path, uint32_t *crc, h5ctx *cx)
{
	hid_t d = -1, t = -1, sp = -1;
	unsigned char *buf = NULL;
	H5OK(d = H5Dopen2(file, path, H5P_DEFAULT), "cannot open %s", path);
	H5OK(t = H5Dget_type(d), "cannot get the type of %s", path);
	H5OK(sp = H5Dget_space(d), "cannot get the shape of %s", path);
	hssize_t n = H5Sget_simple_extent_npoints(sp);
	size_t size = H5Tget_size(t);
	H5OK(n, "cannot count the entries of %s", path);
	buf = smab_xmalloc((size_t)n * size + 1);
	if (n > 0)
		H5OK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "cannot read %s", path);
	*crc = (uint32_t)crc32_z(0, buf, (size_t)n * size);
out:
	free(buf);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	CLOSE(H5Dclose, d);
	return cx->status;
}

hid_t h5u_fapl_serial(void)
{
	hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
	if (fapl >= 0 && H5Pset_file_locking(fapl, 0, 1) < 0)
		H5Eclear2(H5E_DEFAULT);
	return fapl;
}

/* Close a file, reporting any object a code path forgot to close first. */
void h5u_close_file(hid_t *file, const char *path, h5ctx *cx)
{
	if (*file < 0)
		return;
	ssize_t n = H5Fget_obj_count(*file, H5F_OBJ_ALL | H5F_OBJ_LOCAL);
	if (n > 1)
		h5u_fail_at(cx, SMAB_EINTERNAL, __FILE__, __LINE__,
		            "%zd HDF5 object(s) of %s left open at close", n - 1, path);
	if (H5Fclose(*file) < 0) {
		h5u_fail_h5(cx, __FILE__, __LINE__, "cannot close %s", path);
		if (H5Iis_valid(*file) > 0)
			lib_poisoned = 1;
		H5Eclear2(H5E_DEFAULT);
	}
	*file = -1;
}

/* A scalar, fixed-length, NUL-terminated string attribute (h5py reads it
 * as bytes, h5dump prints it). */
int h5u_put_str(hid_t loc, const char *name, const char *s, h5ctx *cx)
{
	hid_t t = -1, sp = -1, a = -1;
	/* Variable-length UTF-8: h5py and netCDF readers see text, not bytes. */
	H5OK(t = H5Tcopy(H5T_C_S1), "cannot make a string type for '%s'", name);
	H5OK(H5Tset_size(t, H5T_VARIABLE), "cannot size the string '%s'", name);
	H5OK(H5Tset_cset(t, H5T_CSET_UTF8), "cannot make the string '%s' UTF-8", name);
	H5OK(sp = H5Screate(H5S_SCALAR), "cannot make a dataspace for '%s'", name);
	H5OK(a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT),
	     "cannot create attribute '%s'", name);
	H5OK(H5Awrite(a, t, &s), "cannot write attribute '%s'", name);
out:
	CLOSE(H5Aclose, a);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	return cx->status;
}

int h5u_put_i64s(hid_t loc, const char *name, const int64_t *v, hsize_t n, h5ctx *cx)
{
	hid_t sp = -1, a = -1;
	if (n == 0)
		return cx->status;
	H5OK(sp = H5Screate_simple(1, &n, NULL), "cannot make a dataspace for '%s'", name);
	H5OK(a = H5Acreate2(loc, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT),
	     "cannot create attribute '%s'", name);
	H5OK(H5Awrite(a, H5T_NATIVE_INT64, v), "cannot write attribute '%s'", name);
out:
	CLOSE(H5Aclose, a);
	CLOSE(H5Sclose, sp);
	return cx->status;
}
