# ociboot: `make` builds everything, `make check` runs every test,
# `make demo` builds a signed kernel.efi and boots it under QEMU.
# Each folder lists its sources, tests and fuzzers in its own *.mk files.

BUILD ?= build
.DEFAULT_GOAL := build
DEPS := $(BUILD)/deps
CC := gcc
MUSL_CC := musl-gcc
CLANG := clang

# The kernel the demo and the tests boot: the one Debian's linux-image-amd64
# metapackage points at (not the host's running kernel).
KVER := $(shell scripts/kver 2>/dev/null)
export KVER
KERNEL := /boot/vmlinuz-$(KVER)
MODULES_DIR := /lib/modules/$(KVER)

VERSION := $(shell cat VERSION)
# Fixed time for everything that records one (cpio, signatures, squashfs).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH

WARN := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter -Werror
COMMON_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -ffile-prefix-map=$(CURDIR)/= \
	-DOCIBOOT_VERSION='"$(VERSION)"' $(WARN)
INIT_EPOCH := -DOCIBOOT_BUILD_EPOCH=$(SOURCE_DATE_EPOCH)

INIT_CFLAGS := $(COMMON_CFLAGS) $(INIT_EPOCH) -Os -static \
	-idirafter $(DEPS)/kinc \
	-I$(DEPS)/musl/include -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
INIT_LDFLAGS := -static -Wl,--gc-sections -Wl,--build-id=sha1 -L$(DEPS)/musl/lib
INIT_LIBS := -ltss2 -lbearssl

HOST_CFLAGS := $(COMMON_CFLAGS) -O2 -g -I$(DEPS)/host/include
HOST_LDFLAGS := -L$(DEPS)/host/lib
HOST_LIBS := -lsquashfs -lcrypto -lzstd -ltss2 -lbearssl

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
TEST_CFLAGS := $(COMMON_CFLAGS) -O1 -g $(SAN) -I$(DEPS)/host/include \
	-DOCIBOOT_TEST
