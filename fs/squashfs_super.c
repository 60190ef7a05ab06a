/* SPDX-License-Identifier: MIT */
/*
 * squashfs 4.0 superblock parser (see squashfs_super.h).
 */
#include "fs/squashfs_super.h"

#include "lib/cursor.h"
#include "lib/util.h"

/* The on-disk layout, only to pin offsets: the parser reads field by field. */
struct squashfs_super_wire {
	uint32_t magic;
	uint32_t inode_count;
	uint32_t mtime;
	uint32_t block_size;
	uint32_t fragment_count;
	uint16_t compression;
	uint16_t block_log;
	uint16_t flags;
	uint16_t id_count;
	uint16_t version_major;
	uint16_t version_minor;
	uint64_t root_inode_ref;
	uint64_t bytes_used;
	uint64_t id_table_start;
	uint64_t xattr_table_start;
	uint64_t inode_table_start;
	uint64_t directory_table_start;
	uint64_t fragment_table_start;
	uint64_t export_table_start;
} __attribute__((packed));

_Static_assert(sizeof(struct squashfs_super_wire) == SQUASHFS_SUPER_SIZE,
	       "squashfs superblock is 96 bytes");
_Static_assert(__builtin_offsetof(struct squashfs_super_wire, bytes_used) ==
	       40, "bytes_used offset");
_Static_assert(__builtin_offsetof(struct squashfs_super_wire,
				  export_table_start) == 88,
	       "export_table_start offset");

static bool geometry_ok(const struct squashfs_super *sb)
{
	if (sb->block_size < SQUASHFS_BLOCK_SIZE_MIN ||
	    sb->block_size > SQUASHFS_BLOCK_SIZE_MAX ||
	    (sb->block_size & (sb->block_size - 1)))
		return false;
	if (sb->block_log >= 32 || (1u << sb->block_log) != sb->block_size)
		return false;
	if (sb->compression < SQUASHFS_COMP_GZIP ||
	    sb->compression > SQUASHFS_COMP_ZSTD)
		return false;
	return !(sb->flags & ~SQUASHFS_FLAGS_KNOWN) && sb->inode_count > 0 &&
	       sb->id_count > 0;
}

/* A table that follows the directory table and ends before bytes_used. */
static bool table_ok(const struct squashfs_super *sb, uint64_t start,
		     bool optional)
{
	if (optional && start == SQUASHFS_TABLE_ABSENT)
		return true;
	return start >= sb->directory_table_start &&
	       start < sb->bytes_used;
}

static bool layout_ok(const struct squashfs_super *sb)
{
	uint64_t ref_block = sb->root_inode_ref >> 16;
	uint64_t ref_offset = sb->root_inode_ref & 0xffff;

	if (sb->bytes_used < SQUASHFS_SUPER_SIZE ||
	    sb->bytes_used > SQUASHFS_BYTES_MAX)
		return false;
	/* Both below bytes_used from here on, so no sum overflows. */
	if (sb->inode_table_start < SQUASHFS_SUPER_SIZE ||
	    sb->inode_table_start >= sb->directory_table_start ||
	    sb->directory_table_start >= sb->bytes_used)
		return false;
	if (!table_ok(sb, sb->id_table_start, false) ||
	    !table_ok(sb, sb->fragment_table_start, true) ||
	    !table_ok(sb, sb->export_table_start, true) ||
	    !table_ok(sb, sb->xattr_table_start, true))
		return false;
	/* The root inode starts inside the inode table. */
	if (sb->root_inode_ref >> 48 || ref_offset >= SQUASHFS_METADATA_SIZE)
		return false;
	return ref_block < sb->directory_table_start - sb->inode_table_start;
}

int squashfs_super_parse(const uint8_t *buf, size_t len,
			 struct squashfs_super *out)
{
	struct squashfs_super sb;
	struct cursor c;
	uint32_t magic;
	uint16_t major, minor;

	if (!buf)
		return -OCIBOOT_EMALFORMED;
	cursor_init(&c, buf, len);
	magic = cursor_le32(&c);
	sb.inode_count = cursor_le32(&c);
	sb.mtime = cursor_le32(&c);
	sb.block_size = cursor_le32(&c);
	sb.fragment_count = cursor_le32(&c);
	sb.compression = cursor_le16(&c);
	sb.block_log = cursor_le16(&c);
	sb.flags = cursor_le16(&c);
	sb.id_count = cursor_le16(&c);
	major = cursor_le16(&c);
	minor = cursor_le16(&c);
	sb.root_inode_ref = cursor_le64(&c);
	sb.bytes_used = cursor_le64(&c);
	sb.id_table_start = cursor_le64(&c);
	sb.xattr_table_start = cursor_le64(&c);
	sb.inode_table_start = cursor_le64(&c);
	sb.directory_table_start = cursor_le64(&c);
	sb.fragment_table_start = cursor_le64(&c);
	sb.export_table_start = cursor_le64(&c);

	if (cursor_failed(&c) || magic != SQUASHFS_MAGIC)
		return -OCIBOOT_EMALFORMED;
	if (major != 4 || minor != 0)
		return -OCIBOOT_EMALFORMED;
	if (!geometry_ok(&sb) || !layout_ok(&sb))
		return -OCIBOOT_EMALFORMED;
	*out = sb;
	return 0;
}

bool squashfs_compression_kernel_reads(unsigned int id)
{
	return id == SQUASHFS_COMP_GZIP || id == SQUASHFS_COMP_LZO ||
	       id == SQUASHFS_COMP_XZ || id == SQUASHFS_COMP_LZ4 ||
	       id == SQUASHFS_COMP_ZSTD;
}

const char *squashfs_compression_name(unsigned int id)
{
	static const char *const names[] = {
		[SQUASHFS_COMP_GZIP] = "gzip",
		[SQUASHFS_COMP_LZMA] = "lzma",
		[SQUASHFS_COMP_LZO] = "lzo",
		[SQUASHFS_COMP_XZ] = "xz",
		[SQUASHFS_COMP_LZ4] = "lz4",
		[SQUASHFS_COMP_ZSTD] = "zstd",
	};

	if (id < ARRAY_SIZE(names) && names[id])
		return names[id];
	return "unknown";
}
