// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata run`: detect the host, load, attach and pin the scheduler (or adopt the one an
 * earlier daemon pinned), pair the VMs named with --vm (publish the host's knowledge in
 * their header pages, register their vCPU threads), then report counters until a signal or
 * an ejection. SIGINT/SIGTERM stop the scheduler, SIGQUIT leaves a pinned one running for
 * the next daemon, SIGHUP rescans the VMs at once. Whatever ends the fence, the scheduler
 * itself disarms every slot first (bpf/disarm.bpf.h); this file only adds the header.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "knowledge.h"
#include "log.h"
#include "config.h"
#include "discover.h"
#include "parse.h"
#include "run.h"
#include "scheduler.h"
#include "vcpu.h"
#include "vm.h"

#define MAX_VMS		((int)SCXE_MAX_VMS)

static volatile sig_atomic_t stop_signal, rescan_signal;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		rescan_signal = 1;
	else
		stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata run [options]\n"
"Load the scx_errata sched_ext scheduler (or adopt the pinned one), pair VMs, and report\n"
"until SIGINT/SIGTERM.\n"
"\n"
"  -V, --vm PID:PATH[:TIDS] pair the VMM process PID through the shared file PATH (created\n"
"                          when missing), with its vCPU threads listed as TID,TID,... in vCPU\n"
"                          order or found like those of every other VM; repeat for more VMs\n"
"      --shm-pattern GLOB  pair every process that maps a file matching GLOB (default\n"
"                          " DISCOVER_DEFAULT_PATTERN "; '' = only --vm); vCPU threads are\n"
"                          those KVM reports running a vCPU, else named by QMP or by name\n"
"                          (QEMU \"CPU n/KVM\", \"vcpuN\", \"crosvm_vcpuN\", \"fc_vcpu N\")\n"
"      --qmp GLOB          QMP sockets of the VMMs (QEMU -qmp unix:PATH), for thread ids\n"
"  -c, --config FILE       settings and per-VM overrides (default " CONFIG_DEFAULT_PATH ",\n"
"                          if present); options given here win; reread on SIGHUP\n"
"  -m, --mode MODE         fence mode: same-type (default) or same-cpu\n"
"  -H, --max-hold-ms N     release a window after N ms (default 50, 0 = never)\n"
"      --hold-budget PCT   hold a vCPU at most PCT%% of the time, however often its guest\n"
"                          opens windows (1-100, default 50; 100 = only --max-hold-ms)\n"
"  -n, --no-enforce        register and publish, but never fence (slots stay unarmed)\n"
"  -t, --cpu-types SPEC    override CPU type detection, e.g. 0-1:big,2-3:little\n"
"  -d, --errata-db FILE    errata database instead of the built-in one\n"
"  -s, --slice-us N        time slice in microseconds (default 5000)\n"
"  -i, --stats SECS        print counters every SECS seconds (default 1, 0 = off)\n"
"      --json              counters as one JSON object per line on stdout\n"
"      --no-pin            do not pin under " SCXE_PIN_DIR ": the scheduler ends with\n"
"                          this process\n"
"      --inject-fault NAME test only: 'dsq-outside-cpumask' (ejected at load) or\n"
"                          'eject-on-trigger' (ejected when a task named scxe_eject runs)\n"
"  -v, --verbose           libbpf and pairing diagnostics on stderr\n"
"  -h, --help              this help\n"
"\n"
"The scheduler and its maps are pinned under " SCXE_PIN_DIR " and outlive this process:\n"
"a new 'scx_errata run' adopts a running one with its VMs (settings that need a reload are\n"
"refused), 'scx_errata stop' stops it, 'scx_errata status' shows it.\n"
"Signals: INT/TERM stop the scheduler, QUIT exits and leaves it running (pinned), HUP\n"
"rereads the config file and rescans the VMs now.\n"
"\n"
"Exit status: 0 after a signal, 1 on bad usage or a failed load, 2 when the kernel ejected\n"
"the scheduler, 3 when something else unregistered it.\n");
}

/* options that were given, for refusing the ones a running scheduler cannot take */
enum {
	SET_MODE = 1 << 0, SET_HOLD = 1 << 1, SET_SLICE = 1 << 2, SET_ENFORCE = 1 << 3,
	SET_FAULT = 1 << 4, SET_PATTERN = 1 << 5, SET_QMP = 1 << 6, SET_CPU_TYPES = 1 << 7,
	SET_DB = 1 << 8, SET_STATS = 1 << 9, SET_BUDGET = 1 << 10,
};

struct run_opts {
	unsigned int set;	/* SET_* */
	const char *cpu_types;
	const char *db_path;
	const char *shm_pattern;	/* automatic pairing; "" = off */
	const char *qmp_pattern;	/* QMP sockets naming vCPU threads; "" = none */
	const char *config_path;	/* --config, else CONFIG_DEFAULT_PATH (may be missing) */
	struct sched_cfg cfg;
	unsigned int stats_secs;
	bool json;
	int nr_vms;
	const char *vm_specs[MAX_VMS];
};

