/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_errata guest-visible shared-page ABI, version 1.
 *
 * One file per VM (tmpfs or memfd, e.g. /dev/shm/scx_errata.<vm>), mapped read/write by the
 * host daemon and by the VMM as guest memory (QEMU ivshmem-plain BAR2, Cloud Hypervisor
 * --ivshmem, crosvm file-backed mapping, or any KVM memslot). Layout:
 *
 *   offset 0          struct scxe_shm_hdr   (one 4 KiB page, host-written)
 *   offset slot_off   struct scxe_slot[nr_slots]  (64 bytes each, never crossing a page)
 *
 * All fields are little-endian and naturally aligned; 32-bit fields are written with single
 * aligned stores, so a reader never sees a torn value. The header's knowledge tables are
 * guarded by `seq` (odd while the host rewrites them): read seq, copy, read seq again, retry
 * if it changed or was odd.
 *
 * Guest protocol for an errata window (two stores, no exit):
 *     slot->in_errata = 1;                   // or ++ for nesting; any non-zero value
 *     type = slot->cur_type;                 // the type this window stays on while armed
 *     ... errata-sensitive code chosen for `type` ...
 *     slot->in_errata = 0;
 * Guarantee: while hdr->fence_live != 0 and slot->armed != 0, after the store of a non-zero
 * in_errata the vCPU thread only runs on host CPUs of type slot->cur_type (mode SAME_TYPE)
 * or on host CPU slot->cur_cpu (mode SAME_CPU), until in_errata is 0 again or the window is
 * older than max_hold_us (then the host counts an expired hold and lets it move), or the
 * vCPU has used its hold budget (hold_budget_pct of wall time, counted in budget_releases;
 * a guest cannot renew it by bumping window_seq). The only
 * exceptions are the ones the host cannot avoid: the host admin changes the thread's affinity
 * or offlines every CPU of the type; each one is counted in forced_moves.
 * Without that guarantee (armed == 0, fence_live == 0, magic or version unknown) the guest
 * must treat the errata of every present type as applying.
 *
 * Who writes armed: only the host scheduler (BPF), never the daemon. It sets armed once the
 * vCPU thread has run under it (so it can hold the thread from then on) and clears it, and
 * fence_live, the moment it stops governing the thread: the thread exits or leaves the
 * scheduler, the daemon that loaded an unpinned scheduler dies, or the kernel begins to
 * disable the scheduler (unload, error), before it stops enforcing. A guest therefore
 * re-reads armed after setting in_errata; docs/abi.md gives the measured bounds.
 *
 * Ordering: the window starts at the store to in_errata; any migration happens through a
 * VM exit, which makes the store visible before the host decides. On x86 and arm64 a
 * compiler barrier between the store and the load of cur_type is enough.
 */
#ifndef SCX_ERRATA_ABI_H
#define SCX_ERRATA_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define SCXE_ABI_MAGIC		0x45584353u	/* "SCXE" in memory order */
#define SCXE_ABI_VERSION	1u
#define SCXE_ABI_HDR_SIZE	4096u
#define SCXE_ABI_SLOT_SIZE	64u
#define SCXE_ABI_MAX_SLOTS	1024u
#define SCXE_ABI_MAX_TYPES	8u
#define SCXE_ABI_MAX_ERRATA	80u
#define SCXE_ABI_NAME_LEN	24u
#define SCXE_ABI_ID_LEN		16u

/* hdr->mode */
enum scxe_mode {
	SCXE_MODE_SAME_TYPE	= 1,	/* stay on CPUs of the type the window started on */
	SCXE_MODE_SAME_CPU	= 2,	/* stay on the CPU the window started on */
};

/* scxe_abi_type.arch */
enum scxe_arch {
	SCXE_ARCH_UNKNOWN	= 0,
	SCXE_ARCH_ARM64		= 1,
	SCXE_ARCH_X86		= 2,
};

/* scxe_abi_type.core_kind: what the host knows of the core's role */
enum scxe_core_kind {
	SCXE_CORE_UNKNOWN	= 0,
	SCXE_CORE_BIG		= 1,	/* performance core (Intel P, Arm big/prime) */
	SCXE_CORE_LITTLE	= 2,	/* efficiency core (Intel E/Atom, Arm LITTLE) */
	SCXE_CORE_MID		= 3,	/* middle cores of a three-type Arm cluster */
	SCXE_CORE_UNIFORM	= 4,	/* the only type of a non-hybrid machine */
};

/* scxe_abi_erratum.class */
enum scxe_errata_class {
	SCXE_CLASS_CPU		= 1,
	SCXE_CLASS_TIMER	= 2,
};

/* scxe_abi_erratum.management (the errata method's terms) */
enum scxe_errata_mgmt {
	SCXE_MGMT_STATIC	= 1,	/* handle wherever present in the system, on every core */
	SCXE_MGMT_DYNAMIC	= 2,	/* decide per core type at run time, inside a window */
};

/* scxe_abi_erratum.source */
enum scxe_errata_source {
	SCXE_SRC_CPU_TYPE	= 1,	/* matched from a core's identity (MIDR/REVIDR, CPUID) */
	SCXE_SRC_DEVICETREE	= 2,	/* arch timer node property */
	SCXE_SRC_ACPI		= 3,	/* ACPI GTDT OEM id / table id / revision */
};

/*
 * One host CPU type: the identity that decides errata. 64 bytes. The split identity fields
 * use the arm64 names; on x86 vendor is 1 (Intel) or 2 (AMD), part the family, variant the
 * model and revision the stepping.
 */
