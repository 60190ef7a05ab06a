/* SPDX-License-Identifier: MIT */
/*
 * Verification of the service images of a verified system manifest
 * (trust/services.h): the rootfs image's checks, for each service.
 */
#include "trust/services.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/util.h"

/* "service NAME: " and the rest of a what. */
#define SERVICE_WHAT_FORMAT "service %s: %s %s"

/* "service NAME: LABEL sha256:<hex>" into what. */
static void name_service_blob(char what[ERROR_WHAT_MAX], const char *name,
			      const char *label,
			      const uint8_t digest[SHA256_LEN])
{
	char text[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(digest, text);
	snprintf(what, ERROR_WHAT_MAX, SERVICE_WHAT_FORMAT, name, label, text);
}

static int pass_on(struct error *err, const char *what, int code,
		   const struct error *from, int stage)
{
	error_set(err, code, what, "%s", from->why);
	if (from->where[0])
		error_at(err, "%s", from->where);
	error_at_offset(err, from->offset);
	error_reason(err, stage);
	return code;
}

static int read_image(const struct layout *l, const struct oci_image_ref *ref,
		      struct system_scratch *s, struct services_image *out,
		      struct error *err)
{
	char what[ERROR_WHAT_MAX];
	struct error le;
	int len, r;

	name_service_blob(what, ref->name, "image", ref->digest);
	error_clear(&le);
	len = layout_read_blob(l, ref->digest, ref->size, s->document,
			       sizeof(s->document), &le);
	if (len < 0)
		return pass_on(err, what, len, &le, SYSTEM_STAGE_IMAGE);
	r = oci_manifest_parse(s->document, (size_t)len, s->tokens,
			       OCI_TOKENS_MAX, &s->manifest, &le);
	if (r == 0 && s->manifest.layer_count == 0) {
		error_set(err, -OCIBOOT_EMALFORMED, what,
			  "the image has no layers");
		return error_reason(err, SYSTEM_STAGE_IMAGE);
	}
	if (r == 0)
		r = oci_manifest_check_bootable(&s->manifest, &le);
	if (r < 0)
		return pass_on(err, what, r, &le, SYSTEM_STAGE_IMAGE);
	memcpy(out->image_digest, ref->digest, SHA256_LEN);
	out->image_size = len;
	return 0;
}

static int read_config(const struct layout *l, const char *name,
		       struct system_scratch *s, struct oci_config *config,
		       struct services_image *out, struct error *err)
{
	const struct oci_descriptor *d = &s->manifest.config;
	char what[ERROR_WHAT_MAX];
	struct error le;
	int r;

	name_service_blob(what, name, "config", d->digest);
	if (!streq(d->media_type, OCI_MEDIA_TYPE_CONFIG)) {
		error_set(err, -OCIBOOT_EMALFORMED, what,
			  "media type is not " OCI_MEDIA_TYPE_CONFIG);
		return error_reason(err, SYSTEM_STAGE_CONFIG);
	}
	error_clear(&le);
	r = layout_read_config(l, d, s->document, sizeof(s->document),
			       s->tokens, OCI_TOKENS_MAX, config, &le);
	if (r < 0)
		return pass_on(err, what, r, &le, SYSTEM_STAGE_CONFIG);
	out->config_descriptor = *d;
	return 0;
}

static int check_layers(const struct layout *l, const char *name,
			const struct oci_manifest *m,
			struct services_image *out, struct error *err)
{
	char what[ERROR_WHAT_MAX], label[32];
	size_t n = m->layer_count;

	for (size_t i = 0; i < n && i < SYSTEM_LAYERS_MAX; i++) {
		int r;

		snprintf(label, sizeof(label), "layer %zu", i);
		name_service_blob(what, name, label, m->layers[i].digest);
		r = system_layer_check(l, &m->layers[i], what, &out->layers[i],
				       err);
		if (r < 0)
			return error_reason(err, SYSTEM_STAGE_LAYER);
	}
	out->layer_count = n;
	return 0;
}

static int verify_one(const struct layout *l, const struct oci_image_ref *ref,
		      struct system_scratch *s, struct oci_config *config,
		      struct services_image *out, struct error *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", ref->name);
	r = read_image(l, ref, s, out, err);
	if (r == 0)
		r = read_config(l, ref->name, s, config, out, err);
	if (r == 0)
		r = check_layers(l, ref->name, &s->manifest, out, err);
	return r;
}

int services_verify(const struct layout *l,
		    const struct oci_system_manifest *m,
		    struct system_scratch *scratch, struct oci_config *config,
		    struct services_plan *out, struct error *err)
{
	size_t n = m->service_count;

	error_clear(err);
	out->count = 0;
	if (n > OCI_SERVICES_MAX) {
		error_set(err, -OCIBOOT_ETOOBIG, NULL, "%zu services", n);
		return error_reason(err, SYSTEM_STAGE_ARGUMENTS);
	}
	for (size_t i = 0; i < n; i++) {
		int r = verify_one(l, &m->services[i], scratch, config,
				   &out->images[i], err);

		if (r < 0)
			return r;
	}
	out->count = n;
	return 0;
}

void services_plan_describe(const struct services_plan *plan,
			    system_line_fn fn, void *ctx)
{
	char buf[SYSTEM_LINE_MAX], hex[SHA256_HEX_LEN + 1];
	struct strbuf l;

	strbuf_init(&l, buf, sizeof(buf));
	for (size_t i = 0; i < plan->count && i < OCI_SERVICES_MAX; i++) {
		const struct services_image *s = &plan->images[i];

		strbuf_printf(&l, "service %s: image ", s->name);
		system_line_digest(&l, s->image_digest);
		strbuf_puts(&l, ", config ");
		system_line_digest(&l, s->config_descriptor.digest);
		strbuf_printf(&l, ", %zu layers", s->layer_count);
		system_line_emit(&l, fn, ctx);
		for (size_t j = 0; j < s->layer_count; j++) {
			const struct system_layer *y = &s->layers[j];

			sha256_hex(y->root_hash, hex);
			strbuf_printf(&l, "service %s: layer %zu ", s->name,
				      j);
			system_line_digest(&l, y->digest);
			strbuf_printf(&l, " %" PRId64 " bytes, root hash %s",
				      y->size, hex);
			system_line_emit(&l, fn, ctx);
		}
	}
}
