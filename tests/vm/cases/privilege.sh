#!/bin/sh
# Privilege and environment errors (issue 9): each is one line naming what is wrong with a
# hint, exit 1, and a failed start changes nothing (no pins, no scheduler, no VM file):
#  - not root: run, stop and status as nobody; the control surface is root's alone (pin
#    directory 0700 and pins 0600 even under umask 000, nothing nobody can list or open;
#    the daemon holds no socket);
#  - bpffs not mounted (a mount namespace without it), and --no-pin then runs;
#  - no sched_ext and no BTF (a mount namespace hiding /sys/kernel/sched_ext or btf);
#  - another sched_ext scheduler: an unpinned scx_errata (--no-pin) is named with its pid
#    and how to stop it; a pinned one with its daemon; a pin directory another user made.
. /scxe/lib.sh
# (lib.sh defines stat() for the counters: the file tool is "command stat" here)

NEW=/dev/shm/scx_errata.priv-new	# a --vm file no failed start may leave behind
BLANK=/dev/shm/scx_errata.priv-blank	# a --vm file (VMM-made, all zero) it must not change
PRIV_OUT=/tmp/priv.out
head -c 8192 /dev/zero >"$BLANK"
chmod 600 "$BLANK"
blank_sum=$(md5sum <"$BLANK")
sleep 1000 &
VMM=$!
trap 'kill $VMM 2>/dev/null; scx_errata stop >/dev/null 2>&1; rm -f "$NEW" "$BLANK"' EXIT
grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >>/etc/group
as_nobody() { su -s /bin/sh nobody -c "PATH=$PATH; $*"; }
ns() { unshare -m --propagation private sh -c "$*"; }	# a mount namespace of its own

# expect NAME RC REGEX CMD...: CMD ends with RC, one line on stderr matching REGEX, and
# leaves no scheduler, no pins and no new or changed VM file
expect() {
	name=$1 want=$2 re=$3
	shift 3
	"$@" >"$PRIV_OUT" 2>"$PRIV_OUT.err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$name: exit $rc, expected $want: $(cat "$PRIV_OUT.err")"
	[ "$(wc -l <"$PRIV_OUT.err")" = 1 ] || fail "$name: not one line: $(cat "$PRIV_OUT.err")"
	grep -qE -- "$re" "$PRIV_OUT.err" || fail "$name: '$(cat "$PRIV_OUT.err")' does not match /$re/"
	note "$name: $(cat "$PRIV_OUT.err")"
}
unchanged() { # NAME STATE: sched_ext in STATE, no pins, no new file, the blank file as it was
	[ "$(sched_state)" = "$2" ] || fail "$1: sched_ext is $(sched_state), expected $2"
	[ -e /sys/fs/bpf/scx_errata ] && fail "$1: left pins under /sys/fs/bpf/scx_errata"
	[ -e "$NEW" ] && fail "$1: left $NEW behind"
	[ "$(md5sum <"$BLANK")" = "$blank_sum" ] || fail "$1: changed $BLANK"
	return 0
}

[ "$(sched_state)" = disabled ] || fail "sched_ext state is $(sched_state) before the test"

# out FILE REGEX NAME: stdout of the last command matched
out() { grep -qE -- "$2" "$1" || fail "$3: stdout '$(head -c 300 "$1")' does not match /$2/"; }

# --- not root --------------------------------------------------------------------------
expect run-as-nobody 1 "run needs root.*run it with sudo" as_nobody scx_errata run --cpu-types "$SCXE_TYPES" --vm "$VMM:$NEW"
unchanged run-as-nobody disabled
expect stop-as-nobody 1 "stop needs root" as_nobody scx_errata stop
expect shm-as-nobody 1 "shm create needs root" as_nobody scx_errata shm create priv --vcpus 2

# the control surface, with a daemon started under umask 000
umask 000
scxe_start --vm "$VMM:$NEW"
umask 022
i=0
until grep -q 'vm 0: pid' "$SCXE_LOG"; do	# pinned and paired
	i=$((i + 1)); [ $i -gt 100 ] && fail "the daemon did not pair its VM"
	sleep 0.1
