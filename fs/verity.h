/* SPDX-License-Identifier: MIT */
/*
 * dm-verity in the layout `veritysetup format` writes, fixed to what ociboot
 * layers use: sha256, 4096-byte data and hash blocks, hash type 1 (the salt
 * is hashed before each block), and the hash area in the same file as the
 * data, right after it:
 *
 *   [0, D)            data: D = data_blocks * 4096 bytes (a zero-padded
 *                     squashfs image)
 *   [D, D + 512)      superblock; the rest of that 4096-byte block is zero
 *   [D + 4096, ...)   hash tree, its top level first, level 0 (the hashes
 *                     of the data blocks) last
 *
 * So the hash offset is D and the tree starts at block data_blocks + 1.
 * A tree of one data block has no hash blocks: the root hash is the hash of
 * that data block.
 *
 * Three parts: the tree geometry, the superblock writer and parser (the
 * parser takes untrusted input), and the dm-verity target parameters for
 * the init. The host-only tree builder is layer/verity_tree.h. Nothing here
 * allocates or logs.
 */
#ifndef OCIBOOT_VERITY_H
#define OCIBOOT_VERITY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"

#define VERITY_BLOCK_SIZE 4096
#define VERITY_DIGEST_LEN SHA256_LEN
#define VERITY_HASHES_PER_BLOCK (VERITY_BLOCK_SIZE / VERITY_DIGEST_LEN)
#define VERITY_SUPERBLOCK_SIZE 512
#define VERITY_UUID_LEN 16
/* The superblock's salt field; veritysetup refuses longer salts too. */
#define VERITY_SALT_MAX 256
/* 4 PiB of data; keeps every byte offset far inside int64_t. */
#define VERITY_DATA_BLOCKS_MAX ((uint64_t)1 << 40)
/* Levels of a tree over VERITY_DATA_BLOCKS_MAX blocks: ceil(40 / 7). */
#define VERITY_LEVELS_MAX 6
/* Longest device name ("7:0", "/dev/loop0") verity_dm_table() accepts. */
#define VERITY_DEVICE_NAME_MAX 127
/* A buffer this big always holds verity_dm_table()'s output. */
#define VERITY_TABLE_MAX 1024

/*
 * Where everything lies in a blob of data_blocks data blocks. Block numbers
 * count 4096-byte blocks from the start of the blob. Level 0 hashes the
 * data blocks; level levels - 1 is the single top block, whose hash is the
 * root hash. levels is 0 when data_blocks is 1.
 */
struct verity_geometry {
	uint64_t data_blocks;
	uint64_t hash_offset;		/* bytes; where the superblock lies */
	uint64_t hash_start_block;	/* first block of the tree */
	unsigned int levels;
	uint64_t level_start[VERITY_LEVELS_MAX];	/* first block */
	uint64_t level_blocks[VERITY_LEVELS_MAX];	/* its length */
	uint64_t tree_blocks;		/* sum of level_blocks */
	uint64_t blob_size;		/* bytes: data, superblock, tree */
};

/*
 * Fill *geo for data_size bytes of data. Returns 0, -EINVAL when data_size
 * is 0 or not a multiple of VERITY_BLOCK_SIZE, or -OCIBOOT_ETOOBIG when it
 * is over VERITY_DATA_BLOCKS_MAX blocks. *geo is written only on success.
 */
int verity_geometry_init(struct verity_geometry *geo, uint64_t data_size);

/*
 * The superblock's variable fields; the others are fixed (version 1, hash
 * type 1, "sha256", 4096-byte blocks). salt[salt_len..] is not used.
 */
struct verity_superblock {
	uint8_t uuid[VERITY_UUID_LEN];	/* binary, as uuid_parse() gives it */
	uint64_t data_blocks;
	size_t salt_len;		/* <= VERITY_SALT_MAX */
	uint8_t salt[VERITY_SALT_MAX];
};

/*
 * Write the on-disk superblock for *sb into out (exactly
 * VERITY_SUPERBLOCK_SIZE bytes, reserved bytes zero). Returns 0, or -EINVAL
 * (out untouched) when data_blocks is 0 or over VERITY_DATA_BLOCKS_MAX or
 * salt_len over VERITY_SALT_MAX.
 */
int verity_superblock_format(const struct verity_superblock *sb,
			     uint8_t out[VERITY_SUPERBLOCK_SIZE]);

/*
 * Parse the untrusted superblock in buf[0, len), read from byte hash_offset
 * of its blob. Only the first VERITY_SUPERBLOCK_SIZE bytes are looked at.
 * Accepts exactly what verity_superblock_format() writes: signature
 * "verity\0\0", version 1, hash type 1, algorithm "sha256" zero-padded,
 * block sizes 4096, data_blocks * 4096 == hash_offset (the superblock
 * directly follows the data it covers), and every reserved byte (padding,
 * the salt field past salt_size) zero.
 *
 * Returns 0 and fills *sb; -EINVAL when hash_offset is 0 or not a multiple
 * of VERITY_BLOCK_SIZE; -OCIBOOT_EMALFORMED when buf is short or any field
 * is wrong; -OCIBOOT_ETOOBIG when salt_size is over VERITY_SALT_MAX or
 * data_blocks over VERITY_DATA_BLOCKS_MAX. *sb is written only on success.
 * The root hash is not in the superblock: it comes from a signed manifest,
 * and it commits to the salt and data_blocks, so a forged superblock yields
 * a device whose reads fail verification.
 */
int verity_superblock_parse(const uint8_t *buf, size_t len,
			    uint64_t hash_offset, struct verity_superblock *sb);

/* Optional dm-verity target arguments; at most one *_CORRUPTION flag. */
enum verity_table_flag {
	VERITY_TABLE_IGNORE_CORRUPTION = 1 << 0,
	VERITY_TABLE_RESTART_ON_CORRUPTION = 1 << 1,
	VERITY_TABLE_PANIC_ON_CORRUPTION = 1 << 2,
	VERITY_TABLE_IGNORE_ZERO_BLOCKS = 1 << 3,
	VERITY_TABLE_CHECK_AT_MOST_ONCE = 1 << 4,
};

/* Length of the dm target in 512-byte sectors: the data blocks only. */
uint64_t verity_dm_sectors(const struct verity_superblock *sb);

/*
 * Write the dm-verity target parameters, NUL-terminated, to buf[0, size):
 *
 *   1 DATA_DEV HASH_DEV 4096 4096 DATA_BLOCKS HASH_START sha256 ROOT SALT
 *   [N OPT...]
 *
 * for a blob in the layout above, so HASH_START = data_blocks + 1 (the
 * block after the superblock; veritysetup's (hash_offset + 512 + 4095) /
 * 4096 for a 4096-aligned hash_offset). ROOT and SALT are lowercase hex;
 * SALT is "-" when empty. DATA_DEV and HASH_DEV ("MAJOR:MINOR" or a path,
 * usually the same loop device) must be 1..VERITY_DEVICE_NAME_MAX printable
 * ASCII characters without spaces. flags is a mask of enum
 * verity_table_flag.
 *
 * Returns the string length (< size), -EINVAL for a bad argument, or
 * -ENOSPC when it does not fit; buf is written only on success.
 */
int verity_dm_table(char *buf, size_t size, const char *data_dev,
		    const char *hash_dev, const struct verity_superblock *sb,
		    const uint8_t root[VERITY_DIGEST_LEN], unsigned int flags);

#endif
