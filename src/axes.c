/* axes.c - the 'sweep' section: each key an axis (a list of values or a
 * range {from, to, num, scale}), 'zip' groups whose parameters vary
 * together, and the coalition axis of a coalition suite.  The first axis
 * varies slowest (sweep.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "smab/shapley.h"

enum { R_FROM, R_TO, R_NUM, R_SCALE, NRANGE };
static const char *const range_keys[NRANGE] = {"from", "to", "num", "scale"};

/* One parameter's sweep values, before they join an axis. */
typedef struct vlist {
	int param;
	int len;
	smab_value *v;
	int *mark;                  /* line, col of each value */
	const yaml_node_t *node;    /* the list or range */
	char *path;
} vlist;

static void vlist_free(vlist *l)
{
	for (int j = 0; l->v && j < l->len; j++)
		free(l->v[j].v);     /* a list parameter's values own their lists */
	free(l->v);
	free(l->mark);
	free(l->path);
	memset(l, 0, sizeof *l);
}

static void mark_all(vlist *l, const yaml_node_t *n)
{
	for (int j = 0; j < l->len; j++) {
		l->mark[2 * j] = line_of(n);
		l->mark[2 * j + 1] = col_of(n);
	}
}

static void vlist_alloc(vlist *l, int len)
{
	l->len = len;
	l->v = smab_xcalloc((size_t)len, sizeof *l->v);
	l->mark = smab_xcalloc(2 * (size_t)len, sizeof *l->mark);
}

static int sweep_values(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
                        const char *path, vlist *l)
{
	const yaml_node_item_t *it = n->data.sequence.items.start;
	int bad = 0;
	if (nitems(n) == 0) {
		cfg_err(c->err, n, path, "empty sweep axis: expected at least one value");
		return -1;
	}
	vlist_alloc(l, nitems(n));
	for (int j = 0; j < l->len; j++) {
		const yaml_node_t *m = get(c, it[j]);
		if (cfg_value(c, m, d, path, &l->v[j]))
			bad = 1;
		else if (l->v[j].n > MAX_SWEPT_LIST) {
			cfg_err(c->err, m, path, "a value of a list axis has at most %d numbers (its "
			        "/points column holds it as text), got %d: fix a longer list in 'params'",
			        MAX_SWEPT_LIST, l->v[j].n);
			bad = 1;
		}
		l->mark[2 * j] = line_of(m);
		l->mark[2 * j + 1] = col_of(m);
	}
	return bad ? -1 : 0;
}

/* Value j of the n values of a range (below). */
static double range_value(double from, double to, int j, int n, int logscale, int isint)
{
	double t = n > 1 ? (double)j / (n - 1) : 0;
	double x = logscale ? from * pow(to / from, t) : from + (to - from) * t;
	if (j == n - 1 && j > 0)
		x = to;     /* the end exactly, whatever the rounding */
	if (isint)
		x = round(x);
	return x == 0 ? 0 : x;     /* round(-0.4) is -0 */
}

/* A range {from, to, num, scale: linear|log}: 'num' values from 'from' to
 * 'to' inclusive, evenly spaced or geometric, rounded for INT parameters.
 * Ranges are monotone, so checking both ends checks every value.  In a
 * sweep past SMAB_MAX_POINTS a range is not expanded: 'l' gets its length
 * and no values. */
