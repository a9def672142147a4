#!/bin/sh
# needs: stress-ng
# boots: 4
# Benchmark: stress-ng 0.15 (Debian's), NCPU instances of a stressor for BENCH_SECS; bogo
# operations per second of wall time (higher is better).
#   switch  each instance a pair of processes passing a message over a pipe: context
#           switches driven by wake-ups
#   sem     each instance a group of processes posting and waiting on one POSIX semaphore:
#           wake-ups of contended sleepers (futex)
. /scxe/cases/bench_lib.sh

stressor() { # NAME
	run_tool "/tmp/stress-ng.$1.out" stress-ng --"$1" "$NCPU" --timeout "$BENCH_SECS" \
		--metrics-brief --temp-path /tmp
	# "stress-ng: metrc: [pid] NAME bogo-ops real usr sys bogo-ops/s(real) bogo-ops/s(cpu)"
	v=$(awk -v s="$1" '$2 == "metrc:" && $4 == s && $9 ~ /^[0-9.]+$/ { print $9; exit }' "/tmp/stress-ng.$1.out")
	result "stressng_$1" "$v" bogo-ops/s higher
}

measure() {
	stressor switch
	stressor sem
}

bench_main
exit 0
