/* SPDX-License-Identifier: MIT */
/*
 * Tests of layer/verity_tree.c, whose known answers come from veritysetup
 * 2.6.1 and whose trees are compared with a plain level-by-level reference
 * built here. Without arguments: the cmocka tests. With arguments it is
 * the driver fs/verity_test.sh and bench/verity.sh use:
 *
 *   verity_tree format FILE SALT_HEX|- UUID   format FILE in place, print
 *                                             the root hash
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bearssl_hash.h>

#include "fs/verity.h"
#include "fs/verity_fixture.h"
#include "layer/verity_tree.h"
#include "lib/hex.h"
#include "lib/util.h"

#define BLOCK VERITY_BLOCK_SIZE

/* --- helpers -------------------------------------------------------------- */

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
		size_t salt_len = verity_fixture_rng() % (VERITY_SALT_MAX + 1);
		uint8_t salt[VERITY_SALT_MAX], root[32];
		uint8_t *data = malloc(blocks * BLOCK);
		struct ref_tree ref;
		struct collect c;

		assert_non_null(data);
		if (i % 4 == 1)
			salt_len = 0;
		verity_fixture_rng_fill(salt, salt_len);
		verity_fixture_rng_fill(data, blocks * BLOCK);
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

/* --- driver --------------------------------------------------------------- */

static int parse_uuid(const char *s, uint8_t uuid[16])
{
	char hex[32];
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
	return hex_decode_any_case(hex, n, uuid, 16) == 16 ? 0 : -1;
}

static int driver_format(const char *path, const char *salt_hex,
			 const char *uuid_text)
{
	uint8_t salt[VERITY_SALT_MAX], uuid[16], root[32];
	int salt_len = 0, r;
	struct stat st;
	_cleanup_close_ int fd = -1;

	if (strcmp(salt_hex, "-"))
		salt_len = (int)hex_decode_any_case(salt_hex, strlen(salt_hex),
						    salt, sizeof(salt));
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
	verity_fixture_print_hex(root, sizeof(root));
	printf("\n");
	return 0;
}

static int driver(int argc, char **argv)
{
	if (argc == 5 && streq(argv[1], "format"))
		return driver_format(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: verity_tree format FILE SALT_HEX|- UUID\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_known_answers),
		cmocka_unit_test(test_tree_matches_reference),
		cmocka_unit_test(test_tree_misuse),
		cmocka_unit_test(test_tree_emit_failure),
		cmocka_unit_test(test_format_fd_known),
		cmocka_unit_test(test_format_fd_errors),
	};

	if (argc > 1)
		return driver(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
