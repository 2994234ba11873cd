/* test_site.c - the site file of 'smab submit': a valid file read whole,
 * every class of error reported at its line:col with its key, all of them
 * at once, and which file applies ($SMAB_SITE, XDG, HOME). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "smab/site.h"

/* The errors of site text 'text', printed as smab prints them. */
static char *errors_of(const char *text, int *rc)
{
	smab_errors err;
	smab_site site;
	smab_errors_init(&err, "site.yaml");
	*rc = smab_site_parse(text, strlen(text), &site, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	smab_errors_print(&err, f);
	fclose(f);
	smab_errors_clear(&err);
	smab_site_free(&site);
	return buf;
}

/* Site text 'text' gives exactly the error lines 'want'. */
#define ck_site_errors(text, want)                                          \
	do {                                                                \
		int rc_;                                                    \
		char *got_ = errors_of(text, &rc_);                         \
		ck_assert_int_eq(rc_, SMAB_EINVAL);                         \
		ck_assert_str_eq(got_, want);                               \
		free(got_);                                                 \
	} while (0)

START_TEST(valid_file)
{
	const char *text =
		"# a cluster\n"
		"account: proj_42\npartition: batch,debug\nqos: normal\ntime: 01:00:00\n"
		"launcher: srun --mpi=pmi2\n"
		"setup:\n  - module load openmpi/4 hdf5\n  - export HDF5_USE_FILE_LOCKING=FALSE\n"
		"sbatch: [--gres=gpu:1, --exclusive]\n";
	smab_errors err;
	smab_site s;
	smab_errors_init(&err, "site.yaml");
	ck_assert_int_eq(smab_site_parse(text, strlen(text), &s, &err), SMAB_OK);
	ck_assert_int_eq(err.n, 0);
	ck_assert_str_eq(s.account, "proj_42");
	ck_assert_str_eq(s.partition, "batch,debug");
	ck_assert_str_eq(s.qos, "normal");
	ck_assert_str_eq(s.time, "01:00:00");
	ck_assert_str_eq(s.launcher, "srun --mpi=pmi2");
	ck_assert_int_eq(s.nsetup, 2);
	ck_assert_str_eq(s.setup[0], "module load openmpi/4 hdf5");
	ck_assert_str_eq(s.setup[1], "export HDF5_USE_FILE_LOCKING=FALSE");
	ck_assert_int_eq(s.nsbatch, 2);
	ck_assert_str_eq(s.sbatch[0], "--gres=gpu:1");
	ck_assert_str_eq(s.sbatch[1], "--exclusive");
	smab_site_free(&s);
	smab_errors_clear(&err);
}
END_TEST

START_TEST(empty_file_sets_nothing)
{
	smab_errors err;
	smab_site s;
	smab_errors_init(&err, "site.yaml");
	ck_assert_int_eq(smab_site_parse("# nothing yet\n", 14, &s, &err), SMAB_OK);
	ck_assert_ptr_null(s.account);
	ck_assert_ptr_null(s.launcher);
	ck_assert_int_eq(s.nsetup + s.nsbatch, 0);
	smab_site_free(&s);
	smab_errors_clear(&err);
}
END_TEST

START_TEST(unknown_key_with_hint)
{
	ck_site_errors("partition: p\nacount: a\n",
	               "site.yaml:2:1: error: 'acount': unknown key 'acount'; did you mean "
	               "'account'?\n");
	ck_site_errors("colour: red\n",
	               "site.yaml:1:1: error: 'colour': unknown key 'colour'; expected one of: "
	               "account, partition, qos, time, launcher, setup, sbatch\n");
}
END_TEST

START_TEST(wrong_type)
{
	ck_site_errors("time: [1]\nsetup: module load x\nsbatch: {a: 1}\naccount: \"\"\n",
	               "site.yaml:1:7: error: 'time': expected a string, got a list\n"
	               "site.yaml:2:8: error: 'setup': expected a list of shell lines, got "
	               "'module load x'\n"
	               "site.yaml:3:9: error: 'sbatch': expected a list of sbatch arguments, "
	               "got a mapping\n"
	               "site.yaml:4:10: error: 'account': expected a string, got the string \"\"\n");
	ck_site_errors("setup:\n  - [a]\n  - ok\n",
	               "site.yaml:2:5: error: 'setup': expected a shell line, got a list\n");
}
END_TEST

START_TEST(bad_launcher)
{
	ck_site_errors("launcher: srun\n",
	               "site.yaml:1:11: error: 'launcher': unknown launcher 'srun'; expected one "
	               "of: srun --mpi=pmix, srun --mpi=pmi2, mpirun\n");
	ck_site_errors("launcher: mpirunn\n",
	               "site.yaml:1:11: error: 'launcher': unknown launcher 'mpirunn'; did you "
	               "mean 'mpirun'? (known: srun --mpi=pmix, srun --mpi=pmi2, mpirun)\n");
}
END_TEST

START_TEST(bad_charset)
{
	ck_site_errors("account: a b\nqos: \"$(id)\"\ntime: '1;rm'\npartition: p\\q\n",
	               "site.yaml:1:10: error: 'account': expected letters, digits and _ . -, "
	               "got 'a b'\n"
	               "site.yaml:2:6: error: 'qos': expected letters, digits and _ . -, "
	               "got '$(id)'\n"
	               "site.yaml:3:7: error: 'time': expected digits, ':' and '-' (MM, "
	               "HH:MM:SS, D-HH:MM:SS), got '1;rm'\n"
	               "site.yaml:4:12: error: 'partition': expected letters, digits and "
	               "_ . , -, got 'p\\q'\n");
	/* A shell line may hold anything but a line break or a NUL. */
	ck_site_errors("setup: [\"a\\nb\", \"c\\0d\", \"e\\rf\"]\n",
	               "site.yaml:1:9: error: 'setup': expected one shell line, got a string "
	               "holding a line break (give each line its own entry)\n"
	               "site.yaml:1:17: error: 'setup': expected a shell line, got a string "
	               "holding a NUL byte\n"
	               "site.yaml:1:25: error: 'setup': expected one shell line, got a string "
	               "holding a line break (give each line its own entry)\n");
	int rc;
	char *got = errors_of("sbatch: [--ok=1, '--x y', -e, --output=f, \"--a='b'\"]\n", &rc);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	/* four errors, at the four bad items */
	const char *at[] = {"site.yaml:1:18: error: 'sbatch': expected one argument",
	                    "site.yaml:1:27: error: 'sbatch':", "site.yaml:1:31: error: 'sbatch':",
	                    "site.yaml:1:43: error: 'sbatch':"};
	const char *p = got;
	for (int i = 0; i < 4; i++) {
		ck_assert_msg(strncmp(p, at[i], strlen(at[i])) == 0, "error %d: %s", i, p);
		p = strchr(p, '\n') + 1;
	}
	ck_assert_str_eq(p, "");
	free(got);
}
END_TEST

START_TEST(not_a_mapping)
{
	ck_site_errors("- account\n",
	               "site.yaml:1:1: error: expected a mapping of site keys (account, "
	               "partition, qos, time, launcher, setup, sbatch), got a list\n");
	ck_site_errors("42\n",
	               "site.yaml:1:1: error: expected a mapping of site keys (account, "
	               "partition, qos, time, launcher, setup, sbatch), got 42\n");
}
END_TEST

START_TEST(duplicate_key)
{
	ck_site_errors("qos: a\naccount: b\nqos: c\n",
	               "site.yaml:3:1: error: 'qos': duplicate key 'qos' (first at 1:1)\n");
}
END_TEST

START_TEST(yaml_syntax_error)
{
	ck_site_errors("account: a\nsetup: [x\n",
	               "site.yaml:3:1: error: invalid YAML: did not find expected ',' or ']' "
	               "while parsing a flow sequence started at 2:8\n");
	ck_site_errors("qos: a\n---\nqos: b\n",
	               "site.yaml:3:1: error: expected one YAML document, found a second one\n");
}
END_TEST

START_TEST(every_error_at_once)
{
	int rc;
	char *got = errors_of("acount: a\nlauncher: x\nqos: a b\nqos: c\n", &rc);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	int lines = 0;
	for (const char *p = got; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, 4);
	free(got);
}
END_TEST

START_TEST(unreadable_file)
{
	smab_errors err;
	smab_site s;
	smab_errors_init(&err, "/nonexistent/site.yaml");
	ck_assert_int_eq(smab_site_load("/nonexistent/site.yaml", &s, &err), SMAB_EIO);
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 0);
	ck_assert_str_eq(err.e[0].msg, "cannot read file: No such file or directory");
	smab_errors_clear(&err);
	smab_errors_init(&err, "/");
	ck_assert_int_eq(smab_site_load("/", &s, &err), SMAB_EINVAL);
	ck_assert_int_eq(err.n, 1);
	ck_assert_ptr_nonnull(strstr(err.e[0].msg, "is a directory"));
	smab_errors_clear(&err);
	/* and a real file is read */
	char path[] = "/tmp/smab-site-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "qos: q\n", 7), 7);
	close(fd);
	smab_errors_init(&err, path);
	ck_assert_int_eq(smab_site_load(path, &s, &err), SMAB_OK);
	ck_assert_str_eq(s.qos, "q");
	smab_site_free(&s);
	smab_errors_clear(&err);
	unlink(path);
}
END_TEST

