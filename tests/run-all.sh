#!/usr/bin/env bash
# `make test`: unit tests (also under ASan+UBSan), brief fuzzing, command-line tests, then
# the VM suite; one closing count. With ARM64_BUILD (a cross build, make test sets it) the
# arm64 VM suite runs from the start beside everything else: each TCG VM is single-threaded,
# so on two host cores the two suites take about as long as the x86_64 one alone.
# Each part prints its own "<part>: N passed, N failed" line; the last line sums them.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
export BUILD

total_pass=0
total_fail=0
count() { # log: add the part's closing counts
	local line
	line=$(grep -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "run-all: $2 printed no closing count; counting it as one failure"
		total_fail=$((total_fail + 1))
		return
	fi
	total_pass=$((total_pass + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
	total_fail=$((total_fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
}

log=$(mktemp)
arm_log=$(mktemp)
arm_pid=
trap 'rm -f "$log" "$arm_log"; [ -z "$arm_pid" ] || kill "$arm_pid" 2>/dev/null' EXIT

if [ -n "${ARM64_BUILD:-}" ]; then
	echo "== arm64 VM tests started in the background (shown at the end)"
	SCXE_ARCH=aarch64 BUILD="$ARM64_BUILD" "$top/tests/vm/run.sh" >"$arm_log" 2>&1 &
	arm_pid=$!
fi

echo "== unit tests"
SCXE_FIXTURES="$top/tests/fixtures" "$BUILD/unit-tests" | tee "$log" | grep -v '^ok '
count "$log" unit

echo "== unit tests under ASan+UBSan"
SCXE_FIXTURES="$top/tests/fixtures" UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$BUILD/asan/unit-tests" | tee "$log" | grep -v '^ok '
count "$log" asan

# every fuzz target briefly on its seeds and what earlier runs found (make fuzz runs longer)
fuzz_secs=${FUZZ_SECONDS:-8}
echo "== fuzzing (${fuzz_secs} s per target)"
FUZZ_SECONDS=$fuzz_secs "$top/tests/fuzz/run.sh" | tee "$log"
count "$log" fuzz

echo "== command-line tests"
"$top/tests/cli.sh" | tee "$log" | grep -v '^ok '
count "$log" cli

echo "== VM tests (sched_ext kernel under QEMU)"
t0=$(date +%s)
"$top/tests/vm/run.sh" | tee "$log"
count "$log" vm
echo "vm: took $(( ($(date +%s) - t0) / 60 )) min $(( ($(date +%s) - t0) % 60 )) s"

if [ -n "$arm_pid" ]; then
	echo "== arm64 VM tests (arm64 sched_ext kernel under qemu-system-aarch64)"
	wait "$arm_pid"
	arm_pid=
	sed 's/^vm: /vm-arm64: /' "$arm_log" | tee "$log"
	count "$log" vm-arm64
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
