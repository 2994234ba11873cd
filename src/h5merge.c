/* h5merge.c - join the files of 'smab run --shard i/n' into one result file.
 *
 * Every shard file has the whole layout (all points and replications) with
 * only its own tasks marked done, so a merge is: check that the files are
 * shards of one experiment (same config digest, seed, shape), that every
 * task is done in exactly one of them, copy the first file and fill in the
 * other files' tasks row by row, drop the 'shard' mark, join the files'
 * session histories, recompute /summary and, for a coalition sweep, the
 * /coalition tables.  The result equals a single run's /results and
 * /summary (the summary is a pure function of /results and /tasks/done)
 * and is itself an ordinary, resumable result file.
 *
 * All of it happens in a temporary file beside the output, renamed into
 * place only once complete and on disk: a merge that fails at any step --
 * a damaged shard, a full disk, a signal -- leaves no output and keeps an
 * existing one.  Serial HDF5, one process. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smab/coaltab.h"
#include "smab/h5out.h"
#include "smab/outfile.h"
#include "smab/par.h"
#include "h5util.h"
#include "history.h"

/* Root u64 attribute 'name' (the seed); 0 with *has = 0 if absent. */
static int get_u64(hid_t file, const char *fname, const char *name, uint64_t *v,
                   int *has, h5ctx *cx)
{
	hid_t a = -1;
	*v = 0;
	*has = 0;
	if (H5Aexists(file, name) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return SMAB_OK;
	}
	H5OK(a = H5Aopen(file, name, H5P_DEFAULT), "cannot open attribute '%s' of %s", name, fname);
	H5OK(H5Aread(a, H5T_NATIVE_UINT64, v), "cannot read attribute '%s' of %s", name, fname);
	*has = 1;
out:
	CLOSE(H5Aclose, a);
	return cx->status;
}

/* Every input is of the current format: a merge copies the first one, and
 * its result must be as resumable and self-describing as a new file. */
static int current_format(h5u_rfile *f, int n, h5ctx *cx)
{
	for (int i = 0; i < n && cx->status == SMAB_OK; i++) {
		if (f[i].format >= H5U_FORMAT)
			continue;
		char *ver = NULL;
		if (h5u_get_str(f[i].file, f[i].path, "smab_version", &ver, cx) == SMAB_OK)
			h5u_fail_user(cx, SMAB_EINVAL, "%s has file format %d, written by smab %s; "
			              "this smab (%s) merges format %d only: merge with the build "
			              "that wrote the shards", f[i].path, f[i].format,
			              ver ? ver : "0.1", SMAB_VERSION, H5U_FORMAT);
		free(ver);
	}
	return cx->status;
}

/* The files agree on what they are shards of. */
static int same_experiment(h5u_rfile *f, int n, h5ctx *cx)
{
	char *sha0 = NULL, *sha = NULL;
	uint64_t seed0 = 0, seed = 0;
	int has0 = 0, has = 0;
	if (h5u_get_str(f[0].file, f[0].path, "config_sha256", &sha0, cx) ||
	    get_u64(f[0].file, f[0].path, "seed", &seed0, &has0, cx))
		goto out;
	if (!sha0 || !has0) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s has no %s attribute: not a smab result file",
		              f[0].path, sha0 ? "seed" : "config_sha256");
		goto out;
	}
	for (int i = 1; i < n; i++) {
		free(sha);
		sha = NULL;
		if (h5u_get_str(f[i].file, f[i].path, "config_sha256", &sha, cx) ||
		    get_u64(f[i].file, f[i].path, "seed", &seed, &has, cx))
			goto out;
		if (!has || seed != seed0) {
			h5u_fail_user(cx, SMAB_EINVAL, "%s and %s have different seeds (%llu and "
			              "%llu): they are not shards of one run", f[0].path, f[i].path,
			              (unsigned long long)seed0, (unsigned long long)seed);
			goto out;
		}
		if (!sha || strcmp(sha, sha0) != 0) {
			h5u_fail_user(cx, SMAB_EINVAL, "%s and %s come from different configurations "
			              "(config digest %.12s... and %.12s...): they are not shards of "
			              "one run", f[0].path, f[i].path, sha0, sha ? sha : "none");
			goto out;
		}
		if (f[i].format != f[0].format) {
			h5u_fail_user(cx, SMAB_EINVAL, "%s and %s have different file formats (%d and "
			              "%d): they were written by different smab versions", f[0].path,
			              f[i].path, f[0].format, f[i].format);
			goto out;
		}
		/* Implied by the digest; checked so a damaged file is caught here. */
		if (f[i].P != f[0].P || f[i].R != f[0].R || f[i].C != f[0].C ||
		    f[i].nmech != f[0].nmech || f[i].nmetric != f[0].nmetric) {
			h5u_fail_user(cx, SMAB_EINVAL, "%s and %s have different shapes despite "
			              "the same configuration: is one damaged?", f[0].path, f[i].path);
			goto out;
		}
	}
