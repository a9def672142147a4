# CPU hotplug while attached: offline cpu 3 (the last of its type but one) and cpu 2 (the
# whole "little" type) under load, then bring them back. The scheduler must stay attached.
. /scxe/lib.sh
scxe_start --stats 2
stress all 16 >/tmp/stress.out &
sp=$!
sleep 3
echo 0 >/sys/devices/system/cpu/cpu3/online || fail "cannot offline cpu 3"
sleep 2
echo 0 >/sys/devices/system/cpu/cpu2/online || fail "cannot offline cpu 2"
sleep 3
[ "$(sched_state)" = enabled ] || fail "ejected while cpus 2-3 were offline"
echo 1 >/sys/devices/system/cpu/cpu2/online || fail "cannot online cpu 2"
echo 1 >/sys/devices/system/cpu/cpu3/online || fail "cannot online cpu 3"
wait $sp
note "$(cat /tmp/stress.out)"
sleep 1
[ "$(cat /sys/devices/system/cpu/online)" = 0-3 ] || fail "cpus online: $(cat /sys/devices/system/cpu/online)"
[ "$(sched_state)" = enabled ] || fail "scheduler not enabled after hotplug (state $(sched_state))"
assert_not_ejected
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC"
exit 0