static int sweep_range(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
                       const char *path, vlist *l)
{
	const yaml_node_t *r[NRANGE] = {0};
	const yaml_node_pair_t *pr = n->data.mapping.pairs.start;
	char buf[96];
	char *rpath[NRANGE];
	double from = 0, to = 0, num = 0;
	int bad = 0, logscale = 0;
	for (int i = 0; i < npairs(n); i++) {
		const char *k = cfg_pair_key(c, n, i, path);
		int t = 0;
		if (!k) {
			bad = 1;
			continue;
		}
		while (t < NRANGE && strcmp(k, range_keys[t]) != 0)
			t++;
		if (t < NRANGE) {
			r[t] = get(c, pr[i].value);
			continue;
		}
		char *kp = cfg_join(path, k);
		cfg_unknown(c, get(c, pr[i].key), kp, "range key", k, range_keys, NRANGE, 0);
		free(kp);
		bad = 1;
	}
	if (d->type != SMAB_P_INT && d->type != SMAB_P_REAL) {
		cfg_err(c->err, n, path, "a range needs a numeric parameter, but '%s' is %s: write a list of values",
		        d->name, smab_ptype_name(d->type));
		return -1;
	}
	for (int t = 0; t < NRANGE; t++)
		rpath[t] = cfg_join(path, range_keys[t]);
	for (int t = 0; t < R_SCALE; t++)
		if (!r[t]) {
			cfg_err(c->err, n, path, "a range needs '%s' (keys: from, to, num, scale)",
			        range_keys[t]);
			bad = 1;
		}
	double *ends[2] = {&from, &to};
	for (int t = R_FROM; t <= R_TO; t++)
		if (r[t] && !cfg_number(r[t], ends[t])) {
			cfg_err(c->err, r[t], rpath[t], "expected a number, got %s",
			        cfg_shown(r[t], buf, sizeof buf));
			bad = 1;
			r[t] = NULL;    /* reported; skip its other checks */
		}
	if (r[R_NUM]) {
		int isint = cfg_int(r[R_NUM], &num);
		if (!isint || num < 1 || num > MAX_RANGE_NUM) {
			cfg_err(c->err, r[R_NUM], rpath[R_NUM], "%sexpected an integer in [1, %d], got %s",
			        isint && num < 1 ? "empty sweep axis: " : "",
			        MAX_RANGE_NUM, cfg_shown(r[R_NUM], buf, sizeof buf));
			bad = 1;
		}
	}
	if (r[R_SCALE]) {
		const yaml_node_t *sc = r[R_SCALE];
		if (sc->type == YAML_SCALAR_NODE && !strcmp(sval(sc), "log"))
			logscale = 1;
		else if (sc->type != YAML_SCALAR_NODE || strcmp(sval(sc), "linear") != 0) {
			cfg_err(c->err, sc, rpath[R_SCALE], "expected one of linear|log, got %s",
			        cfg_shown(sc, buf, sizeof buf));
			bad = 1;
		}
	}
	for (int t = R_FROM; logscale && t <= R_TO; t++)
		if (r[t] && *ends[t] <= 0) {
			cfg_err(c->err, r[t], rpath[t], "a log range needs from > 0 and to > 0, got %s",
			        cfg_shown(r[t], buf, sizeof buf));
			bad = 1;
		}
	int len = bad ? 0 : (int)num, isint = d->type == SMAB_P_INT;
	for (int end = 0; !bad && end < 2; end++) {
		double x = range_value(from, to, end ? len - 1 : 0, len, logscale, isint);
		int t = end ? R_TO : R_FROM;
		if (x < d->lo || x > d->hi) {
			cfg_err(c->err, r[t], rpath[t], "expected %s in [%.15g, %.15g], got %s",
			        isint ? "an integer" : "a number", d->lo, d->hi,
			        cfg_shown(r[t], buf, sizeof buf));
			bad = 1;
		}
	}
	if (!bad && c->planned > SMAB_MAX_POINTS) {
		/* the sweep is past the points limit (cfg_sweep refuses it):
		 * only the length counts, so refusing costs nothing per value */
		l->len = len;
	} else if (!bad) {
		vlist_alloc(l, len);
		mark_all(l, n);
		for (int j = 0; j < len; j++)
			l->v[j].x = range_value(from, to, j, len, logscale, isint);
	}
	for (int t = 0; t < NRANGE; t++)
		free(rpath[t]);
	return bad ? -1 : 0;
}

/* ---- the coalition axis ------------------------------------------------ */

/* Number of agents of the instance the base values describe, or -1 after
 * an error at 'at'. */
int cfg_coal_agents(cfg *c, const yaml_node_t *at, const char *path)
{
	int M = c->s->agents(c->e->base, NULL);
	if (M < 1 || M > SMAB_MAX_AGENTS) {
		cfg_err(c->err, at, path, "the instance has %d agents: a coalition sweep needs 1 to %d",
		        M, SMAB_MAX_AGENTS);
		return -1;
	}
	return M;
}

