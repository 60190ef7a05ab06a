/* SPDX-License-Identifier: MIT */
/*
 * Tests of layer/tar.c. Without arguments: the cmocka tests, built on header
 * blocks made here field by field (offsets from POSIX, not from tar.c):
 * every format, every field check, the caps, the end of the archive, and
 * every truncation of a small archive. With arguments it is the driver
 * layer/tar_test.sh uses:
 *
 *   tar list [--lenient] FILE   one line per entry, as GNU tar
 *                               --numeric-owner --full-time --xattrs -tvv
 *                               prints them (UTC), whiteouts as 'w' and
 *                               opaque markers as 'o' in the type column
 *   tar dump [--lenient] FILE   "SHA256  PATH" of each regular file's data
 *                               and "xattr PATH NAME=HEX" of each xattr
 *   tar setxattr FILE NAME HEX  set an xattr (for building test trees)
 *
 * Both reading modes end with "error at OFFSET: REASON" and exit 1 when the
 * archive is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <bearssl_hash.h>

#include "layer/tar.h"
#include "lib/util.h"

#define BLOCK 512
#define DIGEST_LEN 32
#define MALFORMED (-OCIBOOT_EMALFORMED)
#define TOOBIG (-OCIBOOT_ETOOBIG)
#define UNSUPPORTED (-EOPNOTSUPP)

/* Header field offsets and lengths, from the POSIX ustar description. */
enum {
	F_NAME = 0, F_MODE = 100, F_UID = 108, F_GID = 116, F_SIZE = 124,
	F_MTIME = 136, F_CHKSUM = 148, F_TYPE = 156, F_LINK = 157,
	F_MAGIC = 257, F_VERSION = 263, F_UNAME = 265, F_GNAME = 297,
	F_DEVMAJOR = 329, F_DEVMINOR = 337, F_PREFIX = 345,
};

/* --- building archives ---------------------------------------------------- */

struct archive {
	uint8_t *buf;
	size_t len, cap;
};

static void ar_put(struct archive *a, const void *p, size_t n)
{
	if (a->len + n > a->cap) {
		a->cap = (a->len + n) * 2 + BLOCK;
		a->buf = realloc(a->buf, a->cap);
		assert_non_null(a->buf);
	}
	if (n)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void ar_zeros(struct archive *a, size_t n)
{
	while (n--)
		ar_put(a, "", 1);
}

static void ar_pad(struct archive *a)
{
	ar_zeros(a, (BLOCK - a->len % BLOCK) % BLOCK);
}

static void ar_end(struct archive *a)
{
	ar_zeros(a, 2 * BLOCK);
}

static void ar_free(struct archive *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

static void set_octal(uint8_t *blk, size_t off, size_t len, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*" PRIo64, (int)len - 1, v);
	assert_int_equal(strlen(tmp), len - 1);
	memcpy(blk + off, tmp, len);	/* with its NUL */
}

/* Copy exactly len bytes of val into a field (val may lack a NUL). */
static void set_bytes(uint8_t *blk, size_t off, const void *val, size_t len)
{
	memcpy(blk + off, val, len);
}

/* Copy a string into a field, NUL-padded; it may fill the field. */
static void set_str(uint8_t *blk, size_t off, size_t field, const char *s)
{
	size_t n = strlen(s);

	assert_true(n <= field);
	memset(blk + off, 0, field);
	memcpy(blk + off, s, n);
}

/* GNU tar's checksum: unsigned sum, chksum as spaces, "%06o\0 ". */
static void set_checksum(uint8_t *blk)
{
	unsigned int sum = 0;
	char tmp[16];

	memset(blk + F_CHKSUM, ' ', 8);
	for (size_t i = 0; i < BLOCK; i++)
		sum += blk[i];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(blk + F_CHKSUM, tmp, 7);
	blk[F_CHKSUM + 7] = ' ';
}

struct hdr {
	const char *name;
	char type;
	uint64_t size;
	const char *link;
	unsigned int mode;
	unsigned int uid, gid;
	uint64_t mtime;
	unsigned int major, minor;
	const char *prefix;
	bool gnu;		/* GNU magic instead of POSIX */
};

/* A header from *h, checksum set; h->mode 0 means 0644. */
static void hdr_build(uint8_t blk[BLOCK], const struct hdr *h)
{
	memset(blk, 0, BLOCK);
	set_str(blk, F_NAME, 100, h->name);
	set_octal(blk, F_MODE, 8, h->mode ? h->mode : 0644);
	set_octal(blk, F_UID, 8, h->uid);
	set_octal(blk, F_GID, 8, h->gid);
	set_octal(blk, F_SIZE, 12, h->size);
	set_octal(blk, F_MTIME, 12, h->mtime ? h->mtime : 1700000000);
	blk[F_TYPE] = (uint8_t)h->type;
	if (h->link)
		set_str(blk, F_LINK, 100, h->link);
	if (h->gnu) {
		set_bytes(blk, F_MAGIC, "ustar  ", 8);
	} else {
		set_bytes(blk, F_MAGIC, "ustar", 6);
		set_bytes(blk, F_VERSION, "00", 2);
	}
	set_str(blk, F_UNAME, 32, "root");
	set_str(blk, F_GNAME, 32, "root");
	set_octal(blk, F_DEVMAJOR, 8, h->major);
	set_octal(blk, F_DEVMINOR, 8, h->minor);
	if (h->prefix)
		set_str(blk, F_PREFIX, 155, h->prefix);
	set_checksum(blk);
}

static void ar_block(struct archive *a, const uint8_t blk[BLOCK])
{
	ar_put(a, blk, BLOCK);
}

/* A header and its data (size bytes of data, or h->size of 'd' bytes). */
static void ar_entry(struct archive *a, const struct hdr *h, const void *data)
{
	uint8_t blk[BLOCK];

	hdr_build(blk, h);
	ar_block(a, blk);
	if (data) {
		ar_put(a, data, (size_t)h->size);
	} else {
		for (uint64_t i = 0; i < h->size && h->type == '0'; i++)
			ar_put(a, "d", 1);
	}
	ar_pad(a);
}

/* Append the pax record "LEN KEY=VALUE\n" to buf (NUL-terminated). */
static size_t pax_rec(char *buf, size_t at, const char *key,
		      const void *value, size_t vlen)
{
	size_t body = 1 + strlen(key) + 1 + vlen + 1, len = body + 1;
	char digits[24];

	/* The length counts its own digits. */
	for (;;) {
		size_t d = (size_t)snprintf(digits, sizeof(digits), "%zu", len);

		if (d + body == len)
			break;
		len = d + body;
	}
	at += (size_t)sprintf(buf + at, "%s %s=", digits, key);
	memcpy(buf + at, value, vlen);
	at += vlen;
	buf[at++] = '\n';
	buf[at] = '\0';
	return at;
}

/* An extended header ('x' or 'g') with len bytes of records. */
static void ar_pax(struct archive *a, char type, const void *records,
		   size_t len)
{
	struct hdr h = { .name = "PaxHeaders/x", .type = type, .size = len };

	ar_entry(a, &h, records);
}

/* An extended header of one record KEY=VALUE. */
static void ar_pax_kv(struct archive *a, char type, const char *key,
		      const char *value)
{
	char rec[512];

	ar_pax(a, type, rec, pax_rec(rec, 0, key, value, strlen(value)));
}

/* A GNU 'L' or 'K' header holding name and its NUL. */
static void ar_long(struct archive *a, char type, const char *name)
{
	struct hdr h = { .name = "././@LongLink", .type = type,
			 .size = strlen(name) + 1, .gnu = true };

	ar_entry(a, &h, name);
}

/* --- reading archives ----------------------------------------------------- */

struct src {
	const uint8_t *buf;
	size_t len, pos;
	size_t chunk;		/* most bytes per call; 0: no limit */
	size_t fail_at;		/* with fail: -EIO from this offset on */
	bool fail;
	bool overfill;		/* claim one byte more than asked */
};

static ssize_t src_read(void *ctx, void *buf, size_t len)
{
	struct src *s = ctx;
	size_t n = s->len - s->pos;

	if (s->fail && s->pos >= s->fail_at)
		return -EIO;
	if (s->overfill)
		return (ssize_t)len + 1;
	if (n == 0)
		return 0;
	if (n > len)
		n = len;
	if (s->chunk && n > s->chunk)
		n = s->chunk;
	if (s->fail && s->pos + n > s->fail_at)
		n = s->fail_at - s->pos;
	memcpy(buf, s->buf + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static struct tar_reader *reader_new(struct src *s, const struct archive *a,
				     unsigned int flags)
{
	struct tar_reader *r = malloc(sizeof(*r));

	assert_non_null(r);
	if (!s->buf) {
		s->buf = a->buf;
		s->len = a->len;
	}
	tar_reader_init(r, src_read, s, flags);
	return r;
}

static void reader_free(struct tar_reader *r)
{
	tar_reader_fini(r);
	free(r);
}

/* Read every entry and its data; returns the final tar_next() result. */
static int read_all(struct tar_reader *r, size_t *count)
{
	struct tar_entry e;
	uint8_t buf[1000];
	int ret;

	*count = 0;
	while ((ret = tar_next(r, &e)) == 1) {
		uint64_t got = 0;
		ssize_t n;

		(*count)++;
		while ((n = tar_read_data(r, buf, sizeof(buf))) > 0)
			got += (uint64_t)n;
		if (n < 0)
			return (int)n;
		assert_int_equal(got, e.size);
	}
	return ret;
}

/* The reader's why, NULL while nothing failed. */
static const char *why(const struct tar_reader *r)
{
	const struct error *e = tar_reader_error(r);

	return error_failed(e) ? e->why : NULL;
}

/* Where the reader's failure applies. */
static uint64_t error_offset(const struct tar_reader *r)
{
	return tar_reader_error(r)->offset;
}

/* Expect the archive to be refused with err and reason. */
static void expect_error(const struct archive *a, unsigned int flags,
			 int err, const char *reason)
{
	struct src s = { 0 };
	struct tar_reader *r = reader_new(&s, a, flags);
	struct tar_entry e;
	size_t count;
	int ret = read_all(r, &count);

	if (ret != err || !reason || !why(r) || strcmp(why(r), reason) != 0)
		fail_msg("want %d '%s', got %d '%s'", err, reason, ret,
			 why(r));
	assert_int_equal(tar_reader_error(r)->code, err);
	/* Errors are sticky. */
	assert_int_equal(tar_next(r, &e), err);
	assert_int_equal(tar_read_data(r, &e, 1), err);
	reader_free(r);
}

/* Read the first entry of an archive that must hold exactly one. */
static struct tar_reader *one_entry(const struct archive *a,
				    struct tar_entry *e)
{
	static struct src s;
	struct tar_reader *r;
	int ret;

	memset(&s, 0, sizeof(s));
	r = reader_new(&s, a, 0);
	ret = tar_next(r, e);
	if (ret != 1)
		fail_msg("tar_next: %d '%s'", ret, why(r));
	return r;
}

/* --- well-formed archives ------------------------------------------------- */

static void test_every_type(void **state)
{
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;
	struct src s = { 0 };
	char data[1300];
	uint8_t buf[2000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	ar_entry(&a, &(struct hdr){ .name = "dir/", .type = '5',
				    .mode = 01755, .uid = 1000, .gid = 100 },
		 NULL);
	ar_entry(&a, &(struct hdr){ .name = "dir/file", .type = '0',
				    .size = sizeof(data), .mode = 04711,
				    .mtime = 1234567890 }, data);
	ar_entry(&a, &(struct hdr){ .name = "dir/sym", .type = '2',
				    .link = "../x/./y", .mode = 0777 }, NULL);
	ar_entry(&a, &(struct hdr){ .name = "dir/hard", .type = '1',
				    .link = "./dir//file" }, NULL);
	ar_entry(&a, &(struct hdr){ .name = "null", .type = '3',
				    .major = 1, .minor = 3 }, NULL);
	ar_entry(&a, &(struct hdr){ .name = "sda", .type = '4',
				    .major = 8, .minor = 0xfffff }, NULL);
	ar_entry(&a, &(struct hdr){ .name = "fifo", .type = '6' }, NULL);
	ar_entry(&a, &(struct hdr){ .name = "old", .type = '\0', .size = 3 },
		 "abc");
	ar_entry(&a, &(struct hdr){ .name = "contig", .type = '7',
				    .size = 1 }, "z");
	ar_end(&a);
	ar_zeros(&a, 9 * BLOCK);	/* GNU's record padding */

	r = reader_new(&s, &a, 0);
	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_DIR);
	assert_string_equal(e.path, "dir");
	assert_int_equal(e.path_len, 3);
	assert_int_equal(e.mode, 01755);
	assert_int_equal(e.uid, 1000);
	assert_int_equal(e.gid, 100);
	assert_null(e.link);
	assert_int_equal(e.offset, 0);
	assert_int_equal(tar_read_data(r, buf, sizeof(buf)), 0);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_FILE);
	assert_string_equal(e.path, "dir/file");
	assert_int_equal(e.mode, 04711);
	assert_int_equal(e.mtime, 1234567890);
	assert_int_equal(e.mtime_nsec, 0);
	assert_int_equal(e.size, sizeof(data));
	assert_int_equal(e.offset, BLOCK);
	/* Data in pieces, never past its end. */
	assert_int_equal(tar_read_data(r, buf, 100), 100);
	assert_int_equal(tar_read_data(r, buf + 100, sizeof(buf)),
			 sizeof(data) - 100);
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(tar_read_data(r, buf, sizeof(buf)), 0);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_SYMLINK);
	assert_string_equal(e.path, "dir/sym");
	assert_string_equal(e.link, "../x/./y");	/* verbatim */
	assert_int_equal(e.link_len, 8);
	assert_int_equal(e.mode, 0777);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_HARDLINK);
	assert_string_equal(e.link, "dir/file");	/* normalised */
	assert_int_equal(e.link_len, 8);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_CHAR);
	assert_int_equal(e.dev_major, 1);
	assert_int_equal(e.dev_minor, 3);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_BLOCK);
	assert_int_equal(e.dev_major, 8);
	assert_int_equal(e.dev_minor, 0xfffff);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_FIFO);
	assert_int_equal(e.dev_major, 0);

	/* Unread data is skipped. */
	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_FILE);
	assert_string_equal(e.path, "old");
	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_FILE);
	assert_string_equal(e.path, "contig");
	assert_int_equal(tar_read_data(r, buf, 1), 1);
	assert_int_equal(buf[0], 'z');

	assert_int_equal(tar_next(r, &e), 0);
	assert_int_equal(tar_next(r, &e), 0);
	assert_int_equal(tar_read_data(r, buf, 1), 0);
	assert_null(why(r));
	assert_int_equal(s.pos, a.len);		/* read to the end */
	reader_free(r);
	ar_free(&a);
}

