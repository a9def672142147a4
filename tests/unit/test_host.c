// SPDX-License-Identifier: GPL-2.0
/*
 * host.c against the fixture trees of tests/fixtures (see gen.sh there): the exact types,
 * identities and topology each machine must produce, and the warnings malformed files give.
 */
#include <stdio.h>
#include "host.h"
#include "log.h"
#include "unit.h"

static struct host h;

/* Read fixture `name`; returns the warnings it produced. */
static int read_fixture(const char *name)
{
	char root[512], err[256];
	int before = log_nr_warnings;

	snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), name);
	log_quiet_warn = true;
	EXPECT_EQ(host_read(&h, root, err, sizeof(err)), 0);
	log_quiet_warn = false;
	return log_nr_warnings - before;
}

static const char *type_cpus(int t)
{
	static char buf[128];

	return cpulist_format(&h.type[t].cpus, buf, sizeof(buf));
}

UNIT_TEST(host_rk3399_two_types)
{
	EXPECT_EQ(read_fixture("rk3399"), 0);
	EXPECT_EQ(h.arch, SCXE_ARCH_ARM64);
	EXPECT_EQ(h.nr_cpu_ids, 6);
	EXPECT_EQ(h.nr_types, 2);
	EXPECT_STR(h.type[0].abi.name, "Cortex-A53");
	EXPECT_STR(type_cpus(0), "0-3");
	EXPECT_EQ(h.type[0].abi.midr, 0x410fd034);
	EXPECT_EQ(h.type[0].abi.vendor, 0x41);
	EXPECT_EQ(h.type[0].abi.part, 0xd03);
	EXPECT_EQ(h.type[0].abi.variant, 0);
	EXPECT_EQ(h.type[0].abi.revision, 4);
	EXPECT_EQ(h.type[0].abi.core_kind, SCXE_CORE_LITTLE);
	EXPECT_EQ(h.type[0].abi.capacity, 485);
	EXPECT_EQ(h.type[0].abi.nr_cpus, 4);
	EXPECT_STR(h.type[1].abi.name, "Cortex-A72");
	EXPECT_STR(type_cpus(1), "4-5");
	EXPECT_EQ(h.type[1].abi.core_kind, SCXE_CORE_BIG);
	EXPECT_EQ(h.type[1].abi.revision, 2);
	/* topology: clusters and the L2 as last-level cache */
	EXPECT_EQ(h.cpu[5].cluster, 1);
	EXPECT_EQ(h.cpu[5].core, 1);
	EXPECT_EQ(h.cpu[5].llc, 4);
	EXPECT_EQ(h.cpu[2].llc, 0);
	EXPECT_EQ(h.cpu[3].type, 0);
	EXPECT_EQ(h.cpu[4].type, 1);
	EXPECT(h.cpu[4].online && h.cpu[4].has_midr && h.cpu[4].has_revidr);
}

UNIT_TEST(host_sm8450_three_types)
{
	EXPECT_EQ(read_fixture("sm8450"), 0);
	EXPECT_EQ(h.nr_types, 3);
	EXPECT_STR(h.type[0].abi.name, "Cortex-A510");
	EXPECT_STR(h.type[1].abi.name, "Cortex-A710");
	EXPECT_STR(h.type[2].abi.name, "Cortex-X2");
	EXPECT_STR(type_cpus(0), "0-3");
	EXPECT_STR(type_cpus(1), "4-6");
	EXPECT_STR(type_cpus(2), "7");
	EXPECT_EQ(h.type[0].abi.core_kind, SCXE_CORE_LITTLE);
	EXPECT_EQ(h.type[1].abi.core_kind, SCXE_CORE_MID);
	EXPECT_EQ(h.type[2].abi.core_kind, SCXE_CORE_BIG);
	EXPECT_EQ(h.type[0].abi.variant, 1);
	EXPECT_EQ(h.type[2].abi.variant, 2);
	/* the DSU L3 is shared by all eight: one LLC */
	EXPECT_EQ(h.cpu[7].llc, 0);
	EXPECT_EQ(h.cpu[7].core_kind, SCXE_CORE_BIG);
}

UNIT_TEST(host_altra_one_uniform_type)
{
	EXPECT_EQ(read_fixture("altra"), 0);
	EXPECT_EQ(h.nr_types, 1);
	EXPECT_STR(h.type[0].abi.name, "Neoverse-N1");
	EXPECT_EQ(h.type[0].abi.core_kind, SCXE_CORE_UNIFORM);
	EXPECT_EQ(h.type[0].abi.nr_cpus, 8);
	EXPECT_EQ(h.type[0].abi.variant, 3);
	EXPECT_EQ(h.type[0].abi.revision, 1);
	EXPECT_EQ(h.cpu[6].cluster, 3);
	EXPECT_EQ(h.cpu[6].llc, 6);
}

