#!/usr/bin/env bash
# Install what scx_errata needs to build and test, idempotently.
#
#   scripts/deps.sh [check|toolchain|platform|kernel|kernel-arm64|cross-arm64|vm-arm64|bench|all]
#                   (default: all)
#
# check:     install nothing: say in one line what of the toolchain is missing, exit 1 if any
#            (a plain `make` runs this; CLANG, BPFTOOL and CC name the tools it will use)
# toolchain: clang >= 17, libbpf >= 1.4, bpftool >= 7.4, libelf, zlib, zstd, make, pkg-config
# platform:  qemu-system-x86, busybox-static, cpio, xz-utils, zstd (for the VM tests),
#            libvirt-clients (virt-xml-validate for the libvirt recipe), stress-ng and
#            rt-tests (copied into the VM for the fault and benchmark runs), and clang's
#            runtime libraries for libFuzzer and ASan/UBSan (make fuzz, make check-asan)
# kernel:    a Debian kernel with sched_ext, downloaded (never installed) and unpacked into
#            $SCX_ERRATA_CACHE/kernel/<version>/ (default ~/.cache/scx_errata); for ARCH=arm64
#            the arm64 one into $SCX_ERRATA_CACHE/kernel-arm64/<version>/ (also: kernel-arm64)
# cross-arm64: building for arm64 on x86_64 (toolchain runs it when ARCH=arm64):
#            gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user-static installed;
#            arm64 libbpf, libelf, zlib and zstd unpacked (never installed) into
#            $SCX_ERRATA_CACHE/sysroot-arm64/
# vm-arm64:  the arm64 VM suite (make vmtest ARCH=arm64): qemu-system-arm installed, the arm64
#            kernel, and busybox-static and bpftool for arm64 with the libraries bpftool loads
#            unpacked (never installed) into $SCX_ERRATA_CACHE/vmroot-arm64/
# bench:     gnuplot-nox (make bench's plots), rt-tests and stress-ng, and linux-perf 7.3 from
#            trixie-backports with the trixie libraries it loads, downloaded (never installed)
#            into $SCX_ERRATA_CACHE/perf/<version>/{perf,lib/}
#
# On Debian 12 the extra suites (bookworm-backports, trixie-backports) are added with pin
# priority 100, so nothing already installed on the host is upgraded by them. On other
# hosts the script only checks what is present and says what is missing.
#
# ARCH (x86_64, aarch64, or the kernel's x86, arm64) is the architecture built and tested;
# this host's when unset. The Makefile passes its own.
set -euo pipefail

# The kernel the VM tests were validated on. Backports keep only their newest build, so a
# newer one is used (with a notice) when this one is gone.
VALIDATED_KVER="${VALIDATED_KVER:-7.3.4+deb13-cloud-amd64}"
VALIDATED_KVER_ARM64="${VALIDATED_KVER_ARM64:-7.3.4+deb13-cloud-arm64}"

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
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${target[@]}" "${need[@]}" >/dev/null \
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
	[ -z "$miss" ] && return 0
	[ "$(target_arch)" = "$(host_arch)" ] ||
		die "missing $miss for ARCH=$ARCH; run 'make deps ARCH=$ARCH' (scripts/deps.sh cross-$(target_arch)) to install (Debian 12)"
	die "missing $miss; run 'make deps' to install (Debian 12), or install them with your distribution's packages"
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

# Debian's name of the architecture to build and test for (ARCH), or of this host (host_arch)
target_arch() {
	case "${ARCH:-$(uname -m)}" in
	x86_64|x86|amd64) echo amd64 ;;
	aarch64|arm64) echo arm64 ;;
	*) die "ARCH=${ARCH:-$(uname -m)}: scx_errata builds for x86_64 and arm64 (aarch64) only" ;;
	esac
}
host_arch() { ARCH=$(uname -m) target_arch; }

# dpkg multiarch, for the package lists of a foreign architecture: its kernel and libraries
# are downloaded, never installed
enable_arch() { # debian-arch
	[ "$1" = "$(dpkg --print-architecture)" ] && return 0
	dpkg --print-foreign-architectures | grep -qx "$1" && return 0
	say "dpkg --add-architecture $1 (to download its packages; none is installed)"
	dpkg --add-architecture "$1"
	apt_updated=0
}