static void test_ustar_prefix(void **state)
{
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;
	char prefix[156], name[101];
	uint8_t blk[BLOCK];

	memset(prefix, 'p', 155);
	prefix[155] = '\0';
	memset(name, 'n', 100);
	name[100] = '\0';
	/* Both fields full, without NULs: 256 bytes of path. */
	ar_entry(&a, &(struct hdr){ .name = name, .type = '0',
				    .prefix = prefix }, NULL);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_int_equal(e.path_len, 256);
	assert_memory_equal(e.path, prefix, 155);
	assert_int_equal(e.path[155], '/');
	assert_memory_equal(e.path + 156, name, 100);
	assert_int_equal(tar_next(r, &e), 0);
	reader_free(r);
	ar_free(&a);

	/* GNU headers have no prefix: those bytes are other fields. */
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0',
				    .prefix = "ignored", .gnu = true }, NULL);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_string_equal(e.path, "f");
	reader_free(r);
	ar_free(&a);

	/* star: "tar\0" at 508, the prefix is 131 bytes. */
	hdr_build(blk, &(struct hdr){ .name = "f", .type = '0',
				      .prefix = "d" });
	memset(blk + F_PREFIX + 1, 0, 155 - 1);
	memset(blk + F_PREFIX + 131, '7', 24);	/* atime, ctime digits */
	memcpy(blk + 508, "tar", 4);
	set_checksum(blk);
	ar_block(&a, blk);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_string_equal(e.path, "d/f");
	reader_free(r);
	ar_free(&a);
}

static void test_gnu_long_names(void **state)
{
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;
	char name[TAR_PATH_MAX], link[TAR_PATH_MAX];

	/* Components of 200, as GNU tar writes for long paths. */
	memset(name, 'a', 4095);
	for (size_t i = 200; i < 4095; i += 201)
		name[i] = '/';
	name[4095] = '\0';
	memset(link, 'l', 4095);
	link[4095] = '\0';
	ar_long(&a, 'L', name);
	ar_long(&a, 'K', link);
	ar_entry(&a, &(struct hdr){ .name = "trunc", .type = '2',
				    .link = "trunc", .gnu = true }, NULL);
	ar_long(&a, 'K', name);
	ar_long(&a, 'L', "short/./name");
	ar_entry(&a, &(struct hdr){ .name = "x", .type = '1', .gnu = true },
		 NULL);
	ar_end(&a);

	r = one_entry(&a, &e);
	assert_int_equal(e.type, TAR_SYMLINK);
	assert_int_equal(e.path_len, 4095);
	assert_string_equal(e.path, name);
	assert_int_equal(e.link_len, 4095);
	assert_string_equal(e.link, link);
	assert_int_equal(e.offset, 0);
	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_HARDLINK);
	assert_string_equal(e.path, "short/name");
	assert_string_equal(e.link, name);
	assert_int_equal(tar_next(r, &e), 0);
	reader_free(r);
	ar_free(&a);
}

static void test_pax(void **state)
{
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;
	static char rec[1 << 16];
	static const uint8_t bin[] = { 'a', '\n', 'b', '=', 0, 0xff };
	size_t n = 0;

	n = pax_rec(rec, n, "path", "./pax//path", 11);
	n = pax_rec(rec, n, "size", "5", 1);
	n = pax_rec(rec, n, "uid", "4294967294", 10);
	n = pax_rec(rec, n, "gid", "3000000", 7);
	n = pax_rec(rec, n, "mtime", "1795842280.160738646", 20);
	n = pax_rec(rec, n, "atime", "garbage is ignored", 18);
	n = pax_rec(rec, n, "SCHILY.xattr.user.test", "x", 1);
	n = pax_rec(rec, n, "SCHILY.xattr.user.bin", bin, sizeof(bin));
	n = pax_rec(rec, n, "SCHILY.xattr.user.empty", "", 0);
	n = pax_rec(rec, n, "LIBARCHIVE.xattr.user.test", "eA", 2);
	n = pax_rec(rec, n, "comment", "= \n =", 5);
	ar_pax_kv(&a, 'g', "comment", "global");
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "short", .type = '0', .size = 0 },
		 NULL);
	ar_put(&a, "12345", 5);
	ar_pad(&a);
	/* Empty values fall back to the header's fields. */
	n = 0;
	n = pax_rec(rec, n, "path", "", 0);
	n = pax_rec(rec, n, "mtime", "-1.25", 5);
	n = pax_rec(rec, n, "linkpath", "a/b/../c", 8);
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "ln", .type = '2', .link = "x" },
		 NULL);
	ar_end(&a);

	r = one_entry(&a, &e);
	assert_int_equal(e.type, TAR_FILE);
	assert_string_equal(e.path, "pax/path");
	assert_int_equal(e.size, 5);
	assert_int_equal(e.uid, 4294967294u);
	assert_int_equal(e.gid, 3000000);
	assert_int_equal(e.mtime, 1795842280);
	assert_int_equal(e.mtime_nsec, 160738646);
	assert_int_equal(e.offset, 0);
	assert_int_equal(e.xattr_count, 3);
	assert_string_equal(e.xattrs[0].name, "user.test");
	assert_int_equal(e.xattrs[0].value_len, 1);
	assert_memory_equal(e.xattrs[0].value, "x", 1);
	assert_string_equal(e.xattrs[1].name, "user.bin");
	assert_int_equal(e.xattrs[1].value_len, sizeof(bin));
	assert_memory_equal(e.xattrs[1].value, bin, sizeof(bin));
	assert_string_equal(e.xattrs[2].name, "user.empty");
	assert_int_equal(e.xattrs[2].value_len, 0);

	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(e.type, TAR_SYMLINK);
	assert_string_equal(e.path, "ln");
	assert_string_equal(e.link, "a/b/../c");
	assert_int_equal(e.mtime, -2);
	assert_int_equal(e.mtime_nsec, 750000000);
	assert_int_equal(e.xattr_count, 0);
	assert_null(e.xattrs);
	assert_int_equal(tar_next(r, &e), 0);
	reader_free(r);
	ar_free(&a);
}

