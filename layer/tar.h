/* SPDX-License-Identifier: MIT */
/*
 * A pull reader for untrusted tar archives (OCI image layers), host side.
 * The caller supplies a read callback; tar_next() returns one entry at a
 * time and tar_read_data() its contents. Nothing here logs or seeks.
 *
 * Formats: POSIX ustar (with the prefix field), pax extended headers
 * (typeflag 'x': path, linkpath, size, uid, gid, mtime, SCHILY.devmajor,
 * SCHILY.devminor, SCHILY.xattr.NAME; other keywords are ignored: atime,
 * ctime, uname, gname, SCHILY.acl.*, LIBARCHIVE.xattr.*...), pax
 * global headers ('g': parsed, and refused when they set any of the
 * keywords above, since they would then change the entries that follow),
 * GNU long names and link targets ('L', 'K'), and numeric fields in octal
 * or base-256 (the GNU/star binary form). Contiguous files ('7') are
 * regular files. Refused, with a reason: v7 headers (no ustar magic),
 * sparse files (GNU 'S' and pax GNU.sparse.*), multi-volume and other
 * vendor types, and any header whose checksum matches neither the unsigned
 * nor the signed sum POSIX allows.
 *
 * Strictness, where readers disagree:
 * - Numeric fields: optional leading spaces, octal digits, then only spaces
 *   or NULs to the end of the field. A field of only spaces and NULs is 0
 *   (GNU tar and Go read it so); anything else is refused.
 * - Data follows only regular files: any other entry whose size is not 0
 *   is refused (readers differ on whether such data exists).
 * - A pax keyword that matters may appear once per header; a long name
 *   ('L') and a pax path, or a long link ('K') and a pax linkpath, may not
 *   both describe one entry.
 * - Paths are normalised: "." components, repeated and trailing slashes
 *   are dropped. Refused: an empty name, an absolute path, any ".."
 *   component, a NUL byte in a pax path, a component over TAR_NAME_MAX, a
 *   trailing slash on anything but a directory, and a directory component
 *   named ".wh.*". The directory "." itself (often the first entry) is
 *   reported as a directory with the empty path.
 *
 * The end of the archive. GNU tar writes two zero blocks and pads the
 * archive with zeros to a multiple of its record size (10240 bytes by
 * default); Go's archive/tar writes the two blocks and no padding. When
 * reading, GNU tar 1.34 stops at the first zero block (warning when the
 * next block is not zero, but exiting 0) and silently accepts an archive
 * that simply ends where a header would start; so does Go. By
 * default this reader requires the two zero blocks and then reads on to
 * the end of the stream, requiring only zeros (at most TAR_TRAILER_MAX
 * bytes), so that a truncated archive is never taken for a complete one and
 * nothing hides after the end (GNU tar --ignore-zeros would read it).
 * TAR_LENIENT_END accepts what GNU tar accepts instead: the end of the
 * stream where a header would start, after zero or one zero block, and
 * stops reading at the end marker. Either way a zero block followed by a
 * non-zero block is refused.
 *
 * OCI whiteouts (image-spec layer.md) are classified: a regular empty file
 * named DIR/.wh.NAME is reported as TAR_WHITEOUT with the path DIR/NAME,
 * DIR/.wh..wh..opq as TAR_OPAQUE with the path DIR ("" for the root). The
 * spec reserves every name starting with ".wh.", so refused are: a
 * whiteout name that is not an empty regular file, ".wh." names with no
 * NAME or with NAME "." or "..", ".wh..wh.*" names other than the opaque
 * marker (AUFS metadata), directories named ".wh.*", and hard links whose
 * target has such a component.
 *
 * Hard link targets are normalised and checked like paths (never empty);
 * symbolic link targets are returned verbatim (1..TAR_PATH_MAX - 1 bytes,
 * no NUL): they are resolved inside the mounted layer, not here. Whether a
 * hard link's target appeared earlier in the archive, and whether a path
 * repeats, is for the caller to check.
 */
#ifndef OCIBOOT_TAR_H
#define OCIBOOT_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

