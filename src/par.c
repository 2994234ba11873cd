/* par.c - the only compilation unit that talks to MPI directly (the HDF5
 * writer also hands the communicator to MPI-IO).  Everything else in smab is
 * plain C that a unit test can call without mpirun. */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smab/par.h"

static int started;   /* 1 if smab_par_init called MPI_Init */
static int threads;   /* 1 if MPI may be called from a second thread, one at a time */

void smab_par_init(int *argc, char ***argv)
{
	int inited = 0, provided = 0;
	MPI_Initialized(&inited);
	if (inited)
		return;
	/* A second thread for the counter's progress helper (below), calling
	 * MPI only while the main thread does not: Open MPI's one-sided
	 * communication over TCP refuses MPI_THREAD_MULTIPLE. */
	MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
	threads = provided >= MPI_THREAD_SERIALIZED;
	/* Errors abort the job with MPI's own message rather than returning
	 * codes nobody would check in a collective. */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
	started = 1;
}

void smab_par_finalize(void)
{
	int fin = 0;
	MPI_Finalized(&fin);
	if (started && !fin)
		MPI_Finalize();
	started = 0;
}

MPI_Comm smab_par_comm(void)
{
	return MPI_COMM_WORLD;
}

int smab_par_rank(void)
{
	int r = 0;
	MPI_Comm_rank(MPI_COMM_WORLD, &r);
	return r;
}

int smab_par_size(void)
{
	int n = 1;
	MPI_Comm_size(MPI_COMM_WORLD, &n);
	return n;
}

double smab_par_time(void)
{
	return MPI_Wtime();
}

void smab_par_bcast(void *buf, size_t len)
{
	/* MPI counts are int: send large buffers in slices. */
	char *p = buf;
	while (len > 0) {
		int n = len > (1u << 30) ? (1 << 30) : (int)len;
		MPI_Bcast(p, n, MPI_BYTE, 0, MPI_COMM_WORLD);
		p += n;
		len -= (size_t)n;
	}
}

char *smab_par_bcast_str(char *s)
{
	long long len = -1;
	if (smab_par_rank() == 0 && s)
		len = (long long)strlen(s);
	MPI_Bcast(&len, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
	if (len < 0)
		return NULL;
	if (smab_par_rank() != 0) {
		s = malloc((size_t)len + 1);
		if (!s)
			SMAB_PAR_DIE(SMAB_EXIT_FAIL, "out of memory");
		s[len] = '\0';
	}
	smab_par_bcast(s, (size_t)len);
	return s;
}

int smab_par_all(int ok)
{
	int in = ok ? 1 : 0, out = 0;
	MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	return out;
}

double smab_par_sum(double x)
{
	double y = 0;
	MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	return y;
}

double smab_par_max(double x)
{
	double y = 0;
	MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return y;
}

void smab_par_barrier(void)
{
	MPI_Barrier(MPI_COMM_WORLD);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *smab_par_hosts(void)
{
	char me[256] = "";
	if (gethostname(me, sizeof me - 1) != 0 || !me[0])
		snprintf(me, sizeof me, "?");
	int n = smab_par_size(), rank = smab_par_rank();
	/* every name in a fixed-size slot: one gather, no length exchange */
	char *all = rank == 0 ? malloc((size_t)n * sizeof me) : NULL;
	char **v = rank == 0 ? malloc((size_t)n * sizeof *v) : NULL;
	if (rank == 0 && (!all || !v))
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "out of memory");
	MPI_Gather(me, (int)sizeof me, MPI_CHAR, all, (int)sizeof me, MPI_CHAR, 0,
	           MPI_COMM_WORLD);
	if (rank != 0)
		return NULL;
	size_t len = 1;
	for (int i = 0; i < n; i++) {
		v[i] = all + (size_t)i * sizeof me;
		v[i][sizeof me - 1] = '\0';
		len += strlen(v[i]) + 1;
	}
	qsort(v, (size_t)n, sizeof *v, cmp_str);
	char *list = malloc(len);
	if (!list)
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "out of memory");
	size_t at = 0;
	for (int i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			at += (size_t)snprintf(list + at, len - at, "%s%s", at ? "," : "", v[i]);
	list[at] = '\0';
	free(v);
	free(all);
	return list;
}

/* Called by smab_par_die before the job is aborted (smab_par_on_die). */
static void (*die_fn)(void *);
static void *die_arg;

void smab_par_on_die(void (*fn)(void *), void *arg)
{
	die_fn = fn;
	die_arg = arg;
}

void smab_par_die(const char *file, int line, int status, const char *fmt, ...)
{
	/* once: a failure inside the hook must not call it again */
	void (*fn)(void *) = die_fn;
	die_fn = NULL;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "smab: rank %d: %s:%d: ", smab_par_rank(), file, line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fflush(stderr);
	if (fn)
		fn(die_arg);
	MPI_Abort(MPI_COMM_WORLD, status);
	exit(status);   /* not reached */
}

/* The counters are int64s in an RMA window on rank 0; MPI_Fetch_and_op
 * under a shared passive-target lock lets any rank take work while rank 0
 * is busy computing its own tasks -- as long as the window's atomics need
 * no help from rank 0.  Within a node (shared memory) and on RDMA networks
 * they need none; over TCP (Open MPI's osc/pt2pt) every operation waits
 * until rank 0 next enters MPI, which a rank computing a task does not do
 * for the task's whole length.  So when the ranks span more than one node,
 * a helper thread on rank 0 enters MPI every PROGRESS_US microseconds while
 * the main thread computes (smab_par_computing); 'mpi_lock' is held by
 * whichever thread may call MPI, so calls never overlap. */
#define PROGRESS_US 100

struct smab_par_counter {
	MPI_Win win;
	int64_t *base;
	int nslots;
	int helper;            /* rank 0: the progress thread is running */
	pthread_t thread;
	MPI_Comm comm;         /* the helper's own communicator, or NULL */
	_Atomic int quit;      /* set by the main thread to end the helper */
};

static pthread_mutex_t mpi_lock = PTHREAD_MUTEX_INITIALIZER;
static int helping;   /* main thread: a helper shares MPI with it */

static void *progress_helper(void *arg)
{
	smab_par_counter *c = arg;
	struct timespec pause = {0, PROGRESS_US * 1000L};
	/* trylock: while the main thread is in MPI itself (or between short
	 * tasks) the helper stays out of its way rather than queue for the
	 * lock at every task. */
	while (!c->quit) {
		if (pthread_mutex_trylock(&mpi_lock) == 0) {
			int flag = 0;
			if (!c->quit)
				MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &flag,
				           MPI_STATUS_IGNORE);
			pthread_mutex_unlock(&mpi_lock);
		}
		nanosleep(&pause, NULL);
	}
	return NULL;
}

