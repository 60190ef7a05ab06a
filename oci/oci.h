/* SPDX-License-Identifier: MIT */
/*
 * OCI image-spec v1.1 documents (image index, image manifest, image config)
 * and the ociboot system manifest (docs/formats.md), parsed from (buf, len)
 * into fixed-size structs the caller owns. Nothing here allocates or logs.
 *
 * Every parser takes the JSON scratch tokens[0..max_tokens) (OCI_TOKENS_MAX
 * of them suit real documents; one needing more is refused as too big) and
 * returns 0, or on failure a negative code with *err (if not NULL) saying
 * why and where (as json_parse() fills it: the reason in why, the JSON
 * path in where, the byte offset; no what, the caller names the document):
 *   -OCIBOOT_EMALFORMED  not JSON, or breaks the spec (wrong type, missing
 *                        required field, bad digest, mediaType mismatch...)
 *   -OCIBOOT_ETOOBIG     a cap below (or a JSON cap) exceeded
 *   -EOPNOTSUPP          valid but not supported: a digest algorithm other
 *                        than sha256; in a system manifest, another
 *                        schemaVersion or a field this version does not
 *                        know
 * On failure *out is cleared to zeroes, so nothing half-parsed is used.
 *
 * OCI documents: unknown fields are ignored, as the spec requires. The
 * system manifest: unknown fields are refused (only "annotations" may hold
 * anything), since a field this version does not know could be one that
 * matters.
 */
#ifndef OCIBOOT_OCI_H
#define OCIBOOT_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "lib/constants.h"
#include "oci/json.h"
#include "oci/limits.h"

/* Media types of OCI image-spec v1.1. */
#define OCI_MEDIA_TYPE_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_TYPE_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_TYPE_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_TYPE_EMPTY "application/vnd.oci.empty.v1+json"

/* The signed system manifest artifact (docs/formats.md). */
#define OCI_ARTIFACT_TYPE_SYSTEM "application/vnd.ociboot.system.v1"
#define OCI_MEDIA_TYPE_SYSTEM_MANIFEST \
	"application/vnd.ociboot.system.manifest.v1+json"
#define OCI_MEDIA_TYPE_SYSTEM_SIGNATURE \
	"application/vnd.ociboot.system.signature.v1"
#define OCI_MEDIA_TYPE_SYSTEM_CERTIFICATE \
	"application/vnd.ociboot.system.certificate.v1+der"

/* Layer annotations carrying the dm-verity root hash (lowercase hex). */
#define OCI_ANNOTATION_VERITY_ROOT \
	"io.stackeroci.stacker.atomfs_verity_root_hash"
#define OCI_ANNOTATION_VERITY_ROOT_LEGACY \
	"io.stackeroci.stacker.squashfs_verity_root_hash"
#define OCI_ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"

/*
 * Caps: the product limits of oci/limits.h, and these. Strings are stored
 * NUL-terminated in arrays of cap + 1 bytes.
 */
#define OCI_PLATFORM_FIELD_MAX 31	/* architecture, os, variant */
#define OCI_UUID_LEN 36			/* 8-4-4-4-12 */
/* Members of the config's Volumes: a service's mount points, with room. */
#define OCI_VOLUMES_MAX 32
/* "sha256:..." */
#define OCI_DIGEST_STRING_LEN (DIGEST_PREFIX_SHA256_LEN + SHA256_HEX_LEN)
/* A system manifest version stays exact in every JSON reader (I-JSON). */
#define OCI_SYSTEM_VERSION_MAX ((UINT64_C(1) << 53) - 1)

enum oci_layer_kind {
	OCI_LAYER_OTHER = 0,	/* not a layer type we know */
	OCI_LAYER_SQUASHFS,	/* stacker/atomfs squashfs (+ verity tree) */
	OCI_LAYER_TAR,		/* OCI or Docker tar, refused at boot */
};

struct oci_descriptor {
	char media_type[OCI_MEDIA_TYPE_MAX + 1];
	char artifact_type[OCI_MEDIA_TYPE_MAX + 1];	/* "" if absent */
	uint8_t digest[SHA256_LEN];
	int64_t size;					/* >= 0 */
	enum oci_layer_kind kind;	/* from media_type */
	bool has_verity_root;
	uint8_t verity_root[SHA256_LEN];
	char ref_name[OCI_REF_NAME_MAX + 1];		/* "" if absent */
	/* platform, "" if absent (index entries) */
	char architecture[OCI_PLATFORM_FIELD_MAX + 1];
	char os[OCI_PLATFORM_FIELD_MAX + 1];
	char variant[OCI_PLATFORM_FIELD_MAX + 1];
};

struct oci_index {
	char media_type[OCI_MEDIA_TYPE_MAX + 1];	/* "" if absent */
	char artifact_type[OCI_MEDIA_TYPE_MAX + 1];	/* "" if absent */
	size_t manifest_count;
	struct oci_descriptor manifests[OCI_INDEX_MANIFESTS_MAX];
};

struct oci_manifest {
	char media_type[OCI_MEDIA_TYPE_MAX + 1];	/* "" if absent */
	char artifact_type[OCI_MEDIA_TYPE_MAX + 1];	/* "" if absent */
	struct oci_descriptor config;
	size_t layer_count;
	struct oci_descriptor layers[OCI_LAYERS_MAX];
};

