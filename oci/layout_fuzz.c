/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the parts of oci/layout that read untrusted bytes
 * without a file system: the oci-layout check, and tag and digest lookups
 * in an index parsed from the same input. Results must be consistent:
 * an entry found has the tag or digest asked for and is an image
 * manifest; every refusal has a what and a NUL-terminated reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/layout.h"
#include "lib/util.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static struct json_token tokens[OCI_TOKENS_MAX];
static struct oci_index idx;

static void check_error(int r, const struct error *err)
{
	CHECK(r < 0 && err->code == r);
	CHECK(memchr(err->what, '\0', sizeof(err->what)) != NULL);
	CHECK(memchr(err->why, '\0', sizeof(err->why)) != NULL);
	CHECK(err->what[0] != '\0' && err->why[0] != '\0');
	for (const char *p = err->why; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);	/* printable for the log */
}

static void find_tag(const char *tag)
{
	struct error err;
	int r = layout_find_tag(&idx, tag, &err);

	if (r < 0) {
		check_error(r, &err);
		CHECK(r == -ENOENT || r == -ENOTUNIQ || r == -EOPNOTSUPP);
		return;
	}
	CHECK((size_t)r < idx.manifest_count);
	CHECK(streq(idx.manifests[r].ref_name, tag));
	CHECK(streq(idx.manifests[r].media_type, OCI_MEDIA_TYPE_MANIFEST));
}

static void find_digest(const uint8_t digest[SHA256_LEN])
{
	struct error err;
	int r = layout_find_digest(&idx, digest, &err);

	if (r < 0) {
		check_error(r, &err);
		return;
	}
	CHECK((size_t)r < idx.manifest_count);
	CHECK(memcmp(idx.manifests[r].digest, digest, SHA256_LEN) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct error err;
	static const uint8_t zero[SHA256_LEN];
	const char *buf = (const char *)data;
	int r;

	r = layout_version_check(buf, size, &err);
	if (r < 0)
		check_error(r, &err);
	if (oci_index_parse(buf, size, tokens, OCI_TOKENS_MAX, &idx,
			    NULL) < 0)
		return 0;
	find_tag("latest");
	find_tag("");
	find_digest(zero);
	for (size_t i = 0; i < idx.manifest_count; i++) {
		find_tag(idx.manifests[i].ref_name);
		find_digest(idx.manifests[i].digest);
	}
	return 0;
}
