#!/bin/sh
# The errata fence in same-type mode, end to end with real KVM vCPUs: while the guest is
# inside a window its vCPU thread is never switched in on a CPU of another type (0 violations
# in >= 10,000 fenced switch-outs), it still moves across types between windows (>= 1,000
# moves), and the type the guest reads is the type it runs on. The same scenario without
# enforcement must show violations, or the test could not fail.
. /scxe/cases/fence_lib.sh
e2e_fence_proof same-type yield
exit 0
