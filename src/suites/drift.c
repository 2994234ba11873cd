/* drift.c - incentivized exploration under reward drift (Liu et al., AAAI
 * 2020; shared/seeds/s3).  SKELETON: tables are final, the body is not. */
#include <math.h>
#include <stdio.h>

#include "smab/suite.h"

enum {
	P_HORIZON, P_ARMS, P_MEANS, P_MEAN_BEST, P_GAP, P_NOISE, P_SIGMA,
	P_DRIFT, P_UCB_ALPHA, P_EG_C, P_EG_D, NPARAMS
};

static const smab_param_decl params[NPARAMS] = {
	[P_HORIZON] = {"horizon", SMAB_P_INT, "20000", 1, 1e9, NULL,
	               "rounds T of each replication"},
	[P_ARMS] = {"arms", SMAB_P_INT, "10", 2, 1e6, NULL,
	            "number of arms K (must equal the length of 'means' when that is given)"},
	[P_MEANS] = {"means", SMAB_P_VEC, "[]", 0, 1, NULL,
	             "arm means mu_1..mu_K in [0,1]; empty: mean_best - gap*(i-1), floored at 0"},
	[P_MEAN_BEST] = {"mean_best", SMAB_P_REAL, "0.9", 0, 1, NULL,
	                 "mean of arm 1 when 'means' is empty"},
	[P_GAP] = {"gap", SMAB_P_REAL, "0.1", 0, 1, NULL,
	           "gap between consecutive arm means when 'means' is empty"},
	[P_NOISE] = {"noise", SMAB_P_ENUM, "gaussian", 0, 0, "gaussian|bernoulli",
	             "reward distribution around each mean"},
	[P_SIGMA] = {"sigma", SMAB_P_REAL, "0.1", 0, 100, NULL,
	             "standard deviation of Gaussian reward noise"},
	[P_DRIFT] = {"drift", SMAB_P_REAL, "0", 0, 100, NULL,
	             "drift coefficient delta: feedback = reward + delta * compensation"},
	[P_UCB_ALPHA] = {"ucb.alpha", SMAB_P_REAL, "2", 1e-9, 100, NULL,
	                 "UCB index mu_hat + sqrt(alpha ln t / n) (alpha = 2 is UCB1)"},
	[P_EG_C] = {"egreedy.c", SMAB_P_REAL, "1", 1e-9, 1e6, NULL,
	            "epsilon-greedy: eps_t = min(1, c K / (d^2 t))"},
	[P_EG_D] = {"egreedy.d", SMAB_P_REAL, "0.1", 1e-9, 1, NULL,
	            "epsilon-greedy: d in (0, 1], at most the smallest gap"},
};

enum { M_UCB, M_EGREEDY, M_TS, M_GREEDY, NMECHS };

static const smab_mech_decl mechs[NMECHS] = {
	[M_UCB] = {"ucb", "incentivized UCB1 on drifted empirical means"},
	[M_EGREEDY] = {"egreedy", "incentivized epsilon_t-greedy, feedback projected onto [0,1]"},
	[M_TS] = {"ts", "incentivized Gaussian Thompson sampling, theta_i ~ N(mu_hat_i, 1/(n_i+1))"},
	[M_GREEDY] = {"greedy", "no incentive: the myopic player's greedy choice"},
};

enum { X_REGRET, X_COMP, X_NCOMP, X_ESTERR, NMETRICS };

static const smab_metric_decl metrics[NMETRICS] = {
	[X_REGRET] = {"regret", 1, "cumulative pseudo-regret sum_t (mu_1 - mu_{i_t})"},
	[X_COMP] = {"compensation", 1, "cumulative compensation paid to players"},
	[X_NCOMP] = {"compensated", 0, "number of compensated rounds"},
	[X_ESTERR] = {"est_error", 0, "relative error |mu_hat_1 - mu_1| / mu_1 of the best arm's drifted mean"},
};

static int drift_check(const smab_value *p, char *msg, size_t len, int *bad)
{
	if (p[P_MEANS].n > 0 && p[P_MEANS].n != (int)p[P_ARMS].x) {
		snprintf(msg, len, "'means' has %d entries but 'arms' is %.0f: they must agree",
		         p[P_MEANS].n, p[P_ARMS].x);
		*bad = P_MEANS;
		return 1;
	}
	return 0;
}

static int64_t drift_horizon(const smab_value *p)
{
	return (int64_t)p[P_HORIZON].x;
}

static double drift_cost(const smab_value *p, int nmech)
{
	return p[P_HORIZON].x * nmech;
}

static int drift_run(const smab_task *t, smab_task_out *out)
{
	(void)t;
	(void)out;
	return SMAB_EINTERNAL;
}

const smab_suite smab_suite_drift = {
	.name = "drift",
	.doc = "incentivized exploration under reward drift (Liu et al., AAAI 2020)",
	.params = params, .nparams = NPARAMS,
	.mechs = mechs, .nmechs = NMECHS,
	.metrics = metrics, .nmetrics = NMETRICS,
	.check = drift_check,
	.horizon = drift_horizon,
	.cost = drift_cost,
	.run = drift_run,
};
