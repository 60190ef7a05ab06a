/* SPDX-License-Identifier: MIT */
/*
 * Layer builder (host side): a reproducible squashfs image written with
 * libsquashfs, padded to 4096 bytes, with the dm-verity superblock and hash
 * tree appended in the layout of fs/verity.h. docs/layers.md describes the
 * format and the overlayfs conventions.
 *
 * Sources feed entries through one interface, struct layer_entry, one call
 * of layer_builder_add() per entry: layer/dirscan.c walks a directory, a tar
 * reader classifies OCI whiteouts into LAYER_WHITEOUT and LAYER_OPAQUE.
 * Entries may come in any order and repeat (a later entry wins, as in tar);
 * the image is the same for the same set of entries whatever their order,
 * except that file data is laid out in the order it was fed. Entries are
 * untrusted: every field is checked against the caps below.
 *
 * The output is reproducible: every inode and the superblock carry one
 * fixed mtime, directories are sorted bytewise, inode numbers follow the
 * sorted tree, data blocks are 128 KiB and compressed with zstd at a fixed
 * level, and the verity salt and uuid are given by the caller or derived
 * from the padded squashfs image (LAYER_SALT_LABEL, LAYER_UUID_LABEL).
 *
 * The builder allocates; nothing here logs.
 */
#ifndef OCIBOOT_LAYER_H
#define OCIBOOT_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/verity.h"

/* OCI media type of the blobs built here (stacker's, zstd). */
#define LAYER_MEDIA_TYPE "application/vnd.stacker.image.layer.squashfs+zstd"

#define LAYER_BLOCK_SIZE (128 * 1024)
#define LAYER_ZSTD_LEVEL 15		/* zstd's and mksquashfs's default */

/* Caps on untrusted entries. */
#define LAYER_NAME_MAX 255		/* bytes of one path component */
#define LAYER_PATH_MAX 4095		/* bytes of a path, uncleaned */
#define LAYER_DEPTH_MAX 256		/* components of a path */
#define LAYER_ENTRIES_MAX (1u << 24)	/* names, implicit ones too */
#define LAYER_SYMLINK_MAX 4095		/* bytes of a symlink target */
#define LAYER_XATTRS_MAX 128		/* xattrs of one entry */
#define LAYER_XATTR_NAME_MAX 255	/* bytes of a name, prefix included */
#define LAYER_XATTR_VALUE_MAX 65536	/* bytes of a value */
#define LAYER_FILE_SIZE_MAX ((uint64_t)1 << 48)
/* Names, link targets and xattrs kept in memory until the tree is written. */
#define LAYER_METADATA_MAX ((uint64_t)1 << 30)
#define LAYER_WORKERS_MAX 64
/* squashfs device numbers: 12 bits of major, 20 of minor. */
#define LAYER_DEV_MAJOR_MAX 0xfffu
#define LAYER_DEV_MINOR_MAX 0xfffffu

/*
 * The overlayfs markers the builder writes (docs/layers.md): an opaque
 * directory carries both, so that it is opaque to an overlay mounted with
 * userxattr (as atomfs and the init mount layers, which reads the user.
 * one) and to one mounted without (the trusted. one).
 */
#define LAYER_OPAQUE_XATTR "trusted.overlay.opaque"
#define LAYER_OPAQUE_XATTR_USER "user.overlay.opaque"

enum layer_type {
	LAYER_DIR = 1,
	LAYER_FILE,		/* size bytes of content from read() */
	LAYER_SYMLINK,		/* target: the link's contents */
	LAYER_HARDLINK,		/* target: path of an entry fed before */
	LAYER_CHAR,		/* rdev_major, rdev_minor */
	LAYER_BLOCK,
	LAYER_FIFO,
	LAYER_SOCKET,
	/*
	 * path is deleted from the layers below: written as an overlayfs
	 * whiteout, a character device 0/0 with mode 0, owner 0:0 (or the
	 * forced owner). If this layer itself holds a directory at path, it
	 * becomes opaque instead; any other entry of this layer at path
	 * stays as it is.
	 */
	LAYER_WHITEOUT,
	/*
	 * The directory at path hides the directories at path below it:
	 * xattr trusted.overlay.opaque=y. The directory is created (mode
	 * 0755) when this layer has none.
	 */
	LAYER_OPAQUE,
};

struct layer_xattr {
	const char *name;		/* NUL-terminated, with its prefix */
	const void *value;
	size_t size;
};

/*
 * Content reader of a LAYER_FILE: copy up to len bytes to buf and return
 * how many (> 0), 0 at the end, or a negative errno that the builder
 * returns as is.
 */
typedef ssize_t (*layer_read_fn)(void *ctx, void *buf, size_t len);

/*
 * One entry. Pointers need only live during the call. path is relative to
 * the layer's root: components separated by '/', with "." components,
 * repeated, leading and trailing '/' ignored, so "", "." and "./" name the
 * root (which takes only LAYER_DIR and LAYER_OPAQUE); ".." is refused.
 * Missing parent directories are created with mode 0755, owner 0:0 (or the
 * forced owner); a later LAYER_DIR entry sets their metadata.
 *
 * A LAYER_DIR entry over an existing directory replaces its mode, owner
 * and xattrs and keeps its contents (and opacity: a directory made opaque
 * stays so). Any other entry over an existing one
 * replaces it (and a directory's contents); hard links to the old inode
 * keep it. xattr "trusted.overlay.opaque" or "user.overlay.opaque" with
 * value "y" on a directory marks it opaque, as LAYER_OPAQUE does (and the
 * directory then gets both). xattrs whose prefix squashfs
 * cannot store (only user., trusted. and security. can be) are dropped and
 * counted in layer_result.xattrs_dropped.
 */
