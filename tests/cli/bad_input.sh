# shellcheck shell=bash
# Sourced by tests/cli.sh: the bad-input tables (issue 9). One table per kind of input; each
# row is one input with the exit status it must end with and a regex that its one-line error
# must match (the regex names the culprit: the option, file, line or directory). Every row
# also checks that nothing it could touch changed: content and stat of every file under the
# rows' own directories (the files they are given), the scx_errata files in /dev/shm and
# everything under /sys/fs/bpf. At the end the number of inputs tried, per kind and in
# total, is printed as "cli: inputs tried: ...".
#
# Uses from cli.sh: BIN, FIX, tmp, shm (a tmpfs dir), result, json_ok.

bi=$tmp/bi		# trees, databases, configs: on /tmp (not tmpfs on most hosts)
bis=$shm/bi		# VM shared files: tmpfs
mkdir -p "$bi" "$bis"
chmod 755 "$tmp" "$shm" "$bi" "$bis"	# the non-root rows run through these

declare -A bi_n=()
bi_kinds=()
bi_total=0

bi_snap() {
	find "$bi" "$bis" -printf '%p %y %s %m %U %G %T@ %C@ %l\n' 2>/dev/null | LC_ALL=C sort
	# content of every file up to 1 MiB (a larger one changes its stat when written)
	find "$bi" "$bis" -type f -size -1025k -exec md5sum {} + 2>/dev/null | LC_ALL=C sort
	find /dev/shm -maxdepth 1 -name 'scx_errata*' ! -name 'scx_errata.cli-*' -printf '%p %y %s %T@\n' | LC_ALL=C sort
	find /sys/fs/bpf -printf '%p %y %m %U\n' 2>/dev/null | LC_ALL=C sort
}

# json_error FILE REGEX: FILE is one JSON object {"error": "..."} whose message matches REGEX
json_error() {
	python3 - "$1" "$2" <<'PY' 2>/dev/null
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
d = json.loads(lines[0]) if len(lines) == 1 else None
sys.exit(0 if isinstance(d, dict) and list(d) == ["error"] and re.search(sys.argv[2], d["error"]) else 1)
PY
}

# bad KIND NAME RC REGEX [MODE] -- ARGS...
#   MODE (default: error on stderr): json   errors as {"error": ...} on stdout, stderr empty
#                                    jsonrun both: the JSON line on stdout, the line on stderr
#                                    warn   exit RC, 1-2 warning lines, one matching REGEX
#                                    nobody run as uid/gid 65534 (error on stderr)
bad() {
	local kind=$1 name=$2 want=$3 re=$4 mode="" why="" rc before after lines
	shift 4
	[ "$1" = -- ] || { mode=$1; shift; }
	shift
	[ -n "${bi_n[$kind]:-}" ] || bi_kinds+=("$kind")
	bi_n[$kind]=$((${bi_n[$kind]:-0} + 1))
	bi_total=$((bi_total + 1))
	before=$(bi_snap)
	if [ "$mode" = nobody ]; then
		timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups -- "$BIN" "$@" \
			>"$tmp/out" 2>"$tmp/err" </dev/null
	else
		timeout 30 "$BIN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	fi
	rc=$?
	after=$(bi_snap)
	lines=$(wc -l <"$tmp/err")
	[ "$rc" -eq "$want" ] || why="exit $rc, expected $want"
	case $mode in
	json)
		json_error "$tmp/out" "$re" || why="${why:+$why; }stdout is not {\"error\": /$re/}: $(head -c 300 "$tmp/out")"
		[ ! -s "$tmp/err" ] || why="${why:+$why; }stderr not empty: $(head -c 200 "$tmp/err")"
		;;
	jsonrun)
		json_error "$tmp/out" "$re" || why="${why:+$why; }stdout is not {\"error\": /$re/}: $(head -c 300 "$tmp/out")"
		{ [ "$lines" -eq 1 ] && grep -qE -- "$re" "$tmp/err"; } || why="${why:+$why; }stderr is not one line matching /$re/: $(head -c 300 "$tmp/err")"
		;;
	warn)
		{ [ "$lines" -ge 1 ] && [ "$lines" -le 2 ] && ! grep -qv '^scx_errata: warning: ' "$tmp/err" &&
			grep -qE -- "$re" "$tmp/err"; } || why="${why:+$why; }stderr is not 1-2 warnings, one matching /$re/: $(head -c 400 "$tmp/err")"
		;;
	*)
		{ [ "$lines" -eq 1 ] && grep -qE -- "$re" "$tmp/err"; } || why="${why:+$why; }stderr is not one line matching /$re/: $(head -c 300 "$tmp/err")"
		[ ! -s "$tmp/out" ] || why="${why:+$why; }stdout not empty: $(head -c 200 "$tmp/out")"
		;;
	esac
	[ "$before" = "$after" ] || why="${why:+$why; }changed on disk: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	result "$kind: $name" "$why"
}

# an escaped path for a regex
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# a pid that runs nothing; a process of ours to pair with
free_pid=4194304
while [ -d /proc/$free_pid ]; do free_pid=$((free_pid - 1)); done
me=$$

