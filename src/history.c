/* history.c - the rows of /history (history.h): their HDF5 type, a row for
 * the session beginning now, reading them from files of any row type, and
 * the table 'smab info' and 'smab summary --history' print.  Plain HDF5,
 * no MPI: the engine gathers the ranks' host names (par.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smab/h5out.h"
#include "history.h"

#define FIELD(m) offsetof(h5u_session, m), sizeof ((h5u_session *)0)->m

hid_t h5u_session_type(void)
{
	static const struct {
		const char *name;
		size_t off, len;
		int str;
	} f[] = {
		{"session", FIELD(session), 0},
		{"started_utc", FIELD(started), 1},
		{"ended_utc", FIELD(ended), 1},
		{"action", FIELD(action), 1},
		{"smab_version", FIELD(version), 1},
		{"git_commit", FIELD(commit), 1},
		{"host", FIELD(host), 1},
		{"slurm_job", FIELD(job), 1},
		{"ranks", FIELD(ranks), 0},
		{"tasks_before", FIELD(tasks_before), 0},
		{"tasks_after", FIELD(tasks_after), 0},
		{"build_flags", FIELD(flags), 1},
		{"hosts", FIELD(hosts), 1},
		{"slurm_array_task", FIELD(array_task), 0},
		{"resubmission", FIELD(resubmission), 0},
		{"outcome", FIELD(outcome), 1},
	};
	hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(h5u_session)), st = -1;
	herr_t rc = t < 0 ? -1 : 0;
	for (size_t i = 0; rc >= 0 && i < sizeof f / sizeof f[0]; i++) {
		if (!f[i].str) {
			rc = H5Tinsert(t, f[i].name, f[i].off, H5T_STD_I64LE);
			continue;
		}
		st = H5Tcopy(H5T_C_S1);
		rc = st < 0 || H5Tset_size(st, f[i].len) < 0 ||
		     H5Tset_strpad(st, H5T_STR_NULLTERM) < 0 ||
		     H5Tinsert(t, f[i].name, f[i].off, st) < 0 ? -1 : 0;
		if (st >= 0)
			H5Tclose(st);
	}
	if (rc < 0 && t >= 0) {
		H5Tclose(t);
		t = -1;
	}
	return t;
}

void h5u_session_blank(h5u_session *s)
{
	memset(s, 0, sizeof *s);
	s->array_task = -1;
}

const char *h5u_this_commit(void)
{
	const char *c = getenv("SMAB_TEST_GIT_COMMIT");
	return c && *c ? c : smab_git_commit;
}

/* A non-negative integer from environment variable 'name', else 'dflt'. */
static int64_t env_count(const char *name, int64_t dflt)
{
	const char *s = getenv(name);
	char *end;
	long long v = s && *s ? strtoll(s, &end, 10) : -1;
	return s && *s && *end == '\0' && v >= 0 ? (int64_t)v : dflt;
}

/* The comma list 'list' into out[len]: whole names as long as they fit,
 * then "+N more" for the rest. */
static void hosts_fit(const char *list, char *out, size_t len)
{
	if (strlen(list) < len) {
		snprintf(out, len, "%s", list);
		return;
	}
	int total = 1;
	for (const char *p = list; *p; p++)
		total += *p == ',';
	/* the longest "+N more" there can be, so whatever is cut fits it */
	char more[32];
	size_t room = len - (size_t)snprintf(more, sizeof more, ",+%d more", total) - 1;
	size_t at = 0;
	int kept = 0;
	for (const char *p = list; *p && kept < total;) {
		size_t n = strcspn(p, ",");
		if (at + (kept ? 1 : 0) + n > room)
			break;
		at += (size_t)snprintf(out + at, len - at, "%s%.*s", kept ? "," : "", (int)n, p);
		kept++;
		p += n + (p[n] == ',');
	}
	snprintf(out + at, len - at, "%s+%d more", kept ? "," : "", total - kept);
}

