/* coaltab.c - the coalition tables of a result file (coaltab.h).
 *
 * Output, all under /coalition (replaced whole on every call), with G games
 * (points equal but for 'coalition'), NC coalitions and M agents:
 *   attributes 'agents' (comma list) and 'design' ("exact": all 2^M - 1
 *   coalitions ran in every game; "permutations": the prefixes of the
 *   sampled orders of the root attribute 'coalition_perms'; "partial":
 *   anything else, no Shapley value)
 *   masks                 uint32 [NC]      the coalitions run
 *   game                  int64  [P]       game of each point
 *   <mech>/regret         summary [G,NC,M] each agent's regret in each coalition
 *   <mech>/value          summary [G,NC]   v(C) = -sum of member regrets
 *   <mech>/shapley        summary [G,M]    Shapley value per replication, summarized
 *   <mech>/payout         summary [G,M]    p_a = -R_a^M (needs the grand coalition)
 *   <mech>/checks         compound [G]     core, convexity, Assumption 3
 *   <mech>/assumption3    compound [K]     every Assumption-3 violation
 * 'summary' is the compound of /summary: {n, mean, sd, ci_lo, ci_hi}, 95%
 * Student-t intervals over the replications.  A replication counts for the
 * Shapley value only when it is done for every coalition the estimate
 * reads; the checks use the replication-mean game. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smab/coaltab.h"
#include "smab/outfile.h"
#include "smab/param.h"
#include "smab/shapley.h"
#include "smab/stats.h"
#include "h5util.h"

/* Level of every confidence interval. */
#define LEVEL 0.95
/* Assumption-3 violations printed per game before "... k more". */
#define A3_PRINT_MAX 30

/* One row of /coalition/<mech>/checks.  -1 in a flag: not checked (the
 * design is not exact, a coalition's mean value is NaN, or the grand
 * coalition did not run).  'nan_mask' (not written) is the first coalition
 * without a value when that was the reason. */
typedef struct checks_row {
	int in_core;              /* the Shapley value of the mean game is in its core */
	uint32_t core_worst_mask; /* the coalition with the largest excess */
	double core_excess;       /* its excess v(S) - phi(S) */
	int convex;
	int64_t convex_violations, convex_checked;
	int64_t a3_violations, a3_checked;
	int64_t a3_significant;   /* violations whose paired 95% CI excludes 0 */
	int payout_in_core;       /* the payout -R^M (means) is in the core */
	int a3_rule;              /* SMAB_A3_ADJACENT (exact design), else _SUBSETS */
	uint32_t nan_mask;        /* in memory only: see above */
} checks_row;

/* One row of /coalition/<mech>/assumption3. */
typedef struct a3_row {
	int64_t game;
	int agent;                /* from 1, as everywhere a user sees one */
	uint32_t q, s;
	double rq_mean, rq_half, rs_mean, rs_half, ratio;
	double diff_mean, diff_lo, diff_hi;   /* paired R_a^Q - R_a^S */
} a3_row;

/* What the file says about its coalitions. */
typedef struct ctab {
	const char *path;
	h5u_rfile rf;
	h5u_ptab pt;
	int have_pt;
	char *agents;        /* the 'agents' attribute */
	char **agent;        /* [M] */
	int M;
	size_t P, R;
	uint32_t *pmask;     /* [P] coalition of each point */
	int64_t *game;       /* [P] game of each point */
	int64_t *gfirst;     /* [G] first point of each game */
	int G, NC;
	uint32_t *cmask;     /* [NC] */
	int *cidx;           /* [2^M] index in cmask, -1 if never run */
	int64_t *cpt;        /* [G*NC] point of coalition c in game g, -1 none */
	int nperm;
	int *perm;           /* [nperm*M] the sampled orders, or NULL */
	const char *design;
	int grand;           /* index of the grand coalition in cmask, -1 */
	int notab;           /* 1: not a coalition file, or one coalition only */
	double delay;        /* test hooks: seconds slept at every step, */
	int no_space_check;  /* and no space check (to meet a full disk) */
} ctab;

/* Everything computed for one mechanism. */
typedef struct mres {
	smab_summary *reg;   /* [G*NC*M] */
	smab_summary *val;   /* [G*NC] */
	smab_summary *shap;  /* [G*M], NULL for a partial design */
	smab_summary *pay;   /* [G*M], NULL without the grand coalition */
	smab_summary *diff;  /* [G*M] payout - Shapley, paired; NULL if either is */
	checks_row *chk;     /* [G] */
	a3_row *a3;          /* [na3] */
	int64_t na3;
} mres;

static void mres_free(mres *m)
{
	free(m->reg);
	free(m->val);
	free(m->shap);
	free(m->pay);
	free(m->diff);
	free(m->chk);
	free(m->a3);
	memset(m, 0, sizeof *m);
}

static void ctab_free(ctab *c, h5ctx *cx)
{
	if (c->have_pt)
		h5u_ptab_free(&c->pt, c->P);
	h5u_rfile_close(&c->rf, cx);
	free(c->agents);
	h5u_free_list(c->agent);
	free(c->pmask);
	free(c->game);
	free(c->gfirst);
	free(c->cmask);
	free(c->cidx);
	free(c->cpt);
	free(c->perm);
}

static const smab_summary no_summary = {0, NAN, NAN, NAN, NAN};

/* ---- reading ----------------------------------------------------------- */

/* Root attribute 'coalition_perms' (int64 [n*M]) into c->perm, if present;
 * every order must be a permutation of 0..M-1. */
static int read_perms(ctab *c, h5ctx *cx)
{
	hid_t a = -1, sp = -1;
	int64_t *v = NULL;
	if (H5Aexists(c->rf.file, "coalition_perms") <= 0) {
		H5Eclear2(H5E_DEFAULT);
		return SMAB_OK;
	}
	H5OK(a = H5Aopen(c->rf.file, "coalition_perms", H5P_DEFAULT),
	     "cannot open attribute 'coalition_perms' of %s", c->path);
	H5OK(sp = H5Aget_space(a), "cannot get the shape of 'coalition_perms'");
	hssize_t n = H5Sget_simple_extent_npoints(sp);
	H5OK(n, "cannot get the shape of 'coalition_perms'");
	if (n == 0 || n % c->M != 0)
		FAIL(SMAB_EINVAL, "%s: attribute 'coalition_perms' has %lld values, not a "
		     "multiple of the %d agents", c->path, (long long)n, c->M);
	v = smab_xmalloc((size_t)n * sizeof *v);
	H5OK(H5Aread(a, H5T_NATIVE_INT64, v), "cannot read 'coalition_perms' of %s", c->path);
	c->nperm = (int)(n / c->M);
	c->perm = smab_xmalloc((size_t)n * sizeof *c->perm);
	for (int k = 0; k < c->nperm; k++) {
		uint32_t seen = 0;
		for (int i = 0; i < c->M; i++) {
			int64_t x = v[(size_t)k * (size_t)c->M + (size_t)i];
			if (x < 0 || x >= c->M || (seen & (1u << x)))
				FAIL(SMAB_EINVAL, "%s: order %d of 'coalition_perms' is not a "
				     "permutation of the %d agents", c->path, k, c->M);
			seen |= 1u << x;
			c->perm[(size_t)k * (size_t)c->M + (size_t)i] = (int)x;
		}
	}
out:
	free(v);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Aclose, a);
	return cx->status;
}

/* /points: the coalition of each point, and the games (points whose other
 * columns, 'id' aside, hold the same bytes). */
