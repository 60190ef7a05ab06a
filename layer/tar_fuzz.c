/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for layer/tar. The first input byte says how to read the
 * rest: bits 0-2 pick the most bytes the read callback hands out per call
 * (1 to whole), bit 3 sets TAR_LENIENT_END, bit 4 rewrites the checksum of
 * every non-zero block first (so the fuzzer gets past it). The archive is
 * read twice, in those pieces and whole: both readings must agree entry by
 * entry, data included, and every entry must keep the promises of
 * layer/tar.h (normalised safe paths, caps, no data but on regular files).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer/tar.h"
#include "lib/util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

struct src {
	const uint8_t *buf;
	size_t len, pos, chunk;
};

static ssize_t src_read(void *ctx, void *buf, size_t len)
{
	struct src *s = ctx;
	size_t n = s->len - s->pos;

	if (n > len)
		n = len;
	if (n > s->chunk)
		n = s->chunk;
	if (n)
		memcpy(buf, s->buf + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

/* FNV-1a, to compare two readings. */
static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ULL;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/*
 * A normalised relative path: no empty, "." or ".." component, none over
 * TAR_NAME_MAX, none starting with ".wh." (whiteouts come out as what they
 * remove, and ".wh..wh.*" is refused).
 */
static void check_path(const char *p, size_t len)
{
	size_t start = 0;

	CHECK(len < TAR_PATH_MAX && strlen(p) == len);
	if (len == 0)
		return;
	for (size_t i = 0; i <= len; i++) {
		size_t n;

		if (i < len && p[i] != '/')
			continue;
		n = i - start;
		CHECK(n > 0 && n <= TAR_NAME_MAX);
		CHECK(!(n == 1 && p[start] == '.'));
		CHECK(!(n == 2 && p[start] == '.' && p[start + 1] == '.'));
		CHECK(!starts_with(p + start, n, ".wh."));
		start = i + 1;
	}
}

static void check_entry(const struct tar_entry *e)
{
	const char *base = strrchr(e->path, '/');

	base = base ? base + 1 : e->path;
	CHECK(e->type >= TAR_FILE && e->type <= TAR_OPAQUE);
	check_path(e->path, e->path_len);
	if (e->type != TAR_DIR && e->type != TAR_OPAQUE)
		CHECK(e->path_len > 0);
	if (e->type == TAR_WHITEOUT)
		CHECK(*base);
	if (e->type == TAR_SYMLINK) {
		CHECK(e->link && e->link_len > 0 && e->link_len < TAR_PATH_MAX);
		CHECK(strlen(e->link) == e->link_len);
	} else if (e->type == TAR_HARDLINK) {
		CHECK(e->link && e->link_len > 0);
		check_path(e->link, e->link_len);
	} else {
		CHECK(!e->link && e->link_len == 0);
	}
	CHECK(e->mode <= 07777);
	CHECK(e->uid <= TAR_ID_MAX && e->gid <= TAR_ID_MAX);
	CHECK(e->mtime_nsec < 1000000000u);
	CHECK(e->size <= TAR_FILE_SIZE_MAX);
	if (e->type != TAR_FILE)
		CHECK(e->size == 0);
	if (e->type == TAR_CHAR || e->type == TAR_BLOCK)
		CHECK(e->dev_major <= TAR_DEV_MAJOR_MAX &&
		      e->dev_minor <= TAR_DEV_MINOR_MAX);
	else
		CHECK(e->dev_major == 0 && e->dev_minor == 0);
	CHECK(e->xattr_count <= TAR_XATTRS_MAX);
	CHECK(!e->xattr_count == !e->xattrs);
	for (size_t i = 0; i < e->xattr_count; i++) {
		size_t n = strlen(e->xattrs[i].name);

		CHECK(n > 0 && n <= TAR_XATTR_NAME_MAX);
		CHECK(e->xattrs[i].value_len <= TAR_XATTR_VALUE_MAX);
	}
}

static void hash_entry(uint64_t *h, const struct tar_entry *e)
{
	mix(h, &e->type, sizeof(e->type));
	mix(h, e->path, e->path_len + 1);
	if (e->link)
		mix(h, e->link, e->link_len + 1);
	mix(h, &e->mode, sizeof(e->mode));
	mix(h, &e->uid, sizeof(e->uid));
	mix(h, &e->gid, sizeof(e->gid));
	mix(h, &e->mtime, sizeof(e->mtime));
	mix(h, &e->mtime_nsec, sizeof(e->mtime_nsec));
	mix(h, &e->size, sizeof(e->size));
	mix(h, &e->dev_major, sizeof(e->dev_major));
	mix(h, &e->dev_minor, sizeof(e->dev_minor));
	mix(h, &e->offset, sizeof(e->offset));
	for (size_t i = 0; i < e->xattr_count; i++) {
		mix(h, e->xattrs[i].name, strlen(e->xattrs[i].name) + 1);
		mix(h, e->xattrs[i].value, e->xattrs[i].value_len);
	}
}

/* Read everything; returns a hash of the entries, data and result. */
static uint64_t read_archive(const uint8_t *buf, size_t len, size_t chunk,
			     unsigned int flags)
{
	static struct tar_reader r;
	struct src s = { .buf = buf, .len = len, .chunk = chunk };
	struct tar_entry e;
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t data[1024];
	int ret;

	tar_reader_init(&r, src_read, &s, flags);
	while ((ret = tar_next(&r, &e)) == 1) {
		uint64_t got = 0;
		ssize_t n;

		check_entry(&e);
		hash_entry(&h, &e);
		while ((n = tar_read_data(&r, data, sizeof(data))) > 0) {
			mix(&h, data, (size_t)n);
			got += (uint64_t)n;
		}
		if (n < 0) {
			ret = (int)n;
			break;
		}
		CHECK(got == e.size);
	}
	if (ret < 0) {
		CHECK(error_failed(tar_reader_error(&r)) &&
		      tar_reader_error(&r)->code == ret);
		CHECK(tar_next(&r, &e) == ret);
		CHECK(tar_read_data(&r, data, 1) == ret);
	} else {
		CHECK(ret == 0);
		CHECK(tar_next(&r, &e) == 0);
		CHECK(!error_failed(tar_reader_error(&r)));
	}
	mix(&h, &ret, sizeof(ret));
	tar_reader_fini(&r);
	return h;
}

static void fix_checksums(uint8_t *p, size_t len)
{
	for (size_t at = 0; at + TAR_BLOCK_SIZE <= len; at += TAR_BLOCK_SIZE) {
		uint8_t *b = p + at;
		unsigned int sum = 0;
		char digits[8];
		bool zero = true;

		for (size_t i = 0; i < TAR_BLOCK_SIZE; i++)
			zero = zero && !b[i];
		if (zero)
			continue;
		memset(b + 148, ' ', 8);
		for (size_t i = 0; i < TAR_BLOCK_SIZE; i++)
			sum += b[i];
		snprintf(digits, sizeof(digits), "%06o", sum);
		memcpy(b + 148, digits, 7);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[8] = { 1, 2, 7, 100, 511, 512, 4096,
					  SIZE_MAX };
	unsigned int flags;
	uint8_t *copy;

	if (size < 1)
		return 0;
	flags = data[0] & 8 ? TAR_LENIENT_END : 0;
	/* An exact-size copy so ASan catches any overread. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		abort();
	memcpy(copy, data + 1, size - 1);
	if (data[0] & 16)
		fix_checksums(copy, size - 1);
	CHECK(read_archive(copy, size - 1, chunks[data[0] & 7], flags) ==
	      read_archive(copy, size - 1, SIZE_MAX, flags));
	free(copy);
	return 0;
}
