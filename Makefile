# ociboot: `make` builds everything, `make check` runs every test,
# `make demo` builds a signed kernel.efi and boots it under QEMU.
#
# Each folder is one subsystem with one FOLDER/FOLDER.mk that lists only its
# own files (see docs/design.md, "Layout"):
#
#   F_USES   the folders F may include and link, all of them (not only the
#            direct ones); each must come before F in FOLDERS
#   F_INIT   sources the init may link: built with musl and with gcc
#   F_HOST   host-only sources: built with gcc only
#   F_MAIN   the source with main() of a program (init, tool): not archived
#   F_TESTLIB  sources only tests and fuzzers link (fixtures)
#   F_TEST_USES  further folders F's tests and fuzzers may use
#   F_TESTS, F_FUZZERS  NAME for F/NAME_test.c, F/NAME_fuzz.c
#   test_NAME_LDFLAGS, fuzz_NAME_LDFLAGS  extra link flags (e.g. --wrap)
#
# Every source is compiled once per toolchain (musl, host, test, fuzz) into
# $(BUILD)/obj/TOOLCHAIN/F/x.o with generated header dependencies, archived
# into $(BUILD)/lib/TOOLCHAIN/F.a; programs, tests and fuzzers link those
# archives, so the linker takes only the objects something calls.
# scripts/check-layers fails the build when an include breaks F_USES or
# init-side code includes a host-only header.

BUILD ?= build
.DEFAULT_GOAL := build
DEPS ?= $(BUILD)/deps
GEN := $(BUILD)/gen
CC := gcc
MUSL_CC := musl-gcc
CLANG := clang
AR := ar

# The folders, lowest first: a folder may use only folders before it.
FOLDERS := lib crypto oci fs tpm net trust service layer ukify init tool

# The kernel the demo and the tests boot: the one Debian's linux-image-amd64
# metapackage points at (not the host's running kernel).
KVER := $(shell scripts/kver 2>/dev/null)
export KVER
KERNEL := /boot/vmlinuz-$(KVER)
MODULES_DIR := /lib/modules/$(KVER)

VERSION := $(shell cat VERSION)
# Fixed time for everything that records one (cpio, signatures, squashfs)
# and the init's clock floor (docs/keys.md): the last commit's time, or the
# SOURCE_DATE_EPOCH given, which a tree without git history must give. No
# default: a build time of 0 would be no floor at all.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH
# The earliest build time accepted (2020-01-01T00:00:00Z).
BUILD_EPOCH_MIN := 1577836800

WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter -Werror
COMMON_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -I$(GEN) \
	-ffile-prefix-map=$(CURDIR)/= -MMD -MP $(WARN)
SECTIONS := -ffunction-sections -fdata-sections

MUSL_CFLAGS := $(COMMON_CFLAGS) -Os -idirafter $(DEPS)/kinc \
	-I$(DEPS)/musl/include $(SECTIONS) \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
INIT_LDFLAGS := -static -Wl,--gc-sections -Wl,--build-id=sha1 \
	-L$(DEPS)/musl/lib
INIT_LIBS := -ltss2-esys -ltss2 -lbearssl

HOST_CFLAGS := $(COMMON_CFLAGS) -O2 -g -I$(DEPS)/host/include $(SECTIONS)
HOST_LDFLAGS := -L$(DEPS)/host/lib -Wl,--gc-sections -Wl,--as-needed
HOST_LIBS := -lsquashfs -lcrypto -lzstd -ltss2-esys -ltss2 -lbearssl

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
TEST_CFLAGS := $(COMMON_CFLAGS) -O1 -g $(SAN) -I$(DEPS)/host/include \
	-DOCIBOOT_TEST
TEST_LDFLAGS := $(SAN) -L$(DEPS)/host/lib -Wl,--as-needed
# Every library any test may need; --as-needed drops the unused ones.
TEST_LIBS := -lcmocka $(HOST_LIBS) -lz
FUZZ_SAN := address,undefined
FUZZ_CFLAGS := $(COMMON_CFLAGS) -O1 -g -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	-I$(DEPS)/host/include -DOCIBOOT_TEST -Wno-missing-prototypes
FUZZ_LDFLAGS := -fsanitize=fuzzer,$(FUZZ_SAN) -L$(DEPS)/host/lib \
	-Wl,--as-needed
