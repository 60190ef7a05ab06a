/* SPDX-License-Identifier: MIT */
/*
 * Filesystem and GPT probing over buffers (see blkid.h).
 */
#include "fs/blkid.h"

#include "lib/endian.h"
#include "lib/hex.h"
#include "lib/util.h"

/* --- CRCs ----------------------------------------------------------------- */

#define CRC32_POLY 0xedb88320u		/* IEEE 802.3, reflected: GPT */
#define CRC32C_POLY 0x82f63b78u		/* Castagnoli, reflected: ext4, erofs */

/* The bare register update of a reflected CRC-32: no pre- or post-inversion. */
static uint32_t crc32_update(uint32_t poly, uint32_t crc, const uint8_t *p,
			     size_t len)
{
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (poly & (0u - (crc & 1)));
	}
	return crc;
}

/* The CRC-32 GPT uses (zlib's crc32()). */
static uint32_t crc32_ieee(const uint8_t *p, size_t len)
{
	return ~crc32_update(CRC32_POLY, ~0u, p, len);
}

/* --- text ----------------------------------------------------------------- */

/* bytes in the order given by order[], with dashes after bytes 4, 6, 8, 10 */
static void format_uuid_order(const uint8_t b[BLKID_GUID_LEN],
			      const uint8_t order[BLKID_GUID_LEN],
			      char out[BLKID_UUID_STR_LEN + 1])
{
	char *o = out;

	for (int i = 0; i < BLKID_GUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		hex_encode(&b[order[i]], 1, o);
		o += 2;
	}
	*o = '\0';
}

void blkid_uuid_format(const uint8_t uuid[BLKID_GUID_LEN],
		       char out[BLKID_UUID_STR_LEN + 1])
{
	static const uint8_t order[BLKID_GUID_LEN] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};

	format_uuid_order(uuid, order, out);
}

void blkid_guid_format(const uint8_t guid[BLKID_GUID_LEN],
		       char out[BLKID_UUID_STR_LEN + 1])
{
	static const uint8_t order[BLKID_GUID_LEN] = {
		3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15,
	};

	format_uuid_order(guid, order, out);
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t any = 0;

	for (size_t i = 0; i < len; i++)
		any |= p[i];
	return any == 0;
}

static bool is_trailing_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Drop trailing whitespace from the NUL-terminated s of length len. */
static void rtrim(char *s, size_t len)
{
	while (len > 0 && is_trailing_space(s[len - 1]))
		s[--len] = '\0';
}

/*
 * A fixed-size byte string (stops at the first NUL) into out[size], which
 * must be larger than len. Bytes are copied as they are; blkid does too.
 */
