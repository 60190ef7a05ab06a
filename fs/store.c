/* SPDX-License-Identifier: MIT */
/*
 * The store finder: scan sysfs, read candidate devices, match, wait (see
 * store.h).
 */
#include "fs/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/blkid.h"
#include "fs/bounded.h"
#include "lib/clock.h"
#include "lib/constants.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define SYSFS_ATTR_MAX 64		/* bytes of a sysfs value we read */

/* A block device as sysfs describes it. */
struct blockdev {
	char name[STORE_NAME_MAX + 1];
	unsigned int major, minor;
	uint64_t sectors;		/* sysfs `size`, 512-byte units */
	bool is_partition;
	uint64_t partno;		/* sysfs `partition` */
	uint64_t start;			/* sysfs `start`, in 512 bytes */
};

/* One pass: what is wanted and what was found. */
struct scan {
	const struct store_config *cfg;
	enum oci_device_key key;
	char want[STORE_VALUE_MAX + 1];	/* lowercased for UUID keys */
	struct store_result *res;
	unsigned int matches;
};

void store_config_default(struct store_config *cfg)
{
	*cfg = (struct store_config){
		.sysfs_block = "/sys/class/block",
		.dev_dir = "/dev",
		.timeout_ms = STORE_TIMEOUT_DEFAULT_MS,
		.poll_ms = STORE_POLL_DEFAULT_MS,
		.read_timeout_ms = STORE_READ_TIMEOUT_DEFAULT_MS,
	};
}

/* --- sysfs ---------------------------------------------------------------- */

/*
 * Read the attribute at rel under dirfd into buf[size], NUL-terminated,
 * one trailing newline dropped. Returns the length or -errno
 * (-OCIBOOT_ETOOBIG when it does not fit).
 */
static int read_attr(int dirfd, const char *rel, char *buf, size_t size)
{
	ssize_t n = fileio_read_text(dirfd, rel, buf, size, 0);

	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -OCIBOOT_EMALFORMED;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -OCIBOOT_EMALFORMED;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -OCIBOOT_EMALFORMED;
	}
	*out = v;
	return 0;
}

static int read_u64(int dirfd, const char *rel, uint64_t *out)
{
	char buf[SYSFS_ATTR_MAX];
	int r = read_attr(dirfd, rel, buf, sizeof(buf));

	return r < 0 ? r : parse_u64(buf, out);
}

/* "MAJ:MIN" */
static int read_devnum(int dirfd, const char *rel, unsigned int *major,
		       unsigned int *minor)
{
	char buf[SYSFS_ATTR_MAX], *colon;
	uint64_t ma, mi;
	int r = read_attr(dirfd, rel, buf, sizeof(buf));

	if (r < 0)
		return r;
	colon = strchr(buf, ':');
	if (!colon)
		return -OCIBOOT_EMALFORMED;
	*colon = '\0';
	if (parse_u64(buf, &ma) < 0 || parse_u64(colon + 1, &mi) < 0 ||
	    ma > UINT32_MAX || mi > UINT32_MAX)
		return -OCIBOOT_EMALFORMED;
	*major = (unsigned int)ma;
	*minor = (unsigned int)mi;
	return 0;
}

static bool name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len <= STORE_NAME_MAX && name[0] != '.';
}

/* Describe the device whose sysfs directory is name under dirfd. */
static int blockdev_load(int dirfd, const char *name, struct blockdev *bd)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (!name_ok(name))
		return -OCIBOOT_ETOOBIG;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(bd, 0, sizeof(*bd));
	memcpy(bd->name, name, strlen(name) + 1);
	r = read_devnum(fd, "dev", &bd->major, &bd->minor);
	if (r == 0)
		r = read_u64(fd, "size", &bd->sectors);
	if (r < 0)
		return r;
	r = read_u64(fd, "partition", &bd->partno);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	bd->is_partition = true;
	return read_u64(fd, "start", &bd->start);
}

/* A directory's entries, bounded: fn(ctx, dirfd, name) for each. */
typedef int (*dir_entry_fn)(void *ctx, int dirfd, const char *name);

static int for_each_entry(int dirfd, unsigned int max, dir_entry_fn fn,
			  void *ctx)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned int seen = 0;
	struct dirent *de;
	DIR *dir;
	int r = 0;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (++seen > max) {
			r = -OCIBOOT_ETOOBIG;
			break;
		}
		r = fn(ctx, dirfd, de->d_name);
	}
	closedir(dir);
	return r;
}

