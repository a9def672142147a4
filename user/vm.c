// SPDX-License-Identifier: GPL-2.0
/*
 * The per-VM shared file: creation, validation, mapping and host-side writes. The VMM owns
 * the file as much as we do and may truncate or replace it at any time: every access to
 * the mapping runs under a SIGBUS guard, and a file that shrank or changed identity is
 * marked lost instead of taking the daemon down.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "parse.h"
#include "vm.h"

static sigjmp_buf *bus_jump;	/* set while a guarded access runs */

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	if (bus_jump)
		siglongjmp(*bus_jump, 1);
	/* not ours: die as the default action would */
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

void vm_guard_install(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* Run fn on vm's mapping; a SIGBUS (the file shrank under us) marks the VM lost: -1. */
static int guarded(struct vm *vm, void (*fn)(struct vm *, void *), void *arg)
{
	sigjmp_buf jb;

	if (vm->lost || !vm->hdr)
		return -1;
	if (sigsetjmp(jb, 1)) {
		bus_jump = NULL;
		vm->lost = true;
		return -1;
	}
	bus_jump = &jb;
	fn(vm, arg);
	bus_jump = NULL;
	return 0;
}

struct read_args {
	const __u32 *field;
	__u32 val;
};

static void read_u32(struct vm *vm, void *arg)
{
	struct read_args *a = arg;

	a->val = __atomic_load_n(a->field, __ATOMIC_RELAXED);
}

int vm_read_u32(struct vm *vm, const __u32 *field, __u32 *out)
{
	struct read_args a = { field, 0 };

	if (guarded(vm, read_u32, &a))
		return -1;
	*out = a.val;
	return 0;
}

void vm_reset(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->enforce = -1;
	for (__u32 i = 0; i < SCXE_ABI_MAX_SLOTS; i++)
		vm->pidfd[i] = vm->xfd[i] = -1;
}

#define PID_LIMIT	4194304ull	/* PID_MAX_LIMIT: no pid or tid is larger */

/* A pid or tid from the n bytes at s, through the project's one number parser. */
static int parse_id(const char *s, size_t n, pid_t *out)
{
	unsigned long long v;
	char buf[16];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_u64(buf, 1, PID_LIMIT, &v))
		return -1;
	*out = (pid_t)v;
	return 0;
}

int vm_parse_spec(const char *spec, struct vm *vm, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':'), *path, *tids;
	char qbuf[64];
	const char *q = parse_quote(spec, qbuf, sizeof(qbuf));	/* spec in a message */
	size_t n;

	vm_reset(vm);
	if (!colon || parse_id(spec, colon - spec, &vm->pid)) {
		snprintf(err, errlen, "--vm '%s' is not PID:PATH with a pid from 1 to %llu (e.g. 4242:/dev/shm/scx_errata.vm0)",
			 q, PID_LIMIT);
		return -1;
	}
	path = colon + 1;
	tids = strchr(path, ':');
	n = tids ? (size_t)(tids - path) : strlen(path);
	if (n == 0 || path[0] != '/') {
		snprintf(err, errlen, "--vm '%s': the shared file must be an absolute path", q);
		return -1;
	}
	if (n >= sizeof(vm->path)) {
		snprintf(err, errlen, "--vm '%s': the shared file's path is longer than %zu bytes", q,
			 sizeof(vm->path) - 1);
		return -1;
	}
	memcpy(vm->path, path, n);
	vm->path[n] = '\0';
	if (!tids)
		return 0;
	if (!tids[1]) {
		snprintf(err, errlen, "--vm '%s': empty vCPU thread list after the path", q);
		return -1;
	}
	for (const char *p = tids + 1; ; ) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		pid_t tid;

		if (parse_id(p, len, &tid)) {
			snprintf(err, errlen, "--vm '%s': vCPU thread list must be TID,TID,... in vCPU order", q);
			return -1;
		}
		if (vm->nr_tids == (int)SCXE_ABI_MAX_SLOTS) {
			snprintf(err, errlen, "--vm '%s': more than %u vCPU threads", q, SCXE_ABI_MAX_SLOTS);
			return -1;
		}
		for (int i = 0; i < vm->nr_tids; i++)
			if (vm->explicit_tids[i] == tid) {
				snprintf(err, errlen, "--vm '%s': thread %d is listed for vCPU %d and %d; one thread runs one vCPU",
					 q, tid, i, vm->nr_tids);
				return -1;
			}
		vm->explicit_tids[vm->nr_tids++] = tid;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

