#!/usr/bin/env bash
# Command-line behaviour of build/scx_errata on the build host (no sched_ext needed):
# exit codes, one-line errors that name the culprit, valid JSON, nothing left half-done.
# Prints TAP lines and "cli: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BUILD:-$top/build}/scx_errata
FIX=$top/tests/fixtures
tmp=$(mktemp -d)
shm=$(mktemp -d /dev/shm/scxe-cli.XXXXXX)	# VM shared files must be on tmpfs
trap 'rm -rf "$tmp" "$shm"' EXIT

n=0 pass=0 fail=0
# check NAME EXPECTED_RC STDERR_REGEX -- ARGS...: one line on stderr matching the regex
check() {
	local name=$1 want=$2 re=$3
	shift 4
	"$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? why=""
	[ "$rc" -eq "$want" ] || why="exit $rc, expected $want"
	if [ -z "$why" ] && [ -n "$re" ]; then
		grep -qE -- "$re" "$tmp/err" || why="stderr does not match /$re/: $(head -c 200 "$tmp/err")"
		[ "$(wc -l <"$tmp/err")" -le 1 ] || [ -n "$why" ] || why="error is not one line: $(cat "$tmp/err")"
	fi
	result "$name" "$why"
}
result() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		pass=$((pass + 1)); echo "ok $n - $1"
	else
		fail=$((fail + 1)); echo "not ok $n - $1"; echo "#   $2"
	fi
}
json_ok() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }

echo "TAP version 13"
check help-exits-0             0 ""                          -- -h
grep -q '^usage: scx_errata' "$tmp/out" && result help-on-stdout "" || result help-on-stdout "no usage on stdout"
check version                  0 ""                          -- --version
check unknown-command          1 "unknown command 'frob'"    -- frob
check run-help                 0 ""                          -- run -h
check run-bad-mode             1 "--mode 'sideways'"         -- run --mode sideways
check run-bad-hold             1 "--max-hold-ms '-5'"        -- run --max-hold-ms -5
check run-tiny-slice           1 "--slice-us '10' is not a number from 100" -- run --slice-us 10
check run-bad-option           1 "see 'scx_errata run -h'"   -- run --frobnicate
check run-stray-argument       1 "unexpected argument 'x'"   -- run x
check run-cpu-types-twice      1 "cpu 0 is named twice"      -- run --cpu-types 0-1:big,0:little
check run-cpu-types-no-name    1 "has no ':NAME'"            -- run --cpu-types 0-1
check run-vm-not-pid           1 "is not PID:PATH"           -- run --vm abc
check run-vm-relative          1 "must be an absolute path"  -- run --vm 1:shm/x
check run-vm-bad-tids          1 "TID,TID"                   -- run --vm 1:/dev/shm/x:1,,2
check run-bad-fault            1 "--inject-fault 'boom'"     -- run --inject-fault boom

# a file that is not ours is never touched; a file this run created is removed on failure
head -c 8192 /dev/urandom >"$shm/foreign"
printf 'JUNK' | dd of="$shm/foreign" conv=notrunc status=none
sum=$(md5sum <"$shm/foreign")
if [ ! -e /sys/kernel/sched_ext ]; then
	check run-vm-foreign-file  1 "not an scx_errata shared file" -- run --vm 1:"$shm/foreign"
	[ "$(md5sum <"$shm/foreign")" = "$sum" ] && result foreign-file-untouched "" || result foreign-file-untouched "file changed"
	check run-no-sched-ext     1 "no sched_ext"              -- run --vm 1:"$shm/new.shm"
	[ -e "$shm/new.shm" ] && result failed-run-leaves-no-file "left $shm/new.shm" || result failed-run-leaves-no-file ""
	check run-vm-off-tmpfs     1 "is not on tmpfs"           -- run --vm 1:"$tmp/off.shm"
	[ -e "$tmp/off.shm" ] && result off-tmpfs-leaves-no-file "left $tmp/off.shm" || result off-tmpfs-leaves-no-file ""
fi

