/* coalition.c - creator coalitions in a multi-agent linear bandit
 * (Krishnamurthy, Agarwal, Subramanian, Nickel, "Creator incentives in
 * recommender systems: a cooperative game-theoretic approach for stable and
 * fair collaboration in multi-agent bandits", AISTATS 2026; README.md,
 * References).
 *
 * Model.  M agents; in round t agent a is offered an action set X_{a,t},
 * plays x_{a,t} and observes y = theta* . x + sigma z, z ~ N(0, 1), with
 * theta* the instance's own times 'scale' (default 1).  A
 * coalition C pools the actions and rewards of its members; the value of
 * the cooperative game is v(C) = -sum_{a in C} R_a^C, R_a^C agent a's
 * pseudo-regret sum_t max_{x in X_{a,t}} theta* . x - theta* . x_{a,t} when
 * playing in C.  One task runs one coalition (the parameter "coalition", a
 * bit mask; 0 = all agents) for one replication; src/coaltab.c turns the
 * 2^M - 1 coalitions' regrets into Shapley values, payouts and the checks.
 *
 * Instances.  Every action is x(u, i) = user_u (elementwise *) item_i over a
 * table of items; an agent a in round t has a user u_{a,t} and a subset of
 * the items:
 *   synthetic   Appendix E.2: d = K = 25 unit vectors (user = all ones),
 *               theta*_i = 0.7, 0.6, 0.5, 0.4, 0.3 for i = 1, 2, 3, 4, 0
 *               (mod 5), blocks A_1 = {1..5}, ..., A_5 = {21..25}; five
 *               agents on a circle, agent k (from 1) holds A_k and
 *               A_{k+1} (indices mod 5): agent 1 has {1..10}, agent 5 has
 *               {21..25, 1..5}.
 *   asymmetric  the same items; agent 1 holds {1, 7, 13, 19, 25} and agent
 *               k = 2..6 holds A_{k-1} (six agents).
 *   fixed       the same items, every agent holds all 25 (a fixed, common
 *               action set: the setting of MUL and Theorem 1); 'agents'
 *               agents.
 *   movielens   MovieLens-100k (src/movielens.c): users and the 1682
 *               movies embedded in d = 'dim' dimensions, theta* the least-
 *               squares fit to the ratings; agents are user groups
 *               ('groups'); u_{a,t} is drawn uniformly from agent a's
 *               group and X_{a,t} is every movie for that user.
 *
 * Scale.  'scale' multiplies theta*, so every mean reward and every gap,
 * and leaves the actions (so the widths and the ridge) and the noise as
 * they are: it sets the signal-to-noise ratio scale / sigma and the unit of
 * the regret.  (Multiplying the embedding's actions by c and refitting
 * theta* would change the means not at all, only the ridge, to lambda /
 * c^2.)  The learners are linear in the rewards, so (scale, noise, alpha)
 * and (c scale, c noise, c alpha) make the same choices on the same draws
 * and c times the regret: to the bit when c is a power of 2.
 *
 * Algorithms.  All keep ridge regression on the coalition's pooled data,
 * V = lambda I + sum x x^T, theta_hat = V^-1 sum y x (src/linalg.c); in a
 * round every member chooses from the data of the previous rounds, then
 * all members' observations join the pool.
 *   linucb      LinUCB-M: argmax theta_hat . x + alpha ||x||_{V^-1} (the
 *               form of the Pearl library the paper built on; alpha = 1).
 *   greedy      GREEDY: argmax theta_hat . x (no bonus).
 *   metc        M-ETC (Algorithm 2): for t <= T' each agent plays
 *               argmax det(I + V_a + x x^T) = argmax x^T (I + V_a)^-1 x (the
 *               matrix determinant lemma), V_a its own past actions only;
 *               then theta_hat of the pooled data of rounds <= T' (ridge
 *               lambda: the paper's OLS, kept invertible) is fixed and each
 *               agent plays argmax theta_hat . x.
 *   mul-ucb, mul-ts   MUL(SIN) (Algorithm 1) for a common fixed action set
 *               (instance 'fixed' only; NaN elsewhere): all members play the
 *               single-agent algorithm's current action, their m rewards go
 *               into that action's buffer, and SIN consumes buffered rewards
 *               one virtual step at a time until its chosen action's buffer
 *               is empty.  SIN = UCB1 (index mean + sigma sqrt(2 ln tau / n),
 *               each arm once first; tau the virtual steps so far) or
 *               Gaussian Thompson sampling (posterior N(s/(n+1),
 *               sigma^2/(n+1)) from a N(0, sigma^2) prior); both take
 *               sigma = 1 when the noise is 0.
 *   dev-greedy, dev-random   deviations: agent 'deviate.agent' plays greedily
 *               (on the pooled data) or uniformly at random from its action
 *               set while the others run LinUCB-M.
 * Ties go to the item first in a random order of the items drawn once per
 * replication (the same for every agent, coalition and mechanism).
 *
 * Widths.  With x = u * item and V^-1 = W W^T, W upper triangular,
 * ||x||^2_{V^-1} = ||(D_u item)^T W||^2 (D_u = diag(u)).  The default kernel
 * ('kernel: trmm') keeps W current through the round's rank-one updates
 * (Carlson's O(d^2) update, recomputed from V with V^-1 every 512 updates;
 * src/linalg.c) and, over blocks of 128 items, scales the block by u and
 * multiplies it by W (one DTRMM, n d^2 flops per member-round: 1682 * 100^2
 * for MovieLens), the squared row norms being the widths; each member's
 * means are one DGEMV, Items . (D_u th), for every mechanism (so LinUCB-M
 * with alpha = 0 and GREEDY see the same bits).
 * The earlier kernel ('kernel: gemm', kept as the reference) forms ONE
 * product Items . [D_u1 A D_u1 | ... | D_um A D_um | D_u1 th | ...] with
 * the full A = V^-1, 2 n d^2 flops per member-round, then row-wise dot
 * products with the items.  Both compute the same widths up to rounding
 * (relative differences ~1e-14 on MovieLens-100k): LinUCB-M chose the
 * same movie under both in every agent-round of the gender instance
 * (3 coalitions) and of occupation coalitions of 1, 2, 4 and 8 agents,
 * T = 4096, run in lockstep (bench_coalition --agree), and short whole
 * runs of the synthetic and gender games give the same results to the
 * bit.  'precision: single' (trmm only) rounds the scaled items and W to
 * float and multiplies by STRMM; the sums of squares, the means, V, V^-1,
 * theta and W itself stay double.  Its widths' relative error is bounded
 * in include/smab/linalg.h (smab_widths_tri32) and measured <= 5.8e-7 on
 * MovieLens, with the same choices as gemm in all those agent-rounds.
 * 'precision: mixed' (the default) makes double's choices at close to
 * single's cost: the float widths w^_i are a screen, with the rigorous
 * bound |sqrt(w^_i) - sqrt(w_i)| <= B_i of smab_widths_tri32_bound
 * (proportional to ||D_u item_i|| ||W||_F; the norms come with the
 * scaling pass and the float copy of W), so an item whose screened index
 * plus its error stays below the best screened index minus that one's
 * cannot be double's choice (smab_cw_refine, coalwidths.c).  The others, the candidates, get
 * their widths in double by the same DTRMM on the same block of 128 items
 * as precision double (OpenBLAS gives a row other bits in a product of
 * other rows), and pick() then chooses as under double, to the bit.  On
 * MovieLens the screen leaves one candidate per member-round, so the cost
 * over single is one double block of 128 items.  M-ETC's exploration
 * (widths alone, beta 1) goes through the same screen; members sharing
 * columns share the screen's widths and norms, each then screening with
 * its own items.  Under kernel gemm, mixed is gemm (all double).
 * 'reuse: user' (the default; trmm only) rests on V only growing: a user's
 * widths in round s bound its widths in every later round, so after a
 * user's first round a member computes its means (one DGEMV), bounds each
 * movie's index by them plus the stored widths, and recomputes, by the
 * same product on the same block of 128 movies, only the blocks holding a
 * movie whose bound reaches the best index found: about one block in 14
 * per member-round on MovieLens.  The choices are those of 'reuse: none'
 * under every precision (coalwidths.c gives the bound and the argument).
 * The width kernels are in src/suites/coalwidths.c; speed and the
 * commands: experiments/README.md, "Width kernels".
 *
 * Common random numbers: the users u_{a,t} and the noise z_{a,t} of agent a
 * in round t come from streams keyed by (seed, replication, agent) only, so
 * every coalition and every mechanism sees the same draws and coalition
 * values are paired; so are the deviator's random choices.
 *
 * Metrics: regret (the coalition's total, -v(C), with its curve) and
 * regret_a<k>, the regret of agent k = 1..M (NaN when k is not in the
 * coalition); agents are numbered from 1 in every name, as in the paper,
 * while the code's agent a is metric regret_a<a+1>. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "smab/linalg.h"
#include "smab/movielens.h"
#include "smab/rng.h"
#include "smab/shapley.h"
#include "smab/suite.h"

#include "coalition.h"

enum { I_SYNTH, I_ASYM, I_FIXED, I_ML };
enum {
	P_INSTANCE, P_AGENTS, P_GROUPS, P_STATES, P_DATA, P_DIM, P_HORIZON,
	P_COALITION, P_LAMBDA, P_ALPHA, P_NOISE, P_DEVIATOR, P_EXPLORE, P_SCALE,
	P_KERNEL, P_PRECISION, P_REUSE, NPARAMS
};


static const smab_param_decl params[NPARAMS] = {
	[P_INSTANCE] = {"instance", SMAB_P_ENUM, "synthetic", 0, 0,
	                "synthetic|asymmetric|fixed|movielens",
	                "agents' action sets: Appendix E.2, its asymmetric variant, one common set, or MovieLens-100k"},
	[P_AGENTS] = {"agents", SMAB_P_INT, "5", 1, SMAB_MAX_AGENTS, NULL,
	              "number of agents of the 'fixed' instance"},
	[P_GROUPS] = {"groups", SMAB_P_ENUM, "gender", 0, 0,
	              "gender|age|occupation|state",
	              "movielens: users grouped into agents by this attribute"},
	[P_STATES] = {"states", SMAB_P_INT, "8", 1, SMAB_MAX_AGENTS, NULL,
	              "movielens, groups: state: the top states by number of users"},
	[P_DATA] = {"data", SMAB_P_STR, "\"\"", 0, 0, NULL,
	            "movielens: the ml-100k directory (empty: $SMAB_DATA, else data/ml-100k)"},
	[P_DIM] = {"dim", SMAB_P_INT, "100", 2, 200, NULL,
	           "movielens: embedding dimension d"},
	[P_HORIZON] = {"horizon", SMAB_P_INT, "4096", 1, 1e6, NULL,
	               "rounds T"},
	[P_COALITION] = {"coalition", SMAB_P_INT, "0", 0, 65535, NULL,
	                 "the agents playing together: a bit mask (bit k-1: agent k; 0: all) or {agents: [1, 3]}; sweep: all, {agents: [[1], [2, 4]]}, {sizes}, {sample: permutations, n}"},
	[P_LAMBDA] = {"lambda", SMAB_P_REAL, "1", 1e-9, 1e9, NULL,
	              "ridge regularization of the pooled least squares"},
	[P_ALPHA] = {"alpha", SMAB_P_REAL, "1", 0, 1e6, NULL,
	             "LinUCB-M exploration bonus multiplier"},
	[P_NOISE] = {"noise", SMAB_P_REAL, "1", 0, 1e6, NULL,
	             "reward noise standard deviation sigma"},
	[P_DEVIATOR] = {"deviate.agent", SMAB_P_INT, "1", 1, SMAB_MAX_AGENTS, NULL,
	                "the agent (1 to M) that deviates in dev-greedy and dev-random"},
	[P_EXPLORE] = {"metc.explore", SMAB_P_INT, "200", 0, 1e7, NULL,
	               "M-ETC exploration rounds T'"},
	[P_SCALE] = {"scale", SMAB_P_REAL, "1", 1e-6, 1e6, NULL,
	             "multiplies theta*, so every mean reward and gap (1: the fitted or Appendix E.2 theta*); the noise is not scaled"},
	[P_KERNEL] = {"kernel", SMAB_P_ENUM, "trmm", 0, 0, "trmm|gemm",
	              "widths by a triangular product with a factor of V^-1 (trmm) or the earlier full product (gemm, a reference)"},
	[P_PRECISION] = {"precision", SMAB_P_ENUM, "mixed", 0, 0, "double|single|mixed",
	                 "trmm widths: mixed (a float screen with a rigorous error bound, then double for the items it cannot rule out: double's choices), double, or single (float products; sums and the ridge state stay double); gemm is all double"},
	[P_REUSE] = {"reuse", SMAB_P_ENUM, "user", 0, 0, "user|none",
	             "trmm widths: user (a user's widths bound its later ones, as V only grows, so a later round recomputes only the blocks of 128 items that could win: the same choices) or none (every width every round)"},
};

/* A name from before agents were numbered from 1: its value counts from 0. */
static const smab_param_alias aliases[] = {
	{"deviator", "deviate.agent", 1},
};

