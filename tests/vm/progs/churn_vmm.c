// SPDX-License-Identifier: GPL-2.0
/*
 * churn_vmm: VMM lifecycle churn for the daemon's automatic pairing (tests/vm/cases/
 * pair_churn.sh). It starts and ends many short-lived VMMs, one after the other, so that
 * anything the daemon keeps per VM or per vCPU (fds, pidfds, mappings, uptr pins, registry
 * entries, VM records) and forgets to release shows up as growth over the run.
 *
 *   churn_vmm --cycles N --vcpus V [--shm-prefix P] [--timeout-ms T] [--hotplug]
 *
 * Each cycle forks one child, a complete minimal VMM on the KVM API:
 *   - creates P<cycle> (default /dev/shm/scx_errata.churn<cycle>) zero-filled, 8 KiB, mode
 *     0600, and maps it MAP_SHARED, also as guest memory, as QEMU's memory-backend-file or
 *     an ivshmem BAR would: the daemon finds the VMM by that mapping and lays the file out;
 *   - creates a VM with a little RAM and V vCPUs, each run by its own thread. The guest is
 *     six bytes of real-mode code, "out %al,$0xe2; inc %al; jmp", so every KVM_RUN comes
 *     back to user space, and the byte it writes proves the vCPU really executes (and, with
 *     --hotplug, that its state survived the change of thread). Threads are not named like
 *     any VMM's vCPU threads: only KVM's own report of the thread (the daemon's fentry on
 *     KVM_RUN) can pair them;
 *   - waits until every slot reads armed != 0, at most
 *     --timeout-ms (default 5000); each vCPU thread times its own first KVM_RUN and its
 *     first return from KVM_RUN that reads so: that difference is the pairing latency;
 *   - with --hotplug, then unplugs vCPU 0: its thread exits, and once the kernel has
 *     released the thread slot 0 must read armed == 0 (the scheduler disarms a slot when its
 *     thread exits, before the thread stops running; a slot still armed then would tell the
 *     guest its vCPU is fenced while the next thread to run it is not, yet); if it does not,
 *     the child times how long it stays armed; then it plugs vCPU 0 again: a new thread runs
 *     KVM_RUN on the same vCPU fd, and the child waits until slot 0 reads armed != 0 again
 *     (only the new thread's registration can arm it now);
 *   - unlinks its file and exits (exit_group: its vCPU threads die with it).
 * The parent reaps each child before it forks the next, so exactly one VMM lives at a time.
 *
 * One result line on stdout (with --hotplug the last five keys are added):
 *   churn: cycles=N vcpus=V paired=P failed=F latency_ms_median=X latency_ms_max=Y
 *          replugged=R replug_ms_median=X replug_ms_max=Y left_armed=L left_armed_ms_max=Z
 * cycles counts the cycles run; paired the vCPUs that read armed in time (N * V when all
 * did); failed the cycles in which something did not happen in time or went wrong (the
 * child says what on stderr); replugged the vCPUs armed again for their new thread;
 * left_armed the unplugs after which slot 0 still read armed once the old thread was gone
 * (each a failed cycle), for at most left_armed_ms_max (-1: still armed at the timeout).
 * Exit status 0 only when failed=0. After --max-failed failed cycles (default 5) the run
 * stops early: then a daemon that stopped pairing does not cost cycles * timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
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
#include <sys/wait.h>
#include "scx_errata_abi.h"

#define KVM_API_VERSION_EXPECTED 12	/* stable since Linux 2.6.22 */
#define SHM_SIZE	8192u		/* header page + one page of slots */
#define MAX_VCPUS	((SHM_SIZE - SCXE_ABI_HDR_SIZE) / SCXE_ABI_SLOT_SIZE)
/*
 * Guest-physical layout, all below 1 MiB for real mode: RAM from 0 (code at CODE_GPA),
 * then the shared file, as a VMM maps an ivshmem BAR. The guest never touches the file;
 * the memslot is there so that the VMM's mapping is guest memory as in a real VMM.
 */
