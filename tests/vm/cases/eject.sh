# Expected eject: with the injected fault the scheduler queues a pinned task on a CPU outside
# its cpumask; the kernel must eject it and the loader must say why and exit 2. The ejection
# can come within milliseconds of attaching, so this waits for the loader, not for a state.
. /scxe/lib.sh
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 --inject-fault dsq-outside-cpumask >"$SCXE_LOG" 2>&1 &
SCXE_PID=$!
# a pinned task makes the fault fire even if no per-CPU kthread wakes up
taskset -c 1 sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' &
i=0
while kill -0 "$SCXE_PID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$SCXE_PID" 2>/dev/null && fail "the broken scheduler was not ejected within 15 s"
wait "$SCXE_PID"
rc=$?
wait_state disabled 10 || fail "state $(sched_state) after the ejection"
grep -q 'scheduler attached' "$SCXE_LOG" || fail "the broken scheduler never attached, so nothing was tested"
[ $rc -eq 2 ] || fail "loader exited $rc after an ejection, expected 2"
grep -q '^EXIT: runtime error' "$SCXE_LOG" || fail "no 'EXIT: runtime error' line after the ejection"
grep -q 'not allowed for' "$SCXE_LOG" || fail "the exit message does not name the cause"
dmesg | grep -q 'sched_ext: BPF scheduler "errata" disabled' || fail "the kernel did not log the ejection"
note "eject: rc=$rc $(grep '^EXIT' "$SCXE_LOG")"
exit 0
