/* SPDX-License-Identifier: MIT */
/*
 * Tests of fs/store.c over fake sysfs trees: a temporary directory laid out
 * like /sys (devices/virtual/block/DISK/PART with dev, size, partition,
 * start; class/block links to them) and a dev directory of image files in
 * place of device nodes. Without arguments: the cmocka tests. With
 * arguments it is the driver fs/store_test.sh uses on real and fake trees:
 *
 *   store find [-s SYSFS_BLOCK] [-d DEV_DIR] [-t TIMEOUT_MS] [-f] LOCATION
 *
 * LOCATION is an oci= value (KEY=VALUE:/PATH); -f accepts regular files as
 * devices. Prints "PATH MAJ:MIN FSTYPE" and exits 0; exits 3 when two
 * devices match (naming both), 4 on timeout, 1 on other errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "oci/oci_ref.h"
#include "fs/store.h"
#include "lib/clock.h"
#include "lib/constants.h"
#include "lib/endian.h"
#include "lib/util.h"

/* --- images --------------------------------------------------------------- */

#define TREE_PATH_MAX 512		/* any path in the fake tree */
#define PART_SECTORS 64			/* every partition: 32 KiB */
#define DISK_SECTORS 2048		/* every disk: 1 MiB */

/* An ext4 superblock (no metadata_csum) at 1024 in img. */
static void ext_write(uint8_t *img, const char *label, uint8_t uuid_tag)
{
	uint8_t *sb = img + 1024;

	memset(sb, 0, 1024);
	le16_store(sb + 0x38, 0xef53);
	le32_store(sb + 0x5c, 0x3c);
	le32_store(sb + 0x60, 0x2c2);
	le32_store(sb + 0x64, 0x7b);
	for (int i = 0; i < 16; i++)
		sb[0x68 + i] = (uint8_t)(uuid_tag * 16 + i);
	memcpy(sb + 0x78, label, strnlen(label, 16));
}

struct gpt_part {
	uint64_t first;			/* 512-byte sectors */
	const char *name;
	uint8_t guid_tag;
};

/* A GPT disk of DISK_SECTORS with parts; the backup header only if
 * primary is false. */
static void gpt_write(uint8_t *img, const struct gpt_part *parts,
		      size_t n, bool primary)
{
	static const uint8_t type[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 1 };
	uint64_t hlba = primary ? 1 : DISK_SECTORS - 1;
	uint64_t elba = primary ? 2 : DISK_SECTORS - 33;
	uint8_t *h = img + hlba * SECTOR_SIZE, *a = img + elba * SECTOR_SIZE;

	img[0x1be + 4] = 0xee;
	le32_store(img + 0x1be + 8, 1);
	img[510] = 0x55;
	img[511] = 0xaa;
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = a + i * 128;

		memcpy(e, type, 16);
		for (int k = 0; k < 16; k++)
			e[16 + k] = (uint8_t)(parts[i].guid_tag * 16 + k);
		le64_store(e + 32, parts[i].first);
		le64_store(e + 40, parts[i].first + PART_SECTORS - 1);
		for (size_t k = 0; parts[i].name[k] && k < 36; k++)
			le16_store(e + 56 + 2 * k, (uint8_t)parts[i].name[k]);
	}
	memcpy(h, "EFI PART", 8);
	le32_store(h + 8, 0x10000);
	le32_store(h + 12, 92);
	le64_store(h + 24, hlba);
	le64_store(h + 32, primary ? DISK_SECTORS - 1 : 1);
	le64_store(h + 40, 34);
	le64_store(h + 48, DISK_SECTORS - 34);
	le64_store(h + 72, elba);
	le32_store(h + 80, 128);
	le32_store(h + 84, 128);
	le32_store(h + 88, (uint32_t)crc32(0, a, 128 * 128));
	le32_store(h + 16, (uint32_t)crc32(0, h, 92));
}

/* --- the fake tree -------------------------------------------------------- */

