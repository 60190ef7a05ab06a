/* SPDX-License-Identifier: MIT */
#include "fs/verity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"

#define VERITY_VERSION 1
#define VERITY_HASH_TYPE 1
#define VERITY_ALGORITHM "sha256"
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
