// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c and the name matching of vcpu.c, without root or BPF: --vm spec parsing, the shared
 * file's creation, adoption and refusal (in a mkdtemp directory), and the host-side writes
 * (publish under the seqlock, disarm).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "unit.h"
#include "vcpu.h"
#include "vm.h"

static char dir[64];
static char err[PATH_MAX + 256];

/* A fresh temporary directory; returns dir/name in a static buffer. */
static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!dir[0]) {
		/* tmpfs: vm_open refuses shared files anywhere else */
		snprintf(dir, sizeof(dir), "/dev/shm/scxe-unit-vm.XXXXXX");
		if (!mkdtemp(dir)) {
			unit_fail(__FILE__, __LINE__, "mkdtemp failed");
			dir[0] = '\0';
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void tmp_cleanup(const char *name)
{
	unlink(tmp_path(name));
	rmdir(dir);
	dir[0] = '\0';
}

/* A struct vm for pid 1 and path, as vm_parse_spec makes it. */
static void vm_for(struct vm *vm, const char *path)
{
	char spec[PATH_MAX + 16];

	snprintf(spec, sizeof(spec), "1:%s", path);
	EXPECT_EQ(vm_parse_spec(spec, vm, err, sizeof(err)), 0);
}

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static ssize_t read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* vm_open, then the first publish lays a blank file out, as the daemon does */
static int open_laid_out(struct vm *vm, __u32 min_slots)
{
	static const struct scxe_shm_hdr none;

	if (vm_open(vm, min_slots, err, sizeof(err)))
		return -1;
	return vm_publish(vm, &none, SCXE_MODE_SAME_TYPE, 0, false);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* ---- vm_parse_spec --------------------------------------------------------------------- */

UNIT_TEST(vm_spec_pid_and_path)
{
	struct vm vm;

	EXPECT_EQ(vm_parse_spec("4242:/dev/shm/scx_errata.vm0", &vm, err, sizeof(err)), 0);
	EXPECT_EQ(vm.pid, 4242);
	EXPECT_STR(vm.path, "/dev/shm/scx_errata.vm0");
	EXPECT_EQ(vm.nr_tids, 0);
	EXPECT_EQ(vm.fd, -1);
	EXPECT(vm.hdr == NULL);
}

UNIT_TEST(vm_spec_explicit_tids_in_order)
{
	struct vm vm;

	EXPECT_EQ(vm_parse_spec("77:/dev/shm/x:1001,1000,1003", &vm, err, sizeof(err)), 0);
	EXPECT_EQ(vm.pid, 77);
	EXPECT_STR(vm.path, "/dev/shm/x");
	EXPECT_EQ(vm.nr_tids, 3);
	EXPECT_EQ(vm.explicit_tids[0], 1001);
	EXPECT_EQ(vm.explicit_tids[1], 1000);
	EXPECT_EQ(vm.explicit_tids[2], 1003);
	EXPECT_EQ(vm_parse_spec("5:/a:9", &vm, err, sizeof(err)), 0);
	EXPECT_EQ(vm.nr_tids, 1);
	EXPECT_EQ(vm.explicit_tids[0], 9);
}

/* spec must fail with one line naming it (its first bytes, when long) and containing want */
static void expect_spec_error(const char *spec, const char *want, int line)
{
	struct vm vm;

	err[0] = '\0';
	if (vm_parse_spec(spec, &vm, err, sizeof(err)) != -1) {
		unit_fail(__FILE__, line, "--vm '%.60s' was accepted", spec);
		return;
	}
	if (!strstr(err, want))
		unit_fail(__FILE__, line, "--vm '%.60s': error \"%s\" lacks \"%s\"", spec, err, want);
	/* named: its first bytes, a control character shown as '?' */
	for (size_t i = 0; i < 40 && spec[i]; i++)
		if (strncmp(err, "--vm '", 6) || err[6 + i] != ((unsigned char)spec[i] < 0x20 ? '?' : spec[i])) {
			unit_fail(__FILE__, line, "--vm '%.60s': error \"%s\" does not name the spec", spec, err);
			break;
		}
	if (strchr(err, '\n') || strlen(err) > 200)
		unit_fail(__FILE__, line, "--vm '%.60s': error \"%.80s...\" is not one short line", spec, err);
}

UNIT_TEST(vm_spec_rejects_bad_input)
{
	static char longpath[PATH_MAX + 32], manytids[16 * SCXE_ABI_MAX_SLOTS + 32];
	const struct {
		const char *spec, *want;
	} t[] = {
		/* the pid */
		{ "", "is not PID:PATH" },
		{ "4242", "is not PID:PATH" },
		{ "abc:/dev/shm/x", "is not PID:PATH" },
		{ "12x:/dev/shm/x", "is not PID:PATH" },
		{ ":/dev/shm/x", "is not PID:PATH" },
		{ "0:/dev/shm/x", "is not PID:PATH" },
		{ "-3:/dev/shm/x", "is not PID:PATH" },
		/* a pid that overflows pid_t must not wrap around to another process (init) */
		{ "4294967297:/dev/shm/x", "is not PID:PATH" },
		{ "99999999999999999999999:/dev/shm/x", "is not PID:PATH" },
		{ "4194305:/dev/shm/x", "is not PID:PATH with a pid from 1 to 4194304" },
		{ "+5:/dev/shm/x", "is not PID:PATH" },
		{ " 5:/dev/shm/x", "is not PID:PATH" },
		{ "0x10:/dev/shm/x", "is not PID:PATH" },
		{ "5\n:/dev/shm/x", "is not PID:PATH" },
		/* the path */
		{ "4242:", "must be an absolute path" },
		{ "4242:shm/x", "must be an absolute path" },
		{ "4242::1,2", "must be an absolute path" },
		{ "4242:./x", "must be an absolute path" },
		{ longpath, "the shared file's path is longer than 4095 bytes" },
		/* the vCPU threads */
		{ "1:/x:", "empty vCPU thread list" },
		{ "1:/x:a", "TID,TID,... in vCPU order" },
		{ "1:/x:1,,2", "TID,TID,... in vCPU order" },
		{ "1:/x:1;2", "TID,TID,... in vCPU order" },
		{ "1:/x:0", "TID,TID,... in vCPU order" },
		{ "1:/x:-7", "TID,TID,... in vCPU order" },
		{ "1:/x:5,6x", "TID,TID,... in vCPU order" },
		{ "1:/x:1,", "TID,TID,... in vCPU order" },
		{ "1:/x:,1", "TID,TID,... in vCPU order" },
		{ "1:/x:4294967297", "TID,TID,... in vCPU order" },
		{ "1:/x:4194305", "TID,TID,... in vCPU order" },
		{ "1:/x:1:2", "TID,TID,... in vCPU order" },
		{ "1:/x:7,8,7", "thread 7 is listed for vCPU 0 and 2; one thread runs one vCPU" },
		{ manytids, "more than 1024 vCPU threads" },
	};
	size_t n;

	/* a path that does not fit PATH_MAX */
	snprintf(longpath, sizeof(longpath), "1:/");
	memset(longpath + 3, 'a', PATH_MAX);
	longpath[3 + PATH_MAX] = '\0';
	/* one more thread than the ABI has slots */
	n = snprintf(manytids, sizeof(manytids), "1:/x:");
	for (unsigned i = 0; i <= SCXE_ABI_MAX_SLOTS; i++)
		n += snprintf(manytids + n, sizeof(manytids) - n, "%s%u", i ? "," : "", 100 + i);
	for (int i = 0; i < UNIT_ROWS(t); i++)
		expect_spec_error(t[i].spec, t[i].want, __LINE__);
	unit_inputs("vm-spec", UNIT_ROWS(t));
}

/* ---- vcpu_index_from_name -------------------------------------------------------------- */

UNIT_TEST(vcpu_names_of_each_vmm)
{
	EXPECT_EQ(vcpu_index_from_name("CPU 3/KVM"), 3);	/* QEMU (debug-threads=on) */
	EXPECT_EQ(vcpu_index_from_name("CPU 0/KVM"), 0);
	EXPECT_EQ(vcpu_index_from_name("vcpu12"), 12);		/* Cloud Hypervisor */
	EXPECT_EQ(vcpu_index_from_name("vcpu0"), 0);
	EXPECT_EQ(vcpu_index_from_name("crosvm_vcpu0"), 0);	/* crosvm */
	EXPECT_EQ(vcpu_index_from_name("crosvm_vcpu15"), 15);
	EXPECT_EQ(vcpu_index_from_name("fc_vcpu 7"), 7);	/* Firecracker */
	EXPECT_EQ(vcpu_index_from_name("vcpu1023"), 1023);	/* the last slot the ABI has */
}

UNIT_TEST(vcpu_names_rejected)
{
	static const char *const bad[] = {
		"vcpu", "CPU x/KVM", "vcpu3x", "qemu-system-x86", "CPU 3", "CPU 3/KVMx", "CPU /KVM",
		"CPU -1/KVM", "vcpu-1", "vcpu 1", " vcpu1", "vcpu+1", "crosvm_vcpu", "fc_vcpu7",
		"fc_vcpu ", "vcpu1024", "vcpu99999999999999999999", "", "IO mon_iothread", "worker",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vcpu_index_from_name(bad[i]) != -1)
			unit_fail(__FILE__, __LINE__, "thread name \"%s\" gave vCPU %d, expected -1",
				  bad[i], vcpu_index_from_name(bad[i]));
}

/* ---- vm_open --------------------------------------------------------------------------- */

static void expect_layout(const struct vm *vm, size_t size, __u32 slots)
{
	const struct scxe_shm_hdr *h = vm->hdr;

	EXPECT(h != NULL);
	if (!h)
		return;
	EXPECT_EQ(vm->size, size);
	EXPECT_EQ(h->magic, SCXE_ABI_MAGIC);
	EXPECT_EQ(h->version, SCXE_ABI_VERSION);
	EXPECT_EQ(h->hdr_size, SCXE_ABI_HDR_SIZE);
	EXPECT_EQ(h->total_size, size);
	EXPECT_EQ(h->nr_slots, slots);
	EXPECT_EQ(vm->nr_slots, slots);
	EXPECT_EQ(h->slot_size, SCXE_ABI_SLOT_SIZE);
	EXPECT_EQ(h->slot_offset, SCXE_ABI_HDR_SIZE);
	EXPECT_EQ(h->fence_live, 0);
}

UNIT_TEST(vm_open_creates_8k_file)
{
	const char *path = tmp_path("new");
	struct vm vm;
	bool fresh = true;

	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	EXPECT(vm.created);
	EXPECT(vm.fd >= 0);
	EXPECT_EQ(file_size(path), 8192);
	expect_layout(&vm, 8192, 64);
	for (__u32 i = 0; vm.hdr && i < vm.nr_slots; i++) {
		struct scxe_slot *s = vm_slot(&vm, i);

		if (s->cur_type != SCXE_ABI_TYPE_NONE || s->cur_cpu != SCXE_ABI_TYPE_NONE || s->armed ||
		    s->in_errata || s->run_seq)
			fresh = false;
	}
	EXPECT(fresh);
	/* the last slot ends exactly at the end of the file */
	if (vm.hdr)
		EXPECT_EQ((char *)vm_slot(&vm, 63) + SCXE_ABI_SLOT_SIZE - (char *)vm.hdr, 8192);
	vm_close(&vm);
	EXPECT_EQ(vm.fd, -1);
	EXPECT(vm.hdr == NULL);
	tmp_cleanup("new");
}

UNIT_TEST(vm_open_sizes_for_min_slots)
{
	const char *path = tmp_path("big");
	struct vm vm;

	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 100), 0);
	/* 4 KiB + 100 * 64 bytes rounded to pages = 12 KiB, then to a power of two */
	EXPECT_EQ(file_size(path), 16384);
	expect_layout(&vm, 16384, 192);
	vm_close(&vm);
	tmp_cleanup("big");

	path = tmp_path("huge");
	vm_for(&vm, path);
	EXPECT_EQ(vm_open(&vm, SCXE_ABI_MAX_SLOTS + 1, err, sizeof(err)), -1);
	EXPECT(strstr(err, "exceed the ABI's 1024 slots") != NULL);
	EXPECT_EQ(access(path, F_OK), -1);	/* nothing left behind */
	tmp_cleanup("huge");
}

UNIT_TEST(vm_open_lays_out_zero_file)
{
	const char *path = tmp_path("zero");
	static char zero[8192];
	struct vm vm;

	EXPECT_EQ(write_file(path, zero, sizeof(zero)), 0);
	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	EXPECT(!vm.created);
	expect_layout(&vm, 8192, 64);
	if (vm.hdr)
		EXPECT_EQ(vm_slot(&vm, 5)->cur_type, SCXE_ABI_TYPE_NONE);
	vm_close(&vm);
	tmp_cleanup("zero");

	/* a 1 MiB zero file (libvirt's smallest shmem) holds at most the ABI's 1024 slots */
	path = tmp_path("mib");
	EXPECT_EQ(write_file(path, "", 0), 0);
	EXPECT_EQ(truncate(path, 1 << 20), 0);
	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	expect_layout(&vm, 1 << 20, SCXE_ABI_MAX_SLOTS);
	vm_close(&vm);
	tmp_cleanup("mib");
}

/* vm_open must refuse path, keep its bytes, and say want */
static void expect_refused(const char *path, __u32 min_slots, const char *want, int line)
{
	static unsigned char before[1 << 16], after[1 << 16];
	struct stat st;
	/* only regular files have bytes to compare (reading a FIFO would block) */
	bool regular = !lstat(path, &st) && S_ISREG(st.st_mode);
	ssize_t n1 = regular ? read_file(path, before, sizeof(before)) : 0, n2;
	struct vm vm;

	vm_for(&vm, path);
	err[0] = '\0';
	if (vm_open(&vm, min_slots, err, sizeof(err)) != -1) {
		unit_fail(__FILE__, line, "vm_open accepted %s", path);
		vm_close(&vm);
		return;
	}
	if (!strstr(err, want))
		unit_fail(__FILE__, line, "error \"%s\" lacks \"%s\"", err, want);
	if (!strstr(err, path))
		unit_fail(__FILE__, line, "error \"%s\" does not name the file", err);
	if (vm.hdr || vm.fd != -1 || vm.created)
		unit_fail(__FILE__, line, "a refused vm keeps a mapping, an fd or the created flag");
	n2 = regular ? read_file(path, after, sizeof(after)) : 0;
	if (n1 < 0 || n1 != n2 || memcmp(before, after, n1))
		unit_fail(__FILE__, line, "%s changed (%zd -> %zd bytes)", path, n1, n2);
}

UNIT_TEST(vm_open_refuses_foreign_file)
{
	const char *path = tmp_path("foreign");
	static unsigned char buf[8192];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = "someone else's data "[i % 20];
	EXPECT_EQ(write_file(path, buf, sizeof(buf)), 0);
	expect_refused(path, 0, "is not an scx_errata shared file", __LINE__);

	/* magic 0 but something else in the header: still not ours to lay out */
	memset(buf, 0, sizeof(buf));
	buf[1000] = 1;
	EXPECT_EQ(write_file(path, buf, sizeof(buf)), 0);
	expect_refused(path, 0, "is not an scx_errata shared file", __LINE__);
	tmp_cleanup("foreign");
}

UNIT_TEST(vm_open_writes_nothing_before_publish)
{
	const char *path = tmp_path("blank");
	static char zero[8192], back[8192];
	struct vm vm;

	EXPECT_EQ(write_file(path, zero, sizeof(zero)), 0);
	vm_for(&vm, path);
	EXPECT_EQ(vm_open(&vm, 0, err, sizeof(err)), 0);
	EXPECT(vm.blank);
	EXPECT_EQ(read_file(path, back, sizeof(back)), (ssize_t)sizeof(back));
	EXPECT(!memcmp(zero, back, sizeof(back)));	/* a failed start would leave it as it was */
	vm_close(&vm);
	tmp_cleanup("blank");
}

UNIT_TEST(vm_open_refuses_unsafe_files)
{
	const char *path = tmp_path("target"), *link;
	static char zero[8192];
	char target[128];

	EXPECT_EQ(write_file(path, zero, sizeof(zero)), 0);
	snprintf(target, sizeof(target), "%s", path);
	link = tmp_path("link");
	EXPECT_EQ(symlink(target, link), 0);
	expect_refused(link, 0, "is a symbolic link", __LINE__);
	unlink(link);

	EXPECT_EQ(chmod(target, 0666), 0);
	expect_refused(target, 0, "is writable by others", __LINE__);
	EXPECT_EQ(chmod(target, 0660), 0);
	if (geteuid() == 0) {
		/* vm_for's VMM is pid 1 (root): a file of another user is not that VMM's */
		EXPECT_EQ(chown(target, 4321, 4321), 0);
		expect_refused(target, 0, "is owned by uid 4321", __LINE__);
	}
	unlink(target);

	EXPECT_EQ(mkfifo(target, 0600), 0);
	expect_refused(target, 0, "is not a regular file", __LINE__);
	unlink(target);

	EXPECT_EQ(mkdir(target, 0700), 0);
	expect_refused(target, 0, "is not a regular file", __LINE__);
	rmdir(target);
	tmp_cleanup("target");
}

UNIT_TEST(vm_open_refuses_files_off_tmpfs)
{
	char path[] = "/var/tmp/scxe-unit-vm.XXXXXX";
	static char zero[8192];
	struct statfs fs;
	int fd = mkstemp(path);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	EXPECT_EQ(write(fd, zero, sizeof(zero)), (ssize_t)sizeof(zero));
	close(fd);
	if (!statfs(path, &fs) && fs.f_type != 0x01021994)
		expect_refused(path, 0, "is not on tmpfs", __LINE__);
	unlink(path);
}

UNIT_TEST(vm_open_refuses_small_file)
{
	const char *path = tmp_path("small");
	static unsigned char buf[4096];

	EXPECT_EQ(write_file(path, buf, sizeof(buf)), 0);
	expect_refused(path, 0, "too small for the header and one slot", __LINE__);
	EXPECT_EQ(file_size(path), 4096);	/* not ours: not removed either */
	tmp_cleanup("small");
}

/* An scx_errata file with one header field changed after creation. */
static void make_ours_then(const char *path, size_t field_off, __u32 value)
{
	struct vm vm;

	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	if (vm.hdr)
		*(__u32 *)((char *)vm.hdr + field_off) = value;
	vm_close(&vm);
}

UNIT_TEST(vm_open_refuses_other_version_and_layout)
{
	const char *path = tmp_path("ver");

	make_ours_then(path, offsetof(struct scxe_shm_hdr, version), 2);
	expect_refused(path, 0, "has ABI version 2", __LINE__);
	unlink(path);
	make_ours_then(path, offsetof(struct scxe_shm_hdr, slot_offset), 8192);
	expect_refused(path, 0, "foreign slot layout", __LINE__);
	unlink(path);
	make_ours_then(path, offsetof(struct scxe_shm_hdr, slot_size), 128);
	expect_refused(path, 0, "foreign slot layout", __LINE__);
	tmp_cleanup("ver");
}

UNIT_TEST(vm_open_keeps_guest_fields_of_earlier_run)
{
	const char *path = tmp_path("again");
	struct vm vm;
	struct scxe_slot *s;

	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	if (!vm.hdr)
		return;
	s = vm_slot(&vm, 3);
	s->in_errata = 1;		/* a guest inside a window while the daemon restarts */
	s->erratum = 5;
	s->window_seq = 9;
	s->cur_type = 1;
	s->run_seq = 44;
	vm.hdr->total_size = 0;		/* stale host fields are rewritten */
	vm.hdr->nr_slots = 0;
	vm_close(&vm);

	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 4), 0);
	EXPECT(!vm.created);
	expect_layout(&vm, 8192, 64);
	if (vm.hdr) {
		s = vm_slot(&vm, 3);
		EXPECT_EQ(s->in_errata, 1);
		EXPECT_EQ(s->erratum, 5);
		EXPECT_EQ(s->window_seq, 9);
		EXPECT_EQ(s->run_seq, 44);
		EXPECT_EQ(vm_slot(&vm, 4)->cur_type, SCXE_ABI_TYPE_NONE);
	}
	vm_close(&vm);
	tmp_cleanup("again");
}

