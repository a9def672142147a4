#!/usr/bin/env bash
# Boot the cached sched_ext kernel under QEMU and run VM tests inside it.
#
#   tests/vm/run.sh [TEST...]     run the named tests (default: every test in tests/vm/TESTS);
#                                 soak tests in tests/vm/LONG run only when named
#   tests/vm/run.sh list          list the registered tests
#   tests/vm/run.sh --bench       run the benchmarks instead (tests/vm/BENCH)
#
# SCXE_ARCH=aarch64 (arm64) boots the arm64 kernel under qemu-system-aarch64 (TCG, EL2 emulated
# for nested KVM) with the cross-built static programs, and runs the tests of
# tests/vm/TESTS.arm64 (the same cases); the default is this host's architecture.
# Results come back over the serial console as "SCXE: ok N name" lines. The whole console is
# kept in $BUILD/vm/console.log; on a failure, a crash or a hang the relevant lines are shown.
# Exit status: 0 when every test passed.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
CACHE="${SCX_ERRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_errata}"
VMARCH=${SCXE_ARCH:-$(uname -m)}
case "$VMARCH" in arm64) VMARCH=aarch64 ;; amd64|x86) VMARCH=x86_64 ;; esac
KDIR="$CACHE/kernel/current"
VMDIR="$BUILD/vm/run.$$"	# per run: several runs may share a build dir
TABLE="$top/tests/vm/TESTS"
LONG="$top/tests/vm/LONG"	# soak tests: too long for `make test`, run by name
BOOT_TIMEOUT=${SCXE_BOOT_TIMEOUT:-90}	# seconds until the guest says it is up
MEM=${SCXE_VM_MEM:-1G}
SMP=${SCXE_VM_SMP:-4}

die() { echo "vmtest: $*" >&2; exit 1; }

# arm64: its own kernel, its own (shorter) table of the same cases, no soak list; from an
# x86_64 host, busybox and bpftool for arm64 from scripts/deps.sh vm-arm64
ARM="" VMROOT=""
case "$VMARCH" in
x86_64) ;;
aarch64)
	ARM=1
	KDIR="$CACHE/kernel-arm64/current"
	TABLE="$top/tests/vm/TESTS.arm64"
	LONG=/nonexistent
	[ "$(uname -m)" = aarch64 ] || VMROOT="$CACHE/vmroot-arm64"
	;;
*) die "SCXE_ARCH=$VMARCH: the VM tests run for x86_64 and aarch64 (arm64)" ;;
esac

# name timeout description...; comments and blank lines skipped
registered() { grep -v '^\s*\(#\|$\)' "$1" | awk '{print $1}'; }

if [ "${1:-}" = list ]; then
	grep -v '^\s*\(#\|$\)' "$TABLE" | awk '{t=$2; $1=$1; n=$1; $1=""; $2=""; sub(/^  /,""); printf "%-22s %4ss  %s\n", n, t, $0}'
	[ -f "$LONG" ] && grep -v '^\s*\(#\|$\)' "$LONG" | awk '{t=$2; $1=$1; n=$1; $1=""; $2=""; sub(/^  /,""); printf "%-22s %4ss  (by name only) %s\n", n, t, $0}'
	exit 0
fi
# --cmd "COMMAND": boot and run one shell command instead of the tests (debugging, demo)
guest_cmd=""
if [ "${1:-}" = --cmd ]; then
	guest_cmd="$2"
	shift 2
	set -- attach
fi
if [ "${1:-}" = --bench ]; then
	[ -z "$ARM" ] || die "no benchmarks on $VMARCH: make bench runs the x86_64 VM"
	TABLE="$top/tests/vm/BENCH"
	shift
fi

