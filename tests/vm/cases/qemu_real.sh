#!/bin/sh
# needs: qemu
# The fence with the distro's real QEMU as the VMM: Debian's qemu-system-x86_64 runs under
# nested KVM with the VM's shared file as ivshmem-plain BAR2 (memory-backend-file), booting
# tests/vm/guest/ivshmem_guest.S, which finds the BAR through PCI config space and enters
# errata windows in slot 0, checking cur_type itself. The daemon pairs the QEMU process;
# e2e_vmm --observe judges its vCPU thread with the independent sched_switch observer, found
# through QMP query-cpus-fast (no debug-threads: thread names say nothing). Enforced: 0
# violations in >= MIN_FENCED fenced switch-outs, the guest counts windows, armed windows and
# no broken promise. The same without enforcement must show violations, or the test could
# not fail.
. /scxe/cases/fence_lib.sh

Q_SHM=/dev/shm/scx_errata.q0
Q_SIZE=8192		# ivshmem BAR: a power of two; header page and one page of slots
Q_DBG=/tmp/q0.dbg
Q_QMP=/tmp/q0.qmp
Q_OUT=/tmp/q0.out
Q_GUEST=/scxe/guest/ivshmem_guest.bin
# Enforced: at least 20 s, then until MIN_FENCED fenced switch-outs (~20 s here: each one is
# a guest halt, and a halt under nested KVM under TCG takes ~10 ms of wall time), at most
# 60 s for a slow or busy host.
MIN_SECONDS=20
MAX_SECONDS=60
MIN_FENCED=1000

# How the daemon pairs the VM, expanded once QEMU runs: automatically, with no --vm. QEMU's
# vCPU thread entered KVM_RUN before the daemon attached its KVM hook and stays in the kernel
# (the guest halts there), so the daemon finds QEMU by its mapping of the shared file and
# asks QMP for the vCPU threads; explicit pairing would be '--vm $QPID:$Q_SHM:$QTIDS'.
# shellcheck disable=SC2016 # expanded in qemu_run, with that run's QEMU
DAEMON_VM_ARGS='--qmp $Q_QMP'

QPID=
# a failure leaves nothing running for the next case: QEMU killed, the daemon stopped
trap '[ -n "$QPID" ] && kill "$QPID" 2>/dev/null; [ -n "$SCXE_PID" ] && kill -INT "$SCXE_PID" 2>/dev/null && wait "$SCXE_PID"' EXIT

