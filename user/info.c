// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata info`: what this host is made of and which errata it has, for admins (a
 * table) and for VMMs and scripts (--json). Needs no privileges: everything comes from
 * sysfs/procfs under --host-root and the errata db.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "info.h"
#include "json.h"
#include "knowledge.h"
#include "log.h"

static const char usage[] =
	"usage: scx_errata info [--json] [--host-root DIR] [--errata-db FILE] [--cpu-types SPEC] [-v]\n"
	"\n"
	"Show the host's CPUs, their types, and the CPU and timer errata that apply to each type.\n"
	"\n"
	"  --json             one JSON object on stdout (errors as {\"error\": \"...\"})\n"
	"  --host-root DIR    read sys/ and proc/ under DIR instead of / (fixture trees)\n"
	"  --errata-db FILE   errata database to use instead of the built-in one (docs/errata-db.md)\n"
	"  --cpu-types SPEC   group CPUs by hand, e.g. 0-3:little,4-7:big\n"
	"  -v, --verbose      also say how each value was found\n"
	"  -h, --help         this text\n";

struct info_opts {
	bool json;
	const char *root, *db_path, *cpu_types;
};

/* Everything info prints, gathered first so a failure never leaves half an output. */
static int fail(const struct info_opts *o, const char *msg, const char *hint)
{
	if (o->json) {
		json_error(stdout, msg);
	} else {
		/* one line: the hint goes on the error's own line */
		log_err("%s%s%s", msg, hint ? "; " : "", hint ? hint : "");
	}
	return 1;
}

static const char *arch_name(int arch)
{
	return arch == SCXE_ARCH_ARM64 ? "arm64" : arch == SCXE_ARCH_X86 ? "x86" : "unknown";
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case SCXE_CORE_BIG:	return "big";
	case SCXE_CORE_LITTLE:	return "little";
	case SCXE_CORE_MID:	return "mid";
	case SCXE_CORE_UNIFORM:	return "uniform";
	default:		return "unknown";
	}
}

static const char *vendor_name(const struct scxe_abi_type *t)
{
	static const struct { __u32 id; const char *name; } arm[] = {
		{ 0x41, "arm" }, { 0x42, "broadcom" }, { 0x43, "cavium" }, { 0x46, "fujitsu" },
		{ 0x48, "hisilicon" }, { 0x4e, "nvidia" }, { 0x50, "apm" }, { 0x51, "qualcomm" },
		{ 0x61, "apple" }, { 0x6d, "microsoft" }, { 0xc0, "ampere" },
	};

	if (t->arch == SCXE_ARCH_X86)
		return t->vendor == 1 ? "intel" : t->vendor == 2 ? "amd" : "unknown";
	for (size_t i = 0; i < sizeof(arm) / sizeof(arm[0]); i++)
		if (arm[i].id == t->vendor)
			return arm[i].name;
	return "unknown";
}

/* "r0p4" for arm64 types, "6/0x97/2" (family/model/stepping) for x86. */
static const char *ident_text(const struct scxe_abi_type *t, char *buf, size_t len)
{
	if (t->arch == SCXE_ARCH_ARM64)
		snprintf(buf, len, "0x%02x:0x%03x r%up%u revidr 0x%llx", t->vendor, t->part,
			 t->variant, t->revision, (unsigned long long)t->revidr);
	else
		snprintf(buf, len, "family %u model 0x%02x stepping %u", t->part, t->variant,
			 t->revision);
	return buf;
}

static void types_of_mask(const struct host *h, __u32 mask, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int t = 0; t < h->nr_types && t < 32; t++)
		if ((mask >> t & 1) && off < len)
			off += snprintf(buf + off, len - off, "%s%d:%s", off ? " " : "", t,
					h->type[t].abi.name);
}

