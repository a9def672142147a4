#!/bin/sh
# Helpers for the bench_* cases (sourced; not a benchmark itself). A case defines
#   measure   run its loads once under the current configuration and report each result
#             with `result NAME VALUE UNIT higher|lower`
# optionally sizes its fixed-work loads under EEVDF first (calibrate), and calls bench_main:
# BENCH_REPS reps, each running every configuration of BENCH_CONFIGS in turn (eevdf, errata,
# errata+vms, eevdf, errata, ...), all in this one boot, so that slow drift of the host
# (other work on it, TCG's state) spreads over all configurations alike. One line a result:
#   bench: name=NAME config=CONFIG rep=N value=V unit=U better=higher|lower
# The configurations:
#   eevdf       no sched_ext scheduler: the kernel's fair class
#   errata      `scx_errata run` with its defaults, no VM
#   errata+vms  the same daemon with the test VMM paired (2 KVM vCPUs), its guest entering
#               and leaving errata windows beside the load, mostly asleep between them (a
#               lightly used VM: the load, not the vCPUs, should own the CPUs). The VMM's
#               sched_switch observer stays attached: a small cost on every context switch
#               that the other two configurations do not pay.
#   eevdf+vms   (only when named in BENCH_CONFIGS) the same VMM under the fair class, unpaired:
#               what the VMs cost the load whatever the scheduler
# Settings come from the host (tests/vm/run.sh passes BENCH_* through /scxe/env):
# BENCH_SECS (seconds a measurement lasts, integer), BENCH_REPS, BENCH_CONFIGS, BENCH_VMM (the
# test VMM's options).
. /scxe/cases/fault_lib.sh

BENCH_SECS=${BENCH_SECS:-5}
BENCH_REPS=${BENCH_REPS:-5}
BENCH_CONFIGS=${BENCH_CONFIGS:-eevdf errata errata+vms}
NCPU=$(nproc)
BENCH_SHM=/dev/shm/scx_errata.bench
BENCH_VMM_OUT=/tmp/bench_vmm.out
BENCH_VMM=${BENCH_VMM:-"--vcpus 2 --spin-in 2000 --spin-out 2000 --block-out-every 1
	--out-action sleep --sleep-us 10000"}
# a tool that takes 20 times its share is stuck, not slow
BENCH_BOUND=$((BENCH_SECS * 20 + 60))

result() { # NAME VALUE UNIT BETTER
	case "$2" in
	'' | *[!0-9.]*) fail "$1 under $BENCH_CONFIG: '$2' is not a number" ;;
	esac
	echo "bench: name=$1 config=$BENCH_CONFIG rep=$BENCH_REP value=$2 unit=$3 better=$4"
}

# run_tool OUT CMD...: CMD with its output in OUT; on failure its last lines and one line why
run_tool() {
	o=$1
	shift
	timeout "$BENCH_BOUND" "$@" >"$o" 2>&1
	rc=$?
	[ $rc -eq 0 ] && return 0
	tail -n 15 "$o" | sed 's/^/  | /'
	[ $rc -eq 124 ] && fail "$1 under ${BENCH_CONFIG:-calibration} took over ${BENCH_BOUND}s"
	fail "$1 under ${BENCH_CONFIG:-calibration} exited $rc"
}

# field FILE KEY: the number after KEY (a literal string) on the first line that has it
field() {
	awk -v k="$2" 'i = index($0, k) { s = substr($0, i + length(k)); sub(/^[ \t:=]+/, "", s);
		split(s, w, /[^0-9.]/); print w[1]; exit }' "$1"
}

