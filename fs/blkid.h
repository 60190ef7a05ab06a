/* SPDX-License-Identifier: MIT */
/*
 * Block device identification from bytes already read: which filesystem a
 * device holds (with its label and UUID), and its GPT partition table
 * (partition names and unique GUIDs). Every function here parses untrusted
 * input from (buf, len); nothing allocates, logs or touches the system, so
 * the store finder (fs/store.h) does the reading and these do the judging.
 *
 * Text is reported the way util-linux's `blkid -p` reports it: labels and
 * partition names as UTF-8 with trailing whitespace removed, UUIDs and GUIDs
 * in lowercase 8-4-4-4-12 form.
 */
#ifndef OCIBOOT_BLKID_H
#define OCIBOOT_BLKID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/* Bytes from a device's start that blkid_probe_fs() may look at. */
#define BLKID_PROBE_SIZE 4096
#define BLKID_LABEL_MAX 127		/* bytes of a label, NUL excluded */
#define BLKID_UUID_STR_LEN 36		/* 8-4-4-4-12 hex digits */
#define BLKID_GUID_LEN 16		/* bytes of a UUID or GUID */

/* Logical sector sizes a GPT is looked for with. */
#define BLKID_SECTOR_SIZE_MIN 512
#define BLKID_SECTOR_SIZE_MAX 4096

#define BLKID_GPT_HEADER_MIN 92		/* the fields UEFI defines */
#define BLKID_GPT_ENTRY_MIN 128		/* smallest partition entry */
#define BLKID_GPT_ENTRY_SIZE_MAX 1024	/* 128 * 2^n, at most this */
#define BLKID_GPT_ENTRIES_MAX 1024	/* partition entries in a table */
#define BLKID_GPT_ARRAY_MAX (128 * 1024) /* entry_count * entry_size */
#define BLKID_GPT_NAME_UNITS 36		/* UTF-16 code units of a name */
/* A name in UTF-8: 3 bytes at most per UTF-16 unit. */
#define BLKID_GPT_NAME_MAX (BLKID_GPT_NAME_UNITS * 3)

/* --- filesystems ---------------------------------------------------------- */

struct blkid_fs {
	/* static: "ext4", "ext3", "ext2" or "erofs" */
	const char *type;
	char label[BLKID_LABEL_MAX + 1];	/* "" when there is none */
	char uuid[BLKID_UUID_STR_LEN + 1];	/* lowercase; "" when none */
	uint32_t block_size;		/* bytes */
	/* The superblock's feature words (erofs: compat and incompat only;
	 * ro_compat is 0). */
	uint32_t feature_compat;
	uint32_t feature_incompat;
	uint32_t feature_ro_compat;
	/* ext: s_errors and whether its s_mount_opts (mount options the
	 * kernel applies first) is set. */
	uint16_t errors;		/* 1 continue, 2 remount-ro, 3 panic */
	bool has_mount_opts;
	/* erofs: extra_devices, the devices besides this one. */
	uint16_t extra_devices;
};

/*
 * The ext4 features a store may have, all others refused before it is
 * mounted (docs/store.md): what `mke2fs -t ext4` makes (Debian 12:
 * has_journal ext_attr resize_inode dir_index filetype extent 64bit flex_bg
 * sparse_super large_file huge_file dir_nlink extra_isize metadata_csum),
 * and the layout variants of the same code paths (meta_bg, sparse_super2,
 * orphan_file, csum_seed, largedir, gdt_csum, a journal to recover, which
 * noload skips). Refused, among others: encrypt, casefold, inline_data,
 * ea_inode, mmp, bigalloc, quota, project, verity, compression.
 */
#define BLKID_EXT_COMPAT_ALLOWED 0x123cu
#define BLKID_EXT_INCOMPAT_ALLOWED 0x62d6u
#define BLKID_EXT_RO_COMPAT_ALLOWED 0x1147fu

/*
 * The erofs features a store may have: what mkfs.erofs (erofs-utils 1.5)
 * makes without compression -- compat sb_chksum (0x1) and mtime (0x2), no
 * incompat feature. Refused: every incompat feature (lz4_0padding,
 * compr_cfgs/big_pcluster, ztailpacking, fragments/dedupe: compression;
 * chunked_file; device_table; and any later one), any other compat bit,
 * and a superblock naming extra devices.
 */
#define BLKID_EROFS_COMPAT_ALLOWED 0x3u
#define BLKID_EROFS_INCOMPAT_ALLOWED 0x0u

/*
 * Check that fs (what blkid_probe_fs() identified) may be mounted as the
 * store. ext2/3/4: no feature bit outside the BLKID_EXT_*_ALLOWED masks and
 * no s_mount_opts. erofs: no feature bit outside BLKID_EROFS_*_ALLOWED and
 * no extra devices. Returns 0, or -EOPNOTSUPP with err's why naming the
 * bits ("ext4 incompat feature 0x10000 (encrypt) is not allowed", "erofs
 * incompat feature 0x1 (lz4_0padding: compression) is not allowed").
 */
int blkid_store_check(const struct blkid_fs *fs, struct error *err);

