#!/bin/sh
# A woken task that has been asleep must not wait for a busy task's slice to run out. A
# task that wakes every 10 ms for 50 us of work shares CPU 1 with a busy loop (both pinned).
# EEVDF preempts the loop at the wake-up; without wake-up preemption the sleeper waits for
# the rest of the loop's slice (up to 5 ms, checked at the 4 ms tick). Measured under EEVDF,
# then under scx_errata: the median wake-up latency must stay near EEVDF's.
. /scxe/lib.sh
SECS=8

run_pair() { # -> prints the duty line
	taskset 0x2 stress spin 1 $((SECS + 2)) >/dev/null 2>&1 &
	hog=$!
	sleep 0.5
	taskset 0x2 duty 50 10000 $SECS || fail "duty failed"
	kill $hog 2>/dev/null
	wait $hog 2>/dev/null
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

fair=$(run_pair)
scxe_start --stats 0
errata=$(run_pair)
assert_not_ejected
scxe_stop INT
fp=$(field "$fair" wake_p50_us) ep=$(field "$errata" wake_p50_us)
note "sched_wake_preempt: eevdf $fair"
note "sched_wake_preempt: errata $errata"
limit=$((fp * 2))
[ $limit -lt $((fp + 1000)) ] && limit=$((fp + 1000))
[ "$ep" -le "$limit" ] || fail "a sleeper waking next to a busy loop waits ${ep} us (median) under scx_errata, ${fp} us under EEVDF (limit ${limit} us)"
exit 0