static void copy_label(const uint8_t *p, size_t len, char *out, size_t size)
{
	size_t n = 0;

	while (n < len && n + 1 < size && p[n] != 0) {
		out[n] = (char)p[n];
		n++;
	}
	out[n] = '\0';
	rtrim(out, n);
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

#define UTF16_REPLACEMENT 0xfffd

static bool is_high_surrogate(uint32_t u)
{
	return u >= 0xd800 && u < 0xdc00;
}

static bool is_low_surrogate(uint32_t u)
{
	return u >= 0xdc00 && u < 0xe000;
}

/*
 * The GPT name (BLKID_GPT_NAME_UNITS UTF-16LE units at p, ending at the
 * first NUL) as UTF-8 into out[BLKID_GPT_NAME_MAX + 1]. Surrogate pairs
 * become one 4-byte character; a lone surrogate becomes U+FFFD. Each unit
 * gives at most 3 bytes, so out cannot overflow.
 */
static void gpt_name_to_utf8(const uint8_t *p, char out[BLKID_GPT_NAME_MAX + 1])
{
	size_t n = 0;

	for (size_t i = 0; i < BLKID_GPT_NAME_UNITS; i++) {
		uint32_t u = le16_load(p + 2 * i), low;

		if (u == 0)
			break;
		if (is_high_surrogate(u) && i + 1 < BLKID_GPT_NAME_UNITS &&
		    is_low_surrogate(low = le16_load(p + 2 * (i + 1)))) {
			u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
			i++;
		} else if (is_high_surrogate(u) || is_low_surrogate(u)) {
			u = UTF16_REPLACEMENT;
		}
		n += put_utf8(out + n, u);
	}
	out[n] = '\0';
	rtrim(out, n);
}

/* --- ext2/3/4 ------------------------------------------------------------- */

#define EXT_SB_OFFSET 1024
#define EXT_SB_SIZE 1024
#define EXT_MAGIC 0xef53

/* Superblock field offsets (the kernel's struct ext4_super_block). */
#define EXT_LOG_BLOCK_SIZE 0x18
#define EXT_MAGIC_OFF 0x38
#define EXT_FEATURE_COMPAT 0x5c
#define EXT_FEATURE_INCOMPAT 0x60
#define EXT_FEATURE_RO_COMPAT 0x64
#define EXT_UUID 0x68
#define EXT_VOLUME_NAME 0x78
#define EXT_VOLUME_NAME_LEN 16
#define EXT_ERRORS 0x3c
#define EXT_MOUNT_OPTS 0x200
#define EXT_MOUNT_OPTS_LEN 64
#define EXT_CHECKSUM_TYPE 0x175
#define EXT_CHECKSUM 0x3fc

#define EXT_COMPAT_HAS_JOURNAL 0x0004u
#define EXT_INCOMPAT_FILETYPE 0x0002u
#define EXT_INCOMPAT_RECOVER 0x0004u
#define EXT_INCOMPAT_JOURNAL_DEV 0x0008u
#define EXT_INCOMPAT_META_BG 0x0010u
#define EXT_RO_COMPAT_SPARSE_SUPER 0x0001u
#define EXT_RO_COMPAT_LARGE_FILE 0x0002u
#define EXT_RO_COMPAT_BTREE_DIR 0x0004u
#define EXT_RO_COMPAT_METADATA_CSUM 0x0400u
#define EXT_CHECKSUM_CRC32C 1

/* What each generation understands; anything more makes the next one. */
#define EXT2_INCOMPAT (EXT_INCOMPAT_FILETYPE | EXT_INCOMPAT_META_BG)
#define EXT3_INCOMPAT (EXT2_INCOMPAT | EXT_INCOMPAT_RECOVER)
#define EXT23_RO_COMPAT (EXT_RO_COMPAT_SPARSE_SUPER | \
			 EXT_RO_COMPAT_LARGE_FILE | EXT_RO_COMPAT_BTREE_DIR)

/* Block sizes from 1 KiB (0) to 64 KiB (6), as the kernel accepts. */
#define EXT_LOG_BLOCK_SIZE_MAX 6

_Static_assert(EXT_CHECKSUM + 4 == EXT_SB_SIZE, "s_checksum ends the block");
_Static_assert(EXT_SB_OFFSET + EXT_SB_SIZE <= BLKID_PROBE_SIZE,
	       "the ext superblock fits in the probe window");

static const char *ext_type(uint32_t compat, uint32_t incompat,
			    uint32_t ro_compat)
{
	bool journal = compat & EXT_COMPAT_HAS_JOURNAL;

	if (ro_compat & ~EXT23_RO_COMPAT)
		return "ext4";
	if (journal)
		return incompat & ~EXT3_INCOMPAT ? "ext4" : "ext3";
	return incompat & ~EXT2_INCOMPAT ? "ext4" : "ext2";
}

/* s_checksum is the CRC32C register after the bytes before it, from ~0. */
static bool ext_checksum_ok(const uint8_t *sb)
{
	uint32_t crc = crc32_update(CRC32C_POLY, ~0u, sb, EXT_CHECKSUM);

	return sb[EXT_CHECKSUM_TYPE] == EXT_CHECKSUM_CRC32C &&
	       crc == le32_load(sb + EXT_CHECKSUM);
}

