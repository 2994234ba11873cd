/* test_outfile.c - a result file's path checks, temporary name, exclusive
 * publication and writer's lock (src/outfile.c). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "smab/outfile.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/smab-outfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *at(const char *name)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, 256, "%s/%s", dir, name);
	return b;
}

static void touch(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(test_check_path)
{
	char err[512];
	ck_assert_int_eq(smab_out_check_path(at("new.h5"), err, sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_out_check_path("", err, sizeof err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	ck_assert_int_eq(smab_out_check_path("results/", err, sizeof err), SMAB_EINVAL);
	ck_assert_int_eq(smab_out_check_path("/dev/null", err, sizeof err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	ck_assert_int_eq(smab_out_check_path(dir, err, sizeof err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "directory"));
	/* The limit is on the absolute form, whatever the spelling. */
	char longp[SMAB_OUT_PATH_MAX + 2];
	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = '\0';
	ck_assert_int_eq(smab_out_check_path(longp, err, sizeof err), SMAB_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at most 240"));
	longp[SMAB_OUT_PATH_MAX] = '\0';
	ck_assert_int_eq(smab_out_check_path(longp, err, sizeof err), SMAB_OK);
	ck_assert_int_eq(chdir(dir), 0);
	memset(longp, 'b', sizeof longp - 1);
	longp[SMAB_OUT_PATH_MAX - strlen(dir) - 1] = '\0';
	ck_assert_int_eq(smab_out_check_path(longp, err, sizeof err), SMAB_OK);
	strcat(longp, "b");
	ck_assert_int_eq(smab_out_check_path(longp, err, sizeof err), SMAB_EINVAL);
}
END_TEST

START_TEST(test_same_file)
{
	touch(at("a.h5"), "x");
	ck_assert_int_eq(symlink(at("a.h5"), at("link.h5")), 0);
	ck_assert_int_eq(smab_out_same_file(at("a.h5"), at("link.h5")), 1);
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(smab_out_same_file("./a.h5", at("a.h5")), 1);
	touch(at("b.h5"), "x");
	ck_assert_int_eq(smab_out_same_file(at("a.h5"), at("b.h5")), 0);
	ck_assert_int_eq(smab_out_same_file(at("a.h5"), at("none.h5")), 0);
}
END_TEST

START_TEST(test_tmpname)
{
	char *t1 = smab_out_tmpname("results/x.h5"), *t2 = smab_out_tmpname("results/x.h5");
	char *t3 = smab_out_tmpname("x.h5");
	ck_assert_int_eq(strncmp(t1, "results/.x.h5.smab-", 19), 0);
	ck_assert_str_ne(t1, t2);
	ck_assert_int_eq(strncmp(t3, ".x.h5.smab-", 11), 0);
	free(t1);
	free(t2);
	free(t3);
}
END_TEST

/* A killed build's temporary file goes; a live one's and others stay. */
START_TEST(test_clean_stale)
{
	char *live = smab_out_tmpname(at("x.h5"));
	touch(live, "live");
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	/* the same name as 'live' but for the dead child's pid */
	char dead[512], other[512], mine[256];
	snprintf(mine, sizeof mine, "-%ld-", (long)getpid());
	const char *at_pid = strstr(live, mine);
	ck_assert_ptr_nonnull(at_pid);
	snprintf(dead, sizeof dead, "%.*s-%ld-7.tmp", (int)(at_pid - live), live, (long)pid);
	snprintf(other, sizeof other, "%s/.x.h5.smab-elsewhere-%ld-0.tmp", dir, (long)pid);
	touch(dead, "dead");
	touch(other, "other host");
	touch(at("y.h5"), "unrelated");
	ck_assert_int_eq(smab_out_clean_stale(at("x.h5")), 1);
	ck_assert_int_eq(access(dead, F_OK), -1);
	ck_assert_int_eq(access(live, F_OK), 0);
	ck_assert_int_eq(access(other, F_OK), 0);
	ck_assert_int_eq(access(at("y.h5"), F_OK), 0);
	free(live);
}
END_TEST

