/* SPDX-License-Identifier: MIT */
/*
 * Tests of layer/layer.c and layer/dirscan.c. Entry sequences are fed to the
 * builder and the image it writes is read back with libsquashfs's reader
 * (its dir, inode, xattr and data readers, a separate code path from the
 * writer) into a one-line-per-entry listing compared with the expected
 * one. Also: refused entries and the caps, sticky errors, reproducibility
 * (same bytes whatever the order of metadata entries and the number of
 * compressor threads), layer_inspect_fd() on good and corrupted blobs, and
 * dirscan on a real directory. layer/layer_test.sh compares the tool's output
 * with unsquashfs, veritysetup and a loop mount.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>
#include <sqfs/xattr.h>
#include <sqfs/xattr_reader.h>

#include "layer/dirscan.h"
#include "layer/layer.h"
#include "layer/layer_fixture.h"
#include "fs/squashfs_super.h"
#include "lib/util.h"

#define LISTING_MAX 8192
#define ENTRIES_MAX 16

static const uint8_t test_salt[4] = { 0, 1, 2, 3 };

static struct layer_options options(void)
{
	struct layer_options o = {
		.mtime = 1234,
		.workers = 1,
		.salt = test_salt,
		.salt_len = sizeof(test_salt),
		.uuid = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
			  16 },
	};

	return o;
}

/* --- feeding -------------------------------------------------------------- */

/* A table entry: the entry, plus the content of a LAYER_FILE. */
struct tentry {
	struct layer_entry e;
	const char *content;
};

#define T_DIR(p, m) { .e = { .type = LAYER_DIR, .path = (p), .mode = (m) } }
#define T_FILE(p, m, c) \
	{ .e = { .type = LAYER_FILE, .path = (p), .mode = (m) }, \
	  .content = (c) }
#define T_SYM(p, t) \
	{ .e = { .type = LAYER_SYMLINK, .path = (p), .mode = 0777, \
		 .target = (t) } }
#define T_LINK(p, t) { .e = { .type = LAYER_HARDLINK, .path = (p), \
			      .target = (t) } }
#define T_WH(p) { .e = { .type = LAYER_WHITEOUT, .path = (p) } }
#define T_OPQ(p) { .e = { .type = LAYER_OPAQUE, .path = (p) } }

static int add_one(struct layer_builder *b, const struct tentry *t)
{
	struct layer_entry e = t->e;
	struct layer_mem_reader m = { t->content, 0, 0 };

	if (e.type == LAYER_FILE && t->content) {
		m.len = strlen(t->content);
		e.size = m.len;
		e.read = layer_mem_read;
		e.read_ctx = &m;
	}
	return layer_builder_add(b, &e);
}

static int new_fd(void)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* Build from n entries; returns the first error, or 0 with *res. */
static int build(const struct tentry *t, size_t n,
		 const struct layer_options *opt, int fd,
		 struct layer_result *res)
{
	struct layer_builder *b;
	int r;

	assert_int_equal(layer_builder_new(fd, opt, &b), 0);
	for (size_t i = 0; i < n; i++) {
		r = add_one(b, &t[i]);
		if (r < 0) {
			layer_builder_free(b);
			return r;
		}
	}
	r = layer_builder_finish(b, res);
	layer_builder_free(b);
	return r;
}

/* --- reading back --------------------------------------------------------- */

struct image {
	sqfs_file_t *file;
	sqfs_super_t super;
	sqfs_compressor_t *cmp;
	sqfs_id_table_t *ids;
	sqfs_dir_reader_t *dirs;
	sqfs_xattr_reader_t *xattrs;
	sqfs_data_reader_t *data;
	sqfs_tree_node_t *root;
};

static void image_open(struct image *img, int fd)
{
	sqfs_compressor_config_t cfg;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	img->file = sqfs_open_file(path, SQFS_FILE_OPEN_READ_ONLY);
	assert_non_null(img->file);
	assert_int_equal(sqfs_super_read(&img->super, img->file), 0);
	assert_int_equal(sqfs_compressor_config_init(&cfg,
			 img->super.compression_id, img->super.block_size,
			 SQFS_COMP_FLAG_UNCOMPRESS), 0);
	assert_int_equal(sqfs_compressor_create(&cfg, &img->cmp), 0);
	img->ids = sqfs_id_table_create(0);
	assert_int_equal(sqfs_id_table_read(img->ids, img->file, &img->super,
					    img->cmp), 0);
	img->dirs = sqfs_dir_reader_create(&img->super, img->cmp, img->file,
					   0);
	assert_non_null(img->dirs);
	img->xattrs = sqfs_xattr_reader_create(0);
	assert_int_equal(sqfs_xattr_reader_load(img->xattrs, &img->super,
						img->file, img->cmp), 0);
	img->data = sqfs_data_reader_create(img->file, img->super.block_size,
					    img->cmp, 0);
	assert_non_null(img->data);
	assert_int_equal(sqfs_data_reader_load_fragment_table(img->data,
							      &img->super), 0);
	assert_int_equal(sqfs_dir_reader_get_full_hierarchy(img->dirs,
			 img->ids, NULL, 0, &img->root), 0);
}

static void image_close(struct image *img)
{
	sqfs_dir_tree_destroy(img->root);
	sqfs_destroy(img->data);
	sqfs_destroy(img->xattrs);
	sqfs_destroy(img->dirs);
	sqfs_destroy(img->ids);
	sqfs_destroy(img->cmp);
	sqfs_destroy(img->file);
}

