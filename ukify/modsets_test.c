/* SPDX-License-Identifier: MIT */
/*
 * Module presets (the table's shape) and the host-only set over a fake
 * sysfs tree and a fake modules directory: bound drivers' modules and
 * modalias matches kept when they are storage or network drivers, others,
 * built-in and unknown ones left out, the result sorted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "ukify/moddep.h"
#include "ukify/modsets.h"

static char root[64];

static void path_of(const char *rel, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", root, rel);
}

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	path_of(rel, path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dirs(const char *rel)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
	assert_int_equal(system(cmd), 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[256];

	path_of(rel, path, sizeof(path));
	assert_int_equal(symlink(target, path), 0);
}

static const char dep[] =
	"kernel/drivers/ata/ahci.ko: kernel/drivers/ata/libahci.ko\n"
	"kernel/drivers/ata/libahci.ko:\n"
	"kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko:\n"
	"kernel/drivers/nvme/host/nvme.ko: kernel/drivers/nvme/host/nvme-core.ko\n"
	"kernel/drivers/nvme/host/nvme-core.ko:\n"
	"kernel/sound/pci/hda/snd-hda-intel.ko:\n"
	"kernel/drivers/usb/storage/usb-storage.ko:\n";

static const char alias[] =
	"# Aliases extracted from modules themselves.\n"
	"alias pci:v00008086d*sv*sd*bc01sc06i01* ahci\n"
	"alias pci:v*d*sv*sd*bc01sc08i02* nvme\n"
	"alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n"
	"alias pci:v00008086d*sv*sd*bc04sc03i00* snd_hda_intel\n"
	"alias usb:v*p*d*dc*dsc*dp*ic08isc06ip50in* usb_storage\n"
	"alias pci:v*d*sv*sd*bc0Csc03i30* xhci_pci\n";

static void device(const char *bus, const char *name, const char *modalias,
		   const char *module)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/bus/%s/devices/%s", bus, name);
	dirs(rel);
	if (modalias) {
		snprintf(rel, sizeof(rel), "sys/bus/%s/devices/%s/modalias",
			 bus, name);
		put(rel, modalias);
	}
	if (module) {
		snprintf(rel, sizeof(rel), "sys/bus/%s/devices/%s/driver", bus,
			 name);
		dirs(rel);
		snprintf(rel, sizeof(rel), "sys/bus/%s/devices/%s/driver/module",
			 bus, name);
		link_to(module, rel);
	}
}

static int make_tree(void **state)
{
	snprintf(root, sizeof(root), "/tmp/modsets_test.XXXXXX");
	assert_non_null(mkdtemp(root));
	dirs("mods");
	put("mods/modules.dep", dep);
	put("mods/modules.builtin", "kernel/drivers/usb/host/xhci-pci.ko\n");
	put("mods/modules.alias", alias);
	dirs("sys/bus/platform");	/* a bus without devices/ */
	/* SATA controller, unbound: found by its modalias */
	device("pci", "0000:00:1f.2",
	       "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01\n",
	       NULL);
	/* NVMe bound to nvme: by its driver's module */
	device("pci", "0000:01:00.0", NULL, "../../../../module/nvme");
	/* an Intel NIC bound to e1000e */
	device("pci", "0000:00:19.0",
	       "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00\n",
	       "../../../../module/e1000e");
	/* sound: bound, but not a storage or network driver */
	device("pci", "0000:00:1b.0",
	       "pci:v00008086d00002668sv00001AF4sd00001100bc04sc03i00\n",
	       "../../../../module/snd_hda_intel");
	/* an xHCI controller: its driver is built in */
	device("pci", "0000:00:14.0",
	       "pci:v00008086d00001E31sv00008086sd00007270bc0Csc03i30\n",
	       NULL);
	/* a USB stick's interface */
	device("usb", "1-1:1.0", "usb:v0781p5567d0100dc00dsc00dp00ic08isc06"
	       "ip50in00\n", NULL);
	return 0;
}

static int remove_tree(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_presets(void **state)
{
	const struct modsets_preset *base = modsets_preset_find("base");

	assert_non_null(base);
	assert_non_null(modsets_preset_find("qemu"));
	assert_non_null(modsets_preset_find("physical"));
	assert_null(modsets_preset_find("Qemu"));
	for (size_t i = 0; i < modsets_preset_count; i++) {
		const struct modsets_preset *p = &modsets_presets[i];

		/* every preset starts with the boot chain, names are unique */
		assert_true(p->module_count >= base->module_count);
		for (size_t j = 0; j < base->module_count; j++)
			assert_string_equal(p->modules[j], base->modules[j]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(p->name,
						modsets_presets[j].name);
		for (size_t j = 0; j < p->module_count; j++)
			for (size_t k = 0; k < j; k++)
				assert_string_not_equal(p->modules[j],
							p->modules[k]);
	}
}

static void load(struct moddep *md)
{
	static const char builtin[] = "kernel/drivers/usb/host/xhci-pci.ko\n";

	assert_int_equal(moddep_parse(md, dep, strlen(dep), builtin,
				      strlen(builtin)), 0);
}

static void test_host(void **state)
{
	static const char *const want[] = {
		"ahci", "e1000e", "nvme", "usb_storage",
	};
	struct modsets_host *host = malloc(sizeof(*host));
	char sys[128], mods[128];
	struct moddep md;
	struct error err;

	assert_non_null(host);
	load(&md);
	path_of("sys", sys, sizeof(sys));
	path_of("mods", mods, sizeof(mods));
	error_clear(&err);
	assert_int_equal(modsets_host(sys, mods, &md, host, &err), 0);
	assert_int_equal(host->count, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(host->names[i], want[i]);
	moddep_free(&md);
	free(host);
}

static void test_host_failures(void **state)
{
	struct modsets_host *host = malloc(sizeof(*host));
	char sys[128], mods[128], line[ERROR_LINE_MAX];
	struct moddep md;
	struct error err;

	assert_non_null(host);
	load(&md);
	path_of("sys", sys, sizeof(sys));
	path_of("nowhere", mods, sizeof(mods));
	error_clear(&err);
	assert_int_equal(modsets_host(sys, mods, &md, host, &err), -ENOENT);
	assert_non_null(strstr(error_format(&err, line, sizeof(line)),
			       "nowhere/modules.alias"));
	path_of("nowhere", sys, sizeof(sys));
	path_of("mods", mods, sizeof(mods));
	error_clear(&err);
	assert_int_equal(modsets_host(sys, mods, &md, host, &err), -ENOENT);
	assert_non_null(strstr(error_format(&err, line, sizeof(line)),
			       "nowhere/bus"));
	moddep_free(&md);
	free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_host_failures),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
