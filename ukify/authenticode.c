/* SPDX-License-Identifier: MIT */
/* Authenticode signing and reading; see authenticode.h. */
#include <stdlib.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "lib/endian.h"
#include "lib/error.h"
#include "lib/util.h"
#include "ukify/authenticode.h"

#define OID_SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define OID_SPC_SP_OPUS_INFO "1.3.6.1.4.1.311.2.1.12"

/*
 * SpcIndirectDataContent ::= SEQUENCE {
 *   data SEQUENCE { type OID spcPEImageData (1.3.6.1.4.1.311.2.1.15),
 *                   value SpcPeImageData ::= SEQUENCE {
 *                     flags BIT STRING (empty),
 *                     file [0] EXPLICIT SpcLink: [2] EXPLICIT SpcString:
 *                       unicode [0] IMPLICIT BMPString "<<<Obsolete>>>" } },
 *   messageDigest DigestInfo ::= SEQUENCE {
 *     SEQUENCE { OID sha256, NULL }, OCTET STRING (32) } }
 * in DER, up to the digest's 32 bytes, which follow.
 */
static const uint8_t indirect_data_prefix[] = {
	0x30, 0x68,
	0x30, 0x33,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x01, 0x0f,
	0x30, 0x25,
	0x03, 0x01, 0x00,
	0xa0, 0x20,
	0xa2, 0x1e,
	0x80, 0x1c,
	0x00, '<', 0x00, '<', 0x00, '<', 0x00, 'O', 0x00, 'b', 0x00, 's',
	0x00, 'o', 0x00, 'l', 0x00, 'e', 0x00, 't', 0x00, 'e', 0x00, '>',
	0x00, '>', 0x00, '>',
	0x30, 0x31,
	0x30, 0x0d,
	0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00,
	0x04, 0x20,
};

#define INDIRECT_DATA_LEN (sizeof(indirect_data_prefix) + SHA256_LEN)
#define INDIRECT_DATA_HEADER 2		/* SEQUENCE tag and short length */
_Static_assert(INDIRECT_DATA_LEN == INDIRECT_DATA_HEADER + 0x68,
	       "SpcIndirectDataContent length");

static const uint8_t empty_sequence[] = { 0x30, 0x00 };

static void hash_range(struct sha256 *h, const uint8_t *buf, size_t from,
		       size_t to)
{
	if (to > from)
		sha256_update(h, buf + from, to - from);
}

/* Section indices with raw data, in file order. */
static size_t sections_by_offset(const struct pe_image *pe,
				 size_t idx[PE_SECTIONS_MAX])
{
	size_t n = 0;

	for (size_t i = 0; i < pe->section_count; i++) {
		size_t j = n;

		if (pe->sections[i].raw_size == 0)
			continue;
		while (j > 0 && pe->sections[idx[j - 1]].raw_offset >
		       pe->sections[i].raw_offset) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
		n++;
	}
	return n;
}

int authenticode_digest(const uint8_t *buf, const struct pe_image *pe,
			uint8_t digest[SHA256_LEN])
{
	size_t sum = pe_checksum_offset(pe), hashed = pe->size_of_headers;
	size_t dir = pe->data_dir_count > PE_DIR_CERTIFICATE ?
		     pe_data_dir_offset(pe, PE_DIR_CERTIFICATE) : hashed;
	size_t idx[PE_SECTIONS_MAX], n, end;
	struct sha256 h;

	sha256_init(&h);
	hash_range(&h, buf, 0, sum);
	hash_range(&h, buf, sum + 4, dir);
	hash_range(&h, buf, dir + 8, pe->size_of_headers);
	n = sections_by_offset(pe, idx);
	for (size_t i = 0; i < n; i++) {
		const struct pe_section *s = &pe->sections[idx[i]];

		sha256_update(&h, buf + s->raw_offset, s->raw_size);
		hashed += s->raw_size;
	}
	end = pe->file_size - pe->cert_size;
	hash_range(&h, buf, hashed, end);
	sha256_final(&h, digest);
	return 0;
}