struct listing {
	char buf[LISTING_MAX];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void out(struct listing *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(l->buf) - l->len);
	l->len += (size_t)n;
}

static uint32_t nlink_of(const sqfs_inode_generic_t *n)
{
	switch (n->base.type) {
	case SQFS_INODE_DIR:
		return n->data.dir.nlink;
	case SQFS_INODE_EXT_DIR:
		return n->data.dir_ext.nlink;
	case SQFS_INODE_FILE:
		return 1;
	case SQFS_INODE_EXT_FILE:
		return n->data.file_ext.nlink;
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		return n->data.slink.nlink;
	case SQFS_INODE_BDEV:
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_BDEV:
	case SQFS_INODE_EXT_CDEV:
		return n->data.dev.nlink;
	default:
		return n->data.ipc.nlink;
	}
}

static void list_xattrs(struct image *img, const sqfs_inode_generic_t *n,
			struct listing *l)
{
	sqfs_xattr_id_t desc;
	sqfs_u32 idx;

	assert_int_equal(sqfs_inode_get_xattr_index(n, &idx), 0);
	if (idx == 0xffffffff)
		return;
	assert_int_equal(sqfs_xattr_reader_get_desc(img->xattrs, idx, &desc),
			 0);
	assert_int_equal(sqfs_xattr_reader_seek_kv(img->xattrs, &desc), 0);
	for (sqfs_u32 i = 0; i < desc.count; i++) {
		sqfs_xattr_entry_t *key;
		sqfs_xattr_value_t *val;

		assert_int_equal(sqfs_xattr_reader_read_key(img->xattrs, &key),
				 0);
		assert_int_equal(sqfs_xattr_reader_read_value(img->xattrs, key,
							      &val), 0);
		/* libsquashfs 1.2 returns the whole name, prefix included. */
		out(l, " %s=%.*s", (const char *)key->key, (int)val->size,
		    (const char *)val->value);
		assert_int_equal(strncmp((const char *)key->key,
			sqfs_get_xattr_prefix(key->type &
					      SQFS_XATTR_PREFIX_MASK),
			strlen(sqfs_get_xattr_prefix(key->type &
					      SQFS_XATTR_PREFIX_MASK))), 0);
		sqfs_free(key);
		sqfs_free(val);
	}
}

static void list_file(struct image *img, const sqfs_inode_generic_t *n,
		      struct listing *l)
{
	char data[64];
	sqfs_u64 size;
	sqfs_s32 got;

	assert_int_equal(sqfs_inode_get_file_size(n, &size), 0);
	out(l, " size=%llu", (unsigned long long)size);
	if (size >= sizeof(data))
		return;
	got = sqfs_data_reader_read(img->data, n, 0, data, (sqfs_u32)size);
	assert_int_equal(got, (sqfs_s32)size);
	out(l, " '%.*s'", (int)size, data);
}

/* "PATH TYPE MODE UID:GID nN [details] [xattrs]", depth first. */
static void list_node(struct image *img, const sqfs_tree_node_t *t,
		      const char *prefix, struct listing *l)
{
	const sqfs_inode_generic_t *n = t->inode;
	unsigned int mode = n->base.mode;
	char path[512];

	snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "",
		 (const char *)t->name);
	out(l, "%s %c %04o %u:%u n%u", *path ? path : "/",
	    "?pc?d?b?f?l?s???"[(mode >> 12) & 15], mode & 07777, t->uid,
	    t->gid, nlink_of(n));
	assert_int_equal(n->base.mod_time, 1234);
	if (S_ISREG(mode))
		list_file(img, n, l);
	else if (S_ISLNK(mode))
		out(l, " -> %.*s", (int)n->data.slink.target_size,
		    (const char *)n->extra);
	else if (S_ISCHR(mode) || S_ISBLK(mode))
		out(l, " %u,%u", major(n->data.dev.devno),
		    minor(n->data.dev.devno));
	list_xattrs(img, n, l);
	out(l, "\n");
	for (t = t->children; t; t = t->next)
		list_node(img, t, path, l);
}

static void listing_of(int fd, struct listing *l)
{
	struct image img;

	l->len = 0;
	l->buf[0] = '\0';
	image_open(&img, fd);
	list_node(&img, img.root, "", l);
	image_close(&img);
}

/* --- the table ------------------------------------------------------------ */

struct build_case {
	const char *name;
	struct tentry in[ENTRIES_MAX];
	const char *want;
};

