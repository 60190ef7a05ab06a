/* SPDX-License-Identifier: MIT */
/*
 * Verification of a signed system in an OCI layout (trust/system.h): the
 * steps of docs/formats.md, "Verification at boot", each refusal named
 * with the thing that failed.
 */
#include "trust/system.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/cert.h"
#include "crypto/der.h"
#include "crypto/dn.h"
#include "crypto/signature.h"
#include "crypto/verify_error.h"
#include "fs/squashfs_super.h"
#include "lib/fileio.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Characters of one untrusted string shown in a summary line. */
#define SHOWN_STRING_MAX 128

_Static_assert(SYSTEM_BLOB_PATH_MAX + 1 <= LAYOUT_WHAT_MAX,
	       "a blob path fits the layout's error text");
_Static_assert(OCI_SYSTEM_MANIFEST_SIZE_MAX <= LAYOUT_READ_MAX &&
	       OCI_SYSTEM_CERTIFICATE_SIZE_MAX <= LAYOUT_READ_MAX,
	       "artifact blobs are read whole");

/* Decimal digits of an int64_t or uint64_t, at most. */
#define U64_DIGITS_MAX (sizeof("18446744073709551615") - 1)
/*
 * The lines describe_layers() makes, at their longest for a plan at the
 * limits (the format's text and NUL, then its fields): never cut, so the
 * init's log names every layer and service in full.
 */
#define LAYER_LINE_LONGEST \
	(sizeof("layer :   bytes, root hash , hash offset  (data blocks: ), ") \
	 + LIMIT_DIGITS(SYSTEM_LAYERS_MAX - 1) + OCI_DIGEST_STRING_LEN + \
	 3 * U64_DIGITS_MAX + SHA256_HEX_LEN + SYSTEM_BLOB_PATH_MAX)
#define SERVICE_LINE_LONGEST \
	(sizeof("service : image ") + OCI_SERVICE_NAME_MAX + \
	 OCI_DIGEST_STRING_LEN)
_Static_assert(LAYER_LINE_LONGEST <= SYSTEM_LINE_MAX &&
	       SERVICE_LINE_LONGEST <= SYSTEM_LINE_MAX,
	       "a layer's and a service's line at the limits fit");

/*
 * One verification in progress. stage is the step under way: the reason
 * of err when it fails.
 */
struct run {
	const struct layout *l;
	struct system_scratch *s;
	struct system_plan *plan;
	struct error *err;
	enum system_stage stage;
};

/*
 * Fill err with the failure code that another module described in from,
 * under our what. Returns code.
 */
static int pass_on(struct error *err, const char *what, int code,
		   const struct error *from)
{
	error_set(err, code, what, "%s", from->why);
	if (from->where[0])
		error_at(err, "%s", from->where);
	error_at_offset(err, from->offset);
	return code;
}

