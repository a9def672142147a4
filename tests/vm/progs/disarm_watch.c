// SPDX-License-Identifier: GPL-2.0
/*
 * disarm_watch: how long after the scheduler stops enforcing does every vCPU slot of a VM's
 * shared file read armed == 0. A guest is promised the fence only while its slot is armed,
 * so the time a slot stays armed after the kernel stopped running the BPF scheduler is time
 * in which the promise is false.
 *
 * It waits until sched_ext is enabled and every slot armed, ends the scheduler (SIGKILL to
 * its loader, a task that makes a scheduler built with the test fault eject itself, a shell
 * command, or nothing when someone else does it), then samples the sched_ext state, every
 * slot's armed and the header's fence_live each period and prints one line:
 *
 *   disarm: trigger=kill|eject|run|none state_left_us=A disarmed_us=B live_off_us=C
 *           disarm_minus_state_us=D resolution_us=R samples=S          (one line)
 *
 * A, B and C are microseconds from the trigger to the first sample that saw the state not
 * "enabled", every slot disarmed, fence_live 0 (-1: never within --timeout). D = B - A is
 * negative when the slots were disarmed before the state changed ("none" unless both were
 * seen). R is the largest gap between two samples, the most any time can be late by; the
 * sample before each change is on stderr ("bracket"). Exit 0 when the state left enabled
 * and every slot was disarmed within --timeout, 1 when not (or when nothing was armed to
 * begin with), 2 on errors.
 *
 * It runs SCHED_FIFO: sched_ext never runs RT tasks, so sampling goes on while the BPF
 * scheduler is torn down, whatever the teardown does to the tasks it ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "scx_errata_abi.h"

#define STATE_DEFAULT	"/sys/kernel/sched_ext/state"
#define RT_PRIO		50
#define NSEC		1000000000LL
#define ARM_POLL_US	10000		/* waiting to be armed needs no precision */
#define EJECT_COMM	"scxe_eject"	/* the name the test fault ejects the scheduler on */
#define EJECT_SECS	5

#define die(...)	do { fprintf(stderr, "disarm_watch: " __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)

enum trigger { TRIG_NONE, TRIG_KILL, TRIG_EJECT, TRIG_RUN };

static const char *const trigger_name[] = {
	[TRIG_NONE] = "none", [TRIG_KILL] = "kill", [TRIG_EJECT] = "eject", [TRIG_RUN] = "run",
};

static struct {
	const char	*shm;
	const char	*state;
	const char	*cmd;
	unsigned int	nr_vcpus;
	enum trigger	trigger;
	pid_t		kill_pid;
	double		timeout;
	long		period_us;
} opt = {
	.state		= STATE_DEFAULT,
	.timeout	= 30,
	.period_us	= 1000,
};

/*
 * One change the sampler waits for. The old value must have been seen first, so a change
 * that happened before the trigger is never reported as a reaction to it.
 */
struct change {
	bool	seen_old, seen_new;
	int64_t	last_old;	/* ns after the trigger: last sample with the old value */
	int64_t	first_new;	/* ... first sample with the new value after that */
};

static const unsigned char *shm;
static const struct scxe_shm_hdr *hdr;
static int state_fd = -1;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC + ts.tv_nsec;
}

static void sleep_until(int64_t t)
{
	struct timespec ts = { t / NSEC, t % NSEC };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static __u32 rd32(const __u32 *p)
{
	return *(const volatile __u32 *)p;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: disarm_watch --shm PATH --vcpus N [--kill PID | --eject-trigger | --run CMD]\n"
"                    [--timeout SECS] [--period-us N]\n"
"Wait until sched_ext is enabled and every slot of PATH is armed, end the scheduler, and\n"
"measure how long until the state leaves enabled, every slot reads armed=0 and the\n"
"header's fence_live reads 0. Prints one 'disarm:' line.\n"
"\n"
"  --shm PATH       the VM's scx_errata shared file (mapped read-only)\n"
"  --vcpus N        slots 0..N-1 to watch\n"
"  --kill PID       trigger: SIGKILL to PID (the loader)\n"
"  --eject-trigger  trigger: run a task named " EJECT_COMM " for up to %d s (a scheduler\n"
"                   built with the test fault ejects itself when it runs)\n"
"  --run CMD        trigger: /bin/sh -c CMD, its output on stderr\n"
"                   (no trigger: only sample; something else ends the scheduler)\n"
"  --timeout SECS   for being armed, then again for the changes (default %g)\n"
"  --period-us N    sampling period (default %ld)\n"
"  -h, --help       this help\n",
		EJECT_SECS, opt.timeout, opt.period_us);
}