struct tree {
	char root[64];
	char sys[128];			/* ROOT/sys/class/block */
	char dev[128];			/* ROOT/dev */
	unsigned int next_minor;
};

static void xmkdir(const char *fmt, ...)
{
	char path[TREE_PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void attr(const char *dir, const char *name, const char *fmt, ...)
{
	char path[2 * TREE_PATH_MAX], value[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, value, strlen(value));
}

static void tree_init(struct tree *t)
{
	snprintf(t->root, sizeof(t->root), "/tmp/store-test.XXXXXX");
	assert_non_null(mkdtemp(t->root));
	xmkdir("%s/sys", t->root);
	xmkdir("%s/sys/class", t->root);
	xmkdir("%s/sys/class/block", t->root);
	xmkdir("%s/sys/devices", t->root);
	xmkdir("%s/sys/devices/virtual", t->root);
	xmkdir("%s/sys/devices/virtual/block", t->root);
	xmkdir("%s/dev", t->root);
	snprintf(t->sys, sizeof(t->sys), "%s/sys/class/block", t->root);
	snprintf(t->dev, sizeof(t->dev), "%s/dev", t->root);
	t->next_minor = 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void tree_free(struct tree *t)
{
	nftw(t->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The device node stand-in: dev/NAME ('!' as '/') holding data. */
static void dev_file(struct tree *t, const char *name, const void *data,
		     size_t len)
{
	char path[TREE_PATH_MAX];
	char *slash;

	snprintf(path, sizeof(path), "%s/%s", t->dev, name);
	slash = strchr(path + strlen(t->dev) + 1, '!');
	if (slash) {
		*slash = '\0';
		xmkdir("%s", path);
		*slash = '/';
	}
	write_file(path, data, len);
}

static void class_link(struct tree *t, const char *target, const char *name)
{
	char link[TREE_PATH_MAX];

	snprintf(link, sizeof(link), "%s/%s", t->sys, name);
	assert_int_equal(symlink(target, link), 0);
}

/* A whole disk of data (len bytes; size attribute sectors). */
static void add_disk(struct tree *t, const char *name, const uint8_t *data,
		     size_t len)
{
	char dir[TREE_PATH_MAX], target[TREE_PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/sys/devices/virtual/block/%s",
		 t->root, name);
	xmkdir("%s", dir);
	xmkdir("%s/queue", dir);
	xmkdir("%s/holders", dir);
	attr(dir, "dev", "254:%u\n", t->next_minor);
	t->next_minor += 16;
	attr(dir, "size", "%zu\n", len / SECTOR_SIZE);
	attr(dir, "queue/logical_block_size", "512\n");
	snprintf(target, sizeof(target), "../../devices/virtual/block/%s",
		 name);
	class_link(t, target, name);
	if (data)
		dev_file(t, name, data, len);
}

/* Partition number partno of disk, first..first+PART_SECTORS of its data. */
static void add_part(struct tree *t, const char *disk, const char *name,
		     unsigned int partno, uint64_t first, const uint8_t *data)
{
	char dir[TREE_PATH_MAX], target[TREE_PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/sys/devices/virtual/block/%s/%s",
		 t->root, disk, name);
	xmkdir("%s", dir);
	attr(dir, "dev", "259:%u\n", t->next_minor++);
	attr(dir, "size", "%u\n", PART_SECTORS);
	attr(dir, "partition", "%u\n", partno);
	attr(dir, "start", "%llu\n", (unsigned long long)first);
	snprintf(target, sizeof(target), "../../devices/virtual/block/%s/%s",
		 disk, name);
	class_link(t, target, name);
	dev_file(t, name, data + first * SECTOR_SIZE, PART_SECTORS * SECTOR_SIZE);
}

/*
 * The standard tree: vda, a GPT disk with vda1 (ext4 "rootfs", PARTLABEL
 * "system") and vda2 (ext4 "ocistore", PARTLABEL "store"); vdb, a whole-
 * disk ext4 "data"; loop0, unbound (size 0, no node).
 */
static uint8_t vda[DISK_SECTORS * SECTOR_SIZE], vdb[DISK_SECTORS * SECTOR_SIZE];

static const struct gpt_part vda_parts[] = {
	{ 2048 - 2 * PART_SECTORS - 64, "system", 0xa },
	{ 2048 - PART_SECTORS - 64, "store", 0xb },
};

#define VDA1_FIRST (2048 - 2 * PART_SECTORS - 64)
#define VDA2_FIRST (2048 - PART_SECTORS - 64)
#define VDA2_PARTUUID "b3b2b1b0-b5b4-b7b6-b8b9-babbbcbdbebf"
#define VDA2_UUID "02030405-0607-0809-0a0b-0c0d0e0f1011"

static void standard_tree(struct tree *t)
{
	tree_init(t);
	memset(vda, 0, sizeof(vda));
	gpt_write(vda, vda_parts, ARRAY_SIZE(vda_parts), true);
	ext_write(vda + VDA1_FIRST * SECTOR_SIZE, "rootfs", 1);
	ext_write(vda + VDA2_FIRST * SECTOR_SIZE, "ocistore", 0);
	/* The UUID of vda2 is 00..0f + 2: set it apart from vda1. */
	for (int i = 0; i < 16; i++)
		vda[VDA2_FIRST * SECTOR_SIZE + 1024 + 0x68 + i] = (uint8_t)(i + 2);
	memset(vdb, 0, sizeof(vdb));
	ext_write(vdb, "data", 3);
	add_disk(t, "vda", vda, sizeof(vda));
	add_part(t, "vda", "vda1", 1, VDA1_FIRST, vda);
	add_part(t, "vda", "vda2", 2, VDA2_FIRST, vda);
	add_disk(t, "vdb", vdb, sizeof(vdb));
	add_disk(t, "loop0", NULL, 0);
}

static void config_for(struct store_config *cfg, const struct tree *t)
{
	store_config_default(cfg);
	cfg->sysfs_block = t->sys;
	cfg->dev_dir = t->dev;
	cfg->allow_regular_files = true;
	cfg->timeout_ms = 0;
}

static int find(const struct tree *t, enum oci_device_key key,
		const char *value, struct store_result *res)
{
	struct store_config cfg;
	struct store_key k = { key, value };

	config_for(&cfg, t);
	return store_find(&cfg, &k, res);
}

static void assert_found(const struct tree *t, const struct store_result *r,
			 const char *name)
{
	char path[TREE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", t->dev, name);
	assert_string_equal(r->device.name, name);
	assert_string_equal(r->device.path, path);
}

/* --- tests ---------------------------------------------------------------- */

struct match_case {
	enum oci_device_key key;
	const char *value;
	int want;
	const char *device;		/* the match, for want 0 */
	const char *fs_type;
};

static const struct match_case match_cases[] = {
	{ OCI_DEVICE_LABEL, "ocistore", 0, "vda2", "ext4" },
	{ OCI_DEVICE_LABEL, "rootfs", 0, "vda1", "ext4" },
	{ OCI_DEVICE_LABEL, "data", 0, "vdb", "ext4" },
	{ OCI_DEVICE_LABEL, "OCISTORE", -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_LABEL, "ocistor", -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_LABEL, "store", -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_UUID, VDA2_UUID, 0, "vda2", "ext4" },
	{ OCI_DEVICE_UUID, "02030405-0607-0809-0A0B-0C0D0E0F1011", 0, "vda2",
	  "ext4" },
	{ OCI_DEVICE_UUID, "02030405060708090a0b0c0d0e0f1011",
	  -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_UUID, VDA2_PARTUUID, -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_PARTLABEL, "store", 0, "vda2", NULL },
	{ OCI_DEVICE_PARTLABEL, "system", 0, "vda1", NULL },
	{ OCI_DEVICE_PARTLABEL, "Store", -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_PARTLABEL, "ocistore", -OCIBOOT_ETIMEOUT, NULL, NULL },
	{ OCI_DEVICE_PARTUUID, VDA2_PARTUUID, 0, "vda2", NULL },
	{ OCI_DEVICE_PARTUUID, "B3B2B1B0-B5B4-B7B6-B8B9-BABBBCBDBEBF", 0,
	  "vda2", NULL },
	{ OCI_DEVICE_PARTUUID, VDA2_UUID, -OCIBOOT_ETIMEOUT, NULL, NULL },
};

static void test_match_table(void **state)
{
	struct tree t;

	(void)state;
	standard_tree(&t);
	for (size_t i = 0; i < ARRAY_SIZE(match_cases); i++) {
		const struct match_case *c = &match_cases[i];
		struct store_result r;
		int got = find(&t, c->key, c->value, &r);

		if (got != c->want)
			fail_msg("%s=%s: got %d, want %d",
				 oci_device_key_name(c->key), c->value, got,
				 c->want);
		assert_int_equal(r.scans, 1);
		if (got < 0)
			continue;
		assert_found(&t, &r, c->device);
		if (c->fs_type)
			assert_string_equal(r.device.fs_type, c->fs_type);
		else
			assert_null(r.device.fs_type);
		assert_int_equal(r.device.size, PART_SECTORS * SECTOR_SIZE +
				 (streq(c->device, "vdb") ?
				  (DISK_SECTORS - PART_SECTORS) * SECTOR_SIZE : 0));
	}
	tree_free(&t);
}

static void test_device_numbers(void **state)
{
	struct tree t;
	struct store_result r;

	(void)state;
	standard_tree(&t);
	assert_int_equal(find(&t, OCI_DEVICE_LABEL, "ocistore", &r), 0);
	assert_int_equal(r.device.major, 259);
	assert_int_equal(r.device.minor, 17);	/* vda1 is 16 */
	/* vda, vda1, vda2 and vdb looked at (loop0 is empty). */
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r), 0);
	assert_int_equal(r.devices, 2);		/* the disks' GPTs */
	assert_int_equal(find(&t, OCI_DEVICE_LABEL, "nothing", &r),
			 -OCIBOOT_ETIMEOUT);
	assert_int_equal(r.devices, 3);		/* vda1, vda2, vdb */
	assert_string_equal(r.failed, "");
	tree_free(&t);
}

/* A second device with the same label: refused, both named. */
static void test_ambiguous(void **state)
{
	static uint8_t stick[DISK_SECTORS * SECTOR_SIZE];
	struct tree t;
	struct store_result r;
	struct store_config cfg;
	struct store_key k = { OCI_DEVICE_LABEL, "ocistore" };

	(void)state;
	standard_tree(&t);
	memset(stick, 0, sizeof(stick));
	ext_write(stick, "ocistore", 9);
	add_disk(&t, "sda", stick, sizeof(stick));
	config_for(&cfg, &t);
	cfg.timeout_ms = 5000;	/* refused at once, not after waiting */
	assert_int_equal(store_find(&cfg, &k, &r), -ENOTUNIQ);
	assert_int_equal(r.scans, 1);
	assert_true((streq(r.device.name, "vda2") &&
		     streq(r.other.name, "sda")) ||
		    (streq(r.device.name, "sda") &&
		     streq(r.other.name, "vda2")));
	assert_int_equal(store_scan(&cfg, &k, &r), -ENOTUNIQ);
	tree_free(&t);
}

/* The same PARTLABEL on two disks is ambiguous too. */
static void test_ambiguous_partlabel(void **state)
{
	static uint8_t vdc[DISK_SECTORS * SECTOR_SIZE];
	static const struct gpt_part parts[] = { { 100, "store", 0xc } };
	struct tree t;
	struct store_result r;

	(void)state;
	standard_tree(&t);
	memset(vdc, 0, sizeof(vdc));
	gpt_write(vdc, parts, 1, true);
	add_disk(&t, "vdc", vdc, sizeof(vdc));
	add_part(&t, "vdc", "vdc1", 1, 100, vdc);
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r),
			 -ENOTUNIQ);
	assert_string_not_equal(r.device.name, r.other.name);
	tree_free(&t);
}

/* A GPT entry whose partition device disagrees on start is not taken. */
static void test_partition_mismatch(void **state)
{
	char dir[TREE_PATH_MAX];
	struct tree t;
	struct store_result r;

	(void)state;
	standard_tree(&t);
	snprintf(dir, sizeof(dir), "%s/sys/devices/virtual/block/vda/vda2",
		 t.root);
	attr(dir, "start", "%u\n", VDA2_FIRST + 1);
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r),
			 -OCIBOOT_ETIMEOUT);
	assert_string_equal(r.failed, "vda2");
	assert_int_equal(r.failed_err, -ENXIO);
	attr(dir, "start", "%u\n", VDA2_FIRST);
	attr(dir, "size", "%u\n", PART_SECTORS - 1);
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r),
			 -OCIBOOT_ETIMEOUT);
	/* Number 2 missing: the entry has no device (yet). */
	attr(dir, "size", "%u\n", PART_SECTORS);
	attr(dir, "partition", "3\n");
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r),
			 -OCIBOOT_ETIMEOUT);
	tree_free(&t);
}

