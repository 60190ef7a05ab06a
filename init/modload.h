/* SPDX-License-Identifier: MIT */
/*
 * Loading a list of kernel modules (init/modules.h's format) the way the
 * boot does it: read the list, check all of it, then load each module in
 * order with one log line each. Used by the modules stage for the boot's
 * list MODULES_LIST_PATH, and by the store stage for the list of the
 * store's filesystem (MODULES_FS_LIST_DIR/NAME), loaded only when a store
 * of that filesystem is mounted.
 */
#ifndef OCIBOOT_INIT_MODLOAD_H
#define OCIBOOT_INIT_MODLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

struct modload_result {
	bool no_list;		/* the list file does not exist */
	unsigned int loaded;	/* loaded now (or found already loaded) */
	unsigned int skipped;	/* network drivers left out */
	unsigned int absent;	/* found nothing to drive here (-ENODEV) */
};

/*
 * Load the modules the list file at path names, in its order, reading it
 * into buf[size] (size - 1 bytes at most). Network drivers
 * (modules_is_network()) are left out unless opt->network is set. A module
 * that finds no device (-ENODEV: efivarfs without EFI) is logged and
 * counted, not fatal. Each loaded module is logged under "modules".
 *
 * Returns 0 with *res filled -- res->no_list set, and nothing done, when
 * the list does not exist. Or a negative error with err saying what failed
 * and how to fix it: the list unreadable or malformed (err names the list
 * file), or a module refused (lockdown and an unsigned module, a module
 * for another kernel, a missing file; err names the module's path).
 */
struct modload_options {
	bool network;		/* load network drivers too */
	/* Called with each module's name before it is loaded (a driver's
	 * probe may read a disk that never answers): the boot names it when
	 * the stage's deadline passes. May be NULL. */
	void (*doing)(void *ctx, const char *name);
	void *ctx;
};

int modload_list(const char *path, char *buf, size_t size,
		 const struct modload_options *opt,
		 struct modload_result *res, struct error *err);

#endif
