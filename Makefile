# SPDX-License-Identifier: GPL-2.0-or-later
# vmmc - terminal management console for virtual machines.
#   make            build ./vmmc (installs missing Debian packages when root)
#   make run        build, then run the console (local hypervisor, else demo host)
#   make check      set up and run every test, plain and under ASan+UBSan
#   make bench      benchmarks, side by side with virsh
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        a Debian package, built in a scratch copy (DEBDIR=dist)
#   make soak       the monkey test under ASan+UBSan, 10 minutes (SOAK_SECONDS, SOAK_SEED)
#   make soak-hosts one hour, 100 ssh:// hosts: RSS growth < 5 % (SOAK_HOSTS_SECONDS; root)
VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/vmmc
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
DEBDIR    ?= dist
CC        ?= cc
FUZZ_CC   ?= clang

PKGS      := libvirt libxml-2.0 libosinfo-1.0 ncursesw panelw vterm libssh libxcrypt libvirt-qemu libarchive
TEST_PKGS := cmocka

WARN      := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
WERROR    ?= -Werror
OPT       ?= -O2 -g
VTERM_VERSION = $(shell pkg-config --modversion vterm 2>/dev/null || echo unknown)
CPPFLAGS  += -D_GNU_SOURCE -DVMMC_VERSION='"$(VERSION)"' -DVMMC_DATADIR='"$(DATADIR)"' \
	     -DVMMC_VTERM_VERSION='"$(VTERM_VERSION)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS  = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Build flavours: B=build (plain) or B=build-asan (sanitizers).
B ?= build
ifeq ($(B),build-asan)
  XFLAGS := $(SAN_FLAGS) -O1 -g
else ifeq ($(B),build-fuzz)
  # libFuzzer targets (tests/fuzz): the library built by clang with coverage
  CC     := $(FUZZ_CC)
  XFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined -O1 -g -Wno-missing-field-initializers
else
  XFLAGS := $(OPT)
