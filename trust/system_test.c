/* SPDX-License-Identifier: MIT */
/*
 * Tests of trust/system over layouts built here: layers from the layer
 * builder, documents and blobs through oci/layout_write, certificates and
 * signatures made by the openssl tool (the independent reference). A good
 * system (EC and RSA signers) verifies by tag and by digest and its plan
 * holds what was built; then a table of systems broken one way each, every
 * one refused at its own stage with its own reason and naming the thing
 * that failed; then each blob of the artifact cut at every length (digests
 * fixed up, so only the meaning can fail), and a layer blob cut at many
 * lengths in an image signed as it is. The summary lines are checked for
 * content and for escaping of untrusted strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/openssl_fixture.h"
#include "fs/squashfs_super.h"
#include "layer/layer.h"
#include "layer/layer_fixture.h"
#include "oci/layout.h"
#include "oci/layout_write.h"
#include "oci/oci.h"
#include "trust/services.h"
#include "trust/system.h"
#include "lib/util.h"

#define UUID "5b0e4f6c-2f9a-4d0e-9c1b-6a4f2d8e7b31"
#define UUID2 "0a16c2d6-4ed8-4e34-9ef8-780a5148b423"
#define TAG "system"
#define SQUASHFS_TYPE LAYER_MEDIA_TYPE
#define TAR_TYPE "application/vnd.oci.image.layer.v1.tar"
#define EMPTY_DIGEST "sha256:" \
	"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define DOC_MAX 8192
#define BIG_FILE_SIZE (300 * 1024)
#define PATH_LEN 512
#define LINES_MAX 128

/* Everything made once for all tests. */
static char *dir;
static int64_t now;
static struct x509_trust_store trust;
static struct system_scratch scratch;
static struct system_plan plan;

static const char fixtures[] =
	"cat > x.cnf <<'EOF'\n"
	"[req]\ndistinguished_name = dn\n[dn]\n"
	"[ca]\nbasicConstraints = critical,CA:TRUE\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier = hash\n"
	"[product]\nbasicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = codeSigning\n"
	"subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
	"[bare]\nsubjectKeyIdentifier = hash\n"
	"EOF\n"
	"ec() { openssl genpkey -algorithm EC "
	"-pkeyopt ec_paramgen_curve:P-256 -out $1.key; }\n"
	"selfsigned() { openssl req -new -x509 -config x.cnf -key $1.key "
	"-subj \"$2\" -days 3650 -extensions $3 -out $1.pem; }\n"
	"n=100\n"
	"issue() { n=$((n + 1)); openssl req -new -config x.cnf -key $1.key "
	"-subj \"$3\" -out $1.csr; openssl x509 -req -in $1.csr -CA $2.pem "
	"-CAkey $2.key -set_serial $n -days 365 -extfile x.cnf "
	"-extensions product -sha256 -out $1.pem 2>/dev/null; }\n"
	"ec ca; selfsigned ca '/CN=Test CA' ca\n"
	"ec other; selfsigned other '/CN=Other CA' ca\n"
	"ec p; issue p ca '/CN=Product/serialNumber=" UUID "'\n"
	"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	"-out prsa.key 2>/dev/null\n"
	"issue prsa ca '/CN=Product RSA/serialNumber=" UUID "'\n"
	"ec p2; issue p2 ca '/CN=Product 2/serialNumber=" UUID2 "'\n"
	"ec pother; issue pother other '/CN=Elsewhere/serialNumber=" UUID "'\n"
	"ec pself; selfsigned pself '/CN=Self/serialNumber=" UUID "' bare\n"
	"for c in p prsa p2 pother pself; do\n"
	"	openssl x509 -in $c.pem -outform DER -out $c.der\n"
	"done\n"
	"mkdir layouts\n";

/* A layer blob built once, with what the builder said about it. */
struct layer_blob {
	uint8_t *data;
	size_t len;
	uint8_t digest[SHA256_LEN];
	struct layer_result res;
};

static struct layer_blob big, small;

/* --- helpers -------------------------------------------------------------- */

static void path_of(char out[PATH_LEN], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void path_of(char out[PATH_LEN], const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(out, PATH_LEN, "%s/", dir);
	va_start(ap, fmt);
	vsnprintf(out + n, PATH_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

static void write_path(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void digest_text(const uint8_t d[SHA256_LEN],
			char out[OCI_DIGEST_STRING_LEN + 1])
{
	oci_digest_string(d, out);
}

/* Sign data with dir/KEY.key by `openssl dgst`; *len bytes, to free(). */
static uint8_t *openssl_sign(const char *key, const void *data, size_t len,
			     size_t *sig_len)
{
	char path[PATH_LEN], script[256];

	path_of(path, "signed.json");
	write_path(path, data, len);
	snprintf(script, sizeof(script), "rm -f signed.sig; openssl dgst "
		 "-sha256 -sign %s.key -out signed.sig signed.json", key);
	assert_int_equal(fixture_sh(dir, script), 0);
	return fixture_read(dir, "signed.sig", sig_len);
}

static void add_blob(const struct layout *l, const void *data, size_t len,
		     uint8_t digest[SHA256_LEN])
{
	struct error le;

	assert_int_equal(layout_add_blob(l, data, len, digest, &le), 0);
}

/* The file of blob d in layout NAME. */
static void blob_path(char out[PATH_LEN], const char *name,
		      const uint8_t d[SHA256_LEN])
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex(d, hex);
	path_of(out, "layouts/%s/blobs/sha256/%s", name, hex);
}

static void flip_byte(const char *path, off_t offset)
{
	uint8_t b;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, offset), 1);
	b ^= 1;
	assert_int_equal(pwrite(fd, &b, 1, offset), 1);
	close(fd);
}

static void set_byte(const char *path, off_t offset, uint8_t b)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &b, 1, offset), 1);
	close(fd);
}

/* --- layers --------------------------------------------------------------- */

