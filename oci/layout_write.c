/* SPDX-License-Identifier: MIT */
/*
 * OCI image layout writer: atomic file replacement, blobs by digest, and the
 * three documents (config, manifest, index) through oci/jsonw.
 */
#include "oci/layout_write.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci/jsonw.h"
#include "oci/oci.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/util.h"

#define COPY_CHUNK (1u << 20)
/* "YYYY-MM-DDTHH:MM:SSZ" */
#define RFC3339_LEN 20

static const char empty_index[] =
	"{\"schemaVersion\":2,\"mediaType\":\"" OCI_MEDIA_TYPE_INDEX "\","
	"\"manifests\":[]}";
static const char oci_layout[] =
	"{\"imageLayoutVersion\":\"" LAYOUT_VERSION "\"}";

static int fail_errno(struct error *err, const char *what, int code,
		      const char *action)
{
	return error_set(err, code, what, "%s: %s", action,
			 ociboot_strerror(code));
}

/* --- files ---------------------------------------------------------------- */

/* Create dir_fd/name with data unless something is there already. */
static int create_missing(int dir_fd, const char *name, const char *data,
			  struct error *err)
{
	struct stat st;
	int r;

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return fail_errno(err, name, -errno, "stat");
	r = fileio_replace(dir_fd, name, data, strlen(data), 0644);
	return r < 0 ? fail_errno(err, name, r, "write") : 0;
}

static int mkdir_missing(int dir_fd, const char *name, const char *what,
			 struct error *err)
{
	if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
		return fail_errno(err, what, -errno, "mkdir");
	return 0;
}

int layout_create(struct layout *l, int at_fd, const char *path,
		  struct error *err)
{
	int dir_fd, blobs_fd, r;

	l->dir_fd = l->blobs_fd = -1;
	if (mkdirat(at_fd, path, 0755) < 0 && errno != EEXIST)
		return fail_errno(err, "layout directory", -errno, "mkdir");
	dir_fd = openat(at_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return fail_errno(err, "layout directory", -errno, "open");
	r = mkdir_missing(dir_fd, LAYOUT_BLOBS_DIR, LAYOUT_BLOBS_DIR, err);
	if (r == 0) {
		blobs_fd = openat(dir_fd, LAYOUT_BLOBS_DIR, O_RDONLY |
				  O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (blobs_fd < 0)
			r = fail_errno(err, LAYOUT_BLOBS_DIR, -errno, "open");
		else
			r = mkdir_missing(blobs_fd, "sha256",
					  LAYOUT_BLOBS_DIR "/sha256", err);
		if (blobs_fd >= 0)
			close(blobs_fd);
	}
	if (r == 0)
		r = create_missing(dir_fd, LAYOUT_OCI_LAYOUT_FILE, oci_layout,
				   err);
	if (r == 0)
		r = create_missing(dir_fd, LAYOUT_INDEX_FILE, empty_index,
				   err);
	if (r == 0)
		r = layout_open(l, dir_fd, ".", err);
	close(dir_fd);
	return r;
}

/* --- blobs ---------------------------------------------------------------- */

/* Whether blob digest exists and holds exactly size bytes of it. */
static bool blob_present(const struct layout *l,
			 const uint8_t digest[SHA256_LEN], int64_t size)
{
	uint8_t *buf;
	bool ok;
	int fd;

	fd = layout_open_blob(l, digest, size, NULL);
	if (fd < 0)
		return false;
	buf = malloc(COPY_CHUNK);
	ok = buf && layout_blob_verify_fd(fd, digest, size, buf, COPY_CHUNK,
					  NULL) == 0;
	free(buf);
	close(fd);
	return ok;
}

int layout_add_blob(const struct layout *l, const void *data, size_t len,
		    uint8_t digest[SHA256_LEN], struct error *err)
{
	char hex[SHA256_HEX_LEN + 1], what[LAYOUT_WHAT_MAX];
	int r;

	if (len > INT64_MAX)
		return error_set(err, -EINVAL, LAYOUT_BLOBS_DIR "/sha256",
				 "blob too large");
	sha256_digest(data, len, digest);
	if (blob_present(l, digest, (int64_t)len))
		return 0;
	sha256_hex(digest, hex);
	r = fileio_replace(l->blobs_fd, hex, data, len, 0644);
	if (r < 0) {
		layout_blob_what(digest, what);
		return fail_errno(err, what, r, "write");
	}
	return 0;
}

/* Copy everything from in (from offset 0) to out, hashing it. */
static int copy_hashing(int in, int out, uint8_t digest[SHA256_LEN],
			int64_t *size)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	struct sha256 sha;
	int64_t total = 0;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	sha256_init(&sha);
	for (;;) {
		ssize_t n = fileio_pread_all(in, buf, COPY_CHUNK, total);

		if (n <= 0) {
			r = (int)n;
			break;
		}
		sha256_update(&sha, buf, (size_t)n);
		r = fileio_write_all(out, buf, (size_t)n);
		if (r < 0)
			break;
		total += n;
	}
	free(buf);
	sha256_final(&sha, digest);
	*size = total;
	return r;
}

int layout_add_blob_fd(const struct layout *l, int fd,
		       uint8_t digest[SHA256_LEN], int64_t *size,
		       struct error *err)
{
	char hex[SHA256_HEX_LEN + 1], what[LAYOUT_WHAT_MAX];
	struct fileio_temp t;
	int r;