/* A coalition written as a list of distinct agents numbered from 'from'
 * (1, or 0 in the deprecated bare lists), e.g. [1, 3]. */
int cfg_coal_mask(cfg *c, const yaml_node_t *n, int M, const char *path, int from,
                  uint32_t *mask)
{
	char buf[96];
	double x;
	*mask = 0;
	if (n->type != YAML_SEQUENCE_NODE || nitems(n) == 0) {
		cfg_err(c->err, n, path, "expected a coalition: a non-empty list of agents in [%d, %d] such as [%d, %d], got %s",
		        from, M - 1 + from, from, from + 1, cfg_shown(n, buf, sizeof buf));
		return -1;
	}
	const yaml_node_item_t *it = n->data.sequence.items.start;
	for (int i = 0; i < nitems(n); i++) {
		const yaml_node_t *m = get(c, it[i]);
		if (from == 1 && cfg_int(m, &x) && x == 0) {
			cfg_err(c->err, m, path, "agent 0: agents are numbered from 1 (the instance has agents 1 to %d)",
			        M);
			return -1;
		}
		if (!cfg_int(m, &x) || x < from || x > M - 1 + from) {
			cfg_err(c->err, m, path, "expected an agent in [%d, %d] (the instance has %d agents), got %s",
			        from, M - 1 + from, M, cfg_shown(m, buf, sizeof buf));
			return -1;
		}
		uint32_t bit = 1u << ((int)x - from);
		if (*mask & bit) {
			cfg_err(c->err, m, path, "agent %d appears twice in this coalition", (int)x);
			return -1;
		}
		*mask |= bit;
	}
	return 0;
}

/* The list of agents of a coalition given as {agents: [...]}, or n itself
 * when it is a bare list; NULL after an error at n. */
static const yaml_node_t *coal_agents_key(cfg *c, const yaml_node_t *n, const char *path)
{
	char buf[96];
	if (n->type == YAML_SEQUENCE_NODE)
		return n;
	if (n->type == YAML_MAPPING_NODE && npairs(n) == 1) {
		const yaml_node_pair_t *pr = n->data.mapping.pairs.start;
		const char *k = cfg_pair_key(c, n, 0, path);
		if (!k)
			return NULL;
		if (!strcmp(k, "agents"))
			return get(c, pr[0].value);
	}
	cfg_err(c->err, n, path, "expected a coalition such as {agents: [1, 3]} (agents from 1), got %s",
	        cfg_shown(n, buf, sizeof buf));
	return NULL;
}

/* The coalition 'mask' as the new spelling writes it, "[1, 3]", appended
 * to buf at *k (nothing once buf is full). */
static void coal_spell(uint32_t mask, char *buf, size_t len, size_t *k)
{
	int first = 1;
	*k += (size_t)snprintf(buf + *k, *k < len ? len - *k : 0, "[");
	for (int a = 0; a < SMAB_MAX_AGENTS; a++)
		if (mask & (1u << a) && *k < len) {
			*k += (size_t)snprintf(buf + *k, len - *k, "%s%d", first ? "" : ", ", a + 1);
			first = 0;
		}
	if (*k < len)
		*k += (size_t)snprintf(buf + *k, len - *k, "]");
}

/* The warning of a bare list of agents counting from 0 at node n: it names
 * the same coalitions in the new spelling ('list': a list of coalitions). */
static void coal_deprecated(cfg *c, const yaml_node_t *n, const char *path,
                            const uint32_t *masks, int nm, int list)
{
	char buf[160];
	size_t k = 0;
	if (list)
		k += (size_t)snprintf(buf, sizeof buf, "[");
	for (int j = 0; j < nm && k < sizeof buf; j++) {
		if (j)
			k += (size_t)snprintf(buf + k, sizeof buf - k, ", ");
		if (k < sizeof buf)
			coal_spell(masks[j], buf, sizeof buf, &k);
	}
	if (list && k < sizeof buf)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "]");
	if (k >= sizeof buf)
		snprintf(buf + sizeof buf - 5, 5, "...]");
	smab_errors_warn(c->err, line_of(n), col_of(n), path,
	                 "a bare list of agents is deprecated: it counts from 0; write "
	                 "{agents: %s}, which counts from 1", buf);
}

