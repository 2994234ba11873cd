/* betaq.h - the Beta(a, b) quantile for value tapes: a direct inverse CDF,
 * and a table of it cheap enough to evaluate once per pull.
 *
 * The direct quantile runs GSL's Newton iteration on the incomplete beta
 * function, a few microseconds a call; a tape of 10^6 pulls spends seconds
 * in it.  The table holds quintic Hermite pieces of the quantile: on a
 * uniform grid in u over [1/64, 63/64], and in the tails on a uniform grid
 * in ln u of ln x (ln(1 - u) of ln(1 - x) in the upper tail), where the
 * quantile behaves like a power of u.  Its nodes are the quantile polished
 * to a few ulps by Newton steps on the CDF, with the derivatives
 * x' = 1/f(x), x'' = -x'^2 ((a-1)/x - (b-1)/(1-x)).  A table is built only
 * if every piece agrees with the direct quantile at its midpoint (where a
 * Hermite piece's error peaks) to within 1e-13 + 1e-12 x (1e-13 + 1e-12
 * (1 - x) in the upper tail); otherwise, for shapes too extreme for the
 * grids, the direct quantile is used.  GSL's error handler must be off
 * (gsl_set_error_handler_off): a quantile that fails to converge is
 * detected here, not left to abort the process. */
#ifndef SMAB_BETAQ_H
#define SMAB_BETAQ_H

typedef struct smab_betaq smab_betaq;

/* Beta(a, b)'s quantile at u in [0,1] by GSL's inverse CDF, falling back
 * to bisection on the CDF where GSL's iteration does not converge. */
double smab_betaq_direct(double u, double a, double b);

/* The table of Beta(a, b) (a, b > 0), built on first use and kept for the
 * life of the process (tasks of a sweep share their arms' shapes); NULL
 * when the shape fails the check above (use smab_betaq_direct).  Not
 * thread-safe: one table cache per process. */
const smab_betaq *smab_betaq_get(double a, double b);

/* The quantile at u in [0,1) from table t (u below the tail grid, e^-28,
 * goes to the direct quantile). */
double smab_betaq_eval(const smab_betaq *t, double u);

/* Free every cached table (tests, leak checkers). */
void smab_betaq_clear(void);

#endif
