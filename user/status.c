// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata status [--json|--prometheus]`: what the pinned scheduler does right now, read
 * from its pins and from each paired VM's shared file (mapped read-only), so it answers the
 * same whether a daemon runs, died, or never existed. Needs root only to open the pins.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "log.h"
#include "parse.h"
#include "scheduler.h"
#include "status.h"
#include "vm.h"

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata status [--json | --prometheus] [-h]\n"
"Show the scx_errata scheduler pinned under " SCXE_PIN_DIR ": its settings, whether a daemon\n"
"drives it, whether the fence is on, its counters, and for every paired VM each vCPU's\n"
"thread, armed state, current core type and CPU, windows, forced moves and expired holds.\n"
"  --json         one JSON object on stdout (errors as {\"error\": \"...\"})\n"
"  --prometheus   Prometheus text format for node_exporter's textfile collector (errors on\n"
"                 stderr only, so a failed run writes nothing)\n");
}

struct status {
	struct sched *s;
	struct sched_cfg cfg;
	enum sched_pinned pinned;
	char state[32];		/* /sys/kernel/sched_ext/state */
	pid_t daemon;		/* alive, else 0 */
	__u64 stats[SCXE_NR_STATS];
	__u32 off_why;
};

static const char *mode_name(__u32 mode)
{
	return mode == SCXE_MODE_SAME_CPU ? "same-cpu" : "same-type";
}

