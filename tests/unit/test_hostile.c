/* test_hostile.c - the experiment loader and --set under hostile input:
 * every reproducer of the fuzzing pass is refused quickly with a message
 * that says what and where, and never crashes. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"
#include "smab/config.h"

static const char *base = "suite: drift\nreplications: 2\nparams: {horizon: 100}\n";

static smab_errors err;
static smab_experiment *e;
static int rc;

static void setup(void)
{
	smab_errors_init(&err, "h.yaml");
	e = NULL;
}

static void teardown(void)
{
	smab_experiment_free(&e);
	smab_errors_clear(&err);
}

/* The process's CPU time, not the wall clock: the bounds below catch a
 * loader that does quadratic work on hostile input, and must not trip when
 * other processes share the machine (a loader that blocks instead is
 * caught by the test case's timeout). */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Parse 'text' with overrides; returns the seconds it took. */
static double parse_set(const char *text, size_t len, const char *const *set, int nset)
{
	smab_experiment_free(&e);
	smab_errors_clear(&err);
	smab_errors_init(&err, "h.yaml");
	double t0 = now();
	rc = smab_config_parse_set(text, len, "h.yaml", set, nset, &e, &err);
	return now() - t0;
}

/* The parse failed and some error's message holds every fragment given. */
static void expect_refused(const char *frag1, const char *frag2)
{
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_ptr_null(e);
	for (int i = 0; i < err.n; i++)
		if (strstr(err.e[i].msg, frag1) && (!frag2 || strstr(err.e[i].msg, frag2)))
			return;
	smab_errors_print(&err, stderr);
	ck_abort_msg("no error says '%s'%s%s", frag1, frag2 ? " and " : "", frag2 ? frag2 : "");
}

/* One --set on the base file must be refused, naming the override (its
 * first 100 bytes and "..." when it has 120 or more). */
static void expect_set_refused(const char *set, const char *frag)
{
	const char *s[] = {set};
	double secs = parse_set(base, strlen(base), s, 1);
	char named[512];
	if (strlen(set) < 120)
		snprintf(named, sizeof named, "--set '%s'", set);
	else
		snprintf(named, sizeof named, "--set '%.100s...'", set);
	expect_refused(named, frag);
	ck_assert_msg(secs < 1.0, "'%s' took %.2f s", set, secs);
}

/* ---- --set -------------------------------------------------------------- */

START_TEST(set_empty_key_part)
{
	expect_set_refused("params..horizon=1", "'params..horizon' is not a dotted key");
	expect_set_refused(".seed=1", "'.seed' is not a dotted key");
	expect_set_refused("seed.=1", "'seed.' is not a dotted key");
	ck_assert_int_eq(err.n, 1);
}
END_TEST

/* "{a: &a [1, ...], b: &b [*a, ...], ..., i: &i [*h, ...]}": nine levels of
 * nine aliases, 9^9 nodes once expanded ("billion laughs"). */
static char *laughs(const char *key)
{
	size_t len = strlen(key) + 1024, n;
	char *t = malloc(len);
	n = (size_t)snprintf(t, len, "%s={a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]", key);
	for (char c = 'b'; c <= 'i'; c++) {
		n += (size_t)snprintf(t + n, len - n, ", %c: &%c [", c, c);
		for (int k = 0; k < 9; k++)
			n += (size_t)snprintf(t + n, len - n, "%s*%c", k ? ", " : "", c - 1);
		n += (size_t)snprintf(t + n, len - n, "]");
	}
	snprintf(t + n, len - n, "}");
	return t;
}

START_TEST(set_aliases_refused)
{
	const char *why = "anchors and aliases (&name, *name) are not allowed in a --set value";
	expect_set_refused("params.means=&a [*a]", why);
	expect_set_refused("params.x=&a {c: *a}", why);
	expect_set_refused("params.egreedy=&a {c: *a}", why);
	expect_set_refused("seed=&s 5", why);
	char *t = laughs("params.means");
	expect_set_refused(t, why);
	free(t);
	t = laughs("sweep");
	expect_set_refused(t, why);
	free(t);
	ck_assert_int_eq(err.n, 1);
}
END_TEST

