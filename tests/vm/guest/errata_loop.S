/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of the end-to-end fence test (tests/vm/progs/e2e_vmm.c): 16-bit real mode, no
 * stack, no interrupts. The VMM points the segments at this vCPU's data:
 *   DS = its struct scxe_slot in the scx_errata shared file (include/scx_errata_abi.h)
 *   ES = its struct e2e_scratch page in guest RAM (tests/vm/progs/e2e_guest.h)
 * The offsets below are the ones of those structs; e2e_vmm.c asserts them with offsetof.
 *
 * Loop forever:
 *   scratch.seen = NONE; slot.in_errata = 1; scratch.seen = slot.cur_type;
 *   [every block_in_every windows: exit to the VMM, whose thread blocks or yields]
 *   spin spin_in times; slot.in_errata = 0; scratch.windows++;
 *   [every block_out_every gaps: the same, between windows]
 *   spin spin_out times.
 * These exits make the vCPU thread block and wake up (or yield) like a real one does on HLT
 * or I/O, inside and outside windows, so the host's wake-up and yield placement are tested
 * as well as preemption.
 * Every store is a single aligned 32-bit store, as the ABI asks of a guest.
 */
#include "errata_loop.h"

/* busy-wait for the 32-bit count in scratch at \off; 0 means no wait */
.macro	spin off, label
	movl	%es:\off, %ecx
	testl	%ecx, %ecx
	jz	\label\()_done
\label:
	decl	%ecx
	jnz	\label
\label\()_done:
.endm

/* every \every-th time (count-down in \left; 0 = never), ask the VMM to block */
.macro	maybe_block every, left, port, label
	decl	%es:\left
	jnz	\label
	movl	%es:\every, %eax
	movl	%eax, %es:\left
	outb	%al, $\port
\label:
.endm

	.code16
	.text
	.globl	_start
_start:
window:
	/* a flagged switch-out before the read below must not look like a wrong read */
	movl	$SEEN_NONE, %es:SCR_SEEN
	movl	$1, %ds:SLOT_IN_ERRATA
	/* the type this window now stays on (while the host keeps the slot armed) */
	movl	%ds:SLOT_CUR_TYPE, %eax
	movl	%eax, %es:SCR_SEEN

	/* the VMM wants this vCPU thread to exit while inside a window */
	testl	$CTL_HALT, %es:SCR_CTL
	jz	inside_once
	hlt
	jmp	window

inside_once:
	maybe_block SCR_BLOCK_IN_EVERY, SCR_BLOCK_IN_LEFT, PORT_BLOCK_IN, no_block_in
inside:
	spin	SCR_SPIN_IN, spin_in
	/* max-hold test: a guest that never leaves its window */
	testl	$CTL_NEVER_CLEAR, %es:SCR_CTL
	jnz	inside

	movl	$0, %ds:SLOT_IN_ERRATA
	incl	%es:SCR_WINDOWS
	maybe_block SCR_BLOCK_OUT_EVERY, SCR_BLOCK_OUT_LEFT, PORT_BLOCK_OUT, no_block_out
	spin	SCR_SPIN_OUT, spin_out
	jmp	window
