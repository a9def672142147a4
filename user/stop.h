/* SPDX-License-Identifier: GPL-2.0 */
/* `scx_errata stop`: stop the pinned scheduler, with or without its daemon. */
#ifndef SCXE_STOP_H
#define SCXE_STOP_H

int stop_main(int argc, char **argv);

#endif
