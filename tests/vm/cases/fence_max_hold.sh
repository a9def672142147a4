#!/bin/sh
# Max hold: a guest that enters a window and never leaves it is fenced for --max-hold-ms
# only. The hold expires (counted in the slot and in the scheduler's "expired" stat) and
# the observer then sees the still-flagged vCPU threads move across types. (The type the
# guest read at the start of its window is then stale: type_mismatches is expected here.)
. /scxe/cases/fence_lib.sh

e2e_run "--vcpus 3 --load 3 --never-clear --seconds 30 --min-violations 20" \
	--mode same-type --max-hold-ms 20 --slice-us 1000 --stats 5
e2e_expect enforcement = on
e2e_expect windows -eq 0
e2e_expect slot_expired_holds -gt 0
e2e_expect violations -gt 0
[ "$(e2e_stat expired)" -gt 0 ] || fail "the scheduler's expired counter is $(e2e_stat expired)"
exit 0
