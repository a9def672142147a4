#!/bin/sh
# Benchmark: what the errata fence costs the guest. One KVM vCPU (e2e_vmm --fence) opens and
# closes windows back to back, each two instructions long, so windows per second measure
# the fence alone:
#   store     the ABI's fence: in_errata = 1, window_seq++, ..., in_errata = 0 (no exit)
#   exit      a port I/O exit on entry and on exit; the VMM writes the flag itself
#   affinity  the same exits; the VMM pins its thread to the current CPU's type on entry and
#             restores its affinity on exit (a user-space pinning daemon, minus its IPC)
# scx_errata runs with its defaults and pairs every VMM by its mapping; the vCPU is armed
# before the measurement starts. The three run interleaved, REPS times, in this one boot.
# One line per run, the median of each and the ratios after the last:
#   bench: name=fence_cost config=store|exit|affinity rep=N value=W unit=windows/s better=higher
. /scxe/cases/fence_lib.sh
SECS=${BENCH_SECS:-5}
REPS=${BENCH_REPS:-5}
CONFIGS="store exit affinity"

rm -f /tmp/fence_cost.values
scxe_start --stats 0
trap 'kill $E2E_PID 2>/dev/null' EXIT
for rep in $(seq 1 "$REPS"); do
	for f in $CONFIGS; do
		e2e_start_vmm "--vcpus 1 --fence $f --seconds $SECS --settle-ms 500"
		wait "$E2E_PID"
		rc=$?
		[ $rc -eq 0 ] || { sed 's/^/  e2e_vmm| /' "$E2E_OUT"; fail "$f rep $rep: e2e_vmm exited $rc"; }
		e2e_expect enforcement = on
		w=$(e2e_get windows_per_s)
		[ -n "$w" ] && [ "$w" -gt 0 ] || { cat "$E2E_OUT"; fail "$f rep $rep: no windows counted"; }
		echo "bench: name=fence_cost config=$f rep=$rep value=$w unit=windows/s better=higher"
		echo "$f $w" >>/tmp/fence_cost.values
		note "  $(grep '^e2e-fence: ' "$E2E_OUT")"
		# the daemon forgets the exited VMM at its next sync: the next one maps the same path
		sleep 1.5
	done
done
assert_not_ejected
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"

median() { # config
	awk -v c="$1" '$1 == c { print $2 }' /tmp/fence_cost.values | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
S=$(median store) E=$(median exit) A=$(median affinity)
awk -v s="$S" -v e="$E" -v a="$A" 'BEGIN {
	printf "fence_cost: medians store=%.0f exit=%.0f affinity=%.0f windows/s; store/exit=%.0fx store/affinity=%.0fx exit/affinity=%.2fx\n",
		s, e, a, s / e, s / a, e / a }'
exit 0
