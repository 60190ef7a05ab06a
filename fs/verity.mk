# dm-verity: hash tree builder, superblock, dm table (fs/verity.h).
init_SRCS += fs/verity.c
tool_SRCS += fs/verity.c

tests += verity
test_verity_SRCS := fs/verity_test.c fs/verity.c lib/fileio.c $(SHA256_SRCS)

fuzzers += verity
fuzz_verity_SRCS := fs/verity_fuzz.c fs/verity.c lib/fileio.c $(SHA256_SRCS)

# The shell test drives build/tests/verity (its `format` and `parse` modes)
# against veritysetup.
shell_tests += fs/verity_test.sh
check-shell: $(BUILD)/tests/verity
