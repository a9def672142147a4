/* SPDX-License-Identifier: GPL-2.0 */
/* `scx_errata info`: the host's CPU types and errata, as a table or JSON. */
#ifndef SCXE_INFO_H
#define SCXE_INFO_H

int info_main(int argc, char **argv);

#endif
