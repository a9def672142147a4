// SPDX-License-Identifier: GPL-2.0
/*
 * scx_errata: a sched_ext scheduler for hosts with heterogeneous cores that keeps a vCPU
 * thread on cores of one type while its guest is inside an errata window.
 *
 * Policy for every task: weighted virtual time, charged from the runtime each run really
 * used. Runnable tasks wait in one shared queue per domain (the CPUs of one type sharing one
 * last-level cache; the domain of the CPU they last ran on), ordered by vtime. A CPU serves
 * the lowest vtime among its own per-CPU queue, its type's fence queue and its domain's
 * queue, and takes from another domain when that head is older than its own by a margin
 * (half a slice within the type, a slice across types), so load balances without giving up
 * locality for nothing; balance costs one peek per domain. Wake-ups go straight to an idle
 * CPU: the previous one, then its cache domain; sync wake-ups (pipes, futexes) to an idle
 * CPU near the waker, never onto the waker's busy CPU. A woken task that finds no idle CPU
 * preempts the task running where it was sent when its vtime is well behind that task's,
 * as EEVDF's wake-up preemption does. Tasks that may run on one CPU only wait in that
 * CPU's queue.
 *
 * The errata fence: a vCPU thread registered by user space has task storage with pointers
 * (uptr) to its slot and header in the VM's shared page. When the daemon asks for the fence
 * (ctx->enforce: the guest-writable page is never trusted for it) and the guest's in_errata is
 * non-zero, the window is anchored to the CPU the thread last ran on. Until the guest clears
 * the flag, or the window outlives max_hold_ns, every placement keeps the thread on online,
 * allowed CPUs of the anchor's type (same-type mode) or on the anchor CPU (same-cpu mode):
 * select_cpu only picks idle CPUs of that set, enqueue parks it on a queue only those CPUs
 * consume. Every time the thread starts running the scheduler writes the CPU's type into
 * the slot, so the guest reads where its window runs.
 *
 * Limits: the fence yields to the kernel where it must. If affinity or hotplug leave no
 * allowed CPU of the anchor type, the thread runs where it can and the move is counted as
 * forced (the window is re-anchored there). While sched_ext is in bypass (loading,
 * unloading, after an error) the kernel schedules from a global FIFO and nothing is fenced;
 * the scheduler itself clears every slot's armed before that (disarm.bpf.h), so a guest is
 * never told of a fence that is gone. The flag is sampled at scheduling events and at the
 * tick of a running vCPU thread; the guest's stores are never waited for.
 *
 * Holding is a privilege the guest asks for with memory it owns, so it is bounded whatever
 * the guest writes: max_hold_ns per window and a per-thread budget of hold_budget_pct of
 * wall time overall (a token bucket), which bumping window_seq to restart the window clock
 * cannot refill. Releases are counted; the host's record of each vCPU is the vcpu_stats
 * map, never the guest-writable slot.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "scx_errata.h"

#define EINVAL 22
#define ENOMEM 12

char _license[] SEC("license") = "GPL";

/* the kfuncs behind scx_bpf_error and scx_bpf_dump take their arguments as an array of u64 */
#define SCXE_BSTR_CALL(fn, fmt, args...)					\
({										\
	static char ___fmt[] = fmt;						\
	unsigned long long ___param[___bpf_narg(args)];				\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___param, args);						\
	_Pragma("GCC diagnostic pop")						\
	fn(___fmt, ___param, sizeof(___param));					\
})
#define scx_bpf_error(fmt, args...)	SCXE_BSTR_CALL(scx_bpf_error_bstr, fmt, ##args)

/* struct_ops callbacks take their arguments through a u64 context array */
#define ERRATA_OP(name, args...)	SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define ERRATA_OP_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

/* Settings, written by user space between open and load. */
const volatile __u32 nr_cpus = 1;		/* nr_cpu_ids */
const volatile __u32 nr_types = 1;
const volatile __u32 nr_domains = 1;
const volatile __u32 domain_type[SCXE_MAX_DOMAINS];	/* type of each domain's CPUs */
const volatile __u64 slice_ns = 5000000;	/* 5 ms */
const volatile __u32 fence_mode = SCXE_MODE_SAME_TYPE;
const volatile __u64 max_hold_ns = 50000000;	/* 0 = unlimited */
const volatile __u32 hold_budget_pct = 50;	/* 100 = only max_hold limits holds */
/*
 * Test hooks: 1 = queue pinned tasks on a CPU they may not run on (ejected at once);
 * 2 = raise an error when a task named "scxe_eject" runs (ejection on demand).
 */
const volatile __u32 inject_fault = 0;

struct scxe_exit_info exit_info;
char exit_dump[SCXE_EXIT_DUMP_LEN];
__u64 vtime_now;

