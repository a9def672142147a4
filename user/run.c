// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata run`: detect the host, load and attach the scheduler, pair the VMs named with
 * --vm (publish the host's knowledge in their header pages, register their vCPU threads),
 * then report counters until a signal or an ejection. On the way out every slot is disarmed
 * and every fence marked not live before the scheduler detaches, so a guest never relies on
 * a fence that is gone.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "knowledge.h"
#include "log.h"
#include "run.h"
#include "scheduler.h"
#include "vcpu.h"
#include "vm.h"

#define MAX_VMS		64

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata run [options]\n"
"Load the scx_errata sched_ext scheduler, pair VMs, and stay attached until SIGINT/SIGTERM.\n"
"\n"
"  -V, --vm PID:PATH[:TIDS] pair the VMM process PID through the shared file PATH (created\n"
"                          when missing); its vCPU threads are found by name (QEMU \"CPU n/KVM\",\n"
"                          \"vcpuN\", \"crosvm_vcpuN\", \"fc_vcpu N\") or listed as TID,TID,...\n"
"                          in vCPU order; repeat for more VMs\n"
"  -m, --mode MODE         fence mode: same-type (default) or same-cpu\n"
"  -H, --max-hold-ms N     release a window after N ms (default 50, 0 = never)\n"
"  -n, --no-enforce        register and publish, but never fence (slots stay unarmed)\n"
"  -t, --cpu-types SPEC    override CPU type detection, e.g. 0-1:big,2-3:little\n"
"  -d, --errata-db FILE    errata database instead of the built-in one\n"
"  -s, --slice-us N        time slice in microseconds (default 5000)\n"
"  -i, --stats SECS        print counters every SECS seconds (default 1, 0 = off)\n"
"      --json              counters as one JSON object per line on stdout\n"
"      --no-pin            do not pin maps under " SCXE_PIN_DIR "\n"
"      --inject-fault NAME test only: 'dsq-outside-cpumask' makes the scheduler misbehave\n"
"  -v, --verbose           libbpf and pairing diagnostics on stderr\n"
"  -h, --help              this help\n"
"\n"
"Exit status: 0 after a signal, 1 on bad usage or a failed load, 2 when the kernel ejected\n"
"the scheduler, 3 when something else unregistered it.\n");
}

struct run_opts {
	const char *cpu_types;
	const char *db_path;
	struct sched_cfg cfg;
	unsigned int stats_secs;
	bool json;
	bool enforce;
	int nr_vms;
	const char *vm_specs[MAX_VMS];
};

static int parse_uint(const char *opt, const char *arg, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *out > max) {
		log_err("%s '%s' is not a number from 0 to %llu; see 'scx_errata run -h'", opt, arg, max);
		return -1;
	}
	return 0;
}

