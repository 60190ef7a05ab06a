/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/verity.c: the tree geometry, the superblock writer and
 * parser, and the dm table, with known answers from veritysetup 2.6.1 (the
 * tree builder is tested in layer/verity_tree_test.c). Without arguments:
 * the cmocka tests. With arguments it is the driver fs/verity_test.sh
 * uses on veritysetup's output:
 *
 *   verity parse FILE OFFSET             print the superblock at OFFSET
 *   verity table FILE OFFSET ROOT_HEX    print the dm table for "7:0"
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/verity.h"
#include "fs/verity_fixture.h"
#include "lib/util.h"

#define BLOCK VERITY_BLOCK_SIZE

/* --- geometry ------------------------------------------------------------- */

static void test_geometry_table(void **state)
{
	static const struct {
		uint64_t blocks;
		unsigned int levels;
		uint64_t level_blocks[VERITY_LEVELS_MAX]; /* level 0 first */
	} cases[] = {
		{ 1, 0, { 0 } },
		{ 2, 1, { 1 } },
		{ 127, 1, { 1 } },
		{ 128, 1, { 1 } },
		{ 129, 2, { 2, 1 } },
		{ 128 * 128, 2, { 128, 1 } },
		{ 128 * 128 + 1, 3, { 129, 2, 1 } },
		{ 128 * 128 * 128, 3, { 16384, 128, 1 } },
		{ 128 * 128 * 128 + 1, 4, { 16385, 129, 2, 1 } },
		{ VERITY_DATA_BLOCKS_MAX, 6,
		  { 1ULL << 33, 1ULL << 26, 1ULL << 19, 1ULL << 12, 32, 1 } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct verity_geometry g;
		uint64_t pos, sum = 0;
		uint64_t size = cases[i].blocks * BLOCK;

		assert_int_equal(verity_geometry_init(&g, size), 0);
		assert_int_equal(g.data_blocks, cases[i].blocks);
		assert_int_equal(g.hash_offset, cases[i].blocks * BLOCK);
		assert_int_equal(g.hash_start_block, cases[i].blocks + 1);
		assert_int_equal(g.levels, cases[i].levels);
		/* Top level first, each level right after the one above. */
		pos = g.hash_start_block;
		for (unsigned int l = g.levels; l-- > 0;) {
			assert_int_equal(g.level_blocks[l],
					 cases[i].level_blocks[l]);
			assert_int_equal(g.level_start[l], pos);
			pos += g.level_blocks[l];
			sum += g.level_blocks[l];
		}
		if (g.levels)
			assert_int_equal(g.level_blocks[g.levels - 1], 1);
		assert_int_equal(g.tree_blocks, sum);
		assert_int_equal(g.blob_size, pos * BLOCK);
	}
}

static void test_geometry_invalid(void **state)
{
	struct verity_geometry g;

	memset(&g, 0x5a, sizeof(g));
	assert_int_equal(verity_geometry_init(&g, 0), -EINVAL);
	assert_int_equal(verity_geometry_init(&g, 4095), -EINVAL);
	assert_int_equal(verity_geometry_init(&g, 4097), -EINVAL);
	assert_int_equal(verity_geometry_init(&g, UINT64_MAX), -EINVAL);
	assert_int_equal(verity_geometry_init(&g, (VERITY_DATA_BLOCKS_MAX + 1) *
					      BLOCK), -OCIBOOT_ETOOBIG);
	assert_int_equal(verity_geometry_init(&g, UINT64_MAX / BLOCK * BLOCK),
			 -OCIBOOT_ETOOBIG);
	assert_int_equal(g.levels, 0x5a5a5a5a);		/* untouched */
}

/* --- superblock ----------------------------------------------------------- */

/*
 * What veritysetup wrote for --uuid=12345678-1234-1234-1234-123456789abc
 * --salt=0011 over 2 data blocks (from a hex dump of its output).
 */
static void veritysetup_superblock(uint8_t sb[512])
{
	static const uint8_t head[] = {
		'v', 'e', 'r', 'i', 't', 'y', 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
		0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x12, 0x34,
		0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
		's', 'h', 'a', '2', '5', '6',
	};

	memset(sb, 0, 512);
	memcpy(sb, head, sizeof(head));
	sb[0x41] = 0x10;	/* data_block_size 4096 */
	sb[0x45] = 0x10;	/* hash_block_size 4096 */
	sb[0x48] = 0x02;	/* data_blocks 2 */
	sb[0x50] = 0x02;	/* salt_size 2 */
	sb[0x59] = 0x11;	/* salt 00 11 */
}

static const struct verity_superblock known_sb = {
	.uuid = { 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x12, 0x34,
		  0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc },
	.data_blocks = 2,
	.salt_len = 2,
	.salt = { 0x00, 0x11 },
};

static void test_superblock_format_known(void **state)
{
	uint8_t want[512], got[512];

	veritysetup_superblock(want);
	memset(got, 0xcc, sizeof(got));
	assert_int_equal(verity_superblock_format(&known_sb, got), 0);
	assert_memory_equal(got, want, 512);
}

static void test_superblock_parse_known(void **state)
{
	uint8_t buf[BLOCK] = { 0 };
	struct verity_superblock sb;

	veritysetup_superblock(buf);
	memset(&sb, 0x5a, sizeof(sb));
	assert_int_equal(verity_superblock_parse(buf, sizeof(buf), 2 * BLOCK,
						 &sb), 0);
	assert_memory_equal(sb.uuid, known_sb.uuid, 16);
	assert_int_equal(sb.data_blocks, 2);
	assert_int_equal(sb.salt_len, 2);
	assert_memory_equal(sb.salt, known_sb.salt, 2);
	/* Exactly 512 bytes is enough; bytes after them are not looked at. */
	buf[600] = 0xff;
	assert_int_equal(verity_superblock_parse(buf, 512, 2 * BLOCK, &sb), 0);
	assert_int_equal(verity_superblock_parse(buf, sizeof(buf), 2 * BLOCK,
						 &sb), 0);
}

static void test_superblock_roundtrip(void **state)
{
	for (size_t salt_len = 0; salt_len <= VERITY_SALT_MAX; salt_len++) {
		struct verity_superblock in = { 0 }, out;
		uint8_t buf[512];

		verity_fixture_rng_fill(in.uuid, sizeof(in.uuid));
		verity_fixture_rng_fill(in.salt, salt_len);
		in.salt_len = salt_len;
		in.data_blocks = 1 + verity_fixture_rng() % VERITY_DATA_BLOCKS_MAX;
		assert_int_equal(verity_superblock_format(&in, buf), 0);
		memset(&out, 0, sizeof(out));
		assert_int_equal(verity_superblock_parse(buf, sizeof(buf),
					in.data_blocks * BLOCK, &out), 0);
		assert_memory_equal(out.uuid, in.uuid, 16);
		assert_int_equal(out.data_blocks, in.data_blocks);
		assert_int_equal(out.salt_len, salt_len);
		assert_memory_equal(out.salt, in.salt, salt_len);
	}
}

static void test_superblock_format_invalid(void **state)
{
	struct verity_superblock sb = known_sb;
	uint8_t out[512];

	memset(out, 0x77, sizeof(out));
	sb.salt_len = VERITY_SALT_MAX + 1;
	assert_int_equal(verity_superblock_format(&sb, out), -EINVAL);
	sb = known_sb;
	sb.data_blocks = 0;
	assert_int_equal(verity_superblock_format(&sb, out), -EINVAL);
	sb.data_blocks = VERITY_DATA_BLOCKS_MAX + 1;
	assert_int_equal(verity_superblock_format(&sb, out), -EINVAL);
	for (size_t i = 0; i < sizeof(out); i++)
		assert_int_equal(out[i], 0x77);
}

/* One mutation of the known superblock and what parsing it gives. */
struct sb_case {
	const char *name;
	size_t offset;
	uint8_t value;
	int want;
};

static const struct sb_case sb_cases[] = {
	{ "signature", 0, 'V', -OCIBOOT_EMALFORMED },
	{ "signature NUL", 7, 'x', -OCIBOOT_EMALFORMED },
	{ "version 0", 8, 0, -OCIBOOT_EMALFORMED },
	{ "version 2", 8, 2, -OCIBOOT_EMALFORMED },
	{ "version high byte", 11, 1, -OCIBOOT_EMALFORMED },
	{ "hash type 0 (Chrome OS)", 12, 0, -OCIBOOT_EMALFORMED },
	{ "hash type 2", 12, 2, -OCIBOOT_EMALFORMED },
	{ "uuid is free", 20, 0xee, 0 },
	{ "algorithm SHA256", 32, 'S', -OCIBOOT_EMALFORMED },
	{ "algorithm sha256x", 38, 'x', -OCIBOOT_EMALFORMED },
	{ "algorithm sha25", 37, 0, -OCIBOOT_EMALFORMED },
	{ "algorithm trailing byte", 63, 1, -OCIBOOT_EMALFORMED },
	{ "data block size 512", 0x41, 0x02, -OCIBOOT_EMALFORMED },
	{ "data block size 8192", 0x41, 0x20, -OCIBOOT_EMALFORMED },
	{ "data block size high", 0x43, 0x01, -OCIBOOT_EMALFORMED },
	{ "hash block size 1024", 0x45, 0x04, -OCIBOOT_EMALFORMED },
	{ "data blocks 3", 0x48, 3, -OCIBOOT_EMALFORMED },
	{ "data blocks 0", 0x48, 0, -OCIBOOT_EMALFORMED },
	{ "data blocks high byte", 0x4f, 0x80, -OCIBOOT_ETOOBIG },
	{ "data blocks 2^40 + 2", 0x4d, 0x01, -OCIBOOT_ETOOBIG },
	{ "data blocks 2^32 + 2", 0x4c, 0x01, -OCIBOOT_EMALFORMED },
	{ "salt size 258", 0x51, 0x01, -OCIBOOT_ETOOBIG },
	{ "salt size 0xff02", 0x51, 0xff, -OCIBOOT_ETOOBIG },
	{ "salt size 1, salt byte left over", 0x50, 1, -OCIBOOT_EMALFORMED },
	{ "salt size 3", 0x50, 3, 0 },
	{ "salt size 0, salt bytes left over", 0x50, 0, -OCIBOOT_EMALFORMED },
	{ "pad1", 0x52, 1, -OCIBOOT_EMALFORMED },
	{ "pad1 last", 0x57, 1, -OCIBOOT_EMALFORMED },
	{ "salt past salt size", 0x5a, 1, -OCIBOOT_EMALFORMED },
	{ "salt last byte", 88 + 255, 1, -OCIBOOT_EMALFORMED },
	{ "pad2 first", 344, 1, -OCIBOOT_EMALFORMED },
	{ "pad2 last", 511, 1, -OCIBOOT_EMALFORMED },
	{ "after the superblock is free", 512, 1, 0 },
};

static void test_superblock_parse_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(sb_cases); i++) {
		uint8_t buf[BLOCK];
		struct verity_superblock sb, before;

		veritysetup_superblock(buf);
		memset(buf + 512, 0, sizeof(buf) - 512);
		buf[sb_cases[i].offset] = sb_cases[i].value;
		memset(&sb, 0x5a, sizeof(sb));
		before = sb;
		print_message("%s\n", sb_cases[i].name);
		assert_int_equal(verity_superblock_parse(buf, sizeof(buf),
							 2 * BLOCK, &sb),
				 sb_cases[i].want);
		if (sb_cases[i].want < 0)
			assert_memory_equal(&sb, &before, sizeof(sb));
	}
}

