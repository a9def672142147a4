# `make demo` inside the test VM (sourced by the VM's shell through tests/vm/run.sh --cmd):
# the VM plays a big.LITTLE host (CPUs 0-1 big, 2-3 little); a VMM with three real KVM vCPUs
# runs errata windows in its guest while two busy threads push them around.
. /scxe/cases/fence_lib.sh
say() { printf '\n=== %s\n' "$*"; }
summary() { # the observer's verdict, in words
	e2e_get windows >/dev/null
	printf '  guest windows: %s, vCPU switch-outs inside a window: %s, of those moved to another core type: %s\n' \
		"$(e2e_get windows)" "$(e2e_get fenced_switchouts)" "$(e2e_get violations)"
}
VMM="--vcpus 3 --load 2 --spin-in 20000 --spin-out 2000 --block-in-every 2 --in-action yield
	--block-out-every 2 --out-action sleep --seconds 8"

say "scx_errata info: the host's core types and errata"
scx_errata info --cpu-types "$SCXE_TYPES" | head -n 12

say "scx_errata run (no --vm: every VMM mapping /dev/shm/scx_errata.* is paired by itself)"
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 --max-hold-ms 0 >/tmp/demo.log 2>&1 &
D=$!
wait_state enabled 60 || { cat /tmp/demo.log; exit 1; }
sed 's/^/  /' /tmp/demo.log
echo "  sched_ext: $(sched_state), ops $(sched_ops)"

say "a VMM starts (3 KVM vCPUs); the daemon pairs it and the scheduler arms its vCPUs"
e2e_start_vmm "$VMM"
sleep 3
grep -E 'found by its mapping|armed .* after' /tmp/demo.log | sed 's/^/  /'
echo "  live, from the pinned maps and the VM's page (scx_errata status):"
scx_errata status | sed -n '/^vm /,$p' | sed 's/^/    /'
sleep 3
scx_errata status | sed -n '/^  vcpu/p' | sed 's/^/    /'
wait "$E2E_PID"
echo "  the independent observer (sched_switch), fence on:"
summary

say "the same guest with the fence off (scx_errata run --no-enforce)"
kill -INT "$D"; wait "$D"
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 --no-enforce >/tmp/demo.log 2>&1 &
D=$!
wait_state enabled 60
e2e_start_vmm "$VMM"
wait "$E2E_PID"
echo "  the independent observer, fence off:"
summary

say "scx_errata stop"
scx_errata stop
echo "  sched_ext: $(sched_state)"
