#!/bin/sh
# Hold budget: a guest that stays in its window and bumps window_seq every millisecond (each
# bump looks like a new window, which restarts the max-hold clock) is held at most
# --hold-budget of the time. Failing first: with --hold-budget 100 (only the per-window
# limit, the rule before the budget) the same guest keeps its vCPUs held nearly all the
# time, so the check below could not pass without the budget.
. /scxe/cases/fence_lib.sh

SECS=20
now() { date +%s.%N; }
# held_us FILE: the two vCPUs' time held, summed, from a status --json snapshot
held_us() {
	set -- $(json_check --get vms.0.vcpus.0.held_us --get vms.0.vcpus.1.held_us <"$1") ||
		fail "no held_us in $(cat "$1")"
	echo $(($1 + $2))
}
# run_case BUDGET: the share of SECS seconds the two vCPUs were held, from two snapshots of
# the scheduler's record once both were armed. The share is taken over the shorter of the
# two intervals the snapshots bound for the budget check, the longer for the attack check.
run_case() {
	budget=$1
	e2e_start_vmm "--vcpus 2 --load 2 --never-clear --bump-seq 1000 --run-until-signal"
	scxe_start --vm "$E2E_PID:$E2E_SHM" --max-hold-ms 20 --hold-budget "$budget" --stats 5
	wait_armed 2 60 || fail "the vCPUs were not armed within 60 s"
	sleep 2
	a0=$(now); scx_errata status --json >/tmp/hb0.json || fail "status --json failed"; a1=$(now)
	sleep $SECS
	b0=$(now); scx_errata status --json >/tmp/hb1.json || fail "status --json failed"; b1=$(now)
	assert_not_ejected
	vmm_stop
	scxe_stop INT
	[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
	held=$(($(held_us /tmp/hb1.json) - $(held_us /tmp/hb0.json)))
	rel=0 longest=0
	for v in 0 1; do
		set -- $(json_check --get vms.0.vcpus.$v.budget_releases --get vms.0.vcpus.$v.longest_hold_us </tmp/hb1.json)
		rel=$((rel + $1))
		[ "$2" -gt "$longest" ] && longest=$2
	done
	# the maps were read somewhere inside [a0, a1] and [b0, b1]: the share over the longest
	# interval is the one the bound (budget% of T + 1 s, plus what a snapshot had not charged yet: 0.1 s) must hold
	# for; the share over the shortest says how much was held at least
	CASE_MAX=$(awk -v h="$held" -v a="$a1" -v b="$b0" 'BEGIN { printf "%.3f", h / 2 / ((b - a) * 1e6) }')
	CASE_MIN=$(awk -v h="$held" -v a="$a0" -v b="$b1" 'BEGIN { printf "%.3f", h / 2 / ((b - a) * 1e6) }')
	CASE_BOUND=$(awk -v p="$budget" -v a="$a0" -v b="$b1" 'BEGIN { printf "%.3f", (p / 100 * ((b - a) + 1) + 0.1) / (b - a) }')
	CASE_REL=$rel CASE_LONGEST=$longest
	note "fence_hold_budget: budget=$budget% seconds=$SECS held_share=$CASE_MIN..$CASE_MAX bound=$CASE_BOUND budget_releases=$rel longest_hold_us=$longest violations=$(e2e_get violations) expired=$(stat expired)"
}

run_case 25
awk -v s="$CASE_MIN" -v b="$CASE_BOUND" 'BEGIN { exit !(s <= b) }' ||
	fail "held $CASE_MIN of the time with a 25% budget (bound $CASE_BOUND)"
awk -v s="$CASE_MAX" 'BEGIN { exit !(s >= 0.10) }' ||
	fail "held only $CASE_MAX of the time: the budget should allow about 25%"
[ "$CASE_REL" -gt 0 ] || fail "no budget releases counted"
e2e_expect violations -gt 0
[ "$(stat budget_releases)" -gt 0 ] || fail "the scheduler's budget_releases stat is $(stat budget_releases)"

run_case 100
awk -v s="$CASE_MAX" 'BEGIN { exit !(s >= 0.8) }' ||
	fail "without a budget the renewing guest was held only $CASE_MAX of the time: the attack this test guards against did not happen"
[ "$CASE_REL" -eq 0 ] || fail "budget releases counted with --hold-budget 100"
exit 0
