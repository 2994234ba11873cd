/* test_boundary.c - every suite of the registry at the ends of every
 * declared parameter range.
 *
 * A point starts from a "base": the declared defaults as the config layer
 * reads them, with a short horizon, plus for a few bases some settings under
 * which otherwise idle parameters matter (MovieLens' 'dim' does nothing on
 * the synthetic instance).  One parameter at a time is then set to
 *   int     lo, lo + 1 and hi (0 often means "derive it", so the smallest
 *           explicit value is a boundary of its own)
 *   real    lo, the next double above lo, and hi
 *   bool    false and true;  enum: every choice
 *   vector  every entry of the default at lo, then at hi ([lo] and [hi]
 *           when the default is empty)
 * and the point goes through the suite's check, the validation the config
 * layer runs on every point.  A point it accepts runs one task of every
 * mechanism, which must succeed with every output finite, or NaN where the
 * suite documents NaN (nan_documented).  Built by make asan (ASan, UBSan
 * and float-cast-overflow, none recoverable), undefined behaviour anywhere
 * on the way aborts the program.
 *
 * Cost.  The horizon of a point is H0, halved (down to HMIN) while the
 * suite's cost estimate is above BUDGET (units: about a round of one
 * mechanism; 2e7 is a second at the nominal speed).  When the horizon
 * itself is the parameter under test it is not shrunk: a point above
 * BUDGET (every suite's largest horizon, today) is checked and its cost
 * estimate computed, but not run, and says so.  Every skip is printed,
 * with the reason; the whole program takes about 25 s under make asan on
 * a loaded 2-core machine.  MovieLens-100k is read from $SMAB_DATA,
 * else ../shared/data/ml-100k, else /work/shared/data/ml-100k; without it
 * the MovieLens bases are skipped, with a printed reason. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_util.h"
#include "smab/config.h"
#include "suite_util.h"

#define H0 64          /* horizon of a point whose horizon is not under test */
#define HMIN 1
#define BUDGET 2e7     /* cost units (about rounds x mechanisms) a point may take */
#define MAXV 64        /* entries of a vector value */
#define MAXVALS 16     /* values of one parameter */
#define MAXFAIL 40     /* failures listed per base */

/* Settings on top of the defaults, and the parameters swept from there
 * (NULL: all).  Each suite's plain defaults are a base too, sweeping every
 * parameter, whether or not the suite is listed here. */
typedef struct base {
	const char *suite, *name;
	const char *params;    /* YAML flow-map entries */
	const char *sweep;     /* space-separated names */
	int movielens;         /* needs MovieLens-100k */
} base;

static const base extra[] = {
	{"strategic", "collude", "profile: collude", "collude.delta horizon arms", 0},
	{"strategic", "eta", "exp3.eta: 100", "exp3.gamma", 0},
	{"strategic", "deviation", "deviate.arm: 2",
	 "deviate.kind deviate.tau deviate.x mech.B mech.M", 0},
	{"strategic", "beta", "dist: beta", "concentration means mean_best gap", 0},
	{"strategic", "gauss", "dist: gauss", "spread means mean_best gap", 0},
	{"strategic", "uniform", "dist: uniform", "spread", 0},
	{"strategic", "restricted", "payments: restricted, profile: dominant",
	 "mech.mu_min mech.eps mech.B", 0},
	{"drift", "bernoulli", "noise: bernoulli", "mean_best gap drift", 0},
	{"replication", "gaussian", "noise: gaussian", "sigma", 0},
	{"replication", "uniform", "prior: uniform, delta: 0.1", "prior.a prior.b", 0},
	{"replication", "beta", "prior: beta, prior.a: 2, prior.b: 2, delta: 0.1",
	 "prior.a prior.b delta", 0},
	{"replication", "replicate_all", "agents: 2, strategy: replicate_all",
	 "strategy.copies strategy.deviator arms", 0},
	{"replication", "replicate_arm", "strategy: replicate_arm",
	 "strategy.copies strategy.target", 0},
	{"replication", "omit_arm", "arms: [3], strategy: omit_arm", "strategy.target", 0},
	{"replication", "rp", "rp: true, strategy: replicate_arm", "arms", 0},
	{"contextual", "poly2", "reward: poly2", "dc da", 0},
	{"coalition", "fixed", "instance: fixed", "agents alpha noise", 0},
	{"coalition", "fixed16", "instance: fixed, agents: 16", "coalition deviate.agent", 0},
	{"coalition", "movielens", "instance: movielens", "groups dim", 1},
	{"coalition", "movielens-state", "instance: movielens, groups: state", "states", 1},
};
#define NEXTRA ((int)(sizeof extra / sizeof extra[0]))

