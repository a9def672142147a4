// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the host model from sysfs/procfs under a root directory, and grouping CPUs into
 * types by the identity that decides errata.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host.h"
#include "log.h"

const char *host_path(const struct host *h, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n = snprintf(buf, len, "%s", h->root);

	va_start(ap, fmt);
	vsnprintf(buf + n, len > n ? len - n : 0, fmt, ap);
	va_end(ap);
	return buf;
}

/* Whole small file into buf, trailing newline stripped; -1 when absent or unreadable. */
static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
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

	if (read_text(path, buf, sizeof(buf)))
		return def;
	errno = 0;
	v = strtoll(buf, &end, base);
	if (errno || end == buf || *end) {
		log_warn("%s holds '%s', not a number; ignoring it", path, buf);
		return def;
	}
	return v;
}

static int read_list(const struct host *h, const char *rel, struct cpuset *out, bool warn)
{
	char path[PATH_MAX + 64], buf[4096], err[160];

	host_path(h, path, sizeof(path), "%s", rel);
	if (read_text(path, buf, sizeof(buf))) {
		if (warn)
			log_warn("cannot read %s; assuming it is empty", path);
		return -1;
	}
	if (cpulist_parse(buf, out, err, sizeof(err))) {
		log_warn("%s: %s; ignoring it", path, err);
		return -1;
	}
	return 0;
}

