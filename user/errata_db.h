/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The errata database: its text format (docs/errata-db.md) and the kernel-identical
 * predicates that decide whether an entry applies to a core identity, an arch timer
 * devicetree node or an ACPI GTDT header. Reading those inputs from a host is
 * knowledge.c's job; this module only parses and compares.
 */
#ifndef SCXE_ERRATA_DB_H
#define SCXE_ERRATA_DB_H

#include <stdbool.h>
#include <stddef.h>
#include "scx_errata.h"

#define ERRATA_DB_FORMAT	1	/* the "format N" this parser reads */
#define ERRATA_MAX_ENTRIES	256
#define ERRATA_MAX_MODELS	16	/* arm/x86 lines per entry */
#define ERRATA_MAX_FIXED	4	/* fixed lines per arm line */
#define ERRATA_MAX_FW		8	/* dt/acpi lines per entry */
#define ERRATA_DESC_LEN		160
#define ERRATA_VENDOR_LEN	16

/* A REVIDR exclusion: a core at exactly this variant:revision with any mask bit set is fixed. */
struct errata_fixed {
	__u32	var_rev;		/* variant << 20 | revision, as the kernel's MIDR_CPU_VAR_REV */
	__u64	revidr_mask;
};

/* x86 core type filter of an x86 line */
enum errata_core { ERRATA_CORE_ANY, ERRATA_CORE_P, ERRATA_CORE_E };

struct errata_model {
	int	arch;			/* SCXE_ARCH_ARM64 or SCXE_ARCH_X86 */
	/* arm64: implementer + part, variant:revision in [rv_min, rv_max] */
	__u32	implementer, part, rv_min, rv_max;
	int	nr_fixed;
	struct errata_fixed fixed[ERRATA_MAX_FIXED];
	/* x86: vendor (1 Intel, 2 AMD), family, model, stepping range, core type */
	__u32	x86_vendor, family, model, step_min, step_max;
	int	core;			/* enum errata_core */
};

struct errata_fw {
	bool	acpi;			/* false: devicetree property */
	char	dt_prop[64];
	char	oem_id[7], oem_table_id[9];	/* space padded to 6 and 8, as ACPI stores them */
	__u32	oem_revision;
};

struct errata_entry {
	char	id[SCXE_ABI_ID_LEN];
	char	vendor[ERRATA_VENDOR_LEN];
	int	class;			/* enum scxe_errata_class */
	int	management;		/* enum scxe_errata_mgmt */
	int	line;			/* line of the "erratum" line */
	int	nr_models;
	struct errata_model model[ERRATA_MAX_MODELS];
	int	nr_fw;
	struct errata_fw fw[ERRATA_MAX_FW];
	char	description[ERRATA_DESC_LEN];
};

struct errata_db {
	char	source[256];		/* file name, or "builtin" */
	int	nr;
	struct errata_entry entry[ERRATA_MAX_ENTRIES];
};

/* The identity errata are matched against: one host CPU or one type. */
struct errata_ident {
	int	arch;			/* enum scxe_arch */
	bool	known;			/* false: no identity could be read; nothing matches */
	__u32	midr;
	__u64	revidr;
	__u32	x86_vendor, family, model, stepping;
	int	core_kind;		/* enum scxe_core_kind */
};

/* The devicetree/ACPI facts timer errata are matched against. */
struct errata_firmware {
	bool	has_dt_timer;
	int	nr_dt_props;
	char	dt_props[64][64];	/* property names of the arch timer node */
	bool	has_gtdt;
	char	oem_id[7], oem_table_id[9];
	__u32	oem_revision;
};

/*
 * Parse db text. name is used in messages ("FILE:LINE: field N: message"). On error returns
 * -1 with that one line in err and db->nr == 0: nothing of a bad file is kept.
 */
int errata_db_parse(struct errata_db *db, const char *text, const char *name,
		    char *err, size_t errlen);
/* Read and parse FILE. */
int errata_db_load(struct errata_db *db, const char *path, char *err, size_t errlen);
/* The table compiled into the binary (data/errata.db). */
int errata_db_load_builtin(struct errata_db *db, char *err, size_t errlen);

/* Kernel MIDR_RANGE + fixed REVIDR semantics, and the x86 family/model/stepping/core match. */
bool errata_model_matches(const struct errata_model *m, const struct errata_ident *id);
/* Some model line of e matches id. */
bool errata_entry_matches(const struct errata_entry *e, const struct errata_ident *id);
/* Index into e->fw of the first dt/acpi line that fw satisfies, -1 if none. */
int errata_entry_fw_match(const struct errata_entry *e, const struct errata_firmware *fw,
			  bool acpi);

const char *errata_class_name(int class);
const char *errata_mgmt_name(int management);

#endif
