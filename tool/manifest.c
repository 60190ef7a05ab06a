/* SPDX-License-Identifier: MIT */
/*
 * `ociboot manifest`: write a system manifest pinning images of OCI
 * layouts by digest, sign it, and package manifest, signature and product
 * certificate as the system artifact of docs/formats.md in a layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bearssl_pem.h>

#include "crypto/cert.h"
#include "crypto/der.h"
#include "crypto/dn.h"
#include "crypto/sha256.h"
#include "crypto/x509.h"
#include "oci/jsonw.h"
#include "oci/layout.h"
#include "oci/layout_write.h"
#include "oci/oci.h"
#include "lib/fileio.h"
#include "lib/fileio_alloc.h"
#include "lib/util.h"
#include "tool/cli.h"
#include "tool/commands.h"
#include "tool/output.h"

/* The OCI empty descriptor's content and digest (image-spec v1.1). */
#define EMPTY_JSON "{}"
#define EMPTY_DIGEST "sha256:" \
	"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
/* A certificate file given to package: PEM of one certificate. */
#define CERT_FILE_MAX X509_PEM_FILE_MAX
#define PEM_CERTIFICATE "CERTIFICATE"
/* What the messages of `manifest create` and `manifest package` start with. */
#define CREATE "ociboot manifest create"
#define PACKAGE "ociboot manifest package"

static const char create_description[] =
	"Write the system manifest (docs/formats.md) for product UUID at\n"
	"version N (the anti-rollback counter, 0 to 2^53-1): its rootfs is\n"
	"the image tagged TAG in the OCI image layout DIR, and each --service\n"
	"the image tagged TAG in LAYOUT, each pinned by the digest, size and\n"
	"media type of its image manifest. Every image must be bootable:\n"
	"squashfs layers with verity root hashes. --rootfs-repository names\n"
	"the registry repository the rootfs is fetched from (default: the\n"
	"system manifest's own). The JSON is compact, keys in a fixed order:\n"
	"the same arguments always give the same bytes. Prints its digest.\n"
	"FILE's missing directories are created; an existing FILE is\n"
	"replaced only with --force.\n";

static const char sign_description[] =
	"Sign the exact bytes of a system manifest with a product key, as\n"
	"`ociboot keys sign` does: a detached signature, DER ECDSA (P-256\n"
	"with SHA-256, P-384 with SHA-384) or RSA PKCS#1 v1.5 with SHA-256.\n"
	"--out is never replaced without --force.\n";

static const char package_description[] =
	"Store the system manifest, its signature and the product certificate\n"
	"(PEM or DER; stored as DER) as blobs of the OCI image layout DIR\n"
	"(created if missing), write the artifact manifest (artifactType\n"
	OCI_ARTIFACT_TYPE_SYSTEM ", the empty config, those three\n"
	"layers) and tag it TAG, replacing any manifest tagged TAG. The\n"
	"manifest must parse as a system manifest and the certificate must\n"
	"be one X.509 certificate; the signature is not checked here (use\n"
	"`ociboot verify`). Prints the artifact's digest.\n";

/* Buffers for reading and checking documents, allocated once. */
struct work {
	char buf[LAYOUT_DOCUMENT_MAX];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_index idx;
	struct oci_manifest manifest;
	struct oci_system_manifest system;
};

/* --- create --------------------------------------------------------------- */

struct image_arg {
	const char *name;		/* services; NULL for the rootfs */
	const char *repository;		/* NULL: the manifest's own */
	const char *layout;
	const char *tag;
	uint8_t digest[SHA256_LEN];	/* resolved */
	int64_t size;
};

struct create_args {
	char product[DN_UUID_LEN + 1];
	uint64_t version;
	struct image_arg rootfs;
	size_t service_count;
	struct image_arg services[OCI_SERVICES_MAX];
	const char *output;
	bool force;
};

/* NAME=LAYOUT:TAG, split in place (arg is argv's, which we may edit). */
static int parse_service(char *arg, struct image_arg *out)
{
	char *eq = strchr(arg, '='), *colon = strrchr(arg, ':');

	if (!eq || eq == arg || !colon || colon < eq || colon == eq + 1 ||
	    !colon[1])
		return -EINVAL;
	*eq = '\0';
	*colon = '\0';
	out->name = arg;
	out->layout = eq + 1;
	out->tag = colon + 1;
	return 0;
}

