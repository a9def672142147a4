// SPDX-License-Identifier: GPL-2.0
/*
 * The host readers (sysfs, procfs, devicetree, ACPI GTDT) on a tree the input describes:
 * each input is decoded into a small machine under a private scratch directory, then
 * host_read, an optional --cpu-types SPEC, knowledge_build against the built-in database
 * or one the input carries, knowledge_to_abi and, when asked, the whole
 * `scx_errata info [--json] --host-root TREE [--cpu-types SPEC] [--errata-db FILE]` run on
 * it. The tree is removed after each input.
 *
 * Encoding (tests/fuzz/seed.sh writes the fixture trees in it):
 *
 *   input  := flags record*
 *   flags  := bit 0: also run `info`, bit 1: ... with --json
 *   record := op arg* len content[len]
 *   op     := kind (low 5 bits, modulo the number of kinds) | 0x20 append instead of
 *             replace | 0x40 make a directory there instead of a file | 0x80 a FIFO
 *             (no writer: a reader that opens it blocking hangs, which libFuzzer reports)
 *   arg    := one byte each: a cpu number (0-255), a cache index (modulo 18), a devicetree
 *             node (modulo the node table)
 *
 * A devicetree property record (kind 17) takes its file name from the content and writes an
 * empty file; kinds 19 and 20 are not files: their content is the --cpu-types SPEC and the
 * errata database text (appended to with 0x20, so either can be longer than one record);
 * every other record writes the content. A truncated record ends the input.
 */
#include "fuzz.h"
#include "errata_db.h"
#include "host.h"
#include "info.h"
#include "knowledge.h"
#include "log.h"

enum arg { A_NONE, A_CPU, A_CACHE, A_NODE, A_PROP, A_SPEC, A_DB };

static const struct kind {
	const char *fmt;
	enum arg arg;
} kinds[] = {
	{ "sys/devices/system/cpu/possible", A_NONE },				/* 0 */
	{ "sys/devices/system/cpu/online", A_NONE },
	{ "sys/devices/system/cpu/cpu%u/cpu_capacity", A_CPU },
	{ "sys/devices/system/cpu/cpu%u/topology/physical_package_id", A_CPU },
	{ "sys/devices/system/cpu/cpu%u/topology/die_id", A_CPU },
	{ "sys/devices/system/cpu/cpu%u/topology/cluster_id", A_CPU },		/* 5 */
	{ "sys/devices/system/cpu/cpu%u/topology/core_id", A_CPU },
	{ "sys/devices/system/cpu/cpu%u/regs/identification/midr_el1", A_CPU },
	{ "sys/devices/system/cpu/cpu%u/regs/identification/revidr_el1", A_CPU },
	{ "sys/devices/system/cpu/cpu%u/cache/index%u/type", A_CACHE },
	{ "sys/devices/system/cpu/cpu%u/cache/index%u/level", A_CACHE },	/* 10 */
	{ "sys/devices/system/cpu/cpu%u/cache/index%u/shared_cpu_list", A_CACHE },
	{ "proc/cpuinfo", A_NONE },
	{ "sys/devices/cpu_core/cpus", A_NONE },
	{ "sys/devices/cpu_atom/cpus", A_NONE },
	{ "sys/firmware/acpi/tables/GTDT", A_NONE },				/* 15 */
	{ "sys/firmware/devicetree/base/%s/compatible", A_NODE },
	{ "sys/firmware/devicetree/base/%s/%s", A_PROP },
	{ "sys/firmware/devicetree/base/%s", A_NODE },
	{ "--cpu-types", A_SPEC },
	{ "--errata-db", A_DB },						/* 20 */
};
#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* where an arch timer node may be: found (depth <= 3, timer or timer@...) or not */
static const char *const nodes[] = {
	"timer", "timer@0", "soc/timer", "soc/timer@1c20c00", "a/b/timer", "a/b/c/timer",
	"a/b/c/d/timer", "timerx", "timer@", "cpus/timer",
};
#define NR_NODES (sizeof(nodes) / sizeof(nodes[0]))