/* A layer of one file of size bytes (pseudo-random, so it stays big). */
static void build_layer(struct layer_blob *out, const char *file, size_t size)
{
	static const uint8_t salt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct layer_options opt = { .workers = 1, .salt = salt,
				     .salt_len = sizeof(salt) };
	uint8_t *content = malloc(size ? size : 1);
	struct layer_mem_reader m = { content, size, 0 };
	struct layer_entry e = { .type = LAYER_FILE, .path = file,
				 .mode = 0644, .size = size,
				 .read = layer_mem_read, .read_ctx = &m };
	struct layer_entry d = { .type = LAYER_DIR, .path = "etc",
				 .mode = 0755 };
	struct layer_builder *b;
	uint32_t x = 2463534242u;
	struct stat st;
	int fd;

	assert_non_null(content);
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		content[i] = (uint8_t)x;
	}
	fd = memfd_create("layer", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(layer_builder_new(fd, &opt, &b), 0);
	assert_int_equal(layer_builder_add(b, &d), 0);
	assert_int_equal(layer_builder_add(b, &e), 0);
	assert_int_equal(layer_builder_finish(b, &out->res), 0);
	layer_builder_free(b);
	free(content);
	assert_int_equal(fstat(fd, &st), 0);
	out->len = (size_t)st.st_size;
	assert_int_equal(out->len, out->res.blob_size);
	out->data = malloc(out->len);
	assert_non_null(out->data);
	assert_int_equal(pread(fd, out->data, out->len, 0),
			 (ssize_t)out->len);
	close(fd);
	sha256_digest(out->data, out->len, out->digest);
}

/* --- systems -------------------------------------------------------------- */

enum damage {
	DAMAGE_NONE,
	DAMAGE_APPEND,		/* one byte more than the descriptor */
	DAMAGE_TRUNCATE,	/* one byte less */
	DAMAGE_REMOVE,		/* the blob is missing */
	DAMAGE_SQUASHFS,	/* its squashfs magic flipped */
	DAMAGE_VERITY,		/* its verity superblock version bad */
	DAMAGE_LZMA,		/* its compressor id made lzma's */
};

/* How to build a system; zero fields build the good one. */
struct variant {
	const char *signer;		/* key that signs; "p" */
	const char *cert;		/* in the artifact; the signer's */
	bool cert_pem;			/* stored as PEM, not DER */
	const char *product;		/* in the manifest; UUID */
	const char *manifest_extra;	/* JSON members appended */
	bool tamper;			/* manifest edited after signing */
	bool short_signature;		/* last byte of it dropped */
	const char *artifact_type;	/* the system one */
	bool swap_layers;		/* signature and certificate swapped */
	bool edit_manifest_blob;	/* blob changed, descriptor not */
	bool remove_certificate;
	const char *tag;		/* TAG */
	int64_t rootfs_size;		/* 0: the right one; -1: absent */
	bool rootfs_missing;		/* names an image not there */
	const char *media_type;		/* of every layer; squashfs */
	bool no_root_hash;
	bool no_layers;
	const char *root_hash;		/* annotation of layer 0, hex */
	const char *config_type;	/* the OCI config type */
	bool remove_config;
	enum damage damage;		/* to layer 0's blob */
	int64_t resize;			/* layer 0 cut to this, the
					 * descriptor saying so */
	bool grow;			/* layer 0 and a block of zeros, the
					 * descriptor saying so */
	size_t layer_count;		/* 0: two; else layer 0, then the
					 * small one count - 1 times */
	size_t service_count;		/* 0: one */
};

/* What build() made. */
struct built {
	uint8_t artifact[SHA256_LEN];
	uint8_t manifest[SHA256_LEN];	/* the system manifest blob */
	uint8_t image[SHA256_LEN];
	uint8_t config[SHA256_LEN];
	uint8_t layer0[SHA256_LEN];
	int64_t layer0_size;
	char system_json[DOC_MAX];
	size_t system_len;
};

static const char *const config_entrypoint[] = { "/sbin/init", "a\"b\\c" };
static const char *const config_cmd[] = { "tab\there", "\xc3\xa9t\xc3\xa9" };
static const char *const config_env[] = { "PATH=/bin" };

static void add_config(const struct layout *l, const struct variant *v,
		       uint8_t digest[SHA256_LEN], size_t *len)
{
	struct layout_config c = {
		.architecture = "amd64", .os = "linux",
		.entrypoint = config_entrypoint, .entrypoint_count = 2,
		.cmd = config_cmd, .cmd_count = 2,
		.env = config_env, .env_count = 1,
		.working_dir = "/srv",
	};
	char *json;

	assert_int_equal(layout_config_json(&c, &json, len), 0);
	add_blob(l, json, *len, digest);
	free(json);
}

static size_t layer_json(char *out, size_t size, const char *media_type,
			 const uint8_t digest[SHA256_LEN], int64_t len,
			 const char *root)
{
	char d[OCI_DIGEST_STRING_LEN + 1];
	int n;

	digest_text(digest, d);
	n = snprintf(out, size, "{\"mediaType\":\"%s\",\"digest\":\"%s\","
		     "\"size\":%" PRId64, media_type, d, len);
	if (root)
		n += snprintf(out + n, size - (size_t)n, ",\"annotations\":{\""
			      OCI_ANNOTATION_VERITY_ROOT "\":\"%s\"}", root);
	n += snprintf(out + n, size - (size_t)n, "}");
	return (size_t)n;
}

/* Layer 0 as the variant wants it in the layout; its descriptor size. */
static int64_t add_layer0(const struct layout *l, const struct variant *v,
			  uint8_t digest[SHA256_LEN])
{
	size_t len = v->grow ? big.len + VERITY_BLOCK_SIZE :
		     v->resize ? (size_t)v->resize : big.len;
	uint8_t *data = calloc(1, len);

	assert_non_null(data);
	memcpy(data, big.data, len < big.len ? len : big.len);
	add_blob(l, data, len, digest);
	free(data);
	return (int64_t)len;
}

static void add_image(const struct layout *l, const struct variant *v,
		      struct built *b, size_t *image_len)
{
	static char doc[LAYOUT_DOCUMENT_MAX];
	char layers[2][1024], hex[2][SHA256_HEX_LEN + 1];
	char config[OCI_DIGEST_STRING_LEN + 1];
	const char *type = v->media_type ? v->media_type : SQUASHFS_TYPE;
	size_t config_len, count = v->layer_count ? v->layer_count : 2;
	int n;