/* The value of the parameter 'coalition' given as agents: {agents: [1, 3]},
 * or the deprecated bare list [0, 2] (with a warning). */
int cfg_coal_one(cfg *c, const yaml_node_t *n, int M, const char *path, uint32_t *mask)
{
	const yaml_node_t *list = coal_agents_key(c, n, path);
	if (!list)
		return -1;
	if (list != n)
		return cfg_coal_mask(c, list, M, path, 1, mask);
	if (cfg_coal_mask(c, n, M, path, 0, mask))
		return -1;
	coal_deprecated(c, n, path, mask, 1, 0);
	return 0;
}

/* A list of coalitions 'seq' (agents numbered from 'from') into l, marked
 * at each coalition; the masks also into masks[nitems(seq)]. */
static int coal_lists(cfg *c, const yaml_node_t *seq, int M, const char *path, int from,
                      vlist *l, uint32_t *masks)
{
	const yaml_node_item_t *it = seq->data.sequence.items.start;
	/* entry[mask]: 1 + where the coalition first appeared, or 0 */
	int *entry = smab_xcalloc((size_t)1 << M, sizeof *entry);
	int rc = 0;
	vlist_alloc(l, nitems(seq));
	for (int j = 0; j < nitems(seq); j++) {
		const yaml_node_t *m = get(c, it[j]);
		l->mark[2 * j] = line_of(m);
		l->mark[2 * j + 1] = col_of(m);
		if (cfg_coal_mask(c, m, M, path, from, &masks[j]))
			rc = -1;
		if (rc == 0 && entry[masks[j]]) {
			cfg_err(c->err, m, path, "this coalition is already in the list (entry %d)",
			        entry[masks[j]]);
			rc = -1;
		} else if (rc == 0) {
			entry[masks[j]] = j + 1;
		}
		l->v[j].x = masks[j];
	}
	free(entry);
	return rc;
}

static void coal_list(vlist *l, const uint32_t *masks, int n, const yaml_node_t *at)
{
	vlist_alloc(l, n);
	mark_all(l, at);
	for (int j = 0; j < n; j++)
		l->v[j].x = masks[j];
}

/* The sweep axis of the "coalition" parameter of a coalition suite:
 *   all                          every non-empty coalition (2^M - 1)
 *   {agents: [[1], [2], [1, 2]]} an explicit list, agents from 1
 *   [[0], [1], [0, 1]]           the same, deprecated: agents from 0
 *   {sizes: [1, 8]}              every coalition of these sizes
 *   {sample: permutations, n: N} the prefixes of N random agent orders
 * Coalitions are ordered by size, then mask (the paper's tables' order). */
