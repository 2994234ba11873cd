/* site.h - the site file of 'smab submit': a cluster's defaults (account,
 * partition, qos, time, launcher), shell lines to run before the launch
 * and extra #SBATCH arguments, in YAML, validated like an experiment file
 * (every error at once, each with file:line:col and its key).  Serial. */
#ifndef SMAB_SITE_H
#define SMAB_SITE_H

#include "smab/common.h"

typedef struct smab_site {
	char *account, *partition, *qos, *time;   /* NULL: not set */
	char *launcher;         /* one of smab_launchers, or NULL */
	char **setup;           /* shell lines run before the launch, in order */
	int nsetup;
	char **sbatch;          /* extra arguments "--name=value" */
	int nsbatch;
} smab_site;

/* Read and validate the site file at 'path' into *site (zeroed first; free
 * it with smab_site_free whatever the status).  SMAB_OK; SMAB_EINVAL with
 * every problem in err; SMAB_EIO (one error) when it cannot be read. */
int smab_site_load(const char *path, smab_site *site, smab_errors *err);

/* The same from YAML text of 'len' bytes (err names the file). */
int smab_site_parse(const char *text, size_t len, smab_site *site, smab_errors *err);

void smab_site_free(smab_site *site);

/* Which site file applies: 'given' (--site) if not NULL, else $SMAB_SITE
 * if set and not empty, else $XDG_CONFIG_HOME/smab/site.yaml (with
 * $HOME/.config for an unset XDG_CONFIG_HOME).  *must is 1 when the file
 * was named explicitly and its absence is an error, 0 for the default
 * location, which may be missing.  NULL when there is no HOME either.
 * Caller frees. */
char *smab_site_path(const char *given, int *must);

#endif
