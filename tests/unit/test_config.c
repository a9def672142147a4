// SPDX-License-Identifier: GPL-2.0
/*
 * config.c and parse.c: every key, every refusal with its exact one-line message, comments
 * and blanks, the defaults, who may own and write the file, and the 64-VM limit. Files are
 * written to a mkdtemp directory with explicit modes, so the umask does not matter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config.h"
#include "parse.h"
#include "scx_errata_abi.h"
#include "unit.h"

static char dir[64];
static char err[PATH_MAX + 512];

/* dir/name in a static buffer; the directory is created on first use */
static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/scxe-unit-config.XXXXXX");
		if (!mkdtemp(dir)) {
			unit_fail(__FILE__, __LINE__, "mkdtemp failed");
			dir[0] = '\0';
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void tmp_cleanup(const char *name)
{
	unlink(tmp_path(name));
	rmdir(dir);
	dir[0] = '\0';
}

/* Write len bytes to dir/name with the given mode; returns the path. */
static const char *write_conf(const char *name, const void *buf, size_t len, mode_t mode)
{
	const char *path = tmp_path(name);
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || fchmod(fd, mode))
		unit_fail(__FILE__, __LINE__, "cannot write %s", path);
	if (fd >= 0)
		close(fd);
	return path;
}

/* Load text as a config file; returns config_load's result. */
static int load_text(const char *text, struct config *c)
{
	const char *path = write_conf("t.conf", text, strlen(text), 0644);
	int ret = config_load(path, false, c, err, sizeof(err));

	tmp_cleanup("t.conf");
	return ret;
}

/* err without the "DIR/t.conf:" prefix, so expectations do not depend on mkdtemp */
static const char *err_after_file(void)
{
	const char *p = strstr(err, "t.conf:");

	return p ? p + strlen("t.conf:") : err;
}

static struct config cfg;	/* 0.5 MiB: not on the stack */

UNIT_TEST(config_defaults_are_the_run_defaults)
{
	config_defaults(&cfg);
	EXPECT_EQ(cfg.set, 0);
	EXPECT_EQ(cfg.mode, SCXE_MODE_SAME_TYPE);
	EXPECT_EQ(cfg.max_hold_ms, 50);
	EXPECT_EQ(cfg.hold_budget_pct, 50);
	EXPECT_EQ(cfg.slice_us, 5000);
	EXPECT_EQ(cfg.stats, 1);
	EXPECT(cfg.enforce);
	EXPECT_STR(cfg.shm_pattern, "/dev/shm/scx_errata.*");
	EXPECT_STR(cfg.cpu_types, "");
	EXPECT_STR(cfg.errata_db, "");
	EXPECT_STR(cfg.qmp, "");
	EXPECT_EQ(cfg.nr_vms, 0);
	EXPECT(config_vm_by_name(&cfg, "x") == NULL);
}

UNIT_TEST(config_missing_file)
{
	const char *path = tmp_path("absent.conf");

	/* the default path may be missing: the result is the defaults, whatever *c held */
	memset(&cfg, 0x5a, sizeof(cfg));
	EXPECT_EQ(config_load(path, true, &cfg, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.set, 0);
	EXPECT_EQ(cfg.max_hold_ms, 50);
	EXPECT_EQ(cfg.nr_vms, 0);
	/* a path the admin named must exist */
	EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), -1);
	EXPECT(strstr(err, "absent.conf: cannot open: No such file or directory; check the path") != NULL);
	tmp_cleanup("absent.conf");
}

UNIT_TEST(config_empty_file_is_defaults)
{
	EXPECT_EQ(load_text("", &cfg), 0);
	EXPECT_EQ(cfg.set, 0);
	EXPECT_EQ(cfg.slice_us, 5000);
	EXPECT_EQ(load_text("\n\n# only a comment\n\t\n", &cfg), 0);
	EXPECT_EQ(cfg.set, 0);
}

