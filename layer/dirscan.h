/* SPDX-License-Identifier: MIT */
/*
 * Directory scanner: feeds a directory tree to a layer builder (or any
 * layer_add_fn) as struct layer_entry values, in a fixed order: a
 * directory, then its entries sorted bytewise by name, each directory's
 * contents right after it. Owners, permission bits, device numbers, link
 * targets and xattrs come from lstat/readlink/llistxattr; names sharing an
 * inode (st_nlink > 1, same st_dev and st_ino) after the first are fed as
 * LAYER_HARDLINK to the first one's path. Symlinks are not followed; mount
 * points inside the tree are crossed. The scanner allocates; it does not
 * log.
 */
#ifndef OCIBOOT_DIRSCAN_H
#define OCIBOOT_DIRSCAN_H

#include <stddef.h>

#include "layer/layer.h"

/* Entries of one directory; the whole tree is capped by the builder. */
#define DIRSCAN_DIR_ENTRIES_MAX LAYER_ENTRIES_MAX

/*
 * Walk the directory at root: root itself is fed with path "", the rest
 * with paths relative to it ("etc", "etc/passwd"). Each entry is passed to
 * add(ctx, entry); a regular file's read() returns its content while the
 * call lasts.
 *
 * Returns 0, the first error add returns, -OCIBOOT_ETOOBIG past
 * LAYER_DEPTH_MAX levels, LAYER_PATH_MAX bytes of path or
 * DIRSCAN_DIR_ENTRIES_MAX entries in a directory, -ENOMEM, or -errno from
 * the file system (-ENOTDIR when root is not a directory, -ENODATA when a
 * file shrank while being read). On failure the path relative to root of
 * the entry that failed ("" for root) is written NUL-terminated to
 * failed[0, failed_size) (truncated to fit) when failed is not NULL.
 */
int dirscan_walk(const char *root, layer_add_fn add, void *ctx, char *failed,
		 size_t failed_size);

#endif
