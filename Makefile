# scx_errata: sched_ext scheduler that keeps vCPUs inside errata windows on their core type.
# `make help` lists the targets.

# ARCH=x86_64 or aarch64 (also amd64, x86, arm64): this host's by default. Another one is a
# cross build (arm64 on x86_64: scripts/deps.sh cross-arm64), in build-<arch>/ by default.
HOSTARCH := $(shell uname -m)
ARCH ?= $(HOSTARCH)
override ARCH := $(patsubst arm64,aarch64,$(patsubst x86,x86_64,$(patsubst amd64,x86_64,$(ARCH))))
ifeq ($(filter x86_64 aarch64,$(ARCH)),)
$(error ARCH=$(ARCH): scx_errata builds for x86_64 and aarch64 (arm64))
endif
SRCARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
CROSS := $(filter-out $(HOSTARCH),$(ARCH))
O ?= build$(if $(CROSS),-$(ARCH))
BUILD := $(abspath $(O))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(patsubst $(BUILD)/%,%,$(2))';
endif

CLANG ?= $(shell command -v clang-21 || command -v clang-20 || command -v clang-19 || command -v clang-18 || command -v clang-17 || echo clang)
BPFTOOL ?= bpftool
CC ?= cc
VMLINUX_H := vmlinux/$(ARCH)/vmlinux.h

CFLAGS ?= -O2 -g
# what the sources need, kept when CFLAGS=... on the command line replaces the line above
override CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	  -Iinclude -Iuser -I$(BUILD)

