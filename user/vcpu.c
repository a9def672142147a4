// SPDX-License-Identifier: GPL-2.0
/* vCPU thread discovery (by thread name or explicit tids) and registration with BPF. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "log.h"
#include "scx_errata.h"
#include "vcpu.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL	/* 6.9+: a pidfd for a thread, not only a group leader */
#endif

/* prefix followed by a decimal index and nothing else (an optional suffix for QEMU) */
static int index_after(const char *comm, const char *prefix, const char *suffix)
{
	size_t n = strlen(prefix);
	const char *p = comm + n;
	char *end;
	long v;

	if (strncmp(comm, prefix, n) || !isdigit((unsigned char)*p))
		return -1;
	v = strtol(p, &end, 10);
	if (strcmp(end, suffix) || v < 0 || v >= (long)SCXE_ABI_MAX_SLOTS)
		return -1;
	return v;
}

int vcpu_index_from_name(const char *comm)
{
	static const struct { const char *prefix, *suffix; } names[] = {
		{ "CPU ", "/KVM" },	/* QEMU */
		{ "vcpu", "" },		/* Cloud Hypervisor, our test VMM */
		{ "crosvm_vcpu", "" },	/* crosvm */
		{ "fc_vcpu ", "" },	/* Firecracker */
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int idx = index_after(comm, names[i].prefix, names[i].suffix);

		if (idx >= 0)
			return idx;
	}
	return -1;
}

static int thread_pidfd(pid_t tid)
{
	int fd = syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (fd < 0 && errno == EINVAL)
		fd = syscall(SYS_pidfd_open, tid, 0);	/* older kernels: leaders only */
	return fd;
}

static void reg_write(struct vcpu_maps *m, __u32 idx, const struct scxe_reg *r)
{
	if (bpf_map_update_elem(m->registry_fd, &idx, r, BPF_ANY))
		log_warn("cannot write registry entry %u: %s", idx, strerror(errno));
}

static int reg_alloc(struct vcpu_maps *m)
{
	for (int i = 0; i < (int)SCXE_MAX_VCPUS; i++)
		if (!m->used[i]) {
			m->used[i] = true;
			return i;
		}
	return -1;
}

static void reg_free(struct vcpu_maps *m, __u32 idx)
{
	static const struct scxe_reg none;

	reg_write(m, idx, &none);
	m->used[idx] = false;
}

/* tid is a thread of pid right now (a pidfd taken before this check pins that identity) */
static bool thread_of(pid_t pid, pid_t tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tid);
	return access(path, F_OK) == 0;
}

/* Drop slot idx's registration: the scheduler forgets the thread, the slot says unarmed. */
static void unregister_slot(struct vm *vm, struct vcpu_maps *m, __u32 idx)
{
	pid_t tid = vm->registered[idx];
	int fd;

	if (!tid)
		return;
	fd = thread_pidfd(tid);
	if (fd >= 0) {
		if (thread_of(vm->pid, tid) && bpf_map_delete_elem(m->vcpus_fd, &fd) && errno != ENOENT)
			log_warn("vm %d: cannot unregister vCPU %u thread %d: %s", vm->id, idx, tid,
				 strerror(errno));
		close(fd);
	}
	reg_free(m, vm->reg[idx]);
	vm->registered[idx] = 0;
	vm_slot_disarm(vm, idx);
}

