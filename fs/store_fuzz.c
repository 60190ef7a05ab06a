/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the store's GPT walk: what fs/store.c does on top of
 * fs/blkid.c's parsers (blkid_fuzz covers those on buffers). store_scan()
 * reads the protective MBR, the primary header at LBA 1 and its entry
 * array, falls back to the backup header in the last sector, and matches
 * each entry against the partition devices sysfs lists (number, start and
 * length in 512-byte units).
 *
 * A fake sysfs tree and dev directory are made once: disk "sda" and
 * partitions sda1..sda4 (PARTLABEL "store"/"other"). Each input is
 *
 *   byte 0      bit 0: sectors of 4096 bytes (else 512); bit 1: look for
 *               PARTUUID (else PARTLABEL "store")
 *   bytes 1-2   the disk's size in sectors, little-endian (at least 3)
 *   the rest    the start of the disk; the image is zero past it
 *
 * Whatever the disk holds, store_scan() must return 0, 1 (a partition of
 * sda that sysfs lists) or -ENOTUNIQ, and never read outside what it asks
 * for (ASan).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/store.h"
#include "lib/endian.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define FUZZ_PATH_MAX 256
#define DISK_SECTORS_MAX 4096	/* 16 MiB sparse at 4096-byte sectors */
#define PARTS 4

/* Where each partition starts and how long it is, in 512-byte sectors. */
static const struct {
	unsigned int start, sectors;
	const char *name;
} parts[PARTS] = {
	{ 34, 8, "sda1" },
	{ 42, 8, "sda2" },
	{ 2048, 2048, "sda3" },
	{ 256, 64, "sda4" },
};

/* In tmpfs when there is one: rewriting a file on a disk may flush it. */
static char root[FUZZ_PATH_MAX];
static char sys_block[FUZZ_PATH_MAX], dev_dir[FUZZ_PATH_MAX];
static char disk_dir[FUZZ_PATH_MAX], disk_image[FUZZ_PATH_MAX];

static void put_file(const char *dir, const char *name, const char *fmt,
		     unsigned int value)
{
	char path[2 * FUZZ_PATH_MAX], text[32];
	int n = snprintf(text, sizeof(text), fmt, value);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || fileio_write_all(fd, text, (size_t)n) < 0)
		abort();
	close(fd);
}

static void make_dir(const char *fmt, const char *a, const char *b)
{
	char path[2 * FUZZ_PATH_MAX];

	snprintf(path, sizeof(path), fmt, a, b);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		abort();
}

static void link_class(const char *target, const char *name)
{
	char path[2 * FUZZ_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", sys_block, name);
	if (symlink(target, path) < 0)
		abort();
}

static void make_part(unsigned int i)
{
	char dir[2 * FUZZ_PATH_MAX], target[FUZZ_PATH_MAX], dev[FUZZ_PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s/%s", disk_dir, parts[i].name);
	make_dir("%s%s", dir, "");
	put_file(dir, "dev", "259:%u\n", i);
	put_file(dir, "size", "%u\n", parts[i].sectors);
	put_file(dir, "partition", "%u\n", i + 1);
	put_file(dir, "start", "%u\n", parts[i].start);
	snprintf(target, sizeof(target), "../../devices/virtual/block/sda/%s",
		 parts[i].name);
	link_class(target, parts[i].name);
	snprintf(dev, sizeof(dev), "%s/%s", dev_dir, parts[i].name);
	fd = open(dev, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	close(fd);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(void)
{
	nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/dev/shm/store-fuzz.XXXXXX");
	if (!mkdtemp(root)) {
		snprintf(root, sizeof(root), "/tmp/store-fuzz.XXXXXX");
		if (!mkdtemp(root))
			abort();
	}
	atexit(remove_tree);
	make_dir("%s/sys%s", root, "");
	make_dir("%s/sys/class%s", root, "");
	make_dir("%s/sys/class/block%s", root, "");
	make_dir("%s/sys/devices%s", root, "");
	make_dir("%s/sys/devices/virtual%s", root, "");
	make_dir("%s/sys/devices/virtual/block%s", root, "");
	make_dir("%s/dev%s", root, "");
	snprintf(sys_block, sizeof(sys_block), "%s/sys/class/block", root);
	snprintf(dev_dir, sizeof(dev_dir), "%s/dev", root);
	snprintf(disk_dir, sizeof(disk_dir), "%s/sys/devices/virtual/block/sda",
		 root);
	snprintf(disk_image, sizeof(disk_image), "%s/sda", dev_dir);
	make_dir("%s%s", disk_dir, "");
	make_dir("%s/queue%s", disk_dir, "");
	put_file(disk_dir, "dev", "8:%u\n", 0);
	link_class("../../devices/virtual/block/sda", "sda");
	for (unsigned int i = 0; i < PARTS; i++)
		make_part(i);
	return 0;
}

/* The disk: data, then zeros up to sectors * sector_size bytes. */
static void write_disk(const uint8_t *data, size_t size, uint32_t ss,
		       unsigned int sectors)
{
	uint64_t bytes = (uint64_t)sectors * ss;
	int fd;

	if (size > bytes)
		size = (size_t)bytes;
	fd = open(disk_image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || fileio_write_all(fd, data, size) < 0 ||
	    ftruncate(fd, (off_t)bytes) < 0)
		abort();
	close(fd);
	put_file(disk_dir, "size", "%u\n", sectors * (ss / 512));
	put_file(disk_dir, "queue/logical_block_size", "%u\n", ss);
}

static void check_result(int r, const struct store_result *res)
{
	if (r == 0 || r == -ENOTUNIQ)
		return;
	if (r != 1)
		abort();
	for (unsigned int i = 0; i < PARTS; i++)
		if (streq(res->device.name, parts[i].name))
			return;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_config cfg;
	struct store_result res;
	struct store_key key;
	unsigned int sectors;
	uint32_t ss;
	uint8_t mode;

	if (size < 3)
		return 0;
	mode = data[0];
	ss = mode & 1 ? 4096 : 512;
	sectors = le16_load(data + 1) % DISK_SECTORS_MAX;
	if (sectors < 3)
		sectors = 3;
	write_disk(data + 3, size - 3, ss, sectors);

	store_config_default(&cfg);
	cfg.sysfs_block = sys_block;
	cfg.dev_dir = dev_dir;
	cfg.allow_regular_files = true;
	/* The GPT read here, not in a child a run: files never stall. */
	cfg.read_timeout_ms = 0;
	key.key = mode & 2 ? OCI_DEVICE_PARTUUID : OCI_DEVICE_PARTLABEL;
	key.value = mode & 2 ? "0fc63daf-8483-4772-8e79-3d69d8477de4" :
		    "store";
	check_result(store_scan(&cfg, &key, &res), &res);
	return 0;
}
