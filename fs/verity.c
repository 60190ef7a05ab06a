/* SPDX-License-Identifier: MIT */
#include "fs/verity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "lib/constants.h"
#include "lib/cursor.h"
#include "lib/endian.h"
#include "lib/strbuf.h"
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
	le32_store(p, VERITY_VERSION);
	le32_store(p + 4, VERITY_HASH_TYPE);
	p = put_bytes(p + 8, sb->uuid, VERITY_UUID_LEN);
	memcpy(p, VERITY_ALGORITHM, strlen(VERITY_ALGORITHM));
	p += VERITY_ALGORITHM_LEN;
	le32_store(p, VERITY_BLOCK_SIZE);
	le32_store(p + 4, VERITY_BLOCK_SIZE);
	le64_store(p + 8, sb->data_blocks);
	le16_store(p + 16, (uint16_t)sb->salt_len);
	p += 18 + VERITY_PAD1_LEN;
	memcpy(p, sb->salt, sb->salt_len);
	memcpy(out, wire, sizeof(wire));
	return 0;
}

/*
 * The fixed fields, up to and including the two block sizes; *uuid points
 * at the uuid. False when one differs from what verity_superblock_format()
 * writes.
 */
static bool read_fixed_fields(struct cursor *c, const uint8_t **uuid)
{
	static const uint8_t algorithm[VERITY_ALGORITHM_LEN] = VERITY_ALGORITHM;

	if (!cursor_expect(c, verity_signature, sizeof(verity_signature)) ||
	    cursor_le32(c) != VERITY_VERSION ||
	    cursor_le32(c) != VERITY_HASH_TYPE)
		return false;
	*uuid = cursor_take(c, VERITY_UUID_LEN);
	return cursor_expect(c, algorithm, sizeof(algorithm)) &&
	       cursor_le32(c) == VERITY_BLOCK_SIZE &&
	       cursor_le32(c) == VERITY_BLOCK_SIZE && !cursor_failed(c);
}

int verity_superblock_parse(const uint8_t *buf, size_t len,
			    uint64_t hash_offset, struct verity_superblock *sb)
{
	struct cursor c;
	struct verity_superblock out = { 0 };
	const uint8_t *uuid, *salt;
	uint64_t data_blocks;
	uint16_t salt_size;

	if (hash_offset == 0 || hash_offset % VERITY_BLOCK_SIZE)
		return -EINVAL;
	if (!buf || len < VERITY_SUPERBLOCK_SIZE)
		return -OCIBOOT_EMALFORMED;
	cursor_init(&c, buf, VERITY_SUPERBLOCK_SIZE);

	if (!read_fixed_fields(&c, &uuid))
		return -OCIBOOT_EMALFORMED;
	data_blocks = cursor_le64(&c);
	salt_size = cursor_le16(&c);
	if (salt_size > VERITY_SALT_MAX || data_blocks > VERITY_DATA_BLOCKS_MAX)
		return -OCIBOOT_ETOOBIG;
	if (data_blocks != hash_offset / VERITY_BLOCK_SIZE)
		return -OCIBOOT_EMALFORMED;
	if (!cursor_expect_zero(&c, VERITY_PAD1_LEN))
		return -OCIBOOT_EMALFORMED;
	salt = cursor_take(&c, salt_size);
	if (!cursor_expect_zero(&c, VERITY_SALT_MAX - salt_size) ||
	    !cursor_expect_zero(&c, cursor_remaining(&c)))
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
	return sb->data_blocks * (VERITY_BLOCK_SIZE / SECTOR_SIZE);
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

static void table_add_options(struct strbuf *sb, unsigned int flags)
{
	unsigned int count = (unsigned int)__builtin_popcount(flags);

	if (count == 0)
		return;
	strbuf_printf(sb, " %u", count);
	for (size_t i = 0; i < ARRAY_SIZE(table_options); i++) {
		if (!(flags & table_options[i].flag))
			continue;
		strbuf_putc(sb, ' ');
		strbuf_puts(sb, table_options[i].arg);
	}
}

int verity_dm_table(char *buf, size_t size, const char *data_dev,
		    const char *hash_dev, const struct verity_superblock *sb,
		    const uint8_t root[VERITY_DIGEST_LEN], unsigned int flags)
{
	char line[VERITY_TABLE_MAX];
	struct strbuf t;

	if (!device_name_valid(data_dev) || !device_name_valid(hash_dev) ||
	    sb->data_blocks == 0 || sb->data_blocks > VERITY_DATA_BLOCKS_MAX ||
	    sb->salt_len > VERITY_SALT_MAX || !table_flags_valid(flags))
		return -EINVAL;
	strbuf_init(&t, line, sizeof(line));
	strbuf_printf(&t, "1 %s %s %d %d %" PRIu64 " %" PRIu64 " %s ",
		      data_dev, hash_dev, VERITY_BLOCK_SIZE, VERITY_BLOCK_SIZE,
		      sb->data_blocks, sb->data_blocks + 1, VERITY_ALGORITHM);
	strbuf_hex(&t, root, VERITY_DIGEST_LEN);
	strbuf_putc(&t, ' ');
	if (sb->salt_len)
		strbuf_hex(&t, sb->salt, sb->salt_len);
	else
		strbuf_putc(&t, '-');
	table_add_options(&t, flags);
	if (strbuf_truncated(&t))
		return -EINVAL;	/* unreachable: VERITY_TABLE_MAX is enough */
	if (strbuf_len(&t) >= size)
		return -ENOSPC;
	memcpy(buf, line, strbuf_len(&t) + 1);
	return (int)strbuf_len(&t);
}
