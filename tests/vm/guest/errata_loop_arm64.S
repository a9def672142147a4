/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of the end-to-end fence test on arm64 (tests/vm/progs/e2e_vmm.c): the loop of
 * errata_loop.S, at EL1 with the MMU off, no stack, interrupts masked (KVM's reset state).
 * The VMM sets, like the x86 segments:
 *   x0 = its struct scxe_slot in the scx_errata shared file (include/scx_errata_abi.h)
 *   x1 = its struct e2e_scratch page in guest RAM (tests/vm/progs/e2e_guest.h)
 *   x2 = the VMM's MMIO exit page (no memslot): a byte store at PORT_x is an exit to it
 * The offsets are those of errata_loop.h, which e2e_vmm.c asserts with offsetof.
 *
 * With the MMU off every access is Device memory: it must be aligned, hence byte stores for
 * the exits (the ports are odd), like the x86 guest's outb. Those are plain STRB without
 * writeback, so the data abort carries a valid syndrome and KVM reports KVM_EXIT_MMIO.
 * Every store to the slot and scratch is a single aligned 32-bit store, as the ABI asks.
 */
#include "errata_loop.h"

/* busy-wait for the 32-bit count in scratch at \off; 0 means no wait */
.macro	spin off, label
	ldr	w4, [x1, #\off]
	cbz	w4, \label\()_done
\label:
	subs	w4, w4, #1
	b.ne	\label
\label\()_done:
.endm

/* every \every-th time (count-down in \left; 0 = never), ask the VMM to block */
.macro	maybe_block every, left, port, label
	ldr	w4, [x1, #\left]
	subs	w4, w4, #1
	str	w4, [x1, #\left]
	b.ne	\label
	ldr	w4, [x1, #\every]
	str	w4, [x1, #\left]
	strb	w4, [x2, #\port]
\label:
.endm

	.text
	.globl	_start
_start:
window:
	/* a flagged switch-out before the read below must not look like a wrong read */
	mov	w3, #SEEN_NONE
	str	w3, [x1, #SCR_SEEN]
	mov	w3, #1
	str	w3, [x0, #SLOT_IN_ERRATA]
	/* the type this window now stays on (while the host keeps the slot armed) */
	ldr	w3, [x0, #SLOT_CUR_TYPE]
	str	w3, [x1, #SCR_SEEN]

	/* the VMM wants this vCPU thread to exit while inside a window */
	ldr	w3, [x1, #SCR_CTL]
	tst	w3, #CTL_HALT
	b.eq	inside_once
	strb	wzr, [x2, #PORT_HALT]
	b	window

inside_once:
	maybe_block SCR_BLOCK_IN_EVERY, SCR_BLOCK_IN_LEFT, PORT_BLOCK_IN, no_block_in
inside:
	spin	SCR_SPIN_IN, spin_in
	/* max-hold test: a guest that never leaves its window */
	ldr	w3, [x1, #SCR_CTL]
	tst	w3, #CTL_NEVER_CLEAR
	b.ne	inside

	str	wzr, [x0, #SLOT_IN_ERRATA]
	ldr	w3, [x1, #SCR_WINDOWS]
	add	w3, w3, #1
	str	w3, [x1, #SCR_WINDOWS]
	maybe_block SCR_BLOCK_OUT_EVERY, SCR_BLOCK_OUT_LEFT, PORT_BLOCK_OUT, no_block_out
	spin	SCR_SPIN_OUT, spin_out
	b	window
