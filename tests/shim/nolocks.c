/* nolocks.c - an LD_PRELOAD library for tests: a file system without
 * locks, as NFS without a lock daemon or Lustre mounted without 'flock'
 * behaves.  NOLOCKS=flock fails flock(), NOLOCKS=fcntl fails the fcntl()
 * byte-range and open-file-description locks, NOLOCKS=both fails both, with
 * errno NOLOCKS_ERRNO (default ENOLCK).  Every other call passes through.
 * Built by the test that uses it: cc -shared -fPIC -o nolocks.so nolocks.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

/* 1 if NOLOCKS names 'kind' (or "both"). */
static int failing(const char *kind)
{
	const char *s = getenv("NOLOCKS");
	return s && (strcmp(s, kind) == 0 || strcmp(s, "both") == 0);
}

static int fail(void)
{
	const char *s = getenv("NOLOCKS_ERRNO");
	errno = s ? atoi(s) : ENOLCK;
	return -1;
}

int flock(int fd, int op)
{
	static int (*real)(int, int);
	if (failing("flock"))
		return fail();
	if (!real)
		real = (int (*)(int, int))dlsym(RTLD_NEXT, "flock");
	return real(fd, op);
}

static int is_lock(int cmd)
{
	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK || cmd == F_OFD_SETLK ||
	       cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
}

/* fcntl and fcntl64 (what programs built with 64-bit file offsets call). */
static int pass(const char *name, int fd, int cmd, void *arg)
{
	int (*real)(int, int, ...) = (int (*)(int, int, ...))dlsym(RTLD_NEXT, name);
	if (!real)
		real = (int (*)(int, int, ...))dlsym(RTLD_NEXT, "fcntl");
	return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (is_lock(cmd) && failing("fcntl"))
		return fail();
	return pass("fcntl", fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (is_lock(cmd) && failing("fcntl"))
		return fail();
	return pass("fcntl64", fd, cmd, arg);
}
