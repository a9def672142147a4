#!/bin/sh
# needs: stress-ng
# VMMs die mid-window under load, for 60 s: one daemon, started with no --vm, pairs every
# test VMM by its mapping of /dev/shm/scx_errata.* and the vCPU threads KVM reports. A
# witness VMM (2 vCPUs, windows and gaps) runs throughout; victims come in rounds of three
# started together (a VMM takes seconds to start under this load):
#   kill (2 per round): a VMM whose guests are in a window ~97% of the time is killed with
#         SIGKILL once its vCPUs read armed and one reads inside a window; every slot of its
#         file must then read disarmed (the scheduler clears it as the threads exit) within
#         5 s;
#   exit (1 per round): a VMM whose vCPU 0 thread exits inside an armed window halfway
#         through its run (--exit-while-fenced), then the whole VMM exits with its other
#         vCPU mid-window; its observer must see no move in a window before that.
# Expected: the witness is fenced without a single move in a window (0 violations: nothing
# forces one here), no forced move and no expired hold is counted, every victim was found and
# then forgotten by the daemon, which lives on; no ejection.
. /scxe/cases/fault_lib.sh

LOG=/tmp/fault_vmm.daemon.log
SCXE_LOG=$LOG	# what fail(), stat and assert_not_ejected read
W_SHM=/dev/shm/scx_errata.witness
W_OUT=/tmp/witness.out
VICTIM_KILL="--vcpus 2 --spin-in 40000 --spin-out 1000 --block-in-every 4 --in-action mix
	--run-until-signal"
VICTIM_EXIT="--vcpus 2 --spin-in 5000 --spin-out 5000 --block-in-every 1 --in-action mix
	--block-out-every 2 --exit-while-fenced --seconds 6"
trap 'kill -INT $D $WPID 2>/dev/null; kill -9 $K1 $K2 $X 2>/dev/null' EXIT

vmm_start "$W_SHM" "$W_OUT" "--vcpus 2 --load 1 --spin-in 5000 --spin-out 5000 --block-in-every 1
	--in-action mix --block-out-every 2 --out-action sleep --run-until-signal"