# Resolve, download and unpack the sched_ext kernel of one architecture: amd64 into
# $CACHE/kernel, any other into $CACHE/kernel-<arch>. Prints nothing on success when cached.
kernel() { # debian-arch
	local arch=$1 base="$CACHE/kernel" validated=$VALIDATED_KVER
	if [ "$arch" != amd64 ]; then base="$CACHE/kernel-$arch" validated=$VALIDATED_KVER_ARM64; fi
	mkdir -p "$base"
	local cur="$base/current"
	if [ -L "$cur" ] && [ -f "$cur/.ok" ]; then return 0; fi
	is_bookworm || command -v apt-get >/dev/null || die "the test kernel comes from Debian trixie-backports; on this host set SCX_ERRATA_CACHE to a tree with ${base#"$CACHE"/}/current/{vmlinuz,config,modules}"
	is_bookworm && add_suites && enable_arch "$arch"
	apt_update
	# linux-image-cloud-<arch> -> linux-image-<ver>-cloud-<arch> -> binary/base/modules split
	# (apt-cache names a foreign architecture's packages with an :<arch> suffix)
	local meta img kver
	meta=$(apt-cache depends -t trixie-backports "linux-image-cloud-$arch:$arch" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub(/:.*/, "", $2); print $2; exit}')
	[ -n "$meta" ] || die "trixie-backports offers no linux-image-cloud-$arch; is the suite reachable (apt-cache policy linux-image-cloud-$arch:$arch)?"
	kver=${meta#linux-image-}
	if [ "$kver" != "$validated" ]; then
		say "note: tests were validated on $validated; the registry offers $kver, using it"
	fi
	local dir="$base/$kver"
	if [ ! -f "$dir/.ok" ]; then
		rm -rf "$dir.tmp"; mkdir -p "$dir.tmp/deb"
		( cd "$dir.tmp/deb" && apt-get download -qq -t trixie-backports \
			"linux-binary-$kver:$arch" "linux-base-$kver:$arch" "linux-modules-$kver:$arch" >/dev/null 2>&1 ) \
			|| ( cd "$dir.tmp/deb" && apt-get download -qq -t trixie-backports "$meta:$arch" >/dev/null ) \
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
		local m mods="irqbypass kvm kvm-amd kvm-intel"
		[ "$arch" = amd64 ] || mods="irqbypass kvm"
		for m in $mods; do
			local f
			f=$(find "$dir.tmp/root" -name "$m.ko*" 2>/dev/null | head -1 || true)
			# arm64 has KVM built into the image: modules.builtin lists it
			[ -n "$f" ] || ! grep -qs "/$m\.ko\$" "$dir.tmp"/root/usr/lib/modules/*/modules.builtin || continue
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

# apt_install, once apt-get -s has shown that the install upgrades and removes nothing
apt_install_new() { # pkgs...
	local need=() p sim touched
	for p in "$@"; do have_pkg "$p" || need+=("$p"); done
	[ ${#need[@]} -eq 0 ] && return 0
	apt_update
	sim=$(apt-get -s install --no-install-recommends "${need[@]}" 2>&1) ||
		die "apt-get cannot install ${need[*]}: $(printf '%s\n' "$sim" | tail -n 1)"
	touched=$(printf '%s\n' "$sim" | awk '/^Inst [^ ]+ \[/ || /^Remv / { printf " %s", $2 }')
	[ -z "$touched" ] || die "installing ${need[*]} would upgrade or remove${touched} on this host; not done ('apt-get -s install ${need[*]}' shows it)"
	apt_install "${need[@]}"
}

# Building for arm64 on an x86_64 host. The cross compiler, glibc's arm64 cross files and
# qemu-user-static (make unit ARCH=arm64 runs the tests through it) are installed from
# bookworm. libbpf (bookworm-backports), libelf, zlib and zstd for arm64 are unpacked into
# $CACHE/sysroot-arm64 instead: installed with dpkg multiarch, their -dev packages bring
# libc6-dev:arm64 and, through libtirpc, arm64 krb5 and openssl, which Multi-Arch: same binds
# to the host's own versions, so a host a point release behind would have those upgraded.
CROSS_LIBS="libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g libzstd-dev libzstd1"
cross() { # debian-arch
	local arch=$1 triplet=aarch64-linux-gnu
	[ "$arch" = arm64 ] || die "cross builds are for arm64 (ARCH=arm64 on an x86_64 host) only"
	[ "$(host_arch)" != arm64 ] || return 0
	if ! is_bookworm; then
		command -v $triplet-gcc >/dev/null && [ -f "$CACHE/sysroot-$arch/.ok" ] && return 0
		die "not Debian 12: install $triplet-gcc and pass SYSROOT= a tree with arm64 libbpf >= 1.4, libelf, zlib and zstd (usr/include, usr/lib/$triplet)"
	fi
	add_suites
	enable_arch "$arch"
	apt_install_new gcc-$triplet libc6-dev-$arch-cross qemu-user-static
	sysroot "$arch" $triplet
}

# The host's versions of CROSS_LIBS (a multiarch install would need the same ones; libbpf's
# come from bookworm-backports), unpacked for ARCH into $CACHE/sysroot-ARCH/usr/{include,lib}.
# .ok lists the versions: after a host upgrade the next run fetches the matching ones.
sysroot() { # debian-arch triplet
	local arch=$1 triplet=$2 dir="$CACHE/sysroot-$1" want="" p v suite
	for p in $CROSS_LIBS; do want+="$p=$(pkg_ver "$p") "; done
	[ "$(cat "$dir/.ok" 2>/dev/null)" = "$want" ] && return 0
	apt_update
	rm -rf "$dir.tmp"; mkdir -p "$dir.tmp/deb"
	for p in $CROSS_LIBS; do
		v=$(pkg_ver "$p") suite=bookworm
		case $p in libbpf*) suite=bookworm-backports ;; esac
		( cd "$dir.tmp/deb" && apt-get download -qq "$p:$arch${v:+=$v}" >/dev/null 2>&1 ) && continue
		say "note: $p:$arch ${v:-(not on this host)} is not in the archive; taking $suite's"
		( cd "$dir.tmp/deb" && apt-get download -qq -t "$suite" "$p:$arch" >/dev/null 2>&1 ) ||
			die "cannot download $p:$arch from $suite"
	done
	for d in "$dir.tmp"/deb/*.deb; do dpkg-deb -x "$d" "$dir.tmp"; done
	rm -rf "$dir.tmp/deb" "$dir.tmp/usr/share/doc" "$dir.tmp/usr/share/lintian"
	# absolute links (libz.so -> /lib/...) are made to point into the sysroot
	local l
	find "$dir.tmp" -type l -lname '/*' | while read -r l; do ln -sfn "$dir$(readlink "$l")" "$l"; done
	PKG_CONFIG_LIBDIR="$dir.tmp/usr/lib/$triplet/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dir.tmp" \
		pkg-config --atleast-version=1.4 libbpf ||
		die "the $arch libbpf unpacked in $dir.tmp is older than 1.4 or has no libbpf.pc"
	echo "$want" >"$dir.tmp/.ok"
	rm -rf "$dir"; mv "$dir.tmp" "$dir"
	say "$arch libraries ready in $dir"
}

# What the arm64 test VM runs besides our static programs: busybox-static, and bpftool with
# the libraries and loader it needs, laid out as the VM's root ($CACHE/vmroot-arm64/{bin,usr/
# sbin,lib}), ready to copy into the initramfs. libelf and zlib are the sysroot's; bpftool comes
# from bookworm-backports (7.5, as on the host). .ok lists the packages' versions.
VMROOT_PKGS="busybox-static libc6 libcap2 bpftool"
vmroot() { # debian-arch triplet
	local arch=$1 triplet=$2 dir="$CACHE/vmroot-$1" sys="$CACHE/sysroot-$1" p want="" emu
	[ -f "$sys/.ok" ] || die "no $arch sysroot in $sys; run 'scripts/deps.sh cross-$arch' first"
	suite() { [ "$1" = bpftool ] && echo -t bookworm-backports; return 0; }
	for p in $VMROOT_PKGS; do
		# shellcheck disable=SC2046 # empty or two words
		want+="$p=$(apt-cache policy $(suite $p) "$p:$arch" 2>/dev/null | awk '/Candidate:/{print $2}') "
	done
	[ "$(cat "$dir/.ok" 2>/dev/null)" = "$want" ] && return 0
	apt_update
	rm -rf "$dir.tmp"; mkdir -p "$dir.tmp/deb" "$dir.tmp/x"
	for p in $VMROOT_PKGS; do
		# shellcheck disable=SC2046
		( cd "$dir.tmp/deb" && apt-get download -qq $(suite $p) "$p:$arch" >/dev/null 2>&1 ) ||
			die "cannot download $p:$arch $(suite $p)"
	done
	for d in "$dir.tmp"/deb/*.deb; do dpkg-deb -x "$d" "$dir.tmp/x"; done
	local lib="$dir.tmp/lib/$triplet" ld=ld-linux-${triplet%%-*}.so.1
	mkdir -p "$dir.tmp/bin" "$dir.tmp/usr/sbin" "$lib"
	cp "$dir.tmp/x/bin/busybox" "$dir.tmp/bin/"
	cp "$dir.tmp/x/usr/sbin/bpftool" "$dir.tmp/usr/sbin/"
	cp -L "$dir.tmp/x/lib/$triplet/$ld" "$dir.tmp/x/lib/$triplet/libc.so.6" \
		"$dir.tmp/x/lib/$triplet/libcap.so.2" "$lib/"
	cp -L "$sys/usr/lib/$triplet/libelf.so.1" "$sys/usr/lib/$triplet/libzstd.so.1" "$lib/"
	cp -L "$(first_of "$sys/lib/$triplet/libz.so.1" "$sys/usr/lib/$triplet/libz.so.1")" "$lib/"
	ln -s "$triplet/$ld" "$dir.tmp/lib/$ld"
	rm -rf "$dir.tmp/deb" "$dir.tmp/x"
	emu=qemu-${triplet%%-*}-static
	if command -v "$emu" >/dev/null; then
		"$emu" -L "$dir.tmp" "$dir.tmp/usr/sbin/bpftool" version >/dev/null ||
			die "the $arch bpftool in $dir.tmp does not run with its libraries ($emu -L $dir.tmp)"
	fi
	echo "$want" >"$dir.tmp/.ok"
	rm -rf "$dir"; mv "$dir.tmp" "$dir"
	say "$arch VM tools ready in $dir"
}

# The arm64 VM suite: QEMU for arm64 and its kernel; from an x86_64 host also the cross
# build's libraries (bpftool's libelf and zlib come from there) and the VM's own tools, while
# an arm64 host's VM takes the host's busybox and bpftool, as an x86_64 one does.
vm_arm64() {
	local native=""
	[ "$(host_arch)" = arm64 ] && native=busybox-static
	if is_bookworm; then
		apt_install qemu-system-arm cpio $native
	else
		command -v qemu-system-aarch64 >/dev/null || die "missing qemu-system-aarch64; install it with your distribution's packages"
	fi
	kernel arm64
	[ -z "$native" ] || return 0
	cross arm64
	is_bookworm || [ -f "$CACHE/vmroot-arm64/.ok" ] ||
		die "not Debian 12: put arm64 busybox, bpftool and its libraries in $CACHE/vmroot-arm64/{bin,usr/sbin,lib} and touch .ok"
	if is_bookworm; then vmroot arm64 aarch64-linux-gnu; fi
}

# the cross step when ARCH is not this host's architecture
cross_for_target() {
	[ "$(target_arch)" = "$(host_arch)" ] || cross "$(target_arch)"
}

# apt-get or apt-cache on a private list of trixie and trixie-backports in $CACHE/apt-trixie:
# trixie's libraries (glibc 2.38+) must never become candidates for the host's own apt
trixie_apt() { # apt-get|apt-cache args...
	local d="$CACHE/apt-trixie" tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/none" \
		-o Dir::Etc::Preferences="$d/none/preferences" -o Dir::Etc::PreferencesParts="$d/none" \
		-o Dir::State::Lists="$d/lists" -o Dir::State::status="$d/status" -o Dir::Cache="$d/cache" \
		-o APT::Architectures::=amd64 -o APT::Architecture=amd64 -o APT::Sandbox::User=root \
		-o Acquire::Languages=none "$@"
}

# the library packages (lib*, zlib1g) that the trixie-backports candidates of PKGS depend on
trixie_libdeps() { # pkgs...
	trixie_apt apt-cache depends -t trixie-backports --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$@" 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^(lib|zlib1g)/ { print $2 }' | sort -u
}

# what the loader of ROOT cannot find for ROOT's BIN, one soname a line (it stops at the
# first library whose own dependency is missing, hence the error form)
missing_libs() { # root bin
	{ chroot "$1" /usr/lib64/ld-linux-x86-64.so.2 --list "$2" 2>&1 || true; } |
		sed -n 's/^\t\([^ ]*\) => not found.*/\1/p; s/.*error while loading shared libraries: \([^:]*\):.*/\1/p'
}

# linux-perf from trixie-backports with every library it loads, in $CACHE/perf/<version>/:
# perf, lib/ (the libraries and trixie's loader). Which packages hold the libraries is found by
# asking the loader: the library dependencies of what is unpacked so far are added, a level
# at a time, until it finds every one.
perf_tool() {
	local cur="$CACHE/perf/current"
	if [ -L "$cur" ] && [ -f "$cur/.ok" ]; then return 0; fi
	command -v apt-get >/dev/null || die "perf 7.3 comes from Debian trixie-backports; without apt-get put perf and its libraries in $cur/{perf,lib/} and touch $cur/.ok"
	[ "$(id -u)" = 0 ] || die "fetching perf needs root (apt-get download, chroot to ask trixie's loader); run 'sudo scripts/deps.sh bench'"
	local apt="$CACHE/apt-trixie"
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/none"
	: >>"$apt/status"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' \
		trixie trixie-backports >"$apt/sources.list"
	say "apt-get update (private trixie list in $apt)"
	trixie_apt apt-get update -qq >/dev/null || die "cannot read the trixie package lists; check the network, then rm -rf $apt and retry"
	local ver
	ver=$(trixie_apt apt-cache madison linux-perf | awk -F' *[|] *' '$3 ~ / trixie-backports\// { print $2; exit }')
	[ -n "$ver" ] || die "trixie-backports offers no linux-perf; see 'apt-cache madison linux-perf' with the list in $apt"
	local dir="$CACHE/perf/$ver" pkgs new miss round
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/deb" "$dir.tmp/root" "$dir.tmp/lib"
	pkgs="linux-perf $(trixie_libdeps linux-perf)"
	new=$pkgs
	for round in 1 2 3 4 5 6 7 8; do
		# shellcheck disable=SC2086 # package lists
		( cd "$dir.tmp/deb" && trixie_apt apt-get download -qq -t trixie-backports $new >/dev/null ) ||
			die "cannot download $new from trixie"
		for d in "$dir.tmp"/deb/*.deb; do dpkg-deb -x "$d" "$dir.tmp/root"; done
		rm -f "$dir.tmp"/deb/*.deb
		miss=$(missing_libs "$dir.tmp/root" /usr/bin/perf)
		[ -n "$miss" ] || break
		# shellcheck disable=SC2086
		new=$(trixie_libdeps $pkgs | grep -vxF -f <(printf '%s\n' $pkgs) || true)
		[ -n "$new" ] || die "perf $ver needs $(echo $miss), which no library dependency of its packages provides"
		pkgs="$pkgs $new"
	done
	[ -z "$miss" ] || die "perf $ver still misses $(echo $miss) after $round rounds of dependencies"
	chroot "$dir.tmp/root" /usr/lib64/ld-linux-x86-64.so.2 --list /usr/bin/perf |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
			cp -L "$dir.tmp/root$lib" "$dir.tmp/lib/"
		done
	cp -L "$dir.tmp/root/usr/lib64/ld-linux-x86-64.so.2" "$dir.tmp/lib/"
	cp "$dir.tmp/root/usr/bin/perf" "$dir.tmp/perf"
	"$dir.tmp/lib/ld-linux-x86-64.so.2" --library-path "$dir.tmp/lib" "$dir.tmp/perf" --version >/dev/null ||
		die "perf $ver does not run with its own libraries from $dir.tmp/lib"
	rm -rf "$dir.tmp/deb" "$dir.tmp/root"
	echo "$ver" >"$dir.tmp/version"
	touch "$dir.tmp/.ok"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	ln -sfn "$ver" "$cur"
	rm -rf "$apt"
	say "perf $ver ready in $dir"
}

bench() {
	if is_bookworm; then
		apt_install gnuplot-nox rt-tests stress-ng
	else
		local miss=() c
		for c in gnuplot cyclictest hackbench stress-ng; do command -v "$c" >/dev/null || miss+=("$c"); done
		[ ${#miss[@]} -eq 0 ] || die "missing ${miss[*]}; install them with your distribution's packages"
	fi
	perf_tool
}

case "$what" in
check) check ;;
toolchain) toolchain; cross_for_target ;;
platform) platform ;;
kernel) kernel "$(target_arch)" ;;
kernel-arm64) kernel arm64 ;;
cross-arm64) toolchain; cross arm64 ;;
vm-arm64) vm_arm64 ;;
bench) bench ;;
all) toolchain; cross_for_target; platform; kernel "$(target_arch)"; if [ "$(target_arch)" = arm64 ]; then vm_arm64; fi ;;
clang) find_clang ;;
*) echo "usage: scripts/deps.sh [check|toolchain|platform|kernel|kernel-arm64|cross-arm64|vm-arm64|bench|all]" >&2; exit 1 ;;
esac