static const struct build_case cases[] = {
	{ "empty layer", { { .e = { 0 } } },
	  "/ d 0755 0:0 n2\n" },
	{ "files, links, devices", {
		T_DIR("", 0700),
		T_FILE("a", 0644, "hello"),
		T_FILE("e", 0600, ""),
		T_SYM("s", "a"),
		{ .e = { .type = LAYER_CHAR, .path = "c", .mode = 0620,
			 .uid = 5, .gid = 6, .rdev_major = 4095,
			 .rdev_minor = 0xfffff } },
		{ .e = { .type = LAYER_BLOCK, .path = "b", .mode = 0660,
			 .rdev_major = 7, .rdev_minor = 300 } },
		{ .e = { .type = LAYER_FIFO, .path = "p", .mode = 0600 } },
		{ .e = { .type = LAYER_SOCKET, .path = "sock",
			 .mode = 0755 } },
	  }, "/ d 0700 0:0 n2\n"
	     "a f 0644 0:0 n1 size=5 'hello'\n"
	     "b b 0660 0:0 n1 7,300\n"
	     "c c 0620 5:6 n1 4095,1048575\n"
	     "e f 0600 0:0 n1 size=0 ''\n"
	     "p p 0600 0:0 n1\n"
	     "s l 0777 0:0 n1 -> a\n"
	     "sock s 0755 0:0 n1\n" },
	{ "implicit parents, then their metadata", {
		T_FILE("x/y/z", 0644, "z"),
		{ .e = { .type = LAYER_DIR, .path = "x/", .mode = 01777,
			 .uid = 1000, .gid = 1000 } },
	  }, "/ d 0755 0:0 n3\n"
	     "x d 1777 1000:1000 n3\n"
	     "x/y d 0755 0:0 n2\n"
	     "x/y/z f 0644 0:0 n1 size=1 'z'\n" },
	{ "path cleaning", {
		T_DIR("./d//e/", 0750),
		T_FILE("/d/./e//f", 04755, "f"),
	  }, "/ d 0755 0:0 n3\n"
	     "d d 0755 0:0 n3\n"
	     "d/e d 0750 0:0 n2\n"
	     "d/e/f f 4755 0:0 n1 size=1 'f'\n" },
	{ "sorting is bytewise", {
		T_FILE("b", 0644, ""), T_FILE("B", 0644, ""),
		T_FILE("a.b", 0644, ""), T_FILE("a", 0644, ""),
		T_DIR("a-", 0755), T_FILE("\xc3\xa9", 0644, ""),
	  }, "/ d 0755 0:0 n3\n"
	     "B f 0644 0:0 n1 size=0 ''\n"
	     "a f 0644 0:0 n1 size=0 ''\n"
	     "a- d 0755 0:0 n2\n"
	     "a.b f 0644 0:0 n1 size=0 ''\n"
	     "b f 0644 0:0 n1 size=0 ''\n"
	     "\xc3\xa9 f 0644 0:0 n1 size=0 ''\n" },
	{ "hard links share an inode", {
		T_FILE("a", 0644, "data"),
		T_LINK("d/b", "a"),
		T_LINK("c", "./d/b"),
		T_SYM("s", "x"),
		T_LINK("t", "s"),
	  }, "/ d 0755 0:0 n3\n"
	     "a f 0644 0:0 n3 size=4 'data'\n"
	     "c f 0644 0:0 n3 size=4 'data'\n"
	     "d d 0755 0:0 n2\n"
	     "d/b f 0644 0:0 n3 size=4 'data'\n"
	     "s l 0777 0:0 n2 -> x\n"
	     "t l 0777 0:0 n2 -> x\n" },
	{ "replacing a file drops its link count", {
		T_FILE("a", 0644, "old"),
		T_LINK("b", "a"),
		T_FILE("a", 0600, "new"),
	  }, "/ d 0755 0:0 n2\n"
	     "a f 0600 0:0 n1 size=3 'new'\n"
	     "b f 0644 0:0 n1 size=3 'old'\n" },
	{ "replacing a directory drops its subtree", {
		T_FILE("d/f", 0644, "f"),
		T_LINK("keep", "d/f"),
		T_FILE("d/g/h", 0644, "h"),
		T_FILE("d", 0644, "now a file"),
	  }, "/ d 0755 0:0 n2\n"
	     "d f 0644 0:0 n1 size=10 'now a file'\n"
	     "keep f 0644 0:0 n1 size=1 'f'\n" },
	{ "a directory over a directory keeps its contents", {
		T_FILE("d/f", 0644, "f"),
		T_DIR("d", 0700),
	  }, "/ d 0755 0:0 n3\n"
	     "d d 0700 0:0 n2\n"
	     "d/f f 0644 0:0 n1 size=1 'f'\n" },
	{ "whiteouts", {
		T_WH("gone"),
		T_WH("etc/passwd"),
		T_WH("deep/er/name"),
	  }, "/ d 0755 0:0 n4\n"
	     "deep d 0755 0:0 n3\n"
	     "deep/er d 0755 0:0 n2\n"
	     "deep/er/name c 0000 0:0 n1 0,0\n"
	     "etc d 0755 0:0 n2\n"
	     "etc/passwd c 0000 0:0 n1 0,0\n"
	     "gone c 0000 0:0 n1 0,0\n" },
	{ "opaque directories", {
		T_OPQ("new"),
		T_DIR("old", 0700),
		T_OPQ("old"),
		T_OPQ(""),
	  }, "/ d 0755 0:0 n4 trusted.overlay.opaque=y "
	     "user.overlay.opaque=y\n"
	     "new d 0755 0:0 n2 trusted.overlay.opaque=y "
	     "user.overlay.opaque=y\n"
	     "old d 0700 0:0 n2 trusted.overlay.opaque=y "
	     "user.overlay.opaque=y\n" },
	{ "a whiteout and a directory of this layer: opaque", {
		T_WH("a"), T_DIR("a", 0700),
		T_DIR("b", 0750), T_WH("b"),
		T_WH("c"), T_FILE("c/f", 0644, "f"),
	  }, "/ d 0755 0:0 n5\n"
	     "a d 0700 0:0 n2 trusted.overlay.opaque=y user.overlay.opaque=y\n"
	     "b d 0750 0:0 n2 trusted.overlay.opaque=y user.overlay.opaque=y\n"
	     "c d 0755 0:0 n2 trusted.overlay.opaque=y user.overlay.opaque=y\n"
	     "c/f f 0644 0:0 n1 size=1 'f'\n" },
	{ "a whiteout and a file of this layer: the file", {
		T_WH("a"), T_FILE("a", 0644, "a"),
		T_FILE("b", 0644, "b"), T_WH("b"),
		T_WH("c"), T_OPQ("c"),
	  }, "/ d 0755 0:0 n3\n"
	     "a f 0644 0:0 n1 size=1 'a'\n"
	     "b f 0644 0:0 n1 size=1 'b'\n"
	     "c d 0755 0:0 n2 trusted.overlay.opaque=y "
	     "user.overlay.opaque=y\n" },
	{ "xattrs: sorted, opaque merged, unknown prefixes dropped", {
		{ .e = { .type = LAYER_DIR, .path = "d", .mode = 0755,
			 .xattr_count = 4,
			 .xattrs = (const struct layer_xattr[]) {
				{ "user.z", "1", 1 },
				{ "trusted.overlay.opaque", "y", 1 },
				{ "system.posix_acl_access", "xx", 2 },
				{ "security.a", "2", 1 },
			 } } },
		{ .e = { .type = LAYER_FIFO, .path = "f", .mode = 0644,
			 .xattr_count = 2,
			 .xattrs = (const struct layer_xattr[]) {
				{ "user.b", "", 0 },
				{ "trusted.overlay.opaque", "y", 1 },
			 } } },
		{ .e = { .type = LAYER_DIR, .path = "x", .mode = 0755,
			 .xattr_count = 1,
			 .xattrs = (const struct layer_xattr[]) {
				{ "trusted.overlay.opaque", "n", 1 },
			 } } },
		T_OPQ("x"),
	  }, "/ d 0755 0:0 n4\n"
	     "d d 0755 0:0 n2 security.a=2 trusted.overlay.opaque=y "
	     "user.overlay.opaque=y "
	     "user.z=1\n"
	     "f p 0644 0:0 n1 trusted.overlay.opaque=y user.b=\n"
	     "x d 0755 0:0 n2 trusted.overlay.opaque=y "
	     "user.overlay.opaque=y\n" },
	{ "opaque the userxattr way, as stacker's layers are", {
		{ .e = { .type = LAYER_DIR, .path = "u", .mode = 0755,
			 .xattr_count = 1,
			 .xattrs = (const struct layer_xattr[]) {
				{ "user.overlay.opaque", "y", 1 },
			 } } },
		{ .e = { .type = LAYER_DIR, .path = "v", .mode = 0755,
			 .xattr_count = 2,
			 .xattrs = (const struct layer_xattr[]) {
				{ "user.overlay.opaque", "n", 1 },
				{ "user.a", "1", 1 },
			 } } },
	  }, "/ d 0755 0:0 n4\n"
	     "u d 0755 0:0 n2 trusted.overlay.opaque=y user.overlay.opaque=y\n"
	     "v d 0755 0:0 n2 user.overlay.opaque=n user.a=1\n" },
};

