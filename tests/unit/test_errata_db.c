// SPDX-License-Identifier: GPL-2.0
/*
 * errata_db.c: the format's error messages, whole-file rejection, kernel-identical MIDR
 * range and REVIDR semantics, and what the shipped table matches on each fixture machine.
 */
#include <stdio.h>
#include <string.h>
#include "errata_db.h"
#include "knowledge.h"
#include "log.h"
#include "unit.h"

static struct errata_db db;
static struct host h;
static struct host_knowledge k;

static const char head[] = "format 1\nerratum 1\nvendor arm\nclass cpu\nmanagement static\n"
			   "description d\n";

/* Parse head + extra; returns the error text ("" when it parsed). */
static const char *parse_with(const char *extra)
{
	static char err[512];
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", head, extra);
	err[0] = '\0';
	if (errata_db_parse(&db, text, "t.db", err, sizeof(err)) == 0)
		return "";
	EXPECT_EQ(db.nr, 0);
	return err;
}

static const char *parse_text(const char *text)
{
	static char err[512];

	err[0] = '\0';
	if (errata_db_parse(&db, text, "t.db", err, sizeof(err)) == 0)
		return "";
	EXPECT_EQ(db.nr, 0);
	return err;
}

UNIT_TEST(errata_db_builtin_parses)
{
	char err[512] = "";

	EXPECT_EQ(errata_db_load_builtin(&db, err, sizeof(err)), 0);
	EXPECT_STR(err, "");
	EXPECT(db.nr >= 60);
	EXPECT_STR(db.source, "builtin:data/errata.db");
}

UNIT_TEST(errata_db_file_matches_builtin)
{
	char err[512] = "", path[512];
	int nr;

	EXPECT_EQ(errata_db_load_builtin(&db, err, sizeof(err)), 0);
	nr = db.nr;
	/* the unit tests run from the repository top, like make */
	snprintf(path, sizeof(path), "%s/../../data/errata.db", unit_fixtures());
	EXPECT_EQ(errata_db_load(&db, path, err, sizeof(err)), 0);
	EXPECT_EQ(db.nr, nr);
}

UNIT_TEST(errata_db_parses_every_line_kind)
{
	char path[512], err[512] = "";
	const struct errata_entry *e;

	snprintf(path, sizeof(path), "%s/db/small.db", unit_fixtures());
	EXPECT_EQ(errata_db_load(&db, path, err, sizeof(err)), 0);
	EXPECT_STR(err, "");
	EXPECT_EQ(db.nr, 4);
	e = &db.entry[0];
	EXPECT_STR(e->id, "843419");
	EXPECT_EQ(e->line, 4);
	EXPECT_EQ(e->class, SCXE_CLASS_CPU);
	EXPECT_EQ(e->management, SCXE_MGMT_STATIC);
	EXPECT_EQ(e->nr_models, 1);
	EXPECT_EQ(e->model[0].rv_max, 4);
	EXPECT_EQ(e->model[0].nr_fixed, 1);
	EXPECT_EQ(e->model[0].fixed[0].revidr_mask, 0x100);
	EXPECT_STR(e->description, "ADRP near a page end");
	e = &db.entry[2];
	EXPECT_EQ(e->nr_fw, 2);
	EXPECT_STR(e->fw[0].dt_prop, "hisilicon,erratum-161010101");
	EXPECT_STR(e->fw[1].oem_id, "HISI  ");
	EXPECT_STR(e->fw[1].oem_table_id, "HIP07   ");
	e = &db.entry[3];
	EXPECT_EQ(e->model[0].x86_vendor, 1);
	EXPECT_EQ(e->model[0].model, 0x97);
	EXPECT_EQ(e->model[0].core, ERRATA_CORE_E);
}