static int register_tid(struct vm *vm, struct vcpu_maps *m, pid_t tid, __u32 idx)
{
	struct scxe_vcpu_ctx v = {
		.slot = vm_slot(vm, idx),
		.hdr = vm->hdr,
		.vm_id = vm->id,
		.vcpu = idx,
		.enforce = m->enforce,
	};
	struct scxe_reg r = { .tid = tid, .tgid = vm->pid, .vm_id = vm->id, .vcpu = idx };
	int fd = thread_pidfd(tid), reg, err;

	if (fd < 0) {
		if (errno != ESRCH)
			log_warn("vm %d: cannot open a pidfd for vCPU %u thread %d: %s", vm->id, idx, tid,
				 strerror(errno));
		return -1;
	}
	if (!thread_of(vm->pid, tid)) {
		log_warn("vm %d: thread %d is not a thread of process %d; vCPU %u left unpaired",
			 vm->id, tid, vm->pid, idx);
		close(fd);
		return -1;
	}
	reg = reg_alloc(m);
	if (reg < 0) {
		log_warn("vm %d: all %u registry entries are in use; vCPU %u left unpaired",
			 vm->id, SCXE_MAX_VCPUS, idx);
		close(fd);
		return -1;
	}
	/* listed before registered: the disarm hooks must reach every slot BPF may arm */
	v.reg = reg;
	reg_write(m, reg, &r);
	err = bpf_map_update_elem(m->vcpus_fd, &fd, &v, BPF_ANY);
	if (err && errno != ESRCH)
		log_warn("vm %d: cannot register vCPU %u thread %d: %s", vm->id, idx, tid, strerror(errno));
	close(fd);
	if (err) {
		reg_free(m, reg);
		return -1;
	}
	vm->reg[idx] = reg;
	vm_slot_registered(vm, idx, tid);
	return 0;
}

static int read_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Fill tids[idx] from the thread names of pid; -1 when the process is gone. */
static int scan_threads(const struct vm *vm, pid_t *tids)
{
	char path[64], comm[32];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", vm->pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		pid_t tid = atoi(de->d_name);
		int idx;

		if (tid <= 0 || read_comm(vm->pid, tid, comm, sizeof(comm)))
			continue;
		idx = vcpu_index_from_name(comm);
		if (idx < 0)
			continue;
		if ((__u32)idx >= vm->nr_slots) {
			log_warn("vm %d: vCPU %d (thread %d) has no slot in %s (%u slots); recreate the file larger",
				 vm->id, idx, tid, vm->path, vm->nr_slots);
			continue;
		}
		tids[idx] = tid;
	}
	closedir(d);
	return 0;
}

int vcpu_sync(struct vm *vm, struct vcpu_maps *m)
{
	pid_t tids[SCXE_ABI_MAX_SLOTS] = { 0 };
	int n = 0;

	if (vm->gone)
		return -1;
	if (vm->nr_tids) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d", vm->pid);
		if (access(path, F_OK))
			goto gone;
		for (int i = 0; i < vm->nr_tids && i < (int)vm->nr_slots; i++)
			tids[i] = vm->explicit_tids[i];
	} else if (scan_threads(vm, tids)) {
		goto gone;
	}
	for (__u32 i = 0; i < vm->nr_slots; i++) {
		if (tids[i] == vm->registered[i]) {
			n += tids[i] != 0;
			continue;
		}
		unregister_slot(vm, m, i);
		if (!tids[i] || register_tid(vm, m, tids[i], i))
			continue;
		log_verbose("vm %d: vCPU %u is thread %d", vm->id, i, tids[i]);
		vm->registered[i] = tids[i];
		n++;
	}
	return n;
gone:
	vm->gone = true;
	return -1;
}

void vcpu_forget(struct vm *vm, struct vcpu_maps *m)
{
	for (__u32 i = 0; i < vm->nr_slots; i++)
		unregister_slot(vm, m, i);
}

int vcpu_adopt(struct vm *vms, int nr_vms, struct vcpu_maps *m)
{
	int n = 0;

	for (__u32 i = 0; i < SCXE_MAX_VCPUS; i++) {
		struct scxe_reg r;
		struct vm *vm = NULL;

		if (bpf_map_lookup_elem(m->registry_fd, &i, &r) || !r.tid)
			continue;
		for (int j = 0; j < nr_vms; j++)
			if (vms[j].id == (int)r.vm_id && vms[j].pid == (pid_t)r.tgid)
				vm = &vms[j];
		m->used[i] = true;
		if (!vm || r.vcpu >= vm->nr_slots || vm->registered[r.vcpu]) {
			/* a VM that is gone or a stale duplicate: the thread keeps no fence */
			struct vm orphan = { .pid = r.tgid, .id = r.vm_id, .lost = true };

			orphan.registered[0] = r.tid;
			orphan.reg[0] = i;
			unregister_slot(&orphan, m, 0);
			continue;
		}
		vm->registered[r.vcpu] = r.tid;
		vm->reg[r.vcpu] = i;
		n++;
	}
	return n;
}