/*
 * Each CPU's current task as it started running. stopping() charges the runtime actually
 * used from it; other CPUs' wake-ups read it to see how far the running task's vtime has
 * moved since (up to a tick stale: good enough to decide a preemption).
 */
struct scxe_cpu_run cpu_run[SCXE_MAX_CPUS];
/* set from ops.cpu_offline until ops.cpu_online: that CPU must not kick (see kick()) */
__u8 cpu_down[SCXE_MAX_CPUS];
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct scxe_cpu_info);
} cpu_info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_MAX_TYPES);
	__type(key, __u32);
	__type(value, struct scxe_abi_type);
} types SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_ABI_MAX_ERRATA);
	__type(key, __u32);
	__type(value, struct scxe_abi_erratum);
} errata SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCXE_NR_STATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scxe_vcpu_ctx);
} vcpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_MAX_VCPUS);
	__type(key, __u32);
	__type(value, struct scxe_reg);
} registry SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_MAX_VCPUS);
	__type(key, __u32);
	__type(value, struct scxe_vcpu_stats);
} vcpu_stats SEC(".maps");

/* user space's record of the paired VMs; here so that it lives as long as the scheduler */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_MAX_VMS);
	__type(key, __u32);
	__type(value, struct scxe_vm_rec);
} vms SEC(".maps");

struct type_mask {
	struct bpf_cpumask __kptr *online;	/* online CPUs of the type */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SCXE_MAX_TYPES);
	__type(key, __u32);
	__type(value, struct type_mask);
} type_masks SEC(".maps");

/*
 * clang emits the uptr pointee as a forward declaration unless the type is used elsewhere
 * in the object; the verifier only honours a uptr to a complete struct.
 */
struct scxe_slot scxe_slot_btf_anchor;
struct scxe_shm_hdr scxe_hdr_btf_anchor;

static void stat_inc(enum scxe_stat s)
{
	__u32 key = s;
	__u64 *c = bpf_map_lookup_elem(&stats, &key);

	if (c)
		(*c)++;
}

static struct scxe_cpu_info *cpu_at(__s32 cpu)
{
	__u32 key = (__u32)cpu & (SCXE_MAX_CPUS - 1);

	if ((__u32)cpu >= nr_cpus)
		return NULL;
	return bpf_map_lookup_elem(&cpu_info, &key);
}

static __u32 type_of(__s32 cpu)
{
	struct scxe_cpu_info *ci = cpu_at(cpu);

	return ci ? ci->type : 0;
}

/* The shared queue a CPU's unfenced tasks wait in: its (type, LLC) domain. */
static __u32 domain_of(__s32 cpu)
{
	struct scxe_cpu_info *ci = cpu_at(cpu);

	return ci ? ci->domain & (SCXE_MAX_DOMAINS - 1) : 0;
}

static struct bpf_cpumask *online_of_type(__u32 t)
{
	struct type_mask *tm;
	__u32 key = t & (SCXE_MAX_TYPES - 1);

	if (t >= nr_types)
		return NULL;
	tm = bpf_map_lookup_elem(&type_masks, &key);
	return tm ? tm->online : NULL;
}

static bool vtime_before(__u64 a, __u64 b)
{
	return (__s64)(a - b) < 0;
}

/*
 * task_struct has rcu_read_unlock_special only with CONFIG_PREEMPT_RCU, which Debian's arm64
 * cloud kernel lacks (TREE_RCU: a reader is never preempted inside its read-side section),
 * and its BTF then has no union rcu_special either: both are declared here for CO-RE.
 */
struct task_struct___preempt_rcu {
	union {
		struct {
			__u8 blocked;
		} b;
		__u32 s;
	} rcu_read_unlock_special;
} __attribute__((preserve_access_index));

static bool rcu_reader_preempted(struct task_struct *p)
{
	struct task_struct___preempt_rcu *t = (void *)p;

	if (!bpf_core_field_exists(t->rcu_read_unlock_special))
		return false;
	return t->rcu_read_unlock_special.b.blocked;
}

static __u64 task_vtime(struct task_struct *p)
{
	/*
	 * A task preempted inside an RCU read-side section holds up every grace period until
	 * it runs again. By vtime alone a low-weight one (khugepaged at nice 19 costs 100
	 * slices per slice run) can wait long enough for an RCU stall, on which the kernel
	 * ejects any BPF scheduler: it goes first in line. RCU marks it blocked when it is
	 * preempted there; rcu_read_lock_nesting cannot tell, as this program itself runs
	 * under rcu_read_lock() on the current task.
	 */
	if (rcu_reader_preempted(p))
		return vtime_now - slice_ns;
	/* a task that slept keeps at most one slice of credit */
	if (vtime_before(p->scx.dsq_vtime, vtime_now - slice_ns))
		return vtime_now - slice_ns;
	return p->scx.dsq_vtime;
}

