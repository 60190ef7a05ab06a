/* SPDX-License-Identifier: MIT */
/*
 * The store finder: the block device an `oci=KEY=VALUE:/PATH` location
 * names, found the way blkid and udev would find it, without either.
 *
 * Every entry of /sys/class/block is looked at (devices of size 0 are
 * skipped). For LABEL and UUID, the first BLKID_PROBE_SIZE bytes of each
 * partition, and of each whole disk that has no partitions, are given to
 * blkid_probe_fs(). For PARTLABEL and PARTUUID, each whole disk's GPT is
 * read (the primary header, else the backup in the last sector) and each
 * matching entry is tied to the partition device the kernel made of it:
 * the sysfs child of the disk whose `partition` number, `start` and `size`
 * agree with the entry.
 *
 * Matching: LABEL and PARTLABEL compare exactly (case-sensitive, after the
 * trailing whitespace blkid trims); UUID and PARTUUID compare with the
 * value lowercased, against the canonical lowercase text. Two matching
 * devices are an error that names both: a second disk with the same label
 * -- a USB stick plugged in by someone else -- must never be picked
 * silently. (That is no authentication: the signed manifest is. It only
 * keeps the choice from being a race.)
 *
 * Devices are opened read-only, O_CLOEXEC, as /dev/NAME (devtmpfs names;
 * '!' in a sysfs name is '/'), and must be block devices whose number is
 * the one sysfs gives. Nothing here logs; store_find() reports what it saw
 * in struct store_result for the caller's one log line.
 */
#ifndef OCIBOOT_STORE_H
#define OCIBOOT_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "oci/oci_ref.h"

#define STORE_NAME_MAX 32		/* a sysfs block device name */
#define STORE_PATH_MAX 255		/* dev_dir + '/' + name */
#define STORE_VALUE_MAX OCI_DEVICE_VALUE_MAX
#define STORE_DEVICES_MAX 4096		/* /sys/class/block entries */
#define STORE_PARTITIONS_MAX 1024	/* entries of a disk's sysfs dir */
#define STORE_TIMEOUT_DEFAULT_MS 10000
#define STORE_POLL_DEFAULT_MS 100
/* A device's first read for a filesystem probe, or its GPT reads, at
 * most (fs/bounded.h). */
#define STORE_READ_TIMEOUT_DEFAULT_MS 3000
/* Entries of one GPT matching PARTLABEL or PARTUUID that are looked at. */
#define STORE_GPT_MATCHES_MAX 16

/*
 * Sleep about ms milliseconds. Return 0 to go on scanning, or a negative
 * value to give up (store_find() then returns it).
 */
typedef int (*store_wait_fn)(void *ctx, unsigned int ms);

struct store_config {
	const char *sysfs_block;	/* "/sys/class/block" */
	const char *dev_dir;		/* "/dev" */
	unsigned int timeout_ms;	/* give up after this long */
	unsigned int poll_ms;		/* between scans; 0: the default */
	store_wait_fn wait;		/* NULL: clock_sleep_ms() */
	void *wait_ctx;
	/* The filesystem probe of each device, and the GPT reads of each
	 * disk, read in a child process under this deadline (fs/bounded.h:
	 * a device whose reads never return is skipped as unreadable,
	 * "timed out", instead of holding the caller); 0: read directly.
	 * read_wait is how the caller sleeps meanwhile (NULL: nanosleep). */
	unsigned int read_timeout_ms;
	store_wait_fn read_wait;
	void *read_wait_ctx;
	/* Tests only: accept regular files in dev_dir (no device number
	 * check), so a fake tree of images stands in for /sys and /dev. */
	bool allow_regular_files;
};

/* What to look for: a parsed oci= location's device part. */
struct store_key {
	enum oci_device_key key;
	const char *value;		/* 1..STORE_VALUE_MAX bytes + NUL */
};

struct store_device {
	char name[STORE_NAME_MAX + 1];	/* sysfs name, "vda1" */
	char path[STORE_PATH_MAX + 1];	/* "/dev/vda1" */
	unsigned int major, minor;
	uint64_t size;			/* bytes */
	const char *fs_type;		/* "ext4"...; NULL for PART* */
};

struct store_result {
	struct store_device device;	/* the match, when 0 is returned */
	struct store_device other;	/* -ENOTUNIQ: the second match */
	unsigned int scans;		/* passes over sysfs made */
	unsigned int devices;		/* devices read in the last pass */
	/* The last device that could not be read or parsed in the last
	 * pass (name "" when none), and why: worth a line on timeout. */
	char failed[STORE_NAME_MAX + 1];
	int failed_err;
};

/* Fill *cfg with /sys/class/block, /dev and the default timings. */
void store_config_default(struct store_config *cfg);

/*
 * One pass over cfg->sysfs_block. Returns 1 with res->device set when one
 * device matches, 0 when none does, -ENOTUNIQ with res->device and
 * res->other set when two or more do, -EINVAL for a bad key, or -errno
 * (also put in res->failed_err) when sysfs itself cannot be opened.
 * res->devices and res->failed always describe the pass; res->scans is
 * left alone.
 */
int store_scan(const struct store_config *cfg, const struct store_key *key,
	       struct store_result *res);

/*
 * store_scan() every cfg->poll_ms until exactly one device matches or
 * cfg->timeout_ms (measured on CLOCK_MONOTONIC from the call) runs out;
 * the first scan is immediate, and the last one is at or after the
 * deadline. cfg->wait is never asked for more than cfg->poll_ms nor past
 * the deadline. A sysfs directory that cannot be opened counts as
 * "nothing yet". With timeout_ms 0 there is exactly one scan.
 *
 * Returns 0 with res->device set; -ENOTUNIQ with both matches named (at
 * once: waiting cannot make it unique); -OCIBOOT_ETIMEOUT when nothing
 * matched in time; -EINVAL for a bad key; or what cfg->wait returned.
 * *res is reset first and always describes the last scan.
 */
int store_find(const struct store_config *cfg, const struct store_key *key,
	       struct store_result *res);

/*
 * Read the filesystem at the start of the block device path (the store
 * store_find() found; a file works too) and check that it may be mounted
 * as the store: an ext2/3/4 or erofs filesystem (blkid_probe_fs()) that
 * blkid_store_check() allows. Called right before the mount, so the
 * superblock checked is the one the kernel reads. Returns 0 with *fs_type
 * (when fs_type is not NULL) the probed type, a static string ("ext4",
 * "ext3", "ext2", "erofs"); -OCIBOOT_EMALFORMED or -ENOENT (no such
 * filesystem there), -EOPNOTSUPP (a feature refused) or -errno, with
 * err's why saying which.
 */
int store_check_fs(const char *path, const char **fs_type, struct error *err);

#endif
