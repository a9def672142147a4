/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the end-to-end test's VMM (e2e_vmm.c), its guest code (tests/vm/guest/errata_loop.S)
 * and its observer (e2e_observer.bpf.c) share: the guest-physical layout, the per-vCPU
 * scratch page and the observer's per-task record. Included by BPF (after vmlinux.h) and
 * by user space; the guest code hard-codes the offsets and the VMM asserts them.
 */
#ifndef E2E_GUEST_H
#define E2E_GUEST_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/*
 * Guest-physical memory, all below 1 MiB so real-mode segment:offset reaches everything
 * with ordinary selectors (selector = address >> 4); the arm64 guest uses the same layout:
 *   [0, E2E_RAM_SIZE)         anonymous guest RAM: code page, one scratch page per vCPU
 *   [E2E_SHM_GPA, +file size) the scx_errata shared file (header page, then the slots)
 */
#define E2E_CODE_GPA		0x1000u
#define E2E_CODE_MAX		0x1000u		/* the guest code must fit one page */
#define E2E_SCRATCH_GPA		0x10000u	/* scratch page of vCPU i at + i * 4 KiB */
#define E2E_MAX_VCPUS		16u		/* scratch pages up to E2E_RAM_SIZE */
#define E2E_RAM_SIZE		0x20000u
#define E2E_SHM_GPA		E2E_RAM_SIZE
#define E2E_PAGE		4096u

/* observer's per-CPU type table size; CPUs at or above it are type 0 */
#define E2E_MAX_CPUS		64u

/* e2e_scratch.ctl bits, read by the guest once per window */
#define E2E_CTL_NEVER_CLEAR	(1u << 0)	/* stay inside the first window forever */
#define E2E_CTL_HALT		(1u << 1)	/* execute HLT inside the next window */
#define E2E_CTL_GO		(1u << 2)	/* measurement started (hostile.S waits for it) */

/* OUT to these ports (arm64: byte stores into the MMIO exit page): the vCPU thread blocks for a moment (or yields), in/out of a window */
#define E2E_PORT_BLOCK_IN	0xe0
#define E2E_PORT_BLOCK_OUT	0xe1

/*
 * tests/vm/guest/fence_loop.S with fence_exits set: OUT to these ports asks the VMM to open
 * and close the window for it (the exit-based fences that e2e_vmm --fence compares with
 * the guest's own two stores)
 */
#define E2E_PORT_FENCE_ENTER	0xe2
#define E2E_PORT_FENCE_LEAVE	0xe3

/* arm64: a store here stands for x86's HLT (a WFI is handled inside KVM, never an exit) */
#define E2E_PORT_HALT		0xf4

#define E2E_SEEN_NONE		0xffffffffu	/* seen: cur_type not read in this window yet */

/*
 * One per vCPU, at the start of its scratch page. The guest writes seen and windows; the VMM
 * writes the rest before (spin counts) or while (ctl) the vCPU runs.
 */
struct e2e_scratch {
	__u32	seen;		/* 0: cur_type the guest read in the current window */
	__u32	windows;	/* 4: windows completed (flag cleared again) */
	__u32	spin_in;	/* 8: loop iterations inside a window */
	__u32	spin_out;	/* 12: loop iterations between windows */
	__u32	ctl;		/* 16: E2E_CTL_* */
	__u32	block_in_every;	/* 20: block inside every Nth window (0: never) */
	__u32	block_in_left;	/* 24: guest's count-down, starts at block_in_every */
	__u32	block_out_every; /* 28: block between windows every Nth time (0: never) */
	__u32	block_out_left;	/* 32: guest's count-down */
	__u32	shm_size;	/* 36: bytes of the shared file (hostile.S writes all of them) */
	__u32	fence_exits;	/* 40: fence_loop.S: windows through port exits, not stores */
	__u32	reserved[5];
};

#ifdef __bpf__
#define E2E_UPTR(type, name)	type __attribute__((btf_type_tag("uptr"))) *name
#else
#define E2E_UPTR(type, name)	type *name
#endif

/* e2e_task.kind */
#define E2E_KIND_VCPU		1	/* a vCPU thread: slot and scratch are set */
#define E2E_KIND_LOAD		2	/* a competing load thread: only migrations are counted */

/*
 * The observer's task-storage value, registered by the VMM with bpf_map_update_elem(pidfd).
 * slot and scratch point into the VMM's own mappings; the fields after idx are the
 * observer's and must be zero on registration.
 */
struct e2e_task {
	E2E_UPTR(struct scxe_slot, slot);
	E2E_UPTR(struct e2e_scratch, scratch);
	__u32	kind;		/* E2E_KIND_* */
	__u32	idx;		/* vCPU or load thread index */
	/* observer-private */
	__s32	out_cpu;	/* CPU of the last switch-out */
	__u32	out_flag;	/* in_errata was non-zero at that switch-out */
	__u32	pending;	/* a switch-out waits for its switch-in */
	__u32	out_armed;	/* slot->armed was non-zero at that switch-out */
};

/* Observer counters (its .bss), read by the VMM at the end of the run. */
struct e2e_counts {
	__u64	switchouts;		/* vCPU switch-outs */
	__u64	fenced_switchouts;	/* ... with in_errata != 0 */
	__u64	fenced_preempted;	/* ... of which preemptions (still runnable) */
	__u64	violations;		/* switch-in on another type/CPU after a fenced one */
	__u64	fenced_stays;		/* switch-in on the same type/CPU after a fenced one */
	__u64	unfenced_cross_type_moves;	/* type change after an unflagged switch-out */
	__u64	cur_type_mismatches;	/* at switch-in: slot->cur_type != type(cpu) */
	__u64	seen_mismatches;	/* at a fenced switch-out: guest's read != type(cpu) */
	__u64	load_switchins;		/* load threads switched in */
	__u64	load_cross_type_moves;	/* load threads moved across types */
	__u64	load_cpu_mask;		/* CPUs (< 64) a load thread ran on */
	__u64	armed_fenced_switchouts;	/* fenced switch-outs with slot->armed != 0 */
	__u64	armed_violations;	/* violations whose switch-out had slot->armed != 0 */
};

#endif /* E2E_GUEST_H */
