/* SPDX-License-Identifier: MIT */
/* Reproducible newc cpio writer; see cpio.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/util.h"
#include "ukify/cpio.h"

#define TRAILER_NAME "TRAILER!!!"

_Static_assert(CPIO_HEADER_LEN == 6 + 13 * 8,
	       "newc header: magic and 13 fields of 8 hex digits");

struct cpio_entry {
	char *path;		/* normalised, NUL-terminated, owned */
	uint32_t mode;		/* file type and permission bits */
	uint32_t rdev_major;
	uint32_t rdev_minor;
	uint8_t *data;		/* owned copy, NULL when size is 0 */
	size_t size;
};

/* One archive member while writing: an entry or an implied directory. */
struct node {
	const char *path;	/* not NUL-terminated at len for parents */
	size_t len;
	const struct cpio_entry *entry;	/* NULL for an implied directory */
	uint32_t nlink;
};

void cpio_init(struct cpio *c)
{
	c->entries = NULL;
	c->count = 0;
	c->cap = 0;
}

void cpio_free(struct cpio *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->entries[i].path);
		free(c->entries[i].data);
	}
	free(c->entries);
	cpio_init(c);
}

static bool is_bad_component(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '.') ||
	       (n == 2 && s[0] == '.' && s[1] == '.');
}

/* Check path; on success *start points past an optional leading '/'. */
static int check_path(const char *path, const char **start)
{
	const char *p = path[0] == '/' ? path + 1 : path;
	size_t len = strnlen(p, CPIO_PATH_MAX + 1);
	size_t comp = 0, depth = 1;

	if (len == 0 || len > CPIO_PATH_MAX)
		return -EINVAL;
	for (size_t i = 0; i <= len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '/' || ch == '\0') {
			if (is_bad_component(p + comp, i - comp))
				return -EINVAL;
			if (ch == '/' && ++depth > CPIO_DEPTH_MAX)
				return -EINVAL;
			comp = i + 1;
		} else if (ch < 0x20 || ch == 0x7f) {
			return -EINVAL;
		}
	}
	*start = p;
	return 0;
}

static int add_entry(struct cpio *c, const char *path, uint32_t mode,
		     const void *data, size_t size)
{
	struct cpio_entry *e;
	const char *p;
	int r;

	r = check_path(path, &p);
	if (r < 0)
		return r;
	if ((mode & 07777) != (mode & ~(uint32_t)S_IFMT))
		return -EINVAL;
	if (c->count >= CPIO_ENTRIES_MAX || size > CPIO_FILE_MAX)
		return -OCIBOOT_ETOOBIG;
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct cpio_entry *n;

		n = reallocarray(c->entries, cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->entries = n;
		c->cap = cap;
	}
	e = &c->entries[c->count];
	memset(e, 0, sizeof(*e));
	e->path = strdup(p);
	if (!e->path)
		return -ENOMEM;
	if (size) {
		e->data = malloc(size);
		if (!e->data) {
			free(e->path);
			return -ENOMEM;
		}
		memcpy(e->data, data, size);
	}
	e->mode = mode;
	e->size = size;
	c->count++;
	return 0;
}

int cpio_add_file(struct cpio *c, const char *path, unsigned int perm,
		  const void *data, size_t size)
{
	if (perm > 07777)
		return -EINVAL;
	return add_entry(c, path, S_IFREG | perm, data, size);
}

int cpio_add_dir(struct cpio *c, const char *path, unsigned int perm)
{
	if (perm > 07777)
		return -EINVAL;
	return add_entry(c, path, S_IFDIR | perm, NULL, 0);
}

int cpio_add_chardev(struct cpio *c, const char *path, unsigned int perm,
		     unsigned int major, unsigned int minor)
{
	int r;

	if (perm > 07777)
		return -EINVAL;
	r = add_entry(c, path, S_IFCHR | perm, NULL, 0);
	if (r < 0)
		return r;
	c->entries[c->count - 1].rdev_major = major;
	c->entries[c->count - 1].rdev_minor = minor;
	return 0;
}

static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r;
	return (alen > blen) - (alen < blen);
}

/* Path order; among equal paths an entry sorts before implied parents. */
static int node_cmp(const void *pa, const void *pb)
{
	const struct node *a = pa, *b = pb;
	int r = path_cmp(a->path, a->len, b->path, b->len);

	if (r)
		return r;
	return (a->entry == NULL) - (b->entry == NULL);
}

static bool node_is_dir(const struct node *n)
{
	return !n->entry || S_ISDIR(n->entry->mode);
}

static uint32_t node_mode(const struct node *n)
{
	return n->entry ? n->entry->mode : (S_IFDIR | 0755);
}

