/* SPDX-License-Identifier: MIT */
#include "crypto/signature.h"

#include <bearssl_ec.h>
#include <bearssl_rsa.h>
#include <string.h>

#include "crypto/der.h"
#include "lib/util.h"

#define SHA384_LEN 48

int signature_init(struct signature_verifier *v, const struct x509_pubkey *key,
		   struct error *err)
{
	enum verify_reason reason = VERIFY_OK;
	int hash_id = br_sha256_ID;

	error_clear(err);
	if (key->type == BR_KEYTYPE_RSA) {
		if (key->bits < X509_RSA_MIN_BITS)
			reason = VERIFY_RSA_TOO_SHORT;
		else if (key->bits > X509_RSA_MAX_BITS)
			reason = VERIFY_RSA_TOO_LONG;
	} else if (key->type == BR_KEYTYPE_EC &&
		   key->curve == BR_EC_secp384r1) {
		hash_id = br_sha384_ID;
	} else if (key->type != BR_KEYTYPE_EC ||
		   key->curve != BR_EC_secp256r1) {
		reason = VERIFY_KEY_UNSUPPORTED;
	}
	if (reason != VERIFY_OK)
		return verify_fail(err, -OCIBOOT_EVERIFY, reason, NULL, 0);
	v->key = *key;
	v->hash_id = hash_id;
	sha256_init(&v->sha256);
	br_sha384_init(&v->sha384);
	return 0;
}

void signature_update(struct signature_verifier *v, const void *data,
		      size_t len)
{
	if (v->hash_id == br_sha384_ID)
		br_sha384_update(&v->sha384, data, len);
	else
		sha256_update(&v->sha256, data, len);
}

/* One INTEGER of an ECDSA signature: positive, minimal, at most max
 * bytes. */
static bool ecdsa_integer_ok(struct der_cursor *c, size_t max)
{
	struct der_tlv t;
	const uint8_t *mag;
	size_t len;

	return der_expect(c, DER_INTEGER, &t) == 0 &&
	       der_positive_integer(&t, &mag, &len) == 0 && len <= max;
}

/* Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, strict DER. */
static bool ecdsa_der_ok(const uint8_t *sig, size_t len, size_t order_len)
{
	struct der_cursor c;

	if (der_open(&c, sig, len, DER_SEQUENCE) < 0)
		return false;
	return ecdsa_integer_ok(&c, order_len) &&
	       ecdsa_integer_ok(&c, order_len) && der_at_end(&c);
}

static int verify_ecdsa(struct signature_verifier *v, const uint8_t *sig,
			size_t len)
{
	uint8_t hash[SHA384_LEN];
	size_t hash_len, order_len;
	br_ec_public_key pk;

	if (v->key.curve == BR_EC_secp384r1) {
		br_sha384_out(&v->sha384, hash);
		hash_len = SHA384_LEN;
		order_len = 48;
	} else {
		sha256_final(&v->sha256, hash);
		hash_len = SHA256_LEN;
		order_len = 32;
	}
	if (!ecdsa_der_ok(sig, len, order_len))
		return VERIFY_SIGNATURE_MALFORMED;
	x509_pubkey_ec(&v->key, &pk);
	if (!br_ecdsa_i31_vrfy_asn1(&br_ec_all_m31, hash, hash_len, &pk, sig,
				    len))
		return VERIFY_SIGNATURE_MISMATCH;
	return VERIFY_OK;
}

static int verify_rsa(struct signature_verifier *v, const uint8_t *sig,
		      size_t len)
{
	uint8_t hash[SHA256_LEN], signed_hash[SHA256_LEN];
	br_rsa_public_key pk;

	sha256_final(&v->sha256, hash);
	if (len != v->key.len)
		return VERIFY_SIGNATURE_MALFORMED;
	x509_pubkey_rsa(&v->key, &pk);
	if (!br_rsa_i31_pkcs1_vrfy(sig, len, BR_HASH_OID_SHA256, SHA256_LEN,
				   &pk, signed_hash) ||
	    !ct_memeq(signed_hash, hash, SHA256_LEN))
		return VERIFY_SIGNATURE_MISMATCH;
	return VERIFY_OK;
}

int signature_final(struct signature_verifier *v, const void *sig,
		    size_t sig_len, struct error *err)
{
	int reason;

	error_clear(err);
	if (sig_len > SIGNATURE_MAX)
		reason = VERIFY_SIGNATURE_TOO_BIG;
	else if (sig_len == 0)
		reason = VERIFY_SIGNATURE_MALFORMED;
	else if (v->key.type == BR_KEYTYPE_RSA)
		reason = verify_rsa(v, sig, sig_len);
	else
		reason = verify_ecdsa(v, sig, sig_len);
	if (reason != VERIFY_OK)
		return verify_fail(err, -OCIBOOT_EVERIFY, reason, NULL, 0);
	return 0;
}

int signature_verify(const struct x509_pubkey *key, const void *data,
		     size_t len, const void *sig, size_t sig_len,
		     struct error *err)
{
	struct signature_verifier v;
	int r;

	r = signature_init(&v, key, err);
	if (r < 0)
		return r;
	signature_update(&v, data, len);
	return signature_final(&v, sig, sig_len, err);
}
