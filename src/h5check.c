/* h5check.c - opening a result file for reading without trusting it: its
 * shape comes from its own attributes and every dataset is checked against
 * them (class, element size, extent, and that its data lies inside the file)
 * before anything is allocated or read, so a damaged or crafted file is
 * refused with a message instead of crashing a reader or exhausting memory;
 * and the per-task checksums of /tasks/checksum, recomputed and compared.
 * Serial HDF5, one process. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "smab/h5out.h"
#include "h5util.h"
#include "history.h"

/* Longest mechanism or metric name, and most of either, in a file. */
#define NAME_MAX_LEN 64
#define LIST_MAX 4096

static int dims_of(hid_t d, int rank, hsize_t *dims, const char *what, h5ctx *cx)
{
	hid_t sp = -1;
	H5OK(sp = H5Dget_space(d), "cannot get the shape of %s", what);
	int r = H5Sget_simple_extent_ndims(sp);
	if (r != rank) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s has rank %d, expected %d: not a smab result "
		              "file, or a damaged one", what, r, rank);
		goto out;
	}
	H5OK(H5Sget_simple_extent_dims(sp, dims, NULL), "cannot get the shape of %s", what);
out:
	CLOSE(H5Sclose, sp);
	return cx->status;
}

/* The names of a list attribute are what /results paths are made of. */
static int good_names(char **v, int n)
{
	if (n < 1 || n > LIST_MAX)
		return 0;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (l == 0 || l > NAME_MAX_LEN || strspn(v[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != l || v[i][0] == '.')
			return 0;
	}
	return 1;
}

/* Root int64 attribute 'name' into *v; *has = 0 if absent. */
static int get_i64(hid_t f, const char *fname, const char *name, int64_t *v, int *has,
                   h5ctx *cx)
{
	hid_t a = -1, sp = -1;
	*has = 0;
	*v = 0;
	if (H5Aexists(f, name) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return SMAB_OK;
	}
	H5OK(a = H5Aopen(f, name, H5P_DEFAULT), "cannot open attribute '%s' of %s", name, fname);
	H5OK(sp = H5Aget_space(a), "cannot read attribute '%s' of %s", name, fname);
	if (H5Sget_simple_extent_npoints(sp) != 1)
		FAIL(SMAB_EINVAL, "attribute '%s' of %s is not one number: a damaged file", name,
		     fname);
	H5OK(H5Aread(a, H5T_NATIVE_INT64, v), "cannot read attribute '%s' of %s", name, fname);
	*has = 1;
out:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Aclose, a);
	return cx->status;
}

