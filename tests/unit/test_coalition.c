/* test_coalition.c - the coalition suite on the synthetic and fixed
 * instances, and its sweep axis.  (MovieLens: test_movielens.c and the
 * integration tests.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "smab/config.h"
#include "smab/shapley.h"
#include "suite_util.h"

#define NMET (1 + SMAB_MAX_AGENTS)
#define MAXP 32

static const smab_suite *S;

static void setup(void)
{
	S = smab_suite_find("coalition");
	ck_assert_ptr_nonnull(S);
	ck_assert_int_eq(S->nmetrics, NMET);
}

/* Run the named mechanisms on coalition 'mask' (a bit mask); scalar holds
 * nmech * NMET values. */
static void run(smab_value *p, uint32_t mask, const char *const *names, int nmech,
                uint32_t rep, double *scalar)
{
	double curve[16 * NMET];
	su_set(S, p, "coalition", mask);
	ck_assert_int_eq(su_run(S, p, 11, 0, rep, names, nmech, NULL, 0, scalar, curve),
	                 SMAB_OK);
}

static double agent_regret(const double *scalar, int k, int a)
{
	return scalar[k * NMET + 1 + a];
}

/* M-ETC explores by maximizing det(I + V_a + x x^T): on unit vectors that is
 * the least-played of the agent's items, so 20 rounds over agent 0's ten
 * items play each twice, and its regret is exactly 2 * (0 + 0.1 + 0.2 + 0.3
 * + 0.4) * 2 = 4, whatever the noise. */
START_TEST(metc_explores_round_robin)
{
	smab_value p[MAXP];
	double sc[NMET];
	static const char *const m[] = {"metc"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 20);
	su_set(S, p, "metc.explore", 20);
	for (uint32_t rep = 0; rep < 3; rep++) {
		run(p, 1u, m, 1, rep, sc);
		ck_assert_double_eq_tol(agent_regret(sc, 0, 0), 4.0, 1e-12);
		ck_assert_double_eq_tol(sc[0], 4.0, 1e-12);
		for (int a = 1; a < SMAB_MAX_AGENTS; a++)
			ck_assert(isnan(agent_regret(sc, 0, a)));
	}
}
END_TEST

/* Theorem 6's exploration half: an agent's exploration ignores the other
 * agents, and every coalition sees the same noise, so during exploration
 * its regret is the same in every coalition -- to the last bit. */
START_TEST(metc_exploration_independent_of_coalition)
{
	smab_value p[MAXP];
	double sc[NMET];
	static const char *const m[] = {"metc"};
	su_defaults(S, p, MAXP);
	su_set_enum(S, p, "instance", "asymmetric");
	su_set(S, p, "horizon", 57);
	su_set(S, p, "metc.explore", 57);
	run(p, 1u << 2, m, 1, 4, sc);
	double alone = agent_regret(sc, 0, 2);
	ck_assert(alone > 0);
	static const uint32_t with[] = {0x06, 0x07, 0x2c, 0x3f};
	for (size_t i = 0; i < sizeof with / sizeof with[0]; i++) {
		run(p, with[i], m, 1, 4, sc);
		ck_assert(agent_regret(sc, 0, 2) == alone);
	}
}
END_TEST

/* LinUCB-M with alpha = 0 is GREEDY, on the same draws; dev-greedy and
 * dev-random with a deviator outside the coalition are LinUCB-M. */
START_TEST(mechanisms_agree_where_they_should)
{
	smab_value p[MAXP];
	double sc[4 * NMET];
	static const char *const m[] = {"linucb", "greedy", "dev-greedy", "dev-random"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 300);
	su_set(S, p, "deviate.agent", 5);
	run(p, 0x0b, m, 4, 1, sc);      /* agents 0, 1, 3 */
	for (int a = 0; a < 5; a++) {
		if (!(0x0b >> a & 1))
			continue;
		ck_assert(agent_regret(sc, 2, a) == agent_regret(sc, 0, a));
		ck_assert(agent_regret(sc, 3, a) == agent_regret(sc, 0, a));
	}
	su_set(S, p, "alpha", 0);
	run(p, 0x0b, m, 2, 1, sc);
	for (int a = 0; a < 5; a++)
		if (0x0b >> a & 1)
			ck_assert(agent_regret(sc, 0, a) == agent_regret(sc, 1, a));
	ck_assert(sc[0] == sc[NMET]);
}
END_TEST

/* The trmm kernel (and its single and mixed precisions) computes
 * LinUCB-M's widths through a factor of V^-1, the gemm kernel through V^-1
 * itself: on the synthetic games they choose the same arm in every round,
 * so every coalition's regrets agree to the last bit. */
