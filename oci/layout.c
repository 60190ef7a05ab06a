/* SPDX-License-Identifier: MIT */
/*
 * OCI image layout reader: files opened one component at a time without
 * following links, documents read into the caller's buffers, blobs checked
 * against their descriptors.
 */
#include "oci/layout.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/constants.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

/* JSON tokens for an oci-layout file; one needing more is refused. */
#define VERSION_TOKENS_MAX 64
/* Characters of untrusted text quoted in a reason. */
#define QUOTE_MAX 64

/* Untrusted text as printable ASCII ('?' for other bytes), cut with "...". */
static void quote(char out[QUOTE_MAX + 1], const char *s)
{
	size_t n = 0;

	for (; s[n] && n < QUOTE_MAX; n++)
		out[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
	out[n] = '\0';
	if (s[n])
		memcpy(out + QUOTE_MAX - 3, "...", 4);
}

void layout_blob_what(const uint8_t digest[SHA256_LEN],
		      char what[LAYOUT_WHAT_MAX])
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(digest, hex);
	snprintf(what, LAYOUT_WHAT_MAX, LAYOUT_BLOBS_DIR "/sha256/%s", hex);
}

/* A document what refused by its parser, which filled err. */
static int json_failure(struct error *err, const char *what, int code)
{
	error_context(err, "%s", what);
	return code;
}

/* A failed openat() of what: the error and its reason. */
static int open_failure(struct error *err, const char *what, int e)
{
	switch (e) {
	case ENOENT:
		return error_set(err, -ENOENT, what, "missing");
	case ELOOP:
		return error_set(err, -ELOOP, what, "is a symbolic link "
				 "(refused inside a layout)");
	case ENOTDIR:
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "is not a directory");
	}
	return error_set(err, -e, what, "cannot open: %s", strerror(e));
}

/*
 * Directory name in dir_fd, not through a link. Returns the fd. (With
 * O_DIRECTORY, a link fails as ENOTDIR: look again to say which.)
 */
static int open_dir(int dir_fd, const char *name, const char *what,
		    struct error *err)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	struct stat st;
	int e = errno;

	if (fd >= 0)
		return fd;
	if (e == ENOTDIR &&
	    fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		e = ELOOP;
	return open_failure(err, what, e);
}

/*
 * Regular file name in dir_fd, not through a link, and its size. Checked
 * before opening too, so that no device or FIFO is ever opened.
 */
static int open_regular(int dir_fd, const char *name, const char *what,
			int64_t *size, struct error *err)
{
	struct stat st;
	int fd;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return open_failure(err, what, errno);
	if (S_ISLNK(st.st_mode))
		return open_failure(err, what, ELOOP);
	if (!S_ISREG(st.st_mode))
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "is not a regular file");
	fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return open_failure(err, what, errno);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "is not a regular file");
	}
	*size = st.st_size;
	return fd;
}

static int read_failure(struct error *err, const char *what, int e)
{
	return error_set(err, -e, what, "cannot read: %s", strerror(e));
}

/*
 * A small file of the layout (oci-layout, index.json) into buf[0..size).
 * Returns its length.
 */
static int read_small_file(int dir_fd, const char *name, char *buf,
			   size_t size, struct error *err)
{
	int64_t len;
	int fd, r;

	fd = open_regular(dir_fd, name, name, &len, err);
	if (fd < 0)
		return fd;
	if (len < 0 || (uint64_t)len > size || len > INT32_MAX) {
		close(fd);
		return error_set(err, -OCIBOOT_ETOOBIG, name,
				 "%" PRId64 " bytes, over the limit of %zu",
				 len, size);
	}
	r = fileio_pread_exact(fd, buf, (size_t)len, 0);
	close(fd);
	if (r < 0)
		return error_set(err, r, name, "cannot read: %s",
				 ociboot_strerror(r));
	return (int)len;
}

/* --- opening -------------------------------------------------------------- */

void layout_close(struct layout *l)
{
	if (l->dir_fd >= 0)
		close(l->dir_fd);
	if (l->blobs_fd >= 0)
		close(l->blobs_fd);
	l->dir_fd = l->blobs_fd = -1;
}

int layout_version_check(const char *buf, size_t len,
			 struct error *err)
{
	static const char what[] = LAYOUT_OCI_LAYOUT_FILE;
	struct json_token tokens[VERSION_TOKENS_MAX];
	char version[QUOTE_MAX + 1], quoted[QUOTE_MAX + 1];
	struct json_doc doc;
	int i, r;

