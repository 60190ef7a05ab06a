/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for fs/blkid.c. The first byte picks the sector size
 * (bit 0: 4096, else 512) and whether the fuzzer fixes up the checksums
 * before parsing (bit 1: GPT header and entry array CRC32, bit 2: the ext
 * superblock CRC32C, bit 3: the erofs superblock CRC32C over the rest of
 * the first 4 KiB), so the checks behind each CRC are reached too. The
 * rest is the start of a disk: probed as a filesystem, then read as a GPT
 * the way fs/store.c reads it. Whatever parses must satisfy the documented
 * bounds; every parser gets an exact-size copy so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fs/blkid.h"
#include "lib/endian.h"
#include "lib/util.h"

#define DISK_SECTORS ((uint64_t)1 << 16)

static uint8_t *copy_of(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	if (!c)
		abort();
	if (len)
		memcpy(c, p, len);
	return c;
}

static uint32_t crc32c_raw(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? 0x82f63b78u ^ (crc >> 1) : crc >> 1;
	}
	return crc;
}

static void check_fs(const uint8_t *data, size_t size, bool fix_ext,
		     bool fix_erofs)
{
	uint8_t *c = copy_of(data, size);
	struct blkid_fs fs;

	if (fix_ext && size >= 2048)
		le32_store(c + 1024 + 0x3fc, crc32c_raw(c + 1024, 0x3fc));
	if (fix_erofs && size >= 4096) {
		le32_store(c + 1024 + 4, 0);
		le32_store(c + 1024 + 4, crc32c_raw(c + 1024, 4096 - 1024));
	}
	if (blkid_probe_fs(c, size, &fs) == 0) {
		if (!fs.type || strlen(fs.label) > BLKID_LABEL_MAX ||
		    (fs.uuid[0] && strlen(fs.uuid) != BLKID_UUID_STR_LEN) ||
		    fs.block_size < 1024 || fs.block_size > 65536 ||
		    (fs.block_size & (fs.block_size - 1)))
			abort();
	}
	free(c);
}

struct walk {
	const struct blkid_gpt_header *h;
	unsigned int calls;
};

static int entry_seen(void *ctx, const struct blkid_gpt_entry *e)
{
	struct walk *w = ctx;

	if (e->number < 1 || e->number > w->h->entry_count ||
	    e->first_lba > e->last_lba ||
	    e->first_lba < w->h->first_usable_lba ||
	    e->last_lba > w->h->last_usable_lba ||
	    strlen(e->name) > BLKID_GPT_NAME_MAX ||
	    strlen(e->uuid) != BLKID_UUID_STR_LEN)
		abort();
	if (++w->calls > w->h->entry_count)
		abort();
	return 0;
}

static void check_header(const struct blkid_gpt_header *h, uint32_t ss)
{
	if (h->sector_size != ss || h->my_lba != 1 ||
	    h->entry_count > BLKID_GPT_ENTRIES_MAX ||
	    h->entry_size > BLKID_GPT_ENTRY_SIZE_MAX ||
	    h->entry_size < BLKID_GPT_ENTRY_MIN ||
	    h->array_size > BLKID_GPT_ARRAY_MAX ||
	    h->array_size != (size_t)h->entry_count * h->entry_size ||
	    h->first_usable_lba > h->last_usable_lba ||
	    h->last_usable_lba >= DISK_SECTORS)
		abort();
}

static void check_gpt(const uint8_t *disk, size_t len, uint32_t ss, bool fix)
{
	uint8_t *c = copy_of(disk, len);
	struct blkid_gpt_header h;
	uint64_t off;

	(void)blkid_gpt_pmbr_check(c, len);
	if (len < ss + 92)
		goto out;
	if (fix) {
		uint32_t hs = le32_load(c + ss + 12);
		uint64_t elba = le64_load(c + ss + 72);
		size_t asize = (size_t)le32_load(c + ss + 80) * le32_load(c + ss + 84);

		if (elba < len / ss && asize <= len - elba * ss)
			le32_store(c + ss + 88, (uint32_t)crc32(0, c + elba * ss,
							  (uInt)asize));
		if (hs >= 92 && hs <= len - ss) {
			le32_store(c + ss + 16, 0);
			le32_store(c + ss + 16, (uint32_t)crc32(0, c + ss, hs));
		}
	}
	if (blkid_gpt_header_parse(c + ss, len - ss, ss, 1, DISK_SECTORS,
				   &h) < 0)
		goto out;
	check_header(&h, ss);
	off = h.entries_lba * ss;
	if (off < len) {
		uint8_t *array = copy_of(c + off, len - off);
		struct walk w = { &h, 0 };

		(void)blkid_gpt_entries_parse(&h, array, len - off, entry_seen,
					      &w);
		free(array);
	}
out:
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	check_fs(data, size, mode & 4, mode & 8);
	check_gpt(data, size, mode & 1 ? 4096 : 512, mode & 2);
	return 0;
}
