// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU threads of a paired VM, from every source (explicit tids, KVM's own report, QMP,
 * thread names), and their registration with BPF: task storage keyed by a pidfd that is
 * kept open, so a slot is never unregistered or re-registered through a recycled tid.
 */
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
#include "qmp.h"
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

/* The thread behind a pidfd still exists. */
static bool pidfd_alive(int fd)
{
	return syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) == 0 || errno != ESRCH;
}

/* Drop slot idx's registration: the scheduler forgets the thread, the slot says unarmed. */
static void unregister_slot(struct vm *vm, struct vcpu_maps *m, __u32 idx)
{
	int fd = vm->pidfd[idx];

	if (!vm->registered[idx])
		return;
	/* the kept pidfd: never a tid number that may name another thread by now */
	if (fd >= 0 && bpf_map_delete_elem(m->vcpus_fd, &fd) && errno != ENOENT && errno != ESRCH)
		log_warn("vm %d: cannot unregister vCPU %u thread %d: %s", vm->id, idx,
			 vm->registered[idx], strerror(errno));
	if (fd >= 0)
		close(fd);
	vm->pidfd[idx] = -1;
	reg_free(m, vm->reg[idx]);
	vm->registered[idx] = 0;
	vm_slot_disarm(vm, idx);
}

/*
 * Register tid as vCPU idx. pinned is a pidfd the caller verified earlier (explicit tids),
 * or -1: then one is opened now and the thread checked to belong to the VMM.
 */
