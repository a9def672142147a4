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
	static char longlist[200];
	const struct {
		const char *s, *msg;
	} t[] = {
		{ "3-1", "bad range 3-1 in cpu list '3-1'" },
		{ "0-x", "'0-x' is not a cpu list (expected e.g. 0-3,6)" },
		{ "1;2", "unexpected ';' in cpu list '1;2'" },
		{ "0 1", "trailing text in cpu list '0 1'" },
		{ "512", "cpu 512 in '512' is beyond the supported 512 cpus" },
		{ "0-512", "cpu 512 in '0-512' is beyond the supported 512 cpus" },
		{ "4294967296", "cpu 4294967296 in '4294967296' is beyond the supported 512 cpus" },
		{ "18446744073709551616", "'18446744073709551616' is not a cpu list (expected e.g. 0-3,6)" },
		{ "99999999999999999999999", "'99999999999999999999999' is not a cpu list (expected e.g. 0-3,6)" },
		{ "-1", "'-1' is not a cpu list (expected e.g. 0-3,6)" },
		{ "+1", "'+1' is not a cpu list (expected e.g. 0-3,6)" },
		{ "0x1", "unexpected 'x' in cpu list '0x1'" },
		{ "1,,2", "'1,,2' is not a cpu list (expected e.g. 0-3,6)" },
		{ ",1", "',1' is not a cpu list (expected e.g. 0-3,6)" },
		{ "1-", "'1-' is not a cpu list (expected e.g. 0-3,6)" },
		{ "1--2", "'1--2' is not a cpu list (expected e.g. 0-3,6)" },
		{ "1-2-3", "unexpected '-' in cpu list '1-2-3'" },
		{ "1\n2", "trailing text in cpu list '1?2'" },
		{ longlist, "'0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,...' is not a cpu list (expected e.g. 0-3,6)" },
	};
	struct cpuset s;
	char err[160];

	for (size_t i = 0; i < sizeof(longlist) - 2; i += 2)
		memcpy(longlist + i, "0,", 2);
	longlist[sizeof(longlist) - 2] = 'x';
	for (int i = 0; i < UNIT_ROWS(t); i++) {
		err[0] = '\0';
		if (cpulist_parse(t[i].s, &s, err, sizeof(err)) != -1 || strcmp(err, t[i].msg))
			unit_fail(__FILE__, __LINE__, "cpulist_parse(\"%.40s\"): \"%s\", expected \"%s\"", t[i].s,
				  err, t[i].msg);
	}
	unit_inputs("cpu-list", UNIT_ROWS(t));
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
