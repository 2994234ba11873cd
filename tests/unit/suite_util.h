/* suite_util.h - looking up and setting a suite's parameters in unit tests.
 *
 * Every suite test builds points by hand: start from the declared defaults,
 * set a few values by name, then read metrics by name.  A name that does not
 * exist fails the test at once instead of indexing out of bounds. */
#ifndef SMAB_SUITE_UTIL_H
#define SMAB_SUITE_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smab/param.h"
#include "smab/suite.h"

static inline int su_found(int i, const char *what, const char *name)
{
	ck_assert_msg(i >= 0, "no %s '%s'", what, name);
	return i;
}

/* Index of a parameter, mechanism or metric of suite s; fails if unknown. */
static inline int su_param(const smab_suite *s, const char *name)
{
	return su_found(smab_suite_param(s, name), "parameter", name);
}

static inline int su_mech(const smab_suite *s, const char *name)
{
	return su_found(smab_suite_mech(s, name), "mechanism", name);
}

static inline int su_metric(const smab_suite *s, const char *name)
{
	return su_found(smab_suite_metric(s, name), "metric", name);
}

/* p[0..nparams-1] := the declared defaults of scalars, booleans and enums;
 * vectors start empty (p[i].n = 0, p[i].v = NULL).  p holds maxp values. */
static inline void su_defaults(const smab_suite *s, smab_value *p, int maxp)
{
	ck_assert_int_le(s->nparams, maxp);
	for (int i = 0; i < s->nparams; i++) {
		const smab_param_decl *d = &s->params[i];
		p[i].n = 0;
		p[i].v = NULL;
		p[i].s = NULL;
		if (d->type == SMAB_P_ENUM)
			p[i].x = smab_param_choice(d, d->def);
		else if (d->type == SMAB_P_BOOL)
			p[i].x = strcmp(d->def, "true") == 0;
		else if (d->type == SMAB_P_VEC)
			p[i].x = 0;
		else
			p[i].x = strtod(d->def, NULL);
	}
}

/* Set a scalar parameter, or an enum parameter by its choice's name. */
static inline void su_set(const smab_suite *s, smab_value *p, const char *name, double x)
{
	p[su_param(s, name)].x = x;
}

static inline void su_set_enum(const smab_suite *s, smab_value *p, const char *name,
                               const char *choice)
{
	int i = su_param(s, name);
	int c = smab_param_choice(&s->params[i], choice);
	ck_assert_msg(c >= 0, "no choice '%s' of '%s'", choice, name);
	p[i].x = c;
}

/* Run one task of suite s with the named mechanisms (in suite order) and the
 * given checkpoint rounds (NULL: the horizon only), into scalar and curve
 * laid out as in suite.h.  At most 16 mechanisms. */
static inline int su_run(const smab_suite *s, const smab_value *p, uint64_t seed,
                         uint32_t point, uint32_t rep, const char *const *names,
                         int nmech, const int64_t *check, int ncheck,
                         double *scalar, double *curve)
{
	int mech[16];
	int64_t last = s->horizon(p);
	ck_assert_int_le(nmech, 16);
	for (int k = 0; k < nmech; k++)
		mech[k] = su_mech(s, names[k]);
	if (!check) {
		check = &last;
		ncheck = 1;
	}
	smab_task t = {.p = p, .seed = seed, .point = point, .rep = rep,
	               .nmech = nmech, .mech = mech, .ncheck = ncheck, .check = check};
	smab_task_out out = {scalar, curve};
	return s->run(&t, &out);
}

#endif
