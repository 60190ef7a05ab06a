/* SPDX-License-Identifier: MIT */
/*
 * The certificate half of the chain of trust, over BearSSL: the
 * manifest-signing CA certificates (trust anchors) and the validation of a
 * signer's chain up to one of them, giving the signer's public key,
 * subject and product ID. The same code runs in the init and in
 * `ociboot keys verify`.
 *
 * A chain is [signer (product) certificate, intermediate CAs...], in that
 * order, as DER (one or more certificates back to back) or PEM. It is
 * accepted when BearSSL's "minimal" engine validates it to a CA anchor at
 * the given time, with SHA-256/384/512 certificate signatures (RSA
 * PKCS#1 v1.5 or ECDSA; no SHA-1, no MD5), RSA keys of at least 2048 bits
 * (BearSSL counts bytes: 256 of them) and every intermediate a CA
 * (basicConstraints CA:TRUE, keyCertSign when keyUsage is present), and
 * then, on the signer's certificate:
 *   - keyUsage, when present, allows digitalSignature (or nonRepudiation);
 *   - it is not a CA (basicConstraints CA:TRUE is refused);
 *   - extendedKeyUsage, when present, lists codeSigning or
 *     anyExtendedKeyUsage. BearSSL refuses any critical extension it does
 *     not know, extendedKeyUsage included, so product certificates must
 *     mark it non-critical (or leave it out);
 *   - its key is RSA of 2048 to 4096 bits, or ECDSA P-256 or P-384;
 *   - its subject holds exactly one serialNumber, a canonical UUID: the
 *     product ID (crypto/dn.h).
 * The CA certificates themselves must be valid at the given time too
 * (BearSSL takes anchors as bare keys; this module adds the check, as
 * `openssl verify -attime` does).
 *
 * Validation time. The caller passes it (Unix seconds, UTC); nothing here
 * reads a clock. The initrd's clock may be wrong, so the init must choose
 * a policy:
 *   - "rtc": the real-time clock. Right on most machines, but a dead
 *     CMOS battery (1970 or 2000) makes every certificate "not yet
 *     valid" and stops the boot, and whoever can set the clock back can
 *     revive an expired certificate.
 *   - "floor" (recommended): max(RTC, a floor built into the initrd such
 *     as its SOURCE_DATE_EPOCH). A reset clock still boots certificates
 *     that were valid when the kernel.efi was built, and certificates that
 *     had expired by then are refused whatever the clock says.
 *   - "build": the floor alone. Never depends on the clock, so a machine
 *     never stops booting because time passed; expiry is enforced only
 *     relative to the signed kernel.efi's age.
 * Certificates must be valid at that instant; there is no "ignore
 * expiry" mode (a long validity is the way to get that).
 *
 * Memory: everything lives in caller-owned structures of fixed size;
 * x509_chain_verify() uses about 24 KiB of stack. Nothing allocates or
 * logs; failures fill a struct error (lib/error.h) whose error_reason is
 * an enum verify_reason (crypto/verify_error.h).
 */
#ifndef OCIBOOT_X509_H
#define OCIBOOT_X509_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_ec.h>
#include <bearssl_rsa.h>
#include <bearssl_x509.h>

#include "crypto/dn.h"
#include "crypto/verify_error.h"

#define X509_ANCHORS_MAX 8	/* CA certificates in a trust store */
#define X509_CHAIN_MAX 4	/* signer + up to 3 intermediates */
#define X509_PEM_FILE_MAX (32 * 1024)	/* one CA file */
#define X509_KEY_MAX BR_X509_BUFSIZE_KEY	/* RSA-4096 + exponent */
#define X509_RSA_MIN_BITS 2048
#define X509_RSA_MAX_BITS 4096

/* A public key with its bytes inside (no pointers, so it can be copied). */
struct x509_pubkey {
	unsigned int type;	/* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	int curve;		/* BR_EC_secp256r1/384r1/521r1; 0 for RSA */
	unsigned int bits;	/* RSA modulus bits, or the curve's size */
	size_t len;		/* data[0..len): RSA modulus or EC point */
	size_t exponent_len;	/* data[len..len + exponent_len): RSA e */
	uint8_t data[X509_KEY_MAX];
};

/* BearSSL views of an RSA / EC key; they point into k. */
void x509_pubkey_rsa(const struct x509_pubkey *k, br_rsa_public_key *out);
void x509_pubkey_ec(const struct x509_pubkey *k, br_ec_public_key *out);

/* "RSA 2048", "EC P-256" (or "EC curve 25") into buf[size]. */
void x509_pubkey_describe(const struct x509_pubkey *k, char *buf,
			  size_t size);