/* "LABEL sha256:<hex>" into out. */
static void name_blob(char *out, size_t size, const char *label,
		      const uint8_t digest[SHA256_LEN])
{
	char text[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(digest, text);
	snprintf(out, size, "%s %s", label, text);
}

/* --- the artifact --------------------------------------------------------- */

static int find_artifact(struct run *c, const struct oci_reference *ref)
{
	struct system_scratch *s = c->s;
	const struct oci_descriptor *d;
	struct error le;
	int r;

	c->stage = SYSTEM_STAGE_INDEX;
	r = layout_read_index(c->l, s->document, sizeof(s->document),
			      s->tokens, OCI_TOKENS_MAX, &s->index, &le);
	if (r < 0)
		return pass_on(c->err, le.what, r, &le);
	if (ref->by_digest)
		r = layout_find_digest(&s->index, ref->digest, &le);
	else
		r = layout_find_tag(&s->index, ref->tag, &le);
	if (r < 0)
		return pass_on(c->err, le.what, r, &le);
	d = &s->index.manifests[r];
	memcpy(c->plan->artifact_digest, d->digest, SHA256_LEN);
	c->plan->artifact_size = d->size;
	return 0;
}

static int read_artifact_manifest(struct run *c)
{
	struct system_scratch *s = c->s;
	struct oci_descriptor d = { .size = c->plan->artifact_size };
	char what[ERROR_WHAT_MAX];
	struct error le;
	int r;

	c->stage = SYSTEM_STAGE_ARTIFACT;
	memcpy(d.digest, c->plan->artifact_digest, SHA256_LEN);
	name_blob(what, sizeof(what), "system artifact", d.digest);
	r = layout_read_manifest(c->l, &d, s->document, sizeof(s->document),
				 s->tokens, OCI_TOKENS_MAX, &s->manifest, &le);
	if (r == 0)
		r = oci_system_artifact_check(&s->manifest, &c->plan->artifact,
					      &le);
	return r < 0 ? pass_on(c->err, what, r, &le) : 0;
}

/* Read the artifact blob d whole into buf[cap]; returns its length. */
static int read_artifact_blob(struct run *c, const char *label,
			      const struct oci_descriptor *d, void *buf,
			      size_t cap)
{
	char what[ERROR_WHAT_MAX];
	struct error le;
	int r;

	r = layout_read_blob(c->l, d->digest, d->size, buf, cap, &le);
	if (r >= 0)
		return r;
	name_blob(what, sizeof(what), label, d->digest);
	return pass_on(c->err, what, r, &le);
}

/* --- the signer ----------------------------------------------------------- */

static void describe_signer(struct run *c, const uint8_t *der, size_t len)
{
	const struct x509_signer *sg = &c->s->signer;
	struct system_plan *p = c->plan;
	struct cert_info info;

	dn_format(sg->subject, sg->subject_len, p->signer_subject,
		  sizeof(p->signer_subject));
	if (cert_parse(der, len, &info) == 0)
		dn_format(info.issuer, info.issuer_len, p->signer_issuer,
			  sizeof(p->signer_issuer));
	memcpy(p->signer_product, sg->product_uuid, sizeof(p->signer_product));
	x509_pubkey_describe(&sg->key, p->signer_key, sizeof(p->signer_key));
	p->signer_not_before = sg->not_before;
	p->signer_not_after = sg->not_after;
}

static int check_certificate(struct run *c, const struct x509_trust_store *ts,
			     int64_t now, size_t len)
{
	const struct oci_descriptor *d = &c->plan->artifact.certificate;
	const uint8_t *der = c->s->certificate;
	char what[ERROR_WHAT_MAX];
	struct error ve;
	int r;

	c->stage = SYSTEM_STAGE_CERTIFICATE;
	name_blob(what, sizeof(what), "certificate", d->digest);
	if (len == 0 || der[0] != DER_SEQUENCE)
		return error_set(c->err, -OCIBOOT_EMALFORMED, what,
				 "not a DER certificate");
	error_clear(&ve);
	r = x509_chain_verify(ts, der, len, now, &c->s->signer, &ve);
	if (r < 0) {
		/* "certificate sha256:...: signer certificate 'CN=...'" */
		pass_on(c->err, ve.what[0] ? ve.what : NULL, r, &ve);
		error_context(c->err, "%s", what);
		return r;
	}
	if (c->s->signer.chain_len != 1)
		return error_set(c->err, -OCIBOOT_EMALFORMED, what,
				 "holds %zu certificates, not one",
				 c->s->signer.chain_len);
	describe_signer(c, der, len);
	return 0;
}

static int check_signature(struct run *c, size_t manifest_len, size_t sig_len)
{
	struct system_plan *p = c->plan;
	char what[ERROR_WHAT_MAX], digest[OCI_DIGEST_STRING_LEN + 1];
	struct error ve;
	int r;

	c->stage = SYSTEM_STAGE_SIGNATURE;
	error_clear(&ve);
	r = signature_verify(&c->s->signer.key, c->s->system_manifest,
			     manifest_len, c->s->signature, sig_len, &ve);
	if (r == 0)
		return 0;
	oci_digest_string(p->artifact.manifest.digest, digest);
	snprintf(what, sizeof(what), "signature of system manifest %s by '%s'",
		 digest, p->signer_subject);
	return pass_on(c->err, what, r, &ve);
}

/* Read the three blobs, then check certificate and signature. */
static int check_signed(struct run *c, const struct x509_trust_store *ts,
			int64_t now, size_t *manifest_len)
{
	const struct oci_system_artifact *a = &c->plan->artifact;
	struct system_scratch *s = c->s;
	int mlen, slen, clen, r;

	c->stage = SYSTEM_STAGE_ARTIFACT;
	mlen = read_artifact_blob(c, "system manifest", &a->manifest,
				  s->system_manifest,
				  sizeof(s->system_manifest));
	if (mlen < 0)
		return mlen;
	slen = read_artifact_blob(c, "signature", &a->signature, s->signature,
				  sizeof(s->signature));
	if (slen < 0)
		return slen;
	clen = read_artifact_blob(c, "certificate", &a->certificate,
				  s->certificate, sizeof(s->certificate));
	if (clen < 0)
		return clen;
	*manifest_len = (size_t)mlen;
	r = check_certificate(c, ts, now, (size_t)clen);
	if (r < 0)
		return r;
	return check_signature(c, (size_t)mlen, (size_t)slen);
}

/* --- the system manifest -------------------------------------------------- */

static int parse_system_manifest(struct run *c, size_t len)
{
	struct system_plan *p = c->plan;
	char what[ERROR_WHAT_MAX];
	struct error je;
	int r;

	c->stage = SYSTEM_STAGE_MANIFEST;
	r = oci_system_manifest_parse(c->s->system_manifest, len, c->s->tokens,
				      OCI_TOKENS_MAX, &p->manifest, &je);
	if (r == 0)
		return 0;
	name_blob(what, sizeof(what), "system manifest",
		  p->artifact.manifest.digest);
	return pass_on(c->err, what, r, &je);
}

static int check_product(struct run *c, const char *expected)
{
	struct system_plan *p = c->plan;
	char what[ERROR_WHAT_MAX], digest[OCI_DIGEST_STRING_LEN + 1];

	c->stage = SYSTEM_STAGE_PRODUCT;
	oci_digest_string(p->artifact.manifest.digest, digest);
	snprintf(what, sizeof(what), "system manifest %s signed by '%s'",
		 digest, p->signer_subject);
	if (!streq(p->manifest.product, p->signer_product))
		return error_set(c->err, -OCIBOOT_EVERIFY, what,
				 "for product %s, but its signer's "
				 "certificate is for product %s",
				 p->manifest.product, p->signer_product);
	if (expected && !streq(p->manifest.product, expected))
		return error_set(c->err, -OCIBOOT_EVERIFY, what,
				 "for product %s, not this machine's %s",
				 p->manifest.product, expected);
	p->expected_product = expected != NULL;
	return 0;
}

/* --- the rootfs image ----------------------------------------------------- */

static int read_image(struct run *c)
{
	struct system_plan *p = c->plan;
	struct system_scratch *s = c->s;
	const struct oci_image_ref *ref = &p->manifest.rootfs;
	char what[ERROR_WHAT_MAX];
	struct error le;
	int len, r;

	c->stage = SYSTEM_STAGE_IMAGE;
	name_blob(what, sizeof(what), "rootfs image", ref->digest);
	len = layout_read_blob(c->l, ref->digest, ref->size, s->document,
			       sizeof(s->document), &le);
	if (len < 0)
		return pass_on(c->err, what, len, &le);
	r = oci_manifest_parse(s->document, (size_t)len, s->tokens,
			       OCI_TOKENS_MAX, &s->manifest, &le);
	if (r == 0 && s->manifest.layer_count == 0)
		return error_set(c->err, -OCIBOOT_EMALFORMED, what,
				 "the image has no layers");
	if (r == 0)
		r = oci_manifest_check_bootable(&s->manifest, &le);
	if (r < 0)
		return pass_on(c->err, what, r, &le);
	memcpy(p->image_digest, ref->digest, SHA256_LEN);
	p->image_size = len;
	return 0;
}

static int read_config(struct run *c)
{
	struct system_plan *p = c->plan;
	struct system_scratch *s = c->s;
	const struct oci_descriptor *d = &s->manifest.config;
	char what[ERROR_WHAT_MAX];
	struct error le;
	int r;

	c->stage = SYSTEM_STAGE_CONFIG;
	name_blob(what, sizeof(what), "rootfs image config", d->digest);
	if (!streq(d->media_type, OCI_MEDIA_TYPE_CONFIG))
		return error_set(c->err, -OCIBOOT_EMALFORMED, what,
				 "media type is not " OCI_MEDIA_TYPE_CONFIG);
	r = layout_read_config(c->l, d, s->document, sizeof(s->document),
			       s->tokens, OCI_TOKENS_MAX, &p->config, &le);
	if (r < 0)
		return pass_on(c->err, what, r, &le);
	p->config_descriptor = *d;
	return 0;
}

/* --- the layers ----------------------------------------------------------- */

static int layer_superblocks(struct error *err, const char *what, int fd,
			     struct system_layer *out)
{
	uint8_t sq[SQUASHFS_SUPER_SIZE], vs[VERITY_SUPERBLOCK_SIZE];
	struct verity_geometry geo;
	struct squashfs_super super;
	int r;

	if ((uint64_t)out->size < SQUASHFS_SUPER_SIZE)
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "%" PRId64 " bytes: too short for a squashfs "
				 "superblock", out->size);
	r = fileio_pread_exact(fd, sq, sizeof(sq), 0);
	if (r == 0)
		r = squashfs_super_parse(sq, sizeof(sq), &super);
	if (r < 0) {
		error_set(err, r, what, "squashfs superblock");
		error_at_offset(err, 0);
		return r;
	}
	if (!squashfs_compression_kernel_reads(super.compression)) {
		error_set(err, -EOPNOTSUPP, what, "squashfs compressor %s "
			  "(id %u): the kernel's squashfs cannot read it "
			  "(it reads gzip, lzo, xz, lz4 and zstd)",
			  squashfs_compression_name(super.compression),
			  super.compression);
		error_at_offset(err, 20);
		return -EOPNOTSUPP;
	}
	out->bytes_used = super.bytes_used;
	/* bytes_used <= SQUASHFS_BYTES_MAX: no overflow */
	out->hash_offset = (super.bytes_used + SYSTEM_HASH_ALIGN - 1) /
			   SYSTEM_HASH_ALIGN * SYSTEM_HASH_ALIGN;
	if (out->hash_offset + VERITY_SUPERBLOCK_SIZE > (uint64_t)out->size)
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "%" PRId64 " bytes: ends before its verity "
				 "superblock at byte %" PRIu64, out->size,
				 out->hash_offset);
	r = fileio_pread_exact(fd, vs, sizeof(vs), out->hash_offset);
	if (r == 0)
		r = verity_superblock_parse(vs, sizeof(vs), out->hash_offset,
					    &out->verity);
	if (r < 0) {
		error_set(err, r, what, "verity superblock");
		error_at_offset(err, out->hash_offset);
		return r;
	}
	r = verity_geometry_init(&geo, out->hash_offset);
	if (r < 0)
		return error_set(err, r, what, "verity data of %" PRIu64
				 " bytes", out->hash_offset);
	if (geo.blob_size != (uint64_t)out->size)
		return error_set(err, -OCIBOOT_EMALFORMED, what,
				 "size %" PRId64 " is not that of its data, "
				 "verity superblock and hash tree (%" PRIu64
				 " bytes)", out->size, geo.blob_size);
	return 0;
}