static void test_superblock_parse_offset(void **state)
{
	uint8_t buf[512];
	struct verity_superblock sb;

	veritysetup_superblock(buf);
	assert_int_equal(verity_superblock_parse(buf, 512, 2 * BLOCK, &sb), 0);
	/* The superblock must sit right after the data it covers. */
	assert_int_equal(verity_superblock_parse(buf, 512, 3 * BLOCK, &sb),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(verity_superblock_parse(buf, 512, 1 * BLOCK, &sb),
			 -OCIBOOT_EMALFORMED);
	assert_int_equal(verity_superblock_parse(buf, 512, 2 * BLOCK + 512,
						 &sb), -EINVAL);
	assert_int_equal(verity_superblock_parse(buf, 512, 0, &sb), -EINVAL);
	assert_int_equal(verity_superblock_parse(buf, 512,
			 2 * BLOCK + ((uint64_t)1 << 52), &sb),
			 -OCIBOOT_EMALFORMED);
}

static void test_superblock_truncated(void **state)
{
	uint8_t full[512];

	veritysetup_superblock(full);
	for (size_t len = 0; len < sizeof(full); len++) {
		/* A copy of exactly len bytes, so ASan sees any overread. */
		uint8_t *buf = malloc(len ? len : 1);
		struct verity_superblock sb, before;

		assert_non_null(buf);
		memcpy(buf, full, len);
		memset(&sb, 0x5a, sizeof(sb));
		before = sb;
		assert_int_equal(verity_superblock_parse(buf, len, 2 * BLOCK,
							 &sb),
				 -OCIBOOT_EMALFORMED);
		assert_memory_equal(&sb, &before, sizeof(sb));
		free(buf);
	}
}

/* --- dm table ------------------------------------------------------------- */

static const uint8_t table_root[32] = {
	0xa1, 0x5e, 0x66, 0xe9, 0xe8, 0xa5, 0xad, 0xb8,
	0x00, 0xc4, 0x54, 0x3a, 0x06, 0xf8, 0x22, 0x19,
	0x91, 0x7c, 0xd7, 0x62, 0xec, 0x66, 0x53, 0xa3,
	0xb3, 0x7c, 0xbb, 0xee, 0x07, 0xfd, 0x74, 0xb7,
};
#define TABLE_ROOT_HEX \
	"a15e66e9e8a5adb800c4543a06f82219917cd762ec6653a3b37cbbee07fd74b7"

static void test_dm_table_format(void **state)
{
	struct verity_superblock sb = known_sb;
	char buf[VERITY_TABLE_MAX];
	const char *want;
	int r;

	want = "1 7:0 7:0 4096 4096 2 3 sha256 " TABLE_ROOT_HEX " 0011";
	r = verity_dm_table(buf, sizeof(buf), "7:0", "7:0", &sb, table_root,
			    0);
	assert_int_equal(r, strlen(want));
	assert_string_equal(buf, want);

	sb.salt_len = 0;
	sb.data_blocks = 1000000;
	want = "1 /dev/loop0 /dev/loop1 4096 4096 1000000 1000001 sha256 "
	       TABLE_ROOT_HEX " - 2 panic_on_corruption check_at_most_once";
	r = verity_dm_table(buf, sizeof(buf), "/dev/loop0", "/dev/loop1", &sb,
			    table_root, VERITY_TABLE_PANIC_ON_CORRUPTION |
			    VERITY_TABLE_CHECK_AT_MOST_ONCE);
	assert_int_equal(r, strlen(want));
	assert_string_equal(buf, want);

	want = "1 7:0 7:0 4096 4096 1000000 1000001 sha256 " TABLE_ROOT_HEX
	       " - 3 restart_on_corruption ignore_zero_blocks"
	       " check_at_most_once";
	r = verity_dm_table(buf, sizeof(buf), "7:0", "7:0", &sb, table_root,
			    VERITY_TABLE_RESTART_ON_CORRUPTION |
			    VERITY_TABLE_IGNORE_ZERO_BLOCKS |
			    VERITY_TABLE_CHECK_AT_MOST_ONCE);
	assert_int_equal(r, strlen(want));
	assert_string_equal(buf, want);

	assert_int_equal(verity_dm_sectors(&sb), 8000000);
}

static void test_dm_table_longest(void **state)
{
	struct verity_superblock sb = { .data_blocks = VERITY_DATA_BLOCKS_MAX,
					.salt_len = VERITY_SALT_MAX };
	char dev[VERITY_DEVICE_NAME_MAX + 1], buf[VERITY_TABLE_MAX];
	int r;

	memset(dev, 'd', VERITY_DEVICE_NAME_MAX);
	dev[VERITY_DEVICE_NAME_MAX] = '\0';
	memset(sb.salt, 0xff, sizeof(sb.salt));
	r = verity_dm_table(buf, sizeof(buf), dev, dev, &sb, table_root,
			    VERITY_TABLE_IGNORE_CORRUPTION |
			    VERITY_TABLE_IGNORE_ZERO_BLOCKS |
			    VERITY_TABLE_CHECK_AT_MOST_ONCE);
	assert_true(r > 0 && r < VERITY_TABLE_MAX);
	assert_int_equal(strlen(buf), r);
	assert_non_null(strstr(buf, " 1099511627776 1099511627777 sha256 "));
}

static void test_dm_table_invalid(void **state)
{
	struct verity_superblock sb = known_sb;
	char buf[VERITY_TABLE_MAX], dev[VERITY_DEVICE_NAME_MAX + 2];
	static const char *bad_devs[] = { "", "7 0", "7:0\n", "a\tb", "\x7f",
					  "\xc3\xa9" };
	static const unsigned int bad_flags[] = {
		VERITY_TABLE_PANIC_ON_CORRUPTION |
			VERITY_TABLE_RESTART_ON_CORRUPTION,
		VERITY_TABLE_IGNORE_CORRUPTION |
			VERITY_TABLE_PANIC_ON_CORRUPTION,
		VERITY_TABLE_IGNORE_CORRUPTION |
			VERITY_TABLE_RESTART_ON_CORRUPTION,
		1u << 5, 1u << 31,
	};

	memset(buf, 'x', sizeof(buf));
	for (size_t i = 0; i < ARRAY_SIZE(bad_devs); i++) {
		assert_int_equal(verity_dm_table(buf, sizeof(buf), bad_devs[i],
						 "7:0", &sb, table_root, 0),
				 -EINVAL);
		assert_int_equal(verity_dm_table(buf, sizeof(buf), "7:0",
						 bad_devs[i], &sb, table_root,
						 0), -EINVAL);
	}
	memset(dev, 'd', sizeof(dev) - 1);
	dev[sizeof(dev) - 1] = '\0';
	assert_int_equal(verity_dm_table(buf, sizeof(buf), dev, "7:0", &sb,
					 table_root, 0), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad_flags); i++)
		assert_int_equal(verity_dm_table(buf, sizeof(buf), "7:0", "7:0",
						 &sb, table_root, bad_flags[i]),
				 -EINVAL);
	sb.data_blocks = 0;
	assert_int_equal(verity_dm_table(buf, sizeof(buf), "7:0", "7:0", &sb,
					 table_root, 0), -EINVAL);
	sb = known_sb;
	sb.salt_len = VERITY_SALT_MAX + 1;
	assert_int_equal(verity_dm_table(buf, sizeof(buf), "7:0", "7:0", &sb,
					 table_root, 0), -EINVAL);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 'x');
}