#define TAR_BLOCK_SIZE 512
#define TAR_PATH_MAX 4096		/* bytes of a path or link, with NUL */
#define TAR_NAME_MAX 255		/* bytes of one path component */
#define TAR_PAX_MAX (1u << 20)		/* bytes of one pax header */
#define TAR_PAX_RECORDS_MAX 1024	/* records in one pax header */
#define TAR_XATTRS_MAX 64		/* xattrs of one entry */
#define TAR_XATTR_NAME_MAX 255		/* bytes of an xattr name */
#define TAR_XATTR_VALUE_MAX 65536	/* bytes of an xattr value */
#define TAR_META_HEADERS_MAX 8		/* x, g, L, K before one entry */
#define TAR_FILE_SIZE_MAX ((uint64_t)1 << 44)	/* 16 TiB of data */
#define TAR_ENTRIES_MAX (1u << 24)	/* entries in one archive */
#define TAR_TRAILER_MAX (1u << 20)	/* zero bytes after the end marker */
#define TAR_ID_MAX 0xfffffffeu		/* uid and gid; -1 is not an id */
#define TAR_DEV_MAJOR_MAX 0xfffu	/* Linux's 12-bit major */
#define TAR_DEV_MINOR_MAX 0xfffffu	/* and 20-bit minor */

/* tar_reader_init() flags. */
#define TAR_LENIENT_END (1u << 0)	/* see "The end of the archive" */

enum tar_type {
	TAR_FILE = 1,		/* '0', '\0', '7'; data follows */
	TAR_DIR,
	TAR_SYMLINK,		/* link: target, verbatim */
	TAR_HARDLINK,		/* link: normalised path of an entry */
	TAR_CHAR,		/* dev_major, dev_minor */
	TAR_BLOCK,		/* dev_major, dev_minor */
	TAR_FIFO,
	TAR_WHITEOUT,		/* path: what to hide in lower layers */
	TAR_OPAQUE,		/* path: hide lower layers' content here */
};

/* An extended attribute from a SCHILY.xattr.NAME pax record. */
struct tar_xattr {
	const char *name;	/* NUL-terminated, 1..TAR_XATTR_NAME_MAX */
	const uint8_t *value;	/* value_len bytes, any content */
	size_t value_len;	/* <= TAR_XATTR_VALUE_MAX */
};

/*
 * One entry. Its strings and xattrs belong to the reader and stay valid
 * until the next tar_next() or tar_reader_fini().
 */
struct tar_entry {
	enum tar_type type;
	const char *path;	/* normalised, NUL-terminated; "": the root */
	size_t path_len;	/* < TAR_PATH_MAX */
	const char *link;	/* TAR_SYMLINK, TAR_HARDLINK; else NULL */
	size_t link_len;
	uint32_t mode;		/* permissions, setuid, setgid, sticky */
	uint32_t uid, gid;	/* <= TAR_ID_MAX */
	int64_t mtime;		/* seconds since the epoch, maybe < 0 */
	uint32_t mtime_nsec;	/* < 1e9; from a pax mtime, else 0 */
	uint64_t size;		/* bytes of data: TAR_FILE only, else 0 */
	uint32_t dev_major;	/* TAR_CHAR, TAR_BLOCK; else 0 */
	uint32_t dev_minor;
	const struct tar_xattr *xattrs;	/* xattr_count, in order */
	size_t xattr_count;	/* <= TAR_XATTRS_MAX */
	uint64_t offset;	/* archive offset of its first header block */
};

/*
 * Read up to len bytes into buf. Return the number read (1..len), 0 at the
 * end of the stream, or a negative errno, which ends the reading. Short
 * reads are fine.
 */
typedef ssize_t (*tar_read_fn)(void *ctx, void *buf, size_t len);

/* Pending metadata from x, L and K headers; private. */
struct tar_meta {
	unsigned int have;		/* HAVE_* bits, see tar.c */
	const char *path, *linkpath;	/* into pax or long_* buffers */
	size_t path_len, linkpath_len;
	uint64_t size, uid, gid, dev_major, dev_minor;
	int64_t mtime;
	uint32_t mtime_nsec;
	size_t xattr_count;
};

