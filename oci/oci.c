/* SPDX-License-Identifier: MIT */
/*
 * OCI and system manifest documents: oci/json checks the syntax, this file
 * the meaning, field by field, naming the field of every refusal.
 */
#include "oci/oci.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/constants.h"
#include "lib/hex.h"
#include "lib/util.h"

/* Longest digest string we look at before calling it malformed. */
#define DIGEST_TEXT_MAX 192
/* The why of a count over a product limit, naming the limit. */
#define OVER_LIMIT(macro, what) \
	"over the limit of " LIMIT_STR(macro) " " what " (oci/limits.h)"

_Static_assert(OCI_ANNOTATIONS_MAX == JSON_OBJECT_MEMBERS_MAX,
	       "annotations are capped by the JSON reader's member cap");

/* The refusals of a count over its limit. */
static const char over_manifests[] =
	OVER_LIMIT(OCI_INDEX_MANIFESTS_MAX, "manifests per index");
static const char over_layers[] =
	OVER_LIMIT(OCI_LAYERS_MAX, "layers per image");
static const char over_entrypoint[] =
	OVER_LIMIT(OCI_ARGV_MAX, "Entrypoint arguments");
static const char over_cmd[] =
	OVER_LIMIT(OCI_ARGV_MAX, "Cmd arguments");
static const char over_env[] =
	OVER_LIMIT(OCI_ENV_MAX, "Env entries");
static const char over_volumes[] =
	OVER_LIMIT(OCI_VOLUMES_MAX, "Volumes");
static const char over_diff_ids[] =
	OVER_LIMIT(OCI_LAYERS_MAX, "diff_ids per image");
static const char over_services[] =
	OVER_LIMIT(OCI_SERVICES_MAX, "services per system");

/* sha256("{}"), the digest of the OCI empty descriptor's content. */
static const uint8_t empty_digest[SHA256_LEN] = {
	0x44, 0x13, 0x6f, 0xa3, 0x55, 0xb3, 0x67, 0x8a,
	0x11, 0x46, 0xad, 0x16, 0xf7, 0xe8, 0x64, 0x9e,
	0x94, 0xfb, 0x4f, 0xc2, 0x1f, 0xe7, 0x7e, 0x83,
	0x10, 0xc0, 0x60, 0xf6, 0x1c, 0xaa, 0xff, 0x8a,
};

static const char *const squashfs_media_types[] = {
	"application/vnd.stacker.image.layer.squashfs",
	"application/vnd.stacker.image.layer.squashfs+zstd",
	"application/vnd.stacker.image.layer.squashfs+gzip",
	"application/vnd.stacker.image.layer.squashfs+xz",
	"application/vnd.stacker.image.layer.squashfs+zstd+verity",
	"application/vnd.stacker.image.layer.squashfs+gzip+verity",
	"application/vnd.stacker.image.layer.squashfs+xz+verity",
	/* what early stacker wrote */
	"application/vnd.oci.image.layer.squashfs",
};

static const char *const tar_media_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.oci.image.layer.nondistributable.v1.tar",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
	"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
};

/*
 * The JSON field names of the Go structs that image-spec v1.1 (specs-go/v1)
 * decodes each object into. Go's encoding/json matches keys to them ignoring
 * case; json_check_struct_keys() refuses the keys it would read differently
 * from us.
 */
static const char *const go_index_fields[] = {
	"schemaVersion", "mediaType", "artifactType", "manifests", "subject",
	"annotations",
	/* what an index must not have, read to refuse it */
	"config", "layers",
};

static const char *const go_manifest_fields[] = {
	"schemaVersion", "mediaType", "artifactType", "config", "layers",
	"subject", "annotations",
	"manifests",
};

static const char *const go_descriptor_fields[] = {
	"mediaType", "digest", "size", "urls", "annotations", "data",
	"platform", "artifactType",
};

static const char *const go_platform_fields[] = {
	"architecture", "os", "os.version", "os.features", "variant",
	"features",
};

static const char *const go_image_fields[] = {
	"created", "author", "architecture", "os", "os.version",
	"os.features", "variant", "config", "rootfs", "history",
};

static const char *const go_image_config_fields[] = {
	"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
	"WorkingDir", "Labels", "StopSignal", "ArgsEscaped",
};

static const char *const go_rootfs_fields[] = {
	"type", "diff_ids",
};

/* The document being checked and where to report what is wrong. */
struct ctx {
	struct json_doc doc;
	struct error *err;
};

/* Token i (or member key of object i) is refused for reason. */
static int refuse(struct ctx *c, int i, const char *key, int code,
		  const char *reason)
{
	error_set(c->err, code, NULL, "%s", reason);
	json_error_where(c->err, &c->doc, i, key);
	return code;
}

/* A failure in a parsed struct: no offset, the path given. */
static int refuse_path(struct error *err, int code, const char *reason,
		       const char *path)
{
	error_set(err, code, NULL, "%s", reason);
	error_at(err, "%s", path);
	return code;
}

