/* SPDX-License-Identifier: MIT */
/*
 * tpm/crypto_bearssl: every ESAPI callback against OpenSSL (libcrypto)
 * for the same input, table-driven: hashes and HMACs of every algorithm
 * for lengths around the block sizes, fed in pieces; AES-CFB-128 for every
 * key size and lengths that are not multiples of 16, both ways, and the
 * NIST SP 800-38A F.3.13/F.3.17 vectors; the ECDH salt point against
 * OpenSSL's point multiplication with the TPM key's scalar; refusals of
 * what ociboot does not implement (RSA, other curves, other modes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <tss2/tss2_mu.h>

#include "lib/hex.h"
#include "tpm/crypto_bearssl.h"

#define MAX_MSG 1000

static ESYS_CRYPTO_CALLBACKS cb;

static const struct {
	TPM2_ALG_ID alg;
	const char *name;
	size_t len;
} hashes[] = {
	{ TPM2_ALG_SHA1, "SHA1", 20 },
	{ TPM2_ALG_SHA256, "SHA256", 32 },
	{ TPM2_ALG_SHA384, "SHA384", 48 },
	{ TPM2_ALG_SHA512, "SHA512", 64 },
};

static const size_t msg_lens[] = { 0, 1, 55, 56, 63, 64, 65, 111, 112, 128,
				   129, 1000 };

static int setup(void **state)
{
	tpm_crypto_bearssl(&cb);
	return 0;
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 3));
}

/* Feed msg[0, len) to update() in pieces of 1, 7, 64, ... bytes. */
static void feed(TSS2_RC (*update)(ESYS_CRYPTO_CONTEXT_BLOB *,
				   const uint8_t *, size_t, void *),
		 ESYS_CRYPTO_CONTEXT_BLOB *ctx, const uint8_t *msg, size_t len)
{
	static const size_t pieces[] = { 1, 7, 64, 200 };
	size_t at = 0;

	for (size_t p = 0; at < len; p++) {
		size_t n = pieces[p % 4];

		if (n > len - at)
			n = len - at;
		assert_int_equal(update(ctx, msg + at, n, NULL),
				 TSS2_RC_SUCCESS);
		at += n;
	}
}

static void test_hash(void **state)
{
	uint8_t msg[MAX_MSG], got[64], want[64];

	for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++)
		for (size_t m = 0; m < sizeof(msg_lens) / sizeof(msg_lens[0]);
		     m++) {
			ESYS_CRYPTO_CONTEXT_BLOB *ctx = NULL;
			size_t len = msg_lens[m], size = sizeof(got);
			unsigned wlen = 0;

			fill(msg, len, (unsigned)(h + m));
			assert_int_equal(cb.hash_start(&ctx, hashes[h].alg,
						       NULL), TSS2_RC_SUCCESS);
			feed(cb.hash_update, ctx, msg, len);
			assert_int_equal(cb.hash_finish(&ctx, got, &size, NULL),
					 TSS2_RC_SUCCESS);
			assert_null(ctx);
			assert_int_equal(EVP_Digest(msg, len, want, &wlen,
					 EVP_get_digestbyname(hashes[h].name),
					 NULL), 1);
			assert_int_equal(size, hashes[h].len);
			assert_int_equal(wlen, hashes[h].len);
			assert_memory_equal(got, want, size);
		}
}

static void test_hmac(void **state)
{
	static const size_t key_lens[] = { 0, 1, 20, 32, 64, 65, 128, 129,
					   200 };
	uint8_t msg[MAX_MSG], key[200], got[64], want[64];

	for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++)
		for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]);
		     k++) {
			ESYS_CRYPTO_CONTEXT_BLOB *ctx = NULL;
			size_t len = msg_lens[k % 12], size = sizeof(got);
			unsigned wlen = 0;

			fill(key, key_lens[k], (unsigned)(k + 3));
			fill(msg, len, (unsigned)(h + k));
			assert_int_equal(cb.hmac_start(&ctx, hashes[h].alg,
						       key, key_lens[k], NULL),
					 TSS2_RC_SUCCESS);
			feed(cb.hmac_update, ctx, msg, len);
			assert_int_equal(cb.hmac_finish(&ctx, got, &size, NULL),
					 TSS2_RC_SUCCESS);
			assert_null(ctx);
			assert_non_null(HMAC(EVP_get_digestbyname(
						hashes[h].name), key,
					     (int)key_lens[k], msg, len, want,
					     &wlen));
			assert_int_equal(size, hashes[h].len);
			assert_int_equal(wlen, size);
			assert_memory_equal(got, want, size);
		}
}