	if (len > LAYOUT_OCI_LAYOUT_MAX)
		return error_set(err, -OCIBOOT_ETOOBIG, what,
				 "%zu bytes, over the limit of %d", len,
				 LAYOUT_OCI_LAYOUT_MAX);
	r = json_parse(&doc, buf, len, tokens, VERSION_TOKENS_MAX, err);
	if (r < 0)
		return json_failure(err, what, r);
	if (json_type(&doc, 0) != JSON_OBJECT)
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "$: not a JSON object");
	i = json_object_get(&doc, 0, "imageLayoutVersion");
	if (i < 0)
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "$.imageLayoutVersion: required field is "
				 "missing");
	if (json_type(&doc, i) != JSON_STRING)
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "$.imageLayoutVersion: must be a string");
	if (json_string_eq(&doc, i, LAYOUT_VERSION))
		return 0;
	r = json_string(&doc, i, version, sizeof(version));
	quote(quoted, r < 0 ? "(unprintable)" : version);
	return error_set(err, -EOPNOTSUPP, what,
			 "imageLayoutVersion \"%s\" is not supported (only "
			 LAYOUT_VERSION ")", quoted);
}

static int check_oci_layout(int dir_fd, struct error *err)
{
	char buf[LAYOUT_OCI_LAYOUT_MAX];
	int len = read_small_file(dir_fd, LAYOUT_OCI_LAYOUT_FILE, buf,
				  sizeof(buf), err);

	if (len < 0)
		return len;
	return layout_version_check(buf, (size_t)len, err);
}

/* Finish opening the layout whose directory l->dir_fd is. */
static int open_layout_dir(struct layout *l, struct error *err)
{
	int blobs, r;

	r = check_oci_layout(l->dir_fd, err);
	if (r < 0)
		goto out_close;
	blobs = open_dir(l->dir_fd, LAYOUT_BLOBS_DIR, LAYOUT_BLOBS_DIR, err);
	if (blobs < 0) {
		r = blobs;
		goto out_close;
	}
	l->blobs_fd = open_dir(blobs, "sha256", LAYOUT_BLOBS_DIR "/sha256",
			       err);
	close(blobs);
	if (l->blobs_fd < 0) {
		r = l->blobs_fd;
		goto out_close;
	}
	return 0;
out_close:
	layout_close(l);
	return r;
}

int layout_open(struct layout *l, int at_fd, const char *path,
		struct error *err)
{
	char what[QUOTE_MAX + 1];

	l->blobs_fd = -1;
	l->dir_fd = openat(at_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dir_fd < 0) {
		quote(what, path);
		return open_failure(err, what, errno);
	}
	return open_layout_dir(l, err);
}

/*
 * The next component of *path into name[0..NAME_MAX], skipping "/" and
 * "."; 0 at the end, 1 for a component, or an error.
 */
static int next_component(const char **path, char name[NAME_MAX + 1])
{
	const char *p = *path;
	size_t n;

	for (;;) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n != 1 || p[0] != '.')
			break;
		p += n;
	}
	if (n == 0)
		return 0;
	if (n > NAME_MAX)
		return -OCIBOOT_ETOOBIG;
	if (n == 2 && p[0] == '.' && p[1] == '.')
		return -OCIBOOT_EMALFORMED;
	memcpy(name, p, n);
	name[n] = '\0';
	*path = p + n;
	return 1;
}

/* Say which component of the path the reason in err is about. */
static int name_component(struct error *err, const char *name, int r)
{
	char quoted[QUOTE_MAX + 1], what[ERROR_WHAT_MAX];
	char reason[ERROR_WHY_MAX];

	if (!err)
		return r;
	quote(quoted, name);
	memcpy(what, err->what, sizeof(what));
	memcpy(reason, err->why, sizeof(reason));
	return error_set(err, r, what, "'%s' %s", quoted, reason);
}

int layout_open_beneath(struct layout *l, int root_fd, const char *path,
			struct error *err)
{
	char what[QUOTE_MAX + 1], name[NAME_MAX + 1];
	int depth = 0, fd, r;

	l->dir_fd = l->blobs_fd = -1;
	quote(what, path);
	fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return open_failure(err, what, errno);
	while ((r = next_component(&path, name)) > 0) {
		int next;

		if (++depth > LAYOUT_PATH_DEPTH_MAX) {
			r = -OCIBOOT_ETOOBIG;
			break;
		}
		next = open_dir(fd, name, what, err);
		close(fd);
		if (next < 0)
			return name_component(err, name, next);
		fd = next;
	}
	if (r < 0) {
		close(fd);
		return error_set(err, r, what, r == -OCIBOOT_EMALFORMED ?
				 "'..' is not allowed in the path" :
				 "path too long or too deep");
	}
	l->dir_fd = fd;
	return open_layout_dir(l, err);
}

/* --- the index ------------------------------------------------------------ */