/* The primary GPT broken: the backup in the last sector is used. */
static void test_gpt_backup(void **state)
{
	struct tree t;
	struct store_result r;

	(void)state;
	tree_init(&t);
	memset(vda, 0, sizeof(vda));
	gpt_write(vda, vda_parts, ARRAY_SIZE(vda_parts), false);
	ext_write(vda + VDA2_FIRST * SECTOR_SIZE, "ocistore", 0);
	memcpy(vda + SECTOR_SIZE, "EFI PART", 8);	/* a bad primary */
	add_disk(&t, "vda", vda, sizeof(vda));
	add_part(&t, "vda", "vda2", 2, VDA2_FIRST, vda);
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r), 0);
	assert_found(&t, &r, "vda2");
	/* Both copies, the primary's entry array damaged: the backup. */
	gpt_write(vda, vda_parts, ARRAY_SIZE(vda_parts), true);
	vda[2 * SECTOR_SIZE + 56] ^= 1;		/* entry 1's name */
	dev_file(&t, "vda", vda, sizeof(vda));
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r), 0);
	assert_found(&t, &r, "vda2");
	/* The backup's array damaged too: nothing, and vda is named. */
	vda[(DISK_SECTORS - 33) * SECTOR_SIZE + 56] ^= 1;
	dev_file(&t, "vda", vda, sizeof(vda));
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r),
			 -OCIBOOT_ETIMEOUT);
	assert_string_equal(r.failed, "vda");
	assert_int_equal(r.failed_err, -OCIBOOT_EMALFORMED);
	/* No protective MBR: not a GPT disk at all, and no complaint. */
	vda[510] = 0;
	dev_file(&t, "vda", vda, sizeof(vda));
	assert_int_equal(find(&t, OCI_DEVICE_PARTLABEL, "store", &r),
			 -OCIBOOT_ETIMEOUT);
	assert_string_equal(r.failed, "");
	tree_free(&t);
}

