/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding a VMM's vCPU threads and registering them with the scheduler: task storage keyed
 * by a pidfd of the thread, holding a uptr to the thread's slot in our own mapping of the
 * VM's shared file.
 */
#ifndef SCXE_VCPU_H
#define SCXE_VCPU_H

#include <stdbool.h>
#include <sys/types.h>
#include "scx_errata.h"
#include "vm.h"

/*
 * The vCPU index a VMM encodes in a thread name, or -1: QEMU "CPU 3/KVM", Cloud Hypervisor
 * "vcpu3", crosvm "crosvm_vcpu3", Firecracker "fc_vcpu 3".
 */
int vcpu_index_from_name(const char *comm);

/* The scheduler's maps that pairing writes, and which registry entries are in use. */
struct vcpu_maps {
	int	vcpus_fd;	/* task storage: struct scxe_vcpu_ctx per vCPU thread */
	int	registry_fd;	/* struct scxe_reg per registered thread */
	bool	enforce;	/* ask the scheduler to fence the threads */
	bool	used[SCXE_MAX_VCPUS];
};

/*
 * Look for vCPU threads of vm->pid (explicit tids; else what KVM reported, QMP, names) and
 * register each one that is new or changed since the last call; a slot whose thread exited
 * or changed is unregistered first.
 * Returns the number of registered threads, or -1 when the VMM process is gone (vm->gone
 * set). Registration never arms a slot: the scheduler does once it runs the thread.
 */
int vcpu_sync(struct vm *vm, struct vcpu_maps *m);

/* vCPU idx of vm is thread tid (KVM reported it): register it now. 0, or -1 when it cannot. */
int vcpu_found(struct vm *vm, struct vcpu_maps *m, __u32 idx, pid_t tid);

/*
 * Open a pidfd for each explicit tid of vm and check it is a thread of vm->pid; kept open,
 * so the tids are never looked up by number again. 0, or -1 with a one-line err.
 */
int vcpu_pin_explicit(struct vm *vm, char *err, size_t errlen);

/* Forget every registration of vm (VMM gone, file lost): entries freed, slots disarmed. */
void vcpu_forget(struct vm *vm, struct vcpu_maps *m);

/*
 * A restarted daemon: take over the registrations an earlier one left in the registry, for
 * the VMs it reopened (matched by vm->id). Entries of VMs not in vms are freed. Returns
 * the number of registrations adopted.
 */
int vcpu_adopt(struct vm *vms, int nr_vms, struct vcpu_maps *m);

#endif
