/* test_jobscript.c - the pieces of a batch script: every #SBATCH value's
 * character set (what passes, and hostile values that must not), the
 * #SBATCH block of a job in its fixed order, job names and launchers. */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "smab/jobscript.h"

/* Values no #SBATCH option may take: they would end the line, start a
 * comment or reach a shell. */
static const char *const hostile[] = {"a b", "a\nb", "$(id)", "`id`", "a;b", "a'b",
                                      "a\"b", "a#b", "", "a\\b", "a\tb"};

START_TEST(sbatch_values)
{
	static const struct {
		const char *opt, *good[4], *bad[4];
	} cases[] = {
		{"time", {"30", "01:00:00", "2-00:00:00", NULL}, {"1h", "1:00,2", NULL}},
		{"partition", {"batch", "gpu_a100,debug", "p.1-x", NULL}, {"p/q", "p:q", NULL}},
		{"account", {"proj_42", "a.b-c", NULL}, {"a,b", "a/b", NULL}},
		{"qos", {"normal", "high-prio", NULL}, {"a,b", "a=b", NULL}},
		{"mem", {"4000", "16G", "512M", "1T"}, {"16GB", "G", "1.5G", "-1"}},
		{"mem-per-cpu", {"2G", "100", NULL}, {"2g", "2 G", NULL}},
		{"constraint", {"haswell", "a&b", "[rack1*2&rack2*4]", "intel|amd"},
		 {"a b", "a=b", NULL}},
		{"mail-user", {"me@example.org", "a.b+c@x-y.org,root", NULL}, {"a b@x", "a<b>", NULL}},
		{"mail-type", {"END", "BEGIN,END,FAIL", "TIME_LIMIT_90", "ARRAY_TASKS"},
		 {"end", "END,,FAIL", "END,", "FINISH"}},
		{"sbatch", {"--exclusive", "--gres=gpu:2", "--export=ALL,X=1", "--signal=B:USR1@60"},
		 {"-x", "--", "--Exclusive", "--=x"}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int k = 0; k < 4 && cases[i].good[k]; k++)
			ck_assert_msg(smab_sbatch_check(cases[i].opt, cases[i].good[k]) == NULL,
			              "--%s refuses '%s'", cases[i].opt, cases[i].good[k]);
		for (int k = 0; k < 4 && cases[i].bad[k]; k++)
			ck_assert_msg(smab_sbatch_check(cases[i].opt, cases[i].bad[k]) != NULL,
			              "--%s takes '%s'", cases[i].opt, cases[i].bad[k]);
		for (size_t k = 0; k < sizeof hostile / sizeof *hostile; k++) {
			char v[32];
			/* as a whole value, and behind a valid start */
			snprintf(v, sizeof v, "%s%s", strcmp(cases[i].opt, "sbatch") ? "" : "--x=",
			         hostile[k]);
			ck_assert_msg(smab_sbatch_check(cases[i].opt, v) != NULL,
			              "--%s takes '%s'", cases[i].opt, v);
		}
	}
	ck_assert_ptr_nonnull(smab_sbatch_check("nodelist", "n1"));
}
END_TEST

START_TEST(sbatch_refuses_owned_options)
{
	const char *owned[] = {"--array=0-3", "--job-name=x", "--output=o.out", "--error=e",
	                       "--chdir=/tmp", "--wrap=id", "--output"};
	for (size_t i = 0; i < sizeof owned / sizeof *owned; i++)
		ck_assert_msg(smab_sbatch_check("sbatch", owned[i]) != NULL, "takes %s", owned[i]);
	/* a longer name that starts like one of them is another option */
	ck_assert_ptr_null(smab_sbatch_check("sbatch", "--arrayx=1"));
}
END_TEST

START_TEST(job_lines)
{
	const char *extra[] = {"--exclusive", "--gres=gpu:1"};
	smab_job j = {.name = "exp one; $(x)", .nodes = 2, .ntasks = 8, .cpus_per_task = 4,
	              .time = "30", .partition = "p", .account = "a", .qos = "q",
	              .mem = "4G", .constraint = "c1&c2", .mail_user = "me@x.org",
	              .mail_type = "END", .extra = extra, .nextra = 2};
	char *s = smab_job_sbatch_lines(&j);
	ck_assert_str_eq(s, "#SBATCH --job-name=smab-exp_one____x_\n"
	                    "#SBATCH --nodes=2\n#SBATCH --ntasks=8\n#SBATCH --cpus-per-task=4\n"
	                    "#SBATCH --time=30\n#SBATCH --partition=p\n#SBATCH --account=a\n"
	                    "#SBATCH --qos=q\n#SBATCH --mem=4G\n#SBATCH --constraint=c1&c2\n"
	                    "#SBATCH --mail-user=me@x.org\n#SBATCH --mail-type=END\n"
	                    "#SBATCH --output=%x-%j.out\n"
	                    "#SBATCH --exclusive\n#SBATCH --gres=gpu:1\n");
	free(s);
	smab_job a = {.name = "x", .suffix = "-merge", .nodes = 1, .ntasks = 1, .array = 3,
	              .mem_per_cpu = "1G"};
	s = smab_job_sbatch_lines(&a);
	ck_assert_str_eq(s, "#SBATCH --job-name=smab-x-merge\n#SBATCH --nodes=1\n"
	                    "#SBATCH --ntasks=1\n#SBATCH --mem-per-cpu=1G\n"
	                    "#SBATCH --array=0-2\n#SBATCH --output=%x-%A_%a.out\n");
	free(s);
}
END_TEST

START_TEST(job_name_is_short_and_safe)
{
	char name[64];
	char long_name[200];
	memset(long_name, 'n', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	smab_job j = {.name = long_name};
	smab_job_name(&j, name, sizeof name);
	ck_assert_uint_eq(strlen(name), 63);
	ck_assert(smab_safe_word(name, "_.-", 63));
	j.name = "\xc3\xa9t\xc3\xa9\n";
	smab_job_name(&j, name, sizeof name);
	ck_assert_str_eq(name, "smab-__t___");
}
END_TEST

START_TEST(launchers)
{
	ck_assert_str_eq(smab_launcher_command("srun --mpi=pmix"), "srun --mpi=pmix");
	ck_assert_str_eq(smab_launcher_command("srun --mpi=pmi2"), "srun --mpi=pmi2");
	/* mpirun forwards the resubmission number to its ranks */
	ck_assert_str_eq(smab_launcher_command("mpirun"), "mpirun -x SMAB_RESUBMISSION");
	ck_assert_ptr_null(smab_launcher_command("srun"));
	ck_assert_ptr_null(smab_launcher_command("mpirun; id"));
	int n = 0;
	while (smab_launchers[n])
		n++;
	ck_assert_int_eq(n, 3);
}
END_TEST

static Suite *jobscript_suite(void)
{
	Suite *s = suite_create("jobscript");
	TCase *tc = tcase_create("sbatch");
	tcase_add_test(tc, sbatch_values);
	tcase_add_test(tc, sbatch_refuses_owned_options);
	tcase_add_test(tc, job_lines);
	tcase_add_test(tc, job_name_is_short_and_safe);
	tcase_add_test(tc, launchers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(jobscript_suite()); }
