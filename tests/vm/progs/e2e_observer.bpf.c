// SPDX-License-Identifier: GPL-2.0
/*
 * Independent observer of the errata fence for the end-to-end test. It shares nothing with
 * the scheduler under test: its own task storage, registered by the test VMM with pointers
 * (uptr) into the VMM's own mapping of each vCPU's slot and scratch page, and its own view of
 * which CPU has which type.
 *
 * At every sched_switch of a registered vCPU thread it records the CPU it leaves and whether
 * the guest's flag (slot->in_errata) was set then; at the thread's next switch-in it compares
 * CPUs. A switch-in on another type (same-cpu mode: another CPU) after a flagged switch-out
 * is a violation of the fence; a type change after an unflagged one is the freedom the fence
 * must give back. It also checks what the guest was told: the scheduler writes cur_type in
 * ops.running, before the context switch, so at switch-in it must name the CPU's type, and
 * the type the guest read inside a window must be the type of the CPU it is descheduled on.
 *
 * It also records whether slot->armed was set at each switch-out: the guest is promised the
 * fence only while armed, so a violation after an armed switch-out is a broken promise even
 * when it happens while the scheduler stops or restarts, which the VMM's enforcement samples
 * (every 100 ms) cannot tell apart from a legitimate dip.
 *
 * Registered load threads only count their cross-type moves (unaffiliated tasks must keep
 * migrating while vCPUs are fenced).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "scx_errata_abi.h"
#include "e2e_guest.h"

char _license[] SEC("license") = "GPL";

/* Set by the VMM before load. */
const volatile __u32 same_cpu = 0;			/* violation = any CPU change */
const volatile __u32 cpu_type[E2E_MAX_CPUS] = {};	/* type of each CPU */

/* Set by the VMM at run time. */
__u32 counting;		/* count events only while the measured run lasts */
__u32 check_cur_type;	/* the host scheduler writes cur_type: check it */

struct e2e_counts counts;

/*
 * clang emits a uptr pointee as a forward declaration unless the type is used elsewhere in
 * the object, and the verifier only honours uptrs to complete structs.
 */
struct scxe_slot e2e_slot_btf_anchor;
struct e2e_scratch e2e_scratch_btf_anchor;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct e2e_task);
} tasks SEC(".maps");

static __u32 type_of(__s32 cpu)
{
	/* unsigned and masked: a signed index loses its bound in the verifier */
	__u32 i = (__u32)cpu;

	if (i >= E2E_MAX_CPUS)
		return 0;
	return cpu_type[i & (E2E_MAX_CPUS - 1)];
}

static void count(__u64 *c)
{
	if (counting)
		__sync_fetch_and_add(c, 1);
}

static void switched_out(struct e2e_task *t, __s32 cpu, bool preempted)
{
	struct scxe_slot *slot = t->slot;
	struct e2e_scratch *scr = t->scratch;
	__u32 flag = 0, armed, seen;

	t->out_cpu = cpu;
	t->pending = 1;
	if (t->kind != E2E_KIND_VCPU || !slot) {
		t->out_flag = 0;
		t->out_armed = 0;
		return;
	}
	/* the vCPU is out of guest mode: the flag cannot change until it runs again */
	flag = *(volatile __u32 *)&slot->in_errata != 0;
	armed = *(volatile __u32 *)&slot->armed != 0;
	t->out_flag = flag;
	t->out_armed = armed;
	count(&counts.switchouts);
	if (!flag)
		return;
	count(&counts.fenced_switchouts);
	if (armed)
		count(&counts.armed_fenced_switchouts);
	if (preempted)
		count(&counts.fenced_preempted);
	if (!scr)
		return;
	seen = *(volatile __u32 *)&scr->seen;
	if (seen != E2E_SEEN_NONE && seen != type_of(cpu))
		count(&counts.seen_mismatches);
}

static void switched_in(struct e2e_task *t, __s32 cpu)
{
	struct scxe_slot *slot = t->slot;
	bool type_moved, cpu_moved;

	if (t->pending) {
		type_moved = type_of(t->out_cpu) != type_of(cpu);
		cpu_moved = t->out_cpu != cpu;
		t->pending = 0;
		if (t->kind == E2E_KIND_LOAD) {
			if (type_moved)
				count(&counts.load_cross_type_moves);
		} else if (t->out_flag) {
			if (same_cpu ? cpu_moved : type_moved) {
				count(&counts.violations);
				if (t->out_armed)
					count(&counts.armed_violations);
			} else {
				count(&counts.fenced_stays);
			}
		} else if (type_moved) {
			count(&counts.unfenced_cross_type_moves);
		}
	}
	if (t->kind == E2E_KIND_LOAD) {
		count(&counts.load_switchins);
		if (counting && (__u32)cpu < 64)
			__sync_fetch_and_or(&counts.load_cpu_mask, 1ull << ((__u32)cpu & 63));
		return;
	}
	if (check_cur_type && slot &&
	    *(volatile __u32 *)&slot->cur_type != type_of(cpu))
		count(&counts.cur_type_mismatches);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(e2e_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	__s32 cpu = bpf_get_smp_processor_id();
	struct e2e_task *t;

	t = bpf_task_storage_get(&tasks, prev, NULL, 0);
	if (t)
		switched_out(t, cpu, prev_state == 0 /* TASK_RUNNING */);
	t = bpf_task_storage_get(&tasks, next, NULL, 0);
	if (t)
		switched_in(t, cpu);
	return 0;
}