UNIT_TEST(config_every_global_key)
{
	EXPECT_EQ(load_text("mode = same-cpu\n"
			    "max-hold-ms = 3600000\n"
			    "slice-us = 100\n"
			    "enforce = no\n"
			    "shm-pattern = /run/vms/*.scxe\n"
			    "cpu-types = 0-3:little,4-7:big\n"
			    "errata-db = /etc/scx_errata/errata.db\n"
			    "stats = 3600\n"
			    "qmp = /run/qemu/*.qmp\n"
			    "hold-budget-pct = 100\n", &cfg), 0);
	EXPECT_EQ(cfg.set, CONFIG_SET_MODE | CONFIG_SET_HOLD | CONFIG_SET_SLICE | CONFIG_SET_ENFORCE |
		  CONFIG_SET_PATTERN | CONFIG_SET_CPU_TYPES | CONFIG_SET_DB | CONFIG_SET_STATS |
		  CONFIG_SET_QMP | CONFIG_SET_BUDGET);
	EXPECT_EQ(cfg.hold_budget_pct, 100);
	EXPECT_EQ(cfg.mode, SCXE_MODE_SAME_CPU);
	EXPECT_EQ(cfg.max_hold_ms, 3600000);
	EXPECT_EQ(cfg.slice_us, 100);
	EXPECT(!cfg.enforce);
	EXPECT_STR(cfg.shm_pattern, "/run/vms/*.scxe");
	EXPECT_STR(cfg.cpu_types, "0-3:little,4-7:big");
	EXPECT_STR(cfg.errata_db, "/etc/scx_errata/errata.db");
	EXPECT_EQ(cfg.stats, 3600);
	EXPECT_STR(cfg.qmp, "/run/qemu/*.qmp");
	EXPECT_EQ(cfg.nr_vms, 0);
}

/* Each global key alone: its bit, its value, the other keys at their defaults. */
UNIT_TEST(config_each_key_sets_its_bit)
{
	static const struct {
		const char *text;
		unsigned int bit;
	} t[] = {
		{ "mode = same-type\n", CONFIG_SET_MODE },
		{ "max-hold-ms = 0\n", CONFIG_SET_HOLD },
		{ "slice-us = 1000000\n", CONFIG_SET_SLICE },
		{ "enforce = yes\n", CONFIG_SET_ENFORCE },
		{ "shm-pattern = /dev/shm/vm-*\n", CONFIG_SET_PATTERN },
		{ "cpu-types = 0:a\n", CONFIG_SET_CPU_TYPES },
		{ "errata-db = /x.db\n", CONFIG_SET_DB },
		{ "stats = 0\n", CONFIG_SET_STATS },
		{ "qmp = /run/*.sock\n", CONFIG_SET_QMP },
		{ "hold-budget-pct = 1\n", CONFIG_SET_BUDGET },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (load_text(t[i].text, &cfg)) {
			unit_fail(__FILE__, __LINE__, "'%s' refused: %s", t[i].text, err);
			continue;
		}
		EXPECT_EQ(cfg.set, t[i].bit);
	}
	EXPECT_EQ(load_text("mode = same-type\n", &cfg), 0);
	EXPECT_EQ(cfg.mode, SCXE_MODE_SAME_TYPE);
	EXPECT_EQ(load_text("max-hold-ms = 0\n", &cfg), 0);
	EXPECT_EQ(cfg.max_hold_ms, 0);
	EXPECT_EQ(cfg.slice_us, 5000);
	EXPECT_EQ(load_text("slice-us = 1000000\n", &cfg), 0);
	EXPECT_EQ(cfg.slice_us, 1000000);
	EXPECT_EQ(load_text("enforce = yes\n", &cfg), 0);
	EXPECT(cfg.enforce);
	EXPECT_EQ(load_text("stats = 0\n", &cfg), 0);
	EXPECT_EQ(cfg.stats, 0);
	/* leading zeros are decimal */
	EXPECT_EQ(load_text("max-hold-ms = 0010\n", &cfg), 0);
	EXPECT_EQ(cfg.max_hold_ms, 10);
}

