/* SPDX-License-Identifier: MIT */
#include "fs/verity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/util.h"

#define VERITY_VERSION 1
#define VERITY_HASH_TYPE 1
#define VERITY_ALGORITHM "sha256"
/* Bytes read per pread() in verity_format_fd(). */
#define VERITY_READ_CHUNK (1024 * 1024)
#define VERITY_PAD1_LEN 6
#define VERITY_ALGORITHM_LEN 32

static const uint8_t verity_signature[8] = "verity\0";

/*
 * The on-disk superblock, little-endian (cryptsetup's struct verity_sb).
 * Only here to pin the layout: the code reads and writes it field by field.
 */
struct verity_sb_wire {
	uint8_t signature[8];
	uint32_t version;
	uint32_t hash_type;
	uint8_t uuid[VERITY_UUID_LEN];
	uint8_t algorithm[VERITY_ALGORITHM_LEN];
	uint32_t data_block_size;
	uint32_t hash_block_size;
	uint64_t data_blocks;
	uint16_t salt_size;
	uint8_t pad1[VERITY_PAD1_LEN];
	uint8_t salt[VERITY_SALT_MAX];
	uint8_t pad2[168];
} __attribute__((packed));

_Static_assert(sizeof(struct verity_sb_wire) == VERITY_SUPERBLOCK_SIZE,
	       "verity superblock is 512 bytes");
_Static_assert(offsetof(struct verity_sb_wire, data_blocks) == 72,
	       "verity superblock data_blocks offset");
_Static_assert(offsetof(struct verity_sb_wire, salt) == 88,
	       "verity superblock salt offset");
_Static_assert(VERITY_HASHES_PER_BLOCK == 128, "7 bits of index per level");
_Static_assert(VERITY_DATA_BLOCKS_MAX <= (1ULL << (7 * VERITY_LEVELS_MAX)),
	       "VERITY_LEVELS_MAX covers VERITY_DATA_BLOCKS_MAX");

/* --- geometry ------------------------------------------------------------ */

int verity_geometry_init(struct verity_geometry *geo, uint64_t data_size)
{
	struct verity_geometry g = { 0 };
	uint64_t pos, width;

	if (data_size == 0 || data_size % VERITY_BLOCK_SIZE)
		return -EINVAL;
	g.data_blocks = data_size / VERITY_BLOCK_SIZE;
	if (g.data_blocks > VERITY_DATA_BLOCKS_MAX)
		return -OCIBOOT_ETOOBIG;
	g.hash_offset = data_size;
	g.hash_start_block = g.data_blocks + 1;

	/* Level i has one digest per block of level i - 1 (or of data). */
	width = g.data_blocks;
	while (width > 1) {
		width = (width + VERITY_HASHES_PER_BLOCK - 1) /
			VERITY_HASHES_PER_BLOCK;
		g.level_blocks[g.levels++] = width;
	}

	/* Top level first, as veritysetup lays them out. */
	pos = g.hash_start_block;
	for (unsigned int i = g.levels; i-- > 0;) {
		g.level_start[i] = pos;
		pos += g.level_blocks[i];
		g.tree_blocks += g.level_blocks[i];
	}
	g.blob_size = pos * VERITY_BLOCK_SIZE;
	*geo = g;
	return 0;
}

