// SPDX-License-Identifier: GPL-2.0
/*
 * host.c against the fixture trees of tests/fixtures (see gen.sh there): the exact types,
 * identities and topology each machine must produce, and the warnings malformed files give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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
	EXPECT_STR(host_arm_part_name(0x00, 0x051), "QEMU max");	/* TCG -cpu max: MIDR 0x000f0510 */
	EXPECT(host_arm_part_name(0x00, 0x052) == NULL);
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
	static char longspec[3100];
	const struct {
		const char *fixture, *spec, *msg;
	} t[] = {
		{ "rk3399", "0-5", "--cpu-types '0-5': '0-5' has no ':NAME' (e.g. 0-1:big,2-3:little)" },
		{ "rk3399", ":big", "--cpu-types ':big': missing cpu list before ':'" },
		{ "rk3399", "0-5:", "--cpu-types '0-5:': type names are 1 to 23 characters" },
		{ "rk3399", "0-5:abcdefghijklmnopqrstuvwxyz", "--cpu-types '0-5:abcdefghijklmnopqrstuvwxyz': type names are 1 to 23 characters" },
		{ "rk3399", "0-5:a b", "--cpu-types '0-5:a b': bad character ' ' in type name 'a b'" },
		{ "rk3399", "0-5:a:b", "--cpu-types '0-5:a:b': bad character ':' in type name 'a:b'" },
		{ "rk3399", "0-5:a\nb", "--cpu-types '0-5:a?b': bad character '\n' in type name 'a\nb'" },
		{ "rk3399", "5-0:x", "--cpu-types: bad range 5-0 in cpu list '5-0'" },
		{ "rk3399", "0-6:x", "--cpu-types '0-6:x': cpu 6 is not a possible cpu of this host (0-5)" },
		{ "rk3399", "0-600:x", "--cpu-types: cpu 600 in '0-600' is beyond the supported 512 cpus" },
		{ "rk3399", "0-18446744073709551616:x", "--cpu-types: '0-18446744073709551616' is not a cpu list (expected e.g. 0-3,6)" },
		{ "rk3399", "-1:a", "--cpu-types: '-1' is not a cpu list (expected e.g. 0-3,6)" },
		{ "rk3399", "+0-5:a", "--cpu-types: '+0-5' is not a cpu list (expected e.g. 0-3,6)" },
		{ "rk3399", "0x1:a", "--cpu-types: unexpected 'x' in cpu list '0x1'" },
		{ "rk3399", "0--5:a", "--cpu-types: '0--5' is not a cpu list (expected e.g. 0-3,6)" },
		{ "rk3399", "0-3:a,3-5:b", "--cpu-types '0-3:a,3-5:b': cpu 3 is named twice" },
		{ "rk3399", "0-5:big,0-5:big", "--cpu-types '0-5:big,0-5:big': cpu 0 is named twice" },
		{ "rk3399", "0-3:a", "--cpu-types '0-3:a' leaves cpu 4 without a type; name every possible cpu (0-5)" },
		{ "rk3399", "", "--cpu-types is empty; e.g. 0-1:big,2-3:little" },
		{ "rk3399", "0:a,1:b,2:c,3:d,4:e,5:f,0:g,0:h,0:i", "--cpu-types '0:a,1:b,2:c,3:d,4:e,5:f,0:g,0:h,0:i': cpu 0 is named twice" },
		/* a blank list names no CPU: no type without CPUs */
		{ "rk3399", "0:t1,1:t2,2:t3,3:t4,4:t5,5:t6, :t7, :t8, :t9", "--cpu-types '0:t1,1:t2,2:t3,3:t4,4:t5,5:t6, :t7, :t8, :t9': ' :t7' names no cpu" },
		{ "rk3399", "0-5:a, :b", "--cpu-types '0-5:a, :b': ' :b' names no cpu" },
		{ "rk3399", "0-5:a,", "--cpu-types '0-5:a,' ends with ','; drop it or name more cpus" },
		{ "rk3399", ",0-5:a", "--cpu-types: ',0-5' is not a cpu list (expected e.g. 0-3,6)" },
		{ "alderlake", "0:a,1:b,2:c,3:d,4:e,5:f,6:g,7:h,8-15:i", "--cpu-types '0:a,1:b,2:c,3:d,4:e,5:f,6:g,7:h,8-15:i': at most 8 types" },
		{ "rk3399", longspec, "--cpu-types 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' has no ':NAME' (e.g. 0-1:big,2-3:little)" },
	};
	char err[256], name[24];

	memset(longspec, 'x', sizeof(longspec) - 1);
	for (int i = 0; i < UNIT_ROWS(t); i++) {
		read_fixture(t[i].fixture);
		snprintf(name, sizeof(name), "%s", h.type[0].abi.name);
		err[0] = '\0';
		if (host_apply_cpu_types(&h, t[i].spec, err, sizeof(err)) != -1 || strcmp(err, t[i].msg))
			unit_fail(__FILE__, __LINE__, "--cpu-types '%.60s': got \"%s\", expected \"%s\"",
				  t[i].spec, err, t[i].msg);
		EXPECT_STR(h.type[0].abi.name, name);	/* unchanged */
	}
	unit_inputs("cpu-types", UNIT_ROWS(t));
}

