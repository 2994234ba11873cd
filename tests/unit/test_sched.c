/* test_sched.c - batches cover every task once, costliest first, sized so
 * that dynamic scheduling balances uneven costs. */
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "smab/config.h"
#include "smab/plan.h"
#include "smab/sched.h"

static smab_experiment *e;
static smab_plan *pl;

/* An experiment whose two horizons make one point's tasks 100x costlier. */
static void setup_plan(const char *yaml)
{
	smab_errors err;
	smab_errors_init(&err, "sched.yaml");
	ck_assert_int_eq(smab_config_parse(yaml, strlen(yaml), "sched.yaml", &e, &err), SMAB_OK);
	smab_errors_clear(&err);
	ck_assert_int_eq(smab_plan_make(e, &pl), SMAB_OK);
}

static void teardown_plan(void)
{
	smab_plan_free(&pl);
	smab_experiment_free(&e);
}

static const char *uneven =
	"suite: drift\nreplications: 50\nsweep:\n  horizon: [100000, 1000, 2000]\n";

/* Every task not done appears in exactly one batch of consecutive reps. */
static void assert_cover(const smab_batch *b, int64_t nb, int64_t nt,
                         const unsigned char *done)
{
	int64_t n = pl->npoints * pl->reps, seen = 0;
	int *count = calloc((size_t)n, sizeof *count);
	for (int64_t i = 0; i < nb; i++) {
		ck_assert_int_ge(b[i].n, 1);
		ck_assert_int_ge(b[i].rep0, 0);
		ck_assert_int_le(b[i].rep0 + b[i].n, pl->reps);
		ck_assert_double_eq(b[i].cost, b[i].n * pl->cost[b[i].point]);
		for (int k = 0; k < b[i].n; k++) {
			count[b[i].point * pl->reps + b[i].rep0 + k]++;
			seen++;
		}
	}
	for (int64_t t = 0; t < n; t++)
		ck_assert_int_eq(count[t], done && done[t] ? 0 : 1);
	ck_assert_int_eq(seen, nt);
	free(count);
}

START_TEST(test_cover_and_order)
{
	setup_plan(uneven);
	int64_t nb, nt;
	smab_batch *b = smab_sched_batches(pl, NULL, 2, 16, &nb, &nt);
	ck_assert_int_eq(nt, 150);
	assert_cover(b, nb, nt, NULL);
	for (int64_t i = 1; i < nb; i++)
		ck_assert(b[i - 1].cost >= b[i].cost);
	/* The costly point dominates the target: its tasks run one by one,
	 * and they come first. */
	for (int64_t i = 0; i < 50; i++) {
		ck_assert_int_eq(b[i].point, 0);
		ck_assert_int_eq(b[i].n, 1);
	}
	free(b);
	teardown_plan();
}
END_TEST

START_TEST(test_tiny_tasks_batched)
{
	setup_plan("suite: drift\nreplications: 1000\nparams: {horizon: 100}\n");
	int64_t nb, nt;
	smab_batch *b = smab_sched_batches(pl, NULL, 2, 16, &nb, &nt);
	assert_cover(b, nb, nt, NULL);
	/* 1000 equal tasks for 2 ranks x 16 batches: batches of 31 (+ a tail). */
	ck_assert_int_ge(nb, 32);
	ck_assert_int_le(nb, 33);
	ck_assert_int_eq(b[0].n, 31);
	free(b);
	teardown_plan();
}
END_TEST

START_TEST(test_done_tasks_skipped)
{
	setup_plan(uneven);
	unsigned char *done = calloc((size_t)(pl->npoints * pl->reps), 1);
	for (int r = 0; r < 50; r += 3)
		done[1 * 50 + r] = 1;       /* every third rep of point 1 */
	for (int r = 0; r < 50; r++)
		done[2 * 50 + r] = 1;       /* all of point 2 */
	int64_t nb, nt;
	smab_batch *b = smab_sched_batches(pl, done, 2, 16, &nb, &nt);
	ck_assert_int_eq(nt, 50 + 33);
	assert_cover(b, nb, nt, done);
	for (int64_t i = 0; i < nb; i++) {
		ck_assert_int_ne(b[i].point, 2);
		if (b[i].point == 1)
			ck_assert_int_le(b[i].n, 2);   /* runs between done reps */
	}
	free(b);
	/* Nothing left: no batches. */
	memset(done, 1, (size_t)(pl->npoints * pl->reps));
	b = smab_sched_batches(pl, done, 2, 16, &nb, &nt);
	ck_assert_int_eq(nb, 0);
	ck_assert_int_eq(nt, 0);
	free(b);
	free(done);
	teardown_plan();
}
END_TEST

