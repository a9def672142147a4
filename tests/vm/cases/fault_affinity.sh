#!/bin/sh
# needs: stress-ng
# Affinity churn under load: stress-ng's affinity stressor moves host tasks across every CPU
# while a loop gives each vCPU thread of the test VMM a new random affinity every 0.2 s (all
# CPUs, one type, one CPU, one of each type...), with its guest inside a window ~90% of the
# time, for 62 s in same-type mode (same-cpu mode meets forced moves in fault_offline).
# Expected: the kernel forces a fenced vCPU off its type (CPU) only when its new affinity
# leaves none of it, and the scheduler counts each such move (stats and slots): the forced
# moves happen (> 0) and the independent observer sees no more moves inside windows, armed
# or not, than the scheduler counted as forced; the scheduler writes the right type at every
# switch-in; no hold expires; no ejection; the daemon lives on. Control: a second VMM under
# the same daemon and churn is paired but not fenced (enforce = no in its [vm ctl] section):
# its observer sees moves in windows that no forced move explains, so the check above can
# fail.
. /scxe/cases/fault_lib.sh

MASKS="0-3 0-1 2-3 0,2 1,3 0 3 1-2 0-2 1-3 2 1"
NV=3
excludes_a_type() { case "$1" in 0-1 | 0 | 1 | 2-3 | 2 | 3) return 0 ;; esac; return 1; }

CTL_SHM=/dev/shm/scx_errata.ctl
CTL_OUT=/tmp/ctl.out
CONF=/tmp/fault_affinity.conf
printf '[vm ctl]\nenforce = no\n' >"$CONF"
chmod 0644 "$CONF"

# phase MODE SECS [control]: one VMM (and with "control" a second one the daemon pairs but,
# by its [vm ctl] section, does not fence) under one daemon, the load and the churn; sets P_*
# (a phase per mode would fit here; same-cpu meets forced moves in fault_offline instead)
phase() {
	mode=$1
	secs=$2
	tnote "$mode: starting the VMM(s) and the daemon"
	vmm_start "$E2E_SHM" "$E2E_OUT" "$FAULT_VMM --mode $mode"
	E2E_PID=$VPID
	vms="--vm $E2E_PID:$E2E_SHM"
	if [ "${3:-}" = control ]; then
		vmm_start "$CTL_SHM" "$CTL_OUT" "--vcpus 2 --spin-in 20000 --spin-out 2000
			--block-in-every 2 --in-action mix --block-out-every 4 --out-action sleep
			--run-until-signal --mode $mode"
		CPID=$VPID
		vms="$vms --vm $CPID:$CTL_SHM"
	fi
	# shellcheck disable=SC2086 # option lists
	scxe_start $vms --shm-pattern '' --config "$CONF" --mode "$mode" $FAULT_HOLD --slice-us 1000 --stats 1
	wait_line "$E2E_OUT" '^e2e_vmm: registered' 90 || fail "$mode: the VMM's vCPUs were never registered"
	tids=$(vcpu_tids "$E2E_PID")
	[ "$(echo "$tids" | wc -w)" -eq $NV ] || fail "found vCPU threads '$tids', expected $NV"
	if [ "${3:-}" = control ]; then
		wait_line "$CTL_OUT" '^e2e_vmm: registered' 90 || fail "control: the VMM's vCPUs were never registered"
		tids="$tids $(vcpu_tids "$CPID")"
	fi
	tnote "$mode: churn on vCPU threads $(echo $tids) for ${secs}s under load"
	load_start $((secs + 30))
	P_SETS=0
	P_XTYPE=0
	t0=$(date +%s)
	while [ $(($(date +%s) - t0)) -lt "$secs" ]; do
		for t in $tids; do
			rnd 12
			# shellcheck disable=SC2086 # the list
			m=$(echo $MASKS | cut -d' ' -f$((RND + 1)))
			taskset -p -c "$m" "$t" >/dev/null || fail "taskset -p -c $m $t"
			P_SETS=$((P_SETS + 1))
			excludes_a_type "$m" && P_XTYPE=$((P_XTYPE + 1))
		done
		sleep 0.2
	done
	P_SECS=$(($(date +%s) - t0))
	for t in $tids; do taskset -p -c 0-3 "$t" >/dev/null || fail "taskset -p -c 0-3 $t"; done
	load_stop
	fault_end "$mode: after ${P_SECS}s of affinity churn"
	P_FORCED=$F_FORCED P_EXPIRED=$F_EXPIRED
	vmm_stop
	[ "${3:-}" = control ] && vmm_end "$CPID" "$CTL_OUT"
	grep '^stats:' "$SCXE_LOG" | tail -n 1 | sed 's/^/  scx_errata| /'
	scxe_stop INT
	[ "$SCXE_RC" -eq 0 ] || fail "$mode: loader exited $SCXE_RC"
	fault_results "$mode"
	P_V=$F_V P_AV=$F_AV P_SF=$F_SF P_FSO=$F_FSO
	tnote "$mode: ${P_SECS}s, taskset on vCPU threads=$P_SETS (excluding a type: $P_XTYPE); forced=$P_FORCED (slots $P_SF) expired=$P_EXPIRED fenced_switchouts=$P_FSO violations=$P_V armed_violations=$P_AV"
}

fault_begin
phase same-type 62 control
[ "$P_FORCED" -gt 0 ] && [ "$P_SF" -gt 0 ] ||
	fail "$P_XTYPE affinities that exclude a type forced no move (stats $P_FORCED, slots $P_SF)"
[ "$P_V" -le "$P_SF" ] ||
	fail "$P_V moves inside windows, only $P_SF of them forced: the fence lost a vCPU under affinity churn"
[ "$P_AV" -le "$P_SF" ] || fail "$P_AV moves while armed, only $P_SF forced"
[ "$P_EXPIRED" -eq 0 ] || fail "$P_EXPIRED holds released (expired or budget) with unlimited holds"
[ "$(e2e_get enforcement)" = on ] || fail "enforcement off at the end"
# the control: its moves in windows are not forced ones, and it was never armed
cv=$(e2e_val "$CTL_OUT" violations)
cf=$(e2e_val "$CTL_OUT" slot_forced_moves)
[ "$(e2e_val "$CTL_OUT" enforcement)" = off ] || fail "control: the unfenced VM was fenced"
[ "$cv" -gt "$cf" ] ||
	fail "control: without the fence the observer saw $cv moves in windows, $cf forced: it cannot tell"
[ "$(e2e_val "$CTL_OUT" armed_violations)" -eq 0 ] || fail "control: moves while armed, but it was never armed"

fault_summary fault_affinity "$P_SECS" \
	"taskset_vcpu=$P_SETS,taskset_vcpu_excluding_a_type=$P_XTYPE,stress_ng=$LOAD_OPS" \
	"forced_moves=$P_FORCED,expired=$P_EXPIRED,violations=$P_V,armed_violations=$P_AV,ejections=$(ejections),control_unfenced_vm_violations=$cv,control_forced=$cf"
exit 0
