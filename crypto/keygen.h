/* SPDX-License-Identifier: MIT */
/*
 * Host-side key material for the chain of trust, over OpenSSL 3: the
 * manifest-signing CA, product signing keys with their certificates, and
 * detached signatures. What these make is what crypto/x509.h and
 * crypto/signature.h accept, and a new product certificate is checked with
 * them before it is written.
 *
 * Keys: ECDSA P-256 by default, P-384, or RSA of X509_RSA_MIN_BITS to
 * X509_RSA_MAX_BITS bits. Private keys are written as unencrypted PKCS#8
 * PEM with mode 0600, certificates as PEM with mode 0644 (less the
 * umask). An existing output file is never replaced unless force is set:
 * without it each file is created with O_EXCL; with it every output is
 * first written to a temporary file beside it and renamed over it once all
 * of them are written. Certificate serial numbers are 16 random bytes.
 *
 * Every function returns 0 or a negative errno / OCIBOOT_E* code and then
 * fills e (lib/error.h; NULL is allowed) with why; nothing here prints.
 */
#ifndef OCIBOOT_KEYGEN_H
#define OCIBOOT_KEYGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

#define KEYGEN_DAYS_MAX 36500		/* validity cap: 100 years */
#define KEYGEN_CA_DAYS 3650		/* default CA validity */
#define KEYGEN_PRODUCT_DAYS 1095	/* default product validity */
#define KEYGEN_SIGN_INPUT_CHUNK (64 * 1024)

struct keygen_options {
	/*
	 * Subject attributes, "CN=name,O=org" (a comma inside a value is
	 * written "\,") or OpenSSL's "/CN=name/O=org". NULL: "CN=ociboot
	 * manifest CA" for a CA, "CN=ociboot product" for a product. A
	 * product's serialNumber is always the product ID, appended last;
	 * the subject given must not have one.
	 */
	const char *subject;
	unsigned int days;	/* 1..KEYGEN_DAYS_MAX after not_before */
	int64_t not_before;	/* Unix seconds */
	unsigned int rsa_bits;	/* 0 for EC */
	unsigned int ec_bits;	/* 256 or 384, when rsa_bits is 0 */
	bool force;		/* replace existing output files */
};

/*
 * Check a subject string as keygen_ca() / keygen_product() (product set)
 * would parse it, so a command can refuse it as a usage error. Returns 0
 * or -EINVAL.
 */
int keygen_check_subject(const char *subject, bool product, struct error *e);

/*
 * A self-signed CA: basicConstraints CA:TRUE and keyUsage keyCertSign,
 * cRLSign (both critical), subjectKeyIdentifier, authorityKeyIdentifier.
 * Returns 0, -EINVAL (options), -EEXIST (an output exists and not force),
 * -errno writing, -EIO (OpenSSL).
 */
int keygen_ca(const struct keygen_options *o, const char *key_path,
	      const char *cert_path, struct error *e);

/*
 * A product signing key and its certificate issued by the CA in
 * ca_key_path / ca_cert_path: the subject with serialNumber = the product
 * UUID (canonical form, written lowercase), basicConstraints CA:FALSE and
 * keyUsage digitalSignature (critical), extendedKeyUsage codeSigning (not
 * critical: BearSSL refuses critical ones), subjectKeyIdentifier,
 * authorityKeyIdentifier. The certificate is then validated with
 * crypto/x509.h at the current time (kept within its validity) and nothing
 * is written if that fails. Returns keygen_ca()'s codes, and
 * -OCIBOOT_EVERIFY when the CA key does not match its certificate, the CA
 * certificate is not a CA, or the validation fails.
 */
int keygen_product(const struct keygen_options *o, const char *product_uuid,
		   const char *ca_key_path, const char *ca_cert_path,
		   const char *key_path, const char *cert_path, struct error *e);

#define KEYGEN_MACHINE_DAYS 7300	/* default machine validity: 20 years */
#define KEYGEN_EC_POINT_LEN 65		/* 0x04 || X || Y, P-256 */

/*
 * A machine identity certificate for an EC P-256 public key held
 * elsewhere (point: uncompressed; a TPM's key), issued by the CA in
 * ca_key_path / ca_cert_path: subject CN=<machine uuid>,
 * serialNumber=PID:<product uuid> SN:<machine uuid> (project-machine's
 * convention for its machine certificates; both UUIDs written lowercase),
 * basicConstraints CA:FALSE and keyUsage digitalSignature (critical),
 * extendedKeyUsage clientAuth (not critical), subjectKeyIdentifier,
 * authorityKeyIdentifier; o's subject is not used. Its signature is
 * checked with the CA's public key before it is returned. *der (free()
 * it) and *len get its DER; nothing is written. Returns 0, -EINVAL (a bad
 * UUID, point or options), -OCIBOOT_EVERIFY (as keygen_product()), -EIO
 * (OpenSSL) or -errno reading the CA.
 */
int keygen_machine(const struct keygen_options *o, const char *product_uuid,
		   const char *machine_uuid,
		   const uint8_t point[KEYGEN_EC_POINT_LEN],
		   const char *ca_key_path, const char *ca_cert_path,
		   uint8_t **der, size_t *len, struct error *e);

/*
 * Sign the exact bytes of in_path (streamed) with the private key in
 * key_path and write the detached signature to sig_path: ECDSA (DER) with
 * SHA-256 on P-256 or SHA-384 on P-384, or RSA PKCS#1 v1.5 with SHA-256.
 * Other curves and RSA outside 2048..4096 bits are refused (-EINVAL).
 * Returns keygen_ca()'s codes.
 */
int keygen_sign(const char *key_path, const char *in_path,
		const char *sig_path, bool force, struct error *e);

#endif
