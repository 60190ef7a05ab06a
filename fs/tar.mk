# fs/tar: the tar reader the host tool turns OCI layers into squashfs with.
tool_SRCS += fs/tar.c

tests += tar
test_tar_SRCS := fs/tar_test.c fs/tar.c

fuzzers += tar
fuzz_tar_SRCS := fs/tar_fuzz.c fs/tar.c

# The shell test drives build/tests/tar (its `list` mode) against GNU tar.
shell_tests += fs/tar_test.sh
check-shell: $(BUILD)/tests/tar
