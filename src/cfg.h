/* cfg.h - internal to the experiment-file code, not installed: what its
 * pieces share.
 *
 *   config.c     the root keys, mechanisms and params; assembling the
 *                experiment; the public entry points
 *   cfgload.c    reading a file, libyaml's parse, YAML errors as messages
 *   cfgvalue.c   nodes read as literals and typed values; the wording of
 *                messages (what was found, did-you-mean)
 *   overrides.c  --set KEY=VALUE spliced into the document
 *   axes.c       the sweep: lists, ranges, zip groups, the coalition axis
 *   cfgcheck.c   the suite's cross-parameter check at every point
 *   canonical.c  the canonical text of an experiment
 *
 * Every problem is collected, not only the first, each with the 1-based
 * line:col of the offending node and a dotted key (see config.c). */
#ifndef SMAB_CFG_H
#define SMAB_CFG_H

#include <yaml.h>

#include "smab/config.h"

/* Limits on the input (cfgload.c): far above any real experiment file,
 * low enough that refusing costs milliseconds. */
enum {
	MAX_TEXT_BYTES = 4 << 20,   /* an experiment file or a --set value */
	MAX_DEPTH = 64,             /* lists and mappings inside each other */
	MAX_NODES = 200000          /* YAML nodes: scalars, lists, mappings, aliases */
};

enum {
	MAX_CHECK_FAILS = 20,       /* failing points reported by the suite check */
	MAX_RANGE_NUM = 1000000,
	MAX_REPLICATIONS = 10000000,
	MAX_RECORD = 100000,
	MAX_SWEPT_LIST = 2500       /* numbers in one value of a list axis: /points holds it as text */
};

/* The parse in progress. */
typedef struct cfg {
	yaml_document_t *doc;
	smab_errors *err;
	smab_experiment *e;
	const smab_suite *s;
	int **marks;   /* per axis: line, col of entry j of param k at [2*(j*nparam+k)] */
	int *swept;            /* per param: [2*i] line, [2*i+1] col of the axis sweeping it */
	const char *const *set;    /* the --set overrides, for messages */
	int nset;
	int *mech_at;      /* per mechanism: line, col in 'mechanisms', 0 if not listed */
	const yaml_node_t *coal;   /* 'coalition' given as a list in params: read once all are */
	char *coal_path;
	int coal_p;
	int **firsts;      /* per mapping node, once asked: cfg_pair_key's duplicates */
	double planned;    /* points of the sweep as its nodes tell, before expanding */
	double npoints;    /* product of the lengths of the sweep's axes so far (1 if none) */
	int naxes_seen;    /* ... of how many axes */
	char lens[256];    /* ... written "a x b x c" */
	const char *size_key;      /* where an experiment too large to run is blamed */
	int size_line, size_col;
} cfg;

/* ---- nodes -------------------------------------------------------------- */

static inline int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
static inline int col_of(const yaml_node_t *n) { return (int)n->start_mark.column + 1; }