static int set_product(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;

	if (dn_uuid_normalize(value, strlen(value), a->product) < 0)
		return error_set(err, -EINVAL, NULL, "is not a UUID");
	return 0;
}

static int set_version(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;
	long long v;

	if (cli_parse_number(value, 0, OCI_SYSTEM_VERSION_MAX, &v) < 0)
		return error_set(err, -EINVAL, NULL, "takes 0 to 2^53-1");
	a->version = (uint64_t)v;
	return 0;
}

static int add_service(void *args, const char *value, struct error *err)
{
	struct create_args *a = args;

	if (a->service_count == OCI_SERVICES_MAX)
		return error_set(err, -EINVAL, NULL, "%d services: over the "
				 "limit of %d services per system "
				 "(oci/limits.h)", OCI_SERVICES_MAX + 1,
				 OCI_SERVICES_MAX);
	/* value is argv's, which we may edit */
	if (parse_service((char *)value, &a->services[a->service_count]) < 0)
		return error_set(err, -EINVAL, NULL, "takes NAME=LAYOUT:TAG");
	a->service_count++;
	return 0;
}

static const struct cli_option create_options[] = {
	CLI_OPTION_CALL("product", 0, CLI_REQUIRED, "UUID", "the product ID",
			set_product),
	CLI_OPTION_CALL("version", 0, CLI_REQUIRED, "N",
			"the anti-rollback version", set_version),
	CLI_OPTION_STRING("rootfs-layout", 0, CLI_REQUIRED, "DIR",
			  "the rootfs image's layout", struct create_args,
			  rootfs.layout),
	CLI_OPTION_STRING("rootfs-tag", 0, CLI_REQUIRED, "TAG",
			  "the rootfs image's tag", struct create_args,
			  rootfs.tag),
	CLI_OPTION_STRING("rootfs-repository", 0, 0, "NAME",
			  "the rootfs image's registry repository",
			  struct create_args, rootfs.repository),
	CLI_OPTION_CALL("service", 0, CLI_REPEAT, "NAME=LAYOUT:TAG",
			"a service image", add_service),
	CLI_OPTION_STRING("output", 0, CLI_REQUIRED, "FILE",
			  "where the manifest goes", struct create_args,
			  output),
	CLI_OPTION_FLAG("force", 0, "replace FILE if it exists",
			struct create_args, force),
};

static const struct cli_spec create_spec =
	CLI_SPEC(CREATE, create_description, create_options, NULL);

/* The image img->tag of layout img->layout: its digest and size. */
static int resolve_image(struct image_arg *img, struct work *w)
{
	const struct oci_descriptor *d;
	char line[ERROR_LINE_MAX];
	struct error le;
	struct layout l;
	int r;

	r = layout_open(&l, AT_FDCWD, img->layout, &le);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s: %s (make the image with "
				   "`ociboot image create --layout %s`)",
				   img->layout, le.what, le.why, img->layout);
	r = layout_read_index(&l, w->buf, sizeof(w->buf), w->tokens,
			      OCI_TOKENS_MAX, &w->idx, &le);
	if (r >= 0)
		r = layout_find_tag(&w->idx, img->tag, &le);
	if (r >= 0) {
		d = &w->idx.manifests[r];
		memcpy(img->digest, d->digest, SHA256_LEN);
		img->size = d->size;
		r = layout_read_manifest(&l, d, w->buf, sizeof(w->buf),
					 w->tokens, OCI_TOKENS_MAX,
					 &w->manifest, &le);
	}
	layout_close(&l);
	if (r == -ENOENT)
		return cli_failure(CREATE, "%s: %s: %s (`ociboot image create "
				   "--layout %s --tag %s` makes it)",
				   img->layout, le.what, le.why, img->layout,
				   img->tag);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s: %s", img->layout, le.what,
				   le.why);
	r = oci_manifest_check_bootable(&w->manifest, &le);
	if (r == 0 && w->manifest.layer_count == 0)
		return cli_failure(CREATE, "%s:%s: the image has no layers",
				   img->layout, img->tag);
	if (r < 0)
		return cli_failure(CREATE, "%s:%s cannot boot: %s",
				   img->layout, img->tag,
				   error_format(&le, line, sizeof(line)));
	return 0;
}

