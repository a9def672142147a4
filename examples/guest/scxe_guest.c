// SPDX-License-Identifier: GPL-2.0
/*
 * scxe_guest: what the host's scx_errata shared with this guest, read from inside the guest.
 *
 * Plain C user space for a Linux guest: libc and include/scx_errata_abi.h, nothing else.
 *
 *   cc -O2 -Iinclude examples/guest/scxe_guest.c -o scxe_guest
 *   ./scxe_guest                        # find the ivshmem BAR (PCI 1af4:1110) and report
 *   ./scxe_guest --json                 # the same as one JSON object
 *   ./scxe_guest --bar 0000:00:04.0     # that PCI device's BAR2
 *   ./scxe_guest --file /dev/shm/scx_errata.vm0 --vcpu 0   # any file (e.g. on the host)
 *   ./scxe_guest --file /dev/mem --offset 0x200000000      # a raw guest-physical mapping
 *   ./scxe_guest --window-demo          # one errata window with the two-store protocol
 *
 * The page is read with the protocol of docs/abi.md: the header tables under the seqlock,
 * the vCPU slot with single aligned loads. Nothing here needs the scx_errata daemon or BPF.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "scx_errata_abi.h"

#define IVSHMEM_VENDOR	0x1af4
#define IVSHMEM_DEVICE	0x1110
#define PCI_DEVICES	"/sys/bus/pci/devices"

static const char usage_text[] =
"usage: scxe_guest [--bar PCI_ADDR | --file PATH [--offset N]] [--vcpu N] [--json] [--window-demo]\n"
"\n"
"Show what the host's scx_errata shares with this VM: whether the errata fence is live, the\n"
"host's CPU types, its CPU and timer errata, and this vCPU's slot with the errata that apply\n"
"to the core type the vCPU runs on now.\n"
"\n"
"  -b, --bar PCI_ADDR  BAR2 of this ivshmem device (e.g. 0000:00:04.0); default: the first\n"
"                      PCI device with vendor 0x1af4 device 0x1110\n"
"  -f, --file PATH     read the shared page from PATH instead (a host's /dev/shm file, /dev/mem)\n"
"  -o, --offset N      byte offset of the page in PATH (page aligned; e.g. a guest-physical\n"
"                      address with --file /dev/mem)\n"
"  -c, --vcpu N        report slot N; default: the vCPU this program runs on (arm64: from its\n"
"                      MPIDR in the devicetree, QEMU virt's layout; else the CPU number,\n"
"                      the VMM's vCPU index when the guest's CPUs are numbered flat)\n"
"  -w, --window-demo   open and close one errata window on the slot and show what it read\n"
"  -j, --json          one JSON object on stdout; errors as {\"error\": \"...\"}\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 ok, 1 bad usage, 2 no usable shared page (not found, unreadable, not scx_errata).\n";

struct opts {
	const char *bar;
	const char *file;
	unsigned long long offset;
	long vcpu;		/* -1: sched_getcpu() */
	bool json;
	bool window_demo;
};

struct page {
	char path[PATH_MAX];
	const char *kind;	/* "bar" or "file" */
	bool writable;
	unsigned char *base;	/* mmap base (page aligned) */
	size_t map_len;
	volatile struct scxe_shm_hdr *hdr;
	size_t size;		/* usable bytes from hdr on */
};

static bool json_out;

/* ---- output helpers ------------------------------------------------------------------ */

static void json_string(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A one-line error (text) or {"error": ...} (JSON); returns exit status 2. */
static int fail(const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_out) {
		fputs("{\"error\":", stdout);
		json_string(stdout, msg, sizeof(msg));
		fputs("}\n", stdout);
	} else {
		fprintf(stderr, "scxe_guest: %s\n", msg);
	}
	return 2;
}

static int usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "scxe_guest: %s; see 'scxe_guest -h'\n", msg);
	return 1;
}

/* Printable copy of a fixed-size, possibly unterminated name. */
static const char *name_of(const volatile char *src, size_t n, char *buf)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		buf[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
	buf[i] = '\0';
	return buf;
}

static const char *arch_name(unsigned a)
{
	return a == SCXE_ARCH_ARM64 ? "arm64" : a == SCXE_ARCH_X86 ? "x86" : "unknown";
}

static const char *kind_name(unsigned k)
{
	switch (k) {
	case SCXE_CORE_BIG:	return "big";
	case SCXE_CORE_LITTLE:	return "little";
	case SCXE_CORE_MID:	return "mid";
	case SCXE_CORE_UNIFORM:	return "uniform";
	default:		return "unknown";
	}
}

static const char *mode_name(unsigned m)
{
	return m == SCXE_MODE_SAME_TYPE ? "same-type" : m == SCXE_MODE_SAME_CPU ? "same-cpu" : "unknown";
}

