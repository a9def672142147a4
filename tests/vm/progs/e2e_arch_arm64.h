/* SPDX-License-Identifier: GPL-2.0 */
/*
 * e2e_vmm.c's arm64 part: vCPUs of KVM's preferred target at EL1 with the MMU off
 * (tests/vm/guest/errata_loop_arm64.S), x0/x1 pointing at their slot and scratch page, and
 * byte stores into an MMIO page with no memslot behind it for the guest's requests, where
 * x86 uses port I/O. Included by e2e_vmm.c once struct vcpu and die() exist.
 * With its MMU off the guest's stores are Device-memory stores: coherent with our cacheable
 * view of the pages under TCG, and on hardware with FEAT_S2FWB (KVM then forces them
 * cacheable); on older hardware the observer could read stale slots.
 */
#include <asm/kvm.h>

/* above RAM and the shared file; its page offsets are the guest's "ports" */
#define E2E_MMIO_GPA		0x10000000u
#define E2E_GPA_LIMIT		E2E_MMIO_GPA
#define E2E_GUEST_KIND		"arm64"
#define E2E_GUEST_FILE		"errata_loop_arm64.bin"
#define E2E_EXIT_KIND		"MMIO"

_Static_assert(E2E_PORT_HALT < E2E_PAGE && E2E_PORT_FENCE_LEAVE < E2E_PAGE, "ports in the MMIO page");

#define ARM64_CORE_REG(r)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
				 KVM_REG_ARM_CORE_REG(r))

/* what KVM_ARM_VCPU_INIT needs: the host CPU's target, no optional features */
static struct kvm_vcpu_init vcpu_init;

static void arch_setup_vm(void)
{
	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &vcpu_init))
		die("KVM_ARM_PREFERRED_TARGET: %s (KVM without a target for this CPU?)", strerror(errno));
}

static void set_core_reg(struct vcpu *v, __u64 id, __u64 val, const char *name)
{
	struct kvm_one_reg r = { .id = id, .addr = (__u64)(unsigned long)&val };

	if (ioctl(v->fd, KVM_SET_ONE_REG, &r))
		die("KVM_SET_ONE_REG %s vcpu %d: %s", name, v->idx, strerror(errno));
}

static void arch_setup_vcpu(struct vcpu *v, __u32 slot_gpa, __u32 scr_gpa)
{
	/* resets the vCPU to EL1h, interrupts masked, MMU and caches off */
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &vcpu_init))
		die("KVM_ARM_VCPU_INIT vcpu %d (target %u): %s", v->idx, vcpu_init.target, strerror(errno));
	set_core_reg(v, ARM64_CORE_REG(regs.pc), E2E_CODE_GPA, "pc");
	set_core_reg(v, ARM64_CORE_REG(regs.regs[0]), slot_gpa, "x0");
	set_core_reg(v, ARM64_CORE_REG(regs.regs[1]), scr_gpa, "x1");
	set_core_reg(v, ARM64_CORE_REG(regs.regs[2]), E2E_MMIO_GPA, "x2");
}

/* an exit the guest asked for: a store to a port of the MMIO page (a read is refused by the
 * caller); PORT_HALT stands for x86's HLT */
static bool arch_guest_exit(struct vcpu *v, struct guest_exit *e)
{
	__u64 off = v->run->mmio.phys_addr - E2E_MMIO_GPA;

	if (v->run->exit_reason != KVM_EXIT_MMIO)
		return false;
	if (off >= E2E_PAGE)
		die("vcpu %d: MMIO at 0x%llx, outside the exit page at 0x%x (a stray guest access?)",
		    v->idx, (unsigned long long)v->run->mmio.phys_addr, E2E_MMIO_GPA);
	e->port = off;
	e->out = v->run->mmio.is_write;
	e->halt = e->out && off == E2E_PORT_HALT;
	return true;
}
