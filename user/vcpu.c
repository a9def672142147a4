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

static int register_tid(struct vm *vm, int map_fd, pid_t tid, __u32 idx, bool armed)
{
	struct scxe_vcpu_ctx v = {
		.slot = vm_slot(vm, idx),
		.vm_id = vm->id,
		.vcpu = idx,
		.armed = armed,
	};
	int fd = thread_pidfd(tid), err;

	if (fd < 0) {
		if (errno != ESRCH)
			log_warn("vm %d: cannot open a pidfd for vCPU %u thread %d: %s", vm->id, idx, tid,
				 strerror(errno));
		return -1;
	}
	err = bpf_map_update_elem(map_fd, &fd, &v, BPF_ANY);
	if (err && errno != ESRCH)
		log_warn("vm %d: cannot register vCPU %u thread %d: %s", vm->id, idx, tid, strerror(errno));
	close(fd);
	if (err)
		return -1;
	v.slot->host_tid = tid;
	v.slot->arch_id = idx;	/* flat topology: APIC id / MPIDR Aff0 = vCPU index */
	v.slot->armed = armed;
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

int vcpu_sync(struct vm *vm, int map_fd, bool armed)
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
		if (!tids[i]) {
			vm->registered[i] = 0;
			continue;
		}
		if (tids[i] != vm->registered[i]) {
			if (register_tid(vm, map_fd, tids[i], i, armed))
				continue;
			log_verbose("vm %d: vCPU %u is thread %d", vm->id, i, tids[i]);
			vm->registered[i] = tids[i];
		}
		n++;
	}
	return n;
gone:
	vm->gone = true;
	return -1;
}

void vcpu_set_armed(struct vm *vm, int map_fd, bool armed)
{
	for (__u32 i = 0; i < vm->nr_slots; i++)
		if (vm->registered[i] && register_tid(vm, map_fd, vm->registered[i], i, armed))
			vm->registered[i] = 0;
}
