/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fail-closed half of the fence: who may tell a guest "armed", and how every slot is
 * told "not armed" the moment enforcement ends. Included by scx_errata.bpf.c.
 *
 * Only this scheduler writes slot->armed. It writes 1 in ops.running, the first moment it
 * can hold the thread (a window that was already open is anchored to that CPU), and 0 as
 * soon as it stops governing a vCPU thread, from the component that knows, never from a
 * process that may be dead:
 *   - the thread leaves sched_ext or exits: ops.disable, tp_btf/sched_process_exit;
 *   - the unpinned daemon that loaded us dies (kill -9, OOM, crash): its own exit
 *     (sched_process_exit of watch_tgid), before its files, and so our link, are released;
 *   - the kernel begins to disable us for any reason (unload, link detach, sysrq, error,
 *     watchdog): fentry on scx_claim_exit, the single entry of every exit path in 7.x,
 *     which runs before the disable work switches to bypass and leaves "enabled";
 *   - fallbacks for kernels where that symbol is missing or inlined: the disable work
 *     itself, ops.dump (errors only) and ops.exit (after bypass: late, but never missed).
 * fence_stop() sets fence_off first, so ops.running can never re-arm afterwards: running
 * stores armed=1 and then reads fence_off through a fully ordered atomic, fence_stop sets
 * fence_off with one and then clears the slots, so at least one of them sees the other.
 *
 * Limits: the hooks only reach threads listed in "registry" (the daemon lists every thread
 * it registers, before registering it); a slot whose page the VMM truncated is no longer
 * the guest's memory, so what BPF writes there is moot.
 */
#ifndef SCXE_DISARM_BPF_H
#define SCXE_DISARM_BPF_H

/* set once enforcement ended; never cleared in this load */
__u32 fence_off;
__u64 fence_off_ns;		/* bpf_ktime_get_ns() of that moment */
__u32 fence_off_why;		/* enum scxe_off_why */
__u32 watch_tgid;		/* unpinned loader: its exit ends the fence; 0 when pinned */
/* user space's record of who drives the scheduler, for status and adoption; never read here */
__u32 daemon_pid;
__u32 daemon_enforce;

/* Scheduler-owned slot state of a thread we stop governing. */
static void vcpu_release(struct scxe_vcpu_ctx *v)
{
	struct scxe_vcpu_stats *st = stats_of(v);
	struct scxe_slot *s = v->slot;

	v->state &= ~(SCXE_VS_RAN | SCXE_VS_IN_WINDOW | SCXE_VS_EXPIRED);
	if (s)
		s->armed = 0;
	if (st)
		st->armed = 0;
}

#define PF_EXITING	0x00000004	/* include/linux/sched.h: set before sched_process_exit */

/*
 * Tell the guest it may rely on the fence, unless enforcement ended meanwhile. Returns
 * what it wrote (the slot itself is guest memory: never read back).
 */
static bool publish_armed(struct task_struct *p, struct scxe_vcpu_ctx *v, struct scxe_slot *s)
{
	/*
	 * An exiting thread still runs after its exit hook disarmed the slot: it must not arm
	 * it again, or a new thread on that vCPU would find armed = 1 before it is registered.
	 */
	if (!v->enforce || fence_off || (p->flags & PF_EXITING)) {
		s->armed = 0;
		return false;
	}
	s->armed = 1;
	/* a full barrier, then the re-check that pairs with fence_stop() */
	if (__sync_fetch_and_add(&fence_off, 0)) {
		s->armed = 0;
		return false;
	}
	return true;
}

static int disarm_one(__u32 i)
{
	struct task_struct *p;
	struct scxe_vcpu_ctx *v;
	struct scxe_reg *r;
	__u32 key = i;

	r = bpf_map_lookup_elem(&registry, &key);
	if (!r || !r->tid)
		return 0;
	p = bpf_task_from_pid(r->tid);
	if (!p)
		return 0;
	/* a reused tid belongs to a task without our storage: nothing to clear */
	v = bpf_task_storage_get(&vcpus, p, NULL, 0);
	if (v) {
		struct scxe_shm_hdr *h = v->hdr;
		struct scxe_slot *s = v->slot;

		struct scxe_vcpu_stats *st = stats_of(v);

		/* the window state stays as it was: the error dump shows it */
		if (s)
			s->armed = 0;
		if (h)
			h->fence_live = 0;
		if (st)
			st->armed = 0;
	}
	bpf_task_release(p);
	return 0;
}

