/* SPDX-License-Identifier: MIT */
/* Whole-buffer and whole-file reads and writes; see fileio.h. */
#include "lib/fileio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"

/* Names a fileio_temp_open() tries before it gives up with -EEXIST. */
#define TEMP_ATTEMPTS 100
/* Bytes of the final name kept in a temporary name, within NAME_MAX. */
#define TEMP_NAME_KEEP 200

/* write() (offset < 0) or pwrite() at offset until all len bytes are out. */
static int write_loop(int fd, const uint8_t *p, size_t len, off_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = offset < 0 ? write(fd, p + done, len - done) :
			    pwrite(fd, p + done, len - done,
				   offset + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int fileio_write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1);
}

int fileio_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset)
{
	if (offset > INT64_MAX || len > INT64_MAX - offset)
		return -EINVAL;
	return write_loop(fd, buf, len, (off_t)offset);
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

/* --- whole files ---------------------------------------------------------- */

ssize_t fileio_read_whole(int fd, void *buf, size_t cap)
{
	ssize_t n, more;
	uint8_t extra;

	if (cap >= SSIZE_MAX)
		return -EINVAL;
	n = fileio_read_all(fd, buf, cap);
	if (n < 0 || (size_t)n < cap)
		return n;
	/* Full: one more byte tells a file that does not fit. */
	more = fileio_read_all(fd, &extra, 1);
	if (more != 0)
		return more < 0 ? more : -OCIBOOT_ETOOBIG;
	return n;
}

int fileio_open_read(int dir_fd, const char *path, unsigned int flags)
{
	int open_flags = O_RDONLY | O_NOCTTY | O_CLOEXEC;
	struct stat st;
	int fd;

	if (flags & FILEIO_REGULAR)
		open_flags |= O_NONBLOCK;
	fd = openat(dir_fd, path, open_flags);
	if (fd < 0)
		return -errno;
	if (!(flags & FILEIO_REGULAR))
		return fd;
	if (fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	return fd;
}

ssize_t fileio_read_file(int dir_fd, const char *path, void *buf, size_t cap,
			 unsigned int flags)
{
	_cleanup_close_ int fd = fileio_open_read(dir_fd, path, flags);

	if (fd < 0)
		return fd;
	return fileio_read_whole(fd, buf, cap);
}

ssize_t fileio_read_text(int dir_fd, const char *path, char *buf, size_t size,
			 unsigned int flags)
{
	ssize_t n;

	if (size == 0)
		return -EINVAL;
	n = fileio_read_file(dir_fd, path, buf, size - 1, flags);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

int fileio_write_attr(int dir_fd, const char *path, const void *data,
		      size_t len)
{
	_cleanup_close_ int fd = -1;
	ssize_t n;

	fd = openat(dir_fd, path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, data, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Mode, contents, fsync, close: 0 or -errno; fd closed either way. */
static int fill_and_close(int fd, const void *data, size_t len, mode_t mode)
{
	int r = fchmod(fd, mode) < 0 ? -errno : 0;

	if (r == 0)
		r = fileio_write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int fileio_write_new(int dir_fd, const char *path, const void *data,
		     size_t len, mode_t mode)
{
	int fd, r;

	fd = openat(dir_fd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = fill_and_close(fd, data, len, mode);
	if (r < 0)
		unlinkat(dir_fd, path, 0);
	return r;
}

/* --- atomic replacement --------------------------------------------------- */

/*
 * Split path into its directory, opened into t->dir_fd, and its last
 * component, copied to t->name.
 */
static int open_parent(struct fileio_temp *t, int dir_fd, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	size_t dir_len;

	if (*base == '\0')
		return -EINVAL;
	if (strlen(base) > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(t->name, base, strlen(base) + 1);
	if (!slash) {
		memcpy(dir, ".", 2);
	} else {
		/* "/NAME" is in "/". */
		dir_len = slash == path ? 1 : (size_t)(slash - path);
		if (dir_len >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, path, dir_len);
		dir[dir_len] = '\0';
	}
	t->dir_fd = openat(dir_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return t->dir_fd < 0 ? -errno : 0;
}

/* An unused ".NAME.tmp-PID-N" in t->dir_fd, created into t->fd. */
static int create_temp(struct fileio_temp *t)
{
	static unsigned int counter;

	for (int i = 0; i < TEMP_ATTEMPTS; i++) {
		unsigned int n = __atomic_fetch_add(&counter, 1,
						    __ATOMIC_RELAXED);

		snprintf(t->temp_name, sizeof(t->temp_name), ".%.*s.tmp-%ld-%u",
			 TEMP_NAME_KEEP, t->name, (long)getpid(), n);
		t->fd = openat(t->dir_fd, t->temp_name,
			       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			       O_NOCTTY | O_CLOEXEC, 0600);
		if (t->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int fileio_temp_open(struct fileio_temp *t, int dir_fd, const char *path,
		     mode_t mode)
{
	int r;

	t->fd = -1;
	t->dir_fd = -1;
	t->temp_name[0] = '\0';
	r = open_parent(t, dir_fd, path);
	if (r == 0)
		r = create_temp(t);
	if (r == 0 && fchmod(t->fd, mode) < 0)
		r = -errno;
	if (r < 0)
		fileio_temp_abort(t);
	return r;
}

int fileio_temp_commit(struct fileio_temp *t, const char *name)
{
	int r = 0;

	if (fsync(t->fd) < 0)
		r = -errno;
	if (r == 0 && close(t->fd) < 0)
		r = -errno;
	t->fd = -1;
	if (r == 0 && renameat(t->dir_fd, t->temp_name, t->dir_fd,
			       name ? name : t->name) < 0)
		r = -errno;
	if (r < 0) {
		fileio_temp_abort(t);
		return r;
	}
	t->temp_name[0] = '\0';	/* renamed: nothing to remove */
	if (fsync(t->dir_fd) < 0)
		r = -errno;
	fileio_temp_abort(t);
	return r;
}

void fileio_temp_abort(struct fileio_temp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->dir_fd >= 0 && t->temp_name[0])
		unlinkat(t->dir_fd, t->temp_name, 0);
	t->temp_name[0] = '\0';
	if (t->dir_fd >= 0)
		close(t->dir_fd);
	t->dir_fd = -1;
}

int fileio_replace(int dir_fd, const char *path, const void *data,
		   size_t len, mode_t mode)
{
	struct fileio_temp t;
	int r = fileio_temp_open(&t, dir_fd, path, mode);

	if (r < 0)
		return r;
	r = fileio_write_all(t.fd, data, len);
	if (r < 0) {
		fileio_temp_abort(&t);
		return r;
	}
	return fileio_temp_commit(&t, NULL);
}