static int read_points(ctab *c, h5ctx *cx)
{
	hid_t d = -1, ft = -1, mt = -1, sub = -1;
	unsigned char *rows = NULL;
	double *cv = NULL;
	size_t P = c->P;
	if (H5Lexists(c->rf.file, "/points", H5P_DEFAULT) <= 0) {
		H5Eclear2(H5E_DEFAULT);
		FAIL(SMAB_EINVAL, "%s is not a smab result file (no /points)", c->path);
	}
	H5OK(d = H5Dopen2(c->rf.file, "/points", H5P_DEFAULT), "cannot open /points of %s",
	     c->path);
	H5OK(ft = H5Dget_type(d), "cannot get the type of /points");
	if (H5Tget_class(ft) != H5T_COMPOUND || H5Tget_member_index(ft, "coalition") < 0) {
		H5Eclear2(H5E_DEFAULT);
		c->notab = 1;
		FAIL(SMAB_EINVAL, "%s has one coalition only (no 'coalition' sweep axis): there is no game to table", c->path);
	}
	/* The key of a game: the row's bytes with 'id', 'coalition' and the
	 * 'label' that names it (format 3) zeroed.  Rows are fixed-size
	 * (h5out.c writes no variable-length strings). */
	size_t size = H5Tget_size(ft);
	int nm = H5Tget_nmembers(ft);
	H5OK(nm, "cannot list the columns of /points");
	rows = smab_xcalloc(P + 1, size);
	if (P > 0)
		H5OK(H5Dread(d, ft, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows),
		     "cannot read /points of %s", c->path);
	for (int i = 0; i < nm; i++) {
		char *n = H5Tget_member_name(ft, (unsigned)i);
		if (!n)
			FAIL(SMAB_EIO, "cannot read the column names of /points");
		int skip = strcmp(n, "id") == 0 || strcmp(n, "coalition") == 0 ||
		           (c->rf.format >= 3 && strcmp(n, "label") == 0);
		H5free_memory(n);
		H5OK(sub = H5Tget_member_type(ft, (unsigned)i), "cannot read the columns of /points");
		if (H5Tdetect_class(sub, H5T_VLEN) > 0 || H5Tis_variable_str(sub) > 0)
			FAIL(SMAB_EINVAL, "%s: /points has a variable-length column", c->path);
		size_t off = H5Tget_member_offset(ft, (unsigned)i), len = H5Tget_size(sub);
		CLOSE(H5Tclose, sub);
		if (skip)
			for (size_t p = 0; p < P; p++)
				memset(rows + p * size + off, 0, len);
	}
	/* The coalition column as a double, whatever its stored type. */
	H5OK(mt = H5Tcreate(H5T_COMPOUND, sizeof(double)), "cannot make a type");
	H5OK(H5Tinsert(mt, "coalition", 0, H5T_NATIVE_DOUBLE), "cannot make a type");
	cv = smab_xmalloc((P + 1) * sizeof *cv);
	if (P > 0)
		H5OK(H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, cv),
		     "cannot read the coalition column of /points in %s", c->path);
	c->pmask = smab_xmalloc((P + 1) * sizeof *c->pmask);
	c->game = smab_xmalloc((P + 1) * sizeof *c->game);
	c->gfirst = smab_xmalloc((P + 1) * sizeof *c->gfirst);
	double top = (double)((1u << c->M) - 1);
	for (size_t p = 0; p < P; p++) {
		if (!(cv[p] >= 1.0 && cv[p] <= top && cv[p] == floor(cv[p])))
			FAIL(SMAB_EINVAL, "%s: point %zu has coalition %g, not a non-empty set of "
			     "the %d agents (a mask in 1..%u)", c->path, p, cv[p], c->M,
			     (1u << c->M) - 1);
		c->pmask[p] = (uint32_t)cv[p];
		int g = 0;
		while (g < c->G && memcmp(rows + p * size,
		                          rows + (size_t)c->gfirst[g] * size, size) != 0)
			g++;
		if (g == c->G)
			c->gfirst[c->G++] = (int64_t)p;
		c->game[p] = g;
	}
out:
	CLOSE(H5Tclose, sub);
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Dclose, d);
	free(rows);
	free(cv);
	return cx->status;
}

/* The coalitions (those of game 0 in /points order, then any other game's
 * new ones), the point of each in each game, and the design. */
static int index_coalitions(ctab *c, h5ctx *cx)
{
	size_t N = (size_t)1 << c->M;
	c->cidx = smab_xmalloc(N * sizeof *c->cidx);
	for (size_t s = 0; s < N; s++)
		c->cidx[s] = -1;
	c->cmask = smab_xmalloc((c->P + 1) * sizeof *c->cmask);
	for (int g = 0; g < c->G; g++)
		for (size_t p = 0; p < c->P; p++)
			if (c->game[p] == g && c->cidx[c->pmask[p]] < 0) {
				c->cidx[c->pmask[p]] = c->NC;
				c->cmask[c->NC++] = c->pmask[p];
			}
	size_t GN = (size_t)c->G * (size_t)c->NC;
	c->cpt = smab_xmalloc((GN + 1) * sizeof *c->cpt);
	for (size_t i = 0; i < GN; i++)
		c->cpt[i] = -1;
	for (size_t p = 0; p < c->P; p++) {
		int64_t *slot = &c->cpt[(size_t)c->game[p] * (size_t)c->NC
		                        + (size_t)c->cidx[c->pmask[p]]];
		if (*slot >= 0)
			FAIL(SMAB_EINVAL, "%s: points %lld and %zu are the same coalition of the same "
			     "game", c->path, (long long)*slot, p);
		*slot = (int64_t)p;
	}
	c->grand = c->cidx[N - 1];

	int all = c->NC == (int)(N - 1), prefixes = c->perm != NULL;
	for (size_t i = 0; i < GN; i++)
		all = all && c->cpt[i] >= 0;
	/* The sampled design needs every prefix of every order in every game. */
	for (int k = 0; prefixes && k < c->nperm; k++) {
		uint32_t s = 0;
		for (int i = 0; prefixes && i < c->M; i++) {
			s |= 1u << c->perm[(size_t)k * (size_t)c->M + (size_t)i];
			for (int g = 0; prefixes && g < c->G; g++)
				prefixes = c->cidx[s] >= 0 &&
				           c->cpt[(size_t)g * (size_t)c->NC + (size_t)c->cidx[s]] >= 0;
		}
	}
	/* All coalitions beat a sample of them: the exact value is what the
	 * permutation estimate estimates. */
	c->design = all ? "exact" : prefixes ? "permutations" : "partial";
out:
	return cx->status;
}

/* Agent a's regrets, /results/<mech>/regret_a<a+1> for a < M, into
 * x[(a*P + p)*R + r], NaN where the task is not done.  Files written before
 * agents were numbered from 1 name them regret_a0 .. regret_a15 instead; a
 * regret_a0 is found only in those, so it tells the numbering apart. */
static int read_regrets(ctab *c, const char *mech, double *x, h5ctx *cx)
{
	hsize_t dims[2] = {c->rf.P, c->rf.R};
	size_t PR = c->P * c->R;
	char path[512];
	snprintf(path, sizeof path, "/results/%s/regret_a0", mech);
	int first = H5Lexists(c->rf.file, path, H5P_DEFAULT) > 0 ? 0 : 1;
	for (int k = 0; k < c->M; k++) {
		snprintf(path, sizeof path, "/results/%s/regret_a%d", mech, k + first);
		hid_t d = h5u_open_dset(c->rf.file, c->path, path, 2, dims,
		                        "points x replications", cx);
		if (d < 0)
			return cx->status;
		double *xk = x + (size_t)k * PR;
		if (PR > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, xk) < 0)
			h5u_fail_h5(cx, __FILE__, __LINE__, "cannot read %s of %s", path, c->path);
		H5Dclose(d);
		if (cx->status)
			return cx->status;
		for (size_t i = 0; i < PR; i++)
			if (!c->rf.done[i])
				xk[i] = NAN;
	}
	return SMAB_OK;
}

/* ---- computing --------------------------------------------------------- */

/* v(C) of point p in replication r: minus the members' regrets; NaN if one
 * is missing. */
