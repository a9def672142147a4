#!/bin/sh
# Benchmark: what one scheduling decision costs, by struct_ops program, with 0, 16, 256 and
# 1024 registered vCPU threads. The task set is the same in every configuration: 1024
# threads of one process (many_vcpus), each with its own slot of one shared file; the first
# 16 wake every 20 ms and open a 20 us window, the other 1008 sleep (each runs one window
# when poked, so that its registration is armed, and then stays asleep). Only how many of
# them the daemon is told about (--vm PID:PATH:TIDS, the first N) changes: from 0 to 16 the
# active ones become vCPUs (what the vCPU path costs), from 16 to 1024 only idle ones are
# added (what the number of registrations costs). With kernel.bpf_stats_enabled=1 the kernel
# times every run of every program; prog_cost samples run_time_ns and run_cnt of each
# struct_ops program every 250 ms while a fixed load runs (a pipe ping-pong pair for
# BENCH_SECS, beside the sleepers). The value is the median over those intervals of
# run_time_ns / run_cnt (the whole-run ratio is in the note line): single-threaded TCG
# leaves a vCPU that does not idle only at a 100 ms kick, and a program caught then, or
# spinning on a lock whose holder is not executing, is charged what the other vCPUs ran
# meanwhile; a few such calls dominate the whole-run mean (tests/vm/progs/prog_cost.c).
# The daemon is restarted for every measurement, the configurations interleaved, REPS
# times, in this one boot:
#   bench: name=decision_cost config=vcpus=N prog=errata_enqueue rep=R value=NS unit=ns/call better=lower
# prog=all is every struct_ops program of the scheduler together. A last line gives the
# per-vCPU memory the scheduler keeps (value sizes from bpftool map show, kernel element
# sizes from BTF).
# boots: 4 8
#
# No busy loops in the load (BENCH_SPINNERS=N adds them, for --cmd runs): they keep vCPUs
# from idling, so the kicks above decide who runs; errata_dispatch then averaged
# 180-250 us a call over a run (with 1024 threads waking), tens of us without them.
. /scxe/lib.sh
SECS=${BENCH_SECS:-5}
REPS=${BENCH_REPS:-5}
COUNTS="0 16 256 1024"
THREADS=1024
ACTIVE=16
# outside the daemon's automatic pairing pattern: only --vm registers these threads
SHM=/dev/shm/many_vcpus
PROGS="errata_select_cpu errata_enqueue errata_dispatch errata_running errata_stopping errata_tick"
NCPU=$(nproc)
# lib.sh's default types are those of the 4-CPU VM; a bigger one is split in halves alike
if [ "$NCPU" -ne 4 ] && [ "$SCXE_TYPES" = "0-1:big,2-3:little" ]; then
	SCXE_TYPES="0-$((NCPU / 2 - 1)):big,$((NCPU / 2))-$((NCPU - 1)):little"
fi
SPINNERS=${BENCH_SPINNERS:-0}

sysctl -w kernel.bpf_stats_enabled=1 >/dev/null || fail "cannot enable kernel.bpf_stats_enabled"
# no ulimit -n here: the daemon raises its own open-file limit for two pidfds per named thread
rm -f "$SHM"
many_vcpus --shm "$SHM" --threads $THREADS --active $ACTIVE --period-ms 20 --tids /tmp/many.tids \
	>/tmp/many.out 2>/tmp/many.err &
MV=$!
trap 'kill $MV 2>/dev/null' EXIT
i=0
until grep -q '^many_vcpus: ready' /tmp/many.err; do
	kill -0 $MV 2>/dev/null || { cat /tmp/many.err; fail "many_vcpus exited before it was ready"; }
	i=$((i + 1))
	[ $i -gt 600 ] && fail "many_vcpus not ready within 60 s"
	sleep 0.1
done
note "decision_cost: cpus=$NCPU types=$SCXE_TYPES threads=$THREADS active=$ACTIVE load=pingpong+spin$SPINNERS secs=$SECS"

