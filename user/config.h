/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/scx_errata.conf: the daemon's settings and per-VM overrides, read at start and on
 * SIGHUP. The format (docs/scx_errata.8, examples/scx_errata.conf):
 *
 *   # comment (a line of its own)
 *   mode = same-type
 *   max-hold-ms = 50
 *   hold-budget-pct = 50
 *   [vm web1]
 *   path = /dev/shm/scx_errata.web1
 *
 * Keys before the first section are global; a [vm NAME] section holds the keys of one VM
 * until the next section. Values have no spaces and no quotes. Anything unexpected (unknown
 * or repeated key, bad value, stray bytes) is an error naming the file and line: a daemon
 * that fences guests must not run on a guess about what its admin meant.
 */
#ifndef SCXE_CONFIG_H
#define SCXE_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define CONFIG_DEFAULT_PATH "/etc/scx_errata.conf"
#define CONFIG_MAX_VMS 64
#define CONFIG_MAX_LINE 4096		/* bytes per line, without the newline */
#define CONFIG_MAX_SIZE (1 << 20)	/* a larger file is not a config file */
#define CONFIG_VM_NAME_MAX 64
#define CONFIG_VM_PATH_PREFIX "/dev/shm/scx_errata."	/* default path is this + NAME */

struct config_vm {
	char name[65];
	char path[PATH_MAX];	/* always set: the file's value or CONFIG_VM_PATH_PREFIX NAME */
	char qmp[PATH_MAX];	/* "" unset */
	int enforce;		/* -1 unset, 0, 1 */
	long long max_hold_ms;	/* -1 unset */
	int line;		/* line of the [vm NAME] header, for the caller's messages */
};

struct config {
	unsigned int set;	/* CONFIG_SET_* bits of the global keys present */
	__u32 mode;		/* enum scxe_mode from include/scx_errata_abi.h */
	unsigned long long max_hold_ms, slice_us, stats, hold_budget_pct;
	bool enforce;
	char shm_pattern[PATH_MAX], cpu_types[256], errata_db[PATH_MAX], qmp[PATH_MAX];
	int nr_vms;
	struct config_vm vm[CONFIG_MAX_VMS];
};

/* Bit i is the i-th global key in the order the format lists them. */
enum {
	CONFIG_SET_MODE = 1, CONFIG_SET_HOLD = 2, CONFIG_SET_SLICE = 4, CONFIG_SET_ENFORCE = 8,
	CONFIG_SET_PATTERN = 16, CONFIG_SET_CPU_TYPES = 32, CONFIG_SET_DB = 64,
	CONFIG_SET_STATS = 128, CONFIG_SET_QMP = 256, CONFIG_SET_BUDGET = 512,
};

/*
 * The values `scx_errata run` uses without options: same-type, 50 ms, hold budget 50%,
 * 5000 us, enforce,
 * /dev/shm/scx_errata.*, stats every second; cpu-types, errata-db and qmp empty (detect,
 * built-in database, no QMP); no VMs; set = 0.
 */
void config_defaults(struct config *c);

/*
 * Read path into *c: the defaults, then what the file sets. 0 ok; -1 with err =
 * "FILE:LINE: what is wrong; hint" (one line). A missing file is ok only when missing_ok
 * (the default path), and then *c holds the defaults; anything else is an error. The file
 * must be a regular file not writable by group/others and owned by root (or by the caller's
 * uid), else an error naming the problem. On error *c is left unchanged.
 */
int config_load(const char *path, bool missing_ok, struct config *c, char *err, size_t errlen);

/* The [vm NAME] section of that name, or NULL. */
const struct config_vm *config_vm_by_name(const struct config *c, const char *name);

#endif