static double value_of(const ctab *c, const double *x, int64_t p, size_t r, uint32_t mask)
{
	double v = 0.0;
	for (int a = 0; a < c->M; a++)
		if (mask & (1u << a))
			v -= x[((size_t)a * c->P + (size_t)p) * c->R + r];
	return v;
}

static double half_width(const smab_summary *s)
{
	return 0.5 * (s->ci_hi - s->ci_lo);
}


/* A permutation estimate averages over the same n sampled orders in every
 * replication, so the spread across replications misses the error of the
 * orders themselves.  Add it: with s_a the standard deviation of agent a's
 * marginal contributions over the n orders in the replication-mean game,
 * the half-width becomes sqrt(h_rep^2 + (t_{n-1} s_a / sqrt(n))^2), the
 * two errors being independent. */
static void widen_for_orders(const ctab *c, const double *vbar, smab_summary *sh)
{
	int M = c->M;
	double phi[SMAB_MAX_AGENTS], sd[SMAB_MAX_AGENTS];
	if (smab_shapley_perm(M, vbar, c->nperm, c->perm, phi, sd) != SMAB_OK)
		return;
	double t = smab_t_quantile(0.5 + LEVEL / 2, (double)(c->nperm - 1));
	for (int a = 0; a < M; a++) {
		if (!isfinite(sh[a].ci_hi) || !isfinite(sd[a]))
			continue;
		double hr = sh[a].ci_hi - sh[a].mean, hp = t * sd[a] / sqrt((double)c->nperm);
		double h = sqrt(hr * hr + hp * hp);
		sh[a].ci_lo = sh[a].mean - h;
		sh[a].ci_hi = sh[a].mean + h;
	}
}

static void compute_game(const ctab *c, const double *x, int g, mres *m)
{
	int M = c->M, NC = c->NC;
	size_t R = c->R, N = (size_t)1 << M, Mz = (size_t)M;
	const int64_t *pt = c->cpt + (size_t)g * (size_t)NC;
	double *buf = smab_xmalloc((R + 1) * sizeof *buf);
	double *vr = smab_xmalloc(N * sizeof *vr);
	double *phir = smab_xmalloc((R * Mz + 1) * sizeof *phir);
	double *payr = smab_xmalloc((R * Mz + 1) * sizeof *payr);
	double *vbar = smab_xmalloc(N * sizeof *vbar);
	double *rbar = smab_xmalloc(N * Mz * sizeof *rbar);

	/* Regrets and values per coalition. */
	for (size_t i = 0; i < N * Mz; i++)
		rbar[i] = NAN;
	for (size_t s = 0; s < N; s++)
		vbar[s] = NAN;
	vbar[0] = 0.0;
	for (int ci = 0; ci < NC; ci++) {
		uint32_t mask = c->cmask[ci];
		int64_t p = pt[ci];
		smab_summary *rs = m->reg + ((size_t)g * (size_t)NC + (size_t)ci) * Mz;
		for (int a = 0; a < M; a++) {
			rs[a] = no_summary;
			if (p >= 0 && (mask & (1u << a))) {
				smab_summarize(x + ((size_t)a * c->P + (size_t)p) * R, (int64_t)R, 1,
				               LEVEL, &rs[a]);
				rbar[(size_t)mask * Mz + (size_t)a] = rs[a].mean;
			}
		}
		smab_summary *vs = m->val + (size_t)g * (size_t)NC + (size_t)ci;
		*vs = no_summary;
		if (p >= 0) {
			for (size_t r = 0; r < R; r++)
				buf[r] = value_of(c, x, p, r, mask);
			smab_summarize(buf, (int64_t)R, 1, LEVEL, vs);
			vbar[mask] = vs->mean;
		}
	}

	/* Shapley value per replication: a replication missing a coalition the
	 * estimate reads makes the call fail (NaN in v) and is left out. */
	for (size_t i = 0; i < R * Mz; i++)
		phir[i] = payr[i] = NAN;
	if (m->shap) {
		for (size_t r = 0; r < R; r++) {
			for (size_t s = 1; s < N; s++)
				vr[s] = NAN;
			vr[0] = 0.0;
			for (int ci = 0; ci < NC; ci++)
				if (pt[ci] >= 0)
					vr[c->cmask[ci]] = value_of(c, x, pt[ci], r, c->cmask[ci]);
			double *phi = phir + r * Mz;
			int rc = strcmp(c->design, "exact") == 0
			         ? smab_shapley_exact(M, vr, phi)
			         : smab_shapley_perm(M, vr, c->nperm, c->perm, phi, NULL);
			if (rc != SMAB_OK)
				for (int a = 0; a < M; a++)
					phi[a] = NAN;
		}
		for (int a = 0; a < M; a++)
			smab_summarize(phir + a, (int64_t)R, M, LEVEL, &m->shap[(size_t)g * Mz + (size_t)a]);
		if (strcmp(c->design, "exact") != 0 && c->nperm >= 2)
			widen_for_orders(c, vbar, m->shap + (size_t)g * Mz);
	}
	int64_t pg = c->grand >= 0 ? pt[c->grand] : -1;
	if (m->pay) {
		for (size_t r = 0; r < R; r++)
			for (int a = 0; a < M; a++)
				payr[r * Mz + (size_t)a] = pg >= 0
					? -x[((size_t)a * c->P + (size_t)pg) * R + r] : NAN;
		for (int a = 0; a < M; a++)
			smab_summarize(payr + a, (int64_t)R, M, LEVEL, &m->pay[(size_t)g * Mz + (size_t)a]);
	}
	if (m->diff) {
		for (size_t i = 0; i < R * Mz; i++)
			payr[i] -= phir[i];
		for (int a = 0; a < M; a++)
			smab_summarize(payr + a, (int64_t)R, M, LEVEL, &m->diff[(size_t)g * Mz + (size_t)a]);
	}

	/* Core and convexity of the mean game, with a tolerance for the
	 * rounding of sums of regrets. */
	checks_row *ck = &m->chk[g];
	*ck = (checks_row){.in_core = -1, .core_excess = NAN, .convex = -1,
	                   .payout_in_core = -1};
	if (strcmp(c->design, "exact") == 0) {
		double scale = 1.0, phib[SMAB_MAX_AGENTS], payb[SMAB_MAX_AGENTS];
		for (size_t s = 1; s < N; s++)
			scale = fmax(scale, fabs(vbar[s]));
		double tol = 1e-9 * scale;
		for (size_t s = 1; s < N && !ck->nan_mask; s++)
			if (isnan(vbar[s]))
				ck->nan_mask = (uint32_t)s;
		if (smab_shapley_exact(M, vbar, phib) == SMAB_OK) {
			ck->in_core = smab_core_check(M, vbar, phib, tol, &ck->core_worst_mask,
			                              &ck->core_excess);
			ck->convex_violations = smab_convex_check(M, vbar, tol, &ck->convex_checked,
			                                          NULL);
			ck->convex = ck->convex_violations == 0;
			if (pg >= 0) {
				for (int a = 0; a < M; a++)
					payb[a] = -rbar[(N - 1) * Mz + (size_t)a];
				int in = smab_core_check(M, vbar, payb, tol, NULL, NULL);
				ck->payout_in_core = in < 0 ? -1 : in;
			}
		}
	}

	/* Assumption 3 on the mean regrets, each violation with its paired
	 * difference (the coalitions share the environment draws).  An exact
	 * design compares Q with Q minus one agent, the paper's count; any
	 * other design every sub-coalition that ran, since singletons and the
	 * grand coalition alone hold no such neighbours. */
	int rule = strcmp(c->design, "exact") == 0 ? SMAB_A3_ADJACENT : SMAB_A3_SUBSETS;
	ck->a3_rule = rule;
	int64_t nv = smab_a3_scan(M, rbar, rule, 0.0, NULL, 0, &ck->a3_checked);
	ck->a3_violations = nv > 0 ? nv : 0;
	if (nv > 0) {
		smab_a3_pair *v = smab_xmalloc((size_t)nv * sizeof *v);
		smab_a3_scan(M, rbar, rule, 0.0, v, nv, NULL);
		m->a3 = smab_xrealloc(m->a3, (size_t)(m->na3 + nv) * sizeof *m->a3);
		for (int64_t i = 0; i < nv; i++) {
			int a = v[i].agent;
			int cq = c->cidx[v[i].q], cs = c->cidx[v[i].s];
			int64_t pq = pt[cq], ps = pt[cs];
			const double *xq = x + ((size_t)a * c->P + (size_t)pq) * R;
			const double *xs = x + ((size_t)a * c->P + (size_t)ps) * R;
			for (size_t r = 0; r < R; r++)
				buf[r] = xq[r] - xs[r];
			smab_summary d;
			smab_summarize(buf, (int64_t)R, 1, LEVEL, &d);
			const smab_summary *sq = m->reg + ((size_t)g * (size_t)NC + (size_t)cq) * Mz;
			const smab_summary *ss = m->reg + ((size_t)g * (size_t)NC + (size_t)cs) * Mz;
			m->a3[m->na3++] = (a3_row){
				.game = g, .agent = a + 1, .q = v[i].q, .s = v[i].s,
				.rq_mean = v[i].rq, .rq_half = half_width(&sq[a]),
				.rs_mean = v[i].rs, .rs_half = half_width(&ss[a]),
				.ratio = v[i].rq / v[i].rs,
				.diff_mean = d.mean, .diff_lo = d.ci_lo, .diff_hi = d.ci_hi};
			ck->a3_significant += d.ci_lo > 0.0;
		}
		free(v);
	}
	free(buf);
	free(vr);
	free(phir);
	free(payr);
	free(vbar);
	free(rbar);
}