static const char *class_name(unsigned c)
{
	return c == SCXE_CLASS_CPU ? "cpu" : c == SCXE_CLASS_TIMER ? "timer" : "unknown";
}

static const char *mgmt_name(unsigned m)
{
	return m == SCXE_MGMT_STATIC ? "static" : m == SCXE_MGMT_DYNAMIC ? "dynamic" : "unknown";
}

static const char *source_name(unsigned s)
{
	return s == SCXE_SRC_CPU_TYPE ? "cpu-type" : s == SCXE_SRC_DEVICETREE ? "devicetree" :
	       s == SCXE_SRC_ACPI ? "acpi" : "unknown";
}

/* ---- finding and mapping the page ------------------------------------------------------ */

static long read_hex_file(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 16);
	fclose(f);
	return v;
}

static bool is_ivshmem(const char *dev)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/vendor", PCI_DEVICES, dev);
	if (read_hex_file(path) != IVSHMEM_VENDOR)
		return false;
	snprintf(path, sizeof(path), "%s/%s/device", PCI_DEVICES, dev);
	return read_hex_file(path) == IVSHMEM_DEVICE;
}

/* The first ivshmem device by PCI address, so the choice is stable across boots. */
static int find_ivshmem(char *dev, size_t len)
{
	struct dirent **ents;
	int n = scandir(PCI_DEVICES, &ents, NULL, alphasort), found = -1;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (found < 0 && ents[i]->d_name[0] != '.' && is_ivshmem(ents[i]->d_name)) {
			snprintf(dev, len, "%s", ents[i]->d_name);
			found = 0;
		}
		free(ents[i]);
	}
	free(ents);
	return found;
}

static int map_at(struct page *pg, int fd, unsigned long long off, size_t len, bool rw)
{
	long psz = sysconf(_SC_PAGESIZE);
	unsigned long long start = off & ~(unsigned long long)(psz - 1);
	size_t lead = off - start;
	void *p;

	p = mmap(NULL, len + lead, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED, fd, start);
	if (p == MAP_FAILED)
		return -1;
	pg->base = p;
	pg->map_len = len + lead;
	pg->hdr = (volatile struct scxe_shm_hdr *)((unsigned char *)p + lead);
	pg->size = len;
	return 0;
}

/*
 * Map the page: the whole file when its size is known (a BAR's resource file reports the BAR
 * size, a tmpfs file its length), otherwise (a device like /dev/mem) the header first and
 * then total_size from it.
 */
static int open_page(struct page *pg, const struct opts *o)
{
	struct stat st;
	size_t len;
	int fd, err;

	if (o->file) {
		snprintf(pg->path, sizeof(pg->path), "%s", o->file);
		pg->kind = "file";
	} else {
		char dev[256];

		if (o->bar) {
			/* accept 00:04.0 for 0000:00:04.0 */
			snprintf(dev, sizeof(dev), "%s%s", strchr(o->bar, ':') == strrchr(o->bar, ':') ?
				 "0000:" : "", o->bar);
			snprintf(pg->path, sizeof(pg->path), "%s/%s/vendor", PCI_DEVICES, dev);
			if (access(pg->path, F_OK))
				return fail("--bar: no PCI device %s in %s; list them with 'ls %s'",
					    dev, PCI_DEVICES, PCI_DEVICES);
			if (!is_ivshmem(dev)) {
				long vendor = read_hex_file(pg->path);

				snprintf(pg->path, sizeof(pg->path), "%s/%s/device", PCI_DEVICES, dev);
				return fail("--bar %s is not an ivshmem device (vendor 0x%04lx device 0x%04lx, want 1af4:1110)",
					    o->bar, vendor, read_hex_file(pg->path));
			}
		} else if (find_ivshmem(dev, sizeof(dev))) {
			return fail("no ivshmem device (PCI 1af4:1110) in this guest; give the VMM one "
				    "(see examples/) or pass --file PATH");
		}
		snprintf(pg->path, sizeof(pg->path), "%s/%s/resource2", PCI_DEVICES, dev);
		pg->kind = "bar";
	}

	pg->writable = true;
	fd = open(pg->path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM || errno == EROFS)) {
		pg->writable = false;	/* reading is enough unless --window-demo */
		fd = open(pg->path, O_RDONLY | O_SYNC | O_CLOEXEC);
	}
	if (fd < 0)
		return fail("cannot open %s: %s%s", pg->path, strerror(errno),
			    errno == EACCES ? " (run as root)" : "");
	if (fstat(fd, &st)) {
		err = errno;
		close(fd);
		return fail("cannot stat %s: %s", pg->path, strerror(err));
	}
	if (S_ISREG(st.st_mode)) {
		if ((unsigned long long)st.st_size <= o->offset ||
		    (unsigned long long)st.st_size - o->offset < SCXE_ABI_HDR_SIZE + SCXE_ABI_SLOT_SIZE) {
			close(fd);
			return fail("%s is %lld bytes, too small for the scx_errata header and one slot at offset %llu",
				    pg->path, (long long)st.st_size, o->offset);
		}
		len = st.st_size - o->offset;
		if (map_at(pg, fd, o->offset, len, pg->writable))
			goto map_fail;
	} else {
		/* a device: map the header, then the size it declares */
		if (map_at(pg, fd, o->offset, SCXE_ABI_HDR_SIZE, pg->writable))
			goto map_fail;
		len = pg->hdr->magic == SCXE_ABI_MAGIC ? pg->hdr->total_size : SCXE_ABI_HDR_SIZE;
		if (len > SCXE_ABI_HDR_SIZE && len <= (64u << 20)) {
			munmap(pg->base, pg->map_len);
			if (map_at(pg, fd, o->offset, len, pg->writable))
				goto map_fail;
		}
	}
	close(fd);
	return 0;
