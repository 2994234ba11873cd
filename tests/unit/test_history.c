/* Unit tests of the /history rows (src/history.h): what a session's row
 * records from the environment, how its host list is cut to fit, how an
 * ended, stopped, failed or killed session reads, and the printed table. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "../../src/history.h"

static void clear_env(void)
{
	unsetenv("SLURM_JOB_ID");
	unsetenv("SLURM_ARRAY_JOB_ID");
	unsetenv("SLURM_ARRAY_TASK_ID");
	unsetenv("SMAB_RESUBMISSION");
	unsetenv("SMAB_TEST_GIT_COMMIT");
}

START_TEST(test_row_of_this_process)
{
	clear_env();
	h5u_session s;
	h5u_session_now(&s, "resume", 3, 4, "a,b", 17);
	char host[64] = "";
	gethostname(host, sizeof host - 1);
	ck_assert_int_eq(s.session, 3);
	ck_assert_str_eq(s.action, "resume");
	ck_assert_str_eq(s.version, SMAB_VERSION);
	ck_assert_str_eq(s.commit, smab_git_commit);
	/* the flags, cut to the field when they are longer (sanitizer builds) */
	ck_assert_int_eq(strncmp(s.flags, smab_build_flags, sizeof s.flags - 1), 0);
	ck_assert_uint_eq(strlen(s.flags), strlen(smab_build_flags) < sizeof s.flags
	                                   ? strlen(smab_build_flags) : sizeof s.flags - 1);
	ck_assert_str_eq(s.host, host);
	ck_assert_str_eq(s.hosts, "a,b");
	ck_assert_str_eq(s.job, "");
	ck_assert_int_eq(s.array_task, -1);
	ck_assert_int_eq(s.resubmission, 0);
	ck_assert_int_eq(s.ranks, 4);
	ck_assert_int_eq(s.tasks_before, 17);
	ck_assert_int_eq(s.tasks_after, -1);
	ck_assert_str_eq(s.outcome, H5U_RUNNING);
	ck_assert_int_eq((int)strlen(s.started), 20);
	ck_assert_str_eq(s.ended, "");
	/* no list: this host alone */
	h5u_session_now(&s, "create", 1, 1, NULL, 0);
	ck_assert_str_eq(s.hosts, host);
}
END_TEST

START_TEST(test_row_from_the_environment)
{
	clear_env();
	setenv("SLURM_JOB_ID", "881", 1);
	setenv("SMAB_RESUBMISSION", "2", 1);
	setenv("SMAB_TEST_GIT_COMMIT", "0123456789ab-other", 1);
	h5u_session s;
	h5u_session_now(&s, "resume", 2, 1, NULL, 5);
	ck_assert_str_eq(s.job, "881");
	ck_assert_int_eq(s.array_task, -1);
	ck_assert_int_eq(s.resubmission, 2);
	ck_assert_str_eq(s.commit, "0123456789ab-other");
	/* an array element: ARRAYJOB_TASK and its index */
	setenv("SLURM_ARRAY_JOB_ID", "870", 1);
	setenv("SLURM_ARRAY_TASK_ID", "3", 1);
	h5u_session_now(&s, "create", 1, 1, NULL, 0);
	ck_assert_str_eq(s.job, "870_3");
	ck_assert_int_eq(s.array_task, 3);
	/* nonsense is not a count */
	setenv("SMAB_RESUBMISSION", "two", 1);
	setenv("SLURM_ARRAY_TASK_ID", "-4", 1);
	h5u_session_now(&s, "create", 1, 1, NULL, 0);
	ck_assert_int_eq(s.resubmission, 0);
	ck_assert_int_eq(s.array_task, -1);
	clear_env();
}
END_TEST

START_TEST(test_hosts_cut_to_fit)
{
	/* 300 hosts of 8 characters: 2699 bytes for a field of 1024 */
	char *list = malloc(300 * 10 + 1);
	size_t at = 0;
	for (int i = 0; i < 300; i++)
		at += (size_t)sprintf(list + at, "%snode%04d", i ? "," : "", i);
	h5u_session s;
	h5u_session_now(&s, "create", 1, 300, list, 0);
	size_t n = strlen(s.hosts);
	ck_assert_uint_lt(n, sizeof s.hosts);
	ck_assert_msg(strncmp(s.hosts, "node0000,node0001,", 18) == 0, "%s", s.hosts);
	/* whole names only, then how many were left out: 112 names take 1016
	 * bytes, with room kept for the longest ",+300 more" */
	const char *more = strrchr(s.hosts, ',');
	ck_assert_str_eq(more, ",+188 more");
	ck_assert_msg(strstr(s.hosts, ",node0111,+188") != NULL, "%s", s.hosts);
	free(list);
}
END_TEST

