/* SPDX-License-Identifier: MIT */
/*
 * Layer builder over libsquashfs (see layer.h, docs/layers.md).
 *
 * Entries build an in-memory tree of names (struct layer_node) pointing to
 * inodes (struct layer_inode); hard links are several names of one inode.
 * File content is compressed as it arrives, by libsquashfs's block
 * processor with our data compressor (layer/compress.h). The processor
 * keeps a pointer to each file's squashfs inode and updates it until it
 * is finished; so no inode is freed before the builder is, even one an
 * entry replaced. At the end the tree is numbered
 * and written the way squashfs-tools-ng's gensquashfs orders its calls:
 * block processor finished, inodes (children before their directory, in
 * inode number order) and directory listings, then the fragment, id and
 * xattr tables and the superblock.
 */
#include "layer/layer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr.h>
#include <sqfs/xattr_writer.h>

#include "crypto/sha256.h"
#include "fs/squashfs_super.h"
#include "layer/compress.h"
#include "layer/verity_tree.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define NO_XATTR 0xffffffffu
#define HASH_BUCKETS_MIN 1024
#define READ_CHUNK (1024 * 1024)
#define BACKLOG_PER_WORKER 64	/* blocks in flight (docs/layers.md) */

_Static_assert(LAYER_BLOCK_SIZE == SQFS_DEFAULT_BLOCK_SIZE,
	       "layers use squashfs's default block size");
_Static_assert(LAYER_BLOCK_SIZE % VERITY_BLOCK_SIZE == 0,
	       "blocks stay 4096-aligned");
_Static_assert(LAYER_ZSTD_LEVEL >= SQFS_ZSTD_MIN_LEVEL &&
	       LAYER_ZSTD_LEVEL <= SQFS_ZSTD_MAX_LEVEL, "zstd level");
_Static_assert(LAYER_ENTRIES_MAX < UINT32_MAX / 2, "inode numbers fit");

struct layer_xattr_rec {
	char *name;
	uint8_t *value;
	size_t size;
};

struct layer_node;

struct layer_inode {
	struct layer_inode *all_next;	/* every inode, for freeing */
	enum layer_type type;		/* not LAYER_HARDLINK or _OPAQUE */
	uint16_t mode;			/* permission bits */
	uint32_t uid, gid;
	uint32_t devno;			/* squashfs encoding */
	uint32_t links;			/* names pointing here */
	uint32_t number;		/* 1-based, 0 until numbered */
	uint64_t ref;			/* where it was written */
	bool opaque;
	char *target;
	size_t target_len;
	struct layer_xattr_rec *xattrs;	/* sorted by name */
	size_t xattr_count;
	sqfs_inode_generic_t *file;	/* owned; the block processor's */
	/* Directories. */
	struct layer_node **children;
	size_t child_count, child_cap;
	struct layer_inode *parent;	/* set when numbered */
	uint32_t subdirs;
};

struct layer_node {
	struct layer_node *hash_next;
	struct layer_node *all_next;
	const struct layer_inode *dir;	/* the directory holding it */
	struct layer_inode *inode;
	size_t name_len;
	char name[];
};

/* A cleaned path: components point into buf, NUL-terminated. */
struct layer_path {
	char buf[LAYER_PATH_MAX + 1];
	const char *comp[LAYER_DEPTH_MAX];
	size_t len[LAYER_DEPTH_MAX];
	unsigned int count;
};

/* libsquashfs's file interface over the caller's fd. */
struct layer_file {
	sqfs_file_t base;
	int fd;
	uint64_t size;
	int err;			/* errno of the last failure */
};

struct layer_builder {
	struct layer_file out;
	struct layer_options opt;
	uint8_t salt[VERITY_SALT_MAX];
	sqfs_super_t super;
	sqfs_compressor_t *cmp, *uncmp;
	sqfs_compressor_t *data_cmp;	/* layer/compress.h, for data */
	sqfs_block_writer_t *blkwr;
	sqfs_frag_table_t *frag;
	sqfs_block_processor_t *proc;
	sqfs_id_table_t *ids;
	sqfs_xattr_writer_t *xwr;
	sqfs_meta_writer_t *im, *dm;
	sqfs_dir_writer_t *dirwr;

	struct layer_inode *root;
	struct layer_inode *inodes;
	struct layer_node *nodes;
	struct layer_node **buckets;
	size_t bucket_count, node_count;
	uint64_t hash_key;
	uint64_t metadata_bytes;
	uint64_t xattrs_dropped;
	struct layer_path path, link_path;
	uint8_t *buf;			/* LAYER_BLOCK_SIZE of content */
	struct layer_inode **order;	/* by inode number, when finishing */
	uint32_t inode_count;
	int err;			/* sticky */
	bool finished;
};

/* --- errors and the output file ------------------------------------------ */

static int sqfs_to_errno(const struct layer_builder *b, int sqfs_err)
{
	switch (sqfs_err) {
	case 0:
		return 0;
	case SQFS_ERROR_ALLOC:
		return -ENOMEM;
	case SQFS_ERROR_IO:
		return b->out.err ? -b->out.err : -EIO;
	case SQFS_ERROR_OVERFLOW:
		return -OCIBOOT_ETOOBIG;
	default:
		return -EIO;
	}
}

/* Record a write or read failure: every later call returns it. */
static int fail(struct layer_builder *b, int err)
{
	if (err < 0 && !b->err)
		b->err = err;
	return err;
}

static int file_read_at(sqfs_file_t *base, sqfs_u64 offset, void *buffer,
			size_t size)
{
	struct layer_file *f = (struct layer_file *)base;
	ssize_t n;

	if (offset > INT64_MAX || size > INT64_MAX - offset)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	n = fileio_pread_all(f->fd, buffer, size, offset);
	if (n < 0) {
		f->err = (int)-n;
		return SQFS_ERROR_IO;
	}
	return (size_t)n == size ? 0 : SQFS_ERROR_OUT_OF_BOUNDS;
}

static int file_write_at(sqfs_file_t *base, sqfs_u64 offset,
			 const void *buffer, size_t size)
{
	struct layer_file *f = (struct layer_file *)base;
	int r;

	if (offset > INT64_MAX || size > INT64_MAX - offset)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	r = fileio_pwrite_all(f->fd, buffer, size, offset);
	if (r < 0) {
		f->err = -r;
		return SQFS_ERROR_IO;
	}
	if (offset + size > f->size)
		f->size = offset + size;
	return 0;
}

static sqfs_u64 file_get_size(const sqfs_file_t *base)
{
	return ((const struct layer_file *)base)->size;
}

static int file_truncate(sqfs_file_t *base, sqfs_u64 size)
{
	struct layer_file *f = (struct layer_file *)base;

	if (size > INT64_MAX)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	if (ftruncate(f->fd, (off_t)size) < 0) {
		f->err = errno;
		return SQFS_ERROR_IO;
	}
	f->size = size;
	return 0;
}