# ---------------------------------------------------------------------------------------
# args: every subcommand's options, values and combinations
bad args unknown-command          1 "unknown command 'frob'; try 'scx_errata -h'" -- frob
bad args empty-command            1 "unknown command ''"                        -- ''
bad args newline-command          1 "unknown command 'a\?b'"                    -- "$(printf 'a\nb')"
bad args top-unknown-option       1 "unknown option '--frob'; see 'scx_errata run -h'" -- --frob
bad args run-unknown-option       1 "unknown option '--frob'; see 'scx_errata run -h'" -- run --frob
bad args run-unknown-short        1 "unknown option '-Z'"                        -- run -Z
bad args run-stray                1 "unexpected argument 'x'"                    -- run x
bad args run-stray-after-dashdash 1 "unexpected argument 'x'"                    -- run -- x
bad args run-bad-then-help        1 "unknown option '--frob'"                    -- run --frob -h
bad args run-mode                 1 "--mode 'sideways' is not same-type or same-cpu" -- run --mode sideways
bad args run-mode-empty           1 "--mode '' is not"                           -- run --mode ''
bad args run-mode-case            1 "--mode 'SAME-TYPE' is not"                  -- run -m SAME-TYPE
bad args run-mode-no-value        1 "option '--mode' needs a value"              -- run --mode
bad args run-hold-negative        1 "--max-hold-ms '-5' is not a number from 0 to 3600000" -- run --max-hold-ms -5
bad args run-hold-range           1 "--max-hold-ms '3600001' is not a number"    -- run -H 3600001
bad args run-hold-overflow        1 "--max-hold-ms '99999999999999999999999'"    -- run -H 99999999999999999999999
bad args run-hold-float           1 "--max-hold-ms '1e3'"                        -- run -H 1e3
bad args run-hold-space           1 "--max-hold-ms ' 5'"                         -- run -H ' 5'
bad args run-hold-empty           1 "--max-hold-ms ''"                           -- run -H ''
bad args run-slice-low            1 "--slice-us '10' is not a number from 100 to 1000000" -- run --slice-us 10
bad args run-slice-99             1 "--slice-us '99' is not a number from 100"   -- run -s 99
bad args run-slice-high           1 "--slice-us '1000001'"                       -- run -s 1000001
bad args run-slice-text           1 "--slice-us 'abc'"                           -- run -s abc
bad args run-stats-range          1 "--stats '3601' is not a number from 0 to 3600" -- run --stats 3601
bad args run-stats-suffix         1 "--stats '1x'"                               -- run -i 1x
bad args run-stats-plus           1 "--stats '\+1'"                              -- run -i +1
bad args run-stats-hex            1 "--stats '0x10'"                             -- run -i 0x10
bad args run-pattern-relative     1 "--shm-pattern 'rel' is not an absolute glob" -- run --shm-pattern rel
bad args run-qmp-relative         1 "--qmp 'rel' is not an absolute path"        -- run --qmp rel
bad args run-qmp-empty            1 "--qmp '' is not an absolute path"           -- run --qmp ''
bad args run-fault                1 "--inject-fault 'boom' is unknown"           -- run --inject-fault boom
bad args run-fault-empty          1 "--inject-fault '' is unknown"               -- run --inject-fault ''
bad args run-config-empty         1 "--config '' names no file"                  -- run --config ''
bad args run-config-missing       1 "$(re "$bi/nowhere.conf"): cannot open: No such file" -- run --config "$bi/nowhere.conf"
bad args run-db-empty             1 "--errata-db '' names no file"               -- run --errata-db ''
bad args run-db-missing           1 "cannot open errata db $(re "$bi/nowhere.db")" -- run --errata-db "$bi/nowhere.db"
bad args run-json-unknown         1 "unknown option '--frob'"          jsonrun   -- run --json --frob
bad args run-json-mode            1 "--mode 'x' is not"                jsonrun   -- run --mode x --json
bad args run-vm-no-value          1 "option '-V' needs a value"                  -- run -V
bad args run-vm-not-spec          1 "--vm 'abc' is not PID:PATH"                 -- run --vm abc
bad args run-vm-pid-0             1 "--vm '0:/dev/shm/x' is not PID:PATH with a pid from 1 to 4194304" -- run --vm 0:/dev/shm/x
bad args run-vm-pid-negative      1 "--vm '-1:/dev/shm/x' is not PID:PATH"       -- run --vm -1:/dev/shm/x
bad args run-vm-pid-max           1 "--vm '4194305:/dev/shm/x' is not PID:PATH"  -- run --vm 4194305:/dev/shm/x
bad args run-vm-pid-overflow      1 "--vm '99999999999999999999:/dev/shm/x' is not" -- run --vm 99999999999999999999:/dev/shm/x
bad args run-vm-pid-missing       1 "--vm ':/dev/shm/x' is not PID:PATH"         -- run --vm :/dev/shm/x
bad args run-vm-pid-not-running   1 "--vm '$free_pid:$(re "$bis")/x': no process $free_pid runs" -- run --vm "$free_pid:$bis/x"
bad args run-vm-no-path           1 "--vm '1:': the shared file must be an absolute path" -- run --vm 1:
bad args run-vm-relative          1 "--vm '1:shm/x': the shared file must be an absolute path" -- run --vm 1:shm/x
bad args run-vm-long-path         1 "--vm '1:/dev/shm/aaaa.*\.\.\.': the shared file's path is longer than 4095 bytes" -- run --vm "1:/dev/shm/$(printf 'a%.0s' $(seq 5000))"
bad args run-vm-empty-tids        1 "empty vCPU thread list after the path"      -- run --vm 1:/dev/shm/x:
bad args run-vm-tids-gap          1 "vCPU thread list must be TID,TID"           -- run --vm 1:/dev/shm/x:1,,2
bad args run-vm-tid-0             1 "vCPU thread list must be TID,TID"           -- run --vm 1:/dev/shm/x:0
bad args run-vm-tid-text          1 "vCPU thread list must be TID,TID"           -- run --vm 1:/dev/shm/x:a
bad args run-vm-tid-twice         1 "thread 1 is listed for vCPU 0 and 1"        -- run --vm 1:/dev/shm/x:1,1
bad args run-vm-1025-tids         1 "more than 1024 vCPU threads"                -- run --vm "1:/dev/shm/x:$(seq -s, 1 1025)"
bad args run-vm-tid-elsewhere     1 "thread $me is not a thread of process 1"    -- run --vm "1:$bis/x:$me"
bad args run-vm-tid-gone          1 "vCPU 0 thread $free_pid: no such thread"    -- run --vm "$me:$bis/x:$free_pid"
bad args run-vm-same-file         1 "$(re "$bis")/dup is already paired with process 1" -- run --vm "1:$bis/dup" --vm "$me:$bis/dup"
vms=(); for i in $(seq 65); do vms+=(--vm "1:$bis/v$i"); done
bad args run-65-vms               1 "at most 64 --vm options"                    -- run "${vms[@]}"
bad args info-unknown-option      1 "unknown option '--frob'; see 'scx_errata info -h'" -- info --frob
bad args info-stray               1 "unexpected argument 'x'; see 'scx_errata info -h'" -- info x
bad args info-root-no-value       1 "option '--host-root' needs a value"         -- info --host-root
bad args info-json-unknown        1 "unknown option '--frob'"          json      -- info --json --frob
bad args info-unknown-json        1 "unknown option '--frob'"          json      -- info --frob --json
bad args info-json-no-value       1 "option '--errata-db' needs a value" json    -- info --json --errata-db
bad args info-json-bad-root       1 "no cpus found in $(re "$bi")/nowhere" json  -- info --json --host-root "$bi/nowhere"
bad args status-unknown-option    1 "unknown option '--frob'; see 'scx_errata status -h'" -- status --frob
bad args status-stray             1 "unexpected argument 'x'"                    -- status x
bad args status-json-unknown      1 "unknown option '--frob'"          json      -- status --json --frob
bad args status-json-stray        1 "unexpected argument 'x'"          json      -- status --json x
bad args status-json-and-prom     1 "--json and --prometheus exclude each other" -- status --json --prometheus
bad args status-prom-unknown      1 "unknown option '--frob'"                    -- status --prometheus --frob
bad args stop-unknown-option      1 "unknown option '--frob'; see 'scx_errata stop -h'" -- stop --frob
bad args stop-json                1 "unknown option '--json'"                    -- stop --json
bad args stop-stray               1 "unexpected argument 'x'"                    -- stop x
bad args shm-no-command           1 "shm needs a command"                        -- shm
bad args shm-unknown-command      1 "unknown shm command 'rm'"                   -- shm rm x
bad args shm-no-name              1 "shm create needs a NAME"                    -- shm create --vcpus 2
bad args shm-no-vcpus             1 "shm create needs --vcpus"                   -- shm create bi-x
bad args shm-vcpus-no-value       1 "option '--vcpus' needs a value"             -- shm create bi-x --vcpus
bad args shm-name-dotdot          1 "'\.\./etc' is not a VM name"                -- shm create ../etc --vcpus 2
bad args shm-name-dot             1 "'\.hidden' is not a VM name"                -- shm create .hidden --vcpus 2
bad args shm-name-empty           1 "'' is not a VM name"                        -- shm create '' --vcpus 2
bad args shm-name-space           1 "'a b' is not a VM name"                     -- shm create 'a b' --vcpus 2
bad args shm-name-65              1 "is not a VM name"                           -- shm create "$(printf 'n%.0s' $(seq 65))" --vcpus 2
bad args shm-vcpus-0              1 "--vcpus '0' is not a number from 1 to 1024" -- shm create bi-x --vcpus 0
bad args shm-vcpus-1025           1 "--vcpus '1025' is not a number from 1 to 1024" -- shm create bi-x --vcpus 1025
bad args shm-vcpus-negative       1 "--vcpus '-1'"                               -- shm create bi-x --vcpus -1
bad args shm-owner                1 "--owner 'no-such-user-x' is no user"        -- shm create bi-x --vcpus 2 --owner no-such-user-x
bad args shm-owner-negative       1 "--owner '-1' is no user"                    -- shm create bi-x --vcpus 2 --owner -1
bad args shm-owner-overflow       1 "--owner '99999999999' is no user"           -- shm create bi-x --vcpus 2 --owner 99999999999
bad args shm-group                1 "--group 'no-such-group-x' is no group"      -- shm create bi-x --vcpus 2 --group no-such-group-x
bad args shm-stray                1 "unexpected argument 'b'"                    -- shm create a b --vcpus 2
bad args shm-unknown-option       1 "unknown option '--frob'; see 'scx_errata shm -h'" -- shm create bi-x --frob
if [ "$(id -u)" = 0 ]; then
	exist=/dev/shm/scx_errata.bi-$$
	head -c 8192 /dev/urandom >"$exist"
	sum=$(md5sum <"$exist")
	bad args shm-create-existing  1 "$(re "$exist") exists; remove it first"     -- shm create "bi-$$" --vcpus 2
	[ "$(md5sum <"$exist")" = "$sum" ] || result "args: shm-create-existing-untouched" "file changed"
	rm -f "$exist"