static void test_dm_table_small_buffer(void **state)
{
	const unsigned int flags = VERITY_TABLE_IGNORE_ZERO_BLOCKS;
	char want[VERITY_TABLE_MAX], *buf;
	int len = verity_dm_table(want, sizeof(want), "7:0", "7:0", &known_sb,
				  table_root, flags);

	assert_true(len > 0);
	for (size_t size = 0; size <= (size_t)len; size++) {
		/* Exactly size bytes, so ASan sees any overflow. */
		buf = malloc(size ? size : 1);
		assert_non_null(buf);
		memset(buf, 'x', size ? size : 1);
		assert_int_equal(verity_dm_table(buf, size, "7:0", "7:0",
						 &known_sb, table_root, flags),
				 -ENOSPC);
		for (size_t i = 0; i < size; i++)
			assert_int_equal(buf[i], 'x');
		free(buf);
	}
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(verity_dm_table(buf, len + 1, "7:0", "7:0", &known_sb,
					 table_root, flags), len);
	assert_string_equal(buf, want);
	free(buf);
}

/* --- driver --------------------------------------------------------------- */

static int read_superblock(const char *path, const char *offset_text,
			   struct verity_superblock *sb)
{
	uint8_t buf[VERITY_SUPERBLOCK_SIZE];
	uint64_t offset = strtoull(offset_text, NULL, 10);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int r;

