#!/bin/sh
# needs: rt-tests
# boots: 4 8
# Benchmark: rt-tests 2.4 (Debian's, the host's binaries).
#   hackbench   `hackbench --pipe --threads -g NCPU`: NCPU groups of 20 sender and 20
#               receiver threads over pipes; seconds for a fixed number of messages (lower is
#               better). perf's messaging uses processes and sockets, this threads and pipes.
#   cyclictest  wake-up latency under load: NCPU measuring threads, `--policy=other` (the
#               scheduler under test places them; its default, SCHED_FIFO, never reaches
#               sched_ext), each waking every 1 ms for BENCH_SECS, while NCPU busy loops
#               (`stress spin`) keep every CPU taken. From its 1-us histogram: p50, p99 and
#               max over all threads, in us (lower is better). A sample beyond the histogram
#               (50 ms) counts as the run's maximum.
. /scxe/cases/bench_lib.sh
HIST_US=50000

hackbench_run() { # LOOPS
	run_tool /tmp/hackbench.out hackbench --pipe --threads -g "$NCPU" -l "$1"
	TOOK=$(field /tmp/hackbench.out 'Time:')
}
calibrate hackbench 10 hackbench_run
HB_LOOPS=$WORK

# p50, p99 and max of a cyclictest histogram file, in one line; a sample past its end counts
# as the largest seen. Rows with no sample ("012345 000000<tab>000000...", a count per
# thread) are dropped first by a fixed-string grep: awk or a regular expression take seconds
# over 50,000 rows under TCG. cyclictest's numbers are zero-padded, which busybox awk reads
# as octal ("000010" is 8): dec() strips the zeros.
latencies() { # FILE
	zeros=" 000000"
	for _ in $(seq 2 "$NCPU"); do zeros="$zeros$(printf '\t')000000"; done
	grep -vF "$zeros" "$1" | awk '
		function dec(s) { sub(/^0+/, "", s); return s + 0 }
		function pct(p,   want, s, j) {
			want = p / 100 * total
			for (j = 1; j <= nk; j++) { s += cnt[j]; if (s >= want) return us[j] }
			return max
		}
		/^# Max Latencies:/ { for (i = 4; i <= NF; i++) if (dec($i) > max) max = dec($i) }
		/^# Histogram Overflows:/ { for (i = 4; i <= NF; i++) over += dec($i) }
		/^[0-9]/ { us[++nk] = dec($1); for (i = 2; i <= NF; i++) cnt[nk] += dec($i); total += cnt[nk] }
		END {
			total += over
			if (total == 0) print "none none none"
			else print pct(50), pct(99), max + 0
		}'
}

measure() {
	hackbench_run "$HB_LOOPS"
	result hackbench "$TOOK" s lower

	stress spin "$NCPU" $((BENCH_SECS + 2)) >/tmp/spin.out 2>&1 &
	load=$!
	sleep 1
	run_tool /tmp/cyclictest.out cyclictest --policy=other -m -q -t "$NCPU" -i 1000 \
		-D "$BENCH_SECS" -h "$HIST_US" --histfile=/tmp/cyclictest.hist
	wait "$load" || fail "the busy loops beside cyclictest failed: $(cat /tmp/spin.out)"
	read -r p50 p99 max <<-EOF
	$(latencies /tmp/cyclictest.hist)
	EOF
	result cyclictest_p50 "$p50" us lower
	result cyclictest_p99 "$p99" us lower
	result cyclictest_max "$max" us lower
}

bench_main
exit 0
