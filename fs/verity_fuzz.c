/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for verity_superblock_parse(). The input is the
 * superblock; it is parsed at the hash offset its own data_blocks field
 * names (so the fuzzer reaches every check) and at one taken from its last
 * bytes. Whatever parses must format back to the same 512 bytes (the parser
 * accepts only the canonical form) and must give a dm table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/verity.h"
#include "lib/endian.h"
#include "lib/util.h"

static void check(const uint8_t *data, size_t size, uint64_t hash_offset)
{
	struct verity_superblock sb;
	uint8_t again[VERITY_SUPERBLOCK_SIZE];
	uint8_t root[VERITY_DIGEST_LEN] = { 0 };
	char table[VERITY_TABLE_MAX];
	int r;

	/* An exact-size copy so ASan catches any overread. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	r = verity_superblock_parse(copy, size, hash_offset, &sb);
	free(copy);
	if (r < 0)
		return;
	if (size < VERITY_SUPERBLOCK_SIZE || sb.salt_len > VERITY_SALT_MAX ||
	    sb.data_blocks * VERITY_BLOCK_SIZE != hash_offset)
		abort();
	if (verity_superblock_format(&sb, again) != 0 ||
	    memcmp(again, data, VERITY_SUPERBLOCK_SIZE) != 0)
		abort();
	r = verity_dm_table(table, sizeof(table), "7:0", "7:0", &sb, root,
			    VERITY_TABLE_PANIC_ON_CORRUPTION);
	if (r <= 0 || (size_t)r != strlen(table))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 80)
		check(data, size, le64_load(data + 72) * VERITY_BLOCK_SIZE);
	if (size >= 8)
		check(data, size, le64_load(data + size - 8));
	check(data, size, 2 * VERITY_BLOCK_SIZE);
	return 0;
}