int layout_read_index(const struct layout *l, char *buf, size_t size,
		      struct json_token *tokens, size_t max_tokens,
		      struct oci_index *out, struct error *err)
{
	int len, r;

	memset(out, 0, sizeof(*out));
	len = read_small_file(l->dir_fd, LAYOUT_INDEX_FILE, buf, size, err);
	if (len < 0)
		return len;
	r = oci_index_parse(buf, (size_t)len, tokens, max_tokens, out, err);
	if (r < 0)
		return json_failure(err, LAYOUT_INDEX_FILE, r);
	return len;
}

/* Entry i of idx, found for the text ref, must be an image manifest. */
static int check_found(const struct oci_index *idx, size_t i,
		       const char *ref, struct error *err)
{
	char type[QUOTE_MAX + 1];

	if (streq(idx->manifests[i].media_type, OCI_MEDIA_TYPE_MANIFEST))
		return (int)i;
	quote(type, idx->manifests[i].media_type);
	return error_set(err, -EOPNOTSUPP, LAYOUT_INDEX_FILE,
			 "%s has media type %s, not an image manifest", ref,
			 type);
}

int layout_find_tag(const struct oci_index *idx, const char *tag,
		    struct error *err)
{
	char quoted[QUOTE_MAX + 3];
	size_t n = idx->manifest_count;
	int found = -1;

	quoted[0] = '\'';
	quote(quoted + 1, tag);
	strcat(quoted, "'");
	for (size_t i = 0; i < n && i < OCI_INDEX_MANIFESTS_MAX; i++) {
		const struct oci_descriptor *d = &idx->manifests[i];

		if (!streq(d->ref_name, tag))
			continue;
		if (found < 0) {
			found = (int)i;
			continue;
		}
		if (!ct_memeq(d->digest, idx->manifests[found].digest,
			      SHA256_LEN))
			return error_set(err, -ENOTUNIQ, LAYOUT_INDEX_FILE,
					 "tag %s names two manifests", quoted);
	}
	if (found < 0)
		return error_set(err, -ENOENT, LAYOUT_INDEX_FILE,
				 "no manifest is tagged %s", quoted);
	return check_found(idx, (size_t)found, quoted, err);
}

int layout_find_digest(const struct oci_index *idx,
		       const uint8_t digest[SHA256_LEN],
		       struct error *err)
{
	char text[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(digest, text);
	for (size_t i = 0; i < idx->manifest_count &&
	     i < OCI_INDEX_MANIFESTS_MAX; i++)
		if (ct_memeq(idx->manifests[i].digest, digest, SHA256_LEN))
			return check_found(idx, i, text, err);
	return error_set(err, -ENOENT, LAYOUT_INDEX_FILE,
			 "no entry for %s", text);
}

/* --- blobs ---------------------------------------------------------------- */

/* Blob digest as a regular file and its size; what is filled. */
static int open_blob(const struct layout *l, const uint8_t digest[SHA256_LEN],
		     char what[LAYOUT_WHAT_MAX], int64_t *size,
		     struct error *err)
{
	char hex[SHA256_HEX_LEN + 1];
	int fd;

	sha256_hex(digest, hex);
	layout_blob_what(digest, what);
	fd = open_regular(l->blobs_fd, hex, what, size, err);
	if (fd == -ENOENT)
		return error_set(err, -ENOENT, what,
				 "blob " DIGEST_PREFIX_SHA256 "%s is missing",
				 hex);
	return fd;
}

static int size_mismatch(struct error *err, const char *what,
			 int64_t actual, int64_t expected)
{
	return error_set(err, -OCIBOOT_EVERIFY, what,
			 "size %" PRId64 " differs from the descriptor's "
			 "%" PRId64, actual, expected);
}

static int compare_digest(const uint8_t got[SHA256_LEN],
			  const uint8_t want[SHA256_LEN], const char *what,
			  struct error *err)
{
	char got_text[OCI_DIGEST_STRING_LEN + 1];
	char want_text[OCI_DIGEST_STRING_LEN + 1];

	if (ct_memeq(got, want, SHA256_LEN))
		return 0;
	oci_digest_string(got, got_text);
	oci_digest_string(want, want_text);
	return error_set(err, -OCIBOOT_EVERIFY, what,
			 "content has digest %s, not the descriptor's %s",
			 got_text, want_text);
}

int layout_read_blob(const struct layout *l, const uint8_t digest[SHA256_LEN],
		     int64_t size, void *buf, size_t cap,
		     struct error *err)
{
	char what[LAYOUT_WHAT_MAX];
	uint8_t got[SHA256_LEN];
	int64_t actual;
	int fd, r;

