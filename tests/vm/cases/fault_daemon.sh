#!/bin/sh
# needs: stress-ng
# The daemon dies and restarts under load for 60 s while the test VMM's 3 vCPUs are inside
# windows ~90% of the time, cycling: SIGKILL, restart; SIGQUIT, restart; SIGTERM, restart.
# The pinned scheduler outlives SIGKILL and SIGQUIT (enabled, every slot still armed) and
# the restarted daemon adopts it with every registration; SIGTERM stops it (every slot
# disarmed, the fence off) and the restart loads it anew and re-arms every slot.
# Expected: the independent observer sees 0 moves in windows while a slot read armed, across
# every restart; moves in windows do happen in the gaps after SIGTERM (violations > 0: the
# observer sees them when the fence is off), nothing forces a move and no hold expires; no
# ejection (only SIGTERM's own "unregistered from user space" in the kernel log).
. /scxe/cases/fault_lib.sh

NV=3
SCXE_LOG=/tmp/d0.log	# what fail() shows: the current daemon's log
trap 'kill -INT $E2E_PID 2>/dev/null; scx_errata stop >/dev/null 2>&1' EXIT

# daemon LOG: start one (fence_lib's daemon_bg) at nice -10, as a host would run it: at nice 0
# among the load's ~25 busy tasks a reload (BPF verification) takes minutes under TCG
daemon() {
	# shellcheck disable=SC2086 # option lists
	daemon_bg "$1" $FAULT_HOLD --slice-us 1000
	renice -n -10 -p "$DAEMON" >/dev/null || fail "cannot renice the daemon"
}

vmm_start "$E2E_SHM" "$E2E_OUT" "$FAULT_VMM"
E2E_PID=$VPID
daemon "$SCXE_LOG"
wait_armed $NV 60 || fail "slots never armed: $(tail -n 3 "$SCXE_LOG")"
wait_line "$E2E_OUT" '^e2e_vmm: registered' 90 || fail "the VMM's vCPUs were never registered"
tnote "armed; restarting the daemon under load for 60 s"
load_start 150
fault_begin
n=0 kills=0 quits=0 terms=0 adopted=0 reloaded=0
while [ "$(elapsed)" -lt 60 ]; do
	for how in KILL QUIT TERM; do
		sleep 3	# a daemon runs, windows fenced
		kill -"$how" "$DAEMON"
		wait "$DAEMON" 2>/dev/null
		rc=$?
		case $how in
		KILL)
			kills=$((kills + 1))
			sleep 0.5
			attached "after SIGKILL of the daemon"
			[ "$(nr_armed $NV)" = $NV ] || fail "SIGKILL: slots disarmed although the pinned scheduler runs"
			;;
		QUIT)
			quits=$((quits + 1))
			[ $rc -eq 0 ] || fail "SIGQUIT: daemon exit status $rc"
			grep -q 'keeps running' "$SCXE_LOG" || fail "SIGQUIT: the daemon did not say it left the scheduler running"
			attached "after SIGQUIT"
			[ "$(nr_armed $NV)" = $NV ] || fail "SIGQUIT: slots disarmed although the pinned scheduler runs"
			;;
		TERM)
			terms=$((terms + 1))
			[ $rc -eq 0 ] || fail "SIGTERM: daemon exit status $rc"
			wait_state disabled 30 || fail "SIGTERM: the scheduler is still $(sched_state)"
			[ "$(nr_armed $NV)" = 0 ] || fail "SIGTERM: $(nr_armed $NV) slots still armed with the scheduler gone"
			[ "$(ejections)" -eq 0 ] || fail "SIGTERM: the kernel reports an ejection"
			;;
		esac
		sleep 3	# no daemon
		n=$((n + 1))
		SCXE_LOG=/tmp/d$n.log
		daemon "$SCXE_LOG"
		if [ $how = TERM ]; then
			wait_state enabled 60 || fail "restart after SIGTERM: not attached: $(tail -n 3 "$SCXE_LOG")"
			wait_armed $NV 60 || fail "restart after SIGTERM: slots never re-armed"
			grep -q 'adopted' "$SCXE_LOG" && fail "restart after SIGTERM adopted a scheduler that was stopped"
			reloaded=$((reloaded + 1))
		else
			wait_line "$SCXE_LOG" 'adopted the pinned scheduler' 60 ||
				fail "restart after SIG$how: no adoption: $(tail -n 3 "$SCXE_LOG")"
			grep -q "$NV vCPU threads still fenced" "$SCXE_LOG" ||
				fail "restart after SIG$how: the adoption lost registrations: $(grep adopted "$SCXE_LOG")"
			[ "$(nr_armed $NV)" = $NV ] || fail "restart after SIG$how: slots disarmed"
			adopted=$((adopted + 1))
		fi
		kill -0 "$DAEMON" 2>/dev/null || fail "the restarted daemon died: $(tail -n 3 "$SCXE_LOG")"
		tnote "SIG$how, restart: $(grep -o 'adopted the pinned scheduler.*\|scheduler attached.*' "$SCXE_LOG" | head -n 1)"
		[ "$(elapsed)" -ge 60 ] && break
	done
done
secs=$(elapsed)
load_stop
attached "at the end"
forced=$(sstat forced)
expired=$(sreleased)
vmm_stop
kill -INT "$DAEMON"
wait "$DAEMON"
rc=$?
[ $rc -eq 0 ] || fail "the last daemon exited $rc"
wait_state disabled 30 || fail "the scheduler outlived SIGINT"
viol=$(e2e_get violations)
aviol=$(e2e_get armed_violations)
afso=$(e2e_get armed_fenced_switchouts)
sforced=$(e2e_get slot_forced_moves)
[ "$aviol" -eq 0 ] || fail "$aviol moves in windows while the slot read armed, across daemon restarts"
[ "$afso" -ge 1000 ] || fail "only $afso armed fenced switch-outs observed"
[ "$viol" -gt 0 ] || fail "no move in a window in $terms gaps without a fence: the observer cannot see them"
[ "$forced" -eq 0 ] && [ "$sforced" -eq 0 ] || fail "forced moves (stats $forced, slots $sforced), but nothing forced one"
[ "$expired" -eq 0 ] || fail "$expired holds released (expired or budget) with unlimited holds"
[ "$(ejections)" -eq 0 ] || fail "the kernel reports an ejection"
fault_summary fault_daemon "$secs" \
	"daemon_sigkill=$kills,sigquit=$quits,sigterm=$terms,restarts_adopting=$adopted,restarts_reloading=$reloaded,stress_ng=$LOAD_OPS" \
	"forced_moves=$forced,expired=$expired,violations=$viol,armed_violations=$aviol,ejections=$(ejections),armed_fenced_switchouts=$afso"
exit 0
