#!/usr/bin/env bash
# Run the libFuzzer targets for a bounded time each: `make fuzz`, and briefly in `make test`.
#
#   tests/fuzz/run.sh [TARGET...]     default: every tests/fuzz/fuzz_*.c
#
# FUZZ_SECONDS (default 60) is the time per target. Each target runs on
# $BUILD/fuzz/corpus/TARGET: a copy of the committed seeds (tests/fuzz/corpus/TARGET) plus
# what earlier runs found there; new inputs land there, never in the repository. A
# dictionary tests/fuzz/TARGET.dict is used when there is one.
#
# Prints "fuzz: TARGET execs=N crashes=N seconds=S" per target and closes with
# "fuzz: N passed, N failed". A crash, leak, sanitizer report or timeout fails the target:
# its input is kept in $BUILD/fuzz/crashes/TARGET/, the log in $BUILD/fuzz/logs/, and the
# line after the count says how to reproduce it. Exit status: 0 when every target passed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
secs=${FUZZ_SECONDS:-60}

die() { echo "fuzz: $*" >&2; exit 1; }
case "$secs" in ''|*[!0-9]*|0) die "FUZZ_SECONDS='$secs' is not a whole number of seconds >= 1" ;; esac

if [ $# -eq 0 ]; then
	set --
	for f in "$top"/tests/fuzz/fuzz_*.c; do
		n=${f##*/}
		set -- "$@" "${n%.c}"
	done
fi

# symbolized reports, when the symbolizer of the clang that built the targets is there
for s in llvm-symbolizer llvm-symbolizer-21 llvm-symbolizer-20 llvm-symbolizer-19 llvm-symbolizer-18 llvm-symbolizer-17; do
	if command -v "$s" >/dev/null; then
		export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v "$s")}
		break
	fi
done
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# scratch trees go to tmpfs (the shared-file target needs it); /dev/shm is one on Linux
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}

pass=0
fail=0
for t in "$@"; do
	bin=$BUILD/fuzz/$t
	seeds=$top/tests/fuzz/corpus/$t
	corpus=$BUILD/fuzz/corpus/$t
	crashes=$BUILD/fuzz/crashes/$t
	log=$BUILD/fuzz/logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "fuzz: $t is not built ($bin missing); run make fuzz"
		fail=$((fail + 1))
		continue
	fi
	mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null
	opts=(-max_total_time="$secs" -print_final_stats=1 -timeout=20 -rss_limit_mb=2048
	      -artifact_prefix="$crashes/")
	[ -f "$top/tests/fuzz/$t.dict" ] && opts+=(-dict="$top/tests/fuzz/$t.dict")
	scratch=$(mktemp -d "$shm/scxe-fuzz.XXXXXX") || die "cannot make a scratch directory in $shm"
	# what libFuzzer keeps: crash-, leak-, timeout-, oom- (slow-unit- is only a note)
	before=$(ls "$crashes" | grep -vc '^slow-unit-')
	start=$(date +%s%N)
	SCXE_FUZZ_TMPDIR=$scratch "$bin" "${opts[@]}" "$corpus" >"$log" 2>&1
	rc=$?
	end=$(date +%s%N)
	rm -rf "$scratch"
	seconds=$(( (end - start + 500000000) / 1000000000 ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	# a run that died has no final stats: take the last status line's count
	[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v '/slow-unit-' | tail -n 1)
	ncrash=$(( $(ls "$crashes" | grep -vc '^slow-unit-') - before ))
	if [ "$rc" -ne 0 ] && [ "$ncrash" -eq 0 ]; then
		ncrash=1
	fi
	echo "fuzz: $t execs=${execs:-0} crashes=$ncrash seconds=$seconds"
	if [ "$rc" -eq 0 ] && [ "$ncrash" -eq 0 ]; then
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	why=$(grep -m 1 -E '^(SUMMARY|==[0-9]+==ERROR|fuzz: |.*runtime error:)' "$log" | cut -c 1-200)
	echo "fuzz: $t failed (exit $rc): ${why:-see $log}"
	if [ -n "$artifact" ]; then
		echo "fuzz:   input kept in $artifact; reproduce: $bin $artifact (log: $log)"
	else
		echo "fuzz:   no input was kept; the whole log is $log"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