static void compute(const ctab *c, const double *x, mres *m)
{
	size_t G = (size_t)c->G, NC = (size_t)c->NC, M = (size_t)c->M;
	memset(m, 0, sizeof *m);
	m->reg = smab_xmalloc((G * NC * M + 1) * sizeof *m->reg);
	m->val = smab_xmalloc((G * NC + 1) * sizeof *m->val);
	if (strcmp(c->design, "partial") != 0)
		m->shap = smab_xmalloc((G * M + 1) * sizeof *m->shap);
	if (c->grand >= 0)
		m->pay = smab_xmalloc((G * M + 1) * sizeof *m->pay);
	if (m->shap && m->pay)
		m->diff = smab_xmalloc((G * M + 1) * sizeof *m->diff);
	m->chk = smab_xcalloc(G + 1, sizeof *m->chk);
	for (int g = 0; g < c->G; g++)
		compute_game(c, x, g, m);
}

/* ---- writing ----------------------------------------------------------- */

/* A compound type from fields: packed little-endian for the file (file =
 * 1), at the struct's offsets in memory (file = 0). */
typedef struct field {
	const char *name;
	size_t off;
	hid_t mem, file;
} field;

static hid_t compound(const field *f, int n, size_t memsize, int file)
{
	size_t size = 0;
	for (int i = 0; i < n; i++)
		size += H5Tget_size(f[i].file);
	hid_t t = H5Tcreate(H5T_COMPOUND, file ? size : memsize);
	if (t < 0)
		return -1;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		if (H5Tinsert(t, f[i].name, file ? off : f[i].off, file ? f[i].file : f[i].mem) < 0) {
			H5Tclose(t);
			return -1;
		}
		off += H5Tget_size(f[i].file);
	}
	return t;
}

static hid_t checks_type(int file)
{
	field f[] = {
		{"in_core", HOFFSET(checks_row, in_core), H5T_NATIVE_INT, H5T_STD_I32LE},
		{"core_worst_mask", HOFFSET(checks_row, core_worst_mask), H5T_NATIVE_UINT32,
		 H5T_STD_U32LE},
		{"core_excess", HOFFSET(checks_row, core_excess), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE},
		{"convex", HOFFSET(checks_row, convex), H5T_NATIVE_INT, H5T_STD_I32LE},
		{"convex_violations", HOFFSET(checks_row, convex_violations), H5T_NATIVE_INT64,
		 H5T_STD_I64LE},
		{"convex_checked", HOFFSET(checks_row, convex_checked), H5T_NATIVE_INT64,
		 H5T_STD_I64LE},
		{"a3_violations", HOFFSET(checks_row, a3_violations), H5T_NATIVE_INT64,
		 H5T_STD_I64LE},
		{"a3_checked", HOFFSET(checks_row, a3_checked), H5T_NATIVE_INT64, H5T_STD_I64LE},
		{"a3_significant", HOFFSET(checks_row, a3_significant), H5T_NATIVE_INT64,
		 H5T_STD_I64LE},
		{"payout_in_core", HOFFSET(checks_row, payout_in_core), H5T_NATIVE_INT,
		 H5T_STD_I32LE},
		{"a3_rule", HOFFSET(checks_row, a3_rule), H5T_NATIVE_INT, H5T_STD_I32LE},
	};
	return compound(f, (int)(sizeof f / sizeof f[0]), sizeof(checks_row), file);
}

static hid_t a3_type(int file)
{
	hid_t d = H5T_NATIVE_DOUBLE, fd = H5T_IEEE_F64LE;
	field f[] = {
		{"game", HOFFSET(a3_row, game), H5T_NATIVE_INT64, H5T_STD_I64LE},
		{"agent", HOFFSET(a3_row, agent), H5T_NATIVE_INT, H5T_STD_I32LE},
		{"q", HOFFSET(a3_row, q), H5T_NATIVE_UINT32, H5T_STD_U32LE},
		{"s", HOFFSET(a3_row, s), H5T_NATIVE_UINT32, H5T_STD_U32LE},
		{"rq_mean", HOFFSET(a3_row, rq_mean), d, fd},
		{"rq_half", HOFFSET(a3_row, rq_half), d, fd},
		{"rs_mean", HOFFSET(a3_row, rs_mean), d, fd},
		{"rs_half", HOFFSET(a3_row, rs_half), d, fd},
		{"ratio", HOFFSET(a3_row, ratio), d, fd},
		{"diff_mean", HOFFSET(a3_row, diff_mean), d, fd},
		{"diff_lo", HOFFSET(a3_row, diff_lo), d, fd},
		{"diff_hi", HOFFSET(a3_row, diff_hi), d, fd},
	};
	return compound(f, (int)(sizeof f / sizeof f[0]), sizeof(a3_row), file);
}

/* Sleep for c->delay seconds (a test hook, SMAB_TEST_COALTAB_DELAY), so
 * that a test's kill can land at any step. */
static void test_pause(const ctab *c)
{
	if (c->delay <= 0)
		return;
	struct timespec ts = {(time_t)c->delay,
	                      (long)((c->delay - floor(c->delay)) * 1e9)};
	nanosleep(&ts, NULL);
}

/* Dataset 'name' (a path relative to loc) written whole, with its one-line
 * 'description'. */
static int put_dset(const ctab *c, hid_t loc, const char *name, hid_t ft, hid_t mt,
                    int rank, const hsize_t *dims, const void *buf, const char *desc,
                    h5ctx *cx)
{
	hid_t d = h5u_make_dset(loc, name, ft, rank, dims, mt, NULL, cx);
	if (d < 0)
		return cx->status;
	hsize_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= dims[i];
	if (n > 0)
		H5OK(H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), "cannot write %s", name);
	h5u_put_str(d, "description", desc, cx);
out:
	CLOSE(H5Dclose, d);
	test_pause(c);
	return cx->status;
}

