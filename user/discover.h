/* SPDX-License-Identifier: GPL-2.0 */
/* Finding VMMs to pair by the shared files they map, and the QMP socket of a QEMU. */
#ifndef SCXE_DISCOVER_H
#define SCXE_DISCOVER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define DISCOVER_DEFAULT_PATTERN	"/dev/shm/scx_errata.*"

/*
 * The first file matching pattern (fnmatch, FNM_PATHNAME) that process pid maps MAP_SHARED,
 * into path: 1 found, 0 none, -1 the process is gone.
 */
int discover_shm_of(pid_t pid, const char *pattern, char *path, size_t len);

/* cb for every process (but us) that maps a file matching pattern. */
void discover_scan(const char *pattern, void (*cb)(void *arg, pid_t pid, const char *path), void *arg);

/* The socket matching the glob pattern whose listener is process pid: 1 found, else 0. */
int discover_qmp_for(pid_t pid, const char *pattern, char *path, size_t len);

#endif