/* One file entry preceded by an 'x' header of the given records. */
struct pax_case {
	const char *records;	/* "KEY=VALUE" lines, '\n'-separated */
	int err;
	const char *reason;
	int64_t mtime;		/* when err is 0 */
	uint32_t nsec;
};

#define PAX_OK(rec, sec, ns) { rec, 0, NULL, sec, ns }
#define PAX_BAD(rec, e, r) { rec, e, r, 0, 0 }

static void build_pax_case(struct archive *a, const char *records)
{
	static char rec[1 << 16];
	char line[512];
	size_t n = 0;

	for (const char *p = records; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *eq;

		memcpy(line, p, len);
		line[len] = '\0';
		eq = strchr(line, '=');
		assert_non_null(eq);
		*eq = '\0';
		n = pax_rec(rec, n, line, eq + 1, strlen(eq + 1));
		p += len + (nl ? 1 : 0);
	}
	ar_pax(a, 'x', rec, n);
	ar_entry(a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(a);
}

static void test_pax_records(void **state)
{
	static const struct pax_case cases[] = {
		PAX_OK("mtime=0", 0, 0),
		PAX_OK("mtime=-0", 0, 0),
		PAX_OK("mtime=1.5", 1, 500000000),
		PAX_OK("mtime=-0.5", -1, 500000000),
		PAX_OK("mtime=-1.000000001", -2, 999999999),
		PAX_OK("mtime=7.1234567891234", 7, 123456789),
		PAX_OK("mtime=9223372036854775807", INT64_MAX, 0),
		PAX_OK("mtime=-9223372036854775807", -INT64_MAX, 0),
		PAX_OK("mtime=00012", 12, 0),
		PAX_BAD("mtime=9223372036854775808",
		        MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=1.", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=.5", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=+1", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=1e3", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=--1", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=1.2.3", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=1 ", MALFORMED, "invalid pax mtime"),
		PAX_BAD("mtime=-", MALFORMED, "invalid pax mtime"),
		/* 64 characters, and 65 */
		PAX_OK("mtime=1.00000000000000000000000000000000000000000000"
		       "000000000000000000", 1, 0),
		PAX_BAD("mtime=1.0000000000000000000000000000000000000000000"
			"0000000000000000000000", MALFORMED,
			"invalid pax mtime"),
		PAX_BAD("uid=4294967295", TOOBIG, "uid or gid out of range"),
		PAX_BAD("gid=99999999999999999999",
		        MALFORMED, "invalid pax number"),
		PAX_BAD("uid=-1", MALFORMED, "invalid pax number"),
		PAX_BAD("uid= 1", MALFORMED, "invalid pax number"),
		PAX_BAD("uid=0x10", MALFORMED, "invalid pax number"),
		PAX_BAD("size=17592186044417",
		        TOOBIG, "size over TAR_FILE_SIZE_MAX"),
		PAX_BAD("size=1\nsize=1", MALFORMED, "repeated pax keyword"),
		PAX_BAD("path=a\npath=a", MALFORMED, "repeated pax keyword"),
		PAX_BAD("path=\npath=a", MALFORMED, "repeated pax keyword"),
		PAX_BAD("SCHILY.xattr.a=1\nSCHILY.xattr.a=2",
		        MALFORMED, "repeated xattr"),
		PAX_BAD("SCHILY.xattr.=1", MALFORMED, "empty xattr name"),
		PAX_BAD("GNU.sparse.major=1",
		        UNSUPPORTED, "sparse files are not supported"),
		PAX_BAD("GNU.sparse.size=1",
		        UNSUPPORTED, "sparse files are not supported"),
		PAX_OK("SCHILY.devmajor=1\nSCHILY.devminor=2", 1700000000, 0),
		PAX_BAD("path=/etc/passwd", MALFORMED, "absolute path"),
		PAX_BAD("path=a/../../b",
		        MALFORMED, "'..' component in a path"),
		PAX_OK("linkpath=/x\nhdrcharset=BINARY", 1700000000, 0),
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct pax_case *c = &cases[i];
		struct archive a = { 0 };
		struct tar_entry e;
		struct tar_reader *r;

		print_message("pax case %zu: %s\n", i, c->records);
		build_pax_case(&a, c->records);
		if (c->err) {
			expect_error(&a, 0, c->err, c->reason);
			ar_free(&a);
			continue;
		}
		r = one_entry(&a, &e);
		assert_int_equal(e.mtime, c->mtime);
		assert_int_equal(e.mtime_nsec, c->nsec);
		assert_int_equal(tar_next(r, &e), 0);
		reader_free(r);
		ar_free(&a);
	}
}

/* Raw record bytes: the record syntax itself. */
struct raw_pax_case {
	const char *data;
	size_t len;
	int err;
	const char *reason;
};

#define RAW(s, e, r) { s, sizeof(s) - 1, e, r }

static void test_pax_syntax(void **state)
{
	static const struct raw_pax_case cases[] = {
		RAW("", 0, NULL),
		RAW("6 a=b\n", 0, NULL),
		RAW("5 a=\n", 0, NULL),
		RAW("006 a=b\n", MALFORMED, "pax record too short"),
		RAW("0006 a=b\n", MALFORMED, "pax record too short"),
		RAW("4 a=\n", MALFORMED, "pax record too short"),
		RAW("7 a=b\n", MALFORMED, "pax record longer than its header"),
		RAW("5 a=b\n",
		    MALFORMED, "pax record does not end in a newline"),
		RAW("6 a=bx",
		    MALFORMED, "pax record does not end in a newline"),
		RAW("6 ab\n\n", MALFORMED, "pax record without a keyword"),
		RAW("6 =ab\n", MALFORMED, "pax record without a keyword"),
		RAW("6 a\0=b\n", MALFORMED,
		    "pax record does not end in a newline"),
		RAW("7 a\0=b\n", MALFORMED, "NUL byte in a pax keyword"),
		RAW("7  a=b\n", 0, NULL),
		RAW(" 6 a=b\n", MALFORMED, "invalid pax record length"),
		RAW("6a=b\n", MALFORMED, "invalid pax record length"),
		RAW("x a=b\n", MALFORMED, "invalid pax record length"),
		RAW("6", MALFORMED, "invalid pax record length"),
		RAW("6 a=b\n\0", MALFORMED, "invalid pax record length"),
		RAW("6 a=b\n6 a=b", MALFORMED,
		    "pax record longer than its header"),
		RAW("12345678 a=b\n", MALFORMED, "invalid pax record length"),
		RAW("10 path=\0\n", MALFORMED, "NUL byte in a path"),
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct raw_pax_case *c = &cases[i];
		struct archive a = { 0 };
		struct tar_entry e;
		struct tar_reader *r;

		print_message("raw pax case %zu\n", i);
		ar_pax(&a, 'x', c->data, c->len);
		ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
		ar_end(&a);
		if (c->err) {
			expect_error(&a, 0, c->err, c->reason);
		} else {
			r = one_entry(&a, &e);
			assert_string_equal(e.path, "f");
			reader_free(r);
		}
		ar_free(&a);
	}
}

/* Global headers: anything that would change entries is refused. */
static void test_pax_global(void **state)
{
	static const char *const refused[][2] = {
		{ "path", "" }, { "path", "ab" }, { "uid", "0" },
		{ "mtime", "12" }, { "linkpath", "" }, { "gid", "0" },
		{ "size", "0" }, { "SCHILY.xattr.a", "b" },
		{ "SCHILY.devmajor", "1" }, { "SCHILY.devminor", "1" },
		{ "GNU.sparse.major", "1" },
	};
	struct archive a = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		bool sparse = strstr(refused[i][0], "sparse");

		ar_pax_kv(&a, 'g', refused[i][0], refused[i][1]);
		ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
		ar_end(&a);
		expect_error(&a, 0, UNSUPPORTED, sparse ?
			     "sparse files are not supported" :
			     "pax global header sets entry fields");
		ar_free(&a);
	}
	ar_pax_kv(&a, 'g', "abc", "d");
	ar_pax_kv(&a, 'g', "comment", "git commit id");
	ar_pax_kv(&a, 'x', "path", "f");
	ar_pax(&a, 'g', "", 0);
	ar_entry(&a, &(struct hdr){ .name = "ignored", .type = '0' }, NULL);
	ar_pax_kv(&a, 'g', "abc", "d");
	ar_end(&a);
	{
		struct tar_entry e;
		struct tar_reader *r = one_entry(&a, &e);

		assert_string_equal(e.path, "f");
		assert_int_equal(e.offset, 0);
		assert_int_equal(tar_next(r, &e), 0);
		reader_free(r);
	}
	ar_free(&a);
}

/* --- header fields -------------------------------------------------------- */

/*
 * A change to the header of a one-file archive "f" (size 0): bytes at an
 * offset, then the checksum recomputed unless keep_checksum.
 */
struct field_case {
	const char *what;
	size_t off;
	const char *bytes;
	size_t len;
	char type;		/* typeflag, '0' when 0 */
	int err;
	const char *reason;
	uint64_t want;		/* the field's value when accepted */
};

#define FIELD(w, o, b, t, e, r, v) { w, o, b, sizeof(b) - 1, t, e, r, v }

static uint64_t field_value(const struct field_case *c,
			    const struct tar_entry *e)
{
	switch (c->off) {
	case F_MODE:
		return e->mode;
	case F_UID:
		return e->uid;
	case F_GID:
		return e->gid;
	case F_SIZE:
		return e->size;
	case F_MTIME:
		return (uint64_t)e->mtime;
	case F_DEVMAJOR:
		return e->dev_major;
	case F_DEVMINOR:
		return e->dev_minor;
	}
	return 0;
}

static void test_header_fields(void **state)
{
	static const struct field_case cases[] = {
		FIELD("mode", F_MODE, "0000644\0", 0, 0, NULL, 0644),
		FIELD("mode spaces", F_MODE, "   644 \0", 0, 0, NULL, 0644),
		FIELD("mode full", F_MODE, "00007777", 0, 0, NULL, 07777),
		FIELD("mode S_IFREG", F_MODE, "0100755\0", 0, 0, NULL, 0755),
		FIELD("mode empty", F_MODE, "\0\0\0\0\0\0\0\0", 0, 0, NULL, 0),
		FIELD("mode blank", F_MODE, "        ", 0, 0, NULL, 0),
		FIELD("mode 8", F_MODE, "0000648\0", 0, MALFORMED,
		      "invalid mode field", 0),
		FIELD("mode x", F_MODE, "000064x\0", 0, MALFORMED,
		      "invalid mode field", 0),
		FIELD("mode inner space", F_MODE, "0006 44\0", 0, MALFORMED,
		      "invalid mode field", 0),
		FIELD("mode NUL then digit", F_MODE, "0644\0\0\0001", 0,
		      MALFORMED, "invalid mode field", 0),
		FIELD("mode sign", F_MODE, "+000644\0", 0, MALFORMED,
		      "invalid mode field", 0),
		FIELD("mode big", F_MODE, "0200000\0", 0, MALFORMED,
		      "mode out of range", 0),
		FIELD("uid", F_UID, "0001750\0", 0, 0, NULL, 1000),
		FIELD("uid 256", F_UID, "\x80\0\0\0\xff\xff\xff\xfe", 0, 0,
		      NULL, 0xfffffffe),
		FIELD("uid 256 -1", F_UID, "\x80\0\0\0\xff\xff\xff\xff", 0,
		      TOOBIG, "uid or gid out of range", 0),
		FIELD("uid negative", F_UID, "\xff\xff\xff\xff\xff\xff\xff\xff",
		      0, MALFORMED, "invalid uid field", 0),
		FIELD("gid", F_GID, "7777777\0", 0, 0, NULL, 07777777),
		FIELD("gid junk", F_GID, "00000-1\0", 0, MALFORMED,
		      "invalid gid field", 0),
		FIELD("size 8G-1", F_SIZE, "77777777777\0", 0, 0, NULL,
		      077777777777),
		FIELD("size 12 digits", F_SIZE, "777777777777", 0, 0, NULL,
		      0777777777777),
		FIELD("size 256", F_SIZE,
		      "\x80\0\0\0\0\0\0\x02\x40\0\0\0", 0, 0, NULL,
		      (uint64_t)9 << 30),
		FIELD("size 256 max", F_SIZE,
		      "\x80\0\0\0\0\0\x10\0\0\0\0\0", 0, 0, NULL,
		      TAR_FILE_SIZE_MAX),
		FIELD("size 256 over", F_SIZE,
		      "\x80\0\0\0\0\0\x10\0\0\0\0\x01", 0, TOOBIG,
		      "size over TAR_FILE_SIZE_MAX", 0),
		FIELD("size 256 huge", F_SIZE,
		      "\x80\x01\0\0\0\0\0\0\0\0\0\0", 0, MALFORMED,
		      "invalid size field", 0),
		FIELD("size 256 2^63", F_SIZE,
		      "\x80\0\0\0\x80\0\0\0\0\0\0\0", 0, MALFORMED,
		      "invalid size field", 0),
		FIELD("size negative", F_SIZE,
		      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 0,
		      MALFORMED, "invalid size field", 0),
		FIELD("size dir", F_SIZE, "00000000001\0", '5', MALFORMED,
		      "data on an entry that is not a regular file", 0),
		FIELD("size link", F_SIZE, "00000000001\0", '2', MALFORMED,
		      "data on an entry that is not a regular file", 0),
		FIELD("size fifo", F_SIZE, "00000000001\0", '6', MALFORMED,
		      "data on an entry that is not a regular file", 0),
		FIELD("mtime", F_MTIME, "14330000000\0", 0, 0, NULL,
		      014330000000),
		FIELD("mtime -1", F_MTIME,
		      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 0, 0,
		      NULL, (uint64_t)-1),
		FIELD("mtime min", F_MTIME,
		      "\xff\xff\xff\xff\x80\0\0\0\0\0\0\0", 0, 0, NULL,
		      (uint64_t)INT64_MIN),
		FIELD("mtime under", F_MTIME,
		      "\xff\xff\xff\xff\x7f\xff\xff\xff\xff\xff\xff\xff", 0,
		      MALFORMED, "invalid mtime field", 0),
		FIELD("mtime junk", F_MTIME, "1433000000z\0", 0, MALFORMED,
		      "invalid mtime field", 0),
		FIELD("devmajor", F_DEVMAJOR, "0007777\0", '3', 0, NULL,
		      07777),
		FIELD("devmajor big", F_DEVMAJOR, "0010000\0", '4', TOOBIG,
		      "device number out of range", 0),
		FIELD("devmajor file", F_DEVMAJOR, "0010000\0", '0', 0, NULL,
		      0),
		FIELD("devmajor junk", F_DEVMAJOR, "000000a\0", '0', MALFORMED,
		      "invalid devmajor field", 0),
		FIELD("devminor", F_DEVMINOR, "3777777\0", '3', 0, NULL,
		      03777777),
		FIELD("devminor big", F_DEVMINOR, "4000000\0", '3', TOOBIG,
		      "device number out of range", 0),
		FIELD("devminor junk", F_DEVMINOR, "?\0", '3', MALFORMED,
		      "invalid devminor field", 0),
		FIELD("magic", F_MAGIC, "ustaR", 0, MALFORMED,
		      "unknown header magic", 0),
		FIELD("version", F_VERSION, "01", 0, MALFORMED,
		      "unknown header magic", 0),
		FIELD("gnu version", F_MAGIC, "ustar  x", 0, MALFORMED,
		      "unknown header magic", 0),
		FIELD("v7", F_MAGIC, "\0\0\0\0\0\0\0\0", 0, UNSUPPORTED,
		      "v7 header (no ustar magic)", 0),
		FIELD("type S", F_TYPE, "S", 'S', UNSUPPORTED,
		      "sparse files are not supported", 0),
		FIELD("type D", F_TYPE, "D", 'D', UNSUPPORTED,
		      "unsupported entry type", 0),
		FIELD("type M", F_TYPE, "M", 'M', UNSUPPORTED,
		      "unsupported entry type", 0),
		FIELD("type V", F_TYPE, "V", 'V', UNSUPPORTED,
		      "unsupported entry type", 0),
		FIELD("type 8", F_TYPE, "8", '8', UNSUPPORTED,
		      "unsupported entry type", 0),
		FIELD("uname ignored", F_UNAME, "\xff\xfe", 0, 0, NULL, 0),
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct field_case *c = &cases[i];
		struct archive a = { 0 };
		struct hdr h = { .name = "f", .type = c->type ? c->type : '0',
				 .link = "t" };
		struct tar_entry e;
		struct tar_reader *r;
		uint8_t blk[BLOCK];

		print_message("field case %s\n", c->what);
		hdr_build(blk, &h);
		set_bytes(blk, c->off, c->bytes, c->len);
		set_checksum(blk);
		ar_block(&a, blk);
		if (c->err) {
			ar_end(&a);
			expect_error(&a, 0, c->err, c->reason);
			ar_free(&a);
			continue;
		}
		r = one_entry(&a, &e);
		assert_int_equal(field_value(c, &e), c->want);
		reader_free(r);
		ar_free(&a);
	}
}

static void test_checksum(void **state)
{
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;
	uint8_t blk[BLOCK];
	int sum = 0;
	char tmp[16];

	/* The signed sum some old tars wrote, with bytes >= 0x80. */
	hdr_build(blk, &(struct hdr){ .name = "caf\xc3\xa9", .type = '0' });
	memset(blk + F_CHKSUM, ' ', 8);
	for (size_t i = 0; i < BLOCK; i++)
		sum += (int8_t)blk[i];
	snprintf(tmp, sizeof(tmp), "%06o", sum);
	memcpy(blk + F_CHKSUM, tmp, 7);
	ar_block(&a, blk);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_string_equal(e.path, "caf\xc3\xa9");
	reader_free(r);
	ar_free(&a);

	/* Off by one either way. */
	for (int delta = -1; delta <= 1; delta += 2) {
		hdr_build(blk, &(struct hdr){ .name = "f", .type = '0' });
		snprintf(tmp, sizeof(tmp), "%06o",
			 (unsigned int)(strtoul((char *)blk + F_CHKSUM, NULL,
						8) + delta));
		memcpy(blk + F_CHKSUM, tmp, 7);
		ar_block(&a, blk);
		ar_end(&a);
		expect_error(&a, 0, MALFORMED, "header checksum mismatch");
		ar_free(&a);
	}

	/* Any changed byte, the checksum left alone. */
	for (size_t off = 0; off < BLOCK; off += 37) {
		if (off >= F_CHKSUM && off < F_CHKSUM + 8)
			continue;
		hdr_build(blk, &(struct hdr){ .name = "f", .type = '0' });
		blk[off] ^= 0x01;
		ar_block(&a, blk);
		ar_end(&a);
		expect_error(&a, 0, MALFORMED, "header checksum mismatch");
		ar_free(&a);
	}

	/* The field itself: 7 digits, spaces, nothing or junk. */
	hdr_build(blk, &(struct hdr){ .name = "f", .type = '0' });
	memmove(blk + F_CHKSUM + 1, blk + F_CHKSUM, 6);
	blk[F_CHKSUM] = '0';
	blk[F_CHKSUM + 7] = '\0';
	ar_block(&a, blk);
	ar_end(&a);
	r = one_entry(&a, &e);
	reader_free(r);
	ar_free(&a);
	static const char *const bad[] = {
		"        ", "\0\0\0\0\0\0\0\0", "01234x\0 ",
		"\x80\0\0\0\0\0\x10\0",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		hdr_build(blk, &(struct hdr){ .name = "f", .type = '0' });
		memcpy(blk + F_CHKSUM, bad[i], 8);
		ar_block(&a, blk);
		ar_end(&a);
		expect_error(&a, 0, MALFORMED, "invalid checksum field");
		ar_free(&a);
	}
}

/* --- paths and whiteouts -------------------------------------------------- */

struct name_case {
	const char *name;
	char type;
	int err;
	const char *reason;
	const char *path;	/* when accepted */
	enum tar_type want;
};

#define NAME_OK(n, t, p, w) { n, t, 0, NULL, p, w }
#define NAME_BAD(n, t, e, r) { n, t, e, r, NULL, 0 }

static const struct name_case name_cases[] = {
	NAME_OK("a", '0', "a", TAR_FILE),
	NAME_OK("./a", '0', "a", TAR_FILE),
	NAME_OK("././a", '0', "a", TAR_FILE),
	NAME_OK("a//b", '0', "a/b", TAR_FILE),
	NAME_OK("a/./b", '0', "a/b", TAR_FILE),
	NAME_OK(".//a/.//b", '0', "a/b", TAR_FILE),
	NAME_OK("a/b/", '5', "a/b", TAR_DIR),
	NAME_OK("a/b//", '5', "a/b", TAR_DIR),
	NAME_OK("a/b/.", '5', "a/b", TAR_DIR),
	NAME_OK("./", '5', "", TAR_DIR),
	NAME_OK(".", '5', "", TAR_DIR),
	NAME_OK(".//./", '5', "", TAR_DIR),
	NAME_OK("...", '0', "...", TAR_FILE),
	NAME_OK("..a", '0', "..a", TAR_FILE),
	NAME_OK("a..", '0', "a..", TAR_FILE),
	NAME_OK(".a", '0', ".a", TAR_FILE),
	NAME_OK("a b\n\x01\xff", '0', "a b\n\x01\xff", TAR_FILE),
	NAME_OK(".wh", '0', ".wh", TAR_FILE),
	NAME_OK(".wh.a", '0', "a", TAR_WHITEOUT),
	NAME_OK("./d/.wh.a", '0', "d/a", TAR_WHITEOUT),
	NAME_OK("d/.wh..a", '0', "d/.a", TAR_WHITEOUT),
	NAME_OK("d/.wh....", '0', "d/...", TAR_WHITEOUT),
	NAME_OK("d/.wh..wh", '0', "d/.wh", TAR_WHITEOUT),
	NAME_BAD("d/.wh..wh.", '0', MALFORMED,
		 "reserved .wh..wh. name (AUFS metadata)"),
	NAME_OK("d/x.wh.a", '0', "d/x.wh.a", TAR_FILE),
	NAME_OK("d/e/.wh..wh..opq", '0', "d/e", TAR_OPAQUE),
	NAME_OK(".wh..wh..opq", '0', "", TAR_OPAQUE),
	NAME_OK("./.wh..wh..opq", '\0', "", TAR_OPAQUE),
	NAME_OK("d/.wh.x", '7', "d/x", TAR_WHITEOUT),
	NAME_BAD("", '0', MALFORMED, "empty name"),
	NAME_BAD("", '5', MALFORMED, "empty name"),
	NAME_BAD("/", '5', MALFORMED, "absolute path"),
	NAME_BAD("/abs", '0', MALFORMED, "absolute path"),
	NAME_BAD("//abs", '0', MALFORMED, "absolute path"),
	NAME_BAD("..", '5', MALFORMED, "'..' component in a path"),
	NAME_BAD("../evil", '0', MALFORMED, "'..' component in a path"),
	NAME_BAD("./../evil", '0', MALFORMED, "'..' component in a path"),
	NAME_BAD("a/../b", '0', MALFORMED, "'..' component in a path"),
	NAME_BAD("a/..", '5', MALFORMED, "'..' component in a path"),
	NAME_BAD("a/../", '5', MALFORMED, "'..' component in a path"),
	NAME_BAD("./", '0', MALFORMED, "non-directory named like the root"),
	NAME_BAD(".", '2', MALFORMED, "non-directory named like the root"),
	NAME_BAD("a/", '0', MALFORMED, "name of a non-directory ends in '/'"),
	NAME_BAD("a/.", '6', MALFORMED,
		 "name of a non-directory ends in '/'"),
	NAME_BAD(".wh.", '0', MALFORMED, "whiteout of no name, '.' or '..'"),
	NAME_BAD("d/.wh..", '0', MALFORMED,
		 "whiteout of no name, '.' or '..'"),
	NAME_BAD("d/.wh...", '0', MALFORMED,
		 "whiteout of no name, '.' or '..'"),
	NAME_BAD(".wh..wh.plnk", '0', MALFORMED,
		 "reserved .wh..wh. name (AUFS metadata)"),
	NAME_BAD(".wh..wh..opq/x", '0', MALFORMED,
		 "directory named .wh.* in a path"),
	NAME_BAD(".wh.d/x", '0', MALFORMED,
		 "directory named .wh.* in a path"),
	NAME_BAD("a/.wh.d/.wh.x", '0', MALFORMED,
		 "directory named .wh.* in a path"),
	NAME_BAD(".wh.d/", '5', MALFORMED,
		 "whiteout is not an empty regular file"),
	NAME_BAD(".wh.d", '2', MALFORMED,
		 "whiteout is not an empty regular file"),
	NAME_BAD(".wh.d", '1', MALFORMED,
		 "whiteout is not an empty regular file"),
	NAME_BAD(".wh.d", '3', MALFORMED,
		 "whiteout is not an empty regular file"),
	NAME_BAD(".wh..wh..opq", '5', MALFORMED,
		 "whiteout is not an empty regular file"),
};

/* Build an archive naming its entry through name, as pax or ustar. */
static bool build_name_case(struct archive *a, const struct name_case *c,
			    bool pax)
{
	struct hdr h = { .name = "", .type = c->type, .link = "target" };
	char rec[8192];

	if (pax) {
		if (!*c->name)
			return false;	/* an empty pax path is no path */
		ar_pax(a, 'x', rec, pax_rec(rec, 0, "path", c->name,
					     strlen(c->name)));
	} else {
		if (strlen(c->name) > 100)
			return false;
		h.name = c->name;
	}
	ar_entry(a, &h, NULL);
	ar_end(a);
	return true;
}

static void test_names(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(name_cases); i++) {
		const struct name_case *c = &name_cases[i];

		for (int pax = 0; pax < 2; pax++) {
			struct archive a = { 0 };
			struct tar_entry e;
			struct tar_reader *r;

			if (!build_name_case(&a, c, pax))
				continue;
			print_message("name case '%s' %s\n", c->name,
				      pax ? "pax" : "ustar");
			if (c->err) {
				expect_error(&a, 0, c->err, c->reason);
				ar_free(&a);
				continue;
			}
			r = one_entry(&a, &e);
			assert_int_equal(e.type, c->want);
			assert_string_equal(e.path, c->path);
			assert_int_equal(e.path_len, strlen(c->path));
			assert_int_equal(tar_next(r, &e), 0);
			reader_free(r);
			ar_free(&a);
		}
	}
}