enum { M_LINUCB, M_GREEDY, M_METC, M_MULUCB, M_MULTS, M_DEVGREEDY, M_DEVRANDOM, NMECHS };
static const smab_mech_decl mechs[NMECHS] = {
	{"linucb", "LinUCB-M: LinUCB on the coalition's pooled data"},
	{"greedy", "GREEDY: pooled least squares, no exploration bonus"},
	{"metc", "M-ETC (Algorithm 2): determinant-maximizing exploration, then commit"},
	{"mul-ucb", "MUL(UCB1) (Algorithm 1), fixed common action sets only"},
	{"mul-ts", "MUL(Thompson sampling) (Algorithm 1), fixed common action sets only"},
	{"dev-greedy", "the deviator plays greedily, the others LinUCB-M"},
	{"dev-random", "the deviator plays uniformly at random, the others LinUCB-M"},
};

#define NMETRICS (1 + SMAB_MAX_AGENTS)
static const smab_metric_decl metrics[NMETRICS] = {
	{"regret", 1, "total pseudo-regret of the coalition's members, -v(C)", "reward"},
#define AGENT_METRIC(k) {"regret_a" #k, 0, "pseudo-regret of agent " #k " (NaN if not in the coalition)", "reward"}
	AGENT_METRIC(1), AGENT_METRIC(2), AGENT_METRIC(3), AGENT_METRIC(4),
	AGENT_METRIC(5), AGENT_METRIC(6), AGENT_METRIC(7), AGENT_METRIC(8),
	AGENT_METRIC(9), AGENT_METRIC(10), AGENT_METRIC(11), AGENT_METRIC(12),
	AGENT_METRIC(13), AGENT_METRIC(14), AGENT_METRIC(15), AGENT_METRIC(16),
#undef AGENT_METRIC
};

