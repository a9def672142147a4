#!/bin/sh
# VMM churn: one daemon started with no --vm (automatic pairing) sees CYCLES short-lived
# VMMs come and go one after the other (churn_vmm: 2 real KVM vCPUs each, found only by
# KVM's report of their first KVM_RUN and their mapping of /dev/shm/scx_errata.churnK; each
# removes its file, then exits), then HOTPLUG_CYCLES more whose vCPU 0 thread exits once
# armed and is replaced by a new thread on the same vCPU. Every vCPU must be armed within
# 5 s, every replaced one disarmed by the time its thread is gone and armed again for the
# new one, and the daemon must give back everything it took per VM:
#   - registry entries in use (map registry, tid != 0) and VM records (map vms, pid != 0),
#     read with bpftool, and what `status --json` lists: 0, as before;
#   - the daemon's open fds (pidfds, VM files): as many as before;
#   - pinned user pages, as the kernel counts FOLL_PIN pins (nr_foll_pin_acquired -
#     nr_foll_pin_released in /proc/vmstat, after a stat refresh so that no per-CPU delta
#     is hidden): each registration pins its slot's and its header's page for BPF (uptr
#     task storage). Nothing else in this VM pins pages (measured: 20 VMMs of 2 vCPUs took
#     exactly 80 pins; KVM takes plain references for these guests), so the count must be
#     back to exactly the BEFORE value, and must have moved meanwhile;
#   - the daemon's RSS may grow only by memory touched for the first time (see the check);
#   - no shared file is left in /dev/shm.
# The daemon must stay attached, never ejected, through the whole run.
# Under TCG on a 2-core host a cycle takes 105-165 ms: 1000 in 105-170 s, the hotplug ones
# ~15 s, the whole test 2-3 minutes.
. /scxe/cases/fence_lib.sh

CYCLES=${CHURN_CYCLES:-1000}
# a slot left armed by an exiting thread showed up in 1 to 3 of 20 replugs: 100 make a
# miss unlikely
HOTPLUG_CYCLES=${CHURN_HOTPLUG_CYCLES:-100}
VCPUS=2
PREFIX=/dev/shm/scx_errata.churn
LOG=/tmp/churn.log
# shellcheck disable=SC2034 # read by fail() and assert_not_ejected (lib.sh)
SCXE_LOG=$LOG
OUT=/tmp/churn_vmm
PIN=/sys/fs/bpf/scx_errata
# RSS bounds: see the comment where they are checked
VM_KB=32
ANON_SLACK_KB=64
SHMEM_SLACK_KB=128

# pin_counts: "pinned acquired": user pages pinned right now and pins taken since boot,
# system wide
pin_counts() {
	# the counters are per-CPU deltas folded lazily; make /proc/vmstat exact first
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '$1 == "nr_foll_pin_acquired" { a = $2 } $1 == "nr_foll_pin_released" { r = $2 }
	     END { print a - r, a }' /proc/vmstat
}

# in_use MAP FIELD: entries of a pinned map whose FIELD is not 0 (bpftool prints the
# BTF-formatted value next to the raw bytes)
in_use() {
	bpftool -j map dump pinned "$PIN/$1" >/tmp/churn.map 2>&1 || { echo "?"; return; }
	grep -o "\"$2\":[0-9]*" /tmp/churn.map | grep -vc ":0\$"
}

# status_counts: "VMs vCPUs" as `scx_errata status --json` lists them
status_counts() {
	scx_errata status --json >/tmp/churn.json 2>/dev/null
	n=$(json_check --len vms </tmp/churn.json 2>/dev/null) || { echo "? ?"; return; }
	c=0
	i=0
	while [ "$i" -lt "$n" ]; do
		c=$((c + $(json_check --len vms.$i.vcpus </tmp/churn.json)))
		i=$((i + 1))
	done
	echo "$n $c"
}

kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" /proc/"$D"/status; }
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# busybox ls stats each entry: an fd closed meanwhile is a complaint, not a count
nr_fds() { ls /proc/"$D"/fd 2>/dev/null | wc -l; }
nr_files() { ls -d "$PREFIX"* 2>/dev/null | wc -l; }

# snap: every measure, in the order SNAP names them
SNAP="fds rss_kb anon_kb file_kb shmem_kb pinned_pages pins_taken_since_boot registry vms"
SNAP="$SNAP status_vms status_vcpus files"
snap() {
	echo "$(nr_fds) $(kb VmRSS) $(kb RssAnon) $(kb RssFile) $(kb RssShmem) $(pin_counts)" \
		"$(in_use registry tid)" \
		"$(in_use vms pid) $(status_counts) $(nr_files)"
}

# show VALUES...: name=value for each measure of a snap
show() {
	out=
	for n in $SNAP; do
		out="$out $n=$1"
		shift
	done
	echo "${out# }"
}