int system_layer_check(const struct layout *l, const struct oci_descriptor *d,
		       const char *what, struct system_layer *out,
		       struct error *err)
{
	char hex[SHA256_HEX_LEN + 1];
	struct error le;
	int fd, r;

	memcpy(out->digest, d->digest, SHA256_LEN);
	out->size = d->size;
	memcpy(out->media_type, d->media_type, sizeof(out->media_type));
	memcpy(out->root_hash, d->verity_root, VERITY_DIGEST_LEN);
	sha256_hex(d->digest, hex);
	snprintf(out->path, sizeof(out->path), LAYOUT_BLOBS_DIR "/sha256/%s",
		 hex);
	fd = layout_open_blob(l, d->digest, d->size, &le);
	if (fd < 0)
		return pass_on(err, what, fd, &le);
	r = layer_superblocks(err, what, fd, out);
	close(fd);
	return r;
}

static int check_layer(struct run *c, size_t i)
{
	const struct oci_descriptor *d = &c->s->manifest.layers[i];
	char what[ERROR_WHAT_MAX], label[32];

	snprintf(label, sizeof(label), "layer %zu", i);
	name_blob(what, sizeof(what), label, d->digest);
	return system_layer_check(c->l, d, what, &c->plan->layers[i], c->err);
}

static int check_layers(struct run *c)
{
	size_t n = c->s->manifest.layer_count;

	c->stage = SYSTEM_STAGE_LAYER;
	for (size_t i = 0; i < n && i < SYSTEM_LAYERS_MAX; i++) {
		int r = check_layer(c, i);

		if (r < 0)
			return r;
	}
	c->plan->layer_count = n;
	return 0;
}