START_TEST(kernels_choose_alike)
{
	smab_value p[MAXP];
	double ref[NMET], sc[NMET];
	static const char *const m[] = {"linucb"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 400);
	for (int inst = 0; inst < 2; inst++) {
		su_set_enum(S, p, "instance", inst ? "asymmetric" : "synthetic");
		for (uint32_t mask = 1; mask < (inst ? 64u : 32u); mask += inst ? 5 : 3) {
			su_set_enum(S, p, "kernel", "gemm");
			su_set_enum(S, p, "precision", "double");
			run(p, mask, m, 1, 2, ref);
			su_set_enum(S, p, "kernel", "trmm");
			static const char *const prec[] = {"double", "single", "mixed"};
			for (int q = 0; q < 3; q++) {
				su_set_enum(S, p, "precision", prec[q]);
				run(p, mask, m, 1, 2, sc);
				for (int a = 0; a < NMET; a++)
					ck_assert_msg(memcmp(&sc[a], &ref[a], sizeof sc[a]) == 0,
					              "instance %d, coalition %u, %s, metric %d: %.17g vs %.17g",
					              inst, mask, prec[q], a, sc[a], ref[a]);
			}
		}
	}
}
END_TEST

/* Precision mixed recomputes in double the widths its float screen cannot
 * rule out, so its choices are those of precision double: every mechanism
 * that uses widths (LinUCB-M, the deviations, M-ETC's exploration) gives
 * bit-identical regrets on both synthetic games, for alpha 1 and 0.3. */
START_TEST(mixed_is_double)
{
	smab_value p[MAXP];
	double ref[4 * NMET], sc[4 * NMET];
	static const char *const m[] = {"linucb", "dev-greedy", "dev-random", "metc"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 300);
	su_set(S, p, "metc.explore", 100);
	for (int inst = 0; inst < 2; inst++) {
		su_set_enum(S, p, "instance", inst ? "asymmetric" : "synthetic");
		for (int al = 0; al < 2; al++) {
			su_set(S, p, "alpha", al ? 0.3 : 1.0);
			for (uint32_t mask = 1; mask < (inst ? 64u : 32u); mask += inst ? 9 : 5) {
				su_set_enum(S, p, "precision", "double");
				run(p, mask, m, 4, 3, ref);
				su_set_enum(S, p, "precision", "mixed");
				run(p, mask, m, 4, 3, sc);
				ck_assert(ref[0] > 0);
				ck_assert_msg(memcmp(sc, ref, sizeof sc) == 0,
				              "instance %d, alpha %d, coalition %u", inst, al, mask);
			}
		}
	}
}
END_TEST

/* 'reuse: user' keeps each user's widths as bounds on its later ones and
 * recomputes only the blocks that could hold the choice: under every
 * precision, every mechanism that uses widths gives the regrets of 'reuse:
 * none' to the bit, on both synthetic games (one user, so every round
 * after the first reuses), for alpha 1, 0.3 and 0. */
START_TEST(reuse_is_exact)
{
	smab_value p[MAXP];
	double ref[3 * NMET], sc[3 * NMET];
	static const char *const m[] = {"linucb", "dev-greedy", "dev-random"};
	static const char *const prec[] = {"double", "single", "mixed"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 300);
	for (int inst = 0; inst < 2; inst++) {
		su_set_enum(S, p, "instance", inst ? "asymmetric" : "synthetic");
		for (int q = 0; q < 3; q++) {
			su_set_enum(S, p, "precision", prec[q]);
			for (int al = 0; al < 3; al++) {
				su_set(S, p, "alpha", al == 0 ? 1.0 : al == 1 ? 0.3 : 0.0);
				for (uint32_t mask = 1; mask < (inst ? 64u : 32u); mask += inst ? 9 : 5) {
					su_set_enum(S, p, "reuse", "none");
					run(p, mask, m, 3, 3, ref);
					su_set_enum(S, p, "reuse", "user");
					run(p, mask, m, 3, 3, sc);
					ck_assert(ref[0] > 0);
					ck_assert_msg(memcmp(sc, ref, sizeof sc) == 0,
					              "instance %d, %s, alpha %d, coalition %u", inst, prec[q],
					              al, mask);
				}
			}
		}
	}
}
END_TEST

/* The cost model under reuse: the synthetic games have one user, met in
 * the first round, so a member's task costs T (1 + W/4) + 3W/4 with W =
 * 25^3 / 1000 the widths' product, against T (1 + W) without reuse; so
 * under reuse a task twice as long costs less than twice as much. */