	r = fileio_temp_open(&t, l->blobs_fd, "blob", 0644);
	if (r < 0)
		return fail_errno(err, LAYOUT_BLOBS_DIR "/sha256", r,
				  "create");
	r = copy_hashing(fd, t.fd, digest, size);
	if (r < 0) {
		fileio_temp_abort(&t);
		return fail_errno(err, LAYOUT_BLOBS_DIR "/sha256", r, "copy");
	}
	if (blob_present(l, digest, *size)) {
		fileio_temp_abort(&t);
		return 0;
	}
	sha256_hex(digest, hex);
	r = fileio_temp_commit(&t, hex);
	if (r < 0) {
		layout_blob_what(digest, what);
		return fail_errno(err, what, r, "write");
	}
	return 0;
}

/* --- documents ------------------------------------------------------------ */

static void write_digest(struct jsonw *w, const uint8_t digest[SHA256_LEN])
{
	char text[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(digest, text);
	jsonw_string(w, text);
}

static void write_strings(struct jsonw *w, const char *key,
			  const char *const *v, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		jsonw_string(w, v[i]);
	jsonw_array_end(w);
}

/* Bytes oci/oci needs to hold the strings v[0..n) (each with its NUL). */
static bool add_strings(size_t *total, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!size_add(*total, strlen(v[i]) + 1, total))
			return false;
	return true;
}

static int config_check(const struct layout_config *c)
{
	size_t total = 0;

	if (!c->architecture || !c->os)
		return -EINVAL;
	if (c->has_created &&
	    (c->created < 0 || c->created > LAYOUT_CREATED_MAX))
		return -EINVAL;
	if (c->entrypoint_count > OCI_ARGV_MAX || c->cmd_count > OCI_ARGV_MAX ||
	    c->env_count > OCI_ENV_MAX || c->diff_id_count > OCI_LAYERS_MAX ||
	    c->volume_count > OCI_VOLUMES_MAX)
		return -OCIBOOT_ETOOBIG;
	for (size_t i = 0; i < c->volume_count; i++)
		if (c->volumes[i][0] != '/')
			return -EINVAL;
	for (size_t i = 0; i < c->env_count; i++) {
		const char *eq = strchr(c->env[i], '=');

		if (!eq || eq == c->env[i])
			return -EINVAL;
	}
	if (!add_strings(&total, c->entrypoint, c->entrypoint_count) ||
	    !add_strings(&total, c->cmd, c->cmd_count) ||
	    !add_strings(&total, c->env, c->env_count) ||
	    (c->working_dir && !add_strings(&total, &c->working_dir, 1)) ||
	    (c->user && !add_strings(&total, &c->user, 1)) ||
	    !add_strings(&total, c->volumes, c->volume_count))
		return -OCIBOOT_ETOOBIG;
	return total > OCI_CONFIG_STRINGS_MAX ? -OCIBOOT_ETOOBIG : 0;
}

/* RFC 3339 in UTC of seconds since the epoch (0 to LAYOUT_CREATED_MAX). */
static void format_time(int64_t t, char out[RFC3339_LEN + 1])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, RFC3339_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int layout_config_json(const struct layout_config *c, char **out,
		       size_t *len)
{
	char created[RFC3339_LEN + 1];
	struct jsonw w;
	int r = config_check(c);

	if (r < 0)
		return r;
	jsonw_init(&w);
	jsonw_object_begin(&w);
	if (c->has_created) {
		format_time(c->created, created);
		jsonw_key(&w, "created");
		jsonw_string(&w, created);
	}
	jsonw_key(&w, "architecture");
	jsonw_string(&w, c->architecture);
	jsonw_key(&w, "os");
	jsonw_string(&w, c->os);
	jsonw_key(&w, "config");
	jsonw_object_begin(&w);
	write_strings(&w, "Env", c->env, c->env_count);
	write_strings(&w, "Entrypoint", c->entrypoint, c->entrypoint_count);
	write_strings(&w, "Cmd", c->cmd, c->cmd_count);
	if (c->working_dir) {
		jsonw_key(&w, "WorkingDir");
		jsonw_string(&w, c->working_dir);
	}
	if (c->user) {
		jsonw_key(&w, "User");
		jsonw_string(&w, c->user);
	}
	if (c->volume_count) {
		jsonw_key(&w, "Volumes");
		jsonw_object_begin(&w);
		for (size_t i = 0; i < c->volume_count; i++) {
			jsonw_key(&w, c->volumes[i]);
			jsonw_object_begin(&w);
			jsonw_object_end(&w);
		}
		jsonw_object_end(&w);
	}
	jsonw_object_end(&w);
	jsonw_key(&w, "rootfs");
	jsonw_object_begin(&w);
	jsonw_key(&w, "type");
	jsonw_string(&w, "layers");
	jsonw_key(&w, "diff_ids");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < c->diff_id_count; i++)
		write_digest(&w, c->diff_ids[i]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	return jsonw_finish(&w, out, len);
}

static void write_descriptor(struct jsonw *w, const char *media_type,
			     const uint8_t digest[SHA256_LEN], int64_t size)
{
	jsonw_key(w, "mediaType");
	jsonw_string(w, media_type);
	jsonw_key(w, "digest");
	write_digest(w, digest);
	jsonw_key(w, "size");
	jsonw_int(w, size);
}

static void write_layer(struct jsonw *w, const struct layout_layer *layer)
{
	char hex[SHA256_HEX_LEN + 1];

	jsonw_object_begin(w);
	write_descriptor(w, layer->media_type, layer->digest, layer->size);
	if (layer->has_verity_root) {
		sha256_hex(layer->verity_root, hex);
		jsonw_key(w, "annotations");
		jsonw_object_begin(w);
		/* atomfs 1.2 reads the first, earlier atomfs the second */
		jsonw_key(w, OCI_ANNOTATION_VERITY_ROOT);
		jsonw_string(w, hex);
		jsonw_key(w, OCI_ANNOTATION_VERITY_ROOT_LEGACY);
		jsonw_string(w, hex);
		jsonw_object_end(w);
	}
	jsonw_object_end(w);
}

int layout_manifest_json(const uint8_t config_digest[SHA256_LEN],
			 int64_t config_size,
			 const struct layout_layer *layers, size_t layer_count,
			 char **out, size_t *len)
{
	struct jsonw w;

	if (layer_count > OCI_LAYERS_MAX)
		return -OCIBOOT_ETOOBIG;
	if (config_size < 0)
		return -EINVAL;
	for (size_t i = 0; i < layer_count; i++)
		if (!layers[i].media_type || !layers[i].media_type[0] ||
		    layers[i].size < 0)
			return -EINVAL;
	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "schemaVersion");
	jsonw_int(&w, 2);
	jsonw_key(&w, "mediaType");
	jsonw_string(&w, OCI_MEDIA_TYPE_MANIFEST);
	jsonw_key(&w, "config");
	jsonw_object_begin(&w);
	write_descriptor(&w, OCI_MEDIA_TYPE_CONFIG, config_digest,
			 config_size);
	jsonw_object_end(&w);
	jsonw_key(&w, "layers");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < layer_count; i++)
		write_layer(&w, &layers[i]);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	return jsonw_finish(&w, out, len);
}

