/* SPDX-License-Identifier: MIT */
#include "fs/dm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/util.h"

/* The layout this file builds and parses by hand. */
_Static_assert(sizeof(struct dm_ioctl) == 312, "struct dm_ioctl is ABI");
_Static_assert(offsetof(struct dm_ioctl, data_size) == 12, "dm_ioctl ABI");
_Static_assert(offsetof(struct dm_ioctl, data_start) == 16, "dm_ioctl ABI");
_Static_assert(offsetof(struct dm_ioctl, target_count) == 20,
	       "dm_ioctl ABI");
_Static_assert(offsetof(struct dm_ioctl, flags) == 28, "dm_ioctl ABI");
_Static_assert(offsetof(struct dm_ioctl, dev) == 40, "dm_ioctl ABI");
_Static_assert(offsetof(struct dm_ioctl, name) == 48, "dm_ioctl ABI");
_Static_assert(offsetof(struct dm_ioctl, uuid) == 176, "dm_ioctl ABI");
_Static_assert(sizeof(struct dm_target_spec) == 40,
	       "struct dm_target_spec is ABI");
_Static_assert(offsetof(struct dm_target_spec, next) == 20,
	       "dm_target_spec ABI");
_Static_assert(offsetof(struct dm_target_spec, target_type) == 24,
	       "dm_target_spec ABI");
_Static_assert(sizeof(struct dm_ioctl) % 8 == 0,
	       "the first target spec follows the header, aligned");
_Static_assert(DM_IOCTL_BUFFER_SIZE >= sizeof(struct dm_ioctl) +
	       sizeof(struct dm_target_spec) + VERITY_TABLE_MAX + 8,
	       "a verity table load fits the buffer");
_Static_assert(DM_VERITY_NAME_MAX == 96, "uuid arithmetic");

#define DM_HEADER_SIZE sizeof(struct dm_ioctl)
#define DM_SPEC_SIZE sizeof(struct dm_target_spec)
#define DM_ALIGN 8

/* Interface version sent with every request (see dm.h). */
#define DM_REQUEST_MAJOR 4
#define DM_REQUEST_MINOR 0
#define DM_REQUEST_PATCH 0

#define VERITY_TARGET "verity"

static size_t align8(size_t n)
{
	return (n + DM_ALIGN - 1) & ~(size_t)(DM_ALIGN - 1);
}

static bool graph(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* 1..max - 1 non-space printable characters. */
static int word_check(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == 0)
		return -EINVAL;
	if (n >= max)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++)
		if (!graph((unsigned char)s[i]))
			return -EINVAL;
	return 0;
}

int dm_name_check(const char *name)
{
	int err = word_check(name, DM_NAME_LEN);

	if (err < 0)
		return err;
	if (strchr(name, '/') || streq(name, ".") || streq(name, ".."))
		return -EINVAL;
	return 0;
}

int dm_uuid_check(const char *uuid)
{
	return word_check(uuid, DM_UUID_LEN);
}

int dm_ioctl_init(void *buf, size_t size, const char *name, const char *uuid,
		  uint32_t flags)
{
	struct dm_ioctl *h = buf;
	int err;

	if (((uintptr_t)buf % DM_ALIGN) || size < DM_HEADER_SIZE ||
	    size > UINT32_MAX)
		return -EINVAL;
	err = name ? dm_name_check(name) : 0;
	if (err == 0 && uuid)
		err = dm_uuid_check(uuid);
	if (err < 0)
		return err;

	memset(buf, 0, size);
	h->version[0] = DM_REQUEST_MAJOR;
	h->version[1] = DM_REQUEST_MINOR;
	h->version[2] = DM_REQUEST_PATCH;
	h->data_size = (uint32_t)size;
	h->data_start = (uint32_t)DM_HEADER_SIZE;
	h->flags = flags;
	if (name)
		memcpy(h->name, name, strlen(name));
	if (uuid)
		memcpy(h->uuid, uuid, strlen(uuid));
	return 0;
}

static int target_check(const struct dm_target *t, size_t *params_len)
{
	uint64_t end;
	size_t n;

	if (word_check(t->type, DM_MAX_TYPE_NAME) < 0)
		return -EINVAL;
	if (t->length == 0 ||
	    __builtin_add_overflow(t->start, t->length, &end))
		return -EINVAL;
	/* Anything longer cannot fit a buffer we could hand the kernel. */
	n = strnlen(t->params, UINT32_MAX);
	if (n == 0 || n == UINT32_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t->params[i];

		if (c < 0x20 || c > 0x7e)
			return -EINVAL;
	}
	*params_len = n;
	return 0;
}

