// SPDX-License-Identifier: GPL-2.0
/*
 * many_vcpus: many threads that each own a slot of one scx_errata shared file and behave
 * like vCPUs, for measuring what the scheduler's decisions cost as the number of registered
 * vCPU threads grows (tests/vm/cases/bench_decision_cost.sh).
 *
 *   many_vcpus --shm PATH --threads N [--active A] [--period-ms P] [--window-us W]
 *              [--tids FILE]
 *
 * It creates PATH zero-filled (the daemon lays out a blank file when it first publishes),
 * the smallest power of two that holds N slots, and maps it. Thread i uses slot i. The
 * first A threads (default all) are active: each wakes every P ms (phases spread over the
 * period so the wake-ups do not come in bursts), opens a window (in_errata = 1,
 * window_seq++), spins W us in it, closes it and sleeps again. The others are idle: they
 * run one such window each time the process gets SIGUSR1 and otherwise sleep, so that a
 * registration can be completed (the scheduler arms a slot once its thread has run) and
 * then cost nothing but its existence. No KVM: a thread is a vCPU thread to scx_errata
 * only when named to it, so the same threads can run registered or not and the load stays
 * the same whatever is registered:
 *
 *   scx_errata run --vm PID:PATH:TID,TID,...    (the first K tids of --tids: slots 0..K-1)
 *
 * --tids writes every thread id, in slot order, comma-separated on one line, before the
 * "many_vcpus: ready" line on stderr. On SIGINT or SIGTERM one line goes to stdout:
 *
 *   many_vcpus: threads=N active=A seconds=S wakeups=N late_wakeups=N pokes=N armed=N
 *
 * late_wakeups counts wake-ups more than a period behind schedule (the schedule is then
 * restarted from now rather than caught up in a burst); pokes the SIGUSR1s; armed the slots
 * the scheduler arms.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "scx_errata_abi.h"
#include "opt_num.h"

#define NSEC		1000000000ll
#define STACK_SIZE	(64 * 1024)	/* 1024 default 8 MiB stacks would not fit a 1 GiB VM */

#define die(...)	do { fprintf(stderr, "many_vcpus: " __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)

struct sleeper {
	int			idx;
	pid_t			tid;
	struct scxe_slot	*slot;
	unsigned long		wakeups, late;
	pthread_t		thread;
};

static const char *shm_path, *tids_path;
static int nr_threads, nr_active = -1;
static long long period_ns = 500 * 1000000ll, window_ns = 20 * 1000ll;
static struct sleeper *sleepers;
static pthread_barrier_t started;
/* SIGUSR1: every idle thread runs one window */
static pthread_mutex_t poke_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t poke_cond = PTHREAD_COND_INITIALIZER;
static unsigned long poke_gen;

static void usage(FILE *f)
{
	fprintf(f,
"usage: many_vcpus --shm PATH --threads N [options]\n"
"N threads, each owning slot i of a new scx_errata shared file, wake up now and then to\n"
"open a short errata window; register them with scx_errata run --vm PID:PATH:TIDS.\n"
"\n"
"  --shm PATH         shared file to create (zero-filled; it must not exist)\n"
"  --threads N        threads and slots, 1 to %u\n"
"  --active A         only the first A wake by themselves (default all); the others\n"
"                     run once each time the process gets SIGUSR1\n"
"  --period-ms P      each active thread wakes every P ms (default 500)\n"
"  --window-us W      and spins W us inside a window (default 20; 0: no window)\n"
"  --tids FILE        write the thread ids, in slot order, as TID,TID,... to FILE\n"
"  -h, --help         this help\n", SCXE_ABI_MAX_SLOTS);
}

#define num(what, s, min, max)	opt_num("many_vcpus", what, s, min, max)

static void parse_opts(int argc, char **argv)
{
	enum { O_SHM = 256, O_THREADS, O_ACTIVE, O_PERIOD, O_WINDOW, O_TIDS };
	static const struct option lo[] = {
		{ "shm", required_argument, NULL, O_SHM },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "active", required_argument, NULL, O_ACTIVE },
		{ "period-ms", required_argument, NULL, O_PERIOD },
		{ "window-us", required_argument, NULL, O_WINDOW },
		{ "tids", required_argument, NULL, O_TIDS },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_SHM:	shm_path = optarg; break;
		case O_THREADS:	nr_threads = num("--threads", optarg, 1, SCXE_ABI_MAX_SLOTS); break;
		case O_ACTIVE:	nr_active = num("--active", optarg, 0, SCXE_ABI_MAX_SLOTS); break;
		case O_PERIOD:	period_ns = num("--period-ms", optarg, 1, 60000) * 1000000ll; break;
		case O_WINDOW:	window_ns = num("--window-us", optarg, 0, 1000000) * 1000ll; break;
		case O_TIDS:	tids_path = optarg; break;
		case 'h':	usage(stdout); exit(0);
		default:	usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see -h)", argv[optind]);
	if (!shm_path || !nr_threads)
		die("--shm PATH and --threads N are required (see -h)");
	if (nr_active < 0)
		nr_active = nr_threads;
	if (nr_active > nr_threads)
		die("--active %d: more than the %d threads", nr_active, nr_threads);
	if (window_ns >= period_ns)
		die("--window-us must be shorter than --period-ms: the threads are meant to sleep");
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