static int sweep_coalition(cfg *c, const yaml_node_t *vn, const char *path, vlist *l)
{
	char buf[96];
	int M = cfg_coal_agents(c, vn, path);
	if (M < 0)
		return -1;
	uint32_t *masks = NULL;
	int n = 0, rc = -1;
	if (vn->type == YAML_SCALAR_NODE && strcmp(sval(vn), "all") == 0) {
		masks = smab_xmalloc(((size_t)1 << M) * sizeof *masks);
		n = smab_coal_all(M, masks);
		rc = 0;
	} else if (vn->type == YAML_SEQUENCE_NODE && nitems(vn) > 0) {
		masks = smab_xmalloc((size_t)nitems(vn) * sizeof *masks);
		rc = coal_lists(c, vn, M, path, 0, l, masks);
		if (rc == 0)
			coal_deprecated(c, vn, path, masks, nitems(vn), 1);
		free(masks);
		return rc;
	} else if (vn->type == YAML_MAPPING_NODE) {
		const yaml_node_t *sizes = NULL, *sample = NULL, *num = NULL, *agents = NULL;
		const yaml_node_pair_t *pr = vn->data.mapping.pairs.start;
		static const char *const keys[] = {"agents", "sizes", "sample", "n"};
		rc = 0;
		for (int i = 0; i < npairs(vn); i++) {
			const char *k = cfg_pair_key(c, vn, i, path);
			if (!k) {
				rc = -1;
				continue;
			}
			const yaml_node_t *v = get(c, pr[i].value);
			if (!strcmp(k, "sizes"))
				sizes = v;
			else if (!strcmp(k, "sample"))
				sample = v;
			else if (!strcmp(k, "n"))
				num = v;
			else if (!strcmp(k, "agents"))
				agents = v;
			else {
				char *kp = cfg_join(path, k);
				cfg_unknown(c, get(c, pr[i].key), kp, "coalition key", k, keys, 4, 0);
				free(kp);
				rc = -1;
			}
		}
		if (rc)
			return -1;
		if (agents && !sizes && !sample && !num) {
			if (agents->type != YAML_SEQUENCE_NODE || nitems(agents) == 0) {
				cfg_err(c->err, agents, path, "expected a non-empty list of coalitions such as [[1], [2, 4]] (agents from 1), got %s",
				        cfg_shown(agents, buf, sizeof buf));
				return -1;
			}
			masks = smab_xmalloc((size_t)nitems(agents) * sizeof *masks);
			rc = coal_lists(c, agents, M, path, 1, l, masks);
			free(masks);
			return rc;
		} else if (agents) {
			cfg_err(c->err, vn, path, "'agents' lists the coalitions itself: it takes no 'sizes', 'sample' or 'n'");
			return -1;
		} else if (sizes && !sample && !num) {
			int ns = sizes->type == YAML_SEQUENCE_NODE ? nitems(sizes) : 0;
			int *sz = smab_xcalloc((size_t)ns + 1, sizeof *sz);
			const yaml_node_item_t *it = ns ? sizes->data.sequence.items.start : NULL;
			if (ns == 0) {
				cfg_err(c->err, sizes, path, "expected a non-empty list of coalition sizes in [1, %d], got %s",
				        M, cfg_shown(sizes, buf, sizeof buf));
				rc = -1;
			}
			for (int i = 0; i < ns; i++) {
				const yaml_node_t *m = get(c, it[i]);
				double x;
				if (!cfg_int(m, &x) || x < 1 || x > M) {
					cfg_err(c->err, m, path, "expected a coalition size in [1, %d] (the instance has %d agents), got %s",
					        M, M, cfg_shown(m, buf, sizeof buf));
					rc = -1;
				} else
					sz[i] = (int)x;
			}
			if (rc == 0) {
				masks = smab_xmalloc(((size_t)1 << M) * sizeof *masks);
				n = smab_coal_sizes(M, sz, ns, masks);
			}
			free(sz);
		} else if (sample && !sizes) {
			double x = 0;
			if (sample->type != YAML_SCALAR_NODE || strcmp(sval(sample), "permutations") != 0) {
				cfg_err(c->err, sample, path, "expected 'sample: permutations', got %s",
				        cfg_shown(sample, buf, sizeof buf));
				rc = -1;
			}
			if (!num) {
				cfg_err(c->err, vn, path, "a sampled coalition axis needs 'n', the number of random agent orders");
				rc = -1;
			} else if (!cfg_int(num, &x) || x < 1 || x > 8192 / M) {
				/* the orders are kept in a root attribute (64 KiB) */
				cfg_err(c->err, num, path, "expected a number of agent orders in [1, %d], got %s",
				        8192 / M, cfg_shown(num, buf, sizeof buf));
				rc = -1;
			}
			if (rc == 0) {
				int np = (int)x;
				int *perm = smab_xmalloc((size_t)np * (size_t)M * sizeof *perm);
				masks = smab_xmalloc((size_t)np * (size_t)M * sizeof *masks);
				smab_coal_perms(c->e->seed, M, np, perm);
				n = smab_coal_perm_masks(M, np, perm, masks);
				free(perm);
				c->e->coal_nperm = np;
			}
		} else {
			cfg_err(c->err, vn, path, "expected {agents: [[1], [2, 4]]}, {sizes: [...]} or {sample: permutations, n: N}");
			rc = -1;
		}
	} else {
		cfg_err(c->err, vn, path, "expected 'all', {agents: [[1], [2], [1, 2]]}, {sizes: [...]} or {sample: permutations, n: N}, got %s",
		        cfg_shown(vn, buf, sizeof buf));
	}
	if (rc == 0)
		coal_list(l, masks, n, vn);
	free(masks);
	return rc;
}

