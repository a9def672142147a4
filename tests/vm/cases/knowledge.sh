# The host's knowledge, seen two ways: the pinned BPF maps (bpftool, BTF-typed fields) and a
# VM's shared page read by the guest-side reader (examples/guest/scxe_guest) through the file.
# A busy shell loop stands in for the VMM; its only thread is vCPU 0. Both views must agree on
# the types (big: cpus 0-1, little: cpus 2-3) and on the errata (an errata db written for this
# VM's CPU: one dynamic, one static, one timer erratum); the fence must be live in same-type
# mode, slot 0 armed with cur_type the type of the CPU the thread last ran on (/proc/PID/stat),
# a window opened and closed by the reader; after the daemon stops the reader must report no
# guarantee and every type's errata.
. /scxe/lib.sh
SHM=/dev/shm/scx_errata.kn
PIN=/sys/fs/bpf/scx_errata

command -v scxe_guest >/dev/null || fail "scxe_guest is not in the VM (no build/tests/scxe_guest)"
[ "$(sched_state)" = disabled ] || fail "sched_ext state is $(sched_state) before the test"
rm -f "$SHM"

sh -c 'while :; do :; done' &
VMM=$!
trap 'kill $VMM 2>/dev/null' EXIT
reader() { scxe_guest --file "$SHM" --vcpu 0 "$@"; }

# an errata db that matches this VM's CPU, so errata reach the maps and the page: one
# dynamic and one static CPU erratum and a timer erratum, all by CPU type
DB=/tmp/knowledge.db
case "$(sed -n 's/^vendor_id[^:]*: *//p' /proc/cpuinfo | head -n 1)" in
GenuineIntel) vendor=intel ;;
AuthenticAMD) vendor=amd ;;
*) vendor="" ;;
esac
fam=$(sed -n 's/^cpu family[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
model=$(sed -n 's/^model[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
db_opt=""
want_errata=""
if [ -n "$vendor" ] && [ -n "$fam" ] && [ -n "$model" ]; then
	entry() { # ID CLASS MANAGEMENT
		printf 'erratum %s\nvendor test\nclass %s\nmanagement %s\nx86 %s:%s:%s all\ndescription test entry for this VM\n' \
			"$1" "$2" "$3" "$vendor" "$fam" "$model"
	}
	{ echo "format 1"; entry KNDYN1 cpu dynamic; entry KNSTAT2 cpu static; entry KNTMR3 timer static; } >$DB
	db_opt="--errata-db $DB"
	want_errata="KNDYN1 KNSTAT2 KNTMR3"
fi

scxe_start --stats 0 $db_opt --vm "$VMM:$SHM:$VMM"
[ -f "$SHM" ] || fail "the daemon did not create $SHM"
[ "$(wc -c <"$SHM")" -eq 8192 ] || fail "$SHM is $(wc -c <"$SHM") bytes, expected 8192"

# --- the maps ---------------------------------------------------------------------------
types=$(bpftool -j map dump pinned $PIN/types) || fail "bpftool cannot dump $PIN/types"
names=$(echo "$types" | grep -o '"name":"[^"]*"' | sed 's/"name":"//; s/"$//' | tr '\n' ' ')
cpus=$(echo "$types" | grep -o '"nr_cpus":[0-9]*' | sed 's/.*://' | tr '\n' ' ')
case "$names" in
"big little "*) ;;
*) echo "$types" | head -c 1500; fail "types map names are '$names', expected big little first" ;;
esac
case "$cpus" in
"2 2 "*) ;;
*) fail "types map nr_cpus are '$cpus', expected 2 2 first" ;;
esac
note "map types: $(echo "$names" | awk '{print $1, $2}'), nr_cpus $(echo "$cpus" | awk '{print $1, $2}')"

cpu_type() { # CPU -> type index from the cpu_info map
	bpftool -j map lookup pinned $PIN/cpu_info key "$1" 0 0 0 |
		grep -o '"type":[0-9]*' | head -n 1 | sed 's/.*://'
}
map=""
for c in 0 1 2 3; do
	t=$(cpu_type $c)
	map="$map$c:$t "
done
[ "$map" = "0:0 1:0 2:1 3:1 " ] || {
	bpftool -j map lookup pinned $PIN/cpu_info key 2 0 0 0
	fail "cpu_info maps cpus to types as '$map', expected 0:0 1:0 2:1 3:1"
}
note "map cpu_info: $map"

errata=$(bpftool -j map dump pinned $PIN/errata) || fail "bpftool cannot dump $PIN/errata"
map_ids=$(echo "$errata" | grep -o '"id":"[^"][^"]*"' | sed 's/"id":"//; s/"$//' | sort | tr '\n' ' ')
map_errata=$(echo "$map_ids" | wc -w)
[ -z "$want_errata" ] || [ "$map_ids" = "$want_errata " ] ||
	fail "errata map holds '$map_ids', expected '$want_errata'"

# --- the shared page, through the guest-side reader --------------------------------------
i=0
until reader --json | grep -q '"armed":true,"cur_type":[0-9]'; do
	i=$((i + 1))
	[ $i -gt 50 ] && { reader; fail "slot 0 was not armed with a cur_type within 10 s"; }
	sleep 0.2
done
out=$(reader) || fail "scxe_guest failed: $out"
echo "$out" | grep -q '^abi: magic ok, version 1, 64 slots of 64 bytes at offset 4096$' ||
	{ echo "$out"; fail "the reader does not see a version 1 layout with 64 slots"; }
