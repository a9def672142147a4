/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host knowledge: which errata of the database apply to this host's CPU types, and which
 * timer errata its firmware (devicetree arch timer node, ACPI GTDT) declares. Built once
 * from a host model and a database; published by `info` and in each VM's header page.
 */
#ifndef SCXE_KNOWLEDGE_H
#define SCXE_KNOWLEDGE_H

#include "errata_db.h"
#include "host.h"

#define KNOWLEDGE_MAX	256

struct knowledge_item {
	const struct errata_entry *entry;
	int	source;			/* enum scxe_errata_source */
	__u32	type_mask;		/* bit i: host type i; every type for firmware matches */
	int	fw_index;		/* the dt/acpi line of entry that matched, -1 for cpu-type */
};

struct host_knowledge {
	struct errata_firmware fw;	/* what the firmware readers found */
	char	dt_node[512];		/* arch timer node path, "" when none */
	int	nr;
	bool	truncated;		/* more than KNOWLEDGE_MAX matches */
	struct knowledge_item item[KNOWLEDGE_MAX];
};

/* The identity errata are matched against for host CPU cpu. */
void knowledge_cpu_ident(const struct host *h, int cpu, struct errata_ident *id);

/*
 * Read the arch timer node properties and the GTDT header under h's root into fw (dt_node
 * gets the node's path). Missing firmware is normal (x86, ACPI-only or DT-only machines);
 * a present but malformed GTDT or timer node gets a one-line warning naming the file.
 */
void knowledge_read_firmware(const struct host *h, struct errata_firmware *fw,
			     char *dt_node, size_t dt_len);

/* Match every db entry against every CPU and the firmware. Always succeeds (returns 0). */
int knowledge_build(const struct host *h, const struct errata_db *db, struct host_knowledge *k);

/*
 * Fill hdr->types/nr_types/errata/nr_errata/knowledge_flags from k and h. Leaves magic,
 * version, seq and the rest to the caller, who wraps this in the header's seqlock.
 * k may be NULL (no db): types only, without SCXE_KF_ERRATA_VALID.
 */
void knowledge_to_abi(const struct host_knowledge *k, const struct host *h,
		      struct scxe_shm_hdr *hdr);

const char *knowledge_source_name(int source);

/* Everything known of a host: its model, the database, the matches. About 1 MiB: heap it. */
struct host_view {
	struct host		host;
	struct errata_db	db;
	struct host_knowledge	k;
};

/*
 * host_read under root, then --cpu-types (NULL: keep detection), the database (NULL: the
 * built-in one) and knowledge_build. Returns 0, or -1 with err set.
 */
int host_view_load(struct host_view *v, const char *root, const char *cpu_types,
		   const char *db_path, char *err, size_t errlen);

#endif
