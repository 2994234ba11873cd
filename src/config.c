/* config.c - an experiment file: libyaml's document tree, checked against the
 * suite's parameter declarations and turned into a smab_experiment.
 *
 * Every problem is collected, not only the first, each with the 1-based
 * line:col of the offending node and a dotted key.  Keys name the place in
 * the file ("seed", "params.egreedy.d", "sweep.drift", "sweep.zip.gap",
 * "sweep.horizon.num"); a failure of the suite's cross-parameter check names
 * the parameter ("means"), since it is about the effective value wherever
 * that was set.  YAML syntax errors have no key.
 *
 * Literals.  Numbers must be plain (unquoted) scalars: '20000' in quotes is a
 * string.  A number is a decimal literal ([+-]digits[.digits][e[+-]digits]);
 * no hex, octal, .inf or .nan.  An INT accepts any such literal whose value is
 * integral and below 2^53, so 20000, 2e4 and 2.0e4 are the same and 2.5 is
 * rejected.  A seed is plain decimal digits only.  Booleans are true/false
 * (YAML 1.2 core spellings: true, True, TRUE); yes/no are not booleans.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "smab/config.h"
#include "smab/shapley.h"

enum {
	MAX_CHECK_FAILS = 20,       /* failing points reported by the suite check */
	MAX_RANGE_NUM = 1000000,
	MAX_REPLICATIONS = 10000000,
	MAX_RECORD = 100000,
	MAX_POINTS = INT32_MAX      /* a task's point id is a uint32_t */
};
#define INT_EXACT 9007199254740992.0    /* 2^53: integers a double holds exactly */

enum { K_NAME, K_SUITE, K_SEED, K_REPS, K_MECHS, K_PARAMS, K_SWEEP, K_RECORD,
       K_OUTPUT, NTOP };
static const char *const top_keys[NTOP] = {
	"name", "suite", "seed", "replications", "mechanisms", "params", "sweep",
	"record", "output"
};

enum { R_FROM, R_TO, R_NUM, R_SCALE, NRANGE };
static const char *const range_keys[NRANGE] = {"from", "to", "num", "scale"};

/* The parse in progress. */
typedef struct cfg {
	yaml_document_t *doc;
	smab_errors *err;
	smab_experiment *e;
	const smab_suite *s;
	int **marks;   /* per axis: line, col of entry j of param k at [2*(j*nparam+k)] */
	int *swept;            /* per param: [2*i] line, [2*i+1] col of the axis sweeping it */
	const yaml_node_t *coal;   /* 'coalition' given as a list in params: read once all are */
	char *coal_path;
	int coal_p;
} cfg;

/* One parameter's sweep values, before they join an axis. */
typedef struct vlist {
	int param;
	int len;
	smab_value *v;
	int *mark;                  /* line, col of each value */
	const yaml_node_t *node;    /* the list or range */
	char *path;
} vlist;

/* ---- small helpers ------------------------------------------------------ */

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static int col_of(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }

static const yaml_node_t *get(const cfg *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int npairs(const yaml_node_t *m)
{
	return (int)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
}

static int nitems(const yaml_node_t *s)
{
	return (int)(s->data.sequence.items.top - s->data.sequence.items.start);
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

__attribute__((format(printf, 4, 5)))
static void err_at(smab_errors *err, const yaml_node_t *n, const char *key,
                   const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	smab_errors_add(err, line_of(n), col_of(n), key, "%s", buf);
}

/* "a.b", or the other one when 'a' or 'b' is NULL or empty.  Caller frees. */
static char *join(const char *a, const char *b)
{
	if (!b || !*b)
		return smab_xstrdup(a ? a : "");
	if (!a || !*a)
		return smab_xstrdup(b);
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = smab_xmalloc(n);
	snprintf(s, n, "%s.%s", a, b);
	return s;
}

/* A decimal number literal in a plain scalar (see the file comment). */
static int read_number(const yaml_node_t *n, double *x)
{
	if (!is_plain(n))
		return 0;
	const char *s = sval(n), *p = s;
	int digits = 0;
	if (*p == '+' || *p == '-')
		p++;
	for (; is_digit(*p); p++)
		digits++;
	if (*p == '.')
		for (p++; is_digit(*p); p++)
			digits++;
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return 0;
		while (is_digit(*p))
			p++;
	}
	if (*p)
		return 0;
	double v = strtod(s, NULL);
	if (!isfinite(v))
		return 0;
	*x = v == 0 ? 0 : v;    /* -0 reads as 0, so it prints and hashes as 0 */
	return 1;
}

static int read_int(const yaml_node_t *n, double *x)
{
	double v;
	if (!read_number(n, &v) || v != floor(v) || fabs(v) >= INT_EXACT)
		return 0;
	*x = v;
	return 1;
}

/* 1 or 0 for the YAML 1.2 core spellings of true and false, else -1. */
static int read_bool(const char *s)
{
	static const char *const words[] = {"false", "False", "FALSE", "true", "True", "TRUE"};
	for (int i = 0; i < 6; i++)
		if (strcmp(s, words[i]) == 0)
			return i >= 3;
	return -1;
}

/* How a node reads in a message: numbers as written, words quoted. */
static const char *shown(const yaml_node_t *n, char *buf, size_t len)
{
	double x;
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (!is_plain(n))
		snprintf(buf, len, "the string \"%.60s\"", sval(n));
	else if (!*sval(n))
		return "nothing";
	else if (read_number(n, &x))
		snprintf(buf, len, "%.60s", sval(n));
	else
		snprintf(buf, len, "'%.60s'", sval(n));
	return buf;
}

/* Edit distance of two short strings; long ones count as far apart. */
static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64];
	if (la >= 64 || lb >= 64)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The known name a mistyped 'word' most likely meant: one within two edits
 * (and fewer edits than the word has letters, so 'x' suggests nothing), or
 * a dotted name whose first or last part is 'word' ('alpha' -> 'ucb.alpha').
 * NULL if nothing is close. */
static const char *suggest(const char *word, const char *const *names, int n)
{
	const char *best = NULL;
	int bestd = 3, len = (int)strlen(word);
	for (int i = 0; i < n; i++) {
		int d = edit_distance(word, names[i]);
		const char *dot = strchr(names[i], '.');
		if (dot) {
			size_t first = (size_t)(dot - names[i]);
			if (strcmp(word, strrchr(names[i], '.') + 1) == 0 ||
			    (strlen(word) == first && strncmp(word, names[i], first) == 0))
				d = 0;
		}
		if (d < bestd && d < len) {
			best = names[i];
			bestd = d;
		}
	}
	return best;
}

static void join_names(char *buf, size_t len, const char *const *names, int n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		                         i ? ", " : "", names[i]);
}

/* "unknown <what> 'word'" with a did-you-mean, and the known names when
 * there is no suggestion or 'list' asks for them anyway. */
static void unknown(cfg *c, const yaml_node_t *at, const char *path,
                    const char *what, const char *word,
                    const char *const *names, int n, int list)
{
	const char *s = suggest(word, names, n);
	char known[512] = "";
	if (!s || list)
		join_names(known, sizeof known, names, n);
	if (s && list)
		err_at(c->err, at, path, "unknown %s '%.80s'; did you mean '%s'? (known: %s)",
		       what, word, s, known);
	else if (s)
		err_at(c->err, at, path, "unknown %s '%.80s'; did you mean '%s'?",
		       what, word, s);
	else
		err_at(c->err, at, path, "unknown %s '%.80s'; expected one of: %s",
		       what, word, known);
}