map_fail:
	err = errno;
	close(fd);
	return fail("cannot map %s: %s", pg->path, strerror(err));
}

/* ---- reading it ---------------------------------------------------------------------- */

/* magic, version and sizes; the message says what a guest must do without them */
static int validate(const struct page *pg)
{
	const volatile struct scxe_shm_hdr *h = pg->hdr;
	unsigned long long slots_end;

	if (h->magic == 0)
		return fail("%s is not laid out yet (magic 0): the host daemon has not paired this VM; "
			    "assume the errata of every core type", pg->path);
	if (h->magic != SCXE_ABI_MAGIC)
		return fail("%s is not an scx_errata shared page (magic 0x%08x, want 0x%08x); "
			    "assume the errata of every core type", pg->path, (unsigned)h->magic, SCXE_ABI_MAGIC);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* magic is written last */
	if (h->version != SCXE_ABI_VERSION)
		return fail("%s has ABI version %u, this reader knows %u: assume the errata of every core type",
			    pg->path, (unsigned)h->version, SCXE_ABI_VERSION);
	if (h->hdr_size < sizeof(struct scxe_shm_hdr) || h->hdr_size > h->slot_offset)
		return fail("%s: header size %u is invalid", pg->path, (unsigned)h->hdr_size);
	if (h->slot_size < SCXE_ABI_SLOT_SIZE || h->slot_offset % 4096)
		return fail("%s: slot layout (offset %u, size %u) is invalid", pg->path,
			    (unsigned)h->slot_offset, (unsigned)h->slot_size);
	slots_end = h->slot_offset + (unsigned long long)h->nr_slots * h->slot_size;
	if (h->total_size > pg->size || slots_end > h->total_size || h->nr_slots == 0)
		return fail("%s: %u slots of %u bytes at %u do not fit the %u-byte region (%zu mapped)",
			    pg->path, (unsigned)h->nr_slots, (unsigned)h->slot_size,
			    (unsigned)h->slot_offset, (unsigned)h->total_size, pg->size);
	return 0;
}

/* The header under its seqlock: read seq, copy, read seq again; retry while odd or changed. */
static int snapshot(const struct page *pg, struct scxe_shm_hdr *out)
{
	const volatile struct scxe_shm_hdr *h = pg->hdr;

	for (int tries = 0; tries < 10000; tries++) {
		__u32 s1 = __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE), s2;

		if (!(s1 & 1)) {
			/* volatile byte copy: the compiler must not merge or elide these loads */
			const volatile unsigned char *src = (const volatile unsigned char *)h;
			unsigned char *dst = (unsigned char *)out;

			for (size_t i = 0; i < sizeof(*out); i++)
				dst[i] = src[i];
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&h->seq, __ATOMIC_RELAXED);
			if (s1 == s2) {
				if (out->nr_types > SCXE_ABI_MAX_TYPES)
					out->nr_types = SCXE_ABI_MAX_TYPES;
				if (out->nr_errata > SCXE_ABI_MAX_ERRATA)
					out->nr_errata = SCXE_ABI_MAX_ERRATA;
				return 0;
			}
		}
		if (tries > 100) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	return fail("%s: the header kept changing for 10 s (seq %u); is the host daemon restarting in a loop?",
		    pg->path, (unsigned)h->seq);
}

static volatile struct scxe_slot *slot_at(const struct page *pg, __u32 i)
{
	return (volatile struct scxe_slot *)((unsigned char *)pg->hdr + pg->hdr->slot_offset +
					     (size_t)i * pg->hdr->slot_size);
}