static int probe_ext(const uint8_t *buf, size_t len, struct blkid_fs *fs)
{
	const uint8_t *sb = buf + EXT_SB_OFFSET;
	uint32_t compat, incompat, ro_compat, log_block;

	if (len < EXT_SB_OFFSET + EXT_SB_SIZE)
		return -ENOENT;
	if (le16_load(sb + EXT_MAGIC_OFF) != EXT_MAGIC)
		return -ENOENT;
	compat = le32_load(sb + EXT_FEATURE_COMPAT);
	incompat = le32_load(sb + EXT_FEATURE_INCOMPAT);
	ro_compat = le32_load(sb + EXT_FEATURE_RO_COMPAT);
	if (incompat & EXT_INCOMPAT_JOURNAL_DEV)
		return -ENOENT;
	if ((ro_compat & EXT_RO_COMPAT_METADATA_CSUM) && !ext_checksum_ok(sb))
		return -OCIBOOT_EMALFORMED;
	log_block = le32_load(sb + EXT_LOG_BLOCK_SIZE);
	if (log_block > EXT_LOG_BLOCK_SIZE_MAX)
		return -OCIBOOT_EMALFORMED;

	memset(fs, 0, sizeof(*fs));
	fs->type = ext_type(compat, incompat, ro_compat);
	fs->block_size = 1024u << log_block;
	fs->feature_compat = compat;
	fs->feature_incompat = incompat;
	fs->feature_ro_compat = ro_compat;
	fs->errors = le16_load(sb + EXT_ERRORS);
	fs->has_mount_opts = sb[EXT_MOUNT_OPTS] != 0;
	copy_label(sb + EXT_VOLUME_NAME, EXT_VOLUME_NAME_LEN, fs->label,
		   sizeof(fs->label));
	if (all_zero(sb + EXT_UUID, BLKID_GUID_LEN))
		fs->uuid[0] = '\0';
	else
		blkid_uuid_format(sb + EXT_UUID, fs->uuid);
	return 0;
}

/* --- erofs --------------------------------------------------------------- */

/*
 * The superblock: struct erofs_super_block of the kernel's
 * fs/erofs/erofs_fs.h (Linux 6.1) and erofs-utils' include/erofs_fs.h, 128
 * bytes at 1024, all fields little-endian.
 */
#define EROFS_SB_OFFSET 1024
#define EROFS_SB_SIZE 128
#define EROFS_MAGIC 0xe0f5e1e2u
#define EROFS_MAGIC_OFF 0x00
#define EROFS_CHECKSUM 0x04
#define EROFS_FEATURE_COMPAT 0x08
#define EROFS_BLKSZBITS 0x0c
#define EROFS_UUID 0x30
#define EROFS_VOLUME_NAME 0x40
#define EROFS_VOLUME_NAME_LEN 16
#define EROFS_FEATURE_INCOMPAT 0x50
#define EROFS_EXTRA_DEVICES 0x56

#define EROFS_COMPAT_SB_CHKSUM 0x1u
/* The only block size (4 KiB, the page size) Linux 6.1 mounts. */
#define EROFS_BLKSZBITS_SUPPORTED 12
#define EROFS_BLOCK_SIZE (1u << EROFS_BLKSZBITS_SUPPORTED)

_Static_assert(EROFS_EXTRA_DEVICES + 2 <= EROFS_SB_SIZE,
	       "the fields read lie in the superblock");
_Static_assert(EROFS_BLOCK_SIZE <= BLKID_PROBE_SIZE,
	       "the checksummed block fits in the probe window");

/*
 * The kernel's check (fs/erofs/super.c, erofs_superblock_csum_verify()):
 * crc32c(~0, ...) -- the register, no final inversion -- over the block's
 * bytes from the superblock on, with the checksum field read as zero.
 */
static bool erofs_checksum_ok(const uint8_t *buf)
{
	static const uint8_t zero[4];
	const uint8_t *sb = buf + EROFS_SB_OFFSET;
	size_t after = EROFS_BLOCK_SIZE - EROFS_SB_OFFSET - EROFS_CHECKSUM - 4;
	uint32_t crc = ~0u;

	crc = crc32_update(CRC32C_POLY, crc, sb, EROFS_CHECKSUM);
	crc = crc32_update(CRC32C_POLY, crc, zero, sizeof(zero));
	crc = crc32_update(CRC32C_POLY, crc, sb + EROFS_CHECKSUM + 4, after);
	return crc == le32_load(sb + EROFS_CHECKSUM);
}

