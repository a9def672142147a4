// SPDX-License-Identifier: GPL-2.0
/*
 * Load generator for the VM tests: busy loops, a fork/exec storm and pipe ping-pong, alone
 * or together, for a given time. Prints what it got done so a test can tell a stalled
 * system from a working one.
 *
 *   stress spin N SECS | forkexec SECS | pingpong SECS | all SECS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* counters shared with the child processes */
struct counts {
	volatile unsigned long spins, forkexecs, pingpongs;
};

static void spin(struct counts *c, double secs)
{
	double end = now() + secs;

	while (now() < end) {
		for (volatile int i = 0; i < 100000; i++)
			;
		__atomic_add_fetch(&c->spins, 1, __ATOMIC_RELAXED);
	}
}

static void forkexec(struct counts *c, double secs)
{
	double end = now() + secs;

	while (now() < end) {
		pid_t p = fork();

		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (p < 0)
			continue;
		int st;
		if (waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			__atomic_add_fetch(&c->forkexecs, 1, __ATOMIC_RELAXED);
	}
}

static void pingpong(struct counts *c, double secs)
{
	int a[2], b[2];
	char x = 0;
	pid_t p;

	if (pipe(a) || pipe(b))
		return;
	p = fork();
	if (p == 0) {
		while (read(a[0], &x, 1) == 1 && x)
			if (write(b[1], &x, 1) != 1)
				break;
		_exit(0);
	}
	double end = now() + secs;
	while (now() < end) {
		x = 1;
		if (write(a[1], &x, 1) != 1 || read(b[0], &x, 1) != 1)
			break;
		__atomic_add_fetch(&c->pingpongs, 1, __ATOMIC_RELAXED);
	}
	x = 0;
	if (write(a[1], &x, 1) < 0)
		perror("pingpong");
	waitpid(p, NULL, 0);
}

static pid_t child(void (*fn)(struct counts *, double), struct counts *c, double secs)
{
	pid_t p = fork();

	if (p == 0) {
		fn(c, secs);
		_exit(0);
	}
	return p;
}

int main(int argc, char **argv)
{
	struct counts *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nspin = 0;
	double secs;

	if (c == MAP_FAILED || argc < 3) {
		fprintf(stderr, "usage: stress spin N SECS | forkexec SECS | pingpong SECS | all SECS\n");
		return 1;
	}
	if (!strcmp(argv[1], "spin")) {
		if (argc < 4)
			return 1;
		nspin = atoi(argv[2]);
		secs = atof(argv[3]);
	} else {
		secs = atof(argv[2]);
	}
	if (secs <= 0) {
		fprintf(stderr, "stress: SECS must be positive\n");
		return 1;
	}
	if (!strcmp(argv[1], "all"))
		nspin = ncpu;
	for (int i = 0; i < nspin; i++)
		child(spin, c, secs);
	if (!strcmp(argv[1], "forkexec") || !strcmp(argv[1], "all"))
		child(forkexec, c, secs);
	if (!strcmp(argv[1], "pingpong") || !strcmp(argv[1], "all"))
		child(pingpong, c, secs);
	while (wait(NULL) > 0)
		;
	printf("stress: spins=%lu forkexecs=%lu pingpongs=%lu\n", c->spins, c->forkexecs, c->pingpongs);
	return 0;
}