static struct scxe_cpu_run *run_at(__s32 cpu)
{
	if ((__u32)cpu >= nr_cpus)
		return NULL;
	return &cpu_run[(__u32)cpu & (SCXE_MAX_CPUS - 1)];
}

/* Runtime to vtime: a nice-0 task (weight 100) pays its runtime, heavier ones less. */
static __u64 scaled(__u64 ns, __u32 weight)
{
	return ns * 100 / (weight ? weight : 100);
}

/* vtime of p, running on cpu, including the runtime of this run so far */
static __u64 running_vtime(struct task_struct *p, struct scxe_cpu_run *r)
{
	if (!r || r->pid != p->pid)
		return p->scx.dsq_vtime;
	return r->vtime + scaled(p->se.sum_exec_runtime - r->exec_at, r->weight);
}

/*
 * scx_bpf_kick_cpu() queues an irq_work on the calling CPU. A CPU on its way down still
 * wakes tasks after it has run its last irq_work (the hotplug thread finishing), and work
 * queued then stays pending: every later kick from that CPU is lost, and unloading the
 * scheduler waits for that work forever (free_kick_syncs). So a CPU we saw go offline
 * kicks nobody until it is back; the tasks it queued are found at the next dispatch.
 */
static bool may_kick(void)
{
	return !cpu_down[bpf_get_smp_processor_id() & (SCXE_MAX_CPUS - 1)];
}

static void kick(__s32 cpu, __u64 flags)
{
	if (may_kick())
		scx_bpf_kick_cpu(cpu, flags);
}

/*
 * vtime of cpu's current task with this run so far, when it is a task of ours whose run we
 * saw start (not RT, not the idle task, not p itself); false otherwise.
 */
static bool curr_vtime(__s32 cpu, struct task_struct *p, __u64 *vt)
{
	struct scxe_cpu_run *r = run_at(cpu);
	struct task_struct *curr;

	if (!r || !bpf_ksym_exists(scx_bpf_cpu_curr))
		return false;
	curr = scx_bpf_cpu_curr(cpu);
	if (!curr || curr == p || !curr->pid || r->pid != curr->pid)
		return false;
	*vt = running_vtime(curr, r);
	return true;
}

/*
 * vtime of p woken onto a CPU whose current task has vtime cvt. Its sleep credit, one slice
 * at most, is measured against that task (EEVDF bounds a woken task's lag against its own
 * runqueue alike), not against vtime_now: vtime_now is the highest vtime any task started
 * with, and CPUs whose tasks stay put (one busy loop per CPU, each keeping its CPU) drift
 * apart in vtime without bound. Clamped to the front-runner, a sleeper waking where a loop
 * lags behind was never far enough behind that loop to preempt it, and waited out its
 * slice: cyclictest's p50 beside a loop per CPU was 3.7x EEVDF's.
 */
static __u64 wakeup_vtime(struct task_struct *p, __u64 cvt)
{
	if (rcu_reader_preempted(p))
		return task_vtime(p);
	if (vtime_before(p->scx.dsq_vtime, cvt - slice_ns))
		return cvt - slice_ns;
	/*
	 * Its debt is bounded alike: a vtime earned beside CPUs that ran ahead says nothing
	 * about this one, where the task would otherwise wait until what runs here caught up
	 * (cyclictest saw waits past 30 ms).
	 */
	if (vtime_before(cvt + slice_ns, p->scx.dsq_vtime))
		return cvt + slice_ns;
	return p->scx.dsq_vtime;
}

/*
 * A task was queued for cpu: make sure cpu looks at its queues. An idle CPU is woken.
 * A busy one is preempted when the woken task's vtime is well behind its current task's
 * (wake-up preemption: otherwise the task waits for the rest of that slice, up to slice_ns
 * plus a tick). "Well behind" is half a slice, so that tasks of equal standing (a pipe pair,
 * two hogs) do not preempt each other back and forth, while a sleeper, whose credit is
 * capped at one slice, preempts a CPU-bound task. The idle kick is sent in every other case
 * too: the CPU may be between its last look at the queues and going idle, and the kernel
 * drops the kick when it is busy.
 */
static void kick_against(__s32 cpu, __u64 vtime, bool known, __u64 curr_vt)
{
	if (known && vtime_before(vtime + slice_ns / 2, curr_vt)) {
		stat_inc(SCXE_STAT_PREEMPT);
		kick(cpu, SCX_KICK_PREEMPT);
		return;
	}
	kick(cpu, SCX_KICK_IDLE);
}

