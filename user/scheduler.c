// SPDX-License-Identifier: GPL-2.0
/*
 * Loading, attaching, pinning, adopting and stopping the BPF scheduler. A loaded scheduler
 * is driven through its skeleton; an adopted one (pinned by an earlier daemon) through the
 * pinned objects alone, so both end up as the same few fds and the mapped .bss.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "scheduler.h"
#include "scx_errata.skel.h"

#define BPF_FS_MAGIC_NR		0xcafe4a11	/* linux/magic.h BPF_FS_MAGIC */

/* kernel enum scx_exit_kind / scx_exit_code values this file interprets */
#define EXIT_KIND_ERROR		1024
#define ECODE_ACT_RESTART	(1ull << 48)

/* the pinned maps and links, by their names under SCXE_PIN_DIR */
enum {
	M_CPU_INFO, M_TYPES, M_ERRATA, M_STATS, M_VCPUS, M_REGISTRY, M_VMS, M_EVENTS, M_BSS,
	M_RODATA, M_VCPU_STATS, NR_MAPS
};
static const char *const map_pin[NR_MAPS] = {
	"cpu_info", "types", "errata", "stats", "vcpus", "registry", "vms", "vcpu_events", "bss",
	"rodata", "vcpu_stats",
};
enum { L_OPS, L_CLAIM_EXIT, L_DISABLE_WORK, L_TASK_EXIT, L_KVM_RUN, NR_LINKS };
static const char *const link_pin[NR_LINKS] = {
	"link", "hook_claim_exit", "hook_disable_work", "hook_task_exit", "hook_kvm_run",
};

struct sched {
	struct scx_errata *skel;	/* NULL when adopted */
	struct bpf_link *link[NR_LINKS];	/* loaded: what we attached */
	int	map_fd[NR_MAPS];
	int	link_fd[NR_LINKS];	/* adopted: from the pins; loaded: the links' fds */
	struct scx_errata__bss *bss;	/* the skeleton's, or our mapping of the pinned map */
	size_t	bss_len;		/* our mapping's length; 0 for the skeleton's */
	__u32	domain[SCXE_MAX_CPUS];	/* loaded: each CPU's shared queue (host_domains) */
	bool	pinned;			/* everything is pinned now */
	bool	done;			/* stopped or released */
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
	[SCXE_STAT_WINDOWS]		= "windows",
	[SCXE_STAT_BUDGET]		= "budget_releases",
	[SCXE_STAT_PREEMPT]		= "preempt",
	[SCXE_STAT_SYNC_IDLE]		= "sync_idle",
};

const char *const sched_off_names[SCXE_NR_OFF] = {
	[SCXE_OFF_NONE]		= "none",
	[SCXE_OFF_LOADER_EXIT]	= "loader-exit",
	[SCXE_OFF_CLAIM_EXIT]	= "kernel-disable",
	[SCXE_OFF_DISABLE_WORK]	= "disable-work",
	[SCXE_OFF_DUMP]		= "error-dump",
	[SCXE_OFF_EXIT]		= "ops-exit",
	[SCXE_OFF_DAEMON]	= "stop",
};

static struct sched *sched_new(void)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (!s) {
		log_err("out of memory");
		return NULL;
	}
	for (int i = 0; i < NR_MAPS; i++)
		s->map_fd[i] = -1;
	for (int i = 0; i < NR_LINKS; i++)
		s->link_fd[i] = -1;
	return s;
}

static int read_sysfs_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Another process named scx_errata (an unpinned daemon), or 0. */
static pid_t other_scx_errata(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t found = 0;

	while (d && !found && (de = readdir(d))) {
		char path[300], comm[32] = "";
		pid_t pid = atoi(de->d_name);

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (!read_sysfs_str(path, comm, sizeof(comm)) && !strcmp(comm, "scx_errata"))
			found = pid;
	}
	if (d)
		closedir(d);
	return found;
}

int sched_pin_dir_check(char *err, size_t errlen)
{
	struct stat st;

	if (lstat(SCXE_PIN_DIR, &st))
		return 0;	/* made by pin_all, mode 0700 */
	if (S_ISDIR(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077))
		return 0;
	snprintf(err, errlen, "%s is not a directory of root's with mode 0700 (uid %u, mode %04o); something else made it: remove it (rm -r %s) and retry",
		 SCXE_PIN_DIR, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777), SCXE_PIN_DIR);
	return -1;
}