static int register_tid(struct vm *vm, struct vcpu_maps *m, pid_t tid, __u32 idx, int pinned)
{
	struct scxe_vcpu_ctx v = {
		.slot = vm_slot(vm, idx),
		.hdr = vm->hdr,
		.vm_id = vm->id,
		.vcpu = idx,
		.enforce = vm->enforce >= 0 ? vm->enforce : m->enforce,
		.hold_ns = vm->hold_ns,
	};
	struct scxe_reg r = { .tid = tid, .tgid = vm->pid, .vm_id = vm->id, .vcpu = idx };
	int fd = pinned >= 0 ? fcntl(pinned, F_DUPFD_CLOEXEC, 0) : thread_pidfd(tid), reg, err;

	if (fd < 0) {
		if (errno != ESRCH)
			log_warn("vm %d: cannot open a pidfd for vCPU %u thread %d: %s", vm->id, idx, tid,
				 strerror(errno));
		return -1;
	}
	if (pinned < 0 && !thread_of(vm->pid, tid)) {
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
	if (err) {
		if (errno != ESRCH)
			log_warn("vm %d: cannot register vCPU %u thread %d: %s", vm->id, idx, tid,
				 strerror(errno));
		close(fd);
		reg_free(m, reg);
		return -1;
	}
	vm->reg[idx] = reg;
	vm->pidfd[idx] = fd;
	vm->registered[idx] = tid;
	vm->told[idx] = false;
	vm_slot_registered(vm, idx, tid);
	log_verbose("vm %d: vCPU %u is thread %d", vm->id, idx, tid);
	return 0;
}

int vcpu_pin_explicit(struct vm *vm, char *err, size_t errlen)
{
	for (int i = 0; i < vm->nr_tids; i++) {
		pid_t tid = vm->explicit_tids[i];
		int fd = thread_pidfd(tid);

		if (fd < 0) {
			snprintf(err, errlen, "--vm %d:%s: vCPU %d thread %d: %s", vm->pid, vm->path, i, tid,
				 errno == ESRCH ? "no such thread" : strerror(errno));
			return -1;
		}
		vm->xfd[i] = fd;
		if (!thread_of(vm->pid, tid)) {
			snprintf(err, errlen, "--vm %d:%s: thread %d is not a thread of process %d; list that VMM's vCPU threads",
				 vm->pid, vm->path, tid, vm->pid);
			return -1;
		}
	}
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

/* What every discovery source says slot i's thread is now; 0 = nothing. */
static void candidates(struct vm *vm, pid_t *tids)
{
	char err[PATH_MAX + 128];
	static pid_t qmp[SCXE_ABI_MAX_SLOTS];
	int n;

	bool kvm_told = false;

	for (__u32 i = 0; i < vm->nr_slots; i++)
		kvm_told |= vm->found[i] != 0;
	/* weakest first: names (needs debug-threads), then QMP, then what KVM reported */
	if (scan_threads(vm, tids))
		return;
	/* QMP only while KVM said nothing: a monitor may be busy with another client */
	if (vm->qmp[0] && !kvm_told) {
		memset(qmp, 0, sizeof(qmp));
		n = qmp_vcpu_threads(vm->qmp, qmp, SCXE_ABI_MAX_SLOTS, err, sizeof(err));
		if (n < 0)
			log_verbose("vm %d: %s", vm->id, err);
		for (int i = 0; i < n && i < (int)vm->nr_slots; i++)
			if (qmp[i])
				tids[i] = qmp[i];
	}
	for (__u32 i = 0; i < vm->nr_slots; i++)
		if (vm->found[i])
			tids[i] = vm->found[i];
}

/* Once per registration: how long after its first KVM_RUN the scheduler armed the slot. */
static void tell_latency(struct vm *vm, struct vcpu_maps *m, __u32 idx)
{
	struct scxe_vcpu_ctx ctx;

	if (vm->told[idx] || bpf_map_lookup_elem(m->vcpus_fd, &vm->pidfd[idx], &ctx) ||
	    !(ctx.state & SCXE_VS_RAN))
		return;
	vm->told[idx] = true;
	if (ctx.pair_ns && ctx.enforce)
		log_info("vm %d: vCPU %u (thread %d) armed %.3f ms after its first KVM_RUN", vm->id, idx,
			 vm->registered[idx], ctx.pair_ns / 1e6);
}

int vcpu_sync(struct vm *vm, struct vcpu_maps *m)
{
	pid_t tids[SCXE_ABI_MAX_SLOTS] = { 0 };
	char path[64];
	int n = 0;

	if (vm->gone)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d", vm->pid);
	if (access(path, F_OK)) {
		vm->gone = true;
		return -1;
	}
	if (vm->nr_tids) {
		for (int i = 0; i < vm->nr_tids && i < (int)vm->nr_slots; i++)
			tids[i] = vm->explicit_tids[i];
	} else {
		candidates(vm, tids);
	}
	for (__u32 i = 0; i < vm->nr_slots; i++) {
		bool alive = vm->registered[i] && pidfd_alive(vm->pidfd[i]);

		/* a live registration stays until a source names another thread for the slot */
		if (alive && (!tids[i] || tids[i] == vm->registered[i])) {
			tell_latency(vm, m, i);
			n++;
			continue;
		}
		if (vm->registered[i] && !alive && vm->found[i] == vm->registered[i])
			vm->found[i] = 0;
		unregister_slot(vm, m, i);
		if (tids[i] && !register_tid(vm, m, tids[i], i, vm->nr_tids ? vm->xfd[i] : -1))
			n++;
	}
	return n;
}

int vcpu_found(struct vm *vm, struct vcpu_maps *m, __u32 idx, pid_t tid)
{
	if (idx >= vm->nr_slots) {
		log_warn("vm %d: vCPU %u (thread %d) has no slot in %s (%u slots); recreate the file larger",
			 vm->id, idx, tid, vm->path, vm->nr_slots);
		return -1;
	}
	vm->found[idx] = tid;
	if (vm->nr_tids || vm->registered[idx] == tid)
		return 0;	/* explicit tids rule; or known already */
	unregister_slot(vm, m, idx);
	return register_tid(vm, m, tid, idx, -1);
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
		struct scxe_vcpu_ctx ctx;
		struct scxe_reg r;
		struct vm *vm = NULL;

		if (bpf_map_lookup_elem(m->registry_fd, &i, &r) || !r.tid)
			continue;
		for (int j = 0; j < nr_vms; j++)
			if (vms[j].id == (int)r.vm_id && vms[j].pid == (pid_t)r.tgid)
				vm = &vms[j];
		m->used[i] = true;
		if (!vm || r.vcpu >= vm->nr_slots || vm->registered[r.vcpu]) {
			/* a VM that is gone or a stale duplicate: drop it by its kept identity */
			int fd = thread_pidfd(r.tid);

			if (fd >= 0 && thread_of(r.tgid, r.tid))
				bpf_map_delete_elem(m->vcpus_fd, &fd);
			if (fd >= 0)
				close(fd);
			reg_free(m, i);
			continue;
		}
		/* the registration is live only if this tid is the thread the storage belongs to */
		vm->pidfd[r.vcpu] = thread_pidfd(r.tid);
		if (vm->pidfd[r.vcpu] < 0 || !thread_of(vm->pid, r.tid) ||
		    bpf_map_lookup_elem(m->vcpus_fd, &vm->pidfd[r.vcpu], &ctx)) {
			if (vm->pidfd[r.vcpu] >= 0)
				close(vm->pidfd[r.vcpu]);
			vm->pidfd[r.vcpu] = -1;
			reg_free(m, i);
			continue;
		}
		vm->registered[r.vcpu] = r.tid;
		vm->reg[r.vcpu] = i;
		n++;
	}
	return n;
}
