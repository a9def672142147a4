/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host model: every possible CPU with its topology and identity, grouped into CPU types
 * (the identity that decides errata). Filled from sysfs/procfs under a root directory, so a
 * fixture tree that mirrors a machine's files is a complete input; --cpu-types overrides
 * the grouping.
 */
#ifndef SCXE_HOST_H
#define SCXE_HOST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "cpulist.h"
#include "scx_errata.h"

struct host_cpu {
	bool	present;	/* in the possible list */
	bool	online;
	int	type;		/* index into host.type[], -1 before grouping */
	__u32	capacity;	/* cpu_capacity, 1024 when the file is absent */
	int	package, die, cluster, core, llc;	/* -1 when unknown */
	bool	has_midr, has_revidr;
	__u64	midr, revidr;	/* arm64 identification registers */
	/* x86 identity (from /proc/cpuinfo and the hybrid PMU lists) */
	__u32	x86_vendor;	/* 1 Intel, 2 AMD, 0 unknown */
	__u32	x86_family, x86_model, x86_stepping;
	__u32	core_kind;	/* enum scxe_core_kind */
};

struct host_type {
	struct scxe_abi_type	abi;	/* name and identity, as published to guests */
	struct cpuset		cpus;	/* possible CPUs of this type */
};

struct host {
	char	root[PATH_MAX];		/* "" for "/" */
	int	arch;			/* enum scxe_arch of the described machine */
	int	nr_cpu_ids;		/* highest possible CPU + 1 */
	struct cpuset possible, online;
	struct host_cpu cpu[SCXE_MAX_CPUS];
	int	nr_types;
	struct host_type type[SCXE_MAX_TYPES];
};

/*
 * Read the machine under root ("/" or NULL for the live one). Missing or malformed files give
 * a one-line warning naming the file and the best result the rest allows; a machine whose
 * possible-CPU list is missing, unusable or beyond SCXE_MAX_CPUS, or that has more than
 * SCXE_MAX_TYPES identities, fails (-1 with a one-line err naming the file or the root).
 */
int host_read(struct host *h, const char *root, char *err, size_t errlen);

/*
 * Apply a --cpu-types SPEC ("0-1:big,2-3:little"): replaces the grouping, keeps topology.
 * Every possible CPU must be named once. Returns 0, or -1 with err set and h unchanged.
 */
int host_apply_cpu_types(struct host *h, const char *spec, char *err, size_t errlen);

/*
 * Number the scheduler's domains: the CPUs of one type sharing one last-level cache get one
 * shared queue. dom[c] is CPU c's domain (absent CPUs count as type 0), dom_type[d] a
 * domain's type. Domains are numbered in order of their lowest CPU; beyond SCXE_MAX_DOMAINS
 * pairs fold onto the existing numbers (correct, only less local). Returns how many.
 */
int host_domains(const struct host *h, __u32 dom[SCXE_MAX_CPUS], __u32 dom_type[SCXE_MAX_DOMAINS]);

/* Human name of an arm64 part ("Cortex-A76"), or NULL when the table does not know it. */
const char *host_arm_part_name(unsigned int implementer, unsigned int part);

/* CPUID.1.EAX signature of an x86 family/model/stepping (what scxe_abi_type.midr holds). */
__u32 host_x86_signature(__u32 family, __u32 model, __u32 stepping);

/* The identity fields of a type record (all but name and core_kind) from CPU c. */
void host_type_identity(const struct host *h, struct scxe_abi_type *a, const struct host_cpu *c);

/*
 * fopen(path, "r") for a file of a sysfs/procfs tree: NULL with errno EINVAL when it is not
 * a regular file (a FIFO would block the reader, a device could feed it forever).
 */
FILE *host_fopen(const char *path);

/* Path under the host root, for readers in other modules. */
const char *host_path(const struct host *h, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