static void write_image_ref(struct jsonw *j, const struct image_arg *img)
{
	char digest[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(img->digest, digest);
	jsonw_object_begin(j);
	if (img->name) {
		jsonw_key(j, "name");
		jsonw_string(j, img->name);
	}
	if (img->repository) {
		jsonw_key(j, "repository");
		jsonw_string(j, img->repository);
	}
	jsonw_key(j, "digest");
	jsonw_string(j, digest);
	jsonw_key(j, "mediaType");
	jsonw_string(j, OCI_MEDIA_TYPE_MANIFEST);
	jsonw_key(j, "size");
	jsonw_int(j, img->size);
	jsonw_object_end(j);
}

/* The system manifest as JSON: *out (to free()) of *len bytes. */
static int system_manifest_json(const struct create_args *a, char **out,
				size_t *len)
{
	struct jsonw j;

	jsonw_init(&j);
	jsonw_object_begin(&j);
	jsonw_key(&j, "schemaVersion");
	jsonw_int(&j, 1);
	jsonw_key(&j, "mediaType");
	jsonw_string(&j, OCI_MEDIA_TYPE_SYSTEM_MANIFEST);
	jsonw_key(&j, "product");
	jsonw_string(&j, a->product);
	jsonw_key(&j, "version");
	jsonw_uint(&j, a->version);
	jsonw_key(&j, "rootfs");
	write_image_ref(&j, &a->rootfs);
	if (a->service_count) {
		jsonw_key(&j, "services");
		jsonw_array_begin(&j);
		for (size_t i = 0; i < a->service_count; i++)
			write_image_ref(&j, &a->services[i]);
		jsonw_array_end(&j);
	}
	jsonw_object_end(&j);
	return jsonw_finish(&j, out, len);
}

static int create_write(const struct create_args *a, struct work *w)
{
	char line[ERROR_LINE_MAX];
	uint8_t digest[SHA256_LEN];
	struct error je;
	size_t len;
	char *json;
	int r;

	r = system_manifest_json(a, &json, &len);
	if (r < 0)
		return cli_failure(CREATE, "system manifest: %s",
				   ociboot_strerror(r));
	/* Refuse what the init would refuse (names, repositories...). */
	r = oci_system_manifest_parse(json, len, w->tokens, OCI_TOKENS_MAX,
				      &w->system, &je);
	if (r == 0 && len > OCI_SYSTEM_MANIFEST_SIZE_MAX)
		r = error_set(&je, -OCIBOOT_ETOOBIG, NULL, "%zu bytes, over "
			      "the cap of %zu", len,
			      (size_t)OCI_SYSTEM_MANIFEST_SIZE_MAX);
	if (r < 0) {
		free(json);
		return cli_failure(CREATE, "the system manifest would be "
				   "refused: %s",
				   error_format(&je, line, sizeof(line)));
	}
	r = fileio_replace(AT_FDCWD, a->output, json, len, 0644);
	sha256_digest(json, len, digest);
	free(json);
	if (r < 0)
		return cli_failure(CREATE, "%s: %s", a->output, strerror(-r));
	cli_print_digest("digest", digest);
	printf("size: %zu\nproduct: %s\nversion: %" PRIu64 "\n", len,
	       a->product, a->version);
	cli_print_digest("rootfs", a->rootfs.digest);
	for (size_t i = 0; i < a->service_count; i++) {
		printf("service %s: ", a->services[i].name);
		cli_print_digest("image", a->services[i].digest);
	}
	return 0;
}

static int manifest_create(int argc, char **argv)
{
	struct create_args *a = calloc(1, sizeof(*a));
	struct work *w = malloc(sizeof(struct work));
	int r;

	if (!a || !w) {
		r = cli_failure(CREATE, "%s", strerror(ENOMEM));
		goto out;
	}
	r = cli_parse(&create_spec, argc, argv, a, NULL);
	if (r) {
		r = cli_exit_status(r);
		goto out;
	}
	r = output_prepare(CREATE, a->output, a->force);
	if (r == 0)
		r = resolve_image(&a->rootfs, w);
	for (size_t i = 0; r == 0 && i < a->service_count; i++)
		r = resolve_image(&a->services[i], w);
	if (r == 0)
		r = create_write(a, w);
out:
	free(a);
	free(w);
	return r;
}

/* --- sign ----------------------------------------------------------------- */

static int manifest_sign(int argc, char **argv)
{
	return cli_sign("ociboot manifest sign", sign_description, argc,
			argv);
}

/* --- package -------------------------------------------------------------- */

struct package_args {
	const char *layout, *tag, *manifest, *signature, *cert;
};

/* A blob of the artifact: its bytes and, once stored, its descriptor. */
struct part {
	uint8_t *data;
	size_t len;
	uint8_t digest[SHA256_LEN];
};

static int package_check(const struct cli_spec *spec, void *args)
{
	const struct package_args *a = args;

	if (!layout_tag_valid(a->tag))
		return cli_usage(spec, "bad --tag '%s'", a->tag);
	return 0;
}

static const struct cli_option package_options[] = {
	CLI_OPTION_STRING("layout", 0, CLI_REQUIRED, "DIR",
			  "the OCI image layout", struct package_args, layout),
	CLI_OPTION_STRING("tag", 0, CLI_REQUIRED, "TAG", "the artifact's tag",
			  struct package_args, tag),
	CLI_OPTION_STRING("manifest", 0, CLI_REQUIRED, "FILE",
			  "the system manifest", struct package_args,
			  manifest),
	CLI_OPTION_STRING("signature", 0, CLI_REQUIRED, "FILE",
			  "its signature", struct package_args, signature),
	CLI_OPTION_STRING("cert", 0, CLI_REQUIRED, "FILE",
			  "the product certificate", struct package_args,
			  cert),
};

static const struct cli_spec package_spec =
	CLI_SPEC(PACKAGE, package_description, package_options, package_check);

static int read_part(const char *path, size_t max, struct part *p)
{
	int r = fileio_read_file_alloc(AT_FDCWD, path, max, 0, &p->data,
				       &p->len);

	if (r == -OCIBOOT_ETOOBIG)
		return cli_failure(PACKAGE, "%s: more than %zu bytes", path,
				   max);
	if (r < 0)
		return cli_failure(PACKAGE, "%s: %s", path, strerror(-r));
	return 0;
}

/* Copies decoded PEM bytes into a struct part of at most CERT_MAX bytes. */
struct pem_sink {
	struct part *out;
	bool overflow;
};

static void pem_append(void *ctx, const void *data, size_t len)
{
	struct pem_sink *s = ctx;

	if (s->overflow || len > CERT_MAX - s->out->len) {
		s->overflow = true;
		return;
	}
	memcpy(s->out->data + s->out->len, data, len);
	s->out->len += len;
}

/*
 * The one CERTIFICATE of the PEM text in[0..len) into out (DER). Returns
 * 0, or -EINVAL with *why set.
 */
static int pem_certificate(const uint8_t *in, size_t len, struct part *out,
			   const char **why)
{
	struct pem_sink sink = { .out = out };
	br_pem_decoder_context pc;
	int objects = 0;
	bool inside = false;

	br_pem_decoder_init(&pc);
	while (len) {
		size_t n = br_pem_decoder_push(&pc, in, len);

		in += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			if (objects++ || !streq(br_pem_decoder_name(&pc),
						PEM_CERTIFICATE)) {
				*why = "holds something other than one "
				       "CERTIFICATE";
				return -EINVAL;
			}
			inside = true;
			br_pem_decoder_setdest(&pc, pem_append, &sink);
			break;
		case BR_PEM_END_OBJ:
			inside = false;
			break;
		case BR_PEM_ERROR:
			*why = "bad PEM";
			return -EINVAL;
		}
	}
	if (inside || objects != 1 || sink.overflow) {
		*why = sink.overflow ? "certificate too big" :
		       "not one complete PEM CERTIFICATE";
		return -EINVAL;
	}
	return 0;
}