/* The work list: one Check test per (suite, base). */
typedef struct item {
	const smab_suite *s;
	const base *b;         /* NULL: the defaults */
} item;
static item items[64];
static int nitems;

static const char *ml_dir(void)
{
	const char *env = getenv("SMAB_DATA");
	if (env && *env)
		return env;
	return access("../shared/data/ml-100k/u.data", R_OK) == 0 ? "../shared/data/ml-100k"
	                                                          : "/work/shared/data/ml-100k";
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + 1e-9 * (double)(b->tv_nsec - a->tv_nsec);
}

static double val(const smab_suite *s, const smab_value *p, const char *name)
{
	return p[su_param(s, name)].x;
}

/* Whether output 'metric' of mechanism 'mech' may be NaN at point p: what
 * each suite documents in its metric list and header comment.  A suite not
 * named here may have NaN in the metrics whose doc line says so. */
static int nan_documented(const smab_suite *s, const smab_value *p, int mech, int metric)
{
	const char *name = s->metrics[metric].name;
	int k;
	if (strcmp(s->name, "drift") == 0) {
		/* est_error: NaN when the best arm's mean is 0, it was never pulled,
		 * or the ratio overflows (errors here are below 1e4, so only a mean
		 * below 1e-290 can overflow it) */
		if (strcmp(name, "est_error") != 0)
			return 0;
		const smab_value *mv = &p[su_param(s, "means")];
		int K = (int)val(s, p, "arms"), b = 0;
		double best = -1, top = val(s, p, "mean_best"), gap = val(s, p, "gap");
		for (int i = 0; i < K; i++) {
			double mu = mv->n > 0 ? mv->v[i] : fmax(0.0, top - gap * i);
			if (mu > best) {
				best = mu;
				b = i;
			}
		}
		return best < 1e-290 || val(s, p, "horizon") <= b;
	}
	if (strcmp(s->name, "strategic") == 0) {
		/* first_defect: NaN when nobody defected; revenue_ratio: when mu' = 0 */
		if (strcmp(name, "first_defect") == 0)
			return 1;
		if (strcmp(name, "revenue_ratio") != 0)
			return 0;
		const smab_value *mv = &p[su_param(s, "means")];
		int K = (int)val(s, p, "arms");
		double m1 = -1, m2 = -1, top = val(s, p, "mean_best"), gap = val(s, p, "gap");
		for (int i = 0; i < K; i++) {
			double mu = mv->n > 0 ? mv->v[i] : fmin(1.0, fmax(0.0, top - gap * i));
			if (mu > m1) {
				m2 = m1;
				m1 = mu;
			} else if (mu > m2) {
				m2 = mu;
			}
		}
		return m2 <= 0.0;
	}
	if (strcmp(s->name, "replication") == 0) {
		/* utility_k beyond the agents; rp_regret* unless computed */
		if (sscanf(name, "utility_%d", &k) == 1)
			return k >= (int)val(s, p, "agents");
		if (strncmp(name, "rp_regret", 9) == 0) {
			const smab_value *arms = &p[su_param(s, "arms")];
			return !(val(s, p, "rp") != 0 && val(s, p, "agents") == 1 && arms->v[0] <= 5);
		}
		return 0;
	}
	if (strcmp(s->name, "contextual") == 0) {
		/* sel_k beyond the agents; LOOM's diagnostics outside COBRA or
		 * over an empty group (no misreporter, or no truthful agent) */
		if (strncmp(name, "loom_", 5) == 0) {
			int n = (int)val(s, p, "agents");
			int nmis = (int)lround(val(s, p, "misreport.fraction") * n);
			size_t len = strlen(name);
			int mis = len > 4 && strcmp(name + len - 4, "_mis") == 0;
			return strstr(s->mechs[mech].name, "cobra") == NULL || (mis ? nmis == 0 : nmis == n);
		}
		return sscanf(name, "sel_%d", &k) == 1 && k > (int)val(s, p, "agents");
	}
	if (strcmp(s->name, "coalition") == 0) {
		/* MUL outside the 'fixed' instance: every metric; regret_a<k>
		 * outside the coalition */
		const char *m = s->mechs[mech].name;
		char inst[32];
		int pi = su_param(s, "instance");
		smab_param_choice_name(&s->params[pi], (int)p[pi].x, inst, sizeof inst);
		if (strncmp(m, "mul-", 4) == 0 && strcmp(inst, "fixed") != 0)
			return 1;
		if (sscanf(name, "regret_a%d", &k) != 1)
			return 0;
		unsigned mask = (unsigned)val(s, p, "coalition");
		if (mask == 0)
			mask = (1u << s->agents(p, NULL)) - 1;
		return !(mask >> (k - 1) & 1u);   /* agents are numbered from 1 */
	}
	return strstr(s->metrics[metric].doc, "NaN") != NULL;
}

