/* SPDX-License-Identifier: MIT */
/*
 * The squashfs 4.0 superblock: the first 96 bytes of an image, little-endian.
 * A layer's dm-verity hash area starts at bytes_used rounded up to 4096, so
 * whoever opens a layer (`ociboot layer inspect`, the init) reads this first.
 * The parser takes untrusted input; it allocates nothing and does not log.
 */
#ifndef OCIBOOT_SQUASHFS_SUPER_H
#define OCIBOOT_SQUASHFS_SUPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SQUASHFS_SUPER_SIZE 96
#define SQUASHFS_MAGIC 0x73717368u		/* "hsqs" */
#define SQUASHFS_BLOCK_SIZE_MIN 4096u
#define SQUASHFS_BLOCK_SIZE_MAX (1024u * 1024u)
/* Metadata blocks hold 8 KiB uncompressed: the bound of an inode offset. */
#define SQUASHFS_METADATA_SIZE 8192u
/* An optional table that is absent. */
#define SQUASHFS_TABLE_ABSENT UINT64_MAX
/* 2^52 bytes: far above any layer, keeps every offset inside int64_t. */
#define SQUASHFS_BYTES_MAX ((uint64_t)1 << 52)

/* Compressor ids (the superblock's compression_id). */
enum squashfs_compression {
	SQUASHFS_COMP_GZIP = 1,
	SQUASHFS_COMP_LZMA = 2,
	SQUASHFS_COMP_LZO = 3,
	SQUASHFS_COMP_XZ = 4,
	SQUASHFS_COMP_LZ4 = 5,
	SQUASHFS_COMP_ZSTD = 6,
};

/* Superblock flags defined by squashfs 4.0; any other bit is refused. */
#define SQUASHFS_FLAGS_KNOWN 0x0fffu

struct squashfs_super {
	uint32_t inode_count;
	uint32_t mtime;
	uint32_t block_size;
	uint32_t fragment_count;
	uint16_t compression;		/* enum squashfs_compression */
	uint16_t block_log;
	uint16_t flags;
	uint16_t id_count;
	uint64_t root_inode_ref;
	uint64_t bytes_used;
	uint64_t id_table_start;
	uint64_t xattr_table_start;	/* or SQUASHFS_TABLE_ABSENT */
	uint64_t inode_table_start;
	uint64_t directory_table_start;
	uint64_t fragment_table_start;	/* or SQUASHFS_TABLE_ABSENT */
	uint64_t export_table_start;	/* or SQUASHFS_TABLE_ABSENT */
};

/*
 * Parse the superblock in buf[0, len) (only the first SQUASHFS_SUPER_SIZE
 * bytes are looked at). Accepted: magic "hsqs", version 4.0, a power-of-two
 * block size from 4 KiB to 1 MiB with a matching block_log, a known
 * compressor, no unknown flag, at least one inode and one id, bytes_used
 * from 96 to SQUASHFS_BYTES_MAX, and tables in the order squashfs writes
 * them: superblock < inode table < directory table <= fragment, export,
 * id and xattr tables (each present one) < bytes_used, with the root inode
 * reference inside the inode table.
 *
 * Returns 0 and fills *sb, or -OCIBOOT_EMALFORMED (buf short or any field
 * wrong); *sb is written only on success.
 */
int squashfs_super_parse(const uint8_t *buf, size_t len,
			 struct squashfs_super *sb);

/*
 * Whether the kernel's squashfs can read blocks of compressor id: gzip,
 * lzo, xz, lz4 and zstd (Debian's kernel builds all five in:
 * CONFIG_SQUASHFS_ZLIB, _LZO, _XZ, _LZ4, _ZSTD). Linux has never read lzma
 * (squashfs 4.0's id 2): a layer made with it parses, but cannot be
 * mounted, so it is refused before anything is mounted.
 */
bool squashfs_compression_kernel_reads(unsigned int id);

/* "gzip", "lzma", "lzo", "xz", "lz4", "zstd", or "unknown". */
const char *squashfs_compression_name(unsigned int id);

#endif
