#!/bin/sh
# The fence fails closed: whatever ends enforcement, every slot reads armed=0 (and the
# header fence_live=0) no later than sched_ext leaves "enabled", the moment the kernel
# switches to bypass and stops running our placements. A real-time sampler (disarm_watch,
# ~1 ms period) reads the state and the VM's page while, with real KVM vCPUs running errata
# windows under load, the enforcement is ended three ways:
#   kill     SIGKILL of an unpinned loader (--no-pin), 20 trials: the scheduler dies with it
#   stop     `scx_errata stop` of a pinned scheduler whose daemon was killed first, 4 trials
#   eject    an error ejection (--inject-fault eject-on-trigger) of a pinned scheduler whose
#            daemon was killed first, 4 trials: nothing in user space is left to help
# Each trial must see disarm_minus_state_us <= 0; the worst of each path is reported. After
# each path the guest-side reader must report no guarantee.
. /scxe/cases/fence_lib.sh

KILL_TRIALS=${KILL_TRIALS:-20}
OTHER_TRIALS=${OTHER_TRIALS:-4}
LOG=/tmp/daemon.log
RES=/tmp/disarm.res
: >"$RES"

e2e_start_vmm "--vcpus 2 --load 2 --spin-in 20000 --spin-out 2000 --block-in-every 2
	--in-action yield --block-out-every 2 --out-action sleep --run-until-signal"
trap 'kill -INT $E2E_PID 2>/dev/null; scx_errata stop >/dev/null 2>&1' EXIT

# trial PATH: one measurement; its disarm: line goes to $RES
trial() {
	dmesg -c >/dev/null
	case $1 in
	kill)
		daemon_bg "$LOG" --no-pin
		disarm_watch --shm "$E2E_SHM" --vcpus 2 --timeout 60 --kill "$DAEMON" >/tmp/dw.out 2>/tmp/dw.err
		;;
	stop|eject)
		[ "$1" = eject ] && fault="--inject-fault eject-on-trigger" || fault=""
		# shellcheck disable=SC2086 # an optional word
		daemon_bg "$LOG" $fault
		wait_state enabled 60 || fail "$1: the scheduler did not attach: $(tail -n 3 "$LOG")"
		wait_armed 2 60 || fail "$1: the vCPU slots were never armed"
		kill -9 "$DAEMON"
		wait "$DAEMON" 2>/dev/null
		[ "$(sched_state)" = enabled ] || fail "$1: the pinned scheduler did not outlive its daemon"
		if [ "$1" = stop ]; then
			disarm_watch --shm "$E2E_SHM" --vcpus 2 --timeout 60 --run "scx_errata stop" \
				>/tmp/dw.out 2>/tmp/dw.err
		else
			disarm_watch --shm "$E2E_SHM" --vcpus 2 --timeout 60 --eject-trigger \
				>/tmp/dw.out 2>/tmp/dw.err
		fi
		;;
	esac
	rc=$?
	wait "$DAEMON" 2>/dev/null
	wait_state disabled 30 || fail "$1: sched_ext still $(sched_state)"
	cat /tmp/dw.out
	[ $rc -eq 0 ] || { cat /tmp/dw.err; fail "$1: disarm_watch exit $rc"; }
	if [ "$1" = eject ]; then
		# the pins outlive the ejection: status tells why, stop clears them
		scx_errata status --json >/tmp/status.json || fail "eject: status failed"
		grep -q '"loaded":false' /tmp/status.json && grep -q 'injected fault: scxe_eject' /tmp/status.json ||
			{ cat /tmp/status.json; fail "eject: status does not report the ejection"; }
		scx_errata stop >/dev/null 2>&1 || fail "eject: stop could not clear the pins"
	fi
	d=$(sed -n 's/.* disarm_minus_state_us=\([-0-9]*\) .*/\1/p' /tmp/dw.out)
	[ -n "$d" ] || fail "$1: no disarm_minus_state_us"
	[ "$d" -le 0 ] || { cat /tmp/dw.err; fail "$1: a slot still read armed ${d} us after the state left enabled"; }
	echo "$1 $(cat /tmp/dw.out)" >>"$RES"
}

# the guest's view once the scheduler is gone: no guarantee
assert_reader_no_guarantee() {
	scxe_guest --file "$E2E_SHM" --vcpu 0 >/tmp/reader.out 2>&1
	grep -q 'fence: not live' /tmp/reader.out || { cat /tmp/reader.out; fail "$1: the guest-side reader still sees a live fence"; }
	grep -q 'no guarantee' /tmp/reader.out || { cat /tmp/reader.out; fail "$1: the guest-side reader does not report 'no guarantee'"; }
}

summary() { # PATH
	awk -v p="$1" '
	$1 == p {
		n++
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (n == 1 || v["disarm_minus_state_us"] + 0 > d) d = v["disarm_minus_state_us"] + 0
		if (n == 1 || v["disarmed_us"] + 0 > t) t = v["disarmed_us"] + 0
		if (v["resolution_us"] + 0 > r) r = v["resolution_us"] + 0
	}
	END { printf "disarm-summary: path=%s trials=%d worst_disarm_minus_state_us=%d worst_trigger_to_disarm_us=%d worst_resolution_us=%d\n", p, n, d, t, r }' "$RES"
}

for path in kill stop eject; do
	[ $path = kill ] && n=$KILL_TRIALS || n=$OTHER_TRIALS
	for t in $(seq 1 "$n"); do
		trial $path
	done
	assert_reader_no_guarantee $path
	summary $path
done
[ -d /sys/fs/bpf/scx_errata ] && fail "pins left behind after the last trial"
vmm_stop >/dev/null
exit 0