/* ---- MovieLens, loaded once per process --------------------------------- */

static struct {
	char dir[4096];
	int loaded;             /* 1: ml holds dir's data */
	smab_ml_data ml;
	int dim;                /* > 0: em is the embedding of this dimension */
	smab_ml_embed em;
	int grouping, nstates;  /* groups of this kind are in group[] */
	int ngroups;
	int *group;             /* [nusers] */
	int **members;          /* [ngroups]: the users of each group */
	int *nmembers;
	char names[1024];
} ml_cache = {.grouping = -1};

static void ml_dir(const smab_value *p, char *buf, size_t len)
{
	const char *d = p[P_DATA].s;
	if (!d || !*d)
		d = getenv("SMAB_DATA");
	if (!d || !*d)
		d = "data/ml-100k";
	snprintf(buf, len, "%s", d);
}

static void ml_drop_groups(void)
{
	for (int g = 0; g < ml_cache.ngroups; g++)
		free(ml_cache.members[g]);
	free(ml_cache.members);
	free(ml_cache.nmembers);
	free(ml_cache.group);
	ml_cache.members = NULL;
	ml_cache.nmembers = NULL;
	ml_cache.group = NULL;
	ml_cache.ngroups = 0;
	ml_cache.grouping = -1;
}

/* Load the data of p's directory (if not loaded); then, when 'groups' is
 * set, its grouping, and when 'embed' is set, its embedding.  Returns
 * SMAB_OK or an error with a message in err. */
static int ml_prepare(const smab_value *p, int groups, int embed, char *err,
                      size_t errlen)
/* (SMAB_EIO: the files could not be read or parsed; SMAB_EINVAL: the
 * grouping failed.) */
{
	char dir[4096];
	ml_dir(p, dir, sizeof dir);
	if (!ml_cache.loaded || strcmp(dir, ml_cache.dir) != 0) {
		if (ml_cache.loaded) {
			ml_drop_groups();
			if (ml_cache.dim)
				smab_ml_embed_free(&ml_cache.em);
			ml_cache.dim = 0;
			smab_ml_free(&ml_cache.ml);
			ml_cache.loaded = 0;
		}
		int rc = smab_ml_load(dir, &ml_cache.ml, err, errlen);
		if (rc != SMAB_OK)
			return rc == SMAB_EIO ? rc : SMAB_EIO;     /* a bad file: blame 'data' */
		snprintf(ml_cache.dir, sizeof ml_cache.dir, "%s", dir);
		ml_cache.loaded = 1;
	}
	int grouping = (int)p[P_GROUPS].x, nstates = (int)p[P_STATES].x;
	if (groups && (grouping != ml_cache.grouping ||
	               (grouping == SMAB_ML_STATE && nstates != ml_cache.nstates))) {
		ml_drop_groups();
		const smab_ml_data *ml = &ml_cache.ml;
		ml_cache.group = smab_xmalloc((size_t)ml->nusers * sizeof(int));
		int n = smab_ml_groups(ml, grouping, nstates, ml_cache.group,
		                       ml_cache.names, sizeof ml_cache.names, err, errlen);
		if (n < 1) {
			free(ml_cache.group);
			ml_cache.group = NULL;
			return SMAB_EINVAL;
		}
		ml_cache.ngroups = n;
		ml_cache.members = smab_xcalloc((size_t)n, sizeof(int *));
		ml_cache.nmembers = smab_xcalloc((size_t)n, sizeof(int));
		for (int g = 0; g < n; g++)
			ml_cache.members[g] = smab_xmalloc((size_t)ml->nusers * sizeof(int));
		for (int u = 0; u < ml->nusers; u++) {
			int g = ml_cache.group[u];
			if (g >= 0)
				ml_cache.members[g][ml_cache.nmembers[g]++] = u;
		}
		for (int g = 0; g < n; g++)
			if (ml_cache.nmembers[g] == 0) {
				snprintf(err, errlen, "group %d of '%.200s' has no users", g,
				         ml_cache.names);
				ml_drop_groups();
				return SMAB_EINVAL;
			}
		ml_cache.grouping = grouping;
		ml_cache.nstates = nstates;
	}
	int dim = (int)p[P_DIM].x;
	if (embed && ml_cache.dim != dim) {
		if (ml_cache.dim)
			smab_ml_embed_free(&ml_cache.em);
		ml_cache.dim = 0;
		int rc = smab_ml_embed_make(&ml_cache.ml, dim, &ml_cache.em, err, errlen);
		if (rc != SMAB_OK)
			return rc;
		ml_cache.dim = dim;
	}
	return SMAB_OK;
}

/* ---- instances ---------------------------------------------------------- */

#define SYN_K 25

/* Number of agents of an instance, from the parameters alone. */
static int n_agents(const smab_value *p)
{
	switch ((int)p[P_INSTANCE].x) {
	case I_SYNTH: return 5;
	case I_ASYM: return 6;
	case I_FIXED: return (int)p[P_AGENTS].x;
	default:
		switch ((int)p[P_GROUPS].x) {
		case SMAB_ML_GENDER: return 2;
		case SMAB_ML_AGE: return 7;
		case SMAB_ML_OCCUPATION: return 8;
		default: return (int)p[P_STATES].x;
		}
	}
}

