/* SPDX-License-Identifier: MIT */
/*
 * The filesystems a store may hold, and how each is mounted: the one table
 * the store stage reads after store_check_fs() (fs/store.h) has probed and
 * checked the device (docs/store.md).
 *
 *   ext4 (and ext3, ext2: the ext4 driver mounts them)  read-only with
 *       noload (no journal replay) and errors=remount-ro (our error policy,
 *       never the superblock's s_errors, which could say panic); modules
 *       from MODULES_FS_LIST_DIR/ext4
 *   erofs  read-only (it has no other mode) with noacl,nouser_xattr (the
 *       layout needs neither); modules from MODULES_FS_LIST_DIR/erofs
 *
 * Nothing here touches the system.
 */
#ifndef OCIBOOT_INIT_STOREFS_H
#define OCIBOOT_INIT_STOREFS_H

#include "init/modules.h"

struct storefs {
	const char *type;	/* as blkid_probe_fs() names it */
	const char *fstype;	/* for mount(2) */
	const char *options;	/* mount(2)'s data */
	const char *modules;	/* the list of its driver's modules */
};

/* The entry for the probed type, or NULL when a store cannot be that. */
const struct storefs *storefs_find(const char *type);

#endif