/* Every entry and each of its parent directories, unsorted. */
static int collect_nodes(const struct cpio *c, struct node **out,
			 size_t *count)
{
	size_t total = c->count, k = 0;
	struct node *nodes;

	for (size_t i = 0; i < c->count; i++)
		for (const char *s = c->entries[i].path; *s; s++)
			total += *s == '/';
	nodes = calloc(total ? total : 1, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	for (size_t i = 0; i < c->count; i++) {
		const struct cpio_entry *e = &c->entries[i];
		const char *s;

		nodes[k++] = (struct node){ e->path, strlen(e->path), e, 1 };
		for (s = e->path; *s; s++)
			if (*s == '/')
				nodes[k++] = (struct node){ e->path,
					(size_t)(s - e->path), NULL, 1 };
	}
	*out = nodes;
	*count = k;
	return 0;
}

/* Sort, fold duplicates into one member each; returns the new count. */
static int sort_and_merge(struct node *nodes, size_t count)
{
	size_t kept = 0;

	if (count == 0)
		return 0;
	qsort(nodes, count, sizeof(*nodes), node_cmp);
	for (size_t i = 1; i < count; i++) {
		struct node *last = &nodes[kept];

		if (path_cmp(last->path, last->len, nodes[i].path,
			     nodes[i].len) != 0) {
			nodes[++kept] = nodes[i];
			continue;
		}
		if (nodes[i].entry)
			return -EEXIST;
		if (!node_is_dir(last))
			return -ENOTDIR;
	}
	return (int)(kept + 1);
}

static struct node *find_node(struct node *nodes, size_t count,
			      const char *path, size_t len)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = path_cmp(nodes[mid].path, nodes[mid].len, path, len);

		if (r == 0)
			return &nodes[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A directory's link count is 2 plus one for each subdirectory. */
static void count_links(struct node *nodes, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (node_is_dir(&nodes[i]))
			nodes[i].nlink = 2;
	for (size_t i = 0; i < count; i++) {
		const char *slash;
		struct node *parent;

		if (!node_is_dir(&nodes[i]))
			continue;
		slash = memrchr(nodes[i].path, '/', nodes[i].len);
		if (!slash)
			continue;
		parent = find_node(nodes, count, nodes[i].path,
				   (size_t)(slash - nodes[i].path));
		if (parent)
			parent->nlink++;
	}
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* Bytes one member takes; false on overflow. */
static bool member_size(size_t name_len, size_t data_len, size_t *out)
{
	size_t head = CPIO_HEADER_LEN + name_len + 1;

	head += pad4(head);
	return size_add(head, data_len + pad4(data_len), out);
}

struct header {
	uint32_t ino, mode, nlink, mtime, filesize;
	uint32_t rdev_major, rdev_minor, namesize;
};

static uint8_t *put_member(uint8_t *p, const struct header *h,
			   const char *name, size_t name_len,
			   const uint8_t *data)
{
	char head[CPIO_HEADER_LEN + 1];
	size_t n;

	snprintf(head, sizeof(head),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 h->ino, h->mode, 0u, 0u, h->nlink, h->mtime, h->filesize,
		 0u, 0u, h->rdev_major, h->rdev_minor, h->namesize, 0u);
	memcpy(p, head, CPIO_HEADER_LEN);
	p += CPIO_HEADER_LEN;
	memcpy(p, name, name_len);
	p += name_len;
	n = 1 + pad4(CPIO_HEADER_LEN + name_len + 1);
	memset(p, 0, n);
	p += n;
	if (h->filesize) {
		memcpy(p, data, h->filesize);
		p += h->filesize;
	}
	n = pad4(h->filesize);
	memset(p, 0, n);
	return p + n;
}

static int archive_size(const struct node *nodes, size_t count, size_t *out)
{
	size_t total, one;

	if (!member_size(sizeof(TRAILER_NAME) - 1, 0, &total))
		return -OCIBOOT_ETOOBIG;
	for (size_t i = 0; i < count; i++) {
		size_t data = nodes[i].entry ? nodes[i].entry->size : 0;

		if (!member_size(nodes[i].len, data, &one) ||
		    !size_add(total, one, &total))
			return -OCIBOOT_ETOOBIG;
	}
	*out = total;
	return 0;
}

static void write_members(const struct node *nodes, size_t count,
			  uint32_t mtime, uint8_t *p)
{
	struct header h;

	for (size_t i = 0; i < count; i++) {
		const struct cpio_entry *e = nodes[i].entry;

		h = (struct header){
			.ino = (uint32_t)(i + 1),
			.mode = node_mode(&nodes[i]),
			.nlink = nodes[i].nlink,
			.mtime = mtime,
			.filesize = e ? (uint32_t)e->size : 0,
			.rdev_major = e ? e->rdev_major : 0,
			.rdev_minor = e ? e->rdev_minor : 0,
			.namesize = (uint32_t)(nodes[i].len + 1),
		};
		p = put_member(p, &h, nodes[i].path, nodes[i].len,
			       e ? e->data : NULL);
	}
	h = (struct header){ .nlink = 1,
			     .namesize = sizeof(TRAILER_NAME) };
	put_member(p, &h, TRAILER_NAME, sizeof(TRAILER_NAME) - 1, NULL);
}

int cpio_write(const struct cpio *c, uint32_t mtime, uint8_t **out,
	       size_t *out_len)
{
	struct node *nodes;
	size_t count, size;
	uint8_t *buf;
	int r;

	r = collect_nodes(c, &nodes, &count);
	if (r < 0)
		return r;
	r = sort_and_merge(nodes, count);
	if (r < 0)
		goto out_free_nodes;
	count = (size_t)r;
	count_links(nodes, count);
	r = archive_size(nodes, count, &size);
	if (r < 0)
		goto out_free_nodes;
	buf = malloc(size);
	if (!buf) {
		r = -ENOMEM;
		goto out_free_nodes;
	}
	write_members(nodes, count, mtime, buf);
	*out = buf;
	*out_len = size;
	r = 0;
out_free_nodes:
	free(nodes);
	return r;
}
