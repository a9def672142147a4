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
#include "vm.h"

/*
 * The vCPU index a VMM encodes in a thread name, or -1: QEMU "CPU 3/KVM", Cloud Hypervisor
 * "vcpu3", crosvm "crosvm_vcpu3", Firecracker "fc_vcpu 3".
 */
int vcpu_index_from_name(const char *comm);

/*
 * Look for vCPU threads of vm->pid (or take vm->explicit_tids) and register each one that is
 * new or changed since the last call. armed: whether the scheduler may fence them. Returns
 * the number of registered threads, or -1 when the VMM process is gone (vm->gone set).
 */
int vcpu_sync(struct vm *vm, int vcpus_map_fd, bool armed);

/* Re-register every known thread with the given armed state (disarm before detach). */
void vcpu_set_armed(struct vm *vm, int vcpus_map_fd, bool armed);

#endif
