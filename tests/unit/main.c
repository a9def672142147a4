// SPDX-License-Identifier: GPL-2.0
/* Runner for the registered unit tests: TAP lines, then "N passed, N failed". */
#include <stdarg.h>
#include <stdlib.h>
#include "unit.h"

/* names the closing count: "unit", or "asan" for the sanitizer build (make check-asan) */
#ifndef UNIT_PART
#define UNIT_PART "unit"
#endif

static struct unit_test *head, **tail = &head;
static int cur_failed;
static struct { const char *kind; int n; } inputs[32];
static int nr_kinds;

void unit_inputs(const char *kind, int n)
{
	int i;

	for (i = 0; i < nr_kinds && strcmp(inputs[i].kind, kind); i++)
		;
	if (i == nr_kinds) {
		if (nr_kinds == (int)(sizeof(inputs) / sizeof(inputs[0])))
			return;
		inputs[nr_kinds++].kind = kind;
	}
	inputs[i].n += n;
}

void unit_register(struct unit_test *t)
{
	/* constructors run in link order; keep it so output is stable */
	*tail = t;
	tail = &t->next;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	cur_failed = 1;
}

const char *unit_fixtures(void)
{
	const char *d = getenv("SCXE_FIXTURES");

	return d ? d : "tests/fixtures";
}

static int selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, passed = 0, failed = 0;
	struct unit_test *t;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s [TEST...]   run all unit tests, or the named ones\n", argv[0]);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--list")) {
		for (t = head; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}
	for (t = head; t; t = t->next)
		n += selected(t->name, argc, argv);
	if (!n) {
		fprintf(stderr, "unit: no test matches; see --list\n");
		return 1;
	}
	printf("TAP version 13\n1..%d\n", n);
	n = 0;
	for (t = head; t; t = t->next) {
		if (!selected(t->name, argc, argv))
			continue;
		cur_failed = 0;
		fflush(stdout);
		t->fn();
		printf("%s %d - %s\n", cur_failed ? "not ok" : "ok", ++n, t->name);
		if (cur_failed)
			failed++;
		else
			passed++;
	}
	if (nr_kinds) {
		int total = 0;

		printf(UNIT_PART ": inputs tried:");
		for (int i = 0; i < nr_kinds; i++) {
			printf(" %s=%d", inputs[i].kind, inputs[i].n);
			total += inputs[i].n;
		}
		printf(" total=%d\n", total);
	}
	printf(UNIT_PART ": %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