endif
ALL_CFLAGS = -std=gnu11 $(WARN) $(WERROR) $(XFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -pthread -MMD -MP

LIB_SRC  := $(sort $(wildcard core/*.c backend/*.c remote/*.c tui/*.c wizards/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/main.o
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: all deps deps-test run check check-plain check-asan unit screen e2e layering spdx pkg deb bench install install-files uninstall clean man-check demo-check fuzz fuzz-build fuzz-check vcsim print-libs soak soak-hosts
all: deps
	@$(MAKE) --no-print-directory vmmc

# ---- dependencies ---------------------------------------------------------
# Installs missing Debian packages when run as root, else prints the command.
deps:
	@sh mk/deps.sh build
deps-test:
	@sh mk/deps.sh build test

# ---- build ----------------------------------------------------------------
vmmc: $(B)/vmmc
	cp $< $@.tmp && mv -f $@.tmp $@

$(B)/vmmc: $(MAIN_OBJ) $(B)/libvmmc.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(B)/libvmmc.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libvmmc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(B)/libvmmc.a $(PKG_LIBS) $(TEST_LIBS) -lm

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:=.d)

# the link flags of libvmmc.a's libraries (tests/bench/build-xfer-bench.sh)
print-libs:
	@echo $(PKG_LIBS) -lm

# ---- run ------------------------------------------------------------------
run: all
	./vmmc $(ARGS)

# ---- tests ----------------------------------------------------------------
# check: everything, plain build with -Werror, then again under ASan+UBSan.
# The screen tests and the ssh suite run under ASan only: that run checks
# all a plain one would and more, and the plain -O2 binary is what every
# other e2e suite drives. The unit tests run in both (an optimiser's or a
# timing's difference shows there first).
check: deps-test
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory check-asan
	@echo "make check: all suites passed"

check-plain:
	@$(MAKE) --no-print-directory B=build vmmc
	@$(MAKE) --no-print-directory layering spdx man-check
	@$(MAKE) --no-print-directory B=build unit
	@$(MAKE) --no-print-directory fuzz-check
	@$(MAKE) --no-print-directory B=build e2e E2E_SUITES="$(filter-out tests/e2e/ssh.sh,$(E2E_SUITES))"
	@$(MAKE) --no-print-directory B=build pkg

check-asan:
	@$(MAKE) --no-print-directory B=build-asan build-asan/vmmc
	@$(MAKE) --no-print-directory B=build-asan unit
	@$(MAKE) --no-print-directory B=build-asan screen
	@$(MAKE) --no-print-directory B=build-asan e2e E2E_SUITES=tests/e2e/ssh.sh
	@$(MAKE) --no-print-directory soak SOAK_SECONDS=60

unit: $(TEST_BIN)
	@tests/run-unit.sh $(TEST_BIN)

screen: $(B)/vmmc
	@VMMC_BIN=$(abspath $(B)/vmmc) tests/screen/run.sh

# real libvirtd, real guests: each suite prints "NAME: N passed, M failed"
E2E_SUITES := $(wildcard tests/guest/selftest.sh tests/e2e/run.sh tests/e2e/console.sh tests/e2e/stats.sh tests/e2e/ssh.sh tests/e2e/storage_ssh.sh tests/e2e/storage_ui.sh tests/e2e/newvm.sh tests/e2e/drivers.sh tests/e2e/integ.sh tests/e2e/graphics.sh tests/e2e/settings.sh tests/e2e/install.sh tests/e2e/customize.sh tests/e2e/scale.sh tests/e2e/media.sh tests/e2e/faults.sh)
# the ESX simulator tests/e2e/drivers.sh and make bench use (Debian's Go
# packages only, offline; cached in build/)
vcsim:
	@mk/vcsim.sh $(abspath build/vmmc-vcsim)

e2e: $(B)/vmmc
	@rc=0; for s in $(E2E_SUITES); do VMMC_BIN=$(abspath $(B)/vmmc) bash $$s || rc=1; done; exit $$rc

# the package, completion, manuals, the debug log (tests/pkg/run.sh)
pkg: $(B)/vmmc
	@sh mk/deps.sh pkg
	@VMMC_BIN=$(abspath $(B)/vmmc) bash tests/pkg/run.sh

layering:
	@tests/layering.sh

# every source file names its license (mk/spdx.sh --fix adds the line)
spdx:
	@mk/spdx.sh --check

man-check: $(B)/vmmc
	@tests/man-check.sh $(B)/vmmc

# libFuzzer targets (tests/fuzz/fuzz_*.c), built by clang into build-fuzz/:
# `make fuzz` runs each for FUZZ_SECONDS (default 120), `make fuzz-check`
# over its seed corpus and 10 s more (about 1 min for all; in check-plain)
FUZZ_SECONDS ?= 120
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
fuzz-build:
	@$(MAKE) --no-print-directory B=build-fuzz $(FUZZ_BIN)
fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)
fuzz-check: fuzz-build
	@tests/fuzz/run.sh 10 $(FUZZ_BIN)
build-fuzz/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_file.h build-fuzz/libvmmc.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libvmmc.a $(PKG_LIBS) -lm

bench: deps-test
	@$(MAKE) --no-print-directory B=build vmmc
	@tests/bench/run.sh $(abspath build/vmmc)
	@tests/bench/stats.sh $(abspath build/vmmc)
	@tests/bench/console.sh $(abspath build/vmmc)
	@tests/bench/ssh.sh $(abspath build/vmmc)
	@tests/bench/storage.sh
	@tests/bench/xfer_ui.sh $(abspath build/vmmc)
	@tests/bench/newvm.sh $(abspath build/vmmc)
	@tests/bench/esx.sh $(abspath build/vmmc)
	@tests/bench/settings.sh $(abspath build/vmmc)
	@tests/bench/install.sh $(abspath build/vmmc)
	@tests/bench/hosts.sh $(abspath build/vmmc)
	@tests/bench/integ.sh $(abspath build/vmmc)

# the monkey test (tests/soak/monkey.sh) under ASan+UBSan: random keys,
# resizes and mouse events for SOAK_SECONDS (10 min; check-asan runs 1 min);
# SOAK_SEED=N replays a run
SOAK_SECONDS ?= 600
soak:
	@$(MAKE) --no-print-directory B=build-asan build-asan/vmmc
	@VMMC_BIN=$(abspath build-asan/vmmc) tests/soak/monkey.sh $(SOAK_SECONDS) $(SOAK_SEED)

# the one-hour soak (manual; root): 100 ssh:// hosts on a loopback sshd to the
# machine's libvirtd, two tiny guests running, a Performance view open, a third
# guest made and removed every minute (SOAK_CHURN); RSS sampled every minute,
# growth after the warm-up < 5 % (tests/soak/hosts.sh)
SOAK_HOSTS_SECONDS ?= 3600
soak-hosts:
	@$(MAKE) --no-print-directory B=build build/vmmc
	@VMMC_BIN=$(abspath build/vmmc) nice -n 10 tests/soak/hosts.sh $(SOAK_HOSTS_SECONDS)

# ---- install --------------------------------------------------------------
install: all
	@$(MAKE) --no-print-directory install-files

# what make install and the Debian package put in place (./vmmc built)
install-files:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 vmmc $(DESTDIR)$(BINDIR)/vmmc
	install -m 644 data/demo-host.xml $(DESTDIR)$(DATADIR)/demo-host.xml
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/themes/
	install -m 644 man/vmmc.1 $(DESTDIR)$(MANDIR)/man1/vmmc.1
	install -m 644 man/vmmc.conf.5 $(DESTDIR)$(MANDIR)/man5/vmmc.conf.5
	install -m 644 completion/vmmc.bash $(DESTDIR)$(BASHCOMPDIR)/vmmc
	install -m 644 completion/_vmmc $(DESTDIR)$(ZSHCOMPDIR)/_vmmc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmmc $(DESTDIR)$(MANDIR)/man1/vmmc.1 $(DESTDIR)$(MANDIR)/man5/vmmc.conf.5 \
		$(DESTDIR)$(BASHCOMPDIR)/vmmc $(DESTDIR)$(ZSHCOMPDIR)/_vmmc
	rm -rf $(DESTDIR)$(DATADIR)

# ---- Debian package ---------------------------------------------------------
# dpkg-buildpackage in a scratch copy of the tree (the work tree stays as it
# is); the .deb, .buildinfo and .changes land in $(DEBDIR).
deb:
	@sh mk/deps.sh build pkg
	@mk/debcontrol.sh --check
	@mk/deb.sh $(DEBDIR)

clean:
	rm -rf build build-asan build-fuzz vmmc dist