static struct host h;
static struct errata_db builtin, db;
static struct host_knowledge k;
static struct scxe_shm_hdr abi;
static char root[PATH_MAX], db_path[PATH_MAX + 16];
/* the input's --cpu-types SPEC and errata database text, "" when it has none */
static char spec[4096], dbtext[1 << 16];
static size_t spec_len, dbtext_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	/* info prints its table or JSON; only the code's behaviour matters here */
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		fuzz_die("cannot point stdout at /dev/null");
	close(null);
	log_quiet_warn = true;
	if (errata_db_load_builtin(&builtin, err, sizeof(err)))
		fuzz_die("built-in database: %s", err);
	snprintf(root, sizeof(root), "%s/t", fuzz_scratch("host_tree"));
	snprintf(db_path, sizeof(db_path), "%s/errata.db", fuzz_scratch("host_tree"));
	return 0;
}

/* a devicetree property name from the content: one path component, never . or .. */
static void prop_name(const uint8_t *s, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] == '/' || s[i] == '\0' ? '_' : (char)s[i];
	out[n] = '\0';
	if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
		strcpy(out, "_");
}

/* Decode the records into files under root. */
static bool build_tree(const uint8_t *d, size_t size, int *flags)
{
	size_t i = 0;

	if (mkdir(root, 0755))
		return false;
	spec_len = dbtext_len = 0;
	if (size)
		*flags = d[i++];
	while (i < size) {
		const struct kind *kd = &kinds[(d[i] & 0x1f) % NR_KINDS];
		bool append = d[i] & 0x20, dir = d[i] & 0x40, fifo = d[i] & 0x80;
		unsigned int cpu = 0, idx = 0, node = 0;
		char rel[PATH_MAX], path[PATH_MAX * 2], name[256];
		size_t len;

		i++;
		if (kd->arg != A_NONE && kd->arg != A_SPEC && kd->arg != A_DB) {
			if (i >= size)
				break;
			if (kd->arg == A_CPU || kd->arg == A_CACHE)
				cpu = d[i++];
			else
				node = d[i++] % NR_NODES;
		}
		if (kd->arg == A_CACHE) {
			if (i >= size)
				break;
			idx = d[i++] % 18;
		}
		if (i >= size)
			break;
		len = d[i++];
		if (len > size - i)
			len = size - i;
		switch (kd->arg) {
		case A_NONE:
			snprintf(rel, sizeof(rel), "%s", kd->fmt);
			break;
		case A_CPU:
		case A_CACHE:
			snprintf(rel, sizeof(rel), kd->fmt, cpu, idx);
			break;
		case A_NODE:
			snprintf(rel, sizeof(rel), kd->fmt, nodes[node]);
			break;
		case A_PROP:
			prop_name(d + i, len, name);
			snprintf(rel, sizeof(rel), kd->fmt, nodes[node], name);
			break;
		case A_SPEC:
		case A_DB: {
			char *buf = kd->arg == A_SPEC ? spec : dbtext;
			size_t *n = kd->arg == A_SPEC ? &spec_len : &dbtext_len;
			size_t max = kd->arg == A_SPEC ? sizeof(spec) : sizeof(dbtext);

			if (!append)
				*n = 0;
			if (*n + len < max) {
				memcpy(buf + *n, d + i, len);
				*n += len;
			}
			buf[*n] = '\0';
			i += len;
			continue;
		}
		}
		snprintf(path, sizeof(path), "%s/%s", root, rel);
		/* the parent directories only when missing: mkdir -p per record costs most */
		for (int try = 0; try < 2; try++) {
			if (fifo ? !mkfifo(path, 0644) || errno != ENOENT :
			    dir ? !mkdir(path, 0755) || errno != ENOENT :
			    fuzz_write(path, d + i, kd->arg == A_PROP ? 0 : len, append, 0644) ||
			    errno != ENOENT)
				break;
			if (try || !fuzz_mkdirs(path))
				break;
		}
		i += len;
	}
	return true;
}