hid_t h5u_rfile_dset(h5u_rfile *rf, const char *path, H5T_class_t cls, size_t size,
                     int rank, const hsize_t *dims, h5ctx *cx)
{
	hid_t d = -1, t = -1;
	hsize_t got[3] = {0, 0, 0};
	if (H5Lexists(rf->file, path, H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		h5u_fail_user(cx, SMAB_EINVAL, "%s has no dataset %s: not a smab result file, or "
		              "a damaged one", rf->path, path);
		return -1;
	}
	H5OK(d = H5Dopen2(rf->file, path, H5P_DEFAULT), "cannot open %s of %s", path, rf->path);
	H5OK(t = H5Dget_type(d), "cannot read the type of %s of %s", path, rf->path);
	if (H5Tget_class(t) != cls || (size && H5Tget_size(t) != size))
		FAIL(SMAB_EINVAL, "%s: %s has an unexpected type: a damaged file", rf->path, path);
	if (dims_of(d, rank, got, path, cx))
		goto out;
	double n = (double)H5Tget_size(t);
	for (int i = 0; i < rank; i++) {
		if (got[i] != dims[i])
			FAIL(SMAB_EINVAL, "%s: %s has %llu entries along dimension %d, the file's "
			     "attributes say %llu: a damaged file", rf->path, path,
			     (unsigned long long)got[i], i + 1, (unsigned long long)dims[i]);
		n *= (double)dims[i];
	}
	/* Contiguous and allocated at creation (h5out.c): the data is one block
	 * inside the file, or the file is not what it claims. */
	haddr_t off = H5Dget_offset(d);
	hsize_t stored = H5Dget_storage_size(d);
	if (n > 0 && (off == HADDR_UNDEF || (double)stored != n ||
	              (double)off + n > rf->fsize)) {
		H5Eclear2(H5E_DEFAULT);
		FAIL(SMAB_EINVAL, "%s: the data of %s lies outside the file (%.0f bytes at %.0f, "
		     "file of %.0f bytes): a damaged or truncated file", rf->path, path, n,
		     off == HADDR_UNDEF ? -1.0 : (double)off, rf->fsize);
	}
	CLOSE(H5Tclose, t);
	return d;
out:
	CLOSE(H5Tclose, t);
	CLOSE(H5Dclose, d);
	return -1;
}

void h5u_rfile_close(h5u_rfile *rf, h5ctx *cx)
{
	h5u_close_file(&rf->file, rf->path, cx);
	h5u_free_list(rf->mech);
	h5u_free_list(rf->metric);
	free(rf->done);
	rf->mech = rf->metric = NULL;
	rf->done = NULL;
}

/* Attribute 'name', if the file has it, must equal v. */
static int agrees(h5u_rfile *rf, const char *name, hsize_t v, h5ctx *cx)
{
	int64_t a;
	int has;
	if (get_i64(rf->file, rf->path, name, &a, &has, cx) == SMAB_OK && has && a >= 0 &&
	    (hsize_t)a != v)
		h5u_fail_user(cx, SMAB_EINVAL, "%s: attribute '%s' is %lld but the datasets have "
		              "%llu: a damaged file", rf->path, name, (long long)a,
		              (unsigned long long)v);
	return cx->status;
}

int h5u_rfile_open(h5u_rfile *rf, const char *path, int write, h5ctx *cx)
{
	hid_t d = -1, sp = -1;
	char *ms = NULL, *ts = NULL;
	memset(rf, 0, sizeof *rf);
	rf->path = path;
	rf->file = -1;
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s is not a result file: %s", path,
		              S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		return cx->status;
	}
	rf->fsize = (double)st.st_size;
	htri_t is = H5Fis_hdf5(path);
	if (is <= 0) {
		H5Eclear2(H5E_DEFAULT);
		h5u_fail_user(cx, SMAB_EINVAL, "%s is not an HDF5 file (or its superblock is "
		              "damaged), so not a smab result file", path);
		return cx->status;
	}
	hid_t fapl = h5u_fapl_serial();
	rf->file = H5Fopen(path, write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl);
	/* the reason first: any HDF5 call (H5Pclose) clears the error stack */
	if (rf->file < 0)
		h5u_fail_h5(cx, __FILE__, __LINE__, "cannot open %s", path);
	if (fapl >= 0)
		H5Pclose(fapl);
	if (rf->file < 0)
		goto out;
	int64_t fmt;
	int has;
	if (get_i64(rf->file, path, "format", &fmt, &has, cx))
		goto out;
	rf->format = has ? (int)fmt : 1;
	if (has && (fmt < 2 || fmt > H5U_FORMAT)) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s has file format %lld; this smab (%s) reads "
		              "formats 1 to %d: %s", path, (long long)fmt, SMAB_VERSION, H5U_FORMAT,
		              fmt > H5U_FORMAT ? "it was written by a newer smab" : "a damaged file");
		goto out;
	}
	if (h5u_get_str(rf->file, path, "mechanisms", &ms, cx) ||
	    h5u_get_str(rf->file, path, "metrics", &ts, cx))
		goto out;
	if (!ms || !ts) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s is not a smab result file (no '%s' attribute)",
		              path, !ms ? "mechanisms" : "metrics");
		goto out;
	}
	rf->mech = h5u_split_list(ms, &rf->nmech);
	rf->metric = h5u_split_list(ts, &rf->nmetric);
	if (!good_names(rf->mech, rf->nmech) || !good_names(rf->metric, rf->nmetric)) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s: its '%s' attribute is not a list of names: a "
		              "damaged file", path, good_names(rf->mech, rf->nmech) ? "metrics"
		                                                                  : "mechanisms");
		goto out;
	}
	/* The shape: P and R from /tasks/done, C from /results/checkpoints;
	 * each must lie inside the file before it sizes anything. */
	if (H5Lexists(rf->file, "/tasks", H5P_DEFAULT) <= 0 ||
	    H5Lexists(rf->file, "/tasks/done", H5P_DEFAULT) <= 0 ||
	    H5Lexists(rf->file, "/results", H5P_DEFAULT) <= 0 ||
	    H5Lexists(rf->file, "/results/checkpoints", H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		FAIL(SMAB_EINVAL, "%s is not a smab result file (no /tasks/done or "
		     "/results/checkpoints)", path);
	}
	hsize_t d2[2] = {0, 0}, dc[2] = {0, 0};
	H5OK(d = H5Dopen2(rf->file, "/tasks/done", H5P_DEFAULT), "cannot open /tasks/done of %s",
	     path);
	if (dims_of(d, 2, d2, "/tasks/done", cx))
		goto out;
	CLOSE(H5Dclose, d);
	if (d2[0] < 1 || d2[1] < 1 || (double)d2[0] * (double)d2[1] > rf->fsize)
		FAIL(SMAB_EINVAL, "%s: /tasks/done claims %llu x %llu tasks, more than the file can "
		     "hold: a damaged file", path, (unsigned long long)d2[0],
		     (unsigned long long)d2[1]);
	rf->P = d2[0];
	rf->R = d2[1];
	H5OK(d = H5Dopen2(rf->file, "/results/checkpoints", H5P_DEFAULT),
	     "cannot open /results/checkpoints of %s", path);
	if (dims_of(d, 2, dc, "/results/checkpoints", cx))
		goto out;
	CLOSE(H5Dclose, d);
	if (dc[0] != rf->P || (double)dc[1] * 8.0 > rf->fsize)
		FAIL(SMAB_EINVAL, "%s: /results/checkpoints is %llu x %llu for %llu points: a "
		     "damaged file", path, (unsigned long long)dc[0], (unsigned long long)dc[1],
		     (unsigned long long)rf->P);
	rf->C = dc[1];
	if (agrees(rf, "npoints", rf->P, cx) || agrees(rf, "replications", rf->R, cx) ||
	    agrees(rf, "checkpoints", rf->C, cx))
		goto out;
	H5OK(d = h5u_rfile_dset(rf, "/tasks/done", H5T_INTEGER, 1, 2, d2, cx),
	     "cannot open /tasks/done of %s", path);
	rf->done = smab_xcalloc((size_t)(rf->P * rf->R) + 1, 1);
	H5OK(H5Dread(d, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, rf->done),
	     "cannot read /tasks/done of %s", path);
	for (size_t t = 0; t < (size_t)(rf->P * rf->R); t++)
		if (rf->done[t] > 1)
			FAIL(SMAB_EINVAL, "%s: /tasks/done holds %d at point %zu replication %zu "
			     "(only 0 or 1 are written): a damaged file", path, rf->done[t],
			     t / (size_t)rf->R, t % (size_t)rf->R);
out:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Dclose, d);
	free(ms);
	free(ts);
	if (cx->status != SMAB_OK)
		h5u_rfile_close(rf, cx);
	return cx->status;
}