/* A whole disk with partitions is not probed for a filesystem. */
static void test_disk_with_partitions(void **state)
{
	struct tree t;
	struct store_result r;

	(void)state;
	standard_tree(&t);
	ext_write(vda, "wholedisk", 5);	/* over the GPT entries */
	dev_file(&t, "vda", vda, sizeof(vda));
	assert_int_equal(find(&t, OCI_DEVICE_LABEL, "wholedisk", &r),
			 -OCIBOOT_ETIMEOUT);
	tree_free(&t);
}

/* Real device nodes are required unless the test allows files. */
static void test_regular_files_refused(void **state)
{
	struct tree t;
	struct store_result r;
	struct store_config cfg;
	struct store_key k = { OCI_DEVICE_LABEL, "ocistore" };

	(void)state;
	standard_tree(&t);
	config_for(&cfg, &t);
	cfg.allow_regular_files = false;
	assert_int_equal(store_find(&cfg, &k, &r), -OCIBOOT_ETIMEOUT);
	assert_int_equal(r.failed_err, -ENOTBLK);
	assert_int_equal(r.devices, 0);
	tree_free(&t);
}

/* sysfs writes '/' in names as '!'; the node is dev/cciss/c0d0. */
static void test_bang_name(void **state)
{
	struct tree t;
	struct store_result r;
	char path[TREE_PATH_MAX];

	(void)state;
	tree_init(&t);
	memset(vdb, 0, sizeof(vdb));
	ext_write(vdb, "bang", 3);
	add_disk(&t, "cciss!c0d0", vdb, sizeof(vdb));
	assert_int_equal(find(&t, OCI_DEVICE_LABEL, "bang", &r), 0);
	assert_string_equal(r.device.name, "cciss!c0d0");
	snprintf(path, sizeof(path), "%s/cciss/c0d0", t.dev);
	assert_string_equal(r.device.path, path);
	tree_free(&t);
}

