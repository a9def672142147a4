#!/bin/sh
# Helpers for the fence_* end-to-end cases (sourced; not a test itself). Each scenario runs
# the test VMM (e2e_vmm: real KVM vCPUs entering errata windows, observed by an independent
# sched_switch program) under `scx_errata run --vm PID:PATH` and reads its summary lines.
. /scxe/lib.sh

E2E_SHM=/dev/shm/scx_errata.e2e
E2E_OUT=/tmp/e2e_vmm.out

# e2e_start_vmm "VMM OPTIONS": start the test VMM in the background (it creates the shared
# file zero-filled and names its threads vcpuN) and wait until it says it is ready; sets
# E2E_PID.
e2e_start_vmm() {
	# a stale output file would let the wait below see the previous run's "ready" line
	rm -f "$E2E_SHM" "$E2E_OUT"
	# assert_not_ejected reads dmesg: forget the previous scenario's detach
	dmesg -c >/dev/null 2>&1
	# shellcheck disable=SC2086 # the options are a word list
	e2e_vmm --shm "$E2E_SHM" --cpu-types "$SCXE_TYPES" --wait-registered 90 $1 \
		>"$E2E_OUT" 2>&1 &
	E2E_PID=$!
	i=0
	until grep -q '^e2e_vmm: ready' "$E2E_OUT" 2>/dev/null; do
		if ! kill -0 "$E2E_PID" 2>/dev/null; then
			sed 's/^/  e2e_vmm| /' "$E2E_OUT"
			fail "e2e_vmm exited before it was ready"
		fi
		i=$((i + 1))
		[ $i -gt 300 ] && fail "e2e_vmm not ready within 30 s"
		sleep 0.1
	done
}

# e2e_run "VMM OPTIONS" [scx_errata run options...]
# Starts the VMM first, then the daemon, which finds the threads within a rescan; the VMM
# waits until the daemon has run every vCPU, measures, prints its lines and exits; then the
# daemon is stopped.
e2e_run() {
	e2e_start_vmm "$1"
	shift
	scxe_start --vm "$E2E_PID:$E2E_SHM" "$@"
	wait "$E2E_PID"
	E2E_RC=$?
	grep -E '^e2e(-[a-z]+)?: ' "$E2E_OUT"
	grep -vE '^e2e(-[a-z]+)?: ' "$E2E_OUT" | sed 's/^/  e2e_vmm| /'
	[ "$E2E_RC" -eq 0 ] || fail "e2e_vmm exited $E2E_RC"
	kill -0 "$SCXE_PID" 2>/dev/null || fail "scx_errata died during the run"
	[ "$(sched_state)" = enabled ] || fail "scheduler not enabled after the run (state $(sched_state))"
	assert_not_ejected
	scxe_stop INT
	[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
	# the loader's last line, printed as it stops: a run shorter than --stats has no other
	E2E_STATS=$(grep '^stats:' "$SCXE_LOG" | tail -n 1)
	note "  scx_errata| $E2E_STATS"
	grep -q '^e2e: ' "$E2E_OUT" || fail "e2e_vmm printed no 'e2e:' line"
}

# e2e_get NAME: value of NAME=... from the VMM's result lines ("e2e: ", "e2e-x: ")
e2e_get() {
	grep -E '^e2e(-[a-z]+)?: ' "$E2E_OUT" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

# e2e_stat NAME: the daemon's counter NAME from its last stats line of the last run
e2e_stat() {
	echo "$E2E_STATS" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# e2e_expect NAME OP VALUE: e.g. e2e_expect violations -eq 0
e2e_expect() {
	v=$(e2e_get "$1")
	[ -n "$v" ] || fail "no $1 in the e2e output"
	[ "$v" "$2" "$3" ] || fail "$1=$v, expected $2 $3"
}

# e2e_fence_proof MODE IN_ACTION: the end-to-end proof of one fence mode. 3 vCPUs and 2 busy
# threads on 4 CPUs; inside each window the vCPU thread blocks once with IN_ACTION (yield:
# the enqueue path; mix: yield and sleep alternately, so wake-ups of fenced threads go
# through select_cpu too); every second gap it sleeps 100 us (wake-ups onto idle CPUs of
# both types). Enforced: 0 violations in >= 10,000 fenced switch-outs, >= 1,000 free moves
# across types, the guest always reads the type it runs on. Not enforced: violations > 0,
# so the check can fail.
e2e_fence_proof() {
	scenario="--vcpus 3 --load 2 --mode $1 --spin-in 5000 --spin-out 5000
		--block-in-every 1 --in-action $2 --block-out-every 2 --out-action sleep"
	daemon="--mode $1 --max-hold-ms 0 --hold-budget 100 --slice-us 1000 --stats 5"

	e2e_run "$scenario --seconds 120 --min-fenced 10000 --min-moves 1000" $daemon
	e2e_expect enforcement = on
	e2e_expect fenced_switchouts -ge 10000
	e2e_expect violations -eq 0
	e2e_expect unfenced_cross_type_moves -ge 1000
	e2e_expect type_mismatches -eq 0
	[ "$(e2e_stat fence_switchouts)" -gt 0 ] || fail "the scheduler counted no fenced switch-outs"

	e2e_run "$scenario --seconds 30 --min-fenced 2000 --min-violations 1" $daemon --no-enforce
	e2e_expect enforcement = off
	e2e_expect violations -gt 0
}

# daemon_bg LOG [run options...]: start `scx_errata run` for the test VMM's VM in the
# background (types as in every test, no counters); sets DAEMON. Does not wait.
daemon_bg() {
	log=$1
	shift
	# emptied here: the background shell truncates it only once it gets to run, and a
	# wait on the log's content must not see the previous daemon's lines
	: >"$log"
	scx_errata run --cpu-types "$SCXE_TYPES" --vm "$E2E_PID:$E2E_SHM" --stats 0 "$@" >"$log" 2>&1 &
	DAEMON=$!
}

# slot_u32 FILE SLOT OFFSET: a 32-bit field of a slot, as the guest reads it
slot_u32() {
	od -An -tu4 -j $((4096 + $2 * 64 + $3)) -N4 "$1" | tr -d ' '
}

# nr_armed N: how many of the first N slots of the VMM's file read armed (offset 16)
nr_armed() {
	n=0
	for s in $(seq 0 $(($1 - 1))); do
		[ "$(slot_u32 "$E2E_SHM" "$s" 16)" != 0 ] && n=$((n + 1))
	done
	echo $n
}

# wait_armed N SECS: every one of the first N slots reads armed within SECS
wait_armed() {
	i=0
	until [ "$(nr_armed "$1")" = "$1" ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}

# vmm_stop: end a --run-until-signal VMM and print its result lines
vmm_stop() {
	kill -INT "$E2E_PID" 2>/dev/null
	wait "$E2E_PID"
	E2E_RC=$?
	grep -E '^e2e(-[a-z]+)?: ' "$E2E_OUT"
	[ "$E2E_RC" -eq 0 ] || { sed 's/^/  e2e_vmm| /' "$E2E_OUT"; fail "e2e_vmm exited $E2E_RC"; }
}

# vcpu_tid NAME: print the tid of the test VMM's thread NAME (vcpu0, ...); 1 when none
vcpu_tid() {
	for _t in /proc/$E2E_PID/task/*; do
		[ "$(cat "$_t/comm" 2>/dev/null)" = "$1" ] && { echo "${_t##*/}"; return 0; }
	done
	return 1
}