/* The file is embedded in the builder, which the builder's owner frees. */
static void file_destroy(sqfs_object_t *obj)
{
	(void)obj;
}

static void file_init(struct layer_file *f, int fd)
{
	f->base.base.destroy = file_destroy;
	f->base.base.copy = NULL;
	f->base.read_at = file_read_at;
	f->base.write_at = file_write_at;
	f->base.get_size = file_get_size;
	f->base.truncate = file_truncate;
	f->fd = fd;
	f->size = 0;
	f->err = 0;
}

/* --- paths ---------------------------------------------------------------- */

/*
 * Split path into components: "." and empty ones dropped, ".." refused.
 * Returns 0, -OCIBOOT_EMALFORMED or -OCIBOOT_ETOOBIG.
 */
static int path_split(const char *path, struct layer_path *p)
{
	size_t len, i = 0;

	if (!path)
		return -OCIBOOT_EMALFORMED;
	len = strnlen(path, LAYER_PATH_MAX + 1);
	if (len > LAYER_PATH_MAX)
		return -OCIBOOT_ETOOBIG;
	memcpy(p->buf, path, len + 1);
	p->count = 0;
	while (i < len) {
		size_t start = i, n;

		while (i < len && p->buf[i] != '/')
			i++;
		n = i - start;
		p->buf[i++] = '\0';	/* the '/' or the final NUL */
		if (n == 0 || (n == 1 && p->buf[start] == '.'))
			continue;
		if (n == 2 && p->buf[start] == '.' && p->buf[start + 1] == '.')
			return -OCIBOOT_EMALFORMED;
		if (n > LAYER_NAME_MAX || p->count == LAYER_DEPTH_MAX)
			return -OCIBOOT_ETOOBIG;
		p->comp[p->count] = p->buf + start;
		p->len[p->count] = n;
		p->count++;
	}
	return 0;
}

/* --- the tree ------------------------------------------------------------- */