/*
 * What loading needs of the kernel, checked before anything is changed so that the error
 * names the real cause: sched_ext, BTF, no other scheduler, bpffs (when pinning) and a pin
 * directory nobody else made.
 */
static int kernel_ready(bool pin)
{
	char state[32], name[128] = "?", err[512];
	struct statfs fs;
	pid_t other;

	if (read_sysfs_str("/sys/kernel/sched_ext/state", state, sizeof(state))) {
		log_err("this kernel has no sched_ext (/sys/kernel/sched_ext/state missing); boot one with CONFIG_SCHED_CLASS_EXT=y");
		return -1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		log_err("this kernel has no BTF (/sys/kernel/btf/vmlinux: %s); boot one with CONFIG_DEBUG_INFO_BTF=y",
			strerror(errno));
		return -1;
	}
	if (strcmp(state, "disabled")) {
		read_sysfs_str("/sys/kernel/sched_ext/root/ops", name, sizeof(name));
		other = strcmp(name, "errata") ? 0 : other_scx_errata();
		if (other)
			log_err("another scx_errata (pid %d) runs sched_ext scheduler '%s' without pins (--no-pin); stop it with 'kill -INT %d'",
				other, name, other);
		else
			log_err("sched_ext is %s with another scheduler, '%s'; stop its loader (or 'echo S > /proc/sysrq-trigger' ends any) and retry",
				state, name);
		return -1;
	}
	if (pin && (statfs("/sys/fs/bpf", &fs) || (unsigned long)fs.f_type != BPF_FS_MAGIC_NR)) {
		log_err("bpffs is not mounted on /sys/fs/bpf, where the scheduler is pinned; 'mount -t bpf bpf /sys/fs/bpf', or run with --no-pin");
		return -1;
	}
	if (pin && sched_pin_dir_check(err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	return 0;
}

/* A hook whose kernel function this kernel lacks is left out: the later hooks cover it. */
static void autoload_if_present(struct bpf_program *prog, const char *func, const struct btf *vmlinux)
{
	if (vmlinux && btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) >= 0)
		return;
	log_verbose("this kernel has no %s(); its disarm hook is left out", func);
	bpf_program__set_autoload(prog, false);
}

struct sched *sched_open(const struct sched_cfg *cfg, const struct host *h)
{
	struct sched *s;
	struct btf *vmlinux;
	char seq[32];

	if (kernel_ready(cfg->pin))
		return NULL;
	s = sched_new();
	if (!s)
		return NULL;
	s->skel = scx_errata__open();
	if (!s->skel) {
		log_err("cannot open the BPF object: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->skel->rodata->nr_cpus = h->nr_cpu_ids;
	s->skel->rodata->nr_types = h->nr_types;
	s->skel->rodata->nr_domains = host_domains(h, s->domain, (__u32 *)s->skel->rodata->domain_type);
	s->skel->rodata->slice_ns = cfg->slice_ns;
	s->skel->rodata->fence_mode = cfg->mode;
	s->skel->rodata->max_hold_ns = cfg->max_hold_ns;
	s->skel->rodata->hold_budget_pct = cfg->hold_budget_pct;
	s->skel->rodata->inject_fault = cfg->inject_fault;
	s->skel->bss->daemon_enforce = cfg->enforce;
	/* a CPU hotplug between now and attach makes the kernel ask for a restart */
	if (!read_sysfs_str("/sys/kernel/sched_ext/hotplug_seq", seq, sizeof(seq)))
		s->skel->struct_ops.errata_ops->hotplug_seq = strtoull(seq, NULL, 10);
	vmlinux = btf__load_vmlinux_btf();
	autoload_if_present(s->skel->progs.errata_claim_exit, "scx_claim_exit", vmlinux);
	autoload_if_present(s->skel->progs.errata_disable_work, "scx_disable_workfn", vmlinux);
	/* KVM built in, or its module loaded: libbpf finds the function in either BTF */
	if (access("/sys/kernel/btf/kvm", F_OK))
		autoload_if_present(s->skel->progs.errata_kvm_run, "kvm_arch_vcpu_ioctl_run", vmlinux);
	btf__free(vmlinux);
	s->pinned = cfg->pin;	/* a wish until sched_attach pins */
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
			.domain = s->domain[c],
		};
		__u32 key = c;

		/* a possible-but-absent CPU id still needs a valid type for the scheduler */
		if (ci.type == SCXE_NO_TYPE)
			ci.type = 0;
		if (bpf_map_update_elem(s->map_fd[M_CPU_INFO], &key, &ci, 0)) {
			log_err("cannot fill cpu_info for cpu %d: %s", c, strerror(errno));
			return -1;
		}
	}
	/* the same records the guests get, so bpftool and guests agree */
	for (__u32 t = 0; t < kn->nr_types && t < SCXE_MAX_TYPES; t++) {
		if (bpf_map_update_elem(s->map_fd[M_TYPES], &t, &kn->types[t], 0)) {
			log_err("cannot fill types for type %u: %s", t, strerror(errno));
			return -1;
		}
	}
	for (__u32 i = 0; i < kn->nr_errata && i < SCXE_ABI_MAX_ERRATA; i++) {
		if (bpf_map_update_elem(s->map_fd[M_ERRATA], &i, &kn->errata[i], 0)) {
			log_err("cannot fill errata entry %u: %s", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int sched_load(struct sched *s, const struct host *h, const struct scxe_shm_hdr *knowledge)
{
	struct bpf_map *maps[NR_MAPS] = {
		s->skel->maps.cpu_info, s->skel->maps.types, s->skel->maps.errata,
		s->skel->maps.stats, s->skel->maps.vcpus, s->skel->maps.registry,
		s->skel->maps.vms, s->skel->maps.vcpu_events, s->skel->maps.bss,
		s->skel->maps.rodata, s->skel->maps.vcpu_stats,
	};
	int err = scx_errata__load(s->skel);

	if (err) {
		log_err("cannot load the BPF scheduler: %s (run with -v for the verifier log)", strerror(-err));
		return -1;
	}
	for (int i = 0; i < NR_MAPS; i++)
		s->map_fd[i] = bpf_map__fd(maps[i]);
	s->bss = s->skel->bss;
	return fill_maps(s, h, knowledge);
}

static void pin_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", SCXE_PIN_DIR, name);
}

void sched_unpin(void)
{
	DIR *d = opendir(SCXE_PIN_DIR);
	struct dirent *de;
	char path[512];

	/* every entry, so a directory left by another version is cleaned fully */
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", SCXE_PIN_DIR, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(SCXE_PIN_DIR);
}

/* Pin every map and link; on failure nothing stays pinned and the caller runs unpinned. */
static int pin_all(struct sched *s)
{
	char path[512];

	sched_unpin();
	if (mkdir(SCXE_PIN_DIR, 0700) && errno != EEXIST) {
		log_warn("cannot create %s (%s); nothing is pinned (is bpffs mounted on /sys/fs/bpf?)",
			 SCXE_PIN_DIR, strerror(errno));
		return -1;
	}
	/* made by someone else since kernel_ready looked: its owner could remove our pins */
	if (sched_pin_dir_check(path, sizeof(path))) {
		log_warn("%s; nothing is pinned, the scheduler ends with this process", path);
		return -1;
	}
	for (int i = 0; i < NR_MAPS; i++) {
		pin_path(path, sizeof(path), map_pin[i]);
		if (bpf_obj_pin(s->map_fd[i], path))
			goto fail;
	}
	for (int i = 0; i < NR_LINKS; i++) {
		if (!s->link[i])
			continue;
		pin_path(path, sizeof(path), link_pin[i]);
		if (bpf_link__pin(s->link[i], path))
			goto fail;
	}
	return 0;
fail:
	log_warn("cannot pin %s: %s; nothing is pinned, the scheduler ends with this process",
		 path, strerror(errno));
	sched_unpin();
	return -1;
}

static struct bpf_link *attach_hook(struct bpf_program *prog, const char *what)
{
	struct bpf_link *l;

	if (!bpf_program__autoload(prog))
		return NULL;
	l = bpf_program__attach(prog);
	if (!l)
		log_warn("cannot attach the disarm hook on %s (%s); slots are disarmed by a later hook",
			 what, strerror(errno));
	return l;
}

int sched_attach(struct sched *s)
{
	/* the hooks first: a scheduler that stops must find them in place */
	s->link[L_TASK_EXIT] = bpf_program__attach(s->skel->progs.errata_task_exit);
	if (!s->link[L_TASK_EXIT]) {
		log_err("cannot attach the thread-exit hook (tp_btf/sched_process_exit): %s", strerror(errno));
		return -1;
	}
	s->link[L_CLAIM_EXIT] = attach_hook(s->skel->progs.errata_claim_exit, "scx_claim_exit");
	s->link[L_DISABLE_WORK] = attach_hook(s->skel->progs.errata_disable_work, "scx_disable_workfn");
	if (bpf_program__autoload(s->skel->progs.errata_kvm_run)) {
		s->link[L_KVM_RUN] = bpf_program__attach(s->skel->progs.errata_kvm_run);
		if (!s->link[L_KVM_RUN])
			log_warn("cannot watch KVM_RUN (%s); vCPU threads are found by QMP and thread names only",
				 strerror(errno));
	} else {
		log_info("KVM is not loaded; vCPU threads are found by QMP and thread names only");
	}
	s->link[L_OPS] = bpf_map__attach_struct_ops(s->skel->maps.errata_ops);
	if (!s->link[L_OPS]) {
		log_err("cannot attach the scheduler: %s (see dmesg; another scheduler may have raced us)",
			strerror(errno));
		return -1;
	}
	for (int i = 0; i < NR_LINKS; i++)
		s->link_fd[i] = s->link[i] ? bpf_link__fd(s->link[i]) : -1;
	if (s->pinned && pin_all(s))
		s->pinned = false;
	/* unpinned, the scheduler dies with us: our own exit must end the fence */
	s->bss->watch_tgid = s->pinned ? 0 : getpid();
	return 0;
}

static int open_pin(const char *name)
{
	char path[512];

	pin_path(path, sizeof(path), name);
	return bpf_obj_get(path);
}

static bool exit_ran(const struct scx_errata__bss *bss)
{
	return *(volatile __s32 *)&bss->exit_info.kind != 0;
}

/* Map the pinned .bss (an mmapable array of one value); NULL when it is not ours. */
static struct scx_errata__bss *map_bss(int fd, size_t *len)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	if (bpf_map_get_info_by_fd(fd, &info, &ilen) ||
	    info.value_size != sizeof(struct scx_errata__bss))
		return NULL;
	*len = (info.value_size + page - 1) / page * page;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void close_fds(struct sched *s)
{
	for (int i = 0; i < NR_MAPS; i++)
		if (s->map_fd[i] >= 0 && !s->skel)
			close(s->map_fd[i]);
	for (int i = 0; i < NR_LINKS; i++)
		if (s->link_fd[i] >= 0 && !s->link[i])
			close(s->link_fd[i]);
	if (s->bss_len)
		munmap(s->bss, s->bss_len);
	for (int i = 0; i < NR_MAPS; i++)
		s->map_fd[i] = -1;
	for (int i = 0; i < NR_LINKS; i++)
		s->link_fd[i] = -1;
	s->bss = NULL;
	s->bss_len = 0;
}

enum sched_pinned sched_pinned_state(void)
{
	struct scx_errata__bss *bss;
	char state[32] = "", ops[64] = "";
	enum sched_pinned ret = SCHED_PIN_STALE;
	size_t len;
	int link, fd;

	if (access(SCXE_PIN_DIR, F_OK))
		return SCHED_PIN_NONE;
	link = open_pin(link_pin[L_OPS]);
	fd = open_pin(map_pin[M_BSS]);
	bss = fd >= 0 ? map_bss(fd, &len) : NULL;
	read_sysfs_str("/sys/kernel/sched_ext/state", state, sizeof(state));
	read_sysfs_str("/sys/kernel/sched_ext/root/ops", ops, sizeof(ops));
	/* ours and attached: its link is pinned and its ops.exit has not run */
	if (link >= 0 && bss && !exit_ran(bss) && !strcmp(state, "enabled") && !strcmp(ops, "errata"))
		ret = SCHED_PIN_LIVE;
	if (bss)
		munmap(bss, len);
	if (fd >= 0)
		close(fd);
	if (link >= 0)
		close(link);
	return ret;
}

struct sched *sched_adopt(struct sched_cfg *cfg)
{
	struct scx_errata__rodata ro;
	struct sched *s = sched_new();
	__u32 zero = 0;

	if (!s)
		return NULL;
	for (int i = 0; i < NR_MAPS; i++) {
		s->map_fd[i] = open_pin(map_pin[i]);
		if (s->map_fd[i] < 0) {
			log_err("cannot open the pinned map %s/%s: %s; run 'scx_errata stop' to clear the pins",
				SCXE_PIN_DIR, map_pin[i], strerror(errno));
			goto fail;
		}
	}
	for (int i = 0; i < NR_LINKS; i++)
		s->link_fd[i] = open_pin(link_pin[i]);
	s->bss = map_bss(s->map_fd[M_BSS], &s->bss_len);
	if (!s->bss || bpf_map_lookup_elem(s->map_fd[M_RODATA], &zero, &ro)) {
		log_err("the scheduler pinned under %s comes from another scx_errata build; run 'scx_errata stop' first",
			SCXE_PIN_DIR);
		goto fail;
	}
	s->pinned = true;
	*cfg = (struct sched_cfg){
		.slice_ns = ro.slice_ns,
		.mode = ro.fence_mode,
		.max_hold_ns = ro.max_hold_ns,
		.hold_budget_pct = ro.hold_budget_pct,
		.inject_fault = ro.inject_fault,
		.pin = true,
		.enforce = s->bss->daemon_enforce,
	};
	return s;
fail:
	close_fds(s);
	free(s);
	return NULL;
}

int sched_same_knowledge(struct sched *s, const struct host *h, const struct scxe_shm_hdr *kn,
			 char *err, size_t errlen)
{
	struct scxe_cpu_info ci;
	struct scxe_abi_type t;
	struct scxe_abi_erratum e;

	for (__u32 c = 0; c < (__u32)h->nr_cpu_ids; c++) {
		int want = h->cpu[c].present && h->cpu[c].type >= 0 ? h->cpu[c].type : 0;

		if (bpf_map_lookup_elem(s->map_fd[M_CPU_INFO], &c, &ci) || ci.type != (__u32)want) {
			snprintf(err, errlen, "cpu %u has type %u in the running scheduler, %d now (--cpu-types?)",
				 c, ci.type, want);
			return -1;
		}
	}
	for (__u32 i = 0; i < SCXE_MAX_TYPES; i++) {
		if (bpf_map_lookup_elem(s->map_fd[M_TYPES], &i, &t) || memcmp(&t, &kn->types[i], sizeof(t))) {
			snprintf(err, errlen, "CPU type %u differs from the running scheduler's (--cpu-types?)", i);
			return -1;
		}
	}
	for (__u32 i = 0; i < SCXE_ABI_MAX_ERRATA; i++) {
		if (bpf_map_lookup_elem(s->map_fd[M_ERRATA], &i, &e) || memcmp(&e, &kn->errata[i], sizeof(e))) {
			snprintf(err, errlen, "the errata table differs from the running scheduler's (--errata-db?)");
			return -1;
		}
	}
	return 0;
}

void sched_set_daemon(struct sched *s, pid_t pid)
{
	s->bss->daemon_pid = pid;
}

pid_t sched_daemon(struct sched *s)
{
	return s->bss->daemon_pid;
}

pid_t sched_daemon_alive(struct sched *s)
{
	pid_t pid = s->bss->daemon_pid;
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0 || pid == getpid())
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	/* a recycled pid is not our daemon */
	return strncmp(comm, "scx_errata", 10) ? 0 : pid;
}

const struct scxe_exit_info *sched_exit_info(struct sched *s)
{
	return &s->bss->exit_info;
}

int sched_read_vm(struct sched *s, __u32 id, struct scxe_vm_rec *rec)
{
	if (bpf_map_lookup_elem(s->map_fd[M_VMS], &id, rec) || !rec->pid)
		return -1;
	rec->path[sizeof(rec->path) - 1] = '\0';
	return 0;
}

int sched_read_reg(struct sched *s, __u32 idx, struct scxe_reg *r)
{
	if (bpf_map_lookup_elem(s->map_fd[M_REGISTRY], &idx, r) || !r->tid)
		return -1;
	return 0;
}

int sched_read_vcpu_stats(struct sched *s, __u32 idx, const struct scxe_reg *r,
			  struct scxe_vcpu_stats *st)
{
	/* BPF resets an entry at its thread's first run: until then it is the previous one's */
	if (bpf_map_lookup_elem(s->map_fd[M_VCPU_STATS], &idx, st) || st->tid != r->tid) {
		*st = (struct scxe_vcpu_stats){ .tid = r->tid, .cur_cpu = SCXE_ABI_TYPE_NONE,
						.cur_type = SCXE_ABI_TYPE_NONE };
		return -1;
	}
	return 0;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void sched_end_fence(struct sched *s)
{
	/* pairs with publish_armed(): a fully ordered store, then the caller clears the slots */
	if (s && s->bss && !__atomic_exchange_n(&s->bss->fence_off, 1, __ATOMIC_SEQ_CST)) {
		s->bss->fence_off_ns = mono_ns();
		s->bss->fence_off_why = SCXE_OFF_DAEMON;
	}
}

void sched_stop(struct sched *s)
{
	if (!s || s->done || !s->bss)
		return;
	sched_end_fence(s);
	if (s->pinned)
		sched_unpin();
	s->bss->daemon_pid = 0;
	/* detach even if another process still holds the link */
	if (s->link_fd[L_OPS] >= 0 && bpf_link_detach(s->link_fd[L_OPS]) && errno != ENOENT && errno != EINVAL)
		log_warn("cannot detach the scheduler's link: %s", strerror(errno));
	/* unregistering runs ops.exit from a kernel work item: give it a moment to land */
	for (int i = 0; i < 200 && !exit_ran(s->bss); i++)
		usleep(10000);
	s->done = true;
}

void sched_release(struct sched *s)
{
	if (!s || s->done)
		return;
	if (s->bss && s->bss->daemon_pid == (__u32)getpid())
		s->bss->daemon_pid = 0;
	for (int i = 0; i < NR_LINKS; i++)
		if (s->link[i])
			bpf_link__disconnect(s->link[i]);
	s->done = true;
}

void sched_destroy(struct sched *s)
{
	if (!s)
		return;
	sched_stop(s);
	if (s->skel) {
		for (int i = 0; i < NR_LINKS; i++)
			bpf_link__destroy(s->link[i]);
		scx_errata__destroy(s->skel);
	} else {
		close_fds(s);
	}
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
		if (bpf_map_lookup_elem(s->map_fd[M_STATS], &i, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

bool sched_exited(struct sched *s)
{
	return exit_ran(s->bss);
}

bool sched_wants_restart(struct sched *s)
{
	return sched_exited(s) && (s->bss->exit_info.exit_code & ECODE_ACT_RESTART);
}

int sched_report_exit(struct sched *s)
{
	const struct scxe_exit_info *ei = &s->bss->exit_info;

	if (!ei->kind)
		return 0;
	if (ei->msg[0])
		fprintf(stderr, "EXIT: %s (%s)\n", ei->reason, ei->msg);
	else
		fprintf(stderr, "EXIT: %s\n", ei->reason);
	if (ei->kind < EXIT_KIND_ERROR)
		return 0;
	if (s->bss->exit_dump[0]) {
		/* the kernel's own dump, our fence lines among it, as the kernel wrote it */
		s->bss->exit_dump[sizeof(s->bss->exit_dump) - 1] = '\0';
		fprintf(stderr, "DUMP:\n%s%s", s->bss->exit_dump,
			s->bss->exit_dump[strlen(s->bss->exit_dump) - 1] == '\n' ? "" : "\n");
	}
	fprintf(stderr, "scx_errata: the kernel ejected the scheduler (exit kind %d); every slot was disarmed (%s)\n",
		ei->kind, sched_off_names[s->bss->fence_off_why < SCXE_NR_OFF ? s->bss->fence_off_why : 0]);
	return 2;
}

__u32 sched_fence_off(struct sched *s, __u64 *when_ns)
{
	if (!s->bss->fence_off)
		return SCXE_OFF_NONE;
	if (when_ns)
		*when_ns = s->bss->fence_off_ns;
	return s->bss->fence_off_why < SCXE_NR_OFF ? s->bss->fence_off_why : SCXE_OFF_NONE;
}

int sched_vcpus_fd(struct sched *s)
{
	return s->map_fd[M_VCPUS];
}

int sched_registry_fd(struct sched *s)
{
	return s->map_fd[M_REGISTRY];
}

int sched_vms_fd(struct sched *s)
{
	return s->map_fd[M_VMS];
}

int sched_events_fd(struct sched *s)
{
	return s->link_fd[L_KVM_RUN] >= 0 ? s->map_fd[M_EVENTS] : -1;
}
