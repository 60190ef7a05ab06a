/* SPDX-License-Identifier: MIT */
/*
 * Tests of oci/oci on real documents (an image, its config and an OCI
 * layout index as skopeo wrote them; a stacker-style squashfs manifest; a
 * multi-platform index; a system manifest and its artifact), every
 * truncation of each, a table of mutations that must be refused with a
 * given error, reason and path, the caps, and a comparison of the parsed
 * fields with what jq (when installed) reads from the same documents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci/oci.h"
#include "lib/util.h"

static struct json_token tokens[OCI_TOKENS_MAX];
static struct oci_index index_out;
static struct oci_manifest manifest_out;
static struct oci_config config_out;
static struct oci_system_manifest system_out;

/* skopeo copy --format oci dir:IMAGE oci:LAYOUT:v1.0, then :latest. */
static const char skopeo_manifest[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
	"manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci."
	"image.config.v1+json\",\"digest\":\"sha256:97a0b293df9c057f98869069"
	"c57f09847dcf4c558facf8030ef151d1b4e1cee8\",\"size\":297},\"layers\":"
	"[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"d"
	"igest\":\"sha256:29c031be132ad11a3befa720348ef5b3f64e1bd735fc174775"
	"0687d265be6ccd\",\"size\":112}]}";

static const char skopeo_index[] =
	"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd."
	"oci.image.manifest.v1+json\",\"digest\":\"sha256:ca67774e1c98028781"
	"81f9a506f71e4cf923a35ae4bd6726297632e55392f73c\",\"size\":401,\"ann"
	"otations\":{\"org.opencontainers.image.ref.name\":\"v1.0\"}},{\"medi"
	"aType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
	"sha256:ca67774e1c9802878181f9a506f71e4cf923a35ae4bd6726297632e55392"
	"f73c\",\"size\":401,\"annotations\":{\"org.opencontainers.image.ref."
	"name\":\"latest\"}}]}";

static const char skopeo_config[] =
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"P"
	"ATH=/usr/bin:/bin\"],\"Entrypoint\":[\"/sbin/init\"],\"Cmd\":[\"--log"
	"-level=info\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\","
	"\"diff_ids\":[\"sha256:886a33f2aad387ac214bd2b2f07289e19e993727c10b"
	"e25e1208582e37ef5883\"]},\"history\":[{\"created_by\":\"test\"}]}";

/* As stacker writes a squashfs image (pretty-printed here). */
static const char stacker_manifest[] =
	"{\n"
	"  \"schemaVersion\": 2,\n"
	"  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"  \"config\": {\n"
	"    \"mediaType\": \"application/vnd.oci.image.config.v1+json\",\n"
	"    \"digest\": \"sha256:e67d23e7820c49a8051dac2831f38290f5e72f66c8d"
	"b5079eeb60d82f14894c0\",\n"
	"    \"size\": 1234\n"
	"  },\n"
	"  \"layers\": [\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.stacker.image.layer.squashfs+"
	"zstd+verity\",\n"
	"      \"digest\": \"sha256:589f0d58b9053a4ff7329b8fdb4f9dd120e29354c0"
	"86ad0b3b10733f6cfd6de3\",\n"
	"      \"size\": 4198400,\n"
	"      \"annotations\": {\n"
	"        \"io.stackeroci.stacker.atomfs_verity_root_hash\": \"0a16c2d6"
	"4ed82e34fef8780a5148b423071b39fbc06b63f270c03b2eab5bbdb8\"\n"
	"      }\n"
	"    },\n"
	"    {\n"
	"      \"mediaType\": \"application/vnd.stacker.image.layer.squashfs+"
	"zstd+verity\",\n"
	"      \"digest\": \"sha256:55fea2a37a9fc5963f1beccd0d162b856e6bd05ca0"
	"7cdd3726847846ab740f0d\",\n"
	"      \"size\": 8192,\n"
	"      \"annotations\": {\n"
	"        \"io.stackeroci.stacker.squashfs_verity_root_hash\": \"235049"
	"db67094fd25bd75398b730aa6f8379ea6a60f5c50c4fe69ea39fa74ef0\",\n"
	"        \"io.stackeroci.stacker.atomfs_verity_root_hash\": \"235049db"
	"67094fd25bd75398b730aa6f8379ea6a60f5c50c4fe69ea39fa74ef0\",\n"
	"        \"io.stackeroci.stacker.git_version\": \"v1.0.0\"\n"
	"      }\n"
	"    }\n"
	"  ],\n"
	"  \"annotations\": {\n"
	"    \"org.opencontainers.image.created\": \"2024-01-01T00:00:00Z\"\n"
	"  }\n"
	"}\n";

static const char platform_index[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index"
	".v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image"
	".manifest.v1+json\",\"digest\":\"sha256:0a16c2d64ed82e34fef8780a5148"
	"b423071b39fbc06b63f270c03b2eab5bbdb8\",\"size\":7143,\"platform\":{"
	"\"architecture\":\"amd64\",\"os\":\"linux\"}},{\"mediaType\":\"applic"
	"ation/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:235049db6"
	"7094fd25bd75398b730aa6f8379ea6a60f5c50c4fe69ea39fa74ef0\",\"size\":7"
	"682,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"varia"
	"nt\":\"v8\",\"os.features\":[\"x\"]},\"urls\":[\"https://example.com"
	"\"],\"artifactType\":\"application/vnd.example+type\"}],\"annotation"
	"s\":{\"com.example.key1\":\"value1\"},\"future\":{\"ignored\":true}}";

static const char system_manifest[] =
	"{\n"
	"  \"schemaVersion\": 1,\n"
	"  \"mediaType\": \"application/vnd.ociboot.system.manifest.v1+json"
	"\",\n"
	"  \"product\": \"5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31\",\n"
	"  \"version\": 7,\n"
	"  \"rootfs\": {\n"
	"    \"repository\": \"acme/router/rootfs\",\n"
	"    \"digest\": \"sha256:ca67774e1c9802878181f9a506f71e4cf923a35ae4bd"
	"6726297632e55392f73c\",\n"
	"    \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"    \"size\": 401\n"
	"  },\n"
	"  \"services\": [\n"
	"    {\n"
	"      \"name\": \"sshd\",\n"
	"      \"repository\": \"acme/sshd\",\n"
	"      \"digest\": \"sha256:0a16c2d64ed82e34fef8780a5148b423071b39fbc0"
	"6b63f270c03b2eab5bbdb8\"\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"dns.cache-2\",\n"
	"      \"digest\": \"sha256:235049db67094fd25bd75398b730aa6f8379ea6a60"
	"f5c50c4fe69ea39fa74ef0\",\n"
	"      \"annotations\": {\"org.example.note\": \"x\"}\n"
	"    }\n"
	"  ],\n"
	"  \"annotations\": {\n"
	"    \"org.opencontainers.image.created\": \"2024-01-01T00:00:00Z\",\n"
	"    \"org.example.anything\": \"\"\n"
	"  }\n"
	"}\n";

static const char system_artifact[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manif"
	"est.v1+json\",\"artifactType\":\"application/vnd.ociboot.system.v1\""
	",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"d"
	"igest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c"
	"060f61caaff8a\",\"size\":2,\"data\":\"e30=\"},\"layers\":[{\"mediaTy"
	"pe\":\"application/vnd.ociboot.system.manifest.v1+json\",\"digest\":"
	"\"sha256:518b67e652531c5fe7e25d6b2c3b4ef6224e7d90da2091967dd47eb082b"
	"26a19\",\"size\":812},{\"mediaType\":\"application/vnd.ociboot.syste"
	"m.signature.v1\",\"digest\":\"sha256:a543997d84f12798350c09bdef2cdb1"
	"71bf41ed3e4a5f808af2feb0c56263009\",\"size\":71},{\"mediaType\":\"ap"
	"plication/vnd.ociboot.system.certificate.v1+der\",\"digest\":\"sha25"
	"6:06298432e8066b29e2223bcc23aa9504b56ae508fabf3435508869b9c3190e22\""
	",\"size\":602}]}";

enum kind { INDEX, MANIFEST, CONFIG, SYSTEM };

static int parse_as(enum kind kind, const char *text, size_t len,
		    struct error *err)
{
	error_clear(err);
	switch (kind) {
	case INDEX:
		return oci_index_parse(text, len, tokens, OCI_TOKENS_MAX,
				       &index_out, err);
	case MANIFEST:
		return oci_manifest_parse(text, len, tokens, OCI_TOKENS_MAX,
					  &manifest_out, err);
	case CONFIG:
		return oci_config_parse(text, len, tokens, OCI_TOKENS_MAX,
					&config_out, err);
	case SYSTEM:
		return oci_system_manifest_parse(text, len, tokens,
						 OCI_TOKENS_MAX, &system_out,
						 err);
	}
	return -EINVAL;
}

static void digest_of(const char *hex, uint8_t out[SHA256_LEN])
{
	assert_int_equal(sha256_from_hex(hex, strlen(hex), out), 0);
}

static void assert_digest(const uint8_t d[SHA256_LEN], const char *hex)
{
	char s[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(d, s);
	assert_string_equal(s + 7, hex);
	assert_memory_equal(s, "sha256:", 7);
}

static void test_skopeo_documents(void **state)
{
	struct error err;

	assert_int_equal(parse_as(MANIFEST, skopeo_manifest,
				  strlen(skopeo_manifest), &err), 0);
	assert_string_equal(manifest_out.media_type, OCI_MEDIA_TYPE_MANIFEST);
	assert_string_equal(manifest_out.artifact_type, "");
	assert_string_equal(manifest_out.config.media_type,
			    OCI_MEDIA_TYPE_CONFIG);
	assert_digest(manifest_out.config.digest, "97a0b293df9c057f98869069c5"
		      "7f09847dcf4c558facf8030ef151d1b4e1cee8");
	assert_int_equal(manifest_out.config.size, 297);
	assert_int_equal(manifest_out.config.kind, OCI_LAYER_OTHER);
	assert_int_equal(manifest_out.layer_count, 1);
	assert_int_equal(manifest_out.layers[0].kind, OCI_LAYER_TAR);
	assert_int_equal(manifest_out.layers[0].size, 112);
	assert_false(manifest_out.layers[0].has_verity_root);
	assert_digest(manifest_out.layers[0].digest, "29c031be132ad11a3befa72"
		      "0348ef5b3f64e1bd735fc1747750687d265be6ccd");
	assert_int_equal(oci_manifest_check_bootable(&manifest_out, &err),
			 -EOPNOTSUPP);
	assert_string_equal(err.where, "$.layers[0].mediaType");
	assert_string_equal(err.why, "tar layers cannot be verified at "
			    "boot; use squashfs layers");

	assert_int_equal(parse_as(INDEX, skopeo_index, strlen(skopeo_index),
				  &err), 0);
	assert_string_equal(index_out.media_type, "");
	assert_int_equal(index_out.manifest_count, 2);
	assert_string_equal(index_out.manifests[0].ref_name, "v1.0");
	assert_string_equal(index_out.manifests[1].ref_name, "latest");
	assert_int_equal(index_out.manifests[1].size, 401);
	assert_digest(index_out.manifests[1].digest, "ca67774e1c9802878181f9a"
		      "506f71e4cf923a35ae4bd6726297632e55392f73c");
	assert_int_equal(oci_index_find(&index_out, "latest"), 1);
	assert_int_equal(oci_index_find(&index_out, "v1.0"), 0);
	assert_int_equal(oci_index_find(&index_out, "v1"), -ENOENT);
	assert_int_equal(oci_index_find(&index_out, ""), -ENOENT);
	strcpy(index_out.manifests[0].ref_name, "latest");
	assert_int_equal(oci_index_find(&index_out, "latest"), -ENOTUNIQ);

	assert_int_equal(parse_as(CONFIG, skopeo_config, strlen(skopeo_config),
				  &err), 0);
	assert_string_equal(config_out.architecture, "amd64");
	assert_string_equal(config_out.os, "linux");
	assert_int_equal(config_out.entrypoint_count, 1);
	assert_string_equal(oci_config_string(&config_out,
					      config_out.entrypoint[0]),
			    "/sbin/init");
	assert_int_equal(config_out.cmd_count, 1);
	assert_string_equal(oci_config_string(&config_out, config_out.cmd[0]),
			    "--log-level=info");
	assert_int_equal(config_out.env_count, 1);
	assert_string_equal(oci_config_string(&config_out, config_out.env[0]),
			    "PATH=/usr/bin:/bin");
	assert_true(config_out.has_working_dir);
	assert_string_equal(oci_config_string(&config_out,
					      config_out.working_dir), "/");
	assert_int_equal(config_out.diff_id_count, 1);
	assert_digest(config_out.diff_ids[0], "886a33f2aad387ac214bd2b2f07289"
		      "e19e993727c10be25e1208582e37ef5883");
	assert_string_equal(oci_config_string(&config_out, 99999), "");
}

static void test_stacker_manifest(void **state)
{
	struct error err;
	uint8_t root[SHA256_LEN];

	assert_int_equal(parse_as(MANIFEST, stacker_manifest,
				  strlen(stacker_manifest), &err), 0);
	assert_int_equal(manifest_out.layer_count, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(manifest_out.layers[i].media_type,
				    "application/vnd.stacker.image.layer."
				    "squashfs+zstd+verity");
		assert_int_equal(manifest_out.layers[i].kind,
				 OCI_LAYER_SQUASHFS);
		assert_true(manifest_out.layers[i].has_verity_root);
	}
	digest_of("0a16c2d64ed82e34fef8780a5148b423071b39fbc06b63f270c03b2eab"
		  "5bbdb8", root);
	assert_memory_equal(manifest_out.layers[0].verity_root, root,
			    SHA256_LEN);
	digest_of("235049db67094fd25bd75398b730aa6f8379ea6a60f5c50c4fe69ea39f"
		  "a74ef0", root);
	assert_memory_equal(manifest_out.layers[1].verity_root, root,
			    SHA256_LEN);
	assert_int_equal(manifest_out.layers[0].size, 4198400);
	assert_int_equal(oci_manifest_check_bootable(&manifest_out, &err), 0);

	manifest_out.layers[1].has_verity_root = false;
	assert_int_equal(oci_manifest_check_bootable(&manifest_out, &err),
			 -OCIBOOT_EMALFORMED);
	assert_string_equal(err.where, "$.layers[1].annotations");
	assert_string_equal(err.why,
			    "squashfs layer has no verity root hash "
			    "annotation");
	strcpy(manifest_out.layers[1].media_type, "application/x-foo");
	manifest_out.layers[1].kind = OCI_LAYER_OTHER;
	assert_int_equal(oci_manifest_check_bootable(&manifest_out, &err),
			 -EOPNOTSUPP);
	assert_string_equal(err.why, "unknown layer media type");
}

static void test_platform_index(void **state)
{
	struct error err;

	assert_int_equal(parse_as(INDEX, platform_index,
				  strlen(platform_index), &err), 0);
	assert_string_equal(index_out.media_type, OCI_MEDIA_TYPE_INDEX);
	assert_int_equal(index_out.manifest_count, 2);
	assert_string_equal(index_out.manifests[0].architecture, "amd64");
	assert_string_equal(index_out.manifests[0].os, "linux");
	assert_string_equal(index_out.manifests[0].variant, "");
	assert_string_equal(index_out.manifests[1].architecture, "arm64");
	assert_string_equal(index_out.manifests[1].variant, "v8");
	assert_string_equal(index_out.manifests[1].artifact_type,
			    "application/vnd.example+type");
	assert_string_equal(index_out.manifests[1].ref_name, "");
}

static void test_system_manifest(void **state)
{
	static const uint8_t uuid[16] = {
		0x5b, 0x0e, 0x4f, 0x6c, 0x2f, 0x9a, 0x4d, 0x0e,
		0x9c, 0x1b, 0x6a, 0x4f, 0x2d, 0x8e, 0x7b, 0x31,
	};
	struct error err;

	assert_int_equal(parse_as(SYSTEM, system_manifest,
				  strlen(system_manifest), &err), 0);
	assert_string_equal(system_out.product,
			    "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31");
	assert_memory_equal(system_out.product_uuid, uuid, 16);
	assert_true(system_out.version == 7);
	assert_string_equal(system_out.rootfs.name, "");
	assert_string_equal(system_out.rootfs.repository,
			    "acme/router/rootfs");
	assert_digest(system_out.rootfs.digest, "ca67774e1c9802878181f9a506f"
		      "71e4cf923a35ae4bd6726297632e55392f73c");
	assert_int_equal(system_out.rootfs.size, 401);
	assert_int_equal(system_out.service_count, 2);
	assert_string_equal(system_out.services[0].name, "sshd");
	assert_string_equal(system_out.services[0].repository, "acme/sshd");
	assert_int_equal(system_out.services[0].size, -1);
	assert_string_equal(system_out.services[1].name, "dns.cache-2");
	assert_string_equal(system_out.services[1].repository, "");
	assert_digest(system_out.services[1].digest, "235049db67094fd25bd7539"
		      "8b730aa6f8379ea6a60f5c50c4fe69ea39fa74ef0");
}

static void test_system_artifact(void **state)
{
	struct oci_system_artifact art;
	struct oci_manifest m;
	struct error err;

	assert_int_equal(parse_as(MANIFEST, system_artifact,
				  strlen(system_artifact), &err), 0);
	m = manifest_out;
	assert_string_equal(m.artifact_type, OCI_ARTIFACT_TYPE_SYSTEM);
	assert_int_equal(oci_system_artifact_check(&m, &art, &err), 0);
	assert_string_equal(art.manifest.media_type,
			    OCI_MEDIA_TYPE_SYSTEM_MANIFEST);
	assert_int_equal(art.manifest.size, 812);
	assert_int_equal(art.signature.size, 71);
	assert_digest(art.certificate.digest, "06298432e8066b29e2223bcc23aa95"
		      "04b56ae508fabf3435508869b9c3190e22");
	/* The artifact is not bootable as an image. */
	assert_int_equal(oci_manifest_check_bootable(&m, &err), -EOPNOTSUPP);

	m.layers[1].size = OCI_SYSTEM_SIGNATURE_SIZE_MAX + 1;
	assert_int_equal(oci_system_artifact_check(&m, &art, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(err.where, "$.layers[1].size");
	assert_true(art.manifest.size == 0);	/* cleared on failure */
	m = manifest_out;
	m.layers[2] = manifest_out.layers[1];
	assert_int_equal(oci_system_artifact_check(&m, &art, &err),
			 -OCIBOOT_EMALFORMED);
	assert_string_equal(err.where, "$.layers[2].mediaType");
	m = manifest_out;
	m.layer_count = 2;
	assert_int_equal(oci_system_artifact_check(&m, &art, &err),
			 -OCIBOOT_EMALFORMED);
	assert_string_equal(err.where, "$.layers");
	m = manifest_out;
	m.config.digest[31] ^= 1;
	assert_int_equal(oci_system_artifact_check(&m, &art, &err),
			 -OCIBOOT_EMALFORMED);
	assert_string_equal(err.why, "config is not the empty descriptor");
	m = manifest_out;
	strcpy(m.artifact_type, "application/vnd.ociboot.system.v2");
	assert_int_equal(oci_system_artifact_check(&m, &art, &err),
			 -OCIBOOT_EMALFORMED);
	assert_string_equal(err.where, "$.artifactType");
	m = manifest_out;
	m.artifact_type[0] = '\0';
	assert_int_equal(oci_system_artifact_check(&m, &art, &err),
			 -OCIBOOT_EMALFORMED);
}

struct valid_doc {
	enum kind kind;
	const char *text;
};

static const struct valid_doc valid_docs[] = {
	{ MANIFEST, skopeo_manifest }, { INDEX, skopeo_index },
	{ CONFIG, skopeo_config }, { MANIFEST, stacker_manifest },
	{ INDEX, platform_index }, { SYSTEM, system_manifest },
	{ MANIFEST, system_artifact },
};

static void test_truncation(void **state)
{
	size_t checked = 0;

	for (size_t i = 0; i < ARRAY_SIZE(valid_docs); i++) {
		const char *text = valid_docs[i].text;
		size_t len = strlen(text);
		char *copy = malloc(len);

		assert_non_null(copy);
		/* The pretty-printed ones end in '\n', valid without it. */
		if (text[len - 1] == '\n')
			len--;
		for (size_t n = 0; n < len; n++) {
			struct error err;
			int r;

			/* At the end of its buffer, so ASan sees overreads. */
			memcpy(copy + len - n, text, n);
			r = parse_as(valid_docs[i].kind, copy + len - n, n,
				     &err);
			if (r != -OCIBOOT_EMALFORMED)
				print_error("doc %zu prefix %zu: %d\n", i, n,
					    r);
			assert_int_equal(r, -OCIBOOT_EMALFORMED);
			assert_true(err.code < 0);
			checked++;
		}
		free(copy);
	}
	assert_true(checked > 4000);
}

/* One change to a valid document and the refusal it must cause. */
struct mutation {
	enum kind kind;
	const char *base;
	const char *from;	/* occurs exactly once in base */
	const char *to;
	int err;		/* 0: still valid */
	const char *reason;
	const char *path;
};

#define H64 "0a16c2d64ed82e34fef8780a5148b423071b39fbc06b63f270c03b2eab5bbdb8"
#define SM system_manifest
#define SK skopeo_manifest
#define ST stacker_manifest
#define FOLDS(field) "key differs from the field \"" field "\" only in " \
	"case (Go's encoding/json reads it as that field)"
#define TWO_FOLD "two keys of this object differ only in case (Go's " \
	"encoding/json reads the last)"

static const struct mutation mutations[] = {
	/* image manifest */
	{ MANIFEST, SK, "\"schemaVersion\":2", "\"schemaVersion\":1",
	  -OCIBOOT_EMALFORMED, "unsupported schemaVersion",
	  "$.schemaVersion" },
	{ MANIFEST, SK, "\"schemaVersion\":2", "\"schemaVersion\":2.0",
	  -OCIBOOT_EMALFORMED, "unsupported schemaVersion",
	  "$.schemaVersion" },
	{ MANIFEST, SK, "\"schemaVersion\":2", "\"schemaVersion\":\"2\"",
	  -OCIBOOT_EMALFORMED, "must be a number", "$.schemaVersion" },
	{ MANIFEST, SK, "\"schemaVersion\":2,", "", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.schemaVersion" },
	{ MANIFEST, SK, "\"mediaType\":\"application/vnd.oci.image.manifest."
	  "v1+json\",", "", 0, NULL, NULL },
	{ MANIFEST, SK, "image.manifest.v1+json", "image.index.v1+json",
	  -OCIBOOT_EMALFORMED, "mediaType is not an image manifest",
	  "$.mediaType" },
	{ MANIFEST, SK, "application/vnd.oci.image.manifest.v1+json",
	  "application/vnd.docker.distribution.manifest.v2+json",
	  -OCIBOOT_EMALFORMED, "mediaType is not an image manifest",
	  "$.mediaType" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"manifests\":[],\"schemaVersion\":2,", -OCIBOOT_EMALFORMED,
	  "an image manifest has no manifests (ambiguous document)",
	  "$.manifests" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,", "[{\"schemaVersion\":2,",
	  -OCIBOOT_EMALFORMED, "unexpected end of input", "$" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"schemaVersion\":2,\"schemaVersion\":2,", -OCIBOOT_EMALFORMED,
	  "duplicate key in object", "$.schemaVersion" },
	{ MANIFEST, SK, "\"digest\":\"sha256:97a0",
	  "\"digest\":\"sha512:97a0", -EOPNOTSUPP,
	  "digest algorithm is not sha256", "$.config.digest" },
	{ MANIFEST, SK, "\"digest\":\"sha256:97a0",
	  "\"digest\":\"sha256+b64u:97a0", -EOPNOTSUPP,
	  "digest algorithm is not sha256", "$.config.digest" },
	{ MANIFEST, SK, "\"digest\":\"sha256:97a0",
	  "\"digest\":\"SHA256:97a0", -OCIBOOT_EMALFORMED,
	  "digest is not algorithm:encoded", "$.config.digest" },
	{ MANIFEST, SK, "\"digest\":\"sha256:97a0",
	  "\"digest\":\"sha256::97a0", -OCIBOOT_EMALFORMED,
	  "digest is not algorithm:encoded", "$.config.digest" },
	{ MANIFEST, SK, "\"digest\":\"sha256:97a0",
	  "\"digest\":\"sha256:97A0", -OCIBOOT_EMALFORMED,
	  "sha256 digest is not 64 lowercase hex digits", "$.config.digest" },
	{ MANIFEST, SK, "d265be6ccd\"", "d265be6cc\"", -OCIBOOT_EMALFORMED,
	  "sha256 digest is not 64 lowercase hex digits",
	  "$.layers[0].digest" },
	{ MANIFEST, SK, "d265be6ccd\"", "d265be6ccd0\"", -OCIBOOT_EMALFORMED,
	  "sha256 digest is not 64 lowercase hex digits",
	  "$.layers[0].digest" },
	{ MANIFEST, SK, "d265be6ccd\"", "d265be6ccz\"", -OCIBOOT_EMALFORMED,
	  "sha256 digest is not 64 lowercase hex digits",
	  "$.layers[0].digest" },
	{ MANIFEST, SK, "\"sha256:29c031be132ad11a3befa720348ef5b3f64e1bd735f"
	  "c1747750687d265be6ccd\"", "\"sha256\"", -OCIBOOT_EMALFORMED,
	  "digest is not algorithm:encoded", "$.layers[0].digest" },
	{ MANIFEST, SK, "\"sha256:29c031be132ad11a3befa720348ef5b3f64e1bd735f"
	  "c1747750687d265be6ccd\"", "\"\"", -OCIBOOT_EMALFORMED,
	  "digest is not algorithm:encoded", "$.layers[0].digest" },
	{ MANIFEST, SK, "\"sha256:29c031be132ad11a3befa720348ef5b3f64e1bd735f"
	  "c1747750687d265be6ccd\"", "29", -OCIBOOT_EMALFORMED,
	  "must be a string", "$.layers[0].digest" },
	{ MANIFEST, SK, "\"size\":112", "\"size\":-1", -OCIBOOT_EMALFORMED,
	  "size must be a non-negative 64-bit integer", "$.layers[0].size" },
	{ MANIFEST, SK, "\"size\":112", "\"size\":112.0",
	  -OCIBOOT_EMALFORMED, "size must be a non-negative 64-bit integer",
	  "$.layers[0].size" },
	{ MANIFEST, SK, "\"size\":112", "\"size\":1e3", -OCIBOOT_EMALFORMED,
	  "size must be a non-negative 64-bit integer", "$.layers[0].size" },
	{ MANIFEST, SK, "\"size\":112", "\"size\":9223372036854775808",
	  -OCIBOOT_EMALFORMED, "size must be a non-negative 64-bit integer",
	  "$.layers[0].size" },
	{ MANIFEST, SK, "\"size\":112", "\"size\":9223372036854775807", 0,
	  NULL, NULL },
	{ MANIFEST, SK, "\"size\":112", "\"size\":\"112\"",
	  -OCIBOOT_EMALFORMED, "must be a number", "$.layers[0].size" },
	{ MANIFEST, SK, ",\"size\":112", "", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.layers[0].size" },
	{ MANIFEST, SK, "\"mediaType\":\"application/vnd.oci.image.layer.v1."
	  "tar+gzip\",", "", -OCIBOOT_EMALFORMED, "required field is missing",
	  "$.layers[0].mediaType" },
	{ MANIFEST, SK, "application/vnd.oci.image.layer.v1.tar+gzip",
	  "tar+gzip", -OCIBOOT_EMALFORMED, "not a valid media type",
	  "$.layers[0].mediaType" },
	{ MANIFEST, SK, "application/vnd.oci.image.layer.v1.tar+gzip",
	  "application/x; charset=utf-8", -OCIBOOT_EMALFORMED,
	  "not a valid media type", "$.layers[0].mediaType" },
	{ MANIFEST, SK, "application/vnd.oci.image.layer.v1.tar+gzip",
	  "application/", -OCIBOOT_EMALFORMED, "not a valid media type",
	  "$.layers[0].mediaType" },
	{ MANIFEST, SK, "application/vnd.oci.image.layer.v1.tar+gzip",
	  "/x", -OCIBOOT_EMALFORMED, "not a valid media type",
	  "$.layers[0].mediaType" },
	{ MANIFEST, SK, "\"layers\":[", "\"layers\":{\"a\":",
	  -OCIBOOT_EMALFORMED, "',' or '}' was expected", "$.layers" },
	{ MANIFEST, SK, "\"layers\":[{", "\"layers\":[7,{",
	  -OCIBOOT_EMALFORMED, "descriptor must be an object",
	  "$.layers[0]" },
	{ MANIFEST, SK, "\"layers\":[", "\"layerz\":[", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.layers" },
	{ MANIFEST, SK, "\"config\":", "\"konfig\":", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.config" },
	{ MANIFEST, SK, "\"config\":{", "\"config\":[{",
	  -OCIBOOT_EMALFORMED, "',' or ']' was expected", "$.config" },
	{ MANIFEST, SK, "\"size\":297}", "\"size\":297,\"urls\":[],"
	  "\"annotations\":{\"x\":1}}", -OCIBOOT_EMALFORMED,
	  "annotation value must be a string", "$.config.annotations.x" },
	{ MANIFEST, SK, "\"size\":297}", "\"size\":297,\"annotations\":[]}",
	  -OCIBOOT_EMALFORMED, "must be an object", "$.config.annotations" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,", "{\"annotations\":{\"a\":"
	  "null},\"schemaVersion\":2,", -OCIBOOT_EMALFORMED,
	  "annotation value must be a string", "$.annotations.a" },
	{ MANIFEST, SK, "\"size\":297}", "\"size\":297,\"artifactType\":\"x\""
	  "}", -OCIBOOT_EMALFORMED, "not a valid media type",
	  "$.config.artifactType" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,", "{\"artifactType\":\"a/b\","
	  "\"subject\":{},\"future\":[1],\"schemaVersion\":2,", 0, NULL,
	  NULL },
	{ MANIFEST, SK, "\"size\":112}", "\"size\":112,\"annotations\":{\""
	  "org.opencontainers.image.ref.name\":\"x\\u0000\"}}",
	  -OCIBOOT_EMALFORMED, "string contains U+0000",
	  "$.layers[0].annotations.org.opencontainers.image.ref.name" },
	{ MANIFEST, ST, "\"0a16c2d64ed82e34fef8780a5148b423071b39fbc06b63f270c"
	  "03b2eab5bbdb8\"", "\"0A16c2d64ed82e34fef8780a5148b423071b39fbc06b6"
	  "3f270c03b2eab5bbdb8\"", -OCIBOOT_EMALFORMED,
	  "verity root hash is not 64 lowercase hex digits",
	  "$.layers[0].annotations." OCI_ANNOTATION_VERITY_ROOT },
	{ MANIFEST, ST, "\"0a16c2d64ed82e34fef8780a5148b423071b39fbc06b63f270c"
	  "03b2eab5bbdb8\"", "\"0a16\"", -OCIBOOT_EMALFORMED,
	  "verity root hash is not 64 lowercase hex digits",
	  "$.layers[0].annotations." OCI_ANNOTATION_VERITY_ROOT },
	{ MANIFEST, ST, "\"0a16c2d64ed82e34fef8780a5148b423071b39fbc06b63f270c"
	  "03b2eab5bbdb8\"", "null", -OCIBOOT_EMALFORMED,
	  "annotation value must be a string",
	  "$.layers[0].annotations." OCI_ANNOTATION_VERITY_ROOT },
	{ MANIFEST, ST, "\"235049db67094fd25bd75398b730aa6f8379ea6a60f5c50c4fe"
	  "69ea39fa74ef0\",\n        \"io.stackeroci.stacker.atomfs",
	  "\"235049db67094fd25bd75398b730aa6f8379ea6a60f5c50c4fe69ea39fa74ef1"
	  "\",\n        \"io.stackeroci.stacker.atomfs", -OCIBOOT_EMALFORMED,
	  "the two verity root hash annotations differ",
	  "$.layers[1].annotations." OCI_ANNOTATION_VERITY_ROOT },
	{ MANIFEST, ST, "squashfs+zstd+verity\",\n      \"digest\": \"sha256:"
	  "589f", "squashfs+gzip\",\n      \"digest\": \"sha256:589f", 0,
	  NULL, NULL },
	/* image index */
	{ INDEX, skopeo_index, "{\"schemaVersion\":2,", "{\"schemaVersion\":2"
	  ",\"layers\":[],", -OCIBOOT_EMALFORMED,
	  "an image index has no layers (ambiguous document)", "$.layers" },
	{ INDEX, skopeo_index, "{\"schemaVersion\":2,", "{\"schemaVersion\":2"
	  ",\"config\":{},", -OCIBOOT_EMALFORMED,
	  "an image index has no config (ambiguous document)", "$.config" },
	{ INDEX, skopeo_index, "{\"schemaVersion\":2,", "{\"schemaVersion\":2"
	  ",\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",",
	  -OCIBOOT_EMALFORMED, "mediaType is not an image index",
	  "$.mediaType" },
	{ INDEX, skopeo_index, "{\"schemaVersion\":2,", "{\"schemaVersion\":3"
	  ",", -OCIBOOT_EMALFORMED, "unsupported schemaVersion",
	  "$.schemaVersion" },
	{ INDEX, skopeo_index, "\"manifests\":[", "\"manifestz\":[",
	  -OCIBOOT_EMALFORMED, "required field is missing", "$.manifests" },
	{ INDEX, skopeo_index, ".ref.name\":\"latest\"", ".ref.name\":\""
	  "latest\",\"" OCI_ANNOTATION_REF_NAME "\":\"x\"",
	  -OCIBOOT_EMALFORMED, "duplicate key in object",
	  "$.manifests[1].annotations." OCI_ANNOTATION_REF_NAME },
	{ INDEX, skopeo_index, "\"size\":401,\"annotations\":{\"org.opencont"
	  "ainers.image.ref.name\":\"latest\"}", "\"size\":401,\"platform\":{"
	  "\"architecture\":\"amd64\"}", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.manifests[1].platform.os" },
	{ INDEX, platform_index, "\"variant\":\"v8\"", "\"variant\":\"v8-and-"
	  "a-very-long-variant-string\"", -OCIBOOT_ETOOBIG, "string too long",
	  "$.manifests[1].platform.variant" },
	{ INDEX, platform_index, "\"platform\":{\"architecture\":\"amd64\""
	  ",\"os\":\"linux\"}", "\"platform\":\"linux/amd64\"",
	  -OCIBOOT_EMALFORMED, "must be an object",
	  "$.manifests[0].platform" },
	{ INDEX, platform_index, "\"artifactType\":\"application/vnd.example"
	  "+type\"", "\"artifactType\":7", -OCIBOOT_EMALFORMED,
	  "must be a string", "$.manifests[1].artifactType" },
	/* image config */
	{ CONFIG, skopeo_config, "\"type\":\"layers\"", "\"type\":\"tar\"",
	  -OCIBOOT_EMALFORMED, "rootfs type is not \"layers\"",
	  "$.rootfs.type" },
	{ CONFIG, skopeo_config, "\"type\":\"layers\",", "",
	  -OCIBOOT_EMALFORMED, "required field is missing", "$.rootfs.type" },
	{ CONFIG, skopeo_config, "\"diff_ids\":[\"sha256:",
	  "\"diff_ids\":[\"sha384:", -EOPNOTSUPP,
	  "digest algorithm is not sha256", "$.rootfs.diff_ids[0]" },
	{ CONFIG, skopeo_config, "\"diff_ids\":[", "\"diff_ids\":[null,",
	  -OCIBOOT_EMALFORMED, "must be a string", "$.rootfs.diff_ids[0]" },
	{ CONFIG, skopeo_config, "\"rootfs\":", "\"rootfz\":",
	  -OCIBOOT_EMALFORMED, "required field is missing", "$.rootfs" },
	{ CONFIG, skopeo_config, "\"PATH=/usr/bin:/bin\"", "\"PATH\"",
	  -OCIBOOT_EMALFORMED, "Env entry is not NAME=value",
	  "$.config.Env[0]" },
	{ CONFIG, skopeo_config, "\"PATH=/usr/bin:/bin\"", "\"A=1\",\"=1\"",
	  -OCIBOOT_EMALFORMED, "Env entry is not NAME=value",
	  "$.config.Env[1]" },
	{ CONFIG, skopeo_config, "\"PATH=/usr/bin:/bin\"", "\"A=\\u0000\"",
	  -OCIBOOT_EMALFORMED, "string contains U+0000", "$.config.Env[0]" },
	{ CONFIG, skopeo_config, "\"Entrypoint\":[\"/sbin/init\"]",
	  "\"Entrypoint\":\"/sbin/init\"", -OCIBOOT_EMALFORMED,
	  "must be an array", "$.config.Entrypoint" },
	{ CONFIG, skopeo_config, "\"Entrypoint\":[\"/sbin/init\"]",
	  "\"Entrypoint\":[\"/sbin/init\",1]", -OCIBOOT_EMALFORMED,
	  "must be a string", "$.config.Entrypoint[1]" },
	{ CONFIG, skopeo_config, "\"Entrypoint\":[\"/sbin/init\"]",
	  "\"Entrypoint\":null", 0, NULL, NULL },
	{ CONFIG, skopeo_config, "\"config\":{", "\"config\":null,\"x\":{",
	  0, NULL, NULL },
	{ CONFIG, skopeo_config, "\"config\":{", "\"config\":[],\"x\":{",
	  -OCIBOOT_EMALFORMED, "must be an object", "$.config" },
	{ CONFIG, skopeo_config, "\"WorkingDir\":\"/\"", "\"WorkingDir\":0",
	  -OCIBOOT_EMALFORMED, "must be a string", "$.config.WorkingDir" },
	{ CONFIG, skopeo_config, "\"architecture\":\"amd64\",", "",
	  -OCIBOOT_EMALFORMED, "required field is missing",
	  "$.architecture" },
	{ CONFIG, skopeo_config, "\"os\":\"linux\"", "\"os\":[]",
	  -OCIBOOT_EMALFORMED, "must be a string", "$.os" },
	/* system manifest */
	{ SYSTEM, SM, "\"schemaVersion\": 1", "\"schemaVersion\": 2",
	  -EOPNOTSUPP, "unsupported schemaVersion", "$.schemaVersion" },
	{ SYSTEM, SM, "\"schemaVersion\": 1", "\"schemaVersion\": \"1\"",
	  -OCIBOOT_EMALFORMED, "must be a number", "$.schemaVersion" },
	{ SYSTEM, SM, "\"schemaVersion\": 1,", "", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.schemaVersion" },
	{ SYSTEM, SM, "\"mediaType\": \"application/vnd.ociboot.system.manif"
	  "est.v1+json\",", "", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.mediaType" },
	{ SYSTEM, SM, "system.manifest.v1+json", "system.manifest.v2+json",
	  -OCIBOOT_EMALFORMED, "mediaType is not a system manifest",
	  "$.mediaType" },
	{ SYSTEM, SM, "\"version\": 7,", "\"version\": 7, \"debug\": true,",
	  -EOPNOTSUPP, "unknown field (only annotations may hold new fields)",
	  "$.debug" },
	{ SYSTEM, SM, "\"org.example.anything\": \"\"",
	  "\"org.example.anything\": \"\", \"debug\": \"true\"", 0, NULL,
	  NULL },
	{ SYSTEM, SM, "\"size\": 401", "\"size\": 401, \"tag\": \"v1\"",
	  -EOPNOTSUPP, "unknown field (only annotations may hold new fields)",
	  "$.rootfs.tag" },
	{ SYSTEM, SM, "\"size\": 401", "\"size\": 401, \"name\": \"root\"",
	  -EOPNOTSUPP, "unknown field (only annotations may hold new fields)",
	  "$.rootfs.name" },
	{ SYSTEM, SM, "\"name\": \"sshd\",", "\"name\": \"sshd\", \"mount\": "
	  "1,", -EOPNOTSUPP,
	  "unknown field (only annotations may hold new fields)",
	  "$.services[0].mount" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "5B0E4F6C-2F9A-4D0E-9C1B-6A4F2D8E7B31", -OCIBOOT_EMALFORMED,
	  "product is not a lowercase 8-4-4-4-12 UUID", "$.product" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "5b0e4f6c2f9a4d0e9c1b6a4f2d8e7b31", -OCIBOOT_EMALFORMED,
	  "product is not a lowercase 8-4-4-4-12 UUID", "$.product" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "{5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31}", -OCIBOOT_EMALFORMED,
	  "product is not a lowercase 8-4-4-4-12 UUID", "$.product" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "5b0e4f6c-2f9a4-d0e-9c1b-6a4f2d8e7b31", -OCIBOOT_EMALFORMED,
	  "product is not a lowercase 8-4-4-4-12 UUID", "$.product" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b3", -OCIBOOT_EMALFORMED,
	  "product is not a lowercase 8-4-4-4-12 UUID", "$.product" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b3g", -OCIBOOT_EMALFORMED,
	  "product is not a lowercase 8-4-4-4-12 UUID", "$.product" },
	{ SYSTEM, SM, "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31",
	  "00000000-0000-0000-0000-000000000000", -OCIBOOT_EMALFORMED,
	  "product is the nil UUID", "$.product" },
	{ SYSTEM, SM, "\"5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31\"", "1",
	  -OCIBOOT_EMALFORMED, "must be a string", "$.product" },
	{ SYSTEM, SM, "\"version\": 7", "\"version\": -1",
	  -OCIBOOT_EMALFORMED, "version must be an integer from 0 to 2^53-1",
	  "$.version" },
	{ SYSTEM, SM, "\"version\": 7", "\"version\": 7.0",
	  -OCIBOOT_EMALFORMED, "version must be an integer from 0 to 2^53-1",
	  "$.version" },
	{ SYSTEM, SM, "\"version\": 7", "\"version\": 9007199254740992",
	  -OCIBOOT_EMALFORMED, "version must be an integer from 0 to 2^53-1",
	  "$.version" },
	{ SYSTEM, SM, "\"version\": 7", "\"version\": 9007199254740991", 0,
	  NULL, NULL },
	{ SYSTEM, SM, "\"version\": 7", "\"version\": 0", 0, NULL, NULL },
	{ SYSTEM, SM, "\"version\": 7", "\"version\": \"7\"",
	  -OCIBOOT_EMALFORMED, "must be a number", "$.version" },
	{ SYSTEM, SM, "\"version\": 7,", "", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.version" },
	{ SYSTEM, SM, "\"rootfs\":", "\"rootfz\":", -EOPNOTSUPP,
	  "unknown field (only annotations may hold new fields)", "$.rootfz" },
	{ SYSTEM, SM, "\"rootfs\": {", "\"rootfs\": 1, \"x\": {",
	  -EOPNOTSUPP, "unknown field (only annotations may hold new fields)",
	  "$.x" },
	{ SYSTEM, SM, "\"digest\": \"sha256:ca67", "\"digezt\": \"sha256:ca67",
	  -EOPNOTSUPP, "unknown field (only annotations may hold new fields)",
	  "$.rootfs.digezt" },
	{ SYSTEM, SM, "\"digest\": \"sha256:ca67", "\"digest\": \"sha512:ca67",
	  -EOPNOTSUPP, "digest algorithm is not sha256", "$.rootfs.digest" },
	{ SYSTEM, SM, "\"size\": 401", "\"size\": -401", -OCIBOOT_EMALFORMED,
	  "size must be a non-negative 64-bit integer", "$.rootfs.size" },
	{ SYSTEM, SM, "\"mediaType\": \"application/vnd.oci.image.manifest.v1"
	  "+json\"", "\"mediaType\": \"application/vnd.oci.image.index.v1+json"
	  "\"", -OCIBOOT_EMALFORMED,
	  "an image reference must name an image manifest",
	  "$.rootfs.mediaType" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"Acme/router\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"acme//router\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"acme/\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"\"", -OCIBOOT_EMALFORMED,
	  "not a valid repository name", "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"-acme\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"a..b\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"a___b\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"a_-b\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"host:5000/a\"",
	  -OCIBOOT_EMALFORMED, "not a valid repository name",
	  "$.rootfs.repository" },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "\"a__b/c---d/e.f_g/0\"", 0,
	  NULL, NULL },
	{ SYSTEM, SM, "\"acme/router/rootfs\"", "7", -OCIBOOT_EMALFORMED,
	  "must be a string", "$.rootfs.repository" },
	{ SYSTEM, SM, "\"name\": \"sshd\",", "", -OCIBOOT_EMALFORMED,
	  "required field is missing", "$.services[0].name" },
	{ SYSTEM, SM, "\"name\": \"sshd\"", "\"name\": \"SSHD\"",
	  -OCIBOOT_EMALFORMED, "service name must be lowercase [a-z0-9._-], "
	  "alphanumeric at both ends", "$.services[0].name" },
	{ SYSTEM, SM, "\"name\": \"sshd\"", "\"name\": \"sshd-\"",
	  -OCIBOOT_EMALFORMED, "service name must be lowercase [a-z0-9._-], "
	  "alphanumeric at both ends", "$.services[0].name" },
	{ SYSTEM, SM, "\"name\": \"sshd\"", "\"name\": \"\"",
	  -OCIBOOT_EMALFORMED, "service name must be lowercase [a-z0-9._-], "
	  "alphanumeric at both ends", "$.services[0].name" },
	{ SYSTEM, SM, "\"name\": \"sshd\"", "\"name\": \"a/b\"",
	  -OCIBOOT_EMALFORMED, "service name must be lowercase [a-z0-9._-], "
	  "alphanumeric at both ends", "$.services[0].name" },
	{ SYSTEM, SM, "\"name\": \"sshd\"", "\"name\": \"a234567890123456789"
	  "0123456789012345678901234567890123456789012345\"", -OCIBOOT_ETOOBIG,
	  "string too long", "$.services[0].name" },
	{ SYSTEM, SM, "\"name\": \"dns.cache-2\"", "\"name\": \"sshd\"",
	  -OCIBOOT_EMALFORMED, "two services have this name",
	  "$.services[1].name" },
	{ SYSTEM, SM, "{\n      \"name\": \"sshd\"", "7, {\n      \"name\": "
	  "\"sshd\"", -OCIBOOT_EMALFORMED,
	  "image reference must be an object", "$.services[0]" },
	{ SYSTEM, SM, "\"digest\": \"sha256:0a16", "\"digest\": \"sha256:0A16",
	  -OCIBOOT_EMALFORMED, "sha256 digest is not 64 lowercase hex digits",
	  "$.services[0].digest" },
	{ SYSTEM, SM, "{\"org.example.note\": \"x\"}", "{\"org.example.note\""
	  ": {}}", -OCIBOOT_EMALFORMED, "annotation value must be a string",
	  "$.services[1].annotations.org.example.note" },
	{ SYSTEM, SM, "\"org.example.anything\": \"\"",
	  "\"org.example.anything\": 1", -OCIBOOT_EMALFORMED,
	  "annotation value must be a string",
	  "$.annotations.org.example.anything" },
	{ SYSTEM, SM, "\"services\": [", "\"services\": null, \"s\": [",
	  -EOPNOTSUPP, "unknown field (only annotations may hold new fields)",
	  "$.s" },
	{ SYSTEM, SM, "\"version\": 7,", "\"version\": 7, \"version\": 8,",
	  -OCIBOOT_EMALFORMED, "duplicate key in object", "$.version" },
	{ SYSTEM, SM, "\"version\": 7,", "\"version\": 7, \"\\u0076ersion\": "
	  "8,", -OCIBOOT_EMALFORMED, "duplicate key in object", "$.version" },
	/* keys Go's encoding/json reads case-insensitively */
	{ MANIFEST, SK, "\"layers\":", "\"Layers\":", -OCIBOOT_EMALFORMED,
	  FOLDS("layers"), "$.Layers" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"schemaVersion\":2,\"LAYERS\":[],", -OCIBOOT_EMALFORMED,
	  FOLDS("layers"), "$.LAYERS" },
	{ MANIFEST, SK, "\"schemaVersion\":2", "\"\\u017fchemaVersion\":2",
	  -OCIBOOT_EMALFORMED, FOLDS("schemaVersion"), "$.?chemaVersion" },
	{ MANIFEST, SK, "\"schemaVersion\":2", "\"\xc5\xbf" "chemaVersion\":2",
	  -OCIBOOT_EMALFORMED, FOLDS("schemaVersion"), "$.?chemaVersion" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"schemaVersion\":2,\"Subject\":null,", -OCIBOOT_EMALFORMED,
	  FOLDS("subject"), "$.Subject" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"schemaVersion\":2,\"kx\":1,\"\\u212aX\":2,",
	  -OCIBOOT_EMALFORMED, TWO_FOLD, "$.?X" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"schemaVersion\":2,\"x-Future\":1,\"X-fUTURE\":2,",
	  -OCIBOOT_EMALFORMED, TWO_FOLD, "$.X-fUTURE" },
	{ MANIFEST, SK, "{\"schemaVersion\":2,",
	  "{\"schemaVersion\":2,\"k\":1,\"\\u212a\\u212a\":2,", 0,
	  NULL, NULL },
	{ MANIFEST, SK, "\"size\":112", "\"size\":112,\"Size\":113",
	  -OCIBOOT_EMALFORMED, FOLDS("size"), "$.layers[0].Size" },
	{ MANIFEST, SK, "\"size\":112", "\"size\":112,\"annotations\":{"
	  "\"a\":\"1\",\"A\":\"2\"}", 0, NULL, NULL },
	{ MANIFEST, ST, "\"mediaType\": \"application/vnd.oci.image.config",
	  "\"MediaType\": \"application/vnd.oci.image.config",
	  -OCIBOOT_EMALFORMED, FOLDS("mediaType"), "$.config.MediaType" },
	{ CONFIG, skopeo_config, "\"Entrypoint\":",
	  "\"entrypoint\":[\"/bin/sh\"],\"Entrypoint\":",
	  -OCIBOOT_EMALFORMED, FOLDS("Entrypoint"), "$.config.entrypoint" },
	{ CONFIG, skopeo_config, "\"WorkingDir\":\"/\"",
	  "\"WorkingDir\":\"/\",\"workingdir\":\"/tmp\"",
	  -OCIBOOT_EMALFORMED, FOLDS("WorkingDir"), "$.config.workingdir" },
	{ CONFIG, skopeo_config, "\"diff_ids\":", "\"Diff_IDs\":",
	  -OCIBOOT_EMALFORMED, FOLDS("diff_ids"), "$.rootfs.Diff_IDs" },
	{ CONFIG, skopeo_config, "{\"architecture\":\"amd64\",",
	  "{\"Architecture\":\"arm64\",\"architecture\":\"amd64\",",
	  -OCIBOOT_EMALFORMED, FOLDS("architecture"), "$.Architecture" },
	{ INDEX, platform_index, "\"os\":\"linux\"}},",
	  "\"os\":\"linux\",\"OS\":\"windows\"}},", -OCIBOOT_EMALFORMED,
	  FOLDS("os"), "$.manifests[0].platform.OS" },
	{ INDEX, platform_index, "\"schemaVersion\":2,",
	  "\"schemaVersion\":2,\"Manifests\":[],", -OCIBOOT_EMALFORMED,
	  FOLDS("manifests"), "$.Manifests" },
	{ SYSTEM, SM, "\"version\": 7,", "\"version\": 7, \"Version\": 8,",
	  -OCIBOOT_EMALFORMED, FOLDS("version"), "$.Version" },
};

/* base with its only occurrence of from replaced by to, into out. */
static size_t mutate(const char *base, const char *from, const char *to,
		     char *out, size_t size)
{
	const char *at = strstr(base, from);
	size_t head, n;

	if (!at || strstr(at + 1, from))
		print_error("'%s' must occur exactly once\n", from);
	assert_non_null(at);
	assert_null(strstr(at + 1, from));
	head = (size_t)(at - base);
	n = (size_t)snprintf(out, size, "%.*s%s%s", (int)head, base, to,
			     at + strlen(from));
	assert_true(n < size);
	return n;
}

static void test_mutations(void **state)
{
	size_t wrong = 0;

	for (size_t i = 0; i < ARRAY_SIZE(mutations); i++) {
		const struct mutation *m = &mutations[i];
		struct error err;
		char text[4096];
		size_t n = mutate(m->base, m->from, m->to, text, sizeof(text));
		int r = parse_as(m->kind, text, n, &err);

		if (r == m->err && (!m->err || (
		    streq(err.why, m->reason) &&
		    streq(err.where, m->path) && err.offset <= n)))
			continue;
		wrong++;
		print_error("mutation %zu (%s -> %s): got %d '%s' at %s, "
			    "want %d '%s' at %s\n", i, m->from, m->to, r,
			    err.why, err.where, m->err,
			    m->reason ? m->reason : "", m->path ? m->path : "");
	}
	assert_int_equal(wrong, 0);
}

/* On failure the output struct holds nothing from the document. */
static void test_cleared_on_failure(void **state)
{
	static const uint8_t zero[sizeof(struct oci_manifest)];
	struct error err;
	char text[4096], text2[4096];
	size_t n;

	n = mutate(stacker_manifest, "\"size\": 8192", "\"size\": -1", text,
		   sizeof(text));
	memset(&manifest_out, 0xaa, sizeof(manifest_out));
	assert_int_equal(parse_as(MANIFEST, text, n, &err),
			 -OCIBOOT_EMALFORMED);
	assert_memory_equal(&manifest_out, zero, sizeof(manifest_out));
	memset(&system_out, 0xaa, sizeof(system_out));
	assert_int_equal(parse_as(SYSTEM, "{}", 2, &err), -OCIBOOT_EMALFORMED);
	assert_memory_equal(&system_out, zero, sizeof(system_out));
	assert_string_equal(err.where, "$.schemaVersion");
	assert_int_equal(parse_as(CONFIG, "[]", 2, &err), -OCIBOOT_EMALFORMED);
	assert_string_equal(err.why, "document is not a JSON object");
	assert_int_equal(parse_as(INDEX, "", 0, &err), -OCIBOOT_EMALFORMED);
	assert_string_equal(err.why, "empty document");

	/* Two changes: services an object holding the array. */
	n = mutate(system_manifest, "\"services\": [",
		   "\"services\": {\"a\": [", text, sizeof(text));
	memcpy(text2, text, n + 1);
	n = mutate(text2, "\n  ],\n", "\n  ]},\n", text, sizeof(text));
	assert_int_equal(parse_as(SYSTEM, text, n, &err), -OCIBOOT_EMALFORMED);
	assert_string_equal(err.why, "must be an array");
	assert_string_equal(err.where, "$.services");
}

/* A JSON array of count copies of item, as member key, into buf. */
static size_t repeat(char *buf, size_t size, const char *prefix,
		     const char *item, size_t count, const char *suffix)
{
	size_t n = (size_t)snprintf(buf, size, "%s[", prefix);

	for (size_t i = 0; i < count; i++) {
		assert_true(n + strlen(item) + 2 < size);
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "",
				      item);
	}
	n += (size_t)snprintf(buf + n, size - n, "]%s", suffix);
	assert_true(n < size);
	return n;
}

#define LAYER "{\"mediaType\":\"application/vnd.stacker.image.layer.squashfs" \
	"+zstd\",\"digest\":\"sha256:" H64 "\",\"size\":1}"
#define CONFIG_HEAD "{\"architecture\":\"amd64\",\"os\":\"linux\","
#define ROOTFS "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"

struct cap_case {
	enum kind kind;
	const char *prefix, *item, *suffix;
	size_t cap;
	const char *reason, *path;
};

static const struct cap_case caps[] = {
	{ MANIFEST, "{\"schemaVersion\":2,\"config\":" LAYER ",\"layers\":",
	  LAYER, "}", OCI_LAYERS_MAX, "over the limit of 127 layers per image (oci/limits.h)",
	  "$.layers" },
	{ INDEX, "{\"schemaVersion\":2,\"manifests\":", LAYER, "}",
	  OCI_INDEX_MANIFESTS_MAX, "over the limit of 64 manifests per index (oci/limits.h)",
	  "$.manifests" },
	{ CONFIG, CONFIG_HEAD "\"config\":{\"Entrypoint\":", "\"a\"",
	  "}," ROOTFS, OCI_ARGV_MAX, "over the limit of 64 Entrypoint arguments (oci/limits.h)",
	  "$.config.Entrypoint" },
	{ CONFIG, CONFIG_HEAD "\"config\":{\"Cmd\":", "\"\"", "}," ROOTFS,
	  OCI_ARGV_MAX, "over the limit of 64 Cmd arguments (oci/limits.h)", "$.config.Cmd" },
	{ CONFIG, CONFIG_HEAD "\"config\":{\"Env\":", "\"A=1\"",
	  "}," ROOTFS, OCI_ENV_MAX, "over the limit of 128 Env entries (oci/limits.h)",
	  "$.config.Env" },
	{ CONFIG, CONFIG_HEAD "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":",
	  "\"sha256:" H64 "\"", "}}", OCI_LAYERS_MAX, "over the limit of 127 diff_ids per image (oci/limits.h)",
	  "$.rootfs.diff_ids" },
};

static void test_caps(void **state)
{
	static char text[65536];
	static char zeros[OCI_CONFIG_STRINGS_MAX];
	struct error err;
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		const struct cap_case *c = &caps[i];

		n = repeat(text, sizeof(text), c->prefix, c->item, c->cap,
			   c->suffix);
		assert_int_equal(parse_as(c->kind, text, n, &err), 0);
		if (c->kind == MANIFEST)
			assert_int_equal(manifest_out.layer_count, c->cap);
		if (c->kind == INDEX)
			assert_int_equal(index_out.manifest_count, c->cap);
		n = repeat(text, sizeof(text), c->prefix, c->item, c->cap + 1,
			   c->suffix);
		assert_int_equal(parse_as(c->kind, text, n, &err),
				 -OCIBOOT_ETOOBIG);
		assert_string_equal(err.why, c->reason);
		assert_string_equal(err.where, c->path);
	}

	/* Services: OCI_SERVICES_MAX distinct names, then one more. */
	n = (size_t)snprintf(text, sizeof(text), "{\"schemaVersion\":1,\"med"
			     "iaType\":\"" OCI_MEDIA_TYPE_SYSTEM_MANIFEST "\","
			     "\"product\":\"5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b"
			     "31\",\"version\":1,\"rootfs\":{\"digest\":\"sha2"
			     "56:" H64 "\"},\"services\":[");
	for (int i = 0; i <= OCI_SERVICES_MAX; i++) {
		size_t end;

		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{\"name\":\"s%d\",\"digest\":\"sha256"
				      ":" H64 "\"}", i ? "," : "", i);
		end = n + (size_t)snprintf(text + n, sizeof(text) - n, "]}");
		assert_int_equal(parse_as(SYSTEM, text, end, &err),
				 i < OCI_SERVICES_MAX ? 0 : -OCIBOOT_ETOOBIG);
	}
	assert_string_equal(err.why, "over the limit of 32 services per system (oci/limits.h)");
	assert_string_equal(err.where, "$.services");

	/* Config strings: exactly full, then one byte over. */
	memset(zeros, 'x', sizeof(zeros));
	n = (size_t)snprintf(text, sizeof(text), CONFIG_HEAD "\"config\":{"
			     "\"Cmd\":[\"%.*s\"],\"WorkingDir\":\"%.*s\"},"
			     ROOTFS, 8000, zeros,
			     OCI_CONFIG_STRINGS_MAX - 8000 - 2, zeros);
	assert_int_equal(parse_as(CONFIG, text, n, &err), 0);
	assert_int_equal(config_out.strings_used, OCI_CONFIG_STRINGS_MAX);
	assert_int_equal(strlen(oci_config_string(&config_out,
						  config_out.working_dir)),
			 OCI_CONFIG_STRINGS_MAX - 8000 - 2);
	n = (size_t)snprintf(text, sizeof(text), CONFIG_HEAD "\"config\":{"
			     "\"Cmd\":[\"%.*s\"],\"WorkingDir\":\"%.*s\"},"
			     ROOTFS, 8000, zeros,
			     OCI_CONFIG_STRINGS_MAX - 8000 - 1, zeros);
	assert_int_equal(parse_as(CONFIG, text, n, &err), -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "config strings over their cap");
	assert_string_equal(err.where, "$.config.WorkingDir");

	/* Too few tokens for the document. */
	assert_int_equal(oci_manifest_parse(skopeo_manifest,
					    strlen(skopeo_manifest), tokens,
					    10, &manifest_out, &err),
			 -OCIBOOT_ETOOBIG);
	assert_string_equal(err.why, "too many JSON tokens");
}

/* User and the keys of Volumes, for a service's start; their refusals. */
static void test_config_user_volumes(void **state)
{
	static const char ok[] = CONFIG_HEAD "\"config\":{\"Cmd\":[\"/a\"],"
		"\"User\":\"www:staff\",\"Volumes\":{\"/data\":{},"
		"\"/var/cache\":{}},\"ExposedPorts\":{\"80/tcp\":{}}},"
		ROOTFS;
	static const char relative[] = CONFIG_HEAD "\"config\":{"
		"\"Volumes\":{\"data\":{}}}," ROOTFS;
	static const char not_string[] = CONFIG_HEAD "\"config\":{"
		"\"User\":0}," ROOTFS;
	char text[4096];
	struct error err;
	size_t n;

	assert_int_equal(parse_as(CONFIG, ok, strlen(ok), &err), 0);
	assert_true(config_out.has_user);
	assert_string_equal(oci_config_string(&config_out, config_out.user),
			    "www:staff");
	assert_int_equal(config_out.volume_count, 2);
	assert_string_equal(oci_config_string(&config_out,
					      config_out.volumes[1]),
			    "/var/cache");
	assert_int_equal(parse_as(CONFIG, relative, strlen(relative), &err),
			 -OCIBOOT_EMALFORMED);
	assert_string_equal(err.why, "a volume is not an absolute path");
	assert_int_equal(parse_as(CONFIG, not_string, strlen(not_string),
				  &err), -OCIBOOT_EMALFORMED);
	assert_string_equal(err.where, "$.config.User");

	/* OCI_VOLUMES_MAX volumes, then one more. */
	for (int k = OCI_VOLUMES_MAX; k <= OCI_VOLUMES_MAX + 1; k++) {
		n = (size_t)snprintf(text, sizeof(text), CONFIG_HEAD
				     "\"config\":{\"Volumes\":{");
		for (int i = 0; i < k; i++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "%s\"/v%d\":{}", i ? "," : "",
					      i);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "}},"
				      ROOTFS);
		assert_int_equal(parse_as(CONFIG, text, n, &err),
				 k <= OCI_VOLUMES_MAX ? 0 :
				 -OCIBOOT_ETOOBIG);
	}
	assert_string_equal(err.where, "$.config.Volumes");
}

static void test_layer_kinds(void **state)
{
	static const struct {
		const char *type;
		enum oci_layer_kind kind;
	} cases[] = {
		{ "application/vnd.stacker.image.layer.squashfs+zstd",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs+zstd+verity",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs+gzip",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs+gzip+verity",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs+xz",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs+xz+verity",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.oci.image.layer.squashfs",
		  OCI_LAYER_SQUASHFS },
		{ "application/vnd.stacker.image.layer.squashfs+lzo",
		  OCI_LAYER_OTHER },
		{ "application/vnd.stacker.image.layer.squashfs+verity",
		  OCI_LAYER_OTHER },
		{ "application/vnd.stacker.image.layer.squashfs+zstd+verity+x",
		  OCI_LAYER_OTHER },
		{ "application/vnd.stacker.image.layer.SQUASHFS+zstd",
		  OCI_LAYER_OTHER },
		{ "application/vnd.oci.image.layer.v1.tar", OCI_LAYER_TAR },
		{ "application/vnd.oci.image.layer.v1.tar+gzip",
		  OCI_LAYER_TAR },
		{ "application/vnd.oci.image.layer.v1.tar+zstd",
		  OCI_LAYER_TAR },
		{ "application/vnd.oci.image.layer.nondistributable.v1."
		  "tar+gzip",
		  OCI_LAYER_TAR },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip",
		  OCI_LAYER_TAR },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
		  OCI_LAYER_TAR },
		{ "application/vnd.oci.image.config.v1+json", OCI_LAYER_OTHER },
		{ "", OCI_LAYER_OTHER },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(oci_layer_kind(cases[i].type), cases[i].kind);
}

static void test_digest_parse(void **state)
{
	static const struct {
		const char *text;
		int err;
		const char *reason;
	} cases[] = {
		{ "sha256:" H64, 0, NULL },
		{ "sha512:" H64 H64, -EOPNOTSUPP,
		  "digest algorithm is not sha256" },
		{ "blake3:" H64, -EOPNOTSUPP,
		  "digest algorithm is not sha256" },
		{ "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46H"
		  "mX4Gx8", -EOPNOTSUPP, "digest algorithm is not sha256" },
		{ "sha256:" H64 "0", -OCIBOOT_EMALFORMED,
		  "sha256 digest is not 64 lowercase hex digits" },
		{ "sha256:", -OCIBOOT_EMALFORMED,
		  "digest is not algorithm:encoded" },
		{ ":" H64, -OCIBOOT_EMALFORMED,
		  "digest is not algorithm:encoded" },
		{ "sha256" H64, -OCIBOOT_EMALFORMED,
		  "digest is not algorithm:encoded" },
		{ "sha+:" H64, -OCIBOOT_EMALFORMED,
		  "digest is not algorithm:encoded" },
		{ "sha256:" H64 " ", -OCIBOOT_EMALFORMED,
		  "digest is not algorithm:encoded" },
		{ " sha256:" H64, -OCIBOOT_EMALFORMED,
		  "digest is not algorithm:encoded" },
		{ "", -OCIBOOT_EMALFORMED, "digest is not algorithm:encoded" },
	};
	uint8_t want[SHA256_LEN];

	digest_of(H64, want);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint8_t d[SHA256_LEN];
		const char *reason = NULL;

		memset(d, 0x5a, sizeof(d));
		assert_int_equal(oci_digest_parse(cases[i].text,
						  strlen(cases[i].text), d,
						  &reason), cases[i].err);
		if (cases[i].err) {
			assert_string_equal(reason, cases[i].reason);
			assert_int_equal(d[0], 0x5a);
		} else {
			assert_memory_equal(d, want, SHA256_LEN);
		}
	}
}

/* --- comparison with jq -------------------------------------------------- */

/* Our reading of a document, in the line format of the jq filters below. */
static void describe(enum kind kind, FILE *f)
{
	char d[OCI_DIGEST_STRING_LEN + 1];
	const struct oci_config *c = &config_out;

	switch (kind) {
	case MANIFEST:
		oci_digest_string(manifest_out.config.digest, d);
		fprintf(f, "%s %s %" PRId64 "\n",
			manifest_out.config.media_type, d,
			manifest_out.config.size);
		for (size_t i = 0; i < manifest_out.layer_count; i++) {
			const struct oci_descriptor *l =
				&manifest_out.layers[i];

			oci_digest_string(l->digest, d);
			fprintf(f, "%s %s %" PRId64 "\n", l->media_type, d,
				l->size);
		}
		break;
	case INDEX:
		for (size_t i = 0; i < index_out.manifest_count; i++) {
			const struct oci_descriptor *m =
				&index_out.manifests[i];

			oci_digest_string(m->digest, d);
			fprintf(f, "%s %s %" PRId64 " %s %s\n", m->media_type,
				d, m->size, m->ref_name, m->architecture);
		}
		break;
	case CONFIG:
		for (size_t i = 0; i < c->entrypoint_count; i++)
			fprintf(f, "%s\n",
				oci_config_string(c, c->entrypoint[i]));
		for (size_t i = 0; i < c->cmd_count; i++)
			fprintf(f, "%s\n", oci_config_string(c, c->cmd[i]));
		for (size_t i = 0; i < c->env_count; i++)
			fprintf(f, "%s\n", oci_config_string(c, c->env[i]));
		fprintf(f, "%s\n", oci_config_string(c, c->working_dir));
		for (size_t i = 0; i < c->diff_id_count; i++) {
			oci_digest_string(c->diff_ids[i], d);
			fprintf(f, "%s\n", d);
		}
		break;
	case SYSTEM:
		oci_digest_string(system_out.rootfs.digest, d);
		fprintf(f, "%s %" PRIu64 " %s %s\n", system_out.product,
			system_out.version, system_out.rootfs.repository, d);
		for (size_t i = 0; i < system_out.service_count; i++) {
			const struct oci_image_ref *s = &system_out.services[i];

			oci_digest_string(s->digest, d);
			fprintf(f, "%s %s %s\n", s->name, s->repository, d);
		}
		break;
	}
}

static const char *const jq_filters[] = {
	[INDEX] = ".manifests[] | \"\\(.mediaType) \\(.digest) \\(.size) "
		  "\\(.annotations[\"org.opencontainers.image.ref.name\"] "
		  "// \"\") \\(.platform.architecture // \"\")\"",
	[MANIFEST] = "(.config, .layers[]) | \"\\(.mediaType) \\(.digest) "
		     "\\(.size)\"",
	[CONFIG] = ".config.Entrypoint[], .config.Cmd[], .config.Env[], "
		   ".config.WorkingDir, .rootfs.diff_ids[]",
	[SYSTEM] = "\"\\(.product) \\(.version) \\(.rootfs.repository) "
		   "\\(.rootfs.digest)\", (.services[] | \"\\(.name) "
		   "\\(.repository // \"\") \\(.digest)\")",
};

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	assert_true(n < 65535);
	fclose(f);
	return buf;
}

static void test_against_jq(void **state)
{
	char dir[] = "/tmp/oci_test.XXXXXX", doc[64], ours[64], theirs[64];
	char command[1024];

	if (system("command -v jq >/dev/null 2>&1") != 0) {
		print_message("jq not found: comparison skipped\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	snprintf(doc, sizeof(doc), "%s/doc.json", dir);
	snprintf(ours, sizeof(ours), "%s/ours", dir);
	snprintf(theirs, sizeof(theirs), "%s/theirs", dir);
	for (size_t i = 0; i < ARRAY_SIZE(valid_docs); i++) {
		enum kind kind = valid_docs[i].kind;
		struct error err;
		char *a, *b;
		FILE *f;

		assert_int_equal(parse_as(kind, valid_docs[i].text,
					  strlen(valid_docs[i].text), &err),
				 0);
		f = fopen(doc, "we");
		assert_non_null(f);
		fputs(valid_docs[i].text, f);
		assert_int_equal(fclose(f), 0);
		f = fopen(ours, "we");
		assert_non_null(f);
		describe(kind, f);
		assert_int_equal(fclose(f), 0);
		snprintf(command, sizeof(command), "jq -r '%s' %s > %s",
			 jq_filters[kind], doc, theirs);
		assert_int_equal(system(command), 0);
		a = read_all(ours);
		b = read_all(theirs);
		if (!streq(a, b))
			print_error("document %zu:\nours:\n%s\njq:\n%s\n", i,
				    a, b);
		assert_string_equal(a, b);
		assert_true(strlen(a) > 10);
		free(a);
		free(b);
	}
	print_message("%zu documents read alike by jq\n",
		      ARRAY_SIZE(valid_docs));
	unlink(doc);
	unlink(ours);
	unlink(theirs);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skopeo_documents),
		cmocka_unit_test(test_stacker_manifest),
		cmocka_unit_test(test_platform_index),
		cmocka_unit_test(test_system_manifest),
		cmocka_unit_test(test_system_artifact),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_cleared_on_failure),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_config_user_volumes),
		cmocka_unit_test(test_layer_kinds),
		cmocka_unit_test(test_digest_parse),
		cmocka_unit_test(test_against_jq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