/* The tables' attributes, masks and games into group g. */
static int write_head(const ctab *c, hid_t g, h5ctx *cx)
{
	if (h5u_put_str(g, "agents", c->agents, cx) || h5u_put_str(g, "design", c->design, cx))
		return cx->status;
	hsize_t nc = (hsize_t)c->NC, np = (hsize_t)c->P;
	if (put_dset(c, g, "masks", H5T_STD_U32LE, H5T_NATIVE_UINT32, 1, &nc, c->cmask,
	             "the coalitions run, as bit masks of the agents (bit k-1: agent k)", cx))
		return cx->status;
	return put_dset(c, g, "game", H5T_STD_I64LE, H5T_NATIVE_INT64, 1, &np, c->game,
	                "game of each point: the points equal but for 'coalition'", cx);
}

/* One mechanism's tables into the group 'mech' of g. */
static int write_mech(const ctab *c, hid_t g, const char *mech, const mres *m, h5ctx *cx)
{
	hid_t mg = -1, st = -1, sm = -1, ct = -1, cm = -1, at = -1, am = -1;
	char path[640];
	H5OK(mg = H5Gcreate2(g, mech, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
	     "cannot create the group %s", mech);
	H5OK(st = h5u_summary_type(1), "cannot make the summary type");
	H5OK(sm = h5u_summary_type(0), "cannot make the summary type");
	H5OK(ct = checks_type(1), "cannot make the checks type");
	H5OK(cm = checks_type(0), "cannot make the checks type");
	H5OK(at = a3_type(1), "cannot make the assumption3 type");
	H5OK(am = a3_type(0), "cannot make the assumption3 type");
	hsize_t G = (hsize_t)c->G, NC = (hsize_t)c->NC, M = (hsize_t)c->M;
	hsize_t d3[3] = {G, NC, M}, d2[2] = {G, NC}, dm[2] = {G, M}, dk = (hsize_t)m->na3;
	struct {
		const char *name;
		int rank;
		const hsize_t *dims;
		hid_t ft, mt;
		const void *buf;
		const char *desc;
	} ds[] = {
		{"regret", 3, d3, st, sm, m->reg, "each agent's regret in each coalition [game, "
		 "coalition, agent] (NaN outside it), over replications: n, mean, sd, 95% CI"},
		{"value", 2, d2, st, sm, m->val, "coalition value v(C) = -(sum of its members' "
		 "regrets) [game, coalition], over replications"},
		{"shapley", 2, dm, st, sm, m->shap, "each agent's Shapley value [game, agent], "
		 "computed per replication, over replications"},
		{"payout", 2, dm, st, sm, m->pay, "each agent's payout -R_a in the grand coalition "
		 "[game, agent], over replications"},
		{"checks", 1, &G, ct, cm, m->chk, "per game: core membership, convexity and "
		 "Assumption-3 counts (-1: not checked); a3_rule says which (q, s) pairs were "
		 "compared: 0, s = q minus one other agent (an exact design; the paper's count), "
		 "1, every sub-coalition s of q holding the agent that ran (any other design)"},
		{"assumption3", 1, &dk, at, am, m->a3, "every Assumption-3 violation: agent a (from 1) "
		 "in coalitions q and its sub-coalition s with R_a^q > R_a^s, s as the checks' "
		 "a3_rule says (q minus one agent, or any sub-coalition that ran)"},
	};
	for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
		if (!ds[i].buf && strcmp(ds[i].name, "assumption3") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", mech, ds[i].name);
		if (put_dset(c, g, path, ds[i].ft, ds[i].mt, ds[i].rank, ds[i].dims, ds[i].buf,
		             ds[i].desc, cx))
			goto out;
	}
out:
	CLOSE(H5Gclose, mg);
	CLOSE(H5Tclose, st);
	CLOSE(H5Tclose, sm);
	CLOSE(H5Tclose, ct);
	CLOSE(H5Tclose, cm);
	CLOSE(H5Tclose, at);
	CLOSE(H5Tclose, am);
	return cx->status;
}

/* Every table into the file, so that a process killed at any moment
 * leaves either the old /coalition or the complete new one.  HDF5 1.10
 * has no transactions, but it puts new objects at the end of the file
 * (its free-space map is not kept across opens), and metadata reach the
 * disk only when flushed.  So the tables go into a group no name points to
 * yet (a kill before the swap leaves unreachable bytes, never a half-
 * written /coalition), they are flushed, and only then does one link
 * change -- the old /coalition out, the new group in -- flushed on close. */
static int write_tables(const ctab *c, const mres *m, h5ctx *cx)
{
	hid_t fapl = -1, f = -1, g = -1;
	/* After a failed write (a full disk) HDF5 may fail to close the new
	 * group; a strong close then fails the file's close too, which tells
	 * h5u_close_file not to let the library shut down over a half-closed
	 * file (h5out.h, smab_h5_lib_close). */
	H5OK(fapl = h5u_fapl_serial(), "cannot make file access properties");
	H5OK(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), "cannot make file access properties");
	H5OK(f = H5Fopen(c->path, H5F_ACC_RDWR, fapl), "cannot open %s for writing", c->path);
	H5OK(g = H5Gcreate_anon(f, H5P_DEFAULT, H5P_DEFAULT), "cannot create a group");
	if (write_head(c, g, cx))
		goto out;
	for (int k = 0; k < c->rf.nmech; k++)
		if (write_mech(c, g, c->rf.mech[k], &m[k], cx))
			goto out;
	H5OK(H5Fflush(f, H5F_SCOPE_LOCAL), "cannot flush the new tables");
	test_pause(c);
	htri_t ex = H5Lexists(f, "/coalition", H5P_DEFAULT);
	H5OK(ex, "cannot look for the old /coalition");
	if (ex > 0)
		H5OK(H5Ldelete(f, "/coalition", H5P_DEFAULT), "cannot unlink the old /coalition");
	H5OK(H5Olink(g, f, "/coalition", H5P_DEFAULT, H5P_DEFAULT),
	     "cannot link the new tables as /coalition");
	test_pause(c);
out:
	/* After a failure the new group, linked nowhere, goes with its id. */
	CLOSE(H5Gclose, g);
	CLOSE(H5Pclose, fapl);
	h5u_close_file(&f, c->path, cx);
	return cx->status;
}

/* ---- printing ---------------------------------------------------------- */

/* A table of text cells, printed with aligned columns. */
typedef struct tab {
	int ncol;
	size_t n, cap;
	char **cell;
} tab;

static void tab_add(tab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tab_add(tab *t, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->cell = smab_xrealloc(t->cell, t->cap * sizeof *t->cell);
	}
	t->cell[t->n++] = smab_xstrdup(buf);
}

static void tab_print(tab *t, FILE *out)
{
	size_t nc = (size_t)t->ncol, w[16] = {0};
	for (size_t i = 0; i < t->n; i++) {
		size_t l = h5u_text_width(t->cell[i]);
		if (l > w[i % nc])
			w[i % nc] = l;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t c = i % nc;
		if (c == 0)
			fputs("  ", out);
		fputs(t->cell[i], out);
		/* No padding before empty cells that end the row. */
		size_t rest = i + 1;
		while (rest % nc != 0 && rest < t->n && !t->cell[rest][0])
			rest++;
		if (rest % nc == 0 || rest == t->n) {
			fputc('\n', out);
			i = rest - 1;
		} else
			for (size_t k = h5u_text_width(t->cell[i]); k < w[c] + 2; k++)
				fputc(' ', out);
	}
	for (size_t i = 0; i < t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof *t);
}

/* A coalition as the paper writes it, its agents from 1: "(1, 2, 4)". */
static void coal_str(uint32_t mask, int M, char *buf, size_t len)
{
	size_t k = 0;
	k += (size_t)snprintf(buf, len, "(");
	int first = 1;
	for (int a = 0; a < M && k < len; a++)
		if (mask & (1u << a)) {
			k += (size_t)snprintf(buf + k, len - k, "%s%d", first ? "" : ", ", a + 1);
			first = 0;
		}
	if (k < len)
		snprintf(buf + k, len - k, ")");
}