struct slot_view {
	__u32 in_errata, erratum, window_seq;
	__u32 armed, cur_type, cur_cpu, run_seq;
	__u64 arch_id;
	__u32 fenced_switchouts, forced_moves, expired_holds, budget_releases;
};

/* Each field is one aligned load; run_seq read around them tells a consistent set. */
static void read_slot(volatile struct scxe_slot *s, struct slot_view *v)
{
	for (int tries = 0; tries < 100; tries++) {
		__u32 seq = s->run_seq;

		v->in_errata = s->in_errata;
		v->erratum = s->erratum;
		v->window_seq = s->window_seq;
		v->armed = s->armed;
		v->cur_type = s->cur_type;
		v->cur_cpu = s->cur_cpu;
		v->arch_id = s->arch_id;
		v->fenced_switchouts = s->fenced_switchouts;
		v->forced_moves = s->forced_moves;
		v->expired_holds = s->expired_holds;
		v->budget_releases = s->budget_releases;
		v->run_seq = seq;
		if (s->run_seq == seq)
			return;
	}
}

/* ---- errata applicability ------------------------------------------------------------ */

static __u32 present_mask(const struct scxe_shm_hdr *h)
{
	return h->nr_types >= 32 ? ~0u : (1u << h->nr_types) - 1;
}

/*
 * With the guarantee (fence live, slot armed, cur_type known): the static errata present on any
 * type (they are handled everywhere) and the dynamic errata of cur_type. Without it: every
 * erratum of every present type.
 */
static bool applies(const struct scxe_shm_hdr *h, const struct scxe_abi_erratum *e, bool guarantee,
		    __u32 cur_type)
{
	if (!(e->type_mask & present_mask(h)))
		return false;
	if (!guarantee || e->management != SCXE_MGMT_DYNAMIC)
		return true;
	return e->type_mask & (1u << cur_type);
}

static void type_ident(const struct scxe_abi_type *t, char *buf, size_t len)
{
	if (t->arch == SCXE_ARCH_X86)
		snprintf(buf, len, "%s family 0x%x model 0x%x stepping %u (CPUID.1.EAX 0x%llx)",
			 t->vendor == 1 ? "Intel" : t->vendor == 2 ? "AMD" : "vendor ?", t->part,
			 t->variant, t->revision, (unsigned long long)t->midr);
	else if (t->arch == SCXE_ARCH_ARM64)
		snprintf(buf, len, "MIDR 0x%08llx (implementer 0x%02x part 0x%03x r%up%u) REVIDR 0x%llx",
			 (unsigned long long)t->midr, t->vendor, t->part, t->variant, t->revision,
			 (unsigned long long)t->revidr);
	else
		snprintf(buf, len, "id 0x%llx", (unsigned long long)t->midr);
}

/* ---- the window demo ------------------------------------------------------------------ */

struct window_view {
	__u32 depth_before, cur_type, cur_cpu, armed, run_seq_in, run_seq_out;
	bool pinned;
};

/* ---- which slot is this vCPU's --------------------------------------------------------- */

/*
 * The VMM's index of the vCPU Linux calls cpu, and how it was found. On arm64 it comes from
 * the CPU's MPIDR, which the devicetree's cpu node keeps in reg (one or two big-endian cells):
 * QEMU's virt board gives vCPU i the affinity Aff0 = i % 16, Aff1 = i / 16 (GICv3; a GICv2
 * board has at most 8 CPUs, all in Aff0), so the index holds whatever order Linux numbers
 * its CPUs in. Elsewhere (x86, an arm64 guest booted with ACPI only) it is the CPU number:
 * the index in a flat topology, where firmware lists vCPUs in index order.
 */
static long vcpu_of_cpu(int cpu, const char **how)
{
#if defined(__aarch64__)
	unsigned char reg[8];
	char path[96];
	__u64 mpidr = 0;
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/of_node/reg", cpu);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, reg, sizeof(reg));
		close(fd);
	}
	if (n == 4 || n == 8) {
		for (ssize_t i = 0; i < n; i++)
			mpidr = mpidr << 8 | reg[i];
		*how = "mpidr";
		if (mpidr & 0xff00ff00f0ull)	/* Aff3, Aff2 or Aff0 past 15: not virt's layout */
			return -1;
		return (long)((mpidr >> 8 & 0xff) * 16 + (mpidr & 0xf));
	}
#endif
	*how = "cpu";
	return cpu;
}

/* The Linux CPU that is vCPU index vcpu, or -1. */
static int cpu_of_vcpu(long vcpu)
{
	const char *how;
	char path[64];

	for (int c = 0; c < CPU_SETSIZE; c++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", c);
		if (access(path, F_OK))
			break;
		if (vcpu_of_cpu(c, &how) == vcpu)
			return c;
	}
	return -1;
}

