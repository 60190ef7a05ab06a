/* SPDX-License-Identifier: MIT */
/*
 * The network boot's store: a cache device or a tmpfs (init/netcache.h).
 */
#include "init/netcache.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/boot.h"
#include "init/log.h"
#include "init/modload.h"
#include "init/pid1.h"
#include "init/storefs.h"
#include "lib/clock.h"
#include "lib/fileio.h"
#include "lib/hex.h"
#include "lib/util.h"
#include "oci/layout.h"

#define STAGE "network"
#define TMPFS_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)
#define TMPFS_OPTIONS "mode=0700"
#define DIR_MODE 0755
#define FILE_MODE 0444
#define OCI_LAYOUT_JSON "{\"imageLayoutVersion\":\"" LAYOUT_VERSION "\"}"
/* The warning's reason, before " ...; pulling into RAM instead". */
#define WHY_MAX 1024

/* why[size] = the text, cut when it does not fit (on purpose: through
 * vsnprintf, as snprintf with a bounded %s trips -Wformat-truncation). */
__attribute__((format(printf, 3, 4)))
static void explain(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

/* mkdirat() that accepts a directory already there. */
static int make_dir(int dir_fd, const char *name)
{
	if (mkdirat(dir_fd, name, DIR_MODE) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Make the mounted directory an OCI layout when it is not one yet, then
 * open it beneath its root without following any link (the cache disk is
 * untrusted). Returns 0 or -errno with why filled.
 */
static int layout_prepare(struct boot *b, char *why, size_t size)
{
	_cleanup_close_ int fd = -1, blobs = -1;
	struct error err;
	int r;

	fd = b->ops->open_dir(VERIFIED_STORE_DIR);
	if (fd < 0) {
		explain(why, size, "%s: %s", VERIFIED_STORE_DIR,
			 strerror(-fd));
		return fd;
	}
	r = make_dir(fd, LAYOUT_BLOBS_DIR);
	if (r == 0) {
		blobs = openat(fd, LAYOUT_BLOBS_DIR, O_RDONLY | O_DIRECTORY |
			       O_NOFOLLOW | O_CLOEXEC);
		r = blobs < 0 ? -errno : make_dir(blobs, "sha256");
	}
	if (r < 0) {
		explain(why, size, "%s/sha256: %s", LAYOUT_BLOBS_DIR,
			 strerror(-r));
		return r;
	}
	r = fileio_write_new(fd, LAYOUT_OCI_LAYOUT_FILE, OCI_LAYOUT_JSON,
			     strlen(OCI_LAYOUT_JSON), FILE_MODE);
	if (r < 0 && r != -EEXIST) {
		explain(why, size, "%s: %s", LAYOUT_OCI_LAYOUT_FILE,
			 strerror(-r));
		return r;
	}
	error_clear(&err);
	r = layout_open_beneath(&b->layout, fd, "/", &err);
	if (r < 0) {
		char line[ERROR_LINE_MAX];

		explain(why, size, "OCI layout: %s",
			 error_format(&err, line, sizeof(line)));
		return r;
	}
	return 0;
}

static int open_tmpfs(struct boot *b, struct netcache *c)
{
	char why[WHY_MAX];
	int r;

	c->on_device = false;
	r = b->ops->mkdir_p(VERIFIED_STORE_DIR, DIR_MODE);
	if (r == 0)
		r = b->ops->mount("tmpfs", VERIFIED_STORE_DIR, "tmpfs",
				  TMPFS_FLAGS, TMPFS_OPTIONS);
	if (r < 0)
		return boot_failed(b, "tmpfs store on %s: %s",
				   VERIFIED_STORE_DIR, strerror(-r));
	if (layout_prepare(b, why, sizeof(why)) < 0)
		return boot_failed(b, "tmpfs store on %s: %s",
				   VERIFIED_STORE_DIR, why);
	return 0;
}

/* The finder bounds its own waits and reads: each is a sign of life. */
static int find_wait(void *ctx, unsigned int ms)
{
	struct boot *b = ctx;

	pid1_sleep_until_child(&b->pid1, clock_deadline_ms(ms));
	boot_alive(b);
	return 0;
}

/* The cache device, found; why says what is wrong when it is not. */
static int find_device(struct boot *b, struct netcache *c, char *why,
		       size_t size)
{
	const struct oci_device *dev = &b->config.net.cache;
	struct store_key key = { dev->key, dev->value };
	struct store_result *res = &b->verified.store;
	struct store_config cfg;
	int r;

	boot_doing(b, "cache %s: looking for it among the block devices",
		   c->name);
	store_config_default(&cfg);
	cfg.wait = cfg.read_wait = find_wait;
	cfg.wait_ctx = cfg.read_wait_ctx = b;
	r = b->ops->store_find(&cfg, &key, res);
	if (r == -ENOTUNIQ)
		explain(why, size, "%s and %s both match; writing to "
			 "neither", res->device.path, res->other.path);
	else if (r == -OCIBOOT_ETIMEOUT)
		explain(why, size, "not found after %u scans of %u block "
			 "devices", res->scans, res->devices);
	else if (r < 0)
		explain(why, size, "%s", ociboot_strerror(r));
	if (r < 0)
		return r;
	snprintf(c->device, sizeof(c->device), "%s", res->device.path);
	return 0;
}

/* The cache device, found, checked, mounted and opened as a layout. */
static int open_device(struct boot *b, struct netcache *c, char *why,
		       size_t size)
{
	struct modload_options opt = { false, boot_doing_module, b };
	char line[ERROR_LINE_MAX];
	struct modload_result res;
	const struct storefs *fs;
	const char *type = NULL;
	struct error err;
	int r;

	r = find_device(b, c, why, size);
	if (r < 0)
		return r;
	error_clear(&err);
	boot_doing(b, "cache %s: reading its superblock", c->device);
	r = b->ops->store_check(c->device, &type, &err);
	if (r < 0) {
		explain(why, size, "%s: %s; make it with `mke2fs -t ext4`",
			 c->device, error_format(&err, line, sizeof(line)));
		return r;
	}
	fs = storefs_find(type);
	if (!fs || !streq(fs->fstype, NETCACHE_FSTYPE)) {
		explain(why, size, "%s holds %s, not the writable ext4 a cache "
			"needs; make it with `mke2fs -t ext4`", c->device,
			type ? type : "no filesystem we know");
		return -EMEDIUMTYPE;
	}
	/* A network boot loads no filesystem's modules: ext4's now. */
	r = b->ops->load_modules(fs->modules, b->modules_list,
				 sizeof(b->modules_list), &opt, &res, &err);
	if (r < 0) {
		explain(why, size, "%s: %s", c->device,
			error_format(&err, line, sizeof(line)));
		return r;
	}
	boot_doing(b, "cache %s: mounting it read-write (%s)", c->device,
		   NETCACHE_FSTYPE);
	r = b->ops->mkdir_p(VERIFIED_STORE_DIR, DIR_MODE);
	if (r == 0)
		r = b->ops->mount(c->device, VERIFIED_STORE_DIR,
				  NETCACHE_FSTYPE, NETCACHE_MOUNT_FLAGS,
				  NETCACHE_MOUNT_OPTIONS);
	if (r < 0) {
		explain(why, size, "mounting %s (%s) on %s: %s", c->device,
			 NETCACHE_FSTYPE, VERIFIED_STORE_DIR, strerror(-r));
		return r;
	}
	boot_doing(b, "cache %s: making and opening its OCI layout",
		   c->device);
	r = layout_prepare(b, line, sizeof(line));
	if (r < 0) {
		explain(why, size, "%s: %s", c->device, line);
		b->ops->umount(VERIFIED_STORE_DIR, MNT_DETACH);
		return r;
	}
	c->on_device = true;
	return 0;
}

int netcache_open(struct boot *b, struct netcache *c)
{
	const struct netcmdline *nc = &b->config.net;
	char why[WHY_MAX];

	memset(c, 0, sizeof(*c));
	if (!nc->has_cache)
		return open_tmpfs(b, c);
	snprintf(c->name, sizeof(c->name), "%s=%s",
		 oci_device_key_name(nc->cache.key), nc->cache.value);
	if (open_device(b, c, why, sizeof(why)) == 0) {
		log_info(STAGE, "cache %s is %s, mounted read-write on %s "
			 "(%s)", c->name, c->device, VERIFIED_STORE_DIR,
			 NETCACHE_MOUNT_OPTIONS);
		return 0;
	}
	log_warning(STAGE, "cache %s: %s; pulling into RAM (a tmpfs) "
		    "instead", c->name, why);
	return open_tmpfs(b, c);
}

bool netcache_write_failed(int code)
{
	return code == -ENOSPC || code == -EDQUOT || code == -EFBIG ||
	       code == -EROFS || code == -EIO;
}

int netcache_fall_back(struct boot *b, struct netcache *c, const char *why)
{
	int r;

	log_warning(STAGE, "cache %s (%s): %s; pulling again into RAM (a "
		    "tmpfs)", c->name, c->device, why);
	boot_doing(b, "cache %s: detaching it", c->device);
	layout_close(&b->layout);
	r = b->ops->umount(VERIFIED_STORE_DIR, MNT_DETACH);
	if (r < 0)
		return boot_failed(b, "detaching the cache %s from %s: %s",
				   c->device, VERIFIED_STORE_DIR,
				   strerror(-r));
	return open_tmpfs(b, c);
}

/* The digest a blob's or a partial download's name holds: true. */
static bool blob_name(const char *name, uint8_t digest[SHA256_LEN])
{
	static const char partial[] = ".partial-";

	if (strncmp(name, partial, sizeof(partial) - 1) == 0)
		name += sizeof(partial) - 1;
	return strlen(name) == SHA256_HEX_LEN &&
	       hex_decode(name, SHA256_HEX_LEN, digest, SHA256_LEN) ==
	       SHA256_LEN;
}

int netcache_prune(struct boot *b, struct netcache *c, netcache_keep_fn keep,
		   void *ctx)
{
	unsigned int seen = 0, removed = 0, blobs = 0;
	uint64_t bytes = 0;
	struct dirent *de;
	DIR *dir;
	int fd;

	if (!c->on_device)
		return 0;
	boot_doing(b, "cache %s: removing the blobs this boot does not use",
		   c->device);
	fd = openat(b->layout.blobs_fd, ".", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir)) != NULL && ++seen <= NETCACHE_PRUNE_SCAN_MAX) {
		uint8_t digest[SHA256_LEN];
		struct stat st;

		if (!blob_name(de->d_name, digest) || keep(ctx, digest) ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) ||
		    unlinkat(fd, de->d_name, 0) < 0)
			continue;
		removed++;
		blobs += de->d_name[0] != '.';
		bytes += S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	}
	closedir(dir);
	if (removed > 0) {
		fsync(b->layout.blobs_fd);
		log_info(STAGE, "cache %s: removed %u blob(s) and %u partial "
			 "download(s), %.1f MB, that this boot does not use",
			 c->device, blobs, removed - blobs,
			 (double)bytes / (1024.0 * 1024.0));
	}
	return (int)blobs;
}

void netcache_seal(struct boot *b, struct netcache *c)
{
	int r;

	if (!c->on_device)
		return;
	boot_doing(b, "cache %s: remounting it read-only", c->device);
	r = b->ops->mount(c->device, VERIFIED_STORE_DIR, NETCACHE_FSTYPE,
			  MS_REMOUNT | MS_RDONLY | NETCACHE_MOUNT_FLAGS,
			  NETCACHE_MOUNT_OPTIONS);
	if (r < 0)
		log_warning(STAGE, "cache %s: remounting read-only: %s",
			    c->device, strerror(-r));
	else
		log_info(STAGE, "cache %s remounted read-only", c->device);
}
