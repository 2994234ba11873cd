/* h5read.c - the serial readers of a result file: smab_h5_summarize
 * recomputes /summary from /results, smab_h5_report prints it.  Plain
 * serial HDF5 on one process; the file is self-describing (see h5out.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smab/h5out.h"
#include "h5util.h"

/* Level of every confidence interval in the file. */
#define LEVEL 0.95

/* ---- lists ------------------------------------------------------------- */

/* Split a comma list into a NULL-terminated array of fresh strings. */
char **h5u_split_list(const char *s, int *n)
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

void h5u_free_list(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int list_find(char *const *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return i;
	return -1;
}

/* ---- serial readers ---------------------------------------------------- */

/* Read /results/<mech>/<metric> [P,R] into x, NaN where the task is not
 * done (a task killed between its results and its flag must not count). */
static int read_results(h5u_rfile *rf, const char *mech, const char *metric, double *x,
                        h5ctx *cx)
{
	hid_t d = -1;
	char path[512];
	hsize_t dims[2] = {rf->P, rf->R};
	snprintf(path, sizeof path, "/results/%s/%s", mech, metric);
	H5OK(d = h5u_rfile_dset(rf, path, H5T_FLOAT, 8, 2, dims, cx), "cannot open %s", path);
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
/* Store summary rows 'rows' ([dims]) at 'path' under /summary/<mech>,
 * creating the dataset (and groups) when the file lacks it.  0 or -1. */
static int put_summary(hid_t file, const char *fname, const char *mech,
                       const char *path, int rank, const hsize_t *dims,
                       hid_t st, hid_t sm, const smab_summary *rows, h5ctx *cx)
{
	char grp[512];
	hid_t d = -1;
	snprintf(grp, sizeof grp, "/summary/%s", mech);
	if (h5u_ensure_group(file, "/summary", cx) || h5u_ensure_group(file, grp, cx))
		return -1;
	if (H5Lexists(file, path, H5P_DEFAULT) > 0) {
		d = h5u_open_dset(file, fname, path, rank, dims,
		                  rank == 1 ? "points" : "points x checkpoints", cx);
	} else {
		H5Eclear2(H5E_DEFAULT);
		const smab_summary fill = {0, NAN, NAN, NAN, NAN};
		d = h5u_make_dset(file, path, st, rank, dims, sm, &fill, cx);
	}
	H5OK(d, "cannot make %s in %s", path, fname);
	if (dims[0] > 0)
		H5OK(H5Dwrite(d, sm, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows),
		     "cannot write %s of %s", path, fname);
	CLOSE(H5Dclose, d);
	return 0;
out:
	CLOSE(H5Dclose, d);
	return -1;
}

int smab_h5_summarize(const char *path, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_summarize: no path");
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile rf;
	hid_t st = -1, sm = -1, dc = -1, fs = -1, ms = -1;
	double *x = NULL, *xc = NULL;
	smab_summary *sum = NULL, *sumc = NULL;
	if (h5u_rfile_open(&rf, path, 1, cx)) {
		h5u_quiet_off(&q);
		return cx->status;
	}
	size_t P = (size_t)rf.P, R = (size_t)rf.R, C = (size_t)rf.C;
	if (h5u_intact(&rf, cx))
		goto out;
	x = smab_xmalloc((P * R + 1) * sizeof *x);
	xc = smab_xmalloc((R * C + 1) * sizeof *xc);
	sum = smab_xmalloc((P + 1) * sizeof *sum);
	sumc = smab_xmalloc((P * C + 1) * sizeof *sumc);
	H5OK(st = h5u_summary_type(1), "cannot make the summary type");
	H5OK(sm = h5u_summary_type(0), "cannot make the summary type");
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
			if (put_summary(rf.file, path, mn, spath, 1, dp, st, sm, sum, cx))
				goto out;

			snprintf(cpath, sizeof cpath, "/results/%s/%s_curve", mn, tn);
			if (C == 0 || H5Lexists(rf.file, cpath, H5P_DEFAULT) <= 0) {
				H5Eclear2(H5E_DEFAULT);
				continue;
			}
			hsize_t d3[3] = {rf.P, rf.R, rf.C}, one[3] = {1, rf.R, rf.C}, n3 = R * C;
			H5OK(dc = h5u_rfile_dset(&rf, cpath, H5T_FLOAT, 8, 3, d3, cx), "cannot open %s",
			     cpath);
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
			if (put_summary(rf.file, path, mn, spath, 2, dpc, st, sm, sumc, cx))
				goto out;
		}
out:
	CLOSE(H5Sclose, ms);
	CLOSE(H5Sclose, fs);
	CLOSE(H5Dclose, dc);
	CLOSE(H5Tclose, st);
	CLOSE(H5Tclose, sm);
	h5u_rfile_close(&rf, cx);
	free(x);
	free(xc);
	free(sum);
	free(sumc);
	h5u_quiet_off(&q);
	return cx->status;
}

/* ---- report ------------------------------------------------------------ */

void h5u_ptab_free(h5u_ptab *t, size_t P)
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
		smab_real_str(x, buf, len);
	} else if (cls == H5T_FLOAT && sz == sizeof(float)) {
		float x;
		memcpy(&x, v, sizeof x);
		smab_real_str((double)x, buf, len);
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
		/* a BOOL column (format 3) reads as in YAML */
		if (strcmp(buf, "TRUE") == 0 || strcmp(buf, "FALSE") == 0)
			snprintf(buf, len, "%s", buf[0] == 'T' ? "true" : "false");
	} else if (cls == H5T_STRING && H5Tis_variable_str(mt) <= 0) {
		size_t n = sz < len - 1 ? sz : len - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
	} else {
		snprintf(buf, len, "?");
	}
}