static void print_table(const struct host_view *s)
{
	const struct host *h = &s->host;
	const struct host_knowledge *k = &s->k;
	char buf[512], id[128];
	int nr_timer = 0;

	printf("host: %s, %d possible cpus (online %s), %d types; errata db %s (%d entries)\n\n",
	       arch_name(h->arch), cpuset_count(&h->possible),
	       cpulist_format(&h->online, buf, sizeof(buf)), h->nr_types, s->db.source, s->db.nr);

	printf("%-5s %-6s %-4s %-22s %-8s %-7s %-7s %-4s %-18s %s\n", "CPU", "ONLINE", "TYPE",
	       "NAME", "CAPACITY", "PACKAGE", "CLUSTER", "LLC", "MIDR", "REVIDR");
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		const struct host_cpu *hc = &h->cpu[c];

		if (!hc->present)
			continue;
		printf("%-5d %-6s %-4d %-22s %-8u %-7d %-7d %-4d 0x%-16llx 0x%llx\n", c,
		       hc->online ? "yes" : "no", hc->type,
		       hc->type >= 0 ? h->type[hc->type].abi.name : "-", hc->capacity, hc->package,
		       hc->cluster, hc->llc, (unsigned long long)hc->midr,
		       (unsigned long long)hc->revidr);
	}

	printf("\n%-4s %-22s %-9s %-8s %-10s %-8s %s\n", "TYPE", "NAME", "VENDOR", "KIND", "CPUS",
	       "CAPACITY", "IDENTITY");
	for (int t = 0; t < h->nr_types; t++) {
		const struct scxe_abi_type *a = &h->type[t].abi;

		printf("%-4d %-22s %-9s %-8s %-10s %-8u %s\n", t, a->name, vendor_name(a),
		       kind_name(a->core_kind), cpulist_format(&h->type[t].cpus, buf, sizeof(buf)),
		       a->capacity, ident_text(a, id, sizeof(id)));
	}

	printf("\nerrata per type:\n");
	for (int t = 0; t < h->nr_types; t++) {
		int n = 0;

		printf("  %d %s:", t, h->type[t].abi.name);
		for (int i = 0; i < k->nr; i++)
			if (k->item[i].type_mask >> t & 1 && k->item[i].source == SCXE_SRC_CPU_TYPE)
				printf("%s %s", n++ ? "," : "", k->item[i].entry->id);
		printf("%s\n", n ? "" : " none known");
	}

	printf("\n%-15s %-10s %-6s %-8s %-30s %s\n", "ERRATUM", "VENDOR", "CLASS", "MGMT", "TYPES",
	       "DESCRIPTION");
	for (int i = 0; i < k->nr; i++) {
		const struct knowledge_item *it = &k->item[i];

		if (it->source != SCXE_SRC_CPU_TYPE)
			continue;
		types_of_mask(h, it->type_mask, buf, sizeof(buf));
		printf("%-15s %-10s %-6s %-8s %-30s %s\n", it->entry->id, it->entry->vendor,
		       errata_class_name(it->entry->class), errata_mgmt_name(it->entry->management),
		       buf, it->entry->description);
	}

	printf("\ntimer errata:\n");
	for (int i = 0; i < k->nr; i++) {
		const struct knowledge_item *it = &k->item[i];
		const struct errata_fw *w = it->fw_index >= 0 ? &it->entry->fw[it->fw_index] : NULL;

		if (it->entry->class != SCXE_CLASS_TIMER)
			continue;
		nr_timer++;
		types_of_mask(h, it->type_mask, buf, sizeof(buf));
		printf("  %-15s source %-10s types %s", it->entry->id,
		       knowledge_source_name(it->source), buf);
		if (w && w->acpi)
			printf(" (GTDT '%s' '%s' rev %u)", w->oem_id, w->oem_table_id, w->oem_revision);
		else if (w)
			printf(" (%s in %s)", w->dt_prop, k->dt_node);
		printf("\n");
	}
	if (!nr_timer)
		printf("  none known\n");
	if (k->truncated)
		printf("\nmore than %d errata matched; the list above is cut short\n", KNOWLEDGE_MAX);
}

static void json_hex(struct json *j, const char *key, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	json_str(j, key, buf);
}

static void json_types(struct json *j, const struct host *h, __u32 mask)
{
	json_arr(j, "types");
	for (int t = 0; t < h->nr_types && t < 32; t++) {
		if (!(mask >> t & 1))
			continue;
		json_obj(j, NULL);
		json_int(j, "index", t);
		json_str(j, "name", h->type[t].abi.name);
		json_end(j);
	}
	json_end(j);
}