START_TEST(test_publish)
{
	char err[512];
	touch(at("t1"), "one");
	ck_assert_int_eq(smab_out_publish(at("t1"), at("out.h5"), 0, err, sizeof err), SMAB_OK);
	ck_assert_str_eq(slurp(at("out.h5")), "one");
	ck_assert_int_eq(access(at("t1"), F_OK), -1);
	/* Not replacing: an existing file is left as it is, so is the temporary. */
	touch(at("t2"), "two");
	ck_assert_int_eq(smab_out_publish(at("t2"), at("out.h5"), 0, err, sizeof err),
	                 SMAB_EEXIST);
	ck_assert_str_eq(slurp(at("out.h5")), "one");
	ck_assert_ptr_nonnull(strstr(err, "appeared"));
	/* Replacing. */
	ck_assert_int_eq(smab_out_publish(at("t2"), at("out.h5"), 1, err, sizeof err), SMAB_OK);
	ck_assert_str_eq(slurp(at("out.h5")), "two");
}
END_TEST

START_TEST(test_lock)
{
	char err[512];
	int a = -1, b = -1;
	touch(at("f.h5"), "data");
	ck_assert_int_eq(smab_out_locked(at("f.h5")), 0);
	ck_assert_int_eq(smab_out_lock(at("f.h5"), &a, err, sizeof err), SMAB_OK);
	ck_assert_int_ge(a, 0);
	/* Open-file-description locks conflict even within one process. */
	ck_assert_int_eq(smab_out_locked(at("f.h5")), 1);
	ck_assert_int_eq(smab_out_lock(at("f.h5"), &b, err, sizeof err), SMAB_EBUSY);
	ck_assert_int_eq(b, -1);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	ck_assert_int_eq(smab_out_check_free(at("f.h5"), err, sizeof err), SMAB_EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	/* Another descriptor of the file opened and closed (as HDF5 does)
	 * does not drop it. */
	int other = open(at("f.h5"), O_RDONLY);
	close(other);
	ck_assert_int_eq(smab_out_locked(at("f.h5")), 1);
	/* The lock follows the file through a rename (a published run). */
	ck_assert_int_eq(rename(at("f.h5"), at("g.h5")), 0);
	ck_assert_int_eq(smab_out_locked(at("g.h5")), 1);
	smab_out_unlock(&a);
	ck_assert_int_eq(a, -1);
	ck_assert_int_eq(smab_out_locked(at("g.h5")), 0);
	ck_assert_int_eq(smab_out_check_free(at("g.h5"), err, sizeof err), SMAB_OK);
	/* A killed holder leaves no lock behind. */
	pid_t pid = fork();
	if (pid == 0) {
		int fd;
		smab_out_lock(at("g.h5"), &fd, err, sizeof err);
		pause();
		_exit(0);
	}
	for (int i = 0; i < 200 && !smab_out_locked(at("g.h5")); i++)
		usleep(10000);
	ck_assert_int_eq(smab_out_locked(at("g.h5")), 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(smab_out_locked(at("g.h5")), 0);
	ck_assert_int_eq(smab_out_lock(at("missing.h5"), &b, err, sizeof err), SMAB_EIO);
}
END_TEST

START_TEST(test_space)
{
	char err[512], buf[32];
	ck_assert_int_eq(smab_out_check_space(at("x.h5"), 1.0, err, sizeof err), SMAB_OK);
	ck_assert_int_eq(smab_out_check_space(at("x.h5"), 1e30, err, sizeof err), SMAB_EIO);
	ck_assert_ptr_nonnull(strstr(err, "not enough space"));
	ck_assert_str_eq(smab_out_bytes_str(2.5e6, buf, sizeof buf), "2.5 MB");
	ck_assert_str_eq(smab_out_bytes_str(999, buf, sizeof buf), "999 bytes");
}
END_TEST

START_TEST(test_make_parents)
{
	char err[512];
	ck_assert_int_eq(smab_out_make_parents(at("p/q/r.h5"), err, sizeof err), SMAB_OK);
	struct stat st;
	ck_assert_int_eq(stat(at("p/q"), &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	touch(at("file"), "x");
	ck_assert_int_eq(smab_out_make_parents(at("file/s/t.h5"), err, sizeof err), SMAB_EIO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outfile");
	TCase *tc = tcase_create("outfile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_check_path);
	tcase_add_test(tc, test_same_file);
	tcase_add_test(tc, test_tmpname);
	tcase_add_test(tc, test_clean_stale);
	tcase_add_test(tc, test_publish);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_space);
	tcase_add_test(tc, test_make_parents);
	suite_add_tcase(s, tc);
	return smab_check_main(s);
}
