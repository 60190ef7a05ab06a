/* SPDX-License-Identifier: MIT */
/*
 * The tar reader (layer/tar.h). A header block is verified (checksum, magic),
 * then either consumed as metadata for the next entry (x, g, L, K) or
 * turned into an entry: numeric fields decoded, pax values applied, the
 * path and link target normalised and checked, whiteouts classified. Every
 * failure goes through fail(), which makes it sticky and records why.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "layer/tar.h"
#include "lib/error.h"
#include "lib/util.h"

/* The POSIX ustar header; GNU headers share the fields up to devminor. */
struct tar_header {
	char name[100];
	char mode[8];
	char uid[8];
	char gid[8];
	char size[12];
	char mtime[12];
	char chksum[8];
	char typeflag;
	char linkname[100];
	char magic[6];
	char version[2];
	char uname[32];
	char gname[32];
	char devmajor[8];
	char devminor[8];
	char prefix[155];
	char pad[12];
};
_Static_assert(sizeof(struct tar_header) == TAR_BLOCK_SIZE,
	       "ustar header is one block");

#define CHKSUM_OFFSET 148
#define CHKSUM_LEN 8
/* star's variant: a 131-byte prefix, then times, and "tar\0" at 508. */
#define STAR_PREFIX_LEN 131
#define STAR_TRAILER_OFFSET 508

#define PAX_XATTR_PREFIX "SCHILY.xattr."
#define PAX_SPARSE_PREFIX "GNU.sparse."
#define PAX_LENGTH_DIGITS_MAX 7		/* TAR_PAX_MAX has 7 digits */
#define PAX_NUMBER_LEN_MAX 64		/* characters of a pax number */
#define NSEC_PER_SEC 1000000000u

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_PREFIX_LEN 4
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

_Static_assert(TAR_PAX_MAX < 10000000, "pax length fits its digits");

enum {
	STATE_HEADER,		/* the next block is a header */
	STATE_DATA,		/* inside an entry's data and padding */
	STATE_END,		/* the end marker was read */
};

/* struct tar_meta.have bits. */
enum {
	HAVE_PATH = 1 << 0,
	HAVE_LINKPATH = 1 << 1,
	HAVE_SIZE = 1 << 2,
	HAVE_UID = 1 << 3,
	HAVE_GID = 1 << 4,
	HAVE_MTIME = 1 << 5,
	HAVE_DEVMAJOR = 1 << 6,
	HAVE_DEVMINOR = 1 << 7,
	HAVE_PAX = 1 << 8,		/* an 'x' header was read */
	HAVE_LONG_NAME = 1 << 9,	/* an 'L' header */
	HAVE_LONG_LINK = 1 << 10,	/* a 'K' header */
};

/* The pax keywords that change an entry, with their HAVE_ bit. */
static const struct pax_keyword {
	const char *name;
	unsigned int bit;
} pax_keywords[] = {
	{ "path", HAVE_PATH },
	{ "linkpath", HAVE_LINKPATH },
	{ "size", HAVE_SIZE },
	{ "uid", HAVE_UID },
	{ "gid", HAVE_GID },
	{ "mtime", HAVE_MTIME },
	{ "SCHILY.devmajor", HAVE_DEVMAJOR },
	{ "SCHILY.devminor", HAVE_DEVMINOR },
};

/* Record why err happened, at the header block being decoded. */
static int fail(struct tar_reader *r, int err, enum tar_reason reason,
		const char *why)
{
	r->err = err;
	error_set(&r->error, err, NULL, "%s", why);
	error_reason(&r->error, reason);
	error_at_offset(&r->error, r->header_offset);
	return err;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool is_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* --- reading the stream --------------------------------------------------- */

/*
 * One call of the callback for at most len bytes. Returns the count (0 at
 * the end of the stream) or a sticky error.
 */
static ssize_t read_some(struct tar_reader *r, void *buf, size_t len)
{
	ssize_t n;

	if (len > SSIZE_MAX)
		len = SSIZE_MAX;
	n = r->read(r->read_ctx, buf, len);
	if (n < 0)
		return fail(r, n >= -INT_MAX ? (int)n : -EIO, TAR_REASON_READ,
			    "read failed");
	if ((size_t)n > len)
		return fail(r, -EIO, TAR_REASON_READ,
			    "read callback returned more than asked");
	if (__builtin_add_overflow(r->offset, (uint64_t)n, &r->offset))
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "archive too large");
	return n;
}

/*
 * Read exactly len bytes. Returns 0; 1 when eof_ok and the stream ends
 * before the first byte; or a sticky error (an end of the stream anywhere
 * else fails with the reason truncated).
 */
