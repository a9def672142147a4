// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the host model from sysfs/procfs under a root directory, and grouping CPUs into
 * types by the identity that decides errata.
 *
 * Sources, in order of trust: sysfs identification registers (arm64), /proc/cpuinfo (arm64
 * fallback, x86 family/model/stepping), the hybrid PMU cpu lists (x86), and on the live
 * machine only CPUID for a core type sysfs does not publish. docs/detection.md has the list.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host.h"
#include "log.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

const char *host_path(const struct host *h, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n = snprintf(buf, len, "%s", h->root);

	va_start(ap, fmt);
	vsnprintf(buf + n, len > n ? len - n : 0, fmt, ap);
	va_end(ap);
	return buf;
}

FILE *host_fopen(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/*
 * Whole small file into buf, trailing newline stripped: 0; -1 when absent or unreadable;
 * -2 when it is no text file of len - 1 bytes at most (not a regular file, a NUL byte,
 * longer: a cut list or number would be read as another one).
 */
static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = host_fopen(path);
	size_t n;

	if (!f)
		return errno == EINVAL ? -2 : -1;
	n = fread(buf, 1, len, f);
	fclose(f);
	if (n == len || memchr(buf, '\0', n))
		return -2;
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/* An integer file; absent -> def silently, malformed -> def with a warning. */
static long long read_num(const char *path, long long def, int base)
{
	char buf[64], *end;
	long long v;
	int rc = read_text(path, buf, sizeof(buf));

	if (rc == -2)
		log_warn("%s is not a short text file; ignoring it", path);
	if (rc)
		return def;
	errno = 0;
	v = strtoll(buf, &end, base);
	if (errno || end == buf || *end) {
		log_warn("%s holds '%s', not a number; ignoring it", path, buf);
		return def;
	}
	return v;
}

/*
 * A 64-bit register file ("0x00000000410fd034"). 0 when read, 1 when absent, -1 when
 * present but not a hex number (warned), so the caller can tell "fall back" from "broken".
 */
static int read_reg(const char *path, __u64 *out)
{
	char buf[64], *end;
	unsigned long long v;
	int rc = read_text(path, buf, sizeof(buf));

	if (rc == -2) {
		log_warn("%s is not a short text file; ignoring it", path);
		return -1;
	}
	if (rc)
		return 1;
	errno = 0;
	v = strtoull(buf, &end, 16);
	if (errno || end == buf || *end || buf[0] == '-') {
		log_warn("%s holds '%s', not a hex register value; ignoring it", path, buf);
		return -1;
	}
	*out = v;
	return 0;
}

/* A cpu list file: 0; 1 when absent; -1 when unusable, with why ("PATH: what") set. */
static int read_list(const struct host *h, const char *rel, struct cpuset *out, char *why,
		     size_t whylen)
{
	char path[PATH_MAX + 64], buf[4096], err[160];
	int rc;

	host_path(h, path, sizeof(path), "%s", rel);
	rc = read_text(path, buf, sizeof(buf));
	if (rc == -1)
		return 1;
	if (rc == -2) {
		snprintf(why, whylen, "%s is not a cpu list file of at most %zu bytes", path, sizeof(buf) - 1);
		return -1;
	}
	if (cpulist_parse(buf, out, err, sizeof(err))) {
		snprintf(why, whylen, "%s: %s", path, err);
		return -1;
	}
	return 0;
}

/* A cpu list that is optional: absent is silent, unusable is warned about; 0 when read. */
static int read_list_opt(const struct host *h, const char *rel, struct cpuset *out)
{
	char why[PATH_MAX + 256];
	int rc = read_list(h, rel, out, why, sizeof(why));

	if (rc < 0)
		log_warn("%s; ignoring it", why);
	return rc ? -1 : 0;
}

/* LLC id: the first CPU sharing the highest-level data/unified cache. */
static int read_llc(const struct host *h, int cpu)
{
	char path[PATH_MAX + 96], buf[64];
	int best_level = -1, llc = -1;

	for (int i = 0; i < 16; i++) {
		struct cpuset shared;
		long long level;
		char rel[96];

		host_path(h, path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/type", cpu, i);
		if (read_text(path, buf, sizeof(buf)))
			break;
		if (!strcmp(buf, "Instruction"))
			continue;
		host_path(h, path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpu, i);
		level = read_num(path, -1, 10);
		if (level <= best_level)
			continue;
		snprintf(rel, sizeof(rel), "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list", cpu, i);
		if (read_list_opt(h, rel, &shared) || cpuset_count(&shared) == 0)
			continue;
		best_level = level;
		for (llc = 0; !cpuset_test(&shared, llc); llc++)
			;
	}
	return llc;
}

static void read_cpu(struct host *h, int cpu, int *nr_bad_midr, char *first_bad, size_t badlen)
{
	struct host_cpu *c = &h->cpu[cpu];
	char path[PATH_MAX + 96];
	long long cap;
	int rc;

#define CPU_FILE(rel) host_path(h, path, sizeof(path), "/sys/devices/system/cpu/cpu%d/" rel, cpu)
	c->present = true;
	c->type = -1;
	cap = read_num(CPU_FILE("cpu_capacity"), 1024, 10);
	if (cap <= 0 || cap > 1024) {
		log_warn("%s holds %lld, outside 1..1024; using 1024", path, cap);
		cap = 1024;
	}
	c->capacity = cap;
	c->package = read_num(CPU_FILE("topology/physical_package_id"), -1, 10);
	c->die = read_num(CPU_FILE("topology/die_id"), -1, 10);
	c->cluster = read_num(CPU_FILE("topology/cluster_id"), -1, 10);
	c->core = read_num(CPU_FILE("topology/core_id"), -1, 10);
	c->llc = read_llc(h, cpu);
	if (c->llc < 0)
		c->llc = c->package >= 0 ? c->package : 0;
	rc = read_reg(CPU_FILE("regs/identification/midr_el1"), &c->midr);
	c->has_midr = rc == 0;
	if (rc && (*nr_bad_midr)++ == 0)
		snprintf(first_bad, badlen, "%s", path);
	c->has_revidr = read_reg(CPU_FILE("regs/identification/revidr_el1"), &c->revidr) == 0;
	if (!c->has_midr)
		c->midr = 0;
	if (!c->has_revidr)
		c->revidr = 0;
#undef CPU_FILE
}

__u32 host_x86_signature(__u32 family, __u32 model, __u32 stepping)
{
	__u32 fam = family > 0xf ? 0xf : family;
	__u32 ext_fam = family > 0xf ? family - 0xf : 0;

	return (stepping & 0xf) | (model & 0xf) << 4 | fam << 8 | (model >> 4 & 0xf) << 16 |
	       (ext_fam & 0xff) << 20;
}

/* One "processor" block of /proc/cpuinfo, arm64 or x86 fields, -1 where absent. */
struct cpuinfo_cpu {
	long long impl, arch, variant, part, rev;	/* arm64 */
	int vendor;					/* x86: 1 Intel, 2 AMD */
	long long family, model, stepping;
};

static long long cpuinfo_value(const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 0);
	while (isspace((unsigned char)*end))
		end++;
	return errno || end == v || *end || n < 0 ? -2 : n;
}

/*
 * Parse /proc/cpuinfo into per-cpu entries. Returns the number of processor blocks, or -1
 * when the file is absent. A value that is not a number is warned about once and left
 * unknown for that CPU.
 */
static int read_cpuinfo(const struct host *h, struct cpuinfo_cpu *ci, int max)
{
	char path[PATH_MAX + 32], line[512];
	bool warned = false;
	int cur = -1, n = 0, lineno = 0;
	FILE *f;

	for (int i = 0; i < max; i++)
		ci[i] = (struct cpuinfo_cpu){ -1, -1, -1, -1, -1, 0, -1, -1, -1 };
	host_path(h, path, sizeof(path), "/proc/cpuinfo");
	f = host_fopen(path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *key = line, *val, *e;
		struct cpuinfo_cpu *c;
		long long *slot = NULL;

		lineno++;
		if (!colon)
			continue;
		*colon = '\0';
		val = colon + 1;
		while (isspace((unsigned char)*val))
			val++;
		for (e = val + strlen(val); e > val && isspace((unsigned char)e[-1]); )
			*--e = '\0';
		for (e = key + strlen(key); e > key && isspace((unsigned char)e[-1]); )
			*--e = '\0';
		if (!strcmp(key, "processor")) {
			long long v = cpuinfo_value(val);

			cur = v >= 0 && v < max ? (int)v : -1;
			if (cur >= 0)
				n++;
			continue;
		}
		if (cur < 0)
			continue;
		c = &ci[cur];
		if (!strcmp(key, "vendor_id")) {
			c->vendor = !strcmp(val, "GenuineIntel") ? 1 :
				    !strcmp(val, "AuthenticAMD") || !strcmp(val, "HygonGenuine") ? 2 : 0;
			continue;
		}
		if (!strcmp(key, "CPU implementer"))
			slot = &c->impl;
		else if (!strcmp(key, "CPU architecture"))
			slot = &c->arch;
		else if (!strcmp(key, "CPU variant"))
			slot = &c->variant;
		else if (!strcmp(key, "CPU part"))
			slot = &c->part;
		else if (!strcmp(key, "CPU revision"))
			slot = &c->rev;
		else if (!strcmp(key, "cpu family"))
			slot = &c->family;
		else if (!strcmp(key, "model"))
			slot = &c->model;
		else if (!strcmp(key, "stepping"))
			slot = &c->stepping;
		if (!slot)
			continue;
		*slot = cpuinfo_value(val);
		if (*slot == -2) {
			if (!warned)
				log_warn("%s:%d: '%s' is not a number for '%s'; ignoring it",
					 path, lineno, val, key);
			warned = true;
			*slot = -1;
		}
	}
	fclose(f);
	return n;
}

/* arm64 MIDR from the cpuinfo fields; false when any needed field is missing. */
static bool cpuinfo_midr(const struct cpuinfo_cpu *c, __u64 *midr)
{
	if (c->impl < 0 || c->part < 0 || c->variant < 0 || c->rev < 0 ||
	    c->impl > 0xff || c->part > 0xfff || c->variant > 0xf || c->rev > 0xf)
		return false;
	/* the architecture field reads 0xf ("defined by ID registers") on every arm64 core */
	*midr = (__u64)c->impl << 24 | (__u64)c->variant << 20 | 0xfull << 16 |
		(__u64)c->part << 4 | (__u64)c->rev;
	return true;
}

static void apply_cpuinfo(struct host *h, int nr_bad_midr, const char *first_bad)
{
	static struct cpuinfo_cpu ci[SCXE_MAX_CPUS];
	char path[PATH_MAX + 32];
	int n = read_cpuinfo(h, ci, SCXE_MAX_CPUS), fixed = 0, unknown = 0;

	host_path(h, path, sizeof(path), "/proc/cpuinfo");
	for (int cpu = 0; cpu < h->nr_cpu_ids; cpu++) {
		struct host_cpu *c = &h->cpu[cpu];
		const struct cpuinfo_cpu *p = &ci[cpu];

		if (!c->present)
			continue;
		if (p->vendor && p->family >= 0 && p->model >= 0) {
			c->x86_vendor = p->vendor;
			c->x86_family = p->family;
			c->x86_model = p->model;
			c->x86_stepping = p->stepping >= 0 ? p->stepping : 0;
			c->midr = host_x86_signature(c->x86_family, c->x86_model, c->x86_stepping);
			if (h->arch == SCXE_ARCH_UNKNOWN)
				h->arch = SCXE_ARCH_X86;
			continue;
		}
		if (c->has_midr)
			continue;
		if (cpuinfo_midr(p, &c->midr)) {
			c->has_midr = true;
			fixed++;
		} else if (p->impl >= 0 || h->arch == SCXE_ARCH_ARM64) {
			unknown++;
		}
	}
	for (int cpu = 0; cpu < h->nr_cpu_ids; cpu++)
		if (h->cpu[cpu].has_midr)
			h->arch = SCXE_ARCH_ARM64;
	if (h->arch == SCXE_ARCH_UNKNOWN) {
		log_warn("%s and %s %s; cpu types are unknown", first_bad, path,
			 n < 0 ? "are missing" : "identify no cpu");
		return;
	}
	if (h->arch != SCXE_ARCH_ARM64 || !nr_bad_midr)
		return;
	/* one line for the whole machine: old kernels lack the file on every CPU */
	if (unknown)
		log_warn("%s is unusable (%d cpu(s) like it) and %s %s %d of them; their type is unknown",
			 first_bad, nr_bad_midr, path, n < 0 ? "is missing for" : "does not identify",
			 unknown);
	else if (fixed)
		log_verbose("%s unusable on %d cpu(s); identified them from %s",
			    first_bad, nr_bad_midr, path);
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * Core type of the CPU this thread runs on: Intel leaf 0x1A (0x40 Core, 0x20 Atom) when
 * CPUID.7.EDX[15] says hybrid; AMD leaf 0x80000026 EBX[31:28] (0 performance, 1 efficiency)
 * when EAX[30] says the topology is heterogeneous. SCXE_CORE_UNKNOWN otherwise.
 */
static __u32 cpuid_core_kind(__u32 vendor)
{
	unsigned int a, b, c, d;

	if (vendor == 1) {
		if (__get_cpuid_max(0, NULL) < 0x1a || !__get_cpuid_count(7, 0, &a, &b, &c, &d) ||
		    !(d & (1u << 15)))
			return SCXE_CORE_UNKNOWN;
		__cpuid_count(0x1a, 0, a, b, c, d);
		return (a >> 24) == 0x40 ? SCXE_CORE_BIG :
		       (a >> 24) == 0x20 ? SCXE_CORE_LITTLE : SCXE_CORE_UNKNOWN;
	}
	if (__get_cpuid_max(0x80000000, NULL) < 0x80000026)
		return SCXE_CORE_UNKNOWN;
	__cpuid_count(0x80000026, 0, a, b, c, d);
	if (!(a & (1u << 30)))
		return SCXE_CORE_UNKNOWN;
	return (b >> 28) == 0 ? SCXE_CORE_BIG : (b >> 28) == 1 ? SCXE_CORE_LITTLE : SCXE_CORE_UNKNOWN;
}

/*
 * Visit every online CPU of the live machine to ask it; restores the caller's affinity.
 * Raw syscalls because user/sched.h shadows <sched.h> on this project's include path.
 */
static void read_x86_cpuid_kinds(struct host *h, __u32 vendor)
{
	unsigned long saved[SCXE_MAX_CPUS / (8 * sizeof(long))], one[sizeof(saved) / sizeof(long)];
	const int bits = 8 * sizeof(long);

	if (syscall(SYS_sched_getaffinity, 0, sizeof(saved), saved) < 0)
		return;
	for (int cpu = 0; cpu < h->nr_cpu_ids; cpu++) {
		if (!h->cpu[cpu].online || h->cpu[cpu].x86_vendor != vendor)
			continue;
		memset(one, 0, sizeof(one));
		one[cpu / bits] = 1ul << (cpu % bits);
		if (syscall(SYS_sched_setaffinity, 0, sizeof(one), one))
			continue;
		h->cpu[cpu].core_kind = cpuid_core_kind(vendor);
	}
	syscall(SYS_sched_setaffinity, 0, sizeof(saved), saved);
}
#endif

/* x86 hybrid: the PMU device lists say which CPUs are P (cpu_core) and E (cpu_atom) cores. */
static void read_x86_hybrid(struct host *h)
{
	struct cpuset core, atom;
	bool has_core = !read_list_opt(h, "/sys/devices/cpu_core/cpus", &core);
	bool has_atom = !read_list_opt(h, "/sys/devices/cpu_atom/cpus", &atom);
	__u32 vendor = 0;

	if (has_core || has_atom) {
		for (int c = 0; c < h->nr_cpu_ids; c++) {
			if (has_core && cpuset_test(&core, c))
				h->cpu[c].core_kind = SCXE_CORE_BIG;
			else if (has_atom && cpuset_test(&atom, c))
				h->cpu[c].core_kind = SCXE_CORE_LITTLE;
		}
		return;
	}
	/* CPUID describes the CPU we run on, so it is only asked on the live machine */
	for (int c = 0; c < h->nr_cpu_ids && !vendor; c++)
		vendor = h->cpu[c].x86_vendor;
	if (h->root[0] || h->arch != SCXE_ARCH_X86 || !vendor)
		return;
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned int a, b, c, d;
		char v[13];

		/* the vendor in /proc/cpuinfo must be the CPU we are on before leaves are trusted */
		__cpuid(0, a, b, c, d);
		memcpy(v, &b, 4);
		memcpy(v + 4, &d, 4);
		memcpy(v + 8, &c, 4);
		v[12] = '\0';
		if ((vendor == 1 && !strcmp(v, "GenuineIntel")) ||
		    (vendor == 2 && !strcmp(v, "AuthenticAMD")))
			read_x86_cpuid_kinds(h, vendor);
	}
#endif
}

struct part_name {
	__u8 impl;
	__u16 part;
	const char *name;
};

/* Names as the vendors market them; parts not listed show their raw MIDR. */
static const struct part_name part_names[] = {
	{ 0x41, 0xd03, "Cortex-A53" },	{ 0x41, 0xd04, "Cortex-A35" },
	{ 0x41, 0xd05, "Cortex-A55" },	{ 0x41, 0xd07, "Cortex-A57" },
	{ 0x41, 0xd08, "Cortex-A72" },	{ 0x41, 0xd09, "Cortex-A73" },
	{ 0x41, 0xd0a, "Cortex-A75" },	{ 0x41, 0xd0b, "Cortex-A76" },
	{ 0x41, 0xd0c, "Neoverse-N1" },	{ 0x41, 0xd0d, "Cortex-A77" },
	{ 0x41, 0xd0e, "Cortex-A76AE" },	{ 0x41, 0xd40, "Neoverse-V1" },
	{ 0x41, 0xd41, "Cortex-A78" },	{ 0x41, 0xd42, "Cortex-A78AE" },
	{ 0x41, 0xd44, "Cortex-X1" },	{ 0x41, 0xd46, "Cortex-A510" },
	{ 0x41, 0xd47, "Cortex-A710" },	{ 0x41, 0xd48, "Cortex-X2" },
	{ 0x41, 0xd49, "Neoverse-N2" },	{ 0x41, 0xd4b, "Cortex-A78C" },
	{ 0x41, 0xd4c, "Cortex-X1C" },	{ 0x41, 0xd4d, "Cortex-A715" },
	{ 0x41, 0xd4e, "Cortex-X3" },	{ 0x41, 0xd4f, "Neoverse-V2" },
	{ 0x41, 0xd80, "Cortex-A520" },	{ 0x41, 0xd81, "Cortex-A720" },
	{ 0x41, 0xd82, "Cortex-X4" },	{ 0x41, 0xd84, "Neoverse-V3" },
	{ 0x41, 0xd85, "Cortex-X925" },	{ 0x41, 0xd87, "Cortex-A725" },
	{ 0x41, 0xd8e, "Neoverse-N3" },
	{ 0x42, 0x100, "Brahma-B53" },	{ 0x42, 0x516, "Broadcom Vulcan" },
	{ 0x43, 0x0a1, "ThunderX" },	{ 0x43, 0x0a2, "ThunderX 81xx" },
	{ 0x43, 0x0a3, "ThunderX 83xx" },	{ 0x43, 0x0af, "ThunderX2" },
	{ 0x46, 0x001, "A64FX" },
	{ 0x48, 0xd01, "HiSilicon TSV110" },
	{ 0x4e, 0x003, "NVIDIA Denver" },	{ 0x4e, 0x004, "NVIDIA Carmel" },
	{ 0x4e, 0x010, "NVIDIA Olympus" },
	{ 0x50, 0x000, "APM X-Gene" },
	{ 0x51, 0x001, "Qualcomm Oryon" },	{ 0x51, 0x200, "Qualcomm Kryo" },
	{ 0x51, 0x800, "Falkor v1/Kryo 2xx Gold" },	{ 0x51, 0x801, "Kryo 2xx Silver" },
	{ 0x51, 0x802, "Kryo 3xx Gold" },	{ 0x51, 0x803, "Kryo 3xx Silver" },
	{ 0x51, 0x804, "Kryo 4xx Gold" },	{ 0x51, 0x805, "Kryo 4xx Silver" },
	{ 0x51, 0xc00, "Qualcomm Falkor" },
	{ 0x61, 0x022, "Apple M1 Icestorm" },	{ 0x61, 0x023, "Apple M1 Firestorm" },
	{ 0x61, 0x024, "Apple M1 Pro Icestorm" },	{ 0x61, 0x025, "Apple M1 Pro Firestorm" },
	{ 0x61, 0x028, "Apple M1 Max Icestorm" },	{ 0x61, 0x029, "Apple M1 Max Firestorm" },
	{ 0x61, 0x032, "Apple M2 Blizzard" },	{ 0x61, 0x033, "Apple M2 Avalanche" },
	{ 0x61, 0x034, "Apple M2 Pro Blizzard" },	{ 0x61, 0x035, "Apple M2 Pro Avalanche" },
	{ 0x61, 0x038, "Apple M2 Max Blizzard" },	{ 0x61, 0x039, "Apple M2 Max Avalanche" },
	{ 0x6d, 0xd49, "Azure Cobalt 100" },
	{ 0xc0, 0xac3, "AmpereOne" },	{ 0xc0, 0xac4, "AmpereOne AC04" },
	/* QEMU's TCG "max" CPU: implementer 0 (reserved for software use), part 'Q' */
	{ 0x00, 0x051, "QEMU max" },
};

const char *host_arm_part_name(unsigned int implementer, unsigned int part)
{
	for (size_t i = 0; i < sizeof(part_names) / sizeof(part_names[0]); i++)
		if (part_names[i].impl == implementer && part_names[i].part == part)
			return part_names[i].name;
	/* Ampere Altra/eMAG report Arm or APM ids; anything else of Ampere's gets the brand */
	if (implementer == 0xc0)
		return "Ampere";
	if (implementer == 0x61)
		return "Apple";
	return NULL;
}

static bool same_identity(const struct host_cpu *a, const struct host_cpu *b)
{
	return a->midr == b->midr && a->revidr == b->revidr && a->core_kind == b->core_kind &&
	       a->x86_vendor == b->x86_vendor && a->x86_family == b->x86_family &&
	       a->x86_model == b->x86_model && a->x86_stepping == b->x86_stepping;
}

int host_domains(const struct host *h, __u32 dom[SCXE_MAX_CPUS], __u32 dom_type[SCXE_MAX_DOMAINS])
{
	int first_cpu[SCXE_MAX_DOMAINS], n = 0;

	for (int c = 0; c < h->nr_cpu_ids; c++) {
		const struct host_cpu *hc = &h->cpu[c];
		int type = hc->present && hc->type >= 0 ? hc->type : 0;
		int d;

		for (d = 0; d < n; d++) {
			const struct host_cpu *f = &h->cpu[first_cpu[d]];

			if ((int)dom_type[d] == type && f->llc == hc->llc)
				break;
		}
		if (d == n) {
			if (n < (int)SCXE_MAX_DOMAINS) {
				first_cpu[n] = c;
				dom_type[n++] = type;
			} else {
				d = c % n;	/* folded: the queue of another domain */
			}
		}
		dom[c] = d;
	}
	return n;
}

void host_type_identity(const struct host *h, struct scxe_abi_type *a, const struct host_cpu *c)
{
	a->arch = h->arch;
	a->capacity = c->capacity;
	a->midr = c->midr;
	a->revidr = c->revidr;
	if (h->arch == SCXE_ARCH_ARM64) {
		a->vendor = (c->midr >> 24) & 0xff;
		a->part = (c->midr >> 4) & 0xfff;
		a->variant = (c->midr >> 20) & 0xf;
		a->revision = c->midr & 0xf;
	} else {
		a->vendor = c->x86_vendor;
		a->part = c->x86_family;
		a->variant = c->x86_model;
		a->revision = c->x86_stepping;
	}
}

static void name_type(struct host *h, struct host_type *t, const struct host_cpu *c)
{
	struct scxe_abi_type *a = &t->abi;

	host_type_identity(h, a, c);
	a->core_kind = c->core_kind;
	if (h->arch == SCXE_ARCH_ARM64) {
		const char *name = c->has_midr ? host_arm_part_name(a->vendor, a->part) : "unknown";

		if (name)
			snprintf(a->name, sizeof(a->name), "%s", name);
		else
			snprintf(a->name, sizeof(a->name), "midr-%08llx", (unsigned long long)c->midr);
	} else {
		const char *v = c->x86_vendor == 1 ? "Intel" : c->x86_vendor == 2 ? "AMD" : "x86";

		if (c->core_kind == SCXE_CORE_BIG || c->core_kind == SCXE_CORE_LITTLE)
			snprintf(a->name, sizeof(a->name), "%s %s-core", v,
				 c->core_kind == SCXE_CORE_BIG ? "P" : "E");
		else
			snprintf(a->name, sizeof(a->name), "%s %02x-%02x-%02x", v, c->x86_family & 0xff,
				 c->x86_model & 0xff, c->x86_stepping & 0xff);
	}
}

/*
 * Arm cores carry no role in their identity; cpu_capacity ranks them. With one capacity
 * the machine is not hybrid (a server with mixed steppings), so every type is uniform.
 */
static void arm_core_kinds(struct host *h)
{
	__u32 lo = ~0u, hi = 0;

	for (int t = 0; t < h->nr_types; t++) {
		__u32 cap = h->type[t].abi.capacity;

		lo = cap < lo ? cap : lo;
		hi = cap > hi ? cap : hi;
	}
	for (int t = 0; t < h->nr_types; t++) {
		struct scxe_abi_type *a = &h->type[t].abi;

		a->core_kind = lo == hi ? SCXE_CORE_UNIFORM : a->capacity == hi ? SCXE_CORE_BIG :
			       a->capacity == lo ? SCXE_CORE_LITTLE : SCXE_CORE_MID;
	}
	for (int c = 0; c < h->nr_cpu_ids; c++)
		if (h->cpu[c].present && h->cpu[c].type >= 0)
			h->cpu[c].core_kind = h->type[h->cpu[c].type].abi.core_kind;
}

/* One type per distinct identity, in order of the first CPU that has it. */
static int group_types(struct host *h, char *err, size_t errlen)
{
	h->nr_types = 0;
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		struct host_cpu *hc = &h->cpu[c];
		int t;

		if (!hc->present)
			continue;
		for (t = 0; t < h->nr_types; t++) {
			int first = cpuset_last(&h->type[t].cpus);

			if (same_identity(&h->cpu[first], hc))
				break;
		}
		if (t == h->nr_types) {
			if (t == SCXE_MAX_TYPES) {
				snprintf(err, errlen, "%s has more than %u cpu types (cpu %d is of a %uth); group them with --cpu-types",
					 h->root[0] ? h->root : "this host", SCXE_MAX_TYPES, c,
					 SCXE_MAX_TYPES + 1);
				return -1;
			}
			memset(&h->type[t], 0, sizeof(h->type[t]));
			name_type(h, &h->type[t], hc);
			h->nr_types++;
		}
		hc->type = t;
		cpuset_set(&h->type[t].cpus, c);
		h->type[t].abi.nr_cpus++;
	}
	if (h->arch == SCXE_ARCH_ARM64)
		arm_core_kinds(h);
	else if (h->nr_types == 1 && h->type[0].abi.core_kind == SCXE_CORE_UNKNOWN)
		h->type[0].abi.core_kind = SCXE_CORE_UNIFORM;
	return 0;
}