/*
 * What boot and a service's start need of an image config: Entrypoint,
 * Cmd, Env, WorkingDir, User and the keys of Volumes (ExposedPorts and
 * the rest are ignored). The string fields are offsets into strings[];
 * read them with oci_config_string().
 */
struct oci_config {
	char architecture[OCI_PLATFORM_FIELD_MAX + 1];
	char os[OCI_PLATFORM_FIELD_MAX + 1];
	size_t entrypoint_count;
	uint32_t entrypoint[OCI_ARGV_MAX];
	size_t cmd_count;
	uint32_t cmd[OCI_ARGV_MAX];
	size_t env_count;
	uint32_t env[OCI_ENV_MAX];		/* "NAME=value" */
	bool has_working_dir;
	uint32_t working_dir;
	bool has_user;
	uint32_t user;				/* "uid[:gid]", names too */
	size_t volume_count;
	uint32_t volumes[OCI_VOLUMES_MAX];	/* Volumes' keys, paths */
	size_t diff_id_count;
	uint8_t diff_ids[OCI_LAYERS_MAX][SHA256_LEN];
	size_t strings_used;
	char strings[OCI_CONFIG_STRINGS_MAX];
};

/* An image pinned by the digest of its image manifest. */
struct oci_image_ref {
	char name[OCI_SERVICE_NAME_MAX + 1];	/* services; "" for rootfs */
	char repository[OCI_SYSTEM_REPOSITORY_MAX + 1];	/* "": the system
							 * manifest's own */
	uint8_t digest[SHA256_LEN];
	int64_t size;				/* -1 if not given */
};

struct oci_system_manifest {
	char product[OCI_UUID_LEN + 1];		/* canonical lowercase */
	uint8_t product_uuid[16];
	uint64_t version;			/* anti-rollback */
	struct oci_image_ref rootfs;
	size_t service_count;
	struct oci_image_ref services[OCI_SERVICES_MAX];
};

/* The three layers of a system manifest artifact, in order. */
struct oci_system_artifact {
	struct oci_descriptor manifest;
	struct oci_descriptor signature;
	struct oci_descriptor certificate;
};

int oci_index_parse(const char *buf, size_t len, struct json_token *tokens,
		    size_t max_tokens, struct oci_index *out,
		    struct error *err);

/*
 * An image manifest. mediaType, when present, must be
 * OCI_MEDIA_TYPE_MANIFEST; a document with "manifests" is refused (it is an
 * index: CVE-2021-41190), as is, in oci_index_parse, one with "config" or
 * "layers".
 */
int oci_manifest_parse(const char *buf, size_t len, struct json_token *tokens,
		       size_t max_tokens, struct oci_manifest *out,
		       struct error *err);

int oci_config_parse(const char *buf, size_t len, struct json_token *tokens,
		     size_t max_tokens, struct oci_config *out,
		     struct error *err);

/* The string at offset of cfg->strings ("" for an offset out of range). */
const char *oci_config_string(const struct oci_config *cfg, uint32_t offset);

int oci_system_manifest_parse(const char *buf, size_t len,
			      struct json_token *tokens, size_t max_tokens,
			      struct oci_system_manifest *out,
			      struct error *err);

/*
 * Check that m is a system manifest artifact: artifactType
 * OCI_ARTIFACT_TYPE_SYSTEM, the empty config, and exactly three layers (the
 * system manifest, its signature, the signer's certificate) within their
 * size caps. Returns 0 and fills *out, or an error as above (err's where
 * names the field; no offset).
 */
int oci_system_artifact_check(const struct oci_manifest *m,
			      struct oci_system_artifact *out,
			      struct error *err);

/*
 * Check that every layer of m can be mounted at boot: a squashfs layer with
 * a verity root hash. Returns 0, or -EOPNOTSUPP (tar or unknown layer type)
 * or -OCIBOOT_EMALFORMED (no root hash) with *err naming the layer.
 */
int oci_manifest_check_bootable(const struct oci_manifest *m,
				struct error *err);

/* The kind of layer a media type names (exact match, case-sensitive). */
enum oci_layer_kind oci_layer_kind(const char *media_type);

/*
 * The index of the entry of idx whose ref.name annotation is ref_name;
 * -ENOENT if none, -ENOTUNIQ if several.
 */
int oci_index_find(const struct oci_index *idx, const char *ref_name);

/*
 * Parse a digest "sha256:<64 lowercase hex>" from s[0..len). Returns 0 and
 * fills digest; else -EOPNOTSUPP (another algorithm) or -OCIBOOT_EMALFORMED
 * with *reason (static text) set. digest is written only on success.
 */
int oci_digest_parse(const char *s, size_t len, uint8_t digest[SHA256_LEN],
		     const char **reason);

/* "sha256:<hex>" of digest into out[OCI_DIGEST_STRING_LEN + 1]. */
void oci_digest_string(const uint8_t digest[SHA256_LEN],
		       char out[OCI_DIGEST_STRING_LEN + 1]);

#endif
