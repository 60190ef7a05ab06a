/* SPDX-License-Identifier: MIT */
/*
 * Verification of a signed system in an OCI image layout: the one check
 * that decides what a machine boots, run by the init (on a store disk or a
 * downloaded layout) and by `ociboot verify` on the host, the same code in
 * both.
 *
 * system_verify() follows the chain of trust of docs/formats.md
 * ("Verification at boot"), in this order, and stops at the first failure:
 *   1. index.json: the system artifact by tag or by digest;
 *   2. the artifact's manifest (digest checked): artifactType, the empty
 *      config and exactly three layers within their caps
 *      (oci_system_artifact_check());
 *   3. its three blobs, each read whole and checked against its size and
 *      digest: the system manifest, the signature, the certificate;
 *   4. the certificate, one X.509 certificate in DER, chains to a CA of
 *      the trust store at the given time and names a product
 *      (x509_chain_verify());
 *   5. the signature over the exact bytes of the system manifest, with the
 *      certificate's key (signature_verify());
 *   6. the system manifest parses (oci_system_manifest_parse()); its
 *      product equals the certificate's product ID (a product key signs
 *      for its own product only) and, when given, the expected product
 *      (the one provisioned into this machine);
 *   7. the rootfs image manifest, found by the digest the system manifest
 *      pins (and of the size it gives, if any), has at least one layer and
 *      every layer is squashfs with a verity root hash
 *      (oci_manifest_check_bootable()); its image config is read (digest
 *      checked) for Entrypoint, Cmd, Env and WorkingDir;
 *   8. for every layer, bottom first: the blob exists with exactly the
 *      descriptor's size; its squashfs superblock gives bytes_used; the
 *      verity superblock at bytes_used rounded up to 4096 parses, its
 *      data_blocks cover exactly that offset, and the blob ends exactly
 *      where that hash tree ends.
 *
 * Layer blobs are deliberately not hashed here. They are large, and
 * dm-verity checks every block against the root hash from the signed
 * image manifest as it is read, so a changed byte cannot be used: reading
 * it fails with EIO. Hashing them at boot would cost a full read of every
 * layer and would still not protect against a disk that changes after the
 * check; dm-verity does. The superblocks read here are untrusted too: a
 * forged salt or block count gives a device whose every read fails, never
 * a device that reads wrong data. `ociboot verify` does the full checks
 * on the host (each blob against its digest, each tree recomputed).
 *
 * The services of the system manifest are in the plan as the manifest
 * names them; trust/services.h verifies their images, with
 * system_layer_check() for each layer.
 *
 * Memory: nothing here allocates or logs. The caller owns every struct;
 * struct system_scratch and struct system_plan are large (about 710 KiB
 * and 126 KiB at the limits of oci/limits.h): statics in the init, heap
 * in the host tool.
 */
#ifndef OCIBOOT_SYSTEM_H
#define OCIBOOT_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sha256.h"
#include "crypto/x509.h"
#include "lib/error.h"
#include "oci/json.h"
#include "oci/layout.h"
#include "oci/oci.h"
#include "oci/oci_ref.h"
#include "fs/verity.h"

#define SYSTEM_LAYERS_MAX OCI_LAYERS_MAX
/* "blobs/sha256/" and 64 hex digits */
#define SYSTEM_BLOB_PATH_MAX (13 + SHA256_HEX_LEN)
/* A certificate subject or issuer as the plan and the errors keep it. */
#define SYSTEM_NAME_MAX 384
/* Bytes of the key description ("EC P-256", "RSA 4096"). */
#define SYSTEM_KEY_DESCRIPTION_MAX 32
/* A line of system_plan_describe(), NUL included. */
#define SYSTEM_LINE_MAX 1024
/* Bytes the rounded-up squashfs size is a multiple of. */
#define SYSTEM_HASH_ALIGN VERITY_BLOCK_SIZE

/*
 * The step that failed, each one of the steps above: the reason of the
 * struct error system_verify() fills (error_reason()).
 */