static long long parse_num(const char *what, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("%s '%s': expected an integer in [%lld, %lld]", what, s, min, max);
	return v;
}

static void set_trigger(enum trigger t)
{
	if (opt.trigger != TRIG_NONE && opt.trigger != t)
		die("--kill, --eject-trigger and --run exclude each other");
	opt.trigger = t;
}

static void parse_opts(int argc, char **argv)
{
	enum { O_SHM = 256, O_VCPUS, O_KILL, O_EJECT, O_RUN, O_TIMEOUT, O_PERIOD, O_STATE };
	static const struct option lo[] = {
		{ "shm", required_argument, NULL, O_SHM },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "kill", required_argument, NULL, O_KILL },
		{ "eject-trigger", no_argument, NULL, O_EJECT },
		{ "run", required_argument, NULL, O_RUN },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "period-us", required_argument, NULL, O_PERIOD },
		/* test only: a fake state file, for checking this program without sched_ext */
		{ "state-file", required_argument, NULL, O_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *end;
	int c;

	/* our own messages: one line each, named after this program, not argv[0] */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case O_SHM:	opt.shm = optarg; break;
		case O_VCPUS:	opt.nr_vcpus = parse_num("--vcpus", optarg, 1, SCXE_ABI_MAX_SLOTS); break;
		case O_KILL:
			set_trigger(TRIG_KILL);
			/* 0 and negative pids would signal process groups or everything */
			opt.kill_pid = parse_num("--kill", optarg, 1, INT_MAX);
			break;
		case O_EJECT:	set_trigger(TRIG_EJECT); break;
		case O_RUN:	set_trigger(TRIG_RUN); opt.cmd = optarg; break;
		case O_TIMEOUT:
			opt.timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(opt.timeout > 0 && opt.timeout <= 3600))
				die("--timeout '%s': expected seconds in (0, 3600]", optarg);
			break;
		/* below 10 us the FIFO sampler would take most of a CPU from the scheduler's teardown */
		case O_PERIOD:	opt.period_us = parse_num("--period-us", optarg, 10, 1000000); break;
		case O_STATE:	opt.state = optarg; break;
		case 'h':	usage(stdout); exit(0);
		case ':':	die("option '%s' needs a value (see -h)", argv[optind - 1]);
		default:	die("unknown option '%s' (see -h)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see -h)", argv[optind]);
	if (!opt.shm)
		die("--shm PATH is required (see -h)");
	if (!opt.nr_vcpus)
		die("--vcpus N is required (see -h)");
}

/* ---- what is sampled -------------------------------------------------------------------- */

/*
 * The state attribute, re-read through a kept-open fd: a read at offset 0 of a sysfs file
 * runs the attribute's show() again (seq_file restarts at 0), so no reopen per sample.
 */
static void read_state(char *buf, size_t len)
{
	ssize_t n = pread(state_fd, buf, len - 1, 0);

	if (n < 0)
		die("reading %s: %s", opt.state, strerror(errno));
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static bool state_enabled(void)
{
	char buf[32];

	read_state(buf, sizeof(buf));
	return !strcmp(buf, "enabled");
}

/* slots at the fixed ABI offset: the header is writable by the guest, never trusted */
static const struct scxe_slot *slot_at(unsigned int i)
{
	return (const struct scxe_slot *)(shm + SCXE_ABI_HDR_SIZE + (size_t)i * SCXE_ABI_SLOT_SIZE);
}

static unsigned int nr_armed(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < opt.nr_vcpus; i++)
		n += rd32(&slot_at(i)->armed) != 0;
	return n;
}

