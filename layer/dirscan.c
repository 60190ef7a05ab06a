/* SPDX-License-Identifier: MIT */
/*
 * Directory scanner (see dirscan.h). One directory fd is open per level of
 * the walk (at most LAYER_DEPTH_MAX); each directory's names are read and
 * sorted before any is fed, so the order does not depend on readdir's.
 */
#include "layer/dirscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "lib/util.h"

/* Attempts at reading xattrs that change size while being read. */
#define XATTR_TRIES 3

/* The first path seen for an inode with several names. */
struct link_rec {
	dev_t dev;
	ino_t ino;
	char path[];
};

struct xattr_set {
	char *names;
	size_t count;
	struct layer_xattr items[LAYER_XATTRS_MAX];
	void *values[LAYER_XATTRS_MAX];
};

struct dirscan {
	layer_add_fn add;
	void *ctx;
	char *full;		/* root + '/' + rel, for the xattr calls */
	char *rel;		/* inside full */
	size_t rel_len;
	void *links;		/* tsearch tree of struct link_rec */
	struct xattr_set xattrs;
	char *failed;
	size_t failed_size;
	bool failed_set;
};

static int record_failure(struct dirscan *s, int err)
{
	if (err < 0 && !s->failed_set && s->failed && s->failed_size) {
		size_t n = s->rel_len < s->failed_size - 1 ?
			   s->rel_len : s->failed_size - 1;

		memcpy(s->failed, s->rel, n);
		s->failed[n] = '\0';
		s->failed_set = true;
	}
	return err;
}

/* --- paths ---------------------------------------------------------------- */

/* Append "/name" (or "name" at the top) to rel; returns the old length. */
static int path_push(struct dirscan *s, const char *name, size_t *saved)
{
	size_t len = strlen(name), sep = s->rel_len ? 1 : 0;

	if (len > LAYER_PATH_MAX - s->rel_len - sep)
		return -OCIBOOT_ETOOBIG;
	*saved = s->rel_len;
	if (sep)
		s->rel[s->rel_len++] = '/';
	memcpy(s->rel + s->rel_len, name, len + 1);
	s->rel_len += len;
	return 0;
}

static void path_pop(struct dirscan *s, size_t saved)
{
	s->rel_len = saved;
	s->rel[saved] = '\0';
}

/* --- xattrs --------------------------------------------------------------- */

static void xattrs_clear(struct xattr_set *x)
{
	for (size_t i = 0; i < x->count; i++)
		free(x->values[i]);
	free(x->names);
	x->names = NULL;
	x->count = 0;
}

/* lgetxattr() of name, or llistxattr() when name is NULL. */
static ssize_t xattr_get(const char *path, const char *name, void *buf,
			 size_t size)
{
	if (name)
		return lgetxattr(path, name, buf, size);
	return llistxattr(path, buf, size);
}

/*
 * xattr_get() into a new buffer, *out of *size bytes: a value (at most
 * LAYER_XATTR_VALUE_MAX, else -OCIBOOT_ETOOBIG), or the NUL-separated
 * names (NULL and 0 when there are none or the filesystem has no xattrs).
 * -EAGAIN if it keeps changing size.
 */
static int xattr_get_alloc(const char *path, const char *name, void **out,
			   size_t *size)
{
	for (int i = 0; i < XATTR_TRIES; i++) {
		ssize_t len = xattr_get(path, name, NULL, 0);
		void *buf;

		if (len < 0 && !name && (errno == ENOTSUP || errno == ENOSYS))
			len = 0;
		if (len < 0)
			return -errno;
		if (name && (size_t)len > LAYER_XATTR_VALUE_MAX)
			return -OCIBOOT_ETOOBIG;
		if (!name && len == 0) {
			*out = NULL;
			*size = 0;
			return 0;
		}
		buf = malloc(len ? (size_t)len : 1);
		if (!buf)
			return -ENOMEM;
		len = xattr_get(path, name, buf, (size_t)len);
		if (len >= 0) {
			*out = buf;
			*size = (size_t)len;
			return 0;
		}
		free(buf);
		if (errno != ERANGE)
			return -errno;
	}
	return -EAGAIN;
}

