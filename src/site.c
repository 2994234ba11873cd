/* site.c - the site file of 'smab submit', read with the experiment
 * loader's pieces (cfg.h): the same limits on the text, the same YAML
 * error messages, duplicate keys and did-you-mean for unknown ones.
 *
 * The file is the user's own configuration, so its setup lines go into the
 * job script as written (they are there to run 'module load' and the
 * like); a line may not hold a newline or a NUL, which would make it
 * several lines or cut it short.  The other values reach #SBATCH lines and
 * are held to the same character sets as the command line's. */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "smab/jobscript.h"
#include "smab/site.h"

enum { K_ACCOUNT, K_PARTITION, K_QOS, K_TIME, K_LAUNCHER, K_SETUP, K_SBATCH, NKEYS };
static const char *const keys[NKEYS] = {"account", "partition", "qos", "time",
                                        "launcher", "setup", "sbatch"};

/* A scalar's value, or NULL after an error naming what was expected. */
static const char *scalar(cfg *c, const yaml_node_t *n, const char *key, const char *what)
{
	char buf[96];
	if (n->type != YAML_SCALAR_NODE || !*sval(n)) {
		cfg_err(c->err, n, key, "expected %s, got %s", what, cfg_shown(n, buf, sizeof buf));
		return NULL;
	}
	if (strlen(sval(n)) != n->data.scalar.length) {
		cfg_err(c->err, n, key, "expected %s, got a string holding a NUL byte", what);
		return NULL;
	}
	return sval(n);
}

/* An #SBATCH value checked as the command line's --<opt> is. */
static char *sbatch_value(cfg *c, const yaml_node_t *n, const char *key, const char *opt)
{
	const char *v = scalar(c, n, key, "a string");
	const char *expects = v ? smab_sbatch_check(opt, v) : NULL;
	if (expects) {
		cfg_err(c->err, n, key, "expected %s, got '%.80s'", expects, v);
		return NULL;
	}
	return v ? smab_xstrdup(v) : NULL;
}

static char *launcher(cfg *c, const yaml_node_t *n, const char *key)
{
	const char *v = scalar(c, n, key, "a launcher name");
	if (!v)
		return NULL;
	if (!smab_launcher_command(v)) {
		int k = 0;
		while (smab_launchers[k])
			k++;
		cfg_unknown(c, n, key, "launcher", v, smab_launchers, k, 1);
		return NULL;
	}
	return smab_xstrdup(v);
}

/* A list of strings; 'opt' NULL for shell lines, else the #SBATCH check. */
static char **list(cfg *c, const yaml_node_t *n, const char *key, const char *opt, int *count)
{
	char buf[96];
	*count = 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		cfg_err(c->err, n, key, "expected a list of %s, got %s",
		        opt ? "sbatch arguments" : "shell lines", cfg_shown(n, buf, sizeof buf));
		return NULL;
	}
	int len = nitems(n);
	char **out = smab_xcalloc((size_t)len + 1, sizeof *out);
	for (int i = 0; i < len; i++) {
		const yaml_node_t *m = get(c, n->data.sequence.items.start[i]);
		char *v = NULL;
		if (opt) {
			v = sbatch_value(c, m, key, opt);
		} else {
			const char *s = scalar(c, m, key, "a shell line");
			if (s && strpbrk(s, "\r\n"))
				cfg_err(c->err, m, key, "expected one shell line, got a string "
				        "holding a line break (give each line its own entry)");
			else if (s)
				v = smab_xstrdup(s);
		}
		if (v)
			out[(*count)++] = v;
	}
	return out;
}

