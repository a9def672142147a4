// SPDX-License-Identifier: GPL-2.0
/*
 * duty: a periodic task for the scheduler-quality tests. Each cycle it sleeps until a
 * planned time, then burns WORK_US of its own CPU time, and records two latencies:
 *
 *   wake: planned wake-up to actually running (how long a woken task waits for a CPU);
 *   done: planned wake-up to the work finished (what it gets while competing for the CPU).
 *
 *   duty WORK_US SLEEP_US SECS
 *   -> duty: cycles=N wake_p50_us=.. wake_p99_us=.. wake_max_us=.. done_p50_us=.. done_p99_us=.. done_max_us=..
 *
 * or, instead of sleeping, it yields the CPU after each piece of work (a spin-then-yield
 * lock, a cooperative runtime) and reports the share of the CPU it got:
 *
 *   duty yield WORK_US SECS   -> yield: runs=N cpu_ms=N wall_ms=N share_pct=N
 *
 * CPU time, not wall time, measures the work, so a task that is starved finishes late
 * instead of doing less.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CYCLES 100000

static long long ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* percentile q (0..100) of n sorted values, in microseconds */
static long long pct_us(const long long *v, int n, int q)
{
	int i = (int)((long long)(n - 1) * q / 100);

	return n ? v[i] / 1000 : 0;
}

static long parse_pos(const char *what, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0) {
		fprintf(stderr, "duty: %s '%s' must be a positive integer\n", what, s);
		exit(1);
	}
	return v;
}

/* Burn ns of this thread's CPU time. */
static void burn(long long ns)
{
	long long cpu0 = ns_of(CLOCK_THREAD_CPUTIME_ID);

	while (ns_of(CLOCK_THREAD_CPUTIME_ID) - cpu0 < ns)
		;
}

static int yielder(long long work_ns, long long secs)
{
	long long t0 = ns_of(CLOCK_MONOTONIC), c0 = ns_of(CLOCK_THREAD_CPUTIME_ID), wall, cpu;
	long long runs = 0;

	while (ns_of(CLOCK_MONOTONIC) - t0 < secs * 1000000000LL) {
		burn(work_ns);
		sched_yield();
		runs++;
	}
	wall = ns_of(CLOCK_MONOTONIC) - t0;
	cpu = ns_of(CLOCK_THREAD_CPUTIME_ID) - c0;
	printf("yield: runs=%lld cpu_ms=%lld wall_ms=%lld share_pct=%lld\n", runs, cpu / 1000000,
	       wall / 1000000, cpu * 100 / wall);
	return 0;
}

int main(int argc, char **argv)
{
	static long long wake[MAX_CYCLES], done[MAX_CYCLES];
	long long work_ns, sleep_ns, end, planned;
	int n = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: duty WORK_US SLEEP_US SECS | duty yield WORK_US SECS\n");
		return 1;
	}
	if (!strcmp(argv[1], "yield"))
		return yielder(parse_pos("WORK_US", argv[2]) * 1000LL, parse_pos("SECS", argv[3]));
	work_ns = parse_pos("WORK_US", argv[1]) * 1000LL;
	sleep_ns = parse_pos("SLEEP_US", argv[2]) * 1000LL;
	end = ns_of(CLOCK_MONOTONIC) + parse_pos("SECS", argv[3]) * 1000000000LL;
	planned = ns_of(CLOCK_MONOTONIC) + sleep_ns;
	while (n < MAX_CYCLES && planned < end) {
		struct timespec ts = { planned / 1000000000LL, planned % 1000000000LL };
		long long t;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		t = ns_of(CLOCK_MONOTONIC);
		wake[n] = t - planned;
		burn(work_ns);
		t = ns_of(CLOCK_MONOTONIC);
		done[n] = t - planned;
		n++;
		planned = t + sleep_ns;
	}
	qsort(wake, n, sizeof(wake[0]), cmp_ll);
	qsort(done, n, sizeof(done[0]), cmp_ll);
	printf("duty: cycles=%d wake_p50_us=%lld wake_p99_us=%lld wake_max_us=%lld "
	       "done_p50_us=%lld done_p99_us=%lld done_max_us=%lld\n", n,
	       pct_us(wake, n, 50), pct_us(wake, n, 99), pct_us(wake, n, 100),
	       pct_us(done, n, 50), pct_us(done, n, 99), pct_us(done, n, 100));
	return n ? 0 : 1;
}