out:
	free(sha0);
	free(sha);
	return cx->status;
}

/* "0/4, 2/4" of the files that carry a shard mark, for messages. */
static void shard_list(h5u_rfile *f, int n, char *buf, size_t len, h5ctx *cx)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		char *s = NULL;
		if (h5u_get_str(f[i].file, f[i].path, "shard", &s, cx) == SMAB_OK && s) {
			size_t at = strlen(buf);
			snprintf(buf + at, len - at, "%s%s", at ? ", " : "", s);
		}
		free(s);
	}
}

/* owner[t] = the one file in which task t is done.  Overlaps and gaps are
 * refused with the first offending task and how many there are. */
static int assign(h5u_rfile *f, int n, int *owner, h5ctx *cx)
{
	size_t T = (size_t)(f[0].P * f[0].R), R = (size_t)f[0].R;
	size_t nover = 0, ngap = 0, first_over = 0, first_gap = 0;
	int a = 0, b = 0;
	for (size_t t = 0; t < T; t++) {
		owner[t] = -1;
		for (int i = 0; i < n; i++) {
			if (!f[i].done[t])
				continue;
			if (owner[t] >= 0) {
				if (nover++ == 0) {
					first_over = t;
					a = owner[t];
					b = i;
				}
				continue;
			}
			owner[t] = i;
		}
		if (owner[t] < 0 && ngap++ == 0)
			first_gap = t;
	}
	char shards[256];
	if (nover) {
		h5u_fail_user(cx, SMAB_EINVAL, "the files overlap: %zu task%s done in more than one "
		              "file, first point %zu replication %zu in both %s and %s; merge "
		              "each shard once", nover, nover == 1 ? " is" : "s are",
		              first_over / R, first_over % R, f[a].path, f[b].path);
	} else if (ngap) {
		shard_list(f, n, shards, sizeof shards, cx);
		h5u_fail_user(cx, SMAB_EINVAL, "the files leave a gap: %zu of %zu task%s done in "
		              "none of them, first point %zu replication %zu (shards given: %s); "
		              "a shard is missing or unfinished: finish it with 'smab run "
		              "--shard I/N --resume'", ngap, T, T == 1 ? "" : "s",
		              first_gap / R, first_gap % R, shards[0] ? shards : "none marked");
	}
	return cx->status;
}

/* Byte copy of src to dst (the merged file starts as the first shard). */
static int copy_file(const char *src, const char *dst, h5ctx *cx)
{
	FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
	char buf[1 << 16];
	size_t n;
	int ok = in && out;
	while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	ok = ok && !ferror(in);
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		ok = 0;
	if (!ok)
		h5u_fail_user(cx, SMAB_EIO, "cannot copy %s to %s: %s", src, dst, strerror(errno));
	return cx->status;
}

/* Dataset 'path' of the output: for every point, take the rows
 * (replications) owned by file 'i' from that file.  'per' values of type
 * mtype (size 'size') per task: 1, or C for a curve. */
static int fill_from(hid_t out, h5u_rfile *src, const char *path, const int *owner,
                     int i, hid_t mtype, size_t size, size_t per, h5ctx *cx)
{
	hid_t din = -1, dout = -1, fsi = -1, fso = -1, ms = -1;
	size_t R = (size_t)src->R, row = per * size;
	unsigned char *a = smab_xmalloc(R * row + 1), *b = smab_xmalloc(R * row + 1);
	hsize_t n = R * per;
	/* The third count is ignored for the rank-2 datasets. */
	hsize_t count[3] = {1, src->R, per};
	H5OK(din = H5Dopen2(src->file, path, H5P_DEFAULT), "cannot open %s of %s", path, src->path);
	H5OK(dout = H5Dopen2(out, path, H5P_DEFAULT), "cannot open %s of the merged file", path);
	H5OK(fsi = H5Dget_space(din), "cannot get the shape of %s", path);
	H5OK(fso = H5Dget_space(dout), "cannot get the shape of %s", path);
	H5OK(ms = H5Screate_simple(1, &n, NULL), "cannot make a dataspace");
	for (size_t p = 0; p < (size_t)src->P; p++) {
		int any = 0;
		for (size_t r = 0; r < R; r++)
			any |= owner[p * R + r] == i;
		if (!any)
			continue;
		hsize_t start[3] = {p, 0, 0};
		H5OK(H5Sselect_hyperslab(fsi, H5S_SELECT_SET, start, NULL, count, NULL),
		     "cannot select point %zu of %s", p, path);
		H5OK(H5Sselect_hyperslab(fso, H5S_SELECT_SET, start, NULL, count, NULL),
		     "cannot select point %zu of %s", p, path);
		H5OK(H5Dread(din, mtype, ms, fsi, H5P_DEFAULT, a), "cannot read %s of %s", path,
		     src->path);
		H5OK(H5Dread(dout, mtype, ms, fso, H5P_DEFAULT, b), "cannot read %s", path);
		for (size_t r = 0; r < R; r++)
			if (owner[p * R + r] == i)
				memcpy(b + r * row, a + r * row, row);
		H5OK(H5Dwrite(dout, mtype, ms, fso, H5P_DEFAULT, b), "cannot write %s", path);
	}
out:
	CLOSE(H5Sclose, ms);
	CLOSE(H5Sclose, fsi);
	CLOSE(H5Sclose, fso);
	CLOSE(H5Dclose, din);
	CLOSE(H5Dclose, dout);
	free(a);
	free(b);
	return cx->status;
}

