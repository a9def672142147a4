#!/bin/sh
# The errata fence in same-cpu mode, end to end with real KVM vCPUs: a vCPU thread inside a
# window is only ever switched in again on the CPU it left (0 violations in >= 10,000 fenced
# switch-outs), still migrates across types between windows (>= 1,000 moves), and the guest
# reads the right type. Without enforcement the same scenario must show violations.
. /scxe/cases/fence_lib.sh

# as fence_same_type, but inside windows the thread alternates yielding and sleeping, so
# wake-ups of fenced threads (select_cpu) are tested here too
scenario="--vcpus 3 --load 2 --mode same-cpu --spin-in 5000 --spin-out 5000
	--block-in-every 1 --in-action mix --block-out-every 2 --out-action sleep"
daemon="--mode same-cpu --max-hold-ms 0 --slice-us 1000 --stats 5"

e2e_run "$scenario --seconds 150 --min-fenced 10000 --min-moves 1000" $daemon
e2e_expect enforcement = on
e2e_expect fenced_switchouts -ge 10000
e2e_expect violations -eq 0
e2e_expect unfenced_cross_type_moves -ge 1000
e2e_expect type_mismatches -eq 0

e2e_run "$scenario --seconds 60 --min-fenced 2000 --min-violations 1" $daemon --no-enforce
e2e_expect enforcement = off
e2e_expect violations -gt 0
exit 0
