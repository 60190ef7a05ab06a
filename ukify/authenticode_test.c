/* SPDX-License-Identifier: MIT */
/* Tests of Authenticode signing and reading on a fixture image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "lib/endian.h"
#include "lib/util.h"
#include "ukify/authenticode.h"
#include "ukify/pe_fixture.h"

#define IMAGE_CAP 0x1000
#define WHEN 1700000000		/* 2023-11-14 22:13:20 UTC */

struct pem {
	char *key, *cert;
	size_t key_len, cert_len;
};

static struct pem rsa2048, other2048, rsa1024, ec256;

static char *bio_text(BIO *bio, size_t *len)
{
	char *data, *copy;
	long n = BIO_get_mem_data(bio, &data);

	copy = malloc((size_t)n + 1);
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return copy;
}

static X509 *self_signed(EVP_PKEY *key, const char *cn)
{
	X509 *cert = X509_new();
	X509_NAME *name = X509_get_subject_name(cert);

	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_set_pubkey(cert, key);
	X509_sign(cert, key, EVP_sha256());
	return cert;
}

static void make_pem(struct pem *p, EVP_PKEY *key, const char *cn)
{
	BIO *k = BIO_new(BIO_s_mem()), *c = BIO_new(BIO_s_mem());
	X509 *cert = self_signed(key, cn);

	PEM_write_bio_PrivateKey(k, key, NULL, NULL, 0, NULL, NULL);
	PEM_write_bio_X509(c, cert);
	p->key = bio_text(k, &p->key_len);
	p->cert = bio_text(c, &p->cert_len);
	X509_free(cert);
	EVP_PKEY_free(key);
}

static int setup(void **state)
{
	make_pem(&rsa2048, EVP_RSA_gen(2048), "ukify test");
	make_pem(&other2048, EVP_RSA_gen(2048), "someone else");
	make_pem(&rsa1024, EVP_RSA_gen(1024), "short");
	make_pem(&ec256, EVP_EC_gen("P-256"), "ec");
	return 0;
}

static int teardown(void **state)
{
	struct pem *all[] = { &rsa2048, &other2048, &rsa1024, &ec256 };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		free(all[i]->key);
		free(all[i]->cert);
	}
	return 0;
}

static uint8_t *sign(const uint8_t *img, size_t len, const struct pem *key,
		     const struct pem *cert, time_t when, size_t *out_len)
{
	uint8_t *out = NULL;
	struct error err;
	int r;

	error_clear(&err);
	r = authenticode_sign(img, len, key->key, key->key_len, cert->cert,
			      cert->cert_len, when, &out, out_len, &err);
	if (r != 0)
		fail_msg("authenticode_sign: %d (%s)", r, err.why);
	return out;
}

static void test_sign_and_inspect(void **state)
{
	uint8_t img[IMAGE_CAP], *a, *b, before[SHA256_LEN], after[SHA256_LEN];
	size_t len = pe_fixture_simple(img, sizeof(img)), la, lb;
	struct authenticode_info info;
	struct pe_image pe;

	assert_int_equal(pe_parse(img, len, &pe), 0);
	authenticode_digest(img, &pe, before);
	a = sign(img, len, &rsa2048, &rsa2048, WHEN, &la);
	b = sign(img, len, &rsa2048, &rsa2048, WHEN, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);	/* reproducible */
	assert_memory_equal(a + 0x400, img + 0x400, len - 0x400);

	assert_int_equal(pe_parse(a, la, &pe), 0);
	assert_int_equal(pe.cert_offset, len);
	assert_int_equal(pe.cert_size % 8, 0);
	assert_int_equal(la, len + pe.cert_size);
	assert_int_equal(le16_load(a + len + 4), PE_WIN_CERT_REVISION_2);
	assert_int_equal(le16_load(a + len + 6),
			 PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA);
	assert_true(le32_load(a + len) <= pe.cert_size);
	assert_true(le32_load(a + len) + 8 > pe.cert_size);
	assert_int_equal(pe.checksum,
			 pe_checksum(a, la, pe_checksum_offset(&pe)));
	/* The digest skips the checksum, directory entry and table. */
	authenticode_digest(a, &pe, after);
	assert_memory_equal(before, after, SHA256_LEN);

	assert_int_equal(authenticode_inspect(a, &pe, &info), 0);
	assert_true(info.digest_matches);
	assert_true(info.signature_valid);
	assert_string_equal(info.subject, "CN=ukify test");
	assert_string_equal(info.signing_time, "2023-11-14 22:13:20");
	free(a);
	free(b);
}

static void test_time_changes_bytes(void **state)
{
	uint8_t img[IMAGE_CAP], *a, *b;
	size_t len = pe_fixture_simple(img, sizeof(img)), la, lb;

	a = sign(img, len, &rsa2048, &rsa2048, WHEN, &la);
	b = sign(img, len, &rsa2048, &rsa2048, WHEN + 1, &lb);
	assert_int_equal(la, lb);
	assert_memory_not_equal(a, b, la);
	free(a);
	free(b);
}