UNIT_TEST(host_alderlake_hybrid)
{
	EXPECT_EQ(read_fixture("alderlake"), 0);
	EXPECT_EQ(h.arch, SCXE_ARCH_X86);
	EXPECT_EQ(h.nr_types, 2);
	EXPECT_STR(h.type[0].abi.name, "Intel P-core");
	EXPECT_STR(h.type[1].abi.name, "Intel E-core");
	EXPECT_STR(type_cpus(0), "0-11");
	EXPECT_STR(type_cpus(1), "12-15");
	EXPECT_EQ(h.type[0].abi.core_kind, SCXE_CORE_BIG);
	EXPECT_EQ(h.type[1].abi.core_kind, SCXE_CORE_LITTLE);
	EXPECT_EQ(h.type[1].abi.vendor, 1);
	EXPECT_EQ(h.type[1].abi.part, 6);
	EXPECT_EQ(h.type[1].abi.variant, 0x97);
	EXPECT_EQ(h.type[1].abi.revision, 2);
	EXPECT_EQ(h.type[1].abi.midr, 0x90672);	/* CPUID.1.EAX of 06-97-02 */
	EXPECT_EQ(h.type[0].abi.capacity, 1024);
	EXPECT_EQ(h.cpu[14].llc, 0);
	EXPECT_EQ(h.cpu[14].cluster, 64);
}

UNIT_TEST(host_x86_signature)
{
	EXPECT_EQ(host_x86_signature(6, 0x97, 2), 0x90672);
	EXPECT_EQ(host_x86_signature(0x19, 0x61, 2), 0xa60f12);	/* AMD Zen 4 */
	EXPECT_EQ(host_x86_signature(6, 0x55, 7), 0x50657);
}

UNIT_TEST(host_a64_midr_from_cpuinfo)
{
	/* no regs/identification at all: /proc/cpuinfo identifies every CPU, silently */
	EXPECT_EQ(read_fixture("a64"), 0);
	EXPECT_EQ(h.arch, SCXE_ARCH_ARM64);
	EXPECT_EQ(h.nr_types, 1);
	EXPECT_STR(h.type[0].abi.name, "Cortex-A53");
	EXPECT_EQ(h.type[0].abi.midr, 0x410fd034);
	EXPECT(h.cpu[0].has_midr && !h.cpu[0].has_revidr);
}

UNIT_TEST(host_broken_inputs_warn_and_recover)
{
	/* online list, cpu2 midr, cpu3 and cpu5 capacity, cpu6 L2 list, cpu7 identity */
	EXPECT_EQ(read_fixture("broken"), 6);
	EXPECT_EQ(h.nr_types, 3);
	EXPECT_STR(h.type[0].abi.name, "Cortex-A55");
	EXPECT_STR(type_cpus(0), "0-3");	/* cpu1 and cpu2 from /proc/cpuinfo */
	EXPECT_STR(h.type[1].abi.name, "Cortex-A76");
	EXPECT_STR(type_cpus(1), "4-6");
	EXPECT_STR(h.type[2].abi.name, "unknown");
	EXPECT_STR(type_cpus(2), "7");
	EXPECT(!h.cpu[7].has_midr);
	EXPECT_EQ(h.cpu[3].capacity, 1024);
	EXPECT_EQ(h.cpu[5].capacity, 1024);
	EXPECT_EQ(h.cpu[0].capacity, 512);
	EXPECT_EQ(h.type[0].abi.core_kind, SCXE_CORE_LITTLE);
	EXPECT_EQ(h.type[1].abi.core_kind, SCXE_CORE_BIG);
	EXPECT(h.cpu[6].online);	/* no online file: every possible CPU counts */
	EXPECT_EQ(h.cpu[6].llc, 0);	/* bad L2 list skipped, the L3 still found */
}

UNIT_TEST(host_missing_root_fails)
{
	char err[256];

	log_quiet_warn = true;
	EXPECT_EQ(host_read(&h, "/nonexistent/scxe", err, sizeof(err)), -1);
	log_quiet_warn = false;
	EXPECT_STR(err, "no cpus found in /nonexistent/scxe/sys/devices/system/cpu/possible; is that a sysfs tree?");
}

UNIT_TEST(host_part_names)
{
	EXPECT_STR(host_arm_part_name(0x41, 0xd85), "Cortex-X925");
	EXPECT_STR(host_arm_part_name(0x48, 0xd01), "HiSilicon TSV110");
	EXPECT_STR(host_arm_part_name(0x51, 0x001), "Qualcomm Oryon");
	EXPECT_STR(host_arm_part_name(0xc0, 0xac5), "Ampere");
	EXPECT(host_arm_part_name(0x41, 0xfff) == NULL);
}

