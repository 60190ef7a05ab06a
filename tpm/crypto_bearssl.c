/* SPDX-License-Identifier: MIT */
/*
 * ESAPI's crypto callbacks over BearSSL (tpm/crypto_bearssl.h). The
 * callbacks' types and duties are tss2_esys.h's ESYS_CRYPTO_CALLBACKS;
 * what ESAPI does with them is src/tss2-esys/esys_crypto.c and
 * esys_iutil.c (iesys_compute_encrypted_salt, iesys_encrypt_param,
 * iesys_decrypt_param) of tpm2-tss 4.1.3.
 */
#include "tpm/crypto_bearssl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <bearssl.h>
#include <tss2/tss2_mu.h>

#include "lib/util.h"

#define AES_BLOCK 16
#define P256_COORD 32
#define P256_POINT (1 + 2 * P256_COORD)	/* 0x04 || X || Y */
#define DRBG_SEED 48

enum ctx_type { CTX_HASH = 1, CTX_HMAC };

struct ctx {
	enum ctx_type type;
	const br_hash_class *hash;
	union {
		br_hash_compat_context hash;
		br_hmac_context hmac;
	} u;
};

static const br_hash_class *hash_class(TPM2_ALG_ID alg)
{
	switch (alg) {
	case TPM2_ALG_SHA1:
		return &br_sha1_vtable;
	case TPM2_ALG_SHA256:
		return &br_sha256_vtable;
	case TPM2_ALG_SHA384:
		return &br_sha384_vtable;
	case TPM2_ALG_SHA512:
		return &br_sha512_vtable;
	}
	return NULL;
}

static size_t hash_len(const br_hash_class *h)
{
	return (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
}

static struct ctx *new_ctx(enum ctx_type type, TPM2_ALG_ID alg)
{
	const br_hash_class *h = hash_class(alg);
	struct ctx *c;

	if (!h)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c) {
		c->type = type;
		c->hash = h;
	}
	return c;
}

static void free_ctx(ESYS_CRYPTO_CONTEXT_BLOB **context)
{
	if (context && *context) {
		explicit_bzero(*context, sizeof(struct ctx));
		free(*context);
		*context = NULL;
	}
}

/* The context behind *context when it is of type type, else NULL. */
static struct ctx *get_ctx(ESYS_CRYPTO_CONTEXT_BLOB *context,
			   enum ctx_type type)
{
	struct ctx *c = (struct ctx *)context;

	return c && c->type == type ? c : NULL;
}

static TSS2_RC start(ESYS_CRYPTO_CONTEXT_BLOB **context, enum ctx_type type,
		     TPM2_ALG_ID alg, const uint8_t *key, size_t size)
{
	br_hmac_key_context kc;
	struct ctx *c;

	if (!context || (!key && size))
		return TSS2_ESYS_RC_BAD_REFERENCE;
	if (!hash_class(alg))
		return TSS2_ESYS_RC_NOT_IMPLEMENTED;
	c = new_ctx(type, alg);
	if (!c)
		return TSS2_ESYS_RC_MEMORY;
	if (type == CTX_HASH) {
		c->hash->init(&c->u.hash.vtable);
	} else {
		br_hmac_key_init(&kc, c->hash, key, size);
		br_hmac_init(&c->u.hmac, &kc, 0);
		explicit_bzero(&kc, sizeof(kc));
	}
	*context = (ESYS_CRYPTO_CONTEXT_BLOB *)c;
	return TSS2_RC_SUCCESS;
}

static TSS2_RC update(ESYS_CRYPTO_CONTEXT_BLOB *context, enum ctx_type type,
		      const uint8_t *buffer, size_t size)
{
	struct ctx *c = get_ctx(context, type);

	if (!c || (!buffer && size))
		return TSS2_ESYS_RC_BAD_REFERENCE;
	if (type == CTX_HASH)
		c->hash->update(&c->u.hash.vtable, buffer, size);
	else
		br_hmac_update(&c->u.hmac, buffer, size);
	return TSS2_RC_SUCCESS;
}

/* The digest or MAC into buffer (*size bytes of room; set to its size). */
static TSS2_RC finish(ESYS_CRYPTO_CONTEXT_BLOB **context, enum ctx_type type,
		      uint8_t *buffer, size_t *size)
{
	struct ctx *c = context ? get_ctx(*context, type) : NULL;
	size_t n;

	if (!c || !buffer || !size)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	n = hash_len(c->hash);
	if (*size < n)
		return TSS2_ESYS_RC_BAD_SIZE;
	if (type == CTX_HASH)
		c->hash->out(&c->u.hash.vtable, buffer);
	else
		br_hmac_out(&c->u.hmac, buffer);
	*size = n;
	free_ctx(context);
	return TSS2_RC_SUCCESS;
}