/* kick_against what runs on cpu now */
static void kick_for(struct task_struct *p, __u64 vtime, __s32 cpu)
{
	__u64 curr_vt = 0;
	bool known = curr_vtime(cpu, p, &curr_vt);

	kick_against(cpu, vtime, known, curr_vt);
}

static struct scxe_vcpu_ctx *vcpu_of(struct task_struct *p)
{
	return bpf_task_storage_get(&vcpus, p, NULL, 0);
}

/* The host's record of a registered thread (map vcpu_stats); NULL before its first run. */
static struct scxe_vcpu_stats *stats_of(struct scxe_vcpu_ctx *v)
{
	__u32 key = v->reg;

	if (!(v->state & SCXE_VS_COUNTED) || key >= SCXE_MAX_VCPUS)
		return NULL;
	return bpf_map_lookup_elem(&vcpu_stats, &key);
}

/*
 * One per-vCPU event: in the host's record (st, NULL before the first run) and in the slot's
 * copy for the guest; the field has the same name in both.
 */
#define vcpu_count(v, st, field)						\
do {										\
	if ((v)->slot)								\
		(v)->slot->field++;						\
	if (st)									\
		(st)->field++;							\
} while (0)

#include "hotplug.bpf.h"
#include "disarm.bpf.h"
#include "discover.bpf.h"
#include "fence.bpf.h"

static __s32 fenced_select(struct task_struct *p, struct scxe_vcpu_ctx *v, __s32 prev_cpu,
			   __u64 wake_flags)
{
	struct bpf_cpumask *m;
	__s32 cpu;

	stat_inc(SCXE_STAT_FENCED);
	if (fence_mode == SCXE_MODE_SAME_CPU) {
		cpu = v->fence_cpu;
		if (scx_bpf_test_and_clear_cpu_idle(cpu))
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
		return cpu;
	}
	m = online_of_type(v->fence_type);
	if (!m)
		return prev_cpu;
	if (bpf_ksym_exists(scx_bpf_select_cpu_and)) {
		/* 6.16+: the kernel's topology-aware idle search, limited to the type */
		cpu = scx_bpf_select_cpu_and(p, prev_cpu, wake_flags, (const struct cpumask *)m, 0);
	} else {
		/* older kernels: only the previous CPU, when it is of the type and idle */
		cpu = -1;
		if (bpf_cpumask_test_cpu(prev_cpu, (const struct cpumask *)m) &&
		    bpf_cpumask_test_cpu(prev_cpu, p->cpus_ptr) &&
		    scx_bpf_test_and_clear_cpu_idle(prev_cpu))
			cpu = prev_cpu;
	}
	if (cpu >= 0) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
		return cpu;
	}
	/* nothing idle of the type: wait on a CPU of it, enqueue parks it on the fence queue */
	if (type_of(prev_cpu) == v->fence_type && bpf_cpumask_test_cpu(prev_cpu, p->cpus_ptr))
		return prev_cpu;
	cpu = bpf_cpumask_any_and_distribute((const struct cpumask *)m, p->cpus_ptr);
	return cpu < nr_cpus ? cpu : prev_cpu;
}

static __u32 llc_of(__s32 cpu)
{
	struct scxe_cpu_info *ci = cpu_at(cpu);

	return ci ? ci->llc : 0;
}

/*
 * An idle CPU for an unfenced wake-up (claimed), or -1. Sync wake-ups (the waker says it
 * will sleep soon: a pipe write, a futex wake) are decided here rather than by the kernel's
 * default, which sends the wakee to the waker's busy CPU whenever its own is busy; once a
 * pipe pair shares a CPU that way it never splits again, and the two then take turns on one
 * CPU while others idle. Here the wakee takes an idle CPU sharing the waker's last-level
 * cache, its own previous CPU first (warm cache). When nothing is idle it queues by vtime
 * and wake-up preemption decides, never on the strength of the waker's promise.
 */
static __s32 idle_for_wakeup(struct task_struct *p, __s32 prev_cpu, __u64 wake_flags)
{
	bool idle = false;
	__s32 cpu;

	if ((wake_flags & SCX_WAKE_SYNC) && bpf_ksym_exists(scx_bpf_select_cpu_and)) {
		__s32 waker = bpf_get_smp_processor_id();

		if (prev_cpu != waker && llc_of(prev_cpu) == llc_of(waker) &&
		    bpf_cpumask_test_cpu(prev_cpu, p->cpus_ptr) &&
		    scx_bpf_test_and_clear_cpu_idle(prev_cpu))
			cpu = prev_cpu;
		else
			cpu = scx_bpf_select_cpu_and(p, waker, wake_flags & ~SCX_WAKE_SYNC,
						     p->cpus_ptr, 0);
		if (cpu >= 0)
			stat_inc(SCXE_STAT_SYNC_IDLE);
		return cpu;
	}
	cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &idle);
	return idle ? cpu : -1;
}

