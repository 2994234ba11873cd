/* guard.h - run a piece of work in a child process, so that a crash inside
 * a library (HDF5 reading a crafted file) is reported instead of killing
 * the command.  See guard.c for why. */
#ifndef SMAB_GUARD_H
#define SMAB_GUARD_H

#include <stddef.h>

/* Run fn(arg) in a forked child and wait for it.  Returns fn's value (as
 * an exit status, 0..255), or -1 with *sig = the signal that ended the
 * child.  While it runs, SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to the
 * caller are passed on to the child; the child dies with the caller.
 * Results the child hands back must live in smab_guard_alloc memory. */
int smab_guard_run(int (*fn)(void *arg), void *arg, int *sig);

/* n zeroed bytes shared with the children of smab_guard_run (aborts when
 * out of memory); free with smab_guard_free(p, n). */
void *smab_guard_alloc(size_t n);
void smab_guard_free(void *p, size_t n);

/* 1 if a child ended by signal 'sig' crashed (SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT, SIGSYS) rather than being stopped. */
int smab_guard_crashed(int sig);

#endif