/* The certificate file (PEM or DER) as DER in *out, checked. */
static int read_certificate(const char *path, struct part *out)
{
	struct cert_info info;
	const char *why = NULL;
	struct part file = { 0 };
	int r;

	r = read_part(path, CERT_FILE_MAX, &file);
	if (r)
		return r;
	if (file.len && file.data[0] == DER_SEQUENCE) {
		*out = file;
	} else {
		out->data = malloc(CERT_MAX);
		out->len = 0;
		r = out->data ? pem_certificate(file.data, file.len, out, &why)
			      : -ENOMEM;
		free(file.data);
		if (r < 0)
			return cli_failure(PACKAGE, "%s: %s", path,
					   why ? why : strerror(-r));
	}
	if (out->len > OCI_SYSTEM_CERTIFICATE_SIZE_MAX ||
	    cert_parse(out->data, out->len, &info) < 0)
		return cli_failure(PACKAGE, "%s: not one X.509 certificate",
				   path);
	return 0;
}

/* The three files, read and checked as far as they can be without a CA. */
static int read_parts(const struct package_args *a, struct work *w,
		      struct part parts[3])
{
	char line[ERROR_LINE_MAX];
	struct error je;
	int r;

	r = read_part(a->manifest, OCI_SYSTEM_MANIFEST_SIZE_MAX, &parts[0]);
	if (r)
		return r;
	r = oci_system_manifest_parse((const char *)parts[0].data,
				      parts[0].len, w->tokens, OCI_TOKENS_MAX,
				      &w->system, &je);
	if (r < 0)
		return cli_failure(PACKAGE, "%s: not a system manifest: %s",
				   a->manifest,
				   error_format(&je, line, sizeof(line)));
	r = read_part(a->signature, OCI_SYSTEM_SIGNATURE_SIZE_MAX, &parts[1]);
	if (r)
		return r;
	if (parts[1].len == 0)
		return cli_failure(PACKAGE, "%s: empty", a->signature);
	return read_certificate(a->cert, &parts[2]);
}

