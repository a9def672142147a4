// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing the errata database and matching its entries. The format is line based, one
 * "key value..." per line, entries starting at "erratum ID"; docs/errata-db.md is the
 * reference. A file with any error is rejected whole, so a typo can never silently drop or
 * half-apply an entry.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "errata_db.h"

extern const char scxe_builtin_db[];

#define MAX_FIELDS	8

struct parser {
	struct errata_db *db;
	const char *name;
	int line;
	char *err;
	size_t errlen;
	struct errata_entry *cur;
	struct errata_model *last_arm;	/* where a "fixed" line attaches */
};

static int fail(struct parser *p, int line, int field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, int line, int field, const char *fmt, ...)
{
	size_t n = snprintf(p->err, p->errlen, "%s:%d: field %d: ", p->name, line, field);
	va_list ap;

	va_start(ap, fmt);
	if (n < p->errlen)
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_u32(const char *s, int base, __u32 max, __u32 *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "r1p2" -> variant 1, revision 2, as MIDR_CPU_VAR_REV(1, 2) */
static int parse_var_rev(const char *s, __u32 *out)
{
	char *end;
	unsigned long var, rev;

	if (s[0] != 'r' || !isdigit((unsigned char)s[1]))
		return -1;
	var = strtoul(s + 1, &end, 10);
	if (*end != 'p' || !isdigit((unsigned char)end[1]))
		return -1;
	rev = strtoul(end + 1, &end, 10);
	if (*end || var > 15 || rev > 15)
		return -1;
	*out = var << 20 | rev;
	return 0;
}

static bool valid_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-#", *s))
			return false;
	return true;
}

/* Required lines of an entry, checked when the next one starts or the file ends. */
static int finish_entry(struct parser *p)
{
	struct errata_entry *e = p->cur;
	const char *missing;

	if (!e)
		return 0;
	missing = !e->vendor[0] ? "vendor" : !e->class ? "class" : !e->management ? "management" :
		  !e->description[0] ? "description" : NULL;
	if (missing)
		return fail(p, e->line, 1, "erratum %s has no '%s' line", e->id, missing);
	if (!e->nr_models && !e->nr_fw)
		return fail(p, e->line, 1, "erratum %s matches nothing; add an arm, x86, dt or acpi line",
			    e->id);
	for (int i = 0; i < e->nr_fw; i++)
		if (e->class != SCXE_CLASS_TIMER)
			return fail(p, e->line, 1, "erratum %s has dt/acpi lines but is not class timer",
				    e->id);
	return 0;
}

static struct errata_model *new_model(struct parser *p, int field)
{
	struct errata_entry *e = p->cur;

	if (e->nr_models == ERRATA_MAX_MODELS) {
		fail(p, p->line, field, "erratum %s has more than %d arm/x86 lines", e->id,
		     ERRATA_MAX_MODELS);
		return NULL;
	}
	return &e->model[e->nr_models++];
}

static int parse_arm(struct parser *p, char **f, int nf)
{
	struct errata_model *m;
	char *colon;

	if (nf != 3)
		return fail(p, p->line, nf < 3 ? nf + 1 : 4,
			    "expected 'arm IMPLEMENTER:PART RANGE', e.g. 'arm 0x41:0xd03 r0p0-r0p4'");
	m = new_model(p, 1);
	if (!m)
		return -1;
	m->arch = SCXE_ARCH_ARM64;
	colon = strchr(f[1], ':');
	if (!colon)
		return fail(p, p->line, 2, "'%s' is not IMPLEMENTER:PART (e.g. 0x41:0xd03)", f[1]);
	*colon = '\0';
	if (parse_u32(f[1], 16, 0xff, &m->implementer))
		return fail(p, p->line, 2, "implementer '%s' is not a hex byte", f[1]);
	if (parse_u32(colon + 1, 16, 0xfff, &m->part))
		return fail(p, p->line, 2, "part '%s' is not a 12-bit hex number", colon + 1);
	if (!strcmp(f[2], "all")) {
		m->rv_min = 0;
		m->rv_max = 15u << 20 | 15;
	} else {
		char *dash = strchr(f[2], '-');

		if (dash)
			*dash = '\0';
		if (parse_var_rev(f[2], &m->rv_min) ||
		    parse_var_rev(dash ? dash + 1 : f[2], &m->rv_max))
			return fail(p, p->line, 3, "'%s%s%s' is not 'all', rNpM or rNpM-rNpM", f[2],
				    dash ? "-" : "", dash ? dash + 1 : "");
		if (m->rv_max < m->rv_min)
			return fail(p, p->line, 3, "range ends before it starts");
	}
	p->last_arm = m;
	return 0;
}

static int parse_fixed(struct parser *p, char **f, int nf)
{
	struct errata_model *m = p->last_arm;
	struct errata_fixed *x;
	unsigned long long mask;
	char *end;

	if (!m)
		return fail(p, p->line, 1, "'fixed' must follow the arm line it refines");
	if (nf != 3)
		return fail(p, p->line, nf < 3 ? nf + 1 : 4,
			    "expected 'fixed rNpM REVIDR-MASK', e.g. 'fixed r0p4 0x100'");
	if (m->nr_fixed == ERRATA_MAX_FIXED)
		return fail(p, p->line, 1, "more than %d fixed lines for one arm line", ERRATA_MAX_FIXED);
	x = &m->fixed[m->nr_fixed];
	if (parse_var_rev(f[1], &x->var_rev))
		return fail(p, p->line, 2, "'%s' is not rNpM", f[1]);
	errno = 0;
	mask = strtoull(f[2], &end, 16);
	if (errno || *end || f[2][0] == '-' || !mask)
		return fail(p, p->line, 3, "'%s' is not a non-zero hex REVIDR mask", f[2]);
	x->revidr_mask = mask;
	m->nr_fixed++;
	return 0;
}

static int parse_x86(struct parser *p, char **f, int nf)
{
	struct errata_model *m;
	char *fam, *mod, *dash;

	if (nf < 3 || nf > 4)
		return fail(p, p->line, nf < 3 ? nf + 1 : 5,
			    "expected 'x86 VENDOR:FAMILY:MODEL STEPPINGS [any|p|e]'");
	m = new_model(p, 1);
	if (!m)
		return -1;
	m->arch = SCXE_ARCH_X86;
	fam = strchr(f[1], ':');
	mod = fam ? strchr(fam + 1, ':') : NULL;
	if (!mod)
		return fail(p, p->line, 2, "'%s' is not VENDOR:FAMILY:MODEL (e.g. intel:6:0x97)", f[1]);
	*fam++ = '\0';
	*mod++ = '\0';
	m->x86_vendor = !strcmp(f[1], "intel") ? 1 : !strcmp(f[1], "amd") ? 2 : 0;
	if (!m->x86_vendor)
		return fail(p, p->line, 2, "vendor '%s' is not intel or amd", f[1]);
	if (parse_u32(fam, 0, 0x1ff, &m->family) || parse_u32(mod, 0, 0xff, &m->model))
		return fail(p, p->line, 2, "family '%s' or model '%s' is not a number", fam, mod);
	if (!strcmp(f[2], "all")) {
		m->step_min = 0;
		m->step_max = 15;
	} else {
		dash = strchr(f[2], '-');
		if (dash)
			*dash++ = '\0';
		if (parse_u32(f[2], 0, 15, &m->step_min) ||
		    parse_u32(dash ? dash : f[2], 0, 15, &m->step_max) || m->step_max < m->step_min)
			return fail(p, p->line, 3, "steppings must be 'all', N or N-M within 0-15");
	}
	m->core = ERRATA_CORE_ANY;
	if (nf == 4) {
		if (!strcmp(f[3], "p"))
			m->core = ERRATA_CORE_P;
		else if (!strcmp(f[3], "e"))
			m->core = ERRATA_CORE_E;
		else if (strcmp(f[3], "any"))
			return fail(p, p->line, 4, "core type '%s' is not any, p or e", f[3]);
	}
	return 0;
}

static int parse_fw(struct parser *p, char **f, int nf, bool acpi)
{
	struct errata_entry *e = p->cur;
	struct errata_fw *w;

	if (e->nr_fw == ERRATA_MAX_FW)
		return fail(p, p->line, 1, "erratum %s has more than %d dt/acpi lines", e->id,
			    ERRATA_MAX_FW);
	w = &e->fw[e->nr_fw];
	memset(w, 0, sizeof(*w));
	w->acpi = acpi;
	if (!acpi) {
		if (nf != 2)
			return fail(p, p->line, nf < 2 ? 2 : 3, "expected 'dt PROPERTY'");
		if (strlen(f[1]) >= sizeof(w->dt_prop))
			return fail(p, p->line, 2, "property name longer than %zu characters",
				    sizeof(w->dt_prop) - 1);
		snprintf(w->dt_prop, sizeof(w->dt_prop), "%s", f[1]);
	} else {
		if (nf != 4)
			return fail(p, p->line, nf < 4 ? nf + 1 : 5,
				    "expected 'acpi OEM-ID TABLE-ID REVISION', e.g. 'acpi HISI HIP07 0'");
		if (strlen(f[1]) > 6)
			return fail(p, p->line, 2, "OEM id '%s' is longer than 6 characters", f[1]);
		if (strlen(f[2]) > 8)
			return fail(p, p->line, 3, "OEM table id '%s' is longer than 8 characters", f[2]);
		if (parse_u32(f[3], 0, 0xffffffffu, &w->oem_revision))
			return fail(p, p->line, 4, "revision '%s' is not a 32-bit number", f[3]);
		/* ACPI pads these fields with spaces; so does the table we compare with */
		snprintf(w->oem_id, sizeof(w->oem_id), "%-6s", f[1]);
		snprintf(w->oem_table_id, sizeof(w->oem_table_id), "%-8s", f[2]);
	}
	e->nr_fw++;
	return 0;
}

static int parse_entry_line(struct parser *p, char **f, int nf, const char *rest)
{
	struct errata_entry *e = p->cur;
	const char *k = f[0];

	if (!e)
		return fail(p, p->line, 1, "'%s' before the first 'erratum' line", k);
	/* a second one would silently win over the first */
	if ((!strcmp(k, "vendor") && e->vendor[0]) || (!strcmp(k, "class") && e->class) ||
	    (!strcmp(k, "management") && e->management) ||
	    (!strcmp(k, "description") && e->description[0]))
		return fail(p, p->line, 1, "erratum %s has a second '%s' line; keep one", e->id, k);
	if (!strcmp(k, "vendor")) {
		if (nf != 2 || strlen(f[1]) >= sizeof(e->vendor))
			return fail(p, p->line, nf != 2 ? (nf < 2 ? 2 : 3) : 2,
				    "expected one vendor word of at most %zu characters",
				    sizeof(e->vendor) - 1);
		snprintf(e->vendor, sizeof(e->vendor), "%s", f[1]);
	} else if (!strcmp(k, "class")) {
		if (nf != 2 || (strcmp(f[1], "cpu") && strcmp(f[1], "timer")))
			return fail(p, p->line, 2, "class must be cpu or timer");
		e->class = !strcmp(f[1], "cpu") ? SCXE_CLASS_CPU : SCXE_CLASS_TIMER;
	} else if (!strcmp(k, "management")) {
		if (nf != 2 || (strcmp(f[1], "static") && strcmp(f[1], "dynamic")))
			return fail(p, p->line, 2, "management must be static or dynamic");
		e->management = !strcmp(f[1], "static") ? SCXE_MGMT_STATIC : SCXE_MGMT_DYNAMIC;
	} else if (!strcmp(k, "arm")) {
		return parse_arm(p, f, nf);
	} else if (!strcmp(k, "fixed")) {
		return parse_fixed(p, f, nf);
	} else if (!strcmp(k, "x86")) {
		return parse_x86(p, f, nf);
	} else if (!strcmp(k, "dt") || !strcmp(k, "acpi")) {
		return parse_fw(p, f, nf, !strcmp(k, "acpi"));
	} else if (!strcmp(k, "description")) {
		if (!*rest)
			return fail(p, p->line, 2, "description is empty");
		if (strlen(rest) >= sizeof(e->description))
			return fail(p, p->line, 2, "description longer than %zu characters",
				    sizeof(e->description) - 1);
		snprintf(e->description, sizeof(e->description), "%s", rest);
	} else {
		return fail(p, p->line, 1, "unknown key '%s' (expected erratum, vendor, class, "
			    "management, arm, fixed, x86, dt, acpi or description)", k);
	}
	return 0;
}

static int parse_line(struct parser *p, char *s, bool *have_format)
{
	char *f[MAX_FIELDS + 1], *rest = NULL, *save = NULL, *tok;
	int nf = 0;

	/* the description keeps its text verbatim, '#' included */
	for (tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nf == 0 && tok[0] == '#')
			return 0;
		if (nf == MAX_FIELDS)
			return fail(p, p->line, nf + 1, "too many fields");
		f[nf++] = tok;
		if (nf == 1 && !strcmp(tok, "description")) {
			rest = save ? save : (char *)"";
			while (isspace((unsigned char)*rest))
				rest++;
			break;
		}
	}
	if (!nf)
		return 0;
	if (!*have_format) {
		__u32 v;

		if (strcmp(f[0], "format"))
			return fail(p, p->line, 1, "the first line must be 'format %d'", ERRATA_DB_FORMAT);
		if (nf != 2 || parse_u32(f[1], 10, 1000, &v))
			return fail(p, p->line, 2, "expected 'format %d'", ERRATA_DB_FORMAT);
		if (v != ERRATA_DB_FORMAT)
			return fail(p, p->line, 2, "format %u is not supported (this build reads format %d)",
				    v, ERRATA_DB_FORMAT);
		*have_format = true;
		return 0;
	}
	if (!strcmp(f[0], "format"))
		return fail(p, p->line, 1, "'format' may only appear once, at the top");
	if (!strcmp(f[0], "erratum")) {
		struct errata_db *db = p->db;

		if (finish_entry(p))
			return -1;
		if (nf != 2)
			return fail(p, p->line, nf < 2 ? 2 : 3, "expected 'erratum ID'");
		if (!valid_id(f[1]) || strlen(f[1]) >= SCXE_ABI_ID_LEN)
			return fail(p, p->line, 2, "id '%s' must be 1 to %u letters, digits or _.-#",
				    f[1], SCXE_ABI_ID_LEN - 1);
		for (int i = 0; i < db->nr; i++)
			if (!strcmp(db->entry[i].id, f[1]))
				return fail(p, p->line, 2, "erratum %s is already defined at line %d",
					    f[1], db->entry[i].line);
		if (db->nr == ERRATA_MAX_ENTRIES)
			return fail(p, p->line, 1, "more than %d entries", ERRATA_MAX_ENTRIES);
		p->cur = &db->entry[db->nr++];
		memset(p->cur, 0, sizeof(*p->cur));
		snprintf(p->cur->id, sizeof(p->cur->id), "%s", f[1]);
		p->cur->line = p->line;
		p->last_arm = NULL;
		return 0;
	}
	/* "fixed" refines the arm line right above it, nothing else */
	if (strcmp(f[0], "fixed"))
		p->last_arm = NULL;
	return parse_entry_line(p, f, nf, rest ? rest : "");
}