__s32 ERRATA_OP(errata_select_cpu, struct task_struct *p, __s32 prev_cpu, __u64 wake_flags)
{
	struct scxe_vcpu_ctx *v = held(p);
	__s32 cpu;

	if (v)
		return fenced_select(p, v, prev_cpu, wake_flags);
	cpu = idle_for_wakeup(p, prev_cpu, wake_flags);
	if (cpu < 0)
		return prev_cpu;
	stat_inc(SCXE_STAT_LOCAL);
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	return cpu;
}

/*
 * Run p on idle, an idle CPU claimed for it, now. Queueing it and waking idle is not enough:
 * the CPU that queued it (ending p's slice) dispatches first and takes it right back, and
 * p then takes turns there with whatever preempted it while idle sleeps again.
 */
static void run_on_idle(struct task_struct *p, __s32 idle, __u64 enq_flags)
{
	scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | idle, slice_ns, enq_flags);
	scx_bpf_kick_cpu(idle, SCX_KICK_IDLE);
}

/* An idle CPU p may use that is not going down, claimed; -1 when none (or we may not kick). */
static __s32 idle_cpu_for(struct task_struct *p)
{
	__s32 cpu;

	if (!may_kick())
		return -1;
	cpu = scx_bpf_pick_idle_cpu(p->cpus_ptr, 0);
	if (cpu < 0 || cpu_down[cpu & (SCXE_MAX_CPUS - 1)])
		return -1;
	return cpu;
}

/*
 * A held vCPU thread waits where only CPUs of its anchor serve it. Wake one of them that is
 * idle and may run the thread (its affinity can be narrower than the type); when none is,
 * a wake-up may preempt the CPU select_cpu chose, which is of the type.
 */
static void fenced_enqueue(struct task_struct *p, struct scxe_vcpu_ctx *v, __u64 vtime,
			   __s32 cpu, __u64 enq_flags)
{
	struct bpf_cpumask *m;
	__s32 idle;

	stat_inc(SCXE_STAT_FENCED);
	if (fence_mode == SCXE_MODE_SAME_CPU) {
		scx_bpf_dsq_insert_vtime(p, SCXE_DSQ_CPU(v->fence_cpu), slice_ns, vtime, enq_flags);
		kick_for(p, vtime, v->fence_cpu);
		return;
	}
	m = online_of_type(v->fence_type);
	if (m && may_kick() && bpf_ksym_exists(scx_bpf_select_cpu_and)) {
		/* the type's online CPUs (ours) that the thread may use (select_cpu_and adds that) */
		idle = scx_bpf_select_cpu_and(p, cpu, 0, (const struct cpumask *)m, 0);
		if (idle >= 0) {
			run_on_idle(p, idle, enq_flags);
			return;
		}
	}
	scx_bpf_dsq_insert_vtime(p, SCXE_DSQ_FENCE(v->fence_type), slice_ns, vtime, enq_flags);
	if (type_of(cpu) != v->fence_type)
		return;
	else if (enq_flags & SCX_ENQ_CPU_SELECTED)
		kick_for(p, vtime, cpu);
	else
		kick(cpu, SCX_KICK_IDLE);
}

void ERRATA_OP(errata_enqueue, struct task_struct *p, __u64 enq_flags)
{
	struct scxe_vcpu_ctx *v = held(p);
	__s32 cpu = scx_bpf_task_cpu(p);
	__u64 vtime, curr_vt = 0;
	bool known;

	if (v) {
		fenced_enqueue(p, v, task_vtime(p), cpu, enq_flags);
		return;
	}
	/* what runs on cpu, looked up once for placing a wakee and for the kick below */
	known = (enq_flags & (SCX_ENQ_WAKEUP | SCX_ENQ_CPU_SELECTED)) && curr_vtime(cpu, p, &curr_vt);
	vtime = known && (enq_flags & SCX_ENQ_WAKEUP) ? wakeup_vtime(p, curr_vt) : task_vtime(p);

	if (p->nr_cpus_allowed == 1) {
		if (inject_fault == 1) {
			/* deliberately broken: a CPU the task may not run on */
			__s32 bad = (cpu + 1) % nr_cpus;

			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | bad, slice_ns, enq_flags);
			return;
		}
		stat_inc(SCXE_STAT_PINNED);
		scx_bpf_dsq_insert_vtime(p, SCXE_DSQ_CPU(cpu), slice_ns, vtime, enq_flags);
		if (enq_flags & SCX_ENQ_WAKEUP)
			kick_against(cpu, vtime, known, curr_vt);
		else if (cpu != bpf_get_smp_processor_id())
			kick(cpu, SCX_KICK_IDLE);
		return;
	}

	/*
	 * A wake-up already looked for an idle CPU in select_cpu and found none: it may take the
	 * CPU it was sent to if it is well behind what runs there. Re-queues after preemption or
	 * at the end of a slice had no such look: an idle CPU takes them, they never preempt.
	 */
	if (!(enq_flags & SCX_ENQ_CPU_SELECTED)) {
		__s32 idle = idle_cpu_for(p);

		if (idle >= 0) {
			stat_inc(SCXE_STAT_LOCAL);
			run_on_idle(p, idle, enq_flags);
			return;
		}
	}
	stat_inc(SCXE_STAT_SHARED);
	scx_bpf_dsq_insert_vtime(p, SCXE_DSQ_SHARED(domain_of(cpu)), slice_ns, vtime, enq_flags);
	if (enq_flags & SCX_ENQ_CPU_SELECTED)
		kick_against(cpu, vtime, known, curr_vt);
}