	add_config(l, v, b->config, &config_len);
	b->layer0_size = add_layer0(l, v, b->layer0);
	add_blob(l, small.data, small.len, small.digest);
	sha256_hex(big.res.root, hex[0]);
	sha256_hex(small.res.root, hex[1]);
	layer_json(layers[0], sizeof(layers[0]), type, b->layer0,
		   b->layer0_size, v->no_root_hash ? NULL :
		   v->root_hash ? v->root_hash : hex[0]);
	layer_json(layers[1], sizeof(layers[1]), type, small.digest,
		   (int64_t)small.len, v->no_root_hash ? NULL : hex[1]);
	digest_text(b->config, config);
	n = snprintf(doc, sizeof(doc), "{\"schemaVersion\":2,\"mediaType\":\""
		     OCI_MEDIA_TYPE_MANIFEST "\",\"config\":{\"mediaType\":"
		     "\"%s\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[%s",
		     v->config_type ? v->config_type :
		     OCI_MEDIA_TYPE_CONFIG, config, config_len,
		     v->no_layers ? "" : layers[0]);
	for (size_t i = 1; i < count && !v->no_layers; i++)
		n += snprintf(doc + n, sizeof(doc) - (size_t)n, ",%s",
			      layers[1]);
	n += snprintf(doc + n, sizeof(doc) - (size_t)n, "]}");
	assert_true(n > 0 && (size_t)n < sizeof(doc));
	*image_len = (size_t)n;
	if (v->rootfs_missing)
		sha256_digest(doc, (size_t)n, b->image);	/* not stored */
	else
		add_blob(l, doc, (size_t)n, b->image);
}

/* The services of a variant, as JSON array elements, into out[size]. */
static void services_json(const struct variant *v, const char *image,
			  char *out, size_t size)
{
	size_t n = 0, count = v->service_count ? v->service_count : 1;

	for (size_t i = 0; i < count; i++) {
		char name[32] = "sshd";

		if (v->service_count)
			snprintf(name, sizeof(name), "s%zu", i);
		n += (size_t)snprintf(out + n, size - n, "%s{\"name\":\"%s\","
				      "\"digest\":\"%s\"}", i ? "," : "",
				      name, image);
		assert_true(n < size);
	}
}

/* The system manifest's bytes into b->system_json. */
static void system_manifest(const struct variant *v, struct built *b,
			    size_t image_len)
{
	char image[OCI_DIGEST_STRING_LEN + 1], size[32] = "";
	static char services[DOC_MAX];
	int n;

	digest_text(b->image, image);
	services_json(v, image, services, sizeof(services));
	if (v->rootfs_size >= 0)
		snprintf(size, sizeof(size), ",\"size\":%" PRId64,
			 v->rootfs_size ? v->rootfs_size : (int64_t)image_len);
	n = snprintf(b->system_json, sizeof(b->system_json),
		     "{\"schemaVersion\":1,\"mediaType\":\""
		     OCI_MEDIA_TYPE_SYSTEM_MANIFEST "\",\"product\":\"%s\","
		     "\"version\":7,\"rootfs\":{\"digest\":\"%s\","
		     "\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\"%s},"
		     "\"services\":[%s]%s}",
		     v->product ? v->product : UUID, image, size, services,
		     v->manifest_extra ? v->manifest_extra : "");
	assert_true(n > 0 && (size_t)n < sizeof(b->system_json));
	b->system_len = (size_t)n;
}

/* The artifact manifest of the three blobs into out[DOC_MAX]. */
static size_t artifact_json(char *out, const char *artifact_type,
			    const uint8_t digests[3][SHA256_LEN],
			    const size_t sizes[3], bool swap)
{
	static const char *const types[3] = {
		OCI_MEDIA_TYPE_SYSTEM_MANIFEST,
		OCI_MEDIA_TYPE_SYSTEM_SIGNATURE,
		OCI_MEDIA_TYPE_SYSTEM_CERTIFICATE,
	};
	char layers[3][256];
	int n;

	for (size_t i = 0; i < 3; i++) {
		size_t j = swap && i ? 3 - i : i;
		char d[OCI_DIGEST_STRING_LEN + 1];

		digest_text(digests[j], d);
		snprintf(layers[i], sizeof(layers[i]), "{\"mediaType\":\"%s\","
			 "\"digest\":\"%s\",\"size\":%zu}", types[j], d,
			 sizes[j]);
	}
	n = snprintf(out, DOC_MAX, "{\"schemaVersion\":2,\"mediaType\":\""
		     OCI_MEDIA_TYPE_MANIFEST "\",\"artifactType\":\"%s\","
		     "\"config\":{\"mediaType\":\"" OCI_MEDIA_TYPE_EMPTY "\","
		     "\"digest\":\"" EMPTY_DIGEST "\",\"size\":2},\"layers\":"
		     "[%s,%s,%s]}", artifact_type, layers[0], layers[1],
		     layers[2]);
	assert_true(n > 0 && n < DOC_MAX);
	return (size_t)n;
}

static uint8_t *read_certificate(const struct variant *v, size_t *len)
{
	const char *cert = v->cert ? v->cert : v->signer ? v->signer : "p";
	char name[64];

	snprintf(name, sizeof(name), "%s.%s", cert, v->cert_pem ? "pem" :
		 "der");
	return fixture_read(dir, name, len);
}

/* Sign, store the three blobs and the artifact, tag it. */
static void add_artifact(const struct layout *l, const struct variant *v,
			 struct built *b)
{
	uint8_t digests[3][SHA256_LEN], empty[SHA256_LEN];
	size_t sizes[3], len;
	char doc[DOC_MAX];
	uint8_t *sig, *cert;
	struct error le;

	sig = openssl_sign(v->signer ? v->signer : "p", b->system_json,
			   b->system_len, &sizes[1]);
	if (v->short_signature)
		sizes[1]--;
	if (v->tamper)
		memcpy(strstr(b->system_json, "\"version\":7"), "\"version\":8",
		       11);
	cert = read_certificate(v, &sizes[2]);
	sizes[0] = b->system_len;
	add_blob(l, b->system_json, sizes[0], digests[0]);
	add_blob(l, sig, sizes[1], digests[1]);
	add_blob(l, cert, sizes[2], digests[2]);
	add_blob(l, "{}", 2, empty);
	free(sig);
	free(cert);
	memcpy(b->manifest, digests[0], SHA256_LEN);
	len = artifact_json(doc, v->artifact_type ? v->artifact_type :
			    OCI_ARTIFACT_TYPE_SYSTEM, digests, sizes,
			    v->swap_layers);
	add_blob(l, doc, len, b->artifact);
	assert_int_equal(layout_tag(l, v->tag ? v->tag : TAG, b->artifact,
				    (int64_t)len, &le), 0);
}

