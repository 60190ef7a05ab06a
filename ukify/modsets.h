/* SPDX-License-Identifier: MIT */
/*
 * Sets of kernel modules for the initrd, so that a user need not guess
 * which drivers a machine needs (docs/design.md, "The host tool"):
 *
 *   - named presets, the one table of them below (modsets_presets[]):
 *       base      what the boot chain itself needs on any machine: loop,
 *                 squashfs, overlay, dm-verity, the store filesystems
 *                 ext4 and erofs (each in a list of its own, loaded only
 *                 for a store of it: ukify/initrd.h), efivarfs (a list
 *                 of its own too, loaded when Secure Boot is not on);
 *       qemu      base + virtio (virtio_pci, virtio_blk, virtio_net): a
 *                 QEMU/KVM guest with virtio disks and NICs; the demo's;
 *       physical  base + common PC hardware: NVMe (and Intel VMD), AHCI
 *                 and legacy SATA, SCSI disks, USB storage (xHCI, EHCI,
 *                 OHCI, UHCI, usb-storage, uas), SD/MMC, and the PXE NIC
 *                 drivers most machines have (Intel e1000, e1000e, igb,
 *                 igc, ixgbe; Realtek r8169; Broadcom tg3, bnx2, bnxt_en);
 *   - the host's modules (modsets_host()): the drivers of the machine the
 *     command runs on, read from sysfs as dracut's host-only mode does.
 *
 * Names are spelled as modprobe takes them; ukify/moddep resolves each and
 * its dependencies. Nothing here logs.
 */
#ifndef OCIBOOT_UKIFY_MODSETS_H
#define OCIBOOT_UKIFY_MODSETS_H

#include <stddef.h>

#include "lib/error.h"
#include "ukify/moddep.h"

#define MODSETS_PRESET_MODULES_MAX 48	/* names in one preset */
#define MODSETS_HOST_MAX 256		/* modules host-only mode keeps */
#define MODSETS_ALIAS_FILE_MAX (16u << 20)	/* bytes of modules.alias */
#define MODSETS_MODALIAS_MAX 1024	/* bytes of one device's modalias */
#define MODSETS_DEVICES_MAX 65536	/* devices looked at under sysfs */

struct modsets_preset {
	const char *name;
	const char *summary;		/* one line */
	const char *const *modules;	/* module_count names */
	size_t module_count;
};

extern const struct modsets_preset modsets_presets[];
extern const size_t modsets_preset_count;

/* The preset called name, or NULL. */
const struct modsets_preset *modsets_preset_find(const char *name);

/*
 * Module directories (under /lib/modules/KVER/kernel/) whose drivers the
 * host-only mode keeps: block and network controllers and the buses they
 * sit on. A host's other drivers (sound, graphics, sensors, CPU features)
 * are not needed to find and mount the store, and some fail to load where
 * their hardware is missing.
 */
extern const char *const modsets_host_dirs[];
extern const size_t modsets_host_dir_count;

/* The host's modules, names sorted bytewise, each once. */
struct modsets_host {
	char names[MODSETS_HOST_MAX][MODDEP_NAME_MAX];
	size_t count;
};

/*
 * The drivers of the machine whose sysfs is mounted at sysfs ("/sys"): for
 * every device under sysfs/bus/BUS/devices/, the module its bound driver
 * comes from (the basename of the driver/module link), and every module
 * modules.alias (in modules_dir) matches with the device's modalias (as
 * `modprobe -R` would), as dracut's host-only mode finds them. Kept are
 * the loadable modules of md (modules.dep of modules_dir) whose path lies
 * under one of modsets_host_dirs[]; built-in drivers need no module.
 * Returns 0 and fills *out; -errno reading sysfs or modules.alias (err
 * names the file); -OCIBOOT_ETOOBIG past MODSETS_HOST_MAX modules or
 * MODSETS_DEVICES_MAX devices; -ENOMEM.
 */
int modsets_host(const char *sysfs, const char *modules_dir,
		 const struct moddep *md, struct modsets_host *out,
		 struct error *err);

#endif
