#!/bin/sh
# Helpers for the fault_* cases (sourced; not a test itself): faults injected for a minute or
# more while the system is under the load sched_ext's own CI runs every scheduler under
# (stress-ng --aggressive with CPU, fork and affinity-churn workers), with real KVM vCPUs of
# the test VMM in errata windows. Each case ends with one line
#   fault: name=NAME seconds=S injected=WHAT=N,... counted=forced_moves=N,expired=N,violations=N,armed_violations=N,ejections=N
# where seconds is how long faults were injected, forced_moves and expired (holds the
# scheduler ended by itself: expired or hold budget spent) come from the scheduler,
# violations and armed_violations from the VMMs' independent observer (a vCPU that left its
# type, or CPU in same-cpu mode, after a switch-out inside a window; armed_: while its slot
# read armed) and ejections from the kernel log.
. /scxe/cases/fence_lib.sh

FAULT_LOAD_OUT=/tmp/stress-ng.out
# Holds never end by themselves: every move of a window must then be a forced one. With a
# daemon that has a hold budget, the whole of it.
FAULT_HOLD="--max-hold-ms 0"
scx_errata run -h 2>&1 | grep -q -- '--hold-budget' && FAULT_HOLD="$FAULT_HOLD --hold-budget 100"
# Guests that are inside a window most of the time (so a fault nearly always lands in one),
# block inside some windows (yield and sleep) and sleep in some gaps; a busy thread competes.
FAULT_VMM="--vcpus 3 --load 1 --spin-in 20000 --spin-out 2000 --block-in-every 2 --in-action mix
	--block-out-every 4 --out-action sleep --run-until-signal"

# vmm_launch SHM OUT "OPTIONS": start a test VMM on the shared file SHM, its output in OUT
# (like e2e_start_vmm, but any file, and the kernel log is left alone: ejections counts over
# the whole case); sets VPID. vmm_ready PID OUT: wait until it says it is ready.
vmm_launch() {
	rm -f "$1" "$2"
	# shellcheck disable=SC2086 # the options are a word list
	e2e_vmm --shm "$1" --cpu-types "$SCXE_TYPES" --wait-registered 90 $3 >"$2" 2>&1 &
	VPID=$!
}
vmm_ready() {
	i=0
	until grep -q '^e2e_vmm: ready' "$2" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || { sed 's/^/  e2e_vmm| /' "$2"; fail "e2e_vmm ($2) exited before it was ready"; }
		i=$((i + 1))
		[ $i -gt 900 ] && fail "e2e_vmm ($2) not ready within 90 s"
		sleep 0.1
	done
}
# vmm_start SHM OUT "OPTIONS": both
vmm_start() {
	vmm_launch "$@"
	vmm_ready "$VPID" "$2"
}

# vmm_end PID OUT: SIGINT to a --run-until-signal VMM; wait for its result lines
vmm_end() {
	kill -INT "$1" 2>/dev/null
	wait "$1"
	rc=$?
	grep -E '^e2e(-[a-z]+)?: ' "$2" | sed "s/^/  $(basename "$2" .out)| /"
	[ $rc -eq 0 ] || { sed 's/^/  e2e_vmm| /' "$2"; fail "e2e_vmm ($2) exited $rc"; }
}

# load_start SECS: sched_ext CI's load (`stress-ng --aggressive -M -c N -f N --affinity 1
# --affinity-delay 1 --affinity-pin`, N = 2 here: 4 CPUs under TCG) for at most SECS
load_start() {
	stress-ng --aggressive -M --cpu 2 --fork 2 --affinity 1 --affinity-delay 1 --affinity-pin \
		--timeout "$1" --temp-path /tmp >"$FAULT_LOAD_OUT" 2>&1 &
	LOAD_PID=$!
	sleep 1
	kill -0 "$LOAD_PID" 2>/dev/null || { cat "$FAULT_LOAD_OUT"; fail "stress-ng did not start"; }
}

# load_stop: end the load, insist it ran every stressor to the end; sets LOAD_OPS
# (cpu=N,fork=N,affinity=N bogo operations)
load_stop() {
	kill -INT "$LOAD_PID" 2>/dev/null
	wait "$LOAD_PID"
	rc=$?
	LOAD_OPS=$(awk '/metrc:/ && ($4 == "cpu" || $4 == "fork" || $4 == "affinity") {
		printf "%s%s=%s", sep, $4, $5; sep = "," }' "$FAULT_LOAD_OUT")
	case "$LOAD_OPS" in
	*cpu=[1-9]*fork=[1-9]*affinity=[1-9]*) ;;
	*) sed 's/^/  stress-ng| /' "$FAULT_LOAD_OUT"; fail "stress-ng (exit $rc) reports no progress of every stressor: '$LOAD_OPS'" ;;
	esac
	grep -q 'unsuccessful run\|failed: [1-9]' "$FAULT_LOAD_OUT" && {
		sed 's/^/  stress-ng| /' "$FAULT_LOAD_OUT"; fail "a stressor failed"; }
	note "load: stress-ng $LOAD_OPS"
}

# ejections: how often the kernel disabled the scheduler other than on user space's request
# (the runner empties the kernel log before each test; a case only through next_phase)
ejections() {
	dmesg | grep 'sched_ext: BPF scheduler "errata" disabled' | grep -vc 'unregistered from user space'
}