# armed N: how many of slots 0..N-1 the scheduler has armed (offset 16 of each 64-byte slot)
armed() {
	od -An -v -tu4 -j 4096 -N $(($1 * 64)) "$SHM" |
		awk '{ for (i = 1; i <= NF; i++) if (++k % 16 == 5 && $i != 0) n++ } END { print n + 0 }'
}

# measure N REP: restart the daemon with the first N threads registered, time the load
measure() {
	t0=$(date +%s)
	# assert_not_ejected reads dmesg: forget the previous daemon's detach
	dmesg -c >/dev/null 2>&1
	if [ "$1" -gt 0 ]; then
		scxe_start --stats 0 --vm "$MV:$SHM:$(cut -d, -f1-"$1" /tmp/many.tids)"
	else
		scxe_start --stats 0
	fi
	# the idle threads run once per poke: then the scheduler arms their slots
	i=0
	until [ "$(armed "$1")" -eq "$1" ]; do
		[ $((i % 10)) -eq 0 ] && kill -USR1 $MV
		i=$((i + 1))
		[ $i -gt 120 ] && fail "vcpus=$1: $(armed "$1") of $1 slots armed after 60 s"
		sleep 0.5
	done
	sleep 1
	prog_cost --seconds "$SECS" >/tmp/cost.out 2>&1 &
	pc=$!
	stress pingpong "$SECS" >/tmp/pingpong.out &
	pp=$!
	: >/tmp/spin.out
	if [ "$SPINNERS" -gt 0 ]; then
		stress spin "$SPINNERS" "$SECS" >/tmp/spin.out || fail "vcpus=$1: spin load failed"
	fi
	wait $pp || fail "vcpus=$1: pingpong load failed"
	wait $pc || { cat /tmp/cost.out; fail "vcpus=$1: prog_cost failed"; }
	assert_not_ejected
	scxe_stop INT
	[ "$SCXE_RC" -eq 0 ] || fail "vcpus=$1: loader exited $SCXE_RC"
	for p in $PROGS all; do
		v=$(sed -n "s/^prog_cost: prog=$p .* median_ns=\([0-9]*\) intervals=[1-9].*/\1/p" /tmp/cost.out)
		[ -n "$v" ] && echo "bench: name=decision_cost config=vcpus=$1 prog=$p rep=$2 value=$v unit=ns/call better=lower"
	done
	note "  vcpus=$1 rep=$2 $(grep -o 'pingpongs=[0-9]*' /tmp/pingpong.out)$(grep -o ' spins=[0-9]*' /tmp/spin.out)" \
		"all: $(sed -n 's/^prog_cost: prog=all //p' /tmp/cost.out) took=$(($(date +%s) - t0))s"
}

for rep in $(seq 1 "$REPS"); do
	for n in $COUNTS; do
		measure "$n" "$rep"
	done
done

# what the scheduler keeps per registered thread; the kernel's per-element header from BTF
size_of() { # map name -> value size in bytes
	bpftool map show name "$1" | sed -n 's/.* value \([0-9]*\)B.*/\1/p' | head -n 1
}
struct_size() { # kernel struct -> size in bytes
	bpftool btf dump file /sys/kernel/btf/vmlinux | sed -n "s/^\[[0-9]*\] STRUCT '$1' size=\([0-9]*\) .*/\1/p" | head -n 1
}
scxe_start --stats 0
note "decision_cost-mem: vcpus_value=$(size_of vcpus) bpf_local_storage_elem=$(struct_size bpf_local_storage_elem) bpf_local_storage=$(struct_size bpf_local_storage) vcpu_stats_value=$(size_of vcpu_stats) registry_value=$(size_of registry) slot=64 slots_per_page=64"
scxe_stop INT
kill -TERM $MV	# not INT: a background job of a script ignores that
wait $MV
note "  $(cat /tmp/many.out)"
exit 0
