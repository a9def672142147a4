#!/bin/sh
# A woken task that has been asleep must not wait for a busy task's slice to run out. A
# task that wakes every 10 ms for 50 us of work shares CPU 1 with a busy loop (both pinned).
# EEVDF preempts the loop at the wake-up; without wake-up preemption the sleeper waits for
# the rest of the loop's slice (up to 5 ms, checked at the 4 ms tick). Measured under EEVDF,
# then under scx_errata: the median wake-up latency must stay near EEVDF's.
. /scxe/lib.sh
SECS=8

fair=$(beside_loop $SECS duty 50 10000 $SECS)
scxe_start --stats 0
errata=$(beside_loop $SECS duty 50 10000 $SECS)
assert_not_ejected
scxe_stop INT
fp=$(kv "$fair" wake_p50_us) ep=$(kv "$errata" wake_p50_us)
note "sched_wake_preempt: eevdf $fair"
note "sched_wake_preempt: errata $errata"
limit=$((fp * 2))
[ $limit -lt $((fp + 1000)) ] && limit=$((fp + 1000))
[ "$ep" -le "$limit" ] || fail "a sleeper waking next to a busy loop waits ${ep} us (median) under scx_errata, ${fp} us under EEVDF (limit ${limit} us)"
exit 0