UNIT_TEST(errata_db_bad_file_rejected_whole)
{
	char path[512], err[512] = "", want[600];

	snprintf(path, sizeof(path), "%s/db/bad-range.db", unit_fixtures());
	EXPECT_EQ(errata_db_load(&db, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:15: field 3: range ends before it starts", path);
	EXPECT_STR(err, want);
	EXPECT_EQ(db.nr, 0);	/* the good entry before it is not kept */
	EXPECT_EQ(errata_db_load(&db, "/nonexistent.db", err, sizeof(err)), -1);
	EXPECT_STR(err, "cannot open errata db /nonexistent.db: No such file or directory");
}

UNIT_TEST(errata_db_error_messages)
{
	static char longline[1200], manyerrata[256 * 100];
	/* text: after the good head (an entry with everything but a match line) unless whole */
	const struct {
		bool whole;
		const char *text, *msg;
	} t[] = {
		{ true, "", "t.db:1: field 1: empty database; the first line must be 'format 1'" },
		{ true, "# a\n# b\n\n", "t.db:3: field 1: empty database; the first line must be 'format 1'" },
		{ true, "erratum 1\n", "t.db:1: field 1: the first line must be 'format 1'" },
		{ true, "format 2\n", "t.db:1: field 2: format 2 is not supported (this build reads format 1)" },
		{ true, "format 0\n", "t.db:1: field 2: format 0 is not supported (this build reads format 1)" },
		{ true, "# c\n\nformat x\n", "t.db:3: field 2: expected 'format 1'" },
		{ true, "format\n", "t.db:1: field 2: expected 'format 1'" },
		{ true, "format 1 1\n", "t.db:1: field 2: expected 'format 1'" },
		{ true, "format -1\n", "t.db:1: field 2: expected 'format 1'" },
		{ true, "format 99999999999999999999\n", "t.db:1: field 2: expected 'format 1'" },
		{ true, "format 1\nvendor arm\n", "t.db:2: field 1: 'vendor' before the first 'erratum' line" },
		{ false, "format 1\n", "t.db:7: field 1: 'format' may only appear once, at the top" },
		{ false, "bogus 1\n", "t.db:7: field 1: unknown key 'bogus' (expected erratum, vendor, class, management, arm, fixed, x86, dt, acpi or description)" },
		{ false, "Arm 0x41:0xd03 all\n", "t.db:7: field 1: unknown key 'Arm' (expected erratum, vendor, class, management, arm, fixed, x86, dt, acpi or description)" },
		{ false, "", "t.db:2: field 1: erratum 1 matches nothing; add an arm, x86, dt or acpi line" },
		{ false, "arm 0x41\n", "t.db:7: field 3: expected 'arm IMPLEMENTER:PART RANGE', e.g. 'arm 0x41:0xd03 r0p0-r0p4'" },
		{ false, "arm 0x41:0xd03 all x\n", "t.db:7: field 4: expected 'arm IMPLEMENTER:PART RANGE', e.g. 'arm 0x41:0xd03 r0p0-r0p4'" },
		{ false, "arm 0x41 all\n", "t.db:7: field 2: '0x41' is not IMPLEMENTER:PART (e.g. 0x41:0xd03)" },
		{ false, "arm 0x141:0xd03 all\n", "t.db:7: field 2: implementer '0x141' is not a hex byte" },
		{ false, "arm -0x41:0xd03 all\n", "t.db:7: field 2: implementer '-0x41' is not a hex byte" },
		{ false, "arm 0xffffffffffffffffffff:0xd03 all\n", "t.db:7: field 2: implementer '0xffffffffffffffffffff' is not a hex byte" },
		{ false, "arm 0x41:0x1d03 all\n", "t.db:7: field 2: part '0x1d03' is not a 12-bit hex number" },
		{ false, "arm 0x41: all\n", "t.db:7: field 2: part '' is not a 12-bit hex number" },
		{ false, "arm 0x41:0xd03 r0\n", "t.db:7: field 3: 'r0' is not 'all', rNpM or rNpM-rNpM" },
		{ false, "arm 0x41:0xd03 r16p0\n", "t.db:7: field 3: 'r16p0' is not 'all', rNpM or rNpM-rNpM" },
		{ false, "arm 0x41:0xd03 r0p16\n", "t.db:7: field 3: 'r0p16' is not 'all', rNpM or rNpM-rNpM" },
		{ false, "arm 0x41:0xd03 r0p0-\n", "t.db:7: field 3: 'r0p0-' is not 'all', rNpM or rNpM-rNpM" },
		{ false, "arm 0x41:0xd03 r99999999999999999999p0\n", "t.db:7: field 3: 'r99999999999999999999p0' is not 'all', rNpM or rNpM-rNpM" },
		{ false, "arm 0x41:0xd03 r1p0-r0p1\n", "t.db:7: field 3: range ends before it starts" },
		{ false, "fixed r0p4 0x100\n", "t.db:7: field 1: 'fixed' must follow the arm line it refines" },
		{ false, "arm 0x41:0xd03 all\nfixed r0p4 0\n", "t.db:8: field 3: '0' is not a non-zero hex REVIDR mask" },
		{ false, "arm 0x41:0xd03 all\nfixed r0p4 -1\n", "t.db:8: field 3: '-1' is not a non-zero hex REVIDR mask" },
		{ false, "arm 0x41:0xd03 all\nfixed r0p4 0xfffffffffffffffffff\n", "t.db:8: field 3: '0xfffffffffffffffffff' is not a non-zero hex REVIDR mask" },
		{ false, "arm 0x41:0xd03 all\nfixed p4 1\n", "t.db:8: field 2: 'p4' is not rNpM" },
		{ false, "arm 0x41:0xd03 all\nfixed r0p4\n", "t.db:8: field 3: expected 'fixed rNpM REVIDR-MASK', e.g. 'fixed r0p4 0x100'" },
		{ false, "arm 0x41:0xd03 all\nvendor arm\nfixed r0p4 1\n", "t.db:8: field 1: erratum 1 has a second 'vendor' line; keep one" },
		{ false, "class timer\n", "t.db:7: field 1: erratum 1 has a second 'class' line; keep one" },
		{ false, "management dynamic\n", "t.db:7: field 1: erratum 1 has a second 'management' line; keep one" },
		{ false, "description again\n", "t.db:7: field 1: erratum 1 has a second 'description' line; keep one" },
		{ false, "x86 via:6:1 all\n", "t.db:7: field 2: vendor 'via' is not intel or amd" },
		{ false, "x86 intel:6 all\n", "t.db:7: field 2: 'intel:6' is not VENDOR:FAMILY:MODEL (e.g. intel:6:0x97)" },
		{ false, "x86 intel:6:0x97\n", "t.db:7: field 3: expected 'x86 VENDOR:FAMILY:MODEL STEPPINGS [any|p|e]'" },
		{ false, "x86 intel:0x200:1 all\n", "t.db:7: field 2: family '0x200' or model '1' is not a number" },
		{ false, "x86 intel:6:0x100 all\n", "t.db:7: field 2: family '6' or model '0x100' is not a number" },
		{ false, "x86 intel:6:-1 all\n", "t.db:7: field 2: family '6' or model '-1' is not a number" },
		{ false, "x86 intel:6:0x97 3-1\n", "t.db:7: field 3: steppings must be 'all', N or N-M within 0-15" },
		{ false, "x86 intel:6:0x97 16\n", "t.db:7: field 3: steppings must be 'all', N or N-M within 0-15" },
		{ false, "x86 intel:6:0x97 all big\n", "t.db:7: field 4: core type 'big' is not any, p or e" },
		{ false, "dt fsl,erratum-a008585\n", "t.db:2: field 1: erratum 1 has dt/acpi lines but is not class timer" },
		{ false, "dt\n", "t.db:7: field 2: expected 'dt PROPERTY'" },
		{ false, "acpi HISI HIP07\n", "t.db:7: field 4: expected 'acpi OEM-ID TABLE-ID REVISION', e.g. 'acpi HISI HIP07 0'" },
		{ false, "acpi HISILICON HIP07 0\n", "t.db:7: field 2: OEM id 'HISILICON' is longer than 6 characters" },
		{ false, "acpi HISI HIP07HIP07 0\n", "t.db:7: field 3: OEM table id 'HIP07HIP07' is longer than 8 characters" },
		{ false, "acpi HISI HIP07 4294967296\n", "t.db:7: field 4: revision '4294967296' is not a 32-bit number" },
		{ true, "format 1\nerratum 1\nclass gpu\n", "t.db:3: field 2: class must be cpu or timer" },
		{ true, "format 1\nerratum 1\nclass\n", "t.db:3: field 2: class must be cpu or timer" },
		{ true, "format 1\nerratum 1\nmanagement sometimes\n", "t.db:3: field 2: management must be static or dynamic" },
		{ true, "format 1\nerratum 1\nvendor\n", "t.db:3: field 2: expected one vendor word of at most 15 characters" },
		{ true, "format 1\nerratum 1\nvendor averyveryverylongvendor\n", "t.db:3: field 2: expected one vendor word of at most 15 characters" },
		{ false, "arm 0x41:0xd03 all\nerratum 1\n", "t.db:8: field 2: erratum 1 is already defined at line 2" },
		{ false, "arm 0x41:0xd03 all\nerratum a/b\n", "t.db:8: field 2: id 'a/b' must be 1 to 15 letters, digits or _.-#" },
		{ false, "arm 0x41:0xd03 all\nerratum 0123456789abcdef\n", "t.db:8: field 2: id '0123456789abcdef' must be 1 to 15 letters, digits or _.-#" },
		{ false, "arm 0x41:0xd03 all\nerratum\n", "t.db:8: field 2: expected 'erratum ID'" },
		{ true, "format 1\nerratum 2\nvendor arm\nclass cpu\narm 0x41:0xd03 all\n", "t.db:2: field 1: erratum 2 has no 'management' line" },
		{ true, "format 1\nerratum 2\nclass cpu\n", "t.db:2: field 1: erratum 2 has no 'vendor' line" },
		{ true, "format 1\nerratum 1\ndescription\n", "t.db:3: field 2: description is empty" },
		{ false, "arm 1 2 3 4 5 6 7 8\n", "t.db:7: field 9: too many fields" },
		{ true, longline, "t.db:3: field 1: line longer than 1023 characters" },
		{ true, manyerrata, "t.db:2562: field 1: more than 256 entries" },
	};
	size_t n;

	/* the good head alone plus a match line parses: the rows below each add one fault */
	EXPECT_STR(parse_with("arm 0x41:0xd03 all\n"), "");
	n = snprintf(longline, sizeof(longline), "format 1\nerratum 1\ndescription ");
	memset(longline + n, 'd', sizeof(longline) - n - 2);
	longline[sizeof(longline) - 2] = '\n';
	n = snprintf(manyerrata, sizeof(manyerrata), "format 1\n");
	for (int i = 0; i <= 256; i++)
		n += snprintf(manyerrata + n, sizeof(manyerrata) - n,
			      "erratum e%d\nvendor arm\nclass cpu\nmanagement static\narm 0x41:0xd03 all\ndescription d\n\n\n\n\n", i);
	for (int i = 0; i < UNIT_ROWS(t); i++) {
		const char *got = t[i].whole ? parse_text(t[i].text) : parse_with(t[i].text);

		if (strcmp(got, t[i].msg))
			unit_fail(__FILE__, __LINE__, "row %d '%.40s': got \"%s\", expected \"%s\"", i,
				  t[i].text, got, t[i].msg);
	}
	unit_inputs("errata-db-line", UNIT_ROWS(t));
}

static struct errata_ident arm_ident(__u32 midr, __u64 revidr)
{
	return (struct errata_ident){ .arch = SCXE_ARCH_ARM64, .known = true, .midr = midr,
				      .revidr = revidr };
}

UNIT_TEST(errata_db_midr_range_semantics)
{
	struct errata_ident id;
	const struct errata_model *m;

	EXPECT_STR(parse_with("arm 0x41:0xd46 r0p0-r1p1\nfixed r1p1 0x2000000\n"), "");
	m = &db.entry[0].model[0];
	/* variant:revision compare as one number: r0p15 < r1p0 <= r1p1 */
	id = arm_ident(0x410fd46f, 0);
	EXPECT(errata_model_matches(m, &id));
	id = arm_ident(0x411fd460, 0);
	EXPECT(errata_model_matches(m, &id));
	id = arm_ident(0x411fd462, 0);	/* r1p2 */
	EXPECT(!errata_model_matches(m, &id));
	/* REVIDR fix applies only at exactly r1p1 */
	id = arm_ident(0x411fd461, 1u << 25);
	EXPECT(!errata_model_matches(m, &id));
	id = arm_ident(0x411fd461, 1u << 24);
	EXPECT(errata_model_matches(m, &id));
	id = arm_ident(0x411fd460, 1u << 25);
	EXPECT(errata_model_matches(m, &id));
	/* other part, other implementer, non-0xf architecture field */
	id = arm_ident(0x410fd470, 0);
	EXPECT(!errata_model_matches(m, &id));
	id = arm_ident(0x510fd460, 0);
	EXPECT(!errata_model_matches(m, &id));
	id = arm_ident(0x4108d460, 0);
	EXPECT(!errata_model_matches(m, &id));
	/* no identity: nothing matches */
	id = arm_ident(0x410fd460, 0);
	id.known = false;
	EXPECT(!errata_model_matches(m, &id));
}

UNIT_TEST(errata_db_x86_core_type)
{
	struct errata_ident id = { .arch = SCXE_ARCH_X86, .known = true, .x86_vendor = 1,
				   .family = 6, .model = 0x97, .stepping = 2,
				   .core_kind = SCXE_CORE_LITTLE };

	EXPECT_STR(parse_with("x86 intel:6:0x97 0-5 e\n"), "");
	EXPECT(errata_entry_matches(&db.entry[0], &id));
	id.core_kind = SCXE_CORE_BIG;
	EXPECT(!errata_entry_matches(&db.entry[0], &id));
	id.core_kind = SCXE_CORE_LITTLE;
	id.stepping = 6;
	EXPECT(!errata_entry_matches(&db.entry[0], &id));
	id.stepping = 2;
	id.x86_vendor = 2;
	EXPECT(!errata_entry_matches(&db.entry[0], &id));
}

UNIT_TEST(errata_db_firmware_matching)
{
	struct errata_firmware fw = { 0 };
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/db/small.db", unit_fixtures());
	EXPECT_EQ(errata_db_load(&db, path, err, sizeof(err)), 0);
	fw.has_gtdt = true;
	memcpy(fw.oem_id, "HISI  ", 7);
	memcpy(fw.oem_table_id, "HIP07   ", 9);
	EXPECT_EQ(errata_entry_fw_match(&db.entry[2], &fw, true), 1);
	EXPECT_EQ(errata_entry_fw_match(&db.entry[2], &fw, false), -1);
	fw.oem_revision = 1;	/* the kernel compares the revision exactly */
	EXPECT_EQ(errata_entry_fw_match(&db.entry[2], &fw, true), -1);
	memcpy(fw.oem_table_id, "HIP07X  ", 9);
	fw.oem_revision = 0;
	EXPECT_EQ(errata_entry_fw_match(&db.entry[2], &fw, true), -1);
	fw.has_dt_timer = true;
	fw.nr_dt_props = 2;
	snprintf(fw.dt_props[0], sizeof(fw.dt_props[0]), "compatible");
	snprintf(fw.dt_props[1], sizeof(fw.dt_props[1]), "hisilicon,erratum-161010101");
	EXPECT_EQ(errata_entry_fw_match(&db.entry[2], &fw, false), 0);
}

/* What the shipped table finds on each fixture: "ID@source:types" joined by spaces. */
static const char *found(const char *machine)
{
	static char out[2048];
	char root[512], err[512];
	size_t off = 0;

	snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), machine);
	log_quiet_warn = true;
	EXPECT_EQ(host_read(&h, root, err, sizeof(err)), 0);
	EXPECT_EQ(errata_db_load_builtin(&db, err, sizeof(err)), 0);
	knowledge_build(&h, &db, &k);
	log_quiet_warn = false;
	out[0] = '\0';
	for (int i = 0; i < k.nr && off < sizeof(out); i++)
		off += snprintf(out + off, sizeof(out) - off, "%s%s@%s:%x", off ? " " : "",
				k.item[i].entry->id, knowledge_source_name(k.item[i].source),
				k.item[i].type_mask);
	return out;
}

