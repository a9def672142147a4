// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/scx_errata.conf text -> config_load, through a real file (mode 0600, ours) in the
 * private scratch directory. A refused file leaves the caller's config byte for byte as it
 * was and gives one line, "FILE:...", in valid UTF-8 (values are quoted back cut on
 * character boundaries); an accepted one holds only values within their documented ranges.
 */
#include "fuzz.h"
#include "config.h"
#include "parse.h"
#include "scx_errata_abi.h"

static char path[PATH_MAX + 32];
static struct config c, before;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(path, sizeof(path), "%s/scx_errata.conf", fuzz_scratch("config"));
	return 0;
}

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void check_accepted(void)
{
	if (c.mode != SCXE_MODE_SAME_TYPE && c.mode != SCXE_MODE_SAME_CPU)
		fuzz_die("mode %u", c.mode);
	if (c.max_hold_ms > 3600000 || c.slice_us < 100 || c.slice_us > 1000000 || c.stats > 3600 ||
	    c.hold_budget_pct < 1 || c.hold_budget_pct > 100)
		fuzz_die("hold %llu slice %llu stats %llu budget %llu out of range", c.max_hold_ms,
			 c.slice_us, c.stats, c.hold_budget_pct);
	if (!terminated(c.shm_pattern, sizeof(c.shm_pattern)) || c.shm_pattern[0] != '/' ||
	    !terminated(c.cpu_types, sizeof(c.cpu_types)) ||
	    !terminated(c.errata_db, sizeof(c.errata_db)) ||
	    !terminated(c.qmp, sizeof(c.qmp)))
		fuzz_die("a global string is unterminated or relative");
	if (c.nr_vms < 0 || c.nr_vms > CONFIG_MAX_VMS)
		fuzz_die("%d vms", c.nr_vms);
	for (int i = 0; i < c.nr_vms; i++) {
		const struct config_vm *vm = &c.vm[i];

		if (!terminated(vm->name, sizeof(vm->name)) || !vm->name[0] ||
		    strlen(vm->name) > CONFIG_VM_NAME_MAX || !terminated(vm->path, sizeof(vm->path)) ||
		    vm->path[0] != '/' || !terminated(vm->qmp, sizeof(vm->qmp)))
			fuzz_die("vm %d has a bad name or path", i);
		if (vm->enforce < -1 || vm->enforce > 1 || vm->max_hold_ms < -1 || vm->max_hold_ms > 3600000)
			fuzz_die("vm %s: enforce %d hold %lld", vm->name, vm->enforce, vm->max_hold_ms);
		if (config_vm_by_name(&c, vm->name) != vm)
			fuzz_die("vm %s is not found by its name", vm->name);
		for (int j = 0; j < i; j++)
			if (!strcmp(c.vm[j].path, vm->path) || !strcmp(c.vm[j].name, vm->name))
				fuzz_die("vms %s and %s share a name or path", c.vm[j].name, vm->name);
	}
}

static void check_refused(const char *err, size_t errlen)
{
	size_t n = strlen(err);

	if (memcmp(&c, &before, sizeof(c)))
		fuzz_die("a refused file changed the config");
	if (strncmp(err, path, strlen(path)) || err[strlen(path)] != ':' || strchr(err, '\n'))
		fuzz_die("error is not one 'FILE:...' line: '%s'", err);
	if (n + 1 >= errlen)
		return;		/* cut by the buffer, maybe inside a character */
	for (size_t i = 0; i < n; ) {
		size_t l = utf8_seq_len((const unsigned char *)err + i, n - i);

		if (!l)
			fuzz_die("error is not valid UTF-8 at byte %zu: '%s'", i, err);
		i += l;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	int fds = fuzz_fd_mark();

	if (!fuzz_write(path, data, size, false, 0600))
		fuzz_die("cannot write %s: %s", path, strerror(errno));
	memset(&c, 0xa5, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	if (config_load(path, false, &c, err, sizeof(err)))
		check_refused(err, sizeof(err));
	else
		check_accepted();
	unlink(path);
	fuzz_fd_check(fds);
	return 0;
}