void h5u_session_now(h5u_session *s, const char *action, int64_t session, int ranks,
                     const char *hosts, int64_t tasks_before)
{
	h5u_session_blank(s);
	s->session = session;
	h5u_utc_now(s->started, sizeof s->started);
	snprintf(s->action, sizeof s->action, "%s", action);
	snprintf(s->version, sizeof s->version, "%s", SMAB_VERSION);
	snprintf(s->commit, sizeof s->commit, "%s", h5u_this_commit());
	snprintf(s->flags, sizeof s->flags, "%s", smab_build_flags);
	if (gethostname(s->host, sizeof s->host - 1) != 0)
		snprintf(s->host, sizeof s->host, "?");
	hosts_fit(hosts && *hosts ? hosts : s->host, s->hosts, sizeof s->hosts);
	const char *job = getenv("SLURM_JOB_ID"), *aj = getenv("SLURM_ARRAY_JOB_ID"),
	           *at = getenv("SLURM_ARRAY_TASK_ID");
	if (aj && at)
		snprintf(s->job, sizeof s->job, "%.14s_%.14s", aj, at);
	else if (job)
		snprintf(s->job, sizeof s->job, "%s", job);
	s->array_task = aj ? env_count("SLURM_ARRAY_TASK_ID", -1) : -1;
	s->resubmission = env_count("SMAB_RESUBMISSION", 0);
	s->ranks = ranks;
	s->tasks_before = tasks_before;
	s->tasks_after = -1;
	snprintf(s->outcome, sizeof s->outcome, "%s", H5U_RUNNING);
}

int h5u_session_close_dead(h5u_session *s)
{
	if (s->session <= 0 || strcmp(s->outcome, H5U_RUNNING) != 0)
		return 0;
	snprintf(s->outcome, sizeof s->outcome, "%s", H5U_INTERRUPTED);
	return 1;
}

int h5u_read_history(h5u_rfile *rf, h5u_session *rows, h5ctx *cx)
{
	hid_t d = -1, t = -1;
	hsize_t n = H5U_HISTORY_ROWS;
	for (size_t i = 0; i < n; i++)
		h5u_session_blank(&rows[i]);
	H5OK(t = h5u_session_type(), "cannot make the /history type");
	H5OK(d = h5u_rfile_dset(rf, "/history", H5T_COMPOUND, 0, 1, &n, cx),
	     "cannot open /history of %s", rf->path);
	/* HDF5 converts compound rows with the destination as background: the
	 * members an older table lacks keep the blank row's values. */
	H5OK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), "cannot read /history of %s",
	     rf->path);
	for (size_t i = 0; i < n; i++) {
		/* fixed strings from the file: terminated whatever they hold */
		h5u_session *r = &rows[i];
		r->started[sizeof r->started - 1] = r->ended[sizeof r->ended - 1] = '\0';
		r->action[sizeof r->action - 1] = r->version[sizeof r->version - 1] = '\0';
		r->commit[sizeof r->commit - 1] = r->host[sizeof r->host - 1] = '\0';
		r->job[sizeof r->job - 1] = r->flags[sizeof r->flags - 1] = '\0';
		r->hosts[sizeof r->hosts - 1] = r->outcome[sizeof r->outcome - 1] = '\0';
	}
out:
	CLOSE(H5Dclose, d);
	CLOSE(H5Tclose, t);
	return cx->status;
}

const char *h5u_session_outcome(const h5u_session *r, int64_t last, int live)
{
	int open = strcmp(r->outcome, H5U_RUNNING) == 0 || (!r->outcome[0] && r->tasks_after < 0);
	if (open)
		return live && r->session == last ? H5U_RUNNING : H5U_INTERRUPTED;
	return r->outcome[0] ? r->outcome : "ended";
}

/* Seconds from a to b, two "YYYY-MM-DDTHH:MM:SSZ" stamps; -1 if either is
 * missing or unreadable. */
static double seconds_between(const char *a, const char *b)
{
	struct tm ta, tb;
	memset(&ta, 0, sizeof ta);
	memset(&tb, 0, sizeof tb);
	const char *ea = *a ? strptime(a, "%Y-%m-%dT%H:%M:%SZ", &ta) : NULL;
	const char *eb = *b ? strptime(b, "%Y-%m-%dT%H:%M:%SZ", &tb) : NULL;
	if (!ea || !eb || *ea || *eb)
		return -1;
	return difftime(timegm(&tb), timegm(&ta));
}

static void duration_str(double s, char *buf, size_t len)
{
	if (s < 0) {
		snprintf(buf, len, "-");
		return;
	}
	long v = (long)s;
	if (v >= 3600)
		snprintf(buf, len, "%ldh%02ldm%02lds", v / 3600, v / 60 % 60, v % 60);
	else if (v >= 60)
		snprintf(buf, len, "%ldm%02lds", v / 60, v % 60);
	else
		snprintf(buf, len, "%lds", v);
}