/* Synthetic item i (0-based, item i+1 of the paper) held by agent a? */
static int syn_holds(int kind, int a, int i)
{
	int block = i / 5;      /* A_{block+1} */
	switch (kind) {
	case I_SYNTH: return block == a || block == (a + 1) % 5;
	case I_ASYM: return a == 0 ? i % 6 == 0 : block == a - 1;
	default: return 1;
	}
}

static double syn_theta(int i)
{
	static const double v[5] = {0.3, 0.7, 0.6, 0.5, 0.4};   /* (i+1) mod 5 */
	return v[(i + 1) % 5];
}


static void inst_free(inst *in)
{
	free(in->holds);
	free(in->sbest);
	free(in->own);
	memset(in, 0, sizeof *in);
}

static int inst_make(const smab_value *p, inst *in, char *err, size_t errlen)
{
	memset(in, 0, sizeof *in);
	in->kind = (int)p[P_INSTANCE].x;
	in->M = n_agents(p);
	if (in->kind == I_ML) {
		int rc = ml_prepare(p, 1, 1, err, errlen);
		if (rc != SMAB_OK)
			return rc;
		const smab_ml_embed *em = &ml_cache.em;
		in->d = em->d;
		in->n = em->nitems;
		in->item = em->item;
		in->user = em->user;
		/* scale * theta* and scale * best: a product by 1 is exact, so
		 * scale 1 is the fitted instance bit for bit */
		double s = p[P_SCALE].x;
		int nu = ml_cache.ml.nusers;
		in->own = smab_xmalloc(((size_t)em->d + (size_t)nu) * sizeof(double));
		double *th = in->own, *best = in->own + em->d;
		for (int j = 0; j < em->d; j++)
			th[j] = s * em->theta[j];
		for (int u = 0; u < nu; u++)
			best[u] = s * em->best[u];
		in->theta = th;
		in->best = best;
		return SMAB_OK;
	}
	int d = SYN_K;
	in->d = in->n = d;
	in->own = smab_xcalloc((size_t)d * (size_t)d + 2 * (size_t)d, sizeof(double));
	for (int i = 0; i < d; i++)
		in->own[(size_t)i * (size_t)d + (size_t)i] = 1.0;
	double *th = in->own + (size_t)d * (size_t)d, *ones = th + d;
	for (int i = 0; i < d; i++) {
		th[i] = p[P_SCALE].x * syn_theta(i);
		ones[i] = 1.0;
	}
	in->item = in->own;
	in->theta = th;
	in->ones = ones;
	in->holds = smab_xmalloc((size_t)in->M * (size_t)d);
	in->sbest = smab_xmalloc((size_t)in->M * sizeof(double));
	for (int a = 0; a < in->M; a++) {
		in->sbest[a] = -INFINITY;
		for (int i = 0; i < d; i++) {
			in->holds[(size_t)a * (size_t)d + (size_t)i] = (unsigned char)syn_holds(in->kind, a, i);
			if (in->holds[(size_t)a * (size_t)d + (size_t)i] && th[i] > in->sbest[a])
				in->sbest[a] = th[i];
		}
	}
	return SMAB_OK;
}

/* ---- one task ------------------------------------------------------------ */


static const double *user_of(const task *k, int j, int64_t t)
{
	return k->in->user ? k->in->user + (size_t)k->users[(size_t)j * (size_t)k->T + (size_t)t] * (size_t)k->in->d
	                  : k->in->ones;
}

static double best_of(const task *k, int j, int64_t t)
{
	if (k->in->best)
		return k->in->best[k->users[(size_t)j * (size_t)k->T + (size_t)t]];
	return k->in->sbest[k->mem[j]];
}
/* The ENV stream of the tie-break order (agents use ids 0..15). */
#define TIE_STREAM 1000

/* Draw the users and the noise of every member: streams of (seed, rep,
 * agent) only, so all coalitions and mechanisms share them. */
static void tapes(task *k)
{
	const inst *in = k->in;
	smab_rng_key key = {k->t->seed, SMAB_RNG_ALL_POINTS, k->t->rep};
	gsl_rng *r = smab_rng_alloc();
	for (int j = 0; j < k->m; j++) {
		int a = k->mem[j];
		if (in->kind == I_ML) {
			int g = a, nm = ml_cache.nmembers[g];
			smab_rng_seek(r, &key, SMAB_RNG_ENV, (uint64_t)a, 0);
			for (int64_t t = 0; t < k->T; t++)
				k->users[(size_t)j * (size_t)k->T + (size_t)t] =
					ml_cache.members[g][gsl_rng_uniform_int(r, (unsigned long)nm)];
		}
		smab_rng_seek(r, &key, SMAB_RNG_REWARD, (uint64_t)a, 0);
		for (int64_t t = 0; t < k->T; t++)
			k->z[(size_t)j * (size_t)k->T + (size_t)t] = gsl_ran_gaussian_ziggurat(r, 1.0);
	}
	for (int i = 0; i < in->n; i++)
		k->prio[i] = i;
	smab_rng_seek(r, &key, SMAB_RNG_ENV, TIE_STREAM, 0);
	gsl_ran_shuffle(r, k->prio, (size_t)in->n, sizeof *k->prio);
	smab_rng_free(&r);
}

/* theta* . x(u, i) */
static double true_mean(const inst *in, const double *u, int i)
{
	const double *it = in->item + (size_t)i * (size_t)in->d;
	double s = 0;
	for (int j = 0; j < in->d; j++)
		s += in->theta[j] * u[j] * it[j];
	return s;
}

/* Play item i for member j in round t: regret and the observation. */
static double play(task *k, int j, int64_t t, int i)
{
	const inst *in = k->in;
	const double *u = user_of(k, j, t);
	double mu = true_mean(in, u, i);
	k->reg[j] += best_of(k, j, t) - mu;
	double *x = k->x + (size_t)j * (size_t)in->d;
	const double *it = in->item + (size_t)i * (size_t)in->d;
	for (int c = 0; c < in->d; c++)
		x[c] = u[c] * it[c];
	return mu + k->sigma * k->z[(size_t)j * (size_t)k->T + (size_t)t];
}

/* argmax over member j's items of mu[i] + beta sqrt(w[i]) (w NULL: mu
 * alone; mu NULL: w alone).  Ties go to the item first in the
 * replication's random order prio (the same for every agent, coalition and
 * mechanism): the lowest index would favour the synthetic instance's best
 * arms, which come first in every block. */