struct layer_entry {
	enum layer_type type;
	const char *path;
	uint32_t mode;			/* permission bits, 07777 */
	uint32_t uid, gid;
	uint64_t size;			/* LAYER_FILE */
	uint32_t rdev_major, rdev_minor; /* LAYER_CHAR, LAYER_BLOCK */
	const char *target;		/* LAYER_SYMLINK, LAYER_HARDLINK */
	const struct layer_xattr *xattrs;
	size_t xattr_count;		/* <= LAYER_XATTRS_MAX */
	layer_read_fn read;		/* LAYER_FILE, unless size is 0 */
	void *read_ctx;
};

/* What a source calls for each entry: layer_builder_add() or a test's. */
typedef int (*layer_add_fn)(void *ctx, const struct layer_entry *entry);

/*
 * The derived salt and uuid (docs/layers.md, "Reproducibility"). With I
 * the squashfs image padded to 4096 bytes (the verity data area):
 *   salt = SHA-256("ociboot verity salt" || I), 32 bytes;
 *   uuid = SHA-256("ociboot verity uuid" || I)[0, 16) with the version
 *          nibble set to 8 and the variant bits to 10 (RFC 9562 UUIDv8).
 * The labels are hashed without a terminating NUL.
 */
#define LAYER_SALT_LABEL "ociboot verity salt"
#define LAYER_UUID_LABEL "ociboot verity uuid"
#define LAYER_DERIVED_SALT_LEN 32

struct layer_options {
	uint32_t mtime;			/* of every inode, superblock */
	bool force_owner;		/* every inode owned by uid:gid */
	uint32_t uid, gid;
	unsigned int workers;		/* compressor threads; 0 means 1 */
	const uint8_t *salt;		/* verity salt, copied */
	size_t salt_len;		/* <= VERITY_SALT_MAX */
	uint8_t uuid[VERITY_UUID_LEN];	/* verity superblock uuid */
	bool derive_salt;		/* ignore salt: derive it */
	bool derive_uuid;		/* ignore uuid: derive it */
};

/* What the data compressor did (layer/compress.h). */
struct layer_compress_stats {
	uint64_t blocks;		/* compressed, reused or stored */
	uint64_t reused;		/* results taken from the table */
	uint64_t incompressible;	/* stored whole after the probe */
};

struct layer_result {
	uint64_t bytes_used;		/* the squashfs superblock's */
	uint64_t hash_offset;		/* bytes_used rounded up to 4096 */
	uint64_t blob_size;		/* squashfs, padding and verity */
	uint32_t inodes;
	uint64_t xattrs_dropped;
	struct layer_compress_stats blocks;
	uint8_t root[VERITY_DIGEST_LEN];
	uint8_t salt[VERITY_SALT_MAX];	/* the salt used, given or derived */
	size_t salt_len;
	uint8_t uuid[VERITY_UUID_LEN];	/* the uuid used */
};

struct layer_builder;

/*
 * Start a layer in the file open read-write on fd, which is truncated to
 * 0 bytes (the builder writes at absolute offsets; it does not close fd).
 * Returns 0 and sets *out, -EINVAL for bad options, -ENOMEM, or -errno.
 */
int layer_builder_new(int fd, const struct layer_options *opt,
		      struct layer_builder **out);

/*
 * Add one entry (see struct layer_entry); a LAYER_FILE's content is read
 * and compressed now. Returns 0; -OCIBOOT_EMALFORMED for a bad path, type,
 * mode, link target, xattr or device number, a hard link to a missing
 * entry or a directory, or a path through a non-directory; -OCIBOOT_ETOOBIG
 * over a cap; -ENODATA when a file's content ends before size; -ENOMEM;
 * the reader's error; -EIO or -errno from writing. After an error of
 * writing or reading content, the builder refuses every later call with
 * the same error; a refused entry leaves it usable.
 */
int layer_builder_add(struct layer_builder *b, const struct layer_entry *e);

/*
 * Write the inode, directory, fragment, id and xattr tables and the
 * superblock, pad with zeros to a multiple of 4096 and append the verity
 * superblock and hash tree. Returns 0 and fills *res, or an error as
 * above (-OCIBOOT_ETOOBIG past 65536 distinct owners). Call once.
 */
int layer_builder_finish(struct layer_builder *b, struct layer_result *res);

/* Free the builder (NULL is fine). The file keeps what was written. */
void layer_builder_free(struct layer_builder *b);

/* What layer_inspect_fd() finds in a blob. */
struct layer_info {
	uint8_t digest[SHA256_LEN];	/* sha256 of the whole blob */
	uint64_t size;
	uint64_t bytes_used;
	uint64_t hash_offset;
	uint32_t inodes;
	uint32_t mtime;
	uint32_t block_size;
	unsigned int compression;	/* enum squashfs_compression */
	struct verity_superblock verity;
	uint8_t root[VERITY_DIGEST_LEN];
};

/*
 * Read the blob open on fd (untrusted): parse the squashfs superblock and
 * the verity superblock at bytes_used rounded up to 4096, recompute the
 * hash tree from the data and compare it with the stored one, and hash the
 * whole file. Returns 0 and fills *info; -OCIBOOT_EMALFORMED for a bad
 * superblock or a blob whose size is not exactly data, superblock and
 * tree; -OCIBOOT_EVERIFY when a stored hash block differs from the
 * recomputed one; -ENOMEM; -EIO or -errno from reading. *info is written
 * only on success. Reads with pread(): the file offset does not move.
 */
int layer_inspect_fd(int fd, struct layer_info *info);

/* sha256 and size of everything in the file open on fd, read with pread(). */
int layer_digest_fd(int fd, uint8_t digest[SHA256_LEN], uint64_t *size);

#endif
