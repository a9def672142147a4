// SPDX-License-Identifier: GPL-2.0
/*
 * Errata database text (docs/errata-db.md) -> errata_db_parse, or, after a leading NUL
 * byte, errata_db_load of a file holding the rest. Beyond not crashing:
 * a rejected file keeps no entry and says why in one "NAME:LINE: field N: ..." line; an
 * accepted one holds only complete entries with unique ids, and every model line it
 * accepted matches the core it describes (so parsing and matching agree on the numbers).
 */
#include "fuzz.h"
#include "errata_db.h"

static struct errata_db db;

static void check_rejected(const char *err)
{
	if (db.nr != 0)
		fuzz_die("a rejected database kept %d entries", db.nr);
	if (strncmp(err, "fuzz.db:", 8) || !strstr(err, ": field ") || strchr(err, '\n'))
		fuzz_die("error is not one 'fuzz.db:LINE: field N: ...' line: '%s'", err);
}

/* The core an accepted model line describes must match it. */
static void check_model(const struct errata_entry *e, const struct errata_model *m)
{
	struct errata_ident id = { .arch = m->arch, .known = true };

	if (m->arch == SCXE_ARCH_ARM64) {
		if (m->implementer > 0xff || m->part > 0xfff || m->rv_min > m->rv_max ||
		    m->nr_fixed > ERRATA_MAX_FIXED)
			fuzz_die("%s: arm line out of range", e->id);
		/* REVIDR 0: no fixed line can exempt it */
		id.midr = m->implementer << 24 | 0xfu << 16 | m->part << 4 | m->rv_max;
		if (!errata_model_matches(m, &id) || !errata_entry_matches(e, &id))
			fuzz_die("%s: the arm line does not match midr 0x%08x", e->id, id.midr);
		for (int i = 0; i < m->nr_fixed; i++) {
			id.midr = (id.midr & ~(0xfu << 20 | 0xfu)) | m->fixed[i].var_rev;
			id.revidr = m->fixed[i].revidr_mask;
			if (m->fixed[i].var_rev >= m->rv_min && m->fixed[i].var_rev <= m->rv_max &&
			    errata_model_matches(m, &id))
				fuzz_die("%s: fixed line %d does not exempt its revision", e->id, i);
		}
		return;
	}
	if (m->arch != SCXE_ARCH_X86 || m->step_min > m->step_max || m->step_max > 15)
		fuzz_die("%s: x86 line out of range", e->id);
	id.x86_vendor = m->x86_vendor;
	id.family = m->family;
	id.model = m->model;
	id.stepping = m->step_min;
	id.core_kind = m->core == ERRATA_CORE_E ? SCXE_CORE_LITTLE : SCXE_CORE_BIG;
	if (!errata_model_matches(m, &id))
		fuzz_die("%s: the x86 line does not match its own model", e->id);
	id.arch = SCXE_ARCH_ARM64;
	if (errata_model_matches(m, &id))
		fuzz_die("%s: an x86 line matches an arm64 core", e->id);
}

static void check_accepted(void)
{
	if (db.nr < 0 || db.nr > ERRATA_MAX_ENTRIES)
		fuzz_die("accepted database has %d entries", db.nr);
	for (int i = 0; i < db.nr; i++) {
		const struct errata_entry *e = &db.entry[i];
		struct errata_firmware none = { 0 };

		if (!e->id[0] || !e->vendor[0] || !e->description[0] || !e->class ||
		    !e->management || e->nr_models + e->nr_fw == 0)
			fuzz_die("accepted entry %d (%s) is incomplete", i, e->id);
		if (e->nr_models > ERRATA_MAX_MODELS || e->nr_fw > ERRATA_MAX_FW)
			fuzz_die("entry %s holds too many lines", e->id);
		for (int j = 0; j < i; j++)
			if (!strcmp(db.entry[j].id, e->id))
				fuzz_die("id %s accepted twice", e->id);
		for (int m = 0; m < e->nr_models; m++)
			check_model(e, &e->model[m]);
		if (errata_entry_fw_match(e, &none, false) >= 0 || errata_entry_fw_match(e, &none, true) >= 0)
			fuzz_die("%s matches a machine without firmware tables", e->id);
		errata_class_name(e->class);
		errata_mgmt_name(e->management);
	}
}

static char path[PATH_MAX + 16];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	snprintf(path, sizeof(path), "%s/fuzz.db", fuzz_scratch("errata_db"));
	return 0;
}

/* --errata-db FILE: the bytes after a leading NUL, through a real file */
static void via_file(const uint8_t *data, size_t size)
{
	char err[PATH_MAX + 512] = "";
	int fds = fuzz_fd_mark();

	if (!fuzz_write(path, data, size, false, 0644))
		fuzz_die("cannot write %s: %s", path, strerror(errno));
	if (errata_db_load(&db, path, err, sizeof(err))) {
		if (!strstr(err, path))
			fuzz_die("refused without naming the file: '%s'", err);
		if (memchr(data, 0, size) && !strstr(err, "NUL"))
			fuzz_die("a file with a NUL byte was refused for another reason: '%s'", err);
	} else {
		if (memchr(data, 0, size))
			fuzz_die("a file with a NUL byte was accepted");
		check_accepted();
	}
	unlink(path);
	fuzz_fd_check(fds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, err[512] = "";

	if (size && !data[0]) {
		via_file(data + 1, size - 1);
		return 0;
	}
	text = fuzz_cstr(data, size);
	if (errata_db_parse(&db, text, "fuzz.db", err, sizeof(err)))
		check_rejected(err);
	else
		check_accepted();
	free(text);
	return 0;
}
