/* SPDX-License-Identifier: MIT */
/* Whole-file reads into a new buffer; see fileio_alloc.h. */
#include "lib/fileio_alloc.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"

/* The first allocation when the size is not known (a pipe, procfs). */
#define FIRST_ALLOC 4096

/*
 * Bytes to allocate for a buffer that holds have bytes and must take more:
 * double, but at most max + 2 (the NUL, and one byte to tell a file over
 * max).
 */
static size_t grow(size_t have, size_t max)
{
	size_t next;

	if (!size_mul(have, 2, &next) || next > max + 2)
		next = max + 2;
	return next;
}

int fileio_read_whole_alloc(int fd, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	size_t size = FIRST_ALLOC, done = 0;
	uint8_t *buf = NULL;
	ssize_t n;

	if (max >= SIZE_MAX - 1 || max >= SSIZE_MAX - 1)
		return -EINVAL;
	/* A regular file's size: read it in one go, and one byte to see more. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		size = (uintmax_t)st.st_size < max ? (size_t)st.st_size + 2 :
						     max + 2;
	if (size > max + 2)
		size = max + 2;
	for (;;) {
		uint8_t *bigger = realloc(buf, size);

		if (!bigger) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
		/* Room for the NUL kept free. */
		n = fileio_read_all(fd, buf + done, size - 1 - done);
		if (n < 0) {
			free(buf);
			return (int)n;
		}
		done += (size_t)n;
		if (done > max) {
			free(buf);
			return -OCIBOOT_ETOOBIG;
		}
		if (done < size - 1)
			break;		/* the end of the file */
		size = grow(size, max);
	}
	buf[done] = '\0';
	*out = buf;
	*len = done;
	return 0;
}

int fileio_read_file_alloc(int dir_fd, const char *path, size_t max,
			   unsigned int flags, uint8_t **out, size_t *len)
{
	_cleanup_close_ int fd = fileio_open_read(dir_fd, path, flags);

	if (fd < 0)
		return fd;
	return fileio_read_whole_alloc(fd, max, out, len);
}
