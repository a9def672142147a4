/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types shared by the scx_errata BPF scheduler and its user-space loader. Only __u32-style
 * types: the BPF side includes vmlinux.h first, user space includes <linux/types.h>.
 */
#ifndef SCX_ERRATA_H
#define SCX_ERRATA_H

#ifndef __bpf__
#include <linux/types.h>
#endif
#include "scx_errata_abi.h"

#define SCXE_MAX_CPUS		512u	/* size of per-CPU maps; more CPUs refuse to load */
#define SCXE_MAX_TYPES		SCXE_ABI_MAX_TYPES
#define SCXE_NO_TYPE		0xffu

/*
 * A domain: the CPUs of one type that share one last-level cache. Unfenced tasks queue per
 * domain, so that a large host does not contend on one queue per type and a task stays near
 * its cache. Hosts with more (type, LLC) pairs fold them onto this many queues.
 */
#define SCXE_MAX_DOMAINS	64u

/*
 * DSQ ids. Every CPU consumes its own per-CPU queue and the fence queue of its type; the
 * shared queues of all domains are open to every CPU (own domain first, others by vtime).
 */
#define SCXE_DSQ_SHARED(d)	(0x100ull + (d))	/* unfenced tasks, by domain of last CPU */
#define SCXE_DSQ_FENCE(t)	(0x200ull + (t))	/* fenced vCPUs: only CPUs of type t */
#define SCXE_DSQ_CPU(c)		(0x10000ull + (c))	/* pinned tasks and same-cpu fences */

/* Per-CPU description filled by user space before attach (map "cpu_info"). */
struct scxe_cpu_info {
	__u32	type;		/* index into "types", SCXE_NO_TYPE for absent CPUs */
	__u32	capacity;	/* 1..1024 */
	__u32	package;
	__u32	cluster;	/* arm64 cluster_id, x86 module/die; -1 when unknown */
	__u32	llc;		/* id of the last-level cache this CPU shares */
	__u32	flags;		/* SCXE_CPU_* */
	__u64	midr;		/* arm64 MIDR_EL1 (x86: CPUID.1.EAX) */
	__u64	revidr;		/* arm64 REVIDR_EL1 */
	__u32	domain;		/* its shared queue: (type, llc) numbered densely */
	__u32	reserved;
};

#define SCXE_CPU_PRESENT	(1u << 0)
#define SCXE_CPU_ONLINE		(1u << 1)	/* online when user space looked */

/*
 * Per-vCPU task storage (map "vcpus"), written by user space once per registration with
 * bpf_map_update_elem(pidfd of the vCPU thread). `slot` and `hdr` point into the daemon's
 * own MAP_SHARED mapping of the VM's file; the kernel pins those pages, so BPF sees the
 * guest's stores directly and its own stores reach the guest even after the daemon died.
 * The fields after `reg` are the scheduler's and are reset on update.
 */
#ifdef __bpf__
#define SCXE_UPTR(type, name)	type __attribute__((btf_type_tag("uptr"))) *name
#else
#define SCXE_UPTR(type, name)	type *name
#endif

struct scxe_vcpu_ctx {
	SCXE_UPTR(struct scxe_slot, slot);
	SCXE_UPTR(struct scxe_shm_hdr, hdr);	/* the VM's header page: BPF clears fence_live */
	__u32	vm_id;		/* daemon's index of the VM (map "vms") */
	__u32	vcpu;		/* slot index */
	__u32	enforce;	/* the daemon asks for the fence; only BPF writes slot->armed */
	__u32	reg;		/* index of this thread in map "registry" */
	__u64	hold_ns;	/* this VM's max hold: 0 = the scheduler's, SCXE_HOLD_UNLIMITED */
	/* scheduler-private from here on */
	__u32	fence_type;	/* type the current window is held on */
	__s32	fence_cpu;	/* CPU the current window is held on (same-cpu mode) */
	__u32	seen_seq;	/* slot->window_seq when the hold clock started */
	__u32	state;		/* SCXE_VS_* */
	__u64	hold_start;	/* when the scheduler first saw the current window, ns */
	__u32	last_cpu;	/* CPU of the previous run, for move accounting */
	__u32	pad;
	__u64	pair_ns;	/* first KVM_RUN to the first run after registration (armed) */
	__s64	budget_ns;	/* hold budget left (token bucket, see hold_budget_pct) */
	__u64	budget_at;	/* when the budget was last brought up to date; 0: not yet */
};

/* Ring buffer "vcpu_events": a thread entered KVM_RUN on a vCPU it was not reported for. */
struct scxe_vcpu_event {
	__u32	tgid;		/* the VMM process */
	__u32	tid;		/* the vCPU thread */
	__u32	vcpu;		/* KVM's vCPU index = the VMM's vCPU index */
	__u32	pad;
	__u64	first_ns;	/* CLOCK_MONOTONIC of its first KVM_RUN */
};

#define SCXE_HOLD_UNLIMITED	(~0ull)

/*
 * Map "registry": every registered vCPU thread, so that BPF can reach each one's slot when
 * the fence stops (task storage cannot be walked) and a restarted daemon can re-adopt the
 * registrations. Written by user space; BPF frees an entry when its thread exits.
 */
#define SCXE_MAX_VCPUS		1024u

struct scxe_reg {
	__u32	tid;		/* 0: free */
	__u32	tgid;		/* the VMM process */
	__u32	vm_id;		/* index into map "vms" */
	__u32	vcpu;		/* slot index */
};

/*
 * Map "vms": the VMs the daemon paired (user space only), so that `status`, `stop` and a
 * restarted daemon find their shared files without a daemon's memory.
 */
#define SCXE_MAX_VMS		64u
#define SCXE_VM_PATH_LEN	240u

