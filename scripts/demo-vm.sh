# `make demo` inside the test VM (run by the VM's shell through tests/vm/run.sh --cmd; it
# names qemu, so run.sh packs Debian's qemu-system-x86_64 and its firmware): the VM plays a
# big.LITTLE host (CPUs 0-1 big, 2-3 little). A real QEMU with nested KVM runs our small
# guest, which enters errata windows in its slot of the ivshmem page; two busy threads push
# its vCPU thread around; an independent sched_switch observer judges where it runs.
. /scxe/cases/fence_lib.sh
say() { printf '\n=== %s\n' "$*"; }
Q_SHM=/dev/shm/scx_errata.demo
Q_QMP=/tmp/demo.qmp
Q_DBG=/tmp/demo.dbg
E2E_OUT=/tmp/demo.e2e

qemu_boot() {
	rm -f "$Q_SHM" "$Q_QMP" "$Q_DBG"
	qemu-system-x86_64 -enable-kvm -cpu host -m 16 -smp 1 -nodefaults -nographic \
		-no-user-config -kernel /scxe/guest/ivshmem_guest.bin \
		-object memory-backend-file,id=shm,mem-path="$Q_SHM",size=8192,share=on \
		-device ivshmem-plain,memdev=shm \
		-debugcon file:"$Q_DBG" -global isa-debugcon.iobase=0xe9 \
		-qmp unix:"$Q_QMP",server=on,wait=off >/tmp/demo.qemu 2>&1 &
	QPID=$!
	until grep -q '^G ivshmem' "$Q_DBG" 2>/dev/null; do sleep 0.2; done
}
observe() { # SECONDS: watch the vCPU thread and say what happened, in words
	e2e_vmm --observe "$QPID" --shm "$Q_SHM" --qmp "$Q_QMP" --guest-log "$Q_DBG" \
		--cpu-types "$SCXE_TYPES" --load 2 --wait-registered 30 --seconds "$1" >"$E2E_OUT" 2>&1
	printf '  windows in the guest: %s; vCPU switch-outs inside a window: %s; of those moved to the other core type: %s\n' \
		"$(e2e_get guest_windows)" "$(e2e_get fenced_switchouts)" "$(e2e_get violations)"
	printf '  the guest itself saw its core type change inside a window %s time(s)\n' "$(e2e_get guest_changes)"
}

say "scx_errata info: the host's core types"
scx_errata info --cpu-types "$SCXE_TYPES" | sed -n '/^TYPE/,$p'

say "Debian's qemu-system-x86_64 boots our guest (nested KVM, ivshmem-plain on $Q_SHM)"
qemu_boot
sed 's/^/  guest| /' "$Q_DBG"

say "scx_errata run, no --vm: it finds QEMU by its mapping, QMP names the vCPU thread"
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 --max-hold-ms 0 --hold-budget 100 --slice-us 1000 \
	--qmp "$Q_QMP" >/tmp/demo.log 2>&1 &
D=$!
wait_state enabled 60 || { cat /tmp/demo.log; exit 1; }
i=0
until grep -q 'found by its mapping' /tmp/demo.log || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
sed 's/^/  /' /tmp/demo.log
sleep 2
echo "  live (scx_errata status, from the pinned maps and the VM's page):"
scx_errata status | sed -n '/^vm /,$p' | sed 's/^/    /'

say "12 s of windows with the fence on"
observe 12
scx_errata status | sed -n '/^  vcpu/p' | sed 's/^/    /'
tail -n 1 "$Q_DBG" | sed 's/^/  guest| /'

say "the same guest with the fence off (scx_errata run --no-enforce)"
kill -INT "$D"; wait "$D"
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 --slice-us 1000 --no-enforce \
	--qmp "$Q_QMP" >/tmp/demo.log 2>&1 &
D=$!
wait_state enabled 60
sleep 2
observe 12

say "scx_errata stop"
scx_errata stop
echo "  sched_ext: $(sched_state)"
kill "$QPID" 2>/dev/null
