#!/bin/sh
# Garbage in the shared file never ejects the scheduler: for 10 s a thread of the VMM keeps
# overwriting every header field and every slot field (guest- and host-written) with random
# and edge values while the vCPUs run their windows under the fence.
. /scxe/cases/fence_lib.sh

e2e_run "--vcpus 3 --load 2 --spin-in 5000 --spin-out 5000 --block-in-every 1
	--in-action mix --block-out-every 2 --garbage --seconds 10" \
	--mode same-type --max-hold-ms 50 --slice-us 1000 --stats 5
kill -0 "$SCXE_PID" 2>/dev/null && fail "the daemon did not exit"
note "garbage: scheduler stayed attached for the whole run, daemon exit $SCXE_RC"
exit 0
