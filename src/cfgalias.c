/* cfgalias.c - parameters read under a former name (suite.h
 * smab_param_alias): a warning naming the new spelling, and the values
 * moved to it.  The former names are those of indices that counted from 0;
 * smab numbers arms and agents from 1 everywhere. */
#include <stdio.h>

#include "cfg.h"

int cfg_param_or_alias(const smab_suite *s, const char *name)
{
	int p = smab_suite_param(s, name);
	const smab_param_alias *al = p < 0 ? smab_suite_alias(s, name) : NULL;
	return al ? smab_suite_param(s, al->name) : p;
}

const smab_param_alias *cfg_alias_warn(cfg *c, const char *name, const yaml_node_t *kn,
                                       const char *path)
{
	const smab_param_alias *al = smab_suite_alias(c->s, name);
	if (al)
		smab_errors_warn(c->err, line_of(kn), col_of(kn), path,
		                 "'%s' is deprecated: it counts from 0; write '%s', which counts from 1 (0 becomes %d)",
		                 al->old, al->name, al->shift);
	return al;
}

smab_param_decl cfg_alias_decl(const smab_param_alias *al, const smab_param_decl *d)
{
	smab_param_decl o = *d;
	o.name = al->old;
	o.lo -= al->shift;
	o.hi -= al->shift;
	return o;
}

void cfg_alias_shift(const smab_param_alias *al, smab_value *v)
{
	v->x += al->shift;
	for (int i = 0; i < v->n; i++)
		v->v[i] += al->shift;
}
