# fs/blkid: filesystem and GPT probing over buffers; fs/store: the store
# finder that scans sysfs for the device an oci=LABEL=/UUID=/PARTLABEL=/
# PARTUUID= location names (docs/store.md).
init_SRCS += fs/blkid.c fs/store.c
tool_SRCS += fs/blkid.c fs/store.c

tests += blkid store
test_blkid_SRCS := fs/blkid_test.c fs/blkid.c
test_blkid_LIBS := -lz
test_store_SRCS := fs/store_test.c fs/store.c fs/blkid.c fs/oci_ref.c \
	lib/fileio.c $(SHA256_SRCS)
test_store_LIBS := -lz

fuzzers += blkid
fuzz_blkid_SRCS := fs/blkid_fuzz.c fs/blkid.c
fuzz_blkid_LIBS := -lz

# blkid_test.sh compares build/tests/blkid (its `fs` and `gpt` modes) with
# util-linux blkid on images made by mke2fs and sgdisk; store_test.sh drives
# build/tests/store (its `find` mode) over a fake sysfs tree and over loop
# devices (root).
shell_tests += fs/blkid_test.sh fs/store_test.sh
check-shell: $(BUILD)/tests/blkid $(BUILD)/tests/store
