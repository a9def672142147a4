// SPDX-License-Identifier: GPL-2.0
/*
 * scx_errata: entry point. Subcommands:
 *   run   load the scheduler and pair VMs (default when the first argument is an option)
 *   info    show the host's CPU types and errata (no root needed)
 *   status  the pinned scheduler and its VMs
 *   stop    stop the pinned scheduler, with or without its daemon
 *   shm     create a VM's shared file for a VMM of another user
 */
#include <stdio.h>
#include <string.h>
#include "info.h"
#include "log.h"
#include "scx_errata_abi.h"
#include "run.h"
#include "shm.h"
#include "status.h"
#include "stop.h"
#include "vm.h"

#ifndef SCXE_VERSION
#define SCXE_VERSION "0.1.0"
#endif

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata [run] [options]     load the scheduler (see 'scx_errata run -h')\n"
"       scx_errata info [options]      CPU types and errata of this host (see 'scx_errata info -h')\n"
"       scx_errata status [--json|--prometheus]\n"
"                                      the running scheduler, its fence and its VMs\n"
"       scx_errata stop                stop the scheduler (it outlives 'run' while pinned)\n"
"       scx_errata shm create NAME --vcpus N [--owner USER] [--group GROUP]\n"
"                                      a VM's shared file, for a VMM of another user\n"
"       scx_errata --version\n"
"\n"
"scx_errata keeps a vCPU thread on cores of one type while its guest is inside an errata\n"
"window, and tells each guest which core type it runs on and which errata the host has.\n");
}

int main(int argc, char **argv)
{
	/* every command that maps a VM's file (run, status, stop, shm) survives its truncation */
	vm_guard_install();
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			usage(stdout);
			return 0;
		}
		if (argc >= 2 && !strcmp(argv[1], "--version")) {
			printf("scx_errata %s (shared-page ABI %u)\n", SCXE_VERSION, SCXE_ABI_VERSION);
			return 0;
		}
		return run_main(argc, argv);
	}
	if (!strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "info"))
		return info_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return status_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stop"))
		return stop_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "shm"))
		return shm_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	log_err("unknown command '%s'; try 'scx_errata -h'", argv[1]);
	return 1;
}
