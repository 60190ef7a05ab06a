/* SPDX-License-Identifier: MIT */
/* The devices the kernel saw; see devices.h. */
#include "init/devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Bytes of a sysfs number attribute ("0x010601\n"). */
#define ATTR_MAX 32

static const struct {
	enum devices_bus bus;
	const char *dir;		/* under the sysfs root */
	const char *label;
} buses[] = {
	{ DEVICES_PCI, "bus/pci/devices", "pci" },
	{ DEVICES_VIRTIO, "bus/virtio/devices", "virtio" },
};

/* A "0x..." hex attribute of dev_fd. Returns 0 or -errno / -EINVAL. */
static int read_hex(int dev_fd, const char *name, uint32_t *out)
{
	char text[ATTR_MAX];
	char *end;
	ssize_t n;
	unsigned long v;

	n = fileio_read_text(dev_fd, name, text, sizeof(text), 0);
	if (n < 0)
		return (int)n;
	errno = 0;
	v = strtoul(text, &end, 16);
	if (errno || end == text || (*end && *end != '\n') || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static void read_driver(int dev_fd, char driver[DEVICES_DRIVER_MAX + 1])
{
	char target[256];
	const char *base;
	ssize_t n;

	driver[0] = '\0';
	n = readlinkat(dev_fd, "driver", target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) <= DEVICES_DRIVER_MAX)
		memcpy(driver, base, strlen(base) + 1);
}

/* The device's modalias, "" when it has none that fits. */
static void read_modalias(int dev_fd, char out[DEVICES_MODALIAS_MAX + 1])
{
	ssize_t n = fileio_read_text(dev_fd, "modalias", out,
				     DEVICES_MODALIAS_MAX + 1, 0);

	if (n < 0)
		n = 0;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	out[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (out[i] <= ' ' || out[i] > '~')
			out[0] = '\0';	/* not worth showing */
}

static int read_device(int dir_fd, enum devices_bus bus, const char *name,
		       struct devices_entry *e)
{
	int fd, r;

	if (strlen(name) > DEVICES_NAME_MAX)
		return -ENAMETOOLONG;
	fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(e, 0, sizeof(*e));
	e->bus = bus;
	memcpy(e->name, name, strlen(name) + 1);
	r = read_hex(fd, "vendor", &e->vendor);
	if (r == 0)
		r = read_hex(fd, "device", &e->device);
	if (r == 0 && bus == DEVICES_PCI)
		r = read_hex(fd, "class", &e->class);
	if (r == 0) {
		read_driver(fd, e->driver);
		read_modalias(fd, e->modalias);
	}
	close(fd);
	return r;
}

static void scan_bus(int sys_fd, size_t b, struct devices_list *list)
{
	struct dirent *d;
	DIR *dir;
	int fd;

	fd = openat(sys_fd, buses[b].dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((d = readdir(dir))) {
		struct devices_entry e;

		if (d->d_name[0] == '.' ||
		    read_device(dirfd(dir), buses[b].bus, d->d_name, &e) < 0)
			continue;
		list->seen++;
		if (list->count < DEVICES_MAX)
			list->entries[list->count++] = e;
	}
	closedir(dir);
}

static int compare_entries(const void *pa, const void *pb)
{
	const struct devices_entry *a = pa, *b = pb;

	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	return strcmp(a->name, b->name);
}

int devices_scan(int sys_fd, struct devices_list *list)
{
	list->count = 0;
	list->seen = 0;
	for (size_t b = 0; b < ARRAY_SIZE(buses); b++)
		scan_bus(sys_fd, b, list);
	qsort(list->entries, list->count, sizeof(list->entries[0]),
	      compare_entries);
	return 0;
}

/* The PCI base class (and USB's subclass) in words. */
static const char *pci_class_name(uint32_t class)
{
	static const char *const names[] = {
		[0x00] = "unclassified", [0x01] = "storage",
		[0x02] = "network", [0x03] = "display",
		[0x04] = "multimedia", [0x05] = "memory", [0x06] = "bridge",
		[0x07] = "communication", [0x08] = "system", [0x09] = "input",
		[0x0c] = "serial bus",
	};
	unsigned int base = class >> 16;

	if ((class >> 8) == 0x0c03)
		return "USB";
	if (base < ARRAY_SIZE(names) && names[base])
		return names[base];
	return "other";
}

/* The virtio device ids of the virtio specification, 5.x. */
static const char *virtio_device_name(uint32_t id)
{
	switch (id) {
	case 1: return "network";
	case 2: return "block";
	case 3: return "console";
	case 4: return "entropy";
	case 5: return "balloon";
	case 8: return "SCSI";
	}
	return "other";
}

static void format_entry(struct strbuf *sb, const struct devices_entry *e,
			 bool detail)
{
	if (e->bus == DEVICES_PCI)
		strbuf_printf(sb, "pci %s class %06x (%s) %04x:%04x", e->name,
			      (unsigned int)e->class,
			      pci_class_name(e->class),
			      (unsigned int)e->vendor,
			      (unsigned int)e->device);
	else
		strbuf_printf(sb, "virtio %s device %04x (%s) vendor %04x",
			      e->name, (unsigned int)e->device,
			      virtio_device_name(e->device),
			      (unsigned int)e->vendor);
	if (detail && e->driver[0])
		strbuf_printf(sb, " driver %s", e->driver);
	else if (detail && e->modalias[0])
		strbuf_printf(sb, " modalias %s", e->modalias);
}

const char *devices_format(const struct devices_entry *e, bool detail,
			   char *buf, size_t size)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	format_entry(&sb, e, detail);
	strbuf_mark_cut(&sb, "...");
	return buf;
}

bool devices_is_storage(const struct devices_entry *e)
{
	if (e->bus == DEVICES_VIRTIO)
		return e->device == 2 || e->device == 8;
	return (e->class >> 16) == 0x01 || (e->class >> 8) == 0x0c03 ||
	       (e->class >> 8) == 0x0805;
}

const char *devices_unbound(const struct devices_list *list,
			    bool storage_only, char *buf, size_t size)
{
	size_t shown = 0, left = list->seen - list->count;
	char one[160];
	struct strbuf sb;

	strbuf_init(&sb, buf, size);
	for (size_t i = 0; i < list->count; i++) {
		const struct devices_entry *e = &list->entries[i];

		if (e->driver[0] || (storage_only && !devices_is_storage(e)))
			continue;
		devices_format(e, false, one, sizeof(one));
		/* Room for "; ", the entry and " and N more" after it. */
		if (left || strbuf_len(&sb) + strlen(one) + 24 >= size) {
			left++;
			continue;
		}
		strbuf_printf(&sb, "%s%s", shown ? "; " : "", one);
		shown++;
	}
	if (shown == 0 && left == 0)
		strbuf_puts(&sb, "none");
	else if (left)
		strbuf_printf(&sb, "%sand %zu more", shown ? " " : "", left);
	return buf;
}

#define ADVICE_HEAD "the initrd probably lacks the storage driver; "
#define ADVICE_TAIL "; add the disk controller's module with `ociboot " \
	"ukify initrd --module NAME` (`modprobe -S KVER -R MODALIAS` " \
	"names it from the modalias logged above), or build the initrd " \
	"with --preset physical or --host-only"

const char *devices_no_disk_advice(const struct devices_list *list,
				   char *buf, size_t size)
{
	const char *which = "storage controllers with no driver: ";
	size_t fixed = sizeof(ADVICE_HEAD) + sizeof(ADVICE_TAIL) + 40;
	char unbound[512];
	size_t cap = sizeof(unbound);
	struct strbuf sb;

	if (size > fixed && size - fixed < cap)
		cap = size - fixed;
	devices_unbound(list, true, unbound, cap);
	if (streq(unbound, "none")) {
		which = "devices with no driver: ";
		devices_unbound(list, false, unbound, cap);
	}
	strbuf_init(&sb, buf, size);
	strbuf_printf(&sb, "%s%s%s%s", ADVICE_HEAD, which, unbound,
		      ADVICE_TAIL);
	strbuf_mark_cut(&sb, "...");
	return buf;
}
