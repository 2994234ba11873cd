/* test_cluster.c - what the cluster commands rest on: --set overrides give
 * the same experiment as the edited file and name themselves in errors;
 * --shard cuts the tasks into a partition that every job agrees on. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "smab/config.h"
#include "smab/plan.h"
#include "smab/sched.h"
#include "smab/submit.h"

static const char *base =
	"suite: drift\nseed: 5\nreplications: 4\n"
	"params:\n  horizon: 2000\n  egreedy: {c: 2}\n"
	"sweep:\n  drift: [0, 0.5]\n";

static smab_experiment *parse_set(const char *text, const char *const *set, int nset,
                                  smab_errors *err)
{
	smab_experiment *e = NULL;
	smab_errors_init(err, "t.yaml");
	smab_config_parse_set(text, strlen(text), "t.yaml", set, nset, &e, err);
	return e;
}

/* Canonical text of a file parsed with the given overrides (must be valid). */
static char *canon_of(const char *text, const char *const *set, int nset)
{
	smab_errors err;
	smab_experiment *e = parse_set(text, set, nset, &err);
	ck_assert_msg(e != NULL, "parse failed: %s", err.n ? err.e[0].msg : "?");
	char *c = smab_config_canonical(e);
	smab_experiment_free(&e);
	smab_errors_clear(&err);
	return c;
}

START_TEST(set_equals_edited_file)
{
	const char *set[] = {"params.horizon=1000", "replications=10", "sweep.drift=[0.1, 0.2, 0.3]",
	                     "params.egreedy.c=3", "params.egreedy.d=0.5", "seed=77",
	                     "params.noise=bernoulli"};
	char *a = canon_of(base, set, 7);
	char *b = canon_of("suite: drift\nseed: 77\nreplications: 10\n"
	                   "params:\n  horizon: 1000\n  egreedy.c: 3\n  egreedy.d: 0.5\n"
	                   "  noise: bernoulli\n"
	                   "sweep:\n  drift: [0.1, 0.2, 0.3]\n", NULL, 0);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(set_new_top_keys)
{
	/* Keys absent from the file are added: a whole params block, a sweep. */
	const char *set[] = {"params.horizon=300", "sweep.drift={from: 0, to: 1, num: 3}",
	                     "record=7", "mechanisms=[ts, ucb]"};
	char *a = canon_of("suite: drift\n", set, 4);
	char *b = canon_of("suite: drift\nrecord: 7\nmechanisms: [ucb, ts]\n"
	                   "params: {horizon: 300}\nsweep: {drift: [0, 0.5, 1]}\n", NULL, 0);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	smab_errors err;
	smab_experiment *e = parse_set(base, set, 2, &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->overrides, "params.horizon=300\nsweep.drift={from: 0, to: 1, num: 3}");
	smab_experiment_free(&e);
	smab_errors_clear(&err);
	e = parse_set(base, NULL, 0, &err);
	ck_assert_ptr_null(e->overrides);
	smab_experiment_free(&e);
	smab_errors_clear(&err);
}
END_TEST

/* A file with nothing in it (or only a comment) takes every key from --set. */
START_TEST(set_on_empty_file)
{
	const char *set[] = {"suite=drift", "params.horizon=300"};
	char *b = canon_of("suite: drift\nparams: {horizon: 300}\n", NULL, 0);
	const char *texts[] = {"", "# nothing yet\n"};
	for (int i = 0; i < 2; i++) {
		char *a = canon_of(texts[i], set, 2);
		ck_assert_str_eq(a, b);
		free(a);
	}
	free(b);
}
END_TEST

START_TEST(set_errors_name_override)
{
	const char *set[] = {"params.horizn=5", "replications=x", "seed", "name=[",
	                     "params.egreedy.c=-1"};
	smab_errors err;
	smab_experiment *e = parse_set(base, set, 5, &err);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(err.n, 5);
	int named = 0;
	for (int i = 0; i < err.n; i++) {
		/* None points into the file: they are about the command line. */
		ck_assert_int_eq(err.e[i].line, 0);
		for (int k = 0; k < 5; k++) {
			char want[64];
			snprintf(want, sizeof want, "'%s'", set[k]);
			named += strstr(err.e[i].msg, want) != NULL;
		}
	}
	ck_assert_int_eq(named, 5);
	int found = 0;
	for (int i = 0; i < err.n; i++)
		if (err.e[i].key && strcmp(err.e[i].key, "params.horizn") == 0 &&
		    strstr(err.e[i].msg, "did you mean 'horizon'"))
			found = 1;
	ck_assert(found);
	smab_errors_clear(&err);
	/* An error in the file itself keeps its line next to a good override. */
	const char *ok[] = {"replications=3"};
	e = parse_set("suite: drift\nseed: x\n", ok, 1, &err);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(err.n, 1);
	ck_assert_int_eq(err.e[0].line, 2);
	smab_errors_clear(&err);
}
END_TEST

/* Every task in exactly one shard; shards within one task of equal size
 * when every point has a multiple of n replications; deterministic. */
START_TEST(shards_partition)
{
	const int reps[] = {1, 3, 7, 40, 100};
	const int shards[] = {1, 2, 3, 4, 16};
	for (size_t a = 0; a < sizeof reps / sizeof reps[0]; a++)
		for (size_t b = 0; b < sizeof shards / sizeof shards[0]; b++) {
			int R = reps[a], n = shards[b], P = 5;
			int count[16] = {0};
			for (int64_t p = 0; p < P; p++)
				for (int r = 0; r < R; r++) {
					int s = smab_sched_shard(p, r, R, n);
					ck_assert_int_ge(s, 0);
					ck_assert_int_lt(s, n);
					ck_assert_int_eq(s, smab_sched_shard(p, r, R, n));
					count[s]++;
				}
			int lo = P * R, hi = 0;
			for (int s = 0; s < n; s++) {
				lo = count[s] < lo ? count[s] : lo;
				hi = count[s] > hi ? count[s] : hi;
			}
			/* Per point the blocks differ by at most one task. */
			ck_assert_int_le(hi - lo, P);
			if (R % n == 0)
				ck_assert_int_eq(hi, lo);
		}
	/* Known answers: 4 replications, 2 shards, point 0 then point 1. */
	ck_assert_int_eq(smab_sched_shard(0, 0, 4, 2), 0);
	ck_assert_int_eq(smab_sched_shard(0, 1, 4, 2), 0);
	ck_assert_int_eq(smab_sched_shard(0, 2, 4, 2), 1);
	ck_assert_int_eq(smab_sched_shard(1, 0, 4, 2), 1);
	ck_assert_int_eq(smab_sched_shard(1, 3, 4, 2), 0);
}
END_TEST

/* What /bin/sh makes of the quoted word: it must be the word itself. */
START_TEST(quote_round_trip)
{
	const char *words[] = {"plain", "two words", "it's", "$(touch /tmp/smab-pwned)",
	                       "`id`; rm -rf x", "a\nb", "'", "''", "\\$HOME\"", "*?[a]",
	                       "--set=x", ""};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		char *q = smab_shell_quote(words[i]);
		size_t n = strlen(q) + 32;
		char *cmd = malloc(n);
		snprintf(cmd, n, "printf '%%s' %s", q);
		FILE *p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		char got[256] = "";
		size_t len = fread(got, 1, sizeof got - 1, p);
		got[len] = '\0';
		ck_assert_int_eq(pclose(p), 0);
		ck_assert_str_eq(got, words[i]);
		free(cmd);
		free(q);
	}
	ck_assert_int_ne(access("/tmp/smab-pwned", F_OK), 0);
}
END_TEST

