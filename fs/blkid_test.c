/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/blkid.c. Without arguments: the cmocka tests, over ext
 * superblocks and GPT disks built here (CRC32 from zlib, CRC32C from a
 * table-driven reference checked against its published check value), each
 * table case also cut at every length. With arguments it is the driver
 * fs/blkid_test.sh compares with util-linux blkid:
 *
 *   blkid fs FILE [OFFSET]       the filesystem at OFFSET, as blkid -o export
 *   blkid gpt FILE [SECTOR_SIZE] the GPT: PTTYPE, PTUUID, then one line per
 *                                partition: NUMBER START SIZE UUID TYPE NAME
 *                                (START and SIZE in sectors)
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
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fs/blkid.h"
#include "lib/endian.h"
#include "lib/util.h"

/* --- helpers -------------------------------------------------------------- */

/* Exact-size heap copy, so ASan sees any read past len. */
static uint8_t *dup_exact(const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	if (len)
		memcpy(c, p, len);
	return c;
}

/* Reference CRC32C: table-driven (the code under test is bitwise). */
static uint32_t crc32c_table[256];

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0x82f63b78u ^ (c >> 1) : c >> 1;
		crc32c_table[i] = c;
	}
}

/* The register, no inversions (as ext4 stores it). */
static uint32_t crc32c_raw(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

static void test_crc32c_reference(void **state)
{
	(void)state;
	/* The published check value of CRC-32C over "123456789". */
	assert_int_equal(~crc32c_raw(~0u, (const uint8_t *)"123456789", 9),
			 0xe3069283u);
}

/* --- ext superblocks ------------------------------------------------------ */

#define SB 1024
#define EXT_IMAGE 4096

static const uint8_t ext_uuid[16] = {
	0x0a, 0x1b, 0x2c, 0x3d, 0x11, 0x11, 0x22, 0x22,
	0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66,
};

struct ext_spec {
	uint32_t compat, incompat, ro_compat;
	uint32_t log_block;
	const char *label;		/* up to 16 bytes, no NUL needed */
	bool zero_uuid;
	int csum;			/* 0 right, 1 wrong, 2 wrong type */
};

/* A default ext4 as mke2fs 1.47 makes it: journal, extents, csum. */
static const struct ext_spec ext4_default = {
	.compat = 0x3c, .incompat = 0x2c2, .ro_compat = 0x46b,
	.log_block = 2, .label = "store",
};

static void ext_build(uint8_t img[EXT_IMAGE], const struct ext_spec *s)
{
	uint8_t *sb = img + SB;

	memset(img, 0, EXT_IMAGE);
	le32_store(sb + 0x18, s->log_block);
	le16_store(sb + 0x38, 0xef53);
	le32_store(sb + 0x4c, 1);
	le32_store(sb + 0x5c, s->compat);
	le32_store(sb + 0x60, s->incompat);
	le32_store(sb + 0x64, s->ro_compat);
	if (!s->zero_uuid)
		memcpy(sb + 0x68, ext_uuid, 16);
	if (s->label)
		memcpy(sb + 0x78, s->label, strnlen(s->label, 16));
	if (s->ro_compat & 0x400) {
		sb[0x175] = s->csum == 2 ? 2 : 1;
		le32_store(sb + 0x3fc, crc32c_raw(~0u, sb, 0x3fc) ^
			(s->csum == 1 ? 1 : 0));
	}
}

struct ext_case {
	const char *what;
	struct ext_spec spec;
	int want;
	const char *type, *label, *uuid;
	uint32_t block_size;
};

#define UUID_TEXT "0a1b2c3d-1111-2222-3333-444455556666"

static const struct ext_case ext_cases[] = {
	{ "ext4 with metadata_csum", { 0x3c, 0x2c2, 0x46b, 2, "store", 0, 0 },
	  0, "ext4", "store", UUID_TEXT, 4096 },
	{ "ext4, 1 KiB blocks", { 0x3c, 0x2c2, 0x46b, 0, "a", 0, 0 },
	  0, "ext4", "a", UUID_TEXT, 1024 },
	{ "ext4, 64 KiB blocks", { 0x3c, 0x2c2, 0x46b, 6, "a", 0, 0 },
	  0, "ext4", "a", UUID_TEXT, 65536 },
	{ "ext4 without csum", { 0x3c, 0x2c2, 0x7b, 2, "x", 0, 0 },
	  0, "ext4", "x", UUID_TEXT, 4096 },
	{ "ext3", { 0x3c, 0x2, 0x3, 2, "old", 0, 0 },
	  0, "ext3", "old", UUID_TEXT, 4096 },
	{ "ext3 needing recovery", { 0x3c, 0x6, 0x3, 2, "old", 0, 0 },
	  0, "ext3", "old", UUID_TEXT, 4096 },
	{ "ext2", { 0x38, 0x2, 0x3, 0, "older", 0, 0 },
	  0, "ext2", "older", UUID_TEXT, 1024 },
	{ "ext2 plus extents is ext4", { 0x38, 0x42, 0x3, 0, "", 0, 0 },
	  0, "ext4", "", UUID_TEXT, 1024 },
	{ "ext3 plus huge_file is ext4", { 0x3c, 0x2, 0xb, 0, "", 0, 0 },
	  0, "ext4", "", UUID_TEXT, 1024 },
	{ "16-byte label, no NUL", { 0x3c, 0x2c2, 0x46b, 2,
				     "0123456789abcdef", 0, 0 },
	  0, "ext4", "0123456789abcdef", UUID_TEXT, 4096 },
	{ "trailing blanks trimmed", { 0x3c, 0x2c2, 0x46b, 2, "ab \t ", 0, 0 },
	  0, "ext4", "ab", UUID_TEXT, 4096 },
	{ "inner blank kept", { 0x3c, 0x2c2, 0x46b, 2, "a b", 0, 0 },
	  0, "ext4", "a b", UUID_TEXT, 4096 },
	{ "no label", { 0x3c, 0x2c2, 0x46b, 2, NULL, 0, 0 },
	  0, "ext4", "", UUID_TEXT, 4096 },
	{ "zero UUID", { 0x3c, 0x2c2, 0x46b, 2, "z", 1, 0 },
	  0, "ext4", "z", "", 4096 },
	{ "bad checksum", { 0x3c, 0x2c2, 0x46b, 2, "store", 0, 1 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL, 0 },
	{ "unknown checksum type", { 0x3c, 0x2c2, 0x46b, 2, "store", 0, 2 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL, 0 },
	{ "block size 128 KiB", { 0x3c, 0x2c2, 0x46b, 7, "store", 0, 0 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL, 0 },
	{ "block size 2^32", { 0x3c, 0x2c2, 0x46b, 0xffffffff, "s", 0, 0 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL, 0 },
	{ "external journal device", { 0x0, 0xa, 0x0, 2, "jnl", 0, 0 },
	  -ENOENT, NULL, NULL, NULL, 0 },
};

static void check_ext_case(const struct ext_case *c)
{
	uint8_t img[EXT_IMAGE];
	struct blkid_fs fs;
	int r;

	ext_build(img, &c->spec);
	memset(&fs, 0x5a, sizeof(fs));
	r = blkid_probe_fs(img, sizeof(img), &fs);
	if (r != c->want)
		fail_msg("%s: got %d, want %d", c->what, r, c->want);
	if (r < 0) {
		/* Output only on success. */
		assert_int_equal(((uint8_t *)&fs)[0], 0x5a);
		return;
	}
	assert_string_equal(fs.type, c->type);
	assert_string_equal(fs.label, c->label);
	assert_string_equal(fs.uuid, c->uuid);
	assert_int_equal(fs.block_size, c->block_size);
}

static void test_ext_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ext_cases); i++)
		check_ext_case(&ext_cases[i]);
}

/* Every prefix shorter than the superblock's end identifies nothing. */
static void test_ext_truncated(void **state)
{
	uint8_t img[EXT_IMAGE];
	struct blkid_fs fs;

	(void)state;
	ext_build(img, &ext4_default);
	for (size_t len = 0; len <= EXT_IMAGE; len++) {
		uint8_t *c = dup_exact(img, len);
		int r = blkid_probe_fs(c, len, &fs);

		free(c);
		if (len < 2 * SB)
			assert_int_equal(r, -ENOENT);
		else
			assert_int_equal(r, 0);
	}
	assert_int_equal(blkid_probe_fs(NULL, 0, &fs), -ENOENT);
}

/* Flipping any covered byte breaks the checksum, or the magic. */
static void test_ext_every_byte_checked(void **state)
{
	uint8_t img[EXT_IMAGE];
	struct blkid_fs fs;

	(void)state;
	ext_build(img, &ext4_default);
	for (size_t i = SB; i < 2 * SB; i++) {
		img[i] ^= 0x10;
		assert_int_not_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
		img[i] ^= 0x10;
	}
	/* Bytes outside the superblock do not matter. */
	for (size_t i = 0; i < SB; i += 97)
		img[i] ^= 0xff;
	for (size_t i = 2 * SB; i < EXT_IMAGE; i += 97)
		img[i] ^= 0xff;
	assert_int_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
}

static void test_ext_label_bytes(void **state)
{
	uint8_t img[EXT_IMAGE];
	struct blkid_fs fs;
	struct ext_spec s = ext4_default;

	(void)state;
	/* A label is bytes; UTF-8 passes through. */
	s.label = "st\xc3\xb8re";
	ext_build(img, &s);
	assert_int_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
	assert_string_equal(fs.label, "st\xc3\xb8re");
	/* Bytes after a NUL inside the 16 are ignored (no csum to redo). */
	s.ro_compat = 0x7b;
	s.label = NULL;
	ext_build(img, &s);
	memcpy(img + SB + 0x78, "ab\0cd", 5);
	assert_int_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
	assert_string_equal(fs.label, "ab");
}

/* --- erofs superblocks ---------------------------------------------------- */

#define EROFS_BLOCK 4096

static const uint8_t erofs_uuid[16] = {
	0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33,
	0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

struct erofs_spec {
	uint32_t compat, incompat;
	uint8_t blkszbits;
	const char *label;		/* volume_name, up to 16 bytes */
	bool zero_uuid;
	bool bad_csum;
	uint16_t extra_devices;
};

/* What mkfs.erofs 1.5 makes without compression: sb_chksum | mtime. */
static const struct erofs_spec erofs_default = {
	.compat = 0x3, .blkszbits = 12, .label = "store",
};

/*
 * The superblock as the kernel's struct erofs_super_block lays it out;
 * the checksum as its erofs_superblock_csum_verify() computes it:
 * crc32c(~0, bytes 1024..4095 with the field zero), no final inversion.
 */
static void erofs_build(uint8_t img[EROFS_BLOCK], const struct erofs_spec *s)
{
	uint8_t *sb = img + SB;

	memset(img, 0, EROFS_BLOCK);
	le32_store(sb + 0x00, 0xe0f5e1e2u);
	le32_store(sb + 0x08, s->compat);
	sb[0x0c] = s->blkszbits;
	le16_store(sb + 0x0e, 36);		/* root_nid */
	le64_store(sb + 0x10, 3);		/* inos */
	le32_store(sb + 0x24, 1);		/* blocks */
	if (!s->zero_uuid)
		memcpy(sb + 0x30, erofs_uuid, 16);
	if (s->label)
		memcpy(sb + 0x40, s->label, strnlen(s->label, 16));
	le32_store(sb + 0x50, s->incompat);
	le16_store(sb + 0x56, s->extra_devices);
	if (s->compat & 0x1)
		le32_store(sb + 0x04, crc32c_raw(~0u, sb, EROFS_BLOCK - SB) ^
			   (s->bad_csum ? 1 : 0));
}

struct erofs_case {
	const char *what;
	struct erofs_spec spec;
	int want;			/* blkid_probe_fs() */
	const char *label, *uuid;
	/* blkid_store_check(): NULL allowed, else a part of its why */
	const char *refused;
};

#define EROFS_UUID_TEXT "11111111-2222-3333-4444-555555555555"

static const struct erofs_case erofs_cases[] = {
	{ "mkfs.erofs 1.5 default", { 0x3, 0, 12, "store", 0, 0, 0 },
	  0, "store", EROFS_UUID_TEXT, NULL },
	{ "no checksum", { 0x2, 0, 12, "store", 0, 0, 0 },
	  0, "store", EROFS_UUID_TEXT, NULL },
	{ "no features at all", { 0x0, 0, 12, NULL, 0, 0, 0 },
	  0, "", EROFS_UUID_TEXT, NULL },
	{ "16-byte volume name", { 0x3, 0, 12, "0123456789abcdef", 0, 0, 0 },
	  0, "0123456789abcdef", EROFS_UUID_TEXT, NULL },
	{ "trailing blanks trimmed", { 0x3, 0, 12, "ab  ", 0, 0, 0 },
	  0, "ab", EROFS_UUID_TEXT, NULL },
	{ "zero UUID", { 0x3, 0, 12, "z", 1, 0, 0 }, 0, "z", "", NULL },
	{ "bad checksum", { 0x3, 0, 12, "store", 0, 1, 0 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL },
	{ "bad checksum, not claimed", { 0x2, 0, 12, "store", 0, 1, 0 },
	  0, "store", EROFS_UUID_TEXT, NULL },
	{ "512-byte blocks", { 0x3, 0, 9, "s", 0, 0, 0 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL },
	{ "64 KiB blocks", { 0x3, 0, 16, "s", 0, 0, 0 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL },
	{ "blkszbits 255", { 0x3, 0, 255, "s", 0, 0, 0 },
	  -OCIBOOT_EMALFORMED, NULL, NULL, NULL },
	{ "lz4_0padding", { 0x3, 0x1, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x1 (lz4_0padding: "
	  "compression)" },
	{ "compr_cfgs", { 0x3, 0x3, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x1 (lz4_0padding" },
	{ "big_pcluster", { 0x3, 0x2, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x2 (compr_cfgs/" },
	{ "chunked_file", { 0x3, 0x4, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x4 (chunked_file)" },
	{ "device_table", { 0x3, 0x8, 12, "s", 0, 0, 1 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x8 (device_table" },
	{ "ztailpacking", { 0x3, 0x10, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x10 (ztailpacking" },
	{ "fragments", { 0x3, 0x20, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x20 (fragments" },
	{ "xattr_prefixes", { 0x3, 0x40, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs incompat feature 0x40 (xattr_prefixes)" },
	{ "a future incompat bit", { 0x3, 0x10000, 12, "s", 0, 0, 0 }, 0,
	  "s", EROFS_UUID_TEXT, "erofs incompat feature 0x10000 (unknown)" },
	{ "xattr_filter", { 0x7, 0, 12, "s", 0, 0, 0 }, 0, "s",
	  EROFS_UUID_TEXT, "erofs compat feature 0x4 (xattr_filter)" },
	{ "extra devices without the feature", { 0x3, 0, 12, "s", 0, 0, 2 },
	  0, "s", EROFS_UUID_TEXT, "names 2 extra devices" },
};

static void check_erofs_case(const struct erofs_case *c)
{
	uint8_t img[EROFS_BLOCK];
	struct blkid_fs fs;
	struct error err;
	int r;

	erofs_build(img, &c->spec);
	memset(&fs, 0x5a, sizeof(fs));
	r = blkid_probe_fs(img, sizeof(img), &fs);
	if (r != c->want)
		fail_msg("%s: got %d, want %d", c->what, r, c->want);
	if (r < 0) {
		assert_int_equal(((uint8_t *)&fs)[0], 0x5a);
		return;
	}
	assert_string_equal(fs.type, "erofs");
	assert_string_equal(fs.label, c->label);
	assert_string_equal(fs.uuid, c->uuid);
	assert_int_equal(fs.block_size, 4096);
	error_clear(&err);
	r = blkid_store_check(&fs, &err);
	if (!c->refused) {
		if (r != 0)
			fail_msg("%s: refused: %s", c->what, err.why);
		return;
	}
	if (r != -EOPNOTSUPP || !strstr(err.why, c->refused))
		fail_msg("%s: got %d \"%s\", want \"%s\"", c->what, r,
			 err.why, c->refused);
}

static void test_erofs_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(erofs_cases); i++)
		check_erofs_case(&erofs_cases[i]);
}

/*
 * Cut at every length: nothing before the superblock's end; with the
 * checksum on, nothing short of the whole checksummed block (a broken
 * superblock, as the kernel could not check it either).
 */
static void test_erofs_truncated(void **state)
{
	uint8_t img[EROFS_BLOCK];
	struct erofs_spec nocsum = erofs_default;
	struct blkid_fs fs;

	(void)state;
	erofs_build(img, &erofs_default);
	for (size_t len = 0; len <= EROFS_BLOCK; len++) {
		uint8_t *c = dup_exact(img, len);
		int r = blkid_probe_fs(c, len, &fs);

		free(c);
		if (len < SB + 128)
			assert_int_equal(r, -ENOENT);
		else if (len < EROFS_BLOCK)
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
		else
			assert_int_equal(r, 0);
	}
	nocsum.compat = 0x2;
	erofs_build(img, &nocsum);
	for (size_t len = SB + 128; len <= EROFS_BLOCK; len += 61) {
		uint8_t *c = dup_exact(img, len);

		assert_int_equal(blkid_probe_fs(c, len, &fs), 0);
		free(c);
	}
}

/* The checksum covers the rest of the first block, as the kernel's. */
static void test_erofs_every_byte_checked(void **state)
{
	uint8_t img[EROFS_BLOCK];
	struct blkid_fs fs;

	(void)state;
	erofs_build(img, &erofs_default);
	for (size_t i = SB; i < EROFS_BLOCK; i++) {
		img[i] ^= 0x04;
		assert_int_not_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
		img[i] ^= 0x04;
	}
	/* The boot sector before it is not covered. */
	for (size_t i = 0; i < SB; i += 7)
		img[i] ^= 0xff;
	assert_int_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
}

/* An ext superblock and an erofs one at 1024 cannot both be there. */
static void test_erofs_not_ext(void **state)
{
	uint8_t img[EROFS_BLOCK];
	struct blkid_fs fs;
	struct error err;

	(void)state;
	ext_build(img, &ext4_default);
	assert_int_equal(blkid_probe_fs(img, sizeof(img), &fs), 0);
	assert_string_equal(fs.type, "ext4");
	assert_int_equal(fs.extra_devices, 0);
	assert_int_equal(blkid_store_check(&fs, &err), 0);
	/* The ext checks still apply through the one entry point. */
	fs.feature_incompat |= 0x10000;
	assert_int_equal(blkid_store_check(&fs, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.why, "ext4 incompat feature 0x10000 "
			       "(encrypt)"));
	fs.feature_incompat &= ~0x10000u;
	fs.has_mount_opts = true;
	assert_int_equal(blkid_store_check(&fs, &err), -EOPNOTSUPP);
}

/* --- UUID text ----------------------------------------------------------- */

static void test_uuid_format(void **state)
{
	static const uint8_t b[16] = {
		0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
		0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
	};
	char out[BLKID_UUID_STR_LEN + 1];

	(void)state;
	blkid_uuid_format(b, out);
	assert_string_equal(out, "28732ac1-1ff8-d211-ba4b-00a0c93ec93b");
	/* The EFI System Partition type GUID, as GPT stores it. */
	blkid_guid_format(b, out);
	assert_string_equal(out, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
}

/* --- GPT disks ------------------------------------------------------------ */

#define DISK_SECTORS 200

struct gpt_part {
	uint8_t type[16];
	uint8_t guid[16];
	uint64_t first, last;
	uint64_t attrs;
	uint16_t name[36];		/* UTF-16, 0-terminated if short */
};

struct gpt_spec {
	uint32_t ss;			/* sector size */
	uint32_t count, entry_size;	/* 0: 128 and 128 */
	uint64_t entries_lba;		/* 0: 2 */
	uint64_t first_usable, last_usable;	/* 0: derived */
	uint32_t header_size;		/* 0: 92 */
	bool backup;			/* the backup header instead */
};

static const uint8_t linux_type[16] = {
	0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
	0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4,
};

static void name_ascii(uint16_t name[36], const char *s)
{
	memset(name, 0, 36 * sizeof(name[0]));
	for (size_t i = 0; s[i] && i < 36; i++)
		name[i] = (uint8_t)s[i];
}

static void part_make(struct gpt_part *p, uint8_t tag, uint64_t first,
		      uint64_t last, const char *name)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->type, linux_type, 16);
	for (int i = 0; i < 16; i++)
		p->guid[i] = (uint8_t)(tag * 16 + i);
	p->first = first;
	p->last = last;
	name_ascii(p->name, name);
}

struct disk {
	uint8_t *img;
	size_t size;
	uint32_t ss;
	uint64_t sectors;
	uint64_t header_lba;
	uint8_t *header;
	uint8_t *array;
	size_t array_size;
};

static void header_crc(struct disk *d)
{
	uint32_t hs = (uint32_t)(d->header[12] | d->header[13] << 8);

	le32_store(d->header + 16, 0);
	le32_store(d->header + 16, (uint32_t)crc32(0, d->header, hs));
}

static void array_crc(struct disk *d)
{
	le32_store(d->header + 88, (uint32_t)crc32(0, d->array, d->array_size));
	header_crc(d);
}

static void disk_build(struct disk *d, const struct gpt_spec *s,
		       const struct gpt_part *parts, size_t nparts)
{
	uint32_t ss = s->ss ? s->ss : 512;
	uint32_t count = s->count ? s->count : 128;
	uint32_t esize = s->entry_size ? s->entry_size : 128;
	uint64_t elba = s->entries_lba ? s->entries_lba : 2;
	uint64_t array_sectors = ((uint64_t)count * esize + ss - 1) / ss;
	uint8_t *mbr, *h;

	d->ss = ss;
	d->sectors = DISK_SECTORS;
	d->size = (size_t)ss * DISK_SECTORS;
	d->img = calloc(1, d->size);
	assert_non_null(d->img);
	d->header_lba = s->backup ? DISK_SECTORS - 1 : 1;
	d->array_size = (size_t)count * esize;
	if (s->backup && !s->entries_lba)
		elba = DISK_SECTORS - 1 - array_sectors;
	/* The array may fall outside the disk in bad cases: keep it apart. */
	d->array = calloc(1, d->array_size ? d->array_size : 1);
	assert_non_null(d->array);

	mbr = d->img;
	mbr[0x1be + 4] = 0xee;
	le32_store(mbr + 0x1be + 8, 1);
	le32_store(mbr + 0x1be + 12, DISK_SECTORS - 1);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;

	h = d->header = d->img + d->header_lba * ss;
	memcpy(h, "EFI PART", 8);
	le32_store(h + 8, 0x00010000);
	le32_store(h + 12, s->header_size ? s->header_size : 92);
	le64_store(h + 24, d->header_lba);
	le64_store(h + 32, s->backup ? 1 : DISK_SECTORS - 1);
	le64_store(h + 40, s->first_usable ? s->first_usable : 2 + array_sectors);
	le64_store(h + 48, s->last_usable ? s->last_usable
				     : DISK_SECTORS - 2 - array_sectors);
	for (int i = 0; i < 16; i++)
		h[56 + i] = (uint8_t)(0xd0 + i);
	le64_store(h + 72, elba);
	le32_store(h + 80, count);
	le32_store(h + 84, esize);
	for (size_t i = 0; i < nparts && i < count; i++) {
		uint8_t *e = d->array + i * esize;

		memcpy(e, parts[i].type, 16);
		memcpy(e + 16, parts[i].guid, 16);
		le64_store(e + 32, parts[i].first);
		le64_store(e + 40, parts[i].last);
		le64_store(e + 48, parts[i].attrs);
		for (int k = 0; k < 36; k++)
			le16_store(e + 56 + 2 * k, parts[i].name[k]);
	}
	array_crc(d);
	if (elba * ss + d->array_size <= d->size)
		memcpy(d->img + elba * ss, d->array, d->array_size);
}

static void disk_free(struct disk *d)
{
	free(d->img);
	free(d->array);
}

#define ENTRIES_SEEN_MAX 8

struct seen {
	unsigned int n;
	struct blkid_gpt_entry e[ENTRIES_SEEN_MAX];
	int stop_at;			/* return 7 at this entry number */
};

static int collect(void *ctx, const struct blkid_gpt_entry *e)
{
	struct seen *s = ctx;

	if (s->n < ENTRIES_SEEN_MAX)
		s->e[s->n] = *e;
	s->n++;
	return (int)e->number == s->stop_at ? 7 : 0;
}

/* Parse the disk as the store does: pmbr, header, then the array. */
static int disk_parse(const struct disk *d, struct blkid_gpt_header *h,
		      struct seen *s)
{
	int r = blkid_gpt_pmbr_check(d->img, d->ss);

	if (r < 0)
		return r;
	r = blkid_gpt_header_parse(d->header, d->ss, d->ss, d->header_lba,
				   d->sectors, h);
	if (r < 0)
		return r;
	return blkid_gpt_entries_parse(h, d->array, d->array_size, collect, s);
}

static void test_gpt_valid(void **state)
{
	struct gpt_part p[3];
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct seen s = { 0 };
	struct disk d;
	char text[BLKID_UUID_STR_LEN + 1];

	(void)state;
	part_make(&p[0], 1, 34, 99, "storeA");
	memset(&p[1], 0, sizeof(p[1]));		/* unused slot */
	part_make(&p[2], 3, 100, 165, "other");
	p[2].attrs = 1ull << 60;
	disk_build(&d, &spec, p, 3);
	assert_int_equal(disk_parse(&d, &h, &s), 0);
	assert_int_equal(h.my_lba, 1);
	assert_int_equal(h.entry_count, 128);
	assert_int_equal(h.array_size, 128 * 128);
	assert_int_equal(h.first_usable_lba, 34);
	assert_int_equal(h.last_usable_lba, 166);
	blkid_guid_format(h.disk_guid, text);
	assert_string_equal(text, "d3d2d1d0-d5d4-d7d6-d8d9-dadbdcdddedf");

	assert_int_equal(s.n, 2);
	assert_int_equal(s.e[0].number, 1);
	assert_string_equal(s.e[0].name, "storeA");
	assert_string_equal(s.e[0].uuid,
			    "13121110-1514-1716-1819-1a1b1c1d1e1f");
	assert_int_equal(s.e[0].first_lba, 34);
	assert_int_equal(s.e[0].last_lba, 99);
	assert_memory_equal(s.e[0].type_guid, linux_type, 16);
	assert_int_equal(s.e[1].number, 3);
	assert_string_equal(s.e[1].name, "other");
	assert_string_equal(s.e[1].uuid,
			    "33323130-3534-3736-3839-3a3b3c3d3e3f");
	assert_int_equal(s.e[1].attributes, 1ull << 60);
	disk_free(&d);
}

static void test_gpt_sector_4096(void **state)
{
	struct gpt_part p;
	struct gpt_spec spec = { .ss = 4096 };
	struct blkid_gpt_header h;
	struct seen s = { 0 };
	struct disk d;

	(void)state;
	part_make(&p, 1, 6, 150, "big");
	disk_build(&d, &spec, &p, 1);
	assert_int_equal(disk_parse(&d, &h, &s), 0);
	assert_int_equal(h.sector_size, 4096);
	assert_int_equal(h.first_usable_lba, 6);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.e[0].name, "big");
	/* The same disk read as 512-byte sectors has no header at LBA 1. */
	assert_int_equal(blkid_gpt_header_parse(d.img + 512, 512, 512, 1,
						DISK_SECTORS * 8, &h),
			 -ENOENT);
	disk_free(&d);
}

static void test_gpt_backup(void **state)
{
	struct gpt_part p;
	struct gpt_spec spec = { .backup = true };
	struct blkid_gpt_header h;
	struct seen s = { 0 };
	struct disk d;

	(void)state;
	part_make(&p, 1, 34, 100, "b");
	disk_build(&d, &spec, &p, 1);
	assert_int_equal(disk_parse(&d, &h, &s), 0);
	assert_int_equal(h.my_lba, DISK_SECTORS - 1);
	assert_int_equal(h.entries_lba, DISK_SECTORS - 33);
	assert_int_equal(s.n, 1);
	/* Taken as the primary it is at the wrong place. */
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1,
						DISK_SECTORS, &h),
			 -OCIBOOT_EMALFORMED);
	disk_free(&d);
}

/* A header field changed after the CRC: the CRC catches it. */
static void test_gpt_header_crc(void **state)
{
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct disk d;

	(void)state;
	disk_build(&d, &spec, NULL, 0);
	for (size_t i = 8; i < 92; i++) {
		if (i >= 16 && i < 20)
			continue;	/* the CRC itself: below */
		d.header[i] ^= 1;
		assert_int_not_equal(blkid_gpt_header_parse(d.header, 512, 512,
							    1, DISK_SECTORS,
							    &h), 0);
		d.header[i] ^= 1;
	}
	d.header[17] ^= 0x80;
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1,
						DISK_SECTORS, &h),
			 -OCIBOOT_EMALFORMED);
	d.header[17] ^= 0x80;
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1,
						DISK_SECTORS, &h), 0);
	disk_free(&d);
}

/* Header fields set to bad values with the CRC made right again. */
struct header_case {
	const char *what;
	size_t off;
	int width;			/* 4 or 8 */
	uint64_t value;
	int want;
};

static const struct header_case header_cases[] = {
	{ "header size 91", 12, 4, 91, -OCIBOOT_EMALFORMED },
	{ "header size over the sector", 12, 4, 513, -OCIBOOT_EMALFORMED },
	{ "header size = sector", 12, 4, 512, 0 },
	{ "my_lba 2", 24, 8, 2, -OCIBOOT_EMALFORMED },
	{ "first usable > last usable", 40, 8, 180, -OCIBOOT_EMALFORMED },
	{ "last usable past the disk", 48, 8, DISK_SECTORS,
	  -OCIBOOT_EMALFORMED },
	{ "usable area over the header", 40, 8, 1, -OCIBOOT_EMALFORMED },
	{ "entries over the header", 72, 8, 1, -OCIBOOT_EMALFORMED },
	{ "entries over the MBR", 72, 8, 0, -OCIBOOT_EMALFORMED },
	{ "entries in the usable area", 72, 8, 40, -OCIBOOT_EMALFORMED },
	{ "entries past the disk", 72, 8, DISK_SECTORS, -OCIBOOT_EMALFORMED },
	{ "entries huge lba", 72, 8, UINT64_MAX, -OCIBOOT_EMALFORMED },
	{ "entry size 0", 84, 4, 0, -OCIBOOT_EMALFORMED },
	{ "entry size 127", 84, 4, 127, -OCIBOOT_EMALFORMED },
	{ "entry size 384", 84, 4, 384, -OCIBOOT_EMALFORMED },
	{ "entry size 2048", 84, 4, 2048, -OCIBOOT_ETOOBIG },
	{ "entry size 2^31", 84, 4, 1u << 31, -OCIBOOT_ETOOBIG },
	{ "entry count 1025", 80, 4, 1025, -OCIBOOT_ETOOBIG },
	{ "entry count 2^32-1", 80, 4, UINT32_MAX, -OCIBOOT_ETOOBIG },
	{ "entry count 0", 80, 4, 0, 0 },
	{ "entry count 4", 80, 4, 4, 0 },
	{ "entry size 256 (array grows into usable)", 84, 4, 256,
	  -OCIBOOT_EMALFORMED },
};

static void test_gpt_header_table(void **state)
{
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct disk d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(header_cases); i++) {
		const struct header_case *c = &header_cases[i];
		int r;

		disk_build(&d, &spec, NULL, 0);
		if (c->width == 4)
			le32_store(d.header + c->off, (uint32_t)c->value);
		else
			le64_store(d.header + c->off, c->value);
		header_crc(&d);
		memset(&h, 0x5a, sizeof(h));
		r = blkid_gpt_header_parse(d.header, 512, 512, 1,
					   DISK_SECTORS, &h);
		if (r != c->want)
			fail_msg("%s: got %d, want %d", c->what, r, c->want);
		if (r < 0)
			assert_int_equal(h.sector_size, 0x5a5a5a5a);
		disk_free(&d);
	}
}

/* The array cap: 1024 entries of 1024 bytes is 1 MiB. */
static void test_gpt_array_cap(void **state)
{
	uint8_t hdr[512] = { 0 };
	struct blkid_gpt_header h;

	(void)state;
	memcpy(hdr, "EFI PART", 8);
	le32_store(hdr + 12, 92);
	le64_store(hdr + 24, 1);
	le64_store(hdr + 40, 4096);
	le64_store(hdr + 48, 100000);
	le64_store(hdr + 72, 2);
	le32_store(hdr + 80, 1024);
	le32_store(hdr + 84, 1024);
	le32_store(hdr + 16, (uint32_t)crc32(0, hdr, 92));
	assert_int_equal(blkid_gpt_header_parse(hdr, 512, 512, 1, 200000, &h),
			 -OCIBOOT_ETOOBIG);
	/* 1024 entries of 128 bytes is at the cap and fine. */
	le32_store(hdr + 84, 128);
	le32_store(hdr + 16, 0);
	le32_store(hdr + 16, (uint32_t)crc32(0, hdr, 92));
	assert_int_equal(blkid_gpt_header_parse(hdr, 512, 512, 1, 200000, &h),
			 0);
	assert_int_equal(h.array_size, BLKID_GPT_ARRAY_MAX);
}

static void test_gpt_bad_arguments(void **state)
{
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct disk d;

	(void)state;
	disk_build(&d, &spec, NULL, 0);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 1000, 1,
						DISK_SECTORS, &h), -EINVAL);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 256, 1,
						DISK_SECTORS, &h), -EINVAL);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 8192, 1,
						DISK_SECTORS, &h), -EINVAL);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 0,
						DISK_SECTORS, &h), -EINVAL);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1, 1, &h),
			 -EINVAL);
	assert_int_equal(blkid_gpt_header_parse(NULL, 0, 512, 1,
						DISK_SECTORS, &h), -ENOENT);
	memcpy(d.header, "EFI PARu", 8);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1,
						DISK_SECTORS, &h), -ENOENT);
	disk_free(&d);
}

static void test_gpt_header_truncated(void **state)
{
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct disk d;

	(void)state;
	disk_build(&d, &spec, NULL, 0);
	for (size_t len = 0; len <= 512; len++) {
		uint8_t *c = dup_exact(d.header, len);
		int r = blkid_gpt_header_parse(c, len, 512, 1, DISK_SECTORS,
					       &h);

		free(c);
		if (len < 8)
			assert_int_equal(r, -ENOENT);
		else if (len < 92)
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
		else
			assert_int_equal(r, 0);
	}
	disk_free(&d);
}

static void test_gpt_entries_truncated(void **state)
{
	struct gpt_part p;
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct disk d;

	(void)state;
	part_make(&p, 1, 34, 99, "a");
	disk_build(&d, &spec, &p, 1);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1,
						DISK_SECTORS, &h), 0);
	for (size_t len = 0; len <= d.array_size; len++) {
		uint8_t *c = dup_exact(d.array, len);
		struct seen s = { 0 };
		int r = blkid_gpt_entries_parse(&h, c, len, collect, &s);

		free(c);
		if (len < d.array_size) {
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
			assert_int_equal(s.n, 0);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(s.n, 1);
		}
	}
	disk_free(&d);
}

static void test_gpt_entries_crc(void **state)
{
	struct gpt_part p;
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct disk d;

	(void)state;
	part_make(&p, 1, 34, 99, "a");
	disk_build(&d, &spec, &p, 1);
	assert_int_equal(blkid_gpt_header_parse(d.header, 512, 512, 1,
						DISK_SECTORS, &h), 0);
	/* Any byte of the array, used entry or not. */
	for (size_t i = 0; i < d.array_size; i += 61) {
		struct seen s = { 0 };

		d.array[i] ^= 4;
		assert_int_equal(blkid_gpt_entries_parse(&h, d.array,
							 d.array_size,
							 collect, &s),
				 -OCIBOOT_EMALFORMED);
		assert_int_equal(s.n, 0);
		d.array[i] ^= 4;
	}
	disk_free(&d);
}

/* Entries that are unused or impossible are skipped, the rest kept. */
static void test_gpt_entries_skipped(void **state)
{
	struct gpt_part p[5];
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct seen s = { 0 };
	struct disk d;

	(void)state;
	part_make(&p[0], 1, 50, 40, "reversed");
	part_make(&p[1], 2, 10, 60, "before usable");
	part_make(&p[2], 3, 150, 170, "after usable");
	part_make(&p[3], 4, 34, 165, "whole usable");
	part_make(&p[4], 5, 40, 40, "one sector");
	memset(p[4].type, 0, 16);		/* unused despite the rest */
	disk_build(&d, &spec, p, 5);
	assert_int_equal(disk_parse(&d, &h, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.e[0].number, 4);
	assert_string_equal(s.e[0].name, "whole usable");
	disk_free(&d);
}

static void test_gpt_callback_stops(void **state)
{
	struct gpt_part p[3];
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct seen s = { .stop_at = 2 };
	struct disk d;

	(void)state;
	part_make(&p[0], 1, 34, 50, "a");
	part_make(&p[1], 2, 51, 60, "b");
	part_make(&p[2], 3, 61, 70, "c");
	disk_build(&d, &spec, p, 3);
	assert_int_equal(disk_parse(&d, &h, &s), 7);
	assert_int_equal(s.n, 2);
	disk_free(&d);
}

/* A small table of 4 entries of 512 bytes each. */
static void test_gpt_large_entries(void **state)
{
	struct gpt_part p[2];
	struct gpt_spec spec = { .count = 4, .entry_size = 512 };
	struct blkid_gpt_header h;
	struct seen s = { 0 };
	struct disk d;

	(void)state;
	part_make(&p[0], 1, 10, 20, "x");
	part_make(&p[1], 2, 21, 30, "y");
	disk_build(&d, &spec, p, 2);
	assert_int_equal(disk_parse(&d, &h, &s), 0);
	assert_int_equal(h.first_usable_lba, 6);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.e[1].number, 2);
	assert_string_equal(s.e[1].name, "y");
	disk_free(&d);
}

struct name_case {
	uint16_t units[37];		/* 0-terminated, or 36 full */
	const char *utf8;
};

static const struct name_case name_cases[] = {
	{ { 's', 't', 'o', 'r', 'e', 0 }, "store" },
	{ { 's', 0xf8, 'r', 0 }, "s\xc3\xb8r" },			/* ø */
	{ { 0x20ac, 0 }, "\xe2\x82\xac" },			/* € */
	{ { 0xd83d, 0xde00, 0 }, "\xf0\x9f\x98\x80" },		/* pair */
	{ { 'a', 0xd83d, 'b', 0 }, "a\xef\xbf\xbd" "b" },	/* lone high */
	{ { 0xde00, 0 }, "\xef\xbf\xbd" },			/* lone low */
	{ { 'a', ' ', ' ', 0 }, "a" },			/* trimmed */
	{ { 'a', 0, 'b', 0 }, "a" },			/* NUL ends */
	{ { 0 }, "" },
	{ { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l',
	    'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x',
	    'y', 'z', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' },
	  "abcdefghijklmnopqrstuvwxyz0123456789" },
};

static void test_gpt_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(name_cases); i++) {
		struct gpt_part p;
		struct gpt_spec spec = { 0 };
		struct blkid_gpt_header h;
		struct seen s = { 0 };
		struct disk d;

		part_make(&p, 1, 34, 99, "");
		memcpy(p.name, name_cases[i].units, sizeof(p.name));
		disk_build(&d, &spec, &p, 1);
		assert_int_equal(disk_parse(&d, &h, &s), 0);
		assert_int_equal(s.n, 1);
		assert_string_equal(s.e[0].name, name_cases[i].utf8);
		disk_free(&d);
	}
}

/* 36 units of U+FFFF: the longest UTF-8 a name can become. */
static void test_gpt_name_longest(void **state)
{
	struct gpt_part p;
	struct gpt_spec spec = { 0 };
	struct blkid_gpt_header h;
	struct seen s = { 0 };
	struct disk d;

	(void)state;
	part_make(&p, 1, 34, 99, "");
	for (int i = 0; i < 36; i++)
		p.name[i] = 0xffff;
	/* A high surrogate last has no partner: U+FFFD, still 3 bytes. */
	p.name[35] = 0xd800;
	disk_build(&d, &spec, &p, 1);
	assert_int_equal(disk_parse(&d, &h, &s), 0);
	assert_int_equal(strlen(s.e[0].name), BLKID_GPT_NAME_MAX);
	disk_free(&d);
}

struct pmbr_case {
	const char *what;
	int slot;
	uint8_t type;
	uint32_t start;
	uint8_t sig0, sig1;
	int want;
};

static const struct pmbr_case pmbr_cases[] = {
	{ "protective", 0, 0xee, 1, 0x55, 0xaa, 0 },
	{ "hybrid: 0xEE in slot 3", 3, 0xee, 1, 0x55, 0xaa, 0 },
	{ "no signature", 0, 0xee, 1, 0x55, 0xab, -ENOENT },
	{ "signature swapped", 0, 0xee, 1, 0xaa, 0x55, -ENOENT },
	{ "0xEE from LBA 2", 0, 0xee, 2, 0x55, 0xaa, -ENOENT },
	{ "Linux type", 0, 0x83, 1, 0x55, 0xaa, -ENOENT },
};

static void test_pmbr(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(pmbr_cases); i++) {
		const struct pmbr_case *c = &pmbr_cases[i];
		uint8_t mbr[512] = { 0 };
		uint8_t *rec = mbr + 0x1be + 16 * c->slot;

		rec[4] = c->type;
		le32_store(rec + 8, c->start);
		mbr[510] = c->sig0;
		mbr[511] = c->sig1;
		if (blkid_gpt_pmbr_check(mbr, sizeof(mbr)) != c->want)
			fail_msg("%s", c->what);
		for (size_t len = 0; len < 512; len++) {
			uint8_t *cp = dup_exact(mbr, len);

			assert_int_equal(blkid_gpt_pmbr_check(cp, len),
					 -ENOENT);
			free(cp);
		}
	}
}