# STATIC=1 links every program statically, the default of a cross build: one file to copy
# to the arm64 machine or VM
STATIC ?= $(if $(CROSS),1,0)
PKG_CONFIG ?= pkg-config
ifneq ($(CROSS),)
# aarch64-linux-gnu-gcc against libbpf, libelf and zlib for arm64 under SYSROOT (unpacked
# there by scripts/deps.sh cross-arm64; SYSROOT= takes them from a multiarch install in /usr)
CROSS_COMPILE ?= $(ARCH)-linux-gnu-
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
SYSROOT ?= $(or $(SCX_ERRATA_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/scx_errata)/sysroot-$(SRCARCH)
PKG_CONFIG_ENV := PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(ARCH)-linux-gnu/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(SYSROOT)
override CFLAGS += $(shell $(PKG_CONFIG_ENV) $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
# STATIC=0: where the linker finds what libbpf.so needs (libelf.so.1, libz.so.1)
LDFLAGS += -Wl,-rpath-link,$(SYSROOT)/usr/lib/$(ARCH)-linux-gnu:$(SYSROOT)/lib/$(ARCH)-linux-gnu
# how make unit runs the tests (qemu-user-static, from the same deps step)
EMULATOR ?= qemu-$(ARCH)-static
# the VM suite of a cross build is arm64's (tests/vm/TESTS.arm64, scripts/deps.sh vm-arm64)
comma := ,
CROSS_GOALS := test demo bench fuzz check-asan $(if $(filter aarch64,$(ARCH)),,vmtest)
ifneq ($(filter $(CROSS_GOALS),$(MAKECMDGOALS)),)
$(error make $(filter $(CROSS_GOALS),$(MAKECMDGOALS)) ARCH=$(ARCH): not in a cross build; make ARCH=$(ARCH) all progs unit builds and tests what there is$(if $(filter aarch64,$(ARCH)),$(comma) make vmtest ARCH=$(ARCH) runs the arm64 VM suite))
endif
endif
OBJCOPY ?= $(CROSS_COMPILE)objcopy
ifeq ($(STATIC),1)
LDFLAGS += -static
endif
LDLIBS += $(shell $(PKG_CONFIG_ENV) $(PKG_CONFIG) $(if $(filter 1,$(STATIC)),--static) --libs libbpf 2>/dev/null || \
	echo -lbpf -lelf -lz)

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(SRCARCH) -D__bpf__ \
	-fms-extensions -Wno-microsoft-anon-tag -Wall -Wno-unused-function \
	-I$(dir $(VMLINUX_H)) -Iinclude -Ibpf

# every user/*.c but the entry point is a library module shared with the unit tests
USER_MAIN := user/scx_errata.c
USER_LIB := $(filter-out $(USER_MAIN),$(wildcard user/*.c))
USER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(USER_LIB))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRCS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
# test programs that run inside the VM: tests/vm/progs/x.c (+ optional x.bpf.c) -> build/tests/x
VMPROG_SRCS := $(wildcard tests/vm/progs/*.c)
VMPROG_BPF := $(wildcard tests/vm/progs/*.bpf.c)
VMPROGS := $(patsubst tests/vm/progs/%.c,$(BUILD)/tests/%,$(filter-out %.bpf.c,$(VMPROG_SRCS)))
VMPROG_SKELS := $(patsubst tests/vm/progs/%.bpf.c,$(BUILD)/%.skel.h,$(VMPROG_BPF))
# guest code assembled for the test VMM: tests/vm/guest/x.S -> build/tests/guest/x.bin
# (x86 16-bit real mode; x_arm64.S: AArch64, for e2e_vmm on arm64)
ifeq ($(SRCARCH),x86)
GUEST_SRCS := $(filter-out %_arm64.S,$(wildcard tests/vm/guest/*.S))
else
GUEST_SRCS := $(wildcard tests/vm/guest/*_$(SRCARCH).S)
endif
GUEST_BINS := $(patsubst tests/vm/guest/%.S,$(BUILD)/tests/guest/%.bin,$(GUEST_SRCS))
# churn_vmm sets x86 registers for its real-mode guests: x86 only so far
ifneq ($(SRCARCH),x86)
VMPROGS := $(filter-out $(BUILD)/tests/churn_vmm,$(VMPROGS))
endif

# sanitizer builds (make check-asan, make fuzz): clang, whose ASan/UBSan and libFuzzer
# runtimes come with scripts/deps.sh platform; SAN_CFLAGS come after CFLAGS
SAN_CC ?= $(CLANG)
SAN_CFLAGS ?= -O1 -g -fno-omit-frame-pointer
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_OBJS := $(patsubst %.c,$(BUILD)/asan/%.o,$(USER_LIB) $(UNIT_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRCS))
FUZZ_ALL_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_NAMES))
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(USER_LIB))
FUZZ_SECONDS ?= 60
# FUZZ=cpulist or FUZZ=fuzz_cpulist (several: FUZZ="cpulist qmp")
FUZZ_SEL := $(if $(FUZZ),$(foreach f,$(FUZZ),$(if $(filter fuzz_%,$(f)),$(f),fuzz_$(f))),$(FUZZ_NAMES))
ifneq ($(filter fuzz,$(MAKECMDGOALS)),)
ifneq ($(filter-out $(FUZZ_NAMES),$(FUZZ_SEL)),)
$(error FUZZ=$(FUZZ): no such fuzz target; there are $(FUZZ_NAMES:fuzz_%=%))
endif
endif

DEPS_STAMP := $(BUILD)/.deps-toolchain
VMDEPS_STAMP := $(BUILD)/.deps-platform
# the sanitizer and libFuzzer runtimes (scripts/deps.sh platform), without the test kernel
SANDEPS_STAMP := $(BUILD)/.deps-sanitizers
# make bench's tools: gnuplot, rt-tests, stress-ng and perf 7.3 (scripts/deps.sh bench)
BENCHDEPS_STAMP := $(BUILD)/.deps-bench

# Only these goals install packages (scripts/deps.sh: apt on Debian 12). Any other build,
# a plain `make` included, checks the toolchain and stops with one line naming what is
# missing: building must never change the host's packages behind its owner's back.
INSTALLING_GOALS := deps test demo vmtest vminputs bench vmlinux fuzz check-asan
NONBUILDING_GOALS := help clean uninstall
ifneq ($(filter $(INSTALLING_GOALS),$(MAKECMDGOALS)),)
TOOLCHAIN := $(DEPS_STAMP)
SANRUNTIME := $(SANDEPS_STAMP)
else
TOOLCHAIN :=
SANRUNTIME :=
ifneq ($(filter-out $(NONBUILDING_GOALS),$(or $(MAKECMDGOALS),all)),)
TOOLCHAIN_MISSING := $(shell $(PKG_CONFIG_ENV) ARCH=$(ARCH) CLANG='$(CLANG)' BPFTOOL='$(BPFTOOL)' CC='$(CC)' \
	scripts/deps.sh check 2>&1 >/dev/null)
ifneq ($(TOOLCHAIN_MISSING),)
$(error $(TOOLCHAIN_MISSING))
endif
endif
endif

# one architecture per build dir: objects of two would mix (BPF ones without a link error)
ifneq ($(filter-out $(NONBUILDING_GOALS),$(or $(MAKECMDGOALS),all)),)
BUILT_ARCH := $(patsubst $(BUILD)/.arch-%,%,$(wildcard $(BUILD)/.arch-*))
ifneq ($(filter-out $(ARCH),$(BUILT_ARCH)),)
$(error O=$(O) holds a build for $(BUILT_ARCH), not ARCH=$(ARCH): use another O=, or make clean O=$(O))
endif
$(shell mkdir -p $(BUILD) && touch $(BUILD)/.arch-$(ARCH))
endif

# make install [PREFIX=/usr/local] [DESTDIR=staging root]. The unit goes under PREFIX too:
# systemd reads /usr/local/lib/systemd/system as well as /usr/lib/systemd/system.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/scx_errata
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL ?= install

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps test unit vmtest vminputs demo bench vmlinux clean help check-usage install uninstall \
	fuzz check-asan progs

all: $(BUILD)/scx_errata

help:
	@echo 'scx_errata make targets (build dir: O=$(O), verbose: V=1, architecture: ARCH=$(ARCH))'
	@echo '  all       build $(O)/scx_errata (BPF object, skeleton, loader)'
	@echo '  progs     build the unit tests and the programs the VM tests run, run nothing'
	@echo '  test      everything: unit tests (also under ASan+UBSan), brief fuzzing, then the VM'
	@echo '            tests; closes with "N passed, N failed"'
	@echo '  unit      user-space unit tests only (no VM)'
	@echo '  check-asan the unit tests built with ASan+UBSan in $(O)/asan/; closes with'
	@echo '            "asan: N passed, N failed"'
	@echo '  fuzz      each libFuzzer target (tests/fuzz/) for FUZZ_SECONDS=$(FUZZ_SECONDS) on a copy of its'
	@echo '            seed corpus in $(O)/fuzz/; FUZZ=name runs one of:'
	@echo '            $(FUZZ_NAMES:fuzz_%=%)'
	@echo '  vmtest    VM tests under QEMU on the sched_ext kernel; T=name runs one (T=list lists)'
	@echo '  demo      run the scheduler: on this host if it has sched_ext and we are root, else in the VM'
	@echo '  bench     benchmarks in the VM at 4 and 8 CPUs (docs/benchmarks.md): results.tsv, a summary'
	@echo '            and a plot per benchmark in $(O)/bench/; T=name runs one, BENCH_DOCS=1 copies'
	@echo '            the plots to docs/bench/'
	@echo '  deps      install toolchain, QEMU and the test kernel (scripts/deps.sh); test, demo,'
	@echo '            vmtest, bench, vmlinux, fuzz and check-asan do it as needed, other targets'
	@echo '            only check the toolchain'
	@echo '  vmlinux   regenerate $(VMLINUX_H) from the cached test kernel'
	@echo '  install   under $$(DESTDIR)$(PREFIX) (PREFIX=, DESTDIR=): sbin/scx_errata, the man page,'
	@echo '            the systemd unit in lib/systemd/system/, the example config in'
	@echo '            share/doc/scx_errata/; /etc/scx_errata.conf is never written'
	@echo '  uninstall remove what install put there (systemctl disable --now scx_errata first)'
	@echo '  clean     remove the build dir'
	@echo 'ARCH=arm64 on x86_64 cross-builds static arm64 programs into build-aarch64/ with'
	@echo 'aarch64-linux-gnu-gcc (make deps ARCH=arm64 installs it); make unit ARCH=arm64 runs'
	@echo 'the unit tests under qemu-aarch64-static, make vmtest ARCH=arm64 the arm64 VM suite'
	@echo '(tests/vm/TESTS.arm64). STATIC=1 links statically (default: cross only).'

deps:
	$(Q)ARCH=$(ARCH) scripts/deps.sh all

$(DEPS_STAMP): scripts/deps.sh
	$(call msg,DEPS,toolchain)
	$(Q)mkdir -p $(BUILD) && ARCH=$(ARCH) scripts/deps.sh toolchain && touch $@

$(VMDEPS_STAMP): scripts/deps.sh
	$(call msg,DEPS,qemu+kernel)
	$(Q)mkdir -p $(BUILD) && $(if $(filter aarch64,$(ARCH)),ARCH=$(ARCH) scripts/deps.sh vm-arm64,scripts/deps.sh platform && ARCH=$(ARCH) scripts/deps.sh kernel) && touch $@

$(SANDEPS_STAMP): scripts/deps.sh
	$(call msg,DEPS,sanitizer runtimes)
	$(Q)mkdir -p $(BUILD) && scripts/deps.sh platform && touch $@

$(BENCHDEPS_STAMP): scripts/deps.sh
	$(call msg,DEPS,bench tools)
	$(Q)mkdir -p $(BUILD) && scripts/deps.sh bench && touch $@

vmlinux: $(VMDEPS_STAMP) | $(TOOLCHAIN)
	$(Q)ARCH=$(ARCH) scripts/gen-vmlinux.sh

# BPF objects and skeletons. bpftool >= 7.5 emits `map->link` in struct_ops skeletons,
# a field libbpf 1.4's bpf_map_skeleton lacks; libbpf walks the array by map_skel_sz, so
# dropping that assignment is safe with either version.
$(BUILD)/%.bpf.o: bpf/%.bpf.c bpf/*.h include/*.h $(VMLINUX_H) | $(TOOLCHAIN)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: tests/vm/progs/%.bpf.c tests/vm/progs/*.h include/*.h $(VMLINUX_H) | $(TOOLCHAIN)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) | sed '/map\.link = \|->link = /d' >$@

$(BUILD)/user/%.o: user/%.c include/*.h user/*.h $(SKELS) | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

# the errata table is assembled into the binary with .incbin
$(BUILD)/user/errata_db_builtin.o: data/errata.db

$(BUILD)/scx_errata: $(BUILD)/user/scx_errata.o $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# unit tests link every user module except the entry point
$(BUILD)/tests/unit/%.o: tests/unit/%.c tests/unit/unit.h include/*.h user/*.h | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Itests/unit -c $< -o $@

$(BUILD)/unit-tests: $(UNIT_OBJS) $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/vm/progs/%.c tests/vm/progs/*.h $(VMPROG_SKELS) $(USER_OBJS) include/*.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Itests/vm/progs $(LDFLAGS) $< $(USER_OBJS) $(LDLIBS) -lpthread -o $@

$(BUILD)/tests/scxe_guest: examples/guest/scxe_guest.c include/scx_errata_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(LDFLAGS) $< -o $@

$(BUILD)/tests/guest/%.bin: tests/vm/guest/%.S $(wildcard tests/vm/guest/*.h) include/*.h
	$(call msg,AS,$@)
	$(Q)mkdir -p $(@D) && $(CC) -c -Iinclude -nostdlib -o $(@D)/$*.o $< && \
		$(OBJCOPY) -O binary -j .text $(@D)/$*.o $@

unit: $(BUILD)/unit-tests
	$(Q)$(if $(EMULATOR),command -v $(EMULATOR) >/dev/null || { echo "make unit ARCH=$(ARCH): no \
		$(EMULATOR) to run the tests; scripts/deps.sh cross-$(SRCARCH) installs qemu-user-static" >&2; \
		exit 1; };) $(EMULATOR) $(BUILD)/unit-tests

# the guest-side example reader also runs in the VM tests (plain C, no libbpf)
GUEST_READER := $(if $(wildcard examples/guest/scxe_guest.c),$(BUILD)/tests/scxe_guest)
VM_INPUTS := $(BUILD)/scx_errata $(VMPROGS) $(GUEST_BINS) $(GUEST_READER)

progs: $(VM_INPUTS) $(BUILD)/unit-tests

vmtest: $(VM_INPUTS) $(VMDEPS_STAMP)
	$(Q)SCXE_ARCH=$(ARCH) BUILD=$(BUILD) tests/vm/run.sh $(if $(T),$(T))

# what a VM suite needs, built and installed, without running it (make test's arm64 half)
vminputs: $(VM_INPUTS) $(VMDEPS_STAMP)

# The README's test command: unit tests (also under ASan+UBSan), brief fuzzing, then the VM
# suites, one closing count. On x86_64 the arm64 suite runs beside the x86_64 one (each VM
# takes one host core) from a cross build in $(BUILD)/arm64; TEST_ARM64=0 leaves it out.
TEST_ARM64 ?= $(if $(filter x86_64,$(ARCH)),1,0)
ARM64_BUILD := $(BUILD)/arm64
test: $(BUILD)/unit-tests $(BUILD)/asan/unit-tests $(FUZZ_ALL_BINS) $(VM_INPUTS) $(VMDEPS_STAMP)
ifeq ($(TEST_ARM64),1)
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 O=$(ARM64_BUILD) vminputs
endif
	$(Q)BUILD=$(BUILD) ARM64_BUILD=$(if $(filter 1,$(TEST_ARM64)),$(ARM64_BUILD)) tests/run-all.sh

# ---- sanitizers and fuzzing (docs/reliability.md) --------------------------------------
# The unit tests and every library module are rebuilt instrumented in $(BUILD)/asan/ and
# $(BUILD)/fuzz/obj/.

$(BUILD)/asan/user/%.o: user/%.c include/*.h user/*.h $(SKELS) | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(SAN_CC) $(CFLAGS) $(SAN_CFLAGS) $(SANITIZE) -c $< -o $@

$(BUILD)/asan/user/errata_db_builtin.o: data/errata.db

# the runner names its closing line after the build: "asan: N passed, N failed"
$(BUILD)/asan/tests/unit/%.o: tests/unit/%.c tests/unit/unit.h include/*.h user/*.h | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(SAN_CC) $(CFLAGS) $(SAN_CFLAGS) $(SANITIZE) -Itests/unit \
		-DUNIT_PART='"asan"' -c $< -o $@

$(BUILD)/asan/unit-tests: $(ASAN_OBJS) | $(SANRUNTIME)
	$(call msg,LINK,$@)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) $(SANITIZE) $(LDFLAGS) $^ $(LDLIBS) -o $@

check-asan: $(BUILD)/asan/unit-tests
	$(Q)UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} $(BUILD)/asan/unit-tests

# library modules with coverage for libFuzzer; each target links them all (not the entry point)
$(BUILD)/fuzz/obj/user/%.o: user/%.c include/*.h user/*.h $(SKELS) | $(TOOLCHAIN)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(SAN_CC) $(CFLAGS) $(SAN_CFLAGS) $(SANITIZE) -fsanitize=fuzzer-no-link \
		-c $< -o $@

$(BUILD)/fuzz/obj/user/errata_db_builtin.o: data/errata.db

$(FUZZ_ALL_BINS): $(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OBJS) | $(SANRUNTIME)
	$(call msg,FUZZ,$@)
	$(Q)$(SAN_CC) $(CFLAGS) $(SAN_CFLAGS) $(SANITIZE) -fsanitize=fuzzer -Itests/fuzz $(LDFLAGS) \
		$< $(FUZZ_OBJS) $(LDLIBS) -lpthread -o $@

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_SEL))
	$(Q)BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_SEL)

demo: $(VM_INPUTS) $(VMDEPS_STAMP)
	$(Q)BUILD=$(BUILD) scripts/demo.sh

# one boot of 4 CPUs and one of 8, then the report in $(O)/bench/; T=name runs one benchmark,
# BENCH_DOCS=1 copies the plots to docs/bench/ (BENCH_SECS, BENCH_REPS...: docs/benchmarks.md)
bench: $(VM_INPUTS) $(VMDEPS_STAMP) $(BENCHDEPS_STAMP)
	$(Q)BUILD=$(BUILD) tests/vm/bench.sh $(T)

# The unit's ExecStart names the installed binary; the man page is compressed without a
# timestamp (gzip -n) so that two installs of one tree are byte-identical.
install: $(BUILD)/scx_errata
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(DOCDIR)
	$(Q)$(INSTALL) -m 0755 $(BUILD)/scx_errata $(DESTDIR)$(SBINDIR)/scx_errata
	$(Q)gzip -n -9 -c docs/scx_errata.8 >$(DESTDIR)$(MANDIR)/man8/scx_errata.8.gz
	$(Q)chmod 0644 $(DESTDIR)$(MANDIR)/man8/scx_errata.8.gz
	$(Q)sed 's|^ExecStart=[^ ]*|ExecStart=$(SBINDIR)/scx_errata|' examples/systemd/scx_errata.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/scx_errata.service
	$(Q)grep -q '^ExecStart=$(SBINDIR)/scx_errata ' $(DESTDIR)$(SYSTEMDUNITDIR)/scx_errata.service || \
		{ echo 'install: no ExecStart= line to point at $(SBINDIR)/scx_errata in examples/systemd/scx_errata.service' >&2; \
		  rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/scx_errata.service; exit 1; }
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/scx_errata.service
	$(Q)$(INSTALL) -m 0644 examples/scx_errata.conf $(DESTDIR)$(DOCDIR)/scx_errata.conf

uninstall:
	$(call msg,RM,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/scx_errata $(DESTDIR)$(MANDIR)/man8/scx_errata.8.gz \
		$(DESTDIR)$(SYSTEMDUNITDIR)/scx_errata.service $(DESTDIR)$(DOCDIR)/scx_errata.conf
	$(Q)rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