/* "0,2,5": the slots whose armed is (or is not) set, for messages */
static void slot_list(char *buf, size_t len, bool armed)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < opt.nr_vcpus; i++) {
		if ((rd32(&slot_at(i)->armed) != 0) != armed)
			continue;
		if (o + 16 > len) {
			snprintf(buf + o, len - o, ",...");
			break;
		}
		o += snprintf(buf + o, len - o, "%s%u", o ? "," : "", i);
	}
}

/* the VMM or the daemon may still be creating the file: false (and why) until it is whole */
static bool map_shm(char *why, size_t len)
{
	size_t need = SCXE_ABI_FILE_SIZE((size_t)opt.nr_vcpus);
	struct stat st;
	void *p;
	int fd;

	fd = open(opt.shm, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(why, len, "%s does not exist", opt.shm);
		return false;
	}
	if (fd < 0)
		die("opening %s: %s", opt.shm, strerror(errno));
	if (fstat(fd, &st))
		die("fstat %s: %s", opt.shm, strerror(errno));
	if ((size_t)st.st_size < need) {
		snprintf(why, len, "%s is %lld bytes, %u slots need %zu", opt.shm,
			 (long long)st.st_size, opt.nr_vcpus, need);
		close(fd);
		return false;
	}
	p = mmap(NULL, need, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mapping %s: %s", opt.shm, strerror(errno));
	close(fd);
	shm = p;
	hdr = p;
	return true;
}

/* ---- phases ----------------------------------------------------------------------------- */

static void wait_armed(void)
{
	int64_t deadline = now_ns() + (int64_t)(opt.timeout * NSEC);
	char why[512], state[32], slots[256];

	for (;;) {
		if (shm || map_shm(why, sizeof(why))) {
			read_state(state, sizeof(state));
			if (!strcmp(state, "enabled") && nr_armed() == opt.nr_vcpus)
				return;
			slot_list(slots, sizeof(slots), false);
			snprintf(why, sizeof(why), "state '%s', slots not armed: %s", state,
				 slots[0] ? slots : "none");
		}
		if (now_ns() >= deadline) {
			fprintf(stderr, "disarm_watch: not armed within %g s: %s\n", opt.timeout, why);
			exit(1);
		}
		sleep_until(now_ns() + ARM_POLL_US * 1000LL);
	}
}

/* keeps running and being switched in: the test fault fires when this task runs */
static void __attribute__((noreturn)) eject_child(pid_t parent)
{
	int64_t end = now_ns() + EJECT_SECS * NSEC;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(0);
	if (prctl(PR_SET_NAME, EJECT_COMM))
		_exit(1);
	while (now_ns() < end) {
		for (volatile int i = 0; i < 10000; i++)
			;
		sched_yield();
	}
	_exit(0);
}

static void __attribute__((noreturn)) run_child(void)
{
	/* stdout carries our one result line only */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);
	execl("/bin/sh", "sh", "-c", opt.cmd, (char *)NULL);
	fprintf(stderr, "disarm_watch: exec /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/* returns the child to reap at the end, or 0 */
static pid_t trigger(void)
{
	pid_t parent = getpid(), pid;

	if (opt.trigger == TRIG_NONE)
		return 0;
	if (opt.trigger == TRIG_KILL) {
		if (kill(opt.kill_pid, SIGKILL))
			die("kill -9 %d: %s", opt.kill_pid, strerror(errno));
		return 0;
	}
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (opt.trigger == TRIG_EJECT)
			eject_child(parent);
		run_child();
	}
	return pid;
}

/* a child still running after grace_ns is killed; returns its wait status, -1 if none */
static int reap(pid_t pid, int64_t grace_ns)
{
	int64_t end = now_ns() + grace_ns;
	pid_t r;
	int st;

	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && now_ns() < end)
		sleep_until(now_ns() + ARM_POLL_US * 1000LL);
	if (r == 0) {
		kill(pid, SIGKILL);
		r = waitpid(pid, &st, 0);
	}
	return r == pid ? st : -1;
}

static void see(struct change *c, bool is_new, int64_t t)
{
	if (c->seen_new)
		return;
	if (!is_new) {
		c->seen_old = true;
		c->last_old = t;
	} else if (c->seen_old) {
		c->seen_new = true;
		c->first_new = t;
	}
}

static long long us(const struct change *c)
{
	return c->seen_new ? c->first_new / 1000 : -1;
}

