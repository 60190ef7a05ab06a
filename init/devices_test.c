/* SPDX-License-Identifier: MIT */
/*
 * The devices the kernel saw: a fake sysfs tree (PCI devices with and
 * without a driver, a virtio disk without one, a broken entry) scanned and
 * formatted into the store-not-found advice, exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/devices.h"
#include "lib/util.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void link_to(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* One PCI device directory with its three attributes. */
static void pci(const char *name, const char *class, const char *vendor,
		const char *device, const char *driver)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", name);
	dir(rel);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", name);
	put(rel, class);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", name);
	put(rel, vendor);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/device", name);
	put(rel, device);
	if (driver) {
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver", name);
		link_to(driver, rel);
	}
}

static int make_tree(void **state)
{
	snprintf(root, sizeof(root), "/tmp/devices_test.XXXXXX");
	assert_non_null(mkdtemp(root));
	dir("bus");
	dir("bus/pci");
	dir("bus/pci/devices");
	dir("bus/virtio");
	dir("bus/virtio/devices");
	/* q35's SATA controller, no driver; a bridge with one */
	pci("0000:00:1f.2", "0x010601\n", "0x8086\n", "0x2922\n", NULL);
	put("bus/pci/devices/0000:00:1f.2/modalias",
	    "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01\n");
	pci("0000:00:00.0", "0x060000\n", "0x8086\n", "0x29c0\n", NULL);
	pci("0000:00:1f.0", "0x060100\n", "0x8086\n", "0x2918\n",
	    "../../../bus/pci/drivers/lpc_ich");
	/* a virtio disk: the PCI function bound, the virtio device not */
	pci("0000:00:02.0", "0x010000\n", "0x1af4\n", "0x1001\n",
	    "../../../bus/pci/drivers/virtio-pci");
	dir("bus/virtio/devices/virtio0");
	put("bus/virtio/devices/virtio0/vendor", "0x1af4\n");
	put("bus/virtio/devices/virtio0/device", "0x0002\n");
	put("bus/virtio/devices/virtio0/modalias", "virtio:d00000002v00001AF4\n");
	/* unreadable: no attributes; left out */
	dir("bus/pci/devices/0000:00:03.0");
	return 0;
}

static int remove_tree(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void scan(struct devices_list *list)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(devices_scan(fd, list), 0);
	close(fd);
}

static void test_scan_and_format(void **state)
{
	struct devices_list list;
	char line[160];

	scan(&list);
	assert_int_equal(list.count, 5);
	assert_int_equal(list.seen, 5);
	assert_string_equal(devices_format(&list.entries[0], true, line,
					   sizeof(line)),
			    "pci 0000:00:00.0 class 060000 (bridge) 8086:29c0");
	assert_string_equal(devices_format(&list.entries[1], true, line,
					   sizeof(line)),
			    "pci 0000:00:02.0 class 010000 (storage) "
			    "1af4:1001 driver virtio-pci");
	assert_string_equal(devices_format(&list.entries[3], true, line,
					   sizeof(line)),
			    "pci 0000:00:1f.2 class 010601 (storage) "
			    "8086:2922 modalias "
			    "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01");
	assert_string_equal(devices_format(&list.entries[3], false, line,
					   sizeof(line)),
			    "pci 0000:00:1f.2 class 010601 (storage) "
			    "8086:2922");
	assert_string_equal(devices_format(&list.entries[4], true, line,
					   sizeof(line)),
			    "virtio virtio0 device 0002 (block) vendor 1af4 "
			    "modalias virtio:d00000002v00001AF4");
	/* cut, never overrun */
	assert_string_equal(devices_format(&list.entries[4], true, line, 12),
			    "virtio v...");
}

static void test_advice(void **state)
{
	struct devices_list list;
	char buf[768];

	scan(&list);
	assert_string_equal(devices_no_disk_advice(&list, buf, sizeof(buf)),
		"the initrd probably lacks the storage driver; storage "
		"controllers with no driver: "
		"pci 0000:00:1f.2 class 010601 (storage) 8086:2922; virtio "
		"virtio0 device 0002 (block) vendor 1af4; add the disk "
		"controller's module with `ociboot ukify initrd --module "
		"NAME` (`modprobe -S KVER -R MODALIAS` names it from the "
		"modalias logged above), or build the initrd with --preset "
		"physical or --host-only");
}

static void test_advice_no_storage(void **state)
{
	struct devices_list list;
	char buf[768];

	scan(&list);
	/* only the unbound bridge left: every unbound device is named */
	list.entries[3].driver[0] = 'x';
	list.entries[4].driver[0] = 'x';
	assert_string_equal(devices_no_disk_advice(&list, buf, sizeof(buf)),
		"the initrd probably lacks the storage driver; devices with "
		"no driver: pci 0000:00:00.0 class 060000 (bridge) 8086:29c0; "
		"add the disk controller's module with `ociboot ukify initrd "
		"--module NAME` (`modprobe -S KVER -R MODALIAS` names it from "
		"the modalias logged above), or build the initrd with "
		"--preset physical or --host-only");
	/* a small buffer is cut, never overrun */
	assert_int_equal(strlen(devices_no_disk_advice(&list, buf, 40)), 39);
}

static void test_unbound_cut(void **state)
{
	struct devices_list list;
	char buf[80];

	scan(&list);
	assert_string_equal(devices_unbound(&list, false, buf, sizeof(buf)),
		"pci 0000:00:00.0 class 060000 (bridge) 8086:29c0 and 2 more");
	assert_string_equal(devices_unbound(&list, true, buf, sizeof(buf)),
		"pci 0000:00:1f.2 class 010601 (storage) 8086:2922 and 1 more");
	list.count = 0;
	list.seen = 0;
	assert_string_equal(devices_unbound(&list, false, buf, sizeof(buf)),
			    "none");
}

static void test_no_sysfs(void **state)
{
	struct devices_list list;
	char buf[64];
	int fd;

	/* a directory without bus/: no buses, nothing to say */
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	{
		int sub = openat(fd, "bus/virtio", O_RDONLY | O_DIRECTORY);

		assert_true(sub >= 0);
		assert_int_equal(devices_scan(sub, &list), 0);
		close(sub);
	}
	close(fd);
	assert_int_equal(list.count, 0);
	assert_string_equal(devices_unbound(&list, true, buf, sizeof(buf)),
			    "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_and_format),
		cmocka_unit_test(test_advice),
		cmocka_unit_test(test_advice_no_storage),
		cmocka_unit_test(test_unbound_cut),
		cmocka_unit_test(test_no_sysfs),
	};

	return cmocka_run_group_tests(tests, make_tree, remove_tree);
}