UNIT_TEST(config_vm_sections)
{
	const struct config_vm *vm;

	EXPECT_EQ(load_text("max-hold-ms = 20\n"
			    "[vm web1]\n"
			    "enforce = no\n"
			    "max-hold-ms = 7\n"
			    "path = /dev/shm/web.shm\n"
			    "qmp = /run/qemu/web1.qmp\n"
			    "\n"
			    "[ vm  db_2.x-y ]\n"
			    "[vm z]\n"
			    "enforce = yes\n"
			    "max-hold-ms = 0\n", &cfg), 0);
	EXPECT_EQ(cfg.set, CONFIG_SET_HOLD);
	EXPECT_EQ(cfg.max_hold_ms, 20);
	EXPECT_EQ(cfg.nr_vms, 3);

	vm = config_vm_by_name(&cfg, "web1");
	EXPECT(vm != NULL);
	if (vm) {
		EXPECT_EQ(vm->enforce, 0);
		EXPECT_EQ(vm->max_hold_ms, 7);
		EXPECT_STR(vm->path, "/dev/shm/web.shm");
		EXPECT_STR(vm->qmp, "/run/qemu/web1.qmp");
		EXPECT_EQ(vm->line, 2);
	}
	/* a section with no keys: path from its name, the rest unset */
	vm = config_vm_by_name(&cfg, "db_2.x-y");
	EXPECT(vm != NULL);
	if (vm) {
		EXPECT_EQ(vm->enforce, -1);
		EXPECT_EQ(vm->max_hold_ms, -1);
		EXPECT_STR(vm->path, "/dev/shm/scx_errata.db_2.x-y");
		EXPECT_STR(vm->qmp, "");
		EXPECT_EQ(vm->line, 8);
	}
	vm = config_vm_by_name(&cfg, "z");
	EXPECT(vm != NULL);
	if (vm) {
		EXPECT_EQ(vm->enforce, 1);
		EXPECT_EQ(vm->max_hold_ms, 0);
	}
	EXPECT(config_vm_by_name(&cfg, "web") == NULL);
	EXPECT(config_vm_by_name(&cfg, "WEB1") == NULL);
}

UNIT_TEST(config_comments_and_whitespace)
{
	/* tabs and spaces anywhere around keys, '=', values and brackets; UTF-8 in comments */
	EXPECT_EQ(load_text("# scx_errata — host one\n"
			    "   # indented comment\n"
			    "\tmode\t=\tsame-cpu\t\n"
			    "slice-us=250\n"
			    "   \n"
			    "stats =5   \n"
			    "\t[vm a]   \n"
			    "  path= /dev/shm/a\n"
			    "#[vm b]\n"
			    "enforce = no", &cfg), 0);	/* last line without a newline */
	EXPECT_EQ(cfg.mode, SCXE_MODE_SAME_CPU);
	EXPECT_EQ(cfg.slice_us, 250);
	EXPECT_EQ(cfg.stats, 5);
	EXPECT_EQ(cfg.nr_vms, 1);
	EXPECT_STR(cfg.vm[0].path, "/dev/shm/a");
	EXPECT_EQ(cfg.vm[0].enforce, 0);
	/* '#' inside a value is part of it, not a comment */
	EXPECT_EQ(load_text("cpu-types = 0:a#b\n", &cfg), 0);
	EXPECT_STR(cfg.cpu_types, "0:a#b");
}

