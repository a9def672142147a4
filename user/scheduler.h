/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF scheduler's life cycle: open with settings, load, fill the host maps, pin them,
 * attach, read counters, report how it exited, detach.
 */
#ifndef SCXE_SCHED_H
#define SCXE_SCHED_H

#include <stdbool.h>
#include "host.h"
#include "scx_errata.h"

#define SCXE_PIN_DIR	"/sys/fs/bpf/scx_errata"

struct sched_cfg {
	__u64	slice_ns;
	__u32	mode;		/* enum scxe_mode */
	__u64	max_hold_ns;	/* 0 = unlimited */
	__u32	inject_fault;	/* test hook, 0 = none */
	bool	pin;		/* pin maps under SCXE_PIN_DIR */
};

struct sched;

/* Each returns NULL/-1 after printing one line that says what failed and what to try. */
struct sched *sched_open(const struct sched_cfg *cfg, const struct host *h);
/* Load, then fill cpu_info from h and types/errata from the knowledge tables of a header. */
int sched_load(struct sched *s, const struct host *h, const struct scxe_shm_hdr *knowledge);
int sched_attach(struct sched *s);
/* Unregister; waits briefly for ops.exit so the exit record can be reported. */
void sched_detach(struct sched *s);
void sched_destroy(struct sched *s);

/* Sum of the per-CPU counters. */
int sched_read_stats(struct sched *s, __u64 out[SCXE_NR_STATS]);
extern const char *const sched_stat_names[SCXE_NR_STATS];

/* ops.exit has run: the scheduler is gone (kernel ejection, sysrq, or our detach). */
bool sched_exited(struct sched *s);
/* ops.exit asked for a restart (CPU hotplug between open and attach). */
bool sched_wants_restart(struct sched *s);
/* Print "EXIT: reason (msg)" to stderr; returns the process exit status it implies. */
int sched_report_exit(struct sched *s);

/* fd of the vCPU task-storage map, for registering vCPU threads. */
int sched_vcpus_fd(struct sched *s);

#endif