/* vtime of the first task of a queue; false when it is empty. */
static bool head_vtime(__u64 dsq, __u64 *vt)
{
	struct task_struct *p;

	if (bpf_ksym_exists(scx_bpf_dsq_peek)) {
		p = scx_bpf_dsq_peek(dsq);
		if (!p)
			return false;
		*vt = p->scx.dsq_vtime;
		return true;
	}
	bpf_for_each(scx_dsq, p, dsq, 0) {
		*vt = p->scx.dsq_vtime;
		return true;
	}
	return false;
}

/* Consider dsq as the next source; keep the one whose head has the lowest vtime. */
static void consider(__u64 dsq, __u64 *best, __u64 *best_vt, __u64 bias)
{
	__u64 vt;

	if (!head_vtime(dsq, &vt))
		return;
	vt += bias;
	if (*best == SCX_DSQ_INVALID || vtime_before(vt, *best_vt)) {
		*best = dsq;
		*best_vt = vt;
	}
}

void ERRATA_OP(errata_dispatch, __s32 cpu, struct task_struct *prev)
{
	__u64 best = SCX_DSQ_INVALID, best_vt = 0, own;
	__u32 my_type = type_of(cpu), my_dom = domain_of(cpu), d;

	/* first: tasks only a CPU of another type or CPU can run now that those are offline */
	if ((stranded_types || nr_stranded_cpus) && rescue())
		return;
	consider(SCXE_DSQ_CPU(cpu), &best, &best_vt, 0);
	if (fence_mode == SCXE_MODE_SAME_TYPE)
		consider(SCXE_DSQ_FENCE(my_type), &best, &best_vt, 0);
	consider(SCXE_DSQ_SHARED(my_dom), &best, &best_vt, 0);
	own = best;
	/*
	 * Other domains' waiters win when this CPU has nothing, or when they are older by a
	 * margin: half a slice from another cache of this type (the task leaves its cache), a
	 * slice from another type. Balance is one peek per domain, never a walk of a queue.
	 */
	bpf_for(d, 0, nr_domains) {
		if (d != my_dom)
			consider(SCXE_DSQ_SHARED(d), &best, &best_vt,
				 domain_type[d & (SCXE_MAX_DOMAINS - 1)] == my_type ? slice_ns / 2 : slice_ns);
	}
	/*
	 * prev's slice ran out (or it yielded) and it is still runnable: it is in no queue yet,
	 * so without this it would lose to any waiter whatever their vtimes. It keeps the CPU
	 * for another slice while its vtime, charged for this run, is still the lowest. vCPU
	 * threads always go through enqueue, where the fence decides.
	 */
	if (prev && (prev->scx.flags & SCX_TASK_QUEUED) && !cpu_down[cpu & (SCXE_MAX_CPUS - 1)] &&
	    (best == SCX_DSQ_INVALID || vtime_before(running_vtime(prev, run_at(cpu)), best_vt)) &&
	    !vcpu_of(prev)) {
		prev->scx.slice = slice_ns;
		return;
	}
	if (best != SCX_DSQ_INVALID && scx_bpf_dsq_move_to_local(best)) {
		if (best != own && best >= SCXE_DSQ_SHARED(0) && best < SCXE_DSQ_FENCE(0))
			stat_inc(SCXE_STAT_STEAL);
		return;
	}
	/* the chosen head may have been taken meanwhile or not be runnable here: sweep */
	if (scx_bpf_dsq_move_to_local(SCXE_DSQ_CPU(cpu)))
		return;
	if (fence_mode == SCXE_MODE_SAME_TYPE && scx_bpf_dsq_move_to_local(SCXE_DSQ_FENCE(my_type)))
		return;
	if (scx_bpf_dsq_move_to_local(SCXE_DSQ_SHARED(my_dom)))
		return;
	bpf_for(d, 0, nr_domains) {
		if (d != my_dom && scx_bpf_dsq_move_to_local(SCXE_DSQ_SHARED(d))) {
			stat_inc(SCXE_STAT_STEAL);
			return;
		}
	}
}