struct x509_anchor {
	uint8_t dn[DN_MAX];	/* subject, DER */
	size_t dn_len;
	struct x509_pubkey key;
	int64_t not_before;	/* Unix seconds */
	int64_t not_after;
};

/* Trust anchors; anchors[0..count) are in use. */
struct x509_trust_store {
	size_t count;
	struct x509_anchor anchors[X509_ANCHORS_MAX];
};

void x509_trust_store_init(struct x509_trust_store *ts);

/*
 * Add the CA certificate(s) in data[0..len): DER (one certificate) or PEM
 * (one or more CERTIFICATE objects and nothing but text around them; any
 * other PEM object, a private key say, is refused). Each must decode, have
 * basicConstraints CA:TRUE and an RSA key of 2048 to 4096 bits or an EC
 * key on P-256, P-384 or P-521. Returns the number added (>= 1) or, with
 * nothing added:
 *   -OCIBOOT_EMALFORMED: VERIFY_CA_PEM, VERIFY_CA_MALFORMED;
 *   -OCIBOOT_EVERIFY: VERIFY_CA_EMPTY, VERIFY_CA_NOT_CA, VERIFY_CA_KEY,
 *     VERIFY_RSA_TOO_SHORT;
 *   -OCIBOOT_ETOOBIG: VERIFY_CA_TOO_MANY, VERIFY_CERT_TOO_BIG.
 * err's what names the CA certificate and its subject when known.
 */
int x509_trust_store_add(struct x509_trust_store *ts, const void *data,
			 size_t len, struct error *err);

/*
 * x509_trust_store_add() of the file at path (at most X509_PEM_FILE_MAX
 * bytes, a regular file). Also -errno from open/read (VERIFY_CA_READ;
 * -EISDIR for a directory, -EINVAL for another non-regular file),
 * -OCIBOOT_ETOOBIG for a bigger file. err's where names the file.
 */
int x509_trust_store_load_file(struct x509_trust_store *ts, const char *path,
			       struct error *err);

/*
 * Load every "*.pem" file of the directory dir (in name order; at most
 * X509_ANCHORS_MAX of them), as the init does with /etc/ociboot/ca.
 * Returns the number of anchors added, or the first failure (nothing is
 * added then); -OCIBOOT_EVERIFY / VERIFY_CA_EMPTY when there is none.
 */
int x509_trust_store_load_dir(struct x509_trust_store *ts, const char *dir,
			      struct error *err);

/* What a verified chain tells about its signer. */
struct x509_signer {
	struct x509_pubkey key;
	uint8_t subject[DN_MAX];	/* DER Name */
	size_t subject_len;
	char product_uuid[DN_UUID_LEN + 1];	/* lowercase, canonical */
	int64_t not_before;
	int64_t not_after;
	size_t chain_len;		/* certificates given */
};

/*
 * Validate the chain chain[0..len) against ts at time now (Unix seconds,
 * >= 0; see the policy above) and fill *out (only on success). Returns 0,
 * -EINVAL for a negative time, or, with err saying which check (its
 * error_reason) and which certificate (its what: position, subject, and
 * issuer for VERIFY_NOT_TRUSTED; its why: the time and validity for the
 * _EXPIRED reasons):
 *   -OCIBOOT_EMALFORMED: VERIFY_CHAIN_PEM, VERIFY_CERT_MALFORMED;
 *   -OCIBOOT_ETOOBIG: VERIFY_CHAIN_TOO_LONG, VERIFY_CERT_TOO_BIG,
 *     VERIFY_NAME_TOO_BIG;
 *   -OCIBOOT_EVERIFY: VERIFY_CHAIN_EMPTY, VERIFY_NOT_TRUSTED,
 *     VERIFY_CA_EXPIRED, VERIFY_EXPIRED, VERIFY_CHAIN_ORDER,
 *     VERIFY_CERT_SIGNATURE, VERIFY_ISSUER_NOT_CA, VERIFY_ISSUER_KEY_USAGE,
 *     VERIFY_CRITICAL_EXTENSION, VERIFY_ALGORITHM, VERIFY_RSA_TOO_SHORT,
 *     VERIFY_RSA_TOO_LONG, VERIFY_KEY_UNSUPPORTED, VERIFY_KEY_USAGE,
 *     VERIFY_SIGNER_IS_CA, VERIFY_EXTENDED_KEY_USAGE, and dn_product_uuid()'s
 *     reasons.
 */
int x509_chain_verify(const struct x509_trust_store *ts, const void *chain,
		      size_t len, int64_t now, struct x509_signer *out,
		      struct error *err);

#endif