struct scxe_abi_type {
	char	name[SCXE_ABI_NAME_LEN];	/* "Cortex-A76", "Intel P-core", or raw ids */
	__u8	arch;				/* enum scxe_arch */
	__u8	core_kind;			/* enum scxe_core_kind */
	__u16	nr_cpus;			/* host CPUs of this type */
	__u32	capacity;			/* cpu_capacity (arm64) or 1024 */
	__u64	midr;				/* arm64 MIDR_EL1; x86: CPUID.1.EAX signature */
	__u64	revidr;				/* arm64 REVIDR_EL1; x86: 0 */
	__u32	vendor;				/* arm64 implementer; x86 1 Intel, 2 AMD */
	__u16	part;				/* arm64 part number; x86 family */
	__u8	variant;			/* arm64 variant; x86 model */
	__u8	revision;			/* arm64 revision; x86 stepping */
	__u64	reserved;
};

/* One erratum present on this host. 32 bytes. */
struct scxe_abi_erratum {
	char	id[SCXE_ABI_ID_LEN];		/* as published: "1530923", "a008585" */
	__u32	type_mask;			/* bit i: applies to type i; all types for SoC-wide */
	__u8	class;				/* enum scxe_errata_class */
	__u8	management;			/* enum scxe_errata_mgmt */
	__u8	source;				/* enum scxe_errata_source */
	__u8	reserved0;
	__u32	db_index;			/* line of the entry in the host's errata db */
	__u32	reserved1;
};

/* The header page. Host-written; the guest only reads it. */
struct scxe_shm_hdr {
	__u32	magic;			/* SCXE_ABI_MAGIC */
	__u32	version;		/* SCXE_ABI_VERSION; a guest rejects an unknown major */
	__u32	hdr_size;		/* SCXE_ABI_HDR_SIZE */
	__u32	total_size;		/* size of the file/region in bytes */
	__u32	nr_slots;		/* vCPU slots, indexed by the VMM's vCPU index */
	__u32	slot_size;		/* SCXE_ABI_SLOT_SIZE */
	__u32	slot_offset;		/* byte offset of slot 0 (page aligned) */
	__u32	seq;			/* seqlock over everything below; odd = being written */
	__u32	fence_live;		/* non-zero: a host scheduler is enforcing armed slots */
	__u32	mode;			/* enum scxe_mode */
	__u32	max_hold_us;		/* window length after which a hold expires; 0 = none */
	__u32	reserved1;		/* 0 (was the daemon's pid: no guest needs it) */
	__u32	nr_types;
	__u32	nr_errata;		/* entries used in errata[] (CPU and timer) */
	__u32	knowledge_flags;	/* SCXE_KF_* */
	__u32	hold_budget_pct;	/* share of wall time a vCPU may be held, 1..100 */
	struct scxe_abi_type		types[SCXE_ABI_MAX_TYPES];
	struct scxe_abi_erratum		errata[SCXE_ABI_MAX_ERRATA];
};

/* hdr->knowledge_flags */
#define SCXE_KF_TYPES_VALID	(1u << 0)	/* types[] describe this host */
#define SCXE_KF_ERRATA_VALID	(1u << 1)	/* errata[] were matched against a db */
#define SCXE_KF_ERRATA_TRUNC	(1u << 2)	/* more errata than errata[] holds */

/* One vCPU. 64 bytes; slot_offset is page aligned, so a slot never crosses a page. */
struct scxe_slot {
	/* guest-written */
	__u32	in_errata;	/* non-zero: inside an errata window (nesting depth allowed) */
	__u32	erratum;	/* optional: index+1 into hdr->errata of the erratum handled */
	__u32	window_seq;	/* optional: bumped on each outermost entry; restarts the hold */
	__u32	guest_reserved;
	/* host-written */
	__u32	armed;		/* non-zero: the host honours this slot */
	__u32	cur_type;	/* type index of the host CPU the vCPU thread runs on now */
	__u32	cur_cpu;	/* host CPU number the vCPU thread runs on now */
	__u32	run_seq;	/* bumped each time the vCPU thread starts running */
	__u64	arch_id;	/* the vCPU's APIC id (x86) or MPIDR (arm64) */
	__u32	fenced_switchouts;	/* times descheduled while in a window */
	__u32	forced_moves;	/* windows moved off their type because nothing else could run it */
	__u32	expired_holds;	/* windows released after max_hold_us */
	__u32	reserved1;	/* 0 (was the host thread id: no guest needs it) */
	__u32	windows;	/* windows the host saw begin while armed */
	__u32	budget_releases; /* windows released early: the vCPU's hold budget ran out */
};

#define SCXE_ABI_TYPE_NONE	0xffffffffu	/* cur_type before the first run */

#ifndef __bpf__
_Static_assert(sizeof(struct scxe_abi_type) == 64, "scxe_abi_type is 64 bytes");
_Static_assert(sizeof(struct scxe_abi_erratum) == 32, "scxe_abi_erratum is 32 bytes");
_Static_assert(sizeof(struct scxe_shm_hdr) <= SCXE_ABI_HDR_SIZE, "header fits a page");
_Static_assert(sizeof(struct scxe_slot) == SCXE_ABI_SLOT_SIZE, "slot is 64 bytes");
#endif

/* Size of a file for n slots, rounded to whole pages. */
#define SCXE_ABI_FILE_SIZE(n) \
	(SCXE_ABI_HDR_SIZE + ((((n) * SCXE_ABI_SLOT_SIZE) + 4095u) & ~4095u))

#endif /* SCX_ERRATA_ABI_H */
