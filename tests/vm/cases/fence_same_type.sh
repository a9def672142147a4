#!/bin/sh
# The errata fence in same-type mode, end to end with real KVM vCPUs: while the guest is
# inside a window its vCPU thread is never switched in on a CPU of another type (0 violations
# in >= 10,000 fenced switch-outs), it still moves across types between windows (>= 1,000
# moves), and the type the guest reads is the type it runs on. The same scenario without
# enforcement must show violations, or the test could not fail.
. /scxe/cases/fence_lib.sh

# 3 vCPUs and 2 busy threads on 4 CPUs. Each window the vCPU thread yields once inside it
# (enqueue path); every second gap it sleeps 100 us (wake-up path, idle CPUs of both types).
scenario="--vcpus 3 --load 2 --mode same-type --spin-in 5000 --spin-out 5000
	--block-in-every 1 --in-action yield --block-out-every 2 --out-action sleep"
daemon="--mode same-type --max-hold-ms 0 --slice-us 1000 --stats 5"

e2e_run "$scenario --seconds 120 --min-fenced 10000 --min-moves 1000" $daemon
e2e_expect enforcement = on
e2e_expect fenced_switchouts -ge 10000
e2e_expect violations -eq 0
e2e_expect unfenced_cross_type_moves -ge 1000
e2e_expect type_mismatches -eq 0
[ "$(e2e_stat fence_switchouts)" -gt 0 ] || fail "the scheduler counted no fenced switch-outs"

e2e_run "$scenario --seconds 60 --min-fenced 2000 --min-violations 1" $daemon --no-enforce
e2e_expect enforcement = off
e2e_expect violations -gt 0
exit 0