static int pick(const task *k, int j, const double *mu, const double *w, double beta)
{
	int n = k->in->n, best = -1;
	double bv = -INFINITY;
	for (int i = 0; i < n; i++) {
		if (!may_play(k, j, i))
			continue;
		double v = (mu ? mu[i] : 0) + (w ? beta * sqrt(w[i]) : 0);
		if (best < 0 || v > bv || (v == bv && k->prio[i] < k->prio[best])) {
			best = i;
			bv = v;
		}
	}
	return best;
}

/* Uniformly one of member j's items. */
static int pick_random(const task *k, int j, gsl_rng *r)
{
	int n = k->in->n, cnt = 0;
	for (int i = 0; i < n; i++)
		cnt += may_play(k, j, i);
	int c = (int)gsl_rng_uniform_int(r, (unsigned long)cnt);
	for (int i = 0; i < n; i++)
		if (may_play(k, j, i) && c-- == 0)
			return i;
	return 0;
}

/* The full symmetric matrix from an upper triangle. */
static void full_from_upper(const double *U, int d, double *F)
{
	for (int r = 0; r < d; r++)
		for (int c = 0; c < d; c++)
			F[(size_t)r * (size_t)d + (size_t)c] =
				r <= c ? U[(size_t)r * (size_t)d + (size_t)c] : U[(size_t)c * (size_t)d + (size_t)r];
}

/* SMAB_TEST_COALITION_CHOICES (a file name): the trmm kernel runs in
 * lockstep with the gemm reference on the same state, and every choice of
 * a member with widths appends a line "mechanism coalition replication
 * round agent item item_gemm width_error gap candidates" (agents and
 * rounds from 1): the item played (trmm's) and the one gemm would choose,
 * the largest relative difference of the member's widths from gemm's over
 * the items, gemm's index of its own choice minus that of trmm's, relative
 * to the former (0 when they agree; a near-tie when small), and under
 * precision mixed the number of items whose widths were recomputed in
 * double (-1 otherwise). */
static void trace(const task *k, int mech, int64_t t, int j, int i, int iref,
                  const double *w, const double *wref, const double *mref, int ncand)
{
	uint32_t mask = 0;
	for (int q = 0; q < k->m; q++)
		mask |= 1u << k->mem[q];
	double err = 0, gap = 0;
	for (int q = 0; q < k->in->n; q++)
		if (wref[q] > 0 && w[q] > 0)
			err = fmax(err, fabs(w[q] - wref[q]) / wref[q]);
	if (i != iref) {
		double vr = mref[iref] + k->alpha * sqrt(wref[iref]);
		gap = (vr - mref[i] - k->alpha * sqrt(wref[i])) / fabs(vr);
	}
	fprintf(k->trace, "%s %u %u %lld %d %d %d %.3e %.3e %d\n", mechs[mech].name,
	        (unsigned)mask, (unsigned)k->t->rep, (long long)t + 1, k->mem[j] + 1, i, iref,
	        err, gap, ncand);
}

/* Curve bookkeeping: record the running total at every checkpoint <= t+1. */
static void record(const task *k, int64_t t, int *c, double *curve)
{
	double tot = 0;
	for (int j = 0; j < k->m; j++)
		tot += k->reg[j];
	while (*c < k->t->ncheck && k->t->check[*c] == t + 1)
		curve[(*c)++] = tot;
}

enum { REFACTOR = 512 };

/* LinUCB-M, GREEDY and the two deviations: one pooled least-squares state. */
static int run_pooled(task *k, int mech, int deviator, double *curve)
{
	const inst *in = k->in;
	int d = in->d, n = in->n, need[SMAB_MAX_AGENTS], c = 0, rc = SMAB_OK;
	smab_ls ls;
	if (smab_ls_init(&ls, d, k->lambda, REFACTOR) != SMAB_OK)
		return SMAB_EINVAL;
	double *w = smab_xmalloc((size_t)k->m * (size_t)n * sizeof *w);
	double *mu = smab_xmalloc((size_t)k->m * (size_t)n * sizeof *mu);
	double *y = smab_xmalloc((size_t)k->m * sizeof *y);
	const double *u[SMAB_MAX_AGENTS], *Ap[SMAB_MAX_AGENTS];
	const float *Ap32[SMAB_MAX_AGENTS];
	smab_rng_key key = {k->t->seed, SMAB_RNG_ALL_POINTS, k->t->rep};
	gsl_rng *r = smab_rng_alloc();
	smab_rng_seek(r, &key, SMAB_RNG_MECH, 100 + (uint64_t)deviator, 0);
	int tri = k->kernel == K_TRMM, ucb = 0;
	for (int j = 0; j < k->m; j++) {
		int dev = k->mem[j] == deviator;
		need[j] = mech == M_GREEDY || (mech == M_DEVGREEDY && dev) ? NEED_MEAN
		        : mech == M_DEVRANDOM && dev ? NEED_NONE : NEED_UCB;
		ucb |= need[j] == NEED_UCB;
		Ap32[j] = k->W32;
	}
	if (tri && ucb && smab_ls_track_factor(&ls) != SMAB_OK)
		rc = SMAB_EINVAL;
	double *wr = NULL, *mr = NULL;      /* the gemm reference in lockstep */
	if (tri && ucb && k->trace) {
		wr = smab_xmalloc((size_t)k->m * (size_t)n * sizeof *wr);
		mr = smab_xmalloc((size_t)k->m * (size_t)n * sizeof *mr);
	}
	for (int j = 0; j < k->m; j++)
		Ap[j] = tri ? ls.W : k->A;        /* allocated by the tracking */
	/* reuse: each user's width bounds, valid while this V grows */
	int reuse = tri && ucb && k->reuse, uid[SMAB_MAX_AGENTS], cached[SMAB_MAX_AGENTS];
	int nu = in->user ? ml_cache.ml.nusers : 1, ask[SMAB_MAX_AGENTS];
	if (reuse) {
		k->ub = smab_xmalloc((size_t)nu * (size_t)n * sizeof *k->ub);
		k->seen = smab_xcalloc((size_t)nu, 1);
	}
	for (int64_t t = 0; t < k->T && rc == SMAB_OK; t++) {
		if (!tri)
			full_from_upper(ls.Vinv, d, k->A);
		else if (ucb && (k->single || reuse)) {
			double wf = k->single ? smab_ls_factor32(&ls, k->W32) : smab_ls_factor_norm(&ls);
			for (int j = 0; j < k->m; j++)
				k->wfro[j] = wf;
		}
		for (int j = 0; j < k->m; j++) {
			u[j] = user_of(k, j, t);
			uid[j] = in->user ? k->users[(size_t)j * (size_t)k->T + (size_t)t] : 0;
			cached[j] = reuse && need[j] == NEED_UCB && k->seen[uid[j]];
			ask[j] = cached[j] ? NEED_MEAN : need[j];
		}
		smab_cw_scores(k, ask, u, Ap, Ap32, ls.theta, w, mu);
		if (wr) {
			int single = k->single, mixed = k->mixed;
			const double *Aref[SMAB_MAX_AGENTS];
			for (int j = 0; j < k->m; j++)
				Aref[j] = k->A;
			full_from_upper(ls.Vinv, d, k->A);
			k->kernel = K_GEMM;
			k->single = k->mixed = 0;
			smab_cw_scores(k, need, u, Aref, Ap32, ls.theta, wr, mr);
			k->kernel = K_TRMM;
			k->single = single;
			k->mixed = mixed;
		}
		for (int j = 0; j < k->m; j++) {
			const double *mj = mu + (size_t)j * (size_t)n;
			double *wj = w + (size_t)j * (size_t)n;
			if (cached[j])
				k->ncand[j] = smab_cw_reuse(k, j, uid[j], mj, wj, k->alpha, ls.W, k->W32, u[j]);
			else if (k->mixed && need[j] == NEED_UCB)
				smab_cw_refine(k, j, mj, wj, k->alpha, ls.W, u[j]);
			if (reuse && need[j] == NEED_UCB && !cached[j])
				smab_cw_store(k, j, uid[j], wj, u[j], k->mixed);
			int i = need[j] == NEED_UCB ? pick(k, j, mj, wj, k->alpha)
			      : need[j] == NEED_MEAN ? pick(k, j, mj, NULL, 0)
			      : pick_random(k, j, r);
			if (wr && need[j] == NEED_UCB)
				trace(k, mech, t, j, i, pick(k, j, mr + (size_t)j * (size_t)n,
				                              wr + (size_t)j * (size_t)n, k->alpha),
				      wj, wr + (size_t)j * (size_t)n, mr + (size_t)j * (size_t)n,
				      k->mixed || cached[j] ? k->ncand[j] : -1);
			y[j] = play(k, j, t, i);
		}
		for (int j = 0; j < k->m && rc == SMAB_OK; j++)
			rc = smab_ls_update(&ls, k->x + (size_t)j * (size_t)d, y[j], 1.0);
		record(k, t, &c, curve);
	}
	smab_rng_free(&r);
	smab_ls_free(&ls);
	free(k->ub);
	free(k->seen);
	k->ub = NULL;
	k->seen = NULL;
	free(w);
	free(mu);
	free(wr);
	free(mr);
	free(y);
	return rc;
}

