/* coalition.h - what the coalition suite's files share: the instance, one
 * task's state and the width kernels (coalwidths.c) that src/suites/
 * coalition.c's mechanisms call.  Not a public interface. */
#ifndef SMAB_SUITES_COALITION_H
#define SMAB_SUITES_COALITION_H

#include <stdint.h>
#include <stdio.h>

#include "smab/shapley.h"
#include "smab/suite.h"

enum { K_TRMM, K_GEMM };            /* the 'kernel' choices, in order */
enum { PR_DOUBLE, PR_SINGLE, PR_MIXED };  /* the 'precision' choices */
enum { RU_USER, RU_NONE };             /* the 'reuse' choices */

typedef struct inst {
	int kind, M, d, n;          /* n items of dimension d */
	const double *item;         /* [n * d] */
	const double *user;         /* [nusers * d], movielens */
	const double *theta;        /* [d] */
	const double *best;         /* [nusers], movielens */
	unsigned char *holds;       /* [M * n], synthetic: agent a may play item i */
	double *sbest;              /* [M], synthetic: best mean of agent a */
	double *own;                /* storage: synthetic items, theta, ones; movielens theta, best */
	const double *ones;         /* [d] all ones: the synthetic user */
} inst;

typedef struct task {
	const inst *in;
	int m;                  /* members */
	int mem[SMAB_MAX_AGENTS];
	int64_t T;
	double sigma, lambda, alpha;
	int *users;             /* [m * T]: u_{a,t} (movielens) */
	double *z;              /* [m * T]: standard normal noise */
	const smab_task *t;
	/* scratch */
	double *A;              /* d x d, full V^-1 */
	double *B;              /* d x (m d + m) */
	double *Y;              /* n x (m d + m) */
	int kernel;             /* K_TRMM or K_GEMM */
	int single;             /* trmm widths in single precision (single, mixed) */
	int mixed;              /* then double for the items the screen keeps */
	double *S;              /* CHUNK x d: scaled items (trmm) */
	float *S32;             /* CHUNK x d: scaled items (single) */
	float *W32;             /* m factors d x d (single) */
	double *xn;             /* [m * n]: ||u * item_i|| (mixed) */
	double *hi;             /* [n]: screened score plus its error (mixed) */
	int *cand;              /* [n]: the screen's candidates (mixed) */
	double wfro[SMAB_MAX_AGENTS];   /* ||W||_F of each member's factor (mixed) */
	int ncand[SMAB_MAX_AGENTS];     /* candidates of each member this round */
	double babs, brel;      /* smab_widths_tri32_bound at d */
	FILE *trace;            /* SMAB_TEST_COALITION_CHOICES: every choice */
	double *x;              /* m x d: this round's actions */
	double *reg;            /* m: regret so far */
	int *prio;              /* [n]: tie-break rank of each item */
	int reuse;              /* 'reuse: user' (kernel trmm) */
	double *ub;             /* [nusers * n]: each user's width bounds (reuse) */
	unsigned char *seen;    /* [nusers]: ub holds the user's bounds */
	unsigned char *bdone;   /* [blocks]: recomputed this member-round */
	double *bn;             /* [CHUNK]: a block's ||u * item_i|| */
} task;


static inline int may_play(const task *k, int j, int i)
{
	return !k->in->holds || k->in->holds[(size_t)k->mem[j] * (size_t)k->in->n + (size_t)i];
}

/* What a member needs this round. */
enum { NEED_NONE, NEED_MEAN, NEED_UCB };

/* Rows of the product per block (a 128 x 808 block is 0.8 MB: in L2). */
#define CHUNK 128

/* The round's means and widths of every member (coalwidths.c). */
void smab_cw_scores(task *k, const int *need, const double *const *u,
                    const double *const *fac, const float *const *fac32,
                    const double *th, double *w, double *mu);
/* Precision mixed: double widths for the items the float screen keeps. */
void smab_cw_refine(task *k, int j, const double *mu, double *w, double beta,
                    const double *W, const double *u);
/* Reuse: keep member j's widths w of this round as user uid's bounds
 * (screened: from the mixed precision's float screen). */
void smab_cw_store(task *k, int j, int uid, const double *w, const double *u, int screened);
/* Reuse: member j's widths for its user uid, recomputed only in the blocks
 * that could hold the choice; the others 0.  Returns the items recomputed. */
int smab_cw_reuse(task *k, int j, int uid, const double *mu, double *w, double beta,
                  const double *W, const float *W32, const double *u);

#endif