/*
 * The guest protocol of docs/abi.md, once: store 1 to in_errata, compiler barrier, read
 * cur_type, ... , store 0. A real guest does this in its kernel with preemption off; here the
 * thread is pinned to the vCPU so the guest scheduler does not move it to another slot's vCPU.
 */
static void window_demo(volatile struct scxe_slot *s, long vcpu, struct window_view *w)
{
	cpu_set_t set;
	__u32 depth;

	int cpu = cpu_of_vcpu(vcpu);

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	w->pinned = cpu >= 0 && !sched_setaffinity(0, sizeof(set), &set) && sched_getcpu() == cpu;

	depth = s->in_errata;
	w->depth_before = depth;
	if (!depth)
		s->window_seq = s->window_seq + 1;	/* a new outermost window: restart the hold */
	s->in_errata = depth + 1;			/* store 1: the window starts */
	__asm__ __volatile__("" ::: "memory");		/* compiler barrier */
	w->cur_type = s->cur_type;			/* the type this window stays on */
	w->cur_cpu = s->cur_cpu;
	w->armed = s->armed;
	w->run_seq_in = s->run_seq;
	/* ... errata handling chosen for cur_type would run here ... */
	__asm__ __volatile__("" ::: "memory");
	w->run_seq_out = s->run_seq;
	s->in_errata = depth;				/* store 2: the window ends */
}

/* ---- reporting ------------------------------------------------------------------------ */

struct report {
	const struct page *pg;
	struct scxe_shm_hdr h;
	long vcpu;
	const char *vcpu_from;	/* "option", "cpu" (its number) or "mpidr" (arm64) */
	struct slot_view sv;
	bool guarantee;
	bool have_window;
	struct window_view w;
};

static void json_mask(FILE *f, __u32 mask, __u32 present)
{
	bool first = true;

	fputc('[', f);
	for (int t = 0; t < 32; t++)
		if ((mask & present) & (1u << t)) {
			fprintf(f, "%s%d", first ? "" : ",", t);
			first = false;
		}
	fputc(']', f);
}

