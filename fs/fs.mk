# fs: what the init mounts. Filesystem and GPT probing (blkid) and the store
# finder, read-only loop devices, dm-verity by raw device-mapper ioctls,
# squashfs, tmpfs and overlay mounts, and the on-disk formats they check
# (squashfs superblock; verity geometry, superblock and dm table). See
# docs/storage.md and docs/store.md.
fs_USES := lib crypto oci
fs_INIT := blkid.c store.c loop.c dm.c mount.c squashfs_super.c verity.c \
	bounded.c
# What the verity tests here and in layer/ share.
fs_TESTLIB := verity_fixture.c
fs_TESTS := blkid store loop dm mount squashfs_super verity bounded
fs_FUZZERS := blkid dm squashfs_super verity store
# loop_test fakes lost races and old kernels under loop.c's ioctl(); dm_test
# answers dm.c's open() and ioctl() with a model of the kernel.
test_loop_LDFLAGS := -Wl,--wrap=ioctl
test_dm_LDFLAGS := -Wl,--wrap=open -Wl,--wrap=ioctl

# Against util-linux blkid (images by mke2fs, mkfs.erofs and sgdisk), a
# fake sysfs tree and loop devices, losetup, unsquashfs,
# /proc/self/mountinfo, strace's decoding of the dm requests (the host has
# no device-mapper), veritysetup.
shell_tests += fs/blkid_test.sh fs/store_test.sh fs/mount_test.sh \
	fs/dm_test.sh fs/verity_test.sh
