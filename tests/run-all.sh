#!/usr/bin/env bash
# `make test`: unit tests (also under ASan+UBSan), brief fuzzing, command-line tests, then
# the VM suite; one closing count.
# Each part prints its own "<part>: N passed, N failed" line; the last line sums them.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
export BUILD

total_pass=0
total_fail=0
count() { # log: add the part's closing counts
	local line
	line=$(grep -E '^[a-z]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		echo "run-all: $2 printed no closing count; counting it as one failure"
		total_fail=$((total_fail + 1))
		return
	fi
	total_pass=$((total_pass + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
	total_fail=$((total_fail + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

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
"$top/tests/vm/run.sh" | tee "$log"
count "$log" vm

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