static void test_cases(void **state)
{
	struct layer_options opt = options();
	static struct listing l;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct build_case *c = &cases[i];
		struct layer_result res;
		size_t n = 0;
		int fd = new_fd(), r;

		while (n < ENTRIES_MAX && c->in[n].e.type)
			n++;
		r = build(c->in, n, &opt, fd, &res);
		if (r)
			fail_msg("%s: build: %d", c->name, r);
		listing_of(fd, &l);
		if (strcmp(l.buf, c->want))
			fail_msg("%s: got\n%s\nwant\n%s", c->name, l.buf,
				 c->want);
		close(fd);
	}
}

/* --- refused entries ------------------------------------------------------ */

static char long_name[LAYER_NAME_MAX + 2];
static char deep_path[2 * (LAYER_DEPTH_MAX + 1) + 1];
static char long_target[LAYER_SYMLINK_MAX + 2];
static struct layer_xattr many_xattrs[LAYER_XATTRS_MAX + 1];

static void init_long_inputs(void)
{
	memset(long_name, 'n', LAYER_NAME_MAX + 1);
	for (size_t i = 0; i <= LAYER_DEPTH_MAX; i++)
		memcpy(deep_path + 2 * i, "d/", 2);
	deep_path[sizeof(deep_path) - 2] = '\0';
	memset(long_target, 't', LAYER_SYMLINK_MAX + 1);
	for (size_t i = 0; i < ARRAY_SIZE(many_xattrs); i++)
		many_xattrs[i] = (struct layer_xattr){ "user.x", "", 0 };
}

struct refusal {
	const char *name;
	struct tentry before[4];
	struct tentry bad;
	int err;
};