static int parse_uint(const char *opt, const char *arg, unsigned long long max, unsigned long long *out)
{
	char q[64];

	if (parse_u64(arg, 0, max, out)) {
		log_err("%s '%s' is not a number from 0 to %llu; see 'scx_errata run -h'", opt,
			parse_quote(arg, q, sizeof(q)), max);
		return -1;
	}
	return 0;
}

/* 0 ok, 1 bad usage (message printed), 2 -h */
static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_JSON = 256, OPT_NO_PIN, OPT_FAULT, OPT_PATTERN, OPT_QMP, OPT_CONFIG, OPT_BUDGET };
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'V' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-hold-ms", required_argument, NULL, 'H' },
		{ "hold-budget", required_argument, NULL, OPT_BUDGET },
		{ "no-enforce", no_argument, NULL, 'n' },
		{ "cpu-types", required_argument, NULL, 't' },
		{ "errata-db", required_argument, NULL, 'd' },
		{ "slice-us", required_argument, NULL, 's' },
		{ "stats", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-pin", no_argument, NULL, OPT_NO_PIN },
		{ "shm-pattern", required_argument, NULL, OPT_PATTERN },
		{ "qmp", required_argument, NULL, OPT_QMP },
		{ "config", required_argument, NULL, 'c' },
		{ "inject-fault", required_argument, NULL, OPT_FAULT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long v;
	int c;

	*o = (struct run_opts){
		.cfg = { .slice_ns = 5000000, .mode = SCXE_MODE_SAME_TYPE, .max_hold_ns = 50000000,
			 .hold_budget_pct = 50, .pin = true, .enforce = true },
		.stats_secs = 1,
		.shm_pattern = DISCOVER_DEFAULT_PATTERN,
		.qmp_pattern = "",
	};
	optind = 1;
	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":V:m:H:nt:d:s:i:c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			if (o->nr_vms == MAX_VMS) {
				log_err("at most %d --vm options; run another daemon for more", MAX_VMS);
				return 1;
			}
			o->vm_specs[o->nr_vms++] = optarg;
			break;
		case 'm':
			o->set |= SET_MODE;
			if (!strcmp(optarg, "same-type"))
				o->cfg.mode = SCXE_MODE_SAME_TYPE;
			else if (!strcmp(optarg, "same-cpu"))
				o->cfg.mode = SCXE_MODE_SAME_CPU;
			else {
				log_err("--mode '%s' is not same-type or same-cpu", optarg);
				return 1;
			}
			break;
		case 'H':
			if (parse_uint("--max-hold-ms", optarg, 3600000, &v))
				return 1;
			o->cfg.max_hold_ns = v * 1000000;
			o->set |= SET_HOLD;
			break;
		case OPT_BUDGET:
			if (parse_uint("--hold-budget", optarg, 100, &v))
				return 1;
			if (v < 1) {
				log_err("--hold-budget 0 would never hold a window; use --no-enforce for that");
				return 1;
			}
			o->cfg.hold_budget_pct = v;
			o->set |= SET_BUDGET;
			break;
		case 'n':
			o->cfg.enforce = false;
			o->set |= SET_ENFORCE;
			break;
		case 't':
			o->cpu_types = optarg;
			o->set |= SET_CPU_TYPES;
			break;
		case 'd':
			o->db_path = optarg;
			o->set |= SET_DB;
			break;
		case 's':
			if (parse_u64(optarg, 100, 1000000, &v)) {
				log_err("--slice-us '%s' is not a number from 100 to 1000000; see 'scx_errata run -h'", optarg);
				return 1;
			}
			o->cfg.slice_ns = v * 1000;
			o->set |= SET_SLICE;
			break;
		case 'i':
			if (parse_uint("--stats", optarg, 3600, &v))
				return 1;
			o->stats_secs = v;
			o->set |= SET_STATS;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PATTERN:
			if (optarg[0] && optarg[0] != '/') {
				log_err("--shm-pattern '%s' is not an absolute glob (e.g. /dev/shm/scx_errata.*)", optarg);
				return 1;
			}
			o->shm_pattern = optarg;
			o->set |= SET_PATTERN;
			break;
		case 'c':
			if (!optarg[0]) {
				log_err("--config '' names no file; give the path of a config file");
				return 1;
			}
			o->config_path = optarg;
			break;
		case OPT_QMP:
			if (optarg[0] != '/') {
				log_err("--qmp '%s' is not an absolute path or glob of QMP sockets", optarg);
				return 1;
			}
			o->qmp_pattern = optarg;
			o->set |= SET_QMP;
			break;
		case OPT_NO_PIN:
			o->cfg.pin = false;
			break;
		case OPT_FAULT:
			if (!strcmp(optarg, "dsq-outside-cpumask")) {
				o->cfg.inject_fault = 1;
			} else if (!strcmp(optarg, "eject-on-trigger")) {
				o->cfg.inject_fault = 2;
			} else {
				log_err("--inject-fault '%s' is unknown; use dsq-outside-cpumask or eject-on-trigger", optarg);
				return 1;
			}
			o->set |= SET_FAULT;
			break;
		case 'v':
			log_verbose_on = true;
			break;
		case 'h':
			usage(stdout);
			return 2;
		case ':':
			log_err("option '%s' needs a value; see 'scx_errata run -h'", argv[optind - 1]);
			return 1;
		default:
			log_err("unknown option '%s'; see 'scx_errata run -h'", argv[optind - 1]);
			return 1;
		}
	}
	if (optind < argc) {
		log_err("unexpected argument '%s'; see 'scx_errata run -h'", argv[optind]);
		return 1;
	}
	return 0;
}

