#!/bin/sh
# Helpers for VM test cases (sourced). A case fails by exiting non-zero; fail() says why.

SCXE_LOG=/tmp/scx_errata.out
# what the host passed (tests/vm/run.sh): e.g. SCXE_TYPES for a boot with another -smp
[ -f /scxe/env ] && . /scxe/env
SCXE_TYPES=${SCXE_TYPES:-0-1:big,2-3:little}

fail() { echo "FAIL: $*"; [ -f "$SCXE_LOG" ] && sed 's/^/  scx_errata| /' "$SCXE_LOG" | tail -n 20; exit 1; }
note() { echo "$*"; }

sched_state() { cat /sys/kernel/sched_ext/state 2>/dev/null || echo missing; }
sched_ops() { cat /sys/kernel/sched_ext/root/ops 2>/dev/null; }

# wait_state STATE SECS
wait_state() {
	i=0
	while [ "$(sched_state)" != "$1" ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# scxe_start [run options...]: start the loader in the background and wait until attached
scxe_start() {
	scx_errata run --cpu-types "$SCXE_TYPES" "$@" >"$SCXE_LOG" 2>&1 &
	SCXE_PID=$!
	wait_state enabled 30 || fail "scheduler did not attach within 30 s (state $(sched_state))"
	[ "$(sched_ops)" = errata ] || fail "attached ops is '$(sched_ops)', expected errata"
}

# scxe_stop [SIG]: stop the loader, wait for it, and set SCXE_RC to its exit status
scxe_stop() {
	kill -"${1:-INT}" "$SCXE_PID" 2>/dev/null
	wait "$SCXE_PID"
	SCXE_RC=$?
	wait_state disabled 15 || fail "scheduler still $(sched_state) after the loader exited"
}

# assert the kernel did not eject the scheduler during this test
assert_not_ejected() {
	if dmesg | grep -q 'sched_ext: BPF scheduler "errata" disabled\|sched_ext:.*errata.*error'; then
		dmesg | grep sched_ext | head -n 5
		fail "the scheduler was ejected"
	fi
	grep -q '^EXIT:.*error\|ejected' "$SCXE_LOG" && fail "the loader reports an ejection"
	return 0
}

# last counter value from the loader's stats lines: stat NAME
stat() {
	grep '^stats:' "$SCXE_LOG" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# value of KEY in a line of key=value words: kv "LINE" KEY
kv() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# beside_loop SECS CMD...: run CMD pinned to CPU 1 next to a busy loop pinned there too
# (the scheduler-quality cases: one CPU, two tasks, no placement choice); prints CMD's output
beside_loop() {
	taskset 0x2 stress spin 1 $(($1 + 2)) >/dev/null 2>&1 &
	_loop=$!
	shift
	sleep 0.5
	taskset 0x2 "$@" || fail "$* failed"
	kill $_loop 2>/dev/null
	wait $_loop 2>/dev/null
}