static const struct refusal refusals[] = {
	{ "unknown type", { { .e = { 0 } } },
	  { .e = { .type = 99, .path = "a" } }, -OCIBOOT_EMALFORMED },
	{ "mode with type bits", { { .e = { 0 } } },
	  { .e = { .type = LAYER_FIFO, .path = "a", .mode = 010644 } },
	  -OCIBOOT_EMALFORMED },
	{ "dot dot", { { .e = { 0 } } },
	  T_FILE("a/../b", 0644, ""), -OCIBOOT_EMALFORMED },
	{ "no path", { { .e = { 0 } } },
	  { .e = { .type = LAYER_FIFO } }, -OCIBOOT_EMALFORMED },
	{ "file at the root", { { .e = { 0 } } },
	  T_FILE("/", 0644, ""), -OCIBOOT_EMALFORMED },
	{ "whiteout of the root", { { .e = { 0 } } },
	  T_WH("."), -OCIBOOT_EMALFORMED },
	{ "name over the cap", { { .e = { 0 } } },
	  T_FILE(long_name, 0644, ""), -OCIBOOT_ETOOBIG },
	{ "path deeper than the cap", { { .e = { 0 } } },
	  T_DIR(deep_path, 0755), -OCIBOOT_ETOOBIG },
	{ "symlink target over the cap", { { .e = { 0 } } },
	  T_SYM("s", long_target), -OCIBOOT_ETOOBIG },
	{ "empty symlink target", { { .e = { 0 } } },
	  T_SYM("s", ""), -OCIBOOT_EMALFORMED },
	{ "too many xattrs", { { .e = { 0 } } },
	  { .e = { .type = LAYER_DIR, .path = "d", .xattrs = many_xattrs,
		   .xattr_count = LAYER_XATTRS_MAX + 1 } },
	  -OCIBOOT_ETOOBIG },
	{ "duplicate xattr", { { .e = { 0 } } },
	  { .e = { .type = LAYER_DIR, .path = "d", .xattrs = many_xattrs,
		   .xattr_count = 2 } }, -OCIBOOT_EMALFORMED },
	{ "xattr name is only a prefix", { { .e = { 0 } } },
	  { .e = { .type = LAYER_DIR, .path = "d", .xattr_count = 1,
		   .xattrs = (const struct layer_xattr[]) {
			{ "user.", "", 0 } } } }, -OCIBOOT_EMALFORMED },
	{ "xattr value over the cap", { { .e = { 0 } } },
	  { .e = { .type = LAYER_DIR, .path = "d", .xattr_count = 1,
		   .xattrs = (const struct layer_xattr[]) {
			{ "user.a", "", LAYER_XATTR_VALUE_MAX + 1 } } } },
	  -OCIBOOT_ETOOBIG },
	{ "device major over 12 bits", { { .e = { 0 } } },
	  { .e = { .type = LAYER_CHAR, .path = "c", .rdev_major = 4096 } },
	  -OCIBOOT_EMALFORMED },
	{ "device minor over 20 bits", { { .e = { 0 } } },
	  { .e = { .type = LAYER_BLOCK, .path = "c",
		   .rdev_minor = 0x100000 } }, -OCIBOOT_EMALFORMED },
	{ "file over the size cap", { { .e = { 0 } } },
	  { .e = { .type = LAYER_FILE, .path = "f",
		   .size = LAYER_FILE_SIZE_MAX + 1, .read = layer_mem_read } },
	  -OCIBOOT_ETOOBIG },
	{ "hard link to nothing", { { .e = { 0 } } },
	  T_LINK("l", "missing"), -OCIBOOT_EMALFORMED },
	{ "hard link to a directory", { T_DIR("d", 0755) },
	  T_LINK("l", "d"), -OCIBOOT_EMALFORMED },
	{ "hard link to a whiteout", { T_WH("w") },
	  T_LINK("l", "w"), -OCIBOOT_EMALFORMED },
	{ "hard link through a file", { T_FILE("f", 0644, "") },
	  T_LINK("l", "f/g"), -OCIBOOT_EMALFORMED },
	{ "path through a file", { T_FILE("f", 0644, "") },
	  T_FILE("f/g", 0644, ""), -OCIBOOT_EMALFORMED },
	{ "path through a symlink", { T_SYM("s", "/etc") },
	  T_FILE("s/passwd", 0644, ""), -OCIBOOT_EMALFORMED },
	{ "opaque on a file", { T_FILE("f", 0644, "") },
	  T_OPQ("f"), -OCIBOOT_EMALFORMED },
};

static void test_refusals(void **state)
{
	struct layer_options opt = options();
	static struct listing before, after;

	init_long_inputs();
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++) {
		const struct refusal *c = &refusals[i];
		struct layer_builder *b;
		struct layer_result res;
		int fd = new_fd(), ref = new_fd(), r;
		size_t n = 0;

		assert_int_equal(layer_builder_new(fd, &opt, &b), 0);
		while (n < 4 && c->before[n].e.type)
			assert_int_equal(add_one(b, &c->before[n++]), 0);
		r = add_one(b, &c->bad);
		if (r != c->err)
			fail_msg("%s: got %d, want %d", c->name, r, c->err);
		/* A refused entry changes nothing. */
		assert_int_equal(layer_builder_finish(b, &res), 0);
		layer_builder_free(b);
		assert_int_equal(build(c->before, n, &opt, ref, &res), 0);
		listing_of(fd, &after);
		listing_of(ref, &before);
		if (strcmp(before.buf, after.buf))
			fail_msg("%s: the refused entry left\n%s", c->name,
				 after.buf);
		close(fd);
		close(ref);
	}
}

/* The caps accept what they name. */
static void test_at_the_caps(void **state)
{
	char name[LAYER_NAME_MAX + 1], path[2 * LAYER_DEPTH_MAX];
	char target[LAYER_SYMLINK_MAX + 1];
	struct layer_options opt = options();
	struct tentry t[3] = {
		T_FILE(name, 0644, "x"), T_DIR(path, 0755), T_SYM("s", target),
	};
	struct layer_result res;
	int fd = new_fd();

	memset(name, 'n', LAYER_NAME_MAX);
	name[LAYER_NAME_MAX] = '\0';
	for (size_t i = 0; i < LAYER_DEPTH_MAX; i++)
		memcpy(path + 2 * i, "d/", 2);
	path[sizeof(path) - 1] = '\0';
	memset(target, 't', LAYER_SYMLINK_MAX);
	target[LAYER_SYMLINK_MAX] = '\0';
	assert_int_equal(build(t, 3, &opt, fd, &res), 0);
	assert_int_equal(res.inodes, 3 + LAYER_DEPTH_MAX);
	close(fd);
}

