# After SIGTERM the loader detaches: sched_ext is disabled, a task that ran under it is back
# on the fair class (ext.enabled 1 -> 0 in /proc/PID/sched, policy SCHED_NORMAL), and new
# tasks run.
. /scxe/lib.sh
sleep 1000 &
sleeper=$!
ext_enabled() { sed -n 's/^ext\.enabled *: *//p' /proc/$sleeper/sched; }
scxe_start --stats 0
sleep 1
[ "$(ext_enabled)" = 1 ] || fail "a task is not on sched_ext while attached (ext.enabled=$(ext_enabled))"
scxe_stop TERM
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC on SIGTERM"
[ "$(sched_state)" = disabled ] || fail "state $(sched_state) after detach"
[ "$(ext_enabled)" = 0 ] || fail "the task is still on sched_ext after detach (ext.enabled=$(ext_enabled))"
policy=$(sed -n 's/^policy *: *//p' /proc/$sleeper/sched)
[ "$policy" = 0 ] || fail "the task has policy $policy after detach, expected SCHED_NORMAL (0)"
kill $sleeper
out=$(stress spin 2 1) || fail "a task could not run after detach"
note "detach: ext.enabled 1 -> 0, $out"
exit 0
