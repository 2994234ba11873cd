/* suite.c - the registry of compiled-in suites. */
#include <string.h>

#include "smab/suite.h"

extern const smab_suite smab_suite_drift;
extern const smab_suite smab_suite_strategic;
extern const smab_suite smab_suite_replication;
extern const smab_suite smab_suite_contextual;
extern const smab_suite smab_suite_coalition;

const smab_suite *const smab_suites[] = {
	&smab_suite_drift,
	&smab_suite_strategic,
	&smab_suite_replication,
	&smab_suite_contextual,
	&smab_suite_coalition,
};
const int smab_nsuites = (int)(sizeof smab_suites / sizeof smab_suites[0]);

const smab_suite *smab_suite_find(const char *name)
{
	for (int i = 0; i < smab_nsuites; i++)
		if (strcmp(smab_suites[i]->name, name) == 0)
			return smab_suites[i];
	return NULL;
}

int smab_suite_param(const smab_suite *s, const char *name)
{
	for (int i = 0; i < s->nparams; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return i;
	return -1;
}

const smab_param_alias *smab_suite_alias(const smab_suite *s, const char *name)
{
	for (int i = 0; i < s->naliases; i++)
		if (strcmp(s->aliases[i].old, name) == 0)
			return &s->aliases[i];
	return NULL;
}

int smab_suite_mech(const smab_suite *s, const char *name)
{
	for (int i = 0; i < s->nmechs; i++)
		if (strcmp(s->mechs[i].name, name) == 0)
			return i;
	return -1;
}

int smab_suite_metric(const smab_suite *s, const char *name)
{
	for (int i = 0; i < s->nmetrics; i++)
		if (strcmp(s->metrics[i].name, name) == 0)
			return i;
	return -1;
}