/* --- superblock ---------------------------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t left;
};

static bool cursor_take(struct cursor *c, const uint8_t **out, size_t n)
{
	if (n > c->left)
		return false;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

static bool cursor_le(struct cursor *c, size_t n, uint64_t *value)
{
	const uint8_t *p;

	if (!cursor_take(c, &p, n))
		return false;
	*value = 0;
	while (n-- > 0)
		*value = *value << 8 | p[n];
	return true;
}

static bool cursor_expect(struct cursor *c, const void *want, size_t n)
{
	const uint8_t *p;

	return cursor_take(c, &p, n) && memcmp(p, want, n) == 0;
}

static bool cursor_expect_le(struct cursor *c, size_t n, uint64_t want)
{
	uint64_t value;

	return cursor_le(c, n, &value) && value == want;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool cursor_expect_zero(struct cursor *c, size_t n)
{
	const uint8_t *p;

	return cursor_take(c, &p, n) && all_zero(p, n);
}

static uint8_t *put_le(uint8_t *p, uint64_t value, size_t n)
{
	for (size_t i = 0; i < n; i++, value >>= 8)
		p[i] = value & 0xff;
	return p + n;
}

static uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

int verity_superblock_format(const struct verity_superblock *sb,
			     uint8_t out[VERITY_SUPERBLOCK_SIZE])
{
	uint8_t wire[VERITY_SUPERBLOCK_SIZE] = { 0 };
	uint8_t *p = wire;

	if (sb->data_blocks == 0 || sb->data_blocks > VERITY_DATA_BLOCKS_MAX ||
	    sb->salt_len > VERITY_SALT_MAX)
		return -EINVAL;
	p = put_bytes(p, verity_signature, sizeof(verity_signature));
	p = put_le(p, VERITY_VERSION, 4);
	p = put_le(p, VERITY_HASH_TYPE, 4);
	p = put_bytes(p, sb->uuid, VERITY_UUID_LEN);
	memcpy(p, VERITY_ALGORITHM, strlen(VERITY_ALGORITHM));
	p += VERITY_ALGORITHM_LEN;
	p = put_le(p, VERITY_BLOCK_SIZE, 4);
	p = put_le(p, VERITY_BLOCK_SIZE, 4);
	p = put_le(p, sb->data_blocks, 8);
	p = put_le(p, sb->salt_len, 2);
	p += VERITY_PAD1_LEN;
	memcpy(p, sb->salt, sb->salt_len);
	memcpy(out, wire, sizeof(wire));
	return 0;
}

int verity_superblock_parse(const uint8_t *buf, size_t len,
			    uint64_t hash_offset, struct verity_superblock *sb)
{
	static const uint8_t algorithm[VERITY_ALGORITHM_LEN] = VERITY_ALGORITHM;
	struct cursor c = { buf, len };
	struct verity_superblock out = { 0 };
	const uint8_t *uuid, *salt;
	uint64_t data_blocks, salt_size;

	if (hash_offset == 0 || hash_offset % VERITY_BLOCK_SIZE)
		return -EINVAL;
	if (len < VERITY_SUPERBLOCK_SIZE)
		return -OCIBOOT_EMALFORMED;
	c.left = VERITY_SUPERBLOCK_SIZE;

	if (!cursor_expect(&c, verity_signature, sizeof(verity_signature)) ||
	    !cursor_expect_le(&c, 4, VERITY_VERSION) ||
	    !cursor_expect_le(&c, 4, VERITY_HASH_TYPE) ||
	    !cursor_take(&c, &uuid, VERITY_UUID_LEN) ||
	    !cursor_expect(&c, algorithm, sizeof(algorithm)) ||
	    !cursor_expect_le(&c, 4, VERITY_BLOCK_SIZE) ||
	    !cursor_expect_le(&c, 4, VERITY_BLOCK_SIZE) ||
	    !cursor_le(&c, 8, &data_blocks) ||
	    !cursor_le(&c, 2, &salt_size))
		return -OCIBOOT_EMALFORMED;
	if (salt_size > VERITY_SALT_MAX || data_blocks > VERITY_DATA_BLOCKS_MAX)
		return -OCIBOOT_ETOOBIG;
	if (data_blocks != hash_offset / VERITY_BLOCK_SIZE)
		return -OCIBOOT_EMALFORMED;
	if (!cursor_expect_zero(&c, VERITY_PAD1_LEN) ||
	    !cursor_take(&c, &salt, VERITY_SALT_MAX) ||
	    !all_zero(salt + salt_size, VERITY_SALT_MAX - salt_size) ||
	    !cursor_expect_zero(&c, c.left))
		return -OCIBOOT_EMALFORMED;

	memcpy(out.uuid, uuid, VERITY_UUID_LEN);
	out.data_blocks = data_blocks;
	out.salt_len = salt_size;
	memcpy(out.salt, salt, salt_size);
	*sb = out;
	return 0;
}

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

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t offset)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

static int emit_to_fd(void *ctx, uint64_t block, const uint8_t *data)
{
	return pwrite_all(*(int *)ctx, data, VERITY_BLOCK_SIZE,
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
	return pwrite_all(fd, block, sizeof(block), data_size);
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

/* --- dm table ------------------------------------------------------------ */

