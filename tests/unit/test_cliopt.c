/* test_cliopt.c - "did you mean" (src/suggest.c) and the one line about a
 * bad option (src/cliopt.c), on argument vectors as a shell passes them. */
#include <string.h>

#include "check_util.h"
#include "smab/cliopt.h"
#include "smab/suggest.h"

static const char *const suites[] = {"drift", "strategic", "replication", "contextual",
                                     "coalition"};

START_TEST(test_suggest)
{
	ck_assert_str_eq(smab_suggest("drfit", suites, 5), "drift");      /* a swap */
	ck_assert_str_eq(smab_suggest("drif", suites, 5), "drift");       /* a deletion */
	ck_assert_str_eq(smab_suggest("strategik", suites, 5), "strategic");
	ck_assert_str_eq(smab_suggest("colaition", suites, 5), "coalition");
	ck_assert_ptr_null(smab_suggest("xyzzy", suites, 5));
	ck_assert_ptr_null(smab_suggest("d", suites, 5));   /* too short to guess */
	ck_assert_ptr_null(smab_suggest(NULL, suites, 5));
	char longword[100];
	memset(longword, 'a', sizeof longword - 1);
	longword[sizeof longword - 1] = '\0';
	ck_assert_ptr_null(smab_suggest(longword, suites, 5));
}
END_TEST

static const struct option opts[] = {
	{"resume", no_argument, 0, 'r'}, {"ranks", required_argument, 0, 'n'},
	{"set", required_argument, 0, 's'}, {"shard", required_argument, 0, 'S'},
	{"force", no_argument, 0, 'f'}, {0, 0, 0, 0}};

/* What smab_cliopt_problem says about argv (NULL-terminated), after
 * getopt_long stopped at its first problem. */
static const char *problem(char **argv)
{
	static char msg[512];
	int argc = 0, c;
	while (argv[argc])
		argc++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:s:fr", opts, NULL)) != -1)
		if (c == '?' || c == ':') {
			smab_cliopt_problem(c, argc, argv, opts, msg, sizeof msg);
			return msg;
		}
	return "";
}

START_TEST(test_problem)
{
	char *a1[] = {"plan", "--bogus", "x.yaml", NULL};
	ck_assert_str_eq(problem(a1), "unknown option '--bogus'");
	char *a2[] = {"run", "x.yaml", "--reume", NULL};
	ck_assert_str_eq(problem(a2), "unknown option '--reume'; did you mean '--resume'?");
	char *a3[] = {"run", "--s", "x", "x.yaml", NULL};
	ck_assert_str_eq(problem(a3), "ambiguous option '--s' (--set, --shard)");
	char *a4[] = {"plan", "x.yaml", "--ranks", NULL};
	ck_assert_str_eq(problem(a4), "option '--ranks' needs a value");
	char *a5[] = {"plan", "x.yaml", "-n", NULL};
	ck_assert_str_eq(problem(a5), "option '-n' needs a value");
	char *a6[] = {"run", "--force=yes", "x.yaml", NULL};
	ck_assert_str_eq(problem(a6), "option '--force' takes no value");
	char *a7[] = {"run", "-z", "x.yaml", NULL};
	ck_assert_str_eq(problem(a7), "unknown option '-z'");
	char *a8[] = {"run", "-fz", "x.yaml", NULL};
	ck_assert_str_eq(problem(a8), "unknown option '-z'");
	char *a9[] = {"run", "--bogus=1", NULL};
	ck_assert_str_eq(problem(a9), "unknown option '--bogus'");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cliopt");
	TCase *tc = tcase_create("cliopt");
	tcase_add_test(tc, test_suggest);
	tcase_add_test(tc, test_problem);
	suite_add_tcase(s, tc);
	return smab_check_main(s);
}
