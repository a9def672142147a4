/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny freestanding guest for a real VMM (QEMU with ivshmem-plain): the qemu_real VM test
 * (tests/vm/cases/qemu_real.sh) boots it with `-kernel` as a Multiboot v1 image. It finds
 * the ivshmem device through PCI configuration space, waits until the scx_errata daemon has
 * laid out the shared file behind BAR2, then enters and leaves errata windows in slot 0
 * forever, checking what the host promises, and reports its own counts on the debugcon
 * port (0xe9), one line every LINE_EVERY windows:
 *
 *   G windows=N armed_windows=N mismatches=N changes=N halts=N
 *
 * Each window: in_errata = 1; read armed (and fence_live), then cur_type; halt until the
 * APIC timer fires (see HALT_IN_EVERY); spin; read cur_type and armed again; in_errata = 0.
 * Between windows it spins and sometimes halts too. Before any window it says "G start",
 * then names the device and the BAR and waits for the host ("... waiting for the host's
 * layout"), then confirms the layout.
 *
 * windows: windows completed; armed_windows: windows in which slot0.armed (and the header's
 * fence_live) read non-zero after in_errata was set; changes: windows in which cur_type
 * changed between the start and the end; mismatches: those of them that were armed at the
 * start and still armed at the end, i.e. broken promises (must stay 0). Lines that begin
 * with "G error:" end the guest (it halts for good): no device, BAR2 above 4 GiB or
 * unassigned, a foreign header, another ABI version, a CPU exception.
 *
 * Built as a flat binary of .text alone (the Makefile: objcopy -O binary -j .text) and never
 * linked, so no instruction may need a relocation: absolute addresses are written as
 * LOAD_ADDR + (label - _start), which the assembler resolves itself. Data lives in .text
 * too (paging is off, nothing is write-protected). The Multiboot a.out kludge tells the
 * loader where this file goes and where to enter, so it needs no ELF headers.
 *
 * The ABI offsets are hard-coded (include/scx_errata_abi.h has C types and cannot be
 * included here); tests/vm/progs/e2e_vmm.c asserts them with offsetof.
 */

/* include/scx_errata_abi.h */
#define ABI_MAGIC		0x45584353	/* SCXE_ABI_MAGIC */
#define ABI_VERSION		1		/* SCXE_ABI_VERSION */
#define HDR_MAGIC		0x00		/* scxe_shm_hdr.magic */
#define HDR_VERSION		0x04		/* scxe_shm_hdr.version */
#define HDR_TOTAL_SIZE		0x0c		/* scxe_shm_hdr.total_size */
#define HDR_NR_SLOTS		0x10		/* scxe_shm_hdr.nr_slots */
#define HDR_SLOT_SIZE		0x14		/* scxe_shm_hdr.slot_size */
#define HDR_SLOT_OFFSET		0x18		/* scxe_shm_hdr.slot_offset */
#define HDR_FENCE_LIVE		0x20		/* scxe_shm_hdr.fence_live */
#define SLOT_OFFSET		4096		/* SCXE_ABI_HDR_SIZE: where the daemon puts slot 0 */
#define SLOT_SIZE		64		/* SCXE_ABI_SLOT_SIZE */
#define SLOT_IN_ERRATA		0x00		/* scxe_slot.in_errata */
#define SLOT_ARMED		0x10		/* scxe_slot.armed */
#define SLOT_CUR_TYPE		0x14		/* scxe_slot.cur_type */

/* Multiboot v1 */
#define MB_MAGIC		0x1badb002
#define MB_FLAGS		0x00010000	/* bit 16: load by the header's addresses */
#define LOAD_ADDR		0x100000	/* 1 MiB, above the BIOS areas */
#define STACK_TOP		0x90000		/* conventional RAM, below the EBDA */

/* PCI configuration mechanism #1 */
#define PCI_ADDR_PORT		0xcf8
#define PCI_DATA_PORT		0xcfc
#define PCI_ENABLE		0x80000000
#define IVSHMEM_ID		0x11101af4	/* device 0x1110, vendor 0x1af4 (Red Hat) */
#define PCI_COMMAND		0x04
#define PCI_CMD_MEMORY		0x0002
#define PCI_BAR2		0x18
#define PCI_BAR2_HI		0x1c
#define BAR_IO			0x1		/* bit 0: an I/O BAR */
#define BAR_TYPE_MASK		0x6		/* bits 2:1: 00 32-bit, 10 64-bit */
#define BAR_TYPE_64		0x4

/* legacy PICs, remapped past the exceptions; only IRQ0 (the PIT) is let through */
#define PIC1_CMD		0x20
#define PIC1_DATA		0x21
#define PIC2_CMD		0xa0
#define PIC2_DATA		0xa1
#define PIC_ICW1_INIT		0x11		/* edge triggered, cascade, ICW4 follows */
#define PIC_ICW4_8086		0x01
#define PIC_EOI			0x20
#define VEC_PIC1		0x20		/* IRQ0-7 */
#define VEC_PIC2		0x28		/* IRQ8-15, all masked */

/* PIT channel 0, periodic (mode 2) at 1193182 Hz / 65536 = 18.2 Hz */
#define PIT_CH0			0x40
#define PIT_MODE		0x43
#define PIT_CH0_RATE_LOHI	0x34

/* local APIC (xAPIC MMIO, enabled at reset); KVM's timer counts at 1 GHz */
#define APIC_BASE		0xfee00000
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_ERROR		0x370
#define APIC_TIMER_INIT		0x380
#define APIC_TIMER_DIV		0x3e0
#define APIC_SW_ENABLE		0x100
#define APIC_LVT_MASKED		0x10000
#define APIC_LVT_EXTINT		0x700		/* LINT0 passes the PIC's interrupts through */
#define APIC_DIV_1		0xb

#define VEC_TIMER		0x30
#define VEC_SPURIOUS		0x3f
#define NR_VECTORS		0x40		/* exceptions, then our two vectors and spares */

#define GDT_CODE		0x08
#define GDT_DATA		0x10

#define DEBUGCON_PORT		0xe9
/* the POST/delay port: QEMU ignores writes, but KVM leaves KVM_RUN for QEMU to see them */
#define DELAY_PORT		0x80

/*
 * The loop, tuned under TCG with nested KVM (override with -D to experiment). Like a real
 * guest waiting for an interrupt, the vCPU halts inside every window until its APIC timer
 * fires (one-shot, HALT_NS; longer than KVM's halt polling, so the thread really sleeps and
 * is woken: a fenced switch-out and a wake-up the fence must place), and every
 * HALT_OUT_EVERY gaps between windows (free moves). Every OUT_EVERY windows it also exits
 * to QEMU user space once. Preemption alone would give few fenced switch-outs: the vCPU
 * thread mostly has a CPU to itself.
 *
 * Two ways of halting failed here, both under nested KVM on TCG. Arming the timer with
 * interrupts off and then `sti; hlt` left the vCPU thread asleep for good in 2 of ~20 runs,
 * both while the daemon was starting: the timer write is a VM exit, the vCPU thread could
 * be held up there for a whole period, and then `sti; hlt` ran with the interrupt already
 * pending. With a periodic 1 ms timer instead, a guest once printed nothing for 30 s with
 * its vCPU thread running (each tick costs VM exits that can take that long on a loaded
 * host: ticks alone would then keep it busy). So: one-shot, armed with interrupts on (a
 * tick that fires at the arming exit is taken at once), and halted only after checking,
 * interrupts off, that it has not fired yet.
 *
 * And even so, a host kernel under TCG that patches its code (static keys: sched_ext's
 * enable, a tracepoint switched on) now and then loses the expiry of the vCPU's APIC timer:
 * its hrtimer is gone from /proc/timer_list and the halted vCPU thread sleeps for good (40
 * schedstat+tracepoint toggles did it with no scx_errata at all). So the PIT also ticks at
 * 18.2 Hz and any tick ends a halt: a lost timer costs at most ~55 ms, never the guest.
 */
#ifndef SPIN_IN
#define SPIN_IN			5000
#endif
#ifndef SPIN_OUT
#define SPIN_OUT		5000
#endif
#ifndef HALT_IN_EVERY
#define HALT_IN_EVERY		1
#endif
#ifndef HALT_OUT_EVERY
#define HALT_OUT_EVERY		2
#endif
#ifndef HALT_NS
#define HALT_NS			1000000		/* KVM's APIC timer counts nanoseconds */
#endif
#ifndef OUT_EVERY
#define OUT_EVERY		16
#endif
#ifndef LINE_EVERY
#define LINE_EVERY		128
#endif

/* the absolute address of a label: this file is loaded at LOAD_ADDR */
#define ABS(label)		(LOAD_ADDR + ((label) - _start))

	.code32
	.text
	.globl	_start
_start:
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	ABS(mb_header)		/* header_addr */
	.long	LOAD_ADDR		/* load_addr: the file's first byte */
	.long	0			/* load_end_addr: the whole file */
	.long	0			/* bss_end_addr: none */
	.long	ABS(entry)		/* entry_addr */

entry:
	/*
	 * The loader leaves us in 32-bit protected mode with flat segments, but Multiboot
	 * does not promise the GDT stays valid: use our own before any segment reload
	 * (interrupt delivery reloads CS).
	 */
	cli
	lgdtl	ABS(gdt_ptr)
	ljmpl	$GDT_CODE, $ABS(reloaded)
reloaded:
	movl	$GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	$STACK_TOP, %esp
	cld
	/* how far it got, if it never gets to the next line */
	movl	$ABS(msg_start), %eax
	call	print_str

	call	setup_interrupts
	sti
	call	find_ivshmem
	call	wait_layout

/* ---- the window loop: %esi = header, %edi = slot 0 ---------------------------------- */
window:
	movl	$1, SLOT_IN_ERRATA(%edi)
	/* fenced from here on only if the host says so, read after the store */
	movl	SLOT_ARMED(%edi), %ebx
	cmpl	$0, HDR_FENCE_LIVE(%esi)
	jne	1f
	xorl	%ebx, %ebx
1:
	/* the type this window stays on while armed */
	movl	SLOT_CUR_TYPE(%edi), %edx
	movl	%edx, ABS(win_type)

	decl	ABS(halt_in_left)
	jnz	2f
	movl	$HALT_IN_EVERY, ABS(halt_in_left)
	call	wait_tick
	incl	ABS(n_halts)
2:
	decl	ABS(out_left)
	jnz	3f
	movl	$OUT_EVERY, ABS(out_left)
	outb	%al, $DELAY_PORT
3:
	movl	$SPIN_IN, %ecx
4:	decl	%ecx
	jnz	4b

	movl	SLOT_CUR_TYPE(%edi), %eax
	/* still armed at the end: the host promised the whole window */
	movl	SLOT_ARMED(%edi), %ecx
	cmpl	$0, HDR_FENCE_LIVE(%esi)
	jne	5f
	xorl	%ecx, %ecx
5:
	movl	$0, SLOT_IN_ERRATA(%edi)

	incl	ABS(n_windows)
	testl	%ebx, %ebx
	jz	6f
	incl	ABS(n_armed)
6:
	cmpl	ABS(win_type), %eax
	je	7f
	incl	ABS(n_changes)
	testl	%ebx, %ebx
	jz	7f
	testl	%ecx, %ecx
	jz	7f
	incl	ABS(n_mismatches)
7:
	decl	ABS(line_left)
	jnz	8f
	movl	$LINE_EVERY, ABS(line_left)
	call	print_counts
8:
	decl	ABS(halt_out_left)
	jnz	9f
	movl	$HALT_OUT_EVERY, ABS(halt_out_left)
	call	wait_tick
	incl	ABS(n_halts)
9:
	movl	$SPIN_OUT, %ecx
10:	decl	%ecx
	jnz	10b
	jmp	window

/* ---- PCI: find ivshmem, map BAR2; sets %esi (header) and %edi (slot 0) --------------- */

/* pci_read: %eax = config address (bus/dev/fn/reg) -> %eax = the dword */
pci_read:
	pushl	%edx
	movw	$PCI_ADDR_PORT, %dx
	outl	%eax, %dx
	movw	$PCI_DATA_PORT, %dx
	inl	%dx, %eax
	popl	%edx
	ret

find_ivshmem:
	/* bus 0, function 0 of every device: QEMU puts -device on bus 0 of i440fx */
	xorl	%ebx, %ebx
1:
	movl	%ebx, %eax
	shll	$11, %eax
	orl	$PCI_ENABLE, %eax
	movl	%eax, %ebp		/* this device's config address */
	call	pci_read
	cmpl	$IVSHMEM_ID, %eax
	je	2f
	incl	%ebx
	cmpl	$32, %ebx
	jb	1b
	movl	$ABS(msg_no_dev), %eax
	jmp	fatal
2:
	movl	%ebx, ABS(pci_dev)
	leal	PCI_BAR2(%ebp), %eax
	call	pci_read
	movl	%eax, %esi
	leal	PCI_BAR2_HI(%ebp), %eax
	call	pci_read
	movl	%eax, %ecx		/* high dword, if 64-bit */

	testl	$BAR_IO, %esi
	jnz	bad_bar
	movl	%esi, %eax
	andl	$BAR_TYPE_MASK, %eax
	cmpl	$BAR_TYPE_64, %eax
	je	3f
	xorl	%ecx, %ecx		/* a 32-bit BAR: 0x1c is BAR3, not our high half */
3:
	andl	$0xfffffff0, %esi
	testl	%ecx, %ecx
	jnz	bar_high
	testl	%esi, %esi
	jz	bar_unassigned

	/* the firmware normally enables decoding; a real driver does not rely on it */
	leal	PCI_COMMAND(%ebp), %eax
	call	pci_read
	testl	$PCI_CMD_MEMORY, %eax
	jnz	4f
	orl	$PCI_CMD_MEMORY, %eax
	pushl	%eax
	leal	PCI_COMMAND(%ebp), %eax
	movw	$PCI_ADDR_PORT, %dx
	outl	%eax, %dx
	popl	%eax
	movw	$PCI_DATA_PORT, %dx
	outw	%ax, %dx		/* the status half is write-one-to-clear: leave it */
	movl	$1, ABS(enabled_decode)
4:
	leal	SLOT_OFFSET(%esi), %edi

	movl	$ABS(msg_found), %eax
	call	print_str
	movl	ABS(pci_dev), %eax
	movl	$2, %ecx
	call	print_digits
	movl	$ABS(msg_bar2), %eax
	call	print_str
	movl	%esi, %eax
	call	print_hex
	cmpl	$0, ABS(enabled_decode)
	je	5f
	movl	$ABS(msg_enabled), %eax
	call	print_str
5:
	movl	$ABS(msg_waiting), %eax
	call	print_str
	ret

bad_bar:
	movl	$ABS(msg_bar_io), %eax
	jmp	fatal
bar_high:
	movl	$ABS(msg_bar_high), %eax
	jmp	fatal_val		/* %ecx: the high dword */
bar_unassigned:
	movl	$ABS(msg_bar_zero), %eax
	jmp	fatal

/*
 * The daemon lays out an all-zero file when it pairs the VM (magic written last). Until
 * then nothing in the file may be written: the daemon only lays out a zero header, and the
 * slots are not ours before the layout says where they are. Poll once per timer halt, as a
 * driver would, rather than spin: the vCPU sleeps in the host kernel meanwhile, without a
 * single exit to QEMU.
 */
wait_layout:
1:
	movl	HDR_MAGIC(%esi), %eax
	cmpl	$ABI_MAGIC, %eax
	je	2f
	testl	%eax, %eax
	jnz	bad_magic
	call	wait_tick
	jmp	1b
2:
	movl	HDR_VERSION(%esi), %eax
	cmpl	$ABI_VERSION, %eax
	jne	bad_version
	cmpl	$SLOT_OFFSET, HDR_SLOT_OFFSET(%esi)
	jne	bad_layout
	cmpl	$SLOT_SIZE, HDR_SLOT_SIZE(%esi)
	jne	bad_layout
	cmpl	$0, HDR_NR_SLOTS(%esi)
	je	bad_layout
	cmpl	$(SLOT_OFFSET + SLOT_SIZE), HDR_TOTAL_SIZE(%esi)
	jb	bad_layout

	movl	$ABS(msg_layout), %eax
	call	print_str
	movl	HDR_NR_SLOTS(%esi), %eax
	call	print_dec
	movl	$ABS(msg_size), %eax
	call	print_str
	movl	HDR_TOTAL_SIZE(%esi), %eax
	call	print_dec
	movl	$ABS(msg_live), %eax
	call	print_str
	movl	HDR_FENCE_LIVE(%esi), %eax
	call	print_dec
	movl	$ABS(msg_nl), %eax
	call	print_str
	ret

bad_magic:
	movl	%eax, %ecx
	movl	$ABS(msg_bad_magic), %eax
	jmp	fatal_val
bad_version:
	movl	%eax, %ecx
	movl	$ABS(msg_bad_version), %eax
	jmp	fatal_val
bad_layout:
	movl	$ABS(msg_bad_layout), %eax
	jmp	fatal

/* ---- interrupts: the APIC timer and the PIT, to wake the halts ---------------------- */

setup_interrupts:
	/* the BIOS left the master PIC on vectors 8-15, the exceptions' own: remap both */
	movb	$PIC_ICW1_INIT, %al
	outb	%al, $PIC1_CMD
	outb	%al, $PIC2_CMD
	movb	$VEC_PIC1, %al
	outb	%al, $PIC1_DATA
	movb	$VEC_PIC2, %al
	outb	%al, $PIC2_DATA
	movb	$0x04, %al		/* master: a slave on IRQ2 */
	outb	%al, $PIC1_DATA
	movb	$0x02, %al		/* slave: its cascade identity */
	outb	%al, $PIC2_DATA
	movb	$PIC_ICW4_8086, %al
	outb	%al, $PIC1_DATA
	outb	%al, $PIC2_DATA
	movb	$0xfe, %al		/* IRQ0 only */
	outb	%al, $PIC1_DATA
	movb	$0xff, %al
	outb	%al, $PIC2_DATA
	/* the PIT's periodic tick, whatever the BIOS left it at */
	movb	$PIT_CH0_RATE_LOHI, %al
	outb	%al, $PIT_MODE
	xorb	%al, %al		/* divisor 0: 65536 */
	outb	%al, $PIT_CH0
	outb	%al, $PIT_CH0

	/* exceptions are fatal; both timers count ticks; any other vector acknowledges, returns */
	movl	$ABS(idt), %edi
	xorl	%ecx, %ecx
1:
	movl	$ABS(isr_fault), %eax
	cmpl	$32, %ecx
	jb	2f
	movl	$ABS(isr_irq), %eax
	cmpl	$VEC_TIMER, %ecx
	jne	3f
	movl	$ABS(isr_timer), %eax
3:
	cmpl	$VEC_PIC1, %ecx
	jne	2f
	movl	$ABS(isr_pit), %eax
2:
	movw	%ax, (%edi)		/* offset 15:0 */
	movw	$GDT_CODE, 2(%edi)
	movw	$0x8e00, 4(%edi)	/* present, ring 0, 32-bit interrupt gate */
	shrl	$16, %eax
	movw	%ax, 6(%edi)		/* offset 31:16 */
	addl	$8, %edi
	incl	%ecx
	cmpl	$NR_VECTORS, %ecx
	jb	1b
	lidtl	ABS(idt_ptr)

	movl	$APIC_BASE, %edi
	movl	$(APIC_SW_ENABLE | VEC_SPURIOUS), APIC_SVR(%edi)
	movl	$APIC_LVT_MASKED, APIC_LVT_ERROR(%edi)
	movl	$APIC_LVT_EXTINT, APIC_LVT_LINT0(%edi)
	movl	$APIC_DIV_1, APIC_TIMER_DIV(%edi)
	movl	$VEC_TIMER, APIC_LVT_TIMER(%edi)	/* one-shot */
	ret

/*
 * Halt until a one-shot timer HALT_NS from now fires (or a PIT tick comes first). Interrupts
 * are on before and after.
 */
wait_tick:
	pushl	%eax
	movl	ABS(ticks), %eax
	movl	$HALT_NS, APIC_BASE + APIC_TIMER_INIT
1:
	cli
	cmpl	ABS(ticks), %eax
	jne	2f
	/* sti's one-instruction shadow: the interrupt cannot slip in before the hlt */
	sti
	hlt
	jmp	1b
2:
	sti
	popl	%eax
	ret

isr_pit:
	incl	ABS(ticks)
	pushl	%eax
	movb	$PIC_EOI, %al
	outb	%al, $PIC1_CMD
	popl	%eax
	iret

isr_timer:
	incl	ABS(ticks)
	/* fall through */
isr_irq:
	movl	$0, APIC_BASE + APIC_EOI
	iret

isr_fault:
	movl	$ABS(msg_fault), %eax
	call	print_str
	/* the faulting EIP, or the error code for exceptions that push one */
	movl	(%esp), %eax
	call	print_hex
	movl	$ABS(msg_nl), %eax
	call	print_str
	jmp	halt_forever

/* ---- debugcon output ---------------------------------------------------------------- */

print_counts:
	pushal
	movl	$ABS(msg_windows), %eax
	call	print_str
	movl	ABS(n_windows), %eax
	call	print_dec
	movl	$ABS(msg_armed), %eax
	call	print_str
	movl	ABS(n_armed), %eax
	call	print_dec
	movl	$ABS(msg_mismatches), %eax
	call	print_str
	movl	ABS(n_mismatches), %eax
	call	print_dec
	movl	$ABS(msg_changes), %eax
	call	print_str
	movl	ABS(n_changes), %eax
	call	print_dec
	movl	$ABS(msg_halts), %eax
	call	print_str
	movl	ABS(n_halts), %eax
	call	print_dec
	movl	$ABS(msg_nl), %eax
	call	print_str
	popal
	ret

/* print_str: %eax = NUL-terminated string */
print_str:
	pushl	%eax
	pushl	%esi
	movl	%eax, %esi
1:
	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, $DEBUGCON_PORT
	jmp	1b
2:
	popl	%esi
	popl	%eax
	ret

/* print_dec: %eax, unsigned decimal */
print_dec:
	pushal
	movl	$10, %ecx
	xorl	%ebx, %ebx		/* digits pushed */
1:
	xorl	%edx, %edx
	divl	%ecx
	addl	$'0', %edx
	pushl	%edx
	incl	%ebx
	testl	%eax, %eax
	jnz	1b
2:
	popl	%eax
	outb	%al, $DEBUGCON_PORT
	decl	%ebx
	jnz	2b
	popal
	ret

/* print_hex: %eax as 0x and 8 digits */
print_hex:
	pushl	%eax
	movb	$'0', %al
	outb	%al, $DEBUGCON_PORT
	movb	$'x', %al
	outb	%al, $DEBUGCON_PORT
	popl	%eax
	pushl	%ecx
	movl	$8, %ecx
	call	print_digits
	popl	%ecx
	ret

/* print_digits: the low %ecx (1 to 8) hex digits of %eax */
print_digits:
	pushal
	movl	%eax, %edx
	/* bring the first digit to print to the top nibble */
	movl	$8, %eax
	subl	%ecx, %eax
	shll	$2, %eax
	xchgl	%eax, %ecx
	roll	%cl, %edx
	movl	%eax, %ecx
1:
	roll	$4, %edx
	movl	%edx, %eax
	andl	$0xf, %eax
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	2f
	addb	$('a' - '9' - 1), %al
2:
	outb	%al, $DEBUGCON_PORT
	decl	%ecx
	jnz	1b
	popal
	ret

/* fatal: print "G error: " and the string in %eax, then halt for good */
fatal:
	pushl	%eax
	movl	$ABS(msg_error), %eax
	call	print_str
	popl	%eax
	call	print_str
	movl	$ABS(msg_nl), %eax
	call	print_str
	jmp	halt_forever

/* fatal_val: "G error: ", the string in %eax and the value in %ecx; halt for good */
fatal_val:
	pushl	%eax
	movl	$ABS(msg_error), %eax
	call	print_str
	popl	%eax
	call	print_str
	movl	%ecx, %eax
	call	print_hex
	movl	$ABS(msg_nl), %eax
	call	print_str
	/* fall through */
halt_forever:
	cli
	/* no timers either: nothing can wake the vCPU thread, it sleeps for good */
	movl	$APIC_LVT_MASKED, APIC_BASE + APIC_LVT_TIMER
	movb	$0xff, %al
	outb	%al, $PIC1_DATA
1:	hlt
	jmp	1b

/* ---- data ----------------------------------------------------------------------------- */
	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* GDT_CODE: base 0, 4 GiB, 32-bit, execute/read */
	.quad	0x00cf92000000ffff	/* GDT_DATA: base 0, 4 GiB, read/write */
gdt_end:
	.balign	4
	.word	0			/* so that the base below is aligned */
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	ABS(gdt)
	.balign	4
	.word	0
idt_ptr:
	.word	NR_VECTORS * 8 - 1
	.long	ABS(idt)

	.balign	4
pci_dev:	.long	0
enabled_decode:	.long	0
win_type:	.long	0
n_windows:	.long	0
n_armed:	.long	0
n_mismatches:	.long	0
n_changes:	.long	0
n_halts:	.long	0
ticks:		.long	0		/* timer interrupts taken (APIC or PIT) */
halt_in_left:	.long	HALT_IN_EVERY
halt_out_left:	.long	HALT_OUT_EVERY
out_left:	.long	OUT_EVERY
line_left:	.long	1		/* the first line right after the first window */

msg_start:	.asciz	"G start\n"
msg_found:	.asciz	"G ivshmem at 00:"
msg_bar2:	.asciz	".0 bar2="
msg_enabled:	.asciz	" (memory decode enabled by the guest)"
msg_waiting:	.asciz	"; waiting for the host's layout\n"
msg_layout:	.asciz	"G layout ok: slots="
msg_size:	.asciz	" size="
msg_live:	.asciz	" fence_live="
msg_windows:	.asciz	"G windows="
msg_armed:	.asciz	" armed_windows="
msg_mismatches:	.asciz	" mismatches="
msg_changes:	.asciz	" changes="
msg_halts:	.asciz	" halts="
msg_nl:		.asciz	"\n"
msg_error:	.asciz	"G error: "
msg_no_dev:	.asciz	"no ivshmem device (1af4:1110) on PCI bus 0; give QEMU -device ivshmem-plain,memdev=..."
msg_bar_io:	.asciz	"ivshmem BAR2 is an I/O BAR, expected memory; is this ivshmem-plain?"
msg_bar_high:	.asciz	"ivshmem BAR2 is above 4 GiB, out of reach of this 32-bit guest (use a smaller memory-backend size); high dword "
msg_bar_zero:	.asciz	"ivshmem BAR2 is unassigned (0); the firmware did not map it"
msg_bad_magic:	.asciz	"the shared file has a foreign header, magic "
msg_bad_version: .asciz	"the shared file's ABI version is not 1 but "
msg_bad_layout:	.asciz	"the shared file's slot layout is not offset 4096, 64-byte slots, slot 0 inside"
msg_fault:	.asciz	"G error: CPU exception, halted; top of stack "

	.balign	8
idt:
	.space	NR_VECTORS * 8