/* --- verification --------------------------------------------------------- */

static int check_arguments(struct run *c, const struct oci_reference *ref,
			   int64_t now, const char *expected,
			   char normalized[DN_UUID_LEN + 1])
{
	c->stage = SYSTEM_STAGE_ARGUMENTS;
	if (now < 0)
		return error_set(c->err, -EINVAL, NULL,
				 "negative validation time %" PRId64, now);
	if (!ref->by_digest && !memchr(ref->tag, '\0', sizeof(ref->tag)))
		return error_set(c->err, -EINVAL, NULL, "tag not terminated");
	if (!ref->by_digest && !ref->tag[0])
		return error_set(c->err, -EINVAL, NULL, "empty tag");
	if (expected && dn_uuid_normalize(expected, strlen(expected),
					  normalized) < 0)
		return error_set(c->err, -EINVAL, NULL,
				 "expected product is not a UUID");
	return 0;
}

static int verify(struct run *c, const struct oci_reference *ref,
		  const struct x509_trust_store *ts, int64_t now,
		  const char *expected)
{
	char normalized[DN_UUID_LEN + 1];
	size_t manifest_len = 0;
	int r;

	r = check_arguments(c, ref, now, expected, normalized);
	if (r < 0)
		return r;
	c->plan->ref = *ref;
	c->plan->time = now;
	r = find_artifact(c, ref);
	if (r == 0)
		r = read_artifact_manifest(c);
	if (r == 0)
		r = check_signed(c, ts, now, &manifest_len);
	if (r == 0)
		r = parse_system_manifest(c, manifest_len);
	if (r == 0)
		r = check_product(c, expected ? normalized : NULL);
	if (r == 0)
		r = read_image(c);
	if (r == 0)
		r = read_config(c);
	if (r == 0)
		r = check_layers(c);
	return r;
}