/* --- the index ------------------------------------------------------------ */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

bool layout_tag_valid(const char *tag)
{
	size_t n = strlen(tag);

	if (n == 0 || n > OCI_REF_NAME_MAX)
		return false;
	if (!is_alnum(tag[0]) || !is_alnum(tag[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(tag[i]) && !strchr("._-:@+/", tag[i]))
			return false;
	return true;
}

/* One entry of the index being written: its JSON and its sort keys. */
struct entry {
	const char *json;
	size_t len;
	const char *tag;		/* "" when untagged */
	char digest[OCI_DIGEST_STRING_LEN + 1];
};

static int entry_compare(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = strcmp(x->tag, y->tag);

	if (c == 0)
		c = strcmp(x->digest, y->digest);
	if (c == 0)
		c = memcmp(x->json, y->json, n);
	if (c == 0)
		c = (x->len > y->len) - (x->len < y->len);
	return c;
}

/* What layout_tag() works with, allocated together. */
struct tag_work {
	char buf[LAYOUT_DOCUMENT_MAX];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_index idx;
	struct entry entries[OCI_INDEX_MANIFESTS_MAX];
	size_t count;
	const char *annotations;	/* the index's own, raw; or NULL */
	size_t annotations_len;
};

/* The JSON of the new entry, into *out (to free()). */
static int new_entry(const char *tag, const uint8_t digest[SHA256_LEN],
		     int64_t size, char **out, size_t *len)
{
	struct jsonw w;

	jsonw_init(&w);
	jsonw_object_begin(&w);
	write_descriptor(&w, OCI_MEDIA_TYPE_MANIFEST, digest, size);
	jsonw_key(&w, "annotations");
	jsonw_object_begin(&w);
	jsonw_key(&w, OCI_ANNOTATION_REF_NAME);
	jsonw_string(&w, tag);
	jsonw_object_end(&w);
	jsonw_object_end(&w);
	return jsonw_finish(&w, out, len);
}

/*
 * Keep the entries of the parsed index not tagged tag, as the bytes they
 * were written with (w->buf was accepted by oci_index_parse()).
 */
static int keep_entries(struct tag_work *t, size_t len, const char *tag)
{
	struct json_doc doc;
	size_t n = 0;
	int a, e, r;

	r = json_parse(&doc, t->buf, len, t->tokens, OCI_TOKENS_MAX, NULL);
	if (r < 0)
		return r;
	a = json_object_get(&doc, 0, "manifests");
	for (e = json_array_first(&doc, a); e >= 0;
	     e = json_array_next(&doc, a, e), n++) {
		const struct oci_descriptor *d;
		struct entry *out;

		if (n >= t->idx.manifest_count)
			return -OCIBOOT_EMALFORMED;
		d = &t->idx.manifests[n];
		if (streq(d->ref_name, tag))
			continue;
		out = &t->entries[t->count];
		out->json = json_raw(&doc, e, &out->len);
		out->tag = d->ref_name;
		oci_digest_string(d->digest, out->digest);
		t->count++;
	}
	e = json_object_get(&doc, 0, "annotations");
	if (e >= 0)
		t->annotations = json_raw(&doc, e, &t->annotations_len);
	return 0;
}

static int write_index(const struct layout *l, struct tag_work *t)
{
	struct jsonw w;
	size_t len;
	char *text;
	int r;

	qsort(t->entries, t->count, sizeof(t->entries[0]), entry_compare);
	jsonw_init(&w);
	jsonw_object_begin(&w);
	jsonw_key(&w, "schemaVersion");
	jsonw_int(&w, 2);
	jsonw_key(&w, "mediaType");
	jsonw_string(&w, OCI_MEDIA_TYPE_INDEX);
	jsonw_key(&w, "manifests");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < t->count; i++)
		jsonw_raw(&w, t->entries[i].json, t->entries[i].len);
	jsonw_array_end(&w);
	if (t->annotations) {
		jsonw_key(&w, "annotations");
		jsonw_raw(&w, t->annotations, t->annotations_len);
	}
	jsonw_object_end(&w);
	r = jsonw_finish(&w, &text, &len);
	if (r < 0)
		return r;
	r = fileio_replace(l->dir_fd, LAYOUT_INDEX_FILE, text, len, 0644);
	free(text);
	return r;
}

int layout_tag(const struct layout *l, const char *tag,
	       const uint8_t digest[SHA256_LEN], int64_t size,
	       struct error *err)
{
	struct tag_work *t;
	char *entry = NULL;
	size_t entry_len;
	int r;

	if (!layout_tag_valid(tag) || size < 0)
		return error_set(err, -EINVAL, LAYOUT_INDEX_FILE,
				 "not a valid tag or size");
	t = calloc(1, sizeof(*t));
	if (!t)
		return fail_errno(err, LAYOUT_INDEX_FILE, -ENOMEM, "read");
	r = layout_read_index(l, t->buf, sizeof(t->buf), t->tokens,
			      OCI_TOKENS_MAX, &t->idx, err);
	if (r < 0)
		goto out_free;
	r = keep_entries(t, (size_t)r, tag);
	if (r == 0)
		r = new_entry(tag, digest, size, &entry, &entry_len);
	if (r == 0 && t->count == OCI_INDEX_MANIFESTS_MAX)
		r = -OCIBOOT_ETOOBIG;
	if (r < 0) {
		r = fail_errno(err, LAYOUT_INDEX_FILE, r, "update");
		goto out_free;
	}
	t->entries[t->count++] = (struct entry){
		.json = entry, .len = entry_len, .tag = tag,
	};
	oci_digest_string(digest, t->entries[t->count - 1].digest);
	r = write_index(l, t);
	if (r < 0)
		r = fail_errno(err, LAYOUT_INDEX_FILE, r, "write");
out_free:
	free(entry);
	free(t);
	return r;
}