static void print_json(const struct host_view *s)
{
	const struct host *h = &s->host;
	const struct host_knowledge *k = &s->k;
	struct json j;
	char buf[512];

	json_init(&j, stdout);
	json_obj(&j, NULL);

	json_obj(&j, "host");
	json_str(&j, "root", h->root[0] ? h->root : "/");
	json_str(&j, "arch", arch_name(h->arch));
	json_str(&j, "possible", cpulist_format(&h->possible, buf, sizeof(buf)));
	json_str(&j, "online", cpulist_format(&h->online, buf, sizeof(buf)));
	json_str(&j, "errata_db", s->db.source);
	json_int(&j, "errata_db_entries", s->db.nr);
	json_end(&j);

	json_arr(&j, "cpus");
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		const struct host_cpu *hc = &h->cpu[c];

		if (!hc->present)
			continue;
		json_obj(&j, NULL);
		json_int(&j, "cpu", c);
		json_bool(&j, "online", hc->online);
		json_int(&j, "type", hc->type);
		json_int(&j, "capacity", hc->capacity);
		json_int(&j, "package", hc->package);
		json_int(&j, "die", hc->die);
		json_int(&j, "cluster", hc->cluster);
		json_int(&j, "core", hc->core);
		json_int(&j, "llc", hc->llc);
		json_hex(&j, "midr", hc->midr);
		json_hex(&j, "revidr", hc->revidr);
		json_end(&j);
	}
	json_end(&j);

	json_arr(&j, "types");
	for (int t = 0; t < h->nr_types; t++) {
		const struct scxe_abi_type *a = &h->type[t].abi;

		json_obj(&j, NULL);
		json_int(&j, "index", t);
		json_str(&j, "name", a->name);
		json_str(&j, "vendor", vendor_name(a));
		json_str(&j, "arch", arch_name(a->arch));
		json_str(&j, "core_kind", kind_name(a->core_kind));
		json_str(&j, "cpus", cpulist_format(&h->type[t].cpus, buf, sizeof(buf)));
		json_int(&j, "nr_cpus", a->nr_cpus);
		json_int(&j, "capacity", a->capacity);
		json_hex(&j, "midr", a->midr);
		json_hex(&j, "revidr", a->revidr);
		if (a->arch == SCXE_ARCH_X86) {
			json_int(&j, "family", a->part);
			json_int(&j, "model", a->variant);
			json_int(&j, "stepping", a->revision);
		} else {
			json_hex(&j, "implementer", a->vendor);
			json_hex(&j, "part", a->part);
			json_int(&j, "variant", a->variant);
			json_int(&j, "revision", a->revision);
		}
		json_end(&j);
	}
	json_end(&j);

	/* one row per erratum; a timer erratum found by several sources lists them all */
	json_arr(&j, "errata");
	for (int i = 0; i < k->nr; i++) {
		const struct errata_entry *e = k->item[i].entry;
		__u32 mask = 0;
		bool first = true;

		for (int p = 0; p < i; p++)
			first &= k->item[p].entry != e;
		if (!first)
			continue;
		for (int p = i; p < k->nr; p++)
			if (k->item[p].entry == e)
				mask |= k->item[p].type_mask;
		json_obj(&j, NULL);
		json_str(&j, "id", e->id);
		json_str(&j, "vendor", e->vendor);
		json_str(&j, "class", errata_class_name(e->class));
		json_str(&j, "management", errata_mgmt_name(e->management));
		json_types(&j, h, mask);
		json_arr(&j, "sources");
		for (int p = i; p < k->nr; p++)
			if (k->item[p].entry == e)
				json_str(&j, NULL, knowledge_source_name(k->item[p].source));
		json_end(&j);
		json_str(&j, "description", e->description);
		json_int(&j, "db_line", e->line);
		json_end(&j);
	}
	json_end(&j);

	json_arr(&j, "timer_errata");
	for (int i = 0; i < k->nr; i++) {
		const struct knowledge_item *it = &k->item[i];

		if (it->entry->class != SCXE_CLASS_TIMER)
			continue;
		json_obj(&j, NULL);
		json_str(&j, "id", it->entry->id);
		json_str(&j, "source", knowledge_source_name(it->source));
		json_types(&j, h, it->type_mask);
		if (it->fw_index >= 0 && it->entry->fw[it->fw_index].acpi) {
			const struct errata_fw *w = &it->entry->fw[it->fw_index];

			json_str(&j, "oem_id", w->oem_id);
			json_str(&j, "oem_table_id", w->oem_table_id);
			json_uint(&j, "oem_revision", w->oem_revision);
		} else if (it->fw_index >= 0) {
			json_str(&j, "property", it->entry->fw[it->fw_index].dt_prop);
			json_str(&j, "node", k->dt_node);
		}
		json_end(&j);
	}
	json_end(&j);

	json_obj(&j, "firmware");
	json_str(&j, "dt_timer_node", k->dt_node);
	if (k->fw.has_gtdt) {
		json_obj(&j, "gtdt");
		json_str(&j, "oem_id", k->fw.oem_id);
		json_str(&j, "oem_table_id", k->fw.oem_table_id);
		json_uint(&j, "oem_revision", k->fw.oem_revision);
		json_end(&j);
	} else {
		json_null(&j, "gtdt");
	}
	json_end(&j);
	json_bool(&j, "truncated", k->truncated);
	json_finish(&j);
}

static int parse_opts(int argc, char **argv, struct info_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "host-root",	required_argument,	NULL, 'r' },
		{ "errata-db",	required_argument,	NULL, 'd' },
		{ "cpu-types",	required_argument,	NULL, 't' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	/* the caller may have run getopt on the top-level options already */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'r': o->root = optarg; break;
		case 'd': o->db_path = optarg; break;
		case 't': o->cpu_types = optarg; break;
		case 'v': log_verbose_on = true; break;
		case 'h': return 2;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

int info_main(int argc, char **argv)
{
	static const char hint[] = "see 'scx_errata info -h'";
	struct info_opts o = { 0 };
	struct host_view *s;
	char err[512];
	int rc;

	/* decide the error format before any option can fail */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		o.json |= !strcmp(argv[i], "--json");
	rc = parse_opts(argc, argv, &o, err, sizeof(err));
	if (rc == 2) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc)
		return fail(&o, err, hint);

	s = calloc(1, sizeof(*s));
	if (!s)
		return fail(&o, "out of memory", NULL);
	if (host_view_load(s, o.root, o.cpu_types, o.db_path, err, sizeof(err))) {
		free(s);
		return fail(&o, err, NULL);
	}
	if (o.json)
		print_json(s);
	else
		print_table(s);
	free(s);
	return 0;
}
