// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's shared file, as a VMM or an attacker may leave it, -> vm_open / vm_open_record,
 * then the host-side writes and vm_check on whatever was accepted. The candidate file is
 * written into a private directory on tmpfs (the code refuses anything else) and removed
 * after each input.
 *
 * Input: 5 header bytes, then the file's first bytes.
 *   byte 0: bit 0 readonly (status), bit 1 open through vm_open_record, bit 2 nocreate,
 *           bit 3 no file at the path, bit 4 mode 0666 (writable by others),
 *           bits 5-6 what is at the path: 0 regular file, 1 directory, 2 symlink to a
 *           regular file, 3 FIFO
 *   byte 1: after a successful open: bit 0 publish, bit 1 disarm, bit 2 register and
 *           disarm a slot, bit 3 truncate the file (then publish must fail, not crash),
 *           bit 4 replace the file, bit 5 the file belongs to another user (before open)
 *   byte 2: min_slots / 5 (so beyond the ABI's 1024 slots too)
 *   bytes 3-4: file size in units of 8 bytes, little endian (the rest is zero)
 *
 * Oracles: a refused file is left byte for byte as it was and no file is left behind that
 * was not there; an accepted one is mapped whole with at least min_slots slots; a readonly
 * open never writes; every descriptor and mapping is released by vm_close.
 */
#include <sys/mman.h>
#include "fuzz.h"
#include "vm.h"

static char dir[PATH_MAX], path[PATH_MAX + 32], target[PATH_MAX + 32];
static struct vm vm;
static struct scxe_shm_hdr tmpl;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(dir, sizeof(dir), "%s/v", fuzz_scratch("shm_file"));
	snprintf(path, sizeof(path), "%s/scx_errata.vm", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	vm_guard_install();
	tmpl.nr_types = 2;
	tmpl.nr_errata = 1;
	snprintf(tmpl.types[0].name, sizeof(tmpl.types[0].name), "Cortex-A76");
	snprintf(tmpl.errata[0].id, sizeof(tmpl.errata[0].id), "1530923");
	return 0;
}

/* The file at p holds content then zeros up to size (and nothing else)? */
static bool file_is(const char *p, const uint8_t *content, size_t n, size_t size)
{
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	bool same = false;
	uint8_t *m;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) || (size_t)st.st_size != size) {
		close(fd);
		return false;
	}
	if (!size) {
		close(fd);
		return true;
	}
	m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return false;
	same = !memcmp(m, content, n);
	for (size_t i = n; same && i < size; i++)
		same = !m[i];
	munmap(m, size);
	return same;
}

/*
 * Make the candidate: the file (or what stands in its place). Returns whether it belongs to
 * another user (only root can give it away).
 */
static bool make_candidate(int what, bool absent, mode_t mode, const uint8_t *c, size_t n,
			   size_t size, bool foreign)
{
	const char *file = what == 2 ? target : path;
	int fd;

	if (mkdir(dir, 0755))
		fuzz_die("cannot make %s: %s", dir, strerror(errno));
	if (what == 1) {
		mkdir(path, 0755);
		return false;
	}
	if (what == 3) {
		mkfifo(path, mode);
		return false;
	}
	if (absent && what == 0)
		return false;
	fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 || ftruncate(fd, size) || pwrite(fd, c, n, 0) != (ssize_t)n)
		fuzz_die("cannot write %s: %s", file, strerror(errno));
	/* the mode as asked, not as the umask left it */
	if (fchmod(fd, mode))
		fuzz_die("cannot set the mode of %s: %s", file, strerror(errno));
	foreign = foreign && !fchown(fd, 4242, 4242);
	close(fd);
	if (what == 2 && symlink(target, path))
		fuzz_die("cannot link %s: %s", path, strerror(errno));
	return foreign;
}