/* Unreadable and broken devices are noted and passed over. */
static void test_failures_noted(void **state)
{
	struct tree t;
	struct store_result r;
	char path[TREE_PATH_MAX];

	(void)state;
	standard_tree(&t);
	snprintf(path, sizeof(path), "%s/vdb", t.dev);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(find(&t, OCI_DEVICE_LABEL, "ocistore", &r), 0);
	assert_string_equal(r.failed, "vdb");
	assert_int_equal(r.failed_err, -ENOENT);
	/* A bad ext checksum on vdb. */
	memset(vdb, 0, sizeof(vdb));
	ext_write(vdb, "data", 3);
	le32_store(vdb + 1024 + 0x64, 0x47b);	/* metadata_csum, no csum */
	dev_file(&t, "vdb", vdb, sizeof(vdb));
	assert_int_equal(find(&t, OCI_DEVICE_LABEL, "data", &r),
			 -OCIBOOT_ETIMEOUT);
	assert_string_equal(r.failed, "vdb");
	assert_int_equal(r.failed_err, -OCIBOOT_EMALFORMED);
	tree_free(&t);
}

static void test_bad_keys(void **state)
{
	static const char long_value[] =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct tree t;
	struct store_result r;
	struct store_config cfg;
	struct store_key k = { OCI_DEVICE_LABEL, "" };

	(void)state;
	_Static_assert(sizeof(long_value) - 1 == STORE_VALUE_MAX + 1,
		       "one over the cap");
	standard_tree(&t);
	config_for(&cfg, &t);
	assert_int_equal(store_find(&cfg, &k, &r), -EINVAL);
	k.value = long_value;
	assert_int_equal(store_find(&cfg, &k, &r), -EINVAL);
	k.value = long_value + 1;		/* exactly at the cap */
	assert_int_equal(store_find(&cfg, &k, &r), -OCIBOOT_ETIMEOUT);
	k.value = NULL;
	assert_int_equal(store_find(&cfg, &k, &r), -EINVAL);
	k.value = "x";
	k.key = (enum oci_device_key)9;
	assert_int_equal(store_find(&cfg, &k, &r), -EINVAL);
	assert_int_equal(store_find(&cfg, NULL, &r), -EINVAL);
	assert_int_equal(store_find(NULL, &k, &r), -EINVAL);
	tree_free(&t);
}

