#!/bin/sh
# Runs the tests listed in /scxe/tests ("name timeout" lines) one after another. Each test is
# a shell script that exits 0 on success; its output is echoed with a "# " prefix. Between
# tests any leftover scheduler is stopped so one failure does not cascade.
. /scxe/lib.sh

n=0
total=$(wc -l </scxe/tests)
echo "SCXE: plan $total"
while read -r name to; do
	n=$((n + 1))
	dmesg -c >/dev/null 2>&1
	echo "SCXE: begin $name"
	start=$(date +%s)
	( cd /tmp && timeout "$to" sh /scxe/cases/"$name".sh ) >/tmp/"$name".log 2>&1
	rc=$?
	sed 's/^/# /' /tmp/"$name".log
	leftover=""
	if [ "$(sched_state)" != disabled ]; then
		leftover=" (left a scheduler attached)"
		killall -INT scx_errata 2>/dev/null
		wait_state disabled 15 || killall -KILL scx_errata 2>/dev/null
	fi
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ] && [ -z "$leftover" ]; then
		echo "SCXE: ok $n $name (${secs}s)"
	else
		[ $rc -eq 124 ] && why="timed out after ${to}s" || why="exit $rc"
		echo "SCXE: not ok $n $name ($why$leftover)"
		dmesg | grep -E 'sched_ext|BUG|WARNING' | head -n 15 | sed 's/^/# dmesg: /'
	fi
done </scxe/tests
