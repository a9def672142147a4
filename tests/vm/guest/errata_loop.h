/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the errata loop guests (errata_loop.S for x86, errata_loop_arm64.S) share with
 * tests/vm/progs/e2e_vmm.c: the offsets of the structs they write and the exits they ask for.
 * e2e_vmm.c asserts them with offsetof. A port is an x86 I/O port, on arm64 a byte offset in
 * the VMM's MMIO exit page.
 */
#ifndef ERRATA_LOOP_H
#define ERRATA_LOOP_H

#define SLOT_IN_ERRATA		0	/* scxe_slot.in_errata */
#define SLOT_CUR_TYPE		20	/* scxe_slot.cur_type */

#define SCR_SEEN		0	/* e2e_scratch.seen */
#define SCR_WINDOWS		4	/* e2e_scratch.windows */
#define SCR_SPIN_IN		8	/* e2e_scratch.spin_in */
#define SCR_SPIN_OUT		12	/* e2e_scratch.spin_out */
#define SCR_CTL			16	/* e2e_scratch.ctl */
#define SCR_BLOCK_IN_EVERY	20	/* e2e_scratch.block_in_every */
#define SCR_BLOCK_IN_LEFT	24	/* e2e_scratch.block_in_left */
#define SCR_BLOCK_OUT_EVERY	28	/* e2e_scratch.block_out_every */
#define SCR_BLOCK_OUT_LEFT	32	/* e2e_scratch.block_out_left */

#define PORT_BLOCK_IN		0xe0	/* E2E_PORT_BLOCK_IN: block, inside a window */
#define PORT_BLOCK_OUT		0xe1	/* E2E_PORT_BLOCK_OUT: block, between windows */

#define CTL_NEVER_CLEAR		1	/* E2E_CTL_NEVER_CLEAR */
#define CTL_HALT		2	/* E2E_CTL_HALT */

#define SEEN_NONE		0xffffffff	/* E2E_SEEN_NONE */
#define PORT_HALT		0xf4	/* E2E_PORT_HALT (arm64: its WFI never reaches the VMM) */

#endif /* ERRATA_LOOP_H */