static int xattrs_read(struct dirscan *s)
{
	struct xattr_set *x = &s->xattrs;
	size_t size = 0, pos = 0;
	void *names = NULL;
	int r;

	r = xattr_get_alloc(s->full, NULL, &names, &size);
	x->names = names;
	while (r == 0 && pos < size) {
		const char *name = x->names + pos;
		size_t len = strnlen(name, size - pos);

		if (len == size - pos) {
			r = -EIO;	/* the kernel always NUL-terminates */
			break;
		}
		pos += len + 1;
		if (x->count == LAYER_XATTRS_MAX) {
			r = -OCIBOOT_ETOOBIG;
			break;
		}
		r = xattr_get_alloc(s->full, name, &x->values[x->count],
				    &x->items[x->count].size);
		if (r == -ENODATA) {
			r = 0;	/* removed meanwhile */
			continue;
		}
		x->items[x->count].name = name;
		x->items[x->count].value = x->values[x->count];
		if (r == 0)
			x->count++;
	}
	return r;
}

/* --- one entry ------------------------------------------------------------ */

static ssize_t read_fd(void *ctx, void *buf, size_t len)
{
	int fd = *(int *)ctx;

	for (;;) {
		ssize_t n = read(fd, buf, len);

		if (n >= 0)
			return n;
		if (errno != EINTR)
			return -errno;
	}
}

static int link_cmp(const void *a, const void *b)
{
	const struct link_rec *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

/*
 * For an inode with several names: the path it was first fed under, or
 * NULL (and it is recorded) when this is the first.
 */
static int hardlink_of(struct dirscan *s, const struct stat *st,
		       const char **target)
{
	struct link_rec key = { st->st_dev, st->st_ino }, *rec;
	void *found;

	*target = NULL;
	found = tfind(&key, &s->links, link_cmp);
	if (found) {
		*target = (*(struct link_rec **)found)->path;
		return 0;
	}
	rec = malloc(sizeof(*rec) + s->rel_len + 1);
	if (!rec)
		return -ENOMEM;
	rec->dev = st->st_dev;
	rec->ino = st->st_ino;
	memcpy(rec->path, s->rel, s->rel_len + 1);
	if (!tsearch(rec, &s->links, link_cmp)) {
		free(rec);
		return -ENOMEM;
	}
	return 0;
}

/* Open a regular file without following links or blocking on a fifo. */
static int open_file(int dirfd, const char *name, const struct stat *st,
		     struct stat *now)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
			O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, now) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(now->st_mode) || now->st_ino != st->st_ino ||
	    now->st_dev != st->st_dev) {
		close(fd);
		return -EAGAIN;		/* replaced while we looked */
	}
	return fd;
}

static int feed_file(struct dirscan *s, int dirfd, const char *name,
		     const struct stat *st, struct layer_entry *e)
{
	struct stat now;
	int r, fd;

	fd = open_file(dirfd, name, st, &now);
	if (fd < 0)
		return fd;
	e->type = LAYER_FILE;
	e->size = (uint64_t)now.st_size;
	e->read = read_fd;
	e->read_ctx = &fd;
	r = s->add(s->ctx, e);
	close(fd);
	return r;
}

static int feed_symlink(struct dirscan *s, int dirfd, const char *name,
			const struct stat *st, struct layer_entry *e)
{
	char target[LAYER_SYMLINK_MAX + 1];
	ssize_t n;

	if (st->st_size > LAYER_SYMLINK_MAX)
		return -OCIBOOT_ETOOBIG;
	n = readlinkat(dirfd, name, target, sizeof(target));
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(target))
		return -OCIBOOT_ETOOBIG;
	target[n] = '\0';
	e->type = LAYER_SYMLINK;
	e->target = target;
	return s->add(s->ctx, e);
}

static int entry_type(mode_t mode, enum layer_type *type)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		*type = LAYER_DIR;
		return 0;
	case S_IFCHR:
		*type = LAYER_CHAR;
		return 0;
	case S_IFBLK:
		*type = LAYER_BLOCK;
		return 0;
	case S_IFIFO:
		*type = LAYER_FIFO;
		return 0;
	case S_IFSOCK:
		*type = LAYER_SOCKET;
		return 0;
	case S_IFREG:
		*type = LAYER_FILE;
		return 0;
	case S_IFLNK:
		*type = LAYER_SYMLINK;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Feed the entry at s->rel: name in dirfd (NULL for the root itself). */