/* --- waiting -------------------------------------------------------------- */

struct waiter {
	struct tree *tree;
	unsigned int calls;
	unsigned int appear_at;		/* add vda on this call, or 0 */
	unsigned int total_ms;
	unsigned int max_ms;
	bool sleep;
	int give_up_at;			/* return -EINTR on this call */
};

static int waiter_wait(void *ctx, unsigned int ms)
{
	struct waiter *w = ctx;

	w->calls++;
	w->total_ms += ms;
	if (ms > w->max_ms)
		w->max_ms = ms;
	if ((int)w->calls == w->give_up_at)
		return -EINTR;
	if (w->calls == w->appear_at) {
		memset(vda, 0, sizeof(vda));
		gpt_write(vda, vda_parts, ARRAY_SIZE(vda_parts), true);
		ext_write(vda + VDA2_FIRST * SECTOR_SIZE, "ocistore", 0);
		add_disk(w->tree, "vda", vda, sizeof(vda));
		add_part(w->tree, "vda", "vda2", 2, VDA2_FIRST, vda);
	}
	if (w->sleep)
		clock_sleep_ms(ms);
	return 0;
}

static int find_waiting(struct tree *t, struct waiter *w,
			unsigned int timeout_ms, const char *label,
			struct store_result *r)
{
	struct store_config cfg;
	struct store_key k = { OCI_DEVICE_LABEL, label };

