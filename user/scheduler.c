// SPDX-License-Identifier: GPL-2.0
/* Loading, attaching and observing the BPF scheduler through its skeleton. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "scheduler.h"
#include "scx_errata.skel.h"

/* kernel enum scx_exit_kind / scx_exit_code values this file interprets */
#define EXIT_KIND_ERROR		1024
#define EXIT_KIND_UNREG		64
#define ECODE_ACT_RESTART	(1ull << 48)

struct sched {
	struct scx_errata *skel;
	struct bpf_link *link;
	bool want_pin;
	bool pinned;	/* maps are pinned now: unpin on destroy */
};

const char *const sched_stat_names[SCXE_NR_STATS] = {
	[SCXE_STAT_LOCAL]		= "local",
	[SCXE_STAT_SHARED]		= "shared",
	[SCXE_STAT_PINNED]		= "pinned",
	[SCXE_STAT_STEAL]		= "steal",
	[SCXE_STAT_FENCED]		= "fenced",
	[SCXE_STAT_FENCE_SWITCHOUT]	= "fence_switchouts",
	[SCXE_STAT_FORCED]		= "forced",
	[SCXE_STAT_EXPIRED]		= "expired",
	[SCXE_STAT_XTYPE_FREE]		= "xtype_free",
	[SCXE_STAT_RESCUE]		= "rescue",
};