static void unknown_param(cfg *c, const yaml_node_t *at, const char *path,
                          const char *name)
{
	const char **names = smab_xmalloc((size_t)c->s->nparams * sizeof *names);
	for (int i = 0; i < c->s->nparams; i++)
		names[i] = c->s->params[i].name;
	unknown(c, at, path, "parameter", name, names, c->s->nparams, 0);
	free(names);
}

/* Index of the first parameter named "<name>.something", or -1: 'name' is
 * then a group that a nested mapping may spell out. */
static int group_member(const smab_suite *s, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < s->nparams; i++)
		if (strncmp(s->params[i].name, name, n) == 0 &&
		    s->params[i].name[n] == '.')
			return i;
	return -1;
}

/* The key of pair 'i' of a mapping, or NULL (after an error) when it is not
 * a scalar or repeats an earlier key, so that callers skip the pair. */
static const char *pair_key(cfg *c, const yaml_node_t *map, int i,
                            const char *prefix)
{
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	const yaml_node_t *k = get(c, pr[i].key);
	char buf[96];
	if (k->type != YAML_SCALAR_NODE) {
		err_at(c->err, k, prefix, "expected a name as key, got %s",
		       shown(k, buf, sizeof buf));
		return NULL;
	}
	for (int j = 0; j < i; j++) {
		const yaml_node_t *kj = get(c, pr[j].key);
		if (kj->type == YAML_SCALAR_NODE && strcmp(sval(kj), sval(k)) == 0) {
			char *path = join(prefix, sval(k));
			err_at(c->err, k, path, "duplicate key '%.80s' (first at %d:%d)",
			       sval(k), line_of(kj), col_of(kj));
			free(path);
			return NULL;
		}
	}
	return sval(k);
}

/* ---- values ------------------------------------------------------------- */

static int to_vector(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
                     const char *path, smab_value *out)
{
	char buf[96];
	if (n->type != YAML_SEQUENCE_NODE) {
		err_at(c->err, n, path, "expected a list of numbers in [%.15g, %.15g], got %s",
		       d->lo, d->hi, shown(n, buf, sizeof buf));
		return -1;
	}
	const yaml_node_item_t *it = n->data.sequence.items.start;
	int len = nitems(n), bad = 0;
	double *v = len ? smab_xmalloc((size_t)len * sizeof *v) : NULL;
	for (int i = 0; i < len; i++) {
		const yaml_node_t *m = get(c, it[i]);
		if (!read_number(m, &v[i]) || v[i] < d->lo || v[i] > d->hi) {
			err_at(c->err, m, path, "expected a number in [%.15g, %.15g], got %s",
			       d->lo, d->hi, shown(m, buf, sizeof buf));
			bad = 1;
		}
	}
	if (bad) {
		free(v);
		return -1;
	}
	*out = (smab_value){.x = 0, .n = len, .v = v};
	return 0;
}

/* Convert node 'n' to the type of 'd' and check its range; 'path' names it
 * in messages.  Vectors get malloc'd storage.  Returns 0, or -1 after adding
 * an error. */
static int to_value(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
                    const char *path, smab_value *out)
{
	char buf[96];
	const char *s = n->type == YAML_SCALAR_NODE ? sval(n) : "";
	double x = 0;
	int k;
	switch (d->type) {
	case SMAB_P_INT:
		if (!read_int(n, &x) || x < d->lo || x > d->hi) {
			err_at(c->err, n, path, "expected an integer in [%.15g, %.15g], got %s",
			       d->lo, d->hi, shown(n, buf, sizeof buf));
			return -1;
		}
		break;
	case SMAB_P_REAL:
		if (!read_number(n, &x) || x < d->lo || x > d->hi) {
			err_at(c->err, n, path, "expected a number in [%.15g, %.15g], got %s",
			       d->lo, d->hi, shown(n, buf, sizeof buf));
			return -1;
		}
		break;
	case SMAB_P_BOOL:
		k = is_plain(n) ? read_bool(s) : -1;
		if (k < 0) {
			err_at(c->err, n, path, "expected true or false, got %s",
			       shown(n, buf, sizeof buf));
			return -1;
		}
		x = k;
		break;
	case SMAB_P_ENUM:
		k = n->type == YAML_SCALAR_NODE ? smab_param_choice(d, s) : -1;
		if (k < 0) {
			err_at(c->err, n, path, "expected one of %s, got %s",
			       d->choices ? d->choices : "", shown(n, buf, sizeof buf));
			return -1;
		}
		x = k;
		break;
	case SMAB_P_VEC:
		return to_vector(c, n, d, path, out);
	case SMAB_P_STR:
		if (n->type != YAML_SCALAR_NODE) {
			err_at(c->err, n, path, "expected a string, got %s",
			       shown(n, buf, sizeof buf));
			return -1;
		}
		*out = (smab_value){.x = 0, .n = 0, .v = NULL, .s = smab_xstrdup(s)};
		return 0;
	}
	*out = (smab_value){.x = x, .n = 0, .v = NULL};
	return 0;
}

/* A declaration's default, parsed by the same rules as a value in a file,
 * so the two cannot drift apart; a default that fails them is a bug in the
 * suite's table. */
static int default_value(cfg *c, const smab_param_decl *d, smab_value *out)
{
	yaml_parser_t p;
	yaml_document_t doc;
	int rc = -1;
	if (d->def && yaml_parser_initialize(&p)) {
		yaml_parser_set_input_string(&p, (const unsigned char *)d->def,
		                             strlen(d->def));
		if (yaml_parser_load(&p, &doc)) {
			const yaml_node_t *root = yaml_document_get_root_node(&doc);
			smab_errors scratch;
			smab_errors_init(&scratch, NULL);
			cfg dc = {.doc = &doc, .err = &scratch, .s = c->s};
			if (root)
				rc = to_value(&dc, root, d, d->name, out);
			smab_errors_clear(&scratch);
			yaml_document_delete(&doc);
		}
		yaml_parser_delete(&p);
	}
	if (rc)
		smab_errors_add(c->err, 0, 0, d->name,
		                "internal error: suite '%s' declares an invalid default '%s'",
		                c->s->name, d->def ? d->def : "(none)");
	return rc;
}

/* ---- the sections of the file ------------------------------------------ */

static const char *get_string(cfg *c, const yaml_node_t *n, const char *path,
                              const char *what)
{
	char buf[96];
	if (n->type != YAML_SCALAR_NODE || !*sval(n)) {
		err_at(c->err, n, path, "expected %s, got %s", what,
		       shown(n, buf, sizeof buf));
		return NULL;
	}
	return sval(n);
}

static void get_int(cfg *c, const yaml_node_t *n, const char *path,
                    double lo, double hi, int *out)
{
	char buf[96];
	double x;
	if (!read_int(n, &x) || x < lo || x > hi) {
		err_at(c->err, n, path, "expected an integer in [%.15g, %.15g], got %s",
		       lo, hi, shown(n, buf, sizeof buf));
		return;
	}
	*out = (int)x;
}