START_TEST(set_second_document_refused)
{
	const char *why = "the value holds a second YAML document";
	expect_set_refused("seed=1\n--- 2", why);
	expect_set_refused("seed=1\n---\n2\n", why);
	expect_set_refused("seed=--- 1\n--- 2", why);
	expect_set_refused("seed=1\n---", why);
	expect_set_refused("params.means=[0.5, 0.4]\n--- {x: 1}", why);
	ck_assert_int_eq(err.n, 1);
	/* libyaml stops at an error after the first document */
	expect_set_refused("seed=1\n...\n2", "not valid YAML after its first document: "
	                   "did not find expected <document start>");
	/* one document, however it is spelt, is fine */
	const char *one[] = {"seed=--- 7\n...\n", "replications=3 # a comment\n"};
	parse_set(base, strlen(base), one, 2);
	ck_assert_int_eq(rc, SMAB_OK);
	ck_assert(e->seed == 7 && e->replications == 3);
}
END_TEST

/* ---- limits on the input ---------------------------------------------- */

/* "suite: drift\nparams: {means: " + n '[' + n ']' + "}\n": n lists deep. */
static char *deep_flow(int n)
{
	const char *head = "suite: drift\nparams: {means: ";
	size_t h = strlen(head), len = h + 2 * (size_t)n + 3;
	char *t = malloc(len + 1);
	memcpy(t, head, h);
	memset(t + h, '[', (size_t)n);
	memset(t + h + n, ']', (size_t)n);
	memcpy(t + h + 2 * (size_t)n, "}\n", 3);
	t[len] = '\0';
	return t;
}

START_TEST(deep_flow_refused_fast)
{
	char *t = deep_flow(100000);
	double secs = parse_set(t, strlen(t), NULL, 0);
	expect_refused("nested more than 64 deep", NULL);
	ck_assert_int_eq(err.n, 1);
	/* at the list one level too deep: the root and 'params' are two
	 * levels, the first '[' at column 17 the third */
	ck_assert_int_eq(err.e[0].line, 2);
	ck_assert_int_eq(err.e[0].col, 17 + 62);
	ck_assert_msg(secs < 0.5, "100000 nested lists took %.3f s to refuse", secs);
	free(t);
	/* 64 deep is within the limit: refused by the schema, not the loader */
	t = deep_flow(62);
	parse_set(t, strlen(t), NULL, 0);
	expect_refused("expected a number", NULL);
	free(t);
}
END_TEST

START_TEST(deep_block_refused)
{
	/* block mappings nested by indentation, 70 deep */
	char t[20000] = "suite: drift\nx:\n";
	size_t n = strlen(t);
	for (int d = 1; d <= 70; d++)
		n += (size_t)snprintf(t + n, sizeof t - n, "%*sk%d:\n", d, "", d);
	parse_set(t, n, NULL, 0);
	expect_refused("nested more than 64 deep", NULL);
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 2 + 64);
}
END_TEST

START_TEST(many_nodes_refused_fast)
{
	/* a flat list of 200001 zeros: shallow but too many nodes */
	size_t len = 64 + 2 * 200001;
	char *t = malloc(len);
	size_t n = (size_t)snprintf(t, len, "suite: drift\nparams: {means: [0");
	for (int i = 1; i < 200001; i++) {
		memcpy(t + n, ",0", 2);
		n += 2;
	}
	memcpy(t + n, "]}\n", 3);
	n += 3;
	double secs = parse_set(t, n, NULL, 0);
	expect_refused("more than 200000 YAML nodes", NULL);
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 2);
	ck_assert_msg(secs < 1.0, "refusing took %.3f s", secs);
	free(t);
}
END_TEST