static void test_hash_refusals(void **state)
{
	ESYS_CRYPTO_CONTEXT_BLOB *ctx = NULL;
	uint8_t key[4] = { 0 }, out[64];
	size_t size;

	assert_int_equal(cb.hash_start(&ctx, TPM2_ALG_SM3_256, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_int_equal(cb.hmac_start(&ctx, TPM2_ALG_NULL, key, 4, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_null(ctx);
	/* A buffer shorter than the digest: refused, the context kept. */
	assert_int_equal(cb.hash_start(&ctx, TPM2_ALG_SHA256, NULL),
			 TSS2_RC_SUCCESS);
	size = 31;
	assert_int_equal(cb.hash_finish(&ctx, out, &size, NULL),
			 TSS2_ESYS_RC_BAD_SIZE);
	assert_non_null(ctx);
	/* An HMAC context is not a hash context. */
	assert_int_equal(cb.hmac_update(ctx, out, 1, NULL),
			 TSS2_ESYS_RC_BAD_REFERENCE);
	cb.hash_abort(&ctx, NULL);
	assert_null(ctx);
	cb.hmac_abort(&ctx, NULL);
}

static const EVP_CIPHER *openssl_cfb(unsigned bits)
{
	return bits == 128 ? EVP_aes_128_cfb128() :
	       bits == 192 ? EVP_aes_192_cfb128() : EVP_aes_256_cfb128();
}

static void openssl_encrypt(unsigned bits, const uint8_t *key,
			    const uint8_t *iv, const uint8_t *in, size_t len,
			    uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;

	assert_non_null(c);
	assert_int_equal(EVP_EncryptInit_ex(c, openssl_cfb(bits), NULL, key,
					    iv), 1);
	assert_int_equal(EVP_EncryptUpdate(c, out, &n, in, (int)len), 1);
	assert_int_equal(EVP_EncryptFinal_ex(c, out + n, &m), 1);
	assert_int_equal((size_t)(n + m), len);
	EVP_CIPHER_CTX_free(c);
}

static void test_aes_cfb_openssl(void **state)
{
	static const size_t lens[] = { 0, 1, 5, 15, 16, 17, 31, 32, 33, 48,
				       64, 100, 1000 };
	static const unsigned bits[] = { 128, 192, 256 };
	uint8_t key[32], iv[16], iv_copy[16], plain[MAX_MSG];
	uint8_t buf[MAX_MSG], want[MAX_MSG];

	for (size_t b = 0; b < 3; b++)
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			size_t len = lens[l];

			fill(key, sizeof(key), (unsigned)(b * 5 + l));
			fill(iv, sizeof(iv), (unsigned)(b + l * 3));
			fill(plain, len, (unsigned)(l + 9));
			openssl_encrypt(bits[b], key, iv, plain, len, want);

			memcpy(buf, plain, len);
			memcpy(iv_copy, iv, sizeof(iv));
			assert_int_equal(cb.aes_encrypt(key, TPM2_ALG_AES,
					 (TPMI_AES_KEY_BITS)bits[b],
					 TPM2_ALG_CFB, buf, len, iv_copy,
					 NULL), TSS2_RC_SUCCESS);
			if (len)
				assert_memory_equal(buf, want, len);
			assert_memory_equal(iv_copy, iv, sizeof(iv));
			assert_int_equal(cb.aes_decrypt(key, TPM2_ALG_AES,
					 (TPMI_AES_KEY_BITS)bits[b],
					 TPM2_ALG_CFB, buf, len, iv_copy,
					 NULL), TSS2_RC_SUCCESS);
			if (len)
				assert_memory_equal(buf, plain, len);
		}
}

/* NIST SP 800-38A, F.3.13 CFB128-AES128.Encrypt, F.3.17 CFB128-AES256. */
static void test_aes_cfb_nist(void **state)
{
	static const struct {
		unsigned bits;
		const char *key, *cipher;
	} v[] = {
		{ 128, "2b7e151628aed2a6abf7158809cf4f3c",
		  "3b3fd92eb72dad20333449f8e83cfb4a"
		  "c8a64537a0b3a93fcde3cdad9f1ce58b"
		  "26751f67a3cbb140b1808cf187a4f4df"
		  "c04b05357c5d1c0eeac4c66f9ff7f2e6" },
		{ 256, "603deb1015ca71be2b73aef0857d7781"
		  "1f352c073b6108d72d9810a30914dff4",
		  "dc7e84bfda79164b7ecd8486985d3860"
		  "39ffed143b28b1c832113c6331e5407b"
		  "df10132415e54b92a13ed0a8267ae2f9"
		  "75a385741ab9cef82031623d55b1e471" },
	};
	static const char plain_hex[] =
		"6bc1bee22e409f96e93d7e117393172a"
		"ae2d8a571e03ac9c9eb76fac45af8e51"
		"30c81c46a35ce411e5fbc1191a0a52ef"
		"f69f2445df4f9b17ad2b417be66c3710";
	uint8_t key[32], iv[16], plain[64], want[64], buf[64];

	assert_int_equal(hex_decode(plain_hex, 128, plain, 64), 64);
	for (size_t i = 0; i < 2; i++) {
		size_t klen = v[i].bits / 8;

		assert_int_equal(hex_decode(v[i].key, 2 * klen, key, klen),
				 (int)klen);
		assert_int_equal(hex_decode(v[i].cipher, 128, want, 64), 64);
		assert_int_equal(hex_decode("000102030405060708090a0b0c0d0e0f",
					    32, iv, 16), 16);
		/* Whole, and cut to 37 bytes (a partial last block). */
		for (size_t len = 64; len >= 37; len -= 27) {
			memcpy(buf, plain, len);
			assert_int_equal(cb.aes_encrypt(key, TPM2_ALG_AES,
					 (TPMI_AES_KEY_BITS)v[i].bits,
					 TPM2_ALG_CFB, buf, len, iv, NULL),
					 TSS2_RC_SUCCESS);
			assert_memory_equal(buf, want, len);
		}
	}
}

static void test_aes_refusals(void **state)
{
	uint8_t key[16] = { 0 }, iv[16] = { 0 }, buf[16] = { 0 };

	assert_int_equal(cb.aes_encrypt(key, TPM2_ALG_AES, 128, TPM2_ALG_CBC,
					buf, 16, iv, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_int_equal(cb.aes_decrypt(key, TPM2_ALG_SM4, 128, TPM2_ALG_CFB,
					buf, 16, iv, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_int_equal(cb.aes_encrypt(key, TPM2_ALG_AES, 64, TPM2_ALG_CFB,
					buf, 16, iv, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	assert_null(cb.sm4_encrypt);
}

static void test_random(void **state)
{
	TPM2B_NONCE a = { 0 }, b = { 0 };

	assert_int_equal(cb.get_random2b(&a, 32, NULL), TSS2_RC_SUCCESS);
	assert_int_equal(cb.get_random2b(&b, 32, NULL), TSS2_RC_SUCCESS);
	assert_int_equal(a.size, 32);
	assert_memory_not_equal(a.buffer, b.buffer, 32);
	assert_int_equal(cb.get_random2b(&a, 0, NULL), TSS2_RC_SUCCESS);
	assert_int_equal(a.size, sizeof(a.buffer));
	assert_int_equal(cb.get_random2b(&a, sizeof(a.buffer) + 1, NULL),
			 TSS2_ESYS_RC_BAD_SIZE);
}

/* A TPM ECC key's public area for the point d * G (OpenSSL's). */
static void tpm_key(EC_GROUP *g, const BIGNUM *d, TPM2B_PUBLIC *pub)
{
	EC_POINT *p = EC_POINT_new(g);
	BIGNUM *x = BN_new(), *y = BN_new();

	assert_int_equal(EC_POINT_mul(g, p, d, NULL, NULL, NULL), 1);
	assert_int_equal(EC_POINT_get_affine_coordinates(g, p, x, y, NULL),
			 1);
	memset(pub, 0, sizeof(*pub));
	pub->publicArea.type = TPM2_ALG_ECC;
	pub->publicArea.nameAlg = TPM2_ALG_SHA256;
	pub->publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	pub->publicArea.unique.ecc.x.size = 32;
	pub->publicArea.unique.ecc.y.size = 32;
	assert_int_equal(BN_bn2binpad(x, pub->publicArea.unique.ecc.x.buffer,
				      32), 32);
	assert_int_equal(BN_bn2binpad(y, pub->publicArea.unique.ecc.y.buffer,
				      32), 32);
	EC_POINT_free(p);
	BN_free(x);
	BN_free(y);
}

static void test_ecdh(void **state)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	const BIGNUM *order = EC_GROUP_get0_order(g);

	for (int i = 0; i < 8; i++) {
		BIGNUM *d = BN_new(), *qx = BN_new(), *qy = BN_new();
		BIGNUM *zx = BN_new();
		EC_POINT *q = EC_POINT_new(g), *z = EC_POINT_new(g);
		TPM2B_PUBLIC pub;
		TPM2B_ECC_PARAMETER Z = { 0 };
		TPMS_ECC_POINT Q = { 0 }, back = { 0 };
		uint8_t out[sizeof(TPMU_ENCRYPTED_SECRET)], want[32];
		size_t out_size = 0, offset = 0;

		assert_int_equal(BN_rand_range(d, order), 1);
		tpm_key(g, d, &pub);
		assert_int_equal(cb.get_ecdh_point(&pub, sizeof(out), &Z, &Q,
						   out, &out_size, NULL),
				 TSS2_RC_SUCCESS);
		/* The encrypted salt is the marshalled ephemeral point. */
		assert_int_equal(out_size, 2 + 32 + 2 + 32);
		assert_int_equal(Tss2_MU_TPMS_ECC_POINT_Unmarshal(out,
				 out_size, &offset, &back), TSS2_RC_SUCCESS);
		assert_memory_equal(&back, &Q, sizeof(Q));
		/* Z = x(d * Q): what the TPM computes with its scalar. */
		assert_non_null(BN_bin2bn(Q.x.buffer, 32, qx));
		assert_non_null(BN_bin2bn(Q.y.buffer, 32, qy));
		assert_int_equal(EC_POINT_set_affine_coordinates(g, q, qx, qy,
								 NULL), 1);
		assert_int_equal(EC_POINT_mul(g, z, NULL, q, d, NULL), 1);
		assert_int_equal(EC_POINT_get_affine_coordinates(g, z, zx,
								 NULL, NULL),
				 1);
		assert_int_equal(BN_bn2binpad(zx, want, 32), 32);
		assert_int_equal(Z.size, 32);
		assert_memory_equal(Z.buffer, want, 32);
		BN_free(d);
		BN_free(qx);
		BN_free(qy);
		BN_free(zx);
		EC_POINT_free(q);
		EC_POINT_free(z);
	}
	EC_GROUP_free(g);
}

static void test_ecdh_refusals(void **state)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *d = BN_new();
	TPM2B_PUBLIC pub, bad;
	TPM2B_ECC_PARAMETER Z;
	TPMS_ECC_POINT Q;
	uint8_t out[sizeof(TPMU_ENCRYPTED_SECRET)];
	size_t out_size = 0;

	assert_int_equal(BN_set_word(d, 12345), 1);
	tpm_key(g, d, &pub);
	/* A point off the curve. */
	bad = pub;
	bad.publicArea.unique.ecc.y.buffer[31] ^= 1;
	assert_int_not_equal(cb.get_ecdh_point(&bad, sizeof(out), &Z, &Q, out,
					       &out_size, NULL),
			     TSS2_RC_SUCCESS);
	/* Another curve, an RSA key, a coordinate too long. */
	bad = pub;
	bad.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P384;
	assert_int_equal(cb.get_ecdh_point(&bad, sizeof(out), &Z, &Q, out,
					   &out_size, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	bad = pub;
	bad.publicArea.type = TPM2_ALG_RSA;
	assert_int_equal(cb.get_ecdh_point(&bad, sizeof(out), &Z, &Q, out,
					   &out_size, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	bad = pub;
	bad.publicArea.unique.ecc.x.size = 33;
	assert_int_equal(cb.get_ecdh_point(&bad, sizeof(out), &Z, &Q, out,
					   &out_size, NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	/* No room for the marshalled point. */
	assert_int_not_equal(cb.get_ecdh_point(&pub, 10, &Z, &Q, out,
					       &out_size, NULL),
			     TSS2_RC_SUCCESS);
	/* RSA salting is not ociboot's. */
	assert_int_equal(cb.rsa_pk_encrypt(&pub, 1, out, sizeof(out), out,
					   &out_size, "SECRET", NULL),
			 TSS2_ESYS_RC_NOT_IMPLEMENTED);
	BN_free(d);
	EC_GROUP_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_hash_refusals),
		cmocka_unit_test(test_aes_cfb_openssl),
		cmocka_unit_test(test_aes_cfb_nist),
		cmocka_unit_test(test_aes_refusals),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_ecdh),
		cmocka_unit_test(test_ecdh_refusals),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
