/* SPDX-License-Identifier: MIT */
/*
 * Table-driven tests of squashfs_super_parse(): a valid superblock built
 * field by field, each field broken in turn, every truncation, and the
 * superblock of an image mksquashfs 4.5 wrote, checked against what
 * `unsquashfs -s` printed for it. layer/layer_test.c compares the parser with
 * libsquashfs's reader on the images the builder writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include "fs/squashfs_super.h"
#include "lib/endian.h"
#include "lib/util.h"

/* Offsets of the fields (squashfs 4.0). */
enum {
	O_MAGIC = 0, O_INODES = 4, O_MTIME = 8, O_BLOCK_SIZE = 12,
	O_FRAGS = 16, O_COMP = 20, O_BLOCK_LOG = 22, O_FLAGS = 24,
	O_IDS = 26, O_MAJOR = 28, O_MINOR = 30, O_ROOT = 32, O_BYTES = 40,
	O_ID_TABLE = 48, O_XATTR = 56, O_INODE_TABLE = 64, O_DIR_TABLE = 72,
	O_FRAG_TABLE = 80, O_EXPORT = 88,
};

/* A plausible layer's superblock: zstd, 128 KiB blocks, no xattrs. */
static void valid(uint8_t sb[SQUASHFS_SUPER_SIZE])
{
	memset(sb, 0, SQUASHFS_SUPER_SIZE);
	le32_store(sb + O_MAGIC, SQUASHFS_MAGIC);
	le32_store(sb + O_INODES, 12);
	le32_store(sb + O_MTIME, 1000);
	le32_store(sb + O_BLOCK_SIZE, 131072);
	le32_store(sb + O_FRAGS, 1);
	le16_store(sb + O_COMP, SQUASHFS_COMP_ZSTD);
	le16_store(sb + O_BLOCK_LOG, 17);
	le16_store(sb + O_FLAGS, 0x0208);
	le16_store(sb + O_IDS, 3);
	le16_store(sb + O_MAJOR, 4);
	le16_store(sb + O_MINOR, 0);
	le64_store(sb + O_ROOT, (uint64_t)0x120 << 16 | 0x1a0);
	le64_store(sb + O_BYTES, 300504);
	le64_store(sb + O_ID_TABLE, 300496);
	le64_store(sb + O_XATTR, SQUASHFS_TABLE_ABSENT);
	le64_store(sb + O_INODE_TABLE, 300000);
	le64_store(sb + O_DIR_TABLE, 300400);
	le64_store(sb + O_FRAG_TABLE, 300480);
	le64_store(sb + O_EXPORT, SQUASHFS_TABLE_ABSENT);
}

static void test_valid(void **state)
{
	uint8_t buf[SQUASHFS_SUPER_SIZE + 100];
	struct squashfs_super sb;

	valid(buf);
	memset(buf + SQUASHFS_SUPER_SIZE, 0xff, 100);	/* ignored */
	assert_int_equal(squashfs_super_parse(buf, sizeof(buf), &sb), 0);
	assert_int_equal(sb.inode_count, 12);
	assert_int_equal(sb.mtime, 1000);
	assert_int_equal(sb.block_size, 131072);
	assert_int_equal(sb.block_log, 17);
	assert_int_equal(sb.fragment_count, 1);
	assert_int_equal(sb.compression, SQUASHFS_COMP_ZSTD);
	assert_int_equal(sb.flags, 0x0208);
	assert_int_equal(sb.id_count, 3);
	assert_true(sb.root_inode_ref == ((uint64_t)0x120 << 16 | 0x1a0));
	assert_true(sb.bytes_used == 300504);
	assert_true(sb.id_table_start == 300496);
	assert_true(sb.xattr_table_start == SQUASHFS_TABLE_ABSENT);
	assert_true(sb.inode_table_start == 300000);
	assert_true(sb.directory_table_start == 300400);
	assert_true(sb.fragment_table_start == 300480);
	assert_true(sb.export_table_start == SQUASHFS_TABLE_ABSENT);
	assert_string_equal(squashfs_compression_name(sb.compression), "zstd");
	assert_string_equal(squashfs_compression_name(0), "unknown");
	assert_string_equal(squashfs_compression_name(7), "unknown");
	assert_string_equal(squashfs_compression_name(1), "gzip");
}

/* One field changed; ok says whether the parser must still accept it. */
struct mutation {
	const char *what;
	unsigned int offset, width;
	uint64_t value;
	bool ok;
};

