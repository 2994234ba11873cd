/* h5extend.c - copy a result file into one with more replications. */
#include <stdlib.h>
#include <string.h>

#include <hdf5_hl.h>

#include "smab/config.h"
#include "smab/h5extend.h"
#include "h5util.h"

int smab_h5_replications(const char *path, int *r, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	h5u_quiet q;
	h5u_rfile rf;
	*r = 0;
	h5u_quiet_on(&q);
	if (h5u_rfile_open(&rf, path, 0, cx) == SMAB_OK) {
		*r = rf.R <= (hsize_t)SMAB_MAX_TASKS ? (int)rf.R : 0;
		h5u_rfile_close(&rf, cx);
	}
	h5u_quiet_off(&q);
	return cx->status;
}

/* What the copy needs while it visits the old file's objects. */
typedef struct extend {
	hid_t to;
	hsize_t r0, r;
	h5ctx *cx;
} extend;

/* 1 if dims a (of the old file) and b (of the new) are the same but for
 * the replications axis (1), r0 in a and r in b. */
static int per_task(const hsize_t *a, const hsize_t *b, int rank, const extend *x)
{
	if (rank < 2 || a[1] != x->r0 || b[1] != x->r || a[0] != b[0])
		return 0;
	for (int i = 2; i < rank; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Copy dataset 'name' of 'from' into the new file, whole or point by
 * point into the first r0 replications. */
static int copy_dset(hid_t from, const char *name, extend *x)
{
	h5ctx *cx = x->cx;
	hid_t din = -1, dout = -1, si = -1, so = -1, ms = -1, t = -1;
	hsize_t a[H5S_MAX_RANK], b[H5S_MAX_RANK], start[H5S_MAX_RANK] = {0},
	        count[H5S_MAX_RANK];
	unsigned char *buf = NULL;
	H5OK(din = H5Dopen2(from, name, H5P_DEFAULT), "cannot open %s", name);
	if (H5Lexists(x->to, name, H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		h5u_fail_user(cx, SMAB_EINVAL, "the file holds %s, which a new one does not", name);
		goto out;
	}
	H5OK(dout = H5Dopen2(x->to, name, H5P_DEFAULT), "cannot open %s of the new file", name);
	H5OK(si = H5Dget_space(din), "cannot get the shape of %s", name);
	H5OK(so = H5Dget_space(dout), "cannot get the shape of %s", name);
	int rank = H5Sget_simple_extent_ndims(si);
	H5OK(rank, "cannot get the rank of %s", name);
	H5OK(H5Sget_simple_extent_dims(si, a, NULL), "cannot get the shape of %s", name);
	if (H5Sget_simple_extent_ndims(so) != rank ||
	    H5Sget_simple_extent_dims(so, b, NULL) < 0) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s has another rank in a new file", name);
		goto out;
	}
	int same = 1;
	for (int i = 0; i < rank; i++)
		same &= a[i] == b[i];
	if (!same && !per_task(a, b, rank, x)) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s has another shape in a new file", name);
		goto out;
	}
	H5OK(t = H5Dget_type(din), "cannot get the type of %s", name);
	size_t size = H5Tget_size(t), n = 1;
	if (same) {
		for (int i = 0; i < rank; i++)
			n *= (size_t)a[i];
		buf = smab_xmalloc(n * size + 1);
		H5OK(H5Dread(din, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "cannot read %s", name);
		H5OK(H5Dwrite(dout, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "cannot write %s", name);
		goto out;
	}
	/* One point at a time: rows [p, 0..r0-1, ...] of both files. */
	count[0] = 1;
	for (int i = 1; i < rank; i++) {
		count[i] = a[i];
		n *= (size_t)a[i];
	}
	buf = smab_xmalloc(n * size + 1);
	hsize_t nn = n;
	H5OK(ms = H5Screate_simple(1, &nn, NULL), "cannot make a dataspace");
	for (hsize_t p = 0; p < a[0]; p++) {
		start[0] = p;
		H5OK(H5Sselect_hyperslab(si, H5S_SELECT_SET, start, NULL, count, NULL),
		     "cannot select point %llu of %s", (unsigned long long)p, name);
		H5OK(H5Sselect_hyperslab(so, H5S_SELECT_SET, start, NULL, count, NULL),
		     "cannot select point %llu of %s", (unsigned long long)p, name);
		H5OK(H5Dread(din, t, ms, si, H5P_DEFAULT, buf), "cannot read %s", name);
		H5OK(H5Dwrite(dout, t, ms, so, H5P_DEFAULT, buf), "cannot write %s", name);
	}
out:
	free(buf);
	CLOSE(H5Tclose, t);
	CLOSE(H5Sclose, ms);
	CLOSE(H5Sclose, si);
	CLOSE(H5Sclose, so);
	CLOSE(H5Dclose, din);
	CLOSE(H5Dclose, dout);
	return cx->status;
}

/* HDF5 1.12 passes a link's info in another struct than 1.10; only the
 * name is used here. */
#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t link_info;
#else
typedef H5L_info_t link_info;
#endif

/* Every link below the root: datasets are copied, groups walked into.
 * Dimension scales (/replication, /point, /sweep/...) are not: the new
 * file's build wrote them for its own shape. */
static herr_t visit(hid_t g, const char *name, const link_info *info, void *arg)
{
	(void)info;
	extend *x = arg;
	hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
	if (d < 0) {
		H5Eclear2(H5E_DEFAULT);
		return 0;
	}
	htri_t scale = H5DSis_scale(d);
	H5Dclose(d);
	if (scale > 0)
		return 0;
	H5Eclear2(H5E_DEFAULT);
	return copy_dset(g, name, x) == SMAB_OK ? 0 : -1;
}

int smab_h5_extend_copy(const char *from, const char *to, int r0, int r, char *err,
                        size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	h5u_quiet q;
	hid_t fi = -1, fo = -1, fapl = -1;
	h5u_quiet_on(&q);
	extend x = {-1, (hsize_t)r0, (hsize_t)r, cx};
	H5OK(fapl = h5u_fapl_serial(), "cannot make a file access list");
	H5OK(fi = H5Fopen(from, H5F_ACC_RDONLY, fapl), "cannot open %s", from);
	H5OK(fo = H5Fopen(to, H5F_ACC_RDWR, fapl), "cannot open %s", to);
	x.to = fo;
	if (H5Lvisit(fi, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &x) < 0 &&
	    cx->status == SMAB_OK)
		h5u_fail_h5(cx, __FILE__, __LINE__, "cannot walk through %s", from);
out:
	CLOSE(H5Pclose, fapl);
	CLOSE(H5Fclose, fi);
	if (fo >= 0 && H5Fclose(fo) < 0 && cx->status == SMAB_OK)
		h5u_fail_h5(cx, __FILE__, __LINE__, "cannot close %s", to);
	h5u_quiet_off(&q);
	return cx->status;
}