void ERRATA_OP(errata_running, struct task_struct *p)
{
	struct scxe_vcpu_stats *st;
	struct scxe_vcpu_ctx *v;
	struct scxe_cpu_run *r;
	bool armed = false;
	struct scxe_slot *s;
	__s32 cpu;
	__u32 t;

	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;

	if (inject_fault == 2 && is_eject_trigger(p)) {
		scx_bpf_error("injected fault: %s[%d] ran", p->comm, p->pid);
		return;
	}
	cpu = bpf_get_smp_processor_id();
	r = run_at(cpu);
	if (r) {
		r->exec_at = p->se.sum_exec_runtime;
		r->vtime = p->scx.dsq_vtime;
		r->weight = p->scx.weight;
		r->pid = p->pid;
	}
	v = vcpu_of(p);
	if (!v)
		return;
	t = type_of(cpu);
	if (!(v->state & SCXE_VS_COUNTED)) {
		/* a new registration: its registry entry's record starts from zero */
		__u32 key = v->reg;
		struct scxe_vcpu_stats zero = { .tid = p->pid };

		if (key < SCXE_MAX_VCPUS)
			bpf_map_update_elem(&vcpu_stats, &key, &zero, BPF_ANY);
		v->state |= SCXE_VS_COUNTED;
	}
	st = stats_of(v);
	/*
	 * Whether this run is inside a held window is decided now, from the window itself: the
	 * FENCED mark of the last placement goes stale when the window ends while the thread
	 * waits, or when the kernel places it without asking us.
	 */
	if (fence_hold(v, bpf_ktime_get_ns())) {
		bool moved = fence_mode == SCXE_MODE_SAME_CPU ? cpu != v->fence_cpu : t != v->fence_type;

		if (moved) {
			/* the kernel left no choice (affinity, hotplug): follow it */
			stat_inc(SCXE_STAT_FORCED);
			vcpu_count(v, st, forced_moves);
			v->fence_cpu = cpu;
			v->fence_type = t;
		}
	} else if ((v->state & SCXE_VS_RAN) && type_of(v->last_cpu) != t) {
		stat_inc(SCXE_STAT_XTYPE_FREE);
	}
	if (!(v->state & SCXE_VS_RAN))
		v->pair_ns = since_first_kvm_run(p, bpf_ktime_get_ns());
	v->last_cpu = cpu;
	v->state |= SCXE_VS_RAN;
	if (st) {
		st->cur_cpu = cpu;
		st->cur_type = t;
	}
	s = v->slot;
	if (s) {
		s->cur_type = t;
		s->cur_cpu = cpu;
		s->run_seq++;
		/* from this run on the thread can be held: only now may the guest rely on it */
		armed = publish_armed(p, v, s);
	}
	if (st)
		st->armed = armed;
}

void ERRATA_OP(errata_stopping, struct task_struct *p, bool runnable)
{
	struct scxe_cpu_run *r = run_at(bpf_get_smp_processor_id());
	struct scxe_vcpu_ctx *v;

	/*
	 * Charge the runtime this run actually used, scaled by weight. The slice left says
	 * nothing reliable: the kernel refills a task that runs alone with its own default
	 * slice (20 ms) and places some tasks itself, so a slice-based charge misses exactly
	 * the CPU hogs. A run we did not see start (attached meanwhile) is not charged.
	 */
	if (r && r->pid == p->pid) {
		p->scx.dsq_vtime += scaled(p->se.sum_exec_runtime - r->exec_at, p->scx.weight);
		r->pid = 0;
	}

	v = vcpu_of(p);
	if (v && fence_hold(v, bpf_ktime_get_ns())) {
		struct scxe_vcpu_stats *st = stats_of(v);

		stat_inc(SCXE_STAT_FENCE_SWITCHOUT);
		vcpu_count(v, st, fenced_switchouts);
	}
}

/*
 * A vCPU thread that keeps its CPU makes no scheduling event for a long time (nothing else
 * wants the CPU): sample its window at the tick too, so that holds are charged and expire
 * to within a tick, not at the next switch whenever that comes.
 */
void ERRATA_OP(errata_tick, struct task_struct *p)
{
	struct scxe_vcpu_ctx *v = vcpu_of(p);

	if (v)
		fence_hold(v, bpf_ktime_get_ns());
}

void ERRATA_OP(errata_enable, struct task_struct *p)
{
	p->scx.dsq_vtime = vtime_now;
}

/* The thread leaves sched_ext (another policy, exit, or our unload): we no longer govern it. */
void ERRATA_OP(errata_disable, struct task_struct *p)
{
	struct scxe_vcpu_ctx *v = vcpu_of(p);

	if (v)
		vcpu_release(v);
}

