# fs/layer: the squashfs + dm-verity layer builder (libsquashfs), the
# directory scanner that feeds it, the squashfs superblock parser, and
# `ociboot layer`.
init_SRCS += fs/squashfs_super.c
tool_SRCS += fs/layer.c fs/dirscan.c fs/squashfs_super.c tool/layer.c

tests += squashfs_super layer
test_squashfs_super_SRCS := fs/squashfs_super_test.c fs/squashfs_super.c
test_layer_SRCS := fs/layer_test.c fs/layer.c fs/dirscan.c \
	fs/squashfs_super.c fs/verity.c lib/fileio.c $(SHA256_SRCS)
test_layer_LIBS := -lsquashfs

fuzzers += squashfs_super layer
fuzz_squashfs_super_SRCS := fs/squashfs_super_fuzz.c fs/squashfs_super.c
fuzz_layer_SRCS := fs/layer_fuzz.c fs/layer.c fs/squashfs_super.c \
	fs/verity.c lib/fileio.c $(SHA256_SRCS)
fuzz_layer_LIBS := -lsquashfs

# Builds from a test tree and compares with unsquashfs, veritysetup and a
# loop mount of the image.
shell_tests += fs/layer_test.sh