static void apply_damage(const char *name, const struct variant *v,
		   const struct built *b)
{
	char path[PATH_LEN];

	blob_path(path, name, b->layer0);
	switch (v->damage) {
	case DAMAGE_NONE:
		break;
	case DAMAGE_APPEND:
		assert_int_equal(truncate(path, b->layer0_size + 1), 0);
		break;
	case DAMAGE_TRUNCATE:
		assert_int_equal(truncate(path, b->layer0_size - 1), 0);
		break;
	case DAMAGE_REMOVE:
		assert_int_equal(unlink(path), 0);
		break;
	case DAMAGE_SQUASHFS:
		flip_byte(path, 0);
		break;
	case DAMAGE_VERITY:
		flip_byte(path, (off_t)big.res.hash_offset + 8);
		break;
	case DAMAGE_LZMA:
		set_byte(path, 20, SQUASHFS_COMP_LZMA);
		break;
	}
	if (v->edit_manifest_blob) {
		blob_path(path, name, b->manifest);
		flip_byte(path, 20);
	}
	if (v->remove_config) {
		blob_path(path, name, b->config);
		assert_int_equal(unlink(path), 0);
	}
}

/* Build the system v in dir/layouts/name. */
static void build(const char *name, const struct variant *v, struct built *b)
{
	char path[PATH_LEN];
	struct error le;
	struct layout l;
	size_t image_len;

	memset(b, 0, sizeof(*b));
	path_of(path, "layouts/%s", name);
	assert_int_equal(layout_create(&l, AT_FDCWD, path, &le), 0);
	add_image(&l, v, b, &image_len);
	system_manifest(v, b, image_len);
	add_artifact(&l, v, b);
	layout_close(&l);
	apply_damage(name, v, b);
	if (v->remove_certificate) {
		char script[PATH_LEN + 64];

		/* the certificate is the only .der-sized blob: find it */
		snprintf(script, sizeof(script), "for f in layouts/%s/blobs/"
			 "sha256/*; do cmp -s $f p.der && rm $f; done; true",
			 name);
		assert_int_equal(fixture_sh(dir, script), 0);
	}
}

static int verify_at(const char *name, const struct oci_reference *ref,
		     int64_t t, const char *expected,
		     struct error *err)
{
	char path[PATH_LEN];
	struct error le;
	struct layout l;
	int r;

	path_of(path, "layouts/%s", name);
	assert_int_equal(layout_open(&l, AT_FDCWD, path, &le), 0);
	r = system_verify(&l, ref, &trust, t, expected, &scratch, &plan, err);
	layout_close(&l);
	return r;
}

static struct oci_reference tag_ref(const char *tag)
{
	struct oci_reference ref = { .by_digest = false };

	snprintf(ref.tag, sizeof(ref.tag), "%s", tag);
	return ref;
}

/* --- setup ---------------------------------------------------------------- */

static int setup(void **state)
{
	char path[PATH_LEN];
	struct error ve;

	dir = fixture_dir_create();
	if (fixture_sh(dir, fixtures) != 0)
		return -1;
	/* After the certificates were made: openssl starts them now. */
	now = (int64_t)time(NULL);
	x509_trust_store_init(&trust);
	path_of(path, "ca.pem");
	if (x509_trust_store_load_file(&trust, path, &ve) != 1)
		return -1;
	build_layer(&big, "etc/big", BIG_FILE_SIZE);
	build_layer(&small, "etc/small", 100);
	return 0;
}

static int teardown(void **state)
{
	fixture_dir_remove(dir);
	free(dir);
	free(big.data);
	free(small.data);
	return 0;
}

/* --- the good system ------------------------------------------------------ */

static void check_plan(const struct built *b)
{
	const struct system_layer *y = &plan.layers[0];
	char hex[SHA256_HEX_LEN + 1], path[SYSTEM_BLOB_PATH_MAX + 1];

	assert_memory_equal(plan.artifact_digest, b->artifact, SHA256_LEN);
	assert_memory_equal(plan.artifact.manifest.digest, b->manifest,
			    SHA256_LEN);
	assert_string_equal(plan.manifest.product, UUID);
	assert_string_equal(plan.signer_product, UUID);
	assert_int_equal(plan.manifest.version, 7);
	assert_int_equal(plan.manifest.service_count, 1);
	assert_string_equal(plan.signer_issuer, "CN=Test CA");
	assert_int_equal(plan.time, now);
	assert_memory_equal(plan.image_digest, b->image, SHA256_LEN);
	assert_memory_equal(plan.config_descriptor.digest, b->config,
			    SHA256_LEN);
	assert_int_equal(plan.config.entrypoint_count, 2);
	assert_string_equal(oci_config_string(&plan.config,
					      plan.config.entrypoint[1]),
			    "a\"b\\c");
	assert_int_equal(plan.layer_count, 2);
	/* Layer 0 is the bottom one, with what the builder reported. */
	assert_memory_equal(y->digest, big.digest, SHA256_LEN);
	assert_int_equal(y->size, big.len);
	assert_string_equal(y->media_type, SQUASHFS_TYPE);
	assert_memory_equal(y->root_hash, big.res.root, SHA256_LEN);
	assert_int_equal(y->bytes_used, big.res.bytes_used);
	assert_int_equal(y->hash_offset, big.res.hash_offset);
	assert_int_equal(y->verity.data_blocks,
			 big.res.hash_offset / VERITY_BLOCK_SIZE);
	assert_int_equal(y->verity.salt_len, 8);
	assert_int_equal(y->verity.salt[7], 8);
	sha256_hex(big.digest, hex);
	snprintf(path, sizeof(path), "blobs/sha256/%s", hex);
	assert_string_equal(y->path, path);
	assert_true(big.res.hash_offset > 4 * VERITY_BLOCK_SIZE);
	assert_memory_equal(plan.layers[1].root_hash, small.res.root,
			    SHA256_LEN);
	assert_int_equal(plan.layers[1].hash_offset, VERITY_BLOCK_SIZE);
}