START_TEST(test_deterministic)
{
	setup_plan(uneven);
	int64_t nb1, nt1, nb2, nt2;
	smab_batch *b1 = smab_sched_batches(pl, NULL, 3, 16, &nb1, &nt1);
	smab_batch *b2 = smab_sched_batches(pl, NULL, 3, 16, &nb2, &nt2);
	ck_assert_int_eq(nb1, nb2);
	ck_assert_mem_eq(b1, b2, (size_t)nb1 * sizeof *b1);
	free(b1);
	free(b2);
	teardown_plan();
}
END_TEST

/* Dynamic scheduling model: each batch goes to the rank that frees up
 * first (what the shared counter does when costs are as estimated).  The
 * slowest rank then finishes within 10% of a perfect split. */
START_TEST(test_balance)
{
	setup_plan(uneven);
	for (int nranks = 2; nranks <= 7; nranks++) {
		int64_t nb, nt;
		smab_batch *b = smab_sched_batches(pl, NULL, nranks, 16, &nb, &nt);
		double load[7] = {0}, total = 0;
		for (int64_t i = 0; i < nb; i++) {
			int k = 0;
			for (int j = 1; j < nranks; j++)
				if (load[j] < load[k])
					k = j;
			load[k] += b[i].cost;
			total += b[i].cost;
		}
		double most = 0;
		for (int j = 0; j < nranks; j++)
			most = load[j] > most ? load[j] : most;
		ck_assert_double_le(most, 1.10 * total / nranks);
		free(b);
	}
	teardown_plan();
}
END_TEST

/* The textbook case where handing the costliest task to the first free
 * rank is not optimal: tasks 3, 3, 2, 2, 2 on two ranks end at 7 (3+2+2
 * beside 3+2), where the even share says 6; on three ranks at 5; on many
 * at 3, the costliest task, which no number of ranks shortens. */
static const char *textbook =
	"suite: drift\nreplications: 1\nsweep:\n  horizon: [3000, 2000, 3000, 2000, 2000]\n";

START_TEST(test_wall_lpt)
{
	setup_plan(textbook);
	double c3 = pl->cost[0], c2 = pl->cost[1];
	ck_assert_double_eq(c3, 1.5 * c2);
	ck_assert_double_eq(smab_plan_wall(e, 1, 1, 1), 2 * c3 + 3 * c2);
	ck_assert_double_eq(smab_plan_wall(e, 1, 2, 1), c3 + 2 * c2);
	ck_assert_double_eq(smab_plan_wall(e, 1, 3, 1), c3 + c2);
	ck_assert_double_eq(smab_plan_wall(e, 1, 1024, 1), c3);
	ck_assert_double_eq(smab_plan_wall(e, 2, 2, 1), (c3 + 2 * c2) / 2);
	/* several rank counts at once: the same, one sort */
	long ranks[4] = {1, 2, 3, 1024};
	double w[4];
	smab_plan_walls(e, 1, ranks, 4, 1, w);
	ck_assert_double_eq(w[0], 2 * c3 + 3 * c2);
	ck_assert_double_eq(w[1], c3 + 2 * c2);
	ck_assert_double_eq(w[2], c3 + c2);
	ck_assert_double_eq(w[3], c3);
	int64_t p = -1;
	ck_assert_double_eq(smab_plan_critical(e, &p), c3);
	ck_assert_int_eq(p, 0);
	teardown_plan();
}
END_TEST

/* With shards, the slowest shard: each shard's own tasks (smab_sched_shard)
 * on one rank each add up to exactly its share. */
START_TEST(test_wall_shards)
{
	setup_plan(uneven);
	for (int shards = 2; shards <= 5; shards++) {
		double sum[5] = {0}, most = 0;
		for (int64_t q = 0; q < pl->npoints; q++)
			for (int r = 0; r < pl->reps; r++)
				sum[smab_sched_shard(q, r, pl->reps, shards)] += pl->cost[q];
		for (int k = 0; k < shards; k++)
			most = sum[k] > most ? sum[k] : most;
		ck_assert_double_eq_tol(smab_plan_wall(e, 1, 1, shards), most, 1e-9 * most);
	}
	teardown_plan();
}
END_TEST

static Suite *sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc = tcase_create("batches");
	tcase_add_test(tc, test_cover_and_order);
	tcase_add_test(tc, test_tiny_tasks_batched);
	tcase_add_test(tc, test_done_tasks_skipped);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_balance);
	tcase_add_test(tc, test_wall_lpt);
	tcase_add_test(tc, test_wall_shards);
	suite_add_tcase(s, tc);
	return s;
}

int main(void) { return smab_check_main(sched_suite()); }