UNIT_TEST(vm_open_respects_min_slots_of_existing_file)
{
	const char *path = tmp_path("few");
	struct vm vm;

	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	vm_close(&vm);
	expect_refused(path, 65, "has 64 slots but the VM has 65 vCPUs", __LINE__);
	EXPECT_EQ(file_size(path), 8192);	/* an existing file is never removed */
	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 64), 0);
	vm_close(&vm);
	tmp_cleanup("few");
}

/* Every kind of shared file vm_open refuses, one per row; each is left as it was. */
UNIT_TEST(vm_open_bad_files)
{
	enum { SIZE, OURS_FIELD, FOREIGN, SYMLINK, DANGLING, FIFO, DIR, SOCKET, MODE, OWNER };
	const struct {
		int op;
		long arg, arg2;		/* SIZE: bytes; OURS_FIELD: offset, value; MODE: mode; OWNER: uid */
		__u32 min_slots;
		const char *want;
	} t[] = {
		{ SIZE, 0, 0, 0, "is 0 bytes, too small for the header and one slot (need >= 4160)" },
		{ SIZE, 100, 0, 0, "is 100 bytes, too small" },
		{ SIZE, 4096, 0, 0, "is 4096 bytes, too small" },
		{ SIZE, 4159, 0, 0, "is 4159 bytes, too small" },
		{ FOREIGN, 8192, 0, 0, "is not an scx_errata shared file (magic 0x656d6f73); left untouched" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, magic), 0x12345678, 0, "is not an scx_errata shared file (magic 0x12345678)" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, version), 2, 0, "has ABI version 2, this daemon writes 1; recreate the file" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, version), 0, 0, "has ABI version 0" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, version), 0xffffffff, 0, "has ABI version 4294967295" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, slot_offset), 8192, 0, "has a foreign slot layout (offset 8192 size 64)" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, slot_offset), 0, 0, "has a foreign slot layout (offset 0 size 64)" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, slot_size), 128, 0, "has a foreign slot layout (offset 4096 size 128)" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, slot_size), 0, 0, "has a foreign slot layout (offset 4096 size 0)" },
		{ OURS_FIELD, offsetof(struct scxe_shm_hdr, seq), 1, 65, "has 64 slots but the VM has 65 vCPUs; recreate it larger" },
		{ SYMLINK, 0, 0, 0, "is a symbolic link; name the shared file itself" },
		{ DANGLING, 0, 0, 0, "is a symbolic link" },
		{ FIFO, 0, 0, 0, "is not a regular file; a VM's shared file must be one, on tmpfs" },
		{ DIR, 0, 0, 0, "is not a regular file" },
		{ SOCKET, 0, 0, 0, "cannot open" },
		{ MODE, 0666, 0, 0, "is writable by others (mode 0666); chmod o-w it" },
		{ MODE, 0602, 0, 0, "is writable by others (mode 0602)" },
		{ MODE, 01662, 0, 0, "is writable by others (mode 1662)" },
		{ OWNER, 4321, 0, 0, "is owned by uid 4321, neither root nor the user of process 1; chown it" },
		{ OWNER, 65534, 0, 0, "is owned by uid 65534" },
	};
	static char buf[8192];
	const char *path = tmp_path("bad"), *other = NULL;
	char target[128];
	int n = 0;

	for (int i = 0; i < UNIT_ROWS(t); i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd;

		if (t[i].op == OWNER && geteuid())
			continue;	/* chown needs root */
		n++;
		memset(buf, 0, sizeof(buf));
		switch (t[i].op) {
		case SIZE:
			EXPECT_EQ(write_file(path, buf, t[i].arg), 0);
			break;
		case FOREIGN:
			for (size_t j = 0; j < sizeof(buf); j++)
				buf[j] = "someone else's data "[j % 20];
			EXPECT_EQ(write_file(path, buf, sizeof(buf)), 0);
			break;
		case OURS_FIELD:
			make_ours_then(path, t[i].arg, t[i].arg2);
			break;
		case SYMLINK:
		case DANGLING:
			snprintf(target, sizeof(target), "%s", tmp_path("target"));
			if (t[i].op == SYMLINK)
				EXPECT_EQ(write_file(target, buf, sizeof(buf)), 0);
			other = target;	/* tmp_path's buffer is reused below */
			EXPECT_EQ(symlink(target, tmp_path("bad")), 0);
			break;
		case FIFO:
			EXPECT_EQ(mkfifo(path, 0600), 0);
			break;
		case DIR:
			EXPECT_EQ(mkdir(path, 0700), 0);
			break;
		case SOCKET:
			snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			EXPECT(fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
			close(fd);
			break;
		case MODE:
		case OWNER:
			EXPECT_EQ(write_file(path, buf, sizeof(buf)), 0);
			if (t[i].op == MODE)
				EXPECT_EQ(chmod(path, t[i].arg), 0);
			else
				EXPECT_EQ(chown(path, t[i].arg, t[i].arg), 0);
			break;
		}
		path = tmp_path("bad");
		expect_refused(path, t[i].min_slots, t[i].want, __LINE__);
		if (t[i].op == DIR)
			rmdir(path);
		else
			unlink(path);
		if (other)
			unlink(other);
		other = NULL;
		path = tmp_path("bad");
	}
	tmp_cleanup("bad");
	unit_inputs("vm-file", n);
}

