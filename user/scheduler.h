/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF scheduler's life cycle: open with settings, load, fill the host maps, attach the
 * disarm hooks and the scheduler, pin everything so the scheduler outlives this process,
 * read counters, report how it exited, stop. A scheduler pinned by an earlier daemon is
 * adopted through the same handle: its maps, links and settings come from the pins.
 */
#ifndef SCXE_SCHED_H
#define SCXE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include "host.h"
#include "scx_errata.h"

#define SCXE_PIN_DIR	"/sys/fs/bpf/scx_errata"

struct sched_cfg {
	__u64	slice_ns;
	__u32	mode;		/* enum scxe_mode */
	__u64	max_hold_ns;	/* 0 = unlimited */
	__u32	hold_budget_pct; /* share of wall time a vCPU may be held, 1..100 */
	__u32	inject_fault;	/* test hook, 0 = none */
	bool	pin;		/* pin maps and links under SCXE_PIN_DIR */
	bool	enforce;	/* fence registered vCPUs (recorded for adoption) */
};

struct sched;

/* Each returns NULL/-1 after printing one line that says what failed and what to try. */
struct sched *sched_open(const struct sched_cfg *cfg, const struct host *h);
/* Load, then fill cpu_info from h and types/errata from the knowledge tables of a header. */
int sched_load(struct sched *s, const struct host *h, const struct scxe_shm_hdr *knowledge);
/* Attach the disarm hooks, then the scheduler; pin maps and links when cfg->pin. */
int sched_attach(struct sched *s);

/* What SCXE_PIN_DIR holds. */
enum sched_pinned {
	SCHED_PIN_NONE,		/* nothing pinned */
	SCHED_PIN_LIVE,		/* a pinned scheduler of ours is attached */
	SCHED_PIN_STALE,	/* pins of a scheduler that is no longer attached (ejected) */
};
enum sched_pinned sched_pinned_state(void);
/* Open the pinned scheduler (SCHED_PIN_LIVE or _STALE); its settings in cfg. */
struct sched *sched_adopt(struct sched_cfg *cfg);
/* Whether the pinned maps hold this host's CPU types and knowledge; err says what differs. */
int sched_same_knowledge(struct sched *s, const struct host *h, const struct scxe_shm_hdr *kn,
			 char *err, size_t errlen);
/* Remove every pin (a scheduler that is no longer attached, or after stop). */
void sched_unpin(void);
/*
 * The control surface is root's alone: 0 when SCXE_PIN_DIR is absent or a directory of
 * ours with mode 0700 (no group or other bits), else -1 with a one-line err.
 */
int sched_pin_dir_check(char *err, size_t errlen);

/* This process now owns the pinned scheduler: recorded for status and the next daemon. */
void sched_set_daemon(struct sched *s, pid_t pid);
pid_t sched_daemon(struct sched *s);
/* The recorded daemon's pid while that process is still an scx_errata, else 0. */
pid_t sched_daemon_alive(struct sched *s);

/* The pinned records: paired VM id (0 ok, -1 free) and registry entry idx (-1 free). */
int sched_read_vm(struct sched *s, __u32 id, struct scxe_vm_rec *rec);
int sched_read_reg(struct sched *s, __u32 idx, struct scxe_reg *r);
/* BPF's record of registry entry idx (r: that entry); 0, or -1 when it has not run yet. */
int sched_read_vcpu_stats(struct sched *s, __u32 idx, const struct scxe_reg *r,
			  struct scxe_vcpu_stats *st);
const struct scxe_exit_info *sched_exit_info(struct sched *s);

/* BPF never arms a slot again in this load; the caller then clears the slots it knows. */
void sched_end_fence(struct sched *s);
/* sched_end_fence, then unpin, detach, and wait briefly for ops.exit. */
void sched_stop(struct sched *s);
/* Let go without stopping: a pinned scheduler keeps running (fds closed, pins kept). */
void sched_release(struct sched *s);
/* sched_stop unless released; frees the handle. */
void sched_destroy(struct sched *s);

/* Sum of the per-CPU counters. */
int sched_read_stats(struct sched *s, __u64 out[SCXE_NR_STATS]);
extern const char *const sched_stat_names[SCXE_NR_STATS];
extern const char *const sched_off_names[SCXE_NR_OFF];

/* ops.exit has run: the scheduler is gone (kernel ejection, sysrq, or our detach). */
bool sched_exited(struct sched *s);
/* ops.exit asked for a restart (CPU hotplug between open and attach). */
bool sched_wants_restart(struct sched *s);
/* Print "EXIT: reason (msg)" and any error dump to stderr; returns the exit status it implies. */
int sched_report_exit(struct sched *s);
/* The scheduler stopped fencing: why (enum scxe_off_why) and when (ktime ns); 0 while on. */
__u32 sched_fence_off(struct sched *s, __u64 *when_ns);

/* fds of the maps user space writes or reads: vcpus (task storage), registry, vms. */
int sched_vcpus_fd(struct sched *s);
int sched_registry_fd(struct sched *s);
int sched_vms_fd(struct sched *s);
/* The ring buffer of KVM vCPU reports (struct scxe_vcpu_event); -1 without the KVM hook. */
int sched_events_fd(struct sched *s);

#endif
