/* SPDX-License-Identifier: MIT */
/*
 * Detached signatures over exact bytes (the system manifest), checked with
 * a signer's key from a verified chain (crypto/x509.h), streaming so the
 * signed bytes need not all be in memory:
 *   - ECDSA on P-256 with SHA-256, on P-384 with SHA-384, the signature
 *     DER-encoded (SEQUENCE { INTEGER r, INTEGER s }, as OpenSSL writes
 *     it), checked with br_ecdsa_i31_vrfy_asn1;
 *   - RSA PKCS#1 v1.5 with SHA-256, 2048 to 4096 bits, the signature
 *     exactly as long as the modulus, checked with br_rsa_i31_pkcs1_vrfy.
 * The hash is fixed by the key, never read from the signature. Nothing
 * here allocates or logs; the caller owns the context.
 */
#ifndef OCIBOOT_SIGNATURE_H
#define OCIBOOT_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl_hash.h>

#include "crypto/sha256.h"
#include "crypto/verify_error.h"
#include "crypto/x509.h"

/* Longest signature accepted: RSA-4096. */
#define SIGNATURE_MAX 512

struct signature_verifier {
	struct x509_pubkey key;		/* a copy; the caller's may go */
	int hash_id;			/* br_sha256_ID or br_sha384_ID */
	struct sha256 sha256;
	br_sha384_context sha384;
};

/*
 * Start checking a signature by key. Returns 0, or -OCIBOOT_EVERIFY with
 * VERIFY_RSA_TOO_SHORT, VERIFY_RSA_TOO_LONG or VERIFY_KEY_UNSUPPORTED (any
 * other curve or key type).
 */
int signature_init(struct signature_verifier *v, const struct x509_pubkey *key,
		   struct error *err);

/* Hash len more signed bytes. */
void signature_update(struct signature_verifier *v, const void *data,
		      size_t len);

/*
 * Check sig[0..sig_len) over the bytes given to signature_update() since
 * signature_init(). Returns 0 when it matches, or -OCIBOOT_EVERIFY with
 * VERIFY_SIGNATURE_TOO_BIG (over SIGNATURE_MAX), VERIFY_SIGNATURE_MALFORMED
 * (empty; ECDSA not strict DER or r, s zero or longer than the curve's
 * order; RSA not the modulus' length) or VERIFY_SIGNATURE_MISMATCH. The
 * context must be initialised again before further use.
 */
int signature_final(struct signature_verifier *v, const void *sig,
		    size_t sig_len, struct error *err);

/* The three steps over data[0..len) at once. */
int signature_verify(const struct x509_pubkey *key, const void *data,
		     size_t len, const void *sig, size_t sig_len,
		     struct error *err);

#endif
