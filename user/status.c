// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata status [--json]`: what the pinned scheduler does right now, read from its pins
 * and from each paired VM's shared file (mapped read-only), so it answers the same whether
 * a daemon runs, died, or never existed. Needs root only to open the pins.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "log.h"
#include "scheduler.h"
#include "status.h"
#include "vm.h"

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata status [--json] [-h]\n"
"Show the scx_errata scheduler pinned under " SCXE_PIN_DIR ": its settings, whether a daemon\n"
"drives it, whether the fence is on, its counters, and for every paired VM each vCPU's\n"
"thread, armed state, current core type and CPU, windows, forced moves and expired holds.\n"
"  --json   one JSON object on stdout (errors as {\"error\": \"...\"})\n");
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

	vm.readonly = true;
	open = vm_open_record(&vm, id, rec, err, sizeof(err)) == 0;
	if (j) {
		json_obj(j, NULL);
		json_uint(j, "id", id);
		json_int(j, "pid", rec->pid);
		json_bool(j, "alive", alive);
		json_str(j, "path", rec->path);
		if (open)
			json_bool(j, "fence_live", vm.hdr->fence_live != 0);
		else
			json_str(j, "error", err);
		json_arr(j, "vcpus");
	} else {
		printf("vm %u: pid %d%s, %s", id, rec->pid, alive ? "" : " (gone)", rec->path);
		if (open)
			printf(", %u slots, fence_live %u\n", vm.nr_slots, vm.hdr->fence_live);
		else
			printf(" (%s)\n", err);
	}
	for (__u32 i = 0; open && i < SCXE_MAX_VCPUS; i++) {
		struct scxe_reg r;
		const struct scxe_slot *sl;

		if (sched_read_reg(st->s, i, &r) || r.vm_id != id || r.vcpu >= vm.nr_slots)
			continue;
		sl = vm_slot(&vm, r.vcpu);
		if (j) {
			json_obj(j, NULL);
			json_uint(j, "index", r.vcpu);
			json_uint(j, "tid", r.tid);
			json_bool(j, "armed", sl->armed != 0);
			if (sl->cur_type == SCXE_ABI_TYPE_NONE)
				json_null(j, "cur_type");
			else
				json_uint(j, "cur_type", sl->cur_type);
			json_uint(j, "cur_cpu", sl->cur_cpu);
			json_bool(j, "in_errata", sl->in_errata != 0);
			json_uint(j, "windows", sl->windows);
			json_uint(j, "fenced_switchouts", sl->fenced_switchouts);
			json_uint(j, "forced_moves", sl->forced_moves);
			json_uint(j, "expired_holds", sl->expired_holds);
			json_end(j);
		} else {
			printf("  vcpu %u: tid %u armed %u type %d cpu %d in_errata %u windows %u fenced_switchouts %u forced %u expired %u\n",
			       r.vcpu, r.tid, sl->armed != 0, (int)sl->cur_type, (int)sl->cur_cpu,
			       sl->in_errata != 0, sl->windows, sl->fenced_switchouts, sl->forced_moves,
			       sl->expired_holds);
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
		       strcmp(st->state, "disabled") ? "; an unpinned or other scheduler runs" : "");
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
	printf("settings: mode %s, slice %llu us, max hold %llu ms, %s\n", mode_name(st->cfg.mode),
	       (unsigned long long)st->cfg.slice_ns / 1000,
	       (unsigned long long)st->cfg.max_hold_ns / 1000000,
	       st->cfg.enforce ? "enforcing" : "not enforcing (--no-enforce)");
	printf("fence: %s\n", st->off_why == SCXE_OFF_NONE ? "on" : sched_off_names[st->off_why]);
	printf("stats:");
	for (int i = 0; i < SCXE_NR_STATS; i++)
		printf(" %s=%llu", sched_stat_names[i], (unsigned long long)st->stats[i]);
	printf("\n");
	show_vms(st, NULL);
}

static int fail(bool json, const char *msg)
{
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_obj(&j, NULL);
		json_str(&j, "error", msg);
		json_finish(&j);
	} else {
		log_err("%s", msg);
	}
	return 1;
}

int status_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct status st = { 0 };
	bool json = false;
	char msg[256];
	int c;

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
		snprintf(msg, sizeof(msg), "unknown option '%s'; see 'scx_errata status -h'", argv[optind - 1]);
		return fail(json, msg);
	}
	if (optind < argc) {
		snprintf(msg, sizeof(msg), "unexpected argument '%s'; see 'scx_errata status -h'", argv[optind]);
		return fail(json, msg);
	}
	read_state(st.state, sizeof(st.state));
	st.pinned = sched_pinned_state();
	if (st.pinned != SCHED_PIN_NONE) {
		if (geteuid())
			return fail(json, "status needs root to open the pins under " SCXE_PIN_DIR);
		st.s = sched_adopt(&st.cfg);
		if (!st.s)
			return fail(json, "cannot open the pinned scheduler; 'scx_errata stop' removes broken pins");
		st.daemon = sched_daemon_alive(st.s);
		st.off_why = sched_fence_off(st.s, NULL);
		sched_read_stats(st.s, st.stats);
	}
	if (json)
		show_json(&st);
	else
		show_text(&st);
	if (st.s) {
		sched_release(st.s);
		sched_destroy(st.s);
	}
	return 0;
}
