// SPDX-License-Identifier: GPL-2.0
/*
 * e2e_vmm: a minimal VMM for the end-to-end test of the errata fence, on the KVM API.
 *
 * It runs N real vCPUs whose guest code (tests/vm/guest/errata_loop.S) enters and leaves
 * errata windows in a loop through the scx_errata shared file, mapped as guest memory like
 * an ivshmem BAR. The vCPU threads are named "vcpuN" so `scx_errata run --vm PID:PATH`
 * finds and registers them. Competing threads force migrations. An independent observer
 * (e2e_observer.bpf.c, sched_switch) judges every switch-out/switch-in of the vCPU threads
 * through the VMM's own mappings of the slots and scratch pages, and the run ends with one
 * line for the test scripts:
 *
 *   e2e: arch=x86_64|arm64 mode=M enforcement=on|off windows=N fenced_switchouts=N
 *        violations=N unfenced_cross_type_moves=N type_mismatches=N          (one line)
 *
 * Counts cover the measurement only (after --wait-registered and --settle-ms), or with
 * --count-from-start everything from the vCPUs' first instruction, so that windows already
 * open when the daemon takes a thread over are judged too; windows is the sum of the guest's
 * own counters. enforcement says what the host did (header fence_live and every slot armed
 * at every sample of the measurement, one each 100 ms), not what was asked; with
 * --run-until-signal, which measures across daemon restarts where it legitimately dips,
 * only at the last sample. Further "e2e-*:" lines give details for the other cases; the
 * e2e-armed line counts what happened while the slot was armed, which the guarantee covers
 * whatever the daemon is doing.
 *
 * With --observe PID it runs no vCPU of its own: it judges the vCPU threads of a real VMM
 * (QEMU with ivshmem-plain on the same shared file, guest tests/vm/guest/ivshmem_guest.S),
 * found through QMP (--qmp) or given (--tids), with the same observer, through its own
 * mapping of the file. The guest's own counts come from its debugcon log (--guest-log) and
 * are added as an "e2e-guest:" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "host.h"
#include "qmp.h"
#include "scx_errata_abi.h"
#include "e2e_guest.h"
#include "e2e_observer.skel.h"

/* the offsets tests/vm/guest/errata_loop.h gives both errata loop guests */
_Static_assert(offsetof(struct scxe_slot, in_errata) == 0, "guest SLOT_IN_ERRATA");
_Static_assert(offsetof(struct scxe_slot, cur_type) == 20, "guest SLOT_CUR_TYPE");
_Static_assert(offsetof(struct e2e_scratch, seen) == 0, "guest SCR_SEEN");
_Static_assert(offsetof(struct e2e_scratch, windows) == 4, "guest SCR_WINDOWS");
_Static_assert(offsetof(struct e2e_scratch, spin_in) == 8, "guest SCR_SPIN_IN");
_Static_assert(offsetof(struct e2e_scratch, spin_out) == 12, "guest SCR_SPIN_OUT");
_Static_assert(offsetof(struct e2e_scratch, ctl) == 16, "guest SCR_CTL");
_Static_assert(offsetof(struct e2e_scratch, block_in_every) == 20, "guest SCR_BLOCK_IN_EVERY");
_Static_assert(offsetof(struct e2e_scratch, block_in_left) == 24, "guest SCR_BLOCK_IN_LEFT");
_Static_assert(offsetof(struct e2e_scratch, block_out_every) == 28, "guest SCR_BLOCK_OUT_EVERY");
_Static_assert(offsetof(struct e2e_scratch, block_out_left) == 32, "guest SCR_BLOCK_OUT_LEFT");
_Static_assert(offsetof(struct e2e_scratch, shm_size) == 36, "hostile guest SCR_SHM_SIZE");
_Static_assert(E2E_PORT_BLOCK_IN == 0xe0 && E2E_PORT_BLOCK_OUT == 0xe1, "guest PORT_BLOCK_*");
_Static_assert(E2E_CTL_NEVER_CLEAR == 1 && E2E_CTL_HALT == 2 && E2E_CTL_GO == 4, "guest CTL_* bits");
_Static_assert(E2E_PORT_HALT == 0xf4, "guest PORT_HALT");
/* the offsets tests/vm/guest/fence_loop.S hard-codes, beyond errata_loop.S's */
_Static_assert(offsetof(struct scxe_slot, window_seq) == 8, "fence guest SLOT_WINDOW_SEQ");
_Static_assert(offsetof(struct e2e_scratch, fence_exits) == 40, "fence guest SCR_FENCE_EXITS");
_Static_assert(E2E_PORT_FENCE_ENTER == 0xe2 && E2E_PORT_FENCE_LEAVE == 0xe3, "fence guest PORT_FENCE_*");
_Static_assert(E2E_SCRATCH_GPA + E2E_MAX_VCPUS * E2E_PAGE <= E2E_RAM_SIZE, "scratch fits RAM");
/* the offsets tests/vm/guest/ivshmem_guest.S hard-codes */
_Static_assert(SCXE_ABI_MAGIC == 0x45584353 && SCXE_ABI_VERSION == 1, "ivshmem guest ABI_*");
_Static_assert(offsetof(struct scxe_shm_hdr, magic) == 0x00, "ivshmem guest HDR_MAGIC");
_Static_assert(offsetof(struct scxe_shm_hdr, version) == 0x04, "ivshmem guest HDR_VERSION");
_Static_assert(offsetof(struct scxe_shm_hdr, total_size) == 0x0c, "ivshmem guest HDR_TOTAL_SIZE");
_Static_assert(offsetof(struct scxe_shm_hdr, nr_slots) == 0x10, "ivshmem guest HDR_NR_SLOTS");
_Static_assert(offsetof(struct scxe_shm_hdr, slot_size) == 0x14, "ivshmem guest HDR_SLOT_SIZE");
_Static_assert(offsetof(struct scxe_shm_hdr, slot_offset) == 0x18, "ivshmem guest HDR_SLOT_OFFSET");
_Static_assert(offsetof(struct scxe_shm_hdr, fence_live) == 0x20, "ivshmem guest HDR_FENCE_LIVE");
_Static_assert(SCXE_ABI_HDR_SIZE == 4096 && SCXE_ABI_SLOT_SIZE == 64, "ivshmem guest SLOT_*");
_Static_assert(offsetof(struct scxe_slot, armed) == 0x10, "ivshmem guest SLOT_ARMED");
_Static_assert(offsetof(struct scxe_slot, cur_type) == 0x14, "ivshmem guest SLOT_CUR_TYPE");

#define KVM_API_VERSION_EXPECTED 12	/* stable since Linux 2.6.22 */
#define GUEST_DEFAULT		"/scxe/guest/" E2E_GUEST_FILE
#define FENCE_GUEST_DEFAULT	"/scxe/guest/fence_loop.bin"
#define TICK_MS			100		/* main loop: thresholds, enforcement samples */
#define GARBAGE_PERIOD_US	500		/* garbage writer: pause between passes */
#define HOSTILE_GUEST		"/scxe/guest/hostile.bin"

/* first key of the e2e: line, so results from different hosts are never compared blindly */
#if defined(__x86_64__)
#define E2E_ARCH		"x86_64"
#elif defined(__aarch64__)
#define E2E_ARCH		"arm64"
#else
#error "e2e_vmm: unsupported architecture"
#endif

#ifndef PIDFD_THREAD
#define PIDFD_THREAD		O_EXCL		/* pidfd of a thread, not a process (6.9+) */
#endif