/* --- devices -------------------------------------------------------------- */

static int device_path(const struct store_config *cfg,
		       const struct blockdev *bd, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s", cfg->dev_dir, bd->name);

	if (n < 0 || (size_t)n >= size)
		return -OCIBOOT_ETOOBIG;
	/* sysfs writes '/' in a device name as '!' (cciss!c0d0). */
	for (char *p = out + strlen(cfg->dev_dir) + 1; *p; p++)
		if (*p == '!')
			*p = '/';
	return 0;
}

/* Open bd read-only and check it is the device sysfs describes. */
static int device_open(const struct store_config *cfg,
		       const struct blockdev *bd)
{
	char path[STORE_PATH_MAX + 1];
	struct stat st;
	int fd, r;

	r = device_path(cfg, bd, path, sizeof(path));
	if (r < 0)
		return r;
	/* O_NONBLOCK: a FIFO or an empty drive must not hang the boot. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (S_ISBLK(st.st_mode)) {
		if (st.st_rdev != makedev(bd->major, bd->minor))
			r = -ENODEV;
	} else if (!(S_ISREG(st.st_mode) && cfg->allow_regular_files)) {
		r = -ENOTBLK;
	}
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* --- matching ------------------------------------------------------------- */

static void failed(struct scan *s, const char *name, int err)
{
	size_t len = strnlen(name, STORE_NAME_MAX);

	memcpy(s->res->failed, name, len);
	s->res->failed[len] = '\0';
	s->res->failed_err = err;
}

static void matched(struct scan *s, const struct blockdev *bd,
		    const char *fs_type)
{
	struct store_device *d;

	if (++s->matches > 2)
		return;
	d = s->matches == 1 ? &s->res->device : &s->res->other;
	memcpy(d->name, bd->name, sizeof(d->name));
	/* Fits: device_open() built the same path. */
	if (device_path(s->cfg, bd, d->path, sizeof(d->path)) < 0)
		d->path[0] = '\0';
	d->major = bd->major;
	d->minor = bd->minor;
	d->size = bd->sectors * SECTOR_SIZE;
	d->fs_type = fs_type;
}

static uint64_t device_bytes(const struct blockdev *bd)
{
	uint64_t bytes;

	if (__builtin_mul_overflow(bd->sectors, (uint64_t)SECTOR_SIZE, &bytes))
		return UINT64_MAX;
	return bytes;
}

static bool fs_matches(const struct scan *s, const struct blkid_fs *fs)
{
	if (s->key == OCI_DEVICE_LABEL)
		return fs->label[0] && streq(fs->label, s->want);
	return fs->uuid[0] && streq(fs->uuid, s->want);
}

/* LABEL, UUID: the filesystem on bd. */
/* What a probe read needs, in the child that does it. */
struct probe_read {
	const struct store_config *cfg;
	const struct blockdev *bd;
	size_t want;
};

static ssize_t probe_read(void *arg, void *out, size_t size)
{
	const struct probe_read *p = arg;
	int fd = device_open(p->cfg, p->bd);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = fileio_pread_all(fd, out, p->want < size ? p->want : size, 0);
	close(fd);
	return n;
}

/* The first bytes of bd: read here, or in a child under a deadline. */
static ssize_t probe_head(struct scan *s, const struct blockdev *bd,
			  uint8_t *buf, size_t want)
{
	struct probe_read p = { s->cfg, bd, want };
	struct bounded_wait w = { s->cfg->read_wait, s->cfg->read_wait_ctx };

	if (!s->cfg->read_timeout_ms)
		return probe_read(&p, buf, want);
	return bounded_call(probe_read, &p, buf, want,
			    s->cfg->read_timeout_ms, &w);
}

static void probe_fs(struct scan *s, const struct blockdev *bd)
{
	uint8_t buf[BLKID_PROBE_SIZE];
	uint64_t bytes = device_bytes(bd);
	size_t want = bytes < sizeof(buf) ? (size_t)bytes : sizeof(buf);
	struct blkid_fs fs;
	ssize_t n;
	int r;

	n = probe_head(s, bd, buf, want);
	if (n >= 0 || n == -OCIBOOT_ETIMEOUT)
		s->res->devices++;
	if (n < 0) {
		failed(s, bd->name, (int)n);
		return;
	}
	r = blkid_probe_fs(buf, (size_t)n, &fs);
	if (r == -OCIBOOT_EMALFORMED || r == -ENOTUNIQ)
		failed(s, bd->name, r);
	if (r == 0 && fs_matches(s, &fs))
		matched(s, bd, fs.type);
}

/* A partition child of a disk, looked for by number. */
struct find_partition {
	uint64_t partno;
	struct blockdev found;
	bool have;
};

static int find_partition_entry(void *ctx, int dirfd, const char *name)
{
	struct find_partition *f = ctx;
	struct blockdev bd;
	char rel[STORE_NAME_MAX + sizeof("/partition")];
	uint64_t partno;
	int n = snprintf(rel, sizeof(rel), "%s/partition", name);

	if (n < 0 || (size_t)n >= sizeof(rel))
		return 0;
	if (read_u64(dirfd, rel, &partno) < 0 || partno != f->partno)
		return 0;
	if (blockdev_load(dirfd, name, &bd) < 0 || !bd.is_partition)
		return 0;
	f->found = bd;
	f->have = true;
	return 1;
}

/* Whether the disk directory has a partition child; partno 0: any. */
static int disk_partition(int disk_fd, uint64_t partno, struct blockdev *out)
{
	struct find_partition f = { .partno = partno };
	int r;

	r = for_each_entry(disk_fd, STORE_PARTITIONS_MAX,
			   find_partition_entry, &f);
	if (r < 0)
		return r;
	if (f.have && out)
		*out = f.found;
	return f.have;
}

static int any_partition_entry(void *ctx, int dirfd, const char *name)
{
	char rel[STORE_NAME_MAX + sizeof("/partition")];
	int n = snprintf(rel, sizeof(rel), "%s/partition", name);

	(void)ctx;
	if (n < 0 || (size_t)n >= sizeof(rel))
		return 0;
	return faccessat(dirfd, rel, F_OK, 0) == 0;
}

static int disk_has_partitions(int disk_fd)
{
	return for_each_entry(disk_fd, STORE_PARTITIONS_MAX,
			      any_partition_entry, NULL);
}

/* --- GPT ------------------------------------------------------------------ */

struct gpt_walk {
	struct scan *scan;
	const struct blockdev *disk;
	int disk_fd;			/* the disk's sysfs directory */
	uint32_t units;			/* 512-byte sectors per LBA */
};

static bool entry_matches(const struct scan *s, const struct blkid_gpt_entry *e)
{
	if (s->key == OCI_DEVICE_PARTLABEL)
		return e->name[0] && streq(e->name, s->want);
	return streq(e->uuid, s->want);
}

/* The partition device the kernel made of e: same number, start, size. */
static int gpt_entry_seen(void *ctx, const struct blkid_gpt_entry *e)
{
	struct gpt_walk *w = ctx;
	struct blockdev part;
	uint64_t start, count;

	if (!entry_matches(w->scan, e))
		return 0;
	if (disk_partition(w->disk_fd, e->number, &part) <= 0)
		return 0;	/* not (yet) a device: the kernel decides */
	if (__builtin_mul_overflow(e->first_lba, (uint64_t)w->units, &start) ||
	    __builtin_mul_overflow(e->last_lba - e->first_lba + 1,
				   (uint64_t)w->units, &count))
		return 0;
	if (part.start != start || part.sectors != count) {
		failed(w->scan, part.name, -ENXIO);
		return 0;
	}
	matched(w->scan, &part, NULL);
	return 0;
}

static uint32_t disk_sector_size(int disk_fd)
{
	uint64_t size;

	if (read_u64(disk_fd, "queue/logical_block_size", &size) < 0)
		return SECTOR_SIZE;
	return size <= UINT32_MAX ? (uint32_t)size : 0;
}

/* The GPT whose header is at lba: header, then its entry array. */
static int gpt_walk_at(struct gpt_walk *w, int fd, uint32_t ss, uint64_t lba,
		       uint64_t disk_sectors, blkid_gpt_entry_fn fn, void *ctx)
{
	uint8_t header[BLKID_SECTOR_SIZE_MAX];
	struct blkid_gpt_header h;
	uint8_t *array;
	int r;

	r = fileio_pread_exact(fd, header, ss, lba * ss);
	if (r < 0)
		return r;
	r = blkid_gpt_header_parse(header, ss, ss, lba, disk_sectors, &h);
	if (r < 0)
		return r;
	array = malloc(h.array_size ? h.array_size : 1);
	if (!array)
		return -ENOMEM;
	/* Inside the disk: the header parser checked. */
	r = fileio_pread_exact(fd, array, h.array_size, h.entries_lba * ss);
	if (r == 0)
		r = blkid_gpt_entries_parse(&h, array, h.array_size, fn,
					    ctx);
	free(array);
	return r;
}

/*
 * The primary GPT (header at LBA 1 and its array), else the backup (header
 * in the last sector), as the kernel chooses. fn is only called once an
 * array's CRC holds, so a failed primary calls it never.
 */
static int gpt_walk_disk(struct gpt_walk *w, int fd, uint32_t ss,
			 blkid_gpt_entry_fn fn, void *ctx)
{
	uint64_t disk_sectors = device_bytes(w->disk) / ss;
	uint8_t mbr[BLKID_SECTOR_SIZE_MAX];
	int r;

	if (disk_sectors < 3)
		return -ENOENT;
	r = fileio_pread_exact(fd, mbr, ss, 0);
	if (r < 0)
		return r;
	r = blkid_gpt_pmbr_check(mbr, ss);
	if (r < 0)
		return r;
	r = gpt_walk_at(w, fd, ss, 1, disk_sectors, fn, ctx);
	if (r < 0 && gpt_walk_at(w, fd, ss, disk_sectors - 1,
				 disk_sectors, fn, ctx) == 0)
		return 0;
	return r;
}

/*
 * What a GPT read hands back from the child that does it: the walk's
 * result and the entries that match the key (the sysfs checks of
 * gpt_entry_seen() are the caller's).
 */
struct gpt_found {
	int result;
	uint32_t count;
	struct blkid_gpt_entry entries[STORE_GPT_MATCHES_MAX];
};

struct gpt_read {
	struct scan *scan;
	const struct blockdev *disk;
	uint32_t ss;
	struct gpt_found *found;	/* the child's, or the caller's */
};

static int gpt_entry_collect(void *ctx, const struct blkid_gpt_entry *e)
{
	struct gpt_read *g = ctx;

	if (entry_matches(g->scan, e) &&
	    g->found->count < STORE_GPT_MATCHES_MAX)
		g->found->entries[g->found->count++] = *e;
	return 0;
}

/* Open the disk and walk its GPT, collecting matches in out. */
static ssize_t gpt_read(void *arg, void *out, size_t size)
{
	struct gpt_read *g = arg;
	struct gpt_walk w = { g->scan, g->disk, -1, g->ss / SECTOR_SIZE };
	int fd;

	if (size < sizeof(*g->found))
		return -EINVAL;
	g->found = out;
	memset(g->found, 0, sizeof(*g->found));
	fd = device_open(g->scan->cfg, g->disk);
	if (fd < 0)
		return fd;
	g->found->result = gpt_walk_disk(&w, fd, g->ss, gpt_entry_collect, g);
	close(fd);
	return (ssize_t)sizeof(*g->found);
}

/* PARTLABEL, PARTUUID: the GPT of the whole disk bd. */
static void probe_gpt(struct scan *s, int disk_fd, const struct blockdev *bd)
{
	struct gpt_walk w = { s, bd, disk_fd, 0 };
	uint32_t ss = disk_sector_size(disk_fd);
	struct gpt_read g = { s, bd, ss, NULL };
	struct bounded_wait bw = { s->cfg->read_wait, s->cfg->read_wait_ctx };
	struct gpt_found found;
	ssize_t n;

	if (ss < BLKID_SECTOR_SIZE_MIN || ss > BLKID_SECTOR_SIZE_MAX ||
	    ss & (ss - 1)) {
		failed(s, bd->name, -EINVAL);
		return;
	}
	w.units = ss / SECTOR_SIZE;
	if (!s->cfg->read_timeout_ms)
		n = gpt_read(&g, &found, sizeof(found));
	else
		n = bounded_call(gpt_read, &g, &found, sizeof(found),
				 s->cfg->read_timeout_ms, &bw);
	if (n >= 0 || n == -OCIBOOT_ETIMEOUT)
		s->res->devices++;
	if (n < 0) {
		failed(s, bd->name, (int)n);
		return;
	}
	for (uint32_t i = 0; i < found.count && i < STORE_GPT_MATCHES_MAX; i++)
		gpt_entry_seen(&w, &found.entries[i]);
	if (found.result < 0 && found.result != -ENOENT)
		failed(s, bd->name, found.result);
}

/* --- the scan ------------------------------------------------------------- */

static bool wants_gpt(enum oci_device_key key)
{
	return key == OCI_DEVICE_PARTLABEL || key == OCI_DEVICE_PARTUUID;
}

static int scan_entry(void *ctx, int dirfd, const char *name)
{
	struct scan *s = ctx;
	struct blockdev bd;
	_cleanup_close_ int fd = -1;
	int r = blockdev_load(dirfd, name, &bd);

	if (r < 0) {
		failed(s, name, r);
		return 0;
	}
	if (bd.sectors == 0)
		return 0;
	if (bd.is_partition) {
		if (!wants_gpt(s->key))
			probe_fs(s, &bd);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		failed(s, name, -errno);
		return 0;
	}
	if (wants_gpt(s->key)) {
		probe_gpt(s, fd, &bd);
		return 0;
	}
	r = disk_has_partitions(fd);
	if (r < 0)
		failed(s, name, r);
	else if (r == 0)
		probe_fs(s, &bd);
	return 0;
}

static bool is_uuid_key(enum oci_device_key key)
{
	return key == OCI_DEVICE_UUID || key == OCI_DEVICE_PARTUUID;
}

static int scan_init(struct scan *s, const struct store_config *cfg,
		     const struct store_key *key, struct store_result *res)
{
	size_t len;

	if (!cfg || !key || !res || !key->value)
		return -EINVAL;
	if (key->key != OCI_DEVICE_LABEL && key->key != OCI_DEVICE_PARTLABEL &&
	    !is_uuid_key(key->key))
		return -EINVAL;
	len = strnlen(key->value, STORE_VALUE_MAX + 1);
	if (len == 0 || len > STORE_VALUE_MAX)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->key = key->key;
	s->res = res;
	for (size_t i = 0; i <= len; i++) {
		char c = key->value[i];

		if (is_uuid_key(key->key) && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		s->want[i] = c;
	}
	return 0;
}

int store_scan(const struct store_config *cfg, const struct store_key *key,
	       struct store_result *res)
{
	_cleanup_close_ int fd = -1;
	struct scan s;
	int r = scan_init(&s, cfg, key, res);

	if (r < 0)
		return r;
	memset(&res->device, 0, sizeof(res->device));
	memset(&res->other, 0, sizeof(res->other));
	res->devices = 0;
	res->failed[0] = '\0';
	res->failed_err = 0;
	fd = open(cfg->sysfs_block, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		res->failed_err = -errno;
		return res->failed_err;
	}
	r = for_each_entry(fd, STORE_DEVICES_MAX, scan_entry, &s);
	if (r < 0)
		failed(&s, "", r);
	if (s.matches > 1)
		return -ENOTUNIQ;
	return s.matches;
}

/* --- waiting -------------------------------------------------------------- */

static int default_wait(void *ctx, unsigned int ms)
{
	(void)ctx;
	return clock_sleep_ms(ms);
}

int store_find(const struct store_config *cfg, const struct store_key *key,
	       struct store_result *res)
{
	store_wait_fn wait;
	unsigned int poll;
	int64_t deadline;

	if (!cfg || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	wait = cfg->wait ? cfg->wait : default_wait;
	poll = cfg->poll_ms ? cfg->poll_ms : STORE_POLL_DEFAULT_MS;
	deadline = clock_deadline_ms(cfg->timeout_ms);
	for (;;) {
		uint32_t left;
		int r = store_scan(cfg, key, res);

		res->scans++;
		if (r == 1)
			return 0;
		if (r == -ENOTUNIQ || r == -EINVAL)
			return r;
		left = clock_deadline_left_ms(deadline);
		if (left == 0)
			return -OCIBOOT_ETIMEOUT;
		r = wait(cfg->wait_ctx,
			 left < poll ? left : poll);
		if (r < 0)
			return r;
	}
}

int store_check_fs(const char *path, const char **fs_type, struct error *err)
{
	uint8_t buf[BLKID_PROBE_SIZE];
	struct blkid_fs fs;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return error_set(err, -errno, NULL, "opening it");
	n = fileio_pread_all(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return error_set(err, (int)n, NULL, "reading its superblock");
	r = blkid_probe_fs(buf, (size_t)n, &fs);
	if (r == -ENOENT)
		return error_set(err, r, NULL, "no ext2/3/4 or erofs "
				 "filesystem");
	if (r < 0)
		return error_set(err, r, NULL, "filesystem superblock");
	r = blkid_store_check(&fs, err);
	if (r == 0 && fs_type)
		*fs_type = fs.type;
	return r;
}
