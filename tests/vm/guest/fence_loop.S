/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of the fence-cost benchmark (e2e_vmm --fence): 16-bit real mode, set up by the
 * VMM exactly like errata_loop.S (DS = this vCPU's struct scxe_slot, ES = its struct
 * e2e_scratch; e2e_vmm.c asserts the offsets). Windows back to back with a body of two
 * instructions, so that a window costs what its fence costs:
 *
 *   scratch.fence_exits == 0   the ABI's fence: in_errata = 1, window_seq++, ... in_errata = 0
 *   scratch.fence_exits != 0   OUT to PORT_FENCE_ENTER and PORT_FENCE_LEAVE: the VMM opens
 *                              and closes the window itself (or pins its thread) on each exit
 *
 * The choice is read once: a test in the loop would be part of what the store fence costs.
 * Both loops have the same body (read cur_type, leave it where the observer checks it) and
 * the same bookkeeping (seen reset before the window, windows counted after it).
 */
#define SLOT_IN_ERRATA		0	/* scxe_slot.in_errata */
#define SLOT_WINDOW_SEQ		8	/* scxe_slot.window_seq */
#define SLOT_CUR_TYPE		20	/* scxe_slot.cur_type */

#define SCR_SEEN		0	/* e2e_scratch.seen */
#define SCR_WINDOWS		4	/* e2e_scratch.windows */
#define SCR_FENCE_EXITS		40	/* e2e_scratch.fence_exits */

#define PORT_FENCE_ENTER	0xe2	/* E2E_PORT_FENCE_ENTER */
#define PORT_FENCE_LEAVE	0xe3	/* E2E_PORT_FENCE_LEAVE */

#define SEEN_NONE		0xffffffff	/* E2E_SEEN_NONE */

	.code16
	.text
	.globl	_start
_start:
	testl	$0xffffffff, %es:SCR_FENCE_EXITS
	jnz	exit_window

store_window:
	/* a switch-out before the read below must not look like a wrong read */
	movl	$SEEN_NONE, %es:SCR_SEEN
	movl	$1, %ds:SLOT_IN_ERRATA
	incl	%ds:SLOT_WINDOW_SEQ
	movl	%ds:SLOT_CUR_TYPE, %eax
	movl	%eax, %es:SCR_SEEN
	movl	$0, %ds:SLOT_IN_ERRATA
	incl	%es:SCR_WINDOWS
	jmp	store_window

exit_window:
	movl	$SEEN_NONE, %es:SCR_SEEN
	outb	%al, $PORT_FENCE_ENTER
	movl	%ds:SLOT_CUR_TYPE, %eax
	movl	%eax, %es:SCR_SEEN
	outb	%al, $PORT_FENCE_LEAVE
	incl	%es:SCR_WINDOWS
	jmp	exit_window
