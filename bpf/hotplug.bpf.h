/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU hotplug: the scheduler's own view of which CPUs of each type are online, and the
 * queues an offline CPU leaves behind. The type masks change in ops.cpu_offline, before the
 * kernel migrates the dying CPU's tasks, so nothing new is queued where nobody will serve
 * it; what was queued already is "stranded" and dispatch on any CPU moves it first.
 * Included by scx_errata.bpf.c.
 */
#ifndef SCXE_HOTPLUG_BPF_H
#define SCXE_HOTPLUG_BPF_H

/*
 * Queues that lost every CPU allowed to consume them: fence queues of a type whose CPUs all
 * went offline, per-CPU queues of CPUs that went offline while attached. Set by
 * cpu_offline, cleared by cpu_online or once drained; dispatch serves them first.
 */
__u32 stranded_types;			/* bit t: FENCE(t) may hold tasks nobody serves */
__u32 nr_stranded_cpus;
__u32 stranded_cpu[SCXE_MAX_CPUS];


/* Move one task from a stranded queue to this CPU; true when one was moved. */
static bool rescue(void)
{
	__u32 t, c;

	if (stranded_types) {
		bpf_for(t, 0, nr_types) {
			if ((stranded_types & (1u << t)) && scx_bpf_dsq_move_to_local(SCXE_DSQ_FENCE(t)))
				goto moved;
		}
	}
	if (!nr_stranded_cpus)
		return false;
	bpf_for(c, 0, nr_cpus) {
		__u32 i = c & (SCXE_MAX_CPUS - 1);

		if (!stranded_cpu[i])
			continue;
		if (scx_bpf_dsq_move_to_local(SCXE_DSQ_CPU(c)))
			goto moved;
		/*
		 * Nothing moved: either the queue is empty (stop scanning it: nothing queues on
		 * an offline CPU) or what waits there may not run on this CPU, and another CPU
		 * must take it, so the mark stays.
		 */
		if (!scx_bpf_dsq_nr_queued(SCXE_DSQ_CPU(c)) &&
		    __sync_lock_test_and_set(&stranded_cpu[i], 0))
			__sync_fetch_and_sub(&nr_stranded_cpus, 1);
	}
	return false;
moved:
	stat_inc(SCXE_STAT_RESCUE);
	return true;
}

static void set_online(__s32 cpu, bool online)
{
	__u32 t = type_of(cpu), i = (__u32)cpu & (SCXE_MAX_CPUS - 1);
	struct bpf_cpumask *m = online_of_type(t);

	if (!m) {
		scx_bpf_error("cpu %d has type %u but no type mask", cpu, t);
		return;
	}
	cpu_down[i] = !online;
	if (online) {
		bpf_cpumask_set_cpu(cpu, m);
		__sync_fetch_and_and(&stranded_types, ~(1u << t));
		if (__sync_lock_test_and_set(&stranded_cpu[i], 0))
			__sync_fetch_and_sub(&nr_stranded_cpus, 1);
		return;
	}
	bpf_cpumask_clear_cpu(cpu, m);
	if (bpf_cpumask_empty((const struct cpumask *)m))
		__sync_fetch_and_or(&stranded_types, 1u << t);
	if (!__sync_lock_test_and_set(&stranded_cpu[i], 1))
		__sync_fetch_and_add(&nr_stranded_cpus, 1);
}

#endif /* SCXE_HOTPLUG_BPF_H */