	config_for(&cfg, t);
	cfg.timeout_ms = timeout_ms;
	cfg.poll_ms = 100;
	cfg.wait = waiter_wait;
	cfg.wait_ctx = w;
	return store_find(&cfg, &k, r);
}

/* The device turns up on the third wait: found by the fourth scan. */
static void test_wait_appears(void **state)
{
	struct tree t;
	struct waiter w = { .tree = &t, .appear_at = 3 };
	struct store_result r;

	(void)state;
	tree_init(&t);
	assert_int_equal(find_waiting(&t, &w, 10000, "ocistore", &r), 0);
	assert_int_equal(w.calls, 3);
	assert_int_equal(r.scans, 4);
	assert_found(&t, &r, "vda2");
	assert_int_equal(w.max_ms, 100);
	tree_free(&t);
}

/* Nothing comes: about timeout / poll scans, then a timeout. */
static void test_wait_timeout(void **state)
{
	struct tree t;
	struct waiter w = { .tree = &t, .sleep = true };
	struct store_result r;
	int64_t start, ms;

	(void)state;
	tree_init(&t);
	start = clock_now_ms();
	assert_int_equal(find_waiting(&t, &w, 350, "ocistore", &r),
			 -OCIBOOT_ETIMEOUT);
	ms = clock_now_ms() - start;
	assert_true(ms >= 349);	/* ms clock: 1 ms grain */
	assert_true(ms < 2000);
	/* Never asked to sleep past the deadline, nor longer than poll. */
	assert_true(w.calls >= 3 && w.calls <= 5);
	assert_int_equal(r.scans, w.calls + 1);
	assert_true(w.max_ms <= 100);
	assert_true(w.total_ms <= 350);
	tree_free(&t);
}

/* The default wait (no callback) sleeps for real. */
static void test_wait_default(void **state)
{
	struct tree t;
	struct store_config cfg;
	struct store_key k = { OCI_DEVICE_LABEL, "none" };
	struct store_result r;
	int64_t start, ms;

	(void)state;
	tree_init(&t);
	config_for(&cfg, &t);
	cfg.timeout_ms = 250;
	cfg.poll_ms = 50;
	start = clock_now_ms();
	assert_int_equal(store_find(&cfg, &k, &r), -OCIBOOT_ETIMEOUT);
	ms = clock_now_ms() - start;
	assert_true(ms >= 249 && ms < 2000);	/* ms clock: 1 ms grain */
	assert_true(r.scans >= 2 && r.scans <= 7);
	tree_free(&t);
}

/* The wait callback can stop the search (a shutdown signal). */
static void test_wait_gives_up(void **state)
{
	struct tree t;
	struct waiter w = { .tree = &t, .give_up_at = 2 };
	struct store_result r;

	(void)state;
	tree_init(&t);
	assert_int_equal(find_waiting(&t, &w, 10000, "ocistore", &r), -EINTR);
	assert_int_equal(r.scans, 2);
	tree_free(&t);
}

