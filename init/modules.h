/* SPDX-License-Identifier: MIT */
/*
 * Kernel modules from the initrd. The initrd builder writes the lists
 * (MODULES_LIST_PATH, and one a store filesystem under
 * MODULES_FS_LIST_DIR): one absolute .ko path a line, already in dependency
 * order; blank lines and lines whose first non-blank byte is '#' are
 * skipped, and blanks around a path are ignored.
 *
 * Nothing here allocates or logs; the caller logs each module through the
 * callback.
 */
#ifndef OCIBOOT_INIT_MODULES_H
#define OCIBOOT_INIT_MODULES_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

#define MODULES_LIST_PATH "/etc/ociboot/modules"
/*
 * One list a store filesystem, same format: MODULES_FS_LIST_DIR/ext4,
 * .../erofs -- the modules only that filesystem needs, left out of
 * MODULES_LIST_PATH and loaded right before a store of it is mounted.
 */
#define MODULES_FS_LIST_DIR "/etc/ociboot/modules.d"
/*
 * The layers' modules (loop, squashfs, dm-verity, overlay and what they
 * need), same format, left out of MODULES_LIST_PATH: loaded beside the
 * stages that find the store and verify the system, which do not need them.
 */
#define MODULES_LAYERS_LIST MODULES_FS_LIST_DIR "/layers"
#define MODULES_LIST_MAX 65536		/* bytes in the list */
#define MODULES_MAX 512			/* paths in the list */
#define MODULES_PATH_MAX 255		/* bytes in one path */
#define MODULES_NAME_MAX 64		/* kernel names are shorter */

/*
 * Called for each path (NUL-terminated, valid during the call) in list
 * order. A negative return stops the walk and is passed back.
 */
typedef int modules_path_fn(void *ctx, const char *path);

/*
 * Check the whole list buf[len] first, then call fn for each path. Returns
 * the number of paths, or -OCIBOOT_EMALFORMED / -OCIBOOT_ETOOBIG with *err
 * filled (and fn never called): why is the fault ("module path is not
 * absolute"), where "line N" (1-based) when it is on a line; the caller
 * adds the list's path with error_context(). Or fn's negative return, *err
 * then clear.
 */
int modules_parse_list(const char *buf, size_t len, modules_path_fn *fn,
		       void *ctx, struct error *err);

/*
 * Load the module file at path with finit_module(fd, "", 0). Returns 0
 * when loaded, 1 when it was already loaded (EEXIST), or -errno: -ENOENT
 * when the file is missing, -ENODEV when the module found nothing to
 * drive on this machine (efivarfs without EFI), -EKEYREJECTED or -EPERM
 * when lockdown refuses an unsigned module, and so on.
 */
int modules_load(const char *path);

/*
 * The kernel's name for a module file: the last path component without
 * ".ko" (and a compression suffix after it), '-' turned into '_' -- so
 * ".../dm-verity.ko" is "dm_verity". Writes name[size] with a NUL and
 * returns its length, or -EINVAL when path does not end in .ko[.xz|.zst|
 * .gz], -ENAMETOOLONG when the name does not fit.
 */
int modules_name(const char *path, char *name, size_t size);

/*
 * Whether the module at path is a network driver or network core code, by
 * where modules.dep puts it: under kernel/drivers/net/ or kernel/net/
 * (virtio_net, e1000, failover...). A boot from a local store leaves these
 * out: they cost time and drive nothing it needs.
 */
bool modules_is_network(const char *path);

#endif
