// SPDX-License-Identifier: GPL-2.0
/*
 * prog_cost: what a run of each of the scheduler's BPF programs costs, from the kernel's
 * own accounting (kernel.bpf_stats_enabled=1 makes it keep run_time_ns and run_cnt for
 * every program), sampled every --interval-ms for --seconds while a load runs beside it.
 *
 *   prog_cost [--type struct_ops] [--prefix errata_] [--seconds S] [--interval-ms I]
 *
 * One line per matching program, then one for all of them together (prog=all):
 *
 *   prog_cost: prog=NAME calls=N mean_ns=M median_ns=D intervals=K
 *
 * mean_ns is run_time_ns / run_cnt over the whole run; median_ns the median of the same
 * ratio over the K intervals that had calls. Both, because under single-threaded TCG all
 * vCPUs share one host thread, which leaves a vCPU that does not idle only at its 100 ms
 * kick: a program running at that moment, or spinning on a lock whose holder is not the
 * vCPU executing, is charged whatever the other vCPUs ran meanwhile, up to hundreds of ms
 * for one call. Those few calls dominate the mean and land in few intervals; the median
 * of the intervals leaves them out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "opt_num.h"

#define MAX_PROGS	64
#define NSEC		1000000000ll

#define die(...)	do { fprintf(stderr, "prog_cost: " __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)

struct prog {
	char		name[128];
	int		fd;
	__u64		time0, cnt0;	/* at the start */
	__u64		time, cnt;	/* at the last sample */
	double		*ratio;		/* ns per call, one per interval with calls */
	int		nr;
};

static const char *prefix = "errata_";
static __u32 prog_type = BPF_PROG_TYPE_STRUCT_OPS;
static long seconds = 5;
static long interval_ms = 250;

static void usage(FILE *f)
{
	fprintf(f,
"usage: prog_cost [options]\n"
"Sample run_time_ns and run_cnt of BPF programs (needs kernel.bpf_stats_enabled=1) and\n"
"print the cost per call of each, over the whole run and as the median of the intervals.\n"
"\n"
"  --type T           program type: struct_ops (default) or any\n"
"  --prefix P         only programs whose name starts with P (default errata_)\n"
"  --seconds S        how long to sample, whole seconds (default 5)\n"
"  --interval-ms I    sampling interval (default 250)\n"
"  -h, --help         this help\n");
}

static void parse_opts(int argc, char **argv)
{
	enum { O_TYPE = 256, O_PREFIX, O_SECONDS, O_INTERVAL };
	static const struct option lo[] = {
		{ "type", required_argument, NULL, O_TYPE },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "interval-ms", required_argument, NULL, O_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_TYPE:
			if (!strcmp(optarg, "struct_ops"))
				prog_type = BPF_PROG_TYPE_STRUCT_OPS;
			else if (!strcmp(optarg, "any"))
				prog_type = BPF_PROG_TYPE_UNSPEC;
			else
				die("--type '%s': expected struct_ops or any", optarg);
			break;
		case O_PREFIX:
			prefix = optarg;
			break;
		case O_SECONDS:
			seconds = opt_num("prog_cost", "--seconds", optarg, 1, 3600);
			break;
		case O_INTERVAL:
			interval_ms = opt_num("prog_cost", "--interval-ms", optarg, 10, 60000);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see -h)", argv[optind]);
}

/*
 * The program's name as its source spells it: the kernel keeps only 15 characters in
 * bpf_prog_info.name (errata_select_c), the BTF of its first function the whole of it.
 */