static void ci_str(const smab_summary *s, char *buf, size_t len)
{
	if (s->n == 0)
		snprintf(buf, len, "-");
	else
		smab_ci_format(s->mean, half_width(s), buf, len);
}

/* The swept values of game g (its first point's label without the
 * coalition), or "" for a file of one game with no other parameter. */
static void game_label(const ctab *c, int g, char *buf, size_t len)
{
	size_t k = 0, p = (size_t)c->gfirst[g];
	buf[0] = '\0';
	for (int j = 0; c->have_pt && j < c->pt.ncol && k < len; j++) {
		if (strcmp(c->pt.name[j], "coalition") == 0)
			continue;
		k += (size_t)snprintf(buf + k, len - k, "%s%s=%s", k ? ", " : "", c->pt.name[j],
		                      c->pt.cell[p * (size_t)c->pt.ncol + (size_t)j]);
	}
}

static void print_game(const ctab *c, const char *mech, const mres *m, int g,
                       const smab_coaltab_opts *o)
{
	FILE *out = o->out;
	int M = c->M, NC = c->NC;
	size_t Mz = (size_t)M;
	char lab[1024], b1[96], b2[96], b3[96], q[128], s[128];
	game_label(c, g, lab, sizeof lab);
	fprintf(out, "%s, game %d of %d%s%s%s: %d agents, %d coalitions, design %s\n", mech, g,
	        c->G, lab[0] ? " (" : "", lab, lab[0] ? ")" : "", M, NC, c->design);
	fputs("  agents:", out);
	for (int a = 0; a < M; a++)
		fprintf(out, " %d=%s", a + 1, c->agent[a]);
	fputc('\n', out);

	tab t = {.ncol = 4};
	tab_add(&t, "agent");
	tab_add(&t, "payout -R_a^M");
	tab_add(&t, "%s", c->perm && strcmp(c->design, "permutations") == 0
	        ? "Shapley (permutations)" : "Shapley");
	tab_add(&t, "payout - Shapley");
	for (int a = 0; a < M; a++) {
		size_t i = (size_t)g * Mz + (size_t)a;
		if (m->pay)
			ci_str(&m->pay[i], b1, sizeof b1);
		else
			snprintf(b1, sizeof b1, "- (no grand coalition)");
		if (m->shap)
			ci_str(&m->shap[i], b2, sizeof b2);
		else
			snprintf(b2, sizeof b2, "- (%s design)", c->design);
		if (m->diff)
			ci_str(&m->diff[i], b3, sizeof b3);
		else
			snprintf(b3, sizeof b3, "-");
		tab_add(&t, "%d %s", a + 1, c->agent[a]);
		tab_add(&t, "%s", b1);
		tab_add(&t, "%s", b2);
		tab_add(&t, "%s", b3);
	}
	tab_print(&t, out);
	if (m->shap)
		fprintf(out, "  (mean \u00b1 95%% CI half-width over replications; Shapley over "
		        "the %lld replications done for every coalition it reads)\n",
		        (long long)m->shap[(size_t)g * Mz].n);

	const checks_row *ck = &m->chk[g];
	/* why the core and convexity were not checked, in the file's terms */
	char why[256];
	if (strcmp(c->design, "exact") != 0) {
		snprintf(why, sizeof why, "not checked (%snot every coalition ran)",
		         strcmp(c->design, "permutations") == 0
		         ? "the design samples agent orders: " : "");
	} else if (ck->nan_mask) {
		coal_str(ck->nan_mask, M, q, sizeof q);
		snprintf(why, sizeof why, "not checked (coalition %s has no value: its mean "
		         "regret is NaN)", q);
	} else {
		snprintf(why, sizeof why, "not checked");
	}
	fputs("  core: ", out);
	if (ck->in_core < 0)
		fputs(why, out);
	else {
		coal_str(ck->core_worst_mask, M, q, sizeof q);
		fprintf(out, "%s (worst coalition %s, excess %.6g)", ck->in_core ? "yes" : "no", q,
		        ck->core_excess);
	}
	fputs("; convex: ", out);
	if (ck->convex < 0)
		fputs(why, out);
	else
		fprintf(out, "%s (%lld of %lld triples violated)", ck->convex ? "yes" : "no",
		        (long long)ck->convex_violations, (long long)ck->convex_checked);
	fprintf(out, "; Assumption 3 (%s): %lld of %lld pairs violated (%lld significant)\n",
	        ck->a3_rule == SMAB_A3_ADJACENT
	        ? "S = Q minus one other agent, the paper's count"
	        : "every sub-coalition S of Q that ran",
	        (long long)ck->a3_violations, (long long)ck->a3_checked,
	        (long long)ck->a3_significant);
	if (ck->payout_in_core >= 0)
		fprintf(out, "  payout in the core: %s\n", ck->payout_in_core ? "yes" : "no");

	if (ck->a3_violations > 0) {
		fputs("  Assumption 3 violations (* paired 95% CI of R_a^Q - R_a^S above 0):\n", out);
		t = (tab){.ncol = 7};
		static const char *head[] = {"Coalition Q", "agent", "R_a^Q", "sub-coalition S",
		                             "R_a^S", "ratio", "R_a^Q - R_a^S"};
		for (int i = 0; i < 7; i++)
			tab_add(&t, "%s", head[i]);
		int64_t shown = 0;
		for (int64_t i = 0; i < m->na3 && shown < A3_PRINT_MAX; i++) {
			const a3_row *r = &m->a3[i];
			if (r->game != g)
				continue;
			coal_str(r->q, M, q, sizeof q);
			coal_str(r->s, M, s, sizeof s);
			smab_ci_format(r->rq_mean, r->rq_half, b1, sizeof b1);
			smab_ci_format(r->rs_mean, r->rs_half, b2, sizeof b2);
			smab_ci_format(r->diff_mean, 0.5 * (r->diff_hi - r->diff_lo), b3, sizeof b3);
			tab_add(&t, "%s", q);
			tab_add(&t, "%d", r->agent);
			tab_add(&t, "%s", b1);
			tab_add(&t, "%s", s);
			tab_add(&t, "%s", b2);
			tab_add(&t, "%.4g", r->ratio);
			tab_add(&t, "%s%s", b3, r->diff_lo > 0.0 ? " *" : "");
			shown++;
		}
		tab_print(&t, out);
		if (ck->a3_violations > shown)
			fprintf(out, "  ... %lld more\n", (long long)(ck->a3_violations - shown));
	}

	if (o->all) {
		fputs("  regret per coalition and agent:\n", out);
		t = (tab){.ncol = 4};
		tab_add(&t, "Coalition");
		tab_add(&t, "agent");
		tab_add(&t, "R_a^C");
		tab_add(&t, "v(C)");
		for (int ci = 0; ci < NC; ci++) {
			size_t k = (size_t)g * (size_t)NC + (size_t)ci;
			coal_str(c->cmask[ci], M, q, sizeof q);
			ci_str(&m->val[k], b2, sizeof b2);
			int first = 1;
			for (int a = 0; a < M; a++) {
				if (!(c->cmask[ci] & (1u << a)))
					continue;
				ci_str(&m->reg[k * Mz + (size_t)a], b1, sizeof b1);
				tab_add(&t, "%s", first ? q : "");
				tab_add(&t, "%d", a + 1);
				tab_add(&t, "%s", b1);
				tab_add(&t, "%s", first ? b2 : "");
				first = 0;
			}
		}
		tab_print(&t, out);
	}
	fputc('\n', out);
}

/* One CSV row: mechanism,game,quantity,coalition,agent,agent_name,
 * sub_coalition,n,mean,sd,ci_lo,ci_hi (s NULL: a bare value in 'mean');
 * 'agent' counts from 0 here and is written from 1. */
