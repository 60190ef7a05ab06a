/* SPDX-License-Identifier: MIT */
/*
 * Whole-file reads and atomic whole-file writes for the ukify commands.
 */
#ifndef OCIBOOT_UKIFY_FILE_H
#define OCIBOOT_UKIFY_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read the regular file at path (at most max bytes) into a new malloc'd
 * buffer *out of *out_len bytes, plus a NUL after the last byte that is not
 * counted, so text can be used as a string. Returns 0, -errno from
 * open/read (-EISDIR or -EINVAL for a non-regular file), -OCIBOOT_ETOOBIG
 * over max, -ENOMEM. *out is set only on success.
 */
int ukify_file_read(const char *path, size_t max, uint8_t **out,
		    size_t *out_len);

/*
 * Write len bytes to path atomically: into a temporary file in the same
 * directory, flushed, then renamed over path, with permission bits mode.
 * Returns 0 or -errno; on failure path is unchanged and no temporary file
 * is left.
 */
int ukify_file_write(const char *path, const void *buf, size_t len,
		     mode_t mode);

#endif
