#!/bin/sh
# Forced moves: the fence yields where the kernel leaves it no choice, counts it, and keeps
# holding the window where it was forced to. vCPUs stay in one window for the whole run
# (--never-clear, no max hold). First their affinity is narrowed to big (cpus 0-1), then to
# little (2-3): every vCPU has to change type at least once, and each change is a forced
# move. With the affinity widened again they must stay on little, the type their window
# was re-anchored to. Then the little cpus go offline: forced again, to big. The scheduler
# must stay attached throughout.
. /scxe/cases/fence_lib.sh

NV=2
e2e_start_vmm "--vcpus $NV --load 2 --never-clear --seconds 40"
scxe_start --vm "$E2E_PID:$E2E_SHM" --max-hold-ms 0 --hold-budget 100 --slice-us 1000 --stats 1
grep -q '^e2e_vmm: registered' "$E2E_OUT" || sleep 3

vcpu_tids() {
	for t in /proc/$E2E_PID/task/*; do
		case "$(cat "$t/comm" 2>/dev/null)" in vcpu*) echo "${t##*/}" ;; esac
	done
}
cpu_of() { awk '{ print $39 }' /proc/$E2E_PID/task/"$1"/stat; }
forced() { sleep 1.2; stat forced; }
tids=$(vcpu_tids)
[ "$(echo "$tids" | wc -w)" -eq $NV ] || fail "found vCPU threads '$tids', expected $NV"

before=$(forced)
for t in $tids; do taskset -p -c 0-1 "$t" >/dev/null || fail "taskset $t"; done
sleep 1
for t in $tids; do taskset -p -c 2-3 "$t" >/dev/null || fail "taskset $t"; done
sleep 1
after_affinity=$(forced)
note "forced moves after narrowing affinity: $before -> $after_affinity"
[ "$after_affinity" -ge $((before + NV)) ] || fail "forced=$after_affinity, expected >= $((before + NV))"

# widened again: the kernel may migrate a thread while it applies the new mask (that
# bypasses the scheduler and is counted as forced); once settled, every window stays on one
# type and no further forced move happens
for t in $tids; do taskset -p -c 0-3 "$t" >/dev/null || fail "taskset $t"; done
settled=$(forced)
type_of_cpu() { [ "$1" -ge 2 ] && echo little || echo big; }
for t in $tids; do eval "anchor_$t=$(type_of_cpu "$(cpu_of "$t")")"; done
n=0
while [ $n -lt 20 ]; do
	for t in $tids; do
		c=$(cpu_of "$t")
		eval "a=\$anchor_$t"
		[ "$(type_of_cpu "$c")" = "$a" ] || fail "vCPU thread $t moved from $a to cpu $c inside its window"
	done
	n=$((n + 1)); sleep 0.1
done
[ "$(forced)" -eq "$settled" ] || fail "forced moves went on after the affinity settled ($settled -> $(stat forced))"
# windows on little for the hotplug step (narrow, then widen so that offlining little is
# what takes the type away, not the affinity)
on_little=0
for attempt in 1 2 3; do
	for t in $tids; do taskset -p -c 2-3 "$t" >/dev/null || fail "taskset $t"; done
	sleep 1
	for t in $tids; do taskset -p -c 0-3 "$t" >/dev/null || fail "taskset $t"; done
	sleep 0.5
	on_little=0
	for t in $tids; do [ "$(cpu_of "$t")" -ge 2 ] && on_little=$((on_little + 1)); done
	[ $on_little -gt 0 ] && break
done
[ $on_little -gt 0 ] || fail "no fenced vCPU stayed on little to take offline"
after_affinity=$(forced)

# the whole little type goes offline under the fenced windows
echo 0 >/sys/devices/system/cpu/cpu3/online || fail "cannot offline cpu 3"
echo 0 >/sys/devices/system/cpu/cpu2/online || fail "cannot offline cpu 2"
sleep 1
after_hotplug=$(forced)
[ "$(sched_state)" = enabled ] || fail "ejected with the fenced type offline"
for t in $tids; do
	c=$(cpu_of "$t")
	[ "$c" -le 1 ] || fail "vCPU thread $t on offline cpu $c?"
done
echo 1 >/sys/devices/system/cpu/cpu2/online || fail "cannot online cpu 2"
echo 1 >/sys/devices/system/cpu/cpu3/online || fail "cannot online cpu 3"
note "forced moves after offlining little under $on_little fenced vCPU(s): $after_affinity -> $after_hotplug"
[ "$after_hotplug" -ge $((after_affinity + on_little)) ] || fail "forced=$after_hotplug, expected >= $((after_affinity + on_little))"

kill -INT "$E2E_PID" 2>/dev/null; wait "$E2E_PID"
slot_forced=$(grep '^e2e-detail' "$E2E_OUT" | tr ' ' '\n' | sed -n 's/^slot_forced_moves=//p')
note "$(grep '^e2e' "$E2E_OUT" | head -n 2)"
[ "${slot_forced:-0}" -ge $((2 * NV)) ] || fail "the slots count ${slot_forced:-none} forced moves"
assert_not_ejected
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
exit 0