check run-bad-fault-list      1 "eject-on-trigger"          -- run --inject-fault x
check status-help              0 ""                          -- status -h
check status-bad-option        1 "see 'scx_errata status -h'" -- status --frob
check status-stray             1 "unexpected argument 'x'"   -- status x
"$BIN" status --json --frob >"$tmp/out" 2>/dev/null; rc=$?
{ [ $rc -eq 1 ] && json_ok "$tmp/out" && grep -q '"error"' "$tmp/out"; } && result status-json-error-is-json "" \
	|| result status-json-error-is-json "rc=$rc out=$(head -c 200 "$tmp/out")"
check stop-help                0 ""                          -- stop -h
check stop-bad-option          1 "see 'scx_errata stop -h'"  -- stop --frob
check stop-stray               1 "unexpected argument 'x'"   -- stop x
if [ ! -e /sys/fs/bpf/scx_errata ]; then
	# nothing pinned: status says so in valid JSON, stop has nothing to do and succeeds
	check status-nothing-json  0 ""                          -- status --json
	{ json_ok "$tmp/out" && grep -q '"loaded":false' "$tmp/out"; } && result status-nothing-valid "" \
		|| result status-nothing-valid "out=$(head -c 200 "$tmp/out")"
	[ "$(id -u)" = 0 ] && check stop-nothing 0 "nothing to stop" -- stop
fi
check shm-no-command           1 "shm needs a command"       -- shm
check shm-unknown-command      1 "unknown shm command 'rm'"  -- shm rm x
check shm-help                 0 ""                          -- shm -h
check shm-no-name              1 "needs a NAME"              -- shm create --vcpus 2
check shm-no-vcpus             1 "needs --vcpus"             -- shm create vmx
check shm-bad-name             1 "is not a VM name"          -- shm create ../etc --vcpus 2
check shm-bad-vcpus            1 "--vcpus '0'"               -- shm create vmx --vcpus 0
check shm-bad-owner            1 "--owner 'no-such-user-x'"  -- shm create vmx --vcpus 2 --owner no-such-user-x
if [ "$(id -u)" = 0 ]; then
	name=cli-$$
	check shm-create           0 ""                          -- shm create "$name" --vcpus 100 --owner nobody
	f=/dev/shm/scx_errata.$name
	{ [ "$(stat -c '%s %a %U' "$f" 2>/dev/null)" = "16384 660 nobody" ] &&
		[ "$(od -An -tx4 -N4 "$f" | tr -d ' ')" = 45584353 ]; } && result shm-create-file "" \
		|| result shm-create-file "got $(stat -c '%s %a %U' "$f" 2>&1)"
	sum=$(md5sum <"$f")
	check shm-create-exists    1 "exists; remove it first"   -- shm create "$name" --vcpus 2
	[ "$(md5sum <"$f")" = "$sum" ] && result shm-existing-untouched "" || result shm-existing-untouched "file changed"
	rm -f "$f"
fi
check info-plain               0 ""                          -- info
check info-json                0 ""                          -- info --json
json_ok "$tmp/out" && result info-json-valid "" || result info-json-valid "stdout is not JSON"
"$BIN" info --json --frob >"$tmp/out" 2>/dev/null; rc=$?
{ [ $rc -ne 0 ] && json_ok "$tmp/out" && grep -q '"error"' "$tmp/out"; } && result info-json-error-is-json "" \
	|| result info-json-error-is-json "rc=$rc out=$(head -c 200 "$tmp/out")"
check info-fixture             0 ""                          -- info --json --host-root "$FIX/rk3399"
python3 - "$tmp/out" <<'PY' && result info-fixture-two-types "" || result info-fixture-two-types "wrong types"
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(t["name"] for t in d["types"])
sys.exit(0 if names == ["Cortex-A53", "Cortex-A72"] else 1)
PY
check info-missing-root        1 "no cpus found"             -- info --host-root "$tmp/nowhere"
check info-bad-db              1 "bad-range.db:[0-9]+:"      -- info --errata-db "$FIX/db/bad-range.db"
check info-missing-db          1 "nowhere.db"                -- info --errata-db "$tmp/nowhere.db"

