#!/usr/bin/env bash
# Command-line behaviour of build/scx_errata on the build host (no sched_ext needed):
# exit codes, one-line errors that name the culprit, valid JSON, nothing left half-done.
# Prints TAP lines and "cli: N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BUILD:-$top/build}/scx_errata
FIX=$top/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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
check run-tiny-slice           1 "--slice-us 10 is below"    -- run --slice-us 10
check run-bad-option           1 "see 'scx_errata run -h'"   -- run --frobnicate
check run-stray-argument       1 "unexpected argument 'x'"   -- run x
check run-cpu-types-twice      1 "cpu 0 is named twice"      -- run --cpu-types 0-1:big,0:little
check run-cpu-types-no-name    1 "has no ':NAME'"            -- run --cpu-types 0-1
check run-vm-not-pid           1 "is not PID:PATH"           -- run --vm abc
check run-vm-relative          1 "must be an absolute path"  -- run --vm 1:shm/x
check run-vm-bad-tids          1 "TID,TID"                   -- run --vm 1:/dev/shm/x:1,,2
check run-bad-fault            1 "--inject-fault 'boom'"     -- run --inject-fault boom

# a file that is not ours is never touched; a file this run created is removed on failure
head -c 8192 /dev/urandom >"$tmp/foreign"
printf 'JUNK' | dd of="$tmp/foreign" conv=notrunc status=none
sum=$(md5sum <"$tmp/foreign")
if [ ! -e /sys/kernel/sched_ext ]; then
	check run-vm-foreign-file  1 "not an scx_errata shared file" -- run --vm 1:"$tmp/foreign"
	[ "$(md5sum <"$tmp/foreign")" = "$sum" ] && result foreign-file-untouched "" || result foreign-file-untouched "file changed"
	check run-no-sched-ext     1 "no sched_ext"              -- run --vm 1:"$tmp/new.shm"
	[ -e "$tmp/new.shm" ] && result failed-run-leaves-no-file "left $tmp/new.shm" || result failed-run-leaves-no-file ""
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

echo "1..$n"
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
