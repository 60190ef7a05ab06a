/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/verity.c. Without arguments: the cmocka tests, whose known
 * answers come from veritysetup 2.6.1 and whose trees are compared with a
 * plain level-by-level reference built here. With arguments it is the
 * driver fs/verity_test.sh and bench/verity.sh use:
 *
 *   verity format FILE SALT_HEX|- UUID   format FILE in place, print root
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bearssl_hash.h>

#include "fs/verity.h"
#include "layer/verity_tree.h"
#include "lib/util.h"

#define BLOCK VERITY_BLOCK_SIZE

/* --- helpers -------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void rng_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex into out (at most max bytes); returns the length or -1. */
static int unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t len = strlen(hex);

	if (len % 2 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_nibble(hex[2 * i]);
		int lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void digest_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN + 1])
{
	br_sha256_context c;
	uint8_t d[32];

	br_sha256_init(&c);
	br_sha256_update(&c, p, n);
	br_sha256_out(&c, d);
	sha256_hex(d, hex);
}

/* The block KAT data: byte k of block i is (7 * i + k) mod 256. */
static uint8_t *kat_data(size_t blocks)
{
	uint8_t *data = malloc(blocks * BLOCK);

	assert_non_null(data);
	for (size_t i = 0; i < blocks; i++)
		for (size_t k = 0; k < BLOCK; k++)
			data[i * BLOCK + k] = (uint8_t)(i * 7 + k);
	return data;
}

static const uint8_t kat_uuid[16] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
};
static const uint8_t kat_salt[5] = { 0x00, 0x11, 0x22, 0x33, 0x44 };

/*
 * veritysetup format --hash-offset=532480 --salt=0011223344
 * --uuid=01234567-89ab-cdef-0011-223344556677 over kat_data(130): its root
 * hash and the sha256 of everything it wrote after the data.
 */
#define KAT130_ROOT \
	"d24764c8c445fff68efdb6c4ebc524f8e6e2821ee31e06873730660a3c8c39b6"
#define KAT130_HASH_AREA \
	"e414e1f9853611f6e97e3c225b049b25298ecb591ee8093836e7eaa6e99b3060"
/* The same for one zero block, --salt=- (root: sha256 of 4096 zeros). */
#define KAT1_ROOT \
	"ad7facb2586fc6e966c004d7d1d16b024f5805ff7cb47c7a85dabd8b48892ca7"
#define KAT1_HASH_AREA \
	"812533410ec62027af1cb907ca87f5779f1542ac73092ae02fa5a4e1125122ed"

/* --- reference tree --------------------------------------------------------
 * Straight from the kernel's description: hash every block of a level
 * (salt first), pack the digests into zero-padded blocks, repeat until one
 * block is left; store the levels top first. Whole levels in memory.
 */

static void ref_hash(const uint8_t *salt, size_t salt_len, const uint8_t *block,
		     uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, salt, salt_len);
	br_sha256_update(&c, block, BLOCK);
	br_sha256_out(&c, out);
}

struct ref_tree {
	uint8_t *area;		/* all levels, top first */
	size_t area_len;
	uint8_t root[32];
};

static void ref_tree_build(const uint8_t *data, size_t blocks,
			   const uint8_t *salt, size_t salt_len,
			   struct ref_tree *ref)
{
	uint8_t *levels[16];
	size_t level_blocks[16], n = 0;
	const uint8_t *cur = data;
	size_t cur_blocks = blocks;

	while (cur_blocks > 1) {
		size_t next_blocks = (cur_blocks + 127) / 128;
		uint8_t *next = calloc(next_blocks, BLOCK);

		assert_non_null(next);
		for (size_t i = 0; i < cur_blocks; i++)
			ref_hash(salt, salt_len, cur + i * BLOCK,
				 next + i * 32);
		assert_true(n < ARRAY_SIZE(levels));
		levels[n] = next;
		level_blocks[n++] = next_blocks;
		cur = next;
		cur_blocks = next_blocks;
	}
	ref_hash(salt, salt_len, cur, ref->root);

	ref->area_len = 0;
	for (size_t i = 0; i < n; i++)
		ref->area_len += level_blocks[i] * BLOCK;
	ref->area = malloc(ref->area_len + 1);
	assert_non_null(ref->area);
	for (size_t i = n, at = 0; i-- > 0;) {
		memcpy(ref->area + at, levels[i], level_blocks[i] * BLOCK);
		at += level_blocks[i] * BLOCK;
		free(levels[i]);
	}
}

/* --- collecting emitted blocks in memory ---------------------------------- */

