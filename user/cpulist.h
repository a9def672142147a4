/* SPDX-License-Identifier: GPL-2.0 */
/* CPU sets as bitmaps, and the kernel's list syntax ("0-3,8,10-11"). */
#ifndef SCXE_CPULIST_H
#define SCXE_CPULIST_H

#include <stdbool.h>
#include <stddef.h>
#include "scx_errata.h"

struct cpuset {
	unsigned long long bits[SCXE_MAX_CPUS / 64];
};

static inline void cpuset_zero(struct cpuset *s) { *s = (struct cpuset){ 0 }; }
static inline void cpuset_set(struct cpuset *s, unsigned int c)
{
	if (c < SCXE_MAX_CPUS)
		s->bits[c / 64] |= 1ull << (c % 64);
}
static inline bool cpuset_test(const struct cpuset *s, unsigned int c)
{
	return c < SCXE_MAX_CPUS && (s->bits[c / 64] >> (c % 64)) & 1;
}
int cpuset_count(const struct cpuset *s);
/* highest set CPU, or -1 when empty */
int cpuset_last(const struct cpuset *s);

/*
 * Parse a kernel cpu list. Whitespace around the list is ignored, an empty list is an empty
 * set. Returns 0, or -1 with a reason in err (e.g. "bad range 3-1") when the text is not a
 * list or names a CPU >= SCXE_MAX_CPUS.
 */
int cpulist_parse(const char *s, struct cpuset *out, char *err, size_t errlen);
/* Format as a compact list ("0-3,8"); returns buf. */
char *cpulist_format(const struct cpuset *s, char *buf, size_t len);

#endif