/* Read one swept parameter: its key 'kn', its list or range 'vn'. */
static int sweep_param(cfg *c, const yaml_node_t *kn, const yaml_node_t *vn,
                       const char *name, const char *path, vlist *l)
{
	const smab_suite *s = c->s;
	char buf[96];
	int p = cfg_param_or_alias(s, name), g = cfg_group_member(s, name), rc;
	memset(l, 0, sizeof *l);
	if (p < 0 && g >= 0) {
		cfg_err(c->err, kn, path, "nested names are not allowed in 'sweep': write dotted names such as '%s'",
		        s->params[g].name);
		return -1;
	}
	if (p < 0) {
		cfg_unknown_param(c, kn, path, name);
		return -1;
	}
	const smab_param_alias *al = cfg_alias_warn(c, name, kn, path);
	smab_param_decl ad;
	const smab_param_decl *d = &s->params[p];
	if (al) {
		ad = cfg_alias_decl(al, d);
		d = &ad;
	}
	if (d->type == SMAB_P_STR) {
		cfg_err(c->err, kn, path, "cannot sweep a string parameter");
		return -1;
	}
	if (c->swept[2 * p]) {
		cfg_err(c->err, kn, path, "parameter '%s' is already swept by the axis at %d:%d",
		        name, c->swept[2 * p], c->swept[2 * p + 1]);
		return -1;
	}
	if (c->e->where[2 * p]) {
		/* fixed in 'params' too: the sweep used to win without a word */
		char at[160];
		if (cfg_place(c, c->e->where[2 * p], c->e->where[2 * p + 1], at, sizeof at))
			cfg_err(c->err, kn, path, "parameter '%s' is fixed in 'params' (%s) and also "
			        "swept here: to fix it from the command line, give this axis one "
			        "value instead (--set %s=[VALUE])", name, at, path);
		else
			cfg_err(c->err, kn, path, "parameter '%s' is fixed in 'params' (%s) and also "
			        "swept here: keep one, the fixed value or this axis", name, at);
		return -1;
	}
	c->swept[2 * p] = line_of(kn);
	c->swept[2 * p + 1] = col_of(kn);
	if (s->agents && strcmp(d->name, "coalition") == 0)
		rc = sweep_coalition(c, vn, path, l);
	else if (vn->type == YAML_SEQUENCE_NODE)
		rc = sweep_values(c, vn, d, path, l);
	else if (vn->type == YAML_MAPPING_NODE)
		rc = sweep_range(c, vn, d, path, l);
	else {
		cfg_err(c->err, vn, path, "expected a list of values or a range {from, to, num, scale}, got %s",
		        cfg_shown(vn, buf, sizeof buf));
		rc = -1;
	}
	if (rc) {
		vlist_free(l);
		return -1;
	}
	for (int j = 0; al && j < l->len; j++)
		cfg_alias_shift(al, &l->v[j]);
	l->param = p;
	l->node = vn;
	l->path = smab_xstrdup(path);
	c->e->set[p] = 1;
	c->e->where[2 * p] = line_of(vn);
	c->e->where[2 * p + 1] = col_of(vn);
	return 0;
}

/* Count an axis of 'len' values into the sweep's size: c->npoints and the
 * product c->lens that a message shows. */
static void tally(cfg *c, int len)
{
	size_t n = strlen(c->lens);
	c->npoints *= len;
	c->naxes_seen++;
	if (n + 16 < sizeof c->lens)
		snprintf(c->lens + n, sizeof c->lens - n, "%s%d", n ? " x " : "", len);
	else if (n + 6 < sizeof c->lens && strcmp(c->lens + n - 4, " ...") != 0)
		snprintf(c->lens + n, sizeof c->lens - n, " x ...");
}

