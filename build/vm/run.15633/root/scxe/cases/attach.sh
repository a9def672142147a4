# The scheduler attaches, names itself, reports counters, and detaches cleanly on SIGINT.
. /scxe/lib.sh
[ "$(sched_state)" = disabled ] || fail "sched_ext state is $(sched_state) before the test"
scxe_start --stats 1
sleep 3
stress spin 4 2 >/dev/null
sleep 1.5
[ -n "$(stat shared)" ] || fail "no stats line within 3 s"
[ "$(stat shared)" -gt 0 ] || [ "$(stat local)" -gt 0 ] || fail "counters stayed at zero"
grep -q 'type 0 big: cpus 0-1' "$SCXE_LOG" || fail "loader did not report type big on cpus 0-1"
grep -q 'type 1 little: cpus 2-3' "$SCXE_LOG" || fail "loader did not report type little on cpus 2-3"
ls /sys/fs/bpf/scx_errata/cpu_info >/dev/null 2>&1 || fail "maps not pinned under /sys/fs/bpf/scx_errata"
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC on SIGINT, expected 0"
grep -q '^EXIT: ' "$SCXE_LOG" || fail "no 'EXIT:' line from the loader"
[ -e /sys/fs/bpf/scx_errata ] && fail "pinned maps left behind after exit"
note "attach: $(grep '^EXIT' "$SCXE_LOG")"
exit 0