TEST_LIBS := -lcmocka
FUZZ_CFLAGS := $(COMMON_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined \
	-I$(DEPS)/host/include -DOCIBOOT_TEST -Wno-missing-prototypes

HEADERS := $(wildcard */*.h)

# SHA-256: the streaming layer and its SHA-NI compression function, always
# linked together (fragments use this, not the files).
SHA256_SRCS := crypto/sha256.c crypto/sha256_ni.c

# Filled in by the */*.mk files.
init_SRCS :=
tool_SRCS :=
tests :=
fuzzers :=
shell_tests :=
qemu_scenarios :=

include $(sort $(wildcard */*.mk))

# `make`, `make demo` and `make check` install the packages first and only
# then start the make that builds: what this one computed at start-up
# (KVER above) may have needed those packages.
build: packages
	@$(MAKE) --no-print-directory all

all: $(BUILD)/init $(BUILD)/ociboot $(BUILD)/ukify $(BUILD)/kernel.efi

.PHONY: build all packages deps demo demo-run check check-build \
	check-unit check-fuzz check-shell check-qemu fuzz bench clean

# --- dependencies ----------------------------------------------------------

packages:
	@scripts/install-packages

deps: $(DEPS)/.built
$(DEPS)/.built: scripts/deps.sh | packages
	rm -f $(DEPS)/.built
	scripts/deps.sh $(DEPS)

# --- the init --------------------------------------------------------------

$(BUILD)/init.debug: $(init_SRCS) $(HEADERS) VERSION | $(DEPS)/.built
	@mkdir -p $(@D)
	$(MUSL_CC) $(INIT_CFLAGS) $(INIT_LDFLAGS) -o $@ $(init_SRCS) $(INIT_LIBS)

$(BUILD)/init: $(BUILD)/init.debug
	strip --strip-all -R .comment -o $@ $<

# --- the host tool -----------------------------------------------------------

$(BUILD)/ociboot: $(tool_SRCS) $(HEADERS) VERSION | $(DEPS)/.built
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(HOST_LDFLAGS) -o $@ $(tool_SRCS) $(HOST_LIBS)

$(BUILD)/ukify: $(BUILD)/ociboot
	ln -sf ociboot $@

# --- the demo's signed kernel.efi --------------------------------------------
# Signed with the db key Debian's OVMF ships enrolled, so QEMU's Secure Boot
# accepts it. Real users pass their own: make SIGN_KEY=... SIGN_CERT=...

SNAKEOIL_KEY := /usr/share/ovmf/PkKek-1-snakeoil.key
SIGN_KEY ?= $(BUILD)/keys/db.key
SIGN_CERT ?= /usr/share/ovmf/PkKek-1-snakeoil.pem
# ext4 (the store) wants crc32c through a soft dependency modules.dep does
# not list, so crc32c_generic is named.
INITRD_MODULES ?= efivarfs loop squashfs overlay dm-verity ext4 \
	crc32c_generic virtio_blk virtio_pci virtio_net
export INITRD_MODULES
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
		$(addprefix --module ,$(INITRD_MODULES)) --ca $(CA_CERT) \
		--output $@

$(BUILD)/kernel.efi: $(BUILD)/initrd.img $(SIGN_KEY)
	$(BUILD)/ociboot ukify build --kernel $(KERNEL) \
		--initrd $(BUILD)/initrd.img --cmdline "$(DEMO_CMDLINE)" \
		--key $(SIGN_KEY) --cert $(SIGN_CERT) --output $@

demo: packages
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@scripts/demo

# --- unit tests and fuzzers --------------------------------------------------

define test_rule
$(BUILD)/tests/$(1): $$(test_$(1)_SRCS) $(HEADERS) | $(DEPS)/.built
	@mkdir -p $$(@D)
	$(CC) $(TEST_CFLAGS) -o $$@ $$(test_$(1)_SRCS) \
		-L$(DEPS)/host/lib $$(test_$(1)_LIBS) $(TEST_LIBS) -lbearssl
endef
$(foreach t,$(tests),$(eval $(call test_rule,$(t))))

define fuzz_rule
$(BUILD)/fuzz/$(1): $$(fuzz_$(1)_SRCS) $(HEADERS) | $(DEPS)/.built
	@mkdir -p $$(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $$@ $$(fuzz_$(1)_SRCS) \
		-L$(DEPS)/host/lib $$(fuzz_$(1)_LIBS) -lbearssl
endef
$(foreach f,$(fuzzers),$(eval $(call fuzz_rule,$(f))))

fuzz: $(addprefix $(BUILD)/fuzz/,$(fuzzers))

# --- checks ------------------------------------------------------------------
# Every check appends "PASS name" or "FAIL name" to $(BUILD)/check.log;
# `make check` ends with the totals.

CHECK_LOG := $(BUILD)/check.log

check-unit: $(addprefix $(BUILD)/tests/,$(tests))
	@scripts/check-each unit $(CHECK_LOG) $^

check-fuzz: fuzz
	@scripts/check-each fuzz $(CHECK_LOG) \
		$(addprefix $(BUILD)/fuzz/,$(fuzzers))

check-shell: all
	@scripts/check-each shell $(CHECK_LOG) $(shell_tests)

check-qemu: all
	@scripts/check-each qemu $(CHECK_LOG) $(qemu_scenarios)

# Everything the checks run, built first on both cores; the checks then run
# one at a time (QEMU guests must not share the machine).
check-build: all $(addprefix $(BUILD)/tests/,$(tests)) fuzz

check: packages
	@mkdir -p $(BUILD) && : > $(CHECK_LOG)
	@$(MAKE) --no-print-directory -j2 -k check-build; built=$$?; \
	$(MAKE) --no-print-directory -k check-unit check-fuzz check-shell \
		check-qemu; ran=$$?; \
	scripts/check-each summary $(CHECK_LOG) $$((built | ran))

# Benchmarks: each prints our time against a reference tool's, as a ratio.
bench: all
	sh bench/sha256.sh
	sh bench/verity.sh
	sh bench/layer.sh

clean:
	rm -rf $(filter-out $(DEPS),$(wildcard $(BUILD)/*))