static int probe_erofs(const uint8_t *buf, size_t len, struct blkid_fs *fs)
{
	const uint8_t *sb = buf + EROFS_SB_OFFSET;
	uint32_t compat;

	if (len < EROFS_SB_OFFSET + EROFS_SB_SIZE)
		return -ENOENT;
	if (le32_load(sb + EROFS_MAGIC_OFF) != EROFS_MAGIC)
		return -ENOENT;
	if (sb[EROFS_BLKSZBITS] != EROFS_BLKSZBITS_SUPPORTED)
		return -OCIBOOT_EMALFORMED;
	compat = le32_load(sb + EROFS_FEATURE_COMPAT);
	if (compat & EROFS_COMPAT_SB_CHKSUM) {
		if (len < EROFS_BLOCK_SIZE)
			return -OCIBOOT_EMALFORMED;
		if (!erofs_checksum_ok(buf))
			return -OCIBOOT_EMALFORMED;
	}

	memset(fs, 0, sizeof(*fs));
	fs->type = "erofs";
	fs->block_size = EROFS_BLOCK_SIZE;
	fs->feature_compat = compat;
	fs->feature_incompat = le32_load(sb + EROFS_FEATURE_INCOMPAT);
	fs->extra_devices = le16_load(sb + EROFS_EXTRA_DEVICES);
	copy_label(sb + EROFS_VOLUME_NAME, EROFS_VOLUME_NAME_LEN, fs->label,
		   sizeof(fs->label));
	if (all_zero(sb + EROFS_UUID, BLKID_GUID_LEN))
		fs->uuid[0] = '\0';
	else
		blkid_uuid_format(sb + EROFS_UUID, fs->uuid);
	return 0;
}

/* --- the prober table ----------------------------------------------------- */

struct fs_prober {
	/* 0 and *fs filled, -ENOENT (not this one), or -OCIBOOT_EMALFORMED
	 * (its magic, but broken). May write *fs even when it fails. */
	int (*probe)(const uint8_t *buf, size_t len, struct blkid_fs *fs);
};

static const struct fs_prober fs_probers[] = {
	{ probe_ext },
	{ probe_erofs },
};

int blkid_probe_fs(const uint8_t *buf, size_t len, struct blkid_fs *out)
{
	struct blkid_fs fs, scratch;
	unsigned found = 0;
	bool broken = false;

	if (!buf)
		return -ENOENT;
	if (len > BLKID_PROBE_SIZE)
		len = BLKID_PROBE_SIZE;
	for (size_t i = 0; i < ARRAY_SIZE(fs_probers); i++) {
		int r = fs_probers[i].probe(buf, len, found ? &scratch : &fs);

		if (r == 0)
			found++;
		else if (r == -OCIBOOT_EMALFORMED)
			broken = true;
	}
	if (found > 1)
		return -ENOTUNIQ;
	if (found == 0)
		return broken ? -OCIBOOT_EMALFORMED : -ENOENT;
	*out = fs;
	return 0;
}

/* --- GPT ------------------------------------------------------------------ */

#define MBR_SIZE 512
#define MBR_RECORDS 0x1be
#define MBR_RECORD_SIZE 16
#define MBR_RECORD_COUNT 4
#define MBR_RECORD_TYPE 4
#define MBR_RECORD_START 8
#define MBR_SIGNATURE 0x1fe
#define MBR_TYPE_GPT_PROTECTIVE 0xee

/* Header field offsets (UEFI 2.10, 5.3.2). */
#define GPT_SIGNATURE "EFI PART"
#define GPT_SIGNATURE_LEN 8
#define GPT_HEADER_SIZE 12
#define GPT_HEADER_CRC 16
#define GPT_MY_LBA 24
#define GPT_ALTERNATE_LBA 32
#define GPT_FIRST_USABLE 40
#define GPT_LAST_USABLE 48
#define GPT_DISK_GUID 56
#define GPT_ENTRIES_LBA 72
#define GPT_ENTRY_COUNT 80
#define GPT_ENTRY_SIZE 84
#define GPT_ENTRIES_CRC 88

/* Entry field offsets (UEFI 2.10, 5.3.3). */
#define GPT_ENTRY_TYPE 0
#define GPT_ENTRY_GUID 16
#define GPT_ENTRY_FIRST 32
#define GPT_ENTRY_LAST 40
#define GPT_ENTRY_ATTRS 48
#define GPT_ENTRY_NAME 56

_Static_assert(GPT_ENTRIES_CRC + 4 == BLKID_GPT_HEADER_MIN,
	       "the GPT header fields end at 92");
_Static_assert(GPT_ENTRY_NAME + 2 * BLKID_GPT_NAME_UNITS ==
	       BLKID_GPT_ENTRY_MIN, "the GPT entry fields end at 128");
_Static_assert(BLKID_GPT_ENTRIES_MAX * BLKID_GPT_ENTRY_MIN <=
	       BLKID_GPT_ARRAY_MAX, "the entry cap fits the array cap");
_Static_assert(MBR_RECORDS + MBR_RECORD_COUNT * MBR_RECORD_SIZE ==
	       MBR_SIGNATURE, "four MBR records before the signature");