int host_read(struct host *h, const char *root, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], first_bad[PATH_MAX + 96] = "", why[PATH_MAX + 256];
	int nr_bad_midr = 0, rc;

	memset(h, 0, sizeof(*h));
	if (root && strcmp(root, "/"))
		snprintf(h->root, sizeof(h->root), "%s", root);
	/* a tree of another machine says what it is; the live machine is what we run on */
	if (!h->root[0]) {
#if defined(__aarch64__)
		h->arch = SCXE_ARCH_ARM64;
#elif defined(__x86_64__) || defined(__i386__)
		h->arch = SCXE_ARCH_X86;
#endif
	}
	/* one error line naming the file: absent, unusable or beyond SCXE_MAX_CPUS */
	host_path(h, path, sizeof(path), "/sys/devices/system/cpu/possible");
	rc = read_list(h, "/sys/devices/system/cpu/possible", &h->possible, err, errlen);
	if (rc > 0 || (!rc && cpuset_count(&h->possible) == 0)) {
		snprintf(err, errlen, "no cpus found in %s; is that a sysfs tree?", path);
		return -1;
	}
	if (rc < 0)
		return -1;
	host_path(h, path, sizeof(path), "/sys/devices/system/cpu/online");
	rc = read_list(h, "/sys/devices/system/cpu/online", &h->online, why, sizeof(why));
	if (rc || cpuset_count(&h->online) == 0) {
		if (rc < 0)
			log_warn("%s; treating every possible cpu as online", why);
		else
			log_warn("%s %s; treating every possible cpu as online", rc ? "cannot read" : "no cpu is online in", path);
		h->online = h->possible;
	}
	h->nr_cpu_ids = cpuset_last(&h->possible) + 1;
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		if (!cpuset_test(&h->possible, c))
			continue;
		read_cpu(h, c, &nr_bad_midr, first_bad, sizeof(first_bad));
		h->cpu[c].online = cpuset_test(&h->online, c);
		if (h->cpu[c].has_midr)
			h->arch = SCXE_ARCH_ARM64;
	}
	apply_cpuinfo(h, nr_bad_midr, first_bad);
	if (h->arch == SCXE_ARCH_X86)
		read_x86_hybrid(h);
	return group_types(h, err, errlen);
}