#define RAM_SIZE	0x10000u
#define CODE_GPA	0x1000u
#define SHM_GPA		RAM_SIZE
#define GUEST_PORT	0xe2
#define X86_RFLAGS_FIXED 0x2u		/* bit 1 of RFLAGS always reads as one */
/*
 * Between two KVM_RUNs a vCPU thread sleeps this long, as a VMM's thread does on an I/O
 * exit or a halted guest: two spinning vCPUs per VMM would starve the daemon of the test
 * VM's CPUs under TCG, and each wake-up is a chance for the scheduler to run (and arm) it.
 */
#define IDLE_US		100
#define POLL_US		1000		/* main thread: how often it looks at the vCPUs */

/* out %al,$0xe2; inc %al; jmp back to the out: one exit per iteration, al counts them */
static const unsigned char guest_code[] = { 0xe6, GUEST_PORT, 0xfe, 0xc0, 0xeb, 0xfa };

struct opts {
	long		cycles;
	int		nr_vcpus;
	const char	*prefix;
	long		timeout_ms;
	bool		hotplug;
	long		max_failed;
};

static struct opts opt = {
	.cycles		= 100,
	.nr_vcpus	= 2,
	.prefix		= "/dev/shm/scx_errata.churn",
	.timeout_ms	= 5000,
	.max_failed	= 5,
};

/* What a child reports to the parent through a pipe; one write below PIPE_BUF is atomic. */
struct cycle_result {
	__u32	ok;		/* everything this cycle checks happened in time */
	__u32	armed;		/* vCPUs whose slot read armed */
	__u32	replugged;	/* --hotplug: vCPU 0 armed again for its new thread */
	__u32	left_armed;	/* --hotplug: slot 0 still armed after its thread was gone */
	__s64	left_armed_ns;	/* ... for this long; -1: until the timeout */
	__u64	lat_ns[MAX_VCPUS];	/* first KVM_RUN to armed; 0: never armed */
	__u64	replug_ns;	/* new thread's first KVM_RUN to armed naming it */
};
_Static_assert(sizeof(struct cycle_result) <= PIPE_BUF, "one atomic pipe write");

struct vcpu {
	int			idx;
	int			fd;
	struct kvm_run		*run;
	struct scxe_slot	*slot;
	pthread_t		thread;
	pid_t			tid;		/* of the thread running it now */
	bool			unplug;		/* the thread leaves once armed */
	unsigned char		next_al;	/* what the guest writes next */
	unsigned long		exits;		/* KVM_RUNs that came back with the guest's OUT */
	__u64			first_ns;	/* the thread's first KVM_RUN */
	__u64			armed_ns;	/* its first return reading armed; 0: not yet */
};

/* child state */
static char shm_path[PATH_MAX];
static bool shm_created;
static long cycle;
static int kvm_fd, vm_fd;
static size_t run_size;
static unsigned char *ram, *shm;
static struct vcpu *vcpus;
static volatile int stopping;

#define err_exit(code, ...) do { fprintf(stderr, "churn_vmm: " __VA_ARGS__); fputc('\n', stderr); \
				 exit(code); } while (0)
/* in a child: leave no file behind, so one failed cycle does not look like a leak too */
#define die(...) do { if (shm_created) unlink(shm_path); \
		      fprintf(stderr, "churn_vmm: cycle %ld: ", cycle); \
		      err_exit(2, __VA_ARGS__); } while (0)

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static __u32 rd32(const __u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: churn_vmm [options]\n"
"Start and end VMMs one after the other, each with real KVM vCPUs, and check that the\n"
"scx_errata daemon pairs (arms) every vCPU of each.\n"
"\n"
"  --cycles N        VMMs to run, one at a time (default %ld)\n"
"  --vcpus V         vCPUs per VMM, each on its own thread (default %d, max %u)\n"
"  --shm-prefix P    shared file of cycle K is PK (default %s)\n"
"  --timeout-ms T    how long a VMM waits for its vCPUs to be armed (default %ld)\n"
"  --hotplug         also unplug vCPU 0 (its thread exits) and plug it again (a new\n"
"                    thread runs it): it must be disarmed, then armed for the new thread\n"
"  --max-failed N    stop after N failed cycles (default %ld)\n"
"  -h, --help        this help\n",
		opt.cycles, opt.nr_vcpus, MAX_VCPUS, opt.prefix, opt.timeout_ms, opt.max_failed);
}