static int no_password(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

/* The NID of an object OpenSSL does not know, created once. */
static int object_nid(const char *oid, const char *name)
{
	int nid = OBJ_txt2nid(oid);

	return nid != NID_undef ? nid : OBJ_create(oid, name, name);
}

static EVP_PKEY *load_key(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = NULL;

	if (bio)
		key = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	BIO_free(bio);
	return key;
}

static X509 *load_cert(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *cert = NULL;

	if (bio)
		cert = PEM_read_bio_X509(bio, NULL, no_password, NULL);
	BIO_free(bio);
	return cert;
}

/* Signed attributes other than messageDigest, which dataFinal adds. */
static bool add_attributes(PKCS7_SIGNER_INFO *si, int opus_nid,
			   time_t signing_time)
{
	ASN1_OBJECT *type = OBJ_txt2obj(OID_SPC_INDIRECT_DATA, 1);
	ASN1_STRING *opus = ASN1_STRING_new();
	ASN1_TIME *when = ASN1_TIME_set(NULL, signing_time);
	bool ok = type && opus && when &&
		  ASN1_STRING_set(opus, empty_sequence,
				  sizeof(empty_sequence));

	if (ok && PKCS7_add_signed_attribute(si, NID_pkcs9_contentType,
					     V_ASN1_OBJECT, type))
		type = NULL;
	else
		ok = false;
	if (ok && PKCS7_add_signed_attribute(si, opus_nid, V_ASN1_SEQUENCE,
					     opus))
		opus = NULL;
	else
		ok = false;
	/* Present, so OpenSSL does not add the current time instead. */
	if (ok && PKCS7_add0_attrib_signing_time(si, when))
		when = NULL;
	else
		ok = false;
	ASN1_OBJECT_free(type);
	ASN1_STRING_free(opus);
	ASN1_TIME_free(when);
	return ok;
}

/* Sign the content, then make it the SpcIndirectDataContent itself. */
static bool sign_content(PKCS7 *p7, int idc_nid,
			 const uint8_t idc[INDIRECT_DATA_LEN])
{
	BIO *bio = PKCS7_dataInit(p7, NULL);
	ASN1_STRING *seq = ASN1_STRING_new();
	ASN1_TYPE *value = ASN1_TYPE_new();
	PKCS7 *inner = PKCS7_new();
	bool ok = bio && seq && value && inner;

	/* The digest covers the DER contents, not the outer header. */
	ok = ok && BIO_write(bio, idc + INDIRECT_DATA_HEADER,
			     INDIRECT_DATA_LEN - INDIRECT_DATA_HEADER) ==
		   (int)(INDIRECT_DATA_LEN - INDIRECT_DATA_HEADER);
	ok = ok && PKCS7_dataFinal(p7, bio);
	ok = ok && ASN1_STRING_set(seq, idc, INDIRECT_DATA_LEN);
	if (ok) {
		ASN1_TYPE_set(value, V_ASN1_SEQUENCE, seq);
		seq = NULL;
		ok = PKCS7_set0_type_other(inner, idc_nid, value);
	}
	if (ok)
		value = NULL;
	ok = ok && PKCS7_set_content(p7, inner);
	if (ok)
		inner = NULL;
	BIO_free_all(bio);
	ASN1_STRING_free(seq);
	ASN1_TYPE_free(value);
	PKCS7_free(inner);
	return ok;
}

static int make_signature(const uint8_t digest[SHA256_LEN], EVP_PKEY *key,
			  X509 *cert, time_t signing_time, uint8_t **der,
			  int *der_len)
{
	int idc_nid = object_nid(OID_SPC_INDIRECT_DATA,
				 "SpcIndirectDataContent");
	int opus_nid = object_nid(OID_SPC_SP_OPUS_INFO, "SpcSpOpusInfo");
	uint8_t idc[INDIRECT_DATA_LEN];
	PKCS7_SIGNER_INFO *si;
	PKCS7 *p7 = PKCS7_new();
	bool ok;

	memcpy(idc, indirect_data_prefix, sizeof(indirect_data_prefix));
	memcpy(idc + sizeof(indirect_data_prefix), digest, SHA256_LEN);
	ok = p7 && idc_nid != NID_undef && opus_nid != NID_undef &&
	     PKCS7_set_type(p7, NID_pkcs7_signed) &&
	     PKCS7_content_new(p7, NID_pkcs7_data);
	si = ok ? PKCS7_add_signature(p7, cert, key, EVP_sha256()) : NULL;
	ok = si && PKCS7_add_certificate(p7, cert) &&
	     add_attributes(si, opus_nid, signing_time) &&
	     sign_content(p7, idc_nid, idc);
	*der = NULL;
	if (ok)
		*der_len = i2d_PKCS7(p7, der);
	PKCS7_free(p7);
	ERR_clear_error();
	return ok && *der_len > 0 ? 0 : -EIO;
}

static int check_key(EVP_PKEY *key, X509 *cert, struct error *err)
{
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return error_set(err, -EINVAL, NULL, "the signing key is not "
				 "RSA (UEFI verifies RSA)");
	if (EVP_PKEY_get_bits(key) < AUTHENTICODE_RSA_BITS_MIN)
		return error_set(err, -EINVAL, NULL, "the signing key is "
				 "shorter than %d bits",
				 AUTHENTICODE_RSA_BITS_MIN);
	if (X509_check_private_key(cert, key) != 1)
		return error_set(err, -EINVAL, NULL, "the signing key does "
				 "not match the certificate");
	return 0;
}

/* img padded to 8 bytes, signature appended; checksum recomputed. */
static int assemble(const uint8_t *img, size_t len, const uint8_t *der,
		    size_t der_len, uint8_t **out, size_t *out_len)
{
	size_t padded = (len + 7) & ~(size_t)7;
	size_t entry = PE_WIN_CERT_HEADER_LEN + der_len;
	size_t table = (entry + 7) & ~(size_t)7, total;
	struct pe_image pe;
	uint8_t *buf;

	if (!size_add(padded, table, &total) || total > PE_FILE_MAX)
		return -OCIBOOT_ETOOBIG;
	buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, img, len);
	le32_store(buf + padded, (uint32_t)entry);
	le16_store(buf + padded + 4, PE_WIN_CERT_REVISION_2);
	le16_store(buf + padded + 6, PE_WIN_CERT_TYPE_PKCS_SIGNED_DATA);
	memcpy(buf + padded + PE_WIN_CERT_HEADER_LEN, der, der_len);
	if (pe_parse(buf, total, &pe) < 0) {
		free(buf);
		return -OCIBOOT_EMALFORMED;
	}
	le32_store(buf + pe_data_dir_offset(&pe, PE_DIR_CERTIFICATE),
		 (uint32_t)padded);
	le32_store(buf + pe_data_dir_offset(&pe, PE_DIR_CERTIFICATE) + 4,
		 (uint32_t)table);
	le32_store(buf + pe_checksum_offset(&pe),
		 pe_checksum(buf, total, pe_checksum_offset(&pe)));
	*out = buf;
	*out_len = total;
	return 0;
}