static int read_exact(struct tar_reader *r, void *buf, size_t len,
		      bool eof_ok, const char *truncated)
{
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = read_some(r, p + done, len - done);

		if (n < 0)
			return (int)n;
		if (n == 0) {
			if (done == 0 && eof_ok)
				return 1;
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_TRUNCATED,
				    truncated);
		}
		done += (size_t)n;
	}
	return 0;
}

/* Read and drop len bytes; the stream must not end before them. */
static int skip(struct tar_reader *r, uint64_t len, const char *truncated)
{
	uint8_t buf[8192];

	while (len) {
		size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int e = read_exact(r, buf, n, false, truncated);

		if (e < 0)
			return e;
		len -= n;
	}
	return 0;
}

static uint64_t padding(uint64_t size)
{
	return (TAR_BLOCK_SIZE - size % TAR_BLOCK_SIZE) % TAR_BLOCK_SIZE;
}

/* --- numeric fields ------------------------------------------------------- */

/*
 * Base-256 (GNU, star): the top bit of the first byte set, the next one the
 * sign, the rest a big-endian two's complement number. Returns 0 or -1
 * when it does not fit in an int64_t. Below 2^55 before each shift, v
 * stays below 2^63.
 */
static int base256(const uint8_t *f, size_t len, int64_t *out)
{
	uint8_t invert = (f[0] & 0x40) ? 0xff : 0;
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = f[i] ^ invert;

		if (i == 0)
			c &= 0x7f;
		if (v >> 55)
			return -1;
		v = v << 8 | c;
	}
	*out = invert ? -(int64_t)v - 1 : (int64_t)v;
	return 0;
}

/*
 * Octal: leading spaces, digits, then only spaces or NULs. No digits at
 * all reads as 0; *digits says how many there were.
 */
static int octal(const uint8_t *f, size_t len, uint64_t *out, size_t *digits)
{
	uint64_t v = 0;
	size_t i = 0, n = 0;

	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, n++) {
		if (v >> 61)
			return -1;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	*digits = n;
	return 0;
}

/* A signed numeric header field (mtime). Returns 0 or -1. */
static int field_signed(const char *field, size_t len, int64_t *out)
{
	const uint8_t *f = (const uint8_t *)field;
	uint64_t v;
	size_t digits;

	if (f[0] & 0x80)
		return base256(f, len, out);
	if (octal(f, len, &v, &digits) < 0 || v > INT64_MAX)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* An unsigned numeric header field. Returns 0 or -1. */
static int field_unsigned(const char *field, size_t len, uint64_t *out)
{
	int64_t v;

	if (field_signed(field, len, &v) < 0 || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* --- pax extended headers ------------------------------------------------- */

/* A pax decimal: 1..20 digits, nothing else. Returns 0 or -1. */
static int pax_unsigned(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
			return -1;
	}
	*out = v;
	return 0;
}

/*
 * A pax time: [-]SECONDS[.FRACTION], at most PAX_NUMBER_LEN_MAX
 * characters; digits past nanoseconds are dropped. A negative time with a
 * fraction is stored as the second before it plus nanoseconds.
 */
static int pax_time(const char *s, size_t len, int64_t *sec, uint32_t *nsec)
{
	bool negative = len > 0 && s[0] == '-';
	const char *dot;
	size_t int_len, frac_len;
	uint64_t v;
	uint32_t ns = 0;

	if (len > PAX_NUMBER_LEN_MAX)
		return -1;
	if (negative) {
		s++;
		len--;
	}
	dot = memchr(s, '.', len);
	int_len = dot ? (size_t)(dot - s) : len;
	if (pax_unsigned(s, int_len, &v) < 0 || v > INT64_MAX)
		return -1;
	if (dot) {
		frac_len = len - int_len - 1;
		if (frac_len == 0)
			return -1;
		for (size_t i = 0; i < frac_len; i++) {
			char c = dot[1 + i];

			if (c < '0' || c > '9')
				return -1;
			if (i < 9)
				ns = ns * 10 + (uint32_t)(c - '0');
		}
		for (size_t i = frac_len; i < 9; i++)
			ns *= 10;
	}
	if (negative && ns) {
		*sec = -(int64_t)v - 1;
		*nsec = NSEC_PER_SEC - ns;
	} else {
		*sec = negative ? -(int64_t)v : (int64_t)v;
		*nsec = ns;
	}
	return 0;
}

/*
 * A SCHILY.xattr.NAME record. The '=' after the keyword becomes the NUL
 * that ends the name, so the name can point into the buffer.
 */
static int pax_xattr(struct tar_reader *r, char *name, size_t name_len,
		     const char *value, size_t value_len)
{
	struct tar_meta *m = &r->meta;

	if (name_len == 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
			    "empty xattr name");
	if (name_len > TAR_XATTR_NAME_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "xattr name longer than TAR_XATTR_NAME_MAX");
	if (value_len > TAR_XATTR_VALUE_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "xattr value longer than TAR_XATTR_VALUE_MAX");
	if (m->xattr_count >= TAR_XATTRS_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "more than TAR_XATTRS_MAX xattrs");
	name[name_len] = '\0';
	for (size_t i = 0; i < m->xattr_count; i++)
		if (streq(r->xattrs[i].name, name))
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "repeated xattr");
	r->xattrs[m->xattr_count].name = name;
	r->xattrs[m->xattr_count].value = (const uint8_t *)value;
	r->xattrs[m->xattr_count].value_len = value_len;
	m->xattr_count++;
	return 0;
}

/* Store the value of one of pax_keywords[]; an empty value is no value. */
static int pax_keyword_value(struct tar_reader *r, unsigned int bit,
			     const char *value, size_t len)
{
	struct tar_meta *m = &r->meta;
	uint64_t v = 0;

	if (len == 0)
		return 0;
	switch (bit) {
	case HAVE_PATH:
		m->path = value;
		m->path_len = len;
		break;
	case HAVE_LINKPATH:
		m->linkpath = value;
		m->linkpath_len = len;
		break;
	case HAVE_MTIME:
		if (pax_time(value, len, &m->mtime, &m->mtime_nsec) < 0)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "invalid pax mtime");
		break;
	default:
		if (pax_unsigned(value, len, &v) < 0)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "invalid pax number");
		if (bit == HAVE_SIZE)
			m->size = v;
		else if (bit == HAVE_UID)
			m->uid = v;
		else if (bit == HAVE_GID)
			m->gid = v;
		else if (bit == HAVE_DEVMAJOR)
			m->dev_major = v;
		else
			m->dev_minor = v;
	}
	m->have |= bit;
	return 0;
}