static void test_whiteout_with_data(void **state)
{
	struct archive a = { 0 };

	ar_entry(&a, &(struct hdr){ .name = "d/.wh.x", .type = '0',
				    .size = 1 }, "x");
	ar_end(&a);
	expect_error(&a, 0, MALFORMED,
		     "whiteout is not an empty regular file");
	ar_free(&a);
}

static void test_long_paths(void **state)
{
	static char name[TAR_PATH_MAX + 10], rec[TAR_PATH_MAX + 64];
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;

	/* 255-byte components are fine, 256 are not. */
	memset(name, 'c', 255);
	strcpy(name + 255, "/x");
	ar_pax(&a, 'x', rec, pax_rec(rec, 0, "path", name, strlen(name)));
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_int_equal(e.path_len, 257);
	reader_free(r);
	ar_free(&a);

	memset(name, 'c', 256);
	strcpy(name + 256, "/x");
	ar_pax(&a, 'x', rec, pax_rec(rec, 0, "path", name, strlen(name)));
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG, "path component longer than NAME_MAX");
	ar_free(&a);

	/* 4095 bytes are fine, 4096 are not, even if they would shrink. */
	for (size_t len = 4095; len <= 4096; len++) {
		for (size_t i = 0; i < len; i++)
			name[i] = i % 100 == 99 ? '/' : 'p';
		name[len - 1] = 'p';
		name[len] = '\0';
		memcpy(name, "./", 2);
		ar_pax(&a, 'x', rec, pax_rec(rec, 0, "path", name, len));
		ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
		ar_end(&a);
		if (len == 4095) {
			r = one_entry(&a, &e);
			assert_int_equal(e.path_len, 4093);
			reader_free(r);
		} else {
			expect_error(&a, 0, TOOBIG,
				     "path longer than PATH_MAX");
		}
		ar_free(&a);
	}

	/* Link targets: the same limit. */
	memset(name, 's', 4096);
	name[4096] = '\0';
	ar_pax(&a, 'x', rec, pax_rec(rec, 0, "linkpath", name, 4096));
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '2' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG, "link target longer than PATH_MAX");
	ar_free(&a);
}