#define die(...)	do { fprintf(stderr, "e2e_vmm: " __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)
#define die_errno(what)	die("%s: %s", what, strerror(errno))

struct opts {
	const char	*shm;
	const char	*guest;
	const char	*cpu_types;
	int		nr_vcpus;
	double		seconds;
	double		min_seconds;	/* --min-* end the run only after this long */
	bool		same_cpu;
	int		nr_load;
	int		nr_pingpong;
	double		wait_registered;	/* < 0: do not wait (no daemon) */
	int		settle_ms;
	bool		exit_while_fenced;
	bool		never_clear;
	bool		garbage;
	int		bump_seq_us;	/* > 0: bump every slot's window_seq this often */
	bool		count_from_start;	/* count before registration too */
	bool		run_until_signal;	/* measure until SIGINT/SIGTERM */
	__u32		spin_in, spin_out;
	__u32		block_in_every, block_out_every, sleep_us;
	int		in_action, out_action;	/* BLOCK_*: inside, between windows */
	long long	min_fenced, min_moves, min_violations;	/* < 0: not a stop condition */
	/* --observe: judge an external VMM instead of running vCPUs */
	pid_t		observe_pid;	/* 0: run our own vCPUs */
	const char	*qmp;		/* its QMP socket, naming the vCPU threads ... */
	const char	*tids;		/* ... or TID,TID,... in vCPU order */
	const char	*guest_log;	/* its guest's debugcon output */
	const char	*own_vm_opt;	/* an option that needs our own vCPUs, if one was given */
	int		fence;		/* FENCE_*: the fence-cost benchmark's guest and fence */
};

/*
 * --fence: how the benchmark guest (fence_loop.S) fences its windows. The exit-based ones
 * are what a guest would pay without a scheduler that reads its memory: every entry and
 * exit of a window becomes a VM exit to the VMM.
 */
enum {
	FENCE_NONE,		/* the fence tests' guest (errata_loop.S) */
	FENCE_STORE,		/* the ABI's two stores, no exit */
	FENCE_EXIT,		/* port I/O on entry and exit; the VMM writes the flag */
	FENCE_AFFINITY,		/* port I/O; the VMM pins the thread to its CPU's type and back */
};

static const char *const fence_name[] = {
	[FENCE_STORE] = "store", [FENCE_EXIT] = "exit", [FENCE_AFFINITY] = "affinity",
};

/* what a vCPU thread does when its guest asks to block (E2E_PORT_BLOCK_*) */
enum {
	BLOCK_SLEEP,	/* sleep for sleep_us: the wake-up goes through select_cpu */
	BLOCK_YIELD,	/* sched_yield: re-enqueued while runnable, no timer involved */
	BLOCK_MIX,	/* alternate the two */
};

struct vcpu {
	int			idx;	/* --observe: only idx, tid and slot are set */
	int			fd;
	struct kvm_run		*run;
	pthread_t		thread;
	pid_t			tid;
	struct scxe_slot	*slot;	/* in our mapping of the shared file */
	struct e2e_scratch	*scr;	/* in our mapping of guest RAM */
	volatile bool		exited;
	unsigned long		nr_blocks[2];	/* E2E_PORT_BLOCK_OUT/IN exits handled */
	bool			exit_in_window, exit_armed;
	unsigned long		nr_fence_exits;	/* E2E_PORT_FENCE_* exits handled */
	cpu_set_t		allowed;	/* --fence affinity: what each window restores */
};

/* a VM exit the guest asked for, decoded by the arch part */
struct guest_exit {
	bool		halt;	/* x86 HLT, arm64 a store to E2E_PORT_HALT */
	bool		out;	/* a write (OUT, MMIO store), else a read */
	unsigned int	port;	/* I/O port, or offset in the arm64 MMIO exit page */
};

struct worker {
	int		idx;
	pid_t		tid;
	int		rfd, wfd;	/* ping-pong pipes; -1 for a busy thread */
};

static struct opts opt = {
	.guest		= NULL,
	.nr_vcpus	= 2,
	.seconds	= 10,
	.wait_registered = -1,
	.settle_ms	= 1500,	/* the daemon rescans each second: one rescan and a margin */
	/*
	 * Roughly equal time inside and outside windows, each far shorter than a time slice,
	 * so preemption lands in both states and windows are many. Tuned under TCG.
	 */
	.spin_in	= 20000,
	.spin_out	= 20000,
	/*
	 * No blocking by default. An HZ=250 kernel preempts at most 250 times a second per
	 * CPU; the tests make the guest block now and then (as a real one does on HLT or I/O)
	 * for more switch-outs and to exercise wake-up and yield placement.
	 */
	.block_in_every	= 0,
	.block_out_every = 0,
	.sleep_us	= 100,
	.in_action	= BLOCK_MIX,
	.out_action	= BLOCK_SLEEP,
	.min_fenced	= -1,
	.min_moves	= -1,
	.min_violations	= -1,
};

static int kvm_fd, vm_fd;
static size_t run_size;
static unsigned char *ram;		/* guest RAM, E2E_RAM_SIZE bytes */
static unsigned char *shm;		/* the shared file */
static size_t shm_size;
static struct scxe_shm_hdr *hdr;
static struct vcpu *vcpus;
static sem_t sem_ready, sem_go;
/* --fence affinity: the CPUs of each type, and each CPU's type */
static cpu_set_t type_cpus[SCXE_ABI_MAX_TYPES];
static __u8 fence_cpu_type[E2E_MAX_CPUS];
static volatile sig_atomic_t stop_requested;
static volatile bool garbage_stop;

/* the guest code, its registers and its exits: 16-bit real mode on x86, EL1 on arm64 */
#if defined(__x86_64__)
#include "e2e_arch_x86.h"
#else
#include "e2e_arch_arm64.h"
#endif

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR && !stop_requested)
		;
}

