/* SPDX-License-Identifier: MIT */
/*
 * Whole-buffer I/O: read(), pread() and write() in a loop that retries on
 * EINTR and goes on after a short transfer; whole files read into a
 * caller's buffer with a cap; new files, single-write attributes and
 * atomic replacement. Shared by the init and the host tool (the allocating
 * reads, for the host only, are in lib/fileio_alloc.h).
 *
 * Every path is resolved against dir_fd as openat() does (AT_FDCWD for the
 * working directory); every fd opened here is O_CLOEXEC and closed on every
 * path out. Errors are -errno, and -OCIBOOT_ETOOBIG for a file over a cap.
 * Nothing here allocates or logs: the caller owns every buffer.
 */
#ifndef OCIBOOT_LIB_FILEIO_H
#define OCIBOOT_LIB_FILEIO_H

#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Write the len bytes of buf to fd at its file offset. Returns 0, or -errno
 * (-EIO when write() writes nothing); how much reached the file before a
 * failure is unspecified.
 */
int fileio_write_all(int fd, const void *buf, size_t len);

/*
 * fileio_write_all() at offset with pwrite(), leaving the file offset
 * alone. Returns 0, or -errno (-EIO when pwrite() writes nothing, -EINVAL
 * when offset + len is beyond what an off_t holds).
 */
int fileio_pwrite_all(int fd, const void *buf, size_t len, uint64_t offset);

/*
 * Read from fd at its file offset into buf[0, cap) until cap bytes are in
 * or the file ends. Returns the number of bytes read (below cap only at the
 * end of the file), or -errno. To tell a file too big for a limit, ask for
 * one byte more than the limit. cap is at most SSIZE_MAX.
 */
ssize_t fileio_read_all(int fd, void *buf, size_t cap);

/*
 * fileio_read_all() from offset with pread(), leaving the file offset
 * alone. Returns the number of bytes read, or -errno (-EINVAL when offset +
 * cap is beyond what an off_t holds).
 */
ssize_t fileio_pread_all(int fd, void *buf, size_t cap, uint64_t offset);

/*
 * Exactly len bytes from offset into buf. Returns 0, -EIO when the file ends
 * first, or -errno as fileio_pread_all() does.
 */
int fileio_pread_exact(int fd, void *buf, size_t len, uint64_t offset);

/* --- whole files ---------------------------------------------------------- */

/*
 * For fileio_read_file() and fileio_read_text(): refuse what is not a
 * regular file, -EISDIR for a directory and -EINVAL for anything else (it
 * is opened O_NONBLOCK, so a FIFO does not hang the open).
 */
#define FILEIO_REGULAR 1u

/*
 * Open dir_fd/path to read (O_RDONLY | O_NOCTTY | O_CLOEXEC). flags: 0 or
 * FILEIO_REGULAR. Returns the fd, which the caller closes, or -errno.
 */
int fileio_open_read(int dir_fd, const char *path, unsigned int flags);

/*
 * Read fd from its file offset to the end into buf[0, cap). Returns the
 * number of bytes, or -OCIBOOT_ETOOBIG when there are more than cap (one
 * byte past them is read to tell; buf then holds the first cap), or
 * -errno. cap is at most SSIZE_MAX - 1.
 */
ssize_t fileio_read_whole(int fd, void *buf, size_t cap);

/*
 * fileio_read_whole() of the file at dir_fd/path, opened O_RDONLY |
 * O_NOCTTY. flags: 0 or FILEIO_REGULAR. Returns the number of bytes, or
 * -OCIBOOT_ETOOBIG, or -errno (-ENOENT when it does not exist).
 */
ssize_t fileio_read_file(int dir_fd, const char *path, void *buf, size_t cap,
			 unsigned int flags);

/*
 * fileio_read_file() into buf[0, size) as text: at most size - 1 bytes,
 * then a NUL (a NUL inside the file is kept; the length tells). size is at
 * least 1. Returns the length, -OCIBOOT_ETOOBIG when the file has more
 * than size - 1 bytes, or -errno; buf's contents are unspecified on
 * failure.
 */
ssize_t fileio_read_text(int dir_fd, const char *path, char *buf, size_t size,
			 unsigned int flags);

/*
 * Write data[0, len) to the existing file dir_fd/path in one write(), as
 * procfs and sysfs attributes want (a second write() would be a second
 * value). Returns 0, -EIO when the write was short, or -errno.
 */
int fileio_write_attr(int dir_fd, const char *path, const void *data,
		      size_t len);

/*
 * Create dir_fd/path, which must not exist (-EEXIST; a symbolic link there
 * counts), with permission bits exactly mode (the umask not applied), write
 * data[0, len) and fsync it. Returns 0 or -errno; on failure a file this
 * call created is removed.
 */
int fileio_write_new(int dir_fd, const char *path, const void *data,
		     size_t len, mode_t mode);

/* --- atomic replacement --------------------------------------------------- */

/*
 * A file being written beside its final name, for callers that write it in
 * pieces or name it once its contents are known (a blob named by its
 * digest). The caller owns the struct; it holds two fds until
 * fileio_temp_commit() or fileio_temp_abort().
 */
struct fileio_temp {
	int fd;				/* the temporary file, O_RDWR */
	int dir_fd;			/* its directory */
	char temp_name[NAME_MAX + 1];	/* in dir_fd */
	char name[NAME_MAX + 1];	/* the final name, in dir_fd */
};

/*
 * Create a temporary file in the directory of dir_fd/path (".NAME.tmp-"
 * and a unique suffix), with permission bits exactly mode; write to t->fd
 * (it may be read back too, to hash what was written).
 * Returns 0, -ENAMETOOLONG when path's directory is longer than PATH_MAX
 * or its last component longer than NAME_MAX, -EINVAL when path is empty
 * or ends in '/', or -errno; t is then not open.
 */
int fileio_temp_open(struct fileio_temp *t, int dir_fd, const char *path,
		     mode_t mode);

/*
 * fsync the file, rename it to name in its directory (NULL: the last
 * component of the path given to fileio_temp_open()), fsync the directory,
 * and close t. Returns 0 or -errno; on failure the temporary file is
 * removed (a failure of the last fsync leaves the new file in place, maybe
 * not yet durable). t is closed either way.
 */
int fileio_temp_commit(struct fileio_temp *t, const char *name);

/* Close t and remove the temporary file. Safe on a closed t. */
void fileio_temp_abort(struct fileio_temp *t);

/*
 * Replace dir_fd/path with data[0, len) atomically: readers see the old
 * file or the whole new one, never a part, and after a crash one of the
 * two. Permission bits exactly mode. Returns 0 or -errno as
 * fileio_temp_open() and fileio_temp_commit() do; on failure path is
 * unchanged and no temporary file is left.
 */
int fileio_replace(int dir_fd, const char *path, const void *data,
		   size_t len, mode_t mode);

#endif