int dm_table_load_build(void *buf, size_t size, const char *name,
			const struct dm_target *t, uint32_t flags)
{
	struct dm_target_spec *spec;
	size_t params_len, need;
	int err;

	err = dm_name_check(name);
	if (err < 0)
		return err == -ENAMETOOLONG ? -EINVAL : err;
	if (target_check(t, &params_len) < 0)
		return -EINVAL;
	need = align8(DM_HEADER_SIZE + DM_SPEC_SIZE + params_len + 1);
	if (need > size || need > INT32_MAX)
		return -ENOSPC;
	err = dm_ioctl_init(buf, need, name, NULL, flags);
	if (err < 0)
		return err;

	((struct dm_ioctl *)buf)->target_count = 1;
	spec = (struct dm_target_spec *)((char *)buf + DM_HEADER_SIZE);
	spec->sector_start = t->start;
	spec->length = t->length;
	spec->status = 0;
	spec->next = (uint32_t)(need - DM_HEADER_SIZE);
	memcpy(spec->target_type, t->type, strlen(t->type));
	memcpy((char *)(spec + 1), t->params, params_len);
	return (int)need;
}

/*
 * Walk the targets of a status reply; with out == NULL only check. Offsets
 * are relative to data_start, as the kernel's spec.next is.
 */
static int status_walk(const uint8_t *p, size_t len,
		       struct dm_target_status *out, size_t max)
{
	struct dm_ioctl h;
	size_t base, area, off = 0;

	if (len < DM_HEADER_SIZE)
		return -OCIBOOT_EMALFORMED;
	memcpy(&h, p, DM_HEADER_SIZE);
	if (h.flags & DM_BUFFER_FULL_FLAG)
		return -OCIBOOT_ETOOBIG;
	if (h.data_start < DM_HEADER_SIZE || h.data_start % DM_ALIGN ||
	    h.data_size > len || h.data_start > h.data_size)
		return -OCIBOOT_EMALFORMED;
	if (h.target_count > max)
		return -OCIBOOT_ETOOBIG;
	base = h.data_start;
	area = h.data_size - base;	/* bytes of [data_start, data_size) */

	for (uint32_t i = 0; i < h.target_count; i++) {
		struct dm_target_spec spec;
		const uint8_t *text, *nul;
		size_t text_len;

		if (off % DM_ALIGN || off > area || area - off < DM_SPEC_SIZE)
			return -OCIBOOT_EMALFORMED;
		memcpy(&spec, p + base + off, DM_SPEC_SIZE);
		if (!memchr(spec.target_type, '\0', DM_MAX_TYPE_NAME))
			return -OCIBOOT_EMALFORMED;
		text = p + base + off + DM_SPEC_SIZE;
		nul = memchr(text, '\0', area - off - DM_SPEC_SIZE);
		if (!nul)
			return -OCIBOOT_EMALFORMED;
		text_len = (size_t)(nul - text);
		if (text_len >= DM_STATUS_TEXT_MAX)
			return -OCIBOOT_ETOOBIG;
		if (out) {
			out[i].start = spec.sector_start;
			out[i].length = spec.length;
			memcpy(out[i].type, spec.target_type,
			       DM_MAX_TYPE_NAME);
			memcpy(out[i].text, text, text_len + 1);
		}
		if (i + 1 == h.target_count)
			break;
		/* The next spec starts past this one's text: no loops. */
		if (spec.next < off + DM_SPEC_SIZE + text_len + 1)
			return -OCIBOOT_EMALFORMED;
		off = spec.next;
	}
	return (int)h.target_count;
}

int dm_status_parse(const void *reply, size_t len,
		    struct dm_target_status *targets, size_t max)
{
	int r = status_walk(reply, len, NULL, max);

	if (r <= 0)
		return r;
	return status_walk(reply, len, targets, max);
}

int dm_verity_status_parse(const char *text, size_t len,
			   enum dm_verity_state *state)
{
	enum dm_verity_state s;