static TSS2_RC hash_start(ESYS_CRYPTO_CONTEXT_BLOB **context,
			  TPM2_ALG_ID alg, void *userdata)
{
	return start(context, CTX_HASH, alg, NULL, 0);
}

static TSS2_RC hash_update(ESYS_CRYPTO_CONTEXT_BLOB *context,
			   const uint8_t *buffer, size_t size, void *userdata)
{
	return update(context, CTX_HASH, buffer, size);
}

static TSS2_RC hash_finish(ESYS_CRYPTO_CONTEXT_BLOB **context,
			   uint8_t *buffer, size_t *size, void *userdata)
{
	return finish(context, CTX_HASH, buffer, size);
}

/* For hashes and HMACs alike. */
static void abort_ctx(ESYS_CRYPTO_CONTEXT_BLOB **context, void *userdata)
{
	free_ctx(context);
}

static TSS2_RC hmac_start(ESYS_CRYPTO_CONTEXT_BLOB **context,
			  TPM2_ALG_ID alg, const uint8_t *key, size_t size,
			  void *userdata)
{
	return start(context, CTX_HMAC, alg, key, size);
}

static TSS2_RC hmac_update(ESYS_CRYPTO_CONTEXT_BLOB *context,
			   const uint8_t *buffer, size_t size, void *userdata)
{
	return update(context, CTX_HMAC, buffer, size);
}

static TSS2_RC hmac_finish(ESYS_CRYPTO_CONTEXT_BLOB **context,
			   uint8_t *buffer, size_t *size, void *userdata)
{
	return finish(context, CTX_HMAC, buffer, size);
}

/* The kernel's CSPRNG, waiting for it to be seeded; 0 or -errno. */
static int random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static TSS2_RC get_random2b(TPM2B_NONCE *nonce, size_t num_bytes,
			    void *userdata)
{
	if (!nonce)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	/* As tpm2-tss's own backends: 0 asks for a full buffer. */
	if (num_bytes == 0)
		num_bytes = sizeof(nonce->buffer);
	if (num_bytes > sizeof(nonce->buffer))
		return TSS2_ESYS_RC_BAD_SIZE;
	if (random_bytes(nonce->buffer, num_bytes) < 0)
		return TSS2_ESYS_RC_GENERAL_FAILURE;
	nonce->size = (UINT16)num_bytes;
	return TSS2_RC_SUCCESS;
}

/* The TPM key's P-256 point as 0x04 || X || Y (short coordinates padded). */
static int tpm_point(const TPM2B_PUBLIC *key, uint8_t point[P256_POINT])
{
	const TPMS_ECC_POINT *q = &key->publicArea.unique.ecc;

	if (key->publicArea.type != TPM2_ALG_ECC ||
	    key->publicArea.parameters.eccDetail.curveID !=
	    TPM2_ECC_NIST_P256 ||
	    q->x.size > P256_COORD || q->y.size > P256_COORD)
		return -EINVAL;
	memset(point, 0, P256_POINT);
	point[0] = 0x04;
	memcpy(point + 1 + P256_COORD - q->x.size, q->x.buffer, q->x.size);
	memcpy(point + P256_POINT - q->y.size, q->y.buffer, q->y.size);
	return 0;
}

/* An ephemeral P-256 key: sk (its scalar in kbuf), pub its point. */
static int ephemeral_key(br_ec_private_key *sk, uint8_t kbuf[P256_COORD],
			 uint8_t pub[P256_POINT])
{
	const br_ec_impl *ec = &br_ec_p256_m31;
	br_hmac_drbg_context drbg;
	br_ec_public_key pk;
	uint8_t seed[DRBG_SEED];
	size_t n;

	if (random_bytes(seed, sizeof(seed)) < 0)
		return -EIO;
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof(seed));
	explicit_bzero(seed, sizeof(seed));
	n = br_ec_keygen(&drbg.vtable, ec, sk, kbuf, BR_EC_secp256r1);
	explicit_bzero(&drbg, sizeof(drbg));
	if (n != P256_COORD)
		return -EIO;
	if (br_ec_compute_pub(ec, &pk, pub, sk) != P256_POINT)
		return -EIO;
	return 0;
}