START_TEST(test_outcomes)
{
	h5u_session r;
	h5u_session_blank(&r);
	r.session = 2;
	r.tasks_after = -1;
	snprintf(r.outcome, sizeof r.outcome, "%s", H5U_RUNNING);
	/* never ended: killed, unless a live writer holds the file and it is last */
	ck_assert_str_eq(h5u_session_outcome(&r, 2, 0), "interrupted");
	ck_assert_str_eq(h5u_session_outcome(&r, 2, 1), "running");
	ck_assert_str_eq(h5u_session_outcome(&r, 3, 1), "interrupted");
	ck_assert_int_eq(h5u_session_close_dead(&r), 1);
	ck_assert_str_eq(r.outcome, "interrupted");
	ck_assert_int_eq(h5u_session_close_dead(&r), 0);
	/* rows of files from before 'outcome': ended, or killed */
	r.outcome[0] = '\0';
	ck_assert_str_eq(h5u_session_outcome(&r, 2, 0), "interrupted");
	r.tasks_after = 9;
	ck_assert_str_eq(h5u_session_outcome(&r, 2, 0), "ended");
	snprintf(r.outcome, sizeof r.outcome, "%s", H5U_STOPPED);
	ck_assert_str_eq(h5u_session_outcome(&r, 2, 1), "stopped");
}
END_TEST

START_TEST(test_table)
{
	h5u_session rows[4];
	for (int i = 0; i < 4; i++)
		h5u_session_blank(&rows[i]);
	h5u_session *a = &rows[0], *b = &rows[1];
	a->session = 1;
	snprintf(a->action, sizeof a->action, "create");
	snprintf(a->started, sizeof a->started, "2026-01-02T03:00:00Z");
	snprintf(a->ended, sizeof a->ended, "2026-01-02T04:02:03Z");
	snprintf(a->commit, sizeof a->commit, "abc");
	snprintf(a->version, sizeof a->version, "0.2.0");
	snprintf(a->host, sizeof a->host, "n2");
	snprintf(a->hosts, sizeof a->hosts, "n1,n2,n3");
	snprintf(a->job, sizeof a->job, "870_3");
	snprintf(a->outcome, sizeof a->outcome, "stopped");
	a->ranks = 6;
	a->tasks_after = 40;
	a->resubmission = 1;
	*b = *a;
	b->session = 2;
	snprintf(b->action, sizeof b->action, "resume");
	b->ended[0] = '\0';
	b->tasks_before = 40;
	b->tasks_after = -1;
	snprintf(b->outcome, sizeof b->outcome, "running");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	h5u_history_print(out, rows, 4, 0);
	fclose(out);
	char *l1 = strchr(text, '\n') + 1, *l2 = strchr(l1, '\n') + 1;
	ck_assert_msg(strncmp(text, "  # action", 10) == 0, "%s", text);
	/* duration, outcome, tasks, job, resubmission, rank 0's host first */
	ck_assert_msg(strstr(l1, " 1h02m03s stopped ") && strstr(l1, " 0->40 (+40) 870_3 ") &&
	              strstr(l1, " 1 n2,n1,n3\n"), "%s", l1);
	ck_assert_msg(strstr(l2, "interrupted") && strstr(l2, " 40->? (+?) ") &&
	              strncmp(l2, "  2 resume ", 11) == 0, "%s", l2);
	ck_assert_msg(strchr(l2, '\n')[1] == '\0', "one line per used row: %s", text);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("rows");
	tcase_add_test(tc, test_row_of_this_process);
	tcase_add_test(tc, test_row_from_the_environment);
	tcase_add_test(tc, test_hosts_cut_to_fit);
	tcase_add_test(tc, test_outcomes);
	tcase_add_test(tc, test_table);
	suite_add_tcase(s, tc);
	return smab_check_main(s);
}
