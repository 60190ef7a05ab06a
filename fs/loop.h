/* SPDX-License-Identifier: MIT */
/*
 * Loop devices: attach an open file read-only to a free /dev/loopN, and
 * detach it again. Used by the init to turn a layer blob into the block
 * device dm-verity sits on, and by the host tool to mount layers.
 *
 * Attaching takes a free index from /dev/loop-control (LOOP_CTL_GET_FREE)
 * and configures it in one step with LOOP_CONFIGURE (Linux 5.8). Kernels
 * before 5.8 answer that ioctl with EINVAL (their loop driver's default for
 * an unknown command) or ENOTTY; only then the older two-step
 * LOOP_SET_FD + LOOP_SET_STATUS64 is used. Another process may take the
 * same free device between the two calls (LOOP_CONFIGURE / LOOP_SET_FD say
 * EBUSY): the attach then asks for a new free index, at most
 * LOOP_ATTACH_TRIES times.
 *
 * The device is always read-only: the loop node is opened O_RDONLY (which
 * makes the kernel set LO_FLAGS_READ_ONLY in both paths) and
 * LO_FLAGS_READ_ONLY is asked for too; the result is read back with
 * LOOP_GET_STATUS64 and refused unless it is read-only, bound to the same
 * file (st_dev, st_ino) with the asked offset and size limit. Direct I/O
 * stays off (page-cache reads, like squashfs on a plain file), the logical
 * block size stays the default 512.
 *
 * LOOP_ATTACH_AUTOCLEAR: the kernel detaches the device when its last
 * opener closes it. A mount of the device and a device-mapper table that
 * uses it (dm opens its underlying devices when the table is loaded) both
 * count as openers, so the intended sequence is
 *
 *   loop_attach(..., AUTOCLEAR)   our fd holds the device
 *   load the dm table / mount     now dm (or the mount) holds it too
 *   loop_release()                close our fd; dm keeps it alive
 *
 * and the loop device goes away by itself when the dm device is removed or
 * the filesystem unmounted, with nothing to clean up on error paths either:
 * closing our fd before anyone else opened the device detaches it at once.
 * The one thing not to do is release the fd before the dm table load or
 * the mount -- the device would be gone by then.
 *
 * Nothing here logs or allocates. Every fd is O_CLOEXEC.
 */
#ifndef OCIBOOT_LOOP_H
#define OCIBOOT_LOOP_H

#include <stdint.h>
#include <sys/types.h>

#include <linux/loop.h>

#define LOOP_CONTROL_PATH "/dev/loop-control"
/* "/dev/loop" and an index of up to 10 digits, NUL. */
#define LOOP_PATH_MAX 24
/* Free devices taken by a racing process before we give up. */
#define LOOP_ATTACH_TRIES 16

enum loop_attach_flag {
	LOOP_ATTACH_AUTOCLEAR = 1 << 0,	/* see above */
};

struct loop_options {
	uint64_t offset;	/* where the device starts in the file, bytes */
	uint64_t sizelimit;	/* bytes from offset; 0: to the end of file */
	unsigned int flags;	/* enum loop_attach_flag */
};

struct loop_device {
	int fd;			/* O_RDONLY | O_CLOEXEC on the node; -1 when
				 * released */
	unsigned int index;	/* N of /dev/loopN */
	dev_t devt;		/* the node's st_rdev */
	char path[LOOP_PATH_MAX];	/* "/dev/loopN" */
};

/*
 * Fill *cfg for LOOP_CONFIGURE: backing_fd, block size 0 (the default),
 * opt's offset and size limit, LO_FLAGS_READ_ONLY plus LO_FLAGS_AUTOCLEAR
 * when asked for; everything else zero. Pure.
 *
 * Returns 0, or -EINVAL (cfg untouched) for a negative backing_fd, an
 * unknown flag, or an offset, size limit or offset + size limit over
 * INT64_MAX (the kernel's loff_t).
 */
int loop_config_init(struct loop_config *cfg, int backing_fd,
		     const struct loop_options *opt);

/*
 * Attach the file open on backing_fd (any access mode; a regular file or a
 * block device) read-only to a free loop device as described above. opt
 * may be NULL (whole file, no flags). On success fills *loop -- whose fd
 * the caller owns and hands back to loop_release() or loop_detach() -- and
 * returns 0. *loop is written only on success.
 *
 * Errors: loop_config_init()'s -EINVAL; -ENOENT when /dev/loop-control or
 * the /dev/loopN node is missing (loop module not loaded, no devtmpfs);
 * -EBUSY after LOOP_ATTACH_TRIES lost races; -EROFS when the kernel did
 * not make the device read-only, -EIO when it reports another file,
 * offset or size limit than asked (the device is detached again in both
 * cases); or -errno from open/ioctl.
 */
int loop_attach(int backing_fd, const struct loop_options *opt,
		struct loop_device *loop);

/*
 * Close loop->fd and set it to -1; the device stays attached unless it
 * has LO_FLAGS_AUTOCLEAR and nobody else holds it. Safe to call twice.
 */
void loop_release(struct loop_device *loop);

/*
 * Detach the device (LOOP_CLR_FD) and release the fd. Needs only
 * loop->fd to be open on the device. While something else still holds the
 * device (a mount, a dm table), the kernel defers the detach to the last
 * close instead (it turns on autoclear) and this returns 0. Returns 0 or
 * -errno (-ENXIO: nothing was attached; -EBADF: loop->fd is -1); the fd is
 * released either way.
 */
int loop_detach(struct loop_device *loop);

#endif
