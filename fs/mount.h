/* SPDX-License-Identifier: MIT */
/*
 * The mounts of a verified boot: each layer's squashfs (read-only, from its
 * dm-verity block device), a fresh tmpfs for the overlay's writable upper
 * and work directories, and the overlayfs that stacks them into the root.
 *
 * overlayfs lower directories are listed TOP FIRST: in
 * "lowerdir=/a:/b:/c" a name in /a hides the same name in /b and /c, and
 * /c is the bottom (base) layer. struct mount_overlay keeps that order:
 * lowers[0] is the top layer, lowers[lower_count - 1] the base. An OCI
 * image lists its layers the other way round (base first), so callers
 * reverse it.
 *
 * The overlay options beyond the directories, and why:
 *
 *   index=off            no inode index: it needs file handles from every
 *                        layer, refuses a mount whose lowers changed, and
 *                        buys only hard-link and NFS-export consistency we
 *                        do not use.
 *   redirect_dir=nofollow  never follow a redirect xattr found in a layer
 *                        (one could point a directory at another path of
 *                        the lower stack). "off" is not enough: it still
 *                        follows them when the module option
 *                        redirect_always_follow is on, as it is by default.
 *                        Renaming a lower directory then fails with EXDEV,
 *                        and mv copies instead.
 *   metacopy=off         never trust a metacopy xattr (an upper file whose
 *                        data is taken from a lower one); the kernel
 *                        documentation warns against it for layers not
 *                        fully trusted. Copy-up copies data too.
 *   xino=off             xino (one st_dev for the whole overlay, inode
 *                        numbers made unique with high bits) needs file
 *                        handles from every lower layer, and squashfs has
 *                        them only with an export table, which our layer
 *                        builder and stacker do not write: "auto" would
 *                        fall back to off with a kernel warning on every
 *                        boot. Without it, (st_dev, st_ino) is still
 *                        unique; non-directories of different layers show
 *                        different st_dev values, as in Docker's default
 *                        overlay setup.
 *
 *   userxattr            (read-only stacks of layers only) read the layers'
 *                        overlay xattrs in the user. namespace:
 *                        user.overlay.opaque marks an opaque directory,
 *                        as stacker writes it and atomfs reads it (its
 *                        mounts are "index=off,xino=on,userxattr"). Not
 *                        with an upper directory: tmpfs stores user.
 *                        xattrs only from Linux 6.6, and on 6.1 the
 *                        overlay would lose opaque directories of its
 *                        upper (docs/layers.md). Linux 6.1 accepts it
 *                        with redirect_dir=nofollow and metacopy=off (it
 *                        refuses it with redirect_dir=on/follow or
 *                        metacopy=on only).
 *
 * Not used: "volatile" (the upper is a tmpfs, sync costs nothing there),
 * "nfs_export", "uuid".
 *
 * Paths in the options must be absolute and must not contain ',' ':' '\\'
 * or anything outside printable ASCII -- the characters overlayfs would
 * need escaped; ours never do, so they are refused rather than escaped.
 * The whole option string has to fit one page (mount(2) copies no more).
 *
 * Nothing here logs or allocates.
 */
#ifndef OCIBOOT_MOUNT_H
#define OCIBOOT_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/types.h>

/* mount(2) copies at most one page of options. */
#define MOUNT_OPTIONS_MAX 4096
/* Layers in one overlay (the kernel allows 500; the page runs out first
 * for real paths anyway). */
#define MOUNT_LOWER_MAX 128
#define MOUNT_PATH_MAX 4096	/* PATH_MAX */
/* Directories mount_mkdir_p() creates at most. */
#define MOUNT_MKDIR_DEPTH_MAX 32

/* The flags of a layer's squashfs mount. */
#define MOUNT_SQUASHFS_FLAGS (MS_RDONLY | MS_NODEV | MS_NOSUID)
/* The flags of the upper tmpfs mount (the overlay's own flags decide
 * what its users may do). */
#define MOUNT_TMPFS_FLAGS (MS_NOSUID | MS_NODEV)
/* The security options every overlay gets (see above). */
#define MOUNT_OVERLAY_FIXED_OPTIONS \
	"index=off,redirect_dir=nofollow,metacopy=off,xino=off"

#define MOUNT_UPPER_DIR "upper"
#define MOUNT_WORK_DIR "work"

struct mount_overlay {
	const char *const *lowers;	/* top first */
	size_t lower_count;		/* 1..MOUNT_LOWER_MAX */
	const char *upper;	/* NULL: read-only overlay (needs 2 lowers) */
	const char *work;	/* with upper, on the same filesystem */
	bool userxattr;		/* only without upper (see above) */
};

/*
 * Write "lowerdir=L0:L1:...,upperdir=U,workdir=W,<fixed options>" (or,
 * without upper, "lowerdir=...[,userxattr],<fixed options>")
 * NUL-terminated into buf[size]. Returns its length; -EINVAL for no
 * lowers or more than MOUNT_LOWER_MAX, upper without work or the reverse,
 * one lower without upper, userxattr with upper, or a path that is empty,
 * relative, over MOUNT_PATH_MAX or holds a character named above;
 * -ENOSPC when it does not fit size or MOUNT_OPTIONS_MAX. buf is written
 * only on success.
 */
int mount_overlay_options(char *buf, size_t size,
			  const struct mount_overlay *ov);

/*
 * "mode=0OOO" or "mode=0OOO,size=N" (size_bytes 0: the kernel default,
 * half of RAM) into buf[size]. Returns the length, -EINVAL for mode bits
 * outside 07777, or -ENOSPC.
 */
int mount_tmpfs_options(char *buf, size_t size, mode_t mode,
			uint64_t size_bytes);

/*
 * Mount the squashfs on block device `device` read-only on the existing
 * directory target with MOUNT_SQUASHFS_FLAGS. Returns 0 or -errno
 * (-EINVAL typically: not a squashfs).
 */
int mount_squashfs(const char *device, const char *target);

/*
 * Mount a new tmpfs (MOUNT_TMPFS_FLAGS) on the existing directory target,
 * its root directory with mode, at most size_bytes big (0: the kernel
 * default). Returns 0, mount_tmpfs_options()'s -EINVAL, or -errno.
 */
int mount_tmpfs(const char *target, mode_t mode, uint64_t size_bytes);

/*
 * The writable half of an overlay: a tmpfs on dir (created if missing,
 * mode 0755) holding dir/upper -- mode 0755, owned by root, because the
 * overlay's root directory takes its mode and owner from the upper
 * directory -- and dir/work (0700). Returns 0 or -errno; on failure the
 * tmpfs is unmounted again.
 */
int mount_overlay_scratch(const char *dir, uint64_t size_bytes);

/*
 * Mount overlayfs on the existing directory target with the options of
 * mount_overlay_options() and flags (0 for a root the system runs from;
 * a read-only overlay, without upper, gets MS_RDONLY added). Returns 0,
 * the option errors, or -errno from mount(2).
 */
int mount_overlay(const char *target, const struct mount_overlay *ov,
		  unsigned long flags);

/*
 * mkdir -p: create path and its missing parents with mode (each one that
 * exists must be a directory). path must be absolute and shorter than
 * MOUNT_PATH_MAX with at most MOUNT_MKDIR_DEPTH_MAX components. Returns 0,
 * -EINVAL, -ENAMETOOLONG, -ENOTDIR, or -errno.
 */
int mount_mkdir_p(const char *path, mode_t mode);

#endif