static __u32 rd32(const __u32 *p)
{
	return *(const volatile __u32 *)p;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: e2e_vmm --shm PATH [options]\n"
"Run KVM vCPUs that enter/leave errata windows through the scx_errata shared file and\n"
"report what an independent sched_switch observer saw.\n"
"\n"
"  --shm PATH              shared file (created zero-filled for --vcpus if new)\n"
"  --vcpus N               vCPU threads, named vcpu0..vcpuN-1 (default 2, max %u)\n"
"  --seconds T             measured run time, the maximum with --min-* (default 10)\n"
"  --cpu-types SPEC        CPU types as scx_errata takes them, e.g. 0-1:big,2-3:little\n"
"  --mode MODE             what a violation is: same-type (default) or same-cpu\n"
"  --load N                N unpinned busy threads competing with the vCPUs\n"
"  --pingpong N            N pairs of threads bouncing a byte (idle gaps, wake-ups)\n"
"  --wait-registered SECS  first wait until the daemon has run every vCPU (cur_type set)\n"
"  --settle-ms N           after registration, wait N ms before measuring (default %d)\n"
"  --min-fenced N          stop early once N fenced switch-outs were seen ...\n"
"  --min-moves N           ... and N unfenced cross-type moves ...\n"
"  --min-violations N      ... and N violations (all given conditions must hold)\n"
"  --min-seconds T         ... but not before T seconds of measurement (default 0)\n"
"  --count-from-start      count from the vCPUs' first instruction, not after registration\n"
"  --run-until-signal      measure until SIGINT/SIGTERM, then report and exit 0; ignores\n"
"                          --seconds and --min-*; enforcement is then the last sample's\n"
"  --spin-in N             guest loop iterations inside a window (default %u)\n"
"  --spin-out N            guest loop iterations between windows (default %u)\n"
"  --block-in-every N      every Nth window the vCPU thread blocks inside it (0: never)\n"
"  --block-out-every N     every Nth gap between windows it blocks (0: never)\n"
"  --in-action A           how it blocks in a window: sleep, yield (sched_yield) or mix\n"
"                          (alternate; default)\n"
"  --out-action A          how it blocks between windows (default sleep)\n"
"  --sleep-us N            how long a sleep lasts (default %u)\n"
"  --never-clear           the guest never leaves its first window (max-hold test)\n"
"  --exit-while-fenced     halfway through, vCPU 0's thread exits inside a window\n"
"  --garbage               keep writing random values into the header and every slot\n"
"  --bump-seq US           bump every slot's window_seq each US microseconds (a guest\n"
"                          trying to renew its hold; with --never-clear)\n"
"  --guest PATH            guest code; " HOSTILE_GUEST " writes random values to\n"
"                          every byte of the shared file, as fast as it can\n"
"  --guest PATH            guest code (default %s or next to this program)\n"
"  --fence F               fence-cost benchmark: a guest whose windows are two\n"
"                          instructions long (fence_loop.bin), fenced by F: store (the\n"
"                          ABI's two stores), exit (port I/O; this VMM writes the flag)\n"
"                          or affinity (port I/O; this VMM pins the thread to its CPU's\n"
"                          type on entry and restores it on exit); adds an e2e-fence: line\n"
"  -h, --help              this help\n"
"\n"
"External VMM (no vCPUs of our own; --load, --pingpong, --seconds, --wait-registered,\n"
"--settle-ms, --min-*, --mode, --cpu-types, --count-from-start, --run-until-signal apply):\n"
"  --observe PID           judge the vCPU threads of the running VMM PID, which maps --shm\n"
"  --qmp SOCK              its vCPU threads from QMP query-cpus-fast on SOCK, or\n"
"  --tids TID,TID,...      its vCPU threads, in vCPU order\n"
"  --guest-log FILE        its guest's debugcon log with \"G windows=N ...\" lines\n"
"                          (tests/vm/guest/ivshmem_guest.S): windows= and an e2e-guest: line\n",
		E2E_MAX_VCPUS, opt.settle_ms, opt.spin_in, opt.spin_out, opt.sleep_us, GUEST_DEFAULT);
}

static long long parse_num(const char *what, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max)
		die("%s '%s': expected an integer in [%lld, %lld]", what, s, min, max);
	return v;
}

static double parse_secs(const char *what, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 3600)
		die("%s '%s': expected seconds in [0, 3600]", what, s);
	return v;
}

static int parse_action(const char *what, const char *s)
{
	if (!strcmp(s, "sleep"))
		return BLOCK_SLEEP;
	if (!strcmp(s, "yield"))
		return BLOCK_YIELD;
	if (!strcmp(s, "mix"))
		return BLOCK_MIX;
	die("%s '%s': expected sleep, yield or mix", what, s);
}

