/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for oci/oci: every input goes through every document
 * parser and, when accepted, through the checks on parsed documents; the
 * results must respect their caps and hold NUL-terminated strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/oci.h"
#include "lib/util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static struct json_token tokens[OCI_TOKENS_MAX];
static struct oci_index idx;
static struct oci_manifest manifest;
static struct oci_config config;
static struct oci_system_manifest sys;

static void check_string(const char *s, size_t size)
{
	CHECK(memchr(s, '\0', size) != NULL);
}

static void check_descriptor(const struct oci_descriptor *d)
{
	check_string(d->media_type, sizeof(d->media_type));
	check_string(d->artifact_type, sizeof(d->artifact_type));
	check_string(d->ref_name, sizeof(d->ref_name));
	check_string(d->architecture, sizeof(d->architecture));
	check_string(d->os, sizeof(d->os));
	check_string(d->variant, sizeof(d->variant));
	CHECK(d->size >= 0);
	CHECK(d->media_type[0] != '\0');
	CHECK(d->kind == oci_layer_kind(d->media_type));
}

static void check_error(int r, const struct error *err, size_t size)
{
	CHECK(r == -OCIBOOT_EMALFORMED || r == -OCIBOOT_ETOOBIG ||
	      r == -EOPNOTSUPP);
	CHECK(err->code == r && err->why[0] && err->offset <= size);
	CHECK(err->where[0] == '$');
	check_string(err->where, sizeof(err->where));
}

static void fuzz_index(const char *buf, size_t size)
{
	struct error err;
	int r = oci_index_parse(buf, size, tokens, OCI_TOKENS_MAX, &idx,
				&err);

	if (r < 0) {
		check_error(r, &err, size);
		return;
	}
	CHECK(idx.manifest_count <= OCI_INDEX_MANIFESTS_MAX);
	for (size_t i = 0; i < idx.manifest_count; i++)
		check_descriptor(&idx.manifests[i]);
	if (idx.manifest_count)
		CHECK(oci_index_find(&idx, idx.manifests[0].ref_name) !=
		      -ENOENT);
}

static void fuzz_manifest(const char *buf, size_t size)
{
	struct oci_system_artifact art;
	struct error err;
	int r = oci_manifest_parse(buf, size, tokens, OCI_TOKENS_MAX,
				   &manifest, &err);

	if (r < 0) {
		check_error(r, &err, size);
		return;
	}
	CHECK(manifest.layer_count <= OCI_LAYERS_MAX);
	check_descriptor(&manifest.config);
	for (size_t i = 0; i < manifest.layer_count; i++)
		check_descriptor(&manifest.layers[i]);
	r = oci_manifest_check_bootable(&manifest, &err);
	CHECK(r == 0 || (err.code == r && err.why[0]));
	r = oci_system_artifact_check(&manifest, &art, &err);
	if (r == 0)
		CHECK(streq(art.signature.media_type,
			    OCI_MEDIA_TYPE_SYSTEM_SIGNATURE));
}

static void fuzz_config(const char *buf, size_t size)
{
	struct error err;
	int r = oci_config_parse(buf, size, tokens, OCI_TOKENS_MAX, &config,
				 &err);

	if (r < 0) {
		check_error(r, &err, size);
		return;
	}
	CHECK(config.entrypoint_count <= OCI_ARGV_MAX);
	CHECK(config.cmd_count <= OCI_ARGV_MAX);
	CHECK(config.env_count <= OCI_ENV_MAX);
	CHECK(config.diff_id_count <= OCI_LAYERS_MAX);
	CHECK(config.strings_used <= sizeof(config.strings));
	for (size_t i = 0; i < config.env_count; i++)
		CHECK(strchr(oci_config_string(&config, config.env[i]), '='));
	for (size_t i = 0; i < config.cmd_count; i++)
		check_string(oci_config_string(&config, config.cmd[i]),
			     config.strings_used - config.cmd[i]);
}

static void fuzz_system(const char *buf, size_t size)
{
	struct error err;
	int r = oci_system_manifest_parse(buf, size, tokens, OCI_TOKENS_MAX,
					  &sys, &err);

	if (r < 0) {
		check_error(r, &err, size);
		return;
	}
	CHECK(strlen(sys.product) == OCI_UUID_LEN);
	CHECK(sys.version <= OCI_SYSTEM_VERSION_MAX);
	CHECK(sys.service_count <= OCI_SERVICES_MAX);
	for (size_t i = 0; i < sys.service_count; i++) {
		CHECK(sys.services[i].name[0] != '\0');
		for (size_t j = 0; j < i; j++)
			CHECK(!streq(sys.services[i].name,
				     sys.services[j].name));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	fuzz_index(buf, size);
	fuzz_manifest(buf, size);
	fuzz_config(buf, size);
	fuzz_system(buf, size);
	return 0;
}
