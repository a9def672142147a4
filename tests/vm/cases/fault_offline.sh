#!/bin/sh
# needs: stress-ng
# A whole CPU type goes offline under fenced windows, again and again, under load. The test
# VMM's 3 vCPUs never leave their first window (--never-clear, holds unlimited), so each is
# held on the type (same-cpu: the CPU) where its window is anchored. Each cycle steers them
# onto little (affinity 2-3 until each ran there, then 0-3 again: forced moves, which
# re-anchor the windows on little), counts the vCPUs that read armed in their window on a
# little CPU, offlines cpus 3 and 2 (every little CPU; x86 cannot offline cpu 0, so big
# never goes whole), checks that no vCPU thread is left on them and that the scheduler is
# still attached, and brings them back. Same-type mode for 32 s, then same-cpu mode for 32 s (64 s in all, split).
# Expected: each vCPU fenced on little when it goes offline is moved by the kernel, and the
# scheduler counts that forced move (offline forced moves >= vCPUs fenced there, every
# cycle); the independent observer sees no more moves in windows, armed or not, than forced
# ones (steering and offlining); the type written at each switch-in is right; no hold
# expires; no ejection and no stall (the queues of the offlined type are rescued); the
# daemon lives on.
. /scxe/cases/fault_lib.sh

NV=3
trap 'for c in 2 3; do echo 1 >/sys/devices/system/cpu/cpu$c/online; done 2>/dev/null' EXIT

set_little() { # 0|1
	for c in 3 2; do
		echo "$1" >/sys/devices/system/cpu/cpu$c/online || fail "cannot set cpu $c online=$1"
	done
}

# phase MODE SECS: sets P_*
phase() {
	mode=$1
	tnote "$mode: starting the VMM and the daemon"
	vmm_start "$E2E_SHM" "$E2E_OUT" "--vcpus $NV --load 1 --never-clear --run-until-signal --mode $mode"
	E2E_PID=$VPID
	# shellcheck disable=SC2086 # option lists
	scxe_start --vm "$E2E_PID:$E2E_SHM" --shm-pattern '' --mode "$mode" $FAULT_HOLD --slice-us 1000 --stats 1
	wait_line "$E2E_OUT" '^e2e_vmm: registered' 90 || fail "$mode: the VMM's vCPUs were never registered"
	tids=$(vcpu_tids "$E2E_PID")
	[ "$(echo "$tids" | wc -w)" -eq $NV ] || fail "found vCPU threads '$tids', expected $NV"
	stats=$(for t in $tids; do echo "/proc/$E2E_PID/task/$t/stat"; done)
	tnote "$mode: offlining cpus 2-3 under fenced vCPUs and load for ${2}s"
	load_start $(($2 + 30))
	P_CYCLES=0 P_FENCED=0 P_OFFLINE_FORCED=0
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt "$2" ]; do
		# steer: every vCPU onto little (it must run there once), then free again
		for t in $tids; do taskset -p -c 2-3 "$t" >/dev/null || fail "taskset -p -c 2-3 $t"; done
		i=0
		until [ "$(fenced_on "$E2E_SHM" $NV "2 3")" -eq $NV ] || [ $i -ge 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		for t in $tids; do taskset -p -c 0-3 "$t" >/dev/null || fail "taskset -p -c 0-3 $t"; done
		f=$(fenced_on "$E2E_SHM" $NV "2 3")
		[ "$f" -gt 0 ] || fail "$mode: no vCPU fenced on little after steering: $(slots "$E2E_SHM" $NV | awk '{ print $1, $5, $7 }' | tr '\n' ';')"
		before=$(slot_sum "$E2E_SHM" $NV 44)
		set_little 0
		P_CYCLES=$((P_CYCLES + 1))
		attached "$mode: cpus 2-3 offline (cycle $P_CYCLES)"
		# the vCPU threads are off the offline CPUs once they ran on big (reported in the slots)
		i=0
		until [ "$(fenced_on "$E2E_SHM" $NV "0 1")" -eq $NV ] || [ $i -ge 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		# shellcheck disable=SC2086 # the list of files
		awk '$39 > 1 { print "vCPU thread " $1 " on offline cpu " $39; bad = 1 } END { exit bad }' $stats ||
			fail "$mode: a vCPU thread is left on an offline CPU"
		after=$(slot_sum "$E2E_SHM" $NV 44)
		[ $((after - before)) -ge "$f" ] ||
			fail "$mode: cycle $P_CYCLES: $f vCPUs fenced on little, but offlining it counted $((after - before)) forced moves"
		P_FENCED=$((P_FENCED + f))
		P_OFFLINE_FORCED=$((P_OFFLINE_FORCED + after - before))
		set_little 1
	done
	P_SECS=$(($(date +%s) - t0))
	load_stop
	[ "$(cat /sys/devices/system/cpu/online)" = 0-3 ] || fail "cpus online: $(cat /sys/devices/system/cpu/online)"
	fault_end "$mode: after ${P_SECS}s of offlining"
	P_FORCED=$F_FORCED P_EXPIRED=$F_EXPIRED P_RESCUE=$F_RESCUE
	vmm_stop
	grep '^stats:' "$SCXE_LOG" | tail -n 1 | sed 's/^/  scx_errata| /'
	scxe_stop INT
	[ "$SCXE_RC" -eq 0 ] || fail "$mode: loader exited $SCXE_RC"
	fault_results "$mode"
	P_V=$F_V P_AV=$F_AV P_SF=$F_SF
	tnote "$mode: ${P_SECS}s, $P_CYCLES offlines of cpus 2-3 under $P_FENCED fenced vCPUs: $P_OFFLINE_FORCED forced moves; forced=$P_FORCED in all (slots $P_SF) expired=$P_EXPIRED rescue=$P_RESCUE violations=$P_V armed_violations=$P_AV"
}

fault_begin
total_secs=0 cycles=0 fenced=0 offline_forced=0 forced=0 expired=0 viol=0 aviol=0 ops=""
for mode in same-type same-cpu; do
	next_phase
	phase "$mode" 32
	[ "$P_CYCLES" -ge 3 ] || fail "$mode: only $P_CYCLES offline cycles in ${P_SECS}s"
	[ "$P_V" -le "$P_SF" ] ||
		fail "$mode: $P_V moves inside windows, only $P_SF of them forced: the fence lost a vCPU"
	[ "$P_AV" -le "$P_SF" ] || fail "$mode: $P_AV moves while armed, only $P_SF forced"
	[ "$P_V" -gt 0 ] || fail "$mode: the observer saw none of the forced moves"
	[ "$P_EXPIRED" -eq 0 ] || fail "$mode: $P_EXPIRED holds released (expired or budget) with unlimited holds"
	[ "$(e2e_get enforcement)" = on ] || fail "$mode: enforcement off at the end"
	total_secs=$((total_secs + P_SECS))
	cycles=$((cycles + P_CYCLES))
	fenced=$((fenced + P_FENCED))
	offline_forced=$((offline_forced + P_OFFLINE_FORCED))
	forced=$((forced + P_FORCED))
	expired=$((expired + P_EXPIRED))
	viol=$((viol + P_V))
	aviol=$((aviol + P_AV))
	ops="$ops${ops:+/}$LOAD_OPS"
done

fault_summary fault_offline "$total_secs" \
	"offline_whole_type=$cycles,vcpus_fenced_on_it=$fenced,affinity_steering=$((cycles * NV * 2)),stress_ng=$ops" \
	"forced_moves=$forced,expired=$expired,violations=$viol,armed_violations=$aviol,ejections=$(ejections),forced_by_offline=$offline_forced"
exit 0