/* The same for field of layers[n]. */
static int refuse_layer(struct error *err, int code, const char *reason,
			size_t n, const char *field)
{
	error_set(err, code, NULL, "%s", reason);
	error_at(err, "$.layers[%zu].%s", n, field);
	return code;
}

static int parse_json(struct ctx *c, const char *buf, size_t len,
		      struct json_token *tokens, size_t max_tokens,
		      struct error *err)
{
	int r;

	c->err = err;
	r = json_parse(&c->doc, buf, len, tokens, max_tokens, err);
	if (r < 0)
		return r;
	if (json_type(&c->doc, 0) != JSON_OBJECT)
		return refuse(c, 0, NULL, -OCIBOOT_EMALFORMED,
			      "document is not a JSON object");
	return 0;
}

/*
 * Object obj is read as a struct with these fields: refuse keys that a Go
 * reader would match to another field than we do.
 */
static int struct_keys(struct ctx *c, int obj, const char *const *fields,
		       size_t n)
{
	return json_check_struct_keys(&c->doc, obj, fields, n, c->err);
}

#define STRUCT_KEYS(c, obj, fields) \
	struct_keys(c, obj, fields, ARRAY_SIZE(fields))

static const char *type_reason(enum json_type type)
{
	switch (type) {
	case JSON_OBJECT: return "must be an object";
	case JSON_ARRAY: return "must be an array";
	case JSON_STRING: return "must be a string";
	case JSON_NUMBER: return "must be a number";
	default: return "has the wrong type";
	}
}

/*
 * Member key of object obj into *index, checked to be of type (or null,
 * when null_ok: then reported absent). Returns 1 if present, 0 if absent
 * and optional, or an error.
 */
static int member(struct ctx *c, int obj, const char *key,
		  enum json_type type, bool required, bool null_ok, int *index)
{
	int i = json_object_get(&c->doc, obj, key);

	if (i >= 0 && null_ok && json_type(&c->doc, i) == JSON_NULL)
		i = -ENOENT;
	if (i < 0) {
		if (!required)
			return 0;
		return refuse(c, obj, key, -OCIBOOT_EMALFORMED,
			      "required field is missing");
	}
	if (json_type(&c->doc, i) != type)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      type_reason(type));
	*index = i;
	return 1;
}

/* String token i into out[0..size). */
static int copy_string(struct ctx *c, int i, char *out, size_t size)
{
	int r = json_string(&c->doc, i, out, size);

	if (r == -OCIBOOT_ETOOBIG)
		return refuse(c, i, NULL, r, "string too long");
	if (r == -OCIBOOT_EMALFORMED)
		return refuse(c, i, NULL, r, "string contains U+0000");
	if (r < 0)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "must be a string");
	return r;
}

/* --- media types, digests, sizes ----------------------------------------- */

static bool is_lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_alnum(char ch)
{
	return is_lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

/* RFC 6838 restricted-name: 1-127 characters, the first alphanumeric. */
static size_t restricted_name(const char *s)
{
	size_t n = 0;

	if (!is_alnum(s[0]))
		return 0;
	while (is_alnum(s[n]) || (s[n] && strchr("!#$&-^_.+", s[n])))
		n++;
	return n <= 127 ? n : 0;
}

static bool valid_media_type(const char *s)
{
	size_t type = restricted_name(s), subtype;

	if (!type || s[type] != '/')
		return false;
	subtype = restricted_name(s + type + 1);
	return subtype && s[type + 1 + subtype] == '\0';
}

static int parse_media_type(struct ctx *c, int i, char *out)
{
	int r = copy_string(c, i, out, OCI_MEDIA_TYPE_MAX + 1);

	if (r < 0)
		return r;
	if (!valid_media_type(out))
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "not a valid media type");
	return 0;
}

/* OCI digest grammar: algorithm [a-z0-9]+([+._-][a-z0-9]+)*, then ':',
 * then encoded [a-zA-Z0-9=_-]+. */
static bool valid_digest_syntax(const char *s, size_t len, size_t colon)
{
	if (colon == 0 || colon + 1 >= len)
		return false;
	for (size_t i = 0; i < colon; i++) {
		if (is_lower_alnum(s[i]))
			continue;
		if (!strchr("+._-", s[i]) || i == 0 || i + 1 == colon ||
		    !is_lower_alnum(s[i + 1]))
			return false;
	}
	for (size_t i = colon + 1; i < len; i++)
		if (!is_alnum(s[i]) && !strchr("=_-", s[i]))
			return false;
	return true;
}

int oci_digest_parse(const char *s, size_t len, uint8_t digest[SHA256_LEN],
		     const char **reason)
{
	const size_t plen = DIGEST_PREFIX_SHA256_LEN;
	const char *colon = memchr(s, ':', len);

	if (!colon || !valid_digest_syntax(s, len, (size_t)(colon - s))) {
		*reason = "digest is not algorithm:encoded";
		return -OCIBOOT_EMALFORMED;
	}
	if ((size_t)(colon - s) != plen - 1 || memcmp(s, DIGEST_PREFIX_SHA256, plen) != 0) {
		*reason = "digest algorithm is not sha256";
		return -EOPNOTSUPP;
	}
	if (sha256_from_hex(s + plen, len - plen, digest) < 0) {
		*reason = "sha256 digest is not 64 lowercase hex digits";
		return -OCIBOOT_EMALFORMED;
	}
	return 0;
}

