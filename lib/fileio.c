/* SPDX-License-Identifier: MIT */
/* Whole-buffer reads and writes on a file descriptor; see fileio.h. */
#include "lib/fileio.h"

#include <errno.h>
#include <unistd.h>

int fileio_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* read() (offset < 0) or pread() from offset until cap bytes or the end. */
static ssize_t read_loop(int fd, uint8_t *p, size_t cap, off_t offset)
{
	size_t done = 0;

	while (done < cap) {
		ssize_t n = offset < 0 ? read(fd, p + done, cap - done) :
			    pread(fd, p + done, cap - done,
				  offset + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

ssize_t fileio_read_all(int fd, void *buf, size_t cap)
{
	return read_loop(fd, buf, cap, -1);
}

ssize_t fileio_pread_all(int fd, void *buf, size_t cap, uint64_t offset)
{
	if (offset > INT64_MAX || cap > INT64_MAX - offset)
		return -EINVAL;
	return read_loop(fd, buf, cap, (off_t)offset);
}

int fileio_pread_exact(int fd, void *buf, size_t len, uint64_t offset)
{
	ssize_t n = fileio_pread_all(fd, buf, len, offset);

	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}