/* squashfs's id table holds 65536 owners; one more is refused at the end. */
static void test_too_many_owners(void **state)
{
	struct layer_options opt = options();
	struct layer_builder *b;
	struct layer_result res;
	int fd = new_fd();
	char name[16];

	assert_int_equal(layer_builder_new(fd, &opt, &b), 0);
	for (uint32_t uid = 1; uid <= 65536; uid++) {
		struct layer_entry e = {
			.type = LAYER_FIFO, .path = name, .mode = 0600,
			.uid = uid,
		};

		snprintf(name, sizeof(name), "%x", uid);
		assert_int_equal(layer_builder_add(b, &e), 0);
	}
	/* 65536 uids and gid 0. */
	assert_int_equal(layer_builder_finish(b, &res), -OCIBOOT_ETOOBIG);
	layer_builder_free(b);
	close(fd);
}

/* --- errors while reading content ----------------------------------------- */

static ssize_t failing_read(void *ctx, void *buf, size_t len)
{
	int *calls = ctx;

	if ((*calls)++ == 0) {
		memset(buf, 'a', len);
		return (ssize_t)len;
	}
	return -EBADMSG;
}

static void test_sticky_errors(void **state)
{
	struct layer_options opt = options();
	struct layer_builder *b;
	struct layer_result res;
	struct tentry ok = T_FILE("ok", 0644, "fine");
	int calls = 0, fd = new_fd();
	struct layer_entry e = {
		.type = LAYER_FILE, .path = "f", .mode = 0644,
		.size = 3 * LAYER_BLOCK_SIZE, .read = failing_read,
		.read_ctx = &calls,
	};
	struct layer_mem_reader m = { "abc", 3, 0 };

	assert_int_equal(layer_builder_new(fd, &opt, &b), 0);
	assert_int_equal(layer_builder_add(b, &e), -EBADMSG);
	assert_int_equal(add_one(b, &ok), -EBADMSG);
	assert_int_equal(layer_builder_finish(b, &res), -EBADMSG);
	layer_builder_free(b);

	/* Content shorter than announced. */
	e.size = 4;
	e.read = layer_mem_read;
	e.read_ctx = &m;
	assert_int_equal(layer_builder_new(fd, &opt, &b), 0);
	assert_int_equal(layer_builder_add(b, &e), -ENODATA);
	assert_int_equal(layer_builder_finish(b, &res), -ENODATA);
	layer_builder_free(b);
	close(fd);
}

static void test_bad_options(void **state)
{
	struct layer_options opt = options();
	struct layer_builder *b;
	int fd = new_fd();

	opt.salt_len = VERITY_SALT_MAX + 1;
	assert_int_equal(layer_builder_new(fd, &opt, &b), -EINVAL);
	opt = options();
	opt.workers = LAYER_WORKERS_MAX + 1;
	assert_int_equal(layer_builder_new(fd, &opt, &b), -EINVAL);
	opt = options();
	assert_int_equal(layer_builder_new(-1, &opt, &b), -EINVAL);
	assert_int_equal(layer_builder_new(fd, NULL, &b), -EINVAL);
	close(fd);
}

/* --- reproducibility ------------------------------------------------------ */

static bool same_file(int a, int b)
{
	struct stat sa, sb;
	bool same;
	void *pa, *pb;

	assert_int_equal(fstat(a, &sa), 0);
	assert_int_equal(fstat(b, &sb), 0);
	if (sa.st_size != sb.st_size)
		return false;
	pa = mmap(NULL, (size_t)sa.st_size, PROT_READ, MAP_SHARED, a, 0);
	pb = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, b, 0);
	assert_true(pa != MAP_FAILED && pb != MAP_FAILED);
	same = !memcmp(pa, pb, (size_t)sa.st_size);
	munmap(pa, (size_t)sa.st_size);
	munmap(pb, (size_t)sb.st_size);
	return same;
}

/* A pseudo-random file big enough for several blocks and a fragment. */
static char *big_content(size_t len)
{
	char *p = malloc(len + 1);
	uint32_t x = 12345;

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		p[i] = (char)('a' + (x >> 16) % 7);
	}
	p[len] = '\0';
	return p;
}

static void test_reproducible(void **state)
{
	char *big = big_content(5 * LAYER_BLOCK_SIZE + 777);
	struct tentry one[] = {
		T_DIR("d", 0755), T_FILE("d/big", 0644, big),
		T_FILE("d/small", 0644, "small"), T_WH("d/w"), T_OPQ("o"),
		T_FILE("z", 0644, "tail"), T_LINK("zz", "z"),
	};
	/* Same entries, files in the same order, the rest moved. */
	struct tentry two[] = {
		T_OPQ("o"), T_WH("d/w"), T_FILE("d/big", 0644, big),
		T_FILE("d/small", 0644, "small"), T_DIR("d", 0755),
		T_FILE("z", 0644, "tail"), T_LINK("zz", "z"),
	};
	struct layer_options opt = options();
	struct layer_result r1, r2, r3;
	int a = new_fd(), b = new_fd(), c = new_fd();

	assert_int_equal(build(one, ARRAY_SIZE(one), &opt, a, &r1), 0);
	assert_int_equal(build(two, ARRAY_SIZE(two), &opt, b, &r2), 0);
	opt.workers = 3;
	assert_int_equal(build(one, ARRAY_SIZE(one), &opt, c, &r3), 0);
	assert_true(same_file(a, b));
	assert_true(same_file(a, c));
	assert_memory_equal(r1.root, r2.root, sizeof(r1.root));
	/* And the inputs matter: another mtime, another image. */
	opt.mtime = 1;
	close(c);
	c = new_fd();
	assert_int_equal(build(one, ARRAY_SIZE(one), &opt, c, &r3), 0);
	assert_false(same_file(a, c));
	close(a);
	close(b);
	close(c);
	free(big);
}

