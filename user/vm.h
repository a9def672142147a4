/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM paired with the daemon: its shared file (header page + vCPU slots, see
 * include/scx_errata_abi.h) mapped here, and the host threads that run its vCPUs.
 */
#ifndef SCXE_VM_H
#define SCXE_VM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "scx_errata.h"

#define VM_DEFAULT_SLOTS	64u	/* a new file: 64 slots = 8 KiB, a power of two for PCI BARs */

struct vm {
	int	id;			/* daemon's index, passed to BPF */
	pid_t	pid;			/* the VMM process */
	char	path[PATH_MAX];		/* the shared file */
	int	nr_tids;		/* explicit vCPU tids (PID:PATH:TID,...), 0 = find by name */
	pid_t	explicit_tids[SCXE_ABI_MAX_SLOTS];
	int	fd;
	size_t	size;
	struct scxe_shm_hdr *hdr;	/* start of the MAP_SHARED mapping */
	__u32	nr_slots;
	bool	created;		/* this run created the file (it stays: the VMM maps it) */
	bool	gone;			/* the VMM process exited */
	pid_t	registered[SCXE_ABI_MAX_SLOTS];	/* tid registered for each slot, 0 = none */
	int	pidfd[SCXE_ABI_MAX_SLOTS];	/* ... and its pidfd, kept open (-1 = none) */
	pid_t	found[SCXE_ABI_MAX_SLOTS];	/* vCPU threads KVM reported (or QMP named) */
	int	xfd[SCXE_ABI_MAX_SLOTS];	/* pidfds of the explicit tids, opened once */
	bool	told[SCXE_ABI_MAX_SLOTS];	/* its pairing latency was logged */
	char	qmp[PATH_MAX];			/* QMP socket that names the vCPU threads, "" = none */
	int	enforce;		/* this VM's own setting (config [vm]): -1 = the daemon's */
	__u64	hold_ns;		/* its max hold: 0 = the scheduler's, SCXE_HOLD_UNLIMITED */
	__u16	reg[SCXE_ABI_MAX_SLOTS];	/* its entry in the scheduler's registry map */
	dev_t	dev;			/* identity of the file we mapped, to notice a replacement */
	ino_t	ino;
	bool	lost;			/* the file was truncated or replaced under us */
	bool	readonly;		/* set before vm_open: look only (status) */
	bool	nocreate;		/* set before vm_open: the file must exist already */
	bool	blank;			/* all zero when opened: laid out by the first vm_publish */
};

/* An empty VM: no file, no fds. */
void vm_reset(struct vm *vm);

/* "PID:PATH" or "PID:PATH:TID,TID,..." (tids in vCPU index order). */
int vm_parse_spec(const char *spec, struct vm *vm, char *err, size_t errlen);

/*
 * Open the shared file, creating it (mode 0660) with VM_DEFAULT_SLOTS slots, or with enough
 * for min_slots, when it does not exist. It must be a regular file on tmpfs, not a symlink,
 * not writable by others, owned by root or by the VMM's user; its content must be all zero
 * (a VMM created it: vm_publish lays it out, nothing is written here) or already carry our
 * magic and a known major version. Anything else is left untouched and reported. Returns 0
 * or -1 with err set.
 */
int vm_open(struct vm *vm, __u32 min_slots, char *err, size_t errlen);

/*
 * For a shared file that does not exist yet, what can be checked without creating it: its
 * directory exists and is on tmpfs. 0, or -1 with a one-line err.
 */
int vm_check_new_path(const struct vm *vm, char *err, size_t errlen);

/*
 * Slot i (< nr_slots). The guest can write anything into the header, so the layout comes
 * from what vm_open validated, never from the shared page again.
 */
static inline struct scxe_slot *vm_slot(const struct vm *vm, __u32 i)
{
	return (struct scxe_slot *)((char *)vm->hdr + SCXE_ABI_HDR_SIZE + i * SCXE_ABI_SLOT_SIZE);
}

/*
 * Accesses to a VM's mapping survive a VMM that truncates the file: install once, before
 * any VM is opened. A SIGBUS during an access marks the VM lost.
 */
void vm_guard_install(void);
/* A 32-bit field of the mapping, read under the guard; -1 when the file shrank under it. */
int vm_read_u32(struct vm *vm, const __u32 *field, __u32 *out);

/*
 * Rewrite the host-written header fields under the seqlock: tmpl supplies the knowledge
 * tables (types, errata); mode and max hold describe the fence; live says whether a daemon
 * publishes now. -1 when the file was lost meanwhile.
 */
int vm_publish(struct vm *vm, const struct scxe_shm_hdr *tmpl, __u32 mode, __u32 max_hold_us,
	       bool live);

/* Mark the fence not live and every slot unarmed: the guest must assume nothing. */
void vm_disarm(struct vm *vm);

/* Host-written identity of a newly registered slot; a slot that lost its thread. */
void vm_slot_registered(struct vm *vm, __u32 idx, pid_t tid);
void vm_slot_disarm(struct vm *vm, __u32 idx);

/* NULL while the mapped file is intact; else why it is lost (vm->lost set). */
const char *vm_check(struct vm *vm);

/* vm_open of a VM the scheduler's "vms" map recorded (keeps vm->readonly). */
int vm_open_record(struct vm *vm, int id, const struct scxe_vm_rec *rec, char *err, size_t errlen);

/* The mapping and file only (a lost file); the VM's thread identities stay. */
void vm_unmap(struct vm *vm);
/* Everything: mapping, file, pidfds. */
void vm_close(struct vm *vm);

#endif
