/* SPDX-License-Identifier: MIT */
/*
 * The dm-verity hash tree builder of the host tool: a streaming builder
 * that reports each finished hash block through a callback (so it does no
 * I/O itself and is tested without files), and verity_format_fd(), which
 * formats a file in place as `veritysetup format` does. The geometry, the
 * superblock and the dm table, which the init needs too, are fs/verity.h.
 * Nothing here logs; only verity_format_fd() allocates.
 */
#ifndef OCIBOOT_LAYER_VERITY_TREE_H
#define OCIBOOT_LAYER_VERITY_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "fs/verity.h"

/*
 * Called by the tree builder once for each finished hash block: block is
 * its number in the blob (see struct verity_geometry), data its
 * VERITY_BLOCK_SIZE bytes, valid only during the call. Return 0, or a
 * negative error that the builder stops on and returns.
 */
typedef int (*verity_emit_fn)(void *ctx, uint64_t block, const uint8_t *data);

/*
 * Streaming tree builder. The caller allocates it (about 25 KB: heap, not
 * stack, in the init); its fields are private. Memory is bounded by one
 * pending block per level whatever the data size. Each level's blocks are
 * emitted in order; levels interleave.
 */
struct verity_tree {
	struct verity_geometry geo;
	struct sha256 salted;		/* context that has hashed the salt */
	verity_emit_fn emit;
	void *emit_ctx;
	uint64_t data_done;		/* data blocks hashed so far */
	uint64_t emitted[VERITY_LEVELS_MAX];
	unsigned int fill[VERITY_LEVELS_MAX];	/* digests in pending */
	uint8_t pending[VERITY_LEVELS_MAX][VERITY_BLOCK_SIZE];
	uint8_t root[VERITY_DIGEST_LEN];
	int err;			/* sticky */
};

/*
 * Start a tree over data_size bytes (see verity_geometry_init()) with the
 * given salt (salt_len <= VERITY_SALT_MAX; salt may be NULL when salt_len
 * is 0). emit receives the hash blocks. Returns 0, or the errors of
 * verity_geometry_init(), or -EINVAL for a bad salt or a NULL emit.
 */
int verity_tree_init(struct verity_tree *tree, uint64_t data_size,
		     const uint8_t *salt, size_t salt_len,
		     verity_emit_fn emit, void *emit_ctx);

/*
 * Hash the next len bytes of data; len must be a multiple of
 * VERITY_BLOCK_SIZE and must not take the total past data_size. Returns 0,
 * -EINVAL, or an error from emit. Errors are sticky: every later call
 * returns the first one.
 */
int verity_tree_update(struct verity_tree *tree, const void *data,
		       size_t len);

/*
 * After exactly data_size bytes: pad and emit the last block of each level
 * and write the root hash. Returns 0, -EINVAL when data is missing, or a
 * sticky error. Call once.
 */
int verity_tree_final(struct verity_tree *tree,
		      uint8_t root[VERITY_DIGEST_LEN]);

/*
 * Format the file open on fd (read-write) in place: hash its first
 * data_size bytes and write the superblock block (with salt, uuid and
 * data_size / 4096 data blocks) at byte data_size and the tree after it,
 * byte-identical to `veritysetup format --data-block-size=4096
 * --hash-block-size=4096 --hash-offset=data_size --salt=... --uuid=...`.
 * Bytes past the end of the tree are left alone. Reads in chunks of a
 * buffer it allocates; does not move the file offset.
 *
 * Returns 0 and writes root; the errors of verity_tree_init();
 * -EIO when the file ends before data_size; -ENOMEM; or -errno from
 * pread/pwrite. On failure the file's hash area is undefined.
 */
int verity_format_fd(int fd, uint64_t data_size, const uint8_t *salt,
		     size_t salt_len, const uint8_t uuid[VERITY_UUID_LEN],
		     uint8_t root[VERITY_DIGEST_LEN]);

#endif
