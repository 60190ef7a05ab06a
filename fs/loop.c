/* SPDX-License-Identifier: MIT */
#include "fs/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

_Static_assert(sizeof(struct loop_info64) == 232,
	       "struct loop_info64 is kernel ABI");
_Static_assert(sizeof(struct loop_config) == 304,
	       "struct loop_config is kernel ABI");
_Static_assert(offsetof(struct loop_config, info) == 8,
	       "struct loop_config is kernel ABI");

#define LOOP_KNOWN_FLAGS LOOP_ATTACH_AUTOCLEAR
#define LOFF_MAX ((uint64_t)INT64_MAX)

int loop_config_init(struct loop_config *cfg, int backing_fd,
		     const struct loop_options *opt)
{
	static const struct loop_options whole = { 0, 0, 0 };
	uint64_t end;

	if (!opt)
		opt = &whole;
	if (backing_fd < 0 || (opt->flags & ~LOOP_KNOWN_FLAGS))
		return -EINVAL;
	if (opt->offset > LOFF_MAX || opt->sizelimit > LOFF_MAX ||
	    __builtin_add_overflow(opt->offset, opt->sizelimit, &end) ||
	    end > LOFF_MAX)
		return -EINVAL;

	memset(cfg, 0, sizeof(*cfg));
	cfg->fd = (uint32_t)backing_fd;
	cfg->block_size = 0;
	cfg->info.lo_offset = opt->offset;
	cfg->info.lo_sizelimit = opt->sizelimit;
	cfg->info.lo_flags = LO_FLAGS_READ_ONLY;
	if (opt->flags & LOOP_ATTACH_AUTOCLEAR)
		cfg->info.lo_flags |= LO_FLAGS_AUTOCLEAR;
	return 0;
}

/* Before Linux 5.8 LOOP_CONFIGURE is unknown: EINVAL (or ENOTTY). */
static bool configure_unsupported(int err)
{
	return err == -EINVAL || err == -ENOTTY;
}

/* The pre-5.8 way: bind, then set offset, size limit and autoclear. */
static int set_fd_and_status(int fd, const struct loop_config *cfg)
{
	struct loop_info64 info = cfg->info;
	int err;

	if (ioctl(fd, LOOP_SET_FD, (unsigned long)cfg->fd) < 0)
		return -errno;
	/* LOOP_SET_STATUS64 cannot set READ_ONLY: the O_RDONLY open did. */
	info.lo_flags &= LO_FLAGS_AUTOCLEAR;
	if (ioctl(fd, LOOP_SET_STATUS64, &info) < 0) {
		err = -errno;
		ioctl(fd, LOOP_CLR_FD, 0);
		return err;
	}
	return 0;
}

static int configure(int fd, const struct loop_config *cfg)
{
	int err;

	if (ioctl(fd, LOOP_CONFIGURE, cfg) == 0)
		return 0;
	err = -errno;
	if (!configure_unsupported(err))
		return err;
	return set_fd_and_status(fd, cfg);
}

/* Read the configuration back: read-only, our file, our window. */
static int check_bound(int fd, int backing_fd, const struct loop_config *cfg)
{
	struct loop_info64 info;
	struct stat st;

	if (fstat(backing_fd, &st) < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, LOOP_GET_STATUS64, &info) < 0)
		return -errno;
	if (!(info.lo_flags & LO_FLAGS_READ_ONLY))
		return -EROFS;
	if (info.lo_device != (uint64_t)st.st_dev ||
	    info.lo_inode != (uint64_t)st.st_ino ||
	    info.lo_offset != cfg->info.lo_offset ||
	    info.lo_sizelimit != cfg->info.lo_sizelimit)
		return -EIO;
	return 0;
}

static int fill_device(int fd, unsigned int index, struct loop_device *loop)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	loop->devt = st.st_rdev;
	loop->index = index;
	loop->fd = fd;
	return 0;
}

/*
 * One try on index n. Returns 0 with *loop filled, -EBUSY when another
 * process got there first, or another -errno.
 */
static int attach_index(unsigned int n, int backing_fd,
			const struct loop_config *cfg, struct loop_device *loop)
{
	char path[LOOP_PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "/dev/loop%u", n);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = configure(fd, cfg);
	if (err < 0)
		goto out_close;
	err = check_bound(fd, backing_fd, cfg);
	if (err == 0)
		err = fill_device(fd, n, loop);
	if (err < 0) {
		ioctl(fd, LOOP_CLR_FD, 0);
		goto out_close;
	}
	memcpy(loop->path, path, sizeof(path));
	return 0;

out_close:
	close(fd);
	return err;
}

int loop_attach(int backing_fd, const struct loop_options *opt,
		struct loop_device *loop)
{
	struct loop_config cfg;
	struct loop_device dev;
	int ctl, err;

	err = loop_config_init(&cfg, backing_fd, opt);
	if (err < 0)
		return err;
	ctl = open(LOOP_CONTROL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	err = -EBUSY;
	for (unsigned int i = 0; i < LOOP_ATTACH_TRIES; i++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0) {
			err = -errno;
			break;
		}
		err = attach_index((unsigned int)n, backing_fd, &cfg, &dev);
		if (err != -EBUSY)
			break;
	}
	close(ctl);
	if (err == 0)
		*loop = dev;
	return err;
}

void loop_release(struct loop_device *loop)
{
	if (loop->fd >= 0)
		close(loop->fd);
	loop->fd = -1;
}

int loop_detach(struct loop_device *loop)
{
	int err = 0;

	if (loop->fd < 0)
		return -EBADF;
	if (ioctl(loop->fd, LOOP_CLR_FD, 0) < 0)
		err = -errno;
	loop_release(loop);
	return err;
}