static void csv_row(const ctab *c, FILE *out, const char *mech, int g, const char *qty,
                    int64_t mask, int agent, int64_t sub, const smab_summary *s, double value)
{
	char buf[128];
	h5u_csv_field(out, mech);
	fprintf(out, ",%d,%s,", g, qty);
	if (mask >= 0) {
		coal_str((uint32_t)mask, c->M, buf, sizeof buf);
		h5u_csv_field(out, buf);
	}
	fputc(',', out);
	if (agent >= 0) {
		fprintf(out, "%d,", agent + 1);
		h5u_csv_field(out, c->agent[agent]);
	} else
		fputc(',', out);
	fputc(',', out);
	if (sub >= 0) {
		coal_str((uint32_t)sub, c->M, buf, sizeof buf);
		h5u_csv_field(out, buf);
	}
	char v[5][32];
	if (s) {
		smab_real_str(s->mean, v[0], sizeof v[0]);
		smab_real_str(s->sd, v[1], sizeof v[1]);
		smab_real_str(s->ci_lo, v[2], sizeof v[2]);
		smab_real_str(s->ci_hi, v[3], sizeof v[3]);
		fprintf(out, ",%lld,%s,%s,%s,%s\n", (long long)s->n, v[0], v[1], v[2], v[3]);
	} else {
		smab_real_str(value, v[4], sizeof v[4]);
		fprintf(out, ",,%s,,,\n", v[4]);
	}
}

static void print_csv(const ctab *c, const char *mech, const mres *m, int g,
                      const smab_coaltab_opts *o)
{
	FILE *out = o->out;
	int M = c->M, NC = c->NC;
	size_t Mz = (size_t)M;
	int64_t grand = (int64_t)((1u << M) - 1);
	for (int a = 0; a < M; a++) {
		size_t i = (size_t)g * Mz + (size_t)a;
		if (m->pay)
			csv_row(c, out, mech, g, "payout", grand, a, -1, &m->pay[i], 0);
		if (m->shap)
			csv_row(c, out, mech, g, "shapley", -1, a, -1, &m->shap[i], 0);
		if (m->diff)
			csv_row(c, out, mech, g, "payout_minus_shapley", -1, a, -1, &m->diff[i], 0);
	}
	const checks_row *ck = &m->chk[g];
	struct {
		const char *name;
		double v;
	} sc[] = {
		{"in_core", ck->in_core}, {"core_excess", ck->core_excess},
		{"convex", ck->convex}, {"convex_violations", (double)ck->convex_violations},
		{"convex_checked", (double)ck->convex_checked},
		{"a3_violations", (double)ck->a3_violations},
		{"a3_checked", (double)ck->a3_checked},
		{"a3_significant", (double)ck->a3_significant},
		{"payout_in_core", ck->payout_in_core},
		{"a3_rule", ck->a3_rule},
	};
	for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++)
		csv_row(c, out, mech, g, sc[i].name,
		        i == 1 && ck->in_core >= 0 ? (int64_t)ck->core_worst_mask : -1, -1, -1,
		        NULL, sc[i].v);
	for (int64_t i = 0; i < m->na3; i++) {
		const a3_row *r = &m->a3[i];
		if (r->game != g)
			continue;
		int cq = c->cidx[r->q], cs = c->cidx[r->s];
		const smab_summary *rq = &m->reg[((size_t)g * (size_t)NC + (size_t)cq) * Mz];
		const smab_summary *rs = &m->reg[((size_t)g * (size_t)NC + (size_t)cs) * Mz];
		smab_summary d = {0, r->diff_mean, NAN, r->diff_lo, r->diff_hi};
		int a = r->agent - 1;
		d.n = rq[a].n < rs[a].n ? rq[a].n : rs[a].n;
		csv_row(c, out, mech, g, "a3_rq", r->q, a, r->s, &rq[a], 0);
		csv_row(c, out, mech, g, "a3_rs", r->q, a, r->s, &rs[a], 0);
		csv_row(c, out, mech, g, "a3_diff", r->q, a, r->s, &d, 0);
		csv_row(c, out, mech, g, "a3_ratio", r->q, a, r->s, NULL, r->ratio);
	}
	if (o->all)
		for (int ci = 0; ci < NC; ci++) {
			size_t k = (size_t)g * (size_t)NC + (size_t)ci;
			uint32_t mask = c->cmask[ci];
			csv_row(c, out, mech, g, "value", mask, -1, -1, &m->val[k], 0);
			for (int a = 0; a < M; a++)
				if (mask & (1u << a))
					csv_row(c, out, mech, g, "regret", mask, a, -1, &m->reg[k * Mz + (size_t)a],
					        0);
		}
}

/* ---- the entry point --------------------------------------------------- */

static int open_tab(ctab *c, const char *path, h5ctx *cx)
{
	char *suite = NULL;
	/* Tables of damaged results would be wrong: refuse them, as summary
	 * and merge do. */
	if (h5u_rfile_open(&c->rf, path, 0, cx) || h5u_intact(&c->rf, cx))
		return cx->status;
	c->P = (size_t)c->rf.P;
	c->R = (size_t)c->rf.R;
	if (h5u_get_str(c->rf.file, path, "suite", &suite, cx) ||
	    h5u_get_str(c->rf.file, path, "agents", &c->agents, cx))
		goto out;
	if (!c->agents) {
		c->notab = 1;
		h5u_fail_user(cx, SMAB_EINVAL, "%s is not a coalition result file (suite %s)", path,
		              suite ? suite : "unknown");
		goto out;
	}
	c->agent = h5u_split_list(c->agents, &c->M);
	if (c->M < 1 || c->M > SMAB_MAX_AGENTS) {
		h5u_fail_user(cx, SMAB_EINVAL, "%s: %d agents in attribute 'agents' (1 to %d "
		              "supported)", path, c->M, SMAB_MAX_AGENTS);
		goto out;
	}
	if (read_perms(c, cx) || read_points(c, cx) || index_coalitions(c, cx))
		goto out;
	if (h5u_read_points(&c->rf, &c->pt, cx) == SMAB_OK)
		c->have_pt = 1;
	else
		h5u_ptab_free(&c->pt, c->P);
out:
	free(suite);
	return cx->status;
}

/* The signals that end a command: SLURM's time limit and scancel, Ctrl-C,
 * a closed terminal. */
static const int held_sig[3] = {SIGHUP, SIGINT, SIGTERM};
static volatile sig_atomic_t held_caught;

static void hold_handler(int sig)
{
	if (!held_caught)
		held_caught = sig;
}

typedef struct held {
	sigset_t mask;              /* this thread's mask before */
	struct sigaction act[3];    /* the handlers before */
} held;

/* Hold the signals back while the file is written and closed: blocked in
 * this thread, and caught and remembered in any other (the kernel hands a
 * signal sent to the process to any thread not blocking it, and OpenBLAS
 * starts its workers before main). */
static void hold_signals(held *h)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = hold_handler;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	held_caught = 0;
	sigset_t s;
	sigemptyset(&s);
	for (int i = 0; i < 3; i++) {
		sigaction(held_sig[i], &sa, &h->act[i]);
		sigaddset(&s, held_sig[i]);
	}
	sigprocmask(SIG_BLOCK, &s, &h->mask);
}

/* Let them go: the handlers of before back, a signal another thread caught
 * raised again, and whatever waits for this thread delivered -- each acts
 * now as it would have then (ends the command, or sets 'run''s stop flag). */
static void release_signals(held *h)
{
	for (int i = 0; i < 3; i++)
		sigaction(held_sig[i], &h->act[i], NULL);
	int sig = held_caught;
	held_caught = 0;
	if (sig)
		raise(sig);
	sigprocmask(SIG_SETMASK, &h->mask, NULL);
}

