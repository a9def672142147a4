// SPDX-License-Identifier: GPL-2.0
/*
 * data/errata.db compiled in, NUL terminated, so `scx_errata info` needs no installed
 * files. The path is relative to the repository top, where make runs the compiler; the
 * Makefile lists data/errata.db as a prerequisite of this object.
 */
__asm__(".section .rodata\n"
	".global scxe_builtin_db\n"
	"scxe_builtin_db:\n"
	".incbin \"data/errata.db\"\n"
	".byte 0\n"
	".previous\n");

extern const char scxe_builtin_db[];
