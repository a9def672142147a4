/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal QMP (QEMU Machine Protocol) client: just enough to ask a running QEMU which
 * host thread runs each vCPU, so that a VM can be paired without relying on thread names
 * (QEMU names its vCPU threads only with -name debug-threads=on).
 */
#ifndef SCXE_QMP_H
#define SCXE_QMP_H

#include <stddef.h>
#include <sys/types.h>

/* every wait for QEMU (connect, each message) gives up after this long */
#define QMP_TIMEOUT_MS		2000

/*
 * Connect to the QMP unix socket sock_path, negotiate capabilities and run query-cpus-fast.
 * Fills tids[cpu-index] with the host thread id of each vCPU (0 for an index QEMU does not
 * list, e.g. after a hot-unplug) and returns the number of vCPUs, i.e. the highest index + 1
 * (at most max). On any failure returns -1 with a one-line message in err naming the
 * socket. Asynchronous events QEMU sends in between are skipped.
 */
int qmp_vcpu_threads(const char *sock_path, pid_t *tids, int max, char *err, size_t errlen);

#endif