/* Append an axis made of 'n' lists of equal length, written at 'at', and
 * take their values (a single list's arrays become the axis's); only count
 * it when a range was too long to expand (sweep_range). */
static void add_axis(cfg *c, vlist *l, int n, const yaml_node_t *at)
{
	tally(c, l[0].len);
	for (int k = 0; k < n; k++)
		if (!l[k].v)
			return;
	smab_experiment *e = c->e;
	e->axes = smab_xrealloc(e->axes, (size_t)(e->naxes + 1) * sizeof *e->axes);
	c->marks = smab_xrealloc(c->marks, (size_t)(e->naxes + 1) * sizeof *c->marks);
	smab_axis *ax = &e->axes[e->naxes];
	int len = l[0].len;
	ax->nparam = n;
	ax->len = len;
	ax->param = smab_xmalloc((size_t)n * sizeof *ax->param);
	ax->line = line_of(at);
	ax->col = col_of(at);
	if (n == 1) {
		ax->param[0] = l[0].param;
		ax->values = l[0].v;
		c->marks[e->naxes++] = l[0].mark;
		l[0].v = NULL;
		l[0].mark = NULL;
		return;
	}
	int *mk = smab_xmalloc(2 * (size_t)len * (size_t)n * sizeof *mk);
	ax->values = smab_xmalloc((size_t)len * (size_t)n * sizeof *ax->values);
	for (int k = 0; k < n; k++) {
		ax->param[k] = l[k].param;
		for (int j = 0; j < len; j++) {
			ax->values[j * n + k] = l[k].v[j];
			mk[2 * (j * n + k)] = l[k].mark[2 * j];
			mk[2 * (j * n + k) + 1] = l[k].mark[2 * j + 1];
		}
		free(l[k].v);     /* the axis owns the values' lists now */
		l[k].v = NULL;
		vlist_free(&l[k]);
	}
	c->marks[e->naxes++] = mk;
}

/* One zip group: a mapping of parameter -> list, all of one length, that
 * forms a single axis written at 'at'. */
static void zip_group(cfg *c, const yaml_node_t *g, const yaml_node_t *at,
                      const char *path)
{
	char buf[96];
	if (g->type != YAML_MAPPING_NODE || npairs(g) == 0) {
		cfg_err(c->err, g, path, "expected a non-empty mapping of parameter names to lists, got %s",
		        g->type == YAML_MAPPING_NODE ? "an empty mapping" : cfg_shown(g, buf, sizeof buf));
		return;
	}
	const yaml_node_pair_t *pr = g->data.mapping.pairs.start;
	vlist *l = smab_xcalloc((size_t)npairs(g), sizeof *l);
	int nl = 0, ok = 1;
	for (int i = 0; i < npairs(g); i++) {
		const char *k = cfg_pair_key(c, g, i, path);
		if (!k) {
			ok = 0;
			continue;
		}
		char *p = cfg_join(path, k);
		if (sweep_param(c, get(c, pr[i].key), get(c, pr[i].value), k, p, &l[nl]) == 0)
			nl++;
		else
			ok = 0;
		free(p);
	}
	for (int i = 1; i < nl; i++)
		if (l[i].len != l[0].len) {
			cfg_err(c->err, l[i].node, l[i].path,
			        "zip lists must have equal lengths: '%s' has %d values, '%s' has %d",
			        c->s->params[l[0].param].name, l[0].len,
			        c->s->params[l[i].param].name, l[i].len);
			ok = 0;
		}
	/* the order of a group's lists changes nothing: keep the suite's, so
	 * equivalent files have the same canonical text */
	for (int i = 1; ok && i < nl; i++)
		for (int j = i; j > 0 && l[j - 1].param > l[j].param; j--) {
			vlist t = l[j];
			l[j] = l[j - 1];
			l[j - 1] = t;
		}
	if (ok)
		add_axis(c, l, nl, at);
	for (int i = 0; i < nl; i++)
		vlist_free(&l[i]);
	free(l);
}

