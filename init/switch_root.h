/* SPDX-License-Identifier: MIT */
/*
 * Leave the initramfs for the real root and exec its init.
 *
 * switch_root(newroot, workdir, argv, envp, ...) does, in order:
 *
 *   1. checks: newroot is an absolute path other than "/" and a mount
 *      point; "/" is the initramfs (statfs magic of ramfs or tmpfs, which
 *      is what rootfs is); argv[0] is an absolute path that names an
 *      executable regular file inside newroot, resolved as if newroot
 *      were "/" (openat2 RESOLVE_IN_ROOT, so absolute symlinks such as
 *      /sbin/init -> /lib/systemd/systemd resolve in the new root; on
 *      kernels without openat2 this check is skipped); workdir, when not
 *      NULL, is an absolute path naming a directory inside newroot,
 *      resolved the same way. Nothing has changed when one of these
 *      fails.
 *   2. moves /dev, /proc, /sys and /run (with whatever is mounted below
 *      them) to the same places under newroot with MS_MOVE, creating a
 *      missing target directory. If the new root is read-only and has no
 *      such directory, /sys and /run are detached instead with a warning;
 *      /dev and /proc must move. A source that is not mounted is skipped;
 *      a target that already is a mount point makes the source be
 *      detached. If a required move fails, the ones done are moved back.
 *   3. chdir(newroot), mount(newroot, "/", MS_MOVE), chroot("."),
 *      chdir("/"). Should chdir or the move fail, the moves of step 2 are
 *      undone; once the move is done there is no way back.
 *   4. empties the old root through an fd kept on it: every file and
 *      directory on the initramfs device is deleted, nothing on another
 *      device (a mount point left behind) is entered or removed, and
 *      depth is capped. Failures here are logged as a warning only: the
 *      memory stays in use, nothing else breaks.
 *   5. chdir(workdir) when workdir is not NULL (the image config's
 *      WorkingDir; else the init starts in "/"), sets the signal mask to
 *      *exec_mask (PID 1 keeps its signals blocked for a signalfd; the
 *      next init expects them unblocked -- pass &pid1.saved_mask) and
 *      execve(argv[0], argv, envp): the new init gets exactly envp,
 *      nothing inherited.
 *
 * Returns only on failure: a negative errno (-EINVAL for a failed check
 * of step 1), with *err (may be NULL) filled: why names the step and the
 * path ("exec /sbin/init", "new root /sysroot is not a mount point"), so
 * error_format() gives "exec /sbin/init: I/O error". A failure
 * before the move of step 3 leaves the initramfs and its mounts as they
 * were (except /sys or /run detached as said); a failure after it leaves
 * the system half switched, so the caller must not try again but go to
 * its failure policy. If execve() fails, the signal mask is restored
 * before returning. Logs warnings through init/log.h; never exits.
 */
#ifndef OCIBOOT_INIT_SWITCH_ROOT_H
#define OCIBOOT_INIT_SWITCH_ROOT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "lib/error.h"

/* Directory nesting switch_root_empty() descends into; deeper is left. */
#define SWITCH_ROOT_DEPTH_MAX 64
/* A /proc/self/fdinfo file we read: a few short lines. */
#define SWITCH_ROOT_FDINFO_MAX 1024

int switch_root(const char *newroot, const char *workdir,
		char *const argv[], char *const envp[],
		const sigset_t *exec_mask, struct error *err);

/* What switch_root_empty() did. */
struct switch_root_empty_stats {
	unsigned long removed;	/* files and directories deleted */
	unsigned long mounts;	/* mount points, left alone */
	unsigned long failed;	/* entries that could not be deleted (a
				 * directory left non-empty counts too) */
};

/*
 * Delete everything below the directory open on dirfd that lies on
 * dirfd's own device and mount -- but not keep (a directory identified by
 * st_dev and st_ino; NULL for none) nor what is below it. Mount points
 * are neither entered nor removed: entries on another device, and
 * directories of another mount id (a bind mount of the same filesystem;
 * known from /proc/self/fdinfo when /proc is there). Directories deeper
 * than SWITCH_ROOT_DEPTH_MAX are left in place. Symlinks are removed,
 * never followed. dirfd itself stays, and stays open. Allocates a DIR
 * per level (fdopendir) and holds at most SWITCH_ROOT_DEPTH_MAX + 1 fds.
 *
 * Returns 0 when nothing it should delete was left, else the first error
 * (-errno, or -OCIBOOT_ETOOBIG for the depth); *stats (may be NULL) is
 * filled either way.
 */
int switch_root_empty(int dirfd, const struct stat *keep,
		      struct switch_root_empty_stats *stats);

/* Whether a statfs f_type is one the initramfs can have (ramfs, tmpfs). */
bool switch_root_is_initramfs(uint64_t f_type);

/*
 * The mount id in a /proc/self/fdinfo/N text buf[0, len): the number on
 * its "mnt_id:" line. Returns 0 and sets *id, or -OCIBOOT_EMALFORMED when
 * there is no such line or its value is not a decimal number below 2^31.
 */
int switch_root_parse_mnt_id(const char *buf, size_t len, int *id);

#endif