static void good_system(void **state)
{
	struct variant v = { 0 };
	struct oci_reference ref = tag_ref(TAG);
	struct error err;
	struct built b;

	build("good", &v, &b);
	memset(&err, 0x55, sizeof(err));
	assert_int_equal(verify_at("good", &ref, now, NULL, &err), 0);
	assert_int_equal(err.reason, SYSTEM_STAGE_NONE);
	assert_string_equal(err.why, "");
	check_plan(&b);
	assert_false(plan.expected_product);
	assert_string_equal(plan.signer_subject,
			    "CN=Product, serialNumber=" UUID);
	assert_string_equal(plan.signer_key, "EC P-256");

	/* By digest, and with the machine's product (any case). */
	ref.by_digest = true;
	ref.tag[0] = '\0';
	memcpy(ref.digest, b.artifact, SHA256_LEN);
	assert_int_equal(verify_at("good", &ref, now,
				   "5B0E4F6C-2F9A-4D0E-9C1B-6A4F2D8E7B31",
				   &err), 0);
	assert_true(plan.expected_product);
	assert_true(plan.ref.by_digest);
	check_plan(&b);
	/* Without an error struct. */
	assert_int_equal(verify_at("good", &ref, now, NULL, NULL), 0);
}

/* At the limits: 127 layers, bottom first, and 32 services. */
static void at_the_limits(void **state)
{
	struct variant v = { .layer_count = OCI_LAYERS_MAX,
			     .service_count = OCI_SERVICES_MAX };
	struct oci_reference ref = tag_ref(TAG);
	struct error err;
	struct built b;

	build("limits", &v, &b);
	assert_int_equal(verify_at("limits", &ref, now, NULL, &err), 0);
	assert_int_equal(plan.layer_count, OCI_LAYERS_MAX);
	assert_memory_equal(plan.layers[0].digest, big.digest, SHA256_LEN);
	for (size_t i = 1; i < OCI_LAYERS_MAX; i++) {
		assert_memory_equal(plan.layers[i].digest, small.digest,
				    SHA256_LEN);
		assert_memory_equal(plan.layers[i].root_hash, small.res.root,
				    SHA256_LEN);
	}
	assert_int_equal(plan.manifest.service_count, OCI_SERVICES_MAX);
	assert_string_equal(plan.manifest.services[OCI_SERVICES_MAX - 1].name,
			    "s31");
}

static void good_rsa_system(void **state)
{
	struct variant v = { .signer = "prsa" };
	struct oci_reference ref = tag_ref(TAG);
	struct error err;
	struct built b;

	build("rsa", &v, &b);
	assert_int_equal(verify_at("rsa", &ref, now, UUID, &err), 0);
	assert_string_equal(plan.signer_key, "RSA 2048");
	check_plan(&b);
}

/* --- one broken link at a time -------------------------------------------- */

struct refusal {
	const char *name;
	struct variant v;
	int64_t time;			/* 0: now */
	const char *expected;		/* product */
	int code;
	enum system_stage stage;
	const char *reason;		/* found in error_format()'s line */
	const char *what;		/* found in err.what */
};

