// SPDX-License-Identifier: GPL-2.0
/*
 * Matching the errata database against a host: CPU errata per CPU (ORed into the CPU's
 * type, so a --cpu-types grouping that mixes identities errs towards "affected"), timer
 * errata from the devicetree arch timer node and the ACPI GTDT header, and the conversion
 * to the guest-visible header page.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "knowledge.h"
#include "log.h"

void knowledge_cpu_ident(const struct host *h, int cpu, struct errata_ident *id)
{
	const struct host_cpu *c = &h->cpu[cpu];

	memset(id, 0, sizeof(*id));
	id->arch = h->arch;
	id->midr = c->midr;
	id->revidr = c->revidr;
	id->x86_vendor = c->x86_vendor;
	id->family = c->x86_family;
	id->model = c->x86_model;
	id->stepping = c->x86_stepping;
	id->core_kind = c->core_kind;
	id->known = h->arch == SCXE_ARCH_ARM64 ? c->has_midr :
		    h->arch == SCXE_ARCH_X86 ? c->x86_vendor != 0 : false;
}

/* compatible is a list of NUL-terminated strings; the kernel binds both timer flavours */
static bool is_arch_timer(const char *node)
{
	char path[1100], buf[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/compatible", node);
	f = host_fopen(path);
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t off = 0; off < n; off += strlen(buf + off) + 1)
		if (!strcmp(buf + off, "arm,armv8-timer") || !strcmp(buf + off, "arm,armv7-timer"))
			return true;
	return false;
}