/* /points and /results/checkpoints against their checksums (attributes
 * points_crc32, checkpoints_crc32): rf->tables_bad. */
static int tables_intact(h5u_rfile *rf, h5ctx *cx)
{
	hsize_t dp[1] = {rf->P}, dc[2] = {rf->P, rf->C};
	static const char *const name[2][2] = {{"/points", "points_crc32"},
	                                       {"/results/checkpoints", "checkpoints_crc32"}};
	rf->tables_bad = 0;
	for (int i = 0; i < 2; i++) {
		int64_t want;
		int has;
		uint32_t got = 0;
		/* bounds first: the same checks as any reader's */
		hid_t d = i == 0 ? h5u_rfile_dset(rf, name[i][0], H5T_COMPOUND, 0, 1, dp, cx)
		                 : h5u_rfile_dset(rf, name[i][0], H5T_INTEGER, 8, 2, dc, cx);
		if (d < 0)
			break;
		H5Dclose(d);
		if (get_i64(rf->file, rf->path, name[i][1], &want, &has, cx) ||
		    h5u_crc_dset(rf->file, name[i][0], &got, cx))
			break;
		if (!has || (uint32_t)want != got)
			rf->tables_bad |= 1 << i;
	}
	return cx->status;
}

int h5u_verify(h5u_rfile *rf, unsigned char *bad, int64_t *nbad, h5ctx *cx)
{
	*nbad = -1;
	if (rf->format < 2)
		return cx->status;
	size_t P = (size_t)rf->P, R = (size_t)rf->R, C = (size_t)rf->C, T = P * R;
	uint32_t *crc = smab_xcalloc(T + 1, sizeof *crc), *stored = smab_xmalloc((T + 1) * 4);
	double *x = smab_xmalloc((T + 1) * sizeof *x), *xc = smab_xmalloc((R * C + 1) * 8);
	hid_t d = -1, fs = -1, ms = -1;
	hsize_t d2[2] = {rf->P, rf->R}, d3[3] = {rf->P, rf->R, rf->C};
	char path[512];
	if (tables_intact(rf, cx))
		goto out;
	H5OK(d = h5u_rfile_dset(rf, "/tasks/checksum", H5T_INTEGER, 4, 2, d2, cx),
	     "cannot open /tasks/checksum of %s", rf->path);
	H5OK(H5Dread(d, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored),
	     "cannot read /tasks/checksum of %s", rf->path);
	CLOSE(H5Dclose, d);
	/* In the writer's order: mechanism, metric, its value, then its curve. */
	for (int k = 0; k < rf->nmech; k++)
		for (int m = 0; m < rf->nmetric; m++) {
			snprintf(path, sizeof path, "/results/%s/%s", rf->mech[k], rf->metric[m]);
			H5OK(d = h5u_rfile_dset(rf, path, H5T_FLOAT, 8, 2, d2, cx), "cannot open %s",
			     path);
			H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x),
			     "cannot read %s of %s", path, rf->path);
			CLOSE(H5Dclose, d);
			for (size_t t = 0; t < T; t++)
				crc[t] = h5u_crc_doubles(crc[t], &x[t], 1);
			snprintf(path, sizeof path, "/results/%s/%s_curve", rf->mech[k], rf->metric[m]);
			if (C == 0 || H5Lexists(rf->file, path, H5P_DEFAULT) <= 0) {
				H5Eclear2(H5E_DEFAULT);
				continue;
			}
			H5OK(d = h5u_rfile_dset(rf, path, H5T_FLOAT, 8, 3, d3, cx), "cannot open %s",
			     path);
			hsize_t one[3] = {1, rf->R, rf->C}, n = R * C;
			H5OK(fs = H5Dget_space(d), "cannot get the shape of %s", path);
			H5OK(ms = H5Screate_simple(1, &n, NULL), "cannot make a dataspace");
			for (size_t p = 0; p < P; p++) {
				hsize_t start[3] = {p, 0, 0};
				H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL),
				     "cannot select point %zu of %s", p, path);
				H5OK(H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, xc),
				     "cannot read point %zu of %s in %s", p, path, rf->path);
				for (size_t r = 0; r < R; r++)
					crc[p * R + r] = h5u_crc_doubles(crc[p * R + r], xc + r * C, C);
			}
			CLOSE(H5Sclose, ms);
			CLOSE(H5Sclose, fs);
			CLOSE(H5Dclose, d);
		}
	*nbad = 0;
	for (size_t t = 0; t < T; t++) {
		int b = rf->done[t] && crc[t] != stored[t];
		*nbad += b;
		if (bad)
			bad[t] = (unsigned char)b;
	}
