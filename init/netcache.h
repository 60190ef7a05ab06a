/* SPDX-License-Identifier: MIT */
/*
 * Where a network boot's blobs go (docs/network.md, "The cache device"):
 * an OCI image layout at the root of a filesystem mounted on
 * /run/ociboot/store, either
 *
 *   - the cache device ociboot.cache=KEY=VALUE names (init/netcmdline.h):
 *     found as the store is (fs/store.h, same keys, same refusal of two
 *     matches), its ext4 checked against the store's feature allowlist
 *     (store_check_fs()), mounted read-write nodev,nosuid,noexec with
 *     errors=remount-ro (our policy, never the superblock's), an
 *     oci-layout and blobs/sha256/ made when missing; blobs found there
 *     are hashed before use (net/registry.h) and are only a cache;
 *   - or a tmpfs (mode 0700), the default and the fallback: a cache
 *     device that is absent, ambiguous, not an allowed ext4, does not
 *     mount or holds no usable layout gives one warning naming why, and
 *     the boot goes on from RAM.
 *
 * The functions log (one line each) and fail with boot_failed().
 */
#ifndef OCIBOOT_INIT_NETCACHE_H
#define OCIBOOT_INIT_NETCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>

#include "fs/store.h"
#include "oci/oci_ref.h"

#define NETCACHE_FSTYPE "ext4"
#define NETCACHE_MOUNT_FLAGS (MS_NODEV | MS_NOSUID | MS_NOEXEC)
#define NETCACHE_MOUNT_OPTIONS "errors=remount-ro"
/* "PARTUUID=" and a value */
#define NETCACHE_NAME_MAX (sizeof("PARTLABEL=") + OCI_DEVICE_VALUE_MAX)
#define NETCACHE_PRUNE_SCAN_MAX 65536

struct boot;

struct netcache {
	bool on_device;			/* the store is the cache device */
	char name[NETCACHE_NAME_MAX];	/* "LABEL=ocicache" */
	char device[STORE_PATH_MAX + 1];	/* "/dev/vda" */
};

/*
 * Mount the store on /run/ociboot/store and open its layout in b->layout:
 * the cache device when b->config.net names one and it can be used, else
 * a tmpfs (with a warning when a cache was asked for). Returns 0, or
 * boot_failed()'s -1 when not even the tmpfs could be made.
 */
int netcache_open(struct boot *b, struct netcache *c);

/*
 * Whether code (a failed pull's) is what a full or failing cache device
 * gives (-ENOSPC, -EDQUOT, -EFBIG, -EROFS after errors=remount-ro,
 * -EIO): the caller may then drop the cache and pull again into RAM.
 */
bool netcache_write_failed(int code);

/*
 * Give up the cache device after a write failure: close b->layout and
 * detach the mount (logging a warning with why), then mount and open a
 * tmpfs as netcache_open() does without a cache. Returns 0 or -1.
 */
int netcache_fall_back(struct boot *b, struct netcache *c, const char *why);

/* Whether the blob digest must stay in the cache. */
typedef bool (*netcache_keep_fn)(void *ctx, const uint8_t digest[32]);

/*
 * On the cache device, remove from blobs/sha256/ every blob (a regular
 * file or link named by 64 lowercase hex digits) keep() does not want,
 * and every partial download (".partial-<hex>") whose digest it does not
 * want; other names and directories are left alone; at most
 * NETCACHE_PRUNE_SCAN_MAX entries are looked at. Logs one line when
 * anything was removed. Returns the number of whole blobs removed (0 for
 * a tmpfs), or -errno when the directory cannot be read.
 */
int netcache_prune(struct boot *b, struct netcache *c, netcache_keep_fn keep,
		   void *ctx);

/*
 * The pull is over: remount the cache device read-only (nothing writes
 * to it again this boot, so a power cut leaves a clean filesystem); a
 * failure is only a warning. Nothing for a tmpfs.
 */
void netcache_seal(struct boot *b, struct netcache *c);

#endif