int blkid_gpt_pmbr_check(const uint8_t *buf, size_t len)
{
	if (!buf || len < MBR_SIZE)
		return -ENOENT;
	if (buf[MBR_SIGNATURE] != 0x55 || buf[MBR_SIGNATURE + 1] != 0xaa)
		return -ENOENT;
	for (int i = 0; i < MBR_RECORD_COUNT; i++) {
		const uint8_t *rec = buf + MBR_RECORDS + i * MBR_RECORD_SIZE;

		if (rec[MBR_RECORD_TYPE] == MBR_TYPE_GPT_PROTECTIVE &&
		    le32_load(rec + MBR_RECORD_START) == 1)
			return 0;
	}
	return -ENOENT;
}

static bool is_power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* The header CRC: over header_size bytes with the CRC field read as 0. */
static uint32_t gpt_header_crc(const uint8_t *buf, uint32_t header_size)
{
	static const uint8_t zero[4];
	uint32_t crc = ~0u;

	crc = crc32_update(CRC32_POLY, crc, buf, GPT_HEADER_CRC);
	crc = crc32_update(CRC32_POLY, crc, zero, sizeof(zero));
	crc = crc32_update(CRC32_POLY, crc, buf + GPT_HEADER_CRC + 4,
			   header_size - GPT_HEADER_CRC - 4);
	return ~crc;
}

static int gpt_entries_geometry(struct blkid_gpt_header *h)
{
	if (h->entry_size < BLKID_GPT_ENTRY_MIN ||
	    h->entry_size % BLKID_GPT_ENTRY_MIN ||
	    !is_power_of_two(h->entry_size / BLKID_GPT_ENTRY_MIN))
		return -OCIBOOT_EMALFORMED;
	if (h->entry_size > BLKID_GPT_ENTRY_SIZE_MAX ||
	    h->entry_count > BLKID_GPT_ENTRIES_MAX)
		return -OCIBOOT_ETOOBIG;
	/* Both capped above: no overflow. */
	h->array_size = (size_t)h->entry_count * h->entry_size;
	if (h->array_size > BLKID_GPT_ARRAY_MAX)
		return -OCIBOOT_ETOOBIG;
	return 0;
}

/* [first, last] and [lo, hi] (both inclusive) share a sector. */
static bool ranges_meet(uint64_t first, uint64_t last, uint64_t lo,
			uint64_t hi)
{
	return first <= hi && lo <= last;
}

static int gpt_layout_check(const struct blkid_gpt_header *h,
			    uint64_t disk_sectors)
{
	uint64_t array_sectors, array_last;

	if (h->first_usable_lba > h->last_usable_lba ||
	    h->last_usable_lba >= disk_sectors)
		return -OCIBOOT_EMALFORMED;
	if (ranges_meet(h->my_lba, h->my_lba, h->first_usable_lba,
			h->last_usable_lba))
		return -OCIBOOT_EMALFORMED;
	array_sectors = (h->array_size + h->sector_size - 1) / h->sector_size;
	if (array_sectors == 0)
		return 0;
	/* entries_lba > 0 and array_sectors small: no overflow below. */
	if (h->entries_lba == 0 || h->entries_lba >= disk_sectors ||
	    array_sectors > disk_sectors - h->entries_lba)
		return -OCIBOOT_EMALFORMED;
	array_last = h->entries_lba + array_sectors - 1;
	if (ranges_meet(h->entries_lba, array_last, h->my_lba, h->my_lba) ||
	    ranges_meet(h->entries_lba, array_last, h->first_usable_lba,
			h->last_usable_lba))
		return -OCIBOOT_EMALFORMED;
	return 0;
}

