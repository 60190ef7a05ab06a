/* SPDX-License-Identifier: MIT */
/*
 * Tests of crypto/dn.c (and the DER reader under it): product ID
 * extraction from table-built names, malformed names, truncation at every
 * offset, caps, and the one-line rendering checked against OpenSSL's
 * X509_NAME_print_ex() (the reference `openssl x509 -nameopt` uses) on
 * table and random names; OID formatting against OBJ_obj2txt().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/der.h"
#include "crypto/dn.h"
#include "lib/hex.h"
#include "lib/util.h"

#define UUID "123e4567-e89b-12d3-a456-426614174000"
#define UUID_UPPER "123E4567-E89B-12D3-A456-426614174000"
#define OID_CN "2.5.4.3"
#define OID_SERIAL "2.5.4.5"
#define OID_O "2.5.4.10"
#define OID_C "2.5.4.6"

/* --- a DER writer of our own, independent of crypto/der.c ---------------- */

struct buf {
	uint8_t d[8192];
	size_t n;
};

static void put_len(struct buf *b, size_t len)
{
	if (len < 0x80) {
		b->d[b->n++] = (uint8_t)len;
	} else if (len < 0x100) {
		b->d[b->n++] = 0x81;
		b->d[b->n++] = (uint8_t)len;
	} else {
		b->d[b->n++] = 0x82;
		b->d[b->n++] = (uint8_t)(len >> 8);
		b->d[b->n++] = (uint8_t)len;
	}
}

static void put_tlv(struct buf *b, uint8_t tag, const void *v, size_t len)
{
	assert_true(b->n + len + 4 <= sizeof(b->d));
	b->d[b->n++] = tag;
	put_len(b, len);
	memcpy(b->d + b->n, v, len);
	b->n += len;
}

static void put_base128(struct buf *b, unsigned long long v)
{
	uint8_t tmp[10];
	int n = 0;

	do {
		tmp[n++] = (uint8_t)(v & 0x7f);
		v >>= 7;
	} while (v);
	while (n--)
		b->d[b->n++] = (uint8_t)(tmp[n] | (n ? 0x80 : 0));
}

/* The contents of an OID given in dotted form. */
static void oid_contents(const char *dotted, struct buf *out)
{
	unsigned long long arcs[32];
	size_t n = 0;
	char *end;

	out->n = 0;
	for (const char *p = dotted; *p; p = *end ? end + 1 : end) {
		arcs[n++] = strtoull(p, &end, 10);
		assert_true(n < ARRAY_SIZE(arcs));
	}
	assert_true(n >= 2);
	put_base128(out, arcs[0] * 40 + arcs[1]);
	for (size_t i = 2; i < n; i++)
		put_base128(out, arcs[i]);
}

struct atv {
	const char *oid;	/* NULL ends a list */
	uint8_t tag;
	const char *value;
	size_t len;		/* 0: strlen(value) */
	bool plus;		/* in the same RDN as the one before */
};

#define ATV(oid, tag, value) { oid, tag, value, 0, false }
#define ATV_LEN(oid, tag, value, len) { oid, tag, value, len, false }
#define ATV_PLUS(oid, tag, value) { oid, tag, value, 0, true }
#define ATV_END { NULL, 0, NULL, 0, false }

/* Encode a Name from a NULL-terminated list of attributes. */
static void build_dn(const struct atv *atvs, struct buf *out)
{
	struct buf rdns = { .n = 0 }, set = { .n = 0 }, seq, oid;

	for (size_t i = 0; atvs[i].oid; i++) {
		size_t len = atvs[i].len ? atvs[i].len : strlen(atvs[i].value);

		if (i > 0 && !atvs[i].plus) {
			put_tlv(&rdns, DER_SET, set.d, set.n);
			set.n = 0;
		}
		seq.n = 0;
		oid_contents(atvs[i].oid, &oid);
		put_tlv(&seq, DER_OID, oid.d, oid.n);
		put_tlv(&seq, atvs[i].tag, atvs[i].value, len);
		put_tlv(&set, DER_SEQUENCE, seq.d, seq.n);
	}
	if (set.n)
		put_tlv(&rdns, DER_SET, set.d, set.n);
	out->n = 0;
	put_tlv(out, DER_SEQUENCE, rdns.d, rdns.n);
}

