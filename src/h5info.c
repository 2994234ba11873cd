/* h5info.c - 'smab info' and 'smab summary --history' (h5info.h): a result
 * file described for people, from its attributes, /tasks and /history.
 * Serial, read-only; the checksums are reported, not enforced. */
#include <stdlib.h>
#include <string.h>

#include "smab/h5info.h"
#include "smab/outfile.h"
#include "h5util.h"
#include "history.h"

/* The history table of an open file (format 1 has none). */
static int print_history(h5u_rfile *rf, FILE *out, h5ctx *cx)
{
	if (rf->format < 2) {
		fprintf(out, "no session history: file format %d (written before smab 0.2.0)\n",
		        rf->format);
		return cx->status;
	}
	h5u_session *rows = smab_xmalloc(H5U_HISTORY_ROWS * sizeof *rows);
	if (h5u_read_history(rf, rows, cx) == SMAB_OK)
		h5u_history_print(out, rows, H5U_HISTORY_ROWS, smab_out_locked(rf->path));
	free(rows);
	return cx->status;
}

int smab_h5_history(const char *path, FILE *out, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !out) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_history: no path or output stream");
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile rf;
	if (h5u_rfile_open(&rf, path, 0, cx) == SMAB_OK) {
		print_history(&rf, out, cx);
		h5u_rfile_close(&rf, cx);
	}
	h5u_quiet_off(&q);
	return cx->status;
}

/* Root string attribute 'name' of rf, or "?" when absent: printed at once. */
static const char *attr(h5u_rfile *rf, const char *name, char **keep, h5ctx *cx)
{
	free(*keep);
	*keep = NULL;
	if (h5u_get_str(rf->file, rf->path, name, keep, cx) != SMAB_OK || !*keep)
		return "?";
	return *keep;
}

/* The checksum line: verified, damaged (how much), or none to verify. */
static int print_checksums(h5u_rfile *rf, FILE *out, h5ctx *cx)
{
	size_t T = (size_t)(rf->P * rf->R);
	unsigned char *bad = smab_xcalloc(T + 1, 1);
	int64_t nbad = -1;
	if (h5u_verify(rf, bad, &nbad, cx) == SMAB_OK) {
		if (nbad < 0)
			fprintf(out, "checksums   none: file format 1 has none to verify\n");
		else if (nbad == 0 && !rf->tables_bad)
			fprintf(out, "checksums   ok: every done task's results match their checksum\n");
		else
			fprintf(out, "checksums   DAMAGED: %lld task(s) fail their checksum%s; "
			        "'smab verify' lists them, 'smab run ... --resume --repair' "
			        "computes them again\n", (long long)nbad,
			        rf->tables_bad ? ", and /points or /results/checkpoints" : "");
	}
	free(bad);
	return cx->status;
}

int smab_h5_describe(const char *path, FILE *out, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !out) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_describe: no path or output stream");
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile rf;
	char *s = NULL, *mech = NULL, *metric = NULL;
	if (h5u_rfile_open(&rf, path, 0, cx) != SMAB_OK) {
		h5u_quiet_off(&q);
		return cx->status;
	}
	size_t T = (size_t)(rf.P * rf.R), ndone = 0;
	for (size_t i = 0; i < T; i++)
		ndone += rf.done[i];
	mech = h5u_join_list(rf.mech, rf.nmech, ", ");
	metric = h5u_join_list(rf.metric, rf.nmetric, ", ");
	fprintf(out, "file        %s\n", path);
	fprintf(out, "format      %d\n", rf.format);
	fprintf(out, "experiment  %s", attr(&rf, "name", &s, cx));
	fprintf(out, " (suite %s, seed ", attr(&rf, "suite", &s, cx));
	uint64_t seed = 0;
	hid_t a = H5Aexists(rf.file, "seed") > 0 ? H5Aopen(rf.file, "seed", H5P_DEFAULT) : -1;
	if (a >= 0 && H5Aread(a, H5T_NATIVE_UINT64, &seed) >= 0)
		fprintf(out, "%llu)\n", (unsigned long long)seed);
	else
		fprintf(out, "?)\n");
	CLOSE(H5Aclose, a);
	H5Eclear2(H5E_DEFAULT);
	fprintf(out, "created     %s", attr(&rf, "created_utc", &s, cx));
	fprintf(out, " by smab %s", attr(&rf, "smab_version", &s, cx));
	fprintf(out, ", commit %s\n", attr(&rf, "git_commit", &s, cx));
	fprintf(out, "shape       %llu points x %llu replications, %llu checkpoints per curve\n",
	        (unsigned long long)rf.P, (unsigned long long)rf.R, (unsigned long long)rf.C);
	fprintf(out, "mechanisms  %s\nmetrics     %s\n", mech, metric);
	if (h5u_get_str(rf.file, path, "shard", &s, cx) == SMAB_OK && s)
		fprintf(out, "shard       %s (of 'smab run --shard'; 'smab merge' joins the shards)\n", s);
	fprintf(out, "tasks       %zu of %zu done\n", ndone, T);
	if (cx->status == SMAB_OK && print_checksums(&rf, out, cx) == SMAB_OK) {
		if (smab_out_locked(path))
			fprintf(out, "in use      a smab process is writing it now\n");
		fprintf(out, "\nhistory:\n");
		print_history(&rf, out, cx);
	}
	free(s);
	free(mech);
	free(metric);
	h5u_rfile_close(&rf, cx);
	h5u_quiet_off(&q);
	return cx->status;
}