/* 0 ok, 1 bad usage (message printed), 2 -h */
static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_JSON = 256, OPT_NO_PIN, OPT_FAULT };
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'V' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-hold-ms", required_argument, NULL, 'H' },
		{ "no-enforce", no_argument, NULL, 'n' },
		{ "cpu-types", required_argument, NULL, 't' },
		{ "errata-db", required_argument, NULL, 'd' },
		{ "slice-us", required_argument, NULL, 's' },
		{ "stats", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-pin", no_argument, NULL, OPT_NO_PIN },
		{ "inject-fault", required_argument, NULL, OPT_FAULT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned long long v;
	int c;

	*o = (struct run_opts){
		.cfg = { .slice_ns = 5000000, .mode = SCXE_MODE_SAME_TYPE, .max_hold_ns = 50000000,
			 .pin = true },
		.stats_secs = 1,
		.enforce = true,
	};
	optind = 1;
	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":V:m:H:nt:d:s:i:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			if (o->nr_vms == MAX_VMS) {
				log_err("at most %d --vm options; run another daemon for more", MAX_VMS);
				return 1;
			}
			o->vm_specs[o->nr_vms++] = optarg;
			break;
		case 'm':
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
			break;
		case 'n':
			o->enforce = false;
			break;
		case 't':
			o->cpu_types = optarg;
			break;
		case 'd':
			o->db_path = optarg;
			break;
		case 's':
			if (parse_uint("--slice-us", optarg, 1000000, &v))
				return 1;
			if (v < 100) {
				log_err("--slice-us %llu is below the 100 us minimum", v);
				return 1;
			}
			o->cfg.slice_ns = v * 1000;
			break;
		case 'i':
			if (parse_uint("--stats", optarg, 3600, &v))
				return 1;
			o->stats_secs = v;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_NO_PIN:
			o->cfg.pin = false;
			break;
		case OPT_FAULT:
			if (strcmp(optarg, "dsq-outside-cpumask")) {
				log_err("--inject-fault '%s' is unknown; the only one is dsq-outside-cpumask", optarg);
				return 1;
			}
			o->cfg.inject_fault = 1;
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

static void print_stats(struct sched *s, bool json)
{
	__u64 v[SCXE_NR_STATS];

	if (sched_read_stats(s, v))
		return;
	printf(json ? "{\"stats\":{" : "stats:");
	for (int i = 0; i < SCXE_NR_STATS; i++)
		printf(json ? "%s\"%s\":%llu" : "%s%s=%llu", json ? (i ? "," : "") : " ",
		       sched_stat_names[i], (unsigned long long)v[i]);
	printf(json ? "}}\n" : "\n");
	fflush(stdout);
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
	struct vm vms[MAX_VMS];
	int nr_vms;
	struct sched *sched;
};

/* Open every VM file before touching the kernel: bad input changes nothing. */
static int open_vms(struct run_state *st, const struct run_opts *o)
{
	char err[PATH_MAX + 256];

	for (int i = 0; i < o->nr_vms; i++) {
		struct vm *vm = &st->vms[i];

		if (vm_parse_spec(o->vm_specs[i], vm, err, sizeof(err)) ||
		    vm_open(vm, vm->nr_tids, err, sizeof(err))) {
			log_err("%s", err);
			return -1;
		}
		vm->id = i;
		st->nr_vms++;
		for (int j = 0; j < i; j++)
			if (!strcmp(st->vms[j].path, vm->path)) {
				log_err("--vm %s and --vm %s share %s; give each VM its own file",
					o->vm_specs[j], o->vm_specs[i], vm->path);
				return -1;
			}
	}
	return 0;
}

static void sync_vms(struct run_state *st, bool armed)
{
	for (int i = 0; i < st->nr_vms; i++) {
		struct vm *vm = &st->vms[i];

		if (vm->gone)
			continue;
		if (vcpu_sync(vm, sched_vcpus_fd(st->sched), armed) < 0) {
			log_info("vm %d: process %d is gone; its fence is off", vm->id, vm->pid);
			vm_disarm(vm);
		}
	}
}

/* Tell every guest the fence is off, then make the scheduler agree. */
static void disarm_vms(struct run_state *st)
{
	for (int i = 0; i < st->nr_vms; i++) {
		vm_disarm(&st->vms[i]);
		if (st->sched && !st->vms[i].gone)
			vcpu_set_armed(&st->vms[i], sched_vcpus_fd(st->sched), false);
	}
}

static void run_cleanup(struct run_state *st, bool failed)
{
	disarm_vms(st);
	sched_destroy(st->sched);
	for (int i = 0; i < st->nr_vms; i++) {
		vm_close(&st->vms[i]);
		/* a failed start leaves no file behind that it created */
		if (failed && st->vms[i].created)
			unlink(st->vms[i].path);
	}
	free(st);
}

/* One load-attach-report cycle; returns the exit status, or -1 to restart. */
static int run_once(const struct run_opts *o)
{
	struct run_state *st = calloc(1, sizeof(*st));
	struct host *h;
	char err[512];
	bool by_itself;
	int ret;
	time_t next;

	if (!st) {
		log_err("out of memory");
		return 1;
	}
	h = &st->view.host;
	if (host_view_load(&st->view, "/", o->cpu_types, o->db_path, err, sizeof(err))) {
		log_err("%s", err);
		goto fail;
	}
	knowledge_to_abi(&st->view.k, h, &st->knowledge);
	if (open_vms(st, o))
		goto fail;
	st->sched = sched_open(&o->cfg, h);
	if (!st->sched || sched_load(st->sched, h, &st->knowledge) || sched_attach(st->sched))
		goto fail;
	describe_host(h);
	log_info("scheduler attached: mode %s, slice %llu us, max hold %llu ms%s",
		 o->cfg.mode == SCXE_MODE_SAME_CPU ? "same-cpu" : "same-type",
		 (unsigned long long)o->cfg.slice_ns / 1000,
		 (unsigned long long)o->cfg.max_hold_ns / 1000000,
		 o->enforce ? "" : ", fence not enforced");
	for (int i = 0; i < st->nr_vms; i++) {
		vm_publish(&st->vms[i], &st->knowledge, o->cfg.mode, o->cfg.max_hold_ns / 1000, o->enforce);
		log_info("vm %d: pid %d, %s, %u slots", i, st->vms[i].pid, st->vms[i].path,
			 st->vms[i].nr_slots);
	}
	sync_vms(st, o->enforce);

	next = time(NULL) + o->stats_secs;
	for (int tick = 1; !stop_signal && !sched_exited(st->sched); tick++) {
		usleep(100000);
		if (tick % 10 == 0)	/* new or restarted vCPU threads, once a second */
			sync_vms(st, o->enforce);
		if (o->stats_secs && time(NULL) >= next) {
			print_stats(st->sched, o->json);
			next += o->stats_secs;
		}
	}
	by_itself = sched_exited(st->sched);
	disarm_vms(st);
	if (sched_wants_restart(st->sched)) {
		log_info("cpu hotplug during load; restarting the scheduler");
		run_cleanup(st, false);
		return -1;
	}
	if (o->stats_secs)
		print_stats(st->sched, o->json);
	sched_detach(st->sched);
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

int run_main(int argc, char **argv)
{
	struct run_opts o;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret == 2 ? 0 : 1;
	libbpf_set_print(libbpf_print);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (int tries = 0; tries < 5; tries++) {
		ret = run_once(&o);
		if (ret != -1)
			return ret;
	}
	log_err("cpu hotplug kept interrupting the load; retry when the cpu set is stable");
	return 1;
}