/* ---- host_read on generated trees: one fault each --------------------------------------- */

static char troot[64];

static void put(const char *rel, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", troot, rel);
	for (char *p = strchr(path + strlen(troot) + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

/* arm64, 4 cpus, cpus 0,2 Cortex-A53 and 1,3 Cortex-A72 */
static void base_tree(void)
{
	char rel[128], v[32];

	put("sys/devices/system/cpu/possible", "0-3\n", 4);
	put("sys/devices/system/cpu/online", "0-3\n", 4);
	for (int c = 0; c < 4; c++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/regs/identification/midr_el1", c);
		snprintf(v, sizeof(v), "0x%016x\n", c & 1 ? 0x410fd080 : 0x410fd030);
		put(rel, v, strlen(v));
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/cpu_capacity", c);
		put(rel, c & 1 ? "1024\n" : "446\n", c & 1 ? 5 : 4);
	}
}

UNIT_TEST(host_read_bad_trees)
{
	enum { WRITE, REMOVE, MKDIR, FIFO };
	static char big[6000];
	const struct {
		int op;
		const char *file, *text;
		int len;		/* -1: strlen(text) */
		int rc;			/* of host_read */
		const char *msg;	/* the error after "<root>/", or NULL */
		int warnings;
	} t[] = {
		{ REMOVE, "sys/devices/system/cpu/possible", NULL, 0, -1, "no cpus found in @/sys/devices/system/cpu/possible; is that a sysfs tree?", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", "", -1, -1, "no cpus found in @/sys/devices/system/cpu/possible; is that a sysfs tree?", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", "0-", -1, -1, "@/sys/devices/system/cpu/possible: '0-' is not a cpu list (expected e.g. 0-3,6)", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", "0-599\n", -1, -1, "@/sys/devices/system/cpu/possible: cpu 599 in '0-599' is beyond the supported 512 cpus", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", "0-512\n", -1, -1, "@/sys/devices/system/cpu/possible: cpu 512 in '0-512' is beyond the supported 512 cpus", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", "0-4294967296\n", -1, -1, "@/sys/devices/system/cpu/possible: cpu 4294967296 in '0-4294967296' is beyond the supported 512 cpus", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", "0-3\0junk", 8, -1, "@/sys/devices/system/cpu/possible is not a cpu list file of at most 4095 bytes", 0 },
		{ WRITE, "sys/devices/system/cpu/possible", big, sizeof(big) - 1, -1, "@/sys/devices/system/cpu/possible is not a cpu list file of at most 4095 bytes", 0 },
		{ MKDIR, "sys/devices/system/cpu/possible", NULL, 0, -1, "@/sys/devices/system/cpu/possible is not a cpu list file of at most 4095 bytes", 0 },
		{ FIFO, "sys/devices/system/cpu/possible", NULL, 0, -1, "@/sys/devices/system/cpu/possible is not a cpu list file of at most 4095 bytes", 0 },
		{ REMOVE, "sys/devices/system/cpu/online", NULL, 0, 0, NULL, 1 },
		{ WRITE, "sys/devices/system/cpu/online", "\n", -1, 0, NULL, 1 },
		{ WRITE, "sys/devices/system/cpu/online", "0-700\n", -1, 0, NULL, 1 },
		{ WRITE, "sys/devices/system/cpu/cpu1/regs/identification/midr_el1", "0x\n", -1, 0, NULL, 2 },
		{ WRITE, "sys/devices/system/cpu/cpu1/regs/identification/midr_el1", "0xffffffffffffffffffff\n", -1, 0, NULL, 2 },
		{ WRITE, "sys/devices/system/cpu/cpu1/regs/identification/midr_el1", "0x41\0fd080", 10, 0, NULL, 2 },
		{ FIFO, "sys/devices/system/cpu/cpu1/regs/identification/midr_el1", NULL, 0, 0, NULL, 2 },
		{ WRITE, "sys/devices/system/cpu/cpu1/cpu_capacity", "99999999999999999999999\n", -1, 0, NULL, 1 },
		{ WRITE, "sys/devices/system/cpu/cpu1/cpu_capacity", "0\n", -1, 0, NULL, 1 },
		{ FIFO, "sys/devices/system/cpu/cpu1/cpu_capacity", NULL, 0, 0, NULL, 1 },
		{ WRITE, "proc/cpuinfo", big, sizeof(big) - 1, 0, NULL, 0 },
	};
	char err[512], want[512], path[256];

	memset(big, '7', sizeof(big) - 1);
	for (int i = 0; i < UNIT_ROWS(t); i++) {
		int before = log_nr_warnings, rc;
		const char *at;

		snprintf(troot, sizeof(troot), "/tmp/scxe-unit-host.XXXXXX");
		if (!mkdtemp(troot)) {
			unit_fail(__FILE__, __LINE__, "mkdtemp failed");
			return;
		}
		base_tree();
		snprintf(path, sizeof(path), "%s/%s", troot, t[i].file);
		if (t[i].op != WRITE)
			unlink(path);
		if (t[i].op == WRITE)
			put(t[i].file, t[i].text, t[i].len < 0 ? strlen(t[i].text) : (size_t)t[i].len);
		else if (t[i].op == MKDIR)
			mkdir(path, 0755);
		else if (t[i].op == FIFO)
			mkfifo(path, 0644);
		err[0] = '\0';
		log_quiet_warn = true;
		rc = host_read(&h, troot, err, sizeof(err));
		log_quiet_warn = false;
		want[0] = '\0';
		if (t[i].msg && (at = strchr(t[i].msg, '@')))
			snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - t[i].msg), t[i].msg, troot, at + 1);
		if (rc != t[i].rc || (t[i].msg && strcmp(err, want)) ||
		    log_nr_warnings - before != t[i].warnings)
			unit_fail(__FILE__, __LINE__, "row %d (%s): rc %d, %d warnings, \"%s\"; expected rc %d, %d warnings, \"%s\"",
				  i, t[i].file, rc, log_nr_warnings - before, err, t[i].rc, t[i].warnings, want);
		{
			char cmd[128];

			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", troot);
			if (system(cmd))
				unit_fail(__FILE__, __LINE__, "cannot remove %s", troot);
		}
	}
	unit_inputs("host-tree", UNIT_ROWS(t));
}

UNIT_TEST(host_read_nine_types)
{
	char err[512], want[600], rel[128], v[32];

	snprintf(troot, sizeof(troot), "/tmp/scxe-unit-host.XXXXXX");
	if (!mkdtemp(troot)) {
		unit_fail(__FILE__, __LINE__, "mkdtemp failed");
		return;
	}
	put("sys/devices/system/cpu/possible", "0-15\n", 5);
	for (int c = 0; c < 16; c++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%d/regs/identification/midr_el1", c);
		snprintf(v, sizeof(v), "0x%016x\n", 0x410fd030 + (c % 9) * 0x100000);
		put(rel, v, strlen(v));
	}
	log_quiet_warn = true;
	EXPECT_EQ(host_read(&h, troot, err, sizeof(err)), -1);
	log_quiet_warn = false;
	snprintf(want, sizeof(want), "%s has more than 8 cpu types (cpu 8 is of a 9th); group them with --cpu-types", troot);
	EXPECT_STR(err, want);
	snprintf(rel, sizeof(rel), "rm -rf '%s'", troot);
	EXPECT_EQ(system(rel), 0);
	unit_inputs("host-tree", 1);
}

/* The scheduler's shared queues: one per (type, LLC), numbered by lowest CPU. */
UNIT_TEST(host_domains_per_type_and_llc)
{
	__u32 dom[SCXE_MAX_CPUS], dt[SCXE_MAX_DOMAINS];

	/* rk3399: the L2 of each cluster is the LLC, one type per cluster */
	read_fixture("rk3399");
	EXPECT_EQ(host_domains(&h, dom, dt), 2);
	EXPECT_EQ(dom[0], 0);
	EXPECT_EQ(dom[3], 0);
	EXPECT_EQ(dom[4], 1);
	EXPECT_EQ(dom[5], 1);
	EXPECT_EQ(dt[1], 1);
	/* sm8450: one DSU L3 shared by three types: a queue per type */
	read_fixture("sm8450");
	EXPECT_EQ(host_domains(&h, dom, dt), 3);
	EXPECT_EQ(dom[6], 1);
	EXPECT_EQ(dom[7], 2);
	EXPECT_EQ(dt[2], 2);
	/* altra: one type, the L2 of each core is its last level: a queue per CPU */
	read_fixture("altra");
	EXPECT_EQ(host_domains(&h, dom, dt), 8);
	EXPECT_EQ(dom[6], 6);
	EXPECT_EQ(dt[6], 0);
}

/* More (type, LLC) pairs than queues fold onto existing ones instead of failing. */
UNIT_TEST(host_domains_fold_beyond_the_limit)
{
	__u32 dom[SCXE_MAX_CPUS], dt[SCXE_MAX_DOMAINS];

	read_fixture("altra");
	h.nr_cpu_ids = SCXE_MAX_CPUS;
	for (int c = 0; c < h.nr_cpu_ids; c++) {
		h.cpu[c] = h.cpu[0];
		h.cpu[c].llc = c;	/* every CPU its own cache */
	}
	EXPECT_EQ(host_domains(&h, dom, dt), SCXE_MAX_DOMAINS);
	EXPECT_EQ(dom[SCXE_MAX_DOMAINS - 1], SCXE_MAX_DOMAINS - 1);
	for (int c = 0; c < h.nr_cpu_ids; c++)
		EXPECT(dom[c] < SCXE_MAX_DOMAINS);
}