struct link_case {
	char type;
	const char *link;
	int err;
	const char *reason;
	const char *want;
};

static void test_link_nul(void **state)
{
	struct archive a = { 0 };
	char rec[64];

	ar_pax(&a, 'x', rec, pax_rec(rec, 0, "linkpath", "a\0b", 3));
	ar_entry(&a, &(struct hdr){ .name = "l", .type = '2' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "NUL byte in a link target");
	ar_free(&a);
}

static void test_links(void **state)
{
	static const struct link_case cases[] = {
		{ '2', "/abs/target", 0, NULL, "/abs/target" },
		{ '2', "../../up", 0, NULL, "../../up" },
		{ '2', "a//b/", 0, NULL, "a//b/" },
		{ '2', ".wh.x", 0, NULL, ".wh.x" },
		{ '2', "", MALFORMED, "empty symbolic link target", NULL },
		{ '1', "./a//b/", 0, NULL, "a/b" },
		{ '1', "x/./y", 0, NULL, "x/y" },
		{ '1', "", MALFORMED, "empty name", NULL },
		{ '1', "./", MALFORMED, "hard link to the root", NULL },
		{ '1', "/etc/shadow", MALFORMED, "absolute path", NULL },
		{ '1', "../escape", MALFORMED, "'..' component in a path",
		  NULL },
		{ '1', "a/../../b", MALFORMED, "'..' component in a path",
		  NULL },
		{ '1', "d/.wh.x", MALFORMED, "hard link to a .wh. name",
		  NULL },
		{ '1', ".wh.d/x", MALFORMED, "hard link to a .wh. name",
		  NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct link_case *c = &cases[i];

		for (int how = 0; how < 3; how++) {
			struct archive a = { 0 };
			struct hdr h = { .name = "l", .type = c->type };
			struct tar_entry e;
			struct tar_reader *r;
			char rec[256];

			print_message("link case '%s' way %d\n", c->link, how);
			if (how == 0) {
				h.link = c->link;
			} else if (how == 1) {
				if (!*c->link)
					continue;	/* empty is no value */
				ar_pax(&a, 'x', rec,
				       pax_rec(rec, 0, "linkpath", c->link,
					       strlen(c->link)));
				h.link = "ignored";
			} else {
				if (!*c->link)
					continue;	/* empty long name */
				ar_long(&a, 'K', c->link);
				h.link = "ignored";
				h.gnu = true;
			}
			ar_entry(&a, &h, NULL);
			ar_end(&a);
			if (c->err) {
				expect_error(&a, 0, c->err, c->reason);
				ar_free(&a);
				continue;
			}
			r = one_entry(&a, &e);
			assert_string_equal(e.link, c->want);
			assert_int_equal(e.link_len, strlen(c->want));
			reader_free(r);
			ar_free(&a);
		}
	}
}

/* --- metadata headers ----------------------------------------------------- */

static void test_meta_errors(void **state)
{
	struct archive a = { 0 };
	uint8_t blk[BLOCK];
	char rec[64];

	/* Two of a kind, or both kinds of one name. */
	ar_long(&a, 'L', "a");
	ar_long(&a, 'L', "b");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED,
		     "two long names of one kind for one entry");
	ar_free(&a);

	ar_pax_kv(&a, 'x', "uid", "1");
	ar_pax_kv(&a, 'x', "gid", "1");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "two pax headers for one entry");
	ar_free(&a);

	ar_long(&a, 'L', "a");
	ar_pax_kv(&a, 'x', "path", "b");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "both a long name and a pax path");
	ar_free(&a);

	ar_pax_kv(&a, 'x', "linkpath", "b");
	ar_long(&a, 'K', "a");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '2' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "both a long link and a pax linkpath");
	ar_free(&a);

	/* Long names: empty, junk after the NUL, too long. */
	ar_entry(&a, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				    .size = 1, .gnu = true }, "");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "empty long name");
	ar_free(&a);

	ar_entry(&a, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				    .size = 0, .gnu = true }, "");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "empty long name");
	ar_free(&a);

	ar_entry(&a, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				    .size = 4, .gnu = true }, "a\0b");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "bytes after the NUL of a long name");
	ar_free(&a);

	ar_entry(&a, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				    .size = 3, .gnu = true }, "ab\0");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	{
		struct tar_entry e;
		struct tar_reader *r = one_entry(&a, &e);

		assert_string_equal(e.path, "ab");
		reader_free(r);
	}
	ar_free(&a);

	ar_entry(&a, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				    .size = 2, .gnu = true }, "ab");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	{
		struct tar_entry e;
		struct tar_reader *r = one_entry(&a, &e);

		assert_string_equal(e.path, "ab");	/* no NUL: fine */
		reader_free(r);
	}
	ar_free(&a);

	hdr_build(blk, &(struct hdr){ .name = "././@LongLink", .type = 'L',
				      .size = TAR_PATH_MAX + 1, .gnu = true });
	ar_block(&a, blk);
	expect_error(&a, 0, TOOBIG, "long name longer than TAR_PATH_MAX");
	ar_free(&a);

	{
		static char big[TAR_PATH_MAX];

		memset(big, 'b', sizeof(big));
		ar_entry(&a, &(struct hdr){ .name = "././@LongLink",
					    .type = 'K', .size = sizeof(big),
					    .gnu = true }, big);
		ar_entry(&a, &(struct hdr){ .name = "f", .type = '2' }, NULL);
		ar_end(&a);
		expect_error(&a, 0, TOOBIG,
			     "long name longer than TAR_PATH_MAX");
		ar_free(&a);
	}

	/* A pax header over the cap is refused before it is read. */
	hdr_build(blk, &(struct hdr){ .name = "p", .type = 'x',
				      .size = TAR_PAX_MAX + 1 });
	ar_block(&a, blk);
	expect_error(&a, 0, TOOBIG, "pax header longer than TAR_PAX_MAX");
	ar_free(&a);

	/* Meta headers with a bad size field. */
	hdr_build(blk, &(struct hdr){ .name = "p", .type = 'x' });
	memcpy(blk + F_SIZE, "0000000000x\0", 12);
	set_checksum(blk);
	ar_block(&a, blk);
	expect_error(&a, 0, MALFORMED, "invalid size field");
	ar_free(&a);

	/* More metadata headers than TAR_META_HEADERS_MAX. */
	for (int i = 0; i <= TAR_META_HEADERS_MAX; i++)
		ar_pax_kv(&a, 'g', "abc", "d");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG,
		     "more than TAR_META_HEADERS_MAX extended headers before "
		     "one entry");
	ar_free(&a);
	for (int i = 0; i < TAR_META_HEADERS_MAX; i++)
		ar_pax_kv(&a, 'g', "abc", "d");
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	{
		struct src s = { 0 };
		struct tar_reader *r = reader_new(&s, &a, 0);
		size_t count;

		assert_int_equal(read_all(r, &count), 0);
		assert_int_equal(count, 1);
		reader_free(r);
	}
	ar_free(&a);

	/* Metadata then the end. */
	ar_pax(&a, 'x', rec, pax_rec(rec, 0, "path", "a", 1));
	ar_end(&a);
	expect_error(&a, 0, MALFORMED,
		     "end-of-archive marker after an extended header");
	expect_error(&a, TAR_LENIENT_END, MALFORMED,
		     "end-of-archive marker after an extended header");
	ar_free(&a);
	ar_long(&a, 'L', "a");
	expect_error(&a, TAR_LENIENT_END, MALFORMED,
		     "archive ends after an extended header");
	ar_free(&a);
}