/* The length an axis's node will give, read from the node alone: a list's
 * items, a range's 'num'; 1 when it cannot be told (an error found later,
 * or a coalition axis, at most 2^16 - 1 long). */
static double node_len(const cfg *c, const yaml_node_t *vn)
{
	double num;
	if (vn->type == YAML_SEQUENCE_NODE)
		return nitems(vn);
	for (int i = 0; vn->type == YAML_MAPPING_NODE && i < npairs(vn); i++) {
		const yaml_node_pair_t *pr = &vn->data.mapping.pairs.start[i];
		const yaml_node_t *k = get(c, pr->key);
		if (k->type == YAML_SCALAR_NODE && strcmp(sval(k), "num") == 0 &&
		    cfg_int(get(c, pr->value), &num) && num >= 1 && num <= MAX_RANGE_NUM)
			return num;
	}
	return 1;
}

/* The points of the sweep 'map', from the lengths its nodes give, before
 * any axis is expanded: a zip group counts its first list. */
static double planned_points(const cfg *c, const yaml_node_t *map)
{
	double n = 1;
	for (int i = 0; i < npairs(map); i++) {
		const yaml_node_pair_t *pr = &map->data.mapping.pairs.start[i];
		const yaml_node_t *k = get(c, pr->key), *v = get(c, pr->value);
		if (k->type != YAML_SCALAR_NODE || strcmp(sval(k), "zip") != 0) {
			n *= node_len(c, v);
			continue;
		}
		int ng = v->type == YAML_SEQUENCE_NODE ? nitems(v) : 1;
		for (int j = 0; j < ng; j++) {
			const yaml_node_t *g = ng == 1 && v->type != YAML_SEQUENCE_NODE ? v
			                       : get(c, v->data.sequence.items.start[j]);
			if (g->type == YAML_MAPPING_NODE && npairs(g) > 0)
				n *= node_len(c, get(c, g->data.mapping.pairs.start[0].value));
		}
	}
	return n;
}

void cfg_sweep(cfg *c, const yaml_node_t *kn, const yaml_node_t *map)
{
	char buf[96];
	if (map->type != YAML_MAPPING_NODE) {
		cfg_err(c->err, map, "sweep", "expected a mapping of parameter names to lists or ranges, got %s",
		        cfg_shown(map, buf, sizeof buf));
		return;
	}
	c->planned = planned_points(c, map);
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	for (int i = 0; i < npairs(map); i++) {
		const char *k = cfg_pair_key(c, map, i, "sweep");
		if (!k)
			continue;
		const yaml_node_t *key = get(c, pr[i].key), *vn = get(c, pr[i].value);
		if (strcmp(k, "zip") == 0 && vn->type == YAML_SEQUENCE_NODE) {
			/* several zip groups, one axis each */
			const yaml_node_item_t *it = vn->data.sequence.items.start;
			if (nitems(vn) == 0)
				cfg_err(c->err, vn, "sweep.zip", "empty sweep axis: expected at least one zip group");
			for (int j = 0; j < nitems(vn); j++) {
				char path[32];
				snprintf(path, sizeof path, "sweep.zip[%d]", j);
				zip_group(c, get(c, it[j]), get(c, it[j]), path);
			}
		} else if (strcmp(k, "zip") == 0) {
			zip_group(c, vn, key, "sweep.zip");
		} else {
			vlist l;
			char *path = cfg_join("sweep", k);
			if (sweep_param(c, key, vn, k, path, &l) == 0)
				add_axis(c, &l, 1, key);
			vlist_free(&l);
			free(path);
		}
	}
	/* Checked from the axis lengths: no range of a sweep past the limit
	 * was expanded (sweep_range), so refusing costs the same at any size. */
	if (c->npoints > SMAB_MAX_POINTS)
		cfg_err(c->err, kn, "sweep", "the sweep has %s%s%.0f points, more than the %d "
		        "allowed: use fewer values, or split the sweep into several files",
		        c->naxes_seen > 1 ? c->lens : "", c->naxes_seen > 1 ? " = " : "",
		        c->npoints, SMAB_MAX_POINTS);
}
