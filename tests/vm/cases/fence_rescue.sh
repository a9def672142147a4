#!/bin/sh
# Same-cpu mode, a vCPU thread allowed on CPUs 2 and 3 only, fenced to one of them, with a
# busy thread pinned to each so that it often waits in its CPU's queue. That CPU goes
# offline for 3 s, again and again: the queued vCPU must be rescued by the other allowed CPU
# and keep running meanwhile. A rescue that gives up when the first CPU to look (0 or 1,
# which the thread may not use) cannot take it strands it until the CPU comes back, or
# until the watchdog ejects the scheduler.
. /scxe/cases/fence_lib.sh

CYCLES=8
e2e_start_vmm "--vcpus 1 --mode same-cpu --spin-in 50000 --spin-out 2000 --run-until-signal"
scxe_start --vm "$E2E_PID:$E2E_SHM" --mode same-cpu --max-hold-ms 0 --hold-budget 100 \
	--slice-us 1000 --stats 1
wait_armed 1 60 || fail "the vCPU was not armed within 60 s"
tid=$(vcpu_tid vcpu0) || fail "no vcpu0 thread in the VMM"
taskset -p 0xc "$tid" >/dev/null || fail "cannot set the vCPU's affinity"
taskset 0x4 stress spin 1 $((CYCLES * 5 + 20)) >/dev/null 2>&1 &
s2=$!
taskset 0x8 stress spin 1 $((CYCLES * 5 + 20)) >/dev/null 2>&1 &
s3=$!
sleep 2

stuck=0 queued=0
for i in $(seq 1 $CYCLES); do
	cpu=$(slot_u32 "$E2E_SHM" 0 24)
	case "$cpu" in 2|3) ;; *) fail "the vCPU runs on CPU $cpu, outside its affinity 2-3" ;; esac
	echo 0 >/sys/devices/system/cpu/cpu$cpu/online || fail "cannot offline cpu $cpu"
	r0=$(slot_u32 "$E2E_SHM" 0 28)
	sleep 3
	r1=$(slot_u32 "$E2E_SHM" 0 28)
	echo 1 >/sys/devices/system/cpu/cpu$cpu/online || fail "cannot online cpu $cpu"
	[ "$r1" = "$r0" ] && stuck=$((stuck + 1))
	[ "$(sched_state)" = enabled ] || fail "ejected in cycle $i (state $(sched_state))"
	sleep 1
done
assert_not_ejected
kill $s2 $s3 2>/dev/null
wait $s2 $s3 2>/dev/null
vmm_stop
scxe_stop INT
note "fence_rescue: cycles=$CYCLES stuck_cycles=$stuck rescue=$(stat rescue) forced=$(stat forced)"
[ "$stuck" -eq 0 ] || fail "the vCPU did not run at all in $stuck of $CYCLES offline periods of 3 s"
exit 0