struct scxe_vm_rec {
	__u32	pid;		/* the VMM process; 0: free */
	__u32	nr_slots;
	__u32	flags;		/* SCXE_VMF_* */
	__u32	reserved;
	char	path[SCXE_VM_PATH_LEN];	/* the shared file */
};

#define SCXE_VMF_EXPLICIT	(1u << 0)	/* vCPU threads were named with PID:PATH:TIDS */

/* Why the fence stopped (fence_off_why): the first hook that saw enforcement end. */
enum scxe_off_why {
	SCXE_OFF_NONE,
	SCXE_OFF_LOADER_EXIT,	/* the unpinned loader's process exited (kill -9, crash) */
	SCXE_OFF_CLAIM_EXIT,	/* the kernel began to disable the scheduler (unload, error) */
	SCXE_OFF_DISABLE_WORK,	/* the kernel's disable work started (fallback hook) */
	SCXE_OFF_DUMP,		/* the error dump ran (fallback hook) */
	SCXE_OFF_EXIT,		/* ops.exit ran (last resort) */
	SCXE_OFF_DAEMON,	/* the daemon or `scx_errata stop` asked for it */
	SCXE_NR_OFF,
};

#define SCXE_VS_IN_WINDOW	(1u << 0)	/* flag was set when last sampled */
#define SCXE_VS_EXPIRED		(1u << 1)	/* this window outlived max_hold */
/* bit 2 was "last placement fenced": running() now asks the window itself */
#define SCXE_VS_RAN		(1u << 3)	/* has run at least once since registration */
#define SCXE_VS_COUNTED		(1u << 4)	/* its vcpu_stats entry was reset for it */

/*
 * Hold budget: a token bucket per vCPU thread. It fills at hold_budget_pct percent of wall
 * time up to SCXE_BUDGET_PERIOD_NS * pct / 100 and drains by the time the thread is held.
 * Whatever the guest does with in_errata and window_seq, the time it is held in any
 * interval T is at most pct% of (T + SCXE_BUDGET_PERIOD_NS), and each window at most
 * max_hold.
 */
#define SCXE_BUDGET_PERIOD_NS	1000000000ull

/*
 * Map "vcpu_stats", indexed like "registry": the host's own record of each registered vCPU
 * thread, written only by BPF. Unlike the slot's copies, a guest cannot write it, so status,
 * metrics and tests read it. Reset by BPF when a newly registered thread first runs.
 */
struct scxe_vcpu_stats {
	__u64	windows;		/* windows the scheduler saw begin while enforcing */
	__u64	fenced_switchouts;	/* descheduled while held */
	__u64	forced_moves;		/* moved off the anchor because nothing else could run it */
	__u64	expired_holds;		/* windows released after max_hold */
	__u64	budget_releases;	/* windows released or refused because the budget ran out */
	__u64	held_ns;		/* time held, as charged to the budget */
	__u64	longest_hold_ns;	/* the longest single hold */
	__u32	armed;			/* what BPF last wrote to the slot's armed */
	__u32	cur_cpu;		/* CPU it last started running on */
	__u32	cur_type;		/* that CPU's type */
	__u32	tid;			/* the thread */
};

/*
 * The scheduler's record of what a CPU runs (array cpu_run in .bss, scheduler-private): the
 * task's sum_exec_runtime and vtime when it started, for charging and wake-up preemption.
 * pid says whose record it is; a task already running when the scheduler attached has none.
 */
struct scxe_cpu_run {
	__u64	exec_at;
	__u64	vtime;
	__u32	pid;
	__u32	weight;
};

/* Counters: per-CPU array "stats", summed by user space. */
enum scxe_stat {
	SCXE_STAT_LOCAL,		/* direct to an idle CPU's local queue at wake-up */
	SCXE_STAT_SHARED,		/* queued on a shared type queue */
	SCXE_STAT_PINNED,		/* queued on a per-CPU queue (single-CPU affinity) */
	SCXE_STAT_STEAL,		/* dispatched from another domain's shared queue */
	SCXE_STAT_FENCED,		/* fenced placements (wake-up, enqueue) */
	SCXE_STAT_FENCE_SWITCHOUT,	/* a vCPU stopped while inside an armed window */
	SCXE_STAT_FORCED,		/* fenced vCPU moved off its type/CPU (affinity, hotplug) */
	SCXE_STAT_EXPIRED,		/* holds released after max_hold */
	SCXE_STAT_XTYPE_FREE,		/* vCPU moved across types while unfenced */
	SCXE_STAT_RESCUE,		/* taken from a queue whose CPUs all went offline */
	SCXE_STAT_WINDOWS,		/* windows the scheduler saw begin on armed vCPUs */
	SCXE_STAT_BUDGET,		/* holds released or refused: the vCPU's hold budget ran out */
	SCXE_STAT_PREEMPT,		/* a woken task well behind the running one preempted it */
	SCXE_STAT_SYNC_IDLE,		/* sync wake-up sent to an idle CPU near the waker */
	SCXE_NR_STATS,
};

/* ops.exit information copied out for the loader's "EXIT: reason (msg)" line. */
#define SCXE_EXIT_REASON_LEN	128
#define SCXE_EXIT_MSG_LEN	1024
#define SCXE_EXIT_DUMP_LEN	16384	/* the kernel's debug dump on an error exit */

struct scxe_exit_info {
	__s32	kind;		/* enum scx_exit_kind; 0 while running */
	__u32	pad;
	__s64	exit_code;
	char	reason[SCXE_EXIT_REASON_LEN];
	char	msg[SCXE_EXIT_MSG_LEN];
};

#endif /* SCX_ERRATA_H */