/* Every refusal, with the line it names and its exact message. */
UNIT_TEST(config_rejects_bad_files)
{
	static const struct {
		const char *text;
		const char *msg;	/* after "FILE:" */
	} t[] = {
		{ "frob = 1\n",
		  "1: unknown key 'frob'; see the FILES section of scx_errata(8) for the keys" },
		{ "max_hold_ms = 5\n",
		  "1: unknown key 'max_hold_ms'; see the FILES section of scx_errata(8) for the keys" },
		{ "Mode = same-cpu\n",
		  "1: unknown key 'Mode'; see the FILES section of scx_errata(8) for the keys" },
		{ "path = /x\n", "1: 'path' is only valid in a [vm NAME] section; move it under the VM's section" },
		{ "[vm a]\nmode = same-cpu\n",
		  "2: 'mode' is a global key and cannot be set in [vm a]; move it above the first [vm] section" },
		{ "[vm a]\nfrob = 1\n",
		  "2: unknown key 'frob' in [vm a]; a VM takes enforce, max-hold-ms, path, qmp" },
		{ "mode = same-cpu\n\nmode = same-type\n",
		  "3: duplicate key 'mode' (first on line 1); keep one" },
		{ "[vm a]\npath = /a\npath = /b\n",
		  "3: duplicate key 'path' in [vm a] (first on line 2); keep one" },
		{ "[vm a]\n[vm b]\n[vm a]\n",
		  "3: duplicate section [vm a] (first on line 1); merge the two" },
		{ "[host]\n", "1: unknown section '[host]'; the only section is [vm NAME]" },
		{ "[vmx a]\n", "1: unknown section '[vmx]'; the only section is [vm NAME]" },
		{ "[vm a\n", "1: section header '[vm a' has no closing ']'; write [vm NAME]" },
		{ "[vm a] # web\n",
		  "1: unexpected text after ']' in '[vm a] # web'; comments go on their own line" },
		{ "[]\n", "1: unknown section '[]'; the only section is [vm NAME]" },
		{ "[vm]\n", "1: [vm] has no name; write [vm NAME], e.g. [vm web1]" },
		{ "[vm a b]\n",
		  "1: vm name 'a b' is not 1 to 64 of A-Z a-z 0-9 _ . -; rename the section" },
		{ "[vm a/b]\n",
		  "1: vm name 'a/b' is not 1 to 64 of A-Z a-z 0-9 _ . -; rename the section" },
		{ "[vm 01234567890123456789012345678901234567890123456789012345678901234]\n",
		  "1: vm name '012345678901234567890123456789012345678901234567...' is not 1 to 64 of A-Z a-z 0-9 _ . -; rename the section" },
		{ "mode\n", "1: 'mode' is not 'key = value', '[vm NAME]' or a '#' comment" },
		{ "= 5\n", "1: no key before '='; write 'key = value'" },
		{ "mode =\n", "1: mode has no value; give one or remove the line for the default" },
		{ "mode = sideways\n", "1: mode 'sideways' is not same-type or same-cpu" },
		{ "hold-budget-pct = 0\n",
		  "1: hold-budget-pct 0 is out of range; use 1 to 100 (percent of wall time, 100 = only max-hold-ms)" },
		{ "hold-budget-pct = 101\n",
		  "1: hold-budget-pct 101 is out of range; use 1 to 100 (percent of wall time, 100 = only max-hold-ms)" },
		{ "enforce = true\n", "1: enforce 'true' is not yes or no" },
		{ "enforce = Yes\n", "1: enforce 'Yes' is not yes or no" },
		{ "[vm a]\nenforce = 1\n", "2: enforce '1' is not yes or no" },
		{ "max-hold-ms = 3600001\n",
		  "1: max-hold-ms 3600001 is out of range; use 0 to 3600000 (milliseconds, 0 = never)" },
		{ "max-hold-ms = -1\n",
		  "1: max-hold-ms '-1' is not a whole number; use digits only, 0 to 3600000 (milliseconds, 0 = never)" },
		{ "max-hold-ms = +5\n",
		  "1: max-hold-ms '+5' is not a whole number; use digits only, 0 to 3600000 (milliseconds, 0 = never)" },
		{ "max-hold-ms = 50ms\n",
		  "1: max-hold-ms '50ms' is not a whole number; use digits only, 0 to 3600000 (milliseconds, 0 = never)" },
		{ "max-hold-ms = 0x10\n",
		  "1: max-hold-ms '0x10' is not a whole number; use digits only, 0 to 3600000 (milliseconds, 0 = never)" },
		{ "max-hold-ms = 50 ms\n",
		  "1: unexpected text after the value of max-hold-ms: 'ms'; values have no spaces, comments go on their own line" },
		{ "mode = same-cpu # the safe one\n",
		  "1: unexpected text after the value of mode: '# the safe one'; values have no spaces, comments go on their own line" },
		{ "[vm a]\nmax-hold-ms = 99999999999999999999999\n",
		  "2: max-hold-ms 99999999999999999999999 is out of range; use 0 to 3600000 (milliseconds, 0 = never)" },
		{ "slice-us = 99\n",
		  "1: slice-us 99 is out of range; use 100 to 1000000 (microseconds)" },
		{ "slice-us = 1000001\n",
		  "1: slice-us 1000001 is out of range; use 100 to 1000000 (microseconds)" },
		{ "stats = 3601\n", "1: stats 3601 is out of range; use 0 to 3600 (seconds, 0 = off)" },
		{ "stats = 1.5\n",
		  "1: stats '1.5' is not a whole number; use digits only, 0 to 3600 (seconds, 0 = off)" },
		{ "shm-pattern = scx_errata.*\n",
		  "1: shm-pattern 'scx_errata.*' is not an absolute path; start it with '/'" },
		{ "errata-db = errata.db\n",
		  "1: errata-db 'errata.db' is not an absolute path; start it with '/'" },
		{ "qmp = ~/q.sock\n", "1: qmp '~/q.sock' is not an absolute path; start it with '/'" },
		{ "[vm a]\npath = shm/a\n", "2: path 'shm/a' is not an absolute path; start it with '/'" },
		{ "[vm a]\nqmp = a.qmp\n", "2: qmp 'a.qmp' is not an absolute path; start it with '/'" },
		{ "[vm a]\n[vm b]\npath = /dev/shm/scx_errata.a\n",
		  "3: [vm b] uses the shared file /dev/shm/scx_errata.a of [vm a] (line 1); give each VM its own path" },
		{ "mode = same-cpu\r\n",
		  "1: carriage return at column 16; save the file with Unix line endings (e.g. dos2unix)" },
		{ "# bell \a\n", "1: control character 0x07 at column 8; remove it" },
		{ "mode = same\x7f\n", "1: control character 0x7f at column 12; remove it" },
		{ "# caf\xe9\n", "1: invalid UTF-8 at column 6; save the file as UTF-8" },
		{ "# \xc0\xaf overlong\n", "1: invalid UTF-8 at column 3; save the file as UTF-8" },
		{ "# \xed\xa0\x80 surrogate\n", "1: invalid UTF-8 at column 3; save the file as UTF-8" },
		{ "# cut \xe2\x82\n", "1: invalid UTF-8 at column 7; save the file as UTF-8" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (load_text(t[i].text, &cfg) != -1) {
			unit_fail(__FILE__, __LINE__, "accepted: '%s'", t[i].text);
			continue;
		}
		EXPECT_STR(err_after_file(), t[i].msg);
		EXPECT(strchr(err, '\n') == NULL);
	}
	unit_inputs("config", sizeof(t) / sizeof(t[0]));
}

UNIT_TEST(config_rejects_nul_and_long_lines)
{
	static const char nul[] = "mode = same-cpu\n# a\0b\n";
	static char big[CONFIG_MAX_LINE + 64];
	const char *path;

	path = write_conf("t.conf", nul, sizeof(nul) - 1, 0644);
	EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), -1);
	EXPECT_STR(err_after_file(), "2: NUL byte at column 4; this is not a text file");

	/* a comment of exactly CONFIG_MAX_LINE bytes is fine, one more is not */
	memset(big, 'x', sizeof(big));
	big[0] = '#';
	memcpy(big + CONFIG_MAX_LINE, "\nstats = 2\n", 11);
	path = write_conf("t.conf", big, CONFIG_MAX_LINE + 11, 0644);
	EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.stats, 2);
	memset(big, 'x', sizeof(big));
	big[0] = '#';
	memcpy(big + CONFIG_MAX_LINE + 1, "\n", 1);
	path = write_conf("t.conf", big, CONFIG_MAX_LINE + 2, 0644);
	EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), -1);
	EXPECT_STR(err_after_file(), "1: line is 4097 bytes long, more than 4096; split or shorten it");
	tmp_cleanup("t.conf");
}