static void get_seed(cfg *c, const yaml_node_t *n)
{
	char buf[96];
	const char *s = is_plain(n) ? sval(n) : "";
	uint64_t v = 0;
	int ok = *s != '\0';
	for (const char *p = s; ok && *p; p++) {
		if (!is_digit(*p) || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			ok = 0;
		else
			v = 10 * v + (uint64_t)(*p - '0');
	}
	if (ok)
		c->e->seed = v;
	else
		err_at(c->err, n, "seed",
		       "expected an unsigned 64-bit integer in [0, %" PRIu64 "], got %s",
		       UINT64_MAX, shown(n, buf, sizeof buf));
}

static void get_suite(cfg *c, const yaml_node_t *n)
{
	const char **names = smab_xmalloc((size_t)smab_nsuites * sizeof *names);
	for (int i = 0; i < smab_nsuites; i++)
		names[i] = smab_suites[i]->name;
	const char *s = get_string(c, n, "suite", "a suite name");
	if (s) {
		c->s = smab_suite_find(s);
		if (!c->s)
			unknown(c, n, "suite", "suite", s, names, smab_nsuites, 1);
	}
	free(names);
}

/* The selected mechanisms, kept in the suite's order. */
static void get_mechs(cfg *c, const yaml_node_t *n)
{
	const smab_suite *s = c->s;
	char buf[96];
	if (n->type != YAML_SEQUENCE_NODE || nitems(n) == 0) {
		err_at(c->err, n, "mechanisms",
		       "expected a non-empty list of mechanisms such as [%s], got %s",
		       s->mechs[0].name, n->type == YAML_SEQUENCE_NODE ? "[]" : shown(n, buf, sizeof buf));
		return;
	}
	const char **names = smab_xmalloc((size_t)s->nmechs * sizeof *names);
	const yaml_node_t **seen = smab_xcalloc((size_t)s->nmechs, sizeof *seen);
	for (int i = 0; i < s->nmechs; i++)
		names[i] = s->mechs[i].name;
	const yaml_node_item_t *it = n->data.sequence.items.start;
	for (int i = 0; i < nitems(n); i++) {
		const yaml_node_t *m = get(c, it[i]);
		int k = m->type == YAML_SCALAR_NODE ? smab_suite_mech(s, sval(m)) : -1;
		if (m->type != YAML_SCALAR_NODE)
			err_at(c->err, m, "mechanisms", "expected a mechanism name, got %s",
			       shown(m, buf, sizeof buf));
		else if (k < 0)
			unknown(c, m, "mechanisms", "mechanism", sval(m), names, s->nmechs, 1);
		else if (seen[k])
			err_at(c->err, m, "mechanisms", "mechanism '%s' is listed twice (first at %d:%d)",
			       sval(m), line_of(seen[k]), col_of(seen[k]));
		else
			seen[k] = m;
	}
	c->e->nmech = 0;
	for (int k = 0; k < s->nmechs; k++)
		if (seen[k])
			c->e->mech[c->e->nmech++] = k;
	free(seen);
	free(names);
}

static int coal_agents(cfg *c, const yaml_node_t *at, const char *path);
static int coal_mask(cfg *c, const yaml_node_t *n, int M, const char *path,
                     uint32_t *mask);

static void set_param(cfg *c, int p, const yaml_node_t *kn,
                      const yaml_node_t *vn, const char *path)
{
	smab_experiment *e = c->e;
	smab_value v;
	if (e->where[2 * p]) {
		err_at(c->err, kn, path, "parameter '%s' is set twice (first at %d:%d)",
		       c->s->params[p].name, e->where[2 * p], e->where[2 * p + 1]);
		return;
	}
	e->where[2 * p] = line_of(vn);
	e->where[2 * p + 1] = col_of(vn);
	e->set[p] = 1;
	if (c->s->agents && !strcmp(c->s->params[p].name, "coalition") &&
	    vn->type == YAML_SEQUENCE_NODE) {
		/* one coalition as a list of agents; its mask is the value, once
		 * every other parameter (the instance) is known */
		c->coal = vn;
		c->coal_p = p;
		free(c->coal_path);
		c->coal_path = smab_xstrdup(path);
		return;
	}
	if (to_value(c, vn, &c->s->params[p], path, &v) == 0) {
		free(e->base[p].v);
		free(e->base[p].s);
		e->base[p] = v;
	}
}

/* Walk a 'params' mapping.  A nested mapping is a group whose keys join the
 * group's name with dots, so 'egreedy: {c: 2}' and 'egreedy.c: 2' set the
 * same parameter.  'prefix' is the group's dotted name (NULL at the top). */
static void get_params(cfg *c, const yaml_node_t *map, const char *prefix)
{
	char buf[96];
	char *ppath = join("params", prefix);
	if (map->type != YAML_MAPPING_NODE) {
		err_at(c->err, map, ppath, "expected a mapping of parameter names to values, got %s",
		       shown(map, buf, sizeof buf));
		free(ppath);
		return;
	}
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	for (int i = 0; i < npairs(map); i++) {
		const char *k = pair_key(c, map, i, ppath);
		if (!k)
			continue;
		const yaml_node_t *kn = get(c, pr[i].key), *vn = get(c, pr[i].value);
		char *name = join(prefix, k), *path = join("params", name);
		int p = smab_suite_param(c->s, name), g = group_member(c->s, name);
		if (p >= 0)
			set_param(c, p, kn, vn, path);
		else if (g >= 0 && vn->type == YAML_MAPPING_NODE)
			get_params(c, vn, name);
		else if (g >= 0)
			err_at(c->err, vn, path, "'%s' is a group of parameters: expected a mapping such as {%s: ...}, got %s",
			       name, c->s->params[g].name + strlen(name) + 1,
			       shown(vn, buf, sizeof buf));
		else
			unknown_param(c, kn, path, name);
		free(name);
		free(path);
	}
	free(ppath);
}

/* ---- sweep -------------------------------------------------------------- */

static void vlist_free(vlist *l)
{
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
		err_at(c->err, n, path, "empty sweep axis: expected at least one value");
		return -1;
	}
	vlist_alloc(l, nitems(n));
	for (int j = 0; j < l->len; j++) {
		const yaml_node_t *m = get(c, it[j]);
		if (to_value(c, m, d, path, &l->v[j]))
			bad = 1;
		l->mark[2 * j] = line_of(m);
		l->mark[2 * j + 1] = col_of(m);
	}
	return bad ? -1 : 0;
}

/* A range {from, to, num, scale: linear|log}: 'num' values from 'from' to
 * 'to' inclusive, evenly spaced or geometric, rounded for INT parameters.
 * Ranges are monotone, so checking both ends checks every value. */
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
		const char *k = pair_key(c, n, i, path);
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
		char *kp = join(path, k);
		unknown(c, get(c, pr[i].key), kp, "range key", k, range_keys, NRANGE, 0);
		free(kp);
		bad = 1;
	}
	if (d->type != SMAB_P_INT && d->type != SMAB_P_REAL) {
		err_at(c->err, n, path, "a range needs a numeric parameter, but '%s' is %s: write a list of values",
		       d->name, smab_ptype_name(d->type));
		return -1;
	}
	for (int t = 0; t < NRANGE; t++)
		rpath[t] = join(path, range_keys[t]);
	for (int t = 0; t < R_SCALE; t++)
		if (!r[t]) {
			err_at(c->err, n, path, "a range needs '%s' (keys: from, to, num, scale)",
			       range_keys[t]);
			bad = 1;
		}
	double *ends[2] = {&from, &to};
	for (int t = R_FROM; t <= R_TO; t++)
		if (r[t] && !read_number(r[t], ends[t])) {
			err_at(c->err, r[t], rpath[t], "expected a number, got %s",
			       shown(r[t], buf, sizeof buf));
			bad = 1;
			r[t] = NULL;    /* reported; skip its other checks */
		}
	if (r[R_NUM]) {
		int isint = read_int(r[R_NUM], &num);
		if (!isint || num < 1 || num > MAX_RANGE_NUM) {
			err_at(c->err, r[R_NUM], rpath[R_NUM], "%sexpected an integer in [1, %d], got %s",
			       isint && num < 1 ? "empty sweep axis: " : "",
			       MAX_RANGE_NUM, shown(r[R_NUM], buf, sizeof buf));
			bad = 1;
		}
	}
	if (r[R_SCALE]) {
		const yaml_node_t *sc = r[R_SCALE];
		if (sc->type == YAML_SCALAR_NODE && !strcmp(sval(sc), "log"))
			logscale = 1;
		else if (sc->type != YAML_SCALAR_NODE || strcmp(sval(sc), "linear") != 0) {
			err_at(c->err, sc, rpath[R_SCALE], "expected one of linear|log, got %s",
			       shown(sc, buf, sizeof buf));
			bad = 1;
		}
	}
	for (int t = R_FROM; logscale && t <= R_TO; t++)
		if (r[t] && *ends[t] <= 0) {
			err_at(c->err, r[t], rpath[t], "a log range needs from > 0 and to > 0, got %s",
			       shown(r[t], buf, sizeof buf));
			bad = 1;
		}
	if (!bad) {
		vlist_alloc(l, (int)num);
		mark_all(l, n);
		for (int j = 0; j < l->len; j++) {
			double t = l->len > 1 ? (double)j / (l->len - 1) : 0;
			double x = logscale ? from * pow(to / from, t) : from + (to - from) * t;
			if (j == l->len - 1 && j > 0)
				x = to;     /* the end exactly, whatever the rounding */
			if (d->type == SMAB_P_INT)
				x = round(x);
			l->v[j].x = x == 0 ? 0 : x;     /* round(-0.4) is -0 */
		}
		for (int end = 0; end < 2; end++) {
			double x = l->v[end ? l->len - 1 : 0].x;
			int t = end ? R_TO : R_FROM;
			if (x < d->lo || x > d->hi) {
				err_at(c->err, r[t], rpath[t], "expected %s in [%.15g, %.15g], got %s",
				       d->type == SMAB_P_INT ? "an integer" : "a number",
				       d->lo, d->hi, shown(r[t], buf, sizeof buf));
				bad = 1;
			}
		}
	}
	for (int t = 0; t < NRANGE; t++)
		free(rpath[t]);
	return bad ? -1 : 0;
}