static void print_json(const struct report *r)
{
	const struct scxe_shm_hdr *h = &r->h;
	const struct slot_view *v = &r->sv;
	bool cur_known = v->cur_type < h->nr_types;
	char buf[160];
	bool first;
	FILE *f = stdout;

	fprintf(f, "{\"source\":{\"kind\":\"%s\",\"path\":", r->pg->kind);
	json_string(f, r->pg->path, sizeof(r->pg->path));
	fprintf(f, ",\"size\":%zu,\"writable\":%s}", r->pg->size, r->pg->writable ? "true" : "false");
	fprintf(f, ",\"abi\":{\"magic\":\"0x%08x\",\"version\":%u,\"hdr_size\":%u,\"total_size\":%u,"
		   "\"nr_slots\":%u,\"slot_size\":%u,\"slot_offset\":%u,\"seq\":%u}",
		h->magic, h->version, h->hdr_size, h->total_size, h->nr_slots, h->slot_size,
		h->slot_offset, h->seq);
	fprintf(f, ",\"fence\":{\"live\":%s,\"mode\":\"%s\",\"max_hold_us\":%u,\"hold_budget_pct\":%u}",
		h->fence_live ? "true" : "false", mode_name(h->mode), h->max_hold_us, h->hold_budget_pct);
	fprintf(f, ",\"knowledge\":{\"types_valid\":%s,\"errata_valid\":%s,\"errata_truncated\":%s}",
		h->knowledge_flags & SCXE_KF_TYPES_VALID ? "true" : "false",
		h->knowledge_flags & SCXE_KF_ERRATA_VALID ? "true" : "false",
		h->knowledge_flags & SCXE_KF_ERRATA_TRUNC ? "true" : "false");
	fputs(",\"types\":[", f);
	for (__u32 i = 0; i < h->nr_types; i++) {
		const struct scxe_abi_type *t = &h->types[i];

		fprintf(f, "%s{\"index\":%u,\"name\":", i ? "," : "", i);
		json_string(f, t->name, sizeof(t->name));
		fprintf(f, ",\"arch\":\"%s\",\"kind\":\"%s\",\"cpus\":%u,\"capacity\":%u,\"midr\":\"0x%llx\","
			   "\"revidr\":\"0x%llx\",\"vendor\":%u,\"part\":%u,\"variant\":%u,\"revision\":%u,"
			   "\"identity\":",
			arch_name(t->arch), kind_name(t->core_kind), t->nr_cpus, t->capacity,
			(unsigned long long)t->midr, (unsigned long long)t->revidr, t->vendor, t->part,
			t->variant, t->revision);
		type_ident(t, buf, sizeof(buf));
		json_string(f, buf, sizeof(buf));
		fputc('}', f);
	}
	fputs("],\"errata\":[", f);
	first = true;
	for (__u32 i = 0; i < h->nr_errata; i++) {
		const struct scxe_abi_erratum *e = &h->errata[i];

		if (e->class == SCXE_CLASS_TIMER)
			continue;
		fprintf(f, "%s{\"index\":%u,\"id\":", first ? "" : ",", i);
		json_string(f, e->id, sizeof(e->id));
		fprintf(f, ",\"class\":\"%s\",\"management\":\"%s\",\"source\":\"%s\",\"types\":",
			class_name(e->class), mgmt_name(e->management), source_name(e->source));
		json_mask(f, e->type_mask, present_mask(h));
		fprintf(f, ",\"db_line\":%u}", e->db_index);
		first = false;
	}
	fputs("],\"timer_errata\":[", f);
	first = true;
	for (__u32 i = 0; i < h->nr_errata; i++) {
		const struct scxe_abi_erratum *e = &h->errata[i];

		if (e->class != SCXE_CLASS_TIMER)
			continue;
		fprintf(f, "%s{\"index\":%u,\"id\":", first ? "" : ",", i);
		json_string(f, e->id, sizeof(e->id));
		fprintf(f, ",\"management\":\"%s\",\"source\":\"%s\",\"types\":",
			mgmt_name(e->management), source_name(e->source));
		json_mask(f, e->type_mask, present_mask(h));
		fputc('}', f);
		first = false;
	}
	fprintf(f, "],\"vcpu\":{\"index\":%ld,\"from\":\"%s\",\"armed\":%s,\"cur_type\":", r->vcpu,
		r->vcpu_from, v->armed ? "true" : "false");
	if (cur_known)
		fprintf(f, "%u,\"cur_type_name\":", v->cur_type);
	else
		fputs("null,\"cur_type_name\":", f);
	if (cur_known)
		json_string(f, h->types[v->cur_type].name, SCXE_ABI_NAME_LEN);
	else
		fputs("null", f);
	fputs(",\"cur_cpu\":", f);
	if (v->cur_cpu == SCXE_ABI_TYPE_NONE)
		fputs("null", f);
	else
		fprintf(f, "%u", v->cur_cpu);
	fprintf(f, ",\"run_seq\":%u,\"in_errata\":%u,\"erratum\":%u,\"window_seq\":%u,\"arch_id\":%llu,"
		   "\"fenced_switchouts\":%u,\"forced_moves\":%u,\"expired_holds\":%u,\"budget_releases\":%u,"
		   "\"guarantee\":%s,\"assume_all_types\":%s,\"applicable\":[",
		v->run_seq, v->in_errata, v->erratum, v->window_seq, (unsigned long long)v->arch_id,
		v->fenced_switchouts, v->forced_moves, v->expired_holds, v->budget_releases,
		r->guarantee ? "true" : "false", r->guarantee ? "false" : "true");
	first = true;
	for (__u32 i = 0; i < h->nr_errata; i++)
		if (applies(h, &h->errata[i], r->guarantee, v->cur_type)) {
			if (!first)
				fputc(',', f);
			json_string(f, h->errata[i].id, SCXE_ABI_ID_LEN);
			first = false;
		}
	fputs("]}", f);
	if (r->have_window) {
		const struct window_view *w = &r->w;

		fprintf(f, ",\"window_demo\":{\"pinned\":%s,\"depth_before\":%u,\"armed\":%s,\"cur_type\":",
			w->pinned ? "true" : "false", w->depth_before, w->armed ? "true" : "false");
		if (w->cur_type < h->nr_types)
			fprintf(f, "%u", w->cur_type);
		else
			fputs("null", f);
		fputs(",\"cur_cpu\":", f);
		if (w->cur_cpu == SCXE_ABI_TYPE_NONE)
			fputs("null", f);
		else
			fprintf(f, "%u", w->cur_cpu);
		fprintf(f, ",\"descheduled\":%s}", w->run_seq_in != w->run_seq_out ? "true" : "false");
	}
	fputs("}\n", f);
}

static void print_types_of(__u32 mask, __u32 present, const struct scxe_shm_hdr *h)
{
	char nm[SCXE_ABI_NAME_LEN + 1];
	bool first = true;

	if ((mask & present) == present && h->nr_types > 1) {
		fputs("all types", stdout);
		return;
	}
	for (__u32 t = 0; t < h->nr_types; t++)
		if (mask & (1u << t)) {
			printf("%s%u %s", first ? "" : ", ", t, name_of(h->types[t].name, SCXE_ABI_NAME_LEN, nm));
			first = false;
		}
	if (first)
		fputs("no present type", stdout);
}