START_TEST(large_text_refused)
{
	/* one byte past 4 MiB, all comment: refused by size before parsing */
	size_t len = 4194305;
	char *t = malloc(len);
	memset(t, ' ', len);
	memcpy(t, "suite: drift\n#", 14);
	double secs = parse_set(t, len, NULL, 0);
	expect_refused("larger than 4 MiB", NULL);
	ck_assert_int_eq(err.n, 1);
	ck_assert_msg(secs < 0.1, "refusing took %.3f s", secs);
	free(t);
}
END_TEST

/* Load 'path'; it must fail at once with SMAB_EINVAL and say 'frag'. */
static void expect_load_refused(const char *path, const char *frag)
{
	smab_experiment_free(&e);
	smab_errors_clear(&err);
	smab_errors_init(&err, path);
	double t0 = now();
	rc = smab_config_load(path, &e, &err);
	double secs = now() - t0;
	ck_assert_ptr_null(e);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 0);
	ck_assert_msg(strstr(err.e[0].msg, frag), "'%s' lacks '%s'", err.e[0].msg, frag);
	ck_assert_msg(secs < 1.0, "refusing %s took %.3f s", path, secs);
}

START_TEST(non_regular_files_refused)
{
	expect_load_refused("/dev/zero", "not a regular file");
	expect_load_refused("/tmp", "is a directory");
	char fifo[] = "/tmp/smab_test_fifoXXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(fifo));
	char path[64];
	snprintf(path, sizeof path, "%s/x.yaml", fifo);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* no writer: reading it would block for ever */
	expect_load_refused(path, "not a regular file");
	unlink(path);
	rmdir(fifo);
}
END_TEST

START_TEST(large_file_refused)
{
	char path[] = "/tmp/smab_test_bigXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "suite: drift\n", 13), 13);
	ck_assert_int_eq(ftruncate(fd, 64 << 20), 0);    /* 64 MiB, sparse */
	close(fd);
	expect_load_refused(path, "larger than 4 MiB");
	unlink(path);
}
END_TEST

START_TEST(set_value_limits)
{
	char *t = deep_flow(100000);
	/* the same lists as a --set value */
	char *v = strstr(t, "[");
	v[-1] = '=';
	char *set = v - strlen("params.means=");
	memcpy(set, "params.means=", 13);
	set[strlen(set) - 2] = '\0';      /* drop the '}\n' */
	const char *s[] = {set};
	double secs = parse_set(base, strlen(base), s, 1);
	expect_refused("nested more than 64 deep", "--set 'params.means=[[[");
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 0);
	ck_assert_msg(secs < 0.5, "refusing took %.3f s", secs);
	free(t);
}
END_TEST

/* ---- work that grows with the input is linear ------------------------- */

/* "suite: drift\nparams:\n" and 'n' keys, "  k<i>: 1" or "  arms: <i>". */
static char *many_keys(int n, int same, size_t *len)
{
	size_t cap = 64 + (size_t)n * 32, used;
	char *t = malloc(cap);
	used = (size_t)snprintf(t, cap, "suite: drift\nparams:\n");
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(t + used, cap - used, same ? "  arms: %d\n" : "  k%d: 1\n", i);
	*len = used;
	return t;
}

START_TEST(many_keys_linear)
{
	/* 60000 keys: each unknown, every pair compared for duplicates before */
	size_t len;
	char *t = many_keys(60000, 0, &len);
	double secs = parse_set(t, len, NULL, 0);
	ck_assert_int_eq(rc, SMAB_EINVAL);
	ck_assert_int_eq(err.n, 60000);
	ck_assert_int_eq(err.e[59999].line, 60002);
	ck_assert_msg(secs < 2.0, "60000 keys took %.2f s", secs);
	free(t);
	/* the same key 60000 times: one duplicate error each, against the first */
	t = many_keys(60000, 1, &len);
	secs = parse_set(t, len, NULL, 0);
	ck_assert_int_eq(err.n, 60000 - 1 + 1);   /* + arms=0 out of range */
	ck_assert_msg(strstr(err.e[2].msg, "duplicate key 'arms' (first at 3:3)"), "%s", err.e[2].msg);
	ck_assert_msg(secs < 2.0, "60000 equal keys took %.2f s", secs);
	free(t);
}
END_TEST

