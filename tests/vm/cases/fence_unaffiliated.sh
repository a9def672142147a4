#!/bin/sh
# Tasks that are not vCPUs keep the general policy while vCPUs are fenced: busy threads
# competing with fenced vCPU threads still run on every CPU and move across types as they
# do when nothing is fenced.
. /scxe/cases/fence_lib.sh

scenario="--vcpus 3 --load 4 --spin-in 5000 --spin-out 5000 --block-in-every 1
	--in-action yield --block-out-every 2 --seconds 10"
daemon="--mode same-type --max-hold-ms 0 --hold-budget 100 --slice-us 1000 --stats 5"

e2e_run "$scenario" $daemon --no-enforce
free_moves=$(e2e_get cross_type_moves)
e2e_run "$scenario" $daemon
e2e_expect enforcement = on
e2e_expect violations -eq 0
e2e_expect fenced_switchouts -ge 1000
e2e_expect cpu_mask = 0xf
fenced_moves=$(e2e_get cross_type_moves)
note "load threads' cross-type moves in 10 s: $fenced_moves with vCPUs fenced, $free_moves without"
# the fence may shift load around, but must not pin it: at least a quarter of the freedom
[ $((fenced_moves * 4)) -ge "$free_moves" ] || fail "load threads moved $fenced_moves times, < 1/4 of $free_moves"
[ "$fenced_moves" -ge 50 ] || fail "load threads moved across types only $fenced_moves times"
exit 0
