# Two builds of init, initrd and kernel.efi must match byte for byte; the
# layering check must refuse a tree that breaks the rule; the fuzzing
# campaign must fail on a crash with its reproducer and pass a clean target.
shell_tests += scripts/reproducible_test.sh scripts/check-layers_test.sh \
	scripts/fuzz-campaign_test.sh
# A build without a build time (the clock floor) must fail.
shell_tests += scripts/build_epoch_test.sh
# The initrd stays within docs/size.md's budget, part by part.
shell_tests += scripts/initrd-size_test.sh

# A fuzzing campaign (docs/fuzzing.md): every target in $(BUILD)/fuzz for
# SECONDS each, JOBS at once, over the corpus in CORPUS (default
# $XDG_CACHE_HOME/ociboot/fuzz); FUZZ_TARGETS="json x509" runs only those;
# RESUME=1 goes on with the campaign in the report folder.
# The report is $(BUILD)/fuzz-campaign/report.md; a crash fails the make.
SECONDS ?= 600
JOBS ?= 1
.PHONY: fuzz-campaign
fuzz-campaign: fuzz
	@BUILD=$(BUILD) scripts/fuzz-campaign --seconds $(SECONDS) --jobs $(JOBS) \
		$(if $(CORPUS),--corpus $(CORPUS)) $(if $(RESUME),--resume) \
		--report-dir $(BUILD)/fuzz-campaign \
		$(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