/* Copy every per-task dataset's rows owned by file i into the output. */
static int fill_all(hid_t out, h5u_rfile *src, const int *owner, int i, h5ctx *cx)
{
	char path[512];
	size_t C = (size_t)src->C;
	if (fill_from(out, src, "/tasks/seconds", owner, i, H5T_NATIVE_DOUBLE, sizeof(double), 1, cx))
		return cx->status;
	if (src->format >= 2 && fill_from(out, src, "/tasks/checksum", owner, i,
	                                  H5T_NATIVE_UINT32, sizeof(uint32_t), 1, cx))
		return cx->status;
	for (int k = 0; k < src->nmech; k++)
		for (int m = 0; m < src->nmetric; m++) {
			snprintf(path, sizeof path, "/results/%s/%s", src->mech[k], src->metric[m]);
			if (fill_from(out, src, path, owner, i, H5T_NATIVE_DOUBLE, sizeof(double), 1, cx))
				return cx->status;
			snprintf(path, sizeof path, "/results/%s/%s_curve", src->mech[k], src->metric[m]);
			if (C == 0 || H5Lexists(src->file, path, H5P_DEFAULT) <= 0) {
				H5Eclear2(H5E_DEFAULT);
				continue;
			}
			if (fill_from(out, src, path, owner, i, H5T_NATIVE_DOUBLE, sizeof(double), C, cx))
				return cx->status;
		}
	/* Last, as in a run: the flags that say the rows above are in. */
	return fill_from(out, src, "/tasks/done", owner, i, H5T_NATIVE_UCHAR, 1, 1, cx);
}

/* Every input intact: its done tasks pass their checksums. */
static int inputs_intact(h5u_rfile *f, int n, h5ctx *cx)
{
	for (int i = 0; i < n && h5u_intact(&f[i], cx) == SMAB_OK; i++)
		;
	return cx->status;
}

/* The merged file's /history: every input's sessions in input order,
 * renumbered, then this merge (the inputs are format 2 or later).  A
 * session still 'running' in an input never ended there, and never will
 * in the merged file: it is 'interrupted' there. */
static int join_history(hid_t fo, h5u_rfile *f, int n, h5ctx *cx)
{
	h5u_session *all = smab_xcalloc(H5U_HISTORY_ROWS, sizeof *all);
	h5u_session *rows = smab_xcalloc(H5U_HISTORY_ROWS, sizeof *rows);
	hid_t d = -1, t = -1;
	int k = 0;
	int64_t ndone = 0;
	for (int r = 0; r < H5U_HISTORY_ROWS; r++)
		h5u_session_blank(&all[r]);
	for (int i = 0; i < n && cx->status == SMAB_OK; i++) {
		if (h5u_read_history(&f[i], rows, cx))
			break;
		for (int r = 0; r < H5U_HISTORY_ROWS && k < H5U_HISTORY_ROWS - 1; r++)
			if (rows[r].session > 0) {
				all[k] = rows[r];
				all[k].session = k + 1;
				h5u_session_close_dead(&all[k]);
				k++;
			}
		for (size_t j = 0; j < (size_t)(f[i].P * f[i].R); j++)
			ndone += f[i].done[j];
	}
	if (cx->status)
		goto out;
	h5u_session_now(&all[k], "merge", k + 1, 1, NULL, 0);
	h5u_utc_now(all[k].ended, sizeof all[k].ended);
	all[k].tasks_after = ndone;
	snprintf(all[k].outcome, sizeof all[k].outcome, "%s", H5U_FINISHED);
	H5OK(t = h5u_session_type(), "cannot make the /history type");
	H5OK(d = H5Dopen2(fo, "/history", H5P_DEFAULT), "cannot open /history of the merged file");
	H5OK(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, all), "cannot write /history of the "
	     "merged file");
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Tclose, t);
	free(all);
	free(rows);
	return cx->status;
}