START_TEST(reuse_cost_model)
{
	smab_value p[MAXP];
	su_defaults(S, p, MAXP);
	su_set(S, p, "coalition", 0x7);
	su_set(S, p, "horizon", 1000);
	double W = 25.0 * 25.0 * 25.0 / 1000.0;
	su_set_enum(S, p, "reuse", "none");
	ck_assert_double_eq_tol(S->cost(p, 2), 2 * 3 * 1000 * (1 + W), 1e-6);
	su_set_enum(S, p, "reuse", "user");
	double c1 = S->cost(p, 2);
	ck_assert_double_eq_tol(c1, 2 * 3 * (1000 * (1 + W / 4) + 3 * W / 4), 1e-6);
	su_set(S, p, "horizon", 2000);
	ck_assert(S->cost(p, 2) < 2 * c1);
	su_set_enum(S, p, "kernel", "gemm");     /* no reuse under gemm */
	ck_assert_double_eq_tol(S->cost(p, 2), 2 * 3 * 2000 * (1 + W), 1e-6);
}
END_TEST

/* A uniformly random deviator on agent 0's ten items has expected regret
 * (0 + 0.1 + 0.2 + 0.3 + 0.4) / 5 = 0.2 a round: over T = 5000 rounds and 8
 * replications the mean is within 5 standard errors of 0.2 T (one round's
 * regret has variance 0.02). */
START_TEST(random_deviator_regret)
{
	smab_value p[MAXP];
	double sc[NMET], sum = 0;
	static const char *const m[] = {"dev-random"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 5000);
	for (uint32_t rep = 0; rep < 8; rep++) {
		run(p, 1u, m, 1, rep, sc);
		sum += agent_regret(sc, 0, 0);
	}
	double mean = sum / 8, se = sqrt(0.02 * 5000 / 8);
	ck_assert_msg(fabs(mean - 1000) < 5 * se, "mean %g", mean);
}
END_TEST

/* 'scale' multiplies theta*: a fixed action sequence (a random deviator
 * alone, whose choices ignore the rewards) loses exactly scale times as
 * much; and since the learners are linear in the rewards, scaling theta*,
 * the noise and alpha by 2 doubles every agent's regret to the bit. */
START_TEST(scale_multiplies_theta)
{
	smab_value p[MAXP];
	double sc[2 * NMET], base[2 * NMET];
	static const char *const dev[] = {"dev-random"}, *const lin[] = {"linucb", "greedy"};
	su_defaults(S, p, MAXP);
	su_set(S, p, "horizon", 400);
	run(p, 1u, dev, 1, 2, base);
	su_set(S, p, "scale", 3);
	run(p, 1u, dev, 1, 2, sc);
	ck_assert(base[1] > 10);
	ck_assert_double_eq_tol(sc[1], 3 * base[1], 1e-12 * base[1]);

	su_set(S, p, "scale", 1);
	run(p, 0x0b, lin, 2, 1, base);
	su_set(S, p, "scale", 2);
	su_set(S, p, "noise", 2);
	su_set(S, p, "alpha", 2);
	run(p, 0x0b, lin, 2, 1, sc);
	ck_assert(base[0] > 10 && base[NMET] > 0);
	for (int k = 0; k < 2; k++)
		for (int a = 0; a < 5; a++)
			if (0x0b >> a & 1)
				ck_assert(agent_regret(sc, k, a) == 2 * agent_regret(base, k, a));
	/* the noise is not scaled: the same scale with noise 1 is another run */
	su_set(S, p, "noise", 1);
	run(p, 0x0b, lin, 2, 1, sc);
	ck_assert(sc[0] != 2 * base[0]);
}
END_TEST

/* Lemma 1: with m agents MUL's total regret over T rounds is within m K
 * gap_max of SIN's over m T rounds.  Without noise SIN's history is a pure
 * function of its own steps, so this holds in every replication. */
START_TEST(mul_lemma1_buffer)
{
	smab_value p[MAXP];
	double sc[NMET];
	static const char *const m[] = {"mul-ucb"};
	su_defaults(S, p, MAXP);
	su_set_enum(S, p, "instance", "fixed");
	su_set(S, p, "agents", 3);
	su_set(S, p, "noise", 0);
	for (uint32_t rep = 0; rep < 3; rep++) {
		su_set(S, p, "horizon", 3 * 400);
		run(p, 1u, m, 1, rep, sc);
		double single = sc[0];
		su_set(S, p, "horizon", 400);
		run(p, 7u, m, 1, rep, sc);
		double multi = sc[0];
		ck_assert_msg(fabs(multi - single) <= 3 * 25 * 0.4 + 1e-9,
		              "MUL %g vs SIN %g", multi, single);
		/* all members play the same action: equal regrets */
		ck_assert(agent_regret(sc, 0, 0) == agent_regret(sc, 0, 1));
		ck_assert(agent_regret(sc, 0, 0) == agent_regret(sc, 0, 2));
		ck_assert(single > 0);
	}
}
END_TEST

