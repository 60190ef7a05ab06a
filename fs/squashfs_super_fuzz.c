/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for squashfs_super_parse(). Whatever parses must encode
 * back to the same 96 bytes (every bit of the superblock is a field the
 * parser keeps), and satisfy the ordering the parser promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/squashfs_super.h"
#include "lib/endian.h"
#include "lib/util.h"

static void encode(const struct squashfs_super *sb, uint8_t *p)
{
	le32_store(p + 0, SQUASHFS_MAGIC);
	le32_store(p + 4, sb->inode_count);
	le32_store(p + 8, sb->mtime);
	le32_store(p + 12, sb->block_size);
	le32_store(p + 16, sb->fragment_count);
	le16_store(p + 20, sb->compression);
	le16_store(p + 22, sb->block_log);
	le16_store(p + 24, sb->flags);
	le16_store(p + 26, sb->id_count);
	le16_store(p + 28, 4);
	le16_store(p + 30, 0);
	le64_store(p + 32, sb->root_inode_ref);
	le64_store(p + 40, sb->bytes_used);
	le64_store(p + 48, sb->id_table_start);
	le64_store(p + 56, sb->xattr_table_start);
	le64_store(p + 64, sb->inode_table_start);
	le64_store(p + 72, sb->directory_table_start);
	le64_store(p + 80, sb->fragment_table_start);
	le64_store(p + 88, sb->export_table_start);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct squashfs_super sb;
	uint8_t again[SQUASHFS_SUPER_SIZE];
	/* An exact-size copy so ASan catches any overread. */
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	r = squashfs_super_parse(copy, size, &sb);
	free(copy);
	if (r != 0) {
		if (r != -OCIBOOT_EMALFORMED)
			abort();
		return 0;
	}
	encode(&sb, again);
	if (size < SQUASHFS_SUPER_SIZE || memcmp(again, data, sizeof(again)))
		abort();
	if (sb.inode_table_start >= sb.directory_table_start ||
	    sb.directory_table_start >= sb.bytes_used ||
	    sb.id_table_start >= sb.bytes_used ||
	    (1u << sb.block_log) != sb.block_size)
		abort();
	return 0;
}