/*
 * Every --vm, before anything else is looked at: its syntax, and that its VMM runs, so that
 * a wrong pid is reported as such on any host (one without sched_ext included).
 */
static int check_vm_specs(const struct run_opts *o)
{
	static struct vm vm;	/* large: not on the stack */
	char err[PATH_MAX + 256];

	for (int i = 0; i < o->nr_vms; i++) {
		if (vm_parse_spec(o->vm_specs[i], &vm, err, sizeof(err))) {
			log_err("%s", err);
			return 1;
		}
		if (kill(vm.pid, 0) && errno == ESRCH) {
			log_err("--vm '%s': no process %d runs; give the pid of the running VMM",
				parse_quote(o->vm_specs[i], err, sizeof(err)), vm.pid);
			return 1;
		}
	}
	return 0;
}

/* One counter line; false once stdout is gone (a closed pipe: SIGPIPE is ignored). */
/*
 * The config file's settings under the command line's: a key the file sets applies unless
 * the same setting was given as an option. 0, or 1 after a one-line error.
 */
static int apply_config(struct run_opts *o, struct config *c)
{
	char err[PATH_MAX + 256];
	bool given = o->config_path != NULL;

	if (config_load(given ? o->config_path : CONFIG_DEFAULT_PATH, !given, c, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	if ((c->set & CONFIG_SET_MODE) && !(o->set & SET_MODE))
		o->cfg.mode = c->mode;
	if ((c->set & CONFIG_SET_HOLD) && !(o->set & SET_HOLD))
		o->cfg.max_hold_ns = c->max_hold_ms * 1000000;
	if ((c->set & CONFIG_SET_BUDGET) && !(o->set & SET_BUDGET))
		o->cfg.hold_budget_pct = c->hold_budget_pct;
	if ((c->set & CONFIG_SET_SLICE) && !(o->set & SET_SLICE))
		o->cfg.slice_ns = c->slice_us * 1000;
	if ((c->set & CONFIG_SET_ENFORCE) && !(o->set & SET_ENFORCE))
		o->cfg.enforce = c->enforce;
	/* into conf, even at their defaults, so that a SIGHUP's new values reach them */
	if (!(o->set & SET_PATTERN))
		o->shm_pattern = c->shm_pattern;
	if (!(o->set & SET_QMP))
		o->qmp_pattern = c->qmp;
	if ((c->set & CONFIG_SET_CPU_TYPES) && !(o->set & SET_CPU_TYPES))
		o->cpu_types = c->cpu_types;
	if ((c->set & CONFIG_SET_DB) && !(o->set & SET_DB))
		o->db_path = c->errata_db;
	if ((c->set & CONFIG_SET_STATS) && !(o->set & SET_STATS))
		o->stats_secs = c->stats;
	/* what the mode and hold settings became counts as given for an adoption's check */
	o->set |= (c->set & CONFIG_SET_MODE ? SET_MODE : 0) | (c->set & CONFIG_SET_HOLD ? SET_HOLD : 0) |
		  (c->set & CONFIG_SET_SLICE ? SET_SLICE : 0) |
		  (c->set & CONFIG_SET_BUDGET ? SET_BUDGET : 0) |
		  (c->set & CONFIG_SET_ENFORCE ? SET_ENFORCE : 0);
	return 0;
}

static bool print_stats(struct sched *s, bool json)
{
	__u64 v[SCXE_NR_STATS];

	if (sched_read_stats(s, v))
		return true;
	printf(json ? "{\"stats\":{" : "stats:");
	for (int i = 0; i < SCXE_NR_STATS; i++)
		printf(json ? "%s\"%s\":%llu" : "%s%s=%llu", json ? (i ? "," : "") : " ",
		       sched_stat_names[i], (unsigned long long)v[i]);
	printf(json ? "}}\n" : "\n");
	if (fflush(stdout) == 0 && !ferror(stdout))
		return true;
	log_warn("cannot write counters to stdout (%s); the scheduler keeps running without them",
		 strerror(errno));
	return false;
}

static void describe_host(const struct host *h)
{
	char list[512];

	for (int t = 0; t < h->nr_types; t++)
		log_info("type %d %s: cpus %s", t, h->type[t].abi.name,
			 cpulist_format(&h->type[t].cpus, list, sizeof(list)));
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!log_verbose_on)
		return 0;
	return vfprintf(stderr, fmt, ap);
}


/* Everything one load-attach-report cycle owns, released by run_cleanup alone. */
struct run_state {
	struct host_view view;
	struct scxe_shm_hdr knowledge;	/* the tables every VM header and BPF map get */
	struct sched_cfg cfg;		/* what the scheduler runs with (adopted: its own) */
	struct vm vms[MAX_VMS];		/* indexed by vm id, the key of map "vms" */
	bool used[MAX_VMS];
	struct vcpu_maps maps;
	struct sched *sched;
	bool leave_running;		/* SIGQUIT: keep a pinned scheduler for the next daemon */
	const struct run_opts *o;
	struct ring_buffer *events;	/* KVM's vCPU reports; NULL without the hook */
	/* reports from processes that map no file of ours (yet): retried at each sync */
	int nr_pending;
	struct scxe_vcpu_event pending[256];
	bool to_create[MAX_VMS];	/* --vm files to create once the kernel checks passed */
	bool stale_pins;		/* pins of a scheduler that exited: removed at load */
};

static struct config conf;	/* the config file as last read (start, SIGHUP) */

/* A [vm NAME] section whose path is this VM's file sets its own enforce, hold and QMP. */
static void vm_settings(struct vm *vm)
{
	for (int i = 0; i < conf.nr_vms; i++) {
		const struct config_vm *cv = &conf.vm[i];

		if (strcmp(cv->path, vm->path))
			continue;
		vm->enforce = cv->enforce;
		vm->hold_ns = cv->max_hold_ms < 0 ? 0 :
			      cv->max_hold_ms == 0 ? SCXE_HOLD_UNLIMITED : (__u64)cv->max_hold_ms * 1000000;
		if (cv->qmp[0])
			snprintf(vm->qmp, sizeof(vm->qmp), "%s", cv->qmp);
		return;
	}
	vm->enforce = -1;
	vm->hold_ns = 0;
}

static int free_vm_id(const struct run_state *st)
{
	for (int i = 0; i < MAX_VMS; i++)
		if (!st->used[i])
			return i;
	return -1;
}

/* A --vm spec, validated and opened; the VM file is laid out only if it is ours to take. */
static int add_vm(struct run_state *st, const char *spec)
{
	char err[PATH_MAX + 256];
	struct stat sb;
	struct vm *vm;
	int id = free_vm_id(st);

	if (id < 0) {
		log_err("at most %d VMs; run another daemon for more", MAX_VMS);
		return -1;
	}
	vm = &st->vms[id];
	if (vm_parse_spec(spec, vm, err, sizeof(err))) {
		log_err("%s", err);
		return -1;
	}
	vm->id = id;
	for (int j = 0; j < MAX_VMS; j++)
		if (st->used[j] && !strcmp(st->vms[j].path, vm->path)) {
			if (st->vms[j].pid != vm->pid || vm->nr_tids) {
				log_err("--vm %s: %s is already paired with process %d; give each VM its own file",
					spec, vm->path, st->vms[j].pid);
				return -1;
			}
			return 0;	/* adopted already */
		}
	vm_settings(vm);
	if (vcpu_pin_explicit(vm, err, sizeof(err))) {
		log_err("%s", err);
		vm_close(vm);
		return -1;
	}
	/* a missing file is created by create_vms, once nothing but the load itself can fail */
	if (lstat(vm->path, &sb) && errno == ENOENT) {
		if (vm_check_new_path(vm, err, sizeof(err))) {
			log_err("%s", err);
			vm_close(vm);
			return -1;
		}
		st->to_create[id] = st->used[id] = true;
		return 0;
	}
	if (vm_open(vm, vm->nr_tids, err, sizeof(err))) {
		log_err("%s", err);
		vm_close(vm);
		return -1;
	}
	st->used[id] = true;
	return 0;
}

/* The --vm files add_vm found missing; a failed start removes them again (run_cleanup). */
static int create_vms(struct run_state *st)
{
	char err[PATH_MAX + 256];

	for (int i = 0; i < MAX_VMS; i++) {
		if (!st->to_create[i])
			continue;
		st->to_create[i] = false;
		if (vm_open(&st->vms[i], st->vms[i].nr_tids, err, sizeof(err))) {
			log_err("%s", err);
			vm_close(&st->vms[i]);
			st->used[i] = false;
			return -1;
		}
	}
	return 0;
}

/* Record a VM in the pinned map, or clear its record, for status and the next daemon. */
static void record_vm(struct run_state *st, int id, bool present)
{
	struct scxe_vm_rec rec = { 0 };
	const struct vm *vm = &st->vms[id];

	if (present) {
		rec.pid = vm->pid;
		rec.nr_slots = vm->nr_slots;
		rec.flags = vm->nr_tids ? SCXE_VMF_EXPLICIT : 0;
		snprintf(rec.path, sizeof(rec.path), "%s", vm->path);
	}
	if (bpf_map_update_elem(sched_vms_fd(st->sched), &id, &rec, BPF_ANY))
		log_warn("cannot record vm %d in the scheduler's map: %s", id, strerror(errno));
}

static void publish_vm(struct run_state *st, struct vm *vm)
{
	st->knowledge.hold_budget_pct = st->cfg.hold_budget_pct;
	vm_publish(vm, &st->knowledge, st->cfg.mode, st->cfg.max_hold_ns / 1000, st->cfg.enforce);
}

/* Stop pairing a VM: its registrations go, its page says not live, its record is cleared. */
static void forget_vm(struct run_state *st, int id)
{
	struct vm *vm = &st->vms[id];

	vcpu_forget(vm, &st->maps);
	vm_disarm(vm);
	vm_close(vm);
	record_vm(st, id, false);
	st->used[id] = false;
}

static int vm_of_pid(const struct run_state *st, pid_t pid)
{
	for (int i = 0; i < MAX_VMS; i++)
		if (st->used[i] && st->vms[i].pid == pid)
			return i;
	return -1;
}

/* Pair process pid through path, found without --vm; the VM's id or -1. */
static int pair_found(struct run_state *st, pid_t pid, const char *path)
{
	char err[PATH_MAX + 256];
	int id = free_vm_id(st);
	struct vm *vm;

	for (int i = 0; i < MAX_VMS; i++)
		if (st->used[i] && !strcmp(st->vms[i].path, path)) {
			log_warn("process %d maps %s, which vm %d (process %d) uses; not pairing it",
				 pid, path, i, st->vms[i].pid);
			return -1;
		}
	if (id < 0) {
		log_warn("process %d maps %s, but %d VMs are paired already; run another daemon", pid,
			 path, MAX_VMS);
		return -1;
	}
	vm = &st->vms[id];
	vm_reset(vm);
	vm->id = id;
	vm->pid = pid;
	vm->nocreate = true;	/* the VMM's own file: if it is gone, so is the pairing */
	snprintf(vm->path, sizeof(vm->path), "%s", path);
	vm_settings(vm);
	if (vm_open(vm, 0, err, sizeof(err))) {
		log_warn("process %d: %s", pid, err);
		return -1;
	}
	st->used[id] = true;
	record_vm(st, id, true);
	publish_vm(st, vm);
	log_info("vm %d: pid %d, %s, %u slots (found by its mapping)", id, pid, path, vm->nr_slots);
	return id;
}

/* A vCPU thread KVM reported; false when its process is no VMM of ours (yet). */
static bool take_event(struct run_state *st, const struct scxe_vcpu_event *ev)
{
	char path[PATH_MAX];
	int id = vm_of_pid(st, ev->tgid);

	if (id < 0 && st->o->shm_pattern[0] &&
	    discover_shm_of(ev->tgid, st->o->shm_pattern, path, sizeof(path)) == 1)
		id = pair_found(st, ev->tgid, path);
	if (id < 0)
		return false;
	vcpu_found(&st->vms[id], &st->maps, ev->vcpu, ev->tid);
	return true;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct run_state *st = ctx;
	const struct scxe_vcpu_event *ev = data;

	if (len < sizeof(*ev) || take_event(st, ev))
		return 0;
	if (st->nr_pending < (int)(sizeof(st->pending) / sizeof(st->pending[0])))
		st->pending[st->nr_pending++] = *ev;
	return 0;
}

static void retry_pending(struct run_state *st)
{
	int n = 0;

	for (int i = 0; i < st->nr_pending; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%u/task/%u", st->pending[i].tgid, st->pending[i].tid);
		if (access(path, F_OK) || take_event(st, &st->pending[i]))
			continue;
		st->pending[n++] = st->pending[i];
	}
	st->nr_pending = n;
}

static void pair_scanned(void *arg, pid_t pid, const char *path)
{
	struct run_state *st = arg;

	if (vm_of_pid(st, pid) < 0)
		pair_found(st, pid, path);
}

static void sync_vm(struct run_state *st, int id)
{
	struct vm *vm = &st->vms[id];
	char err[PATH_MAX + 256], proc[32];
	const char *why;

	/* first: a VMM that exited (and maybe removed its file on the way) is simply gone */
	snprintf(proc, sizeof(proc), "/proc/%d", vm->pid);
	if (access(proc, F_OK)) {
		log_info("vm %d: process %d is gone; forgetting it", id, vm->pid);
		forget_vm(st, id);
		return;
	}
	if (vm->hdr && (why = vm_check(vm))) {
		log_warn("vm %d: %s %s; its vCPUs are unpaired until the file is back", id, vm->path, why);
		vcpu_forget(vm, &st->maps);
		vm_unmap(vm);
	}
	if (!vm->hdr) {
		/* a VMM that recreated its file: pair the new one; never create it ourselves */
		vm->nocreate = true;
		if (vm_open(vm, vm->nr_tids, err, sizeof(err)))
			return;
		log_info("vm %d: paired the new %s", id, vm->path);
		record_vm(st, id, true);
		publish_vm(st, vm);
	}
	if (vcpu_sync(vm, &st->maps) < 0) {
		log_info("vm %d: process %d is gone; forgetting it", id, vm->pid);
		forget_vm(st, id);
	}
}

static void sync_vms(struct run_state *st)
{
	static unsigned int round;
	bool slow = round++ % 5 == 0;

	/* other hypervisors' vCPUs wait here: their maps are read again only every 5 s */
	if (slow)
		retry_pending(st);
	/*
	 * KVM reports a thread at its next KVM_RUN entry; a VMM whose vCPUs entered it before
	 * we attached and stay in the kernel (halted) is found by its mapping, then named by
	 * QMP or by thread names. Without KVM's reports, that is the only way.
	 */
	if (st->o->shm_pattern[0] && (!st->events || slow))
		discover_scan(st->o->shm_pattern, pair_scanned, st);
	for (int i = 0; i < MAX_VMS; i++) {
		struct vm *vm = &st->vms[i];

		if (!st->used[i])
			continue;
		if (!vm->qmp[0] && st->o->qmp_pattern[0])
			discover_qmp_for(vm->pid, st->o->qmp_pattern, vm->qmp, sizeof(vm->qmp));
		sync_vm(st, i);
	}
}

/* Tell every guest the fence is off (BPF has cleared armed already or does so now). */
static void disarm_vms(struct run_state *st)
{
	for (int i = 0; i < MAX_VMS; i++)
		if (st->used[i])
			vm_disarm(&st->vms[i]);
}

static void run_cleanup(struct run_state *st, bool failed)
{
	ring_buffer__free(st->events);
	if (st->leave_running) {
		sched_release(st->sched);
	} else {
		sched_end_fence(st->sched);
		/* a failed start published nothing: its files stay exactly as they were */
		if (!failed)
			disarm_vms(st);
	}
	sched_destroy(st->sched);
	for (int i = 0; i < MAX_VMS; i++) {
		if (!st->used[i])
			continue;
		vm_close(&st->vms[i]);
		/* a failed start leaves no file behind that it created */
		if (failed && st->vms[i].created)
			unlink(st->vms[i].path);
	}
	free(st);
}

static const char *mode_name(__u32 mode)
{
	return mode == SCXE_MODE_SAME_CPU ? "same-cpu" : "same-type";
}

/* The first given option the running scheduler was not loaded with, or NULL. */
static const char *needs_reload(const struct run_opts *o, const struct sched_cfg *run, char *buf,
				size_t len)
{
	if ((o->set & SET_MODE) && o->cfg.mode != run->mode)
		snprintf(buf, len, "--mode %s (it runs %s)", mode_name(o->cfg.mode), mode_name(run->mode));
	else if ((o->set & SET_HOLD) && o->cfg.max_hold_ns != run->max_hold_ns)
		snprintf(buf, len, "--max-hold-ms %llu (it runs %llu)",
			 (unsigned long long)o->cfg.max_hold_ns / 1000000,
			 (unsigned long long)run->max_hold_ns / 1000000);
	else if ((o->set & SET_BUDGET) && o->cfg.hold_budget_pct != run->hold_budget_pct)
		snprintf(buf, len, "--hold-budget %u (it runs %u)", o->cfg.hold_budget_pct,
			 run->hold_budget_pct);
	else if ((o->set & SET_SLICE) && o->cfg.slice_ns != run->slice_ns)
		snprintf(buf, len, "--slice-us %llu (it runs %llu)", (unsigned long long)o->cfg.slice_ns / 1000,
			 (unsigned long long)run->slice_ns / 1000);
	else if ((o->set & SET_ENFORCE) && o->cfg.enforce != run->enforce)
		snprintf(buf, len, "--no-enforce (it enforces)");
	else if ((o->set & SET_FAULT) && o->cfg.inject_fault != run->inject_fault)
		snprintf(buf, len, "--inject-fault");
	else if (!o->cfg.pin)
		snprintf(buf, len, "--no-pin");
	else
		return NULL;
	return buf;
}

/* Reopen the VMs an earlier daemon paired; VMMs that are gone are forgotten. */
static void adopt_vms(struct run_state *st)
{
	char err[PATH_MAX + 256];

	for (int id = 0; id < MAX_VMS; id++) {
		struct scxe_vm_rec rec;
		struct vm *vm = &st->vms[id];

		if (sched_read_vm(st->sched, id, &rec))
			continue;
		if (kill(rec.pid, 0) || vm_open_record(vm, id, &rec, err, sizeof(err))) {
			log_info("vm %d: process %u or %s is gone; forgetting it", id, rec.pid, rec.path);
			st->used[id] = true;	/* so that forget_vm clears the record */
			forget_vm(st, id);
			continue;
		}
		vm->id = id;
		vm_settings(vm);
		st->used[id] = true;
	}
}

static void use_maps(struct run_state *st)
{
	st->maps.vcpus_fd = sched_vcpus_fd(st->sched);
	st->maps.registry_fd = sched_registry_fd(st->sched);
	st->maps.enforce = st->cfg.enforce;
}

/* Take over the scheduler an earlier daemon pinned; 0, or 1 after a one-line refusal. */
static int adopt(struct run_state *st, const struct run_opts *o)
{
	char why[128], err[256];
	int nr_vms = 0, nr_vcpus;
	pid_t other;

	st->sched = sched_adopt(&st->cfg);
	if (!st->sched)
		return 1;
	other = sched_daemon_alive(st->sched);
	if (other) {
		log_err("scx_errata already runs as pid %d; send it SIGHUP to rescan, or run 'scx_errata stop'", other);
		return 1;
	}
	if (needs_reload(o, &st->cfg, why, sizeof(why))) {
		log_err("a pinned scheduler runs; %s needs a reload: run 'scx_errata stop' first", why);
		return 1;
	}
	if (sched_same_knowledge(st->sched, &st->view.host, &st->knowledge, err, sizeof(err))) {
		log_err("a pinned scheduler runs, but %s; run 'scx_errata stop' first", err);
		return 1;
	}
	use_maps(st);
	adopt_vms(st);
	for (int i = 0; i < o->nr_vms; i++)
		if (add_vm(st, o->vm_specs[i]))
			return 1;
	if (create_vms(st))
		return 1;
	nr_vcpus = vcpu_adopt(st->vms, MAX_VMS, &st->maps);
	for (int i = 0; i < MAX_VMS; i++)
		nr_vms += st->used[i];
	log_info("adopted the pinned scheduler without reloading it: %d VMs, %d vCPU threads still fenced",
		 nr_vms, nr_vcpus);
	return 0;
}

/* Load and attach a new scheduler; 0, or 1 after a one-line error. */
static int load(struct run_state *st, const struct run_opts *o)
{
	struct host *h = &st->view.host;
	char hold[32];

	st->cfg = o->cfg;
	/* every VM file is validated before the kernel is touched */
	for (int i = 0; i < o->nr_vms; i++)
		if (add_vm(st, o->vm_specs[i]))
			return 1;
	/* sched_open checks the kernel (sched_ext, BTF, bpffs): only then is anything changed */
	st->sched = sched_open(&st->cfg, h);
	if (!st->sched)
		return 1;
	if (st->stale_pins) {
		log_info("removing the pins of a scheduler that is no longer attached (%s)", SCXE_PIN_DIR);
		sched_unpin();
	}
	if (create_vms(st) || sched_load(st->sched, h, &st->knowledge) || sched_attach(st->sched))
		return 1;
	use_maps(st);
	describe_host(h);
	snprintf(hold, sizeof(hold), "%llu ms", (unsigned long long)st->cfg.max_hold_ns / 1000000);
	log_info("scheduler attached: mode %s, slice %llu us, max hold %s, hold budget %u%%%s",
		 mode_name(st->cfg.mode), (unsigned long long)st->cfg.slice_ns / 1000,
		 st->cfg.max_hold_ns ? hold : "none (windows never expire)", st->cfg.hold_budget_pct,
		 st->cfg.enforce ? "" : ", fence not enforced");
	return 0;
}

/*
 * SIGHUP: read the config file again. What can change live does (the pairing pattern, QMP
 * sockets, each VM's own settings for the threads registered from now on); a setting the
 * loaded scheduler was built with is reported as waiting for a restart; a bad file changes
 * nothing.
 */
static void reread_config(struct run_state *st)
{
	const struct run_opts *o = st->o;
	bool given = o->config_path != NULL;
	static struct config next;
	char err[PATH_MAX + 256];

	if (config_load(given ? o->config_path : CONFIG_DEFAULT_PATH, !given, &next, err, sizeof(err))) {
		log_warn("%s; keeping the settings in use", err);
		return;
	}
	if (((next.set & CONFIG_SET_MODE) && next.mode != st->cfg.mode) ||
	    ((next.set & CONFIG_SET_HOLD) && next.max_hold_ms * 1000000 != st->cfg.max_hold_ns) ||
	    ((next.set & CONFIG_SET_SLICE) && next.slice_us * 1000 != st->cfg.slice_ns) ||
	    ((next.set & CONFIG_SET_BUDGET) && next.hold_budget_pct != st->cfg.hold_budget_pct))
		log_warn("mode, max-hold-ms, hold-budget-pct and slice-us apply when the scheduler is loaded: 'scx_errata stop', then start it again");
	/* o's patterns point into conf unless given as options: copying updates them */
	conf = next;
	for (int i = 0; i < MAX_VMS; i++)
		if (st->used[i])
			vm_settings(&st->vms[i]);
	log_info("reread the configuration (%s)", given ? o->config_path : CONFIG_DEFAULT_PATH);
}

/* One load-attach-report cycle; returns the exit status, or -1 to restart. */
static int run_once(const struct run_opts *o)
{
	struct run_state *st = calloc(1, sizeof(*st));
	enum sched_pinned pinned;
	bool by_itself, stats = o->stats_secs > 0;
	char err[512];
	int ret;
	time_t next;

	if (!st) {
		log_err("out of memory");
		return 1;
	}
	st->o = o;
	if (host_view_load(&st->view, "/", o->cpu_types, o->db_path, err, sizeof(err))) {
		log_err("%s", err);
		goto fail;
	}
	knowledge_to_abi(&st->view.k, &st->view.host, &st->knowledge);
	if (geteuid()) {
		log_err("run needs root: it loads a BPF scheduler (CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON); run it with sudo");
		goto fail;
	}
	pinned = sched_pinned_state();
	st->stale_pins = pinned == SCHED_PIN_STALE;
	if (pinned == SCHED_PIN_LIVE ? adopt(st, o) : load(st, o)) {
		/* a refused adoption must leave the running scheduler as it was */
		st->leave_running = pinned == SCHED_PIN_LIVE;
		goto fail;
	}
	sched_set_daemon(st->sched, getpid());
	for (int i = 0; i < MAX_VMS; i++) {
		if (!st->used[i])
			continue;
		record_vm(st, i, true);
		publish_vm(st, &st->vms[i]);
		log_info("vm %d: pid %d, %s, %u slots", i, st->vms[i].pid, st->vms[i].path,
			 st->vms[i].nr_slots);
	}
	if (sched_events_fd(st->sched) >= 0) {
		st->events = ring_buffer__new(sched_events_fd(st->sched), on_event, st, NULL);
		if (!st->events)
			log_warn("cannot read KVM's vCPU reports (%s); vCPU threads are found by QMP and names only",
				 strerror(errno));
	}
	sync_vms(st);

	next = time(NULL) + o->stats_secs;
	for (time_t sync_at = time(NULL) + 1; !stop_signal && !sched_exited(st->sched); ) {
		/* a vCPU's first KVM_RUN wakes us at once: it is paired within milliseconds */
		if (st->events) {
			if (ring_buffer__poll(st->events, 100) < 0 && errno != EINTR)
				usleep(100000);
		} else {
			usleep(100000);
		}
		if (rescan_signal || time(NULL) >= sync_at) {	/* exits, restarts, new VMMs */
			if (rescan_signal)
				reread_config(st);
			rescan_signal = 0;
			sync_vms(st);
			sync_at = time(NULL) + 1;
		}
		if (stats && time(NULL) >= next) {
			stats = print_stats(st->sched, o->json);
			next += o->stats_secs;
		}
	}
	by_itself = sched_exited(st->sched);
	if (!by_itself && stop_signal == SIGQUIT && sched_fence_off(st->sched, NULL) == SCXE_OFF_NONE) {
		if (sched_daemon(st->sched) == getpid() && access(SCXE_PIN_DIR, F_OK) == 0) {
			st->leave_running = true;
			log_info("exiting; the scheduler keeps running, pinned under %s ('scx_errata run' adopts it, 'scx_errata stop' stops it)",
				 SCXE_PIN_DIR);
			run_cleanup(st, false);
			return 0;
		}
		log_info("the scheduler is not pinned (--no-pin): SIGQUIT stops it");
	}
	sched_end_fence(st->sched);
	disarm_vms(st);
	if (sched_wants_restart(st->sched)) {
		log_info("cpu hotplug during load; restarting the scheduler");
		run_cleanup(st, false);
		return -1;
	}
	if (stats)
		print_stats(st->sched, o->json);
	sched_stop(st->sched);
	ret = sched_report_exit(st->sched);
	if (by_itself && !ret)
		ret = 3;	/* unregistered by someone else (sysrq, kernel): not our doing */
	if (!by_itself)
		log_info("detached on signal %d", (int)stop_signal);
	run_cleanup(st, false);
	return ret;
fail:
	run_cleanup(st, true);
	return 1;
}

/*
 * Every registered vCPU thread keeps a pidfd open (two for explicit tids), so a host with
 * SCXE_MAX_VCPUS vCPU threads needs more than the usual 1024 descriptors. Raise the soft
 * limit as far as needed (and the hard one: run is root); failing that, registration later
 * says EMFILE for the threads past the limit.
 */
static void raise_fd_limit(void)
{
	rlim_t want = 2 * SCXE_MAX_VCPUS + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want))
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		rl.rlim_max = want;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("cannot raise the open-file limit to %lu (%s): VMs with many vCPU threads may not all register; raise it with ulimit -n or LimitNOFILE=",
			 (unsigned long)want, strerror(errno));
}

int run_main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct run_opts o;
	int ret;

	/* --json: errors are JSON lines on stdout too, decided before any option can fail */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			log_json_errors = stdout;
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret == 2 ? 0 : 1;
	if (apply_config(&o, &conf) || check_vm_specs(&o))
		return 1;
	libbpf_set_print(libbpf_print);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed stdout (run --json | head) is reported by print_stats, not fatal */
	signal(SIGPIPE, SIG_IGN);
	vm_guard_install();
	raise_fd_limit();
	for (int tries = 0; tries < 5; tries++) {
		ret = run_once(&o);
		if (ret != -1)
			return ret;
	}
	log_err("cpu hotplug kept interrupting the load; retry when the cpu set is stable");
	return 1;
}