static void after_open(uint8_t post)
{
	struct stat st;

	if (!vm.hdr || vm.fd < 0 || vm.nr_slots == 0 || vm.nr_slots > SCXE_ABI_MAX_SLOTS ||
	    vm.size < SCXE_ABI_HDR_SIZE + (size_t)vm.nr_slots * SCXE_ABI_SLOT_SIZE)
		fuzz_die("accepted with %u slots in %zu bytes", vm.nr_slots, vm.size);
	if (fstat(vm.fd, &st) || (size_t)st.st_size != vm.size)
		fuzz_die("mapped %zu bytes of a %lld byte file", vm.size, (long long)st.st_size);
	if (vm_check(&vm))
		fuzz_die("a file just opened is already lost");
	if (vm.readonly)
		return;
	if (post & 8) {
		if (ftruncate(vm.fd, 0))
			fuzz_die("ftruncate: %s", strerror(errno));
		if (!vm_check(&vm) || !vm.lost)
			fuzz_die("vm_check missed a truncation");
		vm.lost = false;	/* so that the writes below run into SIGBUS */
	}
	if (post & 16) {
		if (unlink(path) || !fuzz_write(path, "x", 1, false, 0660))
			fuzz_die("cannot replace %s", path);
		if (!vm_check(&vm) || !vm.lost)
			fuzz_die("vm_check missed a replaced file");
		vm.lost = false;
	}
	if (post & 1) {
		int rc = vm_publish(&vm, &tmpl, SCXE_MODE_SAME_TYPE, 50000, true);

		if ((post & 8) ? rc != -1 || !vm.lost : rc != 0)
			fuzz_die("vm_publish returned %d (truncated %d)", rc, !!(post & 8));
		if (!rc && (vm.hdr->magic != SCXE_ABI_MAGIC || vm.hdr->nr_slots != vm.nr_slots))
			fuzz_die("published header has magic 0x%x, %u slots", vm.hdr->magic,
				 vm.hdr->nr_slots);
		vm.lost = false;
	}
	if (post & 4) {
		vm_slot_registered(&vm, vm.nr_slots - 1, 4242);
		vm_slot_disarm(&vm, vm.nr_slots - 1);
		vm.lost = false;
	}
	if (post & 2)
		vm_disarm(&vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	uint8_t f, post;
	int what, rc;
	bool absent, foreign;
	size_t fsize, n;
	__u32 min_slots;
	mode_t mode;
	int fds = fuzz_fd_mark();

	if (size < 5)
		return 0;
	f = data[0];
	post = data[1];
	min_slots = data[2] * 5u;
	fsize = ((size_t)data[3] | (size_t)data[4] << 8) * 8;
	data += 5;
	size -= 5;
	n = size < fsize ? size : fsize;
	what = f >> 5 & 3;
	absent = f & 8;
	mode = f & 16 ? 0666 : 0660;

	fuzz_rm_tree(dir);
	foreign = make_candidate(what, absent, mode, data, n, fsize, post & 32);
	vm_reset(&vm);
	snprintf(vm.path, sizeof(vm.path), "%s", path);
	vm.pid = 0;	/* no process: the owner check never looks into /proc */
	vm.readonly = f & 1;
	vm.nocreate = f & 4;
	if (f & 2) {
		struct scxe_vm_rec rec = { .pid = 0, .nr_slots = min_slots };

		snprintf(rec.path, sizeof(rec.path), "%s", path);
		rc = vm_open_record(&vm, 1, &rec, err, sizeof(err));
	} else {
		rc = vm_open(&vm, min_slots, err, sizeof(err));
	}
	if (rc) {
		if (!err[0] || vm.hdr || vm.fd != -1)
			fuzz_die("refused ('%s') but left a mapping or descriptor", err);
		/* left untouched, and nothing left behind that was not there */
		if (what == 0 && !absent && !file_is(path, data, n, fsize))
			fuzz_die("a refused file was changed: %s", err);
		if (what == 2 && !file_is(target, data, n, fsize))
			fuzz_die("the target of a refused symlink was changed: %s", err);
		if (what == 0 && absent && !access(path, F_OK))
			fuzz_die("a failed open left a file behind: %s", err);
	} else {
		if (what != 0)
			fuzz_die("accepted something that is not a regular file (kind %d)", what);
		/* a file vm_open created itself has its own mode */
		if ((!absent && (mode & S_IWOTH)) || foreign)
			fuzz_die("accepted a file writable by others or owned by a stranger");
		if (!absent && (vm.readonly || vm.blank) && !file_is(path, data, n, fsize))
			fuzz_die("the file was written before anything was published to it");
		after_open(post);
	}
	vm_close(&vm);
	fuzz_rm_tree(dir);
	fuzz_fd_check(fds);
	return 0;
}
