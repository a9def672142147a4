// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel cpu lists ("0-3,8") -> cpulist_parse, and back: an accepted list formats to a
 * compact list that parses to the same set, whatever the buffer size the formatter gets
 * (a short one truncates, never overflows, always terminates).
 */
#include "fuzz.h"
#include "cpulist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size), err[256], full[SCXE_MAX_CPUS * 8];
	struct cpuset set, again;
	size_t small;
	char *buf;

	err[0] = '\0';
	if (cpulist_parse(text, &set, err, sizeof(err))) {
		if (!err[0])
			fuzz_die("rejected without a reason");
		free(text);
		return 0;
	}
	if (cpuset_count(&set) == 0 ? cpuset_last(&set) != -1 :
	    !cpuset_test(&set, cpuset_last(&set)) || cpuset_last(&set) >= (int)SCXE_MAX_CPUS)
		fuzz_die("cpuset_last disagrees with the set");
	cpulist_format(&set, full, sizeof(full));
	if (strlen(full) >= sizeof(full) - 1)
		fuzz_die("formatted list filled the whole buffer");
	if (cpulist_parse(full, &again, err, sizeof(err)) || memcmp(&set, &again, sizeof(set)))
		fuzz_die("'%s' formats to '%s', which does not parse back to the same set", text, full);
	/* a buffer exactly as large as the input says, so ASan sees any overrun */
	small = size ? data[0] % 64 + 1 : 1;
	buf = malloc(small);
	if (!buf)
		fuzz_die("out of memory");
	cpulist_format(&set, buf, small);
	if (strnlen(buf, small) == small || strncmp(buf, full, strlen(buf)))
		fuzz_die("formatting into %zu bytes gave '%.*s', not a prefix of '%s'", small,
			 (int)small, buf, full);
	free(buf);
	free(text);
	return 0;
}
