/* cfgvalue.c - a YAML node read as a literal or a parameter's typed value,
 * and the words of the messages about it.
 *
 * Literals.  Numbers must be plain (unquoted) scalars: '20000' in quotes is a
 * string.  A number is a decimal literal ([+-]digits[.digits][e[+-]digits]);
 * no hex, octal, .inf or .nan.  An INT accepts any such literal whose value is
 * integral and below 2^53, so 20000, 2e4 and 2.0e4 are the same and 2.5 is
 * rejected.  Booleans are true/false (YAML 1.2 core spellings: true, True,
 * TRUE); yes/no are not booleans.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "smab/suggest.h"

#define INT_EXACT 9007199254740992.0    /* 2^53: integers a double holds exactly */

void cfg_err(smab_errors *err, const yaml_node_t *n, const char *key,
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
char *cfg_join(const char *a, const char *b)
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
int cfg_number(const yaml_node_t *n, double *x)
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

int cfg_int(const yaml_node_t *n, double *x)
{
	double v;
	if (!cfg_number(n, &v) || v != floor(v) || fabs(v) >= INT_EXACT)
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
const char *cfg_shown(const yaml_node_t *n, char *buf, size_t len)
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
	else if (cfg_number(n, &x))
		snprintf(buf, len, "%.60s", sval(n));
	else
		snprintf(buf, len, "'%.60s'", sval(n));
	return buf;
}

/* The known name a mistyped 'word' most likely meant: one within two edits
 * by smab_edit_distance (and fewer edits than the word has letters, so 'x'
 * suggests nothing), or
 * a dotted name whose first or last part is 'word' ('alpha' -> 'ucb.alpha').
 * NULL if nothing is close. */
static const char *suggest(const char *word, const char *const *names, int n)
{
	const char *best = NULL;
	int bestd = 3, len = (int)strlen(word);
	for (int i = 0; i < n; i++) {
		int d = smab_edit_distance(word, names[i]);
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
void cfg_unknown(cfg *c, const yaml_node_t *at, const char *path,
                 const char *what, const char *word,
                 const char *const *names, int n, int list)
{
	const char *s = suggest(word, names, n);
	char known[512] = "";
	if (!s || list)
		join_names(known, sizeof known, names, n);
	if (s && list)
		cfg_err(c->err, at, path, "unknown %s '%.80s'; did you mean '%s'? (known: %s)",
		        what, word, s, known);
	else if (s)
		cfg_err(c->err, at, path, "unknown %s '%.80s'; did you mean '%s'?",
		        what, word, s);
	else
		cfg_err(c->err, at, path, "unknown %s '%.80s'; expected one of: %s",
		        what, word, known);
}

void cfg_unknown_param(cfg *c, const yaml_node_t *at, const char *path,
                       const char *name)
{
	const char **names = smab_xmalloc((size_t)c->s->nparams * sizeof *names);
	for (int i = 0; i < c->s->nparams; i++)
		names[i] = c->s->params[i].name;
	cfg_unknown(c, at, path, "parameter", name, names, c->s->nparams, 0);
	free(names);
}

/* Index of the first parameter named "<name>.something", or -1: 'name' is
 * then a group that a nested mapping may spell out. */
int cfg_group_member(const smab_suite *s, const char *name)
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
/* A key of a mapping and its pair's index, to sort by. */
typedef struct keyref {
	const char *s;
	int i;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
	const keyref *x = a, *y = b;
	int d = strcmp(x->s, y->s);
	return d ? d : (x->i > y->i) - (x->i < y->i);
}

/* For each pair of mapping 'map', the index of the first pair before it
 * with the same key, or -1.  Found once per mapping by sorting its keys and
 * kept until cfg_keys_free: comparing every pair with every earlier one
 * took 25 s for 60000 keys. */
static const int *first_keys(cfg *c, const yaml_node_t *map)
{
	int id = (int)(map - c->doc->nodes.start);
	if (!c->firsts)
		c->firsts = smab_xcalloc((size_t)(c->doc->nodes.top - c->doc->nodes.start),
		                         sizeof *c->firsts);
	if (c->firsts[id])
		return c->firsts[id];
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	int n = npairs(map), m = 0;
	int *first = smab_xmalloc((size_t)n * sizeof *first);
	keyref *k = smab_xmalloc((size_t)n * sizeof *k);
	for (int i = 0; i < n; i++) {
		const yaml_node_t *kn = get(c, pr[i].key);
		first[i] = -1;
		if (kn->type == YAML_SCALAR_NODE)
			k[m++] = (keyref){sval(kn), i};
	}
	qsort(k, (size_t)m, sizeof *k, keyref_cmp);
	for (int a = 0, b; a < m; a = b)
		for (b = a + 1; b < m && strcmp(k[b].s, k[a].s) == 0; b++)
			first[k[b].i] = k[a].i;
	free(k);
	c->firsts[id] = first;
	return first;
}

void cfg_keys_free(cfg *c)
{
	if (c->firsts)
		for (yaml_node_t *n = c->doc->nodes.start; n < c->doc->nodes.top; n++)
			free(c->firsts[n - c->doc->nodes.start]);
	free(c->firsts);
	c->firsts = NULL;
}

int cfg_pair_first(cfg *c, const yaml_node_t *map, int i)
{
	return first_keys(c, map)[i];
}

const char *cfg_pair_key(cfg *c, const yaml_node_t *map, int i,
                         const char *prefix)
{
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	const yaml_node_t *k = get(c, pr[i].key);
	char buf[96];
	if (k->type != YAML_SCALAR_NODE) {
		cfg_err(c->err, k, prefix, "expected a name as key, got %s",
		        cfg_shown(k, buf, sizeof buf));
		return NULL;
	}
	int j = first_keys(c, map)[i];
	if (j >= 0) {
		const yaml_node_t *kj = get(c, pr[j].key);
		char *path = cfg_join(prefix, sval(k));
		cfg_err(c->err, k, path, "duplicate key '%.80s' (first at %d:%d)",
		        sval(k), line_of(kj), col_of(kj));
		free(path);
		return NULL;
	}
	return sval(k);
}

/* ---- values ------------------------------------------------------------- */

/* The choice of an ENUM declaration that a mistyped 'word' most likely
 * meant ('bernouli' -> 'bernoulli'), by the rules of suggest(), into out;
 * 0 if none is close. */
static int suggest_choice(const smab_param_decl *d, const char *word,
                          char *out, size_t len)
{
	enum { MAXC = 32 };
	char all[MAXC][64];
	const char *names[MAXC];
	int n = 0;
	for (; n < MAXC; n++) {
		smab_param_choice_name(d, n, all[n], sizeof all[n]);
		if (!all[n][0])
			break;
		names[n] = all[n];
	}
	const char *s = suggest(word, names, n);
	if (s)
		snprintf(out, len, "%s", s);
	return s != NULL;
}

static int to_vector(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
                     const char *path, smab_value *out)
{
	char buf[96];
	double x;
	if (n->type == YAML_SCALAR_NODE && cfg_number(n, &x)) {
		/* one number is the list of that number: 'arms: 2' for [2] */
		if (x < d->lo || x > d->hi) {
			cfg_err(c->err, n, path, "expected a number in [%.15g, %.15g], got %s",
			        d->lo, d->hi, cfg_shown(n, buf, sizeof buf));
			return -1;
		}
		double *v = smab_xmalloc(sizeof *v);
		v[0] = x;
		*out = (smab_value){.x = 0, .n = 1, .v = v};
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg_err(c->err, n, path, "expected a list of numbers in [%.15g, %.15g] (one number "
		        "for a list of one), got %s", d->lo, d->hi, cfg_shown(n, buf, sizeof buf));
		return -1;
	}
	const yaml_node_item_t *it = n->data.sequence.items.start;
	int len = nitems(n), bad = 0;
	double *v = len ? smab_xmalloc((size_t)len * sizeof *v) : NULL;
	for (int i = 0; i < len; i++) {
		const yaml_node_t *m = get(c, it[i]);
		if (!cfg_number(m, &v[i]) || v[i] < d->lo || v[i] > d->hi) {
			cfg_err(c->err, m, path, "expected a number in [%.15g, %.15g], got %s",
			        d->lo, d->hi, cfg_shown(m, buf, sizeof buf));
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
int cfg_value(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
              const char *path, smab_value *out)
{
	char buf[96];
	const char *s = n->type == YAML_SCALAR_NODE ? sval(n) : "";
	double x = 0;
	int k;
	switch (d->type) {
	case SMAB_P_INT:
		if (!cfg_int(n, &x) || x < d->lo || x > d->hi) {
			cfg_err(c->err, n, path, "expected an integer in [%.15g, %.15g], got %s",
			        d->lo, d->hi, cfg_shown(n, buf, sizeof buf));
			return -1;
		}
		break;
	case SMAB_P_REAL:
		if (!cfg_number(n, &x) || x < d->lo || x > d->hi) {
			cfg_err(c->err, n, path, "expected a number in [%.15g, %.15g], got %s",
			        d->lo, d->hi, cfg_shown(n, buf, sizeof buf));
			return -1;
		}
		break;
	case SMAB_P_BOOL:
		k = is_plain(n) ? read_bool(s) : -1;
		if (k < 0) {
			cfg_err(c->err, n, path, "expected true or false, got %s",
			        cfg_shown(n, buf, sizeof buf));
			return -1;
		}
		x = k;
		break;
	case SMAB_P_ENUM:
		k = n->type == YAML_SCALAR_NODE ? smab_param_choice(d, s) : -1;
		if (k < 0) {
			char hint[96] = "", near[64];
			if (n->type == YAML_SCALAR_NODE && suggest_choice(d, s, near, sizeof near))
				snprintf(hint, sizeof hint, "; did you mean '%s'?", near);
			cfg_err(c->err, n, path, "expected one of %s, got %s%s",
			        d->choices ? d->choices : "", cfg_shown(n, buf, sizeof buf), hint);
			return -1;
		}
		x = k;
		break;
	case SMAB_P_VEC:
		return to_vector(c, n, d, path, out);
	case SMAB_P_STR:
		if (n->type != YAML_SCALAR_NODE) {
			cfg_err(c->err, n, path, "expected a string, got %s",
			        cfg_shown(n, buf, sizeof buf));
			return -1;
		}
		*out = (smab_value){.x = 0, .n = 0, .v = NULL, .s = smab_xstrdup(s)};
		return 0;
	}
	*out = (smab_value){.x = x, .n = 0, .v = NULL};
	return 0;
}