/* With one agent MUL is SIN itself: UCB1 pulls each of the 25 arms once
 * (regret sum of gaps = 5 * (0 + .1 + .2 + .3 + .4) = 5) before anything
 * else. */
START_TEST(mul_single_agent_first_round_robin)
{
	smab_value p[MAXP];
	double sc[NMET];
	static const char *const m[] = {"mul-ucb", "mul-ts", "linucb"};
	su_defaults(S, p, MAXP);
	su_set_enum(S, p, "instance", "fixed");
	su_set(S, p, "horizon", 25);
	run(p, 1u, m, 1, 0, sc);
	ck_assert_double_eq_tol(sc[0], 5.0, 1e-12);
	/* MUL is only defined for a common action set */
	su_set_enum(S, p, "instance", "synthetic");
	double sc3[3 * NMET];
	run(p, 1u, m, 3, 0, sc3);
	ck_assert(isnan(sc3[0]) && isnan(sc3[NMET]));
	ck_assert(!isnan(sc3[2 * NMET]));
}
END_TEST

/* ---- the sweep axis ------------------------------------------------------ */

static smab_experiment *parse(const char *text, smab_errors *err)
{
	smab_experiment *e = NULL;
	smab_errors_init(err, "c.yaml");
	smab_config_parse(text, strlen(text), "c.yaml", &e, err);
	return e;
}

static int ncoal(const smab_experiment *e)
{
	ck_assert_int_eq(e->naxes, 1);
	return e->axes[0].len;
}