UNIT_TEST(host_unknown_part_shows_raw_midr)
{
	EXPECT_EQ(read_fixture("unknown-part"), 0);
	EXPECT_EQ(h.nr_types, 1);
	EXPECT_STR(h.type[0].abi.name, "midr-5a1f0010");
	EXPECT_EQ(h.type[0].abi.vendor, 0x5a);
	EXPECT_EQ(h.type[0].abi.part, 0x001);
	EXPECT_EQ(h.type[0].abi.variant, 1);
}

/* --cpu-types (user/cpuspec.c) */
UNIT_TEST(cpuspec_valid_specs)
{
	char err[256];

	read_fixture("rk3399");
	EXPECT_EQ(host_apply_cpu_types(&h, "0-3:little,4-5:big", err, sizeof(err)), 0);
	EXPECT_EQ(h.nr_types, 2);
	EXPECT_STR(h.type[0].abi.name, "little");
	EXPECT_EQ(h.type[0].abi.core_kind, SCXE_CORE_LITTLE);
	EXPECT_EQ(h.type[1].abi.core_kind, SCXE_CORE_BIG);
	EXPECT_EQ(h.type[1].abi.midr, 0x410fd082);	/* identity of the first CPU kept */
	EXPECT_EQ(h.type[0].abi.capacity, 485);
	EXPECT_EQ(h.cpu[5].type, 1);

	/* a name may repeat to gather lists; interleaved lists */
	EXPECT_EQ(host_apply_cpu_types(&h, "0,2:a,1,3:b,4:a,5:mid", err, sizeof(err)), 0);
	EXPECT_EQ(h.nr_types, 3);
	EXPECT_STR(type_cpus(0), "0,2,4");
	EXPECT_STR(type_cpus(1), "1,3");
	EXPECT_EQ(h.type[2].abi.core_kind, SCXE_CORE_MID);
	EXPECT_EQ(h.type[0].abi.nr_cpus, 3);

	/* one type for everything */
	EXPECT_EQ(host_apply_cpu_types(&h, "0-5:all", err, sizeof(err)), 0);
	EXPECT_EQ(h.nr_types, 1);
}

UNIT_TEST(cpuspec_error_paths)
{
	char err[256];

	read_fixture("rk3399");
#define BAD(spec, msg) do {							\
	EXPECT_EQ(host_apply_cpu_types(&h, spec, err, sizeof(err)), -1);	\
	EXPECT_STR(err, msg);							\
	EXPECT_EQ(h.nr_types, 2);	/* unchanged */				\
	EXPECT_STR(h.type[0].abi.name, "Cortex-A53");				\
} while (0)
	BAD("0-5", "--cpu-types '0-5': '0-5' has no ':NAME' (e.g. 0-1:big,2-3:little)");
	BAD(":big", "--cpu-types ':big': missing cpu list before ':'");
	BAD("0-5:", "--cpu-types '0-5:': type names are 1 to 23 characters");
	BAD("0-5:abcdefghijklmnopqrstuvwxyz", "--cpu-types '0-5:abcdefghijklmnopqrstuvwxyz': type names are 1 to 23 characters");
	BAD("0-5:a b", "--cpu-types '0-5:a b': bad character ' ' in type name 'a b'");
	BAD("5-0:x", "--cpu-types: bad range 5-0 in cpu list '5-0'");
	BAD("0-6:x", "--cpu-types '0-6:x': cpu 6 is not a possible cpu of this host (0-5)");
	BAD("0-3:a,3-5:b", "--cpu-types '0-3:a,3-5:b': cpu 3 is named twice");
	BAD("0-3:a", "--cpu-types '0-3:a' leaves cpu 4 without a type; name every possible cpu (0-5)");
	BAD("", "--cpu-types is empty; e.g. 0-1:big,2-3:little");
	BAD("0:a,1:b,2:c,3:d,4:e,5:f,0:g,0:h,0:i", "--cpu-types '0:a,1:b,2:c,3:d,4:e,5:f,0:g,0:h,0:i': cpu 0 is named twice");
	/* a blank list is an empty set, which lets nine names meet six CPUs */
	BAD("0:t1,1:t2,2:t3,3:t4,4:t5,5:t6, :t7, :t8, :t9",
	    "--cpu-types '0:t1,1:t2,2:t3,3:t4,4:t5,5:t6, :t7, :t8, :t9': at most 8 types");
#undef BAD
}