# attached WHEN: the scheduler is enabled, is ours, and was never ejected so far
attached() {
	[ "$(sched_state)" = enabled ] || fail "$1: scheduler $(sched_state)"
	[ "$(sched_ops)" = errata ] || fail "$1: ops '$(sched_ops)'"
	[ "$(ejections)" -eq 0 ] || { dmesg | grep sched_ext | head -n 5; fail "$1: the scheduler was ejected"; }
}

# fault_end WHAT: the injection is over (load stopped): the daemon lives, the scheduler is
# attached and was never ejected; after one more counter line, its counters in F_FORCED,
# F_EXPIRED and F_RESCUE
fault_end() {
	kill -0 "$SCXE_PID" 2>/dev/null || fail "$1: the daemon died"
	attached "$1"
	assert_not_ejected
	sleep 1.5	# one more counter line
	F_FORCED=$(stat forced)
	F_EXPIRED=$(released)
	F_RESCUE=$(stat rescue)
}

# fault_results WHAT: the VMM has reported: the observer's counts in F_V (violations),
# F_AV (armed), F_SF (forced moves the slots counted), F_FSO (fenced switch-outs); every
# cur_type the scheduler wrote was right
fault_results() {
	F_V=$(e2e_get violations)
	F_AV=$(e2e_get armed_violations)
	F_SF=$(e2e_get slot_forced_moves)
	F_FSO=$(e2e_get fenced_switchouts)
	[ "$(e2e_get cur_type_mismatches)" -eq 0 ] ||
		fail "$1: the scheduler wrote a wrong cur_type $(e2e_get cur_type_mismatches) times"
}

# next_phase: a case that stops its scheduler and starts another one: the kernel's line about
# the normal detach would read as an ejection to assert_not_ejected; check, then forget it
next_phase() {
	[ "$(ejections)" -eq 0 ] || { dmesg | grep sched_ext | head -n 5; fail "the scheduler was ejected"; }
	dmesg -c >/dev/null 2>&1
}

# sstat NAME: a counter of the pinned scheduler, read through `scx_errata status`
sstat() {
	scx_errata status 2>/dev/null | grep '^stats:' | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# released: holds the scheduler ended by itself (expired, and released by the hold budget
# where the daemon has one), from the loader's last counter line; sreleased: the same from
# `scx_errata status`. With unlimited holds both must stay 0.
released() {
	e=$(stat expired)
	b=$(stat budget_releases)
	echo $((${e:-0} + ${b:-0}))
}
sreleased() {
	e=$(sstat expired)
	b=$(sstat budget_releases)
	echo $((${e:-0} + ${b:-0}))
}

# vcpu_tids PID: the test VMM's vCPU threads (named vcpuN)
vcpu_tids() {
	for t in /proc/"$1"/task/*; do
		case "$(cat "$t/comm" 2>/dev/null)" in vcpu*) echo "${t##*/}" ;; esac
	done
}

# slots FILE N: the first N slots of FILE, one line each: the 16 32-bit fields in order
# (in_errata erratum window_seq guest_reserved armed cur_type cur_cpu run_seq arch_id(2)
# fenced_switchouts forced_moves expired_holds reserved1 windows budget_releases); one od
# for all: under load every process started costs the shell a lot
slots() {
	od -An -v -tu4 -w64 -j 4096 -N $(($2 * 64)) "$1"
}

# slot_sum FILE N OFFSET: a field summed over the first N slots (44: forced_moves)
slot_sum() {
	slots "$1" "$2" | awk -v f=$(($3 / 4 + 1)) '{ s += $f } END { print s + 0 }'
}

# armed_in FILE N: how many of the first N slots read armed
armed_in() {
	slots "$1" "$2" | awk '$5 != 0 { n++ } END { print n + 0 }'
}

# fenced_on FILE N CPUS: how many of the first N slots read armed and in a window on one of
# CPUS (e.g. "2 3")
fenced_on() {
	slots "$1" "$2" | awk -v cpus="$3" 'BEGIN { n = split(cpus, a, " "); for (i = 1; i <= n; i++) on[a[i]] = 1 }
		$1 != 0 && $5 != 0 && ($7 in on) { k++ } END { print k + 0 }'
}

# wait_line FILE REGEX SECS
wait_line() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($3 * 10)) ] && return 1
		sleep 0.1
	done
}

# rnd N: a pseudo-random number in [0, N) (an LCG: busybox sh may lack $RANDOM)
FAULT_SEED=12345
rnd() {
	FAULT_SEED=$(((FAULT_SEED * 1103515245 + 12345) & 2147483647))
	RND=$(((FAULT_SEED >> 8) % $1))
}

# e2e_val FILE NAME: NAME=... from a VMM's result lines
e2e_val() {
	grep -E '^e2e(-[a-z]+)?: ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# elapsed: seconds since fault_begin; tnote MSG: a note with that time
fault_begin() { FAULT_T0=$(date +%s); }
elapsed() { echo $(($(date +%s) - FAULT_T0)); }
tnote() { echo "[$(elapsed)s] $*"; }
FAULT_T0=$(date +%s)

# fault_summary NAME SECONDS INJECTED COUNTED
fault_summary() {
	echo "fault: name=$1 seconds=$2 injected=$3 counted=$4"
}