static void test_force_owner(void **state)
{
	struct tentry t[] = {
		{ .e = { .type = LAYER_FILE, .path = "f", .mode = 0644,
			 .uid = 7, .gid = 8 }, .content = "" },
		T_WH("w"), T_OPQ("o"),
	};
	struct layer_options opt = options();
	struct layer_result res;
	static struct listing l;
	int fd = new_fd();

	opt.force_owner = true;
	opt.uid = 100;
	opt.gid = 200;
	assert_int_equal(build(t, ARRAY_SIZE(t), &opt, fd, &res), 0);
	listing_of(fd, &l);
	assert_string_equal(l.buf,
		"/ d 0755 100:200 n3\n"
		"f f 0644 100:200 n1 size=0 ''\n"
		"o d 0755 100:200 n2 trusted.overlay.opaque=y "
		"user.overlay.opaque=y\n"
		"w c 0000 100:200 n1 0,0\n");
	close(fd);
}

/* --- the blob: superblocks, verity, inspect ------------------------------- */

static void flip(int fd, off_t at)
{
	uint8_t c;

	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x40;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
}

static void test_blob(void **state)
{
	char *big = big_content(300000);
	struct tentry t[] = {
		T_FILE("big", 0644, big), T_FILE("small", 0644, "x"),
	};
	struct layer_options opt = options();
	struct layer_result res;
	struct layer_info info;
	struct squashfs_super sq;
	struct image img;
	uint8_t buf[SQUASHFS_SUPER_SIZE], digest[SHA256_LEN];
	uint64_t size;
	int fd = new_fd();

	assert_int_equal(build(t, ARRAY_SIZE(t), &opt, fd, &res), 0);
	assert_true(res.hash_offset % 4096 == 0);
	assert_true(res.hash_offset >= res.bytes_used);
	assert_true(res.hash_offset - res.bytes_used < 4096);
	assert_true(res.blob_size == (uint64_t)lseek(fd, 0, SEEK_END));
	assert_int_equal(res.inodes, 3);

	/* Our superblock parser agrees with libsquashfs's reader. */
	assert_int_equal(pread(fd, buf, sizeof(buf), 0), sizeof(buf));
	assert_int_equal(squashfs_super_parse(buf, sizeof(buf), &sq), 0);
	image_open(&img, fd);
	assert_true(sq.bytes_used == img.super.bytes_used);
	assert_true(sq.bytes_used == res.bytes_used);
	assert_int_equal(sq.inode_count, img.super.inode_count);
	assert_int_equal(sq.mtime, 1234);
	assert_int_equal(sq.block_size, LAYER_BLOCK_SIZE);
	assert_int_equal(sq.compression, SQUASHFS_COMP_ZSTD);
	assert_int_equal(sq.id_count, img.super.id_count);
	assert_true(sq.root_inode_ref == img.super.root_inode_ref);
	assert_true(sq.id_table_start == img.super.id_table_start);
	assert_true(sq.fragment_table_start == img.super.fragment_table_start);
	assert_true(sq.xattr_table_start == img.super.xattr_id_table_start);
	image_close(&img);

	assert_int_equal(layer_inspect_fd(fd, &info), 0);
	assert_memory_equal(info.root, res.root, sizeof(res.root));
	assert_true(info.hash_offset == res.hash_offset);
	assert_true(info.bytes_used == res.bytes_used);
	assert_true(info.size == res.blob_size);
	assert_int_equal(info.verity.salt_len, sizeof(test_salt));
	assert_memory_equal(info.verity.salt, test_salt, sizeof(test_salt));
	assert_memory_equal(info.verity.uuid, opt.uuid, VERITY_UUID_LEN);
	assert_int_equal(layer_digest_fd(fd, digest, &size), 0);
	assert_memory_equal(digest, info.digest, SHA256_LEN);
	assert_true(size == info.size);

	/* A flipped data byte, tree byte or padding byte is caught. */
	flip(fd, 5000);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EVERIFY);
	flip(fd, 5000);
	flip(fd, (off_t)res.hash_offset + 4096 + 17);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EVERIFY);
	flip(fd, (off_t)res.hash_offset + 4096 + 17);
	if (res.hash_offset > res.bytes_used) {
		flip(fd, (off_t)res.bytes_used);
		assert_int_equal(layer_inspect_fd(fd, &info),
				 -OCIBOOT_EVERIFY);
		flip(fd, (off_t)res.bytes_used);
	}
	/* The squashfs and verity superblocks are checked. */
	flip(fd, 0);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EMALFORMED);
	flip(fd, 0);
	flip(fd, (off_t)res.hash_offset + 12);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EMALFORMED);
	flip(fd, (off_t)res.hash_offset + 12);
	/* The blob is exactly data, superblock and tree. */
	assert_int_equal(ftruncate(fd, (off_t)res.blob_size + 1), 0);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EMALFORMED);
	assert_int_equal(ftruncate(fd, (off_t)res.blob_size - 4096), 0);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EMALFORMED);
	assert_int_equal(ftruncate(fd, (off_t)res.hash_offset), 0);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EMALFORMED);
	assert_int_equal(ftruncate(fd, 50), 0);
	assert_int_equal(layer_inspect_fd(fd, &info), -OCIBOOT_EMALFORMED);
	close(fd);
	free(big);
}