/* Create and map the file: the smallest power of two the daemon would make for n slots. */
static struct scxe_slot *map_slots(int n)
{
	size_t need = SCXE_ABI_FILE_SIZE((size_t)n), size = SCXE_ABI_HDR_SIZE;
	unsigned char *p;
	int fd;

	while (size < need)
		size <<= 1;
	fd = open(shm_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		die("creating %s: %s", shm_path, strerror(errno));
	if (ftruncate(fd, size))
		die("sizing %s to %zu bytes: %s", shm_path, size, strerror(errno));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mapping %s: %s", shm_path, strerror(errno));
	close(fd);
	return (struct scxe_slot *)(p + SCXE_ABI_HDR_SIZE);
}

/* One wake-up: the guest protocol, as a vCPU's guest would run it. */
static void window(struct sleeper *s)
{
	long long end;

	s->wakeups++;
	if (!window_ns)
		return;
	__atomic_store_n(&s->slot->in_errata, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->slot->window_seq, s->slot->window_seq + 1, __ATOMIC_RELAXED);
	asm volatile("" ::: "memory");
	for (end = now_ns() + window_ns; now_ns() < end; )
		;
	asm volatile("" ::: "memory");
	__atomic_store_n(&s->slot->in_errata, 0, __ATOMIC_RELAXED);
}

static void idle_loop(struct sleeper *s)
{
	unsigned long seen = 0;

	for (;;) {
		pthread_mutex_lock(&poke_lock);
		while (poke_gen == seen)
			pthread_cond_wait(&poke_cond, &poke_lock);
		seen = poke_gen;
		pthread_mutex_unlock(&poke_lock);
		window(s);
	}
}

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct timespec ts;
	long long next;
	char name[16];

	snprintf(name, sizeof(name), "sleeper%d", s->idx);
	prctl(PR_SET_NAME, name);
	s->tid = syscall(SYS_gettid);
	pthread_barrier_wait(&started);
	if (s->idx >= nr_active)
		idle_loop(s);
	next = now_ns() + period_ns * s->idx / nr_active;
	for (;;) {
		long long t;

		ts.tv_sec = next / NSEC;
		ts.tv_nsec = next % NSEC;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		window(s);
		next += period_ns;
		t = now_ns();
		if (next < t - period_ns) {
			s->late++;
			next = t;
		}
	}
	return NULL;
}

static void write_tids(void)
{
	FILE *f = fopen(tids_path, "w");

	if (!f)
		die("creating %s: %s", tids_path, strerror(errno));
	for (int i = 0; i < nr_threads; i++)
		fprintf(f, "%s%d", i ? "," : "", sleepers[i].tid);
	fputc('\n', f);
	if (fclose(f))
		die("writing %s: %s", tids_path, strerror(errno));
}

int main(int argc, char **argv)
{
	unsigned long wakeups = 0, late = 0;
	struct scxe_slot *slots;
	pthread_attr_t attr;
	unsigned long pokes = 0;
	long long start;
	sigset_t sigs;
	int sig, armed = 0;

	parse_opts(argc, argv);
	slots = map_slots(nr_threads);
	sleepers = calloc(nr_threads, sizeof(*sleepers));
	if (!sleepers)
		die("allocating %d threads: %s", nr_threads, strerror(errno));
	/* blocked before the threads exist, so only sigwait below ever takes them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, STACK_SIZE))
		die("thread attributes: %s", strerror(errno));
	pthread_barrier_init(&started, NULL, nr_threads + 1);
	for (int i = 0; i < nr_threads; i++) {
		sleepers[i].idx = i;
		sleepers[i].slot = &slots[i];
		errno = pthread_create(&sleepers[i].thread, &attr, sleeper_main, &sleepers[i]);
		if (errno)
			die("creating thread %d: %s", i, strerror(errno));
	}
	pthread_barrier_wait(&started);
	start = now_ns();
	if (tids_path)
		write_tids();
	fprintf(stderr, "many_vcpus: ready pid=%d threads=%d active=%d period_ms=%lld window_us=%lld\n",
		getpid(), nr_threads, nr_active, period_ns / 1000000, window_ns / 1000);
	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig != SIGUSR1)
			break;
		pthread_mutex_lock(&poke_lock);
		poke_gen++;
		pthread_cond_broadcast(&poke_cond);
		pthread_mutex_unlock(&poke_lock);
		pokes++;
	}
	for (int i = 0; i < nr_threads; i++) {
		wakeups += __atomic_load_n(&sleepers[i].wakeups, __ATOMIC_RELAXED);
		late += __atomic_load_n(&sleepers[i].late, __ATOMIC_RELAXED);
		armed += __atomic_load_n(&slots[i].armed, __ATOMIC_RELAXED) != 0;
	}
	printf("many_vcpus: threads=%d active=%d seconds=%.1f wakeups=%lu late_wakeups=%lu pokes=%lu "
	       "armed=%d\n", nr_threads, nr_active, (now_ns() - start) / 1e9, wakeups, late, pokes,
	       armed);
	/* the sleepers never return: leave without joining them */
	fflush(stdout);
	_exit(0);
}