struct collect {
	uint64_t first_block;	/* hash_start_block */
	uint8_t *area;		/* tree_blocks blocks, 0xee until written */
	size_t blocks;
	uint8_t *written;
	int fail_after;		/* emit fails once this many were written */
	int calls;
};

static int collect_emit(void *ctx, uint64_t block, const uint8_t *data)
{
	struct collect *c = ctx;
	uint64_t i = block - c->first_block;

	if (c->fail_after >= 0 && c->calls >= c->fail_after)
		return -ENOSPC;
	c->calls++;
	assert_true(block >= c->first_block);
	assert_true(i < c->blocks);
	assert_false(c->written[i]);
	c->written[i] = 1;
	memcpy(c->area + i * BLOCK, data, BLOCK);
	return 0;
}

static void collect_init(struct collect *c, const struct verity_geometry *g)
{
	c->first_block = g->hash_start_block;
	c->blocks = g->tree_blocks;
	c->area = malloc(c->blocks * BLOCK + 1);
	c->written = calloc(c->blocks + 1, 1);
	assert_non_null(c->area);
	assert_non_null(c->written);
	memset(c->area, 0xee, c->blocks * BLOCK);
	c->fail_after = -1;
	c->calls = 0;
}

static void collect_free(struct collect *c)
{
	free(c->area);
	free(c->written);
}

/*
 * Build the tree of data in chunks of at most chunk blocks; check every
 * block was emitted once; return the root in root.
 */
static void build_tree(const uint8_t *data, size_t blocks, const uint8_t *salt,
		       size_t salt_len, size_t chunk, struct collect *c,
		       uint8_t root[32])
{
	struct verity_tree *tree = malloc(sizeof(*tree));

	assert_non_null(tree);
	assert_int_equal(verity_tree_init(tree, (uint64_t)blocks * BLOCK, salt,
					  salt_len, collect_emit, c), 0);
	collect_init(c, &tree->geo);
	for (size_t done = 0; done < blocks;) {
		size_t n = blocks - done < chunk ? blocks - done : chunk;

		assert_int_equal(verity_tree_update(tree, data + done * BLOCK,
						    n * BLOCK), 0);
		done += n;
	}
	assert_int_equal(verity_tree_final(tree, root), 0);
	for (size_t i = 0; i < c->blocks; i++)
		assert_true(c->written[i]);
	free(tree);
}

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

		rng_fill(in.uuid, sizeof(in.uuid));
		rng_fill(in.salt, salt_len);
		in.salt_len = salt_len;
		in.data_blocks = 1 + rng() % VERITY_DATA_BLOCKS_MAX;
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

/* --- tree ----------------------------------------------------------------- */

/* The hash area as veritysetup writes it: superblock block, then tree. */
static uint8_t *hash_area(const struct collect *c, const uint8_t uuid[16],
			  uint64_t data_blocks, const uint8_t *salt,
			  size_t salt_len, size_t *len)
{
	struct verity_superblock sb = { 0 };
	uint8_t *area = calloc(1 + c->blocks, BLOCK);

	assert_non_null(area);
	memcpy(sb.uuid, uuid, 16);
	sb.data_blocks = data_blocks;
	sb.salt_len = salt_len;
	if (salt_len)
		memcpy(sb.salt, salt, salt_len);
	assert_int_equal(verity_superblock_format(&sb, area), 0);
	memcpy(area + BLOCK, c->area, c->blocks * BLOCK);
	*len = (1 + c->blocks) * BLOCK;
	return area;
}

static void check_kat(size_t blocks, const uint8_t *data, const uint8_t *salt,
		      size_t salt_len, const char *want_root,
		      const char *want_area)
{
	struct collect c;
	uint8_t root[32];
	char hex[SHA256_HEX_LEN + 1];
	uint8_t *area;
	size_t len;

	build_tree(data, blocks, salt, salt_len, 7, &c, root);
	sha256_hex(root, hex);
	assert_string_equal(hex, want_root);
	area = hash_area(&c, kat_uuid, blocks, salt, salt_len, &len);
	digest_hex(area, len, hex);
	assert_string_equal(hex, want_area);
	free(area);
	collect_free(&c);
}

static void test_tree_known_answers(void **state)
{
	uint8_t *data = kat_data(130);
	uint8_t zero[BLOCK] = { 0 };

	check_kat(130, data, kat_salt, sizeof(kat_salt), KAT130_ROOT,
		  KAT130_HASH_AREA);
	check_kat(1, zero, NULL, 0, KAT1_ROOT, KAT1_HASH_AREA);
	free(data);
}

