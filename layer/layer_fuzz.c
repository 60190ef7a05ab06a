/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the layer builder's handling of untrusted entries
 * (what a tar layer feeds it). The input is decoded into a sequence of
 * entries over a small alphabet of names, so paths collide, replace each
 * other, whiteout and hard-link one another. Whatever the builder accepts
 * must give a blob that layer_inspect_fd() verifies with the same root
 * hash, and whose squashfs libsquashfs can read back whole.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sqfs/compressor.h>
#include <sqfs/dir_reader.h>
#include <sqfs/id_table.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include "layer/layer.h"
#include "layer/layer_fixture.h"
#include "lib/util.h"

#define FUZZ_ENTRIES_MAX 64
#define FUZZ_PATH_MAX 48
#define FUZZ_CONTENT_MAX 600

struct input {
	const uint8_t *p;
	size_t left;
};

static uint8_t byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* A path over "a", "b", "c", ".", "..", "/" and raw bytes. */
static void path(struct input *in, char *out)
{
	static const char *const parts[] = { "a", "b", "c", "/", ".", "..",
					     ".wh.a" };
	size_t len = 0, n = byte(in) % 8;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = byte(in);
		const char *part;
		char raw[2] = { (char)(c | 1), '\0' };

		part = c % 8 < ARRAY_SIZE(parts) ? parts[c % 8] : raw;
		if (len + strlen(part) + 2 > FUZZ_PATH_MAX)
			break;
		if (len && part[0] != '/' && out[len - 1] != '/')
			out[len++] = '/';
		memcpy(out + len, part, strlen(part));
		len += strlen(part);
	}
	out[len] = '\0';
}

static const struct layer_xattr xattr_pool[] = {
	{ "user.a", "1", 1 },
	{ "user.b", "", 0 },
	{ "trusted.overlay.opaque", "y", 1 },
	{ "trusted.overlay.opaque", "n", 1 },
	{ "security.capability", "\x01\x00\x00\x02", 4 },
	{ "system.posix_acl_access", "x", 1 },
	{ "user.", "", 0 },
	{ "nodot", "", 0 },
};

/* Decode and add one entry; returns the builder's verdict. */
static int add_one(struct layer_builder *b, struct input *in)
{
	char p[FUZZ_PATH_MAX], target[FUZZ_PATH_MAX];
	struct layer_xattr xattrs[4];
	struct layer_mem_reader c = { 0 };
	struct layer_entry e = { 0 };
	uint8_t op = byte(in);

	e.type = (enum layer_type)(op % (LAYER_OPAQUE + 1));
	path(in, p);
	e.path = p;
	e.mode = (uint32_t)byte(in) << 4 | byte(in);
	if (op & 0x80)
		e.mode |= 07000;
	e.uid = byte(in) % 3;
	e.gid = byte(in) % 3;
	e.rdev_major = byte(in) * 17u;
	e.rdev_minor = byte(in) * 4099u;
	path(in, target);
	e.target = target;
	e.xattr_count = byte(in) % 5;
	for (size_t i = 0; i < e.xattr_count; i++)
		xattrs[i] = xattr_pool[byte(in) % ARRAY_SIZE(xattr_pool)];
	e.xattrs = xattrs;
	if (e.type == LAYER_FILE) {
		size_t want = (size_t)byte(in) * 3 % FUZZ_CONTENT_MAX;

		c.data = in->p;
		c.len = want < in->left ? want : in->left;
		in->p += c.len;
		in->left -= c.len;
		/* Sometimes announce more than there is. */
		e.size = c.len + (op & 0x40 ? 1 : 0);
		e.read = layer_mem_read;
		e.read_ctx = &c;
	}
	return layer_builder_add(b, &e);
}

/* The squashfs part must read back whole with libsquashfs's reader. */
static void read_back(int fd)
{
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;
	sqfs_id_table_t *ids;
	sqfs_dir_reader_t *dirs;
	sqfs_tree_node_t *root;
	sqfs_super_t super;
	sqfs_file_t *file;
	char name[64];

	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	file = sqfs_open_file(name, SQFS_FILE_OPEN_READ_ONLY);
	if (!file || sqfs_super_read(&super, file))
		abort();
	if (sqfs_compressor_config_init(&cfg, super.compression_id,
					super.block_size,
					SQFS_COMP_FLAG_UNCOMPRESS) ||
	    sqfs_compressor_create(&cfg, &cmp))
		abort();
	ids = sqfs_id_table_create(0);
	if (!ids || sqfs_id_table_read(ids, file, &super, cmp))
		abort();
	dirs = sqfs_dir_reader_create(&super, cmp, file, 0);
	if (!dirs || sqfs_dir_reader_get_full_hierarchy(dirs, ids, NULL, 0,
							&root))
		abort();
	sqfs_dir_tree_destroy(root);
	sqfs_destroy(dirs);
	sqfs_destroy(ids);
	sqfs_destroy(cmp);
	sqfs_destroy(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct layer_options opt = {
		.mtime = 7, .workers = 1, .salt = data,
		.salt_len = size < 8 ? size : 8,
	};
	struct input in = { data, size };
	struct layer_builder *b;
	struct layer_result res;
	struct layer_info info;
	int r = 0;

	if (fd < 0)
		fd = memfd_create("layer_fuzz", MFD_CLOEXEC);
	if (fd < 0 || layer_builder_new(fd, &opt, &b))
		abort();
	for (int i = 0; i < FUZZ_ENTRIES_MAX && in.left && r != -ENODATA;
	     i++)
		r = add_one(b, &in);
	r = layer_builder_finish(b, &res);
	layer_builder_free(b);
	if (r == -ENODATA)
		return 0;	/* a short content is sticky */
	if (r)
		abort();
	if (layer_inspect_fd(fd, &info) ||
	    memcmp(info.root, res.root, sizeof(res.root)) ||
	    info.size != res.blob_size || info.inodes != res.inodes)
		abort();
	read_back(fd);
	return 0;
}