/* M-ETC (Algorithm 2). */
static int run_metc(task *k, int64_t explore, double *curve)
{
	const inst *in = k->in;
	int d = in->d, n = in->n, need[SMAB_MAX_AGENTS], c = 0, rc = SMAB_OK;
	smab_ls pool, own[SMAB_MAX_AGENTS];
	double *Af = smab_xmalloc((size_t)k->m * (size_t)d * (size_t)d * sizeof *Af);
	double *w = smab_xmalloc((size_t)k->m * (size_t)n * sizeof *w);
	double *mu = smab_xmalloc((size_t)k->m * (size_t)n * sizeof *mu);
	double *y = smab_xmalloc((size_t)k->m * sizeof *y);
	double *th = smab_xcalloc((size_t)d, sizeof *th);
	const double *u[SMAB_MAX_AGENTS], *Ap[SMAB_MAX_AGENTS];
	const float *Ap32[SMAB_MAX_AGENTS];
	int tri = k->kernel == K_TRMM;
	if (smab_ls_init(&pool, d, k->lambda, REFACTOR) != SMAB_OK)
		rc = SMAB_EINVAL;
	for (int j = 0; j < k->m; j++) {
		if (smab_ls_init(&own[j], d, 1.0, REFACTOR) != SMAB_OK ||     /* I + V_a */
		    (tri && smab_ls_track_factor(&own[j]) != SMAB_OK))
			rc = SMAB_EINVAL;
		Ap[j] = tri ? own[j].W : Af + (size_t)j * (size_t)d * (size_t)d;
		Ap32[j] = k->W32 + (size_t)j * (size_t)d * (size_t)d;
	}
	for (int64_t t = 0; t < k->T && rc == SMAB_OK; t++) {
		int exploring = t < explore;
		if (t == explore)
			memcpy(th, pool.theta, (size_t)d * sizeof *th);
		for (int j = 0; j < k->m; j++) {
			u[j] = user_of(k, j, t);
			need[j] = exploring ? NEED_UCB : NEED_MEAN;
			if (exploring && !tri)
				full_from_upper(own[j].Vinv, d, Af + (size_t)j * (size_t)d * (size_t)d);
			else if (exploring && k->single)
				k->wfro[j] = smab_ls_factor32(&own[j], k->W32 + (size_t)j * (size_t)d * (size_t)d);
		}
		smab_cw_scores(k, need, u, Ap, Ap32, th, w, mu);
		for (int j = 0; j < k->m; j++) {
			if (exploring && k->mixed)
				smab_cw_refine(k, j, NULL, w + (size_t)j * (size_t)n, 1.0, own[j].W, u[j]);
			int i = exploring ? pick(k, j, NULL, w + (size_t)j * (size_t)n, 1.0)
			                  : pick(k, j, mu + (size_t)j * (size_t)n, NULL, 0);
			y[j] = play(k, j, t, i);
			if (exploring && rc == SMAB_OK)
				rc = smab_ls_update(&own[j], k->x + (size_t)j * (size_t)d, 0.0, 1.0);
		}
		for (int j = 0; exploring && j < k->m && rc == SMAB_OK; j++)
			rc = smab_ls_update(&pool, k->x + (size_t)j * (size_t)d, y[j], 1.0);
		record(k, t, &c, curve);
	}
	for (int j = 0; j < k->m; j++)
		smab_ls_free(&own[j]);
	smab_ls_free(&pool);
	free(Af);
	free(w);
	free(mu);
	free(y);
	free(th);
	return rc;
}

