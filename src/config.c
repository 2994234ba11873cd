/* config.c - an experiment file: libyaml's document tree, checked against the
 * suite's parameter declarations and turned into a smab_experiment.  This
 * file walks the root keys, the mechanisms and the params, and assembles
 * the experiment; the pieces it calls are listed in cfg.h.
 *
 * Every problem is collected, not only the first, each with the 1-based
 * line:col of the offending node and a dotted key.  Keys name the place in
 * the file ("seed", "params.egreedy.d", "sweep.drift", "sweep.zip.gap",
 * "sweep.horizon.num"); a failure of the suite's cross-parameter check names
 * the parameter ("means"), since it is about the effective value wherever
 * that was set.  YAML syntax errors have no key.  Literals are read as
 * cfgvalue.c says; a seed is plain decimal digits only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "smab/outfile.h"

enum { K_NAME, K_SUITE, K_SEED, K_REPS, K_MECHS, K_PARAMS, K_SWEEP, K_RECORD,
       K_OUTPUT, NTOP };
static const char *const top_keys[NTOP] = {
	"name", "suite", "seed", "replications", "mechanisms", "params", "sweep",
	"record", "output"
};

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
				rc = cfg_value(&dc, root, d, d->name, out);
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
		cfg_err(c->err, n, path, "expected %s, got %s", what,
		        cfg_shown(n, buf, sizeof buf));
		return NULL;
	}
	return sval(n);
}

static void get_int(cfg *c, const yaml_node_t *n, const char *path,
                    double lo, double hi, int *out)
{
	char buf[96];
	double x;
	if (!cfg_int(n, &x) || x < lo || x > hi) {
		cfg_err(c->err, n, path, "expected an integer in [%.15g, %.15g], got %s",
		        lo, hi, cfg_shown(n, buf, sizeof buf));
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
		cfg_err(c->err, n, "seed",
		        "expected an unsigned 64-bit integer in [0, %" PRIu64 "], got %s",
		        UINT64_MAX, cfg_shown(n, buf, sizeof buf));
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
			cfg_unknown(c, n, "suite", "suite", s, names, smab_nsuites, 1);
	}
	free(names);
}

/* The selected mechanisms, kept in the suite's order. */
static void get_mechs(cfg *c, const yaml_node_t *n)
{
	const smab_suite *s = c->s;
	char buf[96];
	if (n->type != YAML_SEQUENCE_NODE || nitems(n) == 0) {
		cfg_err(c->err, n, "mechanisms",
		        "expected a non-empty list of mechanisms such as [%s], got %s",
		        s->mechs[0].name, n->type == YAML_SEQUENCE_NODE ? "[]" : cfg_shown(n, buf, sizeof buf));
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
			cfg_err(c->err, m, "mechanisms", "expected a mechanism name, got %s",
			        cfg_shown(m, buf, sizeof buf));
		else if (k < 0)
			cfg_unknown(c, m, "mechanisms", "mechanism", sval(m), names, s->nmechs, 1);
		else if (seen[k])
			cfg_err(c->err, m, "mechanisms", "mechanism '%s' is listed twice (first at %d:%d)",
			        sval(m), line_of(seen[k]), col_of(seen[k]));
		else
			seen[k] = m;
	}
	for (int k = 0; k < s->nmechs; k++)
		if (seen[k]) {
			c->mech_at[2 * k] = line_of(seen[k]);
			c->mech_at[2 * k + 1] = col_of(seen[k]);
		}
	c->e->nmech = 0;
	for (int k = 0; k < s->nmechs; k++)
		if (seen[k])
			c->e->mech[c->e->nmech++] = k;
	free(seen);
	free(names);
}

