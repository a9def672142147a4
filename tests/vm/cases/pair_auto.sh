#!/bin/sh
# Automatic pairing: a daemon started with no --vm pairs every VMM that maps a file matching
# /dev/shm/scx_errata.*, as it appears: its vCPU threads are the ones KVM reports entering
# KVM_RUN (bpf/discover.bpf.h). Five test VMMs (3 real KVM vCPUs each) start and exit one
# after the other under one daemon: each is paired without a restart, its vCPUs are armed
# and fenced (0 violations), and forgotten when it exits. Prints the time from each vCPU's
# first KVM_RUN to its slot reading armed (median, max), as the scheduler measured it.
. /scxe/cases/fence_lib.sh

VMMS=5
LOG=/tmp/auto.log
SCXE_LOG=$LOG	# what fail() and assert_not_ejected read
: >"$LOG"
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 --max-hold-ms 0 --hold-budget 100 >"$LOG" 2>&1 &
D=$!
trap 'kill -INT $D 2>/dev/null; kill $E2E_PID 2>/dev/null' EXIT
wait_state enabled 60 || fail "the daemon did not attach: $(tail -n 3 "$LOG")"
grep -q 'KVM is not loaded\|cannot watch KVM_RUN' "$LOG" && fail "the KVM_RUN hook is not attached: $(grep KVM "$LOG")"
for v in $(seq 1 $VMMS); do
	e2e_start_vmm "--vcpus 3 --load 1 --spin-in 5000 --spin-out 5000 --block-in-every 1
		--in-action yield --block-out-every 2 --out-action sleep --seconds 4"
	wait "$E2E_PID"
	rc=$?
	grep '^e2e: ' "$E2E_OUT"
	[ $rc -eq 0 ] || { sed 's/^/  e2e_vmm| /' "$E2E_OUT"; fail "VMM $v: e2e_vmm exited $rc"; }
	e2e_expect enforcement = on
	e2e_expect violations -eq 0
	sleep 1.5	# the daemon notices the exit at its next sync
done
assert_not_ejected
kill -INT "$D"
wait "$D"
[ $? -eq 0 ] || fail "daemon exit status not 0"
found=$(grep -c 'found by its mapping' "$LOG")
gone=$(grep -c 'is gone; forgetting it' "$LOG")
[ "$found" -eq $VMMS ] || { cat "$LOG"; fail "$found of $VMMS VMMs were paired automatically"; }
[ "$gone" -ge $((VMMS - 1)) ] || { cat "$LOG"; fail "only $gone exited VMMs were forgotten"; }
sed -n 's/.* armed \([0-9.]*\) ms after its first KVM_RUN/\1/p' "$LOG" | sort -n >/tmp/lat
n=$(wc -l </tmp/lat)
[ "$n" -ge $((VMMS * 3)) ] || { cat "$LOG"; fail "only $n of $((VMMS * 3)) vCPUs reported a pairing latency"; }
note "pairing: vmms=$VMMS vcpus=$n first_kvm_run_to_armed_ms median=$(sed -n "$(((n + 1) / 2))p" /tmp/lat) max=$(tail -n 1 /tmp/lat)"
exit 0