out:
	CLOSE(H5Sclose, ms);
	CLOSE(H5Sclose, fs);
	CLOSE(H5Dclose, d);
	free(crc);
	free(stored);
	free(x);
	free(xc);
	return cx->status;
}

static const char *tables_bad_str(int tables_bad)
{
	return tables_bad == 3 ? "/points and /results/checkpoints fail their checksums"
	     : tables_bad == 1 ? "/points (the sweep's values) fails its checksum"
	     : tables_bad == 2 ? "/results/checkpoints fails its checksum" : "";
}

int h5u_fail_damaged(h5u_rfile *rf, const unsigned char *bad, int64_t nbad, h5ctx *cx)
{
	if (nbad <= 0 && !rf->tables_bad)
		return cx->status;
	size_t first = 0, T = (size_t)(rf->P * rf->R);
	while (bad && first < T && !bad[first])
		first++;
	char tasks[160] = "";
	if (nbad > 0)
		snprintf(tasks, sizeof tasks, "%lld task%s marked done fail%s its checksum (first: "
		         "point %zu replication %zu)", (long long)nbad, nbad == 1 ? "" : "s",
		         nbad == 1 ? "s" : "", first / (size_t)rf->R, first % (size_t)rf->R);
	h5u_fail_user(cx, SMAB_EINVAL, "%s is damaged: %s%s%s; 'smab verify %s' says more and "
	              "'smab run FILE.yaml -o %s --resume --repair' computes %s again", rf->path,
	              tasks, tasks[0] && rf->tables_bad ? ", and " : "",
	              tables_bad_str(rf->tables_bad), rf->path, rf->path,
	              nbad > 0 ? "them" : "it");
	return cx->status;
}

