/* SPDX-License-Identifier: MIT */
#include "init/file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "lib/util.h"

ssize_t file_read_all(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t used = 0;

	if (fd < 0)
		return -errno;
	if (size == 0)
		return -OCIBOOT_ETOOBIG;
	/* Each read either adds a byte or ends the loop, so used bounds it. */
	for (;;) {
		char extra;
		ssize_t n;

		if (used == size - 1)
			n = read(fd, &extra, 1);
		else
			n = read(fd, buf + used, size - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (used == size - 1)
			return -OCIBOOT_ETOOBIG;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return (ssize_t)used;
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
