/* SPDX-License-Identifier: MIT */
/*
 * A reproducible writer of newc ("070701") cpio archives, the format the
 * Linux kernel unpacks into its initramfs.
 *
 * Entries are collected first and written in one go: sorted by path (byte
 * order), every missing parent directory created (mode 0755), owner 0:0,
 * one mtime for all, inode numbers 1, 2, ... in path order, directory link
 * counts of 2 + their subdirectories, headers and data padded to 4 bytes,
 * closed by TRAILER!!!. Equal entries give equal bytes, whatever the order
 * they were added in.
 *
 * Paths are relative to the archive root ("init", "dev/console"); one
 * leading '/' is accepted and dropped. Empty, "." and ".." components,
 * trailing slashes and control characters are refused.
 */
#ifndef OCIBOOT_UKIFY_CPIO_H
#define OCIBOOT_UKIFY_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_PATH_MAX 1024		/* bytes of a path, without the NUL */
#define CPIO_DEPTH_MAX 32		/* components of a path */
#define CPIO_ENTRIES_MAX 65536		/* entries added by the caller */
#define CPIO_FILE_MAX (1u << 30)	/* bytes of one file's contents */
#define CPIO_HEADER_LEN 110		/* "070701" + 13 fields of 8 hex */

struct cpio_entry;

/* An archive being collected. Zero it (or cpio_init) before use. */
struct cpio {
	struct cpio_entry *entries;
	size_t count;
	size_t cap;
};

void cpio_init(struct cpio *c);

/* Free every entry and the copies of their contents; c may be reused. */
void cpio_free(struct cpio *c);

/*
 * Add a regular file with permission bits perm (07777 at most). The
 * contents (size bytes) are copied. Returns 0, -EINVAL for a bad path or
 * mode, -OCIBOOT_ETOOBIG over a cap, -ENOMEM.
 */
int cpio_add_file(struct cpio *c, const char *path, unsigned int perm,
		  const void *data, size_t size);

/* Add a directory. Same returns as cpio_add_file(). */
int cpio_add_dir(struct cpio *c, const char *path, unsigned int perm);

/* Add a character device node major:minor. Same returns. */
int cpio_add_chardev(struct cpio *c, const char *path, unsigned int perm,
		     unsigned int major, unsigned int minor);

/*
 * Write the archive into a new malloc'd buffer, *out (*out_len bytes,
 * owned by the caller), with mtime on every entry. c is not changed.
 * Returns 0; -EEXIST when two entries share a path; -ENOTDIR when a path
 * goes through a non-directory; -OCIBOOT_ETOOBIG when the archive would
 * not fit in memory; -ENOMEM. *out and *out_len are set only on success.
 */
int cpio_write(const struct cpio *c, uint32_t mtime, uint8_t **out,
	       size_t *out_len);

#endif