START_TEST(many_errors_sorted_linear)
{
	/* 50000 errors in 'sweep' at the top, found after the 50000 in
	 * 'params' below it: sorting them by line must not be quadratic */
	size_t len = 0, cap = 64 + 4 * 100000;
	char *t = malloc(cap);
	len += (size_t)snprintf(t, cap, "suite: drift\nsweep: {drift: [x");
	for (int i = 1; i < 50000; i++, len += 2)
		memcpy(t + len, ",x", 2);
	len += (size_t)snprintf(t + len, cap - len, "]}\nparams: {means: [x");
	for (int i = 1; i < 50000; i++, len += 2)
		memcpy(t + len, ",x", 2);
	len += (size_t)snprintf(t + len, cap - len, "]}\n");
	double secs = parse_set(t, len, NULL, 0);
	ck_assert_int_eq(err.n, 100000);
	ck_assert_int_eq(err.e[0].line, 2);
	ck_assert_int_eq(err.e[49999].line, 2);
	ck_assert_int_eq(err.e[50000].line, 3);
	for (int i = 1; i < err.n; i++)
		ck_assert(err.e[i - 1].line < err.e[i].line ||
		          (err.e[i - 1].line == err.e[i].line && err.e[i - 1].col < err.e[i].col));
	ck_assert_msg(secs < 2.0, "100000 errors took %.2f s", secs);
	free(t);
}
END_TEST

/* ---- sweeps too large to run ----------------------------------------- */

/* Two range axes of n1 and n2 values, 'reps' replications. */
static double parse_grid(int n1, int n2, int reps)
{
	char t[256];
	snprintf(t, sizeof t, "suite: drift\nreplications: %d\nsweep:\n"
	         "  drift: {from: 0, to: 1, num: %d}\n  gap: {from: 0.1, to: 0.5, num: %d}\n",
	         reps, n1, n2);
	return parse_set(t, strlen(t), NULL, 0);
}

START_TEST(points_limit)
{
	/* points just under the old cap of 2^31, 1e8, 1e7: refused from the
	 * axis lengths, before anything is expanded */
	const int n[][2] = {{46340, 46340}, {10000, 10000}, {1000000, 10}, {10, 1000000}};
	const char *says[] = {"46340 x 46340 = 2147395600 points", "10000 x 10000 = 100000000 points",
	                      "1000000 x 10 = 10000000 points", "10 x 1000000 = 10000000 points"};
	for (int i = 0; i < 4; i++) {
		double secs = parse_grid(n[i][0], n[i][1], 1);
		expect_refused(says[i], "more than the 1000000 allowed");
		ck_assert_int_eq(err.n, 1);
		ck_assert_int_eq(err.e[0].line, 3);     /* the 'sweep' key */
		ck_assert_int_eq(err.e[0].col, 1);
		ck_assert_str_eq(err.e[0].key, "sweep");
		ck_assert_msg(secs < 0.5, "refusing %s took %.3f s", says[i], secs);
	}
	/* three axes, the product past the limit only with the last */
	const char *t = "suite: drift\nsweep:\n  drift: {from: 0, to: 1, num: 1000}\n"
	                "  arms: [2, 3]\n  gap: {from: 0.1, to: 0.5, num: 501}\n";
	parse_set(t, strlen(t), NULL, 0);
	expect_refused("1000 x 2 x 501 = 1002000 points", NULL);
	/* a range of a sweep past the limit still has its ends checked */
	t = "suite: drift\nsweep:\n  drift: {from: 0, to: 1, num: 1000000}\n"
	    "  gap: {from: 0.1, to: 5, num: 1000}\n  arms: [2, 3]\n";
	double secs = parse_set(t, strlen(t), NULL, 0);
	expect_refused("expected a number in [0, 1], got 5", NULL);
	ck_assert_msg(secs < 0.5, "refusing took %.3f s", secs);
}
END_TEST

