#!/bin/sh
# vtime must charge the CPU time a task really used. A busy loop and a task that needs
# 10 ms of CPU every 100 ms share CPU 1 (both pinned). Alone, the busy loop runs on the
# kernel's own 20 ms slices; a charge computed from the slice left (our old one) then misses
# nearly all of it, the loop's vtime falls behind by whatever it ran alone, and each time
# the periodic task wakes it waits until the loop has repaid that: about 100 ms instead of
# the ~20 ms EEVDF needs to share the CPU. Measured under EEVDF, then under scx_errata.
. /scxe/lib.sh
SECS=8

run_pair() { # -> prints the duty line
	taskset 0x2 stress spin 1 $((SECS + 2)) >/dev/null 2>&1 &
	hog=$!
	sleep 0.5
	taskset 0x2 duty 10000 100000 $SECS || fail "duty failed"
	kill $hog 2>/dev/null
	wait $hog 2>/dev/null
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

fair=$(run_pair)
scxe_start --stats 0
errata=$(run_pair)
assert_not_ejected
scxe_stop INT
fp=$(field "$fair" done_p50_us) ep=$(field "$errata" done_p50_us)
note "sched_fair_charge: eevdf $fair"
note "sched_fair_charge: errata $errata"
# the task needs 10 ms of CPU; sharing one CPU with a loop it should be done in about 20 ms
limit=$((fp * 2))
[ $limit -lt $((fp + 15000)) ] && limit=$((fp + 15000))
[ "$ep" -le "$limit" ] || fail "a periodic task sharing a CPU with a busy loop needs ${ep} us (median) to get 10 ms of CPU under scx_errata, ${fp} us under EEVDF (limit ${limit} us)"
exit 0
