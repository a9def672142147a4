#!/usr/bin/env bash
# Install what scx_errata needs to build and test, idempotently.
#
#   scripts/deps.sh [check|toolchain|platform|kernel|all]   (default: all)
#
# check:     install nothing: say in one line what of the toolchain is missing, exit 1 if any
#            (a plain `make` runs this; CLANG, BPFTOOL and CC name the tools it will use)
# toolchain: clang >= 17, libbpf >= 1.4, bpftool >= 7.4, libelf, zlib, zstd, make, pkg-config
# platform:  qemu-system-x86, busybox-static, cpio, xz-utils, zstd (for the VM tests),
#            libvirt-clients (virt-xml-validate for the libvirt recipe), stress-ng and
#            rt-tests (copied into the VM for the fault and benchmark runs), and clang's
#            runtime libraries for libFuzzer and ASan/UBSan (make fuzz, make check-asan)
# kernel:    a Debian kernel with sched_ext, downloaded (never installed) and unpacked into
#            $SCX_ERRATA_CACHE/kernel/<version>/ (default ~/.cache/scx_errata)
#
# On Debian 12 the extra suites (bookworm-backports, trixie-backports) are added with pin
# priority 100, so nothing already installed on the host is upgraded by them. On other
# hosts the script only checks what is present and says what is missing.
set -euo pipefail

# The kernel the VM tests were validated on. Backports keep only their newest build, so a
# newer one is used (with a notice) when this one is gone.
VALIDATED_KVER="${VALIDATED_KVER:-7.3.4+deb13-cloud-amd64}"

CACHE="${SCX_ERRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scx_errata}"
what="${1:-all}"

die() { echo "deps: $*" >&2; exit 1; }
say() { echo "deps: $*" >&2; }

is_bookworm() { [ -r /etc/os-release ] && . /etc/os-release && [ "${VERSION_CODENAME:-}" = bookworm ]; }

apt_updated=0
apt_update() {
	[ $apt_updated = 1 ] && return 0
	say "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed; check the network and /etc/apt/sources.list.d"
	apt_updated=1
}

# Extra suites with a low pin: only packages asked for with -t come from them.
add_suites() {
	local src=/etc/apt/sources.list.d/scx-errata.sources pin=/etc/apt/preferences.d/scx-errata
	if [ ! -f "$src" ]; then
		cat >"$src" <<-EOF
		# added by scx_errata scripts/deps.sh: toolchain backports and the sched_ext test kernel
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bookworm-backports trixie-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		apt_updated=0
	fi
	if [ ! -f "$pin" ]; then
		cat >"$pin" <<-EOF
		# added by scx_errata scripts/deps.sh: never upgrade host packages from these suites
		Package: *
		Pin: release n=bookworm-backports
		Pin-Priority: 100

		Package: *
		Pin: release n=trixie-backports
		Pin-Priority: 100
		EOF
	fi
}

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

# version of an installed package, or empty
pkg_ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

