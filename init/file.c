/* SPDX-License-Identifier: MIT */
#include "init/file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"

ssize_t file_read_all(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n, more;
	char extra;

	if (fd < 0)
		return -errno;
	if (size == 0)
		return -OCIBOOT_ETOOBIG;
	n = fileio_read_all(fd, buf, size - 1);
	if (n < 0)
		return n;
	/* Full: one more byte tells a file that does not fit. */
	if ((size_t)n == size - 1) {
		more = fileio_read_all(fd, &extra, 1);
		if (more != 0)
			return more < 0 ? more : -OCIBOOT_ETOOBIG;
	}
	buf[n] = '\0';
	return n;
}

int file_write_all(const char *path, const char *data, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do {
		n = write(fd, data, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