static long parse_num(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		err_exit(2, "%s '%s': expected an integer in [%ld, %ld]", what, s, min, max);
	return v;
}

static void parse_opts(int argc, char **argv)
{
	enum { O_CYCLES = 256, O_VCPUS, O_PREFIX, O_TIMEOUT, O_HOTPLUG, O_MAX_FAILED };
	static const struct option lo[] = {
		{ "cycles", required_argument, NULL, O_CYCLES },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ "shm-prefix", required_argument, NULL, O_PREFIX },
		{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
		{ "hotplug", no_argument, NULL, O_HOTPLUG },
		{ "max-failed", required_argument, NULL, O_MAX_FAILED },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_CYCLES:	opt.cycles = parse_num("--cycles", optarg, 1, 1000000); break;
		case O_VCPUS:	opt.nr_vcpus = parse_num("--vcpus", optarg, 1, MAX_VCPUS); break;
		case O_PREFIX:	opt.prefix = optarg; break;
		case O_TIMEOUT:	opt.timeout_ms = parse_num("--timeout-ms", optarg, 1, 600000); break;
		case O_HOTPLUG:	opt.hotplug = true; break;
		case O_MAX_FAILED: opt.max_failed = parse_num("--max-failed", optarg, 1, LONG_MAX); break;
		case 'h':	usage(stdout); exit(0);
		default:	usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		err_exit(2, "unexpected argument '%s' (see -h)", argv[optind]);
	if (opt.prefix[0] != '/' || strlen(opt.prefix) > PATH_MAX - 24)
		err_exit(2, "--shm-prefix '%s': expected an absolute path prefix", opt.prefix);
}

/* ---- one VMM (the child) ---------------------------------------------------------------- */

static void open_shm(void)
{
	int fd;

	snprintf(shm_path, sizeof(shm_path), "%s%ld", opt.prefix, cycle);
	/* never reuse a file: a leftover of an earlier run is a finding, not our VM's file */
	fd = open(shm_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		die("creating %s: %s", shm_path, strerror(errno));
	shm_created = true;
	/* left all zeroes: the daemon lays out a blank file of a VMM it finds */
	if (ftruncate(fd, SHM_SIZE))
		die("sizing %s: %s", shm_path, strerror(errno));
	shm = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shm == MAP_FAILED)
		die("mapping %s: %s", shm_path, strerror(errno));
	close(fd);
}

static void set_memslot(__u32 slot, __u64 gpa, void *hva, size_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (__u64)(unsigned long)hva,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION %u: %s", slot, strerror(errno));
}

static void setup_vm(void)
{
	int ver;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("opening /dev/kvm: %s", strerror(errno));
	ver = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION_EXPECTED)
		die("KVM API version %d, expected %d", ver, KVM_API_VERSION_EXPECTED);
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if ((long)run_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mapping guest RAM: %s", strerror(errno));
	memcpy(ram + CODE_GPA, guest_code, sizeof(guest_code));
	set_memslot(0, 0, ram, RAM_SIZE);
	set_memslot(1, SHM_GPA, shm, SHM_SIZE);
}

static void setup_vcpu(struct vcpu *v)
{
	struct kvm_regs regs = { .rip = 0, .rflags = X86_RFLAGS_FIXED };
	struct kvm_sregs sregs;

	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, v->idx);
	if (v->fd < 0)
		die("KVM_CREATE_VCPU %d: %s", v->idx, strerror(errno));
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED)
		die("mapping kvm_run of vcpu %d: %s", v->idx, strerror(errno));
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS vcpu %d: %s", v->idx, strerror(errno));
	/* real mode: base = selector * 16; the hidden part is loaded to match */
	sregs.cs.selector = CODE_GPA >> 4;
	sregs.cs.base = CODE_GPA;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS vcpu %d: %s", v->idx, strerror(errno));
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS vcpu %d: %s", v->idx, strerror(errno));
	v->slot = (struct scxe_slot *)(shm + SCXE_ABI_HDR_SIZE + (size_t)v->idx * SCXE_ABI_SLOT_SIZE);
}

