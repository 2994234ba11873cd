/* common.h - status codes, version and the error list shared by every module.
 *
 * Every public function that can fail returns an int status (SMAB_OK on
 * success) and delivers results through out-parameters, as GSL does. */
#ifndef SMAB_COMMON_H
#define SMAB_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SMAB_VERSION "0.1.0"

enum {
	SMAB_OK = 0,
	SMAB_EINVAL = 1,   /* bad argument or bad input (user's fault) */
	SMAB_EIO = 2,      /* file system or HDF5 failure */
	SMAB_ENOMEM = 3,
	SMAB_EINTERNAL = 4
};

/* Exit statuses of the smab command. */
enum {
	SMAB_EXIT_OK = 0,
	SMAB_EXIT_FAIL = 1,    /* runtime failure (I/O, MPI) */
	SMAB_EXIT_USAGE = 2    /* bad command line or bad experiment file */
};

/* One located diagnostic.  'line' and 'col' are 1-based; 0 means unknown. */
typedef struct smab_error {
	int line, col;
	char *key;      /* dotted key the error is about, or NULL */
	char *msg;      /* what was wrong and what was expected */
} smab_error;

/* A growable list of diagnostics, so validation can report every error at
 * once instead of stopping at the first. */
typedef struct smab_errors {
	char *file;     /* file name printed in front of each error */
	int n, cap;
	smab_error *e;
} smab_errors;

void smab_errors_init(smab_errors *err, const char *file);
void smab_errors_clear(smab_errors *err);
/* Append one error; 'key' may be NULL; printf-style message. */
void smab_errors_add(smab_errors *err, int line, int col, const char *key,
                     const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Print as "file:line:col: error: [key] msg", one per line, in order. */
void smab_errors_print(const smab_errors *err, FILE *out);

/* xmalloc-style helpers: abort with a message on exhaustion, since a
 * simulation that cannot allocate its bookkeeping cannot continue. */
void *smab_xmalloc(size_t n);
void *smab_xcalloc(size_t n, size_t size);
void *smab_xrealloc(void *p, size_t n);
char *smab_xstrdup(const char *s);

#endif
