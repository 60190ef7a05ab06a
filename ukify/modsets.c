/* SPDX-License-Identifier: MIT */
/* Module presets and the host-only module set; see modsets.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"
#include "ukify/modsets.h"

/*
 * The boot chain: the store (ext4 or erofs: their modules go to lists of
 * their own, loaded only for a store of theirs; ukify/initrd.h), the
 * layers (a list of their own, loaded beside the store and verify
 * stages), the firmware's variables (efivarfs: a list of its own too,
 * loaded only when the kernel does not say Secure Boot is on).
 */
#define BASE_MODULES \
	"efivarfs", "loop", "squashfs", "overlay", "dm-verity", "ext4", \
	"erofs"

static const char *const base_modules[] = { BASE_MODULES };

static const char *const qemu_modules[] = {
	BASE_MODULES, "virtio_blk", "virtio_pci", "virtio_net",
};

static const char *const physical_modules[] = {
	BASE_MODULES,
	/* disks: NVMe (and Intel VMD in front of it), SATA, SCSI disks */
	"nvme", "vmd", "ahci", "ata_piix", "ata_generic", "sd_mod",
	/* USB storage behind every host controller kind */
	"xhci_pci", "ehci_pci", "ohci_pci", "uhci_hcd", "usb_storage", "uas",
	/* SD and eMMC */
	"sdhci_pci", "mmc_block",
	/* the NICs PXE machines most often have */
	"e1000", "e1000e", "igb", "igc", "ixgbe", "r8169", "tg3", "bnx2",
	"bnxt_en",
};

#define PRESET(n, s, m) { n, s, m, ARRAY_SIZE(m) }

const struct modsets_preset modsets_presets[] = {
	PRESET("base", "the boot chain only: loop, squashfs, overlay, "
	       "dm-verity, ext4 and erofs (loaded for a store of theirs), "
	       "efivarfs (loaded when Secure Boot is not on)", base_modules),
	PRESET("qemu", "base + virtio disks and NICs (QEMU/KVM guests; the "
	       "demo's)", qemu_modules),
	PRESET("physical", "base + NVMe, AHCI/SATA, USB and SD storage, "
	       "common PXE NICs", physical_modules),
};

const size_t modsets_preset_count = ARRAY_SIZE(modsets_presets);

_Static_assert(ARRAY_SIZE(physical_modules) <= MODSETS_PRESET_MODULES_MAX,
	       "presets fit");

const struct modsets_preset *modsets_preset_find(const char *name)
{
	for (size_t i = 0; i < modsets_preset_count; i++)
		if (streq(modsets_presets[i].name, name))
			return &modsets_presets[i];
	return NULL;
}

const char *const modsets_host_dirs[] = {
	"kernel/drivers/ata/",
	"kernel/drivers/block/",
	"kernel/drivers/mmc/",
	"kernel/drivers/net/ethernet/",
	"kernel/drivers/net/virtio_net.ko",
	"kernel/drivers/nvme/",
	"kernel/drivers/pci/controller/",
	"kernel/drivers/scsi/",
	"kernel/drivers/usb/host/",
	"kernel/drivers/usb/storage/",
	"kernel/drivers/virtio/",
};

const size_t modsets_host_dir_count = ARRAY_SIZE(modsets_host_dirs);

/* --- host-only -------------------------------------------------------- */

struct alias {
	const char *pattern;
	const char *module;
};

struct host {
	const struct moddep *md;
	struct modsets_host *out;
	struct alias *aliases;
	size_t alias_count;
	size_t devices;
	struct error *err;
};

static bool under_host_dirs(const char *path)
{
	for (size_t i = 0; i < modsets_host_dir_count; i++)
		if (strncmp(path, modsets_host_dirs[i],
			    strlen(modsets_host_dirs[i])) == 0)
			return true;
	return false;
}

/* Keep name when it is a loadable module under the host dirs. */
static int keep(struct host *h, const char *name)
{
	long i = moddep_find(h->md, name);
	const struct moddep_module *m;

	if (i < 0)
		return 0;
	m = &h->md->modules[i];
	if (m->builtin || !under_host_dirs(m->path))
		return 0;
	for (size_t j = 0; j < h->out->count; j++)
		if (streq(h->out->names[j], m->name))
			return 0;
	if (h->out->count >= MODSETS_HOST_MAX)
		return error_set(h->err, -OCIBOOT_ETOOBIG, NULL, "more than "
				 "%d host modules", MODSETS_HOST_MAX);
	memcpy(h->out->names[h->out->count++], m->name, MODDEP_NAME_MAX);
	return 0;
}

