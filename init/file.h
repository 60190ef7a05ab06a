/* SPDX-License-Identifier: MIT */
/*
 * Whole-file reads and writes for the small files PID 1 deals with: procfs
 * and sysfs attributes, and lists in the initrd. The caller owns the
 * buffers; nothing here allocates or logs.
 */
#ifndef OCIBOOT_INIT_FILE_H
#define OCIBOOT_INIT_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read all of path into buf[size] (size >= 1), NUL-terminated. Returns the
 * number of bytes read (at most size - 1), -OCIBOOT_ETOOBIG when the file
 * has more, or -errno (-ENOENT when it does not exist). buf's contents are
 * unspecified on failure.
 */
ssize_t file_read_all(const char *path, char *buf, size_t size);

/*
 * Write the len bytes of data to the existing file path in one write() (as
 * procfs and sysfs want). Returns 0, -EIO for a short write, or -errno.
 */
int file_write_all(const char *path, const char *data, size_t len);

#endif
