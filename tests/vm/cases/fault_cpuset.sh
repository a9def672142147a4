#!/bin/sh
# needs: stress-ng
# cgroup v2 cpuset changes on the vCPU threads under load for 62 s: the test VMM (3 vCPUs in
# windows ~90% of the time, same-type mode) is moved into its own cgroup, whose cpuset.cpus
# then changes every 0.5 s among sets that keep both types (0-3, 0,2, 1-3, 0-2, 1,3) and sets
# of one type or one CPU (0-1, 2-3, 3, 0). After each change the vCPU threads' allowed CPUs
# must be the new set.
# Expected: as for affinity changes (fault_affinity), a set that leaves a fenced vCPU no CPU
# of its type forces a move, which the scheduler counts: forced moves happen (> 0) and the
# independent observer sees no more moves in windows, armed or not, than forced ones; the
# type written at each switch-in is right; no hold expires; no ejection; the daemon lives on.
. /scxe/cases/fault_lib.sh

NV=3
CG=/sys/fs/cgroup
G=$CG/scxe_vmm
SETS="0-3 0-1 0,2 2-3 1-3 3 0-2 0 1,3 0-1 0-3 2-3"
excludes_a_type() { case "$1" in 0-1 | 0 | 1 | 2-3 | 2 | 3) return 0 ;; esac; return 1; }
trap 'cat $G/cgroup.procs 2>/dev/null | while read -r p; do echo $p >$CG/cgroup.procs; done; rmdir $G 2>/dev/null' EXIT

if [ ! -f $CG/cgroup.controllers ]; then
	mkdir -p $CG
	mount -t cgroup2 cgroup2 $CG || fail "cannot mount cgroup2 on $CG"
fi
grep -qw cpuset $CG/cgroup.controllers || fail "no cpuset controller: $(cat $CG/cgroup.controllers)"
echo +cpuset >$CG/cgroup.subtree_control || fail "cannot enable the cpuset controller"
mkdir -p $G
echo 0-3 >$G/cpuset.cpus || fail "cannot set $G/cpuset.cpus"

fault_begin
tnote "starting the VMM and the daemon"
vmm_start "$E2E_SHM" "$E2E_OUT" "$FAULT_VMM --mode same-type"
E2E_PID=$VPID
# shellcheck disable=SC2086 # option lists
scxe_start --vm "$E2E_PID:$E2E_SHM" --shm-pattern '' --mode same-type $FAULT_HOLD --slice-us 1000 --stats 1
wait_line "$E2E_OUT" '^e2e_vmm: registered' 90 || fail "the VMM's vCPUs were never registered"
tids=$(vcpu_tids "$E2E_PID")
[ "$(echo "$tids" | wc -w)" -eq $NV ] || fail "found vCPU threads '$tids', expected $NV"
echo "$E2E_PID" >$G/cgroup.procs || fail "cannot move the VMM into $G"
for t in $tids; do
	grep -qx '0::/scxe_vmm' /proc/"$E2E_PID"/task/"$t"/cgroup || fail "vCPU thread $t is not in $G: $(cat /proc/"$E2E_PID"/task/"$t"/cgroup)"
done
tnote "VMM in $G; cpuset changes for 62 s under load"
load_start 100
n=0 nx=0
t0=$(date +%s)
while [ $(($(date +%s) - t0)) -lt 62 ]; do
	rnd 12
	# shellcheck disable=SC2086 # the list
	m=$(echo $SETS | cut -d' ' -f$((RND + 1)))
	echo "$m" >$G/cpuset.cpus || fail "cannot set cpuset.cpus $m"
	n=$((n + 1))
	excludes_a_type "$m" && nx=$((nx + 1))
	for t in $tids; do
		a=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/"$E2E_PID"/task/"$t"/status)
		[ "$a" = "$m" ] || fail "cpuset.cpus $m, but vCPU thread $t may run on $a"
	done
	sleep 0.5
done
secs=$(($(date +%s) - t0))
echo 0-3 >$G/cpuset.cpus || fail "cannot widen cpuset.cpus again"
load_stop
fault_end "after ${secs}s of cpuset changes"
forced=$F_FORCED expired=$F_EXPIRED
echo "$E2E_PID" >$CG/cgroup.procs || fail "cannot move the VMM back"
vmm_stop
grep '^stats:' "$SCXE_LOG" | tail -n 1 | sed 's/^/  scx_errata| /'
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
rmdir $G || fail "cannot remove $G"
fault_results cpuset
viol=$F_V aviol=$F_AV sforced=$F_SF
[ "$forced" -gt 0 ] && [ "$sforced" -gt 0 ] ||
	fail "$nx cpusets that exclude a type forced no move (stats $forced, slots $sforced)"
[ "$viol" -le "$sforced" ] ||
	fail "$viol moves inside windows, only $sforced of them forced: the fence lost a vCPU under cpuset changes"
[ "$aviol" -le "$sforced" ] || fail "$aviol moves while armed, only $sforced forced"
[ "$expired" -eq 0 ] || fail "$expired holds released (expired or budget) with unlimited holds"
[ "$(e2e_get enforcement)" = on ] || fail "enforcement off at the end"
fault_summary fault_cpuset "$secs" \
	"cpuset_cpus_writes=$n,excluding_a_type=$nx,stress_ng=$LOAD_OPS" \
	"forced_moves=$forced,expired=$expired,violations=$viol,armed_violations=$aviol,ejections=$(ejections),fenced_switchouts=$(e2e_get fenced_switchouts)"
exit 0