/*
 * One record "KEYWORD=VALUE" (without its length and newline). *seen
 * collects the keywords met so far in this header.
 */
static int pax_record(struct tar_reader *r, char *key, size_t key_len,
		      const char *value, size_t value_len, bool global,
		      unsigned int *seen)
{
	const size_t xattr_len = strlen(PAX_XATTR_PREFIX);
	bool xattr = has_prefix(key, key_len, PAX_XATTR_PREFIX);
	unsigned int bit = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pax_keywords); i++)
		if (strlen(pax_keywords[i].name) == key_len &&
		    memcmp(pax_keywords[i].name, key, key_len) == 0)
			bit = pax_keywords[i].bit;

	if (has_prefix(key, key_len, PAX_SPARSE_PREFIX))
		return fail(r, -EOPNOTSUPP, TAR_REASON_UNSUPPORTED,
			    "sparse files are not supported");
	if (global && (bit || xattr))
		return fail(r, -EOPNOTSUPP, TAR_REASON_UNSUPPORTED,
			    "pax global header sets entry fields");
	if (xattr)
		return pax_xattr(r, key + xattr_len, key_len - xattr_len,
				 value, value_len);
	if (!bit)
		return 0;	/* atime, uname, comment...: not needed */
	if (*seen & bit)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
			    "repeated pax keyword");
	*seen |= bit;
	return pax_keyword_value(r, bit, value, value_len);
}

/* Check and apply every "LENGTH KEYWORD=VALUE\n" record of buf[0, len). */
static int pax_parse(struct tar_reader *r, char *buf, size_t len, bool global)
{
	unsigned int seen = 0, records = 0;
	size_t pos = 0;

	while (pos < len) {
		size_t rec_len = 0, i = pos, digits, key, end;
		const char *eq;
		int e;

		if (++records > TAR_PAX_RECORDS_MAX)
			return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
				    "more than "
				    "TAR_PAX_RECORDS_MAX pax records");
		for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
			if (i - pos >= PAX_LENGTH_DIGITS_MAX)
				return fail(r, -OCIBOOT_EMALFORMED,
					    TAR_REASON_EXTENDED,
					    "invalid pax record length");
			rec_len = rec_len * 10 + (size_t)(buf[i] - '0');
		}
		digits = i - pos;
		if (digits == 0 || i == len || buf[i] != ' ')
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "invalid pax record length");
		if (rec_len > len - pos)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "pax record longer than its header");
		/* digits, space, a keyword byte, '=', newline */
		if (rec_len < digits + 4)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "pax record too short");
		end = pos + rec_len - 1;
		if (buf[end] != '\n')
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "pax record does not end in a newline");
		key = i + 1;
		eq = memchr(buf + key, '=', end - key);
		if (!eq || eq == buf + key)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "pax record without a keyword");
		if (memchr(buf + key, '\0', (size_t)(eq - (buf + key))))
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
				    "NUL byte in a pax keyword");
		e = pax_record(r, buf + key, (size_t)(eq - (buf + key)),
			       eq + 1, (size_t)(buf + end - (eq + 1)), global,
			       &seen);
		if (e < 0)
			return e;
		pos += rec_len;
	}
	return 0;
}

