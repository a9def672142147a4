/* SPDX-License-Identifier: GPL-2.0 */
/* `scx_errata shm create`: a VM's shared file, made safely for a VMM of another user. */
#ifndef SCXE_SHM_H
#define SCXE_SHM_H

int shm_main(int argc, char **argv);

#endif