int h5u_read_points(h5u_rfile *rf, h5u_ptab *t, h5ctx *cx)
{
	hid_t d = -1, ft = -1, mt = -1, sub = -1;
	unsigned char *rows = NULL;
	int *member = NULL;
	size_t P = (size_t)rf->P;
	hsize_t dims[1] = {rf->P};
	memset(t, 0, sizeof *t);
	t->label = smab_xcalloc(P + 1, sizeof *t->label);
	H5OK(d = h5u_rfile_dset(rf, "/points", H5T_COMPOUND, 0, 1, dims, cx),
	     "cannot open /points of %s", rf->path);
	H5OK(ft = H5Dget_type(d), "cannot get the type of /points");
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
		/* 'label' (format 3) repeats the columns */
		if (strcmp(n, "id") != 0 && (rf->format < 3 || strcmp(n, "label") != 0)) {
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
size_t h5u_text_width(const char *s)
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
	for (size_t i = h5u_text_width(s); i < w + 2; i++)
		fputc(' ', out);
}

static char *cell_text(const smab_summary *s)
{
	char buf[128];
	if (s->n == 0)
		snprintf(buf, sizeof buf, "- (0)");
	else {
		char ci[96];
		smab_ci_format(s->mean, 0.5 * (s->ci_hi - s->ci_lo), ci, sizeof ci);
		snprintf(buf, sizeof buf, "%s (%lld)", ci, (long long)s->n);
	}
	return smab_xstrdup(buf);
}

void h5u_csv_field(FILE *out, const char *s)
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

static void csv_row(FILE *out, size_t p, const h5u_ptab *t, const char *mech,
                    const char *metric, const smab_summary *s)
{
	fprintf(out, "%zu", p);
	for (int j = 0; j < t->ncol; j++) {
		fputc(',', out);
		h5u_csv_field(out, t->cell[p * (size_t)t->ncol + (size_t)j]);
	}
	fputc(',', out);
	h5u_csv_field(out, mech);
	fputc(',', out);
	h5u_csv_field(out, metric);
	/* Shortest text that reads back as the same double: exact, yet 0.4
	 * stays "0.4". */
	char v[4][32];
	smab_real_str(s->mean, v[0], sizeof v[0]);
	smab_real_str(s->sd, v[1], sizeof v[1]);
	smab_real_str(s->ci_lo, v[2], sizeof v[2]);
	smab_real_str(s->ci_hi, v[3], sizeof v[3]);
	fprintf(out, ",%lld,%s,%s,%s,%s\n", (long long)s->n, v[0], v[1], v[2], v[3]);
}

int smab_h5_report(const char *path, const char *metric, const char *vs,
                   int csv, FILE *out, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !out) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_report: no path or output stream");
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile rf;
	h5u_ptab t;
	memset(&t, 0, sizeof t);
	double *x = NULL;
	smab_summary *sum = NULL;
	char **cells = NULL, **head = NULL;
	double *dx = NULL;
	size_t ncells = 0;
	int ncolv = 0;
	if (h5u_rfile_open(&rf, path, 0, cx)) {
		h5u_quiet_off(&q);
		return cx->status;
	}
	size_t P = (size_t)rf.P, R = (size_t)rf.R;
	int K = rf.nmech, vk = -1;
	if (h5u_intact(&rf, cx))
		goto out;
	if (metric && list_find(rf.metric, rf.nmetric, metric) < 0) {
		char *l = h5u_join_list(rf.metric, rf.nmetric, ", ");
		h5u_fail_user(cx, SMAB_EINVAL, "unknown metric '%s' in %s (available: %s)", metric,
		              path, l);
		free(l);
		goto out;
	}
	if (vs && (vk = list_find(rf.mech, K, vs)) < 0) {
		char *l = h5u_join_list(rf.mech, K, ", ");
		h5u_fail_user(cx, SMAB_EINVAL, "unknown mechanism '%s' in %s (available: %s)", vs,
		              path, l);
		free(l);
		goto out;
	}
	if (h5u_read_points(&rf, &t, cx))
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
			h5u_csv_field(out, t.name[j]);
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
			size_t c = i % (size_t)ncols, l = h5u_text_width(cells[i]);
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
	h5u_ptab_free(&t, P);
	h5u_rfile_close(&rf, cx);
	free(x);
	free(sum);
	h5u_quiet_off(&q);
	return cx->status;
}
