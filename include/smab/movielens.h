/* movielens.h - the MovieLens-100k data set: loading, user groups and the
 * d-dimensional embedding that turns it into a linear bandit.
 *
 * The files (u.data, u.user, u.item, u.occupation) are read from a
 * directory given by the caller; they are never shipped with smab
 * (scripts/fetch-movielens.sh downloads them).  Every malformed line is
 * reported as "PATH:LINE: what was expected". */
#ifndef SMAB_MOVIELENS_H
#define SMAB_MOVIELENS_H

#include "smab/common.h"

/* How users are split into agents. */
enum smab_ml_grouping {
	SMAB_ML_GENDER = 0,      /* 2: M, F */
	SMAB_ML_AGE = 1,         /* 7: <18, 18-24, 25-34, 35-44, 45-49, 50-55, 56+ */
	SMAB_ML_OCCUPATION = 2,  /* 8: student, technical, management, creative,
	                          * academic, business, healthcare, non-professional */
	SMAB_ML_STATE = 3        /* the top n US states by number of users */
};

typedef struct smab_ml_data {
	int nusers, nitems, nratings;   /* 943, 1682, 100000 */
	int *r_user, *r_item;           /* [nratings], 0-based ids */
	double *r_value;                /* [nratings], 1..5 */
	int *age;                       /* [nusers] */
	char *gender;                   /* [nusers], 'M' or 'F' */
	int *occupation;                /* [nusers], index into occ_name */
	char (*zip)[12];                /* [nusers], as written in u.user */
	int nocc;                       /* 21 */
	char occ_name[32][24];          /* u.occupation, in file order */
} smab_ml_data;

/* Read the data set in 'dir'.  Returns SMAB_OK; SMAB_EIO when a file is
 * missing or unreadable (message names the path); SMAB_EINVAL when a line
 * is malformed or an id is out of range (message "PATH:LINE: ...").
 * On failure *out holds nothing to free. */
int smab_ml_load(const char *dir, smab_ml_data *out, char *err, size_t errlen);
void smab_ml_free(smab_ml_data *ml);

/* The two-letter US state of a 5-digit zip code (by its 3-digit prefix),
 * or NULL for a code that is not a US zip (Canadian postal codes such as
 * "T8H1N", "00000" and the like).  See movielens.c for the table. */
const char *smab_ml_zip_state(const char *zip);

/* The occupation groups of SMAB_ML_OCCUPATION, so a report can print the
 * mapping: the 21 occupations of u.occupation, each with its group index
 * 0..7 (names from smab_ml_group_name).  *n (may be NULL) gets 21. */
typedef struct smab_ml_occ_map {
	const char *occupation;
	int group;
} smab_ml_occ_map;
const smab_ml_occ_map *smab_ml_occ_mapping(int *n);
/* The group index 0..7 of an occupation name, or -1 if it has none. */
int smab_ml_occ_group(const char *occupation);
/* The name of group g of a fixed grouping (gender, age, occupation), or
 * NULL (SMAB_ML_STATE, whose names depend on the data, or g out of range). */
const char *smab_ml_group_name(int grouping, int g);

/* Split the users into agents: group[u] in 0 .. n-1, or -1 for a user in
 * none (a non-US zip for SMAB_ML_STATE, or a state outside the top
 * 'nstates').  names (may be NULL) gets the agents' names as a comma list
 * ("M,F", "<18,18-24,...", "student,...", "CA,MN,...").  For
 * SMAB_ML_STATE, nstates is 1..16 and states rank by number of users, ties
 * by code; if the data have fewer states, n is their number.  Returns the
 * number of agents n, or a negative status with a message in err. */
int smab_ml_groups(const smab_ml_data *ml, int grouping, int nstates,
                   int *group, char *names, size_t nameslen, char *err,
                   size_t errlen);

/* The linear bandit: user u and movie i meet in the action
 *   x(u, i) = user[u] (elementwise *) item[i]   in R^d,
 * whose mean reward is theta . x(u, i).  best[u] is the largest mean over
 * the movies, so the pseudo-regret of playing i for u is best[u] - mean. */
typedef struct smab_ml_embed {
	int d, nusers, nitems;
	double *user;     /* [nusers * d] */
	double *item;     /* [nitems * d] */
	double *theta;    /* [d] */
	double *best;     /* [nusers] */
	double rmse;      /* root mean squared error of theta's fit to the ratings */
} smab_ml_embed;

/* Build the embedding: a rank-(d-1) truncated SVD of the 943 x 1682 matrix
 * of ratings minus their mean (missing ratings 0) through LAPACKE, user =
 * U sqrt(S) and item = V sqrt(S), then a constant last coordinate 1 on
 * both (an intercept), both scaled so the mean of ||x(u, i)||^2 over all
 * pairs is 1; theta the least-squares fit of theta . x(u, i) to the
 * 100,000 ratings (docs/movielens.md).  Deterministic for a given
 * data set and d: the same bits whatever OpenBLAS's thread count (it runs on
 * one thread, then restores the caller's count).  Returns SMAB_OK or an
 * error with a message in err. */
int smab_ml_embed_make(const smab_ml_data *ml, int d, smab_ml_embed *out,
                       char *err, size_t errlen);
void smab_ml_embed_free(smab_ml_embed *em);

#endif