fi

# ---------------------------------------------------------------------------------------
# cpu-types: --cpu-types specs against the RK3399 tree (6 cpus), Alder Lake (16) and, for
# run, this host
R=$FIX/rk3399
ct() { local name=$1 re=$2; shift 2; bad cpu-types "$name" 1 "$re" -- info --host-root "$R" --cpu-types "$@"; }
ct no-name        "--cpu-types '0-5': '0-5' has no ':NAME'"            0-5
ct no-list        "--cpu-types ':big': missing cpu list before ':'"     :big
ct empty-name     "--cpu-types '0-5:': type names are 1 to 23"          0-5:
ct long-name      "type names are 1 to 23 characters"                  0-5:abcdefghijklmnopqrstuvwxyz
ct space-in-name  "bad character ' ' in type name 'a b'"               "0-5:a b"
ct colon-in-name  "bad character ':' in type name 'a:b'"               0-5:a:b
ct newline-name   "bad character '\?' in type name"                    "$(printf '0-5:a\nb')"
ct byte-ff-name   "bad character '\?' in type name"                    "$(printf '0-5:\xff')"
ct reversed       "--cpu-types: bad range 5-0 in cpu list '5-0'"       5-0:x
ct not-possible   "cpu 6 is not a possible cpu of this host \(0-5\)"   0-6:x
ct beyond-512     "cpu 600 in '0-600' is beyond the supported 512 cpus" 0-600:x
ct overflow       "'0-18446744073709551616' is not a cpu list"         0-18446744073709551616:x
ct huge-single    "'99999999999999999999' is not a cpu list"           0-5:a,99999999999999999999:b
ct negative       "'-1' is not a cpu list"                             -1:a
ct plus           "'\+0-5' is not a cpu list"                          +0-5:a
ct hex            "unexpected 'x' in cpu list '0x1'"                   0x1:a
ct double-dash    "'0--5' is not a cpu list"                           0--5:a
ct named-twice    "cpu 3 is named twice"                               0-3:a,3-5:b
ct same-twice     "cpu 0 is named twice"                               0-5:big,0-5:big
ct case-twice     "cpu 0 is named twice"                               0-5:A,0-5:a
ct leaves-one     "leaves cpu 4 without a type; name every possible cpu \(0-5\)" 0-3:a
ct empty          "--cpu-types is empty"                               ''
ct blank-list     "' :b' names no cpu"                                 "0-5:a, :b"
ct trailing-comma "ends with ','"                                      0-5:a,
ct leading-comma  "',0-5' is not a cpu list"                           ,0-5:a
ct double-comma   "',1' is not a cpu list"                             0-5:a,,1:b
ct very-long      "--cpu-types 'xxxx"                                  "$(printf 'x%.0s' $(seq 3000))"
bad cpu-types nine-types 1 "at most 8 types" -- info --host-root "$FIX/alderlake" --cpu-types 0:a,1:b,2:c,3:d,4:e,5:f,6:g,7:h,8-15:i
bad cpu-types json-bad  1 "cpu 3 is named twice" json -- info --json --host-root "$R" --cpu-types 0-3:a,3-5:b
last=$(($(nproc --all) - 1))
bad cpu-types run-leaves-cpu 1 "leaves cpu $last without a type" -- run --cpu-types "0-$((last - 1)):a"
bad cpu-types run-not-possible 1 "cpu $((last + 1)) is not a possible cpu of this host" -- run --cpu-types "0-$((last + 1)):a"

