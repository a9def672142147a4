# After SIGTERM the loader detaches: sched_ext is disabled, a task that ran under it is back
# on the fair class (policy SCHED_NORMAL, no ext state in /proc/PID/sched), and new tasks run.
. /scxe/lib.sh
sleep 1000 &
sleeper=$!
scxe_start --stats 0
sleep 1
grep -q 'ext' /proc/$sleeper/sched && note "while attached: $(grep ext /proc/$sleeper/sched | tr -s ' ' | head -n 2 | tr '\n' ' ')"
scxe_stop TERM
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC on SIGTERM"
[ "$(sched_state)" = disabled ] || fail "state $(sched_state) after detach"
policy=$(sed -n 's/^policy *: *//p' /proc/$sleeper/sched)
[ "$policy" = 0 ] || fail "a task has policy $policy after detach, expected SCHED_NORMAL (0)"
kill $sleeper
out=$(stress spin 2 1) || fail "a task could not run after detach"
note "detach: $out"
exit 0