	layout_blob_what(digest, what);
	if (cap > LAYOUT_READ_MAX || size < -1 || (!buf && cap))
		return error_set(err, -EINVAL, what, "bad arguments");
	if (size > (int64_t)cap)
		return error_set(err, -OCIBOOT_ETOOBIG, what,
				 "descriptor size %" PRId64 " is over the "
				 "limit of %zu bytes", size, cap);
	fd = open_blob(l, digest, what, &actual, err);
	if (fd < 0)
		return fd;
	if (size >= 0 && actual != size)
		r = size_mismatch(err, what, actual, size);
	else if (actual > (int64_t)cap)
		r = error_set(err, -OCIBOOT_ETOOBIG, what, "size %" PRId64
			      " is over the limit of %zu bytes", actual, cap);
	else if ((r = fileio_pread_exact(fd, buf, (size_t)actual, 0)) < 0)
		r = error_set(err, r, what, "cannot read: %s",
			      ociboot_strerror(r));
	close(fd);
	if (r < 0)
		return r;
	sha256_digest(buf, (size_t)actual, got);
	r = compare_digest(got, digest, what, err);
	return r < 0 ? r : (int)actual;
}

/* The document blob d was refused by its parser. */
static int document_failure(struct error *err, const struct oci_descriptor *d,
			    int code)
{
	char what[LAYOUT_WHAT_MAX];

	layout_blob_what(d->digest, what);
	return json_failure(err, what, code);
}

int layout_read_manifest(const struct layout *l,
			 const struct oci_descriptor *d, char *buf, size_t cap,
			 struct json_token *tokens, size_t max_tokens,
			 struct oci_manifest *out, struct error *err)
{
	int len, r;

	memset(out, 0, sizeof(*out));
	len = layout_read_blob(l, d->digest, d->size, buf, cap, err);
	if (len < 0)
		return len;
	r = oci_manifest_parse(buf, (size_t)len, tokens, max_tokens, out,
			       err);
	return r < 0 ? document_failure(err, d, r) : 0;
}

int layout_read_config(const struct layout *l, const struct oci_descriptor *d,
		       char *buf, size_t cap, struct json_token *tokens,
		       size_t max_tokens, struct oci_config *out,
		       struct error *err)
{
	int len, r;

	memset(out, 0, sizeof(*out));
	len = layout_read_blob(l, d->digest, d->size, buf, cap, err);
	if (len < 0)
		return len;
	r = oci_config_parse(buf, (size_t)len, tokens, max_tokens, out, err);
	return r < 0 ? document_failure(err, d, r) : 0;
}

int layout_open_blob(const struct layout *l, const uint8_t digest[SHA256_LEN],
		     int64_t size, struct error *err)
{
	char what[LAYOUT_WHAT_MAX];
	int64_t actual;
	int fd, flags;

	fd = open_blob(l, digest, what, &actual, err);
	if (fd < 0)
		return fd;
	if (actual != size) {
		close(fd);
		return size_mismatch(err, what, actual, size);
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return error_set(err, -e, what, "fcntl: %s", strerror(e));
	}
	return fd;
}

int layout_blob_verify_fd(int fd, const uint8_t digest[SHA256_LEN],
			  int64_t size, void *buf, size_t buf_size,
			  struct error *err)
{
	return layout_blob_verify_fd_tick(fd, digest, size, buf, buf_size,
					  NULL, NULL, err);
}

int layout_blob_verify_fd_tick(int fd, const uint8_t digest[SHA256_LEN],
			       int64_t size, void *buf, size_t buf_size,
			       layout_tick_fn tick, void *ctx,
			       struct error *err)
{
	char what[LAYOUT_WHAT_MAX];
	uint8_t got[SHA256_LEN];
	struct sha256 sha;
	int64_t total = 0;
	struct stat st;

	layout_blob_what(digest, what);
	if (!buf || !buf_size || size < 0)
		return error_set(err, -EINVAL, what, "bad arguments");
	if (fstat(fd, &st) < 0)
		return read_failure(err, what, errno);
	if (S_ISREG(st.st_mode) && st.st_size != size)
		return size_mismatch(err, what, st.st_size, size);
	sha256_init(&sha);
	for (;;) {
		ssize_t n = fileio_pread_all(fd, buf, buf_size, total);

		if (n < 0)
			return read_failure(err, what, (int)-n);
		if (n == 0)
			break;
		sha256_update(&sha, buf, (size_t)n);
		total += n;
		if (total > size)
			break;		/* it grew: refused below */
		if (tick)
			tick(ctx, (uint64_t)total);
	}
	sha256_final(&sha, got);
	if (total != size)
		return size_mismatch(err, what, total, size);
	return compare_digest(got, digest, what, err);
}