static void check_host(void)
{
	int total = 0;

	if (h.nr_cpu_ids < 1 || h.nr_cpu_ids > (int)SCXE_MAX_CPUS ||
	    h.nr_cpu_ids != cpuset_last(&h.possible) + 1)
		fuzz_die("nr_cpu_ids %d for possible cpus up to %d", h.nr_cpu_ids,
			 cpuset_last(&h.possible));
	if (h.nr_types < 1 || h.nr_types > (int)SCXE_MAX_TYPES)
		fuzz_die("%d cpu types", h.nr_types);
	for (int t = 0; t < h.nr_types; t++) {
		if (strnlen(h.type[t].abi.name, sizeof(h.type[t].abi.name)) == sizeof(h.type[t].abi.name))
			fuzz_die("type %d has an unterminated name", t);
		total += h.type[t].abi.nr_cpus;
	}
	if (total != cpuset_count(&h.possible))
		fuzz_die("types hold %d cpus, %d are possible", total, cpuset_count(&h.possible));
	for (int c = 0; c < h.nr_cpu_ids; c++) {
		const struct host_cpu *hc = &h.cpu[c];

		if (hc->present != cpuset_test(&h.possible, c))
			fuzz_die("cpu %d present %d but possible %d", c, hc->present,
				 cpuset_test(&h.possible, c));
		if (!hc->present)
			continue;
		if (hc->type < 0 || hc->type >= h.nr_types || !cpuset_test(&h.type[hc->type].cpus, c))
			fuzz_die("cpu %d has type %d of %d", c, hc->type, h.nr_types);
		if (hc->capacity < 1 || hc->capacity > 1024)
			fuzz_die("cpu %d has capacity %u", c, hc->capacity);
	}
}

static void check_knowledge(void)
{
	__u32 all = (1u << h.nr_types) - 1;

	if (k.nr < 0 || k.nr > KNOWLEDGE_MAX)
		fuzz_die("%d knowledge items", k.nr);
	for (int i = 0; i < k.nr; i++)
		if (!k.item[i].type_mask || (k.item[i].type_mask & ~all))
			fuzz_die("erratum %s has type mask 0x%x with %d types", k.item[i].entry->id,
				 k.item[i].type_mask, h.nr_types);
	if (k.fw.nr_dt_props < 0 || k.fw.nr_dt_props > 64 || (k.fw.nr_dt_props && !k.fw.has_dt_timer))
		fuzz_die("%d timer properties", k.fw.nr_dt_props);
	if (k.dt_node[0] && strncmp(k.dt_node, root, strlen(root)))
		fuzz_die("timer node %s is outside the tree", k.dt_node);
	knowledge_to_abi(&k, &h, &abi);
	if (abi.nr_types != (__u32)h.nr_types || abi.nr_errata > SCXE_ABI_MAX_ERRATA)
		fuzz_die("header holds %u types, %u errata", abi.nr_types, abi.nr_errata);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	bool use_spec = false, use_db = false;
	int flags = 0;
	int fds = fuzz_fd_mark();

	fuzz_rm_tree(root);
	if (!build_tree(data, size, &flags))
		fuzz_die("cannot make %s: %s", root, strerror(errno));
	if (host_read(&h, root, err, sizeof(err))) {
		if (!err[0])
			fuzz_die("host_read failed without a reason");
		goto out;
	}
	check_host();
	if (spec_len) {
		use_spec = !host_apply_cpu_types(&h, spec, err, sizeof(err));
		if (use_spec)
			check_host();
	}
	if (dbtext_len)
		use_db = !errata_db_parse(&db, dbtext, "fuzz.db", err, sizeof(err));
	knowledge_build(&h, use_db ? &db : &builtin, &k);
	check_knowledge();
	/* info on what read fine, so that it prints nothing on stderr */
	if (flags & 1) {
		char *argv[10] = { "info", "--host-root", root };
		int argc = 3;

		if (flags & 2)
			argv[argc++] = "--json";
		if (use_spec) {
			argv[argc++] = "--cpu-types";
			argv[argc++] = spec;
		}
		/* the text up to a NUL byte: what errata_db_parse read */
		if (use_db && fuzz_write(db_path, dbtext, strlen(dbtext), false, 0644)) {
			argv[argc++] = "--errata-db";
			argv[argc++] = db_path;
		}
		if (info_main(argc, argv))
			fuzz_die("info failed on a tree, spec and database that read fine");
		fflush(stdout);
		unlink(db_path);
	}
out:
	fuzz_rm_tree(root);
	fuzz_fd_check(fds);
	return 0;
}