/* The output may be written: a sound path, not an input, not an existing
 * file unless 'force', and never a file another smab process is writing. */
static int output_ok(const char *const *in, int nin, const char *out, int force, h5ctx *cx)
{
	char why[512];
	if (smab_out_check_path(out, why, sizeof why) != SMAB_OK) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s", why);
		return cx->status;
	}
	/* The same file under another name (./x.h5, an absolute path, a link)
	 * is still an input: compare inodes, not spellings. */
	for (int i = 0; i < nin; i++)
		if (strcmp(in[i], out) == 0 || smab_out_same_file(in[i], out)) {
			h5u_fail_user(cx, SMAB_EINVAL, "the output %s is also an input (%s)", out, in[i]);
			return cx->status;
		}
	if (access(out, F_OK) == 0) {
		if (!force)
			h5u_fail_user(cx, SMAB_EINVAL, "%s already exists: pass --force to replace it",
			              out);
		else if (smab_out_check_free(out, why, sizeof why) != SMAB_OK)
			h5u_fail_user(cx, SMAB_EBUSY, "%s", why);
	}
	return cx->status;
}

int smab_h5_merge(const char *const *in, int nin, const char *out, int force,
                  char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!in || nin < 1 || !out) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_merge: no input or no output");
		return cx->status;
	}
	if (output_ok(in, nin, out, force, cx))
		return cx->status;
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile *f = smab_xcalloc((size_t)nin, sizeof *f);
	int *owner = NULL, opened = 0;
	hid_t fo = -1, fapl = -1;
	char *tmp = NULL;
	struct stat st0;
	for (; opened < nin; opened++)
		if (h5u_rfile_open(&f[opened], in[opened], 0, cx))
			goto out;
	if (current_format(f, nin, cx) || same_experiment(f, nin, cx) ||
	    inputs_intact(f, nin, cx))
		goto out;
	owner = smab_xmalloc((size_t)(f[0].P * f[0].R + 1) * sizeof *owner);
	if (assign(f, nin, owner, cx))
		goto out;
	/* Room for the copy, its coalition tables and the summaries. */
	char why[512];
	if (stat(in[0], &st0) == 0 &&
	    smab_out_check_space(out, 1.2 * (double)st0.st_size + (1 << 20), why,
	                         sizeof why) != SMAB_OK) {
		h5u_fail_user(cx, SMAB_EIO, "%s", why);
		goto out;
	}
	smab_out_clean_stale(out);
	tmp = smab_out_tmpname(out);
	smab_par_stop_unlink(tmp);   /* a stop signal now removes it */
	if (copy_file(in[0], tmp, cx))
		goto out;
	fapl = h5u_fapl_serial();
	H5OK(fo = H5Fopen(tmp, H5F_ACC_RDWR, fapl), "cannot open %s", tmp);
	for (int i = 1; i < nin; i++)
		if (fill_all(fo, &f[i], owner, i, cx))
			goto out;
	/* Not a shard any more: an ordinary file, resumable as a whole run. */
	if (H5Aexists(fo, "shard") > 0)
		H5OK(H5Adelete(fo, "shard"), "cannot remove the shard mark of %s", out);
	H5Eclear2(H5E_DEFAULT);
	if (f[0].format >= 2 && join_history(fo, f, nin, cx))
		goto out;
	h5u_close_file(&fo, tmp, cx);
out:
	if (fo >= 0)
		h5u_close_file(&fo, tmp, cx);
	CLOSE(H5Pclose, fapl);
	for (int i = 0; i < opened; i++)
		h5u_rfile_close(&f[i], cx);
	free(f);
	free(owner);
	h5u_quiet_off(&q);
	if (cx->status == SMAB_OK)
		cx->status = smab_h5_summarize(tmp, err, errlen);
	/* A shard has no coalition tables (it holds only some coalitions):
	 * the merged file gets them, before it is published. */
	smab_coaltab_opts co = {.write = 1, .if_any = 1};
	if (cx->status == SMAB_OK && smab_coaltab(tmp, &co, why, sizeof why) != SMAB_OK)
		h5u_fail_user(cx, SMAB_EIO, "the coalition tables: %s", why);
	if (cx->status == SMAB_OK)
		cx->status = smab_out_publish(tmp, out, force, err, errlen);
	if (tmp && cx->status != SMAB_OK)
		remove(tmp);
	smab_par_stop_unlink(NULL);
	free(tmp);
	return cx->status;
}
