# Two builds of init, initrd and kernel.efi must match byte for byte; the
# layering check must refuse a tree that breaks the rule; a build without a
# build time (the clock floor) must fail.
shell_tests += scripts/reproducible_test.sh scripts/check-layers_test.sh \
	scripts/build_epoch_test.sh