# --- status --prometheus: the text format of node_exporter's textfile collector
# prom_valid FILE: only HELP, TYPE, comment and sample lines; one HELP and one TYPE per
# family, the TYPE before the family's samples, a family's samples together, well-formed
# names, labels and values, escaped label values, no series twice. Prints the first problem.
prom_valid() {
	awk '
	function bad(why) { printf "line %d: %s: %s\n", NR, why, $0; err = 1; exit 1 }
	/^# HELP / {
		if ($3 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) bad("bad metric name")
		if (help[$3]++) bad("second HELP")
		next
	}
	/^# TYPE / {
		if ($3 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*$/) bad("bad metric name")
		if (NF != 4 || $4 !~ /^(counter|gauge|histogram|summary|untyped)$/) bad("bad TYPE")
		if (type[$3]++) bad("second TYPE")
		if ($3 in seen) bad("TYPE after samples")
		next
	}
	/^#/ { next }
	{
		rest = $0
		if (!match(rest, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) bad("bad metric name")
		name = substr(rest, 1, RLENGTH)
		rest = substr(rest, RLENGTH + 1)
		if (!(name in type)) bad("sample without a TYPE line")
		if (name != cur && (name in seen)) bad("samples of " name " apart")
		cur = name
		seen[name] = 1
		labels = ""
		if (substr(rest, 1, 1) == "{") {
			rest = substr(rest, 2)
			while (substr(rest, 1, 1) != "}") {
				if (!match(rest, /^[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"/)) bad("bad label")
				labels = labels substr(rest, 1, RLENGTH) ","
				rest = substr(rest, RLENGTH + 1)
				if (substr(rest, 1, 1) == ",")
					rest = substr(rest, 2)
				else if (substr(rest, 1, 1) != "}")
					bad("bad label list")
			}
			rest = substr(rest, 2)
		}
		if (rest !~ /^ ([-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|NaN|[-+]Inf)$/) bad("bad value")
		if (series[name "{" labels]++) bad("series twice")
		samples++
	}
	END { if (!err && !samples) { print "no samples"; exit 1 } }
	' "$1"
}
# the validator itself: a good file passes, each kind of bad one fails
printf '# HELP a_total x\n# TYPE a_total counter\na_total{e="q\\"\\\\\\n",f=""} 1e+12\n# TYPE b gauge\nb -Inf\n' >"$tmp/p"
why=$(prom_valid "$tmp/p") && result prom-validator-accepts "" || result prom-validator-accepts "$why"
why=""
for bad in 'x 1' '# TYPE x gauge\n# TYPE x gauge\nx 1' '# TYPE x gauge\n# HELP x a\n# HELP x b\nx 1' \
	'# TYPE 1x gauge\n1x 1' '# TYPE x gauge\nx{a="b"c} 1' '# TYPE x gauge\nx{a="b\\q"} 1' \
	'# TYPE x gauge\nx{a="b} 1' '# TYPE x gauge\nx 1 2 3' '# TYPE x gauge\nx one' \
	'# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx 2' '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2' \
	'# TYPE x gauge\nx 1\n# TYPE x gauge'; do
	printf "$bad\n" >"$tmp/p"
	prom_valid "$tmp/p" >/dev/null && why="accepted: $bad"
done
result prom-validator-rejects "$why"

check status-prom-and-json     1 "--json and --prometheus exclude each other" -- status --json --prometheus
check status-prom-bad-option   1 "see 'scx_errata status -h'" -- status --prometheus --frob
[ -s "$tmp/out" ] && result status-prom-error-no-stdout "stdout: $(head -c 200 "$tmp/out")" \
	|| result status-prom-error-no-stdout ""
if [ ! -e /sys/fs/bpf/scx_errata ]; then
	# nothing pinned: the pinned/loaded gauges at 0 and nothing else
	check status-prom-nothing  0 ""                          -- status --prometheus
	why=$(prom_valid "$tmp/out") && result status-prom-nothing-valid "" || result status-prom-nothing-valid "$why"
	[ "$(grep -v '^#' "$tmp/out" | sort | tr '\n' ' ')" = "scx_errata_loaded 0 scx_errata_pinned 0 " ] \
		&& result status-prom-nothing-zero "" || result status-prom-nothing-zero "samples: $(grep -v '^#' "$tmp/out")"
	# a failed write (full disk) fails the command, so `>f.tmp && mv f.tmp f` keeps the old file
	if [ -w /dev/full ]; then
		"$BIN" status --prometheus >/dev/full 2>"$tmp/err"; rc=$?
		{ [ $rc = 1 ] && grep -q "cannot write" "$tmp/err"; } && result status-prom-write-error "" \
			|| result status-prom-write-error "rc=$rc err=$(head -c 200 "$tmp/err")"
	fi
fi

# --- make install / uninstall into a staging root: exactly these files, the unit's
# ExecStart naming the installed binary, the man page without a timestamp, /etc untouched
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$top" O="${BUILD:-$top/build}" "$@" >"$tmp/make.log" 2>&1; }
installed() { (cd "$1" && find . ! -type d -printf '%P %m\n' | LC_ALL=C sort | tr '\n' ';'); }
if mk install DESTDIR="$tmp/root"; then
	want="usr/local/lib/systemd/system/scx_errata.service 644;usr/local/sbin/scx_errata 755;"
	want="${want}usr/local/share/doc/scx_errata/scx_errata.conf 644;usr/local/share/man/man8/scx_errata.8.gz 644;"
	got=$(installed "$tmp/root")
	[ "$got" = "$want" ] && result install-files "" || result install-files "installed: $got"
	unit=$tmp/root/usr/local/lib/systemd/system/scx_errata.service
	[ "$(grep -c '^ExecStart=/usr/local/sbin/scx_errata run ' "$unit")" = 1 ] && result install-unit-execstart "" \
		|| result install-unit-execstart "$(grep '^ExecStart' "$unit")"
	gz=$tmp/root/usr/local/share/man/man8/scx_errata.8.gz
	{ gzip -t "$gz" && [ "$(od -An -tu4 -j4 -N4 "$gz" | tr -d ' ')" = 0 ] && zcat "$gz" | cmp -s - "$top/docs/scx_errata.8"; } \
		&& result install-man-gzip-n "" || result install-man-gzip-n "not the man page gzipped with -n"
	cmp -s "$tmp/root/usr/local/sbin/scx_errata" "$BIN" && cmp -s "$top/examples/scx_errata.conf" \
		"$tmp/root/usr/local/share/doc/scx_errata/scx_errata.conf" && result install-contents "" \
		|| result install-contents "installed binary or example differ from the build"
	mk uninstall DESTDIR="$tmp/root"
	got=$(installed "$tmp/root")
	{ [ -z "$got" ] && [ ! -e "$tmp/root/usr/local/share/doc/scx_errata" ]; } && result uninstall-removes-all "" \
		|| result uninstall-removes-all "left: $got"
else
	result install-files "make install failed: $(tail -n 3 "$tmp/make.log")"
fi
if mk install DESTDIR="$tmp/usr" PREFIX=/usr; then
	{ [ -x "$tmp/usr/usr/sbin/scx_errata" ] && grep -q '^ExecStart=/usr/sbin/scx_errata ' \
		"$tmp/usr/usr/lib/systemd/system/scx_errata.service"; } && result install-prefix-usr "" \
		|| result install-prefix-usr "installed: $(installed "$tmp/usr")"
else
	result install-prefix-usr "make install PREFIX=/usr failed: $(tail -n 3 "$tmp/make.log")"
fi
# systemd-analyze checks the unit against this systemd, the binary it starts and its man
# page; installed for real under a temporary PREFIX so that those paths exist
if ! command -v systemd-analyze >/dev/null; then
	result "install-unit-verifies # SKIP no systemd-analyze on this host" ""
elif mk install PREFIX="$tmp/prefix"; then
	MANPATH=$tmp/prefix/share/man systemd-analyze verify "$tmp/prefix/lib/systemd/system/scx_errata.service" \
		>"$tmp/verify" 2>&1 && result install-unit-verifies "" \
		|| result install-unit-verifies "$(head -c 300 "$tmp/verify")"
else
	result install-unit-verifies "make install PREFIX=$tmp/prefix failed: $(tail -n 3 "$tmp/make.log")"
fi

# the libvirt recipe is a valid domain (libvirt's own schema)
if command -v virt-xml-validate >/dev/null; then
	virt-xml-validate "$top/examples/libvirt.xml" domain >"$tmp/out" 2>&1 && result libvirt-xml-valid "" \
		|| result libvirt-xml-valid "$(tail -n 3 "$tmp/out")"
else
	echo "# skip libvirt-xml-valid: no virt-xml-validate (scripts/deps.sh platform installs libvirt-clients)"
fi

# the bad-input tables, one per kind of input (prints "cli: inputs tried: ...")
. "$top/tests/cli/bad_input.sh"

echo "1..$n"
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