static void write_layer(struct jsonw *j, const char *media_type,
			const struct part *p)
{
	char digest[OCI_DIGEST_STRING_LEN + 1];

	oci_digest_string(p->digest, digest);
	jsonw_object_begin(j);
	jsonw_key(j, "mediaType");
	jsonw_string(j, media_type);
	jsonw_key(j, "digest");
	jsonw_string(j, digest);
	jsonw_key(j, "size");
	jsonw_uint(j, p->len);
	jsonw_object_end(j);
}

/* The artifact manifest, keys in the order of the image-spec's Go struct. */
static int artifact_json(const struct part parts[3], char **out, size_t *len)
{
	static const char *const types[3] = {
		OCI_MEDIA_TYPE_SYSTEM_MANIFEST,
		OCI_MEDIA_TYPE_SYSTEM_SIGNATURE,
		OCI_MEDIA_TYPE_SYSTEM_CERTIFICATE,
	};
	struct jsonw j;

	jsonw_init(&j);
	jsonw_object_begin(&j);
	jsonw_key(&j, "schemaVersion");
	jsonw_int(&j, 2);
	jsonw_key(&j, "mediaType");
	jsonw_string(&j, OCI_MEDIA_TYPE_MANIFEST);
	jsonw_key(&j, "artifactType");
	jsonw_string(&j, OCI_ARTIFACT_TYPE_SYSTEM);
	jsonw_key(&j, "config");
	jsonw_object_begin(&j);
	jsonw_key(&j, "mediaType");
	jsonw_string(&j, OCI_MEDIA_TYPE_EMPTY);
	jsonw_key(&j, "digest");
	jsonw_string(&j, EMPTY_DIGEST);
	jsonw_key(&j, "size");
	jsonw_int(&j, (int64_t)strlen(EMPTY_JSON));
	jsonw_object_end(&j);
	jsonw_key(&j, "layers");
	jsonw_array_begin(&j);
	for (size_t i = 0; i < 3; i++)
		write_layer(&j, types[i], &parts[i]);
	jsonw_array_end(&j);
	jsonw_object_end(&j);
	return jsonw_finish(&j, out, len);
}