/* The values a parameter is set to; vector entries go to vbuf[j][..]. */
static int values_of(const smab_param_decl *d, const smab_value *def, smab_value *out,
                     double vbuf[][MAXV])
{
	int n = 0;
	switch (d->type) {
	case SMAB_P_INT:
		out[n++].x = d->lo;
		if (d->lo + 1 < d->hi)
			out[n++].x = d->lo + 1;
		out[n++].x = d->hi;
		break;
	case SMAB_P_REAL:
		out[n++].x = d->lo;
		if (d->lo < d->hi)
			out[n++].x = nextafter(d->lo, d->hi);
		out[n++].x = d->hi;
		break;
	case SMAB_P_BOOL:
		out[n++].x = 0;
		out[n++].x = 1;
		break;
	case SMAB_P_ENUM:
		for (const char *c = d->choices; c; c = strchr(c + 1, '|')) {
			ck_assert_int_lt(n, MAXVALS);
			out[n].x = n;
			n++;
		}
		break;
	case SMAB_P_VEC:
		for (int j = 0; j < 2; j++) {
			int len = def->n > 0 ? def->n : 1;
			ck_assert_int_le(len, MAXV);
			for (int i = 0; i < len; i++)
				vbuf[j][i] = j ? d->hi : d->lo;
			out[n].x = 0;
			out[n].n = len;
			out[n++].v = vbuf[j];
		}
		break;
	default:
		break;
	}
	return n;
}

static int in_list(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *c = list; c && *c; c += strcspn(c, " "), c += strspn(c, " "))
		if (strncmp(c, name, len) == 0 && (c[len] == ' ' || c[len] == '\0'))
			return 1;
	return 0;
}

typedef struct tally {
	int points, ran, rejected, skipped, failed;
	char fails[MAXFAIL][320];
} tally;