START_TEST(template_and_safe_words)
{
	const char *names[] = {"A", "BB"};
	const char *vals[] = {"x", "@A@"};
	char *t = smab_fill_template("@A@-@BB@-@C@-@A", names, vals, 2);
	/* Values are not rescanned; unknown fields stay. */
	ck_assert_str_eq(t, "x-@A@-@C@-@A");
	free(t);
	ck_assert(smab_safe_word("00:05:00", ":-", 32));
	ck_assert(!smab_safe_word("1:00;rm", ":-", 32));
	ck_assert(!smab_safe_word("a b", "_.,-", 32));
	ck_assert(!smab_safe_word("", "_", 32));
	ck_assert(!smab_safe_word("abcdef", "", 5));
	ck_assert(smab_safe_word("gpu_a100,debug", "_.,-", 32));
}
END_TEST

static Suite *cluster_suite(void)
{
	Suite *s = suite_create("cluster");
	TCase *tc = tcase_create("overrides");
	tcase_add_test(tc, set_equals_edited_file);
	tcase_add_test(tc, set_new_top_keys);
	tcase_add_test(tc, set_on_empty_file);
	tcase_add_test(tc, set_errors_name_override);
	suite_add_tcase(s, tc);
	TCase *sub = tcase_create("submit");
	tcase_add_test(sub, quote_round_trip);
	tcase_add_test(sub, template_and_safe_words);
	suite_add_tcase(s, sub);
	TCase *sh = tcase_create("shards");
	tcase_add_test(sh, shards_partition);
	suite_add_tcase(s, sh);
	return s;
}

int main(void) { return smab_check_main(cluster_suite()); }