/* Smallest power-of-two file that holds n slots (ivshmem BARs must be a power of two). */
static size_t file_size_for(__u32 n)
{
	size_t need = SCXE_ABI_FILE_SIZE(n), size = SCXE_ABI_HDR_SIZE;

	while (size < need)
		size <<= 1;
	return size;
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static void init_layout(struct vm *vm)
{
	struct scxe_shm_hdr *h = vm->hdr;

	h->version = SCXE_ABI_VERSION;
	h->hdr_size = SCXE_ABI_HDR_SIZE;
	h->total_size = vm->size;
	h->slot_size = SCXE_ABI_SLOT_SIZE;
	h->slot_offset = SCXE_ABI_HDR_SIZE;
	h->nr_slots = vm->nr_slots;
	for (__u32 i = 0; i < vm->nr_slots; i++) {
		struct scxe_slot *s = vm_slot(vm, i);

		s->cur_type = SCXE_ABI_TYPE_NONE;
		s->cur_cpu = SCXE_ABI_TYPE_NONE;
	}
	/* magic last: a reader that sees it sees a complete layout */
	__atomic_store_n(&h->magic, SCXE_ABI_MAGIC, __ATOMIC_RELEASE);
}

/* What check_layout found, copied out so that error messages never touch the mapping. */
struct layout_seen {
	bool	blank;		/* all zero: a VMM created it for us */
	__u32	magic, version, slot_offset, slot_size;
};

/* A zero file gets our layout; ours is taken over; anything else is only looked at. */
static void check_layout(struct vm *vm, void *arg)
{
	struct scxe_shm_hdr *h = vm->hdr;
	struct layout_seen *seen = arg;

	if (h->magic == 0 && all_zero(h, SCXE_ABI_HDR_SIZE)) {
		/* laid out by the first publish: nothing is written before the scheduler runs */
		seen->blank = true;
		return;
	}
	/*
	 * Ours from an earlier run is taken over as it is: vm_publish rewrites the host fields
	 * (total_size, nr_slots) and keeps the guest-written ones, so a start that fails before
	 * its first publish leaves the file exactly as it found it.
	 */
	*seen = (struct layout_seen){ false, h->magic, h->version, h->slot_offset, h->slot_size };
}

#define TMPFS_MAGIC_NR	0x01021994	/* linux/magic.h TMPFS_MAGIC: tmpfs and memfd */

/*
 * What a shared file must be before we map it: a regular file on tmpfs (the VMM maps it as
 * guest RAM; anything else is not memory), not writable by others, owned by root or by the
 * VMM's user. The daemon runs as root: it must not be steered into writing elsewhere.
 */
static int check_file(const struct vm *vm, int fd, const struct stat *st, char *err, size_t errlen)
{
	struct statfs fs;
	struct stat proc;
	char path[64];

	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s is not a regular file; a VM's shared file must be one, on tmpfs", vm->path);
		return -1;
	}
	if (fstatfs(fd, &fs) || (unsigned long)fs.f_type != TMPFS_MAGIC_NR) {
		snprintf(err, errlen, "%s is not on tmpfs; put the VM's shared file under /dev/shm", vm->path);
		return -1;
	}
	if (st->st_mode & S_IWOTH) {
		snprintf(err, errlen, "%s is writable by others (mode %04o); chmod o-w it or recreate it with 'scx_errata shm create'",
			 vm->path, (unsigned int)(st->st_mode & 07777));
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d", vm->pid);
	if (st->st_uid != 0 && st->st_uid != geteuid() &&
	    (vm->pid <= 0 || stat(path, &proc) || proc.st_uid != st->st_uid)) {
		snprintf(err, errlen, "%s is owned by uid %u, neither root nor the user of process %d; chown it to the VMM's user",
			 vm->path, (unsigned int)st->st_uid, vm->pid);
		return -1;
	}
	return 0;
}

int vm_check_new_path(const struct vm *vm, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	struct statfs fs;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", vm->path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0';	/* "/x" -> "/" */
	if (statfs(dir, &fs)) {
		snprintf(err, errlen, "cannot create %s: %s: %s", vm->path, dir, strerror(errno));
		return -1;
	}
	if ((unsigned long)fs.f_type != TMPFS_MAGIC_NR) {
		snprintf(err, errlen, "%s is not on tmpfs; put the VM's shared file under /dev/shm", vm->path);
		return -1;
	}
	return 0;
}

int vm_open(struct vm *vm, __u32 min_slots, char *err, size_t errlen)
{
	struct layout_seen seen = { 0 };
	struct stat st;
	__u32 want = min_slots > VM_DEFAULT_SLOTS ? min_slots : VM_DEFAULT_SLOTS;
	int fd;

	if (want > SCXE_ABI_MAX_SLOTS) {
		snprintf(err, errlen, "%s: %u vCPUs exceed the ABI's %u slots", vm->path, want, SCXE_ABI_MAX_SLOTS);
		return -1;
	}
	fd = vm->readonly || vm->nocreate ? -1 :
	     open(vm->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0660);
	if (vm->readonly || vm->nocreate)
		errno = EEXIST;
	if (fd >= 0) {
		vm->created = true;
		if (ftruncate(fd, file_size_for(want))) {
			snprintf(err, errlen, "cannot size %s: %s", vm->path, strerror(errno));
			close(fd);
			unlink(vm->path);
			return -1;
		}
	} else if (errno == EEXIST) {
		fd = open(vm->path, (vm->readonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	}
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(err, errlen, "%s is a symbolic link; name the shared file itself", vm->path);
		else if (errno == EISDIR)
			snprintf(err, errlen, "%s is not a regular file; a VM's shared file must be one, on tmpfs", vm->path);
		else
			snprintf(err, errlen, "cannot open %s: %s (is it on tmpfs, and writable by root?)",
				 vm->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || check_file(vm, fd, &st, err, errlen))
		goto fail;
	if (fstat(fd, &st) || st.st_size < (off_t)(SCXE_ABI_HDR_SIZE + SCXE_ABI_SLOT_SIZE)) {
		snprintf(err, errlen, "%s is %lld bytes, too small for the header and one slot (need >= %u)",
			 vm->path, (long long)st.st_size, SCXE_ABI_HDR_SIZE + SCXE_ABI_SLOT_SIZE);
		goto fail;
	}
	vm->size = st.st_size;
	vm->hdr = mmap(NULL, vm->size, PROT_READ | (vm->readonly ? 0 : PROT_WRITE), MAP_SHARED, fd, 0);
	if (vm->hdr == MAP_FAILED) {
		vm->hdr = NULL;
		snprintf(err, errlen, "cannot map %s: %s", vm->path, strerror(errno));
		goto fail;
	}
	vm->fd = fd;
	vm->dev = st.st_dev;
	vm->ino = st.st_ino;
	vm->lost = false;
	vm->nr_slots = (vm->size - SCXE_ABI_HDR_SIZE) / SCXE_ABI_SLOT_SIZE;
	if (vm->nr_slots > SCXE_ABI_MAX_SLOTS)
		vm->nr_slots = SCXE_ABI_MAX_SLOTS;
	if (guarded(vm, check_layout, &seen)) {
		snprintf(err, errlen, "%s shrank while it was being opened; is the VMM recreating it?", vm->path);
		goto fail_unmap;
	}
	vm->blank = seen.blank;
	if (seen.blank) {
		if (vm->readonly) {
			snprintf(err, errlen, "%s is not laid out yet (all zero); no daemon has published to it", vm->path);
			goto fail_unmap;
		}
	} else if (seen.magic != SCXE_ABI_MAGIC) {
		snprintf(err, errlen, "%s is not an scx_errata shared file (magic 0x%08x); left untouched, pass another path",
			 vm->path, seen.magic);
		goto fail_unmap;
	} else if (seen.version != SCXE_ABI_VERSION) {
		snprintf(err, errlen, "%s has ABI version %u, this daemon writes %u; recreate the file",
			 vm->path, seen.version, SCXE_ABI_VERSION);
		goto fail_unmap;
	} else if (seen.slot_offset != SCXE_ABI_HDR_SIZE || seen.slot_size != SCXE_ABI_SLOT_SIZE) {
		snprintf(err, errlen, "%s has a foreign slot layout (offset %u size %u); recreate the file",
			 vm->path, seen.slot_offset, seen.slot_size);
		goto fail_unmap;
	}
	if (vm->nr_slots < min_slots) {
		snprintf(err, errlen, "%s has %u slots but the VM has %u vCPUs; recreate it larger",
			 vm->path, vm->nr_slots, min_slots);
		goto fail_unmap;
	}
	return 0;

fail_unmap:
	munmap(vm->hdr, vm->size);
	vm->hdr = NULL;
	vm->fd = -1;
fail:
	close(fd);
	if (vm->created)
		unlink(vm->path);
	vm->created = false;
	return -1;
}

static void seq_begin(struct scxe_shm_hdr *h)
{
	__u32 seq = h->seq;

	__atomic_store_n(&h->seq, seq | 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void seq_end(struct scxe_shm_hdr *h)
{
	__atomic_store_n(&h->seq, (h->seq | 1) + 1, __ATOMIC_RELEASE);
}

struct publish_args {
	const struct scxe_shm_hdr *tmpl;
	__u32 mode, max_hold_us;
	bool live;
};

static void publish(struct vm *vm, void *arg)
{
	const struct publish_args *a = arg;
	const struct scxe_shm_hdr *tmpl = a->tmpl;
	struct scxe_shm_hdr *h = vm->hdr;

	if (vm->blank) {
		init_layout(vm);
		vm->blank = false;
	}
	seq_begin(h);
	/* restore the layout too: the guest may have scribbled over it */
	h->version = SCXE_ABI_VERSION;
	h->hdr_size = SCXE_ABI_HDR_SIZE;
	h->total_size = vm->size;
	h->nr_slots = vm->nr_slots;
	h->slot_size = SCXE_ABI_SLOT_SIZE;
	h->slot_offset = SCXE_ABI_HDR_SIZE;
	h->magic = SCXE_ABI_MAGIC;
	h->mode = a->mode;
	h->max_hold_us = a->max_hold_us;
	h->reserved1 = 0;
	h->hold_budget_pct = tmpl->hold_budget_pct;
	h->nr_types = tmpl->nr_types;
	h->nr_errata = tmpl->nr_errata;
	h->knowledge_flags = tmpl->knowledge_flags;
	memcpy(h->types, tmpl->types, sizeof(h->types));
	memcpy(h->errata, tmpl->errata, sizeof(h->errata));
	h->fence_live = a->live;
	seq_end(h);
}

int vm_publish(struct vm *vm, const struct scxe_shm_hdr *tmpl, __u32 mode, __u32 max_hold_us,
	       bool live)
{
	struct publish_args a = { tmpl, mode, max_hold_us, live };

	return guarded(vm, publish, &a);
}

static void disarm(struct vm *vm, void *arg)
{
	/* not live first: a guest checking both sees no guarantee as early as possible */
	__atomic_store_n(&vm->hdr->fence_live, 0, __ATOMIC_RELEASE);
	for (__u32 i = 0; i < vm->nr_slots; i++)
		__atomic_store_n(&vm_slot(vm, i)->armed, 0, __ATOMIC_RELEASE);
}

void vm_disarm(struct vm *vm)
{
	guarded(vm, disarm, NULL);
}

struct slot_args {
	__u32 idx;
	pid_t tid;	/* 0: disarm the slot */
};

static void slot_write(struct vm *vm, void *arg)
{
	const struct slot_args *a = arg;
	struct scxe_slot *s = vm_slot(vm, a->idx);

	if (!a->tid) {
		__atomic_store_n(&s->armed, 0, __ATOMIC_RELEASE);
		return;
	}
	s->reserved1 = 0;
	s->arch_id = a->idx;	/* flat topology: APIC id / MPIDR Aff0 = vCPU index */
}

void vm_slot_registered(struct vm *vm, __u32 idx, pid_t tid)
{
	struct slot_args a = { idx, tid };

	guarded(vm, slot_write, &a);
}

void vm_slot_disarm(struct vm *vm, __u32 idx)
{
	struct slot_args a = { idx, 0 };

	guarded(vm, slot_write, &a);
}

const char *vm_check(struct vm *vm)
{
	struct stat st, now;

	if (vm->lost)
		return "became unusable";
	if (fstat(vm->fd, &st) || st.st_size < (off_t)vm->size) {
		vm->lost = true;
		return "was truncated";
	}
	if (stat(vm->path, &now) || now.st_dev != vm->dev || now.st_ino != vm->ino) {
		vm->lost = true;
		return "was removed or replaced";
	}
	return NULL;
}

int vm_open_record(struct vm *vm, int id, const struct scxe_vm_rec *rec, char *err, size_t errlen)
{
	bool readonly = vm->readonly;

	vm_reset(vm);
	vm->nocreate = true;	/* a recorded VM's file exists, or the pairing is over */
	vm->id = id;
	vm->pid = rec->pid;
	vm->readonly = readonly;
	snprintf(vm->path, sizeof(vm->path), "%.*s", (int)sizeof(rec->path), rec->path);
	return vm_open(vm, 0, err, errlen);
}

void vm_unmap(struct vm *vm)
{
	if (vm->hdr)
		munmap(vm->hdr, vm->size);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->hdr = NULL;
	vm->fd = -1;
}

void vm_close(struct vm *vm)
{
	for (__u32 i = 0; i < SCXE_ABI_MAX_SLOTS; i++) {
		if (vm->pidfd[i] >= 0)
			close(vm->pidfd[i]);
		if (vm->xfd[i] >= 0)
			close(vm->xfd[i]);
		vm->pidfd[i] = vm->xfd[i] = -1;
	}
	vm_unmap(vm);
}