# ---------------------------------------------------------------------------------------
# errata-db: database files, one fault each, through info (and run) --errata-db
dbh='format 1\nerratum 1\nvendor arm\nclass cpu\nmanagement static\ndescription d\n'
nd=0
db() { # NAME REGEX(after FILE:) TEXT(printf format, after the good head) [nohead]
	local f=$bi/db$((nd += 1)).db
	if [ "${4:-}" = nohead ]; then printf "$3" >"$f"; else printf "$dbh$3" >"$f"; fi
	bad errata-db "$1" 1 "^scx_errata: $(re "$f"):$2" -- info --errata-db "$f"
}
db no-format      "1: field 1: the first line must be 'format 1'"        'erratum 1\n' nohead
db format-2       "1: field 2: format 2 is not supported"                'format 2\n' nohead
db format-text    "1: field 2: expected 'format 1'"                      'format x\n' nohead
db format-huge    "1: field 2: expected 'format 1'"                      'format 99999999999999999999\n' nohead
db empty          "1: field 1: empty database"                           '' nohead
db only-comments  "2: field 1: empty database"                           '# a\n# b\n' nohead
db key-first      "2: field 1: 'vendor' before the first 'erratum' line" 'format 1\nvendor arm\n' nohead
db format-again   "7: field 1: 'format' may only appear once"            'format 1\n'
db unknown-key    "7: field 1: unknown key 'bogus'"                      'bogus 1\n'
db matches-nothing "2: field 1: erratum 1 matches nothing"               ''
db arm-short      "7: field 3: expected 'arm IMPLEMENTER:PART RANGE'"    'arm 0x41\n'
db arm-no-colon   "7: field 2: '0x41' is not IMPLEMENTER:PART"           'arm 0x41 all\n'
db arm-impl-big   "7: field 2: implementer '0x141' is not a hex byte"    'arm 0x141:0xd03 all\n'
db arm-part-big   "7: field 2: part '0x1d03' is not a 12-bit hex number" 'arm 0x41:0x1d03 all\n'
db arm-impl-huge  "7: field 2: implementer '0xffffffffffffffffffff'"     'arm 0xffffffffffffffffffff:0xd03 all\n'
db arm-range      "7: field 3: 'r0' is not 'all', rNpM or rNpM-rNpM"     'arm 0x41:0xd03 r0\n'
db arm-variant-16 "7: field 3: 'r16p0' is not"                           'arm 0x41:0xd03 r16p0\n'
db arm-reversed   "7: field 3: range ends before it starts"              'arm 0x41:0xd03 r1p0-r0p1\n'
db fixed-alone    "7: field 1: 'fixed' must follow the arm line"         'fixed r0p4 0x100\n'
db fixed-zero     "8: field 3: '0' is not a non-zero hex REVIDR mask"    'arm 0x41:0xd03 all\nfixed r0p4 0\n'
db fixed-huge     "8: field 3: '0xfffffffffffffffffff' is not a non-zero hex" 'arm 0x41:0xd03 all\nfixed r0p4 0xfffffffffffffffffff\n'
db x86-vendor     "7: field 2: vendor 'via' is not intel or amd"         'x86 via:6:1 all\n'
db x86-short      "7: field 2: 'intel:6' is not VENDOR:FAMILY:MODEL"     'x86 intel:6 all\n'
db x86-family-big "7: field 2: family '0x200' or model '1' is not a number" 'x86 intel:0x200:1 all\n'
db x86-steppings  "7: field 3: steppings must be 'all', N or N-M"        'x86 intel:6:0x97 3-1\n'
db x86-core       "7: field 4: core type 'big' is not any, p or e"       'x86 intel:6:0x97 all big\n'
db dt-not-timer   "2: field 1: erratum 1 has dt/acpi lines but is not class timer" 'dt fsl,erratum-a008585\n'
db acpi-short     "7: field 4: expected 'acpi OEM-ID TABLE-ID REVISION'" 'acpi HISI HIP07\n'
db acpi-oem-long  "7: field 2: OEM id 'HISILICON' is longer than 6"      'acpi HISILICON HIP07 0\n'
db acpi-rev-huge  "7: field 4: revision '4294967296' is not a 32-bit number" 'acpi HISI HIP07 4294967296\n'
db class          "3: field 2: class must be cpu or timer"               'format 1\nerratum 1\nclass gpu\n' nohead
db management     "3: field 2: management must be static or dynamic"     'format 1\nerratum 1\nmanagement sometimes\n' nohead
db second-vendor  "7: field 1: erratum 1 has a second 'vendor' line; keep one" 'vendor qualcomm\n'
db duplicate      "8: field 2: erratum 1 is already defined at line 2"   'arm 0x41:0xd03 all\nerratum 1\n'
db bad-id         "8: field 2: id 'a/b' must be 1 to 15"                 'arm 0x41:0xd03 all\nerratum a/b\n'
db no-management  "2: field 1: erratum 2 has no 'management' line"       'format 1\nerratum 2\nvendor arm\nclass cpu\narm 0x41:0xd03 all\n' nohead
db empty-desc     "3: field 2: description is empty"                     'format 1\nerratum 1\ndescription\n' nohead
db too-many-fields "7: field 9: too many fields"                         'arm 1 2 3 4 5 6 7 8\n'
db long-line      "3: field 1: line longer than 1023 characters"         "format 1\nerratum 1\ndescription $(printf 'd%.0s' $(seq 1100))\n" nohead
f=$bi/nul.db; printf 'format 1\n\0erratum 1\n' >"$f"
bad errata-db nul-byte 1 "errata db $(re "$f") contains a NUL byte" -- info --errata-db "$f"
f=$bi/garbage.db; head -c 3000 /dev/urandom | tr -d '\0' >"$f"
bad errata-db binary-garbage 1 "^scx_errata: $(re "$f"):1: field" -- info --errata-db "$f"
f=$bi/big.db; { printf 'format 1\n'; head -c $((5 << 20)) /dev/zero | tr '\0' '#'; } >"$f"
bad errata-db over-4mib 1 "cannot read errata db $(re "$f") \(not a regular file under 4 MiB\?\)" -- info --errata-db "$f"
mkfifo "$bi/fifo.db"
bad errata-db fifo 1 "cannot read errata db $(re "$bi")/fifo\.db" -- info --errata-db "$bi/fifo.db"
bad errata-db directory 1 "cannot read errata db $(re "$bi")" -- info --errata-db "$bi"
bad errata-db dev-zero 1 "cannot read errata db /dev/zero" -- info --errata-db /dev/zero
bad errata-db json 1 "$(re "$bi")/db1\.db:1: field 1" json -- info --json --errata-db "$bi/db1.db"
bad errata-db run 1 "$(re "$bi")/db2\.db:1: field 2: format 2" -- run --errata-db "$bi/db2.db"

