/* SPDX-License-Identifier: MIT */
#include "layer/verity_tree.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"

/* Bytes read per pread() in verity_format_fd(). */
#define VERITY_READ_CHUNK (1024 * 1024)

/* --- tree builder -------------------------------------------------------- */

int verity_tree_init(struct verity_tree *tree, uint64_t data_size,
		     const uint8_t *salt, size_t salt_len,
		     verity_emit_fn emit, void *emit_ctx)
{
	struct verity_geometry geo;
	int r;

	if (!emit || salt_len > VERITY_SALT_MAX || (salt_len && !salt))
		return -EINVAL;
	r = verity_geometry_init(&geo, data_size);
	if (r < 0)
		return r;
	memset(tree, 0, sizeof(*tree));
	tree->geo = geo;
	tree->emit = emit;
	tree->emit_ctx = emit_ctx;
	sha256_init(&tree->salted);
	sha256_update(&tree->salted, salt, salt_len);
	return 0;
}

/* Hash type 1: sha256(salt || block). */
static void tree_hash_block(const struct verity_tree *tree, const void *block,
			    uint8_t digest[VERITY_DIGEST_LEN])
{
	struct sha256 s = tree->salted;

	sha256_update(&s, block, VERITY_BLOCK_SIZE);
	sha256_final(&s, digest);
}

/* Emit the pending block of level (zero-padded) and hash it into digest. */
static int tree_flush(struct verity_tree *tree, unsigned int level,
		      uint8_t digest[VERITY_DIGEST_LEN])
{
	const struct verity_geometry *geo = &tree->geo;
	uint8_t *block = tree->pending[level];
	int r;

	if (tree->emitted[level] >= geo->level_blocks[level])
		return -EINVAL;	/* unreachable: the geometry says no */
	r = tree->emit(tree->emit_ctx,
		       geo->level_start[level] + tree->emitted[level], block);
	if (r < 0)
		return r;
	tree->emitted[level]++;
	tree_hash_block(tree, block, digest);
	memset(block, 0, VERITY_BLOCK_SIZE);
	tree->fill[level] = 0;
	return 0;
}

/* Add digest to level, cascading full blocks upwards; past the top: root. */
static int tree_push(struct verity_tree *tree, unsigned int level,
		     const uint8_t digest[VERITY_DIGEST_LEN])
{
	uint8_t next[VERITY_DIGEST_LEN];
	int r;

	for (; level < tree->geo.levels; level++) {
		memcpy(tree->pending[level] +
		       (size_t)tree->fill[level] * VERITY_DIGEST_LEN,
		       digest, VERITY_DIGEST_LEN);
		if (++tree->fill[level] < VERITY_HASHES_PER_BLOCK)
			return 0;
		r = tree_flush(tree, level, next);
		if (r < 0)
			return r;
		digest = next;
	}
	memcpy(tree->root, digest, VERITY_DIGEST_LEN);
	return 0;
}

int verity_tree_update(struct verity_tree *tree, const void *data,
		       size_t len)
{
	const uint8_t *p = data;
	size_t blocks = len / VERITY_BLOCK_SIZE;
	uint8_t digest[VERITY_DIGEST_LEN];

	if (tree->err)
		return tree->err;
	if (len % VERITY_BLOCK_SIZE ||
	    blocks > tree->geo.data_blocks - tree->data_done)
		return tree->err = -EINVAL;
	for (size_t i = 0; i < blocks; i++, p += VERITY_BLOCK_SIZE) {
		int r;

		tree_hash_block(tree, p, digest);
		r = tree_push(tree, 0, digest);
		if (r < 0)
			return tree->err = r;
		tree->data_done++;
	}
	return 0;
}

int verity_tree_final(struct verity_tree *tree,
		      uint8_t root[VERITY_DIGEST_LEN])
{
	const struct verity_geometry *geo = &tree->geo;
	uint8_t digest[VERITY_DIGEST_LEN];
	int r;

	if (tree->err)
		return tree->err;
	if (tree->data_done != geo->data_blocks)
		return tree->err = -EINVAL;
	for (unsigned int level = 0; level < geo->levels; level++) {
		if (tree->fill[level] == 0)
			continue;
		r = tree_flush(tree, level, digest);
		if (r == 0)
			r = tree_push(tree, level + 1, digest);
		if (r < 0)
			return tree->err = r;
	}
	for (unsigned int level = 0; level < geo->levels; level++)
		if (tree->emitted[level] != geo->level_blocks[level])
			return tree->err = -EINVAL;	/* unreachable */
	memcpy(root, tree->root, VERITY_DIGEST_LEN);
	return 0;
}

/* --- formatting a file ---------------------------------------------------- */

static int emit_to_fd(void *ctx, uint64_t block, const uint8_t *data)
{
	return fileio_pwrite_all(*(int *)ctx, data, VERITY_BLOCK_SIZE,
			  block * VERITY_BLOCK_SIZE);
}

static int format_superblock_block(int fd, uint64_t data_size,
				   const uint8_t *salt, size_t salt_len,
				   const uint8_t uuid[VERITY_UUID_LEN])
{
	struct verity_superblock sb = { 0 };
	uint8_t block[VERITY_BLOCK_SIZE] = { 0 };
	int r;

	memcpy(sb.uuid, uuid, VERITY_UUID_LEN);
	sb.data_blocks = data_size / VERITY_BLOCK_SIZE;
	sb.salt_len = salt_len;
	if (salt_len)
		memcpy(sb.salt, salt, salt_len);
	r = verity_superblock_format(&sb, block);
	if (r < 0)
		return r;
	return fileio_pwrite_all(fd, block, sizeof(block), data_size);
}

static int hash_fd_data(int fd, struct verity_tree *tree, uint8_t *buf)
{
	uint64_t offset = 0, size = tree->geo.hash_offset;
	int r;

	while (offset < size) {
		size_t n = VERITY_READ_CHUNK;

		if (size - offset < n)
			n = (size_t)(size - offset);
		r = fileio_pread_exact(fd, buf, n, offset);
		if (r < 0)
			return r;
		r = verity_tree_update(tree, buf, n);
		if (r < 0)
			return r;
		offset += n;
	}
	return 0;
}

int verity_format_fd(int fd, uint64_t data_size, const uint8_t *salt,
		     size_t salt_len, const uint8_t uuid[VERITY_UUID_LEN],
		     uint8_t root[VERITY_DIGEST_LEN])
{
	struct verity_tree *tree;
	uint8_t *buf;
	int r;

	tree = malloc(sizeof(*tree));
	buf = malloc(VERITY_READ_CHUNK);
	if (!tree || !buf) {
		r = -ENOMEM;
		goto out_free;
	}
	r = verity_tree_init(tree, data_size, salt, salt_len, emit_to_fd, &fd);
	if (r < 0)
		goto out_free;
	r = hash_fd_data(fd, tree, buf);
	if (r < 0)
		goto out_free;
	r = verity_tree_final(tree, root);
	if (r < 0)
		goto out_free;
	r = format_superblock_block(fd, data_size, salt, salt_len, uuid);
out_free:
	free(buf);
	free(tree);
	return r;
}