void oci_digest_string(const uint8_t digest[SHA256_LEN],
		       char out[OCI_DIGEST_STRING_LEN + 1])
{
	memcpy(out, DIGEST_PREFIX_SHA256, DIGEST_PREFIX_SHA256_LEN);
	sha256_hex(digest, out + DIGEST_PREFIX_SHA256_LEN);
}

static int parse_digest(struct ctx *c, int i, uint8_t digest[SHA256_LEN])
{
	char text[DIGEST_TEXT_MAX + 1];
	const char *reason;
	int r;

	if (json_type(&c->doc, i) != JSON_STRING)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "must be a string");
	r = json_string(&c->doc, i, text, sizeof(text));
	if (r < 0)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "digest is not algorithm:encoded");
	r = oci_digest_parse(text, (size_t)r, digest, &reason);
	if (r < 0)
		return refuse(c, i, NULL, r, reason);
	return 0;
}

static int parse_size(struct ctx *c, int i, int64_t *size)
{
	int64_t v;

	if (json_int64(&c->doc, i, &v) < 0 || v < 0)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "size must be a non-negative 64-bit integer");
	*size = v;
	return 0;
}

/* --- descriptors ---------------------------------------------------------- */

static int parse_verity_root(struct ctx *c, int i, struct oci_descriptor *d)
{
	char hex[SHA256_HEX_LEN + 1];
	uint8_t root[SHA256_LEN];
	int r = json_string(&c->doc, i, hex, sizeof(hex));

	if (r < 0 || sha256_from_hex(hex, (size_t)r, root) < 0)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "verity root hash is not 64 lowercase hex "
			      "digits");
	if (d->has_verity_root && !ct_memeq(d->verity_root, root,
					    sizeof(root)))
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "the two verity root hash annotations differ");
	memcpy(d->verity_root, root, sizeof(root));
	d->has_verity_root = true;
	return 0;
}

/*
 * An annotations object: string values only; the ones a descriptor
 * carries for us go into d (NULL for other annotations).
 */
static int parse_annotations(struct ctx *c, int obj,
			     struct oci_descriptor *d)
{
	int a, k, r;