static TSS2_RC get_ecdh_point(TPM2B_PUBLIC *key, size_t max_out_size,
			      TPM2B_ECC_PARAMETER *Z, TPMS_ECC_POINT *Q,
			      BYTE *out_buffer, size_t *out_size,
			      void *userdata)
{
	uint8_t shared[P256_POINT], pub[P256_POINT], kbuf[P256_COORD];
	br_ec_private_key sk;
	size_t offset = 0;
	TSS2_RC rc = TSS2_ESYS_RC_GENERAL_FAILURE;

	if (!key || !Z || !Q || !out_buffer || !out_size)
		return TSS2_ESYS_RC_BAD_REFERENCE;
	if (tpm_point(key, shared) < 0)
		return TSS2_ESYS_RC_NOT_IMPLEMENTED;
	if (ephemeral_key(&sk, kbuf, pub) < 0)
		goto out;
	/* Z = x(d * Q_tpm); mul() refuses a point not on the curve. */
	if (!br_ec_p256_m31.mul(shared, sizeof(shared), sk.x, sk.xlen,
				BR_EC_secp256r1))
		goto out;
	memset(Q, 0, sizeof(*Q));
	Q->x.size = P256_COORD;
	memcpy(Q->x.buffer, pub + 1, P256_COORD);
	Q->y.size = P256_COORD;
	memcpy(Q->y.buffer, pub + 1 + P256_COORD, P256_COORD);
	Z->size = P256_COORD;
	memcpy(Z->buffer, shared + 1, P256_COORD);
	rc = Tss2_MU_TPMS_ECC_POINT_Marshal(Q, out_buffer, max_out_size,
					    &offset);
	if (rc == TSS2_RC_SUCCESS)
		*out_size = offset;
out:
	explicit_bzero(kbuf, sizeof(kbuf));
	explicit_bzero(shared, sizeof(shared));
	explicit_bzero(&sk, sizeof(sk));
	return rc;
}

/*
 * AES in CFB-128 over buffer[0, len) in place (TPM 2.0 part 1,
 * "Session-based encryption": the IV is KDFa's, each ciphertext block the
 * next block's input; a last partial block uses the leading bytes of the
 * keystream). E(X) is one CBC encryption of a zero block with X as the
 * IV.
 */
static TSS2_RC aes_cfb(const uint8_t *key, TPM2_ALG_ID alg, unsigned bits,
		       TPM2_ALG_ID mode, uint8_t *buffer, size_t len,
		       const uint8_t *iv, bool encrypt)
{
	br_aes_ct64_cbcenc_keys k;
	uint8_t x[AES_BLOCK], ks[AES_BLOCK];

	if (alg != TPM2_ALG_AES || mode != TPM2_ALG_CFB ||
	    (bits != 128 && bits != 192 && bits != 256))
		return TSS2_ESYS_RC_NOT_IMPLEMENTED;
	if (!key || !iv || (!buffer && len))
		return TSS2_ESYS_RC_BAD_REFERENCE;
	br_aes_ct64_cbcenc_init(&k, key, bits / 8);
	memcpy(x, iv, AES_BLOCK);
	for (size_t at = 0; at < len; at += AES_BLOCK) {
		size_t n = len - at < AES_BLOCK ? len - at : AES_BLOCK;

		memset(ks, 0, sizeof(ks));
		br_aes_ct64_cbcenc_run(&k, x, ks, AES_BLOCK);
		/* x is now E(x) = ks; the next input is this ciphertext. */
		for (size_t i = 0; i < n; i++) {
			uint8_t in = buffer[at + i];

			buffer[at + i] = in ^ ks[i];
			x[i] = encrypt ? buffer[at + i] : in;
		}
	}
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(ks, sizeof(ks));
	explicit_bzero(x, sizeof(x));
	return TSS2_RC_SUCCESS;
}

static TSS2_RC aes_encrypt(uint8_t *key, TPM2_ALG_ID alg,
			   TPMI_AES_KEY_BITS bits, TPM2_ALG_ID mode,
			   uint8_t *buffer, size_t size, uint8_t *iv,
			   void *userdata)
{
	return aes_cfb(key, alg, bits, mode, buffer, size, iv, true);
}

static TSS2_RC aes_decrypt(uint8_t *key, TPM2_ALG_ID alg,
			   TPMI_AES_KEY_BITS bits, TPM2_ALG_ID mode,
			   uint8_t *buffer, size_t size, uint8_t *iv,
			   void *userdata)
{
	return aes_cfb(key, alg, bits, mode, buffer, size, iv, false);
}

static TSS2_RC rsa_pk_encrypt(TPM2B_PUBLIC *pub, size_t in_size,
			      BYTE *in_buffer, size_t max_out_size,
			      BYTE *out_buffer, size_t *out_size,
			      const char *label, void *userdata)
{
	return TSS2_ESYS_RC_NOT_IMPLEMENTED;
}

void tpm_crypto_bearssl(ESYS_CRYPTO_CALLBACKS *cb)
{
	memset(cb, 0, sizeof(*cb));
	cb->rsa_pk_encrypt = rsa_pk_encrypt;
	cb->hash_start = hash_start;
	cb->hash_update = hash_update;
	cb->hash_finish = hash_finish;
	cb->hash_abort = abort_ctx;
	cb->hmac_start = hmac_start;
	cb->hmac_update = hmac_update;
	cb->hmac_finish = hmac_finish;
	cb->hmac_abort = abort_ctx;
	cb->get_random2b = get_random2b;
	cb->get_ecdh_point = get_ecdh_point;
	cb->aes_encrypt = aes_encrypt;
	cb->aes_decrypt = aes_decrypt;
}