# calibrate NAME WORK CMD...: size a fixed-work load to take about BENCH_SECS under EEVDF.
# CMD (a function taking the amount of work as its last argument and setting TOOK, in
# seconds) runs with growing WORK until it takes >= 0.5 s, then once more with 4 times that:
# the two times give its fixed cost (process creation) and its cost per unit of work.
# Sets WORK; a note says what was chosen and why.
calibrate() {
	c_name=$1 c_work=$2
	shift 2
	while :; do
		"$@" "$c_work"
		awk -v t="$TOOK" 'BEGIN { exit !(t < 0.5) }' || break
		c_work=$((c_work * 4))
	done
	c_took=$TOOK
	"$@" $((c_work * 4))
	WORK=$(awk -v w="$c_work" -v t1="$c_took" -v t2="$TOOK" -v s="$BENCH_SECS" 'BEGIN {
		per = (t2 - t1) / (3 * w); fixed = t1 - per * w
		# a second run no slower than the first: noise; assume no fixed cost
		if (per <= 0) { per = t1 / w; fixed = 0 }
		if (fixed < 0) fixed = 0
		n = (s - fixed) / per; p = 1
		while (n >= 100 * p) p *= 10
		n = int(n / p + 0.5) * p
		print (n < 1 ? 1 : n) }')
	note "bench-work: $c_name $WORK ($c_work took ${c_took}s, $((c_work * 4)) ${TOOK}s under eevdf)"
}

config_begin() {
	case $BENCH_CONFIG in
	eevdf)
		[ "$(sched_state)" = disabled ] || fail "sched_ext is $(sched_state) before an eevdf run"
		;;
	errata)
		scxe_start --stats 0
		;;
	errata+vms)
		vmm_start "$BENCH_SHM" "$BENCH_VMM_OUT" "$BENCH_VMM --run-until-signal"
		BENCH_VPID=$VPID
		scxe_start --vm "$BENCH_VPID:$BENCH_SHM" --stats 0
		wait_line "$BENCH_VMM_OUT" '^e2e_vmm: registered' 90 ||
			fail "the daemon did not run the test VMM's vCPUs within 90 s"
		;;
	eevdf+vms)
		# the same VMM with no daemon to wait for: what the VMs cost the load by themselves
		rm -f "$BENCH_SHM"
		# shellcheck disable=SC2086 # word list
		e2e_vmm --shm "$BENCH_SHM" --cpu-types "$SCXE_TYPES" $BENCH_VMM --run-until-signal \
			>"$BENCH_VMM_OUT" 2>&1 &
		BENCH_VPID=$!
		vmm_ready "$BENCH_VPID" "$BENCH_VMM_OUT"
		;;
	*)
		fail "unknown configuration '$BENCH_CONFIG' in BENCH_CONFIGS (eevdf, errata, errata+vms, eevdf+vms)"
		;;
	esac
}

config_end() {
	case $BENCH_CONFIG in *+vms) vmm_end "$BENCH_VPID" "$BENCH_VMM_OUT" ;; esac
	case $BENCH_CONFIG in
	errata*)
		kill -0 "$SCXE_PID" 2>/dev/null || fail "the daemon died during rep $BENCH_REP ($BENCH_CONFIG)"
		attached "rep $BENCH_REP ($BENCH_CONFIG)"
		scxe_stop INT
		[ "$SCXE_RC" -eq 0 ] || fail "the loader exited $SCXE_RC after rep $BENCH_REP ($BENCH_CONFIG)"
		next_phase
		;;
	esac
}

bench_main() {
	note "bench-setup: cpus=$NCPU types=$SCXE_TYPES secs=$BENCH_SECS reps=$BENCH_REPS configs='$BENCH_CONFIGS' kernel=$(uname -r)"
	dmesg -c >/dev/null 2>&1
	for BENCH_REP in $(seq 1 "$BENCH_REPS"); do
		for BENCH_CONFIG in $BENCH_CONFIGS; do
			t0=$(date +%s)
			config_begin
			t1=$(date +%s)
			measure
			t2=$(date +%s)
			config_end
			note "bench-time: rep=$BENCH_REP config=$BENCH_CONFIG setup=$((t1 - t0))s measure=$((t2 - t1))s teardown=$(($(date +%s) - t2))s"
		done
	done
}