/* MUL(SIN) (Algorithm 1) on the common action set of instance 'fixed'. */
static int run_mul(task *k, int ts, double *curve)
{
	const inst *in = k->in;
	int K = in->n, c = 0, m = k->m;
	double *s = smab_xcalloc((size_t)K, sizeof *s);
	int64_t *cnt = smab_xcalloc((size_t)K, sizeof *cnt), tau = 0;
	double *buf = smab_xmalloc((size_t)K * (size_t)m * sizeof *buf);
	int *head = smab_xcalloc((size_t)K, sizeof *head), *len = smab_xcalloc((size_t)K, sizeof *len);
	double sig = k->sigma > 0 ? k->sigma : 1.0;
	smab_rng_key key = {k->t->seed, SMAB_RNG_ALL_POINTS, k->t->rep};
	gsl_rng *r = smab_rng_alloc();
	smab_rng_seek(r, &key, SMAB_RNG_MECH, 200, 0);
#define SIN_NEXT(xv) do { \
		int b_ = -1; double bv_ = -INFINITY; \
		for (int i_ = 0; i_ < K; i_++) { \
			double v_; \
			if (ts) \
				v_ = s[i_] / (double)(cnt[i_] + 1) + \
				     gsl_ran_gaussian_ziggurat(r, sig / sqrt((double)(cnt[i_] + 1))); \
			else if (cnt[i_] == 0) \
				v_ = INFINITY; \
			else \
				v_ = s[i_] / (double)cnt[i_] + \
				     sig * sqrt(2.0 * log((double)tau) / (double)cnt[i_]); \
			if (b_ < 0 || v_ > bv_ || (v_ == bv_ && k->prio[i_] < k->prio[b_])) { \
				b_ = i_; bv_ = v_; \
			} \
		} \
		(xv) = b_; \
	} while (0)
	int x;
	SIN_NEXT(x);
	for (int64_t t = 0; t < k->T; t++) {
		/* every member plays x; the buffer of x was empty */
		for (int j = 0; j < m; j++) {
			double yv = play(k, j, t, x);
			buf[(size_t)x * (size_t)m + (size_t)((head[x] + len[x]) % m)] = yv;
			len[x]++;
		}
		while (len[x] > 0) {
			double yv = buf[(size_t)x * (size_t)m + (size_t)head[x]];
			head[x] = (head[x] + 1) % m;
			len[x]--;
			s[x] += yv;
			cnt[x]++;
			tau++;
			SIN_NEXT(x);
		}
		record(k, t, &c, curve);
	}
#undef SIN_NEXT
	smab_rng_free(&r);
	free(s);
	free(cnt);
	free(buf);
	free(head);
	free(len);
	return SMAB_OK;
}

static uint32_t coal_mask_of(const smab_value *p)
{
	uint32_t all = (1u << n_agents(p)) - 1;
	uint32_t mask = (uint32_t)p[P_COALITION].x;
	return mask == 0 ? all : mask;
}

static int coal_run(const smab_task *t, smab_task_out *out)
{
	const smab_value *p = t->p;
	char err[512];
	inst in;
	if (inst_make(p, &in, err, sizeof err) != SMAB_OK) {
		fprintf(stderr, "smab: coalition: %s\n", err);
		return SMAB_EIO;
	}
	task k = {.in = &in, .t = t, .T = (int64_t)p[P_HORIZON].x,
	          .sigma = p[P_NOISE].x, .lambda = p[P_LAMBDA].x, .alpha = p[P_ALPHA].x,
	          .kernel = (int)p[P_KERNEL].x};
	/* precision mixed under kernel gemm is gemm itself: all double */
	int prec = (int)p[P_PRECISION].x;
	k.single = k.kernel == K_TRMM && prec != PR_DOUBLE;
	k.mixed = k.kernel == K_TRMM && prec == PR_MIXED;
	k.reuse = k.kernel == K_TRMM && (int)p[P_REUSE].x == RU_USER;
	uint32_t mask = coal_mask_of(p);
	for (int a = 0; a < in.M; a++)
		if (mask >> a & 1u)
			k.mem[k.m++] = a;
	int d = in.d, n = in.n, ld = k.m * d + k.m;
	k.users = smab_xmalloc((size_t)k.m * (size_t)k.T * sizeof *k.users);
	k.z = smab_xmalloc((size_t)k.m * (size_t)k.T * sizeof *k.z);
	k.A = smab_xmalloc((size_t)d * (size_t)d * sizeof *k.A);
	k.B = smab_xmalloc((size_t)d * (size_t)ld * sizeof *k.B);
	k.Y = smab_xmalloc((size_t)(n < CHUNK ? n : CHUNK) * (size_t)ld * sizeof *k.Y);
	k.x = smab_xmalloc((size_t)k.m * (size_t)d * sizeof *k.x);
	k.reg = smab_xmalloc((size_t)k.m * sizeof *k.reg);
	k.prio = smab_xmalloc((size_t)n * sizeof *k.prio);
	size_t chunk = (size_t)(n < CHUNK ? n : CHUNK) * (size_t)d;
	if (k.kernel == K_TRMM)
		k.S = smab_xmalloc(chunk * sizeof *k.S);
	if (k.single) {
		k.S32 = smab_xmalloc(chunk * sizeof *k.S32);
		k.W32 = smab_xmalloc((size_t)k.m * (size_t)d * (size_t)d * sizeof *k.W32);
	}
	if (k.mixed) {
		k.xn = smab_xmalloc((size_t)k.m * (size_t)n * sizeof *k.xn);
		k.hi = smab_xmalloc((size_t)n * sizeof *k.hi);
		k.cand = smab_xmalloc((size_t)n * sizeof *k.cand);
	}
	if (k.single)
		smab_widths_tri32_bound(d, &k.babs, &k.brel);
	if (k.reuse) {
		k.bdone = smab_xmalloc((size_t)(n + CHUNK - 1) / CHUNK);
		k.bn = smab_xmalloc((size_t)CHUNK * sizeof *k.bn);
	}
	const char *tf = getenv("SMAB_TEST_COALITION_CHOICES");
	if (tf && *tf && !(k.trace = fopen(tf, "a")))
		fprintf(stderr, "smab: coalition: cannot append to %s\n", tf);
	tapes(&k);
	int rc = SMAB_OK, deviator = (int)p[P_DEVIATOR].x - 1;   /* the code counts from 0 */
	for (int q = 0; q < t->nmech && rc == SMAB_OK; q++) {
		int mech = t->mech[q];
		double *sc = out->scalar + (size_t)q * NMETRICS;
		double *curve = out->curve + (size_t)q * NMETRICS * (size_t)t->ncheck;
		memset(k.reg, 0, (size_t)k.m * sizeof *k.reg);
		for (int m = 0; m < NMETRICS; m++)
			sc[m] = NAN;
		if ((mech == M_MULUCB || mech == M_MULTS) && in.kind != I_FIXED)
			continue;       /* MUL needs one common action set */
		switch (mech) {
		case M_METC:
			rc = run_metc(&k, (int64_t)p[P_EXPLORE].x, curve);
			break;
		case M_MULUCB:
		case M_MULTS:
			rc = run_mul(&k, mech == M_MULTS, curve);
			break;
		default:
			rc = run_pooled(&k, mech, deviator, curve);
		}
		double tot = 0;
		for (int j = 0; j < k.m; j++) {
			sc[1 + k.mem[j]] = k.reg[j];
			tot += k.reg[j];
		}
		sc[0] = tot;
	}
	free(k.users);
	free(k.z);
	free(k.A);
	free(k.B);
	free(k.Y);
	free(k.x);
	free(k.reg);
	free(k.prio);
	free(k.S);
	free(k.S32);
	free(k.W32);
	free(k.xn);
	free(k.hi);
	free(k.cand);
	free(k.bdone);
	free(k.bn);
	if (k.trace)
		fclose(k.trace);
	inst_free(&in);
	return rc;
}

