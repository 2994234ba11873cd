/* test_hostile.c - the experiment loader and --set under hostile input:
 * every reproducer of the fuzzing pass is refused quickly with a message
 * that says what and where, and never crashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
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

/* One --set on the base file must be refused, naming the override. */
static void expect_set_refused(const char *set, const char *frag)
{
	const char *s[] = {set};
	double secs = parse_set(base, strlen(base), s, 1);
	char named[512];
	snprintf(named, sizeof named, "--set '%s'", set);
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

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *set = tcase_create("set");
	tcase_add_checked_fixture(set, setup, teardown);
	tcase_add_test(set, set_empty_key_part);
	suite_add_tcase(s, set);
	return s;
}

int main(void)
{
	return smab_check_main(hostile_suite());
}
