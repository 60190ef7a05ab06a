/* SPDX-License-Identifier: MIT */
#include "fs/mount.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/strbuf.h"
#include "lib/util.h"

/* An absolute path overlayfs takes without escapes (see mount.h). */
static bool option_path_ok(const char *p)
{
	size_t n;

	if (!p || p[0] != '/')
		return false;
	n = strnlen(p, MOUNT_PATH_MAX);
	if (n == MOUNT_PATH_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f || c == ',' || c == ':' ||
		    c == '\\')
			return false;
	}
	return true;
}

static int overlay_check(const struct mount_overlay *ov)
{
	if (!ov || !ov->lowers || ov->lower_count == 0 ||
	    ov->lower_count > MOUNT_LOWER_MAX)
		return -EINVAL;
	if (!ov->upper != !ov->work)
		return -EINVAL;
	if (!ov->upper && ov->lower_count < 2)
		return -EINVAL;
	if (ov->upper && ov->userxattr)
		return -EINVAL;
	for (size_t i = 0; i < ov->lower_count; i++)
		if (!option_path_ok(ov->lowers[i]))
			return -EINVAL;
	if (ov->upper &&
	    (!option_path_ok(ov->upper) || !option_path_ok(ov->work)))
		return -EINVAL;
	return 0;
}

int mount_overlay_options(char *buf, size_t size,
			  const struct mount_overlay *ov)
{
	char tmp[MOUNT_OPTIONS_MAX];
	struct strbuf o;
	int err = overlay_check(ov);

	if (err < 0)
		return err;
	strbuf_init(&o, tmp, sizeof(tmp));
	strbuf_puts(&o, "lowerdir=");
	for (size_t i = 0; i < ov->lower_count; i++)
		strbuf_printf(&o, "%s%s", i > 0 ? ":" : "", ov->lowers[i]);
	if (ov->upper)
		strbuf_printf(&o, ",upperdir=%s,workdir=%s", ov->upper,
			      ov->work);
	if (ov->userxattr)
		strbuf_puts(&o, ",userxattr");
	strbuf_puts(&o, "," MOUNT_OVERLAY_FIXED_OPTIONS);
	if (strbuf_truncated(&o) || strbuf_len(&o) >= size)
		return -ENOSPC;
	memcpy(buf, tmp, strbuf_len(&o) + 1);
	return (int)strbuf_len(&o);
}

int mount_tmpfs_options(char *buf, size_t size, mode_t mode,
			uint64_t size_bytes)
{
	int n;

	if (mode & ~(mode_t)07777)
		return -EINVAL;
	if (size_bytes)
		n = snprintf(buf, size, "mode=0%o,size=%" PRIu64,
			     (unsigned int)mode, size_bytes);
	else
		n = snprintf(buf, size, "mode=0%o", (unsigned int)mode);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int mount_squashfs(const char *device, const char *target)
{
	if (mount(device, target, "squashfs", MOUNT_SQUASHFS_FLAGS, NULL) < 0)
		return -errno;
	return 0;
}

int mount_tmpfs(const char *target, mode_t mode, uint64_t size_bytes)
{
	char opts[64];
	int r = mount_tmpfs_options(opts, sizeof(opts), mode, size_bytes);

	if (r < 0)
		return r;
	if (mount("tmpfs", target, "tmpfs", MOUNT_TMPFS_FLAGS, opts) < 0)
		return -errno;
	return 0;
}

/* mkdir with exactly mode (no umask), or an existing directory. */
static int mkdir_exact(int dirfd, const char *name, mode_t mode)
{
	struct stat st;

	if (mkdirat(dirfd, name, mode) == 0)
		return fchmodat(dirfd, name, mode, 0) < 0 ? -errno : 0;
	if (errno != EEXIST)
		return -errno;
	if (fstatat(dirfd, name, &st, 0) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int mount_overlay_scratch(const char *dir, uint64_t size_bytes)
{
	int err, fd;

	err = mount_mkdir_p(dir, 0755);
	if (err < 0)
		return err;
	err = mount_tmpfs(dir, 0755, size_bytes);
	if (err < 0)
		return err;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out_umount;
	}
	err = mkdir_exact(fd, MOUNT_UPPER_DIR, 0755);
	if (err == 0)
		err = mkdir_exact(fd, MOUNT_WORK_DIR, 0700);
	close(fd);
	if (err == 0)
		return 0;
out_umount:
	umount2(dir, MNT_DETACH);
	return err;
}

int mount_overlay(const char *target, const struct mount_overlay *ov,
		  unsigned long flags)
{
	char opts[MOUNT_OPTIONS_MAX];
	int r = mount_overlay_options(opts, sizeof(opts), ov);

	if (r < 0)
		return r;
	if (!ov->upper)
		flags |= MS_RDONLY;
	if (mount("overlay", target, "overlay", flags, opts) < 0)
		return -errno;
	return 0;
}

int mount_mkdir_p(const char *path, mode_t mode)
{
	char p[MOUNT_PATH_MAX];
	size_t n, depth = 0;
	int err;

	if (!path || path[0] != '/')
		return -EINVAL;
	n = strnlen(path, sizeof(p));
	if (n == sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, path, n + 1);

	/* Each '/' after a component ends a parent; the end ends path. */
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		if (p[i - 1] == '/')
			continue;	/* "//" or a trailing '/' */
		if (++depth > MOUNT_MKDIR_DEPTH_MAX)
			return -EINVAL;
		p[i] = '\0';
		err = mkdir_exact(AT_FDCWD, p, mode);
		p[i] = i < n ? '/' : '\0';
		if (err < 0)
			return err;
	}
	return 0;
}
