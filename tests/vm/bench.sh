#!/usr/bin/env bash
# make bench: the benchmarks of tests/vm/BENCH, one boot per CPU count, then the report.
#
#   tests/vm/bench.sh [BENCH...]     (default: every registered benchmark)
#
# Each boot (tests/vm/run.sh --bench) gets -smp N with CPUs 0..N/2-1 typed big and the rest
# little. A benchmark runs in the boots its case lists on a "# boots: 4 8" line (no such
# line: the first boot only). What each boot prints is kept in $BUILD/bench/boot.N.log and
# scripts/bench-report.sh turns those into results.tsv, a summary and one plot a benchmark.
# Settings (environment): BENCH_SMP (CPU counts, default "4 8"), BENCH_SECS, BENCH_REPS,
# BENCH_CONFIGS, BENCH_VMM (passed to the cases), BENCH_DOCS=1 (copy the plots and the
# summary into docs/bench/).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
out=$BUILD/bench
smps=${BENCH_SMP:-4 8}
die() { echo "bench: $*" >&2; exit 1; }

if [ $# -gt 0 ]; then
	benches=("$@")
else
	mapfile -t benches < <(grep -v '^\s*\(#\|$\)' "$top/tests/vm/BENCH" | awk '{ print $1 }')
fi
first=${smps%% *}
mkdir -p "$out"
rm -f "$out"/boot.*.log "$out"/*.png

# what the report names the run by: the scheduler's source (commit, and whether the tree
# had changes), when, on what
{
	echo "run: scx_errata $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown), $(date -u +%Y-%m-%d)"
	echo "host: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1)"
} >"$out/meta"

status=0
t0=$(date +%s)
for smp in $smps; do
	sel=()
	for b in "${benches[@]}"; do
		[ -f "$top/tests/vm/cases/$b.sh" ] || die "no benchmark named '$b'; see tests/vm/BENCH"
		boots=$(sed -n 's/^# boots: //p' "$top/tests/vm/cases/$b.sh" | head -n 1)
		for n in ${boots:-$first}; do [ "$n" = "$smp" ] && sel+=("$b"); done
	done
	[ ${#sel[@]} -gt 0 ] || continue
	half=$((smp / 2))
	[ "$half" -ge 1 ] || die "BENCH_SMP=$smp: a boot needs at least 2 CPUs (one of each type)"
	echo "bench: $smp CPUs (0-$((half - 1)) big, $half-$((smp - 1)) little): ${sel[*]}"
	SCXE_VM_SMP=$smp SCXE_TYPES="0-$((half - 1)):big,$half-$((smp - 1)):little" \
		"$top/tests/vm/run.sh" --bench "${sel[@]}" | tee "$out/boot.$smp.log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
echo "bench: the boots took $(( ($(date +%s) - t0) / 60 )) min $(( ($(date +%s) - t0) % 60 )) s"
logs=("$out"/boot.*.log)
[ -e "${logs[0]}" ] || die "no boot ran; BENCH_SMP='$smps' and the selected benchmarks' '# boots:' lines share no CPU count"
docs=()
[ "${BENCH_DOCS:-0}" = 1 ] && docs=(--docs "$top/docs/bench")
BUILD=$BUILD "$top/scripts/bench-report.sh" -o "$out" "${docs[@]}" "${logs[@]}" || status=1
exit $status