/* "alias PATTERN MODULE" lines of modules.alias, cut in place. */
static int parse_aliases(struct host *h, char *text, size_t len)
{
	size_t lines = 0, n = 0;
	char *save, *line;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	h->aliases = calloc(lines + 1, sizeof(*h->aliases));
	if (!h->aliases)
		return error_set(h->err, -ENOMEM, NULL, "modules.alias");
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *word, *pattern, *module, *s2;

		word = strtok_r(line, " \t", &s2);
		pattern = strtok_r(NULL, " \t", &s2);
		module = strtok_r(NULL, " \t", &s2);
		if (!word || !streq(word, "alias") || !pattern || !module ||
		    n > lines)
			continue;
		h->aliases[n].pattern = pattern;
		h->aliases[n++].module = module;
	}
	h->alias_count = n;
	return 0;
}

static int device_modalias(struct host *h, int dev_fd)
{
	char alias[MODSETS_MODALIAS_MAX + 1];
	ssize_t n;
	int r = 0;

	n = fileio_read_text(dev_fd, "modalias", alias, sizeof(alias), 0);
	if (n <= 0)
		return 0;	/* none, or unreadable: nothing to match */
	while (n > 0 && (alias[n - 1] == '\n' || alias[n - 1] == ' '))
		alias[--n] = '\0';
	for (size_t i = 0; i < h->alias_count && r == 0; i++)
		if (fnmatch(h->aliases[i].pattern, alias, 0) == 0)
			r = keep(h, h->aliases[i].module);
	return r;
}

static int device_driver(struct host *h, int dev_fd)
{
	char target[4096];
	const char *base;
	ssize_t n;

	n = readlinkat(dev_fd, "driver/module", target, sizeof(target) - 1);
	if (n <= 0)
		return 0;	/* no driver, or a built-in one */
	target[n] = '\0';
	base = strrchr(target, '/');
	return keep(h, base ? base + 1 : target);
}

static int scan_bus(struct host *h, int bus_fd, const char *sysfs,
		    const char *bus)
{
	struct dirent *d;
	int fd, r = 0;
	DIR *dir;

	fd = openat(bus_fd, "devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* a bus without devices */
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return error_set(h->err, -errno, NULL, "%s/bus/%s/devices",
				 sysfs, bus);
	}
	while (r == 0 && (d = readdir(dir))) {
		int dev_fd;

		if (d->d_name[0] == '.')
			continue;
		if (++h->devices > MODSETS_DEVICES_MAX) {
			r = error_set(h->err, -OCIBOOT_ETOOBIG, NULL, "more "
				      "than %d devices under %s/bus",
				      MODSETS_DEVICES_MAX, sysfs);
			break;
		}
		dev_fd = openat(dirfd(dir), d->d_name, O_RDONLY |
				O_DIRECTORY | O_CLOEXEC);
		if (dev_fd < 0)
			continue;
		r = device_driver(h, dev_fd);
		if (r == 0)
			r = device_modalias(h, dev_fd);
		close(dev_fd);
	}
	closedir(dir);
	return r;
}

static int scan_buses(struct host *h, const char *sysfs)
{
	char path[4096];
	struct dirent *d;
	int r = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/bus", sysfs);
	dir = opendir(path);
	if (!dir)
		return error_set(h->err, -errno, NULL, "%s", path);
	while (r == 0 && (d = readdir(dir))) {
		int bus_fd;

		if (d->d_name[0] == '.')
			continue;
		bus_fd = openat(dirfd(dir), d->d_name, O_RDONLY |
				O_DIRECTORY | O_CLOEXEC);
		if (bus_fd < 0)
			continue;
		r = scan_bus(h, bus_fd, sysfs, d->d_name);
		close(bus_fd);
	}
	closedir(dir);
	return r;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int modsets_host(const char *sysfs, const char *modules_dir,
		 const struct moddep *md, struct modsets_host *out,
		 struct error *err)
{
	struct host h = { .md = md, .out = out, .err = err };
	char path[4096];
	uint8_t *text;
	size_t len;
	int r;

	out->count = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/modules.alias",
			     modules_dir) >= sizeof(path))
		return error_set(err, -ENAMETOOLONG, NULL, "%s/modules.alias",
				 modules_dir);
	r = fileio_read_file_alloc(AT_FDCWD, path, MODSETS_ALIAS_FILE_MAX,
				   FILEIO_REGULAR, &text, &len);
	if (r < 0)
		return error_set(err, r, NULL, "%s", path);
	r = parse_aliases(&h, (char *)text, len);
	if (r == 0)
		r = scan_buses(&h, sysfs);
	if (r == 0)
		qsort(out->names, out->count, sizeof(out->names[0]),
		      compare_names);
	free(h.aliases);
	free(text);
	return r;
}
