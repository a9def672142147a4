#!/bin/sh
# A scheduler that outlives its daemon, judged by the independent observer with real KVM
# vCPUs whose guests sit in errata windows most of the time (so windows are open whenever
# the daemon registers a thread).
#  pinned:   daemon started mid-window -> kill -9 -> (no daemon) -> restart, which adopts the
#            scheduler and every registration -> SIGQUIT (exits, leaves it running) -> restart,
#            adopts again -> stop. Every switch-out the observer saw while the slot read
#            armed stayed on its type (armed_violations=0), the fence was on at every
#            sample from the first registration on, and both restarts said they adopted.
#  unpinned: the same with --no-pin: the kill ends the fence, the vCPUs then move across
#            types inside windows (violations > 0: the check can fail), yet never while
#            their slot read armed (armed_violations=0), and the restart registers anew.
. /scxe/cases/fence_lib.sh

VMM="--vcpus 3 --load 2 --spin-in 40000 --spin-out 1000 --block-in-every 2 --in-action mix
	--block-out-every 4 --out-action sleep --run-until-signal --count-from-start"
DAEMON_OPTS="--max-hold-ms 0 --hold-budget 100 --slice-us 1000"
trap 'kill -INT $E2E_PID 2>/dev/null; scx_errata stop >/dev/null 2>&1' EXIT

get() { # KEY: from the VMM's result lines
	e2e_get "$1"
}

# --- pinned --------------------------------------------------------------------------------
e2e_start_vmm "$VMM"
# shellcheck disable=SC2086 # option lists
daemon_bg /tmp/d1.log $DAEMON_OPTS
wait_armed 3 60 || fail "pinned: slots never armed: $(tail -n 3 /tmp/d1.log)"
sleep 8
kill -9 "$DAEMON"; wait "$DAEMON" 2>/dev/null
sleep 1
[ "$(sched_state)" = enabled ] || fail "pinned: the scheduler died with its daemon"
[ "$(nr_armed 3)" = 3 ] || fail "pinned: slots disarmed although the pinned scheduler still runs"
scx_errata status >/tmp/status.txt || fail "status failed without a daemon"
grep -q 'no daemon' /tmp/status.txt || { cat /tmp/status.txt; fail "status does not say the daemon is gone"; }
sleep 4
daemon_bg /tmp/d2.log $DAEMON_OPTS
i=0
until grep -q 'adopted the pinned scheduler' /tmp/d2.log; do
	i=$((i + 1)); [ $i -gt 300 ] && { cat /tmp/d2.log; fail "pinned: the restarted daemon did not adopt"; }
	sleep 0.1
done
grep 'adopted' /tmp/d2.log
grep -q '3 vCPU threads still fenced' /tmp/d2.log || fail "pinned: the adoption lost registrations"
# a restart that asks for another mode is refused and changes nothing
scx_errata run --cpu-types "$SCXE_TYPES" --mode same-cpu --stats 0 >/tmp/d3.log 2>&1 &&
	fail "a second daemon started beside a running one"
grep -q 'already runs as pid' /tmp/d3.log || { cat /tmp/d3.log; fail "no reason given for refusing a second daemon"; }
sleep 8
kill -QUIT "$DAEMON"; wait "$DAEMON"
[ $? -eq 0 ] || fail "SIGQUIT: daemon exit status not 0"
grep -q 'keeps running' /tmp/d2.log || fail "SIGQUIT: the daemon did not say it left the scheduler running"
[ "$(sched_state)" = enabled ] || fail "SIGQUIT stopped the scheduler"
daemon_bg /tmp/d4.log $DAEMON_OPTS --mode same-cpu
wait "$DAEMON"
[ $? -eq 1 ] || fail "adopting with another --mode was not refused"
grep -q 'needs a reload' /tmp/d4.log || { cat /tmp/d4.log; fail "no one-line reason for refusing --mode"; }
[ "$(nr_armed 3)" = 3 ] || fail "a refused adoption disarmed slots"
daemon_bg /tmp/d5.log $DAEMON_OPTS
sleep 6
grep -q '3 vCPU threads still fenced' /tmp/d5.log || { cat /tmp/d5.log; fail "second adoption lost registrations"; }
vmm_stop
scx_errata stop || fail "stop failed"
[ -d /sys/fs/bpf/scx_errata ] && fail "stop left pins"
wait "$DAEMON"
armed_viol=$(get armed_violations)
armed_fso=$(get armed_fenced_switchouts)
[ "$armed_viol" -eq 0 ] || fail "pinned: $armed_viol armed switch-outs moved off their type"
[ "$armed_fso" -ge 2000 ] || fail "pinned: only $armed_fso armed fenced switch-outs observed"
note "pinned: armed_fenced_switchouts=$armed_fso armed_violations=$armed_viol across kill -9, two adoptions and SIGQUIT"

# --- unpinned: the kill ends the fence ------------------------------------------------------
e2e_start_vmm "$VMM"
daemon_bg /tmp/d6.log $DAEMON_OPTS --no-pin
wait_armed 3 60 || fail "unpinned: slots never armed"
sleep 6
kill -9 "$DAEMON"; wait "$DAEMON" 2>/dev/null
wait_state disabled 30 || fail "unpinned: the scheduler outlived its loader"
[ "$(nr_armed 3)" = 0 ] || fail "unpinned: slots still armed after the loader died"
sleep 8
daemon_bg /tmp/d7.log $DAEMON_OPTS --no-pin
wait_armed 3 60 || fail "unpinned: slots never re-armed after a restart"
sleep 6
vmm_stop
kill -INT "$DAEMON"; wait "$DAEMON"
[ "$(get violations)" -gt 0 ] || fail "unpinned: no violations after the fence ended: the observer cannot see them"
[ "$(get armed_violations)" -eq 0 ] || fail "unpinned: $(get armed_violations) moves while the slot read armed"
note "unpinned: violations=$(get violations) armed_violations=$(get armed_violations)"
exit 0
