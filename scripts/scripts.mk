# Two builds of init, initrd and kernel.efi must match byte for byte; the
# layering check must refuse a tree that breaks the rule.
shell_tests += scripts/reproducible_test.sh scripts/check-layers_test.sh
# The initrd stays within docs/size.md's budget, part by part.
shell_tests += scripts/initrd-size_test.sh