/* ---- declarations --------------------------------------------------------- */

static int coal_check(const smab_value *p, char *msg, size_t len, int *bad)
{
	int M = n_agents(p);
	uint32_t mask = (uint32_t)p[P_COALITION].x;
	if (mask >> M) {
		snprintf(msg, len, "coalition mask %u names agents beyond the instance's %d",
		         (unsigned)mask, M);
		*bad = P_COALITION;
		return 1;
	}
	if ((int)p[P_DEVIATOR].x > M) {
		snprintf(msg, len, "deviate.agent %d: the instance has agents 1 to %d",
		         (int)p[P_DEVIATOR].x, M);
		*bad = P_DEVIATOR;
		return 1;
	}
	/* mixed promises double's choices, which gemm makes anyway: accepted */
	if ((int)p[P_PRECISION].x == PR_SINGLE && (int)p[P_KERNEL].x != K_TRMM) {
		snprintf(msg, len, "precision: single needs kernel: trmm (the gemm kernel is the "
		         "double-precision reference)");
		*bad = P_PRECISION;
		return 1;
	}
	if ((int)p[P_INSTANCE].x == I_ML) {
		char err[480];
		int rc = ml_prepare(p, 1, 0, err, sizeof err);
		if (rc != SMAB_OK) {
			snprintf(msg, len, "MovieLens-100k: %s (set 'data', or SMAB_DATA; scripts/fetch-movielens.sh downloads it)", err);
			*bad = rc == SMAB_EIO ? P_DATA : P_GROUPS;
			return 1;
		}
		if (ml_cache.ngroups != M) {
			snprintf(msg, len, "only %d groups of users (asked for %d)", ml_cache.ngroups, M);
			*bad = P_STATES;
			return 1;
		}
	}
	return 0;
}

/* MUL (Algorithm 1) plays one action for all members: it needs one action
 * set common to every agent, the 'fixed' instance; elsewhere it has no
 * result (its metrics would all be NaN). */
static int coal_mech_check(const smab_value *p, int mech, char *msg, size_t len, int *bad)
{
	if ((mech == M_MULUCB || mech == M_MULTS) && (int)p[P_INSTANCE].x != I_FIXED) {
		char iname[32];
		smab_param_choice_name(&params[P_INSTANCE], (int)p[P_INSTANCE].x, iname, sizeof iname);
		snprintf(msg, len, "mechanism '%s' is not defined for instance '%s': MUL plays one "
		         "action for every member, so it needs one action set common to all "
		         "agents (instance: fixed)", mechs[mech].name, iname);
		*bad = P_INSTANCE;
		return 1;
	}
	return 0;
}

static int coal_agents(const smab_value *p, char **names)
{
	int M = n_agents(p);
	if (!names)
		return M;
	if ((int)p[P_INSTANCE].x == I_ML) {
		char err[480];
		if (ml_prepare(p, 1, 0, err, sizeof err) != SMAB_OK) {
			*names = smab_xstrdup(err);
			return -1;
		}
		*names = smab_xstrdup(ml_cache.names);
		return M;
	}
	/* agents are named by their number, from 1: "1,2,3" */
	char *s = smab_xmalloc((size_t)M * 4 + 1);
	size_t o = 0;
	for (int a = 0; a < M; a++)
		o += (size_t)snprintf(s + o, 4, "%s%d", a ? "," : "", a + 1);
	*names = s;
	return M;
}

static int64_t coal_horizon(const smab_value *p)
{
	return (int64_t)p[P_HORIZON].x;
}

/* About one unit per agent-round of a cheap learner; a LinUCB agent-round
 * costs n d^2 multiply-adds under the gemm kernel (one unit per ~1000),
 * half that under trmm: the units are relative, so both count the same. */
/* The cost of a reuse round against a full one: the means, a block or two
 * of the product and the update, against every block (bench_coalition's
 * reuse rows: mixed with reuse runs 3.2-4.2x mixed without it at T = 4096,
 * first rounds included, so about a quarter once every user was seen). */
#define REUSE_SHARE 0.25

/* Per mechanism and member: a unit per round plus the widths' product,
 * n d^2 / 1000 units, in every round without reuse; with reuse, in the
 * rounds that meet a user for the first time (U (1 - (1 - 1/U)^T) of them
 * in expectation for a group of U users; one for the synthetic games'
 * single user) and REUSE_SHARE of it in the others.  Without this, plan
 * --calibrate, which times tasks cut to a few hundred rounds where most
 * users are new, would project a table at T = 4096 twice too long. */
static double coal_cost(const smab_value *p, int nmech)
{
	int ml = (int)p[P_INSTANCE].x == I_ML, M = n_agents(p);
	double n = ml ? 1682 : SYN_K, d = ml ? p[P_DIM].x : SYN_K;
	double T = p[P_HORIZON].x, W = n * d * d / 1000.0, cost = 0;
	int reuse = (int)p[P_KERNEL].x == K_TRMM && (int)p[P_REUSE].x == RU_USER;
	char err[480];
	int groups = reuse && ml && ml_prepare(p, 1, 0, err, sizeof err) == SMAB_OK;
	uint32_t mask = coal_mask_of(p);
	for (int a = 0; a < M; a++) {
		if (!(mask >> a & 1u))
			continue;
		if (!reuse) {
			cost += T * (1.0 + W);
			continue;
		}
		/* without the data (plan on another machine): an even share */
		double U = !ml ? 1.0 : groups ? ml_cache.nmembers[a] : 943.0 / M;
		double first = U * (1.0 - pow(1.0 - 1.0 / U, T));
		cost += T * (1.0 + REUSE_SHARE * W) + first * (1.0 - REUSE_SHARE) * W;
	}
	return nmech * cost;
}

const smab_suite smab_suite_coalition = {
	.name = "coalition",
	.doc = "creator coalitions, Shapley values and MovieLens-100k (Krishnamurthy et al., AISTATS 2026)",
	.params = params, .nparams = NPARAMS,
	.aliases = aliases, .naliases = (int)(sizeof aliases / sizeof aliases[0]),
	.mechs = mechs, .nmechs = NMECHS,
	.metrics = metrics, .nmetrics = NMETRICS,
	.check = coal_check,
	.mech_check = coal_mech_check,
	.horizon = coal_horizon,
	.cost = coal_cost,
	.run = coal_run,
	.agents = coal_agents,
};
