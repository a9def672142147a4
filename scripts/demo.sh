#!/usr/bin/env bash
# `make demo`: show the scheduler working. On a host whose kernel has sched_ext, as root, it
# runs here for 10 s; otherwise it boots the bundled sched_ext kernel under QEMU and runs a
# short live demo there: host knowledge, the scheduler attached under load, a clean detach.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
secs=${DEMO_SECS:-10}

if [ -e /sys/kernel/sched_ext/state ] && [ "$(id -u)" = 0 ]; then
	echo "demo: this kernel has sched_ext; running scx_errata here for ${secs} s (Ctrl-C stops it)"
	"$BUILD/scx_errata" info
	timeout -s INT "$secs" "$BUILD/scx_errata" run --stats 2 || [ $? = 124 ]
	exit 0
fi

echo "demo: this kernel has no sched_ext (or we are not root); running the demo in the test VM"
[ -f "${SCX_ERRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_errata}/kernel/current/.ok" ] || "$top/scripts/deps.sh" all
exec "$top/tests/vm/run.sh" --cmd "
echo '--- scx_errata info (the VM as a big.LITTLE host: --cpu-types 0-1:big,2-3:little)'
scx_errata info --cpu-types 0-1:big,2-3:little
echo '--- scx_errata run, with load on every CPU for ${secs} s'
scx_errata run --cpu-types 0-1:big,2-3:little --stats 2 &
pid=\$!
sleep 2
echo \"sched_ext state: \$(cat /sys/kernel/sched_ext/state), ops: \$(cat /sys/kernel/sched_ext/root/ops)\"
stress all ${secs}
echo '--- the maps, as bpftool shows them'
bpftool map dump pinned /sys/fs/bpf/scx_errata/types | head -n 24
kill -INT \$pid; wait \$pid
echo \"after detach: sched_ext state \$(cat /sys/kernel/sched_ext/state)\"
"