/* --- driver ------------------------------------------------------------- */

static int read_file_at(const char *path, uint64_t off, uint8_t *buf,
			size_t len, size_t *got)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	if (n < 0)
		return -errno;
	*got = (size_t)n;
	return 0;
}

static int drive_fs(const char *path, uint64_t off)
{
	uint8_t buf[BLKID_PROBE_SIZE];
	struct blkid_fs fs;
	struct error err;
	size_t got;
	int r = read_file_at(path, off, buf, sizeof(buf), &got);

	if (r == 0)
		r = blkid_probe_fs(buf, got, &fs);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, ociboot_strerror(r));
		return 1;
	}
	if (fs.label[0])
		printf("LABEL=%s\n", fs.label);
	if (fs.uuid[0])
		printf("UUID=%s\n", fs.uuid);
	printf("BLOCK_SIZE=%" PRIu32 "\nTYPE=%s\n", fs.block_size, fs.type);
	if (blkid_store_check(&fs, &err) == 0)
		printf("STORE=ok\n");
	else
		printf("STORE=refused: %s\n", err.why);
	return 0;
}

static int no_entry(void *ctx, const struct blkid_gpt_entry *e)
{
	(void)ctx;
	(void)e;
	return 0;
}


static int print_entry(void *ctx, const struct blkid_gpt_entry *e)
{
	char type[BLKID_UUID_STR_LEN + 1];

	(void)ctx;
	blkid_guid_format(e->type_guid, type);
	printf("%" PRIu32 " %" PRIu64 " %" PRIu64 " %s %s %s\n", e->number,
	       e->first_lba, e->last_lba - e->first_lba + 1, e->uuid, type,
	       e->name);
	return 0;
}