int errata_db_parse(struct errata_db *db, const char *text, const char *name,
		    char *err, size_t errlen)
{
	struct parser p = { .db = db, .name = name, .err = err, .errlen = errlen };
	bool have_format = false;
	const char *s = text;
	int rc = 0;

	db->nr = 0;
	snprintf(db->source, sizeof(db->source), "%s", name);
	while (*s && !rc) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char line[1024];

		p.line++;
		if (n >= sizeof(line)) {
			rc = fail(&p, p.line, 1, "line longer than %zu characters", sizeof(line) - 1);
			break;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		rc = parse_line(&p, line, &have_format);
		s = nl ? nl + 1 : s + n;
	}
	if (!rc && !have_format)
		rc = fail(&p, p.line ? p.line : 1, 1, "empty database; the first line must be 'format %d'",
			  ERRATA_DB_FORMAT);
	if (!rc)
		rc = finish_entry(&p);
	if (rc)
		db->nr = 0;
	return rc;
}

int errata_db_load(struct errata_db *db, const char *path, char *err, size_t errlen)
{
	/* O_NONBLOCK: a FIFO at the path must not hang us; it is refused below */
	int fd = *path ? open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY) : -1;
	struct stat st;
	char *text;
	FILE *f;
	long len;
	int rc;

	if (!*path) {
		snprintf(err, errlen, "--errata-db '' names no file; give the path of an errata database");
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open errata db %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 4 << 20 || !(f = fdopen(fd, "r"))) {
		snprintf(err, errlen, "cannot read errata db %s (not a regular file under 4 MiB?)", path);
		close(fd);
		return -1;
	}
	len = st.st_size;
	text = malloc(len + 1);
	if (!text || fread(text, 1, len, f) != (size_t)len) {
		snprintf(err, errlen, "cannot read errata db %s", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != (size_t)len) {
		snprintf(err, errlen, "errata db %s contains a NUL byte; is it a text file?", path);
		free(text);
		return -1;
	}
	rc = errata_db_parse(db, text, path, err, errlen);
	free(text);
	return rc;
}