if ! grep -q '^nr_foll_pin_acquired ' /proc/vmstat || ! grep -q '^nr_foll_pin_released ' /proc/vmstat; then
	fail "/proc/vmstat has no nr_foll_pin_acquired/released: no measure of pinned pages"
fi
[ "$(nr_files)" = 0 ] || fail "churn files from an earlier run: $(ls "$PREFIX"*)"

: >"$LOG"
scx_errata run --cpu-types "$SCXE_TYPES" --stats 0 >"$LOG" 2>&1 &
D=$!
C=
# on a failure too: the VMM goes, the daemon detaches before the next test starts
trap '[ -n "$C" ] && kill $C 2>/dev/null; kill -INT $D 2>/dev/null && wait $D; rm -f "$PREFIX"*' EXIT
wait_state enabled 60 || fail "the daemon did not attach: $(tail -n 3 "$LOG")"
grep -q 'KVM is not loaded\|cannot watch KVM_RUN' "$LOG" &&
	fail "the KVM_RUN hook is not attached: $(grep KVM "$LOG")"
# past attaching, the daemon opens its ring buffer and pins: measure its idle loop, once
# its RSS holds still for a second
prev=
i=0
while [ $i -lt 10 ] && [ "$(kb VmRSS)" != "$prev" ]; do
	prev=$(kb VmRSS)
	i=$((i + 1))
	sleep 1
done
read -r B_fds B_rss B_anon B_file B_shm B_pins B_acq B_reg B_vms B_svms B_svcpus B_files <<EOF
$(snap)
EOF
# shellcheck disable=SC2086 # the values are single words
note "before: $(show $B_fds $B_rss $B_anon $B_file $B_shm $B_pins $B_acq $B_reg $B_vms $B_svms $B_svcpus $B_files)"

# run_churn NAME OPTIONS...: one churn_vmm run, watched; prints its line, sets LINE
run_churn() {
	name=$1
	shift
	t0=$(now_ms)
	churn_vmm --vcpus $VCPUS "$@" >"$OUT.$name" 2>"$OUT.$name.err" &
	C=$!
	peak_fds=0
	peak_vms=0
	i=0
	while kill -0 "$C" 2>/dev/null; do
		kill -0 "$D" 2>/dev/null || fail "the daemon died during the $name run"
		[ "$(sched_state)" = enabled ] || fail "scheduler $(sched_state) during the $name run"
		assert_not_ejected
		# peaks say whether the daemon forgets VMs as they go or only at the end
		f=$(nr_fds)
		[ "$f" -gt "$peak_fds" ] && peak_fds=$f
		if [ $((i % 5)) -eq 0 ]; then
			v=$(in_use vms pid)
			[ "$v" -gt "$peak_vms" ] 2>/dev/null && peak_vms=$v
		fi
		i=$((i + 1))
		sleep 1
	done
	wait "$C"
	rc=$?
	C=
	secs=$(( ($(now_ms) - t0) / 1000 ))
	LINE=$(grep '^churn: ' "$OUT.$name")
	note "$LINE"
	note "  $name: ${secs}s, daemon peak fds=$peak_fds peak vm records=$peak_vms;" \
		"$(grep ' cycles in ' "$OUT.$name.err")"
	if [ "$rc" -ne 0 ] || [ -z "$LINE" ]; then
		sed 's/^/  churn_vmm| /' "$OUT.$name.err" | tail -n 20
		FAILED="$FAILED; churn_vmm $name exited $rc"
	fi
}

