/* SPDX-License-Identifier: GPL-2.0 */
/*
 * e2e_vmm.c's x86 part: 16-bit real-mode vCPUs (tests/vm/guest/errata_loop.S) whose segments
 * point at their slot and scratch page, port I/O for the guest's requests. Included by
 * e2e_vmm.c once struct vcpu and die() exist.
 */
#define E2E_GPA_LIMIT		0x100000u	/* 1 MiB: what segment:offset can address */
#define E2E_GUEST_KIND		"real-mode"
#define E2E_GUEST_FILE		"errata_loop.bin"
#define E2E_EXIT_KIND		"I/O"
#define X86_RFLAGS_FIXED	0x2u		/* bit 1 of RFLAGS always reads as one */

/* real-mode selectors are address >> 4 and reach 1 MiB: slots must be 16-byte aligned */
_Static_assert(SCXE_ABI_SLOT_SIZE % 16 == 0 && SCXE_ABI_HDR_SIZE % 16 == 0, "selectors");

static void arch_setup_vm(void)
{
}

static void set_seg(struct kvm_segment *s, __u32 gpa)
{
	/* real mode: base = selector * 16; the VMM loads the hidden part to match */
	s->selector = gpa >> 4;
	s->base = gpa;
}

static void arch_setup_vcpu(struct vcpu *v, __u32 slot_gpa, __u32 scr_gpa)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = X86_RFLAGS_FIXED };

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS vcpu %d: %s", v->idx, strerror(errno));
	set_seg(&sregs.cs, E2E_CODE_GPA);
	set_seg(&sregs.ds, slot_gpa);
	set_seg(&sregs.es, scr_gpa);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS vcpu %d: %s", v->idx, strerror(errno));
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS vcpu %d: %s", v->idx, strerror(errno));
}

/* an exit the guest asked for: OUT to a port, IN (refused by the caller), or HLT */
static bool arch_guest_exit(struct vcpu *v, struct guest_exit *e)
{
	switch (v->run->exit_reason) {
	case KVM_EXIT_IO:
		e->halt = false;
		e->port = v->run->io.port;
		e->out = v->run->io.direction == KVM_EXIT_IO_OUT;
		return true;
	case KVM_EXIT_HLT:
		e->halt = true;
		return true;
	}
	return false;
}