static void parse_opts(int argc, char **argv)
{
	enum { O_SHM = 256, O_VCPUS, O_SECONDS, O_TYPES, O_MODE, O_LOAD, O_PINGPONG, O_WAIT,
	       O_SETTLE, O_MINF, O_MINM, O_MINV, O_SPIN_IN, O_SPIN_OUT, O_NEVER, O_EXIT,
	       O_GARBAGE, O_GUEST, O_BLOCK_IN, O_BLOCK_OUT, O_SLEEP_US,
	       O_IN_ACTION, O_OUT_ACTION, O_FROM_START, O_UNTIL_SIGNAL,
	       O_OBSERVE, O_QMP, O_TIDS, O_GUEST_LOG, O_MIN_SECONDS, O_BUMP_SEQ, O_FENCE };
	static const struct option lo[] = {
		{ "shm", required_argument, NULL, O_SHM },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "cpu-types", required_argument, NULL, O_TYPES },
		{ "mode", required_argument, NULL, O_MODE },
		{ "load", required_argument, NULL, O_LOAD },
		{ "pingpong", required_argument, NULL, O_PINGPONG },
		{ "wait-registered", required_argument, NULL, O_WAIT },
		{ "settle-ms", required_argument, NULL, O_SETTLE },
		{ "min-fenced", required_argument, NULL, O_MINF },
		{ "min-moves", required_argument, NULL, O_MINM },
		{ "min-violations", required_argument, NULL, O_MINV },
		{ "min-seconds", required_argument, NULL, O_MIN_SECONDS },
		{ "spin-in", required_argument, NULL, O_SPIN_IN },
		{ "spin-out", required_argument, NULL, O_SPIN_OUT },
		{ "block-in-every", required_argument, NULL, O_BLOCK_IN },
		{ "block-out-every", required_argument, NULL, O_BLOCK_OUT },
		{ "sleep-us", required_argument, NULL, O_SLEEP_US },
		{ "in-action", required_argument, NULL, O_IN_ACTION },
		{ "out-action", required_argument, NULL, O_OUT_ACTION },
		{ "never-clear", no_argument, NULL, O_NEVER },
		{ "exit-while-fenced", no_argument, NULL, O_EXIT },
		{ "garbage", no_argument, NULL, O_GARBAGE },
		{ "bump-seq", required_argument, NULL, O_BUMP_SEQ },
		{ "count-from-start", no_argument, NULL, O_FROM_START },
		{ "run-until-signal", no_argument, NULL, O_UNTIL_SIGNAL },
		{ "guest", required_argument, NULL, O_GUEST },
		{ "observe", required_argument, NULL, O_OBSERVE },
		{ "qmp", required_argument, NULL, O_QMP },
		{ "tids", required_argument, NULL, O_TIDS },
		{ "guest-log", required_argument, NULL, O_GUEST_LOG },
		{ "fence", required_argument, NULL, O_FENCE },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, li;

	while ((c = getopt_long(argc, argv, "h", lo, &li)) != -1) {
		switch (c) {
		case O_VCPUS: case O_SPIN_IN: case O_SPIN_OUT: case O_BLOCK_IN: case O_BLOCK_OUT:
		case O_SLEEP_US: case O_IN_ACTION: case O_OUT_ACTION: case O_NEVER: case O_EXIT:
		case O_GARBAGE: case O_GUEST: case O_BUMP_SEQ: case O_FENCE:
			opt.own_vm_opt = lo[li].name;
			break;
		}
		switch (c) {
		case O_SHM:	opt.shm = optarg; break;
		case O_VCPUS:	opt.nr_vcpus = parse_num("--vcpus", optarg, 1, E2E_MAX_VCPUS); break;
		case O_SECONDS:	opt.seconds = parse_secs("--seconds", optarg); break;
		case O_TYPES:	opt.cpu_types = optarg; break;
		case O_MODE:
			if (!strcmp(optarg, "same-type"))
				opt.same_cpu = false;
			else if (!strcmp(optarg, "same-cpu"))
				opt.same_cpu = true;
			else
				die("--mode '%s': expected same-type or same-cpu", optarg);
			break;
		case O_LOAD:	opt.nr_load = parse_num("--load", optarg, 0, 256); break;
		case O_PINGPONG: opt.nr_pingpong = parse_num("--pingpong", optarg, 0, 64); break;
		case O_WAIT:	opt.wait_registered = parse_secs("--wait-registered", optarg); break;
		case O_SETTLE:	opt.settle_ms = parse_num("--settle-ms", optarg, 0, 60000); break;
		case O_MINF:	opt.min_fenced = parse_num("--min-fenced", optarg, 0, LLONG_MAX); break;
		case O_MINM:	opt.min_moves = parse_num("--min-moves", optarg, 0, LLONG_MAX); break;
		case O_MINV:	opt.min_violations = parse_num("--min-violations", optarg, 0, LLONG_MAX); break;
		case O_MIN_SECONDS:	opt.min_seconds = parse_secs("--min-seconds", optarg); break;
		case O_SPIN_IN:	opt.spin_in = parse_num("--spin-in", optarg, 0, UINT32_MAX); break;
		case O_SPIN_OUT: opt.spin_out = parse_num("--spin-out", optarg, 0, UINT32_MAX); break;
		case O_BLOCK_IN: opt.block_in_every = parse_num("--block-in-every", optarg, 0, UINT32_MAX); break;
		case O_BLOCK_OUT: opt.block_out_every = parse_num("--block-out-every", optarg, 0, UINT32_MAX); break;
		case O_SLEEP_US: opt.sleep_us = parse_num("--sleep-us", optarg, 1, 1000000); break;
		case O_IN_ACTION:	opt.in_action = parse_action("--in-action", optarg); break;
		case O_OUT_ACTION:	opt.out_action = parse_action("--out-action", optarg); break;
		case O_NEVER:	opt.never_clear = true; break;
		case O_EXIT:	opt.exit_while_fenced = true; break;
		case O_GARBAGE:	opt.garbage = true; break;
		case O_BUMP_SEQ: opt.bump_seq_us = parse_num("--bump-seq", optarg, 1, 1000000); break;
		case O_FROM_START:	opt.count_from_start = true; break;
		case O_UNTIL_SIGNAL:	opt.run_until_signal = true; break;
		case O_GUEST:	opt.guest = optarg; break;
		case O_OBSERVE:	opt.observe_pid = parse_num("--observe", optarg, 1, INT_MAX); break;
		case O_QMP:	opt.qmp = optarg; break;
		case O_TIDS:	opt.tids = optarg; break;
		case O_GUEST_LOG:	opt.guest_log = optarg; break;
		case O_FENCE:
			for (opt.fence = FENCE_STORE; opt.fence <= FENCE_AFFINITY; opt.fence++)
				if (!strcmp(optarg, fence_name[opt.fence]))
					break;
			if (opt.fence > FENCE_AFFINITY)
				die("--fence '%s': expected store, exit or affinity", optarg);
			break;
		case 'h':	usage(stdout); exit(0);
		default:	usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see -h)", argv[optind]);
	if (!opt.shm)
		die("--shm PATH is required (see -h)");
	/* the exit is timed halfway through --seconds, which this mode ignores */
	if (opt.run_until_signal && opt.exit_while_fenced)
		die("--exit-while-fenced needs --seconds; it does not combine with --run-until-signal");
	if (!opt.observe_pid && (opt.qmp || opt.tids || opt.guest_log))
		die("--%s describes an external VMM: give its pid with --observe PID",
		    opt.qmp ? "qmp" : opt.tids ? "tids" : "guest-log");
	if (opt.observe_pid && !!opt.qmp == !!opt.tids)
		die("--observe %d: name its vCPU threads with either --qmp SOCK or --tids TID,...",
		    opt.observe_pid);
	if (opt.observe_pid && opt.own_vm_opt)
		die("--%s configures our own vCPUs; --observe runs none", opt.own_vm_opt);
	/* the benchmark guest has no control word, no blocking and no spin counts */
	if (opt.fence && (opt.never_clear || opt.exit_while_fenced || opt.block_in_every ||
			  opt.block_out_every))
		die("--fence runs its own guest; it does not combine with --never-clear, "
		    "--exit-while-fenced or --block-*");
}

/* ---- CPU types -------------------------------------------------------------------------- */

static void read_types(struct e2e_observer *skel)
{
	struct host *h = calloc(1, sizeof(*h));
	char err[256];

	if (!h)
		die_errno("allocating the host model");
	if (host_read(h, "/", err, sizeof(err)))
		die("reading this machine's cpus: %s", err);
	if (opt.cpu_types && host_apply_cpu_types(h, opt.cpu_types, err, sizeof(err)))
		die("%s", err);
	if (h->nr_cpu_ids > (int)E2E_MAX_CPUS)
		die("%d cpus: the observer's type table holds %u", h->nr_cpu_ids, E2E_MAX_CPUS);
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		int t = h->cpu[c].type < 0 ? 0 : h->cpu[c].type;

		skel->rodata->cpu_type[c] = t;
		fence_cpu_type[c] = t;
		if (t < (int)SCXE_ABI_MAX_TYPES)
			CPU_SET(c, &type_cpus[t]);
	}
	fprintf(stderr, "e2e_vmm: %d cpu types:", h->nr_types);
	for (int c = 0; c < h->nr_cpu_ids; c++)
		fprintf(stderr, " cpu%d=%u", c, skel->rodata->cpu_type[c]);
	fputc('\n', stderr);
	free(h);
}

/* ---- shared file and guest memory ------------------------------------------------------- */

static struct scxe_slot *slot_at(int i)
{
	return (struct scxe_slot *)(shm + SCXE_ABI_HDR_SIZE + (size_t)i * SCXE_ABI_SLOT_SIZE);
}

