#!/bin/sh
# needs: stress-ng
# A soak test (tests/vm/LONG, five minutes: not part of `make test`); run it with
# make vmtest T=fault_rcu_reader. It reproduces a defect fixed in task_vtime()
# (docs/reliability.md, "Faults under load").
#
# A low-weight task preempted inside an RCU read-side critical section under heavy load:
# khugepaged (nice 19, scx weight 1) collapses huge pages under rcu_read_lock(); preempted
# there, it waits in its queue with a vtime far ahead of everyone else's (each slice it runs
# costs it 100 slices of vtime), the grace period waits for it, and after 21 s the kernel
# reports an RCU stall, on which it ejects any BPF scheduler ("RCU CPU stall on CPUs ()").
# Made likely here: khugepaged scans without sleeping, stress-ng loads the CPUs, and both
# little CPUs go offline and back every 2 s (half the capacity half the time) for 300 s,
# with the test VMM's vCPUs in windows.
# Expected: no ejection. Measured: without the fix the scheduler was ejected after 100, 114
# and ~250 s (3 runs); with it, none in 240 and 303 s (2 runs).
. /scxe/cases/fault_lib.sh

T=/sys/kernel/mm/transparent_hugepage
SECS=300
trap 'for c in 2 3; do echo 1 >/sys/devices/system/cpu/cpu$c/online; done 2>/dev/null' EXIT
echo always >$T/enabled || fail "no transparent huge pages"
echo 0 >$T/khugepaged/scan_sleep_millisecs
echo 0 >$T/khugepaged/alloc_sleep_millisecs
echo 65536 >$T/khugepaged/pages_to_scan

vmm_start "$E2E_SHM" "$E2E_OUT" "$(echo "$FAULT_VMM" | sed 's/--load 1/--load 2/')"
E2E_PID=$VPID
# shellcheck disable=SC2086 # option lists
scxe_start --vm "$E2E_PID:$E2E_SHM" --shm-pattern '' $FAULT_HOLD --slice-us 1000 --stats 1
wait_line "$E2E_OUT" '^e2e_vmm: registered' 90 || fail "the VMM's vCPUs were never registered"
load_start $((SECS + 60))
fault_begin
n=0
while [ "$(elapsed)" -lt $SECS ] && [ "$(sched_state)" = enabled ]; do
	for c in 3 2; do echo 0 >/sys/devices/system/cpu/cpu$c/online; done
	n=$((n + 1))
	sleep 1
	for c in 2 3; do echo 1 >/sys/devices/system/cpu/cpu$c/online; done
	sleep 1
done
secs=$(elapsed)
load_stop
collapsed=$(cat $T/khugepaged/pages_collapsed)
dmesg | grep -E 'rcu: INFO|Tasks blocked|task:khugepaged|RCU CPU stall' | head -n 4
attached "after $n offline cycles in ${secs}s with khugepaged busy"
assert_not_ejected
vmm_stop
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
fault_summary fault_rcu_reader "$secs" \
	"offline_whole_type=$n,khugepaged_pages_collapsed=$collapsed,stress_ng=$LOAD_OPS" \
	"forced_moves=$(e2e_get slot_forced_moves),violations=$(e2e_get violations),armed_violations=$(e2e_get armed_violations),ejections=$(ejections)"
exit 0