int errata_db_load_builtin(struct errata_db *db, char *err, size_t errlen)
{
	return errata_db_parse(db, scxe_builtin_db, "builtin:data/errata.db", err, errlen);
}

bool errata_model_matches(const struct errata_model *m, const struct errata_ident *id)
{
	if (!id->known || m->arch != id->arch)
		return false;
	if (m->arch == SCXE_ARCH_ARM64) {
		/* as the kernel's MIDR_CPU_MODEL_MASK: implementer, architecture (0xf) and part */
		__u32 model = m->implementer << 24 | 0xfu << 16 | m->part << 4;
		__u32 rv = id->midr & (0xfu << 20 | 0xfu);

		if ((id->midr & 0xff0ffff0u) != model || rv < m->rv_min || rv > m->rv_max)
			return false;
		for (int i = 0; i < m->nr_fixed; i++)
			if (rv == m->fixed[i].var_rev && (id->revidr & m->fixed[i].revidr_mask))
				return false;
		return true;
	}
	if (m->x86_vendor != id->x86_vendor || m->family != id->family || m->model != id->model ||
	    id->stepping < m->step_min || id->stepping > m->step_max)
		return false;
	return m->core == ERRATA_CORE_ANY ||
	       (m->core == ERRATA_CORE_P && id->core_kind == SCXE_CORE_BIG) ||
	       (m->core == ERRATA_CORE_E && id->core_kind == SCXE_CORE_LITTLE);
}