/* ---- the coalition axis ------------------------------------------------ */

/* Number of agents of the instance the base values describe, or -1 after
 * an error at 'at'. */
static int coal_agents(cfg *c, const yaml_node_t *at, const char *path)
{
	int M = c->s->agents(c->e->base, NULL);
	if (M < 1 || M > SMAB_MAX_AGENTS) {
		err_at(c->err, at, path, "the instance has %d agents: a coalition sweep needs 1 to %d",
		       M, SMAB_MAX_AGENTS);
		return -1;
	}
	return M;
}

/* A coalition written as a list of distinct agent indices, e.g. [0, 2]. */
static int coal_mask(cfg *c, const yaml_node_t *n, int M, const char *path,
                     uint32_t *mask)
{
	char buf[96];
	double x;
	*mask = 0;
	if (n->type != YAML_SEQUENCE_NODE || nitems(n) == 0) {
		err_at(c->err, n, path, "expected a coalition: a non-empty list of agent indices in [0, %d] such as [0, 1], got %s",
		       M - 1, shown(n, buf, sizeof buf));
		return -1;
	}
	const yaml_node_item_t *it = n->data.sequence.items.start;
	for (int i = 0; i < nitems(n); i++) {
		const yaml_node_t *m = get(c, it[i]);
		if (!read_int(m, &x) || x < 0 || x > M - 1) {
			err_at(c->err, m, path, "expected an agent index in [0, %d] (the instance has %d agents), got %s",
			       M - 1, M, shown(m, buf, sizeof buf));
			return -1;
		}
		uint32_t bit = 1u << (int)x;
		if (*mask & bit) {
			err_at(c->err, m, path, "agent %d appears twice in this coalition", (int)x);
			return -1;
		}
		*mask |= bit;
	}
	return 0;
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
 *   [[0], [1], [0, 1]]           an explicit list
 *   {sizes: [1, 8]}              every coalition of these sizes
 *   {sample: permutations, n: N} the prefixes of N random agent orders
 * Coalitions are ordered by size, then mask (the paper's tables' order). */
static int sweep_coalition(cfg *c, const yaml_node_t *vn, const char *path, vlist *l)
{
	char buf[96];
	int M = coal_agents(c, vn, path);
	if (M < 0)
		return -1;
	uint32_t *masks = NULL;
	int n = 0, rc = -1;
	if (vn->type == YAML_SCALAR_NODE && strcmp(sval(vn), "all") == 0) {
		masks = smab_xmalloc(((size_t)1 << M) * sizeof *masks);
		n = smab_coal_all(M, masks);
		rc = 0;
	} else if (vn->type == YAML_SEQUENCE_NODE && nitems(vn) > 0) {
		const yaml_node_item_t *it = vn->data.sequence.items.start;
		masks = smab_xmalloc((size_t)nitems(vn) * sizeof *masks);
		vlist_alloc(l, nitems(vn));
		rc = 0;
		for (int j = 0; j < nitems(vn); j++) {
			const yaml_node_t *m = get(c, it[j]);
			l->mark[2 * j] = line_of(m);
			l->mark[2 * j + 1] = col_of(m);
			if (coal_mask(c, m, M, path, &masks[j]))
				rc = -1;
			for (int i = 0; rc == 0 && i < j; i++)
				if (masks[i] == masks[j]) {
					err_at(c->err, m, path, "this coalition is already in the list (entry %d)", i + 1);
					rc = -1;
				}
			l->v[j].x = masks[j];
		}
		free(masks);
		return rc;
	} else if (vn->type == YAML_MAPPING_NODE) {
		const yaml_node_t *sizes = NULL, *sample = NULL, *num = NULL;
		const yaml_node_pair_t *pr = vn->data.mapping.pairs.start;
		static const char *const keys[] = {"sizes", "sample", "n"};
		rc = 0;
		for (int i = 0; i < npairs(vn); i++) {
			const char *k = pair_key(c, vn, i, path);
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
			else {
				char *kp = join(path, k);
				unknown(c, get(c, pr[i].key), kp, "coalition key", k, keys, 3, 0);
				free(kp);
				rc = -1;
			}
		}
		if (rc)
			return -1;
		if (sizes && !sample && !num) {
			int ns = sizes->type == YAML_SEQUENCE_NODE ? nitems(sizes) : 0;
			int *sz = smab_xcalloc((size_t)ns + 1, sizeof *sz);
			const yaml_node_item_t *it = ns ? sizes->data.sequence.items.start : NULL;
			if (ns == 0) {
				err_at(c->err, sizes, path, "expected a non-empty list of coalition sizes in [1, %d], got %s",
				       M, shown(sizes, buf, sizeof buf));
				rc = -1;
			}
			for (int i = 0; i < ns; i++) {
				const yaml_node_t *m = get(c, it[i]);
				double x;
				if (!read_int(m, &x) || x < 1 || x > M) {
					err_at(c->err, m, path, "expected a coalition size in [1, %d] (the instance has %d agents), got %s",
					       M, M, shown(m, buf, sizeof buf));
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
				err_at(c->err, sample, path, "expected 'sample: permutations', got %s",
				       shown(sample, buf, sizeof buf));
				rc = -1;
			}
			if (!num) {
				err_at(c->err, vn, path, "a sampled coalition axis needs 'n', the number of random agent orders");
				rc = -1;
			} else if (!read_int(num, &x) || x < 1 || x > 8192 / M) {
				/* the orders are kept in a root attribute (64 KiB) */
				err_at(c->err, num, path, "expected a number of agent orders in [1, %d], got %s",
				       8192 / M, shown(num, buf, sizeof buf));
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
			err_at(c->err, vn, path, "expected {sizes: [...]} or {sample: permutations, n: N}");
			rc = -1;
		}
	} else {
		err_at(c->err, vn, path, "expected 'all', a list of coalitions such as [[0], [1], [0, 1]], {sizes: [...]} or {sample: permutations, n: N}, got %s",
		       shown(vn, buf, sizeof buf));
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
	int p = smab_suite_param(s, name), g = group_member(s, name), rc;
	memset(l, 0, sizeof *l);
	if (p < 0 && g >= 0) {
		err_at(c->err, kn, path, "nested names are not allowed in 'sweep': write dotted names such as '%s'",
		       s->params[g].name);
		return -1;
	}
	if (p < 0) {
		unknown_param(c, kn, path, name);
		return -1;
	}
	const smab_param_decl *d = &s->params[p];
	if (d->type == SMAB_P_VEC || d->type == SMAB_P_STR) {
		err_at(c->err, kn, path, "cannot sweep a %s parameter",
		       d->type == SMAB_P_VEC ? "list" : "string");
		return -1;
	}
	if (c->swept[2 * p]) {
		err_at(c->err, kn, path, "parameter '%s' is already swept by the axis at %d:%d",
		       name, c->swept[2 * p], c->swept[2 * p + 1]);
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
		err_at(c->err, vn, path, "expected a list of values or a range {from, to, num, scale}, got %s",
		       shown(vn, buf, sizeof buf));
		rc = -1;
	}
	if (rc) {
		vlist_free(l);
		return -1;
	}
	l->param = p;
	l->node = vn;
	l->path = smab_xstrdup(path);
	c->e->set[p] = 1;
	c->e->where[2 * p] = line_of(vn);
	c->e->where[2 * p + 1] = col_of(vn);
	return 0;
}

/* Append an axis made of 'n' lists of equal length, written at 'at'. */
static void add_axis(cfg *c, const vlist *l, int n, const yaml_node_t *at)
{
	smab_experiment *e = c->e;
	e->axes = smab_xrealloc(e->axes, (size_t)(e->naxes + 1) * sizeof *e->axes);
	c->marks = smab_xrealloc(c->marks, (size_t)(e->naxes + 1) * sizeof *c->marks);
	smab_axis *ax = &e->axes[e->naxes];
	int len = l[0].len;
	int *mk = smab_xmalloc(2 * (size_t)len * (size_t)n * sizeof *mk);
	ax->nparam = n;
	ax->len = len;
	ax->param = smab_xmalloc((size_t)n * sizeof *ax->param);
	ax->values = smab_xmalloc((size_t)len * (size_t)n * sizeof *ax->values);
	ax->line = line_of(at);
	ax->col = col_of(at);
	for (int k = 0; k < n; k++) {
		ax->param[k] = l[k].param;
		for (int j = 0; j < len; j++) {
			ax->values[j * n + k] = l[k].v[j];
			mk[2 * (j * n + k)] = l[k].mark[2 * j];
			mk[2 * (j * n + k) + 1] = l[k].mark[2 * j + 1];
		}
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
		err_at(c->err, g, path, "expected a non-empty mapping of parameter names to lists, got %s",
		       g->type == YAML_MAPPING_NODE ? "an empty mapping" : shown(g, buf, sizeof buf));
		return;
	}
	const yaml_node_pair_t *pr = g->data.mapping.pairs.start;
	vlist *l = smab_xcalloc((size_t)npairs(g), sizeof *l);
	int nl = 0, ok = 1;
	for (int i = 0; i < npairs(g); i++) {
		const char *k = pair_key(c, g, i, path);
		if (!k) {
			ok = 0;
			continue;
		}
		char *p = join(path, k);
		if (sweep_param(c, get(c, pr[i].key), get(c, pr[i].value), k, p, &l[nl]) == 0)
			nl++;
		else
			ok = 0;
		free(p);
	}
	for (int i = 1; i < nl; i++)
		if (l[i].len != l[0].len) {
			err_at(c->err, l[i].node, l[i].path,
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

static void get_sweep(cfg *c, const yaml_node_t *kn, const yaml_node_t *map)
{
	char buf[96];
	if (map->type != YAML_MAPPING_NODE) {
		err_at(c->err, map, "sweep", "expected a mapping of parameter names to lists or ranges, got %s",
		       shown(map, buf, sizeof buf));
		return;
	}
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	for (int i = 0; i < npairs(map); i++) {
		const char *k = pair_key(c, map, i, "sweep");
		if (!k)
			continue;
		const yaml_node_t *key = get(c, pr[i].key), *vn = get(c, pr[i].value);
		if (strcmp(k, "zip") == 0 && vn->type == YAML_SEQUENCE_NODE) {
			/* several zip groups, one axis each */
			const yaml_node_item_t *it = vn->data.sequence.items.start;
			if (nitems(vn) == 0)
				err_at(c->err, vn, "sweep.zip", "empty sweep axis: expected at least one zip group");
			for (int j = 0; j < nitems(vn); j++) {
				char path[32];
				snprintf(path, sizeof path, "sweep.zip[%d]", j);
				zip_group(c, get(c, it[j]), get(c, it[j]), path);
			}
		} else if (strcmp(k, "zip") == 0) {
			zip_group(c, vn, key, "sweep.zip");
		} else {
			vlist l;
			char *path = join("sweep", k);
			if (sweep_param(c, key, vn, k, path, &l) == 0)
				add_axis(c, &l, 1, key);
			vlist_free(&l);
			free(path);
		}
	}
	int64_t np = 1;
	for (int a = 0; a < c->e->naxes; a++) {
		if (np > MAX_POINTS / c->e->axes[a].len) {
			err_at(c->err, kn, "sweep", "the sweep has more than %d points", MAX_POINTS);
			break;
		}
		np *= c->e->axes[a].len;
	}
}

/* ---- cross-parameter check ---------------------------------------------- */

/* Where the value of parameter 'p' at point 'id' was written: its sweep
 * entry, its 'params' entry, or the start of the file for a default. */
static void value_mark(const cfg *c, int64_t id, int p, int *line, int *col)
{
	const smab_experiment *e = c->e;
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++)
			if (e->axes[a].param[k] == p) {
				int j = smab_sweep_index(e, id, a);
				const int *mk = &c->marks[a][2 * (j * e->axes[a].nparam + k)];
				*line = mk[0];
				*col = mk[1];
				return;
			}
	*line = e->where[2 * p] ? e->where[2 * p] : 1;
	*col = e->where[2 * p] ? e->where[2 * p + 1] : 1;
}

/* One distinct failure of the suite's check: the first point that shows it
 * and how many more do. */
typedef struct check_fail {
	int line, col, bad;
	int64_t more;
	char msg[256];
	char at[256];
} check_fail;

/* " (sweep point 5: arms=3, gap=0.2", the swept values of a point. */
static void describe_point(const smab_experiment *e, int64_t id,
                           const smab_value *vals, char *at, size_t len)
{
	size_t used = (size_t)snprintf(at, len, " (sweep point %" PRId64, id);
	for (int a = 0; a < e->naxes && used < len; a++)
		for (int k = 0; k < e->axes[a].nparam && used < len; k++) {
			const smab_param_decl *d = &e->suite->params[e->axes[a].param[k]];
			char *v = smab_value_str(d, &vals[e->axes[a].param[k]], 6);
			used += (size_t)snprintf(at + used, len - used, "%s%s=%s",
			                         a || k ? ", " : ": ", d->name, v);
			free(v);
		}
}

/* Run the suite's check on every point.  Failures with the same message at
 * the same place (one bad value failing at many points) are reported once,
 * with a count; at most MAX_CHECK_FAILS distinct ones, each at the place
 * the blamed parameter got its value. */
static void check_points(cfg *c)
{
	const smab_experiment *e = c->e;
	const smab_suite *s = c->s;
	if (!s->check)
		return;
	int64_t np = smab_sweep_npoints(e);
	smab_value *vals = smab_xmalloc((size_t)s->nparams * sizeof *vals);
	check_fail *f = smab_xcalloc(MAX_CHECK_FAILS, sizeof *f);
	int nf = 0;
	/* A coalition axis was expanded for the agents of the base values:
	 * every point must have that many. */
	int pc = s->agents ? smab_suite_param(s, "coalition") : -1;
	if (pc >= 0 && c->swept[2 * pc]) {
		int M0 = s->agents(e->base, NULL);
		for (int64_t id = 0; id < np; id++) {
			smab_sweep_point(e, id, vals);
			int M = s->agents(vals, NULL);
			if (M == M0)
				continue;
			char at[256] = "";
			describe_point(e, id, vals, at, sizeof at);
			smab_errors_add(c->err, c->swept[2 * pc], c->swept[2 * pc + 1], "coalition",
			                "the coalition axis was expanded for %d agents, but this point's instance has %d%s): "
			                "put instances with different numbers of agents in separate files",
			                M0, M, at);
			break;
		}
	}
	for (int64_t id = 0; id < np; id++) {
		check_fail cur = {.line = 1, .col = 1, .bad = -1};
		smab_sweep_point(e, id, vals);
		if (!s->check(vals, cur.msg, sizeof cur.msg, &cur.bad))
			continue;
		if (cur.bad >= 0 && cur.bad < s->nparams)
			value_mark(c, id, cur.bad, &cur.line, &cur.col);
		else
			cur.bad = -1;
		int i = 0;
		while (i < nf && (f[i].line != cur.line || f[i].col != cur.col ||
		                  f[i].bad != cur.bad || strcmp(f[i].msg, cur.msg) != 0))
			i++;
		if (i < nf) {
			f[i].more++;
		} else if (nf < MAX_CHECK_FAILS) {
			if (e->naxes)
				describe_point(e, id, vals, cur.at, sizeof cur.at);
			f[nf++] = cur;
		}
	}
	for (int i = 0; i < nf; i++) {
		char more[64] = "";
		if (f[i].more)
			snprintf(more, sizeof more, "; and %" PRId64 " more point%s", f[i].more,
			         f[i].more > 1 ? "s" : "");
		smab_errors_add(c->err, f[i].line, f[i].col,
		                f[i].bad >= 0 ? s->params[f[i].bad].name : NULL,
		                "%s%s%s%s", f[i].msg, f[i].at, more,
		                e->naxes ? ")" : "");
	}
	free(f);
	free(vals);
}

/* ---- the document ------------------------------------------------------- */

/* The file's base name without its extension: "exp/quick.yaml" -> "quick". */
static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
	if (n == 0)
		return smab_xstrdup("experiment");
	char *s = smab_xmalloc(n + 1);
	memcpy(s, b, n);
	s[n] = '\0';
	return s;
}

static void get_root(cfg *c, const yaml_node_t *root, const char *path)
{
	smab_experiment *e = c->e;
	const yaml_node_t *val[NTOP] = {0}, *key[NTOP] = {0};
	char buf[96];
	if (root && root->type != YAML_MAPPING_NODE) {
		err_at(c->err, root, NULL, "expected a mapping of experiment keys (suite, params, sweep, ...), got %s",
		       shown(root, buf, sizeof buf));
		return;
	}
	for (int i = 0; root && i < npairs(root); i++) {
		const yaml_node_pair_t *pr = &root->data.mapping.pairs.start[i];
		const char *k = pair_key(c, root, i, NULL);
		int t = 0;
		if (!k)
			continue;
		while (t < NTOP && strcmp(k, top_keys[t]) != 0)
			t++;
		if (t == NTOP) {
			unknown(c, get(c, pr->key), k, "key", k, top_keys, NTOP, 0);
			continue;
		}
		key[t] = get(c, pr->key);
		val[t] = get(c, pr->value);
	}

	if (val[K_SUITE])
		get_suite(c, val[K_SUITE]);
	else
		smab_errors_add(c->err, 1, 1, "suite", "missing required key 'suite' (the experiment family, e.g. 'suite: %s')",
		                smab_suites[0]->name);
	const char *s = val[K_NAME] ? get_string(c, val[K_NAME], "name", "a name") : NULL;
	e->name = s ? smab_xstrdup(s) : base_name(path);
	s = val[K_OUTPUT] ? get_string(c, val[K_OUTPUT], "output", "a file name") : NULL;
	if (s) {
		e->output = smab_xstrdup(s);
	} else {
		size_t n = strlen(e->name) + sizeof "results/.h5";
		e->output = smab_xmalloc(n);
		snprintf(e->output, n, "results/%s.h5", e->name);
	}
	if (val[K_SEED])
		get_seed(c, val[K_SEED]);
	if (val[K_REPS])
		get_int(c, val[K_REPS], "replications", 1, MAX_REPLICATIONS, &e->replications);
	if (val[K_RECORD])
		get_int(c, val[K_RECORD], "record", 1, MAX_RECORD, &e->record);
	if (!c->s)
		return;     /* params, mechanisms and sweep need the suite's tables */

	const smab_suite *su = c->s;
	e->suite = su;
	e->base = smab_xcalloc((size_t)su->nparams, sizeof *e->base);
	e->set = smab_xcalloc((size_t)su->nparams, sizeof *e->set);
	e->where = smab_xcalloc(2 * (size_t)su->nparams, sizeof *e->where);
	e->mech = smab_xcalloc((size_t)su->nmechs, sizeof *e->mech);
	c->swept = smab_xcalloc(2 * (size_t)su->nparams, sizeof *c->swept);
	for (int i = 0; i < su->nparams; i++)
		default_value(c, &su->params[i], &e->base[i]);
	if (val[K_MECHS]) {
		get_mechs(c, val[K_MECHS]);
	} else {
		for (int k = 0; k < su->nmechs; k++)
			e->mech[k] = k;
		e->nmech = su->nmechs;
	}
	if (val[K_PARAMS])
		get_params(c, val[K_PARAMS], NULL);
	if (c->coal) {
		int M = coal_agents(c, c->coal, c->coal_path);
		uint32_t mask;
		if (M > 0 && coal_mask(c, c->coal, M, c->coal_path, &mask) == 0)
			e->base[c->coal_p].x = mask;
		free(c->coal_path);
		c->coal_path = NULL;
	}
	if (val[K_SWEEP])
		get_sweep(c, key[K_SWEEP], val[K_SWEEP]);
}

/* A libyaml failure as one error at its mark.  Reader errors (bad UTF-8)
 * carry only a byte offset, so the line and column are counted here. */
static void yaml_problem(cfg *c, const yaml_parser_t *p, const char *text)
{
	int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
	const char *what = p->problem ? p->problem : "out of memory";
	if (p->error == YAML_READER_ERROR) {
		line = col = 1;
		for (size_t i = 0; i < p->problem_offset; i++, col++)
			if (text[i] == '\n') {
				line++;
				col = 0;
			}
	}
	if (p->context)
		smab_errors_add(c->err, line, col, NULL, "invalid YAML: %s %s started at %d:%d",
		                what, p->context, (int)p->context_mark.line + 1,
		                (int)p->context_mark.column + 1);
	else
		smab_errors_add(c->err, line, col, NULL, "invalid YAML: %s", what);
}

/* ---- command-line overrides (--set KEY=VALUE) ---------------------------
 *
 * An override is spliced into the document tree before it is walked, so it
 * is validated exactly as if it had been written in the file.  Its nodes
 * carry a line number past SET_LINE that says which override they came
 * from; errors at such a line are rewritten to name the override. */
#define SET_LINE 1000000000

/* Deep copy of node 'id' of src into dst, every node marked 'mark'.
 * Returns the new node's id, 0 when libyaml is out of memory. */
static int copy_node(yaml_document_t *dst, yaml_document_t *src, int id,
                     yaml_mark_t mark)
{
	yaml_node_t *n = yaml_document_get_node(src, id);
	int out = 0;
	if (n->type == YAML_SCALAR_NODE) {
		out = yaml_document_add_scalar(dst, n->tag, n->data.scalar.value,
		                               (int)n->data.scalar.length, n->data.scalar.style);
	} else if (n->type == YAML_SEQUENCE_NODE) {
		out = yaml_document_add_sequence(dst, n->tag, n->data.sequence.style);
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     out && it < n->data.sequence.items.top; it++) {
			int child = copy_node(dst, src, *it, mark);
			if (!child || !yaml_document_append_sequence_item(dst, out, child))
				return 0;
		}
	} else if (n->type == YAML_MAPPING_NODE) {
		out = yaml_document_add_mapping(dst, n->tag, n->data.mapping.style);
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
		     out && pr < n->data.mapping.pairs.top; pr++) {
			int k = copy_node(dst, src, pr->key, mark);
			int v = k ? copy_node(dst, src, pr->value, mark) : 0;
			if (!v || !yaml_document_append_mapping_pair(dst, out, k, v))
				return 0;
		}
	}
	if (out) {
		yaml_node_t *m = yaml_document_get_node(dst, out);
		m->start_mark = m->end_mark = mark;
	}
	return out;
}

/* A new plain scalar node marked 'mark'; 0 when out of memory. */
static int add_key(yaml_document_t *doc, const char *s, yaml_mark_t mark)
{
	int id = yaml_document_add_scalar(doc, NULL, (const yaml_char_t *)s, (int)strlen(s),
	                                  YAML_PLAIN_SCALAR_STYLE);
	if (id)
		yaml_document_get_node(doc, id)->start_mark = mark;
	return id;
}

/* Components a[i..j] joined with dots, as a fresh string. */
static char *join_parts(char *const *a, int i, int j)
{
	char *s = smab_xstrdup(a[i]);
	for (int k = i + 1; k <= j; k++) {
		char *t = join(s, a[k]);
		free(s);
		s = t;
	}
	return s;
}

/* Put value node 'val' at the dotted 'key' of the document: replace the
 * value if the key is there (written nested or dotted), else add it --
 * nested at the top level, where keys are plain names, and as one dotted
 * key below it (params and sweep accept dotted names).  Returns NULL or a
 * static reason it cannot. */
static const char *splice(yaml_document_t *doc, char **part, int nparts, int val,
                          yaml_mark_t mark)
{
	if (!yaml_document_get_root_node(doc) && !yaml_document_add_mapping(doc, NULL,
	                                                                  YAML_BLOCK_MAPPING_STYLE))
		return "out of memory";
	int cur = 1, i = 0;   /* the root is node 1 */
	while (i < nparts) {
		yaml_node_t *m = yaml_document_get_node(doc, cur);
		if (m->type != YAML_MAPPING_NODE)
			return "the key above it is not a mapping in the file";
		int found = -1, at = -1;
		for (int j = nparts - 1; j >= i && found < 0; j--) {
			char *want = join_parts(part, i, j);
			for (yaml_node_pair_t *pr = m->data.mapping.pairs.start;
			     pr < m->data.mapping.pairs.top; pr++) {
				yaml_node_t *k = yaml_document_get_node(doc, pr->key);
				if (k->type == YAML_SCALAR_NODE && strcmp(sval(k), want) == 0) {
					found = j;
					at = (int)(pr - m->data.mapping.pairs.start);
					break;
				}
			}
			free(want);
		}
		if (found == nparts - 1) {
			m->data.mapping.pairs.start[at].value = val;
			return NULL;
		}
		if (found >= 0) {
			cur = m->data.mapping.pairs.start[at].value;
			i = found + 1;
			continue;
		}
		int last = cur != 1 || i == nparts - 1;
		char *name = last ? join_parts(part, i, nparts - 1) : smab_xstrdup(part[i]);
		int k = add_key(doc, name, mark);
		free(name);
		int v = last ? val : yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
		if (!k || !v || !yaml_document_append_mapping_pair(doc, cur, k, v))
			return "out of memory";
		if (last)
			return NULL;
		yaml_document_get_node(doc, v)->start_mark = mark;
		cur = v;
		i++;
	}
	return NULL;
}

/* Apply override number 'idx' ("KEY=VALUE", VALUE in YAML flow syntax) to
 * the document; problems go to the error list. */
static void apply_set(cfg *c, yaml_document_t *doc, const char *set, int idx)
{
	const char *eq = strchr(set, '=');
	if (!eq || eq == set || eq[1] == '\0') {
		smab_errors_add(c->err, 0, 0, NULL, "--set '%s': expected KEY=VALUE, "
		                "e.g. --set params.horizon=1000", set);
		return;
	}
	char *key = smab_xmalloc((size_t)(eq - set) + 1);
	memcpy(key, set, (size_t)(eq - set));
	key[eq - set] = '\0';
	char *part[64];
	int nparts = 0, bad = 0;
	for (char *tok = key, *save = NULL; nparts < 64; tok = NULL) {
		char *t = strtok_r(tok, ".", &save);
		if (!t)
			break;
		part[nparts++] = t;
	}
	for (const char *p = key; *p; p++)
		bad |= p[0] == '.' && (p == key || p[1] == '.' || p[1] == '\0');
	yaml_parser_t parser;
	yaml_document_t vdoc;
	int loaded = 0;
	if (bad || nparts == 0 || nparts == 64) {
		smab_errors_add(c->err, 0, 0, NULL, "--set '%s': '%s' is not a dotted key", set, key);
	} else if (!yaml_parser_initialize(&parser)) {
		smab_errors_add(c->err, 0, 0, NULL, "cannot initialise the YAML parser");
	} else {
		yaml_parser_set_input_string(&parser, (const unsigned char *)eq + 1, strlen(eq + 1));
		loaded = yaml_parser_load(&parser, &vdoc);
		if (!loaded)
			smab_errors_add(c->err, 0, 0, key, "--set '%s': the value is not valid YAML: %s",
			                set, parser.problem ? parser.problem : "out of memory");
		yaml_parser_delete(&parser);
	}
	if (loaded) {
		yaml_mark_t mark = {0, (size_t)SET_LINE + (size_t)idx, 0};
		/* An empty file has no root yet: make the root mapping first, or
		 * the copied value would become node 1, the root. */
		if (!yaml_document_get_root_node(doc))
			yaml_document_add_mapping(doc, NULL, YAML_BLOCK_MAPPING_STYLE);
		int val = yaml_document_get_root_node(&vdoc) ? copy_node(doc, &vdoc, 1, mark) : 0;
		const char *why = val ? splice(doc, part, nparts, val, mark) : "empty value";
		if (why)
			smab_errors_add(c->err, 0, 0, key, "--set '%s': cannot apply it: %s", set, why);
		yaml_document_delete(&vdoc);
	}
	free(key);
}

/* Errors found at an override's nodes: say which override, not a line. */
static void name_overrides(smab_errors *err, int from, const char *const *set, int nset)
{
	for (int i = from; i < err->n; i++) {
		smab_error *e = &err->e[i];
		if (e->line <= SET_LINE || e->line - SET_LINE - 1 >= nset)
			continue;
		const char *s = set[e->line - SET_LINE - 1];
		size_t n = strlen(s) + strlen(e->msg) + 32;
		char *msg = smab_xmalloc(n);
		snprintf(msg, n, "in --set '%s': %s", s, e->msg);
		free(e->msg);
		e->msg = msg;
		e->line = e->col = 0;
	}
}

/* Parse the text into a document and walk it; a second document in the
 * stream is an error rather than silently ignored. */
static void parse_text(cfg *c, const char *text, size_t len, const char *path,
                       const char *const *set, int nset)
{
	yaml_parser_t parser;
	yaml_document_t doc, next;
	if (!yaml_parser_initialize(&parser)) {
		smab_errors_add(c->err, 0, 0, NULL, "cannot initialise the YAML parser");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_problem(c, &parser, text);
		yaml_parser_delete(&parser);
		return;
	}
	c->doc = &doc;
	for (int i = 0; i < nset; i++)
		apply_set(c, &doc, set[i], i);
	get_root(c, yaml_document_get_root_node(&doc), path);
	if (!yaml_parser_load(&parser, &next)) {
		yaml_problem(c, &parser, text);
	} else {
		const yaml_node_t *r = yaml_document_get_root_node(&next);
		if (r)
			err_at(c->err, r, NULL, "expected one YAML document, found a second one");
		yaml_document_delete(&next);
	}
	yaml_document_delete(&doc);
	c->doc = NULL;
	yaml_parser_delete(&parser);
}

/* Order this parse's errors by position, stably, as a compiler would. */
static void sort_errors(smab_errors *err, int from)
{
	for (int i = from + 1; i < err->n; i++) {
		smab_error t = err->e[i];
		int j = i;
		while (j > from && (err->e[j - 1].line > t.line ||
		                    (err->e[j - 1].line == t.line && err->e[j - 1].col > t.col))) {
			err->e[j] = err->e[j - 1];
			j--;
		}
		err->e[j] = t;
	}
}

int smab_config_parse(const char *text, size_t len, const char *name,
                      smab_experiment **out, smab_errors *err)
{
	return smab_config_parse_set(text, len, name, NULL, 0, out, err);
}

int smab_config_parse_set(const char *text, size_t len, const char *name,
                          const char *const *set, int nset,
                          smab_experiment **out, smab_errors *err)
{
	if (!out || !err)
		return SMAB_EINVAL;
	*out = NULL;
	if (!text && len)
		return SMAB_EINVAL;
	int nerr0 = err->n;
	smab_experiment *e = smab_xcalloc(1, sizeof *e);
	cfg c = {.err = err, .e = e};
	e->path = smab_xstrdup(name ? name : "<input>");
	e->text = smab_xmalloc(len + 1);
	if (len)
		memcpy(e->text, text, len);
	e->text[len] = '\0';
	e->seed = 1;
	e->replications = 10;
	e->record = 100;

	for (int i = 0; i < nset; i++) {
		size_t have = e->overrides ? strlen(e->overrides) : 0;
		size_t n = have + strlen(set[i]) + 2;
		e->overrides = smab_xrealloc(e->overrides, n);
		snprintf(e->overrides + have, n - have, "%s%s", i ? "\n" : "", set[i]);
	}
	parse_text(&c, e->text, len, e->path, set, nset);
	if (err->n == nerr0 && c.s)
		check_points(&c);
	name_overrides(err, nerr0, set, nset);

	for (int a = 0; a < e->naxes; a++)
		free(c.marks[a]);
	free(c.marks);
	free(c.swept);
	if (err->n > nerr0) {
		sort_errors(err, nerr0);
		smab_experiment_free(&e);
		return SMAB_EINVAL;
	}
	*out = e;
	return SMAB_OK;
}

int smab_config_load(const char *path, smab_experiment **out, smab_errors *err)
{
	return smab_config_load_set(path, NULL, 0, out, err);
}

int smab_config_load_set(const char *path, const char *const *set, int nset,
                         smab_experiment **out, smab_errors *err)
{
	if (!out || !err || !path)
		return SMAB_EINVAL;
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		smab_errors_add(err, 0, 0, NULL, "cannot read file: %s", strerror(errno));
		return SMAB_EIO;
	}
	size_t len = 0, cap = 4096;
	char *buf = smab_xmalloc(cap);
	for (;;) {
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		cap *= 2;
		buf = smab_xrealloc(buf, cap);
	}
	if (ferror(f)) {
		int errnum = errno;
		fclose(f);
		free(buf);
		smab_errors_add(err, 0, 0, NULL, "cannot read file: %s", strerror(errnum));
		return SMAB_EIO;
	}
	fclose(f);
	int rc = smab_config_parse_set(buf, len, path, set, nset, out, err);
	free(buf);
	return rc;
}

void smab_experiment_free(smab_experiment **pe)
{
	if (!pe || !*pe)
		return;
	smab_experiment *e = *pe;
	if (e->base)
		for (int i = 0; i < e->suite->nparams; i++) {
			free(e->base[i].v);
			free(e->base[i].s);
		}
	for (int a = 0; a < e->naxes; a++) {
		free(e->axes[a].param);
		free(e->axes[a].values);
	}
	free(e->axes);
	free(e->base);
	free(e->set);
	free(e->where);
	free(e->mech);
	free(e->name);
	free(e->output);
	free(e->path);
	free(e->text);
	free(e->overrides);
	free(e);
	*pe = NULL;
}

/* ---- canonical text ----------------------------------------------------- */

static int axis_of(const smab_experiment *e, int p)
{
	for (int a = 0; a < e->naxes; a++)
		for (int k = 0; k < e->axes[a].nparam; k++)
			if (e->axes[a].param[k] == p)
				return a;
	return -1;
}

static void put_value(FILE *f, const smab_param_decl *d, const smab_value *v)
{
	char *t = smab_value_str(d, v, 0);
	fputs(t, f);
	free(t);
}

static void put_axis_param(FILE *f, const smab_experiment *e, const smab_axis *ax, int k)
{
	const smab_param_decl *d = &e->suite->params[ax->param[k]];
	fprintf(f, "%s: [", d->name);
	for (int j = 0; j < ax->len; j++) {
		if (j)
			fputs(", ", f);
		put_value(f, d, &ax->values[j * ax->nparam + k]);
	}
	fputc(']', f);
}

/* YAML text, so the provenance stored with results reads like the input.
 * Swept parameters appear only under 'sweep': their base value is unused.
 * Ranges appear expanded, so a range and the equal list agree. */
char *smab_config_canonical(const smab_experiment *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	const smab_suite *s = e->suite;
	fprintf(f, "suite: %s\nseed: %" PRIu64 "\nreplications: %d\nrecord: %d\nmechanisms: [",
	        s->name, e->seed, e->replications, e->record);
	for (int k = 0; k < e->nmech; k++)
		fprintf(f, "%s%s", k ? ", " : "", s->mechs[e->mech[k]].name);
	fputs("]\nparams:\n", f);
	for (int i = 0; i < s->nparams; i++) {
		if (axis_of(e, i) >= 0)
			continue;
		fprintf(f, "  %s: ", s->params[i].name);
		put_value(f, &s->params[i], &e->base[i]);
		fputc('\n', f);
	}
	if (e->coal_nperm)
		fprintf(f, "coalition_perms: %d\n", e->coal_nperm);
	if (e->naxes)
		fputs("sweep:\n", f);
	for (int a = 0; a < e->naxes; a++) {
		const smab_axis *ax = &e->axes[a];
		if (ax->nparam == 1) {
			fputs("  - ", f);
			put_axis_param(f, e, ax, 0);
			fputc('\n', f);
			continue;
		}
		fputs("  - zip:\n", f);
		for (int k = 0; k < ax->nparam; k++) {
			fputs("      ", f);
			put_axis_param(f, e, ax, k);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