START_TEST(axis_forms)
{
	smab_errors err;
	smab_experiment *e = parse("suite: coalition\nsweep:\n  coalition: all\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ncoal(e), 31);
	/* by size, then mask: the singletons first, the grand coalition last */
	ck_assert_double_eq(e->axes[0].values[0].x, 1);
	ck_assert_double_eq(e->axes[0].values[4].x, 16);
	ck_assert_double_eq(e->axes[0].values[5].x, 3);
	ck_assert_double_eq(e->axes[0].values[30].x, 31);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	e = parse("suite: coalition\nparams: {instance: asymmetric}\nsweep:\n  coalition: {sizes: [1, 6]}\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ncoal(e), 7);
	ck_assert_double_eq(e->axes[0].values[6].x, 63);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	/* agents from 1; the deprecated bare list counts from 0, with a
	 * warning that spells the same coalitions the new way */
	e = parse("suite: coalition\nsweep:\n  coalition: {agents: [[1], [2, 4], [5, 1]]}\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ncoal(e), 3);
	ck_assert_double_eq(e->axes[0].values[0].x, 1);
	ck_assert_double_eq(e->axes[0].values[1].x, 10);
	ck_assert_double_eq(e->axes[0].values[2].x, 17);
	ck_assert_int_eq(err.nwarn, 0);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	e = parse("suite: coalition\nsweep:\n  coalition: [[0], [1, 3], [4, 0]]\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(ncoal(e), 3);
	ck_assert_double_eq(e->axes[0].values[0].x, 1);
	ck_assert_double_eq(e->axes[0].values[1].x, 10);
	ck_assert_double_eq(e->axes[0].values[2].x, 17);
	ck_assert_int_eq(err.nwarn, 1);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	e = parse("suite: coalition\nparams: {coalition: {agents: [2, 4]}}\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_double_eq(e->base[smab_suite_param(e->suite, "coalition")].x, 10);
	ck_assert_int_eq(err.nwarn, 0);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	/* 3 orders of 8 agents: at most 24 prefixes, the grand coalition among them */
	e = parse("suite: coalition\nseed: 5\nparams: {instance: fixed, agents: 8}\n"
	          "sweep:\n  coalition: {sample: permutations, n: 3}\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_le(ncoal(e), 24);
	ck_assert_int_ge(ncoal(e), 8);
	ck_assert_int_eq(e->coal_nperm, 3);
	ck_assert_double_eq(e->axes[0].values[ncoal(e) - 1].x, 255);
	int perm[24];
	uint32_t masks[24];
	smab_coal_perms(5, 8, 3, perm);
	int n = smab_coal_perm_masks(8, 3, perm, masks);
	ck_assert_int_eq(n, ncoal(e));
	for (int j = 0; j < n; j++)
		ck_assert_double_eq(e->axes[0].values[j].x, masks[j]);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	/* one fixed coalition in params, as a list */
	e = parse("suite: coalition\nparams:\n  coalition: [1, 2]\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_double_eq(e->base[smab_suite_param(e->suite, "coalition")].x, 6);
	smab_experiment_free(&e);
	smab_errors_clear(&err);

	/* ... read once the instance is known, whatever the order of the keys */
	e = parse("suite: coalition\nparams: {coalition: [0, 5], instance: asymmetric}\n", &err);
	ck_assert_ptr_nonnull(e);
	ck_assert_double_eq(e->base[smab_suite_param(e->suite, "coalition")].x, 33);
	smab_experiment_free(&e);
	smab_errors_clear(&err);
}
END_TEST

/* Each bad axis: one error at the offending node. */
START_TEST(axis_errors)
{
	static const struct {
		const char *text, *frag;
		int line, col;
	} bad[] = {
		{"suite: coalition\nsweep:\n  coalition: [[0], [5]]\n",
		 "expected an agent in [0, 4]", 3, 21},
		{"suite: coalition\nsweep:\n  coalition: {agents: [[1], [6]]}\n",
		 "expected an agent in [1, 5]", 3, 30},
		{"suite: coalition\nsweep:\n  coalition: {agents: [[0, 1]]}\n",
		 "agent 0: agents are numbered from 1", 3, 25},
		{"suite: coalition\nsweep:\n  coalition: {agents: [[1]], sizes: [1]}\n",
		 "takes no 'sizes'", 3, 14},
		{"suite: coalition\nparams: {coalition: {agents: [0]}}\n",
		 "agent 0: agents are numbered from 1", 2, 31},
		{"suite: coalition\nsweep:\n  coalition: [[0, 1], [1, 0]]\n",
		 "already in the list", 3, 23},
		{"suite: coalition\nsweep:\n  coalition: [[0, 0]]\n",
		 "appears twice", 3, 19},
		{"suite: coalition\nsweep:\n  coalition: {sizes: [0]}\n",
		 "coalition size in [1, 5]", 3, 23},
		{"suite: coalition\nsweep:\n  coalition: {sample: orders, n: 3}\n",
		 "sample: permutations", 3, 23},
		{"suite: coalition\nsweep:\n  coalition: {sample: permutations}\n",
		 "needs 'n'", 3, 14},
		{"suite: coalition\nsweep:\n  coalition: {size: [1]}\n",
		 "unknown coalition key 'size'", 3, 15},
		{"suite: coalition\nsweep:\n  coalition: some\n",
		 "expected 'all'", 3, 14},
		{"suite: coalition\nparams: {coalition: 64}\n",
		 "names agents beyond", 2, 21},
		{"suite: coalition\nsweep:\n  instance: [synthetic, asymmetric]\n  coalition: all\n",
		 "expanded for 5 agents, but this point's instance has 6", 4, 3},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		smab_errors err;
		smab_experiment *e = parse(bad[i].text, &err);
		ck_assert_ptr_null(e);
		ck_assert_int_ge(err.n, 1);
		ck_assert_msg(strstr(err.e[0].msg, bad[i].frag) != NULL,
		              "case %zu: '%s' lacks '%s'", i, err.e[0].msg, bad[i].frag);
		ck_assert_msg(err.e[0].line == bad[i].line && err.e[0].col == bad[i].col,
		              "case %zu: at %d:%d, expected %d:%d", i, err.e[0].line,
		              err.e[0].col, bad[i].line, bad[i].col);
		smab_errors_clear(&err);
	}
}
END_TEST

static Suite *coalition_suite(void)
{
	Suite *s = suite_create("coalition");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, metc_explores_round_robin);
	tcase_add_test(tc, metc_exploration_independent_of_coalition);
	tcase_add_test(tc, mechanisms_agree_where_they_should);
	tcase_add_test(tc, kernels_choose_alike);
	tcase_add_test(tc, mixed_is_double);
	tcase_add_test(tc, reuse_is_exact);
	tcase_add_test(tc, reuse_cost_model);
	tcase_add_test(tc, random_deviator_regret);
	tcase_add_test(tc, scale_multiplies_theta);
	tcase_add_test(tc, mul_lemma1_buffer);
	tcase_add_test(tc, mul_single_agent_first_round_robin);
	tcase_add_test(tc, axis_forms);
	tcase_add_test(tc, axis_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return smab_check_main(coalition_suite());
}