static void test_tree_matches_reference(void **state)
{
	static const size_t sizes[] = {
		1, 2, 3, 127, 128, 129, 255, 256, 257, 1000,
		128 * 128 - 1, 128 * 128, 128 * 128 + 1, 128 * 129 + 5,
	};
	static const size_t chunks[] = { 1, 3, 128, 4096 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t blocks = sizes[i];
		size_t salt_len = rng() % (VERITY_SALT_MAX + 1);
		uint8_t salt[VERITY_SALT_MAX], root[32];
		uint8_t *data = malloc(blocks * BLOCK);
		struct ref_tree ref;
		struct collect c;

		assert_non_null(data);
		if (i % 4 == 1)
			salt_len = 0;
		rng_fill(salt, salt_len);
		rng_fill(data, blocks * BLOCK);
		ref_tree_build(data, blocks, salt, salt_len, &ref);
		build_tree(data, blocks, salt, salt_len,
			   chunks[i % ARRAY_SIZE(chunks)], &c, root);
		print_message("%zu blocks, salt %zu bytes\n", blocks,
			      salt_len);
		assert_int_equal(c.blocks * BLOCK, ref.area_len);
		assert_memory_equal(c.area, ref.area, ref.area_len);
		assert_memory_equal(root, ref.root, 32);
		/* Any change to the data or the salt changes the root. */
		if (salt_len) {
			uint8_t root2[32];
			struct collect c2;

			salt[0] ^= 1;
			build_tree(data, blocks, salt, salt_len, 4096, &c2,
				   root2);
			assert_memory_not_equal(root, root2, 32);
			collect_free(&c2);
		}
		free(ref.area);
		free(data);
		collect_free(&c);
	}
}

static void test_tree_misuse(void **state)
{
	struct verity_tree *tree = malloc(sizeof(*tree));
	uint8_t salt[VERITY_SALT_MAX + 1] = { 0 }, root[32];
	uint8_t *data = calloc(3, BLOCK);
	struct collect c = { .fail_after = -1 };

	assert_non_null(tree);
	assert_non_null(data);
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK, salt,
					  sizeof(salt), collect_emit, &c),
			 -EINVAL);
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK, NULL, 1,
					  collect_emit, &c), -EINVAL);
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK, salt, 1, NULL, &c),
			 -EINVAL);
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK + 1, salt, 1,
					  collect_emit, &c), -EINVAL);
	assert_int_equal(verity_tree_init(tree, 0, salt, 1, collect_emit, &c),
			 -EINVAL);

	/* Partial blocks are refused, and the error sticks. */
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK, salt, 1,
					  collect_emit, &c), 0);
	collect_init(&c, &tree->geo);
	assert_int_equal(verity_tree_update(tree, data, 100), -EINVAL);
	assert_int_equal(verity_tree_update(tree, data, BLOCK), -EINVAL);
	assert_int_equal(verity_tree_final(tree, root), -EINVAL);
	collect_free(&c);

	/* More data than announced. */
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK, salt, 1,
					  collect_emit, &c), 0);
	collect_init(&c, &tree->geo);
	assert_int_equal(verity_tree_update(tree, data, 3 * BLOCK), -EINVAL);
	collect_free(&c);

	/* Less data than announced. */
	assert_int_equal(verity_tree_init(tree, 2 * BLOCK, salt, 1,
					  collect_emit, &c), 0);
	collect_init(&c, &tree->geo);
	assert_int_equal(verity_tree_update(tree, data, BLOCK), 0);
	assert_int_equal(verity_tree_final(tree, root), -EINVAL);
	collect_free(&c);
	free(data);
	free(tree);
}

static void test_tree_emit_failure(void **state)
{
	size_t blocks = 128 * 3 + 1;	/* 4 + 1 hash blocks */
	uint8_t *data = calloc(blocks, BLOCK);
	struct verity_tree *tree = malloc(sizeof(*tree));
	uint8_t root[32];

	assert_non_null(data);
	assert_non_null(tree);
	for (int fail_after = 0; fail_after < 5; fail_after++) {
		struct collect c;
		int r;

		assert_int_equal(verity_tree_init(tree, blocks * BLOCK, NULL, 0,
						  collect_emit, &c), 0);
		collect_init(&c, &tree->geo);
		c.fail_after = fail_after;
		r = verity_tree_update(tree, data, blocks * BLOCK);
		if (r == 0)
			r = verity_tree_final(tree, root);
		assert_int_equal(r, -ENOSPC);
		assert_int_equal(verity_tree_final(tree, root), -ENOSPC);
		assert_int_equal(c.calls, fail_after);
		collect_free(&c);
	}
	free(tree);
	free(data);
}

/* --- formatting a file ---------------------------------------------------- */