/* Enforcement has ended (why: enum scxe_off_why): every registered slot says so now. */
static void fence_stop(__u32 why)
{
	__u32 i;

	if (!__sync_lock_test_and_set(&fence_off, 1)) {
		fence_off_ns = bpf_ktime_get_ns();
		fence_off_why = why;
	}
	bpf_for(i, 0, SCXE_MAX_VCPUS)
		disarm_one(i);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(errata_task_exit, struct task_struct *p, bool group_dead)
{
	struct scxe_vcpu_ctx *v;

	if (watch_tgid && p->pid == watch_tgid) {
		fence_stop(SCXE_OFF_LOADER_EXIT);
		return 0;
	}
	v = vcpu_of(p);
	if (!v)
		return 0;
	vcpu_release(v);
	/* free the registry entry unless the daemon reused it meanwhile */
	if (v->reg < SCXE_MAX_VCPUS) {
		__u32 key = v->reg;
		struct scxe_reg *r = bpf_map_lookup_elem(&registry, &key);

		if (r)
			__sync_val_compare_and_swap(&r->tid, p->pid, 0);
	}
	return 0;
}

SEC("fentry/scx_claim_exit")
int BPF_PROG(errata_claim_exit)
{
	fence_stop(SCXE_OFF_CLAIM_EXIT);
	return 0;
}

SEC("fentry/scx_disable_workfn")
int BPF_PROG(errata_disable_work)
{
	fence_stop(SCXE_OFF_DISABLE_WORK);
	return 0;
}

#define scx_bpf_dump(fmt, args...)	SCXE_BSTR_CALL(scx_bpf_dump_bstr, fmt, ##args)

static int dump_one(__u32 i)
{
	struct task_struct *p;
	struct scxe_vcpu_ctx *v;
	struct scxe_reg *r;
	__u32 key = i;

	r = bpf_map_lookup_elem(&registry, &key);
	if (!r || !r->tid)
		return 0;
	p = bpf_task_from_pid(r->tid);
	v = p ? bpf_task_storage_get(&vcpus, p, NULL, 0) : NULL;
	if (!v) {
		scx_bpf_dump("vcpu vm=%u idx=%u tid=%u: thread gone\n", r->vm_id, r->vcpu, r->tid);
	} else {
		struct scxe_vcpu_stats *st = stats_of(v);

		/* armed as BPF last wrote it: the slot is guest memory */
		scx_bpf_dump("vcpu vm=%u idx=%u tid=%u state=0x%x enforce=%u armed=%u",
			     r->vm_id, r->vcpu, r->tid, v->state, v->enforce, st ? st->armed : 0);
		scx_bpf_dump(" fence_type=%u fence_cpu=%d last_cpu=%u held_ns=%llu budget_ns=%lld\n",
			     v->fence_type, v->fence_cpu, v->last_cpu,
			     (v->state & SCXE_VS_IN_WINDOW) ? bpf_ktime_get_ns() - v->hold_start : 0,
			     v->budget_ns);
	}
	if (p)
		bpf_task_release(p);
	return 0;
}

/* The kernel's error dump: the fence state of every registered vCPU. */
void ERRATA_OP(errata_dump, struct scx_dump_ctx *dctx)
{
	__u32 i;

	fence_stop(SCXE_OFF_DUMP);
	scx_bpf_dump("errata: mode=%u fence_off=%u why=%u stranded_types=0x%x stranded_cpus=%u\n",
		     fence_mode, fence_off, fence_off_why, stranded_types, nr_stranded_cpus);
	bpf_for(i, 0, SCXE_MAX_VCPUS)
		dump_one(i);
}

/* inject_fault 2: the test's trigger task, by name */
static bool is_eject_trigger(struct task_struct *p)
{
	static const char name[] = "scxe_eject";

	for (int i = 0; i < sizeof(name); i++)
		if (p->comm[i] != name[i])
			return false;
	return true;
}

#endif /* SCXE_DISARM_BPF_H */
