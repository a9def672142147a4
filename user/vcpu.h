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
 * Look for vCPU threads of vm->pid (or take vm->explicit_tids) and register each one that is
 * new or changed since the last call; a slot whose thread changed is unregistered first.
 * Returns the number of registered threads, or -1 when the VMM process is gone (vm->gone
 * set). Registration never arms a slot: the scheduler does once it runs the thread.
 */
int vcpu_sync(struct vm *vm, struct vcpu_maps *m);

/* Forget every registration of vm (VMM gone, file lost): entries freed, slots disarmed. */
void vcpu_forget(struct vm *vm, struct vcpu_maps *m);

/*
 * A restarted daemon: take over the registrations an earlier one left in the registry, for
 * the VMs it reopened (matched by vm->id). Entries of VMs not in vms are freed. Returns
 * the number of registrations adopted.
 */
int vcpu_adopt(struct vm *vms, int nr_vms, struct vcpu_maps *m);

#endif
