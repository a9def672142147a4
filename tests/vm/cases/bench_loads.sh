#!/bin/sh
# boots: 4
# Benchmark: the VM tests' own loads (tests/vm/progs/stress.c), each for BENCH_SECS.
#   pingpong  two processes bounce one byte over a pipe pair; round trips/s
#   forkexec  fork + exec of /bin/true + wait, in a loop; per second
#   spin      2 x NCPU busy processes (oversubscribed); loop batches/s, the throughput
#             the scheduler's own overhead takes away from
# All higher is better.
. /scxe/cases/bench_lib.sh

load() { # KIND COUNTER [ARGS...]: one run of `stress KIND ARGS... SECS`; RATE: COUNTER per second
	kind=$1 counter=$2
	shift 2
	run_tool "/tmp/stress.$kind.out" stress "$kind" "$@" "$BENCH_SECS"
	RATE=$(tr ' ' '\n' <"/tmp/stress.$kind.out" | sed -n "s/^$counter=//p" |
		awk -v s="$BENCH_SECS" '{ printf "%.0f", $1 / s }')
}

measure() {
	load pingpong pingpongs
	result pingpong "$RATE" roundtrips/s higher
	load forkexec forkexecs
	result forkexec "$RATE" forkexecs/s higher
	load spin spins $((2 * NCPU))
	result spin "$RATE" loops/s higher
}

bench_main
exit 0