WPID=$VPID
: >"$LOG"
# shellcheck disable=SC2086 # option lists
scx_errata run --cpu-types "$SCXE_TYPES" $FAULT_HOLD --slice-us 1000 --stats 1 >"$LOG" 2>&1 &
D=$!
SCXE_PID=$D
wait_state enabled 60 || fail "the daemon did not attach: $(tail -n 3 "$LOG")"
wait_line "$W_OUT" '^e2e_vmm: registered' 90 || fail "the witness was never paired"
tnote "witness paired; victims for 60 s under load"
load_start 150
fault_begin
k=0 kills=0 kills_mid=0 exits=0 exits_mid=0
while [ "$(elapsed)" -lt 60 ]; do
	# one round: two VMMs to kill and one whose vCPU exits, started together
	r=$k
	vmm_launch /dev/shm/scx_errata.v$((r + 1)) /tmp/v$((r + 1)).out "$VICTIM_KILL"
	K1=$VPID
	vmm_launch /dev/shm/scx_errata.v$((r + 2)) /tmp/v$((r + 2)).out "$VICTIM_KILL"
	K2=$VPID
	vmm_launch /dev/shm/scx_errata.v$((r + 3)) /tmp/v$((r + 3)).out "$VICTIM_EXIT"
	X=$VPID
	k=$((k + 3))
	for v in 1 2; do
		shm=/dev/shm/scx_errata.v$((r + v))
		eval "pid=\$K$v"
		vmm_ready "$pid" /tmp/v$((r + v)).out
		i=0
		until [ "$(armed_in "$shm" 2)" -eq 2 ]; do
			i=$((i + 1))
			[ $i -gt 900 ] && fail "victim $((r + v)): its slots never read armed: $(tail -n 3 "$LOG")"
			sleep 0.1
		done
		i=0
		until [ "$(fenced_on "$shm" 2 "0 1 2 3")" -gt 0 ] || [ $i -ge 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		mid=$(fenced_on "$shm" 2 "0 1 2 3")
		kill -9 "$pid"
		wait "$pid" 2>/dev/null
		kills=$((kills + 1))
		[ "$mid" -gt 0 ] && kills_mid=$((kills_mid + 1))
		i=0
		until [ "$(armed_in "$shm" 2)" -eq 0 ]; do
			i=$((i + 1))
			[ $i -gt 50 ] && fail "victim $((r + v)): a slot still reads armed 5 s after SIGKILL"
			sleep 0.1
		done
		rm -f "$shm"
		tnote "victim $((r + v)): SIGKILL with $mid vCPU(s) in an armed window; slots disarmed"
	done
	out=/tmp/v$((r + 3)).out
	wait "$X"
	rc=$?
	[ $rc -eq 0 ] || { sed 's/^/  e2e_vmm| /' "$out"; fail "victim $((r + 3)): e2e_vmm exited $rc"; }
	line=$(grep '^e2e-exit:' "$out")
	[ "$(e2e_val "$out" violations)" -eq 0 ] ||
		fail "victim $((r + 3)): $(e2e_val "$out" violations) moves in windows before its vCPU exited"
	[ "$(e2e_val "$out" exited)" = 1 ] || fail "victim $((r + 3)): vCPU 0 did not exit: $line"
	exits=$((exits + 1))
	[ "$(e2e_val "$out" in_window)" = 1 ] && [ "$(e2e_val "$out" armed)" = 1 ] &&
		exits_mid=$((exits_mid + 1))
	rm -f /dev/shm/scx_errata.v$((r + 3))
	tnote "victim $((r + 3)): $line; the VMM exited"
	kill -0 "$D" 2>/dev/null || fail "the daemon died after round $((r / 3 + 1))"
	attached "after round $((r / 3 + 1))"
done
secs=$(elapsed)
load_stop
assert_not_ejected
[ "$(sched_state)" = enabled ] || fail "scheduler $(sched_state) after the victims"
forced=$(stat forced)
expired=$(released)
# every victim found by its mapping, and forgotten once gone: only the witness is left
i=0
until [ "$(scx_errata status | grep -c '^vm ')" -eq 1 ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && { scx_errata status | grep -v '^  vcpu'; fail "the daemon still lists exited VMMs after 10 s"; }
	sleep 0.1
done
found=$(grep -c 'scx_errata\.v[0-9]*, [0-9]* slots (found by its mapping)' "$LOG")
gone=$(grep -c 'is gone; forgetting it' "$LOG")
[ "$found" -eq "$k" ] || fail "$found of $k victim VMMs were paired"
[ "$gone" -eq "$k" ] || fail "$gone of $k exited VMMs were forgotten"
vmm_end "$WPID" "$W_OUT"
viol=$(e2e_val "$W_OUT" violations)
aviol=$(e2e_val "$W_OUT" armed_violations)
[ "$(e2e_val "$W_OUT" enforcement)" = on ] || fail "the witness is not fenced at the end"
[ "$viol" -eq 0 ] || fail "the witness saw $viol moves in windows while VMMs died beside it"
[ "$aviol" -eq 0 ] || fail "the witness saw $aviol moves while armed"
[ "$forced" -eq 0 ] || fail "$forced forced moves, but nothing forced one"
[ "$expired" -eq 0 ] || fail "$expired holds released (expired or budget) with unlimited holds"
[ "$kills_mid" -ge $((kills * 3 / 4)) ] || fail "only $kills_mid of $kills kills hit an armed window"
[ "$exits_mid" -eq "$exits" ] || fail "only $exits_mid of $exits vCPU exits happened inside an armed window"
kill -INT "$D"
wait "$D"
[ $? -eq 0 ] || fail "daemon exit status not 0"
fault_summary fault_vmm "$secs" \
	"vmm_sigkill=$kills,sigkill_in_armed_window=$kills_mid,vcpu_exit=$exits,vcpu_exit_in_armed_window=$exits_mid,stress_ng=$LOAD_OPS" \
	"forced_moves=$forced,expired=$expired,violations=$viol,armed_violations=$aviol,ejections=$(ejections),witness_fenced_switchouts=$(e2e_val "$W_OUT" fenced_switchouts),vmms_paired=$found,vmms_forgotten=$gone"
exit 0