/* Make *buf hold at least size bytes (size <= TAR_PAX_MAX). */
static int reserve(struct tar_reader *r, uint8_t **buf, size_t *cap,
		   size_t size)
{
	uint8_t *p;

	if (size <= *cap)
		return 0;
	p = realloc(*buf, size);
	if (!p)
		return fail(r, -ENOMEM, TAR_REASON_MEMORY, "out of memory");
	*buf = p;
	*cap = size;
	return 0;
}

/* Read size bytes of a header's data and its padding into *buf. */
static int read_meta_data(struct tar_reader *r, uint8_t **buf, size_t *cap,
			  uint64_t size)
{
	const char *truncated = "archive truncated inside an extended header";
	int e;

	if (size > TAR_PAX_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "pax header longer than TAR_PAX_MAX");
	e = reserve(r, buf, cap, size ? (size_t)size : 1);
	if (e < 0)
		return e;
	e = read_exact(r, *buf, (size_t)size, false, truncated);
	if (e < 0)
		return e;
	return skip(r, padding(size), truncated);
}

static int read_pax(struct tar_reader *r, uint64_t size)
{
	int e;

	if (r->meta.have & HAVE_PAX)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
			    "two pax headers for one entry");
	e = read_meta_data(r, &r->pax, &r->pax_cap, size);
	if (e < 0)
		return e;
	r->meta.have |= HAVE_PAX;
	return pax_parse(r, (char *)r->pax, (size_t)size, false);
}

static int read_global(struct tar_reader *r, uint64_t size)
{
	int e = read_meta_data(r, &r->global, &r->global_cap, size);

	if (e < 0)
		return e;
	return pax_parse(r, (char *)r->global, (size_t)size, true);
}

/* --- GNU long names ------------------------------------------------------- */

/*
 * An 'L' or 'K' header's data: the name, a NUL, and only NULs after it
 * (GNU tar writes exactly one). The name must be 1..TAR_PATH_MAX - 1 bytes.
 */
static int read_long(struct tar_reader *r, uint64_t size, char *out,
		     unsigned int bit)
{
	const char *truncated = "archive truncated inside a long name";
	size_t len;
	int e;

	if (r->meta.have & bit)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
			    "two long names of one kind for one entry");
	if (size > TAR_PATH_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "long name longer than TAR_PATH_MAX");
	e = read_exact(r, out, (size_t)size, false, truncated);
	if (e < 0)
		return e;
	e = skip(r, padding(size), truncated);
	if (e < 0)
		return e;
	len = strnlen(out, (size_t)size);
	if (len == 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
			    "empty long name");
	if (len == TAR_PATH_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "long name longer than TAR_PATH_MAX");
	if (!is_zero((const uint8_t *)out + len, (size_t)size - len))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_EXTENDED,
			    "bytes after the NUL of a long name");
	out[len] = '\0';
	if (bit == HAVE_LONG_NAME) {
		r->meta.path = out;
		r->meta.path_len = len;
	} else {
		r->meta.linkpath = out;
		r->meta.linkpath_len = len;
	}
	r->meta.have |= bit;
	return 0;
}

/* --- paths ---------------------------------------------------------------- */

/*
 * Normalise raw[0, len) into out[TAR_PATH_MAX] (see layer/tar.h). Returns its
 * length or a sticky error; *dir_form is set when the name ends in "/" or
 * "/." (or is "."), the spelling of a directory.
 */