static int memfd_with(const uint8_t *data, size_t len)
{
	int fd = memfd_create("verity-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	return fd;
}

static void test_format_fd_known(void **state)
{
	size_t data_len = 130 * BLOCK, blob = 134 * BLOCK;
	uint8_t *data = kat_data(130), *file = malloc(blob + BLOCK);
	uint8_t root[32], tail[BLOCK];
	char hex[SHA256_HEX_LEN + 1];
	int fd;

	assert_non_null(file);
	fd = memfd_with(data, data_len);
	/* A block of 0xab past where the tree ends must survive. */
	memset(tail, 0xab, sizeof(tail));
	assert_int_equal(pwrite(fd, tail, BLOCK, blob), BLOCK);
	assert_int_equal(verity_format_fd(fd, data_len, kat_salt,
					  sizeof(kat_salt), kat_uuid, root), 0);
	sha256_hex(root, hex);
	assert_string_equal(hex, KAT130_ROOT);
	assert_int_equal(pread(fd, file, blob + BLOCK, 0), blob + BLOCK);
	assert_memory_equal(file, data, data_len);
	digest_hex(file + data_len, blob - data_len, hex);
	assert_string_equal(hex, KAT130_HASH_AREA);
	assert_memory_equal(file + blob, tail, BLOCK);
	close(fd);
	free(file);
	free(data);
}

static void test_format_fd_errors(void **state)
{
	uint8_t *data = kat_data(3), root[32], salt[VERITY_SALT_MAX + 1];
	int fd = memfd_with(data, 3 * BLOCK);

	memset(root, 0x11, sizeof(root));
	assert_int_equal(verity_format_fd(fd, 4 * BLOCK, NULL, 0, kat_uuid,
					  root), -EIO);
	assert_int_equal(verity_format_fd(fd, 3 * BLOCK - 1, NULL, 0,
					  kat_uuid, root), -EINVAL);
	assert_int_equal(verity_format_fd(fd, 3 * BLOCK, salt, sizeof(salt),
					  kat_uuid, root), -EINVAL);
	assert_int_equal(verity_format_fd(-1, 3 * BLOCK, NULL, 0, kat_uuid,
					  root), -EBADF);
	for (size_t i = 0; i < sizeof(root); i++)
		assert_int_equal(root[i], 0x11);
	close(fd);

	/* A read-only descriptor: the writes fail. */
	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(verity_format_fd(fd, 3 * BLOCK, NULL, 0, kat_uuid,
					  root), -EBADF);
	close(fd);
	free(data);
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

static int parse_uuid(const char *s, uint8_t uuid[16])
{
	char hex[33];
	size_t n = 0;

	if (strlen(s) != 36)
		return -1;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		hex[n++] = s[i];
	}
	hex[n] = '\0';
	return unhex(hex, uuid, 16) == 16 ? 0 : -1;
}

static int driver_format(const char *path, const char *salt_hex,
			 const char *uuid_text)
{
	uint8_t salt[VERITY_SALT_MAX], uuid[16], root[32];
	int salt_len = 0, r;
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (strcmp(salt_hex, "-"))
		salt_len = unhex(salt_hex, salt, sizeof(salt));
	if (salt_len < 0 || parse_uuid(uuid_text, uuid) < 0) {
		fprintf(stderr, "verity: bad salt or uuid\n");
		return 2;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "verity: %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = verity_format_fd(fd, (uint64_t)st.st_size, salt, (size_t)salt_len,
			     uuid, root);
	if (r < 0) {
		fprintf(stderr, "verity: formatting %s: %s\n", path,
			ociboot_strerror(r));
		return 1;
	}
	print_hex(root, sizeof(root));
	printf("\n");
	return 0;
}

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
		print_hex(sb.salt, sb.salt_len);
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
	if (argc == 5 && streq(argv[1], "format"))
		return driver_format(argv[2], argv[3], argv[4]);
	if (argc == 4 && streq(argv[1], "parse"))
		return driver_parse(argv[2], argv[3]);
	if (argc == 5 && streq(argv[1], "table"))
		return driver_table(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: verity format FILE SALT_HEX|- UUID\n"
			"       verity parse FILE OFFSET\n"
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
		cmocka_unit_test(test_tree_known_answers),
		cmocka_unit_test(test_tree_matches_reference),
		cmocka_unit_test(test_tree_misuse),
		cmocka_unit_test(test_tree_emit_failure),
		cmocka_unit_test(test_format_fd_known),
		cmocka_unit_test(test_format_fd_errors),
		cmocka_unit_test(test_dm_table_format),
		cmocka_unit_test(test_dm_table_longest),
		cmocka_unit_test(test_dm_table_invalid),
		cmocka_unit_test(test_dm_table_small_buffer),
	};

	if (argc > 1)
		return driver(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