static inline const yaml_node_t *get(const cfg *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static inline const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static inline int is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static inline int npairs(const yaml_node_t *m)
{
	return (int)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
}

static inline int nitems(const yaml_node_t *s)
{
	return (int)(s->data.sequence.items.top - s->data.sequence.items.start);
}

static inline int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* ---- cfgvalue.c: literals, values and messages --------------------------- */

/* One error at node n's line:col about 'key' (may be NULL). */
void cfg_err(smab_errors *err, const yaml_node_t *n, const char *key,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "a.b", or the other one when 'a' or 'b' is NULL or empty.  Caller frees. */
char *cfg_join(const char *a, const char *b);
/* A decimal number literal in a plain scalar; 1 and *x if it is one. */
int cfg_number(const yaml_node_t *n, double *x);
/* The same, integral and below 2^53. */
int cfg_int(const yaml_node_t *n, double *x);
/* How a node reads in a message: numbers as written, words quoted, in buf. */
const char *cfg_shown(const yaml_node_t *n, char *buf, size_t len);
/* "unknown <what> 'word'" with a did-you-mean among names[0..n-1], and the
 * known names when there is no suggestion or 'list' asks for them. */
void cfg_unknown(cfg *c, const yaml_node_t *at, const char *path, const char *what,
                 const char *word, const char *const *names, int n, int list);
/* The same for a parameter name of the suite. */
void cfg_unknown_param(cfg *c, const yaml_node_t *at, const char *path,
                       const char *name);
/* Index of the first parameter named "<name>.something", or -1. */
int cfg_group_member(const smab_suite *s, const char *name);
/* The key of pair 'i' of a mapping of c->doc, or NULL (after an error) when
 * it is not a scalar or repeats an earlier key; 'prefix' names the mapping.
 * The document must not change until cfg_keys_free. */
const char *cfg_pair_key(cfg *c, const yaml_node_t *map, int i, const char *prefix);
/* Index of the first pair of the mapping before pair 'i' with the same
 * key, or -1. */
int cfg_pair_first(cfg *c, const yaml_node_t *map, int i);
/* Forget what cfg_pair_key learnt about c->doc. */
void cfg_keys_free(cfg *c);
/* Node n as a value of d's type, range checked; 0, or -1 after an error. */
int cfg_value(cfg *c, const yaml_node_t *n, const smab_param_decl *d,
              const char *path, smab_value *out);

/* ---- cfgalias.c --------------------------------------------------------- */

/* Index of parameter 'name', or of the one it is a former name of; -1. */
int cfg_param_or_alias(const smab_suite *s, const char *name);
/* If 'name' is a former name: a warning at key kn, and the alias; else NULL. */
const smab_param_alias *cfg_alias_warn(cfg *c, const char *name, const yaml_node_t *kn,
                                       const char *path);
/* d with the alias's name and its range in the former numbering. */
smab_param_decl cfg_alias_decl(const smab_param_alias *al, const smab_param_decl *d);
/* A value read in the former numbering, moved to the new one (in place). */
void cfg_alias_shift(const smab_param_alias *al, smab_value *v);

/* ---- cfgload.c ---------------------------------------------------------- */

/* A libyaml failure as one error at its mark; 'text' is the parser's input. */
void cfg_yaml_problem(cfg *c, const yaml_parser_t *p, const char *text);
/* Check YAML text against the limits before it is loaded: its size, its
 * nesting depth and its node count, and for a --set value ('value' = 1)
 * no anchor or alias.  0 if it keeps within them (a syntax
 * error is left for the loader to report), else -1 with the reason in
 * 'why' and its 1-based place in *line, *col (0 for the size). */
int cfg_scan(const char *text, size_t len, int value, char *why, size_t whylen,
             int *line, int *col);
/* The bytes of the regular file at 'path', at most MAX_TEXT_BYTES, into
 * *text (caller frees) and *len.  SMAB_OK; SMAB_EINVAL with one error for
 * a file that is not regular or too large; SMAB_EIO when it cannot be
 * read. */
int cfg_read_file(const char *path, char **text, size_t *len, smab_errors *err);

/* ---- overrides.c -------------------------------------------------------- */

/* Apply override number 'idx', 'arg' = "KEY=VALUE", to the document. */
void cfg_apply_set(cfg *c, yaml_document_t *doc, const char *arg, int idx);
/* Where a node at 1-based line:col came from, for a message: "at 4:3", or
 * "by --set 'KEY=VALUE'" for an override's node; 1 for an override. */
int cfg_place(const cfg *c, int line, int col, char *buf, size_t len);
/* Errors err->e[from..] found at an override's nodes name it, not a line. */
void cfg_name_overrides(smab_errors *err, int from, const char *const *set, int nset);

/* ---- axes.c ------------------------------------------------------------- */

/* The 'sweep' mapping 'map' (its key 'kn') into c->e->axes. */
void cfg_sweep(cfg *c, const yaml_node_t *kn, const yaml_node_t *map);
/* Number of agents of the instance the base values describe, or -1 after
 * an error at 'at'. */
int cfg_coal_agents(cfg *c, const yaml_node_t *at, const char *path);
/* A coalition written as a list of distinct agents numbered from 'from'
 * (1; 0 in the deprecated bare lists), e.g. [1, 3]; 0 and its bit mask, or
 * -1 after an error. */
int cfg_coal_mask(cfg *c, const yaml_node_t *n, int M, const char *path, int from,
                  uint32_t *mask);
/* The parameter 'coalition' given as {agents: [1, 3]} or, with a
 * deprecation warning, as a bare list counting from 0 ([0, 2]); 0 and its
 * bit mask, or -1 after an error. */
int cfg_coal_one(cfg *c, const yaml_node_t *n, int M, const char *path, uint32_t *mask);

/* ---- cfgcheck.c --------------------------------------------------------- */

/* Refuse an experiment whose sweep has more than SMAB_MAX_TASKS tasks or
 * whose result file would pass SMAB_MAX_FILE_BYTES (the points were checked
 * by cfg_sweep). */
void cfg_check_size(cfg *c);
/* Run the suite's check on every point of the assembled experiment. */
void cfg_check_points(cfg *c);
/* Refuse a listed mechanism the suite says is undefined at some point;
 * leave such a mechanism out of the default list (all of the suite's). */
void cfg_check_mechs(cfg *c);

#endif