UNIT_TEST(config_rejects_overlong_values)
{
	static char text[512];
	char v[300];

	/* cpu-types holds 255 bytes */
	memset(v, '0', 255);
	v[255] = '\0';
	snprintf(text, sizeof(text), "cpu-types = %s\n", v);
	EXPECT_EQ(load_text(text, &cfg), 0);
	EXPECT_EQ(strlen(cfg.cpu_types), 255);
	snprintf(text, sizeof(text), "cpu-types = %s0\n", v);
	EXPECT_EQ(load_text(text, &cfg), -1);
	EXPECT_STR(err_after_file(), "1: cpu-types is 256 bytes long, more than the 255 allowed; shorten it");
}

UNIT_TEST(config_error_leaves_config_unchanged)
{
	static struct config before;

	EXPECT_EQ(load_text("mode = same-cpu\n[vm a]\n", &cfg), 0);
	memcpy(&before, &cfg, sizeof(cfg));
	/* fails on its last line, after changing values in the scratch copy */
	EXPECT_EQ(load_text("mode = same-type\nstats = 9\n[vm b]\n[vm c]\nbad\n", &cfg), -1);
	EXPECT(memcmp(&before, &cfg, sizeof(cfg)) == 0);
	EXPECT_EQ(config_load("/nonexistent/dir/x.conf", false, &cfg, err, sizeof(err)), -1);
	EXPECT(memcmp(&before, &cfg, sizeof(cfg)) == 0);
}