/* --- dirscan -------------------------------------------------------------- */

struct recorded {
	struct listing l;
	int fail_at;		/* entry index to fail on, -1 for none */
	int count;
};

static int record(void *ctx, const struct layer_entry *e)
{
	struct recorded *rec = ctx;
	char data[64] = "";

	if (rec->count++ == rec->fail_at)
		return -EXDEV;
	if (e->type == LAYER_FILE && e->size < sizeof(data)) {
		ssize_t n = e->read(e->read_ctx, data, sizeof(data));

		assert_int_equal(n, (ssize_t)e->size);
		data[n] = '\0';
	}
	out(&rec->l, "%s %d %04o %s%s", *e->path ? e->path : "/", e->type,
	    e->mode, e->target ? e->target : "", data);
	for (size_t i = 0; i < e->xattr_count; i++)
		out(&rec->l, " %s=%.*s", e->xattrs[i].name,
		    (int)e->xattrs[i].size, (const char *)e->xattrs[i].value);
	out(&rec->l, "\n");
	return 0;
}

static int add_to_builder(void *ctx, const struct layer_entry *e)
{
	return layer_builder_add(ctx, e);
}

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)),
			 (ssize_t)strlen(data));
	close(fd);
}

static void test_dirscan(void **state)
{
	char root[] = "/tmp/layer_test.XXXXXX", p[128], q[128], failed[64];
	static struct recorded rec;
	bool xattrs;

	assert_non_null(mkdtemp(root));
#define P(s) (snprintf(p, sizeof(p), "%s/%s", root, s), p)
	assert_int_equal(mkdir(P("b"), 0750), 0);
	assert_int_equal(mkdir(P("b/c"), 0700), 0);
	write_file(P("b/c/f"), "deep");
	write_file(P("a"), "first");
	assert_int_equal(chmod(P("a"), 0604), 0);
	assert_int_equal(symlink("b/c", P("l")), 0);
	snprintf(q, sizeof(q), "%s/a", root);
	assert_int_equal(link(q, P("b/hard")), 0);
	assert_int_equal(mkfifo(P("fifo"), 0640), 0);
	assert_int_equal(chmod(root, 0711), 0);
	xattrs = setxattr(P("b"), "user.k", "v", 1, 0) == 0;

	rec.fail_at = -1;
	rec.count = 0;
	rec.l.len = 0;
	assert_int_equal(dirscan_walk(root, record, &rec, failed,
				      sizeof(failed)), 0);
	/* Sorted, each directory right before its contents. */
	assert_string_equal(rec.l.buf, xattrs ?
		"/ 1 0711 \n"
		"a 2 0604 first\n"
		"b 1 0750  user.k=v\n"
		"b/c 1 0700 \n"
		"b/c/f 2 0644 deep\n"
		"b/hard 4 0604 a\n"
		"fifo 7 0640 \n"
		"l 3 0777 b/c\n" :
		"/ 1 0711 \n"
		"a 2 0604 first\n"
		"b 1 0750 \n"
		"b/c 1 0700 \n"
		"b/c/f 2 0644 deep\n"
		"b/hard 4 0604 a\n"
		"fifo 7 0640 \n"
		"l 3 0777 b/c\n");
	if (!xattrs)
		print_message("no user xattrs on /tmp: not scanned\n");

	/* The failing entry is named. */
	rec.fail_at = 4;
	rec.count = 0;
	rec.l.len = 0;
	assert_int_equal(dirscan_walk(root, record, &rec, failed,
				      sizeof(failed)), -EXDEV);
	assert_string_equal(failed, "b/c/f");
	rec.fail_at = 0;
	rec.count = 0;
	assert_int_equal(dirscan_walk(root, record, &rec, failed,
				      sizeof(failed)), -EXDEV);
	assert_string_equal(failed, "");
	assert_int_equal(dirscan_walk(P("a"), record, &rec, failed,
				      sizeof(failed)), -ENOTDIR);

	/* Through the builder, the hard link shares the inode. */
	{
		struct layer_options opt = options();
		struct layer_builder *b;
		struct layer_result res;
		static struct listing l;
		int fd = new_fd();

		opt.force_owner = true;
		assert_int_equal(layer_builder_new(fd, &opt, &b), 0);
		assert_int_equal(dirscan_walk(root, add_to_builder, b, NULL,
					      0), 0);
		assert_int_equal(layer_builder_finish(b, &res), 0);
		layer_builder_free(b);
		listing_of(fd, &l);
		assert_non_null(strstr(l.buf, "\na f 0604 0:0 n2 size=5 "
					      "'first'\n"));
		assert_non_null(strstr(l.buf, "\nb/hard f 0604 0:0 n2 size=5 "
					      "'first'\n"));
		close(fd);
	}

	unlink(P("b/c/f"));
	rmdir(P("b/c"));
	unlink(P("b/hard"));
	rmdir(P("b"));
	unlink(P("a"));
	unlink(P("l"));
	unlink(P("fifo"));
	assert_int_equal(rmdir(root), 0);
#undef P
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_at_the_caps),
		cmocka_unit_test(test_too_many_owners),
		cmocka_unit_test(test_sticky_errors),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_force_owner),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_dirscan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
