#!/bin/sh
# A held vCPU thread whose affinity is narrower than its type must be woken onto an idle CPU
# it may use. Types: CPU 0 big, CPUs 1-3 little. The vCPU (always in its window, so held on
# little) may run on CPUs 1-3 in the first round and on 2-3 in the second; a busy loop is
# pinned onto whatever CPU the vCPU is running on, every 100 ms. At the end of its slice the
# vCPU is queued for little CPUs and one idle little CPU is woken for it. When that CPU is
# CPU 1, which the vCPU may not use in the second round, the wake-up is wasted and the vCPU
# waits another slice behind the loop although CPU 2 or 3 sleeps. The vCPU's time spent
# waiting per move of the loop must not grow with the narrower affinity.
. /scxe/cases/fence_lib.sh
SCXE_TYPES=0:big,1-3:little
MOVES=40

e2e_start_vmm "--vcpus 1 --mode same-type --spin-in 50000 --spin-out 2000 --run-until-signal"
scxe_start --vm "$E2E_PID:$E2E_SHM" --max-hold-ms 0 --hold-budget 100 --stats 1
wait_armed 1 60 || fail "the vCPU was not armed within 60 s"
tid=
for t in /proc/$E2E_PID/task/*; do
	[ "$(cat "$t/comm")" = vcpu0 ] && tid=${t##*/}
done
[ -n "$tid" ] || fail "no vcpu0 thread in the VMM"
# a busy loop in this very process (not a child), so that taskset moves the loop itself
sh -c 'while :; do :; done' &
hog=$!

delay() { awk '{print $2}' /proc/$E2E_PID/task/$tid/schedstat; }
round() { # MASK -> prints the vCPU's wait per move, us
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
limit=$((wide * 2))
[ $limit -lt $((wide + 1500)) ] && limit=$((wide + 1500))
[ "$narrow" -le "$limit" ] || fail "with affinity 2-3 the held vCPU waits ${narrow} us per move of the busy loop, ${wide} us with 1-3 (limit ${limit} us): idle CPUs it may use were not woken"
exit 0
