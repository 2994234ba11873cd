/* h5inspect.c - what an existing result file holds before a run resumes
 * it: the same configuration (digest, shard, shape), file format 3, every
 * dataset where its attributes say, the done flags, the tasks and tables
 * whose checksums fail, and from /history the next session and whether
 * the last one was another build.  Serial, read-only, one process (the engine runs
 * it in a child process, guard.h); nothing is written. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smab/h5out.h"
#include "h5util.h"
#include "history.h"

/* What differs between the build of session r and this one, as
 * "session 3 was smab 0.2.0, commit X, built with 'F'; this is ...", or "". */
static void build_change(const h5u_session *r, char *buf, size_t len)
{
	const char *commit = h5u_this_commit();
	/* rows from before build flags were recorded do not compare them; a
	 * row holds the flags cut to its field, so only that much is compared
	 * (a long line of flags would otherwise never equal its own row) */
	int flags = r->flags[0] && strncmp(r->flags, smab_build_flags, sizeof r->flags - 1) != 0;
	buf[0] = '\0';
	if (strcmp(r->version, SMAB_VERSION) == 0 && strcmp(r->commit, commit) == 0 && !flags)
		return;
	snprintf(buf, len, "its last session (%lld, %s) was smab %s, commit %s%s%s%s; this is "
	         "smab %s, commit %s%s%s%s", (long long)r->session, r->action, r->version,
	         r->commit, flags ? ", built with '" : "", flags ? r->flags : "", flags ? "'" : "",
	         SMAB_VERSION, commit, flags ? ", built with '" : "",
	         flags ? smab_build_flags : "", flags ? "'" : "");
}

/* The next session's number and row, and how the last session's build
 * differs from this one, from the rows of /history. */
static void next_session(const h5u_session *rows, smab_h5_info *info)
{
	const h5u_session *last = NULL;
	info->slot = -1;
	for (int i = 0; i < H5U_HISTORY_ROWS; i++) {
		const h5u_session *r = &rows[i];
		if (r->session <= 0 && info->slot < 0)
			info->slot = i;
		if (r->session > 0 && (!last || r->session > last->session))
			last = r;
	}
	/* A full table: later sessions share its last row. */
	if (info->slot < 0)
		info->slot = H5U_HISTORY_ROWS - 1;
	info->session = last ? last->session + 1 : 1;
	info->changed[0] = '\0';
	if (last)
		build_change(last, info->changed, sizeof info->changed);
}

int smab_h5_inspect(const char *path, const smab_plan *pl, const smab_prov *prov,
                    smab_h5_info *info, unsigned char *done, unsigned char *bad,
                    char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	memset(info, 0, sizeof *info);
	if (h5u_check_plan(path, pl, prov, cx))
		return cx->status;
	if (access(path, R_OK | W_OK) != 0) {
		h5u_fail_at(cx, SMAB_EIO, __FILE__, __LINE__, "cannot open %s to resume it: %s",
		            path, strerror(errno));
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	h5u_rfile rf;
	char *sha = NULL, *ver = NULL, *commit = NULL;
	h5u_session *rows = NULL;
	size_t T = (size_t)pl->npoints * (size_t)pl->reps;
	if (h5u_rfile_open(&rf, path, 0, cx)) {
		h5u_quiet_off(&q);
		return cx->status;
	}
	if (h5u_get_str(rf.file, path, "config_sha256", &sha, cx))
		goto out;
	if (!sha) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s is not a smab result file (no config_sha256 "
		              "attribute): use a new output file or --force to replace it", path);
		goto out;
	}
	if (strcmp(sha, prov->sha256) != 0) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s was made by a different configuration "
		              "(config digest %.12s... != %.12s...): use a new output file or "
		              "--force to replace it", path, sha, prov->sha256);
		goto out;
	}
	free(sha);
	sha = NULL;
	/* A shard file is finished by the same shard only. */
	if (h5u_get_str(rf.file, path, "shard", &sha, cx))
		goto out;
	if (sha ? !prov->shard || strcmp(sha, prov->shard) != 0 : prov->shard != NULL) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s holds %s%s, not %s%s: resume it with the "
		              "same --shard", path, sha ? "shard " : "all tasks", sha ? sha : "",
		              prov->shard ? "shard " : "all tasks", prov->shard ? prov->shard : "");
		goto out;
	}
	if (rf.P != (hsize_t)pl->npoints || rf.R != (hsize_t)pl->reps ||
	    rf.C != (hsize_t)pl->ncheck) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s does not match this experiment: /tasks/done is "
		              "%llu x %llu, expected %lld x %d (points x replications), with %llu "
		              "checkpoints for %d", path, (unsigned long long)rf.P,
		              (unsigned long long)rf.R, (long long)pl->npoints, pl->reps,
		              (unsigned long long)rf.C, pl->ncheck);
		goto out;
	}
	if (rf.format < H5U_FORMAT) {
		if (h5u_get_str(rf.file, path, "smab_version", &ver, cx) ||
		    h5u_get_str(rf.file, path, "git_commit", &commit, cx))
			goto out;
		h5u_fail_user(cx, SMAB_EINVAL, "%s has file format %d, written by smab %s (commit "
		              "%s); this smab (%s) resumes format %d only: finish it with the "
		              "build that began it, or start a new file", path, rf.format,
		              ver ? ver : "?", commit ? commit : "?", SMAB_VERSION, H5U_FORMAT);
		goto out;
	}
	rows = smab_xcalloc(H5U_HISTORY_ROWS, sizeof *rows);
	if (h5u_read_history(&rf, rows, cx) || h5u_verify(&rf, bad, &info->nbad, cx))
		goto out;
	next_session(rows, info);
	info->tables_bad = rf.tables_bad;
	if (info->nbad > 0 || info->tables_bad) {
		h5ctx dx = {info->damage, sizeof info->damage, SMAB_OK};
		h5u_fail_damaged(&rf, bad, info->nbad, &dx);
	}
	memcpy(done, rf.done, T);
	for (size_t t = 0; t < T; t++)
		info->ndone += done[t];
out:
	free(sha);
	free(ver);
	free(commit);
	free(rows);
	h5u_rfile_close(&rf, cx);
	h5u_quiet_off(&q);
	return cx->status;
}

