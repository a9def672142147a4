// SPDX-License-Identifier: GPL-2.0
/*
 * `scx_errata stop`: end the pinned scheduler whether or not a daemon drives it. A running
 * daemon is asked to stop (SIGTERM) so that it reports the exit itself; with none, this
 * command ends the fence (BPF stops arming first), marks every recorded VM's page not live,
 * detaches the scheduler and removes the pins. Stopping nothing is not an error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "scheduler.h"
#include "stop.h"
#include "vm.h"

static void usage(FILE *out)
{
	fprintf(out,
"usage: scx_errata stop [-h]\n"
"Stop the scx_errata scheduler pinned under " SCXE_PIN_DIR ": every VM's fence is marked not\n"
"live and every slot disarmed, the scheduler detached and the pins removed. A running\n"
"daemon is sent SIGTERM and waited for. Exits 0 when nothing runs afterwards.\n");
}

/* Every recorded VM's page says "no fence" (BPF clears armed too; the header is ours). */
static void disarm_recorded_vms(struct sched *s)
{
	static struct vm vm;
	struct scxe_vm_rec rec;
	char err[PATH_MAX + 256];

	for (__u32 id = 0; id < SCXE_MAX_VMS; id++) {
		if (sched_read_vm(s, id, &rec))
			continue;
		vm.readonly = false;
		if (vm_open_record(&vm, id, &rec, err, sizeof(err))) {
			log_warn("vm %u: %s", id, err);
			continue;
		}
		vm_disarm(&vm);
		vm_close(&vm);
	}
}

static int wait_gone(pid_t pid, int secs)
{
	for (int i = 0; i < secs * 20; i++) {
		if (kill(pid, 0) && errno == ESRCH)
			return 0;
		usleep(50000);
	}
	return -1;
}

int stop_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sched_cfg cfg;
	struct sched *s;
	enum sched_pinned pinned;
	pid_t daemon;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		log_err("unknown option '%s'; see 'scx_errata stop -h'", argv[optind - 1]);
		return 1;
	}
	if (optind < argc) {
		log_err("unexpected argument '%s'; see 'scx_errata stop -h'", argv[optind]);
		return 1;
	}
	if (geteuid()) {
		log_err("stop needs root (it detaches a BPF scheduler and removes its pins)");
		return 1;
	}
	pinned = sched_pinned_state();
	if (pinned == SCHED_PIN_NONE) {
		log_info("nothing to stop: no scheduler is pinned under %s", SCXE_PIN_DIR);
		return 0;
	}
	s = sched_adopt(&cfg);
	if (!s) {
		sched_unpin();
		log_info("removed unusable pins under %s", SCXE_PIN_DIR);
		return 0;
	}
	daemon = sched_daemon_alive(s);
	if (pinned == SCHED_PIN_LIVE && daemon) {
		/* its own cleanup ends the fence, detaches, unpins and reports */
		sched_release(s);
		sched_destroy(s);
		if (kill(daemon, SIGTERM) || wait_gone(daemon, 10)) {
			log_err("scx_errata (pid %d) did not exit within 10 s of SIGTERM; try kill -INT %d", daemon, daemon);
			return 1;
		}
		log_info("stopped scx_errata (pid %d)", daemon);
		return sched_pinned_state() == SCHED_PIN_NONE ? 0 : 1;
	}
	sched_end_fence(s);
	disarm_recorded_vms(s);
	if (pinned == SCHED_PIN_STALE) {
		sched_release(s);	/* nothing left to detach */
		sched_unpin();
		log_info("removed the pins of a scheduler that had already exited");
	} else {
		sched_stop(s);
		log_info("stopped the pinned scheduler");
	}
	sched_report_exit(s);
	sched_destroy(s);
	return 0;
}
