/* SPDX-License-Identifier: MIT */
/*
 * The devices the kernel saw, for a failure line a user can act on: when
 * no block device appeared, the storage controller's driver is most likely
 * missing from the initrd, and the controller's PCI class and
 * vendor:device ids (or its virtio device id) name the module to add
 * (modules.alias maps "pci:vVVVVVVVVdDDDDDDDD*" and "virtio:dDDDDDDDDv*"
 * to it).
 *
 * Reads SYSFS/bus/pci/devices/ * and SYSFS/bus/virtio/devices/ * (class,
 * vendor, device, modalias, and the driver link) through a directory fd, so a test
 * can hand it a fake tree. Nothing here allocates or logs.
 */
#ifndef OCIBOOT_INIT_DEVICES_H
#define OCIBOOT_INIT_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEVICES_MAX 64			/* devices kept; more are counted */
#define DEVICES_NAME_MAX 31		/* bytes of a sysfs device name */
#define DEVICES_DRIVER_MAX 31		/* bytes of a driver name */
#define DEVICES_MODALIAS_MAX 95		/* bytes of a modalias kept */

enum devices_bus {
	DEVICES_PCI,			/* class, vendor, device */
	DEVICES_VIRTIO,			/* vendor, device (the virtio id) */
};

struct devices_entry {
	enum devices_bus bus;
	char name[DEVICES_NAME_MAX + 1];	/* "0000:00:1f.2", "virtio0" */
	uint32_t class;			/* PCI: 0xBBSSPP */
	uint32_t vendor, device;
	char driver[DEVICES_DRIVER_MAX + 1];	/* "" when none is bound */
	/* "pci:v00008086d00002922sv...", "" when unreadable or longer */
	char modalias[DEVICES_MODALIAS_MAX + 1];
};

struct devices_list {
	struct devices_entry entries[DEVICES_MAX];	/* sorted: bus, name */
	size_t count;
	size_t seen;			/* all found, beyond DEVICES_MAX too */
};

/*
 * Fill *list from the sysfs open on sys_fd ("/sys"). A bus missing from
 * sysfs has no devices; a device whose attributes cannot be read is left
 * out. Returns 0 (always: what was read is what there is to say).
 */
int devices_scan(int sys_fd, struct devices_list *list);

/*
 * One device as a user reads it, into buf[size] (cut when too small):
 *   "pci 0000:00:1f.2 class 010601 (storage) 8086:2922"
 *   "virtio virtio0 device 0002 (block) vendor 1af4"
 * followed, when detail, by " driver NAME" when one is bound, else by
 * " modalias ALIAS" (what `modprobe -R` resolves to the module).
 * Returns buf.
 */
const char *devices_format(const struct devices_entry *e, bool detail,
			   char *buf, size_t size);

/*
 * Whether e can lead to a disk: a PCI storage controller (class 01), USB
 * controller (0c03) or SD host controller (0805), or a virtio block or
 * SCSI device.
 */
bool devices_is_storage(const struct devices_entry *e);

/*
 * The devices without a driver (only those devices_is_storage() takes,
 * when storage_only), "; "-separated as devices_format() writes them
 * (without drivers), or "none"; "and N more" when they do not all fit or
 * were not all kept. Returns buf.
 */
const char *devices_unbound(const struct devices_list *list,
			    bool storage_only, char *buf, size_t size);

/*
 * What to tell a user whose machine showed no block device at all, into
 * buf[size] (cut when too small): that the initrd probably lacks the
 * storage driver, the storage controllers without a driver (all devices
 * without one when no storage controller lacks it), and how to add a
 * module to the initrd. Returns buf.
 */
const char *devices_no_disk_advice(const struct devices_list *list,
				   char *buf, size_t size);

#endif
