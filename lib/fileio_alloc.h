/* SPDX-License-Identifier: MIT */
/*
 * Whole-file reads into a new buffer, for the host tool only: the init
 * reads into fixed buffers with lib/fileio.h and never links this file.
 *
 * The buffer grows as the file is read (from its size when it is a regular
 * file), so a generous cap costs nothing for a small file. It always has
 * one byte more than the file, a NUL not counted in the length, so text can
 * be used as a string. The caller free()s *out. Nothing here logs.
 */
#ifndef OCIBOOT_LIB_FILEIO_ALLOC_H
#define OCIBOOT_LIB_FILEIO_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read fd from its file offset to the end into a new buffer *out of *len
 * bytes (plus the NUL). Returns 0, -OCIBOOT_ETOOBIG when there are more
 * than max bytes, -ENOMEM, or -errno; *out and *len are set only on
 * success. max is below SIZE_MAX.
 */
int fileio_read_whole_alloc(int fd, size_t max, uint8_t **out, size_t *len);

/*
 * fileio_read_whole_alloc() of dir_fd/path, opened as fileio_read_file()
 * does (flags: 0 or FILEIO_REGULAR from lib/fileio.h).
 */
int fileio_read_file_alloc(int dir_fd, const char *path, size_t max,
			   unsigned int flags, uint8_t **out, size_t *len);

#endif
