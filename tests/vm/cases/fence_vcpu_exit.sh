#!/bin/sh
# A vCPU thread exits while inside an armed window (its guest halts there and the thread
# returns), and at the end the whole VMM exits with vCPUs mid-window: the scheduler stays
# attached, nothing is ejected, and the fence held for the others meanwhile.
. /scxe/cases/fence_lib.sh

e2e_run "--vcpus 3 --load 2 --spin-in 5000 --spin-out 5000 --block-in-every 1
	--in-action mix --block-out-every 2 --exit-while-fenced --seconds 10" \
	--mode same-type --max-hold-ms 0 --hold-budget 100 --slice-us 1000 --stats 5
e2e_expect exited -eq 1
e2e_expect in_window -eq 1
e2e_expect armed -eq 1
e2e_expect violations -eq 0
e2e_expect type_mismatches -eq 0
exit 0
