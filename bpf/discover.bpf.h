/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPU discovery, included by scx_errata.bpf.c. A vCPU thread is whatever thread enters
 * KVM_RUN on a vCPU: KVM itself knows, so no thread names, QMP or VMM cooperation are
 * needed, and a vCPU hot-plugged later is found the same way. On its first KVM_RUN (and
 * whenever it runs another vCPU) a thread is reported once through a ring buffer as (tgid,
 * tid, vCPU index); the daemon pairs the process if it maps a shared file of ours.
 *
 * fentry on kvm_arch_vcpu_ioctl_run(struct kvm_vcpu *), the architecture's KVM_RUN entry on
 * x86 and arm64 alike; on arm64 the kvm_entry tracepoint carries no vCPU id, hence not that.
 * vcpu_idx is KVM's creation-order index, which is the VMM's vCPU index (QEMU cpu-index,
 * Cloud Hypervisor, crosvm and Firecracker create vCPUs in index order). The program costs
 * one task-storage lookup per KVM_RUN entry, which already is a return from user space.
 * Limits: a thread that entered KVM_RUN before this program was attached and never returns
 * to user space is only found by the fallbacks (QMP, thread names).
 */
#ifndef SCXE_DISCOVER_BPF_H
#define SCXE_DISCOVER_BPF_H

/* only the field we read; CO-RE relocates it against the kvm module's BTF */
struct kvm_vcpu___scxe {
	int vcpu_idx;
} __attribute__((preserve_access_index));

struct kvm_seen {
	__u32	idx1;		/* vCPU index + 1 last reported for this thread */
	__u32	pad;
	__u64	first_ns;	/* its first KVM_RUN, for the pairing latency */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct kvm_seen);
} kvm_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} vcpu_events SEC(".maps");

__u64 vcpu_events_lost;		/* ring buffer full: the daemon rescans by name and QMP */

SEC("fentry/kvm_arch_vcpu_ioctl_run")
int BPF_PROG(errata_kvm_run, struct kvm_vcpu *vcpu)
{
	struct task_struct *p = bpf_get_current_task_btf();
	struct scxe_vcpu_event *ev;
	struct kvm_seen *seen;
	__u32 idx1;

	seen = bpf_task_storage_get(&kvm_seen, p, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!seen)
		return 0;
	idx1 = BPF_CORE_READ((struct kvm_vcpu___scxe *)vcpu, vcpu_idx) + 1;
	if (seen->idx1 == idx1)
		return 0;
	if (!seen->idx1)
		seen->first_ns = bpf_ktime_get_ns();
	seen->idx1 = idx1;
	ev = bpf_ringbuf_reserve(&vcpu_events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&vcpu_events_lost, 1);
		seen->idx1 = 0;		/* report it again on its next entry */
		return 0;
	}
	ev->tgid = p->tgid;
	ev->tid = p->pid;
	ev->vcpu = idx1 - 1;
	ev->pad = 0;
	ev->first_ns = seen->first_ns;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

/* Time from the thread's first KVM_RUN to now, or 0 when it was not seen entering it. */
static __u64 since_first_kvm_run(struct task_struct *p, __u64 now)
{
	struct kvm_seen *seen = bpf_task_storage_get(&kvm_seen, p, NULL, 0);

	return seen && seen->first_ns && now > seen->first_ns ? now - seen->first_ns : 0;
}

#endif /* SCXE_DISCOVER_BPF_H */
