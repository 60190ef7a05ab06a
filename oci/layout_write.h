/* SPDX-License-Identifier: MIT */
/*
 * Writing an OCI image layout (host tool only): creating one, adding blobs,
 * writing image configs and manifests, and tagging manifests in index.json.
 * The layout is the one oci/layout.h reads, opened the same way.
 *
 * Every document is written with oci/jsonw, so the same input always gives
 * the same bytes, hence the same digests: keys in the order of the Go
 * structs of the image-spec (what skopeo, umoci and stacker write), no
 * whitespace, no time unless the caller gives one.
 *
 * Files are replaced atomically: written to a temporary name in the same
 * directory, synced, renamed over the final name, and the directory
 * synced. Allocates; never logs. Errors are reported as in oci/layout.h.
 */
#ifndef OCIBOOT_LAYOUT_WRITE_H
#define OCIBOOT_LAYOUT_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "oci/layout.h"

/* Latest time layout_config_json() writes: 9999-12-31T23:59:59Z. */
#define LAYOUT_CREATED_MAX INT64_C(253402300799)

/*
 * Create the layout at path relative to at_fd, or complete an existing
 * one: the directory (mode 0755), oci-layout, blobs/sha256 and an
 * index.json without manifests, each only when missing. An existing
 * oci-layout must pass layout_version_check(); an existing index.json is
 * kept. Then open it as layout_open() does. Returns 0 and fills *l (close
 * it with layout_close()), or an error of oci/layout.h.
 */
int layout_create(struct layout *l, int at_fd, const char *path,
		  struct error *err);

/*
 * Store data[0..len) as a blob and put its sha256 in digest. A blob that
 * already holds exactly this content is kept untouched; one that does not
 * (a damaged file, a link) is replaced. Returns 0 or -errno.
 */
int layout_add_blob(const struct layout *l, const void *data, size_t len,
		    uint8_t digest[SHA256_LEN], struct error *err);

/*
 * The same for everything in the file open on fd, read from offset 0 (the
 * file offset does not move); *size receives its length. Returns 0 or
 * -errno.
 */
int layout_add_blob_fd(const struct layout *l, int fd,
		       uint8_t digest[SHA256_LEN], int64_t *size,
		       struct error *err);

/*
 * An image config. Strings are NUL-terminated UTF-8. Each argv/env array
 * is written only when its count is not 0, working_dir and user only when
 * not NULL, Volumes (each an absolute path, a key with the value {}) only
 * when volume_count is not 0, created only when has_created.
 */
struct layout_config {
	const char *architecture;	/* "amd64" ... */
	const char *os;			/* "linux" */
	bool has_created;
	int64_t created;		/* seconds since the epoch, UTC, 0 to
					 * LAYOUT_CREATED_MAX */
	const char *const *entrypoint;
	size_t entrypoint_count;	/* <= OCI_ARGV_MAX */
	const char *const *cmd;
	size_t cmd_count;		/* <= OCI_ARGV_MAX */
	const char *const *env;		/* "NAME=value", NAME not empty */
	size_t env_count;		/* <= OCI_ENV_MAX */
	const char *working_dir;
	const char *user;		/* "uid[:gid]", names too */
	const char *const *volumes;	/* absolute paths */
	size_t volume_count;		/* <= OCI_VOLUMES_MAX */
	const uint8_t (*diff_ids)[SHA256_LEN];	/* rootfs.diff_ids */
	size_t diff_id_count;		/* <= OCI_LAYERS_MAX */
};

/*
 * The config as JSON, in this key order:
 *   {"created","architecture","os",
 *    "config":{"Env","Entrypoint","Cmd","WorkingDir"},
 *    "rootfs":{"type":"layers","diff_ids"}}
 * Returns 0 with *out (to free(), NUL-terminated) and *len; -EINVAL for a
 * missing architecture or os, a bad env entry or created out of range;
 * -OCIBOOT_ETOOBIG when a count, or all the strings together (as
 * OCI_CONFIG_STRINGS_MAX counts them), is over what oci/oci reads back;
 * -EILSEQ for a string that is not UTF-8; -ENOMEM.
 */
int layout_config_json(const struct layout_config *c, char **out,
		       size_t *len);

/* A layer descriptor of an image manifest. */
struct layout_layer {
	const char *media_type;
	uint8_t digest[SHA256_LEN];
	int64_t size;			/* >= 0 */
	bool has_verity_root;		/* written under both
					 * OCI_ANNOTATION_VERITY_ROOT and
					 * OCI_ANNOTATION_VERITY_ROOT_LEGACY */
	uint8_t verity_root[SHA256_LEN];
};

/*
 * An image manifest as JSON:
 *   {"schemaVersion":2,"mediaType":OCI_MEDIA_TYPE_MANIFEST,
 *    "config":{"mediaType":OCI_MEDIA_TYPE_CONFIG,"digest","size"},
 *    "layers":[{"mediaType","digest","size","annotations":{...}}...]}
 * layers bottom first, as OCI orders them. Returns 0 with *out and *len
 * as layout_config_json(); -EINVAL for a negative size or a missing
 * media type; -OCIBOOT_ETOOBIG over OCI_LAYERS_MAX layers; -ENOMEM.
 */
int layout_manifest_json(const uint8_t config_digest[SHA256_LEN],
			 int64_t config_size,
			 const struct layout_layer *layers, size_t layer_count,
			 char **out, size_t *len);

/*
 * Whether tag may name a manifest here: 1 to OCI_REF_NAME_MAX bytes of
 * [A-Za-z0-9] and the separators "._-:@+/", starting and ending with a
 * letter or digit (the image-spec's ref.name grammar, loosely).
 */
bool layout_tag_valid(const char *tag);

/*
 * Tag the image manifest (digest, size) as tag in index.json: any entry
 * already tagged tag is dropped, every other entry is kept byte for byte
 * (annotations, platform and all), the index's own annotations too. The
 * entries are written sorted by tag (untagged ones first), then digest,
 * so the result does not depend on the order of earlier calls. Returns 0;
 * -EINVAL for an invalid tag; -OCIBOOT_ETOOBIG when the index would hold
 * more than OCI_INDEX_MANIFESTS_MAX entries; errors of
 * layout_read_index(); -ENOMEM or -errno from writing.
 */
int layout_tag(const struct layout *l, const char *tag,
	       const uint8_t digest[SHA256_LEN], int64_t size,
	       struct error *err);

#endif
