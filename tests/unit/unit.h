/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small registered-test framework for scx_errata's user-space unit tests.
 *
 *   UNIT_TEST(cpulist_parses_ranges) { EXPECT_EQ(x, 3); EXPECT_STR(s, "a"); }
 *
 * Each UNIT_TEST registers itself at startup; tests/unit/main.c runs them (all, or those
 * named on its command line), prints TAP lines and a closing "N passed, N failed".
 * A failed EXPECT reports file:line and the values and fails the test, which goes on.
 */
#ifndef SCXE_UNIT_H
#define SCXE_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* directory of the fixture trees (tests/fixtures), from $SCXE_FIXTURES or the build */
const char *unit_fixtures(void);
/* a table of bad inputs tried n rows of kind; main prints the sums ("unit: inputs tried") */
void unit_inputs(const char *kind, int n);
#define UNIT_ROWS(t)	((int)(sizeof(t) / sizeof((t)[0])))

#define UNIT_TEST(n)							\
	static void unit_fn_##n(void);					\
	static struct unit_test unit_t_##n = { #n, unit_fn_##n, NULL };	\
	__attribute__((constructor)) static void unit_reg_##n(void)	\
	{ unit_register(&unit_t_##n); }					\
	static void unit_fn_##n(void)

#define EXPECT(c) do { if (!(c)) unit_fail(__FILE__, __LINE__, "expected %s", #c); } while (0)

#define EXPECT_EQ(a, b) do {							\
	long long _a = (long long)(a), _b = (long long)(b);			\
	if (_a != _b)								\
		unit_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld",	\
			  #a, _a, #b, _b);					\
} while (0)

#define EXPECT_STR(a, b) do {							\
	const char *_a = (a), *_b = (b);					\
	if (!_a || !_b || strcmp(_a, _b))					\
		unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"",	\
			  #a, _a ? _a : "(null)", _b ? _b : "(null)");		\
} while (0)

#endif