static void failf(tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(tally *t, const char *fmt, ...)
{
	va_list ap;
	char *m = t->fails[t->failed < MAXFAIL ? t->failed : MAXFAIL - 1];
	va_start(ap, fmt);
	vsnprintf(m, sizeof t->fails[0], fmt, ap);
	va_end(ap);
	printf("  FAIL %s\n", m);
	t->failed++;
}

/* Check one point and, if valid and affordable, run one task of every
 * mechanism and look at every output.  'what' names the point. */
static void one_point(const smab_suite *s, smab_value *p, int param, const char *what,
                      tally *ty)
{
	char msg[256] = "";
	int bad = -1;
	int ph = smab_suite_param(s, "horizon");
	ty->points++;
	if (s->check && s->check(p, msg, sizeof msg, &bad) != 0) {
		ty->rejected++;
		printf("  %s: rejected: %s\n", what, msg);
		if (!msg[0] || bad < 0 || bad >= s->nparams)
			failf(ty, "%s: rejected without a message or a parameter to blame (%d)", what, bad);
		return;
	}
	double cost = s->cost(p, s->nmechs);
	if (!(isfinite(cost) && cost > 0)) {
		failf(ty, "%s: cost estimate %g is not a positive number", what, cost);
		return;
	}
	int shrunk = 0;
	while (cost > BUDGET && ph >= 0 && ph != param && p[ph].x > HMIN) {
		p[ph].x = floor(p[ph].x / 2);
		cost = s->cost(p, s->nmechs);
		shrunk = 1;
	}
	if (cost > BUDGET) {
		ty->skipped++;
		printf("  %s: valid, not run: cost %.3g > budget %.3g%s\n", what, cost, BUDGET,
		       ph == param ? " (the horizon is the value under test)" : "");
		return;
	}
	int64_t T = s->horizon(p);
	if (T < 1) {
		failf(ty, "%s: horizon %lld", what, (long long)T);
		return;
	}
	int64_t check[3] = {1, (T + 1) / 2, T};
	const char *names[16];
	int nm = s->nmechs, nx = s->nmetrics;
	ck_assert_int_le(nm, 16);
	for (int k = 0; k < nm; k++)
		names[k] = s->mechs[k].name;
	double *scalar = smab_xmalloc((size_t)nm * (size_t)nx * sizeof *scalar);
	double *curve = smab_xmalloc((size_t)nm * (size_t)nx * 3 * sizeof *curve);
	/* an unwritten scalar reads +inf; an unwritten curve NaN, as the engine
	 * leaves it */
	for (int i = 0; i < nm * nx; i++)
		scalar[i] = INFINITY;
	for (int i = 0; i < nm * nx * 3; i++)
		curve[i] = NAN;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = su_run(s, p, 1, 0, 0, names, nm, check, 3, scalar, curve);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ty->ran++;
	if (rc != SMAB_OK) {
		failf(ty, "%s: the suite accepted the point but its run failed (status %d)", what, rc);
	} else {
		for (int k = 0; k < nm; k++)
			for (int m = 0; m < nx; m++) {
				int nan_ok = nan_documented(s, p, k, m);
				double x = scalar[k * nx + m];
				if (!isfinite(x) && !(isnan(x) && nan_ok))
					failf(ty, "%s: %s %s = %g%s", what, names[k], s->metrics[m].name, x,
					      isinf(x) ? " (infinite, or never written)" : "");
				for (int c = 0; c < 3 && s->metrics[m].has_curve; c++) {
					double y = curve[(k * nx + m) * 3 + c];
					if (!isfinite(y) && !(isnan(y) && nan_ok))
						failf(ty, "%s: %s %s_curve[round %lld] = %g", what, names[k],
						      s->metrics[m].name, (long long)check[c], y);
				}
			}
		printf("  %s: ok, cost %.3g, %.2f s", what, cost, seconds(&t0, &t1));
		if (shrunk)
			printf(" (horizon shrunk to %lld for the budget)", (long long)T);
		printf("\n");
	}
	free(scalar);
	free(curve);
}

START_TEST(test_sweep)
{
	const smab_suite *s = items[_i].s;
	const base *b = items[_i].b;
	const char *bname = b ? b->name : "defaults";
	char text[1024], what[512];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("%s, base %s%s%s:\n", s->name, bname, b ? ": " : "", b ? b->params : "");
	if (b && b->movielens) {
		char f[600];
		snprintf(f, sizeof f, "%s/u.data", ml_dir());
		if (access(f, R_OK) != 0) {
			printf("  skip: no MovieLens-100k at %s (set SMAB_DATA to the ml-100k directory)\n",
			       ml_dir());
			return;
		}
	}
	int ph = smab_suite_param(s, "horizon");
	int n = snprintf(text, sizeof text, "suite: %s\nparams: {", s->name);
	if (ph >= 0)
		n += snprintf(text + n, sizeof text - (size_t)n, "horizon: %d%s", H0, b ? ", " : "");
	if (b)
		n += snprintf(text + n, sizeof text - (size_t)n, "%s", b->params);
	if (b && b->movielens)
		n += snprintf(text + n, sizeof text - (size_t)n, ", data: \"%s\"", ml_dir());
	snprintf(text + n, sizeof text - (size_t)n, "}\n");
	smab_errors err;
	smab_experiment *e = NULL;
	smab_errors_init(&err, "boundary.yaml");
	smab_config_parse(text, strlen(text), "boundary.yaml", &e, &err);
	if (!e)
		smab_errors_print(&err, stdout);
	ck_assert_msg(e != NULL, "the base point of %s '%s' is not valid", s->name, bname);

	smab_value *p = smab_xmalloc((size_t)s->nparams * sizeof *p);
	tally *ty = smab_xcalloc(1, sizeof *ty);
	for (int i = 0; i < s->nparams; i++) {
		const smab_param_decl *d = &s->params[i];
		if (b && b->sweep && !in_list(b->sweep, d->name))
			continue;
		smab_value vals[MAXVALS] = {{0}};
		double vbuf[2][MAXV];
		int nv = values_of(d, &e->base[i], vals, vbuf);
		if (nv == 0) {
			printf("  %s: skip: a %s parameter has no range\n", d->name,
			       smab_ptype_name(d->type));
			continue;
		}
		for (int j = 0; j < nv; j++) {
			memcpy(p, e->base, (size_t)s->nparams * sizeof *p);
			p[i].x = vals[j].x;
			if (d->type == SMAB_P_VEC) {
				p[i].n = vals[j].n;
				p[i].v = vals[j].v;
			}
			char *v = smab_value_str(d, &p[i], 0);
			snprintf(what, sizeof what, "%s=%s", d->name, v);
			free(v);
			one_point(s, p, i, what, ty);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s, base %s: %d points: %d ran, %d rejected by the check, %d too costly to run, "
	       "%d failures (%.1f s)\n", s->name, bname, ty->points, ty->ran, ty->rejected,
	       ty->skipped, ty->failed, seconds(&t0, &t1));
	/* a suite whose defaults run nothing would pass this test unseen */
	ck_assert_msg(b || ty->ran > 0, "%s: no point of its defaults ran", s->name);
	int nf = ty->failed;
	char first[320];
	snprintf(first, sizeof first, "%s", nf ? ty->fails[0] : "");
	free(ty);
	free(p);
	smab_experiment_free(&e);
	smab_errors_clear(&err);
	ck_assert_msg(nf == 0, "%s, base %s: %d failures, the first: %s", s->name, bname, nf, first);
}
END_TEST

/* Every extra base names a suite of the registry and parameters it has, so
 * a renamed one cannot silently drop out of the sweep. */
START_TEST(test_bases_known)
{
	for (int i = 0; i < NEXTRA; i++) {
		const smab_suite *s = smab_suite_find(extra[i].suite);
		ck_assert_msg(s != NULL, "base '%s': no suite '%s'", extra[i].name, extra[i].suite);
		const char *c = extra[i].sweep;
		while (c && *c) {
			char name[64];
			size_t n = strcspn(c, " ");
			ck_assert_uint_lt(n, sizeof name);
			memcpy(name, c, n);
			name[n] = '\0';
			ck_assert_msg(smab_suite_param(s, name) >= 0, "base '%s': %s has no parameter '%s'",
			              extra[i].name, s->name, name);
			c += n;
			c += strspn(c, " ");
		}
	}
}
END_TEST

int main(void)
{
	if (smab_nsuites + NEXTRA > (int)(sizeof items / sizeof items[0])) {
		fprintf(stderr, "test_boundary: more than %d bases: enlarge items[]\n",
		        (int)(sizeof items / sizeof items[0]));
		return EXIT_FAILURE;
	}
	for (int k = 0; k < smab_nsuites; k++) {
		items[nitems++] = (item){smab_suites[k], NULL};
		for (int i = 0; i < NEXTRA; i++)
			if (strcmp(extra[i].suite, smab_suites[k]->name) == 0)
				items[nitems++] = (item){smab_suites[k], &extra[i]};
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	Suite *s = suite_create("boundary");
	TCase *tc = tcase_create("ranges");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bases_known);
	tcase_add_loop_test(tc, test_sweep, 0, nitems);
	suite_add_tcase(s, tc);
	return smab_check_main(s);
}