static void full_name(int fd, const struct bpf_prog_info *info, char *buf, size_t len)
{
	struct bpf_func_info fi;
	struct bpf_prog_info fin = {
		.nr_func_info = 1,
		.func_info_rec_size = sizeof(fi),
		.func_info = (__u64)(unsigned long)&fi,
	};
	__u32 fin_len = sizeof(fin);
	const struct btf_type *t;
	struct btf *btf;

	snprintf(buf, len, "%s", info->name);
	if (!info->btf_id || !info->nr_func_info || bpf_prog_get_info_by_fd(fd, &fin, &fin_len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, fi.type_id);
	if (t)
		snprintf(buf, len, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
}

static int find_progs(struct prog *progs)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;	/* unloaded since the id was listed */
		if (bpf_prog_get_info_by_fd(fd, &info, &len) ||
		    (prog_type != BPF_PROG_TYPE_UNSPEC && info.type != prog_type)) {
			close(fd);
			continue;
		}
		full_name(fd, &info, progs[n].name, sizeof(progs[n].name));
		if (strncmp(progs[n].name, prefix, strlen(prefix))) {
			close(fd);
			continue;
		}
		if (n == MAX_PROGS)
			die("more than %d programs match '%s'", MAX_PROGS, prefix);
		progs[n].fd = fd;
		progs[n].time0 = progs[n].time = info.run_time_ns;
		progs[n].cnt0 = progs[n].cnt = info.run_cnt;
		n++;
	}
	if (errno != ENOENT)
		die("listing BPF programs: %s", strerror(errno));
	return n;
}

static void sample(struct prog *p)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_prog_get_info_by_fd(p->fd, &info, &len))
		die("reading program %s: %s", p->name, strerror(errno));
	if (info.run_cnt > p->cnt)
		p->ratio[p->nr++] = (double)(info.run_time_ns - p->time) / (info.run_cnt - p->cnt);
	p->time = info.run_time_ns;
	p->cnt = info.run_cnt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(struct prog *p)
{
	__u64 calls = p->cnt - p->cnt0;
	double median = 0;

	qsort(p->ratio, p->nr, sizeof(*p->ratio), cmp_double);
	if (p->nr)
		median = p->nr % 2 ? p->ratio[p->nr / 2] :
			 (p->ratio[p->nr / 2 - 1] + p->ratio[p->nr / 2]) / 2;
	printf("prog_cost: prog=%s calls=%llu mean_ns=%.0f median_ns=%.0f intervals=%d\n", p->name,
	       (unsigned long long)calls, calls ? (double)(p->time - p->time0) / calls : 0.0,
	       median, p->nr);
}

int main(int argc, char **argv)
{
	static struct prog progs[MAX_PROGS], all = { .name = "all" };
	long long next, interval;
	int n, max_intervals;
	struct timespec ts;

	parse_opts(argc, argv);
	interval = interval_ms * 1000000ll;
	n = find_progs(progs);
	if (!n)
		die("no %sprogram named %s* is loaded", prog_type == BPF_PROG_TYPE_STRUCT_OPS ?
		    "struct_ops " : "", prefix);
	max_intervals = seconds * 1000 / interval_ms + 2;
	for (int i = 0; i <= n; i++) {
		struct prog *p = i < n ? &progs[i] : &all;

		p->ratio = calloc(max_intervals, sizeof(*p->ratio));
		if (!p->ratio)
			die("allocating %d samples: %s", max_intervals, strerror(errno));
	}
	for (int i = 0; i < n; i++) {
		all.time0 += progs[i].time0;
		all.cnt0 += progs[i].cnt0;
	}
	all.time = all.time0;
	all.cnt = all.cnt0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	next = ts.tv_sec * NSEC + ts.tv_nsec;
	for (int k = 0; k < max_intervals - 1 && k * interval_ms < seconds * 1000; k++) {
		__u64 t = 0, c = 0;

		next += interval;
		ts.tv_sec = next / NSEC;
		ts.tv_nsec = next % NSEC;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		for (int i = 0; i < n; i++) {
			sample(&progs[i]);
			t += progs[i].time;
			c += progs[i].cnt;
		}
		/* all together: the same ratio over the sums */
		if (c > all.cnt)
			all.ratio[all.nr++] = (double)(t - all.time) / (c - all.cnt);
		all.time = t;
		all.cnt = c;
	}
	for (int i = 0; i < n; i++)
		report(&progs[i]);
	report(&all);
	return 0;
}
