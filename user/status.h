/* SPDX-License-Identifier: GPL-2.0 */
/* `scx_errata status`: the pinned scheduler and its VMs, read from pins and shared files. */
#ifndef SCXE_STATUS_H
#define SCXE_STATUS_H

int status_main(int argc, char **argv);

#endif
