// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata run`: detect the host, load and attach the scheduler, then report counters
 * until a signal or an ejection; on the way out disarm every VM slot before detaching, so a
 * guest never believes in a fence that is gone.
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
#include "host.h"
#include "log.h"
#include "run.h"
#include "scheduler.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata run [options]\n"
"Load the scx_errata sched_ext scheduler and keep it attached until SIGINT/SIGTERM.\n"
"\n"
"  -t, --cpu-types SPEC    override CPU type detection, e.g. 0-1:big,2-3:little\n"
"  -m, --mode MODE         fence mode: same-type (default) or same-cpu\n"
"  -H, --max-hold-ms N     release a window after N ms (default 50, 0 = never)\n"
"  -s, --slice-us N        time slice in microseconds (default 5000)\n"
"  -i, --stats SECS        print counters every SECS seconds (default 1, 0 = off)\n"
"      --json              counters as one JSON object per line on stdout\n"
"      --no-pin            do not pin maps under " SCXE_PIN_DIR "\n"
"      --inject-fault NAME test only: 'dsq-outside-cpumask' makes the scheduler misbehave\n"
"  -v, --verbose           libbpf and scheduler diagnostics on stderr\n"
"  -h, --help              this help\n");
}

struct run_opts {
	const char *cpu_types;
	struct sched_cfg cfg;
	unsigned int stats_secs;
	bool json;
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
		{ "cpu-types", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "max-hold-ms", required_argument, NULL, 'H' },
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
	};
	optind = 1;
	while ((c = getopt_long(argc, argv, "t:m:H:s:i:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->cpu_types = optarg;
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
		default:
			fprintf(stderr, "scx_errata: see 'scx_errata run -h'\n");
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
	if (level == LIBBPF_DEBUG && !log_verbose_on)
		return 0;
	if (!log_verbose_on)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* One load-attach-report cycle; returns the exit status, or -1 to restart. */
static int run_once(const struct run_opts *o)
{
	struct host *h = calloc(1, sizeof(*h));
	struct sched *s = NULL;
	char err[256];
	bool exited_by_itself;
	int ret = 1;
	time_t next;

	if (!h) {
		log_err("out of memory");
		return 1;
	}
	if (host_read(h, "/", err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (o->cpu_types && host_apply_cpu_types(h, o->cpu_types, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (h->nr_cpu_ids > (int)SCXE_MAX_CPUS) {
		log_err("this host has %d cpus; scx_errata supports %u", h->nr_cpu_ids, SCXE_MAX_CPUS);
		goto out;
	}
	s = sched_open(&o->cfg, h);
	if (!s || sched_load(s, h) || sched_attach(s))
		goto out;
	describe_host(h);
	log_info("scheduler attached: mode %s, slice %llu us, max hold %llu ms",
		 o->cfg.mode == SCXE_MODE_SAME_CPU ? "same-cpu" : "same-type",
		 (unsigned long long)o->cfg.slice_ns / 1000,
		 (unsigned long long)o->cfg.max_hold_ns / 1000000);

	next = time(NULL) + o->stats_secs;
	while (!stop_signal && !sched_exited(s)) {
		usleep(100000);
		if (o->stats_secs && time(NULL) >= next) {
			print_stats(s, o->json);
			next += o->stats_secs;
		}
	}
	exited_by_itself = sched_exited(s);
	if (sched_wants_restart(s)) {
		log_info("cpu hotplug during load; restarting the scheduler");
		ret = -1;
		goto out;
	}
	if (o->stats_secs)
		print_stats(s, o->json);
	sched_detach(s);
	ret = sched_report_exit(s);
	if (exited_by_itself && !ret)
		ret = 3;	/* unregistered by someone else (sysrq, kernel): not our doing */
	if (!exited_by_itself)
		log_info("detached on signal %d", (int)stop_signal);
out:
	sched_destroy(s);
	free(h);
	return ret;
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