/* Who may write the file: not group or others, owned by root or by us. */
UNIT_TEST(config_checks_mode_and_owner)
{
	static const struct {
		mode_t mode;
		int ok;
	} t[] = {
		{ 0644, 1 }, { 0600, 1 }, { 0400, 1 }, { 0444, 1 }, { 0755, 1 },
		{ 0664, 0 }, { 0646, 0 }, { 0666, 0 }, { 0620, 0 }, { 0602, 0 },
	};
	const char *text = "stats = 3\n", *path;
	char want[PATH_MAX + 128];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		path = write_conf("m.conf", text, strlen(text), t[i].mode);
		if (t[i].ok) {
			if (config_load(path, false, &cfg, err, sizeof(err)))
				unit_fail(__FILE__, __LINE__, "mode %04o refused: %s", t[i].mode, err);
			continue;
		}
		EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: writable by group or others (mode %04o); chmod go-w %s",
			 path, t[i].mode, path);
		EXPECT_STR(err, want);
	}

	/* owned by someone else: only root can make such a file to test with */
	path = write_conf("m.conf", text, strlen(text), 0644);
	if (geteuid() == 0) {
		EXPECT_EQ(chown(path, 12345, 0), 0);
		EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s: owned by uid 12345, not root; chown root %s", path, path);
		EXPECT_STR(err, want);
		/* even with missing_ok: only a missing file is let through */
		EXPECT_EQ(config_load(path, true, &cfg, err, sizeof(err)), -1);
	} else {
		/* ours: accepted */
		EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), 0);
	}
	unlink(path);

	/* a symlink is followed and its target checked (tmp_path reuses one buffer) */
	snprintf(want, sizeof(want), "%s", write_conf("m.conf", text, strlen(text), 0644));
	EXPECT_EQ(symlink(want, tmp_path("link.conf")), 0);
	EXPECT_EQ(config_load(tmp_path("link.conf"), false, &cfg, err, sizeof(err)), 0);
	EXPECT_EQ(cfg.stats, 3);
	unlink(tmp_path("link.conf"));
	unlink(want);

	/* not a regular file: a directory, a FIFO (must not block) */
	path = tmp_path("d.conf");
	EXPECT_EQ(mkdir(path, 0755), 0);
	EXPECT_EQ(config_load(path, true, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file; point the daemon at a config file", path);
	EXPECT_STR(err, want);
	rmdir(path);
	path = tmp_path("f.conf");
	EXPECT_EQ(mkfifo(path, 0600), 0);
	EXPECT_EQ(config_load(path, false, &cfg, err, sizeof(err)), -1);
	EXPECT(strstr(err, "not a regular file") != NULL);
	tmp_cleanup("f.conf");
}

UNIT_TEST(config_64_vms_and_no_more)
{
	static char text[CONFIG_MAX_VMS * 64 + 128];
	char name[16];
	size_t n = 0;

	for (int i = 0; i < CONFIG_MAX_VMS; i++)
		n += snprintf(text + n, sizeof(text) - n, "[vm vm%d]\nmax-hold-ms = %d\n", i, i);
	EXPECT_EQ(load_text(text, &cfg), 0);
	EXPECT_EQ(cfg.nr_vms, CONFIG_MAX_VMS);
	for (int i = 0; i < CONFIG_MAX_VMS; i++) {
		const struct config_vm *vm;

		snprintf(name, sizeof(name), "vm%d", i);
		vm = config_vm_by_name(&cfg, name);
		if (!vm) {
			unit_fail(__FILE__, __LINE__, "no [vm %s]", name);
			continue;
		}
		EXPECT_EQ(vm->max_hold_ms, i);
		EXPECT_EQ(vm->line, 2 * i + 1);
	}
	EXPECT_STR(cfg.vm[63].path, "/dev/shm/scx_errata.vm63");

	snprintf(text + n, sizeof(text) - n, "[vm one-too-many]\n");
	EXPECT_EQ(load_text(text, &cfg), -1);
	EXPECT_STR(err_after_file(),
		   "129: [vm one-too-many] is VM number 65, more than the 64 one daemon pairs; remove some sections");
}

UNIT_TEST(parse_u64_is_strict)
{
	static const struct {
		const char *s;
		unsigned long long min, max;
		int ret;
		unsigned long long v;
	} t[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "007", 0, 10, 0, 7 },
		{ "18446744073709551615", 0, ~0ull, 0, ~0ull },
		{ "18446744073709551616", 0, ~0ull, -ERANGE, 0 },
		{ "99999999999999999999999", 0, ~0ull, -ERANGE, 0 },
		{ "11", 0, 10, -ERANGE, 0 },
		{ "99", 100, 1000, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, -EINVAL, 0 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "+1", 0, 10, -EINVAL, 0 },
		{ "-1", 0, 10, -EINVAL, 0 },
		{ "0x1", 0, 10, -EINVAL, 0 },
		{ "1e3", 0, 10000, -EINVAL, 0 },
		{ "99999999999999999999x", 0, ~0ull, -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		unsigned long long v = 12345;
		int ret = parse_u64(t[i].s, t[i].min, t[i].max, &v);

		if (ret != t[i].ret)
			unit_fail(__FILE__, __LINE__, "parse_u64(\"%s\") = %d, expected %d", t[i].s, ret, t[i].ret);
		else if (!ret && v != t[i].v)
			unit_fail(__FILE__, __LINE__, "parse_u64(\"%s\") gave %llu", t[i].s, v);
		else if (ret && v != 12345)
			unit_fail(__FILE__, __LINE__, "parse_u64(\"%s\") changed *out on error", t[i].s);
	}
	EXPECT_EQ(parse_u64(NULL, 0, 1, NULL), -EINVAL);
	unit_inputs("number", sizeof(t) / sizeof(t[0]) + 1);
}

UNIT_TEST(utf8_seq_len_rejects_malformed)
{
	static const struct {
		const char *s;
		size_t n, len;
	} t[] = {
		{ "a", 1, 1 },
		{ "\xc3\xa9", 2, 2 },			/* é */
		{ "\xe2\x80\x94", 3, 3 },		/* — */
		{ "\xf0\x9f\x98\x80", 4, 4 },		/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 4 },		/* U+10FFFF */
		{ "\x80", 1, 0 },			/* lone continuation */
		{ "\xc3", 1, 0 },			/* truncated */
		{ "\xc3\x41", 2, 0 },			/* bad continuation */
		{ "\xc1\xbf", 2, 0 },			/* overlong 2-byte */
		{ "\xe0\x9f\xbf", 3, 0 },		/* overlong 3-byte */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },		/* overlong 4-byte */
		{ "\xed\xbf\xbf", 3, 0 },		/* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0 },		/* above U+10FFFF */
		{ "\xff", 1, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (utf8_seq_len((const unsigned char *)t[i].s, t[i].n) != t[i].len)
			unit_fail(__FILE__, __LINE__, "utf8_seq_len case %zu: expected %zu", i, t[i].len);
	EXPECT_EQ(utf8_seq_len((const unsigned char *)"", 0), 0);
}

/*
 * status.c's label escaping for --prometheus (declared here: status.h only has the command).
 * It lives with the config tests because both guard what scx_errata accepts and emits as
 * text: invalid UTF-8 in a label would make node_exporter drop the whole file.
 */
void status_prom_label_value(FILE *f, const char *s);

UNIT_TEST(status_prometheus_label_escaping)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "/dev/shm/scx_errata.vm0", "/dev/shm/scx_errata.vm0" },
		{ "a\"b", "a\\\"b" },
		{ "a\\b", "a\\\\b" },
		{ "a\nb", "a\\nb" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "x\xffy", "x\xef\xbf\xbdy" },
		{ "\xc3", "\xef\xbf\xbd" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f) {
			unit_fail(__FILE__, __LINE__, "open_memstream failed");
			return;
		}
		status_prom_label_value(f, t[i].in);
		fclose(f);
		EXPECT_STR(buf, t[i].out);
		free(buf);
	}
}