START_TEST(points_at_limit_accepted)
{
	double secs = parse_grid(1000, 1000, 100);
	ck_assert_int_eq(rc, SMAB_OK);
	ck_assert(smab_sweep_npoints(e) == 1000000);
	ck_assert_msg(secs < 5.0, "1e6 points took %.2f s", secs);
}
END_TEST

START_TEST(tasks_limit)
{
	parse_grid(1000, 1000, 101);
	expect_refused("1000000 points x 101 replications = 101000000 tasks",
	               "more than the 100000000 allowed");
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 3);
}
END_TEST

START_TEST(file_bytes_limit)
{
	/* one point, 1e7 replications of 4 mechanisms, 2 curves of 1e5
	 * checkpoints: 8 * 1e7 * 4 * (4 + 2e5) bytes = 64 TB of results */
	const char *t = "suite: drift\nrecord: 100000\nreplications: 10000000\n";
	parse_set(t, strlen(t), NULL, 0);
	expect_refused("the result file would take about 64.0 TB", "more than the 1.0 TB allowed");
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 3);     /* no sweep: at 'replications' */
	ck_assert_int_eq(err.e[0].col, 1);
}
END_TEST

START_TEST(file_bytes_formula)
{
	/* P = 2 points (one swept parameter), R = 3, M = 2 mechanisms, C = 5;
	 * drift has K = 4 metrics, Kc = 2 of them with curves */
	const char *t = "suite: drift\nreplications: 3\nrecord: 5\nmechanisms: [ucb, ts]\n"
	                "sweep: {drift: [0, 1]}\n";
	parse_set(t, strlen(t), NULL, 0);
	ck_assert_int_eq(rc, SMAB_OK);
	double P = 2, R = 3, M = 2, K = 4, Kc = 2, C = 5, S = 1;
	double want = 8 * P * R * M * (K + Kc * C) + P * R * 13 + 40 * P * M * (K + Kc * C) +
	              8 * P * C + P * (8 + 8 * S + 64) + 8 * (2 * P + R + C) + 1e6;
	ck_assert_double_eq(smab_experiment_file_bytes(e), want);
}
END_TEST

/* A test case of 's' with the fixture; a timeout generous enough for the
 * sanitizers, since the limits are what the tests time themselves. */
static TCase *add_case(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return tc;
}

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *set = add_case(s, "set");
	tcase_add_test(set, set_empty_key_part);
	tcase_add_test(set, set_value_limits);
	tcase_add_test(set, set_aliases_refused);
	tcase_add_test(set, set_second_document_refused);
	TCase *lim = add_case(s, "limits");
	tcase_add_test(lim, deep_flow_refused_fast);
	tcase_add_test(lim, deep_block_refused);
	tcase_add_test(lim, many_nodes_refused_fast);
	tcase_add_test(lim, large_text_refused);
	tcase_add_test(lim, non_regular_files_refused);
	tcase_add_test(lim, large_file_refused);
	TCase *lin = add_case(s, "linear");
	tcase_add_test(lin, many_keys_linear);
	tcase_add_test(lin, many_errors_sorted_linear);
	TCase *size = add_case(s, "sizes");
	tcase_add_test(size, points_limit);
	tcase_add_test(size, points_at_limit_accepted);
	tcase_add_test(size, tasks_limit);
	tcase_add_test(size, file_bytes_limit);
	tcase_add_test(size, file_bytes_formula);
	return s;
}

int main(void)
{
	return smab_check_main(hostile_suite());
}
