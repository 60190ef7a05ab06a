/* SPDX-License-Identifier: MIT */
/*
 * Reading an OCI image layout (image-spec v1.1 "image-layout"): a directory
 * holding `oci-layout` ({"imageLayoutVersion":"1.0.0"}), `index.json` (an
 * image index whose entries are tagged with the
 * org.opencontainers.image.ref.name annotation) and `blobs/sha256/<hex>`,
 * each blob named by the sha256 of its content.
 *
 * Used by the init (a layout on a store disk, which is untrusted) and by the
 * host tool. Nothing here allocates or logs: documents are read into the
 * caller's buffers and parsed with oci/oci into the caller's structs.
 *
 * Every path is opened relative to the layout's directory (itself found with
 * layout_open_beneath() on an untrusted disk), one component at a time with
 * O_NOFOLLOW: a symbolic link anywhere inside the layout
 * (oci-layout, index.json, blobs, blobs/sha256, a blob) is refused, as is
 * anything that is not a regular file or a directory where one is
 * expected. Blob names are only ever formed from parsed sha256 digests (64
 * hex digits), never from a tag or from text in the layout, so no name can
 * escape the directory.
 *
 * Blobs are checked against their descriptor: the size first (a blob whose
 * size differs is refused, both sizes named), then the sha256 of the whole
 * content, compared in constant time. Layer blobs are not hashed at boot:
 * layout_open_blob() checks their size and hands back an fd for dm-verity,
 * which checks every block as it is read against the root hash in the
 * signed manifest. layout_blob_verify_fd() hashes a whole blob for host
 * tools.
 *
 * Every function taking a struct error (lib/error.h) fills it on failure
 * (when not NULL): code, what (the file: "oci-layout", "index.json",
 * "blobs/sha256/<hex>") and why (with sizes, digests or the JSON path and
 * offset; untrusted text in it is escaped to printable ASCII), so the
 * caller logs one line "what: why". Errors:
 *   -ENOENT              file or blob missing (or, for the find functions,
 *                        no such tag or digest in the index)
 *   -ELOOP               a symbolic link where a file or directory was
 *                        expected
 *   -OCIBOOT_EMALFORMED  not a regular file or directory, a document that
 *                        does not parse or breaks the spec
 *   -OCIBOOT_ETOOBIG     larger than the caller's buffer or a cap
 *   -OCIBOOT_EVERIFY     size or digest differs from the descriptor
 *   -EOPNOTSUPP          an imageLayoutVersion, digest algorithm or media
 *                        type not supported
 *   -ENOTUNIQ            a tag on two different manifests
 *   -EIO, -errno         from the file system
 */
#ifndef OCIBOOT_LAYOUT_H
#define OCIBOOT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "lib/error.h"
#include "oci/json.h"
#include "oci/oci.h"

#define LAYOUT_OCI_LAYOUT_FILE "oci-layout"
#define LAYOUT_INDEX_FILE "index.json"
#define LAYOUT_BLOBS_DIR "blobs"
#define LAYOUT_VERSION "1.0.0"

/* Bytes of the oci-layout file (it is read onto the stack). */
#define LAYOUT_OCI_LAYOUT_MAX 1024
/*
 * A buffer this big suits any index, manifest or config document here:
 * they hold at most OCI_TOKENS_MAX tokens anyway.
 */
#define LAYOUT_DOCUMENT_MAX OCI_DOCUMENT_SIZE_MAX
/* Largest cap layout_read_blob() takes, so lengths fit an int. */
#define LAYOUT_READ_MAX (64u << 20)
/* Components of a path given to layout_open_beneath(). */
#define LAYOUT_PATH_DEPTH_MAX 32
/* "blobs/sha256/" and 64 hex digits. */
#define LAYOUT_WHAT_MAX 96

/* An open layout: two directory fds (O_CLOEXEC), owned. */
struct layout {
	int dir_fd;		/* the layout's directory */
	int blobs_fd;		/* its blobs/sha256 */
};

_Static_assert(LAYOUT_WHAT_MAX <= ERROR_WHAT_MAX, "a layout what fits");

/* "blobs/sha256/<hex>" of digest, the what of a blob's errors. */
void layout_blob_what(const uint8_t digest[SHA256_LEN],
		      char what[LAYOUT_WHAT_MAX]);

/*
 * Open the layout directory at path, relative to at_fd (AT_FDCWD, or a
 * directory fd; "." for at_fd itself). path itself may be reached through
 * symbolic links (the caller chose it); nothing inside it may. Checks
 * oci-layout (layout_version_check()) and opens blobs/sha256. Returns 0
 * and fills *l; on failure *l holds no fds (both -1).
 */
int layout_open(struct layout *l, int at_fd, const char *path,
		struct error *err);