static const struct refusal refusals[] = {
	{ "other-ca", { .signer = "pother" }, 0, NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_CERTIFICATE, "certificate not issued by a trusted CA",
	  "certificate sha256:" },
	{ "self-signed", { .signer = "pself" }, 0, NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_CERTIFICATE, "'CN=Self, serialNumber=" UUID "'",
	  "certificate sha256:" },
	{ "uncertified-key", { .signer = "pother", .cert = "p" }, 0, NULL,
	  -OCIBOOT_EVERIFY, SYSTEM_STAGE_SIGNATURE, "signature does not match",
	  "by 'CN=Product, serialNumber=" UUID "'" },
	{ "tampered", { .tamper = true }, 0, NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_SIGNATURE, "signature does not match",
	  "system manifest sha256:" },
	{ "short-signature", { .short_signature = true }, 0, NULL,
	  -OCIBOOT_EVERIFY, SYSTEM_STAGE_SIGNATURE, "signature", "by 'CN=" },
	{ "pem", { .cert_pem = true }, 0, NULL, -OCIBOOT_EMALFORMED,
	  SYSTEM_STAGE_CERTIFICATE, "not a DER certificate", "certificate" },
	{ "expired", { 0 }, INT64_C(4000000000), NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_CERTIFICATE, "expired or not yet valid at 2096",
	  "certificate" },
	{ "negative-time", { 0 }, -1, NULL, -EINVAL, SYSTEM_STAGE_ARGUMENTS,
	  "negative validation time", "" },
	{ "bad-expected", { 0 }, 0, "not-a-uuid", -EINVAL,
	  SYSTEM_STAGE_ARGUMENTS, "not a UUID", "" },
	{ "machine", { 0 }, 0, UUID2, -OCIBOOT_EVERIFY, SYSTEM_STAGE_PRODUCT,
	  "for product " UUID ", not this machine's " UUID2,
	  "signed by 'CN=Product" },
	{ "cert-product", { .product = UUID2 }, 0, NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_PRODUCT, "for product " UUID2 ", but its signer's "
	  "certificate is for product " UUID, "system manifest" },
	{ "other-product-key", { .signer = "p2" }, 0, NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_PRODUCT, "certificate is for product " UUID2,
	  "signed by 'CN=Product 2" },
	{ "unknown-field", { .manifest_extra = ",\"forbid\":[]" }, 0, NULL,
	  -EOPNOTSUPP, SYSTEM_STAGE_MANIFEST, "$.forbid", "system manifest" },
	{ "artifact-type", { .artifact_type = "application/x-other" }, 0,
	  NULL, -OCIBOOT_EMALFORMED, SYSTEM_STAGE_ARTIFACT, "artifactType",
	  "system artifact sha256:" },
	{ "swapped", { .swap_layers = true }, 0, NULL, -OCIBOOT_EMALFORMED,
	  SYSTEM_STAGE_ARTIFACT, "$.layers[1]", "system artifact" },
	{ "manifest-blob", { .edit_manifest_blob = true }, 0, NULL,
	  -OCIBOOT_EVERIFY, SYSTEM_STAGE_ARTIFACT, "content has digest",
	  "system manifest sha256:" },
	{ "no-certificate", { .remove_certificate = true }, 0, NULL, -ENOENT,
	  SYSTEM_STAGE_ARTIFACT, "is missing", "certificate sha256:" },
	{ "no-tag", { .tag = "other" }, 0, NULL, -ENOENT, SYSTEM_STAGE_INDEX,
	  "no manifest is tagged 'system'", "index.json" },
	{ "no-image", { .rootfs_missing = true }, 0, NULL, -ENOENT,
	  SYSTEM_STAGE_IMAGE, "is missing", "rootfs image sha256:" },
	{ "image-size", { .rootfs_size = 100 }, 0, NULL, -OCIBOOT_EVERIFY,
	  SYSTEM_STAGE_IMAGE, "differs from the descriptor's 100",
	  "rootfs image" },
	{ "image-size-absent", { .rootfs_size = -1 }, 0, NULL, 0,
	  SYSTEM_STAGE_NONE, "", "" },
	{ "tar", { .media_type = TAR_TYPE }, 0, NULL, -EOPNOTSUPP,
	  SYSTEM_STAGE_IMAGE, "tar layers cannot be verified", "rootfs image" },
	{ "no-root-hash", { .no_root_hash = true }, 0, NULL,
	  -OCIBOOT_EMALFORMED, SYSTEM_STAGE_IMAGE, "no verity root hash",
	  "rootfs image" },
	{ "no-layers", { .no_layers = true }, 0, NULL, -OCIBOOT_EMALFORMED,
	  SYSTEM_STAGE_IMAGE, "no layers", "rootfs image" },
	{ "config-type", { .config_type = "application/x-config" }, 0, NULL,
	  -OCIBOOT_EMALFORMED, SYSTEM_STAGE_CONFIG, "media type",
	  "rootfs image config sha256:" },
	{ "no-config", { .remove_config = true }, 0, NULL, -ENOENT,
	  SYSTEM_STAGE_CONFIG, "is missing", "rootfs image config" },
	{ "layer-missing", { .damage = DAMAGE_REMOVE }, 0, NULL, -ENOENT,
	  SYSTEM_STAGE_LAYER, "is missing", "layer 0 sha256:" },
	{ "layer-longer", { .damage = DAMAGE_APPEND }, 0, NULL,
	  -OCIBOOT_EVERIFY, SYSTEM_STAGE_LAYER, "differs from the "
	  "descriptor's", "layer 0 sha256:" },
	{ "layer-shorter", { .damage = DAMAGE_TRUNCATE }, 0, NULL,
	  -OCIBOOT_EVERIFY, SYSTEM_STAGE_LAYER, "differs from the "
	  "descriptor's", "layer 0 sha256:" },
	{ "squashfs", { .damage = DAMAGE_SQUASHFS }, 0, NULL,
	  -OCIBOOT_EMALFORMED, SYSTEM_STAGE_LAYER, "squashfs superblock",
	  "layer 0" },
	{ "lzma", { .damage = DAMAGE_LZMA }, 0, NULL, -EOPNOTSUPP,
	  SYSTEM_STAGE_LAYER, "squashfs compressor lzma (id 2): the kernel's "
	  "squashfs cannot read it (it reads gzip, lzo, xz, lz4 and zstd) (at "
	  "byte 20)", "layer 0" },
	{ "verity", { .damage = DAMAGE_VERITY }, 0, NULL, -OCIBOOT_EMALFORMED,
	  SYSTEM_STAGE_LAYER, "verity superblock (at byte", "layer 0" },
	{ "grown", { .grow = true }, 0, NULL, -OCIBOOT_EMALFORMED,
	  SYSTEM_STAGE_LAYER, "is not that of its data, verity superblock "
	  "and hash tree", "layer 0" },
	/* One past a limit, before a layer is looked at. */
	{ "layers-over-limit", { .layer_count = OCI_LAYERS_MAX + 1 }, 0, NULL,
	  -OCIBOOT_ETOOBIG, SYSTEM_STAGE_IMAGE, "over the limit of 127 layers "
	  "per image (oci/limits.h)", "rootfs image sha256:" },
	{ "services-over-limit", { .service_count = OCI_SERVICES_MAX + 1 }, 0,
	  NULL, -OCIBOOT_ETOOBIG, SYSTEM_STAGE_MANIFEST, "over the limit of 32 "
	  "services per system (oci/limits.h)", "system manifest" },
	/* Wrong root hashes are dm-verity's to find: they boot, then fail. */
	{ "root-hash", { .root_hash = "0000000000000000000000000000000000000"
			 "000000000000000000000000000" }, 0, NULL, 0,
	  SYSTEM_STAGE_NONE, "", "" },
};

static void check_refusal(const struct refusal *t, struct error *err)
{
	struct oci_reference ref = tag_ref(TAG);
	struct built b;
	char line[ERROR_LINE_MAX];
	int r;

	build(t->name, &t->v, &b);
	memset(&plan, 0x55, sizeof(plan));
	r = verify_at(t->name, &ref, t->time ? t->time : now, t->expected,
		      err);
	error_format(err, line, sizeof(line));
	print_message("%s: %d %s: %s\n", t->name, r,
		      system_stage_name((enum system_stage)err->reason), line);
	assert_int_equal(r, t->code);
	assert_int_equal(err->reason, t->stage);
	assert_int_equal(err->code, t->code);
	assert_non_null(strstr(line, t->reason));
	assert_non_null(strstr(err->what, t->what));
	if (r < 0) {
		static const struct system_plan zero;

		assert_memory_equal(&plan, &zero, sizeof(plan));
		assert_true(strlen(err->why) > 0);
	}
}

static void broken_links(void **state)
{
	struct error err;

	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		check_refusal(&refusals[i], &err);
}

/* --- every length of every artifact blob ---------------------------------- */

/*
 * Write index.json of dir/layouts/cut naming the artifact doc[0..len) (also
 * stored), then verify.
 */
