/* SPDX-License-Identifier: MIT */
/*
 * Tests of crypto/cert.c: certificates built field by field (one mutation
 * per table row), truncation at every offset, times against timegm() and
 * gmtime_r(), and certificates made by the openssl tool compared with what
 * `openssl x509` prints about them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cert.h"
#include "crypto/der.h"
#include "crypto/dn.h"
#include "crypto/openssl_fixture.h"
#include "lib/util.h"

/* --- a DER writer of our own --------------------------------------------- */

struct buf {
	uint8_t d[CERT_MAX + 1024];
	size_t n;
};

static void put_bytes(struct buf *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->d));
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put_hex(struct buf *b, const char *hex)
{
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ')
			continue;
		v = *hex <= '9' ? *hex - '0' : (*hex | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			uint8_t byte = (uint8_t)(hi << 4 | v);

			put_bytes(b, &byte, 1);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
}

static void put_tlv(struct buf *b, uint8_t tag, const struct buf *c)
{
	uint8_t head[4] = { tag };
	size_t n = 2;

	if (c->n < 0x80) {
		head[1] = (uint8_t)c->n;
	} else if (c->n < 0x100) {
		head[1] = 0x81;
		head[2] = (uint8_t)c->n;
		n = 3;
	} else {
		head[1] = 0x82;
		head[2] = (uint8_t)(c->n >> 8);
		head[3] = (uint8_t)c->n;
		n = 4;
	}
	put_bytes(b, head, n);
	put_bytes(b, c->d, c->n);
}

static void put_tlv_hex(struct buf *b, uint8_t tag, const char *hex)
{
	static struct buf c;

	c.n = 0;
	put_hex(&c, hex);
	put_tlv(b, tag, &c);
}

static void put_tlv_str(struct buf *b, uint8_t tag, const char *s)
{
	static struct buf c;

	c.n = 0;
	put_bytes(&c, s, strlen(s));
	put_tlv(b, tag, &c);
}

/* --- handmade certificates ----------------------------------------------- */

#define NAME_CA "300d310b300906035504030c024341"	/* CN=CA */
#define NAME_P "300c310a300806035504030c0150"	/* CN=P */
#define ECDSA_SHA256 "300a06082a8648ce3d040302"
#define OID_BC "0603551d13"
#define OID_EKU "0603551d25"
#define OID_KU "0603551d0f"
#define OID_SKI "0603551d0e"
#define CODE_SIGNING "06082b06010505070303"
#define SERVER_AUTH "06082b06010505070301"
#define ANY_EKU "0604551d2500"

enum mutation {
	M_NONE,
	M_V1, M_V1_EXT, M_V2_EXT, M_V0_EXPLICIT, M_V3_VALUE, M_NO_SERIAL,
	M_UTC_NO_SECONDS, M_UTC_OFFSET, M_FEB29_2023, M_FEB29_2024,
	M_MONTH_13, M_DAY_32, M_HOUR_24, M_MINUTE_60, M_GENERALIZED,
	M_GENERALIZED_FRACTION, M_UTC_1950, M_UTC_2049, M_TIME_IA5,
	M_VALIDITY_THREE, M_EKU_CRITICAL, M_EKU_SERVER, M_EKU_ANY,
	M_EKU_EMPTY, M_EKU_NOT_OID, M_EKU_TRAILING, M_BC_CA, M_BC_BAD_BOOL,
	M_BC_PATHLEN, M_BC_EXTRA, M_BC_EMPTY, M_DUP_EXT, M_EXPLICIT_FALSE,
	M_KU_OK, M_KU_EMPTY, M_KU_NO_BITS, M_KU_UNUSED_8, M_KU_THREE_BYTES,
	M_KU_TRAILING, M_KU_NOT_BITS,
	M_EXT_NOT_OCTETS, M_EXT_33, M_EXT_32, M_EXT_EMPTY, M_TRAILING,
	M_TBS_EXTRA, M_NO_SIGNATURE, M_EMPTY_SIGNATURE, M_UNIQUE_IDS,
	M_UNIQUE_IDS_V1, M_BAD_SUBJECT, M_BIG_SUBJECT, M_ISSUER_NOT_NAME,
	M_EXT_AFTER_TRAILING, M_OVERSIZE,
};

static void put_ext(struct buf *exts, const char *oid, const char *critical,
		    const char *value)
{
	struct buf e = { .n = 0 }, v = { .n = 0 };

	put_hex(&e, oid);
	if (critical)
		put_hex(&e, critical);
	put_hex(&v, value);
	put_tlv(&e, DER_OCTET_STRING, &v);
	put_tlv(exts, DER_SEQUENCE, &e);
}

/* A keyUsage extension for the M_KU_* mutations. */
static void put_key_usage(struct buf *exts, enum mutation m)
{
	static const struct { enum mutation m; const char *hex; } ku[] = {
		{ M_KU_OK, "03020780" },	/* digitalSignature */
		{ M_KU_EMPTY, "0300" },
		{ M_KU_NO_BITS, "030100" },
		{ M_KU_UNUSED_8, "03020880" },
		{ M_KU_THREE_BYTES, "0304008080ff" },
		{ M_KU_TRAILING, "0302078000" },
		{ M_KU_NOT_BITS, "04020780" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(ku); i++)
		if (ku[i].m == m)
			put_ext(exts, OID_KU, "0101ff", ku[i].hex);
}

static void put_extensions(struct buf *tbs, enum mutation m)
{
	struct buf exts = { .n = 0 }, seq = { .n = 0 };
	const char *eku = "300a" CODE_SIGNING;
	const char *bc = "3000";

	switch (m) {
	case M_EKU_SERVER:
		eku = "300a" SERVER_AUTH;
		break;
	case M_EKU_ANY:
		eku = "3010" SERVER_AUTH ANY_EKU;
		break;
	case M_EKU_EMPTY:
		eku = "3000";
		break;
	case M_EKU_NOT_OID:
		eku = "3003020101";
		break;
	case M_EKU_TRAILING:
		eku = "300a" CODE_SIGNING "00";
		break;
	case M_BC_CA:
		bc = "30030101ff";
		break;
	case M_BC_BAD_BOOL:
		bc = "3003010101";
		break;
	case M_BC_PATHLEN:
		bc = "30060101ff020100";
		break;
	case M_BC_EXTRA:
		bc = "30050101ff0500";
		break;
	default:
		break;
	}
	if (m == M_EXT_EMPTY) {
		put_tlv(&seq, DER_SEQUENCE, &exts);
		put_tlv(tbs, DER_CONTEXT(3), &seq);
		return;
	}
	put_ext(&exts, OID_BC, m == M_EXPLICIT_FALSE ? "010100" : "0101ff",
		bc);
	put_ext(&exts, OID_EKU, m == M_EKU_CRITICAL ? "0101ff" : NULL, eku);
	put_key_usage(&exts, m);
	if (m == M_DUP_EXT)
		put_ext(&exts, OID_EKU, NULL, eku);
	if (m == M_EXT_NOT_OCTETS)
		put_hex(&exts, "3009" OID_SKI "0c020000");
	for (int i = 0; m == M_EXT_33 && i < 31; i++) {
		char oid[32];

		snprintf(oid, sizeof(oid), "06042a0304%02x", i);
		put_ext(&exts, oid, NULL, "0500");
	}
	for (int i = 0; m == M_EXT_32 && i < 30; i++) {
		char oid[32];

		snprintf(oid, sizeof(oid), "06042a0304%02x", i);
		put_ext(&exts, oid, NULL, "0500");
	}
	put_tlv(&seq, DER_SEQUENCE, &exts);
	put_tlv(tbs, DER_CONTEXT(3), &seq);
}

static void put_time(struct buf *b, enum mutation m, bool after)
{
	const char *utc = after ? "340101000000Z" : "240101000000Z";

	switch (m) {
	case M_UTC_NO_SECONDS:
		utc = "2401010000Z";
		break;
	case M_UTC_OFFSET:
		utc = after ? utc : "240101000000+0100";
		break;
	case M_FEB29_2023:
		utc = after ? utc : "230229000000Z";
		break;
	case M_FEB29_2024:
		utc = after ? utc : "240229000000Z";
		break;
	case M_MONTH_13:
		utc = after ? "341301000000Z" : utc;
		break;
	case M_DAY_32:
		utc = after ? "340132000000Z" : utc;
		break;
	case M_HOUR_24:
		utc = after ? "340101240000Z" : utc;
		break;
	case M_MINUTE_60:
		utc = after ? "340101006000Z" : utc;
		break;
	case M_GENERALIZED:
		if (after) {
			put_tlv_str(b, DER_GENERALIZED_TIME, "20500101000000Z");
			return;
		}
		break;
	case M_GENERALIZED_FRACTION:
		if (after) {
			put_tlv_str(b, DER_GENERALIZED_TIME,
				    "20500101000000.5Z");
			return;
		}
		break;
	case M_UTC_1950:
		utc = after ? utc : "500101000000Z";
		break;
	case M_UTC_2049:
		utc = after ? "491231235959Z" : utc;
		break;
	case M_TIME_IA5:
		if (!after) {
			put_tlv_str(b, DER_IA5_STRING, utc);
			return;
		}
		break;
	default:
		break;
	}
	put_tlv_str(b, DER_UTC_TIME, utc);
}

static void build_tbs(struct buf *tbs, enum mutation m)
{
	struct buf validity = { .n = 0 };
	static char big[DN_MAX * 2 + 1];

	tbs->n = 0;
	if (m == M_V0_EXPLICIT)
		put_tlv_hex(tbs, DER_CONTEXT(0), "020100");
	else if (m == M_V3_VALUE)
		put_tlv_hex(tbs, DER_CONTEXT(0), "020103");
	else if (m == M_V2_EXT)
		put_tlv_hex(tbs, DER_CONTEXT(0), "020101");
	else if (m != M_V1 && m != M_V1_EXT && m != M_UNIQUE_IDS_V1)
		put_tlv_hex(tbs, DER_CONTEXT(0), "020102");
	if (m != M_NO_SERIAL)
		put_hex(tbs, "02081122334455667788");
	put_hex(tbs, ECDSA_SHA256);
	put_hex(tbs, m == M_ISSUER_NOT_NAME ? "3100" : NAME_CA);
	put_time(&validity, m, false);
	put_time(&validity, m, true);
	if (m == M_VALIDITY_THREE)
		put_time(&validity, m, true);
	put_tlv(tbs, DER_SEQUENCE, &validity);
	if (m == M_BAD_SUBJECT) {
		put_hex(tbs, "30023100");
	} else if (m == M_BIG_SUBJECT) {
		memset(big, '0', sizeof(big) - 1);
		/* CN of DN_MAX bytes: a name over DN_MAX. */
		put_hex(tbs, "308204113182040d308204090603550403");
		put_hex(tbs, "0c820400");
		put_hex(tbs, big + (sizeof(big) - 1) - 2 * 1024);
	} else {
		put_hex(tbs, NAME_P);
	}
	/* Any SEQUENCE: the key is BearSSL's to read. */
	put_hex(tbs, "3003020101");
	if (m == M_UNIQUE_IDS || m == M_UNIQUE_IDS_V1)
		put_hex(tbs, "8102000182020002");
	if (m != M_V1 && m != M_UNIQUE_IDS_V1)
		put_extensions(tbs, m);
	if (m == M_TBS_EXTRA)
		put_hex(tbs, "0500");
}

static void build_cert(struct buf *cert, enum mutation m)
{
	static struct buf tbs, body;

	build_tbs(&tbs, m);
	body.n = 0;
	put_tlv(&body, DER_SEQUENCE, &tbs);
	put_hex(&body, ECDSA_SHA256);
	if (m == M_EMPTY_SIGNATURE)
		put_hex(&body, "0300");
	else if (m != M_NO_SIGNATURE)
		put_hex(&body, "0306 00 30 03 02 01 01");
	if (m == M_OVERSIZE) {
		static struct buf pad;

		pad.n = CERT_MAX;
		memset(pad.d, 0, pad.n);
		put_tlv(&body, DER_OCTET_STRING, &pad);
	}
	cert->n = 0;
	put_tlv(cert, DER_SEQUENCE, &body);
	if (m == M_TRAILING)
		put_hex(cert, "00");
}

struct cert_case {
	const char *name;
	enum mutation m;
	int ret;
	bool ca, has_eku, eku_critical, eku_code_signing;
	int64_t not_before, not_after;
};

#define REFUSED(name, m, ret) { name, m, ret, false, false, false, false, 0, 0 }

#define T2024 1704067200	/* 2024-01-01T00:00:00Z */
#define T2034 2019686400	/* 2034-01-01T00:00:00Z */

static const struct cert_case cert_cases[] = {
	{ "base", M_NONE, 0, false, true, false, true, T2024, T2034 },
	{ "v1", M_V1, 0, false, false, false, false, T2024, T2034 },
	REFUSED("v1 with extensions", M_V1_EXT, -OCIBOOT_EMALFORMED),
	REFUSED("v2 with extensions", M_V2_EXT, -OCIBOOT_EMALFORMED),
	REFUSED("explicit v1 with extensions", M_V0_EXPLICIT,
		-OCIBOOT_EMALFORMED),
	REFUSED("version 4", M_V3_VALUE, -OCIBOOT_EMALFORMED),
	REFUSED("no serial", M_NO_SERIAL, -OCIBOOT_EMALFORMED),
	REFUSED("UTCTime without seconds", M_UTC_NO_SECONDS,
		-OCIBOOT_EMALFORMED),
	REFUSED("UTCTime with an offset", M_UTC_OFFSET, -OCIBOOT_EMALFORMED),
	REFUSED("29 February 2023", M_FEB29_2023, -OCIBOOT_EMALFORMED),
	{ "29 February 2024", M_FEB29_2024, 0, false, true, false, true,
	  1709164800, T2034 },
	REFUSED("month 13", M_MONTH_13, -OCIBOOT_EMALFORMED),
	REFUSED("day 32", M_DAY_32, -OCIBOOT_EMALFORMED),
	REFUSED("hour 24", M_HOUR_24, -OCIBOOT_EMALFORMED),
	REFUSED("minute 60", M_MINUTE_60, -OCIBOOT_EMALFORMED),
	{ "GeneralizedTime", M_GENERALIZED, 0, false, true, false, true,
	  T2024, 2524608000 },
	REFUSED("GeneralizedTime with a fraction", M_GENERALIZED_FRACTION,
		-OCIBOOT_EMALFORMED),
	{ "UTCTime 1950", M_UTC_1950, 0, false, true, false, true,
	  -631152000, T2034 },
	{ "UTCTime 2049", M_UTC_2049, 0, false, true, false, true, T2024,
	  2524607999 },
	REFUSED("time as IA5String", M_TIME_IA5, -OCIBOOT_EMALFORMED),
	REFUSED("three times", M_VALIDITY_THREE, -OCIBOOT_EMALFORMED),
	{ "critical EKU", M_EKU_CRITICAL, 0, false, true, true, true, T2024,
	  T2034 },
	{ "EKU serverAuth", M_EKU_SERVER, 0, false, true, false, false,
	  T2024, T2034 },
	{ "EKU anyExtendedKeyUsage", M_EKU_ANY, 0, false, true, false, true,
	  T2024, T2034 },
	REFUSED("empty EKU", M_EKU_EMPTY, -OCIBOOT_EMALFORMED),
	REFUSED("EKU of an INTEGER", M_EKU_NOT_OID, -OCIBOOT_EMALFORMED),
	REFUSED("EKU with trailing bytes", M_EKU_TRAILING, -OCIBOOT_EMALFORMED),
	{ "CA", M_BC_CA, 0, true, true, false, true, T2024, T2034 },
	REFUSED("BOOLEAN 0x01", M_BC_BAD_BOOL, -OCIBOOT_EMALFORMED),
	{ "pathLenConstraint", M_BC_PATHLEN, 0, true, true, false, true,
	  T2024, T2034 },
	REFUSED("basicConstraints with extra", M_BC_EXTRA, -OCIBOOT_EMALFORMED),
	{ "empty basicConstraints", M_BC_EMPTY, 0, false, true, false, true,
	  T2024, T2034 },
	REFUSED("extension twice", M_DUP_EXT, -OCIBOOT_EMALFORMED),
	{ "keyUsage digitalSignature", M_KU_OK, 0, false, true, false, true,
	  T2024, T2034 },
	REFUSED("keyUsage of no bytes", M_KU_EMPTY, -OCIBOOT_EMALFORMED),
	REFUSED("keyUsage of no bits", M_KU_NO_BITS, -OCIBOOT_EMALFORMED),
	REFUSED("keyUsage with 8 unused bits", M_KU_UNUSED_8,
		-OCIBOOT_EMALFORMED),
	REFUSED("keyUsage of three bytes", M_KU_THREE_BYTES,
		-OCIBOOT_EMALFORMED),
	REFUSED("keyUsage with trailing bytes", M_KU_TRAILING,
		-OCIBOOT_EMALFORMED),
	REFUSED("keyUsage not a BIT STRING", M_KU_NOT_BITS,
		-OCIBOOT_EMALFORMED),
	{ "critical FALSE written out", M_EXPLICIT_FALSE, 0, false, true,
	  false, true, T2024, T2034 },
	REFUSED("extension value not OCTET STRING", M_EXT_NOT_OCTETS,
		-OCIBOOT_EMALFORMED),
	REFUSED("33 extensions", M_EXT_33, -OCIBOOT_ETOOBIG),
	{ "32 extensions", M_EXT_32, 0, false, true, false, true, T2024,
	  T2034 },
	REFUSED("empty extensions", M_EXT_EMPTY, -OCIBOOT_EMALFORMED),
	REFUSED("trailing byte", M_TRAILING, -OCIBOOT_EMALFORMED),
	REFUSED("extra TBS field", M_TBS_EXTRA, -OCIBOOT_EMALFORMED),
	REFUSED("no signature", M_NO_SIGNATURE, -OCIBOOT_EMALFORMED),
	REFUSED("empty signature", M_EMPTY_SIGNATURE, -OCIBOOT_EMALFORMED),
	{ "unique IDs", M_UNIQUE_IDS, 0, false, true, false, true, T2024,
	  T2034 },
	REFUSED("unique IDs in v1", M_UNIQUE_IDS_V1, -OCIBOOT_EMALFORMED),
	REFUSED("empty RDN in subject", M_BAD_SUBJECT, -OCIBOOT_EMALFORMED),
	REFUSED("subject over DN_MAX", M_BIG_SUBJECT, -OCIBOOT_ETOOBIG),
	REFUSED("issuer a SET", M_ISSUER_NOT_NAME, -OCIBOOT_EMALFORMED),
	REFUSED("over CERT_MAX", M_OVERSIZE, -OCIBOOT_ETOOBIG),
};

static uint8_t *exact_copy(const void *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	return c;
}

static void check_names(const struct cert_info *ci)
{
	char text[DN_STRING_MAX];

	assert_int_equal(dn_format(ci->issuer, ci->issuer_len, text,
				   sizeof(text)), 5);
	assert_string_equal(text, "CN=CA");
	assert_int_equal(dn_format(ci->subject, ci->subject_len, text,
				   sizeof(text)), 4);
	assert_string_equal(text, "CN=P");
}

static void test_handmade(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cert_cases); i++) {
		const struct cert_case *c = &cert_cases[i];
		struct cert_info ci = { .not_before = 42 };
		static struct buf cert;
		uint8_t *copy;
		int r;

		build_cert(&cert, c->m);
		copy = exact_copy(cert.d, cert.n);
		r = cert_parse(copy, cert.n, &ci);
		if (r != c->ret)
			fail_msg("%s: got %d, want %d", c->name, r, c->ret);
		if (r < 0) {
			assert_int_equal(ci.not_before, 42);
			free(copy);
			continue;
		}
		assert_int_equal(ci.ca, c->ca);
		assert_int_equal(ci.has_eku, c->has_eku);
		assert_int_equal(ci.eku_critical, c->eku_critical);
		assert_int_equal(ci.eku_code_signing, c->eku_code_signing);
		assert_int_equal(ci.not_before, c->not_before);
		assert_int_equal(ci.not_after, c->not_after);
		check_names(&ci);
		free(copy);
	}
}

