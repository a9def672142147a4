#!/bin/sh
# The errata fence in same-cpu mode, end to end with real KVM vCPUs: a vCPU thread inside a
# window is only ever switched in again on the CPU it left (0 violations in >= 10,000 fenced
# switch-outs), still migrates across types between windows (>= 1,000 moves), and the guest
# reads the right type. Without enforcement the same scenario must show violations. Inside
# windows the thread alternates yielding and sleeping, so fenced wake-ups are tested too.
. /scxe/cases/fence_lib.sh
e2e_fence_proof same-cpu mix
exit 0
