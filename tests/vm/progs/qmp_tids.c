// SPDX-License-Identifier: GPL-2.0
/*
 * qmp_tids SOCK [WAIT_SECS]: print the host thread ids of a QEMU's vCPUs, comma-separated in
 * vCPU order, as `scx_errata run --vm PID:PATH:TID,TID,...` takes them. Asks QMP (user/qmp.c)
 * rather than reading thread names, which QEMU sets only with debug-threads=on. Retries for
 * up to WAIT_SECS (default 0) while QEMU is still starting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "qmp.h"
#include "scx_errata_abi.h"

int main(int argc, char **argv)
{
	static pid_t tids[SCXE_ABI_MAX_SLOTS];
	double wait = argc > 2 ? atof(argv[2]) : 0;
	struct timespec t0, t;
	char err[512];
	int n;

	if (argc < 2 || argc > 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: qmp_tids SOCK [WAIT_SECS]   vCPU thread ids of a QEMU, as TID,TID,...\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		n = qmp_vcpu_threads(argv[1], tids, SCXE_ABI_MAX_SLOTS, err, sizeof(err));
		if (n > 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 >= wait) {
			fprintf(stderr, "qmp_tids: %s\n", err);
			return 1;
		}
		usleep(200000);
	}
	for (int i = 0; i < n; i++) {
		/* a hole (an unplugged vCPU) has no thread to name: the pairing would be wrong */
		if (!tids[i]) {
			fprintf(stderr, "qmp_tids: QMP %s lists no vCPU %d of %d; cannot name them in order\n",
				argv[1], i, n);
			return 1;
		}
		printf("%s%d", i ? "," : "", tids[i]);
	}
	putchar('\n');
	return 0;
}
