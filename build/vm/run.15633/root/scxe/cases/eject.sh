# Expected eject: with the injected fault the scheduler queues a pinned task on a CPU outside
# its cpumask; the kernel must eject it and the loader must say why and exit non-zero.
. /scxe/lib.sh
scxe_start --stats 0 --inject-fault dsq-outside-cpumask
# per-CPU kthreads and a pinned task make the fault fire at once
taskset -c 1 sh -c 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); done' &
i=0
while kill -0 "$SCXE_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$SCXE_PID" 2>/dev/null && fail "the broken scheduler was not ejected within 10 s"
wait "$SCXE_PID"
rc=$?
wait_state disabled 10 || fail "state $(sched_state) after the ejection"
[ $rc -ne 0 ] || fail "loader exited 0 after an ejection"
grep -q '^EXIT: ' "$SCXE_LOG" || fail "no 'EXIT:' line after the ejection"
grep -qi 'cpu\|cpumask\|affinity' "$SCXE_LOG" || fail "the exit message does not name the cause"
note "eject: rc=$rc $(grep '^EXIT' "$SCXE_LOG")"
exit 0