static int normalise(struct tar_reader *r, const char *raw, size_t len,
		     char *out, bool *dir_form)
{
	size_t i = 0, o = 0;

	if (len == 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
			    "empty name");
	if (len >= TAR_PATH_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "path longer than PATH_MAX");
	if (memchr(raw, '\0', len))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
			    "NUL byte in a path");
	if (raw[0] == '/')
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
			    "absolute path");
	*dir_form = raw[len - 1] == '/' || (raw[len - 1] == '.' &&
					    (len == 1 || raw[len - 2] == '/'));
	while (i < len) {
		size_t start = i, n;

		if (raw[i] == '/') {
			i++;
			continue;
		}
		while (i < len && raw[i] != '/')
			i++;
		n = i - start;
		if (n == 1 && raw[start] == '.')
			continue;
		if (n == 2 && raw[start] == '.' && raw[start + 1] == '.')
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
				    "'..' component in a path");
		if (n > TAR_NAME_MAX)
			return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
				    "path component longer than NAME_MAX");
		if (o)
			out[o++] = '/';
		memcpy(out + o, raw + start, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}

/* Whether a component of path[0, len), the last one too if last, is .wh.* */
static bool has_whiteout_component(const char *path, size_t len, bool last)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if ((last || i < len) &&
		    has_prefix(path + start, i - start, WHITEOUT_PREFIX))
			return true;
		start = i + 1;
	}
	return false;
}

/* The raw name: pax path, GNU long name, or ustar prefix "/" name. */
static int raw_name(struct tar_reader *r, const struct tar_header *h,
		    bool ustar, const char **name, size_t *len)
{
	size_t prefix_len = 0, name_len = strnlen(h->name, sizeof(h->name));
	const uint8_t *block = r->block;

	if ((r->meta.have & HAVE_PATH) && (r->meta.have & HAVE_LONG_NAME))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
			    "both a long name and a pax path");
	if (r->meta.have & (HAVE_PATH | HAVE_LONG_NAME)) {
		*name = r->meta.path;
		*len = r->meta.path_len;
		return 0;
	}
	if (ustar) {
		bool star = memcmp(block + STAR_TRAILER_OFFSET, "tar", 4) == 0;

		prefix_len = strnlen(h->prefix, star ? STAR_PREFIX_LEN :
					       sizeof(h->prefix));
	}
	if (prefix_len) {
		memcpy(r->raw, h->prefix, prefix_len);
		r->raw[prefix_len] = '/';
		memcpy(r->raw + prefix_len + 1, h->name, name_len);
		name_len += prefix_len + 1;
	} else {
		memcpy(r->raw, h->name, name_len);
	}
	r->raw[name_len] = '\0';
	*name = r->raw;
	*len = name_len;
	return 0;
}

/* The raw link target: pax linkpath, GNU long link, or linkname. */
static int raw_link(struct tar_reader *r, const struct tar_header *h,
		    const char **link, size_t *len)
{
	if ((r->meta.have & HAVE_LINKPATH) && (r->meta.have & HAVE_LONG_LINK))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
			    "both a long link and a pax linkpath");
	if (r->meta.have & (HAVE_LINKPATH | HAVE_LONG_LINK)) {
		*link = r->meta.linkpath;
		*len = r->meta.linkpath_len;
		return 0;
	}
	*link = h->linkname;
	*len = strnlen(h->linkname, sizeof(h->linkname));
	return 0;
}

static int set_link(struct tar_reader *r, const struct tar_header *h,
		    struct tar_entry *entry)
{
	const char *raw;
	size_t len;
	bool dir_form;
	int n = raw_link(r, h, &raw, &len);

	if (n < 0)
		return n;
	if (entry->type == TAR_SYMLINK) {
		if (len == 0)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
				    "empty symbolic link target");
		if (len >= TAR_PATH_MAX)
			return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
				    "link target longer than PATH_MAX");
		if (memchr(raw, '\0', len))
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
				    "NUL byte in a link target");
		memcpy(r->link, raw, len);
		r->link[len] = '\0';
	} else {
		n = normalise(r, raw, len, r->link, &dir_form);
		if (n < 0)
			return n;
		if (n == 0)
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
				    "hard link to the root");
		if (has_whiteout_component(r->link, (size_t)n, true))
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_PATH,
				    "hard link to a .wh. name");
		len = (size_t)n;
	}
	entry->link = r->link;
	entry->link_len = len;
	return 0;
}

/*
 * Turn DIR/.wh.NAME into a TAR_WHITEOUT of DIR/NAME and DIR/.wh..wh..opq
 * into a TAR_OPAQUE of DIR; leave other names alone.
 */