static int read_sysfs_u64(const char *path, unsigned long long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%llu", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* sched_ext present and free: checked before loading so the error names the real cause. */
static int kernel_ready(void)
{
	char state[32] = "";
	FILE *f;

	f = fopen("/sys/kernel/sched_ext/state", "r");
	if (!f) {
		log_err("this kernel has no sched_ext (/sys/kernel/sched_ext/state missing); boot one with CONFIG_SCHED_CLASS_EXT=y");
		return -1;
	}
	if (fscanf(f, "%31s", state) != 1)
		state[0] = '\0';
	fclose(f);
	if (strcmp(state, "disabled")) {
		char name[128] = "?";

		f = fopen("/sys/kernel/sched_ext/root/ops", "r");
		if (f) {
			if (fscanf(f, "%127s", name) != 1)
				snprintf(name, sizeof(name), "?");
			fclose(f);
		}
		log_err("another sched_ext scheduler is %s (%s); stop it before starting scx_errata", state, name);
		return -1;
	}
	return 0;
}

struct sched *sched_open(const struct sched_cfg *cfg, const struct host *h)
{
	struct sched *s = calloc(1, sizeof(*s));
	unsigned long long hotplug_seq;

	if (!s) {
		log_err("out of memory");
		return NULL;
	}
	if (kernel_ready()) {
		free(s);
		return NULL;
	}
	s->skel = scx_errata__open();
	if (!s->skel) {
		log_err("cannot open the BPF object: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->skel->rodata->nr_cpus = h->nr_cpu_ids;
	s->skel->rodata->nr_types = h->nr_types;
	s->skel->rodata->slice_ns = cfg->slice_ns;
	s->skel->rodata->fence_mode = cfg->mode;
	s->skel->rodata->max_hold_ns = cfg->max_hold_ns;
	s->skel->rodata->inject_fault = cfg->inject_fault;
	/* a CPU hotplug between now and attach makes the kernel ask for a restart */
	if (!read_sysfs_u64("/sys/kernel/sched_ext/hotplug_seq", &hotplug_seq))
		s->skel->struct_ops.errata_ops->hotplug_seq = hotplug_seq;
	s->want_pin = cfg->pin;
	return s;
}

static int fill_maps(struct sched *s, const struct host *h, const struct scxe_shm_hdr *kn)
{
	for (int c = 0; c < h->nr_cpu_ids; c++) {
		const struct host_cpu *hc = &h->cpu[c];
		struct scxe_cpu_info ci = {
			.type = hc->present && hc->type >= 0 ? (__u32)hc->type : SCXE_NO_TYPE,
			.capacity = hc->capacity,
			.package = hc->package,
			.cluster = hc->cluster,
			.llc = hc->llc,
			.flags = (hc->present ? SCXE_CPU_PRESENT : 0) | (hc->online ? SCXE_CPU_ONLINE : 0),
			.midr = hc->midr,
			.revidr = hc->revidr,
		};
		__u32 key = c;

		/* a possible-but-absent CPU id still needs a valid type for the scheduler */
		if (ci.type == SCXE_NO_TYPE)
			ci.type = 0;
		if (bpf_map__update_elem(s->skel->maps.cpu_info, &key, sizeof(key), &ci, sizeof(ci), 0)) {
			log_err("cannot fill cpu_info for cpu %d: %s", c, strerror(errno));
			return -1;
		}
	}
	/* the same records the guests get, so bpftool and guests agree */
	for (__u32 t = 0; t < kn->nr_types && t < SCXE_MAX_TYPES; t++) {
		if (bpf_map__update_elem(s->skel->maps.types, &t, sizeof(t), &kn->types[t],
					 sizeof(kn->types[t]), 0)) {
			log_err("cannot fill types for type %u: %s", t, strerror(errno));
			return -1;
		}
	}
	for (__u32 i = 0; i < kn->nr_errata && i < SCXE_ABI_MAX_ERRATA; i++) {
		if (bpf_map__update_elem(s->skel->maps.errata, &i, sizeof(i), &kn->errata[i],
					 sizeof(kn->errata[i]), 0)) {
			log_err("cannot fill errata entry %u: %s", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static void unpin_all(struct sched *s)
{
	struct bpf_map *m;
	char path[256];

	/* every map name of the object, so a directory left by a crashed run is cleaned fully */
	bpf_object__for_each_map(m, s->skel->obj) {
		snprintf(path, sizeof(path), "%s/%s", SCXE_PIN_DIR, bpf_map__name(m));
		unlink(path);
	}
	rmdir(SCXE_PIN_DIR);
}

static int pin_maps(struct sched *s)
{
	struct bpf_map *maps[] = {
		s->skel->maps.cpu_info, s->skel->maps.types, s->skel->maps.errata,
		s->skel->maps.stats, s->skel->maps.vcpus,
	};
	char path[256];

	unpin_all(s);
	if (mkdir(SCXE_PIN_DIR, 0700) && errno != EEXIST) {
		log_warn("cannot create %s (%s); maps are not pinned (is bpffs mounted on /sys/fs/bpf?)",
			 SCXE_PIN_DIR, strerror(errno));
		return 0;
	}
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", SCXE_PIN_DIR, bpf_map__name(maps[i]));
		if (bpf_map__pin(maps[i], path)) {
			log_warn("cannot pin %s: %s; maps stay unpinned", path, strerror(errno));
			unpin_all(s);
			return 0;
		}
	}
	s->pinned = true;
	return 0;
}

int sched_load(struct sched *s, const struct host *h, const struct scxe_shm_hdr *knowledge)
{
	int err = scx_errata__load(s->skel);

	if (err) {
		log_err("cannot load the BPF scheduler: %s (run with -v for the verifier log)", strerror(-err));
		return -1;
	}
	if (fill_maps(s, h, knowledge))
		return -1;
	if (s->want_pin && pin_maps(s))
		return -1;
	return 0;
}

int sched_attach(struct sched *s)
{
	s->link = bpf_map__attach_struct_ops(s->skel->maps.errata_ops);
	if (!s->link) {
		log_err("cannot attach the scheduler: %s (see dmesg; another scheduler may have raced us)",
			strerror(errno));
		return -1;
	}
	return 0;
}

void sched_detach(struct sched *s)
{
	if (!s || !s->link)
		return;
	bpf_link__destroy(s->link);
	s->link = NULL;
	/* unregistering runs ops.exit from a kernel work item: give it a moment to land */
	for (int i = 0; i < 100 && !sched_exited(s); i++)
		usleep(10000);
}

void sched_destroy(struct sched *s)
{
	if (!s)
		return;
	sched_detach(s);
	if (s->pinned)
		unpin_all(s);
	scx_errata__destroy(s->skel);
	free(s);
}

int sched_read_stats(struct sched *s, __u64 out[SCXE_NR_STATS])
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals;

	if (ncpu <= 0)
		return -1;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	for (__u32 i = 0; i < SCXE_NR_STATS; i++) {
		out[i] = 0;
		if (bpf_map__lookup_elem(s->skel->maps.stats, &i, sizeof(i), vals,
					 ncpu * sizeof(*vals), 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

bool sched_exited(struct sched *s)
{
	return *(volatile __s32 *)&s->skel->bss->exit_info.kind != 0;
}

bool sched_wants_restart(struct sched *s)
{
	return sched_exited(s) && (s->skel->bss->exit_info.exit_code & ECODE_ACT_RESTART);
}

int sched_report_exit(struct sched *s)
{
	const struct scxe_exit_info *ei = &s->skel->bss->exit_info;

	if (!ei->kind)
		return 0;
	if (ei->msg[0])
		fprintf(stderr, "EXIT: %s (%s)\n", ei->reason, ei->msg);
	else
		fprintf(stderr, "EXIT: %s\n", ei->reason);
	if (ei->kind >= EXIT_KIND_ERROR) {
		fprintf(stderr, "scx_errata: the kernel ejected the scheduler (exit kind %d); see dmesg for the dump\n",
			ei->kind);
		return 2;
	}
	return 0;
}

int sched_vcpus_fd(struct sched *s)
{
	return bpf_map__fd(s->skel->maps.vcpus);
}