/* Depth-first search for a node named timer or timer@... that is the arch timer. */
static bool find_timer(const char *dir, int depth, char *out, size_t outlen)
{
	struct dirent *d;
	bool found = false;
	DIR *dp;

	if (depth > 3)
		return false;
	dp = opendir(dir);
	if (!dp)
		return false;
	while (!found && (d = readdir(dp))) {
		char sub[1024];
		struct stat st;

		if (d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name);
		if (stat(sub, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (!strncmp(d->d_name, "timer", 5) && (!d->d_name[5] || d->d_name[5] == '@') &&
		    is_arch_timer(sub)) {
			snprintf(out, outlen, "%s", sub);
			found = true;
		} else {
			found = find_timer(sub, depth + 1, out, outlen);
		}
	}
	closedir(dp);
	return found;
}

static void read_dt_timer(const struct host *h, struct errata_firmware *fw, char *node,
			  size_t len)
{
	char base[PATH_MAX + 64];
	struct dirent *d;
	DIR *dp;

	host_path(h, base, sizeof(base), "/sys/firmware/devicetree/base");
	if (!find_timer(base, 0, node, len))
		return;
	dp = opendir(node);
	if (!dp) {
		log_warn("cannot list %s: %s; its timer errata are not checked", node, strerror(errno));
		return;
	}
	fw->has_dt_timer = true;
	/* a devicetree property is a file; its presence is all an erratum flag says */
	while ((d = readdir(dp))) {
		size_t len = strlen(d->d_name);

		/* no erratum flag has a name that long; such properties cannot match */
		if (d->d_name[0] == '.' || d->d_type == DT_DIR || len >= sizeof(fw->dt_props[0]))
			continue;
		if (fw->nr_dt_props == (int)(sizeof(fw->dt_props) / sizeof(fw->dt_props[0]))) {
			log_warn("%s has more than %d properties; checking the first ones only", node,
				 fw->nr_dt_props);
			break;
		}
		memcpy(fw->dt_props[fw->nr_dt_props++], d->d_name, len + 1);
	}
	closedir(dp);
}

/* The standard 36-byte ACPI header: signature, length, revision, checksum, OEM fields. */
static void read_gtdt(const struct host *h, struct errata_firmware *fw)
{
	char path[PATH_MAX + 64];
	unsigned char hdr[36];
	size_t n;
	FILE *f;

	host_path(h, path, sizeof(path), "/sys/firmware/acpi/tables/GTDT");
	f = host_fopen(path);
	if (!f) {
		if (errno != ENOENT)
			log_warn("cannot read %s: %s; ACPI timer errata are not checked", path,
				 strerror(errno));
		return;
	}
	n = fread(hdr, 1, sizeof(hdr), f);
	fclose(f);
	if (n < sizeof(hdr)) {
		log_warn("%s is %zu bytes, shorter than an ACPI table header; ignoring it", path, n);
		return;
	}
	if (memcmp(hdr, "GTDT", 4)) {
		log_warn("%s does not start with the GTDT signature; ignoring it", path);
		return;
	}
	memcpy(fw->oem_id, hdr + 10, 6);
	fw->oem_id[6] = '\0';
	memcpy(fw->oem_table_id, hdr + 16, 8);
	fw->oem_table_id[8] = '\0';
	fw->oem_revision = hdr[24] | hdr[25] << 8 | hdr[26] << 16 | (__u32)hdr[27] << 24;
	fw->has_gtdt = true;
}

void knowledge_read_firmware(const struct host *h, struct errata_firmware *fw,
			     char *dt_node, size_t dt_len)
{
	memset(fw, 0, sizeof(*fw));
	dt_node[0] = '\0';
	read_dt_timer(h, fw, dt_node, dt_len);
	read_gtdt(h, fw);
}

static void add_item(struct host_knowledge *k, const struct errata_entry *e, int source,
		     __u32 mask, int fw_index)
{
	if (k->nr == KNOWLEDGE_MAX) {
		k->truncated = true;
		return;
	}
	k->item[k->nr++] = (struct knowledge_item){ e, source, mask, fw_index };
}

int knowledge_build(const struct host *h, const struct errata_db *db, struct host_knowledge *k)
{
	__u32 all = h->nr_types >= 32 ? ~0u : (1u << h->nr_types) - 1;

	memset(k, 0, sizeof(*k));
	knowledge_read_firmware(h, &k->fw, k->dt_node, sizeof(k->dt_node));
	for (int i = 0; i < db->nr; i++) {
		const struct errata_entry *e = &db->entry[i];
		__u32 mask = 0;
		int w;

		for (int c = 0; c < h->nr_cpu_ids && e->nr_models; c++) {
			struct errata_ident id;

			if (!h->cpu[c].present || h->cpu[c].type < 0)
				continue;
			knowledge_cpu_ident(h, c, &id);
			if (errata_entry_matches(e, &id))
				mask |= 1u << h->cpu[c].type;
		}
		if (mask)
			add_item(k, e, SCXE_SRC_CPU_TYPE, mask, -1);
		/* firmware flags the whole SoC: the erratum follows every core type */
		w = errata_entry_fw_match(e, &k->fw, false);
		if (w >= 0)
			add_item(k, e, SCXE_SRC_DEVICETREE, all, w);
		w = errata_entry_fw_match(e, &k->fw, true);
		if (w >= 0)
			add_item(k, e, SCXE_SRC_ACPI, all, w);
	}
	return 0;
}

void knowledge_to_abi(const struct host_knowledge *k, const struct host *h,
		      struct scxe_shm_hdr *hdr)
{
	__u32 nr_types = h->nr_types > 0 ? (__u32)h->nr_types : 0;
	__u32 flags = 0, n = 0;

	if (nr_types > SCXE_ABI_MAX_TYPES)
		nr_types = SCXE_ABI_MAX_TYPES;

	memset(hdr->types, 0, sizeof(hdr->types));
	memset(hdr->errata, 0, sizeof(hdr->errata));
	for (__u32 t = 0; t < nr_types; t++)
		hdr->types[t] = h->type[t].abi;
	if (nr_types)
		flags |= SCXE_KF_TYPES_VALID;
	if (k) {
		flags |= SCXE_KF_ERRATA_VALID;
		for (int i = 0; i < k->nr; i++) {
			const struct knowledge_item *it = &k->item[i];
			struct scxe_abi_erratum *a;

			if (n == SCXE_ABI_MAX_ERRATA) {
				flags |= SCXE_KF_ERRATA_TRUNC;
				break;
			}
			a = &hdr->errata[n++];
			snprintf(a->id, sizeof(a->id), "%s", it->entry->id);
			a->type_mask = it->type_mask;
			a->class = it->entry->class;
			a->management = it->entry->management;
			a->source = it->source;
			a->db_index = it->entry->line;
		}
		if (k->truncated)
			flags |= SCXE_KF_ERRATA_TRUNC;
	}
	hdr->nr_types = nr_types;
	hdr->nr_errata = n;
	hdr->knowledge_flags = flags;
}

const char *knowledge_source_name(int source)
{
	return source == SCXE_SRC_CPU_TYPE ? "cpu-type" : source == SCXE_SRC_DEVICETREE ? "devicetree" :
	       source == SCXE_SRC_ACPI ? "acpi" : "unknown";
}

int host_view_load(struct host_view *v, const char *root, const char *cpu_types,
		   const char *db_path, char *err, size_t errlen)
{
	if (host_read(&v->host, root, err, errlen))
		return -1;
	if (cpu_types && host_apply_cpu_types(&v->host, cpu_types, err, errlen))
		return -1;
	if (db_path ? errata_db_load(&v->db, db_path, err, errlen) :
		      errata_db_load_builtin(&v->db, err, errlen))
		return -1;
	return knowledge_build(&v->host, &v->db, &v->k);
}
