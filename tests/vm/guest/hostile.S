/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hostile guest for the reliability suite (tests/vm/cases/hostile_guest.sh), run by the
 * test VMM (tests/vm/progs/e2e_vmm.c --guest /scxe/guest/hostile.bin): 16-bit real mode,
 * no stack, no interrupts, never exits to the VMM.
 *
 * It writes pseudo-random 32-bit values over every byte of its VM's scx_errata shared file
 * (header page, its own slot, the other vCPUs' slots), as fast as the vCPU runs, forever.
 * Most values are random (in_errata mostly non-zero, window_seq new on nearly every pass);
 * one in eight is 0 and one in 256 all ones, so flags flip and counters wrap too. What the
 * host must show: its other VMs and its own tasks are unaffected, and this guest's vCPU
 * threads are held no longer than max_hold per window and hold_budget_pct overall.
 *
 * It starts once the VMM sets E2E_CTL_GO (after the daemon registered its vCPUs); until then
 * it spins, so the CPU load is the same before and after.
 *
 * Segments as errata_loop.S gets them: ES = this vCPU's e2e_scratch page (the VMM writes
 * shm_size there; the pass count goes to windows). FS is loaded here with the file's
 * guest-physical address (E2E_SHM_GPA = 0x20000, selector 0x2000).
 */
#define SCR_WINDOWS		4	/* e2e_scratch.windows: passes over the file */
#define SCR_CTL			16	/* e2e_scratch.ctl */
#define CTL_GO			4	/* E2E_CTL_GO: the VMM says the measurement started */
#define SCR_SHM_SIZE		36	/* e2e_scratch.shm_size */
#define SHM_SELECTOR		0x2000	/* E2E_SHM_GPA >> 4 */

	.code16
	.text
	.globl	_start
_start:
	/*
	 * Spin (as busy as the attack) until the VMM says go: a page scribbled before the
	 * daemon paired it is refused as not ours, and the attack would never be paired.
	 */
	testl	$CTL_GO, %es:SCR_CTL
	jz	_start
	movw	$SHM_SELECTOR, %ax
	movw	%ax, %fs
	/* a different sequence per vCPU and run */
	rdtsc
	orl	$1, %eax
	movl	%eax, %ebx

pass:
	xorw	%di, %di
	movl	%es:SCR_SHM_SIZE, %ecx
	shrl	$2, %ecx
	jz	pass
word:
	/* xorshift32 */
	movl	%ebx, %eax
	shll	$13, %eax
	xorl	%eax, %ebx
	movl	%ebx, %eax
	shrl	$17, %eax
	xorl	%eax, %ebx
	movl	%ebx, %eax
	shll	$5, %eax
	xorl	%eax, %ebx

	movl	%ebx, %eax
	testb	$7, %bl
	jnz	1f
	xorl	%eax, %eax		/* one in eight: zero */
1:	cmpb	$1, %bl
	jne	2f
	movl	$0xffffffff, %eax	/* one in 256: all ones */
2:	movl	%eax, %fs:(%di)
	addw	$4, %di
	decl	%ecx
	jnz	word
	incl	%es:SCR_WINDOWS
	jmp	pass
