/* test_config.c - the config module and sweep expansion: every error class
 * at its exact line, column and key, defaults, both params spellings, sweep
 * order, ranges and the canonical text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "smab/config.h"

enum { HORIZON, ARMS, MEANS, MEAN_BEST, GAP, NOISE, SIGMA, DRIFT, UCB_ALPHA,
       EG_C, EG_D };

static smab_errors err;
static smab_experiment *e;
static int rc;

static void setup(void)
{
	smab_errors_init(&err, "test.yaml");
	e = NULL;
}

static void teardown(void)
{
	smab_experiment_free(&e);
	smab_errors_clear(&err);
}

static void parse(const char *text)
{
	smab_experiment_free(&e);
	rc = smab_config_parse(text, strlen(text), "dir/test.yaml", &e, &err);
}

static int param(const char *name)
{
	return smab_suite_param(smab_suite_find("drift"), name);
}

/* Error 'I' is at line L, column C, about key K (NULL: none), and says FRAG. */
#define EXPECT_ERR(I, L, C, K, FRAG)                                          \
	do {                                                                  \
		ck_assert_int_gt(err.n, (I));                                 \
		ck_assert_int_eq(err.e[I].line, (L));                         \
		ck_assert_int_eq(err.e[I].col, (C));                          \
		if ((K) == NULL)                                              \
			ck_assert_ptr_null(err.e[I].key);                     \
		else                                                          \
			ck_assert_str_eq(err.e[I].key, (const char *)(K));    \
		ck_assert_msg(strstr(err.e[I].msg, (FRAG)) != NULL,           \
		              "message '%s' lacks '%s'", err.e[I].msg, (FRAG)); \
	} while (0)

/* Parsing failed with exactly N errors and no experiment. */
#define EXPECT_FAIL(N)                                                        \
	do {                                                                  \
		ck_assert_int_eq(rc, SMAB_EINVAL);                            \
		ck_assert_ptr_null(e);                                        \
		ck_assert_int_eq(err.n, (N));                                 \
	} while (0)

#define EXPECT_OK()                                                           \
	do {                                                                  \
		if (rc != SMAB_OK)                                            \
			smab_errors_print(&err, stderr);                      \
		ck_assert_int_eq(rc, SMAB_OK);                                \
		ck_assert_ptr_nonnull(e);                                     \
		ck_assert_int_eq(err.n, 0);                                   \
	} while (0)

/* ---- errors ------------------------------------------------------------- */