/* The artifact manifest must pass the init's own check. */
static int check_artifact(const char *json, size_t len, struct work *w)
{
	struct oci_system_artifact art;
	char line[ERROR_LINE_MAX];
	struct error je;
	int r;

	r = oci_manifest_parse(json, len, w->tokens, OCI_TOKENS_MAX,
			       &w->manifest, &je);
	if (r == 0)
		r = oci_system_artifact_check(&w->manifest, &art, &je);
	if (r < 0)
		return cli_failure(PACKAGE, "artifact manifest refused: %s",
				   error_format(&je, line, sizeof(line)));
	return 0;
}

static int store(const struct package_args *a, const struct layout *l,
		 struct part parts[3], struct work *w)
{
	uint8_t empty[SHA256_LEN], want[SHA256_LEN], digest[SHA256_LEN];
	struct error le;
	const char *reason;
	size_t len;
	char *json;
	int r;

	r = layout_add_blob(l, EMPTY_JSON, strlen(EMPTY_JSON), empty, &le);
	for (size_t i = 0; r == 0 && i < 3; i++)
		r = layout_add_blob(l, parts[i].data, parts[i].len,
				    parts[i].digest, &le);
	if (r < 0)
		return cli_failure(PACKAGE, "%s: %s: %s", a->layout, le.what,
				   le.why);
	if (oci_digest_parse(EMPTY_DIGEST, strlen(EMPTY_DIGEST), want,
			     &reason) < 0 || !ct_memeq(empty, want, SHA256_LEN))
		return cli_failure(PACKAGE, "the empty blob's digest is wrong");
	r = artifact_json(parts, &json, &len);
	if (r < 0)
		return cli_failure(PACKAGE, "artifact manifest: %s",
				   ociboot_strerror(r));
	r = check_artifact(json, len, w);
	if (r == 0) {
		sha256_digest(json, len, digest);
		output_note_tag(PACKAGE, l, a->layout, a->tag, digest);
	}
	if (r == 0 && layout_add_blob(l, json, len, digest, &le) == 0 &&
	    layout_tag(l, a->tag, digest, (int64_t)len, &le) == 0) {
		cli_print_digest("digest", digest);
		printf("size: %zu\ntag: %s\n", len, a->tag);
	} else if (r == 0) {
		r = cli_failure(PACKAGE, "%s: %s: %s", a->layout, le.what,
				le.why);
	}
	free(json);
	return r;
}

static int manifest_package(int argc, char **argv)
{
	struct package_args a = { 0 };
	struct part parts[3] = { { 0 } };
	struct error le;
	struct work *w = NULL;
	struct layout l;
	int r;

	r = cli_parse(&package_spec, argc, argv, &a, NULL);
	if (r)
		return cli_exit_status(r);
	w = malloc(sizeof(*w));
	if (!w)
		return cli_failure(PACKAGE, "%s", strerror(ENOMEM));
	r = read_parts(&a, w, parts);
	if (r == 0)
		r = output_make_dir(PACKAGE, a.layout);
	if (r == 0) {
		r = layout_create(&l, AT_FDCWD, a.layout, &le);
		if (r < 0) {
			r = cli_failure(PACKAGE, "%s: %s: %s", a.layout,
					le.what, le.why);
		} else {
			r = store(&a, &l, parts, w);
			layout_close(&l);
		}
	}
	for (size_t i = 0; i < 3; i++)
		free(parts[i].data);
	free(w);
	return r;
}

int manifest_main(int argc, char **argv)
{
	static const struct cli_command commands[] = {
		{ "create", manifest_create, "write a system manifest pinning "
		  "images by digest" },
		{ "sign", manifest_sign, "sign a system manifest with a "
		  "product key" },
		{ "package", manifest_package, "put manifest, signature and "
		  "certificate in a layout as the system artifact" },
	};

	return cli_dispatch("ociboot manifest", commands,
			    ARRAY_SIZE(commands), argc, argv);
}