static void test_xattr_caps(void **state)
{
	static char rec[TAR_PAX_MAX + 4096], key[512];
	static uint8_t value[TAR_XATTR_VALUE_MAX + 1];
	struct archive a = { 0 };
	struct tar_entry e;
	struct tar_reader *r;
	size_t n = 0;

	memset(value, 0xa5, sizeof(value));
	/* TAR_XATTRS_MAX of them, one of the longest name and value. */
	for (int i = 0; i < TAR_XATTRS_MAX; i++) {
		snprintf(key, sizeof(key), "SCHILY.xattr.user.%d", i);
		n = pax_rec(rec, n, key, value, i ? 1 : TAR_XATTR_VALUE_MAX);
	}
	memset(key, 'k', sizeof(key));
	memcpy(key, "SCHILY.xattr.", 13);
	key[13 + TAR_XATTR_NAME_MAX] = '\0';
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_int_equal(e.xattr_count, TAR_XATTRS_MAX);
	assert_int_equal(e.xattrs[0].value_len, TAR_XATTR_VALUE_MAX);
	assert_string_equal(e.xattrs[63].name, "user.63");
	reader_free(r);
	ar_free(&a);

	/* One more xattr. */
	n = pax_rec(rec, n, "SCHILY.xattr.user.x", "v", 1);
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG, "more than TAR_XATTRS_MAX xattrs");
	ar_free(&a);

	/* The longest name, and one byte more. */
	n = pax_rec(rec, 0, key, "v", 1);
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	r = one_entry(&a, &e);
	assert_int_equal(strlen(e.xattrs[0].name), TAR_XATTR_NAME_MAX);
	reader_free(r);
	ar_free(&a);
	key[13 + TAR_XATTR_NAME_MAX] = 'k';
	key[14 + TAR_XATTR_NAME_MAX] = '\0';
	n = pax_rec(rec, 0, key, "v", 1);
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG,
		     "xattr name longer than TAR_XATTR_NAME_MAX");
	ar_free(&a);

	/* A value one byte too long. */
	n = pax_rec(rec, 0, "SCHILY.xattr.user.v", value, sizeof(value));
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG,
		     "xattr value longer than TAR_XATTR_VALUE_MAX");
	ar_free(&a);

	/* More than TAR_PAX_RECORDS_MAX records. */
	n = 0;
	for (int i = 0; i <= TAR_PAX_RECORDS_MAX; i++)
		n = pax_rec(rec, n, "comment", "", 0);
	ar_pax(&a, 'x', rec, n);
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0' }, NULL);
	ar_end(&a);
	expect_error(&a, 0, TOOBIG,
		     "more than TAR_PAX_RECORDS_MAX pax records");
	ar_free(&a);
}

static void test_entries_cap(void **state)
{
	struct archive a = { 0 };
	struct src s = { 0 };
	struct tar_reader *r;
	struct tar_entry e;

	ar_entry(&a, &(struct hdr){ .name = "a", .type = '0' }, NULL);
	ar_entry(&a, &(struct hdr){ .name = "b", .type = '0' }, NULL);
	ar_end(&a);
	r = reader_new(&s, &a, 0);
	r->entries = TAR_ENTRIES_MAX - 1;	/* as if that many were read */
	assert_int_equal(tar_next(r, &e), 1);
	assert_int_equal(tar_next(r, &e), TOOBIG);
	assert_string_equal(why(r),
			    "more than TAR_ENTRIES_MAX entries");
	reader_free(r);
	ar_free(&a);
}

/* --- the end of the archive and the stream -------------------------------- */

