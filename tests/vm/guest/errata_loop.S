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
 *   [every sleep_in_every windows: exit to the VMM, whose thread sleeps]
 *   spin spin_in times; slot.in_errata = 0; scratch.windows++;
 *   [every sleep_out_every windows: exit to the VMM, whose thread sleeps]
 *   spin spin_out times.
 * The sleeps make the vCPU thread block and wake up like a real one (HLT, I/O), inside and
 * outside windows, so the host's wake-up placement is tested as well as preemption.
 * Every store is a single aligned 32-bit store, as the ABI asks of a guest.
 */
#define SLOT_IN_ERRATA		0	/* scxe_slot.in_errata */
#define SLOT_CUR_TYPE		20	/* scxe_slot.cur_type */

#define SCR_SEEN		0	/* e2e_scratch.seen */
#define SCR_WINDOWS		4	/* e2e_scratch.windows */
#define SCR_SPIN_IN		8	/* e2e_scratch.spin_in */
#define SCR_SPIN_OUT		12	/* e2e_scratch.spin_out */
#define SCR_CTL			16	/* e2e_scratch.ctl */
#define SCR_SLEEP_IN_EVERY	20	/* e2e_scratch.sleep_in_every */
#define SCR_SLEEP_IN_LEFT	24	/* e2e_scratch.sleep_in_left */
#define SCR_SLEEP_OUT_EVERY	28	/* e2e_scratch.sleep_out_every */
#define SCR_SLEEP_OUT_LEFT	32	/* e2e_scratch.sleep_out_left */

#define PORT_SLEEP		0xe0	/* E2E_PORT_SLEEP: the VMM thread sleeps a moment */

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

/* every \every-th time (count-down in \left; 0 = never), ask the VMM to sleep */
.macro	maybe_sleep every, left, label
	decl	%es:\left
	jnz	\label
	movl	%es:\every, %eax
	movl	%eax, %es:\left
	outb	%al, $PORT_SLEEP
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
	maybe_sleep SCR_SLEEP_IN_EVERY, SCR_SLEEP_IN_LEFT, no_sleep_in
inside:
	spin	SCR_SPIN_IN, spin_in
	/* max-hold test: a guest that never leaves its window */
	testl	$CTL_NEVER_CLEAR, %es:SCR_CTL
	jnz	inside

	movl	$0, %ds:SLOT_IN_ERRATA
	incl	%es:SCR_WINDOWS
	maybe_sleep SCR_SLEEP_OUT_EVERY, SCR_SLEEP_OUT_LEFT, no_sleep_out
	spin	SCR_SPIN_OUT, spin_out
	jmp	window