void smab_par_computing(int on)
{
	if (!helping)
		return;
	if (on)
		pthread_mutex_unlock(&mpi_lock);
	else
		pthread_mutex_lock(&mpi_lock);
}

/* 1 on every rank if the ranks span more than one node. */
static int spans_nodes(void)
{
	MPI_Comm node;
	int n = 0;
	MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
	MPI_Comm_size(node, &n);
	MPI_Comm_free(&node);
	return !smab_par_all(n == smab_par_size());
}

smab_par_counter *smab_par_counter_create(int nslots)
{
	smab_par_counter *c = calloc(1, sizeof *c);
	if (!c || nslots < 1)
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "cannot make %d counters", nslots);
	c->nslots = nslots;
	c->comm = MPI_COMM_NULL;
	MPI_Aint size = smab_par_rank() == 0 ? (MPI_Aint)sizeof(int64_t) * nslots : 0;
	MPI_Win_allocate(size, sizeof(int64_t), MPI_INFO_NULL, MPI_COMM_WORLD,
	                 &c->base, &c->win);
	if (smab_par_rank() == 0)
		for (int i = 0; i < nslots; i++)
			c->base[i] = 0;
	MPI_Win_lock_all(0, c->win);
	if (threads && spans_nodes()) {
		MPI_Comm_dup(MPI_COMM_WORLD, &c->comm);
		/* Stop signals stay with the main thread, whose sleeps they cut
		 * short: the helper is created with them blocked.  The main
		 * thread holds the lock except while it computes. */
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		if (smab_par_rank() == 0) {
			pthread_mutex_lock(&mpi_lock);
			if (pthread_create(&c->thread, NULL, progress_helper, c) == 0)
				c->helper = helping = 1;
			else
				pthread_mutex_unlock(&mpi_lock);
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	smab_par_barrier();
	return c;
}

int64_t smab_par_counter_take(smab_par_counter *c, int slot, int64_t n)
{
	int64_t old = 0;
	if (slot < 0 || slot >= c->nslots)
		SMAB_PAR_DIE(SMAB_EXIT_FAIL, "no counter %d", slot);
	MPI_Fetch_and_op(&n, &old, MPI_INT64_T, 0, slot, MPI_SUM, c->win);
	MPI_Win_flush(0, c->win);
	return old;
}

void smab_par_counter_free(smab_par_counter **c)
{
	if (!c || !*c)
		return;
	/* Everyone's last operation is done before rank 0's helper stops. */
	smab_par_barrier();
	if ((*c)->helper) {
		(*c)->quit = 1;
		pthread_mutex_unlock(&mpi_lock);   /* held since create, outside tasks */
		pthread_join((*c)->thread, NULL);
		helping = 0;
	}
	if ((*c)->comm != MPI_COMM_NULL)
		MPI_Comm_free(&(*c)->comm);
	MPI_Win_unlock_all((*c)->win);
	MPI_Win_free(&(*c)->win);
	free(*c);
	*c = NULL;
}

static volatile sig_atomic_t stop_signal;
/* 1 while the run is setting up: a stop signal ends the process at once
 * (exit status 3, after removing 'stop_unlink'), since nothing of value is
 * in flight and a call that does not return (a file system, a damaged file)
 * must not hold the job past its time limit. */
static volatile sig_atomic_t stop_now = 1;
static char stop_unlink[4096];

static void on_stop(int sig)
{
	stop_signal = sig;
	if (stop_now) {
		if (stop_unlink[0])
			unlink(stop_unlink);
		_exit(SMAB_EXIT_STOPPED);
	}
	/* A second Ctrl-C at a terminal means "now". */
	if (sig == SIGINT)
		signal(SIGINT, SIG_DFL);
}

void smab_par_catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

void smab_par_stop_at_once(int on)
{
	stop_now = on;   /* one sig_atomic_t store: the handler sees old or new */
}

void smab_par_stop_unlink(const char *path)
{
	/* The handler must never see half a name: hold the signals back. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &old);
	snprintf(stop_unlink, sizeof stop_unlink, "%s", path ? path : "");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int smab_par_stop_requested(void)
{
	return (int)stop_signal;
}
