#!/usr/bin/env bash
# `make demo`: show the scheduler working. On a host whose kernel has sched_ext, as root, it
# runs here for 10 s; otherwise it boots the bundled sched_ext kernel under QEMU and shows the
# mission there (scripts/demo-vm.sh): Debian's QEMU running our guest, paired by itself, its
# vCPU's windows fenced with live counters, and the same guest moving across core types once
# the fence is off.
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
exec "$top/tests/vm/run.sh" --cmd "$(cat "$top/scripts/demo-vm.sh")"