	if (len == 0)
		return -OCIBOOT_EMALFORMED;
	if (text[0] == 'V')
		s = DM_VERITY_VERIFIED;
	else if (text[0] == 'C')
		s = DM_VERITY_CORRUPTED;
	else
		return -OCIBOOT_EMALFORMED;
	if (len > 1 && text[1] != ' ')
		return -OCIBOOT_EMALFORMED;
	*state = s;
	return 0;
}

dev_t dm_decode_dev(uint64_t dev)
{
	unsigned int major = (unsigned int)((dev >> 8) & 0xfff);
	unsigned int minor = (unsigned int)((dev & 0xff) |
					    ((dev >> 12) & 0xfff00));

	return makedev(major, minor);
}

int dm_node_path(dev_t devt, char path[DM_NODE_PATH_MAX])
{
	snprintf(path, DM_NODE_PATH_MAX, "/dev/dm-%u", minor(devt));
	return 0;
}

int dm_verity_uuid(char *buf, size_t size, const char *name,
		   const uint8_t root[VERITY_DIGEST_LEN])
{
	char hex[SHA256_HEX_LEN + 1];
	int err = dm_name_check(name), n;

	if (err < 0)
		return err;
	if (strlen(name) > DM_VERITY_NAME_MAX)
		return -ENAMETOOLONG;
	sha256_hex(root, hex);
	n = snprintf(buf, size, "%s%.*s-%s", DM_VERITY_UUID_PREFIX,
		     DM_VERITY_UUID_HASH_CHARS, hex, name);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/* --- the kernel ----------------------------------------------------------- */

static struct dm_ioctl *header(struct dm_control *dm)
{
	return (struct dm_ioctl *)dm->buf;
}

static int call(struct dm_control *dm, unsigned long request)
{
	if (dm->fd < 0)
		return -EBADF;
	if (ioctl(dm->fd, request, dm->buf) < 0)
		return -errno;
	return 0;
}

/* A request without payload: the header alone. */
static int simple(struct dm_control *dm, unsigned long request,
		  const char *name, const char *uuid, uint32_t flags)
{
	int err = dm_ioctl_init(dm->buf, DM_HEADER_SIZE, name, uuid, flags);

	if (err < 0)
		return err;
	return call(dm, request);
}

int dm_open(struct dm_control *dm)
{
	int err;

	dm->fd = open(DM_CONTROL_PATH, O_RDWR | O_CLOEXEC);
	if (dm->fd < 0)
		return -errno;
	err = simple(dm, DM_VERSION, NULL, NULL, 0);
	if (err == 0) {
		memcpy(dm->version, header(dm)->version, sizeof(dm->version));
		if (dm->version[0] != DM_VERSION_MAJOR)
			err = -EPROTONOSUPPORT;
	}
	if (err < 0)
		dm_close(dm);
	return err;
}

void dm_close(struct dm_control *dm)
{
	if (dm->fd >= 0)
		close(dm->fd);
	dm->fd = -1;
}

int dm_create(struct dm_control *dm, const char *name, const char *uuid,
	      dev_t *devt)
{
	int err;

	if (!name)
		return -EINVAL;
	err = simple(dm, DM_DEV_CREATE, name, uuid, 0);
	if (err < 0)
		return err;
	*devt = dm_decode_dev(header(dm)->dev);
	return 0;
}

int dm_load_table(struct dm_control *dm, const char *name,
		  const struct dm_target *t, bool read_only)
{
	int r = dm_table_load_build(dm->buf, sizeof(dm->buf), name, t,
				    read_only ? DM_READONLY_FLAG : 0);

	if (r < 0)
		return r;
	return call(dm, DM_TABLE_LOAD);
}

int dm_resume(struct dm_control *dm, const char *name, bool want_read_only)
{
	uint32_t flags;
	int err;

	if (!name)
		return -EINVAL;
	err = simple(dm, DM_DEV_SUSPEND, name, NULL, 0);
	if (err < 0)
		return err;
	flags = header(dm)->flags;
	if (!(flags & DM_ACTIVE_PRESENT_FLAG))
		return -OCIBOOT_EPROTO;
	if (want_read_only && !(flags & DM_READONLY_FLAG))
		return -EROFS;
	return 0;
}

int dm_status(struct dm_control *dm, const char *name,
	      struct dm_target_status *targets, size_t max)
{
	int err;

	if (!name)
		return -EINVAL;
	err = dm_ioctl_init(dm->buf, sizeof(dm->buf), name, NULL, 0);
	if (err < 0)
		return err;
	err = call(dm, DM_TABLE_STATUS);
	if (err < 0)
		return err;
	return dm_status_parse(dm->buf, sizeof(dm->buf), targets, max);
}

int dm_remove(struct dm_control *dm, const char *name)
{
	int err = -EBUSY;

	if (!name)
		return -EINVAL;
	for (unsigned int i = 0; i < DM_REMOVE_TRIES && err == -EBUSY; i++) {
		if (i > 0)
			clock_sleep_ms(DM_REMOVE_RETRY_MS);
		err = simple(dm, DM_DEV_REMOVE, name, NULL, 0);
	}
	return err;
}

/* 1 when path is the block device devt, 0 when missing, or -errno. */
static int node_ready(const char *path, dev_t devt)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISBLK(st.st_mode) || st.st_rdev != devt)
		return -ENOTBLK;
	return 1;
}