/* The shipped example: valid as it is (all comments), and with every example uncommented. */
UNIT_TEST(config_example_file_parses)
{
	static char text[16384], on[16384];
	char path[PATH_MAX];
	size_t n, m = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../../examples/scx_errata.conf", unit_fixtures());
	f = fopen(path, "r");
	if (!f) {
		unit_fail(__FILE__, __LINE__, "cannot open %s", path);
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	EXPECT_EQ(load_text(text, &cfg), 0);
	EXPECT_EQ(cfg.set, 0);
	EXPECT_EQ(cfg.nr_vms, 0);

	/* "#key = value" and "#[vm NAME]" lose their '#'; prose comments ("# ...") stay */
	for (const char *line = text; *line; ) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);

		if (line[0] == '#' && ((line[1] >= 'a' && line[1] <= 'z') || line[1] == '['))
			line++, len--;
		memcpy(on + m, line, len);
		m += len;
		line += len;
	}
	on[m] = '\0';
	if (load_text(on, &cfg)) {
		unit_fail(__FILE__, __LINE__, "uncommented example refused: %s", err);
		return;
	}
	EXPECT_EQ(cfg.set, CONFIG_SET_MODE | CONFIG_SET_HOLD | CONFIG_SET_SLICE | CONFIG_SET_ENFORCE |
		  CONFIG_SET_PATTERN | CONFIG_SET_CPU_TYPES | CONFIG_SET_DB | CONFIG_SET_STATS |
		  CONFIG_SET_QMP | CONFIG_SET_BUDGET);
	EXPECT_EQ(cfg.nr_vms, 2);
	EXPECT(config_vm_by_name(&cfg, "build") && config_vm_by_name(&cfg, "build")->enforce == 0);
	EXPECT(config_vm_by_name(&cfg, "db1") && config_vm_by_name(&cfg, "db1")->max_hold_ms == 200);
}