/* The GPT with its header at lba, printed only if all of it parses. */
static int gpt_at(const char *path, uint32_t ss, uint64_t sectors,
		  uint64_t lba, bool print)
{
	uint8_t header[BLKID_SECTOR_SIZE_MAX];
	char guid[BLKID_UUID_STR_LEN + 1];
	struct blkid_gpt_header h;
	uint8_t *array;
	size_t got;
	int r = read_file_at(path, lba * ss, header, ss, &got);

	if (r == 0)
		r = blkid_gpt_header_parse(header, got, ss, lba, sectors, &h);
	if (r < 0)
		return r;
	array = malloc(h.array_size + 1);
	assert_non_null(array);
	r = read_file_at(path, h.entries_lba * ss, array, h.array_size, &got);
	if (r == 0)
		r = blkid_gpt_entries_parse(&h, array, got, no_entry, NULL);
	if (r == 0 && print) {
		blkid_guid_format(h.disk_guid, guid);
		printf("PTUUID=%s\nPTTYPE=gpt\n", guid);
		r = blkid_gpt_entries_parse(&h, array, got, print_entry, NULL);
	}
	free(array);
	return r;
}

/* As fs/store.c reads a disk: the primary GPT, else the backup. */
static int drive_gpt(const char *path, uint32_t ss)
{
	uint8_t mbr[BLKID_SECTOR_SIZE_MAX];
	uint64_t sectors, lba = 1;
	struct stat st;
	size_t got;
	int r;

	if (stat(path, &st) < 0 || st.st_size < 3 * (off_t)ss ||
	    ss > BLKID_SECTOR_SIZE_MAX) {
		fprintf(stderr, "%s: not a disk image\n", path);
		return 1;
	}
	sectors = (uint64_t)st.st_size / ss;
	r = read_file_at(path, 0, mbr, ss, &got);
	if (r == 0)
		r = blkid_gpt_pmbr_check(mbr, got);
	if (r == 0 && gpt_at(path, ss, sectors, lba, false) < 0)
		lba = sectors - 1;
	if (r == 0)
		r = gpt_at(path, ss, sectors, lba, true);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, ociboot_strerror(r));
		return 1;
	}
	return 0;
}

