/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the layer builder's handling of untrusted entries
 * (what a tar layer feeds it). The input is decoded into a sequence of
 * entries over a small alphabet of names, so paths collide, replace each
 * other, whiteout and hard-link one another. Whatever the builder accepts
 * must give a blob that layer_inspect_fd() verifies with the same root
 * hash, and whose squashfs libsquashfs can read back whole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sqfs/compressor.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

#include "layer/layer.h"
#include "layer/layer_fixture.h"
#include "lib/fileio.h"
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

/*
 * What stays from input to input: the memfd the layers are built in, and
 * the decompressor for the block size and compressor the builder always
 * uses (zstd's decompression keeps no state between blocks). Neither is
 * what the target does per layer, so neither is paid per input.
 */
static int layer_fd = -1;
static sqfs_compressor_config_t uncmp_cfg;
static sqfs_compressor_t *uncmp;

/* libsquashfs's file interface over the memfd, read-only, no open(). */
struct memfd_file {
	sqfs_file_t base;
	int fd;
	uint64_t size;
};

static int memfd_read_at(sqfs_file_t *base, sqfs_u64 offset, void *buffer,
			 size_t size)
{
	const struct memfd_file *f = (const struct memfd_file *)base;

	if (offset > f->size || size > f->size - offset)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	return fileio_pread_exact(f->fd, buffer, size, offset) ?
		SQFS_ERROR_IO : 0;
}

static int memfd_write_at(sqfs_file_t *base, sqfs_u64 offset,
			  const void *buffer, size_t size)
{
	return SQFS_ERROR_UNSUPPORTED;
}

static sqfs_u64 memfd_get_size(const sqfs_file_t *base)
{
	return ((const struct memfd_file *)base)->size;
}

static int memfd_truncate(sqfs_file_t *base, sqfs_u64 size)
{
	return SQFS_ERROR_UNSUPPORTED;
}

static void memfd_destroy(sqfs_object_t *obj)
{
	(void)obj;
}

/* The decompressor for what the superblock names: the kept one, or new. */
static sqfs_compressor_t *decompressor(const sqfs_super_t *super,
				       bool *fresh)
{
	sqfs_compressor_config_t cfg;
	sqfs_compressor_t *cmp;

	*fresh = false;
	if (super->compression_id == uncmp_cfg.id &&
	    super->block_size == uncmp_cfg.block_size)
		return uncmp;
	if (sqfs_compressor_config_init(&cfg, super->compression_id,
					super->block_size,
					SQFS_COMP_FLAG_UNCOMPRESS) ||
	    sqfs_compressor_create(&cfg, &cmp))
		abort();
	*fresh = true;
	return cmp;
}

/* The squashfs part must read back whole with libsquashfs's reader. */
static void read_back(int fd, uint64_t size)
{
	struct memfd_file file = {
		.base = {
			.base = { .destroy = memfd_destroy },
			.read_at = memfd_read_at,
			.write_at = memfd_write_at,
			.get_size = memfd_get_size,
			.truncate = memfd_truncate,
		},
		.fd = fd,
		.size = size,
	};
	sqfs_compressor_t *cmp;
	sqfs_id_table_t *ids;
	sqfs_dir_reader_t *dirs;
	sqfs_tree_node_t *root;
	sqfs_super_t super;
	bool fresh;

	if (sqfs_super_read(&super, &file.base))
		abort();
	cmp = decompressor(&super, &fresh);
	ids = sqfs_id_table_create(0);
	if (!ids || sqfs_id_table_read(ids, &file.base, &super, cmp))
		abort();
	dirs = sqfs_dir_reader_create(&super, cmp, &file.base, 0);
	if (!dirs || sqfs_dir_reader_get_full_hierarchy(dirs, ids, NULL, 0,
							&root))
		abort();
	sqfs_dir_tree_destroy(root);
	sqfs_destroy(dirs);
	sqfs_destroy(ids);
	if (fresh)
		sqfs_destroy(cmp);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	layer_fd = memfd_create("layer_fuzz", MFD_CLOEXEC);
	if (layer_fd < 0 ||
	    sqfs_compressor_config_init(&uncmp_cfg, SQFS_COMP_ZSTD,
					LAYER_BLOCK_SIZE,
					SQFS_COMP_FLAG_UNCOMPRESS) ||
	    sqfs_compressor_create(&uncmp_cfg, &uncmp))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = layer_fd;
	struct layer_options opt = {
		.mtime = 7, .workers = 1, .salt = data,
		.salt_len = size < 8 ? size : 8,
	};
	struct input in = { data, size };
	struct layer_builder *b;
	struct layer_result res;
	struct layer_info info;
	int r = 0;

	if (layer_builder_new(fd, &opt, &b))
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
	read_back(fd, info.size);
	return 0;
}