int system_verify(const struct layout *l, const struct oci_reference *ref,
		  const struct x509_trust_store *ts, int64_t now,
		  const char *expected_product, struct system_scratch *scratch,
		  struct system_plan *plan, struct error *err)
{
	struct run c = { .l = l, .s = scratch, .plan = plan, .err = err };
	int r;

	error_clear(err);
	memset(plan, 0, sizeof(*plan));
	r = verify(&c, ref, ts, now, expected_product);
	if (r < 0) {
		error_reason(err, (int)c.stage);
		memset(plan, 0, sizeof(*plan));
	}
	return r;
}

/*
 * Steps 1 to 6 only: what a network boot checks before it fetches any
 * image the system manifest names.
 */
int system_verify_signed(const struct layout *l,
			 const struct oci_reference *ref,
			 const struct x509_trust_store *ts, int64_t now,
			 const char *expected_product,
			 struct system_scratch *scratch,
			 struct system_plan *plan, struct error *err)
{
	struct run c = { .l = l, .s = scratch, .plan = plan, .err = err };
	char normalized[DN_UUID_LEN + 1];
	size_t manifest_len = 0;
	int r;

	error_clear(err);
	memset(plan, 0, sizeof(*plan));
	r = check_arguments(&c, ref, now, expected_product, normalized);
	if (r == 0) {
		plan->ref = *ref;
		plan->time = now;
		r = find_artifact(&c, ref);
	}
	if (r == 0)
		r = read_artifact_manifest(&c);
	if (r == 0)
		r = check_signed(&c, ts, now, &manifest_len);
	if (r == 0)
		r = parse_system_manifest(&c, manifest_len);
	if (r == 0)
		r = check_product(&c, expected_product ? normalized : NULL);
	if (r < 0) {
		error_reason(err, (int)c.stage);
		memset(plan, 0, sizeof(*plan));
	}
	return r;
}