/* Rank 0's host, then the others of r->hosts. */
static void hosts_str(const h5u_session *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s", r->host[0] ? r->host : "-");
	char *list = smab_xstrdup(r->hosts), *save = NULL;
	for (char *h = strtok_r(list, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
		size_t at = strlen(buf);
		if (strcmp(h, r->host) != 0)
			snprintf(buf + at, len - at, ",%s", h);
	}
	free(list);
}

void h5u_history_print(FILE *out, const h5u_session *rows, int n, int live)
{
	int64_t last = 0, used = 0;
	for (int i = 0; i < n; i++)
		if (rows[i].session > 0) {
			used++;
			if (rows[i].session > last)
				last = rows[i].session;
		}
	if (!used) {
		fprintf(out, "no sessions recorded\n");
		return;
	}
	fprintf(out, "%3s %-7s %-20s %-20s %9s %-11s %-18s %-7s %5s %15s %-14s %5s %s\n",
	        "#", "action", "started (UTC)", "ended (UTC)", "duration", "outcome", "commit",
	        "version", "ranks", "tasks (+done)", "slurm job", "resub", "hosts");
	for (int i = 0; i < n; i++) {
		const h5u_session *r = &rows[i];
		if (r->session <= 0)
			continue;
		char dur[32], tasks[48], hosts[sizeof r->hosts + sizeof r->host + 2];
		duration_str(seconds_between(r->started, r->ended), dur, sizeof dur);
		if (r->tasks_after >= 0)
			snprintf(tasks, sizeof tasks, "%lld->%lld (+%lld)", (long long)r->tasks_before,
			         (long long)r->tasks_after, (long long)(r->tasks_after - r->tasks_before));
		else
			snprintf(tasks, sizeof tasks, "%lld->? (+?)", (long long)r->tasks_before);
		hosts_str(r, hosts, sizeof hosts);
		fprintf(out, "%3lld %-7s %-20s %-20s %9s %-11s %-18s %-7s %5lld %15s %-14s %5lld %s\n",
		        (long long)r->session, r->action, r->started[0] ? r->started : "-",
		        r->ended[0] ? r->ended : "-", dur, h5u_session_outcome(r, last, live),
		        r->commit[0] ? r->commit : "-", r->version[0] ? r->version : "-",
		        (long long)r->ranks, tasks, r->job[0] ? r->job : "-",
		        (long long)r->resubmission, hosts);
	}
}

int smab_h5_set_outcome(const char *path, int slot, int64_t session, const char *outcome,
                        char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !outcome || slot < 0 || slot >= H5U_HISTORY_ROWS) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_h5_set_outcome: no path or outcome, or row %d",
		              slot);
		return cx->status;
	}
	if (h5u_lib_poisoned()) {
		h5u_fail_user(cx, SMAB_EIO, "cannot record the end of session %lld in %s: an "
		              "earlier close failed", (long long)session, path);
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	hid_t fapl = h5u_fapl_serial(), f = -1, d = -1, t = -1, ms = -1, fs = -1;
	hsize_t at = (hsize_t)slot, one = 1;
	h5u_session r;
	h5u_session_blank(&r);
	H5OK(f = H5Fopen(path, H5F_ACC_RDWR, fapl), "cannot open %s", path);
	H5OK(d = H5Dopen2(f, "/history", H5P_DEFAULT), "cannot open /history of %s", path);
	H5OK(t = h5u_session_type(), "cannot make the /history type");
	H5OK(ms = H5Screate_simple(1, &one, NULL), "cannot make a dataspace");
	H5OK(fs = H5Dget_space(d), "cannot get the shape of /history of %s", path);
	H5OK(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL),
	     "cannot select row %d of /history", slot);
	H5OK(H5Dread(d, t, ms, fs, H5P_DEFAULT, &r), "cannot read /history of %s", path);
	if (r.session != session)
		FAIL(SMAB_EINTERNAL, "row %d of /history of %s is session %lld, not %lld", slot,
		     path, (long long)r.session, (long long)session);
	snprintf(r.outcome, sizeof r.outcome, "%s", outcome);
	if (!r.ended[0])
		h5u_utc_now(r.ended, sizeof r.ended);
	H5OK(H5Dwrite(d, t, ms, fs, H5P_DEFAULT, &r), "cannot write /history of %s", path);
out:
	CLOSE(H5Sclose, fs);
	CLOSE(H5Sclose, ms);
	CLOSE(H5Tclose, t);
	CLOSE(H5Dclose, d);
	h5u_close_file(&f, path, cx);
	CLOSE(H5Pclose, fapl);
	h5u_quiet_off(&q);
	return cx->status;
}