static void test_tampering(void **state)
{
	uint8_t img[IMAGE_CAP], *a;
	size_t len = pe_fixture_simple(img, sizeof(img)), la;
	struct authenticode_info info;
	struct pe_image pe;

	a = sign(img, len, &rsa2048, &rsa2048, WHEN, &la);
	assert_int_equal(pe_parse(a, la, &pe), 0);
	a[0x900] ^= 1;	/* a byte of .data */
	assert_int_equal(authenticode_inspect(a, &pe, &info), 0);
	assert_false(info.digest_matches);
	assert_true(info.signature_valid);
	a[0x900] ^= 1;
	a[la - 20] ^= 1;	/* inside the RSA signature value */
	assert_int_equal(authenticode_inspect(a, &pe, &info), 0);
	assert_true(info.digest_matches);
	assert_false(info.signature_valid);
	free(a);
}

static void test_unaligned_image(void **state)
{
	uint8_t img[IMAGE_CAP], *a;
	size_t len = pe_fixture_simple(img, sizeof(img)) + 3, la;
	struct authenticode_info info;
	struct pe_image pe;

	img[len - 1] = 0xee;	/* trailing data, also signed */
	a = sign(img, len, &rsa2048, &rsa2048, WHEN, &la);
	assert_int_equal(pe_parse(a, la, &pe), 0);
	assert_int_equal(pe.cert_offset, len + 5);
	assert_int_equal(authenticode_inspect(a, &pe, &info), 0);
	assert_true(info.digest_matches);
	a[len - 1] = 0;
	assert_int_equal(authenticode_inspect(a, &pe, &info), 0);
	assert_false(info.digest_matches);
	free(a);
}

static void expect_refusal(const uint8_t *img, size_t len,
			   const char *key, size_t key_len, const char *cert,
			   size_t cert_len, int want)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	struct error err;

	error_clear(&err);
	assert_int_equal(authenticode_sign(img, len, key, key_len, cert,
					   cert_len, WHEN, &out, &out_len,
					   &err), want);
	assert_null(out);
	assert_int_equal(err.code, want);
	assert_true(strlen(err.why) > 10);
}

static void test_refusals(void **state)
{
	uint8_t img[IMAGE_CAP], *a;
	size_t len = pe_fixture_simple(img, sizeof(img)), la;
	char *encrypted;
	size_t encrypted_len;
	EVP_PKEY *key;
	BIO *bio;

	expect_refusal(img, len, rsa2048.key, rsa2048.key_len,
		       other2048.cert, other2048.cert_len, -EINVAL);
	expect_refusal(img, len, rsa1024.key, rsa1024.key_len, rsa1024.cert,
		       rsa1024.cert_len, -EINVAL);
	expect_refusal(img, len, ec256.key, ec256.key_len, ec256.cert,
		       ec256.cert_len, -EINVAL);
	expect_refusal(img, len, "junk", 4, rsa2048.cert, rsa2048.cert_len,
		       -OCIBOOT_EMALFORMED);
	expect_refusal(img, len, rsa2048.key, rsa2048.key_len, rsa2048.key,
		       rsa2048.key_len, -OCIBOOT_EMALFORMED);
	expect_refusal(img, 0x300, rsa2048.key, rsa2048.key_len,
		       rsa2048.cert, rsa2048.cert_len, -OCIBOOT_EMALFORMED);

	/* An encrypted key is refused, not prompted for. */
	bio = BIO_new_mem_buf(rsa2048.key, (int)rsa2048.key_len);
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, key, EVP_aes_256_cbc(), NULL, 0, NULL,
				 (void *)"secret");
	EVP_PKEY_free(key);
	encrypted = bio_text(bio, &encrypted_len);
	expect_refusal(img, len, encrypted, encrypted_len, rsa2048.cert,
		       rsa2048.cert_len, -OCIBOOT_EMALFORMED);
	free(encrypted);

	/* Signing twice is refused. */
	a = sign(img, len, &rsa2048, &rsa2048, WHEN, &la);
	expect_refusal(a, la, rsa2048.key, rsa2048.key_len, rsa2048.cert,
		       rsa2048.cert_len, -EEXIST);
	free(a);

	/* No certificate directory entry. */
	le32_store(img + PE_FIXTURE_OPT + PE_OPT_DATA_DIR_COUNT, 4);
	expect_refusal(img, len, rsa2048.key, rsa2048.key_len, rsa2048.cert,
		       rsa2048.cert_len, -EINVAL);
}

static void test_inspect_unsigned_and_garbage(void **state)
{
	static const uint8_t table[16] = { 16, 0, 0, 0, 0, 2, 2, 0,
					   0x30, 0x03, 0x02, 0x01, 0x01 };
	uint8_t img[IMAGE_CAP];
	size_t len = pe_fixture_simple(img, sizeof(img));
	struct authenticode_info info;
	struct pe_image pe;
	uint32_t dir = PE_FIXTURE_OPT + PE_OPT_DATA_DIRS +
		       8 * PE_DIR_CERTIFICATE;

	assert_int_equal(pe_parse(img, len, &pe), 0);
	assert_int_equal(authenticode_inspect(img, &pe, &info), -ENOENT);
	memcpy(img + len, table, sizeof(table));
	le32_store(img + dir, (uint32_t)len);
	le32_store(img + dir + 4, sizeof(table));
	assert_int_equal(pe_parse(img, len + 16, &pe), 0);
	assert_int_equal(authenticode_inspect(img, &pe, &info),
			 -OCIBOOT_EMALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_and_inspect),
		cmocka_unit_test(test_time_changes_bytes),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_unaligned_image),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_inspect_unsigned_and_garbage),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
