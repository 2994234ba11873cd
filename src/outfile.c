/* outfile.c - a result file's path, temporary name, publication, lock and
 * space (see outfile.h).  Plain POSIX and Linux calls; no HDF5, no MPI. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "smab/outfile.h"

/* The byte the writer's lock covers: far past any data, so the lock never
 * overlaps a byte range another tool might lock. */
#define LOCK_AT ((off_t)1 << 62)

const char *smab_out_bytes_str(double bytes, char *buf, size_t len)
{
	static const char *unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
	int u = 0;
	while (bytes >= 1000 && u < 5) {
		bytes /= 1000;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
	return buf;
}

int smab_out_check_path(const char *path, char *err, size_t errlen)
{
	if (!path || !*path) {
		smab_errf(err, errlen, "the output file name is empty");
		return SMAB_EINVAL;
	}
	size_t n = strlen(path);
	if (path[n - 1] == '/') {
		smab_errf(err, errlen, "the output '%s' ends in '/': expected a file name, "
		          "not a directory", path);
		return SMAB_EINVAL;
	}
	size_t abs = n;
	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd)) {
			smab_errf(err, errlen, "cannot tell the working directory: %s", strerror(errno));
			return SMAB_EINVAL;
		}
		abs += strlen(cwd) + 1;
	}
	if (abs > SMAB_OUT_PATH_MAX) {
		smab_errf(err, errlen, "the output path is %zu bytes long as an absolute path; at most "
		          "%d are supported (Open MPI's MPI-IO cannot open longer ones): choose a "
		          "shorter name or directory", abs, SMAB_OUT_PATH_MAX);
		return SMAB_EINVAL;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		smab_errf(err, errlen, "the output %s exists and is %s, not a regular file", path,
		          S_ISDIR(st.st_mode) ? "a directory" : "a device, FIFO or socket");
		return SMAB_EINVAL;
	}
	return SMAB_OK;
}

int smab_out_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (!a || !b || stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int smab_out_make_parents(const char *path, char *err, size_t errlen)
{
	char *d = smab_xstrdup(path);
	int rc = SMAB_OK;
	for (char *s = d + 1; *s && rc == SMAB_OK; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0777) != 0 && errno != EEXIST) {
			smab_errf(err, errlen, "cannot create the directory %s: %s", d, strerror(errno));
			rc = SMAB_EIO;
		}
		*s = '/';
	}
	free(d);
	return rc;
}

/* This host's name, cut at the first dot and kept to file-name-safe
 * characters: temporary names say where their builder runs. */
static void host_tag(char *buf, size_t len)
{
	char h[256] = "";
	if (gethostname(h, sizeof h - 1) != 0)
		h[0] = '\0';
	size_t n = 0;
	for (const char *p = h; *p && *p != '.' && n + 1 < len; p++)
		buf[n++] = (isalnum((unsigned char)*p) || *p == '-' || *p == '_') ? *p : '_';
	buf[n] = '\0';
	if (!n)
		snprintf(buf, len, "host");
}

/* ".<base>.smab-<host>-": how the temporary names of output 'base' built on
 * this host begin.  The base is cut so that the whole name, with a pid, a
 * serial and ".tmp", stays within NAME_MAX: a base name the path check
 * accepts (up to SMAB_OUT_PATH_MAX) plus the host and pid could exceed it,
 * and the build would fail on a name the user never chose. */
static void tmp_prefix(const char *base, char *buf, size_t len)
{
	char host[33];
	host_tag(host, sizeof host);
	/* the dot, ".smab-", the host, "-", then "<pid>-<serial>.tmp" */
	size_t fixed = 1 + 6 + strlen(host) + 1 + 20 + 1 + 10 + 4;
	snprintf(buf, len, ".%.*s.smab-%s-", (int)(NAME_MAX - fixed), base, host);
}

char *smab_out_tmpname(const char *path)
{
	static unsigned serial;
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	char prefix[NAME_MAX + 1];
	tmp_prefix(path + dir, prefix, sizeof prefix);
	size_t len = dir + strlen(prefix) + 48;
	char *t = smab_xmalloc(len);
	snprintf(t, len, "%.*s%s%ld-%u.tmp", (int)dir, path, prefix, (long)getpid(), serial++);
	return t;
}

int smab_out_clean_stale(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d = slash ? smab_xstrdup(path) : smab_xstrdup(".");
	if (slash)
		d[slash == path ? 1 : slash - path] = '\0';
	char prefix[NAME_MAX + 1];
	tmp_prefix(slash ? slash + 1 : path, prefix, sizeof prefix);
	size_t pl = strlen(prefix);
	int removed = 0;
	DIR *dir = opendir(d);
	struct dirent *de;
	while (dir && (de = readdir(dir))) {
		char *end;
		if (strncmp(de->d_name, prefix, pl) != 0)
			continue;
		long pid = strtol(de->d_name + pl, &end, 10);
		if (end == de->d_name + pl || *end != '-' || pid <= 0 ||
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".tmp") != 0)
			continue;
		/* Built on this host by a process that is gone: a killed build. */
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *full = smab_xmalloc(strlen(d) + strlen(de->d_name) + 2);
		sprintf(full, "%s/%s", d, de->d_name);
		removed += unlink(full) == 0;
		free(full);
	}
	if (dir)
		closedir(dir);
	free(d);
	return removed;
}