# qfail MESSAGE: fail() with what QEMU, its guest and its vCPU threads were doing
qfail() {
	if [ -n "$QPID" ]; then
		sed 's/^/  qemu| /' "$Q_OUT"
		tail -n 3 "$Q_DBG" | sed 's/^/  guest| /'
		echo
		for t in /proc/"$QPID"/task/*; do
			# tid (comm) state ... : R running, S sleeping (a halted vCPU), D ...
			echo "  qemu thread $(cut -d' ' -f1-3 "$t/stat" 2>/dev/null) cpu $(cut -d' ' -f39 "$t/stat" 2>/dev/null)"
		done
		scx_errata status 2>&1 | sed 's/^/  status| /'
	fi
	fail "$@"
}

# qemu_start: boot the guest under KVM and wait for its first line; sets QPID and QTIDS
qemu_start() {
	rm -f "$Q_SHM" "$Q_DBG" "$Q_QMP" "$Q_OUT"
	qemu-system-x86_64 -enable-kvm -cpu host -m 16 -smp 1 \
		-nodefaults -nographic -no-user-config -kernel "$Q_GUEST" \
		-object memory-backend-file,id=shm,mem-path="$Q_SHM",size=$Q_SIZE,share=on \
		-device ivshmem-plain,memdev=shm \
		-debugcon file:"$Q_DBG" -global isa-debugcon.iobase=0xe9 \
		-qmp unix:"$Q_QMP",server=on,wait=off >"$Q_OUT" 2>&1 &
	QPID=$!
	i=0
	# the first line names the BAR and ends with "layout" (or the guest gives up)
	until grep -qE "^G (ivshmem .*layout|error)" "$Q_DBG" 2>/dev/null; do
		kill -0 "$QPID" 2>/dev/null || { sed 's/^/  qemu| /' "$Q_OUT"; QPID=; fail "QEMU exited before its guest said anything"; }
		i=$((i + 1))
		# seconds under TCG alone, but minutes when other VMs share the host's cores
		[ $i -gt 1200 ] && qfail "the guest printed nothing on debugcon within 120 s"
		sleep 0.1
	done
	grep -q '^G error' "$Q_DBG" && { sleep 1; sed 's/^/  guest| /' "$Q_DBG"; fail "the guest gave up"; }
	sed 's/^/  guest| /' "$Q_DBG"
	QTIDS=$(qmp_tids "$Q_QMP" 5) || qfail "no vCPU thread ids from QMP"
	note "  qemu: pid $QPID, vcpu threads $QTIDS (QMP query-cpus-fast)"
}

# guest_last NAME: NAME=... of the guest's last counts line (QEMU may have cut it short
# mid-way through halts=, the last field)
guest_last() {
	grep '^G windows=.* halts=[0-9]' "$Q_DBG" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"
}

qemu_stop() {
	kill "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	QPID=
}

# qemu_run E2E_OPTIONS [scx_errata run options...]: boot the guest, pair it, observe it with
# 2 competing load threads (so the vCPU thread has to share and migrates), stop everything
qemu_run() {
	e2e_opts=$1
	shift
	dmesg -c >/dev/null 2>&1	# assert_not_ejected: only this run's kernel messages
	qemu_start
	# shellcheck disable=SC2046 # DAEMON_VM_ARGS is a word list, expanded with this run's values
	scxe_start $(eval echo "$DAEMON_VM_ARGS") --stats 5 "$@"
	# shellcheck disable=SC2086 # a word list
	e2e_vmm --observe "$QPID" --shm "$Q_SHM" --qmp "$Q_QMP" --guest-log "$Q_DBG" \
		--cpu-types "$SCXE_TYPES" --load 2 --wait-registered 90 $e2e_opts >"$E2E_OUT" 2>&1
	rc=$?
	grep -E '^e2e(-[a-z]+)?: ' "$E2E_OUT"
	grep -vE '^e2e(-[a-z]+)?: ' "$E2E_OUT" | sed 's/^/  e2e_vmm| /'
	[ $rc -eq 0 ] || qfail "e2e_vmm exited $rc"
	kill -0 "$QPID" 2>/dev/null || { sed 's/^/  qemu| /' "$Q_OUT"; QPID=; fail "QEMU died during the run"; }
	kill -0 "$SCXE_PID" 2>/dev/null || fail "scx_errata died during the run"
	[ "$(sched_state)" = enabled ] || fail "scheduler not enabled after the run (state $(sched_state))"
	assert_not_ejected
	# no --vm, no debug-threads: the daemon found QEMU by itself
	grep -q 'found by its mapping' "$SCXE_LOG" || { cat "$SCXE_LOG"; fail "QEMU was not paired automatically"; }
	grep '^stats:' "$SCXE_LOG" | tail -n 1 | sed 's/^/  scx_errata| /'	# none in a run < 5 s
	scxe_stop INT
	SCXE_PID=
	[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
	# the guest goes on printing: its last complete counts line
	grep '^G windows=.* halts=[0-9]' "$Q_DBG" | tail -n 1 | sed 's/^/  guest| /'
	grep '^G error' "$Q_DBG" && fail "the guest reported an error"
	qemu_stop
	grep -q '^e2e: ' "$E2E_OUT" || fail "e2e_vmm printed no 'e2e:' line"
}

# as the fence_* cases: shorter slices, so a woken fenced vCPU waits less for its type;
# holds never expire, so that every type change after a flagged switch-out is a violation
DAEMON_OPTS="--mode same-type --max-hold-ms 0 --hold-budget 100 --slice-us 1000"

# shellcheck disable=SC2086 # a word list
qemu_run "--min-seconds $MIN_SECONDS --seconds $MAX_SECONDS --min-fenced $MIN_FENCED" $DAEMON_OPTS
e2e_expect enforcement = on
e2e_expect violations -eq 0
e2e_expect fenced_switchouts -ge $MIN_FENCED
e2e_expect type_mismatches -eq 0
e2e_expect windows -gt 0
e2e_expect guest_windows -gt 0
e2e_expect guest_armed_windows -gt 0
e2e_expect guest_mismatches_total -eq 0
e2e_expect guest_errors -eq 0
# and none after the measurement either, while the daemon stopped: it disarms first
[ "$(guest_last mismatches)" = 0 ] || fail "the guest saw $(guest_last mismatches) broken promises by the end"

# shellcheck disable=SC2086 # a word list
qemu_run "--seconds 30 --min-violations 10" $DAEMON_OPTS --no-enforce
e2e_expect enforcement = off
e2e_expect violations -gt 0
e2e_expect guest_armed_windows -eq 0
# the guest's own check can fail too: unfenced, it saw cur_type change inside its windows
# (its last complete line, after the measurement and the daemon's stop: more windows)
[ "$(guest_last changes)" -gt 0 ] || fail "unfenced, the guest never saw its type change in a window"
exit 0