static void one_file(struct archive *a)
{
	ar_entry(a, &(struct hdr){ .name = "f", .type = '0', .size = 3 },
		 "abc");
}

static void expect_end(const struct archive *a, unsigned int flags,
		       size_t entries)
{
	struct src s = { 0 };
	struct tar_reader *r = reader_new(&s, a, flags);
	size_t count;
	int ret = read_all(r, &count);

	if (ret != 0)
		fail_msg("want the end, got %d '%s'", ret,
			 why(r));
	assert_int_equal(count, entries);
	reader_free(r);
}

static void test_end_of_archive(void **state)
{
	struct archive a = { 0 };

	/* Nothing at all. */
	expect_error(&a, 0, MALFORMED,
		     "archive ends without the end-of-archive marker");
	expect_end(&a, TAR_LENIENT_END, 0);

	/* Only the marker. */
	ar_end(&a);
	expect_end(&a, 0, 0);
	ar_free(&a);

	/* No marker. */
	one_file(&a);
	expect_error(&a, 0, MALFORMED,
		     "archive ends without the end-of-archive marker");
	expect_end(&a, TAR_LENIENT_END, 1);

	/* One zero block. */
	ar_zeros(&a, BLOCK);
	expect_error(&a, 0, MALFORMED, "archive ends after a lone zero block");
	expect_end(&a, TAR_LENIENT_END, 1);

	/* A zero block, then a header. */
	one_file(&a);
	ar_end(&a);
	expect_error(&a, 0, MALFORMED, "lone zero block inside the archive");
	expect_error(&a, TAR_LENIENT_END, MALFORMED,
		     "lone zero block inside the archive");
	ar_free(&a);

	/* Half a marker. */
	one_file(&a);
	ar_zeros(&a, BLOCK + 100);
	expect_error(&a, 0, MALFORMED,
		     "archive truncated inside the end-of-archive marker");
	ar_free(&a);

	/* Padding after the marker: zeros up to TAR_TRAILER_MAX. */
	one_file(&a);
	ar_end(&a);
	ar_zeros(&a, TAR_TRAILER_MAX);
	expect_end(&a, 0, 1);
	ar_zeros(&a, 1);
	expect_error(&a, 0, TOOBIG,
		     "more than TAR_TRAILER_MAX bytes after the "
		     "end-of-archive marker");
	expect_end(&a, TAR_LENIENT_END, 1);
	ar_free(&a);

	/* Anything else after it, even one byte. */
	one_file(&a);
	ar_end(&a);
	ar_zeros(&a, 3000);
	ar_put(&a, "\1", 1);
	expect_error(&a, 0, MALFORMED,
		     "data after the end-of-archive marker");
	expect_end(&a, TAR_LENIENT_END, 1);
	ar_free(&a);

	/* A second archive after the first (what tar -i would read). */
	one_file(&a);
	ar_end(&a);
	one_file(&a);
	ar_end(&a);
	{
		struct src s = { 0 };
		struct tar_reader *r = reader_new(&s, &a, 0);
		size_t count;

		assert_int_equal(read_all(r, &count), MALFORMED);
		assert_int_equal(count, 1);
		assert_int_equal(error_offset(r), 2 * BLOCK);	/* the marker's */
		assert_int_equal(tar_reader_error(r)->reason, TAR_REASON_END);
		reader_free(r);
	}
	ar_free(&a);
}

/* The callback's errors and misbehaviour. */
static void test_stream_errors(void **state)
{
	struct archive a = { 0 };
	struct tar_entry e;
	uint8_t buf[64];

	one_file(&a);
	ar_end(&a);

	{
		struct src s = { .fail = true, .fail_at = 0 };
		struct tar_reader *r = reader_new(&s, &a, 0);

		assert_int_equal(tar_next(r, &e), -EIO);
		assert_string_equal(why(r), "read failed");
		assert_int_equal(error_offset(r), 0);
		assert_int_equal(tar_reader_error(r)->reason, TAR_REASON_READ);
		reader_free(r);
	}
	{
		struct src s = { .fail = true, .fail_at = BLOCK + 1 };
		struct tar_reader *r = reader_new(&s, &a, 0);

		assert_int_equal(tar_next(r, &e), 1);
		assert_int_equal(tar_read_data(r, buf, sizeof(buf)), 1);
		assert_int_equal(tar_read_data(r, buf, sizeof(buf)), -EIO);
		assert_int_equal(tar_next(r, &e), -EIO);
		reader_free(r);
	}
	{
		struct src s = { .overfill = true };
		struct tar_reader *r = reader_new(&s, &a, 0);

		assert_int_equal(tar_next(r, &e), -EIO);
		assert_string_equal(why(r),
				    "read callback returned more than asked");
		reader_free(r);
	}
	ar_free(&a);
}

/* The error record: code, reason, why and the header's offset. */
static void test_error_record(void **state)
{
	struct archive a = { 0 };
	struct src s = { 0 };
	struct tar_reader *r;
	const struct error *e;
	char line[ERROR_LINE_MAX];
	size_t count;

	one_file(&a);
	ar_entry(&a, &(struct hdr){ .name = "/abs", .type = '0' }, NULL);
	ar_end(&a);
	r = reader_new(&s, &a, 0);
	e = tar_reader_error(r);
	assert_false(error_failed(e));
	assert_int_equal(read_all(r, &count), MALFORMED);
	assert_int_equal(count, 1);
	assert_true(error_failed(e));
	assert_int_equal(e->code, MALFORMED);
	assert_int_equal(e->reason, TAR_REASON_PATH);
	assert_int_equal(e->offset, 2 * BLOCK);	/* "f" and its data first */
	assert_string_equal(error_format(e, line, sizeof(line)),
			    "absolute path (at byte 1024): malformed input");
	reader_free(r);
	ar_free(&a);
	(void)state;
}

/* Data read in every chunking gives the same bytes. */
static void test_chunked_reads(void **state)
{
	struct archive a = { 0 };
	static char data[5000];
	char rec[128];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 13 + 1);
	ar_pax(&a, 'x', rec, pax_rec(rec, 0, "SCHILY.xattr.user.a", "b", 1));
	ar_entry(&a, &(struct hdr){ .name = "f", .type = '0',
				    .size = sizeof(data) }, data);
	ar_long(&a, 'L', "long/name");
	ar_entry(&a, &(struct hdr){ .name = "g", .type = '0', .size = 1,
				    .gnu = true }, "x");
	ar_end(&a);
	ar_zeros(&a, 777);

	for (size_t chunk = 1; chunk < 1100; chunk += chunk < 20 ? 1 : 97) {
		struct src s = { .chunk = chunk };
		struct tar_reader *r = reader_new(&s, &a, 0);
		struct tar_entry e;
		static char got[sizeof(data)];
		size_t n = 0;
		ssize_t k;

		assert_int_equal(tar_next(r, &e), 1);
		assert_string_equal(e.xattrs[0].name, "user.a");
		while ((k = tar_read_data(r, got + n, sizeof(got) - n)) > 0) {
			assert_true((size_t)k <= chunk);
			n += (size_t)k;
		}
		assert_int_equal(k, 0);
		assert_int_equal(n, sizeof(data));
		assert_memory_equal(got, data, sizeof(data));
		assert_int_equal(tar_next(r, &e), 1);
		assert_string_equal(e.path, "long/name");
		assert_int_equal(tar_next(r, &e), 0);
		assert_int_equal(s.pos, a.len);
		reader_free(r);
	}
	ar_free(&a);
}

/* --- truncation ----------------------------------------------------------- */

/* What one entry of the reference read looked like, data included. */
struct seen {
	enum tar_type type;
	char path[TAR_PATH_MAX];
	char link[TAR_PATH_MAX];
	uint64_t size;
	uint32_t mode, uid;
	size_t xattr_count;
	uint8_t digest[DIGEST_LEN];
};

/*
 * Read the archive, recording each entry (its data digested) into seen[]
 * (up to max). Returns the final result and the entries' count.
 */
static int record_entries(const uint8_t *buf, size_t len, unsigned int flags,
			  size_t chunk, struct seen *seen, size_t max,
			  size_t *count)
{
	struct src s = { .buf = buf, .len = len, .chunk = chunk };
	struct tar_reader *r = reader_new(&s, NULL, flags);
	struct tar_entry e;
	uint8_t data[700];
	int ret;

	*count = 0;
	while ((ret = tar_next(r, &e)) == 1) {
		struct seen *x = &seen[*count];
		br_sha256_context h;
		ssize_t n;

		assert_true(*count < max);
		memset(x, 0, sizeof(*x));
		x->type = e.type;
		memcpy(x->path, e.path, e.path_len + 1);
		if (e.link)
			memcpy(x->link, e.link, e.link_len + 1);
		x->size = e.size;
		x->mode = e.mode;
		x->uid = e.uid;
		x->xattr_count = e.xattr_count;
		br_sha256_init(&h);
		while ((n = tar_read_data(r, data, sizeof(data))) > 0)
			br_sha256_update(&h, data, (size_t)n);
		if (n < 0) {
			ret = (int)n;
			break;
		}
		br_sha256_out(&h, x->digest);
		(*count)++;
	}
	if (ret < 0)
		assert_non_null(why(r));
	reader_free(r);
	return ret;
}

static void build_small_archive(struct archive *a)
{
	char rec[512], name[300];
	size_t n = 0;

	memset(name, 'n', 299);
	name[299] = '\0';
	name[150] = '/';
	ar_entry(a, &(struct hdr){ .name = "./", .type = '5',
				   .mode = 0755 }, NULL);
	n = pax_rec(rec, n, "path", "dir/pax-name", 12);
	n = pax_rec(rec, n, "mtime", "12.5", 4);
	n = pax_rec(rec, n, "SCHILY.xattr.user.k", "v", 1);
	ar_pax(a, 'x', rec, n);
	ar_entry(a, &(struct hdr){ .name = "short", .type = '0',
				   .size = 700 }, NULL);
	ar_long(a, 'L', name);
	ar_long(a, 'K', "long/link/target");
	ar_entry(a, &(struct hdr){ .name = "x", .type = '2', .gnu = true },
		 NULL);
	ar_entry(a, &(struct hdr){ .name = "dir/.wh.gone", .type = '0' },
		 NULL);
	ar_entry(a, &(struct hdr){ .name = "e", .type = '0', .size = 512 },
		 NULL);
	ar_entry(a, &(struct hdr){ .name = "h", .type = '1', .link = "e" },
		 NULL);
	ar_end(a);
	ar_zeros(a, 1024);
}