static int driver(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && streq(argv[1], "fs"))
		return drive_fs(argv[2], argc == 4 ? strtoull(argv[3], NULL, 0)
						   : 0);
	if ((argc == 3 || argc == 4) && streq(argv[1], "gpt"))
		return drive_gpt(argv[2], argc == 4 ? (uint32_t)strtoul(argv[3],
							NULL, 0) : 512);
	fprintf(stderr, "usage: blkid fs FILE [OFFSET] | gpt FILE "
			"[SECTOR_SIZE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_reference),
		cmocka_unit_test(test_ext_table),
		cmocka_unit_test(test_ext_truncated),
		cmocka_unit_test(test_ext_every_byte_checked),
		cmocka_unit_test(test_ext_label_bytes),
		cmocka_unit_test(test_erofs_table),
		cmocka_unit_test(test_erofs_truncated),
		cmocka_unit_test(test_erofs_every_byte_checked),
		cmocka_unit_test(test_erofs_not_ext),
		cmocka_unit_test(test_uuid_format),
		cmocka_unit_test(test_gpt_valid),
		cmocka_unit_test(test_gpt_sector_4096),
		cmocka_unit_test(test_gpt_backup),
		cmocka_unit_test(test_gpt_header_crc),
		cmocka_unit_test(test_gpt_header_table),
		cmocka_unit_test(test_gpt_array_cap),
		cmocka_unit_test(test_gpt_bad_arguments),
		cmocka_unit_test(test_gpt_header_truncated),
		cmocka_unit_test(test_gpt_entries_truncated),
		cmocka_unit_test(test_gpt_entries_crc),
		cmocka_unit_test(test_gpt_entries_skipped),
		cmocka_unit_test(test_gpt_callback_stops),
		cmocka_unit_test(test_gpt_large_entries),
		cmocka_unit_test(test_gpt_names),
		cmocka_unit_test(test_gpt_name_longest),
		cmocka_unit_test(test_pmbr),
	};

	crc32c_init();
	if (argc > 1)
		return driver(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