static int verify_cut_artifact(const char *doc, size_t len,
			       struct error *err)
{
	struct oci_reference ref = tag_ref(TAG);
	char path[PATH_LEN], index[1024], text[OCI_DIGEST_STRING_LEN + 1];
	uint8_t digest[SHA256_LEN];
	int n;

	sha256_digest(doc, len, digest);
	blob_path(path, "cut", digest);
	write_path(path, doc, len);
	digest_text(digest, text);
	n = snprintf(index, sizeof(index), "{\"schemaVersion\":2,"
		     "\"manifests\":[{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST
		     "\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\""
		     OCI_ANNOTATION_REF_NAME "\":\"" TAG "\"}}]}", text, len);
	path_of(path, "layouts/cut/index.json");
	write_path(path, index, (size_t)n);
	return verify_at("cut", &ref, now, NULL, err);
}

/* The blobs of the good system "good" copied into "cut". */
static void cut_setup(struct built *b, uint8_t digests[3][SHA256_LEN],
		      size_t sizes[3], uint8_t *blobs[3])
{
	static const char *const names[3] = { "system.json", "signed.sig",
					      "p.der" };
	struct variant v = { 0 };
	char path[PATH_LEN];

	build("cut", &v, b);
	path_of(path, "system.json");
	write_path(path, b->system_json, b->system_len);
	free(openssl_sign("p", b->system_json, b->system_len, &sizes[1]));
	for (size_t i = 0; i < 3; i++) {
		blobs[i] = fixture_read(dir, names[i], &sizes[i]);
		sha256_digest(blobs[i], sizes[i], digests[i]);
		blob_path(path, "cut", digests[i]);
		write_path(path, blobs[i], sizes[i]);
	}
}

static void every_length(void **state)
{
	static const enum system_stage stages[3] = {
		SYSTEM_STAGE_SIGNATURE,		/* manifest cut */
		SYSTEM_STAGE_SIGNATURE,		/* signature cut */
		SYSTEM_STAGE_CERTIFICATE,	/* certificate cut */
	};
	uint8_t digests[3][SHA256_LEN], *blobs[3];
	size_t sizes[3], full[3];
	char doc[DOC_MAX], path[PATH_LEN];
	struct error err;
	struct built b;
	size_t len;

	cut_setup(&b, digests, sizes, blobs);
	memcpy(full, sizes, sizeof(full));
	len = artifact_json(doc, OCI_ARTIFACT_TYPE_SYSTEM, digests, sizes,
			    false);
	assert_int_equal(verify_cut_artifact(doc, len, &err), 0);
	/* The artifact manifest itself, at every length. */
	for (size_t n = 0; n < len; n++) {
		assert_true(verify_cut_artifact(doc, n, &err) < 0);
		assert_int_equal(err.reason, SYSTEM_STAGE_ARTIFACT);
	}
	/* Each of its blobs, at every length, with its digest fixed up. */
	for (size_t i = 0; i < 3; i++) {
		for (size_t n = 0; n < full[i]; n++) {
			uint8_t saved[SHA256_LEN];

			memcpy(saved, digests[i], SHA256_LEN);
			sha256_digest(blobs[i], n, digests[i]);
			blob_path(path, "cut", digests[i]);
			write_path(path, blobs[i], n);
			sizes[i] = n;
			len = artifact_json(doc, OCI_ARTIFACT_TYPE_SYSTEM,
					    digests, sizes, false);
			assert_true(verify_cut_artifact(doc, len, &err) < 0);
			if (err.reason != (int)stages[i])
				fail_msg("blob %zu cut to %zu: %s: %s", i, n,
					 system_stage_name((enum system_stage)
							   err.reason),
					 err.why);
			memcpy(digests[i], saved, SHA256_LEN);
			sizes[i] = full[i];
		}
	}
	for (size_t i = 0; i < 3; i++)
		free(blobs[i]);
}

/* A layer blob cut to many lengths, in an image signed as it is. */
static void layer_cut(void **state)
{
	uint64_t h = big.res.hash_offset;
	const uint64_t lengths[] = {
		1, 95, 96, 4096, 8192, h - 1, h, h + 1, h + 511, h + 512,
		h + 4095, h + 4096, h + 8192, big.len - 4096, big.len - 1,
	};
	struct oci_reference ref = tag_ref(TAG);
	struct error err;
	struct built b;

	for (size_t i = 0; i < ARRAY_SIZE(lengths); i++) {
		struct variant v = { .resize = (int64_t)lengths[i] };

		if (lengths[i] >= big.len)
			continue;

		build("layer-cut", &v, &b);
		assert_int_equal(verify_at("layer-cut", &ref, now, NULL,
					   &err), -OCIBOOT_EMALFORMED);
		assert_int_equal(err.reason, SYSTEM_STAGE_LAYER);
		print_message("cut to %" PRIu64 ": %s\n", lengths[i],
			      err.why);
	}
	for (uint64_t n = 4096; n < h; n += 4 * 4096) {
		struct variant v = { .resize = (int64_t)n };

		build("layer-cut", &v, &b);
		assert_int_equal(verify_at("layer-cut", &ref, now, NULL,
					   &err), -OCIBOOT_EMALFORMED);
		assert_int_equal(err.reason, SYSTEM_STAGE_LAYER);
	}
}

/* --- messages ------------------------------------------------------------- */

struct lines {
	size_t count;
	char text[LINES_MAX][SYSTEM_LINE_MAX];
};