static int classify_whiteout(struct tar_reader *r, struct tar_entry *entry)
{
	char *path = r->path;
	char *slash = strrchr(path, '/');
	char *base = slash ? slash + 1 : path;
	size_t base_len = strlen(base);
	char *name;

	if (!has_prefix(base, base_len, WHITEOUT_PREFIX))
		return 0;
	name = base + WHITEOUT_PREFIX_LEN;
	if (entry->type != TAR_FILE || entry->size != 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "whiteout is not an empty regular file");
	if (streq(base, WHITEOUT_OPAQUE)) {
		*(slash ? slash : base) = '\0';
		entry->type = TAR_OPAQUE;
	} else if (has_prefix(base, base_len, WHITEOUT_META_PREFIX)) {
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "reserved .wh..wh. name (AUFS metadata)");
	} else if (!*name || streq(name, ".") || streq(name, "..")) {
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "whiteout of no name, '.' or '..'");
	} else {
		memmove(base, name, strlen(name) + 1);
		entry->type = TAR_WHITEOUT;
	}
	entry->path_len = strlen(path);
	return 0;
}

static int set_path(struct tar_reader *r, const struct tar_header *h,
		    bool ustar, struct tar_entry *entry)
{
	const char *raw;
	size_t len;
	bool dir_form;
	int n = raw_name(r, h, ustar, &raw, &len);

	if (n < 0)
		return n;
	n = normalise(r, raw, len, r->path, &dir_form);
	if (n < 0)
		return n;
	if (entry->type != TAR_DIR && n == 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "non-directory named like the root");
	if (entry->type != TAR_DIR && dir_form)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "name of a non-directory ends in '/'");
	if (has_whiteout_component(r->path, (size_t)n, false))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "directory named .wh.* in a path");
	entry->path = r->path;
	entry->path_len = (size_t)n;
	return classify_whiteout(r, entry);
}

/* --- entries -------------------------------------------------------------- */

static int entry_type(struct tar_reader *r, char typeflag,
		      enum tar_type *type)
{
	switch (typeflag) {
	case '0': case '\0': case '7':
		*type = TAR_FILE;
		return 0;
	case '1':
		*type = TAR_HARDLINK;
		return 0;
	case '2':
		*type = TAR_SYMLINK;
		return 0;
	case '3':
		*type = TAR_CHAR;
		return 0;
	case '4':
		*type = TAR_BLOCK;
		return 0;
	case '5':
		*type = TAR_DIR;
		return 0;
	case '6':
		*type = TAR_FIFO;
		return 0;
	case 'S':
		return fail(r, -EOPNOTSUPP, TAR_REASON_UNSUPPORTED,
			    "sparse files are not supported");
	}
	return fail(r, -EOPNOTSUPP, TAR_REASON_UNSUPPORTED,
		    "unsupported entry type");
}

/* The numeric fields, with pax values in place of the header's. */
static int set_numbers(struct tar_reader *r, const struct tar_header *h,
		       struct tar_entry *entry)
{
	const struct tar_meta *m = &r->meta;
	uint64_t mode, uid, gid, size, major, minor;
	int64_t mtime;