tests=("$@")
[ ${#tests[@]} -gt 0 ] || mapfile -t tests < <(registered "$TABLE")
# a named test may come from the soak list too (not with --bench)
tables=("$TABLE")
[ "$TABLE" = "$top/tests/vm/TESTS" ] && [ -f "$LONG" ] && tables+=("$LONG")
for t in "${tests[@]}"; do
	if [ -n "$ARM" ] && ! registered "$TABLE" | grep -qx "$t" && registered "$top/tests/vm/TESTS" | grep -qx "$t"; then
		die "test '$t' does not run on $VMARCH (not in $(basename "$TABLE")); see 'make vmtest ARCH=arm64 T=list'"
	fi
	cat "${tables[@]}" | registered /dev/stdin | grep -qx "$t" || die "no test named '$t' in $(basename "$TABLE"); see 'make vmtest${ARM:+ ARCH=arm64} T=list'"
	[ -f "$top/tests/vm/cases/$t.sh" ] || die "test '$t' has no tests/vm/cases/$t.sh"
done
[ -f "$KDIR/vmlinuz" ] || die "no test kernel in $KDIR; run 'scripts/deps.sh $([ -n "$ARM" ] && echo vm-arm64 || echo kernel)'"
[ -z "$VMROOT" ] || [ -f "$VMROOT/.ok" ] || die "no arm64 busybox and bpftool in $VMROOT; run 'scripts/deps.sh vm-arm64'"
[ -x "$BUILD/scx_errata" ] || die "no $BUILD/scx_errata; run 'make'"

# --- initramfs ---------------------------------------------------------------------------
root="$VMDIR/root"
rm -rf "$VMDIR"
trap 'rm -rf "$root" "$VMDIR/initramfs.cpio.gz"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib,lib64,usr/bin,scxe/cases,scxe/bin,scxe/modules,scxe/guest}
if [ -n "$VMROOT" ]; then
	# the VM's busybox, bpftool, and bpftool's libraries and loader, where the VM looks
	cp -a "$VMROOT/bin" "$VMROOT/lib" "$VMROOT/usr" "$root/"
	# its applet list, from the same busybox version when it cannot run here
	applets=$(qemu-aarch64-static "$root/bin/busybox" --list 2>/dev/null || /bin/busybox --list)
else
	cp /bin/busybox "$root/bin/busybox"
	applets=$("$root/bin/busybox" --list)
fi
for app in $applets; do
	[ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done

# binaries with the shared libraries they need (the loader is dynamically linked)
copy_bin() { # src dest
	cp "$1" "$2"
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
[ -z "$ARM" ] || file "$BUILD/scx_errata" 2>/dev/null | grep -q aarch64 ||
	die "$BUILD/scx_errata is not an arm64 program; build with 'make ARCH=arm64 O=...'"
if [ -n "$VMROOT" ]; then
	# the cross build is static; without its debug info the initramfs is a quarter the size,
	# and every megabyte costs boot time under TCG
	copy_bin() {
		aarch64-linux-gnu-strip --strip-debug -o "$2" "$1" 2>/dev/null || cp "$1" "$2"
	}
	ln -s ../sbin/bpftool "$root/usr/bin/bpftool"
else
	copy_bin "$(command -v bpftool)" "$root/usr/bin/bpftool"
fi
copy_bin "$BUILD/scx_errata" "$root/usr/bin/scx_errata"
for p in "$BUILD"/tests/*; do
	[ -f "$p" ] && [ -x "$p" ] && copy_bin "$p" "$root/scxe/bin/$(basename "$p")"
done
cp "$BUILD"/tests/guest/*.bin "$root/scxe/guest/" 2>/dev/null || true

# needs WORD [COMMAND...]: a selected case has a "# needs: ... WORD" line, or the --cmd
# mentions WORD or one of the COMMANDs. Tools that only some cases use are copied into the
# initramfs only then: every megabyte slows each boot under TCG.
needs() {
	local t w
	for t in "${tests[@]}"; do
		grep -q "^# needs:.*\\b$1\\b" "$top/tests/vm/cases/$t.sh" && return 0
	done
	for w in "$@"; do
		case "$guest_cmd" in *"$w"*) return 0 ;; esac
	done
	return 1
}

# The distro's own QEMU (~50 MB with its libraries). It finds its firmware relative to itself
# (/usr/bin/../share/{qemu,seabios}); these are what `-nodefaults -kernel` (Multiboot) with
# KVM refuses to start without: SeaBIOS, the KVM vAPIC option ROM and the Multiboot loader
# ROM.
QEMU_FIRMWARE="seabios/bios-256k.bin qemu/kvmvapic.bin qemu/multiboot_dma.bin"
if needs qemu; then
	[ -z "$ARM" ] || die "a selected test runs QEMU in the VM, which the $VMARCH VM does not have"
	qemu_bin=$(command -v qemu-system-x86_64) || die "a selected test runs QEMU in the VM, but this host has no qemu-system-x86_64; run 'scripts/deps.sh platform'"
	copy_bin "$qemu_bin" "$root/usr/bin/qemu-system-x86_64"
	qemu_share=$(cd "$(dirname "$qemu_bin")/../share" && pwd)
	for f in $QEMU_FIRMWARE; do
		[ -e "$qemu_share/$f" ] || die "QEMU firmware $qemu_share/$f is missing (package seabios or qemu-system-data?)"
		mkdir -p "$root/usr/share/$(dirname "$f")"
		cp -L "$qemu_share/$f" "$root/usr/share/$f"
	done
fi
# stress-ng (the load sched_ext's own CI runs schedulers under) and rt-tests' cyclictest and
# hackbench: the host's own binaries
if needs stress-ng; then
	stress_bin=$(command -v stress-ng) || die "a selected test runs stress-ng in the VM, but this host has none; run 'scripts/deps.sh platform'"
	copy_bin "$stress_bin" "$root/usr/bin/stress-ng"
fi
if needs rt-tests cyclictest hackbench; then
	for b in cyclictest hackbench; do
		bin=$(command -v $b) || die "a selected test runs $b in the VM, but this host has none; run 'scripts/deps.sh bench'"
		copy_bin "$bin" "$root/usr/bin/$b"
	done
fi
# perf 7.3 is trixie's build: it needs trixie's glibc, so it comes with its own libraries and
# loader (scripts/deps.sh bench) and runs as
#   /opt/perf/lib/ld-linux-x86-64.so.2 --library-path /opt/perf/lib /opt/perf/perf ...
if needs perf; then
	[ -f "$CACHE/perf/current/.ok" ] || die "a selected test runs perf in the VM, but $CACHE/perf/current is not set up; run 'scripts/deps.sh bench'"
	mkdir -p "$root/opt/perf"
	cp -rL "$CACHE/perf/current/perf" "$CACHE/perf/current/lib" "$root/opt/perf/"
fi
cp "$KDIR"/modules/*.ko "$root/scxe/modules/" 2>/dev/null || true
cp "$top"/tests/vm/cases/*.sh "$root/scxe/cases/"
cp "$top/tests/vm/lib.sh" "$top/tests/vm/runner.sh" "$root/scxe/"
cp "$top/tests/vm/init" "$root/init"
# settings the host passes to the cases (lib.sh sources this): CPU types for a boot with
# another -smp, and the benchmarks' knobs
env | grep -E '^(SCXE_TYPES|BENCH_[A-Z0-9_]+)=' | sed "s/'/'\\\\''/g; s/=/='/; s/$/'/" >"$root/scxe/env"
chmod +x "$root/init" "$root/scxe/runner.sh"
: >"$root/scxe/tests"
# A benchmark's timeout is for 5 reps of 5 s (tests/vm/BENCH); more of either scales it.
scale=100
if [ "$TABLE" = "$top/tests/vm/BENCH" ]; then
	scale=$((${BENCH_REPS:-5} * ${BENCH_SECS:-5} * 4))
	[ "$scale" -ge 100 ] || scale=100
fi
for t in "${tests[@]}"; do
	cat "${tables[@]}" | grep -v '^\s*#' | awk -v n="$t" -v s="$scale" '$1==n{print $1, int($2 * s / 100); exit}' >>"$root/scxe/tests"
done
if [ -n "$guest_cmd" ]; then
	printf '%s\n' "$guest_cmd" >"$root/scxe/cmd"
	echo "cmd 600" >"$root/scxe/tests"
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$VMDIR/initramfs.cpio.gz" || die "cannot pack the initramfs"

# --- boot --------------------------------------------------------------------------------
total=0
while read -r _ to; do total=$((total + to + 5)); done <"$root/scxe/tests"
limit=$((BOOT_TIMEOUT + total + 30))
console="$VMDIR/console.log"
ln -sfn "run.$$/console.log" "$BUILD/vm/console.log"

# thread=single: multi-threaded TCG oopses now and then when sched_ext flips its static
# keys, and one host thread is all a VM may take beside another suite; no_timer_check: the
# IO-APIC timer check misfires under TCG.
qemu=(qemu-system-x86_64 -cpu max)
append="console=ttyS0 quiet panic=-1 no_timer_check loglevel=4"
if [ "$VMARCH" = aarch64 ]; then
	# virtualization=on: the kernel starts at EL2 and KVM runs nested guests (VHE); GICv3
	# for KVM's vGIC; pauth-impdef: QEMU's own pointer-auth hash, far cheaper under TCG than
	# the architected QARMA the kernel would otherwise spend its time in
	qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on)
	append="console=ttyAMA0 quiet panic=-1 loglevel=4"
fi
command -v "${qemu[0]}" >/dev/null || die "no ${qemu[0]}; run 'scripts/deps.sh $([ -n "$ARM" ] && echo vm-arm64 || echo platform)'"
# arm64: an ivshmem-plain device on virt's PCIe host bridge (ECAM), backed by a VM shared
# file in the daemon's own format (scx_errata shm create), for the guest-side reader's BAR
# search (info_live)
if [ -n "$ARM" ]; then
	ivshm=/dev/shm/scx_errata.vmtest$$
	run_arm=()
	[ "$(uname -m)" = aarch64 ] || run_arm=(qemu-aarch64-static)
	"${run_arm[@]}" "$BUILD/scx_errata" shm create "vmtest$$" --vcpus "$SMP" >/dev/null ||
		die "cannot create $ivshm for the VM's ivshmem device (scx_errata shm create)"
	trap 'rm -rf "$root" "$VMDIR/initramfs.cpio.gz" "$ivshm"' EXIT
	qemu+=(-object "memory-backend-file,id=scxe,share=on,mem-path=$ivshm,size=$(stat -c %s "$ivshm")"
		-device ivshmem-plain,memdev=scxe)
fi

boot() {
	: >"$console"
	timeout --foreground -k 5 "$limit" "${qemu[0]}" -nographic -no-reboot -nodefaults \
		-serial stdio -m "$MEM" -smp "$SMP" "${qemu[@]:1}" -accel tcg,thread=single \
		-kernel "$KDIR/vmlinuz" -initrd "$VMDIR/initramfs.cpio.gz" \
		-append "$append" \
		 </dev/null 2>&1 | sed -u 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | tee "$console" | grep --line-buffered -E '^(SCXE|#|ok|not ok)' || true
}

echo "vmtest: booting $(cat "$KDIR/version") with ${#tests[@]} test(s), limit ${limit}s"
for attempt in 1 2; do
	boot
	grep -q 'SCXE: up' "$console" && break
	echo "vmtest: the guest did not come up (attempt $attempt); last console lines:"
	tail -n 15 "$console" | sed 's/^/    /'
done

passed=$(grep -c '^SCXE: ok ' "$console" || true)
failed=$(grep -c '^SCXE: not ok ' "$console" || true)
ran=$((passed + failed))
if ! grep -q '^SCXE: done' "$console"; then
	echo "vmtest: the guest stopped before finishing (crash, hang or timeout after ${limit}s):"
	grep -nE 'Kernel panic|BUG:|Oops|sched_ext|watchdog|stall|Call Trace' "$console" | head -n 20 | sed 's/^/    /'
	tail -n 25 "$console" | sed 's/^/    /'
	failed=$((failed + ${#tests[@]} - ran))
fi
if [ "$failed" -gt 0 ]; then
	echo "vmtest: failures; console: $console"
	grep -nE 'sched_ext: BPF scheduler|Kernel panic|BUG:|Oops' "$console" | head -n 10 | sed 's/^/    /'
fi
if [ -n "$guest_cmd" ]; then
	grep -q '^SCXE: done' "$console"	# a command run: the guest finishing is success
	exit
fi
echo "vm: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