static void get_root(cfg *c, const yaml_node_t *root, smab_site *site)
{
	char buf[96];
	if (!root)
		return;   /* an empty file sets nothing */
	if (root->type != YAML_MAPPING_NODE) {
		cfg_err(c->err, root, NULL, "expected a mapping of site keys (%s, %s, %s, %s, %s, "
		        "%s, %s), got %s", keys[0], keys[1], keys[2], keys[3], keys[4], keys[5],
		        keys[6], cfg_shown(root, buf, sizeof buf));
		return;
	}
	char **const strs[] = {&site->account, &site->partition, &site->qos, &site->time};
	for (int i = 0; i < npairs(root); i++) {
		const yaml_node_pair_t *pr = &root->data.mapping.pairs.start[i];
		const char *k = cfg_pair_key(c, root, i, NULL);
		if (!k)
			continue;
		const yaml_node_t *kn = get(c, pr->key), *vn = get(c, pr->value);
		int t = 0;
		while (t < NKEYS && strcmp(k, keys[t]) != 0)
			t++;
		if (t < K_LAUNCHER)
			*strs[t] = sbatch_value(c, vn, k, k);
		else if (t == K_LAUNCHER)
			site->launcher = launcher(c, vn, k);
		else if (t == K_SETUP)
			site->setup = list(c, vn, k, NULL, &site->nsetup);
		else if (t == K_SBATCH)
			site->sbatch = list(c, vn, k, "sbatch", &site->nsbatch);
		else
			cfg_unknown(c, kn, k, "key", k, keys, NKEYS, 0);
	}
}

int smab_site_parse(const char *text, size_t len, smab_site *site, smab_errors *err)
{
	memset(site, 0, sizeof *site);
	int nerr0 = err->n, line, col;
	char why[256];
	if (cfg_scan(text, len, 0, why, sizeof why, &line, &col)) {
		smab_errors_add(err, line, col, NULL, "%s", why);
		return SMAB_EINVAL;
	}
	yaml_parser_t parser;
	yaml_document_t doc, next;
	cfg c = {.err = err};
	if (!yaml_parser_initialize(&parser)) {
		smab_errors_add(err, 0, 0, NULL, "cannot initialise the YAML parser");
		return SMAB_EINVAL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		cfg_yaml_problem(&c, &parser, text);
		yaml_parser_delete(&parser);
		return SMAB_EINVAL;
	}
	c.doc = &doc;
	get_root(&c, yaml_document_get_root_node(&doc), site);
	cfg_keys_free(&c);
	if (!yaml_parser_load(&parser, &next)) {
		cfg_yaml_problem(&c, &parser, text);
	} else {
		const yaml_node_t *r = yaml_document_get_root_node(&next);
		if (r)
			cfg_err(err, r, NULL, "expected one YAML document, found a second one");
		yaml_document_delete(&next);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return err->n > nerr0 ? SMAB_EINVAL : SMAB_OK;
}

int smab_site_load(const char *path, smab_site *site, smab_errors *err)
{
	memset(site, 0, sizeof *site);
	char *text;
	size_t len;
	int rc = cfg_read_file(path, &text, &len, err);
	if (rc != SMAB_OK)
		return rc;
	rc = smab_site_parse(text, len, site, err);
	free(text);
	return rc;
}

static void free_list(char ***l, int *n)
{
	for (int i = 0; *l && i < *n; i++)
		free((*l)[i]);
	free(*l);
	*l = NULL;
	*n = 0;
}

void smab_site_free(smab_site *site)
{
	if (!site)
		return;
	free(site->account);
	free(site->partition);
	free(site->qos);
	free(site->time);
	free(site->launcher);
	free_list(&site->setup, &site->nsetup);
	free_list(&site->sbatch, &site->nsbatch);
}

char *smab_site_path(const char *given, int *must)
{
	const char *env = getenv("SMAB_SITE"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	*must = 1;
	if (given)
		return smab_xstrdup(given);
	if (env && *env)
		return smab_xstrdup(env);
	*must = 0;
	if ((!xdg || !*xdg) && (!home || !*home))
		return NULL;
	size_t n = strlen(xdg && *xdg ? xdg : home) + 32;
	char *p = smab_xmalloc(n);
	if (xdg && *xdg)
		snprintf(p, n, "%s/smab/site.yaml", xdg);
	else
		snprintf(p, n, "%s/.config/smab/site.yaml", home);
	return p;
}