static void print_text(const struct report *r)
{
	const struct scxe_shm_hdr *h = &r->h;
	const struct slot_view *v = &r->sv;
	__u32 present = present_mask(h);
	char nm[SCXE_ABI_NAME_LEN + 1], id[SCXE_ABI_ID_LEN + 1], buf[160];
	int n;

	printf("shared page: %s (%s, %zu bytes%s)\n", r->pg->path, r->pg->kind, r->pg->size,
	       r->pg->writable ? "" : ", read-only");
	printf("abi: magic ok, version %u, %u slots of %u bytes at offset %u\n", h->version,
	       h->nr_slots, h->slot_size, h->slot_offset);
	if (h->fence_live)
		printf("fence: live, mode %s, max hold %u us%s, hold budget %u%%\n", mode_name(h->mode),
		       h->max_hold_us, h->max_hold_us ? "" : " (never released)", h->hold_budget_pct);
	else
		printf("fence: not live (mode %s): no window is honoured now\n", mode_name(h->mode));
	if (!(h->knowledge_flags & SCXE_KF_TYPES_VALID))
		printf("types: none published\n");
	else
		printf("types: %u\n", h->nr_types);
	for (__u32 i = 0; i < h->nr_types; i++) {
		const struct scxe_abi_type *t = &h->types[i];

		type_ident(t, buf, sizeof(buf));
		printf("  type %u %s: arch %s, kind %s, cpus %u, capacity %u, %s\n", i,
		       name_of(t->name, SCXE_ABI_NAME_LEN, nm), arch_name(t->arch), kind_name(t->core_kind),
		       t->nr_cpus, t->capacity, buf);
	}
	n = 0;
	for (__u32 i = 0; i < h->nr_errata; i++)
		n += h->errata[i].class != SCXE_CLASS_TIMER;
	printf("errata: %d%s%s\n", n, h->knowledge_flags & SCXE_KF_ERRATA_VALID ? "" :
	       " (not matched against a database)", h->knowledge_flags & SCXE_KF_ERRATA_TRUNC ?
	       " (truncated: the host has more than the page holds)" : "");
	for (__u32 i = 0; i < h->nr_errata; i++) {
		const struct scxe_abi_erratum *e = &h->errata[i];

		if (e->class == SCXE_CLASS_TIMER)
			continue;
		printf("  %-10s %-7s on ", name_of(e->id, SCXE_ABI_ID_LEN, id), mgmt_name(e->management));
		print_types_of(e->type_mask, present, h);
		putchar('\n');
	}
	n = 0;
	for (__u32 i = 0; i < h->nr_errata; i++)
		n += h->errata[i].class == SCXE_CLASS_TIMER;
	printf("timer errata: %d\n", n);
	for (__u32 i = 0; i < h->nr_errata; i++) {
		const struct scxe_abi_erratum *e = &h->errata[i];

		if (e->class != SCXE_CLASS_TIMER)
			continue;
		printf("  %-10s %-7s from %s on ", name_of(e->id, SCXE_ABI_ID_LEN, id),
		       mgmt_name(e->management), source_name(e->source));
		print_types_of(e->type_mask, present, h);
		putchar('\n');
	}

	printf("vcpu %ld (%s): armed %u, cur_type ", r->vcpu,
	       !strcmp(r->vcpu_from, "option") ? "--vcpu" :
	       !strcmp(r->vcpu_from, "mpidr") ? "the MPIDR of the CPU this runs on" :
	       "the CPU this runs on", v->armed);
	if (v->cur_type < h->nr_types)
		printf("%u (%s)", v->cur_type, name_of(h->types[v->cur_type].name, SCXE_ABI_NAME_LEN, nm));
	else
		printf("none");
	if (v->cur_cpu == SCXE_ABI_TYPE_NONE)
		printf(", cur_cpu none");
	else
		printf(", cur_cpu %u", v->cur_cpu);
	printf(", run_seq %u\n", v->run_seq);
	printf("  guest: in_errata %u, erratum %u, window_seq %u\n", v->in_errata, v->erratum, v->window_seq);
	printf("  host: fenced_switchouts %u, forced_moves %u, expired_holds %u, budget_releases %u, arch_id %llu\n",
	       v->fenced_switchouts, v->forced_moves, v->expired_holds, v->budget_releases,
	       (unsigned long long)v->arch_id);
	if (r->guarantee) {
		printf("  errata for the core type this vCPU is on now (type %u %s; a decision holds only "
		       "inside a window):", v->cur_type, name_of(h->types[v->cur_type].name, SCXE_ABI_NAME_LEN, nm));
	} else {
		printf("  no guarantee (%s): the guest must assume the errata of every type:",
		       !h->fence_live ? "fence not live" : !v->armed ? "slot not armed" :
		       "the vCPU has not run since pairing");
	}
	n = 0;
	for (__u32 i = 0; i < h->nr_errata; i++)
		if (applies(h, &h->errata[i], r->guarantee, v->cur_type)) {
			printf(" %s", name_of(h->errata[i].id, SCXE_ABI_ID_LEN, id));
			n++;
		}
	printf("%s\n", n ? "" : " none");
	if (r->have_window) {
		const struct window_view *w = &r->w;

		printf("window demo: in_errata %u -> %u, read cur_type ", w->depth_before, w->depth_before + 1);
		if (w->cur_type < h->nr_types)
			printf("%u (%s)", w->cur_type, name_of(h->types[w->cur_type].name, SCXE_ABI_NAME_LEN, nm));
		else
			printf("none");
		printf(", cur_cpu ");
		if (w->cur_cpu == SCXE_ABI_TYPE_NONE)
			printf("none");
		else
			printf("%u", w->cur_cpu);
		printf(", armed %u, %s, -> %u; %s\n", w->armed,
		       w->run_seq_in != w->run_seq_out ? "descheduled inside" : "not descheduled inside",
		       w->depth_before, w->pinned ? "thread pinned to the vCPU" :
		       "thread NOT pinned to that CPU (reading a host file?)");
	}
}

