# Benchmark: the same loads under the kernel's fair class and under scx_errata (no VMs),
# back to back in one boot. Prints one "bench:" line per metric with both rates and the
# ratio; nothing here passes or fails on speed, only on the runs completing.
. /scxe/lib.sh
SECS=${BENCH_SECS:-10}

rate() { # metric from a stress output line, per second
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | awk -v s="$SECS" '{printf "%.0f", $1 / s}'
}
measure() { # label -> sets PP FE SP
	out=$(stress pingpong "$SECS") || fail "pingpong failed under $1"
	PP=$(rate "$out" pingpongs)
	out=$(stress forkexec "$SECS") || fail "forkexec failed under $1"
	FE=$(rate "$out" forkexecs)
	out=$(stress spin 8 "$SECS") || fail "spin failed under $1"
	SP=$(rate "$out" spins)
}
report() { # metric fair errata
	awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN { printf "bench: %-22s fair=%-8s errata=%-8s ratio=%.2f\n", m, a, b, (a > 0 ? b / a : 0) }'
}

measure fair
FPP=$PP FFE=$FE FSP=$SP
scxe_start --stats 0
measure errata
assert_not_ejected
scxe_stop INT
report "pipe_roundtrips/s" "$FPP" "$PP"
report "fork_exec/s" "$FFE" "$FE"
report "spin_loops/s(8thr)" "$FSP" "$SP"
exit 0