# ---------------------------------------------------------------------------------------
# fixture: generated sysfs/procfs trees through info --host-root; a tree nothing can be made
# of is an error naming the file, a bad file with a documented fallback a warning naming it
tree() { # DIR NCPUS NIDENTITIES: arm64, cpu c has identity c % NIDENTITIES
	local r=$1 n=$2 k=$3 d c
	mkdir -p "$r/sys/devices/system/cpu"
	echo "0-$((n - 1))" >"$r/sys/devices/system/cpu/possible"
	echo "0-$((n - 1))" >"$r/sys/devices/system/cpu/online"
	for ((c = 0; c < n; c++)); do
		d=$r/sys/devices/system/cpu/cpu$c
		mkdir -p "$d/regs/identification" "$d/topology" "$d/cache/index0"
		printf '0x%016x\n' $((0x410fd030 + (c % k) * 0x100000)) >"$d/regs/identification/midr_el1"
		echo 0x0 >"$d/regs/identification/revidr_el1"
		echo $((1024 - (c % k) * 10)) >"$d/cpu_capacity"
		echo 0 >"$d/topology/physical_package_id"
		echo 0 >"$d/topology/cluster_id"
		printf '2\nUnified\n' | { read -r l; read -r t; echo "$l" >"$d/cache/index0/level"; echo "$t" >"$d/cache/index0/type"; }
		echo "0-$((n - 1))" >"$d/cache/index0/shared_cpu_list"
	done
}
nt=0
ft() { # NAME RC REGEX SETUP(shell, $T is the tree) [MODE]
	local T=$bi/tree$((nt += 1))
	tree "$T" 4 2
	eval "$4"
	bad fixture "$1" "$2" "$(printf '%s' "$3" | sed "s|@T|$(re "$T")|g")" ${5:-} -- info --host-root "$T"
	rm -rf "$T"
}
P=sys/devices/system/cpu
bad fixture missing-root 1 "no cpus found in $(re "$bi")/nowhere/$P/possible; is that a sysfs tree" -- info --host-root "$bi/nowhere"
mkdir -p "$bi/emptyroot"
bad fixture empty-root 1 "no cpus found in $(re "$bi")/emptyroot/$P/possible" -- info --host-root "$bi/emptyroot"
ft possible-missing    1 "no cpus found in @T/$P/possible"                          'rm "$T/$P/possible"'
ft possible-empty      1 "no cpus found in @T/$P/possible"                          ': >"$T/$P/possible"'
ft possible-truncated  1 "@T/$P/possible: '0-' is not a cpu list"                   'printf 0- >"$T/$P/possible"'
ft possible-garbage    1 "@T/$P/possible: .* is not a cpu list|@T/$P/possible is not a cpu list file" 'head -c 200 /dev/urandom | tr -d "\0\n" >"$T/$P/possible"'
ft possible-nul        1 "@T/$P/possible is not a cpu list file"                    'printf "0-3\0" >"$T/$P/possible"'
ft possible-huge       1 "@T/$P/possible: cpu 4294967296 in '0-4294967296' is beyond the supported 512 cpus" 'echo 0-4294967296 >"$T/$P/possible"'
ft possible-overflow   1 "@T/$P/possible: '0-99999999999999999999999' is not a cpu list" 'echo 0-99999999999999999999999 >"$T/$P/possible"'
ft possible-600-cpus   1 "@T/$P/possible: cpu 599 in '0-599' is beyond the supported 512 cpus" 'echo 0-599 >"$T/$P/possible"'
ft possible-513-cpus   1 "@T/$P/possible: cpu 512 in '0-512' is beyond the supported 512 cpus" 'echo 0-512 >"$T/$P/possible"'
ft possible-too-long   1 "@T/$P/possible is not a cpu list file of at most 4095 bytes" 'printf "0,%.0s" $(seq 2100) >"$T/$P/possible"'
ft possible-dir        1 "@T/$P/possible is not a cpu list file"                    'rm "$T/$P/possible"; mkdir "$T/$P/possible"'
ft possible-fifo       1 "@T/$P/possible is not a cpu list file"                    'rm "$T/$P/possible"; mkfifo "$T/$P/possible"'
ft possible-dev-zero   1 "@T/$P/possible is not a cpu list file"                    'ln -sf /dev/zero "$T/$P/possible"'
T9=$bi/tree-9types; tree "$T9" 16 9
bad fixture nine-types 1 "$(re "$T9") has more than 8 cpu types \(cpu 8 is of a 9th\); group them with --cpu-types" -- info --host-root "$T9"
bad fixture nine-types-json 1 "has more than 8 cpu types" json -- info --json --host-root "$T9"
ft online-missing      0 "warning: cannot read @T/$P/online; treating every possible cpu as online" 'rm "$T/$P/online"' warn
ft online-empty        0 "warning: no cpu is online in @T/$P/online"                ': >"$T/$P/online"' warn
ft online-beyond-512   0 "warning: @T/$P/online: cpu 700 in '0-700' is beyond"     'echo 0-700 >"$T/$P/online"' warn
ft online-garbage      0 "warning: @T/$P/online"                                   'head -c 100 /dev/urandom >"$T/$P/online"' warn
ft midr-garbage        0 "warning: @T/$P/cpu1/regs/identification/midr_el1 (is not a short text file|holds)" 'head -c 5000 /dev/urandom >"$T/$P/cpu1/regs/identification/midr_el1"' warn
ft midr-huge           0 "warning: @T/$P/cpu1/regs/identification/midr_el1 holds '0xffffffffffffffffffff', not a hex register value" 'echo 0xffffffffffffffffffff >"$T/$P/cpu1/regs/identification/midr_el1"' warn
ft midr-truncated      0 "warning: @T/$P/cpu1/regs/identification/midr_el1 holds '0x', not a hex" 'printf 0x >"$T/$P/cpu1/regs/identification/midr_el1"' warn
ft midr-negative       0 "warning: @T/$P/cpu1/regs/identification/midr_el1 holds '-1'" 'echo -1 >"$T/$P/cpu1/regs/identification/midr_el1"' warn
ft midr-fifo           0 "warning: @T/$P/cpu1/regs/identification/midr_el1 is not a short text file" 'rm "$T/$P/cpu1/regs/identification/midr_el1"; mkfifo "$T/$P/cpu1/regs/identification/midr_el1"' warn
ft cpu-dir-missing     0 "warning: @T/$P/cpu2/regs/identification/midr_el1 is unusable" 'rm -r "$T/$P/cpu2"' warn
ft capacity-huge       0 "warning: @T/$P/cpu1/cpu_capacity holds '99999999999999999999999', not a number" 'echo 99999999999999999999999 >"$T/$P/cpu1/cpu_capacity"' warn
ft capacity-zero       0 "warning: @T/$P/cpu1/cpu_capacity holds 0, outside 1\.\.1024" 'echo 0 >"$T/$P/cpu1/cpu_capacity"' warn
ft capacity-2000       0 "warning: @T/$P/cpu1/cpu_capacity holds 2000, outside 1\.\.1024" 'echo 2000 >"$T/$P/cpu1/cpu_capacity"' warn
ft capacity-text       0 "warning: @T/$P/cpu1/cpu_capacity holds 'fast', not a number" 'echo fast >"$T/$P/cpu1/cpu_capacity"' warn
ft capacity-dev-zero   0 "warning: @T/$P/cpu1/cpu_capacity is not a short text file" 'ln -sf /dev/zero "$T/$P/cpu1/cpu_capacity"' warn
ft package-garbage     0 "warning: @T/$P/cpu0/topology/physical_package_id holds" 'echo zero >"$T/$P/cpu0/topology/physical_package_id"' warn
ft cache-list-garbage  0 "warning: @T/$P/cpu0/cache/index0/shared_cpu_list: .*ignoring it" 'echo 0-x >"$T/$P/cpu0/cache/index0/shared_cpu_list"' warn
ft cache-level-garbage 0 "warning: @T/$P/cpu0/cache/index0/level holds 'two'"       'echo two >"$T/$P/cpu0/cache/index0/level"' warn
ft cpuinfo-garbage     0 "warning: @T/$P/cpu0/regs/identification/midr_el1 and @T/proc/cpuinfo identify no cpu" 'rm "$T"/$P/cpu*/regs/identification/midr_el1; mkdir -p "$T/proc"; head -c 20000 /dev/urandom >"$T/proc/cpuinfo"' warn
ft cpuinfo-fifo        0 "warning: @T/$P/cpu0/regs/identification/midr_el1 and @T/proc/cpuinfo are missing" 'rm "$T"/$P/cpu*/regs/identification/midr_el1; mkdir -p "$T/proc"; mkfifo "$T/proc/cpuinfo"' warn
ft cpuinfo-number      0 "warning: @T/proc/cpuinfo:2: '0xzz' is not a number for 'CPU implementer'" 'rm "$T"/$P/cpu1/regs/identification/midr_el1; mkdir -p "$T/proc"; printf "processor\t: 1\nCPU implementer\t: 0xzz\n" >"$T/proc/cpuinfo"' warn
ft gtdt-short          0 "warning: @T/sys/firmware/acpi/tables/GTDT is 10 bytes, shorter than an ACPI table header" 'mkdir -p "$T/sys/firmware/acpi/tables"; printf GTDTxxxxxx >"$T/sys/firmware/acpi/tables/GTDT"' warn
ft gtdt-signature      0 "warning: @T/sys/firmware/acpi/tables/GTDT does not start with the GTDT signature" 'mkdir -p "$T/sys/firmware/acpi/tables"; head -c 64 /dev/zero >"$T/sys/firmware/acpi/tables/GTDT"' warn
ft gtdt-fifo           0 "warning: cannot read @T/sys/firmware/acpi/tables/GTDT"    'mkdir -p "$T/sys/firmware/acpi/tables"; mkfifo "$T/sys/firmware/acpi/tables/GTDT"' warn