	if (field_unsigned(h->mode, sizeof(h->mode), &mode) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid mode field");
	if (field_unsigned(h->uid, sizeof(h->uid), &uid) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid uid field");
	if (field_unsigned(h->gid, sizeof(h->gid), &gid) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid gid field");
	if (field_unsigned(h->size, sizeof(h->size), &size) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid size field");
	if (field_signed(h->mtime, sizeof(h->mtime), &mtime) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid mtime field");
	if (field_unsigned(h->devmajor, sizeof(h->devmajor), &major) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid devmajor field");
	if (field_unsigned(h->devminor, sizeof(h->devminor), &minor) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid devminor field");

	if (m->have & HAVE_SIZE)
		size = m->size;
	if (m->have & HAVE_UID)
		uid = m->uid;
	if (m->have & HAVE_GID)
		gid = m->gid;
	if (m->have & HAVE_DEVMAJOR)
		major = m->dev_major;
	if (m->have & HAVE_DEVMINOR)
		minor = m->dev_minor;
	entry->mtime_nsec = 0;
	if (m->have & HAVE_MTIME) {
		mtime = m->mtime;
		entry->mtime_nsec = m->mtime_nsec;
	}

	/* Go's archive/tar adds the S_IFMT bits; they are not kept. */
	if (mode & ~(uint64_t)0177777)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "mode out of range");
	if (uid > TAR_ID_MAX || gid > TAR_ID_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "uid or gid out of range");
	if (size > TAR_FILE_SIZE_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "size over TAR_FILE_SIZE_MAX");
	if (size && entry->type != TAR_FILE)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_ENTRY,
			    "data on an entry that is not a regular file");
	if (entry->type == TAR_CHAR || entry->type == TAR_BLOCK) {
		if (major > TAR_DEV_MAJOR_MAX || minor > TAR_DEV_MINOR_MAX)
			return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
				    "device number out of range");
		entry->dev_major = (uint32_t)major;
		entry->dev_minor = (uint32_t)minor;
	} else {
		entry->dev_major = 0;
		entry->dev_minor = 0;
	}
	entry->mode = (uint32_t)(mode & 07777);
	entry->uid = (uint32_t)uid;
	entry->gid = (uint32_t)gid;
	entry->mtime = mtime;
	entry->size = size;
	return 0;
}

/* Build the entry of a non-metadata header into *out. */
static int make_entry(struct tar_reader *r, const struct tar_header *h,
		      bool ustar, uint64_t start, struct tar_entry *out)
{
	struct tar_entry entry = { 0 };
	int e;

	if (r->entries >= TAR_ENTRIES_MAX)
		return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
			    "more than TAR_ENTRIES_MAX entries");
	e = entry_type(r, h->typeflag, &entry.type);
	if (e < 0)
		return e;
	e = set_numbers(r, h, &entry);
	if (e < 0)
		return e;
	if (entry.type == TAR_SYMLINK || entry.type == TAR_HARDLINK) {
		e = set_link(r, h, &entry);
		if (e < 0)
			return e;
	}
	e = set_path(r, h, ustar, &entry);
	if (e < 0)
		return e;
	entry.xattrs = r->meta.xattr_count ? r->xattrs : NULL;
	entry.xattr_count = r->meta.xattr_count;
	entry.offset = start;

	r->entries++;
	r->state = STATE_DATA;
	r->data_left = entry.size;
	r->pad_left = padding(entry.size);
	*out = entry;
	return 1;
}

/* --- headers and the end of the archive ---------------------------------- */

static int verify_checksum(struct tar_reader *r)
{
	const char *field = (const char *)r->block + CHKSUM_OFFSET;
	uint64_t want;
	size_t digits;
	uint32_t sum = 0;
	int32_t signed_sum = 0;

	if (octal((const uint8_t *)field, CHKSUM_LEN, &want, &digits) < 0 ||
	    digits == 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid checksum field");
	for (size_t i = 0; i < TAR_BLOCK_SIZE; i++) {
		uint8_t b = r->block[i];

		if (i >= CHKSUM_OFFSET && i < CHKSUM_OFFSET + CHKSUM_LEN)
			b = ' ';
		sum += b;
		signed_sum += (int8_t)b;
	}
	if (want != sum && (signed_sum < 0 || want != (uint64_t)signed_sum))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "header checksum mismatch");
	return 0;
}

/* Sets *ustar when the prefix field is a prefix (POSIX, not GNU). */
static int check_magic(struct tar_reader *r, const struct tar_header *h,
		       bool *ustar)
{
	if (memcmp(h->magic, "ustar", 6) == 0 &&
	    memcmp(h->version, "00", 2) == 0) {
		*ustar = true;
		return 0;
	}
	if (memcmp(h->magic, "ustar ", 6) == 0 &&
	    memcmp(h->version, " ", 2) == 0) {
		*ustar = false;
		return 0;
	}
	if (is_zero(r->block + offsetof(struct tar_header, magic), 8))
		return fail(r, -EOPNOTSUPP, TAR_REASON_UNSUPPORTED,
			    "v7 header (no ustar magic)");
	return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
		    "unknown header magic");
}

/* After the end marker: only zeros, up to TAR_TRAILER_MAX of them. */
static int check_trailer(struct tar_reader *r)
{
	uint8_t buf[8192];
	uint64_t total = 0;

	for (;;) {
		ssize_t n = read_some(r, buf, sizeof(buf));

		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		if (!is_zero(buf, (size_t)n))
			return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_END,
				    "data after the end-of-archive marker");
		total += (uint64_t)n;
		if (total > TAR_TRAILER_MAX)
			return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
				    "more than TAR_TRAILER_MAX bytes after "
				    "the end-of-archive marker");
	}
}

/* The stream ended where a header would start: the end, or an error. */
static int end_without_marker(struct tar_reader *r, bool after_zero)
{
	if (r->meta.have)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_END,
			    "archive ends after an extended header");
	if (!(r->flags & TAR_LENIENT_END))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_END, after_zero ?
			    "archive ends after a lone zero block" :
			    "archive ends without the end-of-archive marker");
	r->state = STATE_END;
	return 0;
}