enum system_stage {
	SYSTEM_STAGE_NONE = 0,
	SYSTEM_STAGE_ARGUMENTS,		/* a bad argument */
	SYSTEM_STAGE_INDEX,		/* index.json, the tag or digest */
	SYSTEM_STAGE_ARTIFACT,		/* the artifact and its blobs */
	SYSTEM_STAGE_CERTIFICATE,	/* the signer's certificate chain */
	SYSTEM_STAGE_SIGNATURE,		/* the detached signature */
	SYSTEM_STAGE_MANIFEST,		/* parsing the system manifest */
	SYSTEM_STAGE_PRODUCT,		/* product ID checks */
	SYSTEM_STAGE_IMAGE,		/* the rootfs image manifest */
	SYSTEM_STAGE_CONFIG,		/* the rootfs image config */
	SYSTEM_STAGE_LAYER,		/* a layer blob, its superblocks */
};

/* One layer to set up, bottom first. */
struct system_layer {
	uint8_t digest[SHA256_LEN];
	int64_t size;				/* the whole blob */
	char media_type[OCI_MEDIA_TYPE_MAX + 1];
	uint8_t root_hash[VERITY_DIGEST_LEN];	/* from the annotation */
	uint64_t bytes_used;			/* squashfs superblock's */
	uint64_t hash_offset;		/* bytes_used rounded up to 4096 */
	struct verity_superblock verity;	/* parsed at hash_offset */
	/* "blobs/sha256/<hex>", relative to the layout directory */
	char path[SYSTEM_BLOB_PATH_MAX + 1];
};

/* Everything system_verify() found, for the boot to act on. */
struct system_plan {
	/* The artifact, as found in index.json. */
	struct oci_reference ref;		/* as asked */
	uint8_t artifact_digest[SHA256_LEN];
	int64_t artifact_size;
	struct oci_system_artifact artifact;	/* its three descriptors */

	/* The signer, from its verified certificate. */
	char signer_subject[SYSTEM_NAME_MAX];	/* escaped, one line */
	char signer_issuer[SYSTEM_NAME_MAX];
	char signer_product[DN_UUID_LEN + 1];
	char signer_key[SYSTEM_KEY_DESCRIPTION_MAX];
	int64_t signer_not_before;
	int64_t signer_not_after;
	int64_t time;				/* validation time used */
	bool expected_product;			/* given and matched */

	/* The signed system manifest. */
	struct oci_system_manifest manifest;

	/* The rootfs image. */
	uint8_t image_digest[SHA256_LEN];
	int64_t image_size;
	struct oci_descriptor config_descriptor;
	struct oci_config config;		/* Entrypoint, Cmd, Env... */
	size_t layer_count;			/* 1..SYSTEM_LAYERS_MAX */
	struct system_layer layers[SYSTEM_LAYERS_MAX];
};

/* Buffers system_verify() works in; the caller owns them, contents private. */
struct system_scratch {
	char document[LAYOUT_DOCUMENT_MAX];
	struct json_token tokens[OCI_TOKENS_MAX];
	struct oci_index index;
	struct oci_manifest manifest;
	char system_manifest[OCI_SYSTEM_MANIFEST_SIZE_MAX];
	uint8_t signature[OCI_SYSTEM_SIGNATURE_SIZE_MAX];
	uint8_t certificate[OCI_SYSTEM_CERTIFICATE_SIZE_MAX];
	struct x509_signer signer;
};