/* No sysfs at all: keep waiting, report why on timeout. */
static void test_no_sysfs(void **state)
{
	struct store_config cfg;
	struct store_key k = { OCI_DEVICE_LABEL, "x" };
	struct store_result r;

	(void)state;
	store_config_default(&cfg);
	cfg.sysfs_block = "/nonexistent/class/block";
	cfg.timeout_ms = 0;
	assert_int_equal(store_find(&cfg, &k, &r), -OCIBOOT_ETIMEOUT);
	assert_int_equal(r.failed_err, -ENOENT);
	assert_int_equal(store_scan(&cfg, &k, &r), -ENOENT);
}

static void test_defaults(void **state)
{
	struct store_config cfg;

	(void)state;
	store_config_default(&cfg);
	assert_string_equal(cfg.sysfs_block, "/sys/class/block");
	assert_string_equal(cfg.dev_dir, "/dev");
	assert_int_equal(cfg.timeout_ms, STORE_TIMEOUT_DEFAULT_MS);
	assert_int_equal(cfg.poll_ms, STORE_POLL_DEFAULT_MS);
	assert_null(cfg.wait);
	assert_int_equal(cfg.read_timeout_ms, STORE_READ_TIMEOUT_DEFAULT_MS);
	assert_null(cfg.read_wait);
	assert_false(cfg.allow_regular_files);
}

/* --- driver --------------------------------------------------------------- */

static int drive_find(int argc, char **argv)
{
	struct store_config cfg;
	struct oci_location loc;
	struct store_key key;
	struct store_result res;
	const char *reason = "";
	int opt, r;

	store_config_default(&cfg);
	while ((opt = getopt(argc, argv, "s:d:t:f")) != -1) {
		switch (opt) {
		case 's': cfg.sysfs_block = optarg; break;
		case 'd': cfg.dev_dir = optarg; break;
		case 't': cfg.timeout_ms = (unsigned int)atoi(optarg); break;
		case 'f': cfg.allow_regular_files = true; break;
		default: return 2;
		}
	}
	if (optind + 1 != argc)
		return 2;
	r = oci_location_parse(argv[optind], strlen(argv[optind]), &loc,
			       &reason);
	if (r < 0 || loc.kind != OCI_LOCATION_DEVICE) {
		fprintf(stderr, "bad location: %s\n", reason);
		return 2;
	}
	key.key = loc.device.key;
	key.value = loc.device.value;
	r = store_find(&cfg, &key, &res);
	if (r == 0) {
		printf("%s %u:%u %s\n", res.device.path, res.device.major,
		       res.device.minor,
		       res.device.fs_type ? res.device.fs_type : "-");
		return 0;
	}
	if (r == -ENOTUNIQ) {
		fprintf(stderr, "ambiguous: %s and %s\n", res.device.path,
			res.other.path);
		return 3;
	}
	fprintf(stderr, "%s after %u scans", ociboot_strerror(r), res.scans);
	if (res.failed[0] || res.failed_err)
		fprintf(stderr, " (last failure: %s: %s)", res.failed,
			ociboot_strerror(res.failed_err));
	fprintf(stderr, "\n");
	return r == -OCIBOOT_ETIMEOUT ? 4 : 1;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_device_numbers),
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_ambiguous_partlabel),
		cmocka_unit_test(test_partition_mismatch),
		cmocka_unit_test(test_gpt_backup),
		cmocka_unit_test(test_disk_with_partitions),
		cmocka_unit_test(test_regular_files_refused),
		cmocka_unit_test(test_bang_name),
		cmocka_unit_test(test_failures_noted),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_wait_appears),
		cmocka_unit_test(test_wait_timeout),
		cmocka_unit_test(test_wait_default),
		cmocka_unit_test(test_wait_gives_up),
		cmocka_unit_test(test_no_sysfs),
		cmocka_unit_test(test_defaults),
	};

	if (argc > 1 && streq(argv[1], "find"))
		return drive_find(argc - 1, argv + 1);
	if (argc > 1) {
		fprintf(stderr, "usage: store find [-s SYSFS_BLOCK] "
				"[-d DEV_DIR] [-t TIMEOUT_MS] [-f] LOCATION\n");
		return 2;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