/* A zero block was read: the second one must follow. */
static int end_marker(struct tar_reader *r)
{
	int e;

	if (r->meta.have)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_END,
			    "end-of-archive marker after an extended header");
	e = read_exact(r, r->block, TAR_BLOCK_SIZE, true,
		       "archive truncated inside the end-of-archive marker");
	if (e < 0)
		return e;
	if (e == 1)
		return end_without_marker(r, true);
	if (!is_zero(r->block, TAR_BLOCK_SIZE))
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_END,
			    "lone zero block inside the archive");
	if (!(r->flags & TAR_LENIENT_END)) {
		e = check_trailer(r);
		if (e < 0)
			return e;
	}
	r->state = STATE_END;
	return 0;
}

/* The header's size field, for metadata headers (pax size does not apply). */
static int meta_size(struct tar_reader *r, const struct tar_header *h,
		     uint64_t *size)
{
	if (field_unsigned(h->size, sizeof(h->size), size) < 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_HEADER,
			    "invalid size field");
	return 0;
}

/*
 * Decode the header in r->block: 0 when it was metadata for the next
 * entry, 1 with *entry, or a sticky error.
 */
static int decode_header(struct tar_reader *r, uint64_t start,
			 struct tar_entry *entry)
{
	struct tar_header h;
	uint64_t size;
	bool ustar;
	int e;

	memcpy(&h, r->block, sizeof(h));
	e = verify_checksum(r);
	if (e < 0)
		return e;
	e = check_magic(r, &h, &ustar);
	if (e < 0)
		return e;
	switch (h.typeflag) {
	case 'x': case 'g': case 'L': case 'K':
		break;
	default:
		return make_entry(r, &h, ustar, start, entry);
	}
	e = meta_size(r, &h, &size);
	if (e < 0)
		return e;
	switch (h.typeflag) {
	case 'x':
		return read_pax(r, size);
	case 'g':
		return read_global(r, size);
	case 'L':
		return read_long(r, size, r->long_name, HAVE_LONG_NAME);
	default:
		return read_long(r, size, r->long_link, HAVE_LONG_LINK);
	}
}

/* --- the public API ------------------------------------------------------- */

void tar_reader_init(struct tar_reader *r, tar_read_fn read_fn,
		     void *read_ctx, unsigned int flags)
{
	memset(r, 0, sizeof(*r));
	error_clear(&r->error);
	r->read = read_fn;
	r->read_ctx = read_ctx;
	r->flags = flags;
	r->state = STATE_HEADER;
}

void tar_reader_fini(struct tar_reader *r)
{
	free(r->pax);
	free(r->global);
	r->pax = r->global = NULL;
	r->pax_cap = r->global_cap = 0;
}

int tar_next(struct tar_reader *r, struct tar_entry *entry)
{
	uint64_t start;
	int e;

	if (r->err)
		return r->err;
	if (r->state == STATE_END)
		return 0;
	if (r->state == STATE_DATA) {
		e = skip(r, r->data_left + r->pad_left,
			 "archive truncated inside file data");
		if (e < 0)
			return e;
		r->data_left = r->pad_left = 0;
		r->state = STATE_HEADER;
	}
	memset(&r->meta, 0, sizeof(r->meta));
	start = r->offset;
	for (unsigned int headers = 0;; headers++) {
		if (headers > TAR_META_HEADERS_MAX)
			return fail(r, -OCIBOOT_ETOOBIG, TAR_REASON_LIMIT,
				    "more than TAR_META_HEADERS_MAX extended "
				    "headers before one entry");
		r->header_offset = r->offset;
		e = read_exact(r, r->block, TAR_BLOCK_SIZE, true,
			       "archive truncated inside a header");
		if (e < 0)
			return e;
		if (e == 1)
			return end_without_marker(r, false);
		if (is_zero(r->block, TAR_BLOCK_SIZE))
			return end_marker(r);
		e = decode_header(r, start, entry);
		if (e != 0)
			return e;
	}
}

ssize_t tar_read_data(struct tar_reader *r, void *buf, size_t len)
{
	ssize_t n;

	if (r->err)
		return r->err;
	if (r->state != STATE_DATA || r->data_left == 0 || len == 0)
		return 0;
	if (len > r->data_left)
		len = (size_t)r->data_left;
	n = read_some(r, buf, len);
	if (n == 0)
		return fail(r, -OCIBOOT_EMALFORMED, TAR_REASON_TRUNCATED,
			    "archive truncated inside file data");
	if (n > 0)
		r->data_left -= (uint64_t)n;
	return n;
}

const struct error *tar_reader_error(const struct tar_reader *r)
{
	return &r->error;
}