/* A copy of exactly len bytes, so ASan sees any read past the end. */
static uint8_t *exact_copy(const void *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

/* --- product ID ---------------------------------------------------------- */

struct uuid_case {
	const char *name;
	struct atv atvs[6];
	int ret;
	enum verify_reason reason;
	const char *uuid;
};

#define PS DER_PRINTABLE_STRING
#define U8 DER_UTF8_STRING

static const struct uuid_case uuid_cases[] = {
	{ "CN and serialNumber",
	  { ATV(OID_CN, U8, "product"), ATV(OID_SERIAL, PS, UUID) },
	  0, VERIFY_OK, UUID },
	{ "serialNumber only", { ATV(OID_SERIAL, PS, UUID) }, 0, VERIFY_OK,
	  UUID },
	{ "upper case is lowered", { ATV(OID_SERIAL, PS, UUID_UPPER) }, 0,
	  VERIFY_OK, UUID },
	{ "UTF8String", { ATV(OID_SERIAL, U8, UUID) }, 0, VERIFY_OK, UUID },
	{ "in a multi-valued RDN",
	  { ATV(OID_CN, U8, "p"), ATV_PLUS(OID_SERIAL, PS, UUID),
	    ATV(OID_O, U8, "org") },
	  0, VERIFY_OK, UUID },
	{ "nil UUID",
	  { ATV(OID_SERIAL, PS, "00000000-0000-0000-0000-000000000000") },
	  0, VERIFY_OK, "00000000-0000-0000-0000-000000000000" },
	{ "no serialNumber", { ATV(OID_CN, U8, "product") }, -OCIBOOT_EVERIFY,
	  VERIFY_NO_SERIAL_NUMBER, NULL },
	/* CN "manifest PRODUCT:<uuid>", as project-machine's trust makes */
	{ "CN product", { ATV(OID_CN, PS, "manifest PRODUCT:" UUID) }, 0,
	  VERIFY_OK, UUID },
	{ "CN product, UTF8String, upper case",
	  { ATV(OID_CN, U8, "manifest PRODUCT:" UUID_UPPER) }, 0, VERIFY_OK,
	  UUID },
	{ "CN product and the same serialNumber",
	  { ATV(OID_CN, PS, "manifest PRODUCT:" UUID_UPPER),
	    ATV(OID_SERIAL, PS, UUID) }, 0, VERIFY_OK, UUID },
	{ "CN product and another serialNumber",
	  { ATV(OID_CN, PS, "manifest PRODUCT:" UUID),
	    ATV(OID_SERIAL, PS, "00000000-0000-0000-0000-000000000001") },
	  -OCIBOOT_EVERIFY, VERIFY_PRODUCTS_DIFFER, NULL },
	{ "CN product, not a UUID",
	  { ATV(OID_CN, PS, "manifest PRODUCT:" UUID "0") },
	  -OCIBOOT_EVERIFY, VERIFY_CN_PRODUCT_NOT_UUID, NULL },
	{ "CN product, nothing after",
	  { ATV(OID_CN, PS, "manifest PRODUCT:") },
	  -OCIBOOT_EVERIFY, VERIFY_CN_PRODUCT_NOT_UUID, NULL },
	{ "CN product, bad serialNumber beside",
	  { ATV(OID_CN, PS, "manifest PRODUCT:" UUID),
	    ATV(OID_SERIAL, PS, "12345") },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "two CN products",
	  { ATV(OID_CN, PS, "manifest PRODUCT:" UUID),
	    ATV_PLUS(OID_CN, PS, "manifest PRODUCT:" UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_TWO_CN_PRODUCTS, NULL },
	{ "CN prefix in another case",
	  { ATV(OID_CN, PS, "Manifest Product:" UUID) }, -OCIBOOT_EVERIFY,
	  VERIFY_NO_SERIAL_NUMBER, NULL },
	{ "CN prefix in an O", { ATV(OID_O, PS, "manifest PRODUCT:" UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_NO_SERIAL_NUMBER, NULL },
	{ "CN prefix as an IA5String",
	  { ATV(OID_CN, DER_IA5_STRING, "manifest PRODUCT:" UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_NO_SERIAL_NUMBER, NULL },
	{ "empty name", { ATV_END }, -OCIBOOT_EVERIFY,
	  VERIFY_NO_SERIAL_NUMBER, NULL },
	{ "two serialNumbers in two RDNs",
	  { ATV(OID_SERIAL, PS, UUID), ATV(OID_SERIAL, PS, UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_TWO_SERIAL_NUMBERS, NULL },
	{ "two different serialNumbers",
	  { ATV(OID_SERIAL, PS, UUID),
	    ATV(OID_SERIAL, PS, "00000000-0000-0000-0000-000000000001") },
	  -OCIBOOT_EVERIFY, VERIFY_TWO_SERIAL_NUMBERS, NULL },
	{ "two serialNumbers in one RDN",
	  { ATV(OID_SERIAL, PS, UUID), ATV_PLUS(OID_SERIAL, PS, "x") },
	  -OCIBOOT_EVERIFY, VERIFY_TWO_SERIAL_NUMBERS, NULL },
	{ "second one not a UUID",
	  { ATV(OID_SERIAL, PS, UUID), ATV(OID_CN, U8, "x"),
	    ATV(OID_SERIAL, PS, "12345") },
	  -OCIBOOT_EVERIFY, VERIFY_TWO_SERIAL_NUMBERS, NULL },
	{ "number", { ATV(OID_SERIAL, PS, "12345") }, -OCIBOOT_EVERIFY,
	  VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "braces", { ATV(OID_SERIAL, PS, "{" UUID "}") }, -OCIBOOT_EVERIFY,
	  VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "urn", { ATV(OID_SERIAL, PS, "urn:uuid:" UUID) }, -OCIBOOT_EVERIFY,
	  VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "no hyphens",
	  { ATV(OID_SERIAL, PS, "123e4567e89b12d3a456426614174000") },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "hyphen moved",
	  { ATV(OID_SERIAL, PS, "123e456-7e89b-12d3-a456-426614174000") },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "not hex",
	  { ATV(OID_SERIAL, PS, "123e4567-e89b-12d3-a456-42661417400g") },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "trailing space", { ATV(OID_SERIAL, PS, UUID " ") },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "leading space", { ATV(OID_SERIAL, PS, " " UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "one short",
	  { ATV(OID_SERIAL, PS, "123e4567-e89b-12d3-a456-42661417400") },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "NUL inside",
	  { ATV_LEN(OID_SERIAL, PS, "123e4567-e89b-12d3-a456-42661417400\0",
		    36) },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "empty", { ATV_LEN(OID_SERIAL, PS, "", 0) }, -OCIBOOT_EVERIFY,
	  VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "IA5String", { ATV(OID_SERIAL, DER_IA5_STRING, UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "BMPString", { ATV(OID_SERIAL, DER_BMP_STRING, UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "OCTET STRING", { ATV(OID_SERIAL, DER_OCTET_STRING, UUID) },
	  -OCIBOOT_EVERIFY, VERIFY_SERIAL_NUMBER_NOT_UUID, NULL },
	{ "similar OID 2.5.4.50",
	  { ATV("2.5.4.50", PS, UUID) }, -OCIBOOT_EVERIFY,
	  VERIFY_NO_SERIAL_NUMBER, NULL },
	{ "similar OID 2.5.4.5.1",
	  { ATV("2.5.4.5.1", PS, UUID) }, -OCIBOOT_EVERIFY,
	  VERIFY_NO_SERIAL_NUMBER, NULL },
};

static void test_product_uuid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(uuid_cases); i++) {
		const struct uuid_case *c = &uuid_cases[i];
		struct error err;
		char uuid[DN_UUID_LEN + 1] = "untouched";
		struct buf dn;
		uint8_t *copy;
		int r;

		build_dn(c->atvs, &dn);
		copy = exact_copy(dn.d, dn.n);
		error_clear(&err);
		r = dn_product_uuid(copy, dn.n, uuid, &err);
		free(copy);
		if (r != c->ret || err.reason != (int)c->reason)
			fail_msg("%s: got %d/%s", c->name, r,
				 verify_reason_string(err.reason));
		/* The message says the reason. */
		if (r < 0)
			assert_string_equal(err.why,
					    verify_reason_string(c->reason));
		if (c->uuid)
			assert_string_equal(uuid, c->uuid);
		else
			assert_string_equal(uuid, "untouched");
		/* NULL errors are allowed. */
		assert_int_equal(dn_product_uuid(dn.d, dn.n, uuid, NULL),
				 c->ret);
	}
}

/* --- malformed names ----------------------------------------------------- */

struct raw_case {
	const char *name;
	const char *hex;
	int ret;
};

static const struct raw_case malformed[] = {
	{ "empty input", "", -OCIBOOT_EMALFORMED },
	{ "SET outside", "3100", -OCIBOOT_EMALFORMED },
	{ "trailing byte", "300000", -OCIBOOT_EMALFORMED },
	{ "empty RDN", "30023100", -OCIBOOT_EMALFORMED },
	{ "RDN not a SET", "30023000", -OCIBOOT_EMALFORMED },
	{ "ATV not a SEQUENCE", "3004310231 00", -OCIBOOT_EMALFORMED },
	{ "ATV without value", "3009 3107 3005 0603550403",
	  -OCIBOOT_EMALFORMED },
	{ "ATV with three elements",
	  "300f 310d 300b 0603550403 0c0161 0c0162", -OCIBOOT_EMALFORMED },
	{ "type not an OID", "300c 310a 3008 0403550403 0c0161",
	  -OCIBOOT_EMALFORMED },
	{ "empty OID", "3009 3107 3005 0600 0c0161", -OCIBOOT_EMALFORMED },
	{ "OID arc led by 0x80", "300c 310a 3008 0603558001 0c0161",
	  -OCIBOOT_EMALFORMED },
	{ "OID ends mid-arc", "300a 3108 3006 060181 0c0161",
	  -OCIBOOT_EMALFORMED },
	{ "indefinite length", "3080310830060603550403 0000",
	  -OCIBOOT_EMALFORMED },
	{ "non-minimal long length", "3081 0b 3109300706035504030c00",
	  -OCIBOOT_EMALFORMED },
	{ "length with leading zero", "308200 0b 3109300706035504030c00",
	  -OCIBOOT_EMALFORMED },
	{ "length past the end", "300c3109300706035504030c00",
	  -OCIBOOT_EMALFORMED },
	{ "inner length past its SET", "300b 3109 3008 0603550403 0c00",
	  -OCIBOOT_EMALFORMED },
	{ "value length past the end", "300b3109300706035504030c05",
	  -OCIBOOT_EMALFORMED },
	{ "high tag number", "300b 3109 3007 0603550403 1f00",
	  -OCIBOOT_EMALFORMED },
	{ "five length bytes", "3085000000000b",
	  -OCIBOOT_EMALFORMED },
};

/* Test vectors: lowercase hex, spaces between fields ignored. */
static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		int v;

		if (*p == ' ')
			continue;
		v = hex_digit_value(*p);
		assert_true(v >= 0);
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < max);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

static void test_malformed(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(malformed); i++) {
		uint8_t raw[64], *copy;
		char uuid[DN_UUID_LEN + 1] = "untouched", text[64] = "x";
		struct error err;
		size_t n = unhex(malformed[i].hex, raw, sizeof(raw));
		int r;

		copy = exact_copy(raw, n);
		error_clear(&err);
		r = dn_check(copy, n, &err);
		if (r != malformed[i].ret)
			fail_msg("%s: dn_check %d", malformed[i].name, r);
		assert_int_equal(err.reason, VERIFY_NAME_MALFORMED);
		assert_int_equal(dn_product_uuid(copy, n, uuid, &err),
				 malformed[i].ret);
		assert_string_equal(uuid, "untouched");
		assert_int_equal(dn_format(copy, n, text, sizeof(text)),
				 malformed[i].ret);
		assert_string_equal(text, "");
		free(copy);
	}
}

/* Every proper prefix of a valid name is refused, read within bounds. */
static void check_prefixes(const uint8_t *dn, size_t len)
{
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = exact_copy(dn, cut);
		char uuid[DN_UUID_LEN + 1] = "untouched";
		char text[DN_STRING_MAX];

		assert_true(dn_check(copy, cut, NULL) < 0);
		assert_true(dn_product_uuid(copy, cut, uuid, NULL) < 0);
		assert_string_equal(uuid, "untouched");
		assert_true(dn_format(copy, cut, text, sizeof(text)) < 0);
		free(copy);
	}
	assert_int_equal(dn_check(dn, len, NULL), 0);
}

static void test_truncation(void **state)
{
	size_t checked = 0;

	for (size_t i = 0; i < ARRAY_SIZE(uuid_cases); i++) {
		struct buf dn;

		build_dn(uuid_cases[i].atvs, &dn);
		check_prefixes(dn.d, dn.n);
		checked++;
	}
	assert_int_equal(checked, ARRAY_SIZE(uuid_cases));
}

static void test_limits(void **state)
{
	struct atv atvs[DN_ATTRS_MAX + 2];
	struct buf dn;
	char uuid[DN_UUID_LEN + 1];
	struct error err;
	static char big[DN_MAX];

	/* DN_ATTRS_MAX attributes pass, one more is over the cap, in one
	 * RDN or in several. */
	for (int plus = 0; plus < 2; plus++) {
		for (size_t i = 0; i < DN_ATTRS_MAX; i++)
			atvs[i] = (struct atv){ OID_CN, U8, "x", 0, plus && i };
		atvs[DN_ATTRS_MAX - 1] =
			(struct atv){ OID_SERIAL, PS, UUID, 0, plus };
		atvs[DN_ATTRS_MAX] = (struct atv)ATV_END;
		build_dn(atvs, &dn);
		assert_int_equal(dn_product_uuid(dn.d, dn.n, uuid, &err), 0);
		atvs[DN_ATTRS_MAX] = (struct atv){ OID_CN, U8, "x", 0, plus };
		atvs[DN_ATTRS_MAX + 1] = (struct atv)ATV_END;
		build_dn(atvs, &dn);
		assert_int_equal(dn_check(dn.d, dn.n, &err),
				 -OCIBOOT_ETOOBIG);
		assert_int_equal(err.reason, VERIFY_NAME_TOO_BIG);
		assert_int_equal(dn_product_uuid(dn.d, dn.n, uuid, &err),
				 -OCIBOOT_ETOOBIG);
	}

	/* DN_MAX bytes pass, one more does not. The name is
	 * SEQ(4) SET(4) SEQ(4) OID(5) UTF8(4 + n). */
	memset(big, 'a', sizeof(big));
	atvs[0] = (struct atv)ATV_LEN(OID_CN, U8, big, DN_MAX - 21);
	atvs[1] = (struct atv)ATV_END;
	build_dn(atvs, &dn);
	assert_int_equal(dn.n, DN_MAX);
	assert_int_equal(dn_check(dn.d, dn.n, NULL), 0);
	atvs[0].len++;
	build_dn(atvs, &dn);
	assert_int_equal(dn.n, DN_MAX + 1);
	assert_int_equal(dn_check(dn.d, dn.n, NULL), -OCIBOOT_ETOOBIG);
}

static void test_uuid_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ UUID, UUID },
		{ UUID_UPPER, UUID },
		{ "aBcDeF01-2345-6789-AbCd-Ef0123456789",
		  "abcdef01-2345-6789-abcd-ef0123456789" },
		{ "{" UUID "}", NULL },
		{ "123e4567e89b12d3a456426614174000", NULL },
		{ "123e4567-e89b-12d3-a456-4266141740000", NULL },
		{ "123e4567-e89b-12d3-a456_426614174000", NULL },
		{ "123e4567-e89b-12d3-a456-42661417400 ", NULL },
		{ "", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[DN_UUID_LEN + 1] = "untouched";
		int r = dn_uuid_normalize(cases[i].in, strlen(cases[i].in),
					  out);

		if (cases[i].out) {
			assert_int_equal(r, 0);
			assert_string_equal(out, cases[i].out);
		} else {
			assert_int_equal(r, -EINVAL);
			assert_string_equal(out, "untouched");
		}
	}
}

/* --- rendering ----------------------------------------------------------- */

/* What `openssl x509 -subject -nameopt esc_2253,esc_ctrl,esc_msb,
 * sep_comma_plus_space,sname,dump_nostr,dump_der` prints. */
static char *openssl_format(const uint8_t *der, size_t len)
{
	const unsigned long flags = ASN1_STRFLGS_ESC_2253 |
		ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_ESC_MSB |
		XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN |
		ASN1_STRFLGS_DUMP_UNKNOWN | ASN1_STRFLGS_DUMP_DER;
	const unsigned char *p = der;
	X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
	BIO *b;
	char *data, *out = NULL;
	long n;

	if (!name)
		return NULL;
	b = BIO_new(BIO_s_mem());
	assert_non_null(b);
	if (X509_NAME_print_ex(b, name, 0, flags) >= 0) {
		n = BIO_get_mem_data(b, &data);
		out = malloc((size_t)n + 1);
		assert_non_null(out);
		if (n > 0)
			memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	X509_NAME_free(name);
	return out;
}

struct format_case {
	struct atv atvs[14];
	const char *want;	/* as OpenSSL 3.0 prints it */
};

static const struct format_case format_cases[] = {
	{ { ATV(OID_CN, U8, "a,b"), ATV_PLUS(OID_SERIAL, PS, UUID),
	    ATV(OID_O, U8, " lead#x\"q<>;\\ "), ATV("2.5.4.11", U8, "#hash"),
	    ATV(OID_C, PS, "DE"),
	    ATV("1.2.840.113549.1.9.1", DER_IA5_STRING, "x@y.z"),
	    ATV("0.9.2342.19200300.100.1.25", DER_IA5_STRING, "com"),
	    ATV("0.9.2342.19200300.100.1.1", U8, "u1"),
	    ATV("2.5.4.9", U8, "main st"), ATV("2.5.4.12", U8, "T"),
	    ATV("2.5.4.42", U8, "g"), ATV("2.5.4.4", U8, "s") },
	  "CN=a\\,b + serialNumber=" UUID ", O=\\ lead#x\\\"q\\<\\>\\;\\\\\\ , "
	  "OU=\\#hash, C=DE, emailAddress=x@y.z, DC=com, UID=u1, "
	  "street=main st, title=T, GN=g, SN=s" },
	{ { ATV(OID_CN, U8, "caf\xc3\xa9\x01x=y"), ATV(OID_O, U8, "a  b ") },
	  "CN=caf\\E9\\01x=y, O=a  b\\ " },
	{ { ATV(OID_CN, U8, "\xe2\x82\xac \xf0\x9f\x98\x80\x7f") },
	  "CN=\\U20AC \\W0001F600\\7F" },
	{ { ATV("1.2.3.4", U8, "foo") }, "1.2.3.4=foo" },
	{ { ATV_LEN(OID_CN, DER_BMP_STRING, "\0A\0B\x20\xac", 6) },
	  "CN=AB\\U20AC" },
	{ { ATV_LEN(OID_CN, DER_UNIVERSAL_STRING, "\0\0\0A\0\x01\xf6\x00", 8) },
	  "CN=A\\W0001F600" },
	{ { ATV_LEN(OID_CN, DER_SEQUENCE, "\x02\x01\x05", 3) },
	  "CN=#3003020105" },
	{ { ATV_LEN(OID_CN, U8, "", 0) }, "CN=" },
	{ { ATV(OID_CN, U8, " ") }, "CN=\\ " },
	/* OpenSSL escapes a leading '#' or space, and a trailing space, but
	 * a one-character value only as a last one. */
	{ { ATV(OID_CN, PS, "#") }, "CN=#" },
	{ { ATV(OID_CN, PS, "#a") }, "CN=\\#a" },
	{ { ATV(OID_CN, PS, "a#") }, "CN=a#" },
	{ { ATV(OID_CN, DER_TELETEX_STRING, "\xe9t\xe9") }, "CN=\\E9t\\E9" },
	{ { ATV_END }, "" },
};

static void test_format_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_cases); i++) {
		char text[DN_STRING_MAX], *ref;
		struct buf dn;
		uint8_t *copy;
		int r;

		build_dn(format_cases[i].atvs, &dn);
		copy = exact_copy(dn.d, dn.n);
		r = dn_format(copy, dn.n, text, sizeof(text));
		free(copy);
		assert_int_equal(r, (int)strlen(format_cases[i].want));
		assert_string_equal(text, format_cases[i].want);
		/* The expectations are OpenSSL's own output. */
		ref = openssl_format(dn.d, dn.n);
		assert_non_null(ref);
		assert_string_equal(ref, format_cases[i].want);
		free(ref);
	}
}

/* Names OpenSSL does not print (invalid UTF-8) or types it does not
 * decode in a name (INTEGER): ours are hex dumps. */
static void test_format_beyond_openssl(void **state)
{
	static const struct format_case cases[] = {
		{ { ATV(OID_CN, U8, "\xc3\x28") }, "CN=#0C02C328" },
		{ { ATV(OID_CN, U8, "\xc0\x80") }, "CN=#0C02C080" },
		{ { ATV(OID_CN, U8, "\xed\xa0\x80") }, "CN=#0C03EDA080" },
		{ { ATV_LEN(OID_CN, DER_BMP_STRING, "\0A\0", 3) },
		  "CN=#1E03004100" },
		{ { ATV_LEN(OID_CN, DER_INTEGER, "\x05", 1) }, "CN=#020105" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char text[256];
		struct buf dn;

		build_dn(cases[i].atvs, &dn);
		assert_int_equal(dn_format(dn.d, dn.n, text, sizeof(text)),
				 (int)strlen(cases[i].want));
		assert_string_equal(text, cases[i].want);
	}
}

static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* A random valid UTF-8 character into p; its length. */
static size_t random_utf8(uint8_t *p)
{
	static const char specials[] = ",+\"\\<>;#= a";
	uint32_t c;

	switch (rng() % 6) {
	case 0:
		p[0] = (uint8_t)specials[rng() % (sizeof(specials) - 1)];
		return 1;
	case 1:
		p[0] = (uint8_t)(rng() % 0x80);
		return 1;
	case 2:
		c = 0x80 + rng() % 0x780;
		p[0] = (uint8_t)(0xc0 | c >> 6);
		p[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	case 3:
		c = 0x800 + rng() % 0xd000;	/* below the surrogates */
		p[0] = (uint8_t)(0xe0 | c >> 12);
		p[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		p[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	case 4:
		c = 0x10000 + rng() % 0x100000;
		p[0] = (uint8_t)(0xf0 | c >> 18);
		p[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
		p[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		p[3] = (uint8_t)(0x80 | (c & 0x3f));
		return 4;
	}
	p[0] = (uint8_t)('a' + rng() % 26);
	return 1;
}

static void random_value(uint8_t *tag, uint8_t *v, size_t *len)
{
	static const uint8_t tags[] = {
		DER_UTF8_STRING, DER_PRINTABLE_STRING, DER_IA5_STRING,
		DER_TELETEX_STRING, DER_NUMERIC_STRING, DER_BMP_STRING,
		DER_UNIVERSAL_STRING, DER_SEQUENCE,
	};
	size_t chars = rng() % 6, n = 0;

	*tag = tags[rng() % ARRAY_SIZE(tags)];
	for (size_t i = 0; i < chars; i++) {
		switch (*tag) {
		case DER_UTF8_STRING:
			n += random_utf8(v + n);
			break;
		case DER_BMP_STRING:
			v[n++] = (uint8_t)(rng() % 3 ? 0 : rng());
			v[n++] = (uint8_t)rng();
			break;
		case DER_UNIVERSAL_STRING:
			v[n++] = 0;
			v[n++] = (uint8_t)(rng() % 2);
			v[n++] = (uint8_t)(rng() % 2 ? 0 : rng());
			v[n++] = (uint8_t)rng();
			break;
		case DER_SEQUENCE:
			v[n++] = DER_INTEGER;
			v[n++] = 1;
			v[n++] = (uint8_t)(rng() % 0x80);
			break;
		default:
			/* Any byte now and then: controls, >= 0x80. */
			if (rng() % 4 == 0)
				v[n++] = (uint8_t)rng();
			else
				v[n++] = (uint8_t)(' ' + rng() % 95);
		}
	}
	*len = n;
}

/* Random names: ours must print exactly what OpenSSL prints. */
static void test_format_vs_openssl(void **state)
{
	static const char *const oids[] = {
		OID_CN, OID_SERIAL, OID_O, OID_C, "2.5.4.11", "2.5.4.7",
		"2.5.4.8", "2.5.4.13", "2.5.4.15", "2.5.4.17", "2.5.4.41",
		"2.5.4.43", "2.5.4.44", "2.5.4.46", "2.5.4.65", "2.5.4.97",
		"1.2.840.113549.1.9.1", "0.9.2342.19200300.100.1.25",
		"0.9.2342.19200300.100.1.1", "1.2.3.4", "2.999.77.1",
	};
	static uint8_t values[8][64];
	size_t compared = 0;

	for (int round = 0; round < 5000; round++) {
		struct atv atvs[9];
		size_t count = 1 + rng() % 8;
		char text[DN_STRING_MAX], *ref;
		struct buf dn;
		int r;

		for (size_t i = 0; i < count; i++) {
			atvs[i].oid = oids[rng() % ARRAY_SIZE(oids)];
			random_value(&atvs[i].tag, values[i], &atvs[i].len);
			atvs[i].value = (const char *)values[i];
			/* build_dn() takes len 0 as strlen(). */
			if (atvs[i].len == 0)
				values[i][0] = '\0';
			atvs[i].plus = i > 0 && rng() % 4 == 0;
		}
		atvs[count].oid = NULL;
		build_dn(atvs, &dn);
		r = dn_format(dn.d, dn.n, text, sizeof(text));
		assert_true(r >= 0);
		assert_true((size_t)r < 4 * dn.n + 1);
		ref = openssl_format(dn.d, dn.n);
		if (!ref)
			continue;
		if (!streq(ref, text)) {
			print_error("round %d: ours '%s', OpenSSL '%s'\n",
				    round, text, ref);
			free(ref);
			fail();
		}
		free(ref);
		compared++;
	}
	/* OpenSSL refuses a few names (bad code points); most compare. */
	assert_true(compared > 4000);
}

static void check_short_buffer(const struct atv *atvs, const char *full)
{
	char text[128];
	struct buf dn;

	build_dn(atvs, &dn);
	assert_int_equal(dn_format(dn.d, dn.n, text, strlen(full) + 1),
			 (int)strlen(full));
	assert_string_equal(text, full);
	for (size_t size = 1; size <= strlen(full); size++) {
		size_t len;

		memset(text, 'z', sizeof(text));
		assert_int_equal(dn_format(dn.d, dn.n, text, size),
				 -OCIBOOT_ETOOBIG);
		len = strlen(text);
		assert_true(len < size);
		if (size >= 4) {
			/* As much as fits, then "...". */
			assert_int_equal(len, size - 1);
			assert_string_equal(text + len - 3, "...");
			assert_memory_equal(text, full, len - 3);
		} else {
			assert_int_equal(len, 0);
		}
	}
	assert_int_equal(dn_format(dn.d, dn.n, text, 0), -OCIBOOT_ETOOBIG);
}

static void test_format_short_buffer(void **state)
{
	static const struct atv known[] = {
		ATV(OID_CN, U8, "product"), ATV(OID_SERIAL, PS, UUID), ATV_END
	};
	static const struct atv unknown[] = {
		ATV(OID_CN, U8, "a,b"), ATV_PLUS("1.2.840.113549.1.9.99", U8,
						 "\xc3\xa9"),
		ATV_LEN("2.999.1", DER_INTEGER, "\x05", 1), ATV_END
	};

	check_short_buffer(known, "CN=product, serialNumber=" UUID);
	check_short_buffer(unknown, "CN=a\\,b + 1.2.840.113549.1.9.99=\\E9, "
			   "2.999.1=#020105");
}

/* der_oid_format() against OBJ_obj2txt() on random OIDs. */
static void test_oid_format(void **state)
{
	for (int round = 0; round < 5000; round++) {
		char dotted[256], ours[256], ref[256];
		unsigned long long first = rng() % 3;
		struct buf oid, der = { .n = 0 };
		const unsigned char *p;
		ASN1_OBJECT *obj;
		size_t arcs = 1 + rng() % 6, n;

		n = (size_t)snprintf(dotted, sizeof(dotted), "%llu.%llu", first,
				     first < 2 ? rng() % 40ULL :
				     (unsigned long long)rng() % 100000);
		for (size_t i = 0; i < arcs; i++) {
			unsigned long long arc = rng() % 3 == 0 ?
				(unsigned long long)rng() << 20 | rng() :
				rng() % 200;

			n += (size_t)snprintf(dotted + n, sizeof(dotted) - n,
					      ".%llu", arc);
		}
		oid_contents(dotted, &oid);
		assert_int_equal(der_oid_format(oid.d, oid.n, ours,
						sizeof(ours)),
				 (int)strlen(dotted));
		assert_string_equal(ours, dotted);
		assert_true(strlen(ours) <= DER_OID_CHARS_PER_BYTE * oid.n);
		put_tlv(&der, DER_OID, oid.d, oid.n);
		p = der.d;
		obj = d2i_ASN1_OBJECT(NULL, &p, (long)der.n);
		assert_non_null(obj);
		assert_true(OBJ_obj2txt(ref, sizeof(ref), obj, 1) > 0);
		assert_string_equal(ours, ref);
		ASN1_OBJECT_free(obj);
	}
	/* Too small a buffer. */
	{
		struct buf oid;
		char out[8];

		oid_contents("1.2.840.113549.1.9.1", &oid);
		assert_int_equal(der_oid_format(oid.d, oid.n, out, sizeof(out)),
				 -OCIBOOT_ETOOBIG);
		assert_string_equal(out, "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_product_uuid),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_uuid_normalize),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_beyond_openssl),
		cmocka_unit_test(test_format_vs_openssl),
		cmocka_unit_test(test_format_short_buffer),
		cmocka_unit_test(test_oid_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