static void open_shm(void)
{
	size_t need = SCXE_ABI_FILE_SIZE((size_t)opt.nr_vcpus);
	bool created = true;
	struct stat st;
	int fd;

	/* an external VMM created it: never make one it does not use */
	fd = opt.observe_pid ? -1 : open(opt.shm, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (opt.observe_pid)
		errno = EEXIST;
	if (fd < 0 && errno == EEXIST) {
		/* the daemon was first: use its file as it is */
		created = false;
		fd = open(opt.shm, O_RDWR | O_CLOEXEC);
	}
	if (fd < 0)
		die("opening %s: %s", opt.shm, strerror(errno));
	if (created && ftruncate(fd, need))
		die("sizing %s to %zu bytes: %s", opt.shm, need, strerror(errno));
	if (fstat(fd, &st))
		die("fstat %s: %s", opt.shm, strerror(errno));
	if ((size_t)st.st_size < need || st.st_size % E2E_PAGE)
		die("%s is %lld bytes; %d vcpus need %zu (a whole number of pages)",
		    opt.shm, (long long)st.st_size, opt.nr_vcpus, need);
	shm_size = st.st_size;
	if (!opt.observe_pid && E2E_SHM_GPA + shm_size > E2E_GPA_LIMIT)
		die("%s is %zu bytes: too large for the " E2E_GUEST_KIND " guest", opt.shm, shm_size);
	shm = mmap(NULL, shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shm == MAP_FAILED)
		die("mapping %s: %s", opt.shm, strerror(errno));
	close(fd);
	hdr = (struct scxe_shm_hdr *)shm;
	/*
	 * A new file stays all zeroes, as a VMM's file-backed guest memory (QEMU ivshmem,
	 * crosvm) would: the daemon lays out an all-zero file itself, and refuses one with
	 * anything in it but no magic.
	 */
	if (!created && rd32(&hdr->slot_offset) && rd32(&hdr->slot_offset) != SCXE_ABI_HDR_SIZE) {
		die("%s has its slots at offset %u; this VMM maps them at %u",
		    opt.shm, rd32(&hdr->slot_offset), SCXE_ABI_HDR_SIZE);
	}
	fprintf(stderr, "e2e_vmm: %s %s, %zu bytes\n", created ? "created" : "opened", opt.shm, shm_size);
}

static void load_guest(void)
{
	char buf[PATH_MAX], self[PATH_MAX];
	const char *path = opt.guest;
	ssize_t n;
	int fd;

	if (!path) {
		path = opt.fence ? FENCE_GUEST_DEFAULT : GUEST_DEFAULT;
		if (access(path, R_OK)) {
			/* in the build tree: build/tests/e2e_vmm next to build/tests/guest/ */
			n = readlink("/proc/self/exe", self, sizeof(self) - 1);
			if (n < 0)
				die_errno("readlink /proc/self/exe");
			self[n] = '\0';
			snprintf(buf, sizeof(buf), "%s/guest/%s", dirname(self), strrchr(path, '/') + 1);
			path = buf;
		}
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("opening the guest code %s: %s (see --guest)", path, strerror(errno));
	n = read(fd, ram + E2E_CODE_GPA, E2E_CODE_MAX);
	if (n < 0)
		die("reading %s: %s", path, strerror(errno));
	if (n == 0 || n == E2E_CODE_MAX)
		die("%s: %zd bytes; the guest code must be 1 to %u bytes", path, n, E2E_CODE_MAX - 1);
	close(fd);
}

static void set_memslot(__u32 slot, __u64 gpa, void *hva, size_t size, const char *what)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (__u64)(unsigned long)hva,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION (%s): %s", what, strerror(errno));
}

/* ---- KVM -------------------------------------------------------------------------------- */

static void setup_vm(void)
{
	int ver;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("opening /dev/kvm: %s (kvm modules loaded? nested virtualisation on?)", strerror(errno));
	ver = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION_EXPECTED)
		die("KVM API version %d, expected %d", ver, KVM_API_VERSION_EXPECTED);
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die_errno("KVM_CREATE_VM");
	arch_setup_vm();
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if ((long)run_size <= 0)
		die_errno("KVM_GET_VCPU_MMAP_SIZE");
	/*
	 * Shared, not private: the observer pins the scratch pages, and a private mapping
	 * could be copied-on-write away from that pin if anything ever forked.
	 */
	ram = mmap(NULL, E2E_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die_errno("mapping guest RAM");
	load_guest();
	set_memslot(0, 0, ram, E2E_RAM_SIZE, "guest RAM");
	set_memslot(1, E2E_SHM_GPA, shm, shm_size, opt.shm);
}

static void setup_vcpu(struct vcpu *v)
{
	__u32 slot_gpa = E2E_SHM_GPA + SCXE_ABI_HDR_SIZE + v->idx * SCXE_ABI_SLOT_SIZE;
	__u32 scr_gpa = E2E_SCRATCH_GPA + v->idx * E2E_PAGE;

	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, v->idx);
	if (v->fd < 0)
		die("KVM_CREATE_VCPU %d: %s", v->idx, strerror(errno));
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		die("mapping kvm_run of vcpu %d: %s", v->idx, strerror(errno));
	arch_setup_vcpu(v, slot_gpa, scr_gpa);

	v->slot = slot_at(v->idx);
	v->scr = (struct e2e_scratch *)(ram + scr_gpa);
	v->scr->seen = E2E_SEEN_NONE;
	v->scr->spin_in = opt.spin_in;
	v->scr->spin_out = opt.spin_out;
	v->scr->ctl = opt.never_clear ? E2E_CTL_NEVER_CLEAR : 0;
	v->scr->block_in_every = v->scr->block_in_left = opt.block_in_every;
	v->scr->block_out_every = v->scr->block_out_left = opt.block_out_every;
	v->scr->shm_size = shm_size;
	v->scr->fence_exits = opt.fence == FENCE_EXIT || opt.fence == FENCE_AFFINITY;
}

/*
 * One exit of the exit-based fences, on the vCPU thread, as a VMM would handle it. exit:
 * the flag (and window_seq, as the guest does) written by the VMM. affinity: no flag, the
 * thread pinned to the type of the CPU it is on, as a user-space pinning daemon would do
 * (cheaper than one: no message to another process), and given its CPUs back after.
 */
static void fence_exit(struct vcpu *v, bool enter)
{
	v->nr_fence_exits++;
	if (opt.fence == FENCE_EXIT) {
		if (enter) {
			__atomic_store_n(&v->slot->in_errata, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&v->slot->window_seq, rd32(&v->slot->window_seq) + 1,
					 __ATOMIC_RELAXED);
		} else {
			__atomic_store_n(&v->slot->in_errata, 0, __ATOMIC_RELAXED);
		}
		return;
	}
	if (enter) {
		int cpu = sched_getcpu();
		cpu_set_t pin;

		if (cpu < 0 || cpu >= (int)E2E_MAX_CPUS)
			die("vcpu %d: sched_getcpu: %s", v->idx, cpu < 0 ? strerror(errno) : "cpu out of range");
		CPU_AND(&pin, &type_cpus[fence_cpu_type[cpu]], &v->allowed);
		if (sched_setaffinity(0, sizeof(pin), &pin))
			die("vcpu %d: pinning to the type of cpu %d: %s", v->idx, cpu, strerror(errno));
	} else if (sched_setaffinity(0, sizeof(v->allowed), &v->allowed)) {
		die("vcpu %d: restoring its affinity: %s", v->idx, strerror(errno));
	}
}

static void *vcpu_main(void *arg)
{
	struct vcpu *v = arg;
	char name[16];

	/* how the daemon finds vCPU threads */
	snprintf(name, sizeof(name), "vcpu%d", v->idx);
	if (prctl(PR_SET_NAME, name))
		die("naming thread %s: %s", name, strerror(errno));
	v->tid = gettid_();
	if (opt.fence == FENCE_AFFINITY && sched_getaffinity(0, sizeof(v->allowed), &v->allowed))
		die("vcpu %d: sched_getaffinity: %s", v->idx, strerror(errno));
	sem_post(&sem_ready);
	while (sem_wait(&sem_go) && errno == EINTR)
		;
	for (;;) {
		struct guest_exit e;
		bool in;
		int action;

		if (ioctl(v->fd, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN vcpu %d: %s", v->idx, strerror(errno));
		}
		if (!arch_guest_exit(v, &e)) {
			switch (v->run->exit_reason) {
			case KVM_EXIT_INTR:
				continue;
			case KVM_EXIT_FAIL_ENTRY:
				die("vcpu %d: entry failed, reason 0x%llx", v->idx,
				    (unsigned long long)v->run->fail_entry.hardware_entry_failure_reason);
			case KVM_EXIT_INTERNAL_ERROR:
				die("vcpu %d: KVM internal error, suberror %u", v->idx, v->run->internal.suberror);
			default:
				die("vcpu %d: unexpected exit reason %u", v->idx, v->run->exit_reason);
			}
		}
		if (e.halt) {
			if (rd32(&v->scr->ctl) & E2E_CTL_HALT) {
				/* asked for: leave while the guest's window is open */
				v->exit_in_window = rd32(&v->slot->in_errata) != 0;
				v->exit_armed = rd32(&v->slot->armed) && rd32(&hdr->fence_live);
				v->exited = true;
				return NULL;
			}
			die("vcpu %d halted unexpectedly", v->idx);
		}
		if (opt.fence && e.out && (e.port == E2E_PORT_FENCE_ENTER || e.port == E2E_PORT_FENCE_LEAVE)) {
			fence_exit(v, e.port == E2E_PORT_FENCE_ENTER);
			continue;
		}
		in = e.port == E2E_PORT_BLOCK_IN;
		action = in ? opt.in_action : opt.out_action;
		if ((!in && e.port != E2E_PORT_BLOCK_OUT) || !e.out)
			die("vcpu %d: unexpected " E2E_EXIT_KIND " %s port 0x%x", v->idx,
			    e.out ? "out to" : "in from", e.port);
		if (action == BLOCK_SLEEP || (action == BLOCK_MIX && v->nr_blocks[in] % 2))
			usleep(opt.sleep_us);
		else
			sched_yield();
		v->nr_blocks[in]++;
	}
}

/* ---- competing load --------------------------------------------------------------------- */

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16], x = 0;

	snprintf(name, sizeof(name), w->rfd < 0 ? "load%d" : "pingpong%d", w->idx);
	if (prctl(PR_SET_NAME, name))
		die("naming thread %s: %s", name, strerror(errno));
	w->tid = gettid_();
	sem_post(&sem_ready);
	if (w->rfd < 0) {
		for (volatile unsigned long i = 0;; i++)
			;
	}
	/* even-numbered partners serve first; each round trip is two wake-ups */
	if (w->idx % 2 == 0 && write(w->wfd, &x, 1) != 1)
		die_errno("ping-pong write");
	for (;;) {
		if (read(w->rfd, &x, 1) != 1)
			die_errno("ping-pong read");
		if (write(w->wfd, &x, 1) != 1)
			die_errno("ping-pong write");
	}
	return NULL;
}