/* ---- main ---------------------------------------------------------------------------- */

static int parse_ull(const char *opt, const char *arg, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || *v > max)
		return usage_error("%s '%s' is not a number from 0 to %llu", opt, arg, max);
	return 0;
}

/* 0 ok, 1 bad usage (printed), 2 -h */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "bar", required_argument, NULL, 'b' },
		{ "file", required_argument, NULL, 'f' },
		{ "offset", required_argument, NULL, 'o' },
		{ "vcpu", required_argument, NULL, 'c' },
		{ "window-demo", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long v;
	bool have_offset = false;
	int c;

	*o = (struct opts){ .vcpu = -1 };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:f:o:c:wjh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bar = optarg;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'o':
			if (parse_ull("--offset", optarg, ~0ull >> 1, &v))
				return 1;
			if (v % 4096)
				return usage_error("--offset %s is not page aligned (a multiple of 4096)", optarg);
			o->offset = v;
			have_offset = true;
			break;
		case 'c':
			if (parse_ull("--vcpu", optarg, SCXE_ABI_MAX_SLOTS - 1, &v))
				return 1;
			o->vcpu = v;
			break;
		case 'w':
			o->window_demo = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 2;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o->bar && o->file)
		return usage_error("--bar and --file both name the page; give one");
	if (have_offset && !o->file)
		return usage_error("--offset needs --file");
	return 0;
}

int main(int argc, char **argv)
{
	struct page pg = { 0 };
	struct report r = { .pg = &pg };
	struct opts o;
	volatile struct scxe_slot *s;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret == 2 ? 0 : 1;
	json_out = o.json;
	ret = open_page(&pg, &o);
	if (ret)
		return ret;
	ret = validate(&pg);
	if (!ret)
		ret = snapshot(&pg, &r.h);
	if (ret)
		return ret;

	if (o.vcpu >= 0) {
		r.vcpu = o.vcpu;
		r.vcpu_from = "option";
	} else {
		int cpu = sched_getcpu();

		if (cpu < 0)
			return fail("sched_getcpu failed (%s); pass --vcpu N", strerror(errno));
		r.vcpu = vcpu_of_cpu(cpu, &r.vcpu_from);
		if (r.vcpu < 0)
			return fail("the MPIDR of CPU %d does not follow QEMU virt's vCPU layout; pass --vcpu N", cpu);
	}
	if ((__u32)r.vcpu >= r.h.nr_slots)
		return fail("vCPU %ld has no slot: %s holds %u; the host must recreate the file larger",
			    r.vcpu, pg.path, r.h.nr_slots);
	s = slot_at(&pg, r.vcpu);
	if (o.window_demo) {
		if (!pg.writable)
			return fail("--window-demo writes the slot, but %s is open read-only (run as root)", pg.path);
		window_demo(s, r.vcpu, &r.w);
		r.have_window = true;
	}
	read_slot(s, &r.sv);
	/* the fence flag last: it may have dropped since the snapshot (daemon exiting) */
	r.h.fence_live = __atomic_load_n(&pg.hdr->fence_live, __ATOMIC_ACQUIRE);
	r.guarantee = r.h.fence_live && r.sv.armed && r.sv.cur_type < r.h.nr_types;
	if (o.json)
		print_json(&r);
	else
		print_text(&r);
	munmap(pg.base, pg.map_len);
	return 0;
}
