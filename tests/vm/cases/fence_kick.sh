#!/bin/sh
# A held vCPU thread whose affinity is narrower than its type must be woken onto an idle CPU
# it may use. Types: CPU 0 big, CPUs 1-3 little. The vCPU (always in its window, so held on
# little) may run on CPUs 1-3 in the first round and on 2-3 in the second; a busy loop is
# pinned onto whatever CPU the vCPU is running on, every 100 ms. At the end of its slice the
# vCPU is queued for little CPUs and one idle little CPU is woken for it. When that CPU is
# CPU 1, which the vCPU may not use in the second round, the wake-up is wasted and the vCPU
# and the loop take turns on one CPU for another slice although CPU 2 or 3 sleeps. The time
# the two spend waiting per move of the loop must not grow with the narrower affinity.
. /scxe/cases/fence_lib.sh
SCXE_TYPES=0:big,1-3:little
MOVES=40

e2e_start_vmm "--vcpus 1 --mode same-type --never-clear --run-until-signal"
scxe_start --vm "$E2E_PID:$E2E_SHM" --max-hold-ms 0 --hold-budget 100 --stats 1
wait_armed 1 60 || fail "the vCPU was not armed within 60 s"
tid=$(vcpu_tid vcpu0) || fail "no vcpu0 thread in the VMM"
# a busy loop in this very process (not a child), so that taskset moves the loop itself
sh -c 'while :; do :; done' &
hog=$!

# time spent runnable but waiting, of the vCPU and the loop together: after a wasted wake-up
# either of them may be the one that waits (whichever has the higher vtime)
delay() { cat /proc/$E2E_PID/task/$tid/schedstat /proc/$hog/schedstat | awk '{s += $2} END {print s}'; }
round() { # MASK -> prints the wait per move, us
	taskset -p "$1" "$tid" >/dev/null || fail "cannot set the vCPU's affinity to $1"
	sleep 1
	d0=$(delay)
	i=0
	while [ $i -lt $MOVES ]; do
		cpu=$(slot_u32 "$E2E_SHM" 0 24)
		taskset -pc "$cpu" $hog >/dev/null 2>&1
		sleep 0.1
		i=$((i + 1))
	done
	d1=$(delay)
	echo $(((d1 - d0) / MOVES / 1000))
}
wide=$(round 0xe)
narrow=$(round 0xc)
assert_not_ejected
kill $hog 2>/dev/null
wait $hog 2>/dev/null
vmm_stop
scxe_stop INT
note "fence_kick: moves=$MOVES wait_per_move_us cpus1-3=$wide cpus2-3=$narrow forced=$(stat forced)"
# a wasted wake-up costs a slice (5 ms) of waiting; allow half of that, or half the baseline
limit=$((wide + wide / 2))
[ $limit -lt $((wide + 2500)) ] && limit=$((wide + 2500))
[ "$narrow" -le "$limit" ] || fail "with affinity 2-3 the held vCPU and the loop wait ${narrow} us per move of the loop, ${wide} us with 1-3 (limit ${limit} us): idle CPUs the vCPU may use were not woken"
exit 0