/* Parameter p from key kn (written 'name': p's or a former name of it). */
static void set_param(cfg *c, int p, const char *name, const yaml_node_t *kn,
                      const yaml_node_t *vn, const char *path)
{
	smab_experiment *e = c->e;
	smab_value v;
	const smab_param_alias *al = cfg_alias_warn(c, name, kn, path);
	smab_param_decl d = c->s->params[p];
	if (al)
		d = cfg_alias_decl(al, &d);
	if (e->where[2 * p]) {
		cfg_err(c->err, kn, path, "parameter '%s' is set twice (first at %d:%d)",
		        c->s->params[p].name, e->where[2 * p], e->where[2 * p + 1]);
		return;
	}
	e->where[2 * p] = line_of(vn);
	e->where[2 * p + 1] = col_of(vn);
	e->set[p] = 1;
	if (c->s->agents && !strcmp(c->s->params[p].name, "coalition") &&
	    (vn->type == YAML_SEQUENCE_NODE || vn->type == YAML_MAPPING_NODE)) {
		/* one coalition as its agents; its mask is the value, once
		 * every other parameter (the instance) is known */
		c->coal = vn;
		c->coal_p = p;
		free(c->coal_path);
		c->coal_path = smab_xstrdup(path);
		return;
	}
	if (cfg_value(c, vn, &d, path, &v) == 0) {
		if (al)
			cfg_alias_shift(al, &v);
		free(e->base[p].v);
		free(e->base[p].s);
		e->base[p] = v;
	}
}

/* 'name' is both a parameter and a group ('strategy' and 'strategy.copies')
 * and its key is written twice, once for the value and once for the nested
 * members: YAML allows a key once in a mapping, so say how to write both. */
static void param_and_group_twice(cfg *c, const yaml_node_t *map, int i, int j,
                                  const char *name, const char *path)
{
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	const yaml_node_t *kn = get(c, pr[i].key), *first = get(c, pr[j].key);
	const yaml_node_t *v[2] = {get(c, pr[j].value), get(c, pr[i].value)};
	const yaml_node_t *val = NULL, *grp = NULL;
	for (int k = 0; k < 2; k++) {
		if (v[k]->type == YAML_MAPPING_NODE)
			grp = v[k];
		else
			val = v[k];
	}
	char ex[256];
	const char *member = c->s->params[cfg_group_member(c->s, name)].name + strlen(name) + 1;
	const char *mval = "...";
	if (grp && npairs(grp) > 0) {
		const yaml_node_t *mk = get(c, grp->data.mapping.pairs.start[0].key);
		const yaml_node_t *mv = get(c, grp->data.mapping.pairs.start[0].value);
		if (mk->type == YAML_SCALAR_NODE)
			member = sval(mk);
		if (mv->type == YAML_SCALAR_NODE)
			mval = sval(mv);
	}
	snprintf(ex, sizeof ex, "'%s: %.60s' and '%s.%.60s: %.60s'", name,
	         val && val->type == YAML_SCALAR_NODE ? sval(val) : "...", name, member, mval);
	cfg_err(c->err, kn, path, "'%s' is written twice (first at %d:%d): it is a parameter "
	        "and a group, and a key may appear once in a mapping; write its value and "
	        "its members with dotted keys, e.g. %s", name, line_of(first),
	        col_of(first), ex);
}

/* Walk a 'params' mapping.  A nested mapping is a group whose keys join the
 * group's name with dots, so 'egreedy: {c: 2}' and 'egreedy.c: 2' set the
 * same parameter; a name that is a parameter and a group ('strategy',
 * 'strategy.copies') takes a value, or a mapping of its members.  'prefix'
 * is the group's dotted name (NULL at the top). */
