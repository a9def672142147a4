// SPDX-License-Identifier: GPL-2.0
/*
 * How long a busy host task waits for a CPU: N threads spin reading CLOCK_MONOTONIC; a gap
 * between two consecutive readings longer than GAP_US is time the thread did not run (it
 * was preempted and waited). Prints one line:
 *
 *   waitprobe: threads=N seconds=S waits=N max_wait_us=N p99_wait_us=N p999_wait_us=N
 *              run_share=F
 *
 * run_share is the fraction of wall time the threads ran, summed over threads. Used by the
 * hostile-guest test to compare the same load under EEVDF and under scx_errata.
 *
 *   waitprobe THREADS SECONDS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GAP_US		50		/* shorter gaps are the loop itself, not a wait */
#define BUCKET_US	100		/* histogram resolution */
#define NR_BUCKETS	20000		/* up to 2 s */

static double secs;

struct probe {
	pthread_t thread;
	unsigned long waits;
	unsigned long long max_us, waited_us;
	unsigned int hist[NR_BUCKETS];
};

static unsigned long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ull + ts.tv_nsec / 1000;
}

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	unsigned long long start = now_us(), end = start + secs * 1e6, last = start, t;

	while ((t = now_us()) < end) {
		unsigned long long gap = t - last;

		last = t;
		if (gap <= GAP_US)
			continue;
		p->waits++;
		p->waited_us += gap;
		if (gap > p->max_us)
			p->max_us = gap;
		p->hist[gap / BUCKET_US < NR_BUCKETS ? gap / BUCKET_US : NR_BUCKETS - 1]++;
	}
	return NULL;
}

/* the smallest wait w such that at least q of all waits are <= w (bucket upper bound) */
static unsigned long long quantile(const unsigned long long *hist, unsigned long total, double q)
{
	unsigned long long seen = 0;

	for (int b = 0; b < NR_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= q * total)
			return (b + 1ull) * BUCKET_US;
	}
	return NR_BUCKETS * (unsigned long long)BUCKET_US;
}

int main(int argc, char **argv)
{
	static unsigned long long hist[NR_BUCKETS];
	unsigned long long max_us = 0, waited_us = 0;
	unsigned long waits = 0;
	struct probe *p;
	int n;

	if (argc != 3 || (n = atoi(argv[1])) < 1 || n > 64 || (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: waitprobe THREADS(1-64) SECONDS\n");
		return 1;
	}
	p = calloc(n, sizeof(*p));
	if (!p)
		return 1;
	for (int i = 0; i < n; i++)
		pthread_create(&p[i].thread, NULL, probe_main, &p[i]);
	for (int i = 0; i < n; i++) {
		pthread_join(p[i].thread, NULL);
		waits += p[i].waits;
		waited_us += p[i].waited_us;
		if (p[i].max_us > max_us)
			max_us = p[i].max_us;
		for (int b = 0; b < NR_BUCKETS; b++)
			hist[b] += p[i].hist[b];
	}
	printf("waitprobe: threads=%d seconds=%.0f waits=%lu max_wait_us=%llu p99_wait_us=%llu "
	       "p999_wait_us=%llu run_share=%.3f\n", n, secs, waits, max_us,
	       quantile(hist, waits, 0.99), quantile(hist, waits, 0.999),
	       1.0 - waited_us / (secs * 1e6 * n));
	return 0;
}
