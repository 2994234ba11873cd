/* overrides.c - command-line overrides (--set KEY=VALUE).
 *
 * An override is spliced into the document tree before it is walked, so it
 * is validated exactly as if it had been written in the file.  Its nodes
 * carry a line number past SET_LINE that says which override they came
 * from; errors at such a line are rewritten to name the override. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

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
		char *t = cfg_join(s, a[k]);
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

/* An override as messages quote it: whole, or its first 100 bytes and
 * "..." when it is longer (cut between UTF-8 characters), so the message
 * still has room for what is wrong with it. */
static const char *brief(const char *set, char *buf, size_t len)
{
	size_t n = strlen(set), keep = 100;
	if (n < 120 || len < keep + 4)
		return set;
	while (keep > 0 && ((unsigned char)set[keep] & 0xC0) == 0x80)
		keep--;
	snprintf(buf, len, "%.*s...", (int)keep, set);
	return buf;
}

/* The parts of a dotted KEY ("params.egreedy.c") into part[0..max-1],
 * pointing into 'key', which is cut at the dots; -1 if a part is empty or
 * there are more than 'max'.  The dots are checked before cutting: after
 * it only the first part would be left to check. */
static int split_key(char *key, char **part, int max)
{
	int n = 0;
	for (const char *p = key; *p; p++)
		if (*p == '.' && (p == key || p[1] == '.' || p[1] == '\0'))
			return -1;
	for (char *tok = key, *save = NULL;; tok = NULL) {
		char *t = strtok_r(tok, ".", &save);
		if (!t)
			break;
		if (n == max)
			return -1;
		part[n++] = t;
	}
	return n > 0 ? n : -1;
}

/* Load the one document of a value, and check that nothing follows it:
 * libyaml loads a document at a time, so a second one (after a '---' or
 * '...' line), or a syntax error after the first, would otherwise be
 * dropped without a word.  1 if loaded, else 0 after an error. */
static int load_value(cfg *c, yaml_parser_t *parser, yaml_document_t *doc,
                      const char *set, const char *key)
{
	yaml_document_t rest;
	const char *why = NULL;
	if (!yaml_parser_load(parser, doc)) {
		why = "the value is not valid YAML: ";
	} else if (!yaml_parser_load(parser, &rest)) {
		why = "the value is not valid YAML after its first document: ";
		yaml_document_delete(doc);
	} else if (yaml_document_get_root_node(&rest)) {
		smab_errors_add(c->err, 0, 0, key, "--set '%s': the value holds a second YAML "
		                "document (after a '---' or '...' line): give one value", set);
		yaml_document_delete(&rest);
		yaml_document_delete(doc);
		return 0;
	} else {
		yaml_document_delete(&rest);
		return 1;
	}
	smab_errors_add(c->err, 0, 0, key, "--set '%s': %s%s", set, why,
	                parser->problem ? parser->problem : "out of memory");
	return 0;
}

/* Apply override number 'idx' ("KEY=VALUE", VALUE in YAML flow syntax) to
 * the document; problems go to the error list. */
void cfg_apply_set(cfg *c, yaml_document_t *doc, const char *arg, int idx)
{
	char sbuf[128], kbuf[128];
	const char *set = brief(arg, sbuf, sizeof sbuf), *eq = strchr(arg, '=');
	if (!eq || eq == arg || eq[1] == '\0') {
		smab_errors_add(c->err, 0, 0, NULL, "--set '%s': expected KEY=VALUE, "
		                "e.g. --set params.horizon=1000", set);
		return;
	}
	char *key = smab_xmalloc((size_t)(eq - arg) + 1);
	memcpy(key, arg, (size_t)(eq - arg));
	key[eq - arg] = '\0';
	char *cut = smab_xstrdup(key);
	char *part[63];
	int nparts = split_key(cut, part, 63);
	yaml_parser_t parser;
	yaml_document_t vdoc;
	char limit[256];
	int loaded = 0, line, col;
	if (nparts < 0) {
		smab_errors_add(c->err, 0, 0, NULL, "--set '%s': '%s' is not a dotted key such as "
		                "params.horizon (no empty parts, at most 63)", set,
		                brief(key, kbuf, sizeof kbuf));
	} else if (cfg_scan(eq + 1, strlen(eq + 1), 1, limit, sizeof limit, &line, &col)) {
		smab_errors_add(c->err, 0, 0, key, "--set '%s': %s", set, limit);
	} else if (!yaml_parser_initialize(&parser)) {
		smab_errors_add(c->err, 0, 0, NULL, "cannot initialise the YAML parser");
	} else {
		yaml_parser_set_input_string(&parser, (const unsigned char *)eq + 1, strlen(eq + 1));
		loaded = load_value(c, &parser, &vdoc, set, key);
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
	free(cut);
	free(key);
}

int cfg_place(const cfg *c, int line, int col, char *buf, size_t len)
{
	char b[128];
	if (line > SET_LINE && line - SET_LINE - 1 < c->nset) {
		snprintf(buf, len, "by --set '%s'", brief(c->set[line - SET_LINE - 1], b, sizeof b));
		return 1;
	}
	snprintf(buf, len, "at %d:%d", line, col);
	return 0;
}

/* Errors found at an override's nodes: say which override, not a line. */
void cfg_name_overrides(smab_errors *err, int from, const char *const *set, int nset)
{
	for (int i = from; i < err->n; i++) {
		smab_error *e = &err->e[i];
		if (e->line <= SET_LINE || e->line - SET_LINE - 1 >= nset)
			continue;
		char buf[128];
		const char *s = brief(set[e->line - SET_LINE - 1], buf, sizeof buf);
		size_t n = strlen(s) + strlen(e->msg) + 32;
		char *msg = smab_xmalloc(n);
		snprintf(msg, n, "in --set '%s': %s", s, e->msg);
		free(e->msg);
		e->msg = msg;
		e->line = e->col = 0;
	}
}