/* The digest of img as it will be once padded to 8 bytes. */
static int padded_digest(const uint8_t *img, size_t len,
			 uint8_t digest[SHA256_LEN])
{
	size_t padded = (len + 7) & ~(size_t)7;
	uint8_t *buf = calloc(1, padded ? padded : 1);
	struct pe_image pe;
	int r;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, img, len);
	r = pe_parse(buf, padded, &pe);
	if (r == 0)
		r = authenticode_digest(buf, &pe, digest);
	free(buf);
	return r;
}

static int sign_with(const uint8_t *img, size_t len, EVP_PKEY *key,
		     X509 *cert, time_t signing_time, uint8_t **out,
		     size_t *out_len, struct error *err)
{
	uint8_t digest[SHA256_LEN], *der;
	int der_len = 0, r;

	r = check_key(key, cert, err);
	if (r < 0)
		return r;
	r = padded_digest(img, len, digest);
	if (r == 0)
		r = make_signature(digest, key, cert, signing_time, &der,
				   &der_len);
	if (r < 0)
		return error_set(err, r, NULL, "OpenSSL could not make the "
				 "PKCS#7 signature");
	r = assemble(img, len, der, (size_t)der_len, out, out_len);
	OPENSSL_free(der);
	if (r < 0)
		return error_set(err, r, NULL, "the signed image would not be "
				 "a valid PE image");
	return 0;
}