static int feed(struct dirscan *s, int dirfd, const char *name,
		const struct stat *st)
{
	struct layer_entry e = {
		.path = s->rel,
		.mode = st->st_mode & 07777,
		.uid = st->st_uid,
		.gid = st->st_gid,
		.rdev_major = major(st->st_rdev),
		.rdev_minor = minor(st->st_rdev),
	};
	const char *link = NULL;
	int r;

	r = entry_type(st->st_mode, &e.type);
	if (r < 0)
		return r;
	if (e.type != LAYER_DIR && st->st_nlink > 1) {
		r = hardlink_of(s, st, &link);
		if (r < 0)
			return r;
		if (link) {
			e.type = LAYER_HARDLINK;
			e.target = link;
			return s->add(s->ctx, &e);
		}
	}
	r = xattrs_read(s);
	if (r < 0)
		goto out;
	e.xattrs = s->xattrs.items;
	e.xattr_count = s->xattrs.count;
	if (e.type == LAYER_FILE)
		r = feed_file(s, dirfd, name, st, &e);
	else if (e.type == LAYER_SYMLINK)
		r = feed_symlink(s, dirfd, name, st, &e);
	else
		r = s->add(s->ctx, &e);
out:
	xattrs_clear(&s->xattrs);
	return r;
}

/* --- walking -------------------------------------------------------------- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

static int names_add(char ***names, size_t *count, size_t *cap,
		     const char *name)
{
	if (*count == DIRSCAN_DIR_ENTRIES_MAX)
		return -OCIBOOT_ETOOBIG;
	if (*count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		char **p = reallocarray(*names, n, sizeof(*p));

		if (!p)
			return -ENOMEM;
		*names = p;
		*cap = n;
	}
	(*names)[*count] = strdup(name);
	if (!(*names)[*count])
		return -ENOMEM;
	(*count)++;
	return 0;
}

/* The names in dirfd but "." and "..", sorted bytewise. */
static int read_names(int dirfd, char ***out, size_t *out_count)
{
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	int fd, r = 0;
	DIR *d;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		r = names_add(&names, &count, &cap, de->d_name);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		names_free(names, count);
		return r;
	}
	qsort(names, count, sizeof(*names), name_cmp);
	*out = names;
	*out_count = count;
	return 0;
}

static int walk_dir(struct dirscan *s, int dirfd, unsigned int depth);

static int walk_subdir(struct dirscan *s, int dirfd, const char *name,
		       const struct stat *st, unsigned int depth)
{
	struct stat now;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &now) < 0) {
		r = -errno;
	} else if (now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
		r = -EAGAIN;
	} else {
		r = walk_dir(s, fd, depth);
	}
	close(fd);
	return r;
}

/* Feed the contents of dirfd, whose path has depth components. */
static int walk_dir(struct dirscan *s, int dirfd, unsigned int depth)
{
	char **names = NULL;
	size_t count = 0, saved;
	int r;

	if (depth >= LAYER_DEPTH_MAX)
		return -OCIBOOT_ETOOBIG;
	r = read_names(dirfd, &names, &count);
	if (r < 0)
		return r;
	for (size_t i = 0; i < count && r == 0; i++) {
		struct stat st;

		r = path_push(s, names[i], &saved);
		if (r < 0)
			break;
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		if (r == 0)
			r = feed(s, dirfd, names[i], &st);
		if (r == 0 && S_ISDIR(st.st_mode))
			r = walk_subdir(s, dirfd, names[i], &st, depth + 1);
		record_failure(s, r);
		if (r == 0)
			path_pop(s, saved);
	}
	names_free(names, count);
	return r;
}

static int walk_root(struct dirscan *s, const char *root)
{
	struct stat st;
	int fd, r;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else
		r = feed(s, AT_FDCWD, NULL, &st);
	record_failure(s, r);
	if (r == 0)
		r = walk_dir(s, fd, 0);
	close(fd);
	return r;
}

int dirscan_walk(const char *root, layer_add_fn add, void *ctx, char *failed,
		 size_t failed_size)
{
	struct dirscan *s;
	size_t root_len;
	int r;

	if (!root || !add)
		return -EINVAL;
	root_len = strlen(root);
	while (root_len > 1 && root[root_len - 1] == '/')
		root_len--;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->full = malloc(root_len + 1 + LAYER_PATH_MAX + 1);
	if (!s->full) {
		free(s);
		return -ENOMEM;
	}
	memcpy(s->full, root, root_len);
	if (root_len && s->full[root_len - 1] != '/')
		s->full[root_len++] = '/';
	s->rel = s->full + root_len;
	s->rel[0] = '\0';
	s->add = add;
	s->ctx = ctx;
	s->failed = failed;
	s->failed_size = failed_size;
	r = walk_root(s, root);
	record_failure(s, r);
	tdestroy(s->links, free);
	free(s->full);
	free(s);
	return r;
}
