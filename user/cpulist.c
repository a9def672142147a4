// SPDX-License-Identifier: GPL-2.0
/* Parsing and printing of CPU lists in the kernel's syntax. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpulist.h"
#include "parse.h"

int cpuset_count(const struct cpuset *s)
{
	int n = 0;

	for (size_t i = 0; i < sizeof(s->bits) / sizeof(s->bits[0]); i++)
		n += __builtin_popcountll(s->bits[i]);
	return n;
}

int cpuset_last(const struct cpuset *s)
{
	for (int i = SCXE_MAX_CPUS / 64 - 1; i >= 0; i--)
		if (s->bits[i])
			return i * 64 + 63 - __builtin_clzll(s->bits[i]);
	return -1;
}

/* The digits at *p through the project's one number parser (parse.h); -1 when too long. */
static int parse_cpu(const char **p, unsigned long *v)
{
	unsigned long long n;
	char num[24];
	size_t len = 0;

	while (isdigit((unsigned char)(*p)[len]))
		len++;
	if (!len || len >= sizeof(num))
		return -1;
	memcpy(num, *p, len);
	num[len] = '\0';
	if (parse_u64(num, 0, ~0ul, &n))
		return -1;
	*v = n;
	*p += len;
	return 0;
}

int cpulist_parse(const char *s, struct cpuset *out, char *err, size_t errlen)
{
	const char *p = s;
	char q[64];	/* s as quoted in an error */

	cpuset_zero(out);
	while (isspace((unsigned char)*p))
		p++;
	while (*p && !isspace((unsigned char)*p)) {
		unsigned long lo, hi;
		const char *start = p;

		if (parse_cpu(&p, &lo)) {
			snprintf(err, errlen, "'%s' is not a cpu list (expected e.g. 0-3,6)",
				 parse_quote(s, q, sizeof(q)));
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi)) {
				snprintf(err, errlen, "'%s' is not a cpu list (expected e.g. 0-3,6)",
				 parse_quote(s, q, sizeof(q)));
				return -1;
			}
		}
		if (hi < lo) {
			snprintf(err, errlen, "bad range %.*s in cpu list '%s'", (int)(p - start), start,
				 parse_quote(s, q, sizeof(q)));
			return -1;
		}
		if (hi >= SCXE_MAX_CPUS) {
			snprintf(err, errlen, "cpu %lu in '%s' is beyond the supported %u cpus", hi,
				 parse_quote(s, q, sizeof(q)), SCXE_MAX_CPUS);
			return -1;
		}
		for (unsigned long c = lo; c <= hi; c++)
			cpuset_set(out, c);
		if (*p == ',')
			p++;
		else if (*p && !isspace((unsigned char)*p)) {
			snprintf(err, errlen, "unexpected '%c' in cpu list '%s'", *p,
				 parse_quote(s, q, sizeof(q)));
			return -1;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p) {
		snprintf(err, errlen, "trailing text in cpu list '%s'", parse_quote(s, q, sizeof(q)));
		return -1;
	}
	return 0;
}

char *cpulist_format(const struct cpuset *s, char *buf, size_t len)
{
	size_t off = 0;
	int c = 0;

	buf[0] = '\0';
	while (c < (int)SCXE_MAX_CPUS) {
		int start;

		if (!cpuset_test(s, c)) {
			c++;
			continue;
		}
		start = c;
		while (c + 1 < (int)SCXE_MAX_CPUS && cpuset_test(s, c + 1))
			c++;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%d", off ? "," : "", start);
		if (c > start && off < len)
			off += snprintf(buf + off, len - off, "-%d", c);
		c++;
	}
	return buf;
}