void ERRATA_OP(errata_cpu_online, __s32 cpu)
{
	set_online(cpu, true);
}

void ERRATA_OP(errata_cpu_offline, __s32 cpu)
{
	set_online(cpu, false);
}

__s32 ERRATA_OP_SLEEPABLE(errata_init)
{
	const struct cpumask *online;
	__u32 t, c, d;
	__s32 ret;

	if (nr_types < 1 || nr_types > SCXE_MAX_TYPES || nr_cpus < 1 || nr_cpus > SCXE_MAX_CPUS ||
	    nr_domains < 1 || nr_domains > SCXE_MAX_DOMAINS) {
		scx_bpf_error("bad settings: %u types, %u cpus, %u domains", nr_types, nr_cpus, nr_domains);
		return -EINVAL;
	}
	bpf_for(c, 0, nr_cpus) {
		struct scxe_cpu_info *ci = cpu_at(c);

		if (!ci || ci->type >= nr_types || ci->domain >= nr_domains) {
			scx_bpf_error("cpu %u has no valid type (%u of %u) or domain (%u of %u)", c,
				      ci ? ci->type : 0, nr_types, ci ? ci->domain : 0, nr_domains);
			return -EINVAL;
		}
		ret = scx_bpf_create_dsq(SCXE_DSQ_CPU(c), -1);
		if (ret) {
			scx_bpf_error("cannot create the queue of cpu %u: %d", c, ret);
			return ret;
		}
	}
	bpf_for(t, 0, nr_types) {
		struct bpf_cpumask *m, *old;
		struct type_mask *tm;
		__u32 key = t;

		ret = scx_bpf_create_dsq(SCXE_DSQ_FENCE(t), -1);
		if (ret) {
			scx_bpf_error("cannot create the queues of type %u: %d", t, ret);
			return ret;
		}
		tm = bpf_map_lookup_elem(&type_masks, &key);
		m = bpf_cpumask_create();
		if (!tm || !m) {
			if (m)
				bpf_cpumask_release(m);
			scx_bpf_error("cannot allocate the cpumask of type %u", t);
			return -ENOMEM;
		}
		/* fill while we own the mask; once in the map it is only reachable under RCU */
		online = scx_bpf_get_online_cpumask();
		bpf_for(c, 0, nr_cpus) {
			if (type_of(c) == t && bpf_cpumask_test_cpu(c, online))
				bpf_cpumask_set_cpu(c, m);
		}
		scx_bpf_put_cpumask(online);
		old = bpf_kptr_xchg(&tm->online, m);
		if (old)
			bpf_cpumask_release(old);
	}
	bpf_for(d, 0, nr_domains) {
		ret = scx_bpf_create_dsq(SCXE_DSQ_SHARED(d), -1);
		if (ret) {
			scx_bpf_error("cannot create the queue of domain %u: %d", d, ret);
			return ret;
		}
	}
	return 0;
}

void ERRATA_OP(errata_exit, struct scx_exit_info *ei)
{
	/* the earlier hooks have done this already; a kernel without them still gets it here */
	fence_stop(SCXE_OFF_EXIT);
	exit_info.exit_code = ei->exit_code;
	bpf_probe_read_kernel_str(exit_info.reason, sizeof(exit_info.reason), ei->reason);
	bpf_probe_read_kernel_str(exit_info.msg, sizeof(exit_info.msg), ei->msg);
	if (ei->dump)
		bpf_probe_read_kernel_str(exit_dump, sizeof(exit_dump), ei->dump);
	/*
	 * kind last: user space polls it, then reads the rest. BPF has no fence instruction;
	 * the compiler barrier keeps the order and the kernel's exit path (irq work, then the
	 * disable work) lies between this store and any reader on another CPU.
	 */
	asm volatile("" ::: "memory");
	*(volatile __s32 *)&exit_info.kind = ei->kind;
}

SEC(".struct_ops.link")
struct sched_ext_ops errata_ops = {
	.select_cpu	= (void *)errata_select_cpu,
	.enqueue	= (void *)errata_enqueue,
	.dispatch	= (void *)errata_dispatch,
	.running	= (void *)errata_running,
	.stopping	= (void *)errata_stopping,
	.tick		= (void *)errata_tick,
	.enable		= (void *)errata_enable,
	.disable	= (void *)errata_disable,
	.dump		= (void *)errata_dump,
	.cpu_online	= (void *)errata_cpu_online,
	.cpu_offline	= (void *)errata_cpu_offline,
	.init		= (void *)errata_init,
	.exit		= (void *)errata_exit,
	.exit_dump_len	= SCXE_EXIT_DUMP_LEN,
	.name		= "errata",
};