/*
 * The slot is armed for this very thread. The page names no host thread (a guest has no
 * use for it), but nothing else can have armed it: only BPF arms, in ops.running of a
 * registered thread, and a replug starts the new thread only after the old one is gone
 * and its slot read unarmed (replug()).
 */
static bool armed_for(const struct vcpu *v, pid_t tid)
{
	return rd32(&v->slot->armed) != 0;
}

static void *vcpu_main(void *arg)
{
	struct vcpu *v = arg;
	pid_t tid = syscall(SYS_gettid);
	char name[16];

	/* deliberately no VMM's vCPU thread name: only KVM's report may pair this thread */
	snprintf(name, sizeof(name), "churn-v%d", v->idx);
	prctl(PR_SET_NAME, name);
	__atomic_store_n(&v->tid, tid, __ATOMIC_RELEASE);
	v->first_ns = now_ns();
	while (!stopping) {
		struct kvm_run *r = v->run;

		if (ioctl(v->fd, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN vcpu %d (thread %d): %s", v->idx, tid, strerror(errno));
		}
		if (r->exit_reason == KVM_EXIT_INTR)
			continue;
		if (r->exit_reason != KVM_EXIT_IO)
			die("vcpu %d: unexpected exit reason %u", v->idx, r->exit_reason);
		if (r->io.direction != KVM_EXIT_IO_OUT || r->io.port != GUEST_PORT || r->io.size != 1)
			die("vcpu %d: unexpected I/O on port 0x%x", v->idx, r->io.port);
		/* the guest's counter: it ran, and kept its registers across a change of thread */
		if (((unsigned char *)r)[r->io.data_offset] != v->next_al)
			die("vcpu %d: the guest wrote 0x%02x, expected 0x%02x", v->idx,
			    ((unsigned char *)r)[r->io.data_offset], v->next_al);
		v->next_al++;
		__atomic_store_n(&v->exits, v->exits + 1, __ATOMIC_RELAXED);
		if (!__atomic_load_n(&v->armed_ns, __ATOMIC_ACQUIRE) && armed_for(v, tid)) {
			__atomic_store_n(&v->armed_ns, now_ns(), __ATOMIC_RELEASE);
			if (v->unplug)
				return NULL;	/* unplug: the thread goes, the vCPU fd stays */
		}
		sleep_us(IDLE_US);
	}
	return NULL;
}

static void start_vcpu(struct vcpu *v)
{
	errno = pthread_create(&v->thread, NULL, vcpu_main, v);
	if (errno)
		die("creating the thread of vcpu %d: %s", v->idx, strerror(errno));
}

/* Wait until every listed vCPU is armed, or deadline (CLOCK_MONOTONIC ns) has passed. */
static bool wait_armed(int from, int to, __u64 deadline)
{
	for (;;) {
		bool all = true;

		for (int i = from; i < to; i++)
			all &= __atomic_load_n(&vcpus[i].armed_ns, __ATOMIC_ACQUIRE) != 0;
		if (all)
			return true;
		if (now_ns() > deadline)
			return false;
		sleep_us(POLL_US);
	}
}

/* Why a cycle failed, with what the slot and header say about the daemon's view of it. */
static void tell_slot(int i, const char *why)
{
	const struct scxe_shm_hdr *h = (const struct scxe_shm_hdr *)shm;
	const struct scxe_slot *s = vcpus[i].slot;

	fprintf(stderr, "churn_vmm: cycle %ld (pid %d): vcpu %d (thread %d) %s: guest exits=%lu "
		"armed=%u cur_type=0x%x run_seq=%u; magic=0x%x slot_offset=%u fence_live=%u\n",
		cycle, getpid(), i, __atomic_load_n(&vcpus[i].tid, __ATOMIC_ACQUIRE), why,
		__atomic_load_n(&vcpus[i].exits, __ATOMIC_RELAXED), rd32(&s->armed),
		rd32(&s->cur_type), rd32(&s->run_seq), rd32(&h->magic), rd32(&h->slot_offset),
		rd32(&h->fence_live));
}

/* Wait until the kernel has released thread tid (its /proc entry is gone). */
static bool wait_thread_gone(pid_t tid, __u64 deadline)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	while (!access(path, F_OK)) {
		if (now_ns() > deadline)
			return false;
		sleep_us(POLL_US);
	}
	return true;
}

