#!/bin/sh
# needs: perf
# boots: 4 8
# Benchmark: perf 7.3's scheduler benchmarks (Debian's linux-perf from trixie-backports, run
# through its own loader and libraries: scripts/deps.sh bench).
#   pipe       `perf bench sched pipe`: two processes bounce a message over a pipe pair;
#              ops/s (higher is better): the cost of a wake-up and a context switch, and
#              whether the pair is placed on one CPU or two
#   messaging  `perf bench sched messaging -g NCPU/4`: groups of 20 sender and 20 receiver
#              processes over sockets; seconds for a fixed number of messages, creating the
#              processes included (lower is better): many short wake-ups, queueing and load
#              balance. One group per 4 CPUs: under TCG perf (48 MB mapped) forks slowly, and
#              more groups make process creation most of the time measured.
# The amount of work (loops) is sized once under EEVDF to take about BENCH_SECS and is the
# same for every configuration and rep.
. /scxe/cases/bench_lib.sh
PERF_DIR=/opt/perf
[ -x "$PERF_DIR/perf" ] || fail "no $PERF_DIR/perf in the VM; run 'scripts/deps.sh bench' on the host"

perf_bench() { # OUT ARGS...
	o=$1
	shift
	run_tool "$o" "$PERF_DIR/lib/ld-linux-x86-64.so.2" --library-path "$PERF_DIR/lib" "$PERF_DIR/perf" bench "$@"
}
pipe() { # LOOPS
	perf_bench /tmp/pipe.out sched pipe -l "$1"
	TOOK=$(field /tmp/pipe.out 'Total time')
}
messaging() { # LOOPS
	perf_bench /tmp/messaging.out sched messaging -g "$MSG_GROUPS" -l "$1"
	TOOK=$(field /tmp/messaging.out 'Total time')
}

MSG_GROUPS=$(( NCPU / 4 > 0 ? NCPU / 4 : 1 ))

calibrate pipe 2000 pipe
PIPE_LOOPS=$WORK
calibrate messaging 5 messaging
MSG_LOOPS=$WORK

measure() {
	pipe "$PIPE_LOOPS"
	result pipe "$(awk '/ops\/sec/ { print $1; exit }' /tmp/pipe.out)" ops/s higher
	messaging "$MSG_LOOPS"
	result messaging "$TOOK" s lower
}

bench_main
exit 0