START_TEST(which_file)
{
	int must;
	char *p;
	setenv("HOME", "/h", 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("SMAB_SITE");
	p = smab_site_path(NULL, &must);
	ck_assert_str_eq(p, "/h/.config/smab/site.yaml");
	ck_assert_int_eq(must, 0);
	free(p);
	setenv("XDG_CONFIG_HOME", "/x", 1);
	p = smab_site_path(NULL, &must);
	ck_assert_str_eq(p, "/x/smab/site.yaml");
	ck_assert_int_eq(must, 0);
	free(p);
	setenv("SMAB_SITE", "/s.yaml", 1);
	p = smab_site_path(NULL, &must);
	ck_assert_str_eq(p, "/s.yaml");
	ck_assert_int_eq(must, 1);
	free(p);
	p = smab_site_path("given.yaml", &must);
	ck_assert_str_eq(p, "given.yaml");
	ck_assert_int_eq(must, 1);
	free(p);
	unsetenv("SMAB_SITE");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	ck_assert_ptr_null(smab_site_path(NULL, &must));
}
END_TEST

static Suite *site_suite(void)
{
	Suite *s = suite_create("site");
	TCase *tc = tcase_create("site file");
	tcase_add_test(tc, valid_file);
	tcase_add_test(tc, empty_file_sets_nothing);
	tcase_add_test(tc, unknown_key_with_hint);
	tcase_add_test(tc, wrong_type);
	tcase_add_test(tc, bad_launcher);
	tcase_add_test(tc, bad_charset);
	tcase_add_test(tc, not_a_mapping);
	tcase_add_test(tc, duplicate_key);
	tcase_add_test(tc, yaml_syntax_error);
	tcase_add_test(tc, every_error_at_once);
	tcase_add_test(tc, unreadable_file);
	tcase_add_test(tc, which_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(site_suite()); }
