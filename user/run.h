/* SPDX-License-Identifier: GPL-2.0 */
/* `scx_errata run`: load the scheduler, pair VMs, report, and unload cleanly. */
#ifndef SCXE_RUN_H
#define SCXE_RUN_H

int run_main(int argc, char **argv);

#endif