static struct worker *start_workers(int *nr)
{
	int n = opt.nr_load + 2 * opt.nr_pingpong;
	struct worker *w = calloc(n ? n : 1, sizeof(*w));
	pthread_t t;

	if (!w)
		die_errno("allocating workers");
	for (int i = 0; i < n; i++) {
		w[i].idx = i;
		w[i].rfd = w[i].wfd = -1;
	}
	for (int p = 0; p < opt.nr_pingpong; p++) {
		struct worker *a = &w[opt.nr_load + 2 * p], *b = a + 1;
		int ab[2], ba[2];

		if (pipe(ab) || pipe(ba))
			die_errno("creating ping-pong pipes");
		a->wfd = ab[1];
		b->rfd = ab[0];
		b->wfd = ba[1];
		a->rfd = ba[0];
	}
	for (int i = 0; i < n; i++) {
		errno = pthread_create(&t, NULL, worker_main, &w[i]);
		if (errno)
			die_errno("creating a load thread");
		pthread_detach(t);
	}
	for (int i = 0; i < n; i++)
		while (sem_wait(&sem_ready) && errno == EINTR)
			;
	*nr = n;
	return w;
}

/* ---- observer --------------------------------------------------------------------------- */

static void observe(struct e2e_observer *skel, pid_t tid, struct e2e_task *val, const char *what)
{
	int pidfd = syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (pidfd < 0)
		die("pidfd_open of %s (tid %d): %s", what, tid, strerror(errno));
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.tasks), &pidfd, val, BPF_ANY))
		die("registering %s (tid %d) with the observer: %s", what, tid, strerror(errno));
	close(pidfd);
}

static struct e2e_observer *start_observer(void)
{
	struct e2e_observer *skel = e2e_observer__open();
	int err;

	if (!skel)
		die("opening the observer: %s", strerror(errno));
	skel->rodata->same_cpu = opt.same_cpu;
	read_types(skel);
	err = e2e_observer__load(skel);
	if (err)
		die("loading the observer: %s", strerror(-err));
	err = e2e_observer__attach(skel);
	if (err)
		die("attaching the observer to sched_switch: %s", strerror(-err));
	return skel;
}

/* ---- external VMM (--observe) ----------------------------------------------------------- */

/* the guest's counts from its last "G windows=..." line in --guest-log */
struct guest_counts {
	bool			valid;		/* a counts line was found */
	unsigned long long	windows, armed, mismatches, changes, halts;
	unsigned long		lines;		/* counts lines so far */
	unsigned long		errors;		/* "G error:" lines */
};

/* value of " key=" (or "key=" at the start) in line, or 0 */
static unsigned long long field(const char *line, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = line; (p = strstr(p, key)); p += n) {
		if ((p == line || p[-1] == ' ') && p[n] == '=')
			return strtoull(p + n + 1, NULL, 10);
	}
	return 0;
}

static void read_guest_log(struct guest_counts *g)
{
	char line[512];
	FILE *f;

	memset(g, 0, sizeof(*g));
	if (!opt.guest_log)
		return;
	f = fopen(opt.guest_log, "r");
	if (!f)
		die("opening the guest log %s: %s (QEMU -debugcon file:PATH)", opt.guest_log, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* the guest is still writing: a last line without its newline is not complete */
		if (!strchr(line, '\n'))
			break;
		if (!strncmp(line, "G error:", 8)) {
			if (!g->errors++)
				fprintf(stderr, "e2e_vmm: the guest reports: %s", line);
			continue;
		}
		if (strncmp(line, "G windows=", 10))
			continue;
		g->valid = true;
		g->lines++;
		g->windows = field(line + 2, "windows");
		g->armed = field(line, "armed_windows");
		g->mismatches = field(line, "mismatches");
		g->changes = field(line, "changes");
		g->halts = field(line, "halts");
	}
	fclose(f);
}

static int parse_tid_list(const char *list, pid_t *tids, int max)
{
	const char *p = list;
	int n = 0;

	while (*p) {
		char *end;
		long t = strtol(p, &end, 10);

		if (end == p || t <= 0 || t > INT_MAX || (*end && *end != ','))
			die("--tids '%s': expected TID,TID,... (positive thread ids in vCPU order)", list);
		if (n == max)
			die("--tids '%s': more than %d vCPU threads", list, max);
		tids[n++] = t;
		p = *end ? end + 1 : end;
	}
	if (!n)
		die("--tids '%s': no thread ids", list);
	return n;
}

/* the external VMM's vCPU threads, in vCPU order: sets opt.nr_vcpus and vcpus[] */
static void find_vmm_vcpus(void)
{
	static pid_t tids[SCXE_ABI_MAX_SLOTS];
	char err[512], path[64];
	int n;

	if (opt.guest_log && access(opt.guest_log, R_OK))
		die("the guest log %s: %s (QEMU -debugcon file:PATH)", opt.guest_log, strerror(errno));
	if (opt.qmp) {
		n = qmp_vcpu_threads(opt.qmp, tids, SCXE_ABI_MAX_SLOTS, err, sizeof(err));
		if (n < 0)
			die("%s", err);
	} else {
		n = parse_tid_list(opt.tids, tids, SCXE_ABI_MAX_SLOTS);
	}
	vcpus = calloc(n, sizeof(*vcpus));
	if (!vcpus)
		die_errno("allocating vcpus");
	for (int i = 0; i < n; i++) {
		if (!tids[i])
			die("vCPU %d of pid %d has no thread (QMP lists no such cpu-index)", i, opt.observe_pid);
		/* a thread id of another process would judge the wrong thread */
		snprintf(path, sizeof(path), "/proc/%d/task/%d", opt.observe_pid, tids[i]);
		if (access(path, F_OK))
			die("thread %d (vCPU %d) is not a thread of pid %d: %s (wrong --observe pid?)",
			    tids[i], i, opt.observe_pid, strerror(errno));
		vcpus[i].idx = i;
		vcpus[i].tid = tids[i];
	}
	opt.nr_vcpus = n;
}

/* ---- host state ------------------------------------------------------------------------- */