# churn_get NAME: value of NAME=... in LINE
churn_get() { echo "$LINE" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

FAILED=""
run_churn plain --cycles "$CYCLES"
ran=$(churn_get cycles)
[ "$(churn_get paired)" = $((CYCLES * VCPUS)) ] ||
	FAILED="$FAILED; $(churn_get paired) of $((CYCLES * VCPUS)) vCPUs armed"
# files of their own: a VM record the plain run leaked must not meet these VMMs' files
run_churn hotplug --cycles "$HOTPLUG_CYCLES" --hotplug --shm-prefix "$PREFIX-hp"
h=$(churn_get cycles)
ran=$((${ran:-0} + ${h:-0}))	# VMMs that ran, for the log counts below
[ "$(churn_get replugged)" = "$HOTPLUG_CYCLES" ] ||
	FAILED="$FAILED; $(churn_get replugged) of $HOTPLUG_CYCLES vCPUs armed again after a replug"
[ "$(churn_get left_armed)" = 0 ] ||
	FAILED="$FAILED; $(churn_get left_armed) slots armed after their thread was gone"

# the daemon notices an exited VMM at its next sync (each second): wait for the last one
t0=$(now_ms)
i=0
until [ "$(in_use vms pid)" = 0 ] && [ "$(in_use registry tid)" = 0 ]; do
	i=$((i + 1))
	[ $i -gt 10 ] && break
	sleep 1
done
note "forgetting the last VM took $(( $(now_ms) - t0 )) ms"
kill -0 "$D" 2>/dev/null || fail "the daemon died"
[ "$(sched_state)" = enabled ] || fail "scheduler $(sched_state) after the churn"
assert_not_ejected
read -r A_fds A_rss A_anon A_file A_shm A_pins A_acq A_reg A_vms A_svms A_svcpus A_files <<EOF
$(snap)
EOF
# shellcheck disable=SC2086 # the values are single words
note "after:  $(show $A_fds $A_rss $A_anon $A_file $A_shm $A_pins $A_acq $A_reg $A_vms $A_svms $A_svcpus $A_files)"

found=$(grep -c 'found by its mapping' "$LOG")
gone=$(grep -c 'is gone; forgetting it' "$LOG")
warns=$(grep -c '^scx_errata: warning: ' "$LOG")
total=$ran
note "daemon log: paired by mapping=$found forgotten=$gone warnings=$warns (VMMs run: $total)"
[ "$warns" -gt 0 ] && grep '^scx_errata: warning: ' "$LOG" | sort | uniq -c | sort -rn | head -n 5 |
	sed 's/^/  /'

[ "$A_reg" = 0 ] || FAILED="$FAILED; $A_reg registry entries still in use"
[ "$A_vms" = 0 ] || FAILED="$FAILED; $A_vms VM records left"
[ "$A_svms $A_svcpus" = "0 0" ] || FAILED="$FAILED; status lists $A_svms VMs, $A_svcpus vCPUs"
[ "$A_files" = 0 ] || FAILED="$FAILED; $A_files shared files left: $(ls "$PREFIX"* | head -n 3)"
[ "$A_fds" = "$B_fds" ] || FAILED="$FAILED; daemon fds $B_fds -> $A_fds"
[ "$A_pins" = "$B_pins" ] || FAILED="$FAILED; pinned pages $B_pins -> $A_pins"
# each registration pins its slot's and its header's page: a measure that never moved
# would prove nothing
[ $((A_acq - B_acq)) -gt 0 ] ||
	FAILED="$FAILED; no page was pinned during the run: the counters do not see the daemon's pins"
[ "$found" -eq "$total" ] || FAILED="$FAILED; $found of $total VMMs paired by their mapping"
[ "$gone" -eq "$total" ] || FAILED="$FAILED; $gone of $total VMMs forgotten"
# RSS, by kind. Anonymous: the daemon keeps its VMs in one fixed array (struct vm, ~32 kB
# each: path and QMP strings, per-slot tid/pidfd arrays), calloc'ed untouched, and an id's
# entry is touched the first time that id is used: so it may grow by VM_KB per VM id ever
# used (ids are reused once a VMM is forgotten: ~15 here), plus ANON_SLACK_KB for heap and
# stack; 60 bytes leaked per VMM would exceed that (measured: the growth is the VM ids'
# entries, 31 kB each, to the page). Shared: the VM files' mappings (8 kB a VM, gone when
# it is forgotten) and the BPF maps the daemon maps (ring buffer, global data), whose pages
# count once first touched: measured growth 0 to 84 kB, so SHMEM_SLACK_KB; 17 VM files left
# mapped would exceed it. File-backed (code): reported; it did not grow.
ids=$(sed -n 's/^scx_errata: vm \([0-9]*\): pid .*found by its mapping.*/\1/p' "$LOG" | sort -un | wc -l)
anon_bound=$((ids * VM_KB + ANON_SLACK_KB))
[ $((A_anon - B_anon)) -le "$anon_bound" ] ||
	FAILED="$FAILED; RssAnon grew by $((A_anon - B_anon)) kB (bound $anon_bound kB: $ids VM ids)"
[ $((A_shm - B_shm)) -le "$SHMEM_SLACK_KB" ] ||
	FAILED="$FAILED; RssShmem grew by $((A_shm - B_shm)) kB (bound $SHMEM_SLACK_KB kB)"

note "churn-summary: cycles=$CYCLES hotplug_cycles=$HOTPLUG_CYCLES vmms_run=$ran" \
	"fds=$B_fds->$A_fds rss_kb=$B_rss->$A_rss anon_kb=$B_anon->$A_anon" \
	"anon_bound_kb=$anon_bound file_kb=$B_file->$A_file shmem_kb=$B_shm->$A_shm" \
	"pinned_pages=$B_pins->$A_pins pins_taken=$((A_acq - B_acq))" \
	"registry=$B_reg->$A_reg vms=$B_vms->$A_vms" \
	"status_vms=$B_svms->$A_svms status_vcpus=$B_svcpus->$A_svcpus files=$B_files->$A_files"
[ -z "$FAILED" ] || fail "${FAILED#; }"

kill -INT "$D"
wait "$D"
rc=$?
[ $rc -eq 0 ] || fail "daemon exit status $rc"
exit 0