/* LLC id: the first CPU sharing the highest-level data/unified cache. */
static int read_llc(const struct host *h, int cpu)
{
	char path[PATH_MAX + 96], buf[64];
	int best_level = -1, llc = -1;

	for (int i = 0; i < 16; i++) {
		struct cpuset shared;
		long long level;

		host_path(h, path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/type", cpu, i);
		if (read_text(path, buf, sizeof(buf)))
			break;
		if (!strcmp(buf, "Instruction"))
			continue;
		host_path(h, path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cache/index%d/level", cpu, i);
		level = read_num(path, -1, 10);
		if (level <= best_level)
			continue;
		host_path(h, path, sizeof(path) - 1, "/sys/devices/system/cpu/cpu%d/cache/index%d/shared_cpu_list", cpu, i);
		if (read_list(h, path + strlen(h->root), &shared, false) || cpuset_count(&shared) == 0)
			continue;
		best_level = level;
		for (llc = 0; !cpuset_test(&shared, llc); llc++)
			;
	}
	return llc;
}

static void read_cpu(struct host *h, int cpu)
{
	struct host_cpu *c = &h->cpu[cpu];
	char path[PATH_MAX + 96];

#define CPU_FILE(rel) host_path(h, path, sizeof(path), "/sys/devices/system/cpu/cpu%d/" rel, cpu)
	c->present = true;
	c->type = -1;
	c->capacity = read_num(CPU_FILE("cpu_capacity"), 1024, 10);
	if (c->capacity == 0 || c->capacity > 1024) {
		log_warn("%s holds %u, outside 1..1024; using 1024", path, c->capacity);
		c->capacity = 1024;
	}
	c->package = read_num(CPU_FILE("topology/physical_package_id"), -1, 10);
	c->die = read_num(CPU_FILE("topology/die_id"), -1, 10);
	c->cluster = read_num(CPU_FILE("topology/cluster_id"), -1, 10);
	c->core = read_num(CPU_FILE("topology/core_id"), -1, 10);
	c->llc = read_llc(h, cpu);
	if (c->llc < 0)
		c->llc = c->package >= 0 ? c->package : 0;
	c->midr = read_num(CPU_FILE("regs/identification/midr_el1"), -1, 16);
	c->has_midr = c->midr != (__u64)-1;
	c->revidr = read_num(CPU_FILE("regs/identification/revidr_el1"), -1, 16);
	c->has_revidr = c->revidr != (__u64)-1;
	if (!c->has_midr)
		c->midr = 0;
	if (!c->has_revidr)
		c->revidr = 0;
#undef CPU_FILE
}

/* x86 hybrid: the PMU device lists say which CPUs are P (cpu_core) and E (cpu_atom) cores. */
static void read_x86_hybrid(struct host *h)
{
	struct cpuset core, atom;
	bool has_core = !read_list(h, "/sys/devices/cpu_core/cpus", &core, false);
	bool has_atom = !read_list(h, "/sys/devices/cpu_atom/cpus", &atom, false);

	if (!has_core && !has_atom)
		return;
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		if (has_core && cpuset_test(&core, c))
			h->cpu[c].core_kind = SCXE_CORE_BIG;
		else if (has_atom && cpuset_test(&atom, c))
			h->cpu[c].core_kind = SCXE_CORE_LITTLE;
	}
}

static bool same_identity(const struct host_cpu *a, const struct host_cpu *b)
{
	return a->midr == b->midr && a->revidr == b->revidr && a->core_kind == b->core_kind &&
	       a->x86_vendor == b->x86_vendor && a->x86_family == b->x86_family &&
	       a->x86_model == b->x86_model && a->x86_stepping == b->x86_stepping;
}

static void name_type(struct host *h, struct host_type *t, const struct host_cpu *c)
{
	struct scxe_abi_type *a = &t->abi;

	a->arch = h->arch;
	a->core_kind = c->core_kind;
	a->capacity = c->capacity;
	a->midr = c->midr;
	a->revidr = c->revidr;
	if (h->arch == SCXE_ARCH_ARM64) {
		a->vendor = (c->midr >> 24) & 0xff;
		a->part = (c->midr >> 4) & 0xfff;
		a->variant = (c->midr >> 20) & 0xf;
		a->revision = c->midr & 0xf;
		snprintf(a->name, sizeof(a->name), "midr-%08llx", (unsigned long long)c->midr);
	} else {
		a->vendor = c->x86_vendor;
		a->part = c->x86_family;
		a->variant = c->x86_model;
		a->revision = c->x86_stepping;
		snprintf(a->name, sizeof(a->name), "%s",
			 c->core_kind == SCXE_CORE_BIG ? "p-core" :
			 c->core_kind == SCXE_CORE_LITTLE ? "e-core" : "cpu");
	}
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
				snprintf(err, errlen, "more than %u cpu types; group them with --cpu-types",
					 SCXE_MAX_TYPES);
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
	if (h->nr_types == 1 && h->type[0].abi.core_kind == SCXE_CORE_UNKNOWN)
		h->type[0].abi.core_kind = SCXE_CORE_UNIFORM;
	return 0;
}

int host_read(struct host *h, const char *root, char *err, size_t errlen)
{
	char path[PATH_MAX + 64];

	memset(h, 0, sizeof(*h));
	if (root && strcmp(root, "/"))
		snprintf(h->root, sizeof(h->root), "%s", root);
#if defined(__aarch64__)
	h->arch = SCXE_ARCH_ARM64;
#elif defined(__x86_64__) || defined(__i386__)
	h->arch = SCXE_ARCH_X86;
#endif
	if (read_list(h, "/sys/devices/system/cpu/possible", &h->possible, true) ||
	    cpuset_count(&h->possible) == 0) {
		snprintf(err, errlen, "no cpus found in %s; is that a sysfs tree?",
			 host_path(h, path, sizeof(path), "/sys/devices/system/cpu/possible"));
		return -1;
	}
	if (read_list(h, "/sys/devices/system/cpu/online", &h->online, true))
		h->online = h->possible;
	h->nr_cpu_ids = cpuset_last(&h->possible) + 1;
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		if (!cpuset_test(&h->possible, c))
			continue;
		read_cpu(h, c);
		h->cpu[c].online = cpuset_test(&h->online, c);
		if (h->cpu[c].has_midr)
			h->arch = SCXE_ARCH_ARM64;
	}
	read_x86_hybrid(h);
	return group_types(h, err, errlen);
}