/* Unplug vCPU 0 (armed, its thread leaving by itself) and plug it again on a new thread. */
static void hotplug(struct cycle_result *res)
{
	struct vcpu *v = &vcpus[0];
	pid_t old = v->tid;
	__u64 deadline = now_ns() + opt.timeout_ms * 1000000ull;

	errno = pthread_join(v->thread, NULL);
	if (errno)
		die("joining the thread of vcpu 0: %s", strerror(errno));
	/*
	 * pthread_join returns once the kernel cleared the thread's tid, which can be before
	 * its exit is complete; once /proc forgets the thread its exit hooks have all run.
	 */
	if (!wait_thread_gone(old, deadline)) {
		tell_slot(0, "exited, but its thread was still listed in /proc at the timeout");
		res->ok = 0;
		return;
	}
	if (rd32(&v->slot->armed)) {
		__u64 gone = now_ns();

		tell_slot(0, "still armed once its thread was gone");
		res->left_armed = 1;
		res->ok = 0;
		/* a finding either way; how long says who cleared it: BPF at once, or the daemon */
		while (rd32(&v->slot->armed) && now_ns() < deadline)
			sleep_us(POLL_US);
		res->left_armed_ns = rd32(&v->slot->armed) ? -1 : (__s64)(now_ns() - gone);
		fprintf(stderr, "churn_vmm: cycle %ld: slot 0 %s %.3f ms after its thread was gone\n",
			cycle, res->left_armed_ns < 0 ? "still armed" : "disarmed",
			(res->left_armed_ns < 0 ? now_ns() - gone : (__u64)res->left_armed_ns) / 1e6);
	}
	v->unplug = false;
	v->armed_ns = 0;
	start_vcpu(v);
	if (!wait_armed(0, 1, now_ns() + opt.timeout_ms * 1000000ull)) {
		tell_slot(0, "not armed for its new thread within --timeout-ms");
		res->ok = 0;
		return;
	}
	res->replugged = 1;
	res->replug_ns = v->armed_ns - v->first_ns;
}

static void __attribute__((noreturn)) run_child(int wfd)
{
	struct cycle_result res = { .ok = 1 };
	__u64 deadline;
	bool all;

	/* a child that hangs anywhere still ends, and the parent counts a failed cycle */
	alarm((opt.timeout_ms * (opt.hotplug ? 3 : 1)) / 1000 + 10);
	open_shm();
	setup_vm();
	vcpus = calloc(opt.nr_vcpus, sizeof(*vcpus));
	if (!vcpus)
		die("allocating vcpus: %s", strerror(errno));
	for (int i = 0; i < opt.nr_vcpus; i++) {
		vcpus[i].idx = i;
		setup_vcpu(&vcpus[i]);
	}
	vcpus[0].unplug = opt.hotplug;
	deadline = now_ns() + opt.timeout_ms * 1000000ull;
	for (int i = 0; i < opt.nr_vcpus; i++)
		start_vcpu(&vcpus[i]);

	all = wait_armed(0, opt.nr_vcpus, deadline);
	for (int i = 0; i < opt.nr_vcpus; i++) {
		__u64 a = __atomic_load_n(&vcpus[i].armed_ns, __ATOMIC_ACQUIRE);

		if (a) {
			res.armed++;
			res.lat_ns[i] = a - vcpus[i].first_ns;
		} else {
			tell_slot(i, "not armed within --timeout-ms");
		}
	}
	if (!all)
		res.ok = 0;
	else if (opt.hotplug)
		hotplug(&res);

	if (write(wfd, &res, sizeof(res)) != sizeof(res))
		die("reporting to the parent: %s", strerror(errno));
	stopping = 1;
	/* the file goes first, with the VMM still running: as a VMM's own cleanup does it */
	if (unlink(shm_path))
		die("removing %s: %s", shm_path, strerror(errno));
	_exit(0);	/* exit_group: the vCPU threads end with the process */
}

