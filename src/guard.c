/* guard.c - a piece of work run in a child process, so that a crash inside
 * a library becomes an error message instead of the command's death.
 *
 * Why: smab checks every dataset of a result file against the file's own
 * attributes before reading it (h5check.c), but some damage is in HDF5's
 * own metadata, which HDF5 1.10 trusts: a crafted attribute message makes
 * it read past its buffers and crash before smab sees anything.  Readers
 * therefore look at a file from a forked child; its death by a signal is
 * reported as a damaged file, and the parent carries on (or stops) cleanly.
 * Plain POSIX (Linux); no MPI: a child never calls MPI, and leaves with
 * _exit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smab/guard.h"

static volatile sig_atomic_t child;

static void pass_on(int sig)
{
	if (child > 0)
		kill((pid_t)child, sig);
}

void *smab_guard_alloc(size_t n)
{
	void *p = mmap(NULL, n ? n : 1, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "smab: out of memory (%zu shared bytes)\n", n);
		abort();
	}
	return p;
}

void smab_guard_free(void *p, size_t n)
{
	if (p)
		munmap(p, n ? n : 1);
}

int smab_guard_run(int (*fn)(void *arg), void *arg, int *sig)
{
	static const int pass[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};
	enum { NPASS = sizeof pass / sizeof pass[0] };
	struct sigaction sa, old[NPASS];
	*sig = 0;
	fflush(NULL);   /* nothing buffered twice */
	pid_t parent = getpid(), pid = fork();
	if (pid < 0)
		return fn(arg);   /* no child to be had: do it here */
	if (pid == 0) {
		/* Never outlive the parent (a killed job leaves no reader behind). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		int rc = fn(arg);
		fflush(NULL);
		_exit(rc & 0xff);
	}
	/* Meanwhile a stop signal is the child's to handle: it is passed on,
	 * and the parent ends as the child did. */
	child = pid;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = pass_on;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (int i = 0; i < NPASS; i++)
		sigaction(pass[i], &sa, &old[i]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	child = 0;
	for (int i = 0; i < NPASS; i++)
		sigaction(pass[i], &old[i], NULL);
	if (WIFSIGNALED(st)) {
		*sig = WTERMSIG(st);
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int smab_guard_crashed(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
	       sig == SIGABRT || sig == SIGSYS;
}
