/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A numeric command-line value for the benchmark programs (many_vcpus, prog_cost), read by
 * the daemon's own strict parser (user/parse.c) so that they refuse what it refuses.
 */
#ifndef OPT_NUM_H
#define OPT_NUM_H

#include <stdio.h>
#include <stdlib.h>
#include "parse.h"

/* s as a decimal integer in [min, max]; otherwise "PROG: WHAT 'S': ..." and exit 2 */
static inline unsigned long long opt_num(const char *prog, const char *what, const char *s,
					 unsigned long long min, unsigned long long max)
{
	unsigned long long v;

	if (parse_u64(s, min, max, &v)) {
		fprintf(stderr, "%s: %s '%s': expected an integer from %llu to %llu\n", prog, what,
			s, min, max);
		exit(2);
	}
	return v;
}

#endif /* OPT_NUM_H */
