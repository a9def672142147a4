#!/bin/sh
# No silent deaths. With a test VMM's vCPUs paired and fenced:
#  - stdout closed under it (run --json | head -n 1): SIGPIPE does not kill the daemon;
#  - SIGHUP rescans at once and the daemon goes on;
#  - the VMM truncates its shared file, then replaces it with a new one: no SIGBUS, the
#    daemon says what happened, unpairs, and pairs the new file;
#  - an ejection (scx_bpf_error on demand) is reported with the kernel's reason and its dump,
#    which lists the fence state of every registered vCPU; the loader exits 2.
. /scxe/cases/fence_lib.sh

OUT=/tmp/faults.out
SCXE_LOG=/tmp/faults.err
e2e_start_vmm "--vcpus 2 --load 1 --spin-in 5000 --spin-out 5000 --block-in-every 1
	--in-action yield --block-out-every 2 --out-action sleep --run-until-signal"
trap 'kill -INT $E2E_PID 2>/dev/null; scx_errata stop >/dev/null 2>&1' EXIT

# --- SIGPIPE and SIGHUP ------------------------------------------------------------------
CONF=/tmp/faults.conf
printf '# test config\nmax-hold-ms = 0\nhold-budget-pct = 100\n[vm e2e]\nenforce = yes\n' >"$CONF"
chmod 600 "$CONF"
( scx_errata run --config "$CONF" --cpu-types "$SCXE_TYPES" --json --stats 1 --inject-fault eject-on-trigger \
	2>"$SCXE_LOG"; echo "rc=$?" >/tmp/faults.rc ) | head -n 1 >"$OUT" &
wait_state enabled 60 || fail "the daemon did not attach: $(tail -n 3 "$SCXE_LOG")"
wait_armed 2 60 || fail "slots never armed"
sleep 3		# head has exited: the next counter line meets a closed pipe
D=$(pidof scx_errata)
[ -n "$D" ] || fail "the daemon died when its stdout closed: $(cat /tmp/faults.rc 2>/dev/null)"
json_check <"$OUT" || fail "the one line read is not JSON: $(cat "$OUT")"
grep -q 'cannot write counters to stdout' "$SCXE_LOG" || fail "no word about the closed stdout"
kill -HUP "$D"
i=0
until grep -q 'reread the configuration' "$SCXE_LOG"; do
	i=$((i + 1)); [ $i -gt 50 ] && fail "SIGHUP did not reread the configuration"
	sleep 0.1
done
printf 'mode = sideways\n' >"$CONF"
kill -HUP "$D"
i=0
until grep -q "faults.conf:1: mode 'sideways'.*keeping the settings in use" "$SCXE_LOG"; do
	i=$((i + 1)); [ $i -gt 50 ] && { cat "$SCXE_LOG"; fail "a bad config on SIGHUP was not reported"; }
	sleep 0.1
done
kill -0 "$D" 2>/dev/null || fail "SIGHUP killed the daemon"

# --- the shared file is replaced, then truncated, then replaced again ----------------------
# (the VMM keeps its mapping of the first file, so it lives on; a VMM whose own mapping is
# truncated dies of SIGBUS, which is its business: the daemon must not)
wait_log() { # TEXT N: the daemon logged TEXT at least N times
	i=0
	until [ "$(grep -c "$1" "$SCXE_LOG")" -ge "$2" ]; do
		i=$((i + 1)); [ $i -gt 50 ] && { cat "$SCXE_LOG"; fail "the daemon did not log '$1' (x$2)"; }
		sleep 0.1
	done
}
replace_file() {
	head -c 8192 /dev/zero >"$E2E_SHM.new" && mv "$E2E_SHM.new" "$E2E_SHM"
}
replace_file
wait_log 'was removed or replaced' 1
wait_log 'paired the new' 1
[ "$(od -An -tx4 -N4 "$E2E_SHM" | tr -d ' ')" = 45584353 ] || fail "the new file was not laid out"
truncate -s 0 "$E2E_SHM"
wait_log 'was truncated' 1
kill -0 "$D" 2>/dev/null || fail "the daemon died when its VM's file was truncated"
replace_file
wait_log 'paired the new' 2
wait_armed 2 30 || fail "the vCPUs were not armed again on the new file"
note "replace, truncate, replace: daemon alive, the new file paired and armed"

# --- ejection: reason and dump -----------------------------------------------------------
cp /bin/busybox /tmp/scxe_eject && /tmp/scxe_eject true
i=0
while kill -0 "$D" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "the daemon did not exit after the ejection"
	sleep 0.1
done
grep -q 'rc=2' /tmp/faults.rc || fail "loader exit status $(cat /tmp/faults.rc), expected 2"
grep -q '^EXIT: .*injected fault: scxe_eject' "$SCXE_LOG" || { cat "$SCXE_LOG"; fail "no EXIT line with the kernel's reason"; }
grep -q '^DUMP:' "$SCXE_LOG" || fail "no dump printed"
grep -q 'errata: mode=1 fence_off=1' "$SCXE_LOG" || { cat "$SCXE_LOG"; fail "the dump lacks the scheduler's fence line"; }
n=$(grep -c 'vcpu vm=[0-9]* idx=[0-9]* tid=[0-9]* state=' "$SCXE_LOG")
[ "$n" -ge 1 ] || { cat "$SCXE_LOG"; fail "the dump lists no vCPU's fence state"; }
grep 'vcpu vm=' "$SCXE_LOG" | head -n 2
note "ejection: reason and dump reported, $n vCPU lines in the dump"
exit 0
