// SPDX-License-Identifier: GPL-2.0
/*
 * --cpu-types SPEC: "LIST:NAME[,LIST:NAME...]", e.g. "0-1:big,2-3:little" or
 * "0,2:a76,1,3:a55". A LIST is a kernel cpu list; a NAME is what follows the colon up to the
 * next comma, so names never contain commas and the split is unambiguous.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "host.h"
#include "parse.h"

static __u8 kind_of(const char *name)
{
	if (!strcasecmp(name, "big") || !strcasecmp(name, "p") || !strcasecmp(name, "p-core") ||
	    !strcasecmp(name, "prime"))
		return SCXE_CORE_BIG;
	if (!strcasecmp(name, "little") || !strcasecmp(name, "e") || !strcasecmp(name, "e-core"))
		return SCXE_CORE_LITTLE;
	if (!strcasecmp(name, "mid") || !strcasecmp(name, "medium"))
		return SCXE_CORE_MID;
	return SCXE_CORE_UNKNOWN;
}

int host_apply_cpu_types(struct host *h, const char *spec, char *err, size_t errlen)
{
	struct host_type types[SCXE_MAX_TYPES];
	int cpu_type[SCXE_MAX_CPUS];
	struct cpuset named;
	const char *p = spec;
	char qbuf[64], qp[64];	/* spec and a part of it, as quoted in an error */
	const char *q = parse_quote(spec, qbuf, sizeof(qbuf));
	int nr = 0;

	cpuset_zero(&named);
	memset(types, 0, sizeof(types));
	while (*p) {
		char list[1024], name[SCXE_ABI_NAME_LEN], lerr[160];
		const char *colon = strchr(p, ':'), *end;
		struct cpuset cpus;
		size_t n;
		int t;

		if (!colon) {
			snprintf(err, errlen, "--cpu-types '%s': '%s' has no ':NAME' (e.g. 0-1:big,2-3:little)", q,
				 parse_quote(p, qp, sizeof(qp)));
			return -1;
		}
		n = colon - p;
		if (n == 0 || n >= sizeof(list)) {
			snprintf(err, errlen, "--cpu-types '%s': missing cpu list before ':'", q);
			return -1;
		}
		memcpy(list, p, n);
		list[n] = '\0';
		end = strchr(colon + 1, ',');
		if (!end)
			end = colon + strlen(colon);
		n = end - colon - 1;
		if (n == 0 || n >= sizeof(name)) {
			snprintf(err, errlen, "--cpu-types '%s': type names are 1 to %u characters",
				 q, SCXE_ABI_NAME_LEN - 1);
			return -1;
		}
		memcpy(name, colon + 1, n);
		name[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)name[i]) && !strchr("-_.+", name[i])) {
				snprintf(err, errlen, "--cpu-types '%s': bad character '%c' in type name '%s'",
					 q, name[i], name);
				return -1;
			}
		if (cpulist_parse(list, &cpus, lerr, sizeof(lerr))) {
			snprintf(err, errlen, "--cpu-types: %s", lerr);
			return -1;
		}
		/* a blank list would make a type no CPU has */
		if (!cpuset_count(&cpus)) {
			snprintf(err, errlen, "--cpu-types '%s': '%s:%s' names no cpu", q,
				 parse_quote(list, qp, sizeof(qp)), name);
			return -1;
		}
		for (t = 0; t < nr; t++)
			if (!strcmp(types[t].abi.name, name))
				break;
		if (t == nr) {
			if (nr == SCXE_MAX_TYPES) {
				snprintf(err, errlen, "--cpu-types '%s': at most %u types", q, SCXE_MAX_TYPES);
				return -1;
			}
			snprintf(types[t].abi.name, sizeof(types[t].abi.name), "%s", name);
			types[t].abi.core_kind = kind_of(name);
			nr++;
		}
		for (int c = 0; c < (int)SCXE_MAX_CPUS; c++) {
			if (!cpuset_test(&cpus, c))
				continue;
			if (!cpuset_test(&h->possible, c)) {
				snprintf(err, errlen, "--cpu-types '%s': cpu %d is not a possible cpu of this host (0-%d)",
					 q, c, h->nr_cpu_ids - 1);
				return -1;
			}
			if (cpuset_test(&named, c)) {
				snprintf(err, errlen, "--cpu-types '%s': cpu %d is named twice", q, c);
				return -1;
			}
			cpuset_set(&named, c);
			cpuset_set(&types[t].cpus, c);
			cpu_type[c] = t;
		}
		p = *end ? end + 1 : end;
		if (*end && !*p) {
			snprintf(err, errlen, "--cpu-types '%s' ends with ','; drop it or name more cpus", q);
			return -1;
		}
	}
	if (!nr) {
		snprintf(err, errlen, "--cpu-types is empty; e.g. 0-1:big,2-3:little");
		return -1;
	}
	for (int c = 0; c < h->nr_cpu_ids; c++)
		if (cpuset_test(&h->possible, c) && !cpuset_test(&named, c)) {
			snprintf(err, errlen, "--cpu-types '%s' leaves cpu %d without a type; name every possible cpu (0-%d)",
				 q, c, h->nr_cpu_ids - 1);
			return -1;
		}
	/* all checked: apply */
	for (int t = 0; t < nr; t++) {
		int first = -1;

		for (int c = 0; c < h->nr_cpu_ids && first < 0; c++)
			if (cpuset_test(&types[t].cpus, c))
				first = c;
		types[t].abi.nr_cpus = cpuset_count(&types[t].cpus);
		types[t].abi.arch = h->arch;
		if (first >= 0)
			host_type_identity(h, &types[t].abi, &h->cpu[first]);
	}
	for (int c = 0; c < h->nr_cpu_ids; c++)
		if (cpuset_test(&h->possible, c))
			h->cpu[c].type = cpu_type[c];
	memcpy(h->type, types, sizeof(types));
	h->nr_types = nr;
	return 0;
}