/*
 * Identify the filesystem whose device starts with the len bytes at buf
 * (len may be less than BLKID_PROBE_SIZE for a small device; more is not
 * looked at). A table of probers is tried in turn; it knows the ext2/3/4
 * family (superblock at 1024, magic 0xEF53, the superblock CRC32C checked
 * when metadata_csum is on; named as blkid names it: ext4 when a feature
 * ext3 lacks is on, ext3 with a journal, else ext2) and erofs (superblock
 * at 1024, magic 0xE0F5E1E2, 4 KiB blocks only -- blkszbits 12, the one
 * size Linux 6.1 mounts --, and when sb_chksum is on the CRC32C of the
 * first block from byte 1024 with the checksum field as zero, as the
 * kernel checks it; volume_name is the label). An external journal device
 * (jbd) is not a filesystem and is not identified.
 *
 * Returns 0 and fills *fs; -ENOENT when no prober recognises the bytes;
 * -OCIBOOT_EMALFORMED when a prober found its magic but the rest is wrong
 * (a bad checksum, an impossible block size); -ENOTUNIQ when two probers
 * claim the device. *fs is written only on success.
 */
int blkid_probe_fs(const uint8_t *buf, size_t len, struct blkid_fs *fs);

/* --- GPT ------------------------------------------------------------------ */

struct blkid_gpt_header {
	uint32_t sector_size;		/* the one it was parsed with */
	uint64_t my_lba;		/* 1 for the primary header */
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	uint8_t disk_guid[BLKID_GUID_LEN];	/* as on disk: mixed-endian */
	uint64_t entries_lba;		/* where the entry array starts */
	uint32_t entry_count;		/* <= BLKID_GPT_ENTRIES_MAX */
	uint32_t entry_size;		/* 128 * 2^n, up to the _MAX */
	uint32_t entries_crc32;
	size_t array_size;		/* entry_count * entry_size bytes */
};

struct blkid_gpt_entry {
	uint32_t number;		/* 1-based index: the kernel's partno */
	uint8_t type_guid[BLKID_GUID_LEN];	/* never all zero */
	uint8_t unique_guid[BLKID_GUID_LEN];
	uint64_t first_lba;		/* in the header's sector size */
	uint64_t last_lba;		/* inclusive, >= first_lba */
	uint64_t attributes;
	char uuid[BLKID_UUID_STR_LEN + 1];	/* unique_guid: PARTUUID */
	char name[BLKID_GPT_NAME_MAX + 1];	/* UTF-8: PARTLABEL */
};

/*
 * Check the protective MBR in the first sector, buf[0, len): boot
 * signature 0x55 0xAA at 510 and a partition record of type 0xEE starting
 * at LBA 1 (a hybrid MBR with other records is accepted, as the kernel
 * does). Returns 0, or -ENOENT (len < 512 or no protective MBR).
 */
int blkid_gpt_pmbr_check(const uint8_t *buf, size_t len);

/*
 * Parse the GPT header in buf[0, len), the sector at lba (1 for the
 * primary header, the disk's last sector for the backup) of a disk of
 * disk_sectors sectors of sector_size bytes (a power of two from
 * BLKID_SECTOR_SIZE_MIN to BLKID_SECTOR_SIZE_MAX).
 *
 * Checked: the "EFI PART" signature; a header size from 92 bytes to the
 * sector size, all of it in buf; the header CRC32; my_lba == lba;
 * first_usable_lba <= last_usable_lba < disk_sectors; an entry size of
 * 128 * 2^n up to BLKID_GPT_ENTRY_SIZE_MAX; at most BLKID_GPT_ENTRIES_MAX
 * entries and BLKID_GPT_ARRAY_MAX bytes of them; the entry array inside
 * the disk, not over the header and not over the usable area.
 *
 * Returns 0 and fills *h; -ENOENT when there is no signature; -EINVAL for
 * a bad sector_size or lba; -OCIBOOT_ETOOBIG when the entry count, size or
 * array is over its cap; -OCIBOOT_EMALFORMED for any other failed check.
 * *h is written only on success.
 */
int blkid_gpt_header_parse(const uint8_t *buf, size_t len,
			   uint32_t sector_size, uint64_t lba,
			   uint64_t disk_sectors, struct blkid_gpt_header *h);

/*
 * Called once per used entry, in table order. Return 0 to go on; anything
 * else stops the walk and is returned by blkid_gpt_entries_parse().
 */
typedef int (*blkid_gpt_entry_fn)(void *ctx, const struct blkid_gpt_entry *e);

/*
 * Walk the entry array of h held in buf[0, len) (the h->array_size bytes
 * read from h->entries_lba). The array CRC32 is checked over all of it
 * before fn is first called. Unused entries (type GUID zero) are skipped,
 * and so are entries whose range is reversed or leaves the usable area
 * (the kernel does not make partitions of those either).
 *
 * Returns 0 after the last entry; -OCIBOOT_EMALFORMED when len is less
 * than h->array_size or the CRC differs (fn then never called); or the
 * first non-zero value fn returned.
 */
int blkid_gpt_entries_parse(const struct blkid_gpt_header *h,
			    const uint8_t *buf, size_t len,
			    blkid_gpt_entry_fn fn, void *ctx);

/*
 * UUID text of 16 bytes into out[BLKID_UUID_STR_LEN + 1], lowercase, NUL-
 * terminated. blkid_uuid_format() takes the bytes in order (filesystem
 * UUIDs); blkid_guid_format() reads the first three groups little-endian,
 * as GPT stores GUIDs.
 */
void blkid_uuid_format(const uint8_t uuid[BLKID_GUID_LEN],
		       char out[BLKID_UUID_STR_LEN + 1]);
void blkid_guid_format(const uint8_t guid[BLKID_GUID_LEN],
		       char out[BLKID_UUID_STR_LEN + 1]);

#endif