int authenticode_sign(const uint8_t *img, size_t len, const char *key_pem,
		      size_t key_len, const char *cert_pem, size_t cert_len,
		      time_t signing_time, uint8_t **out, size_t *out_len,
		      struct error *err)
{
	struct pe_image pe;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int r;

	if (pe_parse(img, len, &pe) < 0)
		return error_set(err, -OCIBOOT_EMALFORMED, NULL, "the image "
				 "to sign is not a valid PE32+ image");
	if (pe.cert_size)
		return error_set(err, -EEXIST, NULL, "the image is already "
				 "signed");
	if (pe.data_dir_count <= PE_DIR_CERTIFICATE)
		return error_set(err, -EINVAL, NULL, "the image has no "
				 "certificate directory entry");
	if (key_len > AUTHENTICODE_PEM_MAX || cert_len > AUTHENTICODE_PEM_MAX)
		r = error_set(err, -OCIBOOT_EMALFORMED, NULL, "the key or "
			      "certificate file is too large");
	else if (!(key = load_key(key_pem, key_len)))
		r = error_set(err, -OCIBOOT_EMALFORMED, NULL, "the key is not "
			      "an unencrypted PEM private key");
	else if (!(cert = load_cert(cert_pem, cert_len)))
		r = error_set(err, -OCIBOOT_EMALFORMED, NULL, "the "
			      "certificate is not a PEM X.509 certificate");
	else
		r = sign_with(img, len, key, cert, signing_time, out, out_len,
			      err);
	EVP_PKEY_free(key);
	X509_free(cert);
	ERR_clear_error();
	return r;
}

/* The signed SpcIndirectDataContent (DER) inside p7, or NULL. */
static const uint8_t *indirect_data(PKCS7 *p7, size_t *len)
{
	PKCS7 *c;
	ASN1_TYPE *t;
	char oid[64];

	if (!PKCS7_type_is_signed(p7) || !p7->d.sign ||
	    !(c = p7->d.sign->contents) || !c->type ||
	    OBJ_obj2txt(oid, sizeof(oid), c->type, 1) <= 0 ||
	    !streq(oid, OID_SPC_INDIRECT_DATA))
		return NULL;
	t = c->d.other;
	if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence)
		return NULL;
	*len = (size_t)ASN1_STRING_length(t->value.sequence);
	return ASN1_STRING_get0_data(t->value.sequence);
}

/* The second element of a DER SEQUENCE (elements are copied out). */
static ASN1_TYPE *sequence_item(const uint8_t *der, size_t len, int index,
				ASN1_SEQUENCE_ANY **seq)
{
	const uint8_t *p = der;

	*seq = d2i_ASN1_SEQUENCE_ANY(NULL, &p, (long)len);
	if (!*seq || p != der + len || sk_ASN1_TYPE_num(*seq) != 2)
		return NULL;
	return sk_ASN1_TYPE_value(*seq, index);
}