static struct flock lock_desc(short type)
{
	struct flock fl;
	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = LOCK_AT;
	fl.l_len = 1;
	return fl;
}

/* Errors that mean "this file system has no such locks". */
static int no_locks(int e)
{
	return e == ENOSYS || e == EOPNOTSUPP || e == ENOLCK || e == EINVAL;
}

/* The one message for a file a live writer holds; returns SMAB_EBUSY. */
static int in_use(const char *path, char *err, size_t errlen)
{
	smab_errf(err, errlen, "%s is in use: another smab process (a run, a merge or "
	          "'smab shapley') is writing it; wait for it to end or stop it first", path);
	return SMAB_EBUSY;
}

int smab_out_check_free(const char *path, char *err, size_t errlen)
{
	return smab_out_locked(path) ? in_use(path, err, errlen) : SMAB_OK;
}

int smab_out_lock(const char *path, int *fd, char *err, size_t errlen)
{
	/* A write lock needs a descriptor open for writing. */
	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		smab_errf(err, errlen, "cannot open %s for writing: %s", path, strerror(errno));
		return SMAB_EIO;
	}
	struct flock fl = lock_desc(F_WRLCK);
	if (fcntl(*fd, F_OFD_SETLK, &fl) == 0)
		return SMAB_OK;
	int e = errno;
	close(*fd);
	*fd = -1;
	if (e == EAGAIN || e == EACCES)
		return in_use(path, err, errlen);
	if (no_locks(e)) {
		smab_errf(err, errlen, "no lock: the file system supports no byte-range locks "
		          "(%s), so nothing keeps a second smab process (a run, a merge, 'smab "
		          "shapley') from writing the file at the same time; going on, but start "
		          "one writer per file", strerror(e));
		return SMAB_OK;
	}
	smab_errf(err, errlen, "cannot lock %s: %s", path, strerror(e));
	return SMAB_EIO;
}

void smab_out_unlock(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int smab_out_locked(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct flock fl = lock_desc(F_WRLCK);
	int held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

/* fsync the directory holding 'path', so a rename in it survives a crash
 * of the machine; a file system that cannot is not an error. */
static void sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d = slash ? smab_xstrdup(path) : smab_xstrdup(".");
	if (slash)
		d[slash == path ? 1 : slash - path] = '\0';
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(d);
}

/* Rename tmp to path unless path exists: 0, or the errno. */
static int rename_new(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno;
	/* No RENAME_NOREPLACE here: link() fails as well on an existing
	 * target, and is just as atomic. */
	if (link(tmp, path) != 0)
		return errno;
	unlink(tmp);
	return 0;
}

/* Rename tmp over the existing file path unless a live writer holds its
 * lock.  A read lock on the writer's byte, held across the rename, is
 * refused while a writer holds it and keeps any from taking it meanwhile:
 * checking first (smab_out_locked) would leave a window in which a racing
 * run publishes that file and starts writing it.  0, ENOENT if path went
 * away, EBUSY, or the errno of the rename. */
static int rename_over(const char *tmp, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return ENOENT;
	struct flock fl = lock_desc(F_RDLCK);
	if (fd >= 0 && fcntl(fd, F_OFD_SETLK, &fl) != 0 && !no_locks(errno)) {
		int e = errno;
		close(fd);
		return e == EAGAIN || e == EACCES ? EBUSY : e;
	}
	int e = rename(tmp, path) == 0 ? 0 : errno;
	if (fd >= 0)
		close(fd);
	return e;
}

int smab_out_publish(const char *tmp, const char *path, int replace, char *err,
                     size_t errlen)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)) {
		smab_errf(err, errlen, "cannot flush %s to disk: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return SMAB_EIO;
	}
	close(fd);
	int e = rename_new(tmp, path);
	/* Replacing: only a file no live process is writing (one that goes
	 * away meanwhile is simply created). */
	for (int tries = 0; replace && e == EEXIST && tries < 100; tries++)
		if ((e = rename_over(tmp, path)) == ENOENT)
			e = rename_new(tmp, path);
	if (e == EBUSY)
		return in_use(path, err, errlen);
	if (e == EEXIST) {
		smab_errf(err, errlen, "%s appeared while this one was being made (another run "
		          "writing the same file?): it is left as it is", path);
		return SMAB_EEXIST;
	}
	if (e) {
		smab_errf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(e));
		return SMAB_EIO;
	}
	sync_dir(path);
	return SMAB_OK;
}

int smab_out_check_space(const char *path, double bytes, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *d = slash ? smab_xstrdup(path) : smab_xstrdup(".");
	if (slash)
		d[slash == path ? 1 : slash - path] = '\0';
	struct statvfs sv;
	int rc = SMAB_OK;
	if (statvfs(d, &sv) == 0 && sv.f_frsize > 0) {
		double avail = (double)sv.f_bavail * (double)sv.f_frsize;
		if (avail < bytes) {
			char a[32], b[32];
			smab_errf(err, errlen, "not enough space for %s: it needs %s, the file system of "
			          "%s has %s free", path, smab_out_bytes_str(bytes, a, sizeof a), d,
			          smab_out_bytes_str(avail, b, sizeof b));
			rc = SMAB_EIO;
		}
	}
	free(d);
	return rc;
}