static const struct mutation mutations[] = {
	{ "magic", O_MAGIC, 4, 0x73717369, false },
	{ "magic big-endian", O_MAGIC, 4, 0x68737173, false },
	{ "no inodes", O_INODES, 4, 0, false },
	{ "any mtime", O_MTIME, 4, UINT32_MAX, true },
	{ "block size 0", O_BLOCK_SIZE, 4, 0, false },
	{ "block size 2048", O_BLOCK_SIZE, 4, 2048, false },
	{ "block size 3 << 16", O_BLOCK_SIZE, 4, 3 << 16, false },
	{ "block size 2 MiB", O_BLOCK_SIZE, 4, 2 << 20, false },
	{ "block log 16", O_BLOCK_LOG, 2, 16, false },
	{ "block log 40", O_BLOCK_LOG, 2, 40, false },
	{ "compression 0", O_COMP, 2, 0, false },
	{ "compression 7", O_COMP, 2, 7, false },
	{ "compression gzip", O_COMP, 2, SQUASHFS_COMP_GZIP, true },
	{ "unknown flag", O_FLAGS, 2, 0x1000, false },
	{ "every known flag", O_FLAGS, 2, SQUASHFS_FLAGS_KNOWN, true },
	{ "no ids", O_IDS, 2, 0, false },
	{ "version 3.0", O_MAJOR, 2, 3, false },
	{ "version 4.1", O_MINOR, 2, 1, false },
	{ "bytes used 95", O_BYTES, 8, 95, false },
	{ "bytes used huge", O_BYTES, 8, SQUASHFS_BYTES_MAX + 1, false },
	{ "bytes used at the id table", O_BYTES, 8, 300496, false },
	{ "inode table in superblock", O_INODE_TABLE, 8, 95, false },
	{ "inode table right after superblock", O_INODE_TABLE, 8, 96, true },
	{ "inode table at directory table", O_INODE_TABLE, 8, 300400, false },
	{ "directory table at the end", O_DIR_TABLE, 8, 300504, false },
	{ "id table before directory table", O_ID_TABLE, 8, 300399, false },
	{ "id table at directory table", O_ID_TABLE, 8, 300400, true },
	{ "id table at the end", O_ID_TABLE, 8, 300504, false },
	{ "id table absent", O_ID_TABLE, 8, SQUASHFS_TABLE_ABSENT, false },
	{ "fragment table absent", O_FRAG_TABLE, 8, SQUASHFS_TABLE_ABSENT,
	  true },
	{ "fragment table past the end", O_FRAG_TABLE, 8, 400000, false },
	{ "fragment table in inodes", O_FRAG_TABLE, 8, 300100, false },
	{ "xattr table present", O_XATTR, 8, 300500, true },
	{ "xattr table past the end", O_XATTR, 8, 300504, false },
	{ "export table present", O_EXPORT, 8, 300488, true },
	{ "export table before dir", O_EXPORT, 8, 96, false },
	{ "root in the last inode block", O_ROOT, 8, (uint64_t)399 << 16,
	  true },
	{ "root past the inode table", O_ROOT, 8, (uint64_t)400 << 16, false },
	{ "root offset 8191", O_ROOT, 8, 8191, true },
	{ "root offset 8192", O_ROOT, 8, 8192, false },
	{ "root ref high bits", O_ROOT, 8, (uint64_t)1 << 48, false },
};

static void put_width(uint8_t *p, unsigned int width, uint64_t v)
{
	if (width == 2)
		le16_store(p, (uint16_t)v);
	else if (width == 4)
		le32_store(p, (uint32_t)v);
	else
		le64_store(p, v);
}

static void test_mutations(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(mutations); i++) {
		const struct mutation *m = &mutations[i];
		uint8_t buf[SQUASHFS_SUPER_SIZE];
		struct squashfs_super sb, before;
		int r;

		valid(buf);
		put_width(buf + m->offset, m->width, m->value);
		memset(&sb, 0x5a, sizeof(sb));
		before = sb;
		r = squashfs_super_parse(buf, sizeof(buf), &sb);
		if (m->ok != (r == 0))
			fail_msg("%s: got %d", m->what, r);
		if (r == 0)
			continue;
		assert_int_equal(r, -OCIBOOT_EMALFORMED);
		/* Output written only on success. */
		if (memcmp(&sb, &before, sizeof(sb)))
			fail_msg("%s: output written on failure", m->what);
	}
}

static void test_truncated(void **state)
{
	uint8_t buf[SQUASHFS_SUPER_SIZE];
	struct squashfs_super sb;

	valid(buf);
	for (size_t len = 0; len < SQUASHFS_SUPER_SIZE; len++)
		assert_int_equal(squashfs_super_parse(buf, len, &sb),
				 -OCIBOOT_EMALFORMED);
	assert_int_equal(squashfs_super_parse(NULL, 96, &sb),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(squashfs_super_parse(buf, sizeof(buf), &sb), 0);
}

/*
 * `mksquashfs empty e.img -comp gzip -mkfs-time 0 -all-time 0` (squashfs-tools
 * 4.5.1) of an empty directory, first 96 bytes. `unsquashfs -s` reports
 * 1 inode, 1 id, 0 fragments, gzip, 131072-byte blocks, 151 bytes; the
 * empty directory table makes the fragment table start where it does.
 */
static const uint8_t mksquashfs_empty[SQUASHFS_SUPER_SIZE] = {
	0x68, 0x73, 0x71, 0x73, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x00,
	0xc0, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x97, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x8f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x77, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_mksquashfs(void **state)
{
	struct squashfs_super sb;

	assert_int_equal(squashfs_super_parse(mksquashfs_empty,
					      sizeof(mksquashfs_empty), &sb),
			 0);
	assert_int_equal(sb.inode_count, 1);
	assert_int_equal(sb.id_count, 1);
	assert_int_equal(sb.fragment_count, 0);
	assert_int_equal(sb.compression, SQUASHFS_COMP_GZIP);
	assert_int_equal(sb.block_size, 131072);
	assert_true(sb.bytes_used == 151);
	assert_true(sb.inode_table_start == 0x60);
	assert_true(sb.directory_table_start == 0x77);
	assert_true(sb.fragment_table_start == 0x77);
	assert_true(sb.export_table_start == 0x81);
	assert_true(sb.id_table_start == 0x8f);
	assert_true(sb.xattr_table_start == SQUASHFS_TABLE_ABSENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mksquashfs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