/* ---- the parent ------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static double median_ms(__u64 *v, long n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) / 1e6;
}

/* Run cycle k in a child and collect its result; false when the cycle failed. */
static bool one_cycle(long k, struct cycle_result *res)
{
	int p[2], status;
	ssize_t n;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(p, O_CLOEXEC))
		err_exit(2, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		err_exit(2, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		cycle = k;
		run_child(p[1]);
	}
	close(p[1]);
	do
		n = read(p[0], res, sizeof(*res));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			err_exit(2, "waitpid: %s", strerror(errno));
	if (n != sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		fprintf(stderr, "churn_vmm: cycle %ld (pid %d) reported nothing and %s %d\n", k, pid,
			WIFSIGNALED(status) ? "was killed by signal" : "exited",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "churn_vmm: cycle %ld (pid %d) ended with status 0x%x\n", k, pid, status);
		return false;
	}
	return res->ok;
}

int main(int argc, char **argv)
{
	struct cycle_result res;
	long done, failed = 0, paired = 0, replugged = 0, left_armed = 0, nlat = 0, nrep = 0;
	__u64 *lat, *rep, start = now_ns(), max_lat = 0, max_rep = 0;
	__s64 max_left = 0;

	parse_opts(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lat = calloc((size_t)opt.cycles * opt.nr_vcpus, sizeof(*lat));
	rep = calloc(opt.cycles, sizeof(*rep));
	if (!lat || !rep)
		err_exit(2, "allocating results: %s", strerror(errno));

	for (done = 0; done < opt.cycles && failed < opt.max_failed; done++) {
		if (!one_cycle(done, &res))
			failed++;
		paired += res.armed;
		replugged += res.replugged;
		left_armed += res.left_armed;
		if (res.left_armed && max_left >= 0)
			max_left = res.left_armed_ns < 0 || res.left_armed_ns > max_left ?
				   res.left_armed_ns : max_left;
		for (int i = 0; i < opt.nr_vcpus; i++) {
			if (!res.lat_ns[i])
				continue;
			lat[nlat++] = res.lat_ns[i];
			if (res.lat_ns[i] > max_lat)
				max_lat = res.lat_ns[i];
		}
		if (res.replugged) {
			rep[nrep++] = res.replug_ns;
			if (res.replug_ns > max_rep)
				max_rep = res.replug_ns;
		}
		if ((done + 1) % 100 == 0)
			fprintf(stderr, "churn_vmm: %ld cycles, %ld failed, %.1f s\n", done + 1, failed,
				(now_ns() - start) / 1e9);
	}
	if (done < opt.cycles)
		fprintf(stderr, "churn_vmm: stopped after %ld of %ld cycles: %ld failed\n", done,
			opt.cycles, failed);
	fprintf(stderr, "churn_vmm: %ld cycles in %.1f s (%.1f ms each)\n", done,
		(now_ns() - start) / 1e9, (now_ns() - start) / 1e6 / done);

	printf("churn: cycles=%ld vcpus=%d paired=%ld failed=%ld latency_ms_median=%.3f "
	       "latency_ms_max=%.3f", done, opt.nr_vcpus, paired, failed, median_ms(lat, nlat),
	       max_lat / 1e6);
	if (opt.hotplug)
		printf(" replugged=%ld replug_ms_median=%.3f replug_ms_max=%.3f left_armed=%ld "
		       "left_armed_ms_max=%.3f", replugged, median_ms(rep, nrep), max_rep / 1e6,
		       left_armed, max_left < 0 ? -1.0 : max_left / 1e6);
	printf("\n");
	return failed ? 1 : 0;
}
