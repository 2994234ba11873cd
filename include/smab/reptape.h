/* reptape.h - reward tapes of registered arms, one per (agent, original arm,
 * replica), for the replication suite.
 *
 * Pull j of a tape is a fixed function of (seed, replication, tape id, j):
 * value j mod SMAB_REPTAPE_BLOCK of the stream (key {seed, ALL_POINTS, rep};
 * REWARD, id, j / SMAB_REPTAPE_BLOCK).  A replica has its own id, so its
 * rewards are independent of the original's while its mean is the same.
 * Only the current block of each tape is kept: pulls of one arm are read in
 * order, and a new run starts every tape again at pull 0. */
#ifndef SMAB_REPTAPE_H
#define SMAB_REPTAPE_H

#include <gsl/gsl_rng.h>
#include "smab/common.h"
#include "smab/rng.h"

/* Pulls per stream block; part of the streams' names. */
#define SMAB_REPTAPE_BLOCK 512

enum { SMAB_REPTAPE_BERNOULLI, SMAB_REPTAPE_GAUSSIAN };

typedef struct smab_reptape {
	int cap;            /* tapes allocated */
	int noise;          /* SMAB_REPTAPE_BERNOULLI or _GAUSSIAN */
	double sigma;       /* Gaussian standard deviation */
	smab_rng_key key;
	gsl_rng *r;
	uint64_t *id;       /* [cap] stream id of each tape */
	double *mu;         /* [cap] mean reward of each tape */
	int64_t *pos;       /* [cap] next pull */
	double *buf;        /* [cap * BLOCK] rewards of the current block */
} smab_reptape;

/* Stream id of replica 'replica' (0 = the original) of arm 'arm' of agent
 * 'agent'; agent < 2^16, arm < 2^16, replica < 2^16. */
static inline uint64_t smab_reptape_id(int agent, int arm, int replica)
{
	return ((uint64_t)agent << 32) | ((uint64_t)arm << 16) | (uint64_t)replica;
}

/* Room for 'cap' tapes; free with smab_reptape_free. */
smab_reptape *smab_reptape_alloc(int cap);
void smab_reptape_free(smab_reptape **tp);

/* Key and reward law for the next runs ('sigma' is ignored for Bernoulli). */
void smab_reptape_init(smab_reptape *tp, const smab_rng_key *key, int noise,
                       double sigma);

/* Tape slot 'a' (0 <= a < cap) plays stream 'id' with mean 'mu', from pull 0. */
void smab_reptape_set(smab_reptape *tp, int a, uint64_t id, double mu);

/* Fill slot a's block holding pull pos[a] (out of line, once per block). */
void smab_reptape_fill(smab_reptape *tp, int a);

/* The reward of the next pull of slot 'a': Bernoulli [u < mu] with u
 * uniform, or mu + sigma z with z standard normal. */
static inline double smab_reptape_next(smab_reptape *tp, int a)
{
	int64_t j = tp->pos[a];
	if (j % SMAB_REPTAPE_BLOCK == 0)
		smab_reptape_fill(tp, a);
	tp->pos[a] = j + 1;
	return tp->buf[(size_t)a * SMAB_REPTAPE_BLOCK + (size_t)(j % SMAB_REPTAPE_BLOCK)];
}

#endif