FUZZ_LIBS := $(HOST_LIBS) -lz

# Objects of FOLDER's SOURCES for a TOOLCHAIN; the archives of FOLDERS for
# a TOOLCHAIN; archives linked as one group (order-free).
objs = $(addprefix $(BUILD)/obj/$(1)/$(2)/,$(patsubst %.c,%.o,$(3)))
libs = $(foreach u,$(2),$(BUILD)/lib/$(1)/$(u).a)
group = -Wl,--start-group $(1) -Wl,--end-group

# Filled in by the FOLDER/FOLDER.mk files and the other fragments.
tests :=
fuzzers :=
shell_tests :=
qemu_scenarios :=

include $(foreach f,$(FOLDERS),$(f)/$(f).mk)
include $(sort $(wildcard bench/*.mk scripts/*.mk test-qemu/*.mk))

# `make`, `make demo` and `make check` install the packages first and only
# then start the make that builds: what this one computed at start-up
# (KVER above) may have needed those packages.
build: packages
	@$(MAKE) --no-print-directory all

all: $(BUILD)/init $(BUILD)/ociboot $(BUILD)/ukify $(BUILD)/kernel.efi

.PHONY: build all packages deps demo demo-run check check-build \
	check-unit check-fuzz check-shell check-qemu fuzz bench clean FORCE

# --- dependencies ----------------------------------------------------------

packages:
	@scripts/install-packages

deps: $(DEPS)/.built
$(DEPS)/.built: scripts/deps.sh | packages
	rm -f $(DEPS)/.built
	scripts/deps.sh $(DEPS)

# The version and build time, as a header rewritten only when they change,
# so that only what includes it is rebuilt.
$(GEN)/version.h: FORCE
	@case '$(SOURCE_DATE_EPOCH)' in \
	''|*[!0-9]*) t=0 ;; *) t='$(SOURCE_DATE_EPOCH)' ;; esac; \
	[ "$${#t}" -le 11 ] && [ "$$t" -ge $(BUILD_EPOCH_MIN) ] || { \
		echo "no build time: SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)'" \
		"(no git history?); set it to the release's time in seconds" \
		"since 1970, at least $(BUILD_EPOCH_MIN): the init never" \
		"trusts a clock earlier than it" >&2; exit 1; }
	@mkdir -p $(@D)
	@printf '%s\n' '/* Generated by the Makefile from VERSION and' \
		' * SOURCE_DATE_EPOCH. */' \
		'#define OCIBOOT_VERSION "$(VERSION)"' \
		'#define OCIBOOT_BUILD_EPOCH $(SOURCE_DATE_EPOCH)' \
		'_Static_assert(OCIBOOT_BUILD_EPOCH >= $(BUILD_EPOCH_MIN),' \
		'	       "the build time is the clock floor");' > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

# --- the layering rule -------------------------------------------------------

LAYERS_STAMP := $(BUILD)/layers.ok
# The init's main() is init-side; every other program's is host-side.
main_side = $(if $(filter $(2),$(if $(filter init,$(1)),init,host)),$($(1)_MAIN))
layer_spec = $(1):$(strip $($(1)_USES)):$(strip $($(1)_TEST_USES)):$(strip \
	$($(1)_INIT) $(call main_side,$(1),init)):$(strip $($(1)_HOST) \
	$(call main_side,$(1),host)):$(strip $($(1)_TESTLIB))
$(LAYERS_STAMP): scripts/check-layers $(MAKEFILE_LIST) \
		$(wildcard $(addsuffix /*.[ch],$(FOLDERS)))
	@mkdir -p $(@D)
	@scripts/check-layers $(foreach f,$(FOLDERS),"$(call layer_spec,$(f))")
	@touch $@

# --- objects and per-folder libraries --------------------------------------
# One pattern rule a toolchain; every object waits for the third-party
# libraries, the generated header and the layering check.

OBJ_PREREQS := $(DEPS)/.built $(GEN)/version.h $(LAYERS_STAMP)

$(BUILD)/obj/musl/%.o: %.c | $(OBJ_PREREQS)
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/host/%.o: %.c | $(OBJ_PREREQS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(BUILD)/obj/test/%.o: %.c | $(OBJ_PREREQS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/obj/fuzz/%.o: %.c | $(OBJ_PREREQS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

-include $(wildcard $(BUILD)/obj/*/*/*.d)


# folder_lib FOLDER TOOLCHAIN SOURCES: $(BUILD)/lib/TOOLCHAIN/FOLDER.a
define folder_lib
$(BUILD)/lib/$(2)/$(1).a: $(call objs,$(2),$(1),$(3))
	@mkdir -p $$(@D)
	@rm -f $$@
	$(AR) rcsD $$@ $$(sort $$^)
endef
$(foreach f,$(FOLDERS), \
	$(eval $(call folder_lib,$(f),musl,$($(f)_INIT))) \
	$(eval $(call folder_lib,$(f),host,$($(f)_INIT) $($(f)_HOST))) \
	$(eval $(call folder_lib,$(f),test,$($(f)_INIT) $($(f)_HOST) \
		$($(f)_TESTLIB))) \
	$(eval $(call folder_lib,$(f),fuzz,$($(f)_INIT) $($(f)_HOST) \
		$($(f)_TESTLIB))))


# --- the init --------------------------------------------------------------

INIT_ARCHIVES := $(call libs,musl,init $(init_USES))
$(BUILD)/init.debug: $(BUILD)/obj/musl/init/main.o $(INIT_ARCHIVES)
	$(MUSL_CC) $(INIT_LDFLAGS) -o $@ $< $(call group,$(INIT_ARCHIVES)) \
		$(INIT_LIBS)

$(BUILD)/init: $(BUILD)/init.debug
	strip --strip-all -R .comment -o $@ $<

# --- the host tool -----------------------------------------------------------

TOOL_ARCHIVES := $(call libs,host,tool $(tool_USES))
$(BUILD)/ociboot: $(BUILD)/obj/host/tool/main.o $(TOOL_ARCHIVES)
	$(CC) $(HOST_LDFLAGS) -o $@ $< $(call group,$(TOOL_ARCHIVES)) \
		$(HOST_LIBS)

$(BUILD)/ukify: $(BUILD)/ociboot
	ln -sf ociboot $@

# --- the demo's signed kernel.efi --------------------------------------------
# Signed with the db key Debian's OVMF ships enrolled, so QEMU's Secure Boot
# accepts it. Real users pass their own: make SIGN_KEY=... SIGN_CERT=...

SNAKEOIL_KEY := /usr/share/ovmf/PkKek-1-snakeoil.key
SIGN_KEY ?= $(BUILD)/keys/db.key
SIGN_CERT ?= /usr/share/ovmf/PkKek-1-snakeoil.pem
# The initrd's modules: a preset of ukify/modsets.c (`ociboot ukify presets`;
# qemu: the boot chain + virtio), plus any modules named in INITRD_MODULES.
INITRD_PRESET ?= qemu
INITRD_MODULES ?=
export INITRD_PRESET INITRD_MODULES
# The demo product's store: an ext4 disk labelled ocistore, layout at /oci,
# system artifact tagged "system" (test-qemu/product/build makes it).
DEMO_CMDLINE ?= console=ttyS0 quiet oci=LABEL=ocistore:/oci:system
DEMO_DIR := $(BUILD)/demo
CA_CERT ?= $(DEMO_DIR)/keys/ca.pem

$(BUILD)/keys/db.key: | packages
	@mkdir -p $(@D)
	(umask 077 && openssl rsa -in $(SNAKEOIL_KEY) -passin pass:snakeoil \
		-out $@.tmp) && mv $@.tmp $@

# The demo's manifest-signing CA and product key (kept once made).
$(DEMO_DIR)/keys/ca.pem: | $(BUILD)/ociboot
	BUILD=$(BUILD) test-qemu/product/build --keys-only $(DEMO_DIR)

$(BUILD)/initrd.img: $(BUILD)/init $(BUILD)/ociboot $(CA_CERT)
	$(BUILD)/ociboot ukify initrd --init $(BUILD)/init \
		--modules-dir $(MODULES_DIR) \
		--preset $(INITRD_PRESET) $(addprefix --module ,$(INITRD_MODULES)) \
		--ca $(CA_CERT) --quiet --force --output $@
	@scripts/initrd-size --brief $@ || true

$(BUILD)/kernel.efi: $(BUILD)/initrd.img $(SIGN_KEY)
	$(BUILD)/ociboot ukify build --kernel $(KERNEL) \
		--initrd $(BUILD)/initrd.img --cmdline "$(DEMO_CMDLINE)" \
		--key $(SIGN_KEY) --cert $(SIGN_CERT) --quiet --force --output $@

demo: packages
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@scripts/demo

# --- unit tests and fuzzers --------------------------------------------------
# A test or fuzzer of folder F links F's archives, those of F_USES and of
# F_TEST_USES: it names what it tests, not what that needs.

define test_rule
tests += $(2)
$(BUILD)/tests/$(2): $(BUILD)/obj/test/$(1)/$(2)_test.o \
		$(call libs,test,$(1) $($(1)_USES) $($(1)_TEST_USES))
	@mkdir -p $$(@D)
	$(CC) $(TEST_LDFLAGS) $$(test_$(2)_LDFLAGS) -o $$@ $$< \
		$$(call group,$$(filter %.a,$$^)) $(TEST_LIBS)
endef

define fuzz_rule
fuzzers += $(2)
$(BUILD)/fuzz/$(2): $(BUILD)/obj/fuzz/$(1)/$(2)_fuzz.o \
		$(call libs,fuzz,$(1) $($(1)_USES) $($(1)_TEST_USES))
	@mkdir -p $$(@D)
	$(CLANG) $(FUZZ_LDFLAGS) $$(fuzz_$(2)_LDFLAGS) -o $$@ $$< \
		$$(call group,$$(filter %.a,$$^)) $(FUZZ_LIBS)
endef

$(foreach f,$(FOLDERS), \
	$(foreach t,$($(f)_TESTS),$(eval $(call test_rule,$(f),$(t)))) \
	$(foreach z,$($(f)_FUZZERS),$(eval $(call fuzz_rule,$(f),$(z)))))

fuzz: $(addprefix $(BUILD)/fuzz/,$(fuzzers))

# --- checks ------------------------------------------------------------------
# Every check appends "PASS name", "SKIP name" or "FAIL name" to
# $(BUILD)/check.log; `make check` ends with the totals.

CHECK_LOG := $(BUILD)/check.log

check-unit: $(addprefix $(BUILD)/tests/,$(tests))
	@scripts/check-each unit $(CHECK_LOG) $^

check-fuzz: fuzz
	@scripts/check-each fuzz $(CHECK_LOG) \
		$(addprefix $(BUILD)/fuzz/,$(fuzzers))

# The shell tests drive the tool and the unit-test binaries (their modes).
check-shell: all $(addprefix $(BUILD)/tests/,$(tests))
	@scripts/check-each shell $(CHECK_LOG) $(shell_tests)

check-qemu: all
	@scripts/check-each qemu $(CHECK_LOG) $(qemu_scenarios)

# Everything the checks run, built first on both cores; the checks then run
# one at a time, but the QEMU scenarios two at a time (QEMU_JOBS=2: one TCG
# thread a guest on two cores; QEMU_JOBS=1 runs them one by one).
check-build: all $(addprefix $(BUILD)/tests/,$(tests)) fuzz

check: packages
	@mkdir -p $(BUILD) && : > $(CHECK_LOG)
	@$(MAKE) --no-print-directory -j2 -k check-build; built=$$?; \
	$(MAKE) --no-print-directory -k check-unit check-fuzz check-shell \
		check-qemu; ran=$$?; \
	scripts/check-each summary $(CHECK_LOG) $$((built | ran))

# Benchmarks: each prints our time against a reference tool's, as a ratio;
# bench/report.sh runs every bench/*.sh and writes docs/performance.md.
bench: all
	sh bench/report.sh docs/performance.md

clean:
	rm -rf $(filter-out $(DEPS),$(wildcard $(BUILD)/*))