/* every vCPU still alive has been run by the daemon's scheduler since we started */
static bool all_registered(const __u32 *run_seq0)
{
	/* an external VMM's file may still be all zeroes: run_seq counts nothing yet */
	if (opt.observe_pid && rd32(&hdr->magic) != SCXE_ABI_MAGIC)
		return false;
	for (int i = 0; i < opt.nr_vcpus; i++) {
		struct scxe_slot *s = vcpus[i].slot;

		if (rd32(&s->cur_type) == SCXE_ABI_TYPE_NONE || rd32(&s->run_seq) == run_seq0[i])
			return false;
	}
	return true;
}

/* the host enforces the fence for every live vCPU right now */
static bool enforcing(void)
{
	if (!rd32(&hdr->fence_live))
		return false;
	for (int i = 0; i < opt.nr_vcpus; i++)
		if (!vcpus[i].exited && !rd32(&vcpus[i].slot->armed))
			return false;
	return true;
}

/*
 * Windows completed so far. A real guest (--observe) counts for itself: g gets its log's
 * counts, and without a log there is nothing to count.
 */
static __u64 total_windows(struct guest_counts *g)
{
	__u64 n = 0;

	if (opt.observe_pid) {
		read_guest_log(g);
		return g->windows;
	}
	for (int i = 0; i < opt.nr_vcpus; i++)
		n += rd32(&vcpus[i].scr->windows);
	return n;
}

/* VM exits the exit-based fences took so far (--fence exit, affinity) */
static __u64 total_fence_exits(void)
{
	__u64 n = 0;

	for (int i = 0; i < opt.nr_vcpus && !opt.observe_pid; i++)
		n += __atomic_load_n(&vcpus[i].nr_fence_exits, __ATOMIC_RELAXED);
	return n;
}

