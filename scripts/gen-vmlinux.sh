#!/usr/bin/env bash
# Regenerate vmlinux/<arch>/vmlinux.h from the BTF of the cached sched_ext test kernel.
#
#   [ARCH=x86_64|aarch64|arm64] scripts/gen-vmlinux.sh [KERNEL_DIR] [OUT]
#
# ARCH defaults to this host's. KERNEL_DIR defaults to the kernel scripts/deps.sh unpacked for
# it (kernel/current, or kernel-arm64/current); OUT to vmlinux/x86_64/vmlinux.h or
# vmlinux/aarch64/vmlinux.h. The header records which kernel it came from on its first line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache="${SCX_ERRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_errata}"

die() { echo "gen-vmlinux: $*" >&2; exit 1; }

case "${ARCH:-$(uname -m)}" in
x86_64|x86|amd64) arch=x86_64 kcache=kernel again="scripts/gen-vmlinux.sh" ;;
aarch64|arm64) arch=aarch64 kcache=kernel-arm64 again="make vmlinux ARCH=arm64" ;;
*) die "ARCH=$ARCH: only x86_64 and aarch64 (arm64)" ;;
esac
kdir="${1:-$cache/$kcache/current}"
out="${2:-$top/vmlinux/$arch/vmlinux.h}"

[ -f "$kdir/vmlinuz" ] || die "no $kdir/vmlinuz; run 'ARCH=$arch scripts/deps.sh kernel' first"
command -v bpftool >/dev/null || die "bpftool not found; run 'scripts/deps.sh toolchain'"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# byte offset of the first match of a byte pattern (grep -P escapes) in a file, or empty
find_bytes() { LC_ALL=C grep -obUaP "$1" "$2" | head -1 | cut -d: -f1 || true; }

# x86_64: a bzImage carries the compressed ELF after the setup code: find the zstd frame
# magic (28 b5 2f fd) and decompress from there; trailing bytes after the frame are ignored.
btf_of_bzimage() {
	local off
	off=$(find_bytes '\x28\xb5\x2f\xfd' "$kdir/vmlinuz")
	[ -n "$off" ] || die "$kdir/vmlinuz has no zstd payload; only zstd-compressed bzImages are handled"
	tail -c +$((off + 1)) "$kdir/vmlinuz" | zstd -qdc >"$tmp/vmlinux" 2>/dev/null || true
	[ -s "$tmp/vmlinux" ] && head -c 4 "$tmp/vmlinux" | grep -q ELF || die "decompressing $kdir/vmlinuz gave no ELF image"
	echo "$tmp/vmlinux"
}

# aarch64: Debian's arm64 vmlinuz is the flat Image (gzip-compressed in older releases), not
# an ELF file, so the .BTF section is cut out of it: its header (magic eb9f, version 1, flags
# 0, hdr_len 24) is followed at fixed offsets by the type and string sections whose ends
# give its size. bpftool reads raw BTF as well as ELF.
btf_of_image() {
	local img="$kdir/vmlinuz" off
	if [ "$(head -c 2 "$img" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
		gzip -dc "$img" >"$tmp/Image" || die "cannot gunzip $img"
		img="$tmp/Image"
	fi
	off=$(find_bytes '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$img")
	[ -n "$off" ] || die "$img has no BTF header (eb9f, version 1); is it built with CONFIG_DEBUG_INFO_BTF?"
	# little-endian u32s after magic/version/flags: hdr_len type_off type_len str_off str_len
	local hdr hdr_len type_off type_len str_off str_len end
	hdr=$(od -An -v -tu4 -j $((off + 4)) -N 20 "$img")
	read -r hdr_len type_off type_len str_off str_len <<<"$(echo $hdr)"
	end=$((type_off + type_len > str_off + str_len ? type_off + type_len : str_off + str_len))
	tail -c +$((off + 1)) "$img" | head -c $((hdr_len + end)) >"$tmp/vmlinux.btf"
	echo "$tmp/vmlinux.btf"
}

if [ $arch = x86_64 ]; then btf=$(btf_of_bzimage); else btf=$(btf_of_image); fi

kver=$(cat "$kdir/version" 2>/dev/null || echo unknown)
mkdir -p "$(dirname "$out")"
{
	echo "/* vmlinux.h for $arch from the BTF of Debian kernel $kver; regenerate with $again */"
	bpftool btf dump file "$btf" format c
} >"$out.tmp" || { rm -f "$out.tmp"; die "bpftool cannot read the BTF of kernel $kver"; }
grep -q 'struct sched_ext_ops {' "$out.tmp" || { rm -f "$out.tmp"; die "kernel $kver BTF has no struct sched_ext_ops"; }
mv "$out.tmp" "$out"
echo "gen-vmlinux: wrote $out from kernel $kver" >&2