static void read_state(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/sched_ext/state", "r");

	snprintf(buf, len, "missing");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* One VM: its record, its page (read-only), and the vCPUs the registry lists for it. */
static void show_vm(struct status *st, __u32 id, const struct scxe_vm_rec *rec, struct json *j)
{
	static struct vm vm;
	char err[PATH_MAX + 256];
	bool alive = kill(rec->pid, 0) == 0 || errno == EPERM, open;
	__u32 live = 0;

	vm.readonly = true;
	open = vm_open_record(&vm, id, rec, err, sizeof(err)) == 0;
	/* the VMM may truncate its file at any moment: every read of the page is guarded */
	if (open && vm_read_u32(&vm, &vm.hdr->fence_live, &live)) {
		snprintf(err, sizeof(err), "%s shrank while being read", vm.path);
		open = false;
	}
	if (j) {
		json_obj(j, NULL);
		json_uint(j, "id", id);
		json_int(j, "pid", rec->pid);
		json_bool(j, "alive", alive);
		json_str(j, "path", rec->path);
		if (open)
			json_bool(j, "fence_live", live != 0);
		else
			json_str(j, "error", err);
		json_arr(j, "vcpus");
	} else {
		printf("vm %u: pid %d%s, %s", id, rec->pid, alive ? "" : " (gone)", rec->path);
		if (open)
			printf(", %u slots, fence_live %u\n", vm.nr_slots, live);
		else
			printf(" (%s)\n", err);
	}
	/*
	 * Everything but in_errata comes from BPF's own record (map vcpu_stats): the slot's
	 * copies are guest memory, and a guest may write anything there.
	 */
	for (__u32 i = 0; i < SCXE_MAX_VCPUS; i++) {
		struct scxe_vcpu_stats vs;
		struct scxe_reg r;
		int in_errata = -1;	/* unknown: the page did not open (a guest may wreck it) */

		if (sched_read_reg(st->s, i, &r) || r.vm_id != id || r.vcpu >= rec->nr_slots)
			continue;
		sched_read_vcpu_stats(st->s, i, &r, &vs);
		if (open && r.vcpu < vm.nr_slots) {
			__u32 flag;

			if (!vm_read_u32(&vm, &vm_slot(&vm, r.vcpu)->in_errata, &flag))
				in_errata = flag != 0;
		}
		if (j) {
			json_obj(j, NULL);
			json_uint(j, "index", r.vcpu);
			json_uint(j, "tid", r.tid);
			json_bool(j, "armed", vs.armed != 0);
			if (vs.cur_type == SCXE_ABI_TYPE_NONE) {
				json_null(j, "cur_type");
				json_null(j, "cur_cpu");
			} else {
				json_uint(j, "cur_type", vs.cur_type);
				json_uint(j, "cur_cpu", vs.cur_cpu);
			}
			if (in_errata < 0)
				json_null(j, "in_errata");
			else
				json_bool(j, "in_errata", in_errata);
			json_uint(j, "windows", vs.windows);
			json_uint(j, "fenced_switchouts", vs.fenced_switchouts);
			json_uint(j, "forced_moves", vs.forced_moves);
			json_uint(j, "expired_holds", vs.expired_holds);
			json_uint(j, "budget_releases", vs.budget_releases);
			json_uint(j, "held_us", vs.held_ns / 1000);
			json_uint(j, "longest_hold_us", vs.longest_hold_ns / 1000);
			json_end(j);
		} else {
			printf("  vcpu %u: tid %u armed %u type %d cpu %d in_errata %d windows %llu fenced_switchouts %llu forced %llu expired %llu budget %llu held %llu ms longest %llu us\n",
			       r.vcpu, r.tid, vs.armed != 0, (int)vs.cur_type, (int)vs.cur_cpu, in_errata,
			       (unsigned long long)vs.windows, (unsigned long long)vs.fenced_switchouts,
			       (unsigned long long)vs.forced_moves, (unsigned long long)vs.expired_holds,
			       (unsigned long long)vs.budget_releases,
			       (unsigned long long)vs.held_ns / 1000000,
			       (unsigned long long)vs.longest_hold_ns / 1000);
		}
	}
	if (j) {
		json_end(j);
		json_end(j);
	}
	if (open)
		vm_close(&vm);
}

static void show_vms(struct status *st, struct json *j)
{
	struct scxe_vm_rec rec;

	if (j)
		json_arr(j, "vms");
	for (__u32 id = 0; id < SCXE_MAX_VMS; id++)
		if (!sched_read_vm(st->s, id, &rec))
			show_vm(st, id, &rec, j);
	if (j)
		json_end(j);
}

static void show_json(struct status *st)
{
	struct json j;

	json_init(&j, stdout);
	json_obj(&j, NULL);
	json_str(&j, "state", st->state);
	json_bool(&j, "pinned", st->pinned != SCHED_PIN_NONE);
	json_bool(&j, "loaded", st->pinned == SCHED_PIN_LIVE);
	if (st->s) {
		const struct scxe_exit_info *ei = sched_exit_info(st->s);

		if (st->daemon)
			json_int(&j, "daemon_pid", st->daemon);
		else
			json_null(&j, "daemon_pid");
		json_str(&j, "mode", mode_name(st->cfg.mode));
		json_uint(&j, "slice_us", st->cfg.slice_ns / 1000);
		json_uint(&j, "max_hold_ms", st->cfg.max_hold_ns / 1000000);
		json_uint(&j, "hold_budget_pct", st->cfg.hold_budget_pct);
		json_bool(&j, "enforce", st->cfg.enforce);
		json_bool(&j, "fence_on", st->off_why == SCXE_OFF_NONE);
		json_str(&j, "fence_off_by", sched_off_names[st->off_why]);
		if (ei->kind) {
			json_obj(&j, "exit");
			json_int(&j, "kind", ei->kind);
			json_str(&j, "reason", ei->reason);
			json_str(&j, "msg", ei->msg);
			json_end(&j);
		}
		json_obj(&j, "stats");
		for (int i = 0; i < SCXE_NR_STATS; i++)
			json_uint(&j, sched_stat_names[i], st->stats[i]);
		json_end(&j);
		show_vms(st, &j);
	}
	json_finish(&j);
}

static void show_text(struct status *st)
{
	const struct scxe_exit_info *ei;

	if (!st->s) {
		printf("scheduler: nothing pinned under %s (sched_ext %s%s)\n", SCXE_PIN_DIR, st->state,
		       strcmp(st->state, "disabled") && strcmp(st->state, "missing") ?
		       "; an unpinned or other scheduler runs" : "");
		return;
	}
	ei = sched_exit_info(st->s);
	if (st->pinned == SCHED_PIN_LIVE)
		printf("scheduler: running, pinned under %s%s\n", SCXE_PIN_DIR,
		       st->daemon ? "" : "; no daemon ('scx_errata run' adopts it)");
	else
		printf("scheduler: exited (%s%s%s), pins left under %s ('scx_errata stop' removes them)\n",
		       ei->reason, ei->msg[0] ? ": " : "", ei->msg, SCXE_PIN_DIR);
	if (st->daemon)
		printf("daemon: pid %d\n", st->daemon);
	printf("settings: mode %s, slice %llu us, max hold %llu ms, hold budget %u%%, %s\n",
	       mode_name(st->cfg.mode), (unsigned long long)st->cfg.slice_ns / 1000,
	       (unsigned long long)st->cfg.max_hold_ns / 1000000, st->cfg.hold_budget_pct,
	       st->cfg.enforce ? "enforcing" : "not enforcing (--no-enforce)");
	printf("fence: %s\n", st->off_why == SCXE_OFF_NONE ? "on" : sched_off_names[st->off_why]);
	printf("stats:");
	for (int i = 0; i < SCXE_NR_STATS; i++)
		printf(" %s=%llu", sched_stat_names[i], (unsigned long long)st->stats[i]);
	printf("\n");
	show_vms(st, NULL);
}

/*
 * --prometheus: the text exposition format node_exporter's textfile collector reads. Every
 * metric family is printed once, HELP and TYPE first and all its samples together (the
 * collector rejects a file that repeats a family), so everything is read before anything
 * is printed.
 */
struct prom_vm {
	__u32 id;
	__u32 pid;
	char path[SCXE_VM_PATH_LEN + 1];
	bool alive;
	bool readable;		/* the shared file opened; fence_live is valid */
	__u32 fence_live;
	__u32 nr_vcpus;
};

struct prom_vcpu {
	__u32 vm, vcpu, armed;
	__u64 windows, fenced_switchouts, forced_moves, expired_holds, budget_releases, held_ns;
};

struct prom {
	int nr_vms, nr_vcpus;
	struct prom_vm vm[SCXE_MAX_VMS];
	struct prom_vcpu vcpu[SCXE_MAX_VCPUS];
};

/*
 * A label value: backslash, double quote and newline escaped as the format requires; a byte
 * that is not UTF-8 (a path can hold any byte) becomes U+FFFD, since the collector refuses
 * invalid UTF-8 and would drop the whole file. Not static: tests/unit checks it.
 */
void status_prom_label_value(FILE *f, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; ) {
		size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);

		if (s[i] == '\\')
			fputs("\\\\", f);
		else if (s[i] == '"')
			fputs("\\\"", f);
		else if (s[i] == '\n')
			fputs("\\n", f);
		else if (!l)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(s + i, 1, l, f);
		i += l ? l : 1;
	}
}