int h5u_intact(h5u_rfile *rf, h5ctx *cx)
{
	size_t T = (size_t)(rf->P * rf->R);
	unsigned char *bad = smab_xcalloc(T + 1, 1);
	int64_t nbad = -1;
	if (h5u_verify(rf, bad, &nbad, cx) == SMAB_OK)
		h5u_fail_damaged(rf, bad, nbad, cx);
	free(bad);
	return cx->status;
}

int smab_h5_verify(const char *path, FILE *out, int most, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !out) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_verify: no path or output stream");
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile rf;
	h5u_ptab t;
	memset(&t, 0, sizeof t);
	unsigned char *bad = NULL;
	int64_t nbad = -1, ndone = 0;
	if (h5u_rfile_open(&rf, path, 0, cx)) {
		h5u_quiet_off(&q);
		return cx->status;
	}
	size_t T = (size_t)(rf.P * rf.R), R = (size_t)rf.R;
	for (size_t i = 0; i < T; i++)
		ndone += rf.done[i];
	bad = smab_xcalloc(T + 1, 1);
	if (h5u_verify(&rf, bad, &nbad, cx))
		goto out;
	/* What a resume and a merge read besides the tasks: a file whose
	 * history they refuse is not sound. */
	if (rf.format >= 2) {
		h5u_session *rows = smab_xcalloc(H5U_HISTORY_ROWS, sizeof *rows);
		h5u_read_history(&rf, rows, cx);
		free(rows);
		if (cx->status)
			goto out;
	}
	if (nbad < 0) {
		fprintf(out, "%s: file format %d: the structure is sound, %lld of %zu tasks are "
		        "done; it has no checksums to verify (written before smab 0.2.0)\n", path,
		        rf.format, (long long)ndone, T);
		goto out;
	}
	if (nbad == 0 && !rf.tables_bad) {
		fprintf(out, "%s: ok: %lld of %zu tasks done, every checksum matches\n", path,
		        (long long)ndone, T);
		goto out;
	}
	if (rf.tables_bad)
		fprintf(out, "%s: DAMAGED: %s\n", path, tables_bad_str(rf.tables_bad));
	if (nbad == 0) {
		h5u_fail_damaged(&rf, bad, nbad, cx);
		goto out;
	}
	int have_pt = h5u_read_points(&rf, &t, cx) == SMAB_OK;
	cx->status = SMAB_OK;   /* labels are a courtesy: the verdict stands */
	if (err && errlen)
		err[0] = '\0';
	fprintf(out, "%s: DAMAGED: %lld of %lld tasks done fail their checksum:\n", path,
	        (long long)nbad, (long long)ndone);
	int64_t shown = 0;
	for (size_t i = 0; i < T && shown < most; i++) {
		if (!bad[i])
			continue;
		size_t p = i / R;
		fprintf(out, "  point %zu%s%s%s replication %zu\n", p, have_pt && t.ncol ? " (" : "",
		        have_pt && t.ncol ? t.label[p] : "", have_pt && t.ncol ? ")" : "", i % R);
		shown++;
	}
	if (nbad > shown)
		fprintf(out, "  ... and %lld more\n", (long long)(nbad - shown));
	h5u_fail_damaged(&rf, bad, nbad, cx);
out:
	h5u_ptab_free(&t, (size_t)rf.P);
	free(bad);
	h5u_rfile_close(&rf, cx);
	h5u_quiet_off(&q);
	return cx->status;
}