int blkid_gpt_header_parse(const uint8_t *buf, size_t len,
			   uint32_t sector_size, uint64_t lba,
			   uint64_t disk_sectors, struct blkid_gpt_header *out)
{
	struct blkid_gpt_header h;
	uint32_t header_size;
	int r;

	if (sector_size < BLKID_SECTOR_SIZE_MIN ||
	    sector_size > BLKID_SECTOR_SIZE_MAX ||
	    !is_power_of_two(sector_size) || lba == 0 || lba >= disk_sectors)
		return -EINVAL;
	if (!buf || len < GPT_SIGNATURE_LEN ||
	    memcmp(buf, GPT_SIGNATURE, GPT_SIGNATURE_LEN) != 0)
		return -ENOENT;
	if (len < BLKID_GPT_HEADER_MIN)
		return -OCIBOOT_EMALFORMED;
	header_size = le32_load(buf + GPT_HEADER_SIZE);
	if (header_size < BLKID_GPT_HEADER_MIN || header_size > sector_size ||
	    header_size > len)
		return -OCIBOOT_EMALFORMED;
	if (gpt_header_crc(buf, header_size) != le32_load(buf + GPT_HEADER_CRC))
		return -OCIBOOT_EMALFORMED;

	h.sector_size = sector_size;
	h.my_lba = le64_load(buf + GPT_MY_LBA);
	h.alternate_lba = le64_load(buf + GPT_ALTERNATE_LBA);
	h.first_usable_lba = le64_load(buf + GPT_FIRST_USABLE);
	h.last_usable_lba = le64_load(buf + GPT_LAST_USABLE);
	memcpy(h.disk_guid, buf + GPT_DISK_GUID, BLKID_GUID_LEN);
	h.entries_lba = le64_load(buf + GPT_ENTRIES_LBA);
	h.entry_count = le32_load(buf + GPT_ENTRY_COUNT);
	h.entry_size = le32_load(buf + GPT_ENTRY_SIZE);
	h.entries_crc32 = le32_load(buf + GPT_ENTRIES_CRC);
	if (h.my_lba != lba)
		return -OCIBOOT_EMALFORMED;
	r = gpt_entries_geometry(&h);
	if (r < 0)
		return r;
	r = gpt_layout_check(&h, disk_sectors);
	if (r < 0)
		return r;
	*out = h;
	return 0;
}

static void gpt_entry_read(const uint8_t *p, uint32_t number,
			   struct blkid_gpt_entry *e)
{
	e->number = number;
	memcpy(e->type_guid, p + GPT_ENTRY_TYPE, BLKID_GUID_LEN);
	memcpy(e->unique_guid, p + GPT_ENTRY_GUID, BLKID_GUID_LEN);
	e->first_lba = le64_load(p + GPT_ENTRY_FIRST);
	e->last_lba = le64_load(p + GPT_ENTRY_LAST);
	e->attributes = le64_load(p + GPT_ENTRY_ATTRS);
	blkid_guid_format(e->unique_guid, e->uuid);
	gpt_name_to_utf8(p + GPT_ENTRY_NAME, e->name);
}

static bool gpt_entry_usable(const struct blkid_gpt_header *h,
			     const struct blkid_gpt_entry *e)
{
	return e->first_lba <= e->last_lba &&
	       e->first_lba >= h->first_usable_lba &&
	       e->last_lba <= h->last_usable_lba;
}

int blkid_gpt_entries_parse(const struct blkid_gpt_header *h,
			    const uint8_t *buf, size_t len,
			    blkid_gpt_entry_fn fn, void *ctx)
{
	struct blkid_gpt_entry e;

	if (!h || h->array_size > BLKID_GPT_ARRAY_MAX ||
	    h->array_size != (size_t)h->entry_count * h->entry_size ||
	    h->entry_size < BLKID_GPT_ENTRY_MIN)
		return -EINVAL;
	if (len < h->array_size || (h->array_size && !buf))
		return -OCIBOOT_EMALFORMED;
	if (crc32_ieee(buf, h->array_size) != h->entries_crc32)
		return -OCIBOOT_EMALFORMED;
	for (uint32_t i = 0; i < h->entry_count; i++) {
		const uint8_t *p = buf + (size_t)i * h->entry_size;
		int r;

		if (all_zero(p + GPT_ENTRY_TYPE, BLKID_GUID_LEN))
			continue;
		gpt_entry_read(p, i + 1, &e);
		if (!gpt_entry_usable(h, &e))
			continue;
		r = fn(ctx, &e);
		if (r != 0)
			return r;
	}
	return 0;
}

/* --- the store's features ------------------------------------------------ */

struct ext_feature_name {
	uint32_t bit;
	const char *name;
};

static const struct ext_feature_name compat_names[] = {
	{ 0x1, "dir_prealloc" }, { 0x2, "imagic_inodes" },
	{ 0x40, "lazy_bg" }, { 0x80, "exclude_inode" },
	{ 0x100, "exclude_bitmap" }, { 0x400, "fast_commit" },
	{ 0x800, "stable_inodes" },
};