/* xorshift64: garbage does not need a good generator, only an unpredictable one */
static __u64 rnd(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Overwrite every 32-bit word of the file (header page and every slot, ours or not): random
 * values, and the edge values a careless reader trips on (0, all ones, the sign bit, small
 * indices that look valid). The last pass is random only, so what the daemon finds when it
 * tears down is garbage that points nowhere, every time.
 */
static void *garbage_main(void *arg)
{
	static const __u32 edge[] = { 0, 1, 2, 3, 7, 0x7fffffff, 0x80000000u, 0xffffffffu };
	__u64 seed = 0x9e3779b97f4a7c15ull ^ (__u64)time(NULL);
	volatile __u32 *w = (volatile __u32 *)shm;
	size_t words = shm_size / sizeof(*w);
	bool last = false;

	prctl(PR_SET_NAME, "garbage");
	while (!last) {
		last = garbage_stop;
		for (size_t i = 0; i < words; i++) {
			__u64 r = rnd(&seed);

			if (last || (r & 1))
				w[i] = r >> 32;
			else
				w[i] = edge[(r >> 1) % (sizeof(edge) / sizeof(edge[0]))];
		}
		usleep(GARBAGE_PERIOD_US);
	}
	return NULL;
}

/* A guest that tries to renew its hold: a new window_seq in every slot, again and again. */
static void *bump_main(void *arg)
{
	prctl(PR_SET_NAME, "bump-seq");
	while (!garbage_stop) {
		for (int i = 0; i < opt.nr_vcpus; i++)
			__atomic_add_fetch(&vcpus[i].slot->window_seq, 1, __ATOMIC_RELAXED);
		usleep(opt.bump_seq_us);
	}
	return NULL;
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	struct e2e_observer *skel;
	struct e2e_counts c;
	struct worker *workers;
	pthread_t garbage_thread;
	double count_start = 0, run_start, end, halt_at;
	bool enf, last_enf = false, halted = false;
	unsigned long long samples = 0, enforced_samples = 0;
	struct guest_counts g0 = { 0 }, g1 = { 0 };
	__u32 *run_seq0;
	__u64 windows0 = 0, fence_windows = 0, exits0 = 0, fence_exits = 0;
	double fence_secs = 0;
	pid_t vmm_pid;
	int nr_workers;

	parse_opts(argc, argv);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sem_init(&sem_ready, 0, 0) || sem_init(&sem_go, 0, 0))
		die_errno("sem_init");

	skel = start_observer();
	if (opt.observe_pid) {
		find_vmm_vcpus();
		open_shm();
		run_seq0 = calloc(opt.nr_vcpus, sizeof(*run_seq0));
		if (!run_seq0)
			die_errno("allocating vcpus");
		for (int i = 0; i < opt.nr_vcpus; i++) {
			vcpus[i].slot = slot_at(i);
			run_seq0[i] = rd32(&vcpus[i].slot->run_seq);
		}
	} else {
		open_shm();
		setup_vm();
		vcpus = calloc(opt.nr_vcpus, sizeof(*vcpus));
		run_seq0 = calloc(opt.nr_vcpus, sizeof(*run_seq0));
		if (!vcpus || !run_seq0)
			die_errno("allocating vcpus");
		for (int i = 0; i < opt.nr_vcpus; i++) {
			vcpus[i].idx = i;
			setup_vcpu(&vcpus[i]);
			run_seq0[i] = rd32(&vcpus[i].slot->run_seq);
			errno = pthread_create(&vcpus[i].thread, NULL, vcpu_main, &vcpus[i]);
			if (errno)
				die("creating the thread of vcpu %d: %s", i, strerror(errno));
		}
		for (int i = 0; i < opt.nr_vcpus; i++)
			while (sem_wait(&sem_ready) && errno == EINTR)
				;
	}
	vmm_pid = opt.observe_pid ? opt.observe_pid : getpid();
	/*
	 * Our own vCPUs are known to the observer before their first instruction runs; an
	 * external VMM's from here on (its guest has no scratch page in our reach).
	 */
	for (int i = 0; i < opt.nr_vcpus; i++) {
		struct e2e_task t = {
			.slot = vcpus[i].slot, .scratch = vcpus[i].scr,
			.kind = E2E_KIND_VCPU, .idx = i,
		};

		observe(skel, vcpus[i].tid, &t, "a vcpu thread");
	}
	workers = start_workers(&nr_workers);
	for (int i = 0; i < nr_workers; i++) {
		struct e2e_task t = { .kind = E2E_KIND_LOAD, .idx = i };

		observe(skel, workers[i].tid, &t, "a load thread");
	}
	/* before the first instruction: windows the daemon finds already open are judged too */
	if (opt.count_from_start) {
		windows0 = total_windows(&g0);
		exits0 = total_fence_exits();
		skel->bss->counting = 1;
		count_start = now_s();
	}
	for (int i = 0; i < opt.nr_vcpus; i++)
		sem_post(&sem_go);
	fprintf(stderr, "e2e_vmm: ready pid=%d vcpus=%d load=%d pingpong=%d mode=%s\n", getpid(),
		opt.nr_vcpus, opt.nr_load, opt.nr_pingpong, opt.same_cpu ? "same-cpu" : "same-type");
	if (opt.observe_pid) {
		fprintf(stderr, "e2e_vmm: observing pid %d, vcpu threads", vmm_pid);
		for (int i = 0; i < opt.nr_vcpus; i++)
			fprintf(stderr, "%c%d", i ? ',' : ' ', vcpus[i].tid);
		fputc('\n', stderr);
	}

	if (opt.wait_registered >= 0) {
		end = now_s() + opt.wait_registered;
		while (!all_registered(run_seq0)) {
			if (now_s() > end || stop_requested) {
				fprintf(stderr, "e2e_vmm: after %.0f s the daemon had not run every vcpu:",
					opt.wait_registered);
				for (int i = 0; i < opt.nr_vcpus; i++)
					fprintf(stderr, " vcpu%d cur_type=0x%x run_seq=%u armed=%u", i,
						rd32(&vcpus[i].slot->cur_type), rd32(&vcpus[i].slot->run_seq),
						rd32(&vcpus[i].slot->armed));
				fprintf(stderr, " fence_live=%u magic=0x%x (is `scx_errata run --vm %d:%s` running?)\n",
					rd32(&hdr->fence_live), rd32(&hdr->magic), vmm_pid, opt.shm);
				return 1;
			}
			sleep_ms(TICK_MS);
		}
		sleep_ms(opt.settle_ms);
		skel->bss->check_cur_type = 1;
		fprintf(stderr, "e2e_vmm: registered: fence_live=%u armed=%s host mode=%u\n",
			rd32(&hdr->fence_live), enforcing() ? "all" : "not all", rd32(&hdr->mode));
		if (rd32(&hdr->mode) != (opt.same_cpu ? SCXE_MODE_SAME_CPU : SCXE_MODE_SAME_TYPE))
			fprintf(stderr, "e2e_vmm: warning: the host fences in mode %u, but --mode %s judges the run\n",
				rd32(&hdr->mode), opt.same_cpu ? "same-cpu" : "same-type");
	}

	/* a hostile guest starts writing now: a page scribbled before pairing is refused */
	for (int i = 0; i < opt.nr_vcpus && !opt.observe_pid; i++)
		__atomic_or_fetch(&vcpus[i].scr->ctl, E2E_CTL_GO, __ATOMIC_SEQ_CST);
	if (opt.garbage || opt.bump_seq_us) {
		errno = pthread_create(&garbage_thread, NULL, opt.garbage ? garbage_main : bump_main, NULL);
		if (errno)
			die_errno("creating the page writer");
	}
	if (!opt.count_from_start) {
		windows0 = total_windows(&g0);
		exits0 = total_fence_exits();
		skel->bss->counting = 1;
		count_start = now_s();
	}
	run_start = now_s();
	end = run_start + opt.seconds;
	halt_at = run_start + opt.seconds / 2;
	while (!stop_requested && (opt.run_until_signal || now_s() < end)) {
		sleep_ms(TICK_MS);
		if (opt.observe_pid && kill(vmm_pid, 0) && errno == ESRCH)
			die("the VMM (pid %d) exited during the measurement", vmm_pid);
		last_enf = enforcing();
		samples++;
		enforced_samples += last_enf;
		c = skel->bss->counts;
		if (opt.exit_while_fenced && !halted && now_s() >= halt_at) {
			/* the guest halts inside its next window; vcpu_main then returns */
			__atomic_or_fetch(&vcpus[0].scr->ctl, E2E_CTL_HALT, __ATOMIC_SEQ_CST);
			halted = true;
		}
		if (!opt.run_until_signal &&
		    (opt.min_fenced >= 0 || opt.min_moves >= 0 || opt.min_violations >= 0) &&
		    (long long)c.fenced_switchouts >= opt.min_fenced &&
		    (long long)c.unfenced_cross_type_moves >= opt.min_moves &&
		    (long long)c.violations >= opt.min_violations &&
		    now_s() - run_start >= opt.min_seconds &&
		    (!opt.exit_while_fenced || vcpus[0].exited))
			break;
	}
	skel->bss->counting = 0;
	c = skel->bss->counts;
	if (opt.fence) {
		/* at once: the guest goes on counting while the rest is gathered */
		fence_windows = total_windows(&g1) - windows0;
		fence_exits = total_fence_exits() - exits0;
		fence_secs = now_s() - count_start;
	}
	if (opt.garbage || opt.bump_seq_us) {
		garbage_stop = true;
		pthread_join(garbage_thread, NULL);
	}

	/*
	 * Across a daemon restart the fence is legitimately down for a while: then only whether
	 * it came back is a verdict, and the armed counters say if a dip broke a promise.
	 */
	if (opt.run_until_signal)
		enf = samples ? last_enf : enforcing();
	else
		enf = enforced_samples == samples;
	printf("e2e: arch=%s mode=%s enforcement=%s windows=%llu fenced_switchouts=%llu "
	       "violations=%llu unfenced_cross_type_moves=%llu type_mismatches=%llu\n",
	       E2E_ARCH, opt.same_cpu ? "same-cpu" : "same-type", enf ? "on" : "off",
	       (unsigned long long)(total_windows(&g1) - windows0),
	       (unsigned long long)c.fenced_switchouts, (unsigned long long)c.violations,
	       (unsigned long long)c.unfenced_cross_type_moves,
	       (unsigned long long)(c.cur_type_mismatches + c.seen_mismatches));
	{
		__u64 expired = 0, forced = 0, fso = 0;

		for (int i = 0; i < opt.nr_vcpus; i++) {
			expired += rd32(&vcpus[i].slot->expired_holds);
			forced += rd32(&vcpus[i].slot->forced_moves);
			fso += rd32(&vcpus[i].slot->fenced_switchouts);
		}
		printf("e2e-detail: seconds=%.1f switchouts=%llu fenced_preempted=%llu fenced_stays=%llu "
		       "cur_type_mismatches=%llu seen_mismatches=%llu slot_expired_holds=%llu "
		       "slot_forced_moves=%llu slot_fenced_switchouts=%llu fence_live=%u "
		       "enforced_samples=%llu samples=%llu\n",
		       now_s() - count_start, (unsigned long long)c.switchouts,
		       (unsigned long long)c.fenced_preempted,
		       (unsigned long long)c.fenced_stays,
		       (unsigned long long)c.cur_type_mismatches,
		       (unsigned long long)c.seen_mismatches, (unsigned long long)expired,
		       (unsigned long long)forced, (unsigned long long)fso, rd32(&hdr->fence_live),
		       enforced_samples, samples);
	}
	printf("e2e-armed: armed_fenced_switchouts=%llu armed_violations=%llu\n",
	       (unsigned long long)c.armed_fenced_switchouts,
	       (unsigned long long)c.armed_violations);
	if (nr_workers)
		printf("e2e-load: threads=%d switchins=%llu cross_type_moves=%llu cpu_mask=0x%llx\n",
		       nr_workers, (unsigned long long)c.load_switchins,
		       (unsigned long long)c.load_cross_type_moves,
		       (unsigned long long)c.load_cpu_mask);
	if (opt.fence) {
		printf("e2e-fence: fence=%s vcpus=%d windows=%llu seconds=%.3f windows_per_s=%.0f "
		       "fence_exits=%llu\n", fence_name[opt.fence], opt.nr_vcpus,
		       (unsigned long long)fence_windows, fence_secs,
		       fence_secs > 0 ? fence_windows / fence_secs : 0.0,
		       (unsigned long long)fence_exits);
	}
	if (opt.exit_while_fenced)
		printf("e2e-exit: vcpu=0 exited=%d in_window=%d armed=%d\n", vcpus[0].exited,
		       vcpus[0].exit_in_window, vcpus[0].exit_armed);
	if (opt.guest_log) {
		/* over the measurement (g1: as of the e2e: line), to the resolution of its lines */
		printf("e2e-guest: guest_windows=%llu guest_armed_windows=%llu guest_mismatches=%llu "
		       "guest_changes=%llu guest_halts=%llu guest_lines=%lu guest_mismatches_total=%llu "
		       "guest_errors=%lu\n",
		       g1.windows - g0.windows, g1.armed - g0.armed, g1.mismatches - g0.mismatches,
		       g1.changes - g0.changes, g1.halts - g0.halts, g1.lines - g0.lines,
		       g1.mismatches, g1.errors);
	}
	fflush(stdout);
	/* the vCPU and load threads never return: leave without joining them */
	_exit(0);
}