bool errata_entry_matches(const struct errata_entry *e, const struct errata_ident *id)
{
	for (int i = 0; i < e->nr_models; i++)
		if (errata_model_matches(&e->model[i], id))
			return true;
	return false;
}

int errata_entry_fw_match(const struct errata_entry *e, const struct errata_firmware *fw,
			  bool acpi)
{
	for (int i = 0; i < e->nr_fw; i++) {
		const struct errata_fw *w = &e->fw[i];

		if (w->acpi != acpi)
			continue;
		if (acpi) {
			/* the kernel compares all 6 and 8 bytes and the revision exactly */
			if (fw->has_gtdt && !memcmp(w->oem_id, fw->oem_id, 6) &&
			    !memcmp(w->oem_table_id, fw->oem_table_id, 8) &&
			    w->oem_revision == fw->oem_revision)
				return i;
			continue;
		}
		if (!fw->has_dt_timer)
			continue;
		for (int j = 0; j < fw->nr_dt_props; j++)
			if (!strcmp(fw->dt_props[j], w->dt_prop))
				return i;
	}
	return -1;
}

const char *errata_class_name(int class)
{
	return class == SCXE_CLASS_CPU ? "cpu" : class == SCXE_CLASS_TIMER ? "timer" : "unknown";
}

const char *errata_mgmt_name(int management)
{
	return management == SCXE_MGMT_STATIC ? "static" :
	       management == SCXE_MGMT_DYNAMIC ? "dynamic" : "unknown";
}
