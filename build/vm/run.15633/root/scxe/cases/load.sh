# Sustained mixed load for 20 s: the watchdog must not eject us and every load makes progress.
. /scxe/lib.sh
scxe_start --stats 5
out=$(stress all 20) || fail "stress failed"
note "$out"
for k in spins forkexecs pingpongs; do
	v=$(echo "$out" | tr ' ' '\n' | sed -n "s/^$k=//p")
	[ "${v:-0}" -gt 0 ] || fail "no $k done in 20 s under the scheduler"
done
[ "$(sched_state)" = enabled ] || fail "scheduler not enabled after the load (state $(sched_state))"
assert_not_ejected
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
note "load: $(grep '^stats:' "$SCXE_LOG" | tail -n 1)"
exit 0