/*
 * Open the layout at path beneath root_fd (a store's mount point, say)
 * without following any link on the way: each component of path (leading
 * "/", repeated "/" and "." ignored; ".." refused as -OCIBOOT_EMALFORMED;
 * at most LAYOUT_PATH_DEPTH_MAX components) is opened with O_NOFOLLOW, so
 * the layout cannot lie outside the tree below root_fd. Then as
 * layout_open(). This is the one for a layout on an untrusted disk.
 */
int layout_open_beneath(struct layout *l, int root_fd, const char *path,
			struct error *err);

/* Close both fds (safe on a layout whose open failed, and twice). */
void layout_close(struct layout *l);

/*
 * Check the untrusted content of an oci-layout file, buf[0..len): a JSON
 * object whose imageLayoutVersion is "1.0.0" (other members ignored).
 * Returns 0, -OCIBOOT_EMALFORMED, -OCIBOOT_ETOOBIG (over
 * LAYOUT_OCI_LAYOUT_MAX) or -EOPNOTSUPP (another version).
 */
int layout_version_check(const char *buf, size_t len,
			 struct error *err);

/*
 * Read index.json into buf[0..size) and parse it into *out with the scratch
 * tokens[0..max_tokens) (see oci_index_parse()). Returns the file's length
 * (>= 0; buf holds it); on failure *out is zeroed. A file larger than size
 * is -OCIBOOT_ETOOBIG.
 */
int layout_read_index(const struct layout *l, char *buf, size_t size,
		      struct json_token *tokens, size_t max_tokens,
		      struct oci_index *out, struct error *err);

/*
 * The entry of idx tagged tag (its ref.name annotation equals tag, byte for
 * byte). Returns its index; -ENOENT when no entry has the tag; -ENOTUNIQ
 * when entries with the tag name different manifests (the same digest
 * twice is fine: the first is returned); -EOPNOTSUPP when the entry is not
 * an image manifest (an index, a Docker manifest...).
 */
int layout_find_tag(const struct oci_index *idx, const char *tag,
		    struct error *err);

/*
 * The first entry of idx whose digest is digest. Returns its index,
 * -ENOENT, or -EOPNOTSUPP as above.
 */
int layout_find_digest(const struct oci_index *idx,
		       const uint8_t digest[SHA256_LEN],
		       struct error *err);

/*
 * Read blob digest into buf[0..cap) and check it: exactly size bytes (size
 * -1 when unknown: then any size up to cap) and sha256 equal to digest.
 * cap is at most LAYOUT_READ_MAX. Returns the blob's length (>= 0);
 * -EINVAL for a bad argument; -OCIBOOT_ETOOBIG when the blob (or size) is
 * over cap; else the errors above. On failure buf may hold part of the
 * blob: use it only on success.
 */
int layout_read_blob(const struct layout *l, const uint8_t digest[SHA256_LEN],
		     int64_t size, void *buf, size_t cap,
		     struct error *err);

/*
 * layout_read_blob() for the image manifest d describes, then
 * oci_manifest_parse() with buf, tokens and *out as there. Returns 0.
 */
int layout_read_manifest(const struct layout *l,
			 const struct oci_descriptor *d, char *buf, size_t cap,
			 struct json_token *tokens, size_t max_tokens,
			 struct oci_manifest *out, struct error *err);

/* The same for an image config: oci_config_parse(). Returns 0. */
int layout_read_config(const struct layout *l, const struct oci_descriptor *d,
		       char *buf, size_t cap, struct json_token *tokens,
		       size_t max_tokens, struct oci_config *out,
		       struct error *err);

/*
 * Open blob digest for reading (O_RDONLY | O_CLOEXEC) after checking that
 * it is a regular file of exactly size bytes. Its content is not hashed.
 * Returns the fd, which the caller closes, or an error above.
 */
int layout_open_blob(const struct layout *l, const uint8_t digest[SHA256_LEN],
		     int64_t size, struct error *err);

/*
 * Hash everything in the file open on fd, from offset 0 (pread; the file
 * offset does not move), using buf[0..buf_size) (buf_size > 0; 1 MiB
 * reads fast) and check that it is exactly size bytes whose sha256 is
 * digest. For blobs from layout_open_blob(). Returns 0,
 * -OCIBOOT_EVERIFY, -EINVAL or -errno; err->what names the blob.
 */
int layout_blob_verify_fd(int fd, const uint8_t digest[SHA256_LEN],
			  int64_t size, void *buf, size_t buf_size,
			  struct error *err);

/* Told the bytes hashed so far, after each read: a slow caller's sign of
 * life, or its progress line. */
typedef void (*layout_tick_fn)(void *ctx, uint64_t done);

/* layout_blob_verify_fd(), calling tick(ctx, ...) after each read. */
int layout_blob_verify_fd_tick(int fd, const uint8_t digest[SHA256_LEN],
			       int64_t size, void *buf, size_t buf_size,
			       layout_tick_fn tick, void *ctx,
			       struct error *err);

#endif