static const struct ext_feature_name incompat_names[] = {
	{ 0x1, "compression" }, { 0x8, "journal_dev" }, { 0x100, "mmp" },
	{ 0x400, "ea_inode" }, { 0x1000, "dirdata" }, { 0x8000, "inline_data" },
	{ 0x10000, "encrypt" }, { 0x20000, "casefold" },
};

static const struct ext_feature_name ro_compat_names[] = {
	{ 0x80, "has_snapshot" }, { 0x100, "quota" }, { 0x200, "bigalloc" },
	{ 0x800, "replica" }, { 0x2000, "project" },
	{ 0x4000, "shared_blocks" }, { 0x8000, "verity" },
};

static const char *ext_feature_name(const struct ext_feature_name *t,
				    size_t n, uint32_t bit)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].bit == bit)
			return t[i].name;
	return "unknown";
}

static int refuse_feature(struct error *err, const char *fs_name,
			  const char *kind, uint32_t bits,
			  const struct ext_feature_name *t, size_t n)
{
	uint32_t low = bits & -bits;

	return error_set(err, -EOPNOTSUPP, NULL, "%s %s feature 0x%x (%s) "
			 "is not allowed on the store (features 0x%x outside "
			 "the allowlist)", fs_name, kind, (unsigned)low,
			 ext_feature_name(t, n, low), (unsigned)bits);
}

static int ext_store_check(const struct blkid_fs *fs, struct error *err)
{
	uint32_t c = fs->feature_compat & ~BLKID_EXT_COMPAT_ALLOWED;
	uint32_t i = fs->feature_incompat & ~BLKID_EXT_INCOMPAT_ALLOWED;
	uint32_t r = fs->feature_ro_compat & ~BLKID_EXT_RO_COMPAT_ALLOWED;

	if (i)
		return refuse_feature(err, "ext4", "incompat", i,
				      incompat_names,
				      ARRAY_SIZE(incompat_names));
	if (r)
		return refuse_feature(err, "ext4", "ro_compat", r,
				      ro_compat_names,
				      ARRAY_SIZE(ro_compat_names));
	if (c)
		return refuse_feature(err, "ext4", "compat", c, compat_names,
				      ARRAY_SIZE(compat_names));
	if (fs->has_mount_opts)
		return error_set(err, -EOPNOTSUPP, NULL, "ext4 superblock "
				 "carries mount options (s_mount_opts), which "
				 "the store must not");
	return 0;
}

/* --- the store's erofs features ------------------------------------------- */

/* Names as erofs-utils' dump.erofs and the kernel's erofs_fs.h give them. */
static const struct ext_feature_name erofs_compat_names[] = {
	{ 0x4, "xattr_filter" },
};

static const struct ext_feature_name erofs_incompat_names[] = {
	{ 0x1, "lz4_0padding: compression" },
	{ 0x2, "compr_cfgs/big_pcluster: compression" },
	{ 0x4, "chunked_file" },
	{ 0x8, "device_table/compr_head2" },
	{ 0x10, "ztailpacking: compression" },
	{ 0x20, "fragments/dedupe: compression" },
	{ 0x40, "xattr_prefixes" },
	{ 0x80, "48bit" },
};

static int erofs_store_check(const struct blkid_fs *fs, struct error *err)
{
	uint32_t c = fs->feature_compat & ~BLKID_EROFS_COMPAT_ALLOWED;
	uint32_t i = fs->feature_incompat & ~BLKID_EROFS_INCOMPAT_ALLOWED;

	if (i)
		return refuse_feature(err, "erofs", "incompat", i,
				      erofs_incompat_names,
				      ARRAY_SIZE(erofs_incompat_names));
	if (c)
		return refuse_feature(err, "erofs", "compat", c,
				      erofs_compat_names,
				      ARRAY_SIZE(erofs_compat_names));
	if (fs->extra_devices)
		return error_set(err, -EOPNOTSUPP, NULL, "erofs superblock "
				 "names %u extra devices (a device table), "
				 "which the store must not: it is one device",
				 (unsigned)fs->extra_devices);
	return 0;
}

int blkid_store_check(const struct blkid_fs *fs, struct error *err)
{
	if (streq(fs->type, "erofs"))
		return erofs_store_check(fs, err);
	if (streq(fs->type, "ext4") || streq(fs->type, "ext3") ||
	    streq(fs->type, "ext2"))
		return ext_store_check(fs, err);
	return error_set(err, -EOPNOTSUPP, NULL, "a %s filesystem cannot be "
			 "the store (ext2/3/4 or erofs)", fs->type);
}