	if (fd < 0) {
		fprintf(stderr, "verity: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = pread(fd, buf, sizeof(buf), (off_t)offset);
	r = verity_superblock_parse(buf, n < 0 ? 0 : (size_t)n, offset, sb);
	if (r < 0) {
		fprintf(stderr, "verity: superblock of %s at %" PRIu64 ": %s\n",
			path, offset, ociboot_strerror(r));
		return -1;
	}
	return 0;
}

static int driver_parse(const char *path, const char *offset_text)
{
	struct verity_superblock sb;

	if (read_superblock(path, offset_text, &sb) < 0)
		return 1;
	printf("data_blocks=%" PRIu64 " salt=", sb.data_blocks);
	if (sb.salt_len)
		verity_fixture_print_hex(sb.salt, sb.salt_len);
	else
		printf("-");
	printf(" uuid=");
	for (size_t i = 0; i < 16; i++)
		printf("%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ?
		       "-" : "", sb.uuid[i]);
	printf("\n");
	return 0;
}

static int driver_table(const char *path, const char *offset_text,
			const char *root_hex)
{
	struct verity_superblock sb;
	char table[VERITY_TABLE_MAX];
	uint8_t root[32];
	int r;

	if (sha256_from_hex(root_hex, strlen(root_hex), root) < 0) {
		fprintf(stderr, "verity: bad root hash\n");
		return 2;
	}
	if (read_superblock(path, offset_text, &sb) < 0)
		return 1;
	r = verity_dm_table(table, sizeof(table), "7:0", "7:0", &sb, root, 0);
	if (r < 0) {
		fprintf(stderr, "verity: table: %s\n", ociboot_strerror(r));
		return 1;
	}
	printf("0 %" PRIu64 " verity %s\n", verity_dm_sectors(&sb), table);
	return 0;
}

static int driver(int argc, char **argv)
{
	if (argc == 4 && streq(argv[1], "parse"))
		return driver_parse(argv[2], argv[3]);
	if (argc == 5 && streq(argv[1], "table"))
		return driver_table(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: verity parse FILE OFFSET\n"
			"       verity table FILE OFFSET ROOT_HEX\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry_table),
		cmocka_unit_test(test_geometry_invalid),
		cmocka_unit_test(test_superblock_format_known),
		cmocka_unit_test(test_superblock_parse_known),
		cmocka_unit_test(test_superblock_roundtrip),
		cmocka_unit_test(test_superblock_format_invalid),
		cmocka_unit_test(test_superblock_parse_table),
		cmocka_unit_test(test_superblock_parse_offset),
		cmocka_unit_test(test_superblock_truncated),
		cmocka_unit_test(test_dm_table_format),
		cmocka_unit_test(test_dm_table_longest),
		cmocka_unit_test(test_dm_table_invalid),
		cmocka_unit_test(test_dm_table_small_buffer),
	};

	if (argc > 1)
		return driver(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
