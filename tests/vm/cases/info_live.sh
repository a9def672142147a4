# `scx_errata info` on a live arm64 system (this VM: QEMU virt, -cpu max, devicetree boot)
# must say what the kernel and the firmware say, read here independently: every CPU's MIDR and
# REVIDR (sysfs regs/identification), its capacity and cluster, the arch timer node the
# devicetree has (compatible arm,armv8-timer), no ACPI GTDT, no timer erratum (QEMU's node
# has no erratum property), and one CPU type named after QEMU's "max" CPU (implementer 0,
# part 0x051) when that is what runs.
. /scxe/lib.sh
J=/tmp/info.json
SYS=/sys/devices/system/cpu
DT=/sys/firmware/devicetree/base

[ "$(uname -m)" = aarch64 ] || fail "info_live checks an arm64 system; this is $(uname -m)"
scx_errata info --json >"$J" 2>/tmp/info.err || fail "scx_errata info --json failed: $(cat /tmp/info.err)"
json_check <"$J" || fail "info --json is not valid JSON"
q() { json_check --get "$1" <"$J"; }
hex() { printf '0x%x' "$(($1))"; }

[ "$(q host.arch)" = arm64 ] || fail "host.arch is '$(q host.arch)', not arm64"
[ "$(q host.possible)" = "$(cat $SYS/possible)" ] || fail "possible '$(q host.possible)' vs sysfs '$(cat $SYS/possible)'"
[ "$(q host.online)" = "$(cat $SYS/online)" ] || fail "online '$(q host.online)' vs sysfs '$(cat $SYS/online)'"

n=$(json_check --len cpus <"$J")
[ "$n" -eq "$(nproc)" ] || fail "info lists $n CPUs, nproc says $(nproc)"
i=0
midrs=""
while [ $i -lt "$n" ]; do
	cpu=$(q cpus.$i.cpu)
	d=$SYS/cpu$cpu
	midr=$(cat "$d/regs/identification/midr_el1") || fail "cpu $cpu: no midr_el1 in sysfs"
	revidr=$(cat "$d/regs/identification/revidr_el1")
	[ "$(hex "$(q cpus.$i.midr)")" = "$(hex "$midr")" ] || fail "cpu $cpu: midr $(q cpus.$i.midr), sysfs $midr"
	[ "$(hex "$(q cpus.$i.revidr)")" = "$(hex "$revidr")" ] || fail "cpu $cpu: revidr $(q cpus.$i.revidr), sysfs $revidr"
	if [ -f "$d/cpu_capacity" ]; then
		[ "$(q cpus.$i.capacity)" = "$(cat "$d/cpu_capacity")" ] || fail "cpu $cpu: capacity $(q cpus.$i.capacity), sysfs $(cat "$d/cpu_capacity")"
	fi
	if [ -f "$d/topology/cluster_id" ]; then
		[ "$(q cpus.$i.cluster)" = "$(cat "$d/topology/cluster_id")" ] || fail "cpu $cpu: cluster $(q cpus.$i.cluster), sysfs $(cat "$d/topology/cluster_id")"
	fi
	[ "$(q cpus.$i.package)" = "$(cat "$d/topology/physical_package_id")" ] || fail "cpu $cpu: package $(q cpus.$i.package)"
	midrs="$midrs $(hex "$midr")"
	i=$((i + 1))
done
distinct=$(echo $midrs | tr ' ' '\n' | sort -u | wc -l)
[ "$(json_check --len types <"$J")" -eq "$distinct" ] || fail "$(json_check --len types <"$J") types for $distinct distinct MIDRs"
midr0=$(echo $midrs | cut -d' ' -f1)
if [ "$distinct" -eq 1 ] && [ "$((midr0 & 0xff00fff0))" -eq $((0x00000510)) ]; then
	[ "$(q types.0.name)" = "QEMU max" ] || fail "type 0 of QEMU's max CPU ($midr0) is named '$(q types.0.name)'"
fi

# the timer: the devicetree node whose compatible names the architected timer
node=""
for c in "$DT"/*/compatible; do
	tr '\0' '\n' <"$c" | grep -qx 'arm,armv8-timer' && node=$(dirname "$c")
done
[ -n "$node" ] || fail "this VM's devicetree has no arm,armv8-timer node (not QEMU virt?)"
[ "$(q firmware.dt_timer_node)" = "$node" ] || fail "dt_timer_node '$(q firmware.dt_timer_node)', the devicetree has $node"
[ "$(q firmware.gtdt)" = null ] || fail "a GTDT '$(q firmware.gtdt)' on a devicetree boot"
props=$(ls "$node" | grep -c erratum)
[ "$(json_check --len timer_errata <"$J")" -eq "$props" ] ||
	fail "$(json_check --len timer_errata <"$J") timer errata, the timer node has $props erratum properties"

# the guest-side reader's slot choice: from the MPIDR in the devicetree (QEMU virt: vCPU i
# has Aff0 = i % 16, Aff1 = i / 16), checked on the last CPU
scx_errata shm create infolive --vcpus 4 >/dev/null || fail "cannot create a shared file for the reader"
last=$(($(nproc) - 1))
reg=$(od -An -tx1 "$SYS/cpu$last/of_node/reg" | tr -d ' \n')
want=$(( (0x$reg >> 8 & 0xff) * 16 + (0x$reg & 0xf) ))
out=$(taskset -c "$last" scxe_guest --file /dev/shm/scx_errata.infolive --json) || fail "scxe_guest failed: $out"
rm -f /dev/shm/scx_errata.infolive
got=$(echo "$out" | json_check --get vcpu.index --get vcpu.from | tr '\n' ' ')
[ "$got" = "$want mpidr " ] || fail "on cpu $last (MPIDR reg 0x$reg) the reader chose slot '$got', expected '$want mpidr'"

# the reader's own search: an ivshmem-plain device on virt's PCIe (ECAM) host bridge, when the
# boot has one (tests/vm/run.sh adds it for arm64), found through sysfs with no option
bar=""
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor")" = 0x1af4 ] && [ "$(cat "$d/device")" = 0x1110 ] && bar=$d
done
if [ -n "$bar" ]; then
	out=$(scxe_guest --json) || fail "scxe_guest found no page behind $bar: $out"
	[ "$(echo "$out" | json_check --get source.path)" = "$bar/resource2" ] ||
		fail "scxe_guest read $(echo "$out" | json_check --get source.path), not $bar/resource2"
	note "info_live: reader found $bar/resource2 (ECAM host bridge: $(basename "$(readlink -f "$bar/..")"))"
fi

note "info_live: slot $want from MPIDR reg 0x$reg on cpu $last"
note "info_live: cpus=$n types=$distinct midr=$midr0 name='$(q types.0.name)' timer=$node gtdt=$(q firmware.gtdt) timer_errata=$props"
scx_errata info | sed 's/^/# info| /' | head -n 12
exit 0
