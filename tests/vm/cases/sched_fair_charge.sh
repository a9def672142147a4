#!/bin/sh
# A task's turn must follow the CPU time it really used. A task that works 100 us and then
# yields (a spin-then-yield lock, a cooperative runtime) shares CPU 1 with a busy loop (both
# pinned). Two things used to cost it nearly all of its share: sched_yield() zeroes the
# slice left, so a charge computed from the slice left billed every run as a whole slice;
# and the kernel asks for the next task before it re-queues the one whose slice ended, so a
# dispatch that only looks at the queues hands the CPU to the loop whatever the vtimes. The
# yielder then got one run of 100 us per slice of the loop, about 2-6% of the CPU, where its
# runtime entitles it to half. EEVDF's share for the same pair is reported beside ours (it
# pushes a yielder's deadline back); the check is on scx_errata's own share.
. /scxe/lib.sh
SECS=6

fair=$(beside_loop $SECS duty yield 100 $SECS)
scxe_start --stats 0
errata=$(beside_loop $SECS duty yield 100 $SECS)
assert_not_ejected
scxe_stop INT
note "sched_fair_charge: eevdf $fair"
note "sched_fair_charge: errata $errata"
share=$(kv "$errata" share_pct)
[ "$share" -ge 25 ] || fail "a task that yields after 100 us of work gets ${share}% of a CPU it shares with a busy loop under scx_errata (EEVDF: $(kv "$fair" share_pct)%); it should get about half"
exit 0