/* What was wrong, for tests and callers: the reason of tar_reader_error(). */
enum tar_reason {
	TAR_REASON_NONE,
	TAR_REASON_READ,	/* the read callback failed or misbehaved */
	TAR_REASON_TRUNCATED,	/* the stream ended inside a header or data */
	TAR_REASON_HEADER,	/* a ustar header: checksum, magic, a field */
	TAR_REASON_EXTENDED,	/* a pax header, an xattr or a GNU long name */
	TAR_REASON_PATH,	/* an unsafe or malformed path or link target */
	TAR_REASON_ENTRY,	/* an entry that breaks the layer rules */
	TAR_REASON_END,		/* a malformed end of the archive */
	TAR_REASON_LIMIT,	/* over one of the caps above */
	TAR_REASON_UNSUPPORTED,	/* valid, but not supported */
	TAR_REASON_MEMORY,	/* out of memory */
};

/*
 * The reader. The caller allocates it (about 18 KB: put it on the heap);
 * its fields are private, read it through the functions below. It
 * allocates the buffers for pax headers as they come (at most
 * 2 * TAR_PAX_MAX); tar_reader_fini() frees them.
 */
struct tar_reader {
	tar_read_fn read;
	void *read_ctx;
	unsigned int flags;
	int state;			/* see tar.c */
	int err;			/* sticky */
	struct error error;		/* why err happened */
	uint64_t offset;		/* bytes consumed from the stream */
	uint64_t header_offset;		/* of the block being decoded */
	uint64_t data_left;		/* of the current entry */
	uint64_t pad_left;
	uint64_t entries;
	struct tar_meta meta;
	uint8_t *pax;			/* the last 'x' header's data */
	size_t pax_cap;
	uint8_t *global;		/* scratch for a 'g' header */
	size_t global_cap;
	struct tar_xattr xattrs[TAR_XATTRS_MAX];	/* into pax */
	uint8_t block[TAR_BLOCK_SIZE];
	char long_name[TAR_PATH_MAX];
	char long_link[TAR_PATH_MAX];
	char path[TAR_PATH_MAX];
	char link[TAR_PATH_MAX];
	char raw[155 + 1 + 100 + 1];	/* ustar prefix "/" name */
};

/*
 * Start reading an archive from read_fn(read_ctx, ...). flags: 0 or
 * TAR_LENIENT_END. Allocates nothing; cannot fail.
 */
void tar_reader_init(struct tar_reader *r, tar_read_fn read_fn,
		     void *read_ctx, unsigned int flags);

/* Free what the reader allocated. The entry last returned becomes invalid. */
void tar_reader_fini(struct tar_reader *r);

/*
 * Skip what is left of the current entry's data and read the next entry
 * into *entry (written only when 1 is returned).
 *
 * Returns 1 with an entry; 0 at the end of the archive (and on every later
 * call); or a negative error, also returned by every later call:
 * -OCIBOOT_EMALFORMED (not a valid archive, an unsafe path, truncated),
 * -OCIBOOT_ETOOBIG (over one of the caps above), -EOPNOTSUPP (a valid but
 * unsupported feature: sparse files, v7 headers, other entry types, global
 * headers that set entry fields), -ENOMEM, -EIO (the callback returned more
 * than asked) or the callback's own error. tar_reader_error() says why.
 */
int tar_next(struct tar_reader *r, struct tar_entry *entry);

/*
 * Read up to len bytes of the current TAR_FILE entry's data into buf.
 * Returns the number of bytes read (>= 1 when len > 0 and data is left),
 * 0 once the entry's data is all read (or there is no current entry, or
 * len is 0), or a negative error as for tar_next(): an archive that ends
 * inside the data is -OCIBOOT_EMALFORMED. May return fewer bytes than
 * asked when the callback does.
 */
ssize_t tar_read_data(struct tar_reader *r, void *buf, size_t len);

/*
 * Why tar_next() or tar_read_data() failed, as a struct error (see
 * lib/error.h; code 0 while nothing failed): code the error returned,
 * reason an enum tar_reason, why a sentence ("header checksum mismatch"),
 * offset the byte offset in the archive of the header block concerned,
 * what empty (the caller knows which archive). Points into r.
 */
const struct error *tar_reader_error(const struct tar_reader *r);

#endif