UNIT_TEST(errata_found_per_fixture)
{
	EXPECT_STR(found("rk3399"), "843419@cpu-type:1 845719@cpu-type:1 1319367@cpu-type:2 "
		   "1742098@cpu-type:2 1655431@cpu-type:2");
	EXPECT_STR(found("sm8450"), "2457168@cpu-type:1 2441009@cpu-type:1 2658417@cpu-type:1 "
		   "3117295@cpu-type:1 2119858@cpu-type:6 2054223@cpu-type:2 2224489@cpu-type:6 "
		   "3324338@cpu-type:6");
	EXPECT_STR(found("altra"), "1418040@cpu-type:1 3324349@cpu-type:1 1542419@cpu-type:1");
	EXPECT_STR(found("alderlake"), "CVE-2023-28746@cpu-type:2");
	EXPECT_STR(found("ls1043a"), "843419@cpu-type:1 845719@cpu-type:1 a008585@devicetree:1");
	EXPECT_STR(found("a64"), "843419@cpu-type:1 845719@cpu-type:1 UNKNOWN1@devicetree:1");
	EXPECT_STR(found("d05"), "1319367@cpu-type:1 1742098@cpu-type:1 1655431@cpu-type:1 "
		   "161010101@acpi:1");
	EXPECT_STR(found("broken"), "1024718@cpu-type:1 1530923@cpu-type:1 2441007@cpu-type:1 "
		   "1188873@cpu-type:2 1418040@cpu-type:2 1165522@cpu-type:2 1286807@cpu-type:2 "
		   "1463225@cpu-type:2 3324349@cpu-type:2");
	EXPECT_STR(found("unknown-part"), "");
}