echo "$out" | grep -q "^fence: live, mode same-type, max hold 50000 us, hold budget 50%\$" ||
	{ echo "$out"; fail "the reader does not see a live same-type fence with the default hold limits"; }
echo "$out" | grep -q '^types: 2$' || { echo "$out"; fail "the reader does not see 2 types"; }
echo "$out" | grep -q '^  type 0 big: .* cpus 2,' || { echo "$out"; fail "type 0 is not big with 2 cpus"; }
echo "$out" | grep -q '^  type 1 little: .* cpus 2,' || { echo "$out"; fail "type 1 is not little with 2 cpus"; }
page_ids=$(reader --json | grep -o '"index":[0-9]*,"id":"[^"]*"' | sed 's/.*"id":"//; s/"$//' | sort | tr '\n' ' ')
[ "$page_ids" = "$map_ids" ] || fail "the page lists errata '$page_ids', the errata map '$map_ids'"
page_errata=$(echo "$page_ids" | wc -w)
if [ -n "$want_errata" ]; then
	echo "$out" | grep -q '^  KNDYN1 *dynamic on all types$' &&
		echo "$out" | grep -q '^  KNSTAT2 *static *on all types$' &&
		echo "$out" | grep -q '^timer errata: 1$' &&
		echo "$out" | grep -q '^  KNTMR3 *static *from cpu-type on all types$' ||
		{ echo "$out"; fail "the reader does not show the test errata with their management and source"; }
fi

# slot 0 against the kernel's view: field 39 of /proc/PID/stat is the CPU the task last ran on
ok=""
for i in $(seq 1 50); do
	c1=$(awk '{print $39}' /proc/$VMM/stat)
	line=$(reader | grep '^vcpu 0 ')
	c2=$(awk '{print $39}' /proc/$VMM/stat)
	ct=$(echo "$line" | sed -n 's/.* cur_type \([0-9]*\) .*/\1/p')
	cc=$(echo "$line" | sed -n 's/.* cur_cpu \([0-9]*\),.*/\1/p')
	if [ "$c1" = "$c2" ] && [ "$cc" = "$c1" ]; then
		ok=1
		break
	fi
	sleep 0.1
done
[ -n "$ok" ] || fail "slot 0 never agreed with /proc/$VMM/stat (last: '$line', cpu $c1/$c2)"
echo "$line" | grep -q '^vcpu 0 (--vcpu): armed 1, ' || fail "slot 0 is not armed: $line"
[ "$c1" -lt 2 ] && want=0 || want=1
[ "$ct" = "$want" ] || fail "slot 0 says cur_type $ct on cpu $cc, but cpu $c1 is type $want"
[ "$ct" = "$(cpu_type "$c1")" ] || fail "slot 0 cur_type $ct differs from cpu_info's type of cpu $c1"
line2=$(reader | grep 'errata for the core type this vCPU is on now') ||
	{ reader; fail "the reader does not give errata for the current core type while armed"; }
[ -z "$want_errata" ] || echo "$line2" | grep -q ": $want_errata\$" ||
	fail "errata for the current type are not '$want_errata': $line2"
json=$(reader --json)
case "$json" in
'{"source":{"kind":"file",'*'"fence":{"live":true,"mode":"same-type",'*'"guarantee":true,"assume_all_types":false,'*'}') ;;
*) echo "$json"; fail "the reader's JSON is not the expected single object" ;;
esac
# one window with the two-store protocol on slot 0: read a type, close, bump window_seq
demo=$(reader --window-demo | grep '^window demo:') || fail "scxe_guest --window-demo printed no result"
echo "$demo" | grep -Eq '^window demo: in_errata 0 -> 1, read cur_type [01] \((big|little)\), cur_cpu [0-3], armed 1, .* -> 0;' ||
	fail "unexpected window demo result: $demo"
reader | grep -q '^  guest: in_errata 0, erratum 0, window_seq 1$' ||
	{ reader; fail "after the window demo slot 0 is not closed with window_seq 1"; }
note "page: $(echo "$out" | grep '^fence:')"
note "page: vcpu 0 armed on cpu $c1 (type $ct per /proc and cpu_info); errata $page_errata = map's: ${page_ids:-none}"

# --- after the daemon stops: no guarantee -------------------------------------------------
scxe_stop INT
[ "$SCXE_RC" -eq 0 ] || fail "loader exited $SCXE_RC on SIGINT"
out=$(reader) || fail "scxe_guest failed after stop: $out"
echo "$out" | grep -q '^fence: not live' || { echo "$out"; fail "the fence is still live after the daemon stopped"; }
echo "$out" | grep -q '^vcpu 0 (--vcpu): armed 0, ' || { echo "$out"; fail "slot 0 is still armed after the daemon stopped"; }
echo "$out" | grep -q "no guarantee (fence not live): the guest must assume the errata of every type: ${want_errata:-none}\$" ||
	{ echo "$out"; fail "the reader does not tell the guest to assume every type's errata"; }
reader --json | grep -q '"live":false,.*"armed":false,.*"assume_all_types":true' ||
	fail "the reader's JSON after stop does not say live false, armed false, assume all types"
note "$demo"
note "after stop: $(echo "$out" | grep '^fence:')"
rm -f "$SHM" "$DB"
exit 0