/* Does the digest signed in idc equal want? */
static bool digest_matches(const uint8_t *idc, size_t len,
			   const uint8_t want[SHA256_LEN])
{
	ASN1_SEQUENCE_ANY *outer = NULL, *info = NULL;
	ASN1_TYPE *di, *alg, *dig;
	X509_ALGOR *algor = NULL;
	const uint8_t *p;
	bool ok = false;

	di = sequence_item(idc, len, 1, &outer);
	if (!di || di->type != V_ASN1_SEQUENCE)
		goto out;
	alg = sequence_item(ASN1_STRING_get0_data(di->value.sequence),
			    (size_t)ASN1_STRING_length(di->value.sequence), 0,
			    &info);
	dig = alg ? sk_ASN1_TYPE_value(info, 1) : NULL;
	if (!alg || alg->type != V_ASN1_SEQUENCE || !dig ||
	    dig->type != V_ASN1_OCTET_STRING ||
	    ASN1_STRING_length(dig->value.octet_string) != SHA256_LEN)
		goto out;
	p = ASN1_STRING_get0_data(alg->value.sequence);
	algor = d2i_X509_ALGOR(NULL, &p,
			       ASN1_STRING_length(alg->value.sequence));
	ok = algor && OBJ_obj2nid(algor->algorithm) == NID_sha256 &&
	     ct_memeq(ASN1_STRING_get0_data(dig->value.octet_string), want,
		      SHA256_LEN);
out:
	X509_ALGOR_free(algor);
	sk_ASN1_TYPE_pop_free(outer, ASN1_TYPE_free);
	sk_ASN1_TYPE_pop_free(info, ASN1_TYPE_free);
	return ok;
}

/* Length of a DER SEQUENCE header at idc (tag + length octets), or 0. */
static size_t der_header_len(const uint8_t *der, size_t len)
{
	if (len < 2 || der[0] != 0x30)
		return 0;
	if (der[1] < 0x80)
		return 2;
	if (der[1] >= 0x81 && der[1] <= 0x84 && len >= 2u + (der[1] & 0x7f))
		return 2u + (der[1] & 0x7f);
	return 0;
}

static bool signature_verifies(PKCS7 *p7, const uint8_t *idc, size_t len)
{
	size_t head = der_header_len(idc, len);
	BIO *content;
	bool ok;

	if (head == 0)
		return false;
	content = BIO_new_mem_buf(idc + head, (int)(len - head));
	ok = content && PKCS7_verify(p7, NULL, NULL, content, NULL,
				     PKCS7_NOVERIFY | PKCS7_BINARY) == 1;
	BIO_free(content);
	return ok;
}

static void signer_details(PKCS7 *p7, struct authenticode_info *info)
{
	STACK_OF(X509) *signers = PKCS7_get0_signers(p7, NULL, 0);
	STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_value(sis, 0);
	ASN1_TYPE *t = si ? PKCS7_get_signed_attribute(si,
			NID_pkcs9_signingTime) : NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	struct tm tm;
	char *text;
	long n;

	if (signers && sk_X509_num(signers) > 0 && bio &&
	    X509_NAME_print_ex(bio, X509_get_subject_name(
			sk_X509_value(signers, 0)), 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(bio, &text);
		snprintf(info->subject, sizeof(info->subject), "%.*s",
			 (int)n, text);
	}
	if (t && (t->type == V_ASN1_UTCTIME ||
		  t->type == V_ASN1_GENERALIZEDTIME) &&
	    ASN1_TIME_to_tm(t->value.utctime, &tm))
		strftime(info->signing_time, sizeof(info->signing_time),
			 "%Y-%m-%d %H:%M:%S", &tm);
	sk_X509_free(signers);
	BIO_free(bio);
}

int authenticode_inspect(const uint8_t *buf, const struct pe_image *pe,
			 struct authenticode_info *info)
{
	uint8_t digest[SHA256_LEN];
	const uint8_t *der, *idc;
	size_t der_len, idc_len;
	PKCS7 *p7;
	int r;

	memset(info, 0, sizeof(*info));
	r = pe_find_signature(buf, pe, &der, &der_len);
	if (r < 0)
		return r;
	p7 = d2i_PKCS7(NULL, &der, (long)der_len);
	idc = p7 ? indirect_data(p7, &idc_len) : NULL;
	if (!idc) {
		PKCS7_free(p7);
		ERR_clear_error();
		return -OCIBOOT_EMALFORMED;
	}
	authenticode_digest(buf, pe, digest);
	info->digest_matches = digest_matches(idc, idc_len, digest);
	info->signature_valid = signature_verifies(p7, idc, idc_len);
	signer_details(p7, info);
	PKCS7_free(p7);
	ERR_clear_error();
	return 0;
}