UNIT_TEST(errata_firmware_read_from_fixtures)
{
	found("d05");
	EXPECT(k.fw.has_gtdt);
	EXPECT_STR(k.fw.oem_id, "HISI  ");
	EXPECT_STR(k.fw.oem_table_id, "HIP07   ");
	EXPECT_EQ(k.fw.oem_revision, 0);
	EXPECT(!k.fw.has_dt_timer);
	found("altra");
	EXPECT_STR(k.fw.oem_id, "Ampere");
	EXPECT_EQ(k.fw.oem_revision, 2);
	found("ls1043a");
	EXPECT(k.fw.has_dt_timer && !k.fw.has_gtdt);
	EXPECT(strstr(k.dt_node, "/sys/firmware/devicetree/base/timer") != NULL);
}

UNIT_TEST(knowledge_to_abi_fills_header)
{
	static struct scxe_shm_hdr hdr;

	found("sm8450");
	hdr.magic = 123;
	knowledge_to_abi(&k, &h, &hdr);
	EXPECT_EQ(hdr.magic, 123);	/* left to the caller */
	EXPECT_EQ(hdr.nr_types, 3);
	EXPECT_STR(hdr.types[2].name, "Cortex-X2");
	EXPECT_EQ(hdr.types[2].midr, 0x412fd480);
	EXPECT_EQ(hdr.nr_errata, 8);
	EXPECT_STR(hdr.errata[4].id, "2119858");
	EXPECT_EQ(hdr.errata[4].type_mask, 6);
	EXPECT_EQ(hdr.errata[4].class, SCXE_CLASS_CPU);
	EXPECT_EQ(hdr.errata[4].management, SCXE_MGMT_STATIC);
	EXPECT_EQ(hdr.errata[4].source, SCXE_SRC_CPU_TYPE);
	EXPECT_EQ(hdr.errata[4].db_index, k.item[4].entry->line);
	EXPECT_EQ(hdr.knowledge_flags, SCXE_KF_TYPES_VALID | SCXE_KF_ERRATA_VALID);

	found("ls1043a");
	knowledge_to_abi(&k, &h, &hdr);
	EXPECT_EQ(hdr.nr_errata, 3);
	EXPECT_STR(hdr.errata[2].id, "a008585");
	EXPECT_EQ(hdr.errata[2].class, SCXE_CLASS_TIMER);
	EXPECT_EQ(hdr.errata[2].source, SCXE_SRC_DEVICETREE);
	EXPECT_EQ(hdr.errata[2].type_mask, 1);

	knowledge_to_abi(NULL, &h, &hdr);
	EXPECT_EQ(hdr.nr_errata, 0);
	EXPECT_EQ(hdr.knowledge_flags, SCXE_KF_TYPES_VALID);
}

UNIT_TEST(knowledge_cpu_types_grouping_ors_identities)
{
	char err[256];

	found("rk3399");
	/* a hand grouping that mixes A53 and A72 gets the errata of both */
	EXPECT_EQ(host_apply_cpu_types(&h, "0-5:all", err, sizeof(err)), 0);
	knowledge_build(&h, &db, &k);
	EXPECT_EQ(k.nr, 5);
	EXPECT_EQ(k.item[0].type_mask, 1);
	EXPECT_EQ(k.item[4].type_mask, 1);
}