static uint64_t name_hash(const struct layer_builder *b,
			  const struct layer_inode *dir, const char *name,
			  size_t len)
{
	uint64_t h = b->hash_key ^ (uint64_t)(uintptr_t)dir;

	/* FNV-1a, keyed, so crafted names cannot be chosen to collide. */
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)name[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

static struct layer_node *lookup(const struct layer_builder *b,
				 const struct layer_inode *dir,
				 const char *name, size_t len)
{
	size_t i = name_hash(b, dir, name, len) & (b->bucket_count - 1);

	for (struct layer_node *n = b->buckets[i]; n; n = n->hash_next)
		if (n->dir == dir && n->name_len == len &&
		    !memcmp(n->name, name, len))
			return n;
	return NULL;
}

static int buckets_grow(struct layer_builder *b)
{
	size_t count = b->bucket_count * 2;
	struct layer_node **nb = calloc(count, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (size_t i = 0; i < b->bucket_count; i++) {
		struct layer_node *n = b->buckets[i], *next;

		for (; n; n = next) {
			size_t j = name_hash(b, n->dir, n->name, n->name_len) &
				   (count - 1);

			next = n->hash_next;
			n->hash_next = nb[j];
			nb[j] = n;
		}
	}
	free(b->buckets);
	b->buckets = nb;
	b->bucket_count = count;
	return 0;
}

static int charge_metadata(struct layer_builder *b, uint64_t bytes)
{
	if (bytes > LAYER_METADATA_MAX - b->metadata_bytes)
		return -OCIBOOT_ETOOBIG;
	b->metadata_bytes += bytes;
	return 0;
}

static struct layer_inode *inode_new(struct layer_builder *b,
				     enum layer_type type, uint32_t mode,
				     uint32_t uid, uint32_t gid)
{
	struct layer_inode *ino = calloc(1, sizeof(*ino));

	if (!ino)
		return NULL;
	ino->type = type;
	ino->mode = (uint16_t)(mode & 07777);
	ino->uid = b->opt.force_owner ? b->opt.uid : uid;
	ino->gid = b->opt.force_owner ? b->opt.gid : gid;
	ino->all_next = b->inodes;
	b->inodes = ino;
	return ino;
}

static struct layer_inode *implicit_dir(struct layer_builder *b)
{
	return inode_new(b, LAYER_DIR, 0755, 0, 0);
}

static void inode_unref(struct layer_inode *ino);

/* A directory dropped from the tree drops its names' inodes too. */
static void inode_unref(struct layer_inode *ino)
{
	if (--ino->links > 0 || ino->type != LAYER_DIR)
		return;
	/* Depth is bounded: paths have at most LAYER_DEPTH_MAX components. */
	for (size_t i = 0; i < ino->child_count; i++)
		inode_unref(ino->children[i]->inode);
}

/* Point node at ino (a new name of it, or a replacement). */
static void node_set(struct layer_node *node, struct layer_inode *ino)
{
	struct layer_inode *old = node->inode;

	ino->links++;
	node->inode = ino;
	if (old)
		inode_unref(old);
}

/* A new name in dir for ino. */
static int node_add(struct layer_builder *b, struct layer_inode *dir,
		    const char *name, size_t len, struct layer_inode *ino,
		    struct layer_node **out)
{
	struct layer_node *node;
	size_t i;
	int r;

	if (b->node_count >= LAYER_ENTRIES_MAX)
		return -OCIBOOT_ETOOBIG;
	r = charge_metadata(b, len);
	if (r < 0)
		return r;
	if (b->node_count >= b->bucket_count && buckets_grow(b) < 0)
		return -ENOMEM;
	if (dir->child_count == dir->child_cap) {
		size_t cap = dir->child_cap ? dir->child_cap * 2 : 8;
		struct layer_node **c;

		c = reallocarray(dir->children, cap, sizeof(*c));
		if (!c)
			return -ENOMEM;
		dir->children = c;
		dir->child_cap = cap;
	}
	node = calloc(1, sizeof(*node) + len + 1);
	if (!node)
		return -ENOMEM;
	memcpy(node->name, name, len);
	node->name_len = len;
	node->dir = dir;
	node->all_next = b->nodes;
	b->nodes = node;
	i = name_hash(b, dir, name, len) & (b->bucket_count - 1);
	node->hash_next = b->buckets[i];
	b->buckets[i] = node;
	b->node_count++;
	dir->children[dir->child_count++] = node;
	node_set(node, ino);
	if (out)
		*out = node;
	return 0;
}

/*
 * The directory holding path's last component, creating missing parents.
 * A whiteout of this layer on the way becomes an opaque directory; any
 * other non-directory is -OCIBOOT_EMALFORMED, found before anything is
 * created (a directory just made has no children to fail on).
 */
static int walk_parents(struct layer_builder *b, const struct layer_path *p,
			struct layer_inode **out)
{
	struct layer_inode *dir = b->root;

	for (unsigned int i = 0; i + 1 < p->count; i++) {
		struct layer_node *n = lookup(b, dir, p->comp[i], p->len[i]);
		struct layer_inode *sub;
		int r;

		if (n && n->inode->type == LAYER_DIR) {
			dir = n->inode;
			continue;
		}
		if (n && n->inode->type != LAYER_WHITEOUT)
			return -OCIBOOT_EMALFORMED;
		sub = implicit_dir(b);
		if (!sub)
			return -ENOMEM;
		if (n) {
			sub->opaque = true;
			node_set(n, sub);
		} else {
			r = node_add(b, dir, p->comp[i], p->len[i], sub, NULL);
			if (r < 0)
				return r;
		}
		dir = sub;
	}
	*out = dir;
	return 0;
}

/*
 * walk_parents(), then look p's last component up in its directory:
 * *parent is that directory, *n the node found there or NULL.
 */
static int walk_to_last(struct layer_builder *b, const struct layer_path *p,
			struct layer_inode **parent, struct layer_node **n)
{
	int r = walk_parents(b, p, parent);

	if (r < 0)
		return r;
	*n = lookup(b, *parent, p->comp[p->count - 1], p->len[p->count - 1]);
	return 0;
}

/* Name path's last component ino, replacing what it named. */
static int attach(struct layer_builder *b, const struct layer_path *p,
		  struct layer_inode *ino)
{
	unsigned int last = p->count - 1;
	struct layer_inode *dir;
	struct layer_node *n;
	int r;

	r = walk_parents(b, p, &dir);
	if (r < 0)
		return r;
	n = lookup(b, dir, p->comp[last], p->len[last]);
	if (n) {
		node_set(n, ino);
		return 0;
	}
	return node_add(b, dir, p->comp[last], p->len[last], ino, NULL);
}

/* The node path names, without creating anything; NULL if none. */
static struct layer_node *resolve(const struct layer_builder *b,
				  const struct layer_path *p)
{
	struct layer_inode *dir = b->root;
	struct layer_node *n = NULL;

	for (unsigned int i = 0; i < p->count; i++) {
		if (i > 0) {
			if (n->inode->type != LAYER_DIR)
				return NULL;
			dir = n->inode;
		}
		n = lookup(b, dir, p->comp[i], p->len[i]);
		if (!n)
			return NULL;
	}
	return n;
}

/* --- entry checks --------------------------------------------------------- */

static int xattr_cmp(const void *a, const void *b)
{
	const struct layer_xattr_rec *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void xattrs_free(struct layer_xattr_rec *x, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(x[i].name);
		free(x[i].value);
	}
	free(x);
}

/* The opaque markers, in name order (the order squashfs stores them). */
static const char *const opaque_markers[] = {
	LAYER_OPAQUE_XATTR, LAYER_OPAQUE_XATTR_USER,
};

static bool is_opaque_marker(const char *name)
{
	return streq(name, LAYER_OPAQUE_XATTR) ||
	       streq(name, LAYER_OPAQUE_XATTR_USER);
}

static bool is_opaque_xattr(const struct layer_xattr *x)
{
	return is_opaque_marker(x->name) && x->size == 1 &&
	       ((const char *)x->value)[0] == 'y';
}

static int xattr_check(const struct layer_xattr *x, bool *storable)
{
	const char *dot;
	size_t len;

	if (!x->name || (x->size && !x->value))
		return -OCIBOOT_EMALFORMED;
	len = strnlen(x->name, LAYER_XATTR_NAME_MAX + 1);
	if (len > LAYER_XATTR_NAME_MAX || x->size > LAYER_XATTR_VALUE_MAX)
		return -OCIBOOT_ETOOBIG;
	/* "namespace.name", both parts non-empty, as the kernel wants. */
	dot = strchr(x->name, '.');
	if (!dot || dot == x->name || !dot[1])
		return -OCIBOOT_EMALFORMED;
	*storable = sqfs_get_xattr_prefix_id(x->name) >= 0;
	return 0;
}

static int xattr_copy(struct layer_xattr_rec *rec, const struct layer_xattr *x)
{
	rec->name = strdup(x->name);
	rec->value = malloc(x->size ? x->size : 1);
	rec->size = x->size;
	if (!rec->name || !rec->value)
		return -ENOMEM;
	if (x->size)
		memcpy(rec->value, x->value, x->size);
	return 0;
}

/*
 * Copy e's xattrs that squashfs can store, sorted by name; a directory's
 * trusted.overlay.opaque=y or user.overlay.opaque=y becomes *opaque
 * instead. Duplicate names are
 * -OCIBOOT_EMALFORMED. Outputs are written only on success.
 */
static int xattrs_take(struct layer_builder *b, const struct layer_entry *e,
		       struct layer_xattr_rec **out, size_t *count,
		       bool *opaque)
{
	struct layer_xattr_rec *recs = NULL;
	uint64_t bytes = 0, dropped = 0;
	size_t n = 0;
	bool op = false;
	int r = 0;

	if (e->xattr_count > LAYER_XATTRS_MAX)
		return -OCIBOOT_ETOOBIG;
	if (e->xattr_count && !e->xattrs)
		return -OCIBOOT_EMALFORMED;
	if (e->xattr_count) {
		recs = calloc(e->xattr_count, sizeof(*recs));
		if (!recs)
			return -ENOMEM;
	}
	for (size_t i = 0; i < e->xattr_count && r == 0; i++) {
		const struct layer_xattr *x = &e->xattrs[i];
		bool storable;

		r = xattr_check(x, &storable);
		if (r < 0)
			break;
		if (!storable) {
			dropped++;
		} else if (e->type == LAYER_DIR && is_opaque_xattr(x)) {
			op = true;
		} else {
			r = xattr_copy(&recs[n++], x);
			bytes += strlen(x->name) + x->size;
		}
	}
	if (r == 0 && n > 1) {
		qsort(recs, n, sizeof(*recs), xattr_cmp);
		for (size_t i = 1; i < n; i++)
			if (streq(recs[i - 1].name, recs[i].name))
				r = -OCIBOOT_EMALFORMED;
	}
	if (r == 0)
		r = charge_metadata(b, bytes);
	if (r < 0) {
		xattrs_free(recs, n);
		return r;
	}
	b->xattrs_dropped += dropped;
	*out = recs;
	*count = n;
	*opaque = op;
	return 0;
}

/* The fields every type checks, before anything changes. */
static int entry_check(const struct layer_entry *e)
{
	size_t len;

	if (e->type < LAYER_DIR || e->type > LAYER_OPAQUE)
		return -OCIBOOT_EMALFORMED;
	if (e->mode & ~07777u)
		return -OCIBOOT_EMALFORMED;
	switch (e->type) {
	case LAYER_FILE:
		if (e->size > LAYER_FILE_SIZE_MAX)
			return -OCIBOOT_ETOOBIG;
		return e->read || !e->size ? 0 : -OCIBOOT_EMALFORMED;
	case LAYER_SYMLINK:
		if (!e->target)
			return -OCIBOOT_EMALFORMED;
		len = strnlen(e->target, LAYER_SYMLINK_MAX + 1);
		if (len > LAYER_SYMLINK_MAX)
			return -OCIBOOT_ETOOBIG;
		return len ? 0 : -OCIBOOT_EMALFORMED;
	case LAYER_HARDLINK:
		return e->target ? 0 : -OCIBOOT_EMALFORMED;
	case LAYER_CHAR:
	case LAYER_BLOCK:
		if (e->rdev_major > LAYER_DEV_MAJOR_MAX ||
		    e->rdev_minor > LAYER_DEV_MINOR_MAX)
			return -OCIBOOT_EMALFORMED;
		return 0;
	default:
		return 0;
	}
}

/* squashfs's 32-bit device number, as the kernel's new_decode_dev() reads. */
static uint32_t devno_encode(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | major << 8 | (minor & ~0xffu) << 12;
}

/* --- adding entries ------------------------------------------------------- */

static void dir_set_meta(struct layer_inode *dir, const struct layer_entry *e,
			 const struct layer_builder *b,
			 struct layer_xattr_rec *xattrs, size_t count,
			 bool opaque)
{
	dir->mode = (uint16_t)(e->mode & 07777);
	dir->uid = b->opt.force_owner ? b->opt.uid : e->uid;
	dir->gid = b->opt.force_owner ? b->opt.gid : e->gid;
	xattrs_free(dir->xattrs, dir->xattr_count);
	dir->xattrs = xattrs;
	dir->xattr_count = count;
	dir->opaque |= opaque;
}

static int add_root(struct layer_builder *b, const struct layer_entry *e)
{
	struct layer_xattr_rec *xattrs;
	size_t count;
	bool opaque;
	int r;

	if (e->type == LAYER_OPAQUE) {
		b->root->opaque = true;
		return 0;
	}
	if (e->type != LAYER_DIR)
		return -OCIBOOT_EMALFORMED;
	r = xattrs_take(b, e, &xattrs, &count, &opaque);
	if (r < 0)
		return r;
	dir_set_meta(b->root, e, b, xattrs, count, opaque);
	return 0;
}

static int add_dir(struct layer_builder *b, const struct layer_entry *e)
{
	const struct layer_path *p = &b->path;
	struct layer_xattr_rec *xattrs;
	struct layer_inode *parent, *dir;
	struct layer_node *n;
	size_t count;
	bool opaque;
	int r;

	r = xattrs_take(b, e, &xattrs, &count, &opaque);
	if (r < 0)
		return r;
	r = walk_to_last(b, p, &parent, &n);
	if (r < 0)
		goto out_free;
	if (n && n->inode->type == LAYER_DIR) {
		dir_set_meta(n->inode, e, b, xattrs, count, opaque);
		return 0;
	}
	r = -ENOMEM;
	dir = implicit_dir(b);
	if (!dir)
		goto out_free;
	/* A directory over this layer's whiteout hides the one below. */
	dir_set_meta(dir, e, b, xattrs, count,
		     opaque || (n && n->inode->type == LAYER_WHITEOUT));
	return attach(b, p, dir);
out_free:
	xattrs_free(xattrs, count);
	return r;
}

static int add_whiteout(struct layer_builder *b)
{
	const struct layer_path *p = &b->path;
	struct layer_inode *parent, *ino;
	struct layer_node *n;
	int r;

	r = walk_to_last(b, p, &parent, &n);
	if (r < 0)
		return r;
	if (n) {
		/* This layer's own entry stays; its directory hides below. */
		if (n->inode->type == LAYER_DIR)
			n->inode->opaque = true;
		return 0;
	}
	ino = inode_new(b, LAYER_WHITEOUT, 0, 0, 0);
	if (!ino)
		return -ENOMEM;
	return attach(b, p, ino);
}

static int add_opaque(struct layer_builder *b)
{
	const struct layer_path *p = &b->path;
	struct layer_inode *parent, *dir;
	struct layer_node *n;
	int r;

	r = walk_to_last(b, p, &parent, &n);
	if (r < 0)
		return r;
	if (n && n->inode->type == LAYER_DIR) {
		n->inode->opaque = true;
		return 0;
	}
	if (n && n->inode->type != LAYER_WHITEOUT)
		return -OCIBOOT_EMALFORMED;
	dir = implicit_dir(b);
	if (!dir)
		return -ENOMEM;
	dir->opaque = true;
	return attach(b, p, dir);
}

static int add_hardlink(struct layer_builder *b, const struct layer_entry *e)
{
	struct layer_node *target, *n;
	struct layer_inode *parent;
	int r;

	r = path_split(e->target, &b->link_path);
	if (r < 0)
		return r;
	target = resolve(b, &b->link_path);
	if (!target || target->inode->type == LAYER_DIR ||
	    target->inode->type == LAYER_WHITEOUT)
		return -OCIBOOT_EMALFORMED;
	r = walk_parents(b, &b->path, &parent);
	if (r < 0)
		return r;
	n = lookup(b, parent, b->path.comp[b->path.count - 1],
		   b->path.len[b->path.count - 1]);
	if (n && n->inode == target->inode)
		return 0;
	return attach(b, &b->path, target->inode);
}

/* Read e's content into the block processor; -errno or SQFS_ERROR_*. */
static int copy_content(struct layer_builder *b, const struct layer_entry *e,
			bool *sqfs_err)
{
	uint64_t left = e->size;

	while (left) {
		size_t want = left < LAYER_BLOCK_SIZE ? left : LAYER_BLOCK_SIZE;
		ssize_t n = e->read(e->read_ctx, b->buf, want);
		int r;

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ENODATA;
		if ((size_t)n > want)
			return -EINVAL;
		r = sqfs_block_processor_append(b->proc, b->buf, (size_t)n);
		if (r) {
			*sqfs_err = true;
			return r;
		}
		left -= (size_t)n;
	}
	return 0;
}

static int stream_content(struct layer_builder *b, const struct layer_entry *e,
			  struct layer_inode *ino)
{
	bool sqfs_err = false;
	int r, end;

	r = sqfs_block_processor_begin_file(b->proc, &ino->file, NULL, 0);
	if (r)
		return fail(b, sqfs_to_errno(b, r));
	r = copy_content(b, e, &sqfs_err);
	if (sqfs_err)
		r = sqfs_to_errno(b, r);
	/* Ended even on failure: the processor frees its buffer then. */
	end = sqfs_block_processor_end_file(b->proc);
	if (r == 0 && end)
		r = sqfs_to_errno(b, end);
	return r ? fail(b, r) : 0;
}

/* A file, symlink, device, fifo or socket. */
static int add_inode(struct layer_builder *b, const struct layer_entry *e)
{
	struct layer_xattr_rec *xattrs;
	struct layer_inode *ino = NULL, *parent;
	size_t count;
	bool opaque;
	int r;

	r = xattrs_take(b, e, &xattrs, &count, &opaque);
	if (r < 0)
		return r;
	/* Fail on the path before reading any content. */
	r = walk_parents(b, &b->path, &parent);
	if (r == 0)
		ino = inode_new(b, e->type, e->mode, e->uid, e->gid);
	if (r == 0 && !ino)
		r = -ENOMEM;
	if (r < 0) {
		xattrs_free(xattrs, count);
		return r;
	}
	ino->xattrs = xattrs;
	ino->xattr_count = count;
	if (e->type == LAYER_CHAR || e->type == LAYER_BLOCK)
		ino->devno = devno_encode(e->rdev_major, e->rdev_minor);
	if (e->type == LAYER_SYMLINK) {
		ino->target_len = strlen(e->target);
		ino->target = strdup(e->target);
		if (!ino->target)
			return -ENOMEM;
		r = charge_metadata(b, ino->target_len);
		if (r < 0)
			return r;
	}
	if (e->type == LAYER_FILE) {
		r = stream_content(b, e, ino);
		if (r < 0)
			return r;
	}
	return attach(b, &b->path, ino);
}

int layer_builder_add(struct layer_builder *b, const struct layer_entry *e)
{
	int r;

	if (b->err)
		return b->err;
	if (b->finished || !e)
		return -EINVAL;
	r = entry_check(e);
	if (r < 0)
		return r;
	r = path_split(e->path, &b->path);
	if (r < 0)
		return r;
	if (b->path.count == 0)
		return add_root(b, e);
	switch (e->type) {
	case LAYER_DIR:
		return add_dir(b, e);
	case LAYER_WHITEOUT:
		return add_whiteout(b);
	case LAYER_OPAQUE:
		return add_opaque(b);
	case LAYER_HARDLINK:
		return add_hardlink(b, e);
	default:
		return add_inode(b, e);
	}
}

/* --- setting up ----------------------------------------------------------- */

static int create_compressors(struct layer_builder *b)
{
	sqfs_compressor_config_t cfg;
	int r;

	r = sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD,
					LAYER_BLOCK_SIZE, 0);
	if (r)
		return -EINVAL;
	cfg.level = LAYER_ZSTD_LEVEL;
	r = sqfs_compressor_create(&cfg, &b->cmp);
	if (r)
		return sqfs_to_errno(b, r);
	cfg.flags |= SQFS_COMP_FLAG_UNCOMPRESS;
	r = sqfs_compressor_create(&cfg, &b->uncmp);
	if (r)
		return sqfs_to_errno(b, r);
	return layer_compressor_create(LAYER_ZSTD_LEVEL, LAYER_BLOCK_SIZE,
				       LAYER_REUSE_MAX, &b->data_cmp);
}

static int write_super_start(struct layer_builder *b)
{
	int r;

	r = sqfs_super_init(&b->super, LAYER_BLOCK_SIZE, b->opt.mtime,
			    SQFS_COMP_ZSTD);
	if (r)
		return -EINVAL;
	r = sqfs_super_write(&b->super, &b->out.base);
	if (r)
		return sqfs_to_errno(b, r);
	/* Options only when not the defaults; at our level, none. */
	r = b->cmp->write_options(b->cmp, &b->out.base);
	if (r < 0)
		return sqfs_to_errno(b, r);
	if (r > 0)
		b->super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
	return 0;
}

static int create_writers(struct layer_builder *b)
{
	sqfs_block_processor_desc_t desc = { 0 };
	unsigned int workers = b->opt.workers ? b->opt.workers : 1;
	int r;

	b->blkwr = sqfs_block_writer_create(&b->out.base, SQFS_DEVBLK_SIZE, 0);
	b->frag = sqfs_frag_table_create(0);
	b->ids = sqfs_id_table_create(0);
	b->xwr = sqfs_xattr_writer_create(0);
	b->im = sqfs_meta_writer_create(&b->out.base, b->cmp, 0);
	b->dm = sqfs_meta_writer_create(&b->out.base, b->cmp,
					SQFS_META_WRITER_KEEP_IN_MEMORY);
	if (!b->blkwr || !b->frag || !b->ids || !b->xwr || !b->im || !b->dm)
		return -ENOMEM;
	b->dirwr = sqfs_dir_writer_create(b->dm, 0);
	if (!b->dirwr)
		return -ENOMEM;
	desc.size = sizeof(desc);
	desc.max_block_size = LAYER_BLOCK_SIZE;
	desc.num_workers = workers;
	desc.max_backlog = workers * BACKLOG_PER_WORKER;
	desc.cmp = b->data_cmp;
	desc.wr = b->blkwr;
	desc.tbl = b->frag;
	desc.file = &b->out.base;
	desc.uncmp = b->uncmp;
	r = sqfs_block_processor_create_ex(&desc, &b->proc);
	return r ? sqfs_to_errno(b, r) : 0;
}

static int options_check(const struct layer_options *opt)
{
	if (!opt || opt->salt_len > VERITY_SALT_MAX ||
	    (opt->salt_len && !opt->salt) || opt->workers > LAYER_WORKERS_MAX)
		return -EINVAL;
	return 0;
}

int layer_builder_new(int fd, const struct layer_options *opt,
		      struct layer_builder **out)
{
	struct layer_builder *b;
	int r;

	r = options_check(opt);
	if (r < 0 || fd < 0)
		return -EINVAL;
	if (ftruncate(fd, 0) < 0)
		return -errno;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	file_init(&b->out, fd);
	b->opt = *opt;
	if (opt->salt_len)
		memcpy(b->salt, opt->salt, opt->salt_len);
	b->opt.salt = b->salt;
	r = -ENOMEM;
	b->bucket_count = HASH_BUCKETS_MIN;
	b->buckets = calloc(b->bucket_count, sizeof(*b->buckets));
	b->buf = malloc(LAYER_BLOCK_SIZE);
	b->root = implicit_dir(b);
	if (!b->buckets || !b->buf || !b->root)
		goto out_free;
	b->root->links = 1;
	if (getrandom(&b->hash_key, sizeof(b->hash_key), 0) !=
	    sizeof(b->hash_key)) {
		r = -errno;
		goto out_free;
	}
	r = create_compressors(b);
	if (r == 0)
		r = write_super_start(b);
	if (r == 0)
		r = create_writers(b);
	if (r < 0)
		goto out_free;
	*out = b;
	return 0;
out_free:
	layer_builder_free(b);
	return r;
}

void layer_builder_free(struct layer_builder *b)
{
	if (!b)
		return;
	/*
	 * The block processor first: it may still point into inodes. It
	 * frees the blocks still queued only when drained (libsquashfs 1.2).
	 */
	if (b->proc && !b->finished)
		sqfs_block_processor_finish(b->proc);
	sqfs_destroy(b->proc);
	sqfs_destroy(b->dirwr);
	sqfs_destroy(b->dm);
	sqfs_destroy(b->im);
	sqfs_destroy(b->xwr);
	sqfs_destroy(b->ids);
	sqfs_destroy(b->frag);
	sqfs_destroy(b->blkwr);
	sqfs_destroy(b->uncmp);
	sqfs_destroy(b->data_cmp);
	sqfs_destroy(b->cmp);
	while (b->inodes) {
		struct layer_inode *ino = b->inodes;

		b->inodes = ino->all_next;
		sqfs_free(ino->file);
		free(ino->target);
		xattrs_free(ino->xattrs, ino->xattr_count);
		free(ino->children);
		free(ino);
	}
	while (b->nodes) {
		struct layer_node *n = b->nodes;

		b->nodes = n->all_next;
		free(n);
	}
	free(b->order);
	free(b->buckets);
	free(b->buf);
	free(b);
}

/* --- numbering ------------------------------------------------------------ */

static int node_cmp(const void *a, const void *b)
{
	const struct layer_node *x = *(struct layer_node *const *)a;
	const struct layer_node *y = *(struct layer_node *const *)b;

	return strcmp(x->name, y->name);
}

static void number(struct layer_builder *b, struct layer_inode *ino)
{
	ino->number = ++b->inode_count;
	b->order[ino->number - 1] = ino;
}

/*
 * Number dir's subtree as gensquashfs does: the subdirectories' contents
 * first, then dir's own entries in name order; an inode already numbered
 * (a hard link met before) keeps its number. So every entry a directory
 * lists has a lower number than the directory, and is written before it.
 * Recursion depth is bounded by LAYER_DEPTH_MAX.
 */
static void number_dir(struct layer_builder *b, struct layer_inode *dir)
{
	if (dir->child_count > 1)
		qsort(dir->children, dir->child_count,
		      sizeof(dir->children[0]), node_cmp);
	dir->subdirs = 0;
	for (size_t i = 0; i < dir->child_count; i++) {
		struct layer_inode *sub = dir->children[i]->inode;

		if (sub->type != LAYER_DIR)
			continue;
		sub->parent = dir;
		dir->subdirs++;
		number_dir(b, sub);
	}
	for (size_t i = 0; i < dir->child_count; i++)
		if (!dir->children[i]->inode->number)
			number(b, dir->children[i]->inode);
}

/* --- writing the tree ----------------------------------------------------- */

static uint16_t type_bits(enum layer_type type)
{
	switch (type) {
	case LAYER_DIR:
		return S_IFDIR;
	case LAYER_FILE:
		return S_IFREG;
	case LAYER_SYMLINK:
		return S_IFLNK;
	case LAYER_BLOCK:
		return S_IFBLK;
	case LAYER_FIFO:
		return S_IFIFO;
	case LAYER_SOCKET:
		return S_IFSOCK;
	default:
		return S_IFCHR;		/* LAYER_CHAR, LAYER_WHITEOUT */
	}
}

/*
 * The inode's xattr block, with the opaque markers (both) merged in name
 * order; a stored value of a marker gives way to "y".
 */
static int write_xattrs(struct layer_builder *b, const struct layer_inode *ino,
			uint32_t *index)
{
	size_t m = ino->opaque ? 0 : ARRAY_SIZE(opaque_markers);
	int r;

	*index = NO_XATTR;
	if (!ino->xattr_count && !ino->opaque)
		return 0;
	r = sqfs_xattr_writer_begin(b->xwr, 0);
	for (size_t i = 0; r == 0 && i <= ino->xattr_count; i++) {
		const struct layer_xattr_rec *x = &ino->xattrs[i];
		bool last = i == ino->xattr_count;

		while (r == 0 && m < ARRAY_SIZE(opaque_markers) &&
		       (last || strcmp(x->name, opaque_markers[m]) >= 0))
			r = sqfs_xattr_writer_add(b->xwr, opaque_markers[m++],
						  "y", 1);
		if (r == 0 && !last &&
		    !(ino->opaque && is_opaque_marker(x->name)))
			r = sqfs_xattr_writer_add(b->xwr, x->name, x->value,
						  x->size);
	}
	if (r == 0)
		r = sqfs_xattr_writer_end(b->xwr, index);
	return r ? sqfs_to_errno(b, r) : 0;
}

static sqfs_inode_generic_t *dir_inode(struct layer_builder *b,
				       const struct layer_inode *dir,
				       uint32_t xattr, int *err)
{
	/* The root's parent is one past the last inode, as in mksquashfs. */
	uint32_t parent = dir->parent ? dir->parent->number :
			  b->inode_count + 1;
	sqfs_inode_generic_t *sg;
	int r;

	r = sqfs_dir_writer_begin(b->dirwr, 0);
	for (size_t i = 0; r == 0 && i < dir->child_count; i++) {
		const struct layer_node *n = dir->children[i];

		r = sqfs_dir_writer_add_entry(b->dirwr, n->name,
					      n->inode->number, n->inode->ref,
					      type_bits(n->inode->type));
	}
	if (r == 0)
		r = sqfs_dir_writer_end(b->dirwr);
	if (r) {
		*err = sqfs_to_errno(b, r);
		return NULL;
	}
	sg = sqfs_dir_writer_create_inode(b->dirwr, 0, xattr, parent);
	if (!sg) {
		*err = -ENOMEM;
		return NULL;
	}
	/* The Unix count ("." and each subdirectory's ".."), as mksquashfs. */
	if (sg->base.type == SQFS_INODE_DIR)
		sg->data.dir.nlink = 2 + dir->subdirs;
	else
		sg->data.dir_ext.nlink = 2 + dir->subdirs;
	return sg;
}

static int file_inode(struct layer_inode *ino, uint32_t xattr)
{
	sqfs_inode_generic_t *sg = ino->file;
	int r = 0;

	if (xattr != NO_XATTR)
		r = sqfs_inode_set_xattr_index(sg, xattr);
	if (r == 0 && ino->links > 1)
		r = sqfs_inode_make_extended(sg);
	if (r == 0 && sg->base.type == SQFS_INODE_EXT_FILE)
		sg->data.file_ext.nlink = ino->links;
	return r ? -EIO : 0;
}

static sqfs_inode_generic_t *other_inode(const struct layer_inode *ino,
					 uint32_t xattr, int *err)
{
	sqfs_inode_generic_t *sg;

	sg = calloc(1, sizeof(*sg) + ino->target_len);
	if (!sg) {
		*err = -ENOMEM;
		return NULL;
	}
	switch (ino->type) {
	case LAYER_SYMLINK:
		sg->base.type = SQFS_INODE_SLINK;
		sg->data.slink.nlink = ino->links;
		sg->data.slink.target_size = (uint32_t)ino->target_len;
		sg->payload_bytes_available = (uint32_t)ino->target_len;
		sg->payload_bytes_used = (uint32_t)ino->target_len;
		memcpy(sg->extra, ino->target, ino->target_len);
		break;
	case LAYER_BLOCK:
	case LAYER_CHAR:
	case LAYER_WHITEOUT:
		sg->base.type = ino->type == LAYER_BLOCK ? SQFS_INODE_BDEV :
			       SQFS_INODE_CDEV;
		sg->data.dev.nlink = ino->links;
		sg->data.dev.devno = ino->devno;
		break;
	default:
		sg->base.type = ino->type == LAYER_FIFO ? SQFS_INODE_FIFO :
			       SQFS_INODE_SOCKET;
		sg->data.ipc.nlink = ino->links;
		break;
	}
	if (xattr != NO_XATTR && sqfs_inode_set_xattr_index(sg, xattr)) {
		free(sg);
		*err = -EIO;
		return NULL;
	}
	return sg;
}

static int write_inode(struct layer_builder *b, struct layer_inode *ino)
{
	sqfs_inode_generic_t *sg = NULL;
	uint32_t xattr, offset;
	uint64_t block;
	int r;

	r = write_xattrs(b, ino, &xattr);
	if (r < 0)
		return r;
	if (ino->type == LAYER_DIR) {
		sg = dir_inode(b, ino, xattr, &r);
	} else if (ino->type == LAYER_FILE) {
		r = file_inode(ino, xattr);
		if (r == 0) {
			sg = ino->file;
			ino->file = NULL;
		}
	} else {
		sg = other_inode(ino, xattr, &r);
	}
	if (!sg)
		return r;
	sg->base.mode = type_bits(ino->type) | ino->mode;
	sg->base.mod_time = b->opt.mtime;
	sg->base.inode_number = ino->number;
	r = sqfs_id_table_id_to_index(b->ids, ino->uid, &sg->base.uid_idx);
	if (r == 0)
		r = sqfs_id_table_id_to_index(b->ids, ino->gid,
					      &sg->base.gid_idx);
	if (r == 0) {
		sqfs_meta_writer_get_position(b->im, &block, &offset);
		ino->ref = block << 16 | offset;
		r = sqfs_meta_writer_write_inode(b->im, sg);
	}
	sqfs_free(sg);
	return r ? sqfs_to_errno(b, r) : 0;
}

static int write_tree(struct layer_builder *b)
{
	sqfs_file_t *file = &b->out.base;
	int r;

	b->order = calloc(b->node_count + 1, sizeof(*b->order));
	if (!b->order)
		return -ENOMEM;
	number_dir(b, b->root);
	number(b, b->root);
	b->super.inode_count = b->inode_count;
	b->super.inode_table_start = file->get_size(file);
	for (uint32_t i = 0; i < b->inode_count; i++) {
		r = write_inode(b, b->order[i]);
		if (r < 0)
			return r;
	}
	r = sqfs_meta_writer_flush(b->im);
	if (r == 0)
		r = sqfs_meta_writer_flush(b->dm);
	if (r)
		return sqfs_to_errno(b, r);
	b->super.root_inode_ref = b->root->ref;
	b->super.directory_table_start = file->get_size(file);
	r = sqfs_meta_write_write_to_file(b->dm);
	return r ? sqfs_to_errno(b, r) : 0;
}

static int write_tables(struct layer_builder *b)
{
	sqfs_file_t *file = &b->out.base;
	int r;

	r = sqfs_frag_table_write(b->frag, file, &b->super, b->cmp);
	if (r == 0)
		r = sqfs_id_table_write(b->ids, file, &b->super, b->cmp);
	if (r == 0)
		r = sqfs_xattr_writer_flush(b->xwr, file, &b->super, b->cmp);
	if (r)
		return sqfs_to_errno(b, r);
	b->super.bytes_used = file->get_size(file);
	r = sqfs_super_write(&b->super, file);
	return r ? sqfs_to_errno(b, r) : 0;
}

/* Zeros up to the next verity block boundary: where the hash area starts. */
static int pad_image(struct layer_builder *b, uint64_t *hash_offset)
{
	static const uint8_t zeros[VERITY_BLOCK_SIZE];
	uint64_t size = b->out.size;
	size_t pad = (VERITY_BLOCK_SIZE - size % VERITY_BLOCK_SIZE) %
		     VERITY_BLOCK_SIZE;
	int r;

	r = file_write_at(&b->out.base, size, zeros, pad);
	if (r)
		return sqfs_to_errno(b, r);
	*hash_offset = size + pad;
	return 0;
}

/* SHA-256(label || the image's first size bytes), both labels at once. */
static int derive_from_image(struct layer_builder *b, uint64_t size)
{
	uint8_t salt[SHA256_LEN], uuid[SHA256_LEN];
	struct sha256 hs, hu;
	uint64_t offset = 0;
	int r = 0;

	sha256_init(&hs);
	sha256_init(&hu);
	sha256_update(&hs, LAYER_SALT_LABEL, strlen(LAYER_SALT_LABEL));
	sha256_update(&hu, LAYER_UUID_LABEL, strlen(LAYER_UUID_LABEL));
	while (offset < size && r == 0) {
		size_t n = size - offset < LAYER_BLOCK_SIZE ?
			   (size_t)(size - offset) : LAYER_BLOCK_SIZE;

		r = fileio_pread_exact(b->out.fd, b->buf, n, offset);
		if (r == 0) {
			if (b->opt.derive_salt)
				sha256_update(&hs, b->buf, n);
			if (b->opt.derive_uuid)
				sha256_update(&hu, b->buf, n);
		}
		offset += n;
	}
	if (r < 0)
		return r;
	sha256_final(&hs, salt);
	sha256_final(&hu, uuid);
	_Static_assert(LAYER_DERIVED_SALT_LEN <= VERITY_SALT_MAX &&
		       LAYER_DERIVED_SALT_LEN <= SHA256_LEN, "salt fits");
	if (b->opt.derive_salt) {
		memcpy(b->salt, salt, LAYER_DERIVED_SALT_LEN);
		b->opt.salt_len = LAYER_DERIVED_SALT_LEN;
	}
	if (b->opt.derive_uuid) {
		memcpy(b->opt.uuid, uuid, VERITY_UUID_LEN);
		b->opt.uuid[6] = (b->opt.uuid[6] & 0x0f) | 0x80; /* v8 */
		b->opt.uuid[8] = (b->opt.uuid[8] & 0x3f) | 0x80; /* RFC */
	}
	return 0;
}

int layer_builder_finish(struct layer_builder *b, struct layer_result *res)
{
	struct verity_geometry geo;
	struct layer_result out = { 0 };
	int r;

	if (b->err)
		return b->err;
	if (b->finished)
		return -EINVAL;
	b->finished = true;
	r = sqfs_block_processor_finish(b->proc);
	if (r)
		return fail(b, sqfs_to_errno(b, r));
	r = write_tree(b);
	if (r == 0)
		r = write_tables(b);
	if (r == 0)
		r = pad_image(b, &out.hash_offset);
	if (r == 0)
		r = verity_geometry_init(&geo, out.hash_offset);
	if (r == 0 && (b->opt.derive_salt || b->opt.derive_uuid))
		r = derive_from_image(b, out.hash_offset);
	if (r == 0)
		r = verity_format_fd(b->out.fd, out.hash_offset, b->salt,
				     b->opt.salt_len, b->opt.uuid, out.root);
	if (r < 0)
		return fail(b, r);
	out.bytes_used = b->super.bytes_used;
	out.blob_size = geo.blob_size;
	out.inodes = b->inode_count;
	out.xattrs_dropped = b->xattrs_dropped;
	layer_compressor_stats(b->data_cmp, &out.blocks);
	memcpy(out.salt, b->salt, b->opt.salt_len);
	out.salt_len = b->opt.salt_len;
	memcpy(out.uuid, b->opt.uuid, VERITY_UUID_LEN);
	*res = out;
	return 0;
}

/* --- reading a blob back -------------------------------------------------- */

/* The size of a file or block device, leaving the file offset alone. */
static int file_size(int fd, uint64_t *size)
{
	off_t here = lseek(fd, 0, SEEK_CUR), end;

	if (here < 0)
		return -errno;
	end = lseek(fd, 0, SEEK_END);
	if (end < 0 || lseek(fd, here, SEEK_SET) < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}

int layer_digest_fd(int fd, uint8_t digest[SHA256_LEN], uint64_t *size)
{
	struct sha256 sha;
	uint64_t total = 0;
	uint8_t *buf = malloc(READ_CHUNK);

	if (!buf)
		return -ENOMEM;
	sha256_init(&sha);
	for (;;) {
		ssize_t n = fileio_pread_all(fd, buf, READ_CHUNK, total);

		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		sha256_update(&sha, buf, (size_t)n);
		total += (size_t)n;
	}
	free(buf);
	sha256_final(&sha, digest);
	*size = total;
	return 0;
}

struct inspect_ctx {
	int fd;
	uint8_t block[VERITY_BLOCK_SIZE];
};

/* Each recomputed hash block must equal the stored one. */
static int compare_block(void *ctx, uint64_t block, const uint8_t *data)
{
	struct inspect_ctx *c = ctx;
	int r;

	r = fileio_pread_exact(c->fd, c->block, sizeof(c->block),
			       block * VERITY_BLOCK_SIZE);
	if (r < 0)
		return r;
	return memcmp(c->block, data, VERITY_BLOCK_SIZE) ?
	       -OCIBOOT_EVERIFY : 0;
}

/* Hash every byte, and feed the data area to the tree. */
static int inspect_stream(int fd, uint64_t size, uint64_t hash_offset,
			  struct verity_tree *tree, struct sha256 *sha)
{
	uint8_t *buf = malloc(READ_CHUNK);
	uint64_t pos = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	while (pos < size && r == 0) {
		size_t n = size - pos < READ_CHUNK ? size - pos : READ_CHUNK;

		r = fileio_pread_exact(fd, buf, n, pos);
		if (r < 0)
			break;
		sha256_update(sha, buf, n);
		if (pos < hash_offset) {
			uint64_t data = hash_offset - pos;

			r = verity_tree_update(tree, buf, data < n ? data : n);
		}
		pos += n;
	}
	free(buf);
	return r;
}

static int inspect_headers(int fd, struct layer_info *info)
{
	uint8_t buf[VERITY_SUPERBLOCK_SIZE];
	struct squashfs_super sq;
	struct verity_geometry geo;
	int r;

	r = file_size(fd, &info->size);
	if (r < 0)
		return r;
	if (info->size < SQUASHFS_SUPER_SIZE)
		return -OCIBOOT_EMALFORMED;
	r = fileio_pread_exact(fd, buf, SQUASHFS_SUPER_SIZE, 0);
	if (r == 0)
		r = squashfs_super_parse(buf, SQUASHFS_SUPER_SIZE, &sq);
	if (r < 0)
		return r;
	info->bytes_used = sq.bytes_used;
	info->inodes = sq.inode_count;
	info->mtime = sq.mtime;
	info->block_size = sq.block_size;
	info->compression = sq.compression;
	/* bytes_used <= 2^52, so rounding up cannot overflow. */
	info->hash_offset = (sq.bytes_used + VERITY_BLOCK_SIZE - 1) /
			    VERITY_BLOCK_SIZE * VERITY_BLOCK_SIZE;
	if (info->size < info->hash_offset + VERITY_BLOCK_SIZE)
		return -OCIBOOT_EMALFORMED;
	r = fileio_pread_exact(fd, buf, sizeof(buf), info->hash_offset);
	if (r == 0)
		r = verity_superblock_parse(buf, sizeof(buf), info->hash_offset,
					    &info->verity);
	if (r == 0)
		r = verity_geometry_init(&geo, info->hash_offset);
	if (r < 0)
		return r;
	return geo.blob_size == info->size ? 0 : -OCIBOOT_EMALFORMED;
}

int layer_inspect_fd(int fd, struct layer_info *out)
{
	struct layer_info info = { 0 };
	struct inspect_ctx *ctx;
	struct verity_tree *tree;
	struct sha256 sha;
	int r;

	r = inspect_headers(fd, &info);
	if (r < 0)
		return r;
	tree = malloc(sizeof(*tree));
	ctx = malloc(sizeof(*ctx));
	if (!tree || !ctx) {
		r = -ENOMEM;
		goto out_free;
	}
	ctx->fd = fd;
	r = verity_tree_init(tree, info.hash_offset, info.verity.salt,
			     info.verity.salt_len, compare_block, ctx);
	if (r < 0)
		goto out_free;
	sha256_init(&sha);
	r = inspect_stream(fd, info.size, info.hash_offset, tree, &sha);
	if (r == 0)
		r = verity_tree_final(tree, info.root);
	if (r < 0)
		goto out_free;
	sha256_final(&sha, info.digest);
	*out = info;
out_free:
	free(ctx);
	free(tree);
	return r;
}