/* A paired file the VMM truncates: the next access is refused, not a SIGBUS; vm_check says so. */
UNIT_TEST(vm_truncated_while_paired)
{
	const char *path = tmp_path("trunc");
	struct vm vm;
	static const struct scxe_shm_hdr none;

	vm_guard_install();
	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	EXPECT(vm_check(&vm) == NULL);
	{
		__u32 v = 7;

		EXPECT_EQ(vm_read_u32(&vm, &vm.hdr->magic, &v), 0);
		EXPECT_EQ(v, SCXE_ABI_MAGIC);
		EXPECT_EQ(truncate(path, 0), 0);
		/* what status reads: refused, not a SIGBUS, and the value left alone */
		v = 7;
		EXPECT_EQ(vm_read_u32(&vm, &vm_slot(&vm, 0)->in_errata, &v), -1);
		EXPECT_EQ(v, 7);
		vm.lost = false;
	}
	EXPECT_EQ(vm_publish(&vm, &none, SCXE_MODE_SAME_TYPE, 0, true), -1);	/* SIGBUS caught */
	EXPECT(vm.lost);
	EXPECT_STR(vm_check(&vm), "became unusable");
	vm_disarm(&vm);		/* no crash either */
	vm_close(&vm);

	/* shrunk, but not under the mapped pages: vm_check notices the size */
	vm_for(&vm, path);
	unlink(path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	EXPECT_EQ(truncate(path, 4096 + 64), 0);
	EXPECT_STR(vm_check(&vm), "was truncated");
	vm_close(&vm);
	tmp_cleanup("trunc");
	unit_inputs("vm-file", 2);
}

UNIT_TEST(vm_open_reports_unopenable_path)
{
	struct vm vm;

	vm_for(&vm, "/nonexistent-scxe-dir/f");
	EXPECT_EQ(vm_open(&vm, 0, err, sizeof(err)), -1);
	EXPECT(strstr(err, "cannot open /nonexistent-scxe-dir/f") != NULL);
	EXPECT(vm.hdr == NULL);
}

/* ---- vm_publish, vm_disarm ------------------------------------------------------------- */

static void fill_template(struct scxe_shm_hdr *t)
{
	memset(t, 0, sizeof(*t));
	t->nr_types = 2;
	t->nr_errata = 2;
	t->knowledge_flags = SCXE_KF_TYPES_VALID | SCXE_KF_ERRATA_VALID;
	snprintf(t->types[0].name, sizeof(t->types[0].name), "big");
	t->types[0].core_kind = SCXE_CORE_BIG;
	t->types[0].nr_cpus = 2;
	snprintf(t->types[1].name, sizeof(t->types[1].name), "little");
	t->types[1].core_kind = SCXE_CORE_LITTLE;
	t->types[1].nr_cpus = 2;
	snprintf(t->errata[0].id, sizeof(t->errata[0].id), "1530923");
	t->errata[0].type_mask = 1;
	t->errata[0].class = SCXE_CLASS_CPU;
	t->errata[0].management = SCXE_MGMT_DYNAMIC;
	snprintf(t->errata[1].id, sizeof(t->errata[1].id), "858921");
	t->errata[1].type_mask = 3;
	t->errata[1].class = SCXE_CLASS_TIMER;
	t->errata[1].management = SCXE_MGMT_STATIC;
	/* header fields the template must not carry over */
	t->magic = 0xdeadbeef;
	t->nr_slots = 7;
	t->seq = 99;
}

UNIT_TEST(vm_publish_seqlock_and_tables)
{
	const char *path = tmp_path("pub");
	struct scxe_shm_hdr t;
	struct vm vm;
	__u32 seq0;

	fill_template(&t);
	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	if (!vm.hdr)
		return;
	seq0 = vm.hdr->seq;
	EXPECT_EQ(seq0 % 2, 0);
	t.hold_budget_pct = 30;
	vm.hdr->reserved1 = 1234;	/* a guest's scribble: the host writes 0, never its pid */
	vm_publish(&vm, &t, SCXE_MODE_SAME_TYPE, 50000, true);
	EXPECT_EQ(vm.hdr->seq % 2, 0);
	EXPECT_EQ(vm.hdr->seq, seq0 + 2);
	EXPECT_EQ(vm.hdr->fence_live, 1);
	EXPECT_EQ(vm.hdr->mode, SCXE_MODE_SAME_TYPE);
	EXPECT_EQ(vm.hdr->max_hold_us, 50000);
	EXPECT_EQ(vm.hdr->reserved1, 0);
	EXPECT_EQ(vm.hdr->hold_budget_pct, 30);
	EXPECT_EQ(vm.hdr->nr_types, 2);
	EXPECT_EQ(vm.hdr->nr_errata, 2);
	EXPECT_EQ(vm.hdr->knowledge_flags, SCXE_KF_TYPES_VALID | SCXE_KF_ERRATA_VALID);
	EXPECT(!memcmp(vm.hdr->types, t.types, sizeof(t.types)));
	EXPECT(!memcmp(vm.hdr->errata, t.errata, sizeof(t.errata)));
	EXPECT_STR(vm.hdr->types[1].name, "little");
	EXPECT_STR(vm.hdr->errata[1].id, "858921");
	/* the layout is the file's, not the template's */
	EXPECT_EQ(vm.hdr->magic, SCXE_ABI_MAGIC);
	EXPECT_EQ(vm.hdr->nr_slots, 64);

	/* republish not live, same-cpu, from a torn earlier write (odd seq): ends even, newer */
	vm.hdr->seq = 5;
	vm_publish(&vm, &t, SCXE_MODE_SAME_CPU, 0, false);
	EXPECT_EQ(vm.hdr->seq, 6);
	EXPECT_EQ(vm.hdr->fence_live, 0);
	EXPECT_EQ(vm.hdr->mode, SCXE_MODE_SAME_CPU);
	EXPECT_EQ(vm.hdr->max_hold_us, 0);
	vm_close(&vm);
	tmp_cleanup("pub");
}

UNIT_TEST(vm_disarm_clears_live_and_armed)
{
	const char *path = tmp_path("disarm");
	struct scxe_shm_hdr t;
	struct vm vm;
	int armed = 0;

	fill_template(&t);
	vm_for(&vm, path);
	EXPECT_EQ(open_laid_out(&vm, 0), 0);
	if (!vm.hdr)
		return;
	vm_publish(&vm, &t, SCXE_MODE_SAME_TYPE, 50000, true);
	for (__u32 i = 0; i < vm.nr_slots; i++) {
		vm_slot(&vm, i)->armed = 1;
		vm_slot(&vm, i)->cur_type = i % 2;
	}
	vm_slot(&vm, 2)->in_errata = 1;
	vm_disarm(&vm);
	EXPECT_EQ(vm.hdr->fence_live, 0);
	for (__u32 i = 0; i < vm.nr_slots; i++)
		armed += vm_slot(&vm, i)->armed != 0;
	EXPECT_EQ(armed, 0);
	/* the knowledge and the guest's fields stay: only the guarantee is withdrawn */
	EXPECT_EQ(vm.hdr->nr_types, 2);
	EXPECT_EQ(vm_slot(&vm, 3)->cur_type, 1);
	EXPECT_EQ(vm_slot(&vm, 2)->in_errata, 1);
	vm_close(&vm);
	vm_disarm(&vm);		/* closed: a no-op, not a crash */
	tmp_cleanup("disarm");
}