static void get_params(cfg *c, const yaml_node_t *map, const char *prefix)
{
	char buf[96];
	char *ppath = cfg_join("params", prefix);
	if (map->type != YAML_MAPPING_NODE) {
		cfg_err(c->err, map, ppath, "expected a mapping of parameter names to values, got %s",
		        cfg_shown(map, buf, sizeof buf));
		free(ppath);
		return;
	}
	const yaml_node_pair_t *pr = map->data.mapping.pairs.start;
	for (int i = 0; i < npairs(map); i++) {
		const yaml_node_t *kn = get(c, pr[i].key), *vn = get(c, pr[i].value);
		int j = kn->type == YAML_SCALAR_NODE ? cfg_pair_first(c, map, i) : -1;
		if (j >= 0) {
			char *name = cfg_join(prefix, sval(kn)), *path = cfg_join("params", name);
			int both = cfg_param_or_alias(c->s, name) >= 0 && cfg_group_member(c->s, name) >= 0;
			if (both && (vn->type == YAML_MAPPING_NODE) !=
			            (get(c, pr[j].value)->type == YAML_MAPPING_NODE)) {
				param_and_group_twice(c, map, i, j, name, path);
				free(name);
				free(path);
				continue;
			}
			free(name);
			free(path);
		}
		const char *k = cfg_pair_key(c, map, i, ppath);
		if (!k)
			continue;
		char *name = cfg_join(prefix, k), *path = cfg_join("params", name);
		int p = cfg_param_or_alias(c->s, name), g = cfg_group_member(c->s, name);
		if (p >= 0 && g >= 0 && vn->type == YAML_MAPPING_NODE)
			get_params(c, vn, name);     /* the members of a parameter that is a group too */
		else if (p >= 0)
			set_param(c, p, name, kn, vn, path);
		else if (g >= 0 && vn->type == YAML_MAPPING_NODE)
			get_params(c, vn, name);
		else if (g >= 0)
			cfg_err(c->err, vn, path, "'%s' is a group of parameters: expected a mapping such as {%s: ...}, got %s",
			        name, c->s->params[g].name + strlen(name) + 1,
			        cfg_shown(vn, buf, sizeof buf));
		else
			cfg_unknown_param(c, kn, path, name);
		free(name);
		free(path);
	}
	free(ppath);
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

/* The output path: 'output', else results/<name>.h5.  It is checked as a
 * result file's path (outfile.h) now, since a path Open MPI cannot open
 * would only fail once the run starts; the error is at the key it came
 * from. */
static void get_output(cfg *c, const yaml_node_t *name, const yaml_node_t *output)
{
	smab_experiment *e = c->e;
	const char *s = output ? get_string(c, output, "output", "a file name") : NULL;
	if (s) {
		e->output = smab_xstrdup(s);
	} else {
		size_t n = strlen(e->name) + sizeof "results/.h5";
		e->output = smab_xmalloc(n);
		snprintf(e->output, n, "results/%s.h5", e->name);
		if (output)
			return;     /* not a file name: reported */
	}
	char why[512];
	if (smab_out_check_path(e->output, why, sizeof why) == SMAB_OK)
		return;
	if (output)
		cfg_err(c->err, output, "output", "%s", why);
	else if (name)
		cfg_err(c->err, name, "name", "the output %s that the name makes: %s", e->output, why);
	else
		smab_errors_add(c->err, 0, 0, "output", "the output %s that the file's name makes: %s",
		                e->output, why);
}

static void get_root(cfg *c, const yaml_node_t *root, const char *path)
{
	smab_experiment *e = c->e;
	const yaml_node_t *val[NTOP] = {0}, *key[NTOP] = {0};
	char buf[96];
	if (root && root->type != YAML_MAPPING_NODE) {
		cfg_err(c->err, root, NULL, "expected a mapping of experiment keys (suite, params, sweep, ...), got %s",
		        cfg_shown(root, buf, sizeof buf));
		return;
	}
	for (int i = 0; root && i < npairs(root); i++) {
		const yaml_node_pair_t *pr = &root->data.mapping.pairs.start[i];
		const char *k = cfg_pair_key(c, root, i, NULL);
		int t = 0;
		if (!k)
			continue;
		while (t < NTOP && strcmp(k, top_keys[t]) != 0)
			t++;
		if (t == NTOP) {
			cfg_unknown(c, get(c, pr->key), k, "key", k, top_keys, NTOP, 0);
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
	get_output(c, val[K_NAME], val[K_OUTPUT]);
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
	c->mech_at = smab_xcalloc(2 * (size_t)su->nmechs, sizeof *c->mech_at);
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
		int M = cfg_coal_agents(c, c->coal, c->coal_path);
		uint32_t mask;
		if (M > 0 && cfg_coal_one(c, c->coal, M, c->coal_path, &mask) == 0)
			e->base[c->coal_p].x = mask;
		free(c->coal_path);
		c->coal_path = NULL;
	}
	if (val[K_SWEEP])
		cfg_sweep(c, key[K_SWEEP], val[K_SWEEP]);
	/* an experiment too large to run is blamed on its sweep, else on what
	 * else makes it large */
	static const int blame[] = {K_SWEEP, K_REPS, K_RECORD};
	c->size_line = c->size_col = 1;
	for (int i = 2; i >= 0; i--)
		if (key[blame[i]]) {
			c->size_key = top_keys[blame[i]];
			c->size_line = line_of(key[blame[i]]);
			c->size_col = col_of(key[blame[i]]);
		}
}

/* Parse the text into a document and walk it; a second document in the
 * stream is an error rather than silently ignored. */
static void parse_text(cfg *c, const char *text, size_t len, const char *path,
                       const char *const *set, int nset)
{
	yaml_parser_t parser;
	yaml_document_t doc, next;
	char why[256];
	int line, col;
	if (cfg_scan(text, len, 0, why, sizeof why, &line, &col)) {
		smab_errors_add(c->err, line, col, NULL, "%s", why);
		return;
	}
	if (!yaml_parser_initialize(&parser)) {
		smab_errors_add(c->err, 0, 0, NULL, "cannot initialise the YAML parser");
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		cfg_yaml_problem(c, &parser, text);
		yaml_parser_delete(&parser);
		return;
	}
	c->doc = &doc;
	for (int i = 0; i < nset; i++)
		cfg_apply_set(c, &doc, set[i], i);
	get_root(c, yaml_document_get_root_node(&doc), path);
	cfg_keys_free(c);
	if (!yaml_parser_load(&parser, &next)) {
		cfg_yaml_problem(c, &parser, text);
	} else {
		const yaml_node_t *r = yaml_document_get_root_node(&next);
		if (r)
			cfg_err(c->err, r, NULL, "expected one YAML document, found a second one");
		yaml_document_delete(&next);
	}
	yaml_document_delete(&doc);
	c->doc = NULL;
	yaml_parser_delete(&parser);
}

/* An error and where it was in the list, so sorting keeps equal places in
 * their order. */
typedef struct seq_error {
	smab_error e;
	int seq;
} seq_error;

static int seq_error_cmp(const void *a, const void *b)
{
	const seq_error *x = a, *y = b;
	if (x->e.line != y->e.line)
		return x->e.line < y->e.line ? -1 : 1;
	if (x->e.col != y->e.col)
		return x->e.col < y->e.col ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Order this parse's errors by position, stably, as a compiler would. */
static void sort_errors(smab_errors *err, int from)
{
	int n = err->n - from;
	seq_error *s = smab_xmalloc((size_t)(n > 0 ? n : 1) * sizeof *s);
	for (int i = 0; i < n; i++)
		s[i] = (seq_error){err->e[from + i], i};
	qsort(s, (size_t)n, sizeof *s, seq_error_cmp);
	for (int i = 0; i < n; i++)
		err->e[from + i] = s[i].e;
	free(s);
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
	cfg c = {.err = err, .e = e, .npoints = 1, .set = set, .nset = nset};
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
	if (c.s)
		cfg_check_size(&c);
	if (err->n == nerr0 && c.s)
		cfg_check_points(&c);
	if (err->n == nerr0 && c.s)
		cfg_check_mechs(&c);
	cfg_name_overrides(err, nerr0, set, nset);

	for (int a = 0; a < e->naxes; a++)
		free(c.marks[a]);
	free(c.marks);
	free(c.swept);
	free(c.mech_at);
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
	char *buf;
	size_t len;
	int rc = cfg_read_file(path, &buf, &len, err);
	if (rc != SMAB_OK)
		return rc;
	rc = smab_config_parse_set(buf, len, path, set, nset, out, err);
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
		for (int j = 0; j < e->axes[a].len * e->axes[a].nparam; j++)
			free(e->axes[a].values[j].v);
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