START_TEST(unknown_top_key)
{
	parse("suite: drift\nseeds: 3\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 2, 1, "seeds", "unknown key 'seeds'; did you mean 'seed'?");
	parse("suite: drift\nfoo: 3\n");
	EXPECT_ERR(1, 2, 1, "foo", "expected one of: name, suite, seed");
}
END_TEST

START_TEST(unknown_param_key)
{
	parse("suite: drift\nparams:\n  armz: 3\n  egreedy: {q: 1}\n  alpha: 2\n");
	EXPECT_FAIL(3);
	EXPECT_ERR(0, 3, 3, "params.armz", "unknown parameter 'armz'; did you mean 'arms'?");
	EXPECT_ERR(1, 4, 13, "params.egreedy.q", "did you mean 'egreedy.c'?");
	EXPECT_ERR(2, 5, 3, "params.alpha", "did you mean 'ucb.alpha'?");
}
END_TEST

START_TEST(wrong_type)
{
	parse("suite: drift\nparams:\n  horizon: abc\n  arms: \"5\"\n  gap: [0.1]\n"
	      "  drift: 0x10\n");
	EXPECT_FAIL(4);
	EXPECT_ERR(0, 3, 12, "params.horizon",
	           "expected an integer in [1, 1000000000], got 'abc'");
	EXPECT_ERR(1, 4, 9, "params.arms", "got the string \"5\"");
	EXPECT_ERR(2, 5, 8, "params.gap", "expected a number in [0, 1], got a list");
	EXPECT_ERR(3, 6, 10, "params.drift", "got '0x10'");
}
END_TEST

START_TEST(int_literals)
{
	parse("suite: drift\nparams:\n  horizon: 2e4\n  arms: 4.0\n");
	EXPECT_OK();
	ck_assert(e->base[param("horizon")].x == 20000);
	ck_assert(e->base[param("arms")].x == 4);
	parse("suite: drift\nparams:\n  horizon: 2.5\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 3, 12, "params.horizon", "expected an integer");
}
END_TEST

START_TEST(out_of_range)
{
	parse("suite: drift\nparams:\n  arms: 1\n  sigma: -1\n  egreedy.d: 2\n");
	EXPECT_FAIL(3);
	EXPECT_ERR(0, 3, 9, "params.arms", "expected an integer in [2, 1000000], got 1");
	EXPECT_ERR(1, 4, 10, "params.sigma", "expected a number in [0, 100], got -1");
	EXPECT_ERR(2, 5, 14, "params.egreedy.d", "expected a number in [1e-09, 1], got 2");
}
END_TEST

START_TEST(bad_enum_and_vector)
{
	parse("suite: drift\nparams:\n  noise: gauss\n  means: [0.5, 1.5, x]\n");
	EXPECT_FAIL(3);
	EXPECT_ERR(0, 3, 10, "params.noise", "expected one of gaussian|bernoulli, got 'gauss'");
	EXPECT_ERR(1, 4, 16, "params.means", "expected a number in [0, 1], got 1.5");
	EXPECT_ERR(2, 4, 21, "params.means", "got 'x'");
}
END_TEST

START_TEST(empty_sweep_axis)
{
	parse("suite: drift\nsweep:\n  drift: []\n  gap: {from: 0.1, to: 0.2, num: 0}\n");
	EXPECT_FAIL(2);
	EXPECT_ERR(0, 3, 10, "sweep.drift", "empty sweep axis");
	EXPECT_ERR(1, 4, 34, "sweep.gap.num", "empty sweep axis");
}
END_TEST

START_TEST(unknown_suite)
{
	parse("suite: bandit\nseed: 3\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 1, 8, "suite", "unknown suite 'bandit'; expected one of: drift");
	parse("suite: drfit\n");
	EXPECT_ERR(1, 1, 8, "suite", "did you mean 'drift'? (known: drift");
}
END_TEST

START_TEST(unknown_mechanism)
{
	parse("suite: drift\nmechanisms: [ucb, tss, ucb]\n");
	EXPECT_FAIL(2);
	EXPECT_ERR(0, 2, 19, "mechanisms",
	           "unknown mechanism 'tss'; did you mean 'ts'? (known: ucb, egreedy, ts, greedy)");
	EXPECT_ERR(1, 2, 24, "mechanisms", "'ucb' is listed twice (first at 2:14)");
}
END_TEST

START_TEST(malformed_yaml)
{
	parse("suite: drift\nparams:\n  means: [0.5, 0.4\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 4, 1, NULL, "invalid YAML: did not find expected ',' or ']'");
	ck_assert_ptr_nonnull(strstr(err.e[0].msg, "started at 3:10"));
	parse("suite: drift\n  seed: 1\n");
	ck_assert_int_eq(err.n, 2);
	ck_assert_int_eq(err.e[1].line, 2);
	ck_assert_ptr_null(err.e[1].key);
}
END_TEST

START_TEST(duplicate_key)
{
	parse("suite: drift\nseed: 1\nseed: 2\nparams:\n  egreedy: {c: 2}\n  egreedy.c: 3\n");
	EXPECT_FAIL(2);
	EXPECT_ERR(0, 3, 1, "seed", "duplicate key 'seed' (first at 2:1)");
	EXPECT_ERR(1, 6, 3, "params.egreedy.c", "'egreedy.c' is set twice (first at 5:16)");
}
END_TEST

START_TEST(zip_length_mismatch)
{
	parse("suite: drift\nsweep:\n  zip:\n    arms: [2, 3]\n    gap: [0.1, 0.2, 0.3]\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 5, 10, "sweep.zip.gap",
	           "zip lists must have equal lengths: 'arms' has 2 values, 'gap' has 3");
}
END_TEST

START_TEST(bad_sweeps)
{
	parse("suite: drift\nsweep:\n  means: [[0.5, 2]]\n  drift: [0, 1]\n  zip:\n"
	      "    drift: [0, 2]\n  ucb: {alpha: [1]}\n  noise: {from: 1, to: 2, num: 2}\n"
	      "  horizon: {from: 0, to: 10, num: 2, scale: log, by: 1}\n");
	EXPECT_FAIL(6);
	EXPECT_ERR(0, 3, 17, "sweep.means", "expected a number in [0, 1], got 2");
	EXPECT_ERR(1, 6, 5, "sweep.zip.drift", "already swept by the axis at 4:3");
	EXPECT_ERR(2, 7, 3, "sweep.ucb", "write dotted names such as 'ucb.alpha'");
	EXPECT_ERR(3, 8, 10, "sweep.noise", "a range needs a numeric parameter");
	EXPECT_ERR(4, 9, 19, "sweep.horizon.from", "a log range needs from > 0");
	EXPECT_ERR(5, 9, 50, "sweep.horizon.by", "unknown range key 'by'");
}
END_TEST

START_TEST(fixed_and_swept)
{
	/* the sweep used to win without a word; now both places are named */
	parse("suite: drift\nparams:\n  drift: 0.3\n  egreedy: {c: 2}\nsweep:\n"
	      "  drift: [0, 0.5]\n  zip:\n    egreedy.c: [1, 3]\n    gap: [0.1, 0.2]\n");
	EXPECT_FAIL(2);
	EXPECT_ERR(0, 6, 3, "sweep.drift",
	           "parameter 'drift' is fixed in 'params' (at 3:10) and also swept here");
	EXPECT_ERR(1, 8, 5, "sweep.zip.egreedy.c",
	           "parameter 'egreedy.c' is fixed in 'params' (at 4:16)");
	/* a fixed value from --set against the file's axis: named, with the fix */
	smab_experiment_free(&e);
	const char *set[] = {"params.drift=0.2"};
	const char *text = "suite: drift\nsweep:\n  drift: [0, 0.5]\n";
	rc = smab_config_parse_set(text, strlen(text), "t.yaml", set, 1, &e, &err);
	EXPECT_FAIL(3);
	EXPECT_ERR(2, 3, 3, "sweep.drift", "(by --set 'params.drift=0.2') and also swept here: "
	           "to fix it from the command line, give this axis one value instead "
	           "(--set sweep.drift=[VALUE])");
	/* which works: an override of the axis replaces it */
	const char *one[] = {"sweep.drift=[0.2]"};
	smab_errors_clear(&err);
	smab_errors_init(&err, "test.yaml");
	rc = smab_config_parse_set(text, strlen(text), "t.yaml", one, 1, &e, &err);
	EXPECT_OK();
	ck_assert(smab_sweep_npoints(e) == 1);
}
END_TEST

START_TEST(list_axis_value_too_long)
{
	/* /points holds a swept list as text: 2500 numbers at most */
	size_t cap = 64 + 2 * 2501 * 2;
	char *t = smab_xmalloc(cap);
	size_t n = (size_t)snprintf(t, cap, "suite: drift\nsweep:\n  means: [[0.5], [0");
	for (int i = 1; i < 2501; i++)
		n += (size_t)snprintf(t + n, cap - n, ",0");
	snprintf(t + n, cap - n, "]]\n");
	parse(t);
	free(t);
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 3, 18, "sweep.means", "a value of a list axis has at most 2500 numbers "
	           "(its /points column holds it as text), got 2501");
}
END_TEST

START_TEST(enum_did_you_mean)
{
	parse("suite: drift\nparams:\n  noise: bernouli\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 3, 10, "params.noise",
	           "expected one of gaussian|bernoulli, got 'bernouli'; did you mean 'bernoulli'?");
	parse("suite: drift\nsweep:\n  noise: [gaussian, gausian]\n");
	EXPECT_ERR(1, 3, 21, "sweep.noise", "got 'gausian'; did you mean 'gaussian'?");
	parse("suite: drift\nparams:\n  noise: poisson\n");
	ck_assert_ptr_null(strstr(err.e[2].msg, "did you mean"));
}
END_TEST

START_TEST(sweep_value_checked)
{
	parse("suite: drift\nsweep:\n  arms: [2, 1]\n  horizon: {from: 0.4, to: 10, num: 3}\n");
	EXPECT_FAIL(2);
	EXPECT_ERR(0, 3, 13, "sweep.arms", "expected an integer in [2, 1000000], got 1");
	EXPECT_ERR(1, 4, 19, "sweep.horizon.from", "expected an integer in [1, 1000000000], got 0.4");
}
END_TEST

START_TEST(means_arms_disagree)
{
	parse("suite: drift\nparams:\n  arms: 3\n  means: [0.5, 0.4]\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 4, 10, "means", "'means' has 2 entries but 'arms' is 3");
	/* swept: each distinct failure once, at the blamed parameter's value */
	parse("suite: drift\nparams:\n  means: [0.5, 0.4]\nsweep:\n  arms: [2, 3, 4]\n");
	ck_assert_int_eq(err.n, 3);
	EXPECT_ERR(1, 3, 10, "means", "'arms' is 3: they must agree (sweep point 1: arms=3)");
	EXPECT_ERR(2, 3, 10, "means", "'arms' is 4: they must agree (sweep point 2: arms=4)");
	/* the same failure at many points: once, with a count */
	parse("suite: drift\nparams:\n  means: [0.5, 0.4]\n  arms: 3\n"
	      "sweep:\n  gap: [0.1, 0.2, 0.3]\n");
	ck_assert_int_eq(err.n, 4);
	EXPECT_ERR(3, 3, 10, "means", "(sweep point 0: gap=0.1; and 2 more points)");
}
END_TEST

START_TEST(check_names_point)
{
	/* only point 0 (arms=2) disagrees with the three means */
	parse("suite: drift\nsweep:\n  zip:\n    arms: [2, 3]\n    gap: [0.1, 0.2]\n"
	      "params:\n  means: [0.1, 0.2, 0.3]\n");
	ck_assert_int_eq(err.n, 1);
	EXPECT_ERR(0, 7, 10, "means", "(sweep point 0: arms=2, gap=0.1)");
}
END_TEST

START_TEST(many_errors)
{
	parse("suite: drift\nseed: -1\nreplications: 0\nrecord: 100001\n"
	      "mechanisms: [foo]\nparams:\n  arms: 1\n  noise: 3\nsweep:\n  drift: []\n"
	      "bogus: 1\n");
	EXPECT_FAIL(8);
	EXPECT_ERR(0, 2, 7, "seed", "expected an unsigned 64-bit integer");
	EXPECT_ERR(1, 3, 15, "replications", "expected an integer in [1, 10000000], got 0");
	EXPECT_ERR(2, 4, 9, "record", "expected an integer in [1, 100000], got 100001");
	EXPECT_ERR(3, 5, 14, "mechanisms", "unknown mechanism 'foo'");
	EXPECT_ERR(4, 7, 9, "params.arms", "got 1");
	EXPECT_ERR(5, 8, 10, "params.noise", "got 3");
	EXPECT_ERR(6, 10, 10, "sweep.drift", "empty sweep axis");
	EXPECT_ERR(7, 11, 1, "bogus", "unknown key 'bogus'");
}
END_TEST

START_TEST(missing_suite)
{
	parse("# nothing but a seed\nseed: 5\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 1, 1, "suite", "missing required key 'suite'");
	parse("");
	EXPECT_ERR(1, 1, 1, "suite", "missing required key 'suite'");
	parse("- a list\n");
	EXPECT_ERR(2, 1, 1, NULL, "expected a mapping of experiment keys");
}
END_TEST

START_TEST(seed_forms)
{
	parse("suite: drift\nseed: 18446744073709551615\n");
	EXPECT_OK();
	ck_assert(e->seed == UINT64_MAX);
	parse("suite: drift\nseed: 18446744073709551616\n");
	EXPECT_ERR(0, 2, 7, "seed", "got 18446744073709551616");
	parse("suite: drift\nseed: 1.5\n");
	EXPECT_ERR(1, 2, 7, "seed", "got 1.5");
	parse("suite: drift\nseed: '7'\n");
	EXPECT_ERR(2, 2, 7, "seed", "got the string \"7\"");
	ck_assert_int_eq(err.n, 3);
}
END_TEST

START_TEST(second_document)
{
	parse("suite: drift\n---\nsuite: drift\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 3, 1, NULL, "expected one YAML document");
}
END_TEST

START_TEST(output_path_checked)
{
	/* 250 bytes: past what Open MPI's MPI-IO opens, whatever the cwd */
	char text[600], longname[251];
	memset(longname, 'n', 250);
	longname[250] = '\0';
	snprintf(text, sizeof text, "suite: drift\noutput: results/%s.h5\n", longname);
	parse(text);
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 2, 9, "output", "as an absolute path; at most 240 are supported");
	/* the path made from the name is blamed on the name */
	snprintf(text, sizeof text, "suite: drift\nseed: 3\nname: %s\n", longname);
	parse(text);
	EXPECT_ERR(1, 3, 7, "name", "the output results/");
	EXPECT_ERR(1, 3, 7, "name", "at most 240 are supported");
	/* ... and the one made from the file's name on nothing in it */
	char path[300];
	snprintf(path, sizeof path, "dir/%s.yaml", longname);
	smab_experiment_free(&e);
	rc = smab_config_parse("suite: drift\n", 13, path, &e, &err);
	EXPECT_ERR(2, 0, 0, "output", "the output results/");
	/* an output that exists and is not a regular file */
	parse("suite: drift\noutput: /tmp\n");
	EXPECT_ERR(3, 2, 9, "output", "exists and is a directory");
	parse("suite: drift\noutput: results/\n");
	EXPECT_ERR(4, 2, 9, "output", "ends in '/'");
	ck_assert_int_eq(err.n, 5);
}
END_TEST

/* ---- successful parses -------------------------------------------------- */

START_TEST(defaults_filled)
{
	parse("suite: drift\n");
	EXPECT_OK();
	ck_assert_str_eq(e->name, "test");
	ck_assert_str_eq(e->output, "results/test.h5");
	ck_assert_str_eq(e->path, "dir/test.yaml");
	ck_assert_str_eq(e->text, "suite: drift\n");
	ck_assert(e->seed == 1);
	ck_assert_int_eq(e->replications, 10);
	ck_assert_int_eq(e->record, 100);
	ck_assert_int_eq(e->nmech, 4);
	for (int k = 0; k < 4; k++)
		ck_assert_int_eq(e->mech[k], k);
	ck_assert(e->base[HORIZON].x == 20000);
	ck_assert(e->base[ARMS].x == 10);
	ck_assert_int_eq(e->base[MEANS].n, 0);
	ck_assert(e->base[MEAN_BEST].x == strtod(e->suite->params[MEAN_BEST].def, NULL));
	ck_assert(e->base[NOISE].x == 0);
	ck_assert(e->base[UCB_ALPHA].x == 2);
	ck_assert(e->base[EG_D].x == strtod(e->suite->params[EG_D].def, NULL));
	for (int i = 0; i < e->suite->nparams; i++) {
		ck_assert_int_eq(e->set[i], 0);
		ck_assert_int_eq(e->where[2 * i], 0);
		ck_assert_int_eq(e->where[2 * i + 1], 0);
	}
	ck_assert_int_eq(e->naxes, 0);
	ck_assert(smab_sweep_npoints(e) == 1);
}
END_TEST

START_TEST(explicit_values)
{
	parse("name: demo\nsuite: drift\nseed: 42\nreplications: 3\nrecord: 7\n"
	      "output: out/x.h5\nmechanisms: [ts, ucb]\n"
	      "params:\n  noise: bernoulli\n  means: [0.9, 0.5]\n  arms: 2\n");
	EXPECT_OK();
	ck_assert_str_eq(e->name, "demo");
	ck_assert_str_eq(e->output, "out/x.h5");
	ck_assert(e->seed == 42);
	ck_assert_int_eq(e->replications, 3);
	ck_assert_int_eq(e->record, 7);
	ck_assert_int_eq(e->nmech, 2);
	ck_assert_int_eq(e->mech[0], smab_suite_mech(e->suite, "ucb"));
	ck_assert_int_eq(e->mech[1], smab_suite_mech(e->suite, "ts"));
	ck_assert(e->base[NOISE].x == 1);
	ck_assert_int_eq(e->base[MEANS].n, 2);
	ck_assert(e->base[MEANS].v[0] == 0.9 && e->base[MEANS].v[1] == 0.5);
	ck_assert_int_eq(e->set[MEANS], 1);
	ck_assert_int_eq(e->where[2 * MEANS], 10);
	ck_assert_int_eq(e->where[2 * MEANS + 1], 10);
	ck_assert_int_eq(e->set[HORIZON], 0);
}
END_TEST

START_TEST(nested_equals_dotted)
{
	parse("suite: drift\nparams:\n  egreedy: {c: 2, d: 0.05}\n  ucb:\n    alpha: 1.5\n");
	EXPECT_OK();
	char *a = smab_config_canonical(e);
	ck_assert(e->base[EG_C].x == 2 && e->base[EG_D].x == 0.05);
	ck_assert(e->base[UCB_ALPHA].x == 1.5);
	ck_assert_int_eq(e->where[2 * EG_D], 3);
	ck_assert_int_eq(e->where[2 * EG_D + 1], 22);
	parse("suite: drift\nparams:\n  ucb.alpha: 1.5\n  egreedy.d: 0.05\n  egreedy.c: 2\n");
	EXPECT_OK();
	char *b = smab_config_canonical(e);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(sweep_order)
{
	parse("suite: drift\nparams:\n  noise: gaussian\nsweep:\n  drift: [0, 0.5]\n  zip:\n"
	      "    arms: [2, 3]\n    gap: [0.1, 0.2]\n  horizon: [100, 200, 300]\n");
	EXPECT_OK();
	ck_assert_int_eq(e->naxes, 3);
	ck_assert(smab_sweep_npoints(e) == 12);
	ck_assert_int_eq(e->axes[1].nparam, 2);
	ck_assert_int_eq(e->axes[1].line, 6);
	ck_assert_int_eq(e->axes[1].col, 3);
	ck_assert_int_eq(e->set[DRIFT], 1);
	ck_assert_int_eq(e->where[2 * DRIFT], 5);    /* the sweep wins */
	smab_value v[16];
	for (int64_t id = 0; id < 12; id++) {
		int i0 = (int)(id / 6), i1 = (int)(id / 3 % 2), i2 = (int)(id % 3);
		ck_assert_int_eq(smab_sweep_index(e, id, 0), i0);
		ck_assert_int_eq(smab_sweep_index(e, id, 1), i1);
		ck_assert_int_eq(smab_sweep_index(e, id, 2), i2);
		smab_sweep_point(e, id, v);
		ck_assert(v[DRIFT].x == (i0 ? 0.5 : 0));
		ck_assert(v[ARMS].x == 2 + i1);
		ck_assert(v[GAP].x == (i1 ? 0.2 : 0.1));
		ck_assert(v[HORIZON].x == 100 * (i2 + 1));
		ck_assert(v[SIGMA].x == strtod(e->suite->params[SIGMA].def, NULL));
	}
}
END_TEST

START_TEST(list_axis)
{
	/* "across K": a list parameter swept with a list of lists, zipped with
	 * the number of arms; a single number stands for a list of one */
	parse("suite: drift\nparams:\n  horizon: 100\nsweep:\n  zip:\n    arms: [2, 3]\n"
	      "    means: [[0.9, 0.5], [0.9, 0.8, 0.5]]\n");
	EXPECT_OK();
	ck_assert(smab_sweep_npoints(e) == 2);
	smab_value v[32];
	ck_assert_int_le(e->suite->nparams, 32);
	smab_sweep_point(e, 1, v);
	ck_assert_int_eq(v[MEANS].n, 3);
	ck_assert(v[MEANS].v[1] == 0.8 && v[ARMS].x == 3);
	char *t = smab_config_canonical(e);
	ck_assert_ptr_nonnull(strstr(t, "      means: [[0.9, 0.5], [0.9, 0.8, 0.5]]\n"));
	free(t);
	parse("suite: drift\nparams:\n  arms: 2\n  means: 0.5\nsweep:\n  means: [[0.9, 0.1], 0.5]\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 6, 3, "sweep.means", "is fixed in 'params' (at 4:10)");
	parse("suite: replication\nsweep:\n  arms: [2, 3, [4]]\n");
	ck_assert_int_eq(rc, SMAB_OK);
	ck_assert(smab_sweep_npoints(e) == 3);
	smab_sweep_point(e, 2, v);
	ck_assert(v[smab_suite_param(e->suite, "arms")].n == 1 &&
	          v[smab_suite_param(e->suite, "arms")].v[0] == 4);
}
END_TEST

START_TEST(scalar_for_list)
{
	parse("suite: drift\nparams:\n  arms: 2\n  means: [0.5, 0.4]\n");
	EXPECT_OK();
	parse("suite: replication\nparams:\n  arms: 3\n");
	EXPECT_OK();
	int p = smab_suite_param(e->suite, "arms");
	ck_assert_int_eq(e->base[p].n, 1);
	ck_assert(e->base[p].v[0] == 3);
	parse("suite: replication\nparams:\n  arms: 0\n  means: x\n");
	EXPECT_FAIL(2);
	EXPECT_ERR(0, 3, 9, "params.arms", "expected a number in [1,");
	EXPECT_ERR(1, 4, 10, "params.means", "(one number for a list of one), got 'x'");
}
END_TEST

START_TEST(param_and_group)
{
	/* 'strategy' is a parameter and the group of 'strategy.copies' */
	parse("suite: replication\nparams:\n  strategy: {copies: 3, target: 2}\n  agents: 2\n");
	EXPECT_OK();
	const smab_suite *s = e->suite;
	ck_assert(e->base[smab_suite_param(s, "strategy.copies")].x == 3);
	ck_assert(e->base[smab_suite_param(s, "strategy.target")].x == 2);
	ck_assert_int_eq(e->set[smab_suite_param(s, "strategy")], 0);
	parse("suite: replication\nparams:\n  strategy: replicate_arm\n  strategy: {copies: 3}\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 4, 3, "params.strategy", "'strategy' is written twice (first at 3:3): it is "
	           "a parameter and a group, and a key may appear once in a mapping; write its "
	           "value and its members with dotted keys, e.g. 'strategy: replicate_arm' and "
	           "'strategy.copies: 3'");
	/* two plain values stay a duplicate key */
	parse("suite: replication\nparams:\n  strategy: omit_arm\n  strategy: replicate_arm\n");
	EXPECT_ERR(1, 4, 3, "params.strategy", "duplicate key 'strategy' (first at 3:3)");
}
END_TEST

START_TEST(mechanism_undefined)
{
	/* MUL needs the 'fixed' instance: listed elsewhere it is refused at its
	 * entry with the reason, instead of running and giving NaN */
	parse("suite: coalition\nmechanisms: [linucb, mul-ucb]\nparams: {horizon: 50}\n");
	EXPECT_FAIL(1);
	EXPECT_ERR(0, 2, 22, "mechanisms", "mechanism 'mul-ucb' is not defined for instance "
	           "'synthetic': MUL plays one action for every member, so it needs one action "
	           "set common to all agents (instance: fixed); leave it out of 'mechanisms'");
	parse("suite: coalition\nmechanisms: [mul-ts]\nparams: {horizon: 50}\n"
	      "sweep:\n  instance: [fixed, synthetic, asymmetric]\n");
	EXPECT_ERR(1, 2, 14, "mechanisms", "(sweep point 1: instance=synthetic; and 1 more point)");
	smab_errors_clear(&err);
	smab_errors_init(&err, "test.yaml");
	/* the default list leaves them out, and keeps them where defined */
	parse("suite: coalition\nparams: {horizon: 50}\nsweep:\n  instance: [fixed, synthetic]\n");
	EXPECT_OK();
	ck_assert_int_eq(e->nmech, e->suite->nmechs - 2);
	for (int q = 0; q < e->nmech; q++)
		ck_assert(strncmp(e->suite->mechs[e->mech[q]].name, "mul-", 4) != 0);
	parse("suite: coalition\nparams: {horizon: 50, instance: fixed}\n");
	EXPECT_OK();
	ck_assert_int_eq(e->nmech, e->suite->nmechs);
	parse("suite: coalition\nmechanisms: [mul-ucb, linucb]\nparams: {horizon: 50, instance: fixed}\n");
	EXPECT_OK();
}
END_TEST

START_TEST(zip_groups_list)
{
	parse("suite: drift\nsweep:\n  zip:\n    - {arms: [2, 3], gap: [0.1, 0.2]}\n"
	      "    - {drift: [0, 1, 2], sigma: [0.1, 0.2, 0.3]}\n");
	EXPECT_OK();
	ck_assert_int_eq(e->naxes, 2);
	ck_assert(smab_sweep_npoints(e) == 6);
	ck_assert_int_eq(e->axes[1].line, 5);
	ck_assert_int_eq(e->axes[1].col, 7);
	smab_value v[16];
	smab_sweep_point(e, 5, v);
	ck_assert(v[ARMS].x == 3 && v[GAP].x == 0.2);
	ck_assert(v[DRIFT].x == 2 && v[SIGMA].x == 0.3);
}
END_TEST

START_TEST(linear_range)
{
	parse("suite: drift\nsweep:\n  drift: {from: 0, to: 1, num: 5}\n");
	EXPECT_OK();
	const double want[5] = {0, 0.25, 0.5, 0.75, 1};
	ck_assert_int_eq(e->axes[0].len, 5);
	for (int j = 0; j < 5; j++)
		ck_assert(e->axes[0].values[j].x == want[j]);
	parse("suite: drift\nsweep:\n  drift: {from: 0.3, to: 0.3, num: 1}\n");
	EXPECT_OK();
	ck_assert(e->axes[0].len == 1 && e->axes[0].values[0].x == 0.3);
}
END_TEST

START_TEST(log_range)
{
	parse("suite: drift\nsweep:\n  sigma: {from: 1, to: 100, num: 3, scale: log}\n");
	EXPECT_OK();
	ck_assert_int_eq(e->axes[0].len, 3);
	ck_assert_double_eq_tol(e->axes[0].values[0].x, 1, 1e-12);
	ck_assert_double_eq_tol(e->axes[0].values[1].x, 10, 1e-12);
	ck_assert_double_eq_tol(e->axes[0].values[2].x, 100, 1e-12);
}
END_TEST

START_TEST(int_range_rounded)
{
	parse("suite: drift\nsweep:\n  horizon: {from: 100, to: 10000, num: 4, scale: log}\n"
	      "  arms: {from: 2, to: 3, num: 4}\n");
	EXPECT_OK();
	const double h[4] = {100, 464, 2154, 10000}, k[4] = {2, 2, 3, 3};
	for (int j = 0; j < 4; j++) {
		ck_assert(e->axes[0].values[j].x == h[j]);
		ck_assert(e->axes[1].values[j].x == k[j]);
	}
}
END_TEST

START_TEST(canonical_text)
{
	parse("# a demo\nname: one\nsuite: drift\nseed: 42\noutput: a.h5\n"
	      "params: {egreedy: {c: 2}, means: [0.9, 0.5], arms: 2}\n"
	      "sweep:\n  drift: {from: 0, to: 1, num: 3}\n");
	EXPECT_OK();
	char *a = smab_config_canonical(e);
	parse("suite:   drift   # same, differently written\nseed: 42\nname: two\n"
	      "params:\n  arms: 2\n  means:\n    - 0.9\n    - 0.5\n  egreedy.c: 2.0\n"
	      "sweep:\n  drift: [0, 0.5, 1]\n");
	EXPECT_OK();
	char *b = smab_config_canonical(e);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "suite: drift\nseed: 42\n"));
	ck_assert_ptr_nonnull(strstr(a, "  means: [0.9, 0.5]\n"));
	ck_assert_ptr_nonnull(strstr(a, "  noise: gaussian\n"));
	ck_assert_ptr_nonnull(strstr(a, "  - drift: [0, 0.5, 1]\n"));
	ck_assert_ptr_null(strstr(a, "name"));
	ck_assert_ptr_null(strstr(a, "output"));
	parse("suite: drift\nseed: 43\nparams:\n  arms: 2\n  means: [0.9, 0.5]\n"
	      "  egreedy.c: 2\nsweep:\n  drift: [0, 0.5, 1]\n");
	EXPECT_OK();
	char *c = smab_config_canonical(e);
	ck_assert_str_ne(a, c);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(zip_order_irrelevant)
{
	parse("suite: drift\nsweep:\n  zip: {gap: [0.1, 0.2], arms: [2, 3]}\n");
	EXPECT_OK();
	char *a = smab_config_canonical(e);
	ck_assert_int_eq(e->axes[0].param[0], ARMS);
	ck_assert_int_eq(e->axes[0].param[1], GAP);
	ck_assert(e->axes[0].values[2].x == 3 && e->axes[0].values[3].x == 0.2);
	parse("suite: drift\nsweep:\n  zip: {arms: [2, 3], gap: [0.1, 0.2]}\n");
	EXPECT_OK();
	char *b = smab_config_canonical(e);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "  - zip:\n      arms: [2, 3]\n      gap: [0.1, 0.2]\n"));
	free(a);
	free(b);
}
END_TEST

START_TEST(load_file)
{
	char path[] = "/tmp/smab_test_configXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *text = "suite: drift\nseed: 9\n";
	ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	rc = smab_config_load(path, &e, &err);
	EXPECT_OK();
	ck_assert(e->seed == 9);
	ck_assert_str_eq(e->path, path);
	ck_assert_str_eq(e->text, text);
	unlink(path);
	smab_experiment_free(&e);
	ck_assert_ptr_null(e);
	rc = smab_config_load(path, &e, &err);
	ck_assert_int_eq(rc, SMAB_EIO);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(err.n, 1);
	ck_assert_str_eq(err.e[0].msg, "cannot read file: No such file or directory");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *errs = tcase_create("errors");
	tcase_add_checked_fixture(errs, setup, teardown);
	tcase_add_test(errs, unknown_top_key);
	tcase_add_test(errs, unknown_param_key);
	tcase_add_test(errs, wrong_type);
	tcase_add_test(errs, int_literals);
	tcase_add_test(errs, out_of_range);
	tcase_add_test(errs, bad_enum_and_vector);
	tcase_add_test(errs, empty_sweep_axis);
	tcase_add_test(errs, unknown_suite);
	tcase_add_test(errs, unknown_mechanism);
	tcase_add_test(errs, malformed_yaml);
	tcase_add_test(errs, duplicate_key);
	tcase_add_test(errs, zip_length_mismatch);
	tcase_add_test(errs, bad_sweeps);
	tcase_add_test(errs, sweep_value_checked);
	tcase_add_test(errs, fixed_and_swept);
	tcase_add_test(errs, enum_did_you_mean);
	tcase_add_test(errs, list_axis_value_too_long);
	tcase_add_test(errs, means_arms_disagree);
	tcase_add_test(errs, check_names_point);
	tcase_add_test(errs, many_errors);
	tcase_add_test(errs, missing_suite);
	tcase_add_test(errs, seed_forms);
	tcase_add_test(errs, second_document);
	tcase_add_test(errs, output_path_checked);
	suite_add_tcase(s, errs);

	TCase *ok = tcase_create("valid");
	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_test(ok, defaults_filled);
	tcase_add_test(ok, explicit_values);
	tcase_add_test(ok, nested_equals_dotted);
	tcase_add_test(ok, sweep_order);
	tcase_add_test(ok, zip_groups_list);
	tcase_add_test(ok, list_axis);
	tcase_add_test(ok, param_and_group);
	tcase_add_test(ok, mechanism_undefined);
	tcase_add_test(ok, scalar_for_list);
	tcase_add_test(ok, linear_range);
	tcase_add_test(ok, log_range);
	tcase_add_test(ok, int_range_rounded);
	tcase_add_test(ok, canonical_text);
	tcase_add_test(ok, zip_order_irrelevant);
	tcase_add_test(ok, load_file);
	suite_add_tcase(s, ok);
	return s;
}

int main(void)
{
	return smab_check_main(config_suite());
}