apt_install() { # [-t suite] pkgs...
	local target=()
	if [ "$1" = -t ]; then target=(-t "$2"); shift 2; fi
	local need=()
	for p in "$@"; do have_pkg "$p" || need+=("$p"); done
	[ ${#need[@]} -eq 0 ] && return 0
	apt_update
	say "installing ${need[*]}${target:+ from ${target[1]}}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${target[@]}" "${need[@]}" >/dev/null \
		|| die "cannot install ${need[*]}; try 'apt-get install ${target[*]} ${need[*]}' by hand to see why"
}

ver_ge() { dpkg --compare-versions "$1" ge "$2"; }

# version $1 >= $2 without dpkg (any distribution); false for an empty $1
ver_ge_any() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

# What a build lacks, as a comma-separated list (empty when nothing is missing). Looks at
# the tools the Makefile uses ($CLANG, $BPFTOOL, $CC) when it passes them.
toolchain_missing() {
	local miss=() v bt=${BPFTOOL:-bpftool} cc=${CC:-cc}

	command -v make >/dev/null || miss+=(make)
	command -v "$cc" >/dev/null || miss+=("a C compiler ($cc)")
	if [ -n "${CLANG:-}" ]; then
		if ! command -v "$CLANG" >/dev/null; then
			miss+=("clang >= 17 ($CLANG not found)")
		else
			v=$("$CLANG" -dumpversion 2>/dev/null | cut -d. -f1)
			[ "${v:-0}" -ge 17 ] 2>/dev/null || miss+=("clang >= 17 ($CLANG is ${v:-of unknown version})")
		fi
	elif [ -z "$(find_clang)" ]; then
		miss+=("clang >= 17")
	fi
	if ! command -v "$bt" >/dev/null; then
		# Debian keeps it in /usr/sbin, which a normal user's PATH lacks
		if [ "$bt" = bpftool ] && [ -x /usr/sbin/bpftool ]; then
			miss+=("bpftool on PATH (add /usr/sbin to PATH or pass BPFTOOL=/usr/sbin/bpftool)")
		else
			miss+=("bpftool >= 7.4 ($bt not found)")
		fi
	else
		v=$("$bt" version 2>/dev/null | sed -n '1s/^bpftool v\([0-9]*\.[0-9]*\).*/\1/p')
		ver_ge_any "$v" 7.4 || miss+=("bpftool >= 7.4 ($bt is ${v:-of unknown version})")
	fi
	if ! command -v pkg-config >/dev/null; then
		miss+=(pkg-config)
	else
		pkg-config --atleast-version=1.4 libbpf 2>/dev/null || miss+=("libbpf >= 1.4 (development files)")
		pkg-config --exists libelf 2>/dev/null || miss+=("libelf (development files)")
		pkg-config --exists zlib 2>/dev/null || miss+=("zlib (development files)")
	fi
	local IFS=,
	echo "${miss[*]}" | sed 's/,/, /g'
}

check() {
	local miss
	miss=$(toolchain_missing)
	[ -z "$miss" ] || die "missing $miss; run 'make deps' to install (Debian 12), or install them with your distribution's packages"
}

toolchain() {
	if is_bookworm; then
		add_suites
		apt_install make pkg-config clang-19 llvm-19 libelf-dev zlib1g-dev libzstd-dev
		if ! ver_ge "$(pkg_ver libbpf-dev)" 1:1.4 2>/dev/null || ! have_pkg libbpf-dev; then
			apt_update
			apt_install -t bookworm-backports libbpf-dev libbpf1
			ver_ge "$(pkg_ver libbpf-dev)" 1:1.4 || die "libbpf-dev $(pkg_ver libbpf-dev) is older than 1.4; bookworm-backports should offer 1.4.x"
		fi
		if ! have_pkg bpftool || ! ver_ge "$(pkg_ver bpftool)" 7.4; then
			apt_install -t bookworm-backports bpftool
		fi
	else
		local miss
		miss=$(toolchain_missing)
		[ -z "$miss" ] || die "not Debian 12: install $miss with your distribution's packages"
	fi
	[ -n "$(find_clang)" ] || die "no clang >= 17 found after install; install clang-19"
}

# newest clang >= 17 on PATH
find_clang() {
	local c v
	for c in clang-21 clang-20 clang-19 clang-18 clang-17 clang; do
		command -v "$c" >/dev/null || continue
		v=$("$c" -dumpversion 2>/dev/null | cut -d. -f1)
		[ "${v:-0}" -ge 17 ] && { echo "$c"; return 0; }
	done
	return 0
}

platform() {
	if is_bookworm; then
		# libvirt-clients: virt-xml-validate checks the libvirt recipe (no daemon comes with it)
		apt_install qemu-system-x86 busybox-static cpio xz-utils zstd kmod libvirt-clients \
			stress-ng rt-tests
		# the sanitizer and libFuzzer runtimes of the clang the build uses
		local cv
		cv=$("$(find_clang)" -dumpversion 2>/dev/null | cut -d. -f1)
		[ -z "$cv" ] || apt_install "libclang-rt-$cv-dev"
	else
		local miss=()
		for c in qemu-system-x86_64 cpio xz zstd stress-ng cyclictest; do command -v $c >/dev/null || miss+=($c); done
		[ -x /bin/busybox ] || command -v busybox >/dev/null || miss+=(busybox-static)
		[ ${#miss[@]} -eq 0 ] || die "missing ${miss[*]}; install them with your distribution's packages"
	fi
}

# first existing file among the arguments (globs that matched nothing stay literal)
first_of() { local f; for f in "$@"; do [ -e "$f" ] && { echo "$f"; return 0; }; done; return 0; }

# Resolve, download and unpack the sched_ext kernel. Prints nothing on success when cached.
kernel() {
	mkdir -p "$CACHE/kernel"
	local cur="$CACHE/kernel/current"
	if [ -L "$cur" ] && [ -f "$cur/.ok" ]; then return 0; fi
	is_bookworm || command -v apt-get >/dev/null || die "the test kernel comes from Debian trixie-backports; on this host set SCX_ERRATA_CACHE to a tree with kernel/current/{vmlinuz,config,modules}"
	is_bookworm && add_suites
	apt_update
	# linux-image-cloud-amd64 -> linux-image-<ver>-cloud-amd64 -> binary/base/modules split
	local meta img kver
	meta=$(apt-cache depends -t trixie-backports linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	[ -n "$meta" ] || die "trixie-backports offers no linux-image-cloud-amd64; is the suite reachable (apt-cache policy linux-image-cloud-amd64)?"
	kver=${meta#linux-image-}
	if [ "$kver" != "$VALIDATED_KVER" ]; then
		say "note: tests were validated on $VALIDATED_KVER; the registry offers $kver, using it"
	fi
	local dir="$CACHE/kernel/$kver"
	if [ ! -f "$dir/.ok" ]; then
		rm -rf "$dir.tmp"; mkdir -p "$dir.tmp/deb"
		( cd "$dir.tmp/deb" && apt-get download -qq -t trixie-backports \
			"linux-binary-$kver" "linux-base-$kver" "linux-modules-$kver" >/dev/null 2>&1 ) \
			|| ( cd "$dir.tmp/deb" && apt-get download -qq -t trixie-backports "$meta" >/dev/null ) \
			|| die "cannot download the $kver kernel packages from trixie-backports"
		for d in "$dir.tmp"/deb/*.deb; do dpkg-deb -x "$d" "$dir.tmp/root"; done
		local vmlinuz config
		# trixie's split packages keep them in /usr/lib/modules/<ver>/, older ones in /boot
		vmlinuz=$(first_of "$dir.tmp"/root/usr/lib/modules/*/vmlinuz "$dir.tmp"/root/boot/vmlinuz-*)
		config=$(first_of "$dir.tmp"/root/usr/lib/modules/*/config "$dir.tmp"/root/boot/config-*)
		[ -n "$vmlinuz" ] || die "no vmlinuz in the $kver packages"
		[ -n "$config" ] || die "no config in the $kver packages"
		grep -q '^CONFIG_SCHED_CLASS_EXT=y' "$config" || die "kernel $kver lacks CONFIG_SCHED_CLASS_EXT=y: it cannot run sched_ext"
		grep -q '^CONFIG_DEBUG_INFO_BTF=y' "$config" || die "kernel $kver lacks CONFIG_DEBUG_INFO_BTF=y: BPF CO-RE needs it"
		cp "$vmlinuz" "$dir.tmp/vmlinuz"
		cp "$config" "$dir.tmp/config"
		local map
		map=$(first_of "$dir.tmp"/root/usr/lib/modules/*/System.map "$dir.tmp"/root/boot/System.map-*)
		[ -z "$map" ] || cp "$map" "$dir.tmp/System.map"
		mkdir -p "$dir.tmp/modules"
		local m
		for m in irqbypass kvm kvm-amd kvm-intel; do
			local f
			f=$(find "$dir.tmp/root" -name "$m.ko*" 2>/dev/null | head -1 || true)
			[ -n "$f" ] || { [ $m = kvm-intel ] && continue; die "no $m module in the $kver packages"; }
			case "$f" in
			*.xz) xz -dc "$f" >"$dir.tmp/modules/$m.ko" ;;
			*.zst) zstd -qdc "$f" >"$dir.tmp/modules/$m.ko" ;;
			*) cp "$f" "$dir.tmp/modules/$m.ko" ;;
			esac
		done
		rm -rf "$dir.tmp/deb" "$dir.tmp/root"
		echo "$kver" >"$dir.tmp/version"
		touch "$dir.tmp/.ok"
		rm -rf "$dir"; mv "$dir.tmp" "$dir"
		say "kernel $kver ready in $dir"
	fi
	ln -sfn "$kver" "$cur"
}

case "$what" in
check) check ;;
toolchain) toolchain ;;
platform) platform ;;
kernel) kernel ;;
all) toolchain; platform; kernel ;;
clang) find_clang ;;
*) echo "usage: scripts/deps.sh [check|toolchain|platform|kernel|all]" >&2; exit 1 ;;
esac
