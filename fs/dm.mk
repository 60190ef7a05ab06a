# Storage plumbing of the verified boot: loop devices (fs/loop), raw
# device-mapper ioctls for dm-verity (fs/dm), the squashfs, tmpfs and
# overlay mounts (fs/mount) and switch_root (init/switch_root). See
# docs/storage.md. The host tool links loop, dm and mount for a future
# `ociboot mount`.
init_SRCS += fs/loop.c fs/dm.c fs/mount.c init/switch_root.c
tool_SRCS += fs/loop.c fs/dm.c fs/mount.c

# mount_test doubles as the driver of fs/mount_test.sh.
tests += loop dm mount switch_root
test_loop_SRCS := fs/loop_test.c fs/loop.c
# The test fakes lost races and old kernels under loop.c's ioctl().
test_loop_LIBS := -Wl,--wrap=ioctl
test_dm_SRCS := fs/dm_test.c fs/dm.c fs/verity.c lib/fileio.c \
	$(SHA256_SRCS)
# The test answers dm.c's open() and ioctl() with a model of the kernel.
test_dm_LIBS := -Wl,--wrap=open -Wl,--wrap=ioctl
test_mount_SRCS := fs/mount_test.c fs/mount.c fs/loop.c
test_switch_root_SRCS := init/switch_root_test.c init/switch_root.c \
	init/log.c init/file.c lib/fileio.c

fuzzers += dm_status switch_root_mnt_id
fuzz_dm_status_SRCS := fs/dm_fuzz.c fs/dm.c fs/verity.c lib/fileio.c \
	$(SHA256_SRCS)
fuzz_switch_root_mnt_id_SRCS := init/switch_root_fuzz.c init/switch_root.c \
	init/log.c init/file.c lib/fileio.c

# Loop devices, squashfs and overlay mounts on the host, compared with
# losetup, sysfs, unsquashfs and /proc/self/mountinfo; the dm requests as
# strace decodes them (the host has no device-mapper).
shell_tests += fs/mount_test.sh fs/dm_test.sh
check-shell: $(BUILD)/tests/mount $(BUILD)/tests/dm