/*
 * Every prefix of the archive is refused (strict), and every entry read
 * before the refusal equals the same entry of the whole archive, data
 * included. In lenient mode the prefixes that end where a header would
 * start are complete archives of the entries before.
 */
static void test_truncation(void **state)
{
	static struct seen full[16], part[16];
	struct archive a = { 0 };
	size_t full_count, count;
	uint64_t boundaries[16];

	build_small_archive(&a);
	assert_int_equal(record_entries(a.buf, a.len, 0, 0, full,
					ARRAY_SIZE(full), &full_count), 0);
	assert_int_equal(full_count, 6);
	assert_int_equal(full[0].type, TAR_DIR);
	assert_string_equal(full[0].path, "");
	assert_string_equal(full[1].path, "dir/pax-name");
	assert_int_equal(full[1].xattr_count, 1);
	assert_int_equal(full[2].type, TAR_SYMLINK);
	assert_string_equal(full[2].link, "long/link/target");
	assert_int_equal(full[3].type, TAR_WHITEOUT);
	assert_string_equal(full[3].path, "dir/gone");
	assert_int_equal(full[5].type, TAR_HARDLINK);
	assert_string_equal(full[5].link, "e");

	/* Where each entry's header group starts, then the marker. */
	{
		size_t nb = 0;
		struct src s = { .buf = a.buf, .len = a.len };
		struct tar_reader *r = reader_new(&s, NULL, 0);
		struct tar_entry e;

		while (tar_next(r, &e) == 1)
			boundaries[nb++] = e.offset;
		assert_int_equal(nb, full_count);
		reader_free(r);
	}

	for (size_t cut = 0; cut < a.len; cut++) {
		size_t marker = a.len - 1024 - 2 * BLOCK;
		/* Where a lenient reader sees an end: before a header. */
		bool boundary = cut == marker || cut == marker + BLOCK;
		size_t before = full_count;
		int ret;

		for (size_t i = 0; i < full_count; i++)
			if (boundaries[i] == cut) {
				boundary = true;
				before = i;
			}
		for (int lenient = 0; lenient < 2; lenient++) {
			unsigned int flags = lenient ? TAR_LENIENT_END : 0;
			bool complete = cut >= marker + 2 * BLOCK ||
					(lenient && boundary);

			ret = record_entries(a.buf, cut, flags, 0, part,
					     ARRAY_SIZE(part), &count);
			if (complete) {
				if (ret != 0 || count != before)
					fail_msg("cut %zu (%s): %d, %zu "
						 "entries", cut, lenient ?
						 "lenient" : "strict", ret,
						 count);
			} else if (ret != MALFORMED) {
				fail_msg("cut %zu (%s): %d, %zu entries", cut,
					 lenient ? "lenient" : "strict", ret,
					 count);
			}
			assert_true(count <= full_count);
			for (size_t i = 0; i < count; i++) {
				assert_int_equal(part[i].type, full[i].type);
				assert_string_equal(part[i].path,
						    full[i].path);
				assert_string_equal(part[i].link,
						    full[i].link);
				assert_int_equal(part[i].size, full[i].size);
				assert_int_equal(part[i].mode, full[i].mode);
				assert_int_equal(part[i].xattr_count,
						 full[i].xattr_count);
				assert_memory_equal(part[i].digest,
						    full[i].digest,
						    DIGEST_LEN);
			}
		}
	}
	/* Also read in one-byte pieces: same entries. */
	assert_int_equal(record_entries(a.buf, a.len, 0, 1, part,
					ARRAY_SIZE(part), &count), 0);
	assert_int_equal(count, full_count);
	for (size_t i = 0; i < count; i++)
		assert_memory_equal(part[i].digest, full[i].digest,
				    DIGEST_LEN);
	ar_free(&a);
}

/* --- the driver for layer/tar_test.sh ---------------------------------------- */

static ssize_t fd_read(void *ctx, void *buf, size_t len)
{
	ssize_t n = read(*(int *)ctx, buf, len);

	return n < 0 ? -errno : n;
}

/* ls/GNU tar permissions: "drwsr-xr-t". */
static void mode_string(const struct tar_entry *e, char out[11])
{
	static const char types[] = {
		[TAR_FILE] = '-', [TAR_DIR] = 'd', [TAR_SYMLINK] = 'l',
		[TAR_HARDLINK] = 'h', [TAR_CHAR] = 'c', [TAR_BLOCK] = 'b',
		[TAR_FIFO] = 'p', [TAR_WHITEOUT] = 'w', [TAR_OPAQUE] = 'o',
	};
	static const char rwx[] = "rwxrwxrwx";
	uint32_t m = e->mode;

	out[0] = types[e->type];
	for (int i = 0; i < 9; i++)
		out[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
	if (m & 04000)
		out[3] = (m & 0100) ? 's' : 'S';
	if (m & 02000)
		out[6] = (m & 0010) ? 's' : 'S';
	if (m & 01000)
		out[9] = (m & 0001) ? 't' : 'T';
	out[10] = '\0';
}

/* "2024-01-02 03:04:05[.NNN]" in UTC, nanoseconds without trailing 0s. */
static void time_string(const struct tar_entry *e, char *out, size_t size)
{
	time_t t = (time_t)e->mtime;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
	if (e->mtime_nsec) {
		n += (size_t)snprintf(out + n, size - n, ".%09u",
				      e->mtime_nsec);
		while (out[n - 1] == '0')
			out[--n] = '\0';
	}
}

static void list_entry(const struct tar_entry *e)
{
	char mode[11], when[64], size[48];

	mode_string(e, mode);
	time_string(e, when, sizeof(when));
	if (e->type == TAR_CHAR || e->type == TAR_BLOCK)
		snprintf(size, sizeof(size), "%u,%u", e->dev_major,
			 e->dev_minor);
	else
		snprintf(size, sizeof(size), "%" PRIu64, e->size);
	printf("%s%s %u/%u %s %s %s", mode, e->xattr_count ? "*" : "",
	       e->uid, e->gid, size, when, e->path_len ? e->path : ".");
	if (e->type == TAR_SYMLINK)
		printf(" -> %s", e->link);
	else if (e->type == TAR_HARDLINK)
		printf(" link to %s", e->link);
	printf("\n");
	for (size_t i = 0; i < e->xattr_count; i++)
		printf("  x: %zu %s\n", e->xattrs[i].value_len,
		       e->xattrs[i].name);
}

static int dump_entry(struct tar_reader *r, const struct tar_entry *e)
{
	uint8_t buf[65536], digest[DIGEST_LEN];
	br_sha256_context h;
	ssize_t n;

	for (size_t i = 0; i < e->xattr_count; i++) {
		printf("xattr %s %s=", e->path, e->xattrs[i].name);
		for (size_t k = 0; k < e->xattrs[i].value_len; k++)
			printf("%02x", e->xattrs[i].value[k]);
		printf("\n");
	}
	if (e->type != TAR_FILE)
		return 0;
	br_sha256_init(&h);
	while ((n = tar_read_data(r, buf, sizeof(buf))) > 0)
		br_sha256_update(&h, buf, (size_t)n);
	if (n < 0)
		return (int)n;
	br_sha256_out(&h, digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		printf("%02x", digest[i]);
	printf("  %s\n", e->path);
	return 0;
}

static int driver_read(const char *mode, const char *path, unsigned int flags)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct tar_reader *r;
	struct tar_entry e;
	int ret;

	if (fd < 0) {
		fprintf(stderr, "tar: %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = malloc(sizeof(*r));
	if (!r)
		return 1;
	tar_reader_init(r, fd_read, &fd, flags);
	while ((ret = tar_next(r, &e)) == 1) {
		if (streq(mode, "list")) {
			list_entry(&e);
		} else {
			ret = dump_entry(r, &e);
			if (ret < 0)
				break;
		}
	}
	if (ret < 0) {
		printf("error at %" PRIu64 ": %s (%s)\n", error_offset(r),
		       why(r) ? why(r) : "?", ociboot_strerror(ret));
	}
	tar_reader_fini(r);
	free(r);
	return ret < 0 ? 1 : 0;
}

static int driver_setxattr(const char *path, const char *name,
			   const char *hex)
{
	uint8_t value[4096];
	size_t len = strlen(hex) / 2;

	if (strlen(hex) % 2 || len > sizeof(value))
		return 2;
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return 2;
		value[i] = (uint8_t)b;
	}
	if (lsetxattr(path, name, value, len, 0) < 0) {
		fprintf(stderr, "tar: setxattr %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int driver(int argc, char **argv)
{
	bool lenient = argc == 4 && streq(argv[2], "--lenient");
	unsigned int flags = lenient ? TAR_LENIENT_END : 0;

	if ((argc == 3 || lenient) &&
	    (streq(argv[1], "list") || streq(argv[1], "dump")))
		return driver_read(argv[1], argv[argc - 1], flags);
	if (argc == 5 && streq(argv[1], "setxattr"))
		return driver_setxattr(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: tar list|dump [--lenient] FILE\n"
			"       tar setxattr FILE NAME HEX\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_ustar_prefix),
		cmocka_unit_test(test_gnu_long_names),
		cmocka_unit_test(test_pax),
		cmocka_unit_test(test_pax_records),
		cmocka_unit_test(test_pax_syntax),
		cmocka_unit_test(test_pax_global),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_whiteout_with_data),
		cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_link_nul),
		cmocka_unit_test(test_meta_errors),
		cmocka_unit_test(test_xattr_caps),
		cmocka_unit_test(test_entries_cap),
		cmocka_unit_test(test_end_of_archive),
		cmocka_unit_test(test_stream_errors),
		cmocka_unit_test(test_error_record),
		cmocka_unit_test(test_chunked_reads),
		cmocka_unit_test(test_truncation),
	};

	if (argc > 1)
		return driver(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