static void prom_family(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_vm_labels(const struct prom_vm *v)
{
	printf("{vm=\"%u\",pid=\"%u\",path=\"", v->id, v->pid);
	status_prom_label_value(stdout, v->path);
	printf("\"}");
}

static void prom_collect(struct status *st, struct prom *p)
{
	static struct vm vm;
	struct scxe_vm_rec rec;
	char err[PATH_MAX + 256];

	for (__u32 id = 0; id < SCXE_MAX_VMS; id++) {
		struct prom_vm *v;

		if (sched_read_vm(st->s, id, &rec))
			continue;
		v = &p->vm[p->nr_vms++];
		v->id = id;
		v->pid = rec.pid;
		snprintf(v->path, sizeof(v->path), "%.*s", (int)sizeof(rec.path), rec.path);
		v->alive = kill(rec.pid, 0) == 0 || errno == EPERM;
		vm.readonly = true;
		if (!vm_open_record(&vm, id, &rec, err, sizeof(err))) {
			v->readable = !vm_read_u32(&vm, &vm.hdr->fence_live, &v->fence_live);
			vm_close(&vm);
		}
		/* the scheduler's record, whatever the guest did to its page */
		for (__u32 i = 0; i < SCXE_MAX_VCPUS && p->nr_vcpus < (int)SCXE_MAX_VCPUS; i++) {
			struct scxe_vcpu_stats vs;
			struct prom_vcpu *c;
			struct scxe_reg r;

			if (sched_read_reg(st->s, i, &r) || r.vm_id != id || r.vcpu >= rec.nr_slots)
				continue;
			/* BPF's record, not the slot's copies: those are guest memory */
			sched_read_vcpu_stats(st->s, i, &r, &vs);
			c = &p->vcpu[p->nr_vcpus++];
			*c = (struct prom_vcpu){
				.vm = id, .vcpu = r.vcpu, .armed = vs.armed != 0,
				.windows = vs.windows, .fenced_switchouts = vs.fenced_switchouts,
				.forced_moves = vs.forced_moves, .expired_holds = vs.expired_holds,
				.budget_releases = vs.budget_releases, .held_ns = vs.held_ns,
			};
			v->nr_vcpus++;
		}
	}
}

static void show_prometheus(struct status *st)
{
	static struct prom p;	/* ~45 KiB: not on the stack */
	static const struct {
		const char *name, *help;
		size_t off;
	} vcpu_counters[] = {
		{ "scx_errata_vcpu_windows_total",
		  "Errata windows the scheduler saw begin while enforcing.",
		  offsetof(struct prom_vcpu, windows) },
		{ "scx_errata_vcpu_fenced_switchouts_total",
		  "Times the vCPU thread was descheduled while held in a window.",
		  offsetof(struct prom_vcpu, fenced_switchouts) },
		{ "scx_errata_vcpu_forced_moves_total",
		  "Windows moved off their type or CPU by affinity changes or hotplug.",
		  offsetof(struct prom_vcpu, forced_moves) },
		{ "scx_errata_vcpu_expired_holds_total",
		  "Windows released after the max hold time.",
		  offsetof(struct prom_vcpu, expired_holds) },
		{ "scx_errata_vcpu_budget_releases_total",
		  "Windows released or not held because the vCPU had used its hold budget.",
		  offsetof(struct prom_vcpu, budget_releases) },
	};

	prom_family("scx_errata_pinned", "gauge",
		    "1 when scx_errata pins exist under " SCXE_PIN_DIR ", even of a scheduler that exited.");
	printf("scx_errata_pinned %d\n", st->pinned != SCHED_PIN_NONE);
	prom_family("scx_errata_loaded", "gauge",
		    "1 while the pinned scx_errata scheduler is attached to the kernel.");
	printf("scx_errata_loaded %d\n", st->pinned == SCHED_PIN_LIVE);
	if (!st->s)
		return;

	prom_family("scx_errata_daemon_running", "gauge",
		    "1 while a 'scx_errata run' daemon drives the pinned scheduler.");
	printf("scx_errata_daemon_running %d\n", st->daemon != 0);
	prom_family("scx_errata_fence_on", "gauge",
		    "1 while the scheduler fences armed vCPUs; 0 once stop, unload or ejection ended it.");
	printf("scx_errata_fence_on %d\n", st->off_why == SCXE_OFF_NONE);
	prom_family("scx_errata_sched_events_total", "counter",
		    "Scheduler events since it was loaded, by kind (the stats of 'scx_errata status').");
	for (int i = 0; i < SCXE_NR_STATS; i++)
		printf("scx_errata_sched_events_total{event=\"%s\"} %llu\n", sched_stat_names[i],
		       (unsigned long long)st->stats[i]);
	prom_family("scx_errata_mode", "gauge", "Fence mode of the pinned scheduler, in the label; always 1.");
	printf("scx_errata_mode{mode=\"%s\"} 1\n", mode_name(st->cfg.mode));
	prom_family("scx_errata_enforce", "gauge", "1 when registered vCPUs are fenced, 0 with --no-enforce.");
	printf("scx_errata_enforce %d\n", st->cfg.enforce);
	prom_family("scx_errata_slice_seconds", "gauge", "Time slice of every task.");
	printf("scx_errata_slice_seconds %.9g\n", st->cfg.slice_ns / 1e9);
	prom_family("scx_errata_max_hold_seconds", "gauge",
		    "A window older than this is released; 0 = never.");
	printf("scx_errata_max_hold_seconds %.9g\n", st->cfg.max_hold_ns / 1e9);
	prom_family("scx_errata_hold_budget_ratio", "gauge",
		    "Share of wall time a vCPU may be held, however often its guest opens windows.");
	printf("scx_errata_hold_budget_ratio %.9g\n", st->cfg.hold_budget_pct / 100.0);

	prom_collect(st, &p);
	if (p.nr_vms) {
		prom_family("scx_errata_vm_alive", "gauge", "1 while the paired VMM process exists.");
		for (int i = 0; i < p.nr_vms; i++) {
			printf("scx_errata_vm_alive");
			prom_vm_labels(&p.vm[i]);
			printf(" %d\n", p.vm[i].alive);
		}
		prom_family("scx_errata_vm_file_readable", "gauge",
			    "1 when the VM's shared file could be opened and checked.");
		for (int i = 0; i < p.nr_vms; i++) {
			printf("scx_errata_vm_file_readable");
			prom_vm_labels(&p.vm[i]);
			printf(" %d\n", p.vm[i].readable);
		}
		prom_family("scx_errata_vm_fence_live", "gauge",
			    "1 while the VM's shared page says a host scheduler enforces armed slots.");
		for (int i = 0; i < p.nr_vms; i++) {
			/* unknown for a file that did not open: no sample rather than a guess */
			if (!p.vm[i].readable)
				continue;
			printf("scx_errata_vm_fence_live");
			prom_vm_labels(&p.vm[i]);
			printf(" %d\n", p.vm[i].fence_live != 0);
		}
		prom_family("scx_errata_vm_vcpus_registered", "gauge",
			    "vCPU threads of the VM registered with the scheduler.");
		for (int i = 0; i < p.nr_vms; i++) {
			printf("scx_errata_vm_vcpus_registered");
			prom_vm_labels(&p.vm[i]);
			printf(" %u\n", p.vm[i].nr_vcpus);
		}
	}
	if (!p.nr_vcpus)
		return;
	prom_family("scx_errata_vcpu_armed", "gauge",
		    "1 while the scheduler honours the vCPU's slot (guest windows are fenced).");
	for (int i = 0; i < p.nr_vcpus; i++)
		printf("scx_errata_vcpu_armed{vm=\"%u\",vcpu=\"%u\"} %u\n", p.vcpu[i].vm, p.vcpu[i].vcpu,
		       p.vcpu[i].armed);
	for (size_t k = 0; k < sizeof(vcpu_counters) / sizeof(vcpu_counters[0]); k++) {
		prom_family(vcpu_counters[k].name, "counter", vcpu_counters[k].help);
		for (int i = 0; i < p.nr_vcpus; i++)
			printf("%s{vm=\"%u\",vcpu=\"%u\"} %llu\n", vcpu_counters[k].name, p.vcpu[i].vm,
			       p.vcpu[i].vcpu, (unsigned long long)
			       *(const __u64 *)((const char *)&p.vcpu[i] + vcpu_counters[k].off));
	}
	prom_family("scx_errata_vcpu_held_seconds_total", "counter",
		    "Time the vCPU thread was held in windows, as charged to its hold budget.");
	for (int i = 0; i < p.nr_vcpus; i++)
		printf("scx_errata_vcpu_held_seconds_total{vm=\"%u\",vcpu=\"%u\"} %.9g\n", p.vcpu[i].vm,
		       p.vcpu[i].vcpu, p.vcpu[i].held_ns / 1e9);
}

static int fail(bool json, const char *msg)
{
	if (json)
		json_error(stdout, msg);
	else
		log_err("%s", msg);
	return 1;
}

int status_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct status st = { 0 };
	bool json = false, prom = false;
	char msg[256];
	int c;

	vm_guard_install();
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == 'j') {
			json = true;
			continue;
		}
		if (c == 'p') {
			prom = true;
			continue;
		}
		snprintf(msg, sizeof(msg), "unknown option '%s'; see 'scx_errata status -h'", argv[optind - 1]);
		return fail(json, msg);
	}
	if (optind < argc) {
		snprintf(msg, sizeof(msg), "unexpected argument '%s'; see 'scx_errata status -h'", argv[optind]);
		return fail(json, msg);
	}
	if (json && prom) {
		/* neither format can carry the error: plain stderr */
		log_err("--json and --prometheus exclude each other; pick one output format");
		return 1;
	}
	read_state(st.state, sizeof(st.state));
	/* a directory we may not look into says nothing about what it holds */
	if (geteuid() && access(SCXE_PIN_DIR, F_OK) && errno != ENOENT)
		return fail(json, "status needs root to look under " SCXE_PIN_DIR "; run it with sudo");
	st.pinned = sched_pinned_state();
	if (st.pinned != SCHED_PIN_NONE) {
		if (geteuid())
			return fail(json, "status needs root to open the pins under " SCXE_PIN_DIR "; run it with sudo");
		st.s = sched_adopt(&st.cfg);
		if (!st.s)
			return fail(json, "cannot open the pinned scheduler; 'scx_errata stop' removes broken pins");
		st.daemon = sched_daemon_alive(st.s);
		st.off_why = sched_fence_off(st.s, NULL);
		sched_read_stats(st.s, st.stats);
	}
	if (json)
		show_json(&st);
	else if (prom)
		show_prometheus(&st);
	else
		show_text(&st);
	if (st.s) {
		sched_release(st.s);
		sched_destroy(st.s);
	}
	/* a full disk must not look like success: `status --prometheus >f.tmp && mv` relies on it */
	if (fflush(stdout) || ferror(stdout)) {
		log_err("cannot write the status to stdout: %s", strerror(errno));
		return 1;
	}
	return 0;
}