done
[ "$(command stat -c '%a %u' /sys/fs/bpf/scx_errata)" = "700 0" ] || fail "pin directory is $(command stat -c '%a %u' /sys/fs/bpf/scx_errata), expected 700 root"
bad="" n=0
for f in /sys/fs/bpf/scx_errata/*; do
	n=$((n + 1))
	[ "$(command stat -c '%a %u' "$f")" = "600 0" ] || bad="$bad $(basename "$f"):$(command stat -c '%a/%u' "$f")"
done
[ -z "$bad" ] || fail "pins not 0600 root:$bad"
[ "$n" -ge 10 ] || fail "only $n pins"
[ "$(command stat -c '%a' "$NEW")" = 660 ] || fail "$NEW has mode $(command stat -c '%a' "$NEW"), expected 660"
as_nobody ls /sys/fs/bpf/scx_errata >/dev/null 2>&1 && fail "nobody can list the pins"
as_nobody bpftool map dump pinned /sys/fs/bpf/scx_errata/types >/dev/null 2>&1 && fail "nobody can read a pinned map"
expect status-as-nobody 1 "status needs root to (open the pins|look) under /sys/fs/bpf/scx_errata; run it with sudo" as_nobody scx_errata status
as_nobody scx_errata status --json >"$PRIV_OUT" 2>"$PRIV_OUT.err"
[ $? = 1 ] && [ ! -s "$PRIV_OUT.err" ] && json_check <"$PRIV_OUT" || fail "status --json as nobody: not exit 1 with JSON only: $(cat "$PRIV_OUT" "$PRIV_OUT.err")"
out "$PRIV_OUT" '"error":"status needs root' status-json-as-nobody
D=$(pidof scx_errata)
socks=$(ls -l /proc/"$D"/fd 2>/dev/null | grep -c 'socket:')
[ "$socks" = 0 ] || fail "the daemon holds $socks sockets: $(ls -l /proc/"$D"/fd | grep socket)"
note "control surface: pins 0700/0600 root (umask 000), $n pins, nobody can neither list nor read them, no socket"

# --- another scheduler: ours pinned, with its daemon --------------------------------------
expect pinned-second-daemon 1 "scx_errata already runs as pid $D; send it SIGHUP to rescan, or run 'scx_errata stop'" \
	scx_errata run --cpu-types "$SCXE_TYPES"
expect pinned-no-pin 1 "already runs as pid $D|--no-pin needs a reload" scx_errata run --no-pin --cpu-types "$SCXE_TYPES"
kill -0 "$D" 2>/dev/null || fail "the refused starts stopped the running daemon"
scxe_stop INT
[ "$SCXE_RC" = 0 ] || fail "daemon exited $SCXE_RC"
rm -f "$NEW"
unchanged after-stop disabled

# --- another scheduler: ours without pins -------------------------------------------------
scxe_start --no-pin
[ -e /sys/fs/bpf/scx_errata ] && fail "--no-pin pinned"
expect unpinned-second 1 "another scx_errata \(pid $SCXE_PID\) runs sched_ext scheduler 'errata' without pins \(--no-pin\); stop it with 'kill -INT $SCXE_PID'" \
	scx_errata run --cpu-types "$SCXE_TYPES" --vm "$VMM:$NEW"
unchanged unpinned-second enabled
expect unpinned-second-no-pin 1 "another scx_errata \(pid $SCXE_PID\)" scx_errata run --no-pin --cpu-types "$SCXE_TYPES"
scx_errata status >"$PRIV_OUT" 2>&1 || fail "status with an unpinned scheduler failed: $(cat "$PRIV_OUT")"
out "$PRIV_OUT" "nothing pinned.*sched_ext enabled; an unpinned or other scheduler runs" unpinned-status
kill -0 "$SCXE_PID" 2>/dev/null || fail "the refused starts stopped the unpinned daemon"
scxe_stop INT	# the hint: kill -INT PID
[ "$SCXE_RC" = 0 ] || fail "unpinned daemon exited $SCXE_RC"
unchanged after-unpinned disabled

# --- a pin directory someone else made ----------------------------------------------------
if as_nobody mkdir /sys/fs/bpf/scx_errata 2>/dev/null; then
	expect foreign-pin-dir 1 "/sys/fs/bpf/scx_errata is not a directory of root's with mode 0700 \(uid 65534, mode 0755\).*remove it" \
		scx_errata run --cpu-types "$SCXE_TYPES" --vm "$VMM:$NEW"
	[ "$(command stat -c '%u' /sys/fs/bpf/scx_errata)" = 65534 ] || fail "the foreign pin directory was replaced"
	[ "$(sched_state)" = disabled ] || fail "foreign-pin-dir: sched_ext is $(sched_state)"
	[ -e "$NEW" ] && fail "foreign-pin-dir: left $NEW"
	rmdir /sys/fs/bpf/scx_errata
else
	note "skip foreign-pin-dir: nobody cannot create directories in /sys/fs/bpf (mode $(command stat -c %a /sys/fs/bpf))"
fi

# --- bpffs, sched_ext, BTF missing (mount namespaces) -----------------------------------
expect no-bpffs 1 "bpffs is not mounted on /sys/fs/bpf.*'mount -t bpf bpf /sys/fs/bpf', or run with --no-pin" \
	ns "umount /sys/fs/bpf && exec scx_errata run --cpu-types $SCXE_TYPES --vm $VMM:$NEW"
unchanged no-bpffs disabled
# the hint works: --no-pin needs no bpffs
# (not through ns: a background function is a subshell that ignores SIGINT, and $! its pid)
unshare -m --propagation private sh -c "umount /sys/fs/bpf && exec scx_errata run --no-pin --cpu-types $SCXE_TYPES" \
	>"$SCXE_LOG" 2>&1 &
SCXE_PID=$!
wait_state enabled 30 || fail "--no-pin without bpffs did not attach: $(tail -n 3 "$SCXE_LOG")"
scxe_stop INT
[ "$SCXE_RC" = 0 ] || fail "--no-pin without bpffs exited $SCXE_RC"
expect no-sched-ext 1 "this kernel has no sched_ext \(/sys/kernel/sched_ext/state missing\); boot one with CONFIG_SCHED_CLASS_EXT=y" \
	ns "mount -t tmpfs none /sys/kernel/sched_ext && exec scx_errata run --cpu-types $SCXE_TYPES --vm $VMM:$NEW"
unchanged no-sched-ext disabled
expect no-btf 1 "this kernel has no BTF \(/sys/kernel/btf/vmlinux: No such file or directory\); boot one with CONFIG_DEBUG_INFO_BTF=y" \
	ns "mount -t tmpfs none /sys/kernel/btf && exec scx_errata run --cpu-types $SCXE_TYPES --vm $VMM:$NEW"
unchanged no-btf disabled
expect bad-pid-first 1 "--vm '999999:$NEW': no process 999999 runs" \
	ns "mount -t tmpfs none /sys/kernel/sched_ext && exec scx_errata run --vm 999999:$NEW"
exit 0