uint64_t verity_dm_sectors(const struct verity_superblock *sb)
{
	return sb->data_blocks * (VERITY_BLOCK_SIZE / 512);
}

static bool device_name_valid(const char *name)
{
	size_t len = strnlen(name, VERITY_DEVICE_NAME_MAX + 1);

	if (len == 0 || len > VERITY_DEVICE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

static const struct {
	unsigned int flag;
	const char *arg;
} table_options[] = {
	{ VERITY_TABLE_IGNORE_CORRUPTION, "ignore_corruption" },
	{ VERITY_TABLE_RESTART_ON_CORRUPTION, "restart_on_corruption" },
	{ VERITY_TABLE_PANIC_ON_CORRUPTION, "panic_on_corruption" },
	{ VERITY_TABLE_IGNORE_ZERO_BLOCKS, "ignore_zero_blocks" },
	{ VERITY_TABLE_CHECK_AT_MOST_ONCE, "check_at_most_once" },
};

#define VERITY_TABLE_CORRUPTION_MODES (VERITY_TABLE_IGNORE_CORRUPTION | \
	VERITY_TABLE_RESTART_ON_CORRUPTION | VERITY_TABLE_PANIC_ON_CORRUPTION)

static bool table_flags_valid(unsigned int flags)
{
	unsigned int all = 0, modes = flags & VERITY_TABLE_CORRUPTION_MODES;

	for (size_t i = 0; i < ARRAY_SIZE(table_options); i++)
		all |= table_options[i].flag;
	return !(flags & ~all) && !(modes & (modes - 1));
}

/* Appends to a fixed buffer; remembers whether anything did not fit. */
struct text {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void text_add(struct text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->overflow || n >= t->size - t->len) {
		t->overflow = true;
		return;
	}
	memcpy(t->buf + t->len, s, n + 1);
	t->len += n;
}

static void text_add_u64(struct text *t, uint64_t value)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%" PRIu64, value);
	text_add(t, digits);
}

static void text_add_hex(struct text *t, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char pair[3] = { 0 };

	for (size_t i = 0; i < n; i++) {
		pair[0] = hex[p[i] >> 4];
		pair[1] = hex[p[i] & 15];
		text_add(t, pair);
	}
}

static void text_add_options(struct text *t, unsigned int flags)
{
	unsigned int count = (unsigned int)__builtin_popcount(flags);

	if (count == 0)
		return;
	text_add(t, " ");
	text_add_u64(t, count);
	for (size_t i = 0; i < ARRAY_SIZE(table_options); i++) {
		if (!(flags & table_options[i].flag))
			continue;
		text_add(t, " ");
		text_add(t, table_options[i].arg);
	}
}

int verity_dm_table(char *buf, size_t size, const char *data_dev,
		    const char *hash_dev, const struct verity_superblock *sb,
		    const uint8_t root[VERITY_DIGEST_LEN], unsigned int flags)
{
	char line[VERITY_TABLE_MAX];
	struct text t = { line, sizeof(line), 0, false };

	if (!device_name_valid(data_dev) || !device_name_valid(hash_dev) ||
	    sb->data_blocks == 0 || sb->data_blocks > VERITY_DATA_BLOCKS_MAX ||
	    sb->salt_len > VERITY_SALT_MAX || !table_flags_valid(flags))
		return -EINVAL;
	line[0] = '\0';
	text_add(&t, "1 ");
	text_add(&t, data_dev);
	text_add(&t, " ");
	text_add(&t, hash_dev);
	text_add(&t, " 4096 4096 ");
	text_add_u64(&t, sb->data_blocks);
	text_add(&t, " ");
	text_add_u64(&t, sb->data_blocks + 1);
	text_add(&t, " " VERITY_ALGORITHM " ");
	text_add_hex(&t, root, VERITY_DIGEST_LEN);
	text_add(&t, " ");
	if (sb->salt_len)
		text_add_hex(&t, sb->salt, sb->salt_len);
	else
		text_add(&t, "-");
	text_add_options(&t, flags);
	if (t.overflow)
		return -EINVAL;	/* unreachable: VERITY_TABLE_MAX is enough */
	if (t.len >= size)
		return -ENOSPC;
	memcpy(buf, line, t.len + 1);
	return (int)t.len;
}
