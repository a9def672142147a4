/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fence's state machine: what a vCPU thread's window means for where it may run. Kept
 * apart from the scheduling policy so that it can be read (and changed) on its own; it
 * decides nothing about order or fairness, only "held on this anchor or not". Included by
 * scx_errata.bpf.c after the maps and the per-vCPU counters.
 *
 * Inputs are the guest's in_errata (zero or not) and window_seq (changed or not), sampled at
 * scheduling events and at the tick, and the daemon's enforce bit; outputs are the anchor
 * (fence_cpu/fence_type), the hold budget and the counters. Every input a guest controls is
 * bounded here: max_hold per window and hold_budget_pct of wall time overall.
 */
#ifndef SCXE_FENCE_BPF_H
#define SCXE_FENCE_BPF_H

/*
 * Bring the hold budget up to now: refill at hold_budget_pct of the time since the last
 * sample, less the whole of it if the thread was held then (the flag is only seen at
 * samples, so a hold is charged until the sample that sees it end: never less than it
 * lasted). Returns the budget left.
 */
static __s64 budget_update(struct scxe_vcpu_ctx *v, struct scxe_vcpu_stats *st, bool was_held,
			   __u64 now)
{
	__s64 cap = SCXE_BUDGET_PERIOD_NS * hold_budget_pct / 100;
	__u64 dt;

	if (!v->budget_at) {
		v->budget_at = now;
		v->budget_ns = cap;
		return cap;
	}
	dt = now - v->budget_at;
	v->budget_at = now;
	v->budget_ns += dt * hold_budget_pct / 100;
	if (was_held) {
		v->budget_ns -= dt;
		if (st)
			st->held_ns += dt;
	}
	if (v->budget_ns > cap)
		v->budget_ns = cap;
	return v->budget_ns;
}

/* A hold ends (the flag cleared, a new window, expiry): remember the longest. */
static void hold_end(struct scxe_vcpu_ctx *v, struct scxe_vcpu_stats *st, __u64 now)
{
	if (st && now - v->hold_start > st->longest_hold_ns)
		st->longest_hold_ns = now - v->hold_start;
}

/* Release the current window before the guest left it; counted in the slot and the map. */
static void hold_release(struct scxe_vcpu_ctx *v, struct scxe_vcpu_stats *st, __u64 now,
			 bool budget)
{
	v->state |= SCXE_VS_EXPIRED;
	hold_end(v, st, now);
	if (budget) {
		stat_inc(SCXE_STAT_BUDGET);
		vcpu_count(v, st, budget_releases);
	} else {
		stat_inc(SCXE_STAT_EXPIRED);
		vcpu_count(v, st, expired_holds);
	}
}

/*
 * Sample the guest's flag and run the window state machine. Returns true while the thread
 * must be held on its anchor. Any value the guest writes is acceptable here: in_errata is
 * only tested for zero and window_seq only compared. A guest gains nothing by bumping
 * window_seq: each new window costs budget, and a window starts held only while budget is
 * left, so no sequence of stores holds a thread longer than max_hold at a time and
 * hold_budget_pct of the time overall.
 */
static bool fence_hold(struct scxe_vcpu_ctx *v, __u64 now)
{
	struct scxe_slot *s = v->slot;
	struct scxe_vcpu_stats *st;
	bool was_held;
	__u32 flag, seq;
	__u64 limit;
	__s64 left;

	/* no anchor before the first run since registration: last_cpu is not known yet */
	if (!s || !(v->state & SCXE_VS_RAN))
		return false;
	st = stats_of(v);
	was_held = (v->state & (SCXE_VS_IN_WINDOW | SCXE_VS_EXPIRED)) == SCXE_VS_IN_WINDOW;
	left = budget_update(v, st, was_held, now);
	flag = *(volatile __u32 *)&s->in_errata;
	seq = *(volatile __u32 *)&s->window_seq;
	if (!flag || !v->enforce || fence_off) {
		if (was_held)
			hold_end(v, st, now);
		v->state &= ~(SCXE_VS_IN_WINDOW | SCXE_VS_EXPIRED);
		return false;
	}
	if (!(v->state & SCXE_VS_IN_WINDOW) || seq != v->seen_seq) {
		/* a new window: it began on the CPU the thread last ran on */
		if (was_held)
			hold_end(v, st, now);
		v->state = (v->state | SCXE_VS_IN_WINDOW) & ~SCXE_VS_EXPIRED;
		v->seen_seq = seq;
		v->hold_start = now;
		v->fence_cpu = v->last_cpu;
		v->fence_type = type_of(v->last_cpu);
		stat_inc(SCXE_STAT_WINDOWS);
		vcpu_count(v, st, windows);
	}
	if (v->state & SCXE_VS_EXPIRED)
		return false;
	/* a new window with no budget left is released at once, an older one when it runs out */
	if (left <= 0) {
		hold_release(v, st, now, true);
		return false;
	}
	limit = v->hold_ns ? v->hold_ns : max_hold_ns;
	if (limit && limit != SCXE_HOLD_UNLIMITED && now - v->hold_start > limit) {
		hold_release(v, st, now, false);
		return false;
	}
	return true;
}

/*
 * The task may run on cpu and cpu is online as this scheduler knows it: the type masks change
 * in ops.cpu_offline, before the kernel clears cpu_online_mask and migrates the dying CPU's
 * tasks. Queueing a task there in between would strand it.
 */
static bool cpu_usable(struct task_struct *p, __s32 cpu)
{
	struct bpf_cpumask *m;

	if (!bpf_cpumask_test_cpu(cpu, p->cpus_ptr))
		return false;
	m = online_of_type(type_of(cpu));
	return m && bpf_cpumask_test_cpu(cpu, (const struct cpumask *)m);
}

/*
 * Whether the held thread can still be placed on its anchor. When not, the fence yields:
 * the thread takes the general path and running() counts the forced move.
 */
static bool fence_placeable(struct task_struct *p, struct scxe_vcpu_ctx *v)
{
	struct bpf_cpumask *m;

	if (fence_mode == SCXE_MODE_SAME_CPU)
		return cpu_usable(p, v->fence_cpu);
	m = online_of_type(v->fence_type);
	return m && bpf_cpumask_intersects((const struct cpumask *)m, p->cpus_ptr);
}

/*
 * The vCPU context when the thread must be held now, else NULL. When the fence has to yield
 * (no allowed online CPU of its type) the thread takes the general path; running() sees the
 * window still open on another CPU and counts the forced move.
 */
static struct scxe_vcpu_ctx *held(struct task_struct *p)
{
	struct scxe_vcpu_ctx *v = vcpu_of(p);

	if (!v || !fence_hold(v, bpf_ktime_get_ns()))
		return NULL;
	return fence_placeable(p, v) ? v : NULL;
}

#endif /* SCXE_FENCE_BPF_H */