static void collect(void *ctx, const char *line)
{
	struct lines *l = ctx;

	assert_true(l->count < LINES_MAX);
	assert_true(strlen(line) < SYSTEM_LINE_MAX);
	for (const char *p = line; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	snprintf(l->text[l->count++], SYSTEM_LINE_MAX, "%s", line);
}

static const char *find_line(const struct lines *l, const char *prefix)
{
	for (size_t i = 0; i < l->count; i++)
		if (strncmp(l->text[i], prefix, strlen(prefix)) == 0)
			return l->text[i];
	return NULL;
}

static void summary(void **state)
{
	static struct lines l;
	struct variant v = { 0 };
	struct oci_reference ref = tag_ref(TAG);
	char want[SYSTEM_LINE_MAX], d[2][OCI_DIGEST_STRING_LEN + 1];
	char hex[SHA256_HEX_LEN + 1];
	struct error err;
	struct built b;

	build("summary", &v, &b);
	assert_int_equal(verify_at("summary", &ref, now, UUID, &err), 0);
	system_plan_describe(&plan, collect, &l);
	for (size_t i = 0; i < l.count; i++)
		print_message("%s\n", l.text[i]);
	assert_int_equal(l.count, 10);	/* 7 steps, 2 layers, 1 service */
	digest_text(b.artifact, d[0]);
	assert_non_null(strstr(find_line(&l, "artifact: "), d[0]));
	assert_non_null(strstr(find_line(&l, "certificate: "),
			       "CN=Product, serialNumber=" UUID " (EC P-256), "
			       "issued by CN=Test CA"));
	digest_text(b.manifest, d[0]);
	assert_non_null(strstr(find_line(&l, "signature: "), d[0]));
	assert_string_equal(find_line(&l, "product: "), "product: " UUID
			    " (the certificate's and this machine's)");
	assert_string_equal(find_line(&l, "version: "), "version: 7");
	digest_text(b.image, d[0]);
	assert_non_null(strstr(find_line(&l, "rootfs: "), d[0]));
	/* Untrusted strings quoted and escaped. */
	assert_non_null(strstr(find_line(&l, "config: "),
			       "entrypoint [\"/sbin/init\", \"a\\\"b\\\\c\"] "
			       "cmd [\"tab\\x09here\", "
			       "\"\\xc3\\xa9t\\xc3\\xa9\"] env 1 "
			       "workdir \"/srv\""));
	digest_text(big.digest, d[0]);
	sha256_hex(big.res.root, hex);
	snprintf(want, sizeof(want), "layer 0: %s %zu bytes, root hash %s, "
		 "hash offset %" PRIu64 " (data blocks: %" PRIu64 "), "
		 "blobs/sha256/%s", d[0], big.len, hex, big.res.hash_offset,
		 big.res.hash_offset / VERITY_BLOCK_SIZE, d[0] + 7);
	assert_string_equal(find_line(&l, "layer 0: "), want);
	digest_text(small.digest, d[1]);
	assert_non_null(strstr(find_line(&l, "layer 1: "), d[1]));
	digest_text(b.image, d[0]);
	snprintf(want, sizeof(want), "service sshd: image %s", d[0]);
	assert_string_equal(find_line(&l, "service sshd: "), want);
}

static void test_stage_name(void **state)
{
	assert_string_equal(system_stage_name(SYSTEM_STAGE_SIGNATURE),
			    "signature");
	assert_string_equal(system_stage_name(SYSTEM_STAGE_LAYER), "layer");
	assert_string_equal(system_stage_name((enum system_stage)99),
			    "unknown");
}

/*
 * The services of a verified system (trust/services.h): the good system's
 * service (its rootfs image again) verifies with every layer; a service
 * pointed, in the verified plan, at a blob that is missing, at one that
 * is not an image manifest, or at an image whose layers cannot boot is
 * refused with the service and the digest named.
 */
static void services_checked(void **state)
{
	static struct services_plan sp;
	static struct oci_config cfg;
	struct oci_reference ref = tag_ref(TAG);
	struct oci_image_ref *svc = &plan.manifest.services[0];
	char path[PATH_LEN], hex[SHA256_HEX_LEN + 1], want[256];
	struct error err;
	struct layout l;
	struct built b;

	build("services", &(struct variant){ 0 }, &b);
	assert_int_equal(verify_at("services", &ref, now, NULL, &err), 0);
	path_of(path, "layouts/%s", "services");
	assert_int_equal(layout_open(&l, AT_FDCWD, path, &err), 0);
	assert_int_equal(services_verify(&l, &plan.manifest, &scratch, &cfg,
					 &sp, &err), 0);
	assert_int_equal(sp.count, 1);
	assert_string_equal(sp.images[0].name, "sshd");
	assert_memory_equal(sp.images[0].image_digest, b.image, SHA256_LEN);
	assert_memory_equal(sp.images[0].config_descriptor.digest, b.config,
			    SHA256_LEN);
	assert_int_equal(sp.images[0].layer_count, plan.layer_count);
	assert_memory_equal(sp.images[0].layers[0].digest, b.layer0,
			    SHA256_LEN);
	assert_int_equal(sp.images[0].layers[0].hash_offset,
			 plan.layers[0].hash_offset);

	/* missing */
	memset(svc->digest, 0x42, SHA256_LEN);
	svc->size = -1;
	assert_int_equal(services_verify(&l, &plan.manifest, &scratch, &cfg,
					 &sp, &err), -ENOENT);
	assert_int_equal(err.reason, SYSTEM_STAGE_IMAGE);
	sha256_hex(svc->digest, hex);
	snprintf(want, sizeof(want), "service sshd: image sha256:%s", hex);
	assert_string_equal(err.what, want);
	assert_int_equal(sp.count, 0);

	/* the config blob: not an image manifest */
	memcpy(svc->digest, b.config, SHA256_LEN);
	assert_int_equal(services_verify(&l, &plan.manifest, &scratch, &cfg,
					 &sp, &err), -OCIBOOT_EMALFORMED);
	assert_int_equal(err.reason, SYSTEM_STAGE_IMAGE);

	/* the system artifact: an image whose layers are not squashfs */
	memcpy(svc->digest, b.artifact, SHA256_LEN);
	assert_int_equal(services_verify(&l, &plan.manifest, &scratch, &cfg,
					 &sp, &err), -EOPNOTSUPP);
	assert_int_equal(err.reason, SYSTEM_STAGE_IMAGE);
	sha256_hex(b.artifact, hex);
	snprintf(want, sizeof(want), "service sshd: image sha256:%s", hex);
	assert_string_equal(err.what, want);
	layout_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_system),
		cmocka_unit_test(good_rsa_system),
		cmocka_unit_test(at_the_limits),
		cmocka_unit_test(broken_links),
		cmocka_unit_test(every_length),
		cmocka_unit_test(layer_cut),
		cmocka_unit_test(summary),
		cmocka_unit_test(test_stage_name),
		cmocka_unit_test(services_checked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
