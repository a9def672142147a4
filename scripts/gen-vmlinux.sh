#!/usr/bin/env bash
# Regenerate vmlinux/x86_64/vmlinux.h from the BTF of the cached sched_ext test kernel.
#
#   scripts/gen-vmlinux.sh [KERNEL_DIR] [OUT]
#
# KERNEL_DIR defaults to the kernel scripts/deps.sh unpacked; OUT to vmlinux/x86_64/vmlinux.h.
# The header records which kernel it came from on its first line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache="${SCX_ERRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_errata}"
kdir="${1:-$cache/kernel/current}"
out="${2:-$top/vmlinux/x86_64/vmlinux.h}"

die() { echo "gen-vmlinux: $*" >&2; exit 1; }
[ -f "$kdir/vmlinuz" ] || die "no $kdir/vmlinuz; run 'scripts/deps.sh kernel' first"
command -v bpftool >/dev/null || die "bpftool not found; run 'scripts/deps.sh toolchain'"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A bzImage carries the compressed ELF after the setup code: find the zstd frame magic
# (28 b5 2f fd) and decompress from there; trailing bytes after the frame are ignored.
off=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$kdir/vmlinuz" | head -1 | cut -d: -f1 || true)
[ -n "$off" ] || die "$kdir/vmlinuz has no zstd payload; only zstd-compressed bzImages are handled"
tail -c +$((off + 1)) "$kdir/vmlinuz" | zstd -qdc >"$tmp/vmlinux" 2>/dev/null || true
[ -s "$tmp/vmlinux" ] && head -c 4 "$tmp/vmlinux" | grep -q ELF || die "decompressing $kdir/vmlinuz gave no ELF image"

kver=$(cat "$kdir/version" 2>/dev/null || echo unknown)
mkdir -p "$(dirname "$out")"
{
	echo "/* vmlinux.h for x86_64 from the BTF of Debian kernel $kver; regenerate with scripts/gen-vmlinux.sh */"
	bpftool btf dump file "$tmp/vmlinux" format c
} >"$out.tmp"
grep -q 'struct sched_ext_ops {' "$out.tmp" || { rm -f "$out.tmp"; die "kernel $kver BTF has no struct sched_ext_ops"; }
mv "$out.tmp" "$out"
echo "gen-vmlinux: wrote $out from kernel $kver" >&2
