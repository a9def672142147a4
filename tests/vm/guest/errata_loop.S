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
 *   spin spin_in times; slot.in_errata = 0; scratch.windows++; spin spin_out times.
 * Every store is a single aligned 32-bit store, as the ABI asks of a guest.
 */
#define SLOT_IN_ERRATA		0	/* scxe_slot.in_errata */
#define SLOT_CUR_TYPE		20	/* scxe_slot.cur_type */

#define SCR_SEEN		0	/* e2e_scratch.seen */
#define SCR_WINDOWS		4	/* e2e_scratch.windows */
#define SCR_SPIN_IN		8	/* e2e_scratch.spin_in */
#define SCR_SPIN_OUT		12	/* e2e_scratch.spin_out */
#define SCR_CTL			16	/* e2e_scratch.ctl */

#define CTL_NEVER_CLEAR		1	/* E2E_CTL_NEVER_CLEAR */
#define CTL_HALT		2	/* E2E_CTL_HALT */

#define SEEN_NONE		0xffffffff	/* E2E_SEEN_NONE */

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
	jz	inside
	hlt
	jmp	window

inside:
	spin	SCR_SPIN_IN, spin_in
	/* max-hold test: a guest that never leaves its window */
	testl	$CTL_NEVER_CLEAR, %es:SCR_CTL
	jnz	inside

	movl	$0, %ds:SLOT_IN_ERRATA
	incl	%es:SCR_WINDOWS
	spin	SCR_SPIN_OUT, spin_out
	jmp	window