/* --- messages ------------------------------------------------------------- */

const char *system_stage_name(enum system_stage stage)
{
	static const char *const names[] = {
		[SYSTEM_STAGE_NONE] = "none",
		[SYSTEM_STAGE_ARGUMENTS] = "arguments",
		[SYSTEM_STAGE_INDEX] = "index",
		[SYSTEM_STAGE_ARTIFACT] = "artifact",
		[SYSTEM_STAGE_CERTIFICATE] = "certificate",
		[SYSTEM_STAGE_SIGNATURE] = "signature",
		[SYSTEM_STAGE_MANIFEST] = "manifest",
		[SYSTEM_STAGE_PRODUCT] = "product",
		[SYSTEM_STAGE_IMAGE] = "image",
		[SYSTEM_STAGE_CONFIG] = "config",
		[SYSTEM_STAGE_LAYER] = "layer",
	};

	if ((size_t)stage < ARRAY_SIZE(names) && names[stage])
		return names[stage];
	return "unknown";
}

/* Untrusted text, quoted, as printable ASCII (\xHH for other bytes). */
static void add_quoted(struct strbuf *l, const char *s)
{
	size_t n = 0;

	strbuf_putc(l, '"');
	for (; s[n] && n < SHOWN_STRING_MAX; n++) {
		unsigned char ch = (unsigned char)s[n];

		if (ch == '"' || ch == '\\')
			strbuf_printf(l, "\\%c", ch);
		else if (ch >= 0x20 && ch < 0x7f)
			strbuf_putc(l, (char)ch);
		else
			strbuf_printf(l, "\\x%02x", ch);
	}
	strbuf_puts(l, s[n] ? "...\"" : "\"");
}

void system_line_digest(struct strbuf *l, const uint8_t digest[SHA256_LEN])
{
	char text[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(digest, text);
	strbuf_puts(l, text);
}

void system_line_emit(struct strbuf *l, system_line_fn fn, void *ctx)
{
	strbuf_mark_cut(l, "...");
	fn(ctx, strbuf_str(l));
	strbuf_init(l, l->buf, l->size);
}

static void add_strings(struct strbuf *l, const struct oci_config *cfg,
			const uint32_t *offsets, size_t n)
{
	strbuf_putc(l, '[');
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(l, i ? ", " : "");
		add_quoted(l, oci_config_string(cfg, offsets[i]));
	}
	strbuf_putc(l, ']');
}

