#!/bin/sh
# stop, status --json and restarts, over and over, leave nothing behind. 20 cycles with a
# paired VM (real KVM vCPU): start (pinned) -> status --json (valid, fence on, vCPU armed)
# -> the daemon dies (kill -9, or SIGQUIT on even cycles) -> a new daemon adopts -> stop.
# After every cycle: sched_ext disabled, no pins, no map of ours left in the kernel, the
# VM's slots unarmed and its fence not live. Also: status and stop with nothing running.
. /scxe/cases/fence_lib.sh

CYCLES=${CYCLES:-20}
PIN=/sys/fs/bpf/scx_errata
trap 'kill -INT $E2E_PID 2>/dev/null; scx_errata stop >/dev/null 2>&1' EXIT

# maps of ours the kernel still holds (by name; ours are unique enough)
our_maps() {
	bpftool map list 2>/dev/null | grep -cE ' name (registry|vcpus|cpu_info|type_masks|vms|errata_ops) '
}

scx_errata stop >/tmp/stop0.out 2>&1 || fail "stop with nothing running exited non-zero"
scx_errata status --json >/tmp/st0.json || fail "status with nothing running exited non-zero"
json_check </tmp/st0.json || { cat /tmp/st0.json; fail "status --json is not valid JSON"; }
[ "$(json_check --get loaded </tmp/st0.json)" = false ] || fail "status says loaded with nothing running"
maps0=$(our_maps)

e2e_start_vmm "--vcpus 1 --load 1 --spin-in 5000 --spin-out 5000 --block-in-every 1
	--in-action yield --block-out-every 2 --out-action sleep --run-until-signal --wait-registered 600"
for c in $(seq 1 "$CYCLES"); do
	daemon_bg /tmp/c1.log --max-hold-ms 0 --hold-budget 100
	wait_armed 1 60 || fail "cycle $c: slot never armed: $(tail -n 3 /tmp/c1.log)"
	scx_errata status --json >/tmp/st.json || fail "cycle $c: status failed"
	json_check </tmp/st.json || { cat /tmp/st.json; fail "cycle $c: status --json is not valid JSON"; }
	[ "$(json_check --get loaded --get fence_on --get vms.0.vcpus.0.armed --get daemon_pid </tmp/st.json | tr '\n' ' ')" = "true true true $DAEMON " ] ||
		{ cat /tmp/st.json; fail "cycle $c: status does not show the running daemon, fence and armed vCPU"; }
	if [ "$c" = 1 ]; then
		# the same state for a fleet's node_exporter (textfile collector format)
		scx_errata status --prometheus >/tmp/st.prom || fail "status --prometheus failed"
		grep -q '^scx_errata_loaded 1$' /tmp/st.prom && grep -q '^scx_errata_fence_on 1$' /tmp/st.prom &&
			grep -q '^scx_errata_vcpu_armed{vm="0",vcpu="0"} 1$' /tmp/st.prom ||
			{ cat /tmp/st.prom; fail "status --prometheus does not show the loaded scheduler and the armed vCPU"; }
	fi
	if [ $((c % 2)) -eq 0 ]; then
		kill -QUIT "$DAEMON"
	else
		kill -9 "$DAEMON"
	fi
	wait "$DAEMON" 2>/dev/null
	[ "$(sched_state)" = enabled ] || fail "cycle $c: the scheduler did not outlive its daemon"
	daemon_bg /tmp/c2.log --max-hold-ms 0 --hold-budget 100
	i=0
	until grep -q 'adopted the pinned scheduler' /tmp/c2.log; do
		i=$((i + 1)); [ $i -gt 300 ] && { cat /tmp/c2.log; fail "cycle $c: no adoption"; }
		sleep 0.1
	done
	grep -q '1 vCPU threads still fenced' /tmp/c2.log ||
		{ sed 's/^/  adopter| /' /tmp/c2.log /tmp/c1.log; fail "cycle $c: adoption lost the vCPU"; }
	scx_errata stop >/tmp/stop.out 2>&1 || { cat /tmp/stop.out; fail "cycle $c: stop failed"; }
	wait "$DAEMON"
	[ $? -eq 0 ] || fail "cycle $c: the adopting daemon did not exit 0 on stop"
	[ "$(sched_state)" = disabled ] || fail "cycle $c: sched_ext $(sched_state) after stop"
	[ -e $PIN ] && fail "cycle $c: pins left: $(ls $PIN)"
	[ "$(nr_armed 1)" = 0 ] || fail "cycle $c: a slot still armed after stop"
	[ "$(od -An -tu4 -j 32 -N4 "$E2E_SHM" | tr -d ' ')" = 0 ] || fail "cycle $c: fence_live still set after stop"
done
# the kernel frees maps after an RCU grace period: allow it a moment
i=0
while [ "$(our_maps)" -gt "$maps0" ]; do
	i=$((i + 1)); [ $i -gt 50 ] && { bpftool map list; fail "maps left in the kernel: $(our_maps) (before: $maps0)"; }
	sleep 0.1
done
vmm_stop >/dev/null
note "cycles=$CYCLES: no pins, no maps, no armed slot left"
exit 0