# ---------------------------------------------------------------------------------------
# shared-file: a VM's shared file given with --vm, checked before the kernel is (this host
# has no sched_ext, so a file that passes ends the start at that check: see environment)
sf() { # NAME REGEX PATH [PID]
	bad shared-file "$1" 1 "$2" -- run --vm "${4:-$me}:$3"
}
head -c 100 /dev/zero >"$bis/small";           sf too-small   "$(re "$bis")/small is 100 bytes, too small" "$bis/small"
: >"$bis/zero-size";                           sf zero-size   "$(re "$bis")/zero-size is 0 bytes, too small" "$bis/zero-size"
head -c 4159 /dev/zero >"$bis/one-short";      sf one-byte-short "$(re "$bis")/one-short is 4159 bytes" "$bis/one-short"
head -c 8192 /dev/urandom >"$bis/foreign";     printf 'JUNK' | dd of="$bis/foreign" conv=notrunc status=none
sf foreign-magic "$(re "$bis")/foreign is not an scx_errata shared file \(magic 0x4b4e554a\); left untouched" "$bis/foreign"
# ours, then one header field changed: magic 'SCXE' (0x45584353), version, slot layout
ours() { # FILE VERSION SLOT_OFFSET SLOT_SIZE
	python3 - "$@" <<'PY'
import struct, sys
f, ver, off, size = sys.argv[1], *map(int, sys.argv[2:])
hdr = struct.pack("<IIIIIIII", 0x45584353, ver, 4096, 8192, 64, size, off, 0)
open(f, "wb").write(hdr + bytes(8192 - len(hdr)))
PY
}
ours "$bis/v2" 2 4096 64;                      sf wrong-version "$(re "$bis")/v2 has ABI version 2, this daemon writes 1; recreate the file" "$bis/v2"
ours "$bis/off" 1 8192 64;                     sf wrong-slot-offset "$(re "$bis")/off has a foreign slot layout \(offset 8192 size 64\)" "$bis/off"
ours "$bis/size" 1 4096 128;                   sf wrong-slot-size "$(re "$bis")/size has a foreign slot layout \(offset 4096 size 128\)" "$bis/size"
head -c 8192 /dev/zero >"$bis/target";         ln -s "$bis/target" "$bis/link"
sf symlink       "$(re "$bis")/link is a symbolic link; name the shared file itself" "$bis/link"
ln -s "$bis/nowhere" "$bis/dangling";          sf dangling-symlink "$(re "$bis")/dangling is a symbolic link" "$bis/dangling"
mkfifo "$bis/fifo";                            sf fifo        "$(re "$bis")/fifo is not a regular file" "$bis/fifo"
mkdir "$bis/dir";                              sf directory   "$(re "$bis")/dir is not a regular file" "$bis/dir"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$bis/sock"
sf socket        "cannot open $(re "$bis")/sock: No such device or address" "$bis/sock"
sf char-device   "/dev/null is not a regular file" /dev/null
head -c 8192 /dev/zero >"$bis/other"; chown 65534:65534 "$bis/other"
sf other-owner   "$(re "$bis")/other is owned by uid 65534, neither root nor the user of process $me; chown it" "$bis/other"
head -c 8192 /dev/zero >"$bis/ww"; chmod 666 "$bis/ww"
sf world-writable "$(re "$bis")/ww is writable by others \(mode 0666\)" "$bis/ww"
head -c 8192 /dev/zero >"$bis/ww2"; chmod 602 "$bis/ww2"
sf other-writable-only "$(re "$bis")/ww2 is writable by others \(mode 0602\)" "$bis/ww2"
if [ "$(stat -f -c %T "$bi")" != tmpfs ]; then
	head -c 8192 /dev/zero >"$bi/off.shm"
	sf off-tmpfs         "$(re "$bi")/off\.shm is not on tmpfs; put the VM's shared file under /dev/shm" "$bi/off.shm"
	sf off-tmpfs-missing "$(re "$bi")/new\.shm is not on tmpfs" "$bi/new.shm"