static void describe_signed(const struct system_plan *p, struct strbuf *l,
			    system_line_fn fn, void *ctx)
{
	const struct oci_system_artifact *a = &p->artifact;
	char from[CERT_TIME_STRING_MAX], to[CERT_TIME_STRING_MAX];
	char at[CERT_TIME_STRING_MAX];

	strbuf_puts(l, "artifact: ");
	system_line_digest(l, p->artifact_digest);
	strbuf_printf(l, " (%" PRId64 " bytes, ", p->artifact_size);
	if (p->ref.by_digest) {
		strbuf_puts(l, "by digest)");
	} else {
		strbuf_puts(l, "tag ");
		add_quoted(l, p->ref.tag);
		strbuf_puts(l, ")");
	}
	system_line_emit(l, fn, ctx);
	cert_time_format(p->signer_not_before, from);
	cert_time_format(p->signer_not_after, to);
	cert_time_format(p->time, at);
	strbuf_puts(l, "certificate: ");
	system_line_digest(l, a->certificate.digest);
	strbuf_printf(l, " %s (%s), issued by %s, valid %s to %s: "
		      "trusted at %s", p->signer_subject, p->signer_key,
		      p->signer_issuer[0] ? p->signer_issuer : "?", from, to,
		      at);
	system_line_emit(l, fn, ctx);
	strbuf_puts(l, "signature: ");
	system_line_digest(l, a->signature.digest);
	strbuf_puts(l, " matches system manifest ");
	system_line_digest(l, a->manifest.digest);
	strbuf_printf(l, " (%" PRId64 " bytes)", a->manifest.size);
	system_line_emit(l, fn, ctx);
	strbuf_printf(l, "product: %s (the certificate's%s)",
		      p->manifest.product,
		      p->expected_product ? " and this machine's" : "");
	system_line_emit(l, fn, ctx);
	strbuf_printf(l, "version: %" PRIu64, p->manifest.version);
	system_line_emit(l, fn, ctx);
}

static void describe_image(const struct system_plan *p, struct strbuf *l,
			   system_line_fn fn, void *ctx)
{
	const struct oci_config *cfg = &p->config;

	strbuf_puts(l, "rootfs: image ");
	system_line_digest(l, p->image_digest);
	strbuf_printf(l, " (%" PRId64 " bytes, %zu layers)", p->image_size,
		      p->layer_count);
	system_line_emit(l, fn, ctx);
	strbuf_puts(l, "config: ");
	system_line_digest(l, p->config_descriptor.digest);
	strbuf_puts(l, " entrypoint ");
	add_strings(l, cfg, cfg->entrypoint, cfg->entrypoint_count);
	strbuf_puts(l, " cmd ");
	add_strings(l, cfg, cfg->cmd, cfg->cmd_count);
	strbuf_printf(l, " env %zu", cfg->env_count);
	if (cfg->has_working_dir) {
		strbuf_puts(l, " workdir ");
		add_quoted(l, oci_config_string(cfg, cfg->working_dir));
	}
	system_line_emit(l, fn, ctx);
}

static void describe_layers(const struct system_plan *p, struct strbuf *l,
			    system_line_fn fn, void *ctx)
{
	char hex[SHA256_HEX_LEN + 1];

	for (size_t i = 0; i < p->layer_count && i < SYSTEM_LAYERS_MAX; i++) {
		const struct system_layer *y = &p->layers[i];

		sha256_hex(y->root_hash, hex);
		strbuf_printf(l, "layer %zu: ", i);
		system_line_digest(l, y->digest);
		strbuf_printf(l, " %" PRId64 " bytes, root hash %s, "
			      "hash offset %" PRIu64 " (data blocks: %" PRIu64
			      "), %s", y->size, hex, y->hash_offset,
			      y->verity.data_blocks, y->path);
		system_line_emit(l, fn, ctx);
	}
	for (size_t i = 0; i < p->manifest.service_count &&
	     i < OCI_SERVICES_MAX; i++) {
		const struct oci_image_ref *s = &p->manifest.services[i];

		strbuf_printf(l, "service %s: image ", s->name);
		system_line_digest(l, s->digest);
		system_line_emit(l, fn, ctx);
	}
}

void system_plan_describe(const struct system_plan *plan, system_line_fn fn,
			  void *ctx)
{
	char buf[SYSTEM_LINE_MAX];
	struct strbuf l;

	strbuf_init(&l, buf, sizeof(buf));
	describe_signed(plan, &l, fn, ctx);
	describe_image(plan, &l, fn, ctx);
	describe_layers(plan, &l, fn, ctx);
}

const char *system_verified_manifest(const struct system_scratch *scratch,
				     const struct system_plan *plan,
				     size_t *len)
{
	int64_t size = plan->artifact.manifest.size;

	*len = 0;
	if (size <= 0 || (uint64_t)size > sizeof(scratch->system_manifest))
		return NULL;
	*len = (size_t)size;
	return scratch->system_manifest;
}