/* The file exists and is a regular file this process can read; anything
 * wrong with its content is found by reading it. */
static int check_input(const char *path, h5ctx *cx)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			h5u_fail_user(cx, SMAB_EINVAL, "%s: no such file", path);
		else
			h5u_fail_user(cx, SMAB_EIO, "cannot read %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode))
		h5u_fail_user(cx, SMAB_EINVAL, "%s is not a regular file, so not a smab result file",
		              path);
	else if (access(path, R_OK) != 0)
		h5u_fail_user(cx, SMAB_EIO, "cannot read %s: %s", path, strerror(errno));
	return cx->status;
}

/* The message in err on one line, without the details HDF5 puts in the
 * reason of a failed read or write ("time = ..., filename = ..., errno =
 * 28, error message = 'No space left on device', buf = ...": only the
 * error message is kept). */
static void one_line(char *err)
{
	if (!err)
		return;
	for (char *p = err; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	char *t = strstr(err, "time = "), *e = t ? strstr(t, "error message = '") : NULL;
	if (!e)
		return;
	e += strlen("error message = '");
	char *q = strchr(e, '\'');
	char *end = strstr(e, " [");
	if (!q || (end && end < q))
		return;
	if (!end)
		end = e + strlen(e);
	memmove(t, e, (size_t)(q - e));
	memmove(t + (q - e), end, strlen(end) + 1);
}

/* Put 'path' and 'what' in front of the message in cx. */
static void prefix_err(h5ctx *cx, const char *path, const char *what)
{
	if (!cx->err || !cx->errlen)
		return;
	char *why = smab_xstrdup(cx->err);
	snprintf(cx->err, cx->errlen, "%s%s%s", path, what, why);
	free(why);
}

/* Read the file, opened read-only, and compute every mechanism's tables
 * into m[0 .. nmech-1]; the file is closed again either way.  The file
 * exists, so a part of it HDF5 cannot read means a damaged file, bad input
 * (SMAB_EINVAL) like any other -- unless another smab process holds the
 * writer's lock (not this one: 'ours'), whose file may be mid-write or
 * locked by HDF5 (SMAB_EBUSY). */
static int read_tables(ctab *c, int ours, mres **mp, h5ctx *cx)
{
	double *x = NULL;
	if (open_tab(c, c->path, cx))
		goto out;
	*mp = smab_xcalloc((size_t)c->rf.nmech + 1, sizeof **mp);
	x = smab_xmalloc(((size_t)c->M * c->P * c->R + 1) * sizeof *x);
	for (int k = 0; k < c->rf.nmech; k++) {
		if (read_regrets(c, c->rf.mech[k], x, cx))
			goto out;
		compute(c, x, &(*mp)[k]);
		test_pause(c);
	}
out:
	free(x);
	h5u_close_file(&c->rf.file, c->path, cx);
	if (cx->status == SMAB_EIO && !ours && smab_out_locked(c->path)) {
		cx->status = SMAB_EBUSY;
		prefix_err(cx, c->path, " is in use by another smab process: ");
	} else if (cx->status == SMAB_EIO) {
		cx->status = SMAB_EINVAL;
		prefix_err(cx, c->path, " is damaged (left as it is): ");
	}
	return cx->status;
}

/* Bytes the tables take in the file: their data, and a few kB of headers
 * and index per group and dataset. */
static double table_bytes(const ctab *c, const mres *m)
{
	double G = c->G, NC = c->NC, M = c->M;
	double b = 4.0 * NC + 8.0 * (double)c->P + 4096.0 * 3;
	for (int k = 0; k < c->rf.nmech; k++)
		b += (double)sizeof(smab_summary) * (G * NC * M + G * NC + 3 * G * M)
		     + (double)sizeof(checks_row) * G + (double)sizeof(a3_row) * (double)m[k].na3
		     + 4096.0 * 7;
	return b;
}

/* Print every table on o->out.  A reader that went away ('smab shapley |
 * head', SIGPIPE ignored) ends the output: not an error. */
static int print_tables(const ctab *c, const mres *m, const smab_coaltab_opts *o,
                        h5ctx *cx)
{
	FILE *out = o->out;
	if (o->csv)
		fputs("mechanism,game,quantity,coalition,agent,agent_name,sub_coalition,n,mean,"
		      "sd,ci_lo,ci_hi\n", out);
	for (int k = 0; k < c->rf.nmech; k++)
		for (int g = 0; g < c->G; g++) {
			if (o->csv)
				print_csv(c, c->rf.mech[k], &m[k], g, o);
			else
				print_game(c, c->rf.mech[k], &m[k], g, o);
			test_pause(c);
			if (fflush(out) != 0 || ferror(out)) {
				if (errno != EPIPE)
					h5u_fail_user(cx, SMAB_EIO, "cannot print the tables: %s",
					              strerror(errno));
				return cx->status;
			}
		}
	return cx->status;
}

int smab_coaltab(const char *path, const smab_coaltab_opts *o, char *err, size_t errlen)
{
	h5ctx ctx = {err, errlen, SMAB_OK}, *cx = &ctx;
	if (err && errlen)
		err[0] = '\0';
	if (!path || !o) {
		h5u_fail_user(cx, SMAB_EINVAL, "smab_coaltab: no path or options");
		return cx->status;
	}
	h5u_quiet q;
	h5u_quiet_on(&q);
	ctab c;
	memset(&c, 0, sizeof c);
	c.path = path;
	c.rf.file = -1;
	const char *d = getenv("SMAB_TEST_COALTAB_DELAY");
	c.delay = d ? strtod(d, NULL) : 0.0;
	c.delay = c.delay > 0 && c.delay < 3600 ? c.delay : 0.0;
	c.no_space_check = getenv("SMAB_TEST_SKIP_SPACE_CHECK") != NULL;
	mres *m = NULL;
	int lockfd = -1, lockrc = SMAB_OK;
	char lockerr[512] = "";

	if (check_input(path, cx))
		goto out;
	/* The writer's lock first: nothing is read while another smab process
	 * writes the file.  Failing to take it for another reason (a read-only
	 * file system) matters only once the file has proved valid. */
	if (o->write && !o->locked) {
		lockrc = smab_out_lock(path, &lockfd, lockerr, sizeof lockerr);
		if (lockrc == SMAB_OK && lockfd < 0)
			fprintf(stderr, "smab: warning: %s: %s\n", path, lockerr);   /* no locks */
		if (lockrc == SMAB_EBUSY) {
			h5u_fail_user(cx, lockrc, "%s", lockerr);
			goto out;
		}
	}
	if (read_tables(&c, lockfd >= 0 || o->locked, &m, cx))
		goto out;
	if (o->write) {
		if (lockrc != SMAB_OK) {
			h5u_fail_user(cx, lockrc, "%s", lockerr);
			goto out;
		}
		char msg[512];
		if (!c.no_space_check &&
		    smab_out_check_space(path, 2.0 * table_bytes(&c, m) + 1048576.0, msg,
		                         sizeof msg) != SMAB_OK) {
			h5u_fail_user(cx, SMAB_EIO, "%s", msg);
			goto out;
		}
		held h;
		hold_signals(&h);
		write_tables(&c, m, cx);
		smab_out_unlock(&lockfd);
		release_signals(&h);
		if (cx->status) {
			prefix_err(cx, path, ": cannot write the coalition tables: ");
			goto out;
		}
	}
	if (o->out)
		print_tables(&c, m, o, cx);
out:
	smab_out_unlock(&lockfd);
	for (int k = 0; m && k < c.rf.nmech; k++)
		mres_free(&m[k]);
	free(m);
	ctab_free(&c, cx);
	h5u_quiet_off(&q);
	if (c.notab && o->if_any) {
		if (err && errlen)
			err[0] = '\0';
		return SMAB_OK;
	}
	if (err && errlen)
		one_line(err);
	return cx->status;
}