	r = member(c, obj, "annotations", JSON_OBJECT, false, false, &a);
	if (r <= 0)
		return r;
	for (k = json_member_first(&c->doc, a); k >= 0;
	     k = json_member_next(&c->doc, a, k)) {
		if (json_type(&c->doc, k + 1) != JSON_STRING)
			return refuse(c, k + 1, NULL, -OCIBOOT_EMALFORMED,
				      "annotation value must be a string");
		if (!d)
			continue;
		if (json_string_eq(&c->doc, k, OCI_ANNOTATION_VERITY_ROOT) ||
		    json_string_eq(&c->doc, k,
				   OCI_ANNOTATION_VERITY_ROOT_LEGACY))
			r = parse_verity_root(c, k + 1, d);
		else if (json_string_eq(&c->doc, k, OCI_ANNOTATION_REF_NAME))
			r = copy_string(c, k + 1, d->ref_name,
					sizeof(d->ref_name));
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_platform_field(struct ctx *c, int obj, const char *key,
				bool required, char *out)
{
	int i, r = member(c, obj, key, JSON_STRING, required, false, &i);

	if (r <= 0)
		return r;
	r = copy_string(c, i, out, OCI_PLATFORM_FIELD_MAX + 1);
	return r < 0 ? r : 0;
}

static int parse_platform(struct ctx *c, int obj, struct oci_descriptor *d)
{
	int p, r = member(c, obj, "platform", JSON_OBJECT, false, false, &p);

	if (r <= 0)
		return r;
	r = STRUCT_KEYS(c, p, go_platform_fields);
	if (r == 0)
		r = parse_platform_field(c, p, "architecture", true,
					 d->architecture);
	if (r == 0)
		r = parse_platform_field(c, p, "os", true, d->os);
	if (r == 0)
		r = parse_platform_field(c, p, "variant", false, d->variant);
	return r;
}

static int parse_descriptor(struct ctx *c, int obj, struct oci_descriptor *d)
{
	int i, r;

	if (json_type(&c->doc, obj) != JSON_OBJECT)
		return refuse(c, obj, NULL, -OCIBOOT_EMALFORMED,
			      "descriptor must be an object");
	r = STRUCT_KEYS(c, obj, go_descriptor_fields);
	if (r == 0)
		r = member(c, obj, "mediaType", JSON_STRING, true, false, &i);
	if (r < 0 || (r = parse_media_type(c, i, d->media_type)) < 0)
		return r;
	d->kind = oci_layer_kind(d->media_type);
	r = member(c, obj, "digest", JSON_STRING, true, false, &i);
	if (r < 0 || (r = parse_digest(c, i, d->digest)) < 0)
		return r;
	r = member(c, obj, "size", JSON_NUMBER, true, false, &i);
	if (r < 0 || (r = parse_size(c, i, &d->size)) < 0)
		return r;
	r = member(c, obj, "artifactType", JSON_STRING, false, false, &i);
	if (r > 0)
		r = parse_media_type(c, i, d->artifact_type);
	if (r < 0)
		return r;
	r = parse_annotations(c, obj, d);
	if (r < 0)
		return r;
	return parse_platform(c, obj, d);
}

/* An array member of at most max elements: its index and count. */
static int bounded_array(struct ctx *c, int obj, const char *key,
			 bool required, size_t max, const char *too_many,
			 int *index, size_t *count)
{
	int r = member(c, obj, key, JSON_ARRAY, required, !required, index);

	*count = 0;
	if (r <= 0)
		return r;
	*count = json_count(&c->doc, *index);
	if (*count > max)
		return refuse(c, *index, NULL, -OCIBOOT_ETOOBIG, too_many);
	return 1;
}

static int parse_descriptors(struct ctx *c, int obj, const char *key,
			     size_t max, const char *too_many,
			     struct oci_descriptor *out, size_t *count)
{
	size_t n = 0;
	int a, e, r;

	r = bounded_array(c, obj, key, true, max, too_many, &a, count);
	if (r < 0)
		return r;
	for (e = json_array_first(&c->doc, a); e >= 0;
	     e = json_array_next(&c->doc, a, e)) {
		r = parse_descriptor(c, e, &out[n++]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- common top-level fields ---------------------------------------------- */

static int parse_schema_version(struct ctx *c, int64_t want, int unsupported)
{
	int64_t v;
	int i, r = member(c, 0, "schemaVersion", JSON_NUMBER, true, false, &i);

	if (r < 0)
		return r;
	if (json_int64(&c->doc, i, &v) < 0 || v != want)
		return refuse(c, i, NULL, unsupported,
			      "unsupported schemaVersion");
	return 0;
}

/* mediaType: optional unless required; when present it must be want. */
static int check_media_type(struct ctx *c, const char *want, bool required,
			    char *out, const char *mismatch)
{
	int i, r = member(c, 0, "mediaType", JSON_STRING, required, false, &i);

	if (r <= 0)
		return r;
	if (!json_string_eq(&c->doc, i, want))
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED, mismatch);
	if (out)
		strcpy(out, want);
	return 0;
}

static int forbid(struct ctx *c, const char *key, const char *reason)
{
	int i = json_object_get(&c->doc, 0, key);

	return i >= 0 ? refuse(c, i, NULL, -OCIBOOT_EMALFORMED, reason) : 0;
}

static int parse_artifact_type(struct ctx *c, char *out)
{
	int i, r = member(c, 0, "artifactType", JSON_STRING, false, false, &i);

	if (r <= 0)
		return r;
	return parse_media_type(c, i, out);
}

/* --- image index and manifest --------------------------------------------- */

/*
 * The frame of every oci_*_parse(): tokenise buf, let fields() fill out
 * (out_size bytes, zeroed first), and leave out zeroed on any failure.
 */
typedef int (*fields_fn)(struct ctx *c, void *out);

static int parse_document(const char *buf, size_t len,
			  struct json_token *tokens, size_t max_tokens,
			  fields_fn fields, void *out, size_t out_size,
			  struct error *err)
{
	struct ctx c;
	int r;

	memset(out, 0, out_size);
	error_clear(err);
	r = parse_json(&c, buf, len, tokens, max_tokens, err);
	if (r == 0)
		r = fields(&c, out);
	if (r < 0 && !error_failed(err))
		error_set(err, r, NULL, "refused");
	if (r < 0)
		memset(out, 0, out_size);
	return r;
}

static int index_fields(struct ctx *c, void *p)
{
	struct oci_index *out = p;
	int r = STRUCT_KEYS(c, 0, go_index_fields);

	if (r == 0)
		r = parse_schema_version(c, 2, -OCIBOOT_EMALFORMED);

	if (r == 0)
		r = check_media_type(c, OCI_MEDIA_TYPE_INDEX, false,
				     out->media_type,
				     "mediaType is not an image index");
	if (r == 0)
		r = forbid(c, "config", "an image index has no config "
			   "(ambiguous document)");
	if (r == 0)
		r = forbid(c, "layers", "an image index has no layers "
			   "(ambiguous document)");
	if (r == 0)
		r = parse_artifact_type(c, out->artifact_type);
	if (r == 0)
		r = parse_descriptors(c, 0, "manifests",
				      OCI_INDEX_MANIFESTS_MAX,
				      over_manifests,
				      out->manifests, &out->manifest_count);
	if (r == 0)
		r = parse_annotations(c, 0, NULL);
	return r;
}

int oci_index_parse(const char *buf, size_t len, struct json_token *tokens,
		    size_t max_tokens, struct oci_index *out,
		    struct error *err)
{
	return parse_document(buf, len, tokens, max_tokens, index_fields,
			      out, sizeof(*out), err);
}

static int manifest_fields(struct ctx *c, void *p)
{
	struct oci_manifest *out = p;
	int i, r = STRUCT_KEYS(c, 0, go_manifest_fields);

	if (r == 0)
		r = parse_schema_version(c, 2, -OCIBOOT_EMALFORMED);

	if (r == 0)
		r = check_media_type(c, OCI_MEDIA_TYPE_MANIFEST, false,
				     out->media_type,
				     "mediaType is not an image manifest");
	if (r == 0)
		r = forbid(c, "manifests", "an image manifest has no "
			   "manifests (ambiguous document)");
	if (r == 0)
		r = parse_artifact_type(c, out->artifact_type);
	if (r == 0)
		r = member(c, 0, "config", JSON_OBJECT, true, false, &i);
	if (r > 0)
		r = parse_descriptor(c, i, &out->config);
	if (r == 0)
		r = parse_descriptors(c, 0, "layers", OCI_LAYERS_MAX,
				      over_layers,
				      out->layers, &out->layer_count);
	if (r == 0)
		r = parse_annotations(c, 0, NULL);
	return r;
}

int oci_manifest_parse(const char *buf, size_t len, struct json_token *tokens,
		       size_t max_tokens, struct oci_manifest *out,
		       struct error *err)
{
	return parse_document(buf, len, tokens, max_tokens, manifest_fields,
			      out, sizeof(*out), err);
}

/* --- image config --------------------------------------------------------- */

/* String token i appended to cfg->strings; its offset into *offset. */
static int config_string(struct ctx *c, int i, struct oci_config *cfg,
			 uint32_t *offset)
{
	size_t room = sizeof(cfg->strings) - cfg->strings_used;
	int r;

	if (json_type(&c->doc, i) != JSON_STRING)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "must be a string");
	r = json_string(&c->doc, i, cfg->strings + cfg->strings_used, room);
	if (r == -OCIBOOT_ETOOBIG)
		return refuse(c, i, NULL, r, "config strings over their cap");
	if (r < 0)
		return refuse(c, i, NULL, r, "string contains U+0000");
	*offset = (uint32_t)cfg->strings_used;
	cfg->strings_used += (size_t)r + 1;
	return 0;
}

static int config_strings(struct ctx *c, int obj, const char *key,
			  size_t max, const char *too_many,
			  struct oci_config *cfg, uint32_t *out, size_t *count)
{
	size_t n = 0;
	int a, e, r;

	r = bounded_array(c, obj, key, false, max, too_many, &a, count);
	if (r <= 0)
		return r;
	for (e = json_array_first(&c->doc, a); e >= 0;
	     e = json_array_next(&c->doc, a, e)) {
		r = config_string(c, e, cfg, &out[n++]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_env(struct ctx *c, int obj, const struct oci_config *cfg)
{
	int a = json_object_get(&c->doc, obj, "Env");
	int e = json_array_first(&c->doc, a);

	for (size_t n = 0; n < cfg->env_count && e >= 0; n++) {
		const char *s = oci_config_string(cfg, cfg->env[n]);
		const char *eq = strchr(s, '=');

		if (!eq || eq == s)
			return refuse(c, e, NULL, -OCIBOOT_EMALFORMED,
				      "Env entry is not NAME=value");
		e = json_array_next(&c->doc, a, e);
	}
	return 0;
}

/*
 * Volumes: an object whose keys are the paths (image-spec: each value is
 * an empty object, ignored). Each key must be an absolute path.
 */
static int config_volumes(struct ctx *c, int obj, struct oci_config *cfg)
{
	size_t n = 0;
	int o, k, r;

	r = member(c, obj, "Volumes", JSON_OBJECT, false, true, &o);
	if (r <= 0)
		return r;
	if (json_count(&c->doc, o) > OCI_VOLUMES_MAX)
		return refuse(c, o, NULL, -OCIBOOT_ETOOBIG, over_volumes);
	for (k = json_member_first(&c->doc, o); k >= 0;
	     k = json_member_next(&c->doc, o, k)) {
		r = config_string(c, k, cfg, &cfg->volumes[n]);
		if (r < 0)
			return r;
		if (oci_config_string(cfg, cfg->volumes[n])[0] != '/')
			return refuse(c, k, NULL, -OCIBOOT_EMALFORMED,
				      "a volume is not an absolute path");
		n++;
	}
	cfg->volume_count = n;
	return 0;
}

static int config_exec_fields(struct ctx *c, struct oci_config *cfg)
{
	int o, i, r;

	r = member(c, 0, "config", JSON_OBJECT, false, true, &o);
	if (r <= 0)
		return r;
	r = STRUCT_KEYS(c, o, go_image_config_fields);
	if (r == 0)
			r = config_strings(c, o, "Entrypoint", OCI_ARGV_MAX,
				   over_entrypoint, cfg,
				   cfg->entrypoint, &cfg->entrypoint_count);
	if (r == 0)
		r = config_strings(c, o, "Cmd", OCI_ARGV_MAX,
				   over_cmd, cfg, cfg->cmd,
				   &cfg->cmd_count);
	if (r == 0)
		r = config_strings(c, o, "Env", OCI_ENV_MAX,
				   over_env, cfg, cfg->env,
				   &cfg->env_count);
	if (r == 0)
		r = check_env(c, o, cfg);
	if (r == 0)
		r = member(c, o, "WorkingDir", JSON_STRING, false, false, &i);
	if (r > 0) {
		r = config_string(c, i, cfg, &cfg->working_dir);
		cfg->has_working_dir = r == 0;
	}
	if (r == 0)
		r = member(c, o, "User", JSON_STRING, false, false, &i);
	if (r > 0) {
		r = config_string(c, i, cfg, &cfg->user);
		cfg->has_user = r == 0;
	}
	return r < 0 ? r : config_volumes(c, o, cfg);
}

static int config_rootfs(struct ctx *c, struct oci_config *cfg)
{
	size_t n = 0;
	int o, i, a, e, r;

	r = member(c, 0, "rootfs", JSON_OBJECT, true, false, &o);
	if (r < 0)
		return r;
	r = STRUCT_KEYS(c, o, go_rootfs_fields);
	if (r == 0)
		r = member(c, o, "type", JSON_STRING, true, false, &i);
	if (r < 0)
		return r;
	if (!json_string_eq(&c->doc, i, "layers"))
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "rootfs type is not \"layers\"");
	r = bounded_array(c, o, "diff_ids", true, OCI_LAYERS_MAX,
			  over_diff_ids, &a, &cfg->diff_id_count);
	if (r < 0)
		return r;
	for (e = json_array_first(&c->doc, a); e >= 0;
	     e = json_array_next(&c->doc, a, e)) {
		r = parse_digest(c, e, cfg->diff_ids[n++]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int config_fields(struct ctx *c, void *p)
{
	struct oci_config *cfg = p;
	int r = STRUCT_KEYS(c, 0, go_image_fields);

	if (r == 0)
		r = parse_platform_field(c, 0, "architecture", true,
					 cfg->architecture);

	if (r == 0)
		r = parse_platform_field(c, 0, "os", true, cfg->os);
	if (r == 0)
		r = config_exec_fields(c, cfg);
	if (r == 0)
		r = config_rootfs(c, cfg);
	return r;
}

int oci_config_parse(const char *buf, size_t len, struct json_token *tokens,
		     size_t max_tokens, struct oci_config *out,
		     struct error *err)
{
	return parse_document(buf, len, tokens, max_tokens, config_fields,
			      out, sizeof(*out), err);
}

const char *oci_config_string(const struct oci_config *cfg, uint32_t offset)
{
	if (offset >= cfg->strings_used ||
	    cfg->strings_used > sizeof(cfg->strings))
		return "";
	return cfg->strings + offset;
}

/* --- system manifest ------------------------------------------------------ */

static const char *const system_fields[] = {
	"schemaVersion", "mediaType", "product", "version", "rootfs",
	"services", "annotations",
};

static const char *const rootfs_fields[] = {
	"repository", "digest", "mediaType", "size", "annotations",
};

static const char *const service_fields[] = {
	"name", "repository", "digest", "mediaType", "size", "annotations",
};

static int only_known_fields(struct ctx *c, int obj,
			     const char *const *known, size_t n)
{
	int r = struct_keys(c, obj, known, n);

	if (r < 0)
		return r;
	for (int k = json_member_first(&c->doc, obj); k >= 0;
	     k = json_member_next(&c->doc, obj, k)) {
		size_t j = 0;

		while (j < n && !json_string_eq(&c->doc, k, known[j]))
			j++;
		if (j == n)
			return refuse(c, k, NULL, -EOPNOTSUPP,
				      "unknown field (only annotations may "
				      "hold new fields)");
	}
	return 0;
}

static int parse_uuid(struct ctx *c, int i, struct oci_system_manifest *m)
{
	char s[OCI_UUID_LEN + 1];
	uint8_t uuid[16], any = 0;
	size_t n = 0;
	int r = json_string(&c->doc, i, s, sizeof(s));

	if (r != OCI_UUID_LEN)
		goto bad;
	for (size_t j = 0; j < OCI_UUID_LEN; j += 2) {
		uint8_t byte;

		if (j == 8 || j == 13 || j == 18 || j == 23) {
			if (s[j] != '-')
				goto bad;
			j++;
		}
		if (hex_decode(s + j, 2, &byte, 1) != 1)
			goto bad;
		uuid[n++] = byte;
		any |= byte;
	}
	if (!any)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "product is the nil UUID");
	memcpy(m->product, s, sizeof(s));
	memcpy(m->product_uuid, uuid, sizeof(uuid));
	return 0;
bad:
	return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
		      "product is not a lowercase 8-4-4-4-12 UUID");
}

/*
 * A repository name of the distribution spec: path components of
 * lowercase alphanumerics joined by ".", "_", "__" or runs of "-".
 */
static bool valid_repository(const char *s)
{
	size_t i = 0;

	for (;;) {
		if (!is_lower_alnum(s[i]))
			return false;
		while (is_lower_alnum(s[i]))
			i++;
		if (s[i] == '\0')
			return true;
		if (s[i] == '/') {
			i++;
		} else if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += s[i + 1] == '_' ? 2 : 1;
		} else if (s[i] == '-') {
			while (s[i] == '-')
				i++;
		} else {
			return false;
		}
	}
}

/* Lowercase alphanumerics, '.', '_', '-'; alphanumeric at both ends. */
static bool valid_service_name(const char *s, size_t len)
{
	if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_lower_alnum(s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static int ref_name(struct ctx *c, int obj, struct oci_image_ref *ref)
{
	int i, r = member(c, obj, "name", JSON_STRING, true, false, &i);

	if (r < 0)
		return r;
	r = copy_string(c, i, ref->name, sizeof(ref->name));
	if (r < 0)
		return r;
	if (!valid_service_name(ref->name, (size_t)r))
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "service name must be lowercase [a-z0-9._-], "
			      "alphanumeric at both ends");
	return 0;
}

static int parse_image_ref(struct ctx *c, int obj, bool service,
			   struct oci_image_ref *ref)
{
	int i, r;

	if (json_type(&c->doc, obj) != JSON_OBJECT)
		return refuse(c, obj, NULL, -OCIBOOT_EMALFORMED,
			      "image reference must be an object");
	r = service ? only_known_fields(c, obj, service_fields,
					ARRAY_SIZE(service_fields)) :
		only_known_fields(c, obj, rootfs_fields,
				  ARRAY_SIZE(rootfs_fields));
	if (r == 0 && service)
		r = ref_name(c, obj, ref);
	if (r < 0)
		return r;
	r = member(c, obj, "repository", JSON_STRING, false, false, &i);
	if (r > 0) {
		r = copy_string(c, i, ref->repository,
				sizeof(ref->repository));
		if (r >= 0 && !valid_repository(ref->repository))
			r = refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
				   "not a valid repository name");
	}
	if (r < 0)
		return r;
	r = member(c, obj, "digest", JSON_STRING, true, false, &i);
	if (r < 0 || (r = parse_digest(c, i, ref->digest)) < 0)
		return r;
	r = member(c, obj, "mediaType", JSON_STRING, false, false, &i);
	if (r > 0 && !json_string_eq(&c->doc, i, OCI_MEDIA_TYPE_MANIFEST))
		r = refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			   "an image reference must name an image manifest");
	if (r < 0)
		return r;
	ref->size = -1;
	r = member(c, obj, "size", JSON_NUMBER, false, false, &i);
	if (r > 0)
		r = parse_size(c, i, &ref->size);
	if (r < 0)
		return r;
	return parse_annotations(c, obj, NULL);
}

static int parse_services(struct ctx *c, struct oci_system_manifest *m)
{
	size_t n = 0;
	int a, e, r;

	r = bounded_array(c, 0, "services", false, OCI_SERVICES_MAX,
			  over_services, &a, &m->service_count);
	if (r <= 0)
		return r;
	for (e = json_array_first(&c->doc, a); e >= 0;
	     e = json_array_next(&c->doc, a, e), n++) {
		r = parse_image_ref(c, e, true, &m->services[n]);
		if (r < 0)
			return r;
		for (size_t j = 0; j < n; j++)
			if (streq(m->services[j].name, m->services[n].name))
				return refuse(c, json_object_get(&c->doc, e,
								 "name"),
					      NULL, -OCIBOOT_EMALFORMED,
					      "two services have this name");
	}
	return 0;
}

static int parse_version(struct ctx *c, struct oci_system_manifest *m)
{
	uint64_t v;
	int i, r = member(c, 0, "version", JSON_NUMBER, true, false, &i);

	if (r < 0)
		return r;
	if (json_uint64(&c->doc, i, &v) < 0 || v > OCI_SYSTEM_VERSION_MAX)
		return refuse(c, i, NULL, -OCIBOOT_EMALFORMED,
			      "version must be an integer from 0 to 2^53-1");
	m->version = v;
	return 0;
}

static int system_fields_check(struct ctx *c, void *p)
{
	struct oci_system_manifest *m = p;
	int i, r = parse_schema_version(c, 1, -EOPNOTSUPP);

	if (r == 0)
		r = check_media_type(c, OCI_MEDIA_TYPE_SYSTEM_MANIFEST, true,
				     NULL,
				     "mediaType is not a system manifest");
	if (r == 0)
		r = only_known_fields(c, 0, system_fields,
				      ARRAY_SIZE(system_fields));
	if (r == 0)
		r = member(c, 0, "product", JSON_STRING, true, false, &i);
	if (r > 0)
		r = parse_uuid(c, i, m);
	if (r == 0)
		r = parse_version(c, m);
	if (r == 0)
		r = member(c, 0, "rootfs", JSON_OBJECT, true, false, &i);
	if (r > 0)
		r = parse_image_ref(c, i, false, &m->rootfs);
	if (r == 0)
		r = parse_services(c, m);
	if (r == 0)
		r = parse_annotations(c, 0, NULL);
	return r;
}

int oci_system_manifest_parse(const char *buf, size_t len,
			      struct json_token *tokens, size_t max_tokens,
			      struct oci_system_manifest *out,
			      struct error *err)
{
	return parse_document(buf, len, tokens, max_tokens, system_fields_check,
			      out, sizeof(*out), err);
}

/* --- checks on parsed documents ------------------------------------------- */

static int artifact_layer(const struct oci_manifest *m, size_t n,
			  const char *media_type, int64_t size_max,
			  struct oci_descriptor *out, struct error *err)
{
	const struct oci_descriptor *d = &m->layers[n];

	if (!streq(d->media_type, media_type))
		return refuse_layer(err, -OCIBOOT_EMALFORMED,
				    "wrong layer media type for a system "
				    "manifest artifact", n, "mediaType");
	if (d->size > size_max)
		return refuse_layer(err, -OCIBOOT_ETOOBIG,
				    "layer larger than its cap", n, "size");
	*out = *d;
	return 0;
}

static int system_artifact_check(const struct oci_manifest *m,
				 struct oci_system_artifact *out,
				 struct error *err)
{
	int r;

	if (!streq(m->artifact_type, OCI_ARTIFACT_TYPE_SYSTEM))
		return refuse_path(err, -OCIBOOT_EMALFORMED,
				   "artifactType is not a system manifest",
				   "$.artifactType");
	if (!streq(m->config.media_type, OCI_MEDIA_TYPE_EMPTY) ||
	    m->config.size != 2 ||
	    !ct_memeq(m->config.digest, empty_digest, SHA256_LEN))
		return refuse_path(err, -OCIBOOT_EMALFORMED,
				   "config is not the empty descriptor",
				   "$.config");
	if (m->layer_count != 3)
		return refuse_path(err, -OCIBOOT_EMALFORMED,
				   "a system manifest artifact has exactly "
				   "three layers", "$.layers");
	r = artifact_layer(m, 0, OCI_MEDIA_TYPE_SYSTEM_MANIFEST,
			   OCI_SYSTEM_MANIFEST_SIZE_MAX, &out->manifest, err);
	if (r == 0)
		r = artifact_layer(m, 1, OCI_MEDIA_TYPE_SYSTEM_SIGNATURE,
				   OCI_SYSTEM_SIGNATURE_SIZE_MAX,
				   &out->signature, err);
	if (r == 0)
		r = artifact_layer(m, 2, OCI_MEDIA_TYPE_SYSTEM_CERTIFICATE,
				   OCI_SYSTEM_CERTIFICATE_SIZE_MAX,
				   &out->certificate, err);
	return r;
}

int oci_system_artifact_check(const struct oci_manifest *m,
			      struct oci_system_artifact *out,
			      struct error *err)
{
	int r = system_artifact_check(m, out, err);

	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int oci_manifest_check_bootable(const struct oci_manifest *m,
				struct error *err)
{
	for (size_t n = 0; n < m->layer_count && n < OCI_LAYERS_MAX; n++) {
		const struct oci_descriptor *d = &m->layers[n];

		if (d->kind == OCI_LAYER_TAR)
			return refuse_layer(err, -EOPNOTSUPP,
					    "tar layers cannot be verified at "
					    "boot; use squashfs layers", n,
					    "mediaType");
		if (d->kind != OCI_LAYER_SQUASHFS)
			return refuse_layer(err, -EOPNOTSUPP,
					    "unknown layer media type", n,
					    "mediaType");
		if (!d->has_verity_root)
			return refuse_layer(err, -OCIBOOT_EMALFORMED,
					    "squashfs layer has no verity root "
					    "hash annotation", n,
					    "annotations");
	}
	return 0;
}

enum oci_layer_kind oci_layer_kind(const char *media_type)
{
	for (size_t i = 0; i < ARRAY_SIZE(squashfs_media_types); i++)
		if (streq(media_type, squashfs_media_types[i]))
			return OCI_LAYER_SQUASHFS;
	for (size_t i = 0; i < ARRAY_SIZE(tar_media_types); i++)
		if (streq(media_type, tar_media_types[i]))
			return OCI_LAYER_TAR;
	return OCI_LAYER_OTHER;
}

int oci_index_find(const struct oci_index *idx, const char *ref_name)
{
	int found = -ENOENT;

	for (size_t i = 0; i < idx->manifest_count &&
	     i < OCI_INDEX_MANIFESTS_MAX; i++) {
		if (!streq(idx->manifests[i].ref_name, ref_name))
			continue;
		if (found >= 0)
			return -ENOTUNIQ;
		found = (int)i;
	}
	return found;
}