int dm_node_wait(dev_t devt, char path[DM_NODE_PATH_MAX],
		 unsigned int timeout_ms)
{
	int64_t deadline = clock_deadline_ms(timeout_ms);
	char p[DM_NODE_PATH_MAX];
	int r;

	dm_node_path(devt, p);
	while ((r = node_ready(p, devt)) == 0) {
		if (clock_deadline_passed(deadline))
			return -OCIBOOT_ETIMEOUT;
		clock_sleep_ms(DM_NODE_POLL_MS);
	}
	if (r < 0)
		return r;
	memcpy(path, p, sizeof(p));
	return 0;
}

/* The single verity target of name, as dm_verity_state() describes. */
static int verity_target(struct dm_control *dm, const char *name,
			 struct dm_target_status *st)
{
	int n = dm_status(dm, name, st, 1);

	if (n == -OCIBOOT_ETOOBIG || n == 0)
		return -OCIBOOT_EPROTO;
	if (n < 0)
		return n;
	if (!streq(st->type, VERITY_TARGET))
		return -OCIBOOT_EPROTO;
	return 0;
}

int dm_verity_state(struct dm_control *dm, const char *name,
		    enum dm_verity_state *state)
{
	struct dm_target_status st;
	int err = verity_target(dm, name, &st);

	if (err < 0)
		return err;
	return dm_verity_status_parse(st.text, strlen(st.text), state);
}

/* After the resume: the live table is ours and reports no corruption. */
static int verity_check_live(struct dm_control *dm, const char *name,
			     const struct dm_target *t)
{
	struct dm_target_status st;
	enum dm_verity_state state;
	int err = verity_target(dm, name, &st);

	if (err < 0)
		return err;
	if (st.start != t->start || st.length != t->length)
		return -OCIBOOT_EPROTO;
	err = dm_verity_status_parse(st.text, strlen(st.text), &state);
	if (err < 0)
		return err;
	return state == DM_VERITY_VERIFIED ? 0 : -OCIBOOT_EVERIFY;
}

int dm_verity_create(struct dm_control *dm, const char *name,
		     const char *data_dev, const char *hash_dev,
		     const struct verity_superblock *sb,
		     const uint8_t root[VERITY_DIGEST_LEN], unsigned int flags,
		     dev_t *devt)
{
	char params[VERITY_TABLE_MAX], uuid[DM_UUID_LEN];
	struct dm_target t = { 0, 0, VERITY_TARGET, params };
	dev_t dev;
	int err;

	err = dm_verity_uuid(uuid, sizeof(uuid), name, root);
	if (err < 0)
		return err;
	err = verity_dm_table(params, sizeof(params), data_dev, hash_dev, sb,
			      root, flags);
	if (err < 0)
		return err;
	t.length = verity_dm_sectors(sb);
	if (t.length == 0)
		return -EINVAL;

	err = dm_create(dm, name, uuid, &dev);
	if (err < 0)
		return err;
	err = dm_load_table(dm, name, &t, true);
	if (err == 0)
		err = dm_resume(dm, name, true);
	if (err == 0)
		err = verity_check_live(dm, name, &t);
	if (err < 0) {
		dm_remove(dm, name);
		return err;
	}
	*devt = dev;
	return 0;
}
