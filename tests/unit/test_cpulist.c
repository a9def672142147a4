// SPDX-License-Identifier: GPL-2.0
/* cpulist.c: the kernel's cpu list syntax, both ways. */
#include "cpulist.h"
#include "unit.h"

UNIT_TEST(cpulist_parses_ranges_and_singles)
{
	struct cpuset s;
	char err[160], buf[64];

	EXPECT_EQ(cpulist_parse(" 0-3,8,10-11\n", &s, err, sizeof(err)), 0);
	EXPECT_EQ(cpuset_count(&s), 7);
	EXPECT(cpuset_test(&s, 8) && !cpuset_test(&s, 9));
	EXPECT_EQ(cpuset_last(&s), 11);
	EXPECT_STR(cpulist_format(&s, buf, sizeof(buf)), "0-3,8,10-11");
}

UNIT_TEST(cpulist_empty_is_empty_set)
{
	struct cpuset s;
	char err[160], buf[8];

	EXPECT_EQ(cpulist_parse("", &s, err, sizeof(err)), 0);
	EXPECT_EQ(cpuset_count(&s), 0);
	EXPECT_EQ(cpuset_last(&s), -1);
	EXPECT_STR(cpulist_format(&s, buf, sizeof(buf)), "");
}

UNIT_TEST(cpulist_rejects_bad_text)
{
	struct cpuset s;
	char err[160];

	EXPECT_EQ(cpulist_parse("3-1", &s, err, sizeof(err)), -1);
	EXPECT_STR(err, "bad range 3-1 in cpu list '3-1'");
	EXPECT_EQ(cpulist_parse("0-x", &s, err, sizeof(err)), -1);
	EXPECT_EQ(cpulist_parse("1;2", &s, err, sizeof(err)), -1);
	EXPECT_STR(err, "unexpected ';' in cpu list '1;2'");
	EXPECT_EQ(cpulist_parse("0 1", &s, err, sizeof(err)), -1);
	EXPECT_STR(err, "trailing text in cpu list '0 1'");
	EXPECT_EQ(cpulist_parse("512", &s, err, sizeof(err)), -1);
	EXPECT_STR(err, "cpu 512 in '512' is beyond the supported 512 cpus");
}

UNIT_TEST(cpulist_format_single_and_pairs)
{
	struct cpuset s;
	char buf[64];

	cpuset_zero(&s);
	cpuset_set(&s, 5);
	cpuset_set(&s, 7);
	cpuset_set(&s, 8);
	cpuset_set(&s, 511);
	cpuset_set(&s, 512);	/* beyond the set: ignored */
	EXPECT_STR(cpulist_format(&s, buf, sizeof(buf)), "5,7-8,511");
	EXPECT_EQ(cpuset_count(&s), 4);
}