static long long us_old(const struct change *c)
{
	return c->seen_old ? c->last_old / 1000 : -1;
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = RT_PRIO };
	struct change state = { }, disarm = { }, live = { };
	int64_t t0, t, prev, next, period, timeout, max_gap = 0;
	long long samples = 0;
	char d[32], slots[256];
	pid_t child;
	int rc = 0;

	parse_opts(argc, argv);
	state_fd = open(opt.state, O_RDONLY | O_CLOEXEC);
	if (state_fd < 0)
		die("opening %s: %s (kernel without sched_ext?)", opt.state, strerror(errno));
	/* children (trigger task, command) must stay ordinary tasks that sched_ext runs */
	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp))
		die("SCHED_FIFO %d: %s", RT_PRIO, strerror(errno));
	/* a page fault while the scheduler is torn down would be a gap in the samples */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		die("mlockall: %s", strerror(errno));

	wait_armed();
	fprintf(stderr, "disarm_watch: armed\n");
	fflush(stderr);

	period = opt.period_us * 1000LL;
	timeout = (int64_t)(opt.timeout * NSEC);
	/* the check that just passed is the sample at time 0 */
	see(&state, false, 0);
	see(&disarm, false, 0);
	if (rd32(&hdr->fence_live))
		see(&live, false, 0);
	else
		fprintf(stderr, "disarm_watch: fence_live is 0 although every slot is armed\n");
	fflush(NULL);
	t0 = now_ns();
	child = trigger();

	prev = next = t0;
	do {
		next += period;
		t = now_ns();
		/* late (a long read, preempted): no burst of catch-up samples */
		if (next < t)
			next = t;
		sleep_until(next);
		t = now_ns();
		/* state first: a slot still armed after it reads changed outlived enforcement */
		see(&state, !state_enabled(), t - t0);
		see(&disarm, nr_armed() == 0, t - t0);
		see(&live, rd32(&hdr->fence_live) == 0, t - t0);
		samples++;
		if (t - prev > max_gap)
			max_gap = t - prev;
		prev = t;
	} while (!(state.seen_new && disarm.seen_new && live.seen_new) && t - t0 < timeout);

	if (state.seen_new && disarm.seen_new)
		snprintf(d, sizeof(d), "%lld", us(&disarm) - us(&state));
	else
		snprintf(d, sizeof(d), "none");
	printf("disarm: trigger=%s state_left_us=%lld disarmed_us=%lld live_off_us=%lld "
	       "disarm_minus_state_us=%s resolution_us=%lld samples=%lld\n",
	       trigger_name[opt.trigger], us(&state), us(&disarm), us(&live), d,
	       (long long)((max_gap + 999) / 1000), samples);
	fflush(stdout);
	/* each change lies between the two samples: last old < change <= first new */
	fprintf(stderr, "disarm_watch: bracket state_left_us=%lld..%lld disarmed_us=%lld..%lld "
		"live_off_us=%lld..%lld\n", us_old(&state), us(&state), us_old(&disarm),
		us(&disarm), us_old(&live), us(&live));

	if (!state.seen_new || !disarm.seen_new) {
		slot_list(slots, sizeof(slots), true);
		fprintf(stderr, "disarm_watch: not seen within %g s of the trigger:%s%s%s%s\n",
			opt.timeout, state.seen_new ? "" : " the state leaving enabled",
			!state.seen_new && !disarm.seen_new ? ";" : "",
			disarm.seen_new ? "" : " every slot disarmed, still armed: ",
			disarm.seen_new ? "" : slots);
		rc = 1;
	} else if (!live.seen_new) {
		fprintf(stderr, "disarm_watch: note: fence_live never read 0 after being set\n");
	}
	if (child) {
		/* the trigger task has done its work; a command gets --timeout to finish */
		int st = reap(child, opt.trigger == TRIG_RUN ? timeout : 0);

		if (opt.trigger == TRIG_RUN && st != -1 && !(WIFEXITED(st) && !WEXITSTATUS(st)))
			fprintf(stderr, "disarm_watch: --run command %s %d\n",
				WIFEXITED(st) ? "exited" : "killed by signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	}
	return rc;
}