static void check_prefixes(const uint8_t *der, size_t len)
{
	struct cert_info ci;

	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = exact_copy(der, cut);

		assert_true(cert_parse(copy, cut, &ci) < 0);
		free(copy);
	}
	assert_int_equal(cert_parse(der, len, &ci), 0);
}

static void test_truncation(void **state)
{
	size_t valid = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cert_cases); i++) {
		static struct buf cert;

		if (cert_cases[i].ret != 0)
			continue;
		build_cert(&cert, cert_cases[i].m);
		check_prefixes(cert.d, cert.n);
		valid++;
	}
	assert_true(valid >= 12);
}

/* --- times --------------------------------------------------------------- */

static void test_time_table(void **state)
{
	static const struct {
		uint8_t tag;
		const char *s;
		int ret;
		int64_t t;
	} cases[] = {
		{ DER_UTC_TIME, "700101000000Z", 0, 0 },
		{ DER_UTC_TIME, "691231235959Z", 0, -1 },
		{ DER_UTC_TIME, "000229000000Z", 0, 951782400 },
		{ DER_UTC_TIME, "991231235959Z", 0, 946684799 },
		{ DER_UTC_TIME, "380119031408Z", 0, 2147483648LL },
		{ DER_UTC_TIME, "240101000060Z", 0, T2024 + 60 },
		{ DER_GENERALIZED_TIME, "99991231235959Z", 0, 253402300799LL },
		{ DER_GENERALIZED_TIME, "00000101000000Z", 0, -62167219200LL },
		{ DER_GENERALIZED_TIME, "21000229000000Z", -OCIBOOT_EMALFORMED,
		  0 },
		{ DER_GENERALIZED_TIME, "20000229000000Z", 0, 951782400 },
		{ DER_UTC_TIME, "20000229000000Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_GENERALIZED_TIME, "000229000000Z", -OCIBOOT_EMALFORMED,
		  0 },
		{ DER_UTC_TIME, "240101000000z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "2401010000 0Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "24010100000-Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "240001000000Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "240100000000Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "240431000000Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "240101000061Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_IA5_STRING, "240101000000Z", -OCIBOOT_EMALFORMED, 0 },
		{ DER_UTC_TIME, "", -OCIBOOT_EMALFORMED, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t t = 7;
		int r = cert_time_parse(cases[i].tag,
					(const uint8_t *)cases[i].s,
					strlen(cases[i].s), &t);

		if (r != cases[i].ret)
			fail_msg("%s: %d", cases[i].s, r);
		assert_int_equal(t, r == 0 ? cases[i].t : 7);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Parsing and formatting against timegm() and gmtime_r(). */
static void test_time_vs_libc(void **state)
{
	for (int i = 0; i < 100000; i++) {
		int64_t t = (int64_t)(rng() % 253402300800ULL) - 62135596800LL;
		char ours[CERT_TIME_STRING_MAX], ref[64], der[16];
		time_t tt = (time_t)t;
		struct tm tm;
		int64_t back;

		assert_non_null(gmtime_r(&tt, &tm));
		strftime(ref, sizeof(ref), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (tm.tm_year + 1900 < 1000)
			snprintf(ref, sizeof(ref),
				 "%04d-%02d-%02dT%02d:%02d:%02dZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				 tm.tm_hour, tm.tm_min, tm.tm_sec);
		cert_time_format(t, ours);
		assert_string_equal(ours, ref);
		snprintf(der, sizeof(der), "%04d%02d%02d%02d%02d%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		assert_int_equal(cert_time_parse(DER_GENERALIZED_TIME,
						 (const uint8_t *)der, 15,
						 &back), 0);
		assert_int_equal(back, t);
		assert_int_equal((int64_t)timegm(&tm), t);
	}
}

/* --- certificates made by openssl ---------------------------------------- */

static const char openssl_fixtures[] =
	"cat > x.cnf <<'EOF'\n"
	"[req]\ndistinguished_name = dn\n[dn]\n"
	"[ca]\nbasicConstraints = critical,CA:TRUE,pathlen:1\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier = hash\n"
	"[product]\nbasicConstraints = CA:FALSE\n"
	"keyUsage = critical,digitalSignature\n"
	"extendedKeyUsage = codeSigning,emailProtection\n"
	"authorityKeyIdentifier = keyid\n"
	"[allku]\nkeyUsage = digitalSignature,nonRepudiation,keyEncipherment,"
	"dataEncipherment,keyAgreement,keyCertSign,cRLSign,encipherOnly,"
	"decipherOnly\n"
	"[server]\nextendedKeyUsage = critical,serverAuth\n"
	"subjectAltName = DNS:example.org\n"
	"EOF\n"
	"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
	"-out ca.key\n"
	"openssl req -new -x509 -config x.cnf -extensions ca -key ca.key "
	"-subj '/C=DE/O=Tests, Inc./CN=Test CA' -days 20000 -out ca.pem\n"
	"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	"-out p.key\n"
	"openssl req -new -config x.cnf -key p.key -multivalue-rdn "
	"-subj '/CN=p+serialNumber=123e4567-e89b-12d3-a456-426614174000"
	"/OU=#x/emailAddress=p@example.org' -out p.csr\n"
	"openssl x509 -req -in p.csr -CA ca.pem -CAkey ca.key -set_serial 7 "
	"-days 30 -extfile x.cnf -extensions product -out product.pem\n"
	"openssl x509 -req -in p.csr -CA ca.pem -CAkey ca.key -set_serial 8 "
	"-days 30 -extfile x.cnf -extensions server -out server.pem\n"
	"openssl x509 -req -in p.csr -CA ca.pem -CAkey ca.key -set_serial 9 "
	"-days 30 -out plain.pem\n"
	"openssl x509 -req -in p.csr -CA ca.pem -CAkey ca.key -set_serial 10 "
	"-days 30 -extfile x.cnf -extensions allku -out allku.pem\n"
	"for c in ca product server plain allku; do\n"
	"  openssl x509 -in $c.pem -outform DER -out $c.der\n"
	"done\n";

struct openssl_case {
	const char *name;
	bool ca, has_eku, eku_critical, eku_code_signing;
	bool has_key_usage;
	uint16_t key_usage;
};

/* Unix seconds of `openssl x509 -noout -startdate|-enddate`. */
static int64_t openssl_date(const char *dir, const char *cert,
			    const char *which)
{
	char script[256], *out;
	int64_t t;

	snprintf(script, sizeof(script),
		 "date -u -d \"$(openssl x509 -in %s -noout -%s | "
		 "cut -d= -f2)\" +%%s", cert, which);
	out = fixture_sh_output(dir, script);
	assert_non_null(out);
	t = strtoll(out, NULL, 10);
	free(out);
	return t;
}

static void check_name_vs_openssl(const char *dir, const char *cert,
				  const char *which, const uint8_t *dn,
				  size_t len)
{
	char script[256], text[DN_STRING_MAX], *out;

	snprintf(script, sizeof(script),
		 "openssl x509 -in %s -noout -%s -nameopt esc_2253,esc_ctrl,"
		 "esc_msb,sep_comma_plus_space,sname,dump_nostr,dump_der", cert,
		 which);
	out = fixture_sh_output(dir, script);
	assert_non_null(out);
	assert_true(dn_format(dn, len, text, sizeof(text)) >= 0);
	/* openssl prints "subject=..." */
	assert_string_equal(out + strlen(which) + 1, text);
	free(out);
}

static void test_openssl_certs(void **state)
{
	static const struct openssl_case cases[] = {
		/* keyCertSign (5) and cRLSign (6) */
		{ "ca", true, false, false, false, true, 0x60 },
		{ "product", false, true, false, true, true,
		  CERT_KU_DIGITAL_SIGNATURE },
		{ "server", false, true, true, false, false, 0 },
		{ "plain", false, false, false, false, false, 0 },
		/* decipherOnly (8) is in the second byte */
		{ "allku", false, false, false, false, true, 0x1ff },
	};
	char *dir = fixture_dir_create();

	assert_int_equal(fixture_sh(dir, openssl_fixtures), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct openssl_case *c = &cases[i];
		char pem[32], der_name[32];
		struct cert_info ci;
		uint8_t *der;
		size_t len;

		snprintf(pem, sizeof(pem), "%s.pem", c->name);
		snprintf(der_name, sizeof(der_name), "%s.der", c->name);
		der = fixture_read(dir, der_name, &len);
		assert_int_equal(cert_parse(der, len, &ci), 0);
		assert_int_equal(ci.ca, c->ca);
		assert_int_equal(ci.has_eku, c->has_eku);
		assert_int_equal(ci.eku_critical, c->eku_critical);
		assert_int_equal(ci.eku_code_signing, c->eku_code_signing);
		assert_int_equal(ci.has_key_usage, c->has_key_usage);
		assert_int_equal(ci.key_usage, c->key_usage);
		assert_int_equal(ci.not_before,
				 openssl_date(dir, pem, "startdate"));
		assert_int_equal(ci.not_after,
				 openssl_date(dir, pem, "enddate"));
		check_name_vs_openssl(dir, pem, "subject", ci.subject,
				      ci.subject_len);
		check_name_vs_openssl(dir, pem, "issuer", ci.issuer,
				      ci.issuer_len);
		check_prefixes(der, len);
		free(der);
	}
	fixture_dir_remove(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handmade),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_time_table),
		cmocka_unit_test(test_time_vs_libc),
		cmocka_unit_test(test_openssl_certs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
