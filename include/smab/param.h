/* param.h - typed parameters that suites declare and experiments set.
 *
 * A suite lists its parameters in a const table; the config module checks
 * every value written in a YAML file against that table (type, range,
 * choices) and 'smab list' prints it. */
#ifndef SMAB_PARAM_H
#define SMAB_PARAM_H

#include "smab/common.h"

typedef enum smab_ptype {
	SMAB_P_INT,      /* integer, stored exactly in a double (|x| < 2^53) */
	SMAB_P_REAL,     /* finite double */
	SMAB_P_BOOL,     /* 0 or 1 */
	SMAB_P_ENUM,     /* index into 'choices' */
	SMAB_P_VEC,      /* list of finite doubles (may be empty) */
	SMAB_P_STR       /* a string (a path); cannot be swept */
} smab_ptype;

typedef struct smab_param_decl {
	const char *name;     /* dotted path, e.g. "egreedy.c" */
	smab_ptype type;
	const char *def;      /* default, written as in YAML ("20000", "gaussian", "[]") */
	double lo, hi;        /* inclusive range for INT/REAL and for VEC elements */
	const char *choices;  /* ENUM only: "gaussian|bernoulli" */
	const char *doc;      /* one line for 'smab list' */
} smab_param_decl;

/* A parameter value.  Scalars (INT, REAL, BOOL, ENUM index) live in 'x';
 * vectors in 'v[0..n-1]'; strings in 's'.  A vector's or a string's storage
 * is owned by the experiment that produced it, so values can be copied by
 * assignment. */
typedef struct smab_value {
	double x;
	int n;
	double *v;
	char *s;
} smab_value;

/* Name of a type, for messages and 'smab list' ("int", "real", ...). */
const char *smab_ptype_name(smab_ptype t);

/* Index of 'name' in the '|'-separated choices of an ENUM declaration,
 * or -1 if it is not one of them. */
int smab_param_choice(const smab_param_decl *d, const char *name);

/* Choice number 'i' of an ENUM declaration, copied into buf. */
void smab_param_choice_name(const smab_param_decl *d, int i, char *buf,
                            size_t len);

/* Shortest decimal text that reads back as exactly x: "0.1", not
 * "0.10000000000000001". */
void smab_real_str(double x, char *buf, size_t len);

/* A value as it would be written in YAML: INT whole, BOOL true/false, ENUM
 * by name, VEC as "[a, b]"; reals exact (digits = 0, via smab_real_str) or
 * with 'digits' significant digits for display.  Returns a new string that
 * the caller frees. */
char *smab_value_str(const smab_param_decl *d, const smab_value *v, int digits);

#endif
