// SPDX-License-Identifier: GPL-2.0
/*
 * --cpu-types SPEC -> host_apply_cpu_types on a synthesized host. Input: 3 header bytes
 * (number of cpus - 1, a mask of cpus 0-7 that are not possible, arch), then the spec.
 * A refused spec leaves the host byte for byte unchanged and says why; an accepted one
 * gives every possible cpu exactly one type, and the types' counts and sets agree.
 */
#include "fuzz.h"
#include "host.h"

static struct host h, before;

static void make_host(const uint8_t *hdr)
{
	int n = hdr[0] + 1;

	memset(&h, 0, sizeof(h));
	h.arch = hdr[2] & 1 ? SCXE_ARCH_X86 : SCXE_ARCH_ARM64;
	for (int c = 0; c < n; c++) {
		struct host_cpu *hc = &h.cpu[c];

		if (c < 8 && (hdr[1] >> c & 1) && c != n - 1)
			continue;
		cpuset_set(&h.possible, c);
		if (c % 5 != 4)
			cpuset_set(&h.online, c);
		hc->present = true;
		hc->online = c % 5 != 4;
		hc->capacity = c % 3 ? 1024 : 446;
		hc->package = hc->die = 0;
		hc->cluster = hc->llc = c / 4;
		hc->core = c;
		/* two identities, as on a big.LITTLE or P/E machine */
		hc->has_midr = h.arch == SCXE_ARCH_ARM64;
		hc->midr = h.arch == SCXE_ARCH_ARM64 ? (c % 3 ? 0x410fd0b1u : 0x410fd051u) :
			   host_x86_signature(6, 0x97, 2);
		hc->x86_vendor = h.arch == SCXE_ARCH_X86;
		hc->x86_family = 6;
		hc->x86_model = 0x97;
		hc->x86_stepping = 2;
		hc->core_kind = c % 3 ? SCXE_CORE_BIG : SCXE_CORE_LITTLE;
		hc->type = c % 3 ? 0 : 1;
		cpuset_set(&h.type[hc->type].cpus, c);
		h.type[hc->type].abi.nr_cpus++;
	}
	h.nr_cpu_ids = cpuset_last(&h.possible) + 1;
	h.nr_types = 2;
	snprintf(h.type[0].abi.name, sizeof(h.type[0].abi.name), "detected-big");
	snprintf(h.type[1].abi.name, sizeof(h.type[1].abi.name), "detected-little");
}

static void check_applied(void)
{
	struct cpuset all = { 0 };
	int total = 0;

	if (h.nr_types < 1 || h.nr_types > (int)SCXE_MAX_TYPES)
		fuzz_die("%d types after --cpu-types", h.nr_types);
	for (int t = 0; t < h.nr_types; t++) {
		const struct host_type *ty = &h.type[t];

		if (!ty->abi.name[0] || strnlen(ty->abi.name, sizeof(ty->abi.name)) == sizeof(ty->abi.name))
			fuzz_die("type %d has no terminated name", t);
		for (int u = 0; u < t; u++)
			if (!strcmp(h.type[u].abi.name, ty->abi.name))
				fuzz_die("type name %s twice", ty->abi.name);
		if (cpuset_count(&ty->cpus) != (int)ty->abi.nr_cpus)
			fuzz_die("type %s counts %u cpus, its set holds %d", ty->abi.name,
				 ty->abi.nr_cpus, cpuset_count(&ty->cpus));
		for (int c = 0; c < (int)SCXE_MAX_CPUS; c++) {
			if (!cpuset_test(&ty->cpus, c))
				continue;
			if (cpuset_test(&all, c))
				fuzz_die("cpu %d in two types", c);
			if (h.cpu[c].type != t)
				fuzz_die("cpu %d is in type %d's set but has type %d", c, t, h.cpu[c].type);
			cpuset_set(&all, c);
		}
		total += ty->abi.nr_cpus;
	}
	if (memcmp(&all, &h.possible, sizeof(all)) || total != cpuset_count(&h.possible))
		fuzz_die("the types do not cover exactly the possible cpus");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec, err[1024] = "";

	if (size < 3)
		return 0;
	make_host(data);
	memcpy(&before, &h, sizeof(h));
	spec = fuzz_cstr(data + 3, size - 3);
	if (host_apply_cpu_types(&h, spec, err, sizeof(err))) {
		if (!err[0])
			fuzz_die("refused without a reason");
		if (memcmp(&h, &before, sizeof(h)))
			fuzz_die("a refused spec changed the host");
	} else {
		check_applied();
	}
	free(spec);
	return 0;
}
