/* SPDX-License-Identifier: MIT */
/* Whole-file reads and atomic writes; see file.h. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/fileio.h"
#include "lib/util.h"
#include "ukify/file.h"

int ukify_file_read(const char *path, size_t max, uint8_t **out,
		    size_t *out_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t len;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uintmax_t)st.st_size > max)
		return -OCIBOOT_ETOOBIG;
	len = (size_t)st.st_size;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	/* -EIO when the file shrank under us. */
	r = fileio_pread_exact(fd, buf, len, 0);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

static int write_fd(int fd, const void *buf, size_t len, mode_t mode)
{
	int r = fileio_write_all(fd, buf, len);

	if (r < 0)
		return r;
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

int ukify_file_write(const char *path, const void *buf, size_t len,
		     mode_t mode)
{
	char *tmp;
	int fd, r;

	if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out_free;
	}
	r = write_fd(fd, buf, len, mode);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
out_free:
	free(tmp);
	return r;
}