/*
 * Verify the system artifact ref (a tag, or a digest when ref->by_digest)
 * of the open layout l against the CA certificates in ts at time now
 * (Unix seconds, >= 0; see crypto/x509.h on choosing it), as described
 * above. expected_product is a UUID (any case, canonical 8-4-4-4-12) the
 * system manifest must be for, or NULL for none.
 *
 * Returns 0 and fills *plan; on failure returns a negative code, fills
 * *err (when not NULL; cleared first) and zeroes *plan. err's reason is
 * the enum system_stage that failed; its what names the thing that failed
 * with its digest ("layer 1 sha256:...", "certificate sha256:... :
 * signer certificate 'CN=...' issued by 'CN=...'", "signature of system
 * manifest sha256:... by 'CN=...'"); its why says what was wrong, with a
 * JSON path or byte offset in where when there is one. The codes:
 *   -EINVAL              a bad argument (a negative time, an
 *                        expected_product that is not a UUID);
 *   -ENOENT              index.json, the tag or digest, or a blob missing;
 *   -OCIBOOT_EMALFORMED  a document or superblock that does not parse or
 *                        breaks the format;
 *   -OCIBOOT_ETOOBIG     over a cap;
 *   -OCIBOOT_EVERIFY     a size or digest mismatch, a certificate not
 *                        trusted, a signature that does not match, a
 *                        product mismatch;
 *   -EOPNOTSUPP          a layer type that cannot be booted, an
 *                        unsupported digest algorithm or version;
 *   -errno               from the file system.
 * scratch is clobbered either way.
 */
int system_verify(const struct layout *l, const struct oci_reference *ref,
		  const struct x509_trust_store *ts, int64_t now,
		  const char *expected_product, struct system_scratch *scratch,
		  struct system_plan *plan, struct error *err);

/*
 * Steps 1 to 6 of system_verify() alone (the artifact, the certificate
 * chain, the signature, the system manifest, the product), with the same
 * arguments, errors and reasons: what a network boot checks before it
 * fetches anything the system manifest pins. On success plan holds the
 * artifact, the signer and the parsed system manifest (plan->manifest);
 * the image fields are left zero. Run system_verify() once the images
 * are there.
 */
int system_verify_signed(const struct layout *l,
			 const struct oci_reference *ref,
			 const struct x509_trust_store *ts, int64_t now,
			 const char *expected_product,
			 struct system_scratch *scratch,
			 struct system_plan *plan, struct error *err);

/*
 * Step 8 above for one layer descriptor d of an image manifest that
 * oci_manifest_check_bootable() accepted: fill *out from d, open its blob
 * in l (exactly d's size) and check its squashfs and verity superblocks.
 * Returns 0, or a code as above with *err filled under what (the layer as
 * messages name it, "layer 1 sha256:..."). The rootfs's layers and every
 * service's (trust/services.h) are checked by this one function.
 */
int system_layer_check(const struct layout *l, const struct oci_descriptor *d,
		       const char *what, struct system_layer *out,
		       struct error *err);

/* "index", "artifact", "certificate"...; never NULL. */
const char *system_stage_name(enum system_stage stage);

/*
 * Called by system_plan_describe() once for each line (NUL-terminated,
 * no newline, printable ASCII, at most SYSTEM_LINE_MAX - 1 bytes; valid
 * only during the call).
 */
typedef void (*system_line_fn)(void *ctx, const char *line);

/*
 * Describe a verified plan, one step a line, in the order they were
 * checked: the artifact, the signer's certificate, the signature, the
 * product and version, the rootfs image and its config, then each layer
 * (digest, size, root hash, hash offset) bottom first, then the services
 * the manifest names. The init logs these lines; `ociboot verify`
 * prints them.
 */
void system_plan_describe(const struct system_plan *plan, system_line_fn fn,
			  void *ctx);

struct strbuf;

/* For the describers (system, services): append digest's "sha256:HEX"
 * to the line l. */
void system_line_digest(struct strbuf *l, const uint8_t digest[SHA256_LEN]);

/* For the describers: hand the line l to fn, "..." ending it if it was
 * cut, and start l anew. */
void system_line_emit(struct strbuf *l, system_line_fn fn, void *ctx);

/*
 * The system manifest exactly as its signature was checked, from the
 * scratch of the system_verify() call that filled plan: *len bytes (the
 * artifact's manifest size). Valid while scratch is not reused; NULL (and
 * *len 0) when plan holds no verified manifest. The boot hands these bytes
 * over rather than reading the untrusted store a second time.
 */
const char *system_verified_manifest(const struct system_scratch *scratch,
				     const struct system_plan *plan,
				     size_t *len);

#endif
