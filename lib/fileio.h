/* SPDX-License-Identifier: MIT */
/*
 * Whole-buffer I/O on a file descriptor: read(), pread() and write() in a
 * loop that retries on EINTR and goes on after a short transfer. Shared by
 * the init and the host tool. Nothing here opens, closes, allocates or
 * logs: the caller owns fd and every buffer.
 */
#ifndef OCIBOOT_LIB_FILEIO_H
#define OCIBOOT_LIB_FILEIO_H

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

#endif