else
	echo "# skip shared-file off-tmpfs: $bi is on tmpfs too"
fi
sf proc-file     "/proc/self/status is not on tmpfs" /proc/self/status
sf no-directory  "cannot create $(re "$bis")/no/such/file: $(re "$bis")/no/such: No such file" "$bis/no/such/file"
echo "# shared-file: truncated while paired: VM test daemon_faults (the daemon lives on, unpairs, pairs the new file)"

# ---------------------------------------------------------------------------------------
# config: run --config FILE, each refused whole with FILE[:LINE]: what; hint
cf() { # NAME REGEX TEXT [chmod MODE]
	local f=$bi/c${#bi_kinds[@]}-$1.conf
	printf "$3" >"$f"
	chmod "${4:-600}" "$f"
	bad config "$1" 1 "$(printf '%s' "$2" | sed "s|@F|$(re "$f")|g")" -- run --config "$f"
}
cf world-writable "@F: writable by group or others \(mode 0666\); chmod go-w" 'mode = same-cpu\n' 666
cf group-writable "@F: writable by group or others \(mode 0620\)" 'mode = same-cpu\n' 620
cf unknown-key    "@F:1: unknown key 'frob'"                       'frob = 1\n'
cf bad-mode       "@F:1: mode 'sideways' is not same-type or same-cpu" 'mode = sideways\n'
cf hold-range     "@F:1: max-hold-ms 3600001 is out of range"      'max-hold-ms = 3600001\n'
cf hold-overflow  "@F:1: max-hold-ms 99999999999999999999999 is out of range" 'max-hold-ms = 99999999999999999999999\n'
cf duplicate      "@F:2: duplicate key 'mode'"                     'mode = same-cpu\nmode = same-type\n'
cf nul-byte       "@F:1: NUL byte"                                 'mode\0 = same-cpu\n'
cf crlf           "@F:1: .*carriage return"                        'mode = same-cpu\r\n'
cf bad-utf8       "@F:1: .*UTF-8"                                  'mode = \xff\n'
cf relative-db    "@F:1: errata-db"                                'errata-db = rel.db\n'
cf vm-no-name     "@F:1: \[vm\] has no name"                       '[vm]\n'
f=$bi/other.conf; echo 'mode = same-cpu' >"$f"; chmod 600 "$f"; chown 65534 "$f"
bad config other-owner 1 "$(re "$f"): owned by uid 65534, not root; chown root" -- run --config "$f"
mkfifo -m 600 "$bi/fifo.conf"
bad config fifo 1 "$(re "$bi")/fifo\.conf: not a regular file" -- run --config "$bi/fifo.conf"
bad config directory 1 "$(re "$bi"): not a regular file" -- run --config "$bi"
f=$bi/huge.conf; head -c $(((1 << 20) + 10)) /dev/zero | tr '\0' '#' >"$f"; chmod 600 "$f"
bad config huge 1 "$(re "$f"): .*more than a config file's 1048576" -- run --config "$f"

# ---------------------------------------------------------------------------------------
# privilege: what needs root says so, one line, before touching anything
head -c 8192 /dev/zero >"$bis/np"
bad privilege run-as-nobody        1 "run needs root.*run it with sudo"   nobody -- run
bad privilege run-vm-as-nobody     1 "run needs root"                     nobody -- run --vm "$me:$bis/np"
bad privilege run-new-vm-as-nobody 1 "run needs root"                     nobody -- run --vm "$me:$bis/new-np"
bad privilege args-first-as-nobody 1 "--mode 'x' is not"                  nobody -- run --mode x
bad privilege pid-first-as-nobody  1 "no process $free_pid runs"          nobody -- run --vm "$free_pid:$bis/np"
bad privilege stop-as-nobody       1 "stop needs root"                    nobody -- stop
bad privilege shm-as-nobody        1 "shm create needs root"              nobody -- shm create bi-np --vcpus 2

# ---------------------------------------------------------------------------------------
# environment: this host's kernel, when it lacks sched_ext (the VM test 'privilege' covers
# bpffs, BTF and another scheduler); a start that fails leaves every file as it was
if [ ! -e /sys/kernel/sched_ext ] && [ "$(id -u)" = 0 ]; then
	nosx="this kernel has no sched_ext \(/sys/kernel/sched_ext/state missing\); boot one with CONFIG_SCHED_CLASS_EXT=y"
	head -c 8192 /dev/zero >"$bis/blank"
	"$BIN" shm create "bi-ours-$$" --vcpus 4 >/dev/null && mv "/dev/shm/scx_errata.bi-ours-$$" "$bis/ours"
	truncate -s 1G "$bis/sparse"
	f=$bi/good.conf; printf 'mode = same-cpu\n[vm a]\nenforce = no\n' >"$f"; chmod 600 "$f"
	bad environment no-sched-ext          1 "$nosx"           -- run
	bad environment no-sched-ext-no-pin   1 "$nosx"           -- run --no-pin
	bad environment no-sched-ext-json     1 "no sched_ext" jsonrun -- run --json
	bad environment no-sched-ext-new-file 1 "$nosx"           -- run --vm "$me:$bis/new.shm"
	bad environment no-sched-ext-blank    1 "$nosx"           -- run --vm "$me:$bis/blank"
	bad environment no-sched-ext-ours     1 "$nosx"           -- run --vm "$me:$bis/ours:$me"
	bad environment no-sched-ext-sparse   1 "$nosx"           -- run --vm "$me:$bis/sparse"
	bad environment no-sched-ext-config   1 "$nosx"           -- run --config "$f" --mode same-type
	bad environment no-sched-ext-all      1 "$nosx"           -- run --vm "$me:$bis/blank" --vm "1:$bis/new2.shm" --cpu-types "0-$last:one" --errata-db "$top/data/errata.db" -s 100 -i 0 -H 0 -m same-cpu --shm-pattern '' --qmp /run/x
else
	echo "# skip environment rows: this host has sched_ext or we are not root"
fi

summary="cli: inputs tried:"
for k in "${bi_kinds[@]}"; do summary="$summary $k=${bi_n[$k]}"; done
echo "$summary total=$bi_total"
